/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Fujitsu/Ricoh fi-series SCSI-over-USB wire format: command blocks,
 * status blocks, sense data, INQUIRY and its vendor page, as pure
 * functions on byte arrays (fujitsu_wire.c), so they are unit-tested
 * without a device.  protocol_fujitsu.c does the I/O.
 *
 * Source of every fact, unless a comment says otherwise: SANE's fujitsu
 * backend, sane-backends backend/fujitsu-scsi.h (the macros named in the
 * comments) and backend/fujitsu.c (do_usb_cmd, sense_handler,
 * read_from_scanner).  Multi-byte fields are big-endian (getnbyte and
 * putnbyte there).
 */
#ifndef WIASCAN_FUJITSU_H
#define WIASCAN_FUJITSU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fjscan.h"
#include "params.h"

#define FJ_CDB_MAX 12

#define FJ_INQ_VPD_LEN 204  /* INQUIRY_vpd_len */
#define FJ_VPD_PAGE    0xf0 /* the page init_vpd asks for */

#define FJ_SC_CANCEL 0x04 /* SC_function_cancel */

#define FJ_MS_PAGE_AUTO 0x3c /* MS_pc_auto: automatic paper length */
#define FJ_MSEL_LEN	12   /* MSEL_header_len 4 + MSEL_data_min_len 8 */

/**
 * struct fj_window - one window of SET WINDOW, in the wire's units
 * @wid: FJ_WID_FRONT or FJ_WID_BACK
 * @dpi: X and Y resolution
 * @width, @length: scan area in 1/1200 inch (0 length: not known)
 * @paper_width, @paper_length: the paper, 1/1200 inch
 * @mode: SCAN_MODE_*
 */
struct fj_window {
	uint8_t wid;
	uint16_t dpi;
	uint32_t width;
	uint32_t length;
	uint32_t paper_width;
	uint32_t paper_length;
	enum scan_mode mode;
};

/* What a command's status and sense data mean to a scan */
enum fj_result {
	FJ_OK,		/* GOOD, or sense "no sense" and no EOM */
	FJ_EOM,		/* end of medium: the side's data ended */
	FJ_BUSY,	/* not ready / busy: ask again */
	FJ_NO_PAPER,	/* hopper empty */
	FJ_JAM,		/* paper jam (and the other "jammed" medium errors) */
	FJ_DOUBLE_FEED, /* double feed */
	FJ_COVER_OPEN,	/* ADF cover open */
	FJ_INVALID,	/* illegal request: the scanner refused a field */
	FJ_ERROR,	/* any other error */
};

/**
 * struct fj_sense - the parsed REQUEST SENSE data
 * @key, @asc, @ascq: sense key and additional sense code/qualifier
 * @eom, @ili: end of medium, incorrect length (short transfer)
 * @info: the information field: a READ's residue (bytes not sent)
 */
struct fj_sense {
	uint8_t key;
	uint8_t asc;
	uint8_t ascq;
	bool eom;
	bool ili;
	uint32_t info;
};

/**
 * struct fj_inquiry - the standard INQUIRY data, trimmed strings
 * @vendor: bytes 8..15, @product: 16..31, @revision: 32..35
 * @devtype: peripheral device type (6: scanner)
 * @has_back: bit 0 of byte 0x2d (get_IN_has_back)
 */
struct fj_inquiry {
	char vendor[9];
	char product[17];
	char revision[5];
	uint8_t devtype;
	bool has_back;
};

/**
 * struct fj_vpd - what the vendor page 0xf0 says
 * @basic_dpi: basic X resolution, @min_dpi, @max_dpi: range (X)
 * @width, @length: largest window, 1/1200 inch... as the backend reads
 *	it (get_IN_window_width/length, in "basic resolution" pixels)
 * @lineart, @gray, @color: modes (monochrome, multilevel, multilevel_rgb)
 * @adf, @flatbed, @duplex: sources (vendor unique byte 0x20)
 * @has_hw_status: GET HARDWARE STATUS is supported (byte 0x2b bit 2)
 */
struct fj_vpd {
	uint16_t basic_dpi;
	uint16_t min_dpi;
	uint16_t max_dpi;
	uint32_t width;
	uint32_t length;
	bool lineart;
	bool gray;
	bool color;
	bool adf;
	bool flatbed;
	bool duplex;
	bool has_hw_status;
};

/**
 * struct fj_hw_status - GET HARDWARE STATUS
 * @hopper_loaded: paper in the hopper (get_GHS_hopper)
 * @adf_open: ADF cover open
 * @double_feed: a double feed was detected
 * @error_code: byte 7
 */
struct fj_hw_status {
	bool hopper_loaded;
	bool adf_open;
	bool double_feed;
	uint8_t error_code;
};

size_t wias_fj_cdb_tur(uint8_t *cdb);
size_t wias_fj_cdb_request_sense(uint8_t *cdb);
size_t wias_fj_cdb_inquiry(uint8_t *cdb, bool evpd, uint8_t page, uint8_t len);
size_t wias_fj_cdb_reserve(uint8_t *cdb);
size_t wias_fj_cdb_release(uint8_t *cdb);
size_t wias_fj_cdb_set_window(uint8_t *cdb, uint32_t data_len);
size_t wias_fj_cdb_object_position(uint8_t *cdb, uint8_t action);
size_t wias_fj_cdb_scan(uint8_t *cdb, uint8_t nwindows);
size_t wias_fj_cdb_read(uint8_t *cdb, uint8_t datatype, uint8_t wid,
			uint32_t len);
size_t wias_fj_cdb_hw_status(uint8_t *cdb, uint16_t len);
size_t wias_fj_cdb_mode_select(uint8_t *cdb, uint8_t len);
size_t wias_fj_cdb_scanner_control(uint8_t *cdb, uint8_t function);
size_t wias_fj_mode_ald(uint8_t *out, bool on);

void wias_fj_wrap_command(uint8_t out[FJ_USB_CMD_LEN], const uint8_t *cdb,
			  size_t cdb_len);
int wias_fj_parse_status(const uint8_t *blk, size_t len, uint8_t *status);
void wias_fj_parse_sense(const uint8_t *rs, size_t len, struct fj_sense *s);
enum fj_result wias_fj_sense_result(const struct fj_sense *s);

int wias_fj_parse_inquiry(const uint8_t *in, size_t len,
			  struct fj_inquiry *inq);
int wias_fj_parse_vpd(const uint8_t *in, size_t len, struct fj_vpd *vpd);
void wias_fj_parse_hw_status(const uint8_t *in, size_t len,
			     struct fj_hw_status *hs);
int wias_fj_parse_pixelsize(const uint8_t *in, size_t len, uint32_t *px,
			    uint32_t *lines);

size_t wias_fj_window_data(uint8_t *out, size_t out_len,
			   const struct fj_window *wins, unsigned int n);
uint32_t wias_fj_px_to_1200(uint32_t px, uint32_t dpi);

#endif /* WIASCAN_FUJITSU_H */
