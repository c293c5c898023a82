// SPDX-License-Identifier: GPL-2.0
/*
 * The device's and the module's life cycle under load: 200 plug/unplug
 * cycles while a client keeps reopening the node, with the slab caches
 * measured before and after; a USB reset in the middle of a stream (the
 * driver has no pre_reset/post_reset, so usbcore unbinds and rebinds it);
 * and module unload refused while a file is open, clean afterwards.
 *
 * Leak measure: the active objects of every kmalloc-* cache in
 * /proc/slabinfo after a warm-up of 20 cycles and after 200 more.  The
 * driver allocates its device, files, rings, URBs and bounce buffers with
 * kmalloc, so a leak of one object per cycle grows some cache by 200;
 * SLUB's per-CPU caching moves counts by a few slabs' worth, so the bound
 * is 150 objects in any one cache (and SUnreclaim of /proc/meminfo is
 * reported).  On the debug kernel KASAN's quarantine inflates the counts,
 * so there they are only reported and kmemleak, scanned by the rig after
 * the run, is the check.
 *
 * Environment: WIASCAN_CYCLES (default 200).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/usbdevice_fs.h>

#include "kselftest_harness.h"
#include "wiascan_test.h"

#define KIB	       1024u
#define WARMUP_CYCLES  20
#define SLAB_TOLERANCE 150
#define MAX_CACHES     64

SCANNER_FIXTURE(scanner, NULL)

struct slab_count {
	char name[64];
	long active;
};

/* Active objects of the kmalloc-* caches; returns how many were read */
static int read_kmalloc_slabs(struct slab_count *c, int max)
{
	char line[512], name[64];
	long active;
	int n = 0;
	FILE *f;

	f = fopen("/proc/slabinfo", "re");
	if (!f)
		return -errno;
	while (n < max && fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, " ");
		char *end;

		if (strncmp(line, "kmalloc-", 8) != 0 || len >= sizeof(name))
			continue;
		errno = 0;
		active = strtol(line + len, &end, 10);
		if (end == line + len || errno)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)len, line);
		snprintf(c[n].name, sizeof(c[n].name), "%s", name);
		c[n].active = active;
		n++;
	}
	fclose(f);
	return n;
}

static long meminfo_kib(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		const char *num = line + strlen(key);
		char *end;

		if (strncmp(line, key, strlen(key)) != 0)
			continue;
		errno = 0;
		v = strtol(num, &end, 10);
		if (end == num || errno)
			v = -1;
		break;
	}
	fclose(f);
	return v;
}

static void settle_slabs(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	sync();
	if (fd >= 0) {
		if (write(fd, "3", 1) < 0)
			perror("drop_caches");
		close(fd);
	}
	wt_sleep_ms(200);
}

static struct {
	atomic_bool stop;
	atomic_ulong opens, rings, fails;
} client;

/*
 * The client: open whatever node exists, query it, map a small ring, read
 * it, free it, close; over and over, racing the unplugs.
 */
static void *client_thread(void *arg)
{
	struct wiascan_caps caps;
	char sysname[32], node[64];
	struct ring r;
	int fd;

	(void)arg;
	while (!atomic_load(&client.stop)) {
		if (wt_find_node(sysname, sizeof(sysname))) {
			wt_sleep_ms(5);
			continue;
		}
		snprintf(node, sizeof(node), "/dev/%s", sysname);
		fd = open(node, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			atomic_fetch_add(&client.fails, 1);
			continue;
		}
		atomic_fetch_add(&client.opens, 1);
		wt_ioctl(fd, WIASCAN_IOC_QUERYCAP, &caps);
		if (!ring_alloc(&r, fd, 2, 8 * KIB)) {
			atomic_fetch_add(&client.rings, 1);
			ring_queue_all(&r);
			wt_ioctl(fd, WIASCAN_IOC_STREAMON, NULL);
			ring_free(&r);
		}
		close(fd);
	}
	return NULL;
}

static int plug_cycle(struct scanner *s)
{
	int ret = wt_unplug();

	if (!ret)
		ret = wt_wait_node_gone(s->sysname, WT_GONE_TIMEOUT_MS);
	if (!ret)
		ret = wt_replug();
	if (!ret)
		ret = wt_wait_node(s, WT_START_TIMEOUT_MS);
	return ret;
}

TEST_F_TIMEOUT(scanner, plug_cycles_with_a_reopening_client_leak_nothing, 900)
{
	struct slab_count before[MAX_CACHES], after[MAX_CACHES];
	int cycles = (int)wt_env_uint("WIASCAN_CYCLES", 200);
	long sunreclaim0, worst = LONG_MIN;
	int i, j, nb, na, ret = 0;
	const char *worst_name = "";
	pthread_t thread;
	uint64_t t0;

	close(self->s.fd);
	self->s.fd = -1;
	ASSERT_EQ(0, pthread_create(&thread, NULL, client_thread, NULL));
	for (i = 0; i < WARMUP_CYCLES && !ret; i++)
		ret = plug_cycle(&self->s);
	ASSERT_EQ(0, ret) TH_LOG("warm-up cycle %d: %s", i, strerror(-ret));

	/* measure with the client paused, the device plugged and idle */
	atomic_store(&client.stop, true);
	pthread_join(thread, NULL);
	settle_slabs();
	nb = read_kmalloc_slabs(before, MAX_CACHES);
	ASSERT_LT(0, nb) TH_LOG("no /proc/slabinfo");
	sunreclaim0 = meminfo_kib("SUnreclaim:");

	atomic_store(&client.stop, false);
	ASSERT_EQ(0, pthread_create(&thread, NULL, client_thread, NULL));
	t0 = wt_now_ns();
	for (i = 0; i < cycles && !ret; i++)
		ret = plug_cycle(&self->s);
	atomic_store(&client.stop, true);
	pthread_join(thread, NULL);
	ASSERT_EQ(0, ret) TH_LOG("cycle %d: %s", i, strerror(-ret));

	settle_slabs();
	na = read_kmalloc_slabs(after, MAX_CACHES);
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			if (!strcmp(after[i].name, before[j].name) &&
			    after[i].active - before[j].active > worst) {
				worst = after[i].active - before[j].active;
				worst_name = after[i].name;
			}
	ksft_print_msg(
		"lifecycle: %d plug cycles in %.1f s, client: %lu opens, %lu rings, %lu failed opens\n",
		cycles, (double)(wt_now_ns() - t0) / 1e9,
		atomic_load(&client.opens), atomic_load(&client.rings),
		atomic_load(&client.fails));
	ksft_print_msg(
		"lifecycle: %d kmalloc caches, largest change %+ld objects (%s), SUnreclaim %+ld KiB\n",
		na, worst, worst_name,
		meminfo_kib("SUnreclaim:") - sunreclaim0);
	fflush(stdout);
	/*
	 * KASAN's quarantine keeps freed objects counted as active, so under
	 * a kmemleak kernel the counts are only reported: kmemleak, scanned
	 * by the rig after the run, is the check there.
	 */
	if (access("/sys/kernel/debug/kmemleak", F_OK)) {
		EXPECT_GT(SLAB_TOLERANCE, worst)
		TH_LOG("%s grew by %ld objects over %d cycles", worst_name,
		       worst, cycles);
	} else {
		TH_LOG("kmemleak kernel: slab counts reported, not bounded");
	}
	EXPECT_LT(0, atomic_load(&client.opens));
}

/* /dev/bus/usb/BBB/DDD of the device behind @sysname */
static int usbfs_path(const char *sysname, char *path, size_t len)
{
	char busnum[16], devnum[16];
	unsigned int bus, dev;
	int ret;

	ret = wt_sysfs_read(sysname, "device/../busnum", busnum,
			    sizeof(busnum));
	if (!ret)
		ret = wt_sysfs_read(sysname, "device/../devnum", devnum,
				    sizeof(devnum));
	if (!ret &&
	    (wt_parse_uint(busnum, &bus) || wt_parse_uint(devnum, &dev)))
		ret = -EINVAL;
	if (ret)
		return ret;
	snprintf(path, len, "/dev/bus/usb/%03u/%03u", bus, dev);
	return 0;
}

TEST_F(scanner, usb_reset_mid_stream_rebinds_cleanly)
{
	const struct scan_spec spec = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_FLATBED,
		.dpi = 100,
		.width_px = 300,
		.height_px = 77,
		.nbufs = 4,
		.bufsize = 8 * KIB,
		.npages = 1,
	};
	struct refscan_params p;
	struct wiascan_buffer b;
	struct scan_result res;
	char usbdev[64];
	struct ring r;
	int ufd, ret, old_fd, i;

	ASSERT_EQ(0, usbfs_path(self->s.sysname, usbdev, sizeof(usbdev)));
	ASSERT_EQ(0, ref_configure(self->s.fd, REFSCAN_MODE_GRAY,
				   REFSCAN_SOURCE_FLATBED, 100, 800, 500, &p));
	ASSERT_EQ(0, ring_alloc(&r, self->s.fd, 4, 16 * KIB));
	ASSERT_EQ(0, ring_queue_all(&r));
	ASSERT_EQ(0, wt_ioctl(self->s.fd, WIASCAN_IOC_STREAMON, NULL));
	ASSERT_EQ(0, ref_start(self->s.fd));
	ASSERT_EQ(0, ring_dequeue(&r, &b));

	ufd = open(usbdev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ufd) TH_LOG("%s: %m", usbdev);
	EXPECT_EQ(0,
		  ioctl(ufd, USBDEVFS_RESET, 0)) TH_LOG("USBDEVFS_RESET: %m");
	close(ufd);

	/*
	 * The old file sees an unplug: the buffers filled before the reset
	 * (intact) or failed by it, at most the ring's worth, then ENODEV.
	 */
	for (i = 0; i <= 4; i++) {
		ret = ring_dequeue(&r, &b);
		if (ret)
			break;
		if (!(b.flags & WIASCAN_BUF_FLAG_ERROR)) {
			EXPECT_EQ(-1, wt_formula_mismatch(r.map[b.index],
							  b.bytesused, 800, 0,
							  (uint64_t)b.sequence *
								  16 * KIB))
			TH_LOG("buffer %u", b.index);
		}
	}
	EXPECT_EQ(-ENODEV, ret) TH_LOG("%s", strerror(-ret));
	old_fd = self->s.fd;
	self->s.fd = -1;

	/* rebound after the reset: a new node that scans */
	ASSERT_EQ(0, wt_wait_node(&self->s, WT_START_TIMEOUT_MS));
	self->s.fd = open(self->s.node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->s.fd);
	ASSERT_EQ(0, wt_set_timeout(self->s.fd, WT_FILE_TIMEOUT_MS));
	ref_cancel(self->s.fd);
	wt_scan(self->s.fd, &spec, &res);
	EXPECT_EQ(0, res.err) TH_LOG("%s", strerror(-res.err));
	EXPECT_EQ(300 * 77, res.page_bytes[0]);
	EXPECT_EQ(0, res.mismatches);
	ring_unmap(&r);
	close(old_fd);
}

/* The file holds "vermagic=RELEASE " */
static bool ko_matches(const char *path, const char *magic)
{
	size_t n, size = 16 << 20;
	bool found = false;
	char *buf;
	FILE *ko;

	ko = fopen(path, "re");
	if (!ko)
		return false;
	buf = malloc(size);
	if (buf) {
		n = fread(buf, 1, size, ko);
		found = memmem(buf, n, magic, strlen(magic));
		free(buf);
	}
	fclose(ko);
	return found;
}

/*
 * The wiascan.ko built for the running kernel (its vermagic names it):
 * $WIASCAN_KO, kernel/ (Debian 12's), build/kdebug/KEY/wiascan/kernel/
 * (vm-run --kernel debug) or build/kernels/NAME/root/wiascan/kernel/
 * (vm-run --kernel debian13 or unstable, tools/testing/vm/kernel-cache).
 */
static int find_module(char *path, size_t len)
{
	static const char *const dirs[] = {
		"build/kdebug/*/wiascan/kernel/wiascan.ko",
		"build/kernels/*/root/wiascan/kernel/wiascan.ko",
		NULL,
	};
	const char *env = getenv("WIASCAN_KO");
	const char *const *d;
	char pattern[PATH_MAX], magic[128];
	struct utsname u;
	glob_t g;
	size_t i;

	uname(&u);
	snprintf(magic, sizeof(magic), "vermagic=%s ", u.release);
	if (env && *env && ko_matches(env, magic)) {
		snprintf(path, len, "%s", env);
		return 0;
	}
	snprintf(pattern, sizeof(pattern), "%s/kernel/wiascan.ko", wt_top());
	if (ko_matches(pattern, magic)) {
		snprintf(path, len, "%s", pattern);
		return 0;
	}
	for (d = dirs; *d; d++) {
		snprintf(pattern, sizeof(pattern), "%s/%s", wt_top(), *d);
		if (glob(pattern, 0, NULL, &g))
			continue;
		for (i = 0; i < g.gl_pathc; i++) {
			if (ko_matches(g.gl_pathv[i], magic)) {
				snprintf(path, len, "%s", g.gl_pathv[i]);
				globfree(&g);
				return 0;
			}
		}
		globfree(&g);
	}
	return -ENOENT;
}

TEST_F(scanner, module_unload_refused_while_open_and_clean_afterwards)
{
	char ko[PATH_MAX];
	int kofd;

	if (find_module(ko, sizeof(ko)))
		SKIP(return, "no wiascan.ko for this kernel to load back");
	EXPECT_EQ(-1, syscall(SYS_delete_module, "wiascan", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, access("/sys/module/wiascan", F_OK));

	close(self->s.fd);
	self->s.fd = -1;
	ASSERT_EQ(0, syscall(SYS_delete_module, "wiascan", O_NONBLOCK))
	TH_LOG("rmmod after close: %m");
	EXPECT_EQ(0, wt_wait_node_gone(self->s.sysname, WT_GONE_TIMEOUT_MS));

	/* load it back: it binds the device that is still plugged in */
	kofd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, kofd) TH_LOG("%s: %m", ko);
	ASSERT_EQ(0, syscall(SYS_finit_module, kofd, "", 0))
	TH_LOG("insmod %s: %m", ko);
	close(kofd);
	ASSERT_EQ(0, wt_wait_node(&self->s, WT_START_TIMEOUT_MS));
	self->s.fd = open(self->s.node, O_RDWR | O_CLOEXEC);
	EXPECT_LE(0, self->s.fd);
}

TEST_HARNESS_MAIN
