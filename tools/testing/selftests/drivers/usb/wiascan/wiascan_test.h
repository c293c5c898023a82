/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the wiascan selftests: bring the reference scanner
 * emulator up and down, find the device node, unplug and replug it, speak
 * the reference protocol through WIASCAN_IOC_CONTROL, drive the buffer
 * ring and check image bytes against the formula.
 *
 * Every function returns 0 or a negative errno unless it says otherwise,
 * so the tests can EXPECT_EQ(-EINVAL, ...) on the result directly.
 *
 * The fixture itself lives in each test file through SCANNER_FIXTURE(),
 * because FIXTURE_SETUP() needs the harness's _metadata to ASSERT and SKIP.
 */
#ifndef WIASCAN_TEST_H
#define WIASCAN_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/wiascan.h>

#include "formula.h"
#include "refscan.h"

/* The only UDC of the rig (dummy_hcd) and the emulator's gadget name */
#define WT_UDC	      "dummy_udc.0"
#define WT_GADGET     "wiascan-emu"
#define WT_GADGET_DIR "/sys/kernel/config/usb_gadget"

/* Bounded waits: TCG is slow, but nothing here should take seconds */
#define WT_START_TIMEOUT_MS 15000
#define WT_GONE_TIMEOUT_MS  10000

/*
 * The fixture's file timeout: long enough for TCG, short enough that a
 * DQBUF that never completes fails the test well inside the harness's
 * own 30 s alarm instead of being killed by it.
 */
#define WT_FILE_TIMEOUT_MS 8000

#define WT_MAX_BUFFERS 32
#define WT_MAX_PAGES   16

/**
 * struct scanner - one emulator process and the driver's node for it
 * @emu_pid: the wiascan-emu process, 0 when none
 * @fd: the node opened O_RDWR by the fixture, -1 when closed
 * @sysname: wiascanN, the usbmisc class device
 * @node: /dev/wiascanN
 * @ready: the emulator's --ready file
 * @log: where the emulator's stdout and stderr go
 */
struct scanner {
	pid_t emu_pid;
	int fd;
	char sysname[32];
	char node[64];
	char ready[64];
	char log[64];
};

/* Paths of the repository's programs, found from this test's location */
const char *wt_top(void);
const char *wt_emu_path(void);
const char *wt_helper_path(void);

/*
 * Why the rig cannot run these tests (not root, no gadget stack, no
 * emulator, no driver), or NULL when it can.
 */
const char *wt_rig_missing(void);

/* Emulator and node life cycle */
int wt_wait_udc_free(int timeout_ms);
int wt_emu_start(struct scanner *s, const char *const *args);
int wt_emu_stop(struct scanner *s);
int wt_find_node(char *sysname, size_t len);
int wt_wait_node(struct scanner *s, int timeout_ms);
int wt_wait_node_gone(const char *sysname, int timeout_ms);
bool wt_node_present(const char *sysname);
int wt_unplug(void);
int wt_replug(void);
int wt_sysfs_read(const char *sysname, const char *rel, char *buf, size_t len);
/* A small sysfs or configfs file, read without its newline, or written */
int wt_read_file(const char *path, char *buf, size_t len);
int wt_write_file(const char *path, const char *text);
int wt_parse_dev(const char *s, unsigned int *major_nr, unsigned int *minor_nr);
int wt_parse_uint(const char *s, unsigned int *v);
unsigned int wt_env_uint(const char *name, unsigned int def);
int wt_interface_name(const char *sysname, char *name, size_t len);
int wt_driver_unbind(const char *interface);
int wt_driver_bind(const char *interface);
int wt_param_swap(const char *path, const char *value, char *old, size_t len);
void wt_dump_log(const struct scanner *s);
void wt_dump_dmesg(int lines);

/* Time */
uint64_t wt_now_ns(void);
void wt_sleep_ms(int ms);

/* Thin ioctl wrappers returning 0 or -errno */
int wt_ioctl(int fd, unsigned long cmd, void *arg);
int wt_set_timeout(int fd, uint32_t ms);
int wt_ctrl(int fd, uint32_t request_type, uint32_t request, uint32_t value,
	    void *data, uint32_t length, uint32_t *actual);

/* The reference protocol (helper/lib/refscan.h) over WIASCAN_IOC_CONTROL */
int ref_get_info(int fd, struct refscan_info *info);
int ref_set_params(int fd, const struct refscan_params *p);
int ref_get_params(int fd, struct refscan_params *p);
int ref_start(int fd);
int ref_cancel(int fd);
int ref_get_status(int fd, struct refscan_status *st);
int ref_configure(int fd, uint8_t mode, uint8_t source, uint16_t dpi,
		  uint32_t width_px, uint32_t height_px,
		  struct refscan_params *got);

/**
 * struct ring - the mapped buffer ring of one file
 * @fd: the file that owns the queue
 * @count: buffers granted
 * @size: bytes per buffer as granted
 * @map: read-only shared mapping of each buffer, NULL when unmapped
 * @offset: mmap offset of each buffer from QUERYBUF
 */
struct ring {
	int fd;
	unsigned int count;
	uint32_t size;
	const uint8_t *map[WT_MAX_BUFFERS];
	uint64_t offset[WT_MAX_BUFFERS];
};

int ring_alloc(struct ring *r, int fd, unsigned int count, uint32_t size);
int ring_queue(struct ring *r, unsigned int index);
int ring_queue_all(struct ring *r);
int ring_dequeue(struct ring *r, struct wiascan_buffer *b);
void ring_unmap(struct ring *r);
int ring_free(struct ring *r);

/*
 * Formula checks: @pos is the byte offset inside page @page of the first
 * byte of @buf, @bpl the page's bytes per line.
 */
void wt_expect_fill(uint8_t *dst, size_t len, uint32_t bpl, uint64_t page,
		    uint64_t pos);
/* Index of the first byte of @buf that differs from the formula, or -1 */
long wt_formula_mismatch(const uint8_t *buf, size_t len, uint32_t bpl,
			 uint64_t page, uint64_t pos);

/**
 * struct scan_spec - one scan through the buffer ring
 * @mode: REFSCAN_MODE_*
 * @source: REFSCAN_SOURCE_*
 * @dpi: resolution
 * @width_px: pixels per row
 * @height_px: rows per page, 0 for unknown-length ADF pages
 * @nbufs: buffers in the ring
 * @bufsize: bytes per buffer asked for
 * @npages: pages to take before stopping
 */
struct scan_spec {
	uint8_t mode;
	uint8_t source;
	uint16_t dpi;
	uint32_t width_px;
	uint32_t height_px;
	unsigned int nbufs;
	uint32_t bufsize;
	unsigned int npages;
};

/**
 * struct scan_result - what one scan delivered
 * @err: 0, or the first -errno that stopped the scan
 * @bpl: bytes per line the device reported
 * @pages: pages completed (END_OF_PAGE seen)
 * @page_bytes: bytes of each completed page
 * @buffers: buffers dequeued
 * @zero_length_eop: END_OF_PAGE buffers with bytesused 0
 * @error_buffers: buffers with WIASCAN_BUF_FLAG_ERROR or a status
 * @mismatches: buffers whose bytes differ from the formula
 * @bad_page: page of the first differing byte
 * @bad_pos: offset in that page of the first differing byte
 * @sequence_gaps: buffers whose sequence was not the previous one plus 1
 *	(the first must be 0)
 * @time_errors: timestamps before STREAMON, after the dequeue, or
 *	earlier than the previous buffer's
 * @order_errors: buffers dequeued out of the order they were queued
 * @buffer_lengths: bytesused of the first WT_MAX_BUFFERS buffers
 */
struct scan_result {
	int err;
	uint32_t bpl;
	unsigned int pages;
	uint64_t page_bytes[WT_MAX_PAGES];
	unsigned int buffers;
	unsigned int zero_length_eop;
	unsigned int error_buffers;
	unsigned int mismatches;
	uint64_t bad_page;
	uint64_t bad_pos;
	unsigned int sequence_gaps;
	unsigned int time_errors;
	unsigned int order_errors;
	uint32_t buffer_lengths[WT_MAX_BUFFERS];
};

int wt_stream_pages(struct ring *r, unsigned int npages, uint64_t t0,
		    struct scan_result *res);
int wt_scan(int fd, const struct scan_spec *spec, struct scan_result *res);

/*
 * SCANNER_FIXTURE(name, emulator args...) - a fixture whose setup starts
 * wiascan-emu with the given extra arguments (NULL for none), waits for its
 * node and opens it, and whose teardown closes the node, stops the
 * emulator and waits until the node is gone, even after a failed ASSERT.
 * The tests reach the scanner as self->s.
 */
#define SCANNER_FIXTURE(fixture, ...)                                    \
	FIXTURE(fixture)                                                 \
	{                                                                \
		struct scanner s;                                        \
	};                                                               \
	FIXTURE_SETUP(fixture)                                           \
	{                                                                \
		static const char *const args[] = { __VA_ARGS__, NULL }; \
		WT_SCANNER_SETUP(_metadata, &self->s, args);             \
	}                                                                \
	FIXTURE_TEARDOWN(fixture)                                        \
	{                                                                \
		WT_SCANNER_TEARDOWN(_metadata, &self->s);                \
	}

/*
 * CONTIGUOUS_SCANNER_FIXTURE(name, emulator args...) - the same with the
 * driver's scatter_gather parameter off while the device probes, so its
 * buffers are physically contiguous, the path of host controllers without
 * sg support; the parameter is restored in teardown.
 */
#define WT_SG_PARAM "/sys/module/wiascan/parameters/scatter_gather"

#define CONTIGUOUS_SCANNER_FIXTURE(fixture, ...)                          \
	FIXTURE(fixture)                                                  \
	{                                                                 \
		struct scanner s;                                         \
		char sg[8];                                               \
	};                                                                \
	FIXTURE_SETUP(fixture)                                            \
	{                                                                 \
		static const char *const args[] = { __VA_ARGS__, NULL };  \
                                                                          \
		self->s.fd = -1;                                          \
		if (wt_rig_missing())                                     \
			WT_SKIP_SETUP("%s", wt_rig_missing());            \
		ASSERT_EQ(0, wt_param_swap(WT_SG_PARAM, "N", self->sg,    \
					   sizeof(self->sg)));            \
		WT_SCANNER_SETUP(_metadata, &self->s, args);              \
	}                                                                 \
	FIXTURE_TEARDOWN(fixture)                                         \
	{                                                                 \
		WT_SCANNER_TEARDOWN(_metadata, &self->s);                 \
		if (self->sg[0])                                          \
			EXPECT_EQ(0, wt_param_swap(WT_SG_PARAM, self->sg, \
						   NULL, 0));             \
	}

/*
 * The 6.1 harness runs the test body even when setup called SKIP(), so a
 * skipped setup ends the test child itself, with the harness's skip code.
 */
#define WT_SKIP_SETUP(fmt, ...)       \
	SKIP(                         \
		{                     \
			fflush(NULL); \
			_exit(255);   \
		},                    \
		fmt, ##__VA_ARGS__)

#define WT_SCANNER_SETUP(_metadata, s, args)                                   \
	do {                                                                   \
		const char *why_ = wt_rig_missing();                           \
		int err_;                                                      \
                                                                               \
		(s)->fd = -1;                                                  \
		if (why_)                                                      \
			WT_SKIP_SETUP("%s", why_);                             \
		err_ = wt_wait_udc_free(WT_GONE_TIMEOUT_MS);                   \
		ASSERT_EQ(0,                                                   \
			  err_) TH_LOG("UDC still busy from an earlier test"); \
		err_ = wt_emu_start((s), (args));                              \
		ASSERT_EQ(0, err_)                                             \
		{                                                              \
			wt_dump_log(s);                                        \
			TH_LOG("wiascan-emu did not come up: %s",              \
			       strerror(-err_));                               \
		}                                                              \
		err_ = wt_wait_node((s), WT_START_TIMEOUT_MS);                 \
		ASSERT_EQ(0, err_)                                             \
		{                                                              \
			wt_dump_log(s);                                        \
			wt_dump_dmesg(20);                                     \
			TH_LOG("no /dev/wiascan* appeared: %s",                \
			       strerror(-err_));                               \
		}                                                              \
		(s)->fd = open((s)->node, O_RDWR | O_CLOEXEC);                 \
		ASSERT_LE(0, (s)->fd) TH_LOG("open %s: %m", (s)->node);        \
		err_ = wt_set_timeout((s)->fd, WT_FILE_TIMEOUT_MS);            \
		ASSERT_EQ(0, err_) TH_LOG("SET_TIMEOUT: %s", strerror(-err_)); \
	} while (0)

/*
 * No ASSERT here: an ASSERT in teardown jumps back into the harness's
 * setjmp and runs teardown again.
 */
#define WT_SCANNER_TEARDOWN(_metadata, s)                         \
	do {                                                      \
		if (!(_metadata)->passed && !(_metadata)->skip) { \
			wt_dump_log(s);                           \
			wt_dump_dmesg(20);                        \
		}                                                 \
		if ((s)->fd >= 0)                                 \
			close((s)->fd);                           \
		(s)->fd = -1;                                     \
		EXPECT_EQ(0, wt_emu_stop(s));                     \
	} while (0)

#endif /* WIASCAN_TEST_H */
