/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wiascan-helper's exit codes: the one list, used by error.c (the only
 * place that chooses one) and printed by --help.  Scripts depend on these
 * numbers: never renumber, only add.
 */
#ifndef WIASCAN_EXIT_CODES_H
#define WIASCAN_EXIT_CODES_H

#define WIASCAN_EXIT_OK	       0 /* success */
#define WIASCAN_EXIT_ERROR     1 /* any other error (out of memory...) */
#define WIASCAN_EXIT_USAGE     2 /* bad command line */
#define WIASCAN_EXIT_NO_DEVICE 3 /* device not found or cannot be opened */
#define WIASCAN_EXIT_DEVICE    4 /* device or protocol error, stall */
#define WIASCAN_EXIT_OUTPUT \
	5 /* output file exists, cannot be created or written */
#define WIASCAN_EXIT_UNPLUGGED	 6  /* device unplugged during the operation */
#define WIASCAN_EXIT_TIMEOUT	 7  /* device did not answer in time */
#define WIASCAN_EXIT_NO_PAPER	 8  /* the scanner refused to start: no paper */
#define WIASCAN_EXIT_JAM	 9  /* paper jam */
#define WIASCAN_EXIT_DOUBLE_FEED 10 /* double feed (multi-feed) */
#define WIASCAN_EXIT_CANCELLED	 11 /* cancelled by SIGINT or SIGTERM */
#define WIASCAN_EXIT_BUSY	 12 /* another client owns the scanner */
#define WIASCAN_EXIT_COVER_OPEN	 13 /* the ADF cover is open */

/* The table --help prints, one line per code */
#define WIASCAN_EXIT_HELP                                                      \
	"  0  success\n"                                                       \
	"  1  other error\n"                                                   \
	"  2  usage error\n"                                                   \
	"  3  device not found or cannot be opened\n"                          \
	"  4  device or protocol error (including a stall)\n"                  \
	"  5  output file error (exists without --force, cannot be created,\n" \
	"     write error, disk full)\n"                                       \
	"  6  device unplugged\n"                                              \
	"  7  timeout\n"                                                       \
	"  8  no paper (the scanner refused to start)\n"                       \
	"  9  paper jam\n"                                                     \
	" 10  double feed\n"                                                   \
	" 11  cancelled by SIGINT or SIGTERM (completed pages kept)\n"         \
	" 12  scanner busy: another client owns it (nothing was sent to it)\n" \
	" 13  ADF cover open (completed pages kept)\n"

#endif /* WIASCAN_EXIT_CODES_H */
