/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Progress displays for scan_control.progress: a live line on a terminal
 * (stderr), or JSON lines for programs (stdout), or nothing.
 */
#ifndef WIASCAN_PROGRESS_H
#define WIASCAN_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "scan.h"

enum progress_mode {
	PROGRESS_AUTO, /* the line when stderr is a terminal, else nothing */
	PROGRESS_NONE,
	PROGRESS_JSON,
	PROGRESS_LINE,
};

/**
 * struct progress - one display
 * @mode: PROGRESS_* (AUTO resolved at init)
 * @f: where it goes
 * @interval: seconds between updates within a page
 * @plain: PROGRESS_LINE into a file or pipe: a line per update, no CR or
 *	escape sequences
 * @last_plain: when the last plain line was written (CLOCK_MONOTONIC s)
 * @shown: the line is on the terminal (it needs a newline at the end)
 * @lock: the snapshot and the output
 * @cond: wakes the ticker to stop
 * @ticker, @running, @stopping: the thread that shows the snapshot every
 *	@interval, so the line moves (time, rate, ETA) even while the scanner
 *	sends nothing
 * @snap, @have: the scan loop's latest update
 * @base: CLOCK_MONOTONIC time at which the scan started
 */
struct progress {
	enum progress_mode mode;
	FILE *f;
	double interval;
	bool plain;
	double last_plain;
	bool shown;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t ticker;
	bool running, stopping;
	struct scan_progress snap;
	bool have;
	double base;
};

int progress_parse(const char *s, enum progress_mode *mode);
void progress_init(struct progress *pr, enum progress_mode mode);
void progress_update(void *arg, const struct scan_progress *p);
void progress_activity(void *arg, const char *what);
void progress_start(struct progress *pr);
void progress_stop(struct progress *pr);

#endif /* WIASCAN_PROGRESS_H */
