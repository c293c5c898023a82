/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a second SIGINT or SIGTERM leaves on disk, said with the real file
 * names.  The signal handler cannot format: it writes the message that
 * stop_msg_get() returns, which is formatted ahead, each time a file is
 * created, completed or removed (wias_outfile_set_notify()), into the buffer
 * the handler is not reading, then published by one sig_atomic_t store.
 */
#ifndef WIASCAN_STOPMSG_H
#define WIASCAN_STOPMSG_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "outfile.h"

#define STOP_MSG_NAME 2200

/**
 * enum stop_msg_kind - what the output is
 * @STOP_MSG_FILE: one file, NAME.part until it is complete
 * @STOP_MSG_BATCH: a file a page, NAME.part each until complete
 * @STOP_MSG_TMP_TIFF: a temporary TIFF copied to standard output at the end
 * @STOP_MSG_STDOUT: standard output itself (no file of ours)
 */
enum stop_msg_kind {
	STOP_MSG_FILE,
	STOP_MSG_BATCH,
	STOP_MSG_TMP_TIFF,
	STOP_MSG_STDOUT,
};

/**
 * struct stop_msg - the message of a second signal, kept up to date
 * @buf: two messages: the one published and the one being made
 * @len: their lengths
 * @cur: the published one (the handler reads only this)
 * @prog: the program's name, the message's first word
 * @kind: what the output is
 * @dir: the directory prefix of the output's names ("" or ending in '/')
 * @done: files completed (renamed to their names)
 * @first, @last: the first and the last of them
 * @part: the NAME.part that exists now, "" if none
 */
struct stop_msg {
	char buf[2][3 * STOP_MSG_NAME + 256];
	size_t len[2];
	volatile sig_atomic_t cur;
	const char *prog;
	enum stop_msg_kind kind;
	char dir[STOP_MSG_NAME];
	unsigned int done;
	char first[STOP_MSG_NAME];
	char last[STOP_MSG_NAME];
	char part[STOP_MSG_NAME];
};

void stop_msg_init(struct stop_msg *m, const char *prog,
		   enum stop_msg_kind kind, const char *path);
void stop_msg_event(struct stop_msg *m, enum outfile_event ev,
		    const struct outfile *of);
void stop_msg_notify(void *arg, enum outfile_event ev,
		     const struct outfile *of);
const char *stop_msg_get(const struct stop_msg *m, size_t *len);

#endif /* WIASCAN_STOPMSG_H */
