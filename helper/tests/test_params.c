// SPDX-License-Identifier: GPL-2.0
/*
 * Scan parameters (sizes, modes, numbers) and the error-to-exit-code map.
 */
#include <math.h>

#include "kselftest_harness.h"

#include "error.h"
#include "exit_codes.h"
#include "params.h"
#include "refscan.h"

static void px(const char *size, uint32_t dpi, uint32_t *w, uint32_t *h)
{
	struct scan_size_spec spec;

	*w = *h = 0;
	if (!wias_scan_parse_size(size, &spec))
		wias_scan_resolve_size(&spec, dpi, SCAN_SOURCE_ADF, w, h);
}

TEST(a4_becomes_rounded_pixels_at_common_resolutions)
{
	static const struct {
		uint32_t dpi, w, h;
	} a4[] = {
		{ 50, 413, 585 },    { 75, 620, 877 },	    { 100, 827, 1169 },
		{ 150, 1240, 1754 }, { 200, 1654, 2339 },   { 300, 2480, 3508 },
		{ 600, 4961, 7016 }, { 1200, 9921, 14031 },
	};
	uint32_t w, h;
	size_t i;

	for (i = 0; i < sizeof(a4) / sizeof(a4[0]); i++) {
		px("a4", a4[i].dpi, &w, &h);
		EXPECT_EQ(a4[i].w, w) TH_LOG("a4 width at %u dpi", a4[i].dpi);
		EXPECT_EQ(a4[i].h, h) TH_LOG("a4 height at %u dpi", a4[i].dpi);
	}
}

TEST(letter_is_eight_and_a_half_by_eleven_inches)
{
	uint32_t w, h;

	px("letter", 300, &w, &h);
	EXPECT_EQ(2550, w);
	EXPECT_EQ(3300, h);
	px("letter", 100, &w, &h);
	EXPECT_EQ(850, w);
	EXPECT_EQ(1100, h);
	px("letter", 75, &w, &h);
	EXPECT_EQ(638, w); /* 637.5 rounds up */
	EXPECT_EQ(825, h);
}

TEST(paper_sizes_agree_with_floating_point_rounding)
{
	static const double mm[] = { 210, 297, 215.9, 279.4 };
	static const uint32_t tenth[] = { 2100, 2970, 2159, 2794 };
	uint32_t dpi;
	size_t i;

	for (dpi = 1; dpi <= 2400; dpi++) {
		for (i = 0; i < 4; i++) {
			double exact = mm[i] / 25.4 * dpi;

			if (fabs(exact - floor(exact) - 0.5) < 1e-6)
				continue; /* a true half: checked above */
			ASSERT_EQ((uint32_t)lround(exact),
				  wias_scan_tenth_mm_to_px(tenth[i], dpi))
			TH_LOG("%.1f mm at %u dpi", mm[i], dpi);
		}
	}
}

TEST(pixel_sizes_parse)
{
	struct scan_size_spec spec;

	ASSERT_EQ(0, wias_scan_parse_size("640x480", &spec));
	EXPECT_FALSE(spec.named);
	EXPECT_EQ(640, spec.width_px);
	EXPECT_EQ(480, spec.height_px);
	ASSERT_EQ(0, wias_scan_parse_size("1x0", &spec));
	EXPECT_EQ(1, spec.width_px);
	EXPECT_EQ(0, spec.height_px);
}

TEST(bad_sizes_are_refused)
{
	static const char *const bad[] = {
		"",	     "x",	  "10x",
		"x10",	     "0x10",	  "10x10x",
		"-1x5",	     "10x-5",	  "10 x 5",
		" 10x5",     "a5",	  "A4",
		"1000001x1", "1x1000001", "99999999999999999999x1",
		"10X5",	     "0x0",	  "+3x4",
	};
	struct scan_size_spec spec;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_NE(0, wias_scan_parse_size(bad[i], &spec))
	TH_LOG("bad size number %zu was accepted", i);
}

TEST(unknown_length_needs_the_adf)
{
	struct scan_size_spec spec;
	uint32_t w = 0, h = 1;

	ASSERT_EQ(0, wias_scan_parse_size("800x0", &spec));
	EXPECT_EQ(-EINVAL, wias_scan_resolve_size(&spec, 100,
						  SCAN_SOURCE_FLATBED, &w, &h));
	EXPECT_EQ(0,
		  wias_scan_resolve_size(&spec, 100, SCAN_SOURCE_ADF, &w, &h));
	EXPECT_EQ(800, w);
	EXPECT_EQ(0, h);
}

TEST(modes_and_sources_parse_exactly)
{
	enum scan_mode m;
	enum scan_source_kind s;

	ASSERT_EQ(0, wias_scan_parse_mode("lineart", &m));
	EXPECT_EQ(SCAN_MODE_LINEART, m);
	ASSERT_EQ(0, wias_scan_parse_mode("gray", &m));
	EXPECT_EQ(SCAN_MODE_GRAY, m);
	ASSERT_EQ(0, wias_scan_parse_mode("color", &m));
	EXPECT_EQ(SCAN_MODE_COLOR, m);
	EXPECT_NE(0, wias_scan_parse_mode("grey", &m));
	EXPECT_NE(0, wias_scan_parse_mode("Color", &m));
	EXPECT_NE(0, wias_scan_parse_mode("", &m));
	ASSERT_EQ(0, wias_scan_parse_source("adf", &s));
	EXPECT_EQ(SCAN_SOURCE_ADF, s);
	ASSERT_EQ(0, wias_scan_parse_source("flatbed", &s));
	EXPECT_EQ(SCAN_SOURCE_FLATBED, s);
	EXPECT_NE(0, wias_scan_parse_source("ADF", &s));
	EXPECT_STREQ("color", wias_scan_mode_name(SCAN_MODE_COLOR));
	EXPECT_STREQ("adf", wias_scan_source_name(SCAN_SOURCE_ADF));
}

TEST(numbers_are_decimal_and_in_range)
{
	uint32_t v = 7;

	EXPECT_EQ(0, wias_scan_parse_u32("65535", 1, 65535, &v));
	EXPECT_EQ(65535, v);
	EXPECT_NE(0, wias_scan_parse_u32("65536", 1, 65535, &v));
	EXPECT_NE(0, wias_scan_parse_u32("0", 1, 65535, &v));
	EXPECT_NE(0, wias_scan_parse_u32("+5", 1, 65535, &v));
	EXPECT_NE(0, wias_scan_parse_u32("-5", 1, 65535, &v));
	EXPECT_NE(0, wias_scan_parse_u32("5a", 1, 65535, &v));
	EXPECT_NE(0, wias_scan_parse_u32("", 1, 65535, &v));
	EXPECT_NE(0, wias_scan_parse_u32("18446744073709551617", 1, 65535, &v));
	EXPECT_EQ(65535, v); /* untouched by the failures */
}

TEST(bytes_per_line_agrees_with_the_reference_protocol)
{
	uint32_t w;

	EXPECT_EQ(2, wias_scan_bytes_per_line(SCAN_MODE_LINEART, 9));
	EXPECT_EQ(1, wias_scan_bytes_per_line(SCAN_MODE_LINEART, 8));
	EXPECT_EQ(9, wias_scan_bytes_per_line(SCAN_MODE_GRAY, 9));
	EXPECT_EQ(27, wias_scan_bytes_per_line(SCAN_MODE_COLOR, 9));
	for (w = 1; w < 100; w++) {
		ASSERT_EQ(refscan_bytes_per_line(REFSCAN_MODE_LINEART, w),
			  wias_scan_bytes_per_line(SCAN_MODE_LINEART, w));
		ASSERT_EQ(refscan_bytes_per_line(REFSCAN_MODE_COLOR, w),
			  wias_scan_bytes_per_line(SCAN_MODE_COLOR, w));
	}
}

static int code(enum werr_kind kind, int err, enum scan_cond cond)
{
	struct wia_error e;

	memset(&e, 0, sizeof(e));
	wias_werr_set(&e, kind, err, "x");
	wias_werr_cond(&e, cond);
	return wias_werr_exit_code(&e);
}

TEST(errors_map_to_the_documented_exit_codes)
{
	struct wia_error none;

	memset(&none, 0, sizeof(none));
	EXPECT_EQ(WIASCAN_EXIT_OK, wias_werr_exit_code(&none));
	EXPECT_EQ(1, code(WERR_OTHER, -ENOMEM, SCAN_COND_NONE));
	EXPECT_EQ(2, code(WERR_USAGE, -EINVAL, SCAN_COND_NONE));
	EXPECT_EQ(3, code(WERR_OPEN, -ENOENT, SCAN_COND_NONE));
	EXPECT_EQ(3, code(WERR_OPEN, -ENODEV, SCAN_COND_NONE));
	EXPECT_EQ(4, code(WERR_DEVICE, -EPIPE, SCAN_COND_NONE));
	EXPECT_EQ(4, code(WERR_DEVICE, -EPROTO, SCAN_COND_NONE));
	EXPECT_EQ(5, code(WERR_OUTPUT, -EEXIST, SCAN_COND_NONE));
	EXPECT_EQ(5, code(WERR_OUTPUT, -ENOSPC, SCAN_COND_NONE));
	EXPECT_EQ(6, code(WERR_DEVICE, -ENODEV, SCAN_COND_NONE));
	EXPECT_EQ(6, code(WERR_DEVICE, -ESHUTDOWN, SCAN_COND_NONE));
	EXPECT_EQ(7, code(WERR_DEVICE, -ETIMEDOUT, SCAN_COND_NONE));
	EXPECT_EQ(8, code(WERR_DEVICE, -EPIPE, SCAN_COND_NO_PAPER));
	EXPECT_EQ(9, code(WERR_DEVICE, -EIO, SCAN_COND_JAM));
	EXPECT_EQ(10, code(WERR_DEVICE, -EIO, SCAN_COND_DOUBLE_FEED));
}

TEST(the_first_error_recorded_wins)
{
	struct wia_error e;
	char line[512];
	FILE *f;

	memset(&e, 0, sizeof(e));
	EXPECT_EQ(-ENOSPC, wias_werr_set(&e, WERR_OUTPUT, -ENOSPC, "%s: write",
					 "out.raw"));
	EXPECT_EQ(-EPIPE, wias_werr_set(&e, WERR_DEVICE, -EPIPE, "later"));
	EXPECT_EQ(WIASCAN_EXIT_OUTPUT, wias_werr_exit_code(&e));
	f = fmemopen(line, sizeof(line), "w");
	ASSERT_NE(NULL, f);
	wias_werr_print(&e, "wiascan-helper", f);
	fclose(f);
	EXPECT_STREQ("wiascan-helper: out.raw: write: no space left on the device holding the output\n",
		     line);
}

TEST(a_condition_replaces_the_errno_text)
{
	struct wia_error e;
	char line[512];
	FILE *f;

	memset(&e, 0, sizeof(e));
	wias_werr_set(&e, WERR_DEVICE, -EPIPE, "/dev/wiascan0: start scan");
	wias_werr_cond(&e, SCAN_COND_NO_PAPER);
	f = fmemopen(line, sizeof(line), "w");
	ASSERT_NE(NULL, f);
	wias_werr_print(&e, "wiascan-helper", f);
	fclose(f);
	EXPECT_STREQ("wiascan-helper: /dev/wiascan0: start scan: no paper (the scanner refused to start)\n",
		     line);
}

TEST_HARNESS_MAIN
