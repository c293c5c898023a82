// SPDX-License-Identifier: GPL-2.0
/*
 * What every failure keeps, in every format (issue 10, items 3 and 4):
 * raw, multipage TIFF and batch, each through cancel, jam, double feed,
 * unplug, stall, timeout, a protocol error and a full disk, must keep
 * exactly the pages the scanner completed, in a valid output, and nothing
 * else.  An empty sheet is skipped, not an error.  Driven in process by
 * the synthetic scanner through the real scan loop and sinks; every kept
 * byte is checked against the formula, computed here.
 */
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <tiffio.h>

#include "kselftest_harness.h"

#include "exit_codes.h"
#include "scan.h"
#include "sink.h"
#include "source.h"
#include "stopmsg.h"
#include "test_util.h"

enum out_kind { OUT_RAW, OUT_TIFF, OUT_BATCH };

static const char *const out_names[] = { "raw", "tiff", "batch" };

FIXTURE(fail)
{
	char dir[PATH_MAX];
	char file[PATH_MAX + 16];
	char pattern[PATH_MAX + 16];
	struct synth_options opt;
	struct sink_options so;
	struct wia_error err;
	struct scan_stats stats;
	uint32_t rows[4];
};

FIXTURE_SETUP(fail)
{
	ASSERT_EQ(0, tu_mkdtemp(self->dir, sizeof(self->dir)));
	memset(&self->opt, 0, sizeof(self->opt));
	self->opt.fmt.mode = SCAN_MODE_GRAY;
	self->opt.fmt.source = SCAN_SOURCE_ADF;
	self->opt.fmt.dpi = 100;
	self->opt.nbufs = 4;
	self->opt.buf_size = 4096;
	self->opt.page_rows = self->rows;
}

FIXTURE_TEARDOWN(fail)
{
	tu_rmtree(self->dir);
}

static void set_format(struct synth_options *o, uint32_t width, uint32_t height)
{
	o->fmt.width_px = width;
	o->fmt.height_px = height;
	o->fmt.bytes_per_line = width;
}

/* Point the output of @kind into @dir (a sub-directory name, or NULL) */
static void set_output(FIXTURE_DATA(fail) *self, enum out_kind kind,
		       const char *dir)
{
	const char *d = dir ? dir : self->dir;

	memset(&self->so, 0, sizeof(self->so));
	snprintf(self->file, sizeof(self->file), "%s/scan.%s", d,
		 kind == OUT_RAW ? "raw" : "tif");
	snprintf(self->pattern, sizeof(self->pattern), "%s/p-%%d.tif", d);
	self->so.format = kind == OUT_RAW ? SINK_FORMAT_RAW : SINK_FORMAT_TIFF;
	self->so.path = kind == OUT_BATCH ? NULL : self->file;
	self->so.batch = kind == OUT_BATCH ? self->pattern : NULL;
	self->so.batch_start = 1;
	self->so.batch_increment = 1;
}

static int run_ctl(FIXTURE_DATA(fail) *self, const struct scan_control *ctl)
{
	struct scan_source *src;
	struct sink *sink;
	int ret;

	memset(&self->err, 0, sizeof(self->err));
	ret = wias_synth_source_open(&self->opt, &self->err, &src);
	if (ret)
		return ret;
	ret = wias_sink_open(&self->so, &self->err, &sink);
	if (!ret)
		ret = wias_scan_run_ctl(src, sink, ctl, &self->stats,
					&self->err);
	scan_source_close(src);
	return ret;
}

static int formula(uint32_t x, uint32_t y, uint32_t sheet)
{
	return (int)((31ULL * x + 17ULL * y + 101ULL * sheet) % 251);
}

/* Rows of @sheet: the known height, or the synthetic rows list */
static uint32_t sheet_rows(const struct synth_options *o, uint32_t sheet)
{
	if (o->fmt.height_px)
		return o->fmt.height_px;
	return o->page_rows[sheet < o->n_page_rows ? sheet : o->n_page_rows - 1];
}

/* Bytes of a gray page that differ from the formula of @sheet */
static uint64_t bad_bytes(const uint8_t *p, uint32_t bpl, uint32_t rows,
			  uint32_t sheet)
{
	uint64_t bad = 0;
	uint32_t x, y;

	for (y = 0; y < rows; y++)
		for (x = 0; x < bpl; x++)
			bad += p[(size_t)y * bpl + x] != formula(x, y, sheet);
	return bad;
}

/* A raw file holding exactly @sheets[0..n), each formula-true; else -1 */
static int check_raw(const char *path, const struct synth_options *o,
		     const uint32_t *sheets, uint32_t n)
{
	uint32_t bpl = o->fmt.bytes_per_line, i;
	size_t len = 0, off = 0, want = 0;
	uint8_t *buf;
	int ret = 0;

	for (i = 0; i < n; i++)
		want += (size_t)sheet_rows(o, sheets[i]) * bpl;
	buf = (uint8_t *)tu_read_file(path, &len);
	if (!buf || len != want) {
		free(buf);
		return -1;
	}
	for (i = 0; i < n && !ret; i++) {
		uint32_t rows = sheet_rows(o, sheets[i]);

		if (bad_bytes(buf + off, bpl, rows, sheets[i]))
			ret = -1;
		off += (size_t)rows * bpl;
	}
	free(buf);
	return ret;
}

/*
 * A TIFF of exactly @sheets[0..n), page i with PageNumber @pn0 + i (or
 * 0 of 1 in a batch file), each formula-true; else -1
 */
static int check_tiff(const char *path, const struct synth_options *o,
		      const uint32_t *sheets, uint32_t n, bool batch)
{
	uint32_t bpl = o->fmt.bytes_per_line, i = 0, y, h = 0;
	uint16_t pn = 0, total = 0;
	uint8_t *page;
	int ret = 0;
	TIFF *tif;

	TIFFSetErrorHandler(NULL);
	TIFFSetWarningHandler(NULL);
	tif = TIFFOpen(path, "r");
	if (!tif)
		return -1;
	do {
		if (i >= n) {
			ret = -1;
			break;
		}
		h = 0;
		TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
		if (!TIFFGetField(tif, TIFFTAG_PAGENUMBER, &pn, &total) ||
		    pn != (batch ? 0 : i) || total != (batch ? 1 : 0) ||
		    h != sheet_rows(o, sheets[i])) {
			ret = -1;
			break;
		}
		page = malloc((size_t)h * bpl);
		for (y = 0; page && y < h; y++)
			if (TIFFReadScanline(tif, page + (size_t)y * bpl, y,
					     0) < 0)
				ret = -1;
		if (!page || ret || bad_bytes(page, bpl, h, sheets[i]))
			ret = -1;
		free(page);
		i++;
	} while (!ret && TIFFReadDirectory(tif));
	TIFFClose(tif);
	return ret || i != n ? -1 : 0;
}

/* Files p-1.tif.. of a batch: exactly @n, each one page; else -1 */
static int check_batch(FIXTURE_DATA(fail) *self, const uint32_t *sheets,
		       uint32_t n)
{
	char name[PATH_MAX + 32];
	uint32_t i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s/p-%u.tif", self->dir, i + 1);
		if (check_tiff(name, &self->opt, sheets + i, 1, true))
			return -1;
	}
	snprintf(name, sizeof(name), "%s/p-%u.tif", self->dir, n + 1);
	return tu_exists(name) ? -1 : 0;
}

/* A NAME.part in the directory of @path */
static bool part_left(const char *path)
{
	char dir[PATH_MAX + 16], cmd[PATH_MAX + 64];

	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "ls '%s' | grep -q '[.]part$'", dir);
	return !system(cmd);
}

/* The output of @kind holds exactly @sheets[0..n); no NAME.part anywhere */
static int check_output(FIXTURE_DATA(fail) *self, enum out_kind kind,
			const uint32_t *sheets, uint32_t n)
{
	int ret;

	switch (kind) {
	case OUT_RAW:
		ret = n ? check_raw(self->file, &self->opt, sheets, n) :
			  -tu_exists(self->file);
		break;
	case OUT_TIFF:
		ret = n ? check_tiff(self->file, &self->opt, sheets, n, false) :
			  -tu_exists(self->file);
		break;
	default:
		ret = check_batch(self, sheets, n);
		break;
	}
	if (part_left(kind == OUT_BATCH ? self->pattern : self->file))
		ret = -1;
	return ret;
}

/* Sets the cancel flag in sheet @cancel_at (0-based), mid-page */
struct canceller {
	uint32_t cancel_at;
	volatile sig_atomic_t *cancel;
};

static void cancel_in_sheet(void *arg, const struct scan_progress *p)
{
	struct canceller *c = arg;

	if (p->page == c->cancel_at && p->page_bytes && !p->page_end)
		*c->cancel = 1;
}

/**
 * struct failure - one way a scan of 5 sheets of 100x50 fails in sheet 2
 * @name: for the messages
 * @exit_code: what the scan must end with
 * @setup: sets the synthetic scanner's fault (NULL: a cancel)
 */
struct failure {
	const char *name;
	int exit_code;
	void (*setup)(struct synth_options *o);
};

static void f_jam(struct synth_options *o)
{
	o->jam = true;
	o->jam_page = 2;
}

static void f_double_feed(struct synth_options *o)
{
	f_jam(o);
	o->double_feed = true;
}

/* the transfer carrying byte 12500, in the middle of sheet 2 */
static void f_unplug(struct synth_options *o)
{
	o->fail_after = 12500;
	o->fail_status = -ENODEV;
}

static void f_stall(struct synth_options *o)
{
	o->fail_after = 12500;
	o->fail_status = -EPIPE;
}

static void f_timeout(struct synth_options *o)
{
	o->fail_after = 12500;
	o->fail_status = -ETIMEDOUT;
}

/* a short page of known height: a protocol error */
static void f_short(struct synth_options *o)
{
	o->short_page = 2;
	o->short_bytes = 100;
}

static const struct failure failures[] = {
	{ "cancel", WIASCAN_EXIT_CANCELLED, NULL },
	{ "jam", WIASCAN_EXIT_JAM, f_jam },
	{ "double feed", WIASCAN_EXIT_DOUBLE_FEED, f_double_feed },
	{ "unplug", WIASCAN_EXIT_UNPLUGGED, f_unplug },
	{ "stall", WIASCAN_EXIT_DEVICE, f_stall },
	{ "timeout", WIASCAN_EXIT_TIMEOUT, f_timeout },
	{ "short page", WIASCAN_EXIT_DEVICE, f_short },
};

TEST_F(fail, every_failure_in_sheet_3_keeps_exactly_2_pages_in_every_format)
{
	static const uint32_t sheets[] = { 0, 1 };
	volatile sig_atomic_t cancel;
	struct canceller c = { .cancel_at = 2, .cancel = &cancel };
	struct scan_control ctl = { .cancel = &cancel,
				    .progress = cancel_in_sheet,
				    .arg = &c };
	size_t f;
	int k;

	for (k = OUT_RAW; k <= OUT_BATCH; k++) {
		for (f = 0; f < ARRAY_SIZE(failures); f++) {
			memset(&self->opt, 0, sizeof(self->opt));
			self->opt.fmt.mode = SCAN_MODE_GRAY;
			self->opt.fmt.source = SCAN_SOURCE_ADF;
			self->opt.fmt.dpi = 100;
			self->opt.nbufs = 4;
			self->opt.buf_size = 4096;
			set_format(&self->opt, 100, 50);
			self->opt.pages = 5;
			if (failures[f].setup)
				failures[f].setup(&self->opt);
			set_output(self, (enum out_kind)k, NULL);
			cancel = 0;
			/* only the cancel row cancels */
			c.cancel_at = failures[f].setup ? UINT32_MAX : 2;
			EXPECT_GT(0, run_ctl(self, &ctl));
			EXPECT_EQ(failures[f].exit_code,
				  wias_werr_exit_code(&self->err))
			TH_LOG("%s, %s: %s: %s", out_names[k], failures[f].name,
			       self->err.what, self->err.why);
			EXPECT_EQ(2, self->stats.kept)
			TH_LOG("%s, %s: kept %u pages, not 2", out_names[k],
			       failures[f].name, self->stats.kept);
			EXPECT_EQ(0, check_output(self, (enum out_kind)k,
						  sheets, 2))
			TH_LOG("%s, %s: the output is not exactly 2 valid pages",
			       out_names[k], failures[f].name);
			tu_rmtree(self->dir);
			ASSERT_EQ(0, mkdir(self->dir, 0700));
		}
	}
}

TEST_F(fail, a_full_disk_in_page_3_keeps_exactly_2_pages_in_every_format)
{
	static const uint32_t sheets[] = { 0, 1 };
	char mnt[PATH_MAX + 8];
	int k;

	snprintf(mnt, sizeof(mnt), "%s/mnt", self->dir);
	ASSERT_EQ(0, mkdir(mnt, 0700));
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		SKIP(return, "cannot mount a small tmpfs here (%s)",
			   strerror(errno));
	/* pages of 100,000 bytes on 256 KiB: two fit, the third does not */
	set_format(&self->opt, 1000, 100);
	self->opt.pages = 5;
	for (k = OUT_RAW; k <= OUT_BATCH; k++) {
		ASSERT_EQ(0, mount("tmpfs", mnt, "tmpfs", 0, "size=256k"));
		set_output(self, (enum out_kind)k, mnt);
		EXPECT_EQ(-ENOSPC, run_ctl(self, NULL))
		TH_LOG("%s: %s: %s", out_names[k], self->err.what,
		       self->err.why);
		EXPECT_EQ(WIASCAN_EXIT_OUTPUT, wias_werr_exit_code(&self->err));
		EXPECT_EQ(2, self->stats.kept)
		TH_LOG("%s: kept %u pages, not 2", out_names[k],
		       self->stats.kept);
		if (k == OUT_BATCH) {
			char name[PATH_MAX + 32];

			snprintf(name, sizeof(name), "%s/p-1.tif", mnt);
			EXPECT_EQ(0, check_tiff(name, &self->opt, sheets, 1,
						true));
			snprintf(name, sizeof(name), "%s/p-2.tif", mnt);
			EXPECT_EQ(0, check_tiff(name, &self->opt, sheets + 1, 1,
						true));
			snprintf(name, sizeof(name), "%s/p-3.tif", mnt);
			EXPECT_EQ(0, tu_exists(name));
			snprintf(name, sizeof(name), "%s/p-3.tif.part", mnt);
			EXPECT_EQ(0, tu_exists(name));
		} else {
			EXPECT_EQ(0, check_output(self, (enum out_kind)k,
						  sheets, 2))
			TH_LOG("%s: not exactly 2 valid pages", out_names[k]);
		}
		umount(mnt);
	}
}

TEST_F(fail, a_failure_before_any_page_ends_leaves_nothing_in_every_format)
{
	int k;

	set_format(&self->opt, 100, 50);
	self->opt.pages = 5;
	f_unplug(&self->opt);
	self->opt.fail_after = 2500; /* in sheet 1 */
	for (k = OUT_RAW; k <= OUT_BATCH; k++) {
		set_output(self, (enum out_kind)k, NULL);
		EXPECT_EQ(-ENODEV, run_ctl(self, NULL));
		EXPECT_EQ(0, self->stats.kept);
		EXPECT_EQ(0, check_output(self, (enum out_kind)k, NULL, 0))
		TH_LOG("%s: something was left", out_names[k]);
	}
}

/* Creates @path when sheet @at begins (a file appearing while scanning) */
struct intruder {
	const char *path;
	uint32_t at;
};

static void intrude(void *arg, const struct scan_progress *p)
{
	struct intruder *in = arg;

	if (p->page == in->at && p->page_bytes && !tu_exists(in->path))
		tu_write_file(in->path, "mine", 4);
}

TEST_F(fail, a_salvage_that_cannot_rename_leaves_the_part_with_its_2_pages)
{
	static const uint32_t sheets[] = { 0, 1 };
	char part[PATH_MAX + 32], *got;
	struct intruder in = { .at = 2 };
	struct scan_control ctl = { .progress = intrude, .arg = &in };
	int k;

	set_format(&self->opt, 100, 50);
	self->opt.pages = 5;
	f_jam(&self->opt);
	for (k = OUT_RAW; k <= OUT_TIFF; k++) {
		set_output(self, (enum out_kind)k, NULL);
		in.path = self->file;
		snprintf(part, sizeof(part), "%s.part", self->file);
		EXPECT_EQ(-EIO, run_ctl(self, &ctl));
		EXPECT_EQ(WIASCAN_EXIT_JAM, wias_werr_exit_code(&self->err));
		got = tu_read_file(self->file, NULL);
		ASSERT_NE(NULL, got);
		EXPECT_STREQ("mine", got); /* never replaced */
		free(got);
		EXPECT_EQ(0, k == OUT_RAW ?
				     check_raw(part, &self->opt, sheets, 2) :
				     check_tiff(part, &self->opt, sheets, 2,
						false))
		TH_LOG("%s: %s.part is not the 2 pages", out_names[k],
		       self->file);
	}
}

/* 3 unknown-length sheets of 20, 30 and 40 rows; sheet 1 (0-based) empty */
static void empty_sheet_1(FIXTURE_DATA(fail) *self)
{
	set_format(&self->opt, 100, 0);
	self->rows[0] = 20;
	self->rows[1] = 30;
	self->rows[2] = 40;
	self->opt.n_page_rows = 3;
	self->opt.pages = 3;
	self->opt.cut = true;
	self->opt.cut_page = 1;
	self->opt.cut_len = 0;
}

TEST_F(fail,
       an_empty_sheet_2_is_skipped_and_the_2_others_written_in_every_format)
{
	static const uint32_t sheets[] = { 0, 2 };
	int k;

	empty_sheet_1(self);
	for (k = OUT_RAW; k <= OUT_BATCH; k++) {
		set_output(self, (enum out_kind)k, NULL);
		ASSERT_EQ(0, run_ctl(self, NULL))
		TH_LOG("%s: %s: %s", out_names[k], self->err.what,
		       self->err.why);
		EXPECT_EQ(2, self->stats.pages);
		EXPECT_EQ(1, self->stats.empty);
		EXPECT_EQ(1, self->stats.empty_sheets[0]);
		/* TIFF: PageNumber 0 and 1 (pages written), batch p-1, p-2 */
		EXPECT_EQ(0, check_output(self, (enum out_kind)k, sheets, 2))
		TH_LOG("%s: not sheets 1 and 3 as pages 1 and 2", out_names[k]);
	}
}

TEST_F(fail, a_flatbed_page_of_0_bytes_succeeds_with_0_pages_and_no_file)
{
	int k;

	set_format(&self->opt, 100, 50);
	self->opt.fmt.source = SCAN_SOURCE_FLATBED;
	self->opt.pages = 1;
	self->opt.cut = true;
	for (k = OUT_RAW; k <= OUT_BATCH; k++) {
		set_output(self, (enum out_kind)k, NULL);
		ASSERT_EQ(0, run_ctl(self, NULL));
		EXPECT_EQ(0, self->stats.pages);
		EXPECT_EQ(1, self->stats.empty);
		EXPECT_EQ(0, check_output(self, (enum out_kind)k, NULL, 0))
		TH_LOG("%s: a file was left", out_names[k]);
	}
}

TEST_F(fail, an_empty_sheet_of_known_height_is_skipped_too)
{
	static const uint32_t sheets[] = { 0, 2 };

	set_format(&self->opt, 100, 50);
	self->opt.pages = 3;
	self->opt.cut = true;
	self->opt.cut_page = 1;
	set_output(self, OUT_TIFF, NULL);
	ASSERT_EQ(0, run_ctl(self, NULL));
	EXPECT_EQ(2, self->stats.pages);
	EXPECT_EQ(0, check_output(self, OUT_TIFF, sheets, 2));
}

TEST_F(fail, a_sheet_of_partial_rows_is_exit_4_keeping_the_1_page_before_it)
{
	static const uint32_t sheets[] = { 0 };
	int k;

	set_format(&self->opt, 100, 0);
	self->rows[0] = 20;
	self->opt.n_page_rows = 1;
	self->opt.pages = 3;
	self->opt.cut = true;
	self->opt.cut_page = 1;
	self->opt.cut_len = 1050; /* 10.5 rows */
	for (k = OUT_RAW; k <= OUT_BATCH; k++) {
		set_output(self, (enum out_kind)k, NULL);
		EXPECT_EQ(-EPROTO, run_ctl(self, NULL));
		EXPECT_EQ(WIASCAN_EXIT_DEVICE, wias_werr_exit_code(&self->err));
		EXPECT_NE(NULL, strstr(self->err.what, "sheet 2"))
		TH_LOG("what: %s", self->err.what);
		EXPECT_NE(NULL, strstr(self->err.why,
				       "1050 bytes is not whole rows of 100"))
		TH_LOG("why: %s", self->err.why);
		EXPECT_EQ(1, self->stats.kept);
		EXPECT_EQ(0, check_output(self, (enum out_kind)k, sheets, 1))
		TH_LOG("%s: not exactly page 1", out_names[k]);
	}
}

/*
 * In sheet @at (0-based), mid-page: the second signal's message then.
 * The TIFF sink's files are written by its own thread: up to 5 s are
 * given for it to start with @wait (if not NULL).
 */
struct stop_peek {
	uint32_t at;
	struct stop_msg *m;
	const char *wait;
	char got[3 * PATH_MAX];
};

static void peek_stop_msg(void *arg, const struct scan_progress *p)
{
	struct stop_peek *k = arg;
	const char *s;
	size_t n;
	int i;

	if (p->page != k->at || !p->page_bytes || p->page_end || k->got[0])
		return;
	for (i = 0; i < 500; i++) {
		s = stop_msg_get(k->m, &n);
		snprintf(k->got, sizeof(k->got), "%.*s", (int)n, s);
		if (!k->wait || !strncmp(k->got, k->wait, strlen(k->wait)))
			return;
		usleep(10000);
	}
}

TEST_F(fail, a_second_signal_in_sheet_3_names_p_1_and_p_2_then_scan_raw_kept)
{
	static struct stop_msg m;
	struct stop_peek k = { .at = 2, .m = &m };
	struct scan_control ctl = { .progress = peek_stop_msg, .arg = &k };
	char want[3 * PATH_MAX];
	size_t n;

	set_format(&self->opt, 100, 50);
	self->opt.pages = 4;
	/* a batch through the TIFF sink: p-1.tif and p-2.tif are complete */
	set_output(self, OUT_BATCH, NULL);
	stop_msg_init(&m, "wiascan-helper", STOP_MSG_BATCH, self->pattern);
	wias_outfile_set_notify(stop_msg_notify, &m);
	snprintf(
		want, sizeof(want),
		"wiascan-helper: stopped at once: %s/p-1.tif and %s/p-2.tif are kept",
		self->dir, self->dir);
	k.wait = want;
	ASSERT_EQ(0, run_ctl(self, &ctl));
	EXPECT_EQ(0, strncmp(k.got, want, strlen(want))) TH_LOG("%s", k.got);
	k.wait = NULL;
	snprintf(
		want, sizeof(want),
		"wiascan-helper: stopped at once: %s/p-1.tif to %s/p-4.tif are kept\n",
		self->dir, self->dir);
	EXPECT_STREQ(want, stop_msg_get(&m, &n));
	/* raw: scan.raw.part while scanning, scan.raw once renamed */
	set_output(self, OUT_RAW, NULL);
	stop_msg_init(&m, "wiascan-helper", STOP_MSG_FILE, self->file);
	k.got[0] = '\0';
	ASSERT_EQ(0, run_ctl(self, &ctl));
	snprintf(want, sizeof(want),
		 "wiascan-helper: stopped at once: %s.part left as it is\n",
		 self->file);
	EXPECT_STREQ(want, k.got);
	snprintf(want, sizeof(want),
		 "wiascan-helper: stopped at once: %s is kept\n", self->file);
	EXPECT_STREQ(want, stop_msg_get(&m, &n));
	wias_outfile_set_notify(NULL, NULL);
}

TEST_F(fail, the_synth_spec_sets_every_fault)
{
	uint32_t rows[4];
	struct synth_options o;

	memset(&o, 0, sizeof(o));
	ASSERT_EQ(0, wias_synth_parse_spec("5:200:10,20/jam@2/short@1:0", &o,
					   rows, 4));
	EXPECT_EQ(5, o.pages);
	EXPECT_EQ(200, o.rate_kib);
	EXPECT_EQ(2, o.n_page_rows);
	EXPECT_EQ(20, rows[1]);
	EXPECT_TRUE(o.jam);
	EXPECT_FALSE(o.double_feed);
	EXPECT_EQ(2, o.jam_page);
	EXPECT_TRUE(o.cut);
	EXPECT_EQ(1, o.cut_page);
	EXPECT_EQ(0, o.cut_len);
	memset(&o, 0, sizeof(o));
	ASSERT_EQ(0, wias_synth_parse_spec("3/double-feed@1/unplug@4096", &o,
					   rows, 4));
	EXPECT_TRUE(o.double_feed);
	EXPECT_EQ(4096, o.fail_after);
	EXPECT_EQ(-ENODEV, o.fail_status);
	ASSERT_EQ(0, wias_synth_parse_spec("3/stall@1", &o, rows, 4));
	EXPECT_EQ(-EPIPE, o.fail_status);
	ASSERT_EQ(0, wias_synth_parse_spec("3/timeout@1", &o, rows, 4));
	EXPECT_EQ(-ETIMEDOUT, o.fail_status);
	EXPECT_EQ(-EINVAL, wias_synth_parse_spec("3/fire@1", &o, rows, 4));
	EXPECT_EQ(-EINVAL, wias_synth_parse_spec("3/short@1", &o, rows, 4));
	EXPECT_EQ(-EINVAL, wias_synth_parse_spec("3/", &o, rows, 4));
	EXPECT_EQ(-EINVAL, wias_synth_parse_spec("x", &o, rows, 4));
}

TEST_F(fail, a_repeated_synth_fault_kind_is_eexist_naming_it)
{
	uint32_t rows[4];
	struct synth_options o;

	memset(&o, 0, sizeof(o));
	EXPECT_EQ(-EEXIST,
		  wias_synth_parse_spec("3/short@0:0/short@1:0", &o, rows, 4));
	EXPECT_STREQ("short", o.repeated_fault);
	EXPECT_EQ(-EEXIST,
		  wias_synth_parse_spec("3/jam@1/double-feed@2", &o, rows, 4));
	EXPECT_STREQ("jam or double-feed", o.repeated_fault);
	EXPECT_EQ(-EEXIST,
		  wias_synth_parse_spec("3/stall@1/unplug@2", &o, rows, 4));
	EXPECT_STREQ("unplug, stall or timeout", o.repeated_fault);
	/* one of each kind is fine */
	EXPECT_EQ(0, wias_synth_parse_spec("3/jam@2/short@0:0/stall@9", &o,
					   rows, 4));
	EXPECT_EQ(NULL, o.repeated_fault);
}

/* ---- through the binary: signals and limits, the messages ---- */

FIXTURE(bin)
{
	char dir[PATH_MAX];
	char out[PATH_MAX + 32];
	char part[PATH_MAX + 48];
	char errf[PATH_MAX + 32];
	char msg[4096];
};

FIXTURE_SETUP(bin)
{
	ASSERT_EQ(0, tu_mkdtemp(self->dir, sizeof(self->dir)));
	snprintf(self->errf, sizeof(self->errf), "%s/stderr", self->dir);
}

FIXTURE_TEARDOWN(bin)
{
	tu_rmtree(self->dir);
}

/* The helper's stderr, as a string in self->msg */
static const char *bin_stderr(FIXTURE_DATA(bin) *self)
{
	char *s = tu_read_file(self->errf, NULL);

	snprintf(self->msg, sizeof(self->msg), "%s", s ? s : "");
	free(s);
	return self->msg;
}

/* 8 ADF sheets of 640x480 gray (307,200 bytes) at 2000 KiB/s */
#define SIG_PAGE 307200LL

static pid_t start_slow_scan(FIXTURE_DATA(bin) *self, const char *format,
			     const char *ext)
{
	char *argv[] = { "wiascan-helper",
			 "scan",
			 "-d",
			 "synth:8:2000",
			 "--size",
			 "640x480",
			 "--source",
			 "adf",
			 "-F",
			 (char *)format,
			 "-o",
			 self->out,
			 NULL };

	snprintf(self->out, sizeof(self->out), "%s/r.%s", self->dir, ext);
	snprintf(self->part, sizeof(self->part), "%s.part", self->out);
	return tu_spawn_helper(argv, NULL, self->errf, 0);
}

TEST_F(bin, sigint_keeps_the_n_completed_raw_pages_and_says_n)
{
	static const uint32_t rows = 480;
	char want[PATH_MAX + 128];
	long long size, n;
	uint8_t *buf;
	size_t len = 0;
	pid_t pid;

	pid = start_slow_scan(self, "raw", "raw");
	tu_wait_size(self->part, SIG_PAGE * 5 / 2);
	kill(pid, SIGINT);
	EXPECT_EQ(WIASCAN_EXIT_CANCELLED, tu_wait(pid));
	EXPECT_EQ(0, tu_exists(self->part));
	size = tu_size(self->out);
	n = size / SIG_PAGE;
	EXPECT_EQ(0, size % SIG_PAGE) TH_LOG("%lld bytes: not whole pages",
					     size);
	EXPECT_LE(2, n);
	EXPECT_GE(7, n);
	buf = (uint8_t *)tu_read_file(self->out, &len);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ(-1, tu_check_pages(buf, len, 640, &rows, 1));
	free(buf);
	snprintf(
		want, sizeof(want),
		"wiascan-helper: scan: cancelled; kept the %lld completed pages in %s\n",
		n, self->out);
	EXPECT_STREQ(want, bin_stderr(self));
}

static uint32_t tiff_pages(const char *path)
{
	TIFF *tif;
	uint32_t n = 0;

	TIFFSetErrorHandler(NULL);
	tif = TIFFOpen(path, "r");
	if (!tif)
		return 0;
	do
		n++;
	while (TIFFReadDirectory(tif));
	TIFFClose(tif);
	return n;
}

TEST_F(bin, sigint_keeps_the_n_completed_tiff_pages_and_says_n)
{
	char want[PATH_MAX + 128], cmd[PATH_MAX + 64];
	uint32_t n;
	pid_t pid;

	pid = start_slow_scan(self, "tiff", "tif");
	tu_wait_size(self->part, SIG_PAGE * 5 / 2);
	kill(pid, SIGINT);
	EXPECT_EQ(WIASCAN_EXIT_CANCELLED, tu_wait(pid));
	EXPECT_EQ(0, tu_exists(self->part));
	n = tiff_pages(self->out);
	EXPECT_LE(2, n);
	EXPECT_GE(7, n);
	snprintf(cmd, sizeof(cmd), "tiffinfo -D '%s' > /dev/null 2>&1",
		 self->out);
	EXPECT_EQ(0, tu_sh(cmd));
	snprintf(
		want, sizeof(want),
		"wiascan-helper: scan: cancelled; kept the %u completed pages in %s\n",
		n, self->out);
	EXPECT_STREQ(want, bin_stderr(self));
}

TEST_F(bin, sigint_keeps_the_n_completed_batch_files_and_names_them)
{
	char pattern[PATH_MAX + 32], name[PATH_MAX + 32], first[PATH_MAX + 32];
	char want[3 * PATH_MAX];
	char *argv[] = { "wiascan-helper", "scan",   "-d",
			 "synth:8:2000",   "--size", "640x480",
			 "--source",	   "adf",    "--batch",
			 pattern,	   NULL };
	uint32_t n;
	pid_t pid;

	snprintf(pattern, sizeof(pattern), "%s/cib-%%d.tif", self->dir);
	snprintf(first, sizeof(first), "%s/cib-1.tif", self->dir);
	snprintf(name, sizeof(name), "%s/cib-3.tif", self->dir);
	pid = tu_spawn_helper(argv, NULL, self->errf, 0);
	tu_wait_size(name, 1);
	kill(pid, SIGINT);
	EXPECT_EQ(WIASCAN_EXIT_CANCELLED, tu_wait(pid));
	for (n = 0; n < 9; n++) {
		snprintf(name, sizeof(name), "%s/cib-%u.tif", self->dir, n + 1);
		if (!tu_exists(name))
			break;
		EXPECT_EQ(1, tiff_pages(name));
	}
	snprintf(name, sizeof(name), "%s/cib-%u.tif.part", self->dir, n + 1);
	EXPECT_EQ(0, tu_exists(name));
	ASSERT_LE(3, n);
	EXPECT_GE(7, n);
	snprintf(
		want, sizeof(want),
		"wiascan-helper: scan: cancelled; kept the %u completed pages in %s to %s/cib-%u.tif\n",
		n, first, self->dir, n);
	EXPECT_STREQ(want, bin_stderr(self));
}

TEST_F(bin, a_second_sigint_names_r_raw_part_not_FILE_part)
{
	char want[PATH_MAX + 128];
	pid_t pid;

	pid = start_slow_scan(self, "raw", "raw");
	tu_wait_size(self->part, SIG_PAGE * 3 / 2);
	kill(pid, SIGSTOP);
	kill(pid, SIGINT);
	kill(pid, SIGTERM);
	kill(pid, SIGCONT);
	EXPECT_EQ(WIASCAN_EXIT_CANCELLED, tu_wait(pid));
	EXPECT_EQ(1, tu_exists(self->part));
	snprintf(want, sizeof(want),
		 "wiascan-helper: stopped at once: %s.part left as it is\n",
		 self->out);
	EXPECT_STREQ(want, bin_stderr(self));
}

TEST_F(bin,
       a_second_signal_in_a_batch_names_cib_1_and_cib_2_or_more_kept_as_on_disk)
{
	char pattern[PATH_MAX + 32], name[PATH_MAX + 32], first[PATH_MAX + 32];
	char part[PATH_MAX + 32], want[4 * PATH_MAX];
	char *argv[] = { "wiascan-helper", "scan",   "-d",
			 "synth:8:2000",   "--size", "640x480",
			 "--source",	   "adf",    "--batch",
			 pattern,	   NULL };
	uint32_t n;
	pid_t pid;
	int len;

	snprintf(pattern, sizeof(pattern), "%s/cib-%%d.tif", self->dir);
	snprintf(first, sizeof(first), "%s/cib-1.tif", self->dir);
	snprintf(name, sizeof(name), "%s/cib-2.tif", self->dir);
	pid = tu_spawn_helper(argv, NULL, self->errf, 0);
	for (n = 0; n < 2000 && tu_exists(name) != 1; n++)
		usleep(5000);
	kill(pid, SIGSTOP);
	kill(pid, SIGINT);
	kill(pid, SIGTERM);
	kill(pid, SIGCONT);
	EXPECT_EQ(WIASCAN_EXIT_CANCELLED, tu_wait(pid));
	/* the message says what is on disk: cib-1.tif to cib-N.tif, the .part */
	for (n = 0; n < 9; n++) {
		snprintf(name, sizeof(name), "%s/cib-%u.tif", self->dir, n + 1);
		if (!tu_exists(name))
			break;
	}
	ASSERT_LE(2, n);
	snprintf(name, sizeof(name), "%s/cib-%u.tif", self->dir, n);
	snprintf(part, sizeof(part), "%s/cib-%u.tif.part", self->dir, n + 1);
	len = snprintf(want, sizeof(want),
		       "wiascan-helper: stopped at once: %s %s %s are kept",
		       first, n == 2 ? "and" : "to", name);
	if (tu_exists(part))
		snprintf(want + len, sizeof(want) - (size_t)len,
			 "; %s left as it is\n", part);
	else
		snprintf(want + len, sizeof(want) - (size_t)len, "\n");
	EXPECT_STREQ(want, bin_stderr(self));
	EXPECT_EQ(NULL, strstr(bin_stderr(self), "NAME.part"));
}

/* Gray A4 at 150 dpi: 1240 x 1754 */
#define A4_PAGE (1240LL * 1754)

TEST_F(bin, a_file_size_limit_advises_ulimit_not_bigtiff_and_keeps_2_pages)
{
	static const char *const fmts[] = { "tiff", "raw" };
	char *argv[] = { "wiascan-helper",
			 "scan",
			 "-d",
			 "synth:8",
			 "-S",
			 "adf",
			 "-F",
			 NULL,
			 "-o",
			 self->out,
			 NULL };
	size_t i;

	for (i = 0; i < 2; i++) {
		argv[7] = (char *)fmts[i];
		snprintf(self->out, sizeof(self->out), "%s/big.%s", self->dir,
			 fmts[i]);
		EXPECT_EQ(WIASCAN_EXIT_OUTPUT,
			  tu_wait(tu_spawn_helper(argv, NULL, self->errf,
						  A4_PAGE * 5 / 2)));
		bin_stderr(self);
		EXPECT_NE(NULL,
			  strstr(self->msg, "the file size limit (ulimit -f)"))
		TH_LOG("%s: %s", fmts[i], self->msg);
		EXPECT_EQ(NULL, strstr(self->msg, "--bigtiff"))
		TH_LOG("%s: %s", fmts[i], self->msg);
		EXPECT_NE(NULL,
			  strstr(self->msg, "; kept the 2 completed pages in"))
		TH_LOG("%s: %s", fmts[i], self->msg);
		EXPECT_EQ(i ? 2 * A4_PAGE : 2,
			  i ? tu_size(self->out) : tiff_pages(self->out));
	}
}

TEST_HARNESS_MAIN
