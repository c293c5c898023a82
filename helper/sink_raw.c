// SPDX-License-Identifier: GPL-2.0
/*
 * The raw sink (wiasWriteBufToFile): each filled buffer is appended to the
 * file straight from the device's mapping, pages one after another, so the
 * file is exactly the bytes the scanner sent.  Nothing is buffered here:
 * memory stays the size of the ring whatever the page length.
 *
 * On failure or abort the whole NAME.part is removed.  A raw file has no
 * page structure a reader could recover, so keeping the completed pages
 * would leave a file that looks complete but is not; the TIFF sink
 * (issue 3) keeps completed pages because each is a self-describing IFD.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "sink.h"

struct sink_raw {
	struct sink base;
	struct outfile of;
	char *path;
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

	ret = outfile_write(&r->of, data, len);
	if (ret)
		werr_set(s->err, WERR_OUTPUT, ret, "%s: write", r->path);
	return ret;
}

static int raw_end_page(struct sink *s)
{
	(void)s;
	return 0;
}

static void raw_free(struct sink_raw *r)
{
	free(r->path);
	free(r);
}

static int raw_finish(struct sink *s)
{
	struct sink_raw *r = to_raw(s);
	int ret;

	ret = outfile_commit(&r->of);
	if (ret)
		werr_set(s->err, WERR_OUTPUT, ret, "%s: save", r->path);
	raw_free(r);
	return ret;
}

static void raw_abort(struct sink *s)
{
	struct sink_raw *r = to_raw(s);

	outfile_discard(&r->of);
	raw_free(r);
}

static const struct sink_ops sink_raw_ops = {
	.begin_page = raw_begin_page,
	.write = raw_write,
	.end_page = raw_end_page,
	.finish = raw_finish,
	.abort = raw_abort,
};

int sink_raw_open(const struct sink_options *opt, struct wia_error *err,
		  struct sink **out)
{
	struct sink_raw *r;
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return werr_set(err, WERR_OTHER, -ENOMEM, "raw output");
	r->base.ops = &sink_raw_ops;
	r->base.err = err;
	r->path = strdup(opt->path);
	if (!r->path) {
		free(r);
		return werr_set(err, WERR_OTHER, -ENOMEM, "raw output");
	}
	ret = outfile_create(&r->of, opt->path, opt->force);
	if (ret == -EEXIST && !outfile_check(opt->path, false)) {
		/* not NAME itself: a NAME.part of an earlier, failed run */
		werr_set(err, WERR_OUTPUT, ret, "%s.part", opt->path);
		werr_why(
			err,
			"exists (left by an earlier run?): remove it or use --force");
	} else if (ret) {
		werr_set(err, WERR_OUTPUT, ret, "%s", opt->path);
	}
	if (ret) {
		raw_free(r);
		return ret;
	}
	*out = &r->base;
	return 0;
}
