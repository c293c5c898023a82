// SPDX-License-Identifier: GPL-2.0
/*
 * The scan engine: image data on bulk-in, events on interrupt-in.
 *
 * One thread owns both endpoints and all scan state, so no locking is
 * needed for them; ep0 (START, CANCEL, ENABLE, DISABLE) talks to it through
 * a one-slot mailbox and waits for the answer.  That is what lets CANCEL
 * be acknowledged only after every queued byte has been withdrawn.
 *
 * Throughput: a blocking write() on a FunctionFS endpoint has one request
 * in flight, and the bus idles while user space refills it.  So requests
 * go through Linux AIO (FunctionFS implements it; the raw system calls are
 * used, libaio is not needed): up to opt.queue requests of opt.chunk bytes
 * are queued on the endpoint at once.  f_fs copies the data into its own
 * request buffer at submit time.  Completions arrive on an eventfd and are
 * retired strictly in submission order, so page accounting stays simple
 * even if the kernel reports them out of order.
 *
 * The feeder is mechanical: a sheet is drawn only when the pipeline needs
 * its first byte, never more than START's wValue allows (version 2), and
 * drawing one takes --feed-ms (no data meanwhile, GET_STATUS says FEEDING).
 *
 * Page framing: a page is cut into chunks that never span two pages; every
 * chunk but the last is a multiple of the endpoint's wMaxPacketSize, so
 * the last one ends the page with a short packet, or, when the page length
 * is itself a multiple of wMaxPacketSize, a zero-length request follows.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/aio_abi.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#include "emu.h"

#define EVENT_QUEUE_LEN 64 /* events waiting for the host to poll */
/* usbmon's text interface, every bus (Documentation/usb/usbmon.rst) */
#define USBMON_PATH	"/sys/kernel/debug/usb/usbmon/0u"
/* An unplug waits at most this long for the host to take the events */
#define HOST_EVENTS_MS	5000

enum stream_cmd {
	CMD_START,
	CMD_CANCEL,
	CMD_ENABLE,
	CMD_DISABLE,
	CMD_STOP,
};

/* One AIO request, bulk-in or interrupt-in */
struct req {
	struct iocb cb;
	uint8_t *buf;
	size_t len;
	bool done;   /* completion seen, waiting to retire */
	int64_t res; /* bytes written or -errno */
	/* bulk-in only: this request ends page @page of @page_bytes bytes */
	bool page_end;
	bool last_page;
	uint32_t page;
	uint32_t page_bytes;
};

struct stream {
	struct emu *emu;
	aio_context_t ctx;
	int aio_efd; /* AIO completions */
	int cmd_efd; /* a command is in the mailbox */
	pthread_t thread;

	/* mailbox: cmd_lock admits one caller, box_lock guards the slot */
	pthread_mutex_t cmd_lock;
	pthread_mutex_t box_lock;
	pthread_cond_t box_cond;
	enum stream_cmd cmd;
	unsigned int cmd_arg; /* CMD_START: most sheets to feed, 0 all */
	int cmd_ret;
	bool cmd_pending;

	/* bulk-in ring: @count requests in flight from @head on */
	struct req data[EMU_MAX_QUEUE];
	unsigned int head, count, depth;
	size_t chunk;

	/* interrupt-in: one request in flight, more waiting in @evq */
	struct req event;
	bool event_busy;
	struct refscan_event evq[EVENT_QUEUE_LEN];
	unsigned int evq_head, evq_len;

	bool enabled;	    /* host has configured us */
	uint16_t maxpacket; /* bulk-in, at the current speed */

	/* the scan */
	bool scanning;		      /* pages not yet completely sent */
	bool submitting;	      /* pages not yet completely queued */
	struct refscan_params params; /* copy taken at START */
	uint32_t page;		      /* page being queued, 0-based */
	bool page_open;		      /* its sheet has been drawn */
	bool page_last;		      /* no page follows it */
	bool zlp_due; /* it still needs its zero-length packet */
	uint64_t page_len, page_off;
	const uint8_t *page_data; /* --image: the page's bytes, else formula */

	/* the feeder: START's bound on the sheets, sheets drawn since */
	unsigned int max_sheets, sheets_fed;

	/* a slow device: --warmup-ms, --feed-ms, --rate-kib */
	uint64_t t_start_ns; /* when data may start flowing (rate base) */
	uint64_t t_warm_ns;  /* the lamp is warm from then on */
	uint64_t t_fed_ns;   /* the sheet being drawn is in from then on */
	uint64_t scan_bytes; /* bytes queued since START */
	size_t scan_chunk;   /* request size for this scan */

	/* --fault: fires once; @fault_hit waits for the data before it */
	bool fault_done;
	bool fault_hit;
	uint64_t fault_wait_ns; /* an unplug waits for the host since */

	/*
	 * A disconnect fault: the events the host took, seen in usbmon by
	 * @mon_thread (-1: no usbmon), against the event requests done
	 */
	int mon_fd;
	pthread_t mon_thread;
	atomic_uint host_events;
	unsigned int events_done;
};

static long sys_io_setup(unsigned int nr, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr, ctx);
}

static long sys_io_destroy(aio_context_t ctx)
{
	return syscall(SYS_io_destroy, ctx);
}

static long sys_io_submit(aio_context_t ctx, long n, struct iocb **cbs)
{
	return syscall(SYS_io_submit, ctx, n, cbs);
}

static long sys_io_cancel(aio_context_t ctx, struct iocb *cb,
			  struct io_event *res)
{
	return syscall(SYS_io_cancel, ctx, cb, res);
}

static long sys_io_getevents(aio_context_t ctx, long min, long max,
			     struct io_event *evs, struct timespec *timeout)
{
	return syscall(SYS_io_getevents, ctx, min, max, evs, timeout);
}

static int submit(struct stream *s, struct req *r, int fd, size_t len)
{
	struct iocb *cbs[1] = { &r->cb };

	r->cb = (struct iocb) {
		.aio_data = (uintptr_t)r,
		.aio_lio_opcode = IOCB_CMD_PWRITE,
		.aio_fildes = fd,
		.aio_buf = (uintptr_t)r->buf,
		.aio_nbytes = len,
		.aio_flags = IOCB_FLAG_RESFD,
		.aio_resfd = s->aio_efd,
	};
	r->len = len;
	r->done = false;
	r->res = 0;
	return sys_io_submit(s->ctx, 1, cbs) == 1 ? 0 : -errno;
}

/* --- events on interrupt-in ---------------------------------------- */

static void queue_event(struct stream *s, uint8_t type, uint8_t flags,
			uint32_t page, uint32_t arg)
{
	struct refscan_event *ev;

	if (s->evq_len == EVENT_QUEUE_LEN) {
		/* the host is not reading events: it loses the newest */
		emu_log(s->emu, "event queue full, event %u dropped", type);
		return;
	}
	ev = &s->evq[(s->evq_head + s->evq_len++) % EVENT_QUEUE_LEN];
	*ev = (struct refscan_event) {
		.type = type,
		.flags = flags,
		.page = htole16((uint16_t)page),
		.arg = htole32(arg),
	};
	emu_log(s->emu, "event %u flags %u page %u arg %u queued", type, flags,
		page, arg);
}

static void pump_events(struct stream *s)
{
	int ret;

	if (s->event_busy || !s->evq_len || !s->enabled)
		return;
	memcpy(s->event.buf, &s->evq[s->evq_head],
	       sizeof(struct refscan_event));
	ret = submit(s, &s->event, s->emu->gadget.ep_intr,
		     sizeof(struct refscan_event));
	if (ret) {
		emu_warn("interrupt-in submit: %s", strerror(-ret));
		return;
	}
	s->event_busy = true;
	s->evq_head = (s->evq_head + 1) % EVENT_QUEUE_LEN;
	s->evq_len--;
}

/* --- image data on bulk-in ----------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000 + (uint64_t)t.tv_nsec;
}

/* Take one sheet through the feeder: --feed-ms without data */
static void feed_sheet(struct stream *s)
{
	uint64_t feed = (uint64_t)s->emu->opt.feed_ms * 1000000;

	s->sheets_fed++;
	if (!feed)
		return;
	s->t_fed_ns = now_ns() + feed;
	s->t_start_ns += feed; /* --rate-kib counts the time of sending only */
}

/* Draw the next sheet (ADF) and work out the next page's length */
static void begin_page(struct stream *s)
{
	struct emu *emu = s->emu;
	const struct emu_options *opt = &emu->opt;
	uint32_t rows = s->params.height_px;
	unsigned int sheet = 0; /* the flatbed shows the first picture */

	pthread_mutex_lock(&emu->lock);
	if (s->params.source == REFSCAN_SOURCE_ADF) {
		unsigned int i = emu->sheet_index++;

		sheet = i;

		emu->status.sheets_left--;
		feed_sheet(s);
		if (!rows && opt->n_page_lengths)
			rows = opt->page_lengths[i < opt->n_page_lengths ?
							 i :
							 opt->n_page_lengths -
								 1];
		else if (!rows)
			rows = emu_px(EMU_A4_HEIGHT_UM, s->params.dpi);
		s->page_last =
			!emu->status.sheets_left ||
			(s->max_sheets && s->sheets_fed == s->max_sheets);
	} else {
		s->page_last = true;
	}
	pthread_mutex_unlock(&emu->lock);

	s->page_len = (uint64_t)rows * s->params.bytes_per_line;
	s->page_data = NULL;
	if (emu->sheets) {
		/*
		 * Rendering a page anew takes a while at high resolutions
		 * (about 1 s natively for A4 color at 600 dpi, ten times
		 * that under TCG): a real scanner would be drawing the sheet
		 * or warming up, and says so, so the host keeps waiting
		 */
		pthread_mutex_lock(&emu->lock);
		emu->activity = s->params.source == REFSCAN_SOURCE_ADF ?
					REFSCAN_ACT_FEEDING :
					REFSCAN_ACT_WARMING_UP;
		pthread_mutex_unlock(&emu->lock);
		s->page_data = sheets_page(emu->sheets, sheet, s->params.mode,
					   s->params.width_px, rows);
		if (!s->page_data && rows)
			emu_warn("page %u: no memory for the picture, "
				 "sending the formula",
				 s->page);
	}
	if (opt->fault.kind == FAULT_SHORT && !s->fault_done &&
	    s->page == opt->fault.page && opt->fault.offset < s->page_len) {
		s->page_len = opt->fault.offset;
		s->fault_done = true;
		emu_warn("fault: page %u cut to %" PRIu64 " bytes", s->page,
			 s->page_len);
	}
	s->page_off = 0;
	s->page_open = true;
	emu_log(emu, "page %u: %u rows, %" PRIu64 " bytes%s, sheets left %u",
		s->page, rows, s->page_len, s->page_last ? ", last" : "",
		emu->status.sheets_left);
}

/*
 * The byte offset in the current page where a pending stall, jam,
 * double-feed or disconnect fault fires, whole packets only; UINT64_MAX
 * when none is due in this page.
 */
static uint64_t fault_point(const struct stream *s)
{
	const struct emu_fault *f = &s->emu->opt.fault;

	if (f->kind == FAULT_NONE || f->kind == FAULT_SHORT || s->fault_done ||
	    s->page != f->page || !s->page_open)
		return UINT64_MAX;
	if (f->offset >= s->page_len)
		return UINT64_MAX;
	return f->offset / s->maxpacket * s->maxpacket;
}

/* Queue the next piece of the current page into @r; returns its length */
static size_t next_chunk(struct stream *s, struct req *r)
{
	size_t n;

	r->page = s->page;
	r->page_bytes = (uint32_t)s->page_len;
	r->last_page = s->page_last;
	if (s->zlp_due) {
		s->zlp_due = false;
		r->page_end = true;
		return 0;
	}
	n = s->page_len - s->page_off < s->scan_chunk ?
		    s->page_len - s->page_off :
		    s->scan_chunk;
	if (fault_point(s) > s->page_off && fault_point(s) - s->page_off < n)
		n = fault_point(s) - s->page_off;
	if (s->page_data)
		memcpy(r->buf, s->page_data + s->page_off, n);
	else
		image_fill(r->buf, n, s->page_off, s->params.bytes_per_line,
			   s->page);
	s->page_off += n;
	r->page_end = false;
	if (s->page_off == s->page_len) {
		/* a short packet, or an empty page's only ZLP, ends the page */
		if (s->page_len % s->maxpacket || !n)
			r->page_end = true;
		else
			s->zlp_due = true;
	}
	return n;
}

static void abort_scan(struct stream *s, uint8_t error);
static void end_scan(struct stream *s, uint8_t error);

/*
 * Milliseconds until the next request may be queued (0: now), for
 * --warmup-ms and --rate-kib; the rate is kept on average since START.
 */
static int throttle_ms(const struct stream *s)
{
	const struct emu_options *opt = &s->emu->opt;
	uint64_t due = s->t_start_ns, now = now_ns();

	if (opt->rate) /* split so that bytes * 1e9 cannot overflow */
		due += s->scan_bytes / opt->rate * 1000000000 +
		       s->scan_bytes % opt->rate * 1000000000 / opt->rate;
	if (due < s->t_fed_ns)
		due = s->t_fed_ns;
	if (now >= due)
		return 0;
	return (int)((due - now + 999999) / 1000000);
}

static void fill_pipeline(struct stream *s)
{
	while (s->submitting && s->enabled && s->count < s->depth &&
	       !throttle_ms(s)) {
		struct req *r = &s->data[(s->head + s->count) % s->depth];
		size_t n;
		int ret;

		if (!s->page_open) {
			begin_page(s);
			if (throttle_ms(s))
				continue; /* the sheet is on its way in */
		}
		if (!s->zlp_due && s->page_off == fault_point(s)) {
			/* queue nothing more; fire once the host has the rest */
			s->fault_hit = true;
			s->submitting = false;
			return;
		}
		n = next_chunk(s, r);
		ret = submit(s, r, s->emu->gadget.ep_in, n);
		if (ret) {
			emu_warn("bulk-in submit: %s", strerror(-ret));
			abort_scan(s, REFSCAN_ERR_CANCELLED);
			return;
		}
		s->count++;
		s->scan_bytes += n;
		if (r->page_end) {
			s->page_open = false;
			s->page++;
			if (r->last_page)
				s->submitting = false;
		}
	}
}

static void page_done(struct stream *s, const struct req *r)
{
	struct emu *emu = s->emu;
	bool adf = s->params.source == REFSCAN_SOURCE_ADF;
	bool empty;

	pthread_mutex_lock(&emu->lock);
	emu->status.pages_done++;
	if (r->last_page)
		emu->status.state = REFSCAN_STATE_IDLE;
	empty = !emu->status.sheets_left;
	pthread_mutex_unlock(&emu->lock);

	queue_event(s, REFSCAN_EVENT_PAGE_DONE,
		    r->last_page ? REFSCAN_EVENT_FLAG_LAST : 0, r->page,
		    r->page_bytes);
	if (r->last_page) {
		s->scanning = false;
		/* a scan that ends at START's bound leaves sheets in */
		if (adf && empty)
			queue_event(s, REFSCAN_EVENT_FEEDER_EMPTY, 0, r->page,
				    0);
	}
}

/* Retire completed bulk-in requests, oldest first */
static void retire(struct stream *s)
{
	while (s->count && s->data[s->head].done) {
		struct req *r = &s->data[s->head];

		s->head = (s->head + 1) % s->depth;
		s->count--;
		if (r->res != (int64_t)r->len) {
			/* ESHUTDOWN and friends: the host went away */
			emu_log(s->emu, "bulk-in request: %s",
				r->res < 0 ? strerror((int)-r->res) : "short");
			abort_scan(s, REFSCAN_ERR_CANCELLED);
			return;
		}
		if (r->page_end)
			page_done(s, r);
	}
}

static void complete(struct stream *s, const struct io_event *ev)
{
	struct req *r = (struct req *)(uintptr_t)ev->data;

	r->done = true;
	r->res = ev->res;
	if (r == &s->event) {
		s->event_busy = false;
		if (ev->res == (int64_t)sizeof(struct refscan_event))
			s->events_done++;
		if (ev->res < 0)
			emu_log(s->emu, "interrupt-in: %s",
				strerror((int)-ev->res));
	}
}

/* Reap whatever has completed; wait up to @timeout for at least @min */
static int reap(struct stream *s, long min, struct timespec *timeout)
{
	struct io_event evs[EMU_MAX_QUEUE + 1];
	long n, i;

	n = sys_io_getevents(s->ctx, min, EMU_MAX_QUEUE + 1, evs, timeout);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++)
		complete(s, &evs[i]);
	return (int)n;
}

static unsigned int in_flight(const struct stream *s)
{
	unsigned int i, n = s->event_busy;

	for (i = 0; i < s->count; i++)
		n += !s->data[(s->head + i) % s->depth].done;
	return n;
}

/*
 * Withdraw every queued request and wait until the kernel has given each
 * one back: after this, nothing of the current scan can reach the host.
 * f_fs's AIO cancel dequeues the USB request; a request that completed
 * meanwhile is simply reaped.
 */
static void drop_all_io(struct stream *s)
{
	struct io_event ev;
	struct timespec t;
	unsigned int i;

	for (i = 0; i < s->count; i++) {
		struct req *r = &s->data[(s->head + i) % s->depth];

		if (!r->done)
			sys_io_cancel(s->ctx, &r->cb, &ev);
	}
	if (s->event_busy)
		sys_io_cancel(s->ctx, &s->event.cb, &ev);
	while (in_flight(s)) {
		t = (struct timespec) { .tv_sec = 5 };
		if (reap(s, 1, &t) == 0)
			emu_warn("still waiting for %u cancelled requests",
				 in_flight(s));
	}
	s->head = s->count = 0;
	s->evq_len = 0;
	/* harmless where the UDC has no FIFO to flush (dummy_hcd) */
	if (s->enabled)
		ioctl(s->emu->gadget.ep_in, FUNCTIONFS_FIFO_FLUSH);
}

/* The scan is over (nothing of it in flight); @error goes to GET_STATUS */
static void end_scan(struct stream *s, uint8_t error)
{
	struct emu *emu = s->emu;
	bool was_scanning = s->scanning;

	s->fault_hit = false;
	s->fault_wait_ns = 0;
	s->scanning = s->submitting = false;
	s->page_open = s->zlp_due = false;
	if (!was_scanning)
		return;
	pthread_mutex_lock(&emu->lock);
	emu->status.state = REFSCAN_STATE_IDLE;
	emu->status.error = error;
	pthread_mutex_unlock(&emu->lock);
	emu_log(emu, "scan aborted after %u pages", s->page);
}

/* Stop the scan, dropping its data and events; @error goes to GET_STATUS */
static void abort_scan(struct stream *s, uint8_t error)
{
	drop_all_io(s);
	end_scan(s, error);
}

static bool start_acked(struct stream *s)
{
	bool acked;

	pthread_mutex_lock(&s->emu->lock);
	acked = s->emu->start_acked;
	pthread_mutex_unlock(&s->emu->lock);
	return acked;
}

/*
 * Whether the host has taken every event sent.  A done request does not
 * say so: dummy_hcd completes a short IN request on an idle endpoint (up
 * to its FIFO_SIZE, 64 bytes: every event) the moment it is queued, and
 * the host's interrupt URB takes the packet at its next poll, a
 * millisecond or, on a loaded machine, much later.  An unplug before that
 * poll throws the packet away.  So usbmon must show the host's URB given
 * back with it (status 0, one event long) as often as requests were done.
 * Without usbmon, or if its lines never come (it drops events when its
 * reader falls behind), the wait ends after HOST_EVENTS_MS, with a warning.
 */
static bool host_has_events(struct stream *s)
{
	uint64_t now = now_ns();

	if (!s->events_done ||
	    (s->mon_fd >= 0 && atomic_load(&s->host_events) >= s->events_done))
		return true;
	if (!s->fault_wait_ns) {
		s->fault_wait_ns = now;
		return false;
	}
	if (now - s->fault_wait_ns < (uint64_t)HOST_EVENTS_MS * 1000000)
		return false;
	emu_warn("fault: %u events done, the host took %u (usbmon%s)",
		 s->events_done, atomic_load(&s->host_events),
		 s->mon_fd >= 0 ? "" : " unavailable");
	return true;
}

/*
 * A fault fires once everything before its point has reached the host:
 * the data, and for an unplug also the events already queued (the
 * PAGE_DONE of the pages before it), as with a cable pulled after them
 */
static bool fault_due(struct stream *s)
{
	if (!s->fault_hit || s->count || !start_acked(s))
		return false;
	if (s->emu->opt.fault.kind != FAULT_DISCONNECT)
		return true;
	return !s->event_busy && !s->evq_len && host_has_events(s);
}

/*
 * Everything before the fault point has reached the host: misbehave.
 * Reading from an IN endpoint file makes f_fs halt the endpoint.
 */
static void fire_fault(struct stream *s)
{
	const struct emu_fault *f = &s->emu->opt.fault;
	uint32_t page = s->page;
	char c;

	s->fault_hit = false;
	s->fault_done = true;
	s->fault_wait_ns = 0;
	emu_warn("fault: %s in page %u after %" PRIu64 " bytes",
		 f->kind == FAULT_STALL	      ? "stall" :
		 f->kind == FAULT_JAM	      ? "jam" :
		 f->kind == FAULT_DOUBLE_FEED ? "double feed" :
		 f->kind == FAULT_FREEZE      ? "freeze" :
						"disconnect",
		 page, s->page_off);
	switch (f->kind) {
	case FAULT_STALL:
		/* idle before the host can see the stall and ask */
		end_scan(s, REFSCAN_ERR_CANCELLED);
		if (read(s->emu->gadget.ep_in, &c, 1) >= 0 || errno != EBADMSG)
			emu_warn("bulk-in halt: %s", strerror(errno));
		break;
	case FAULT_JAM:
		/* no data in flight; events already queued still go out */
		end_scan(s, REFSCAN_ERR_JAM);
		queue_event(s, REFSCAN_EVENT_PAPER_JAM, 0, page, 0);
		break;
	case FAULT_DOUBLE_FEED:
		end_scan(s, REFSCAN_ERR_DOUBLE_FEED);
		queue_event(s, REFSCAN_EVENT_DOUBLE_FEED, 0, page, 0);
		break;
	case FAULT_DISCONNECT:
		/* the main thread unplugs (SIGUSR1), as if the cable went */
		kill(getpid(), SIGUSR1);
		break;
	default:
		/* FAULT_FREEZE: send nothing more, yet stay SCANNING */
		break;
	}
}

/* --- commands -------------------------------------------------------- */

/*
 * A host that has just read the last page's final packet may send START
 * before that request's completion has made its way back to us (f_fs
 * completes AIO from a workqueue).  Let such a scan finish first, for a
 * bounded time: the data is on the host already, only the news is late.
 */
static void settle(struct stream *s)
{
	struct timespec t = { .tv_nsec = 100 * 1000 * 1000 };
	int i;

	for (i = 0; i < 10 && s->scanning && !s->submitting; i++) {
		if (reap(s, 1, &t) < 0)
			break;
		retire(s);
	}
}

static int cmd_start(struct stream *s)
{
	struct emu *emu = s->emu;
	int ret = 0;

	settle(s);
	if (s->scanning)
		return -EBUSY;
	if (!s->enabled)
		return -ENODEV;
	pthread_mutex_lock(&emu->lock);
	s->params = emu->params;
	if (s->params.source == REFSCAN_SOURCE_ADF &&
	    !emu->status.sheets_left) {
		ret = -ENOSPC;
	} else {
		emu->status.state = REFSCAN_STATE_SCANNING;
		emu->status.error = REFSCAN_ERR_NONE;
		emu->start_acked = false;
		emu->status.pages_done = 0;
	}
	pthread_mutex_unlock(&emu->lock);
	if (ret)
		return ret;
	s->scanning = s->submitting = true;
	s->page = 0;
	s->page_open = s->zlp_due = false;
	s->t_start_ns = now_ns() + (uint64_t)emu->opt.warmup_ms * 1000000;
	s->t_warm_ns = s->t_start_ns;
	s->t_fed_ns = 0;
	s->max_sheets = s->cmd_arg;
	s->sheets_fed = 0;
	s->scan_bytes = 0;
	/* rate-limited: about 20 requests a second, whole packets */
	s->scan_chunk = s->chunk;
	if (emu->opt.rate && emu->opt.rate / 20 < s->chunk)
		s->scan_chunk =
			emu->opt.rate / 20 / s->maxpacket * s->maxpacket;
	if (!s->scan_chunk)
		s->scan_chunk = s->maxpacket;
	return 0;
}

static int cmd_enable(struct stream *s)
{
	struct usb_endpoint_descriptor desc;

	s->enabled = true;
	/* the descriptor in use tells the speed the host chose */
	if (ioctl(s->emu->gadget.ep_in, FUNCTIONFS_ENDPOINT_DESC, &desc) == 0)
		s->maxpacket = le16toh(desc.wMaxPacketSize) & 0x7ff;
	if (!s->maxpacket)
		s->maxpacket = 512;
	emu_log(s->emu, "bulk-in wMaxPacketSize %u", s->maxpacket);
	return 0;
}

static int run_cmd(struct stream *s, enum stream_cmd cmd)
{
	switch (cmd) {
	case CMD_START:
		return cmd_start(s);
	case CMD_CANCEL:
		abort_scan(s, REFSCAN_ERR_CANCELLED);
		return 0;
	case CMD_ENABLE:
		return cmd_enable(s);
	case CMD_DISABLE:
	case CMD_STOP:
		abort_scan(s, REFSCAN_ERR_CANCELLED);
		s->enabled = false;
		return 0;
	}
	return -EINVAL;
}

/* Take the command from the mailbox, run it, post the answer */
static bool serve_mailbox(struct stream *s)
{
	enum stream_cmd cmd;
	uint64_t cnt;
	int ret;

	if (read(s->cmd_efd, &cnt, sizeof(cnt)) < 0)
		return false;
	pthread_mutex_lock(&s->box_lock);
	cmd = s->cmd;
	pthread_mutex_unlock(&s->box_lock);
	ret = run_cmd(s, cmd);
	pthread_mutex_lock(&s->box_lock);
	s->cmd_ret = ret;
	s->cmd_pending = false;
	pthread_cond_broadcast(&s->box_cond);
	pthread_mutex_unlock(&s->box_lock);
	return cmd == CMD_STOP;
}

/* What GET_STATUS (version 2) says the scanner is doing, and how far */
static void publish_activity(struct stream *s)
{
	struct emu *emu = s->emu;
	uint64_t now = now_ns();
	uint8_t act = REFSCAN_ACT_IDLE;

	if (s->scanning && now < s->t_warm_ns)
		act = REFSCAN_ACT_WARMING_UP;
	else if (s->scanning && now < s->t_fed_ns)
		act = REFSCAN_ACT_FEEDING;
	else if (s->scanning)
		act = REFSCAN_ACT_SENDING;
	pthread_mutex_lock(&emu->lock);
	emu->activity = act;
	emu->scan_bytes = (uint32_t)s->scan_bytes;
	pthread_mutex_unlock(&emu->lock);
}

static void *stream_thread(void *arg)
{
	struct stream *s = arg;
	struct pollfd pfd[2] = {
		{ .fd = s->cmd_efd, .events = POLLIN },
		{ .fd = s->aio_efd, .events = POLLIN },
	};
	struct timespec now = { 0 };
	uint64_t cnt;

	for (;;) {
		int timeout;

		fill_pipeline(s);
		if (fault_due(s))
			fire_fault(s);
		pump_events(s);
		publish_activity(s);
		/* wake up when a throttled scan may queue more */
		timeout = s->submitting && s->enabled && s->count < s->depth ?
				  throttle_ms(s) :
				  -1;
		if (s->fault_hit && !s->count)
			timeout = 5; /* for START's acknowledgement */
		if (poll(pfd, 2, timeout) <= 0)
			continue;
		if (pfd[1].revents & POLLIN) {
			if (read(s->aio_efd, &cnt, sizeof(cnt)) > 0)
				while (reap(s, 0, &now) > 0)
					;
			retire(s);
		}
		if ((pfd[0].revents & POLLIN) && serve_mailbox(s))
			break;
	}
	return NULL;
}

static int post(struct emu *emu, enum stream_cmd cmd, unsigned int arg)
{
	struct stream *s = emu->stream;
	uint64_t one = 1;
	int ret;

	pthread_mutex_lock(&s->cmd_lock);
	pthread_mutex_lock(&s->box_lock);
	s->cmd = cmd;
	s->cmd_arg = arg;
	s->cmd_pending = true;
	pthread_mutex_unlock(&s->box_lock);
	if (write(s->cmd_efd, &one, sizeof(one)) < 0)
		emu_warn("stream mailbox: %s", strerror(errno));
	pthread_mutex_lock(&s->box_lock);
	while (s->cmd_pending)
		pthread_cond_wait(&s->box_cond, &s->box_lock);
	ret = s->cmd_ret;
	pthread_mutex_unlock(&s->box_lock);
	pthread_mutex_unlock(&s->cmd_lock);
	return ret;
}

/*
 * 0, -EBUSY (scanning), -ENOSPC (feeder empty) or -ENODEV (unplugged);
 * an ADF scan feeds at most @max_sheets sheets (0: until it is empty)
 */
int stream_start(struct emu *emu, unsigned int max_sheets)
{
	return post(emu, CMD_START, max_sheets);
}

int stream_cancel(struct emu *emu)
{
	return post(emu, CMD_CANCEL, 0);
}

int stream_enable(struct emu *emu)
{
	return post(emu, CMD_ENABLE, 0);
}

int stream_disable(struct emu *emu)
{
	return post(emu, CMD_DISABLE, 0);
}

/* --- the host's side: usbmon -------------------------------------- */

/*
 * One usbmon text line (Documentation/usb/usbmon.rst, "text data"): count
 * the host's interrupt-in URBs given back whole with an event.  The fields:
 * "TAG TIMESTAMP C Ii:BUS:DEV:EP STATUS:INTERVAL LENGTH = DATA".
 */
static void mon_line(struct stream *s, char *line)
{
	char *save = NULL, *field[6], *end;
	unsigned long len;
	int i;

	for (i = 0; i < 6; i++) {
		field[i] = strtok_r(i ? NULL : line, " ", &save);
		if (!field[i])
			return;
	}
	len = strtoul(field[5], &end, 10);
	if (!strcmp(field[2], "C") && !strncmp(field[3], "Ii:", 3) &&
	    !strncmp(field[4], "0:", 2) && !*end &&
	    len == sizeof(struct refscan_event))
		atomic_fetch_add(&s->host_events, 1);
}

static void *mon_thread(void *arg)
{
	struct stream *s = arg;
	char buf[8192];
	size_t have = 0;
	ssize_t n;
	char *nl, *p;

	for (;;) {
		n = read(s->mon_fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return NULL;
		}
		have += (size_t)n;
		buf[have] = '\0';
		for (p = buf; (nl = strchr(p, '\n')); p = nl + 1) {
			*nl = '\0';
			mon_line(s, p);
		}
		have -= (size_t)(p - buf);
		memmove(buf, p, have);
		if (have == sizeof(buf) - 1)
			have = 0; /* no line is this long: drop it */
	}
}

/* modprobe -q usbmon (the emulator runs as root in the guest): 0 if it did */
static int load_usbmon(void)
{
	static char prog[] = "modprobe", quiet[] = "-q", mod[] = "usbmon";
	char *argv[] = { prog, quiet, mod, NULL };
	int status;
	pid_t pid;

	if (posix_spawnp(&pid, prog, NULL, NULL, argv, environ) ||
	    waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/*
 * A disconnect fault needs to know when the host has the events
 * (host_has_events): read usbmon from now on, loading it if need be
 */
static void mon_start(struct stream *s)
{
	s->mon_fd = open(USBMON_PATH, O_RDONLY | O_CLOEXEC);
	if (s->mon_fd < 0 && !load_usbmon())
		s->mon_fd = open(USBMON_PATH, O_RDONLY | O_CLOEXEC);
	if (s->mon_fd < 0) {
		emu_warn("%s: %s: an unplug waits %u ms for the events",
			 USBMON_PATH, strerror(errno), HOST_EVENTS_MS);
		return;
	}
	if (pthread_create(&s->mon_thread, NULL, mon_thread, s)) {
		close(s->mon_fd);
		s->mon_fd = -1;
	}
}

static void mon_stop(struct stream *s)
{
	if (s->mon_fd < 0)
		return;
	pthread_cancel(s->mon_thread);
	pthread_join(s->mon_thread, NULL);
	close(s->mon_fd);
	s->mon_fd = -1;
}

static int alloc_buffers(struct stream *s)
{
	unsigned int i;

	for (i = 0; i < s->depth; i++) {
		s->data[i].buf = aligned_alloc(4096, s->chunk);
		if (!s->data[i].buf)
			return -ENOMEM;
	}
	/* one interrupt packet: a struct refscan_event (refscan.h asserts it) */
	s->event.buf = malloc(REFSCAN_INTR_MAXPACKET);
	return s->event.buf ? 0 : -ENOMEM;
}

static void free_stream(struct stream *s)
{
	unsigned int i;

	mon_stop(s);
	for (i = 0; i < EMU_MAX_QUEUE; i++)
		free(s->data[i].buf);
	free(s->event.buf);
	if (s->ctx)
		sys_io_destroy(s->ctx);
	if (s->aio_efd >= 0)
		close(s->aio_efd);
	if (s->cmd_efd >= 0)
		close(s->cmd_efd);
	free(s);
}

int stream_create(struct emu *emu)
{
	struct stream *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	s->emu = emu;
	s->depth = emu->opt.queue;
	s->chunk = emu->opt.chunk;
	s->maxpacket = 512;
	s->mon_fd = -1;
	if (emu->opt.fault.kind == FAULT_DISCONNECT)
		mon_start(s);
	s->aio_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->cmd_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&s->cmd_lock, NULL);
	pthread_mutex_init(&s->box_lock, NULL);
	pthread_cond_init(&s->box_cond, NULL);
	ret = s->aio_efd < 0 || s->cmd_efd < 0 ? -errno : 0;
	if (!ret && sys_io_setup(s->depth + 1, &s->ctx))
		ret = -errno;
	ret = ret ?: alloc_buffers(s);
	ret = ret ?: -pthread_create(&s->thread, NULL, stream_thread, s);
	if (ret) {
		free_stream(s);
		return ret;
	}
	emu->stream = s;
	return 0;
}

void stream_destroy(struct emu *emu)
{
	struct stream *s = emu->stream;

	if (!s)
		return;
	post(emu, CMD_STOP, 0);
	pthread_join(s->thread, NULL);
	free_stream(s);
	emu->stream = NULL;
}
