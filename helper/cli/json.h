/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON writer: enough for `info --json` (and issue 3's
 * progress lines), always well-formed, strings escaped.
 */
#ifndef WIASCAN_JSON_H
#define WIASCAN_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 8

struct json {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);
void json_string(FILE *f, const char *s);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

#endif /* WIASCAN_JSON_H */
