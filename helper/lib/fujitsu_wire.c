// SPDX-License-Identifier: GPL-2.0
/*
 * The fi-series wire format as pure functions (fujitsu.h): no I/O.
 * Each field's offset is the one of the named macro in sane-backends
 * backend/fujitsu-scsi.h; the meaning of sense codes is the one of
 * backend/fujitsu.c sense_handler().
 */
#include <errno.h>
#include <string.h>

#include "fujitsu.h"

static void put_be(uint8_t *p, uint32_t v, unsigned int n)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static uint32_t get_be(const uint8_t *p, unsigned int n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

static bool bit(const uint8_t *p, unsigned int off, unsigned int b)
{
	return (p[off] >> b) & 1;
}

/* A CDB of @len bytes, zeroed, with its opcode */
static size_t cdb_init(uint8_t *cdb, uint8_t op, size_t len)
{
	memset(cdb, 0, FJ_CDB_MAX);
	cdb[0] = op;
	return len;
}

/* TEST_UNIT_READY_code 0x00, 6 bytes */
size_t wias_fj_cdb_tur(uint8_t *cdb)
{
	return cdb_init(cdb, FJ_OP_TEST_UNIT_READY, 6);
}

/* REQUEST_SENSE_code 0x03, 6 bytes, byte 4: RS_return_size (18) */
size_t wias_fj_cdb_request_sense(uint8_t *cdb)
{
	size_t n = cdb_init(cdb, FJ_OP_REQUEST_SENSE, 6);

	cdb[4] = FJ_SENSE_LEN;
	return n;
}

/* INQUIRY 0x12, 6 bytes: byte 1 bit 0 EVPD, byte 2 page, byte 4 length */
size_t wias_fj_cdb_inquiry(uint8_t *cdb, bool evpd, uint8_t page, uint8_t len)
{
	size_t n = cdb_init(cdb, FJ_OP_INQUIRY, 6);

	cdb[1] = evpd ? 1 : 0;
	cdb[2] = page;
	cdb[4] = len;
	return n;
}

/* RESERVE_UNIT_code 0x16, 6 bytes */
size_t wias_fj_cdb_reserve(uint8_t *cdb)
{
	return cdb_init(cdb, FJ_OP_RESERVE_UNIT, 6);
}

/* RELEASE_UNIT_code 0x17, 6 bytes */
size_t wias_fj_cdb_release(uint8_t *cdb)
{
	return cdb_init(cdb, FJ_OP_RELEASE_UNIT, 6);
}

/* SET_WINDOW 0x24, 10 bytes, bytes 6..8 data length (set_SW_xferlen) */
size_t wias_fj_cdb_set_window(uint8_t *cdb, uint32_t data_len)
{
	size_t n = cdb_init(cdb, FJ_OP_SET_WINDOW, 10);

	put_be(cdb + 6, data_len, 3);
	return n;
}

/* OBJECT_POSITION 0x31, 10 bytes, byte 1 bits 2..0 action (set_OP_action) */
size_t wias_fj_cdb_object_position(uint8_t *cdb, uint8_t action)
{
	size_t n = cdb_init(cdb, FJ_OP_OBJECT_POSITION, 10);

	cdb[1] = action & 7;
	return n;
}

/*
 * SCANNER CONTROL 0xf1, 10 bytes: the function's low 4 bits in byte 1,
 * the rest in byte 2 (fujitsu-scsi.h set_SC_function_1/_2); the backend's
 * check_for_cancel() sends SC_function_cancel to end a scan early
 */
size_t wias_fj_cdb_scanner_control(uint8_t *cdb, uint8_t function)
{
	size_t n = cdb_init(cdb, FJ_OP_SCANNER_CONTROL, 10);

	cdb[1] = function & 0x0f;
	cdb[2] = (uint8_t)(function >> 4);
	return n;
}

/*
 * SCAN 0x1b, 6 bytes, byte 4: the length of the data-out phase, which
 * lists the window IDs (set_SC_xfer_length; fujitsu.c start_scan sends
 * one byte per window: 0x00, and 0x80 for duplex)
 */
size_t wias_fj_cdb_scan(uint8_t *cdb, uint8_t nwindows)
{
	size_t n = cdb_init(cdb, FJ_OP_SCAN, 6);

	cdb[4] = nwindows;
	return n;
}

/* READ 0x28, 10 bytes: byte 2 data type, byte 5 window, 6..8 length */
size_t wias_fj_cdb_read(uint8_t *cdb, uint8_t datatype, uint8_t wid,
			uint32_t len)
{
	size_t n = cdb_init(cdb, FJ_OP_READ, 10);

	cdb[2] = datatype;
	cdb[5] = wid;
	put_be(cdb + 6, len, 3);
	return n;
}

/* GET_HW_STATUS 0xc2, 10 bytes, bytes 7..8 allocation length */
size_t wias_fj_cdb_hw_status(uint8_t *cdb, uint16_t len)
{
	size_t n = cdb_init(cdb, FJ_OP_GET_HW_STATUS, 10);

	put_be(cdb + 7, len, 2);
	return n;
}

/* MODE SELECT(6) 0x15: byte 1 bit 4 PF (set_MSEL_pf), byte 4 length */
size_t wias_fj_cdb_mode_select(uint8_t *cdb, uint8_t len)
{
	size_t n = cdb_init(cdb, FJ_OP_MODE_SELECT, 6);

	cdb[1] = 0x10;
	cdb[4] = len;
	return n;
}

/*
 * MODE SELECT's data for the automatic length page (MS_pc_auto 0x3c): a
 * 4-byte header, page code, page length 6, and the ALD bit, bit 7 of the
 * page's byte 3 (set_MSEL_ald): the scanner ends each page at the paper's
 * end.  Returns FJ_MSEL_LEN.
 */
size_t wias_fj_mode_ald(uint8_t *out, bool on)
{
	memset(out, 0, FJ_MSEL_LEN);
	out[4] = FJ_MS_PAGE_AUTO;
	out[5] = FJ_MSEL_LEN - 4 - 2;
	out[4 + 3] = on ? 0x80 : 0;
	return FJ_MSEL_LEN;
}

/*
 * The 31-byte USB command block: byte 0 USB_COMMAND_CODE, the CDB at
 * USB_COMMAND_OFFSET, zeros elsewhere (fujitsu.c do_usb_cmd)
 */
void wias_fj_wrap_command(uint8_t out[FJ_USB_CMD_LEN], const uint8_t *cdb,
			  size_t cdb_len)
{
	memset(out, 0, FJ_USB_CMD_LEN);
	out[0] = FJ_USB_CMD_CODE;
	if (cdb_len > FJ_USB_CMD_LEN - FJ_USB_CMD_OFFSET)
		cdb_len = FJ_USB_CMD_LEN - FJ_USB_CMD_OFFSET;
	memcpy(out + FJ_USB_CMD_OFFSET, cdb, cdb_len);
}

/*
 * The 13-byte status block: the SCSI status at USB_STATUS_OFFSET (9).
 * -EPROTO if the block has another length.
 */
int wias_fj_parse_status(const uint8_t *blk, size_t len, uint8_t *status)
{
	if (len != FJ_USB_STAT_LEN)
		return -EPROTO;
	*status = blk[FJ_USB_STAT_OFFSET];
	return 0;
}

/* REQUEST SENSE data: the get_RS_* offsets */
void wias_fj_parse_sense(const uint8_t *rs, size_t len, struct fj_sense *s)
{
	uint8_t b[FJ_SENSE_LEN] = { 0 };

	memcpy(b, rs, len < sizeof(b) ? len : sizeof(b));
	memset(s, 0, sizeof(*s));
	s->key = b[2] & 0x0f;
	s->eom = bit(b, 2, 6);
	s->ili = bit(b, 2, 5);
	s->info = get_be(b + 3, 4);
	s->asc = b[12];
	s->ascq = b[13];
}

/* Medium errors (key 3, ASC 0x80): the ASCQs sense_handler names */
static enum fj_result medium_result(uint8_t ascq)
{
	switch (ascq) {
	case 0x01: /* paper jam */
	case 0x04: /* unusual paper */
	case 0x08: /* ADF setup error */
	case 0x09: /* carrier sheet */
	case 0x0c: /* ADF blocked by card */
		return FJ_JAM;
	case 0x02:
		return FJ_COVER_OPEN;
	case 0x03: /* hopper empty */
	case 0x30: /* not enough paper */
		return FJ_NO_PAPER;
	case 0x07:
		return FJ_DOUBLE_FEED;
	case 0x13: /* temporary no data */
	case 0x32: /* scanning paused */
		return FJ_BUSY;
	}
	return FJ_ERROR;
}

/*
 * What sense data means (fujitsu.c sense_handler): key 0 with EOM ends a
 * side; key 2 (ASC 0) busy; key 3 ASC 0x80 medium errors; key 5 illegal
 * request; key 6 (unit attention, reset or power saving) is harmless.
 */
enum fj_result wias_fj_sense_result(const struct fj_sense *s)
{
	switch (s->key) {
	case 0x0:
		if (s->asc == 0x80)
			return FJ_OK; /* "hardware status bits?" */
		if (s->asc || s->ascq)
			return FJ_ERROR;
		return s->eom ? FJ_EOM : FJ_OK;
	case 0x2:
		return s->asc || s->ascq ? FJ_ERROR : FJ_BUSY;
	case 0x3:
		return s->asc == 0x80 ? medium_result(s->ascq) : FJ_ERROR;
	case 0x5:
		return FJ_INVALID;
	case 0x6:
		if ((s->asc == 0 && s->ascq == 0) ||
		    (s->asc == 0x80 && s->ascq == 0x01))
			return FJ_OK;
		return FJ_ERROR;
	}
	return FJ_ERROR;
}

/* Copy a space-padded field and cut the trailing spaces */
static void trim_copy(char *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (src[i] >= 0x20 && src[i] < 0x7f)
			dst[i] = (char)src[i];
		else
			dst[i] = ' ';
	}
	while (n && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

/*
 * Standard INQUIRY (get_IN_vendor/product/version at 8, 16, 32;
 * get_IN_periph_devtype; get_IN_has_back at 0x2d bit 0).  -EPROTO when
 * shorter than the 36 bytes every SCSI device returns.
 */
int wias_fj_parse_inquiry(const uint8_t *in, size_t len, struct fj_inquiry *inq)
{
	memset(inq, 0, sizeof(*inq));
	if (len < 36)
		return -EPROTO;
	inq->devtype = in[0] & 0x1f;
	trim_copy(inq->vendor, in + 8, 8);
	trim_copy(inq->product, in + 16, 16);
	trim_copy(inq->revision, in + 32, 4);
	inq->has_back = len > 0x2d && bit(in, 0x2d, 0);
	return 0;
}

/*
 * The vendor page 0xf0 (the get_IN_* VPD macros): resolutions at 5, 0x0a,
 * 0x0e; window size at 0x14, 0x18; modes at 0x1c; sources at 0x20;
 * supported vendor commands at 0x2b.  -EPROTO when too short to hold the
 * sources byte (the backend then calls the VPD "missing").
 */
int wias_fj_parse_vpd(const uint8_t *in, size_t len, struct fj_vpd *vpd)
{
	memset(vpd, 0, sizeof(*vpd));
	if (len < 0x21 || (size_t)in[4] + 5 < 0x21)
		return -EPROTO;
	vpd->basic_dpi = (uint16_t)get_be(in + 0x05, 2);
	vpd->max_dpi = (uint16_t)get_be(in + 0x0a, 2);
	vpd->min_dpi = (uint16_t)get_be(in + 0x0e, 2);
	vpd->width = get_be(in + 0x14, 4);
	vpd->length = get_be(in + 0x18, 4);
	vpd->lineart = bit(in, 0x1c, 1);
	vpd->gray = bit(in, 0x1c, 3);
	vpd->color = bit(in, 0x1c, 7);
	vpd->adf = bit(in, 0x20, 7);
	vpd->flatbed = bit(in, 0x20, 6);
	vpd->duplex = bit(in, 0x20, 4);
	vpd->has_hw_status = len > 0x2b && bit(in, 0x2b, 2);
	return 0;
}

/* GET HARDWARE STATUS data (get_GHS_*): hopper bit is 0 when loaded */
void wias_fj_parse_hw_status(const uint8_t *in, size_t len,
			     struct fj_hw_status *hs)
{
	uint8_t b[FJ_GHS_LEN] = { 0 };

	memcpy(b, in, len < sizeof(b) ? len : sizeof(b));
	hs->hopper_loaded = !bit(b, 3, 7);
	hs->adf_open = bit(b, 3, 5);
	hs->double_feed = bit(b, 6, 0);
	hs->error_code = b[7];
}

/* READ pixel size data (get_PSIZE_num_x/num_y at 0 and 4) */
int wias_fj_parse_pixelsize(const uint8_t *in, size_t len, uint32_t *px,
			    uint32_t *lines)
{
	if (len < 8)
		return -EPROTO;
	*px = get_be(in, 4);
	*lines = get_be(in + 4, 4);
	return 0;
}

/* Pixels at @dpi to 1/1200 inch, rounded up so that @px pixels fit */
uint32_t wias_fj_px_to_1200(uint32_t px, uint32_t dpi)
{
	return dpi ? (uint32_t)(((uint64_t)px * 1200 + dpi - 1) / dpi) : 0;
}

/* One 64-byte window descriptor (the set_WD_* offsets) */
static void window_desc(uint8_t *d, const struct fj_window *w)
{
	static const uint8_t comp[] = {
		[SCAN_MODE_LINEART] = FJ_COMP_LINEART,
		[SCAN_MODE_GRAY] = FJ_COMP_GRAY,
		[SCAN_MODE_COLOR] = FJ_COMP_COLOR,
	};
	/* bits per sample: 8 for colour too (three samples a pixel) */
	static const uint8_t bpp[] = {
		[SCAN_MODE_LINEART] = 1,
		[SCAN_MODE_GRAY] = 8,
		[SCAN_MODE_COLOR] = 8,
	};

	memset(d, 0, FJ_WIN_DESC_LEN);
	d[0] = w->wid;
	put_be(d + 0x02, w->dpi, 2); /* X resolution */
	put_be(d + 0x04, w->dpi, 2); /* Y resolution */
	put_be(d + 0x0e, w->width, 4);
	put_be(d + 0x12, w->length, 4);
	d[0x19] = comp[w->mode];
	d[0x1a] = bpp[w->mode];
	/* 0x28 vendor unique ID: 0xc1 colour mode, 0x00 mono (WD_VUID_*) */
	d[0x28] = w->mode == SCAN_MODE_COLOR ? 0xc1 : 0x00;
	/* 0x2a with VUID 0xc1: scanning order (set_WD_scanning_order), 1 */
	if (w->mode == SCAN_MODE_COLOR)
		d[0x2a] = 1;
	d[0x35] = 3 << 6; /* paper selection: non-standard, size follows */
	put_be(d + 0x36, w->paper_width, 4);
	put_be(d + 0x3a, w->paper_length, 4);
}

/*
 * SET WINDOW's data-out phase: an 8-byte header whose bytes 6..7 give the
 * descriptor length (set_WPDB_wdblen), then one descriptor per window.
 * Returns the bytes written, 0 if @out is too small.
 */
size_t wias_fj_window_data(uint8_t *out, size_t out_len,
			   const struct fj_window *wins, unsigned int n)
{
	size_t len = FJ_WIN_HDR_LEN + (size_t)n * FJ_WIN_DESC_LEN;
	unsigned int i;

	if (out_len < len)
		return 0;
	memset(out, 0, FJ_WIN_HDR_LEN);
	put_be(out + 6, FJ_WIN_DESC_LEN, 2);
	for (i = 0; i < n; i++) {
		if ((unsigned int)wins[i].mode > SCAN_MODE_COLOR)
			return 0;
		window_desc(out + FJ_WIN_HDR_LEN + i * FJ_WIN_DESC_LEN,
			    &wins[i]);
	}
	return len;
}
