/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a scan asks for and what it gets, in terms no device protocol owns:
 * the front ends fill a struct scan_request, a protocol turns it into its
 * own wire format and reports the struct scan_format the device will send.
 */
#ifndef WIASCAN_PARAMS_H
#define WIASCAN_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

enum scan_mode {
	SCAN_MODE_LINEART, /* 1 bit per pixel, MSB first, 1 = black */
	SCAN_MODE_GRAY,	   /* 8 bits per pixel */
	SCAN_MODE_COLOR,   /* 24 bits per pixel, RGB */
};

enum scan_source_kind {
	SCAN_SOURCE_FLATBED,
	SCAN_SOURCE_ADF,
	SCAN_SOURCE_ADF_DUPLEX, /* both sides: front 1, back 1, front 2... */
};

/* The sheet feeder, one side or both */
static inline int scan_source_is_adf(int source)
{
	return source == SCAN_SOURCE_ADF || source == SCAN_SOURCE_ADF_DUPLEX;
}

/* Conditions a scanner reports, beyond plain I/O errors */
enum scan_cond {
	SCAN_COND_NONE,
	SCAN_COND_NO_PAPER, /* START refused: feeder (or glass) empty */
	SCAN_COND_JAM,
	SCAN_COND_DOUBLE_FEED,
	SCAN_COND_CANCELLED,  /* issue 3: stopped by a signal */
	SCAN_COND_COVER_OPEN, /* issue 12: the ADF cover is open */
};

/* Largest values the command line accepts (the wire has 16-bit dpi) */
#define SCAN_MAX_DPI	65535U
#define SCAN_MAX_PIXELS 1000000U

/**
 * struct scan_request - what the user asked for
 * @mode: SCAN_MODE_*
 * @source: SCAN_SOURCE_*
 * @dpi: resolution, both axes
 * @width_px: pixels per row
 * @height_px: rows per page; 0 = unknown length (ADF only)
 */
struct scan_request {
	enum scan_mode mode;
	enum scan_source_kind source;
	uint32_t dpi;
	uint32_t width_px;
	uint32_t height_px;
};

/**
 * struct scan_format - what the device will send, once it accepted a request
 * @mode, @source, @dpi, @width_px, @height_px: as the device confirmed them
 * @bytes_per_line: bytes in one row as sent
 * @inverted: gray and colour samples come as 255 - value (the fi-series;
 *	the device source turns them back)
 */
struct scan_format {
	enum scan_mode mode;
	enum scan_source_kind source;
	uint32_t dpi;
	uint32_t width_px;
	uint32_t height_px;
	uint32_t bytes_per_line;
	bool inverted;
};

/**
 * struct scan_size_spec - a --size argument before the resolution is known
 * @named: true for a paper name, then @w_tenth_mm/@h_tenth_mm hold its size
 * @w_tenth_mm, @h_tenth_mm: paper size in tenths of a millimetre
 * @width_px, @height_px: explicit pixel size (when !@named)
 */
struct scan_size_spec {
	bool named;
	uint32_t w_tenth_mm;
	uint32_t h_tenth_mm;
	uint32_t width_px;
	uint32_t height_px;
};

int wias_scan_parse_mode(const char *s, enum scan_mode *mode);
int wias_scan_parse_source(const char *s, enum scan_source_kind *source);
int wias_scan_parse_size(const char *s, struct scan_size_spec *spec);
int wias_scan_parse_u32(const char *s, uint32_t min, uint32_t max,
			uint32_t *out);
uint32_t wias_scan_tenth_mm_to_px(uint32_t tenth_mm, uint32_t dpi);
int wias_scan_resolve_size(const struct scan_size_spec *spec, uint32_t dpi,
			   enum scan_source_kind source, uint32_t *width_px,
			   uint32_t *height_px);
uint32_t wias_scan_bytes_per_line(enum scan_mode mode, uint32_t width_px);

const char *wias_scan_mode_name(enum scan_mode mode);
const char *wias_scan_source_name(enum scan_source_kind source);
const char *wias_scan_cond_text(enum scan_cond cond);

#endif /* WIASCAN_PARAMS_H */
