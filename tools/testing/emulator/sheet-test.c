// SPDX-License-Identifier: GPL-2.0
/*
 * Native check of --image (sheet.c): decoding of PNM P4/P5/P6 and PNG, the
 * box-filter scaling and the conversion to each scan mode, against bytes
 * worked out by hand for small pictures and against an independent
 * direct two-dimensional box filter for odd scale factors; and the per-sheet
 * cache.  TAP output.
 */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu.h"

static char dir[] = "/tmp/sheet-test.XXXXXX";
static int n_test, fails;

/* One TAP line: GOOD, then a printf format and its arguments */
#define ok(good, ...)                                              \
	do {                                                       \
		int good_ = (good);                                \
                                                                   \
		printf("%sok %d ", good_ ? "" : "not ", ++n_test); \
		printf(__VA_ARGS__);                               \
		putchar('\n');                                     \
		fails += !good_;                                   \
	} while (0)

/* The files the test writes, removed at the end */
static const char *const made[] = { "gray4.pgm", "rgb.ppm",   "bits.pbm",
				    "deep.pgm",	 "gray4.png", "alpha.png",
				    "bad.pgm",	 "text.txt",  "black.pgm" };

static void remove_files(void)
{
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, made[i]);
		unlink(path);
	}
	if (rmdir(dir))
		printf("# could not remove %s: %s\n", dir, strerror(errno));
}

static const char *write_file(const char *name, const void *data, size_t len)
{
	static char path[8][256];
	static int next;
	char *p = path[next++ % 8];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	f = fopen(p, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(p);
		exit(1);
	}
	return p;
}

/* The 4x4 gray picture most cases use */
static const uint8_t gray4[16] = {
	0,   64,  128, 255, /* */
	32,  96,  160, 224, /* */
	255, 255, 0,   0,   /* */
	10,  20,  30,  40,
};

static const char *gray4_pnm(void)
{
	uint8_t buf[64];
	int n = snprintf((char *)buf, sizeof(buf),
			 "P5\n# a comment\n4 4\n255\n");

	memcpy(buf + n, gray4, sizeof(gray4));
	return write_file("gray4.pgm", buf, (size_t)n + sizeof(gray4));
}

static int load(const char *path, struct pic *pic)
{
	char err[256];
	int ret = pic_load(path, pic, err, sizeof(err));

	if (ret)
		printf("# %s\n", err);
	return ret;
}

/* Render and compare with @want; prints the first difference */
static int render_is(const struct pic *pic, uint8_t mode, uint32_t w,
		     uint32_t h, const uint8_t *want)
{
	size_t len = (size_t)h * refscan_bytes_per_line(mode, w), i;
	uint8_t *got = malloc(len);
	int ret = pic_render(pic, mode, w, h, got), same;

	same = !ret && !memcmp(got, want, len);
	for (i = 0; !ret && i < len && !same; i++) {
		if (got[i] != want[i]) {
			printf("# byte %zu is %u, want %u\n", i, got[i],
			       want[i]);
			break;
		}
	}
	free(got);
	return same;
}

/*
 * Independent box filter, two-dimensional and direct: the area-weighted
 * mean, rounded half up.  Coordinates in units of 1/(w * h) source pixel
 * keep it exact (floating point would round ties either way).
 */
static uint8_t ref_box(const struct pic *pic, unsigned int c, uint32_t w,
		       uint32_t h, uint32_t x, uint32_t y)
{
	int64_t x0 = (int64_t)x * pic->w * h,
		x1 = (int64_t)(x + 1) * pic->w * h;
	int64_t y0 = (int64_t)y * pic->h * w,
		y1 = (int64_t)(y + 1) * pic->h * w;
	int64_t unit = (int64_t)w * h, sum = 0, area = 0;
	uint32_t i, j;

	for (j = 0; j < pic->h; j++) {
		int64_t oy = (y1 < (j + 1) * unit ? y1 : (j + 1) * unit) -
			     (y0 > j * unit ? y0 : j * unit);

		if (oy <= 0)
			continue;
		for (i = 0; i < pic->w; i++) {
			int64_t ox =
				(x1 < (i + 1) * unit ? x1 : (i + 1) * unit) -
				(x0 > i * unit ? x0 : i * unit);

			if (ox <= 0)
				continue;
			sum += ox * oy *
			       pic->px[((size_t)j * pic->w + i) * pic->ch + c];
			area += ox * oy;
		}
	}
	return area ? (uint8_t)((sum + area / 2) / area) : 0;
}

static void test_gray(void)
{
	static const uint8_t half[4] = { 48, 192, 135, 18 };
	static const uint8_t lineart[4] = { 0xc0, 0xc0, 0x30, 0xf0 };
	uint8_t dbl[64], col[48], want[35], line10[2 * 10];
	struct pic pic;
	uint32_t x, y;
	int i, good;

	ok(!load(gray4_pnm(), &pic) && pic.w == 4 && pic.h == 4 &&
		   pic.ch == 1 && !memcmp(pic.px, gray4, 16),
	   "P5 4x4 with a comment loads as 1 channel, pixels 0 64 128 255 ...");
	ok(render_is(&pic, REFSCAN_MODE_GRAY, 4, 4, gray4),
	   "gray 4x4 -> 4x4 is the picture unchanged");
	ok(render_is(&pic, REFSCAN_MODE_GRAY, 2, 2, half),
	   "gray 4x4 -> 2x2 is the 2x2 block means 48 192 135 18");
	for (y = 0; y < 8; y++)
		for (x = 0; x < 8; x++)
			dbl[y * 8 + x] = gray4[y / 2 * 4 + x / 2];
	ok(render_is(&pic, REFSCAN_MODE_GRAY, 8, 8, dbl),
	   "gray 4x4 -> 8x8 repeats each pixel as a 2x2 block");
	for (i = 0; i < 48; i++)
		col[i] = gray4[i / 3];
	ok(render_is(&pic, REFSCAN_MODE_COLOR, 4, 4, col),
	   "color 4x4 from a gray picture is R = G = B = the gray value");
	ok(render_is(&pic, REFSCAN_MODE_LINEART, 4, 4, lineart),
	   "lineart 4x4 is c0 c0 30 f0 (below 128 = 1 = black, MSB first)");
	/* 10 wide: each column x shows source column x * 4 / 10 */
	for (y = 0; y < 2; y++) {
		uint16_t bits = 0;

		for (x = 0; x < 10; x++) {
			uint8_t v = ref_box(&pic, 0, 10, 2, x, y);

			if (v < 128)
				bits |= (uint16_t)(0x8000 >> x);
		}
		line10[y * 2] = (uint8_t)(bits >> 8);
		line10[y * 2 + 1] = (uint8_t)bits;
	}
	ok(render_is(&pic, REFSCAN_MODE_LINEART, 10, 2, line10) &&
		   !(line10[1] & 0x3f) && !(line10[3] & 0x3f),
	   "lineart 10x2: 2 bytes a row, bits after pixel 10 are 0");
	good = 1;
	{
		static const uint32_t sizes[][2] = {
			{ 3, 3 }, { 5, 7 }, { 7, 2 }, { 1, 1 }
		};
		size_t k;

		for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			uint32_t w = sizes[k][0], h = sizes[k][1];

			for (y = 0; y < h; y++)
				for (x = 0; x < w; x++)
					want[y * w + x] =
						ref_box(&pic, 0, w, h, x, y);
			if (!render_is(&pic, REFSCAN_MODE_GRAY, w, h, want)) {
				printf("# at %ux%u\n", w, h);
				good = 0;
			}
		}
	}
	ok(good, "gray 3x3, 5x7, 7x2, 1x1 equal an independent "
		 "direct 2-D box filter");
	want[0] = 98;
	ok(render_is(&pic, REFSCAN_MODE_GRAY, 1, 1, want),
	   "gray 4x4 -> 1x1 is the mean 98 (1569 / 16 rounded)");
	pic_free(&pic);
}

static void test_color(void)
{
	static const uint8_t p6[] = { 'P', '6', '\n', '2', ' ', '2', '\n', '2',
				      '5', '5', '\n', 255, 0,	0,   0,	   255,
				      0,   0,	0,    255, 255, 255, 255 };
	static const uint8_t luma[4] = { 76, 150, 29, 255 };
	static const uint8_t lineart[2] = { 0x80, 0x80 };
	static const uint8_t mean_rgb[3] = { 128, 128, 128 };
	uint8_t big[48];
	struct pic pic;
	int i;

	ok(!load(write_file("rgb.ppm", p6, sizeof(p6)), &pic) && pic.ch == 3 &&
		   pic.w == 2 && pic.h == 2,
	   "P6 2x2 red green blue white loads as 3 channels");
	ok(render_is(&pic, REFSCAN_MODE_COLOR, 2, 2, p6 + 11),
	   "color 2x2 -> 2x2 is R G B as in the file");
	ok(render_is(&pic, REFSCAN_MODE_GRAY, 2, 2, luma),
	   "gray of red green blue white is the BT.601 luma 76 150 29 255");
	ok(render_is(&pic, REFSCAN_MODE_LINEART, 2, 2, lineart),
	   "lineart of red green blue white is 80 80 (luma 76 and 29 black)");
	ok(render_is(&pic, REFSCAN_MODE_COLOR, 1, 1, mean_rgb) &&
		   render_is(&pic, REFSCAN_MODE_GRAY, 1, 1, mean_rgb),
	   "2x2 -> 1x1: color 128 128 128 (510 / 4 rounded up), gray 128 "
	   "(the mean of the lumas, 510 / 4)");
	for (i = 0; i < 48; i++) {
		unsigned int x = (unsigned int)i / 3 % 4,
			     y = (unsigned int)i / 12;

		big[i] = p6[11 + (y / 2 * 2 + x / 2) * 3 + i % 3];
	}
	ok(render_is(&pic, REFSCAN_MODE_COLOR, 4, 4, big),
	   "color 2x2 -> 4x4 repeats each R G B pixel as a 2x2 block");
	pic_free(&pic);
}

static void test_pbm_16bit(void)
{
	static const uint8_t p4[] = { 'P', '4', '\n', '1',  '0',
				      ' ', '1', '\n', 0xa5, 0xc0 };
	static const uint8_t p5[] = { 'P',  '5',  ' ',	'2',  ' ', '1',
				      ' ',  '6',  '5',	'5',  '3', '5',
				      '\n', 0x80, 0x00, 0xff, 0xff };
	static const uint8_t gray[10] = { 0, 255, 0, 255, 255, 0, 255, 0, 0, 0 };
	static const uint8_t two[2] = { 128, 255 };
	struct pic pic;

	ok(!load(write_file("bits.pbm", p4, sizeof(p4)), &pic) &&
		   render_is(&pic, REFSCAN_MODE_GRAY, 10, 1, gray) &&
		   render_is(&pic, REFSCAN_MODE_LINEART, 10, 1, p4 + 8),
	   "P4 10x1 a5 c0: gray 0 255 0 255 255 0 255 0 0 0, lineart a5 c0");
	pic_free(&pic);
	ok(!load(write_file("deep.pgm", p5, sizeof(p5)), &pic) &&
		   render_is(&pic, REFSCAN_MODE_GRAY, 2, 1, two),
	   "P5 maxval 65535: 0x8000 0xffff are 128 255");
	pic_free(&pic);
}

static void test_png(void)
{
	static const uint8_t rgba[8] = { 0, 0, 0, 0, 0, 0, 0, 255 };
	static const uint8_t white_black[2] = { 255, 0 };
	png_image img = { .version = PNG_IMAGE_VERSION,
			  .width = 4,
			  .height = 4,
			  .format = PNG_FORMAT_GRAY };
	char path[256];
	struct pic pic;

	snprintf(path, sizeof(path), "%s/gray4.png", dir);
	if (!png_image_write_to_file(&img, path, 0, gray4, 0, NULL))
		printf("# writing %s: %s\n", path, img.message);
	ok(!load(path, &pic) && pic.ch == 1 &&
		   render_is(&pic, REFSCAN_MODE_GRAY, 4, 4, gray4),
	   "PNG gray 4x4 (libpng) gives the same gray bytes as the P5");
	pic_free(&pic);

	img = (png_image) { .version = PNG_IMAGE_VERSION,
			    .width = 2,
			    .height = 1,
			    .format = PNG_FORMAT_RGBA };
	snprintf(path, sizeof(path), "%s/alpha.png", dir);
	if (!png_image_write_to_file(&img, path, 0, rgba, 0, NULL))
		printf("# writing %s: %s\n", path, img.message);
	ok(!load(path, &pic) && pic.ch == 3 &&
		   render_is(&pic, REFSCAN_MODE_GRAY, 2, 1, white_black),
	   "PNG RGBA: a transparent pixel is white paper (255), opaque black 0");
	pic_free(&pic);
}

static void test_errors(void)
{
	char err[256], missing[300];
	struct pic pic;
	int ret;

	ret = pic_load(write_file("bad.pgm", "P5\n4 4\n255\n\1\2", 13), &pic,
		       err, sizeof(err));
	ok(ret == -EINVAL && strstr(err, "too short"),
	   "a truncated P5 is -EINVAL, 'PNM raster too short' (%d: %s)", ret,
	   err);
	ret = pic_load(write_file("text.txt", "hello", 5), &pic, err,
		       sizeof(err));
	ok(ret == -EINVAL, "a text file is -EINVAL (%s)", err);
	snprintf(missing, sizeof(missing), "%s/none.pgm", dir);
	ret = pic_load(missing, &pic, err, sizeof(err));
	ok(ret == -ENOENT, "a missing file is -ENOENT (%s)", err);
}

static void test_cache(void)
{
	static const uint8_t black[] = { 'P', '5', ' ', '4',  ' ', '4', ' ',
					 '2', '5', '5', '\n', 0,   0,	0,
					 0,   0,   0,	0,    0,   0,	0,
					 0,   0,   0,	0,    0,   0 };
	char *files[2];
	struct sheets *s = NULL;
	const uint8_t *p0, *p1, *p2, *again, *other;
	char err[256];
	int ret;

	files[0] = (char *)gray4_pnm();
	files[1] = (char *)write_file("black.pgm", black, sizeof(black));
	ret = sheets_open(files, 2, &s, err, sizeof(err));
	ok(!ret, "sheets_open of 2 files (%s)", ret ? err : "ok");
	if (ret)
		return;
	p0 = sheets_page(s, 0, REFSCAN_MODE_GRAY, 4, 4);
	ok(p0 && !memcmp(p0, gray4, 16), "sheet 0 is the first picture");
	again = sheets_page(s, 0, REFSCAN_MODE_GRAY, 4, 4);
	ok(again == p0, "sheet 0 again, same settings: the same buffer, "
			"not rendered again");
	p1 = sheets_page(s, 1, REFSCAN_MODE_GRAY, 4, 4);
	ok(p1 && !p1[0] && !p1[15], "sheet 1 is the second picture (black)");
	p2 = sheets_page(s, 2, REFSCAN_MODE_GRAY, 4, 4);
	ok(p2 && p2 == p0 && !memcmp(p2, gray4, 16),
	   "sheet 2 wraps around to the first picture");
	other = sheets_page(s, 0, REFSCAN_MODE_GRAY, 2, 2);
	ok(other && other[0] == 48 && other[3] == 18,
	   "sheet 0 at 2x2 is rendered anew: 48 ... 18");
	other = sheets_page(s, 0, REFSCAN_MODE_GRAY, 2, 0);
	ok(!other, "an empty page (0 rows) has no bytes: NULL");
	sheets_close(s);
	files[1] = (char *)"/nonexistent/x.pgm";
	ret = sheets_open(files, 2, &s, err, sizeof(err));
	ok(ret == -ENOENT && strstr(err, "/nonexistent/x.pgm"),
	   "sheets_open names the file it cannot read (%s)", err);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	printf("TAP version 13\n");
	test_gray();
	test_color();
	test_pbm_16bit();
	test_png();
	test_errors();
	test_cache();
	remove_files();
	printf("1..%d\n", n_test);
	return fails ? 1 : 0;
}
