/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Binding scanners to wiascan.ko by their IDs (bind.c): the explicit
 * choice for families SANE's own backends also drive (issue 12).
 */
#ifndef WIASCAN_BIND_H
#define WIASCAN_BIND_H

#include <stdbool.h>
#include <stdint.h>

/**
 * struct bind_usb - one USB device in sysfs
 * @name: its sysfs name, e.g. "1-1"
 * @vendor_id, @product_id: its IDs
 * @bound: one of its interfaces is bound to wiascan
 * @intf: that interface's name ("1-1:1.0") when @bound
 * @manufacturer, @product: its USB strings (sysfs "manufacturer",
 *	"product"), empty when it has none
 */
struct bind_usb {
	char name[256];
	unsigned int vendor_id;
	unsigned int product_id;
	bool bound;
	char intf[256];
	char manufacturer[128];
	char product[128];
};

bool wias_bind_driver_present(void);
int wias_bind(uint16_t vid, uint16_t pid, bool bind);
int wias_bind_for_each_usb(uint16_t vid, uint16_t pid,
			   int (*fn)(const struct bind_usb *u, void *arg),
			   void *arg);

#endif /* WIASCAN_BIND_H */
