// SPDX-License-Identifier: GPL-2.0
/*
 * Binding a scanner wiascan.ko does not claim by default (issue 12: the
 * fi-series stay with SANE's own backend unless the user chooses), through
 * the USB core's dynamic IDs: /sys/bus/usb/drivers/wiascan/new_id takes
 * "VID PID" (hex) and probes every matching interface; remove_id forgets
 * the ID, and unbind releases an interface
 * (Documentation/ABI/testing/sysfs-bus-usb in the kernel tree).
 * WIASCAN_SYSFS replaces /sys, as in sysfs.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bind.h"

#define DRIVER_DIR "bus/usb/drivers/wiascan"
#define USB_DIR	   "bus/usb/devices"

static const char *root(void)
{
	const char *r = getenv("WIASCAN_SYSFS");

	return r && *r ? r : "/sys";
}

/* Write @text to @root/@rel: 0 or -errno */
static int write_attr(const char *rel, const char *text)
{
	char path[512];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", root(), rel);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

static unsigned int read_hex(const char *dir, const char *attr)
{
	char path[600], buf[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	f = fopen(path, "re");
	if (!f)
		return 0xffffffff;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] ? (unsigned int)strtoul(buf, NULL, 16) : 0xffffffff;
}

/* A string attribute, its newline dropped; "" when it has none */
static void read_str(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[600];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* wiascan.ko is loaded (its driver directory exists) */
bool wias_bind_driver_present(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/" DRIVER_DIR, root());
	return access(path, F_OK) == 0;
}

/* Whether the USB interface directory @intf is bound to wiascan */
static bool intf_bound(const char *intf)
{
	char path[1400], link[512];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/driver", intf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	base = strrchr(link, '/');
	return base && !strcmp(base + 1, "wiascan");
}

/**
 * wias_bind_for_each_usb() - every USB device with @vid:@pid (any when 0),
 * with whether one of its interfaces is bound to wiascan
 * @fn: called with the device's sysfs name ("1-1"), its interface names
 *	are "NAME:C.I"; a non-zero return stops the walk and is returned
 */
int wias_bind_for_each_usb(uint16_t vid, uint16_t pid,
			   int (*fn)(const struct bind_usb *u, void *arg),
			   void *arg)
{
	char dir[512], dev[800], sub[1200];
	struct dirent *e, *ie;
	struct bind_usb u;
	DIR *d, *di;
	int ret = 0;

	snprintf(dir, sizeof(dir), "%s/" USB_DIR, root());
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && (e = readdir(d))) {
		if (e->d_name[0] == '.' || strchr(e->d_name, ':'))
			continue;
		snprintf(dev, sizeof(dev), "%s/%s", dir, e->d_name);
		memset(&u, 0, sizeof(u));
		u.vendor_id = read_hex(dev, "idVendor");
		u.product_id = read_hex(dev, "idProduct");
		if (u.vendor_id > 0xffff || (vid && u.vendor_id != vid) ||
		    (pid && u.product_id != pid))
			continue;
		snprintf(u.name, sizeof(u.name), "%s", e->d_name);
		read_str(dev, "manufacturer", u.manufacturer,
			 sizeof(u.manufacturer));
		read_str(dev, "product", u.product, sizeof(u.product));
		di = opendir(dev);
		while (di && (ie = readdir(di))) {
			if (strncmp(ie->d_name, e->d_name, strlen(e->d_name)) !=
				    0 ||
			    ie->d_name[strlen(e->d_name)] != ':')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", dev, ie->d_name);
			if (intf_bound(sub)) {
				u.bound = true;
				snprintf(u.intf, sizeof(u.intf), "%s",
					 ie->d_name);
			}
		}
		if (di)
			closedir(di);
		ret = fn(&u, arg);
	}
	closedir(d);
	return ret;
}

static int unbind_one(const struct bind_usb *u, void *arg)
{
	int *err = arg, ret;

	if (!u->bound)
		return 0;
	ret = write_attr(DRIVER_DIR "/unbind", u->intf);
	if (ret && !*err)
		*err = ret;
	return 0;
}

/**
 * wias_bind() - let wiascan.ko drive @vid:@pid (new_id), or stop (remove_id,
 * then unbind every interface it holds with those IDs)
 * Returns 0, -ENOENT when wiascan.ko is not loaded, -EACCES/-EPERM when not
 * root, or another -errno of the write.  An ID already added is no error.
 */
int wias_bind(uint16_t vid, uint16_t pid, bool bind)
{
	char ids[32];
	int ret, err = 0;

	if (!wias_bind_driver_present())
		return -ENOENT;
	snprintf(ids, sizeof(ids), "%04x %04x\n", vid, pid);
	if (bind) {
		ret = write_attr(DRIVER_DIR "/new_id", ids);
		return ret == -EEXIST ? 0 : ret;
	}
	ret = write_attr(DRIVER_DIR "/remove_id", ids);
	/* -ENODEV: not a dynamic ID (never bound this way, or static) */
	if (ret && ret != -ENODEV)
		return ret;
	ret = wias_bind_for_each_usb(vid, pid, unbind_one, &err);
	return ret ? ret : err;
}
