// SPDX-License-Identifier: GPL-2.0
/*
 * libtiff's file procedures on an outfile (see tiff_io.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tiff_io.h"

static tmsize_t io_read(thandle_t h, void *buf, tmsize_t len)
{
	struct tiff_io *io = h;
	ssize_t n;

	do {
		n = read(io->of.fd, buf, (size_t)len);
	} while (n < 0 && errno == EINTR);
	return n;
}

static tmsize_t io_write(thandle_t h, void *buf, tmsize_t len)
{
	struct tiff_io *io = h;
	int ret;

	ret = wias_outfile_write(&io->of, buf, (size_t)len);
	if (ret) {
		if (!io->err)
			io->err = -ret;
		return -1;
	}
	return len;
}

static toff_t io_seek(thandle_t h, toff_t off, int whence)
{
	struct tiff_io *io = h;

	return (toff_t)lseek(io->of.fd, (off_t)off, whence);
}

/* The descriptor belongs to the outfile, which closes it */
static int io_close(thandle_t h)
{
	(void)h;
	return 0;
}

static toff_t io_size(thandle_t h)
{
	struct tiff_io *io = h;
	struct stat st;

	return fstat(io->of.fd, &st) ? 0 : (toff_t)st.st_size;
}

static int io_map(thandle_t h, void **base, toff_t *size)
{
	(void)h;
	(void)base;
	(void)size;
	return 0; /* no mapping: plain reads */
}

static void io_unmap(thandle_t h, void *base, toff_t size)
{
	(void)h;
	(void)base;
	(void)size;
}

static int __printf(4, 0) io_error(TIFF *tif, void *user, const char *module,
				   const char *fmt, va_list ap)
{
	char *msg = user;
	int n;

	(void)tif;
	n = snprintf(msg, 160, "%s: ", module ? module : "libtiff");
	if (n < 0 || n >= 160)
		n = 0;
	vsnprintf(msg + n, 160 - (size_t)n, fmt, ap);
	return 1;
}

static int __printf(4, 0) io_warning(TIFF *tif, void *user, const char *module,
				     const char *fmt, va_list ap)
{
	(void)tif;
	(void)user;
	(void)module;
	(void)fmt;
	(void)ap;
	return 1; /* warnings (unknown tags...) are not ours to print */
}

static TIFFOpenOptions *io_options(char *msg)
{
	TIFFOpenOptions *o = TIFFOpenOptionsAlloc();

	if (!o)
		return NULL;
	TIFFOpenOptionsSetErrorHandlerExtR(o, io_error, msg);
	TIFFOpenOptionsSetWarningHandlerExtR(o, io_warning, NULL);
	return o;
}

void wias_tiff_io_init(struct tiff_io *io)
{
	memset(io, 0, sizeof(*io));
	io->of.fd = -1;
	io->of.dirfd = -1;
}

static TIFF *io_client_open(struct tiff_io *io, const char *name,
			    const char *mode)
{
	TIFFOpenOptions *o = io_options(io->msg);
	TIFF *tif;

	if (!o)
		return NULL;
	tif = TIFFClientOpenExt(name, mode, io, io_read, io_write, io_seek,
				io_close, io_size, io_map, io_unmap, o);
	TIFFOpenOptionsFree(o);
	return tif;
}

/* NAME.part (or NAME@suffix), created as wias_outfile_create does, and a TIFF writer on it */
int wias_tiff_io_create(struct tiff_io *io, const char *path,
			const char *suffix, bool force, bool bigtiff,
			TIFF **tif)
{
	int ret;

	wias_tiff_io_init(io);
	ret = wias_outfile_create_suffix(&io->of, path, force,
					 suffix ? suffix : ".part");
	if (ret)
		return ret;
	io->open = true;
	*tif = io_client_open(io, path, bigtiff ? "w8" : "w");
	if (!*tif) {
		ret = io->err ? -io->err : -EIO;
		wias_tiff_io_discard(io);
		return ret;
	}
	io->committed = io->of.bytes;
	return 0;
}

/**
 * wias_tiff_io_writeback() - start writing the file's new bytes to disk
 * @io: an open file, its offset just after the bytes last written (a
 *	strip: libtiff appends them at the end)
 *
 * Once TIFF_IO_WRITEBACK_CHUNK bytes or more follow @io->wb_start, asks
 * the kernel to start their writeback (sync_file_range, without waiting
 * for it), so the disk writes a page while it is being written and the
 * page's fsync (wias_tiff_io_sync) finds little left to wait for.  Only a
 * hint: it makes nothing durable and a failure changes nothing (the
 * fsync says whether the data reached the disk, and a file system or
 * file that cannot do it is merely slower).
 */
void wias_tiff_io_writeback(struct tiff_io *io)
{
	off_t end = lseek(io->of.fd, 0, SEEK_CUR);

	if (end < 0 || (uint64_t)end < io->wb_start ||
	    (uint64_t)end - io->wb_start < TIFF_IO_WRITEBACK_CHUNK)
		return;
	(void)sync_file_range(io->of.fd, (off_t)io->wb_start,
			      end - (off_t)io->wb_start, SYNC_FILE_RANGE_WRITE);
	io->wb_start = (uint64_t)end;
}

/* The completed pages are durable; remember where they end */
int wias_tiff_io_sync(struct tiff_io *io)
{
	off_t end;

	if (fsync(io->of.fd))
		return -errno;
	end = lseek(io->of.fd, 0, SEEK_END);
	if (end < 0)
		return -errno;
	io->committed = (uint64_t)end;
	io->wb_start = io->committed;
	return 0;
}

static uint64_t get_uint(const uint8_t *p, unsigned int n, bool big_endian)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[big_endian ? n - 1 - i : i] << (8 * i);
	return v;
}

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	return n == (ssize_t)len ? 0 : -EIO;
}

/*
 * Offset of the next-IFD field of IFD number @n (0-based) in the chain.
 * Classic: 8-byte header with a 32-bit first offset, IFDs of a 16-bit
 * count, 12-byte entries, 32-bit next; BigTIFF: 64-bit offsets and
 * counts, 20-byte entries.
 */
static int ifd_next_field(int fd, uint32_t n, uint64_t *field,
			  unsigned int *width)
{
	uint8_t hdr[16], cnt[8];
	uint64_t off, count;
	bool be, big;
	uint32_t i;

	if (pread_all(fd, hdr, sizeof(hdr), 0))
		return -EIO;
	be = hdr[0] == 'M';
	big = get_uint(hdr + 2, 2, be) == 43;
	*width = big ? 8 : 4;
	off = big ? get_uint(hdr + 8, 8, be) : get_uint(hdr + 4, 4, be);
	for (i = 0;; i++) {
		if (!off || pread_all(fd, cnt, big ? 8 : 2, off))
			return -EIO;
		count = get_uint(cnt, big ? 8 : 2, be);
		*field = off + (big ? 8 + count * 20 : 2 + count * 12);
		if (i == n)
			return 0;
		if (pread_all(fd, cnt, *width, *field))
			return -EIO;
		off = get_uint(cnt, *width, be);
	}
}

/*
 * Keep @pages completed pages: cut what follows them (a partial page's
 * strips) and end the IFD chain at the last one (libtiff may already have
 * pointed it at the next IFD, which was never written).
 */
int wias_tiff_io_truncate(struct tiff_io *io, uint32_t pages)
{
	static const uint8_t zero[8];
	unsigned int width;
	uint64_t field;
	int ret;

	if (!pages)
		return -ENODATA;
	if (ftruncate(io->of.fd, (off_t)io->committed))
		return -errno;
	ret = ifd_next_field(io->of.fd, pages - 1, &field, &width);
	if (ret)
		return ret;
	if (pwrite(io->of.fd, zero, width, (off_t)field) != (ssize_t)width)
		return errno ? -errno : -EIO;
	return 0;
}

int wias_tiff_io_commit(struct tiff_io *io)
{
	int ret;

	if (!io->open)
		return 0;
	io->open = false;
	ret = wias_outfile_commit(&io->of);
	wias_tiff_io_init(io);
	return ret;
}

void wias_tiff_io_discard(struct tiff_io *io)
{
	if (io->open)
		wias_outfile_discard(&io->of);
	wias_tiff_io_init(io);
}

/* A failed wias_tiff_io_create as an error record */
void wias_tiff_io_report(const struct tiff_io *io, int ret, const char *path,
			 bool force, struct wia_error *err)
{
	if (ret == -EEXIST && !wias_outfile_check(path, false)) {
		/* not NAME itself: a NAME.part of an earlier, failed run */
		wias_werr_set(err, WERR_OUTPUT, ret, "%s.part", path);
		wias_werr_why(
			err,
			"exists (left by an earlier run? see `wiascan-helper repair`): remove it or use --force");
		return;
	}
	(void)force;
	wias_werr_set(err, WERR_OUTPUT, ret, "%s", path);
	if (ret == -EIO && io->msg[0])
		wias_werr_why(err, "%s", io->msg);
}

/* A TIFF reader on @path (repair, tests); libtiff's error into @msg */
TIFF *wias_tiff_io_open_read(const char *path, char *msg, size_t len)
{
	TIFFOpenOptions *o;
	TIFF *tif;

	if (len < 160)
		return NULL;
	msg[0] = '\0';
	o = io_options(msg);
	if (!o)
		return NULL;
	tif = TIFFOpenExt(path, "rm", o);
	TIFFOpenOptionsFree(o);
	return tif;
}
