// SPDX-License-Identifier: GPL-2.0
/*
 * The scan window's crop, done while sane_read copies the mapped ring's
 * bytes into the front end's buffer (the one copy; no buffer between).
 *
 * The reference protocol's SET_PARAMS has no window offset
 * (Documentation/reference-protocol.rst, "SET_PARAMS"): the scanner sends
 * width_px x height_px from its origin, width px(br-x) and height px(br-y).
 * The front end asked for the window from (px(tl-x), px(tl-y)): so of
 * every device row the first px(tl-x) pixels are dropped, and the first
 * px(tl-y) rows entirely.  The cost: the scanner still sends those rows
 * and columns, so a window at the bottom right takes the bus time of the
 * whole area from the origin to br.
 *
 * Gray and Color pixels are whole bytes: a row's kept bytes are one
 * contiguous run, copied with memcpy.  Lineart (1 bit a pixel, MSB first,
 * each row padded to a byte) at a tl-x that is not a multiple of 8 has
 * its bits shifted: output byte j of a row is the 8 bits from bit
 * (tl-x % 8) of input byte tl-x / 8 + j on, and the padding bits after the
 * last pixel of each output row are 0.  At a tl-x that is a multiple of
 * 8 the row's bytes pass unchanged, padding bits as the scanner sent them
 * (the formula's, on the reference scanner).
 *
 * A row may straddle ring buffers and sane_read calls of any size (1 byte
 * too): the cursor (device row, byte in it, output bytes of the row, the
 * previous input byte, at most one output byte held back) is kept in
 * struct wsane_crop between calls.
 */
#include <string.h>

#include "backend.h"

/* Of @n pixels, rows or bytes, what is left after dropping @drop: >= 1 */
static uint32_t keep(uint32_t n, uint32_t drop)
{
	return n > drop ? n - drop : 1;
}

/**
 * wsane_window_fit() - the window's offsets within the device's image
 * @win: px(tl-x), px(tl-y); clipped here
 * @width_px: the device's row, pixels (>= 1)
 * @height_px: its rows; 0 for pages of unknown length
 *
 * At least one pixel of every row and one row (of a known height) stay.
 */
void wsane_window_fit(struct wsane_window *win, uint32_t width_px,
		      uint32_t height_px)
{
	if (width_px && win->x0 >= width_px)
		win->x0 = width_px - 1;
	if (height_px && win->y0 >= height_px)
		win->y0 = height_px - 1;
}

/**
 * wsane_window_params() - SANE parameters of a window of a device image
 * @mode: SCAN_MODE_*
 * @width_px, @height_px: the device's image (height 0: unknown length)
 * @win: the offsets (fitted with wsane_window_fit())
 * @p: filled: pixels_per_line width_px - x0, bytes_per_line as the
 *	protocol computes it for that width, lines height_px - y0 (-1 for
 *	unknown length)
 */
void wsane_window_params(enum scan_mode mode, uint32_t width_px,
			 uint32_t height_px, const struct wsane_window *win,
			 SANE_Parameters *p)
{
	uint32_t w = keep(width_px, win->x0);

	memset(p, 0, sizeof(*p));
	p->format = mode == SCAN_MODE_COLOR ? SANE_FRAME_RGB : SANE_FRAME_GRAY;
	p->last_frame = SANE_TRUE;
	p->depth = mode == SCAN_MODE_LINEART ? 1 : 8;
	p->pixels_per_line = (SANE_Int)w;
	p->bytes_per_line = (SANE_Int)wias_scan_bytes_per_line(mode, w);
	p->lines = height_px ? (SANE_Int)keep(height_px, win->y0) : -1;
}

/**
 * wsane_crop_setup() - the crop of a scan the scanner confirmed
 * @c: filled; its cursor is reset for a page
 * @fmt: what the scanner sends (rows of @fmt->bytes_per_line bytes)
 * @win: the window's offsets (fitted to @fmt here)
 */
void wsane_crop_setup(struct wsane_crop *c, const struct scan_format *fmt,
		      const struct wsane_window *win)
{
	uint32_t w;

	memset(c, 0, sizeof(*c));
	c->win = *win;
	wsane_window_fit(&c->win, fmt->width_px, fmt->height_px);
	w = keep(fmt->width_px, c->win.x0);
	c->in_bpl = fmt->bytes_per_line;
	c->out_bpl = wias_scan_bytes_per_line(fmt->mode, w);
	/*
	 * Lineart from a whole byte (tl-x a multiple of 8, the usual 0) is
	 * cut like gray: whole bytes, padding as the scanner sent it.  Only
	 * a window from within a byte shifts bits, one byte at a time.
	 */
	c->bits = fmt->mode == SCAN_MODE_LINEART && c->win.x0 % 8;
	if (c->bits) {
		c->skip = c->win.x0 / 8;
		c->shift = c->win.x0 % 8;
		/* the padding bits at the end of each row: 0 */
		c->last_mask = (uint8_t)(0xffU << ((8 - w % 8) % 8));
	} else {
		c->skip = c->in_bpl - c->out_bpl;
	}
}

/* A new page: the cursor at its first byte */
void wsane_crop_page(struct wsane_crop *c)
{
	c->row = 0;
	c->col = 0;
	c->oj = 0;
	c->prev = 0;
	c->has_held = false;
}

/* @k input bytes consumed, all in the current row */
static void crop_advance(struct wsane_crop *c, size_t k)
{
	c->col += (uint32_t)k;
	if (c->col == c->in_bpl) {
		c->col = 0;
		c->oj = 0;
		c->row++;
	}
}

/* Lineart: output byte c->oj of the row is @v; into @out or held back */
static void crop_emit(struct wsane_crop *c, uint8_t v, uint8_t *out,
		      size_t out_len, size_t *o)
{
	if (c->oj + 1 == c->out_bpl)
		v &= c->last_mask;
	c->oj++;
	if (*o < out_len) {
		out[(*o)++] = v;
	} else {
		c->held = v;
		c->has_held = true;
	}
}

/**
 * wsane_crop_copy() - copy the window's bytes of some input
 * @c: the crop and its cursor
 * @in: the next @in_len bytes of the page (may be NULL when @in_len is 0)
 * @in_used: set to the input bytes consumed (all, unless @out is full)
 * @out: the front end's buffer, @out_len bytes (may be NULL when 0)
 *
 * Input outside the window is consumed without output even when @out_len
 * is 0, so a call with @out_len 0 that leaves input unconsumed says the
 * rest of @in has window bytes.  A byte held back by an earlier call
 * (lineart: one input byte can complete two output bytes) comes first.
 *
 * Return: bytes written to @out.
 */
size_t wsane_crop_copy(struct wsane_crop *c, const uint8_t *in, size_t in_len,
		       size_t *in_used, uint8_t *out, size_t out_len)
{
	size_t i = 0, o = 0, k;
	uint8_t b;

	if (c->has_held && out_len) {
		out[o++] = c->held;
		c->has_held = false;
	}
	while (i < in_len && !c->has_held) {
		if (c->row < c->win.y0 || c->col < c->skip) {
			k = (c->row < c->win.y0 ? c->in_bpl : c->skip) - c->col;
			if (k > in_len - i)
				k = in_len - i;
			i += k;
			crop_advance(c, k);
			continue;
		}
		if (o == out_len)
			break;
		if (!c->bits) {
			k = c->in_bpl - c->col;
			if (k > in_len - i)
				k = in_len - i;
			if (k > out_len - o)
				k = out_len - o;
			memcpy(out + o, in + i, k);
			o += k;
			i += k;
			crop_advance(c, k);
			continue;
		}
		b = in[i++];
		if (c->col > c->skip)
			crop_emit(c,
				  (uint8_t)((unsigned int)c->prev << c->shift |
					    (unsigned int)b >> (8 - c->shift)),
				  out, out_len, &o);
		c->prev = b;
		if (c->col + 1 == c->in_bpl && c->oj < c->out_bpl)
			crop_emit(c, (uint8_t)((unsigned int)b << c->shift),
				  out, out_len, &o);
		crop_advance(c, 1);
	}
	*in_used = i;
	return o;
}
