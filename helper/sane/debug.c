// SPDX-License-Identifier: GPL-2.0
/*
 * The backend's debug log, as sanei_debug does it for SANE's own backends:
 * SANE_DEBUG_WIASCAN=N (a decimal level, read at sane_init) prints every
 * message of level <= N to stderr, each line prefixed "[wiascan] ".
 * Levels: 1 errors (the reason of every status other than GOOD and EOF),
 * 2 the scan's steps (start, pages, end), 3 the calls, 4 every read.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "backend.h"

static int wsane_level;

void wsane_debug_init(void)
{
	const char *v = getenv("SANE_DEBUG_WIASCAN");

	wsane_level = v ? (int)strtol(v, NULL, 10) : 0;
}

int wsane_debug_level(void)
{
	return wsane_level;
}

/* One message of @level: formatted into one buffer, so one write */
void wsane_dbg(int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (level > wsane_level)
		return;
	n = snprintf(line, sizeof(line), "[%s] ", WSANE_NAME);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	fputs(line, stderr);
}
