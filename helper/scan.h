/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scan loop: buffers from a source into a sink, page by page.
 */
#ifndef WIASCAN_SCAN_H
#define WIASCAN_SCAN_H

#include <stdint.h>

#include "error.h"
#include "sink.h"
#include "source.h"

/**
 * struct scan_stats - what a scan did
 * @pages: pages completed (ended by the device and written)
 * @bytes: image bytes written
 * @seconds: from the start request to the output being final
 */
struct scan_stats {
	uint32_t pages;
	uint64_t bytes;
	double seconds;
};

int scan_run(struct scan_source *src, struct sink *sink,
	     struct scan_stats *stats, struct wia_error *err);
double scan_mb_per_s(const struct scan_stats *stats);

#endif /* WIASCAN_SCAN_H */
