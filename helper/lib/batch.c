// SPDX-License-Identifier: GPL-2.0
/*
 * Batch file names: a pattern with exactly one counter conversion, %d or
 * %0Nd / %Nd (N up to 2 digits), and %% for a literal percent sign.  The
 * pattern is parsed here and the name built piece by piece, so the user's
 * text never reaches a printf format.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sink.h"

/**
 * struct batch_conv - where the counter goes
 * @start, @end: the conversion's bytes in the pattern, [start, end)
 * @zero: pad with zeros rather than spaces
 * @width: minimum digits
 */
struct batch_conv {
	size_t start, end;
	bool zero;
	int width;
};

/* Parse the conversion at @p[i] == '%'; its length, or -EINVAL */
static int parse_conv(const char *p, size_t i, struct batch_conv *c)
{
	size_t j = i + 1, digits = 0;

	c->start = i;
	c->zero = p[j] == '0';
	if (c->zero)
		j++;
	c->width = 0;
	while (p[j] >= '0' && p[j] <= '9' && digits++ < 2)
		c->width = c->width * 10 + (p[j++] - '0');
	if (p[j] != 'd')
		return -EINVAL;
	c->end = j + 1;
	return 0;
}

static int parse_pattern(const char *p, struct batch_conv *conv)
{
	struct batch_conv c;
	int found = 0;
	size_t i;

	if (!*p)
		return -EINVAL;
	for (i = 0; p[i]; i++) {
		if (p[i] != '%')
			continue;
		if (p[i + 1] == '%') {
			i++;
			continue;
		}
		if (found || parse_conv(p, i, &c))
			return -EINVAL;
		found = 1;
		*conv = c;
		i = c.end - 1;
	}
	return found ? 0 : -EINVAL;
}

/* 0 if @pattern has exactly one counter and nothing else printf would see */
int wias_batch_pattern_check(const char *pattern)
{
	struct batch_conv c;

	return parse_pattern(pattern, &c);
}

/* Append @s[0..n) to @buf, keeping @pos; -ENAMETOOLONG when it is full */
static int put(char *buf, size_t len, size_t *pos, const char *s, size_t n)
{
	if (*pos + n >= len)
		return -ENAMETOOLONG;
	memcpy(buf + *pos, s, n);
	*pos += n;
	buf[*pos] = '\0';
	return 0;
}

/* The file name for @counter: the pattern with its counter filled in */
int wias_batch_name(const char *pattern, int64_t counter, char *buf, size_t len)
{
	struct batch_conv c;
	char num[32];
	size_t i, pos = 0;
	int n, ret;

	ret = parse_pattern(pattern, &c);
	if (ret || !len)
		return -EINVAL;
	buf[0] = '\0';
	for (i = 0; pattern[i] && !ret; i++) {
		if (i == c.start) {
			n = snprintf(num, sizeof(num),
				     c.zero ? "%0*" PRId64 : "%*" PRId64,
				     c.width, counter);
			ret = put(buf, len, &pos, num, (size_t)n);
			i = c.end - 1;
		} else if (pattern[i] == '%') {
			ret = put(buf, len, &pos, "%", 1);
			i++;
		} else {
			ret = put(buf, len, &pos, pattern + i, 1);
		}
	}
	return ret;
}

/* @n bytes of pattern text at @s with "%%" made "%", into @buf */
static int unescape(const char *s, size_t n, char *buf, size_t len)
{
	size_t i, pos = 0;
	int ret = 0;

	buf[0] = '\0';
	for (i = 0; i < n && !ret; i++) {
		ret = put(buf, len, &pos, s + i, 1);
		if (s[i] == '%')
			i++;
	}
	return ret;
}

/**
 * struct batch_scan - what wias_batch_find_existing looks for
 * @pattern: the pattern
 * @start, @inc: the counter of the first file, its step
 * @count: files the scan may write, 0 when unknown
 * @best: the earliest file found (its index among the files), -1: none
 * @name, @len: where the name of that file goes
 */
struct batch_scan {
	const char *pattern;
	int64_t start, inc;
	uint32_t count;
	int64_t best;
	char *name;
	size_t len;
};

/* The index of the file with counter @v, or -1 if the scan never writes it */
static int64_t batch_index(const struct batch_scan *b, int64_t v)
{
	int64_t d = v - b->start;

	if (d % b->inc || d / b->inc < 0)
		return -1;
	d /= b->inc;
	return b->count && d >= b->count ? -1 : d;
}

static void batch_found(struct batch_scan *b, int64_t k, const char *name)
{
	if (b->best >= 0 && k >= b->best)
		return;
	b->best = k;
	snprintf(b->name, b->len, "%s", name);
}

/* Each file of the scan in turn, by name (the counter is in a directory) */
static int batch_stat_each(struct batch_scan *b)
{
	char name[4096], part[4106];
	uint32_t k, n = b->count ? b->count : 10000;
	struct stat st;
	int ret;

	for (k = 0; k < n; k++) {
		ret = wias_batch_name(b->pattern,
				      b->start + (int64_t)k * b->inc, name,
				      sizeof(name));
		if (ret)
			return ret;
		snprintf(part, sizeof(part), "%s.part", name);
		if (!lstat(name, &st) || !lstat(part, &st)) {
			batch_found(b, k, lstat(name, &st) ? part : name);
			return 0;
		}
	}
	return 0;
}

/*
 * Directory entry @ent (without ".part", which @part says) against the
 * file name's fixed @prefix and @suffix: the file of which counter, if any
 */
static void batch_match(struct batch_scan *b, const char *dir, const char *ent,
			size_t ent_len, const char *prefix, const char *suffix)
{
	size_t np = strlen(prefix), ns = strlen(suffix);
	char num[32], name[4096], *end;
	const char *base;
	long long v;
	int64_t k;

	if (ent_len <= np + ns || ent_len - np - ns >= sizeof(num) ||
	    strncmp(ent, prefix, np) != 0 ||
	    strncmp(ent + ent_len - ns, suffix, ns) != 0)
		return;
	memcpy(num, ent + np, ent_len - np - ns);
	num[ent_len - np - ns] = '\0';
	errno = 0;
	v = strtoll(num, &end, 10);
	if (errno || *end || end == num)
		return;
	/* the very name the scan would write (the same padding) */
	if (wias_batch_name(b->pattern, v, name, sizeof(name)))
		return;
	base = strrchr(name, '/');
	base = base ? base + 1 : name;
	if (strlen(base) != ent_len || strncmp(base, ent, ent_len) != 0)
		return;
	k = batch_index(b, v);
	if (k < 0)
		return;
	if (ent[ent_len]) /* a NAME.part */
		snprintf(name, sizeof(name), "%s%s%s", dir, *dir ? "/" : "",
			 ent);
	batch_found(b, k, name);
}

/*
 * Every file the pattern can produce from the start counter on, with the
 * increment, at most @count of them (0: any number): is one there already
 * (or its NAME.part)?  -EEXIST with the earliest one's name in @name, 0
 * when none, or another -errno.  Looked up before the scanner moves, so a
 * batch is refused whole rather than stopped after the pages before it.
 */
int wias_batch_find_existing(const char *pattern, int64_t start, int64_t inc,
			     uint32_t count, char *name, size_t len)
{
	struct batch_scan b = { .pattern = pattern,
				.start = start,
				.inc = inc ? inc : 1,
				.count = count,
				.best = -1,
				.name = name,
				.len = len };
	char dir[4096], prefix[4096], suffix[4096];
	const char *slash = strrchr(pattern, '/');
	size_t base = slash ? (size_t)(slash - pattern) + 1 : 0;
	struct batch_conv c;
	struct dirent *de;
	DIR *d;
	int ret;

	ret = parse_pattern(pattern, &c);
	if (ret || !len)
		return -EINVAL;
	if (c.start < base) {
		ret = batch_stat_each(&b);
	} else {
		if (unescape(pattern, base ? base - 1 : 0, dir, sizeof(dir)) ||
		    unescape(pattern + base, c.start - base, prefix,
			     sizeof(prefix)) ||
		    unescape(pattern + c.end, strlen(pattern + c.end), suffix,
			     sizeof(suffix)))
			return -ENAMETOOLONG;
		if (base == 1)
			snprintf(dir, sizeof(dir), "/");
		d = opendir(base ? dir : ".");
		if (!d)
			return errno == ENOENT ? 0 : -errno;
		while ((de = readdir(d))) {
			size_t n = strlen(de->d_name);

			batch_match(&b, base ? dir : "", de->d_name, n, prefix,
				    suffix);
			if (n > 5 && !strcmp(de->d_name + n - 5, ".part"))
				batch_match(&b, base ? dir : "", de->d_name,
					    n - 5, prefix, suffix);
		}
		closedir(d);
	}
	if (ret)
		return ret;
	return b.best >= 0 ? -EEXIST : 0;
}
