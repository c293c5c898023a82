// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming through the mapped ring: every byte of every page against the
 * formula in all three modes, page ends that fall inside a buffer, on a
 * buffer boundary (the zero-length packet case) and on packet boundaries,
 * unknown-length ADF pages, dequeue order, sequence numbers, timestamps,
 * non-blocking dequeue, poll, and stopping mid-page; and the same byte
 * checks with the driver's contiguous (non-sg) buffers.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "wiascan_test.h"

#define KIB 1024u
#define DPI 100

SCANNER_FIXTURE(scanner, NULL)
SCANNER_FIXTURE(feeder_of_two, "--sheets", "2")
SCANNER_FIXTURE(feeder_of_three, "--sheets", "3")
SCANNER_FIXTURE(unknown_length_feeder, "--sheets", "3", "--page-lengths",
		"40,7,129")
SCANNER_FIXTURE(repeating_length_feeder, "--sheets", "4", "--page-lengths",
		"10,25")
CONTIGUOUS_SCANNER_FIXTURE(contiguous_feeder_of_two, "--sheets", "2")
CONTIGUOUS_SCANNER_FIXTURE(contiguous_scanner, NULL)

/* Everything a byte-exact scan must satisfy, whatever its geometry */
static void expect_exact_pages(struct __test_metadata *_metadata,
			       const struct scan_result *res,
			       unsigned int npages, const uint64_t *bytes)
{
	unsigned int i;

	EXPECT_EQ(0, res->err) TH_LOG("scan stopped: %s", strerror(-res->err));
	EXPECT_EQ(npages, res->pages);
	EXPECT_EQ(0, res->mismatches)
	TH_LOG("first wrong byte: page %llu offset %llu",
	       (unsigned long long)res->bad_page,
	       (unsigned long long)res->bad_pos);
	EXPECT_EQ(0, res->error_buffers);
	for (i = 0; i < npages && i < res->pages && i < WT_MAX_PAGES; i++)
		EXPECT_EQ(bytes[i], res->page_bytes[i]) TH_LOG("page %u", i);
}

static void scan_one_flatbed_page(struct __test_metadata *_metadata, int fd,
				  uint8_t mode, uint32_t width, uint32_t height)
{
	const struct scan_spec spec = {
		.mode = mode,
		.source = REFSCAN_SOURCE_FLATBED,
		.dpi = DPI,
		.width_px = width,
		.height_px = height,
		.nbufs = 4,
		.bufsize = 16 * KIB,
		.npages = 1,
	};
	uint64_t bytes = (uint64_t)refscan_bytes_per_line(mode, width) * height;
	struct scan_result res;

	wt_scan(fd, &spec, &res);
	expect_exact_pages(_metadata, &res, 1, &bytes);
	EXPECT_LT(1, res.buffers) TH_LOG("the page should span buffers");
}

TEST_F(scanner, lineart_page_streams_byte_exact)
{
	/* 801 px: a partial last byte in each row, 101 bytes per line */
	scan_one_flatbed_page(_metadata, self->s.fd, REFSCAN_MODE_LINEART, 801,
			      500);
}

TEST_F(scanner, gray_page_streams_byte_exact)
{
	scan_one_flatbed_page(_metadata, self->s.fd, REFSCAN_MODE_GRAY, 700,
			      100);
}

TEST_F(scanner, color_page_streams_byte_exact)
{
	scan_one_flatbed_page(_metadata, self->s.fd, REFSCAN_MODE_COLOR, 333,
			      70);
}

TEST_F(scanner, page_shorter_than_a_buffer_ends_in_its_first_buffer)
{
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_FLATBED,
		.dpi = DPI,
		.width_px = 100,
		.height_px = 10,
		.nbufs = 4,
		.bufsize = 16 * KIB,
		.npages = 1,
	};
	const uint64_t bytes = 1000;
	struct scan_result res;

	wt_scan(self->s.fd, &spec, &res);
	expect_exact_pages(_metadata, &res, 1, &bytes);
	EXPECT_EQ(1, res.buffers);
}

TEST_F(scanner, page_of_whole_packets_ends_in_a_partly_filled_buffer)
{
	/* 20480 = 40 packets: the device ends it with a ZLP after 4 KiB */
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_FLATBED,
		.dpi = DPI,
		.width_px = 512,
		.height_px = 40,
		.nbufs = 4,
		.bufsize = 16 * KIB,
		.npages = 1,
	};
	const uint64_t bytes = 20480;
	struct scan_result res;

	wt_scan(self->s.fd, &spec, &res);
	expect_exact_pages(_metadata, &res, 1, &bytes);
	EXPECT_EQ(2, res.buffers);
	EXPECT_EQ(16 * KIB, res.buffer_lengths[0]);
	EXPECT_EQ(4 * KIB, res.buffer_lengths[1]);
}

TEST_F(feeder_of_two,
       page_of_exactly_two_buffers_ends_with_a_zero_length_buffer)
{
	/*
	 * 512 x 64 gray = 32 KiB = two full 16 KiB buffers: nothing short
	 * arrives until the device's ZLP, which must end the page in a
	 * third buffer with bytesused 0; the next page starts clean.
	 */
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_ADF,
		.dpi = DPI,
		.width_px = 512,
		.height_px = 64,
		.nbufs = 4,
		.bufsize = 16 * KIB,
		.npages = 2,
	};
	const uint64_t bytes[2] = { 32 * KIB, 32 * KIB };
	struct scan_result res;
	unsigned int i;

	wt_scan(self->s.fd, &spec, &res);
	expect_exact_pages(_metadata, &res, 2, bytes);
	EXPECT_EQ(2, res.zero_length_eop);
	ASSERT_EQ(6, res.buffers);
	for (i = 0; i < 6; i++)
		EXPECT_EQ(i % 3 == 2 ? 0 : 16 * KIB, res.buffer_lengths[i])
	TH_LOG("buffer %u", i);
}

TEST_F(feeder_of_three, adf_sheets_stream_as_consecutive_pages_byte_exact)
{
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_ADF,
		.dpi = DPI,
		.width_px = 300,
		.height_px = 90,
		.nbufs = 4,
		.bufsize = 16 * KIB,
		.npages = 3,
	};
	const uint64_t bytes[3] = { 27000, 27000, 27000 };
	struct scan_result res;

	wt_scan(self->s.fd, &spec, &res);
	expect_exact_pages(_metadata, &res, 3, bytes);
}

TEST_F(feeder_of_three, color_adf_pages_stream_byte_exact)
{
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_COLOR,
		.source = REFSCAN_SOURCE_ADF,
		.dpi = 50,
		.width_px = 211,
		.height_px = 61,
		.nbufs = 3,
		.bufsize = 8 * KIB,
		.npages = 3,
	};
	const uint64_t page = 3 * 211 * 61;
	const uint64_t bytes[3] = { page, page, page };
	struct scan_result res;

	wt_scan(self->s.fd, &spec, &res);
	expect_exact_pages(_metadata, &res, 3, bytes);
}

TEST_F(unknown_length_feeder, unknown_length_pages_follow_the_sheet_lengths)
{
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_ADF,
		.dpi = DPI,
		.width_px = 200,
		.height_px = 0,
		.nbufs = 4,
		.bufsize = 8 * KIB,
		.npages = 3,
	};
	const uint64_t bytes[3] = { 40 * 200, 7 * 200, 129 * 200 };
	struct scan_result res;

	wt_scan(self->s.fd, &spec, &res);
	expect_exact_pages(_metadata, &res, 3, bytes);
}

TEST_F(repeating_length_feeder, unknown_length_pages_repeat_the_last_length)
{
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_LINEART,
		.source = REFSCAN_SOURCE_ADF,
		.dpi = DPI,
		.width_px = 803,
		.height_px = 0,
		.nbufs = 2,
		.bufsize = 4 * KIB,
		.npages = 4,
	};
	const uint64_t bpl = (803 + 7) / 8;
	const uint64_t bytes[4] = { 10 * bpl, 25 * bpl, 25 * bpl, 25 * bpl };
	struct scan_result res;

	wt_scan(self->s.fd, &spec, &res);
	expect_exact_pages(_metadata, &res, 4, bytes);
}

TEST_F(contiguous_feeder_of_two, contiguous_buffers_are_not_reported_as_sg)
{
	struct wiascan_caps caps;

	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, &caps));
	EXPECT_EQ(0, caps.caps & WIASCAN_CAP_SG);
}

TEST_F(contiguous_feeder_of_two,
       contiguous_buffers_stream_color_pages_byte_exact)
{
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_COLOR,
		.source = REFSCAN_SOURCE_ADF,
		.dpi = DPI,
		.width_px = 333,
		.height_px = 70,
		.nbufs = 4,
		.bufsize = 16 * KIB,
		.npages = 2,
	};
	const uint64_t bytes[2] = { 999 * 70, 999 * 70 };
	struct scan_result res;

	wt_scan(self->s.fd, &spec, &res);
	expect_exact_pages(_metadata, &res, 2, bytes);
	EXPECT_EQ(0, res.sequence_gaps);
	EXPECT_EQ(0, res.order_errors);
}

TEST_F(contiguous_feeder_of_two,
       contiguous_buffers_end_a_page_of_whole_buffers_with_a_zlp)
{
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_ADF,
		.dpi = DPI,
		.width_px = 512,
		.height_px = 64,
		.nbufs = 4,
		.bufsize = 16 * KIB,
		.npages = 2,
	};
	const uint64_t bytes[2] = { 32 * KIB, 32 * KIB };
	struct scan_result res;

	wt_scan(self->s.fd, &spec, &res);
	expect_exact_pages(_metadata, &res, 2, bytes);
	EXPECT_EQ(2, res.zero_length_eop);
}

/* Many small buffers over several pages, so the ring wraps many times */
static void scan_many_buffers(int fd, struct scan_result *res)
{
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_ADF,
		.dpi = DPI,
		.width_px = 300,
		.height_px = 90,
		.nbufs = 3,
		.bufsize = 4 * KIB,
		.npages = 3,
	};

	wt_scan(fd, &spec, res);
}

TEST_F(feeder_of_three, buffers_come_back_in_the_order_they_were_queued)
{
	struct scan_result res;

	scan_many_buffers(self->s.fd, &res);
	ASSERT_EQ(0, res.err) TH_LOG("%s", strerror(-res.err));
	EXPECT_LT(9, res.buffers);
	EXPECT_EQ(0, res.order_errors);
}

TEST_F(feeder_of_three, sequence_numbers_count_from_zero_without_gaps)
{
	struct scan_result res;

	scan_many_buffers(self->s.fd, &res);
	ASSERT_EQ(0, res.err) TH_LOG("%s", strerror(-res.err));
	EXPECT_LT(9, res.buffers);
	EXPECT_EQ(0, res.sequence_gaps);
}

TEST_F(feeder_of_three, timestamps_are_monotonic_and_within_the_scan)
{
	struct scan_result res;

	scan_many_buffers(self->s.fd, &res);
	ASSERT_EQ(0, res.err) TH_LOG("%s", strerror(-res.err));
	EXPECT_EQ(0, res.time_errors);
}

/*
 * A ring of @nbufs 16 KiB buffers, all queued and streaming, with the
 * device configured for a gray page of @width x @height but not started.
 */
static void start_ring(struct __test_metadata *_metadata, int fd,
		       struct ring *r, unsigned int nbufs, uint32_t width,
		       uint32_t height, struct refscan_params *got)
{
	ASSERT_EQ(0,
		  ref_configure(fd, REFSCAN_MODE_GRAY, REFSCAN_SOURCE_FLATBED,
				DPI, width, height, got));
	ASSERT_EQ(0, ring_alloc(r, fd, nbufs, 16 * KIB));
	ASSERT_EQ(0, ring_queue_all(r));
	ASSERT_EQ(0, wt_ioctl(fd, WIASCAN_IOC_STREAMON, NULL));
}

static void set_nonblock(struct __test_metadata *_metadata, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	ASSERT_LE(0, fl);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, fl | O_NONBLOCK));
}

static int poll_one(int fd, short events, int timeout_ms, short *revents)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n = poll(&pfd, 1, timeout_ms);

	*revents = pfd.revents;
	return n;
}

TEST_F(scanner, dequeued_buffer_describes_itself)
{
	struct refscan_params p;
	struct wiascan_buffer b;
	struct ring r;

	start_ring(_metadata, self->s.fd, &r, 4, 100, 10, &p);
	ASSERT_EQ(0, ref_start(self->s.fd));
	memset(&b, 0xa5, sizeof(b));
	b.index = 0;
	memset(b.reserved, 0, sizeof(b.reserved));
	b.flags = 0;
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_DQBUF, &b));
	EXPECT_EQ(0, b.index);
	EXPECT_EQ(WIASCAN_BUF_FLAG_MAPPED | WIASCAN_BUF_FLAG_END_OF_PAGE,
		  b.flags);
	EXPECT_EQ(r.size, b.length);
	EXPECT_EQ(1000, b.bytesused);
	EXPECT_EQ(r.offset[0], b.offset);
	EXPECT_EQ(0, b.sequence);
	EXPECT_EQ(0, b.status);
	/* queued with xfer_length 0, the whole buffer */
	EXPECT_EQ(0, b.xfer_length);
	EXPECT_EQ(0, b.reserved[0] | b.reserved[1] | b.reserved[2] |
			     b.reserved[3]);
}

TEST_F(scanner, dqbuf_nonblocking_with_nothing_done_returns_eagain)
{
	struct refscan_params p;
	struct wiascan_buffer b;
	struct ring r;

	start_ring(_metadata, self->s.fd, &r, 4, 100, 10, &p);
	set_nonblock(_metadata, self->s.fd);
	EXPECT_EQ(-EAGAIN, ring_dequeue(&r, &b));
}

TEST_F(scanner, dqbuf_nonblocking_returns_a_done_buffer)
{
	struct refscan_params p;
	struct wiascan_buffer b;
	struct ring r;
	short rev;

	start_ring(_metadata, self->s.fd, &r, 4, 100, 10, &p);
	set_nonblock(_metadata, self->s.fd);
	ASSERT_EQ(0, ref_start(self->s.fd));
	ASSERT_EQ(1, poll_one(self->s.fd, POLLIN, WT_FILE_TIMEOUT_MS, &rev));
	ASSERT_EQ(0, ring_dequeue(&r, &b));
	EXPECT_EQ(1000, b.bytesused);
	EXPECT_TRUE(b.flags & WIASCAN_BUF_FLAG_END_OF_PAGE);
	EXPECT_EQ(-1, wt_formula_mismatch(r.map[b.index], b.bytesused,
					  p.bytes_per_line, 0, 0));
}

TEST_F(scanner, dqbuf_when_not_streaming_and_nothing_done_returns_einval)
{
	struct wiascan_buffer b;
	struct ring r;

	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, 4, 16 * KIB));
	ASSERT_EQ(0, ring_queue_all(&r));
	EXPECT_EQ(-EINVAL, ring_dequeue(&r, &b));
}

TEST_F(scanner, poll_times_out_when_no_buffer_is_done)
{
	struct refscan_params p;
	struct ring r;
	short rev = 0;

	start_ring(_metadata, self->s.fd, &r, 4, 100, 10, &p);
	EXPECT_EQ(0, poll_one(self->s.fd, POLLIN | POLLRDNORM, 300, &rev))
	TH_LOG("revents 0x%x", rev);
}

TEST_F(scanner, poll_reports_pollin_when_a_buffer_is_done)
{
	struct refscan_params p;
	struct ring r;
	short rev = 0;

	start_ring(_metadata, self->s.fd, &r, 4, 100, 10, &p);
	ASSERT_EQ(0, ref_start(self->s.fd));
	ASSERT_EQ(1, poll_one(self->s.fd, POLLIN, WT_FILE_TIMEOUT_MS, &rev));
	EXPECT_TRUE(rev & POLLIN);
	EXPECT_FALSE(rev & (POLLERR | POLLHUP));
}

TEST_F(scanner, poll_reports_pollpri_while_an_event_is_pending)
{
	struct wiascan_event ev = { .flags = WIASCAN_EVENT_NONBLOCK };
	struct refscan_params p;
	struct wiascan_buffer b;
	struct ring r;
	short rev = 0;

	start_ring(_metadata, self->s.fd, &r, 4, 100, 10, &p);
	ASSERT_EQ(0, ref_start(self->s.fd));
	ASSERT_EQ(0, ring_dequeue(&r, &b));
	/* PAGE_DONE follows the page's last byte */
	ASSERT_EQ(1, poll_one(self->s.fd, POLLPRI, WT_FILE_TIMEOUT_MS, &rev));
	EXPECT_TRUE(rev & POLLPRI);
	/* Taking the event clears it */
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_WAIT_EVENT, &ev));
	EXPECT_EQ(0, poll_one(self->s.fd, POLLPRI, 200, &rev))
	TH_LOG("revents 0x%x", rev);
}

TEST_F(scanner, flatbed_scan_sends_nothing_after_its_page)
{
	struct refscan_params p;
	struct wiascan_buffer b;
	struct ring r;
	short rev = 0;

	start_ring(_metadata, self->s.fd, &r, 4, 100, 10, &p);
	ASSERT_EQ(0, ref_start(self->s.fd));
	ASSERT_EQ(0, ring_dequeue(&r, &b));
	ASSERT_TRUE(b.flags & WIASCAN_BUF_FLAG_END_OF_PAGE);
	ASSERT_EQ(0, ring_queue(&r, b.index));
	EXPECT_EQ(0, poll_one(self->s.fd, POLLIN, 500, &rev))
	TH_LOG("revents 0x%x", rev);
}

TEST_F(scanner, streamoff_returns_every_buffer_to_user_space)
{
	struct refscan_params p;
	struct wiascan_buffer b;
	struct ring r;
	unsigned int i;

	/* A long page: some buffers done, some in flight, at STREAMOFF */
	start_ring(_metadata, self->s.fd, &r, 4, 800, 500, &p);
	ASSERT_EQ(0, ref_start(self->s.fd));
	ASSERT_EQ(0, ring_dequeue(&r, &b));
	ASSERT_EQ(0, ref_cancel(self->s.fd));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMOFF, NULL));
	for (i = 0; i < r.count; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYBUF, &b));
		EXPECT_EQ(0, b.flags & (WIASCAN_BUF_FLAG_QUEUED |
					WIASCAN_BUF_FLAG_DONE))
		TH_LOG("buffer %u flags 0x%x", i, b.flags);
	}
	EXPECT_EQ(-EINVAL, ring_dequeue(&r, &b));
	EXPECT_EQ(0, ring_queue_all(&r));
}

TEST_F(scanner, restart_after_streamoff_mid_page_gives_page_zero_from_byte_zero)
{
	struct refscan_params p;
	struct scan_result res = { 0 };
	struct wiascan_buffer b;
	struct ring r;
	unsigned int i;
	uint64_t t0;

	start_ring(_metadata, self->s.fd, &r, 4, 800, 500, &p);
	ASSERT_EQ(0, ref_start(self->s.fd));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ring_dequeue(&r, &b));
		ASSERT_EQ(16 * KIB, b.bytesused);
		ASSERT_EQ(-1, wt_formula_mismatch(r.map[b.index], b.bytesused,
						  p.bytes_per_line, 0,
						  i * 16 * KIB));
	}
	ASSERT_EQ(0, ref_cancel(self->s.fd));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMOFF, NULL));

	t0 = wt_now_ns();
	ASSERT_EQ(0, ring_queue_all(&r));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	ASSERT_EQ(0, ref_start(self->s.fd));
	res.bpl = p.bytes_per_line;
	wt_stream_pages(&r, 1, t0, &res);
	EXPECT_EQ(0, res.err) TH_LOG("%s", strerror(-res.err));
	EXPECT_EQ(1, res.pages);
	EXPECT_EQ(800 * 500, res.page_bytes[0]);
	EXPECT_EQ(0, res.mismatches)
	TH_LOG("first wrong byte: page %llu offset %llu",
	       (unsigned long long)res.bad_page,
	       (unsigned long long)res.bad_pos);
	/* Sequence numbers count from 0 again at the new STREAMON */
	EXPECT_EQ(0, res.sequence_gaps);
}

TEST_F(scanner, querycap_reports_xfer_length_and_read_idle_at_abi_version_2)
{
	struct wiascan_caps caps;

	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, &caps));
	EXPECT_EQ(2, caps.abi_version);
	EXPECT_EQ(2, WIASCAN_ABI_VERSION);
	EXPECT_EQ(0x40, WIASCAN_CAP_XFER_LENGTH);
	EXPECT_EQ(0x80, WIASCAN_CAP_READ_IDLE);
	EXPECT_EQ(WIASCAN_CAP_XFER_LENGTH, caps.caps & WIASCAN_CAP_XFER_LENGTH);
	EXPECT_EQ(WIASCAN_CAP_READ_IDLE, caps.caps & WIASCAN_CAP_READ_IDLE);
}

/* QBUF buffer @index asking the device for @xfer_length bytes (0: all) */
static int qbuf_len(int fd, unsigned int index, uint32_t xfer_length)
{
	struct wiascan_buffer b = { .index = index,
				    .xfer_length = xfer_length };

	return wt_ioctl(fd, WIASCAN_IOC_QBUF, &b);
}

/*
 * One 7000-byte gray page (700 x 10) into three 16 KiB buffers asking for
 * 512 bytes, 4608 (a memory page and a packet: an sg URB cut inside its
 * second entry) and the whole buffer: the first two get exactly what they
 * asked for without END_OF_PAGE, the third the remaining 1880 with
 * END_OF_PAGE at the short packet, and together they are the page's 7000
 * bytes in order, each equal to the formula at its offset.
 */
static void expect_xfer_lengths_split_a_page(struct __test_metadata *_metadata,
					     int fd)
{
	static const uint32_t ask[3] = { 512, 4608, 0 };
	static const uint32_t want[3] = { 512, 4608, 7000 - 512 - 4608 };
	const uint32_t eop = WIASCAN_BUF_FLAG_END_OF_PAGE;
	struct refscan_params p;
	struct wiascan_buffer b;
	struct ring r;
	uint64_t pos = 0;
	unsigned int i;

	ASSERT_EQ(0, ref_configure(fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_FLATBED, DPI, 700, 10, &p));
	ASSERT_EQ(700, p.bytes_per_line);
	ASSERT_EQ(0, ring_alloc(&r, fd, 3, 16 * KIB));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, qbuf_len(fd, i, ask[i]))
		TH_LOG("buffer %u, xfer_length %u", i, ask[i]);
	}
	ASSERT_EQ(0, wt_ioctl(fd, WIASCAN_IOC_STREAMON, NULL));
	ASSERT_EQ(0, ref_start(fd));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ring_dequeue(&r, &b)) TH_LOG("buffer %u", i);
		EXPECT_EQ(i, b.index);
		EXPECT_EQ(i, b.sequence);
		EXPECT_EQ(0, b.status);
		EXPECT_EQ(ask[i], b.xfer_length) TH_LOG("buffer %u", i);
		EXPECT_EQ(want[i], b.bytesused)
		TH_LOG("buffer %u asked %u: bytesused %u, want %u", i, ask[i],
		       b.bytesused, want[i]);
		EXPECT_EQ(i == 2 ? eop : 0,
			  b.flags & (eop | WIASCAN_BUF_FLAG_ERROR))
		TH_LOG("buffer %u flags %#x", i, b.flags);
		ASSERT_GE(r.size, b.bytesused);
		EXPECT_EQ(-1, wt_formula_mismatch(r.map[b.index], b.bytesused,
						  p.bytes_per_line, 0, pos))
		TH_LOG("buffer %u, page offset %llu", i,
		       (unsigned long long)pos);
		pos += b.bytesused;
	}
	EXPECT_EQ(7000, pos);
	ring_free(&r);
}

TEST_F(scanner, xfer_lengths_512_4608_0_split_a_7000_byte_page_losing_no_byte)
{
	expect_xfer_lengths_split_a_page(_metadata, self->s.fd);
}

TEST_F(contiguous_scanner,
       xfer_lengths_512_4608_0_split_a_7000_byte_page_losing_no_byte)
{
	expect_xfer_lengths_split_a_page(_metadata, self->s.fd);
}

/*
 * An xfer_length that would cut a packet (511, 513, 1) or pass the end of
 * the buffer (length + 512), or a nonzero reserved word beside a good one,
 * is refused with EINVAL and leaves the buffer dequeued with xfer_length
 * 0; the buffer's own length is accepted and QUERYBUF reports it back.
 */
TEST_F(scanner, qbuf_xfer_length_511_513_1_or_past_the_buffer_returns_einval)
{
	static const uint32_t bad[] = { 511, 513, 1 };
	struct wiascan_caps caps;
	struct wiascan_buffer b;
	struct ring r;
	unsigned int i;

	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, &caps));
	ASSERT_EQ(512, caps.bulk_in_maxpacket);
	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, 2, 16 * KIB));
	ASSERT_EQ(16 * KIB, r.size);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, qbuf_len(self->s.fd, 0, bad[i]))
		TH_LOG("xfer_length %u", bad[i]);
	}
	EXPECT_EQ(-EINVAL, qbuf_len(self->s.fd, 0, r.size + 512));
	for (i = 0; i < ARRAY_SIZE(b.reserved); i++) {
		memset(&b, 0, sizeof(b));
		b.xfer_length = 512;
		b.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF, &b))
		TH_LOG("reserved[%u]", i);
	}
	memset(&b, 0, sizeof(b));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYBUF, &b));
	EXPECT_EQ(0, b.flags & WIASCAN_BUF_FLAG_QUEUED);
	EXPECT_EQ(0, b.xfer_length);

	EXPECT_EQ(0, qbuf_len(self->s.fd, 0, r.size));
	memset(&b, 0, sizeof(b));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYBUF, &b));
	EXPECT_EQ(WIASCAN_BUF_FLAG_QUEUED, b.flags & WIASCAN_BUF_FLAG_QUEUED);
	EXPECT_EQ(16 * KIB, b.xfer_length);
	ring_free(&r);
}

TEST_HARNESS_MAIN
