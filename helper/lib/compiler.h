/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel-style helpers libwiascan uses, for user space.
 */
#ifndef WIASCAN_COMPILER_H
#define WIASCAN_COMPILER_H

/* kselftest.h has its own, identical ARRAY_SIZE */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef __printf
#define __printf(a, b) __attribute__((format(printf, a, b)))
#endif

#endif /* WIASCAN_COMPILER_H */
