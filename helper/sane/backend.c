// SPDX-License-Identifier: GPL-2.0
/*
 * The SANE entry points of the wiascan backend (SANE standard version 1,
 * Debian's sane/sane.h) and the scan's state machine.
 *
 * A batch is one scan of the library's source (scan_source): the first
 * sane_start opens the scanner (which claims it), sends the parameters the
 * options make and starts the scan; every later sane_start takes the next
 * page of the same stream, until the scanner says a page was the last (a
 * flatbed's one page, the feeder's last sheet).  The sane_start after the
 * last page returns SANE_STATUS_NO_DOCS, so `scanimage --batch` ends there
 * with status 0; the one after that (or after a sane_cancel) starts a new
 * batch.  The scanner is closed (and so released to other clients) as
 * soon as its last page is read.
 *
 * sane_start returns once the page's first bytes are in: an empty sheet
 * (a page the scanner ends without data) is skipped there, as the
 * command line skips it, so no front end ever gets a page of zero lines.
 *
 * sane_read hands out the mapped ring's buffers (struct scan_buf.data)
 * themselves: the one copy is the one into the front end's buffer, and
 * a buffer goes back to the device as soon as it is consumed.  That copy
 * crops the scan window (crop.c): the protocol has no offset, so the
 * scanner sends its image from its origin to br-x, br-y, and the rows
 * above tl-y and the pixels left of tl-x are dropped there.  A sheet whose
 * bytes all lie above the window is skipped like an empty sheet.  At a page's
 * end the scanner's confirmation is awaited (scan_source_ops.page_done):
 * a page the scanner reports jammed ends with SANE_STATUS_JAMMED, not EOF,
 * and the pages before it stay as they were delivered.
 *
 * Lineart: the protocol sends 1 bit per pixel, MSB first, 1 = black
 * (Documentation/reference-protocol.rst, "Modes"), which is SANE's own
 * GRAY depth-1 frame (the SANE standard, "Image Data Format": for depth 1
 * a set bit is black; so scanimage copies such frames into PBM, where 1 is
 * black too, unchanged): no inversion.  tests/sane-scanimage-test checks
 * scanimage's PBM bytes against the formula.
 *
 * sane_cancel only sets a flag (async-signal-safe: scanimage calls it from
 * its SIGINT handler).  A signal interrupts the source's wait (-EINTR);
 * from another thread the source sees the flag within a second.  The
 * cleanup (the scanner told to stop, the ring freed, the claim released)
 * happens in the next sane_read (which returns CANCELLED), sane_start or
 * sane_close; the library's recovery covers a scanner left scanning.
 *
 * Calls in the wrong state: sane_read before any sane_start, or after a
 * failure, INVAL; after a page's end, EOF again; after a cancel,
 * CANCELLED.  sane_start while a page is being read, INVAL.
 * sane_control_option SET_VALUE during a batch, DEVICE_BUSY.
 * sane_set_io_mode and sane_get_select_fd outside a batch, INVAL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

#define WSANE_BUILD 0

enum wsane_state {
	ST_IDLE,      /* no page: sane_read is INVAL */
	ST_PAGE,      /* a page is being read */
	ST_PAGE_EOF,  /* its end was reported: sane_read is EOF */
	ST_CANCELLED, /* a cancel was cleaned up: sane_read is CANCELLED */
};

/**
 * struct wsane_handle - one open scanner
 * @next: the list of open handles (for sane_exit)
 * @dev: which scanner, and what it can do
 * @opt: its options
 * @src: the batch's source, NULL outside a batch
 * @err: the library's record of the batch's failure
 * @state: ST_*
 * @batch_over: the last page was read: the next sane_start says NO_DOCS
 * @sheet: the scanner's sheet being read, 0-based (empty sheets count)
 * @page_bytes: bytes of it received from the source
 * @buf: the buffer being handed out, while @have_buf
 * @off: bytes of @buf handed out
 * @page_ended: the page's last buffer was consumed
 * @cancel: set by sane_cancel
 * @nonblock: sane_set_io_mode(SANE_TRUE) for this page
 * @win: the scan window the options asked for (px(tl-x), px(tl-y))
 * @crop: the crop of the batch and its cursor in the page
 * @rows: the synthetic scanner's page rows
 */
struct wsane_handle {
	struct wsane_handle *next;
	struct wsane_device dev;
	struct wsane_options opt;
	struct scan_source *src;
	struct wia_error err;
	enum wsane_state state;
	bool batch_over;
	uint32_t sheet;
	uint64_t page_bytes;
	struct scan_buf buf;
	bool have_buf;
	size_t off;
	bool page_ended;
	volatile sig_atomic_t cancel;
	bool nonblock;
	struct wsane_window win;
	struct wsane_crop crop;
	uint32_t rows[WSANE_SYNTH_ROWS];
};

static struct wsane_handle *handles;
static struct wsane_device *dev_list;
static SANE_Device *sane_devs;
static const SANE_Device **sane_list;

/* The SANE functions are sane_wiascan_*, as SANE's dll backend looks them
 * up, and sane_* too, for a front end that links the backend alone */
#define WSANE_ALIAS(fn) __attribute__((alias("sane_wiascan_" #fn)))

/* Close the batch: the buffer back, the scanner stopped (told to, with
 * @cancel), closed, released */
static void scan_cleanup(struct wsane_handle *h, bool cancel)
{
	if (h->src) {
		if (h->have_buf)
			h->src->ops->release(h->src, &h->buf);
		h->src->ops->stop(h->src, cancel);
		scan_source_close(h->src);
		h->src = NULL;
		DBG(2, "%s: scanner closed%s\n", h->dev.name,
		    cancel ? " (scan cancelled)" : "");
	}
	h->have_buf = false;
	h->page_ended = false;
	memset(&h->err, 0, sizeof(h->err));
}

/* A failure ends the batch: its status, logged with its reason */
static SANE_Status scan_fail(struct wsane_handle *h, int ret, const char *what)
{
	SANE_Status st = wsane_status(ret, &h->err, what);

	scan_cleanup(h, true);
	h->state = st == SANE_STATUS_CANCELLED ? ST_CANCELLED : ST_IDLE;
	h->batch_over = false;
	return st;
}

/* A cancel asked for: clean up (once) */
static bool scan_take_cancel(struct wsane_handle *h)
{
	if (!h->cancel)
		return false;
	DBG(2, "%s: cancelled\n", h->dev.name);
	scan_cleanup(h, true);
	h->cancel = 0;
	h->batch_over = false;
	h->state = ST_CANCELLED;
	return true;
}

static int scan_open_synth(struct wsane_handle *h,
			   const struct scan_request *req)
{
	const char *spec = getenv(WSANE_SYNTH_ENV), *buf;
	struct synth_options o;

	if (!spec || wsane_synth_options(spec, &o, h->rows))
		return wias_werr_set(&h->err, WERR_OPEN, -ENODEV, "%s",
				     WSANE_SYNTH_ENV);
	o.fmt.mode = req->mode;
	o.fmt.source = req->source;
	o.fmt.dpi = req->dpi;
	o.fmt.width_px = req->width_px;
	o.fmt.height_px = req->height_px;
	o.fmt.bytes_per_line =
		wias_scan_bytes_per_line(req->mode, req->width_px);
	if (!o.n_page_rows) { /* unknown length: A4's, as the CLI's */
		h->rows[0] = wias_scan_tenth_mm_to_px(2970, req->dpi);
		o.n_page_rows = 1;
	}
	o.page_rows = h->rows;
	o.nbufs = DEV_SOURCE_NBUFS;
	o.buf_size = DEV_SOURCE_BUF_SIZE;
	/* tests: rows straddling small ring buffers */
	buf = getenv(WSANE_SYNTH_BUF_ENV);
	if (buf) {
		char *end;
		long v = strtol(buf, &end, 10);

		if (*end || v < 1 || v > (long)DEV_SOURCE_BUF_SIZE)
			return wias_werr_set(&h->err, WERR_OPEN, -EINVAL, "%s",
					     WSANE_SYNTH_BUF_ENV);
		o.buf_size = (size_t)v;
	}
	return wias_synth_source_open(&o, &h->err, &h->src);
}

/* The first sane_start of a batch: open, set the parameters, start */
static SANE_Status scan_open(struct wsane_handle *h)
{
	struct scan_request req;
	int ret;

	wsane_options_request(&h->opt, &req, &h->win);
	DBG(2, "%s: scan %s, %s, %u dpi, %u x %u pixels, window from %u, %u\n",
	    h->dev.name, wias_scan_mode_name(req.mode),
	    wias_scan_source_name(req.source), req.dpi, req.width_px,
	    req.height_px, h->win.x0, h->win.y0);
	memset(&h->err, 0, sizeof(h->err));
	if (h->dev.synth) {
		ret = scan_open_synth(h, &req);
	} else {
		struct dev_source_options dopt = {
			.path = h->dev.node,
			.req = req,
		};

		ret = wias_dev_source_open(&dopt, &h->err, &h->src);
	}
	if (ret)
		return scan_fail(h, ret, "open the scanner");
	wsane_crop_setup(&h->crop, &h->src->fmt, &h->win);
	h->src->cancel = &h->cancel;
	ret = h->src->ops->start(h->src);
	if (ret)
		return scan_fail(h, ret, "start the scan");
	h->sheet = 0;
	return SANE_STATUS_GOOD;
}

/* The next buffer, waiting for it; -ECANCELED once a cancel is asked */
static int scan_next_wait(struct wsane_handle *h, struct scan_buf *buf)
{
	int ret;

	h->src->nonblock = false;
	do {
		if (h->cancel)
			return -ECANCELED;
		ret = h->src->ops->next(h->src, buf);
	} while (ret == -EINTR);
	return ret;
}

/* The batch's last page was read: release the scanner */
static void scan_batch_done(struct wsane_handle *h)
{
	scan_cleanup(h, false);
	h->batch_over = true;
	DBG(2, "%s: last page read (%u sheets)\n", h->dev.name, h->sheet);
}

/* The page's length is not what the format says: -EPROTO, recorded */
static int page_check_length(struct wsane_handle *h)
{
	const struct scan_format *fmt = &h->src->fmt;
	uint64_t want = (uint64_t)fmt->height_px * fmt->bytes_per_line;

	if ((!want || h->page_bytes == want) &&
	    !(h->page_bytes % fmt->bytes_per_line))
		return 0;
	wias_werr_set(&h->err, WERR_DEVICE, -EPROTO, "%s: sheet %u",
		      h->dev.name, h->sheet + 1);
	wias_werr_why(&h->err,
		      "page of %llu bytes (rows of %u bytes, %llu expected)",
		      (unsigned long long)h->page_bytes, fmt->bytes_per_line,
		      (unsigned long long)want);
	return -EPROTO;
}

/*
 * Wait for the page's first bytes in the window, skipping empty sheets
 * (and sheets that end before the window's first row: their bytes are
 * consumed, checked and confirmed, as a page's).  NO_DOCS when the sheets
 * left were all empty.
 */
static SANE_Status page_begin(struct wsane_handle *h)
{
	size_t used;
	bool last;
	int ret;

	h->page_bytes = 0;
	h->page_ended = false;
	wsane_crop_page(&h->crop);
	for (;;) {
		ret = scan_next_wait(h, &h->buf);
		if (ret)
			return scan_fail(h, ret, "wait for the page");
		h->page_bytes += h->buf.bytesused;
		if (h->buf.bytesused) {
			/* rows above the window: consumed, no output */
			wsane_crop_copy(&h->crop, h->buf.data, h->buf.bytesused,
					&used, NULL, 0);
			if (used < h->buf.bytesused) {
				h->have_buf = true;
				h->off = used;
				return SANE_STATUS_GOOD;
			}
		}
		ret = h->src->ops->release(h->src, &h->buf);
		if (ret)
			return scan_fail(h, ret, "queue a buffer");
		if (!h->buf.end_of_page)
			continue;
		if (h->page_bytes) {
			ret = page_check_length(h);
			if (ret)
				return scan_fail(h, ret, "end of page");
		}
		ret = h->src->ops->page_done(h->src, h->sheet, h->page_bytes,
					     &last);
		if (ret)
			return scan_fail(h, ret, "end of an empty sheet");
		DBG(2, "%s: sheet %u is empty%s: skipped\n", h->dev.name,
		    h->sheet + 1,
		    h->page_bytes ? " in the window (it ends above it)" : "");
		h->sheet++;
		h->page_bytes = 0;
		wsane_crop_page(&h->crop);
		if (last) {
			scan_batch_done(h);
			h->batch_over = false;
			h->state = ST_IDLE;
			return SANE_STATUS_NO_DOCS;
		}
	}
}

SANE_Status sane_wiascan_init(SANE_Int *version_code,
			      SANE_Auth_Callback authorize)
{
	(void)authorize;
	wsane_debug_init();
	DBG(3, "sane_init\n");
	if (version_code)
		*version_code =
			SANE_VERSION_CODE(SANE_CURRENT_MAJOR, 0, WSANE_BUILD);
	return SANE_STATUS_GOOD;
}

void sane_wiascan_close(SANE_Handle handle);

void sane_wiascan_exit(void)
{
	DBG(3, "sane_exit\n");
	while (handles)
		sane_wiascan_close(handles);
	free(dev_list);
	free(sane_devs);
	free(sane_list);
	dev_list = NULL;
	sane_devs = NULL;
	sane_list = NULL;
}

SANE_Status sane_wiascan_get_devices(const SANE_Device ***device_list,
				     SANE_Bool local_only)
{
	struct wsane_device *list;
	const SANE_Device **sl;
	SANE_Device *sd;
	size_t i, n;

	(void)local_only; /* every wiascan scanner is local */
	DBG(3, "sane_get_devices\n");
	if (!device_list)
		return SANE_STATUS_INVAL;
	if (wsane_devices_scan(&list, &n))
		return SANE_STATUS_NO_MEM;
	sl = calloc(n + 1, sizeof(SANE_Device *));
	sd = calloc(n ? n : 1, sizeof(SANE_Device));
	if (!sl || !sd) {
		free(sl);
		free(sd);
		free(list);
		return SANE_STATUS_NO_MEM;
	}
	for (i = 0; i < n; i++) {
		sd[i].name = list[i].name;
		sd[i].vendor = list[i].vendor;
		sd[i].model = list[i].model;
		sd[i].type = list[i].type;
		sl[i] = &sd[i];
	}
	free(sane_list);
	free(sane_devs);
	free(dev_list);
	dev_list = list;
	sane_devs = sd;
	sane_list = sl;
	*device_list = sane_list;
	return SANE_STATUS_GOOD;
}

SANE_Status sane_wiascan_open(SANE_String_Const devicename, SANE_Handle *handle)
{
	struct wsane_handle *h;
	const char *name = devicename;
	int ret;

	DBG(3, "sane_open(\"%s\")\n", devicename ? devicename : "(null)");
	if (!name || !handle)
		return SANE_STATUS_INVAL;
	if (!strncmp(name, WSANE_PREFIX, strlen(WSANE_PREFIX)))
		name += strlen(WSANE_PREFIX);
	h = calloc(1, sizeof(*h));
	if (!h)
		return SANE_STATUS_NO_MEM;
	ret = wsane_device_find(name, &h->dev);
	if (ret) {
		free(h);
		if (ret == -ENOENT) {
			DBG(1, "sane_open: no scanner \"%s\"\n", name);
			return SANE_STATUS_INVAL;
		}
		return wsane_status(ret, NULL, "sane_open");
	}
	wsane_options_init(&h->opt, &h->dev.info);
	h->next = handles;
	handles = h;
	*handle = h;
	DBG(2, "%s: opened\n", h->dev.name);
	return SANE_STATUS_GOOD;
}

void sane_wiascan_close(SANE_Handle handle)
{
	struct wsane_handle *h = handle, **p;

	DBG(3, "sane_close\n");
	for (p = &handles; *p; p = &(*p)->next) {
		if (*p != h)
			continue;
		*p = h->next;
		scan_cleanup(h, h->src != NULL);
		free(h);
		return;
	}
	DBG(1, "sane_close: not an open handle\n");
}

const SANE_Option_Descriptor *
sane_wiascan_get_option_descriptor(SANE_Handle handle, SANE_Int option)
{
	struct wsane_handle *h = handle;

	if (!h || option < 0 || option >= OPT_COUNT)
		return NULL;
	return &h->opt.desc[option];
}

SANE_Status sane_wiascan_control_option(SANE_Handle handle, SANE_Int option,
					SANE_Action action, void *value,
					SANE_Int *info)
{
	struct wsane_handle *h = handle;

	if (info)
		*info = 0;
	if (!h)
		return SANE_STATUS_INVAL;
	if (action != SANE_ACTION_GET_VALUE && h->src) {
		DBG(1, "set option %d: a scan is running\n", option);
		return SANE_STATUS_DEVICE_BUSY;
	}
	return wsane_option_control(&h->opt, option, action, value, info);
}

/*
 * Exact at any time: during a batch the window of what the scanner
 * confirmed it will send, before it the window of what the options will
 * ask for (the same computation the protocol makes:
 * wias_scan_bytes_per_line, for the window's width)
 */
SANE_Status sane_wiascan_get_parameters(SANE_Handle handle,
					SANE_Parameters *params)
{
	struct wsane_handle *h = handle;
	struct scan_request req;
	struct wsane_window win;

	if (!h || !params)
		return SANE_STATUS_INVAL;
	if (h->src) {
		wsane_window_params(h->src->fmt.mode, h->src->fmt.width_px,
				    h->src->fmt.height_px, &h->crop.win,
				    params);
	} else {
		wsane_options_request(&h->opt, &req, &win);
		wsane_window_params(req.mode, req.width_px, req.height_px, &win,
				    params);
	}
	DBG(3,
	    "sane_get_parameters: %s depth %d, %d pixels, %d bytes, %d lines\n",
	    params->format == SANE_FRAME_RGB ? "RGB" : "GRAY", params->depth,
	    params->pixels_per_line, params->bytes_per_line, params->lines);
	return SANE_STATUS_GOOD;
}

SANE_Status sane_wiascan_start(SANE_Handle handle)
{
	struct wsane_handle *h = handle;
	SANE_Status st;

	DBG(3, "sane_start\n");
	if (!h)
		return SANE_STATUS_INVAL;
	scan_take_cancel(h);
	if (h->state == ST_PAGE) {
		DBG(1, "sane_start: the page is still being read\n");
		return SANE_STATUS_INVAL;
	}
	h->nonblock = false;
	h->state = ST_IDLE;
	if (h->batch_over) {
		h->batch_over = false;
		DBG(2, "%s: no more pages: NO_DOCS\n", h->dev.name);
		return SANE_STATUS_NO_DOCS;
	}
	if (!h->src) {
		st = scan_open(h);
		if (st)
			return st;
	}
	st = page_begin(h);
	if (st)
		return st;
	h->state = ST_PAGE;
	DBG(2, "%s: sheet %u started\n", h->dev.name, h->sheet + 1);
	return SANE_STATUS_GOOD;
}

/* The page's end: checked, confirmed by the scanner, then EOF */
static SANE_Status page_finish(struct wsane_handle *h)
{
	bool last;
	int ret;

	ret = page_check_length(h);
	if (ret)
		return scan_fail(h, ret, "end of page");
	ret = h->src->ops->page_done(h->src, h->sheet, h->page_bytes, &last);
	if (ret)
		return scan_fail(h, ret, "end of page");
	DBG(2, "%s: sheet %u done, %llu bytes%s\n", h->dev.name, h->sheet + 1,
	    (unsigned long long)h->page_bytes, last ? ", the last" : "");
	h->sheet++;
	h->state = ST_PAGE_EOF;
	h->page_ended = false;
	if (last)
		scan_batch_done(h);
	return SANE_STATUS_EOF;
}

/* The next buffer into h->buf; -EAGAIN when non-blocking and none yet */
static int page_next(struct wsane_handle *h)
{
	const struct scan_format *fmt = &h->src->fmt;
	uint64_t want = (uint64_t)fmt->height_px * fmt->bytes_per_line;
	int ret;

	if (h->nonblock) {
		if (h->cancel)
			return -ECANCELED;
		h->src->nonblock = true;
		ret = h->src->ops->next(h->src, &h->buf);
		if (ret == -EINTR)
			ret = -EAGAIN;
	} else {
		ret = scan_next_wait(h, &h->buf);
	}
	if (ret)
		return ret;
	if (want && h->page_bytes + h->buf.bytesused > want) {
		h->src->ops->release(h->src, &h->buf);
		wias_werr_set(&h->err, WERR_DEVICE, -EPROTO, "%s: sheet %u",
			      h->dev.name, h->sheet + 1);
		wias_werr_why(&h->err, "page longer than %llu bytes",
			      (unsigned long long)want);
		return -EPROTO;
	}
	h->page_bytes += h->buf.bytesused;
	h->off = 0;
	if (h->buf.bytesused) {
		h->have_buf = true;
		return 0;
	}
	/* an empty buffer: back at once; it may end the page */
	ret = h->src->ops->release(h->src, &h->buf);
	if (!ret && h->buf.end_of_page)
		h->page_ended = true;
	return ret;
}

SANE_Status sane_wiascan_read(SANE_Handle handle, SANE_Byte *data,
			      SANE_Int max_length, SANE_Int *length)
{
	struct wsane_handle *h = handle;
	size_t n, used;
	bool end;
	int ret;

	if (length)
		*length = 0;
	if (!h || !data || !length || max_length < 0)
		return SANE_STATUS_INVAL;
	if (scan_take_cancel(h) || h->state == ST_CANCELLED) {
		h->state = ST_IDLE;
		return SANE_STATUS_CANCELLED;
	}
	if (h->state == ST_PAGE_EOF)
		return SANE_STATUS_EOF;
	if (h->state != ST_PAGE) {
		DBG(1, "sane_read: no scan (call sane_start first)\n");
		return SANE_STATUS_INVAL;
	}
	/* a byte a read left over (lineart: two output bytes of one) */
	if (h->crop.has_held) {
		*length = (SANE_Int)wsane_crop_copy(&h->crop, NULL, 0, &used,
						    data, (size_t)max_length);
		return SANE_STATUS_GOOD;
	}
	/* until a byte of the window or the page's end (not a GOOD of 0
	 * bytes only because the buffer's rows were above the window) */
	do {
		while (!h->have_buf) {
			if (h->page_ended)
				return page_finish(h);
			ret = page_next(h);
			if (ret == -EAGAIN)
				return SANE_STATUS_GOOD;
			if (ret)
				return scan_fail(h, ret, "read");
		}
		n = wsane_crop_copy(&h->crop, h->buf.data + h->off,
				    h->buf.bytesused - h->off, &used, data,
				    (size_t)max_length);
		h->off += used;
		*length = (SANE_Int)n;
		DBG(4, "sane_read: %zu bytes\n", n);
		if (h->off < h->buf.bytesused)
			return SANE_STATUS_GOOD;
		end = h->buf.end_of_page;
		h->have_buf = false;
		ret = h->src->ops->release(h->src, &h->buf);
		if (ret)
			return scan_fail(h, ret, "queue a buffer");
		h->page_ended = end;
	} while (!n && max_length > 0);
	return SANE_STATUS_GOOD;
}

/* Async-signal-safe: a store to a volatile sig_atomic_t, nothing else */
void sane_wiascan_cancel(SANE_Handle handle)
{
	struct wsane_handle *h = handle;

	if (h)
		h->cancel = 1;
}

SANE_Status sane_wiascan_set_io_mode(SANE_Handle handle, SANE_Bool non_blocking)
{
	struct wsane_handle *h = handle;

	DBG(3, "sane_set_io_mode(%d)\n", non_blocking);
	if (!h || !h->src ||
	    (non_blocking != SANE_TRUE && non_blocking != SANE_FALSE))
		return SANE_STATUS_INVAL;
	h->nonblock = non_blocking;
	return SANE_STATUS_GOOD;
}

SANE_Status sane_wiascan_get_select_fd(SANE_Handle handle, SANE_Int *fd)
{
	struct wsane_handle *h = handle;
	int ret;

	DBG(3, "sane_get_select_fd\n");
	if (!h || !fd || !h->src)
		return SANE_STATUS_INVAL;
	if (!h->src->ops->poll_fd)
		return SANE_STATUS_UNSUPPORTED;
	ret = h->src->ops->poll_fd(h->src);
	if (ret < 0) {
		DBG(1, "sane_get_select_fd: %s\n", wias_werr_errno_text(ret));
		return SANE_STATUS_UNSUPPORTED;
	}
	*fd = ret;
	return SANE_STATUS_GOOD;
}

SANE_String_Const sane_wiascan_strstatus(SANE_Status status)
{
	switch (status) {
	case SANE_STATUS_GOOD:
		return "Success";
	case SANE_STATUS_UNSUPPORTED:
		return "Operation not supported";
	case SANE_STATUS_CANCELLED:
		return "Operation was cancelled";
	case SANE_STATUS_DEVICE_BUSY:
		return "Device busy";
	case SANE_STATUS_INVAL:
		return "Invalid argument";
	case SANE_STATUS_EOF:
		return "End of file reached";
	case SANE_STATUS_JAMMED:
		return "Document feeder jammed";
	case SANE_STATUS_NO_DOCS:
		return "Document feeder out of documents";
	case SANE_STATUS_COVER_OPEN:
		return "Scanner cover is open";
	case SANE_STATUS_IO_ERROR:
		return "Error during device I/O";
	case SANE_STATUS_NO_MEM:
		return "Out of memory";
	case SANE_STATUS_ACCESS_DENIED:
		return "Access to resource has been denied";
	default:
		return "Unknown SANE status code";
	}
}

SANE_Status sane_init(SANE_Int *version_code, SANE_Auth_Callback authorize)
	WSANE_ALIAS(init);
void sane_exit(void) WSANE_ALIAS(exit);
SANE_Status sane_get_devices(const SANE_Device ***device_list,
			     SANE_Bool local_only) WSANE_ALIAS(get_devices);
SANE_Status sane_open(SANE_String_Const devicename, SANE_Handle *handle)
	WSANE_ALIAS(open);
void sane_close(SANE_Handle handle) WSANE_ALIAS(close);
const SANE_Option_Descriptor *sane_get_option_descriptor(SANE_Handle handle,
							 SANE_Int option)
	WSANE_ALIAS(get_option_descriptor);
SANE_Status sane_control_option(SANE_Handle handle, SANE_Int option,
				SANE_Action action, void *value, SANE_Int *info)
	WSANE_ALIAS(control_option);
SANE_Status sane_get_parameters(SANE_Handle handle, SANE_Parameters *params)
	WSANE_ALIAS(get_parameters);
SANE_Status sane_start(SANE_Handle handle) WSANE_ALIAS(start);
SANE_Status sane_read(SANE_Handle handle, SANE_Byte *data, SANE_Int max_length,
		      SANE_Int *length) WSANE_ALIAS(read);
void sane_cancel(SANE_Handle handle) WSANE_ALIAS(cancel);
SANE_Status sane_set_io_mode(SANE_Handle handle, SANE_Bool non_blocking)
	WSANE_ALIAS(set_io_mode);
SANE_Status sane_get_select_fd(SANE_Handle handle, SANE_Int *fd)
	WSANE_ALIAS(get_select_fd);
SANE_String_Const sane_strstatus(SANE_Status status) WSANE_ALIAS(strstatus);
