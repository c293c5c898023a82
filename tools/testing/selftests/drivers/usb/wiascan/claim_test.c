// SPDX-License-Identifier: GPL-2.0
/*
 * The exclusive claim (WIASCAN_IOC_CLAIM, WIASCAN_IOC_UNCLAIM): one open
 * file at a time owns the scanner.  A second file's OUT control requests,
 * write(), read(), REQBUFS, QBUF, STREAMON, WAIT_EVENT and CLEAR_HALT fail
 * with EBUSY and nothing reaches the device (checked with the device's own
 * GET_PARAMS and GET_STATUS counters); its IN requests and QUERYCAP,
 * QUERYBUF and SET_TIMEOUT work.  The claim is taken implicitly by the
 * first guarded call, ends at UNCLAIM or at the owner's close (which marks
 * it abandoned for the next CLAIM), is shared across fork(), and is raced
 * by threads, processes and an unplug.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "wiascan_test.h"

#define NBUFS	4
#define BUFSIZE 16384
#define ROUNDS	300
#define REPLUGS 4

SCANNER_FIXTURE(scanner, NULL)

static int claim(int fd, struct wiascan_claim *c)
{
	memset(c, 0, sizeof(*c));
	return wt_ioctl(fd, WIASCAN_IOC_CLAIM, c);
}

static int unclaim(int fd)
{
	return wt_ioctl(fd, WIASCAN_IOC_UNCLAIM, NULL);
}

static int reqbufs(int fd, uint32_t count, uint32_t size)
{
	struct wiascan_reqbufs req = { .count = count, .size = size };

	return wt_ioctl(fd, WIASCAN_IOC_REQBUFS, &req);
}

static int open_node(const struct scanner *s)
{
	int fd = open(s->node, O_RDWR | O_CLOEXEC);

	if (fd >= 0 && wt_set_timeout(fd, WT_FILE_TIMEOUT_MS)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The pid CLAIM names on EBUSY, or -1 if CLAIM did not fail with EBUSY */
static long busy_owner(int fd)
{
	struct wiascan_claim c;

	if (claim(fd, &c) != -EBUSY)
		return -1;
	return c.owner_pid;
}

static const struct refscan_params params_a = {
	.mode = REFSCAN_MODE_GRAY,
	.source = REFSCAN_SOURCE_FLATBED,
	.dpi = 100,
	.width_px = 800,
	.height_px = 600,
};

static const struct refscan_params params_b = {
	.mode = REFSCAN_MODE_COLOR,
	.source = REFSCAN_SOURCE_FLATBED,
	.dpi = 200,
	.width_px = 120,
	.height_px = 40,
};

/*
 * A child process that opens the node and claims it, then waits until
 * the parent closes @release; its pid is the owner the others must see.
 */
struct claimant {
	pid_t pid;
	int release; /* write end: closing it ends the child */
};

static int claimant_start(struct claimant *cl, const char *node)
{
	int ready[2], release[2];
	char c = 0;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) || pipe2(release, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct wiascan_claim wc;
		int fd = open(node, O_RDWR | O_CLOEXEC);
		bool ok = fd >= 0 && !claim(fd, &wc);

		close(ready[0]);
		close(release[1]);
		c = ok && (pid_t)wc.owner_pid == getpid() ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(2);
		/* hold the claim until the parent closes its end */
		while (read(release[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	if (read(ready[0], &c, 1) != 1)
		c = 0;
	close(ready[0]);
	cl->pid = pid;
	cl->release = release[1];
	return c == 'y' ? 0 : -EPROTO;
}

static int claimant_stop(struct claimant *cl)
{
	int status;

	close(cl->release);
	if (waitpid(cl->pid, &status, 0) != cl->pid)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The claim came with ABI version 1; later versions keep it */
TEST_F(scanner, querycap_reports_cap_claim_at_abi_version_1_or_later)
{
	struct wiascan_caps caps;

	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_QUERYCAP, &caps));
	EXPECT_EQ(WIASCAN_CAP_CLAIM, caps.caps & WIASCAN_CAP_CLAIM);
	EXPECT_LE(1, caps.abi_version);
}

TEST_F(scanner, claim_names_the_caller_and_no_flags_then_again_returns_0)
{
	struct wiascan_claim c;

	ASSERT_EQ(0, claim(self->s.fd, &c));
	EXPECT_EQ(0, c.flags);
	EXPECT_EQ(getpid(), (pid_t)c.owner_pid);
	ASSERT_EQ(0, claim(self->s.fd, &c));
	EXPECT_EQ(0, c.flags);
	EXPECT_EQ(getpid(), (pid_t)c.owner_pid);
}

/*
 * Every guarded call of a second file fails with EBUSY, CLAIM names the
 * owner's pid after each one, and the device saw none of them.
 */
TEST_F(scanner,
       second_file_gets_ebusy_with_owner_pid_and_nothing_reaches_the_device)
{
	struct wiascan_clear_halt ch = { 0 };
	struct refscan_status before, after;
	struct wiascan_event ev = { .flags = WIASCAN_EVENT_NONBLOCK };
	struct wiascan_buffer b = { .index = 0 };
	struct refscan_params got;
	struct claimant cl = { .release = -1 };
	struct wiascan_caps caps;
	uint8_t buf[4096];
	int fd = self->s.fd;

	/* the owner's parameters, set while nobody holds the claim */
	ASSERT_EQ(0, ref_configure(fd, params_a.mode, params_a.source,
				   params_a.dpi, params_a.width_px,
				   params_a.height_px, &got));
	ASSERT_EQ(0, unclaim(fd));
	ASSERT_EQ(0, claimant_start(&cl, self->s.node));
	ASSERT_EQ(0, wt_ioctl(fd, WIASCAN_IOC_QUERYCAP, &caps));
	ASSERT_EQ(0, ref_get_status(fd, &before));

	EXPECT_EQ(-EBUSY, ref_set_params(fd, &params_b));
	EXPECT_EQ(cl.pid, busy_owner(fd)) TH_LOG("after SET_PARAMS");
	EXPECT_EQ(-EBUSY, ref_start(fd));
	EXPECT_EQ(cl.pid, busy_owner(fd)) TH_LOG("after START");
	EXPECT_EQ(-EBUSY, ref_cancel(fd));
	EXPECT_EQ(cl.pid, busy_owner(fd)) TH_LOG("after CANCEL");
	memset(buf, 0xa5, sizeof(buf));
	EXPECT_EQ(-1, write(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(cl.pid, busy_owner(fd)) TH_LOG("after write()");
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(cl.pid, busy_owner(fd)) TH_LOG("after read()");
	EXPECT_EQ(-EBUSY, reqbufs(fd, NBUFS, BUFSIZE));
	EXPECT_EQ(cl.pid, busy_owner(fd)) TH_LOG("after REQBUFS");
	EXPECT_EQ(-EBUSY, reqbufs(fd, 0, 0));
	EXPECT_EQ(-EBUSY, wt_ioctl(fd, WIASCAN_IOC_QBUF, &b));
	EXPECT_EQ(cl.pid, busy_owner(fd)) TH_LOG("after QBUF");
	EXPECT_EQ(-EBUSY, wt_ioctl(fd, WIASCAN_IOC_STREAMON, NULL));
	EXPECT_EQ(cl.pid, busy_owner(fd)) TH_LOG("after STREAMON");
	EXPECT_EQ(-EBUSY, wt_ioctl(fd, WIASCAN_IOC_WAIT_EVENT, &ev));
	EXPECT_EQ(cl.pid, busy_owner(fd)) TH_LOG("after WAIT_EVENT");
	ch.endpoint = caps.bulk_in_ep;
	EXPECT_EQ(-EBUSY, wt_ioctl(fd, WIASCAN_IOC_CLEAR_HALT, &ch));
	ch.endpoint = caps.bulk_out_ep;
	EXPECT_EQ(-EBUSY, wt_ioctl(fd, WIASCAN_IOC_CLEAR_HALT, &ch));
	EXPECT_EQ(cl.pid, busy_owner(fd)) TH_LOG("after CLEAR_HALT");
	EXPECT_EQ(-EPERM, unclaim(fd));

	/* the device saw none of it */
	ASSERT_EQ(0, ref_get_params(fd, &got));
	EXPECT_EQ(params_a.mode, got.mode);
	EXPECT_EQ(params_a.dpi, got.dpi);
	EXPECT_EQ(params_a.width_px, got.width_px);
	EXPECT_EQ(params_a.height_px, got.height_px);
	ASSERT_EQ(0, ref_get_status(fd, &after));
	EXPECT_EQ(REFSCAN_STATE_IDLE, after.state) TH_LOG("START reached it");
	EXPECT_EQ(before.bulk_out_bytes, after.bulk_out_bytes);
	EXPECT_EQ(before.bulk_out_sum, after.bulk_out_sum);

	/* the owner's exit ends the claim: the same calls work now */
	EXPECT_EQ(0, claimant_stop(&cl));
	EXPECT_EQ(0, ref_set_params(fd, &params_b));
	ASSERT_EQ(0, ref_get_params(fd, &got));
	EXPECT_EQ(params_b.width_px, got.width_px);
}

/* A scan in progress: another file's CANCEL never reaches the scanner */
TEST_F(scanner, second_files_cancel_leaves_the_owners_scan_scanning)
{
	struct refscan_params got;
	struct refscan_status st;
	struct wiascan_claim c;
	int fd2;

	ASSERT_EQ(0, claim(self->s.fd, &c));
	ASSERT_EQ(0,
		  ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				REFSCAN_SOURCE_FLATBED, 300, 2000, 3000, &got));
	ASSERT_EQ(0, ref_start(self->s.fd));
	fd2 = open_node(&self->s);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EBUSY, ref_cancel(fd2));
	EXPECT_EQ(-EBUSY, ref_set_params(fd2, &params_b));
	ASSERT_EQ(0, ref_get_status(fd2, &st));
	EXPECT_EQ(REFSCAN_STATE_SCANNING, st.state);
	EXPECT_EQ(REFSCAN_ERR_NONE, st.error);
	EXPECT_EQ(0, ref_cancel(self->s.fd));
	close(fd2);
}

TEST_F(scanner, in_requests_and_queries_work_without_the_claim)
{
	struct wiascan_buffer b = { .index = 0 };
	struct refscan_params p;
	struct refscan_status st;
	struct refscan_info info;
	struct wiascan_caps caps;
	struct wiascan_claim c;
	int fd2;

	ASSERT_EQ(0, claim(self->s.fd, &c));
	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE));
	fd2 = open_node(&self->s);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, ref_get_info(fd2, &info));
	EXPECT_EQ(REFSCAN_PROTOCOL_VERSION, info.version);
	EXPECT_EQ(0, ref_get_status(fd2, &st));
	EXPECT_EQ(0, ref_get_params(fd2, &p));
	EXPECT_EQ(0, wt_ioctl(fd2, WIASCAN_IOC_QUERYCAP, &caps));
	EXPECT_EQ(0, wt_set_timeout(fd2, 1234));
	EXPECT_EQ(0, wt_ioctl(fd2, WIASCAN_IOC_QUERYBUF, &b));
	EXPECT_EQ(BUFSIZE, b.length);
	/* none of them took the claim */
	EXPECT_EQ(getpid(), busy_owner(fd2));
	EXPECT_EQ(-EPERM, unclaim(fd2));
	close(fd2);
}

TEST_F(scanner, out_request_write_and_reqbufs_take_the_claim_implicitly)
{
	struct wiascan_claim c;
	uint8_t byte = 1;
	int fd2;

	fd2 = open_node(&self->s);
	ASSERT_LE(0, fd2);

	ASSERT_EQ(0, ref_set_params(self->s.fd, &params_a));
	EXPECT_EQ(getpid(), busy_owner(fd2)) TH_LOG("SET_PARAMS");
	ASSERT_EQ(0, claim(self->s.fd, &c));
	EXPECT_EQ(0, c.flags);
	ASSERT_EQ(0, unclaim(self->s.fd));

	ASSERT_EQ(1, write(self->s.fd, &byte, 1));
	EXPECT_EQ(getpid(), busy_owner(fd2)) TH_LOG("write()");
	ASSERT_EQ(0, unclaim(self->s.fd));

	ASSERT_EQ(0, reqbufs(fd2, NBUFS, BUFSIZE));
	EXPECT_EQ(getpid(), busy_owner(self->s.fd)) TH_LOG("REQBUFS");
	EXPECT_EQ(-EBUSY, ref_set_params(self->s.fd, &params_b));
	close(fd2);
}

TEST_F(scanner, unclaim_with_a_ring_gives_ebusy_and_after_reqbufs_0_succeeds)
{
	struct wiascan_claim c;
	int fd2;

	ASSERT_EQ(0, claim(self->s.fd, &c));
	ASSERT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE));
	EXPECT_EQ(-EBUSY, unclaim(self->s.fd));
	fd2 = open_node(&self->s);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(getpid(), busy_owner(fd2));
	ASSERT_EQ(0, reqbufs(self->s.fd, 0, 0));
	EXPECT_EQ(0, unclaim(self->s.fd));
	EXPECT_EQ(0, claim(fd2, &c));
	EXPECT_EQ(0, c.flags);
	close(fd2);
}

TEST_F(scanner, unclaim_by_a_file_that_does_not_own_gives_eperm)
{
	struct wiascan_claim c;
	int fd2;

	fd2 = open_node(&self->s);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EPERM, unclaim(fd2)) TH_LOG("nobody owns it");
	ASSERT_EQ(0, claim(self->s.fd, &c));
	EXPECT_EQ(-EPERM, unclaim(fd2)) TH_LOG("another file owns it");
	EXPECT_EQ(getpid(), busy_owner(fd2));
	EXPECT_EQ(0, unclaim(self->s.fd));
	EXPECT_EQ(-EPERM, unclaim(self->s.fd)) TH_LOG("twice");
	close(fd2);
}

TEST_F(scanner, close_releases_and_the_next_claim_sees_abandoned_until_unclaim)
{
	struct wiascan_claim c;
	int fd2;

	fd2 = open_node(&self->s);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, claim(fd2, &c));
	EXPECT_EQ(0, c.flags);
	close(fd2);
	ASSERT_EQ(0, claim(self->s.fd, &c));
	EXPECT_EQ(WIASCAN_CLAIM_FLAG_ABANDONED, c.flags);
	EXPECT_EQ(getpid(), (pid_t)c.owner_pid);
	ASSERT_EQ(0, unclaim(self->s.fd));
	ASSERT_EQ(0, claim(self->s.fd, &c));
	EXPECT_EQ(0, c.flags) TH_LOG("UNCLAIM cleared ABANDONED");
}

TEST_F(scanner, close_after_an_implicit_claim_with_a_ring_marks_abandoned)
{
	struct wiascan_claim c;
	int fd2;

	fd2 = open_node(&self->s);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, reqbufs(fd2, NBUFS, BUFSIZE));
	close(fd2);
	ASSERT_EQ(0, claim(self->s.fd, &c));
	EXPECT_EQ(WIASCAN_CLAIM_FLAG_ABANDONED, c.flags);
	/* the ring went with its file: this file may allocate one */
	EXPECT_EQ(0, reqbufs(self->s.fd, NBUFS, BUFSIZE));
}

TEST_F(scanner, unclaim_then_close_leaves_the_next_claim_not_abandoned)
{
	struct wiascan_claim c;
	int fd2;

	fd2 = open_node(&self->s);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, claim(fd2, &c));
	ASSERT_EQ(0, unclaim(fd2));
	close(fd2);
	ASSERT_EQ(0, claim(self->s.fd, &c));
	EXPECT_EQ(0, c.flags);
}

TEST_F(scanner, a_file_that_never_claimed_closes_without_marking_abandoned)
{
	struct wiascan_claim c;
	struct refscan_info info;
	int fd2;

	fd2 = open_node(&self->s);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, ref_get_info(fd2, &info));
	close(fd2);
	ASSERT_EQ(0, claim(self->s.fd, &c));
	EXPECT_EQ(0, c.flags);
}

/* The claim belongs to the open file: a forked child shares it */
TEST_F(scanner, fork_shares_the_claim_of_the_open_file)
{
	struct wiascan_claim c;
	int status;
	pid_t pid;

	ASSERT_EQ(0, claim(self->s.fd, &c));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint8_t byte = 7;
		int fd2, bad = 0;

		/* guarded calls on the inherited file work */
		bad |= ref_set_params(self->s.fd, &params_a) ? 1 : 0;
		bad |= write(self->s.fd, &byte, 1) == 1 ? 0 : 2;
		/* CLAIM on it succeeds and names the caller */
		bad |= claim(self->s.fd, &c) ||
				       c.owner_pid != (uint32_t)getpid() ?
			       4 :
			       0;
		/* a file of the child's own is another file */
		fd2 = open(self->s.node, O_RDWR | O_CLOEXEC);
		bad |= fd2 < 0 || busy_owner(fd2) != getpid() ? 8 : 0;
		bad |= fd2 < 0 || ref_set_params(fd2, &params_b) != -EBUSY ?
			       16 :
			       0;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
	TH_LOG("child's failures (bits): %d", WEXITSTATUS(status));
	/* the parent's file still owns the scanner */
	ASSERT_EQ(0, claim(self->s.fd, &c));
	EXPECT_EQ(0, c.flags);
	EXPECT_EQ(getpid(), (pid_t)c.owner_pid);
}

TEST_F(scanner, unknown_flags_or_nonzero_reserved_give_einval_and_take_nothing)
{
	struct wiascan_claim c;
	unsigned int i;
	int fd2;

	memset(&c, 0, sizeof(c));
	c.flags = WIASCAN_CLAIM_FLAG_ABANDONED;
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_CLAIM, &c));
	memset(&c, 0, sizeof(c));
	c.flags = 0x80000000u;
	EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_CLAIM, &c));
	for (i = 0; i < sizeof(c.reserved) / sizeof(c.reserved[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, wt_ioctl(self->s.fd, WIASCAN_IOC_CLAIM, &c))
		TH_LOG("reserved[%u]", i);
	}
	/* owner_pid is an output: any value in is ignored */
	memset(&c, 0, sizeof(c));
	c.owner_pid = 12345;
	fd2 = open_node(&self->s);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, wt_ioctl(fd2, WIASCAN_IOC_CLAIM, &c))
	TH_LOG("the refused CLAIMs took the claim");
	EXPECT_EQ(getpid(), (pid_t)c.owner_pid);
	close(fd2);
}

/*
 * A control request, WAIT_EVENT or REQBUFS refused for its argument, or
 * a write() of nothing, claims nothing
 */
TEST_F(scanner, calls_refused_with_einval_or_empty_take_no_claim)
{
	struct wiascan_reqbufs rb = { .count = 1, .size = 4096, .flags = 1 };
	struct wiascan_event ev = { .flags = 0x80 };
	struct wiascan_ctrl ctrl = {
		.request_type = 0x40, /* vendor, to the device: refused */
		.request = REFSCAN_REQ_START,
	};
	struct wiascan_claim c;
	int fd2;

	fd2 = open_node(&self->s);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EINVAL, wt_ioctl(fd2, WIASCAN_IOC_CONTROL, &ctrl));
	EXPECT_EQ(-EINVAL, wt_ioctl(fd2, WIASCAN_IOC_WAIT_EVENT, &ev));
	EXPECT_EQ(-EINVAL, wt_ioctl(fd2, WIASCAN_IOC_REQBUFS, &rb));
	rb = (struct wiascan_reqbufs) { .count = WT_MAX_BUFFERS + 1,
					.size = 4096 };
	EXPECT_EQ(-EINVAL, wt_ioctl(fd2, WIASCAN_IOC_REQBUFS, &rb));
	EXPECT_EQ(0, write(fd2, "", 0));
	EXPECT_EQ(0, claim(self->s.fd, &c)) TH_LOG("a refused call claimed");
	EXPECT_EQ(0, c.flags);
	close(fd2);
}

/* Two threads, each with its own file, CLAIM at once, ROUNDS times */
struct racer {
	pthread_t thread;
	pthread_barrier_t *barrier;
	int fd;
	int results[ROUNDS];
	uint32_t owners[ROUNDS];
};

static void *claim_racer(void *arg)
{
	struct racer *r = arg;
	struct wiascan_claim c;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		pthread_barrier_wait(r->barrier);
		r->results[i] = claim(r->fd, &c);
		r->owners[i] = c.owner_pid;
		pthread_barrier_wait(r->barrier);
		if (!r->results[i])
			r->results[i] = unclaim(r->fd) ? -EPROTO : 0;
		pthread_barrier_wait(r->barrier);
	}
	return NULL;
}

TEST_F(scanner, two_threads_claiming_at_once_exactly_one_wins_each_round)
{
	pthread_barrier_t barrier;
	struct racer r[2];
	int i, wins[2] = { 0, 0 }, bad = 0;

	pthread_barrier_init(&barrier, NULL, 2);
	for (i = 0; i < 2; i++) {
		r[i].barrier = &barrier;
		r[i].fd = open_node(&self->s);
		ASSERT_LE(0, r[i].fd);
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&r[i].thread, NULL, claim_racer,
					    &r[i]));
	for (i = 0; i < 2; i++)
		pthread_join(r[i].thread, NULL);
	for (i = 0; i < ROUNDS; i++) {
		int a = r[0].results[i], b = r[1].results[i];

		if (!((a == 0 && b == -EBUSY) || (a == -EBUSY && b == 0)) ||
		    r[0].owners[i] != (uint32_t)getpid() ||
		    r[1].owners[i] != (uint32_t)getpid()) {
			if (!bad++)
				TH_LOG("round %d: %d %d", i, a, b);
		}
		wins[0] += !a;
		wins[1] += !b;
	}
	EXPECT_EQ(0, bad) TH_LOG("rounds without exactly one winner");
	EXPECT_EQ(ROUNDS, wins[0] + wins[1]);
	TH_LOG("wins: %d and %d", wins[0], wins[1]);
	for (i = 0; i < 2; i++)
		close(r[i].fd);
	pthread_barrier_destroy(&barrier);
}

/* The same with two processes; results go to shared memory */
struct shared_race {
	pthread_barrier_t barrier;
	int results[2][ROUNDS];
	uint32_t owners[2][ROUNDS];
};

TEST_F(scanner, two_processes_claiming_at_once_exactly_one_wins_each_round)
{
	pthread_barrierattr_t attr;
	struct shared_race *sh;
	pid_t pids[2];
	int i, bad = 0, wins = 0, status;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	pthread_barrierattr_init(&attr);
	pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_barrier_init(&sh->barrier, &attr, 2);
	for (i = 0; i < 2; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			struct wiascan_claim c = { 0 };
			int fd = open(self->s.node, O_RDWR | O_CLOEXEC), n;

			for (n = 0; n < ROUNDS; n++) {
				pthread_barrier_wait(&sh->barrier);
				sh->results[i][n] = fd < 0 ? -EBADF :
							     claim(fd, &c);
				sh->owners[i][n] = c.owner_pid;
				pthread_barrier_wait(&sh->barrier);
				if (!sh->results[i][n] && unclaim(fd))
					sh->results[i][n] = -EPROTO;
				pthread_barrier_wait(&sh->barrier);
			}
			_exit(0);
		}
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	}
	for (i = 0; i < ROUNDS; i++) {
		int a = sh->results[0][i], b = sh->results[1][i];
		/* both name the winner: itself, or the other on EBUSY */
		uint32_t winner = !a ? (uint32_t)pids[0] : (uint32_t)pids[1];

		if (!((a == 0 && b == -EBUSY) || (a == -EBUSY && b == 0)) ||
		    sh->owners[0][i] != winner || sh->owners[1][i] != winner) {
			if (!bad++)
				TH_LOG("round %d: %d %d, owners %u %u", i, a, b,
				       sh->owners[0][i], sh->owners[1][i]);
		}
		wins += !a;
	}
	EXPECT_EQ(0, bad) TH_LOG("rounds without exactly one winner");
	TH_LOG("process 0 won %d of %d rounds", wins, ROUNDS);
	pthread_barrier_destroy(&sh->barrier);
	munmap(sh, sizeof(*sh));
}

/*
 * CLAIM and UNCLAIM in a loop from two threads while the device is
 * unplugged and replugged: every answer is 0, EBUSY or ENODEV (EPERM for
 * an UNCLAIM after the other thread won), and the kernel log stays clean
 * (vm-run checks it).
 */
struct plug_racer {
	pthread_t thread;
	const struct scanner *s;
	atomic_bool *stop;
	unsigned int ok, busy, gone, other;
	int other_err;
};

static void *plug_claimer(void *arg)
{
	struct plug_racer *r = arg;
	struct wiascan_claim c;
	int fd = -1, ret;

	while (!atomic_load(r->stop)) {
		if (fd < 0) {
			char node[64];

			/* the node of the moment; it changes at each replug */
			snprintf(node, sizeof(node), "%s", r->s->node);
			fd = open(node, O_RDWR | O_CLOEXEC);
			if (fd < 0) {
				wt_sleep_ms(1);
				continue;
			}
		}
		ret = claim(fd, &c);
		if (!ret) {
			r->ok++;
			ret = unclaim(fd);
			if (ret && ret != -ENODEV) {
				r->other++;
				r->other_err = ret;
			}
		} else if (ret == -EBUSY) {
			r->busy++;
		} else if (ret == -ENODEV) {
			r->gone++;
			close(fd);
			fd = -1;
		} else {
			r->other++;
			r->other_err = ret;
		}
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

TEST_F(scanner, claim_racing_unplug_and_replug_gives_only_0_ebusy_or_enodev)
{
	struct plug_racer r[2] = { 0 };
	atomic_bool stop = false;
	struct wiascan_claim c;
	unsigned int i, ok = 0, busy = 0, gone = 0;

	for (i = 0; i < 2; i++) {
		r[i].s = &self->s;
		r[i].stop = &stop;
		ASSERT_EQ(0, pthread_create(&r[i].thread, NULL, plug_claimer,
					    &r[i]));
	}
	for (i = 0; i < REPLUGS; i++) {
		wt_sleep_ms(200);
		ASSERT_EQ(0, wt_unplug());
		EXPECT_EQ(0, wt_wait_node_gone(self->s.sysname,
					       WT_GONE_TIMEOUT_MS));
		ASSERT_EQ(0, wt_replug());
		ASSERT_EQ(0, wt_wait_node(&self->s, WT_START_TIMEOUT_MS));
	}
	wt_sleep_ms(200);
	atomic_store(&stop, true);
	for (i = 0; i < 2; i++) {
		pthread_join(r[i].thread, NULL);
		EXPECT_EQ(0, r[i].other)
		TH_LOG("thread %u: %u answers besides 0/EBUSY/ENODEV, last %s",
		       i, r[i].other, strerror(-r[i].other_err));
		ok += r[i].ok;
		busy += r[i].busy;
		gone += r[i].gone;
	}
	TH_LOG("CLAIM: %u ok, %u EBUSY, %u ENODEV over %d replugs", ok, busy,
	       gone, REPLUGS);
	EXPECT_LT(0, ok);
	EXPECT_LE(REPLUGS, gone) TH_LOG("every unplug seen as ENODEV");
	/* the fixture's old file is dead; its CLAIM says so */
	EXPECT_EQ(-ENODEV, claim(self->s.fd, &c));
}

TEST_HARNESS_MAIN
