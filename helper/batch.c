// SPDX-License-Identifier: GPL-2.0
/*
 * Batch file names: a pattern with exactly one counter conversion, %d or
 * %0Nd / %Nd (N up to 2 digits), and %% for a literal percent sign.  The
 * pattern is parsed here and the name built piece by piece, so the user's
 * text never reaches a printf format.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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
int batch_pattern_check(const char *pattern)
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
int batch_name(const char *pattern, int64_t counter, char *buf, size_t len)
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
