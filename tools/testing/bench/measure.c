// SPDX-License-Identifier: GPL-2.0
/*
 * The clocks of a run: wall time, the CPU time of this process (the
 * reader: getrusage() counts all its threads, libusb's included) and the
 * CPU time of the emulator (the device side, a separate process): an
 * emulator near 100 % of one CPU sets the figure, not the path measured.
 *
 * Debian's kernel samples CPU time at each tick (250 Hz, no
 * IRQ_TIME_ACCOUNTING): work in interrupt or softirq context, such as
 * dummy_hcd's copy of every packet in its timer's softirq, is charged to
 * whatever task the tick found running, or to idle.  So the figures are
 * the process-context cost (ioctls, read(), usbfs' copies, libusb) with
 * a sampling error of a few ticks, not the whole cost of a byte.  The
 * guest's /proc/stat has the same blind spot, which is why it is not used.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static pid_t watched; /* the emulator, 0 for none */

void mark_watch(pid_t emu_pid)
{
	watched = emu_pid;
}

/* utime + stime of process @pid in seconds, 0 when it cannot be read */
static double proc_cpu(pid_t pid)
{
	unsigned long long ticks = 0;
	char path[64], line[1024], *p, *tok, *save;
	unsigned int field;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	/* "pid (comm) state ppid ...": utime and stime are fields 14 and 15 */
	p = p ? strrchr(line, ')') : NULL;
	if (!p)
		return 0;
	field = 3;
	for (tok = strtok_r(p + 1, " ", &save); tok && field <= 15;
	     tok = strtok_r(NULL, " ", &save), field++)
		if (field >= 14)
			ticks += strtoull(tok, NULL, 10);
	return field > 15 ? (double)ticks / (double)sysconf(_SC_CLK_TCK) : 0;
}

/* Busy seconds of all the guest's CPUs: /proc/stat's first line */
static double sys_cpu(void)
{
	unsigned long long busy = 0;
	char line[512], *p, *end;
	unsigned int i;
	FILE *f;

	f = fopen("/proc/stat", "re");
	if (!f)
		return 0;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	if (!p || strncmp(line, "cpu ", 4) != 0)
		return 0;
	/* user nice system idle iowait irq softirq steal */
	for (i = 0, p = line + 4; i < 8; i++, p = end) {
		unsigned long long v = strtoull(p, &end, 10);

		if (end == p)
			return 0;
		if (i != 3 && i != 4)
			busy += v;
	}
	return (double)busy / (double)sysconf(_SC_CLK_TCK);
}

void mark_now(struct mark *m)
{
	struct timespec t;
	struct rusage ru;

	clock_gettime(CLOCK_MONOTONIC, &t);
	getrusage(RUSAGE_SELF, &ru);
	m->wall = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
	m->cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		 (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	m->emu_cpu = watched ? proc_cpu(watched) : 0;
	m->sys_cpu = sys_cpu();
}

void run_close(struct run *r, const struct mark *t0, const struct mark *t1)
{
	r->secs = t1->wall - t0->wall;
	r->cpu_secs = t1->cpu - t0->cpu;
	r->emu_cpu_secs = t1->emu_cpu - t0->emu_cpu;
	r->sys_cpu_secs = t1->sys_cpu - t0->sys_cpu;
}

int run_fail(struct run *r, int err, const char *fmt, ...)
{
	va_list ap;

	if (r->err)
		return r->err;
	r->err = err ? err : -EIO;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return r->err;
}
