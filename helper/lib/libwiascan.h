/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libwiascan: the public header of the library that both front ends link
 * (wiascan-helper in cli/, the SANE backend in sane/).
 *
 * What a front end uses, and nothing else:
 *  - scan requests and page formats (params.h): modes, sizes, the image
 *    size a request gives;
 *  - error reports (error.h): a struct wia_error filled by every call that
 *    fails, with the condition (jam, busy, ...) a front end maps to its
 *    own status codes;
 *  - sources of filled buffers (source.h): a wiascan device driven by the
 *    protocol its IDs select, or the synthetic scanner; the buffers a device
 *    source hands out are its mapped ring (zero copy);
 *  - sinks (sink.h) and the scan loop (scan.h) that moves buffers from a
 *    source into a sink: raw, TIFF or batch files;
 *  - the list of wiascan scanners (sysfs.h).
 *
 * Every exported name starts with wias_ (the WIA service's prefix, as in
 * wiasWriteBufToFile); types keep their short names.  The library is built
 * position independent, so a shared object may link it.
 */
#ifndef LIBWIASCAN_H
#define LIBWIASCAN_H

#include "error.h"
#include "params.h"
#include "scan.h"
#include "sink.h"
#include "source.h"
#include "sysfs.h"

#endif /* LIBWIASCAN_H */
