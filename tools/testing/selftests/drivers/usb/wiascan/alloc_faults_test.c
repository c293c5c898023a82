// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures in the driver: FAILSLAB and FAIL_PAGE_ALLOC made to
 * fail the Nth allocation of this task (/proc/thread-self/fail-nth), for
 * every N from 1 until the call no longer reaches an Nth allocation, in
 * REQBUFS (ring, page array, pages, URBs, sg tables), in open() and in
 * probe (a driver bind written to sysfs probes in the writer's task).
 * fail-nth counts every injection point, user copies included
 * (CONFIG_FAULT_INJECTION_USERCOPY), so -EFAULT is a clean error too.
 * Every failure must be a clean error (the call fails, nothing is left
 * half-made: the next call without faults succeeds) and leak nothing;
 * the rig's kmemleak scan after the run is the leak check.
 *
 * Needs a kernel with CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC,
 * CONFIG_FAULT_INJECTION_DEBUG_FS and debugfs: the debug kernel of
 * `vm-run --kernel debug`.  Debian's kernel has none of them: the tests
 * skip there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "wiascan_test.h"

#define MAX_NTH 3000
#define DEBUGFS "/sys/kernel/debug"

SCANNER_FIXTURE(scanner, NULL)

struct knob {
	const char *path;
	const char *value;
	bool optional; /* absent in some configurations */
	char old[32];
	bool saved;
};

/* Let GFP_KERNEL and order-0 allocations fail too (the defaults spare them) */
static struct knob knobs[] = {
	{ .path = DEBUGFS "/failslab/ignore-gfp-wait", .value = "N" },
	{ .path = DEBUGFS "/fail_page_alloc/ignore-gfp-wait", .value = "N" },
	{ .path = DEBUGFS "/fail_page_alloc/ignore-gfp-highmem", .value = "N" },
	{ .path = DEBUGFS "/fail_page_alloc/min-order", .value = "0" },
	/* no stack dump per injected fault: the rig fails on call traces */
	{ .path = DEBUGFS "/failslab/verbose", .value = "0" },
	{ .path = DEBUGFS "/fail_page_alloc/verbose", .value = "0" },
	{ .path = DEBUGFS "/fail_usercopy/verbose",
	  .value = "0",
	  .optional = true },
	{ .path = DEBUGFS "/fail_futex/verbose",
	  .value = "0",
	  .optional = true },
	{ .path = DEBUGFS "/fail_make_request/verbose",
	  .value = "0",
	  .optional = true },
	{ .path = DEBUGFS "/fail_io_timeout/verbose",
	  .value = "0",
	  .optional = true },
	{ .path = DEBUGFS "/fail_function/verbose",
	  .value = "0",
	  .optional = true },
};

static const char *fault_injection_missing(void)
{
	if (access(DEBUGFS "/failslab", F_OK))
		return "no " DEBUGFS
		       "/failslab (needs CONFIG_FAILSLAB and debugfs: run under vm-run --kernel debug)";
	if (access(DEBUGFS "/fail_page_alloc", F_OK))
		return "no " DEBUGFS
		       "/fail_page_alloc (needs CONFIG_FAIL_PAGE_ALLOC)";
	if (access("/proc/thread-self/fail-nth", W_OK))
		return "no /proc/thread-self/fail-nth (needs CONFIG_FAULT_INJECTION_DEBUG_FS)";
	return NULL;
}

static int arm_knobs(void)
{
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		if (knobs[i].optional && access(knobs[i].path, F_OK))
			continue;
		ret = wt_param_swap(knobs[i].path, knobs[i].value, knobs[i].old,
				    sizeof(knobs[i].old));
		if (ret)
			return ret;
		knobs[i].saved = true;
	}
	return 0;
}

static void restore_knobs(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		if (!knobs[i].saved)
			continue;
		/* bools read back as Y/N, numbers as themselves */
		wt_param_swap(knobs[i].path, knobs[i].old, NULL, 0);
		knobs[i].saved = false;
	}
}

/*
 * /proc/thread-self/fail-nth, opened once before arming: opening it later
 * would itself count as (and could take) an allocation of the test.
 */
static int nth_fd = -1;

/* Fail the @nth fault-injection point this thread reaches (0 disarms) */
static int set_fail_nth(unsigned int nth)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", nth);
	return pwrite(nth_fd, buf, strlen(buf), 0) < 0 ? -errno : 0;
}

/* What is left of the count: nonzero when the call made fewer attempts */
static unsigned int fail_nth_left(void)
{
	char buf[16] = "";
	unsigned int left;

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) < 0)
		buf[0] = '\0';
	left = (unsigned int)strtoul(buf, NULL, 10);
	set_fail_nth(0);
	return left;
}

#define ARM_OR_SKIP()                                               \
	do {                                                        \
		const char *why_ = fault_injection_missing();       \
		if (why_)                                           \
			SKIP(return, "%s", why_);                   \
		ASSERT_EQ(0, arm_knobs()) restore_knobs();          \
		if (nth_fd < 0)                                     \
			nth_fd = open("/proc/thread-self/fail-nth", \
				      O_RDWR | O_CLOEXEC);          \
		ASSERT_LE(0, nth_fd) restore_knobs();               \
	} while (0)

static int reqbufs(int fd, uint32_t count, uint32_t size)
{
	struct wiascan_reqbufs rb = { .count = count, .size = size };

	return wt_ioctl(fd, WIASCAN_IOC_REQBUFS, &rb);
}

TEST_F_TIMEOUT(scanner, reqbufs_fails_cleanly_at_every_allocation, 600)
{
	unsigned int nth, failures = 0;
	int ret;

	ARM_OR_SKIP();
	for (nth = 1; nth < MAX_NTH; nth++) {
		ASSERT_EQ(0, set_fail_nth(nth));
		ret = reqbufs(self->s.fd, 4, 64 * 1024);
		if (fail_nth_left()) {
			/* fewer than nth attempts: the call ran without a fault */
			EXPECT_EQ(0, ret);
			break;
		}
		if (ret) {
			EXPECT_TRUE(ret == -ENOMEM || ret == -EFAULT)
			TH_LOG("allocation %u: %s", nth, strerror(-ret));
			failures++;
		}
		/* nothing half-made: a ring can be had and freed again */
		EXPECT_EQ(0, reqbufs(self->s.fd, 4,
				     64 * 1024)) TH_LOG("after %u", nth);
		EXPECT_EQ(0, reqbufs(self->s.fd, 0, 0));
	}
	restore_knobs();
	ksft_print_msg(
		"alloc faults: REQBUFS: %u injection points failed in turn, %u failed REQBUFS\n",
		nth - 1, failures);
	fflush(stdout);
	EXPECT_LT(nth, MAX_NTH);
	EXPECT_LT(0, failures);
}

TEST_F_TIMEOUT(scanner, open_fails_cleanly_at_every_allocation, 600)
{
	unsigned int nth, failures = 0;
	int fd;

	ARM_OR_SKIP();
	for (nth = 1; nth < MAX_NTH; nth++) {
		ASSERT_EQ(0, set_fail_nth(nth));
		fd = open(self->s.node, O_RDWR | O_CLOEXEC);
		if (fail_nth_left()) {
			EXPECT_LE(0, fd);
			if (fd >= 0)
				close(fd);
			break;
		}
		if (fd < 0) {
			EXPECT_TRUE(errno == ENOMEM || errno == EFAULT)
			TH_LOG("allocation %u: %m", nth);
			failures++;
		} else {
			close(fd);
		}
	}
	restore_knobs();
	ksft_print_msg(
		"alloc faults: open: %u injection points failed in turn, %u failed opens\n",
		nth - 1, failures);
	fflush(stdout);
	EXPECT_LT(nth, MAX_NTH);
}

/*
 * Unbind the driver, then bind it through sysfs with the Nth allocation
 * of the writing task failing: the probe runs in that task.
 */
TEST_F_TIMEOUT(scanner, probe_fails_cleanly_at_every_allocation, 900)
{
	unsigned int nth, failures = 0;
	char intf[64];
	int ret;

	ARM_OR_SKIP();
	ASSERT_EQ(0, wt_interface_name(self->s.sysname, intf, sizeof(intf)));
	close(self->s.fd);
	self->s.fd = -1;
	ASSERT_EQ(0, wt_driver_unbind(intf));
	ASSERT_EQ(0, wt_wait_node_gone(self->s.sysname, WT_GONE_TIMEOUT_MS));
	for (nth = 1; nth < MAX_NTH; nth++) {
		ASSERT_EQ(0, set_fail_nth(nth));
		ret = wt_driver_bind(intf);
		if (fail_nth_left()) {
			EXPECT_EQ(0, ret);
			break;
		}
		if (ret) {
			failures++;
			EXPECT_TRUE(ret == -ENOMEM || ret == -ENODEV ||
				    ret == -EFAULT)
			TH_LOG("allocation %u: %s", nth, strerror(-ret));
			if (!wt_find_node(self->s.sysname,
					  sizeof(self->s.sysname)))
				EXPECT_TRUE(false) TH_LOG(
					"failed probe left a node");
			continue;
		}
		/* bound: it must be whole; unbind for the next round */
		ASSERT_EQ(0, wt_wait_node(&self->s, WT_START_TIMEOUT_MS));
		ASSERT_EQ(0, wt_driver_unbind(intf));
		ASSERT_EQ(0, wt_wait_node_gone(self->s.sysname,
					       WT_GONE_TIMEOUT_MS));
	}
	restore_knobs();
	ksft_print_msg(
		"alloc faults: probe: %u injection points failed in turn, %u failed binds\n",
		nth - 1, failures);
	fflush(stdout);
	EXPECT_LT(nth, MAX_NTH);
	ASSERT_EQ(0, wt_wait_node(&self->s, WT_START_TIMEOUT_MS));
	self->s.fd = open(self->s.node, O_RDWR | O_CLOEXEC);
	EXPECT_LE(0, self->s.fd);
}

TEST_HARNESS_MAIN
