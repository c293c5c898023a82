// SPDX-License-Identifier: GPL-2.0
/*
 * The reference protocol's wire encoding, without a device: the file is
 * included so its static encoders and decoders can be called directly.
 * Wire bytes are written out by hand, little-endian, so a host of either
 * byte order checks the same thing.
 */
#include "kselftest_harness.h"

#include "../protocol_ref.c" // NOLINT(bugprone-suspicious-include)

TEST(page_done_event_decodes_little_endian_fields)
{
	const uint8_t raw[8] = { REFSCAN_EVENT_PAGE_DONE,
				 REFSCAN_EVENT_FLAG_LAST,
				 0x34,
				 0x12,
				 0x78,
				 0x56,
				 0x34,
				 0x12 };
	struct scan_event ev;

	ref_decode_event(raw, sizeof(raw), &ev);
	EXPECT_EQ(SCAN_EVENT_PAGE_DONE, ev.type);
	EXPECT_TRUE(ev.last);
	EXPECT_EQ(0x1234, ev.page);
	EXPECT_EQ(0x12345678, ev.arg);
	EXPECT_EQ(0xffff, ev.page_mask);
}

TEST(event_types_map_and_unknown_ones_are_ignored)
{
	uint8_t raw[8] = { 0 };
	struct scan_event ev;

	raw[0] = REFSCAN_EVENT_PAPER_JAM;
	ref_decode_event(raw, 8, &ev);
	EXPECT_EQ(SCAN_EVENT_JAM, ev.type);
	EXPECT_FALSE(ev.last);
	raw[0] = REFSCAN_EVENT_DOUBLE_FEED;
	ref_decode_event(raw, 8, &ev);
	EXPECT_EQ(SCAN_EVENT_DOUBLE_FEED, ev.type);
	raw[0] = REFSCAN_EVENT_FEEDER_EMPTY;
	ref_decode_event(raw, 8, &ev);
	EXPECT_EQ(SCAN_EVENT_FEEDER_EMPTY, ev.type);
	raw[0] = REFSCAN_EVENT_BUTTON;
	ref_decode_event(raw, 8, &ev);
	EXPECT_EQ(SCAN_EVENT_BUTTON, ev.type);
	raw[0] = 0xee;
	ref_decode_event(raw, 8, &ev);
	EXPECT_EQ(SCAN_EVENT_OTHER, ev.type);
}

TEST(a_short_event_packet_is_not_trusted)
{
	const uint8_t raw[8] = { REFSCAN_EVENT_PAPER_JAM, 0, 0, 0, 0, 0, 0, 0 };
	struct scan_event ev;

	ref_decode_event(raw, 7, &ev);
	EXPECT_EQ(SCAN_EVENT_OTHER, ev.type);
}

TEST(info_decodes_little_endian_fields_and_bits)
{
	const uint8_t raw[16] = {
		1,    0x07, 0x03, 0,	50, 0, 0xb0, 0x04, /* 50 .. 1200 dpi */
		0x5c, 0x4b, 0x03, 0x00,			   /* 215900 um */
		0xe0, 0x6c, 0x05, 0x00,			   /* 355552 um */
	};
	struct refscan_info w;
	struct scan_device_info info;

	memcpy(&w, raw, sizeof(w));
	ref_decode_info(&w, &info);
	EXPECT_EQ(1, info.version);
	EXPECT_EQ(0x7, info.modes);
	EXPECT_EQ((1U << SCAN_SOURCE_FLATBED) | (1U << SCAN_SOURCE_ADF),
		  info.sources);
	EXPECT_EQ(50, info.min_dpi);
	EXPECT_EQ(1200, info.max_dpi);
	EXPECT_EQ(215900, info.max_width_um);
	EXPECT_EQ(355552, info.max_height_um);
}

TEST(params_encode_to_the_documented_wire_bytes)
{
	const struct scan_request req = {
		.mode = SCAN_MODE_COLOR,
		.source = SCAN_SOURCE_ADF,
		.dpi = 300,
		.width_px = 2480,
		.height_px = 0,
	};
	const uint8_t want[16] = {
		REFSCAN_MODE_COLOR,
		REFSCAN_SOURCE_ADF,
		0x2c,
		0x01,
		0xb0,
		0x09,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
	};
	struct refscan_params w;

	ref_encode_params(&req, &w);
	EXPECT_EQ(0, memcmp(want, &w, sizeof(w)));
}

TEST(params_reply_must_echo_the_request_and_the_row_size)
{
	const struct scan_request req = {
		.mode = SCAN_MODE_LINEART,
		.source = SCAN_SOURCE_FLATBED,
		.dpi = 100,
		.width_px = 827,
		.height_px = 1169,
	};
	struct refscan_params sent, got;
	struct scan_format fmt;

	ref_encode_params(&req, &sent);
	got = sent;
	got.bytes_per_line = htole32(104); /* (827 + 7) / 8 */
	ASSERT_EQ(0, ref_check_params(&sent, &got, &req, &fmt));
	EXPECT_EQ(104, fmt.bytes_per_line);
	EXPECT_EQ(1169, fmt.height_px);
	got.bytes_per_line = htole32(827);
	EXPECT_EQ(-EPROTO, ref_check_params(&sent, &got, &req, &fmt));
	got.bytes_per_line = htole32(104);
	got.height_px = htole32(1170);
	EXPECT_EQ(-EPROTO, ref_check_params(&sent, &got, &req, &fmt));
}

TEST(status_errors_become_conditions)
{
	struct refscan_status w;
	struct scan_status st;

	memset(&w, 0, sizeof(w));
	w.error = REFSCAN_ERR_NO_PAPER;
	w.sheets_left = htole16(0x0102);
	ref_decode_status(&w, &st);
	EXPECT_EQ(SCAN_COND_NO_PAPER, st.cond);
	EXPECT_EQ(0x0102, st.sheets_left);
	w.error = REFSCAN_ERR_JAM;
	ref_decode_status(&w, &st);
	EXPECT_EQ(SCAN_COND_JAM, st.cond);
	w.error = REFSCAN_ERR_DOUBLE_FEED;
	ref_decode_status(&w, &st);
	EXPECT_EQ(SCAN_COND_DOUBLE_FEED, st.cond);
	w.error = REFSCAN_ERR_BAD_PARAMS;
	ref_decode_status(&w, &st);
	EXPECT_EQ(SCAN_COND_NONE, st.cond);
}

TEST(the_reference_protocol_matches_only_its_ids)
{
	struct device_caps caps;

	memset(&caps, 0, sizeof(caps));
	caps.vendor_id = REFSCAN_VENDOR_ID;
	caps.product_id = REFSCAN_PRODUCT_ID;
	EXPECT_TRUE(protocol_ref_ops.match(&caps));
	caps.product_id = 0x0002;
	EXPECT_FALSE(protocol_ref_ops.match(&caps));
}

TEST_HARNESS_MAIN
