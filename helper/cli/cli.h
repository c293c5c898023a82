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
#include "progress.h"
#include "sink.h"

enum cli_command {
	CLI_HELP,
	CLI_VERSION,
	CLI_SCAN,
	CLI_LIST,
	CLI_INFO,
	CLI_REPAIR,
	CLI_BIND,
	CLI_UNBIND,
};

#define CLI_DEFAULT_DEVICE "/dev/wiascan0"

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
 * @compression: -c, TIFF compression
 * @jpeg_quality: -q, 1..100
 * @jpeg_color: --jpeg-color
 * @deflate_level: --deflate-level, 1..9 (0: the library's default)
 * @workers: --workers, 1..SINK_WORKERS_MAX (0: the online CPUs)
 * @bigtiff: --bigtiff
 * @batch: -b, one TIFF per page, named by this pattern
 * @batch_start, @batch_increment: the batch counter
 * @max_pages: -n, stop after this many pages (0: until the feeder is empty)
 * @progress: --progress
 * @input: `repair`: the NAME.part to repair; `bind`, `unbind`: VID:PID
 * @repair_output: `repair`: the output name made from @input (malloc'ed)
 * @format_set, @compression_set, @source_set: given on the command line
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
	enum sink_compression compression;
	int jpeg_quality;
	enum sink_jpeg_color jpeg_color;
	int deflate_level;
	unsigned int workers;
	enum sink_bigtiff bigtiff;
	const char *batch;
	int64_t batch_start;
	int64_t batch_increment;
	uint32_t max_pages;
	enum progress_mode progress;
	const char *input;
	char *repair_output;
	bool format_set;
	bool compression_set;
	bool source_set;
};

int cli_parse(int argc, char **argv, struct cli_args *a, struct wia_error *err);
void cli_usage(FILE *f);

#endif /* WIASCAN_CLI_H */
