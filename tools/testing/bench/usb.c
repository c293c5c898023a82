// SPDX-License-Identifier: GPL-2.0
/*
 * libusb through usbfs: what a program would use without wiascan.ko.
 *
 * The interface is taken from the driver for the run (automatic kernel
 * driver detach: usbfs' DISCONNECT_CLAIM) and given back after it, so
 * the driver probes again and its node comes back for the next method.
 * Without udevd in the guest a libusb context only sees the devices that
 * were there when it was made, so each run makes its own.
 *
 * M_LIBUSB: libusb_bulk_transfer() of opt.rw_size bytes in a loop, one
 * transfer at a time, the way SANE backends read (sanei_usb).
 * M_ASYNC: opt.ring_count transfers of opt.ring_size bytes kept in flight,
 * the same geometry as the mapped ring: the most a plain libusb reader
 * gets out of usbfs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libusb.h>

#include "wiascan_test.h"

#include "bench.h"

#define OPEN_WAIT_MS	15000
#define CTRL_TIMEOUT_MS 5000

struct usb {
	libusb_context *ctx;
	libusb_device_handle *h;
	uint8_t ep_in;
};

static int usb_errno(int lret)
{
	switch (lret) {
	case LIBUSB_ERROR_TIMEOUT:
		return -ETIMEDOUT;
	case LIBUSB_ERROR_PIPE:
		return -EPIPE;
	case LIBUSB_ERROR_NO_DEVICE:
		return -ENODEV;
	case LIBUSB_ERROR_OVERFLOW:
		return -EOVERFLOW;
	case LIBUSB_ERROR_BUSY:
		return -EBUSY;
	case LIBUSB_ERROR_ACCESS:
		return -EACCES;
	case LIBUSB_ERROR_NOT_FOUND:
		return -ENOENT;
	case LIBUSB_ERROR_NO_MEM:
		return -ENOMEM;
	case LIBUSB_ERROR_INTERRUPTED:
		return -EINTR;
	default:
		return -EIO;
	}
}

static int usb_in(void *h, uint8_t request, void *data, uint16_t length)
{
	struct usb *u = h;
	int ret = libusb_control_transfer(u->h, REFSCAN_RT_IN, request, 0, 0,
					  data, length, CTRL_TIMEOUT_MS);

	return ret < 0 ? usb_errno(ret) : ret == length ? 0 : -EPROTO;
}

static int usb_out(void *h, uint8_t request, void *data, uint16_t length)
{
	struct usb *u = h;
	int ret = libusb_control_transfer(u->h, REFSCAN_RT_OUT, request, 0, 0,
					  data, length, CTRL_TIMEOUT_MS);

	return ret < 0 ? usb_errno(ret) : 0;
}

/* The bulk-in endpoint of interface 0, found by type as a host must */
static int find_ep_in(struct usb *u)
{
	struct libusb_config_descriptor *cd;
	const struct libusb_interface_descriptor *id;
	int i, ret;

	ret = libusb_get_active_config_descriptor(libusb_get_device(u->h), &cd);
	if (ret)
		return ret;
	ret = LIBUSB_ERROR_NOT_FOUND;
	id = &cd->interface[0].altsetting[0];
	for (i = 0; i < id->bNumEndpoints; i++) {
		const struct libusb_endpoint_descriptor *ep = &id->endpoint[i];

		if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) ==
			    LIBUSB_ENDPOINT_IN &&
		    (ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) ==
			    LIBUSB_TRANSFER_TYPE_BULK) {
			u->ep_in = ep->bEndpointAddress;
			ret = 0;
			break;
		}
	}
	libusb_free_config_descriptor(cd);
	return ret;
}

static void usb_close(struct usb *u)
{
	if (u->h) {
		/* gives the interface back to wiascan.ko (auto detach) */
		libusb_release_interface(u->h, 0);
		libusb_close(u->h);
	}
	if (u->ctx)
		libusb_exit(u->ctx);
	u->h = NULL;
	u->ctx = NULL;
}

/* Open the reference scanner, with fresh contexts until it shows */
static int usb_open(struct usb *u, char *why)
{
	int waited, ret;

	memset(u, 0, sizeof(*u));
	for (waited = 0;; waited += 200) {
		ret = libusb_init(&u->ctx);
		if (ret) {
			snprintf(why, BENCH_WHY, "libusb_init: %s",
				 libusb_error_name(ret));
			return usb_errno(ret);
		}
		u->h = libusb_open_device_with_vid_pid(
			u->ctx, REFSCAN_VENDOR_ID, REFSCAN_PRODUCT_ID);
		if (u->h)
			break;
		libusb_exit(u->ctx);
		u->ctx = NULL;
		if (waited >= OPEN_WAIT_MS) {
			snprintf(why, BENCH_WHY,
				 "libusb: no %04x:%04x device (or no access)",
				 REFSCAN_VENDOR_ID, REFSCAN_PRODUCT_ID);
			return -ENODEV;
		}
		wt_sleep_ms(200);
	}
	libusb_set_auto_detach_kernel_driver(u->h, 1);
	ret = find_ep_in(u);
	ret = ret ?: libusb_claim_interface(u->h, 0);
	if (ret) {
		snprintf(why, BENCH_WHY, "libusb: bulk-in endpoint, claim: %s",
			 libusb_error_name(ret));
		usb_close(u);
		return usb_errno(ret);
	}
	return 0;
}

static void run_sync(struct bench *b, struct usb *u, const struct ctl *c,
		     struct scan *s, struct run *r)
{
	int size = (int)b->opt.rw_size, n, ret, lret;
	struct mark t0, t1;
	uint8_t *buf;

	buf = aligned_alloc(4096, (size_t)size);
	if (!buf) {
		run_fail(r, -ENOMEM, "no memory for %d bytes", size);
		return;
	}
	mark_now(&t0);
	ret = ref_go(c);
	while (!ret && !scan_done(s)) {
		n = 0;
		lret = libusb_bulk_transfer(u->h, u->ep_in, buf, size, &n,
					    (unsigned int)b->opt.timeout_ms);
		if (lret) {
			ret = usb_errno(lret);
			run_fail(r, ret,
				 "libusb_bulk_transfer after %" PRIu64
				 " bytes: %s (%d bytes)",
				 s->bytes, libusb_error_name(lret), n);
		} else if (scan_take(s, buf, (size_t)n, n < size)) {
			break;
		}
	}
	mark_now(&t1);
	if (ret && !r->err)
		run_fail(r, ret, "START: %s", strerror(-ret));
	free(buf);
	run_close(r, &t0, &t1);
}

/* The asynchronous reader's state, shared with the completions */
struct async {
	struct scan *s;
	unsigned int busy; /* transfers submitted and not completed */
	int status;	   /* the first failed transfer's, 0 if none */
};

static void LIBUSB_CALL async_done(struct libusb_transfer *t)
{
	struct async *a = t->user_data;

	if (t->status != LIBUSB_TRANSFER_COMPLETED) {
		if (!a->status && t->status != LIBUSB_TRANSFER_CANCELLED)
			a->status = (int)t->status;
		a->busy--;
		return;
	}
	scan_take(a->s, t->buffer, (size_t)t->actual_length,
		  t->actual_length < t->length);
	if (scan_done(a->s) || libusb_submit_transfer(t))
		a->busy--;
}

static const char *const transfer_status[] = {
	[LIBUSB_TRANSFER_COMPLETED] = "completed",
	[LIBUSB_TRANSFER_ERROR] = "error",
	[LIBUSB_TRANSFER_TIMED_OUT] = "timed out",
	[LIBUSB_TRANSFER_CANCELLED] = "cancelled",
	[LIBUSB_TRANSFER_STALL] = "stall",
	[LIBUSB_TRANSFER_NO_DEVICE] = "no device",
	[LIBUSB_TRANSFER_OVERFLOW] = "overflow",
};

static int async_submit(struct bench *b, struct usb *u, struct async *a,
			struct libusb_transfer **t)
{
	unsigned int i;
	uint8_t *buf;
	int ret;

	for (i = 0; i < b->opt.ring_count; i++) {
		t[i] = libusb_alloc_transfer(0);
		buf = aligned_alloc(4096, b->opt.ring_size);
		if (!t[i] || !buf) {
			free(buf);
			return LIBUSB_ERROR_NO_MEM;
		}
		libusb_fill_bulk_transfer(t[i], u->h, u->ep_in, buf,
					  (int)b->opt.ring_size, async_done, a,
					  b->opt.timeout_ms);
		ret = libusb_submit_transfer(t[i]);
		if (ret)
			return ret;
		a->busy++;
	}
	return 0;
}

static void async_free(struct bench *b, struct usb *u, struct async *a,
		       struct libusb_transfer **t)
{
	unsigned int i;

	for (i = 0; i < b->opt.ring_count; i++)
		if (t[i])
			libusb_cancel_transfer(t[i]);
	while (a->busy)
		libusb_handle_events(u->ctx);
	for (i = 0; i < b->opt.ring_count; i++) {
		if (t[i])
			free(t[i]->buffer);
		libusb_free_transfer(t[i]);
	}
}

static void run_async(struct bench *b, struct usb *u, const struct ctl *c,
		      struct scan *s, struct run *r)
{
	struct libusb_transfer *t[BENCH_MAX_RING] = { 0 };
	struct async a = { .s = s };
	struct mark t0, t1;
	int ret, lret;

	lret = async_submit(b, u, &a, t);
	if (lret) {
		run_fail(r, usb_errno(lret), "libusb_submit_transfer: %s",
			 libusb_error_name(lret));
		async_free(b, u, &a, t);
		return;
	}
	mark_now(&t0);
	ret = ref_go(c);
	if (ret)
		run_fail(r, ret, "START: %s", strerror(-ret));
	while (!ret && !scan_done(s) && !a.status && a.busy) {
		lret = libusb_handle_events(u->ctx);
		if (lret && lret != LIBUSB_ERROR_INTERRUPTED) {
			ret = usb_errno(lret);
			run_fail(r, ret, "libusb_handle_events: %s",
				 libusb_error_name(lret));
		}
	}
	mark_now(&t1);
	if (a.status && !r->err)
		run_fail(r, -EIO,
			 "a transfer failed after %" PRIu64 " bytes: %s",
			 s->bytes,
			 (unsigned int)a.status < ARRAY_SIZE(transfer_status) ?
				 transfer_status[a.status] :
				 "?");
	async_free(b, u, &a, t);
	run_close(r, &t0, &t1);
}

void usb_run(struct bench *b, enum method m, enum check check, struct run *r)
{
	struct usb u;
	struct ctl c = { .h = &u, .in = usb_in, .out = usb_out };
	struct scan s;
	uint32_t bpl;
	int ret;

	node_close(b); /* the interface is about to leave the driver */
	ret = usb_open(&u, r->why);
	if (ret) {
		r->err = ret;
		return;
	}
	ret = ref_ready(&c, b, &bpl, r->why);
	if (ret) {
		r->err = ret;
		usb_close(&u);
		return;
	}
	scan_init(&s, &b->opt, bpl, check);
	if (m == M_LIBUSB)
		run_sync(b, &u, &c, &s, r);
	else
		run_async(b, &u, &c, &s, r);
	scan_result(&s, r);
	usb_close(&u);
}
