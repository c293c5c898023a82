// SPDX-License-Identifier: GPL-2.0
/*
 * Unplug at awkward moments: mid-page with buffers mapped and a DQBUF (or
 * read, or WAIT_EVENT, or poll) blocked in another thread.  Waiters wake
 * with -ENODEV, poll reports POLLHUP|POLLERR, the mappings stay readable
 * with the data they held, close is clean, and a replug gives a working
 * device again.  Unplug is the gadget leaving the UDC (configfs UDC = "").
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "wiascan_test.h"

#define KIB	 1024u
#define NBUFS	 4
#define BUFSIZE	 (16 * KIB)
#define JOIN_MS	 5000
#define BLOCK_MS 300

SCANNER_FIXTURE(scanner, NULL)
SCANNER_FIXTURE(long_feeder, "--sheets", "100")
SCANNER_FIXTURE(slow_control, "--ctrl-delay-ms", "3000")
CONTIGUOUS_SCANNER_FIXTURE(contiguous_scanner, NULL)

enum blocked_kind {
	BLOCKED_DQBUF,
	BLOCKED_READ,
	BLOCKED_EVENT,
	BLOCKED_POLL,
	BLOCKED_CONTROL,
	BLOCKED_REQBUFS,
};

/**
 * struct blocked_call - a call left blocked in another thread
 * @ring: the ring a DQBUF uses (its fd is the call's file)
 * @fd: the file for the other kinds
 * @kind: which call
 * @done: set when the call returned
 * @ret: 0 or -errno of the final call
 * @error_buffers: buffers DQBUF returned flagged ERROR before failing
 * @revents: poll's result
 * @last: the last buffer DQBUF returned
 * @ms: how long the call took
 */
struct blocked_call {
	pthread_t thread;
	struct ring *ring;
	int fd;
	enum blocked_kind kind;
	atomic_bool done;
	int ret;
	unsigned int error_buffers;
	short revents;
	struct wiascan_buffer last;
	uint64_t ms;
};

/*
 * DQBUF may first hand back the buffers whose URBs died with the device,
 * flagged ERROR with the status wiascan_buffer.status documents for it:
 * ENODEV, or a bus error (EPROTO, EILSEQ), which is what the host
 * controller reports for transfers in flight when the device leaves, before
 * the hub has noticed.  After at most one such buffer per buffer in the
 * ring, DQBUF must fail with -ENODEV.  Returns that final result, or 1
 * when a buffer without such an error came back (left in @b).
 */
static int dqbuf_until_failure(struct ring *r, unsigned int *error_buffers,
			       struct wiascan_buffer *b)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i <= r->count; i++) {
		ret = ring_dequeue(r, b);
		if (ret)
			return ret;
		if (!(b->flags & WIASCAN_BUF_FLAG_ERROR) ||
		    (b->status != ENODEV && b->status != EPROTO &&
		     b->status != EILSEQ))
			return 1;
		(*error_buffers)++;
	}
	return -E2BIG;
}

/*
 * The same for read(): the transfer in flight may fail with a bus error,
 * and so may any read submitted before the hub has processed the
 * disconnect; a client retrying on a bus error must see -ENODEV within a
 * couple of seconds.  Returns the final -errno, or 1 if a read returned
 * data.
 */
static int read_until_failure(int fd, uint8_t *buf, size_t len)
{
	int i, ret = 0;

	for (i = 0; i < 200; i++) {
		if (read(fd, buf, len) >= 0)
			return 1;
		ret = -errno;
		if (ret != -EPROTO && ret != -EILSEQ)
			break;
		wt_sleep_ms(10);
	}
	return ret;
}

/*
 * Allocate and free big rings until REQBUFS fails; every failure but the
 * final -ENODEV would be a bug.  Counts the rings in @rings.
 */
static int reqbufs_until_failure(int fd, unsigned int *rings)
{
	struct wiascan_reqbufs rb;
	int ret;

	for (;;) {
		rb = (struct wiascan_reqbufs) { .count = 8, .size = 1 << 20 };
		ret = wt_ioctl(fd, WIASCAN_IOC_REQBUFS, &rb);
		if (ret)
			return ret;
		(*rings)++;
		rb = (struct wiascan_reqbufs) { .count = 0 };
		ret = wt_ioctl(fd, WIASCAN_IOC_REQBUFS, &rb);
		if (ret)
			return ret;
	}
}

/*
 * The same for a control transfer: the one in flight may end with a bus
 * error when the device leaves; retrying, a client must see -ENODEV.
 * Returns the final -errno, or 1 if a transfer succeeded.
 */
static int control_until_failure(int fd, uint8_t *buf)
{
	int i, ret = 0;

	for (i = 0; i < 200; i++) {
		ret = ref_get_info(fd, (struct refscan_info *)buf);
		if (!ret)
			return 1;
		if (ret != -EPROTO && ret != -EILSEQ)
			break;
		wt_sleep_ms(10);
	}
	return ret;
}

static void *blocked_thread(void *arg)
{
	struct blocked_call *c = arg;
	struct wiascan_event ev = { 0 };
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN | POLLPRI };
	uint8_t buf[4096];
	uint64_t t0 = wt_now_ns();

	switch (c->kind) {
	case BLOCKED_DQBUF:
		c->ret = dqbuf_until_failure(c->ring, &c->error_buffers,
					     &c->last);
		break;
	case BLOCKED_READ:
		c->ret = read_until_failure(c->fd, buf, sizeof(buf));
		break;
	case BLOCKED_EVENT:
		c->ret = wt_ioctl(c->fd, WIASCAN_IOC_WAIT_EVENT, &ev);
		break;
	case BLOCKED_POLL:
		c->ret = poll(&pfd, 1, JOIN_MS + BLOCK_MS) < 0 ? -errno : 0;
		c->revents = pfd.revents;
		break;
	case BLOCKED_CONTROL:
		c->ret = control_until_failure(c->fd, buf);
		break;
	case BLOCKED_REQBUFS:
		c->ret = reqbufs_until_failure(c->fd, &c->error_buffers);
		break;
	}
	c->ms = (wt_now_ns() - t0) / 1000000;
	c->done = true;
	return NULL;
}

static int start_blocked(struct blocked_call *c)
{
	int ret = pthread_create(&c->thread, NULL, blocked_thread, c);

	if (ret)
		return -ret;
	wt_sleep_ms(BLOCK_MS);
	return c->done ? -EALREADY : 0;
}

static int join_blocked(struct blocked_call *c)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += JOIN_MS / 1000;
	return -pthread_timedjoin_np(c->thread, NULL, &ts);
}

/*
 * Unbind the driver from the (still present) device: usbcore kills the
 * URBs in flight with -ESHUTDOWN before it calls disconnect().
 */
static void unbind(struct __test_metadata *_metadata, struct scanner *s)
{
	char intf[64];

	ASSERT_EQ(0, wt_interface_name(s->sysname, intf, sizeof(intf)));
	ASSERT_EQ(0, wt_driver_unbind(intf));
	ASSERT_EQ(0, wt_wait_node_gone(s->sysname, WT_GONE_TIMEOUT_MS));
}

/* Unplug and wait until the node is gone */
static void unplug(struct __test_metadata *_metadata, struct scanner *s)
{
	ASSERT_EQ(0, wt_unplug());
	ASSERT_EQ(0, wt_wait_node_gone(s->sysname, WT_GONE_TIMEOUT_MS));
}

/* A gray page far longer than the ring, configured on the device */
static void configure_long_page(struct __test_metadata *_metadata, int fd,
				struct refscan_params *p)
{
	ASSERT_EQ(0, ref_configure(fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_FLATBED, 100, 800, 500, p));
}

/*
 * Mid-page with every buffer mapped and dequeued, each one checked: the
 * device has more of the page to send and nothing is queued to take it.
 */
static void
stream_until_the_ring_is_user_owned(struct __test_metadata *_metadata, int fd,
				    struct ring *r, struct refscan_params *p)
{
	struct wiascan_buffer b;
	unsigned int i;

	configure_long_page(_metadata, fd, p);
	ASSERT_EQ(0, ring_alloc(r, fd, NBUFS, BUFSIZE));
	ASSERT_EQ(0, ring_queue_all(r));
	ASSERT_EQ(0, wt_ioctl(fd, WIASCAN_IOC_STREAMON, NULL));
	ASSERT_EQ(0, ref_start(fd));
	for (i = 0; i < NBUFS; i++) {
		ASSERT_EQ(0, ring_dequeue(r, &b));
		ASSERT_EQ(i, b.index);
		ASSERT_EQ(BUFSIZE, b.bytesused);
		ASSERT_EQ(-1, wt_formula_mismatch(r->map[i], BUFSIZE,
						  p->bytes_per_line, 0,
						  (uint64_t)i * BUFSIZE));
	}
}

TEST_F(scanner, dqbuf_blocked_during_unplug_returns_enodev)
{
	struct blocked_call c = { .kind = BLOCKED_DQBUF };
	struct refscan_params p;
	struct ring r;

	/* URBs in flight, device idle: the DQBUF waits for data */
	configure_long_page(_metadata, self->s.fd, &p);
	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, NBUFS, BUFSIZE));
	ASSERT_EQ(0, ring_queue_all(&r));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	c.ring = &r;
	ASSERT_EQ(0, start_blocked(&c)) TH_LOG("DQBUF did not block");
	unplug(_metadata, &self->s);
	ASSERT_EQ(0,
		  join_blocked(&c)) TH_LOG("DQBUF still blocked after unplug");
	EXPECT_EQ(-ENODEV, c.ret)
	TH_LOG("ret %d after %llu ms; last buffer %u flags 0x%x status %u",
	       c.ret, (unsigned long long)c.ms, c.last.index, c.last.flags,
	       c.last.status);
	TH_LOG("%u error buffers before -ENODEV", c.error_buffers);
}

TEST_F(scanner, dqbuf_blocked_mid_page_during_unplug_returns_enodev)
{
	struct blocked_call c = { .kind = BLOCKED_DQBUF };
	struct refscan_params p;
	struct ring r;

	stream_until_the_ring_is_user_owned(_metadata, self->s.fd, &r, &p);
	c.ring = &r;
	ASSERT_EQ(0, start_blocked(&c)) TH_LOG("DQBUF did not block");
	unplug(_metadata, &self->s);
	ASSERT_EQ(0,
		  join_blocked(&c)) TH_LOG("DQBUF still blocked after unplug");
	EXPECT_EQ(-ENODEV, c.ret) TH_LOG("%s", strerror(-c.ret));
	EXPECT_EQ(0, c.error_buffers) TH_LOG("no buffer was queued");
}

TEST_F(scanner, read_blocked_during_unplug_returns_enodev)
{
	struct blocked_call c = { .kind = BLOCKED_READ, .fd = self->s.fd };

	ASSERT_EQ(0, start_blocked(&c)) TH_LOG("read did not block");
	unplug(_metadata, &self->s);
	ASSERT_EQ(0,
		  join_blocked(&c)) TH_LOG("read still blocked after unplug");
	EXPECT_EQ(-ENODEV, c.ret)
	TH_LOG("%s after %llu ms", strerror(-c.ret), (unsigned long long)c.ms);
}

TEST_F(scanner, read_blocked_during_driver_unbind_returns_enodev)
{
	struct blocked_call c = { .kind = BLOCKED_READ, .fd = self->s.fd };

	ASSERT_EQ(0, start_blocked(&c)) TH_LOG("read did not block");
	unbind(_metadata, &self->s);
	ASSERT_EQ(0,
		  join_blocked(&c)) TH_LOG("read still blocked after unbind");
	EXPECT_EQ(-ENODEV, c.ret)
	TH_LOG("%s after %llu ms", strerror(-c.ret), (unsigned long long)c.ms);
}

TEST_F(scanner, dqbuf_blocked_during_driver_unbind_returns_enodev)
{
	struct blocked_call c = { .kind = BLOCKED_DQBUF };
	struct refscan_params p;
	struct ring r;

	configure_long_page(_metadata, self->s.fd, &p);
	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, NBUFS, BUFSIZE));
	ASSERT_EQ(0, ring_queue_all(&r));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	c.ring = &r;
	ASSERT_EQ(0, start_blocked(&c)) TH_LOG("DQBUF did not block");
	unbind(_metadata, &self->s);
	ASSERT_EQ(0,
		  join_blocked(&c)) TH_LOG("DQBUF still blocked after unbind");
	EXPECT_EQ(-ENODEV, c.ret)
	TH_LOG("ret %d after %llu ms; last buffer %u flags 0x%x status %u",
	       c.ret, (unsigned long long)c.ms, c.last.index, c.last.flags,
	       c.last.status);
}

TEST_F(scanner, wait_event_blocked_during_unplug_returns_enodev)
{
	struct blocked_call c = { .kind = BLOCKED_EVENT, .fd = self->s.fd };

	ASSERT_EQ(0, start_blocked(&c)) TH_LOG("WAIT_EVENT did not block");
	unplug(_metadata, &self->s);
	ASSERT_EQ(0, join_blocked(&c)) TH_LOG("WAIT_EVENT still blocked");
	EXPECT_EQ(-ENODEV, c.ret) TH_LOG("%s", strerror(-c.ret));
}

TEST_F(scanner, poll_blocked_during_unplug_wakes_with_hup_and_err)
{
	struct blocked_call c = { .kind = BLOCKED_POLL, .fd = self->s.fd };
	struct refscan_params p;
	struct ring r;

	stream_until_the_ring_is_user_owned(_metadata, self->s.fd, &r, &p);
	ASSERT_EQ(0, start_blocked(&c)) TH_LOG("poll did not block");
	unplug(_metadata, &self->s);
	ASSERT_EQ(0, join_blocked(&c));
	EXPECT_EQ(0, c.ret);
	EXPECT_EQ(POLLHUP | POLLERR, c.revents & (POLLHUP | POLLERR))
	TH_LOG("revents 0x%x", c.revents);
}

TEST_F(scanner, poll_after_unplug_reports_hup_and_err)
{
	struct pollfd pfd = { .fd = self->s.fd, .events = POLLIN | POLLPRI };
	struct refscan_params p;
	struct ring r;

	stream_until_the_ring_is_user_owned(_metadata, self->s.fd, &r, &p);
	unplug(_metadata, &self->s);
	ASSERT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_EQ(POLLHUP | POLLERR, pfd.revents & (POLLHUP | POLLERR))
	TH_LOG("revents 0x%x", pfd.revents);
}

TEST_F(scanner, mapping_stays_readable_after_unplug)
{
	struct refscan_params p;
	struct ring r;
	unsigned int i;
	long bad;

	stream_until_the_ring_is_user_owned(_metadata, self->s.fd, &r, &p);
	unplug(_metadata, &self->s);
	/* Every byte, still the page data each buffer held */
	for (i = 0; i < r.count; i++) {
		bad = wt_formula_mismatch(r.map[i], r.size, p.bytes_per_line, 0,
					  (uint64_t)i * BUFSIZE);
		EXPECT_EQ(-1, bad) TH_LOG("buffer %u byte %ld", i, bad);
	}
}

TEST_F(contiguous_scanner,
       contiguous_mapping_stays_readable_after_unplug_and_close)
{
	struct refscan_params p;
	struct ring r;
	unsigned int i;
	long bad;

	stream_until_the_ring_is_user_owned(_metadata, self->s.fd, &r, &p);
	unplug(_metadata, &self->s);
	EXPECT_EQ(0, close(self->s.fd));
	self->s.fd = -1;
	for (i = 0; i < r.count; i++) {
		bad = wt_formula_mismatch(r.map[i], r.size, p.bytes_per_line, 0,
					  (uint64_t)i * BUFSIZE);
		EXPECT_EQ(-1, bad) TH_LOG("buffer %u byte %ld", i, bad);
		EXPECT_EQ(0, munmap((void *)r.map[i], r.size));
		r.map[i] = NULL;
	}
}

TEST_F(scanner, calls_after_unplug_return_enodev)
{
	struct wiascan_event ev = { .flags = WIASCAN_EVENT_NONBLOCK };
	struct refscan_info info;
	struct refscan_params p;
	struct wiascan_buffer b;
	uint8_t buf[512] = { 0 }; /* read() wants whole packets */
	struct ring r;

	stream_until_the_ring_is_user_owned(_metadata, self->s.fd, &r, &p);
	unplug(_metadata, &self->s);
	EXPECT_EQ(-ENODEV, ring_queue(&r, 0));
	EXPECT_EQ(-ENODEV, ring_dequeue(&r, &b));
	EXPECT_EQ(-ENODEV, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	EXPECT_EQ(-ENODEV, ref_get_info(self->s.fd, &info));
	EXPECT_EQ(-ENODEV, wt_ioctl(self->s.fd, WIASCAN_IOC_WAIT_EVENT, &ev));
	EXPECT_EQ(-1, read(self->s.fd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, write(self->s.fd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
}

TEST_F(scanner, close_after_unplug_with_buffers_mapped_is_clean)
{
	struct refscan_params p;
	struct ring r;
	unsigned int i;

	stream_until_the_ring_is_user_owned(_metadata, self->s.fd, &r, &p);
	unplug(_metadata, &self->s);
	EXPECT_EQ(0, close(self->s.fd));
	self->s.fd = -1;
	/* The orphaned buffers live until the last munmap */
	for (i = 0; i < r.count; i++) {
		EXPECT_EQ(-1, wt_formula_mismatch(r.map[i], r.size,
						  p.bytes_per_line, 0,
						  (uint64_t)i * BUFSIZE));
		EXPECT_EQ(0, munmap((void *)r.map[i], r.size));
		r.map[i] = NULL;
	}
}

TEST_F(scanner, node_disappears_on_unplug_while_open)
{
	ASSERT_EQ(0, wt_unplug());
	EXPECT_EQ(0, wt_wait_node_gone(self->s.sysname, WT_GONE_TIMEOUT_MS));
	EXPECT_NE(0, access(self->s.node, F_OK));
}

TEST_F(scanner, replug_after_unplug_mid_stream_gives_a_working_device)
{
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_FLATBED,
		.dpi = 100,
		.width_px = 300,
		.height_px = 77,
		.nbufs = 4,
		.bufsize = 8 * KIB,
		.npages = 1,
	};
	struct refscan_params p;
	struct scan_result res;
	struct ring r;
	int old_fd;

	stream_until_the_ring_is_user_owned(_metadata, self->s.fd, &r, &p);
	unplug(_metadata, &self->s);
	/* The old file and its mappings stay open across the replug */
	old_fd = self->s.fd;
	ASSERT_EQ(0, wt_replug());
	ASSERT_EQ(0, wt_wait_node(&self->s, WT_START_TIMEOUT_MS))
	TH_LOG("no node after replug");
	self->s.fd = open(self->s.node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->s.fd);
	ASSERT_EQ(0, wt_set_timeout(self->s.fd, WT_FILE_TIMEOUT_MS));
	wt_scan(self->s.fd, &spec, &res);
	EXPECT_EQ(0, res.err) TH_LOG("%s", strerror(-res.err));
	EXPECT_EQ(1, res.pages);
	EXPECT_EQ(300 * 77, res.page_bytes[0]);
	EXPECT_EQ(0, res.mismatches);
	EXPECT_EQ(-ENODEV, ring_queue(&r, 0)) TH_LOG("the old file is dead");
	EXPECT_EQ(0, close(old_fd));
	ring_unmap(&r);
}

TEST_F(long_feeder, unplug_while_streaming_ends_the_stream_with_enodev)
{
	struct refscan_params p;
	struct wiascan_buffer b;
	struct ring r;
	unsigned int n = 0, bad = 0;
	uint64_t pos = 0, page = 0;
	int ret;

	/* 800 KB pages from a feeder of 100: data never runs out in time */
	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_ADF, 100, 800, 1000, &p));
	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, 8, 32 * KIB));
	ASSERT_EQ(0, ring_queue_all(&r));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	ASSERT_EQ(0, ref_start(self->s.fd));
	for (;;) {
		ret = ring_dequeue(&r, &b);
		if (ret)
			break;
		if ((b.flags & WIASCAN_BUF_FLAG_ERROR) || b.status) {
			/* transfers that died with the device */
			EXPECT_TRUE(b.status == ENODEV || b.status == EPROTO ||
				    b.status == EILSEQ)
			TH_LOG("buffer status %u", b.status);
			continue;
		}
		if (wt_formula_mismatch(r.map[b.index], b.bytesused,
					p.bytes_per_line, page, pos) >= 0)
			bad++;
		pos += b.bytesused;
		if (b.flags & WIASCAN_BUF_FLAG_END_OF_PAGE) {
			page++;
			pos = 0;
		}
		/* Unplug with the stream running and URBs in flight */
		if (++n == 24)
			ASSERT_EQ(0, wt_unplug());
		ret = ring_queue(&r, b.index);
		if (ret)
			break;
		ASSERT_GT(100000, n) TH_LOG("the stream never ended");
	}
	EXPECT_EQ(-ENODEV, ret) TH_LOG("%s after %u buffers", strerror(-ret),
				       n);
	EXPECT_LE(24, n);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, wt_wait_node_gone(self->s.sysname, WT_GONE_TIMEOUT_MS));
}

TEST_F(scanner, unplug_before_open_leaves_nothing_to_open)
{
	char path[64];
	struct stat st;
	int fd;

	ASSERT_EQ(0, stat(self->s.node, &st));
	close(self->s.fd);
	self->s.fd = -1;
	unplug(_metadata, &self->s);
	EXPECT_EQ(-1, open(self->s.node, O_RDWR | O_CLOEXEC));
	EXPECT_EQ(ENOENT, errno);
	/* a node kept elsewhere with the old numbers reaches nothing */
	snprintf(path, sizeof(path), "/tmp/wiascan-stale.%d", (int)getpid());
	unlink(path);
	ASSERT_EQ(0, mknod(path, S_IFCHR | 0600, st.st_rdev));
	fd = open(path, O_RDWR | O_CLOEXEC);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ENODEV, errno) TH_LOG("%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(path);
}

TEST_F(scanner, unplug_during_buffer_requests_ends_them_with_enodev)
{
	struct blocked_call c = { .kind = BLOCKED_REQBUFS, .fd = self->s.fd };

	ASSERT_EQ(0, start_blocked(&c)) TH_LOG("REQBUFS failed: %s",
					       strerror(-c.ret));
	unplug(_metadata, &self->s);
	ASSERT_EQ(0, join_blocked(&c)) TH_LOG("REQBUFS loop still running");
	EXPECT_EQ(-ENODEV, c.ret) TH_LOG("%s", strerror(-c.ret));
	TH_LOG("%u rings of 8 MiB before the unplug", c.error_buffers);
}

TEST_F(scanner, unplug_while_mapped_and_idle_keeps_the_mappings)
{
	struct wiascan_reqbufs rb = { .count = 0 };
	struct ring r;
	unsigned int i;
	size_t j;

	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, NBUFS, BUFSIZE));
	ASSERT_NE(0, r.count); /* i % r.count below */
	unplug(_metadata, &self->s);
	for (i = 0; i < r.count; i++)
		for (j = 0; j < r.size; j += 4096)
			ASSERT_EQ(0, r.map[i][j]);
	/*
	 * The node goes first in disconnect(), the queue's state a moment
	 * later: QBUF may still queue a buffer or two meanwhile, then -ENODEV.
	 */
	for (i = 0; i < 100 && ring_queue(&r, i % r.count) != -ENODEV; i++)
		wt_sleep_ms(20);
	EXPECT_EQ(-ENODEV, ring_queue(&r, 0));
	EXPECT_EQ(-EBUSY, wt_ioctl(self->s.fd, WIASCAN_IOC_REQBUFS, &rb));
	ring_unmap(&r);
	EXPECT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_REQBUFS, &rb));
}

TEST_F(slow_control, control_transfer_in_progress_during_unplug_returns_enodev)
{
	struct blocked_call c = { .kind = BLOCKED_CONTROL, .fd = self->s.fd };

	/* the device takes 3 s to answer; the cable goes meanwhile */
	ASSERT_EQ(0, start_blocked(&c)) TH_LOG("control did not block");
	unplug(_metadata, &self->s);
	ASSERT_EQ(0, join_blocked(&c)) TH_LOG("control still blocked");
	EXPECT_EQ(-ENODEV, c.ret)
	TH_LOG("%s after %llu ms", strerror(-c.ret), (unsigned long long)c.ms);
	EXPECT_GT(2500, c.ms) TH_LOG("it waited for the device's answer");
}

TEST_F(slow_control,
       control_transfer_in_progress_during_driver_unbind_returns_enodev)
{
	struct blocked_call c = { .kind = BLOCKED_CONTROL, .fd = self->s.fd };

	ASSERT_EQ(0, start_blocked(&c)) TH_LOG("control did not block");
	unbind(_metadata, &self->s);
	ASSERT_EQ(0, join_blocked(&c)) TH_LOG("control still blocked");
	EXPECT_EQ(-ENODEV, c.ret)
	TH_LOG("%s after %llu ms", strerror(-c.ret), (unsigned long long)c.ms);
}

/*
 * A child inherits the mappings; the parent unplugs, closes and unmaps;
 * the child still reads the page data, and the ring goes with its exit.
 */
TEST_F(scanner, mappings_inherited_across_fork_survive_unplug_in_the_parent)
{
	struct refscan_params p;
	int to_child[2], status;
	struct ring r;
	unsigned int i;
	pid_t pid;
	char go;

	stream_until_the_ring_is_user_owned(_metadata, self->s.fd, &r, &p);
	ASSERT_EQ(0, pipe(to_child));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(to_child[1]);
		if (read(to_child[0], &go, 1) != 1)
			_exit(2);
		for (i = 0; i < r.count; i++)
			if (wt_formula_mismatch(r.map[i], r.size,
						p.bytes_per_line, 0,
						(uint64_t)i * BUFSIZE) >= 0)
				_exit(1);
		_exit(0);
	}
	close(to_child[0]);
	unplug(_metadata, &self->s);
	ring_unmap(&r);
	close(self->s.fd);
	self->s.fd = -1;
	ASSERT_EQ(1, write(to_child[1], "g", 1));
	close(to_child[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("the child saw other bytes");
}

TEST_F(scanner, driver_unbind_and_rebind_while_open_and_mapped)
{
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_FLATBED,
		.dpi = 100,
		.width_px = 300,
		.height_px = 77,
		.nbufs = 4,
		.bufsize = 8 * KIB,
		.npages = 1,
	};
	struct refscan_params p;
	struct scan_result res;
	char intf[64];
	struct ring r;
	int old_fd;

	stream_until_the_ring_is_user_owned(_metadata, self->s.fd, &r, &p);
	ASSERT_EQ(0, wt_interface_name(self->s.sysname, intf, sizeof(intf)));
	unbind(_metadata, &self->s);
	EXPECT_EQ(-ENODEV, ring_queue(&r, 0));
	EXPECT_EQ(-1, wt_formula_mismatch(r.map[1], BUFSIZE, p.bytes_per_line,
					  0, BUFSIZE));
	old_fd = self->s.fd;
	ASSERT_EQ(0, wt_driver_bind(intf));
	ASSERT_EQ(0, wt_wait_node(&self->s, WT_START_TIMEOUT_MS));
	self->s.fd = open(self->s.node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->s.fd);
	ASSERT_EQ(0, wt_set_timeout(self->s.fd, WT_FILE_TIMEOUT_MS));
	/* the device kept scanning the old page: cancel it first */
	EXPECT_EQ(0, ref_cancel(self->s.fd));
	wt_scan(self->s.fd, &spec, &res);
	EXPECT_EQ(0, res.err) TH_LOG("%s", strerror(-res.err));
	EXPECT_EQ(300 * 77, res.page_bytes[0]);
	EXPECT_EQ(0, res.mismatches);
	ring_unmap(&r);
	EXPECT_EQ(0, close(old_fd));
}

TEST_HARNESS_MAIN
