// SPDX-License-Identifier: GPL-2.0
/*
 * ep0: FunctionFS events and the reference scanner's vendor requests.
 *
 * FunctionFS conventions this file relies on (drivers/usb/gadget/function/
 * f_fs.c):
 *  - a read() of ep0 returns up to four events; after a SETUP event the
 *    request is "pending" until ep0 is read or written once more;
 *  - IN request: write() sends the data stage (at most wLength bytes);
 *    read() instead stalls ep0;
 *  - OUT request: read() receives the data stage, or acknowledges the
 *    status stage when wLength is 0; write() instead stalls ep0;
 *  - requests without a data stage are held (USB_GADGET_DELAYED_STATUS)
 *    until we answer, so START and CANCEL may take their time, but an OUT
 *    data stage is acknowledged as soon as it has been read: SET_PARAMS
 *    cannot be stalled after its contents have been seen.  A rejected
 *    SET_PARAMS therefore makes GET_PARAMS and START stall instead, until
 *    a valid SET_PARAMS arrives (Documentation/reference-protocol.rst).
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#include "emu.h"

static const char *const event_names[] = {
	[FUNCTIONFS_BIND] = "BIND",	[FUNCTIONFS_UNBIND] = "UNBIND",
	[FUNCTIONFS_ENABLE] = "ENABLE", [FUNCTIONFS_DISABLE] = "DISABLE",
	[FUNCTIONFS_SETUP] = "SETUP",	[FUNCTIONFS_SUSPEND] = "SUSPEND",
	[FUNCTIONFS_RESUME] = "RESUME",
};

static const char *const request_names[] = {
	[REFSCAN_REQ_GET_INFO] = "GET_INFO",
	[REFSCAN_REQ_SET_PARAMS] = "SET_PARAMS",
	[REFSCAN_REQ_GET_PARAMS] = "GET_PARAMS",
	[REFSCAN_REQ_START] = "START",
	[REFSCAN_REQ_CANCEL] = "CANCEL",
	[REFSCAN_REQ_GET_STATUS] = "GET_STATUS",
};

/* Pixels in @um micrometres at @dpi, rounded to nearest */
uint32_t emu_px(uint32_t um, unsigned int dpi)
{
	return (uint32_t)(((uint64_t)um * dpi + 12700) / 25400);
}

void refscan_fill_info(struct refscan_info *info)
{
	*info = (struct refscan_info) {
		.version = REFSCAN_PROTOCOL_VERSION,
		.modes = 1 << REFSCAN_MODE_LINEART | 1 << REFSCAN_MODE_GRAY |
			 1 << REFSCAN_MODE_COLOR,
		.sources = 1 << REFSCAN_SOURCE_FLATBED |
			   1 << REFSCAN_SOURCE_ADF,
		.min_dpi = htole16(EMU_MIN_DPI),
		.max_dpi = htole16(EMU_MAX_DPI),
		.max_width_um = htole32(EMU_MAX_WIDTH_UM),
		.max_height_um = htole32(EMU_MAX_HEIGHT_UM),
	};
}

/* 0 when the host-order parameters @p are within what GET_INFO promises */
int refscan_check_params(const struct refscan_params *p)
{
	if (p->mode > REFSCAN_MODE_COLOR || p->source > REFSCAN_SOURCE_ADF)
		return -EINVAL;
	if (p->dpi < EMU_MIN_DPI || p->dpi > EMU_MAX_DPI)
		return -EINVAL;
	if (!p->width_px || p->width_px > emu_px(EMU_MAX_WIDTH_UM, p->dpi))
		return -EINVAL;
	if (p->height_px > emu_px(EMU_MAX_HEIGHT_UM, p->dpi))
		return -EINVAL;
	/* only the feeder can measure a sheet as it goes */
	if (!p->height_px && p->source != REFSCAN_SOURCE_ADF)
		return -EINVAL;
	return 0;
}

/* Answer an IN request with @len bytes of @data, cut to wLength */
static int reply(struct emu *emu, const struct usb_ctrlrequest *rq,
		 const void *data, size_t len)
{
	size_t max = le16toh(rq->wLength);

	if (len > max)
		len = max;
	if (write(emu->gadget.ep0, data, len) < 0)
		return -errno;
	return 0;
}

/* Acknowledge an OUT request that has no data stage */
static int ack(struct emu *emu)
{
	char dummy;

	return read(emu->gadget.ep0, &dummy, 0) < 0 ? -errno : 0;
}

/* Stall: the opposite direction of the request's data stage */
static int stall(struct emu *emu, const struct usb_ctrlrequest *rq)
{
	char dummy = 0;
	ssize_t n;

	if (rq->bRequestType & USB_DIR_IN)
		n = read(emu->gadget.ep0, &dummy, 0);
	else
		n = write(emu->gadget.ep0, &dummy, 0);
	/* f_fs reports a successful stall as EL2HLT */
	return n < 0 && errno != EL2HLT ? -errno : 0;
}

static void set_error(struct emu *emu, uint8_t error)
{
	pthread_mutex_lock(&emu->lock);
	emu->status.error = error;
	pthread_mutex_unlock(&emu->lock);
}

static int do_get_info(struct emu *emu, const struct usb_ctrlrequest *rq)
{
	struct refscan_info info;

	refscan_fill_info(&info);
	return reply(emu, rq, &info, sizeof(info));
}

static int do_set_params(struct emu *emu, const struct usb_ctrlrequest *rq)
{
	struct refscan_params p;
	ssize_t n;

	if (le16toh(rq->wLength) != sizeof(p))
		return stall(emu, rq);
	n = read(emu->gadget.ep0, &p, sizeof(p));
	if (n < 0)
		return -errno;
	if (n != sizeof(p))
		return -EPROTO;
	p.dpi = le16toh(p.dpi);
	p.width_px = le32toh(p.width_px);
	p.height_px = le32toh(p.height_px);
	p.bytes_per_line = refscan_bytes_per_line(p.mode, p.width_px);

	pthread_mutex_lock(&emu->lock);
	if (refscan_check_params(&p)) {
		/* the status stage is gone already: remember the refusal */
		emu->params_rejected = true;
		emu->status.error = REFSCAN_ERR_BAD_PARAMS;
	} else {
		emu->params = p;
		emu->params_rejected = false;
		if (emu->status.error == REFSCAN_ERR_BAD_PARAMS)
			emu->status.error = REFSCAN_ERR_NONE;
	}
	pthread_mutex_unlock(&emu->lock);
	emu_log(emu, "params mode %u source %u dpi %u %ux%u: %s", p.mode,
		p.source, p.dpi, p.width_px, p.height_px,
		emu->params_rejected ? "rejected" : "ok");
	return 0;
}

static int do_get_params(struct emu *emu, const struct usb_ctrlrequest *rq)
{
	struct refscan_params p;
	bool rejected;

	pthread_mutex_lock(&emu->lock);
	p = emu->params;
	rejected = emu->params_rejected;
	pthread_mutex_unlock(&emu->lock);
	if (rejected)
		return stall(emu, rq);
	p.dpi = htole16(p.dpi);
	p.width_px = htole32(p.width_px);
	p.height_px = htole32(p.height_px);
	p.bytes_per_line = htole32(p.bytes_per_line);
	return reply(emu, rq, &p, sizeof(p));
}

static int do_start(struct emu *emu, const struct usb_ctrlrequest *rq)
{
	int ret;

	if (rq->wLength)
		return stall(emu, rq);
	pthread_mutex_lock(&emu->lock);
	ret = emu->params_rejected ? -EINVAL : 0;
	pthread_mutex_unlock(&emu->lock);
	/* version 2: wValue bounds the sheets this START feeds, 0 all */
	ret = ret ?: stream_start(emu, le16toh(rq->wValue));
	if (ret == -ENOSPC)
		set_error(emu, REFSCAN_ERR_NO_PAPER);
	if (ret) {
		emu_log(emu, "START refused: %s", strerror(-ret));
		return stall(emu, rq);
	}
	ret = ack(emu);
	/* injected faults wait for this: the host's START must succeed */
	pthread_mutex_lock(&emu->lock);
	emu->start_acked = !ret;
	pthread_mutex_unlock(&emu->lock);
	return ret;
}

/* The stream has dropped every queued byte before we acknowledge */
static int do_cancel(struct emu *emu, const struct usb_ctrlrequest *rq)
{
	if (rq->wLength)
		return stall(emu, rq);
	stream_cancel(emu);
	return ack(emu);
}

/* The version 2 reply; a host asking for 16 bytes gets the version 1 one */
static int do_get_status(struct emu *emu, const struct usb_ctrlrequest *rq)
{
	struct refscan_status_v2 s;

	memset(&s, 0, sizeof(s));
	pthread_mutex_lock(&emu->lock);
	s.v1 = emu->status;
	s.scan_bytes = emu->scan_bytes;
	s.activity = emu->activity;
	pthread_mutex_unlock(&emu->lock);
	s.v1.sheets_left = htole16(s.v1.sheets_left);
	s.v1.pages_done = htole32(s.v1.pages_done);
	s.v1.bulk_out_bytes = htole32(s.v1.bulk_out_bytes);
	s.v1.bulk_out_sum = htole32(s.v1.bulk_out_sum);
	s.scan_bytes = htole32(s.scan_bytes);
	return reply(emu, rq, &s, sizeof(s));
}

typedef int (*request_fn)(struct emu *emu, const struct usb_ctrlrequest *rq);

static const struct {
	uint8_t request_type;
	request_fn fn;
} requests[] = {
	[REFSCAN_REQ_GET_INFO] = { REFSCAN_RT_IN, do_get_info },
	[REFSCAN_REQ_SET_PARAMS] = { REFSCAN_RT_OUT, do_set_params },
	[REFSCAN_REQ_GET_PARAMS] = { REFSCAN_RT_IN, do_get_params },
	[REFSCAN_REQ_START] = { REFSCAN_RT_OUT, do_start },
	[REFSCAN_REQ_CANCEL] = { REFSCAN_RT_OUT, do_cancel },
	[REFSCAN_REQ_GET_STATUS] = { REFSCAN_RT_IN, do_get_status },
};

/*
 * FunctionFS hands over only requests addressed to our interface or
 * endpoints, with wIndex already mapped to our interface number (0).
 */
static int handle_setup(struct emu *emu, const struct usb_ctrlrequest *rq)
{
	unsigned int req = rq->bRequest;
	int ret;

	emu_log(emu, "setup %02x %02x %04x %04x %u (%s)", rq->bRequestType, req,
		le16toh(rq->wValue), le16toh(rq->wIndex), le16toh(rq->wLength),
		req < ARRAY_SIZE(requests) && request_names[req] ?
			request_names[req] :
			"?");
	/* only START has a wValue (version 2: most sheets to feed) */
	if (req >= ARRAY_SIZE(requests) || !requests[req].fn ||
	    rq->bRequestType != requests[req].request_type ||
	    le16toh(rq->wIndex) != 0 ||
	    (rq->wValue != 0 && req != REFSCAN_REQ_START)) {
		emu_log(emu, "unknown or malformed request: stall");
		return stall(emu, rq);
	}
	/* a slow device: the host's control transfer waits meanwhile */
	if (emu->opt.ctrl_delay_ms)
		usleep(emu->opt.ctrl_delay_ms * 1000U);
	if (emu->opt.start_delay_ms && req == REFSCAN_REQ_START)
		usleep(emu->opt.start_delay_ms * 1000U);
	ret = requests[req].fn(emu, rq);
	if (ret)
		/* EIDRM: superseded by a newer event, e.g. an unplug */
		emu_log(emu, "request %s: %s", request_names[req],
			strerror(-ret));
	return ret;
}

static void set_configured(struct emu *emu, bool configured)
{
	pthread_mutex_lock(&emu->lock);
	emu->configured = configured;
	pthread_cond_broadcast(&emu->configured_cond);
	pthread_mutex_unlock(&emu->lock);
}

static void handle_event(struct emu *emu, const struct usb_functionfs_event *ev)
{
	if (ev->type < ARRAY_SIZE(event_names))
		emu_log(emu, "event %s", event_names[ev->type]);
	switch (ev->type) {
	case FUNCTIONFS_SETUP:
		handle_setup(emu, &ev->u.setup);
		break;
	case FUNCTIONFS_ENABLE:
		stream_enable(emu);
		set_configured(emu, true);
		break;
	case FUNCTIONFS_DISABLE:
	case FUNCTIONFS_UNBIND:
		/* unplugged or deconfigured: abort whatever was going on */
		set_configured(emu, false);
		stream_disable(emu);
		break;
	default:
		break;
	}
}

static void *ep0_thread(void *arg)
{
	struct emu *emu = arg;
	struct usb_functionfs_event ev[4];
	ssize_t n, i;

	while (!atomic_load(&emu->stopping)) {
		n = read(emu->gadget.ep0, ev, sizeof(ev));
		if (n < 0) {
			if (errno != EINTR)
				emu_warn("ep0 read: %s", strerror(errno));
			if (errno != EINTR && errno != EIDRM)
				usleep(10000); /* don't spin on a broken ep0 */
			continue;
		}
		for (i = 0; i < n / (ssize_t)sizeof(ev[0]); i++)
			handle_event(emu, &ev[i]);
	}
	return NULL;
}

int ep0_start(struct emu *emu, pthread_t *thread)
{
	return -pthread_create(thread, NULL, ep0_thread, emu);
}
