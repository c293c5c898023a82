// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing a sink by output format, and the choices every TIFF sink
 * checks before the scanner moves (compression against mode, size).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "compiler.h"
#include "sink.h"

static const char *const format_names[] = {
	[SINK_FORMAT_RAW] = "raw",
	[SINK_FORMAT_TIFF] = "tiff",
};

static const char *const comp_names[] = {
	[SINK_COMP_NONE] = "none", [SINK_COMP_PACKBITS] = "packbits",
	[SINK_COMP_LZW] = "lzw",   [SINK_COMP_DEFLATE] = "deflate",
	[SINK_COMP_JPEG] = "jpeg", [SINK_COMP_G4] = "g4",
};

static int find_name(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -EINVAL;
}

int wias_sink_parse_format(const char *s, enum sink_format *format)
{
	int i = find_name(format_names, ARRAY_SIZE(format_names), s);

	if (i < 0)
		return i;
	*format = (enum sink_format)i;
	return 0;
}

int wias_sink_parse_compression(const char *s, enum sink_compression *c)
{
	int i = find_name(comp_names, ARRAY_SIZE(comp_names), s);

	if (i < 0 && !strcmp(s, "ccitt-g4"))
		i = SINK_COMP_G4;
	if (i < 0)
		return i;
	*c = (enum sink_compression)i;
	return 0;
}

const char *wias_sink_compression_name(enum sink_compression c)
{
	return (size_t)c < ARRAY_SIZE(comp_names) ? comp_names[c] : "?";
}

static const char *const jpeg_color_names[] = {
	[SINK_JPEG_YCBCR] = "ycbcr",
	[SINK_JPEG_RGB] = "rgb",
};

/**
 * wias_sink_parse_jpeg_color() - "ycbcr" or "rgb" as SINK_JPEG_*
 * @s: the name
 * @c: the value (set on success only)
 *
 * Return: 0 or -EINVAL.
 */
int wias_sink_parse_jpeg_color(const char *s, enum sink_jpeg_color *c)
{
	int i = find_name(jpeg_color_names, ARRAY_SIZE(jpeg_color_names), s);

	if (i < 0)
		return i;
	*c = (enum sink_jpeg_color)i;
	return 0;
}

/**
 * wias_sink_workers() - the compression workers a sink starts
 * @workers: struct sink_options' @workers (0: the online CPUs)
 *
 * Return: 1..SINK_WORKERS_MAX.
 */
unsigned int wias_sink_workers(unsigned int workers)
{
	long n = workers;

	if (!n)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > SINK_WORKERS_MAX ? SINK_WORKERS_MAX : (unsigned int)n;
}

/* JPEG has no 1-bit form, CCITT G4 has only the 1-bit form */
int wias_sink_check_compression(enum sink_compression c, enum scan_mode mode)
{
	if (c == SINK_COMP_JPEG && mode == SCAN_MODE_LINEART)
		return -EINVAL;
	if (c == SINK_COMP_G4 && mode != SCAN_MODE_LINEART)
		return -EINVAL;
	return 0;
}

/*
 * The most a scan may write, uncompressed: @pages pages (0: unknown, an
 * ADF; counted as a 100-sheet feeder) of the format's height, or of 14
 * inches (legal paper) when the length is unknown.
 */
uint64_t wias_sink_estimate_bytes(const struct scan_format *fmt, uint32_t pages)
{
	uint64_t rows = fmt->height_px ? fmt->height_px :
					 (uint64_t)fmt->dpi * 14;

	if (!pages)
		pages = scan_source_is_adf(fmt->source) ? 100 : 1;
	return rows * fmt->bytes_per_line * pages;
}

int wias_sink_open(const struct sink_options *opt, struct wia_error *err,
		   struct sink **out)
{
	switch (opt->format) {
	case SINK_FORMAT_RAW:
		return wias_sink_raw_open(opt, err, out);
	case SINK_FORMAT_TIFF:
		return wias_sink_tiff_open(opt, err, out);
	}
	return wias_werr_set(err, WERR_USAGE, -EINVAL, "output format");
}
