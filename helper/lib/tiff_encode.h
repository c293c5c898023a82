/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One strip compressed by libtiff's own codec, off the file: the strip is
 * written as the only strip of a TIFF in memory (TIFFClientOpen on a
 * growing buffer) with the tags of the real page, and its encoded bytes
 * are then copied into the real file with TIFFWriteRawStrip (as GDAL's
 * GeoTIFF writer compresses in parallel).  So any number of threads can
 * compress at once, each with its own encoder, and one writer keeps the
 * file in order.
 *
 * Every strip stands alone: JPEG strips are complete JPEG streams (tables
 * in each, JPEGTablesMode 0; no JPEGTables tag), G4 strips start from a
 * white reference line, LZW and deflate start a new dictionary, as
 * libtiff does for every strip anyway.
 *
 * Memory: an encoder keeps one buffer, doubled from 64 KiB until it holds
 * the largest encoded strip plus the TIFF header and directory, so up to
 * twice that strip; libtiff's codec state lives only while a strip is
 * encoded.  Uncompressed strips are not copied at all.
 */
#ifndef WIASCAN_TIFF_ENCODE_H
#define WIASCAN_TIFF_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tiffio.h>

#include "params.h"

/**
 * struct tiff_enc_format - what a strip is and how it is compressed
 * @width_px: pixels in a row
 * @mode: SCAN_MODE_* (the sample layout)
 * @compression: COMPRESSION_* (libtiff's tag value)
 * @jpeg_quality: 1..100 (JPEG)
 * @ycbcr: color JPEG stored as YCbCr, chroma subsampled 2x2 (libtiff
 *	converts the RGB rows: JPEGCOLORMODE_RGB)
 * @deflate_level: 1..9 (deflate)
 */
struct tiff_enc_format {
	uint32_t width_px;
	enum scan_mode mode;
	uint16_t compression;
	int jpeg_quality;
	bool ycbcr;
	int deflate_level;
};

/**
 * struct tiff_encoder - one strip's encoded bytes and their buffer
 * @buf, @len, @cap, @pos: the TIFF in memory (bytes written, allocated,
 *	the file position)
 * @nomem: a write to @buf could not grow it
 * @data, @data_len: the encoded strip inside @buf after a success, or, for
 *	COMPRESSION_NONE, the rows given (valid while they are)
 * @msg: libtiff's error message of the last failure
 */
struct tiff_encoder {
	uint8_t *buf;
	size_t len, cap, pos;
	bool nomem;
	const uint8_t *data;
	size_t data_len;
	char msg[160];
};

void wias_tiff_set_format(TIFF *tif, const struct tiff_enc_format *f);
int wias_tiff_encode_strip(struct tiff_encoder *e,
			   const struct tiff_enc_format *f, void *rows_buf,
			   size_t len, uint32_t rows);
void wias_tiff_encoder_free(struct tiff_encoder *e);

#endif /* WIASCAN_TIFF_ENCODE_H */
