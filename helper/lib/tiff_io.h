/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libtiff on an atomic output file (outfile.h): libtiff reads and writes
 * through our own procedures on the NAME.part descriptor, so a write error
 * keeps its errno (ENOSPC, EFBIG) and libtiff's messages come back to us
 * instead of going to stderr.
 */
#ifndef WIASCAN_TIFF_IO_H
#define WIASCAN_TIFF_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <tiffio.h>

#include "error.h"
#include "outfile.h"

/**
 * struct tiff_io - one TIFF being written
 * @of: the file (NAME.part until committed)
 * @open: @of is open
 * @err: errno of the first failed write or read
 * @committed: file size after the last completed page (its IFD included)
 * @wb_start: where the bytes not yet handed to the kernel's writeback
 *	begin (wias_tiff_io_writeback)
 * @msg: libtiff's last error message
 */
struct tiff_io {
	struct outfile of;
	bool open;
	int err;
	uint64_t committed;
	uint64_t wb_start;
	char msg[160];
};

/*
 * Bytes written before wias_tiff_io_writeback() starts their writeback:
 * when a page's fsync starts, at most this much of the page (and its IFD)
 * is not yet on its way to the disk, so the fsync waits for the tail of
 * the page and the journal rather than for the whole page (26 MB of a
 * color A4 page at 300 dpi: 19 ms on the build machine's ext4).
 */
#define TIFF_IO_WRITEBACK_CHUNK (1U << 20)

void wias_tiff_io_init(struct tiff_io *io);
int wias_tiff_io_create(struct tiff_io *io, const char *path,
			const char *suffix, bool force, bool bigtiff,
			TIFF **tif);
void wias_tiff_io_writeback(struct tiff_io *io);
int wias_tiff_io_sync(struct tiff_io *io);
int wias_tiff_io_truncate(struct tiff_io *io, uint32_t pages);
int wias_tiff_io_commit(struct tiff_io *io);
void wias_tiff_io_discard(struct tiff_io *io);
void wias_tiff_io_report(const struct tiff_io *io, int ret, const char *path,
			 bool force, struct wia_error *err);
TIFF *wias_tiff_io_open_read(const char *path, char *msg, size_t len);

#endif /* WIASCAN_TIFF_IO_H */
