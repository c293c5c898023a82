// SPDX-License-Identifier: GPL-2.0
/*
 * wiascan-emu --personality fujitsu: a Fujitsu fi-7160 as SANE's fujitsu
 * backend sees it over USB.
 *
 * Two threads: ep0 (FunctionFS events: the host enables the interface;
 * no class or vendor control requests exist, all are stalled) and the
 * command thread, which serves one command at a time the way do_usb_cmd()
 * in sane-backends' backend/fujitsu.c drives it:
 *
 *   bulk-out  31-byte command block (CDB at byte 19)
 *   bulk-out  data-out phase, when the CDB announces one
 *   bulk-in   data-in phase, when the command returns data; when shorter
 *             than asked it ends with a short packet (a zero-length one
 *             when it is a whole number of 512-byte packets) so that the
 *             status block never merges into the data
 *   bulk-in   13-byte status block (SCSI status at byte 9); CHECK
 *             CONDITION makes the host send REQUEST SENSE the same way
 *
 * The gadget plumbing (gadget.c), the options and life cycle (main.c) and
 * the image (image.c over helper/lib/formula.h) are the reference
 * emulator's.  The image of each side is the formula with the side's own
 * page number in scan order: simplex sheet k is page k, duplex sheet k
 * front 2k and back 2k+1, counted from the last (re)load of the feeder.
 * Gray and colour bytes go on the wire inverted (255 - value): the
 * backend inverts them back (init_model(): reverse_by_mode is 1 for gray
 * and colour, 0 for lineart; copy_buffer() XORs with 0xff), so that what
 * scanimage writes is the formula.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#include "emu.h"
#include "fj.h"

#define FJ_MPS	     512       /* high-speed bulk wMaxPacketSize (gadget.c) */
#define FJ_MAX_OUT   4096      /* longest data-out phase taken */
#define FJ_MAX_READ  (1 << 24) /* longest READ served at once */
#define FJ_SERIAL_NO 7160001   /* GET DEVICE ID's serial number */

/*
 * The identity on the bus.  VID 0x04c5 PID 0x132e: Debian's
 * /etc/sane.d/fujitsu.conf ("#fi-7160", "usb 0x04c5 0x132e") and
 * sane-backends' doc/descriptions/fujitsu.desc.  A vendor-specific
 * interface with one bulk-in and one bulk-out endpoint: the backend uses
 * only sanei_usb_write_bulk/read_bulk (do_usb_cmd()), and no interrupt
 * endpoint is emulated (whether the real unit has one is not documented
 * in the sources used).
 */
const struct emu_ident emu_ident_fujitsu = {
	.vid = 0x04c5,
	.pid = 0x132e,
	.bcd_device = 0x0100,
	.manufacturer = "FUJITSU",
	.product = "fi-7160",
	.if_class = 0xff,
	.if_subclass = 0xff,
	.if_protocol = 0xff,
	.intr_ep = false,
};

struct fj {
	struct emu *emu;
	uint8_t sense[FJ_SENSE_LEN]; /* for the next REQUEST SENSE */
	struct fj_window win[2];     /* [0] front, [1] back */
	bool win_set[2];
	uint8_t mode[0x40][6]; /* mode page parameters as selected */
	bool diag_gdi;	       /* last SEND DIAGNOSTIC was GET DEVICE ID */
	bool loaded;	       /* a sheet is in the transport */
	unsigned int sheet;    /* its index since the feeder was loaded */
	bool scanning;	       /* SCAN issued for it */
	bool duplex;	       /* SCAN named both windows */
	bool side_on[2];       /* SCAN named this window */
	uint64_t sent[2];      /* image bytes sent per side */
	bool cover_open;
	bool fault_done;
	size_t in_ask; /* data-in bytes the host reads for this command */
	bool in_done;  /* the data-in phase has been sent */
	uint8_t *buf;  /* data-in phases */
	uint8_t out[FJ_MAX_OUT];
};

static void sleep_ms(unsigned int ms)
{
	struct timespec t = { .tv_sec = ms / 1000,
			      .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

/* --- ep0 -------------------------------------------------------------- */

static void *fj_ep0_thread(void *arg)
{
	struct emu *emu = arg;
	struct usb_functionfs_event ev;
	char dummy = 0;

	while (!atomic_load(&emu->stopping)) {
		ssize_t n = read(emu->gadget.ep0, &ev, sizeof(ev));

		if (n < 0) {
			if (errno != EINTR)
				sleep_ms(10);
			continue;
		}
		if (n != sizeof(ev))
			continue;
		switch (ev.type) {
		case FUNCTIONFS_ENABLE:
			pthread_mutex_lock(&emu->lock);
			emu->configured = true;
			pthread_cond_broadcast(&emu->configured_cond);
			pthread_mutex_unlock(&emu->lock);
			emu_log(emu, "fujitsu: interface enabled");
			break;
		case FUNCTIONFS_DISABLE:
		case FUNCTIONFS_UNBIND:
			pthread_mutex_lock(&emu->lock);
			emu->configured = false;
			pthread_mutex_unlock(&emu->lock);
			emu_log(emu, "fujitsu: interface disabled");
			break;
		case FUNCTIONFS_SETUP:
			/* no class or vendor requests: stall them */
			emu_log(emu,
				"fujitsu: control request %02x %02x: stall",
				ev.u.setup.bRequestType, ev.u.setup.bRequest);
			if (ev.u.setup.bRequestType & USB_DIR_IN)
				n = read(emu->gadget.ep0, &dummy, 0);
			else
				n = write(emu->gadget.ep0, &dummy, 0);
			/* f_fs reports a successful stall as EL2HLT */
			if (n < 0 && errno != EL2HLT)
				emu_warn("fujitsu: stall: %s", strerror(errno));
			break;
		default:
			break;
		}
	}
	return NULL;
}

/* --- the phases ------------------------------------------------------- */

static int data_out(struct fj *f, uint8_t *dst, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(f->emu->gadget.ep_out, dst + got, len - got);

		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return got == len ? 0 : -EPROTO;
}

/* Pace the data by --rate-kib: a slow device */
static void pace(struct fj *f, size_t len)
{
	uint64_t rate = f->emu->opt.rate;

	if (rate)
		sleep_ms((unsigned int)(len * 1000 / rate));
}

/*
 * Send @len bytes of a data-in phase the host asked @ask bytes for; a
 * short phase that is a whole number of packets is ended by a zero-length
 * packet (and an empty one is just that).
 */
static int data_in(struct fj *f, const uint8_t *src, size_t len, size_t ask)
{
	int fd = f->emu->gadget.ep_in;

	f->in_done = true;
	if (len && write(fd, src, len) != (ssize_t)len)
		return -errno;
	if (len < ask && len % FJ_MPS == 0 && write(fd, src, 0) < 0)
		return -errno;
	return 0;
}

static int status(struct fj *f, uint8_t st)
{
	uint8_t blk[FJ_USB_STAT_LEN];

	/* a failed command still ends its data-in phase: empty */
	if (f->in_ask && !f->in_done) {
		int ret = data_in(f, NULL, 0, f->in_ask);

		if (ret)
			return ret;
	}
	fj_status_block(blk, st);
	if (write(f->emu->gadget.ep_in, blk, sizeof(blk)) != sizeof(blk))
		return -errno;
	return 0;
}

/* CHECK CONDITION with this sense for the following REQUEST SENSE */
static int check(struct fj *f, uint8_t key, uint8_t asc, uint8_t ascq)
{
	fj_sense(f->sense, key, asc, ascq, false, false, 0, -1);
	emu_log(f->emu, "fujitsu:   CHECK CONDITION %x/%02x/%02x", key, asc,
		ascq);
	return status(f, FJ_STATUS_CHECK_CONDITION);
}

/* --- commands ---------------------------------------------------------- */

static int cmd_request_sense(struct fj *f, const uint8_t *cdb)
{
	size_t ask = cdb[4], n = ask < FJ_SENSE_LEN ? ask : FJ_SENSE_LEN;
	int ret = data_in(f, f->sense, n, ask);

	fj_sense(f->sense, FJ_KEY_NO_SENSE, 0, 0, false, false, 0, -1);
	return ret ?: status(f, FJ_STATUS_GOOD);
}

static int cmd_inquiry(struct fj *f, const uint8_t *cdb)
{
	uint8_t d[FJ_INQ_STD_LEN > FJ_VPD_LEN ? FJ_INQ_STD_LEN : FJ_VPD_LEN];
	size_t ask = cdb[4], n;

	if (cdb[1] & 1) {
		if (cdb[2] != 0xf0)
			return check(f, FJ_KEY_ILLEGAL, FJ_ASC_BAD_CDB, 0);
		fj_vpd(d);
		n = FJ_VPD_LEN;
	} else {
		fj_inquiry(d);
		n = FJ_INQ_STD_LEN;
	}
	if (n > ask)
		n = ask;
	return data_in(f, d, n, ask) ?: status(f, FJ_STATUS_GOOD);
}

static int cmd_mode_select(struct fj *f, const uint8_t *data, size_t len)
{
	uint8_t page;

	/* 4-byte header, then the page: code, length, parameters */
	if (len < 4 + 2)
		return check(f, FJ_KEY_ILLEGAL, FJ_ASC_PARAM_LEN, 0);
	page = data[4] & 0x3f;
	if (!fj_mode_page_known(page)) {
		fj_sense(f->sense, FJ_KEY_ILLEGAL, FJ_ASC_BAD_PARAM, 0, false,
			 false, 0, 4);
		return status(f, FJ_STATUS_CHECK_CONDITION);
	}
	memset(f->mode[page], 0, 6);
	memcpy(f->mode[page], data + 6, len - 6 < 6 ? len - 6 : 6);
	emu_log(f->emu, "fujitsu:   page %02x: %02x %02x %02x %02x", page,
		f->mode[page][0], f->mode[page][1], f->mode[page][2],
		f->mode[page][3]);
	return status(f, FJ_STATUS_GOOD);
}

static int cmd_mode_sense(struct fj *f, const uint8_t *cdb)
{
	uint8_t d[256];
	uint8_t page = cdb[2] & 0x3f;
	size_t ask = cdb[4];

	/* an unknown page: ILLEGAL REQUEST, invalid field in CDB (5/24/00);
	 * init_ms() takes any failure as "page not supported" */
	if (!fj_mode_page_known(page))
		return check(f, FJ_KEY_ILLEGAL, FJ_ASC_BAD_CDB, 0);
	fj_mode_sense(d, ask, page, f->mode[page]);
	return data_in(f, d, ask, ask) ?: status(f, FJ_STATUS_GOOD);
}

/* ALD (automatic length detection), mode page 0x3c byte 3 bit 7
 * (set_MSEL_ald): pages end with the sheet */
static bool ald(const struct fj *f)
{
	return f->mode[0x3c][1] & 0x80;
}

static int cmd_set_window(struct fj *f, const uint8_t *data, size_t len)
{
	struct fj_window w[2];
	unsigned int n, i;
	int bad = fj_parse_set_window(data, len, w, &n);

	if (bad >= 0) {
		emu_log(f->emu, "fujitsu:   window refused at byte %d", bad);
		fj_sense(f->sense, FJ_KEY_ILLEGAL, FJ_ASC_BAD_PARAM, 0, false,
			 false, 0, bad);
		return status(f, FJ_STATUS_CHECK_CONDITION);
	}
	for (i = 0; i < n; i++) {
		int s = w[i].wid == FJ_WID_BACK;

		f->win[s] = w[i];
		f->win_set[s] = true;
		emu_log(f->emu,
			"fujitsu:   window %02x: %ux%u dpi comp %u, %u x %u px, %u bytes/line",
			w[i].wid, w[i].xres, w[i].yres, w[i].comp, w[i].ppl,
			w[i].lines, w[i].bpl);
	}
	return status(f, FJ_STATUS_GOOD);
}

static int cmd_get_window(struct fj *f, const uint8_t *cdb)
{
	uint8_t d[FJ_WIN_HDR_LEN + 2 * FJ_WIN_DESC_LEN] = { 0 };
	size_t ask = fj_get(cdb + 6, 3), n = FJ_WIN_HDR_LEN;
	int s;

	fj_put(d + 6, FJ_WIN_DESC_LEN, 2);
	for (s = 0; s < 2; s++) {
		if (!f->win_set[s])
			continue;
		memcpy(d + n, f->win[s].raw, FJ_WIN_DESC_LEN);
		n += FJ_WIN_DESC_LEN;
	}
	fj_put(d, (uint32_t)n - 2, 2);
	if (n > ask)
		n = ask;
	return data_in(f, d, n, ask) ?: status(f, FJ_STATUS_GOOD);
}

static int cmd_object_position(struct fj *f, const uint8_t *cdb)
{
	struct emu *emu = f->emu;
	unsigned int action = cdb[1] & 7;
	bool empty;

	if (action != FJ_OP_FEED) {
		/* discharge or halt: the sheet leaves */
		f->loaded = f->scanning = false;
		return status(f, FJ_STATUS_GOOD);
	}
	pthread_mutex_lock(&emu->lock);
	/* an open cover stays open until the feeder is reloaded (SIGHUP) */
	if (f->cover_open && !emu->sheet_index)
		f->cover_open = false;
	pthread_mutex_unlock(&emu->lock);
	if (f->cover_open)
		return check(f, FJ_KEY_MEDIUM, FJ_ASC_MEDIUM, FJ_ASCQ_COVER);
	pthread_mutex_lock(&emu->lock);
	empty = !emu->status.sheets_left;
	if (!empty) {
		emu->status.sheets_left--;
		f->sheet = emu->sheet_index++;
	}
	pthread_mutex_unlock(&emu->lock);
	f->scanning = false;
	if (empty) {
		f->loaded = false;
		/* hopper empty: MEDIUM ERROR 80/03, SANE_STATUS_NO_DOCS */
		return check(f, FJ_KEY_MEDIUM, FJ_ASC_MEDIUM, FJ_ASCQ_HOPPER);
	}
	if (emu->opt.feed_ms)
		sleep_ms(emu->opt.feed_ms);
	f->loaded = true;
	emu_log(emu, "fujitsu:   sheet %u fed", f->sheet);
	return status(f, FJ_STATUS_GOOD);
}

static int cmd_scan(struct fj *f, const uint8_t *data, size_t len)
{
	size_t i;

	if (!f->loaded)
		return check(f, FJ_KEY_ILLEGAL, FJ_ASC_SEQUENCE, 0);
	f->side_on[0] = f->side_on[1] = false;
	for (i = 0; i < len; i++) {
		int s = data[i] == FJ_WID_BACK;

		if ((data[i] != FJ_WID_FRONT && data[i] != FJ_WID_BACK) ||
		    !f->win_set[s])
			return check(f, FJ_KEY_ILLEGAL, FJ_ASC_BAD_PARAM, 0);
		f->side_on[s] = true;
	}
	f->duplex = f->side_on[0] && f->side_on[1];
	f->sent[0] = f->sent[1] = 0;
	f->scanning = true;
	if (f->emu->opt.warmup_ms)
		sleep_ms(f->emu->opt.warmup_ms);
	return status(f, FJ_STATUS_GOOD);
}

/* The formula page number of side @s of the loaded sheet */
static uint32_t page_of(const struct fj *f, int s)
{
	return f->duplex ? 2 * f->sheet + (uint32_t)s : f->sheet;
}

/* Rows of side @s: the window's, or fewer when ALD is on and the sheet
 * (--page-lengths, per sheet, the last repeating) is shorter */
static uint32_t rows_of(const struct fj *f, int s)
{
	const struct emu_options *o = &f->emu->opt;
	uint32_t rows = f->win[s].lines;

	if (ald(f) && o->n_page_lengths) {
		unsigned int i = f->sheet < o->n_page_lengths ?
					 f->sheet :
					 o->n_page_lengths - 1;

		if (o->page_lengths[i] < rows)
			rows = o->page_lengths[i];
	}
	if (o->fault.kind == FAULT_SHORT && !f->fault_done &&
	    o->fault.page == page_of(f, s)) {
		uint32_t r = (uint32_t)(o->fault.offset / f->win[s].bpl);

		if (r < rows)
			rows = r;
	}
	return rows;
}

/* Fire an injected fault that lies in this READ; 1 when it did */
static int fault(struct fj *f, int s, size_t n, int *ret)
{
	struct emu *emu = f->emu;
	const struct emu_fault *flt = &emu->opt.fault;
	char c;

	if (f->fault_done || flt->kind == FAULT_NONE ||
	    flt->kind == FAULT_SHORT || flt->page != page_of(f, s) ||
	    f->sent[s] + n <= flt->offset)
		return 0;
	f->fault_done = true;
	emu_log(emu, "fujitsu:   fault in page %u after %llu bytes", flt->page,
		(unsigned long long)f->sent[s]);
	switch (flt->kind) {
	case FAULT_JAM:
	case FAULT_DOUBLE_FEED:
	case FAULT_COVER_OPEN:
		/* the transport stops; the sheet is lost */
		f->loaded = f->scanning = false;
		if (flt->kind == FAULT_COVER_OPEN)
			f->cover_open = true;
		*ret = check(f, FJ_KEY_MEDIUM, FJ_ASC_MEDIUM,
			     flt->kind == FAULT_JAM	    ? FJ_ASCQ_JAM :
			     flt->kind == FAULT_DOUBLE_FEED ? FJ_ASCQ_DF :
							      FJ_ASCQ_COVER);
		return 1;
	case FAULT_STALL:
		/* reading an IN endpoint file makes f_fs halt it */
		if (read(emu->gadget.ep_in, &c, 1) >= 0 || errno != EBADMSG)
			emu_warn("bulk-in halt: %s", strerror(errno));
		*ret = 0;
		return 1;
	case FAULT_DISCONNECT:
		gadget_unbind(&emu->gadget);
		*ret = 0;
		return 1;
	case FAULT_FREEZE:
		while (!atomic_load(&emu->stopping))
			sleep_ms(100);
		*ret = 0;
		return 1;
	default:
		return 0;
	}
}

static int read_image(struct fj *f, const uint8_t *cdb, size_t ask)
{
	int s = cdb[5] == FJ_WID_BACK, ret;
	const struct fj_window *w = &f->win[s];
	uint64_t total, left;
	size_t n, i;

	if (!f->scanning || !f->side_on[s])
		return check(f, FJ_KEY_ILLEGAL, FJ_ASC_SEQUENCE, 0);
	total = (uint64_t)rows_of(f, s) * w->bpl;
	left = total - f->sent[s];
	n = ask < left ? ask : (size_t)left;
	if (fault(f, s, n, &ret))
		return ret;
	image_fill(f->buf, n, f->sent[s], w->bpl, page_of(f, s));
	if (w->comp != FJ_COMP_LINEART)
		for (i = 0; i < n; i++)
			f->buf[i] ^= 0xff;
	pace(f, n);
	ret = data_in(f, f->buf, n, ask);
	if (ret)
		return ret;
	f->sent[s] += n;
	if (n == ask)
		return status(f, FJ_STATUS_GOOD);
	/* the page ended: EOM, ILI with the residue (read_from_scanner()
	 * then marks the side's end; do_usb_cmd() trusts the residue) */
	fj_sense(f->sense, FJ_KEY_NO_SENSE, 0, 0, true, true,
		 (uint32_t)(ask - n), -1);
	emu_log(f->emu, "fujitsu:   page %u side %d ends: EOM, residue %zu",
		page_of(f, s), s, ask - n);
	return status(f, FJ_STATUS_CHECK_CONDITION);
}

static int cmd_read(struct fj *f, const uint8_t *cdb)
{
	uint8_t d[FJ_PSIZE_LEN];
	size_t ask = fj_get(cdb + 6, 3), n;
	int s = cdb[5] == FJ_WID_BACK;

	if (ask > FJ_MAX_READ)
		return check(f, FJ_KEY_ILLEGAL, FJ_ASC_BAD_CDB, 0);
	switch (cdb[2]) {
	case FJ_READ_IMAGE:
		return read_image(f, cdb, ask);
	case FJ_READ_PIXELSIZE:
		if (!f->win_set[s])
			return check(f, FJ_KEY_ILLEGAL, FJ_ASC_SEQUENCE, 0);
		fj_pixelsize(d, &f->win[s]);
		n = ask < sizeof(d) ? ask : sizeof(d);
		return data_in(f, d, n, ask) ?: status(f, FJ_STATUS_GOOD);
	default:
		return check(f, FJ_KEY_ILLEGAL, FJ_ASC_BAD_CDB, 0);
	}
}

static int cmd_send(struct fj *f, const uint8_t *cdb, size_t len)
{
	/* LUT (0x83) and JPEG quantisation table (0x88) are taken and
	 * kept, not applied (fujitsu.rst, limits) */
	(void)len;
	if (cdb[2] != 0x83 && cdb[2] != 0x88)
		return check(f, FJ_KEY_ILLEGAL, FJ_ASC_BAD_CDB, 0);
	return status(f, FJ_STATUS_GOOD);
}

static int cmd_send_diag(struct fj *f, const uint8_t *data, size_t len)
{
	/* SD_gdi_string: the next RECEIVE DIAGNOSTIC returns the serial */
	f->diag_gdi = len >= 16 && !memcmp(data, "GET DEVICE ID   ", 16);
	return status(f, FJ_STATUS_GOOD);
}

static int cmd_read_diag(struct fj *f, const uint8_t *cdb)
{
	uint8_t d[FJ_RD_GDI_LEN] = { 0 };
	size_t ask = fj_get(cdb + 3, 2), n = sizeof(d);

	if (!f->diag_gdi)
		return check(f, FJ_KEY_ILLEGAL, FJ_ASC_SEQUENCE, 0);
	fj_put(d, FJ_SERIAL_NO, 4); /* get_RD_id_serial */
	if (n > ask)
		n = ask;
	return data_in(f, d, n, ask) ?: status(f, FJ_STATUS_GOOD);
}

static int cmd_hw_status(struct fj *f, const uint8_t *cdb)
{
	uint8_t d[FJ_GHS_LEN] = { 0 };
	size_t ask = fj_get(cdb + 7, 2), n = sizeof(d);
	bool empty;

	pthread_mutex_lock(&f->emu->lock);
	empty = !f->emu->status.sheets_left;
	pthread_mutex_unlock(&f->emu->lock);
	/* get_GHS_hopper is the inverse of byte 3 bit 7; adf open bit 5 */
	d[3] = (uint8_t)((empty ? 0x80 : 0) | (f->cover_open ? 0x20 : 0));
	if (n > ask)
		n = ask;
	return data_in(f, d, n, ask) ?: status(f, FJ_STATUS_GOOD);
}

static int cmd_scanner_control(struct fj *f, const uint8_t *cdb)
{
	unsigned int function = (cdb[1] & 0x0f) | (unsigned int)cdb[2] << 4;

	/* RIC (byte 1 bit 4): "is the image ready?", scanner_control_ric() */
	if (cdb[1] & 0x10)
		return status(f, FJ_STATUS_GOOD);
	if (function == 0x04) /* SC_function_cancel */
		f->loaded = f->scanning = false;
	return status(f, FJ_STATUS_GOOD);
}

static const char *op_name(uint8_t op)
{
	switch (op) {
	case FJ_OP_TEST_UNIT_READY:
		return "TEST UNIT READY";
	case FJ_OP_REQUEST_SENSE:
		return "REQUEST SENSE";
	case FJ_OP_INQUIRY:
		return "INQUIRY";
	case FJ_OP_MODE_SELECT:
		return "MODE SELECT";
	case FJ_OP_RESERVE_UNIT:
		return "RESERVE UNIT";
	case FJ_OP_RELEASE_UNIT:
		return "RELEASE UNIT";
	case FJ_OP_MODE_SENSE:
		return "MODE SENSE";
	case FJ_OP_SCAN:
		return "SCAN";
	case FJ_OP_READ_DIAG:
		return "RECEIVE DIAGNOSTIC";
	case FJ_OP_SEND_DIAG:
		return "SEND DIAGNOSTIC";
	case FJ_OP_SET_WINDOW:
		return "SET WINDOW";
	case FJ_OP_GET_WINDOW:
		return "GET WINDOW";
	case FJ_OP_READ:
		return "READ";
	case FJ_OP_SEND:
		return "SEND";
	case FJ_OP_OBJECT_POSITION:
		return "OBJECT POSITION";
	case FJ_OP_GET_HW_STATUS:
		return "GET HARDWARE STATUS";
	case FJ_OP_SCANNER_CONTROL:
		return "SCANNER CONTROL";
	default:
		return "unknown";
	}
}

static int serve(struct fj *f, const uint8_t *cdb)
{
	size_t out = fj_out_len(cdb);
	int ret;

	f->in_ask = fj_in_len(cdb);
	f->in_done = false;
	emu_log(f->emu,
		"fujitsu: %02x %s %02x %02x %02x %02x %02x %02x %02x %02x %02x",
		cdb[0], op_name(cdb[0]), cdb[1], cdb[2], cdb[3], cdb[4], cdb[5],
		cdb[6], cdb[7], cdb[8], cdb[9]);
	if (out) {
		if (out > sizeof(f->out))
			return -EPROTO;
		ret = data_out(f, f->out, out);
		if (ret)
			return ret;
	}
	if (f->emu->opt.ctrl_delay_ms)
		sleep_ms(f->emu->opt.ctrl_delay_ms);
	switch (cdb[0]) {
	case FJ_OP_TEST_UNIT_READY:
	case FJ_OP_RESERVE_UNIT:
	case FJ_OP_RELEASE_UNIT:
		return status(f, FJ_STATUS_GOOD);
	case FJ_OP_REQUEST_SENSE:
		return cmd_request_sense(f, cdb);
	case FJ_OP_INQUIRY:
		return cmd_inquiry(f, cdb);
	case FJ_OP_MODE_SELECT:
		return cmd_mode_select(f, f->out, out);
	case FJ_OP_MODE_SENSE:
		return cmd_mode_sense(f, cdb);
	case FJ_OP_SCAN:
		return cmd_scan(f, f->out, out);
	case FJ_OP_READ_DIAG:
		return cmd_read_diag(f, cdb);
	case FJ_OP_SEND_DIAG:
		return cmd_send_diag(f, f->out, out);
	case FJ_OP_SET_WINDOW:
		return cmd_set_window(f, f->out, out);
	case FJ_OP_GET_WINDOW:
		return cmd_get_window(f, cdb);
	case FJ_OP_READ:
		return cmd_read(f, cdb);
	case FJ_OP_SEND:
		return cmd_send(f, cdb, out);
	case FJ_OP_OBJECT_POSITION:
		return cmd_object_position(f, cdb);
	case FJ_OP_GET_HW_STATUS:
		return cmd_hw_status(f, cdb);
	case FJ_OP_SCANNER_CONTROL:
		return cmd_scanner_control(f, cdb);
	default:
		/* ILLEGAL REQUEST, invalid command operation code */
		return check(f, FJ_KEY_ILLEGAL, FJ_ASC_BAD_OP, 0);
	}
}

static void *fj_cmd_thread(void *arg)
{
	struct fj *f = arg;
	struct emu *emu = f->emu;
	uint8_t blk[FJ_MPS];
	const uint8_t *cdb;

	while (!atomic_load(&emu->stopping)) {
		/* blocks while unplugged; ESHUTDOWN when unplugged meanwhile */
		ssize_t n = read(emu->gadget.ep_out, blk, FJ_USB_CMD_LEN);
		int ret;

		if (n < 0) {
			if (errno != EINTR && errno != ESHUTDOWN)
				emu_warn("bulk-out: %s", strerror(errno));
			if (errno != EINTR)
				sleep_ms(10);
			continue;
		}
		if (fj_parse_cmd(blk, (size_t)n, &cdb)) {
			emu_warn(
				"fujitsu: not a command block (%zd bytes, %02x)",
				n, n ? blk[0] : 0);
			continue;
		}
		ret = serve(f, cdb);
		if (ret && ret != -EINTR)
			emu_warn("fujitsu: %s: %s", op_name(cdb[0]),
				 strerror(-ret));
	}
	free(f->buf);
	free(f);
	return NULL;
}

/**
 * fj_start() - start the Fujitsu personality's threads
 * @emu: the emulator, gadget set up (not yet bound)
 * @ep0: set to the ep0 thread
 * @cmd: set to the command thread
 *
 * Return: 0 or a negative errno.
 */
int fj_start(struct emu *emu, pthread_t *ep0, pthread_t *cmd)
{
	struct fj *f = calloc(1, sizeof(*f));
	int fl, ret;

	if (!f)
		return -ENOMEM;
	f->emu = emu;
	f->buf = malloc(FJ_MAX_READ);
	if (!f->buf) {
		free(f);
		return -ENOMEM;
	}
	fj_sense(f->sense, FJ_KEY_NO_SENSE, 0, 0, false, false, 0, -1);
	/* commands are served one at a time: blocking bulk-in writes */
	fl = fcntl(emu->gadget.ep_in, F_GETFL);
	if (fl >= 0)
		fcntl(emu->gadget.ep_in, F_SETFL, fl & ~O_NONBLOCK);
	ret = -pthread_create(ep0, NULL, fj_ep0_thread, emu);
	if (ret) {
		free(f->buf);
		free(f);
		return ret;
	}
	ret = -pthread_create(cmd, NULL, fj_cmd_thread, f);
	if (ret) {
		atomic_store(&emu->stopping, true);
		emu_join(*ep0, "ep0");
		free(f->buf);
		free(f);
	}
	return ret;
}
