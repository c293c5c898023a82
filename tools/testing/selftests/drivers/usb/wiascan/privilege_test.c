// SPDX-License-Identifier: GPL-2.0
/*
 * Least privilege: the node is not world-accessible and an unprivileged
 * user outside the scanner's group cannot open it (and one in the group
 * can, with the owner and mode the udev rules give); control transfers
 * reach only class and vendor requests to the bound interface; buffer
 * memory is capped per device and system-wide; and no structure the
 * driver copies out carries bytes it did not set.
 *
 * The rig has no udev: the group test applies what udev/ rules say
 * (GROUP and MODE of the wiascan rule; root:scanner 0660 when there is no
 * rule yet) to the node by hand, as udev would, and restores it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "wiascan_test.h"

#define NOBODY	    65534
#define SCANNER_GID 4242 /* a group id nobody else uses in the rig */
#define MIB	    (1u << 20)
#define TOTAL_PARAM "/sys/module/wiascan/parameters/max_total_mb"

SCANNER_FIXTURE(scanner, NULL)

/*
 * open(@node) in a child that dropped to uid/gid nobody, with @group as
 * its only supplementary group (0 for none): 0 or the -errno of open.
 */
static int open_as_nobody(const char *node, gid_t group)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd;

		if (setgroups(group ? 1 : 0, &group) || setgid(NOBODY) ||
		    setuid(NOBODY))
			_exit(200);
		fd = open(node, O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			_exit(0);
		_exit(errno < 200 ? errno : 199);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	if (WEXITSTATUS(status) == 200)
		return -EPERM;
	return -WEXITSTATUS(status);
}

TEST_F(scanner, node_is_not_world_accessible)
{
	struct stat st;

	ASSERT_EQ(0, stat(self->s.node, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0, st.st_mode & 0007) TH_LOG("mode %04o", st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
}

TEST_F(scanner, unprivileged_user_cannot_open_the_node)
{
	EXPECT_EQ(-EACCES, open_as_nobody(self->s.node, 0));
}

/* GROUP and MODE that the wiascan rules file in udev/ gives the nodes */
static void udev_rule(char *group, size_t glen, mode_t *mode)
{
	char pattern[PATH_MAX], line[1024], *p;
	glob_t g;
	size_t i;

	snprintf(group, glen, "scanner");
	*mode = 0660;
	snprintf(pattern, sizeof(pattern), "%s/udev/*wiascan*.rules", wt_top());
	if (glob(pattern, 0, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "re");

		while (f && fgets(line, sizeof(line), f)) {
			if (line[0] == '#')
				continue;
			p = strstr(line, "GROUP=\"");
			if (p)
				sscanf(p + 7, "%31[^\"]", group);
			p = strstr(line, "MODE=\"");
			if (p)
				*mode = (mode_t)strtoul(p + 6, NULL, 8);
		}
		if (f)
			fclose(f);
	}
	globfree(&g);
}

TEST_F(scanner, scanner_group_member_can_open_and_others_cannot)
{
	char group[32];
	struct stat st;
	mode_t mode;

	udev_rule(group, sizeof(group), &mode);
	TH_LOG("rule: GROUP=%s MODE=%04o (group %s is gid %d here)", group,
	       mode, group, SCANNER_GID);
	EXPECT_EQ(0, mode & 0007) TH_LOG(
		"the udev rule makes it world-accessible");
	ASSERT_EQ(0, stat(self->s.node, &st));
	ASSERT_EQ(0, chown(self->s.node, 0, SCANNER_GID));
	ASSERT_EQ(0, chmod(self->s.node, mode));
	EXPECT_EQ(0, open_as_nobody(self->s.node, SCANNER_GID));
	EXPECT_EQ(-EACCES, open_as_nobody(self->s.node, SCANNER_GID + 1));
	EXPECT_EQ(-EACCES, open_as_nobody(self->s.node, 0));
	EXPECT_EQ(0, chown(self->s.node, st.st_uid, st.st_gid));
	EXPECT_EQ(0, chmod(self->s.node, st.st_mode & 07777));
}

/*
 * Every bmRequestType: only class or vendor requests to the interface
 * reach the device; the rest are refused before anything is sent.
 */
TEST_F(scanner, control_reaches_only_class_and_vendor_requests_to_the_interface)
{
	uint8_t data[64];
	unsigned int rt, accepted = 0;
	int ret;

	for (rt = 0; rt < 256; rt++) {
		uint32_t type = rt & WIASCAN_CTRL_TYPE_MASK;
		bool ok = (type == WIASCAN_CTRL_TYPE_CLASS ||
			   type == WIASCAN_CTRL_TYPE_VENDOR) &&
			  (rt & WIASCAN_CTRL_RECIP_MASK) ==
				  WIASCAN_CTRL_RECIP_INTERFACE;
		struct wiascan_ctrl c = {
			.request_type = rt,
			.request = 0xee, /* unknown: the device stalls */
			.length = (rt & 0x80) ? sizeof(data) : 0,
			.timeout_ms = 2000,
			.data = (uintptr_t)data,
		};

		ret = wt_ioctl(self->s.fd, WIASCAN_IOC_CONTROL, &c);
		if (ok) {
			accepted++;
			EXPECT_EQ(-EPIPE, ret) TH_LOG("type 0x%02x: %s", rt,
						      strerror(-ret));
		} else {
			EXPECT_EQ(-EINVAL, ret) TH_LOG(
				"type 0x%02x reached the device", rt);
		}
	}
	EXPECT_EQ(4, accepted);
}

TEST_F(scanner, control_cannot_name_another_interface)
{
	struct refscan_info info;
	struct wiascan_ctrl c = {
		.request_type = REFSCAN_RT_IN,
		.request = REFSCAN_REQ_GET_INFO,
		.length = sizeof(info),
		.data = (uintptr_t)&info,
	};
	unsigned int i;

	/* the low byte of wIndex is the driver's: every other value is refused */
	for (i = 1; i < 256; i++) {
		c.index = i;
		EXPECT_EQ(-EINVAL,
			  wt_ioctl(self->s.fd, WIASCAN_IOC_CONTROL, &c))
		TH_LOG("wIndex 0x%04x", i);
	}
	c.index = 0x10000;
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_CONTROL, &c));
	c.index = 0;
	EXPECT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_CONTROL, &c));
}

static int reqbufs(int fd, uint32_t count, uint32_t size)
{
	struct wiascan_reqbufs rb = { .count = count, .size = size };

	return wt_ioctl(fd, WIASCAN_IOC_REQBUFS, &rb);
}

TEST_F(scanner, system_wide_cap_limits_one_device_and_querycap_reports_it)
{
	struct wiascan_caps caps;
	char old[16];

	ASSERT_EQ(0, access(TOTAL_PARAM, W_OK)) TH_LOG(
		"no max_total_mb parameter");
	ASSERT_EQ(0, wt_param_swap(TOTAL_PARAM, "2", old, sizeof(old)));
	EXPECT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, &caps));
	EXPECT_EQ(2 * MIB, caps.max_total_bytes);
	EXPECT_EQ(-ENOMEM, reqbufs(self->s.fd, 3, MIB));
	EXPECT_EQ(0, reqbufs(self->s.fd, 2, MIB));
	EXPECT_EQ(0, reqbufs(self->s.fd, 0, 0));
	EXPECT_EQ(0, wt_param_swap(TOTAL_PARAM, old, NULL, 0));
}

/*
 * A ring still mapped after its device went counts against the
 * system-wide cap until its last munmap: the replugged device cannot
 * take that memory again meanwhile.
 */
TEST_F(scanner, system_wide_cap_counts_rings_orphaned_by_an_unplug)
{
	struct ring r;
	char old[16];
	int old_fd;

	ASSERT_EQ(0, wt_param_swap(TOTAL_PARAM, "2", old, sizeof(old)));
	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, 3, 512 * 1024));
	ASSERT_EQ(0, wt_unplug());
	ASSERT_EQ(0, wt_wait_node_gone(self->s.sysname, WT_GONE_TIMEOUT_MS));
	old_fd = self->s.fd;
	ASSERT_EQ(0, wt_replug());
	ASSERT_EQ(0, wt_wait_node(&self->s, WT_START_TIMEOUT_MS));
	self->s.fd = open(self->s.node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->s.fd);

	/* 1.5 MiB still pinned by the old mappings: 1 MiB more is too much */
	EXPECT_EQ(-ENOMEM, reqbufs(self->s.fd, 2, 512 * 1024));
	EXPECT_EQ(0, reqbufs(self->s.fd, 1, 512 * 1024));
	EXPECT_EQ(0, reqbufs(self->s.fd, 0, 0));
	ring_unmap(&r);
	close(old_fd);
	EXPECT_EQ(0, reqbufs(self->s.fd, 4, 512 * 1024));
	EXPECT_EQ(0, reqbufs(self->s.fd, 0, 0));
	EXPECT_EQ(0, wt_param_swap(TOTAL_PARAM, old, NULL, 0));
}

static bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

TEST_F(scanner, structures_copied_out_carry_no_stale_bytes)
{
	struct wiascan_event ev;
	struct wiascan_reqbufs rb;
	struct wiascan_buffer b;
	struct wiascan_caps caps;
	struct refscan_params p;

	memset(&caps, 0xa5, sizeof(caps));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, &caps));
	EXPECT_TRUE(all_zero(caps.reserved, sizeof(caps.reserved)));

	memset(&rb, 0xa5, sizeof(rb));
	memset(rb.reserved, 0, sizeof(rb.reserved));
	rb.count = 2;
	rb.size = 8192;
	rb.flags = 0;
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_REQBUFS, &rb));
	EXPECT_TRUE(all_zero(rb.reserved, sizeof(rb.reserved)));

	/* input fields the driver overwrites: filled with 0xa5 first */
	memset(&b, 0xa5, sizeof(b));
	memset(b.reserved, 0, sizeof(b.reserved));
	b.index = 1;
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYBUF, &b));
	EXPECT_EQ(1, b.index);
	EXPECT_EQ(0, b.bytesused);
	EXPECT_EQ(0, b.sequence);
	EXPECT_EQ(0, b.timestamp_ns);
	EXPECT_EQ(0, b.status);
	EXPECT_EQ(0, b.flags);
	EXPECT_TRUE(all_zero(b.reserved, sizeof(b.reserved)));

	/* a short page of one row, then its PAGE_DONE event */
	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_FLATBED, 100, 100, 1, &p));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF,
			      &(struct wiascan_buffer) { .index = 0 }));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	ASSERT_EQ(0, ref_start(self->s.fd));
	memset(&b, 0xa5, sizeof(b));
	memset(b.reserved, 0, sizeof(b.reserved));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_DQBUF, &b));
	EXPECT_EQ(0, b.index);
	EXPECT_EQ(100, b.bytesused);
	EXPECT_EQ(WIASCAN_BUF_FLAG_END_OF_PAGE, b.flags);
	EXPECT_EQ(0, b.status);
	EXPECT_TRUE(all_zero(b.reserved, sizeof(b.reserved)));

	memset(&ev, 0xa5, sizeof(ev));
	memset(ev.reserved, 0, sizeof(ev.reserved));
	ev.flags = 0;
	ev.timeout_ms = WT_FILE_TIMEOUT_MS;
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_WAIT_EVENT, &ev));
	EXPECT_EQ(sizeof(struct refscan_event), ev.length);
	EXPECT_EQ(0, ev.lost);
	EXPECT_TRUE(all_zero((uint8_t *)ev.data + ev.length,
			     sizeof(ev.data) - ev.length));
	EXPECT_TRUE(all_zero(ev.reserved, sizeof(ev.reserved)));

	/* a failed WAIT_EVENT leaves the caller's struct alone */
	memset(&ev, 0xa5, sizeof(ev));
	memset(ev.reserved, 0, sizeof(ev.reserved));
	ev.flags = WIASCAN_EVENT_NONBLOCK;
	ev.timeout_ms = 0; /* an input: 0xa5a5a5a5 is past the maximum */
	EXPECT_EQ(-EAGAIN, wt_ioctl(self->s.fd, WIASCAN_IOC_WAIT_EVENT, &ev));
	EXPECT_EQ(0xa5a5a5a5, ev.lost);
}

TEST_HARNESS_MAIN
