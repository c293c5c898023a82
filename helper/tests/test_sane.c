// SPDX-License-Identifier: GPL-2.0
/*
 * Conformance of the SANE backend (sane/libsane-wiascan.so.1, linked as
 * it is, through its exported sane_* functions) against the synthetic
 * scanner of WIASCAN_SANE_SYNTH: the option descriptors, the status of
 * every call in the wrong state (SANE standard 1, sane.h), exact
 * parameters before and during a scan, image bytes equal to the formula
 * (formula.h) in each mode, the scan window (tl-x, tl-y: the backend's
 * crop) equal to the formula's sub-window, ADF batches, faults,
 * non-blocking reads with the select fd, cancels (from a signal handler
 * too), and 100 open/start/cancel/close cycles (leaks: the SAN=1
 * build's LeakSanitizer).
 *
 * Every test runs in its own process (the harness forks), so the
 * environment each one sets stays its own.  WIASCAN_SYSFS points at a
 * directory without scanners, so only the synthetic one is listed (but in
 * the test of the list, which builds a fake sysfs with two scanners).
 */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>

#include <sane/sane.h>
#include <sane/saneopts.h>

#include "kselftest_harness.h"

#include "formula.h"
#include "test_util.h"

#define SYNTH "synth"

/* The options the backend has, by name (looked up, not assumed) */
struct opts {
	SANE_Int mode, resolution, source, preview, tl_x, tl_y, br_x, br_y,
		page_w, page_h, count;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* sane_init with the synthetic scanner @spec (NULL: none) */
static void init(const char *spec)
{
	SANE_Int version = 0;

	setenv("WIASCAN_SYSFS", "/nonexistent-wiascan-test", 1);
	if (spec)
		setenv("WIASCAN_SANE_SYNTH", spec, 1);
	else
		unsetenv("WIASCAN_SANE_SYNTH");
	if (sane_init(&version, NULL) != SANE_STATUS_GOOD ||
	    SANE_VERSION_MAJOR(version) != 1) {
		fprintf(stderr, "# sane_init failed\n");
		abort();
	}
}

static SANE_Int find_opt(SANE_Handle h, const char *name)
{
	const SANE_Option_Descriptor *d;
	SANE_Int i, n = 0;

	if (sane_control_option(h, 0, SANE_ACTION_GET_VALUE, &n, NULL))
		return -1;
	for (i = 1; i < n; i++) {
		d = sane_get_option_descriptor(h, i);
		if (d && d->name && !strcmp(d->name, name))
			return i;
	}
	return -1;
}

static void find_opts(SANE_Handle h, struct opts *o)
{
	sane_control_option(h, 0, SANE_ACTION_GET_VALUE, &o->count, NULL);
	o->mode = find_opt(h, SANE_NAME_SCAN_MODE);
	o->resolution = find_opt(h, SANE_NAME_SCAN_RESOLUTION);
	o->source = find_opt(h, SANE_NAME_SCAN_SOURCE);
	o->preview = find_opt(h, SANE_NAME_PREVIEW);
	o->tl_x = find_opt(h, SANE_NAME_SCAN_TL_X);
	o->tl_y = find_opt(h, SANE_NAME_SCAN_TL_Y);
	o->br_x = find_opt(h, SANE_NAME_SCAN_BR_X);
	o->br_y = find_opt(h, SANE_NAME_SCAN_BR_Y);
	o->page_w = find_opt(h, SANE_NAME_PAGE_WIDTH);
	o->page_h = find_opt(h, SANE_NAME_PAGE_HEIGHT);
}

static SANE_Status set_word(SANE_Handle h, SANE_Int opt, SANE_Word v,
			    SANE_Int *info)
{
	return sane_control_option(h, opt, SANE_ACTION_SET_VALUE, &v, info);
}

static SANE_Status set_str(SANE_Handle h, SANE_Int opt, const char *s,
			   SANE_Int *info)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s", s);
	return sane_control_option(h, opt, SANE_ACTION_SET_VALUE, buf, info);
}

/* Open the synthetic scanner and set mode, source, dpi and area (mm) */
static SANE_Handle open_set(const char *mode, const char *source, int dpi,
			    double w_mm, double h_mm)
{
	SANE_Handle h = NULL;
	struct opts o;

	if (sane_open(SYNTH, &h) != SANE_STATUS_GOOD)
		return NULL;
	find_opts(h, &o);
	if (set_str(h, o.mode, mode, NULL) ||
	    set_str(h, o.source, source, NULL) ||
	    set_word(h, o.resolution, dpi, NULL) ||
	    set_word(h, o.br_x, SANE_FIX(w_mm), NULL) ||
	    set_word(h, o.br_y, SANE_FIX(h_mm), NULL)) {
		sane_close(h);
		return NULL;
	}
	return h;
}

/**
 * struct page_result - one page read to its end
 * @status: the status that ended it (EOF when it ended well)
 * @bytes: bytes read
 * @bad: bytes that differ from the formula (the first at @first_bad)
 */
struct page_result {
	SANE_Status status;
	uint64_t bytes;
	uint64_t bad;
	uint64_t first_bad;
};

/* Read until a status other than GOOD, checking bytes against page @page */
static void read_page(SANE_Handle h, int bpl, uint32_t page, int chunk,
		      struct page_result *r)
{
	static SANE_Byte buf[65536];
	SANE_Int len, i;

	memset(r, 0, sizeof(*r));
	for (;;) {
		r->status = sane_read(h, buf, chunk, &len);
		if (r->status != SANE_STATUS_GOOD)
			break;
		for (i = 0; i < len; i++, r->bytes++) {
			uint64_t x = r->bytes % (uint64_t)bpl,
				 y = r->bytes / (uint64_t)bpl;

			if (buf[i] != formula_byte(x, y, page) && !r->bad++)
				r->first_bad = r->bytes;
		}
	}
}

/* px(mm) at dpi, the protocol's rounding */
static int px(double mm, int dpi)
{
	return (int)((mm * 1000.0 * dpi + 12700) / 25400);
}

TEST(device_list_has_the_synthetic_flatbed_scanner_only_when_asked)
{
	const SANE_Device **list;

	init("3");
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_devices(&list, SANE_FALSE));
	ASSERT_NE(NULL, list[0]);
	EXPECT_EQ(NULL, list[1]) TH_LOG("exactly 1 device");
	EXPECT_STREQ("synth", list[0]->name);
	EXPECT_STREQ("wiascan project", list[0]->vendor);
	EXPECT_STREQ("Synthetic Scanner", list[0]->model);
	EXPECT_STREQ("flatbed scanner", list[0]->type);
	sane_exit();

	init(NULL);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_devices(&list, SANE_TRUE));
	EXPECT_EQ(NULL, list[0]) TH_LOG("no device without WIASCAN_SANE_SYNTH");
	sane_exit();

	init("3/bogus@1");
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_devices(&list, SANE_TRUE));
	EXPECT_EQ(NULL, list[0]) TH_LOG("no device for a bad spec");
	sane_exit();
}

/* One USB device in a fake sysfs: @usb/{idVendor,...}, its interface dir */
static int fake_scanner(const char *root, const char *name, const char *vid,
			const char *manufacturer, const char *product)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], link[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/usb-%s", root, name);
	snprintf(path, sizeof(path), "%s/%s:1.0", dir, name);
	if (mkdir(dir, 0755) || mkdir(path, 0755))
		return -1;
	snprintf(path, sizeof(path), "%s/idVendor", dir);
	tu_write_file(path, vid, strlen(vid));
	snprintf(path, sizeof(path), "%s/idProduct", dir);
	tu_write_file(path, "0001\n", 5);
	if (manufacturer) {
		snprintf(path, sizeof(path), "%s/manufacturer", dir);
		tu_write_file(path, manufacturer, strlen(manufacturer));
	}
	if (product) {
		snprintf(path, sizeof(path), "%s/product", dir);
		tu_write_file(path, product, strlen(product));
	}
	snprintf(path, sizeof(path), "%s/class/usbmisc/%s", root, name);
	if (mkdir(path, 0755))
		return -1;
	snprintf(link, sizeof(link), "%s/usb-%s/%s:1.0", root, name, name);
	snprintf(path, sizeof(path), "%s/class/usbmisc/%s/device", root, name);
	return symlink(link, path);
}

/*
 * Scanners sysfs shows: named by their node, vendor and model from the
 * USB strings (IDs without a product string); a node that cannot answer
 * GET_INFO (here: none exists) is listed as "scanner"
 */
TEST(device_list_names_sysfs_scanners_by_node_with_their_usb_strings)
{
	const SANE_Device **list;
	char root[PATH_MAX], path[PATH_MAX + 32];
	SANE_Handle h;

	ASSERT_EQ(0, tu_mkdtemp(root, sizeof(root)));
	snprintf(path, sizeof(path), "%s/class", root);
	ASSERT_EQ(0, mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/class/usbmisc", root);
	ASSERT_EQ(0, mkdir(path, 0755));
	ASSERT_EQ(0, fake_scanner(root, "wiascan7", "1209\n", "ACME Corp\n",
				  "Scan 3000\n"));
	ASSERT_EQ(0, fake_scanner(root, "wiascan8", "1209\n", NULL, NULL));
	init("1");
	setenv("WIASCAN_SYSFS", root, 1);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_devices(&list, SANE_FALSE));
	ASSERT_NE(NULL, list[0]);
	ASSERT_NE(NULL, list[1]);
	ASSERT_NE(NULL, list[2]);
	EXPECT_EQ(NULL, list[3]) TH_LOG("2 from sysfs and the synthetic one");
	EXPECT_STREQ("/dev/wiascan7", list[0]->name);
	EXPECT_STREQ("ACME Corp", list[0]->vendor);
	EXPECT_STREQ("Scan 3000", list[0]->model);
	EXPECT_STREQ("scanner", list[0]->type);
	EXPECT_STREQ("/dev/wiascan8", list[1]->name);
	EXPECT_STREQ("wiascan", list[1]->vendor);
	EXPECT_STREQ("USB scanner 1209:0001", list[1]->model);
	EXPECT_STREQ("synth", list[2]->name);
	EXPECT_EQ(SANE_STATUS_INVAL, sane_open("wiascan:/dev/wiascan7", &h))
	TH_LOG("listed, but its node does not exist");
	sane_exit();
	tu_rmtree(root);
}

TEST(open_takes_the_name_with_or_without_the_backend_prefix)
{
	SANE_Handle h;

	init("1");
	ASSERT_EQ(SANE_STATUS_GOOD, sane_open("synth", &h));
	sane_close(h);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_open("wiascan:synth", &h));
	sane_close(h);
	ASSERT_EQ(SANE_STATUS_GOOD,
		  sane_open("", &h)) TH_LOG("\"\": the first");
	sane_close(h);
	EXPECT_EQ(SANE_STATUS_INVAL, sane_open("/dev/wiascan9", &h));
	sane_exit();
}

/* Every descriptor is well-formed, as a front end must be able to trust */
TEST(every_option_descriptor_is_consistent)
{
	const SANE_Option_Descriptor *d, *d0;
	char names[32][64];
	SANE_Handle h;
	SANE_Int n = 0, i, j, v;
	char sval[256];

	init("1");
	ASSERT_EQ(SANE_STATUS_GOOD, sane_open(SYNTH, &h));
	d0 = sane_get_option_descriptor(h, 0);
	ASSERT_NE(NULL, d0);
	EXPECT_STREQ(SANE_NAME_NUM_OPTIONS, d0->name);
	EXPECT_EQ(SANE_TYPE_INT, d0->type);
	EXPECT_EQ(sizeof(SANE_Word), (size_t)d0->size);
	EXPECT_EQ(SANE_CAP_SOFT_DETECT, d0->cap);
	EXPECT_EQ(SANE_CONSTRAINT_NONE, d0->constraint_type);
	ASSERT_EQ(SANE_STATUS_GOOD,
		  sane_control_option(h, 0, SANE_ACTION_GET_VALUE, &n, NULL));
	EXPECT_EQ(13, n) TH_LOG("13 options including option 0");
	EXPECT_EQ(SANE_STATUS_INVAL, set_word(h, 0, 5, NULL))
	TH_LOG("option 0 is not settable");
	EXPECT_EQ(NULL, sane_get_option_descriptor(h, n));
	EXPECT_EQ(NULL, sane_get_option_descriptor(h, -1));
	ASSERT_LE(n, 32);
	for (i = 1; i < n; i++) {
		d = sane_get_option_descriptor(h, i);
		ASSERT_NE(NULL, d) TH_LOG("option %d", i);
		ASSERT_NE(NULL, d->title);
		ASSERT_NE(NULL, d->desc);
		snprintf(names[i], sizeof(names[i]), "%s",
			 d->name ? d->name : "");
		if (d->type == SANE_TYPE_GROUP) {
			EXPECT_EQ(0, d->size) TH_LOG("group %d size", i);
			EXPECT_EQ(SANE_CONSTRAINT_NONE, d->constraint_type);
			EXPECT_EQ(SANE_STATUS_INVAL,
				  sane_control_option(h, i,
						      SANE_ACTION_GET_VALUE,
						      sval, NULL))
			TH_LOG("group %d has no value", i);
			continue;
		}
		ASSERT_NE(NULL, d->name);
		EXPECT_NE(0, strlen(d->name)) TH_LOG("option %d has a name", i);
		EXPECT_EQ(strlen(d->name),
			  strspn(d->name,
				 "abcdefghijklmnopqrstuvwxyz0123456789-"))
		TH_LOG("name \"%s\": lowercase, digits, dashes", d->name);
		for (j = 1; j < i; j++)
			EXPECT_STRNE(names[j], d->name)
		TH_LOG("name \"%s\" is unique", d->name);
		/* SOFT_SELECT needs SOFT_DETECT; never both SOFT and HARD */
		if (d->cap & SANE_CAP_SOFT_SELECT) {
			EXPECT_TRUE(d->cap & SANE_CAP_SOFT_DETECT);
			EXPECT_FALSE(d->cap & SANE_CAP_HARD_SELECT);
		}
		switch (d->type) {
		case SANE_TYPE_BOOL:
			EXPECT_EQ(SANE_CONSTRAINT_NONE, d->constraint_type);
			/* fall through */
		case SANE_TYPE_INT:
		case SANE_TYPE_FIXED:
			EXPECT_EQ(sizeof(SANE_Word), (size_t)d->size)
			TH_LOG("\"%s\" holds one word", d->name);
			break;
		case SANE_TYPE_STRING:
			EXPECT_GT(d->size, 0);
			break;
		default:
			EXPECT_TRUE(0) TH_LOG("\"%s\": type %d", d->name,
					      d->type);
		}
		if (d->constraint_type == SANE_CONSTRAINT_RANGE) {
			EXPECT_TRUE(d->type == SANE_TYPE_INT ||
				    d->type == SANE_TYPE_FIXED);
			EXPECT_LE(d->constraint.range->min,
				  d->constraint.range->max);
			EXPECT_GE(d->constraint.range->quant, 0);
		}
		if (d->constraint_type == SANE_CONSTRAINT_STRING_LIST) {
			ASSERT_EQ(SANE_TYPE_STRING, d->type);
			ASSERT_NE(NULL, d->constraint.string_list[0]);
			for (j = 0; d->constraint.string_list[j]; j++)
				EXPECT_LT(strlen(d->constraint.string_list[j]),
					  (size_t)d->size);
		}
		if (!SANE_OPTION_IS_ACTIVE(d->cap)) {
			EXPECT_EQ(SANE_STATUS_INVAL,
				  sane_control_option(h, i,
						      SANE_ACTION_GET_VALUE,
						      sval, NULL))
			TH_LOG("inactive \"%s\" has no value", d->name);
			continue;
		}
		ASSERT_LE(d->size, (SANE_Int)sizeof(sval));
		ASSERT_EQ(SANE_STATUS_GOOD,
			  sane_control_option(h, i, SANE_ACTION_GET_VALUE, sval,
					      NULL))
		TH_LOG("get \"%s\"", d->name);
		if (d->constraint_type == SANE_CONSTRAINT_RANGE) {
			memcpy(&v, sval, sizeof(v));
			EXPECT_GE(v, d->constraint.range->min)
			TH_LOG("\"%s\" = %d in range", d->name, v);
			EXPECT_LE(v, d->constraint.range->max);
		}
		if (d->constraint_type == SANE_CONSTRAINT_STRING_LIST) {
			bool found = false;

			for (j = 0; d->constraint.string_list[j]; j++)
				found |= !strcmp(sval,
						 d->constraint.string_list[j]);
			EXPECT_TRUE(found) TH_LOG("\"%s\" = \"%s\" is listed",
						  d->name, sval);
		}
		EXPECT_EQ(SANE_STATUS_INVAL,
			  sane_control_option(h, i, SANE_ACTION_SET_AUTO, NULL,
					      NULL))
		TH_LOG("\"%s\" has no automatic value", d->name);
	}
	sane_close(h);
	sane_exit();
}

TEST(well_known_options_have_their_standard_types_units_and_ranges)
{
	static const struct {
		const char *name;
		SANE_Value_Type type;
		SANE_Unit unit;
		SANE_Word min, max;
	} want[] = {
		{ "resolution", SANE_TYPE_INT, SANE_UNIT_DPI, 50, 1200 },
		{ "tl-x", SANE_TYPE_FIXED, SANE_UNIT_MM, 0, SANE_FIX(216) },
		{ "tl-y", SANE_TYPE_FIXED, SANE_UNIT_MM, 0, SANE_FIX(356) },
		{ "br-x", SANE_TYPE_FIXED, SANE_UNIT_MM, 0, SANE_FIX(216) },
		{ "br-y", SANE_TYPE_FIXED, SANE_UNIT_MM, 0, SANE_FIX(356) },
		{ "page-width", SANE_TYPE_FIXED, SANE_UNIT_MM, 0,
		  SANE_FIX(216) },
		{ "page-height", SANE_TYPE_FIXED, SANE_UNIT_MM, 0,
		  SANE_FIX(356) },
	};
	const SANE_Option_Descriptor *d;
	SANE_Handle h;
	struct opts o;
	size_t i;

	init("1");
	ASSERT_EQ(SANE_STATUS_GOOD, sane_open(SYNTH, &h));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		SANE_Int n = find_opt(h, want[i].name);

		ASSERT_GT(n, 0) TH_LOG("option \"%s\" exists", want[i].name);
		d = sane_get_option_descriptor(h, n);
		EXPECT_EQ(want[i].type, d->type) TH_LOG("%s", want[i].name);
		EXPECT_EQ(want[i].unit, d->unit) TH_LOG("%s", want[i].name);
		ASSERT_EQ(SANE_CONSTRAINT_RANGE, d->constraint_type);
		EXPECT_EQ(want[i].min, d->constraint.range->min)
		TH_LOG("%s min", want[i].name);
		EXPECT_EQ(want[i].max, d->constraint.range->max)
		TH_LOG("%s max", want[i].name);
	}
	find_opts(h, &o);
	d = sane_get_option_descriptor(h, o.mode);
	EXPECT_STREQ(SANE_VALUE_SCAN_MODE_LINEART,
		     d->constraint.string_list[0]);
	EXPECT_STREQ(SANE_VALUE_SCAN_MODE_GRAY, d->constraint.string_list[1]);
	EXPECT_STREQ(SANE_VALUE_SCAN_MODE_COLOR, d->constraint.string_list[2]);
	EXPECT_EQ(NULL, d->constraint.string_list[3]);
	d = sane_get_option_descriptor(h, o.source);
	EXPECT_STREQ("Flatbed", d->constraint.string_list[0]);
	EXPECT_STREQ("ADF", d->constraint.string_list[1]);
	EXPECT_EQ(NULL, d->constraint.string_list[2]);
	d = sane_get_option_descriptor(h, o.preview);
	EXPECT_EQ(SANE_TYPE_BOOL, d->type);
	sane_close(h);
	sane_exit();
}

TEST(setting_options_reports_reloads_and_clips_with_inexact)
{
	const SANE_Option_Descriptor *d;
	SANE_Handle h;
	SANE_Int info;
	SANE_Word v;
	struct opts o;

	init("1");
	ASSERT_EQ(SANE_STATUS_GOOD, sane_open(SYNTH, &h));
	find_opts(h, &o);

	v = 10;
	ASSERT_EQ(SANE_STATUS_GOOD,
		  sane_control_option(h, o.resolution, SANE_ACTION_SET_VALUE,
				      &v, &info));
	EXPECT_EQ(50, v) TH_LOG("10 dpi clipped to 50, written back");
	EXPECT_EQ(SANE_INFO_INEXACT | SANE_INFO_RELOAD_PARAMS, info);
	v = 5000;
	ASSERT_EQ(SANE_STATUS_GOOD,
		  sane_control_option(h, o.resolution, SANE_ACTION_SET_VALUE,
				      &v, &info));
	EXPECT_EQ(1200, v) TH_LOG("5000 dpi clipped to 1200");
	EXPECT_EQ(SANE_INFO_INEXACT | SANE_INFO_RELOAD_PARAMS, info);
	ASSERT_EQ(SANE_STATUS_GOOD, set_word(h, o.resolution, 1200, &info));
	EXPECT_EQ(0, info) TH_LOG("the same value again: no reload");
	ASSERT_EQ(SANE_STATUS_GOOD, set_word(h, o.resolution, 300, &info));
	EXPECT_EQ(SANE_INFO_RELOAD_PARAMS, info);

	v = SANE_FIX(10);
	ASSERT_EQ(SANE_STATUS_GOOD,
		  sane_control_option(h, o.tl_x, SANE_ACTION_SET_VALUE, &v,
				      &info));
	EXPECT_EQ(SANE_FIX(10), v) TH_LOG("tl-x 10 mm taken as it is");
	EXPECT_EQ(SANE_INFO_RELOAD_PARAMS, info);
	v = SANE_FIX(300);
	ASSERT_EQ(SANE_STATUS_GOOD,
		  sane_control_option(h, o.tl_x, SANE_ACTION_SET_VALUE, &v,
				      &info));
	EXPECT_EQ(SANE_FIX(216), v) TH_LOG("tl-x 300 mm clipped to 216");
	EXPECT_EQ(SANE_INFO_INEXACT | SANE_INFO_RELOAD_PARAMS, info);
	v = SANE_FIX(400);
	ASSERT_EQ(SANE_STATUS_GOOD,
		  sane_control_option(h, o.tl_y, SANE_ACTION_SET_VALUE, &v,
				      &info));
	EXPECT_EQ(SANE_FIX(356), v) TH_LOG("tl-y 400 mm clipped to 356");
	EXPECT_EQ(SANE_INFO_INEXACT | SANE_INFO_RELOAD_PARAMS, info);
	ASSERT_EQ(SANE_STATUS_GOOD, set_word(h, o.tl_x, 0, NULL));
	ASSERT_EQ(SANE_STATUS_GOOD, set_word(h, o.tl_y, 0, NULL));
	v = SANE_FIX(300);
	ASSERT_EQ(SANE_STATUS_GOOD,
		  sane_control_option(h, o.br_x, SANE_ACTION_SET_VALUE, &v,
				      &info));
	EXPECT_EQ(SANE_FIX(216), v) TH_LOG("br-x 300 mm clipped to 216");
	EXPECT_EQ(SANE_INFO_INEXACT, info) TH_LOG("already 216: no reload");

	ASSERT_EQ(SANE_STATUS_GOOD, set_str(h, o.mode, "Color", &info));
	EXPECT_EQ(SANE_INFO_RELOAD_PARAMS, info);
	EXPECT_EQ(SANE_STATUS_INVAL, set_str(h, o.mode, "Halftone", &info))
	TH_LOG("a mode not in the list");

	d = sane_get_option_descriptor(h, o.page_h);
	EXPECT_TRUE(d->cap & SANE_CAP_INACTIVE) TH_LOG("page-height, flatbed");
	EXPECT_EQ(SANE_STATUS_INVAL, set_word(h, o.page_h, SANE_FIX(100), NULL))
	TH_LOG("inactive page-height cannot be set");
	ASSERT_EQ(SANE_STATUS_GOOD, set_str(h, o.source, "ADF", &info));
	EXPECT_EQ(SANE_INFO_RELOAD_OPTIONS | SANE_INFO_RELOAD_PARAMS, info);
	d = sane_get_option_descriptor(h, o.page_h);
	EXPECT_FALSE(d->cap & SANE_CAP_INACTIVE) TH_LOG("page-height, ADF");
	d = sane_get_option_descriptor(h, o.page_w);
	EXPECT_FALSE(d->cap & SANE_CAP_INACTIVE) TH_LOG("page-width, ADF");
	ASSERT_EQ(SANE_STATUS_GOOD,
		  set_word(h, o.page_h, SANE_FIX(100), &info));
	EXPECT_EQ(SANE_INFO_RELOAD_PARAMS, info);
	ASSERT_EQ(SANE_STATUS_GOOD, set_word(h, o.preview, SANE_TRUE, &info));
	EXPECT_EQ(SANE_INFO_RELOAD_PARAMS, info);
	EXPECT_EQ(SANE_STATUS_INVAL, set_word(h, o.preview, 2, NULL))
	TH_LOG("2 is no SANE_Bool");
	EXPECT_EQ(SANE_STATUS_INVAL, set_word(h, 1, 0, NULL)) TH_LOG("a group");
	EXPECT_EQ(SANE_STATUS_INVAL, set_word(h, o.count, 0, NULL))
	TH_LOG("option %d does not exist", o.count);
	sane_close(h);
	sane_exit();
}

/*
 * Each mode at 100 dpi, 50 x 30 mm: 197 x 118 pixels; the parameters are
 * the same before and during the scan, and the bytes are the formula's
 */
TEST(flatbed_each_mode_parameters_exact_and_bytes_equal_the_formula)
{
	static const struct {
		const char *mode;
		SANE_Frame format;
		int depth, bpl;
	} m[] = {
		{ "Lineart", SANE_FRAME_GRAY, 1, 25 },
		{ "Gray", SANE_FRAME_GRAY, 8, 197 },
		{ "Color", SANE_FRAME_RGB, 8, 591 },
	};
	SANE_Parameters before, during;
	struct page_result r;
	SANE_Handle h;
	size_t i;

	init("1");
	for (i = 0; i < 3; i++) {
		h = open_set(m[i].mode, "Flatbed", 100, 50, 30);
		ASSERT_NE(NULL, h);
		ASSERT_EQ(SANE_STATUS_GOOD, sane_get_parameters(h, &before));
		EXPECT_EQ(m[i].format, before.format) TH_LOG("%s", m[i].mode);
		EXPECT_EQ(m[i].depth, before.depth) TH_LOG("%s", m[i].mode);
		EXPECT_EQ(197, before.pixels_per_line);
		EXPECT_EQ(m[i].bpl, before.bytes_per_line)
		TH_LOG("%s bytes per line", m[i].mode);
		EXPECT_EQ(118, before.lines);
		EXPECT_EQ(SANE_TRUE, before.last_frame);
		ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
		ASSERT_EQ(SANE_STATUS_GOOD, sane_get_parameters(h, &during));
		EXPECT_EQ(0, memcmp(&before, &during, sizeof(before)))
		TH_LOG("%s: the same parameters during the scan", m[i].mode);
		read_page(h, m[i].bpl, 0, 32768, &r);
		EXPECT_EQ(SANE_STATUS_EOF, r.status);
		EXPECT_EQ((uint64_t)m[i].bpl * 118, r.bytes)
		TH_LOG("%s: %d x 118 bytes", m[i].mode, m[i].bpl);
		EXPECT_EQ(0, r.bad) TH_LOG("%s: first bad byte at %llu",
					   m[i].mode,
					   (unsigned long long)r.first_bad);
		EXPECT_EQ(SANE_STATUS_NO_DOCS, sane_start(h))
		TH_LOG("a flatbed batch is one page");
		sane_cancel(h);
		sane_close(h);
	}
	sane_exit();
}

/* A page of several ring buffers, read in odd pieces */
TEST(large_page_read_in_odd_pieces_equals_the_formula)
{
	SANE_Parameters p;
	struct page_result r;
	SANE_Handle h;

	init("1");
	h = open_set("Color", "Flatbed", 300, 216, 100);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_parameters(h, &p));
	EXPECT_EQ(2551, p.pixels_per_line);
	EXPECT_EQ(1181, p.lines);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	read_page(h, p.bytes_per_line, 0, 1000, &r);
	EXPECT_EQ(SANE_STATUS_EOF, r.status);
	EXPECT_EQ(7653ULL * 1181, r.bytes) TH_LOG("9 MB: 9 ring buffers");
	EXPECT_EQ(0, r.bad);
	EXPECT_EQ(SANE_STATUS_EOF, sane_read(h, (SANE_Byte *)&p, 1, &p.depth))
	TH_LOG("after the end: EOF again");
	sane_close(h);
	sane_exit();
}

/*
 * The window's expected byte @j of its row @r, page @page: device pixel
 * (@x0 + c, @y0 + r) for window pixel c; lineart at an @x0 that is not a
 * multiple of 8 has its bits gathered one by one (MSB first) and the
 * padding after the @w pixels 0; at a multiple of 8, the device's bytes.
 */
static uint8_t window_byte(const char *mode, uint64_t j, uint64_t r, int x0,
			   int y0, int w, uint32_t page)
{
	uint64_t y = (uint64_t)y0 + r;
	uint8_t v = 0;
	int k;

	if (!strcmp(mode, "Gray"))
		return formula_byte((uint64_t)x0 + j, y, page);
	if (!strcmp(mode, "Color"))
		return formula_byte(3 * (uint64_t)x0 + j, y, page);
	if (x0 % 8 == 0)
		return formula_byte((uint64_t)x0 / 8 + j, y, page);
	for (k = 0; k < 8; k++) {
		uint64_t c = 8 * j + (uint64_t)k, X = (uint64_t)x0 + c;

		if (c < (uint64_t)w &&
		    (formula_byte(X / 8, y, page) >> (7 - X % 8) & 1))
			v |= (uint8_t)(0x80U >> k);
	}
	return v;
}

/* Read a page in pieces of @chunk, checking it against the window */
static void read_window(SANE_Handle h, const char *mode, int chunk, int x0,
			int y0, const SANE_Parameters *p, uint32_t page,
			struct page_result *r)
{
	static SANE_Byte buf[65536];
	uint64_t bpl = (uint64_t)p->bytes_per_line;
	SANE_Int len, i;

	memset(r, 0, sizeof(*r));
	for (;;) {
		r->status = sane_read(h, buf, chunk, &len);
		if (r->status != SANE_STATUS_GOOD)
			break;
		for (i = 0; i < len; i++, r->bytes++)
			if (buf[i] != window_byte(mode, r->bytes % bpl,
						  r->bytes / bpl, x0, y0,
						  p->pixels_per_line, page) &&
			    !r->bad++)
				r->first_bad = r->bytes;
	}
}

/* Set the window's top left corner (mm) */
static int set_tl(SANE_Handle h, double x_mm, double y_mm)
{
	struct opts o;

	find_opts(h, &o);
	return set_word(h, o.tl_x, SANE_FIX(x_mm), NULL) ||
	       set_word(h, o.tl_y, SANE_FIX(y_mm), NULL);
}

/*
 * 100 dpi, br 50 x 30 mm (197 x 118 pixels from the scanner), tl 3.302 x
 * 5 mm (13 pixels, 20 rows): the front end gets 184 x 98, the formula's
 * sub-window from (13, 20) (lineart: 13 is no multiple of 8, the bits
 * shifted by 5); 16 pixels (4.064 mm) too, lineart's byte-aligned case.
 * Rings of 1000-byte buffers, so rows straddle them, read in pieces of 1,
 * 7, 1000 and 32768 bytes.
 */
TEST(window_each_mode_and_read_size_is_the_formulas_sub_window)
{
	static const struct {
		const char *mode;
		double tl_x_mm;
		int x0, bpl;
	} m[] = {
		{ "Lineart", 3.302, 13, 23 },
		{ "Gray", 3.302, 13, 184 },
		{ "Color", 3.302, 13, 552 },
		{ "Lineart", 4.064, 16, 23 },
	};
	static const int chunks[] = { 1, 7, 1000, 32768 };
	SANE_Parameters before, during;
	struct page_result r;
	SANE_Handle h;
	size_t i, c;

	setenv("WIASCAN_SANE_SYNTH_BUF", "1000", 1);
	init("1");
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		int w = 197 - m[i].x0;

		EXPECT_EQ(m[i].x0, px(m[i].tl_x_mm, 100));
		EXPECT_EQ(20, px(5, 100));
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			h = open_set(m[i].mode, "Flatbed", 100, 50, 30);
			ASSERT_NE(NULL, h);
			ASSERT_EQ(0, set_tl(h, m[i].tl_x_mm, 5));
			ASSERT_EQ(SANE_STATUS_GOOD,
				  sane_get_parameters(h, &before));
			EXPECT_EQ(w, before.pixels_per_line)
			TH_LOG("%s: 197 - %d pixels", m[i].mode, m[i].x0);
			EXPECT_EQ(m[i].bpl, before.bytes_per_line)
			TH_LOG("%s: %d bytes a row", m[i].mode, m[i].bpl);
			EXPECT_EQ(98, before.lines) TH_LOG("118 - 20 rows");
			ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
			ASSERT_EQ(SANE_STATUS_GOOD,
				  sane_get_parameters(h, &during));
			EXPECT_EQ(0, memcmp(&before, &during, sizeof(before)))
			TH_LOG("%s: the same parameters during the scan",
			       m[i].mode);
			read_window(h, m[i].mode, chunks[c], m[i].x0, 20,
				    &before, 0, &r);
			EXPECT_EQ(SANE_STATUS_EOF, r.status);
			EXPECT_EQ((uint64_t)m[i].bpl * 98, r.bytes)
			TH_LOG("%s, pieces of %d: %d x 98 bytes", m[i].mode,
			       chunks[c], m[i].bpl);
			EXPECT_EQ(0, r.bad)
			TH_LOG("%s x0 %d, pieces of %d: %llu bad bytes, the "
			       "first at %llu",
			       m[i].mode, m[i].x0, chunks[c],
			       (unsigned long long)r.bad,
			       (unsigned long long)r.first_bad);
			sane_close(h);
		}
	}
	sane_exit();
}

/*
 * A tl below or right of its br is swapped with it (SANE's test backend
 * does the same); a window of zero width or height keeps 1 pixel / row;
 * a window at the bottom right corner of the whole area
 */
TEST(window_tl_past_br_is_swapped_and_a_window_keeps_one_pixel)
{
	SANE_Parameters p;
	struct page_result r;
	SANE_Handle h;
	struct opts o;

	init("1");
	h = open_set("Gray", "Flatbed", 100, 10, 5);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, set_tl(h, 50, 30));
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_parameters(h, &p));
	EXPECT_EQ(197 - 39, p.pixels_per_line)
	TH_LOG("tl-x 50, br-x 10: 10..50 mm, 39..197 px");
	EXPECT_EQ(118 - 20, p.lines) TH_LOG("tl-y 30, br-y 5: 20..118 rows");
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	read_window(h, "Gray", 4096, 39, 20, &p, 0, &r);
	EXPECT_EQ(SANE_STATUS_EOF, r.status);
	EXPECT_EQ(158ULL * 98, r.bytes);
	EXPECT_EQ(0, r.bad);
	sane_close(h);

	h = open_set("Lineart", "Flatbed", 100, 50, 30);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, set_tl(h, 50, 30));
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_parameters(h, &p));
	EXPECT_EQ(1, p.pixels_per_line) TH_LOG("tl-x = br-x: 1 pixel");
	EXPECT_EQ(1, p.bytes_per_line);
	EXPECT_EQ(1, p.lines) TH_LOG("tl-y = br-y: 1 row");
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	read_window(h, "Lineart", 1, 196, 117, &p, 0, &r);
	EXPECT_EQ(SANE_STATUS_EOF, r.status);
	EXPECT_EQ(1ULL, r.bytes) TH_LOG("pixel (196, 117), 1 byte");
	EXPECT_EQ(0, r.bad);
	sane_close(h);

	/* the bottom right 10 x 10 mm of the whole 216 x 356 mm area */
	h = open_set("Color", "Flatbed", 100, 216, 356);
	ASSERT_NE(NULL, h);
	find_opts(h, &o);
	ASSERT_EQ(0, set_tl(h, 206, 346));
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_parameters(h, &p));
	EXPECT_EQ(px(216, 100) - px(206, 100), p.pixels_per_line)
	TH_LOG("850 - 811 = 39 pixels");
	EXPECT_EQ(39, p.pixels_per_line);
	EXPECT_EQ(1402 - 1362, p.lines);
	EXPECT_EQ(px(356, 100) - px(346, 100), p.lines);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	read_window(h, "Color", 7, 811, 1362, &p, 0, &r);
	EXPECT_EQ(SANE_STATUS_EOF, r.status);
	EXPECT_EQ(117ULL * 40, r.bytes);
	EXPECT_EQ(0, r.bad);
	sane_close(h);
	sane_exit();
}

/*
 * ADF, unknown length, tl 3.302 x 5 mm (13 pixels, 20 rows): lines -1
 * before and during; sheets of 40, 10, 60 rows: the first gives 20 rows,
 * the second ends above the window and is skipped as an empty sheet, the
 * third gives 40 rows (the formula's page 2); then NO_DOCS.  Buffers of
 * 1000 bytes, pieces of 7.
 */
TEST(adf_unknown_length_window_drops_the_top_rows_of_each_sheet)
{
	SANE_Parameters before, during;
	struct page_result r;
	SANE_Handle h;

	/* the buffer size is taken: 0 bytes is refused */
	setenv("WIASCAN_SANE_SYNTH_BUF", "0", 1);
	init("3:0:40,10,60");
	h = open_set("Gray", "ADF", 100, 100, 356);
	ASSERT_NE(NULL, h);
	EXPECT_NE(SANE_STATUS_GOOD, sane_start(h))
	TH_LOG("WIASCAN_SANE_SYNTH_BUF=0 refused");
	sane_close(h);
	setenv("WIASCAN_SANE_SYNTH_BUF", "1000", 1);
	h = open_set("Gray", "ADF", 100, 100, 356);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(0, set_tl(h, 3.302, 5));
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_parameters(h, &before));
	EXPECT_EQ(-1, before.lines) TH_LOG("unknown length stays -1");
	EXPECT_EQ(394 - 13, before.pixels_per_line);
	EXPECT_EQ(381, before.bytes_per_line);

	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_parameters(h, &during));
	EXPECT_EQ(0, memcmp(&before, &during, sizeof(before)));
	read_window(h, "Gray", 7, 13, 20, &before, 0, &r);
	EXPECT_EQ(SANE_STATUS_EOF, r.status);
	EXPECT_EQ(381ULL * 20, r.bytes) TH_LOG("sheet 0: 40 - 20 rows");
	EXPECT_EQ(0, r.bad);

	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	read_window(h, "Gray", 7, 13, 20, &before, 2, &r);
	EXPECT_EQ(SANE_STATUS_EOF, r.status);
	EXPECT_EQ(381ULL * 40, r.bytes)
	TH_LOG("sheet 1 (10 rows) skipped; sheet 2: 60 - 20 rows");
	EXPECT_EQ(0, r.bad) TH_LOG("the formula's page 2");
	EXPECT_EQ(SANE_STATUS_NO_DOCS, sane_start(h));
	sane_close(h);
	sane_exit();
}

/*
 * ADF, unknown length (page-height 0, br-y at its maximum 356 mm): lines
 * -1; 3 sheets of 40, 50, 60 rows, then NO_DOCS
 */
TEST(adf_batch_of_unknown_length_gives_every_page_then_no_docs)
{
	static const int rows[] = { 40, 50, 60 };
	SANE_Parameters p;
	struct page_result r;
	SANE_Handle h;
	int i;

	init("3:0:40,50,60");
	h = open_set("Gray", "ADF", 100, 100, 356);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_parameters(h, &p));
	EXPECT_EQ(-1, p.lines) TH_LOG("page-height 0: unknown length");
	EXPECT_EQ(394, p.bytes_per_line);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h)) TH_LOG("page %d", i);
		ASSERT_EQ(SANE_STATUS_GOOD, sane_get_parameters(h, &p));
		EXPECT_EQ(-1, p.lines);
		read_page(h, 394, (uint32_t)i, 32768, &r);
		EXPECT_EQ(SANE_STATUS_EOF, r.status);
		EXPECT_EQ(394ULL * rows[i], r.bytes) TH_LOG("page %d", i);
		EXPECT_EQ(0, r.bad) TH_LOG("page %d is the formula's page %d",
					   i, i);
	}
	EXPECT_EQ(SANE_STATUS_NO_DOCS, sane_start(h)) TH_LOG("feeder empty");
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h)) TH_LOG("a new batch");
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_parameters(h, &p));
	EXPECT_EQ(-1, p.lines);
	read_page(h, 394, 0, 32768, &r);
	EXPECT_EQ(394ULL * 40, r.bytes);
	sane_cancel(h);
	sane_close(h);
	sane_exit();
}

TEST(adf_pages_of_known_height_have_exact_lines)
{
	SANE_Parameters p;
	struct page_result r;
	SANE_Handle h;
	struct opts o;
	int i;

	init("2");
	h = open_set("Lineart", "ADF", 200, 210, 356);
	ASSERT_NE(NULL, h);
	find_opts(h, &o);
	ASSERT_EQ(SANE_STATUS_GOOD, set_word(h, o.page_h, SANE_FIX(297), NULL));
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_parameters(h, &p));
	EXPECT_EQ(2339, p.lines) TH_LOG("297 mm at 200 dpi");
	EXPECT_EQ(px(297, 200), p.lines);
	EXPECT_EQ(1654, p.pixels_per_line) TH_LOG("210 mm at 200 dpi");
	EXPECT_EQ(px(210, 200), p.pixels_per_line);
	EXPECT_EQ(207, p.bytes_per_line);
	EXPECT_EQ(1, p.depth);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
		read_page(h, 207, (uint32_t)i, 32768, &r);
		EXPECT_EQ(SANE_STATUS_EOF, r.status);
		EXPECT_EQ(207ULL * 2339, r.bytes);
		EXPECT_EQ(0, r.bad);
	}
	EXPECT_EQ(SANE_STATUS_NO_DOCS, sane_start(h));
	sane_close(h);
	sane_exit();
}

/* page-height 0 but br-y below its maximum: pages of br-y's length */
TEST(adf_br_y_below_its_maximum_gives_pages_of_that_length)
{
	SANE_Parameters p;
	struct page_result r;
	SANE_Handle h;

	init("1:0:30");
	h = open_set("Gray", "ADF", 100, 50, 200);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_parameters(h, &p));
	EXPECT_EQ(787, p.lines) TH_LOG("200 mm at 100 dpi, not -1");
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	read_page(h, 197, 0, 32768, &r);
	EXPECT_EQ(SANE_STATUS_EOF, r.status);
	EXPECT_EQ(197ULL * 787,
		  r.bytes) TH_LOG("787 rows, the sheet's 30 ignored");
	EXPECT_EQ(0, r.bad);
	sane_close(h);
	sane_exit();
}

/* preview: at most 75 dpi, so the parameters change with it */
TEST(preview_scans_at_75_dpi)
{
	SANE_Parameters p;
	struct page_result r;
	SANE_Handle h;
	struct opts o;

	init("1");
	h = open_set("Gray", "Flatbed", 300, 216, 100);
	ASSERT_NE(NULL, h);
	find_opts(h, &o);
	ASSERT_EQ(SANE_STATUS_GOOD, set_word(h, o.preview, SANE_TRUE, NULL));
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_parameters(h, &p));
	EXPECT_EQ(638, p.pixels_per_line) TH_LOG("216 mm at 75 dpi");
	EXPECT_EQ(295, p.lines) TH_LOG("100 mm at 75 dpi");
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	read_page(h, 638, 0, 32768, &r);
	EXPECT_EQ(638ULL * 295, r.bytes);
	EXPECT_EQ(0, r.bad);
	sane_close(h);
	sane_exit();
}

TEST(empty_feeder_at_start_is_no_docs)
{
	SANE_Handle h;

	init("0");
	h = open_set("Gray", "ADF", 100, 100, 100);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(SANE_STATUS_NO_DOCS, sane_start(h));
	sane_close(h);
	sane_exit();
}

/* Sheet 1 is jammed: page 0 stays as read, page 1 ends JAMMED, not EOF */
TEST(jam_mid_batch_is_jammed_and_the_pages_before_stay)
{
	struct page_result r;
	SANE_Handle h;
	SANE_Int len;
	SANE_Byte b;

	init("4:0:30/jam@1");
	h = open_set("Gray", "ADF", 100, 50, 356);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	read_page(h, 197, 0, 32768, &r);
	EXPECT_EQ(SANE_STATUS_EOF, r.status);
	EXPECT_EQ(197ULL * 30, r.bytes);
	EXPECT_EQ(0, r.bad);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	read_page(h, 197, 1, 32768, &r);
	EXPECT_EQ(SANE_STATUS_JAMMED, r.status) TH_LOG("status %d", r.status);
	EXPECT_EQ(197ULL * 30, r.bytes) TH_LOG("its data came before the jam");
	EXPECT_EQ(SANE_STATUS_INVAL, sane_read(h, &b, 1, &len))
	TH_LOG("after the failure no scan is running");
	ASSERT_EQ(SANE_STATUS_GOOD,
		  sane_start(h)) TH_LOG("the next scan works");
	read_page(h, 197, 0, 32768, &r);
	EXPECT_EQ(SANE_STATUS_EOF, r.status);
	sane_close(h);
	sane_exit();
}

TEST(double_feed_is_jammed)
{
	struct page_result r;
	SANE_Handle h;

	init("3:0:30/double-feed@0");
	h = open_set("Gray", "ADF", 100, 50, 356);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	read_page(h, 197, 0, 32768, &r);
	EXPECT_EQ(SANE_STATUS_JAMMED, r.status) TH_LOG("status %d", r.status);
	sane_close(h);
	sane_exit();
}

/* Sheet 1 is empty: skipped, sheets 0 and 2 are the batch's two pages */
TEST(empty_sheet_is_skipped_never_a_page_of_zero_lines)
{
	struct page_result r;
	SANE_Handle h;

	init("3:0:30/short@1:0");
	h = open_set("Gray", "ADF", 100, 50, 356);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	read_page(h, 197, 0, 32768, &r);
	EXPECT_EQ(197ULL * 30, r.bytes);
	EXPECT_EQ(0, r.bad);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	read_page(h, 197, 2, 32768, &r);
	EXPECT_EQ(SANE_STATUS_EOF, r.status);
	EXPECT_EQ(197ULL * 30, r.bytes);
	EXPECT_EQ(0, r.bad) TH_LOG("the second page is sheet 2");
	EXPECT_EQ(SANE_STATUS_NO_DOCS, sane_start(h));
	sane_close(h);
	sane_exit();
}

/* The transfer carrying byte 8000 (page 1) fails -ENODEV: IO_ERROR */
TEST(unplug_mid_batch_is_io_error_and_the_pages_before_stay)
{
	struct page_result r;
	SANE_Handle h;

	init("3:0:30/unplug@8000");
	h = open_set("Gray", "ADF", 100, 50, 356);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	read_page(h, 197, 0, 32768, &r);
	EXPECT_EQ(SANE_STATUS_EOF,
		  r.status) TH_LOG("page 0: 5910 bytes, whole");
	EXPECT_EQ(0, r.bad);
	EXPECT_EQ(SANE_STATUS_IO_ERROR, sane_start(h))
	TH_LOG("page 1 (one buffer) fails at once");
	sane_close(h);
	sane_exit();
}

TEST(calls_in_the_wrong_state_get_the_prescribed_status)
{
	SANE_Handle h;
	SANE_Int len = 7, fd, info;
	SANE_Byte buf[16];
	struct opts o;
	char mode[32];

	init("2");
	h = open_set("Gray", "ADF", 100, 50, 20);
	ASSERT_NE(NULL, h);
	find_opts(h, &o);
	EXPECT_EQ(SANE_STATUS_INVAL, sane_read(h, buf, sizeof(buf), &len))
	TH_LOG("read before start");
	EXPECT_EQ(0, len) TH_LOG("length 0 with any status but GOOD");
	EXPECT_EQ(SANE_STATUS_INVAL, sane_get_select_fd(h, &fd));
	EXPECT_EQ(SANE_STATUS_INVAL, sane_set_io_mode(h, SANE_TRUE));
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	EXPECT_EQ(SANE_STATUS_DEVICE_BUSY,
		  set_word(h, o.resolution, 200, &info))
	TH_LOG("set while scanning");
	EXPECT_EQ(SANE_STATUS_GOOD,
		  sane_control_option(h, o.mode, SANE_ACTION_GET_VALUE, mode,
				      NULL))
	TH_LOG("get while scanning");
	EXPECT_STREQ("Gray", mode);
	EXPECT_EQ(SANE_STATUS_INVAL, sane_start(h)) TH_LOG("start mid-page");
	EXPECT_EQ(SANE_STATUS_INVAL, sane_set_io_mode(h, 5));
	EXPECT_EQ(SANE_STATUS_INVAL, sane_read(h, NULL, 1, &len));
	sane_cancel(h);
	EXPECT_EQ(SANE_STATUS_CANCELLED, sane_read(h, buf, sizeof(buf), &len));
	EXPECT_EQ(0, len);
	EXPECT_EQ(SANE_STATUS_INVAL, sane_read(h, buf, sizeof(buf), &len))
	TH_LOG("after the cancel was reported: no scan");
	EXPECT_EQ(SANE_STATUS_GOOD, set_word(h, o.resolution, 200, &info))
	TH_LOG("settable again once the scan is over");
	sane_close(h);
	sane_exit();
}

/*
 * 20 MB/s from the synthetic scanner: non-blocking reads never wait (GOOD
 * with 0 bytes when nothing is ready), and select() on the fd wakes when
 * data is there, until the page ends
 */
TEST(non_blocking_read_and_select_fd)
{
	struct page_result r = { 0 };
	static SANE_Byte buf[32768];
	double t, slowest = 0;
	int empty = 0, timeouts = 0;
	SANE_Status st;
	SANE_Handle h;
	SANE_Int fd, len, i;

	init("1:20000");
	h = open_set("Gray", "Flatbed", 300, 216, 356);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	ASSERT_EQ(SANE_STATUS_GOOD, sane_set_io_mode(h, SANE_TRUE));
	ASSERT_EQ(SANE_STATUS_GOOD, sane_get_select_fd(h, &fd));
	ASSERT_GE(fd, 0);
	for (;;) {
		t = now_s();
		st = sane_read(h, buf, sizeof(buf), &len);
		t = now_s() - t;
		if (t > slowest)
			slowest = t;
		if (st != SANE_STATUS_GOOD)
			break;
		for (i = 0; i < len; i++, r.bytes++)
			if (buf[i] !=
			    formula_byte(r.bytes % 2551, r.bytes / 2551, 0))
				r.bad++;
		if (!len) {
			fd_set rd;
			struct timeval tv = { .tv_sec = 3 };

			empty++;
			FD_ZERO(&rd);
			FD_SET(fd, &rd);
			if (select(fd + 1, &rd, NULL, NULL, &tv) != 1)
				timeouts++;
		}
	}
	EXPECT_EQ(SANE_STATUS_EOF, st);
	EXPECT_EQ(2551ULL * 4205, r.bytes) TH_LOG("10.7 MB page");
	EXPECT_EQ(0, r.bad);
	EXPECT_GT(empty, 0) TH_LOG("nothing ready at least once: %d", empty);
	EXPECT_EQ(0, timeouts) TH_LOG("select woke every time");
	EXPECT_LT(slowest, 0.03) TH_LOG("no read waited: slowest %.3f s",
					slowest);
	sane_close(h);
	sane_exit();
}

static SANE_Handle alarm_handle;

static void on_alarm(int sig)
{
	(void)sig;
	sane_cancel(alarm_handle); /* what scanimage's SIGINT handler does */
}

/*
 * 100 KiB/s: the first 1 MiB buffer would take 10 s; a cancel from a
 * signal handler 0.2 s in ends sane_start at once, and the next scan works
 */
TEST(cancel_from_a_signal_handler_ends_the_wait_and_the_next_scan_works)
{
	struct itimerval it = { .it_value = { .tv_usec = 200000 } };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct page_result r;
	SANE_Status st;
	double t;

	init("1:100");
	alarm_handle = open_set("Gray", "Flatbed", 100, 216, 356);
	ASSERT_NE(NULL, alarm_handle);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	t = now_s();
	st = sane_start(alarm_handle);
	t = now_s() - t;
	EXPECT_EQ(SANE_STATUS_CANCELLED, st);
	EXPECT_LT(t, 1.5) TH_LOG("cancelled after %.2f s", t);
	setenv("WIASCAN_SANE_SYNTH", "1", 1);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(alarm_handle));
	read_page(alarm_handle, 850, 0, 32768, &r);
	EXPECT_EQ(SANE_STATUS_EOF, r.status);
	EXPECT_EQ(850ULL * 1402, r.bytes);
	EXPECT_EQ(0, r.bad);
	sane_close(alarm_handle);
	sane_exit();
}

TEST(cancel_mid_page_then_read_is_cancelled_and_the_next_start_scans)
{
	struct page_result r;
	SANE_Handle h;
	SANE_Byte buf[100];
	SANE_Int len;

	init("3:0:30");
	h = open_set("Gray", "ADF", 100, 50, 356);
	ASSERT_NE(NULL, h);
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h));
	ASSERT_EQ(SANE_STATUS_GOOD, sane_read(h, buf, sizeof(buf), &len));
	EXPECT_EQ(100, len);
	sane_cancel(h);
	sane_cancel(h); /* twice is harmless */
	EXPECT_EQ(SANE_STATUS_CANCELLED, sane_read(h, buf, sizeof(buf), &len));
	ASSERT_EQ(SANE_STATUS_GOOD, sane_start(h)) TH_LOG("a new batch");
	read_page(h, 197, 0, 32768, &r);
	EXPECT_EQ(SANE_STATUS_EOF, r.status);
	EXPECT_EQ(197ULL * 30, r.bytes) TH_LOG("sheet 0 of a new batch");
	EXPECT_EQ(0, r.bad);
	sane_close(h);
	sane_exit();
}

/* LeakSanitizer's check on demand (SAN=1 builds; NULL in the others) */
extern int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static int open_fds(void)
{
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static int one_cycle(int i)
{
	SANE_Byte buf[4096];
	SANE_Handle h;
	SANE_Int len, fd;
	int good = 0;

	h = open_set(i % 2 ? "Color" : "Lineart", i % 3 ? "ADF" : "Flatbed",
		     100, 100, 100);
	if (!h)
		return 0;
	if (sane_start(h) == SANE_STATUS_GOOD &&
	    sane_get_select_fd(h, &fd) == SANE_STATUS_GOOD &&
	    sane_read(h, buf, sizeof(buf), &len) == SANE_STATUS_GOOD && len > 0)
		good = 1;
	sane_cancel(h);
	if (i % 2)
		sane_read(h, buf, sizeof(buf), &len);
	sane_close(h);
	return good;
}

/*
 * The children of this harness end with _exit(), so LeakSanitizer's check
 * at exit never runs: the test asks for it (SAN=1), and in every build
 * compares the open files and (without ASan's allocator) the heap in use
 * before and after the 100 cycles measured
 */
TEST(hundred_open_start_cancel_close_cycles_leak_nothing)
{
	int i, good = 0, fds0, fds1;
	size_t heap0, heap1;

	init("5");
	/*
	 * 100 cycles first: glibc's heap settles (its mmap threshold moves
	 * once the ring's 8 MiB were freed), then 100 more are measured
	 */
	for (i = 0; i < 100; i++)
		one_cycle(i);
	fds0 = open_fds();
	heap0 = mallinfo2().uordblks;
	for (i = 0; i < 100; i++)
		good += one_cycle(i);
	heap1 = mallinfo2().uordblks;
	fds1 = open_fds();
	sane_exit();
	EXPECT_EQ(100, good) TH_LOG("every cycle scanned");
	EXPECT_EQ(fds0, fds1) TH_LOG("open files: %d before, %d after", fds0,
				     fds1);
	if (__lsan_do_recoverable_leak_check) {
		EXPECT_EQ(0, __lsan_do_recoverable_leak_check())
		TH_LOG("LeakSanitizer found leaks");
	} else {
		EXPECT_EQ(heap0, heap1)
		TH_LOG("heap in use: %zu bytes before, %zu after", heap0,
		       heap1);
	}
}

TEST_HARNESS_MAIN
