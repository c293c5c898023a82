// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line parsing: `wiascan-helper COMMAND [OPTIONS]`.  Every value
 * is checked here, so a bad command line fails before any device or file
 * is touched.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exit_codes.h"

/* Options with no short form */
enum {
	OPT_BIGTIFF = 256,
	OPT_BATCH_START,
	OPT_BATCH_INCREMENT,
	OPT_PROGRESS,
	OPT_JPEG_COLOR,
	OPT_DEFLATE_LEVEL,
	OPT_WORKERS,
};

static const struct option scan_options[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "mode", required_argument, NULL, 'm' },
	{ "resolution", required_argument, NULL, 'r' },
	{ "size", required_argument, NULL, 's' },
	{ "source", required_argument, NULL, 'S' },
	{ "format", required_argument, NULL, 'F' },
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, 'f' },
	{ "timeout", required_argument, NULL, 't' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "compression", required_argument, NULL, 'c' },
	{ "jpeg-quality", required_argument, NULL, 'q' },
	{ "jpeg-color", required_argument, NULL, OPT_JPEG_COLOR },
	{ "deflate-level", required_argument, NULL, OPT_DEFLATE_LEVEL },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "bigtiff", required_argument, NULL, OPT_BIGTIFF },
	{ "batch", required_argument, NULL, 'b' },
	{ "batch-start", required_argument, NULL, OPT_BATCH_START },
	{ "batch-increment", required_argument, NULL, OPT_BATCH_INCREMENT },
	{ "pages", required_argument, NULL, 'n' },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct option repair_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct option info_options[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct option list_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

void cli_usage(FILE *f)
{
	fputs("Usage: wiascan-helper COMMAND [OPTIONS]\n"
	      "\n"
	      "Commands:\n"
	      "  scan   scan to a file\n"
	      "  list   list the scanners, one line each: node, VID:PID, manufacturer,\n"
	      "         product, protocol; known scanners wiascan.ko does not drive\n"
	      "         are listed with the node \"-\" and \"(not bound)\"\n"
	      "  info   show a scanner's capabilities\n"
	      "  bind VID:PID    let wiascan.ko drive the scanners with these USB IDs\n"
	      "                  (hex; root, wiascan.ko loaded); for families SANE's\n"
	      "                  own backends drive, like the Fujitsu fi-series\n"
	      "  unbind VID:PID  give them back (SANE's backend can use them again)\n"
	      "  repair FILE.part [-o FILE] [-f]\n"
	      "         turn a TIFF left by a crash into FILE, its completed pages\n"
	      "  --help, --version\n"
	      "\n"
	      "scan options:\n"
	      "  -d, --device DEV        device node (default " CLI_DEFAULT_DEVICE
	      ")\n"
	      "  -m, --mode MODE         lineart, gray or color (default gray)\n"
	      "  -r, --resolution DPI    1..65535 (default 150)\n"
	      "  -s, --size SIZE         a4 (210x297 mm), letter (8.5x11 in) or WxH in\n"
	      "                          pixels (default a4); H = 0: pages of unknown\n"
	      "                          length, ADF only. Paper sizes become\n"
	      "                          round(mm / 25.4 * dpi) pixels\n"
	      "  -S, --source SOURCE     flatbed, adf or adf-duplex (default: flatbed if\n"
	      "                          the scanner has one, else adf);\n"
	      "                          the ADF scans until the feeder is empty;\n"
	      "                          adf-duplex gives front 1, back 1, front 2...\n"
	      "  -F, --format FORMAT     raw: every page's bytes, concatenated (default);\n"
	      "                          tiff: a multipage TIFF, one page per sheet\n"
	      "  -o, --output FILE       written as FILE.part, renamed when complete;\n"
	      "                          - is standard output (a file named - is ./-)\n"
	      "  -b, --batch PATTERN     TIFF, one file per page, named by PATTERN with\n"
	      "                          one counter: %d, %Nd or %0Nd (%% is a %)\n"
	      "      --batch-start N     the first page's counter (default 1)\n"
	      "      --batch-increment N step of the counter (default 1)\n"
	      "  -c, --compression C     TIFF: none (default), packbits, lzw, deflate,\n"
	      "                          jpeg (gray, color) or g4 (lineart)\n"
	      "  -q, --jpeg-quality Q    1..100 (default 75)\n"
	      "      --jpeg-color C      color JPEG as ycbcr (default: YCbCr, chroma\n"
	      "                          2x2 subsampled, as scanners write it) or rgb\n"
	      "      --deflate-level N   1 (fastest) .. 9 (smallest) (default 1)\n"
	      "      --workers N         TIFF compression threads, 1..64 (default: the\n"
	      "                          online CPUs)\n"
	      "      --bigtiff WHEN      auto (default: when the file may pass 4 GiB),\n"
	      "                          yes or no\n"
	      "  -n, --pages N           scan at most N pages (ADF; with adf-duplex\n"
	      "                          a page is a side: N/2 sheets, rounded up)\n"
	      "      --progress MODE     auto (a line on a terminal), line, json\n"
	      "                          (one object a line on stdout) or none\n"
	      "  -f, --force             replace FILE if it exists\n"
	      "  -t, --timeout MS        device timeout, 1..600000 ms\n"
	      "  -v, --verbose           print pages, bytes and MB/s even when stderr\n"
	      "                          is not a terminal\n"
	      "\n"
	      "info options:\n"
	      "  -d, --device DEV        device node (default " CLI_DEFAULT_DEVICE
	      ")\n"
	      "  -j, --json              one JSON object\n"
	      "  -t, --timeout MS        device timeout, 1..600000 ms\n"
	      "\n"
	      "Exit codes:\n" WIASCAN_EXIT_HELP,
	      f);
}

/* "OPT: 'ARG': TEXT", or "OPT: TEXT" without @arg */
static int usage_fail(struct wia_error *err, const char *opt, const char *arg,
		      const char *text)
{
	wias_werr_set(err, WERR_USAGE, -EINVAL, "%s", opt);
	if (arg)
		wias_werr_why(err, "'%s': %s", arg, text);
	else
		wias_werr_why(err, "%s", text);
	return -EINVAL;
}

static int cli_tiff_opt(struct cli_args *a, int c, const char *arg,
			struct wia_error *err);
static int cli_common_opt(struct cli_args *a, int c, const char *arg,
			  struct wia_error *err);

static int cli_scan_opt(struct cli_args *a, int c, const char *arg,
			struct scan_size_spec *size, struct wia_error *err)
{
	switch (c) {
	case 'd':
		a->device = arg;
		break;
	case 'm':
		if (wias_scan_parse_mode(arg, &a->req.mode))
			return usage_fail(err, "--mode", arg,
					  "use lineart, gray or color");
		break;
	case 'r':
		if (wias_scan_parse_u32(arg, 1, SCAN_MAX_DPI, &a->req.dpi))
			return usage_fail(err, "--resolution", arg,
					  "use a number from 1 to 65535");
		break;
	case 's':
		if (wias_scan_parse_size(arg, size))
			return usage_fail(err, "--size", arg,
					  "use a4, letter or WxH in pixels");
		break;
	case 'S':
		if (wias_scan_parse_source(arg, &a->req.source))
			return usage_fail(err, "--source", arg,
					  "use flatbed, adf or adf-duplex");
		a->source_set = true;
		break;
	case 'F':
		if (wias_sink_parse_format(arg, &a->format))
			return usage_fail(err, "--format", arg,
					  "use raw or tiff");
		a->format_set = true;
		break;
	default:
		return cli_tiff_opt(a, c, arg, err);
	}
	return 0;
}

static int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	long long v;
	char *end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || errno || *end || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int cli_batch_opt(struct cli_args *a, int c, const char *arg,
			 struct wia_error *err)
{
	switch (c) {
	case 'b':
		if (wias_batch_pattern_check(arg))
			return usage_fail(
				err, "--batch", arg,
				"use one counter, %d, %Nd or %0Nd, and no other %");
		a->batch = arg;
		break;
	case OPT_BATCH_START:
		if (parse_i64(arg, 0, 999999999, &a->batch_start))
			return usage_fail(err, "--batch-start", arg,
					  "use a number from 0 to 999999999");
		break;
	case OPT_BATCH_INCREMENT:
		if (parse_i64(arg, -1000, 1000, &a->batch_increment) ||
		    !a->batch_increment)
			return usage_fail(
				err, "--batch-increment", arg,
				"use a number from -1000 to 1000, not 0");
		break;
	case 'n':
		if (wias_scan_parse_u32(arg, 1, 1000000, &a->max_pages))
			return usage_fail(err, "--pages", arg,
					  "use a number from 1 to 1000000");
		break;
	default:
		return cli_common_opt(a, c, arg, err);
	}
	return 0;
}

static int cli_tiff_opt(struct cli_args *a, int c, const char *arg,
			struct wia_error *err)
{
	uint32_t q;

	switch (c) {
	case 'c':
		if (wias_sink_parse_compression(arg, &a->compression))
			return usage_fail(
				err, "--compression", arg,
				"use none, packbits, lzw, deflate, jpeg or g4");
		a->compression_set = true;
		break;
	case 'q':
		if (wias_scan_parse_u32(arg, 1, 100, &q))
			return usage_fail(err, "--jpeg-quality", arg,
					  "use 1 to 100");
		a->jpeg_quality = (int)q;
		break;
	case OPT_JPEG_COLOR:
		if (wias_sink_parse_jpeg_color(arg, &a->jpeg_color))
			return usage_fail(err, "--jpeg-color", arg,
					  "use ycbcr or rgb");
		break;
	case OPT_DEFLATE_LEVEL:
		if (wias_scan_parse_u32(arg, 1, 9, &q))
			return usage_fail(err, "--deflate-level", arg,
					  "use 1 to 9");
		a->deflate_level = (int)q;
		break;
	case OPT_WORKERS:
		if (wias_scan_parse_u32(arg, 1, SINK_WORKERS_MAX, &q))
			return usage_fail(err, "--workers", arg, "use 1 to 64");
		a->workers = q;
		break;
	case OPT_BIGTIFF:
		if (!strcmp(arg, "auto"))
			a->bigtiff = SINK_BIGTIFF_AUTO;
		else if (!strcmp(arg, "yes"))
			a->bigtiff = SINK_BIGTIFF_YES;
		else if (!strcmp(arg, "no"))
			a->bigtiff = SINK_BIGTIFF_NO;
		else
			return usage_fail(err, "--bigtiff", arg,
					  "use auto, yes or no");
		break;
	case OPT_PROGRESS:
		if (progress_parse(arg, &a->progress))
			return usage_fail(err, "--progress", arg,
					  "use auto, line, json or none");
		break;
	default:
		return cli_batch_opt(a, c, arg, err);
	}
	return 0;
}

static int cli_common_opt(struct cli_args *a, int c, const char *arg,
			  struct wia_error *err)
{
	switch (c) {
	case 'o':
		if (!*arg)
			return usage_fail(err, "--output", NULL,
					  "empty file name");
		a->output = arg;
		break;
	case 'f':
		a->force = true;
		break;
	case 'v':
		a->verbose = true;
		break;
	case 'j':
		a->json = true;
		break;
	case 't':
		if (wias_scan_parse_u32(arg, 1, 600000, &a->timeout_ms))
			return usage_fail(err, "--timeout", arg,
					  "use milliseconds from 1 to 600000");
		break;
	case 'h':
		a->cmd = CLI_HELP;
		break;
	case 'V':
		a->cmd = CLI_VERSION;
		break;
	default:
		return usage_fail(err, "usage", NULL,
				  "bad option (see --help)");
	}
	return 0;
}

static int cli_finish_scan(struct cli_args *a,
			   const struct scan_size_spec *size,
			   struct wia_error *err)
{
	if (!a->output == !a->batch)
		return usage_fail(
			err, "scan", NULL,
			"one of -o FILE and --batch PATTERN is needed");
	if (a->batch && a->format_set && a->format != SINK_FORMAT_TIFF)
		return usage_fail(err, "--batch", NULL,
				  "writes TIFF files: use --format tiff");
	if (a->batch)
		a->format = SINK_FORMAT_TIFF;
	if (a->output && !strcmp(a->output, "-") &&
	    a->progress == PROGRESS_JSON)
		return usage_fail(err, "--progress", "json",
				  "writes to standard output, which -o - "
				  "takes: use -o FILE or another --progress");
	if (a->compression_set && a->format != SINK_FORMAT_TIFF)
		return usage_fail(err, "--compression", NULL,
				  "needs --format tiff");
	if (wias_sink_check_compression(a->compression, a->req.mode))
		return usage_fail(err, "--compression",
				  wias_sink_compression_name(a->compression),
				  a->compression == SINK_COMP_JPEG ?
					  "JPEG needs --mode gray or color" :
					  "CCITT G4 needs --mode lineart");
	/* without --source the scanner's decides; the device source checks */
	if (wias_scan_resolve_size(size, a->req.dpi,
				   a->source_set ? a->req.source :
						   SCAN_SOURCE_ADF,
				   &a->req.width_px, &a->req.height_px))
		return usage_fail(
			err, "--size", NULL,
			"a height of 0 (unknown length) needs --source adf");
	return 0;
}

static int cli_command(const char *s, enum cli_command *cmd)
{
	if (!strcmp(s, "scan"))
		*cmd = CLI_SCAN;
	else if (!strcmp(s, "list"))
		*cmd = CLI_LIST;
	else if (!strcmp(s, "info"))
		*cmd = CLI_INFO;
	else if (!strcmp(s, "repair"))
		*cmd = CLI_REPAIR;
	else if (!strcmp(s, "bind"))
		*cmd = CLI_BIND;
	else if (!strcmp(s, "unbind"))
		*cmd = CLI_UNBIND;
	else if (!strcmp(s, "--help") || !strcmp(s, "-h") || !strcmp(s, "help"))
		*cmd = CLI_HELP;
	else if (!strcmp(s, "--version") || !strcmp(s, "-V"))
		*cmd = CLI_VERSION;
	else
		return -EINVAL;
	return 0;
}

static void cli_defaults(struct cli_args *a)
{
	memset(a, 0, sizeof(*a));
	a->device = CLI_DEFAULT_DEVICE;
	a->req.mode = SCAN_MODE_GRAY;
	a->req.source = SCAN_SOURCE_FLATBED;
	a->req.dpi = 150;
	a->format = SINK_FORMAT_RAW;
	a->jpeg_quality = 75;
	a->batch_start = 1;
	a->batch_increment = 1;
}

/* repair FILE.part: the output is FILE unless -o says otherwise */
static int cli_finish_repair(struct cli_args *a, int argc, char **argv,
			     struct wia_error *err)
{
	static const char suffix[] = ".part";
	size_t n;

	if (optind + 2 != argc)
		return usage_fail(err, "repair", NULL,
				  "one FILE.part is needed");
	a->input = argv[optind + 1];
	if (a->output)
		return 0;
	n = strlen(a->input);
	if (n <= strlen(suffix) ||
	    strcmp(a->input + n - strlen(suffix), suffix) != 0)
		return usage_fail(
			err, "repair", a->input,
			"not named FILE.part: give the output with -o");
	a->repair_output = strndup(a->input, n - strlen(suffix));
	if (!a->repair_output)
		return wias_werr_set(err, WERR_OTHER, -ENOMEM, "repair");
	a->output = a->repair_output;
	return 0;
}

/*
 * An unknown option or one without its value, named as the user typed it:
 * @word is the last word getopt read ("--mode", "--mode=", "-m" or
 * "-vm"); a long option is named by that word (without "=..."), a short
 * one by its letter (getopt sets optopt to a long option's short letter
 * too, so optopt alone would call --mode "-m").
 */
static bool cli_word_is_long(const struct option *longopts, const char *word)
{
	size_t n;

	if (!word || strncmp(word, "--", 2) != 0)
		return false;
	if (!optopt)
		return true; /* an unknown long option */
	/* a known one: it must be the option getopt failed on */
	n = strcspn(word + 2, "=");
	for (; longopts->name; longopts++)
		if (strlen(longopts->name) == n &&
		    !strncmp(longopts->name, word + 2, n))
			return longopts->val == optopt;
	return false;
}

static int cli_bad_option(struct wia_error *err, int c, const char *word,
			  const struct option *longopts)
{
	const char *text = c == ':' ? "missing value" : "unknown option";
	char name[64];

	if (cli_word_is_long(longopts, word))
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(word, "="),
			 word);
	else if (optopt)
		snprintf(name, sizeof(name), "-%c", (char)optopt);
	else
		snprintf(name, sizeof(name), "%s", word ? word : "?");
	wias_werr_set(err, WERR_USAGE, -EINVAL, "%s", name);
	wias_werr_why(err, "%s", text);
	return -EINVAL;
}

int cli_parse(int argc, char **argv, struct cli_args *a, struct wia_error *err)
{
	struct scan_size_spec size;
	const struct option *longopts;
	const char *shortopts;
	int c, ret;

	cli_defaults(a);
	wias_scan_parse_size("a4", &size);
	if (argc < 2)
		return usage_fail(err, "usage", NULL,
				  "a command is needed (see --help)");
	if (cli_command(argv[1], &a->cmd))
		return usage_fail(err, argv[1], NULL,
				  "unknown command (see --help)");
	switch (a->cmd) {
	case CLI_SCAN:
		longopts = scan_options;
		shortopts = ":d:m:r:s:S:F:o:ft:vc:q:b:n:hV";
		break;
	case CLI_REPAIR:
		longopts = repair_options;
		shortopts = ":o:fhV";
		break;
	case CLI_INFO:
		longopts = info_options;
		shortopts = ":d:jt:hV";
		break;
	case CLI_LIST:
	case CLI_BIND:
	case CLI_UNBIND:
		longopts = list_options;
		shortopts = ":hV";
		break;
	default:
		return argc == 2 ? 0 :
				   usage_fail(err, argv[2], NULL,
					      "unexpected argument");
	}
	optind = 0; /* glibc: start afresh (the tests parse many times) */
	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, shortopts, longopts,
				NULL)) != -1) {
		if (c == '?' || c == ':')
			return cli_bad_option(err, c, argv[optind], longopts);
		ret = cli_scan_opt(a, c, optarg, &size, err);
		if (ret)
			return ret;
	}
	if (a->cmd == CLI_HELP || a->cmd == CLI_VERSION)
		return 0;
	if (a->cmd == CLI_REPAIR)
		return cli_finish_repair(a, argc, argv, err);
	if (a->cmd == CLI_BIND || a->cmd == CLI_UNBIND) {
		if (optind + 2 != argc)
			return usage_fail(err, argv[1], NULL,
					  "one VID:PID is needed");
		a->input = argv[optind + 1];
		return 0;
	}
	if (optind < argc - 1)
		return usage_fail(err, argv[optind + 1], NULL,
				  "unexpected argument");
	return a->cmd == CLI_SCAN ? cli_finish_scan(a, &size, err) : 0;
}
