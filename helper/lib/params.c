// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing and naming of scan parameters, shared by every front end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "params.h"

static const char *const mode_names[] = {
	[SCAN_MODE_LINEART] = "lineart",
	[SCAN_MODE_GRAY] = "gray",
	[SCAN_MODE_COLOR] = "color",
};

static const char *const source_names[] = {
	[SCAN_SOURCE_FLATBED] = "flatbed",
	[SCAN_SOURCE_ADF] = "adf",
	[SCAN_SOURCE_ADF_DUPLEX] = "adf-duplex",
};

/* Named paper sizes, in tenths of a millimetre so that letter stays exact */
static const struct {
	const char *name;
	uint32_t w, h;
} paper_sizes[] = {
	{ "a4", 2100, 2970 },
	{ "letter", 2159, 2794 },
};

int wias_scan_parse_mode(const char *s, enum scan_mode *mode)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mode_names); i++) {
		if (!strcmp(s, mode_names[i])) {
			*mode = (enum scan_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

int wias_scan_parse_source(const char *s, enum scan_source_kind *source)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(source_names); i++) {
		if (!strcmp(s, source_names[i])) {
			*source = (enum scan_source_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* A decimal number in [min, max]; no sign, no spaces, no trailing text */
int wias_scan_parse_u32(const char *s, uint32_t min, uint32_t max,
			uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

/* WxH in pixels; H may be 0 (unknown length, checked against the source later) */
static int parse_pixels(const char *s, struct scan_size_spec *spec)
{
	const char *x = strchr(s, 'x');
	char w[16];
	size_t n;

	if (!x)
		return -EINVAL;
	n = (size_t)(x - s);
	if (n == 0 || n >= sizeof(w))
		return -EINVAL;
	memcpy(w, s, n);
	w[n] = '\0';
	if (wias_scan_parse_u32(w, 1, SCAN_MAX_PIXELS, &spec->width_px) ||
	    wias_scan_parse_u32(x + 1, 0, SCAN_MAX_PIXELS, &spec->height_px))
		return -EINVAL;
	spec->named = false;
	return 0;
}

int wias_scan_parse_size(const char *s, struct scan_size_spec *spec)
{
	size_t i;

	memset(spec, 0, sizeof(*spec));
	for (i = 0; i < ARRAY_SIZE(paper_sizes); i++) {
		if (!strcmp(s, paper_sizes[i].name)) {
			spec->named = true;
			spec->w_tenth_mm = paper_sizes[i].w;
			spec->h_tenth_mm = paper_sizes[i].h;
			return 0;
		}
	}
	return parse_pixels(s, spec);
}

/* round(mm / 25.4 * dpi), halves up, in integers: px = (t * dpi + 127) / 254 */
uint32_t wias_scan_tenth_mm_to_px(uint32_t tenth_mm, uint32_t dpi)
{
	return (uint32_t)(((uint64_t)tenth_mm * dpi + 127) / 254);
}

int wias_scan_resolve_size(const struct scan_size_spec *spec, uint32_t dpi,
			   enum scan_source_kind source, uint32_t *width_px,
			   uint32_t *height_px)
{
	uint32_t w, h;

	if (spec->named) {
		w = wias_scan_tenth_mm_to_px(spec->w_tenth_mm, dpi);
		h = wias_scan_tenth_mm_to_px(spec->h_tenth_mm, dpi);
	} else {
		w = spec->width_px;
		h = spec->height_px;
	}
	/* Only a sheet feeder knows where a page ends by itself */
	if (h == 0 && !scan_source_is_adf(source))
		return -EINVAL;
	if (w == 0)
		return -EINVAL;
	*width_px = w;
	*height_px = h;
	return 0;
}

uint32_t wias_scan_bytes_per_line(enum scan_mode mode, uint32_t width_px)
{
	switch (mode) {
	case SCAN_MODE_LINEART:
		return (width_px + 7) / 8;
	case SCAN_MODE_GRAY:
		return width_px;
	case SCAN_MODE_COLOR:
		return 3 * width_px;
	}
	return 0;
}

const char *wias_scan_mode_name(enum scan_mode mode)
{
	return (unsigned int)mode < ARRAY_SIZE(mode_names) ? mode_names[mode] :
							     "?";
}

const char *wias_scan_source_name(enum scan_source_kind source)
{
	return (unsigned int)source < ARRAY_SIZE(source_names) ?
		       source_names[source] :
		       "?";
}

const char *wias_scan_cond_text(enum scan_cond cond)
{
	switch (cond) {
	case SCAN_COND_NONE:
		break;
	case SCAN_COND_NO_PAPER:
		return "no paper (the scanner refused to start)";
	case SCAN_COND_JAM:
		return "paper jam";
	case SCAN_COND_DOUBLE_FEED:
		return "double feed (several sheets drawn at once)";
	case SCAN_COND_CANCELLED:
		return "cancelled";
	case SCAN_COND_COVER_OPEN:
		return "ADF cover open";
	}
	return "no error";
}
