// SPDX-License-Identifier: GPL-2.0
/*
 * The fi-series protocol without a device.  The wire functions
 * (fujitsu_wire.c) are checked against bytes written out by hand from
 * sane-backends fujitsu-scsi.h's offsets; protocol_fujitsu.c is included
 * with wias_device_write/read renamed to a fake scanner that logs every
 * command block and answers from a script, so the status and sense of a
 * READ are checked all the way to the events the device source gets.
 */
#include "kselftest_harness.h"

#define wias_device_write      fake_write
#define wias_device_read       fake_read
#define wias_device_clear_halt fake_clear_halt
#include "../lib/protocol_fujitsu.c" // NOLINT(bugprone-suspicious-include)
#include "error.h"
#undef wias_device_write
#undef wias_device_read

#define FAKE_MAX 32

/**
 * struct fake_scanner - scripted answers to read(), logged writes
 * @in: the answers of the successive read() calls, @in_len[i] bytes each
 * @nin, @pos: how many, and the next one
 * @ops: the opcode of each 31-byte command block written, @nops of them
 * @stalled: the next read() is -EPIPE, until @cleared names the endpoint
 */
struct fake_scanner {
	uint8_t in[FAKE_MAX][FJ_INQ_VPD_LEN];
	size_t in_len[FAKE_MAX];
	unsigned int nin, pos;
	uint8_t ops[FAKE_MAX];
	unsigned int nops;
	bool stalled;
	uint32_t cleared;
};

static struct fake_scanner fake;

int fake_write(struct device *dev, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	(void)dev;
	if (len == FJ_USB_CMD_LEN && b[0] == FJ_USB_CMD_CODE &&
	    fake.nops < FAKE_MAX)
		fake.ops[fake.nops++] = b[FJ_USB_CMD_OFFSET];
	return (int)len;
}

int fake_read(struct device *dev, void *buf, size_t len)
{
	size_t n;

	(void)dev;
	if (fake.stalled)
		return -EPIPE;
	if (fake.pos == fake.nin)
		return -ETIMEDOUT;
	n = fake.in_len[fake.pos];
	if (n > len)
		n = len;
	memcpy(buf, fake.in[fake.pos++], n);
	return (int)n;
}

int fake_clear_halt(struct device *dev, uint32_t endpoint)
{
	(void)dev;
	fake.cleared = endpoint;
	fake.stalled = false;
	return 0;
}

static void fake_answer(const void *data, size_t len)
{
	memcpy(fake.in[fake.nin], data, len);
	fake.in_len[fake.nin++] = len;
}

/* A 13-byte status block with SCSI status @status */
static void fake_status(uint8_t status)
{
	uint8_t blk[FJ_USB_STAT_LEN] = { FJ_USB_STAT_CODE };

	blk[FJ_USB_STAT_OFFSET] = status;
	fake_answer(blk, sizeof(blk));
}

/* CHECK CONDITION, then REQUEST SENSE's data and its GOOD status */
static void fake_check(uint8_t key, uint8_t asc, uint8_t ascq, bool eom,
		       bool ili, uint32_t info)
{
	uint8_t rs[FJ_SENSE_LEN] = { 0x70 };

	rs[2] = (uint8_t)(key | (eom ? 0x40 : 0) | (ili ? 0x20 : 0));
	rs[3] = (uint8_t)(info >> 24);
	rs[4] = (uint8_t)(info >> 16);
	rs[5] = (uint8_t)(info >> 8);
	rs[6] = (uint8_t)info;
	rs[7] = 10;
	rs[12] = asc;
	rs[13] = ascq;
	fake_status(FJ_STATUS_CHECK_CONDITION);
	fake_answer(rs, sizeof(rs));
	fake_status(FJ_STATUS_GOOD);
}

TEST(cdb_read_front_65536_bytes_is_28_00_00_00_00_00_01_00_00_00)
{
	static const uint8_t want[10] = { 0x28, 0, 0, 0, 0, 0, 0x01, 0, 0, 0 };
	uint8_t cdb[FJ_CDB_MAX];

	ASSERT_EQ(10,
		  wias_fj_cdb_read(cdb, FJ_READ_IMAGE, FJ_WID_FRONT, 65536));
	EXPECT_EQ(0, memcmp(cdb, want, sizeof(want)));
}

TEST(cdb_read_back_pixelsize_32_has_type_0x80_window_0x80_length_0x20)
{
	uint8_t cdb[FJ_CDB_MAX];

	wias_fj_cdb_read(cdb, FJ_READ_PIXELSIZE, FJ_WID_BACK, 32);
	EXPECT_EQ(0x80, cdb[2]);
	EXPECT_EQ(0x80, cdb[5]);
	EXPECT_EQ(0x20, cdb[8]);
}

TEST(cdb_inquiry_vpd_f0_204_is_12_01_f0_00_cc_00)
{
	static const uint8_t want[6] = { 0x12, 0x01, 0xf0, 0x00, 0xcc, 0x00 };
	uint8_t cdb[FJ_CDB_MAX];

	ASSERT_EQ(6, wias_fj_cdb_inquiry(cdb, true, 0xf0, 204));
	EXPECT_EQ(0, memcmp(cdb, want, sizeof(want)));
}

TEST(cdb_lengths_tur_6_rs_6_reserve_6_release_6_op_10_scan_6_swin_10_ghs_10)
{
	uint8_t cdb[FJ_CDB_MAX];

	EXPECT_EQ(6, wias_fj_cdb_tur(cdb));
	EXPECT_EQ(0x00, cdb[0]);
	EXPECT_EQ(6, wias_fj_cdb_request_sense(cdb));
	EXPECT_EQ(0x03, cdb[0]);
	EXPECT_EQ(18, cdb[4]);
	EXPECT_EQ(6, wias_fj_cdb_reserve(cdb));
	EXPECT_EQ(0x16, cdb[0]);
	EXPECT_EQ(6, wias_fj_cdb_release(cdb));
	EXPECT_EQ(0x17, cdb[0]);
	EXPECT_EQ(10, wias_fj_cdb_object_position(cdb, FJ_OP_FEED));
	EXPECT_EQ(0x31, cdb[0]);
	EXPECT_EQ(0x01, cdb[1]);
	EXPECT_EQ(6, wias_fj_cdb_scan(cdb, 2));
	EXPECT_EQ(0x1b, cdb[0]);
	EXPECT_EQ(2, cdb[4]);
	EXPECT_EQ(10, wias_fj_cdb_set_window(cdb, 136));
	EXPECT_EQ(0x24, cdb[0]);
	EXPECT_EQ(136, cdb[8]);
	EXPECT_EQ(10, wias_fj_cdb_hw_status(cdb, 12));
	EXPECT_EQ(0xc2, cdb[0]);
	EXPECT_EQ(12, cdb[8]);
}

TEST(cdb_scanner_control_cancel_is_f1_04_00_and_10_bytes)
{
	static const uint8_t want[10] = { 0xf1, 0x04 };
	uint8_t cdb[FJ_CDB_MAX];

	memset(cdb, 0xee, sizeof(cdb));
	ASSERT_EQ(10, wias_fj_cdb_scanner_control(cdb, FJ_SC_CANCEL));
	EXPECT_EQ(0, memcmp(want, cdb, sizeof(want)));
}

TEST(usb_command_block_is_31_bytes_0x43_cdb_at_19)
{
	uint8_t cdb[FJ_CDB_MAX], blk[FJ_USB_CMD_LEN];
	size_t n = wias_fj_cdb_read(cdb, 0, 0, 0x123456);
	unsigned int i, other = 0;

	wias_fj_wrap_command(blk, cdb, n);
	EXPECT_EQ(0x43, blk[0]);
	EXPECT_EQ(0x28, blk[19]);
	EXPECT_EQ(0x12, blk[25]);
	EXPECT_EQ(0x34, blk[26]);
	EXPECT_EQ(0x56, blk[27]);
	for (i = 1; i < 19; i++)
		other |= blk[i];
	for (i = 29; i < FJ_USB_CMD_LEN; i++)
		other |= blk[i];
	EXPECT_EQ(0, other);
}

TEST(status_block_of_13_bytes_gives_status_0x02_at_9_other_length_eproto)
{
	uint8_t blk[FJ_USB_STAT_LEN] = { 0x53 }, st = 0xff;

	blk[9] = 0x02;
	EXPECT_EQ(0, wias_fj_parse_status(blk, 13, &st));
	EXPECT_EQ(0x02, st);
	EXPECT_EQ(-EPROTO, wias_fj_parse_status(blk, 12, &st));
}

TEST(set_window_duplex_is_8_plus_2x64_bytes_front_0_back_0x80_gray_300dpi)
{
	struct fj_window w[2] = {
		{ .wid = FJ_WID_FRONT,
		  .dpi = 300,
		  .width = 10200,
		  .length = 13200,
		  .mode = SCAN_MODE_GRAY },
	};
	uint8_t d[FJ_WIN_HDR_LEN + 2 * FJ_WIN_DESC_LEN];

	w[1] = w[0];
	w[1].wid = FJ_WID_BACK;
	ASSERT_EQ(136, wias_fj_window_data(d, sizeof(d), w, 2));
	EXPECT_EQ(64, d[7]);			     /* wdblen */
	EXPECT_EQ(0x00, d[8]);			     /* front window ID */
	EXPECT_EQ(0x80, d[8 + 64]);		     /* back window ID */
	EXPECT_EQ(300 >> 8, d[8 + 2]);		     /* X resolution */
	EXPECT_EQ(300 & 0xff, d[8 + 5]);	     /* Y resolution */
	EXPECT_EQ((10200 >> 8) & 0xff, d[8 + 0x10]); /* width */
	EXPECT_EQ(10200 & 0xff, d[8 + 0x11]);
	EXPECT_EQ(2, d[8 + 0x19]); /* composition: gray */
	EXPECT_EQ(8, d[8 + 0x1a]); /* bits per pixel */
	EXPECT_EQ(0, wias_fj_window_data(d, 100, w, 2));
}

TEST(px_to_1200_2550_px_at_300_dpi_is_10200_and_rounds_up)
{
	EXPECT_EQ(10200, wias_fj_px_to_1200(2550, 300));
	EXPECT_EQ(8, wias_fj_px_to_1200(1, 150));
	EXPECT_EQ(3, wias_fj_px_to_1200(1, 600) + 1);
}

/* Sense data -> result, the table of fujitsu.c sense_handler */
static enum fj_result sense_of(uint8_t key, uint8_t asc, uint8_t ascq, bool eom,
			       bool ili, uint32_t info, struct fj_sense *s)
{
	uint8_t rs[FJ_SENSE_LEN] = { 0x70 };

	rs[2] = (uint8_t)(key | (eom ? 0x40 : 0) | (ili ? 0x20 : 0));
	rs[5] = (uint8_t)(info >> 8);
	rs[6] = (uint8_t)info;
	rs[12] = asc;
	rs[13] = ascq;
	wias_fj_parse_sense(rs, sizeof(rs), s);
	return wias_fj_sense_result(s);
}

TEST(sense_0_eom_ili_residue_1000_is_end_of_page_residue_1000)
{
	struct fj_sense s;

	EXPECT_EQ(FJ_EOM, sense_of(0, 0, 0, true, true, 1000, &s));
	EXPECT_EQ(1000, s.info);
	EXPECT_TRUE(s.ili);
}

TEST(sense_3_80_03_hopper_empty_01_jam_07_double_feed_02_cover_open)
{
	struct fj_sense s;

	EXPECT_EQ(FJ_NO_PAPER, sense_of(3, 0x80, 0x03, false, false, 0, &s));
	EXPECT_EQ(FJ_JAM, sense_of(3, 0x80, 0x01, false, false, 0, &s));
	EXPECT_EQ(FJ_DOUBLE_FEED, sense_of(3, 0x80, 0x07, false, false, 0, &s));
	EXPECT_EQ(FJ_COVER_OPEN, sense_of(3, 0x80, 0x02, false, false, 0, &s));
	EXPECT_EQ(FJ_ERROR, sense_of(3, 0x81, 0x01, false, false, 0, &s));
}

TEST(sense_2_busy_5_invalid_6_reset_ok_0_no_eom_ok_b_error)
{
	struct fj_sense s;

	EXPECT_EQ(FJ_BUSY, sense_of(2, 0, 0, false, false, 0, &s));
	EXPECT_EQ(FJ_INVALID, sense_of(5, 0x24, 0, false, false, 0, &s));
	EXPECT_EQ(FJ_OK, sense_of(6, 0, 0, false, false, 0, &s));
	EXPECT_EQ(FJ_OK, sense_of(0, 0, 0, false, true, 10, &s));
	EXPECT_EQ(FJ_ERROR, sense_of(0xb, 0x47, 0, false, false, 0, &s));
}

TEST(inquiry_fujitsu_fi_7160_rev_0a02_scanner_with_back)
{
	static const char id[] = "FUJITSU fi-7160         0A02";
	uint8_t in[FJ_INQ_STD_LEN] = { 0x06 };
	struct fj_inquiry inq;

	memcpy(in + 8, id, sizeof(id) - 1);
	in[0x2d] = 0x01;
	ASSERT_EQ(0, wias_fj_parse_inquiry(in, sizeof(in), &inq));
	EXPECT_STREQ("FUJITSU", inq.vendor);
	EXPECT_STREQ("fi-7160", inq.product);
	EXPECT_STREQ("0A02", inq.revision);
	EXPECT_EQ(6, inq.devtype);
	EXPECT_TRUE(inq.has_back);
	EXPECT_EQ(-EPROTO, wias_fj_parse_inquiry(in, 35, &inq));
}

/* A vendor page: 600 basic dpi, 50..600, 8.5 x 14 in, all modes, ADF duplex */
static void vpd_fi7160(uint8_t *in)
{
	memset(in, 0, FJ_INQ_VPD_LEN);
	in[1] = 0xf0;
	in[4] = 0x7a;
	in[5] = 600 >> 8;
	in[6] = 600 & 0xff;
	in[0x0a] = 600 >> 8;
	in[0x0b] = 600 & 0xff;
	in[0x0f] = 50;
	/* 5100 x 8400 basic pixels: 8.5 x 14 in at 600 dpi */
	in[0x16] = 5100 >> 8;
	in[0x17] = 5100 & 0xff;
	in[0x1a] = 8400 >> 8;
	in[0x1b] = 8400 & 0xff;
	in[0x1c] = 0x02 | 0x08 | 0x80;
	in[0x20] = 0x80 | 0x10;
	in[0x2b] = 0x04;
}

TEST(vpd_f0_600_dpi_50_to_600_lineart_gray_color_adf_duplex_no_flatbed)
{
	uint8_t in[FJ_INQ_VPD_LEN];
	struct fj_vpd v;

	vpd_fi7160(in);
	ASSERT_EQ(0, wias_fj_parse_vpd(in, sizeof(in), &v));
	EXPECT_EQ(600, v.basic_dpi);
	EXPECT_EQ(50, v.min_dpi);
	EXPECT_EQ(600, v.max_dpi);
	EXPECT_EQ(5100, v.width);
	EXPECT_EQ(8400, v.length);
	EXPECT_TRUE(v.lineart && v.gray && v.color);
	EXPECT_TRUE(v.adf && v.duplex);
	EXPECT_FALSE(v.flatbed);
	EXPECT_TRUE(v.has_hw_status);
	EXPECT_EQ(-EPROTO, wias_fj_parse_vpd(in, 0x20, &v));
}

TEST(hw_status_hopper_bit_clear_is_loaded_adf_open_bit_double_feed_bit)
{
	uint8_t in[FJ_GHS_LEN] = { 0 };
	struct fj_hw_status hs;

	in[3] = 0x20;
	in[6] = 0x01;
	in[7] = 0x55;
	wias_fj_parse_hw_status(in, sizeof(in), &hs);
	EXPECT_TRUE(hs.hopper_loaded);
	EXPECT_TRUE(hs.adf_open);
	EXPECT_TRUE(hs.double_feed);
	EXPECT_EQ(0x55, hs.error_code);
	in[3] = 0x80;
	wias_fj_parse_hw_status(in, sizeof(in), &hs);
	EXPECT_FALSE(hs.hopper_loaded);
}

/* A device with a fi-7160's INQUIRY and VPD already read */
FIXTURE(proto)
{
	struct device dev;
	struct fj_state *st;
};

FIXTURE_SETUP(proto)
{
	memset(&fake, 0, sizeof(fake));
	memset(&self->dev, 0, sizeof(self->dev));
	self->dev.caps.vendor_id = 0x04c5;
	self->dev.caps.product_id = 0x132e;
	self->dev.caps.bulk_in_maxpacket = 512;
	self->st = fj_state(&self->dev);
	ASSERT_NE(NULL, self->st);
	self->st->have_inq = true;
	strcpy(self->st->inq.vendor, "FUJITSU");
	strcpy(self->st->inq.product, "fi-7160");
	vpd_fi7160(fake.in[0]);
	wias_fj_parse_vpd(fake.in[0], FJ_INQ_VPD_LEN, &self->st->vpd);
	self->st->have_vpd = true;
}

FIXTURE_TEARDOWN(proto)
{
	free(self->dev.proto_priv);
}

TEST_F(proto, get_info_fi7160_modes_7_sources_adf_and_duplex_50_600_dpi)
{
	struct scan_device_info info;

	ASSERT_EQ(0, fj_get_info(&self->dev, &info));
	EXPECT_EQ(7, info.modes);
	EXPECT_EQ(1U << SCAN_SOURCE_ADF | 1U << SCAN_SOURCE_ADF_DUPLEX,
		  info.sources);
	EXPECT_EQ(50, info.min_dpi);
	EXPECT_EQ(600, info.max_dpi);
	EXPECT_EQ(215900, info.max_width_um);
	EXPECT_EQ(355600, info.max_height_um);
}

TEST_F(proto, start_with_empty_hopper_is_epipe_no_paper_after_object_position)
{
	enum scan_cond cond;

	fake_check(3, 0x80, 0x03, false, false, 0);
	EXPECT_EQ(-EPIPE, fj_start(&self->dev, 0, &cond));
	EXPECT_EQ(SCAN_COND_NO_PAPER, cond);
	EXPECT_EQ(1, fake.nops - 1); /* OBJECT POSITION, REQUEST SENSE */
	EXPECT_EQ(FJ_OP_OBJECT_POSITION, fake.ops[0]);
	EXPECT_EQ(FJ_OP_REQUEST_SENSE, fake.ops[1]);
}

/* Start a variable-length simplex scan of 1000-byte rows */
static void start_simplex(struct __test_metadata *_metadata, struct device *dev,
			  struct fj_state *st, bool duplex)
{
	enum scan_cond cond;

	st->bpl = 1000;
	st->side_bytes = 0;
	st->duplex = duplex;
	fake_status(FJ_STATUS_GOOD); /* OBJECT POSITION */
	fake_status(FJ_STATUS_GOOD); /* SCAN */
	ASSERT_EQ(0, fj_start(dev, 0, &cond));
}

TEST_F(proto, read_asks_whole_rows_65000_of_65536_queued_65024)
{
	uint32_t len;

	start_simplex(_metadata, &self->dev, self->st, false);
	ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
	EXPECT_EQ(65000, self->st->asked);
	EXPECT_EQ(65024, len);
	EXPECT_EQ(FJ_OP_READ, fake.ops[fake.nops - 1]);
}

TEST_F(proto, eom_with_residue_ends_page_0_of_65000_plus_3000_bytes)
{
	struct scan_event ev[SCAN_XFER_EVENTS];
	unsigned int nev;
	uint32_t len;
	bool eop;

	start_simplex(_metadata, &self->dev, self->st, false);
	ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
	fake_status(FJ_STATUS_GOOD);
	ASSERT_EQ(0, fj_xfer_end(&self->dev, 65000, ev, &nev, &eop));
	EXPECT_EQ(0, nev);
	EXPECT_FALSE(eop);
	ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
	fake_check(0, 0, 0, true, true, 62000);
	fake_status(FJ_STATUS_GOOD); /* next sheet: OBJECT POSITION */
	fake_status(FJ_STATUS_GOOD); /* SCAN */
	ASSERT_EQ(0, fj_xfer_end(&self->dev, 3000, ev, &nev, &eop));
	EXPECT_TRUE(eop);
	ASSERT_EQ(1, nev);
	EXPECT_EQ(SCAN_EVENT_PAGE_DONE, ev[0].type);
	EXPECT_EQ(0, ev[0].page);
	EXPECT_EQ(68000, ev[0].arg);
	EXPECT_FALSE(ev[0].last);
	EXPECT_EQ(2, self->st->sheets);
}

TEST_F(proto, wrong_residue_2_for_3000_of_65000_is_eproto)
{
	struct scan_event ev[SCAN_XFER_EVENTS];
	unsigned int nev;
	uint32_t len;
	bool eop;

	start_simplex(_metadata, &self->dev, self->st, false);
	ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
	fake_check(0, 0, 0, true, true, 2);
	EXPECT_EQ(-EPROTO, fj_xfer_end(&self->dev, 3000, ev, &nev, &eop));
}

TEST_F(proto, hopper_empty_at_next_load_makes_page_0_last_feeder_empty)
{
	struct scan_event ev[SCAN_XFER_EVENTS];
	unsigned int nev;
	uint32_t len;
	bool eop;

	start_simplex(_metadata, &self->dev, self->st, false);
	ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
	fake_check(0, 0, 0, true, true, 60000);
	fake_check(3, 0x80, 0x03, false, false, 0);
	ASSERT_EQ(0, fj_xfer_end(&self->dev, 5000, ev, &nev, &eop));
	ASSERT_EQ(2, nev);
	EXPECT_EQ(SCAN_EVENT_PAGE_DONE, ev[0].type);
	EXPECT_TRUE(ev[0].last);
	EXPECT_EQ(5000, ev[0].arg);
	EXPECT_EQ(SCAN_EVENT_FEEDER_EMPTY, ev[1].type);
	ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
	EXPECT_EQ(0, len);
}

TEST_F(proto, jam_double_feed_cover_open_mid_page_are_their_events)
{
	static const struct {
		uint8_t ascq;
		enum scan_event_type type;
	} cases[] = {
		{ 0x01, SCAN_EVENT_JAM },
		{ 0x07, SCAN_EVENT_DOUBLE_FEED },
		{ 0x02, SCAN_EVENT_COVER_OPEN },
	};
	struct scan_event ev[SCAN_XFER_EVENTS];
	unsigned int i, nev;
	uint32_t len;
	bool eop;

	for (i = 0; i < 3; i++) {
		memset(&fake, 0, sizeof(fake));
		start_simplex(_metadata, &self->dev, self->st, false);
		ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
		fake_check(3, 0x80, cases[i].ascq, false, false, 0);
		ASSERT_EQ(0, fj_xfer_end(&self->dev, 4000, ev, &nev, &eop));
		EXPECT_FALSE(eop);
		ASSERT_EQ(1, nev);
		EXPECT_EQ(cases[i].type, ev[0].type);
		ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
		EXPECT_EQ(0, len);
	}
}

TEST_F(proto, duplex_front_page_0_then_back_page_1_reads_window_0x80)
{
	struct scan_event ev[SCAN_XFER_EVENTS];
	unsigned int nev;
	uint32_t len;
	bool eop;

	start_simplex(_metadata, &self->dev, self->st, true);
	ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
	fake_check(0, 0, 0, true, true, 64000);
	ASSERT_EQ(0, fj_xfer_end(&self->dev, 1000, ev, &nev, &eop));
	ASSERT_EQ(1, nev);
	EXPECT_EQ(0, ev[0].page);
	EXPECT_FALSE(ev[0].last);
	EXPECT_TRUE(self->st->back);
	ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
	fake_check(0, 0, 0, true, true, 63000);
	fake_check(3, 0x80, 0x03, false, false, 0);
	ASSERT_EQ(0, fj_xfer_end(&self->dev, 2000, ev, &nev, &eop));
	ASSERT_EQ(2, nev);
	EXPECT_EQ(1, ev[0].page);
	EXPECT_EQ(2000, ev[0].arg);
	EXPECT_TRUE(ev[0].last);
}

TEST_F(proto, fixed_length_side_of_3000_bytes_ends_at_its_last_byte)
{
	struct scan_event ev[SCAN_XFER_EVENTS];
	unsigned int nev;
	uint32_t len;
	bool eop;

	start_simplex(_metadata, &self->dev, self->st, false);
	self->st->side_bytes = 3000;
	self->st->max_pages = 1;
	ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
	EXPECT_EQ(3000, self->st->asked);
	EXPECT_EQ(3072, len);
	fake_status(FJ_STATUS_GOOD);
	ASSERT_EQ(0, fj_xfer_end(&self->dev, 3000, ev, &nev, &eop));
	EXPECT_TRUE(eop);
	ASSERT_EQ(1, nev);
	EXPECT_EQ(3000, ev[0].arg);
	EXPECT_TRUE(ev[0].last); /* one sheet asked for */
}

TEST_F(proto, cancel_mid_read_drops_its_data_up_to_the_13_byte_status)
{
	static uint8_t data[FJ_INQ_VPD_LEN];
	uint32_t len;

	start_simplex(_metadata, &self->dev, self->st, false);
	ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
	memset(data, 0x53, sizeof(data));
	fake_answer(data, sizeof(data)); /* the rest of the image data */
	fake_answer(data, FJ_USB_STAT_LEN - 1);
	fake_status(FJ_STATUS_GOOD);
	fake_status(FJ_STATUS_GOOD); /* SCANNER CONTROL cancel's */
	fake_status(FJ_STATUS_GOOD); /* not read: the next command's */
	EXPECT_EQ(0, fj_cancel(&self->dev));
	EXPECT_EQ(fake.nin - 1, fake.pos);
	EXPECT_EQ(FJ_OP_SCANNER_CONTROL, fake.ops[fake.nops - 1]);
	EXPECT_EQ(4, fake.nops); /* OBJECT POSITION, SCAN, READ, SC */
	EXPECT_EQ(0, fj_cancel(&self->dev)); /* idle: nothing sent or read */
	EXPECT_EQ(fake.nin - 1, fake.pos);
	EXPECT_EQ(4, fake.nops);
}

TEST_F(proto, status_mid_read_is_ebusy_cancel_after_a_stall_clears_0x81_then_sc)
{
	struct scan_status status;
	uint32_t len;

	self->dev.caps.bulk_in_ep = 0x81;
	start_simplex(_metadata, &self->dev, self->st, false);
	ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
	fake.stalled = true;
	EXPECT_EQ(-EBUSY, fj_status(&self->dev, &status)); /* nothing sent */
	EXPECT_EQ(3, fake.nops);
	fake_status(FJ_STATUS_GOOD); /* SCANNER CONTROL cancel's */
	EXPECT_EQ(0, fj_cancel(&self->dev));
	EXPECT_EQ(0x81, fake.cleared);
	EXPECT_EQ(FJ_OP_SCANNER_CONTROL, fake.ops[fake.nops - 1]);
	EXPECT_EQ(fake.nin, fake.pos);
}

TEST_F(proto, duplex_pages_3_ends_after_sheet_2_front_and_cancel_sends_sc)
{
	struct scan_event ev[SCAN_XFER_EVENTS];
	enum scan_cond cond;
	unsigned int i, nev;
	uint32_t len;
	bool eop;

	self->st->bpl = 1000;
	self->st->duplex = true;
	fake_status(FJ_STATUS_GOOD); /* OBJECT POSITION */
	fake_status(FJ_STATUS_GOOD); /* SCAN */
	ASSERT_EQ(0, fj_start(&self->dev, 3, &cond));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
		EXPECT_EQ(i == 1, self->st->back);
		fake_check(0, 0, 0, true, true, 64000);
		if (i == 1) { /* sheet 2 is loaded after sheet 1's back */
			fake_status(FJ_STATUS_GOOD);
			fake_status(FJ_STATUS_GOOD);
		}
		ASSERT_EQ(0, fj_xfer_end(&self->dev, 1000, ev, &nev, &eop));
		ASSERT_EQ(1, nev);
		EXPECT_EQ(i, ev[0].page);
		EXPECT_EQ(i == 2, ev[0].last);
	}
	EXPECT_EQ(2, self->st->sheets);
	ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
	EXPECT_EQ(0, len); /* sheet 2's back is never read */
	fake_status(FJ_STATUS_GOOD);
	ASSERT_EQ(0, fj_cancel(&self->dev));
	EXPECT_EQ(FJ_OP_SCANNER_CONTROL, fake.ops[fake.nops - 1]);
	EXPECT_EQ(fake.nin, fake.pos);
}

TEST_F(proto, simplex_pages_1_ends_idle_and_cancel_sends_nothing)
{
	struct scan_event ev[SCAN_XFER_EVENTS];
	enum scan_cond cond;
	unsigned int nev, nops;
	uint32_t len;
	bool eop;

	self->st->bpl = 1000;
	fake_status(FJ_STATUS_GOOD); /* OBJECT POSITION */
	fake_status(FJ_STATUS_GOOD); /* SCAN */
	ASSERT_EQ(0, fj_start(&self->dev, 1, &cond));
	ASSERT_EQ(0, fj_xfer_begin(&self->dev, 65536, &len));
	fake_check(0, 0, 0, true, true, 64000);
	ASSERT_EQ(0, fj_xfer_end(&self->dev, 1000, ev, &nev, &eop));
	ASSERT_EQ(1, nev);
	EXPECT_TRUE(ev[0].last);
	nops = fake.nops;
	ASSERT_EQ(0, fj_cancel(&self->dev));
	EXPECT_EQ(nops, fake.nops);
	EXPECT_EQ(fake.nin, fake.pos);
}

TEST(exit_code_of_cover_open_is_13)
{
	struct wia_error e = { 0 };

	wias_werr_set(&e, WERR_DEVICE, -EIO, "scan");
	wias_werr_cond(&e, SCAN_COND_COVER_OPEN);
	EXPECT_EQ(13, wias_werr_exit_code(&e));
	EXPECT_STREQ("ADF cover open",
		     wias_scan_cond_text(SCAN_COND_COVER_OPEN));
}

TEST_HARNESS_MAIN
