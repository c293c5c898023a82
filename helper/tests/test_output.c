// SPDX-License-Identifier: GPL-2.0
/*
 * Where the output goes, through the wiascan-helper binary and the
 * synthetic scanner: "-o -" is standard output (raw streamed, TIFF through
 * a temporary file), a file named "-" is "./-", and a batch refuses every
 * existing file it could write before the scanner moves (issue 10, items
 * 5 and 9).
 */
#include <tiffio.h>

#include "kselftest_harness.h"

#include "exit_codes.h"
#include "test_util.h"

FIXTURE(out)
{
	char dir[PATH_MAX];
	char errf[PATH_MAX + 16];
	char cmd[8 * PATH_MAX];
	char msg[4096];
	const char *helper;
};

FIXTURE_SETUP(out)
{
	static char cwd_helper[PATH_MAX + 32];

	ASSERT_EQ(0, tu_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->errf, sizeof(self->errf), "%s/stderr", self->dir);
	self->helper = getenv("WIASCAN_HELPER");
	if (!self->helper) {
		char cwd[PATH_MAX];

		ASSERT_NE(NULL, getcwd(cwd, sizeof(cwd)));
		snprintf(cwd_helper, sizeof(cwd_helper), "%s/wiascan-helper",
			 cwd);
		self->helper = cwd_helper;
	}
}

FIXTURE_TEARDOWN(out)
{
	tu_rmtree(self->dir);
}

static const char *read_err(FIXTURE_DATA(out) *self)
{
	char *s = tu_read_file(self->errf, NULL);

	snprintf(self->msg, sizeof(self->msg), "%s", s ? s : "");
	free(s);
	return self->msg;
}

/*
 * sh -c "cd DIR && TMPDIR=DIR/tmp HELPER scan ARGS...", stderr into
 * self->errf; @tail is appended after the helper's arguments (a pipe, a
 * redirection).  Returns the shell's status: the last command's.
 */
static int sh_scan(FIXTURE_DATA(out) *self, const char *args, const char *tail)
{
	snprintf(
		self->cmd, sizeof(self->cmd),
		"cd '%s' && mkdir -p tmp && TMPDIR='%s/tmp' '%s' scan %s 2> '%s' %s",
		self->dir, self->dir, self->helper, args, self->errf, tail);
	return tu_sh(self->cmd);
}

static int path_in(FIXTURE_DATA(out) *self, const char *name, char *buf,
		   size_t len)
{
	return snprintf(buf, len, "%s/%s", self->dir, name);
}

/* A raw file of @pages gray pages of 64x48 from the formula */
static int check_raw(FIXTURE_DATA(out) *self, const char *name, uint32_t pages)
{
	static const uint32_t rows = 48;
	char path[PATH_MAX + 32];
	size_t len = 0;
	uint8_t *buf;
	int ret;

	path_in(self, name, path, sizeof(path));
	buf = (uint8_t *)tu_read_file(path, &len);
	if (!buf)
		return -1;
	ret = len == pages * 64 * 48 &&
			      tu_check_pages(buf, len, 64, &rows, 1) == -1 ?
		      0 :
		      -1;
	free(buf);
	return ret;
}

/* Pages of a TIFF that tiffinfo -D reads whole; -1 if it does not */
static int tiff_pages(FIXTURE_DATA(out) *self, const char *name)
{
	char path[PATH_MAX + 32], cmd[2 * PATH_MAX];
	uint32_t n = 0;
	TIFF *tif;

	path_in(self, name, path, sizeof(path));
	snprintf(cmd, sizeof(cmd), "tiffinfo -D '%s' > /dev/null 2>&1", path);
	if (tu_sh(cmd))
		return -1;
	tif = TIFFOpen(path, "r");
	if (!tif)
		return -1;
	do
		n++;
	while (TIFFReadDirectory(tif));
	TIFFClose(tif);
	return (int)n;
}

/* The temporary directory is empty again, and no file named "-" */
static int nothing_left(FIXTURE_DATA(out) *self)
{
	char cmd[3 * PATH_MAX];

	snprintf(cmd, sizeof(cmd),
		 "test -z \"$(ls -A '%s/tmp')\" && ! test -e '%s/-'", self->dir,
		 self->dir);
	return tu_sh(cmd);
}

TEST_F(out, raw_to_stdout_through_cat_is_3_pages_of_9216_bytes)
{
	ASSERT_EQ(0, sh_scan(self, "-d synth:3 -s 64x48 -S adf -F raw -o -",
			     "| cat > pipe.raw"));
	EXPECT_EQ(0, check_raw(self, "pipe.raw", 3));
	EXPECT_EQ(0, nothing_left(self));
	EXPECT_STREQ("", read_err(self));
}

TEST_F(out, tiff_to_stdout_through_cat_is_a_valid_3_page_tiff)
{
	ASSERT_EQ(0, sh_scan(self, "-d synth:3 -s 64x48 -S adf -F tiff -o -",
			     "| cat > pipe.tif"));
	EXPECT_EQ(3, tiff_pages(self, "pipe.tif"));
	EXPECT_EQ(0, nothing_left(self)) TH_LOG("temporary file left");
}

TEST_F(out, a_jam_on_stdout_keeps_page_1_cut_exactly_in_raw_and_tiff)
{
	EXPECT_EQ(WIASCAN_EXIT_JAM,
		  sh_scan(self, "-d synth:3/jam@1 -s 64x48 -S adf -F raw -o -",
			  "> jam.raw"));
	EXPECT_EQ(0, check_raw(self, "jam.raw", 1));
	EXPECT_NE(NULL,
		  strstr(read_err(self),
			 "; kept the 1 completed page in standard output"))
	TH_LOG("%s", self->msg);
	EXPECT_EQ(WIASCAN_EXIT_JAM,
		  sh_scan(self, "-d synth:3/jam@1 -s 64x48 -S adf -F tiff -o -",
			  "> jam.tif"));
	EXPECT_EQ(1, tiff_pages(self, "jam.tif"));
	EXPECT_EQ(0, nothing_left(self));
}

TEST_F(out, a_jam_appended_to_a_file_keeps_its_3_bytes_and_page_1)
{
	char path[PATH_MAX + 32], *got;
	size_t len = 0;

	path_in(self, "app.raw", path, sizeof(path));
	ASSERT_EQ(0, tu_write_file(path, "old", 3));
	EXPECT_EQ(WIASCAN_EXIT_JAM,
		  sh_scan(self, "-d synth:3/jam@1 -s 64x48 -S adf -F raw -o -",
			  ">> app.raw"));
	got = tu_read_file(path, &len);
	ASSERT_NE(NULL, got);
	EXPECT_EQ(3 + 64 * 48, len);
	EXPECT_EQ(0, memcmp(got, "old", 3));
	free(got);
}

TEST_F(out, a_closed_pipe_is_exit_5_broken_pipe_in_raw_and_tiff_keeps_20_pages)
{
	static const char *const fmts[] = { "raw", "tiff" };
	char args[128], tail[PATH_MAX + 64];
	char *rc;
	size_t i;

	for (i = 0; i < 2; i++) {
		/* 20 pages of 400 KB: far more than a pipe holds */
		snprintf(args, sizeof(args),
			 "-d synth:20 -s 640x640 -S adf -F %s -o -", fmts[i]);
		snprintf(tail, sizeof(tail),
			 "; echo $? > '%s/rc') | head -c 1 > /dev/null",
			 self->dir);
		snprintf(
			self->cmd, sizeof(self->cmd),
			"cd '%s' && mkdir -p tmp && (TMPDIR='%s/tmp' '%s' scan %s 2> '%s' %s",
			self->dir, self->dir, self->helper, args, self->errf,
			tail);
		ASSERT_EQ(0, tu_sh(self->cmd));
		snprintf(tail, sizeof(tail), "%s/rc", self->dir);
		rc = tu_read_file(tail, NULL);
		ASSERT_NE(NULL, rc);
		EXPECT_EQ(WIASCAN_EXIT_OUTPUT,
			  strtol(rc, NULL, 10)) TH_LOG("%s", fmts[i]);
		free(rc);
		EXPECT_NE(
			NULL,
			strstr(read_err(self),
			       "standard output: write: broken pipe: its reader exited"))
		TH_LOG("%s: %s", fmts[i], self->msg);
		if (i == 0) {
			EXPECT_EQ(0, nothing_left(self));
			continue;
		}
		/* the TIFF's 20 pages are not lost: kept and named */
		EXPECT_NE(NULL, strstr(self->msg,
				       "; kept the 20 completed pages in "))
		TH_LOG("%s", self->msg);
	}
}

/* The path after "kept the 3 completed pages in " to the end of the line */
static const char *kept_path(FIXTURE_DATA(out) *self, char *buf, size_t len)
{
	static const char key[] = "kept the 3 completed pages in ";
	const char *p = strstr(read_err(self), key);

	if (!p)
		return NULL;
	snprintf(buf, len, "%s", p + strlen(key));
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* A kept TIFF outside the test directory's name space: its page count */
static int tiff_pages_at(const char *path)
{
	char cmd[3 * PATH_MAX];

	snprintf(
		cmd, sizeof(cmd),
		"test \"$(tiffinfo -D '%s' 2>&1 | grep -c 'TIFF Directory')\" = 3 && "
		"tiffinfo -D '%s' > /dev/null 2>&1",
		path, path);
	return tu_sh(cmd) ? -1 : 3;
}

TEST_F(out, tiff_to_a_full_file_cuts_it_back_to_200000_bytes_and_keeps_3_pages)
{
	char path[PATH_MAX + 32], kept[PATH_MAX + 64];
	struct stat st;

	path_in(self, "pre.tif", path, sizeof(path));
	snprintf(self->cmd, sizeof(self->cmd),
		 "head -c 200000 /dev/zero > '%s'", path);
	ASSERT_EQ(0, tu_sh(self->cmd));
	/* 100 blocks (51200 or 102400 bytes): the TIFF fits, the file does not */
	snprintf(
		self->cmd, sizeof(self->cmd),
		"cd '%s' && mkdir -p tmp && (ulimit -f 100 && TMPDIR='%s/tmp' '%s' scan "
		"-d synth:3 -s 64x48 -S adf -F tiff -o - 2> '%s' >> pre.tif)",
		self->dir, self->dir, self->helper, self->errf);
	EXPECT_EQ(WIASCAN_EXIT_OUTPUT, tu_sh(self->cmd));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(200000, st.st_size);
	ASSERT_NE(NULL, kept_path(self, kept, sizeof(kept))) TH_LOG("%s",
								    self->msg);
	EXPECT_EQ(3, tiff_pages_at(kept));
	EXPECT_NE(NULL,
		  strstr(self->msg, "standard output: write: file too large"))
	TH_LOG("%s", self->msg);
}

TEST_F(out, tiff_to_dev_full_is_exit_5_and_keeps_the_3_page_tiff)
{
	char kept[PATH_MAX + 64];

	EXPECT_EQ(WIASCAN_EXIT_OUTPUT,
		  sh_scan(self, "-d synth:3 -s 64x48 -S adf -F tiff -o -",
			  "> /dev/full"));
	EXPECT_NE(NULL, strstr(read_err(self),
			       "standard output: write: no space left"))
	TH_LOG("%s", self->msg);
	ASSERT_NE(NULL, kept_path(self, kept, sizeof(kept))) TH_LOG("%s",
								    self->msg);
	EXPECT_EQ(3, tiff_pages_at(kept));
}

TEST_F(out, tiff_to_a_closed_stdout_is_exit_5_before_the_scan)
{
	/* 1 KiB/s: 9 KiB of pages would take 9 s if the scanner moved */
	EXPECT_EQ(WIASCAN_EXIT_OUTPUT,
		  sh_scan(self, "-d synth:3:1 -s 64x48 -S adf -F tiff -o -",
			  ">&-"));
	EXPECT_STREQ("wiascan-helper: standard output: closed: nothing could be written\n",
		     read_err(self));
	EXPECT_EQ(0, nothing_left(self));
}

TEST_F(out, a_file_named_dash_is_dot_slash_dash_of_3072_bytes)
{
	ASSERT_EQ(0, sh_scan(self, "-d synth:1 -s 64x48 -F raw -o ./-", ""));
	EXPECT_EQ(0, check_raw(self, "-", 1));
	/* and it is never replaced without --force */
	EXPECT_EQ(WIASCAN_EXIT_OUTPUT,
		  sh_scan(self, "-d synth:1 -s 64x48 -F raw -o ./-", ""));
	EXPECT_NE(NULL, strstr(read_err(self), "./-: file exists"));
}

TEST_F(out, stdout_refuses_json_progress_and_a_batch_of_dash)
{
	EXPECT_EQ(WIASCAN_EXIT_USAGE,
		  sh_scan(self, "-d synth:1 -s 64x48 --progress json -o -",
			  "> /dev/null"));
	EXPECT_NE(NULL, strstr(read_err(self), "--progress: 'json'"));
	EXPECT_EQ(WIASCAN_EXIT_USAGE,
		  sh_scan(self, "-d synth:1 -s 64x48 --batch -", ""));
	EXPECT_EQ(0, nothing_left(self));
}

/* ---- a batch refuses existing files before the scanner moves ---- */

static void touch(FIXTURE_DATA(out) *self, const char *name)
{
	char path[PATH_MAX + 32];

	path_in(self, name, path, sizeof(path));
	tu_write_file(path, "old", 3);
}

static bool exists_in(FIXTURE_DATA(out) *self, const char *name)
{
	char path[PATH_MAX + 32];

	path_in(self, name, path, sizeof(path));
	return tu_exists(path);
}

/* A batch of 3 ADF sheets into bx-... with @extra; its exit status */
static int batch(FIXTURE_DATA(out) *self, const char *pattern,
		 const char *extra)
{
	char args[256];

	snprintf(args, sizeof(args),
		 "-d synth:3 -s 64x48 -S adf --batch '%s' %s", pattern, extra);
	return sh_scan(self, args, "");
}

TEST_F(out, an_existing_bx_2_tif_refuses_the_batch_before_page_1)
{
	touch(self, "bx-2.tif");
	EXPECT_EQ(WIASCAN_EXIT_OUTPUT, batch(self, "bx-%d.tif", ""));
	EXPECT_STREQ("wiascan-helper: bx-2.tif: file exists (use --force to replace it)\n",
		     read_err(self));
	EXPECT_FALSE(exists_in(self, "bx-1.tif")); /* the scanner never moved */
	/* --force replaces it */
	EXPECT_EQ(0, batch(self, "bx-%d.tif", "--force"));
	EXPECT_EQ(1, tiff_pages(self, "bx-2.tif"));
	EXPECT_EQ(1, tiff_pages(self, "bx-3.tif"));
}

TEST_F(out, a_batch_part_file_bx_2_tif_part_is_refused_too)
{
	touch(self, "bx-2.tif.part");
	EXPECT_EQ(WIASCAN_EXIT_OUTPUT, batch(self, "bx-%d.tif", ""));
	EXPECT_NE(NULL, strstr(read_err(self), "bx-2.tif.part: file exists"))
	TH_LOG("%s", self->msg);
	EXPECT_FALSE(exists_in(self, "bx-1.tif"));
}

TEST_F(out, start_5_step_2_refuses_bx_9_and_ignores_bx_8)
{
	touch(self, "bx-8.tif");
	EXPECT_EQ(0, batch(self, "bx-%d.tif",
			   "--batch-start 5 --batch-increment 2"));
	EXPECT_EQ(1, tiff_pages(self, "bx-9.tif"));
	EXPECT_EQ(WIASCAN_EXIT_OUTPUT,
		  batch(self, "bx-%d.tif",
			"--batch-start 11 --batch-increment -2"));
	EXPECT_NE(NULL, strstr(read_err(self), "bx-9.tif: file exists"))
	TH_LOG("%s", self->msg);
	EXPECT_FALSE(exists_in(self, "bx-11.tif"));
}

TEST_F(out, pages_2_bounds_the_check_bx_3_is_not_refused)
{
	touch(self, "bx-3.tif");
	EXPECT_EQ(0, batch(self, "bx-%d.tif", "--pages 2"));
	EXPECT_EQ(1, tiff_pages(self, "bx-2.tif"));
	/* without --pages any later counter counts: bx-1000.tif */
	touch(self, "by-1000.tif");
	EXPECT_EQ(WIASCAN_EXIT_OUTPUT, batch(self, "by-%d.tif", ""));
	EXPECT_NE(NULL, strstr(read_err(self), "by-1000.tif: file exists"));
	EXPECT_FALSE(exists_in(self, "by-1.tif"));
}

TEST_F(out, padding_counts_bx_2_and_bx_0002_are_not_names_of_percent_03d)
{
	touch(self, "bx-2.tif");
	touch(self, "bx-0002.tif");
	touch(self, "bx-x02.tif");
	EXPECT_EQ(0, batch(self, "bx-%03d.tif", ""));
	EXPECT_EQ(1, tiff_pages(self, "bx-002.tif"));
	/* now bx-001.tif to bx-003.tif exist: the earliest is named */
	EXPECT_EQ(WIASCAN_EXIT_OUTPUT, batch(self, "bx-%03d.tif", ""));
	EXPECT_STREQ("wiascan-helper: bx-001.tif: file exists (use --force to replace it)\n",
		     read_err(self));
}

TEST_F(out, a_count_down_reaches_bx_minus_1)
{
	touch(self, "bx--1.tif");
	EXPECT_EQ(WIASCAN_EXIT_OUTPUT,
		  batch(self, "bx-%d.tif",
			"--batch-start 3 --batch-increment -1"));
	EXPECT_NE(NULL, strstr(read_err(self), "bx--1.tif: file exists"));
}

TEST_F(out, a_flatbed_batch_writes_1_file_so_bx_2_does_not_matter)
{
	char args[128];

	touch(self, "bx-2.tif");
	snprintf(args, sizeof(args), "-d synth:3 -s 64x48 --batch bx-%%d.tif");
	EXPECT_EQ(0, sh_scan(self, args, ""));
	EXPECT_EQ(1, tiff_pages(self, "bx-1.tif"));
}

TEST_HARNESS_MAIN
