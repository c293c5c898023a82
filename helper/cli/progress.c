// SPDX-License-Identifier: GPL-2.0
/*
 * Progress displays.  The scan loop reports every buffer into a snapshot;
 * a ticker thread shows the snapshot every interval, so a fast scan does
 * not spend its time printing and a stalled scanner (warming up, slow)
 * still gets a line that moves.  Page ends and the end are shown at once.
 * Page numbers are 1-based here, for people.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "progress.h"

#define PROGRESS_INTERVAL	0.5 /* s: the line moves at least once a second */
#define PROGRESS_PLAIN_INTERVAL 2.0 /* s: between plain lines (not a tty) */

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
	/* a file or a pipe gets plain lines, fewer, without control codes */
	pr->plain = mode == PROGRESS_LINE && !isatty(fileno(pr->f));
	if (pr->plain)
		pr->interval = PROGRESS_PLAIN_INTERVAL;
	pthread_mutex_init(&pr->lock, NULL);
	pthread_cond_init(&pr->cond, NULL);
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

/*
 * On a terminal one line is redrawn in place (CR, then erase to the end
 * of the line); into a file or a pipe every update is a line of its own,
 * with no control characters.
 */
static void show_line(struct progress *pr, const struct scan_progress *p)
{
	const char *cr = pr->plain ? "" : "\r";
	const char *el = pr->plain ? "" : "\033[K";
	double eta = eta_s(p);

	if (p->end) {
		fprintf(pr->f, "%s%u page%s  %.1f MB  %.1f MB/s%s\n", cr,
			p->pages_done, p->pages_done == 1 ? "" : "s",
			(double)p->bytes / 1e6, rate_mb_s(p), el);
		fflush(pr->f);
		pr->shown = false;
		return;
	}
	fprintf(pr->f, "%spage %u  %.1f MB", cr, p->page + 1,
		(double)p->page_bytes / 1e6);
	if (p->page_total)
		fprintf(pr->f, " of %.1f MB", (double)p->page_total / 1e6);
	fprintf(pr->f, "  %.1f MB/s", rate_mb_s(p));
	if (eta >= 0)
		fprintf(pr->f, "  ETA %d:%02d", (int)eta / 60, (int)eta % 60);
	if (p->activity)
		fprintf(pr->f, "  (scanner %s)", p->activity);
	fputs(pr->plain ? "\n" : el, pr->f);
	fflush(pr->f);
	pr->shown = true;
}

static void show_json(struct progress *pr, const struct scan_progress *p)
{
	double eta = eta_s(p);
	struct json j;

	json_init(&j, pr->f);
	json_object_begin(&j, NULL);
	json_str(&j, "event",
		 p->end	     ? "end" :
		 p->page_end ? "page" :
			       "progress");
	json_u64(&j, "page", p->end ? p->pages_done : p->page + 1);
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
	if (p->activity)
		json_str(&j, "activity", p->activity);
	json_object_end(&j); /* ends the line too */
	fflush(pr->f);
}

static void show(struct progress *pr, const struct scan_progress *p)
{
	if (pr->plain && !p->end) {
		/* throttled: page ends of small pages would flood a log */
		double now = mono_s();

		if (pr->last_plain > 0 &&
		    now - pr->last_plain < pr->interval * 0.9)
			return;
		pr->last_plain = now;
	}
	if (pr->mode == PROGRESS_JSON)
		show_json(pr, p);
	else if (!p->end || pr->shown)
		show_line(pr, p);
}

void progress_update(void *arg, const struct scan_progress *p)
{
	struct progress *pr = arg;

	if (pr->mode == PROGRESS_NONE)
		return;
	pthread_mutex_lock(&pr->lock);
	pr->snap = *p;
	pr->have = true;
	pr->base = mono_s() - p->seconds;
	if (p->page_end || p->end || !pr->running)
		show(pr, p);
	pthread_mutex_unlock(&pr->lock);
}

/*
 * The scanner says what it is busy with while no data comes (warming up):
 * shown at once and by the ticker until the next update from the loop
 */
void progress_activity(void *arg, const char *what)
{
	struct progress *pr = arg;
	struct scan_progress p;

	if (pr->mode == PROGRESS_NONE)
		return;
	pthread_mutex_lock(&pr->lock);
	pr->snap.activity = what;
	if (pr->have && !pr->snap.end) {
		p = pr->snap;
		p.page_end = false;
		p.seconds = mono_s() - pr->base;
		show(pr, &p);
	}
	pthread_mutex_unlock(&pr->lock);
}

static void *progress_tick(void *arg)
{
	struct progress *pr = arg;
	struct scan_progress p;
	struct timespec until;

	pthread_mutex_lock(&pr->lock);
	while (!pr->stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)(pr->interval * 1e9);
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&pr->cond, &pr->lock, &until);
		if (pr->stopping || !pr->have || pr->snap.end)
			continue;
		p = pr->snap;
		p.page_end = false;
		p.seconds = mono_s() - pr->base;
		show(pr, &p);
	}
	pthread_mutex_unlock(&pr->lock);
	return NULL;
}

/* The ticker takes no signals: they are the scan loop's */
void progress_start(struct progress *pr)
{
	sigset_t all, old;

	if (pr->mode == PROGRESS_NONE)
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pr->running = !pthread_create(&pr->ticker, NULL, progress_tick, pr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void progress_stop(struct progress *pr)
{
	if (!pr->running)
		return;
	pthread_mutex_lock(&pr->lock);
	pr->stopping = true;
	pthread_cond_signal(&pr->cond);
	pthread_mutex_unlock(&pr->lock);
	pthread_join(pr->ticker, NULL);
	pr->running = false;
}
