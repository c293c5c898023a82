// SPDX-License-Identifier: GPL-2.0
/*
 * Device faults injected by the emulator (--fault, --rate-kib, --warmup-ms,
 * --ctrl-delay-ms): a stall mid-page, a short page, a paper jam, a double
 * feed, a disconnect mid-page and devices slower than the timeout.  Each
 * fault must surface as the documented error, never as a hang or as wrong
 * data, and the device must work again afterwards.
 *
 * Babble (a device sending more than the host asked for) cannot be
 * injected: a gadget on dummy_hcd sends at most what the host's transfer
 * has room for, and -EOVERFLOW needs a transfer that is not a whole number
 * of packets, which the driver never submits (buffers are whole pages and
 * read() rounds its count down to packets).  The last test checks that
 * rounding: a page of 700 bytes read with count 700 comes as 512 + 188.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "wiascan_test.h"

#define KIB	   1024u
#define NBUFS	   4
#define BUFSIZE	   (16 * KIB)
/* A gray flatbed page of 800 x 500: 400000 bytes, far longer than the ring */
#define WIDTH	   800
#define HEIGHT	   500
#define PAGE_BYTES (WIDTH * HEIGHT)
#define FAULT_AT   40000 /* 78 packets and a bit: 39936 bytes sent */
#define FAULT_SENT (FAULT_AT / 512 * 512)
#define SHORT_AT   10000

SCANNER_FIXTURE(stalling, "--fault", "stall@0:40000")
SCANNER_FIXTURE(short_page, "--fault", "short@0:10000")
SCANNER_FIXTURE(jamming, "--fault", "jam@0:40000")
SCANNER_FIXTURE(double_feeding, "--sheets", "2", "--fault", "double-feed@1:0")
SCANNER_FIXTURE(unplugging, "--fault", "disconnect@0:40000")
SCANNER_FIXTURE(warming_up, "--warmup-ms", "20000")
SCANNER_FIXTURE(trickling, "--rate-kib", "1")
SCANNER_FIXTURE(slow_control, "--ctrl-delay-ms", "2000")
SCANNER_FIXTURE(scanner, NULL)

static void start_long_page(struct __test_metadata *_metadata, int fd,
			    struct ring *r, uint8_t source)
{
	struct refscan_params p;

	ASSERT_EQ(0, ref_configure(fd, REFSCAN_MODE_GRAY, source, 100, WIDTH,
				   HEIGHT, &p));
	ASSERT_EQ(WIDTH, p.bytes_per_line);
	ASSERT_EQ(0, ring_alloc(r, fd, NBUFS, BUFSIZE));
	ASSERT_EQ(0, ring_queue_all(r));
	ASSERT_EQ(0, wt_ioctl(fd, WIASCAN_IOC_STREAMON, NULL));
	ASSERT_EQ(0, ref_start(fd));
}

/*
 * Dequeue (and requeue) good buffers of page 0 until one fails or @limit
 * bytes have come; each good one is checked against the formula.
 * Returns the DQBUF error, or 0 with the failed buffer in @b.
 */
static int take_until_error(struct __test_metadata *_metadata, struct ring *r,
			    struct wiascan_buffer *b, uint64_t *pos,
			    uint64_t limit)
{
	int ret;

	for (;;) {
		ret = ring_dequeue(r, b);
		if (ret)
			return ret;
		if ((b->flags & WIASCAN_BUF_FLAG_ERROR) || b->status)
			return 0;
		EXPECT_EQ(-1, wt_formula_mismatch(r->map[b->index],
						  b->bytesused, WIDTH, 0, *pos))
		TH_LOG("buffer %u at %llu", b->index, (unsigned long long)*pos);
		*pos += b->bytesused;
		if (*pos > limit)
			return -E2BIG;
		ret = ring_queue(r, b->index);
		if (ret)
			return ret;
	}
}

TEST_F(stalling, stall_mid_page_fails_the_buffer_with_epipe)
{
	struct wiascan_buffer b;
	uint64_t pos = 0;
	struct ring r;

	start_long_page(_metadata, self->s.fd, &r, REFSCAN_SOURCE_FLATBED);
	ASSERT_EQ(0, take_until_error(_metadata, &r, &b, &pos, PAGE_BYTES));
	EXPECT_EQ(WIASCAN_BUF_FLAG_ERROR,
		  b.flags & (WIASCAN_BUF_FLAG_ERROR |
			     WIASCAN_BUF_FLAG_END_OF_PAGE));
	EXPECT_EQ(EPIPE, b.status);
	/* what arrived before the stall is in the failed buffer, intact */
	EXPECT_EQ(FAULT_SENT, pos + b.bytesused);
	EXPECT_EQ(-1, wt_formula_mismatch(r.map[b.index], b.bytesused, WIDTH, 0,
					  pos));
	ring_free(&r);
}

TEST_F(stalling, clear_halt_after_a_stall_gives_a_whole_page_again)
{
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_FLATBED,
		.dpi = 100,
		.width_px = WIDTH,
		.height_px = HEIGHT,
		.nbufs = NBUFS,
		.bufsize = BUFSIZE,
		.npages = 1,
	};
	struct wiascan_clear_halt ch = { 0 };
	struct wiascan_caps caps;
	struct refscan_status st;
	struct wiascan_buffer b;
	struct scan_result res;
	uint64_t pos = 0;
	struct ring r;

	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, &caps));
	start_long_page(_metadata, self->s.fd, &r, REFSCAN_SOURCE_FLATBED);
	ASSERT_EQ(0, take_until_error(_metadata, &r, &b, &pos, PAGE_BYTES));
	ASSERT_EQ(EPIPE, b.status);
	ASSERT_EQ(0, ring_free(&r));

	/* the device aborted its scan; the host clears the halt */
	ASSERT_EQ(0, ref_get_status(self->s.fd, &st));
	EXPECT_EQ(REFSCAN_STATE_IDLE, st.state);
	ch.endpoint = caps.bulk_in_ep;
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_CLEAR_HALT, &ch));
	wt_scan(self->s.fd, &spec, &res);
	EXPECT_EQ(0, res.err) TH_LOG("%s", strerror(-res.err));
	EXPECT_EQ(1, res.pages);
	EXPECT_EQ(PAGE_BYTES, res.page_bytes[0]);
	EXPECT_EQ(0, res.mismatches);
	EXPECT_EQ(0, res.error_buffers);
}

TEST_F(short_page, short_page_ends_early_with_its_bytes_intact)
{
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_FLATBED,
		.dpi = 100,
		.width_px = WIDTH,
		.height_px = HEIGHT,
		.nbufs = NBUFS,
		.bufsize = BUFSIZE,
		.npages = 1,
	};
	struct wiascan_event ev = { .timeout_ms = WT_FILE_TIMEOUT_MS };
	struct refscan_event re;
	struct scan_result res;

	wt_scan(self->s.fd, &spec, &res);
	EXPECT_EQ(0, res.err) TH_LOG("%s", strerror(-res.err));
	EXPECT_EQ(1, res.pages);
	EXPECT_EQ(SHORT_AT, res.page_bytes[0]);
	EXPECT_EQ(0, res.mismatches);
	/* the device says how long the page really was */
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_WAIT_EVENT, &ev));
	memcpy(&re, ev.data, sizeof(re));
	EXPECT_EQ(REFSCAN_EVENT_PAGE_DONE, re.type);
	EXPECT_EQ(SHORT_AT, re.arg);
}

TEST_F(jamming, paper_jam_sends_the_event_and_the_page_never_ends)
{
	struct wiascan_event ev = { .timeout_ms = WT_FILE_TIMEOUT_MS };
	struct refscan_event re;
	struct refscan_status st;
	struct wiascan_buffer b;
	uint64_t pos = 0;
	struct ring r;

	start_long_page(_metadata, self->s.fd, &r, REFSCAN_SOURCE_FLATBED);
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_WAIT_EVENT, &ev));
	memcpy(&re, ev.data, sizeof(re));
	EXPECT_EQ(REFSCAN_EVENT_PAPER_JAM, re.type);
	EXPECT_EQ(0, re.page);
	ASSERT_EQ(0, ref_get_status(self->s.fd, &st));
	EXPECT_EQ(REFSCAN_ERR_JAM, st.error);
	EXPECT_EQ(REFSCAN_STATE_IDLE, st.state);
	/* the full buffers came; then nothing more: a timeout, not a hang */
	ASSERT_EQ(0, wt_set_timeout(self->s.fd, 1000));
	EXPECT_EQ(-ETIMEDOUT,
		  take_until_error(_metadata, &r, &b, &pos, PAGE_BYTES));
	EXPECT_EQ(FAULT_SENT / BUFSIZE * BUFSIZE, pos);
	EXPECT_EQ(0, ring_free(&r));
}

TEST_F(double_feeding, double_feed_keeps_the_finished_page_and_reports_the_next)
{
	struct wiascan_event ev = { .timeout_ms = WT_FILE_TIMEOUT_MS };
	struct refscan_event re;
	struct refscan_status st;
	struct wiascan_buffer b;
	struct scan_result res = { .bpl = WIDTH };
	struct ring r;

	start_long_page(_metadata, self->s.fd, &r, REFSCAN_SOURCE_ADF);
	ASSERT_EQ(0, wt_stream_pages(&r, 1, 0, &res));
	EXPECT_EQ(PAGE_BYTES, res.page_bytes[0]);
	EXPECT_EQ(0, res.mismatches);
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_WAIT_EVENT, &ev));
	memcpy(&re, ev.data, sizeof(re));
	EXPECT_EQ(REFSCAN_EVENT_PAGE_DONE, re.type);
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_WAIT_EVENT, &ev));
	memcpy(&re, ev.data, sizeof(re));
	EXPECT_EQ(REFSCAN_EVENT_DOUBLE_FEED, re.type);
	EXPECT_EQ(1, re.page);
	ASSERT_EQ(0, ref_get_status(self->s.fd, &st));
	EXPECT_EQ(REFSCAN_ERR_DOUBLE_FEED, st.error);
	ASSERT_EQ(0, wt_set_timeout(self->s.fd, 500));
	EXPECT_EQ(-ETIMEDOUT, ring_dequeue(&r, &b));
	EXPECT_EQ(0, ring_free(&r));
}

TEST_F(unplugging, disconnect_mid_page_ends_with_enodev_and_keeps_the_data)
{
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_FLATBED,
		.dpi = 100,
		.width_px = WIDTH,
		.height_px = HEIGHT,
		.nbufs = NBUFS,
		.bufsize = BUFSIZE,
		.npages = 1,
	};
	struct wiascan_buffer b;
	struct scan_result res;
	uint64_t pos = 0;
	unsigned int errors = 0;
	struct ring r;
	int ret, fd;

	start_long_page(_metadata, self->s.fd, &r, REFSCAN_SOURCE_FLATBED);
	/* buffers in flight may come back with a bus error first */
	for (;;) {
		ret = take_until_error(_metadata, &r, &b, &pos, PAGE_BYTES);
		if (ret)
			break;
		EXPECT_TRUE(b.status == ENODEV || b.status == EPROTO ||
			    b.status == EILSEQ || b.status == ESHUTDOWN)
		TH_LOG("status %u", b.status);
		ASSERT_GT(NBUFS + 1, ++errors);
	}
	EXPECT_EQ(-ENODEV, ret) TH_LOG("%s", strerror(-ret));
	EXPECT_GE(FAULT_SENT, pos);
	EXPECT_EQ(0, wt_wait_node_gone(self->s.sysname, WT_GONE_TIMEOUT_MS));
	fd = self->s.fd;
	self->s.fd = -1;

	/* plugged back in, the device scans again */
	ASSERT_EQ(0, wt_replug());
	ASSERT_EQ(0, wt_wait_node(&self->s, WT_START_TIMEOUT_MS));
	self->s.fd = open(self->s.node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->s.fd);
	ASSERT_EQ(0, wt_set_timeout(self->s.fd, WT_FILE_TIMEOUT_MS));
	wt_scan(self->s.fd, &spec, &res);
	EXPECT_EQ(0, res.err) TH_LOG("%s", strerror(-res.err));
	EXPECT_EQ(PAGE_BYTES, res.page_bytes[0]);
	EXPECT_EQ(0, res.mismatches);
	ring_unmap(&r);
	close(fd);
}

/* DQBUF, read() and WAIT_EVENT on a device that sends nothing in time */
static void expect_timeouts(struct __test_metadata *_metadata, int fd,
			    bool streaming)
{
	struct wiascan_event ev = { .timeout_ms = 300 };
	struct wiascan_buffer b;
	uint8_t buf[BUFSIZE];
	struct ring r;
	uint64_t t0;
	ssize_t n;

	ASSERT_EQ(0, wt_set_timeout(fd, 300));
	if (streaming) {
		start_long_page(_metadata, fd, &r, REFSCAN_SOURCE_FLATBED);
		t0 = wt_now_ns();
		EXPECT_EQ(-ETIMEDOUT, ring_dequeue(&r, &b));
		EXPECT_GT(5000, (wt_now_ns() - t0) / 1000000);
		EXPECT_GE((wt_now_ns() - t0) / 1000000, 250);
		EXPECT_EQ(0, ring_free(&r));
		EXPECT_EQ(0, ref_cancel(fd));
		return;
	}
	ASSERT_EQ(0, ref_start(fd));
	t0 = wt_now_ns();
	n = read(fd, buf, sizeof(buf));
	/* a trickle may have delivered a few packets before the timeout */
	if (n < 0) {
		EXPECT_EQ(ETIMEDOUT, errno);
	} else {
		EXPECT_GT((ssize_t)sizeof(buf), n);
	}
	EXPECT_GT(5000, (wt_now_ns() - t0) / 1000000);
	t0 = wt_now_ns();
	EXPECT_EQ(-ETIMEDOUT, wt_ioctl(fd, WIASCAN_IOC_WAIT_EVENT, &ev));
	EXPECT_GT(5000, (wt_now_ns() - t0) / 1000000);
	EXPECT_EQ(0, ref_cancel(fd));
}

TEST_F(warming_up, device_warming_up_longer_than_the_timeout_gives_etimedout)
{
	struct refscan_params p;

	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_FLATBED, 100, WIDTH, HEIGHT,
				   &p));
	expect_timeouts(_metadata, self->s.fd, false);
	expect_timeouts(_metadata, self->s.fd, true);
}

TEST_F(trickling, device_slower_than_the_timeout_gives_etimedout)
{
	struct refscan_params p;

	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_FLATBED, 100, WIDTH, HEIGHT,
				   &p));
	expect_timeouts(_metadata, self->s.fd, true);
	expect_timeouts(_metadata, self->s.fd, false);
}

TEST_F(slow_control, control_slower_than_its_timeout_gives_etimedout)
{
	struct refscan_info info;
	struct wiascan_ctrl c = {
		.request_type = REFSCAN_RT_IN,
		.request = REFSCAN_REQ_GET_INFO,
		.length = sizeof(info),
		.timeout_ms = 300,
		.data = (uintptr_t)&info,
	};
	uint64_t t0 = wt_now_ns();

	EXPECT_EQ(-ETIMEDOUT, wt_ioctl(self->s.fd, WIASCAN_IOC_CONTROL, &c));
	EXPECT_GT(5000, (wt_now_ns() - t0) / 1000000);
	/* let the late answer pass, then a patient request succeeds */
	wt_sleep_ms(2500);
	c.timeout_ms = WT_FILE_TIMEOUT_MS;
	EXPECT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_CONTROL, &c));
	EXPECT_EQ(sizeof(info), c.actual);
	EXPECT_EQ(REFSCAN_PROTOCOL_VERSION, info.version);
}

/*
 * Ctrl-Z then fg while @pid waits in the driver: SIGSTOP after 500 ms,
 * SIGCONT 300 ms later; then its exit status, or -1
 */
static int stop_continue_and_reap(pid_t pid)
{
	int status;

	wt_sleep_ms(500);
	kill(pid, SIGSTOP);
	wt_sleep_ms(300);
	kill(pid, SIGCONT);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* A stop signal must not fail a control transfer that is under way */
TEST_F(slow_control, stop_and_continue_during_a_control_transfer_is_harmless)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		struct refscan_info info;
		struct wiascan_ctrl c = {
			.request_type = REFSCAN_RT_IN,
			.request = REFSCAN_REQ_GET_INFO,
			.length = sizeof(info),
			.timeout_ms = 10000,
			.data = (uintptr_t)&info,
		};
		int ret = wt_ioctl(self->s.fd, WIASCAN_IOC_CONTROL, &c);

		_exit(ret ? -ret : c.actual == sizeof(info) ? 0 : 255);
	}
	/* 0, or the errno the control transfer failed with */
	EXPECT_EQ(0, stop_continue_and_reap(pid));
}

/* A read() that moved nothing restarts after a stop: ETIMEDOUT, not EINTR */
TEST_F(scanner, stop_and_continue_during_an_idle_read_restarts_it)
{
	pid_t pid;

	ASSERT_EQ(0, wt_set_timeout(self->s.fd, 1500));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		uint8_t buf[512];
		ssize_t n = read(self->s.fd, buf, sizeof(buf));

		_exit(n < 0 ? errno : 255);
	}
	EXPECT_EQ(ETIMEDOUT, stop_continue_and_reap(pid));
}

TEST_F(scanner, read_not_a_multiple_of_maxpacket_takes_whole_packets_no_babble)
{
	struct refscan_params p;
	uint8_t buf[700];
	ssize_t n;

	/* one page of 700 bytes: 512 + 188 */
	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_FLATBED, 100, 700, 1, &p));
	ASSERT_EQ(0, ref_start(self->s.fd));
	n = read(self->s.fd, buf, sizeof(buf));
	ASSERT_EQ(512, n) TH_LOG("%s", n < 0 ? strerror(errno) : "short");
	EXPECT_EQ(-1, wt_formula_mismatch(buf, 512, 700, 0, 0));
	n = read(self->s.fd, buf, sizeof(buf));
	ASSERT_EQ(188, n) TH_LOG("%s", n < 0 ? strerror(errno) : "length");
	EXPECT_EQ(-1, wt_formula_mismatch(buf, 188, 700, 0, 512));
}

TEST_HARNESS_MAIN
