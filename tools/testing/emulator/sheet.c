// SPDX-License-Identifier: GPL-2.0
/*
 * Real pages: --image FILE..., one picture per ADF sheet (the first one on
 * the flatbed glass), instead of the formula.
 *
 * A picture is decoded once at startup (PNM P4/P5/P6 parsed here, PNG by
 * libpng's simplified API) into 8-bit gray or RGB.  When a page begins, the
 * picture is taken as the whole page area the host asked for (width_px by
 * the page's rows, whatever its aspect), scaled to it with a box filter
 * (each output pixel is the area-weighted mean of the source pixels it
 * covers, computed exactly in integers) and converted to the page's mode
 * as refscan.h defines it: lineart 1 bit per pixel, MSB first, 1 = black
 * (luma below 128), padding bits 0; gray the luma (ITU-R BT.601 weights);
 * color R G B.  The result is kept per sheet until the settings change, so
 * the bulk-in path only copies bytes, as it does for the formula.
 */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

/* Largest picture accepted, per side: 2 m at 1200 dpi */
#define PIC_MAX_SIDE 100000

/* The rendered page of one sheet, and the settings it was made for */
struct sheet_page {
	uint8_t *buf;
	uint8_t mode;
	uint32_t width, rows;
};

struct sheets {
	struct pic *pics;
	struct sheet_page *pages;
	unsigned int n;
};

static int fail(char *err, size_t errlen, int ret, const char *path,
		const char *what)
{
	snprintf(err, errlen, "%s: %s", path, what);
	return ret;
}

/* Read all of @path; the caller frees *@data */
static int slurp(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = NULL, *p;
	int ret = 0;

	if (!f)
		return -errno;
	for (;;) {
		p = realloc(buf, cap);
		if (!p) {
			ret = -ENOMEM;
			break;
		}
		buf = p;
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
	}
	if (!ret && ferror(f))
		ret = -EIO;
	fclose(f);
	if (ret) {
		free(buf);
		return ret;
	}
	*data = buf;
	*len = n;
	return 0;
}

/* Next header number of a PNM at *@at, skipping white space and comments */
static long pnm_number(const uint8_t *d, size_t len, size_t *at)
{
	long v = 0;
	size_t i = *at;

	for (;;) {
		while (i < len && strchr(" \t\r\n", d[i]))
			i++;
		if (i < len && d[i] == '#') {
			while (i < len && d[i] != '\n')
				i++;
			continue;
		}
		break;
	}
	if (i >= len || d[i] < '0' || d[i] > '9')
		return -1;
	while (i < len && d[i] >= '0' && d[i] <= '9' && v <= PIC_MAX_SIDE)
		v = v * 10 + (d[i++] - '0');
	*at = i;
	return v;
}

/*
 * Netpbm's raw formats (netpbm's pbm(5), pgm(5), ppm(5)): P4 bits MSB
 * first, 1 black, rows padded to bytes; P5/P6 one or two bytes (big
 * endian, maxval > 255) per sample, scaled to 0..255.  The first image of
 * the file only.
 */
static int pnm_decode(const uint8_t *d, size_t len, struct pic *pic, char *err,
		      size_t errlen, const char *path)
{
	size_t at = 2, i, n, bpl, bps;
	long w, h, maxval = 1;
	int kind;

	if (len < 2 || d[0] != 'P' || d[1] < '4' || d[1] > '6')
		return fail(err, errlen, -EINVAL, path, "not PNM P4, P5 or P6");
	kind = d[1] - '0';
	w = pnm_number(d, len, &at);
	h = pnm_number(d, len, &at);
	if (kind != 4)
		maxval = pnm_number(d, len, &at);
	if (w < 1 || h < 1 || w > PIC_MAX_SIDE || h > PIC_MAX_SIDE ||
	    maxval < 1 || maxval > 65535 || at >= len ||
	    !strchr(" \t\r\n", d[at]))
		return fail(err, errlen, -EINVAL, path, "bad PNM header");
	at++; /* the single white space before the raster */
	pic->w = (uint32_t)w;
	pic->h = (uint32_t)h;
	pic->ch = kind == 6 ? 3 : 1;
	bps = maxval > 255 ? 2 : 1;
	bpl = kind == 4 ? ((size_t)w + 7) / 8 : (size_t)w * pic->ch * bps;
	if (len - at < bpl * (size_t)h)
		return fail(err, errlen, -EINVAL, path, "PNM raster too short");
	n = (size_t)w * (size_t)h * pic->ch;
	pic->px = malloc(n);
	if (!pic->px)
		return fail(err, errlen, -ENOMEM, path, "out of memory");
	d += at;
	if (kind == 4) {
		for (i = 0; i < n; i++) {
			size_t x = i % (size_t)w, y = i / (size_t)w;
			int bit = d[y * bpl + x / 8] >> (7 - x % 8) & 1;

			pic->px[i] = bit ? 0 : 255;
		}
		return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned long v = bps == 2 ? (unsigned long)d[2 * i] << 8 |
						     d[2 * i + 1] :
					     d[i];

		if (v > (unsigned long)maxval)
			v = (unsigned long)maxval;
		pic->px[i] = (uint8_t)((v * 255 + (unsigned long)maxval / 2) /
				       (unsigned long)maxval);
	}
	return 0;
}

/* PNG through libpng; alpha is composited on white, as on paper */
static int png_decode(const uint8_t *d, size_t len, struct pic *pic, char *err,
		      size_t errlen, const char *path)
{
	static const png_color white = { 255, 255, 255 };
	png_image img = { .version = PNG_IMAGE_VERSION };

	if (!png_image_begin_read_from_memory(&img, d, len))
		return fail(err, errlen, -EINVAL, path, img.message);
	if (img.width > PIC_MAX_SIDE || img.height > PIC_MAX_SIDE) {
		png_image_free(&img);
		return fail(err, errlen, -EINVAL, path, "PNG too large");
	}
	pic->ch = img.format & PNG_FORMAT_FLAG_COLOR ? 3 : 1;
	img.format = pic->ch == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
	pic->w = img.width;
	pic->h = img.height;
	pic->px = malloc(PNG_IMAGE_SIZE(img));
	if (!pic->px) {
		png_image_free(&img);
		return fail(err, errlen, -ENOMEM, path, "out of memory");
	}
	if (!png_image_finish_read(&img, &white, pic->px, 0, NULL)) {
		free(pic->px);
		pic->px = NULL;
		return fail(err, errlen, -EINVAL, path, img.message);
	}
	return 0;
}

/**
 * pic_load() - decode a PNM (P4, P5, P6) or PNG file into 8-bit samples
 * @path: the file
 * @pic: filled in: size in pixels, 1 (gray) or 3 (RGB) channels, rows top
 *	down without padding; free with pic_free()
 * @err: set to a one-line reason on failure
 * @errlen: size of @err
 *
 * Return: 0, or -errno (-EINVAL for a file that is neither, or broken)
 */
int pic_load(const char *path, struct pic *pic, char *err, size_t errlen)
{
	static const uint8_t png_sig[8] = { 0x89, 'P',	'N',  'G',
					    '\r', '\n', 0x1a, '\n' };
	uint8_t *d = NULL;
	size_t len = 0;
	int ret;

	*pic = (struct pic) { 0 };
	ret = slurp(path, &d, &len);
	if (ret)
		return fail(err, errlen, ret, path, strerror(-ret));
	if (len >= sizeof(png_sig) && !memcmp(d, png_sig, sizeof(png_sig)))
		ret = png_decode(d, len, pic, err, errlen, path);
	else
		ret = pnm_decode(d, len, pic, err, errlen, path);
	free(d);
	return ret;
}

void pic_free(struct pic *pic)
{
	free(pic->px);
	pic->px = NULL;
}

/*
 * Box filter weights of output pixel @i of @n_out over @n_in source
 * pixels: in units of 1/@n_out source pixel, output pixel i covers
 * [i * n_in, (i + 1) * n_in) and source pixel j covers [j * n_out,
 * (j + 1) * n_out); the overlaps sum to @n_in.
 */
struct span {
	uint32_t first, last;	  /* source pixels touched */
	uint32_t w_first, w_last; /* their overlaps (weights) */
	uint32_t w_mid;		  /* the overlap of the ones between */
};

static struct span box_span(uint64_t i, uint64_t n_in, uint64_t n_out)
{
	uint64_t a = i * n_in, b = (i + 1) * n_in;
	struct span s;

	s.first = (uint32_t)(a / n_out);
	s.last = (uint32_t)((b - 1) / n_out);
	s.w_mid = (uint32_t)n_out;
	if (s.first == s.last) {
		s.w_first = s.w_last = (uint32_t)(b - a);
	} else {
		s.w_first = (uint32_t)((s.first + 1) * n_out - a);
		s.w_last = (uint32_t)(b - s.last * n_out);
	}
	return s;
}

static uint32_t span_weight(const struct span *s, uint32_t j)
{
	return j == s->first ? s->w_first : j == s->last ? s->w_last : s->w_mid;
}

/*
 * round(@num / @den) for the filter's sums, without a division per sample:
 * a floating-point reciprocal, then the one-off error corrected exactly
 */
static uint8_t div_round(uint64_t num, uint64_t den, double inv)
{
	uint64_t q;

	num += den / 2;
	q = (uint64_t)((double)num * inv);
	if (q * den > num)
		q--;
	else if ((q + 1) * den <= num)
		q++;
	return (uint8_t)q;
}

/* BT.601 luma of 8-bit R G B, rounded */
static uint8_t luma(const uint8_t *rgb)
{
	return (uint8_t)((299 * rgb[0] + 587 * rgb[1] + 114 * rgb[2] + 500) /
			 1000);
}

/*
 * Row @y of @pic scaled horizontally to @width pixels of @ch channels by
 * the spans @xs (one per output pixel), unnormalized: each sample is the
 * sum of source samples times their overlap (a pixel's weights sum to
 * pic->w).
 */
static void hscale(const struct pic *pic, uint32_t y, const struct span *xs,
		   uint32_t width, unsigned int ch, uint32_t *out)
{
	const uint8_t *row = pic->px + (size_t)y * pic->w * pic->ch;
	uint32_t x, j;
	unsigned int c;

	for (x = 0; x < width; x++) {
		const struct span *s = &xs[x];
		uint32_t acc[3] = { 0, 0, 0 };

		for (j = s->first; j <= s->last; j++) {
			const uint8_t *p = row + (size_t)j * pic->ch;
			uint32_t wgt = span_weight(s, j);

			if (ch == pic->ch) {
				for (c = 0; c < ch; c++)
					acc[c] += wgt * p[c];
			} else if (ch == 1) {
				acc[0] += wgt * luma(p);
			} else {
				for (c = 0; c < 3; c++)
					acc[c] += wgt * p[0];
			}
		}
		for (c = 0; c < ch; c++)
			out[(size_t)x * ch + c] = acc[c];
	}
}

/* Pixel @v (@ch samples in @pic's layout) into pixel @x of row @out */
static void put_pixel(uint8_t *out, uint32_t x, uint8_t mode,
		      unsigned int pic_ch, const uint8_t *v)
{
	uint8_t g;

	if (mode == REFSCAN_MODE_COLOR) {
		out[3 * x] = v[0];
		out[3 * x + 1] = v[pic_ch == 3];
		out[3 * x + 2] = v[2 * (pic_ch == 3)];
		return;
	}
	g = pic_ch == 3 ? luma(v) : v[0];
	if (mode == REFSCAN_MODE_GRAY)
		out[x] = g;
	else if (g < 128)
		out[x / 8] |= (uint8_t)(0x80 >> x % 8);
}

/* A picture of exactly the page's size: converted, not filtered */
static void render_same_size(const struct pic *pic, uint8_t mode, uint32_t bpl,
			     uint8_t *dst)
{
	uint32_t x, y;

	for (y = 0; y < pic->h; y++) {
		const uint8_t *row = pic->px + (size_t)y * pic->w * pic->ch;
		uint8_t *out = dst + (size_t)y * bpl;

		if (mode == REFSCAN_MODE_LINEART)
			memset(out, 0, bpl);
		if (mode != REFSCAN_MODE_LINEART &&
		    pic->ch == 1 + 2 * (mode == REFSCAN_MODE_COLOR)) {
			memcpy(out, row, (size_t)pic->w * pic->ch);
			continue;
		}
		for (x = 0; x < pic->w; x++)
			put_pixel(out, x, mode, pic->ch,
				  row + (size_t)x * pic->ch);
	}
}

/**
 * pic_render() - one page of a picture in a scan's mode and size
 * @pic: the picture, taken as the whole page
 * @mode: REFSCAN_MODE_*
 * @width: pixels per row of the page
 * @rows: rows of the page
 * @dst: rows * refscan_bytes_per_line(@mode, @width) bytes, filled
 *
 * Return: 0, -EINVAL for an unknown mode or empty page, -ENOMEM
 */
int pic_render(const struct pic *pic, uint8_t mode, uint32_t width,
	       uint32_t rows, uint8_t *dst)
{
	unsigned int ch = mode == REFSCAN_MODE_COLOR ? 3 : 1;
	uint32_t bpl = refscan_bytes_per_line(mode, width);
	uint64_t area = (uint64_t)pic->w * pic->h;
	double inv = 1.0 / (double)area;
	uint32_t *h[2] = { NULL, NULL }, cached[2] = { UINT32_MAX, UINT32_MAX };
	struct span *xs = NULL;
	uint64_t *acc;
	uint32_t x, y, j;
	unsigned int c;
	int ret = 0;

	if (mode > REFSCAN_MODE_COLOR || !width || !rows)
		return -EINVAL;
	if (width == pic->w && rows == pic->h) {
		render_same_size(pic, mode, bpl, dst);
		return 0;
	}
	acc = malloc(sizeof(*acc) * width * ch);
	h[0] = calloc((size_t)width * ch, sizeof(uint32_t));
	h[1] = calloc((size_t)width * ch, sizeof(uint32_t));
	xs = malloc(sizeof(*xs) * width);
	if (!acc || !h[0] || !h[1] || !xs) {
		ret = -ENOMEM;
		goto out;
	}
	for (x = 0; x < width; x++)
		xs[x] = box_span(x, pic->w, width);
	for (y = 0; y < rows; y++) {
		struct span s = box_span(y, pic->h, rows);
		uint8_t *out = dst + (size_t)y * bpl;

		memset(acc, 0, sizeof(*acc) * width * ch);
		for (j = s.first; j <= s.last; j++) {
			/* a source row serves one or two output rows in a row */
			unsigned int k = j & 1;
			uint32_t wgt = span_weight(&s, j);

			if (cached[k] != j) {
				hscale(pic, j, xs, width, ch, h[k]);
				cached[k] = j;
			}
			for (x = 0; x < width * ch; x++)
				acc[x] += (uint64_t)wgt * h[k][x];
		}
		if (mode == REFSCAN_MODE_LINEART)
			memset(out, 0, bpl);
		for (x = 0; x < width; x++) {
			for (c = 0; c < ch; c++) {
				uint8_t v =
					div_round(acc[x * ch + c], area, inv);

				if (mode != REFSCAN_MODE_LINEART)
					out[x * ch + c] = v;
				else if (v < 128)
					out[x / 8] |= (uint8_t)(0x80 >> x % 8);
			}
		}
	}
out:
	free(xs);
	free(acc);
	free(h[0]);
	free(h[1]);
	return ret;
}

/**
 * sheets_open() - load the pictures of --image
 * @files: their paths
 * @n: how many (at least 1)
 * @out: the set, for sheets_page(); free with sheets_close()
 * @err: a one-line reason on failure, naming the file
 * @errlen: size of @err
 *
 * Return: 0 or -errno
 */
int sheets_open(char *const *files, unsigned int n, struct sheets **out,
		char *err, size_t errlen)
{
	struct sheets *s = calloc(1, sizeof(*s));
	unsigned int i;
	int ret = 0;

	if (s) {
		s->pics = calloc(n, sizeof(*s->pics));
		s->pages = calloc(n, sizeof(*s->pages));
	}
	if (!s || !s->pics || !s->pages) {
		sheets_close(s);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->n = n;
	for (i = 0; i < n && !ret; i++)
		ret = pic_load(files[i], &s->pics[i], err, errlen);
	if (ret) {
		sheets_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

void sheets_close(struct sheets *s)
{
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		if (s->pics)
			pic_free(&s->pics[i]);
		if (s->pages)
			free(s->pages[i].buf);
	}
	free(s->pics);
	free(s->pages);
	free(s);
}

/**
 * sheets_page() - the bytes of a page showing sheet @sheet's picture
 * @s: the set
 * @sheet: sheet number; picture @sheet modulo their count
 * @mode: REFSCAN_MODE_*
 * @width: pixels per row
 * @rows: rows of the page
 *
 * Rendered on the first call for these settings and kept: later calls
 * with the same ones return the same buffer at no cost.
 *
 * Return: rows * refscan_bytes_per_line(@mode, @width) bytes owned by @s,
 * valid until the next call for the same picture; NULL when out of memory
 * or for an empty page.
 */
const uint8_t *sheets_page(struct sheets *s, unsigned int sheet, uint8_t mode,
			   uint32_t width, uint32_t rows)
{
	unsigned int i = sheet % s->n;
	struct sheet_page *pg = &s->pages[i];
	size_t len = (size_t)rows * refscan_bytes_per_line(mode, width);

	if (pg->buf && pg->mode == mode && pg->width == width &&
	    pg->rows == rows)
		return pg->buf;
	free(pg->buf);
	pg->buf = len ? malloc(len) : NULL;
	if (pg->buf && pic_render(&s->pics[i], mode, width, rows, pg->buf)) {
		free(pg->buf);
		pg->buf = NULL;
	}
	pg->mode = mode;
	pg->width = width;
	pg->rows = rows;
	return pg->buf;
}
