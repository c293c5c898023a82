// SPDX-License-Identifier: GPL-2.0
/*
 * The gadget's skeleton: a configfs gadget with one configuration holding
 * one FunctionFS function, the FunctionFS mount, its descriptors and
 * strings, and the endpoint files.  Setup records each step done in
 * g->step so that teardown undoes exactly those, in reverse order, whether
 * setup finished or failed half-way.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#include "emu.h"

#define GADGET_ROOT  "/sys/kernel/config/usb_gadget"
#define LANG_EN_US   "0x409"
#define MAX_POWER_MA "100"

/* Setup steps, in order; teardown runs them backwards */
enum gadget_step {
	STEP_NONE,
	STEP_DIR,	     /* mkdir the gadget, IDs written */
	STEP_STRINGS,	     /* strings/0x409 */
	STEP_CONFIG,	     /* configs/c.1 */
	STEP_CONFIG_STRINGS, /* configs/c.1/strings/0x409 */
	STEP_FUNCTION,	     /* functions/ffs.NAME */
	STEP_MNTDIR,	     /* private mount point */
	STEP_MOUNT,	     /* FunctionFS mounted */
	STEP_EP0,	     /* ep0 open, descriptors and strings written */
	STEP_EPS,	     /* ep1..ep3 open */
	STEP_LINK,	     /* function linked into the configuration */
	STEP_BOUND,	     /* UDC written */
};

static int write_str(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX];
	int fd, ret = 0;
	size_t len = strlen(val);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* configfs takes "" (unbind) as a write of just a newline */
	if (write(fd, len ? val : "\n", len ? len : 1) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int make_dir(const char *dir, const char *sub)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	return mkdir(path, 0755) ? -errno : 0;
}

/* rmdir @dir/@sub, or @dir itself when @sub is NULL */
static void remove_dir(const char *dir, const char *sub)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s%s%s", dir, sub ? "/" : "",
		 sub ? sub : "");
	if (rmdir(path) && errno != ENOENT)
		emu_warn("rmdir %s: %s", path, strerror(errno));
}

/*
 * The descriptors for one speed: the interface and its endpoints (bulk-in,
 * bulk-out, and interrupt-in when the personality has one), in this order.
 */
struct ffs_iface_descs {
	struct usb_interface_descriptor intf;
	struct usb_endpoint_descriptor_no_audio ep[3];
} __attribute__((packed));

static unsigned int n_eps(const struct emu_ident *id)
{
	return id->intr_ep ? 3 : 2;
}

static void iface_descs(struct ffs_iface_descs *d, const struct emu_ident *id,
			uint16_t bulk_mps, uint8_t intr_interval)
{
	d->intf = (struct usb_interface_descriptor) {
		.bLength = USB_DT_INTERFACE_SIZE,
		.bDescriptorType = USB_DT_INTERFACE,
		.bNumEndpoints = (uint8_t)n_eps(id),
		.bInterfaceClass = id->if_class,
		.bInterfaceSubClass = id->if_subclass,
		.bInterfaceProtocol = id->if_protocol,
		.iInterface = 1,
	};
	d->ep[0] = (struct usb_endpoint_descriptor_no_audio) {
		.bLength = USB_DT_ENDPOINT_SIZE,
		.bDescriptorType = USB_DT_ENDPOINT,
		.bEndpointAddress = REFSCAN_EP_BULK_IN,
		.bmAttributes = USB_ENDPOINT_XFER_BULK,
		.wMaxPacketSize = htole16(bulk_mps),
	};
	d->ep[1] = d->ep[0];
	d->ep[1].bEndpointAddress = REFSCAN_EP_BULK_OUT;
	d->ep[2] = (struct usb_endpoint_descriptor_no_audio) {
		.bLength = USB_DT_ENDPOINT_SIZE,
		.bDescriptorType = USB_DT_ENDPOINT,
		.bEndpointAddress = REFSCAN_EP_INTR_IN,
		.bmAttributes = USB_ENDPOINT_XFER_INT,
		.wMaxPacketSize = htole16(REFSCAN_INTR_MAXPACKET),
		.bInterval = intr_interval,
	};
}

/*
 * FunctionFS wants the descriptors, then the strings, written to ep0.
 * Both are built in a buffer: their length depends on the personality
 * (endpoint count, interface name).
 */
static int write_descriptors(int ep0, const struct emu_ident *id)
{
	struct usb_functionfs_descs_head_v2 head = {
		.magic = htole32(FUNCTIONFS_DESCRIPTORS_MAGIC_V2),
		.flags = htole32(FUNCTIONFS_HAS_FS_DESC |
				 FUNCTIONFS_HAS_HS_DESC),
	};
	struct usb_functionfs_strings_head shead = {
		.magic = htole32(FUNCTIONFS_STRINGS_MAGIC),
		.str_count = htole32(1),
		.lang_count = htole32(1),
	};
	struct ffs_iface_descs fs, hs;
	size_t one = USB_DT_INTERFACE_SIZE + n_eps(id) * USB_DT_ENDPOINT_SIZE;
	__le32 count = htole32(1 + n_eps(id));
	__le16 lang = htole16(0x0409);
	uint8_t buf[512];
	size_t len = 0, name_len = strlen(id->product) + 1;

	iface_descs(&fs, id, 64, REFSCAN_INTR_INTERVAL_FS);
	iface_descs(&hs, id, 512, REFSCAN_INTR_INTERVAL_HS);
	len = sizeof(head);
	memcpy(buf + len, &count, 4);
	memcpy(buf + len + 4, &count, 4);
	len += 8;
	memcpy(buf + len, &fs, one);
	len += one;
	memcpy(buf + len, &hs, one);
	len += one;
	head.length = htole32((uint32_t)len);
	memcpy(buf, &head, sizeof(head));
	if (write(ep0, buf, len) != (ssize_t)len)
		return -errno;

	len = sizeof(shead) + sizeof(lang) + name_len;
	if (len > sizeof(buf))
		return -ENAMETOOLONG;
	shead.length = htole32((uint32_t)len);
	memcpy(buf, &shead, sizeof(shead));
	memcpy(buf + sizeof(shead), &lang, sizeof(lang));
	memcpy(buf + sizeof(shead) + sizeof(lang), id->product, name_len);
	if (write(ep0, buf, len) != (ssize_t)len)
		return -errno;
	return 0;
}

static int open_ep(const struct gadget *g, const char *ep, int flags)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", g->mnt, ep);
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int setup_ids(struct gadget *g, const struct emu_options *opt)
{
	char val[16];
	int ret;

	snprintf(val, sizeof(val), "0x%04x", opt->ident->vid);
	ret = write_str(g->dir, "idVendor", val);
	snprintf(val, sizeof(val), "0x%04x", opt->ident->pid);
	ret = ret ?: write_str(g->dir, "idProduct", val);
	ret = ret ?: write_str(g->dir, "bcdUSB", "0x0200");
	snprintf(val, sizeof(val), "0x%04x", opt->ident->bcd_device);
	ret = ret ?: write_str(g->dir, "bcdDevice", val);
	/* class 0: each interface says what it is */
	ret = ret ?: write_str(g->dir, "bDeviceClass", "0x00");
	if (ret)
		return ret;
	ret = make_dir(g->dir, "strings/" LANG_EN_US);
	if (ret)
		return ret;
	g->step = STEP_STRINGS;
	ret = write_str(g->dir, "strings/" LANG_EN_US "/manufacturer",
			opt->ident->manufacturer);
	ret = ret   ?:
		      write_str(g->dir, "strings/" LANG_EN_US "/product",
				opt->ident->product);
	return ret   ?:
		       write_str(g->dir, "strings/" LANG_EN_US "/serialnumber",
				 opt->serial);
}

static int setup_config(struct gadget *g)
{
	int ret = make_dir(g->dir, "configs/c.1");

	if (ret)
		return ret;
	g->step = STEP_CONFIG;
	ret = write_str(g->dir, "configs/c.1/MaxPower", MAX_POWER_MA);
	ret = ret ?: make_dir(g->dir, "configs/c.1/strings/" LANG_EN_US);
	if (ret)
		return ret;
	g->step = STEP_CONFIG_STRINGS;
	return write_str(g->dir,
			 "configs/c.1/strings/" LANG_EN_US "/configuration",
			 "scanner");
}

static int setup_functionfs(struct gadget *g, const char *name,
			    const struct emu_ident *id)
{
	char func[64];
	int ret;

	snprintf(func, sizeof(func), "functions/ffs.%s", name);
	ret = make_dir(g->dir, func);
	if (ret)
		return ret;
	g->step = STEP_FUNCTION;
	snprintf(g->mnt, sizeof(g->mnt), "/tmp/wiascan-emu.XXXXXX");
	if (!mkdtemp(g->mnt))
		return -errno;
	g->step = STEP_MNTDIR;
	if (mount(name, g->mnt, "functionfs", 0, NULL))
		return -errno;
	g->step = STEP_MOUNT;
	ret = open_ep(g, "ep0", O_RDWR);
	if (ret < 0)
		return ret;
	g->ep0 = ret;
	ret = write_descriptors(g->ep0, id);
	if (ret)
		return ret;
	g->step = STEP_EP0;
	return 0;
}

/*
 * The data endpoints are non-blocking so that an AIO submit on a disabled
 * endpoint fails at once instead of sleeping until the host comes back.
 */
static int open_eps(struct gadget *g, const struct emu_ident *id)
{
	g->ep_in = open_ep(g, "ep1", O_RDWR | O_NONBLOCK);
	g->ep_out = open_ep(g, "ep2", O_RDWR);
	/* -ENOENT stays in ep_intr when there is none, so it is never used */
	g->ep_intr = id->intr_ep ? open_ep(g, "ep3", O_RDWR | O_NONBLOCK) :
				   -ENOENT;
	g->step = STEP_EPS;
	if (g->ep_in < 0)
		return g->ep_in;
	if (g->ep_out < 0)
		return g->ep_out;
	return g->ep_intr < 0 && id->intr_ep ? g->ep_intr : 0;
}

static int link_function(struct gadget *g, const char *name)
{
	char from[PATH_MAX], to[PATH_MAX];

	snprintf(from, sizeof(from), "%s/functions/ffs.%s", g->dir, name);
	snprintf(to, sizeof(to), "%s/configs/c.1/ffs.%s", g->dir, name);
	if (symlink(from, to))
		return -errno;
	g->step = STEP_LINK;
	return 0;
}

int gadget_setup(struct gadget *g, const struct emu_options *opt)
{
	int ret;

	g->step = STEP_NONE;
	g->mnt[0] = '\0';
	g->ep0 = g->ep_in = g->ep_out = g->ep_intr = -1;
	snprintf(g->dir, sizeof(g->dir), GADGET_ROOT "/%s", opt->name);
	if (mkdir(g->dir, 0755))
		return -errno;
	g->step = STEP_DIR;
	ret = setup_ids(g, opt);
	ret = ret ?: setup_config(g);
	ret = ret ?: setup_functionfs(g, opt->name, opt->ident);
	ret = ret ?: open_eps(g, opt->ident);
	return ret ?: link_function(g, opt->name);
}

int gadget_bind(struct gadget *g, const char *udc)
{
	int ret = write_str(g->dir, "UDC", udc);

	if (!ret)
		g->step = STEP_BOUND;
	return ret;
}

/* Unplug: the host sees a disconnect; FunctionFS stays mounted */
int gadget_unbind(struct gadget *g)
{
	int ret = write_str(g->dir, "UDC", "");

	/* unbinding an already unbound gadget fails with ENODEV: fine */
	return ret == -ENODEV ? 0 : ret;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Undo gadget_setup() and gadget_bind(), from wherever they stopped */
void gadget_teardown(struct gadget *g)
{
	char path[PATH_MAX];
	const char *name = strrchr(g->dir, '/') + 1;

	switch (g->step) {
	case STEP_BOUND:
		gadget_unbind(g);
		/* fall through */
	case STEP_LINK:
		snprintf(path, sizeof(path), "%s/configs/c.1/ffs.%s", g->dir,
			 name);
		if (unlink(path) && errno != ENOENT)
			emu_warn("unlink %s: %s", path, strerror(errno));
		/* fall through */
	case STEP_EPS:
		close_fd(&g->ep_intr);
		close_fd(&g->ep_out);
		close_fd(&g->ep_in);
		/* fall through */
	case STEP_EP0:
	case STEP_MOUNT:
		close_fd(&g->ep0);
		if (g->mnt[0] && umount(g->mnt))
			emu_warn("umount %s: %s", g->mnt, strerror(errno));
		/* fall through */
	case STEP_MNTDIR:
		if (g->mnt[0])
			remove_dir(g->mnt, NULL);
		/* fall through */
	case STEP_FUNCTION:
		snprintf(path, sizeof(path), "functions/ffs.%s", name);
		remove_dir(g->dir, path);
		/* fall through */
	case STEP_CONFIG_STRINGS:
		remove_dir(g->dir, "configs/c.1/strings/" LANG_EN_US);
		/* fall through */
	case STEP_CONFIG:
		remove_dir(g->dir, "configs/c.1");
		/* fall through */
	case STEP_STRINGS:
		remove_dir(g->dir, "strings/" LANG_EN_US);
		/* fall through */
	case STEP_DIR:
		remove_dir(g->dir, NULL);
		/* fall through */
	case STEP_NONE:
		break;
	}
	close_fd(&g->ep0);
	g->step = STEP_NONE;
}

/* Unmount FunctionFS instances called @name left by a crashed run */
static void umount_stale(const char *name)
{
	char src[256], dir[PATH_MAX], type[64];
	FILE *f = fopen("/proc/self/mounts", "re");

	if (!f)
		return;
	while (fscanf(f, "%255s %4095s %63s %*[^\n]", src, dir, type) == 3) {
		if (strcmp(type, "functionfs") != 0 || strcmp(src, name) != 0)
			continue;
		emu_warn("removing stale FunctionFS mount %s", dir);
		if (umount2(dir, MNT_DETACH))
			emu_warn("umount %s: %s", dir, strerror(errno));
		else if (!strncmp(dir, "/tmp/wiascan-emu.", 17))
			rmdir(dir);
	}
	fclose(f);
}

/*
 * A run that crashed leaves its gadget behind, still bound and holding the
 * UDC; remove it the same way teardown would have.
 */
int gadget_remove_stale(const char *name)
{
	struct gadget g = { .step = STEP_BOUND,
			    .ep0 = -1,
			    .ep_in = -1,
			    .ep_out = -1,
			    .ep_intr = -1 };
	struct stat st;

	snprintf(g.dir, sizeof(g.dir), GADGET_ROOT "/%s", name);
	if (stat(g.dir, &st)) {
		umount_stale(name);
		return errno == ENOENT ? 0 : -errno;
	}
	emu_warn("removing stale gadget %s", g.dir);
	gadget_unbind(&g);
	umount_stale(name);
	/* g.mnt is empty: teardown skips the mount, umount_stale() did it */
	g.step = STEP_LINK;
	gadget_teardown(&g);
	return stat(g.dir, &st) ? 0 : -EEXIST;
}
