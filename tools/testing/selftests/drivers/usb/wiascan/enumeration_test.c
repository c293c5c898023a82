// SPDX-License-Identifier: GPL-2.0
/*
 * Enumeration and capabilities: the reference scanner on dummy_hcd is
 * bound by wiascan.ko by its IDs, gets one /dev/wiascanN, and QUERYCAP
 * describes it and the driver's limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "wiascan_test.h"

SCANNER_FIXTURE(scanner, NULL)

/* The USB device directory above the bound interface, "device/.." */
static int read_usb_attr(const struct scanner *s, const char *attr, char *buf,
			 size_t len)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "device/../%s", attr);
	return wt_sysfs_read(s->sysname, rel, buf, len);
}

static int query_caps(int fd, struct wiascan_caps *caps)
{
	/* Poison, so that fields the driver forgets to fill show up */
	memset(caps, 0xa5, sizeof(*caps));
	return wt_ioctl(fd, WIASCAN_IOC_QUERYCAP, caps);
}

TEST_F(scanner, node_is_a_char_device_matching_sysfs)
{
	char dev[32];
	unsigned int maj, min;
	struct stat st;

	ASSERT_EQ(0, wt_sysfs_read(self->s.sysname, "dev", dev, sizeof(dev)));
	ASSERT_EQ(0, wt_parse_dev(dev, &maj, &min));
	ASSERT_EQ(0, stat(self->s.node, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(maj, major(st.st_rdev));
	EXPECT_EQ(min, minor(st.st_rdev));
	EXPECT_EQ(0, strncmp(self->s.sysname, "wiascan", 7));
}

TEST_F(scanner, bound_interface_driver_is_wiascan)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/class/usbmisc/%s/device/driver",
		 self->s.sysname);
	n = readlink(link, target, sizeof(target) - 1);
	ASSERT_LT(0, n) TH_LOG("readlink %s: %m", link);
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	EXPECT_STREQ("wiascan", base);
}

TEST_F(scanner, device_has_reference_ids_and_strings)
{
	char buf[128];

	ASSERT_EQ(0, read_usb_attr(&self->s, "idVendor", buf, sizeof(buf)));
	EXPECT_STREQ("1209", buf);
	ASSERT_EQ(0, read_usb_attr(&self->s, "idProduct", buf, sizeof(buf)));
	EXPECT_STREQ("0001", buf);
	ASSERT_EQ(0, read_usb_attr(&self->s, "manufacturer", buf, sizeof(buf)));
	EXPECT_STREQ(REFSCAN_MANUFACTURER, buf);
	ASSERT_EQ(0, read_usb_attr(&self->s, "product", buf, sizeof(buf)));
	EXPECT_STREQ(REFSCAN_PRODUCT, buf);
	ASSERT_EQ(0, read_usb_attr(&self->s, "serial", buf, sizeof(buf)));
	EXPECT_STREQ("REF0001", buf);
}

TEST_F(scanner, bound_interface_is_the_vendor_scanner_interface)
{
	char buf[64];

	ASSERT_EQ(0, wt_sysfs_read(self->s.sysname, "device/bInterfaceClass",
				   buf, sizeof(buf)));
	EXPECT_STREQ("ff", buf);
	ASSERT_EQ(0, wt_sysfs_read(self->s.sysname, "device/bInterfaceSubClass",
				   buf, sizeof(buf)));
	EXPECT_STREQ("57", buf);
	ASSERT_EQ(0, wt_sysfs_read(self->s.sysname, "device/bInterfaceProtocol",
				   buf, sizeof(buf)));
	EXPECT_STREQ("01", buf);
}

TEST_F(scanner, modalias_matches_the_driver_id_table)
{
	char alias[256];

	/* MODULE_DEVICE_TABLE makes this alias autoload the module */
	ASSERT_EQ(0, wt_sysfs_read(self->s.sysname, "device/modalias", alias,
				   sizeof(alias)));
	EXPECT_EQ(0, strncmp(alias, "usb:v1209p0001", 14)) TH_LOG("%s", alias);
	EXPECT_NE(NULL, strstr(alias, "icFFisc57ip01")) TH_LOG("%s", alias);
}

TEST_F(scanner, unbind_removes_node_and_bind_recreates_it)
{
	char intf[64];

	ASSERT_EQ(0, wt_interface_name(self->s.sysname, intf, sizeof(intf)));
	close(self->s.fd);
	self->s.fd = -1;
	ASSERT_EQ(0, wt_driver_unbind(intf));
	EXPECT_EQ(0, wt_wait_node_gone(self->s.sysname, WT_GONE_TIMEOUT_MS));
	ASSERT_EQ(0, wt_driver_bind(intf));
	ASSERT_EQ(0, wt_wait_node(&self->s, WT_START_TIMEOUT_MS));
	self->s.fd = open(self->s.node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->s.fd);
	EXPECT_EQ(0, ref_get_info(self->s.fd, &(struct refscan_info) { 0 }));
}

TEST_F(scanner, querycap_reports_abi_version)
{
	struct wiascan_caps caps;

	ASSERT_EQ(0, query_caps(self->s.fd, &caps));
	EXPECT_EQ(WIASCAN_ABI_VERSION, caps.abi_version);
}

TEST_F(scanner,
       querycap_reports_streaming_read_write_events_claim_xfer_length_read_idle)
{
	const uint32_t want = WIASCAN_CAP_STREAMING | WIASCAN_CAP_READ |
			      WIASCAN_CAP_WRITE | WIASCAN_CAP_EVENTS |
			      WIASCAN_CAP_CLAIM | WIASCAN_CAP_XFER_LENGTH |
			      WIASCAN_CAP_READ_IDLE;
	const uint32_t known = want | WIASCAN_CAP_SG;
	struct wiascan_caps caps;

	ASSERT_EQ(0, query_caps(self->s.fd, &caps));
	EXPECT_EQ(want, caps.caps & want);
	EXPECT_EQ(0, caps.caps & ~known) TH_LOG("caps 0x%x", caps.caps);
}

/**
 * struct ep_desc - an endpoint of the bound interface, from sysfs
 * @addr: bEndpointAddress
 * @type: bmAttributes & 3 (2 bulk, 3 interrupt)
 * @maxpacket: wMaxPacketSize
 */
struct ep_desc {
	unsigned int addr;
	unsigned int type;
	unsigned int maxpacket;
};

/* The interface's endpoint of @type in direction @in, from its ep_XX dirs */
static int find_ep(const struct scanner *s, unsigned int type, bool in,
		   struct ep_desc *ep)
{
	char rel[64], buf[16];
	unsigned int addr;

	for (addr = 1; addr < 0x100; addr++) {
		if ((addr & 0x7f) == 0 || (addr & 0x70))
			continue;
		snprintf(rel, sizeof(rel), "device/ep_%02x/bmAttributes", addr);
		if (wt_sysfs_read(s->sysname, rel, buf, sizeof(buf)))
			continue;
		if ((strtoul(buf, NULL, 16) & 3) != type ||
		    !!(addr & 0x80) != in)
			continue;
		ep->addr = addr;
		ep->type = type;
		snprintf(rel, sizeof(rel), "device/ep_%02x/wMaxPacketSize",
			 addr);
		if (wt_sysfs_read(s->sysname, rel, buf, sizeof(buf)))
			return -EIO;
		ep->maxpacket = strtoul(buf, NULL, 16) & 0x7ff;
		return 0;
	}
	return -ENOENT;
}

TEST_F(scanner, querycap_endpoints_match_the_interface_descriptors)
{
	struct ep_desc bin, bout, iin;
	struct wiascan_caps caps;

	ASSERT_EQ(0, query_caps(self->s.fd, &caps));
	ASSERT_EQ(0, find_ep(&self->s, 2, true, &bin));
	ASSERT_EQ(0, find_ep(&self->s, 2, false, &bout));
	ASSERT_EQ(0, find_ep(&self->s, 3, true, &iin));
	EXPECT_EQ(bin.addr, caps.bulk_in_ep);
	EXPECT_EQ(bin.maxpacket, caps.bulk_in_maxpacket);
	EXPECT_EQ(bout.addr, caps.bulk_out_ep);
	EXPECT_EQ(bout.maxpacket, caps.bulk_out_maxpacket);
	EXPECT_EQ(iin.addr, caps.intr_in_ep);
	EXPECT_EQ(iin.maxpacket, caps.intr_in_maxpacket);
}

TEST_F(scanner, querycap_reports_the_reference_endpoints)
{
	struct wiascan_caps caps;

	ASSERT_EQ(0, query_caps(self->s.fd, &caps));
	EXPECT_EQ(REFSCAN_EP_BULK_IN, caps.bulk_in_ep);
	EXPECT_EQ(512, caps.bulk_in_maxpacket);
	EXPECT_EQ(REFSCAN_EP_BULK_OUT, caps.bulk_out_ep);
	EXPECT_EQ(512, caps.bulk_out_maxpacket);
	/*
	 * The device asks for 0x83, but dummy_hcd's endpoint 3 is
	 * isochronous only, so the UDC gives the interrupt endpoint another
	 * number (0x85 there); a host must find it by type, as the
	 * descriptor test above does.  Here: an IN endpoint of 8 bytes.
	 */
	EXPECT_EQ(0x80, caps.intr_in_ep & 0x80) TH_LOG("0x%x", caps.intr_in_ep);
	EXPECT_NE(0, caps.intr_in_ep & 0x0f);
	EXPECT_EQ(REFSCAN_INTR_MAXPACKET, caps.intr_in_maxpacket);
}

TEST_F(scanner, querycap_reports_high_speed_and_ids)
{
	struct wiascan_caps caps;
	char buf[16];

	ASSERT_EQ(0, query_caps(self->s.fd, &caps));
	EXPECT_EQ(3, caps.speed); /* USB_SPEED_HIGH */
	EXPECT_EQ(REFSCAN_VENDOR_ID, caps.vendor_id);
	EXPECT_EQ(REFSCAN_PRODUCT_ID, caps.product_id);
	ASSERT_EQ(0, wt_sysfs_read(self->s.sysname, "device/bInterfaceNumber",
				   buf, sizeof(buf)));
	EXPECT_EQ(strtoul(buf, NULL, 16), caps.interface);
}

TEST_F(scanner, querycap_reports_usable_limits)
{
	struct wiascan_caps caps;
	long page = sysconf(_SC_PAGESIZE);

	ASSERT_EQ(0, query_caps(self->s.fd, &caps));
	EXPECT_LT(0, caps.max_buffers);
	EXPECT_LT(0, caps.max_buffer_size);
	EXPECT_EQ(0, caps.max_buffer_size % page);
	EXPECT_EQ(WIASCAN_CTRL_MAX_LENGTH, caps.max_ctrl_length);
	EXPECT_LE(caps.max_buffer_size, caps.max_total_bytes);
}

TEST_F(scanner, querycap_reports_default_timeout_of_a_new_file)
{
	struct wiascan_caps caps;
	int fd;

	/* The fixture's own file has a shorter timeout; a new one has 30 s */
	fd = open(self->s.node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, query_caps(fd, &caps));
	EXPECT_EQ(30000, caps.timeout_ms);
	close(fd);
}

TEST_F(scanner, querycap_zeroes_reserved_fields)
{
	struct wiascan_caps caps;
	unsigned int i;

	ASSERT_EQ(0, query_caps(self->s.fd, &caps));
	for (i = 0; i < ARRAY_SIZE(caps.reserved); i++)
		EXPECT_EQ(0, caps.reserved[i]) TH_LOG("reserved[%u]", i);
}

TEST_F(scanner, querycap_works_on_a_read_only_file)
{
	struct wiascan_caps caps;
	int fd;

	fd = open(self->s.node, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, query_caps(fd, &caps));
	EXPECT_EQ(WIASCAN_ABI_VERSION, caps.abi_version);
	close(fd);
}

/*
 * A scanner wiascan.ko does not list, bound on purpose through new_id: a
 * vendor-specific interface with one bulk-in and one bulk-out endpoint
 * and no interrupt endpoint, as a Fujitsu fi-series scanner has, under
 * the fi-7160's IDs (04c5:132e, listed in Debian's
 * /etc/sane.d/fujitsu.conf).  It is the kernel's own source/sink gadget
 * function (usb_f_ss_lb) in a configfs gadget of its own on dummy_hcd, no
 * emulator: its altsetting 0 has exactly those two bulk endpoints, the
 * source sends (i % wMaxPacketSize) % 63 (pattern 1) and the sink checks
 * the same.
 */
#define FI_GADGET  WT_GADGET_DIR "/wiascan-fi"
#define FI_FUNC	   FI_GADGET "/functions/SourceSink.0"
#define FI_CONFIG  FI_GADGET "/configs/c.1"
#define FI_LINK	   FI_CONFIG "/SourceSink.0"
#define FI_ID	   "04c5 132e"
#define WT_DRV_DIR "/sys/bus/usb/drivers/wiascan"

/* Index of the first byte of @buf, read from packet 0 on, not the source's */
static long fi_mismatch(const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != (i % 512) % 63)
			return (long)i;
	return -1;
}

/* The USB device's interface 1.0 whose device has @vid:@pid, or -ENOENT */
static int fi_find_interface(char *intf, size_t len)
{
	char path[PATH_MAX], vid[16], pid[16];
	struct dirent *de;
	int ret = -ENOENT;
	DIR *dir;

	dir = opendir("/sys/bus/usb/devices");
	if (!dir)
		return -errno;
	while (ret && (de = readdir(dir))) {
		if (de->d_name[0] == '.' || strchr(de->d_name, ':'))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/idVendor",
			 de->d_name);
		if (wt_read_file(path, vid, sizeof(vid)) ||
		    strcmp(vid, "04c5") != 0)
			continue;
		snprintf(path, sizeof(path),
			 "/sys/bus/usb/devices/%s/idProduct", de->d_name);
		if (wt_read_file(path, pid, sizeof(pid)) ||
		    strcmp(pid, "132e") != 0)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s:1.0",
			 de->d_name);
		if (access(path, F_OK) || strlen(de->d_name) + 5 > len)
			continue;
		snprintf(intf, len, "%s:1.0", de->d_name);
		ret = 0;
	}
	closedir(dir);
	return ret;
}

static void fi_gadget_down(void)
{
	wt_write_file(WT_DRV_DIR "/remove_id", FI_ID);
	wt_write_file(FI_GADGET "/UDC", "\n");
	unlink(FI_LINK);
	rmdir(FI_FUNC);
	rmdir(FI_CONFIG);
	rmdir(FI_GADGET);
}

/*
 * The guest's usermode helper runs outside the chroot that holds the
 * modules, so configfs cannot autoload the function: load it here (the
 * debug kernel has no modules and no such function: -ENOENT then).
 */
static int fi_gadget_up(void)
{
	int status;

	if (access("/sys/module/usb_f_ss_lb", F_OK)) {
		/* built in or missing when not a module: mkdir says which */
		status = system("modprobe -q usb_f_ss_lb 2>/dev/null");
		if (status)
			fprintf(stderr, "# modprobe usb_f_ss_lb: status %d\n",
				status);
	}
	if (mkdir(FI_GADGET, 0755) || mkdir(FI_CONFIG, 0755) ||
	    mkdir(FI_FUNC, 0755))
		return -errno;
	return wt_write_file(FI_GADGET "/idVendor", "0x04c5")	       ?:
		       wt_write_file(FI_GADGET "/idProduct", "0x132e") ?:
		       wt_write_file(FI_FUNC "/pattern", "1")	       ?:
		       wt_write_file(FI_FUNC "/bulk_buflen", "4096")   ?:
		       (symlink(FI_FUNC, FI_LINK) ? -errno : 0)	       ?:
		       wt_write_file(FI_GADGET "/UDC", WT_UDC "\n");
}

FIXTURE(fi_like_gadget)
{
	struct scanner s;
	char intf[64];
};

FIXTURE_SETUP(fi_like_gadget)
{
	const char *why = wt_rig_missing();
	int err, waited;

	self->s.fd = -1;
	if (why)
		WT_SKIP_SETUP("%s", why);
	ASSERT_EQ(0, wt_wait_udc_free(WT_GONE_TIMEOUT_MS));
	err = fi_gadget_up();
	if (err == -ENOENT) {
		fi_gadget_down();
		WT_SKIP_SETUP(
			"this kernel has no SourceSink gadget function (CONFIG_USB_CONFIGFS_F_LB_SS)");
	}
	ASSERT_EQ(0, err) TH_LOG("source/sink gadget: %s", strerror(-err));
	for (waited = 0; fi_find_interface(self->intf, sizeof(self->intf));
	     waited += 50) {
		ASSERT_GT(WT_START_TIMEOUT_MS, waited)
		TH_LOG("no 04c5:132e device enumerated");
		wt_sleep_ms(50);
	}
}

FIXTURE_TEARDOWN(fi_like_gadget)
{
	if (self->s.fd >= 0)
		close(self->s.fd);
	self->s.fd = -1;
	fi_gadget_down();
	if (self->s.sysname[0])
		EXPECT_EQ(0, wt_wait_node_gone(self->s.sysname,
					       WT_GONE_TIMEOUT_MS));
}

/* Read the interface's attribute @attr (bInterfaceClass...) */
static int fi_intf_attr(const char *intf, const char *attr, char *buf,
			size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/%s", intf, attr);
	return wt_read_file(path, buf, len);
}

/*
 * Not bound by default; new_id binds it and it works: QUERYCAP shows
 * 04c5:132e with bulk-in, bulk-out and no interrupt endpoint (so no
 * WIASCAN_CAP_EVENTS, WAIT_EVENT EOPNOTSUPP), write() reaches the sink,
 * read() and a ring buffer with xfer_length 4096 get the source's pattern,
 * and read() works on the idle streaming ring.  Unbind and bind work
 * through the dynamic ID; after remove_id, bind fails with ENODEV.
 */
TEST_F(fi_like_gadget,
       new_id_binds_bulk_only_04c5_132e_remove_id_and_unbind_let_it_go)
{
	struct wiascan_buffer b = { .index = 0, .xfer_length = 4096 };
	struct wiascan_event ev = { .flags = WIASCAN_EVENT_NONBLOCK };
	struct wiascan_caps caps;
	uint8_t buf[4096];
	char attr[16], name[64];
	struct ring r;
	size_t i;

	EXPECT_EQ(-ENOENT, wt_find_node(name, sizeof(name)))
	TH_LOG("bound by default as %s", name);
	ASSERT_EQ(0, fi_intf_attr(self->intf, "bInterfaceClass", attr,
				  sizeof(attr)));
	EXPECT_STREQ("ff", attr);
	ASSERT_EQ(0, fi_intf_attr(self->intf, "bNumEndpoints", attr,
				  sizeof(attr)));
	EXPECT_STREQ("02", attr);

	ASSERT_EQ(0, wt_write_file(WT_DRV_DIR "/new_id", FI_ID));
	ASSERT_EQ(0, wt_wait_node(&self->s, WT_START_TIMEOUT_MS));
	ASSERT_EQ(0, wt_interface_name(self->s.sysname, name, sizeof(name)));
	EXPECT_STREQ(self->intf, name);
	self->s.fd = open(self->s.node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->s.fd) TH_LOG("open %s: %m", self->s.node);
	ASSERT_EQ(0, wt_set_timeout(self->s.fd, WT_FILE_TIMEOUT_MS));

	ASSERT_EQ(0, query_caps(self->s.fd, &caps));
	EXPECT_EQ(0x04c5, caps.vendor_id);
	EXPECT_EQ(0x132e, caps.product_id);
	EXPECT_EQ(0x80, caps.bulk_in_ep & 0x80);
	EXPECT_EQ(512, caps.bulk_in_maxpacket);
	EXPECT_EQ(0, caps.bulk_out_ep & 0x80);
	EXPECT_NE(0, caps.bulk_out_ep);
	EXPECT_EQ(512, caps.bulk_out_maxpacket);
	EXPECT_EQ(0, caps.intr_in_ep);
	EXPECT_EQ(0, caps.caps & WIASCAN_CAP_EVENTS);
	EXPECT_EQ(WIASCAN_CAP_WRITE | WIASCAN_CAP_READ | WIASCAN_CAP_STREAMING |
			  WIASCAN_CAP_XFER_LENGTH | WIASCAN_CAP_READ_IDLE,
		  caps.caps & (WIASCAN_CAP_WRITE | WIASCAN_CAP_READ |
			       WIASCAN_CAP_STREAMING | WIASCAN_CAP_XFER_LENGTH |
			       WIASCAN_CAP_READ_IDLE));
	EXPECT_EQ(-EOPNOTSUPP,
		  wt_ioctl(self->s.fd, WIASCAN_IOC_WAIT_EVENT, &ev));

	for (i = 0; i < 512; i++)
		buf[i] = (uint8_t)(i % 63);
	EXPECT_EQ(512, write(self->s.fd, buf, 512)) TH_LOG("write: %m");
	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(4096, read(self->s.fd, buf, 4096)) TH_LOG("read: %m");
	EXPECT_EQ(-1, fi_mismatch(buf, 4096));

	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, 2, 16 * 1024));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QBUF, &b));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	ASSERT_EQ(0, ring_dequeue(&r, &b));
	EXPECT_EQ(4096, b.bytesused);
	EXPECT_EQ(4096, b.xfer_length);
	EXPECT_EQ(0, b.status);
	EXPECT_EQ(-1, fi_mismatch(r.map[0], b.bytesused));
	/* streaming with nothing queued: read() may use bulk-in */
	ASSERT_EQ(512, read(self->s.fd, buf, 512)) TH_LOG("read: %m");
	EXPECT_EQ(-1, fi_mismatch(buf, 512));
	EXPECT_EQ(0, ring_free(&r));
	close(self->s.fd);
	self->s.fd = -1;

	ASSERT_EQ(0, wt_driver_unbind(self->intf));
	EXPECT_EQ(0, wt_wait_node_gone(self->s.sysname, WT_GONE_TIMEOUT_MS));
	ASSERT_EQ(0, wt_driver_bind(self->intf)) TH_LOG("bind by dynamic ID");
	ASSERT_EQ(0, wt_wait_node(&self->s, WT_START_TIMEOUT_MS));

	ASSERT_EQ(0, wt_write_file(WT_DRV_DIR "/remove_id", FI_ID));
	/* remove_id leaves a bound device alone */
	EXPECT_TRUE(wt_node_present(self->s.sysname));
	ASSERT_EQ(0, wt_driver_unbind(self->intf));
	EXPECT_EQ(0, wt_wait_node_gone(self->s.sysname, WT_GONE_TIMEOUT_MS));
	EXPECT_EQ(-ENODEV, wt_driver_bind(self->intf));
	EXPECT_EQ(-ENOENT, wt_find_node(name, sizeof(name)));
}

TEST_HARNESS_MAIN
