// SPDX-License-Identifier: GPL-2.0
/*
 * TIFF compression on N workers (tiff_encode.c, tiff_pipeline.c): every
 * compression in every mode, written with 1, 2 and 3 workers, decodes to
 * the same pixels (lossless: the source's bytes; JPEG: the 1-worker
 * file's pixels, within a stated mean error of the source), and every
 * file is read by libtiff's tools (tiffinfo -D, tiffcp, tiff2pdf, the PDF
 * rendered by Ghostscript), Pillow and ImageMagick with the same pixels.
 *
 * Pages: 37 rows, 1 row, 2000 rows of 333 pixels, unknown length, so the
 * long page has several strips (2 in gray, 8 in color) for the workers to
 * share, and odd last strips.
 *
 * The writer's early writeback (tiff_io.c): sync_file_range and fsync are
 * wrapped (the Makefile links this test with --wrap) to record what the
 * library asks of the kernel on the output file.
 */
#include <fcntl.h>
#include <pthread.h>
#include <tiffio.h>

#include "kselftest_harness.h"

#include "formula.h"
#include "scan.h"
#include "sink.h"
#include "source.h"
#include "test_util.h"
#include "tiff_io.h"

#define WIDTH 333
#define PAGES 3
static const uint32_t page_rows[PAGES] = { 37, 1, 2000 };
/* the pages scan_to sends (page_rows, or even heights for tiffinfo -D) */
static const uint32_t *scan_rows = page_rows;

/*
 * JPEG quality 90: mean absolute error per sample against the formula's
 * sawtooth (a worst case: every pixel differs from its neighbours).  YCbCr
 * 2x2 keeps one chroma sample per 4 pixels, so on this picture, whose
 * three channels are unrelated, its error is far above RGB's; on a scan
 * (smooth color) it is not.
 */
#define JPEG_GRAY_MAX_MAE  6.0
#define JPEG_RGB_MAX_MAE   6.0
#define JPEG_YCBCR_MAX_MAE 40.0
/* readers that decode through their own code (Pillow, ImageMagick) */
#define READER_MAX_MAE	   1.0

struct wcase {
	enum scan_mode mode;
	enum sink_compression comp;
	enum sink_jpeg_color color;
	double max_mae; /* against the source; 0: lossless, exact */
};

static const struct wcase cases[] = {
	{ SCAN_MODE_LINEART, SINK_COMP_NONE, 0, 0 },
	{ SCAN_MODE_LINEART, SINK_COMP_PACKBITS, 0, 0 },
	{ SCAN_MODE_LINEART, SINK_COMP_LZW, 0, 0 },
	{ SCAN_MODE_LINEART, SINK_COMP_DEFLATE, 0, 0 },
	{ SCAN_MODE_LINEART, SINK_COMP_G4, 0, 0 },
	{ SCAN_MODE_GRAY, SINK_COMP_NONE, 0, 0 },
	{ SCAN_MODE_GRAY, SINK_COMP_PACKBITS, 0, 0 },
	{ SCAN_MODE_GRAY, SINK_COMP_LZW, 0, 0 },
	{ SCAN_MODE_GRAY, SINK_COMP_DEFLATE, 0, 0 },
	{ SCAN_MODE_GRAY, SINK_COMP_JPEG, 0, JPEG_GRAY_MAX_MAE },
	{ SCAN_MODE_COLOR, SINK_COMP_NONE, 0, 0 },
	{ SCAN_MODE_COLOR, SINK_COMP_PACKBITS, 0, 0 },
	{ SCAN_MODE_COLOR, SINK_COMP_LZW, 0, 0 },
	{ SCAN_MODE_COLOR, SINK_COMP_DEFLATE, 0, 0 },
	{ SCAN_MODE_COLOR, SINK_COMP_JPEG, SINK_JPEG_RGB, JPEG_RGB_MAX_MAE },
	{ SCAN_MODE_COLOR, SINK_COMP_JPEG, SINK_JPEG_YCBCR,
	  JPEG_YCBCR_MAX_MAE },
};

/* Samples (8-bit, lineart as 0 black / 255 white) of all pages */
struct pixels {
	uint8_t *px;
	size_t len;
	uint32_t pages;
};

static unsigned int spp(enum scan_mode m)
{
	return m == SCAN_MODE_COLOR ? 3 : 1;
}

static size_t total_samples(enum scan_mode m)
{
	size_t rows = 0;
	int i;

	for (i = 0; i < PAGES; i++)
		rows += page_rows[i];
	return rows * WIDTH * spp(m);
}

/* One row of the file's bytes as samples; lineart 1 = black (MinIsWhite) */
static void expand_row(enum scan_mode m, const uint8_t *row, uint8_t *out)
{
	uint32_t x;

	if (m != SCAN_MODE_LINEART) {
		memcpy(out, row, (size_t)WIDTH * spp(m));
		return;
	}
	for (x = 0; x < WIDTH; x++)
		out[x] = row[x / 8] & (0x80 >> (x % 8)) ? 0 : 255;
}

static void source_pixels(enum scan_mode m, struct pixels *s)
{
	uint32_t bpl = wias_scan_bytes_per_line(m, WIDTH), p, y;
	uint8_t row[WIDTH * 3];
	size_t off = 0;

	s->len = total_samples(m);
	s->px = malloc(s->len);
	for (p = 0; p < PAGES; p++)
		for (y = 0; y < page_rows[p]; y++) {
			formula_fill(row, bpl, 0, y, p);
			expand_row(m, row, s->px + off);
			off += (size_t)WIDTH * spp(m);
		}
	s->pages = PAGES;
}

/* One page's strips decoded by libtiff (YCbCr converted to RGB) */
static int decode_page(TIFF *tif, enum scan_mode m, struct pixels *d,
		       size_t *off)
{
	uint32_t bpl = wias_scan_bytes_per_line(m, WIDTH), s, r;
	uint16_t photo = 0;
	tmsize_t n, size;
	uint8_t *buf;
	int ret = 0;

	TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photo);
	if (photo == PHOTOMETRIC_YCBCR)
		TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
	size = TIFFStripSize(tif);
	buf = malloc((size_t)size);
	for (s = 0; s < TIFFNumberOfStrips(tif) && !ret; s++) {
		n = TIFFReadEncodedStrip(tif, s, buf, size);
		if (n < 0 || n % bpl) {
			ret = -1;
			break;
		}
		for (r = 0; r < n / bpl; r++) {
			size_t w = (size_t)WIDTH * spp(m);

			if (*off + w > d->len) {
				ret = -1;
				break;
			}
			expand_row(m, buf + r * bpl, d->px + *off);
			*off += w;
		}
	}
	free(buf);
	return ret;
}

static int decode_file(const char *path, enum scan_mode m, struct pixels *d)
{
	size_t off = 0;
	TIFF *tif;
	int ret = 0;

	d->len = total_samples(m);
	d->px = calloc(1, d->len);
	d->pages = 0;
	tif = TIFFOpen(path, "r");
	if (!tif)
		return -1;
	do {
		ret = decode_page(tif, m, d, &off);
		d->pages++;
	} while (!ret && TIFFReadDirectory(tif));
	TIFFClose(tif);
	return ret || off != d->len ? -1 : 0;
}

/* Samples that differ, and the mean absolute difference */
static uint64_t compare(const uint8_t *a, const uint8_t *b, size_t len,
			double *mae)
{
	uint64_t bad = 0, sum = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		int d = a[i] - b[i];

		bad += d != 0;
		sum += (uint64_t)(d < 0 ? -d : d);
	}
	*mae = len ? (double)sum / (double)len : 0;
	return bad;
}

FIXTURE(workers)
{
	char dir[PATH_MAX];
	char file[PATH_MAX + 32];
	char tmp[PATH_MAX + 32];
	char cmd[8 * PATH_MAX];
};

FIXTURE_SETUP(workers)
{
	ASSERT_EQ(0, tu_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->file, sizeof(self->file), "%s/w.tif", self->dir);
	snprintf(self->tmp, sizeof(self->tmp), "%s/out", self->dir);
}

FIXTURE_TEARDOWN(workers)
{
	tu_rmtree(self->dir);
}

/* --deflate-level of the next scan_to (0: the default) */
static int deflate_level;

static int scan_to(const char *path, const struct wcase *c,
		   unsigned int workers, struct wia_error *err)
{
	struct synth_options o = {
		.fmt = { .source = SCAN_SOURCE_ADF,
			 .dpi = 150,
			 .mode = c->mode,
			 .width_px = WIDTH },
		.pages = PAGES,
		.page_rows = scan_rows,
		.n_page_rows = PAGES,
		.nbufs = 4,
		.buf_size = 4096,
	};
	struct sink_options so = {
		.format = SINK_FORMAT_TIFF,
		.path = path,
		.compression = c->comp,
		.jpeg_quality = 90,
		.jpeg_color = c->color,
		.workers = workers,
		.deflate_level = deflate_level,
	};
	struct scan_source *src;
	struct scan_stats st;
	struct sink *sink;
	int ret;

	o.fmt.bytes_per_line = wias_scan_bytes_per_line(c->mode, WIDTH);
	ret = wias_synth_source_open(&o, err, &src);
	if (ret)
		return ret;
	ret = wias_sink_open(&so, err, &sink);
	if (!ret)
		ret = wias_scan_run_ctl(src, sink, NULL, &st, err);
	scan_source_close(src);
	return ret;
}

static const char *case_name(const struct wcase *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s%s", wias_scan_mode_name(c->mode),
		 wias_sink_compression_name(c->comp),
		 c->comp != SINK_COMP_JPEG || c->mode != SCAN_MODE_COLOR ? "" :
		 c->color == SINK_JPEG_RGB ? " rgb" :
					     " ycbcr");
	return buf;
}

/* Read @path (the reader's output, raw samples) and compare with @want */
static int reader_mae(const char *path, const struct pixels *want, double *mae)
{
	size_t len = 0;
	char *got = tu_read_file(path, &len);
	int ret = -1;

	if (got && len == want->len) {
		compare((uint8_t *)got, want->px, len, mae);
		ret = 0;
	}
	free(got);
	return ret;
}

/*
 * Pillow: every frame, as L or RGB samples, appended to OUT; prints the
 * number of frames.  Debian's python3 (the one with python3-pil).
 */
static const char pillow_py[] =
	"import sys\n"
	"from PIL import Image, ImageSequence\n"
	"im = Image.open(sys.argv[1])\n"
	"n = 0\n"
	"with open(sys.argv[2], 'wb') as f:\n"
	"    for fr in ImageSequence.Iterator(im):\n"
	"        f.write(fr.convert(sys.argv[3]).tobytes())\n"
	"        n += 1\n"
	"print(n)\n";

static int run_out(const char *cmd, char *out, size_t len)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	return pclose(f) ? -1 : 0;
}

/*
 * tiffinfo -D decodes every strip as stored.  YCbCr: libtiff 4.5's raw
 * decoding of subsampled JPEG fails on a strip of an odd number of rows
 * ("JPEGDecodeRaw: application buffer not large enough"), for libtiff's
 * own files too: there, the answer must be the same as for tiffcp's
 * YCbCr JPEG of the same pixels and strips (pages of even heights pass:
 * ycbcr_jpeg_is_subsampled_2x2_and_rgb_keeps_rgb).
 */
static void tiffinfo_accepts(struct __test_metadata *_metadata,
			     FIXTURE_DATA(workers) *self, const char *name,
			     bool ycbcr)
{
	int ours, ref;

	snprintf(self->cmd, sizeof(self->cmd),
		 "tiffinfo -D '%s' >/dev/null 2>&1", self->file);
	ours = tu_sh(self->cmd);
	if (!ycbcr) {
		EXPECT_EQ(0, ours) TH_LOG("%s: tiffinfo -D", name);
		return;
	}
	snprintf(
		self->cmd, sizeof(self->cmd),
		"tiffcp -c jpeg:90 -r 256 '%s.cp.tif' '%s.ref.tif' >/dev/null 2>&1 && "
		"tiffinfo -D '%s.ref.tif' >/dev/null 2>&1",
		self->tmp, self->tmp, self->tmp);
	ref = tu_sh(self->cmd);
	EXPECT_EQ(ref, ours)
	TH_LOG("%s: tiffinfo -D: %d, on tiffcp's YCbCr file %d", name, ours,
	       ref);
}

/*
 * Every reader: the file's pixels (@px, libtiff's) and its pages; @all:
 * Pillow, ImageMagick and tiff2pdf too, not only libtiff's tiffcp and
 * tiffinfo
 */
static void readers_accept(struct __test_metadata *_metadata,
			   FIXTURE_DATA(workers) *self, const char *name,
			   const struct wcase *c, const struct pixels *px,
			   bool all)
{
	enum scan_mode m = c->mode;
	bool ycbcr = c->comp == SINK_COMP_JPEG && m == SCAN_MODE_COLOR &&
		     c->color == SINK_JPEG_YCBCR;
	const char *pm = m == SCAN_MODE_COLOR ? "RGB" : "L";
	const char *im = m == SCAN_MODE_COLOR ? "rgb" : "gray";
	char py[PATH_MAX + 64], out[256];
	struct pixels cp;
	double mae = -1;

	/* tiffcp round trip, uncompressed: the same pixels */
	snprintf(self->cmd, sizeof(self->cmd),
		 "tiffcp -c none '%s' '%s.cp.tif' >/dev/null 2>&1", self->file,
		 self->tmp);
	EXPECT_EQ(0, tu_sh(self->cmd)) TH_LOG("%s: tiffcp", name);
	snprintf(py, sizeof(py), "%s.cp.tif", self->tmp);
	EXPECT_EQ(0, decode_file(py, m, &cp)) TH_LOG("%s: tiffcp copy", name);
	EXPECT_EQ(0, compare(cp.px, px->px, px->len, &mae))
	TH_LOG("%s: tiffcp copy differs from the file, mean %.3f", name, mae);
	free(cp.px);
	tiffinfo_accepts(_metadata, self, name, ycbcr);
	if (!all)
		return;
	/* tiff2pdf, and the PDF rendered by Ghostscript */
	snprintf(self->cmd, sizeof(self->cmd),
		 "tiff2pdf -o '%s.pdf' '%s' >/dev/null 2>&1 && "
		 "gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=nullpage '%s.pdf' "
		 ">/dev/null 2>&1",
		 self->tmp, self->file, self->tmp);
	EXPECT_EQ(0, tu_sh(self->cmd)) TH_LOG("%s: tiff2pdf, gs", name);
	/* Pillow: 3 frames, pixels within READER_MAX_MAE of libtiff's */
	snprintf(py, sizeof(py), "%s.py", self->tmp);
	ASSERT_EQ(0, tu_write_file(py, pillow_py, sizeof(pillow_py) - 1));
	snprintf(self->cmd, sizeof(self->cmd),
		 "/usr/bin/python3 '%s' '%s' '%s.pil' %s 2>&1", py, self->file,
		 self->tmp, pm);
	ASSERT_EQ(0, run_out(self->cmd, out, sizeof(out))) TH_LOG("%s: %s",
								  name, out);
	EXPECT_EQ(PAGES, strtol(out, NULL, 10))
	TH_LOG("%s: Pillow frames: %s", name, out);
	snprintf(py, sizeof(py), "%s.pil", self->tmp);
	EXPECT_EQ(0, reader_mae(py, px, &mae)) TH_LOG("%s: Pillow size", name);
	EXPECT_GE(READER_MAX_MAE, mae)
	TH_LOG("%s: Pillow's pixels, mean error %.3f", name, mae);
	/* ImageMagick: identify's sizes; convert's pixels */
	snprintf(self->cmd, sizeof(self->cmd),
		 "identify -format '%%wx%%h,' '%s' 2>/dev/null", self->file);
	ASSERT_EQ(0, run_out(self->cmd, out, sizeof(out)));
	EXPECT_STREQ("333x37,333x1,333x2000,", out) TH_LOG("%s", name);
	snprintf(self->cmd, sizeof(self->cmd),
		 "convert '%s' -depth 8 %s:'%s.im' >/dev/null 2>&1", self->file,
		 im, self->tmp);
	EXPECT_EQ(0, tu_sh(self->cmd)) TH_LOG("%s: convert", name);
	snprintf(py, sizeof(py), "%s.im", self->tmp);
	EXPECT_EQ(0, reader_mae(py, px, &mae))
	TH_LOG("%s: ImageMagick size", name);
	EXPECT_GE(READER_MAX_MAE, mae)
	TH_LOG("%s: ImageMagick's pixels, mean error %.3f", name, mae);
}

/* One case with 1, 2 and 3 workers */
static void one_case(struct __test_metadata *_metadata,
		     FIXTURE_DATA(workers) *self, const struct wcase *c)
{
	struct pixels src, one = { 0 }, got;
	struct wia_error err = { 0 };
	unsigned int w;
	char name[64];
	double mae;

	case_name(c, name, sizeof(name));
	source_pixels(c->mode, &src);
	for (w = 1; w <= 3; w++) {
		unlink(self->file);
		ASSERT_EQ(0, scan_to(self->file, c, w, &err))
		TH_LOG("%s workers %u: %s: %s", name, w, err.what, err.why);
		ASSERT_EQ(0, decode_file(self->file, c->mode, &got))
		TH_LOG("%s workers %u: libtiff cannot decode", name, w);
		EXPECT_EQ(PAGES, got.pages);
		if (!c->max_mae) {
			EXPECT_EQ(0, compare(got.px, src.px, src.len, &mae))
			TH_LOG("%s workers %u: samples differ from the source",
			       name, w);
		} else {
			compare(got.px, src.px, src.len, &mae);
			TH_LOG("%s q90 workers %u: mean abs error %.2f (at most %.1f)",
			       name, w, mae, c->max_mae);
			EXPECT_GE(c->max_mae, mae);
			if (one.px)
				EXPECT_EQ(0, compare(got.px, one.px, src.len,
						     &mae))
			TH_LOG("%s workers %u: pixels differ from 1 worker's",
			       name, w);
		}
		/* the files differ only in DateTime: every reader on one */
		readers_accept(_metadata, self, name, c, &got, w == 2);
		if (!one.px)
			one = got;
		else
			free(got.px);
	}
	free(one.px);
	free(src.px);
}

TEST_F_TIMEOUT(workers, every_compression_decodes_the_same_on_1_2_and_3_workers,
	       600)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		one_case(_metadata, self, &cases[i]);
}

TEST_F(workers, ycbcr_jpeg_is_subsampled_2x2_and_rgb_keeps_rgb)
{
	static const struct wcase ycc = { SCAN_MODE_COLOR, SINK_COMP_JPEG,
					  SINK_JPEG_YCBCR, 0 };
	static const struct wcase rgb = { SCAN_MODE_COLOR, SINK_COMP_JPEG,
					  SINK_JPEG_RGB, 0 };
	struct wia_error err = { 0 };
	uint16_t photo = 0, h = 0, v = 0, rps_ok = 1;
	uint32_t rps = 0;
	struct stat a, b;
	TIFF *tif;

	static const uint32_t even[PAGES] = { 38, 2, 2000 };

	scan_rows = even;
	ASSERT_EQ(0, scan_to(self->file, &ycc, 2, &err));
	scan_rows = page_rows;
	/* even heights: libtiff decodes every strip as stored */
	snprintf(self->cmd, sizeof(self->cmd),
		 "tiffinfo -D '%s' >/dev/null 2>&1", self->file);
	EXPECT_EQ(0, tu_sh(self->cmd)) TH_LOG("tiffinfo -D, YCbCr");
	tif = TIFFOpen(self->file, "r");
	ASSERT_NE(NULL, tif);
	TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photo);
	TIFFGetFieldDefaulted(tif, TIFFTAG_YCBCRSUBSAMPLING, &h, &v);
	TIFFGetField(tif, TIFFTAG_ROWSPERSTRIP, &rps);
	TIFFClose(tif);
	EXPECT_EQ(PHOTOMETRIC_YCBCR, photo);
	EXPECT_EQ(2, h);
	EXPECT_EQ(2, v);
	/* every strip but a page's last: a whole number of 16-row MCUs */
	rps_ok = rps % 16 == 0;
	EXPECT_EQ(1, rps_ok) TH_LOG("rows per strip %u", rps);
	ASSERT_EQ(0, stat(self->file, &a));
	unlink(self->file);
	ASSERT_EQ(0, scan_to(self->file, &rgb, 2, &err));
	tif = TIFFOpen(self->file, "r");
	ASSERT_NE(NULL, tif);
	TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photo);
	TIFFClose(tif);
	EXPECT_EQ(PHOTOMETRIC_RGB, photo);
	ASSERT_EQ(0, stat(self->file, &b));
	/* half the samples: smaller */
	TH_LOG("YCbCr 2x2 %lld bytes, RGB %lld bytes", (long long)a.st_size,
	       (long long)b.st_size);
	EXPECT_GT(b.st_size, a.st_size);
}

TEST_F(workers, deflate_level_1_is_larger_than_9_and_1_is_the_default)
{
	static const struct wcase c = { SCAN_MODE_GRAY, SINK_COMP_DEFLATE, 0,
					0 };
	static const int levels[] = { 1, 9, 6, 0 };
	/* size[0] level 1, [1] level 9, [2] level 6, [3] the default (1) */
	struct wia_error err = { 0 };
	long long size[4];
	struct pixels got, src;
	double mae;
	int i;

	source_pixels(c.mode, &src);
	for (i = 0; i < 4; i++) {
		unlink(self->file);
		deflate_level = levels[i];
		ASSERT_EQ(0, scan_to(self->file, &c, 2, &err));
		deflate_level = 0;
		size[i] = tu_size(self->file);
		ASSERT_EQ(0, decode_file(self->file, c.mode, &got));
		EXPECT_EQ(0, compare(got.px, src.px, src.len, &mae))
		TH_LOG("level %d", levels[i]);
		free(got.px);
	}
	TH_LOG("deflate level 1: %lld bytes, 9: %lld, 6: %lld, default (1): %lld",
	       size[0], size[1], size[2], size[3]);
	EXPECT_GT(size[0], size[1]);
	EXPECT_GE(size[2], size[1]);
	/* the same bytes but the DateTime tag: the same size */
	EXPECT_EQ(size[0], size[3]);
	free(src.px);
}

/* ---- early writeback: what the writer asks of the kernel ---- */

/*
 * sync_file_range and fsync calls on a NAME.part (the output), in order:
 * @off, @len of a writeback (@flags as given), or the file's size at an
 * fsync (@len -1)
 */
struct io_call {
	int64_t off, len;
	unsigned int flags;
};

#define IO_CALLS_MAX 256
static struct io_call io_calls[IO_CALLS_MAX];
static unsigned int n_io_calls;
static pthread_mutex_t io_calls_lock = PTHREAD_MUTEX_INITIALIZER;

int __real_sync_file_range(int fd, off_t off, off_t len, unsigned int flags);
int __wrap_sync_file_range(int fd, off_t off, off_t len, unsigned int flags);
int __real_fsync(int fd);
int __wrap_fsync(int fd);

/* Whether @fd is a NAME.part (the sink's output while it is written) */
static bool io_is_part(int fd)
{
	char link[64], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 5)
		return false;
	target[n] = '\0';
	return !strcmp(target + n - 5, ".part");
}

static void io_record(int fd, int64_t off, int64_t len, unsigned int flags)
{
	if (!io_is_part(fd))
		return;
	pthread_mutex_lock(&io_calls_lock);
	if (n_io_calls < IO_CALLS_MAX)
		io_calls[n_io_calls++] = (struct io_call) { .off = off,
							    .len = len,
							    .flags = flags };
	pthread_mutex_unlock(&io_calls_lock);
}

int __wrap_sync_file_range(int fd, off_t off, off_t len, unsigned int flags)
{
	io_record(fd, off, len, flags);
	return __real_sync_file_range(fd, off, len, flags);
}

int __wrap_fsync(int fd)
{
	struct stat st;

	if (!fstat(fd, &st))
		io_record(fd, st.st_size, -1, 0);
	return __real_fsync(fd);
}

/*
 * Bytes an fsync may find that no writeback was asked for: less than a
 * chunk, the page's last strip (no hint after it: the fsync follows) and
 * the IFD
 */
#define WB_LEFT_MAX (TIFF_IO_WRITEBACK_CHUNK + (256 << 10) + 4096)

/*
 * Check the recorded calls of one multipage file of @pages pages, @bytes
 * long: writebacks only start (SYNC_FILE_RANGE_WRITE, never a wait), each
 * of at least TIFF_IO_WRITEBACK_CHUNK, contiguous from where the last one
 * or the last fsync ended; at every fsync less than WB_LEFT_MAX is left
 * that no writeback was asked for; one fsync a page at least
 */
static void check_writeback(struct __test_metadata *_metadata, const char *name,
			    unsigned int pages, long long bytes)
{
	unsigned int i, wb = 0, syncs = 0;
	int64_t next = 0, left;

	for (i = 0; i < n_io_calls; i++) {
		const struct io_call *c = &io_calls[i];

		if (c->len < 0) {
			left = c->off - next;
			EXPECT_GT(WB_LEFT_MAX, left)
			TH_LOG("%s: fsync %u: %lld bytes without writeback (less than a chunk of %u, a strip and an IFD: %u)",
			       name, syncs, (long long)left,
			       TIFF_IO_WRITEBACK_CHUNK, WB_LEFT_MAX);
			if (c->off > next)
				next = c->off;
			syncs++;
			continue;
		}
		EXPECT_EQ(SYNC_FILE_RANGE_WRITE, c->flags)
		TH_LOG("%s: writeback %u: flags %#x, not a bare start", name,
		       wb, c->flags);
		EXPECT_EQ(next, c->off)
		TH_LOG("%s: writeback %u starts at %lld, not where the last ended (%lld)",
		       name, wb, (long long)c->off, (long long)next);
		EXPECT_LE(TIFF_IO_WRITEBACK_CHUNK, c->len)
		TH_LOG("%s: writeback %u of %lld bytes", name, wb,
		       (long long)c->len);
		next = c->off + c->len;
		wb++;
	}
	TH_LOG("%s: %lld bytes, %u writebacks, %u fsyncs", name, bytes, wb,
	       syncs);
	/* a page per fsync, and the commit's */
	EXPECT_LE(pages, syncs);
	/* the file but its last chunk went out before the fsyncs */
	EXPECT_LE(bytes / TIFF_IO_WRITEBACK_CHUNK - pages, wb);
	EXPECT_GT(WB_LEFT_MAX, bytes - next)
	TH_LOG("%s: %lld bytes of %lld never handed to writeback", name,
	       bytes - next, bytes);
}

TEST_F(workers, writeback_starts_every_mib_and_each_page_is_still_fsynced)
{
	static const struct wcase none = { SCAN_MODE_COLOR, SINK_COMP_NONE, 0,
					   0 };
	static const struct wcase pb = { SCAN_MODE_COLOR, SINK_COMP_PACKBITS, 0,
					 0 };
	/* a long last page: 6000 rows of 999 bytes, ~6 MB, 23 strips */
	static const uint32_t rows[PAGES] = { 37, 1, 6000 };
	static const struct {
		const struct wcase *c;
		unsigned int workers;
		const char *name;
	} runs[] = { { &none, 1, "color none, 1 worker" },
		     { &pb, 2, "color packbits, 2 workers" } };
	struct wia_error err = { 0 };
	long long bytes;
	unsigned int r;
	TIFF *tif;

	for (r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		uint32_t h[PAGES] = { 0 };
		int n = 0;

		unlink(self->file);
		n_io_calls = 0;
		scan_rows = rows;
		ASSERT_EQ(0,
			  scan_to(self->file, runs[r].c, runs[r].workers, &err))
		TH_LOG("%s: %s: %s", runs[r].name, err.what, err.why);
		scan_rows = page_rows;
		bytes = tu_size(self->file);
		ASSERT_GT(bytes, 6000LL * 999);
		check_writeback(_metadata, runs[r].name, PAGES, bytes);
		/* the pages are all there */
		tif = TIFFOpen(self->file, "r");
		ASSERT_NE(NULL, tif);
		do {
			if (n < PAGES)
				TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h[n]);
			n++;
		} while (TIFFReadDirectory(tif));
		TIFFClose(tif);
		EXPECT_EQ(PAGES, n);
		EXPECT_EQ(37, h[0]);
		EXPECT_EQ(1, h[1]);
		EXPECT_EQ(6000, h[2]);
	}
}

TEST_HARNESS_MAIN
