// SPDX-License-Identifier: GPL-2.0
/*
 * The scanners the backend lists: every wiascan node sysfs shows
 * (wias_sysfs_for_each_scanner; WIASCAN_SYSFS replaces /sys in tests),
 * named "/dev/wiascanN" (which SANE's dll backend shows as
 * "wiascan:/dev/wiascanN", as it prefixes every backend's names), vendor and model from the USB strings, and
 * its abilities from the protocol's GET_INFO.  GET_INFO is an IN control
 * request, which the driver serves without the claim, so listing never
 * disturbs another client's scan; no buffers are allocated, so it is fast.
 *
 * With WIASCAN_SANE_SYNTH=SPEC in the environment (SPEC as the command
 * line's "synth:SPEC", wias_synth_parse_spec) the list also has
 * "wiascan:synth", the synthetic scanner the native tests use: the
 * reference formula, the emulator's abilities (below), no driver.
 * WIASCAN_SANE_SYNTH_BUF=BYTES (1..1 MiB) gives its ring buffers that
 * size (backend.c), so tests make rows straddle buffers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "device.h"

/* The synthetic scanner's abilities: the emulator's GET_INFO */
static const struct scan_device_info synth_info = {
	.version = 2,
	.modes = 1U << SCAN_MODE_LINEART | 1U << SCAN_MODE_GRAY |
		 1U << SCAN_MODE_COLOR,
	.sources = 1U << SCAN_SOURCE_FLATBED | 1U << SCAN_SOURCE_ADF,
	.min_dpi = 50,
	.max_dpi = 1200,
	.max_width_um = 216000,
	.max_height_um = 356000,
};

/* "sheetfed scanner" when the feeder is all it has */
static const char *device_type(const struct scan_device_info *info)
{
	if ((info->sources & (1U << SCAN_SOURCE_ADF)) &&
	    !(info->sources & (1U << SCAN_SOURCE_FLATBED)))
		return "sheetfed scanner";
	return "flatbed scanner";
}

/**
 * wsane_synth_options() - the synthetic scanner of a spec
 * @spec: WIASCAN_SANE_SYNTH's value
 * @o: filled: pages, rate, rows, faults (the format is the caller's)
 * @rows: WSANE_SYNTH_ROWS entries for the rows of unknown-length pages
 *
 * Return: 0, or -EINVAL for a spec wias_synth_parse_spec refuses.
 */
int wsane_synth_options(const char *spec, struct synth_options *o,
			uint32_t *rows)
{
	int ret;

	memset(o, 0, sizeof(*o));
	ret = wias_synth_parse_spec(spec, o, rows, WSANE_SYNTH_ROWS);
	if (ret) {
		DBG(1, "%s=%s: not a synthetic scanner spec (%s)\n",
		    WSANE_SYNTH_ENV, spec,
		    ret == -EEXIST ?
			    "a kind of fault given twice" :
			    "SHEETS[:KIB_PER_S[:ROWS,...]][/FAULT...]");
		return -EINVAL;
	}
	return 0;
}

static int synth_device(struct wsane_device *d)
{
	uint32_t rows[WSANE_SYNTH_ROWS];
	struct synth_options o;
	const char *spec = getenv(WSANE_SYNTH_ENV);

	if (!spec || wsane_synth_options(spec, &o, rows))
		return -ENOENT;
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", WSANE_SYNTH_NAME);
	snprintf(d->vendor, sizeof(d->vendor), "wiascan project");
	snprintf(d->model, sizeof(d->model), "Synthetic Scanner");
	d->info = synth_info;
	d->type = device_type(&d->info);
	d->synth = true;
	return 0;
}

/* Open @node just long enough for its GET_INFO (no claim, no ring) */
static int node_info(const char *node, struct scan_device_info *info)
{
	const struct scan_protocol_ops *proto;
	struct device *dev;
	int ret;

	ret = wias_device_open(node, &dev);
	if (ret)
		return ret;
	proto = wias_protocol_find(&dev->caps);
	ret = proto ? proto->get_info(dev, info) : -EOPNOTSUPP;
	wias_device_close(dev);
	return ret;
}

static void node_device(const struct sysfs_scanner *s, struct wsane_device *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", s->node);
	snprintf(d->node, sizeof(d->node), "%s", s->node);
	snprintf(d->vendor, sizeof(d->vendor), "%s",
		 s->manufacturer[0] ? s->manufacturer : "wiascan");
	if (s->product[0])
		snprintf(d->model, sizeof(d->model), "%s", s->product);
	else
		snprintf(d->model, sizeof(d->model), "USB scanner %04x:%04x",
			 s->vendor_id, s->product_id);
}

struct list_ctx {
	struct wsane_device *list;
	size_t n, cap;
	const char *want; /* wsane_device_find: only this name (NULL: any) */
	bool first;	  /* wsane_device_find: stop at the first match */
	int err;	  /* GET_INFO's failure of the last one listed */
};

static int list_add(struct list_ctx *c, const struct wsane_device *d)
{
	struct wsane_device *l;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 4;
		l = realloc(c->list, c->cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		c->list = l;
	}
	c->list[c->n++] = *d;
	return 0;
}

static int list_one(const struct sysfs_scanner *s, void *arg)
{
	struct list_ctx *c = arg;
	struct wsane_device d;
	int ret;

	node_device(s, &d);
	if (c->want && strcmp(c->want, d.name) != 0)
		return 0;
	ret = node_info(s->node, &d.info);
	if (ret) {
		/* listed anyway: opening it tells the user why it fails */
		DBG(1, "%s: get scanner information: %s\n", s->node,
		    wias_werr_errno_text(ret));
		d.type = "scanner";
	} else {
		d.type = device_type(&d.info);
	}
	DBG(2, "found %s (%s %s, %s)\n", d.name, d.vendor, d.model, d.type);
	c->err = ret;
	ret = list_add(c, &d);
	if (ret)
		return ret;
	return c->first ? 1 : 0; /* 1: found, stop */
}

/**
 * wsane_devices_scan() - every scanner there is now
 * @list: a malloc'd array (NULL when empty), the caller frees it
 * @n: its length
 *
 * Return: 0, or -ENOMEM.  A scanner whose GET_INFO fails is listed with
 * the type "scanner" (its reason in the debug log).
 */
int wsane_devices_scan(struct wsane_device **list, size_t *n)
{
	struct list_ctx c = { 0 };
	struct wsane_device d;
	int ret;

	ret = wias_sysfs_for_each_scanner(list_one, &c);
	if (ret)
		DBG(1, "list scanners in sysfs: %s\n",
		    wias_werr_errno_text(ret));
	if (!synth_device(&d) && list_add(&c, &d))
		ret = -ENOMEM;
	if (ret == -ENOMEM) {
		free(c.list);
		return ret;
	}
	*list = c.list;
	*n = c.n;
	return 0;
}

/**
 * wsane_device_find() - one scanner by name
 * @name: "/dev/wiascanN" or "synth" (the dll backend has taken its
 *	"wiascan:" off), or "" (the first scanner listed)
 * @out: filled, with its abilities
 *
 * Return: 0; -ENOENT when there is no such scanner; -errno of its GET_INFO
 * when it is there but cannot say what it can do.
 */
int wsane_device_find(const char *name, struct wsane_device *out)
{
	struct list_ctx c = { .first = true };
	int ret;

	if (!strcmp(name, WSANE_SYNTH_NAME))
		return synth_device(out);
	if (name[0])
		c.want = name;
	ret = wias_sysfs_for_each_scanner(list_one, &c);
	if (ret == 1)
		ret = c.err; /* found; its GET_INFO may have failed */
	else if (!ret)
		ret = !name[0] ? synth_device(out) : -ENOENT;
	if (!ret && c.n)
		*out = c.list[0];
	free(c.list);
	return ret;
}
