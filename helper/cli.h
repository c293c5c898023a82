/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wiascan-helper's command line, parsed into one struct (main.c acts on it).
 */
#ifndef WIASCAN_CLI_H
#define WIASCAN_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "params.h"
#include "sink.h"

enum cli_command {
	CLI_HELP,
	CLI_VERSION,
	CLI_SCAN,
	CLI_LIST,
	CLI_INFO,
};

#define CLI_DEFAULT_DEVICE	"/dev/wiascan0"

/**
 * struct cli_args - a parsed command line
 * @cmd: the command
 * @device: -d, the device node
 * @req: scan parameters, with the size resolved to pixels
 * @format: -F, output format
 * @output: -o, output file
 * @force: -f, replace an existing output
 * @timeout_ms: -t, device timeout (0: the driver's default)
 * @verbose: -v, print the summary even when stderr is not a terminal
 * @json: -j, `info` prints JSON
 */
struct cli_args {
	enum cli_command cmd;
	const char *device;
	struct scan_request req;
	enum sink_format format;
	const char *output;
	bool force;
	uint32_t timeout_ms;
	bool verbose;
	bool json;
};

int cli_parse(int argc, char **argv, struct cli_args *a, struct wia_error *err);
void cli_usage(FILE *f);

#endif /* WIASCAN_CLI_H */
