// SPDX-License-Identifier: GPL-2.0
/*
 * The Fujitsu/Ricoh fi-series protocol: SCSI scanner commands wrapped in
 * USB bulk transfers, one command at a time (fujitsu.h has the wire
 * format and its sources: sane-backends backend/fujitsu.c and
 * fujitsu-scsi.h).
 *
 * A command is the 31-byte block on bulk-out (write()), an optional data
 * phase, then the 13-byte status block on bulk-in (read()).  CHECK
 * CONDITION is followed by REQUEST SENSE, the same way (do_usb_cmd).
 * Image data is the exception: its READ's data-in phase goes zero-copy
 * into a ring buffer queued with the READ's length (xfer_begin), and the
 * status is read after the buffer came back (xfer_end).  The device
 * source keeps one command in flight while the sink works on the buffer
 * before it.
 *
 * A scan: RESERVE UNIT, SET WINDOW (front, and back for duplex), READ
 * pixel size (what the scanner will send) at set_params; OBJECT POSITION
 * (load a sheet) and SCAN at start and for every further sheet; READ
 * image data of window 0x00 (front) then 0x80 (back) until each side
 * ends: end of medium in the sense data, or, for a fixed length, once
 * its bytes are in (the backend's sane_read stops there too).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fujitsu.h"
#include "protocol.h"

#define FJ_BUSY_SLEEP_MS 10 /* the backend usleeps on a busy READ too */

/**
 * struct fj_state - one device's scan (dev->proto_priv)
 * @inq, @have_inq: standard INQUIRY
 * @vpd, @have_vpd: the vendor page
 * @duplex: both windows set
 * @bpl: bytes per row
 * @side_bytes: bytes of one side when its length is fixed, 0 if variable
 * @max_pages: pages (sides) to read, 0: until the hopper is empty
 * @sheets: sheets fed
 * @page: the side being read, counted over the scan (front 2k, back 2k+1)
 * @back: the back side is being read
 * @got: bytes of the current side so far
 * @asked: bytes the READ in flight asked for
 * @done: no more data: the last side ended, or a fault
 * @busy: the last READ was refused as busy
 * @in_flight: a READ was sent and its status not yet read
 * @active: the scanner holds a sheet it was told to SCAN whose sides are
 *	not all read (an early end, a fault): cancel sends SCANNER CONTROL
 *	cancel so that it is idle again
 */
struct fj_state {
	struct fj_inquiry inq;
	bool have_inq;
	struct fj_vpd vpd;
	bool have_vpd;
	bool duplex;
	uint32_t bpl;
	uint64_t side_bytes;
	uint32_t max_pages;
	uint32_t sheets;
	uint32_t page;
	bool back;
	uint64_t got;
	uint32_t asked;
	bool done;
	bool busy;
	bool in_flight;
	bool active;
};

static struct fj_state *fj_state(struct device *dev)
{
	if (!dev->proto_priv)
		dev->proto_priv = calloc(1, sizeof(struct fj_state));
	return dev->proto_priv;
}

/* The vendor's IDs; INQUIRY confirms the vendor before anything else */
static bool fj_match(const struct device_caps *caps)
{
	return caps->vendor_id == FJ_VENDOR_ID;
}

static int fj_write_all(struct device *dev, const void *buf, size_t len)
{
	int n = wias_device_write(dev, buf, len);

	if (n < 0)
		return n;
	return (size_t)n == len ? 0 : -EIO;
}

static int fj_send_cdb(struct device *dev, const uint8_t *cdb, size_t len)
{
	uint8_t blk[FJ_USB_CMD_LEN];

	wias_fj_wrap_command(blk, cdb, len);
	return fj_write_all(dev, blk, sizeof(blk));
}

#define FJ_BOUNCE 2048 /* the longest small data phase, rounded up */

/*
 * A small data-in phase or status block of at most @len bytes: the driver
 * reads whole packets (a shorter URB could babble), so the read asks for
 * @len rounded up to the packet size; the scanner ends the phase with a
 * short packet.  Bytes read, or -errno; -EPROTO if more than @len came.
 */
static int fj_read_in(struct device *dev, void *buf, size_t len)
{
	uint32_t mp =
		dev->caps.bulk_in_maxpacket ? dev->caps.bulk_in_maxpacket : 512;
	uint8_t bounce[FJ_BOUNCE];
	size_t ask = (len + mp - 1) / mp * mp;
	int n;

	if (ask > sizeof(bounce))
		return -EINVAL;
	n = wias_device_read(dev, bounce, ask);
	if (n < 0)
		return n;
	if ((size_t)n > len)
		return -EPROTO;
	memcpy(buf, bounce, (size_t)n);
	return n;
}

/* The status block that ends every command */
static int fj_read_status(struct device *dev, uint8_t *status)
{
	uint8_t blk[FJ_USB_STAT_LEN];
	int n;

	n = fj_read_in(dev, blk, sizeof(blk));
	if (n < 0)
		return n;
	return wias_fj_parse_status(blk, (size_t)n, status);
}

/* REQUEST SENSE after a CHECK CONDITION (do_usb_cmd runRS) */
static int fj_request_sense(struct device *dev, struct fj_sense *sense)
{
	uint8_t cdb[FJ_CDB_MAX], rs[FJ_SENSE_LEN];
	uint8_t status;
	int n, ret;

	ret = fj_send_cdb(dev, cdb, wias_fj_cdb_request_sense(cdb));
	if (ret)
		return ret;
	n = fj_read_in(dev, rs, sizeof(rs));
	if (n < 0)
		return n;
	ret = fj_read_status(dev, &status);
	if (ret)
		return ret;
	if (status != FJ_STATUS_GOOD)
		return -EIO;
	wias_fj_parse_sense(rs, (size_t)n, sense);
	return 0;
}

/* After the data phase: the status, and the sense data if there is some */
static int fj_finish(struct device *dev, enum fj_result *res,
		     struct fj_sense *sense)
{
	uint8_t status;
	int ret;

	memset(sense, 0, sizeof(*sense));
	ret = fj_read_status(dev, &status);
	if (ret)
		return ret;
	if (status == FJ_STATUS_GOOD) {
		*res = FJ_OK;
		return 0;
	}
	if (status == FJ_STATUS_BUSY) {
		*res = FJ_BUSY;
		return 0;
	}
	if (status != FJ_STATUS_CHECK_CONDITION)
		return -EIO;
	ret = fj_request_sense(dev, sense);
	if (!ret)
		*res = wias_fj_sense_result(sense);
	return ret;
}

/**
 * fj_cmd() - one whole command: block, data out or in, status
 * @out, @out_len: data-out phase (NULL, 0: none)
 * @in, @in_len: data-in phase; *@in_len: bytes that came
 * @res: what the status (and sense) say
 * Returns 0 or -errno of the transfers.
 */
static int fj_cmd(struct device *dev, const uint8_t *cdb, size_t cdb_len,
		  const void *out, size_t out_len, void *in, size_t *in_len,
		  enum fj_result *res)
{
	struct fj_sense sense;
	int n, ret;

	ret = fj_send_cdb(dev, cdb, cdb_len);
	if (!ret && out && out_len)
		ret = fj_write_all(dev, out, out_len);
	if (ret)
		return ret;
	if (in && in_len && *in_len) {
		n = fj_read_in(dev, in, *in_len);
		if (n < 0)
			return n;
		*in_len = (size_t)n;
	}
	return fj_finish(dev, res, &sense);
}

/* A command without data that must succeed */
static int fj_simple(struct device *dev, const uint8_t *cdb, size_t len,
		     enum fj_result *res)
{
	int ret = fj_cmd(dev, cdb, len, NULL, 0, NULL, NULL, res);

	if (ret)
		return ret;
	return *res == FJ_OK ? 0 : -EPIPE;
}

static int fj_inquiry(struct device *dev, struct fj_state *st)
{
	uint8_t cdb[FJ_CDB_MAX], in[FJ_INQ_VPD_LEN];
	enum fj_result res;
	size_t len = FJ_INQ_STD_LEN;
	int ret;

	if (st->have_inq)
		return 0;
	ret = fj_cmd(dev, cdb,
		     wias_fj_cdb_inquiry(cdb, false, 0, FJ_INQ_STD_LEN), NULL,
		     0, in, &len, &res);
	if (!ret && res != FJ_OK)
		ret = -EIO;
	if (!ret)
		ret = wias_fj_parse_inquiry(in, len, &st->inq);
	if (ret)
		return ret;
	/* the family's INQUIRY vendor (fujitsu.c init_inquiry checks it) */
	if (strcmp(st->inq.vendor, "FUJITSU") != 0 &&
	    strcmp(st->inq.vendor, "RICOH") != 0)
		return -ENODEV;
	st->have_inq = true;
	len = FJ_INQ_VPD_LEN;
	ret = fj_cmd(dev, cdb,
		     wias_fj_cdb_inquiry(cdb, true, FJ_VPD_PAGE,
					 FJ_INQ_VPD_LEN),
		     NULL, 0, in, &len, &res);
	if (ret)
		return ret;
	st->have_vpd = res == FJ_OK && !wias_fj_parse_vpd(in, len, &st->vpd);
	return 0;
}

static int fj_model(struct device *dev, struct scan_model *model)
{
	struct fj_state *st = fj_state(dev);
	int ret;

	if (!st)
		return -ENOMEM;
	ret = fj_inquiry(dev, st);
	if (ret)
		return ret;
	snprintf(model->vendor, sizeof(model->vendor), "%s", st->inq.vendor);
	snprintf(model->product, sizeof(model->product), "%s", st->inq.product);
	snprintf(model->revision, sizeof(model->revision), "%s",
		 st->inq.revision);
	return 0;
}

/* A length in the VPD's basic-resolution pixels, in micrometres */
static uint32_t fj_um(uint32_t v, uint32_t dpi)
{
	return dpi ? (uint32_t)((uint64_t)v * 25400 / dpi) : 0;
}

static int fj_get_info(struct device *dev, struct scan_device_info *info)
{
	struct fj_state *st = fj_state(dev);
	const struct fj_vpd *v;
	int ret;

	if (!st)
		return -ENOMEM;
	ret = fj_inquiry(dev, st);
	if (ret)
		return ret;
	memset(info, 0, sizeof(*info));
	if (!st->have_vpd)
		return -EPROTO;
	v = &st->vpd;
	info->version = 1;
	info->modes = (v->lineart ? 1U << SCAN_MODE_LINEART : 0) |
		      (v->gray ? 1U << SCAN_MODE_GRAY : 0) |
		      (v->color ? 1U << SCAN_MODE_COLOR : 0);
	info->sources =
		(v->flatbed ? 1U << SCAN_SOURCE_FLATBED : 0) |
		(v->adf ? 1U << SCAN_SOURCE_ADF : 0) |
		(v->adf && v->duplex ? 1U << SCAN_SOURCE_ADF_DUPLEX : 0);
	info->min_dpi = v->min_dpi;
	info->max_dpi = v->max_dpi;
	info->max_width_um = fj_um(v->width, v->basic_dpi);
	info->max_height_um = fj_um(v->length, v->basic_dpi);
	return 0;
}

/*
 * Automatic length detection on or off (the backend's mode_select_auto):
 * on for pages of unknown length, whose window is then the longest
 */
static int fj_set_ald(struct device *dev, bool on)
{
	uint8_t cdb[FJ_CDB_MAX], data[FJ_MSEL_LEN];
	enum fj_result res;
	size_t len = wias_fj_mode_ald(data, on);
	int ret;

	ret = fj_cmd(dev, cdb, wias_fj_cdb_mode_select(cdb, (uint8_t)len), data,
		     len, NULL, NULL, &res);
	if (ret)
		return ret;
	return res == FJ_OK ? 0 : -EPIPE;
}

/* The longest window, 1/1200 inch: the VPD's, in its basic resolution */
static uint32_t fj_max_length(const struct fj_state *st)
{
	const struct fj_vpd *v = &st->vpd;

	if (!st->have_vpd || !v->basic_dpi)
		return 14 * 1200; /* legal paper */
	return (uint32_t)((uint64_t)v->length * 1200 / v->basic_dpi);
}

/* SET WINDOW for the front, and the back when duplex */
static int fj_set_window(struct device *dev, const struct scan_request *req,
			 bool duplex)
{
	uint8_t cdb[FJ_CDB_MAX];
	uint8_t data[FJ_WIN_HDR_LEN + 2 * FJ_WIN_DESC_LEN];
	struct fj_window w[2];
	enum fj_result res;
	size_t len;
	int ret;

	memset(w, 0, sizeof(w));
	w[0].wid = FJ_WID_FRONT;
	w[0].dpi = (uint16_t)req->dpi;
	w[0].width = wias_fj_px_to_1200(req->width_px, req->dpi);
	w[0].length = req->height_px ?
			      wias_fj_px_to_1200(req->height_px, req->dpi) :
			      fj_max_length(dev->proto_priv);
	w[0].paper_width = w[0].width;
	w[0].paper_length = w[0].length;
	w[0].mode = req->mode;
	w[1] = w[0];
	w[1].wid = FJ_WID_BACK;
	len = wias_fj_window_data(data, sizeof(data), w, duplex ? 2 : 1);
	if (!len)
		return -EINVAL;
	ret = fj_cmd(dev, cdb, wias_fj_cdb_set_window(cdb, (uint32_t)len), data,
		     len, NULL, NULL, &res);
	if (ret)
		return ret;
	return res == FJ_OK ? 0 : -EPIPE;
}

/* READ pixel size: the row width and rows the scanner will send */
static int fj_pixel_size(struct device *dev, uint32_t *px, uint32_t *lines)
{
	uint8_t cdb[FJ_CDB_MAX], in[FJ_PSIZE_LEN];
	size_t len = sizeof(in);
	enum fj_result res;
	int ret;

	ret = fj_cmd(dev, cdb,
		     wias_fj_cdb_read(cdb, FJ_READ_PIXELSIZE, FJ_WID_FRONT,
				      FJ_PSIZE_LEN),
		     NULL, 0, in, &len, &res);
	if (ret)
		return ret;
	if (res != FJ_OK && res != FJ_EOM)
		return -EIO;
	return wias_fj_parse_pixelsize(in, len, px, lines);
}

static int fj_set_params(struct device *dev, const struct scan_request *req,
			 struct scan_format *fmt)
{
	struct fj_state *st = fj_state(dev);
	uint8_t cdb[FJ_CDB_MAX];
	enum fj_result res;
	uint32_t px, lines;
	int ret;

	if (!st)
		return -ENOMEM;
	if ((unsigned int)req->mode > SCAN_MODE_COLOR || req->dpi > 0xffff ||
	    !req->dpi)
		return -EINVAL;
	ret = fj_inquiry(dev, st);
	if (ret)
		return ret;
	st->duplex = req->source == SCAN_SOURCE_ADF_DUPLEX;
	if (st->duplex && st->have_vpd && !st->vpd.duplex)
		return -EPIPE;
	/* RESERVE UNIT: the backend reserves before it sets windows */
	ret = fj_simple(dev, cdb, wias_fj_cdb_reserve(cdb), &res);
	if (!ret)
		ret = fj_set_ald(dev, !req->height_px);
	if (!ret)
		ret = fj_set_window(dev, req, st->duplex);
	if (!ret)
		ret = fj_pixel_size(dev, &px, &lines);
	if (ret)
		return ret;
	if (px != req->width_px || (req->height_px && lines != req->height_px))
		return -EPROTO;
	fmt->mode = req->mode;
	fmt->source = req->source;
	fmt->dpi = req->dpi;
	fmt->width_px = px;
	fmt->height_px = req->height_px;
	fmt->bytes_per_line = wias_scan_bytes_per_line(req->mode, px);
	/*
	 * Gray and colour come inverted: the backend's init_model() sets
	 * reverse_by_mode for them and copy_buffer() XORs with 0xff
	 */
	fmt->inverted = req->mode != SCAN_MODE_LINEART;
	st->bpl = fmt->bytes_per_line;
	st->side_bytes = (uint64_t)fmt->bytes_per_line * req->height_px;
	return 0;
}

static enum scan_cond fj_cond(enum fj_result r)
{
	switch (r) {
	case FJ_NO_PAPER:
		return SCAN_COND_NO_PAPER;
	case FJ_JAM:
		return SCAN_COND_JAM;
	case FJ_DOUBLE_FEED:
		return SCAN_COND_DOUBLE_FEED;
	case FJ_COVER_OPEN:
		return SCAN_COND_COVER_OPEN;
	default:
		return SCAN_COND_NONE;
	}
}

/*
 * Load a sheet (OBJECT POSITION, feed) and start scanning it (SCAN with
 * the window list).  *@res says why the scanner refused, if it did.
 */
static int fj_load_sheet(struct device *dev, struct fj_state *st,
			 enum fj_result *res)
{
	static const uint8_t wids[] = { FJ_WID_FRONT, FJ_WID_BACK };
	uint8_t cdb[FJ_CDB_MAX];
	uint8_t n = st->duplex ? 2 : 1;
	int ret;

	ret = fj_cmd(dev, cdb, wias_fj_cdb_object_position(cdb, FJ_OP_FEED),
		     NULL, 0, NULL, NULL, res);
	if (ret || *res != FJ_OK)
		return ret;
	ret = fj_cmd(dev, cdb, wias_fj_cdb_scan(cdb, n), wids, n, NULL, NULL,
		     res);
	if (ret || *res != FJ_OK)
		return ret;
	st->sheets++;
	st->back = false;
	st->got = 0;
	st->active = true;
	return 0;
}

static int fj_start(struct device *dev, uint32_t max_pages,
		    enum scan_cond *cond)
{
	struct fj_state *st = fj_state(dev);
	enum fj_result res;
	int ret;

	*cond = SCAN_COND_NONE;
	if (!st)
		return -ENOMEM;
	/*
	 * The bound counts pages (sides): two a sheet in duplex, so an odd
	 * one ends after the front of the last sheet, its back never read
	 */
	st->max_pages = max_pages;
	st->sheets = 0;
	st->page = 0;
	st->done = false;
	st->busy = false;
	st->active = false;
	ret = fj_load_sheet(dev, st, &res);
	if (ret)
		return ret;
	if (res == FJ_OK)
		return 0;
	*cond = fj_cond(res);
	st->done = true;
	return -EPIPE;
}

#define FJ_DRAIN_LEN (64 * 1024)
#define FJ_DRAIN_MAX 4096 /* reads: 256 MiB of a READ's data at most */

/*
 * Stop, after any end of a scan (the pages wanted are in, a fault, an
 * error, a signal), so that the scanner is idle for the next command.  A
 * READ still in flight (the device source took its buffer back) sends the
 * rest of its data and then its 13-byte status: read and drop them, each
 * read bounded by the file's timeout, so that the next command's answers
 * are its own.  The data phase ends with a short packet, so the status
 * comes alone: 13 bytes starting with USB_STATUS_CODE; a stalled one is
 * cleared.  Then, if the
 * scanner still holds a sheet with sides not read, SCANNER CONTROL cancel
 * (the backend's check_for_cancel) ends its scan.  A scan that ended with
 * its last side read sends nothing.
 */
static int fj_cancel(struct device *dev)
{
	struct fj_state *st = fj_state(dev);
	uint8_t cdb[FJ_CDB_MAX];
	enum fj_result res;
	uint8_t *junk;
	int i, n = 0;

	if (!st)
		return -ENOMEM;
	st->done = true;
	if (st->in_flight) {
		st->in_flight = false;
		junk = malloc(FJ_DRAIN_LEN);
		if (!junk)
			return -ENOMEM;
		for (i = 0; i < FJ_DRAIN_MAX; i++) {
			n = wias_device_read(dev, junk, FJ_DRAIN_LEN);
			if (n < 0 || (n == FJ_USB_STAT_LEN &&
				      junk[0] == FJ_USB_STAT_CODE))
				break;
		}
		free(junk);
		/*
		 * A stalled bulk-in stays halted until cleared (as the
		 * backend's sanei_usb_clear_halt); the READ it ended sends
		 * nothing more
		 */
		if (n == -EPIPE)
			n = wias_device_clear_halt(dev, dev->caps.bulk_in_ep);
		if (n < 0)
			return n;
	}
	if (!st->active)
		return 0;
	st->active = false;
	return fj_cmd(dev, cdb, wias_fj_cdb_scanner_control(cdb, FJ_SC_CANCEL),
		      NULL, 0, NULL, NULL, &res);
}

/* No interrupt events: every condition comes with a command's status */
static int fj_read_event(struct device *dev, bool wait, struct scan_event *ev)
{
	(void)dev;
	memset(ev, 0, sizeof(*ev));
	return wait ? -ENODATA : -EAGAIN;
}

/* GET HARDWARE STATUS, when no command is in flight */
static int fj_status(struct device *dev, struct scan_status *out)
{
	struct fj_state *st = fj_state(dev);
	uint8_t cdb[FJ_CDB_MAX], in[FJ_GHS_LEN];
	struct fj_hw_status hs;
	size_t len = sizeof(in);
	enum fj_result res;
	int ret;

	memset(out, 0, sizeof(*out));
	out->activity = SCAN_ACT_UNKNOWN;
	/* one command at a time: its answer would land behind the READ's */
	if (st && st->in_flight)
		return -EBUSY;
	ret = fj_cmd(dev, cdb, wias_fj_cdb_hw_status(cdb, FJ_GHS_LEN), NULL, 0,
		     in, &len, &res);
	if (ret)
		return ret;
	if (res != FJ_OK)
		return -EIO;
	wias_fj_parse_hw_status(in, len, &hs);
	out->error = hs.error_code;
	if (hs.double_feed)
		out->cond = SCAN_COND_DOUBLE_FEED;
	else if (hs.adf_open)
		out->cond = SCAN_COND_COVER_OPEN;
	out->sheets_left = hs.hopper_loaded ? 1 : 0;
	return 0;
}

static void fj_sleep_ms(long ms)
{
	struct timespec t = { .tv_sec = ms / 1000,
			      .tv_nsec = ms % 1000 * 1000000L };

	nanosleep(&t, NULL);
}

/*
 * The READ for the next buffer: whole rows (read_from_scanner: "all
 * requests must end on line boundary"), no more than the side has left
 * when its length is fixed; the buffer is queued for that length rounded
 * up to the packet size (the scanner ends a shorter phase with a short
 * packet).
 */
static int fj_xfer_begin(struct device *dev, uint32_t buf_size, uint32_t *len)
{
	struct fj_state *st = fj_state(dev);
	uint32_t mp =
		dev->caps.bulk_in_maxpacket ? dev->caps.bulk_in_maxpacket : 512;
	uint32_t cap = buf_size / mp * mp, ask;
	uint8_t cdb[FJ_CDB_MAX];
	int ret;

	*len = 0;
	if (!st)
		return -ENOMEM;
	if (st->done)
		return 0;
	if (st->busy)
		fj_sleep_ms(FJ_BUSY_SLEEP_MS);
	ask = st->bpl ? cap / st->bpl * st->bpl : cap;
	if (st->side_bytes && st->side_bytes - st->got < ask)
		ask = (uint32_t)(st->side_bytes - st->got);
	if (!ask)
		return -EINVAL;
	ret = fj_send_cdb(
		dev, cdb,
		wias_fj_cdb_read(cdb, FJ_READ_IMAGE,
				 st->back ? FJ_WID_BACK : FJ_WID_FRONT, ask));
	if (ret)
		return ret;
	st->asked = ask;
	st->in_flight = true;
	*len = (ask + mp - 1) / mp * mp;
	return 0;
}

static void fj_event(struct scan_event *ev, unsigned int *nev,
		     enum scan_event_type type, uint32_t page, uint64_t arg,
		     bool last)
{
	struct scan_event *e = &ev[(*nev)++];

	memset(e, 0, sizeof(*e));
	e->type = type;
	e->page = page;
	e->page_mask = 0xffffffff;
	e->arg = arg;
	e->last = last;
}

static enum scan_event_type fj_fault_event(enum fj_result r)
{
	switch (r) {
	case FJ_JAM:
		return SCAN_EVENT_JAM;
	case FJ_DOUBLE_FEED:
		return SCAN_EVENT_DOUBLE_FEED;
	case FJ_COVER_OPEN:
		return SCAN_EVENT_COVER_OPEN;
	case FJ_NO_PAPER:
		return SCAN_EVENT_FEEDER_EMPTY;
	default:
		return SCAN_EVENT_OTHER;
	}
}

/*
 * A side ended: the next side, or the next sheet (loaded now, so that an
 * empty hopper marks this page the last one), or the end.
 */
static int fj_side_done(struct device *dev, struct fj_state *st,
			struct scan_event *ev, unsigned int *nev)
{
	uint32_t page = st->page++;
	uint64_t bytes = st->got;
	enum fj_result res;
	int ret;

	st->got = 0;
	if (!st->duplex || st->back)
		st->active = false; /* every side of this sheet is read */
	if (st->max_pages && st->page >= st->max_pages) {
		/* enough; a duplex back left unread goes at the cancel */
		st->done = true;
		fj_event(ev, nev, SCAN_EVENT_PAGE_DONE, page, bytes, true);
		return 0;
	}
	if (st->duplex && !st->back) {
		st->back = true;
		fj_event(ev, nev, SCAN_EVENT_PAGE_DONE, page, bytes, false);
		return 0;
	}
	ret = fj_load_sheet(dev, st, &res);
	if (ret)
		return ret;
	st->done = res != FJ_OK;
	if (st->done && fj_fault_event(res) == SCAN_EVENT_OTHER)
		return -EIO;
	/*
	 * An empty hopper ends the batch well: this page is the last one.  A
	 * jam, double feed or open cover while loading is a fault the device
	 * source reports after this page, which is kept.
	 */
	fj_event(ev, nev, SCAN_EVENT_PAGE_DONE, page, bytes,
		 res == FJ_NO_PAPER);
	if (res != FJ_OK)
		fj_event(ev, nev, fj_fault_event(res), st->page, 0, true);
	return 0;
}

static int fj_xfer_end(struct device *dev, uint32_t bytesused,
		       struct scan_event *ev, unsigned int *nev,
		       bool *end_of_page)
{
	struct fj_state *st = fj_state(dev);
	struct fj_sense sense;
	enum fj_result res;
	int ret;

	*nev = 0;
	*end_of_page = false;
	if (!st)
		return -ENOMEM;
	st->in_flight = false;
	ret = fj_finish(dev, &res, &sense);
	if (ret)
		return ret;
	if (bytesused > st->asked)
		return -EPROTO;
	st->busy = res == FJ_BUSY;
	st->got += bytesused;
	switch (res) {
	case FJ_OK:
	case FJ_BUSY:
		if (!st->side_bytes || st->got < st->side_bytes)
			return 0;
		break; /* a fixed length ends with its last byte */
	case FJ_EOM:
		/* the residue is what the READ asked and did not get */
		if (sense.ili && sense.info != st->asked - bytesused)
			return -EPROTO;
		break;
	case FJ_JAM:
	case FJ_DOUBLE_FEED:
	case FJ_COVER_OPEN:
	case FJ_NO_PAPER:
		st->done = true;
		fj_event(ev, nev, fj_fault_event(res), st->page, 0, true);
		return 0;
	default:
		st->done = true;
		return -EIO;
	}
	*end_of_page = true;
	return fj_side_done(dev, st, ev, nev);
}

const struct scan_protocol_ops wias_protocol_fujitsu_ops = {
	.name = "fujitsu",
	.match = fj_match,
	.get_info = fj_get_info,
	.set_params = fj_set_params,
	.start = fj_start,
	.cancel = fj_cancel,
	.read_event = fj_read_event,
	.status = fj_status,
	.model = fj_model,
	.xfer_begin = fj_xfer_begin,
	.xfer_end = fj_xfer_end,
};
