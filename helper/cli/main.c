// SPDX-License-Identifier: GPL-2.0
/*
 * wiascan-helper: the command-line front end of libwiascan.  Options are
 * parsed by cli.c; this file runs the command and prints its messages.
 * Errors are printed once, here, by wias_werr_print(), and turned into the exit
 * codes of exit_codes.h.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "compiler.h"
#include "device.h"
#include "exit_codes.h"
#include "json.h"
#include "outfile.h"
#include "progress.h"
#include "bind.h"
#include "fujitsu.h"
#include "protocol.h"
#include "scan.h"
#include "sink.h"
#include "source.h"
#include "stopmsg.h"
#include "sysfs.h"

#ifndef WIASCAN_VERSION
#define WIASCAN_VERSION "0.1"
#endif

static const char prog[] = "wiascan-helper";

/*
 * Cancel: the first SIGINT or SIGTERM asks the scan loop to stop (it
 * cancels the scanner and keeps the completed pages); a second one ends
 * the process at once, leaving the files as they are on disk, which
 * @stop_msg names: it follows each file created, renamed or removed
 * (stopmsg.h; a handler cannot format).
 */
static volatile sig_atomic_t cancel_requested;
static struct stop_msg stop_msg;

/* After a failure, what was kept: appended to the error line */
static char kept_note[4400];

static void on_cancel_signal(int sig)
{
	const char *msg;
	size_t len;
	ssize_t n;

	(void)sig;
	if (cancel_requested) {
		msg = stop_msg_get(&stop_msg, &len);
		n = write(STDERR_FILENO, msg, len);
		(void)n;
		_exit(WIASCAN_EXIT_CANCELLED);
	}
	cancel_requested = 1;
}

/* What a second signal leaves, said with the output's own names */
static void set_stop_msg(const struct cli_args *a, const char *tmp_tiff)
{
	if (tmp_tiff)
		stop_msg_init(&stop_msg, prog, STOP_MSG_TMP_TIFF, tmp_tiff);
	else if (a->batch)
		stop_msg_init(&stop_msg, prog, STOP_MSG_BATCH, a->batch);
	else if (!strcmp(a->output, "-"))
		stop_msg_init(&stop_msg, prog, STOP_MSG_STDOUT, NULL);
	else
		stop_msg_init(&stop_msg, prog, STOP_MSG_FILE, a->output);
	wias_outfile_set_notify(stop_msg_notify, &stop_msg);
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

static bool is_synth(const char *device)
{
	return !strncmp(device, SYNTH_PREFIX, strlen(SYNTH_PREFIX));
}

/* "-d synth:SPEC": the synthetic scanner's sheets, rate, rows and faults */
static int parse_synth(const struct cli_args *a, struct synth_options *o,
		       uint32_t *rows, struct wia_error *err)
{
	int ret = wias_synth_parse_spec(a->device + strlen(SYNTH_PREFIX), o,
					rows, SYNTH_MAX_ROWS);

	if (ret == -EEXIST) {
		wias_werr_set(err, WERR_USAGE, -EINVAL, "%s", a->device);
		wias_werr_why(err,
			      "a second %s fault: give each kind of fault once",
			      o->repeated_fault);
		return -EINVAL;
	}
	if (ret) {
		wias_werr_set(err, WERR_USAGE, -EINVAL, "%s", a->device);
		wias_werr_why(
			err,
			"use synth:SHEETS[:KIB_PER_S[:ROWS,...]][/FAULT...]");
		return -EINVAL;
	}
	return 0;
}

/* The synthetic scanner of "-d synth:..." (see wias_synth_parse_spec) */
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
			.bytes_per_line = wias_scan_bytes_per_line(a->req.mode, a->req.width_px),
		},
		.nbufs = DEV_SOURCE_NBUFS,
		.buf_size = DEV_SOURCE_BUF_SIZE,
	};

	if (parse_synth(a, &o, rows, err))
		return -EINVAL;
	if (!o.n_page_rows) {
		rows[0] = wias_scan_tenth_mm_to_px(2970, a->req.dpi);
		o.n_page_rows = 1;
	}
	return wias_synth_source_open(&o, err, src);
}

static int open_source(const struct cli_args *a, struct wia_error *err,
		       struct scan_source **src, struct sysfs_scanner *usb)
{
	struct dev_source_options dopt = {
		.path = a->device,
		.req = a->req,
		.timeout_ms = a->timeout_ms,
		.max_pages = a->max_pages,
		.source_default = !a->source_set,
	};
	struct stat st;

	memset(usb, 0, sizeof(*usb));
	if (is_synth(a->device)) {
		snprintf(usb->manufacturer, sizeof(usb->manufacturer),
			 "wiascan project");
		snprintf(usb->product, sizeof(usb->product),
			 "Synthetic Scanner");
		/* the synthetic scanner has both: flatbed first, as a scanner's */
		if (!a->req.height_px && !scan_source_is_adf(a->req.source)) {
			wias_werr_set(err, WERR_USAGE, -EINVAL, "--size");
			wias_werr_why(
				err,
				"a height of 0 (unknown length) needs --source adf");
			return -EINVAL;
		}
		return open_synth(a, err, src);
	}
	/*
	 * The USB strings only go into TIFF tags (Make, Model): five sysfs
	 * files a raw scan need not wait for (3-15 ms in the VM rig)
	 */
	if (a->format == SINK_FORMAT_TIFF && !stat(a->device, &st))
		wias_sysfs_scanner_by_devnum(st.st_rdev, usb);
	return wias_dev_source_open(&dopt, err, src);
}

static bool to_stdout(const struct cli_args *a)
{
	return !a->batch && !strcmp(a->output, "-");
}

/*
 * Files a batch may write: --pages of them (one on the flatbed), or any
 * number from an ADF without --pages
 */
static uint32_t batch_count(const struct cli_args *a)
{
	/* the synthetic scanner's default source is its flatbed */
	if ((a->source_set || is_synth(a->device)) &&
	    a->req.source == SCAN_SOURCE_FLATBED)
		return 1;
	return a->max_pages; /* the scanner's default source may be its ADF */
}

/*
 * The output exists and no --force: refused before the scanner moves.  A
 * batch checks every name it can write, from the start counter on.
 */
static int check_output(const struct cli_args *a, struct wia_error *err)
{
	char name[4096];
	int ret;

	if (to_stdout(a))
		return 0;
	if (!a->batch) {
		ret = wias_outfile_check(a->output, a->force);
		return ret ? wias_werr_set(err, WERR_OUTPUT, ret, "%s",
					   a->output) :
			     0;
	}
	if (a->force)
		return 0;
	name[0] = '\0';
	ret = wias_batch_find_existing(a->batch, a->batch_start,
				       a->batch_increment, batch_count(a), name,
				       sizeof(name));
	return ret ? wias_werr_set(err, WERR_OUTPUT, ret, "%s",
				   name[0] ? name : a->batch) :
		     0;
}

/* "cib-1.tif", "cib-1.tif and cib-2.tif" or "cib-1.tif to cib-5.tif" */
static void batch_files(const struct cli_args *a, uint32_t n, char *buf,
			size_t len)
{
	char first[2048], last[2048];

	if (wias_batch_name(a->batch, a->batch_start, first, sizeof(first)) ||
	    wias_batch_name(a->batch,
			    a->batch_start +
				    (int64_t)(n - 1) * a->batch_increment,
			    last, sizeof(last))) {
		snprintf(buf, len, "%s", a->batch);
		return;
	}
	if (n == 1)
		snprintf(buf, len, "%s", first);
	else
		snprintf(buf, len, "%s %s %s", first, n == 2 ? "and" : "to",
			 last);
}

/* The output's name for people: a file, the batch's files, stdout */
static void output_name(const struct cli_args *a, uint32_t pages, char *buf,
			size_t len)
{
	if (a->batch && pages)
		batch_files(a, pages, buf, len);
	else if (a->batch)
		snprintf(buf, len, "%s", a->batch);
	else if (to_stdout(a))
		snprintf(buf, len, "standard output");
	else
		snprintf(buf, len, "%s", a->output);
}

/* Empty sheets are not written: one warning names them (1-based) */
static void warn_empty(const struct scan_stats *st)
{
	uint32_t i,
		n = st->empty < SCAN_EMPTY_NOTED ? st->empty : SCAN_EMPTY_NOTED;

	if (!st->empty)
		return;
	fprintf(stderr, "%s: warning: %u empty sheet%s not written (sheet%s",
		prog, st->empty, st->empty == 1 ? "" : "s",
		st->empty == 1 ? "" : "s");
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s %u", i ? "," : "", st->empty_sheets[i] + 1);
	fprintf(stderr, "%s)\n", st->empty > n ? ", ..." : "");
}

/* @kept: after a failure, the file holding the completed pages, if not the output */
static void scan_summary(const struct cli_args *a, const struct scan_stats *st,
			 int ret, const char *kept)
{
	char name[4200];

	warn_empty(st);
	if (kept)
		snprintf(name, sizeof(name), "%s", kept);
	else
		output_name(a, ret ? st->kept : st->pages, name, sizeof(name));
	if (ret && st->kept && st->tail_bytes)
		snprintf(
			kept_note, sizeof(kept_note),
			"; the %u completed page%s went to %s, then %llu bytes of the unfinished page (a pipe cannot be cut)",
			st->kept, st->kept == 1 ? "" : "s", name,
			(unsigned long long)st->tail_bytes);
	else if (ret && st->tail_bytes)
		snprintf(
			kept_note, sizeof(kept_note),
			"; no page was completed; %llu bytes of the unfinished page went to %s (a pipe cannot be cut)",
			(unsigned long long)st->tail_bytes, name);
	else if (ret && st->kept)
		snprintf(kept_note, sizeof(kept_note),
			 "; kept the %u completed page%s in %s", st->kept,
			 st->kept == 1 ? "" : "s", name);
	if (!ret && (a->verbose || isatty(STDERR_FILENO)))
		fprintf(stderr,
			"%s: %u page%s, %llu bytes in %.2f s (%.2f MB/s)\n",
			name, st->pages, st->pages == 1 ? "" : "s",
			(unsigned long long)st->bytes, st->seconds,
			wias_scan_mb_per_s(st));
}

/*
 * TIFF to standard output: a TIFF must seek, so it is written to a
 * temporary file first, which goes to standard output when the scan is
 * over (the completed pages only, after a failure) and is removed.
 */
struct tmp_tiff {
	char dir[4096];
	char path[4200];
};

static int tmp_tiff_create(struct tmp_tiff *t, struct wia_error *err)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(t->dir, sizeof(t->dir), "%s/wiascan-helper.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(t->dir))
		return wias_werr_set(err, WERR_OUTPUT, -errno, "%s", t->dir);
	snprintf(t->path, sizeof(t->path), "%s/scan.tif", t->dir);
	return 0;
}

/* All of @buf to @fd, whatever short writes and EINTR happen */
static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Standard output before the scanner moves: it must be open for writing
 * (a closed one would throw every page away at the end).  Where a regular
 * file starts (its size with >>), for a cut if the copy fails: @start -1
 * when it cannot be cut (a pipe, a terminal).
 */
static int stdout_check(off_t *start, struct wia_error *err)
{
	struct stat st;
	int fl;

	*start = -1;
	fl = fcntl(STDOUT_FILENO, F_GETFL);
	if (fl < 0 || fstat(STDOUT_FILENO, &st)) {
		wias_werr_set(err, WERR_OUTPUT, -errno, "standard output");
		wias_werr_why(err, "closed: nothing could be written");
		return -EBADF;
	}
	if ((fl & O_ACCMODE) == O_RDONLY) {
		wias_werr_set(err, WERR_OUTPUT, -EBADF, "standard output");
		wias_werr_why(err, "open for reading only");
		return -EBADF;
	}
	if (S_ISREG(st.st_mode))
		*start = (fl & O_APPEND) ? st.st_size :
					   lseek(STDOUT_FILENO, 0, SEEK_CUR);
	return 0;
}

/*
 * Copy the finished file to standard output, then remove it.  When the
 * copy fails, standard output is cut back to @start (a regular file: no
 * invalid TIFF is left there) and the complete TIFF is kept where it is:
 * @kept is set to its path.
 */
static int tmp_tiff_emit(struct tmp_tiff *t, bool emit, off_t start,
			 const char **kept, struct wia_error *err)
{
	char buf[65536];
	ssize_t n = 0;
	int fd, ret = 0;

	*kept = NULL;
	fd = emit ? open(t->path, O_RDONLY | O_CLOEXEC) : -1;
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0) {
		ret = write_all(STDOUT_FILENO, buf, (size_t)n);
		if (ret)
			break;
	}
	if (n < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (ret && fd >= 0) {
		if (start >= 0 && !ftruncate(STDOUT_FILENO, start))
			lseek(STDOUT_FILENO, start, SEEK_SET);
		*kept = t->path;
	} else {
		unlink(t->path);
		rmdir(t->dir);
	}
	if (ret) {
		wias_werr_set(err, WERR_OUTPUT, ret, "standard output: write");
		if (ret == -EPIPE)
			wias_werr_why(err, "broken pipe: its reader exited");
	}
	return ret;
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
		.jpeg_color = a->jpeg_color,
		.deflate_level = a->deflate_level,
		.workers = a->workers,
		.bigtiff = a->bigtiff,
		.software = "wiascan-helper " WIASCAN_VERSION,
	};
	struct scan_control ctl = {
		.cancel = &cancel_requested,
		.max_pages = a->max_pages,
		.progress = progress_update,
		.activity = progress_activity,
	};
	bool tiff_out = to_stdout(a) && a->format == SINK_FORMAT_TIFF;
	struct scan_source *src = NULL;
	struct sysfs_scanner usb;
	struct tmp_tiff tmp = { .dir = "" };
	const char *kept = NULL;
	off_t out_start = -1;
	struct progress pr;
	struct scan_stats st;
	struct sink *sink;
	int ret;

	ret = check_output(a, err);
	if (ret)
		return ret;
	if (tiff_out) {
		ret = stdout_check(&out_start, err);
		if (!ret)
			ret = tmp_tiff_create(&tmp, err);
		if (ret)
			return ret;
		sopt.path = tmp.path;
	}
	set_stop_msg(a, tiff_out ? tmp.path : NULL);
	setup_signals();
	memset(&st, 0, sizeof(st));
	ret = open_source(a, err, &src, &usb);
	if (ret)
		goto out;
	sopt.make = usb.manufacturer;
	sopt.model = usb.product;
	sopt.estimate_bytes = wias_sink_estimate_bytes(
		&src->fmt, a->batch ? 1 : a->max_pages);
	progress_init(&pr, a->progress);
	ctl.arg = &pr;
	ret = wias_sink_open(&sopt, err, &sink);
	if (!ret) {
		progress_start(&pr);
		ret = wias_scan_run_ctl(src, sink, &ctl, &st, err);
		progress_stop(&pr);
	}
	scan_source_close(src);
out:
	if (tiff_out) {
		int ret2 = tmp_tiff_emit(&tmp, !ret || st.kept, out_start,
					 &kept, err);

		if (ret2 && !ret)
			st.kept = st.pages; /* all of them are in @kept */
		if (ret2 && !ret)
			ret = ret2;
		else if (ret2 && !kept)
			st.kept = 0; /* they did not reach standard output */
	}
	scan_summary(a, &st, ret, kept);
	return ret;
}

static int cmd_repair(const struct cli_args *a, struct wia_error *err)
{
	uint32_t pages;
	int ret;

	ret = wias_tiff_repair(a->input, a->output, a->force, err, &pages);
	if (!ret)
		fprintf(stderr, "%s: %s: %u page%s recovered\n", prog,
			a->output, pages, pages == 1 ? "" : "s");
	return ret;
}

/* The protocol wiascan-helper would speak to a device with these IDs */
static const char *protocol_name(unsigned int vid, unsigned int pid)
{
	struct device_caps caps = { .vendor_id = (uint16_t)vid,
				    .product_id = (uint16_t)pid };
	const struct scan_protocol_ops *p = wias_protocol_find(&caps);

	return p ? p->name : "none";
}

static int list_one(const struct sysfs_scanner *s, void *arg)
{
	(void)arg;
	printf("%s\t%04x:%04x\t%s\t%s\t%s\n", s->node, s->vendor_id,
	       s->product_id, s->manufacturer, s->product,
	       protocol_name(s->vendor_id, s->product_id));
	return 0;
}

/* One hex number of at most 4 digits after "0x"; *@end past it, or NULL */
static bool hex16(const char *s, unsigned long *v, const char **end)
{
	char *e;

	if (strncmp(s, "0x", 2) != 0 && strncmp(s, "0X", 2) != 0)
		return false;
	s += 2;
	if (!isxdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoul(s, &e, 16);
	if (errno || e - s > 4)
		return false;
	*end = e;
	return true;
}

/* A fujitsu.conf line "usb 0x04c5 0xPPPP" naming @pid */
static bool conf_usb_line(const char *line, unsigned int pid)
{
	unsigned long v, p;
	const char *s = line;

	while (isspace((unsigned char)*s))
		s++;
	if (strncmp(s, "usb", 3) != 0 || !isspace((unsigned char)s[3]))
		return false;
	s += 3;
	while (isspace((unsigned char)*s))
		s++;
	if (!hex16(s, &v, &s) || !isspace((unsigned char)*s))
		return false;
	while (isspace((unsigned char)*s))
		s++;
	if (!hex16(s, &p, &s) || (*s && !isspace((unsigned char)*s)))
		return false;
	return v == FJ_VENDOR_ID && p == pid;
}

/*
 * Whether SANE's fujitsu backend lists @pid ("usb 0x04c5 0xPPPP" in
 * fujitsu.conf, under SANE_CONFIG_DIR or /etc/sane.d); the fi-7160
 * (0x132e) is known without it
 */
static bool fujitsu_known(unsigned int pid)
{
	const char *dir = getenv("SANE_CONFIG_DIR");
	char path[512], line[256];
	bool found = pid == 0x132e;
	FILE *f;

	snprintf(path, sizeof(path), "%s/fujitsu.conf",
		 dir && *dir ? dir : "/etc/sane.d");
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f))
		found = conf_usb_line(line, pid);
	if (f)
		fclose(f);
	return found;
}

/* A known scanner wiascan.ko does not drive: how to make it do so */
static int list_unbound(const struct bind_usb *u, void *arg)
{
	(void)arg;
	if (u->bound || !fujitsu_known(u->product_id))
		return 0;
	printf("-\t%04x:%04x\t%s\t%s\t%s (not bound: wiascan-helper bind %04x:%04x)\n",
	       u->vendor_id, u->product_id, u->manufacturer, u->product,
	       protocol_name(u->vendor_id, u->product_id), u->vendor_id,
	       u->product_id);
	return 0;
}

static int cmd_list(struct wia_error *err)
{
	int ret = wias_sysfs_for_each_scanner(list_one, NULL);

	if (!ret)
		ret = wias_bind_for_each_usb(FJ_VENDOR_ID, 0, list_unbound,
					     NULL);
	if (ret)
		wias_werr_set(err, WERR_OTHER, ret, "list scanners");
	return ret;
}

/* "04c5:132e" */
static int parse_usb_id(const char *s, uint16_t *vid, uint16_t *pid)
{
	unsigned long v, p;
	char *e;

	if (!isxdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &e, 16);
	if (errno || e - s > 4 || *e != ':' || !v)
		return -EINVAL;
	s = e + 1;
	if (!isxdigit((unsigned char)s[0]))
		return -EINVAL;
	p = strtoul(s, &e, 16);
	if (errno || e - s > 4 || *e)
		return -EINVAL;
	*vid = (uint16_t)v;
	*pid = (uint16_t)p;
	return 0;
}

static int cmd_bind(const struct cli_args *a, bool bind, struct wia_error *err)
{
	uint16_t vid, pid;
	int ret;

	if (parse_usb_id(a->input, &vid, &pid)) {
		wias_werr_set(err, WERR_USAGE, -EINVAL, "%s", a->input);
		wias_werr_why(
			err,
			"not a USB ID: give VID:PID in hex, e.g. 04c5:132e");
		return -EINVAL;
	}
	ret = wias_bind(vid, pid, bind);
	if (!ret)
		return 0;
	wias_werr_set(err, WERR_OTHER, ret, "%s %04x:%04x",
		      bind ? "bind" : "unbind", vid, pid);
	if (ret == -ENOENT)
		wias_werr_why(err,
			      "wiascan.ko is not loaded (modprobe wiascan)");
	else if (ret == -EACCES || ret == -EPERM)
		wias_werr_why(err, "permission denied: run as root");
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
	struct scan_model model;
	bool have_model;
};

static const char *speed_name(uint32_t speed)
{
	static const char *const names[] = { "unknown",	  "low",      "full",
					     "high",	  "wireless", "super",
					     "super-plus" };

	return speed < ARRAY_SIZE(names) ? names[speed] : "unknown";
}

/* WIASCAN_CAP_* in the uapi header's order */
static const char *const cap_names[] = { "streaming",	"read",	    "write",
					 "events",	"sg",	    "claim",
					 "xfer-length", "read-idle" };

static bool cap_bit(const struct device_caps *c, int i)
{
	const bool bits[] = { c->streaming,   c->read,	   c->write,
			      c->events,      c->sg,	   c->claim,
			      c->xfer_length, c->read_idle };

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
	if (in->have_model)
		printf("  %-18s%s %s, revision %s\n",
		       "model:", in->model.vendor, in->model.product,
		       in->model.revision);
	printf("  %-18s", "modes:");
	sep = "";
	for (i = SCAN_MODE_LINEART; i <= SCAN_MODE_COLOR; i++) {
		if (in->dev.modes & (1U << i)) {
			printf("%s%s", sep,
			       wias_scan_mode_name((enum scan_mode)i));
			sep = " ";
		}
	}
	printf("\n  %-18s", "sources:");
	sep = "";
	for (i = SCAN_SOURCE_FLATBED; i <= SCAN_SOURCE_ADF_DUPLEX; i++) {
		if (in->dev.sources & (1U << i)) {
			printf("%s%s", sep,
			       wias_scan_source_name((enum scan_source_kind)i));
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
	if (in->have_model) {
		json_object_begin(j, "model");
		json_str(j, "vendor", in->model.vendor);
		json_str(j, "product", in->model.product);
		json_str(j, "revision", in->model.revision);
		json_object_end(j);
	}
	json_array_begin(j, "modes");
	for (i = SCAN_MODE_LINEART; i <= SCAN_MODE_COLOR; i++)
		if (in->dev.modes & (1U << i))
			json_str(j, NULL,
				 wias_scan_mode_name((enum scan_mode)i));
	json_array_end(j);
	json_array_begin(j, "sources");
	for (i = SCAN_SOURCE_FLATBED; i <= SCAN_SOURCE_ADF_DUPLEX; i++)
		if (in->dev.sources & (1U << i))
			json_str(j, NULL,
				 wias_scan_source_name(
					 (enum scan_source_kind)i));
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

/*
 * `info -d synth:...`: the synthetic scanner has no driver, so no
 * capabilities or endpoints; it shows what it scans and what it was told
 */
static void info_synth_text(const struct info *in,
			    const struct synth_options *o)
{
	printf("%s\n", in->node);
	printf("  %-18s%s\n", "scanner:",
	       "synthetic (the reference formula, no device, no driver)");
	printf("  %-18s%s\n", "manufacturer:", in->usb.manufacturer);
	printf("  %-18s%s\n", "product:", in->usb.product);
	printf("  %-18s%u\n", "sheets:", o->pages);
	if (o->rate_kib)
		printf("  %-18s%u KiB/s\n", "rate:", o->rate_kib);
	else
		printf("  %-18s%s\n", "rate:", "as fast as it can");
	printf("  %-18s%s\n", "modes:", "lineart gray color");
	printf("  %-18s%s\n", "sources:", "flatbed adf");
	printf("  %-18s%u to %u dpi\n", "resolution:", in->dev.min_dpi,
	       in->dev.max_dpi);
}

static void info_synth_json(const struct info *in,
			    const struct synth_options *o)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j, NULL);
	json_str(&j, "node", in->node);
	json_bool(&j, "synthetic", true);
	json_str(&j, "manufacturer", in->usb.manufacturer);
	json_str(&j, "product", in->usb.product);
	json_u64(&j, "sheets", o->pages);
	json_u64(&j, "kib_per_s", o->rate_kib);
	info_json_protocol(&j, in);
	json_object_end(&j);
}

static int cmd_info_synth(const struct cli_args *a, struct wia_error *err)
{
	static const struct scan_protocol_ops synth_proto = {
		.name = "synthetic",
	};
	uint32_t rows[SYNTH_MAX_ROWS];
	struct synth_options o;
	struct info in;

	memset(&o, 0, sizeof(o));
	if (parse_synth(a, &o, rows, err))
		return -EINVAL;
	memset(&in, 0, sizeof(in));
	in.node = a->device;
	snprintf(in.usb.manufacturer, sizeof(in.usb.manufacturer),
		 "wiascan project");
	snprintf(in.usb.product, sizeof(in.usb.product), "Synthetic Scanner");
	in.proto = &synth_proto;
	in.dev.modes = 1U << SCAN_MODE_LINEART | 1U << SCAN_MODE_GRAY |
		       1U << SCAN_MODE_COLOR;
	in.dev.sources = 1U << SCAN_SOURCE_FLATBED | 1U << SCAN_SOURCE_ADF;
	in.dev.min_dpi = 1;
	in.dev.max_dpi = SCAN_MAX_DPI;
	if (a->json)
		info_synth_json(&in, &o);
	else
		info_synth_text(&in, &o);
	return 0;
}

static int cmd_info(const struct cli_args *a, struct wia_error *err)
{
	struct device *dev;
	struct info in;
	int ret;

	if (is_synth(a->device))
		return cmd_info_synth(a, err);
	memset(&in, 0, sizeof(in));
	in.node = a->device;
	ret = wias_device_open(a->device, &dev);
	if (ret) {
		wias_werr_set(err, WERR_OPEN, ret, "%s", a->device);
		if (ret == -ENOTTY)
			wias_werr_why(err, "not a wiascan device");
		return ret;
	}
	if (a->timeout_ms)
		ret = wias_device_set_timeout(dev, a->timeout_ms);
	in.caps = dev->caps;
	in.have_usb = !wias_sysfs_scanner_by_devnum(dev->rdev, &in.usb);
	in.proto = wias_protocol_find(&dev->caps);
	if (!ret && in.proto)
		ret = in.proto->get_info(dev, &in.dev);
	if (!ret && in.proto)
		in.have_model = !wias_protocol_model(in.proto, dev, &in.model);
	wias_device_close(dev);
	if (ret)
		return wias_werr_set(err, WERR_DEVICE, ret,
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
		case CLI_BIND:
		case CLI_UNBIND:
			ret = cmd_bind(&a, a.cmd == CLI_BIND, &err);
			break;
		}
	}
	if (fflush(stdout) && !ret)
		ret = wias_werr_set(&err, WERR_OTHER, -errno,
				    "standard output");
	if (ret && !err.set)
		wias_werr_set(&err, WERR_OTHER, ret, "%s",
			      argc > 1 ? argv[1] : prog);
	wias_werr_print_note(&err, prog, kept_note, stderr);
	free(a.repair_output);
	return ret ? wias_werr_exit_code(&err) : WIASCAN_EXIT_OK;
}
