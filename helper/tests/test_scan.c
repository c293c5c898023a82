// SPDX-License-Identifier: GPL-2.0
/*
 * The scan loop and the raw sink, driven by the synthetic scanner: the
 * same code path as a device scan, minus the device.  Every output is
 * checked byte for byte against the formula, computed independently.
 */
#include <sys/resource.h>

#include "kselftest_harness.h"

#include "exit_codes.h"
#include "scan.h"
#include "sink.h"
#include "source.h"
#include "test_util.h"

FIXTURE(scan)
{
	char dir[PATH_MAX];
	char file[PATH_MAX + 16];
	char part[PATH_MAX + 32];
	struct synth_options opt;
	struct wia_error err;
	struct scan_stats stats;
	unsigned int outstanding;
};

FIXTURE_SETUP(scan)
{
	ASSERT_EQ(0, tu_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->file, sizeof(self->file), "%s/scan.raw", self->dir);
	snprintf(self->part, sizeof(self->part), "%s.part", self->file);
	memset(&self->opt, 0, sizeof(self->opt));
	memset(&self->err, 0, sizeof(self->err));
	self->opt.fmt.mode = SCAN_MODE_GRAY;
	self->opt.fmt.source = SCAN_SOURCE_ADF;
	self->opt.fmt.dpi = 100;
	self->opt.nbufs = 4;
	self->opt.buf_size = 65536;
}

FIXTURE_TEARDOWN(scan)
{
	tu_rmtree(self->dir);
}

static void set_format(struct synth_options *o, enum scan_mode mode,
		       uint32_t width, uint32_t height)
{
	o->fmt.mode = mode;
	o->fmt.width_px = width;
	o->fmt.height_px = height;
	o->fmt.bytes_per_line = wias_scan_bytes_per_line(mode, width);
}

/* One scan from the synthetic source into a raw file; the scan's return */
static int run(FIXTURE_DATA(scan) *self)
{
	struct sink_options so = { .format = SINK_FORMAT_RAW,
				   .path = self->file };
	struct scan_source *src;
	struct sink *sink;
	int ret;

	ret = wias_synth_source_open(&self->opt, &self->err, &src);
	if (ret)
		return ret;
	ret = wias_sink_open(&so, &self->err, &sink);
	if (!ret)
		ret = wias_scan_run(src, sink, &self->stats, &self->err);
	self->outstanding = wias_synth_source_outstanding(src);
	scan_source_close(src);
	return ret;
}

/* The file holds exactly @pages pages of @rows (last repeats), formula-true */
static void check_file(struct __test_metadata *_metadata,
		       FIXTURE_DATA(scan) *self, uint32_t pages,
		       const uint32_t *rows, size_t nrows)
{
	uint32_t bpl = self->opt.fmt.bytes_per_line;
	uint64_t want = 0;
	long long bad;
	size_t len = 0;
	uint8_t *buf;
	uint32_t p;

	for (p = 0; p < pages; p++)
		want += (uint64_t)rows[p < nrows ? p : nrows - 1] * bpl;
	buf = (uint8_t *)tu_read_file(self->file, &len);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ(want, len);
	bad = tu_check_pages(buf, len, bpl, rows, nrows);
	EXPECT_EQ(-1, bad) TH_LOG("first wrong byte at offset %lld", bad);
	free(buf);
	EXPECT_FALSE(tu_exists(self->part));
	EXPECT_EQ(pages, self->stats.pages);
	EXPECT_EQ(want, self->stats.bytes);
	EXPECT_EQ(0, self->outstanding);
}

static void check_no_output(struct __test_metadata *_metadata,
			    FIXTURE_DATA(scan) *self)
{
	EXPECT_FALSE(tu_exists(self->file));
	EXPECT_FALSE(tu_exists(self->part));
}

TEST_F(scan, gray_pages_not_a_multiple_of_the_buffer_are_exact)
{
	uint32_t rows = 333;

	set_format(&self->opt, SCAN_MODE_GRAY, 1001, rows);
	self->opt.pages = 3;
	ASSERT_EQ(0, run(self));
	check_file(_metadata, self, 3, &rows, 1);
}

TEST_F(scan, pages_an_exact_multiple_of_the_buffer_end_with_an_empty_buffer)
{
	uint32_t rows = 32; /* 32 x 4096 = two full 64 KiB buffers */

	set_format(&self->opt, SCAN_MODE_GRAY, 4096, rows);
	self->opt.pages = 3;
	ASSERT_EQ(0, run(self));
	check_file(_metadata, self, 3, &rows, 1);
}

TEST_F(scan, lineart_rows_are_whole_bytes)
{
	uint32_t rows = 100;

	set_format(&self->opt, SCAN_MODE_LINEART, 1003, rows); /* 126 bytes */
	self->opt.pages = 2;
	ASSERT_EQ(0, run(self));
	EXPECT_EQ(126, self->opt.fmt.bytes_per_line);
	check_file(_metadata, self, 2, &rows, 1);
}

TEST_F(scan, color_rows_are_three_bytes_a_pixel)
{
	uint32_t rows = 211;

	set_format(&self->opt, SCAN_MODE_COLOR, 413, rows);
	self->opt.pages = 2;
	self->opt.buf_size = 4096; /* many buffers per page, ring wraps */
	ASSERT_EQ(0, run(self));
	check_file(_metadata, self, 2, &rows, 1);
}

TEST_F(scan, unknown_length_pages_take_the_length_the_device_gives)
{
	static const uint32_t rows[] = { 10, 2000, 1, 64 };

	set_format(&self->opt, SCAN_MODE_GRAY, 1024, 0);
	self->opt.page_rows = rows;
	self->opt.n_page_rows = 4;
	self->opt.pages = 5; /* the last length repeats */
	ASSERT_EQ(0, run(self));
	check_file(_metadata, self, 5, rows, 4);
}

TEST_F(scan, one_row_pages)
{
	uint32_t rows = 1;

	set_format(&self->opt, SCAN_MODE_COLOR, 7, rows);
	self->opt.pages = 4;
	ASSERT_EQ(0, run(self));
	check_file(_metadata, self, 4, &rows, 1);
}

TEST_F(scan, flatbed_gives_one_page)
{
	uint32_t rows = 50;

	set_format(&self->opt, SCAN_MODE_GRAY, 300, rows);
	self->opt.fmt.source = SCAN_SOURCE_FLATBED;
	self->opt.pages = 3;
	ASSERT_EQ(0, run(self));
	check_file(_metadata, self, 1, &rows, 1);
}

TEST_F(scan, a_single_buffer_ring_still_works)
{
	uint32_t rows = 100;

	set_format(&self->opt, SCAN_MODE_GRAY, 1000, rows);
	self->opt.nbufs = 1;
	self->opt.buf_size = 4096;
	self->opt.pages = 2;
	ASSERT_EQ(0, run(self));
	check_file(_metadata, self, 2, &rows, 1);
}

/* After a failure: the file holds the @pages completed pages, cut exactly */
static void check_kept(struct __test_metadata *_metadata,
		       FIXTURE_DATA(scan) *self, uint32_t pages)
{
	uint32_t rows = self->opt.fmt.height_px;

	EXPECT_EQ(pages, self->stats.kept);
	self->stats.pages = pages; /* check_file compares it */
	self->stats.bytes =
		(uint64_t)pages * rows * self->opt.fmt.bytes_per_line;
	check_file(_metadata, self, pages, &rows, 1);
}

TEST_F(scan, a_stall_in_page_2_keeps_page_1_of_300000_bytes)
{
	set_format(&self->opt, SCAN_MODE_GRAY, 1000, 300);
	self->opt.pages = 3;
	self->opt.fail_status = -EPIPE;
	self->opt.fail_after = 400000; /* in page 1 */
	EXPECT_EQ(-EPIPE, run(self));
	EXPECT_EQ(WIASCAN_EXIT_DEVICE, wias_werr_exit_code(&self->err));
	EXPECT_NE(NULL, strstr(self->err.what, "transfer"));
	check_kept(_metadata, self, 1);
}

TEST_F(scan, unplug_mid_page_is_exit_code_6)
{
	set_format(&self->opt, SCAN_MODE_GRAY, 1000, 300);
	self->opt.pages = 3;
	self->opt.fail_status = -ENODEV;
	self->opt.fail_after = 100000;
	EXPECT_EQ(-ENODEV, run(self));
	EXPECT_EQ(WIASCAN_EXIT_UNPLUGGED, wias_werr_exit_code(&self->err));
	check_no_output(_metadata, self);
}

TEST_F(scan, a_short_sheet_2_of_known_height_is_an_error_keeping_page_1)
{
	set_format(&self->opt, SCAN_MODE_GRAY, 1000, 300);
	self->opt.pages = 3;
	self->opt.short_page = 1;
	self->opt.short_bytes = 1000;
	EXPECT_EQ(-EPROTO, run(self));
	EXPECT_EQ(WIASCAN_EXIT_DEVICE, wias_werr_exit_code(&self->err));
	EXPECT_NE(NULL, strstr(self->err.why, "short page: 299000 of 300000"))
	TH_LOG("why: %s", self->err.why);
	/* messages count the scanner's sheets from 1 */
	EXPECT_NE(NULL, strstr(self->err.what, "sheet 2"))
	TH_LOG("what: %s", self->err.what);
	check_kept(_metadata, self, 1);
}

TEST_F(scan, an_unknown_length_page_of_partial_rows_is_an_error)
{
	static const uint32_t rows[] = { 20 };

	set_format(&self->opt, SCAN_MODE_GRAY, 100, 0);
	self->opt.page_rows = rows;
	self->opt.n_page_rows = 1;
	self->opt.pages = 2;
	self->opt.short_page = 0;
	self->opt.short_bytes = 30;
	EXPECT_EQ(-EPROTO, run(self));
	EXPECT_NE(NULL, strstr(self->err.why, "not whole rows"));
	check_no_output(_metadata, self);
}

TEST_F(scan, a_jam_in_sheet_2_is_exit_code_9_keeping_page_1)
{
	set_format(&self->opt, SCAN_MODE_GRAY, 100, 10);
	self->opt.pages = 3;
	self->opt.jam = true;
	self->opt.jam_page = 1;
	EXPECT_NE(0, run(self));
	EXPECT_EQ(WIASCAN_EXIT_JAM, wias_werr_exit_code(&self->err));
	check_kept(_metadata, self, 1);
}

TEST_F(scan, an_empty_feeder_is_exit_code_8)
{
	set_format(&self->opt, SCAN_MODE_GRAY, 100, 10);
	self->opt.pages = 0;
	EXPECT_NE(0, run(self));
	EXPECT_EQ(WIASCAN_EXIT_NO_PAPER, wias_werr_exit_code(&self->err));
	check_no_output(_metadata, self);
}

TEST_F(scan, an_existing_output_is_refused_and_kept)
{
	char *got;

	ASSERT_EQ(0, tu_write_file(self->file, "keep", 4));
	set_format(&self->opt, SCAN_MODE_GRAY, 100, 10);
	self->opt.pages = 1;
	EXPECT_EQ(-EEXIST, run(self));
	EXPECT_EQ(WIASCAN_EXIT_OUTPUT, wias_werr_exit_code(&self->err));
	got = tu_read_file(self->file, NULL);
	ASSERT_NE(NULL, got);
	EXPECT_STREQ("keep", got);
	free(got);
}

TEST_F(scan, memory_does_not_grow_with_the_page)
{
	/* A 64 MiB page through a 4 x 64 KiB ring: the ring is all it needs */
	struct rlimit rl;
	uint32_t rows = 16384;

	set_format(&self->opt, SCAN_MODE_GRAY, 4096, rows);
	self->opt.pages = 1;
	ASSERT_EQ(0, getrlimit(RLIMIT_AS, &rl));
#ifdef __SANITIZE_ADDRESS__
	SKIP(return, "AddressSanitizer reserves terabytes of address space");
#endif
	if (rl.rlim_cur != RLIM_INFINITY)
		SKIP(return, "an address-space limit is already set");
	rl.rlim_cur = 48ULL << 20;
	ASSERT_EQ(0, setrlimit(RLIMIT_AS, &rl));
	ASSERT_EQ(0, run(self));
	EXPECT_EQ(64ULL << 20, self->stats.bytes);
}

TEST_HARNESS_MAIN
