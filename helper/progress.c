// SPDX-License-Identifier: GPL-2.0
/*
 * Progress displays.  The scan loop reports every buffer; this shows at
 * most one update per interval (and every page end), so a fast scan does
 * not spend its time printing.  Page numbers are 1-based here, for people.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "progress.h"

#define PROGRESS_INTERVAL	0.5	/* s: the line moves at least once a second */

int progress_parse(const char *s, enum progress_mode *mode)
{
	if (!strcmp(s, "auto"))
		*mode = PROGRESS_AUTO;
	else if (!strcmp(s, "none"))
		*mode = PROGRESS_NONE;
	else if (!strcmp(s, "json"))
		*mode = PROGRESS_JSON;
	else if (!strcmp(s, "line"))
		*mode = PROGRESS_LINE;
	else
		return -EINVAL;
	return 0;
}

void progress_init(struct progress *pr, enum progress_mode mode)
{
	memset(pr, 0, sizeof(*pr));
	if (mode == PROGRESS_AUTO)
		mode = isatty(STDERR_FILENO) ? PROGRESS_LINE : PROGRESS_NONE;
	pr->mode = mode;
	pr->f = mode == PROGRESS_JSON ? stdout : stderr;
	pr->interval = PROGRESS_INTERVAL;
	pr->last = -1;
}

static double rate_mb_s(const struct scan_progress *p)
{
	return p->seconds > 0 ? (double)p->bytes / 1e6 / p->seconds : 0;
}

/* Seconds left when the whole scan's size is known, else -1 */
static double eta_s(const struct scan_progress *p)
{
	double rate = p->seconds > 0 ? (double)p->bytes / p->seconds : 0;
	uint64_t total;

	if (!p->page_total || !p->pages_total || rate <= 0)
		return -1;
	total = p->page_total * p->pages_total;
	return total > p->bytes ? (double)(total - p->bytes) / rate : 0;
}

static void show_line(struct progress *pr, const struct scan_progress *p)
{
	double eta = eta_s(p);

	fprintf(pr->f, "\rpage %u  %.1f MB", p->page + 1, (double)p->page_bytes / 1e6);
	if (p->page_total)
		fprintf(pr->f, " of %.1f MB", (double)p->page_total / 1e6);
	fprintf(pr->f, "  %.1f MB/s", rate_mb_s(p));
	if (eta >= 0)
		fprintf(pr->f, "  ETA %d:%02d", (int)eta / 60, (int)eta % 60);
	fputs("\033[K", pr->f);
	if (p->end)
		fputc('\n', pr->f);
	fflush(pr->f);
	pr->shown = !p->end;
}

static void show_json(struct progress *pr, const struct scan_progress *p)
{
	double eta = eta_s(p);
	struct json j;

	json_init(&j, pr->f);
	json_object_begin(&j, NULL);
	json_str(&j, "event", p->end ? "end" : p->page_end ? "page" : "progress");
	json_u64(&j, "page", p->page + 1);
	json_u64(&j, "page_bytes", p->page_bytes);
	if (p->page_total)
		json_u64(&j, "page_total", p->page_total);
	else
		json_null(&j, "page_total");
	json_u64(&j, "pages_done", p->pages_done);
	json_u64(&j, "bytes", p->bytes);
	json_u64(&j, "ms", (uint64_t)(p->seconds * 1000));
	json_u64(&j, "kb_per_s", (uint64_t)(rate_mb_s(p) * 1000));
	if (eta >= 0)
		json_u64(&j, "eta_s", (uint64_t)eta);
	else
		json_null(&j, "eta_s");
	json_object_end(&j);	/* ends the line too */
	fflush(pr->f);
}

void progress_update(void *arg, const struct scan_progress *p)
{
	struct progress *pr = arg;

	if (pr->mode == PROGRESS_NONE)
		return;
	if (!p->end && !p->page_end && pr->last >= 0 &&
	    p->seconds - pr->last < pr->interval)
		return;
	pr->last = p->seconds;
	if (pr->mode == PROGRESS_JSON)
		show_json(pr, p);
	else if (p->end && !pr->shown)
		return;		/* nothing on the line to finish */
	else
		show_line(pr, p);
}
