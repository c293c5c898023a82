// SPDX-License-Identifier: GPL-2.0
/*
 * A synthetic scanner: pages of the reference formula (formula.h) cut into
 * buffers the way the driver cuts a USB stream.  A page ends in the buffer
 * that holds its last byte; a page whose length is an exact multiple of
 * the buffer size ends with an extra empty buffer, as the device's
 * zero-length packet does.  Faults can be injected.  The tests and the
 * benchmarks drive the real scan loop and sinks with it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "formula.h"
#include "source.h"

struct synth_source {
	struct scan_source base;
	struct synth_options opt;
	bool *queued; /* buffer i is ours to fill */
	unsigned int next_buf;
	unsigned int outstanding;
	uint32_t page;	   /* page being sent */
	uint64_t page_len; /* its length in bytes */
	uint64_t page_off; /* bytes of it already sent */
	bool zlp_due;	   /* the page ended exactly at a buffer end */
	uint64_t sent;	   /* bytes sent since start */
	bool done;
	bool streaming;
	struct timespec t0; /* start, for the rate limit */
	int tfd;	    /* poll_fd: fires when the next buffer is due */
	uint8_t *tape;	    /* page 0's rows 0.., see below */
};

/*
 * The rows of a page repeat: row y of page p is row k = (17*y + 101*p)
 * mod 251 of the formula's 251 rows, and the next row is k + 17.  As 17 is
 * invertible mod 251 (17 * 192 = 13 * 251 + 1), row k of that cycle is row
 * i = 192*k mod 251 of page 0, and the rows after it are i + 1, i + 2...
 * So a tape of page 0's first 251 rows, plus as many as one buffer spans,
 * made at open, holds every buffer of every page as one contiguous slice:
 * a buffer points into it (as a device's buffer is filled by the device,
 * not by the CPU of the helper), and the synthetic scanner costs no copy.
 * A benchmark of the file path then measures the file path.
 */
#define SYNTH_PERIOD 251U
#define SYNTH_INV17  192U

/* The longest sleep between two looks at the source's cancel flag */
#define SYNTH_CANCEL_SLICE_NS 100000000L

static struct synth_source *to_synth(struct scan_source *src)
{
	return (struct synth_source *)src;
}

static uint64_t synth_page_len(const struct synth_source *s, uint32_t page)
{
	const struct synth_options *o = &s->opt;
	uint64_t rows = o->fmt.height_px;
	uint64_t len;

	if (!rows && o->n_page_rows)
		rows = o->page_rows[page < o->n_page_rows ? page :
							    o->n_page_rows - 1];
	len = rows * o->fmt.bytes_per_line;
	if (o->short_bytes && page == o->short_page)
		len = len > o->short_bytes ? len - o->short_bytes : 0;
	if (o->cut && page == o->cut_page && o->cut_len < len)
		len = o->cut_len;
	return len;
}

static void synth_arm(struct synth_source *s, const struct timespec *when);

static int synth_start(struct scan_source *src)
{
	struct synth_source *s = to_synth(src);
	unsigned int i;

	for (i = 0; i < s->opt.nbufs; i++)
		s->queued[i] = true;
	s->outstanding = 0;
	s->next_buf = 0;
	s->page = 0;
	s->page_off = 0;
	s->page_len = synth_page_len(s, 0);
	s->zlp_due = false;
	s->sent = 0;
	s->done = s->opt.pages == 0;
	s->streaming = true;
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	synth_arm(s, &s->t0);
	if (s->done) {
		wias_werr_cond(src->err, SCAN_COND_NO_PAPER);
		return wias_werr_set(src->err, WERR_DEVICE, -EPIPE,
				     "%s: start scan", src->name);
	}
	return 0;
}

/* The bytes of the current page from offset page_off, in the tape */
static const uint8_t *synth_data(const struct synth_source *s)
{
	uint32_t bpl = s->opt.fmt.bytes_per_line;
	uint64_t y = s->page_off / bpl, x = s->page_off % bpl;
	unsigned int i =
		SYNTH_INV17 * formula_byte(0, y, s->page) % SYNTH_PERIOD;

	return s->tape + (size_t)i * bpl + x;
}

static int ts_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}

static void ts_add_ns(struct timespec *t, uint64_t ns)
{
	t->tv_sec += (time_t)(ns / 1000000000ULL);
	t->tv_nsec += (long)(ns % 1000000000ULL);
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/* Make the poll fd fire at @when (CLOCK_MONOTONIC; the past: at once) */
static void synth_arm(struct synth_source *s, const struct timespec *when)
{
	struct itimerspec its = { .it_value = *when };

	if (s->tfd < 0)
		return;
	if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1; /* zero would disarm it */
	timerfd_settime(s->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void synth_arm_now(struct synth_source *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	synth_arm(s, &now);
}

/*
 * Sleep until @bytes more may go at the rate asked; -EINTR on a signal or
 * once the source's cancel flag is set; non-blocking: -EAGAIN when not
 * yet, with the poll fd armed for the moment it is
 */
static int synth_pace(struct synth_source *s, uint64_t bytes)
{
	uint64_t ns = (s->sent + bytes) * 1000000000ULL /
		      ((uint64_t)s->opt.rate_kib * 1024);
	struct timespec until = s->t0, now, step;
	int ret;

	ts_add_ns(&until, ns);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ts_cmp(&now, &until) >= 0)
			return 0;
		if (s->base.nonblock) {
			synth_arm(s, &until);
			return -EAGAIN;
		}
		if (s->base.cancel && *s->base.cancel)
			return -EINTR;
		step = now;
		ts_add_ns(&step, SYNTH_CANCEL_SLICE_NS);
		if (ts_cmp(&step, &until) > 0)
			step = until;
		ret = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &step,
				      NULL);
		if (ret)
			return -ret;
	}
}

static int synth_next(struct scan_source *src, struct scan_buf *buf)
{
	struct synth_source *s = to_synth(src);
	unsigned int i = s->next_buf;
	size_t size = s->opt.buf_size, n;

	if (!s->streaming || s->done)
		return wias_werr_set(src->err, WERR_DEVICE, -ETIMEDOUT,
				     "%s: wait for data", src->name);
	if (!s->queued[i]) /* the loop kept every buffer: a real device would stall */
		return wias_werr_set(src->err, WERR_DEVICE, -EDEADLK,
				     "%s: no buffer queued", src->name);
	n = s->page_len - s->page_off < size ?
		    (size_t)(s->page_len - s->page_off) :
		    size;
	if (s->zlp_due)
		n = 0;
	if (s->opt.rate_kib) {
		int ret = synth_pace(s, n);

		if (ret)
			return ret;
	}
	synth_arm_now(s); /* the next one may be due: let the caller look */
	if (s->opt.fail_status && s->sent + n > s->opt.fail_after)
		return wias_werr_set(src->err, WERR_DEVICE, s->opt.fail_status,
				     "%s: transfer", src->name);
	s->queued[i] = false;
	s->outstanding++;
	s->next_buf = (i + 1) % s->opt.nbufs;
	memset(buf, 0, sizeof(*buf));
	buf->data = s->tape;
	buf->index = i;
	if (s->zlp_due) {
		s->zlp_due = false;
		buf->end_of_page = true;
		return 0;
	}
	buf->data = synth_data(s);
	buf->bytesused = n;
	s->page_off += n;
	s->sent += n;
	if (s->page_off == s->page_len) {
		if (n == size)
			s->zlp_due = true;
		else
			buf->end_of_page = true;
	}
	return 0;
}

static int synth_release(struct scan_source *src, const struct scan_buf *buf)
{
	struct synth_source *s = to_synth(src);

	if (buf->index >= s->opt.nbufs || s->queued[buf->index])
		return wias_werr_set(src->err, WERR_DEVICE, -EINVAL,
				     "%s: queue buffer", src->name);
	s->queued[buf->index] = true;
	s->outstanding--;
	return 0;
}

static int synth_page_done(struct scan_source *src, uint32_t page,
			   uint64_t bytes, bool *last)
{
	struct synth_source *s = to_synth(src);

	if (page != s->page || bytes != s->page_len)
		return wias_werr_set(src->err, WERR_DEVICE, -EPROTO,
				     "%s: page end", src->name);
	if (s->opt.jam && page == s->opt.jam_page) {
		wias_werr_cond(src->err, s->opt.double_feed ?
						 SCAN_COND_DOUBLE_FEED :
						 SCAN_COND_JAM);
		return wias_werr_set(src->err, WERR_DEVICE, -EIO, "%s: scan",
				     src->name);
	}
	*last = page + 1 == s->opt.pages ||
		s->opt.fmt.source == SCAN_SOURCE_FLATBED;
	s->done = *last;
	s->page++;
	s->page_off = 0;
	s->page_len = synth_page_len(s, s->page);
	return 0;
}

static void synth_stop(struct scan_source *src, bool cancel)
{
	(void)cancel;
	to_synth(src)->streaming = false;
}

/* A timerfd that fires when synth_next has something to say */
static int synth_poll_fd(struct scan_source *src)
{
	struct synth_source *s = to_synth(src);

	if (s->tfd >= 0)
		return s->tfd;
	s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->tfd < 0)
		return -errno;
	synth_arm_now(s);
	return s->tfd;
}

static void synth_close(struct scan_source *src)
{
	struct synth_source *s = to_synth(src);

	if (s->tfd >= 0)
		close(s->tfd);
	free(s->queued);
	free(s->tape);
	free(s);
}

static const struct scan_source_ops synth_source_ops = {
	.start = synth_start,
	.next = synth_next,
	.release = synth_release,
	.page_done = synth_page_done,
	.stop = synth_stop,
	.close = synth_close,
	.poll_fd = synth_poll_fd,
};

int wias_synth_source_open(const struct synth_options *opt,
			   struct wia_error *err, struct scan_source **out)
{
	struct synth_source *s;
	size_t bpl = opt->fmt.bytes_per_line, rows, y;

	if (!opt->nbufs || !opt->buf_size || !opt->fmt.bytes_per_line ||
	    (!opt->fmt.height_px && !opt->n_page_rows))
		return wias_werr_set(err, WERR_USAGE, -EINVAL,
				     "synthetic source");
	s = calloc(1, sizeof(*s));
	if (!s)
		return wias_werr_set(err, WERR_OTHER, -ENOMEM,
				     "synthetic source");
	s->opt = *opt;
	s->tfd = -1;
	/* a buffer starts in one of 251 rows, at any byte of it */
	rows = SYNTH_PERIOD + 1 + (opt->buf_size + bpl - 1) / bpl;
	s->queued = calloc(opt->nbufs, sizeof(*s->queued));
	s->tape = malloc(rows * bpl);
	if (!s->queued || !s->tape) {
		synth_close(&s->base);
		return wias_werr_set(err, WERR_OTHER, -ENOMEM,
				     "synthetic source");
	}
	for (y = 0; y < rows; y++)
		formula_fill(s->tape + y * bpl, bpl, 0, y, 0);
	s->base.ops = &synth_source_ops;
	s->base.fmt = opt->fmt;
	s->base.name = "synthetic";
	s->base.err = err;
	*out = &s->base;
	return 0;
}

/* Buffers handed out and not yet released (0 after a clean scan) */
unsigned int wias_synth_source_outstanding(const struct scan_source *src)
{
	return ((const struct synth_source *)src)->outstanding;
}

/* "N" (decimal, at most @max) at *@p, moving *@p past it */
static int parse_num(const char **p, uint64_t max, uint64_t *v)
{
	unsigned long long n;
	char *end;

	if (**p < '0' || **p > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(*p, &end, 10);
	if (errno || n > max)
		return -EINVAL;
	*v = n;
	*p = end;
	return 0;
}

/* "SHEETS[:KIB_PER_S[:ROWS,ROWS...]]" up to the end or a '/' */
static int parse_sheets(const char **p, struct synth_options *o, uint32_t *rows,
			size_t max_rows)
{
	uint64_t v;
	int field = 0;

	for (;;) {
		if (parse_num(p, 100000000, &v))
			return -EINVAL;
		if (field == 0)
			o->pages = (uint32_t)v;
		else if (field == 1)
			o->rate_kib = (uint32_t)v;
		else if (o->n_page_rows < max_rows && v)
			rows[o->n_page_rows++] = (uint32_t)v;
		else
			return -EINVAL;
		if (!**p || **p == '/')
			return 0;
		if (**p == ':' && field < 2)
			field++;
		else if (**p != ',' || field < 2)
			return -EINVAL;
		(*p)++;
	}
}

/* The transfer faults: the buffer carrying byte N fails with this */
static const struct {
	const char *name;
	int err;
} synth_xfer_faults[] = {
	{ "unplug@", -ENODEV },
	{ "stall@", -EPIPE },
	{ "timeout@", -ETIMEDOUT },
};

/* The kinds of fault: each may be given once (a second would replace it) */
enum { SYNTH_XFER = 1, SYNTH_JAM = 2, SYNTH_SHORT = 4 };

/* A second fault of a kind already given: -EEXIST, its name in @o */
static int fault_kind(struct synth_options *o, unsigned int *seen,
		      unsigned int kind, const char *name)
{
	if (*seen & kind) {
		o->repeated_fault = name;
		return -EEXIST;
	}
	*seen |= kind;
	return 0;
}

/* One "/FAULT" (see wias_synth_parse_spec) at *@p */
static int parse_fault(const char **p, struct synth_options *o,
		       unsigned int *seen)
{
	uint64_t a, b;
	size_t i, n;

	for (i = 0;
	     i < sizeof(synth_xfer_faults) / sizeof(synth_xfer_faults[0]);
	     i++) {
		n = strlen(synth_xfer_faults[i].name);
		if (strncmp(*p, synth_xfer_faults[i].name, n) != 0)
			continue;
		*p += n;
		if (parse_num(p, UINT64_MAX, &a))
			return -EINVAL;
		o->fail_after = a;
		o->fail_status = synth_xfer_faults[i].err;
		return fault_kind(o, seen, SYNTH_XFER,
				  "unplug, stall or timeout");
	}
	if (!strncmp(*p, "jam@", 4) || !strncmp(*p, "double-feed@", 12)) {
		o->double_feed = **p == 'd';
		*p += o->double_feed ? 12 : 4;
		if (parse_num(p, UINT32_MAX, &a))
			return -EINVAL;
		o->jam = true;
		o->jam_page = (uint32_t)a;
		return fault_kind(o, seen, SYNTH_JAM, "jam or double-feed");
	}
	if (!strncmp(*p, "short@", 6)) {
		*p += 6;
		if (parse_num(p, UINT32_MAX, &a) || **p != ':')
			return -EINVAL;
		(*p)++;
		if (parse_num(p, UINT64_MAX, &b))
			return -EINVAL;
		o->cut = true;
		o->cut_page = (uint32_t)a;
		o->cut_len = b;
		return fault_kind(o, seen, SYNTH_SHORT, "short");
	}
	return -EINVAL;
}

/*
 * The synthetic scanner of the command line's "-d synth:SPEC" (tests and
 * demonstrations without a device):
 *
 *	SHEETS[:KIB_PER_S[:ROWS,ROWS...]][/FAULT]...
 *
 * FAULT is jam@SHEET or double-feed@SHEET (reported at the end of that
 * 0-based sheet), short@SHEET:BYTES (that sheet ends after BYTES, 0: an
 * empty sheet), or unplug@BYTE, stall@BYTE, timeout@BYTE (the transfer
 * carrying byte BYTE of the scan fails so).  Sets @o's pages, rate, rows
 * (into @rows) and faults; leaves the rest.  Each kind of fault (jam or
 * double-feed, short, unplug or stall or timeout) is given at most once: a
 * second is -EEXIST, with @o->repeated_fault naming the kind.
 */
int wias_synth_parse_spec(const char *spec, struct synth_options *o,
			  uint32_t *rows, size_t max_rows)
{
	const char *p = spec;
	unsigned int seen = 0;
	int ret;

	o->rate_kib = 0;
	o->repeated_fault = NULL;
	o->n_page_rows = 0;
	o->page_rows = rows;
	if (parse_sheets(&p, o, rows, max_rows))
		return -EINVAL;
	while (*p == '/') {
		p++;
		ret = parse_fault(&p, o, &seen);
		if (ret)
			return ret;
	}
	return *p ? -EINVAL : 0;
}
