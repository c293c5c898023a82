/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding scanners and their USB strings in sysfs: every bound interface
 * is /sys/class/usbmisc/wiascanN, whose device link is the USB interface;
 * the interface's parent is the USB device with idVendor, manufacturer...
 * WIASCAN_SYSFS in the environment replaces /sys (for tests).
 */
#ifndef WIASCAN_SYSFS_H
#define WIASCAN_SYSFS_H

#include <sys/types.h>

/**
 * struct sysfs_scanner - one scanner as sysfs shows it
 * @name: class device name, e.g. "wiascan0"
 * @node: its device node, e.g. "/dev/wiascan0"
 * @vendor_id, @product_id: USB IDs
 * @manufacturer, @product, @serial: USB strings ("" if absent)
 */
struct sysfs_scanner {
	char name[64];
	char node[80];
	unsigned int vendor_id;
	unsigned int product_id;
	char manufacturer[128];
	char product[128];
	char serial[128];
};

typedef int (*sysfs_scanner_fn)(const struct sysfs_scanner *s, void *arg);

int wias_sysfs_for_each_scanner(sysfs_scanner_fn fn, void *arg);
int wias_sysfs_scanner_by_devnum(dev_t rdev, struct sysfs_scanner *s);

#endif /* WIASCAN_SYSFS_H */
