// SPDX-License-Identifier: GPL-2.0
/*
 * The whole path: wiascan-helper scans the emulated scanner through the
 * driver into a raw file, which must equal bytes computed here from
 * formula_byte() alone, page after page; an existing file is kept unless
 * --force is given.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "wiascan_test.h"

#define HELPER_TIMEOUT_MS 20000

SCANNER_FIXTURE(scanner, NULL)
SCANNER_FIXTURE(feeder_of_three, "--sheets", "3")

/**
 * struct helper_out - one helper run
 * @path: the output file
 * @log: the helper's stdout and stderr
 * @status: its exit code, or 128 + signal, or -1 if it had to be killed
 */
struct helper_out {
	char path[64];
	char log[64];
	int status;
};

static void dump_file(const char *path, const char *prefix)
{
	char line[512];
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "# %s: %s%s", prefix, line,
			strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

/* Run the helper with @argv (after the program name), bounded in time */
static int run_helper(struct helper_out *out, const char *const *argv)
{
	const char *args[32];
	int n = 0, status, waited, fd;
	pid_t pid;

	args[n++] = wt_helper_path();
	while (*argv && n < 31)
		args[n++] = *argv++;
	args[n] = NULL;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		fd = open(out->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execv(args[0], (char *const *)args);
		_exit(127);
	}
	for (waited = 0; waitpid(pid, &status, WNOHANG) == 0; waited += 20) {
		if (waited >= HELPER_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			out->status = -1;
			return -ETIMEDOUT;
		}
		wt_sleep_ms(20);
	}
	out->status = WIFEXITED(status) ? WEXITSTATUS(status) :
					  128 + WTERMSIG(status);
	return 0;
}

static void helper_out_init(struct helper_out *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->path, sizeof(out->path), "/tmp/wiascan-helper.%d.raw",
		 (int)getpid());
	snprintf(out->log, sizeof(out->log), "/tmp/wiascan-helper.%d.log",
		 (int)getpid());
	unlink(out->path);
	out->status = -1;
}

static void helper_out_cleanup(struct helper_out *out)
{
	char part[80];

	snprintf(part, sizeof(part), "%s.part", out->path);
	unlink(out->path);
	unlink(part);
	unlink(out->log);
}

/* The file's contents, malloc'ed; *len its size */
static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf && got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return buf;
}

/*
 * The expected raw file, straight from formula_byte(): @pages pages of
 * @rows rows of @bpl bytes, concatenated.
 */
static uint8_t *expected_raw(uint32_t bpl, uint32_t rows, uint32_t pages,
			     size_t *len)
{
	uint8_t *buf, *p;
	uint32_t x, y, pg;

	*len = (size_t)bpl * rows * pages;
	buf = malloc(*len ? *len : 1);
	if (!buf)
		return NULL;
	p = buf;
	for (pg = 0; pg < pages; pg++)
		for (y = 0; y < rows; y++)
			for (x = 0; x < bpl; x++)
				*p++ = formula_byte(x, y, pg);
	return buf;
}

/* Scan with the helper and compare the file with the formula */
static void expect_helper_scan(struct __test_metadata *_metadata,
			       struct scanner *s, const char *mode,
			       const char *dpi, const char *size,
			       const char *source, uint32_t bpl, uint32_t rows,
			       uint32_t pages)
{
	struct helper_out out;
	uint8_t *got, *want;
	size_t got_len = 0, want_len, i;

	if (access(wt_helper_path(), X_OK))
		SKIP(return, "helper/wiascan-helper is not built");
	/* The helper must own the device's queue: the fixture lets go */
	close(s->fd);
	s->fd = -1;
	helper_out_init(&out);
	ASSERT_EQ(0,
		  run_helper(&out, (const char *const[]) {
					   "scan", "-d", s->node, "--mode",
					   mode, "--resolution", dpi, "--size",
					   size, "--source", source, "--format",
					   "raw", "-o", out.path, NULL }));
	EXPECT_EQ(0, out.status) dump_file(out.log, "helper");
	got = slurp(out.path, &got_len);
	want = expected_raw(bpl, rows, pages, &want_len);
	ASSERT_NE(NULL, want);
	EXPECT_NE(NULL, got) TH_LOG("no %s", out.path);
	EXPECT_EQ(want_len, got_len);
	if (got) {
		for (i = 0; i < got_len && i < want_len && got[i] == want[i];
		     i++)
			;
		EXPECT_EQ(want_len, i)
		TH_LOG("first difference at byte %zu (page %zu, offset %zu)", i,
		       i / ((size_t)bpl * rows), i % ((size_t)bpl * rows));
	}
	free(got);
	free(want);
	helper_out_cleanup(&out);
}

/* round(mm / 25.4 * dpi), as the CLI documents it */
static uint32_t mm_to_px(double mm, unsigned int dpi)
{
	return (uint32_t)lround(mm / 25.4 * dpi);
}

TEST_F(scanner, helper_raw_gray_flatbed_scan_matches_the_formula)
{
	expect_helper_scan(_metadata, &self->s, "gray", "100", "300x50",
			   "flatbed", 300, 50, 1);
}

TEST_F(scanner, helper_raw_lineart_scan_matches_the_formula)
{
	expect_helper_scan(_metadata, &self->s, "lineart", "100", "801x60",
			   "flatbed", 101, 60, 1);
}

TEST_F(scanner, helper_raw_color_scan_matches_the_formula)
{
	expect_helper_scan(_metadata, &self->s, "color", "100", "211x40",
			   "flatbed", 633, 40, 1);
}

TEST_F(feeder_of_three, helper_raw_adf_scan_is_every_page_in_order)
{
	expect_helper_scan(_metadata, &self->s, "gray", "100", "257x31", "adf",
			   257, 31, 3);
}

TEST_F(scanner, helper_a4_size_is_rounded_to_whole_pixels)
{
	/* 75 dpi: 620.08 x 876.97 mm-derived pixels -> 620 x 877 */
	uint32_t w = mm_to_px(210, 75), h = mm_to_px(297, 75);

	ASSERT_EQ(620, w);
	ASSERT_EQ(877, h);
	expect_helper_scan(_metadata, &self->s, "gray", "75", "a4", "flatbed",
			   w, h, 1);
}

TEST_F(scanner, helper_letter_size_is_rounded_to_whole_pixels)
{
	/* 8.5 x 11 in at 100 dpi: 850 x 1100 px, lineart 107 bytes a row */
	expect_helper_scan(_metadata, &self->s, "lineart", "100", "letter",
			   "flatbed", 107, 1100, 1);
}

static void write_file(struct __test_metadata *_metadata, const char *path,
		       const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(text), write(fd, text, strlen(text)));
	close(fd);
}

static const char *const *scan_args(const char *node, const char *path,
				    bool force)
{
	static const char *args[20];
	int n = 0;

	args[n++] = "scan";
	args[n++] = "-d";
	args[n++] = node;
	args[n++] = "--mode";
	args[n++] = "gray";
	args[n++] = "--resolution";
	args[n++] = "100";
	args[n++] = "--size";
	args[n++] = "120x30";
	args[n++] = "--source";
	args[n++] = "flatbed";
	args[n++] = "--format";
	args[n++] = "raw";
	args[n++] = "-o";
	args[n++] = path;
	if (force)
		args[n++] = "--force";
	args[n] = NULL;
	return args;
}

TEST_F(scanner, helper_refuses_an_existing_file_without_force)
{
	const char *precious = "precious: not a scan\n";
	struct helper_out out;
	char part[80];
	uint8_t *got;
	size_t len = 0;

	if (access(wt_helper_path(), X_OK))
		SKIP(return, "helper/wiascan-helper is not built");
	close(self->s.fd);
	self->s.fd = -1;
	helper_out_init(&out);
	write_file(_metadata, out.path, precious);
	ASSERT_EQ(0,
		  run_helper(&out, scan_args(self->s.node, out.path, false)));
	EXPECT_NE(0, out.status);
	got = slurp(out.path, &len);
	ASSERT_NE(NULL, got);
	EXPECT_EQ(strlen(precious), len);
	EXPECT_EQ(0, memcmp(got, precious,
			    len < strlen(precious) ? len : strlen(precious)));
	snprintf(part, sizeof(part), "%s.part", out.path);
	EXPECT_NE(0, access(part, F_OK)) TH_LOG("%s left behind", part);
	free(got);
	helper_out_cleanup(&out);
}

TEST_F(scanner, helper_force_replaces_an_existing_file)
{
	struct helper_out out;
	uint8_t *got, *want;
	size_t len = 0, want_len;
	char part[80];

	if (access(wt_helper_path(), X_OK))
		SKIP(return, "helper/wiascan-helper is not built");
	close(self->s.fd);
	self->s.fd = -1;
	helper_out_init(&out);
	write_file(_metadata, out.path, "old contents, longer than nothing\n");
	ASSERT_EQ(0, run_helper(&out, scan_args(self->s.node, out.path, true)));
	EXPECT_EQ(0, out.status) dump_file(out.log, "helper");
	got = slurp(out.path, &len);
	want = expected_raw(120, 30, 1, &want_len);
	ASSERT_NE(NULL, got);
	ASSERT_NE(NULL, want);
	EXPECT_EQ(want_len, len);
	EXPECT_EQ(0, memcmp(got, want, len < want_len ? len : want_len));
	snprintf(part, sizeof(part), "%s.part", out.path);
	EXPECT_NE(0, access(part, F_OK)) TH_LOG("%s left behind", part);
	free(got);
	free(want);
	helper_out_cleanup(&out);
}

TEST_HARNESS_MAIN
