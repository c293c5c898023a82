// SPDX-License-Identifier: GPL-2.0
/*
 * The library's failures as SANE status codes, each logged with its
 * reason at debug level 1 (SANE_DEBUG_WIASCAN):
 *
 *	another client owns the scanner (WERR_BUSY, -EBUSY)  DEVICE_BUSY
 *	feeder (or glass) empty at START (SCAN_COND_NO_PAPER) NO_DOCS
 *	paper jam (SCAN_COND_JAM)                             JAMMED
 *	double feed (SCAN_COND_DOUBLE_FEED)                   JAMMED
 *	ADF cover open (SCAN_COND_COVER_OPEN)                 COVER_OPEN
 *	cancelled (SCAN_COND_CANCELLED, -ECANCELED)           CANCELLED
 *	out of memory (-ENOMEM)                               NO_MEM
 *	no permission for the node (-EACCES, -EPERM)          ACCESS_DENIED
 *	anything else (unplug, timeout, protocol error...)    IO_ERROR
 *
 * A double feed is JAMMED: SANE 1 has no status of its own for it, and
 * JAMMED ("document feeder jammed") is what a front end shows as "clear
 * the feeder", which is what the user must do after a double feed; the
 * debug log says which of the two it was.
 */
#include <errno.h>
#include <string.h>

#include "backend.h"

const char *wsane_status_name(SANE_Status st)
{
	static const char *const names[] = {
		"GOOD",	      "UNSUPPORTED", "CANCELLED", "DEVICE_BUSY",
		"INVAL",      "EOF",	     "JAMMED",	  "NO_DOCS",
		"COVER_OPEN", "IO_ERROR",    "NO_MEM",	  "ACCESS_DENIED",
	};

	return (unsigned int)st < ARRAY_SIZE(names) ? names[st] : "?";
}

static SANE_Status wsane_status_of(int ret, const struct wia_error *err)
{
	if (err && err->set && err->kind == WERR_BUSY)
		return SANE_STATUS_DEVICE_BUSY;
	if (err && err->set) {
		switch (err->cond) {
		case SCAN_COND_NO_PAPER:
			return SANE_STATUS_NO_DOCS;
		case SCAN_COND_JAM:
		case SCAN_COND_DOUBLE_FEED:
			return SANE_STATUS_JAMMED;
		case SCAN_COND_CANCELLED:
			return SANE_STATUS_CANCELLED;
		case SCAN_COND_COVER_OPEN:
			return SANE_STATUS_COVER_OPEN;
		case SCAN_COND_NONE:
			break;
		}
	}
	switch (ret) {
	case -EBUSY:
		return SANE_STATUS_DEVICE_BUSY;
	case -ECANCELED:
		return SANE_STATUS_CANCELLED;
	case -ENOMEM:
		return SANE_STATUS_NO_MEM;
	case -EACCES:
	case -EPERM:
		return SANE_STATUS_ACCESS_DENIED;
	default:
		return SANE_STATUS_IO_ERROR;
	}
}

/*
 * The status for a failure @ret (-errno) that @err (may be NULL) describes,
 * logged at level 1 as "@what: STATUS: the library's message"
 */
SANE_Status wsane_status(int ret, const struct wia_error *err, const char *what)
{
	SANE_Status st = wsane_status_of(ret, err);
	const char *cond = "";

	if (err && err->set && err->cond)
		cond = wias_scan_cond_text(err->cond);
	if (err && err->set)
		DBG(1, "%s: %s: %s%s%s: %s\n", what, wsane_status_name(st),
		    err->what, cond[0] ? ": " : "", cond,
		    err->why[0] ? err->why : wias_werr_errno_text(err->err));
	else
		DBG(1, "%s: %s: %s\n", what, wsane_status_name(st),
		    wias_werr_errno_text(ret));
	return st;
}
