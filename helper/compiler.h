/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel-style helpers libwiascan uses, for user space.
 */
#ifndef WIASCAN_COMPILER_H
#define WIASCAN_COMPILER_H

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

#endif /* WIASCAN_COMPILER_H */
