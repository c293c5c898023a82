/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Fujitsu/Ricoh fi-series SCSI-over-USB wire constants, shared by the
 * helper's protocol module (fujitsu.h) and the emulator's fujitsu
 * personality (tools/testing/emulator/fj.h), as refscan.h is for the
 * reference scanner: one list of facts, each naming its source.
 *
 * Source, unless a comment says otherwise: SANE's fujitsu backend,
 * sane-backends backend/fujitsu-scsi.h (the macros named in the comments)
 * and backend/fujitsu.c.  Multi-byte fields are big-endian.
 */
#ifndef WIASCAN_FJSCAN_H
#define WIASCAN_FJSCAN_H

#define FJ_VENDOR_ID 0x04c5 /* Fujitsu (fujitsu.conf "usb 0x04c5 ...") */

/* USB wrapping: fujitsu-scsi.h USB_COMMAND_*, USB_STATUS_* */
#define FJ_USB_CMD_CODE	   0x43 /* byte 0 of the command block */
#define FJ_USB_CMD_LEN	   31
#define FJ_USB_CMD_OFFSET  19	/* the CDB */
#define FJ_USB_STAT_CODE   0x53 /* byte 0 of the status block */
#define FJ_USB_STAT_LEN	   13
#define FJ_USB_STAT_OFFSET 9 /* the SCSI status byte */

/* SCSI status byte values (SCSI-2; do_usb_cmd tests for non-zero) */
#define FJ_STATUS_GOOD		  0x00
#define FJ_STATUS_CHECK_CONDITION 0x02
#define FJ_STATUS_BUSY		  0x08

/* Opcodes: fujitsu-scsi.h *_code */
#define FJ_OP_TEST_UNIT_READY 0x00
#define FJ_OP_REQUEST_SENSE   0x03
#define FJ_OP_INQUIRY	      0x12
#define FJ_OP_MODE_SELECT     0x15
#define FJ_OP_RESERVE_UNIT    0x16
#define FJ_OP_RELEASE_UNIT    0x17
#define FJ_OP_MODE_SENSE      0x1a
#define FJ_OP_SCAN	      0x1b
#define FJ_OP_READ_DIAG	      0x1c
#define FJ_OP_SEND_DIAG	      0x1d
#define FJ_OP_SET_WINDOW      0x24
#define FJ_OP_GET_WINDOW      0x25
#define FJ_OP_READ	      0x28
#define FJ_OP_SEND	      0x2a
#define FJ_OP_OBJECT_POSITION 0x31
#define FJ_OP_ENDORSER	      0xc1
#define FJ_OP_GET_HW_STATUS   0xc2
#define FJ_OP_SCANNER_CONTROL 0xf1

#define FJ_SENSE_LEN	18   /* RS_return_size */
#define FJ_INQ_STD_LEN	96   /* INQUIRY_std_len */
#define FJ_WIN_HDR_LEN	8    /* SW_header_len */
#define FJ_WIN_DESC_LEN 64   /* SW_desc_len */
#define FJ_PSIZE_LEN	0x20 /* R_PSIZE_len */
#define FJ_GHS_LEN	12   /* GHS_data_len */

#define FJ_WID_FRONT 0x00 /* WD_wid_front */
#define FJ_WID_BACK  0x80 /* WD_wid_back */

/* READ data types (R_datatype_*) */
#define FJ_READ_IMAGE	  0x00
#define FJ_READ_PIXELSIZE 0x80

/* Image composition, window byte 0x19 (WD_comp_*) */
#define FJ_COMP_LINEART 0
#define FJ_COMP_GRAY	2
#define FJ_COMP_COLOR	5

/* OBJECT POSITION actions, CDB byte 1 bits 0-2 (OP_*) */
#define FJ_OP_DISCHARGE 0
#define FJ_OP_FEED	1
#define FJ_OP_HALT	4

#endif /* WIASCAN_FJSCAN_H */
