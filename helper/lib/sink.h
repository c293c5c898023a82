/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the image bytes go (the WIA service's file side).  The scan loop
 * calls, for each page, begin_page, write for every filled buffer (the
 * bytes are read in place from the device's mapping), end_page; then
 * finish to make the output final, or abort to throw it away.  finish and
 * abort free the sink.
 *
 * sink_raw.c is wiasWriteBufToFile: every buffer appended to one file,
 * pages concatenated.  A TIFF sink (wiasWritePageBufToFile) and a batch
 * sink (one file per page) fit the same calls.
 */
#ifndef WIASCAN_SINK_H
#define WIASCAN_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "params.h"

enum sink_format {
	SINK_FORMAT_RAW,
	SINK_FORMAT_TIFF,
};

enum sink_compression {
	SINK_COMP_NONE,
	SINK_COMP_PACKBITS,
	SINK_COMP_LZW,
	SINK_COMP_DEFLATE,
	SINK_COMP_JPEG,
	SINK_COMP_G4,
};

/* How color JPEG is stored (gray JPEG is always one channel) */
enum sink_jpeg_color {
	SINK_JPEG_YCBCR, /* YCbCr, chroma subsampled 2x2, as scanners write it */
	SINK_JPEG_RGB,	 /* RGB, full resolution in every channel */
};

/* The deflate level when struct sink_options says 0 */
#define SINK_DEFLATE_LEVEL_DEFAULT 1
/* The most compression workers a sink starts */
#define SINK_WORKERS_MAX	   64

enum sink_bigtiff {
	SINK_BIGTIFF_AUTO,
	SINK_BIGTIFF_YES,
	SINK_BIGTIFF_NO,
};

/**
 * struct sink_options - how to write the output
 * @format: SINK_FORMAT_*
 * @path: output file name (a multipage TIFF or raw file); NULL with @batch;
 *	"-" for raw is standard output (a file named "-" is "./-")
 * @force: replace an existing file
 * @batch: TIFF only: one file per page, named by this pattern (one counter
 *	conversion, checked by wias_batch_pattern_check())
 * @batch_start, @batch_increment: the counter of the first page, its step
 * @compression: SINK_COMP_* (TIFF)
 * @jpeg_quality: 1..100 for SINK_COMP_JPEG
 * @jpeg_color: SINK_JPEG_* for color SINK_COMP_JPEG (0: YCbCr 2x2)
 * @deflate_level: 1..9 for SINK_COMP_DEFLATE (1 fastest, 9 smallest);
 *	0: SINK_DEFLATE_LEVEL_DEFAULT
 * @workers: TIFF compression threads, 1..SINK_WORKERS_MAX; 0: the online
 *	CPUs (sysconf(_SC_NPROCESSORS_ONLN)), at most SINK_WORKERS_MAX
 * @bigtiff: SINK_BIGTIFF_*; AUTO chooses BigTIFF when @estimate_bytes may
 *	pass 4 GiB
 * @estimate_bytes: uncompressed bytes the output may reach (per file in a batch)
 * @make, @model: the scanner's USB strings, for the TIFF tags (may be NULL)
 * @software: the Software tag
 */
struct sink_options {
	enum sink_format format;
	const char *path;
	bool force;
	const char *batch;
	int64_t batch_start;
	int64_t batch_increment;
	enum sink_compression compression;
	int jpeg_quality;
	enum sink_jpeg_color jpeg_color;
	int deflate_level;
	unsigned int workers;
	enum sink_bigtiff bigtiff;
	uint64_t estimate_bytes;
	const char *make;
	const char *model;
	const char *software;
};

struct sink;

/**
 * struct sink_ops - one output format
 * @begin_page: page @page (0-based) starts; @fmt is the negotiated format
 *	(@fmt->height_px 0: the length is known only at end_page)
 * @write: append @len bytes of the current page
 * @end_page: the device ended the page
 * @finish: make the output final (fsync, rename); frees the sink
 * @abort: drop what is not final; frees the sink
 * @salvage: the scan failed or was cancelled: make the completed pages
 *	final and drop the open page; frees the sink.  Every sink has it: it
 *	is the one path of every failure.  Returns the pages kept in *@kept;
 *	-ENODATA when there were none (then nothing is left behind)
 */
struct sink_ops {
	int (*begin_page)(struct sink *s, uint32_t page,
			  const struct scan_format *fmt);
	int (*write)(struct sink *s, const void *data, size_t len);
	int (*end_page)(struct sink *s);
	int (*finish)(struct sink *s);
	void (*abort)(struct sink *s);
	int (*salvage)(struct sink *s, uint32_t *kept);
};

/**
 * struct sink - the common head of every sink
 * @ops: its format's operations
 * @err: where failures are described (may be NULL)
 * @kept: where a finish that fails after completed pages (a full disk at
 *	the last page) says how many it kept (may be NULL; salvage returns it)
 * @tail: where salvage says how many bytes of the dropped page stay in an
 *	output that cannot be cut (standard output on a pipe; may be NULL)
 */
struct sink {
	const struct sink_ops *ops;
	struct wia_error *err;
	uint32_t *kept;
	uint64_t *tail;
};

int wias_sink_open(const struct sink_options *opt, struct wia_error *err,
		   struct sink **out);
int wias_sink_raw_open(const struct sink_options *opt, struct wia_error *err,
		       struct sink **out);
int wias_sink_tiff_open(const struct sink_options *opt, struct wia_error *err,
			struct sink **out);
int wias_sink_parse_format(const char *s, enum sink_format *format);
int wias_sink_parse_compression(const char *s, enum sink_compression *c);
const char *wias_sink_compression_name(enum sink_compression c);
int wias_sink_parse_jpeg_color(const char *s, enum sink_jpeg_color *c);
unsigned int wias_sink_workers(unsigned int workers);
int wias_sink_check_compression(enum sink_compression c, enum scan_mode mode);
uint64_t wias_sink_estimate_bytes(const struct scan_format *fmt,
				  uint32_t pages);

/* Batch file names (batch.c) */
int wias_batch_pattern_check(const char *pattern);
int wias_batch_name(const char *pattern, int64_t counter, char *buf,
		    size_t len);
int wias_batch_find_existing(const char *pattern, int64_t start, int64_t inc,
			     uint32_t count, char *name, size_t len);

/* Repair of a TIFF left as NAME.part by a crash (repair.c) */
int wias_tiff_repair(const char *part, const char *out, bool force,
		     struct wia_error *err, uint32_t *pages);

#endif /* WIASCAN_SINK_H */
