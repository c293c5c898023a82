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
};

/**
 * struct sink_options - how to write the output
 * @format: SINK_FORMAT_*
 * @path: output file name
 * @force: replace an existing file
 */
struct sink_options {
	enum sink_format format;
	const char *path;
	bool force;
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
 */
struct sink_ops {
	int (*begin_page)(struct sink *s, uint32_t page,
			  const struct scan_format *fmt);
	int (*write)(struct sink *s, const void *data, size_t len);
	int (*end_page)(struct sink *s);
	int (*finish)(struct sink *s);
	void (*abort)(struct sink *s);
};

/**
 * struct sink - the common head of every sink
 * @ops: its format's operations
 * @err: where failures are described (may be NULL)
 */
struct sink {
	const struct sink_ops *ops;
	struct wia_error *err;
};

int sink_open(const struct sink_options *opt, struct wia_error *err,
	      struct sink **out);
int sink_raw_open(const struct sink_options *opt, struct wia_error *err,
		  struct sink **out);
int sink_parse_format(const char *s, enum sink_format *format);

#endif /* WIASCAN_SINK_H */
