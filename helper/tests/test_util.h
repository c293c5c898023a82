/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the native tests: temporary directories, whole
 * files, running the wiascan-helper binary, and an independent check of
 * image bytes against the formula.
 */
#ifndef WIASCAN_TEST_UTIL_H
#define WIASCAN_TEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A fresh directory under TMPDIR (or /tmp), its path in @dir */
static inline int tu_mkdtemp(char *dir, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, len, "%s/wiascan-test.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(dir) ? 0 : -errno;
}

/* rm -rf @dir (the tests only create plain files, links and dirs in it) */
static inline void tu_rmtree(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "# could not remove %s\n", dir);
}

static inline int tu_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/* The whole file, malloc'ed and NUL-terminated; NULL if unreadable */
static inline char *tu_read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = fstat(fd, &st) ? NULL : malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return NULL;
	}
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = (size_t)n;
	return buf;
}

static inline int tu_exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

/*
 * The expected byte at offset @off of a raw file of pages with @rows[p]
 * rows (the last entry repeats) of @bpl bytes, computed directly from the
 * formula's definition, not from formula.h.
 */
static inline int tu_expected(uint64_t off, uint32_t bpl, const uint32_t *rows,
			      size_t nrows)
{
	uint64_t p = 0, len;

	for (;;) {
		len = (uint64_t)rows[p < nrows ? p : nrows - 1] * bpl;
		if (off < len)
			break;
		off -= len;
		p++;
	}
	return (int)((31 * (off % bpl) + 17 * (off / bpl) + 101 * p) % 251);
}

/* Offset of the first byte that differs from the formula, or -1 */
static inline long long tu_check_pages(const uint8_t *buf, size_t len,
				       uint32_t bpl, const uint32_t *rows,
				       size_t nrows)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != tu_expected(i, bpl, rows, nrows))
			return (long long)i;
	return -1;
}

/* Read @fd to EOF into @buf (NUL-terminated, at most @cap - 1 bytes kept) */
static inline void tu_drain(int fd, char *buf, size_t cap)
{
	char scratch[256];
	size_t used = 0;
	ssize_t n;

	for (;;) {
		if (buf && used < cap - 1)
			n = read(fd, buf + used, cap - 1 - used);
		else
			n = read(fd, scratch, sizeof(scratch));
		if (n <= 0)
			break;
		if (buf && used < cap - 1)
			used += (size_t)n;
	}
	if (buf)
		buf[used] = '\0';
	close(fd);
}

/*
 * Run the helper (path from $WIASCAN_HELPER, else ./wiascan-helper) with
 * @argv (argv[0] included), stdout and stderr captured into @out/@err
 * (each @cap bytes, may be NULL).  Returns the exit status, or -1.
 * The helper's output is small, so reading stdout then stderr is safe.
 */
static inline int tu_run_helper(char *const argv[], char *out, char *err,
				size_t cap)
{
	const char *helper = getenv("WIASCAN_HELPER");
	int po[2], pe[2], status;
	pid_t pid;

	if (!helper)
		helper = "./wiascan-helper";
	if (pipe(po) || pipe(pe))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		execv(helper, argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	tu_drain(po[0], out, cap);
	tu_drain(pe[0], err, cap);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Start the helper with @argv (argv[0] included), its stdout into the file
 * @out and stderr into the file @err (each may be NULL: /dev/null), with
 * a file size limit of @fsize bytes when not 0.  Returns the pid, or -1.
 */
static inline pid_t tu_spawn_helper(char *const argv[], const char *out,
				    const char *err, unsigned long long fsize)
{
	const char *helper = getenv("WIASCAN_HELPER");
	pid_t pid;

	if (!helper)
		helper = "./wiascan-helper";
	pid = fork();
	if (pid == 0) {
		int fo = open(out ? out : "/dev/null",
			      O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err ? err : "/dev/null",
			      O_WRONLY | O_CREAT | O_TRUNC, 0644);
		struct rlimit rl = { fsize, fsize };

		dup2(fo, 1);
		dup2(fe, 2);
		if (fsize)
			setrlimit(RLIMIT_FSIZE, &rl);
		execv(helper, argv);
		_exit(127);
	}
	return pid;
}

/* The exit status of @pid, 128 + signal if killed, -1 on error */
static inline int tu_wait(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Size of @path, 0 if absent */
static inline long long tu_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (long long)st.st_size;
}

/* Wait until @path has @bytes, at most 10 s */
static inline void tu_wait_size(const char *path, long long bytes)
{
	int i;

	for (i = 0; i < 2000 && tu_size(path) < bytes; i++)
		usleep(5000);
}

/* Run @cmd with sh -c; its exit status, -1 if it did not exit */
static inline int tu_sh(const char *cmd)
{
	int status = system(cmd);

	return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif /* WIASCAN_TEST_UTIL_H */
