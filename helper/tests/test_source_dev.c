// SPDX-License-Identifier: GPL-2.0
/*
 * The device source's start sequence, without a device: dev_start() of
 * a streaming protocol (not command-driven) and dev_first_xfer(), the
 * length of the first buffer's transfer.  The file is included so its
 * static functions can be called directly; while it is included, the
 * device calls dev_start() and dev_stop() make (QBUF, STREAMON,
 * STREAMOFF) are renamed to fakes below that append to a call log, and
 * the source gets a fake protocol whose start, cancel and read_event log
 * too and can be told to fail.  The device functions not renamed come
 * from libwiascan.a and are never called here.
 *
 * Why the order matters (see the comment above dev_start()): the ring is
 * queued first, then the protocol's START, and only then STREAMON, which
 * submits the ring's bulk-in transfers.  Under dummy_hcd the status stage
 * of a START sent with 8 MiB of transfers in flight waited behind the
 * data for up to 100 ms; before STREAMON the scanner answers bulk-in with
 * NAK and keeps its data, so nothing is lost.  The first buffer is queued
 * for 64 KiB (whole bulk-in packets) so the first bytes reach the sink
 * without waiting for a whole 1 MiB buffer.  A STREAMON that fails after
 * a good START leaves a scan running, which dev_stop(src, true) cancels.
 */
#include "kselftest_harness.h"

#define wias_device_qbuf_len  fake_device_qbuf_len
#define wias_device_qbuf      fake_device_qbuf
#define wias_device_streamon  fake_device_streamon
#define wias_device_streamoff fake_device_streamoff
#include "../lib/source_dev.c" // NOLINT(bugprone-suspicious-include)
#undef wias_device_qbuf_len
#undef wias_device_qbuf
#undef wias_device_streamon
#undef wias_device_streamoff

#define LOG_MAX	 32
#define LOG_LINE 32

/**
 * struct fake - what the fakes answer, and what they were asked
 * @log: one line per call, in order ("QBUF 0 65536", "START"...), @nlog
 *	of them (calls past LOG_MAX are counted, not kept)
 * @start_ret: the protocol's START result (e.g. -EPIPE: it stalls)
 * @start_cond: the condition START reports when it fails
 * @streamon_ret: STREAMON's result
 */
struct fake {
	char log[LOG_MAX][LOG_LINE];
	unsigned int nlog;
	int start_ret;
	enum scan_cond start_cond;
	int streamon_ret;
};

static struct fake fake;

static void fake_log(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void fake_log(const char *fmt, ...)
{
	va_list ap;

	if (fake.nlog < LOG_MAX) {
		va_start(ap, fmt);
		vsnprintf(fake.log[fake.nlog], LOG_LINE, fmt, ap);
		va_end(ap);
	}
	fake.nlog++;
}

/* The index of the first log line equal to @line, or -1 */
static int fake_find(const char *line)
{
	unsigned int i;

	for (i = 0; i < fake.nlog && i < LOG_MAX; i++)
		if (!strcmp(fake.log[i], line))
			return (int)i;
	return -1;
}

int fake_device_qbuf_len(struct device *dev, unsigned int index,
			 uint32_t xfer_length)
{
	(void)dev;
	fake_log("QBUF %u %u", index, xfer_length);
	return 0;
}

int fake_device_qbuf(struct device *dev, unsigned int index)
{
	(void)dev;
	fake_log("QBUF %u", index);
	return 0;
}

int fake_device_streamon(struct device *dev)
{
	(void)dev;
	fake_log("STREAMON");
	return fake.streamon_ret;
}

int fake_device_streamoff(struct device *dev)
{
	(void)dev;
	fake_log("STREAMOFF");
	return 0;
}

static int fake_start(struct device *dev, uint32_t max_sheets,
		      enum scan_cond *cond)
{
	(void)dev;
	fake_log("START %u", max_sheets);
	*cond = fake.start_ret ? fake.start_cond : SCAN_COND_NONE;
	return fake.start_ret;
}

static int fake_cancel(struct device *dev)
{
	(void)dev;
	fake_log("CANCEL");
	return 0;
}

/* No event is pending: dev_drain_events() asks once */
static int fake_read_event(struct device *dev, bool wait, struct scan_event *ev)
{
	(void)dev;
	(void)ev;
	fake_log("EVENT %s", wait ? "wait" : "nowait");
	return -EAGAIN;
}

static const struct scan_protocol_ops fake_proto = {
	.name = "fake",
	.start = fake_start,
	.cancel = fake_cancel,
	.read_event = fake_read_event,
};

/**
 * struct rig - a device and its source, built by hand
 * @dev: 8 buffers of 1 MiB, 512-byte bulk-in packets, ABI 2 lengths
 * @d: the source (flatbed, streaming, not command-driven) on @dev
 * @err: the source's failure record
 * @path: the source's device path, for messages
 */
struct rig {
	struct device dev;
	struct dev_source d;
	struct wia_error err;
	char path[16];
};

static void rig_init(struct rig *r)
{
	memset(&fake, 0, sizeof(fake));
	memset(r, 0, sizeof(*r));
	r->dev.fd = -1;
	r->dev.caps.streaming = true;
	r->dev.caps.xfer_length = true;
	r->dev.caps.bulk_in_maxpacket = 512;
	r->dev.nbufs = 8;
	r->dev.buf_size = 1U << 20;
	r->d.base.ops = &dev_source_ops;
	r->d.base.fmt.source = SCAN_SOURCE_FLATBED;
	r->d.base.err = &r->err;
	snprintf(r->path, sizeof(r->path), "/dev/fake");
	r->d.base.name = r->path;
	r->d.dev = &r->dev;
	r->d.proto = &fake_proto;
	r->d.path = r->path;
	r->d.max_sheets = 3;
	r->d.epfd = r->d.tfd = -1;
	r->d.inflight = -1;
}

/* dev_first_xfer() of a device with @xfer_length, @mp and @buf_size */
static uint32_t first_xfer(bool xfer_length, uint32_t mp, size_t buf_size)
{
	struct rig r;

	rig_init(&r);
	r.dev.caps.xfer_length = xfer_length;
	r.dev.caps.bulk_in_maxpacket = mp;
	r.dev.buf_size = buf_size;
	return dev_first_xfer(&r.d);
}

/* Log line @i is @line (two statements, as the harness's: brace it in a loop) */
#define EXPECT_LOG(i, line)                                                \
	EXPECT_STREQ(line, fake.log[i])                                    \
	TH_LOG("call %u: \"%s\" expected, \"%s\" made", (unsigned int)(i), \
	       line, fake.log[i])

TEST(start_queues_first_64k_then_whole_buffers_then_start_then_streamon)
{
	static const char *const want[] = {
		"QBUF 0 65536", "QBUF 1 0", "QBUF 2 0", "QBUF 3 0",
		"QBUF 4 0",	"QBUF 5 0", "QBUF 6 0", "QBUF 7 0",
		"EVENT nowait", "START 0",  "STREAMON",
	};
	struct rig r;
	unsigned int i;

	rig_init(&r);
	ASSERT_EQ(0, dev_start(&r.d.base));
	ASSERT_EQ(11, fake.nlog)
	TH_LOG("11 calls expected (8 QBUF, 1 EVENT, START, STREAMON), %u made",
	       fake.nlog);
	for (i = 0; i < 11; i++) {
		EXPECT_LOG(i, want[i]);
	}
	/* START (index 9) before STREAMON (index 10), no STREAMON earlier */
	EXPECT_EQ(9, fake_find("START 0"));
	EXPECT_EQ(10, fake_find("STREAMON"));
	EXPECT_EQ(0, r.err.set);
}

TEST(start_of_an_adf_scan_passes_max_sheets_3)
{
	struct rig r;

	rig_init(&r);
	r.d.base.fmt.source = SCAN_SOURCE_ADF;
	ASSERT_EQ(0, dev_start(&r.d.base));
	ASSERT_EQ(11, fake.nlog);
	EXPECT_LOG(9, "START 3");
	EXPECT_LOG(10, "STREAMON");
}

TEST(first_xfer_is_whole_packets_of_at_most_64k)
{
	EXPECT_EQ(65536, first_xfer(true, 512, 1U << 20))
	TH_LOG("maxpacket 512, 1 MiB buffers: 65536");
	EXPECT_EQ(65536, first_xfer(true, 1024, 1U << 20))
	TH_LOG("maxpacket 1024, 1 MiB buffers: 65536");
	EXPECT_EQ(63000, first_xfer(true, 3000, 1U << 20))
	TH_LOG("maxpacket 3000: 65536 / 3000 * 3000 = 63000");
	EXPECT_EQ(0, first_xfer(true, 0, 1U << 20))
	TH_LOG("maxpacket 0: 0 (the whole buffer)");
	EXPECT_EQ(0, first_xfer(false, 512, 1U << 20))
	TH_LOG("no xfer_length (ABI 1): 0 (the whole buffer)");
	EXPECT_EQ(0, first_xfer(true, 512, 65536))
	TH_LOG("64 KiB buffers, not larger than 64 KiB: 0 (the whole buffer)");
	EXPECT_EQ(0, first_xfer(true, 512, 32768))
	TH_LOG("32 KiB buffers: 0 (the whole buffer)");
	EXPECT_EQ(65536, first_xfer(true, 512, 65537))
	TH_LOG("buffers of 64 KiB + 1: 65536");
}

TEST(start_without_xfer_length_queues_every_buffer_whole)
{
	struct rig r;

	rig_init(&r);
	r.dev.caps.xfer_length = false;
	ASSERT_EQ(0, dev_start(&r.d.base));
	ASSERT_EQ(11, fake.nlog);
	EXPECT_LOG(0, "QBUF 0 0");
	EXPECT_LOG(7, "QBUF 7 0");
	EXPECT_LOG(9, "START 0");
	EXPECT_LOG(10, "STREAMON");
}

TEST(failed_start_returns_epipe_and_never_streams_on)
{
	struct rig r;

	rig_init(&r);
	fake.start_ret = -EPIPE;
	fake.start_cond = SCAN_COND_NO_PAPER;
	EXPECT_EQ(-EPIPE, dev_start(&r.d.base));
	ASSERT_EQ(10, fake.nlog)
	TH_LOG("10 calls expected (8 QBUF, 1 EVENT, START), %u made",
	       fake.nlog);
	EXPECT_LOG(9, "START 0");
	EXPECT_EQ(-1, fake_find("STREAMON"));
	EXPECT_EQ(1, r.err.set);
	EXPECT_EQ(-EPIPE, r.err.err);
	EXPECT_EQ(SCAN_COND_NO_PAPER, r.err.cond);
	EXPECT_STREQ("/dev/fake: start scan", r.err.what);
}

TEST(failed_streamon_after_start_returns_eio_and_stop_cancels_the_scan)
{
	struct rig r;

	rig_init(&r);
	fake.streamon_ret = -EIO;
	EXPECT_EQ(-EIO, dev_start(&r.d.base));
	ASSERT_EQ(11, fake.nlog);
	EXPECT_LOG(9, "START 0");
	EXPECT_LOG(10, "STREAMON");
	EXPECT_EQ(1, r.err.set);
	EXPECT_EQ(-EIO, r.err.err);
	EXPECT_STREQ("/dev/fake: stream on", r.err.what);
	/* what the scan loop and the SANE backend do after a failed start */
	r.d.base.ops->stop(&r.d.base, true);
	ASSERT_EQ(13, fake.nlog)
	TH_LOG("CANCEL and STREAMOFF expected after the 11 calls, %u calls",
	       fake.nlog);
	EXPECT_LOG(11, "CANCEL");
	EXPECT_LOG(12, "STREAMOFF");
}

TEST_HARNESS_MAIN
