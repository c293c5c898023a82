// SPDX-License-Identifier: GPL-2.0
/*
 * The shared image formula: formula_byte against its definition, and
 * formula_fill against formula_byte at every starting column.
 */
#include "kselftest_harness.h"

#include "formula.h"

TEST(formula_byte_matches_known_values)
{
	EXPECT_EQ(0, formula_byte(0, 0, 0));
	EXPECT_EQ(31, formula_byte(1, 0, 0));
	EXPECT_EQ(17, formula_byte(0, 1, 0));
	EXPECT_EQ(101, formula_byte(0, 0, 1));
	EXPECT_EQ(28, formula_byte(9, 0, 0)); /* 279 mod 251 */
	EXPECT_EQ((31 * 1000 + 17 * 2000 + 101 * 3) % 251,
		  formula_byte(1000, 2000, 3));
}

TEST(formula_byte_never_reaches_251)
{
	uint64_t x, y;

	for (y = 0; y < 300; y++)
		for (x = 0; x < 600; x++)
			ASSERT_GT(251, formula_byte(x, y, y / 7));
}

TEST(formula_byte_holds_for_huge_coordinates)
{
	/* Offsets past 4 GiB must not overflow: compare with the definition mod 251 */
	uint64_t x = 5000000000ULL, y = 7000000001ULL, p = 123456789ULL;
	unsigned int want = (unsigned int)((31 * (x % 251) + 17 * (y % 251) +
					    101 * (p % 251)) %
					   251);

	EXPECT_EQ(want, formula_byte(x, y, p));
	EXPECT_EQ(formula_byte(0, 0, 0), formula_byte(251, 251, 251));
}

TEST(formula_fill_equals_formula_byte_from_any_column)
{
	uint8_t buf[700];
	uint64_t x0, i;

	for (x0 = 0; x0 < 520; x0 += 13) {
		formula_fill(buf, sizeof(buf), x0, 77, 5);
		for (i = 0; i < sizeof(buf); i++)
			ASSERT_EQ(formula_byte(x0 + i, 77, 5), buf[i])
		TH_LOG("x0 %llu, byte %llu", (unsigned long long)x0,
		       (unsigned long long)i);
	}
}

TEST(formula_fill_of_zero_bytes_writes_nothing)
{
	uint8_t buf[4] = { 0xaa, 0xaa, 0xaa, 0xaa };

	formula_fill(buf, 0, 3, 4, 5);
	EXPECT_EQ(0xaa, buf[0]);
}

TEST_HARNESS_MAIN
