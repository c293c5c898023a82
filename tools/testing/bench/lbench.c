// SPDX-License-Identifier: GPL-2.0
/*
 * lbench: latency of wiascan-helper against the scanner's own, in the VM
 * rig (as root; README beside this file).  In each round, alternating:
 *
 *   device    the scanner's own response: from just before START (the
 *             control transfer, through wiascan.ko's WIASCAN_IOC_CONTROL)
 *             to the return of the first read() of one 512-byte packet
 *             of the page; the rest of the page is read and checked
 *   first     from fork() of `wiascan-helper scan` (flatbed, gray, A4,
 *             300 dpi, -F raw into the guest's tmpfs) to the first write
 *             to its output file (inotify IN_MODIFY on the directory)
 *   sigint    a flatbed page of A4 gray at 600 dpi (34.8 MB): SIGINT
 *             SIGINT_AFTER_MS after the first write, while the page is
 *             still streaming (checked: the file is shorter than the
 *             page), to the helper's exit (waitpid), which must be 11
 *
 * and, as the guest's floors with no device: fork() to exit of /bin/true
 * and of `wiascan-helper --version` (exec, the dynamic loader and the
 * libraries), and SIGINT to exit of a sleeping /bin/sleep.
 *
 * Medians of the rounds, with min..max; targets (issue 14 item 6):
 * first <= 100 ms + device, sigint <= 200 ms + device.
 *
 *   lbench [--rounds N] [--bin DIR] [--baseline HELPER] [--out FILE]
 *          [--json FILE]
 *
 * --bin DIR runs DIR/wiascan-helper, DIR/true and DIR/sleep (copies in
 * the guest's tmpfs, see set_programs()).  --baseline HELPER also times
 * the first byte of another wiascan-helper (an older build) in every
 * round, next to the helper's, and reports the difference paired per
 * round.
 *
 * Exit status: 0 every run succeeded, 1 a run failed, 2 usage, 3 no rig.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wiascan_test.h"

#define PROG		"lbench"
#define MAX_ROUNDS	31
#define SIGINT_AFTER_MS 100
#define WAIT_MS		20000
#define EXIT_CANCELLED	11 /* wiascan-helper: cancelled by SIGINT */
#define OUT_DIR		"/tmp/lbench"
#define OUT_NAME	"lat.raw"

enum {
	L_DEVICE,
	L_FIRST,
	L_SIGINT,
	L_TRUE,
	L_VERSION,
	L_SLEEP,
	L_BASE_FIRST, /* --baseline only */
	N_LAT
};

static const char *const names[N_LAT] = {
	[L_DEVICE] = "device: START to first bulk-in packet",
	[L_FIRST] = "helper: start to first byte written",
	[L_SIGINT] = "helper: SIGINT mid-page to exit",
	[L_TRUE] = "floor: fork to exit of /bin/true",
	[L_VERSION] = "fork to exit of helper --version",
	[L_SLEEP] = "floor: SIGINT to exit of /bin/sleep",
	[L_BASE_FIRST] = "baseline helper: start to first byte",
};

struct results {
	double ms[N_LAT][MAX_ROUNDS];
	unsigned int n[N_LAT];
	unsigned int failures;
};

/* The selftests' helpers find the tree from WIASCAN_TOP: three up */
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

static double now_ms(void)
{
	return (double)wt_now_ns() / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of @n values of @v (sorted in a copy) */
static double median(const double *v, unsigned int n, double *min, double *max)
{
	double s[MAX_ROUNDS];

	if (!n)
		return 0;
	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	*min = s[0];
	*max = s[n - 1];
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Wait until the scanner at @node is idle (a cancelled scan may linger) */
static int wait_idle(const char *node)
{
	struct refscan_status st;
	int fd, waited, ret = -ETIMEDOUT;

	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (waited = 0; waited < WAIT_MS; waited += 20) {
		ret = ref_get_status(fd, &st);
		if (ret || st.state == REFSCAN_STATE_IDLE)
			break;
		wt_sleep_ms(20);
	}
	close(fd);
	return ret;
}

/*
 * The device's response: START to the first packet of a flatbed page of
 * A4 gray at 300 dpi, then the rest of the page read and its length
 * checked.  Returns milliseconds, or a negative errno.
 *
 * It claims the scanner and gives the claim up before it closes, as the
 * helper does: a file closed while holding the claim leaves it
 * "abandoned", and the next helper would then recover (cancel, wait for
 * idle, read bulk-in until it stays quiet for 200 ms) before its scan,
 * which is the path after a crashed client, not a scan's first byte.
 */
static double device_once(const char *node)
{
	const uint32_t w = 2480, h = 3508;
	static uint8_t buf[256 * 1024];
	struct refscan_params got;
	struct wiascan_claim claim;
	uint64_t total = 0;
	double t0, t1 = 0;
	ssize_t n;
	int fd, ret;

	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&claim, 0, sizeof(claim));
	if (ioctl(fd, WIASCAN_IOC_CLAIM, &claim) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = wt_set_timeout(fd, WAIT_MS);
	ret = ret   ?:
		      ref_configure(fd, REFSCAN_MODE_GRAY,
				    REFSCAN_SOURCE_FLATBED, 300, w, h, &got);
	if (ret) {
		close(fd);
		return ret;
	}
	t0 = now_ms();
	ret = ref_start(fd);
	n = ret ? -1 : read(fd, buf, 512);
	t1 = now_ms();
	if (n == 512)
		total = 512;
	else if (!ret)
		ret = n < 0 ? -errno : -EPROTO;
	while (!ret) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			ret = -errno;
			break;
		}
		total += (uint64_t)n;
		if ((size_t)n < sizeof(buf))
			break;
	}
	if (ioctl(fd, WIASCAN_IOC_UNCLAIM, NULL) < 0 && !ret)
		ret = -errno;
	close(fd);
	if (!ret && total != (uint64_t)w * h)
		ret = -EPROTO;
	return ret ? ret : t1 - t0;
}

/*
 * The programs run: the tree's helper, /bin/true and /bin/sleep, or with
 * --bin DIR their copies in DIR.  kernel-bench-guest copies them with the
 * libraries they load into the guest's tmpfs (and sets LD_LIBRARY_PATH):
 * the guest's root and the tree are 9p mounts of the host's, where page
 * faults of a mapped binary or library go to the host (the tree has no
 * page cache at all): `wiascan-helper --version` took 0.5..1.1 s from
 * there and 0.17 s from tmpfs (/bin/true 0.07..0.2 s) on the loaded host.
 * An installed system has them on a local disk, cached after a first run.
 */
static char helper[PATH_MAX], true_path[PATH_MAX], sleep_path[PATH_MAX];
static const char *baseline; /* --baseline: another wiascan-helper, or NULL */

static void set_programs(const char *bin)
{
	if (!bin) {
		snprintf(helper, sizeof(helper), "%s", wt_helper_path());
		snprintf(true_path, sizeof(true_path), "/bin/true");
		snprintf(sleep_path, sizeof(sleep_path), "/bin/sleep");
		return;
	}
	snprintf(helper, sizeof(helper), "%s/wiascan-helper", bin);
	snprintf(true_path, sizeof(true_path), "%s/true", bin);
	snprintf(sleep_path, sizeof(sleep_path), "%s/sleep", bin);
}

static const char out_path[] = OUT_DIR "/" OUT_NAME;

/* Start `@prog scan` (a wiascan-helper) at @dpi into OUT_DIR/OUT_NAME */
static pid_t helper_start(const char *prog, const char *node, const char *dpi)
{
	const char *argv[] = { prog,	  "scan",   "-d",	  node,	  "-S",
			       "flatbed", "-m",	    "gray",	  "-r",	  dpi,
			       "-F",	  "raw",    "--progress", "none", "-f",
			       "-o",	  out_path, NULL };
	pid_t pid;
	int null;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Wait for the first write to a file of OUT_DIR; the time, or -errno */
static double first_write(int ino)
{
	char ev[sizeof(struct inotify_event) + NAME_MAX + 1]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd p = { .fd = ino, .events = POLLIN };
	ssize_t n;

	for (;;) {
		if (poll(&p, 1, WAIT_MS) <= 0)
			return -ETIMEDOUT;
		n = read(ino, ev, sizeof(ev));
		if (n < 0 && errno != EINTR)
			return -errno;
		/* any IN_MODIFY: the helper is the only writer here */
		if (n > 0)
			return now_ms();
	}
}

/* Size of the helper's output (FILE.part while it writes) */
static long long out_size(void)
{
	struct stat st;

	if (!stat(OUT_DIR "/" OUT_NAME ".part", &st) ||
	    !stat(OUT_DIR "/" OUT_NAME, &st))
		return (long long)st.st_size;
	return -1;
}

static int wait_exit(pid_t pid, double *t)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	*t = now_ms();
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/*
 * One run of the helper @prog: @sigint false times the first write and
 * lets the scan finish (exit 0, the page's bytes); true also sends SIGINT
 * SIGINT_AFTER_MS after the first write and times the exit (11).
 */
static double helper_once(const char *prog, const char *node, bool sigint,
			  char *why)
{
	double t0, t1, t2 = 0, t3 = 0;
	long long size, page = sigint ? 4960LL * 7016 : 2480LL * 3508;
	pid_t pid;
	int ino, code;

	unlink(OUT_DIR "/" OUT_NAME);
	unlink(OUT_DIR "/" OUT_NAME ".part");
	ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ino < 0 || inotify_add_watch(ino, OUT_DIR, IN_MODIFY) < 0) {
		snprintf(why, 256, "inotify on " OUT_DIR ": %s",
			 strerror(errno));
		return -errno;
	}
	t0 = now_ms();
	pid = helper_start(prog, node, sigint ? "600" : "300");
	if (pid < 0) {
		close(ino);
		return -errno;
	}
	t1 = first_write(ino);
	close(ino);
	if (t1 < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		snprintf(why, 256, "no write to the output file");
		return t1;
	}
	if (sigint) {
		wt_sleep_ms(SIGINT_AFTER_MS);
		size = out_size();
		t2 = now_ms();
		kill(pid, SIGINT);
		if (size < 0 || size >= page) {
			snprintf(why, 256,
				 "SIGINT not mid-page: %lld of %lld bytes",
				 size, page);
			waitpid(pid, NULL, 0);
			return -EPROTO;
		}
	}
	code = wait_exit(pid, &t3);
	if (code != (sigint ? EXIT_CANCELLED : 0)) {
		snprintf(why, 256, "wiascan-helper exit %d, not %d", code,
			 sigint ? EXIT_CANCELLED : 0);
		return -EPROTO;
	}
	size = out_size();
	if (!sigint && size != page) {
		snprintf(why, 256, "the file has %lld bytes, not %lld", size,
			 page);
		return -EPROTO;
	}
	return sigint ? t3 - t2 : t1 - t0;
}

/*
 * The guest's floors, no device: fork() to exit of @argv (/bin/true, or
 * the helper's --version: exec, the dynamic loader and its libraries),
 * or with @sigint, SIGINT to exit of a sleeping /bin/sleep.
 */
static double floor_once(const char *const *argv, bool sigint)
{
	double t0, t1 = 0;
	pid_t pid;
	int null, code;

	fflush(NULL);
	t0 = now_ms();
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (sigint) {
		wt_sleep_ms(200);
		t0 = now_ms();
		kill(pid, SIGINT);
	}
	code = wait_exit(pid, &t1);
	if (code != (sigint ? 128 + SIGINT : 0))
		return -EPROTO;
	return t1 - t0;
}

/*
 * @d[i] = @res's row @a - row @b of round i, for the rounds where both
 * ran (rows that lost a run to a failure are not paired: 0 returned)
 */
static unsigned int paired(const struct results *res, unsigned int a,
			   unsigned int b, double *d)
{
	unsigned int i;

	if (res->n[a] != res->n[b])
		return 0;
	for (i = 0; i < res->n[a]; i++)
		d[i] = res->ms[a][i] - res->ms[b][i];
	return res->n[a];
}

static void report(FILE *f, const struct results *res, unsigned int rounds)
{
	double med[N_LAT], lo = 0, hi = 0, d[MAX_ROUNDS], dmed;
	unsigned int l, i, n;

	fprintf(f,
		"wiascan-helper latency, %u rounds (device, first byte, SIGINT alternating)\n",
		rounds);
	for (l = 0; l < N_LAT; l++) {
		med[l] = median(res->ms[l], res->n[l], &lo, &hi);
		if (l == L_BASE_FIRST && !baseline)
			continue;
		fprintf(f, "  %-40s %7.1f ms (%.1f..%.1f, %u runs):", names[l],
			med[l], res->n[l] ? lo : 0, res->n[l] ? hi : 0,
			res->n[l]);
		for (i = 0; i < res->n[l]; i++)
			fprintf(f, " %.1f", res->ms[l][i]);
		fputc('\n', f);
	}
	fprintf(f,
		"  first byte - device  %6.1f ms   target <= 100 ms: %s\n"
		"  SIGINT exit - device %6.1f ms   target <= 200 ms: %s\n"
		"  first byte - device - /bin/true's fork to exit  %6.1f ms\n"
		"  SIGINT exit - /bin/sleep's SIGINT to exit       %6.1f ms\n",
		med[L_FIRST] - med[L_DEVICE],
		med[L_FIRST] - med[L_DEVICE] <= 100 ? "met" : "NOT met",
		med[L_SIGINT] - med[L_DEVICE],
		med[L_SIGINT] - med[L_DEVICE] <= 200 ? "met" : "NOT met",
		med[L_FIRST] - med[L_DEVICE] - med[L_TRUE],
		med[L_SIGINT] - med[L_SLEEP]);
	if (baseline) {
		n = paired(res, L_FIRST, L_BASE_FIRST, d);
		dmed = median(d, n, &lo, &hi);
		fprintf(f,
			"  first byte - baseline's, paired per round %6.1f ms (%.1f..%.1f, %u rounds)\n"
			"  baseline: %s\n",
			dmed, n ? lo : 0, n ? hi : 0, n, baseline);
	}
	if (res->failures)
		fprintf(f, "  FAILED runs: %u\n", res->failures);
}

static void json_fig(FILE *f, const char *name, double value,
		     const double *runs, unsigned int n, const char *target,
		     int met, bool last)
{
	unsigned int i;

	fprintf(f,
		"  {\"name\": \"%s\", \"value\": %.2f, \"unit\": \"ms\", \"median_of\": %u, \"runs\": [",
		name, value, n);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%.2f", i ? ", " : "", runs[i]);
	fprintf(f, "], \"target\": ");
	if (target)
		fprintf(f, "\"%s\"", target);
	else
		fputs("null", f);
	fprintf(f, ", \"met\": %s}%s\n",
		met < 0 ? "null" :
		met	? "true" :
			  "false",
		last ? "" : ",");
}

/* The "figures" list of COMMON.md's schema (kernel-bench wraps it) */
static int write_json(const char *path, const struct results *res)
{
	double med[N_LAT], lo = 0, hi = 0, d1[MAX_ROUNDS], d2[MAX_ROUNDS];
	double d3[MAX_ROUNDS];
	unsigned int l, i, n1 = 0, n2 = 0, n3;
	FILE *f;

	f = fopen(path, "w");
	if (!f)
		return -errno;
	for (l = 0; l < N_LAT; l++)
		med[l] = median(res->ms[l], res->n[l], &lo, &hi);
	/* per round, where the round has both */
	for (i = 0; i < res->n[L_FIRST] && i < res->n[L_DEVICE]; i++)
		d1[n1++] = res->ms[L_FIRST][i] - res->ms[L_DEVICE][i];
	for (i = 0; i < res->n[L_SIGINT] && i < res->n[L_DEVICE]; i++)
		d2[n2++] = res->ms[L_SIGINT][i] - res->ms[L_DEVICE][i];
	fputs("[\n", f);
	for (l = 0; l < N_LAT; l++)
		if (l != L_BASE_FIRST || baseline)
			json_fig(f, names[l], med[l], res->ms[l], res->n[l],
				 NULL, -1, false);
	if (baseline) {
		n3 = paired(res, L_FIRST, L_BASE_FIRST, d3);
		json_fig(f, "helper first byte minus baseline's, paired",
			 median(d3, n3, &lo, &hi), d3, n3, NULL, -1, false);
	}
	json_fig(f, "helper first byte minus device response",
		 med[L_FIRST] - med[L_DEVICE], d1, n1, "<= 100 ms",
		 med[L_FIRST] - med[L_DEVICE] <= 100, false);
	json_fig(f, "helper SIGINT to exit minus device response",
		 med[L_SIGINT] - med[L_DEVICE], d2, n2, "<= 200 ms",
		 med[L_SIGINT] - med[L_DEVICE] <= 200, true);
	fputs("]\n", f);
	return fclose(f) ? -errno : 0;
}

/*
 * The runs of round @round, in order: with --baseline, the baseline's
 * first byte right before or after the helper's (alternating by round,
 * so neither always follows the device's run)
 */
static unsigned int round_order(unsigned int round, unsigned int *order)
{
	unsigned int n = 0;

	order[n++] = L_DEVICE;
	if (baseline && round % 2)
		order[n++] = L_BASE_FIRST;
	order[n++] = L_FIRST;
	if (baseline && !(round % 2))
		order[n++] = L_BASE_FIRST;
	order[n++] = L_SIGINT;
	order[n++] = L_TRUE;
	order[n++] = L_VERSION;
	order[n++] = L_SLEEP;
	return n;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "json", required_argument, NULL, 'j' },
		{ "bin", required_argument, NULL, 'b' },
		{ "baseline", required_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const emu_args[] = { "--sheets", "1", NULL };
	static const char *true_argv[] = { true_path, NULL };
	static const char *sleep_argv[] = { sleep_path, "60", NULL };
	static const char *version_argv[] = { NULL, "--version", NULL };
	const char *out = NULL, *json = NULL, *bin = NULL, *missing;
	static struct results res;
	struct scanner s = { .fd = -1 };
	unsigned int rounds = 7, round, l, k, n, order[N_LAT];
	char why[256];
	double v;
	int c, ret, status = 0;
	FILE *f;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'r')
			rounds = (unsigned int)strtoul(optarg, NULL, 10);
		else if (c == 'b')
			bin = optarg;
		else if (c == 'B')
			baseline = optarg;
		else if (c == 'o')
			out = optarg;
		else if (c == 'j')
			json = optarg;
		else
			return 2;
	}
	if (rounds < 1 || rounds >= MAX_ROUNDS) {
		fprintf(stderr, PROG ": --rounds: 1..%d\n", MAX_ROUNDS - 1);
		return 2;
	}
	set_top();
	missing = wt_rig_missing();
	if (missing) {
		fprintf(stderr, PROG ": %s\n", missing);
		return 3;
	}
	set_programs(bin);
	version_argv[0] = helper;
	if (mkdir(OUT_DIR, 0755) && errno != EEXIST) {
		fprintf(stderr, PROG ": " OUT_DIR ": %s\n", strerror(errno));
		return 3;
	}
	ret = wt_wait_udc_free(WT_GONE_TIMEOUT_MS);
	ret = ret ?: wt_emu_start(&s, emu_args);
	ret = ret ?: wt_wait_node(&s, WT_START_TIMEOUT_MS);
	if (ret) {
		fprintf(stderr, PROG ": the emulator did not come up: %s\n",
			strerror(-ret));
		wt_dump_log(&s);
		wt_emu_stop(&s);
		return 3;
	}
	/* round 0 warms the caches (helper binary, libraries) and is dropped */
	for (round = 0; round <= rounds; round++) {
		n = round_order(round, order);
		for (k = 0; k < n; k++) {
			l = order[k];
			why[0] = '\0';
			ret = wait_idle(s.node);
			if (ret) {
				snprintf(why, sizeof(why), "scanner not idle");
				v = ret;
			} else if (l == L_DEVICE) {
				v = device_once(s.node);
			} else if (l == L_TRUE) {
				v = floor_once(true_argv, false);
			} else if (l == L_VERSION) {
				v = floor_once(version_argv, false);
			} else if (l == L_SLEEP) {
				v = floor_once(sleep_argv, true);
			} else if (l == L_BASE_FIRST) {
				v = helper_once(baseline, s.node, false, why);
			} else {
				v = helper_once(helper, s.node, l == L_SIGINT,
						why);
			}
			if (v < 0) {
				fprintf(stderr,
					PROG ": round %u %s failed: %s (%s)\n",
					round, names[l], why,
					strerror((int)-v));
				res.failures++;
				continue;
			}
			printf("round %u %-40s %7.1f ms\n", round, names[l], v);
			fflush(stdout);
			if (round)
				res.ms[l][res.n[l]++] = v;
		}
	}
	unlink(OUT_DIR "/" OUT_NAME);
	unlink(OUT_DIR "/" OUT_NAME ".part");
	rmdir(OUT_DIR);
	report(stdout, &res, rounds);
	if (out) {
		f = fopen(out, "w");
		if (f) {
			report(f, &res, rounds);
			fclose(f);
		}
	}
	if (json && write_json(json, &res))
		status = 1;
	if (res.failures) {
		status = 1;
		wt_dump_log(&s);
	}
	if (wt_emu_stop(&s))
		fprintf(stderr, PROG ": the emulator did not stop cleanly\n");
	return status;
}
