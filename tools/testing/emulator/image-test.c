// SPDX-License-Identifier: GPL-2.0
/*
 * Native check of the emulator's fast page generator (image.c) against
 * formula_byte(), for row lengths and offsets that cross row and pattern
 * boundaries.  TAP output.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "emu.h"
#include "formula.h"

/* image.c reports through these; the test has nothing to log */
void emu_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static int check(uint32_t bpl, uint32_t page, uint64_t off, size_t len)
{
	uint8_t *buf = malloc(len);
	size_t i;
	int bad = 0;

	image_fill(buf, len, off, bpl, page);
	for (i = 0; i < len && !bad; i++) {
		uint64_t o = off + i;

		if (buf[i] != formula_byte(o % bpl, o / bpl, page)) {
			printf("# bpl %u page %u: byte %llu is %u\n", bpl, page,
			       (unsigned long long)o, buf[i]);
			bad = 1;
		}
	}
	free(buf);
	return bad;
}

int main(void)
{
	static const struct {
		uint32_t bpl, page;
		uint64_t off;
		size_t len;
	} cases[] = {
		{ 1, 0, 0, 1000 }, /* one-byte rows */
		{ 250, 1, 0, 100000 },
		{ 251, 2, 7, 100000 },
		{ 252, 250, 1000, 100000 },
		{ 1240, 3, 123457, 1 << 20 }, /* gray A4 150 dpi, mid-page */
		{ 30612, 251, 5, 300000 },    /* colour 1200 dpi */
		{ 70000, 9, 65530,
		  300000 }, /* rows longer than a pattern run */
		{ 2480, 65535, 2480ULL * 3508 - 100, 100 }, /* end of a page */
	};
	int n = ARRAY_SIZE(cases), i, fails = 0;

	printf("TAP version 13\n1..%d\n", n + 1);
	fails = image_init() ? 1 : 0;
	printf("%sok 1 image_init self-check\n", fails ? "not " : "");
	for (i = 0; i < n; i++) {
		int bad = check(cases[i].bpl, cases[i].page, cases[i].off,
				cases[i].len);

		fails += bad;
		printf("%sok %d image_fill bpl %u page %u offset %llu\n",
		       bad ? "not " : "", i + 2, cases[i].bpl, cases[i].page,
		       (unsigned long long)cases[i].off);
	}
	return fails ? 1 : 0;
}
