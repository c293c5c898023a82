// SPDX-License-Identifier: GPL-2.0
/*
 * The simple paths beside the ring: read() from bulk-in byte-exact,
 * write() to bulk-out (seen by the device's status counters), interrupt
 * events through WAIT_EVENT, and the per-file timeout of each of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "wiascan_test.h"

SCANNER_FIXTURE(scanner, NULL)
SCANNER_FIXTURE(feeder_of_two, "--sheets", "2")

/*
 * read() @chunk bytes at a time until at least @len bytes arrived; @buf
 * must hold @len + @chunk.  Every read asks for the whole @chunk, a
 * multiple of the packet size: the page's short packet ends a read early,
 * and a request that cannot hold a full packet would risk babble.
 * Returns the count read, or -errno.
 */
static ssize_t read_all(int fd, uint8_t *buf, size_t len, size_t chunk)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, buf + got, chunk);
		if (n < 0)
			return -errno;
		if (n == 0)
			continue; /* a zero-length packet */
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int wait_event(int fd, uint32_t timeout_ms, uint32_t flags,
		      struct wiascan_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->timeout_ms = timeout_ms;
	ev->flags = flags;
	return wt_ioctl(fd, WIASCAN_IOC_WAIT_EVENT, ev);
}

static struct refscan_event event_packet(const struct wiascan_event *ev)
{
	struct refscan_event e;

	memcpy(&e, ev->data, sizeof(e));
	return e;
}

TEST_F(scanner, read_delivers_a_page_byte_exact)
{
	const size_t len = 999 * 37; /* color 333 x 37: not whole packets */
	struct refscan_params p;
	uint8_t *buf;
	long bad;

	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_COLOR,
				   REFSCAN_SOURCE_FLATBED, 100, 333, 37, &p));
	buf = malloc(len + 4096);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, ref_start(self->s.fd));
	ASSERT_EQ((ssize_t)len, read_all(self->s.fd, buf, len, 4096));
	bad = wt_formula_mismatch(buf, len, p.bytes_per_line, 0, 0);
	EXPECT_EQ(-1, bad) TH_LOG("first wrong byte at %ld", bad);
	free(buf);
}

TEST_F(feeder_of_two, read_delivers_adf_pages_back_to_back_byte_exact)
{
	const size_t page = 300 * 41; /* gray 300 x 41 = 12300 */
	struct refscan_params p;
	uint8_t *buf;
	long bad;

	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_ADF, 100, 300, 41, &p));
	buf = malloc(2 * page + 65536);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, ref_start(self->s.fd));
	/* Large reads: each one ends at the page's short packet */
	ASSERT_EQ((ssize_t)(2 * page),
		  read_all(self->s.fd, buf, 2 * page, 65536));
	bad = wt_formula_mismatch(buf, page, p.bytes_per_line, 0, 0);
	EXPECT_EQ(-1, bad) TH_LOG("page 0: first wrong byte at %ld", bad);
	bad = wt_formula_mismatch(buf + page, page, p.bytes_per_line, 1, 0);
	EXPECT_EQ(-1, bad) TH_LOG("page 1: first wrong byte at %ld", bad);
	free(buf);
}

TEST_F(scanner, read_of_a_page_of_whole_buffers_returns_zero_at_its_zlp)
{
	uint8_t buf[4096];
	struct refscan_params p;

	/* 512 x 8 gray: 4096 bytes, eight full packets, then a ZLP */
	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_FLATBED, 100, 512, 8, &p));
	ASSERT_EQ(0, ref_start(self->s.fd));
	ASSERT_EQ((ssize_t)sizeof(buf), read(self->s.fd, buf, sizeof(buf)));
	EXPECT_EQ(-1, wt_formula_mismatch(buf, sizeof(buf), p.bytes_per_line, 0,
					  0));
	EXPECT_EQ(0, read(self->s.fd, buf, sizeof(buf)));
}

TEST_F(scanner, read_shorter_than_a_packet_returns_einval)
{
	uint8_t buf[512];

	EXPECT_EQ(-1, read(self->s.fd, buf, 511));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(self->s.fd, buf, 1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(scanner, read_while_the_ring_streams_returns_ebusy)
{
	uint8_t buf[512];
	struct ring r;

	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, 2, 4096));
	ASSERT_EQ(0, ring_queue_all(&r));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	EXPECT_EQ(-1, read(self->s.fd, buf, sizeof(buf)));
	EXPECT_EQ(EBUSY, errno);
	ring_free(&r);
}

/* A read() left waiting in another thread of the same file */
struct waiting_read {
	pthread_t thread;
	int fd;
	ssize_t ret;
	int err;
	atomic_bool done;
};

static void *waiting_read_thread(void *arg)
{
	struct waiting_read *w = arg;
	uint8_t buf[512];

	w->ret = read(w->fd, buf, sizeof(buf));
	w->err = errno;
	atomic_store(&w->done, true);
	return NULL;
}

/*
 * The bulk-in endpoint has one consumer at a time, decided under the
 * queue's lock: while a read() waits for data (its URB in flight),
 * STREAMON of the same file must not put the ring's URBs beside it, and
 * CLEAR_HALT must not reset the toggle under it.  Before the fix both
 * tested "streaming" without the lock and STREAMON returned 0 here.
 */
TEST_F(scanner, streamon_and_clear_halt_while_a_read_waits_give_ebusy)
{
	struct waiting_read w = { .fd = self->s.fd };
	struct wiascan_clear_halt ch = { 0 };
	struct wiascan_caps caps;
	uint8_t buf[512];
	struct ring r;

	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, &caps));
	ch.endpoint = caps.bulk_in_ep;
	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, 2, 4096));
	ASSERT_EQ(0, ring_queue_all(&r));
	/* an idle device: the read waits its whole timeout */
	ASSERT_EQ(0, wt_set_timeout(self->s.fd, 3000));
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, waiting_read_thread, &w));
	wt_sleep_ms(500);
	ASSERT_FALSE(atomic_load(&w.done)) TH_LOG("read() did not wait");
	EXPECT_EQ(-EBUSY, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL))
	TH_LOG("STREAMON put a second consumer on bulk-in beside read()");
	EXPECT_EQ(-EBUSY, wt_ioctl(self->s.fd, WIASCAN_IOC_CLEAR_HALT, &ch))
	TH_LOG("CLEAR_HALT reset bulk-in's toggle under a read() URB");
	pthread_join(w.thread, NULL);
	EXPECT_EQ(-1, w.ret);
	EXPECT_EQ(ETIMEDOUT, w.err) TH_LOG("%s", strerror(w.err));
	/* the read is over: the endpoint is the ring's again, and not read()'s */
	EXPECT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	EXPECT_EQ(-1, read(self->s.fd, buf, sizeof(buf)));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-EBUSY, wt_ioctl(self->s.fd, WIASCAN_IOC_CLEAR_HALT, &ch));
	ring_free(&r);
}

/*
 * WIASCAN_CAP_READ_IDLE: a streaming ring with no buffer queued leaves
 * bulk-in to read(), and the ring and read() take turns on one page with
 * no byte lost: a 7000-byte gray page (700 x 10) is read as 512 bytes by
 * read(), 4096 by a ring buffer with xfer_length 4096, and the remaining
 * 2392 by read() (ended by the short packet), each equal to the formula
 * at its offset.  With a buffer queued again, read() is EBUSY.
 */
TEST_F(scanner,
       read_while_streaming_with_none_queued_works_with_one_queued_ebusy)
{
	struct wiascan_buffer b = { .index = 0, .xfer_length = 4096 };
	struct refscan_params p;
	uint8_t buf[4096];
	struct ring r;

	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_FLATBED, 100, 700, 10, &p));
	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, 2, 4096));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	ASSERT_EQ(0, ref_start(self->s.fd));

	ASSERT_EQ(512, read(self->s.fd, buf, 512)) TH_LOG("read: %m");
	EXPECT_EQ(-1, wt_formula_mismatch(buf, 512, p.bytes_per_line, 0, 0));

	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF, &b));
	ASSERT_EQ(0, ring_dequeue(&r, &b));
	EXPECT_EQ(0, b.index);
	EXPECT_EQ(4096, b.bytesused);
	EXPECT_EQ(4096, b.xfer_length);
	EXPECT_EQ(0, b.flags & WIASCAN_BUF_FLAG_END_OF_PAGE);
	EXPECT_EQ(-1, wt_formula_mismatch(r.map[0], 4096, p.bytes_per_line, 0,
					  512));

	ASSERT_EQ(2392, read(self->s.fd, buf, sizeof(buf))) TH_LOG("read: %m");
	EXPECT_EQ(-1,
		  wt_formula_mismatch(buf, 2392, p.bytes_per_line, 0, 4608));

	/* a buffer in flight owns the endpoint again */
	ASSERT_EQ(0, ring_queue(&r, 1));
	EXPECT_EQ(-1, read(self->s.fd, buf, 512));
	EXPECT_EQ(EBUSY, errno);
	ring_free(&r);
}

/*
 * While a read() waits on a streaming ring with none queued, QBUF must
 * not put a ring URB beside it: EBUSY, and the buffer stays dequeued.
 * Once the read() timed out, the same QBUF succeeds and read() is EBUSY.
 */
TEST_F(scanner, qbuf_while_streaming_and_a_read_waits_gives_ebusy)
{
	struct waiting_read w = { .fd = self->s.fd };
	struct wiascan_buffer b;
	uint8_t buf[512];
	struct ring r;

	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, 2, 4096));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	/* an idle device: the read waits its whole timeout */
	ASSERT_EQ(0, wt_set_timeout(self->s.fd, 3000));
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, waiting_read_thread, &w));
	wt_sleep_ms(500);
	ASSERT_FALSE(atomic_load(&w.done)) TH_LOG("read() did not wait");
	EXPECT_EQ(-EBUSY, ring_queue(&r, 0))
	TH_LOG("QBUF put a ring URB on bulk-in beside read()");
	memset(&b, 0, sizeof(b));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYBUF, &b));
	EXPECT_EQ(0, b.flags & WIASCAN_BUF_FLAG_QUEUED);
	pthread_join(w.thread, NULL);
	EXPECT_EQ(-1, w.ret);
	EXPECT_EQ(ETIMEDOUT, w.err) TH_LOG("%s", strerror(w.err));
	EXPECT_EQ(0, ring_queue(&r, 0));
	EXPECT_EQ(-1, read(self->s.fd, buf, sizeof(buf)));
	EXPECT_EQ(EBUSY, errno);
	ring_free(&r);
}

TEST_F(scanner, read_times_out_when_the_device_sends_nothing)
{
	uint8_t buf[512];
	uint64_t t0, ms;

	ASSERT_EQ(0, wt_set_timeout(self->s.fd, 300));
	t0 = wt_now_ns();
	EXPECT_EQ(-1, read(self->s.fd, buf, sizeof(buf)));
	EXPECT_EQ(ETIMEDOUT, errno);
	ms = (wt_now_ns() - t0) / 1000000;
	EXPECT_LE(250, ms);
	EXPECT_GT(5000, ms);
}

TEST_F(scanner, nonblocking_read_with_nothing_sent_returns_eagain)
{
	uint8_t buf[512];
	int fd;

	fd = open(self->s.node, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	/* If O_NONBLOCK were ignored, fail in 2 s rather than hang for 30 */
	ASSERT_EQ(0, wt_set_timeout(fd, 2000));
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

TEST_F(scanner, write_reaches_the_device_bulk_out)
{
	struct refscan_status before, after;
	uint32_t sum = 0;
	uint8_t buf[3000];
	size_t i;
	int tries;

	for (i = 0; i < sizeof(buf); i++) {
		buf[i] = (uint8_t)(i * 7 + 3);
		sum += buf[i];
	}
	ASSERT_EQ(0, ref_get_status(self->s.fd, &before));
	ASSERT_EQ((ssize_t)sizeof(buf), write(self->s.fd, buf, sizeof(buf)));
	/* The emulator counts after its own read completes: allow it a moment */
	for (tries = 0; tries < 100; tries++) {
		ASSERT_EQ(0, ref_get_status(self->s.fd, &after));
		if (after.bulk_out_bytes - before.bulk_out_bytes >= sizeof(buf))
			break;
		wt_sleep_ms(20);
	}
	EXPECT_EQ(sizeof(buf), after.bulk_out_bytes - before.bulk_out_bytes);
	EXPECT_EQ(sum, after.bulk_out_sum - before.bulk_out_sum);
}

TEST_F(scanner, write_of_whole_packets_reaches_the_device)
{
	struct refscan_status before, after;
	uint8_t buf[2048];
	uint32_t sum = 0;
	size_t i;
	int tries;

	for (i = 0; i < sizeof(buf); i++) {
		buf[i] = formula_byte(i, 0, 0);
		sum += buf[i];
	}
	ASSERT_EQ(0, ref_get_status(self->s.fd, &before));
	ASSERT_EQ((ssize_t)sizeof(buf), write(self->s.fd, buf, sizeof(buf)));
	ASSERT_EQ(1, write(self->s.fd, buf, 1));
	sum += buf[0];
	for (tries = 0; tries < 100; tries++) {
		ASSERT_EQ(0, ref_get_status(self->s.fd, &after));
		if (after.bulk_out_bytes - before.bulk_out_bytes >=
		    sizeof(buf) + 1)
			break;
		wt_sleep_ms(20);
	}
	EXPECT_EQ(sizeof(buf) + 1,
		  after.bulk_out_bytes - before.bulk_out_bytes);
	EXPECT_EQ(sum, after.bulk_out_sum - before.bulk_out_sum);
}

TEST_F(scanner, wait_event_returns_page_done_after_a_page)
{
	const size_t len = 100 * 10;
	struct wiascan_event ev;
	struct refscan_params p;
	struct refscan_event e;
	uint8_t buf[1000 + 1024];
	uint64_t t0;

	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_FLATBED, 100, 100, 10, &p));
	t0 = wt_now_ns();
	ASSERT_EQ(0, ref_start(self->s.fd));
	ASSERT_EQ((ssize_t)len, read_all(self->s.fd, buf, len, 1024));
	ASSERT_EQ(0, wait_event(self->s.fd, 0, 0, &ev));
	EXPECT_EQ(REFSCAN_INTR_MAXPACKET, ev.length);
	e = event_packet(&ev);
	EXPECT_EQ(REFSCAN_EVENT_PAGE_DONE, e.type);
	EXPECT_EQ(0, e.page);
	EXPECT_EQ(len, e.arg);
	EXPECT_EQ(REFSCAN_EVENT_FLAG_LAST, e.flags & REFSCAN_EVENT_FLAG_LAST);
	EXPECT_EQ(0, ev.lost);
	EXPECT_LE(t0, ev.timestamp_ns);
	EXPECT_GE(wt_now_ns(), ev.timestamp_ns);
}

TEST_F(feeder_of_two, adf_events_number_pages_and_end_with_feeder_empty)
{
	const size_t page = 200 * 20;
	struct wiascan_event ev[3];
	struct refscan_params p;
	struct refscan_event e;
	uint8_t *buf;
	int i;

	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_ADF, 100, 200, 20, &p));
	buf = malloc(2 * page + 65536);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, ref_start(self->s.fd));
	ASSERT_EQ((ssize_t)(2 * page),
		  read_all(self->s.fd, buf, 2 * page, 65536));
	free(buf);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, wait_event(self->s.fd, 0, 0,
					&ev[i])) TH_LOG("event %d", i);

	e = event_packet(&ev[0]);
	EXPECT_EQ(REFSCAN_EVENT_PAGE_DONE, e.type);
	EXPECT_EQ(0, e.page);
	EXPECT_EQ(0, e.flags & REFSCAN_EVENT_FLAG_LAST);
	e = event_packet(&ev[1]);
	EXPECT_EQ(REFSCAN_EVENT_PAGE_DONE, e.type);
	EXPECT_EQ(1, e.page);
	EXPECT_EQ(page, e.arg);
	EXPECT_EQ(REFSCAN_EVENT_FLAG_LAST, e.flags & REFSCAN_EVENT_FLAG_LAST);
	e = event_packet(&ev[2]);
	EXPECT_EQ(REFSCAN_EVENT_FEEDER_EMPTY, e.type);
	/* Each event once, numbered without gaps, in time order */
	EXPECT_EQ(ev[0].sequence + 1, ev[1].sequence);
	EXPECT_EQ(ev[1].sequence + 1, ev[2].sequence);
	EXPECT_LE(ev[0].timestamp_ns, ev[1].timestamp_ns);
	EXPECT_LE(ev[1].timestamp_ns, ev[2].timestamp_ns);
	EXPECT_EQ(-EAGAIN,
		  wait_event(self->s.fd, 0, WIASCAN_EVENT_NONBLOCK, &ev[0]));
}

TEST_F(scanner, wait_event_nonblocking_with_nothing_pending_returns_eagain)
{
	struct wiascan_event ev;

	EXPECT_EQ(-EAGAIN,
		  wait_event(self->s.fd, 0, WIASCAN_EVENT_NONBLOCK, &ev));
}

TEST_F(scanner, wait_event_times_out_when_nothing_happens)
{
	struct wiascan_event ev;
	uint64_t t0, ms;

	t0 = wt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, wait_event(self->s.fd, 300, 0, &ev));
	ms = (wt_now_ns() - t0) / 1000000;
	EXPECT_LE(250, ms);
	EXPECT_GT(5000, ms);
}

TEST_F(scanner, set_timeout_rejects_zero_and_more_than_ten_minutes)
{
	struct wiascan_caps caps;

	EXPECT_EQ(-EINVAL, wt_set_timeout(self->s.fd, 0));
	EXPECT_EQ(-EINVAL, wt_set_timeout(self->s.fd, 600001));
	EXPECT_EQ(-EINVAL, wt_set_timeout(self->s.fd, UINT32_MAX));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, &caps));
	EXPECT_EQ(WT_FILE_TIMEOUT_MS, caps.timeout_ms) TH_LOG("unchanged");
}

TEST_F(scanner, set_timeout_accepts_the_bounds_and_querycap_reports_it)
{
	struct wiascan_caps caps;

	ASSERT_EQ(0, wt_set_timeout(self->s.fd, 1));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, &caps));
	EXPECT_EQ(1, caps.timeout_ms);
	ASSERT_EQ(0, wt_set_timeout(self->s.fd, 600000));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, &caps));
	EXPECT_EQ(600000, caps.timeout_ms);
}

TEST_F(scanner, timeout_belongs_to_the_file)
{
	struct wiascan_caps caps;
	int fd2;

	fd2 = open(self->s.node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, wt_set_timeout(fd2, 1234));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, &caps));
	EXPECT_EQ(WT_FILE_TIMEOUT_MS, caps.timeout_ms);
	ASSERT_EQ(0, wt_ioctl(fd2, WIASCAN_IOC_QUERYCAP, &caps));
	EXPECT_EQ(1234, caps.timeout_ms);
	close(fd2);
}

TEST_F(scanner, dqbuf_times_out_when_the_device_sends_nothing)
{
	struct refscan_params p;
	struct wiascan_buffer b;
	struct ring r;
	uint64_t t0, ms;

	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_FLATBED, 100, 100, 10, &p));
	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, 2, 4096));
	ASSERT_EQ(0, ring_queue_all(&r));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	ASSERT_EQ(0, wt_set_timeout(self->s.fd, 300));
	/* Streaming, URBs in flight, but no START: nothing ever arrives */
	t0 = wt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ring_dequeue(&r, &b));
	ms = (wt_now_ns() - t0) / 1000000;
	EXPECT_LE(250, ms);
	EXPECT_GT(5000, ms);
	/* The URBs stay queued: a START still fills them */
	ASSERT_EQ(0, wt_set_timeout(self->s.fd, WT_FILE_TIMEOUT_MS));
	ASSERT_EQ(0, ref_start(self->s.fd));
	ASSERT_EQ(0, ring_dequeue(&r, &b));
	EXPECT_EQ(1000, b.bytesused);
	EXPECT_EQ(0, b.sequence);
	EXPECT_EQ(-1, wt_formula_mismatch(r.map[b.index], b.bytesused,
					  p.bytes_per_line, 0, 0));
	ring_free(&r);
}

TEST_HARNESS_MAIN
