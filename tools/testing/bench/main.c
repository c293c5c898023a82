// SPDX-License-Identifier: GPL-2.0
/*
 * kbench: the same scan read through wiascan.ko's mapped ring, its read(),
 * libusb (synchronous and asynchronous) and, as the bus ceiling, usbtest on
 * a SourceSink gadget, in interleaved rounds; then the median, minimum and
 * maximum of each, its ratio to libusb's median and the CPU time of this
 * process per MB.  Runs as root in the VM rig: see README.
 *
 * Round 0 checks every byte of every method against the formula and is
 * not counted; a method that fails it is not timed.  The timed rounds
 * check the first and last bytes of each transfer and the page framing.
 *
 * Exit status: 0 when every method asked for was measured (usbtest may be
 * skipped, with the reason in the report, if its modules are missing),
 * 1 when a run failed, 2 for a usage error, 3 when the rig is not there.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "wiascan_test.h"

#include "bench.h"

#define PROG	     "kbench"
#define MAX_ROUNDS   51
#define EXIT_FAILED  1
#define EXIT_USAGE   2
#define EXIT_NO_RIG  3
#define MAX_RW_BYTES (256 * 1024) /* the most one read() transfers */

static const struct {
	const char *key;  /* for --methods */
	const char *name; /* for the report */
} methods[N_METHODS] = {
	[M_MMAP] = { "mmap", "wiascan mmap ring" },
	[M_READ] = { "read", "wiascan read()" },
	[M_LIBUSB] = { "libusb", "libusb sync" },
	[M_ASYNC] = { "async", "libusb async" },
	[M_USBTEST] = { "usbtest", "usbtest+SourceSink" },
	[M_SSRING] = { "ssring", "wiascan ring+SrcSink" },
};

/* Everything measured: round 0 verifies, rounds 1.. are timed */
struct results {
	struct run runs[N_METHODS][MAX_ROUNDS];
	unsigned int rounds_done[N_METHODS];
	char skipped[N_METHODS][BENCH_WHY]; /* why a method was not run */
	unsigned int failures;
};

/* --- options ---------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [OPTIONS]\n"
		"Throughput of wiascan.ko's data path against libusb, in the VM rig (as root).\n"
		"\n"
		"  --pages N          ADF pages a run (default 48)\n"
		"  --dpi N            A4 gray at N dpi (default 300: 2480 x 3508 bytes)\n"
		"  --rounds N         timed rounds after the verifying one (default 5)\n"
		"  --ring-count N     buffers of the mmap ring and libusb async transfers\n"
		"                     in flight, usbtest's URBs (default 8)\n"
		"  --ring-kib N       their size (default 1024)\n"
		"  --rw-kib N         bytes per read() and libusb_bulk_transfer() (default\n"
		"                     256, the most one read() transfers)\n"
		"  --ss-qlen N        SourceSink requests in flight (default 8)\n"
		"  --ss-kib N         their size (default 1024)\n"
		"  --methods LIST     comma-separated: mmap,read,libusb,async,usbtest,\n"
		"                     ssring (default all)\n"
		"  --xfer-kib N       QBUF xfer_length of the ring on SourceSink\n"
		"                     (default 0: the whole buffer)\n"
		"  --contig           wiascan.ko's buffers physically contiguous, as\n"
		"                     usbtest's URBs are (scatter_gather=N; default: sg\n"
		"                     URBs where the host controller allows)\n"
		"  --timeout-ms N     longest wait for one transfer (default 20000)\n"
		"  --emu-arg ARG      pass ARG to wiascan-emu (repeat for more)\n"
		"  --out FILE         write the report to FILE, not standard output\n"
		"  --json FILE        write the figures to FILE as a JSON list\n"
		"  --help             this text\n");
}

static void __attribute__((noreturn, format(printf, 1, 2)))
bad_option(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	exit(EXIT_USAGE);
}

static unsigned long parse_num(const char *opt, const char *s,
			       unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		bad_option("%s: expected a number from %lu to %lu, got '%s'",
			   opt, min, max, s);
	return v;
}

static unsigned int parse_methods(const char *arg)
{
	char buf[128], *tok, *save;
	unsigned int mask = 0, m;

	if (strlen(arg) >= sizeof(buf))
		bad_option("--methods: list too long");
	memcpy(buf, arg, strlen(arg) + 1);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (m = 0; m < N_METHODS && strcmp(tok, methods[m].key) != 0;
		     m++)
			;
		if (m == N_METHODS)
			bad_option("--methods: unknown method '%s'", tok);
		mask |= 1U << m;
	}
	if (!mask)
		bad_option("--methods: expected a list");
	return mask;
}

/* Pixels in @um micrometres at @dpi, rounded as the emulator rounds */
static uint32_t px(uint32_t um, unsigned int dpi)
{
	return (uint32_t)(((uint64_t)um * dpi + 12700) / 25400);
}

static void parse_options(struct bench_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pages", required_argument, NULL, 'p' },
		{ "dpi", required_argument, NULL, 'd' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "ring-count", required_argument, NULL, 'n' },
		{ "ring-kib", required_argument, NULL, 'k' },
		{ "rw-kib", required_argument, NULL, 'w' },
		{ "ss-qlen", required_argument, NULL, 'q' },
		{ "ss-kib", required_argument, NULL, 's' },
		{ "methods", required_argument, NULL, 'm' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "emu-arg", required_argument, NULL, 'e' },
		{ "out", required_argument, NULL, 'o' },
		{ "json", required_argument, NULL, 'j' },
		{ "xfer-kib", required_argument, NULL, 'x' },
		{ "contig", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int dpi = 300;
	int c;

	*o = (struct bench_opts) {
		.pages = 48,
		.rounds = 5,
		.ring_count = 8,
		.ring_size = 1024 * 1024,
		.rw_size = MAX_RW_BYTES,
		.ss_qlen = 8,
		.ss_buflen = 1024 * 1024,
		.methods = (1U << N_METHODS) - 1,
		.timeout_ms = 20000,
	};
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->pages = (unsigned int)parse_num("--pages", optarg, 1,
							   65535);
			break;
		case 'd':
			dpi = (unsigned int)parse_num("--dpi", optarg, 50, 600);
			break;
		case 'r':
			o->rounds = (unsigned int)parse_num("--rounds", optarg,
							    1, MAX_ROUNDS - 1);
			break;
		case 'n':
			o->ring_count = (unsigned int)parse_num(
				"--ring-count", optarg, 1, BENCH_MAX_RING);
			break;
		case 'k':
			o->ring_size = 1024 * (uint32_t)parse_num("--ring-kib",
								  optarg, 4,
								  4096);
			break;
		case 'w':
			o->rw_size = 1024 *
				     (uint32_t)parse_num("--rw-kib", optarg, 1,
							 MAX_RW_BYTES / 1024);
			break;
		case 'q':
			o->ss_qlen = (unsigned int)parse_num("--ss-qlen",
							     optarg, 1, 64);
			break;
		case 's':
			o->ss_buflen = 1024 * (uint32_t)parse_num("--ss-kib",
								  optarg, 1,
								  4096);
			break;
		case 'm':
			o->methods = parse_methods(optarg);
			break;
		case 't':
			o->timeout_ms = (uint32_t)parse_num(
				"--timeout-ms", optarg, 100, 600000);
			break;
		case 'e':
			if (o->n_emu_args == BENCH_MAX_EMU_ARGS)
				bad_option("--emu-arg: at most %d",
					   BENCH_MAX_EMU_ARGS);
			o->emu_args[o->n_emu_args++] = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'x':
			o->xfer_length =
				1024 * (uint32_t)parse_num("--xfer-kib", optarg,
							   0, 4096);
			break;
		case 'c':
			o->contig = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			bad_option("%s needs a value", argv[optind - 1]);
		default:
			bad_option("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad_option("unexpected argument '%s'", argv[optind]);
	/* the bulk-in wMaxPacketSize at high speed: no packet cut */
	if (o->xfer_length > o->ring_size)
		bad_option("--xfer-kib: at most --ring-kib");
	if (o->rw_size % 512 || o->ring_size % 512)
		bad_option("--rw-kib and --ring-kib: whole 512-byte packets");
	o->dpi = (uint16_t)dpi;
	o->width_px = px(210000, dpi);
	o->height_px = px(297000, dpi);
}

/* --- the emulator ------------------------------------------------------ */

/* The selftests' helpers find the tree from WIASCAN_TOP */
static void set_top(void)
{
	char exe[PATH_MAX - 16], up[PATH_MAX], top[PATH_MAX], *slash;
	ssize_t n;

	if (getenv("WIASCAN_TOP"))
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = '\0';
	snprintf(up, sizeof(up), "%s/../../..", exe);
	if (realpath(up, top))
		setenv("WIASCAN_TOP", top, 1);
}

static int emu_up(struct bench *b, char *why)
{
	const char *args[BENCH_MAX_EMU_ARGS + 4];
	static char sheets[16];
	unsigned int i, n = 0;
	int ret;

	snprintf(sheets, sizeof(sheets), "%u", b->opt.pages);
	args[n++] = "--sheets";
	args[n++] = sheets;
	for (i = 0; i < b->opt.n_emu_args; i++)
		args[n++] = b->opt.emu_args[i];
	args[n] = NULL;
	ret = wt_wait_udc_free(WT_GONE_TIMEOUT_MS);
	if (ret) {
		snprintf(why, BENCH_WHY, "the UDC is busy (another gadget?)");
		return ret;
	}
	ret = wt_emu_start(b->emu, args);
	if (ret) {
		wt_dump_log(b->emu);
		snprintf(why, BENCH_WHY, "%s did not come up: %s",
			 wt_emu_path(), strerror(-ret));
		return ret;
	}
	ret = node_open(b);
	if (ret)
		snprintf(why, BENCH_WHY, "no /dev/wiascan* appeared: %s",
			 strerror(-ret));
	return ret;
}

/* --- rounds ------------------------------------------------------------ */

static double mb_s(const struct run *r)
{
	return r->secs > 0 ? (double)r->bytes / 1e6 / r->secs : 0;
}

static double pct(double part, double whole)
{
	return whole > 0 ? 100 * part / whole : 0;
}

static void print_run(enum method m, unsigned int round, const struct run *r)
{
	printf("round %u%s %-20s ", round, round ? "       " : " verify",
	       methods[m].name);
	if (r->err)
		printf("FAILED: %s (%s)\n", r->why, strerror(-r->err));
	else
		printf("%7.2f MB %6.3f s %7.2f MB/s, CPU %.3f s, emu %3.0f%%, %" PRIu64
		       " transfers, %" PRIu64 " bytes checked\n",
		       (double)r->bytes / 1e6, r->secs, mb_s(r), r->cpu_secs,
		       pct(r->emu_cpu_secs, r->secs), r->transfers, r->checked);
	fflush(stdout);
}

static bool wanted(const struct bench *b, const struct results *res,
		   enum method m)
{
	return (b->opt.methods & (1U << m)) && !res->skipped[m][0];
}

/* Run method @m of round @round (usbtest: with the ring on its gadget) */
static void run_one(struct bench *b, struct results *res, enum method m,
		    unsigned int round)
{
	enum check check = round ? CHECK_SAMPLE : CHECK_FULL;
	struct run *ut = NULL, *ring = NULL;
	struct run *r = &res->runs[m][round];

	memset(r, 0, sizeof(*r));
	if (m == M_MMAP || m == M_READ) {
		node_run(b, m, check, r);
	} else if (m == M_USBTEST || m == M_SSRING) {
		if (wanted(b, res, M_USBTEST)) {
			ut = &res->runs[M_USBTEST][round];
			memset(ut, 0, sizeof(*ut));
		}
		if (wanted(b, res, M_SSRING)) {
			ring = &res->runs[M_SSRING][round];
			memset(ring, 0, sizeof(*ring));
		}
		usbtest_session(b, round, check, ut, ring);
		if (ut)
			print_run(M_USBTEST, round, ut);
		if (ring)
			print_run(M_SSRING, round, ring);
		return;
	} else {
		usb_run(b, m, check, r);
	}
	print_run(m, round, r);
}

static void run_rounds(struct bench *b, struct results *res)
{
	unsigned int round, m;

	bool ss_done;

	for (round = 0; round <= b->opt.rounds; round++) {
		ss_done = false;
		for (m = 0; m < N_METHODS; m++) {
			if (!wanted(b, res, m))
				continue;
			/* usbtest and the ring share one gadget session */
			if (m == M_USBTEST || m == M_SSRING) {
				if (ss_done)
					continue;
				ss_done = true;
			}
			run_one(b, res, m, round);
		}
		for (m = 0; m < N_METHODS; m++) {
			struct run *r = &res->runs[m][round];

			if (!wanted(b, res, m))
				continue;
			res->rounds_done[m] = round + 1;
			if (!r->err)
				continue;
			res->failures++;
			if (!round)
				snprintf(res->skipped[m], BENCH_WHY,
					 "round 0 failed: %s", r->why);
		}
	}
}

/* --- statistics and the report ----------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct stats {
	unsigned int n;
	double median, min, max;
	double cpu_ms_per_mb;	  /* median */
	double sys_ms_per_mb;	  /* median, the whole guest */
	double emu_pct;		  /* median emulator CPU, % of one CPU */
	double rates[MAX_ROUNDS]; /* MB/s of each timed run, in round order */
	double cpus[MAX_ROUNDS];  /* process CPU ms/MB of each */
	double syss[MAX_ROUNDS];  /* guest CPU ms/MB of each */
	double emus[MAX_ROUNDS];  /* emulator CPU % of each */
};

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Over the timed rounds that succeeded */
static struct stats stats_of(const struct results *res, enum method m)
{
	double rate[MAX_ROUNDS], cpu[MAX_ROUNDS], emu[MAX_ROUNDS];
	double sys[MAX_ROUNDS];
	struct stats st = { 0 };
	unsigned int round;

	for (round = 1; round < res->rounds_done[m]; round++) {
		const struct run *r = &res->runs[m][round];

		if (r->err || !r->bytes)
			continue;
		rate[st.n] = mb_s(r);
		st.rates[st.n] = rate[st.n];
		cpu[st.n] = r->cpu_secs * 1e3 / ((double)r->bytes / 1e6);
		sys[st.n] = r->sys_cpu_secs * 1e3 / ((double)r->bytes / 1e6);
		st.cpus[st.n] = cpu[st.n];
		st.syss[st.n] = sys[st.n];
		emu[st.n] = pct(r->emu_cpu_secs, r->secs);
		st.emus[st.n] = emu[st.n];
		st.n++;
	}
	if (!st.n)
		return st;
	st.median = median(rate, st.n);
	st.min = rate[0];
	st.max = rate[st.n - 1];
	st.cpu_ms_per_mb = median(cpu, st.n);
	st.sys_ms_per_mb = median(sys, st.n);
	st.emu_pct = median(emu, st.n);
	return st;
}

/*
 * The median over the timed rounds of @m's rate divided by @base's in the
 * same round: runs a few seconds apart share the host's load, so this
 * ratio moves less with it than the ratio of the medians.  0 when no
 * round has both.  @v gets the ratio of every round that has both, @n
 * their number (either may be NULL).
 */
static double paired(const struct results *res, enum method m,
		     enum method base_m, double *v, unsigned int *n_out)
{
	double ratio[MAX_ROUNDS];
	unsigned int round, n = 0;

	for (round = 1;
	     round < res->rounds_done[m] && round < res->rounds_done[base_m];
	     round++) {
		const struct run *r = &res->runs[m][round];
		const struct run *base = &res->runs[base_m][round];

		if (r->err || base->err || !r->bytes || !base->bytes)
			continue;
		ratio[n] = mb_s(r) / mb_s(base);
		if (v)
			v[n] = ratio[n];
		n++;
	}
	if (n_out)
		*n_out = n;
	return n ? median(ratio, n) : 0;
}

static double paired_ratio(const struct results *res, enum method m)
{
	return paired(res, m, M_LIBUSB, NULL, NULL);
}

static void report_head(FILE *f, const struct bench *b)
{
	const struct bench_opts *o = &b->opt;
	uint64_t page = (uint64_t)o->width_px * o->height_px;
	struct wiascan_caps caps = { 0 };
	struct utsname u;
	unsigned int i;

	uname(&u);
	fprintf(f, "guest: Linux %s, %ld CPUs\n", u.release,
		sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(f, "emulator: wiascan-emu --sheets %u", o->pages);
	for (i = 0; i < o->n_emu_args; i++)
		fprintf(f, " %s", o->emu_args[i]);
	fputc('\n', f);
	if (b->fd >= 0 && !ioctl(b->fd, WIASCAN_IOC_QUERYCAP, &caps))
		fprintf(f,
			"device: speed %u (3 = high), bulk-in wMaxPacketSize %u, scatter-gather %s\n",
			caps.speed, caps.bulk_in_maxpacket,
			caps.caps & WIASCAN_CAP_SG ? "yes" : "no");
	fprintf(f,
		"scan: %u ADF pages of A4 gray at %u dpi (%u x %u bytes), %.2f MB a run\n",
		o->pages, o->dpi, o->width_px, o->height_px,
		(double)page * o->pages / 1e6);
	fprintf(f,
		"ring: %u x %u KiB (mmap ring, libusb async, usbtest URBs); read() and libusb sync: %u KiB a call; SourceSink: %u x %u KiB\n",
		o->ring_count, o->ring_size / 1024, o->rw_size / 1024,
		o->ss_qlen, o->ss_buflen / 1024);
	fprintf(f,
		"rounds: 1 verifying (every byte checked, not counted) + %u timed, interleaved; MB = 10^6 bytes\n",
		o->rounds);
}

static const char *verified(const struct results *res, enum method m)
{
	const struct run *r0 = &res->runs[m][0];

	if (m == M_USBTEST)
		return "n/a";
	if (m == M_SSRING && !r0->err)
		return r0->checked == r0->bytes ? "zeros" : "partly";
	if (r0->err)
		return "NO";
	return r0->checked == r0->bytes ? "yes" : "partly";
}

static void report_table(FILE *f, const struct bench *b,
			 const struct results *res)
{
	struct stats base = stats_of(res, M_LIBUSB), st;
	unsigned int m;

	fprintf(f, "\n%-20s %7s %7s %7s %7s %7s %7s %7s %5s  %s\n", "method",
		"median", "min", "max", "ratio", "paired", "CPU", "guest",
		"emu", "bytes");
	fprintf(f, "%-20s %7s %7s %7s %7s %7s %7s %7s %5s  %s\n", "", "MB/s",
		"MB/s", "MB/s", "libusb", "ratio", "ms/MB", "ms/MB", "CPU%",
		"verified");
	for (m = 0; m < N_METHODS; m++) {
		if (!(b->opt.methods & (1U << m)))
			continue;
		st = stats_of(res, m);
		fprintf(f, "%-20s ", methods[m].name);
		if (!st.n) {
			fprintf(f, "not measured: %s\n",
				res->skipped[m][0] ? res->skipped[m] :
						     "every timed run failed");
			continue;
		}
		fprintf(f, "%7.1f %7.1f %7.1f ", st.median, st.min, st.max);
		if (base.n)
			fprintf(f, "%6.2fx %6.2fx ", st.median / base.median,
				paired_ratio(res, m));
		else
			fprintf(f, "%7s %7s ", "-", "-");
		fprintf(f, "%7.2f %7.2f ", st.cpu_ms_per_mb, st.sys_ms_per_mb);
		if (m == M_USBTEST || m == M_SSRING)
			fprintf(f, "%5s ", "-");
		else
			fprintf(f, "%5.0f ", st.emu_pct);
		fprintf(f, " %s", verified(res, m));
		if (st.n < b->opt.rounds)
			fprintf(f, " (%u of %u timed runs succeeded)", st.n,
				b->opt.rounds);
		fputc('\n', f);
	}
	fprintf(f,
		"\nmedian, min, max: over the timed runs; ratio: median / libusb sync's median;\n"
		"paired ratio: median over the rounds of rate / libusb sync's in the same round;\n"
		"CPU ms/MB: user + system time of the reading process per MB (median);\n"
		"guest ms/MB: busy time of all the guest's CPUs per MB (/proc/stat, median);\n"
		"emu CPU%%: the emulator's CPU time (the device side), %% of one CPU;\n"
		"bytes verified: every byte of round 0 equal to the formula (usbtest: zeros\n"
		"from the gadget, not comparable; it checks transfer lengths only).\n");
}

static void report_runs(FILE *f, const struct bench *b,
			const struct results *res)
{
	unsigned int m, round;

	fprintf(f, "\nevery run, MB/s (round 0 = verifying run):\n");
	for (m = 0; m < N_METHODS; m++) {
		if (!(b->opt.methods & (1U << m)) || !res->rounds_done[m])
			continue;
		fprintf(f, "%-20s", methods[m].name);
		for (round = 0; round < res->rounds_done[m]; round++) {
			const struct run *r = &res->runs[m][round];

			if (r->err)
				fprintf(f, " %7s", "failed");
			else
				fprintf(f, " %7.1f", mb_s(r));
		}
		fputc('\n', f);
	}
	for (m = 0; m < N_METHODS; m++)
		for (round = 0; round < res->rounds_done[m]; round++)
			if (res->runs[m][round].err)
				fprintf(f, "%s round %u failed: %s\n",
					methods[m].name, round,
					res->runs[m][round].why);
}

#define RING_TARGET 0.95 /* issue 14 item 5: the ring against the ceiling */

static double min_of(const double *v, unsigned int n)
{
	double m = n ? v[0] : 0;

	while (n--)
		m = v[n] < m ? v[n] : m;
	return m;
}

static double max_of(const double *v, unsigned int n)
{
	double m = n ? v[0] : 0;

	while (n--)
		m = v[n] > m ? v[n] : m;
	return m;
}

/* The ring against usbtest on one gadget, and the emulator's ceiling */
static void report_ceiling(FILE *f, const struct results *res)
{
	struct stats ss = stats_of(res, M_SSRING),
		     ut = stats_of(res, M_USBTEST);
	struct stats mm = stats_of(res, M_MMAP);
	double v[MAX_ROUNDS], r;
	unsigned int n;

	if (!ss.n || !ut.n)
		return;
	r = paired(res, M_SSRING, M_USBTEST, v, &n);
	fprintf(f,
		"\nthe ring against the bus ceiling, the same SourceSink gadget, alternating:\n"
		"  ring / usbtest, paired: %.3f (%.3f..%.3f over %u rounds), target >= %.2f: %s\n"
		"  ring    %.1f MB/s, CPU %.2f ms/MB process, %.2f ms/MB guest\n"
		"  usbtest %.1f MB/s, CPU %.2f ms/MB process, %.2f ms/MB guest\n",
		r, min_of(v, n), max_of(v, n), n, RING_TARGET,
		r >= RING_TARGET ? "met" : "NOT met", ss.median,
		ss.cpu_ms_per_mb, ss.sys_ms_per_mb, ut.median, ut.cpu_ms_per_mb,
		ut.sys_ms_per_mb);
	if (!mm.n)
		return;
	r = paired(res, M_MMAP, M_SSRING, v, &n);
	fprintf(f,
		"the emulator's ceiling: the mmap ring on the emulator / the ring on SourceSink,\n"
		"  paired: %.3f (%.3f..%.3f); emulator CPU %.0f %% of one CPU (median)\n",
		r, min_of(v, n), max_of(v, n), mm.emu_pct);
}

static void report(FILE *f, const struct bench *b, const struct results *res)
{
	report_head(f, b);
	report_table(f, b, res);
	report_ceiling(f, res);
	report_runs(f, b, res);
	fflush(f);
}

static int write_report(const struct bench *b, const struct results *res)
{
	FILE *f;

	if (!b->opt.out) {
		printf("\n");
		report(stdout, b, res);
		return 0;
	}
	f = fopen(b->opt.out, "w");
	if (!f) {
		fprintf(stderr, PROG ": %s: %s\n", b->opt.out, strerror(errno));
		return -errno;
	}
	report(f, b, res);
	return fclose(f) ? -errno : 0;
}

/* One entry of the COMMON.md schema's "figures" list */
static void json_fig(FILE *f, bool *first, const char *name, double value,
		     const char *unit, const double *runs, unsigned int n,
		     const char *target, int met)
{
	unsigned int i;

	fprintf(f,
		"%s\n  {\"name\": \"%s\", \"value\": %.4f, \"unit\": \"%s\", \"median_of\": %u, \"runs\": [",
		*first ? "" : ",", name, value, unit, n);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%.4f", i ? ", " : "", runs[i]);
	fprintf(f, "], \"target\": ");
	if (target)
		fprintf(f, "\"%s\"", target);
	else
		fputs("null", f);
	fprintf(f, ", \"met\": %s}", met < 0 ? "null" : met ? "true" : "false");
	*first = false;
}

/*
 * The figures as a JSON list (the "figures" of COMMON.md's schema;
 * kernel-bench wraps it with the date, the machine and the host's load)
 */
static int write_json(const char *path, const struct bench *b,
		      const struct results *res)
{
	char name[128];
	bool first = true;
	struct stats st;
	double v[MAX_ROUNDS], r;
	unsigned int m, n;
	FILE *f;

	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputc('[', f);
	for (m = 0; m < N_METHODS; m++) {
		if (!(b->opt.methods & (1U << m)))
			continue;
		st = stats_of(res, m);
		if (!st.n)
			continue;
		snprintf(name, sizeof(name), "%s throughput", methods[m].name);
		json_fig(f, &first, name, st.median, "MB/s", st.rates, st.n,
			 NULL, -1);
		snprintf(name, sizeof(name), "%s CPU (process)",
			 methods[m].name);
		json_fig(f, &first, name, st.cpu_ms_per_mb, "ms/MB", st.cpus,
			 st.n, NULL, -1);
		snprintf(name, sizeof(name), "%s CPU (guest)", methods[m].name);
		json_fig(f, &first, name, st.sys_ms_per_mb, "ms/MB", st.syss,
			 st.n, NULL, -1);
		if (m != M_USBTEST && m != M_SSRING) {
			snprintf(name, sizeof(name), "%s emulator CPU",
				 methods[m].name);
			json_fig(f, &first, name, st.emu_pct, "% of one CPU",
				 st.emus, st.n, NULL, -1);
		}
	}
	r = paired(res, M_SSRING, M_USBTEST, v, &n);
	if (n)
		json_fig(
			f, &first,
			"ring / usbtest test 28, same SourceSink gadget (paired)",
			r, "ratio", v, n, ">= 0.95", r >= RING_TARGET);
	r = paired(res, M_MMAP, M_SSRING, v, &n);
	if (n)
		json_fig(
			f, &first,
			"emulator ceiling: mmap ring on the emulator / ring on SourceSink (paired)",
			r, "ratio", v, n, NULL, -1);
	r = paired(res, M_MMAP, M_LIBUSB, v, &n);
	if (n)
		json_fig(f, &first, "mmap ring / libusb sync (paired)", r,
			 "ratio", v, n, NULL, -1);
	fputs("\n]\n", f);
	return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
	static struct results res;
	static struct scanner emu;
	struct bench b = { .emu = &emu, .fd = -1 };
	char why[BENCH_WHY] = "";
	const char *missing;
	int ret, status = 0;

	parse_options(&b.opt, argc, argv);
	set_top();
	missing = wt_rig_missing();
	if (missing) {
		fprintf(stderr, PROG ": %s\n", missing);
		return EXIT_NO_RIG;
	}
	if (b.opt.contig && bench_set_sg(false)) {
		fprintf(stderr, PROG ": cannot set scatter_gather=N\n");
		return EXIT_NO_RIG;
	}
	if ((b.opt.methods & (1U << M_USBTEST | 1U << M_SSRING)) &&
	    usbtest_setup(&b, why)) {
		snprintf(res.skipped[M_USBTEST], BENCH_WHY, "%s", why);
		snprintf(res.skipped[M_SSRING], BENCH_WHY, "%s", why);
		fprintf(stderr,
			PROG
			": usbtest and the ring on SourceSink skipped: %s\n",
			why);
	}
	ret = emu_up(&b, why);
	if (ret) {
		fprintf(stderr, PROG ": %s\n", why);
		status = EXIT_NO_RIG;
	} else {
		mark_watch(emu.emu_pid);
		run_rounds(&b, &res);
		node_open(&b); /* for QUERYCAP in the report */
		if (write_report(&b, &res) || res.failures)
			status = EXIT_FAILED;
		if (b.opt.json && write_json(b.opt.json, &b, &res))
			status = EXIT_FAILED;
	}
	node_close(&b);
	if (status)
		wt_dump_log(&emu);
	if (wt_emu_stop(&emu))
		fprintf(stderr, PROG ": the emulator did not stop cleanly\n");
	if (b.usbtest_ok)
		usbtest_teardown(&b);
	if (b.opt.contig)
		bench_set_sg(true);
	if (res.failures)
		fprintf(stderr, PROG ": failed runs: %u\n", res.failures);
	return status;
}
