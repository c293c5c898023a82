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
 * For each run the emulator is unplugged (SIGUSR1), the SourceSink gadget
 * bound to the UDC in its place, and after the run the emulator plugged in
 * again (SIGUSR2), so the round stays interleaved with the other methods.
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
	b->usbtest_ok = true;
	return 0;
}

void usbtest_teardown(struct bench *b)
{
	char udc[64] = "";

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

/* Is sysfs device @dev the gadget zero with usbtest bound to it? */
static bool usbtest_bound(const char *dev)
{
	char path[PATH_MAX], buf[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/idVendor", dev);
	if (read_file(path, buf, sizeof(buf)) || strcmp(buf, "0525") != 0)
		return false;
	snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/idProduct", dev);
	if (read_file(path, buf, sizeof(buf)) || strcmp(buf, "a4a0") != 0)
		return false;
	snprintf(path, sizeof(path), "/sys/bus/usb/devices/%s/%s:1.0/driver",
		 dev, dev);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return !strcmp(strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf,
		       "usbtest");
}

/* The usbfs node of the device usbtest has bound, opened */
static int open_usbtest(void)
{
	char path[PATH_MAX], bus[16], dev[16];
	unsigned int busnum, devnum;
	struct dirent *de;
	int waited, fd = -ENODEV;
	DIR *dir;

	for (waited = 0; fd < 0 && waited < WAIT_MS; waited += POLL_MS) {
		dir = opendir("/sys/bus/usb/devices");
		while (dir && fd < 0 && (de = readdir(dir))) {
			if (de->d_name[0] == '.' || strchr(de->d_name, ':') ||
			    !usbtest_bound(de->d_name))
				continue;
			snprintf(path, sizeof(path),
				 "/sys/bus/usb/devices/%s/busnum", de->d_name);
			if (read_file(path, bus, sizeof(bus)))
				continue;
			snprintf(path, sizeof(path),
				 "/sys/bus/usb/devices/%s/devnum", de->d_name);
			if (read_file(path, dev, sizeof(dev)) ||
			    wt_parse_uint(bus, &busnum) ||
			    wt_parse_uint(dev, &devnum))
				continue;
			snprintf(path, sizeof(path), "/dev/bus/usb/%03u/%03u",
				 busnum, devnum);
			fd = open(path, O_RDWR | O_CLOEXEC);
			if (fd < 0)
				fd = -errno;
		}
		if (dir)
			closedir(dir);
		if (fd < 0)
			wt_sleep_ms(POLL_MS);
	}
	return fd;
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

void usbtest_run(struct bench *b, struct run *r)
{
	int fd, ret;

	if (!b->usbtest_ok) {
		run_fail(r, -ENODEV, "no SourceSink gadget");
		return;
	}
	node_close(b);
	if (kill(b->emu->emu_pid, SIGUSR1) || wait_udc(EMU_UDC, "")) {
		run_fail(r, -EBUSY, "the emulator did not unplug");
		goto replug;
	}
	if (b->emu->sysname[0])
		wt_wait_node_gone(b->emu->sysname, WAIT_MS);
	ret = ss_write("UDC", WT_UDC "\n");
	if (ret) {
		run_fail(r, ret, "binding SourceSink to " WT_UDC ": %s",
			 strerror(-ret));
		goto replug;
	}
	fd = open_usbtest();
	if (fd < 0) {
		run_fail(r, fd,
			 "usbtest did not bind the SourceSink gadget: %s",
			 strerror(-fd));
	} else {
		measure(b, fd, r);
		close(fd);
	}
	ss_write("UDC", "\n");
	wait_udc(SS_DIR "/UDC", "");
replug:
	kill(b->emu->emu_pid, SIGUSR2);
	if (wait_udc(EMU_UDC, WT_UDC) && !r->err)
		run_fail(r, -EBUSY, "the emulator did not plug in again");
}
