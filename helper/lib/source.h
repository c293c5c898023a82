/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where filled buffers come from.  The scan loop (scan.c) pulls buffers
 * from a source and pushes them into a sink; it does not care whether the
 * source is a wiascan device driven by a scanner protocol (source_dev.c)
 * or the synthetic formula generator the tests and benchmarks use
 * (source_synth.c), so both exercise the same loop and the same sinks.
 */
#ifndef WIASCAN_SOURCE_H
#define WIASCAN_SOURCE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "params.h"

/**
 * struct scan_buf - one filled buffer, valid until it is released
 * @data: its bytes (in the device's read-only mapping for a device)
 * @bytesused: valid bytes at @data (0 is possible at end of page)
 * @index: the source's buffer number
 * @end_of_page: the page ends with this buffer
 */
struct scan_buf {
	const uint8_t *data;
	size_t bytesused;
	unsigned int index;
	bool end_of_page;
};

struct scan_source;

/**
 * struct scan_source_ops - a source of filled buffers
 * @start: queue every buffer, start streaming and start the scan
 * @next: wait for the next filled buffer; -EINTR when a signal came (or
 *	the source's @cancel flag was seen set); with the source's @nonblock
 *	set, -EAGAIN at once instead of waiting when none is ready
 * @release: give a buffer back to be filled again
 * @page_done: page @page ended after @bytes bytes: wait until the device
 *	confirms it and say whether it was the @last one
 * @stop: stop streaming; @cancel also tells the scanner to stop
 * @close: free everything
 * @poll_fd: (may be NULL) a file descriptor, owned by the source, that
 *	polls readable (POLLIN, so select()'s read set sees it) whenever
 *	@next may have something to say without waiting: a buffer, an event
 *	that ends the scan, or a periodic tick so a stalled scanner's timeout
 *	is noticed; -errno if it cannot have one.  For front ends that wait
 *	themselves (SANE's sane_get_select_fd)
 */
struct scan_source_ops {
	int (*start)(struct scan_source *src);
	int (*next)(struct scan_source *src, struct scan_buf *buf);
	int (*release)(struct scan_source *src, const struct scan_buf *buf);
	int (*page_done)(struct scan_source *src, uint32_t page, uint64_t bytes,
			 bool *last);
	void (*stop)(struct scan_source *src, bool cancel);
	void (*close)(struct scan_source *src);
	int (*poll_fd)(struct scan_source *src);
};

/**
 * struct scan_source - the common head of every source
 * @ops: its operations
 * @fmt: the format of the pages it sends
 * @name: for messages (the device path)
 * @err: where failures are described (may be NULL)
 * @activity: (may be NULL) told, while @ops->next waits, what the scanner
 *	says it is busy with ("warming up"), for the progress display
 * @activity_arg: for @activity
 * @nonblock: @ops->next returns -EAGAIN instead of waiting (the scanner's
 *	timeouts still count, from the front end's calls)
 * @cancel: (may be NULL) while it points at a non-zero flag, a waiting
 *	@ops->next returns -EINTR within about a second (a cancel from
 *	another thread, which no signal interrupts)
 */
struct scan_source {
	const struct scan_source_ops *ops;
	struct scan_format fmt;
	const char *name;
	struct wia_error *err;
	void (*activity)(void *arg, const char *what);
	void *activity_arg;
	bool nonblock;
	volatile sig_atomic_t *cancel;
};

static inline void scan_source_close(struct scan_source *src)
{
	if (src)
		src->ops->close(src);
}

/**
 * struct dev_source_options - opening a scanner
 * @path: device node
 * @req: what to scan
 * @timeout_ms: per-file timeout, 0 for the driver's default
 * @nbufs, @buf_size: the ring wanted (fitted to the driver's limits)
 * @max_pages: ADF: at most this many pages (sides: two a sheet with
 *	adf-duplex), 0 until the feeder is empty
 * @source_default: @req.source was not chosen: the scanner's first source
 *	(flatbed if it has one, else adf) replaces it
 *
 * The request is checked against the scanner's GET_INFO before anything
 * else is sent: a source it lacks, a resolution or size outside its
 * range is a WERR_USAGE error (-EINVAL) naming what it has.
 */
struct dev_source_options {
	const char *path;
	struct scan_request req;
	uint32_t timeout_ms;
	unsigned int nbufs;
	size_t buf_size;
	uint32_t max_pages;
	bool source_default;
};

#define DEV_SOURCE_NBUFS    8
#define DEV_SOURCE_BUF_SIZE (1U << 20)

int wias_dev_source_open(const struct dev_source_options *opt,
			 struct wia_error *err, struct scan_source **out);

/**
 * struct synth_options - a synthetic scanner sending formula pages
 * @fmt: the page format (@fmt.height_px 0: rows from @page_rows)
 * @pages: pages in the "feeder"
 * @page_rows: rows of page i for unknown-length pages; the last repeats
 * @n_page_rows: entries in @page_rows
 * @nbufs, @buf_size: the ring, as a driver would have it
 * @fail_after: with @fail_status, the buffer that would carry byte
 *	@fail_after of the scan comes back with the error instead
 * @fail_status: -errno of that failed transfer (0: no failure)
 * @short_page, @short_bytes: page @short_page ends @short_bytes early
 * @cut_page, @cut_len, @cut: page @cut_page ends after @cut_len bytes
 *	(0: an empty sheet)
 * @jam_page, @jam: the scanner reports a jam after page @jam_page
 * @double_feed: the report after @jam_page is a double feed instead
 * @rate_kib: send at most this many KiB a second (0: as fast as it can);
 *	a signal interrupts the wait (-EINTR), as it does a device's
 * @repeated_fault: set by wias_synth_parse_spec() when a kind of fault is
 *	given twice: that kind's name
 */
struct synth_options {
	struct scan_format fmt;
	uint32_t pages;
	const uint32_t *page_rows;
	size_t n_page_rows;
	unsigned int nbufs;
	size_t buf_size;
	uint64_t fail_after;
	int fail_status;
	uint32_t short_page;
	uint32_t short_bytes;
	uint32_t cut_page;
	uint64_t cut_len;
	bool cut;
	uint32_t jam_page;
	bool jam;
	bool double_feed;
	uint32_t rate_kib;
	const char *repeated_fault;
};

int wias_synth_source_open(const struct synth_options *opt,
			   struct wia_error *err, struct scan_source **out);
unsigned int wias_synth_source_outstanding(const struct scan_source *src);
int wias_synth_parse_spec(const char *spec, struct synth_options *o,
			  uint32_t *rows, size_t max_rows);

#endif /* WIASCAN_SOURCE_H */
