// SPDX-License-Identifier: GPL-2.0
/*
 * fj-check: is a scanned page the reference image?
 *
 *   fj-check FILE PAGE [WIDTH HEIGHT]
 *
 * FILE is a PNM page as scanimage writes it (P4 lineart, P5 gray, P6
 * colour, 8 bits); every byte of its raster must be formula_byte(x, y,
 * PAGE) of helper/lib/formula.h, x counting bytes within the row (for P4
 * the packed bytes, the width a multiple of 8).  With WIDTH and HEIGHT
 * the pixel size must be those too.  Prints one line saying what it
 * found; exit status 0 when the page is exact, 1 when not, 2 on usage or
 * I/O errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formula.h"

static int next_num(FILE *f, unsigned long *v)
{
	int c;

	for (;;) {
		c = fgetc(f);
		if (c == '#') {
			while (c != '\n' && c != EOF)
				c = fgetc(f);
		} else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			break;
		}
	}
	if (c < '0' || c > '9')
		return -1;
	*v = 0;
	while (c >= '0' && c <= '9') {
		*v = *v * 10 + (unsigned long)(c - '0');
		c = fgetc(f);
	}
	return 0; /* the one whitespace after the number is consumed */
}

int main(int argc, char **argv)
{
	unsigned long w, h, maxval = 1, page, bpl, x, y, bad = 0;
	unsigned long want_w = 0, want_h = 0;
	unsigned char *row;
	char magic[3] = { 0 };
	FILE *f;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: fj-check FILE PAGE [WIDTH HEIGHT]\n");
		return 2;
	}
	page = strtoul(argv[2], NULL, 10);
	if (argc == 5) {
		want_w = strtoul(argv[3], NULL, 10);
		want_h = strtoul(argv[4], NULL, 10);
	}
	f = fopen(argv[1], "rb");
	if (!f || fread(magic, 1, 2, f) != 2) {
		perror(argv[1]);
		return 2;
	}
	if (magic[0] != 'P' ||
	    (magic[1] != '4' && magic[1] != '5' && magic[1] != '6') ||
	    next_num(f, &w) || next_num(f, &h) ||
	    (magic[1] != '4' && next_num(f, &maxval))) {
		printf("%s: not a P4/P5/P6 file\n", argv[1]);
		return 1;
	}
	if (maxval != 1 && maxval != 255) {
		printf("%s: maxval %lu, not 8 bits\n", argv[1], maxval);
		return 1;
	}
	bpl = magic[1] == '4' ? (w + 7) / 8 : magic[1] == '5' ? w : 3 * w;
	row = malloc(bpl ? bpl : 1);
	if (!row)
		return 2;
	for (y = 0; y < h; y++) {
		if (fread(row, 1, bpl, f) != bpl) {
			printf("%s: %s %lux%lu page %lu: short at row %lu\n",
			       argv[1], magic, w, h, page, y);
			free(row);
			return 1;
		}
		for (x = 0; x < bpl; x++) {
			if (row[x] == formula_byte(x, y, page))
				continue;
			if (!bad++)
				printf("%s: first difference at byte %lu of row %lu: %u, formula %u\n",
				       argv[1], x, y, row[x],
				       formula_byte(x, y, page));
		}
	}
	free(row);
	if (fgetc(f) != EOF) {
		printf("%s: bytes after the raster\n", argv[1]);
		return 1;
	}
	fclose(f);
	printf("%s: %s %lux%lu page %lu: %lu bytes differ from the formula\n",
	       argv[1], magic, w, h, page, bad);
	if (want_w && (w != want_w || h != want_h)) {
		printf("%s: size %lux%lu, expected %lux%lu\n", argv[1], w, h,
		       want_w, want_h);
		return 1;
	}
	return bad ? 1 : 0;
}
