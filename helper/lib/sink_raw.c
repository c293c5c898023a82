// SPDX-License-Identifier: GPL-2.0
/*
 * The raw sink (wiasWriteBufToFile): each filled buffer is appended to the
 * file straight from the device's mapping, pages one after another, so the
 * file is exactly the bytes the scanner sent.  Nothing is buffered here:
 * memory stays the size of the ring whatever the page length.
 *
 * The end of every completed page is noted.  A scan that fails or is
 * cancelled keeps those pages: NAME.part is cut at the last page boundary
 * (ftruncate), synced and renamed, like a TIFF's completed pages; with no
 * completed page nothing is left.
 *
 * Path "-" is standard output: the bytes stream out page after page.  A
 * failure then cuts the output at the last page boundary when it is a
 * regular file (`> scan.raw`); a pipe cannot be cut, so the bytes of the
 * unfinished page already sent stay, and the sink says how many (@tail).
 * A reader that went away (EPIPE) is an output error like a full disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "sink.h"

/**
 * struct sink_raw - a raw output
 * @base: the common sink head
 * @of: the file (NAME.part until committed); @of.fd is 1 for stdout
 * @path: NAME, for messages ("standard output" for "-")
 * @to_stdout: the output is standard output, not a file of ours
 * @start: stdout: its offset when the scan began (regular file only)
 * @seekable: stdout is a regular file that can be cut
 * @done_bytes: bytes of the completed pages (the cut for a salvage)
 * @pages_done: pages completed
 */
struct sink_raw {
	struct sink base;
	struct outfile of;
	char *path;
	bool to_stdout;
	off_t start;
	bool seekable;
	uint64_t done_bytes;
	uint32_t pages_done;
};

static struct sink_raw *to_raw(struct sink *s)
{
	return (struct sink_raw *)s;
}

static int raw_begin_page(struct sink *s, uint32_t page,
			  const struct scan_format *fmt)
{
	(void)s;
	(void)page;
	(void)fmt;
	return 0;
}

static int raw_write(struct sink *s, const void *data, size_t len)
{
	struct sink_raw *r = to_raw(s);
	int ret;

	ret = wias_outfile_write(&r->of, data, len);
	if (ret)
		wias_werr_set(s->err, WERR_OUTPUT, ret, "%s: write", r->path);
	if (ret == -EPIPE)
		wias_werr_why(s->err, "broken pipe: its reader exited");
	return ret;
}

static int raw_end_page(struct sink *s)
{
	struct sink_raw *r = to_raw(s);

	r->done_bytes = r->of.bytes;
	r->pages_done++;
	return 0;
}

static void raw_free(struct sink_raw *r)
{
	free(r->path);
	free(r);
}

/* Standard output: the data is durable if it is a file; never closed */
static int raw_stdout_sync(struct sink_raw *r)
{
	if (r->seekable && fsync(r->of.fd) && errno != EINVAL)
		return -errno;
	return 0;
}

static int raw_finish(struct sink *s)
{
	struct sink_raw *r = to_raw(s);
	int ret;

	if (r->to_stdout) {
		ret = raw_stdout_sync(r);
	} else if (!r->pages_done) {
		/* only empty sheets: no file, as a TIFF leaves none */
		wias_outfile_discard(&r->of);
		ret = 0;
	} else {
		ret = wias_outfile_commit(&r->of);
	}
	if (ret)
		wias_werr_set(s->err, WERR_OUTPUT, ret, "%s: save", r->path);
	raw_free(r);
	return ret;
}

static void raw_abort(struct sink *s)
{
	struct sink_raw *r = to_raw(s);

	if (!r->to_stdout)
		wias_outfile_discard(&r->of);
	raw_free(r);
}

/* Standard output: cut a file at the last page; a pipe keeps its tail */
static int raw_salvage_stdout(struct sink_raw *r)
{
	if (!r->seekable) {
		if (r->base.tail)
			*r->base.tail = r->of.bytes - r->done_bytes;
		return 0;
	}
	if (ftruncate(r->of.fd, r->start + (off_t)r->done_bytes) ||
	    lseek(r->of.fd, r->start + (off_t)r->done_bytes, SEEK_SET) < 0)
		return -errno;
	return raw_stdout_sync(r);
}

/*
 * Keep the completed pages: NAME.part cut after the last one, synced,
 * renamed.  With none, NAME.part goes (-ENODATA); when the cut or the
 * rename fails, NAME.part stays as it is.
 */
static int raw_salvage(struct sink *s, uint32_t *kept)
{
	struct sink_raw *r = to_raw(s);
	int ret;

	*kept = r->pages_done;
	if (r->to_stdout) {
		ret = raw_salvage_stdout(r);
	} else if (!r->pages_done) {
		wias_outfile_discard(&r->of);
		ret = -ENODATA;
	} else {
		/* from here, a failure leaves NAME.part rather than nothing */
		r->of.keep_part = true;
		ret = ftruncate(r->of.fd, (off_t)r->done_bytes) ? -errno : 0;
		if (ret)
			wias_outfile_discard(&r->of);
		else
			ret = wias_outfile_commit(&r->of);
	}
	if (ret && ret != -ENODATA)
		wias_werr_set(s->err, WERR_OUTPUT, ret, "%s: save", r->path);
	raw_free(r);
	return ret;
}

static const struct sink_ops sink_raw_ops = {
	.begin_page = raw_begin_page,
	.write = raw_write,
	.end_page = raw_end_page,
	.finish = raw_finish,
	.abort = raw_abort,
	.salvage = raw_salvage,
};

static int raw_open_stdout(struct sink_raw *r)
{
	struct stat st;

	memset(&r->of, 0, sizeof(r->of));
	r->of.fd = STDOUT_FILENO;
	r->of.dirfd = -1;
	r->to_stdout = true;
	if (fstat(STDOUT_FILENO, &st))
		return -errno;
	if (S_ISREG(st.st_mode)) {
		int fl = fcntl(STDOUT_FILENO, F_GETFL);

		/* >> writes at the end whatever the offset says */
		if (fl >= 0 && (fl & O_APPEND))
			r->start = st.st_size;
		else
			r->start = lseek(STDOUT_FILENO, 0, SEEK_CUR);
		r->seekable = fl >= 0 && r->start >= 0;
	}
	return 0;
}

int wias_sink_raw_open(const struct sink_options *opt, struct wia_error *err,
		       struct sink **out)
{
	bool to_stdout = !strcmp(opt->path, "-");
	struct sink_raw *r;
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return wias_werr_set(err, WERR_OTHER, -ENOMEM, "raw output");
	r->base.ops = &sink_raw_ops;
	r->base.err = err;
	r->path = strdup(to_stdout ? "standard output" : opt->path);
	if (!r->path) {
		free(r);
		return wias_werr_set(err, WERR_OTHER, -ENOMEM, "raw output");
	}
	if (to_stdout)
		ret = raw_open_stdout(r);
	else
		ret = wias_outfile_create(&r->of, opt->path, opt->force);
	if (ret == -EEXIST && !wias_outfile_check(opt->path, false)) {
		/* not NAME itself: a NAME.part of an earlier, failed run */
		wias_werr_set(err, WERR_OUTPUT, ret, "%s.part", opt->path);
		wias_werr_why(
			err,
			"exists (left by an earlier run?): remove it or use --force");
	} else if (ret) {
		wias_werr_set(err, WERR_OUTPUT, ret, "%s", r->path);
	}
	if (ret) {
		raw_free(r);
		return ret;
	}
	*out = &r->base;
	return 0;
}
