// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON writer: structure, commas, and strings that always parse.
 */
#include "kselftest_harness.h"

#include "json.h"

static char *render(void (*fn)(struct json *j, const void *arg),
		    const void *arg)
{
	static char buf[1024];
	struct json j;
	FILE *f;

	memset(buf, 0, sizeof(buf));
	f = fmemopen(buf, sizeof(buf) - 1, "w");
	if (!f)
		return NULL;
	json_init(&j, f);
	fn(&j, arg);
	fclose(f);
	return buf;
}

static void nested(struct json *j, const void *arg)
{
	(void)arg;
	json_object_begin(j, NULL);
	json_str(j, "a", "x");
	json_u64(j, "n", 18446744073709551615ULL);
	json_array_begin(j, "l");
	json_str(j, NULL, "p");
	json_str(j, NULL, "q");
	json_array_end(j);
	json_object_begin(j, "o");
	json_bool(j, "t", true);
	json_null(j, "z");
	json_object_end(j);
	json_array_begin(j, "e");
	json_array_end(j);
	json_object_end(j);
}

static void one_string(struct json *j, const void *arg)
{
	json_str(j, NULL, arg);
}

TEST(objects_arrays_and_commas_are_well_formed)
{
	EXPECT_STREQ("{\"a\":\"x\",\"n\":18446744073709551615,\"l\":[\"p\",\"q\"],"
		     "\"o\":{\"t\":true,\"z\":null},\"e\":[]}\n",
		     render(nested, NULL));
}

TEST(quotes_backslashes_and_controls_are_escaped)
{
	EXPECT_STREQ("\"a\\\"b\\\\c\\nd\\te\\u0001f\\u007f\"",
		     render(one_string, "a\"b\\c\nd\te\001f\177"));
}

TEST(utf8_is_kept_and_invalid_bytes_are_replaced)
{
	EXPECT_STREQ("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa0\"",
		     render(one_string,
			    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa0"));
	/* one replacement per byte that does not start a valid sequence */
	EXPECT_STREQ("\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\"",
		     render(one_string, "a\xff"
					"b\xc0\xaf"
					"c\xe2\x82"));
	/* an encoded surrogate is not UTF-8 either */
	EXPECT_STREQ("\"\\ufffd\\ufffd\\ufffd\"",
		     render(one_string, "\xed\xa0\x80"));
}

TEST_HARNESS_MAIN
