/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reference image: byte x of row y of page p (all 0-based, x counting
 * bytes within the row whatever the mode) is (31*x + 17*y + 101*p) mod 251.
 * The one definition shared by the emulator, the synthetic source and the
 * tests, so anyone can check a scan independently.
 */
#ifndef WIASCAN_FORMULA_H
#define WIASCAN_FORMULA_H

#include <stddef.h>
#include <stdint.h>

static inline uint8_t formula_byte(uint64_t x, uint64_t y, uint64_t p)
{
	return (uint8_t)((31 * (x % 251) + 17 * (y % 251) + 101 * (p % 251)) %
			 251);
}

/* Fill @len bytes of row @y of page @p, starting at byte @x0 of the row */
static inline void formula_fill(uint8_t *dst, size_t len, uint64_t x0,
				uint64_t y, uint64_t p)
{
	unsigned int v = formula_byte(x0, y, p);
	size_t i;

	for (i = 0; i < len; i++) {
		dst[i] = (uint8_t)v;
		v += 31;
		if (v >= 251)
			v -= 251;
	}
}

#endif /* WIASCAN_FORMULA_H */
