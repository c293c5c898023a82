// SPDX-License-Identifier: GPL-2.0
/*
 * The TIFF sink (wiasWritePageBufToFile): every page of the scan becomes a
 * page of one multipage TIFF, or a TIFF file of its own (--batch).
 *
 * Streaming and compression are apart (the strip pipeline is its own unit,
 * tiff_pipeline.c; the strip encoder another, tiff_encode.c; this file is
 * the libtiff page writer).  The scan loop's thread copies the bytes of
 * each device buffer into strip buffers (strips are whole rows, device
 * buffers are not, so strips never line up with buffers anyway) and queues
 * each full strip.  The pipeline's N workers (struct sink_options
 * @workers; default the online CPUs) compress strips in parallel, each
 * with libtiff's own codec into a TIFF in memory (tiff_encode_job); its
 * writer thread runs this file's job procedures in order, which own the
 * real file: they copy each encoded strip in with TIFFWriteRawStrip,
 * close each page's IFD and fsync.  A pool of strip buffers bounds
 * memory: when the workers fall behind, the loop waits for a free strip,
 * the device ring fills and the device waits in turn.  So memory is the
 * ring plus max(TIFF_PIPELINE_STRIPS, 2 * N) strips, each with one
 * encoded buffer (the largest encoded strip it held), whatever the page
 * length.  (Holding the ring's buffers until the strip is written would
 * save the copy, but a strip that spans two buffers would then pin both,
 * and a memcpy of 256 KiB costs far less than compressing it.)
 *
 * Pages of unknown length: ImageLength is raised before each strip is
 * written (libtiff lets that one tag change while writing), so a page
 * grows strip by strip and is never held whole.
 *
 * Crash safety: after each page the writer writes the IFD
 * (TIFFWriteDirectory links it to the previous one), fsyncs, and notes the
 * file size; only then is the page done (pages_done, what a salvage
 * keeps).  The file on disk is then a valid TIFF of the completed pages;
 * the next page's strips only follow them.  A scan that fails or is
 * cancelled truncates the file there and renames it (salvage); a crash
 * leaves NAME.part, which `wiascan-helper repair` copies page by page
 * (repair.c).
 *
 * Early writeback: every TIFF_IO_WRITEBACK_CHUNK (1 MiB) of strips the
 * writer asks the kernel to start writing them out (sync_file_range
 * without waiting, wias_tiff_io_writeback), so the disk writes a page
 * while it is being compressed and the page's fsync finds at most its
 * last MiB and last strip not yet under way (after a page's last strip
 * the fsync itself follows: no hint, which on a page of a MiB or two
 * would be a syscall for nothing).  The fsync of a whole page held the writer
 * for ~19 ms a color A4 page (ext4 on virtio), long enough for the other
 * workers to fill the strip pool and idle; now ~1 ms.  Only a hint: the
 * fsync is still what makes a page durable, and a page is done only
 * after its fsync returned.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <tiffio.h>
#include <unistd.h>

#include "outfile.h"
#include "sink.h"
#include "tiff_encode.h"
#include "tiff_io.h"
#include "tiff_pipeline.h"

#define TIFF_STRIP_TARGET (256U << 10) /* bytes per strip, about */
_Static_assert(SINK_WORKERS_MAX == TIFF_PIPELINE_WORKERS_MAX,
	       "--workers reaches the pipeline's bound");
/* Classic TIFF offsets are 32-bit; leave room for IFDs and codec growth */
#define TIFF_CLASSIC_MAX    (3584ULL << 20)
/* The largest page a PageNumber tag (16 bits) can say */
#define TIFF_PAGENUMBER_MAX 65535U

/**
 * struct sink_tiff - a TIFF output and its workers
 * @base: the common sink head
 * @opt: the options, strings owned (freed by tiff_free)
 * @fmt: the page format (from the first begin_page)
 * @rows_per_strip: the strip geometry
 * @ef: the strips' format and compression (from the first begin_page)
 * @enc: one encoder per pool strip (struct tiff_job @slot)
 * @pipe: the strip pipeline; its writer runs tiff_run_job, its workers
 *	tiff_encode_job
 * @wmsg: libtiff's message for the writer's failure (written by the
 *	writer before the pipeline publishes the failure)
 * @wpath: batch: the file the writer writes (for messages)
 * @io: the open output file (writer, or main before start / after join)
 * @tif: its libtiff handle
 * @bigtiff: write BigTIFF
 * @classic_full: the failure is classic TIFF's 4 GiB limit (libtiff's),
 *	not a write error (a file size limit gives EFBIG too)
 * @page, @page_rows, @strip_no: the page the writer writes
 * @pages_done: pages whose IFD is on disk
 * @counter: the batch counter of the next file
 */
struct sink_tiff {
	struct sink base;
	struct sink_options opt;
	struct scan_format fmt;
	uint32_t rows_per_strip;
	struct tiff_enc_format ef;
	struct tiff_encoder *enc;
	struct tiff_pipeline pipe;
	char wmsg[160];
	char wpath[4096];
	struct tiff_io io;
	TIFF *tif;
	bool bigtiff;
	bool classic_full;
	uint32_t page, page_rows, strip_no;
	uint32_t pages_done;
	int64_t counter;
};

static struct sink_tiff *to_tiff(struct sink *s)
{
	return (struct sink_tiff *)s;
}

/* Only after the worker failed (the failure is published under the lock) */
static const char *tiff_out_name(const struct sink_tiff *t)
{
	if (!t->opt.batch)
		return t->opt.path;
	return t->wpath[0] ? t->wpath : t->opt.batch;
}

/* ---- the writer's jobs: libtiff and the files ---- */

/*
 * A job's failure as the pipeline's error; its message kept for the loop
 * (the pipeline publishes the error, after this, under its lock; only the
 * first failure gets here: the pipeline runs no job after it)
 */
static int worker_fail(struct sink_tiff *t, int err)
{
	if (t->io.err)
		err = -t->io.err; /* the write's errno beats libtiff's guess */
	/* libtiff's own limit: classic TIFF's 32-bit offsets, not the OS's */
	if (!t->io.err &&
	    strstr(t->io.msg, "Maximum TIFF file size exceeded")) {
		err = -EFBIG;
		t->classic_full = true;
	}
	snprintf(t->wmsg, sizeof(t->wmsg), "%s", t->io.msg);
	return err;
}

static uint16_t tiff_compression_tag(enum sink_compression c)
{
	switch (c) {
	case SINK_COMP_NONE:
		break;
	case SINK_COMP_PACKBITS:
		return COMPRESSION_PACKBITS;
	case SINK_COMP_LZW:
		return COMPRESSION_LZW;
	case SINK_COMP_DEFLATE:
		return COMPRESSION_ADOBE_DEFLATE;
	case SINK_COMP_JPEG:
		return COMPRESSION_JPEG;
	case SINK_COMP_G4:
		return COMPRESSION_CCITTFAX4;
	}
	return COMPRESSION_NONE;
}

static void tiff_datetime(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!localtime_r(&now, &tm) ||
	    !strftime(buf, len, "%Y:%m:%d %H:%M:%S", &tm))
		snprintf(buf, len, "1970:01:01 00:00:00");
}

static void tiff_set_tags(struct sink_tiff *t, uint32_t page)
{
	const struct scan_format *f = &t->fmt;
	char date[24];
	TIFF *tif = t->tif;

	TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
	/* the strips' own tags, as each was compressed (tiff_encode.c) */
	wias_tiff_set_format(tif, &t->ef);
	/* unknown length: raised before every strip (tiff_job_strip) */
	TIFFSetField(tif, TIFFTAG_IMAGELENGTH, f->height_px ? f->height_px : 1);
	TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, t->rows_per_strip);
	TIFFSetField(tif, TIFFTAG_XRESOLUTION, (double)f->dpi);
	TIFFSetField(tif, TIFFTAG_YRESOLUTION, (double)f->dpi);
	TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
	/*
	 * multipage: the total is unknown while scanning (0, as TIFF allows).
	 * PageNumber holds 16 bits: a page past 65535 has no PageNumber at
	 * all rather than a number shared with another page.
	 */
	if (t->opt.batch)
		TIFFSetField(tif, TIFFTAG_PAGENUMBER, 0, 1);
	else if (page <= TIFF_PAGENUMBER_MAX)
		TIFFSetField(tif, TIFFTAG_PAGENUMBER, page, 0);
	TIFFSetField(tif, TIFFTAG_SOFTWARE, t->opt.software);
	tiff_datetime(date, sizeof(date));
	TIFFSetField(tif, TIFFTAG_DATETIME, date);
	if (t->opt.make && *t->opt.make)
		TIFFSetField(tif, TIFFTAG_MAKE, t->opt.make);
	if (t->opt.model && *t->opt.model)
		TIFFSetField(tif, TIFFTAG_MODEL, t->opt.model);
}

/* Open @path as NAME.part and a libtiff handle on it */
static int tiff_open_file(struct sink_tiff *t, const char *path)
{
	return wias_tiff_io_create(&t->io, path, NULL, t->opt.force, t->bigtiff,
				   &t->tif);
}

static int tiff_job_begin(struct sink_tiff *t, uint32_t page)
{
	char name[sizeof(t->wpath)];
	int ret;

	if (t->opt.batch) {
		ret = wias_batch_name(t->opt.batch, t->counter, name,
				      sizeof(name));
		if (ret)
			return ret;
		memcpy(t->wpath, name, sizeof(name));
		ret = tiff_open_file(t, name);
		if (ret)
			return ret;
	}
	t->page = page;
	t->page_rows = 0;
	t->strip_no = 0;
	tiff_set_tags(t, page);
	return 0;
}

/* A strip compressed by a worker (tiff_encode_job), into the file */
static int tiff_job_strip(struct sink_tiff *t, const struct tiff_job *j)
{
	const struct tiff_encoder *e = &t->enc[j->slot];

	if (j->enc_err) {
		snprintf(t->io.msg, sizeof(t->io.msg), "%s", e->msg);
		return j->enc_err;
	}
	TIFFSetField(t->tif, TIFFTAG_IMAGELENGTH, t->page_rows + j->rows);
	if (TIFFWriteRawStrip(t->tif, t->strip_no, (void *)e->data,
			      (tmsize_t)e->data_len) < 0)
		return -EIO;
	t->page_rows += j->rows;
	t->strip_no++;
	/* the page's fsync waits less; after its last strip it comes at once */
	if (!t->fmt.height_px || t->page_rows < t->fmt.height_px)
		wias_tiff_io_writeback(&t->io);
	return 0;
}

/* The page's IFD on disk, durable: from here on it survives a crash */
static int tiff_job_end(struct sink_tiff *t)
{
	int ret;

	if (!TIFFWriteDirectory(t->tif))
		return -EIO;
	ret = wias_tiff_io_sync(&t->io);
	if (ret)
		return ret;
	t->pages_done++;
	if (!t->opt.batch)
		return 0;
	TIFFCleanup(t->tif);
	t->tif = NULL;
	ret = wias_tiff_io_commit(&t->io);
	t->counter += t->opt.batch_increment;
	return ret;
}

/* The pipeline's encoder: one strip, on any worker, its slot's own encoder */
static int tiff_encode_job(void *ctx, const struct tiff_job *j)
{
	struct sink_tiff *t = ctx;

	return wias_tiff_encode_strip(&t->enc[j->slot], &t->ef, j->buf, j->len,
				      j->rows);
}

/* The pipeline's consumer: one job, on the writer thread, in order */
static int tiff_run_job(void *ctx, const struct tiff_job *j)
{
	struct sink_tiff *t = ctx;
	int ret = 0;

	switch (j->kind) {
	case TIFF_JOB_BEGIN:
		ret = tiff_job_begin(t, j->page);
		break;
	case TIFF_JOB_STRIP:
		ret = tiff_job_strip(t, j);
		break;
	case TIFF_JOB_END:
		ret = tiff_job_end(t);
		break;
	case TIFF_JOB_QUIT:
		break;
	}
	return ret ? worker_fail(t, ret) : 0;
}

/* ---- the scan loop's side ---- */

/*
 * The writer's or an encoder's failure as the sink's error record.  Out
 * of memory (an encoder's buffers, libtiff's) is no fault of the output
 * file: WERR_OTHER, so the exit code does not send the user to the disk.
 */
static int tiff_report(struct sink_tiff *t, int err)
{
	if (err == -ENOMEM)
		return wias_werr_set(t->base.err, WERR_OTHER, err,
				     "%s: compress", tiff_out_name(t));
	wias_werr_set(t->base.err, WERR_OUTPUT, err, "%s: write",
		      tiff_out_name(t));
	if (t->wmsg[0] && err == -EIO)
		wias_werr_why(t->base.err, "%s", t->wmsg);
	else if (err == -EFBIG && t->classic_full)
		wias_werr_why(
			t->base.err,
			"the 4 GiB limit of classic TIFF (use --bigtiff=yes)");
	return err;
}

/*
 * Strips of about TIFF_STRIP_TARGET bytes.  JPEG wants multiples of 8 rows
 * (an MCU), and of 16 in YCbCr 2x2 (the subsampled MCU) for every strip but
 * the last.
 */
static uint32_t tiff_rows_per_strip(const struct scan_format *f,
				    enum sink_compression c)
{
	uint32_t rows = TIFF_STRIP_TARGET / f->bytes_per_line;

	if (c == SINK_COMP_JPEG)
		rows = rows < 16 ? 16 : rows & ~15U;
	if (!rows)
		rows = 1;
	if (f->height_px && rows > f->height_px)
		rows = f->height_px;
	return rows;
}

/* What every strip is, for the encoders and the file's tags */
static void tiff_setup_format(struct sink_tiff *t)
{
	struct tiff_enc_format *ef = &t->ef;

	ef->width_px = t->fmt.width_px;
	ef->mode = t->fmt.mode;
	ef->compression = tiff_compression_tag(t->opt.compression);
	ef->jpeg_quality = t->opt.jpeg_quality;
	ef->ycbcr = t->opt.compression == SINK_COMP_JPEG &&
		    t->fmt.mode == SCAN_MODE_COLOR &&
		    t->opt.jpeg_color == SINK_JPEG_YCBCR;
	ef->deflate_level = t->opt.deflate_level ? t->opt.deflate_level :
						   SINK_DEFLATE_LEVEL_DEFAULT;
}

static int tiff_setup_pool(struct sink_tiff *t, const struct scan_format *fmt)
{
	t->fmt = *fmt;
	tiff_setup_format(t);
	t->rows_per_strip = tiff_rows_per_strip(fmt, t->opt.compression);
	t->enc = calloc(wias_tiff_pipeline_strips(&t->pipe), sizeof(*t->enc));
	if (!t->enc || wias_tiff_pipeline_setup(&t->pipe, t->rows_per_strip,
						fmt->bytes_per_line)) {
		/* a later page tries again from nothing */
		free(t->enc);
		t->enc = NULL;
		return wias_werr_set(t->base.err, WERR_OTHER, -ENOMEM,
				     "strip buffers");
	}
	return 0;
}

/* The pipeline's failure (-errno) as the sink's error record */
static int tiff_check(struct sink_tiff *t, int ret)
{
	return ret ? tiff_report(t, ret) : 0;
}

static int tiff_begin_page(struct sink *s, uint32_t page,
			   const struct scan_format *fmt)
{
	struct sink_tiff *t = to_tiff(s);
	int ret;

	if (!wias_tiff_pipeline_ready(&t->pipe)) {
		ret = wias_sink_check_compression(t->opt.compression,
						  fmt->mode);
		if (ret)
			return wias_werr_set(s->err, WERR_USAGE, ret,
					     "--compression");
		ret = tiff_setup_pool(t, fmt);
		if (ret)
			return ret;
	}
	return tiff_check(t, wias_tiff_pipeline_begin_page(&t->pipe, page));
}

static int tiff_write(struct sink *s, const void *data, size_t len)
{
	struct sink_tiff *t = to_tiff(s);

	return tiff_check(t, wias_tiff_pipeline_write(&t->pipe, data, len));
}

static int tiff_end_page(struct sink *s)
{
	struct sink_tiff *t = to_tiff(s);

	return tiff_check(t, wias_tiff_pipeline_end_page(&t->pipe));
}

/*
 * Let the workers finish the queue and end; its failure, if any.  With
 * @drop, the strips of a page that will not be completed are not written:
 * a cancel does not wait for a page that is thrown away to be compressed.
 */
static int tiff_stop_worker(struct sink_tiff *t, bool drop)
{
	return wias_tiff_pipeline_stop(&t->pipe, drop);
}

static void tiff_free_encoders(struct sink_tiff *t)
{
	unsigned int i;

	if (!t->enc)
		return;
	for (i = 0; i < wias_tiff_pipeline_strips(&t->pipe); i++)
		wias_tiff_encoder_free(&t->enc[i]);
	free(t->enc);
	t->enc = NULL;
}

static void tiff_free(struct sink_tiff *t)
{
	if (t->tif)
		TIFFCleanup(
			t->tif); /* never TIFFClose: it could write an IFD */
	wias_tiff_io_discard(&t->io);
	tiff_free_encoders(t);
	wias_tiff_pipeline_destroy(&t->pipe);
	free((char *)t->opt.path);
	free((char *)t->opt.batch);
	free((char *)t->opt.make);
	free((char *)t->opt.model);
	free((char *)t->opt.software);
	free(t);
}

/*
 * Keep the completed pages: a multipage file is cut after the last IFD
 * and renamed; a batch file of an unfinished page is removed (completed
 * pages are already files of their own).
 */
static int tiff_keep_done(struct sink_tiff *t, uint32_t *kept)
{
	int ret = 0;

	*kept = t->pages_done;
	if (t->tif)
		TIFFCleanup(t->tif);
	t->tif = NULL;
	if (t->opt.batch || !t->pages_done) {
		wias_tiff_io_discard(&t->io);
		return t->pages_done ? 0 : -ENODATA;
	}
	/* from here, a failure leaves NAME.part (for repair), not nothing */
	t->io.of.keep_part = true;
	ret = wias_tiff_io_truncate(&t->io, t->pages_done);
	if (!ret)
		ret = wias_tiff_io_commit(&t->io);
	if (ret)
		wias_werr_set(t->base.err, WERR_OUTPUT, ret, "%s: save",
			      t->opt.path);
	return ret;
}

static int tiff_finish(struct sink *s)
{
	struct sink_tiff *t = to_tiff(s);
	uint32_t kept;
	int ret;

	ret = tiff_stop_worker(t, false);
	if (ret) {
		tiff_report(t, ret);
		if (!tiff_keep_done(t, &kept) && s->kept)
			*s->kept = kept;
	} else {
		ret = tiff_keep_done(t, &kept);
		if (ret == -ENODATA)
			ret = 0;
	}
	tiff_free(t);
	return ret;
}

static void tiff_abort(struct sink *s)
{
	struct sink_tiff *t = to_tiff(s);

	tiff_stop_worker(t, true);
	tiff_free(t);
}

static int tiff_salvage(struct sink *s, uint32_t *kept)
{
	struct sink_tiff *t = to_tiff(s);
	int ret;

	ret = tiff_stop_worker(t, true);
	if (ret)
		tiff_report(t, ret);
	ret = tiff_keep_done(t, kept);
	tiff_free(t);
	return ret;
}

static const struct sink_ops sink_tiff_ops = {
	.begin_page = tiff_begin_page,
	.write = tiff_write,
	.end_page = tiff_end_page,
	.finish = tiff_finish,
	.abort = tiff_abort,
	.salvage = tiff_salvage,
};

static char *dup_opt(const char *s, bool *fail)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*fail = true;
	return d;
}

static int tiff_copy_options(struct sink_tiff *t,
			     const struct sink_options *opt)
{
	bool fail = false;

	t->opt = *opt;
	t->opt.path = dup_opt(opt->path, &fail);
	t->opt.batch = dup_opt(opt->batch, &fail);
	t->opt.make = dup_opt(opt->make, &fail);
	t->opt.model = dup_opt(opt->model, &fail);
	t->opt.software = dup_opt(
		opt->software ? opt->software : "wiascan-helper", &fail);
	if (!t->opt.batch_increment)
		t->opt.batch_increment = 1;
	t->counter = opt->batch_start;
	t->bigtiff = opt->bigtiff == SINK_BIGTIFF_YES ||
		     (opt->bigtiff == SINK_BIGTIFF_AUTO &&
		      opt->estimate_bytes >= TIFF_CLASSIC_MAX);
	return fail ? -ENOMEM : 0;
}

int wias_sink_tiff_open(const struct sink_options *opt, struct wia_error *err,
			struct sink **out)
{
	struct sink_tiff *t;
	int ret;

	if (!opt->batch == !opt->path ||
	    (opt->batch && wias_batch_pattern_check(opt->batch)))
		return wias_werr_set(err, WERR_USAGE, -EINVAL, "TIFF output");
	/* sink.h's ranges: the CLI checks them too, other callers may not */
	if (opt->deflate_level < 0 || opt->deflate_level > 9)
		return wias_werr_set(err, WERR_USAGE, -EINVAL,
				     "deflate level %d (1..9)",
				     opt->deflate_level);
	if (opt->compression == SINK_COMP_JPEG &&
	    (opt->jpeg_quality < 1 || opt->jpeg_quality > 100))
		return wias_werr_set(err, WERR_USAGE, -EINVAL,
				     "JPEG quality %d (1..100)",
				     opt->jpeg_quality);
	t = calloc(1, sizeof(*t));
	if (!t)
		return wias_werr_set(err, WERR_OTHER, -ENOMEM, "TIFF output");
	t->base.ops = &sink_tiff_ops;
	t->base.err = err;
	wias_tiff_io_init(&t->io);
	wias_tiff_pipeline_init(&t->pipe, tiff_run_job, tiff_encode_job, t,
				wias_sink_workers(opt->workers));
	ret = tiff_copy_options(t, opt);
	if (ret) {
		wias_werr_set(err, WERR_OTHER, ret, "TIFF output");
		goto err;
	}
	if (!opt->batch) {
		ret = tiff_open_file(t, opt->path);
		if (ret) {
			wias_tiff_io_report(&t->io, ret, opt->path, opt->force,
					    err);
			goto err;
		}
	}
	ret = wias_tiff_pipeline_start(&t->pipe);
	if (ret) {
		wias_werr_set(err, WERR_OTHER, ret, "TIFF writer thread");
		goto err;
	}
	*out = &t->base;
	return 0;

err:
	tiff_free(t);
	return ret;
}
