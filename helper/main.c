// SPDX-License-Identifier: GPL-2.0
/*
 * wiascan-helper: the command-line front end of libwiascan.  Options are
 * parsed by cli.c; this file runs the command and prints its messages.
 * Errors are printed once, here, by werr_print(), and turned into the exit
 * codes of exit_codes.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "compiler.h"
#include "device.h"
#include "exit_codes.h"
#include "json.h"
#include "outfile.h"
#include "protocol.h"
#include "scan.h"
#include "sink.h"
#include "source.h"
#include "sysfs.h"

#ifndef WIASCAN_VERSION
#define WIASCAN_VERSION "0.1"
#endif

static const char prog[] = "wiascan-helper";

static int cmd_scan(const struct cli_args *a, struct wia_error *err)
{
	struct dev_source_options dopt = {
		.path = a->device,
		.req = a->req,
		.timeout_ms = a->timeout_ms,
	};
	struct sink_options sopt = {
		.format = a->format,
		.path = a->output,
		.force = a->force,
	};
	struct scan_source *src = NULL;
	struct scan_stats st;
	struct sink *sink;
	int ret;

	/* An existing output is refused before the scanner moves */
	ret = outfile_check(a->output, a->force);
	if (ret)
		return werr_set(err, WERR_OUTPUT, ret, "%s", a->output);
	ret = dev_source_open(&dopt, err, &src);
	if (ret)
		return ret;
	ret = sink_open(&sopt, err, &sink);
	if (!ret)
		ret = scan_run(src, sink, &st, err);
	scan_source_close(src);
	if (!ret && (a->verbose || isatty(STDERR_FILENO)))
		fprintf(stderr, "%s: %u page%s, %llu bytes in %.2f s (%.2f MB/s)\n",
			a->output, st.pages, st.pages == 1 ? "" : "s",
			(unsigned long long)st.bytes, st.seconds,
			scan_mb_per_s(&st));
	return ret;
}

static int list_one(const struct sysfs_scanner *s, void *arg)
{
	(void)arg;
	printf("%s\t%04x:%04x\t%s\t%s\n", s->node, s->vendor_id, s->product_id,
	       s->manufacturer, s->product);
	return 0;
}

static int cmd_list(struct wia_error *err)
{
	int ret = sysfs_for_each_scanner(list_one, NULL);

	if (ret)
		werr_set(err, WERR_OTHER, ret, "list scanners");
	return ret;
}

/* Everything `info` shows, gathered before anything is printed */
struct info {
	const char *node;
	struct device_caps caps;
	struct sysfs_scanner usb;
	bool have_usb;
	const struct scan_protocol_ops *proto;
	struct scan_device_info dev;
};

static const char *speed_name(uint32_t speed)
{
	static const char *const names[] = {
		"unknown", "low", "full", "high", "wireless", "super", "super-plus"
	};

	return speed < ARRAY_SIZE(names) ? names[speed] : "unknown";
}

static const char *const cap_names[] = { "streaming", "read", "write", "events", "sg" };

static bool cap_bit(const struct device_caps *c, int i)
{
	const bool bits[] = { c->streaming, c->read, c->write, c->events, c->sg };

	return bits[i];
}

#define N_CAPS ((int)ARRAY_SIZE(cap_names))

static void info_text_endpoint(const char *name, uint32_t ep, uint32_t maxp)
{
	if (ep)
		printf("  %-18s0x%02x, %u bytes per packet\n", name, ep, maxp);
	else
		printf("  %-18snone\n", name);
}

static void info_text(const struct info *in)
{
	const struct device_caps *c = &in->caps;
	const char *sep;
	int i;

	printf("%s\n", in->node);
	printf("  %-18s%u\n", "driver ABI:", c->abi_version);
	printf("  %-18s", "capabilities:");
	sep = "";
	for (i = 0; i < N_CAPS; i++) {
		if (cap_bit(c, i)) {
			printf("%s%s", sep, cap_names[i]);
			sep = " ";
		}
	}
	printf("\n  %-18s%04x:%04x, interface %u, %s speed\n", "USB device:",
	       c->vendor_id, c->product_id, c->interface, speed_name(c->speed));
	if (in->have_usb) {
		printf("  %-18s%s\n", "manufacturer:", in->usb.manufacturer);
		printf("  %-18s%s\n", "product:", in->usb.product);
		printf("  %-18s%s\n", "serial:", in->usb.serial);
	}
	info_text_endpoint("bulk-in:", c->bulk_in_ep, c->bulk_in_maxpacket);
	info_text_endpoint("bulk-out:", c->bulk_out_ep, c->bulk_out_maxpacket);
	info_text_endpoint("interrupt-in:", c->intr_in_ep, c->intr_in_maxpacket);
	printf("  %-18sup to %u of up to %u bytes, %llu bytes in all\n", "buffers:",
	       c->max_buffers, c->max_buffer_size,
	       (unsigned long long)c->max_total_bytes);
	printf("  %-18s%u bytes\n", "control transfer:", c->max_ctrl_length);
	printf("  %-18s%u ms\n", "timeout:", c->timeout_ms);
	if (!in->proto) {
		printf("  %-18snone known for this device\n", "protocol:");
		return;
	}
	printf("  %-18s%s, version %u\n", "protocol:", in->proto->name, in->dev.version);
	printf("  %-18s", "modes:");
	sep = "";
	for (i = SCAN_MODE_LINEART; i <= SCAN_MODE_COLOR; i++) {
		if (in->dev.modes & (1U << i)) {
			printf("%s%s", sep, scan_mode_name((enum scan_mode)i));
			sep = " ";
		}
	}
	printf("\n  %-18s", "sources:");
	sep = "";
	for (i = SCAN_SOURCE_FLATBED; i <= SCAN_SOURCE_ADF; i++) {
		if (in->dev.sources & (1U << i)) {
			printf("%s%s", sep, scan_source_name((enum scan_source_kind)i));
			sep = " ";
		}
	}
	printf("\n  %-18s%u to %u dpi\n", "resolution:", in->dev.min_dpi,
	       in->dev.max_dpi);
	printf("  %-18s%.1f x %.1f mm\n", "largest area:",
	       in->dev.max_width_um / 1000.0, in->dev.max_height_um / 1000.0);
}

static void info_json_endpoint(struct json *j, const char *name, uint32_t ep,
			       uint32_t maxp)
{
	if (!ep) {
		json_null(j, name);
		return;
	}
	json_object_begin(j, name);
	json_u64(j, "address", ep);
	json_u64(j, "max_packet", maxp);
	json_object_end(j);
}

static void info_json_protocol(struct json *j, const struct info *in)
{
	int i;

	if (!in->proto) {
		json_null(j, "protocol");
		return;
	}
	json_object_begin(j, "protocol");
	json_str(j, "name", in->proto->name);
	json_u64(j, "version", in->dev.version);
	json_array_begin(j, "modes");
	for (i = SCAN_MODE_LINEART; i <= SCAN_MODE_COLOR; i++)
		if (in->dev.modes & (1U << i))
			json_str(j, NULL, scan_mode_name((enum scan_mode)i));
	json_array_end(j);
	json_array_begin(j, "sources");
	for (i = SCAN_SOURCE_FLATBED; i <= SCAN_SOURCE_ADF; i++)
		if (in->dev.sources & (1U << i))
			json_str(j, NULL, scan_source_name((enum scan_source_kind)i));
	json_array_end(j);
	json_u64(j, "min_dpi", in->dev.min_dpi);
	json_u64(j, "max_dpi", in->dev.max_dpi);
	json_u64(j, "max_width_um", in->dev.max_width_um);
	json_u64(j, "max_height_um", in->dev.max_height_um);
	json_object_end(j);
}

static void info_json(const struct info *in)
{
	const struct device_caps *c = &in->caps;
	struct json j;
	char id[8];
	int i;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_str(&j, "node", in->node);
	json_u64(&j, "abi_version", c->abi_version);
	json_array_begin(&j, "caps");
	for (i = 0; i < N_CAPS; i++)
		if (cap_bit(c, i))
			json_str(&j, NULL, cap_names[i]);
	json_array_end(&j);
	json_str(&j, "speed", speed_name(c->speed));
	json_u64(&j, "interface", c->interface);
	snprintf(id, sizeof(id), "%04x", c->vendor_id);
	json_str(&j, "vendor_id", id);
	snprintf(id, sizeof(id), "%04x", c->product_id);
	json_str(&j, "product_id", id);
	json_str(&j, "manufacturer", in->have_usb ? in->usb.manufacturer : "");
	json_str(&j, "product", in->have_usb ? in->usb.product : "");
	json_str(&j, "serial", in->have_usb ? in->usb.serial : "");
	info_json_endpoint(&j, "bulk_in", c->bulk_in_ep, c->bulk_in_maxpacket);
	info_json_endpoint(&j, "bulk_out", c->bulk_out_ep, c->bulk_out_maxpacket);
	info_json_endpoint(&j, "interrupt_in", c->intr_in_ep, c->intr_in_maxpacket);
	json_u64(&j, "max_buffers", c->max_buffers);
	json_u64(&j, "max_buffer_size", c->max_buffer_size);
	json_u64(&j, "max_total_bytes", c->max_total_bytes);
	json_u64(&j, "max_ctrl_length", c->max_ctrl_length);
	json_u64(&j, "timeout_ms", c->timeout_ms);
	info_json_protocol(&j, in);
	json_object_end(&j);
}

static int cmd_info(const struct cli_args *a, struct wia_error *err)
{
	struct device *dev;
	struct info in;
	int ret;

	memset(&in, 0, sizeof(in));
	in.node = a->device;
	ret = device_open(a->device, &dev);
	if (ret) {
		werr_set(err, WERR_OPEN, ret, "%s", a->device);
		if (ret == -ENOTTY)
			werr_why(err, "not a wiascan device");
		return ret;
	}
	if (a->timeout_ms)
		ret = device_set_timeout(dev, a->timeout_ms);
	in.caps = dev->caps;
	in.have_usb = !sysfs_scanner_by_devnum(dev->rdev, &in.usb);
	in.proto = protocol_find(&dev->caps);
	if (!ret && in.proto)
		ret = in.proto->get_info(dev, &in.dev);
	device_close(dev);
	if (ret)
		return werr_set(err, WERR_DEVICE, ret, "%s: get scanner information",
				a->device);
	if (a->json)
		info_json(&in);
	else
		info_text(&in);
	return 0;
}

int main(int argc, char **argv)
{
	struct wia_error err;
	struct cli_args a;
	int ret;

	memset(&err, 0, sizeof(err));
	ret = cli_parse(argc, argv, &a, &err);
	if (!ret) {
		switch (a.cmd) {
		case CLI_HELP:
			cli_usage(stdout);
			break;
		case CLI_VERSION:
			printf("%s %s\n", prog, WIASCAN_VERSION);
			break;
		case CLI_SCAN:
			ret = cmd_scan(&a, &err);
			break;
		case CLI_LIST:
			ret = cmd_list(&err);
			break;
		case CLI_INFO:
			ret = cmd_info(&a, &err);
			break;
		}
	}
	if (fflush(stdout) && !ret)
		ret = werr_set(&err, WERR_OTHER, -errno, "standard output");
	if (ret && !err.set)
		werr_set(&err, WERR_OTHER, ret, "%s", argc > 1 ? argv[1] : prog);
	werr_print(&err, prog, stderr);
	return ret ? werr_exit_code(&err) : WIASCAN_EXIT_OK;
}
