// SPDX-License-Identifier: GPL-2.0
/*
 * The TIFF sink, batch files, cancel, crash repair: driven by the
 * synthetic scanner through the real scan loop and sinks (in process), or
 * through the wiascan-helper binary with "-d synth:..." where signals and
 * limits are involved.  Every page is read back with libtiff and compared
 * with the formula, computed independently; every file must pass
 * `tiffinfo -D` and `tiffcp`.
 */
#include <signal.h>
#include <sys/resource.h>
#include <time.h>
#include <tiffio.h>

#include "kselftest_harness.h"

#include "exit_codes.h"
#include "formula.h"
#include "scan.h"
#include "sink.h"
#include "source.h"
#include "test_util.h"

/* JPEG: mean absolute error per sample, quality 90, on the formula's
 * sawtooth (a worst case: every row is high-frequency detail) */
#define JPEG_MAX_MEAN_ERROR 6.0

FIXTURE(tiff)
{
	char dir[PATH_MAX];
	char file[PATH_MAX + 16];
	char part[PATH_MAX + 32];
	struct synth_options opt;
	struct sink_options so;
	struct wia_error err;
	struct scan_stats stats;
	uint32_t rows[8];
};

FIXTURE_SETUP(tiff)
{
	ASSERT_EQ(0, tu_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->file, sizeof(self->file), "%s/scan.tif", self->dir);
	snprintf(self->part, sizeof(self->part), "%s.part", self->file);
	memset(&self->opt, 0, sizeof(self->opt));
	memset(&self->so, 0, sizeof(self->so));
	memset(&self->err, 0, sizeof(self->err));
	self->opt.fmt.source = SCAN_SOURCE_ADF;
	self->opt.fmt.dpi = 150;
	self->opt.nbufs = 4;
	self->opt.buf_size = 4096;
	self->opt.page_rows = self->rows;
	self->so.format = SINK_FORMAT_TIFF;
	self->so.path = self->file;
	self->so.jpeg_quality = 90;
	self->so.make = "wiascan project";
	self->so.model = "Synthetic Scanner";
}

FIXTURE_TEARDOWN(tiff)
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

static int run_ctl(FIXTURE_DATA(tiff) *self, const struct scan_control *ctl)
{
	struct scan_source *src;
	struct sink *sink;
	int ret;

	ret = wias_synth_source_open(&self->opt, &self->err, &src);
	if (ret)
		return ret;
	ret = wias_sink_open(&self->so, &self->err, &sink);
	if (!ret)
		ret = wias_scan_run_ctl(src, sink, ctl, &self->stats,
					&self->err);
	scan_source_close(src);
	return ret;
}

static int run(FIXTURE_DATA(tiff) *self)
{
	return run_ctl(self, NULL);
}

static uint32_t page_rows(const struct synth_options *o, uint32_t p)
{
	if (o->fmt.height_px)
		return o->fmt.height_px;
	return o->page_rows[p < o->n_page_rows ? p : o->n_page_rows - 1];
}

/**
 * struct readback - what check_file found
 * @pages: directories read
 * @bad: lossless samples that differ from the formula
 * @abs_err: sum of absolute errors (for JPEG)
 * @samples: samples compared
 */
struct readback {
	uint32_t pages;
	uint64_t bad;
	double abs_err;
	uint64_t samples;
};

static int check_tags(TIFF *tif, const struct synth_options *o, uint32_t rows,
		      uint16_t comp)
{
	uint32_t w = 0, h = 0;
	uint16_t photo = 0, c = 0, spp = 0, bps = 0;
	bool ok = false;

	TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
	TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
	TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photo);
	TIFFGetField(tif, TIFFTAG_COMPRESSION, &c);
	TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
	TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
	if (w != o->fmt.width_px || h != rows || c != comp)
		return -1;
	switch (o->fmt.mode) {
	case SCAN_MODE_LINEART: /* 1 = black as sent: MinIsWhite */
		ok = photo == PHOTOMETRIC_MINISWHITE && bps == 1 && spp == 1;
		break;
	case SCAN_MODE_GRAY:
		ok = photo == PHOTOMETRIC_MINISBLACK && bps == 8 && spp == 1;
		break;
	case SCAN_MODE_COLOR:
		ok = photo == PHOTOMETRIC_RGB && bps == 8 && spp == 3;
		break;
	}
	return ok ? 0 : -1;
}

/* Every page of @path against the formula; page p of the file is scan page @first + p */
static int check_file(const char *path, const struct synth_options *o,
		      uint16_t comp, uint32_t first, struct readback *rb)
{
	uint32_t bpl = o->fmt.bytes_per_line, y, x, rows;
	uint8_t pad_mask = 0xff;
	tmsize_t ssize;
	uint8_t *buf;
	TIFF *tif;

	memset(rb, 0, sizeof(*rb));
	tif = TIFFOpen(path, "r");
	if (!tif)
		return -1;
	do {
		rows = page_rows(o, first + rb->pages);
		if (check_tags(tif, o, rows, comp))
			break;
		ssize = TIFFScanlineSize(tif);
		if (ssize != bpl)
			break;
		buf = malloc(bpl);
		/* G4 codes pixels: the pad bits after the last one come back 0 */
		if (comp == COMPRESSION_CCITTFAX4 && o->fmt.width_px % 8)
			pad_mask = (uint8_t)(0xff << (8 - o->fmt.width_px % 8));
		for (y = 0; y < rows; y++) {
			if (TIFFReadScanline(tif, buf, y, 0) < 0) {
				rb->bad++;
				break;
			}
			for (x = 0; x < bpl; x++) {
				uint8_t want =
					formula_byte(x, y, first + rb->pages);
				int d;

				if (x == bpl - 1) {
					want &= pad_mask;
					buf[x] &= pad_mask;
				}
				d = buf[x] - want;

				rb->bad += d != 0;
				rb->abs_err += d < 0 ? -d : d;
			}
			rb->samples += bpl;
		}
		free(buf);
		rb->pages++;
	} while (TIFFReadDirectory(tif));
	TIFFClose(tif);
	return 0;
}

/* tiffinfo -D reads every strip; tiffcp copies every page */
static int tiff_tools_accept(const char *path)
{
	char cmd[5 * PATH_MAX];

	snprintf(
		cmd, sizeof(cmd),
		"tiffinfo -D '%s' > /dev/null 2>&1 && tiffcp '%s' '%s.copy' > /dev/null 2>&1 && rm -f '%s.copy'",
		path, path, path, path);
	return system(cmd);
}

static uint16_t comp_tag(enum sink_compression c)
{
	static const uint16_t tags[] = {
		[SINK_COMP_NONE] = COMPRESSION_NONE,
		[SINK_COMP_PACKBITS] = COMPRESSION_PACKBITS,
		[SINK_COMP_LZW] = COMPRESSION_LZW,
		[SINK_COMP_DEFLATE] = COMPRESSION_ADOBE_DEFLATE,
		[SINK_COMP_JPEG] = COMPRESSION_JPEG,
		[SINK_COMP_G4] = COMPRESSION_CCITTFAX4,
	};

	return tags[c];
}

/* Three unknown-length pages: 37 rows, one row, 300 rows */
static void three_odd_pages(FIXTURE_DATA(tiff) *self, enum scan_mode mode,
			    uint32_t width)
{
	set_format(&self->opt, mode, width, 0);
	self->rows[0] = 37;
	self->rows[1] = 1;
	self->rows[2] = 300;
	self->opt.n_page_rows = 3;
	self->opt.pages = 3;
}

static void lossless_round_trip(struct __test_metadata *_metadata,
				FIXTURE_DATA(tiff) *self, enum scan_mode mode,
				enum sink_compression c)
{
	struct readback rb;

	three_odd_pages(self, mode, 333);
	self->so.compression = c;
	ASSERT_EQ(0, run(self)) TH_LOG("%s: %s", self->err.what, self->err.why);
	ASSERT_EQ(0, check_file(self->file, &self->opt, comp_tag(c), 0, &rb));
	EXPECT_EQ(3, rb.pages) TH_LOG("%s", wias_sink_compression_name(c));
	EXPECT_EQ(0, rb.bad) TH_LOG("%s", wias_sink_compression_name(c));
	EXPECT_EQ(0, tiff_tools_accept(self->file));
	EXPECT_EQ(0, tu_exists(self->part));
	unlink(self->file);
}

TEST_F(tiff, every_lossless_compression_round_trips_byte_exact_in_every_mode)
{
	static const enum sink_compression lossless[] = {
		SINK_COMP_NONE,
		SINK_COMP_PACKBITS,
		SINK_COMP_LZW,
		SINK_COMP_DEFLATE,
	};
	enum scan_mode m;
	size_t i;

	for (m = SCAN_MODE_LINEART; m <= SCAN_MODE_COLOR; m++)
		for (i = 0; i < sizeof(lossless) / sizeof(lossless[0]); i++)
			lossless_round_trip(_metadata, self, m, lossless[i]);
	lossless_round_trip(_metadata, self, SCAN_MODE_LINEART, SINK_COMP_G4);
}

TEST_F(tiff, lineart_is_min_is_white_with_the_bytes_untouched)
{
	char cmd[PATH_MAX + 64];

	three_odd_pages(self, SCAN_MODE_LINEART, 1000);
	ASSERT_EQ(0, run(self));
	snprintf(cmd, sizeof(cmd), "tiffinfo '%s' | grep -q 'min-is-white'",
		 self->file);
	EXPECT_EQ(0, system(cmd));
	/* byte-exact against the formula: check_file compares raw rows */
	struct readback rb;

	ASSERT_EQ(0,
		  check_file(self->file, &self->opt, COMPRESSION_NONE, 0, &rb));
	EXPECT_EQ(3, rb.pages);
	EXPECT_EQ(0, rb.bad);
}

TEST_F(tiff, jpeg_stays_within_the_stated_error)
{
	enum scan_mode m;
	struct readback rb;

	for (m = SCAN_MODE_GRAY; m <= SCAN_MODE_COLOR; m++) {
		three_odd_pages(self, m, 333);
		self->so.compression = SINK_COMP_JPEG;
		self->so.jpeg_color =
			SINK_JPEG_RGB; /* YCbCr: test_tiff_workers */
		ASSERT_EQ(0, run(self)) TH_LOG("%s: %s", self->err.what,
					       self->err.why);
		ASSERT_EQ(0, check_file(self->file, &self->opt,
					COMPRESSION_JPEG, 0, &rb));
		EXPECT_EQ(3, rb.pages);
		ASSERT_NE(0, rb.samples);
		TH_LOG("jpeg %s q90: mean abs error %.2f",
		       wias_scan_mode_name(m), rb.abs_err / (double)rb.samples);
		EXPECT_GE(JPEG_MAX_MEAN_ERROR, rb.abs_err / (double)rb.samples);
		EXPECT_EQ(0, tiff_tools_accept(self->file));
		unlink(self->file);
	}
}

TEST_F(tiff, pages_of_and_not_of_buffer_multiples_and_known_heights)
{
	/* 256-byte rows, 4 KiB buffers */
	static const uint32_t heights[] = { 16, 17, 32, 1, 15 };
	struct readback rb;
	size_t i;

	for (i = 0; i < sizeof(heights) / sizeof(heights[0]); i++) {
		set_format(&self->opt, SCAN_MODE_GRAY, 256, heights[i]);
		self->opt.pages = 2;
		self->so.compression = SINK_COMP_LZW;
		ASSERT_EQ(0, run(self)) TH_LOG("%u rows: %s", heights[i],
					       self->err.why);
		ASSERT_EQ(0, check_file(self->file, &self->opt, COMPRESSION_LZW,
					0, &rb));
		EXPECT_EQ(2, rb.pages);
		EXPECT_EQ(0, rb.bad);
		EXPECT_EQ(0, tiff_tools_accept(self->file));
		unlink(self->file);
	}
}

TEST_F(tiff, every_tag_of_a_scanned_page_is_there)
{
	char cmd[4 * PATH_MAX];

	three_odd_pages(self, SCAN_MODE_COLOR, 100);
	ASSERT_EQ(0, run(self));
	snprintf(
		cmd, sizeof(cmd),
		"tiffinfo '%s' > '%s.info' && for t in 'Subfile Type: multi-page' "
		"'Resolution: 150, 150 pixels/inch' 'Page Number: 2-0' 'Rows/Strip:' "
		"'Software: wiascan-helper' 'DateTime:' 'Make: wiascan project' "
		"'Model: Synthetic Scanner' 'Compression Scheme: None'; do "
		"grep -q \"$t\" '%s.info' || exit 1; done",
		self->file, self->file, self->file);
	EXPECT_EQ(0, system(cmd));
}

/* Per page, from the progress hook: when each page ended */
struct page_times {
	double *t;
	uint32_t n, cap;
	uint32_t cancel_at; /* set the cancel flag at this page (1-based), mid-page */
	volatile sig_atomic_t *cancel;
};

static void note_page(void *arg, const struct scan_progress *p)
{
	struct page_times *pt = arg;

	if (p->page_end && pt->n < pt->cap)
		pt->t[pt->n++] = p->seconds;
	if (pt->cancel && pt->cancel_at == p->page + 1 && p->page_bytes &&
	    !p->page_end)
		*pt->cancel = 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median time per page over pages [from, from + n) */
static double median_page_time(const double *t, uint32_t from, uint32_t n)
{
	double d[128];
	uint32_t i;

	if (!n)
		return 0;
	for (i = 0; i < n && i < 128; i++)
		d[i] = t[from + i + 1] - t[from + i];
	qsort(d, i, sizeof(d[0]), cmp_double);
	return d[i / 2];
}

TEST_F(tiff, a_thousand_pages_cost_the_same_per_page_at_the_end)
{
	double t[1000], first, last;
	struct page_times pt = { .t = t, .cap = 1000 };
	struct scan_control ctl = { .progress = note_page, .arg = &pt };
	char shm[PATH_MAX];
	struct readback rb;

	/* on tmpfs, if there is one: fsync's cost would hide libtiff's */
	if (!access("/dev/shm", W_OK)) {
		snprintf(shm, sizeof(shm), "/dev/shm/wiascan-test.XXXXXX");
		ASSERT_NE(NULL, mkdtemp(shm));
		snprintf(self->file, sizeof(self->file), "%s/scan.tif", shm);
	}
	set_format(&self->opt, SCAN_MODE_GRAY, 64, 16);
	self->opt.pages = 1000;
	ASSERT_EQ(0, run_ctl(self, &ctl));
	ASSERT_EQ(1000, pt.n);
	first = median_page_time(t, 1, 100);
	last = median_page_time(t, 898, 100);
	TH_LOG("median ms per page: %.3f at pages 2-101, %.3f at pages 900-999",
	       first * 1e3, last * 1e3);
	EXPECT_GE(first * 2 + 0.0005, last);
	ASSERT_EQ(0,
		  check_file(self->file, &self->opt, COMPRESSION_NONE, 0, &rb));
	EXPECT_EQ(1000, rb.pages);
	EXPECT_EQ(0, rb.bad);
	EXPECT_EQ(0, tiff_tools_accept(self->file));
	if (!access("/dev/shm", W_OK))
		tu_rmtree(shm);
}

TEST_F_TIMEOUT(tiff, page_65536_and_later_have_no_page_number_and_none_repeats,
	       180)
{
	uint16_t pn, total;
	uint32_t i = 0, numbered = 0, bad = 0;
	char shm[PATH_MAX];
	TIFF *tif;

	/* 65,537 one-row pages; on tmpfs if there is one (65,537 fsyncs) */
	if (!access("/dev/shm", W_OK)) {
		snprintf(shm, sizeof(shm), "/dev/shm/wiascan-test.XXXXXX");
		ASSERT_NE(NULL, mkdtemp(shm));
		snprintf(self->file, sizeof(self->file), "%s/scan.tif", shm);
	}
	set_format(&self->opt, SCAN_MODE_GRAY, 8, 1);
	self->opt.pages = 65537;
	ASSERT_EQ(0, run(self));
	EXPECT_EQ(65537, self->stats.pages);
	tif = TIFFOpen(self->file, "r");
	ASSERT_NE(NULL, tif);
	do {
		/* PageNumber is 16 bits: page i says i up to 65535, then none */
		if (TIFFGetField(tif, TIFFTAG_PAGENUMBER, &pn, &total)) {
			numbered++;
			bad += i > 65535 || pn != i || total != 0;
		} else {
			bad += i <= 65535;
		}
		i++;
	} while (TIFFReadDirectory(tif));
	TIFFClose(tif);
	EXPECT_EQ(65537, i);
	EXPECT_EQ(65536, numbered);
	EXPECT_EQ(0, bad);
	if (!access("/dev/shm", W_OK))
		tu_rmtree(shm);
}

/* Peak RSS of a child scanning one page of @rows rows of 16 KiB, unknown length */
static long child_peak_rss_kib(FIXTURE_DATA(tiff) *self, uint32_t rows,
			       enum sink_compression c)
{
	struct rusage ru;
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		set_format(&self->opt, SCAN_MODE_GRAY, 16384, 0);
		self->rows[0] = rows;
		self->opt.n_page_rows = 1;
		self->opt.pages = 1;
		self->opt.nbufs = 8;
		self->opt.buf_size = 1 << 20;
		self->so.compression = c;
		_exit(run(self) ? 1 : 0);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return ru.ru_maxrss;
}

/* a 1 GiB page compressed: 30 s is too short on a loaded machine */
TEST_F_TIMEOUT(tiff,
	       peak_memory_is_the_ring_and_a_few_strips_whatever_the_page_length,
	       180)
{
	long small, big;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	SKIP(return, "a sanitizer's shadow memory inflates RSS");
#endif
	small = child_peak_rss_kib(self, 64, SINK_COMP_LZW);
	unlink(self->file);
	/* 65536 rows of 16 KiB: a 1 GiB page, LZW (the file stays small) */
	big = child_peak_rss_kib(self, 65536, SINK_COMP_LZW);
	TH_LOG("peak RSS: %ld KiB for a 1 MiB page, %ld KiB for a 1 GiB page",
	       small, big);
	ASSERT_LT(0, small);
	ASSERT_LT(0, big);
	/* a 1 MiB page touches one buffer of the ring, a 1 GiB page all 8 */
	EXPECT_GT(small + 8192 + 4096, big);
	EXPECT_GT(48 * 1024, big);
}

TEST_F(tiff, batch_writes_one_numbered_file_per_page)
{
	char pattern[PATH_MAX + 32], name[PATH_MAX + 32];
	struct readback rb;
	uint32_t p;

	three_odd_pages(self, SCAN_MODE_GRAY, 200);
	snprintf(pattern, sizeof(pattern), "%s/page-%%03d.tif", self->dir);
	self->so.path = NULL;
	self->so.batch = pattern;
	self->so.batch_start = 10;
	self->so.batch_increment = 5;
	self->so.compression = SINK_COMP_DEFLATE;
	ASSERT_EQ(0, run(self)) TH_LOG("%s: %s", self->err.what, self->err.why);
	for (p = 0; p < 3; p++) {
		snprintf(name, sizeof(name), "%s/page-%03u.tif", self->dir,
			 10 + 5 * p);
		ASSERT_EQ(0, check_file(name, &self->opt,
					COMPRESSION_ADOBE_DEFLATE, p, &rb));
		EXPECT_EQ(1, rb.pages);
		EXPECT_EQ(0, rb.bad);
		EXPECT_EQ(0, tiff_tools_accept(name));
	}
	snprintf(name, sizeof(name), "%s/page-025.tif", self->dir);
	EXPECT_EQ(0, tu_exists(name));
}

TEST_F(tiff, pages_stops_the_adf_after_n_pages)
{
	struct scan_control ctl = { .max_pages = 2 };
	struct readback rb;

	three_odd_pages(self, SCAN_MODE_GRAY, 100);
	self->opt.pages = 10;
	ASSERT_EQ(0, run_ctl(self, &ctl));
	EXPECT_EQ(2, self->stats.pages);
	ASSERT_EQ(0,
		  check_file(self->file, &self->opt, COMPRESSION_NONE, 0, &rb));
	EXPECT_EQ(2, rb.pages);
	EXPECT_EQ(0, rb.bad);
}

TEST_F(tiff, a_cancel_keeps_the_completed_pages_and_drops_the_open_one)
{
	volatile sig_atomic_t cancel = 0;
	double t[8];
	struct page_times pt = {
		.t = t, .cap = 8, .cancel_at = 3, .cancel = &cancel
	};
	struct scan_control ctl = { .cancel = &cancel,
				    .progress = note_page,
				    .arg = &pt };
	struct readback rb;

	three_odd_pages(self, SCAN_MODE_COLOR, 500);
	self->so.compression = SINK_COMP_LZW;
	ASSERT_EQ(-ECANCELED, run_ctl(self, &ctl));
	EXPECT_EQ(WIASCAN_EXIT_CANCELLED, wias_werr_exit_code(&self->err));
	EXPECT_EQ(2, self->stats.kept);
	ASSERT_EQ(0,
		  check_file(self->file, &self->opt, COMPRESSION_LZW, 0, &rb));
	EXPECT_EQ(2, rb.pages);
	EXPECT_EQ(0, rb.bad);
	EXPECT_EQ(0, tiff_tools_accept(self->file));
	EXPECT_EQ(0, tu_exists(self->part));
}

TEST_F(tiff, a_cancel_in_page_one_leaves_nothing)
{
	volatile sig_atomic_t cancel = 0;
	double t[8];
	struct page_times pt = {
		.t = t, .cap = 8, .cancel_at = 1, .cancel = &cancel
	};
	struct scan_control ctl = { .cancel = &cancel,
				    .progress = note_page,
				    .arg = &pt };

	three_odd_pages(self, SCAN_MODE_GRAY, 5000);
	ASSERT_EQ(-ECANCELED, run_ctl(self, &ctl));
	EXPECT_EQ(0, self->stats.kept);
	EXPECT_EQ(0, tu_exists(self->file));
	EXPECT_EQ(0, tu_exists(self->part));
}

TEST_F(tiff, a_jam_keeps_the_pages_before_it)
{
	struct readback rb;

	three_odd_pages(self, SCAN_MODE_GRAY, 100);
	self->opt.jam = true;
	self->opt.jam_page = 1;
	EXPECT_NE(0, run(self));
	EXPECT_EQ(WIASCAN_EXIT_JAM, wias_werr_exit_code(&self->err));
	EXPECT_EQ(1,
		  self->stats
			  .kept); /* page 1 (0) is complete, the jam ends page 2 */
	ASSERT_EQ(0,
		  check_file(self->file, &self->opt, COMPRESSION_NONE, 0, &rb));
	EXPECT_EQ(1, rb.pages);
	EXPECT_EQ(0, rb.bad);
}

TEST_F(tiff, bigtiff_is_forced_or_chosen_for_large_estimates)
{
	TIFF *tif;

	three_odd_pages(self, SCAN_MODE_GRAY, 100);
	self->so.bigtiff = SINK_BIGTIFF_YES;
	ASSERT_EQ(0, run(self));
	tif = TIFFOpen(self->file, "r");
	ASSERT_NE(NULL, tif);
	EXPECT_TRUE(TIFFIsBigTIFF(tif));
	TIFFClose(tif);
	EXPECT_EQ(0, tiff_tools_accept(self->file));
	unlink(self->file);
	self->so.bigtiff = SINK_BIGTIFF_AUTO;
	self->so.estimate_bytes = 5ULL << 30;
	ASSERT_EQ(0, run(self));
	tif = TIFFOpen(self->file, "r");
	ASSERT_NE(NULL, tif);
	EXPECT_TRUE(TIFFIsBigTIFF(tif));
	TIFFClose(tif);
	unlink(self->file);
	self->so.estimate_bytes = 1ULL << 30;
	ASSERT_EQ(0, run(self));
	tif = TIFFOpen(self->file, "r");
	ASSERT_NE(NULL, tif);
	EXPECT_FALSE(TIFFIsBigTIFF(tif));
	TIFFClose(tif);
}

static int tu_truncate_copy(const char *from, const char *to, off_t len)
{
	char cmd[5 * PATH_MAX];

	snprintf(cmd, sizeof(cmd), "head -c %lld '%s' > '%s'", (long long)len,
		 from, to);
	return system(cmd);
}

TEST_F(tiff, repair_recovers_the_complete_pages_of_a_truncated_file)
{
	char part[PATH_MAX + 32], out[PATH_MAX + 32];
	struct readback rb;
	struct stat st;
	uint32_t pages, prev = 0;
	int i;

	three_odd_pages(self, SCAN_MODE_GRAY, 300);
	self->rows[1] = 50;
	self->so.compression = SINK_COMP_DEFLATE;
	ASSERT_EQ(0, run(self));
	ASSERT_EQ(0, stat(self->file, &st));
	snprintf(part, sizeof(part), "%s/cut.tif.part", self->dir);
	snprintf(out, sizeof(out), "%s/cut.tif", self->dir);
	for (i = 1; i <= 16; i++) {
		struct wia_error err = { 0 };
		off_t len = st.st_size * i / 16;

		ASSERT_EQ(0, tu_truncate_copy(self->file, part, len));
		unlink(out);
		if (wias_tiff_repair(part, out, false, &err, &pages)) {
			EXPECT_EQ(-ENODATA, err.err) TH_LOG("cut at %lld",
							    (long long)len);
			EXPECT_EQ(0, tu_exists(out));
			continue;
		}
		ASSERT_EQ(0, check_file(out, &self->opt,
					COMPRESSION_ADOBE_DEFLATE, 0, &rb));
		EXPECT_EQ(pages, rb.pages);
		EXPECT_EQ(0, rb.bad);
		EXPECT_GE(pages,
			  prev); /* a longer file never recovers fewer pages */
		prev = pages;
		EXPECT_EQ(0, tiff_tools_accept(out));
		EXPECT_EQ(0, tu_exists(part)); /* turned into @out */
	}
	EXPECT_EQ(3, prev); /* the whole file */
}

/* ---- through the binary: signals, limits, files ---- */

static char *helper_path(void)
{
	char *h = getenv("WIASCAN_HELPER");

	return h ? h : "./wiascan-helper";
}

/*
 * Start a slow synthetic scan of 8 gray A4 pages of 2.2 MB at 40 MB/s,
 * compressed by @workers threads ("1".."64")
 */
static pid_t start_scan_workers(const char *out, const char *extra,
				rlim_t fsize, const char *workers)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit rl = { fsize, fsize };
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		if (fsize)
			setrlimit(RLIMIT_FSIZE, &rl);
		execl(helper_path(), "wiascan-helper", "scan", "-d",
		      "synth:8:40000", "-m", "gray", "-r", "150", "-S", "adf",
		      "-F", "tiff", "-c", extra, "--workers", workers, "-o",
		      out, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* The same with 2 workers (the machine's CPUs, where it has two) */
static pid_t start_scan(const char *out, const char *extra, rlim_t fsize)
{
	return start_scan_workers(out, extra, fsize, "2");
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_size;
}

/* Wait until @path has @bytes, at most 10 s */
static void wait_size(const char *path, off_t bytes)
{
	int i;

	for (i = 0; i < 2000 && file_size(path) < bytes; i++)
		usleep(5000);
}

static int wait_exit(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static uint32_t count_pages(const char *path)
{
	TIFF *tif = TIFFOpen(path, "r");
	uint32_t n = 0;

	if (!tif)
		return 0;
	do
		n++;
	while (TIFFReadDirectory(tif));
	TIFFClose(tif);
	return n;
}

#define PAGE_BYTES (1240ULL * 1754)

TEST_F(tiff, sigint_and_sigterm_keep_the_completed_pages_exit_11)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGINT };
	/* 1 MiB buffers: page 1 ends 2 ms after its second MiB, so 0.3 */
	static const double at_pages[] = { 2.5, 1.5, 0.3 };
	size_t i;

	for (i = 0; i < 3; i++) {
		pid_t pid = start_scan(self->file, "none", 0);
		uint32_t want = (uint32_t)at_pages[i];

		wait_size(self->part, (off_t)(PAGE_BYTES * at_pages[i]));
		kill(pid, sigs[i]);
		EXPECT_EQ(WIASCAN_EXIT_CANCELLED, wait_exit(pid));
		EXPECT_EQ(0, tu_exists(self->part));
		/*
		 * The file's size lags what the loop received by at most the
		 * strip pool (about a page), and the signal lands at or after
		 * the threshold: a page or two more may be complete.  (A cancel
		 * in page 1 leaving nothing is tested in process, exactly.)
		 */
		if (!tu_exists(self->file)) {
			EXPECT_EQ(0, want) TH_LOG("signal %d", sigs[i]);
			continue;
		}
		EXPECT_LE(want, count_pages(self->file)) TH_LOG("signal %d",
								sigs[i]);
		EXPECT_GE(want + 2, count_pages(self->file));
		EXPECT_EQ(0, tiff_tools_accept(self->file));
		unlink(self->file);
	}
}

TEST_F(tiff, a_second_signal_stops_at_once_leaving_the_part_file)
{
	pid_t pid = start_scan(self->file, "none", 0);

	wait_size(self->part, (off_t)(PAGE_BYTES * 1.5));
	/*
	 * Both arrive before it runs again (two SIGINTs would merge into one
	 * pending signal): the second handler runs before the cancel is seen.
	 */
	kill(pid, SIGSTOP);
	kill(pid, SIGINT);
	kill(pid, SIGTERM);
	kill(pid, SIGCONT);
	EXPECT_EQ(WIASCAN_EXIT_CANCELLED, wait_exit(pid));
	EXPECT_EQ(1, tu_exists(self->part));
	EXPECT_EQ(0, tu_exists(self->file));
}

TEST_F(tiff,
       sigkill_at_several_points_on_1_and_3_workers_leaves_a_repairable_part_file)
{
	static const double at_pages[] = { 0.3, 1.2, 2.7, 4.1 };
	static const char *const comp[] = { "none", "lzw", "none", "packbits" };
	struct readback rb;
	size_t i;

	/* the pages start_scan sends: gray A4 at 150 dpi */
	set_format(&self->opt, SCAN_MODE_GRAY, 1240, 1754);
	/* 1 worker (compress and write on one thread), then 3 */
	for (i = 0; i < 8; i++) {
		struct wia_error err = { 0 };
		uint32_t want = (uint32_t)at_pages[i % 4], pages = 0;
		pid_t pid = start_scan_workers(self->file, comp[i % 4], 0,
					       i < 4 ? "1" : "3");
		bool sized = !strcmp(comp[i % 4], "none");

		/*
		 * Uncompressed, the size says which pages have their IFD on
		 * disk (the worker writes in order); compressed, wait on time
		 * and only ask for a valid, exact result.
		 */
		if (sized)
			wait_size(self->part,
				  (off_t)(PAGE_BYTES * at_pages[i % 4]));
		else
			usleep((useconds_t)(at_pages[i % 4] * PAGE_BYTES /
					    40960000.0 * 1e6) +
			       50000);
		kill(pid, SIGKILL);
		EXPECT_EQ(128 + SIGKILL, wait_exit(pid));
		if (!tu_exists(self->part))
			continue; /* killed before the output was created */
		if (wias_tiff_repair(self->part, self->file, false, &err,
				     &pages)) {
			EXPECT_TRUE(!sized || !want) TH_LOG("kill %zu: %s", i,
							    err.why);
			EXPECT_EQ(-ENODATA, err.err);
			unlink(self->part);
			continue;
		}
		if (sized)
			EXPECT_LE(want, pages) TH_LOG("kill %zu", i);
		ASSERT_EQ(0, check_file(self->file, &self->opt,
					sized ? COMPRESSION_NONE :
					!strcmp(comp[i % 4], "lzw") ?
						COMPRESSION_LZW :
						COMPRESSION_PACKBITS,
					0, &rb));
		EXPECT_EQ(pages, rb.pages);
		EXPECT_EQ(0, rb.bad);
		EXPECT_EQ(0, tiff_tools_accept(self->file));
		unlink(self->file);
	}
}

TEST_F(tiff, a_file_size_limit_keeps_the_completed_pages_exit_5)
{
	static const char *const workers[] = { "2", "3" };
	size_t i;

	for (i = 0; i < 2; i++) {
		/* room for two pages and a half: EFBIG in page 3 */
		pid_t pid = start_scan_workers(self->file, "none",
					       (rlim_t)(PAGE_BYTES * 2.5),
					       workers[i]);

		EXPECT_EQ(WIASCAN_EXIT_OUTPUT, wait_exit(pid))
		TH_LOG("workers %s", workers[i]);
		EXPECT_EQ(2, count_pages(self->file));
		EXPECT_EQ(0, tiff_tools_accept(self->file));
		EXPECT_EQ(0, tu_exists(self->part));
		unlink(self->file);
	}
}

static int run_helper_scan(const char *out, const char *force)
{
	char *argv[] = {
		"wiascan-helper",
		"scan",
		"-d",
		"synth:1",
		"-m",
		"gray",
		"-s",
		"64x64",
		"-F",
		"tiff",
		"-o",
		(char *)out,
		(char *)force,
		NULL,
	};

	return tu_run_helper(argv, NULL, NULL, 0);
}

TEST_F(tiff, an_existing_output_needs_force_and_a_symlink_is_never_followed)
{
	char target[PATH_MAX + 16], *data;

	ASSERT_EQ(0, tu_write_file(self->file, "x", 1));
	EXPECT_EQ(WIASCAN_EXIT_OUTPUT, run_helper_scan(self->file, NULL));
	data = tu_read_file(self->file, NULL);
	ASSERT_NE(NULL, data);
	EXPECT_STREQ("x", data);
	free(data);
	EXPECT_EQ(0, run_helper_scan(self->file, "--force"));
	EXPECT_EQ(1, count_pages(self->file));
	unlink(self->file);

	snprintf(target, sizeof(target), "%s/target", self->dir);
	ASSERT_EQ(0, tu_write_file(target, "t", 1));
	ASSERT_EQ(0, symlink(target, self->file));
	EXPECT_EQ(WIASCAN_EXIT_OUTPUT, run_helper_scan(self->file, NULL));
	ASSERT_EQ(0, symlink(target, self->part)); /* a trap at NAME.part too */
	EXPECT_EQ(0, run_helper_scan(self->file, "--force"));
	data = tu_read_file(target, NULL);
	ASSERT_NE(NULL, data);
	EXPECT_STREQ("t", data); /* the target was never written */
	free(data);
	EXPECT_EQ(1, count_pages(self->file));
}

TEST_F(tiff, bad_combinations_fail_before_the_scan_starts)
{
	char err[512];
	char *jpeg_lineart[] = {
		"wiascan-helper",
		"scan",
		"-d",
		"/nonexistent",
		"-m",
		"lineart",
		"-F",
		"tiff",
		"-c",
		"jpeg",
		"-o",
		self->file,
		NULL,
	};
	char *g4_color[] = {
		"wiascan-helper",
		"scan",
		"-d",
		"/nonexistent",
		"-m",
		"color",
		"-F",
		"tiff",
		"-c",
		"g4",
		"-o",
		self->file,
		NULL,
	};
	char *bad_batch[] = {
		"wiascan-helper", "scan", "-d", "/nonexistent",
		"--batch",	  "%s%d", NULL,
	};

	EXPECT_EQ(WIASCAN_EXIT_USAGE,
		  tu_run_helper(jpeg_lineart, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "JPEG needs --mode gray or color"));
	EXPECT_EQ(WIASCAN_EXIT_USAGE,
		  tu_run_helper(g4_color, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "G4 needs --mode lineart"));
	EXPECT_EQ(WIASCAN_EXIT_USAGE,
		  tu_run_helper(bad_batch, NULL, err, sizeof(err)));
	EXPECT_EQ(0, tu_exists(self->file));
}

TEST_F(tiff, progress_json_is_one_object_a_line)
{
	char out[8192];
	char *argv[] = {
		"wiascan-helper",
		"scan",
		"-d",
		"synth:2",
		"-m",
		"gray",
		"-s",
		"64x64",
		"-S",
		"adf",
		"-F",
		"tiff",
		"--progress",
		"json",
		"-o",
		self->file,
		NULL,
	};
	char *line, *save = NULL;
	int n = 0;

	ASSERT_EQ(0, tu_run_helper(argv, out, NULL, sizeof(out)));
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		EXPECT_EQ('{', line[0]);
		EXPECT_EQ('}', line[strlen(line) - 1]);
		n++;
	}
	EXPECT_LE(3, n); /* two page ends and the end */
	EXPECT_NE(NULL, strstr(out, "\"event\":\"page\""));
}

static int count_str(const char *s, const char *what)
{
	int n = 0;

	for (s = strstr(s, what); s; s = strstr(s + 1, what))
		n++;
	return n;
}

TEST_F(tiff, progress_moves_while_the_scanner_is_slow)
{
	char out[8192];
	/* 1.5 MiB at 1 MiB/s: one 1 MiB buffer after a second, the rest at 1.5 s */
	char *argv[] = {
		"wiascan-helper", "scan", "-d",	       "synth:1:1024", "-m",
		"gray",		  "-s",	  "1024x1536", "-F",	       "tiff",
		"--progress",	  "json", "-o",	       self->file,     NULL,
	};

	ASSERT_EQ(0, tu_run_helper(argv, out, NULL, sizeof(out)));
	/* ticks every half second, whether or not a buffer came */
	EXPECT_LE(2, count_str(out, "\"event\":\"progress\""));
	EXPECT_EQ(1, count_str(out, "\"event\":\"end\""));
	EXPECT_NE(NULL, strstr(out, "\"eta_s\":"));
}

TEST_HARNESS_MAIN
