/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kbench: throughput of wiascan.ko's data path, side by side with libusb,
 * in one guest of the VM rig (README beside this file).
 *
 * Every method reads the same scan from the reference scanner emulator:
 * PAGES A4 sheets from its document feeder, ended by short packets.
 *
 *   main.c      options, the interleaved rounds, statistics, the report
 *   measure.c   clocks: wall, this process's CPU time, the emulator's
 *   scan.c      page framing and the check of every byte against formula.h
 *   ref.c       the reference protocol on any control pipe: ready a scan
 *   node.c      wiascan.ko: the mmap ring and read()
 *   usb.c       libusb, synchronous and asynchronous
 *   usbtest.c   the bus ceiling: usbtest.ko on a SourceSink gadget
 *
 * The emulator's life cycle, the node and the reference protocol over
 * WIASCAN_IOC_CONTROL come from the selftests' helpers (wiascan_test.c),
 * linked in, not copied.
 */
#ifndef WIASCAN_BENCH_H
#define WIASCAN_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct scanner;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define BENCH_MAX_EMU_ARGS 16
#define BENCH_MAX_RING	   32 /* WIASCAN_IOC_REQBUFS' max_buffers */
#define BENCH_WHY	   256

enum method {
	M_MMAP,	   /* wiascan.ko: REQBUFS, mmap, QBUF/DQBUF */
	M_READ,	   /* wiascan.ko: read() */
	M_LIBUSB,  /* libusb_bulk_transfer(), as SANE backends do */
	M_ASYNC,   /* libusb asynchronous, a ring of transfers in flight */
	M_USBTEST, /* usbtest.ko test 28 on a SourceSink gadget */
	M_SSRING,  /* wiascan.ko's ring on that same gadget (new_id) */
	N_METHODS,
};

/* How much of the data a run compares with the formula */
enum check {
	CHECK_SAMPLE, /* the first and last bytes of every transfer */
	CHECK_FULL,   /* every byte */
};

/**
 * struct bench_opts - what to measure and how
 * @pages: ADF sheets a run
 * @rounds: timed rounds after the verifying one
 * @width_px, @height_px, @dpi: the page (gray, one byte a pixel)
 * @ring_count, @ring_size: the mmap ring, and libusb async's transfers
 * @rw_size: bytes per read() and per libusb_bulk_transfer()
 * @ss_qlen, @ss_buflen: SourceSink's requests in flight and their size
 * @xfer_length: QBUF's xfer_length for the ring on SourceSink (0: whole)
 * @methods: bit (1 << enum method) per method to run
 * @timeout_ms: longest wait for one transfer
 * @out: the report's file, NULL for standard output only
 * @json: the figures' JSON file, NULL for none
 * @emu_args: extra arguments for wiascan-emu
 */
struct bench_opts {
	unsigned int pages;
	unsigned int rounds;
	uint32_t width_px, height_px;
	uint16_t dpi;
	unsigned int ring_count;
	uint32_t ring_size;
	uint32_t rw_size;
	unsigned int ss_qlen;
	uint32_t ss_buflen;
	uint32_t xfer_length;
	bool contig;
	unsigned int methods;
	uint32_t timeout_ms;
	const char *out;
	const char *json;
	const char *emu_args[BENCH_MAX_EMU_ARGS];
	unsigned int n_emu_args;
};

/**
 * struct scan - the framing and content checks of one run
 * @check: how many bytes to compare with the formula
 * @bpl: bytes per line
 * @page_bytes: bytes of every page
 * @want_pages: pages of the run
 * @pages: pages ended so far
 * @pos: bytes of the current page so far
 * @bytes: bytes of the run so far
 * @checked: bytes compared with the formula
 * @transfers: transfers (buffers, reads) taken
 * @err: 0, or the first -errno; @why says what went wrong
 */
struct scan {
	enum check check;
	uint32_t bpl;
	uint64_t page_bytes;
	unsigned int want_pages;
	unsigned int pages;
	uint64_t pos;
	uint64_t bytes;
	uint64_t checked;
	uint64_t transfers;
	int err;
	char why[BENCH_WHY];
};

/**
 * struct run - one measured run of one method
 * @secs: wall time from START (or the usbtest ioctl) to the last byte
 * @cpu_secs: user + system time of this process over the same span
 * @emu_cpu_secs: user + system time of the emulator over the same span
 * @sys_cpu_secs: busy time of all the guest's CPUs over the same span
 * @bytes: bytes read
 * @checked: bytes compared with the formula (0 for usbtest)
 * @transfers: transfers taken
 * @err: 0, or -errno; @why says what went wrong
 */
struct run {
	double secs;
	double cpu_secs;
	double emu_cpu_secs;
	double sys_cpu_secs;
	uint64_t bytes;
	uint64_t checked;
	uint64_t transfers;
	int err;
	char why[BENCH_WHY];
};

/**
 * struct bench - the state shared by the methods
 * @opt: the options
 * @emu: the emulator process and the driver's node (wiascan_test.h)
 * @fd: the node, opened O_RDWR, -1 while closed
 * @usbtest_ok: the SourceSink gadget exists and usbtest.ko is loaded
 */
struct bench {
	struct bench_opts opt;
	struct scanner *emu;
	int fd;
	bool usbtest_ok;
};

/**
 * struct mark - the clocks at one moment (measure.c)
 * @wall: CLOCK_MONOTONIC
 * @cpu: this process's user + system time (getrusage, all threads)
 * @emu_cpu: the emulator's user + system time (/proc/PID/stat)
 * @sys_cpu: the guest's busy time, all CPUs (/proc/stat: every state but
 *	idle and iowait, softirq and irq included)
 * All in seconds.
 */
struct mark {
	double wall;
	double cpu;
	double emu_cpu;
	double sys_cpu;
};

void mark_watch(pid_t emu_pid);
void mark_now(struct mark *m);
void run_close(struct run *r, const struct mark *t0, const struct mark *t1);
int run_fail(struct run *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* scan.c */
void scan_init(struct scan *s, const struct bench_opts *o, uint32_t bpl,
	       enum check check);
int scan_take(struct scan *s, const uint8_t *buf, size_t len, bool end);
bool scan_done(const struct scan *s);
int scan_fail(struct scan *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void scan_result(const struct scan *s, struct run *r);

/* ref.c
 * The reference protocol on some control pipe: @in and @out return 0 or
 * -errno (-EPROTO for a short IN data stage)
 */
struct ctl {
	void *h;
	int (*in)(void *h, uint8_t request, void *data, uint16_t length);
	int (*out)(void *h, uint8_t request, void *data, uint16_t length);
};

int ref_ready(const struct ctl *c, const struct bench *b, uint32_t *bpl,
	      char *why);
int ref_go(const struct ctl *c);

/* node.c */
int node_open(struct bench *b);
void node_close(struct bench *b);
void node_run(struct bench *b, enum method m, enum check check, struct run *r);

/* usb.c */
void usb_run(struct bench *b, enum method m, enum check check, struct run *r);

/* usbtest.c */
int usbtest_setup(struct bench *b, char *why);
void usbtest_teardown(struct bench *b);
int bench_set_sg(bool on);
void usbtest_session(struct bench *b, unsigned int round, enum check check,
		     struct run *ut, struct run *ring);

#endif /* WIASCAN_BENCH_H */
