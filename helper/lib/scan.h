/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scan loop: buffers from a source into a sink, page by page.
 */
#ifndef WIASCAN_SCAN_H
#define WIASCAN_SCAN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "sink.h"
#include "source.h"

/* Empty sheets whose numbers a scan notes for its warning */
#define SCAN_EMPTY_NOTED 8

/**
 * struct scan_stats - what a scan did
 * @pages: pages completed (ended by the device, confirmed and written)
 * @bytes: image bytes received
 * @seconds: from the start request to the output being final
 * @kept: after a failure or cancel, the completed pages the sink kept
 * @tail_bytes: after a failure, bytes of the unfinished page that stay in
 *	an output that cannot be cut (a pipe), after the kept pages
 * @empty: sheets that ended with no data (not written)
 * @empty_sheets: the first SCAN_EMPTY_NOTED of them, 0-based sheet numbers
 */
struct scan_stats {
	uint32_t pages;
	uint64_t bytes;
	double seconds;
	uint32_t kept;
	uint64_t tail_bytes;
	uint32_t empty;
	uint32_t empty_sheets[SCAN_EMPTY_NOTED];
};

/**
 * struct scan_progress - where a scan is, for progress displays
 * @page: the page being received (0-based)
 * @page_bytes: its bytes so far
 * @page_total: its length, 0 when unknown
 * @pages_done: pages completed
 * @pages_total: pages the scan will have, 0 when unknown (ADF)
 * @bytes: bytes received in all
 * @seconds: since the scan started
 * @page_end: this update ends a page
 * @end: the last update of the scan
 * @activity: what the scanner says it is busy with while no data comes
 *	("warming up"), NULL when data flows
 */
struct scan_progress {
	uint32_t page;
	uint64_t page_bytes;
	uint64_t page_total;
	uint32_t pages_done;
	uint32_t pages_total;
	uint64_t bytes;
	double seconds;
	bool page_end;
	bool end;
	const char *activity;
};

/**
 * struct scan_control - how the front end steers a scan
 * @cancel: set (by a signal handler) to stop: the device is cancelled, the
 *	completed pages are kept when the sink can, the scan fails -ECANCELED
 * @max_pages: stop after this many pages (ADF --pages), 0: until the end
 * @progress: called for every buffer and page end (may be NULL); it
 *	decides itself how often to show anything
 * @arg: for @progress
 * @activity: (may be NULL) called with @arg while the source waits, with
 *	what the scanner says it is busy with (NULL: nothing to say)
 */
struct scan_control {
	volatile sig_atomic_t *cancel;
	uint32_t max_pages;
	void (*progress)(void *arg, const struct scan_progress *p);
	void *arg;
	void (*activity)(void *arg, const char *what);
};

int wias_scan_run(struct scan_source *src, struct sink *sink,
		  struct scan_stats *stats, struct wia_error *err);
int wias_scan_run_ctl(struct scan_source *src, struct sink *sink,
		      const struct scan_control *ctl, struct scan_stats *stats,
		      struct wia_error *err);
double wias_scan_mb_per_s(const struct scan_stats *stats);

#endif /* WIASCAN_SCAN_H */
