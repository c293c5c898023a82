// SPDX-License-Identifier: GPL-2.0
/*
 * Every class of bad ioctl gets its documented error: unknown commands
 * -ENOTTY (also the right number with the wrong size or direction),
 * non-zero reserved fields and unknown flags -EINVAL, bad buffer indexes
 * -EINVAL, a buffer queued twice -EINVAL, bad pointers -EFAULT.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "wiascan_test.h"

#define NBUFS	4
#define BUFSIZE (16 * 1024)

SCANNER_FIXTURE(scanner, NULL)

/* A buffer big enough for any of the ABI's structures, poisoned */
union any_arg {
	struct wiascan_caps caps;
	struct wiascan_reqbufs rb;
	struct wiascan_buffer buf;
	struct wiascan_ctrl ctrl;
	struct wiascan_event ev;
	struct wiascan_timeout tmo;
	struct wiascan_clear_halt ch;
	uint8_t bytes[512];
};

static int reqbufs(int fd, struct wiascan_reqbufs *rb)
{
	return wt_ioctl(fd, WIASCAN_IOC_REQBUFS, rb);
}

TEST_F(scanner, unknown_command_number_returns_enotty)
{
	union any_arg a;

	memset(&a, 0, sizeof(a));
	EXPECT_EQ(-ENOTTY,
		  wt_ioctl(self->s.fd, _IO(WIASCAN_IOC_MAGIC, 0x7f), NULL));
	EXPECT_EQ(-ENOTTY, wt_ioctl(self->s.fd,
				    _IOWR(WIASCAN_IOC_MAGIC, 0x0b,
					  struct wiascan_timeout),
				    &a));
	EXPECT_EQ(-ENOTTY,
		  wt_ioctl(self->s.fd,
			   _IOWR(WIASCAN_IOC_MAGIC, 0xff, union any_arg), &a));
}

TEST_F(scanner, foreign_magic_returns_enotty)
{
	union any_arg a;

	memset(&a, 0, sizeof(a));
	/* 'U' is usbfs' magic; the same number and size under it is not ours */
	EXPECT_EQ(-ENOTTY, wt_ioctl(self->s.fd,
				    _IOR('U', 0x00, struct wiascan_caps), &a));
	EXPECT_EQ(-ENOTTY, wt_ioctl(self->s.fd, TCGETS, &a));
}

TEST_F(scanner, right_number_with_wrong_size_returns_enotty)
{
	union any_arg a;

	memset(&a, 0, sizeof(a));
	EXPECT_EQ(-ENOTTY, wt_ioctl(self->s.fd,
				    _IOR(WIASCAN_IOC_MAGIC, 0x00,
					 struct wiascan_reqbufs),
				    &a));
	EXPECT_EQ(-ENOTTY,
		  wt_ioctl(self->s.fd,
			   _IOWR(WIASCAN_IOC_MAGIC, 0x01, struct wiascan_caps),
			   &a));
	EXPECT_EQ(-ENOTTY,
		  wt_ioctl(self->s.fd, _IOW(WIASCAN_IOC_MAGIC, 0x09, uint32_t),
			   &a));
	EXPECT_EQ(-ENOTTY,
		  wt_ioctl(self->s.fd,
			   _IOWR(WIASCAN_IOC_MAGIC, 0x07, uint8_t[40]), &a));
}

TEST_F(scanner, right_number_with_wrong_direction_returns_enotty)
{
	union any_arg a;

	memset(&a, 0, sizeof(a));
	EXPECT_EQ(-ENOTTY,
		  wt_ioctl(self->s.fd,
			   _IOW(WIASCAN_IOC_MAGIC, 0x00, struct wiascan_caps),
			   &a));
	EXPECT_EQ(-ENOTTY, wt_ioctl(self->s.fd,
				    _IOR(WIASCAN_IOC_MAGIC, 0x09,
					 struct wiascan_timeout),
				    &a));
	EXPECT_EQ(-ENOTTY,
		  wt_ioctl(self->s.fd, _IOR(WIASCAN_IOC_MAGIC, 0x05, uint32_t),
			   &a));
}

TEST_F(scanner, bad_argument_pointer_returns_efault)
{
	void *bad = (void *)16;

	EXPECT_EQ(-EFAULT, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, bad));
	EXPECT_EQ(-EFAULT, wt_ioctl(self->s.fd, WIASCAN_IOC_REQBUFS, bad));
	EXPECT_EQ(-EFAULT, wt_ioctl(self->s.fd, WIASCAN_IOC_CONTROL, NULL));
	EXPECT_EQ(-EFAULT, wt_ioctl(self->s.fd, WIASCAN_IOC_SET_TIMEOUT, NULL));
}

TEST_F(scanner, reqbufs_with_nonzero_reserved_returns_einval)
{
	unsigned int i;

	for (i = 0; i < 5; i++) {
		struct wiascan_reqbufs rb = { .count = NBUFS, .size = BUFSIZE };

		rb.reserved[i] = 1;
		EXPECT_EQ(-EINVAL,
			  reqbufs(self->s.fd, &rb)) TH_LOG("reserved[%u]", i);
	}
}

TEST_F(scanner, reqbufs_with_unknown_flags_returns_einval)
{
	struct wiascan_reqbufs rb = { .count = NBUFS,
				      .size = BUFSIZE,
				      .flags = 1 };

	EXPECT_EQ(-EINVAL, reqbufs(self->s.fd, &rb));
	rb.flags = 1u << 31;
	EXPECT_EQ(-EINVAL, reqbufs(self->s.fd, &rb));
}

TEST_F(scanner, buffer_ioctls_with_nonzero_reserved_return_einval)
{
	struct wiascan_reqbufs rb = { .count = NBUFS, .size = BUFSIZE };
	struct wiascan_buffer b;

	ASSERT_EQ(0, reqbufs(self->s.fd, &rb));
	memset(&b, 0, sizeof(b));
	b.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYBUF, &b));
	memset(&b, 0, sizeof(b));
	b.reserved[0] = 1;
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF, &b));
	memset(&b, 0, sizeof(b));
	EXPECT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF, &b));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	memset(&b, 0, sizeof(b));
	b.reserved[2] = 1;
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_DQBUF, &b));
}

TEST_F(scanner, qbuf_with_flags_returns_einval)
{
	struct wiascan_reqbufs rb = { .count = NBUFS, .size = BUFSIZE };
	struct wiascan_buffer b = { .index = 0,
				    .flags = WIASCAN_BUF_FLAG_QUEUED };

	ASSERT_EQ(0, reqbufs(self->s.fd, &rb));
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF, &b));
	b.flags = 1u << 31;
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF, &b));
}

TEST_F(scanner, querybuf_with_bad_index_returns_einval)
{
	struct wiascan_reqbufs rb = { .count = NBUFS, .size = BUFSIZE };
	struct wiascan_buffer b = { .index = NBUFS };

	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYBUF, &b))
	TH_LOG("before any REQBUFS");
	ASSERT_EQ(0, reqbufs(self->s.fd, &rb));
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYBUF, &b));
	b.index = UINT32_MAX;
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYBUF, &b));
}

TEST_F(scanner, qbuf_with_bad_index_returns_einval)
{
	struct wiascan_reqbufs rb = { .count = NBUFS, .size = BUFSIZE };
	struct wiascan_buffer b = { .index = 0 };

	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF, &b))
	TH_LOG("before any REQBUFS");
	ASSERT_EQ(0, reqbufs(self->s.fd, &rb));
	b.index = NBUFS;
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF, &b));
	b.index = UINT32_MAX;
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF, &b));
}

TEST_F(scanner, queueing_a_queued_buffer_returns_einval)
{
	struct wiascan_reqbufs rb = { .count = NBUFS, .size = BUFSIZE };
	struct wiascan_buffer b = { .index = 2 };

	ASSERT_EQ(0, reqbufs(self->s.fd, &rb));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF, &b));
	memset(&b, 0, sizeof(b));
	b.index = 2;
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF, &b));
	/* ... and while streaming, with the buffer's URB in flight */
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	memset(&b, 0, sizeof(b));
	b.index = 2;
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF, &b));
}

TEST_F(scanner, queueing_a_done_buffer_before_dequeue_returns_einval)
{
	struct refscan_params p;
	struct wiascan_buffer b = { .index = 0 };
	struct ring r;

	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_FLATBED, 100, 100, 10, &p));
	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, NBUFS, BUFSIZE));
	ASSERT_EQ(0, ring_queue(&r, 0));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	ASSERT_EQ(0, ref_start(self->s.fd));
	/* Wait until buffer 0 holds the whole 1000-byte page */
	for (int i = 0; i < 500; i++) {
		memset(&b, 0, sizeof(b));
		ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYBUF, &b));
		if (b.flags & WIASCAN_BUF_FLAG_DONE)
			break;
		wt_sleep_ms(10);
	}
	ASSERT_TRUE(b.flags & WIASCAN_BUF_FLAG_DONE);
	memset(&b, 0, sizeof(b));
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF, &b));
	EXPECT_EQ(0, ring_dequeue(&r, &b));
	EXPECT_EQ(0, b.index);
	EXPECT_EQ(1000, b.bytesused);
	ring_free(&r);
}

TEST_F(scanner, set_timeout_with_nonzero_reserved_returns_einval)
{
	struct wiascan_timeout t = { .timeout_ms = 1000,
				     .reserved = { 0, 0, 1 } };

	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_SET_TIMEOUT, &t));
}

TEST_F(scanner, clear_halt_with_nonzero_reserved_returns_einval)
{
	struct wiascan_clear_halt ch = {
		.endpoint = REFSCAN_EP_BULK_IN,
		.reserved = { 1 },
	};

	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_CLEAR_HALT, &ch));
}

TEST_F(scanner, clear_halt_of_a_foreign_endpoint_returns_einval)
{
	static const uint32_t foreign[] = { 0x00, 0x80, 0x01, 0x82,
					    0x8f, 0x0f, 0x181 };
	struct wiascan_clear_halt ch = { 0 };
	struct wiascan_caps caps;
	unsigned int i;

	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, &caps));
	for (i = 0; i < ARRAY_SIZE(foreign); i++) {
		ch.endpoint = foreign[i];
		if (ch.endpoint == caps.bulk_in_ep ||
		    ch.endpoint == caps.bulk_out_ep ||
		    ch.endpoint == caps.intr_in_ep)
			continue;
		EXPECT_EQ(-EINVAL,
			  wt_ioctl(self->s.fd, WIASCAN_IOC_CLEAR_HALT, &ch))
		TH_LOG("endpoint 0x%x", ch.endpoint);
	}
}

TEST_F(scanner, clear_halt_of_each_own_endpoint_succeeds)
{
	struct wiascan_clear_halt ch = { 0 };
	struct wiascan_caps caps;

	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, &caps));
	ch.endpoint = caps.bulk_in_ep;
	EXPECT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_CLEAR_HALT, &ch));
	ch.endpoint = caps.bulk_out_ep;
	EXPECT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_CLEAR_HALT, &ch));
	ch.endpoint = caps.intr_in_ep;
	EXPECT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_CLEAR_HALT, &ch));
}

TEST_F(scanner, clear_halt_of_bulk_in_while_streaming_returns_ebusy)
{
	struct wiascan_reqbufs rb = { .count = NBUFS, .size = BUFSIZE };
	struct wiascan_buffer b = { .index = 0 };
	struct wiascan_clear_halt ch = { 0 };
	struct wiascan_caps caps;

	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, &caps));
	ASSERT_EQ(0, reqbufs(self->s.fd, &rb));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF, &b));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	ch.endpoint = caps.bulk_in_ep;
	EXPECT_EQ(-EBUSY, wt_ioctl(self->s.fd, WIASCAN_IOC_CLEAR_HALT, &ch));
	ch.endpoint = caps.bulk_out_ep;
	EXPECT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_CLEAR_HALT, &ch));
}

TEST_F(scanner, wait_event_with_nonzero_reserved_returns_einval)
{
	struct wiascan_event ev = { .flags = WIASCAN_EVENT_NONBLOCK };

	ev.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_WAIT_EVENT, &ev));
}

TEST_F(scanner, wait_event_with_unknown_flags_returns_einval)
{
	struct wiascan_event ev = { .flags = WIASCAN_EVENT_NONBLOCK | 2 };

	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_WAIT_EVENT, &ev));
}

TEST_F(scanner, control_with_nonzero_reserved_returns_einval)
{
	struct refscan_info info;
	struct wiascan_ctrl c = {
		.request_type = REFSCAN_RT_IN,
		.request = REFSCAN_REQ_GET_INFO,
		.length = sizeof(info),
		.data = (uintptr_t)&info,
	};

	c.reserved[4] = 1;
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_CONTROL, &c));
}

/* Every timeout an ioctl takes is bounded, the per-call ones too */
TEST_F(scanner, timeouts_past_the_maximum_return_einval)
{
	static const uint32_t bad[] = { WIASCAN_TIMEOUT_MAX_MS + 1,
					UINT32_MAX };
	struct refscan_info info;
	struct wiascan_ctrl c = {
		.request_type = REFSCAN_RT_IN,
		.request = REFSCAN_REQ_GET_INFO,
		.length = sizeof(info),
		.data = (uintptr_t)&info,
	};
	struct wiascan_event ev = { .flags = WIASCAN_EVENT_NONBLOCK };
	struct wiascan_timeout t = { 0 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		c.timeout_ms = bad[i];
		EXPECT_EQ(-EINVAL,
			  wt_ioctl(self->s.fd, WIASCAN_IOC_CONTROL, &c))
		TH_LOG("CONTROL, timeout %u", bad[i]);
		ev.timeout_ms = bad[i];
		EXPECT_EQ(-EINVAL,
			  wt_ioctl(self->s.fd, WIASCAN_IOC_WAIT_EVENT, &ev))
		TH_LOG("WAIT_EVENT, timeout %u", bad[i]);
		t.timeout_ms = bad[i];
		EXPECT_EQ(-EINVAL,
			  wt_ioctl(self->s.fd, WIASCAN_IOC_SET_TIMEOUT, &t))
		TH_LOG("SET_TIMEOUT, timeout %u", bad[i]);
	}
	t.timeout_ms = 0;
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_SET_TIMEOUT, &t));
}

TEST_F(scanner, timeouts_of_exactly_the_maximum_are_accepted)
{
	struct refscan_info info;
	struct wiascan_ctrl c = {
		.request_type = REFSCAN_RT_IN,
		.request = REFSCAN_REQ_GET_INFO,
		.length = sizeof(info),
		.data = (uintptr_t)&info,
		.timeout_ms = WIASCAN_TIMEOUT_MAX_MS,
	};
	struct wiascan_event ev = { .flags = WIASCAN_EVENT_NONBLOCK,
				    .timeout_ms = WIASCAN_TIMEOUT_MAX_MS };
	struct wiascan_timeout t = { .timeout_ms = WIASCAN_TIMEOUT_MAX_MS };
	int ret;

	EXPECT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_CONTROL, &c));
	EXPECT_EQ(sizeof(info), c.actual);
	/* non-blocking: an event, or none pending; never EINVAL */
	ret = wt_ioctl(self->s.fd, WIASCAN_IOC_WAIT_EVENT, &ev);
	EXPECT_TRUE(ret == 0 || ret == -EAGAIN) TH_LOG("WAIT_EVENT: %d", ret);
	EXPECT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_SET_TIMEOUT, &t));
}

TEST_HARNESS_MAIN
