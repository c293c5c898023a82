// SPDX-License-Identifier: GPL-2.0
/*
 * The pure parts of the Fujitsu personality: blocks, sense data, INQUIRY
 * and VPD contents, window descriptors and their geometry.  No I/O, so
 * fj-test.c checks them natively.  Byte offsets follow sane-backends'
 * backend/fujitsu-scsi.h (the macro named at each place); what the backend
 * does with them, backend/fujitsu.c (the function named).
 */
#include <errno.h>
#include <string.h>

#include "fj.h"

uint32_t fj_get(const uint8_t *p, unsigned int n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

void fj_put(uint8_t *p, uint32_t v, unsigned int n)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

/**
 * fj_status_block() - the 13-byte status block that ends every command
 * @blk: filled with FJ_USB_STAT_CODE at byte 0 and @status at byte 9
 * @status: SCSI status, FJ_STATUS_GOOD, FJ_STATUS_CHECK_CONDITION or FJ_STATUS_BUSY
 *
 * Source: fujitsu-scsi.h USB_STATUS_CODE/LEN/OFFSET; do_usb_cmd() reads
 * exactly USB_STATUS_LEN bytes and looks only at byte USB_STATUS_OFFSET.
 */
void fj_status_block(uint8_t blk[FJ_USB_STAT_LEN], uint8_t status)
{
	memset(blk, 0, FJ_USB_STAT_LEN);
	blk[0] = FJ_USB_STAT_CODE;
	blk[FJ_USB_STAT_OFFSET] = status;
}

/**
 * fj_parse_cmd() - check a command block from bulk-out, find its CDB
 * @blk: the bytes read
 * @len: how many; must be FJ_USB_CMD_LEN
 * @cdb: set to the CDB (byte FJ_USB_CMD_OFFSET of @blk, up to 12 bytes)
 *
 * Return: 0, or -EPROTO when the block is not a command block.
 * Source: do_usb_cmd() builds a zeroed USB_COMMAND_LEN block, byte 0
 * USB_COMMAND_CODE, the CDB copied at USB_COMMAND_OFFSET.
 */
int fj_parse_cmd(const uint8_t *blk, size_t len, const uint8_t **cdb)
{
	if (len != FJ_USB_CMD_LEN || blk[0] != FJ_USB_CMD_CODE)
		return -EPROTO;
	*cdb = blk + FJ_USB_CMD_OFFSET;
	return 0;
}

/**
 * fj_out_len() - bytes of the data-out phase a CDB announces
 * @cdb: the CDB
 *
 * Return: the length in bytes, 0 for commands without data-out.
 * Source: fujitsu-scsi.h set_MSEL_xferlen (byte 4), set_SC_xfer_length
 * (byte 4), set_SD_xferlen (bytes 3-4), set_SW_xferlen and
 * set_S_xfer_length (bytes 6-8), set_E_xferlen (bytes 7-8).
 */
size_t fj_out_len(const uint8_t *cdb)
{
	switch (cdb[0]) {
	case FJ_OP_MODE_SELECT:
	case FJ_OP_SCAN:
		return cdb[4];
	case FJ_OP_SEND_DIAG:
		return fj_get(cdb + 3, 2);
	case FJ_OP_SET_WINDOW:
	case FJ_OP_SEND:
		return fj_get(cdb + 6, 3);
	case FJ_OP_ENDORSER:
		return fj_get(cdb + 7, 2);
	default:
		return 0;
	}
}

/**
 * fj_in_len() - bytes the host reads in the data-in phase of a CDB
 * @cdb: the CDB
 *
 * Return: the allocation or transfer length, 0 for commands without a
 * data-in phase.  The device always ends that phase, even when the
 * command fails: do_usb_cmd() reads it before the status block whatever
 * happens, so a skipped phase would take the status block as data.
 * Source: fujitsu-scsi.h set_IN_return_size, set_RS_return_size,
 * set_MSEN_xfer_length (byte 4), set_RD_xferlen (bytes 3-4),
 * set_R_xfer_length (bytes 6-8), set_GHS_allocation_length (bytes 7-8).
 */
size_t fj_in_len(const uint8_t *cdb)
{
	switch (cdb[0]) {
	case FJ_OP_REQUEST_SENSE:
	case FJ_OP_INQUIRY:
	case FJ_OP_MODE_SENSE:
		return cdb[4];
	case FJ_OP_READ_DIAG:
		return fj_get(cdb + 3, 2);
	case FJ_OP_GET_WINDOW:
	case FJ_OP_READ:
		return fj_get(cdb + 6, 3);
	case FJ_OP_GET_HW_STATUS:
		return fj_get(cdb + 7, 2);
	default:
		return 0;
	}
}

/**
 * fj_sense() - fixed-format sense data, as REQUEST SENSE returns it
 * @s: FJ_SENSE_LEN bytes, filled
 * @key: sense key, FJ_KEY_*
 * @asc: additional sense code
 * @ascq: its qualifier
 * @eom: end of medium: the page ended (sense_handler(): key 0 + EOM is
 *	SANE_STATUS_EOF)
 * @ili: incorrect length: the data-in phase was short by @info bytes
 * @info: the residue (asked minus sent) when @ili, else 0
 * @field: offending byte of a parameter list (key 5, ASC 0x26), or -1
 *
 * Source: fujitsu-scsi.h get_RS_*: EOM byte 2 bit 6, ILI bit 5, key bits
 * 0-3, information bytes 3-6, additional length byte 7 ("always 10"),
 * ASC byte 12, ASCQ 13, sense-key specific bytes 15-17 (offending byte
 * at 16-17, read when additional length >= 10).
 */
void fj_sense(uint8_t s[FJ_SENSE_LEN], uint8_t key, uint8_t asc, uint8_t ascq,
	      bool eom, bool ili, uint32_t info, int field)
{
	memset(s, 0, FJ_SENSE_LEN);
	s[0] = 0x70 | (ili ? 0x80 : 0); /* current error; info valid */
	s[2] = (uint8_t)(key | (eom ? 0x40 : 0) | (ili ? 0x20 : 0));
	fj_put(s + 3, info, 4);
	s[7] = 10;
	s[12] = asc;
	s[13] = ascq;
	if (field >= 0) {
		s[15] = 0x80; /* SKSV: field pointer valid, in the data */
		fj_put(s + 16, (uint32_t)field, 2);
	}
}

static void put_str(uint8_t *d, const char *s, size_t n)
{
	size_t l = strlen(s);

	memset(d, ' ', n);
	memcpy(d, s, l < n ? l : n);
}

/**
 * fj_inquiry() - standard INQUIRY data of the emulated fi-7160
 * @d: FJ_INQ_STD_LEN bytes, filled
 *
 * Source: init_inquire() asks INQUIRY_std_len (96) bytes and requires
 * peripheral device type 6 (IN_periph_devtype_scanner), vendor "FUJITSU"
 * (bytes 8-15, trailing blanks removed), and takes the product from bytes
 * 16-31 and the version from 32-35; init_model() recognises the model by
 * the substring "fi-7160".  The exact product string and firmware
 * version of a real fi-7160 are not public: "fi-7160" and "0A00" are
 * this emulator's.  Colour and duplex raster offsets (bytes 0x2a, 0x2e)
 * are 0: the emulated image needs no line realignment.
 */
void fj_inquiry(uint8_t d[FJ_INQ_STD_LEN])
{
	memset(d, 0, FJ_INQ_STD_LEN);
	d[0] = 0x06; /* scanner */
	d[2] = 0x02; /* SCSI-2 */
	d[3] = 0x02; /* response format (IN_recognized) */
	d[4] = FJ_INQ_STD_LEN - 5;
	put_str(d + 8, "FUJITSU", 8);
	put_str(d + 16, "fi-7160", 16);
	put_str(d + 32, "0A00", 4);
}

/**
 * fj_vpd() - INQUIRY EVPD page 0xf0: the capabilities the backend reads
 * @d: FJ_VPD_LEN bytes, filled
 *
 * Source: init_vpd() and the get_IN_* macros of fujitsu-scsi.h.  The
 * page length byte (4) is 0x5f, the length init_vpd() calls the usual
 * one (it then reads 4 bytes more, the overscan sizes, zero here).  The
 * values are this emulator's choice within the fi-7160's published
 * abilities (600 dpi, ADF duplex, 8.5 in wide): the real unit's VPD bytes
 * are not public.  What the backend makes of each is in fujitsu.rst.
 */
void fj_vpd(uint8_t d[FJ_VPD_LEN])
{
	memset(d, 0, FJ_VPD_LEN);
	d[0] = 0x06;
	d[1] = 0xf0;
	d[4] = 0x5f;			   /* get_IN_page_length */
	fj_put(d + 0x05, FJ_BASIC_RES, 2); /* basic x res */
	fj_put(d + 0x07, FJ_BASIC_RES, 2); /* basic y res */
	d[0x09] = 0x11;			   /* step x res bit 0, step y bit 4 */
	fj_put(d + 0x0a, FJ_MAX_RES, 2);
	fj_put(d + 0x0c, FJ_MAX_RES, 2);
	fj_put(d + 0x0e, FJ_MIN_RES, 2);
	fj_put(d + 0x10, FJ_MIN_RES, 2);
	d[0x12] = 0x69;			     /* std res 75, 100, 150, 200 */
	d[0x13] = 0x54;			     /* std res 300, 400, 600 */
	fj_put(d + 0x14, FJ_MAX_W_BASIC, 4); /* get_IN_window_width */
	fj_put(d + 0x18, FJ_MAX_L_BASIC, 4); /* get_IN_window_length */
	d[0x1c] = 0x8a; /* monochrome bit 1, multilevel 3, multilevel rgb 7 */
	d[0x20] = 0x90; /* adf bit 7, duplex bit 4 */
	d[0x21] = 0x68; /* prepick bit 6, mf detect bit 5, A/D bits 8 */
	fj_put(d + 0x22, 64u << 20, 4); /* buffer bytes */
	/* standard commands, bytes 0x28 and 0x29 (get_IN_has_cmd_*):
	 * op send read gwin swin sdiag rdiag scan; msen6 rel runit msel6
	 * inq rs tur (no copy) */
	d[0x28] = 0xff;
	d[0x29] = 0xbf;
	d[0x2b] = 0x04; /* vendor: hardware status (GET HW STATUS) */
	d[0x31] = 0x02; /* vendor: scanner control */
	d[0x57] = 0x11; /* gamma: 1 built in, 1 download */
}

/**
 * fj_max_length() - longest window the emulated fi-7160 accepts
 * @xres: the window's x resolution, dpi
 *
 * Return: the maximum top + length, 1/1200 inch.
 * Source: init_model() for "fi-7160": max_y_by_res, longer pages at lower
 * resolutions (400 dpi 194268, 300 dpi 260268, 200 dpi 266268), the VPD
 * maximum otherwise; set_max_y() picks by x resolution.
 */
uint32_t fj_max_length(unsigned int xres)
{
	if (xres <= 200)
		return 266268;
	if (xres <= 300)
		return 260268;
	if (xres <= 400)
		return 194268;
	return FJ_MAX_L_BASIC * (FJ_UNITS / FJ_BASIC_RES);
}

/* Pixels in @units 1/1200 inch at @dpi, to nearest: the inverse of
 * set_window()'s width = ppl * 1200 / xres (truncated) for dpi <= 600 */
static uint32_t units_to_px(uint32_t units, unsigned int dpi)
{
	return (uint32_t)(((uint64_t)units * dpi + FJ_UNITS / 2) / FJ_UNITS);
}

/**
 * fj_parse_window() - decode and check one window descriptor
 * @desc: FJ_WIN_DESC_LEN bytes
 * @w: filled, geometry included
 *
 * Return: -1 when the descriptor is acceptable, else the offset in the
 * descriptor of the first field the emulator refuses (for the sense
 * data's field pointer).
 * Source: fujitsu-scsi.h set_WD_* (offsets in the comments), set_window().
 * Colour is taken only as vendor id 0xc1 with dot order RGB (scanning
 * order 1, argument 0), the first interlacing init_interlace() tries:
 * that is the format the emulator sends.
 */
int fj_parse_window(const uint8_t *desc, struct fj_window *w)
{
	memset(w, 0, sizeof(*w));
	memcpy(w->raw, desc, FJ_WIN_DESC_LEN);
	w->wid = desc[0];
	w->xres = (uint16_t)fj_get(desc + 0x02, 2);
	w->yres = (uint16_t)fj_get(desc + 0x04, 2);
	w->ulx = fj_get(desc + 0x06, 4);
	w->uly = fj_get(desc + 0x0a, 4);
	w->width = fj_get(desc + 0x0e, 4);
	w->length = fj_get(desc + 0x12, 4);
	w->comp = desc[0x19];
	w->bpp = desc[0x1a];
	w->vuid = desc[0x28];
	if (w->wid != FJ_WID_FRONT && w->wid != FJ_WID_BACK)
		return 0x00;
	if (w->xres < FJ_MIN_RES || w->xres > FJ_MAX_RES)
		return 0x02;
	if (w->yres < FJ_MIN_RES || w->yres > FJ_MAX_RES)
		return 0x04;
	if (!w->width ||
	    w->ulx + w->width > FJ_MAX_W_BASIC * (FJ_UNITS / FJ_BASIC_RES))
		return 0x0e;
	if (!w->length || w->uly + w->length > fj_max_length(w->xres))
		return 0x12;
	switch (w->comp) {
	case FJ_COMP_LINEART:
		if (w->bpp != 1)
			return 0x1a;
		break;
	case FJ_COMP_GRAY:
	case FJ_COMP_COLOR:
		if (w->bpp != 8)
			return 0x1a;
		break;
	default:
		return 0x19;
	}
	if (desc[0x20]) /* compression: none only */
		return 0x20;
	if (w->comp == FJ_COMP_COLOR) {
		if (w->vuid != 0xc1)
			return 0x28;
		if (desc[0x2a] != 1)
			return 0x2a;
		if (desc[0x2b] != 0)
			return 0x2b;
	} else if (w->vuid != 0x00) {
		return 0x28;
	}
	w->ppl = units_to_px(w->width, w->xres);
	w->lines = units_to_px(w->length, w->yres);
	if (!w->ppl || !w->lines)
		return 0x0e;
	if (w->comp == FJ_COMP_LINEART)
		w->bpl = (w->ppl + 7) / 8;
	else if (w->comp == FJ_COMP_GRAY)
		w->bpl = w->ppl;
	else
		w->bpl = w->ppl * 3;
	return -1;
}

/**
 * fj_parse_set_window() - decode SET WINDOW's data-out phase
 * @data: header and descriptors
 * @len: bytes of @data
 * @w: room for two windows, filled in order
 * @n: set to the number of descriptors (1, or 2 for duplex)
 *
 * Return: -1 when acceptable, else the offending byte in @data.
 * Source: set_window(): an 8-byte header whose bytes 6-7 give the
 * descriptor length (set_WPDB_wdblen, 64), then one descriptor, or two
 * (front 0x00, back 0x80) for duplex.
 */
int fj_parse_set_window(const uint8_t *data, size_t len, struct fj_window *w,
			unsigned int *n)
{
	unsigned int i;
	int bad;

	*n = 0;
	if (len < FJ_WIN_HDR_LEN + FJ_WIN_DESC_LEN)
		return 0;
	if (fj_get(data + 6, 2) != FJ_WIN_DESC_LEN)
		return 6;
	if ((len - FJ_WIN_HDR_LEN) % FJ_WIN_DESC_LEN ||
	    len > FJ_WIN_HDR_LEN + 2 * FJ_WIN_DESC_LEN)
		return 0;
	for (i = 0; i < (len - FJ_WIN_HDR_LEN) / FJ_WIN_DESC_LEN; i++) {
		const uint8_t *d = data + FJ_WIN_HDR_LEN + i * FJ_WIN_DESC_LEN;

		bad = fj_parse_window(d, &w[i]);
		if (bad >= 0)
			return FJ_WIN_HDR_LEN + (int)i * FJ_WIN_DESC_LEN + bad;
	}
	*n = i;
	return -1;
}

/**
 * fj_pixelsize() - READ data type 0x80 (pixel size) for a window
 * @d: FJ_PSIZE_LEN bytes, filled
 * @w: the window
 *
 * Source: get_pixelsize(): get_PSIZE_num_x (bytes 0-3) becomes the pixels
 * per line, get_PSIZE_num_y (4-7) the lines; paper width and length
 * (8-15) are read only after a fully buffered scan, 0 here ("not
 * measured"); byte 0x10 bit 0 (driver requests valid) is 0.
 */
void fj_pixelsize(uint8_t d[FJ_PSIZE_LEN], const struct fj_window *w)
{
	memset(d, 0, FJ_PSIZE_LEN);
	fj_put(d, w->ppl, 4);
	fj_put(d + 4, w->lines, 4);
}

/**
 * fj_mode_page_known() - mode pages the emulated fi-7160 has
 * @page: page code
 *
 * Source of the codes: fujitsu-scsi.h MS_pc_*.  init_ms() probes each
 * with MODE SENSE and drops the options of those that fail.  Emulated:
 * prepick 0x33, sleep 0x34, background 0x37, double feed 0x38, dropout
 * 0x39, buffering 0x3a, auto size 0x3c (ALD: variable length pages).
 * Not: autocolor 0x32, duplex 0x35, rand 0x36, lamp 0x3d (which the
 * backend never probes on a fi-7160, init_model()), job separation 0x3e.
 */
bool fj_mode_page_known(uint8_t page)
{
	switch (page) {
	case 0x33:
	case 0x34:
	case 0x37:
	case 0x38:
	case 0x39:
	case 0x3a:
	case 0x3c:
		return true;
	default:
		return false;
	}
}

/**
 * fj_mode_sense() - MODE SENSE(6) data for one page
 * @d: filled with @alloc bytes
 * @alloc: allocation length from the CDB (byte 4)
 * @page: a known page code
 * @data: the page's current 6 parameter bytes (as last selected)
 *
 * Return: bytes to send, @alloc: init_ms() asks MODE_SENSE_data_len
 * (0x14) and counts a short answer (SANE_STATUS_EOF) as "unsupported".
 * Layout: the 4-byte mode parameter header (mode data length, medium
 * type, device specific, block descriptor length 0; MSEL_header_len),
 * then the page: code, length 6 (MSEL_data_min_len - 2), parameters.
 */
size_t fj_mode_sense(uint8_t *d, size_t alloc, uint8_t page,
		     const uint8_t data[6])
{
	uint8_t full[4 + 8] = { 0 };
	size_t n = alloc < sizeof(full) ? alloc : sizeof(full);

	full[0] = sizeof(full) - 1;
	full[4] = page;
	full[5] = 6;
	memcpy(full + 6, data, 6);
	memset(d, 0, alloc);
	memcpy(d, full, n);
	return alloc;
}
