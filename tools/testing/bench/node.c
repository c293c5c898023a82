// SPDX-License-Identifier: GPL-2.0
/*
 * wiascan.ko's two ways to read: the mapped ring and read().
 *
 * The ring is the selftests' (ring_alloc() and friends: REQBUFS, QUERYBUF,
 * mmap, QBUF), as the helper and Documentation/examples/capture.c use it:
 * every buffer queued, STREAMON, then START, and each dequeued buffer is
 * queued again at once.  The bytes are looked at in place in the mapping;
 * nothing is copied.  Ring set-up and tear-down are outside the timing.
 *
 * read() is called with opt.rw_size bytes (at most 256 KiB, the most one
 * call transfers); a page ends with the first read that returns less.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "wiascan_test.h"

#include "bench.h"

static int node_in(void *h, uint8_t request, void *data, uint16_t length)
{
	uint32_t actual = 0;
	int ret = wt_ctrl(*(int *)h, REFSCAN_RT_IN, request, 0, data, length,
			  &actual);

	return ret ? ret : actual == length ? 0 : -EPROTO;
}

static int node_out(void *h, uint8_t request, void *data, uint16_t length)
{
	return wt_ctrl(*(int *)h, REFSCAN_RT_OUT, request, 0, data, length,
		       NULL);
}

/* Wait for the node (after a probe) and open it */
int node_open(struct bench *b)
{
	int ret;

	if (b->fd >= 0)
		return 0;
	ret = wt_wait_node(b->emu, WT_START_TIMEOUT_MS);
	if (ret)
		return ret;
	b->fd = open(b->emu->node, O_RDWR | O_CLOEXEC);
	if (b->fd < 0)
		return -errno;
	ret = wt_set_timeout(b->fd, b->opt.timeout_ms);
	if (ret)
		node_close(b);
	return ret;
}

void node_close(struct bench *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}

/* Take one dequeued buffer; returns 0 or the run's error */
static int take_buffer(struct scan *s, const struct ring *ring,
		       const struct wiascan_buffer *buf, uint64_t sequence)
{
	if (buf->index >= ring->count || buf->bytesused > ring->size)
		return scan_fail(s, -ERANGE, "DQBUF: index %u, %u bytes",
				 buf->index, buf->bytesused);
	if (buf->flags & WIASCAN_BUF_FLAG_ERROR)
		return scan_fail(s, buf->status ? -(int)buf->status : -EIO,
				 "buffer %" PRIu64 ": transfer failed: %s",
				 (uint64_t)buf->sequence,
				 strerror((int)buf->status));
	if (buf->sequence != sequence)
		return scan_fail(s, -EPROTO,
				 "buffer %" PRIu64 " came after %" PRIu64
				 ": buffers lost",
				 (uint64_t)buf->sequence, sequence - 1);
	return scan_take(s, ring->map[buf->index], buf->bytesused,
			 buf->flags & WIASCAN_BUF_FLAG_END_OF_PAGE);
}

static void run_mmap(struct bench *b, const struct ctl *c, struct scan *s,
		     struct run *r)
{
	const struct bench_opts *o = &b->opt;
	struct wiascan_buffer buf;
	struct mark t0, t1;
	struct ring ring;
	uint64_t sequence = 0;
	int ret;

	ret = ring_alloc(&ring, b->fd, o->ring_count, o->ring_size);
	if (ret) {
		run_fail(r, ret, "ring of %u x %u bytes: %s", o->ring_count,
			 o->ring_size, strerror(-ret));
		return;
	}
	ret = ring_queue_all(&ring);
	ret = ret ?: wt_ioctl(b->fd, WIASCAN_IOC_STREAMON, NULL);
	if (ret) {
		run_fail(r, ret, "QBUF/STREAMON: %s", strerror(-ret));
		ring_free(&ring);
		return;
	}
	mark_now(&t0);
	ret = ref_go(c);
	while (!ret && !scan_done(s)) {
		ret = ring_dequeue(&ring, &buf);
		if (ret || take_buffer(s, &ring, &buf, sequence++))
			break;
		if (!scan_done(s))
			ret = ring_queue(&ring, buf.index);
	}
	mark_now(&t1);
	if (ret)
		run_fail(r, ret, "START/DQBUF/QBUF after %" PRIu64 " bytes: %s",
			 s->bytes, strerror(-ret));
	ring_free(&ring);
	run_close(r, &t0, &t1);
}

static void run_read(struct bench *b, const struct ctl *c, struct scan *s,
		     struct run *r)
{
	size_t size = b->opt.rw_size;
	struct mark t0, t1;
	uint8_t *buf;
	ssize_t n;
	int ret;

	buf = aligned_alloc(4096, size);
	if (!buf) {
		run_fail(r, -ENOMEM, "no memory for %zu bytes", size);
		return;
	}
	mark_now(&t0);
	ret = ref_go(c);
	while (!ret && !scan_done(s)) {
		n = read(b->fd, buf, size);
		if (n < 0)
			ret = -errno;
		else if (scan_take(s, buf, (size_t)n, (size_t)n < size))
			break;
	}
	mark_now(&t1);
	if (ret)
		run_fail(r, ret, "START/read after %" PRIu64 " bytes: %s",
			 s->bytes, strerror(-ret));
	free(buf);
	run_close(r, &t0, &t1);
}

void node_run(struct bench *b, enum method m, enum check check, struct run *r)
{
	struct ctl c = { .h = &b->fd, .in = node_in, .out = node_out };
	struct scan s;
	uint32_t bpl;
	int ret;

	ret = node_open(b);
	if (ret) {
		run_fail(r, ret, "no usable /dev/wiascan*: %s", strerror(-ret));
		return;
	}
	ret = ref_ready(&c, b, &bpl, r->why);
	if (ret) {
		r->err = ret;
		return;
	}
	scan_init(&s, &b->opt, bpl, check);
	if (m == M_MMAP)
		run_mmap(b, &c, &s, r);
	else
		run_read(b, &c, &s, r);
	scan_result(&s, r);
}
