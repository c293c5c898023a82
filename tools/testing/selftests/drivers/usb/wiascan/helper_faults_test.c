// SPDX-License-Identifier: GPL-2.0
/*
 * wiascan-helper under faults: a full disk (ENOSPC), a write error (a file
 * size limit: EFBIG), the device unplugged mid-page, and SIGKILL at random
 * points over many runs.  Afterwards either no output file exists or it is
 * complete and byte-exact; FILE.part may be left only by a SIGKILL (the
 * helper removes it on every error it sees); and an existing file is
 * never overwritten.
 *
 * Environment: WIASCAN_KILL_RUNS (default 60), WIASCAN_FUZZ_SEED (the seed
 * of the kill times, default from the clock; printed).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tiffio.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "wiascan_test.h"

#define WIDTH		  400
#define HEIGHT		  300
#define PAGE_BYTES	  (WIDTH * HEIGHT) /* gray: 120000 bytes */
#define HELPER_TIMEOUT_MS 30000
/* exit codes, helper/README.md */
#define EXIT_FILE	  5
#define EXIT_UNPLUGGED	  6

SCANNER_FIXTURE(scanner, NULL)
SCANNER_FIXTURE(unplugging, "--fault", "disconnect@0:60000")
/* 120 KB at 600 KiB/s: about 200 ms of scanning to kill into */
SCANNER_FIXTURE(slow, "--rate-kib", "600")
/* three ADF sheets of 30 KB at 300 KiB/s, reloaded (SIGHUP) for each run */
SCANNER_FIXTURE(slow_feeder, "--sheets", "3", "--rate-kib", "300")

#define TIFF_WIDTH  200
#define TIFF_HEIGHT 150
#define TIFF_SHEETS 3

struct run {
	char dir[64];
	char out[96];
	char part[104];
	char log[96];
	int status;
};

static void run_init(struct run *r, const char *dir)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	snprintf(r->out, sizeof(r->out), "%s/scan.raw", dir);
	snprintf(r->part, sizeof(r->part), "%s.part", r->out);
	snprintf(r->log, sizeof(r->log), "/tmp/wiascan-hf.%d.log",
		 (int)getpid());
}

/*
 * Start the helper scanning one gray page into @r->out; @fsize > 0 limits
 * the files it may write (RLIMIT_FSIZE, so writes fail with EFBIG).
 */
static pid_t spawn_helper(struct scanner *s, struct run *r, long fsize,
			  const char *out)
{
	char size[32];
	const char *argv[] = {
		wt_helper_path(),
		"scan",
		"-d",
		s->node,
		"-m",
		"gray",
		"-r",
		"100",
		"-s",
		size,
		"-S",
		"flatbed",
		"-F",
		"raw",
		"-t",
		"8000",
		"-o",
		out,
		NULL,
	};
	pid_t pid;
	int fd;

	snprintf(size, sizeof(size), "%dx%d", WIDTH, HEIGHT);
	fflush(NULL);
	pid = fork();
	if (pid != 0)
		return pid;
	fd = open(r->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	if (fsize > 0) {
		struct rlimit rl = { .rlim_cur = (rlim_t)fsize,
				     .rlim_max = (rlim_t)fsize };

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
	}
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

static int wait_helper(pid_t pid, int *status)
{
	int st, waited;

	for (waited = 0; waitpid(pid, &st, WNOHANG) == 0; waited += 10) {
		if (waited >= HELPER_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -ETIMEDOUT;
		}
		wt_sleep_ms(10);
	}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

static void dump_log(const struct run *r)
{
	char line[512];
	FILE *f = fopen(r->log, "re");

	while (f && fgets(line, sizeof(line), f))
		fprintf(stderr, "# helper: %s", line);
	if (f)
		fclose(f);
}

/* -1: absent; 1: complete and byte-exact; 0: present but wrong */
static int check_output(const char *path)
{
	static uint8_t buf[PAGE_BYTES + 1];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != PAGE_BYTES)
		return 0;
	return wt_formula_mismatch(buf, PAGE_BYTES, WIDTH, 0, 0) < 0;
}

static void cleanup(struct run *r)
{
	unlink(r->out);
	unlink(r->part);
	unlink(r->log);
}

TEST_F(scanner, disk_full_leaves_no_file_and_exit_5)
{
	struct run r;
	pid_t pid;

	mkdir("/tmp/wiascan-full", 0755);
	ASSERT_EQ(0,
		  mount("tmpfs", "/tmp/wiascan-full", "tmpfs", 0, "size=64k"));
	run_init(&r, "/tmp/wiascan-full");
	pid = spawn_helper(&self->s, &r, 0, r.out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_helper(pid, &r.status));
	EXPECT_EQ(EXIT_FILE, r.status) dump_log(&r);
	EXPECT_EQ(-1, check_output(r.out));
	EXPECT_NE(0,
		  access(r.part, F_OK)) TH_LOG("FILE.part left after ENOSPC");
	cleanup(&r);
	umount("/tmp/wiascan-full");
	rmdir("/tmp/wiascan-full");
}

TEST_F(scanner, write_error_leaves_no_file_and_exit_5)
{
	struct run r;
	pid_t pid;

	mkdir("/tmp/wiascan-efbig", 0755);
	run_init(&r, "/tmp/wiascan-efbig");
	pid = spawn_helper(&self->s, &r, 50000, r.out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_helper(pid, &r.status));
	EXPECT_EQ(EXIT_FILE, r.status) dump_log(&r);
	EXPECT_EQ(-1, check_output(r.out));
	EXPECT_NE(0, access(r.part, F_OK)) TH_LOG("FILE.part left after EFBIG");
	cleanup(&r);
	rmdir("/tmp/wiascan-efbig");
}

TEST_F(unplugging, unplug_mid_page_leaves_no_file_and_exit_6)
{
	struct run r;
	pid_t pid;

	mkdir("/tmp/wiascan-unplug", 0755);
	run_init(&r, "/tmp/wiascan-unplug");
	pid = spawn_helper(&self->s, &r, 0, r.out);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, wait_helper(pid, &r.status));
	EXPECT_EQ(EXIT_UNPLUGGED, r.status) dump_log(&r);
	EXPECT_EQ(-1, check_output(r.out));
	EXPECT_NE(0,
		  access(r.part, F_OK)) TH_LOG("FILE.part left after unplug");
	cleanup(&r);
	rmdir("/tmp/wiascan-unplug");
}

/*
 * SIGKILL at a random moment of each run (some before the scan starts,
 * some during, some after it ended); every other run aims at a file that
 * exists already, which must come through untouched.
 */
TEST_F_TIMEOUT(slow, sigkill_at_random_points_never_leaves_a_bad_file, 900)
{
	const char *senv = getenv("WIASCAN_FUZZ_SEED");
	unsigned int runs = wt_env_uint("WIASCAN_KILL_RUNS", 60);
	unsigned int seed = senv && *senv ?
				    (unsigned int)strtoul(senv, NULL, 0) :
				    (unsigned int)(wt_now_ns() % 1000000);
	unsigned int i, complete = 0, absent = 0, parts = 0, refused = 0;
	static const char keep_text[] = "an earlier scan, to be kept\n";
	char keep[96], got[64];
	struct run r;
	int fd, delay, ok;
	ssize_t n;
	pid_t pid;

	srand(seed);
	ksft_print_msg("helper faults: %u SIGKILL runs, seed %u\n", runs, seed);
	fflush(stdout);
	mkdir("/tmp/wiascan-kill", 0755);
	run_init(&r, "/tmp/wiascan-kill");
	snprintf(keep, sizeof(keep), "%s/keep.raw", r.dir);
	fd = open(keep, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(keep_text),
		  write(fd, keep_text, strlen(keep_text)));
	close(fd);

	for (i = 0; i < runs; i++) {
		bool existing = i % 2;

		cleanup(&r);
		pid = spawn_helper(&self->s, &r, 0, existing ? keep : r.out);
		ASSERT_LT(0, pid);
		delay = rand() % 1200;
		wt_sleep_ms(delay);
		kill(pid, SIGKILL);
		ASSERT_EQ(0, wait_helper(pid, &r.status));

		if (existing) {
			char kpart[110];

			/* refused before the scanner is touched, or killed */
			if (r.status == EXIT_FILE)
				refused++;
			EXPECT_TRUE(r.status == EXIT_FILE ||
				    r.status == 128 + SIGKILL)
			TH_LOG("run %u: status %d", i, r.status);
			fd = open(keep, O_RDONLY | O_CLOEXEC);
			ASSERT_LE(0, fd);
			n = read(fd, got, sizeof(got));
			close(fd);
			EXPECT_EQ((ssize_t)strlen(keep_text), n);
			EXPECT_EQ(0, memcmp(got, keep_text, strlen(keep_text)))
			TH_LOG("run %u overwrote an existing file", i);
			snprintf(kpart, sizeof(kpart), "%s.part", keep);
			unlink(kpart);
			continue;
		}
		ok = check_output(r.out);
		EXPECT_NE(0, ok) TH_LOG(
			"run %u (killed after %d ms, status %d): a bad file", i,
			delay, r.status);
		if (ok == 1)
			complete++;
		else
			absent++;
		if (!access(r.part, F_OK)) {
			parts++;
			EXPECT_EQ(128 + SIGKILL, r.status)
			TH_LOG("run %u: FILE.part without a SIGKILL", i);
		}
		if (r.status != 128 + SIGKILL)
			EXPECT_TRUE(r.status == 0 && ok == 1)
		TH_LOG("run %u: status %d", i, r.status);
		/* a killed scan may still be running on the device: stop it */
		fd = open(self->s.node, O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			ref_cancel(fd);
			close(fd);
		}
	}
	ksft_print_msg(
		"helper faults: %u runs on a new file: %u complete, %u no file, %u FILE.part left by SIGKILL; %u runs on an existing file (%u refused), none overwritten\n",
		(runs + 1) / 2, complete, absent, parts, runs / 2, refused);
	fflush(stdout);
	cleanup(&r);
	unlink(keep);
	rmdir(r.dir);
}

/*
 * A TIFF whose every page is a whole gray page of the formula, page p
 * being sheet p of the scan: returns the number of pages, -1 when the file
 * does not exist, -2 when it exists but is not such a TIFF.
 */
static int check_tiff(const char *path)
{
	static uint8_t row[TIFF_WIDTH];
	uint32_t w, h, y;
	uint16_t bps, spp;
	int pages = 0;
	TIFF *tif;

	if (access(path, F_OK))
		return -1;
	TIFFSetWarningHandler(NULL);
	TIFFSetErrorHandler(NULL);
	tif = TIFFOpen(path, "r");
	if (!tif)
		return -2;
	do {
		if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w) ||
		    !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h) ||
		    !TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps) ||
		    !TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL,
					   &spp) ||
		    w != TIFF_WIDTH || h != TIFF_HEIGHT || bps != 8 || spp != 1)
			goto bad;
		for (y = 0; y < h; y++)
			if (TIFFReadScanline(tif, row, y, 0) < 0 ||
			    wt_formula_mismatch(row, TIFF_WIDTH, TIFF_WIDTH,
						(uint64_t)pages,
						(uint64_t)y * TIFF_WIDTH) >= 0)
				goto bad;
		pages++;
	} while (TIFFReadDirectory(tif));
	TIFFClose(tif);
	return pages;
bad:
	TIFFClose(tif);
	return -2;
}

static pid_t spawn_tiff_scan(struct scanner *s, struct run *r)
{
	char size[32];
	const char *argv[] = {
		wt_helper_path(),
		"scan",
		"-d",
		s->node,
		"-m",
		"gray",
		"-r",
		"100",
		"-s",
		size,
		"-S",
		"adf",
		"-F",
		"tiff",
		"-t",
		"8000",
		"-o",
		r->out,
		NULL,
	};
	pid_t pid;
	int fd;

	snprintf(size, sizeof(size), "%dx%d", TIFF_WIDTH, TIFF_HEIGHT);
	fflush(NULL);
	pid = fork();
	if (pid != 0)
		return pid;
	fd = open(r->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

/* wiascan-helper repair @part -o @out: its exit status, or -1 */
static int run_repair(struct run *r, const char *part, const char *out)
{
	const char *argv[] = {
		wt_helper_path(), "repair", part, "-o", out, NULL
	};
	int status = -1;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open(r->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			      0644);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || wait_helper(pid, &status))
		return -1;
	return status;
}

/*
 * Multipage TIFF from the ADF, killed at random moments: FILE is absent
 * or holds all three pages exactly; a FILE.part repairs into a TIFF of
 * its completed pages, each exact (or, with none completed, repair fails
 * and writes nothing).
 */
TEST_F_TIMEOUT(slow_feeder, sigkill_during_a_tiff_batch_leaves_repairable_pages,
	       900)
{
	const char *senv = getenv("WIASCAN_FUZZ_SEED");
	unsigned int runs = wt_env_uint("WIASCAN_KILL_RUNS", 50);
	unsigned int seed = senv && *senv ?
				    (unsigned int)strtoul(senv, NULL, 0) :
				    (unsigned int)(wt_now_ns() % 1000000);
	unsigned int i, complete = 0, absent = 0, repaired = 0, empty = 0;
	unsigned int pages_kept = 0;
	char fixed[112];
	struct run r;
	int delay, pages, fd, st;
	pid_t pid;

	if (access(wt_helper_path(), X_OK))
		SKIP(return, "helper/wiascan-helper is not built");
	srand(seed);
	ksft_print_msg(
		"helper faults: %u SIGKILL runs of a 3-page TIFF batch, seed %u\n",
		runs, seed);
	fflush(stdout);
	mkdir("/tmp/wiascan-tiff", 0755);
	run_init(&r, "/tmp/wiascan-tiff");
	snprintf(r.out, sizeof(r.out), "%s/scan.tif", r.dir);
	snprintf(r.part, sizeof(r.part), "%s.part", r.out);
	snprintf(fixed, sizeof(fixed), "%s/fixed.tif", r.dir);

	for (i = 0; i < runs; i++) {
		cleanup(&r);
		unlink(fixed);
		kill(self->s.emu_pid, SIGHUP); /* a full feeder */
		wt_sleep_ms(20);
		pid = spawn_tiff_scan(&self->s, &r);
		ASSERT_LT(0, pid);
		delay = rand() % 1500;
		wt_sleep_ms(delay);
		kill(pid, SIGKILL);
		ASSERT_EQ(0, wait_helper(pid, &r.status));

		pages = check_tiff(r.out);
		if (pages == -1) {
			absent++;
		} else {
			EXPECT_EQ(TIFF_SHEETS, pages)
			TH_LOG("run %u (killed after %d ms): FILE is not the whole batch",
			       i, delay);
			complete++;
		}
		if (r.status != 128 + SIGKILL) {
			EXPECT_EQ(0, r.status) dump_log(&r);
			EXPECT_EQ(TIFF_SHEETS, pages);
		}
		if (!access(r.part, F_OK)) {
			EXPECT_EQ(128 + SIGKILL, r.status)
			TH_LOG("run %u: FILE.part without a SIGKILL", i);
			st = run_repair(&r, r.part, fixed);
			pages = check_tiff(fixed);
			if (st == 0) {
				EXPECT_LT(0, pages) TH_LOG(
					"run %u: repair gave no valid TIFF", i);
				EXPECT_GE(TIFF_SHEETS, pages);
				if (pages > 0) {
					repaired++;
					pages_kept += (unsigned int)pages;
				}
			} else {
				EXPECT_EQ(-1, pages)
				TH_LOG("run %u: failed repair (%d) left a file",
				       i, st);
				empty++;
			}
		}
		fd = open(self->s.node, O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			ref_cancel(fd);
			close(fd);
		}
	}
	ksft_print_msg(
		"helper faults: TIFF: %u complete files, %u runs without FILE; %u FILE.part repaired (%u pages kept), %u with no complete page (repair refused)\n",
		complete, absent, repaired, pages_kept, empty);
	fflush(stdout);
	cleanup(&r);
	unlink(fixed);
	rmdir(r.dir);
}

TEST_HARNESS_MAIN
