// SPDX-License-Identifier: GPL-2.0
/*
 * check-tiff FILE ROWS[,ROWS...] PAGES [FIRST_PAGE [MAX_MEAN_ERROR]]
 *
 * Read a TIFF back with libtiff (whatever its compression) and check
 * every page against the reference formula: page i of the file is scan
 * page FIRST_PAGE + i (default 0) with ROWS[i] rows (the last value
 * repeats).  Lossless pages must be byte-exact (1-bit pages must say
 * MinIsWhite: the scanner's 1 = black, kept as sent); with MAX_MEAN_ERROR
 * (JPEG) the mean absolute error per sample must not pass it.  Silent and
 * exit 0 when the file is right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#include "formula.h"

#define MAX_PAGES_ROWS 64

static uint32_t rows_of(const uint32_t *rows, int n, uint32_t p)
{
	return rows[p < (uint32_t)n ? p : (uint32_t)n - 1];
}

/* Differences of one page; -1 when its layout is wrong */
static long long check_page(TIFF *tif, uint32_t want_rows, uint32_t page,
			    double *abs_err, unsigned long long *samples)
{
	uint32_t w = 0, h = 0, y, x;
	uint16_t bps = 0, photo = 0;
	uint8_t *buf, mask = 0xff;
	long long bad = 0;
	tmsize_t bpl;

	TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
	TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
	TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
	TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photo);
	/* YCbCr JPEG (2x2): libtiff's decoder gives RGB rows back */
	if (photo == PHOTOMETRIC_YCBCR)
		TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
	bpl = TIFFScanlineSize(tif);
	if (h != want_rows || bpl <= 0) {
		fprintf(stderr, "page %u: %u rows, expected %u\n", page, h,
			want_rows);
		return -1;
	}
	if (bps == 1 && photo != PHOTOMETRIC_MINISWHITE) {
		fprintf(stderr, "page %u: 1-bit but not min-is-white\n", page);
		return -1;
	}
	if (bps == 1 && w % 8) /* pad bits: a codec of pixels (G4) drops them */
		mask = (uint8_t)(0xff << (8 - w % 8));
	buf = malloc((size_t)bpl);
	for (y = 0; y < h && buf; y++) {
		if (TIFFReadScanline(tif, buf, y, 0) < 0) {
			free(buf);
			return -1;
		}
		for (x = 0; x < (uint32_t)bpl; x++) {
			int want = formula_byte(x, y, page), got = buf[x], d;

			if (x == (uint32_t)bpl - 1) {
				want &= mask;
				got &= mask;
			}
			d = got - want;
			bad += d != 0;
			*abs_err += d < 0 ? -d : d;
		}
		*samples += (unsigned long long)bpl;
	}
	free(buf);
	return bad;
}

int main(int argc, char **argv)
{
	uint32_t rows[MAX_PAGES_ROWS], pages, first = 0, p = 0;
	unsigned long long samples = 0;
	double abs_err = 0, max_mean = -1;
	char *s, *save = NULL;
	long long bad = 0, b;
	int n = 0;
	TIFF *tif;

	if (argc < 4 || argc > 6) {
		fprintf(stderr,
			"usage: check-tiff FILE ROWS[,ROWS...] PAGES [FIRST [MAX_MEAN_ERROR]]\n");
		return 2;
	}
	for (s = strtok_r(argv[2], ",", &save); s && n < MAX_PAGES_ROWS;
	     s = strtok_r(NULL, ",", &save))
		rows[n++] = (uint32_t)strtoul(s, NULL, 10);
	pages = (uint32_t)strtoul(argv[3], NULL, 10);
	if (argc > 4)
		first = (uint32_t)strtoul(argv[4], NULL, 10);
	if (argc > 5)
		max_mean = strtod(argv[5], NULL);
	tif = TIFFOpen(argv[1], "r");
	if (!tif || !n)
		return 1;
	do {
		b = check_page(tif, rows_of(rows, n, p), first + p, &abs_err,
			       &samples);
		if (b < 0) {
			TIFFClose(tif);
			return 1;
		}
		bad += b;
		p++;
	} while (TIFFReadDirectory(tif));
	TIFFClose(tif);
	if (p != pages) {
		fprintf(stderr, "%s: %u pages, expected %u\n", argv[1], p,
			pages);
		return 1;
	}
	if (max_mean >= 0) {
		printf("mean absolute error %.3f\n",
		       samples ? abs_err / (double)samples : 0);
		return samples && abs_err / (double)samples <= max_mean ? 0 : 1;
	}
	if (bad)
		fprintf(stderr, "%s: %lld bytes differ\n", argv[1], bad);
	return bad ? 1 : 0;
}
