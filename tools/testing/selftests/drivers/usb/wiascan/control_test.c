// SPDX-License-Identifier: GPL-2.0
/*
 * WIASCAN_IOC_CONTROL: class and vendor requests to the bound interface
 * reach the device (the reference protocol works through it); everything
 * else is refused before it reaches the bus, and a stall is -EPIPE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "wiascan_test.h"

SCANNER_FIXTURE(scanner, NULL)
SCANNER_FIXTURE(feeder_of_one, "--sheets", "1")

/* A control request with every field chosen by the test */
static int ctrl(int fd, uint32_t rt, uint32_t req, uint32_t value,
		uint32_t index, void *data, uint32_t length, uint32_t *actual)
{
	struct wiascan_ctrl c = {
		.request_type = rt,
		.request = req,
		.value = value,
		.index = index,
		.length = length,
		.data = (uintptr_t)data,
	};
	int ret = wt_ioctl(fd, WIASCAN_IOC_CONTROL, &c);

	if (actual)
		*actual = c.actual;
	return ret;
}

TEST_F(scanner, get_info_describes_the_reference_scanner)
{
	struct refscan_info info;

	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, ref_get_info(self->s.fd, &info));
	EXPECT_EQ(REFSCAN_PROTOCOL_VERSION, info.version);
	EXPECT_EQ(7, info.modes & 7);
	EXPECT_EQ(3, info.sources & 3);
	EXPECT_LT(0, info.min_dpi);
	EXPECT_LE(info.min_dpi, 50);
	EXPECT_LE(100, info.max_dpi);
	EXPECT_LE(210000, info.max_width_um);
	EXPECT_LE(297000, info.max_height_um);
}

TEST_F(scanner, control_reports_the_actual_length_of_a_short_reply)
{
	uint8_t buf[64];
	uint32_t actual = 0;

	/* Asking for more than GET_INFO's 16 bytes: a short data stage */
	ASSERT_EQ(0, ctrl(self->s.fd, REFSCAN_RT_IN, REFSCAN_REQ_GET_INFO, 0, 0,
			  buf, sizeof(buf), &actual));
	EXPECT_EQ(sizeof(struct refscan_info), actual);
}

TEST_F(scanner, set_params_round_trips_with_bytes_per_line)
{
	struct refscan_params got;

	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_COLOR,
				   REFSCAN_SOURCE_FLATBED, 100, 333, 70, &got));
	EXPECT_EQ(999, got.bytes_per_line);
	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_LINEART,
				   REFSCAN_SOURCE_FLATBED, 100, 801, 70, &got));
	EXPECT_EQ(101, got.bytes_per_line);
}

TEST_F(scanner, control_longer_than_the_maximum_returns_einval)
{
	static uint8_t buf[WIASCAN_CTRL_MAX_LENGTH + 1];

	EXPECT_EQ(-EINVAL, ctrl(self->s.fd, REFSCAN_RT_IN, REFSCAN_REQ_GET_INFO,
				0, 0, buf, sizeof(buf), NULL));
	EXPECT_EQ(-EINVAL, ctrl(self->s.fd, REFSCAN_RT_IN, REFSCAN_REQ_GET_INFO,
				0, 0, buf, UINT32_MAX, NULL));
}

TEST_F(scanner, control_of_exactly_the_maximum_is_accepted)
{
	static uint8_t buf[WIASCAN_CTRL_MAX_LENGTH];
	uint32_t actual = 0;

	EXPECT_EQ(0, ctrl(self->s.fd, REFSCAN_RT_IN, REFSCAN_REQ_GET_INFO, 0, 0,
			  buf, sizeof(buf), &actual));
	EXPECT_EQ(sizeof(struct refscan_info), actual);
}

TEST_F(scanner, standard_request_type_returns_einval)
{
	uint8_t buf[18];

	/* GET_DESCRIPTOR(DEVICE) to the interface, and to the device */
	EXPECT_EQ(-EINVAL, ctrl(self->s.fd, 0x81, 0x06, 0x0100, 0, buf,
				sizeof(buf), NULL));
	EXPECT_EQ(-EINVAL, ctrl(self->s.fd, 0x80, 0x06, 0x0100, 0, buf,
				sizeof(buf), NULL));
	/* SET_CONFIGURATION 0 would unconfigure the device under the driver */
	EXPECT_EQ(-EINVAL, ctrl(self->s.fd, 0x00, 0x09, 0, 0, NULL, 0, NULL));
	/* Reserved type 3 */
	EXPECT_EQ(-EINVAL, ctrl(self->s.fd, 0xe1, REFSCAN_REQ_GET_INFO, 0, 0,
				buf, 16, NULL));
}

TEST_F(scanner, device_or_endpoint_recipient_returns_einval)
{
	struct refscan_info info;

	EXPECT_EQ(-EINVAL, ctrl(self->s.fd, 0xc0, REFSCAN_REQ_GET_INFO, 0, 0,
				&info, sizeof(info), NULL));
	EXPECT_EQ(-EINVAL, ctrl(self->s.fd, 0xc2, REFSCAN_REQ_GET_INFO, 0, 0,
				&info, sizeof(info), NULL));
	EXPECT_EQ(-EINVAL, ctrl(self->s.fd, 0xc3, REFSCAN_REQ_GET_INFO, 0, 0,
				&info, sizeof(info), NULL));
}

TEST_F(scanner, nonzero_low_byte_of_index_returns_einval)
{
	struct refscan_info info;

	/* The driver owns the interface number in the low byte */
	EXPECT_EQ(-EINVAL, ctrl(self->s.fd, REFSCAN_RT_IN, REFSCAN_REQ_GET_INFO,
				0, 0x0001, &info, sizeof(info), NULL));
	EXPECT_EQ(-EINVAL, ctrl(self->s.fd, REFSCAN_RT_IN, REFSCAN_REQ_GET_INFO,
				0, 0x01ff, &info, sizeof(info), NULL));
}

TEST_F(scanner, out_of_range_request_fields_return_einval)
{
	struct refscan_info info;

	EXPECT_EQ(-EINVAL, ctrl(self->s.fd, 0x1c1, REFSCAN_REQ_GET_INFO, 0, 0,
				&info, sizeof(info), NULL));
	EXPECT_EQ(-EINVAL, ctrl(self->s.fd, REFSCAN_RT_IN, 0x101, 0, 0, &info,
				sizeof(info), NULL));
	EXPECT_EQ(-EINVAL, ctrl(self->s.fd, REFSCAN_RT_IN, REFSCAN_REQ_GET_INFO,
				0x10000, 0, &info, sizeof(info), NULL));
	EXPECT_EQ(-EINVAL, ctrl(self->s.fd, REFSCAN_RT_IN, REFSCAN_REQ_GET_INFO,
				0, 0x10000, &info, sizeof(info), NULL));
}

TEST_F(scanner, control_with_bad_data_pointer_returns_efault)
{
	EXPECT_EQ(-EFAULT, ctrl(self->s.fd, REFSCAN_RT_IN, REFSCAN_REQ_GET_INFO,
				0, 0, (void *)16, 16, NULL));
	EXPECT_EQ(-EFAULT,
		  ctrl(self->s.fd, REFSCAN_RT_OUT, REFSCAN_REQ_SET_PARAMS, 0, 0,
		       (void *)16, 16, NULL));
}

TEST_F(scanner, request_the_device_stalls_returns_epipe)
{
	uint8_t buf[16];

	/* The reference scanner stalls requests it does not know */
	EXPECT_EQ(-EPIPE, ctrl(self->s.fd, REFSCAN_RT_IN, 0x7f, 0, 0, buf,
			       sizeof(buf), NULL));
	EXPECT_EQ(-EPIPE,
		  ctrl(self->s.fd, REFSCAN_RT_OUT, 0x7f, 0, 0, NULL, 0, NULL));
}

TEST_F(scanner, rejected_params_make_get_params_and_start_stall)
{
	/*
	 * refscan.h: a gadget cannot stall a control write whose data it
	 * has read, so bad parameters set REFSCAN_ERR_BAD_PARAMS and make
	 * GET_PARAMS and START stall until a valid SET_PARAMS arrives.
	 */
	struct refscan_params bad = {
		.mode = 9,
		.source = REFSCAN_SOURCE_FLATBED,
		.dpi = 100,
		.width_px = 100,
		.height_px = 10,
	};
	struct refscan_status st;
	struct refscan_params got;

	ASSERT_EQ(0, ref_set_params(self->s.fd, &bad));
	ASSERT_EQ(0, ref_get_status(self->s.fd, &st));
	EXPECT_EQ(REFSCAN_ERR_BAD_PARAMS, st.error);
	EXPECT_EQ(-EPIPE, ref_get_params(self->s.fd, &got));
	EXPECT_EQ(-EPIPE, ref_start(self->s.fd));
	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_FLATBED, 100, 100, 10, &got));
	EXPECT_EQ(100, got.bytes_per_line);
}

TEST_F(scanner, control_works_again_after_a_stall)
{
	struct refscan_info info;
	uint8_t buf[16];

	ASSERT_EQ(-EPIPE, ctrl(self->s.fd, REFSCAN_RT_IN, 0x7f, 0, 0, buf,
			       sizeof(buf), NULL));
	EXPECT_EQ(0, ref_get_info(self->s.fd, &info));
	EXPECT_EQ(REFSCAN_PROTOCOL_VERSION, info.version);
}

TEST_F(scanner, get_status_reports_idle_after_probe)
{
	struct refscan_status st;

	ASSERT_EQ(0, ref_get_status(self->s.fd, &st));
	EXPECT_EQ(REFSCAN_STATE_IDLE, st.state);
	EXPECT_EQ(0, st.bulk_out_bytes);
}

TEST_F(feeder_of_one, start_with_an_empty_feeder_returns_epipe)
{
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_ADF,
		.dpi = 100,
		.width_px = 100,
		.height_px = 10,
		.nbufs = 2,
		.bufsize = 4096,
		.npages = 1,
	};
	struct refscan_status st;
	struct scan_result res;

	ASSERT_EQ(0, wt_scan(self->s.fd, &spec, &res));
	ASSERT_EQ(0, ref_get_status(self->s.fd, &st));
	ASSERT_EQ(0, st.sheets_left);
	EXPECT_EQ(-EPIPE, ref_start(self->s.fd));
	ASSERT_EQ(0, ref_get_status(self->s.fd, &st));
	EXPECT_EQ(REFSCAN_ERR_NO_PAPER, st.error);
}

TEST_F(scanner, control_timeout_field_is_accepted)
{
	struct refscan_info info;
	struct wiascan_ctrl c = {
		.request_type = REFSCAN_RT_IN,
		.request = REFSCAN_REQ_GET_INFO,
		.length = sizeof(info),
		.data = (uintptr_t)&info,
		.timeout_ms = 2000,
	};

	EXPECT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_CONTROL, &c));
	EXPECT_EQ(sizeof(info), c.actual);
}

TEST_HARNESS_MAIN
