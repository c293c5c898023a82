/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wiascan-emu: the reference scanner as a FunctionFS gadget.
 *
 * Four threads share one struct emu:
 *   main     options, configfs/FunctionFS lifecycle, signals (main.c, gadget.c)
 *   ep0      FunctionFS events and the vendor control requests (ep0.c)
 *   stream   image data on bulk-in and events on interrupt-in, with
 *            Linux AIO so that several large requests are queued (stream.c)
 *   sink     bulk-out: counts and sums what the host sends (sink.c)
 *
 * The wire protocol is helper/lib/refscan.h and the image is helper/lib/formula.h;
 * this file only holds what is particular to the emulator.
 */
#ifndef WIASCAN_EMU_H
#define WIASCAN_EMU_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refscan.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* What this emulated scanner can do (reported by GET_INFO) */
#define EMU_MIN_DPI	  50
#define EMU_MAX_DPI	  1200
#define EMU_MAX_WIDTH_UM  216000 /* a little wider than US letter */
#define EMU_MAX_HEIGHT_UM 356000 /* US legal */
#define EMU_A4_HEIGHT_UM  297000 /* default ADF sheet length */

/* Longest --page-lengths entry: keeps PAGE_DONE's byte count in 32 bits */
#define EMU_MAX_PAGE_ROWS    100000
#define EMU_MAX_PAGE_LENGTHS 64
#define EMU_MAX_IMAGES	     256 /* --image files */

/* Bulk-in pipeline: requests in flight and bytes per request */
#define EMU_DEF_QUEUE	  4
#define EMU_MAX_QUEUE	  32
#define EMU_DEF_CHUNK_KIB 1024
#define EMU_MAX_CHUNK_KIB 4096

#define EMU_DEF_NAME   "wiascan-emu"
#define EMU_DEF_SERIAL "REF0001"
#define EMU_FJ_SERIAL  "7160001" /* the fi-7160's: its GET DEVICE ID serial */
#define EMU_DEF_UDC    "dummy_udc.0"

/* An injected device fault, --fault KIND@PAGE[:BYTES] */
enum emu_fault_kind {
	FAULT_NONE,
	FAULT_STALL,	   /* halt bulk-in at the point */
	FAULT_JAM,	   /* stop at the point, PAPER_JAM event, error JAM */
	FAULT_DOUBLE_FEED, /* the same with DOUBLE_FEED */
	FAULT_DISCONNECT,  /* leave the bus (unplug) at the point */
	FAULT_SHORT,	   /* the page ends after BYTES bytes */
	FAULT_FREEZE,	   /* stop sending at the point, still "scanning" */
	FAULT_COVER_OPEN,  /* Fujitsu only: the ADF cover opens at the point */
};

/**
 * struct emu_fault - a fault that fires once, in the first scan reaching it
 * @kind: what happens
 * @page: page of the scan (0-based, counting from START) where it happens
 * @offset: bytes of that page sent first, rounded down to whole packets
 *	(for FAULT_SHORT: the page's length)
 */
struct emu_fault {
	enum emu_fault_kind kind;
	uint32_t page;
	uint64_t offset;
};

/**
 * struct emu_ident - what the gadget says it is, on the bus
 * @vid: idVendor
 * @pid: idProduct
 * @bcd_device: bcdDevice
 * @manufacturer: iManufacturer string
 * @product: iProduct string, also the interface's name
 * @if_class: bInterfaceClass
 * @if_subclass: bInterfaceSubClass
 * @if_protocol: bInterfaceProtocol
 * @intr_ep: the interface has an interrupt-in endpoint (ep3)
 */
struct emu_ident {
	uint16_t vid, pid, bcd_device;
	const char *manufacturer, *product;
	uint8_t if_class, if_subclass, if_protocol;
	bool intr_ep;
};

/* Which scanner the emulator presents (--personality) */
enum emu_personality {
	PERS_REFSCAN, /* the reference scanner, refscan.h */
	PERS_FUJITSU, /* a Fujitsu fi-7160, fujitsu.c */
};

struct emu_options {
	enum emu_personality personality;
	const struct emu_ident *ident;
	unsigned int sheets;
	uint32_t page_lengths[EMU_MAX_PAGE_LENGTHS];
	unsigned int n_page_lengths; /* 0: A4 length at the scan's dpi */
	const char *udc;
	const char *name;
	const char *serial;
	const char *ready;
	bool verbose;
	unsigned int queue;	/* bulk-in requests in flight */
	size_t chunk;		/* bytes per bulk-in request */
	uint64_t rate;		/* bulk-in bytes/s, 0 = as fast as it goes */
	unsigned int warmup_ms; /* from START to the first byte */
	unsigned int ctrl_delay_ms;  /* before answering a vendor request */
	unsigned int start_delay_ms; /* before answering START */
	unsigned int feed_ms;	     /* drawing one ADF sheet takes this long */
	struct emu_fault fault;
	char **images; /* --image: one picture per sheet, or NULL */
	unsigned int n_images;
};

/* Longest configfs or mount path we build; names are short (--name) */
#define EMU_PATH_MAX 256

/* Everything the configfs gadget and the FunctionFS mount consist of */
struct gadget {
	char dir[EMU_PATH_MAX]; /* /sys/kernel/config/usb_gadget/NAME */
	char mnt[EMU_PATH_MAX]; /* private FunctionFS mount point */
	int step;		/* how far setup got, for teardown */
	int ep0;
	int ep_in;   /* bulk-in, O_NONBLOCK, used with AIO */
	int ep_out;  /* bulk-out, blocking */
	int ep_intr; /* interrupt-in, O_NONBLOCK, AIO */
};

struct stream;
struct sheets;

struct emu {
	struct emu_options opt;
	struct gadget gadget;
	struct stream *stream;
	struct sheets *sheets; /* --image pictures; the stream thread's */

	/*
	 * @lock protects the scanner's visible state below; the ep0, stream
	 * and sink threads all update parts of it.
	 */
	pthread_mutex_t lock;
	struct refscan_params params; /* bytes_per_line kept up to date */
	bool params_rejected;	      /* last SET_PARAMS was invalid */
	struct refscan_status status;
	uint32_t scan_bytes;	  /* GET_STATUS v2: bytes queued since START */
	uint8_t activity;	  /* GET_STATUS v2: REFSCAN_ACT_* */
	unsigned int sheet_index; /* sheets drawn since the feeder was loaded */
	bool configured;	  /* host enabled the interface */
	bool start_acked;	  /* the host has seen START succeed */
	pthread_cond_t configured_cond;

	atomic_bool stopping; /* teardown has begun */
};

/* main.c */
void emu_log(const struct emu *emu, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void emu_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* gadget.c */
int gadget_remove_stale(const char *name);
int gadget_setup(struct gadget *g, const struct emu_options *opt);
int gadget_bind(struct gadget *g, const char *udc);
int gadget_unbind(struct gadget *g);
void gadget_teardown(struct gadget *g);

/* main.c: the reference scanner's identity */
extern const struct emu_ident emu_ident_refscan;

/* fujitsu.c: the fi-7160 personality */
extern const struct emu_ident emu_ident_fujitsu;
int fj_start(struct emu *emu, pthread_t *ep0, pthread_t *cmd);

/* ep0.c */
int ep0_start(struct emu *emu, pthread_t *thread);
void refscan_fill_info(struct refscan_info *info);
int refscan_check_params(const struct refscan_params *p);
uint32_t emu_px(uint32_t um, unsigned int dpi);

/* stream.c */
int stream_create(struct emu *emu);
void stream_destroy(struct emu *emu);
int stream_start(struct emu *emu, unsigned int max_sheets);
int stream_cancel(struct emu *emu);
int stream_enable(struct emu *emu);
int stream_disable(struct emu *emu);

/* sink.c */
int sink_start(struct emu *emu, pthread_t *thread);

/* image.c */
int image_init(void);
void image_fill(uint8_t *dst, size_t len, uint64_t offset, uint32_t bpl,
		uint32_t page);

/* sheet.c */

/**
 * struct pic - a decoded picture
 * @w: width, pixels
 * @h: height, pixels
 * @ch: samples per pixel: 1 gray, 3 R G B
 * @px: @w * @h * @ch bytes, rows top down, 0 black, 255 white
 */
struct pic {
	uint32_t w, h;
	unsigned int ch;
	uint8_t *px;
};

int pic_load(const char *path, struct pic *pic, char *err, size_t errlen);
void pic_free(struct pic *pic);
int pic_render(const struct pic *pic, uint8_t mode, uint32_t width,
	       uint32_t rows, uint8_t *dst);
int sheets_open(char *const *files, unsigned int n, struct sheets **out,
		char *err, size_t errlen);
void sheets_close(struct sheets *s);
const uint8_t *sheets_page(struct sheets *s, unsigned int sheet, uint8_t mode,
			   uint32_t width, uint32_t rows);

/* Wake a thread blocked in a system call (see main.c) */
void emu_kick(pthread_t thread);
int emu_join(pthread_t thread, const char *what);

#endif /* WIASCAN_EMU_H */
