/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error records.  Library functions return 0 or -errno; where they fail
 * they may also describe the failure in a struct wia_error: what was being
 * done (the object and the action), which part failed (its kind), and any
 * scanner condition (jam, no paper).  The first failure recorded wins, so
 * cleanup errors never hide the cause.  error.c is the one place that turns
 * a record into a message line and an exit code.
 */
#ifndef WIASCAN_ERROR_H
#define WIASCAN_ERROR_H

#include <stdarg.h>
#include <stdio.h>

#include "compiler.h"
#include "params.h"

enum werr_kind {
	WERR_OTHER,  /* anything else: out of memory, internal */
	WERR_USAGE,  /* bad arguments */
	WERR_OPEN,   /* the device node cannot be opened or is not a scanner */
	WERR_DEVICE, /* the device, the driver or the scan protocol */
	WERR_OUTPUT, /* the output file */
	WERR_BUSY,   /* another client owns the scanner (its claim) */
};

/**
 * struct wia_error - the first failure of an operation
 * @set: a failure was recorded
 * @kind: WERR_*
 * @err: negative errno
 * @cond: scanner condition, SCAN_COND_* (replaces the errno text when set)
 * @what: what was being done, e.g. "/dev/wiascan0: start scan"
 * @why: optional text that replaces strerror(), e.g. "2 buffers lost"
 */
struct wia_error {
	int set;
	enum werr_kind kind;
	int err;
	enum scan_cond cond;
	char what[256];
	char why[160];
};

int wias_werr_set(struct wia_error *e, enum werr_kind kind, int err,
		  const char *fmt, ...) __printf(4, 5);
void wias_werr_why(struct wia_error *e, const char *fmt, ...) __printf(2, 3);
void wias_werr_vwhy(struct wia_error *e, const char *fmt, va_list ap)
	__printf(2, 0);
void wias_werr_cond(struct wia_error *e, enum scan_cond cond);
int wias_werr_exit_code(const struct wia_error *e);
const char *wias_werr_errno_text(int err);
void wias_werr_print(const struct wia_error *e, const char *prog, FILE *f);
void wias_werr_print_note(const struct wia_error *e, const char *prog,
			  const char *note, FILE *f);

#endif /* WIASCAN_ERROR_H */
