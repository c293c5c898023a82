// SPDX-License-Identifier: GPL-2.0
/*
 * The reference protocol's wire encoding, without a device: the file is
 * included so its static encoders and decoders can be called directly.
 * Wire bytes are written out by hand, little-endian, so a host of either
 * byte order checks the same thing.
 *
 * The requests themselves (GET_STATUS, START) go to a fake device: while
 * protocol_ref.c is included, wias_device_control is renamed to
 * fake_device_control below, which logs each request and answers like a
 * version 1 or version 2 device would.
 */
#include "kselftest_harness.h"

#define wias_device_control fake_device_control
#include "../lib/protocol_ref.c" // NOLINT(bugprone-suspicious-include)
#undef wias_device_control

/* One control request as the device saw it */
struct fake_req {
	uint8_t request_type;
	uint8_t request;
	uint16_t value;
	uint8_t index_high;
	uint16_t length;
};

#define FAKE_MAX_REQS 8

/**
 * struct fake_dev - what the fake device answers, and what it was asked
 * @version: GET_INFO.version
 * @info_ret: GET_INFO's result (e.g. -EPIPE: it stalls)
 * @status: the GET_STATUS reply's bytes, @status_len of them are sent
 *	(never more than the request's wLength)
 * @status_ret: GET_STATUS's result (e.g. -EPIPE: it stalls)
 * @start_ret: START's result (e.g. -EPIPE: it stalls)
 * @reqs: the requests received, in order, @nreqs of them
 */
struct fake_dev {
	uint8_t version;
	int info_ret;
	uint8_t status[24];
	uint32_t status_len;
	int status_ret;
	int start_ret;
	struct fake_req reqs[FAKE_MAX_REQS];
	unsigned int nreqs;
};

static struct fake_dev fake;

static void fake_reset(uint8_t version)
{
	memset(&fake, 0, sizeof(fake));
	fake.version = version;
	/* an idle scanner's status, as long as the version says */
	fake.status_len = version >= 2 ? 24 : 16;
}

/* Copy @len bytes of @src, at most @length, into @data; say how many */
static void fake_reply(void *data, uint16_t length, const void *src,
		       uint32_t len, uint32_t *actual)
{
	uint32_t n = len < length ? len : length;

	memcpy(data, src, n);
	if (actual)
		*actual = n;
}

int fake_device_control(struct device *dev, uint8_t request_type,
			uint8_t request, uint16_t value, uint8_t index_high,
			void *data, uint16_t length, uint32_t timeout_ms,
			uint32_t *actual)
{
	struct refscan_info info;

	(void)dev;
	(void)timeout_ms;
	if (fake.nreqs < FAKE_MAX_REQS)
		fake.reqs[fake.nreqs] = (struct fake_req) {
			.request_type = request_type,
			.request = request,
			.value = value,
			.index_high = index_high,
			.length = length,
		};
	fake.nreqs++;
	switch (request) {
	case REFSCAN_REQ_GET_INFO:
		if (fake.info_ret)
			return fake.info_ret;
		memset(&info, 0, sizeof(info));
		info.version = fake.version;
		fake_reply(data, length, &info, sizeof(info), actual);
		return 0;
	case REFSCAN_REQ_GET_STATUS:
		if (fake.status_ret)
			return fake.status_ret;
		fake_reply(data, length, fake.status, fake.status_len, actual);
		return 0;
	case REFSCAN_REQ_START:
		/* a version 1 device stalls a non-zero wValue */
		if (fake.version < 2 && value)
			return -EPIPE;
		return fake.start_ret;
	}
	return -EPIPE;
}

/* Request @i was an IN or OUT (@rt) @request with @value and @length */
#define EXPECT_REQ(i, rt, req, val, len)                  \
	do {                                              \
		EXPECT_EQ(rt, fake.reqs[i].request_type); \
		EXPECT_EQ(req, fake.reqs[i].request);     \
		EXPECT_EQ(val, fake.reqs[i].value);       \
		EXPECT_EQ(0, fake.reqs[i].index_high);    \
		EXPECT_EQ(len, fake.reqs[i].length);      \
	} while (0)

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
	EXPECT_TRUE(wias_protocol_ref_ops.match(&caps));
	caps.product_id = 0x0002;
	EXPECT_FALSE(wias_protocol_ref_ops.match(&caps));
}

/* A v2 GET_STATUS reply, by hand: scanning, 0x0102 sheets, 7 pages, ... */
static const uint8_t status_v2_sending[24] = {
	REFSCAN_STATE_SCANNING,
	REFSCAN_ERR_NONE,
	0x02,
	0x01, /* sheets_left 0x0102 */
	0x07,
	0,
	0,
	0, /* pages_done 7 */
	0x44,
	0x33,
	0x22,
	0x11, /* bulk_out_bytes */
	0xaa,
	0,
	0,
	0, /* bulk_out_sum */
	0x78,
	0x56,
	0x34,
	0x12, /* scan_bytes 0x12345678 */
	REFSCAN_ACT_SENDING,
	0,
	0,
	0,
};

TEST(status_v2_24_byte_reply_gives_sending_scan_bytes_0x12345678_progress)
{
	struct device dev = { .fd = -1 };
	struct scan_status st;

	fake_reset(2);
	memcpy(fake.status, status_v2_sending, sizeof(status_v2_sending));
	ASSERT_EQ(0, ref_status(&dev, &st));
	EXPECT_TRUE(st.have_progress);
	EXPECT_EQ(0x12345678, st.scan_bytes);
	EXPECT_EQ(SCAN_ACT_SENDING, st.activity);
	/* the version 1 part is decoded as before */
	EXPECT_TRUE(st.scanning);
	EXPECT_EQ(SCAN_COND_NONE, st.cond);
	EXPECT_EQ(0x0102, st.sheets_left);
	EXPECT_EQ(7, st.pages_done);
	/* one request: GET_STATUS, IN, asking for all 24 bytes */
	ASSERT_EQ(1, fake.nreqs);
	EXPECT_REQ(0, REFSCAN_RT_IN, REFSCAN_REQ_GET_STATUS, 0, 24);
}

TEST(status_v2_activity_0_1_2_3_gives_idle_warming_up_feeding_sending)
{
	static const enum scan_activity want[] = {
		SCAN_ACT_IDLE,
		SCAN_ACT_WARMING_UP,
		SCAN_ACT_FEEDING,
		SCAN_ACT_SENDING,
	};
	struct device dev = { .fd = -1 };
	struct scan_status st;
	unsigned int a;

	for (a = 0; a < 4; a++) {
		fake_reset(2);
		memcpy(fake.status, status_v2_sending,
		       sizeof(status_v2_sending));
		fake.status[20] = (uint8_t)a;
		ASSERT_EQ(0, ref_status(&dev, &st));
		EXPECT_EQ(want[a], st.activity)
		TH_LOG("activity %u", a);
		EXPECT_TRUE(st.have_progress);
	}
}

TEST(status_v2_unknown_activity_4_and_0xff_give_scan_act_unknown)
{
	static const uint8_t unknown[] = { 4, 0xff };
	struct device dev = { .fd = -1 };
	struct scan_status st;
	unsigned int i;

	for (i = 0; i < sizeof(unknown); i++) {
		fake_reset(2);
		memcpy(fake.status, status_v2_sending,
		       sizeof(status_v2_sending));
		fake.status[20] = unknown[i];
		ASSERT_EQ(0, ref_status(&dev, &st));
		EXPECT_EQ(SCAN_ACT_UNKNOWN, st.activity)
		TH_LOG("activity %u", unknown[i]);
		/* the rest of the reply is still good */
		EXPECT_TRUE(st.have_progress);
		EXPECT_EQ(0x12345678, st.scan_bytes);
		EXPECT_EQ(7, st.pages_done);
	}
}

TEST(status_v1_16_byte_reply_decodes_with_have_progress_false_act_unknown)
{
	struct device dev = { .fd = -1 };
	struct scan_status st;

	fake_reset(1);
	/* what a version 1 device sends: the first 16 bytes only */
	memcpy(fake.status, status_v2_sending, 16);
	fake.status[1] = REFSCAN_ERR_JAM;
	ASSERT_EQ(0, ref_status(&dev, &st));
	EXPECT_FALSE(st.have_progress);
	EXPECT_EQ(0, st.scan_bytes);
	EXPECT_EQ(SCAN_ACT_UNKNOWN, st.activity);
	EXPECT_TRUE(st.scanning);
	EXPECT_EQ(SCAN_COND_JAM, st.cond);
	EXPECT_EQ(REFSCAN_ERR_JAM, st.error);
	EXPECT_EQ(0x0102, st.sheets_left);
	EXPECT_EQ(7, st.pages_done);
	ASSERT_EQ(1, fake.nreqs);
	EXPECT_REQ(0, REFSCAN_RT_IN, REFSCAN_REQ_GET_STATUS, 0, 24);
}

TEST(status_reply_of_0_1_8_15_17_20_23_bytes_gives_eproto)
{
	static const uint32_t lens[] = { 0, 1, 8, 15, 17, 20, 23 };
	struct device dev = { .fd = -1 };
	struct scan_status st;
	unsigned int i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		fake_reset(2);
		memcpy(fake.status, status_v2_sending,
		       sizeof(status_v2_sending));
		fake.status_len = lens[i];
		EXPECT_EQ(-EPROTO, ref_status(&dev, &st))
		TH_LOG("a %u-byte reply", lens[i]);
	}
}

TEST(set_params_adf_duplex_is_einval_with_0_requests_sent)
{
	struct device dev = { .fd = -1 };
	struct scan_request req = { .mode = SCAN_MODE_GRAY,
				    .source = SCAN_SOURCE_ADF_DUPLEX,
				    .dpi = 150,
				    .width_px = 150,
				    .height_px = 40 };
	struct scan_format fmt;

	fake_reset(2);
	EXPECT_EQ(-EINVAL, wias_protocol_ref_ops.set_params(&dev, &req, &fmt));
	EXPECT_EQ(0, fake.nreqs);
}

TEST(status_request_that_stalls_gives_epipe)
{
	struct device dev = { .fd = -1 };
	struct scan_status st;

	fake_reset(2);
	fake.status_ret = -EPIPE;
	EXPECT_EQ(-EPIPE, ref_status(&dev, &st));
	ASSERT_EQ(1, fake.nreqs);
	EXPECT_REQ(0, REFSCAN_RT_IN, REFSCAN_REQ_GET_STATUS, 0, 24);
}

TEST(start_3_sheets_on_v2_device_sends_get_info_then_start_wvalue_3)
{
	struct device dev = { .fd = -1 };
	enum scan_cond cond = SCAN_COND_JAM;

	fake_reset(2);
	ASSERT_EQ(0, wias_protocol_ref_ops.start(&dev, 3, &cond));
	EXPECT_EQ(SCAN_COND_NONE, cond);
	ASSERT_EQ(2, fake.nreqs);
	EXPECT_REQ(0, REFSCAN_RT_IN, REFSCAN_REQ_GET_INFO, 0,
		   sizeof(struct refscan_info));
	EXPECT_REQ(1, REFSCAN_RT_OUT, REFSCAN_REQ_START, 3, 0);
}

TEST(start_1_and_65535_sheets_on_v2_device_send_wvalue_1_and_65535)
{
	struct device dev = { .fd = -1 };
	enum scan_cond cond;

	fake_reset(2);
	ASSERT_EQ(0, ref_start(&dev, 1, &cond));
	ASSERT_EQ(2, fake.nreqs);
	EXPECT_REQ(1, REFSCAN_RT_OUT, REFSCAN_REQ_START, 1, 0);
	fake_reset(2);
	ASSERT_EQ(0, ref_start(&dev, 65535, &cond));
	ASSERT_EQ(2, fake.nreqs);
	EXPECT_REQ(1, REFSCAN_RT_OUT, REFSCAN_REQ_START, 65535, 0);
}

TEST(start_5_sheets_on_v3_device_sends_wvalue_5)
{
	struct device dev = { .fd = -1 };
	enum scan_cond cond;

	fake_reset(3);
	ASSERT_EQ(0, ref_start(&dev, 5, &cond));
	ASSERT_EQ(2, fake.nreqs);
	EXPECT_REQ(0, REFSCAN_RT_IN, REFSCAN_REQ_GET_INFO, 0,
		   sizeof(struct refscan_info));
	EXPECT_REQ(1, REFSCAN_RT_OUT, REFSCAN_REQ_START, 5, 0);
}

TEST(start_3_sheets_on_v1_device_sends_get_info_then_start_wvalue_0)
{
	struct device dev = { .fd = -1 };
	enum scan_cond cond = SCAN_COND_JAM;

	fake_reset(1);
	ASSERT_EQ(0, ref_start(&dev, 3, &cond));
	EXPECT_EQ(SCAN_COND_NONE, cond);
	ASSERT_EQ(2, fake.nreqs);
	EXPECT_REQ(0, REFSCAN_RT_IN, REFSCAN_REQ_GET_INFO, 0,
		   sizeof(struct refscan_info));
	EXPECT_REQ(1, REFSCAN_RT_OUT, REFSCAN_REQ_START,
		   REFSCAN_START_SHEETS_ALL, 0);
	EXPECT_EQ(0, REFSCAN_START_SHEETS_ALL);
}

TEST(start_0_sheets_sends_only_start_wvalue_0_on_v2_and_v1_devices)
{
	struct device dev = { .fd = -1 };
	enum scan_cond cond;
	uint8_t version;

	for (version = 1; version <= 2; version++) {
		fake_reset(version);
		ASSERT_EQ(0, ref_start(&dev, 0, &cond));
		ASSERT_EQ(1, fake.nreqs)
		TH_LOG("version %u", version);
		EXPECT_REQ(0, REFSCAN_RT_OUT, REFSCAN_REQ_START, 0, 0);
	}
}

TEST(start_65536_and_0xffffffff_sheets_send_only_start_wvalue_0)
{
	static const uint32_t sheets[] = { 65536, 0x10003, 0xffffffff };
	struct device dev = { .fd = -1 };
	enum scan_cond cond;
	unsigned int i;

	for (i = 0; i < sizeof(sheets) / sizeof(sheets[0]); i++) {
		fake_reset(2);
		ASSERT_EQ(0, ref_start(&dev, sheets[i], &cond));
		ASSERT_EQ(1, fake.nreqs)
		TH_LOG("%u sheets", sheets[i]);
		EXPECT_REQ(0, REFSCAN_RT_OUT, REFSCAN_REQ_START, 0, 0);
	}
}

TEST(start_3_sheets_when_get_info_stalls_sends_start_wvalue_0)
{
	struct device dev = { .fd = -1 };
	enum scan_cond cond;

	fake_reset(2);
	fake.info_ret = -EPIPE;
	ASSERT_EQ(0, ref_start(&dev, 3, &cond));
	ASSERT_EQ(2, fake.nreqs);
	EXPECT_REQ(0, REFSCAN_RT_IN, REFSCAN_REQ_GET_INFO, 0,
		   sizeof(struct refscan_info));
	EXPECT_REQ(1, REFSCAN_RT_OUT, REFSCAN_REQ_START, 0, 0);
}

TEST(stalled_start_reads_24_byte_status_and_gives_epipe_with_no_paper)
{
	struct device dev = { .fd = -1 };
	enum scan_cond cond = SCAN_COND_NONE;

	fake_reset(2);
	fake.start_ret = -EPIPE;
	fake.status[1] = REFSCAN_ERR_NO_PAPER;
	EXPECT_EQ(-EPIPE, ref_start(&dev, 2, &cond));
	EXPECT_EQ(SCAN_COND_NO_PAPER, cond);
	ASSERT_EQ(3, fake.nreqs);
	EXPECT_REQ(0, REFSCAN_RT_IN, REFSCAN_REQ_GET_INFO, 0,
		   sizeof(struct refscan_info));
	EXPECT_REQ(1, REFSCAN_RT_OUT, REFSCAN_REQ_START, 2, 0);
	EXPECT_REQ(2, REFSCAN_RT_IN, REFSCAN_REQ_GET_STATUS, 0, 24);
}

TEST(stalled_start_on_v1_device_with_16_byte_status_gives_no_paper)
{
	struct device dev = { .fd = -1 };
	enum scan_cond cond = SCAN_COND_NONE;

	fake_reset(1);
	fake.start_ret = -EPIPE;
	fake.status[1] = REFSCAN_ERR_NO_PAPER;
	EXPECT_EQ(-EPIPE, ref_start(&dev, 0, &cond));
	EXPECT_EQ(SCAN_COND_NO_PAPER, cond);
	ASSERT_EQ(2, fake.nreqs);
	EXPECT_REQ(0, REFSCAN_RT_OUT, REFSCAN_REQ_START, 0, 0);
	EXPECT_REQ(1, REFSCAN_RT_IN, REFSCAN_REQ_GET_STATUS, 0, 24);
}

TEST_HARNESS_MAIN
