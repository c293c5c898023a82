// SPDX-License-Identifier: GPL-2.0
/*
 * `wiascan-helper repair NAME.part`: a TIFF left behind by a crash (even
 * SIGKILL) holds the pages whose IFD the sink wrote and fsynced, then
 * perhaps strips of a page that never got its IFD, perhaps an IFD cut off
 * mid-write.  libtiff reads the chain page by page; a page is kept when
 * its directory reads and every strip decodes, and the copy stops at the
 * first page that does not.  The pages are copied, strip by strip (memory
 * is one strip), into a new NAME written atomically like any output; then
 * NAME.part is removed.  Lossless pages come out bit for bit; JPEG pages
 * are decoded and encoded again (quality REPAIR_JPEG_QUALITY).  The copy is
 * written as NAME.repair (NAME.part is the input) and renamed to NAME.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sink.h"
#include "tiff_io.h"

#define REPAIR_JPEG_QUALITY 95

/* Every strip of the current directory decodes into @buf */
static int page_readable(TIFF *in, uint8_t *buf, tmsize_t size)
{
	uint32_t s, n = TIFFNumberOfStrips(in);

	if (!n)
		return -EINVAL;
	for (s = 0; s < n; s++)
		if (TIFFReadEncodedStrip(in, s, buf, size) < 0)
			return -EINVAL;
	return 0;
}

static void copy_u16(TIFF *in, TIFF *out, uint32_t tag)
{
	uint16_t v;

	if (TIFFGetField(in, tag, &v))
		TIFFSetField(out, tag, v);
}

static void copy_u32(TIFF *in, TIFF *out, uint32_t tag)
{
	uint32_t v;

	if (TIFFGetField(in, tag, &v))
		TIFFSetField(out, tag, v);
}

static void copy_float(TIFF *in, TIFF *out, uint32_t tag)
{
	float v;

	if (TIFFGetField(in, tag, &v))
		TIFFSetField(out, tag, (double)v);
}

static void copy_str(TIFF *in, TIFF *out, uint32_t tag)
{
	const char *v;

	if (TIFFGetField(in, tag, &v))
		TIFFSetField(out, tag, v);
}

static void copy_tags(TIFF *in, TIFF *out)
{
	static const uint32_t u16_tags[] = {
		TIFFTAG_BITSPERSAMPLE,	TIFFTAG_SAMPLESPERPIXEL,
		TIFFTAG_PHOTOMETRIC,	TIFFTAG_PLANARCONFIG,
		TIFFTAG_FILLORDER,	TIFFTAG_COMPRESSION,
		TIFFTAG_RESOLUTIONUNIT,
	};
	static const uint32_t u32_tags[] = {
		TIFFTAG_SUBFILETYPE,
		TIFFTAG_IMAGEWIDTH,
		TIFFTAG_IMAGELENGTH,
		TIFFTAG_ROWSPERSTRIP,
	};
	static const uint32_t str_tags[] = {
		TIFFTAG_SOFTWARE,
		TIFFTAG_DATETIME,
		TIFFTAG_MAKE,
		TIFFTAG_MODEL,
	};
	uint16_t comp = COMPRESSION_NONE, a, b;
	size_t i;

	for (i = 0; i < sizeof(u16_tags) / sizeof(u16_tags[0]); i++)
		copy_u16(in, out, u16_tags[i]);
	for (i = 0; i < sizeof(u32_tags) / sizeof(u32_tags[0]); i++)
		copy_u32(in, out, u32_tags[i]);
	for (i = 0; i < sizeof(str_tags) / sizeof(str_tags[0]); i++)
		copy_str(in, out, str_tags[i]);
	copy_float(in, out, TIFFTAG_XRESOLUTION);
	copy_float(in, out, TIFFTAG_YRESOLUTION);
	if (TIFFGetField(in, TIFFTAG_PAGENUMBER, &a, &b))
		TIFFSetField(out, TIFFTAG_PAGENUMBER, a, b);
	TIFFGetField(in, TIFFTAG_COMPRESSION, &comp);
	if (comp == COMPRESSION_JPEG)
		TIFFSetField(out, TIFFTAG_JPEGQUALITY, REPAIR_JPEG_QUALITY);
}

/* One readable page of @in as the next page of @out */
static int copy_page(TIFF *in, TIFF *out, uint8_t **buf, tmsize_t *cap)
{
	tmsize_t size = TIFFStripSize(in), n;
	uint32_t s, nstrips = TIFFNumberOfStrips(in);
	uint8_t *p;

	if (size <= 0)
		return -EINVAL;
	if (size > *cap) {
		p = realloc(*buf, (size_t)size);
		if (!p)
			return -ENOMEM;
		*buf = p;
		*cap = size;
	}
	if (page_readable(in, *buf, size))
		return -EINVAL;
	copy_tags(in, out);
	for (s = 0; s < nstrips; s++) {
		n = TIFFReadEncodedStrip(in, s, *buf, size);
		if (n < 0 || TIFFWriteEncodedStrip(out, s, *buf, n) < 0)
			return -EIO;
	}
	return TIFFWriteDirectory(out) ? 0 : -EIO;
}

static int copy_pages(TIFF *in, TIFF *out, uint32_t *pages)
{
	uint8_t *buf = NULL;
	tmsize_t cap = 0;
	int ret;

	*pages = 0;
	do {
		ret = copy_page(in, out, &buf, &cap);
		if (ret)
			break;
		(*pages)++;
	} while (TIFFReadDirectory(in));
	free(buf);
	/* a damaged page ends the copy; only a failure to write is an error */
	return ret == -EINVAL ? 0 : ret;
}

int wias_tiff_repair(const char *part, const char *out, bool force,
		     struct wia_error *err, uint32_t *pages)
{
	struct tiff_io io;
	char msg[160];
	TIFF *in, *tif;
	int ret;

	*pages = 0;
	/* a missing or unreadable input is said as such, not as no pages */
	if (access(part, R_OK))
		return wias_werr_set(err, WERR_OUTPUT, -errno, "%s", part);
	in = wias_tiff_io_open_read(part, msg, sizeof(msg));
	if (!in) {
		wias_werr_set(err, WERR_OUTPUT, -ENODATA, "%s", part);
		wias_werr_why(err, "no completed page to recover%s%s",
			      msg[0] ? ": " : "", msg);
		return -ENODATA;
	}
	ret = wias_tiff_io_create(&io, out, ".repair", force, TIFFIsBigTIFF(in),
				  &tif);
	if (ret) {
		wias_tiff_io_report(&io, ret, out, force, err);
		TIFFClose(in);
		return ret;
	}
	ret = copy_pages(in, tif, pages);
	TIFFClose(in);
	TIFFCleanup(tif);
	if (!ret && !*pages)
		ret = wias_werr_set(err, WERR_OUTPUT, -ENODATA,
				    "%s: no completed page to recover", part);
	if (!ret)
		ret = wias_tiff_io_sync(&io);
	if (!ret)
		ret = wias_tiff_io_commit(&io);
	if (ret) {
		wias_werr_set(err, WERR_OUTPUT, ret, "%s", out);
		wias_tiff_io_discard(&io);
		return ret;
	}
	if (unlink(part))
		return wias_werr_set(err, WERR_OUTPUT, -errno,
				     "%s: remove after repair", part);
	return 0;
}
