// SPDX-License-Identifier: GPL-2.0
/*
 * Shared helpers of the wiascan selftests, see wiascan_test.h.
 *
 * The emulator is started in its own process group with a parent-death
 * signal: the harness kills a timed-out test's whole process group with
 * SIGKILL, and an emulator killed that way could not remove its configfs
 * gadget, which would leave the only UDC busy for every later test.
 * Instead it gets SIGTERM when the test process dies and cleans up.
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
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wiascan_test.h"

#define WT_POLL_MS	  20
#define WT_MAX_ARGS	  32
#define WT_SELFTEST_DEPTH 6 /* tools/testing/selftests/drivers/usb/wiascan */

uint64_t wt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void wt_sleep_ms(int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The repository's top: $WIASCAN_TOP, or six levels above this binary */
const char *wt_top(void)
{
	static char top[PATH_MAX];
	char exe[PATH_MAX - 32], up[PATH_MAX];
	const char *env = getenv("WIASCAN_TOP");
	ssize_t n;
	char *slash;

	if (top[0])
		return top;
	if (env && *env) {
		snprintf(top, sizeof(top), "%s", env);
		return top;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return ".";
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(up, sizeof(up), "%s/../../../../../..", exe);
	if (!realpath(up, top))
		snprintf(top, sizeof(top), "%s", up);
	return top;
}

/* $ENV if set, else @rel under the repository's top, kept in @buf */
static const char *wt_program(char *buf, const char *env, const char *rel)
{
	const char *set = getenv(env);

	if (set && *set)
		return set;
	if (!buf[0])
		snprintf(buf, PATH_MAX, "%s/%s", wt_top(), rel);
	return buf;
}

const char *wt_emu_path(void)
{
	static char path[PATH_MAX];

	return wt_program(path, "WIASCAN_EMU",
			  "tools/testing/emulator/wiascan-emu");
}

const char *wt_helper_path(void)
{
	static char path[PATH_MAX];

	return wt_program(path, "WIASCAN_HELPER", "helper/wiascan-helper");
}

const char *wt_rig_missing(void)
{
	if (geteuid() != 0)
		return "needs root and the USB gadget rig: run it under tools/testing/vm/vm-run";
	if (access(WT_GADGET_DIR, F_OK))
		return "no " WT_GADGET_DIR
		       " (configfs or libcomposite missing)";
	if (access("/sys/class/udc/" WT_UDC, F_OK))
		return "no " WT_UDC " (dummy_hcd not loaded)";
	if (access(wt_emu_path(), X_OK))
		return "tools/testing/emulator/wiascan-emu is not built";
	if (access("/sys/bus/usb/drivers/wiascan", F_OK))
		return "wiascan.ko is not loaded";
	return NULL;
}

/* Read a small sysfs or configfs file into @buf without the newline */
int wt_read_file(const char *path, char *buf, size_t len)
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

int wt_write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

/*
 * The UDC is busy while any gadget is bound to it, while our emulator's
 * gadget directory still exists, or while a wiascan node is still there.
 */
static bool wt_udc_busy(void)
{
	char path[PATH_MAX], udc[64], node[32];
	struct dirent *de;
	bool busy = false;
	DIR *dir;

	if (!access(WT_GADGET_DIR "/" WT_GADGET, F_OK))
		return true;
	if (!wt_find_node(node, sizeof(node)))
		return true;
	dir = opendir(WT_GADGET_DIR);
	if (!dir)
		return false;
	while (!busy && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), WT_GADGET_DIR "/%s/UDC",
			 de->d_name);
		if (!wt_read_file(path, udc, sizeof(udc)) && udc[0])
			busy = true;
	}
	closedir(dir);
	return busy;
}

int wt_wait_udc_free(int timeout_ms)
{
	int waited;

	for (waited = 0; wt_udc_busy(); waited += WT_POLL_MS) {
		if (waited >= timeout_ms)
			return -EBUSY;
		wt_sleep_ms(WT_POLL_MS);
	}
	return 0;
}

static void wt_emu_child(const struct scanner *s, const char **argv,
			 pid_t parent)
{
	int fd;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(1);
	fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		dup2(fd, STDIN_FILENO);
	execv(argv[0], (char *const *)argv);
	dprintf(STDERR_FILENO, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int wt_emu_start(struct scanner *s, const char *const *args)
{
	const char *argv[WT_MAX_ARGS];
	pid_t parent = getpid();
	int argc = 0, waited, status;

	snprintf(s->ready, sizeof(s->ready), "/tmp/wiascan-ready.%d",
		 (int)parent);
	snprintf(s->log, sizeof(s->log), "/tmp/wiascan-emu.%d.log",
		 (int)parent);
	unlink(s->ready);

	argv[argc++] = wt_emu_path();
	argv[argc++] = "--ready";
	argv[argc++] = s->ready;
	while (args && *args && argc < WT_MAX_ARGS - 1)
		argv[argc++] = *args++;
	argv[argc] = NULL;

	fflush(NULL);
	s->emu_pid = fork();
	if (s->emu_pid < 0) {
		s->emu_pid = 0;
		return -errno;
	}
	if (s->emu_pid == 0)
		wt_emu_child(s, argv, parent);

	for (waited = 0; access(s->ready, F_OK); waited += WT_POLL_MS) {
		if (waitpid(s->emu_pid, &status, WNOHANG) == s->emu_pid) {
			s->emu_pid = 0;
			return -ECHILD;
		}
		if (waited >= WT_START_TIMEOUT_MS)
			return -ETIMEDOUT;
		wt_sleep_ms(WT_POLL_MS);
	}
	return 0;
}

/* SIGTERM, then a bounded wait, then SIGKILL; then wait for the node to go */
int wt_emu_stop(struct scanner *s)
{
	int ret = 0, waited, status;

	if (s->emu_pid > 0) {
		kill(s->emu_pid, SIGTERM);
		for (waited = 0; waitpid(s->emu_pid, &status, WNOHANG) == 0;
		     waited += WT_POLL_MS) {
			if (waited >= WT_GONE_TIMEOUT_MS) {
				kill(s->emu_pid, SIGKILL);
				waitpid(s->emu_pid, &status, 0);
				ret = -ETIMEDOUT;
				break;
			}
			wt_sleep_ms(WT_POLL_MS);
		}
		s->emu_pid = 0;
	}
	if (s->sysname[0] && wt_wait_node_gone(s->sysname, WT_GONE_TIMEOUT_MS))
		ret = ret ?: -EBUSY;
	if (s->ready[0])
		unlink(s->ready);
	if (s->log[0])
		unlink(s->log);
	return ret;
}

int wt_find_node(char *sysname, size_t len)
{
	struct dirent *de;
	int ret = -ENOENT;
	DIR *dir;

	dir = opendir("/sys/class/usbmisc");
	if (!dir)
		return -ENOENT;
	while ((de = readdir(dir))) {
		if (!strncmp(de->d_name, "wiascan", 7)) {
			snprintf(sysname, len, "%s", de->d_name);
			ret = 0;
			break;
		}
	}
	closedir(dir);
	return ret;
}

int wt_sysfs_read(const char *sysname, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/usbmisc/%s/%s", sysname, rel);
	return wt_read_file(path, buf, len);
}

/*
 * "MAJOR:MINOR" as sysfs' dev attribute shows it (a newline may follow).
 * strtoul rather than sscanf, which cannot report a number out of range.
 */
int wt_parse_dev(const char *s, unsigned int *major_nr, unsigned int *minor_nr)
{
	unsigned long maj, min;
	char *end;

	errno = 0;
	maj = strtoul(s, &end, 10);
	if (end == s || *end != ':' || errno || maj > UINT_MAX)
		return -EINVAL;
	s = end + 1;
	min = strtoul(s, &end, 10);
	if (end == s || (*end && *end != '\n') || errno || min > UINT_MAX)
		return -EINVAL;
	*major_nr = maj;
	*minor_nr = min;
	return 0;
}

/* A decimal number, as sysfs shows it (a newline may follow): 0 or -EINVAL */
int wt_parse_uint(const char *s, unsigned int *v)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (end == s || (*end && *end != '\n') || errno || n > UINT_MAX)
		return -EINVAL;
	*v = n;
	return 0;
}

/*
 * The number in environment variable @name, @def when it is unset or empty.
 * A value that is not a number is reported and replaced by @def: atoi()
 * would read it as 0 and turn a loop of N rounds into a test that passes
 * without running.
 */
unsigned int wt_env_uint(const char *name, unsigned int def)
{
	const char *s = getenv(name);
	unsigned int v;

	if (!s || !*s)
		return def;
	if (wt_parse_uint(s, &v)) {
		fprintf(stderr, "# %s=%s is not a number: using %u\n", name, s,
			def);
		return def;
	}
	return v;
}

/* The node is there once devtmpfs shows a char device with sysfs' numbers */
static bool wt_node_ready(const char *sysname, const char *node)
{
	unsigned int major_nr, minor_nr;
	char dev[32];
	struct stat st;

	if (wt_sysfs_read(sysname, "dev", dev, sizeof(dev)))
		return false;
	if (wt_parse_dev(dev, &major_nr, &minor_nr))
		return false;
	if (stat(node, &st) || !S_ISCHR(st.st_mode))
		return false;
	return major(st.st_rdev) == major_nr && minor(st.st_rdev) == minor_nr;
}

int wt_wait_node(struct scanner *s, int timeout_ms)
{
	int waited;

	for (waited = 0;; waited += WT_POLL_MS) {
		if (!wt_find_node(s->sysname, sizeof(s->sysname))) {
			snprintf(s->node, sizeof(s->node), "/dev/%s",
				 s->sysname);
			if (wt_node_ready(s->sysname, s->node))
				return 0;
		}
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		wt_sleep_ms(WT_POLL_MS);
	}
}

bool wt_node_present(const char *sysname)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/usbmisc/%s", sysname);
	if (!access(path, F_OK))
		return true;
	snprintf(path, sizeof(path), "/dev/%s", sysname);
	return !access(path, F_OK);
}

int wt_wait_node_gone(const char *sysname, int timeout_ms)
{
	int waited;

	for (waited = 0; wt_node_present(sysname); waited += WT_POLL_MS) {
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		wt_sleep_ms(WT_POLL_MS);
	}
	return 0;
}

int wt_unplug(void)
{
	return wt_write_file(WT_GADGET_DIR "/" WT_GADGET "/UDC", "\n");
}

int wt_replug(void)
{
	return wt_write_file(WT_GADGET_DIR "/" WT_GADGET "/UDC", WT_UDC "\n");
}

/* The bound interface's name (1-1:1.0) from the class device's link */
int wt_interface_name(const char *sysname, char *name, size_t len)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/class/usbmisc/%s/device", sysname);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	memcpy(name, base, strlen(base) + 1);
	return 0;
}

int wt_driver_unbind(const char *interface)
{
	return wt_write_file("/sys/bus/usb/drivers/wiascan/unbind", interface);
}

int wt_driver_bind(const char *interface)
{
	return wt_write_file("/sys/bus/usb/drivers/wiascan/bind", interface);
}

/* Write @value to a module parameter, first saving the old one in @old */
int wt_param_swap(const char *path, const char *value, char *old, size_t len)
{
	int ret;

	if (old) {
		ret = wt_read_file(path, old, len);
		if (ret)
			return ret;
	}
	return wt_write_file(path, value);
}

void wt_dump_log(const struct scanner *s)
{
	char line[512];
	FILE *f;

	if (!s->log[0])
		return;
	f = fopen(s->log, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "# emu: %s%s", line,
			strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

/* The last @lines lines of the kernel log, for failure reports */
void wt_dump_dmesg(int lines)
{
	int size = klogctl(10, NULL, 0); /* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf, *p;
	int n, seen = 0;

	if (size <= 0)
		return;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return;
	n = klogctl(3, buf, size); /* SYSLOG_ACTION_READ_ALL */
	if (n <= 0) {
		free(buf);
		return;
	}
	buf[n] = '\0';
	for (p = buf + n; p > buf; p--) {
		if (p[-1] == '\n' && p != buf + n && ++seen > lines)
			break;
	}
	while (*p) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		fprintf(stderr, "# dmesg: %s\n", p);
		if (!nl)
			break;
		p = nl + 1;
	}
	free(buf);
}

int wt_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

int wt_set_timeout(int fd, uint32_t ms)
{
	struct wiascan_timeout t = { .timeout_ms = ms };

	return wt_ioctl(fd, WIASCAN_IOC_SET_TIMEOUT, &t);
}

int wt_ctrl(int fd, uint32_t request_type, uint32_t request, uint32_t value,
	    void *data, uint32_t length, uint32_t *actual)
{
	struct wiascan_ctrl c = {
		.request_type = request_type,
		.request = request,
		.value = value,
		.length = length,
		.data = (uintptr_t)data,
	};
	int ret;

	ret = wt_ioctl(fd, WIASCAN_IOC_CONTROL, &c);
	if (!ret && actual)
		*actual = c.actual;
	return ret;
}

static int ref_in(int fd, uint32_t request, void *data, uint32_t length)
{
	uint32_t actual = 0;
	int ret;

	ret = wt_ctrl(fd, REFSCAN_RT_IN, request, 0, data, length, &actual);
	if (ret)
		return ret;
	return actual == length ? 0 : -EPROTO;
}

int ref_get_info(int fd, struct refscan_info *info)
{
	return ref_in(fd, REFSCAN_REQ_GET_INFO, info, sizeof(*info));
}

int ref_set_params(int fd, const struct refscan_params *p)
{
	struct refscan_params copy = *p;

	return wt_ctrl(fd, REFSCAN_RT_OUT, REFSCAN_REQ_SET_PARAMS, 0, &copy,
		       sizeof(copy), NULL);
}

int ref_get_params(int fd, struct refscan_params *p)
{
	return ref_in(fd, REFSCAN_REQ_GET_PARAMS, p, sizeof(*p));
}

int ref_start(int fd)
{
	return wt_ctrl(fd, REFSCAN_RT_OUT, REFSCAN_REQ_START, 0, NULL, 0, NULL);
}

int ref_cancel(int fd)
{
	return wt_ctrl(fd, REFSCAN_RT_OUT, REFSCAN_REQ_CANCEL, 0, NULL, 0,
		       NULL);
}

int ref_get_status(int fd, struct refscan_status *st)
{
	return ref_in(fd, REFSCAN_REQ_GET_STATUS, st, sizeof(*st));
}

/* SET_PARAMS, then GET_PARAMS; -EPROTO if the device changed anything */
int ref_configure(int fd, uint8_t mode, uint8_t source, uint16_t dpi,
		  uint32_t width_px, uint32_t height_px,
		  struct refscan_params *got)
{
	struct refscan_params p = {
		.mode = mode,
		.source = source,
		.dpi = dpi,
		.width_px = width_px,
		.height_px = height_px,
	};
	int ret;

	ret = ref_set_params(fd, &p);
	if (ret)
		return ret;
	ret = ref_get_params(fd, got);
	if (ret)
		return ret;
	if (got->mode != mode || got->source != source || got->dpi != dpi ||
	    got->width_px != width_px || got->height_px != height_px)
		return -EPROTO;
	return 0;
}

int ring_alloc(struct ring *r, int fd, unsigned int count, uint32_t size)
{
	struct wiascan_reqbufs rb = { .count = count, .size = size };
	struct wiascan_buffer b;
	unsigned int i;
	void *m;
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	ret = wt_ioctl(fd, WIASCAN_IOC_REQBUFS, &rb);
	if (ret)
		return ret;
	r->count = rb.count;
	r->size = rb.size;
	if (r->count > WT_MAX_BUFFERS || r->count == 0) {
		ring_free(r);
		return -ERANGE;
	}
	for (i = 0; i < r->count; i++) {
		memset(&b, 0, sizeof(b));
		b.index = i;
		ret = wt_ioctl(fd, WIASCAN_IOC_QUERYBUF, &b);
		if (!ret && b.length != r->size)
			ret = -EPROTO;
		if (ret)
			goto err;
		m = mmap(NULL, b.length, PROT_READ, MAP_SHARED, fd,
			 (off_t)b.offset);
		if (m == MAP_FAILED) {
			ret = -errno;
			goto err;
		}
		r->map[i] = m;
		r->offset[i] = b.offset;
	}
	return 0;
err:
	ring_free(r);
	return ret;
}

int ring_queue(struct ring *r, unsigned int index)
{
	struct wiascan_buffer b = { .index = index };

	return wt_ioctl(r->fd, WIASCAN_IOC_QBUF, &b);
}

int ring_queue_all(struct ring *r)
{
	unsigned int i;
	int ret;

	for (i = 0; i < r->count; i++) {
		ret = ring_queue(r, i);
		if (ret)
			return ret;
	}
	return 0;
}

int ring_dequeue(struct ring *r, struct wiascan_buffer *b)
{
	memset(b, 0, sizeof(*b));
	return wt_ioctl(r->fd, WIASCAN_IOC_DQBUF, b);
}

void ring_unmap(struct ring *r)
{
	unsigned int i;

	for (i = 0; i < r->count && i < WT_MAX_BUFFERS; i++) {
		if (r->map[i])
			munmap((void *)r->map[i], r->size);
		r->map[i] = NULL;
	}
}

/* Stop streaming, unmap and free the ring; returns REQBUFS(0)'s result */
int ring_free(struct ring *r)
{
	struct wiascan_reqbufs rb = { .count = 0 };

	wt_ioctl(r->fd, WIASCAN_IOC_STREAMOFF, NULL);
	ring_unmap(r);
	r->count = 0;
	return wt_ioctl(r->fd, WIASCAN_IOC_REQBUFS, &rb);
}

void wt_expect_fill(uint8_t *dst, size_t len, uint32_t bpl, uint64_t page,
		    uint64_t pos)
{
	uint64_t x = pos % bpl, y = pos / bpl;
	size_t done = 0, n;

	while (done < len) {
		n = bpl - x;
		if (n > len - done)
			n = len - done;
		formula_fill(dst + done, n, x, y, page);
		done += n;
		x = 0;
		y++;
	}
}

long wt_formula_mismatch(const uint8_t *buf, size_t len, uint32_t bpl,
			 uint64_t page, uint64_t pos)
{
	uint64_t x = pos % bpl, y = pos / bpl;
	unsigned int v = formula_byte(x, y, page);
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] != v)
			return (long)i;
		if (++x == bpl) {
			x = 0;
			v = formula_byte(0, ++y, page);
		} else {
			v += 31;
			if (v >= 251)
				v -= 251;
		}
	}
	return -1;
}

/* Account one dequeued buffer of a scan in @res; true at END_OF_PAGE */
static bool wt_scan_account(const struct ring *r,
			    const struct wiascan_buffer *b,
			    struct scan_result *res, uint64_t *pos)
{
	long bad;

	if (res->buffers < WT_MAX_BUFFERS)
		res->buffer_lengths[res->buffers] = b->bytesused;
	res->buffers++;
	if ((b->flags & WIASCAN_BUF_FLAG_ERROR) || b->status)
		res->error_buffers++;
	if (b->bytesused > r->size) {
		res->mismatches++;
		return false;
	}
	bad = wt_formula_mismatch(r->map[b->index], b->bytesused, res->bpl,
				  res->pages, *pos);
	if (bad >= 0 && res->mismatches++ == 0) {
		res->bad_page = res->pages;
		res->bad_pos = *pos + (uint64_t)bad;
	}
	*pos += b->bytesused;
	if (!(b->flags & WIASCAN_BUF_FLAG_END_OF_PAGE))
		return false;
	if (b->bytesused == 0)
		res->zero_length_eop++;
	if (res->pages < WT_MAX_PAGES)
		res->page_bytes[res->pages] = *pos;
	res->pages++;
	*pos = 0;
	return true;
}

/*
 * Dequeue buffers of a streaming ring until @npages more pages have ended,
 * requeueing each one, and account bytes, order, sequence numbers and
 * timestamps in @res (whose @bpl must be set).  @t0 is a time before
 * STREAMON; sequence numbers are expected from @res->buffers on, so a
 * fresh @res expects 0 first.
 */
int wt_stream_pages(struct ring *r, unsigned int npages, uint64_t t0,
		    struct scan_result *res)
{
	unsigned int target = res->pages + npages;
	unsigned int next_index;
	uint64_t pos = 0, last_ts = t0, next_seq = res->buffers;
	struct wiascan_buffer b;
	int ret = 0;

	/* a ring that failed to map has no buffers to stream */
	if (!res->bpl || !r->count)
		return res->err = -EINVAL;
	next_index = res->buffers % r->count;
	while (res->pages < target) {
		ret = ring_dequeue(r, &b);
		if (ret)
			break;
		if (b.index >= r->count) {
			ret = -ERANGE;
			break;
		}
		if (b.index != next_index)
			res->order_errors++;
		next_index = (b.index + 1) % r->count;
		if (b.sequence != next_seq)
			res->sequence_gaps++;
		next_seq = b.sequence + 1;
		if (b.timestamp_ns < last_ts || b.timestamp_ns > wt_now_ns())
			res->time_errors++;
		last_ts = b.timestamp_ns;
		wt_scan_account(r, &b, res, &pos);
		ret = ring_queue(r, b.index);
		if (ret)
			break;
	}
	return res->err = ret;
}

/*
 * Configure the device, stream @spec->npages pages through a ring of
 * @spec->nbufs buffers and check everything wt_stream_pages() checks.
 */
int wt_scan(int fd, const struct scan_spec *spec, struct scan_result *res)
{
	struct refscan_params got;
	struct ring r;
	uint64_t t0;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = ref_configure(fd, spec->mode, spec->source, spec->dpi,
			    spec->width_px, spec->height_px, &got);
	if (ret)
		return res->err = ret;
	res->bpl = got.bytes_per_line;
	if (res->bpl != refscan_bytes_per_line(spec->mode, spec->width_px))
		return res->err = -EPROTO;
	ret = ring_alloc(&r, fd, spec->nbufs, spec->bufsize);
	if (ret)
		return res->err = ret;
	t0 = wt_now_ns();
	ret = ring_queue_all(&r);
	if (!ret)
		ret = wt_ioctl(fd, WIASCAN_IOC_STREAMON, NULL);
	if (!ret)
		ret = ref_start(fd);
	if (!ret)
		ret = wt_stream_pages(&r, spec->npages, t0, res);
	res->err = ret;
	ring_free(&r);
	return ret;
}
