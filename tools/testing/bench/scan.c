// SPDX-License-Identifier: GPL-2.0
/*
 * Page framing and content checks, the same for every method.
 *
 * A page ends with the first transfer that the device cut short (a short
 * or zero-length packet); it must then hold exactly page_bytes bytes.
 * CHECK_FULL compares every byte with the formula (helper/lib/formula.h,
 * through the selftests' wt_formula_mismatch()); CHECK_SAMPLE only the
 * first and last SAMPLE bytes of each transfer, which costs next to
 * nothing inside a timed run and still catches data at a wrong offset,
 * from a wrong page or not written at all.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wiascan_test.h"

#include "bench.h"

#define SAMPLE 64

void scan_init(struct scan *s, const struct bench_opts *o, uint32_t bpl,
	       enum check check)
{
	memset(s, 0, sizeof(*s));
	s->check = check;
	s->bpl = bpl;
	s->page_bytes = (uint64_t)bpl * o->height_px;
	s->want_pages = o->pages;
}

int scan_fail(struct scan *s, int err, const char *fmt, ...)
{
	va_list ap;

	if (s->err)
		return s->err;
	s->err = err ? err : -EIO;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	return err;
}

/* Compare @len bytes at @buf, which start at byte @pos of the page */
static int check_range(struct scan *s, const uint8_t *buf, size_t len,
		       uint64_t pos)
{
	long bad = wt_formula_mismatch(buf, len, s->bpl, s->pages, pos);

	s->checked += len;
	if (bad < 0)
		return 0;
	return scan_fail(s, -EILSEQ,
			 "page %u: byte %" PRIu64 " is %u, the formula says %u",
			 s->pages, pos + (uint64_t)bad, buf[bad],
			 formula_byte((pos + (uint64_t)bad) % s->bpl,
				      (pos + (uint64_t)bad) / s->bpl,
				      s->pages));
}

static int check_bytes(struct scan *s, const uint8_t *buf, size_t len)
{
	size_t head = len < SAMPLE ? len : SAMPLE;
	int ret;

	if (s->check == CHECK_FULL)
		return check_range(s, buf, len, s->pos);
	ret = check_range(s, buf, head, s->pos);
	if (!ret && len > head) {
		size_t tail = len - head < SAMPLE ? len - head : SAMPLE;

		ret = check_range(s, buf + len - tail, tail,
				  s->pos + len - tail);
	}
	return ret;
}

/*
 * Take one transfer of @len bytes at @buf; @end: the device ended the page
 * with it.  Returns 0 or the run's error.
 */
int scan_take(struct scan *s, const uint8_t *buf, size_t len, bool end)
{
	if (s->err)
		return s->err;
	s->transfers++;
	if (s->pages >= s->want_pages)
		return scan_fail(s, -EOVERFLOW, "%zu bytes after the last page",
				 len);
	if (s->pos + len > s->page_bytes)
		return scan_fail(s, -EOVERFLOW,
				 "page %u: more than its %" PRIu64 " bytes",
				 s->pages, s->page_bytes);
	if (len && check_bytes(s, buf, len))
		return s->err;
	s->pos += len;
	s->bytes += len;
	if (!end)
		return 0;
	if (s->pos != s->page_bytes)
		return scan_fail(s, -EPROTO,
				 "page %u ended after %" PRIu64
				 " bytes, not %" PRIu64,
				 s->pages, s->pos, s->page_bytes);
	s->pages++;
	s->pos = 0;
	return 0;
}

bool scan_done(const struct scan *s)
{
	return s->err || s->pages >= s->want_pages;
}

void scan_result(const struct scan *s, struct run *r)
{
	r->bytes = s->bytes;
	r->checked = s->checked;
	r->transfers = s->transfers;
	if (s->err && !r->err) {
		r->err = s->err;
		snprintf(r->why, sizeof(r->why), "%s", s->why);
	} else if (!r->err && s->pages < s->want_pages) {
		run_fail(r, -EPROTO, "%u of %u pages", s->pages, s->want_pages);
	}
}
