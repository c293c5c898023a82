/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Progress displays for scan_control.progress: a live line on a terminal
 * (stderr), or JSON lines for programs (stdout), or nothing.
 */
#ifndef WIASCAN_PROGRESS_H
#define WIASCAN_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "scan.h"

enum progress_mode {
	PROGRESS_AUTO,	/* the line when stderr is a terminal, else nothing */
	PROGRESS_NONE,
	PROGRESS_JSON,
	PROGRESS_LINE,
};

/**
 * struct progress - one display
 * @mode: PROGRESS_* (AUTO resolved at init)
 * @f: where it goes
 * @interval: seconds between updates within a page
 * @last: when the last update was shown
 * @shown: the line is on the terminal (it needs a newline at the end)
 */
struct progress {
	enum progress_mode mode;
	FILE *f;
	double interval;
	double last;
	bool shown;
};

int progress_parse(const char *s, enum progress_mode *mode);
void progress_init(struct progress *pr, enum progress_mode mode);
void progress_update(void *arg, const struct scan_progress *p);

#endif /* WIASCAN_PROGRESS_H */
