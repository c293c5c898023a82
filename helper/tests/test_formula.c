// SPDX-License-Identifier: GPL-2.0
/*
 * The shared image formula: formula_byte against its definition,
 * formula_fill against formula_byte at every starting column, and the
 * synthetic scanner's rows (one precomputed sequence, shifted) against
 * formula_byte for every byte.
 */
#include "kselftest_harness.h"

#include "formula.h"
#include "source.h"

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

/* Pages of 260 rows (every shift of the sequence appears), 3 pages, in
 * 4099-byte buffers so that rows straddle them */
static int synth_mismatch(uint32_t bpl, uint64_t *bytes)
{
	struct synth_options o = {
		.fmt = { .mode = SCAN_MODE_GRAY,
			 .source = SCAN_SOURCE_ADF,
			 .dpi = 300,
			 .width_px = bpl,
			 .height_px = 260,
			 .bytes_per_line = bpl },
		.pages = 3,
		.nbufs = 4,
		.buf_size = 4099,
	};
	struct wia_error err = { 0 };
	struct scan_source *src;
	struct scan_buf b;
	uint64_t off = 0;
	uint32_t page = 0;
	bool last = false;
	int bad = 0;
	size_t i;

	if (wias_synth_source_open(&o, &err, &src) || src->ops->start(src))
		return -1;
	while (!last && !src->ops->next(src, &b)) {
		for (i = 0; i < b.bytesused && !bad; i++, off++)
			bad = b.data[i] !=
			      formula_byte(off % bpl, off / bpl, page);
		src->ops->release(src, &b);
		if (bad)
			break;
		if (b.end_of_page) {
			*bytes += off;
			if (src->ops->page_done(src, page, off, &last))
				bad = 1;
			page++;
			off = 0;
		}
	}
	src->ops->stop(src, false);
	scan_source_close(src);
	return bad || page != 3 ? 1 : 0;
}

TEST(synthetic_rows_equal_formula_byte_at_every_width)
{
	static const uint32_t widths[] = { 1, 7, 250, 251, 252, 1000, 7440 };
	size_t i;

	for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		uint64_t bytes = 0;

		ASSERT_EQ(0, synth_mismatch(widths[i], &bytes))
		TH_LOG("rows of %u bytes", widths[i]);
		ASSERT_EQ(3ULL * 260 * widths[i], bytes);
	}
}

TEST_HARNESS_MAIN
