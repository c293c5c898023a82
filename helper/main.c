// SPDX-License-Identifier: GPL-2.0
/*
 * wiascan-helper: the command-line front end of libwiascan.  Options are
 * parsed by cli.c; this file runs the command and prints its messages.
 * Errors are printed once, here, by werr_print(), and turned into the exit
 * codes of exit_codes.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "compiler.h"
#include "device.h"
#include "exit_codes.h"
#include "json.h"
#include "outfile.h"
#include "progress.h"
#include "protocol.h"
#include "scan.h"
#include "sink.h"
#include "source.h"
#include "sysfs.h"

#ifndef WIASCAN_VERSION
#define WIASCAN_VERSION "0.1"
#endif

static const char prog[] = "wiascan-helper";

/*
 * Cancel: the first SIGINT or SIGTERM asks the scan loop to stop (it
 * cancels the scanner and keeps the completed pages); a second one ends
 * the process at once, leaving only FILE.part (see `repair`).
 */
static volatile sig_atomic_t cancel_requested;

/* After a failure, what was kept: printed after the error line */
static char kept_note[4200];

static void on_cancel_signal(int sig)
{
	static const char msg[] =
		"wiascan-helper: stopped at once: FILE.part left as it is\n";
	ssize_t n;

	(void)sig;
	if (cancel_requested) {
		n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
		(void)n;
		_exit(WIASCAN_EXIT_CANCELLED);
	}
	cancel_requested = 1;
}

static void setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_cancel_signal; /* no SA_RESTART: waits see EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a file size limit is a write error (EFBIG), not death */
	signal(SIGXFSZ, SIG_IGN);
	/* a progress reader that went away must not kill the scan */
	signal(SIGPIPE, SIG_IGN);
}

#define SYNTH_PREFIX   "synth:"
#define SYNTH_MAX_ROWS 64

/* The synthetic scanner of "-d synth:SHEETS[:KIB_PER_S[:ROWS,...]]" */
static int open_synth(const struct cli_args *a, struct wia_error *err,
		      struct scan_source **src)
{
	static uint32_t rows[SYNTH_MAX_ROWS];
	struct synth_options o = {
		.fmt = {
			.mode = a->req.mode,
			.source = a->req.source,
			.dpi = a->req.dpi,
			.width_px = a->req.width_px,
			.height_px = a->req.height_px,
			.bytes_per_line = scan_bytes_per_line(a->req.mode, a->req.width_px),
		},
		.page_rows = rows,
		.nbufs = DEV_SOURCE_NBUFS,
		.buf_size = DEV_SOURCE_BUF_SIZE,
	};

	if (synth_parse_spec(a->device + strlen(SYNTH_PREFIX), &o.pages,
			     &o.rate_kib, rows, SYNTH_MAX_ROWS, &o.n_page_rows))
		return werr_set(err, WERR_USAGE, -EINVAL, "%s", a->device);
	if (!o.n_page_rows) {
		rows[0] = scan_tenth_mm_to_px(2970, a->req.dpi);
		o.n_page_rows = 1;
	}
	return synth_source_open(&o, err, src);
}

static int open_source(const struct cli_args *a, struct wia_error *err,
		       struct scan_source **src, struct sysfs_scanner *usb)
{
	struct dev_source_options dopt = {
		.path = a->device,
		.req = a->req,
		.timeout_ms = a->timeout_ms,
		.max_pages = a->max_pages,
	};
	struct stat st;

	memset(usb, 0, sizeof(*usb));
	if (!strncmp(a->device, SYNTH_PREFIX, strlen(SYNTH_PREFIX))) {
		snprintf(usb->manufacturer, sizeof(usb->manufacturer),
			 "wiascan project");
		snprintf(usb->product, sizeof(usb->product),
			 "Synthetic Scanner");
		return open_synth(a, err, src);
	}
	if (!stat(a->device, &st))
		sysfs_scanner_by_devnum(st.st_rdev, usb);
	return dev_source_open(&dopt, err, src);
}

/* The output exists and no --force: refused before the scanner moves */
static int check_output(const struct cli_args *a, struct wia_error *err)
{
	char name[4096];
	int ret;

	if (!a->batch) {
		ret = outfile_check(a->output, a->force);
		return ret ? werr_set(err, WERR_OUTPUT, ret, "%s", a->output) :
			     0;
	}
	ret = batch_name(a->batch, a->batch_start, name, sizeof(name));
	if (!ret)
		ret = outfile_check(name, a->force);
	return ret ? werr_set(err, WERR_OUTPUT, ret, "%s", name) : 0;
}

static void scan_summary(const struct cli_args *a, const struct scan_stats *st,
			 int ret)
{
	const char *name = a->batch ? a->batch : a->output;

	if (ret && st->kept)
		snprintf(kept_note, sizeof(kept_note),
			 "%s: %s: kept the %u completed page%s\n", prog, name,
			 st->kept, st->kept == 1 ? "" : "s");
	if (!ret && (a->verbose || isatty(STDERR_FILENO)))
		fprintf(stderr,
			"%s: %u page%s, %llu bytes in %.2f s (%.2f MB/s)\n",
			name, st->pages, st->pages == 1 ? "" : "s",
			(unsigned long long)st->bytes, st->seconds,
			scan_mb_per_s(st));
}

static int cmd_scan(const struct cli_args *a, struct wia_error *err)
{
	struct sink_options sopt = {
		.format = a->format,
		.path = a->batch ? NULL : a->output,
		.force = a->force,
		.batch = a->batch,
		.batch_start = a->batch_start,
		.batch_increment = a->batch_increment,
		.compression = a->compression,
		.jpeg_quality = a->jpeg_quality,
		.bigtiff = a->bigtiff,
		.software = "wiascan-helper " WIASCAN_VERSION,
	};
	struct scan_control ctl = {
		.cancel = &cancel_requested,
		.max_pages = a->max_pages,
		.progress = progress_update,
		.activity = progress_activity,
	};
	struct scan_source *src = NULL;
	struct sysfs_scanner usb;
	struct progress pr;
	struct scan_stats st;
	struct sink *sink;
	int ret;

	ret = check_output(a, err);
	if (ret)
		return ret;
	setup_signals();
	ret = open_source(a, err, &src, &usb);
	if (ret)
		return ret;
	sopt.make = usb.manufacturer;
	sopt.model = usb.product;
	sopt.estimate_bytes =
		sink_estimate_bytes(&src->fmt, a->batch ? 1 : a->max_pages);
	progress_init(&pr, a->progress);
	ctl.arg = &pr;
	memset(&st, 0, sizeof(st));
	ret = sink_open(&sopt, err, &sink);
	if (!ret) {
		progress_start(&pr);
		ret = scan_run_ctl(src, sink, &ctl, &st, err);
		progress_stop(&pr);
	}
	scan_source_close(src);
	scan_summary(a, &st, ret);
	return ret;
}

static int cmd_repair(const struct cli_args *a, struct wia_error *err)
{
	uint32_t pages;
	int ret;

	ret = tiff_repair(a->input, a->output, a->force, err, &pages);
	if (!ret)
		fprintf(stderr, "%s: %s: %u page%s recovered\n", prog,
			a->output, pages, pages == 1 ? "" : "s");
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
	static const char *const names[] = { "unknown",	  "low",      "full",
					     "high",	  "wireless", "super",
					     "super-plus" };

	return speed < ARRAY_SIZE(names) ? names[speed] : "unknown";
}

static const char *const cap_names[] = { "streaming", "read", "write", "events",
					 "sg" };

static bool cap_bit(const struct device_caps *c, int i)
{
	const bool bits[] = { c->streaming, c->read, c->write, c->events,
			      c->sg };

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
	printf("\n  %-18s%04x:%04x, interface %u, %s speed\n",
	       "USB device:", c->vendor_id, c->product_id, c->interface,
	       speed_name(c->speed));
	if (in->have_usb) {
		printf("  %-18s%s\n", "manufacturer:", in->usb.manufacturer);
		printf("  %-18s%s\n", "product:", in->usb.product);
		printf("  %-18s%s\n", "serial:", in->usb.serial);
	}
	info_text_endpoint("bulk-in:", c->bulk_in_ep, c->bulk_in_maxpacket);
	info_text_endpoint("bulk-out:", c->bulk_out_ep, c->bulk_out_maxpacket);
	info_text_endpoint("interrupt-in:", c->intr_in_ep,
			   c->intr_in_maxpacket);
	printf("  %-18sup to %u of up to %u bytes, %llu bytes in all\n",
	       "buffers:", c->max_buffers, c->max_buffer_size,
	       (unsigned long long)c->max_total_bytes);
	printf("  %-18s%u bytes\n", "control transfer:", c->max_ctrl_length);
	printf("  %-18s%u ms\n", "timeout:", c->timeout_ms);
	if (!in->proto) {
		printf("  %-18snone known for this device\n", "protocol:");
		return;
	}
	printf("  %-18s%s, version %u\n", "protocol:", in->proto->name,
	       in->dev.version);
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
			printf("%s%s", sep,
			       scan_source_name((enum scan_source_kind)i));
			sep = " ";
		}
	}
	printf("\n  %-18s%u to %u dpi\n", "resolution:", in->dev.min_dpi,
	       in->dev.max_dpi);
	printf("  %-18s%.1f x %.1f mm\n",
	       "largest area:", in->dev.max_width_um / 1000.0,
	       in->dev.max_height_um / 1000.0);
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
			json_str(j, NULL,
				 scan_source_name((enum scan_source_kind)i));
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
	info_json_endpoint(&j, "bulk_out", c->bulk_out_ep,
			   c->bulk_out_maxpacket);
	info_json_endpoint(&j, "interrupt_in", c->intr_in_ep,
			   c->intr_in_maxpacket);
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
		return werr_set(err, WERR_DEVICE, ret,
				"%s: get scanner information", a->device);
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
		case CLI_REPAIR:
			ret = cmd_repair(&a, &err);
			break;
		}
	}
	if (fflush(stdout) && !ret)
		ret = werr_set(&err, WERR_OTHER, -errno, "standard output");
	if (ret && !err.set)
		werr_set(&err, WERR_OTHER, ret, "%s",
			 argc > 1 ? argv[1] : prog);
	werr_print(&err, prog, stderr);
	fputs(kept_note, stderr);
	free(a.repair_output);
	return ret ? werr_exit_code(&err) : WIASCAN_EXIT_OK;
}
