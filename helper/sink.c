// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing a sink by output format.
 */
#include <errno.h>
#include <string.h>

#include "sink.h"

int sink_parse_format(const char *s, enum sink_format *format)
{
	if (!strcmp(s, "raw")) {
		*format = SINK_FORMAT_RAW;
		return 0;
	}
	return -EINVAL;
}

int sink_open(const struct sink_options *opt, struct wia_error *err,
	      struct sink **out)
{
	switch (opt->format) {
	case SINK_FORMAT_RAW:
		return sink_raw_open(opt, err, out);
	}
	return werr_set(err, WERR_USAGE, -EINVAL, "output format");
}
