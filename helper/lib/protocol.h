/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A scanner's command protocol (the WIA minidriver's role), behind one
 * small ops table.  The scan loop and the front ends only see these
 * generic types; protocol_ref.c speaks the reference scanner's requests,
 * and a protocol for a real device family is another table beside it,
 * listed in protocol.c.
 */
#ifndef WIASCAN_PROTOCOL_H
#define WIASCAN_PROTOCOL_H

#include <stdbool.h>
#include <stdint.h>

#include "device.h"
#include "params.h"

/**
 * struct scan_device_info - what the scanner can do (its GET_INFO)
 * @version: protocol version the device speaks
 * @modes: bit (1 << SCAN_MODE_x) per supported mode
 * @sources: bit (1 << SCAN_SOURCE_x) per source present
 * @min_dpi, @max_dpi: resolution range
 * @max_width_um, @max_height_um: largest scan area, micrometres
 */
struct scan_device_info {
	uint32_t version;
	uint32_t modes;
	uint32_t sources;
	uint32_t min_dpi;
	uint32_t max_dpi;
	uint32_t max_width_um;
	uint32_t max_height_um;
};

/* What a scanning scanner says it is busy with */
enum scan_activity {
	SCAN_ACT_UNKNOWN, /* the protocol (or its version) cannot say */
	SCAN_ACT_IDLE,
	SCAN_ACT_WARMING_UP,
	SCAN_ACT_FEEDING,
	SCAN_ACT_SENDING,
};

/**
 * struct scan_status - the scanner's state
 * @scanning: a scan is in progress
 * @cond: the last scan's condition (SCAN_COND_NONE if it went well)
 * @error: the protocol's own error code, for messages
 * @sheets_left: sheets in the feeder
 * @pages_done: pages sent since the last start
 * @activity: SCAN_ACT_*, what it is doing (UNKNOWN if it cannot say)
 * @have_progress: @scan_bytes is valid
 * @scan_bytes: bytes the scanner produced since the start (wraps): a
 *	counter that moves while it makes progress
 */
struct scan_status {
	bool scanning;
	enum scan_cond cond;
	uint32_t error;
	uint32_t sheets_left;
	uint32_t pages_done;
	enum scan_activity activity;
	bool have_progress;
	uint32_t scan_bytes;
};

enum scan_event_type {
	SCAN_EVENT_OTHER,     /* unknown or malformed: ignored */
	SCAN_EVENT_PAGE_DONE, /* @page sent completely, @arg bytes */
	SCAN_EVENT_FEEDER_EMPTY,
	SCAN_EVENT_JAM,
	SCAN_EVENT_DOUBLE_FEED,
	SCAN_EVENT_BUTTON, /* @arg: button number */
	SCAN_EVENT_COVER_OPEN,
};

/**
 * struct scan_event - one event from the scanner
 * @type: SCAN_EVENT_*
 * @page: page number since start, 0-based, modulo @page_mask + 1
 * @page_mask: the wire's page counter wraps at @page_mask (0xffff: 16 bits)
 * @arg: meaning depends on @type
 * @last: no page follows this one
 * @lost: events dropped before this one (by the driver)
 */
struct scan_event {
	enum scan_event_type type;
	uint32_t page;
	uint32_t page_mask;
	uint64_t arg;
	bool last;
	uint32_t lost;
};

/**
 * struct scan_model - what a protocol can say of the model (for `info`)
 * @vendor, @product, @revision: INQUIRY strings, empty when unknown
 */
struct scan_model {
	char vendor[16];
	char product[32];
	char revision[8];
};

/**
 * struct scan_protocol_ops - one scanner protocol
 * @name: short name, shown by `info`
 * @match: true if this protocol drives the device with these capabilities
 * @get_info: read what the scanner can do
 * @set_params: send @req; fill @fmt with what the device will send.
 *	-EPIPE: the device refused the parameters
 * @start: begin scanning, sending at most @max_sheets pages from an ADF
 *	(sides: two a sheet in duplex, so it feeds @max_sheets / 2 sheets
 *	rounded up; 0: until it is empty; a protocol that cannot bound them
 *	feeds all); on refusal -EPIPE with @cond saying why
 * @cancel: stop the scan and drop unsent data (a command-driven protocol:
 *	also called after a good end, to leave the scanner idle)
 * @read_event: next event; -EAGAIN at once if @wait is false and none is
 *	pending, else wait up to the file's timeout
 * @status: read the scanner's state
 * @model: the model's names (optional)
 *
 * A command-driven protocol (one command at a time: command block, data,
 * status; no interrupt events) also has the two ops below, and the device
 * source then queues one buffer per command instead of streaming the
 * whole ring (NULL for a protocol that streams, like the reference one):
 * @xfer_begin: send the command whose data-in phase fills the next queued
 *	buffer of @buf_size bytes (a multiple of the bulk-in packet size);
 *	*@len: the bytes to queue it for (its QBUF xfer_length), 0 when the
 *	scan has no more data (nothing was sent)
 * @xfer_end: that buffer came back with @bytesused bytes: take the
 *	command's status, and fill @ev with up to SCAN_XFER_EVENTS events
 *	(*@nev of them: page done, feeder empty, jam, double feed, cover
 *	open); *@end_of_page if the buffer ends a page (a side)
 */
struct scan_protocol_ops {
	const char *name;
	bool (*match)(const struct device_caps *caps);
	int (*get_info)(struct device *dev, struct scan_device_info *info);
	int (*set_params)(struct device *dev, const struct scan_request *req,
			  struct scan_format *fmt);
	int (*start)(struct device *dev, uint32_t max_sheets,
		     enum scan_cond *cond);
	int (*cancel)(struct device *dev);
	int (*read_event)(struct device *dev, bool wait, struct scan_event *ev);
	int (*status)(struct device *dev, struct scan_status *st);
	int (*model)(struct device *dev, struct scan_model *model);
	int (*xfer_begin)(struct device *dev, uint32_t buf_size, uint32_t *len);
	int (*xfer_end)(struct device *dev, uint32_t bytesused,
			struct scan_event *ev, unsigned int *nev,
			bool *end_of_page);
};

#define SCAN_XFER_EVENTS 3

extern const struct scan_protocol_ops wias_protocol_ref_ops;
extern const struct scan_protocol_ops wias_protocol_fujitsu_ops;

int wias_protocol_model(const struct scan_protocol_ops *proto,
			struct device *dev, struct scan_model *model);

const struct scan_protocol_ops *
wias_protocol_find(const struct device_caps *caps);

#endif /* WIASCAN_PROTOCOL_H */
