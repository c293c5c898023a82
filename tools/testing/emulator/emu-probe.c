// SPDX-License-Identifier: GPL-2.0
/*
 * emu-probe: an independent check of the reference scanner over libusb.
 *
 * It talks to any device with the reference IDs (normally wiascan-emu on
 * dummy_hcd) through usbfs, with no wiascan code in the path, and checks
 * the protocol of Documentation/reference-protocol.rst: descriptors,
 * requests, every image byte against formula.h, page framing (a page ends
 * with the first transfer that comes back shorter than asked, a zero-length
 * packet included), events, CANCEL, bulk-out accounting, unplug/replug and
 * throughput.  Output is TAP; the exit status is 1 if any check failed.
 *
 *   emu-probe [--sheets N] [--page-lengths L,...] [--emu-pid PID]
 *             [--udc-file PATH] [--udc NAME] [--mb N] [TEST...]
 *
 * TESTs: info params flatbed adf cancel bulkout speed unplug (default:
 * all but unplug, which needs --udc-file).  --sheets and --page-lengths
 * must repeat the emulator's; with --emu-pid the adf test first reloads the
 * feeder with SIGHUP.
 */
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libusb.h>

#include "formula.h"
#include "refscan.h"

#define CTRL_TIMEOUT_MS 5000
#define DATA_TIMEOUT_MS 20000
#define XFER_SIZE	(64 * 1024) /* sync reads: multiple of 512 */
#define SPEED_XFERS	8
#define SPEED_XFER_SIZE (1024 * 1024)
#define MAX_LENGTHS	64

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct probe {
	libusb_context *ctx;
	libusb_device_handle *h;
	uint8_t ep_in, ep_out, ep_intr; /* addresses, from the descriptors */
	int test_no;
	int fails;
	/* what the emulator was started with */
	unsigned int sheets;
	uint32_t lengths[MAX_LENGTHS];
	unsigned int n_lengths;
	pid_t emu_pid;
	const char *udc_file;
	const char *udc;
	unsigned int speed_mb;
};

static void __attribute__((format(printf, 3, 4)))
ok(struct probe *p, bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", cond ? "" : "not ", ++p->test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		p->fails++;
}

static void __attribute__((format(printf, 1, 2))) diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* --- device ---------------------------------------------------------- */

/*
 * The endpoint of direction @dir and transfer type @type.  The device asks
 * for 0x81/0x02/0x83, but its controller has the last word on numbers
 * (dummy_hcd has no interrupt endpoint 3), so look them up as a host must.
 */
static const struct libusb_endpoint_descriptor *
find_ep(const struct libusb_interface_descriptor *id, uint8_t dir, uint8_t type)
{
	int i;

	for (i = 0; i < id->bNumEndpoints; i++) {
		const struct libusb_endpoint_descriptor *ep = &id->endpoint[i];

		if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == dir &&
		    (ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) == type)
			return ep;
	}
	return NULL;
}

static int find_endpoints(struct probe *p)
{
	struct libusb_config_descriptor *cd;
	const struct libusb_interface_descriptor *id;
	const struct libusb_endpoint_descriptor *in, *out, *intr;
	int ret;

	ret = libusb_get_active_config_descriptor(libusb_get_device(p->h), &cd);
	if (ret)
		return ret;
	id = &cd->interface[0].altsetting[0];
	in = find_ep(id, LIBUSB_ENDPOINT_IN, LIBUSB_TRANSFER_TYPE_BULK);
	out = find_ep(id, LIBUSB_ENDPOINT_OUT, LIBUSB_TRANSFER_TYPE_BULK);
	intr = find_ep(id, LIBUSB_ENDPOINT_IN, LIBUSB_TRANSFER_TYPE_INTERRUPT);
	if (in && out && intr) {
		p->ep_in = in->bEndpointAddress;
		p->ep_out = out->bEndpointAddress;
		p->ep_intr = intr->bEndpointAddress;
	} else {
		ret = LIBUSB_ERROR_NOT_FOUND;
	}
	libusb_free_config_descriptor(cd);
	return ret;
}

static int open_device(struct probe *p, int timeout_ms)
{
	double end = now_s() + timeout_ms / 1000.0;
	int ret;

	do {
		p->h = libusb_open_device_with_vid_pid(
			p->ctx, REFSCAN_VENDOR_ID, REFSCAN_PRODUCT_ID);
		if (p->h)
			break;
		usleep(100000);
	} while (now_s() < end);
	if (!p->h)
		return LIBUSB_ERROR_NO_DEVICE;
	/* wiascan.ko may own the interface: borrow it */
	libusb_set_auto_detach_kernel_driver(p->h, 1);
	ret = find_endpoints(p);
	ret = ret ?: libusb_claim_interface(p->h, 0);
	if (ret) {
		libusb_close(p->h);
		p->h = NULL;
	}
	return ret;
}

/*
 * Without udevd (as in the VM rig) a libusb context only sees the devices
 * present when it was created: make fresh contexts until the device shows.
 */
static int reopen_device(struct probe *p, int timeout_ms)
{
	double end = now_s() + timeout_ms / 1000.0;
	int ret;

	do {
		if (p->ctx)
			libusb_exit(p->ctx);
		p->ctx = NULL;
		ret = libusb_init(&p->ctx);
		if (ret)
			return ret;
		ret = open_device(p, 0);
		if (ret != LIBUSB_ERROR_NO_DEVICE)
			return ret;
		usleep(200000);
	} while (now_s() < end);
	return ret;
}

static void close_device(struct probe *p)
{
	if (!p->h)
		return;
	libusb_release_interface(p->h, 0);
	libusb_close(p->h);
	p->h = NULL;
}

static int ctrl_in(struct probe *p, uint8_t req, void *buf, uint16_t len)
{
	return libusb_control_transfer(p->h, REFSCAN_RT_IN, req, 0, 0, buf, len,
				       CTRL_TIMEOUT_MS);
}

static int ctrl_out(struct probe *p, uint8_t req, void *buf, uint16_t len)
{
	return libusb_control_transfer(p->h, REFSCAN_RT_OUT, req, 0, 0, buf,
				       len, CTRL_TIMEOUT_MS);
}

static int set_params(struct probe *p, uint8_t mode, uint8_t source,
		      uint16_t dpi, uint32_t w, uint32_t h)
{
	struct refscan_params sp = {
		.mode = mode,
		.source = source,
		.dpi = htole16(dpi),
		.width_px = htole32(w),
		.height_px = htole32(h),
	};
	int ret = ctrl_out(p, REFSCAN_REQ_SET_PARAMS, &sp, sizeof(sp));

	return ret == sizeof(sp) ? 0 : ret < 0 ? ret : LIBUSB_ERROR_IO;
}

static int get_params(struct probe *p, struct refscan_params *gp)
{
	int ret = ctrl_in(p, REFSCAN_REQ_GET_PARAMS, gp, sizeof(*gp));

	gp->dpi = le16toh(gp->dpi);
	gp->width_px = le32toh(gp->width_px);
	gp->height_px = le32toh(gp->height_px);
	gp->bytes_per_line = le32toh(gp->bytes_per_line);
	return ret == sizeof(*gp) ? 0 : ret < 0 ? ret : LIBUSB_ERROR_IO;
}

static int get_status(struct probe *p, struct refscan_status *st)
{
	int ret = ctrl_in(p, REFSCAN_REQ_GET_STATUS, st, sizeof(*st));

	st->sheets_left = le16toh(st->sheets_left);
	st->pages_done = le32toh(st->pages_done);
	st->bulk_out_bytes = le32toh(st->bulk_out_bytes);
	st->bulk_out_sum = le32toh(st->bulk_out_sum);
	return ret == sizeof(*st) ? 0 : ret < 0 ? ret : LIBUSB_ERROR_IO;
}

static int read_event(struct probe *p, struct refscan_event *ev, int timeout_ms)
{
	int n = 0, ret;

	ret = libusb_interrupt_transfer(p->h, p->ep_intr, (void *)ev,
					sizeof(*ev), &n, timeout_ms);
	if (ret)
		return ret;
	if (n != sizeof(*ev))
		return LIBUSB_ERROR_IO;
	ev->page = le16toh(ev->page);
	ev->arg = le32toh(ev->arg);
	return 0;
}

/* --- image checking -------------------------------------------------- */

struct page_check {
	uint32_t page, bpl;
	uint64_t off;	 /* bytes of the page seen so far */
	uint64_t bad_at; /* first wrong byte + 1, 0 if none */
};

static void check_bytes(struct page_check *c, const uint8_t *buf, size_t len)
{
	uint8_t want[4096];

	while (len) {
		uint64_t x = c->off % c->bpl, y = c->off / c->bpl;
		size_t n = c->bpl - x;

		if (n > len)
			n = len;
		if (n > sizeof(want))
			n = sizeof(want);
		formula_fill(want, n, x, y, c->page);
		if (!c->bad_at && memcmp(want, buf, n) != 0) {
			size_t i = 0;

			while (i < n && want[i] == buf[i])
				i++;
			c->bad_at = c->off + i + 1;
		}
		c->off += n;
		buf += n;
		len -= n;
	}
}

/*
 * Read one page with synchronous transfers of XFER_SIZE: the page ends
 * with the first transfer that comes back short (0 bytes for a ZLP).
 * Returns the page length, or a libusb error.
 */
static int64_t read_page(struct probe *p, uint32_t page, uint32_t bpl,
			 bool *bytes_ok)
{
	static uint8_t buf[XFER_SIZE];
	struct page_check c = { .page = page, .bpl = bpl };
	int n, ret;

	do {
		n = 0;
		ret = libusb_bulk_transfer(p->h, p->ep_in, buf, XFER_SIZE, &n,
					   DATA_TIMEOUT_MS);
		check_bytes(&c, buf, (size_t)n);
		if (ret)
			return ret;
	} while (n == XFER_SIZE);
	if (c.bad_at)
		diag("page %u: first wrong byte at offset %llu", page,
		     (unsigned long long)c.bad_at - 1);
	*bytes_ok = !c.bad_at;
	return (int64_t)c.off;
}

/* Expect no bulk-in data at all for a while */
static bool bulk_in_silent(struct probe *p, int ms)
{
	static uint8_t buf[XFER_SIZE];
	int n = 0, ret;

	ret = libusb_bulk_transfer(p->h, p->ep_in, buf, XFER_SIZE, &n, ms);
	if (ret != LIBUSB_ERROR_TIMEOUT || n)
		diag("unexpected bulk-in: %s, %d bytes", libusb_error_name(ret),
		     n);
	return ret == LIBUSB_ERROR_TIMEOUT && n == 0;
}

/* Expect PAGE_DONE for @page of @bytes */
static bool expect_page_done(struct probe *p, uint32_t page, uint32_t bytes,
			     bool last)
{
	struct refscan_event ev;
	int ret = read_event(p, &ev, 3000);

	if (ret) {
		diag("no PAGE_DONE event: %s", libusb_error_name(ret));
		return false;
	}
	if (ev.type != REFSCAN_EVENT_PAGE_DONE || ev.page != (uint16_t)page ||
	    ev.arg != bytes || !!(ev.flags & REFSCAN_EVENT_FLAG_LAST) != last) {
		diag("event type %u flags %u page %u arg %u, want PAGE_DONE page %u arg %u%s",
		     ev.type, ev.flags, ev.page, ev.arg, page, bytes,
		     last ? " LAST" : "");
		return false;
	}
	return true;
}

/* --- tests ------------------------------------------------------------ */

static void test_descriptors(struct probe *p)
{
	libusb_device *dev = libusb_get_device(p->h);
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cd = NULL;
	const struct libusb_interface_descriptor *id;
	const struct libusb_endpoint_descriptor *in, *out, *intr;
	char s[128];
	int speed = libusb_get_device_speed(dev);

	libusb_get_device_descriptor(dev, &dd);
	ok(p,
	   dd.idVendor == REFSCAN_VENDOR_ID &&
		   dd.idProduct == REFSCAN_PRODUCT_ID && dd.bDeviceClass == 0,
	   "device 1209:0001, class per interface");
	libusb_get_string_descriptor_ascii(p->h, dd.iManufacturer, (uint8_t *)s,
					   sizeof(s));
	ok(p, !strcmp(s, REFSCAN_MANUFACTURER), "manufacturer string '%s'", s);
	libusb_get_string_descriptor_ascii(p->h, dd.iProduct, (uint8_t *)s,
					   sizeof(s));
	ok(p, !strcmp(s, REFSCAN_PRODUCT), "product string '%s'", s);
	libusb_get_string_descriptor_ascii(p->h, dd.iSerialNumber, (uint8_t *)s,
					   sizeof(s));
	diag("serial '%s', speed %d", s, speed);
	if (libusb_get_active_config_descriptor(dev, &cd) ||
	    cd->bNumInterfaces < 1) {
		ok(p, false, "configuration descriptor");
		return;
	}
	id = &cd->interface[0].altsetting[0];
	ok(p,
	   id->bInterfaceClass == REFSCAN_IF_CLASS &&
		   id->bInterfaceSubClass == REFSCAN_IF_SUBCLASS &&
		   id->bInterfaceProtocol == REFSCAN_IF_PROTOCOL &&
		   id->bNumEndpoints == 3,
	   "interface ff/57/01 with 3 endpoints");
	in = find_ep(id, LIBUSB_ENDPOINT_IN, LIBUSB_TRANSFER_TYPE_BULK);
	out = find_ep(id, LIBUSB_ENDPOINT_OUT, LIBUSB_TRANSFER_TYPE_BULK);
	intr = find_ep(id, LIBUSB_ENDPOINT_IN, LIBUSB_TRANSFER_TYPE_INTERRUPT);
	ok(p,
	   in && out && intr && intr->wMaxPacketSize == REFSCAN_INTR_MAXPACKET,
	   "endpoints: bulk-in 0x%02x, bulk-out 0x%02x, interrupt-in 0x%02x/8",
	   in ? in->bEndpointAddress : 0, out ? out->bEndpointAddress : 0,
	   intr ? intr->bEndpointAddress : 0);
	if (in && out && intr && speed == LIBUSB_SPEED_HIGH)
		ok(p,
		   in->wMaxPacketSize == 512 && out->wMaxPacketSize == 512 &&
			   intr->bInterval == REFSCAN_INTR_INTERVAL_HS,
		   "high speed: bulk wMaxPacketSize 512, interrupt bInterval %u",
		   intr->bInterval);
	libusb_free_config_descriptor(cd);
}

static void test_info(struct probe *p)
{
	struct refscan_info info;
	int ret;

	test_descriptors(p);
	ret = ctrl_in(p, REFSCAN_REQ_GET_INFO, &info, sizeof(info));
	ok(p,
	   ret == sizeof(info) && info.version == REFSCAN_PROTOCOL_VERSION &&
		   info.modes == 7 && info.sources == 3 &&
		   le16toh(info.min_dpi) == 50 &&
		   le16toh(info.max_dpi) == 1200 &&
		   le32toh(info.max_width_um) == 216000 &&
		   le32toh(info.max_height_um) == 356000,
	   "GET_INFO: version 1, 3 modes, 2 sources, 50..1200 dpi, 216x356 mm");
	ret = ctrl_in(p, REFSCAN_REQ_GET_INFO, &info, 4);
	ok(p, ret == 4, "GET_INFO with wLength 4 returns 4 bytes");
	ret = libusb_control_transfer(p->h, REFSCAN_RT_IN, 0x7f, 0, 0,
				      (void *)&info, sizeof(info),
				      CTRL_TIMEOUT_MS);
	ok(p, ret == LIBUSB_ERROR_PIPE, "unknown request stalls");
	ret = ctrl_in(p, REFSCAN_REQ_GET_STATUS, &info, sizeof(info));
	ok(p, ret == sizeof(struct refscan_status),
	   "GET_STATUS after a stall works");
}

static void test_params(struct probe *p)
{
	static const struct {
		uint8_t mode;
		uint32_t w, bpl;
	} modes[] = {
		{ REFSCAN_MODE_LINEART, 1001, 126 },
		{ REFSCAN_MODE_GRAY, 1001, 1001 },
		{ REFSCAN_MODE_COLOR, 1001, 3003 },
	};
	/* printed even when SET_PARAMS or GET_PARAMS failed */
	struct refscan_params gp = { 0 };
	struct refscan_status st;
	unsigned int i;
	int ret;

	for (i = 0; i < 3; i++) {
		ret = set_params(p, modes[i].mode, REFSCAN_SOURCE_FLATBED, 300,
				 modes[i].w, 50);
		ret = ret ?: get_params(p, &gp);
		ok(p,
		   !ret && gp.mode == modes[i].mode && gp.dpi == 300 &&
			   gp.width_px == modes[i].w && gp.height_px == 50 &&
			   gp.bytes_per_line == modes[i].bpl,
		   "SET_PARAMS/GET_PARAMS mode %u: bytes_per_line %u",
		   modes[i].mode, gp.bytes_per_line);
	}
	ret = set_params(p, REFSCAN_MODE_GRAY, REFSCAN_SOURCE_FLATBED, 10, 100,
			 100);
	ok(p, !ret, "SET_PARAMS with 10 dpi: data stage accepted");
	ok(p, get_params(p, &gp) == LIBUSB_ERROR_PIPE,
	   "then GET_PARAMS stalls");
	ok(p, ctrl_out(p, REFSCAN_REQ_START, NULL, 0) == LIBUSB_ERROR_PIPE,
	   "and START stalls");
	ok(p,
	   !get_status(p, &st) && st.error == REFSCAN_ERR_BAD_PARAMS &&
		   st.state == REFSCAN_STATE_IDLE,
	   "GET_STATUS error BAD_PARAMS");
	set_params(p, REFSCAN_MODE_GRAY, REFSCAN_SOURCE_FLATBED, 300, 2552, 10);
	ok(p, get_params(p, &gp) == LIBUSB_ERROR_PIPE,
	   "width over 216 mm rejected");
	set_params(p, REFSCAN_MODE_GRAY, REFSCAN_SOURCE_FLATBED, 300, 100, 0);
	ok(p, get_params(p, &gp) == LIBUSB_ERROR_PIPE,
	   "flatbed with unknown height rejected");
	set_params(p, REFSCAN_MODE_COLOR, REFSCAN_SOURCE_ADF, 1200, 10205, 0);
	ok(p, !get_params(p, &gp) && gp.bytes_per_line == 30615,
	   "ADF, unknown height, widest colour at 1200 dpi accepted");
	ok(p, !get_status(p, &st) && st.error == REFSCAN_ERR_NONE,
	   "valid SET_PARAMS clears BAD_PARAMS");
}

/* One flatbed page: bytes, framing, event, status */
static void scan_flatbed(struct probe *p, uint8_t mode, uint32_t w, uint32_t h)
{
	struct refscan_status st;
	struct refscan_params gp;
	uint64_t want;
	int64_t got;
	bool bytes_ok = false;
	int ret;

	ret = set_params(p, mode, REFSCAN_SOURCE_FLATBED, 300, w, h);
	ret = ret ?: get_params(p, &gp);
	ret = ret ?: ctrl_out(p, REFSCAN_REQ_START, NULL, 0);
	if (ret) {
		ok(p, false, "flatbed mode %u %ux%u: start: %s", mode, w, h,
		   libusb_error_name(ret));
		return;
	}
	want = (uint64_t)gp.bytes_per_line * h;
	got = read_page(p, 0, gp.bytes_per_line, &bytes_ok);
	ok(p, got == (int64_t)want && bytes_ok,
	   "flatbed mode %u %ux%u: %llu bytes (%s), ended by %s", mode, w, h,
	   (unsigned long long)want, bytes_ok ? "all match" : "MISMATCH",
	   want % 512 ? "short packet" : "ZLP");
	ok(p, expect_page_done(p, 0, (uint32_t)want, true),
	   "PAGE_DONE page 0 LAST");
	ok(p,
	   !get_status(p, &st) && st.state == REFSCAN_STATE_IDLE &&
		   st.pages_done == 1 && st.error == REFSCAN_ERR_NONE,
	   "status idle, 1 page done");
	ok(p, bulk_in_silent(p, 200), "nothing after the page");
}

static void test_flatbed(struct probe *p)
{
	scan_flatbed(p, REFSCAN_MODE_GRAY, 512, 100); /* 51200: ZLP */
	scan_flatbed(p, REFSCAN_MODE_GRAY, 1024, 64); /* == XFER_SIZE */
	scan_flatbed(p, REFSCAN_MODE_LINEART, 1001, 37);
	scan_flatbed(p, REFSCAN_MODE_COLOR, 333, 77);
	scan_flatbed(p, REFSCAN_MODE_COLOR, 2480,
		     200);			     /* 1.5 MB, 1 MiB chunks */
	scan_flatbed(p, REFSCAN_MODE_LINEART, 8, 1); /* one byte */
}

static uint32_t sheet_rows(const struct probe *p, unsigned int i, uint16_t dpi)
{
	if (!p->n_lengths)
		return (uint32_t)((297000ULL * dpi + 12700) / 25400);
	return p->lengths[i < p->n_lengths ? i : p->n_lengths - 1];
}

static void test_adf(struct probe *p)
{
	struct refscan_status st;
	struct refscan_event ev;
	unsigned int i;
	uint32_t bpl = 400; /* gray, 400 px: pages of 400*rows bytes */
	int ret;

	if (p->emu_pid) {
		kill(p->emu_pid, SIGHUP);
		usleep(300000);
	}
	ret = get_status(p, &st);
	if (ret || st.sheets_left != p->sheets) {
		ok(p, false, "ADF: %u sheets expected in the feeder, found %u",
		   p->sheets, st.sheets_left);
		return;
	}
	ret = set_params(p, REFSCAN_MODE_GRAY, REFSCAN_SOURCE_ADF, 150, bpl, 0);
	ret = ret ?: ctrl_out(p, REFSCAN_REQ_START, NULL, 0);
	ok(p, !ret, "ADF START with %u sheets", p->sheets);
	if (ret)
		return;
	for (i = 0; i < p->sheets; i++) {
		uint64_t want = (uint64_t)bpl * sheet_rows(p, i, 150);
		bool bytes_ok = false;
		int64_t got = read_page(p, i, bpl, &bytes_ok);

		ok(p, got == (int64_t)want && bytes_ok,
		   "ADF page %u: %llu bytes, ended by %s", i,
		   (unsigned long long)want,
		   want % 512 ? "short packet" : "ZLP");
	}
	for (i = 0; i < p->sheets; i++)
		ok(p,
		   expect_page_done(p, i, bpl * sheet_rows(p, i, 150),
				    i + 1 == p->sheets),
		   "PAGE_DONE page %u", i);
	ret = read_event(p, &ev, 3000);
	ok(p, !ret && ev.type == REFSCAN_EVENT_FEEDER_EMPTY, "FEEDER_EMPTY");
	ok(p,
	   !get_status(p, &st) && st.state == REFSCAN_STATE_IDLE &&
		   st.pages_done == p->sheets && st.sheets_left == 0,
	   "status idle, %u pages done, feeder empty", p->sheets);
	ok(p,
	   ctrl_out(p, REFSCAN_REQ_START, NULL, 0) == LIBUSB_ERROR_PIPE &&
		   !get_status(p, &st) && st.error == REFSCAN_ERR_NO_PAPER,
	   "START on an empty feeder stalls, error NO_PAPER");
	ok(p, bulk_in_silent(p, 200), "nothing after the last page");
}

/*
 * Version 2: START's wValue bounds the sheets fed, and GET_STATUS read 24
 * bytes long tells the activity and the bytes produced
 */
static void test_feeder(struct probe *p)
{
	struct refscan_status_v2 v2;
	struct refscan_status st;
	struct refscan_event ev;
	uint32_t bpl = 400, want;
	bool bytes_ok = false;
	int64_t got;
	int ret;

	if (!p->emu_pid || p->sheets < 2) {
		ok(p, false, "feeder: needs --emu-pid and at least 2 sheets");
		return;
	}
	kill(p->emu_pid, SIGHUP);
	usleep(300000);
	want = bpl * sheet_rows(p, 0, 150);
	ret = set_params(p, REFSCAN_MODE_GRAY, REFSCAN_SOURCE_ADF, 150, bpl, 0);
	ret = ret   ?:
		      libusb_control_transfer(p->h, REFSCAN_RT_OUT,
					      REFSCAN_REQ_START, 1, 0, NULL, 0,
					      CTRL_TIMEOUT_MS);
	ok(p, !ret, "START with wValue 1 (feed one sheet) accepted");
	if (ret)
		return;
	got = read_page(p, 0, bpl, &bytes_ok);
	ok(p, got == (int64_t)want && bytes_ok, "one page of %u bytes", want);
	ok(p, expect_page_done(p, 0, want, true),
	   "PAGE_DONE page 0 LAST: the scan ends at the bound");
	ok(p, read_event(p, &ev, 300) == LIBUSB_ERROR_TIMEOUT,
	   "no FEEDER_EMPTY: sheets are left");
	ok(p, bulk_in_silent(p, 200), "nothing after the bounded scan");
	ok(p, !get_status(p, &st) && st.sheets_left == p->sheets - 1,
	   "%u sheets left in the feeder", p->sheets - 1);
	memset(&v2, 0xff, sizeof(v2));
	ret = ctrl_in(p, REFSCAN_REQ_GET_STATUS, &v2, sizeof(v2));
	ok(p,
	   ret == sizeof(v2) && v2.v1.state == REFSCAN_STATE_IDLE &&
		   v2.activity == REFSCAN_ACT_IDLE &&
		   le32toh(v2.scan_bytes) == want && !v2.reserved[0] &&
		   !v2.reserved[1] && !v2.reserved[2],
	   "GET_STATUS v2: %d bytes, idle, scan_bytes %u", ret,
	   le32toh(v2.scan_bytes));
}

static void test_cancel(struct probe *p)
{
	static uint8_t buf[XFER_SIZE];
	struct refscan_status st;
	struct refscan_event ev;
	uint32_t w = 2480, h = 3508; /* A4 gray 300 dpi, 8.7 MB */
	bool bytes_ok = false;
	int64_t got;
	int i, n, ret;

	ret = set_params(p, REFSCAN_MODE_GRAY, REFSCAN_SOURCE_FLATBED, 300, w,
			 h);
	ret = ret ?: ctrl_out(p, REFSCAN_REQ_START, NULL, 0);
	for (i = 0; !ret && i < 16; i++)
		ret = libusb_bulk_transfer(p->h, p->ep_in, buf, XFER_SIZE, &n,
					   DATA_TIMEOUT_MS);
	ok(p, !ret, "1 MiB of a page read");
	ret = ctrl_out(p, REFSCAN_REQ_CANCEL, NULL, 0);
	ok(p, ret == 0, "CANCEL mid-page acknowledged");
	ok(p, bulk_in_silent(p, 500), "no bulk-in data after CANCEL");
	ok(p, read_event(p, &ev, 300) == LIBUSB_ERROR_TIMEOUT,
	   "no event after CANCEL");
	ok(p,
	   !get_status(p, &st) && st.state == REFSCAN_STATE_IDLE &&
		   st.error == REFSCAN_ERR_CANCELLED,
	   "status idle, error CANCELLED");
	ret = ctrl_out(p, REFSCAN_REQ_START, NULL, 0);
	got = ret ? ret : read_page(p, 0, w, &bytes_ok);
	ok(p, got == (int64_t)w * h && bytes_ok,
	   "restart: the whole page again from byte 0 of page 0");
	ok(p, expect_page_done(p, 0, w * h, true), "PAGE_DONE after restart");
	ok(p,
	   ctrl_out(p, REFSCAN_REQ_CANCEL, NULL, 0) == 0 &&
		   !get_status(p, &st) && st.error == REFSCAN_ERR_NONE,
	   "CANCEL when idle is harmless");
}

static void test_bulkout(struct probe *p)
{
	static uint8_t buf[100000];
	struct refscan_status a, b;
	uint32_t sum = 0;
	size_t i;
	int n = 0, ret;

	for (i = 0; i < sizeof(buf); i++) {
		buf[i] = (uint8_t)(i * 7 + 3);
		sum += buf[i];
	}
	ret = get_status(p, &a);
	ret = ret   ?:
		      libusb_bulk_transfer(p->h, p->ep_out, buf, sizeof(buf),
					   &n, DATA_TIMEOUT_MS);
	usleep(100000); /* the count is updated by another thread */
	ret = ret ?: get_status(p, &b);
	ok(p,
	   !ret && n == (int)sizeof(buf) &&
		   b.bulk_out_bytes - a.bulk_out_bytes == sizeof(buf) &&
		   b.bulk_out_sum - a.bulk_out_sum == sum,
	   "bulk-out: %d bytes counted and summed", n);
}

/* --- throughput: SPEED_XFERS async transfers in flight ---------------- */

struct speed {
	uint64_t bytes, page_bytes, want_page;
	unsigned int pages, want_pages, bad_pages, busy;
	int error;
};

static void LIBUSB_CALL speed_cb(struct libusb_transfer *t)
{
	struct speed *s = t->user_data;

	if (t->status != LIBUSB_TRANSFER_COMPLETED) {
		if (!s->error)
			s->error = t->status == LIBUSB_TRANSFER_CANCELLED ?
					   LIBUSB_ERROR_INTERRUPTED :
					   LIBUSB_ERROR_IO;
		s->busy--;
		return;
	}
	s->bytes += t->actual_length;
	s->page_bytes += t->actual_length;
	if (t->actual_length < t->length) {
		s->bad_pages += s->page_bytes != s->want_page;
		s->page_bytes = 0;
		s->pages++;
	}
	if (s->pages >= s->want_pages || libusb_submit_transfer(t))
		s->busy--;
}

static void test_speed(struct probe *p)
{
	struct libusb_transfer *t[SPEED_XFERS];
	struct speed s = { 0 };
	uint32_t w = 5100, bpl = 3 * w, h = 8400; /* colour 600 dpi, ~128 MB */
	double t0, dt;
	int i, ret;

	/* pages of at most 356 mm: use as many as the size asks */
	s.want_page = (uint64_t)bpl * h;
	s.want_pages =
		(unsigned int)((uint64_t)p->speed_mb * 1000000 / s.want_page);
	if (!s.want_pages) {
		s.want_pages = 1;
		h = (uint32_t)((uint64_t)p->speed_mb * 1000000 / bpl) + 1;
		s.want_page = (uint64_t)bpl * h;
	}
	for (i = 0; i < SPEED_XFERS; i++) {
		t[i] = libusb_alloc_transfer(0);
		libusb_fill_bulk_transfer(t[i], p->h, p->ep_in,
					  malloc(SPEED_XFER_SIZE),
					  SPEED_XFER_SIZE, speed_cb, &s,
					  DATA_TIMEOUT_MS);
	}
	ret = set_params(p, REFSCAN_MODE_COLOR, REFSCAN_SOURCE_FLATBED, 600, w,
			 h);
	t0 = now_s();
	for (i = 0; !ret && i < SPEED_XFERS; i++) {
		ret = libusb_submit_transfer(t[i]);
		s.busy += !ret;
	}
	/* repeated flatbed scans, started as the previous one ends */
	while (!ret && s.pages < s.want_pages && !s.error) {
		unsigned int started = s.pages;

		ret = ctrl_out(p, REFSCAN_REQ_START, NULL, 0);
		while (!ret && s.pages == started && !s.error)
			libusb_handle_events(p->ctx);
	}
	dt = now_s() - t0;
	if (ret || s.error)
		diag("speed: %s", libusb_error_name(ret ? ret : s.error));
	for (i = 0; i < SPEED_XFERS; i++)
		libusb_cancel_transfer(t[i]);
	while (s.busy)
		libusb_handle_events(p->ctx);
	for (i = 0; i < SPEED_XFERS; i++) {
		free(t[i]->buffer);
		libusb_free_transfer(t[i]);
	}
	ok(p, !ret && s.pages >= s.want_pages && !s.bad_pages,
	   "throughput: %u pages, %.1f MB in %.2f s: %.1f MB/s (framing checked, bytes not)",
	   s.pages, s.bytes / 1e6, dt, s.bytes / 1e6 / dt);
	/* the events of these scans are not needed */
	ctrl_out(p, REFSCAN_REQ_CANCEL, NULL, 0);
}

/* --- unplug/replug through the UDC file ------------------------------ */

static int write_udc(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%s\n", val) < 0 ? -EIO : 0;
	if (fclose(f))
		ret = -errno;
	return ret;
}

static void test_unplug(struct probe *p)
{
	static uint8_t buf[XFER_SIZE];
	struct refscan_status st;
	bool bytes_ok = false;
	int i, n, ret;

	ret = set_params(p, REFSCAN_MODE_GRAY, REFSCAN_SOURCE_FLATBED, 300,
			 2480, 3508);
	ret = ret ?: ctrl_out(p, REFSCAN_REQ_START, NULL, 0);
	for (i = 0; !ret && i < 8; i++)
		ret = libusb_bulk_transfer(p->h, p->ep_in, buf, XFER_SIZE, &n,
					   DATA_TIMEOUT_MS);
	ok(p, !ret, "unplug: scan started, 512 KiB read");
	ok(p, write_udc(p->udc_file, "") == 0, "UDC unbound mid-page");
	ret = libusb_bulk_transfer(p->h, p->ep_in, buf, XFER_SIZE, &n, 2000);
	ok(p,
	   ret == LIBUSB_ERROR_NO_DEVICE || ret == LIBUSB_ERROR_IO ||
		   ret == LIBUSB_ERROR_PIPE,
	   "bulk-in read fails after unplug (%s)", libusb_error_name(ret));
	close_device(p);
	sleep(1);
	ok(p, write_udc(p->udc_file, p->udc) == 0, "UDC bound again");
	ret = reopen_device(p, 10000);
	ok(p, !ret, "device enumerates again (%s)", libusb_error_name(ret));
	if (ret)
		return;
	ok(p, !get_status(p, &st) && st.state == REFSCAN_STATE_IDLE,
	   "status idle after replug");
	ret = set_params(p, REFSCAN_MODE_GRAY, REFSCAN_SOURCE_FLATBED, 300, 700,
			 99);
	ret = ret ?: ctrl_out(p, REFSCAN_REQ_START, NULL, 0);
	ok(p,
	   !ret && read_page(p, 0, 700, &bytes_ok) == 700 * 99 && bytes_ok &&
		   expect_page_done(p, 0, 700 * 99, true),
	   "a scan after replug is byte-exact");
}

/* --- main ------------------------------------------------------------- */

static void parse_lengths(struct probe *p, char *arg)
{
	char *tok, *save;

	p->n_lengths = 0;
	for (tok = strtok_r(arg, ",", &save); tok && p->n_lengths < MAX_LENGTHS;
	     tok = strtok_r(NULL, ",", &save))
		p->lengths[p->n_lengths++] = (uint32_t)strtoul(tok, NULL, 10);
}

static void usage(void)
{
	fputs("usage: emu-probe [--sheets N] [--page-lengths L,...] [--emu-pid PID]\n"
	      "                 [--udc-file PATH] [--udc NAME] [--mb N] [TEST...]\n"
	      "TESTs: info params flatbed adf cancel bulkout speed unplug\n",
	      stderr);
	exit(2);
}

static void parse_options(struct probe *p, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sheets", required_argument, NULL, 's' },
		{ "page-lengths", required_argument, NULL, 'l' },
		{ "emu-pid", required_argument, NULL, 'p' },
		{ "udc-file", required_argument, NULL, 'f' },
		{ "udc", required_argument, NULL, 'u' },
		{ "mb", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	p->sheets = 1;
	p->udc = "dummy_udc.0";
	p->speed_mb = 200;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			p->sheets = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'l':
			parse_lengths(p, optarg);
			break;
		case 'p':
			p->emu_pid = (pid_t)strtol(optarg, NULL, 10);
			break;
		case 'f':
			p->udc_file = optarg;
			break;
		case 'u':
			p->udc = optarg;
			break;
		case 'm':
			p->speed_mb = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
}

static const struct {
	const char *name;
	void (*fn)(struct probe *p);
	bool by_default;
} tests[] = {
	{ "info", test_info, true },	   { "params", test_params, true },
	{ "flatbed", test_flatbed, true }, { "adf", test_adf, true },
	{ "feeder", test_feeder, true },   { "cancel", test_cancel, true },
	{ "bulkout", test_bulkout, true }, { "speed", test_speed, true },
	{ "unplug", test_unplug, false },
};

#define N_TESTS ARRAY_SIZE(tests)

int main(int argc, char **argv)
{
	struct probe p = { 0 };
	bool run[N_TESTS] = { 0 };
	unsigned int i;
	int ret, a;

	parse_options(&p, argc, argv);
	for (i = 0; i < N_TESTS; i++)
		run[i] = optind == argc && tests[i].by_default;
	for (a = optind; a < argc; a++) {
		for (i = 0; i < N_TESTS && strcmp(argv[a], tests[i].name) != 0;
		     i++)
			;
		if (i == N_TESTS)
			usage();
		run[i] = true;
	}
	if (run[N_TESTS - 1] && !p.udc_file) {
		fputs("emu-probe: unplug needs --udc-file\n", stderr);
		return 2;
	}
	printf("TAP version 13\n");
	ret = libusb_init(&p.ctx);
	ret = ret ?: open_device(&p, 10000);
	if (ret) {
		printf("1..0 # SKIP no reference scanner: %s\n",
		       libusb_error_name(ret));
		return 1;
	}
	for (i = 0; i < N_TESTS; i++) {
		if (!run[i] || !p.h)
			continue;
		diag("--- %s", tests[i].name);
		tests[i].fn(&p);
	}
	printf("1..%d\n", p.test_no);
	close_device(&p);
	if (p.ctx)
		libusb_exit(p.ctx);
	return p.fails ? 1 : 0;
}
