/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Fujitsu fi-series SCSI-over-USB protocol, as the emulator's
 * fujitsu personality speaks it: wire constants and the pure parts
 * (CDB fields, INQUIRY and VPD data, sense data, window descriptors and
 * the geometry they give), kept apart from the threads so that
 * fj-test.c can check them natively.
 *
 * Every layout here is learnt from SANE's fujitsu backend (sane-backends,
 * backend/fujitsu-scsi.h for the byte offsets, backend/fujitsu.c for what
 * the backend sends and how it reads the answers); each definition names
 * the macro or function of those files it follows.  Documentation:
 * Documentation/protocols/fujitsu.rst.
 */
#ifndef WIASCAN_FJ_H
#define WIASCAN_FJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fjscan.h"

/* Lengths the backend asks for (fujitsu-scsi.h) */
#define FJ_VPD_LEN    0x64 /* what we send: 5 + page length 0x5f */
#define FJ_RD_GDI_LEN 10   /* RD_gdi_len */

/* What the emulated fi-7160 reports in its VPD page 0xf0 (fj_vpd()) */
#define FJ_BASIC_RES   600 /* dpi: the unit of the window maxima */
#define FJ_MIN_RES     50
#define FJ_MAX_RES     600
#define FJ_MAX_W_BASIC 5184 /* 8.64 in at 600 dpi */
#define FJ_MAX_L_BASIC 8400 /* 14 in at 600 dpi */
#define FJ_UNITS       1200 /* window geometry is in 1/1200 inch */

/* Sense keys and the ASC/ASCQ the backend's sense_handler() maps */
#define FJ_KEY_NO_SENSE	 0x0
#define FJ_KEY_NOT_READY 0x2
#define FJ_KEY_MEDIUM	 0x3
#define FJ_KEY_ILLEGAL	 0x5
#define FJ_ASC_MEDIUM	 0x80 /* with key 3: ASCQ says which */
#define FJ_ASCQ_JAM	 0x01 /* SANE_STATUS_JAMMED */
#define FJ_ASCQ_COVER	 0x02 /* SANE_STATUS_COVER_OPEN */
#define FJ_ASCQ_HOPPER	 0x03 /* SANE_STATUS_NO_DOCS */
#define FJ_ASCQ_DF	 0x07 /* double feed: SANE_STATUS_JAMMED */
#define FJ_ASC_PARAM_LEN 0x1a /* parameter list length error */
#define FJ_ASC_BAD_OP	 0x20 /* invalid command */
#define FJ_ASC_BAD_CDB	 0x24 /* invalid field in CDB */
#define FJ_ASC_BAD_PARAM 0x26 /* invalid field in parameter list */
#define FJ_ASC_SEQUENCE	 0x2c /* command sequence error */

/**
 * struct fj_window - one window descriptor of SET WINDOW, decoded
 * @wid: window identifier, FJ_WID_FRONT or FJ_WID_BACK
 * @xres: horizontal resolution, dpi
 * @yres: vertical resolution, dpi
 * @ulx: left edge, 1/1200 inch
 * @uly: top edge, 1/1200 inch
 * @width: width, 1/1200 inch
 * @length: length, 1/1200 inch
 * @comp: image composition, FJ_COMP_*
 * @bpp: bits per pixel (1 lineart, 8 gray and color)
 * @vuid: vendor unique identifier (0x00 mono, 0xc1 color)
 * @ppl: pixels per line the window gives
 * @lines: lines the window gives
 * @bpl: bytes per line
 * @raw: the descriptor as sent, for GET WINDOW
 */
struct fj_window {
	uint8_t wid;
	uint16_t xres, yres;
	uint32_t ulx, uly, width, length;
	uint8_t comp, bpp, vuid;
	uint32_t ppl, lines, bpl;
	uint8_t raw[FJ_WIN_DESC_LEN];
};

/* Big-endian fields of CDBs and data (fujitsu-scsi.h getnbyte/putnbyte) */
uint32_t fj_get(const uint8_t *p, unsigned int n);
void fj_put(uint8_t *p, uint32_t v, unsigned int n);

void fj_status_block(uint8_t blk[FJ_USB_STAT_LEN], uint8_t status);
int fj_parse_cmd(const uint8_t *blk, size_t len, const uint8_t **cdb);
size_t fj_out_len(const uint8_t *cdb);
size_t fj_in_len(const uint8_t *cdb);

void fj_sense(uint8_t s[FJ_SENSE_LEN], uint8_t key, uint8_t asc, uint8_t ascq,
	      bool eom, bool ili, uint32_t info, int field);
void fj_inquiry(uint8_t d[FJ_INQ_STD_LEN]);
void fj_vpd(uint8_t d[FJ_VPD_LEN]);

uint32_t fj_max_length(unsigned int xres);
int fj_parse_window(const uint8_t *desc, struct fj_window *w);
int fj_parse_set_window(const uint8_t *data, size_t len, struct fj_window *w,
			unsigned int *n);
void fj_pixelsize(uint8_t d[FJ_PSIZE_LEN], const struct fj_window *w);

bool fj_mode_page_known(uint8_t page);
size_t fj_mode_sense(uint8_t *d, size_t alloc, uint8_t page,
		     const uint8_t data[6]);

#endif /* WIASCAN_FJ_H */
