/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SANE backend "wiascan": what its units share.  backend.c has the
 * SANE entry points and the scan state machine, options.c the option
 * descriptors and their values, devices.c the device list, status.c the
 * library's errors as SANE_Status, debug.c the SANE_DEBUG_WIASCAN log,
 * crop.c the scan window's crop (tl-x, tl-y) while sane_read copies.
 */
#ifndef WIASCAN_SANE_BACKEND_H
#define WIASCAN_SANE_BACKEND_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <sane/sane.h>
#include <sane/saneopts.h>

#include "libwiascan.h"
#include "protocol.h"

#define WSANE_NAME	     "wiascan"
#define WSANE_PREFIX	     "wiascan:"
#define WSANE_SYNTH_NAME     "synth"
/* The environment variable that adds the synthetic scanner (tests) */
#define WSANE_SYNTH_ENV	     "WIASCAN_SANE_SYNTH"
#define WSANE_SYNTH_ROWS     64
/* Tests: the synthetic scanner's ring buffers have this many bytes */
#define WSANE_SYNTH_BUF_ENV  "WIASCAN_SANE_SYNTH_BUF"
/* The source names simple-scan, NAPS2 and libinsane recognize */
#define WSANE_SRC_FLATBED    "Flatbed"
#define WSANE_SRC_ADF	     "ADF"
/* both sides: the name SANE's fujitsu backend (and others) use */
#define WSANE_SRC_ADF_DUPLEX "ADF Duplex"
/* Preview scans at most at this resolution */
#define WSANE_PREVIEW_DPI    75U

/* debug.c: SANE_DEBUG_WIASCAN=N prints messages of level <= N to stderr */
void wsane_debug_init(void);
void wsane_dbg(int level, const char *fmt, ...) __printf(2, 3);
int wsane_debug_level(void);
#define DBG wsane_dbg

/**
 * struct wsane_device - one scanner as the list shows it
 * @name: "/dev/wiascanN" or "synth" (the dll backend shows them with
 *	"wiascan:" before)
 * @node: its device node ("" for the synthetic one)
 * @vendor, @model, @type: for SANE_Device
 * @info: what it can do (its GET_INFO)
 * @synth: the synthetic scanner of WIASCAN_SANE_SYNTH
 */
struct wsane_device {
	char name[96];
	char node[80];
	char vendor[128];
	char model[128];
	const char *type;
	struct scan_device_info info;
	bool synth;
};

/* devices.c */
int wsane_devices_scan(struct wsane_device **list, size_t *n);
int wsane_device_find(const char *name, struct wsane_device *out);
int wsane_synth_options(const char *spec, struct synth_options *o,
			uint32_t *rows);

/* status.c */
SANE_Status wsane_status(int ret, const struct wia_error *err,
			 const char *what);
const char *wsane_status_name(SANE_Status st);

enum wsane_opt {
	OPT_NUM_OPTS,
	OPT_GROUP_STANDARD,
	OPT_MODE,
	OPT_RESOLUTION,
	OPT_SOURCE,
	OPT_PREVIEW,
	OPT_GROUP_GEOMETRY,
	OPT_TL_X,
	OPT_TL_Y,
	OPT_BR_X,
	OPT_BR_Y,
	OPT_PAGE_WIDTH,
	OPT_PAGE_HEIGHT,
	OPT_COUNT,
};

/**
 * struct wsane_options - the option descriptors and values of one handle
 * @desc: the descriptors, indexed by enum wsane_opt
 * @mode_list, @source_list: the string lists (NULL-terminated)
 * @modes, @sources: which SCAN_MODE_* / SCAN_SOURCE_* each entry means
 * @dpi_range, @x_range, @y_range: the range constraints
 * @mode, @source: the values, as SCAN_MODE_* / SCAN_SOURCE_*
 * @dpi: resolution
 * @preview: SANE_TRUE for a preview scan
 * @tl_x .. @page_h: the geometry, SANE_Fixed mm
 */
struct wsane_options {
	SANE_Option_Descriptor desc[OPT_COUNT];
	SANE_String_Const mode_list[4];
	SANE_String_Const source_list[4];
	enum scan_mode modes[3];
	enum scan_source_kind sources[3];
	SANE_Range dpi_range;
	SANE_Range x_range;
	SANE_Range y_range;
	enum scan_mode mode;
	enum scan_source_kind source;
	SANE_Int dpi;
	SANE_Bool preview;
	SANE_Fixed tl_x, tl_y, br_x, br_y, page_w, page_h;
};

/**
 * struct wsane_window - where the front end's window starts in the image
 *	the scanner sends (which starts at the scanner's origin)
 * @x0: pixels dropped at the left of every row: px(tl-x)
 * @y0: rows dropped at the top: px(tl-y)
 */
struct wsane_window {
	uint32_t x0;
	uint32_t y0;
};

/**
 * struct wsane_crop - the crop of one scan and its cursor in the page
 * @win: the window's offsets, fitted to the scanner's image
 * @in_bpl: bytes of a row the scanner sends
 * @out_bpl: bytes of a row the front end gets
 * @skip: input bytes of every row before the first one copied
 * @shift: lineart: bits of input byte @skip before the first kept pixel
 * @bits: lineart from within a byte (tl-x not a multiple of 8): bits are
 *	shifted; otherwise whole bytes are cut, as in gray and color
 * @last_mask: lineart: the bits of a row's last output byte that are
 *	pixels (the rest, padding, are 0)
 * @row: the device row the cursor is in (0-based, in the page)
 * @col: the byte in it the cursor is at
 * @oj: output bytes of that row made so far
 * @prev: lineart: the input byte before the cursor
 * @held: an output byte made but not yet handed out, while @has_held
 */
struct wsane_crop {
	struct wsane_window win;
	uint32_t in_bpl;
	uint32_t out_bpl;
	uint32_t skip;
	unsigned int shift;
	bool bits;
	uint8_t last_mask;
	uint64_t row;
	uint32_t col;
	uint32_t oj;
	uint8_t prev;
	uint8_t held;
	bool has_held;
};

/* options.c */
void wsane_options_init(struct wsane_options *o,
			const struct scan_device_info *info);
SANE_Status wsane_option_control(struct wsane_options *o, SANE_Int n,
				 SANE_Action action, void *val, SANE_Int *info);
void wsane_options_request(const struct wsane_options *o,
			   struct scan_request *req, struct wsane_window *win);

/* crop.c */
void wsane_window_fit(struct wsane_window *win, uint32_t width_px,
		      uint32_t height_px);
void wsane_window_params(enum scan_mode mode, uint32_t width_px,
			 uint32_t height_px, const struct wsane_window *win,
			 SANE_Parameters *p);
void wsane_crop_setup(struct wsane_crop *c, const struct scan_format *fmt,
		      const struct wsane_window *win);
void wsane_crop_page(struct wsane_crop *c);
size_t wsane_crop_copy(struct wsane_crop *c, const uint8_t *in, size_t in_len,
		       size_t *in_used, uint8_t *out, size_t out_len);

#endif /* WIASCAN_SANE_BACKEND_H */
