// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line parsing: `wiascan-helper COMMAND [OPTIONS]`.  Every value
 * is checked here, so a bad command line fails before any device or file
 * is touched.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "exit_codes.h"

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
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct option info_options[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct option list_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

void cli_usage(FILE *f)
{
	fputs("Usage: wiascan-helper COMMAND [OPTIONS]\n"
	      "\n"
	      "Commands:\n"
	      "  scan   scan to a file\n"
	      "  list   list the scanners, one line each: node, VID:PID, manufacturer, product\n"
	      "  info   show a scanner's capabilities\n"
	      "  --help, --version\n"
	      "\n"
	      "scan options:\n"
	      "  -d, --device DEV        device node (default " CLI_DEFAULT_DEVICE ")\n"
	      "  -m, --mode MODE         lineart, gray or color (default gray)\n"
	      "  -r, --resolution DPI    1..65535 (default 150)\n"
	      "  -s, --size SIZE         a4 (210x297 mm), letter (8.5x11 in) or WxH in\n"
	      "                          pixels (default a4); H = 0: pages of unknown\n"
	      "                          length, ADF only. Paper sizes become\n"
	      "                          round(mm / 25.4 * dpi) pixels\n"
	      "  -S, --source SOURCE     flatbed or adf (default flatbed); the ADF scans\n"
	      "                          until the feeder is empty\n"
	      "  -F, --format FORMAT     raw: every page's bytes, concatenated (default)\n"
	      "  -o, --output FILE       written as FILE.part, renamed when complete\n"
	      "  -f, --force             replace FILE if it exists\n"
	      "  -t, --timeout MS        device timeout, 1..600000 ms\n"
	      "  -v, --verbose           print pages, bytes and MB/s even when stderr\n"
	      "                          is not a terminal\n"
	      "\n"
	      "info options:\n"
	      "  -d, --device DEV        device node (default " CLI_DEFAULT_DEVICE ")\n"
	      "  -j, --json              one JSON object\n"
	      "\n"
	      "Exit codes:\n"
	      WIASCAN_EXIT_HELP, f);
}

/* "OPT: 'ARG': TEXT", or "OPT: TEXT" without @arg */
static int usage_fail(struct wia_error *err, const char *opt, const char *arg,
		      const char *text)
{
	werr_set(err, WERR_USAGE, -EINVAL, "%s", opt);
	if (arg)
		werr_why(err, "'%s': %s", arg, text);
	else
		werr_why(err, "%s", text);
	return -EINVAL;
}

static int cli_scan_opt(struct cli_args *a, int c, const char *arg,
			struct scan_size_spec *size, struct wia_error *err)
{
	switch (c) {
	case 'd':
		a->device = arg;
		break;
	case 'm':
		if (scan_parse_mode(arg, &a->req.mode))
			return usage_fail(err, "--mode", arg, "use lineart, gray or color");
		break;
	case 'r':
		if (scan_parse_u32(arg, 1, SCAN_MAX_DPI, &a->req.dpi))
			return usage_fail(err, "--resolution", arg, "use a number from 1 to 65535");
		break;
	case 's':
		if (scan_parse_size(arg, size))
			return usage_fail(err, "--size", arg, "use a4, letter or WxH in pixels");
		break;
	case 'S':
		if (scan_parse_source(arg, &a->req.source))
			return usage_fail(err, "--source", arg, "use flatbed or adf");
		break;
	case 'F':
		if (sink_parse_format(arg, &a->format))
			return usage_fail(err, "--format", arg, "only raw is supported");
		break;
	case 'o':
		if (!*arg)
			return usage_fail(err, "--output", NULL, "empty file name");
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
		if (scan_parse_u32(arg, 1, 600000, &a->timeout_ms))
			return usage_fail(err, "--timeout", arg,
					  "use milliseconds from 1 to 600000");
		break;
	case 'h':
		a->cmd = CLI_HELP;
		break;
	default:
		return usage_fail(err, "usage", NULL, "bad option (see --help)");
	}
	return 0;
}

static int cli_finish_scan(struct cli_args *a, const struct scan_size_spec *size,
			   struct wia_error *err)
{
	if (!a->output)
		return usage_fail(err, "scan", NULL, "-o FILE is required");
	if (scan_resolve_size(size, a->req.dpi, a->req.source,
			      &a->req.width_px, &a->req.height_px))
		return usage_fail(err, "--size", NULL,
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
}

int cli_parse(int argc, char **argv, struct cli_args *a, struct wia_error *err)
{
	struct scan_size_spec size;
	const struct option *longopts;
	const char *shortopts;
	int c, ret;

	cli_defaults(a);
	scan_parse_size("a4", &size);
	if (argc < 2)
		return usage_fail(err, "usage", NULL, "a command is needed (see --help)");
	if (cli_command(argv[1], &a->cmd))
		return usage_fail(err, argv[1], NULL, "unknown command (see --help)");
	switch (a->cmd) {
	case CLI_SCAN:
		longopts = scan_options;
		shortopts = ":d:m:r:s:S:F:o:ft:vh";
		break;
	case CLI_INFO:
		longopts = info_options;
		shortopts = ":d:jt:h";
		break;
	case CLI_LIST:
		longopts = list_options;
		shortopts = ":h";
		break;
	default:
		return argc == 2 ? 0 :
			usage_fail(err, argv[2], NULL, "unexpected argument");
	}
	optind = 0;	/* glibc: start afresh (the tests parse many times) */
	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, shortopts, longopts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			char name[3] = { '-', (char)optopt, '\0' };

			/* a long option has optopt 0 and was the last word read */
			return usage_fail(err, optopt ? name : argv[optind], NULL,
					  c == ':' ? "missing value" : "unknown option");
		}
		ret = cli_scan_opt(a, c, optarg, &size, err);
		if (ret)
			return ret;
	}
	if (a->cmd == CLI_HELP)
		return 0;
	if (optind < argc - 1)
		return usage_fail(err, argv[optind + 1], NULL, "unexpected argument");
	return a->cmd == CLI_SCAN ? cli_finish_scan(a, &size, err) : 0;
}
