// SPDX-License-Identifier: GPL-2.0
/*
 * The reference scanner's protocol (helper/refscan.h,
 * Documentation/reference-protocol.rst): vendor requests to the interface
 * and 8-byte interrupt events.  The only file that knows its requests.
 * Wire fields are little-endian whatever the host.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "protocol.h"
#include "refscan.h"

static bool ref_match(const struct device_caps *caps)
{
	return caps->vendor_id == REFSCAN_VENDOR_ID &&
	       caps->product_id == REFSCAN_PRODUCT_ID;
}

/* An IN request that must return exactly @len bytes */
static int ref_in(struct device *dev, uint8_t req, void *buf, uint16_t len)
{
	uint32_t actual = 0;
	int ret;

	ret = wias_device_control(dev, REFSCAN_RT_IN, req, 0, 0, buf, len, 0,
				  &actual);
	if (ret)
		return ret;
	return actual == len ? 0 : -EPROTO;
}

static int ref_out(struct device *dev, uint8_t req, uint16_t value, void *buf,
		   uint16_t len)
{
	return wias_device_control(dev, REFSCAN_RT_OUT, req, value, 0, buf, len,
				   0, NULL);
}

static void ref_decode_info(const struct refscan_info *w,
			    struct scan_device_info *info)
{
	memset(info, 0, sizeof(*info));
	info->version = w->version;
	if (w->modes & (1U << REFSCAN_MODE_LINEART))
		info->modes |= 1U << SCAN_MODE_LINEART;
	if (w->modes & (1U << REFSCAN_MODE_GRAY))
		info->modes |= 1U << SCAN_MODE_GRAY;
	if (w->modes & (1U << REFSCAN_MODE_COLOR))
		info->modes |= 1U << SCAN_MODE_COLOR;
	if (w->sources & (1U << REFSCAN_SOURCE_FLATBED))
		info->sources |= 1U << SCAN_SOURCE_FLATBED;
	if (w->sources & (1U << REFSCAN_SOURCE_ADF))
		info->sources |= 1U << SCAN_SOURCE_ADF;
	info->min_dpi = le16toh(w->min_dpi);
	info->max_dpi = le16toh(w->max_dpi);
	info->max_width_um = le32toh(w->max_width_um);
	info->max_height_um = le32toh(w->max_height_um);
}

static int ref_get_info(struct device *dev, struct scan_device_info *info)
{
	struct refscan_info w;
	int ret;

	ret = ref_in(dev, REFSCAN_REQ_GET_INFO, &w, sizeof(w));
	if (ret)
		return ret;
	ref_decode_info(&w, info);
	return 0;
}

static const uint8_t ref_modes[] = {
	[SCAN_MODE_LINEART] = REFSCAN_MODE_LINEART,
	[SCAN_MODE_GRAY] = REFSCAN_MODE_GRAY,
	[SCAN_MODE_COLOR] = REFSCAN_MODE_COLOR,
};

static void ref_encode_params(const struct scan_request *req,
			      struct refscan_params *w)
{
	memset(w, 0, sizeof(*w));
	w->mode = ref_modes[req->mode];
	w->source = req->source == SCAN_SOURCE_ADF ? REFSCAN_SOURCE_ADF :
						     REFSCAN_SOURCE_FLATBED;
	w->dpi = htole16((uint16_t)req->dpi);
	w->width_px = htole32(req->width_px);
	w->height_px = htole32(req->height_px);
}

/*
 * The device must echo what was asked and the row size the formula of
 * refscan.h gives; anything else means the two sides disagree on the
 * image layout, and every byte after that would be misread.
 */
static int ref_check_params(const struct refscan_params *sent,
			    const struct refscan_params *got,
			    const struct scan_request *req,
			    struct scan_format *fmt)
{
	uint32_t bpl = le32toh(got->bytes_per_line);

	if (got->mode != sent->mode || got->source != sent->source ||
	    got->dpi != sent->dpi || got->width_px != sent->width_px ||
	    got->height_px != sent->height_px ||
	    bpl != refscan_bytes_per_line(got->mode, req->width_px))
		return -EPROTO;
	fmt->mode = req->mode;
	fmt->source = req->source;
	fmt->dpi = req->dpi;
	fmt->width_px = req->width_px;
	fmt->height_px = req->height_px;
	fmt->bytes_per_line = bpl;
	return 0;
}

static int ref_set_params(struct device *dev, const struct scan_request *req,
			  struct scan_format *fmt)
{
	struct refscan_params sent, got;
	int ret;

	if ((unsigned int)req->mode >= sizeof(ref_modes) || req->dpi > 0xffff)
		return -EINVAL;
	/* the wire has flatbed and adf only: never turn duplex into either */
	if (req->source == SCAN_SOURCE_ADF_DUPLEX)
		return -EINVAL;
	ref_encode_params(req, &sent);
	ret = ref_out(dev, REFSCAN_REQ_SET_PARAMS, 0, &sent, sizeof(sent));
	if (ret)
		return ret;
	ret = ref_in(dev, REFSCAN_REQ_GET_PARAMS, &got, sizeof(got));
	if (ret)
		return ret;
	return ref_check_params(&sent, &got, req, fmt);
}

static enum scan_cond ref_cond(uint8_t error)
{
	switch (error) {
	case REFSCAN_ERR_NO_PAPER:
		return SCAN_COND_NO_PAPER;
	case REFSCAN_ERR_JAM:
		return SCAN_COND_JAM;
	case REFSCAN_ERR_DOUBLE_FEED:
		return SCAN_COND_DOUBLE_FEED;
	case REFSCAN_ERR_CANCELLED:
		return SCAN_COND_CANCELLED;
	}
	return SCAN_COND_NONE;
}

static void ref_decode_status(const struct refscan_status *w,
			      struct scan_status *st)
{
	memset(st, 0, sizeof(*st));
	st->scanning = w->state == REFSCAN_STATE_SCANNING;
	st->cond = ref_cond(w->error);
	st->error = w->error;
	st->sheets_left = le16toh(w->sheets_left);
	st->pages_done = le32toh(w->pages_done);
	st->activity = SCAN_ACT_UNKNOWN;
}

static const enum scan_activity ref_activities[] = {
	[REFSCAN_ACT_IDLE] = SCAN_ACT_IDLE,
	[REFSCAN_ACT_WARMING_UP] = SCAN_ACT_WARMING_UP,
	[REFSCAN_ACT_FEEDING] = SCAN_ACT_FEEDING,
	[REFSCAN_ACT_SENDING] = SCAN_ACT_SENDING,
};

/* The version 2 tail: what the scanner is doing, and how far it got */
static void ref_decode_status_v2(const struct refscan_status_v2 *w,
				 struct scan_status *st)
{
	ref_decode_status(&w->v1, st);
	st->have_progress = true;
	st->scan_bytes = le32toh(w->scan_bytes);
	st->activity = w->activity < sizeof(ref_activities) /
					       sizeof(ref_activities[0]) ?
			       ref_activities[w->activity] :
			       SCAN_ACT_UNKNOWN;
}

/* Ask for the version 2 reply; a version 1 device sends the first 16 bytes */
static int ref_status(struct device *dev, struct scan_status *st)
{
	struct refscan_status_v2 w;
	uint32_t actual = 0;
	int ret;

	memset(&w, 0, sizeof(w));
	ret = wias_device_control(dev, REFSCAN_RT_IN, REFSCAN_REQ_GET_STATUS, 0,
				  0, &w, sizeof(w), 0, &actual);
	if (ret)
		return ret;
	if (actual == sizeof(w))
		ref_decode_status_v2(&w, st);
	else if (actual == sizeof(w.v1))
		ref_decode_status(&w.v1, st);
	else
		return -EPROTO;
	return 0;
}

/*
 * START's wValue bounds the sheets fed (version 2); a version 1 device
 * stalls a non-zero wValue, so it is sent only to a device that says it
 * speaks version 2, and the bound only matters for more than 0 sheets.
 */
static uint16_t ref_start_sheets(struct device *dev, uint32_t max_sheets)
{
	struct refscan_info w;

	if (!max_sheets || max_sheets > 0xffff)
		return REFSCAN_START_SHEETS_ALL;
	if (ref_in(dev, REFSCAN_REQ_GET_INFO, &w, sizeof(w)) || w.version < 2)
		return REFSCAN_START_SHEETS_ALL;
	return (uint16_t)max_sheets;
}

/* A stalled START says why in the status (no paper in the feeder) */
static int ref_start(struct device *dev, uint32_t max_sheets,
		     enum scan_cond *cond)
{
	struct scan_status st;
	int ret;

	*cond = SCAN_COND_NONE;
	ret = ref_out(dev, REFSCAN_REQ_START, ref_start_sheets(dev, max_sheets),
		      NULL, 0);
	if (ret == -EPIPE && !ref_status(dev, &st))
		*cond = st.cond;
	return ret;
}

static int ref_cancel(struct device *dev)
{
	return ref_out(dev, REFSCAN_REQ_CANCEL, 0, NULL, 0);
}

static void ref_decode_event(const uint8_t *data, uint32_t len,
			     struct scan_event *ev)
{
	struct refscan_event w;

	memset(ev, 0, sizeof(*ev));
	ev->page_mask = 0xffff;
	if (len < sizeof(w)) {
		ev->type = SCAN_EVENT_OTHER;
		return;
	}
	memcpy(&w, data, sizeof(w));
	switch (w.type) {
	case REFSCAN_EVENT_PAGE_DONE:
		ev->type = SCAN_EVENT_PAGE_DONE;
		break;
	case REFSCAN_EVENT_FEEDER_EMPTY:
		ev->type = SCAN_EVENT_FEEDER_EMPTY;
		break;
	case REFSCAN_EVENT_PAPER_JAM:
		ev->type = SCAN_EVENT_JAM;
		break;
	case REFSCAN_EVENT_BUTTON:
		ev->type = SCAN_EVENT_BUTTON;
		break;
	case REFSCAN_EVENT_DOUBLE_FEED:
		ev->type = SCAN_EVENT_DOUBLE_FEED;
		break;
	default:
		ev->type = SCAN_EVENT_OTHER;
		break;
	}
	ev->last = w.flags & REFSCAN_EVENT_FLAG_LAST;
	ev->page = le16toh(w.page);
	ev->page_mask = 0xffff;
	ev->arg = le32toh(w.arg);
}

static int ref_read_event(struct device *dev, bool wait, struct scan_event *ev)
{
	struct device_event raw;
	int ret;

	ret = wias_device_wait_event(dev, 0, !wait, &raw);
	if (ret)
		return ret;
	ref_decode_event(raw.data, raw.length, ev);
	ev->lost = raw.lost;
	return 0;
}

const struct scan_protocol_ops wias_protocol_ref_ops = {
	.name = "reference",
	.match = ref_match,
	.get_info = ref_get_info,
	.set_params = ref_set_params,
	.start = ref_start,
	.cancel = ref_cancel,
	.read_event = ref_read_event,
	.status = ref_status,
};
