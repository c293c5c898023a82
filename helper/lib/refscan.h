/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reference scanner's USB protocol: the one source of truth for its
 * wire constants, shared by the helper (protocol_ref.c) and the emulator
 * (tools/testing/emulator).  Documentation/reference-protocol.rst explains it.
 *
 * All multi-byte fields on the wire are little-endian; every structure is
 * naturally aligned and has no padding, so it can be sent as it is on a
 * little-endian host and is converted with le16toh()/le32toh() elsewhere.
 */
#ifndef WIASCAN_REFSCAN_H
#define WIASCAN_REFSCAN_H

#include <stdint.h>

/* pid.codes test VID/PID, narrowed by the interface triple below */
#define REFSCAN_VENDOR_ID   0x1209
#define REFSCAN_PRODUCT_ID  0x0001
#define REFSCAN_IF_CLASS    0xff /* vendor specific */
#define REFSCAN_IF_SUBCLASS 0x57 /* 'W' */
#define REFSCAN_IF_PROTOCOL 0x01

#define REFSCAN_MANUFACTURER "wiascan project"
#define REFSCAN_PRODUCT	     "Reference Scanner"

/*
 * Endpoints: bulk-in image data, bulk-out commands, interrupt-in events.
 * These are the addresses the device asks for; a gadget's controller may
 * renumber them (dummy_hcd puts the interrupt endpoint at 0x85), so hosts
 * find endpoints by type and direction, never by number.
 */
#define REFSCAN_EP_BULK_IN	 0x81
#define REFSCAN_EP_BULK_OUT	 0x02
#define REFSCAN_EP_INTR_IN	 0x83
#define REFSCAN_INTR_MAXPACKET	 8
#define REFSCAN_INTR_INTERVAL_HS 4 /* 2^(4-1) microframes = 1 ms */
#define REFSCAN_INTR_INTERVAL_FS 1 /* 1 ms */

/* bmRequestType of every request: vendor, to the interface */
#define REFSCAN_RT_IN  0xc1
#define REFSCAN_RT_OUT 0x41

/* bRequest values */
#define REFSCAN_REQ_GET_INFO   0x01 /* IN,  struct refscan_info */
#define REFSCAN_REQ_SET_PARAMS 0x02 /* OUT, struct refscan_params */
#define REFSCAN_REQ_GET_PARAMS 0x03 /* IN,  struct refscan_params */
#define REFSCAN_REQ_START      0x04 /* OUT, no data */
#define REFSCAN_REQ_CANCEL     0x05 /* OUT, no data */
#define REFSCAN_REQ_GET_STATUS 0x06 /* IN,  struct refscan_status */

/*
 * Version 2 (backward compatible with 1, see reference-protocol.rst):
 * START's wValue bounds the sheets the ADF feeds (REFSCAN_START_SHEETS_ALL:
 * until the feeder is empty), and GET_STATUS may be read 24 bytes long,
 * adding what the scanner is doing and how far it got.  A host checks
 * GET_INFO.version before sending a non-zero wValue (a version 1 device
 * stalls it) and accepts a 16-byte GET_STATUS reply from a version 1 one.
 */
#define REFSCAN_PROTOCOL_VERSION 2
#define REFSCAN_START_SHEETS_ALL 0

/* Modes */
#define REFSCAN_MODE_LINEART 0 /* 1 bit per pixel, MSB first, 1 = black */
#define REFSCAN_MODE_GRAY    1 /* 8 bits per pixel */
#define REFSCAN_MODE_COLOR   2 /* 24 bits per pixel, R G B interleaved */

/* Sources */
#define REFSCAN_SOURCE_FLATBED 0
#define REFSCAN_SOURCE_ADF     1

/**
 * struct refscan_info - GET_INFO reply, what the scanner can do
 * @version: REFSCAN_PROTOCOL_VERSION
 * @modes: bit (1 << REFSCAN_MODE_x) per supported mode
 * @sources: bit (1 << REFSCAN_SOURCE_x) per source present
 * @reserved: zero
 * @min_dpi: lowest resolution
 * @max_dpi: highest resolution
 * @max_width_um: widest scan area, micrometres
 * @max_height_um: longest page (flatbed glass, or ADF limit), micrometres
 */
struct refscan_info {
	uint8_t version;
	uint8_t modes;
	uint8_t sources;
	uint8_t reserved;
	uint16_t min_dpi;
	uint16_t max_dpi;
	uint32_t max_width_um;
	uint32_t max_height_um;
};

/**
 * struct refscan_params - SET_PARAMS request, GET_PARAMS reply
 * @mode: REFSCAN_MODE_*
 * @source: REFSCAN_SOURCE_*
 * @dpi: resolution, both axes
 * @width_px: pixels per row
 * @height_px: rows per page; 0 = unknown (ADF only: the sheet decides)
 * @bytes_per_line: set by the device in the GET_PARAMS reply
 *	(lineart (w+7)/8, gray w, color 3w); ignored in SET_PARAMS
 *
 * A value out of range cannot stall SET_PARAMS itself (a gadget's control
 * write is acknowledged once its data is read): the device keeps its old
 * parameters, sets REFSCAN_ERR_BAD_PARAMS and stalls GET_PARAMS and START
 * until a valid SET_PARAMS arrives.  Hosts send GET_PARAMS after SET_PARAMS.
 */
struct refscan_params {
	uint8_t mode;
	uint8_t source;
	uint16_t dpi;
	uint32_t width_px;
	uint32_t height_px;
	uint32_t bytes_per_line;
};

/* Scanner states, refscan_status.state */
#define REFSCAN_STATE_IDLE     0
#define REFSCAN_STATE_SCANNING 1

/* Errors, refscan_status.error and REFSCAN_EVENT_* */
#define REFSCAN_ERR_NONE	0
#define REFSCAN_ERR_NO_PAPER	1 /* START with an empty feeder */
#define REFSCAN_ERR_JAM		2
#define REFSCAN_ERR_DOUBLE_FEED 3
#define REFSCAN_ERR_BAD_PARAMS	4
#define REFSCAN_ERR_CANCELLED	5

/* What a scanning scanner is busy with, refscan_status.activity (v2) */
#define REFSCAN_ACT_IDLE       0 /* not scanning */
#define REFSCAN_ACT_WARMING_UP 1 /* lamp warming up: no data yet */
#define REFSCAN_ACT_FEEDING    2 /* the ADF is pulling in the next sheet */
#define REFSCAN_ACT_SENDING    3 /* producing image data */

/**
 * struct refscan_status - GET_STATUS reply (version 1: all of it)
 * @state: REFSCAN_STATE_*
 * @error: REFSCAN_ERR_* of the last scan
 * @sheets_left: sheets still in the feeder
 * @pages_done: pages completely sent since the last START
 * @bulk_out_bytes: bytes received on bulk-out since the gadget came up
 * @bulk_out_sum: sum of those bytes, modulo 2^32
 */
struct refscan_status {
	uint8_t state;
	uint8_t error;
	uint16_t sheets_left;
	uint32_t pages_done;
	uint32_t bulk_out_bytes;
	uint32_t bulk_out_sum;
};

/**
 * struct refscan_status_v2 - the longer GET_STATUS reply of version 2
 * @v1: the version 1 reply, unchanged
 * @scan_bytes: image bytes the scanner has produced for bulk-in since the
 *	last START, modulo 2^32: it moves while the scanner makes progress
 * @activity: REFSCAN_ACT_*
 * @reserved: zero
 *
 * A host asks for sizeof(struct refscan_status_v2) bytes; a version 1
 * device sends only the first sizeof(struct refscan_status).
 */
struct refscan_status_v2 {
	struct refscan_status v1;
	uint32_t scan_bytes;
	uint8_t activity;
	uint8_t reserved[3];
};

/* Interrupt-in event packet types, refscan_event.type */
#define REFSCAN_EVENT_PAGE_DONE	   1 /* arg: bytes in the page */
#define REFSCAN_EVENT_FEEDER_EMPTY 2
#define REFSCAN_EVENT_PAPER_JAM	   3 /* page: the page that jammed */
#define REFSCAN_EVENT_BUTTON	   4 /* arg: button number */
#define REFSCAN_EVENT_DOUBLE_FEED  5

/* refscan_event.flags */
#define REFSCAN_EVENT_FLAG_LAST 0x01 /* no page follows this one */

/**
 * struct refscan_event - one interrupt-in packet, REFSCAN_INTR_MAXPACKET bytes
 * @type: REFSCAN_EVENT_*
 * @flags: REFSCAN_EVENT_FLAG_*
 * @page: page number since START, 0-based
 * @arg: meaning depends on @type
 */
struct refscan_event {
	uint8_t type;
	uint8_t flags;
	uint16_t page;
	uint32_t arg;
};

_Static_assert(sizeof(struct refscan_info) == 16, "refscan_info layout");
_Static_assert(sizeof(struct refscan_params) == 16, "refscan_params layout");
_Static_assert(sizeof(struct refscan_status) == 16, "refscan_status layout");
_Static_assert(sizeof(struct refscan_status_v2) == 24,
	       "refscan_status_v2 layout");
_Static_assert(sizeof(struct refscan_event) == REFSCAN_INTR_MAXPACKET,
	       "refscan_event layout");

/* Bytes in one row of @width_px pixels in @mode */
static inline uint32_t refscan_bytes_per_line(uint8_t mode, uint32_t width_px)
{
	switch (mode) {
	case REFSCAN_MODE_LINEART:
		return (width_px + 7) / 8;
	case REFSCAN_MODE_GRAY:
		return width_px;
	case REFSCAN_MODE_COLOR:
		return 3 * width_px;
	}
	return 0;
}

#endif /* WIASCAN_REFSCAN_H */
