// SPDX-License-Identifier: GPL-2.0
/*
 * A strip compressed by libtiff into a TIFF in memory (tiff_encode.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "tiff_encode.h"

/* ---- libtiff's file procedures on a growing buffer ---- */

static tmsize_t mem_read(thandle_t h, void *buf, tmsize_t len)
{
	struct tiff_encoder *e = h;
	size_t n = e->pos < e->len ? e->len - e->pos : 0;

	if (n > (size_t)len)
		n = (size_t)len;
	memcpy(buf, e->buf + e->pos, n);
	e->pos += n;
	return (tmsize_t)n;
}

static int mem_grow(struct tiff_encoder *e, size_t need)
{
	size_t cap = e->cap ? e->cap : 64 << 10;
	uint8_t *b;

	while (cap < need)
		cap *= 2;
	if (cap == e->cap)
		return 0;
	b = realloc(e->buf, cap);
	if (!b)
		return -ENOMEM;
	e->buf = b;
	e->cap = cap;
	return 0;
}

static tmsize_t mem_write(thandle_t h, void *buf, tmsize_t len)
{
	struct tiff_encoder *e = h;
	size_t end = e->pos + (size_t)len;

	if (mem_grow(e, end)) {
		e->nomem = true;
		return -1;
	}
	if (e->pos > e->len) /* a seek past the end: a hole of zeros */
		memset(e->buf + e->len, 0, e->pos - e->len);
	memcpy(e->buf + e->pos, buf, (size_t)len);
	e->pos = end;
	if (end > e->len)
		e->len = end;
	return len;
}

static toff_t mem_seek(thandle_t h, toff_t off, int whence)
{
	struct tiff_encoder *e = h;
	uint64_t base = whence == SEEK_CUR ? e->pos :
			whence == SEEK_END ? e->len :
					     0;

	e->pos = (size_t)(base + off);
	return e->pos;
}

static int mem_close(thandle_t h)
{
	(void)h;
	return 0;
}

static toff_t mem_size(thandle_t h)
{
	return ((struct tiff_encoder *)h)->len;
}

static int mem_map(thandle_t h, void **base, toff_t *size)
{
	(void)h;
	(void)base;
	(void)size;
	return 0;
}

static void mem_unmap(thandle_t h, void *base, toff_t size)
{
	(void)h;
	(void)base;
	(void)size;
}

static int __printf(4, 0) mem_error(TIFF *tif, void *user, const char *module,
				    const char *fmt, va_list ap)
{
	struct tiff_encoder *e = user;
	int n;

	(void)tif;
	n = snprintf(e->msg, sizeof(e->msg),
		     "%s: ", module ? module : "libtiff");
	if (n < 0 || (size_t)n >= sizeof(e->msg))
		n = 0;
	vsnprintf(e->msg + n, sizeof(e->msg) - (size_t)n, fmt, ap);
	return 1;
}

static int __printf(4, 0) mem_warning(TIFF *tif, void *user, const char *module,
				      const char *fmt, va_list ap)
{
	(void)tif;
	(void)user;
	(void)module;
	(void)fmt;
	(void)ap;
	return 1;
}

static TIFF *mem_open(struct tiff_encoder *e)
{
	TIFFOpenOptions *o = TIFFOpenOptionsAlloc();
	TIFF *tif;

	if (!o)
		return NULL;
	TIFFOpenOptionsSetErrorHandlerExtR(o, mem_error, e);
	TIFFOpenOptionsSetWarningHandlerExtR(o, mem_warning, NULL);
	tif = TIFFClientOpenExt("strip", "w", e, mem_read, mem_write, mem_seek,
				mem_close, mem_size, mem_map, mem_unmap, o);
	TIFFOpenOptionsFree(o);
	return tif;
}

/* ---- the tags ---- */

/*
 * The sample layout.  Lineart: the scanner sends 1 = black, which TIFF
 * calls MinIsWhite, so the bytes are written untouched and viewers show
 * black as black.
 */
static void set_layout(TIFF *tif, enum scan_mode mode, bool ycbcr)
{
	uint16_t bps = mode == SCAN_MODE_LINEART ? 1 : 8;
	uint16_t spp = mode == SCAN_MODE_COLOR ? 3 : 1;
	uint16_t photo = PHOTOMETRIC_MINISBLACK;

	if (mode == SCAN_MODE_LINEART)
		photo = PHOTOMETRIC_MINISWHITE;
	else if (mode == SCAN_MODE_COLOR)
		photo = ycbcr ? PHOTOMETRIC_YCBCR : PHOTOMETRIC_RGB;
	TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bps);
	TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, spp);
	TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, photo);
	TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(tif, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
}

/*
 * YCbCr: 2x2 subsampling, and the ReferenceBlackWhite libtiff's JPEG
 * encoder would fill in (0 255, 128 255, 128 255 for 8 bits), written
 * here because the real file's strips are copied raw.
 */
static void set_ycbcr(TIFF *tif)
{
	static float refbw[6] = { 0, 255, 128, 255, 128, 255 };

	TIFFSetField(tif, TIFFTAG_YCBCRSUBSAMPLING, 2, 2);
	TIFFSetField(tif, TIFFTAG_REFERENCEBLACKWHITE, refbw);
}

/**
 * wias_tiff_set_format() - the layout and compression tags of a page
 * @tif: a TIFF being written (the real file or a strip in memory)
 * @f: the format
 *
 * Sets BitsPerSample, SamplesPerPixel, Photometric, PlanarConfig,
 * FillOrder, ImageWidth, Compression and the codec's settings (pseudo-tags,
 * set after Compression): JPEG quality, no shared tables, and for YCbCr
 * libtiff's RGB-to-YCbCr conversion (JPEGCOLORMODE_RGB); the deflate
 * level.  Not ImageLength or RowsPerStrip.
 */
void wias_tiff_set_format(TIFF *tif, const struct tiff_enc_format *f)
{
	TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, f->width_px);
	set_layout(tif, f->mode, f->ycbcr);
	if (f->ycbcr)
		set_ycbcr(tif);
	TIFFSetField(tif, TIFFTAG_COMPRESSION, f->compression);
	switch (f->compression) {
	case COMPRESSION_JPEG:
		TIFFSetField(tif, TIFFTAG_JPEGQUALITY, f->jpeg_quality);
		TIFFSetField(tif, TIFFTAG_JPEGTABLESMODE, 0);
		if (f->ycbcr)
			TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE,
				     JPEGCOLORMODE_RGB);
		break;
	case COMPRESSION_ADOBE_DEFLATE:
		TIFFSetField(tif, TIFFTAG_ZIPQUALITY, f->deflate_level);
		break;
	default:
		break;
	}
}

/*
 * The one strip's place in the memory TIFF, checked against its length.
 * An offset, not a pointer: TIFFCleanup flushes the directory, which may
 * move the buffer.
 */
static int find_strip(TIFF *tif, struct tiff_encoder *e, uint64_t *off)
{
	uint64_t n = TIFFGetStrileByteCount(tif, 0);

	*off = TIFFGetStrileOffset(tif, 0);
	if (!n || *off > e->len || n > e->len - *off) {
		snprintf(e->msg, sizeof(e->msg),
			 "strip encoder: no encoded strip");
		return -EIO;
	}
	e->data_len = (size_t)n;
	return 0;
}

/**
 * wias_tiff_encode_strip() - compress one strip with libtiff's codec
 * @e: the encoder (its buffer is reused; the previous strip is gone)
 * @f: the page's format
 * @rows_buf: @rows whole rows, @len bytes; libtiff may change them
 * @len: bytes
 * @rows: rows (any count: the strip is the whole image in memory)
 *
 * Thread-safe for distinct encoders: every libtiff handle is the caller's
 * own and its messages go to @e->msg.
 *
 * Return: 0 with the encoded bytes at @e->data, @e->data_len; -ENOMEM
 * when the buffer cannot grow; -EIO with libtiff's message in @e->msg.
 */
int wias_tiff_encode_strip(struct tiff_encoder *e,
			   const struct tiff_enc_format *f, void *rows_buf,
			   size_t len, uint32_t rows)
{
	uint64_t off = 0;
	TIFF *tif;
	int ret = -EIO;

	e->len = e->pos = 0;
	e->nomem = false;
	e->data = NULL;
	e->data_len = 0;
	e->msg[0] = '\0';
	/* An uncompressed strip is its rows: no codec, no copy */
	if (f->compression == COMPRESSION_NONE) {
		e->data = rows_buf;
		e->data_len = len;
		return 0;
	}
	tif = mem_open(e);
	if (tif) {
		wias_tiff_set_format(tif, f);
		TIFFSetField(tif, TIFFTAG_IMAGELENGTH, rows);
		TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, rows);
		if (TIFFWriteEncodedStrip(tif, 0, rows_buf, (tmsize_t)len) >= 0)
			ret = find_strip(tif, e, &off);
		TIFFCleanup(tif); /* flushes an IFD after the strip */
	}
	if (e->nomem) {
		snprintf(e->msg, sizeof(e->msg),
			 "strip encoder: out of memory");
		return -ENOMEM;
	}
	if (!ret)
		e->data = e->buf + off; /* where the buffer is now */
	return ret;
}

/**
 * wias_tiff_encoder_free() - free an encoder's buffer
 * @e: the encoder (may be reused: it starts empty again)
 */
void wias_tiff_encoder_free(struct tiff_encoder *e)
{
	free(e->buf);
	memset(e, 0, sizeof(*e));
}
