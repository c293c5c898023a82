// SPDX-License-Identifier: GPL-2.0
/*
 * The one place that turns a failure into a message and an exit code.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "error.h"
#include "exit_codes.h"

/* Record a failure unless one is already recorded; returns @err */
int wias_werr_set(struct wia_error *e, enum werr_kind kind, int err,
		  const char *fmt, ...)
{
	va_list ap;

	if (!e || e->set)
		return err;
	e->set = 1;
	e->kind = kind;
	e->err = err;
	va_start(ap, fmt);
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	va_end(ap);
	return err;
}

/* Explain the recorded failure better than strerror() can */
void wias_werr_vwhy(struct wia_error *e, const char *fmt, va_list ap)
{
	if (!e || e->why[0])
		return;
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
}

void wias_werr_why(struct wia_error *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wias_werr_vwhy(e, fmt, ap);
	va_end(ap);
}

void wias_werr_cond(struct wia_error *e, enum scan_cond cond)
{
	if (e && e->cond == SCAN_COND_NONE)
		e->cond = cond;
}

static int device_exit_code(int err)
{
	switch (-err) {
	case ENODEV:
	case ESHUTDOWN:
		return WIASCAN_EXIT_UNPLUGGED;
	case ETIMEDOUT:
		return WIASCAN_EXIT_TIMEOUT;
	}
	return WIASCAN_EXIT_DEVICE;
}

int wias_werr_exit_code(const struct wia_error *e)
{
	if (!e->set)
		return WIASCAN_EXIT_OK;
	switch (e->cond) {
	case SCAN_COND_NONE:
		break;
	case SCAN_COND_CANCELLED:
		return WIASCAN_EXIT_CANCELLED;
	case SCAN_COND_NO_PAPER:
		return WIASCAN_EXIT_NO_PAPER;
	case SCAN_COND_JAM:
		return WIASCAN_EXIT_JAM;
	case SCAN_COND_DOUBLE_FEED:
		return WIASCAN_EXIT_DOUBLE_FEED;
	case SCAN_COND_COVER_OPEN:
		return WIASCAN_EXIT_COVER_OPEN;
	}
	switch (e->kind) {
	case WERR_USAGE:
		return WIASCAN_EXIT_USAGE;
	case WERR_OPEN:
		return WIASCAN_EXIT_NO_DEVICE;
	case WERR_DEVICE:
		return device_exit_code(e->err);
	case WERR_OUTPUT:
		return WIASCAN_EXIT_OUTPUT;
	case WERR_BUSY:
		return WIASCAN_EXIT_BUSY;
	case WERR_OTHER:
		break;
	}
	return WIASCAN_EXIT_ERROR;
}

const char *wias_werr_errno_text(int err)
{
	switch (-err) {
	case ENOSPC:
		return "no space left on the device holding the output";
	case EFBIG:
		return "file too large: the file size limit (ulimit -f) or the file system's largest file was reached";
	case EEXIST:
		return "file exists (use --force to replace it)";
	case EPIPE:
		return "the device stalled the request";
	case ENODEV:
	case ESHUTDOWN:
		return "device unplugged";
	case ETIMEDOUT:
		return "timed out waiting for the device";
	}
	return strerror(-err);
}

/* One line: "PROG: WHAT: WHY", and @note (may be empty) before its end */
void wias_werr_print_note(const struct wia_error *e, const char *prog,
			  const char *note, FILE *f)
{
	const char *why;

	if (!e->set)
		return;
	if (e->cond != SCAN_COND_NONE)
		why = wias_scan_cond_text(e->cond);
	else if (e->why[0])
		why = e->why;
	else
		why = wias_werr_errno_text(e->err);
	if (e->what[0])
		fprintf(f, "%s: %s: %s%s\n", prog, e->what, why, note);
	else
		fprintf(f, "%s: %s%s\n", prog, why, note);
}

void wias_werr_print(const struct wia_error *e, const char *prog, FILE *f)
{
	wias_werr_print_note(e, prog, "", f);
}
