// SPDX-License-Identifier: GPL-2.0
/*
 * Atomic creation of output files (see outfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

#define PART_SUFFIX ".part"

/* Told when a file is created, renamed or removed (one per process) */
static outfile_notify_fn notify_fn;
static void *notify_arg;

/*
 * Follow the files being written (the message of a second signal names
 * them): @fn is called after each change on disk, NULL: none
 */
void wias_outfile_set_notify(outfile_notify_fn fn, void *arg)
{
	notify_fn = fn;
	notify_arg = arg;
}

static void notify(enum outfile_event ev, const struct outfile *of)
{
	if (notify_fn)
		notify_fn(notify_arg, ev, of);
}

/* Split @path into an open directory and a file name in it */
static int open_parent(const char *path, int *dirfd, char **base)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (!slash) {
		dir = strdup(".");
		*base = strdup(path);
	} else {
		dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
		*base = strdup(slash + 1);
	}
	if (!dir || !*base) {
		free(dir);
		free(*base);
		*base = NULL;
		return -ENOMEM;
	}
	if (!**base || !strcmp(*base, ".") || !strcmp(*base, "..")) {
		fd = -EISDIR;
	} else {
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			fd = -errno;
	}
	free(dir);
	if (fd < 0) {
		free(*base);
		*base = NULL;
		return fd;
	}
	*dirfd = fd;
	return 0;
}

static int exists_at(int dirfd, const char *name)
{
	struct stat st;

	if (!fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return -EEXIST;
	return errno == ENOENT ? 0 : -errno;
}

/* Refuse early, before the scanner moves, if NAME exists and !@force */
int wias_outfile_check(const char *path, bool force)
{
	char *base;
	int dirfd, ret;

	ret = open_parent(path, &dirfd, &base);
	if (ret)
		return ret;
	if (!force)
		ret = exists_at(dirfd, base);
	close(dirfd);
	free(base);
	return ret;
}

/*
 * Create NAME.part for writing (and reading: libtiff reads back the
 * previous IFD to link the next), mode 0666 less the umask.  A NAME.part left
 * by an earlier run is refused (-EEXIST), or removed first with @force; a
 * symlink there is never followed (O_EXCL | O_NOFOLLOW).
 */
int wias_outfile_create(struct outfile *of, const char *path, bool force)
{
	return wias_outfile_create_suffix(of, path, force, PART_SUFFIX);
}

/* The same with another suffix than .part (repair reads NAME.part) */
int wias_outfile_create_suffix(struct outfile *of, const char *path, bool force,
			       const char *suffix)
{
	int ret;

	memset(of, 0, sizeof(*of));
	of->fd = -1;
	of->dirfd = -1;
	of->force = force;
	ret = open_parent(path, &of->dirfd, &of->base);
	if (ret)
		return ret;
	if (asprintf(&of->part, "%s%s", of->base, suffix) < 0) {
		of->part = NULL;
		ret = -ENOMEM;
		goto err;
	}
	if (!force) {
		ret = exists_at(of->dirfd, of->base);
		if (ret)
			goto err;
	} else if (unlinkat(of->dirfd, of->part, 0) && errno != ENOENT) {
		ret = -errno;
		goto err;
	}
	of->fd = openat(of->dirfd, of->part,
			O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			0666);
	if (of->fd < 0) {
		ret = -errno;
		goto err;
	}
	of->created = true;
	notify(OUTFILE_CREATED, of);
	return 0;

err:
	wias_outfile_discard(of);
	return ret;
}

/* Write all of @buf: short writes continue, EINTR retries */
int wias_outfile_write(struct outfile *of, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(of->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		of->bytes += (uint64_t)n;
	}
	return 0;
}

/* NAME.part -> NAME without ever replacing an existing NAME */
static int rename_noreplace(int dirfd, const char *from, const char *to)
{
	if (!renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* File systems without RENAME_NOREPLACE: link() refuses too */
	if (linkat(dirfd, from, dirfd, to, 0))
		return -errno;
	unlinkat(dirfd, from, 0);
	return 0;
}

/* Make the data durable, then give it its name, then make the name durable */
int wias_outfile_commit(struct outfile *of)
{
	int ret;

	if (fsync(of->fd)) {
		ret = -errno;
		goto err;
	}
	ret = close(of->fd) ? -errno : 0;
	of->fd = -1;
	if (ret)
		goto err;
	if (of->force)
		ret = renameat(of->dirfd, of->part, of->dirfd, of->base) ?
			      -errno :
			      0;
	else
		ret = rename_noreplace(of->dirfd, of->part, of->base);
	if (ret)
		goto err;
	of->created = false;
	notify(OUTFILE_COMMITTED, of);
	ret = fsync(of->dirfd) ? -errno : 0;
	close(of->dirfd);
	of->dirfd = -1;
	free(of->part);
	free(of->base);
	of->part = NULL;
	of->base = NULL;
	return ret;

err:
	wias_outfile_discard(of);
	return ret;
}

/* Drop NAME.part if this run created it (unless @keep_part), release all */
void wias_outfile_discard(struct outfile *of)
{
	if (of->fd >= 0)
		close(of->fd);
	of->fd = -1;
	if (of->keep_part)
		of->created = false;
	if (of->created && of->part && !unlinkat(of->dirfd, of->part, 0))
		notify(OUTFILE_REMOVED, of);
	of->created = false;
	if (of->dirfd >= 0)
		close(of->dirfd);
	of->dirfd = -1;
	free(of->part);
	free(of->base);
	of->part = NULL;
	of->base = NULL;
}
