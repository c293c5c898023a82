// SPDX-License-Identifier: GPL-2.0
/*
 * The bus ceiling: usbtest.ko reading from a SourceSink gadget.
 *
 * Both ends are in the kernel: f_sourcesink (usb_f_ss_lb) queues bulk_qlen
 * requests of bulk_buflen bytes, filled once with zeros, on its IN
 * endpoint; usbtest's test 28 ("bulk read performance") keeps sglen URBs
 * of length bytes in flight and checks only their lengths.  Nothing is
 * copied to user space and no user-space program is in the path on either
 * side, so this is what dummy_hcd itself moves in this guest.  These are
 * not the emulator's bytes (usbtest cannot check them against the
 * formula); the run counts only if the kernel logged the test.
 *
 * The same gadget is also read by wiascan.ko's mmap ring (M_SSRING):
 * wiascan.ko is given the gadget's IDs through new_id, and in each round
 * the interface is unbound from one driver and bound to the other, so
 * usbtest and the ring read the same device in the same enumeration, one
 * after the other (odd rounds usbtest first, even rounds the ring first).
 * The ring reads exactly as many bytes as usbtest, in as many buffers of
 * the same size as usbtest's URBs, as many in flight: the driver's
 * distance to the bus ceiling, with no emulator in the way.
 *
 * For each round the emulator is unplugged (SIGUSR1), the SourceSink
 * gadget bound to the UDC in its place, and after the runs the emulator
 * plugged in again (SIGUSR2), so the round stays interleaved with the
 * other methods.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/usbdevice_fs.h>

#include "wiascan_test.h"

#include "bench.h"

#define SS_GADGET   "wiascan-bench-ss"
#define SS_DIR	    WT_GADGET_DIR "/" SS_GADGET
#define SS_FUNC	    "SourceSink.bench"
#define SS_VENDOR   "0x0525" /* "Linux gadget zero", which usbtest binds */
#define SS_PRODUCT  "0xa4a0"
#define EMU_UDC	    WT_GADGET_DIR "/" WT_GADGET "/UDC"
#define WAIT_MS	    10000
#define POLL_MS	    20
#define TEST_READ   28
#define TEST_LOGGED "TEST 28: bulk read"
#define SS_ID	    "0525 a4a0"
#define DRIVERS	    "/sys/bus/usb/drivers"
#define SAMPLE	    64

/* usbtest's ioctl (drivers/usb/misc/usbtest.c; no uapi header has it) */
struct usbtest_param_64 {
	uint32_t test_num;
	uint32_t iterations;
	uint32_t length;
	uint32_t vary;
	uint32_t sglen;
	int64_t duration_sec;
	int64_t duration_usec;
};

#define USBTEST_REQUEST_64 _IOWR('U', 100, struct usbtest_param_64)

static int write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

static int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static int ss_write(const char *rel, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SS_DIR "/%s", rel);
	return write_file(path, text);
}

static int ss_mkdir(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SS_DIR "%s%s", *rel ? "/" : "", rel);
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

/* modprobe: nothing autoloads in the guest (no udevd) */
static int modprobe(void)
{
	static const char *const argv[] = { "modprobe", "-a", "usb_f_ss_lb",
					    "usbtest", NULL };
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ENOENT;
}

/* The SourceSink gadget, made but not bound; @why on failure */
int usbtest_setup(struct bench *b, char *why)
{
	char num[32];
	int ret;

	ret = modprobe();
	if (ret) {
		snprintf(
			why, BENCH_WHY,
			"modprobe usb_f_ss_lb usbtest failed (modules missing?)");
		return ret;
	}
	ret = ss_mkdir("");
	ret = ret ?: ss_write("idVendor", SS_VENDOR);
	ret = ret ?: ss_write("idProduct", SS_PRODUCT);
	ret = ret ?: ss_mkdir("strings/0x409");
	ret = ret ?: ss_write("strings/0x409/manufacturer", "wiascan bench");
	ret = ret ?: ss_write("strings/0x409/product", "SourceSink ceiling");
	ret = ret ?: ss_write("strings/0x409/serialnumber", "BENCH0001");
	ret = ret ?: ss_mkdir("configs/c.1");
	ret = ret ?: ss_mkdir("functions/" SS_FUNC);
	snprintf(num, sizeof(num), "%u", b->opt.ss_buflen);
	ret = ret ?: ss_write("functions/" SS_FUNC "/bulk_buflen", num);
	snprintf(num, sizeof(num), "%u", b->opt.ss_qlen);
	ret = ret ?: ss_write("functions/" SS_FUNC "/bulk_qlen", num);
	if (!ret &&
	    symlink(SS_DIR "/functions/" SS_FUNC,
		    SS_DIR "/configs/c.1/" SS_FUNC) &&
	    errno != EEXIST)
		ret = -errno;
	if (ret) {
		snprintf(why, BENCH_WHY, "SourceSink gadget in configfs: %s",
			 strerror(-ret));
		usbtest_teardown(b);
		return ret;
	}
	/* wiascan.ko may drive the gadget too; EEXIST: left from before */
	if (b->opt.methods & (1U << M_SSRING)) {
		ret = write_file(DRIVERS "/wiascan/new_id", SS_ID);
		if (ret && ret != -EEXIST)
			fprintf(stderr,
				"kbench: new_id " SS_ID " for wiascan: %s\n",
				strerror(-ret));
	}
	b->usbtest_ok = true;
	return 0;
}

/**
 * bench_set_sg() - wiascan.ko's scatter_gather parameter
 * @on: true: sg URBs where the host controller allows (the default);
 *	false: physically contiguous buffers, as usbtest's URBs are
 *	(usb_alloc_coherent())
 *
 * Read at probe (kernel/core.c), so it applies to the devices bound after
 * it: the emulator started after it and the SourceSink gadget, bound
 * again for every session.  Return: 0 or -errno.
 */
int bench_set_sg(bool on)
{
	return write_file("/sys/module/wiascan/parameters/scatter_gather",
			  on ? "Y" : "N");
}

void usbtest_teardown(struct bench *b)
{
	char udc[64] = "";

	write_file(DRIVERS "/wiascan/remove_id", SS_ID);
	if (!read_file(SS_DIR "/UDC", udc, sizeof(udc)) && udc[0])
		ss_write("UDC", "\n");
	unlink(SS_DIR "/configs/c.1/" SS_FUNC);
	rmdir(SS_DIR "/functions/" SS_FUNC);
	rmdir(SS_DIR "/configs/c.1");
	rmdir(SS_DIR "/strings/0x409");
	rmdir(SS_DIR);
	b->usbtest_ok = false;
}

/* Wait until the configfs UDC file at @path reads @want ("" = unbound) */
static int wait_udc(const char *path, const char *want)
{
	char udc[64];
	int waited;

	for (waited = 0; waited < WAIT_MS; waited += POLL_MS) {
		if (!read_file(path, udc, sizeof(udc)) && !strcmp(udc, want))
			return 0;
		wt_sleep_ms(POLL_MS);
	}
	return -ETIMEDOUT;
}

/* The sysfs name of the enumerated gadget zero (0525:a4a0) in @dev */
static int find_ss(char *dev, size_t len)
{
	char path[PATH_MAX], buf[64];
	struct dirent *de;
	int waited, ret = -ENODEV;
	DIR *dir;

	for (waited = 0; ret && waited < WAIT_MS; waited += POLL_MS) {
		dir = opendir("/sys/bus/usb/devices");
		while (dir && ret && (de = readdir(dir))) {
			if (de->d_name[0] == '.' || strchr(de->d_name, ':') ||
			    strlen(de->d_name) + 1 > len)
				continue;
			snprintf(path, sizeof(path),
				 "/sys/bus/usb/devices/%s/idVendor",
				 de->d_name);
			if (read_file(path, buf, sizeof(buf)) ||
			    strcmp(buf, "0525") != 0)
				continue;
			snprintf(path, sizeof(path),
				 "/sys/bus/usb/devices/%s/idProduct",
				 de->d_name);
			if (read_file(path, buf, sizeof(buf)) ||
			    strcmp(buf, "a4a0") != 0)
				continue;
			snprintf(path, sizeof(path),
				 "/sys/bus/usb/devices/%s/%s:1.0", de->d_name,
				 de->d_name);
			if (access(path, F_OK))
				continue;
			memcpy(dev, de->d_name, strlen(de->d_name) + 1);
			ret = 0;
		}
		if (dir)
			closedir(dir);
		if (ret)
			wt_sleep_ms(POLL_MS);
	}
	return ret;
}

/* The driver bound to interface @dev:1.0 into @drv ("" for none) */
static void intf_driver(const char *dev, char *drv, size_t len)
{
	char path[PATH_MAX], buf[PATH_MAX];
	const char *slash;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/%s:1.0/driver",
		 dev, dev);
	n = readlink(path, buf, sizeof(buf) - 1);
	drv[0] = '\0';
	if (n < 0)
		return;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	slash = slash ? slash + 1 : buf;
	if (strlen(slash) < len)
		memcpy(drv, slash, strlen(slash) + 1);
}

/*
 * Hand interface @dev:1.0 to driver @want (usbtest or wiascan): unbind
 * whichever other driver has it, bind @want and wait for it to take it.
 */
static int switch_driver(const char *dev, const char *want)
{
	char intf[80], path[PATH_MAX], drv[64];
	int waited;

	snprintf(intf, sizeof(intf), "%s:1.0", dev);
	for (waited = 0; waited < WAIT_MS; waited += POLL_MS) {
		intf_driver(dev, drv, sizeof(drv));
		if (!strcmp(drv, want))
			return 0;
		if (drv[0]) {
			snprintf(path, sizeof(path), DRIVERS "/%s/unbind", drv);
			write_file(path, intf);
		} else {
			snprintf(path, sizeof(path), DRIVERS "/%s/bind", want);
			write_file(path, intf);
		}
		wt_sleep_ms(POLL_MS);
	}
	return -ETIMEDOUT;
}

/* The usbfs node of sysfs device @dev, opened */
static int open_usbfs(const char *dev)
{
	char path[PATH_MAX], bus[16], num[16];
	unsigned int busnum, devnum;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/busnum", dev);
	if (read_file(path, bus, sizeof(bus)) || wt_parse_uint(bus, &busnum))
		return -ENODEV;
	snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/devnum", dev);
	if (read_file(path, num, sizeof(num)) || wt_parse_uint(num, &devnum))
		return -ENODEV;
	snprintf(path, sizeof(path), "/dev/bus/usb/%03u/%03u", busnum, devnum);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* How many times the kernel log says usbtest ran test 28 */
static int tests_logged(void)
{
	int size = klogctl(10, NULL, 0); /* SYSLOG_ACTION_SIZE_BUFFER */
	int n, count = 0;
	char *buf, *p;

	if (size <= 0)
		return -1;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return -1;
	n = klogctl(3, buf, size); /* SYSLOG_ACTION_READ_ALL */
	if (n < 0) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, TEST_LOGGED)); p++)
		count++;
	free(buf);
	return count;
}

static void measure(struct bench *b, int fd, struct run *r)
{
	const struct bench_opts *o = &b->opt;
	uint64_t total = (uint64_t)o->pages * o->width_px * o->height_px;
	uint64_t per_round = (uint64_t)o->ring_count * o->ring_size;
	struct usbtest_param_64 param = {
		.test_num = TEST_READ,
		.iterations = (uint32_t)((total + per_round - 1) / per_round),
		.length = o->ring_size,
		.sglen = o->ring_count,
	};
	struct usbdevfs_ioctl ctl = {
		.ifno = 0,
		.ioctl_code = (int)USBTEST_REQUEST_64,
		.data = &param,
	};
	int logged = tests_logged();
	struct mark t0, t1;
	int ret;

	mark_now(&t0);
	ret = ioctl(fd, USBDEVFS_IOCTL, &ctl);
	mark_now(&t1);
	if (ret < 0) {
		run_fail(r, -errno, "usbtest test %d: %s", TEST_READ,
			 strerror(errno));
		return;
	}
	run_close(r, &t0, &t1);
	if (logged < 0 || tests_logged() != logged + 1) {
		run_fail(
			r, -ENOEXEC,
			"usbtest returned without logging test %d: nothing was read",
			TEST_READ);
		return;
	}
	r->bytes = (uint64_t)param.iterations * per_round;
	r->transfers = (uint64_t)param.iterations * o->ring_count;
}

/* Bytes usbtest reads a run, a whole number of rounds of its URBs */
static uint64_t ss_total(const struct bench_opts *o, uint32_t *iterations)
{
	uint64_t total = (uint64_t)o->pages * o->width_px * o->height_px;
	uint64_t per_round = (uint64_t)o->ring_count * o->ring_size;

	*iterations = (uint32_t)((total + per_round - 1) / per_round);
	return *iterations * per_round;
}

static void usbtest_once(struct bench *b, const char *dev, struct run *r)
{
	int fd, ret;

	ret = switch_driver(dev, "usbtest");
	if (ret) {
		run_fail(r, ret, "usbtest did not bind %s:1.0", dev);
		return;
	}
	fd = open_usbfs(dev);
	if (fd < 0) {
		run_fail(r, fd, "usbfs node of %s: %s", dev, strerror(-fd));
		return;
	}
	measure(b, fd, r);
	close(fd);
}

/* SourceSink's pattern 0: every byte zero; the first byte that is not */
static long nonzero(const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i])
			return (long)i;
	return -1;
}

/* Check one dequeued buffer of the ring on SourceSink */
static int ss_take(struct run *r, const struct ring *ring,
		   const struct wiascan_buffer *buf, uint64_t sequence,
		   uint32_t want, enum check check)
{
	const uint8_t *p;
	long bad;

	if (buf->index >= ring->count)
		return run_fail(r, -ERANGE, "DQBUF: index %u", buf->index);
	if (buf->flags & WIASCAN_BUF_FLAG_ERROR)
		return run_fail(r, buf->status ? -(int)buf->status : -EIO,
				"buffer %llu: transfer failed",
				(unsigned long long)buf->sequence);
	if (buf->sequence != sequence)
		return run_fail(r, -EPROTO, "buffer %llu came after %llu",
				(unsigned long long)buf->sequence,
				(unsigned long long)sequence - 1);
	if (buf->bytesused != want)
		return run_fail(
			r, -EPROTO,
			"buffer %llu: %u bytes, not %u (a short packet?)",
			(unsigned long long)buf->sequence, buf->bytesused,
			want);
	p = ring->map[buf->index];
	if (check == CHECK_FULL) {
		bad = nonzero(p, want);
		r->checked += want;
	} else {
		bad = nonzero(p, SAMPLE);
		if (bad < 0 && nonzero(p + want - SAMPLE, SAMPLE) >= 0)
			bad = want - SAMPLE;
		r->checked += 2 * SAMPLE;
	}
	if (bad >= 0)
		return run_fail(r, -EILSEQ,
				"buffer %llu: byte %ld is not SourceSink's 0",
				(unsigned long long)buf->sequence, bad);
	return 0;
}

/*
 * wiascan.ko's ring on the SourceSink gadget: as many buffers of
 * ring_size bytes in flight as usbtest's URBs, QBUF'd with xfer_length,
 * until as many bytes as usbtest reads; a buffer is queued again only
 * while more are wanted, so nothing is left in flight at the end (as for
 * usbtest).  Timed from STREAMON (which submits every URB, as usbtest's
 * ioctl does) to the last buffer.
 */
static void ring_once(struct bench *b, const char *dev, enum check check,
		      struct run *r)
{
	const struct bench_opts *o = &b->opt;
	uint32_t iterations, want = o->xfer_length ?: o->ring_size;
	uint64_t total = ss_total(o, &iterations), n, submitted, done = 0;
	struct scanner s = { .fd = -1 };
	struct wiascan_buffer buf;
	struct mark t0, t1;
	struct ring ring;
	unsigned int i;
	int fd, ret;

	n = total / want;
	ret = switch_driver(dev, "wiascan");
	ret = ret ?: wt_wait_node(&s, WAIT_MS);
	if (ret) {
		run_fail(r, ret, "wiascan.ko did not bind %s:1.0 (new_id)",
			 dev);
		return;
	}
	fd = open(s.node, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		run_fail(r, -errno, "%s: %s", s.node, strerror(errno));
		return;
	}
	ret = wt_set_timeout(fd, o->timeout_ms);
	ret = ret ?: ring_alloc(&ring, fd, o->ring_count, o->ring_size);
	if (ret) {
		run_fail(r, ret, "ring of %u x %u bytes: %s", o->ring_count,
			 o->ring_size, strerror(-ret));
		close(fd);
		return;
	}
	for (i = 0, submitted = 0; !ret && i < ring.count && submitted < n;
	     i++, submitted++) {
		struct wiascan_buffer q = { .index = i,
					    .xfer_length = o->xfer_length };

		ret = wt_ioctl(fd, WIASCAN_IOC_QBUF, &q);
	}
	mark_now(&t0);
	ret = ret ?: wt_ioctl(fd, WIASCAN_IOC_STREAMON, NULL);
	while (!ret && done < n) {
		ret = ring_dequeue(&ring, &buf);
		if (ret || ss_take(r, &ring, &buf, done, want, check))
			break;
		done++;
		r->bytes += buf.bytesused;
		r->transfers++;
		if (submitted < n) {
			struct wiascan_buffer q = {
				.index = buf.index,
				.xfer_length = o->xfer_length,
			};

			ret = wt_ioctl(fd, WIASCAN_IOC_QBUF, &q);
			submitted++;
		}
	}
	mark_now(&t1);
	if (ret)
		run_fail(r, ret, "STREAMON/DQBUF/QBUF after %llu bytes: %s",
			 (unsigned long long)r->bytes, strerror(-ret));
	run_close(r, &t0, &t1);
	wt_ioctl(fd, WIASCAN_IOC_STREAMOFF, NULL);
	ring_free(&ring);
	close(fd);
	if (!r->err && r->bytes != total)
		run_fail(r, -EPROTO, "read %llu bytes, not %llu",
			 (unsigned long long)r->bytes,
			 (unsigned long long)total);
}

/* Run @r on @dev: usbtest's when it is @ut, else the ring's */
static void session_one(struct bench *b, const char *dev, enum check check,
			struct run *r, struct run *ut)
{
	if (!r)
		return;
	if (r == ut)
		usbtest_once(b, dev, r);
	else
		ring_once(b, dev, check, r);
}

/**
 * usbtest_session() - one round on the SourceSink gadget
 * @b: the bench; the emulator is unplugged for the round
 * @round: odd rounds run usbtest first, even rounds the ring first
 * @check: how much of the ring's data to compare with SourceSink's zeros
 * @ut: usbtest's run, NULL to skip it
 * @ring: the ring's run, NULL to skip it
 */
void usbtest_session(struct bench *b, unsigned int round, enum check check,
		     struct run *ut, struct run *ring)
{
	struct run *first = round % 2 ? ut : ring;
	struct run *second = round % 2 ? ring : ut;
	struct run *fail = ut ? ut : ring;
	char dev[64];
	int ret;

	if (!b->usbtest_ok) {
		if (ut)
			run_fail(ut, -ENODEV, "no SourceSink gadget");
		if (ring)
			run_fail(ring, -ENODEV, "no SourceSink gadget");
		return;
	}
	node_close(b);
	if (kill(b->emu->emu_pid, SIGUSR1) || wait_udc(EMU_UDC, "")) {
		run_fail(fail, -EBUSY, "the emulator did not unplug");
		goto replug;
	}
	if (b->emu->sysname[0])
		wt_wait_node_gone(b->emu->sysname, WAIT_MS);
	ret = ss_write("UDC", WT_UDC "\n");
	if (ret) {
		run_fail(fail, ret, "binding SourceSink to " WT_UDC ": %s",
			 strerror(-ret));
		goto replug;
	}
	ret = find_ss(dev, sizeof(dev));
	if (ret) {
		run_fail(fail, ret, "the SourceSink gadget did not enumerate");
	} else {
		session_one(b, dev, check, first, ut);
		session_one(b, dev, check, second, ut);
	}
	ss_write("UDC", "\n");
	wait_udc(SS_DIR "/UDC", "");
replug:
	kill(b->emu->emu_pid, SIGUSR2);
	if (wait_udc(EMU_UDC, WT_UDC) && !fail->err)
		run_fail(fail, -EBUSY, "the emulator did not plug in again");
}
