// SPDX-License-Identifier: GPL-2.0
/*
 * A scanner as a source of buffers: a wiascan device (device.c) driven by
 * the protocol that matches its IDs (protocol.h).
 *
 * While streaming, the loop waits with poll() for either a filled buffer
 * or an interrupt event, so a jam or a double feed reported by the
 * scanner ends the scan at once instead of after a DQBUF timeout.
 * Page-done events that arrive before their page's last buffer is
 * dequeued are kept, in order, until the loop asks for them.
 *
 * Events and data come through different endpoints, so a jam or double
 * feed can arrive while buffers of a page the scanner already ended are
 * still on their way: such pages are finished first (their data is due),
 * and the fault ends the scan once no ended page is waiting for data, or
 * when that data stops coming (FAULT_GRACE_MS).
 *
 * A slow scanner is not a dead one: while no data comes the source asks
 * the scanner's status every STATUS_POLL_MS, and the timeout counts from
 * the last sign that the scanner moves (data, an event, a status that
 * changed, or a scanner that says it is warming up or feeding a sheet, for
 * at most BUSY_MAX_MS in a row).  Documentation/reference-protocol.rst,
 * "Waiting for data".
 *
 * One client at a time: the scanner is claimed right after opening, before
 * any request that could change it, and a claim left by a client that died
 * mid-scan is cleaned up (cancel, wait for idle, drop stale data and
 * events) before the scan.  After an unplug the buffers and events that
 * arrived before it are still collected, so the pages they complete count.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "protocol.h"
#include "source.h"

#define PENDING_MAX    16   /* page-done events kept ahead of the data */
#define DRAIN_MAX      4096 /* stale events dropped at most before a scan */
/* After a fault, how long the data of pages already ended may take */
#define FAULT_GRACE_MS 5000
/* While no data comes, ask the scanner's status this often */
#define STATUS_POLL_MS 1000
/* A scanner may say it is warming up or feeding this long in one stretch */
#define BUSY_MAX_MS    600000
/* Recovery: stale bulk-in data is read with this timeout until none comes */
#define STALE_READ_MS  200
#define STALE_READ_MAX 4096
#define STALE_READ_LEN (64 * 1024)
/* The first buffer of a scan is filled with this much (dev_first_xfer) */
#define FIRST_XFER     (64 * 1024)

struct dev_source {
	struct scan_source base;
	struct device *dev;
	const struct scan_protocol_ops *proto;
	char *path;
	struct scan_event pending[PENDING_MAX];
	unsigned int npending;
	unsigned int empty_wakeups;
	enum scan_cond fault; /* a jam or double feed not yet reported */
	uint32_t max_sheets;  /* bound on the sheets of one START, 0: none */
	bool abandoned;	      /* the claim was left by a client that died */
	bool unplugged;	      /* QBUF said so: collect what is left */
	struct scan_status last_st; /* the status seen last while waiting */
	bool have_st;
	uint64_t moved_ms;	  /* when the scanner last showed progress */
	uint64_t busy_since_ms;	  /* warming up or feeding since, 0: not */
	enum scan_activity shown; /* the activity the display was told */
	uint64_t checked_ms;	  /* non-blocking: status last asked then */
	int epfd;		  /* poll_fd: the node and the tick, or -1 */
	int tfd;		  /* the tick (a timerfd), or -1 */
	/* a command-driven protocol (proto->xfer_begin): one READ at a time */
	bool cmd;	  /* this mode */
	bool *held;	  /* per buffer: dequeued, not yet released */
	int inflight;	  /* the buffer its command fills, or -1 */
	bool cmd_done;	  /* the protocol has no more data to send */
	int cmd_err;	  /* a failed command, reported at the next call */
	uint8_t *scratch; /* fmt.inverted: the buffer turned back */
};

static uint64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static struct dev_source *to_dev(struct scan_source *src)
{
	return (struct dev_source *)src;
}

static int dev_fail(struct dev_source *d, int ret, const char *action)
{
	return wias_werr_set(d->base.err, WERR_DEVICE, ret, "%s: %s", d->path,
			     action);
}

/* Errors a host controller gives transfers in flight when a cable is pulled */
static bool dev_bus_error(int status)
{
	return status == -EPROTO || status == -EILSEQ || status == -ETIME ||
	       status == -ESHUTDOWN;
}

/* After a failed transfer, ask the scanner whether it jammed */
static void dev_diagnose(struct dev_source *d, int ret)
{
	struct scan_status st;

	if (ret == -ENODEV || ret == -ESHUTDOWN)
		return;
	if (!d->proto->status(d->dev, &st) && st.cond != SCAN_COND_CANCELLED)
		wias_werr_cond(d->base.err, st.cond);
}

/* End the scan with the jam or double feed the scanner reported */
static int dev_fault(struct dev_source *d)
{
	wias_werr_cond(d->base.err, d->fault);
	dev_fail(d, -EIO, "scan");
	return -EIO;
}

/*
 * A jam or double feed: report it now, or once the pages the scanner
 * ended before it are in; a page-done: keep it for later
 */
static int dev_take_event(struct dev_source *d, const struct scan_event *ev)
{
	if (ev->lost) {
		dev_fail(d, -EIO, "events");
		wias_werr_why(d->base.err, "%u scanner events were lost",
			      ev->lost);
		return -EIO;
	}
	switch (ev->type) {
	case SCAN_EVENT_JAM:
	case SCAN_EVENT_DOUBLE_FEED:
	case SCAN_EVENT_COVER_OPEN:
		if (!d->fault)
			d->fault = ev->type == SCAN_EVENT_JAM ?
					   SCAN_COND_JAM :
				   ev->type == SCAN_EVENT_DOUBLE_FEED ?
					   SCAN_COND_DOUBLE_FEED :
					   SCAN_COND_COVER_OPEN;
		return d->npending ? 0 : dev_fault(d);
	case SCAN_EVENT_PAGE_DONE:
		if (d->npending == PENDING_MAX)
			return dev_fail(d, -EOVERFLOW, "page-done events");
		d->pending[d->npending++] = *ev;
		return 0;
	case SCAN_EVENT_FEEDER_EMPTY:
	case SCAN_EVENT_BUTTON:
	case SCAN_EVENT_OTHER:
		break;
	}
	return 0;
}

/* Read every event already pending; returns how many, or -errno */
static int dev_poll_events(struct dev_source *d)
{
	struct scan_event ev;
	int n = 0, ret;

	for (;;) {
		ret = d->proto->read_event(d->dev, false, &ev);
		/* unplugged: the events before it were read, the data decides */
		if (ret == -EAGAIN || ret == -ENODEV)
			return n;
		if (ret)
			return dev_fail(d, ret, "read event");
		ret = dev_take_event(d, &ev);
		if (ret)
			return ret;
		n++;
	}
}

/* Events from before this scan (an earlier run's FEEDER_EMPTY) mean nothing */
static int dev_drain_events(struct dev_source *d)
{
	struct scan_event ev;
	int i, ret;

	for (i = 0; i < DRAIN_MAX; i++) {
		ret = d->proto->read_event(d->dev, false, &ev);
		if (ret == -EAGAIN)
			return 0;
		if (ret)
			return dev_fail(d, ret, "read event");
	}
	return dev_fail(d, -EIO, "drain events");
}

static int dev_cmd_start(struct dev_source *d);

/*
 * The first buffer's transfer: FIRST_XFER bytes (whole bulk-in packets)
 * when the driver takes a length per buffer (ABI 2) and the buffers are
 * larger, else 0 (the whole buffer).  The first bytes then reach the
 * sink once that much has arrived, not a whole buffer; the buffer is
 * queued whole again after it.
 */
static uint32_t dev_first_xfer(const struct dev_source *d)
{
	const struct device_caps *caps = &d->dev->caps;
	uint32_t mp = caps->bulk_in_maxpacket, len;

	if (!caps->xfer_length || !mp)
		return 0;
	len = FIRST_XFER / mp * mp;
	return len && len < d->dev->buf_size ? len : 0;
}

/*
 * Queue the ring, drop stale events, START, then STREAMON.  START goes
 * out before the ring's transfers are submitted: until then the scanner
 * answers bulk-in with NAK and keeps its data (nothing can be lost
 * without a transfer to receive it), and its START is acknowledged
 * without bulk-in traffic competing for the bus (under dummy_hcd the
 * status stage of a START sent with 8 MiB of transfers in flight waited
 * behind the data for up to 100 ms).  A STREAMON that fails after a good
 * START leaves a scan running: the scan loop's stop() cancels it.
 */
static int dev_start(struct scan_source *src)
{
	struct dev_source *d = to_dev(src);
	enum scan_cond cond;
	unsigned int i;
	int ret;

	if (d->cmd)
		return dev_cmd_start(d);
	for (i = 0; i < d->dev->nbufs; i++) {
		ret = wias_device_qbuf_len(d->dev, i,
					   i ? 0 : dev_first_xfer(d));
		if (ret)
			return dev_fail(d, ret, "queue buffer");
	}
	d->npending = 0;
	d->fault = SCAN_COND_NONE;
	ret = dev_drain_events(d);
	if (ret)
		return ret;
	ret = d->proto->start(
		d->dev, scan_source_is_adf(src->fmt.source) ? d->max_sheets : 0,
		&cond);
	if (ret) {
		wias_werr_cond(src->err, cond);
		return dev_fail(d, ret, "start scan");
	}
	ret = wias_device_streamon(d->dev);
	if (ret)
		return dev_fail(d, ret, "stream on");
	d->have_st = false;
	d->busy_since_ms = 0;
	d->shown = SCAN_ACT_UNKNOWN;
	d->moved_ms = mono_ms();
	return 0;
}

static int dev_dequeue(struct dev_source *d, struct scan_buf *buf)
{
	struct device_view v;
	int ret;

	ret = wias_device_dqbuf(d->dev, &v);
	if (ret == -EIO && v.lost) {
		dev_fail(d, ret, "dequeue buffer");
		wias_werr_why(d->base.err, "%llu buffers lost (sequence %llu)",
			      (unsigned long long)v.lost,
			      (unsigned long long)v.sequence);
		return ret;
	}
	if (ret)
		return ret == -EINTR ? ret : dev_fail(d, ret, "dequeue buffer");
	if (v.status) {
		if (dev_bus_error(v.status) && wias_device_gone(d->dev, 1000))
			return dev_fail(d, -ENODEV, "transfer");
		dev_diagnose(d, v.status);
		return dev_fail(d, v.status, "transfer");
	}
	buf->data = v.data;
	buf->bytesused = v.bytesused;
	buf->index = v.index;
	buf->end_of_page = v.end_of_page;
	return 0;
}

/* The file's timeout: how long a scanner may show no progress */
static int dev_timeout(const struct dev_source *d)
{
	uint32_t ms = d->dev->caps.timeout_ms;

	return ms && ms <= 600000 ? (int)ms : 30000;
}

static const char *dev_activity_text(enum scan_activity a)
{
	switch (a) {
	case SCAN_ACT_WARMING_UP:
		return "warming up";
	case SCAN_ACT_FEEDING:
		return "feeding a sheet";
	default:
		return NULL;
	}
}

/* Tell the progress display what the scanner is busy with, once */
static void dev_show_activity(struct dev_source *d, enum scan_activity a)
{
	const char *what = dev_activity_text(a);
	const char *before = dev_activity_text(d->shown);

	if (a == d->shown)
		return;
	d->shown = a;
	if ((what || before) && d->base.activity)
		d->base.activity(d->base.activity_arg, what);
}

/* Data or an event came: the scanner moves */
static void dev_moved(struct dev_source *d)
{
	d->moved_ms = mono_ms();
	d->busy_since_ms = 0;
	d->shown = SCAN_ACT_UNKNOWN; /* the next progress update clears it */
}

/* Whether @st shows progress since the status seen before */
static bool dev_status_moved(struct dev_source *d, const struct scan_status *st,
			     uint64_t now)
{
	const struct scan_status *o = &d->last_st;
	bool busy = st->activity == SCAN_ACT_WARMING_UP ||
		    st->activity == SCAN_ACT_FEEDING;

	if (!busy)
		d->busy_since_ms = 0;
	else if (!d->busy_since_ms)
		d->busy_since_ms = now;
	if (!d->have_st)
		return false;
	if (st->pages_done != o->pages_done || st->activity != o->activity ||
	    (st->have_progress && st->scan_bytes != o->scan_bytes))
		return true;
	return busy && now - d->busy_since_ms < BUSY_MAX_MS;
}

/*
 * No data for a while: ask the scanner.  0 while it says it is scanning
 * and moving (or warming up, or feeding), -ETIMEDOUT once it has shown no
 * progress for the timeout, -ENODEV when it is gone.
 */
static int dev_check_moving(struct dev_source *d)
{
	struct scan_status st;
	uint64_t now;
	int ret;

	ret = d->proto->status ? d->proto->status(d->dev, &st) : -EOPNOTSUPP;
	if (ret == -ENODEV || ret == -ESHUTDOWN)
		return -ENODEV;
	now = mono_ms();
	if (!ret && st.scanning) {
		if (dev_status_moved(d, &st, now))
			d->moved_ms = now;
		d->last_st = st;
		d->have_st = true;
		dev_show_activity(d, st.activity);
	}
	return now - d->moved_ms >= (uint64_t)dev_timeout(d) ? -ETIMEDOUT : 0;
}

/* How long the next poll may sleep */
static int dev_slice(const struct dev_source *d)
{
	int t = dev_timeout(d);

	if (d->fault) /* only the grace for data already sent is left */
		return t > FAULT_GRACE_MS ? FAULT_GRACE_MS : t;
	return t > STATUS_POLL_MS ? STATUS_POLL_MS : t;
}

/* Empty a tick that fired (the tick only wakes the front end up) */
static void dev_tick_drain(struct dev_source *d)
{
	uint64_t n;

	if (d->tfd >= 0 && read(d->tfd, &n, sizeof(n)) < 0)
		return; /* -EAGAIN: it had not fired */
}

/*
 * Non-blocking, nothing ready: -EAGAIN, unless the scanner's time is up.
 * The checks a blocking wait makes every slice are made here, at most once
 * a slice, from the front end's calls: the grace of a fault, and the
 * scanner's status while no data comes.
 */
static int dev_nb_idle(struct dev_source *d)
{
	uint64_t now = mono_ms();
	int ret;

	dev_tick_drain(d);
	if (d->fault)
		return now - d->moved_ms >= (uint64_t)dev_slice(d) ?
			       dev_fault(d) :
			       -EAGAIN;
	if (now - d->checked_ms < STATUS_POLL_MS)
		return -EAGAIN;
	d->checked_ms = now;
	ret = dev_check_moving(d);
	return ret ? dev_fail(d, ret, "wait for data") : -EAGAIN;
}

static int dev_cmd_next(struct dev_source *d, struct scan_buf *buf);

static int dev_next(struct scan_source *src, struct scan_buf *buf)
{
	struct dev_source *d = to_dev(src);
	unsigned int ready;
	int ret;

	if (d->cmd)
		return dev_cmd_next(d, buf);
	for (;;) {
		/* no ended page is waiting for its data: the fault ends it */
		if (d->fault && !d->npending)
			return dev_fault(d);
		if (src->cancel && *src->cancel)
			return -EINTR;
		/*
		 * If poll keeps reporting an event that is not there, stop
		 * trusting it and block in DQBUF (which has the timeout too).
		 */
		if (d->empty_wakeups > 2 && !src->nonblock)
			return dev_dequeue(d, buf);
		ret = wias_device_wait(d->dev, src->nonblock ? 0 : dev_slice(d),
				       &ready);
		if (ret == -EINTR)
			return ret;
		if (ret == -ETIMEDOUT && src->nonblock)
			return dev_nb_idle(d);
		if (ret == -ETIMEDOUT && d->fault)
			return dev_fault(d);
		if (ret == -ETIMEDOUT) {
			ret = dev_check_moving(d);
			if (!ret)
				continue;
		}
		/*
		 * A hang-up with nothing ready: poll() looks at the buffers,
		 * the events and the unplug one after the other, so something
		 * that arrived just before the unplug may not show.  DQBUF and
		 * WAIT_EVENT hand out all of it before they say -ENODEV.
		 */
		if (ret == -ENODEV) {
			ret = dev_poll_events(d);
			if (ret < 0)
				return ret;
			return dev_dequeue(d, buf);
		}
		if (ret)
			return dev_fail(d, ret, "wait for data");
		dev_moved(d);
		if (ready & DEVICE_READY_EVENT) {
			ret = dev_poll_events(d);
			if (ret < 0)
				return ret;
			if (ret == 0 && !(ready & DEVICE_READY_BUFFER))
				d->empty_wakeups++;
			else
				d->empty_wakeups = 0;
		}
		if (ready & DEVICE_READY_BUFFER)
			return dev_dequeue(d, buf);
	}
}

static int dev_cmd_release(struct dev_source *d, unsigned int index);

static int dev_release(struct scan_source *src, const struct scan_buf *buf)
{
	struct dev_source *d = to_dev(src);
	int ret;

	if (d->unplugged)
		return 0;
	if (d->cmd)
		return dev_cmd_release(d, buf->index);
	ret = wias_device_qbuf(d->dev, buf->index);
	/*
	 * Unplugged: the driver still hands out every buffer filled before,
	 * and the events; the scan ends when none is left (dev_next)
	 */
	if (ret == -ENODEV) {
		d->unplugged = true;
		return 0;
	}
	return ret ? dev_fail(d, ret, "queue buffer") : 0;
}

/* The oldest page-done event, read now if none is kept */
static int dev_next_page_event(struct dev_source *d, struct scan_event *ev)
{
	int ret;

	while (!d->npending) {
		if (d->fault)
			return dev_fault(d);
		ret = d->proto->read_event(d->dev, true, ev);
		if (ret == -EINTR)
			return ret;
		if (ret)
			return dev_fail(d, ret, "wait for page end");
		ret = dev_take_event(d, ev);
		if (ret)
			return ret;
	}
	*ev = d->pending[0];
	d->npending--;
	memmove(d->pending, d->pending + 1, d->npending * sizeof(*ev));
	return 0;
}

static int dev_page_done(struct scan_source *src, uint32_t page, uint64_t bytes,
			 bool *last)
{
	struct dev_source *d = to_dev(src);
	struct scan_event ev;
	int ret;

	do {
		ret = dev_next_page_event(d, &ev);
	} while (ret == -EINTR);
	if (ret)
		return ret;
	if (ev.page != (page & ev.page_mask)) {
		dev_fail(d, -EPROTO, "page end");
		wias_werr_why(
			src->err,
			"the scanner ended page %u while page %u was read",
			ev.page, page);
		return -EPROTO;
	}
	if (ev.arg != bytes) {
		dev_fail(d, -EPROTO, "page end");
		wias_werr_why(
			src->err,
			"page %u: the scanner sent %llu bytes, %llu arrived",
			page, (unsigned long long)ev.arg,
			(unsigned long long)bytes);
		return -EPROTO;
	}
	/* A flatbed gives one page, whatever the scanner says */
	*last = ev.last || src->fmt.source == SCAN_SOURCE_FLATBED;
	if (*last && d->cmd)
		d->cmd_done = true;
	return 0;
}

static void dev_stop(struct scan_source *src, bool cancel)
{
	struct dev_source *d = to_dev(src);

	/*
	 * Command-driven: STREAMOFF first (it takes back a buffer queued for
	 * a READ in flight), then the protocol's cancel takes the rest of
	 * that READ with read() and ends a sheet left half read.  Also after
	 * a good end: the pages wanted may be in with the scanner mid-sheet
	 * (--pages), and one command at a time means a command left
	 * unfinished blocks every later one.
	 */
	if (d->cmd) {
		wias_device_streamoff(d->dev);
		d->inflight = -1;
		if (!d->unplugged)
			d->proto->cancel(d->dev);
		return;
	}
	if (cancel)
		d->proto->cancel(d->dev);
	wias_device_streamoff(d->dev);
}

/*
 * An epoll set of the node (a done buffer polls POLLIN, an event POLLPRI,
 * which select()'s read set would miss) and a tick every STATUS_POLL_MS
 * (so a front end waiting on it calls again and a stalled scanner's
 * timeout is seen): readable whenever dev_next has something to do.
 */
static int dev_poll_fd(struct scan_source *src)
{
	struct dev_source *d = to_dev(src);
	struct itimerspec its = {
		.it_interval = { .tv_sec = STATUS_POLL_MS / 1000,
				 .tv_nsec = STATUS_POLL_MS % 1000 * 1000000L },
		.it_value = { .tv_sec = STATUS_POLL_MS / 1000,
			      .tv_nsec = STATUS_POLL_MS % 1000 * 1000000L },
	};
	struct epoll_event ev = { .events = EPOLLIN | EPOLLPRI };

	if (d->epfd >= 0)
		return d->epfd;
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->epfd < 0 || d->tfd < 0 ||
	    epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->dev->fd, &ev))
		goto fail;
	ev.events = EPOLLIN;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->tfd, &ev) ||
	    timerfd_settime(d->tfd, 0, &its, NULL))
		goto fail;
	return d->epfd;
fail:
	if (d->epfd >= 0)
		close(d->epfd);
	if (d->tfd >= 0)
		close(d->tfd);
	d->epfd = d->tfd = -1;
	return -EIO;
}

static void dev_close(struct scan_source *src)
{
	struct dev_source *d = to_dev(src);

	if (d->epfd >= 0)
		close(d->epfd);
	if (d->tfd >= 0)
		close(d->tfd);

	wias_device_close(d->dev);
	free(d->held);
	free(d->scratch);
	free(d->path);
	free(d);
}

/*
 * Command-driven protocols (proto->xfer_begin): the ring is not streamed
 * ahead; each buffer is queued for one command's data-in phase.  The next
 * command goes out as soon as a buffer is dequeued, so the scanner fills
 * buffer i + 1 while the sink works on buffer i.
 */

/* Send the next command into a free buffer, unless one is in flight */
static int dev_cmd_issue(struct dev_source *d)
{
	unsigned int i, n = d->dev->nbufs;
	uint32_t len;
	int ret;

	if (d->inflight >= 0 || d->cmd_done || d->fault || d->unplugged)
		return 0;
	for (i = 0; i < n && d->held[i]; i++)
		;
	if (i == n)
		return 0; /* all with the sink: sent at the next release */
	ret = d->proto->xfer_begin(d->dev, (uint32_t)d->dev->buf_size, &len);
	if (ret)
		return ret;
	if (!len) {
		d->cmd_done = true;
		return 0;
	}
	ret = wias_device_qbuf_len(d->dev, i, len);
	if (ret == -ENODEV)
		d->unplugged = true;
	if (ret)
		return ret;
	d->inflight = (int)i;
	return 0;
}

static int dev_cmd_start(struct dev_source *d)
{
	struct scan_source *src = &d->base;
	enum scan_cond cond;
	int ret;

	d->npending = 0;
	d->fault = SCAN_COND_NONE;
	d->cmd_done = false;
	d->cmd_err = 0;
	d->inflight = -1;
	memset(d->held, 0, d->dev->nbufs * sizeof(*d->held));
	ret = wias_device_streamon(d->dev);
	if (ret)
		return dev_fail(d, ret, "stream on");
	ret = d->proto->start(
		d->dev, scan_source_is_adf(src->fmt.source) ? d->max_sheets : 0,
		&cond);
	if (ret) {
		wias_werr_cond(src->err, cond);
		return dev_fail(d, ret, "start scan");
	}
	d->moved_ms = mono_ms();
	ret = dev_cmd_issue(d);
	return ret ? dev_fail(d, ret, "read command") : 0;
}

/* Wait for the buffer in flight: 0 when it is done, or -errno */
static int dev_cmd_wait(struct dev_source *d)
{
	struct device_event junk;
	unsigned int ready;
	int ret;

	for (;;) {
		if (d->base.cancel && *d->base.cancel)
			return -EINTR;
		ret = wias_device_wait(
			d->dev, d->base.nonblock ? 0 : dev_slice(d), &ready);
		if (ret == -EINTR)
			return ret;
		if (ret == -ETIMEDOUT) {
			/* one command at a time: no status to ask meanwhile */
			if (mono_ms() - d->moved_ms >= (uint64_t)dev_timeout(d))
				return dev_fail(d, -ETIMEDOUT, "wait for data");
			if (d->base.nonblock)
				return -EAGAIN;
			continue;
		}
		if (ret)
			return dev_fail(d, ret, "wait for data");
		if (ready & DEVICE_READY_BUFFER)
			return 0;
		/* this family reports nothing on the interrupt endpoint */
		while (!wias_device_wait_event(d->dev, 0, true, &junk))
			;
	}
}

/*
 * dst = ~src, n bytes, a word at a time: local pointers and memcpy()
 * let the compiler keep them in registers and vectorize (a byte loop
 * through the source's fields reloaded both after every store, and took
 * 60 % of a duplex gray scan's CPU)
 */
static void dev_invert(uint8_t *restrict dst, const uint8_t *restrict src,
		       size_t n)
{
	size_t i;
	uint64_t w;

	for (i = 0; i + sizeof(w) <= n; i += sizeof(w)) {
		memcpy(&w, src + i, sizeof(w));
		w = ~w;
		memcpy(dst + i, &w, sizeof(w));
	}
	for (; i < n; i++)
		dst[i] = (uint8_t)~src[i];
}

/* The buffer came back: its status, its events, the next command */
static int dev_cmd_done(struct dev_source *d, struct scan_buf *buf)
{
	struct scan_event ev[SCAN_XFER_EVENTS];
	unsigned int i, nev = 0;
	bool eop = false;
	int ret;

	d->inflight = -1;
	d->held[buf->index] = true;
	dev_moved(d);
	ret = d->proto->xfer_end(d->dev, buf->bytesused, ev, &nev, &eop);
	if (ret == -ENODEV || ret == -ESHUTDOWN)
		return dev_fail(d, -ENODEV, "read status");
	if (ret)
		return dev_fail(d, ret, "read status");
	buf->end_of_page = eop;
	for (i = 0; i < nev; i++) {
		ret = dev_take_event(d, &ev[i]);
		if (ret)
			return ret;
	}
	ret = dev_cmd_issue(d);
	if (ret)
		d->cmd_err = ret; /* this buffer is good: report it next */
	/*
	 * After the next command, so the scanner fills the next buffer
	 * meanwhile: one pass over the bytes, the only copy on this path
	 * (the mapping is read-only and the front ends want plain samples)
	 */
	if (d->scratch) {
		dev_invert(d->scratch, buf->data, buf->bytesused);
		buf->data = d->scratch;
	}
	return 0;
}

static int dev_cmd_next(struct dev_source *d, struct scan_buf *buf)
{
	int ret;

	if (d->fault && !d->npending)
		return dev_fault(d);
	if (d->cmd_err) {
		ret = d->cmd_err;
		d->cmd_err = 0;
		return dev_fail(d, ret, "read command");
	}
	if (d->inflight < 0) {
		ret = dev_cmd_issue(d);
		if (ret)
			return dev_fail(d, ret, "read command");
	}
	if (d->inflight < 0) {
		dev_fail(d, d->unplugged ? -ENODEV : -EPROTO, "scan");
		if (!d->unplugged)
			wias_werr_why(d->base.err,
				      "the scanner has no more data to send");
		return d->unplugged ? -ENODEV : -EPROTO;
	}
	ret = dev_cmd_wait(d);
	if (!ret)
		ret = dev_dequeue(d, buf);
	return ret ? ret : dev_cmd_done(d, buf);
}

static int dev_cmd_release(struct dev_source *d, unsigned int index)
{
	int ret;

	if (index < d->dev->nbufs)
		d->held[index] = false;
	ret = dev_cmd_issue(d);
	if (ret == -ENODEV)
		return 0; /* as dev_release: what came before still counts */
	return ret ? dev_fail(d, ret, "read command") : 0;
}

static const struct scan_source_ops dev_source_ops = {
	.start = dev_start,
	.next = dev_next,
	.release = dev_release,
	.page_done = dev_page_done,
	.stop = dev_stop,
	.close = dev_close,
	.poll_fd = dev_poll_fd,
};

static int dev_open_node(struct dev_source *d, const char *path)
{
	int ret;

	ret = wias_device_open(path, &d->dev);
	if (!ret)
		return 0;
	wias_werr_set(d->base.err, WERR_OPEN, ret, "%s", path);
	if (ret == -ENOTTY)
		wias_werr_why(d->base.err, "not a wiascan device");
	else if (ret == -ENOENT)
		wias_werr_why(
			d->base.err,
			"no such device node (scanner not plugged in, or wiascan.ko not loaded?)");
	else if (ret == -EPROTO)
		wias_werr_why(d->base.err,
			      "the wiascan driver speaks another ABI version");
	return ret;
}

/* "process 1234 (wiascan-helper)", the comm as /proc shows it */
static void dev_busy_why(struct dev_source *d, uint32_t pid)
{
	char path[64], comm[64] = "";
	FILE *f;

	if (!pid) {
		wias_werr_why(d->base.err, "scanner in use by another process");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	if (comm[0])
		wias_werr_why(d->base.err, "scanner in use by process %u (%s)",
			      pid, comm);
	else
		wias_werr_why(d->base.err, "scanner in use by process %u", pid);
}

/*
 * Own the scanner before anything can change it: another client's scan
 * must not see a single request of ours.  A driver without the claim
 * (older than it) is used as before.
 */
static int dev_claim(struct dev_source *d)
{
	struct device_claim_info ci;
	int ret;

	if (!d->dev->caps.claim)
		return 0;
	ret = wias_device_claim(d->dev, &ci);
	if (ret == -EBUSY) {
		wias_werr_set(d->base.err, WERR_BUSY, ret, "%s", d->path);
		dev_busy_why(d, ci.owner_pid);
		return ret;
	}
	if (ret)
		return dev_fail(d, ret, "claim the scanner");
	d->abandoned = ci.abandoned;
	return 0;
}

/* Wait until the scanner says it is idle, up to the file's timeout */
static int dev_wait_idle(struct dev_source *d)
{
	struct timespec pause = { .tv_nsec = 50 * 1000 * 1000 };
	uint64_t until = mono_ms() + (uint64_t)dev_timeout(d);
	struct scan_status st;
	int ret;

	for (;;) {
		ret = d->proto->status(d->dev, &st);
		if (ret)
			return ret;
		if (!st.scanning)
			return 0;
		if (mono_ms() >= until)
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
	}
}

/* Bulk-in data a dead client's scan left on its way: read it, drop it */
static int dev_drop_stale_data(struct dev_source *d)
{
	uint32_t timeout = d->dev->caps.timeout_ms;
	uint8_t *junk;
	int i, n = 0, ret;

	if (!d->dev->caps.read)
		return 0;
	junk = malloc(STALE_READ_LEN);
	if (!junk)
		return -ENOMEM;
	ret = wias_device_set_timeout(d->dev, STALE_READ_MS);
	for (i = 0; !ret && i < STALE_READ_MAX; i++) {
		n = wias_device_read(d->dev, junk, STALE_READ_LEN);
		if (n < 0)
			break;
	}
	free(junk);
	if (!ret)
		ret = wias_device_set_timeout(d->dev, timeout);
	if (ret)
		return ret;
	/* a timeout (or a stall) is the quiet pipe wanted */
	if (n >= 0)
		return -EIO; /* the data never stopped */
	return n == -ENODEV ? n : 0;
}

/*
 * A client killed mid-scan left the scanner scanning, its data on the
 * way and its events queued: cancel that scan, wait until the scanner is
 * idle, drop the stale data and events, so this scan starts clean.  Only
 * with the claim: without it a scanning scanner may be another client's.
 */
static int dev_recover(struct dev_source *d)
{
	struct scan_status st;
	int ret;

	if (!d->dev->claimed || !d->proto->status)
		return 0;
	ret = d->proto->status(d->dev, &st);
	if (ret)
		return dev_fail(d, ret, "read the scanner's status");
	if (!d->abandoned && !st.scanning)
		return 0;
	ret = d->proto->cancel(d->dev);
	if (ret)
		return dev_fail(d, ret, "cancel the abandoned scan");
	ret = dev_wait_idle(d);
	if (ret)
		return dev_fail(d, ret, "cancel the abandoned scan");
	ret = dev_drop_stale_data(d);
	if (ret)
		return dev_fail(d, ret, "drop the abandoned scan's data");
	return dev_drain_events(d);
}

/*
 * A command-driven protocol needs a length per queued buffer and read()
 * of the status while the ring streams (driver ABI 2)
 */
static int dev_cmd_setup(struct dev_source *d)
{
	const struct device_caps *caps = &d->dev->caps;

	d->inflight = -1;
	if (!d->proto->xfer_begin)
		return 0;
	if (!caps->xfer_length || !caps->read_idle || !caps->write) {
		wias_werr_set(d->base.err, WERR_OPEN, -EOPNOTSUPP, "%s",
			      d->path);
		wias_werr_why(
			d->base.err,
			"the %s protocol needs driver ABI 2 (transfer lengths, read while streaming)",
			d->proto->name);
		return -EOPNOTSUPP;
	}
	d->held = calloc(d->dev->nbufs, sizeof(*d->held));
	if (!d->held)
		return dev_fail(d, -ENOMEM, "allocate buffers");
	if (d->base.fmt.inverted) {
		d->scratch = malloc(d->dev->buf_size);
		if (!d->scratch)
			return dev_fail(d, -ENOMEM, "allocate buffers");
	}
	d->cmd = true;
	return 0;
}

/* "flatbed, adf" of the sources in @mask */
static void dev_source_list(uint32_t mask, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = SCAN_SOURCE_FLATBED; i <= SCAN_SOURCE_ADF_DUPLEX; i++)
		if (mask & (1U << i) && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? ", " : "",
					      wias_scan_source_name((
						      enum scan_source_kind)i));
	if (!buf[0])
		snprintf(buf, len, "none");
}

/* Pixels of @um micrometres at @dpi, rounded (the SANE backend's um_to_px) */
static uint32_t dev_um_to_px(uint32_t um, uint32_t dpi)
{
	return (uint32_t)(((uint64_t)um * dpi + 12700) / 25400);
}

static int dev_bad_request(struct dev_source *d, const char *what)
{
	return wias_werr_set(d->base.err, WERR_USAGE, -EINVAL, "%s: %s",
			     d->path, what);
}

/**
 * dev_check_request() - fit @req to what the scanner says it can do
 * @req: in: the request; out: its source chosen when @opt says so
 *
 * From the protocol's get_info (the reference scanner's GET_INFO, the
 * fi-series' INQUIRY VPD page), before any command that changes the
 * scanner's state: the default source (flatbed if the scanner has one,
 * else adf), then the source, resolution and size must lie in what it
 * reports.  Returns 0, or -EINVAL (WERR_USAGE) naming what it has, or the
 * -errno of get_info.
 */
static int dev_check_request(struct dev_source *d,
			     const struct dev_source_options *opt,
			     struct scan_request *req)
{
	struct scan_device_info info;
	uint32_t w, h;
	char list[64];
	int ret;

	if (!d->proto->get_info)
		return 0;
	ret = d->proto->get_info(d->dev, &info);
	if (ret)
		return dev_fail(d, ret, "read what the scanner can do");
	if (opt->source_default && info.sources) {
		req->source = info.sources & (1U << SCAN_SOURCE_FLATBED) ?
				      SCAN_SOURCE_FLATBED :
				      SCAN_SOURCE_ADF;
	}
	if (!(info.sources & (1U << req->source))) {
		dev_source_list(info.sources, list, sizeof(list));
		dev_bad_request(d, "no such source");
		wias_werr_why(d->base.err,
			      "the scanner has no %s source (it has: %s)",
			      wias_scan_source_name(req->source), list);
		return -EINVAL;
	}
	if (!req->height_px && !scan_source_is_adf(req->source)) {
		dev_bad_request(d, "--size");
		wias_werr_why(
			d->base.err,
			"a height of 0 (unknown length) needs --source adf");
		return -EINVAL;
	}
	if (info.max_dpi &&
	    (req->dpi < info.min_dpi || req->dpi > info.max_dpi)) {
		dev_bad_request(d, "resolution");
		wias_werr_why(d->base.err,
			      "%u dpi: the scanner takes %u to %u dpi",
			      req->dpi, info.min_dpi, info.max_dpi);
		return -EINVAL;
	}
	w = info.max_width_um ? dev_um_to_px(info.max_width_um, req->dpi) :
				UINT32_MAX;
	h = info.max_height_um ? dev_um_to_px(info.max_height_um, req->dpi) :
				 UINT32_MAX;
	if (req->width_px > w || req->height_px > h) {
		dev_bad_request(d, "size");
		wias_werr_why(
			d->base.err,
			"%ux%u pixels: at %u dpi the scanner takes at most %ux%u pixels (%u.%ux%u.%u mm)",
			req->width_px, req->height_px, req->dpi, w, h,
			info.max_width_um / 1000,
			info.max_width_um % 1000 / 100,
			info.max_height_um / 1000,
			info.max_height_um % 1000 / 100);
		return -EINVAL;
	}
	return 0;
}

static int dev_setup(struct dev_source *d, const struct dev_source_options *opt)
{
	const struct device_caps *caps = &d->dev->caps;
	struct scan_request req = opt->req;
	int ret;

	if (!caps->streaming)
		return wias_werr_set(d->base.err, WERR_OPEN, -EOPNOTSUPP,
				     "%s: no buffer streaming", d->path);
	d->proto = wias_protocol_find(caps);
	if (!d->proto) {
		wias_werr_set(d->base.err, WERR_OPEN, -EOPNOTSUPP, "%s",
			      d->path);
		wias_werr_why(
			d->base.err,
			"no scanner protocol known for USB device %04x:%04x",
			caps->vendor_id, caps->product_id);
		return -EOPNOTSUPP;
	}
	if (opt->timeout_ms) {
		ret = wias_device_set_timeout(d->dev, opt->timeout_ms);
		if (ret)
			return dev_fail(d, ret, "set timeout");
	}
	ret = dev_check_request(d, opt, &req);
	if (ret)
		return ret;
	ret = dev_recover(d);
	if (ret)
		return ret;
	ret = d->proto->set_params(d->dev, &req, &d->base.fmt);
	if (ret) {
		dev_fail(d, ret, "set scan parameters");
		if (ret == -EPIPE)
			wias_werr_why(
				d->base.err,
				"the scanner refused them (%s, %u dpi, %ux%u pixels, %s)",
				wias_scan_mode_name(req.mode), req.dpi,
				req.width_px, req.height_px,
				wias_scan_source_name(req.source));
		else if (ret == -EPROTO)
			wias_werr_why(
				d->base.err,
				"the scanner confirmed other parameters than those sent");
		return ret;
	}
	ret = wias_device_alloc_buffers(
		d->dev, opt->nbufs ? opt->nbufs : DEV_SOURCE_NBUFS,
		opt->buf_size ? opt->buf_size : DEV_SOURCE_BUF_SIZE);
	if (ret)
		return dev_fail(d, ret, "allocate buffers");
	return dev_cmd_setup(d);
}

/* Open the scanner, set the parameters and map the ring; no scan yet */
int wias_dev_source_open(const struct dev_source_options *opt,
			 struct wia_error *err, struct scan_source **out)
{
	struct dev_source *d;
	int ret;

	d = calloc(1, sizeof(*d));
	if (!d)
		return wias_werr_set(err, WERR_OTHER, -ENOMEM, "%s", opt->path);
	d->base.ops = &dev_source_ops;
	d->base.err = err;
	d->epfd = d->tfd = -1;
	d->path = strdup(opt->path);
	if (!d->path) {
		free(d);
		return wias_werr_set(err, WERR_OTHER, -ENOMEM, "%s", opt->path);
	}
	d->base.name = d->path;
	d->max_sheets = opt->max_pages;
	ret = dev_open_node(d, opt->path);
	if (ret)
		goto err_free;
	ret = dev_claim(d);
	if (!ret)
		ret = dev_setup(d, opt);
	if (ret)
		goto err_close;
	*out = &d->base;
	return 0;

err_close:
	wias_device_close(d->dev);
err_free:
	free(d->path);
	free(d);
	return ret;
}
