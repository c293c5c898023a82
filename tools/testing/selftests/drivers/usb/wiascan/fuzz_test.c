// SPDX-License-Identifier: GPL-2.0
/*
 * An ioctl, mmap and read/write fuzzer for /dev/wiascanN.
 *
 * Several threads call every entry point of the driver with random
 * commands (the real ones, near misses with the right magic but a wrong
 * number, size or direction, and random numbers), random field values
 * (sizes, counts, flags, indices, reserved words) and bad pointers (NULL,
 * unmapped, kernel addresses, misaligned, read-only memory), and map,
 * partly unmap, move and re-protect the buffers at random offsets,
 * lengths and protections, and take and give up the exclusive claim
 * (CLAIM, UNCLAIM), while another thread unplugs and replugs the device.  The driver must answer every call with a result or an errno
 * and never crash, warn or leak; the rig (vm-run) fails the run on any
 * kernel report.
 *
 * Reproducible from its seed as far as thread interleaving allows: each
 * thread draws from its own generator seeded from the printed seed.
 *
 * Environment:
 *   WIASCAN_FUZZ_CALLS    calls to make in all (default 100000)
 *   WIASCAN_FUZZ_SEED     seed (default: from the clock; always printed)
 *   WIASCAN_FUZZ_SECONDS  stop after this long even if the calls are not
 *                         done (default 240), which fails the test
 *   WIASCAN_FUZZ_THREADS  fuzzing threads (default 4)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "wiascan_test.h"

#define FUZZ_MAX_THREADS 8
#define FUZZ_MAX_MAPS	 16
#define FUZZ_ERRNOS	 256
/* Longest a fuzzed call may block: timeouts are drawn below this */
#define FUZZ_MAX_WAIT_MS 10
#define PAGE		 4096u

SCANNER_FIXTURE(feeder, "--sheets", "1000", "--chunk-kib", "64")

struct fuzz_map {
	uint8_t *addr;
	size_t len;
	bool readable;
};

struct fuzz_thread {
	pthread_t thread;
	unsigned int id;
	uint64_t rng;
	int fd;
	struct fuzz_map maps[FUZZ_MAX_MAPS];
	uint8_t *scratch; /* two read-write pages */
};

static struct {
	atomic_ulong calls;
	atomic_ulong target;
	atomic_bool stop;
	atomic_ulong plugs;
	atomic_ulong mapped;
	atomic_uint errnos[FUZZ_ERRNOS];
	atomic_uint successes;
	uint8_t *unmapped; /* an address with nothing mapped */
	uint8_t *readonly; /* a read-only page */
	int shared_fd;	   /* one file all threads use, never closed */
	atomic_int plugged;
} fz;

static uint64_t rnd(struct fuzz_thread *t)
{
	/* xorshift64* */
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 0x2545f4914f6cdd1dull;
}

static uint32_t below(struct fuzz_thread *t, uint32_t n)
{
	return n ? (uint32_t)(rnd(t) % n) : 0;
}

static bool chance(struct fuzz_thread *t, unsigned int percent)
{
	return below(t, 100) < percent;
}

static void account(long ret)
{
	int e = ret < 0 ? errno : 0;

	atomic_fetch_add(&fz.calls, 1);
	if (!e)
		atomic_fetch_add(&fz.successes, 1);
	else
		atomic_fetch_add(&fz.errnos[e < FUZZ_ERRNOS ? e : 0], 1);
}

/* A value for a 32-bit field: mostly small or at the edges, sometimes any */
static uint32_t fuzz_u32(struct fuzz_thread *t)
{
	static const uint32_t edges[] = {
		0,	    1,		2,
		3,	    4,		31,
		32,	    33,		255,
		256,	    511,	512,
		4095,	    4096,	4097,
		65535,	    65536,	0x10000,
		1u << 20,   1u << 22,	(1u << 22) + 1,
		0x7fffffff, 0x80000000, 0xfffff000,
		0xffffffff,
	};

	switch (below(t, 4)) {
	case 0:
		return edges[below(t, ARRAY_SIZE(edges))];
	case 1:
		return below(t, 8);
	case 2:
		return (below(t, 16) + 1) * PAGE;
	default:
		return (uint32_t)rnd(t);
	}
}

/* Past the longest timeout the driver takes: just past it, or far */
static uint32_t fuzz_bad_timeout(struct fuzz_thread *t)
{
	return chance(t, 50) ? WIASCAN_TIMEOUT_MAX_MS + 1 + below(t, 1000) :
			       UINT32_MAX;
}

/*
 * A per-call timeout (0: the file's): valid ones stay short so that
 * nothing blocks for long; now and then one past the maximum
 */
static uint32_t fuzz_timeout(struct fuzz_thread *t)
{
	return chance(t, 10) ? fuzz_bad_timeout(t) : below(t, FUZZ_MAX_WAIT_MS);
}

/* An ioctl command: a real one, a near miss, or noise */
static unsigned long fuzz_cmd(struct fuzz_thread *t)
{
	static const unsigned long cmds[] = {
		WIASCAN_IOC_QUERYCAP,
		WIASCAN_IOC_REQBUFS,
		WIASCAN_IOC_QUERYBUF,
		WIASCAN_IOC_QBUF,
		WIASCAN_IOC_DQBUF,
		WIASCAN_IOC_STREAMON,
		WIASCAN_IOC_STREAMOFF,
		WIASCAN_IOC_CONTROL,
		WIASCAN_IOC_WAIT_EVENT,
		WIASCAN_IOC_SET_TIMEOUT,
		WIASCAN_IOC_CLEAR_HALT,
		WIASCAN_IOC_CLAIM,
		/* twice: the claim must move between the files */
		WIASCAN_IOC_UNCLAIM,
		WIASCAN_IOC_UNCLAIM,
	};
	unsigned long cmd = cmds[below(t, ARRAY_SIZE(cmds))];
	unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
				_IOC_READ | _IOC_WRITE };

	switch (below(t, 10)) {
	case 0: /* right magic, any number */
		return _IOC(dirs[below(t, 4)], WIASCAN_IOC_MAGIC, below(t, 32),
			    below(t, 160));
	case 1: /* right number, wrong size */
		return _IOC(_IOC_DIR(cmd), WIASCAN_IOC_MAGIC, _IOC_NR(cmd),
			    (_IOC_SIZE(cmd) + 1 + below(t, 64)) & 0x3fff);
	case 2: /* right number, wrong direction */
		return _IOC(dirs[below(t, 4)], WIASCAN_IOC_MAGIC, _IOC_NR(cmd),
			    _IOC_SIZE(cmd));
	case 3: /* noise */
		return (unsigned long)(uint32_t)rnd(t);
	default:
		return cmd;
	}
}

/* An argument pointer: mostly good memory, sometimes poison */
static void *fuzz_ptr(struct fuzz_thread *t, void *good)
{
	switch (below(t, 14)) {
	case 0:
		return NULL;
	case 1:
		return fz.unmapped;
	case 2:
		return (void *)(uintptr_t)0xffffffff81000000ull;
	case 3:
		return (uint8_t *)good + 1; /* misaligned */
	case 4:
		return fz.readonly;
	case 5: /* the end of the scratch pages: the struct runs off them */
		return t->scratch + 2 * PAGE - 8;
	default:
		return good;
	}
}

/* Fill @arg with field values for @cmd that are plausible, or not */
static void fuzz_fill(struct fuzz_thread *t, unsigned long cmd, void *arg,
		      size_t size)
{
	uint32_t *w = arg;
	size_t i;

	for (i = 0; i < size / 4; i++)
		w[i] = chance(t, 70) ? 0 : fuzz_u32(t);

	switch (cmd) {
	case WIASCAN_IOC_REQBUFS: {
		struct wiascan_reqbufs *r = arg;

		r->count = chance(t, 80) ? below(t, 9) : fuzz_u32(t);
		r->size = chance(t, 80) ?
				  (below(t, 16) + 1) * PAGE - below(t, 2) :
				  fuzz_u32(t);
		break;
	}
	case WIASCAN_IOC_QUERYBUF:
	case WIASCAN_IOC_QBUF:
	case WIASCAN_IOC_DQBUF: {
		struct wiascan_buffer *b = arg;

		b->index = chance(t, 85) ? below(t, 9) : fuzz_u32(t);
		break;
	}
	case WIASCAN_IOC_CONTROL: {
		struct wiascan_ctrl *c = arg;
		static const uint8_t types[] = { 0xc1, 0x41, 0xa1, 0x21, 0xc2,
						 0xc0, 0x80, 0x00, 0xe1, 0xc3 };

		c->request_type = chance(t, 85) ? types[below(t, 10)] :
						  fuzz_u32(t);
		c->request = chance(t, 85) ? below(t, 8) : fuzz_u32(t);
		c->length = chance(t, 85) ? below(t, 64) : fuzz_u32(t);
		c->index = chance(t, 90) ? 0 : fuzz_u32(t);
		c->timeout_ms = fuzz_timeout(t);
		c->data = (uintptr_t)fuzz_ptr(t, t->scratch);
		if (c->request == REFSCAN_REQ_SET_PARAMS && chance(t, 50)) {
			/* a valid scan now and then, so that data flows */
			struct refscan_params *p = (void *)t->scratch;

			memset(p, 0, sizeof(*p));
			p->mode = (uint8_t)below(t, 3);
			p->source = (uint8_t)below(t, 2);
			p->dpi = 100;
			p->width_px = 1 + below(t, 800);
			p->height_px = 1 + below(t, 300);
			c->request_type = REFSCAN_RT_OUT;
			c->length = sizeof(*p);
			c->data = (uintptr_t)p;
		}
		break;
	}
	case WIASCAN_IOC_WAIT_EVENT: {
		struct wiascan_event *e = arg;

		e->timeout_ms = fuzz_timeout(t);
		if (chance(t, 20))
			e->flags = fuzz_u32(t);
		break;
	}
	case WIASCAN_IOC_SET_TIMEOUT: {
		struct wiascan_timeout *to = arg;

		/* the file's timeout: 1 and up, so 0 is invalid too */
		if (chance(t, 80))
			to->timeout_ms = 1 + below(t, FUZZ_MAX_WAIT_MS);
		else
			to->timeout_ms = chance(t, 50) ? 0 :
							 fuzz_bad_timeout(t);
		break;
	}
	case WIASCAN_IOC_CLEAR_HALT: {
		struct wiascan_clear_halt *ch = arg;

		ch->endpoint = chance(t, 80) ?
				       0x80 * below(t, 2) + below(t, 8) :
				       fuzz_u32(t);
		break;
	}
	case WIASCAN_IOC_CLAIM: {
		struct wiascan_claim *c = arg;

		/* mostly valid, or every call would be EINVAL */
		if (chance(t, 80)) {
			memset(c, 0, sizeof(*c));
			if (chance(t, 10))
				c->owner_pid = fuzz_u32(t); /* an output */
		}
		break;
	}
	default:
		break;
	}
}

static int fuzz_fd(struct fuzz_thread *t)
{
	return chance(t, 15) ? fz.shared_fd : t->fd;
}

static void op_ioctl(struct fuzz_thread *t)
{
	uint8_t argbuf[256] __attribute__((aligned(8)));
	unsigned long cmd = fuzz_cmd(t);
	size_t size = _IOC_SIZE(cmd) < sizeof(argbuf) ? _IOC_SIZE(cmd) : 0;
	void *arg;

	fuzz_fill(t, cmd, argbuf, size ? size : sizeof(struct wiascan_caps));
	arg = fuzz_ptr(t, argbuf);
	/* misaligned, a timeout could read as minutes: keep waits short */
	if (cmd == WIASCAN_IOC_SET_TIMEOUT && arg == argbuf + 1)
		arg = argbuf;
	account(ioctl(fuzz_fd(t), cmd, arg));
}

static void forget_map(struct fuzz_map *m)
{
	m->addr = NULL;
	m->len = 0;
}

static void op_mmap(struct fuzz_thread *t)
{
	static const int prots[] = { PROT_READ,
				     PROT_READ,
				     PROT_READ,
				     PROT_WRITE,
				     PROT_READ | PROT_WRITE,
				     PROT_NONE,
				     PROT_READ | PROT_EXEC };
	struct wiascan_buffer b = { .index = below(t, 9) };
	struct fuzz_map *m = &t->maps[below(t, FUZZ_MAX_MAPS)];
	size_t len;
	off_t off;
	int prot, flags, fd = fuzz_fd(t);
	void *p;

	if (m->addr)
		return;
	/* often enough, a ring to map (when this file may own one) */
	if (chance(t, 30) && ioctl(fd, WIASCAN_IOC_QUERYBUF, &b)) {
		struct wiascan_reqbufs rb = {
			.count = 1 + below(t, 4),
			.size = (1 + below(t, 4)) * PAGE,
		};

		account(ioctl(fd, WIASCAN_IOC_REQBUFS, &rb));
	}
	/* a real buffer's offset and length, or something near or far */
	if (chance(t, 70) && !ioctl(fd, WIASCAN_IOC_QUERYBUF, &b)) {
		off = (off_t)b.offset;
		len = b.length;
		if (chance(t, 20))
			off += ((off_t)below(t, 3) - 1) * PAGE;
		if (chance(t, 20))
			len = (size_t)((long)len +
				       ((long)below(t, 3) - 1) * PAGE);
	} else {
		off = (off_t)PAGE * below(t, 64);
		len = (size_t)PAGE * below(t, 64);
		if (chance(t, 10))
			off = (off_t)(rnd(t) & 0x7ffffffffffff000ull);
	}
	prot = prots[below(t, ARRAY_SIZE(prots))];
	flags = chance(t, 80) ? MAP_SHARED : MAP_PRIVATE;
	p = mmap(NULL, len, prot, flags, fd, off);
	account(p == MAP_FAILED ? -1 : 0);
	if (p == MAP_FAILED)
		return;
	atomic_fetch_add(&fz.mapped, 1);
	m->addr = p;
	m->len = len;
	m->readable = prot & PROT_READ;
}

/* Read every page of a mapping: the pages must be there, unplug or not */
static void touch(struct fuzz_map *m)
{
	volatile uint8_t sum = 0;
	size_t i;

	if (!m->readable)
		return;
	for (i = 0; i < m->len; i += PAGE)
		sum += m->addr[i];
	(void)sum;
}

static void op_map_change(struct fuzz_thread *t)
{
	static const int prots[] = { PROT_READ, PROT_NONE, PROT_WRITE,
				     PROT_READ | PROT_WRITE, PROT_EXEC };
	struct fuzz_map *m = &t->maps[below(t, FUZZ_MAX_MAPS)];
	size_t cut;
	void *p;
	int prot;

	if (!m->addr)
		return;
	switch (below(t, 5)) {
	case 0: /* all of it */
		account(munmap(m->addr, m->len));
		forget_map(m);
		break;
	case 1: /* the tail: splits the VMA */
		cut = (size_t)PAGE * below(t, (uint32_t)(m->len / PAGE));
		account(munmap(m->addr + cut, m->len - cut));
		m->len = cut;
		if (!cut)
			forget_map(m);
		break;
	case 2: /* the protection of all of it */
		prot = prots[below(t, ARRAY_SIZE(prots))];
		if (!mprotect(m->addr, m->len, prot)) {
			account(0);
			m->readable = prot & PROT_READ;
		} else {
			account(-1);
		}
		break;
	case 3: /* move it: the VMA is copied and the old one closed */
		p = mremap(m->addr, m->len, m->len, MREMAP_MAYMOVE);
		account(p == MAP_FAILED ? -1 : 0);
		if (p != MAP_FAILED)
			m->addr = p;
		break;
	default:
		touch(m);
		break;
	}
}

static void op_rw(struct fuzz_thread *t)
{
	size_t len = chance(t, 70) ? below(t, 3 * PAGE) : fuzz_u32(t);
	uint8_t *buf = fuzz_ptr(t, t->scratch);
	int fd = fuzz_fd(t);

	if (buf == t->scratch && len > 2 * PAGE)
		len = 2 * PAGE;
	if (chance(t, 50))
		account(read(fd, buf, len));
	else
		account(write(fd, buf, len));
}

static void op_poll(struct fuzz_thread *t)
{
	struct pollfd pfd = { .fd = fuzz_fd(t), .events = (short)rnd(t) };

	account(poll(&pfd, 1, (int)below(t, 3)));
}

/* Reopen the thread's own file, with random flags */
static void op_reopen(struct fuzz_thread *t)
{
	char sysname[32], node[64];
	int flags = O_RDWR | O_CLOEXEC;
	struct wiascan_timeout to = { .timeout_ms = FUZZ_MAX_WAIT_MS };

	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (wt_find_node(sysname, sizeof(sysname)))
		return;
	snprintf(node, sizeof(node), "/dev/%s", sysname);
	if (chance(t, 30))
		flags |= O_NONBLOCK;
	if (chance(t, 10))
		flags = (flags & ~O_RDWR) | O_RDONLY;
	t->fd = open(node, flags);
	account(t->fd);
	if (t->fd >= 0)
		ioctl(t->fd, WIASCAN_IOC_SET_TIMEOUT, &to);
}

static void *fuzz_thread(void *arg)
{
	struct fuzz_thread *t = arg;
	unsigned int i;

	while (!atomic_load(&fz.stop) &&
	       atomic_load(&fz.calls) < atomic_load(&fz.target)) {
		/* calls on no file at all would only measure EBADF */
		if (t->fd < 0) {
			op_reopen(t);
			if (t->fd < 0) {
				wt_sleep_ms(2);
				continue;
			}
		}
		switch (below(t, 20)) {
		case 0:
			op_reopen(t);
			break;
		case 1:
		case 2:
		case 3:
			op_mmap(t);
			break;
		case 4:
		case 5:
		case 6:
			op_map_change(t);
			break;
		case 7:
			op_rw(t);
			break;
		case 8:
			op_poll(t);
			break;
		default:
			op_ioctl(t);
			break;
		}
	}
	for (i = 0; i < FUZZ_MAX_MAPS; i++) {
		touch(&t->maps[i]);
		if (t->maps[i].addr)
			munmap(t->maps[i].addr, t->maps[i].len);
	}
	if (t->fd >= 0)
		close(t->fd);
	return NULL;
}

/*
 * Point the shared descriptor at the new device: dup2() swaps the file
 * atomically under the threads using it, and never leaves it closed.
 */
static void reopen_shared(const char *sysname)
{
	struct wiascan_timeout to = { .timeout_ms = FUZZ_MAX_WAIT_MS };
	char node[64];
	int fd;

	snprintf(node, sizeof(node), "/dev/%s", sysname);
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	ioctl(fd, WIASCAN_IOC_SET_TIMEOUT, &to);
	dup2(fd, fz.shared_fd);
	close(fd);
}

/* Unplug and replug at random intervals until told to stop */
static void *plug_thread(void *arg)
{
	struct fuzz_thread *t = arg;
	char sysname[32];

	while (!atomic_load(&fz.stop)) {
		wt_sleep_ms(50 + (int)below(t, 400));
		if (wt_unplug())
			continue;
		atomic_store(&fz.plugged, 0);
		wt_sleep_ms((int)below(t, 150));
		if (wt_replug())
			break;
		atomic_fetch_add(&fz.plugs, 1);
		atomic_store(&fz.plugged, 1);
		/* wait for the node so that the fuzzers find something to open */
		for (int i = 0;
		     i < 250 && wt_find_node(sysname, sizeof(sysname)); i++)
			wt_sleep_ms(20);
		reopen_shared(sysname);
	}
	return NULL;
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

TEST_F_TIMEOUT(feeder, random_calls_while_replugging_never_crash_the_kernel,
	       900)
{
	struct fuzz_thread threads[FUZZ_MAX_THREADS] = { 0 }, plugger = { 0 };
	unsigned long seed =
		env_ul("WIASCAN_FUZZ_SEED", wt_now_ns() % 1000000007);
	unsigned long secs = env_ul("WIASCAN_FUZZ_SECONDS", 240);
	unsigned int nthreads = (unsigned int)env_ul("WIASCAN_FUZZ_THREADS", 4);
	uint64_t t0 = wt_now_ns();
	unsigned int i, distinct = 0;
	char line[1024];
	size_t pos;

	if (nthreads < 1 || nthreads > FUZZ_MAX_THREADS)
		nthreads = 4;
	atomic_store(&fz.target, env_ul("WIASCAN_FUZZ_CALLS", 100000));
	ksft_print_msg(
		"fuzz: seed %lu (WIASCAN_FUZZ_SEED=%lu reruns it), %lu calls, %u threads\n",
		seed, seed, atomic_load(&fz.target), nthreads);
	fflush(stdout);

	fz.unmapped =
		mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, fz.unmapped);
	munmap(fz.unmapped, PAGE);
	fz.readonly =
		mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, fz.readonly);
	fz.shared_fd = self->s.fd;
	ASSERT_EQ(0, wt_set_timeout(fz.shared_fd, FUZZ_MAX_WAIT_MS));
	/* some data to move: an ADF scan of many sheets, started once */
	ref_start(fz.shared_fd);
	/* START took the claim: let the threads' files fight for it */
	wt_ioctl(fz.shared_fd, WIASCAN_IOC_UNCLAIM, NULL);

	for (i = 0; i < nthreads; i++) {
		threads[i].id = i;
		threads[i].rng = seed * 0x9e3779b97f4a7c15ull + i + 1;
		threads[i].fd = -1;
		threads[i].scratch = mmap(NULL, 2 * PAGE,
					  PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, threads[i].scratch);
		ASSERT_EQ(0, pthread_create(&threads[i].thread, NULL,
					    fuzz_thread, &threads[i]));
	}
	plugger.rng = seed ^ 0x5555555555555555ull;
	atomic_store(&fz.plugged, 1);
	ASSERT_EQ(0,
		  pthread_create(&plugger.thread, NULL, plug_thread, &plugger));

	while (atomic_load(&fz.calls) < atomic_load(&fz.target) &&
	       (wt_now_ns() - t0) / 1000000000 < secs)
		wt_sleep_ms(100);
	atomic_store(&fz.stop, true);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i].thread, NULL);
	pthread_join(plugger.thread, NULL);
	/* leave the device plugged for the teardown */
	if (!atomic_load(&fz.plugged))
		wt_replug();

	pos = (size_t)snprintf(line, sizeof(line), "fuzz: errnos:");
	for (i = 1; i < FUZZ_ERRNOS; i++) {
		if (!atomic_load(&fz.errnos[i]))
			continue;
		distinct++;
		if (pos < sizeof(line) - 32)
			pos += (size_t)snprintf(line + pos, sizeof(line) - pos,
						" %s=%u",
						strerrorname_np((int)i) ?: "?",
						atomic_load(&fz.errnos[i]));
	}
	ksft_print_msg(
		"fuzz: %lu calls (%u succeeded) in %.1f s, %lu mappings, %lu replugs, %u distinct errnos, seed %lu\n",
		atomic_load(&fz.calls), atomic_load(&fz.successes),
		(double)(wt_now_ns() - t0) / 1e9, atomic_load(&fz.mapped),
		atomic_load(&fz.plugs), distinct, seed);
	ksft_print_msg("%s\n", line);
	fflush(stdout);
	EXPECT_LE(atomic_load(&fz.target), atomic_load(&fz.calls))
	TH_LOG("only %lu calls in %lu s", atomic_load(&fz.calls), secs);
	EXPECT_LT(0, atomic_load(&fz.plugs));
	EXPECT_EQ(0, atomic_load(&fz.errnos[0])) TH_LOG("errno beyond %d",
							FUZZ_ERRNOS);
	/* the device still works after all that */
	ASSERT_EQ(0, wt_wait_node(&self->s, WT_START_TIMEOUT_MS));
}

TEST_HARNESS_MAIN
