// SPDX-License-Identifier: GPL-2.0
/*
 * Scanners in sysfs (see sysfs.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sysfs.h"

#define CLASS_DIR   "class/usbmisc"
#define NAME_PREFIX "wiascan"

static const char *sysfs_root(void)
{
	const char *root = getenv("WIASCAN_SYSFS");

	return root && *root ? root : "/sys";
}

/* One attribute's first line, without the newline; "" if absent */
static void read_attr(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[512];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/%s", dir, attr) >=
	    (int)sizeof(path))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* Fill @s from the class device directory @cdev named @name */
static int read_scanner(const char *cdev, const char *name,
			struct sysfs_scanner *s)
{
	char usbdev[512], id[16];

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->node, sizeof(s->node), "/dev/%s", name);
	/* device -> the interface; its parent is the USB device */
	if (snprintf(usbdev, sizeof(usbdev), "%s/device/..", cdev) >=
	    (int)sizeof(usbdev))
		return -ENAMETOOLONG;
	read_attr(usbdev, "idVendor", id, sizeof(id));
	if (!id[0])
		return -ENOENT;
	s->vendor_id = (unsigned int)strtoul(id, NULL, 16);
	read_attr(usbdev, "idProduct", id, sizeof(id));
	s->product_id = (unsigned int)strtoul(id, NULL, 16);
	read_attr(usbdev, "manufacturer", s->manufacturer,
		  sizeof(s->manufacturer));
	read_attr(usbdev, "product", s->product, sizeof(s->product));
	read_attr(usbdev, "serial", s->serial, sizeof(s->serial));
	return 0;
}

static int is_scanner(const struct dirent *d)
{
	return !strncmp(d->d_name, NAME_PREFIX, strlen(NAME_PREFIX));
}

/*
 * Call @fn for each scanner, in node order (wiascan2 before wiascan10).
 * No scanner (or no usbmisc class at all) is not an error.
 */
int wias_sysfs_for_each_scanner(sysfs_scanner_fn fn, void *arg)
{
	struct sysfs_scanner s;
	struct dirent **names;
	char dir[512], cdev[768];
	int i, n, ret = 0;

	snprintf(dir, sizeof(dir), "%s/" CLASS_DIR, sysfs_root());
	n = scandir(dir, &names, is_scanner, versionsort);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (i = 0; i < n; i++) {
		snprintf(cdev, sizeof(cdev), "%s/%s", dir, names[i]->d_name);
		/* a scanner unplugged while listing is simply skipped */
		if (!ret && !read_scanner(cdev, names[i]->d_name, &s))
			ret = fn(&s, arg);
		free(names[i]);
	}
	free(names);
	return ret;
}

/* The scanner behind an open node, found by its device number */
int wias_sysfs_scanner_by_devnum(dev_t rdev, struct sysfs_scanner *s)
{
	char cdev[512], link[512];
	const char *name;
	ssize_t n;

	snprintf(cdev, sizeof(cdev), "%s/dev/char/%u:%u", sysfs_root(),
		 major(rdev), minor(rdev));
	n = readlink(cdev, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	name = strrchr(link, '/');
	name = name ? name + 1 : link;
	return read_scanner(cdev, name, s);
}
