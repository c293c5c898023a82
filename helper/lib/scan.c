// SPDX-License-Identifier: GPL-2.0
/*
 * The scan loop.  Each filled buffer goes to the sink as it is and is
 * queued again at once, so the device always has the rest of the ring to
 * fill and no page is ever held in memory.  At the end of a page the
 * source confirms it (the scanner's page-done event) and says whether
 * another follows (ADF) or not (flatbed, feeder empty).
 *
 * The loop checks what it can without the device: a page of known height
 * must be exactly height * bytes_per_line bytes, and any page must be
 * whole rows; anything else is a short or overlong page, an error.
 *
 * An empty page (the scanner ends a sheet with no data at all) is no
 * error: it never reaches the sink (no empty IFD, no batch file), is
 * counted in the stats for one warning, and the scan goes on.  So two
 * numbers run side by side: the scanner's sheet (what the source and the
 * messages count) and the page of the output (what the sink counts: only
 * written pages).
 *
 * Failures: whatever ends the scan (cancel, jam, double feed, unplug,
 * timeout, protocol error, a full disk), the loop hands the sink to its
 * salvage, which every sink has: the pages the scanner confirmed are kept
 * in a valid output, the open page is dropped.  One path for every sink
 * and every failure.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "scan.h"

/**
 * struct scan_page - the sheet being received
 * @number: the scanner's 0-based sheet number (empty sheets count)
 * @bytes: bytes received so far
 * @open: begin_page was called and end_page not yet (not before the
 *	first byte: an empty sheet never opens a page)
 */
struct scan_page {
	uint32_t number;
	uint64_t bytes;
	bool open;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int page_fail(struct scan_source *src, const struct scan_page *pg,
		     const char *fmt, ...) __printf(3, 4);

static int page_fail(struct scan_source *src, const struct scan_page *pg,
		     const char *fmt, ...)
{
	va_list ap;

	wias_werr_set(src->err, WERR_DEVICE, -EPROTO, "%s: sheet %u", src->name,
		      pg->number + 1);
	va_start(ap, fmt);
	wias_werr_vwhy(src->err, fmt, ap);
	va_end(ap);
	return -EPROTO;
}

/* Bytes a page of known height must have, 0 if the device decides */
static uint64_t page_expected(const struct scan_format *fmt)
{
	return (uint64_t)fmt->height_px * fmt->bytes_per_line;
}

static int page_check_end(struct scan_source *src, const struct scan_page *pg)
{
	const struct scan_format *fmt = &src->fmt;
	uint64_t want = page_expected(fmt);

	if (want && pg->bytes && pg->bytes != want)
		return page_fail(src, pg, "short page: %llu of %llu bytes",
				 (unsigned long long)pg->bytes,
				 (unsigned long long)want);
	if (pg->bytes % fmt->bytes_per_line)
		return page_fail(
			src, pg,
			"page of %llu bytes is not whole rows of %u bytes",
			(unsigned long long)pg->bytes, fmt->bytes_per_line);
	return 0;
}

/*
 * One filled buffer: into the sink, then back to the device.  The sink's
 * page begins with the first byte, numbered by the pages written so far.
 */
static int scan_one(struct scan_source *src, struct sink *sink,
		    struct scan_page *pg, const struct scan_buf *buf,
		    uint32_t out_page)
{
	uint64_t want = page_expected(&src->fmt);
	int ret = 0, ret2;

	if (!pg->open && buf->bytesused) {
		ret = sink->ops->begin_page(sink, out_page, &src->fmt);
		pg->open = true;
	}
	if (!ret && want && pg->bytes + buf->bytesused > want)
		ret = page_fail(src, pg,
				"page longer than expected: %llu of %llu bytes",
				(unsigned long long)pg->bytes + buf->bytesused,
				(unsigned long long)want);
	if (!ret && buf->bytesused)
		ret = sink->ops->write(sink, buf->data, buf->bytesused);
	pg->bytes += buf->bytesused;
	ret2 = src->ops->release(src, buf);
	return ret ? ret : ret2;
}

static int scan_end_page(struct scan_source *src, struct sink *sink,
			 struct scan_page *pg, bool *last)
{
	int ret;

	ret = page_check_end(src, pg);
	if (ret)
		return ret;
	/* only a page the scanner confirms (no jam in it) becomes a page */
	ret = src->ops->page_done(src, pg->number, pg->bytes, last);
	if (ret || !pg->open)
		return ret; /* an empty sheet: confirmed, nothing to write */
	pg->open = false;
	return sink->ops->end_page(sink);
}

/* An empty sheet, for the warning (the first few by number) */
static void scan_note_empty(struct scan_stats *stats, uint32_t sheet)
{
	if (stats->empty < SCAN_EMPTY_NOTED)
		stats->empty_sheets[stats->empty] = sheet;
	stats->empty++;
}

static bool scan_cancelled(const struct scan_control *ctl)
{
	return ctl->cancel && *ctl->cancel;
}

static void scan_report(const struct scan_control *ctl,
			const struct scan_source *src,
			const struct scan_page *pg,
			const struct scan_stats *stats, double t0,
			bool page_end, bool end)
{
	struct scan_progress p = {
		.page = pg->number,
		.page_bytes = pg->bytes,
		.page_total = page_expected(&src->fmt),
		.pages_done = stats->pages,
		.bytes = stats->bytes,
		.seconds = now_s() - t0,
		.page_end = page_end,
		.end = end,
	};

	if (!ctl->progress)
		return;
	if (src->fmt.source == SCAN_SOURCE_FLATBED)
		p.pages_total = 1;
	else
		p.pages_total = ctl->max_pages;
	ctl->progress(ctl->arg, &p);
}

/* The next buffer, or -ECANCELED once a cancel was asked for */
static int scan_next(struct scan_source *src, const struct scan_control *ctl,
		     struct scan_buf *buf)
{
	int ret;

	do {
		if (scan_cancelled(ctl))
			return -ECANCELED;
		ret = src->ops->next(src, buf);
	} while (ret == -EINTR);
	if (!ret && scan_cancelled(ctl)) {
		src->ops->release(src, buf);
		return -ECANCELED;
	}
	return ret;
}

static int scan_pages(struct scan_source *src, struct sink *sink,
		      const struct scan_control *ctl, struct scan_stats *stats,
		      double t0)
{
	struct scan_page pg = { 0 };
	struct scan_buf buf;
	bool last = false;
	int ret;

	while (!last) {
		ret = scan_next(src, ctl, &buf);
		if (ret)
			return ret;
		ret = scan_one(src, sink, &pg, &buf, stats->pages);
		if (ret)
			return ret;
		stats->bytes += buf.bytesused;
		if (!buf.end_of_page) {
			scan_report(ctl, src, &pg, stats, t0, false, false);
			continue;
		}
		ret = scan_end_page(src, sink, &pg, &last);
		if (ret)
			return ret;
		if (pg.bytes)
			stats->pages++;
		else
			scan_note_empty(stats, pg.number);
		scan_report(ctl, src, &pg, stats, t0, true, false);
		pg.number++;
		pg.bytes = 0;
		if (ctl->max_pages && stats->pages == ctl->max_pages)
			return last ? 0 :
				      1; /* enough: the rest stay in the feeder */
	}
	return 0;
}

/*
 * After any failure: every sink keeps the pages the scanner confirmed
 * (ended and, for a scanner that says so, free of a jam) and drops the
 * open one; with none, nothing is left behind.
 */
static void scan_salvage(struct sink *sink, struct scan_stats *stats)
{
	uint32_t kept = 0;

	if (!sink->ops->salvage(sink, &kept))
		stats->kept = kept;
}

/*
 * Scan from @src (opened, not started) into @sink until the last page, or
 * @ctl's page count, or a cancel.  The sink is always consumed: finished on
 * success, salvaged or aborted on failure.  The source is stopped but not
 * closed.
 */
int wias_scan_run_ctl(struct scan_source *src, struct sink *sink,
		      const struct scan_control *ctl, struct scan_stats *stats,
		      struct wia_error *err)
{
	static const struct scan_control none;
	double t0 = now_s();
	struct scan_page pg = { 0 };
	int ret;

	if (!ctl)
		ctl = &none;
	memset(stats, 0, sizeof(*stats));
	sink->kept = &stats->kept;
	src->activity = ctl->activity;
	src->activity_arg = ctl->arg;
	sink->tail = &stats->tail_bytes;
	ret = src->ops->start(src);
	if (!ret) {
		scan_report(ctl, src, &pg, stats, t0, false,
			    false); /* started */
		ret = scan_pages(src, sink, ctl, stats, t0);
	}
	/* a cancel, a failure or an early end (ret 1) also stops the scanner */
	src->ops->stop(src, ret != 0);
	if (ret < 0) {
		if (ret == -ECANCELED)
			wias_werr_cond(err, SCAN_COND_CANCELLED);
		scan_salvage(sink, stats);
		wias_werr_set(err, WERR_OTHER, ret, "scan");
	} else {
		ret = sink->ops->finish(sink);
	}
	stats->seconds = now_s() - t0;
	pg.number = stats->pages;
	scan_report(ctl, src, &pg, stats, t0, false, true);
	return ret;
}

int wias_scan_run(struct scan_source *src, struct sink *sink,
		  struct scan_stats *stats, struct wia_error *err)
{
	return wias_scan_run_ctl(src, sink, NULL, stats, err);
}

double wias_scan_mb_per_s(const struct scan_stats *stats)
{
	return stats->seconds > 0 ?
		       (double)stats->bytes / 1e6 / stats->seconds :
		       0;
}
