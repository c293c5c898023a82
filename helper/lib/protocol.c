// SPDX-License-Identifier: GPL-2.0
/*
 * The list of scanner protocols the helper speaks.
 */
#include <stddef.h>

#include "compiler.h"
#include "protocol.h"

static const struct scan_protocol_ops *const protocols[] = {
	&wias_protocol_ref_ops,
};

/* The protocol for a device, or NULL if none matches its IDs */
const struct scan_protocol_ops *
wias_protocol_find(const struct device_caps *caps)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(protocols); i++) {
		if (protocols[i]->match(caps))
			return protocols[i];
	}
	return NULL;
}
