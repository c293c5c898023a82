// SPDX-License-Identifier: GPL-2.0
/*
 * Page bytes, fast.
 *
 * formula_fill() produces one byte per loop step; under QEMU TCG that alone
 * would cap the emulator near the bus speed it is meant to saturate.  But a
 * row of the formula is an arithmetic sequence mod 251 whose step does not
 * depend on the row: every row is a window into one periodic pattern,
 * entered at a phase fixed by the row's first byte.  So the pattern is
 * generated once with formula_fill() (the single definition of the image)
 * and rows become memcpy()s.  image_init() checks the shortcut against
 * formula_fill() so that a change of the formula cannot go unnoticed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"
#include "formula.h"

#define FORMULA_PERIOD 251
#define PATTERN_RUN    (64 * 1024) /* longest memcpy from the pattern */

static uint8_t *pattern;      /* FORMULA_PERIOD + PATTERN_RUN bytes */
static uint8_t phase_of[256]; /* byte value -> index in pattern */

/* Fill @len bytes of row @y of page @p from byte @x of the row */
static void row_fill(uint8_t *dst, size_t len, uint64_t x, uint64_t y,
		     uint64_t p)
{
	size_t at = phase_of[formula_byte(x, y, p)];

	while (len) {
		size_t n = len < PATTERN_RUN ? len : PATTERN_RUN;

		memcpy(dst, pattern + at, n);
		dst += n;
		len -= n;
		at = (at + n) % FORMULA_PERIOD;
	}
}

static int image_self_check(void)
{
	static const uint32_t rows[][3] = {
		/* x, y, p */
		{ 0, 0, 0 },	   { 7, 1, 0 },		{ 250, 3, 1 },
		{ 1000, 5000, 7 }, { 123457, 99, 250 }, { 3, 251, 251 },
	};
	uint8_t want[3000], got[3000];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		formula_fill(want, sizeof(want), rows[i][0], rows[i][1],
			     rows[i][2]);
		row_fill(got, sizeof(got), rows[i][0], rows[i][1], rows[i][2]);
		if (memcmp(want, got, sizeof(want)) != 0)
			return -EDOM;
	}
	return 0;
}

int image_init(void)
{
	size_t i;

	pattern = malloc(FORMULA_PERIOD + PATTERN_RUN);
	if (!pattern)
		return -ENOMEM;
	formula_fill(pattern, FORMULA_PERIOD + PATTERN_RUN, 0, 0, 0);
	for (i = 0; i < FORMULA_PERIOD; i++)
		phase_of[pattern[i]] = (uint8_t)i;
	return image_self_check();
}

/*
 * Fill @dst with @len bytes of page @page starting at byte @offset of the
 * page, rows being @bpl bytes long.
 */
void image_fill(uint8_t *dst, size_t len, uint64_t offset, uint32_t bpl,
		uint32_t page)
{
	uint64_t y = offset / bpl;
	uint64_t x = offset % bpl;

	while (len) {
		size_t n = bpl - x;

		if (n > len)
			n = len;
		row_fill(dst, n, x, y, page);
		dst += n;
		len -= n;
		x = 0;
		y++;
	}
}
