/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output files created atomically, for every sink: the data goes to
 * NAME.part (created O_EXCL, never through a symlink), which is fsync'ed
 * and renamed to NAME only when complete, then the directory is fsync'ed.
 * Without force an existing NAME is never replaced, even if it appears
 * while scanning (RENAME_NOREPLACE).
 */
#ifndef WIASCAN_OUTFILE_H
#define WIASCAN_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * struct outfile - one file being written
 * @dirfd: the directory holding it, opened once so a rename of a parent
 *	while scanning cannot redirect the output
 * @fd: NAME.part, -1 when closed
 * @base: NAME within @dirfd
 * @part: NAME.part within @dirfd
 * @force: replace an existing NAME
 * @created: NAME.part is ours to remove (not yet renamed)
 * @keep_part: a commit that fails leaves NAME.part (a salvage: the
 *	completed pages stay on disk rather than being lost)
 * @bytes: bytes written so far
 */
struct outfile {
	int dirfd;
	int fd;
	char *base;
	char *part;
	bool force;
	bool created;
	bool keep_part;
	uint64_t bytes;
};

/**
 * enum outfile_event - what wias_outfile_set_notify()'s function is told
 * @OUTFILE_CREATED: NAME.part was created
 * @OUTFILE_COMMITTED: NAME.part was renamed to NAME
 * @OUTFILE_REMOVED: NAME.part was removed (nothing of it is left)
 */
enum outfile_event {
	OUTFILE_CREATED,
	OUTFILE_COMMITTED,
	OUTFILE_REMOVED,
};

typedef void (*outfile_notify_fn)(void *arg, enum outfile_event ev,
				  const struct outfile *of);

void wias_outfile_set_notify(outfile_notify_fn fn, void *arg);
int wias_outfile_check(const char *path, bool force);
int wias_outfile_create(struct outfile *of, const char *path, bool force);
int wias_outfile_create_suffix(struct outfile *of, const char *path, bool force,
			       const char *suffix);
int wias_outfile_write(struct outfile *of, const void *buf, size_t len);
int wias_outfile_commit(struct outfile *of);
void wias_outfile_discard(struct outfile *of);

#endif /* WIASCAN_OUTFILE_H */
