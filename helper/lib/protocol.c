// SPDX-License-Identifier: GPL-2.0
/*
 * The list of scanner protocols the helper speaks.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "compiler.h"
#include "protocol.h"

static const struct scan_protocol_ops *const protocols[] = {
	&wias_protocol_ref_ops,
	&wias_protocol_fujitsu_ops,
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

/* The model's names if the protocol can tell them, else -EOPNOTSUPP */
int wias_protocol_model(const struct scan_protocol_ops *proto,
			struct device *dev, struct scan_model *model)
{
	memset(model, 0, sizeof(*model));
	return proto->model ? proto->model(dev, model) : -EOPNOTSUPP;
}
