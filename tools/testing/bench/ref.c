// SPDX-License-Identifier: GPL-2.0
/*
 * The reference protocol (helper/lib/refscan.h), the same for wiascan.ko's
 * WIASCAN_IOC_CONTROL and for libusb: ready the emulator for one run and
 * start it.
 *
 * Every run scans the same thing: opt.pages ADF sheets of known length,
 * so the scan ends by itself when the feeder is empty and nothing is left
 * in flight for the next method.  The feeder is reloaded (SIGHUP to the
 * emulator) before each run.
 */
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "wiascan_test.h"

#include "bench.h"

#define IDLE_WAIT_MS   10000 /* for the previous scan to end */
#define RELOAD_WAIT_MS 5000  /* for the emulator to take SIGHUP */
#define POLL_MS	       20

static int get_status(const struct ctl *c, struct refscan_status *st)
{
	int ret = c->in(c->h, REFSCAN_REQ_GET_STATUS, st, sizeof(*st));

	st->sheets_left = le16toh(st->sheets_left);
	st->pages_done = le32toh(st->pages_done);
	return ret;
}

/* Wait until the scanner is idle; cancel a scan that does not end */
static int wait_idle(const struct ctl *c, char *why)
{
	struct refscan_status st;
	int waited, ret;

	for (waited = 0;; waited += POLL_MS) {
		ret = get_status(c, &st);
		if (ret) {
			snprintf(why, BENCH_WHY, "GET_STATUS: %s",
				 strerror(-ret));
			return ret;
		}
		if (st.state == REFSCAN_STATE_IDLE)
			return 0;
		if (waited >= IDLE_WAIT_MS)
			break;
		wt_sleep_ms(POLL_MS);
	}
	ret = c->out(c->h, REFSCAN_REQ_CANCEL, NULL, 0);
	if (ret)
		snprintf(why, BENCH_WHY, "CANCEL of a scan that hung: %s",
			 strerror(-ret));
	return ret;
}

/* Reload the feeder with opt.pages sheets */
static int reload(const struct ctl *c, const struct bench *b, char *why)
{
	struct refscan_status st = { 0 };
	int waited, ret;

	if (kill(b->emu->emu_pid, SIGHUP)) {
		ret = -errno;
		snprintf(why, BENCH_WHY, "SIGHUP to the emulator: %s",
			 strerror(errno));
		return ret;
	}
	for (waited = 0; waited < RELOAD_WAIT_MS; waited += POLL_MS) {
		ret = get_status(c, &st);
		if (ret) {
			snprintf(why, BENCH_WHY, "GET_STATUS: %s",
				 strerror(-ret));
			return ret;
		}
		if (st.sheets_left == b->opt.pages)
			return 0;
		wt_sleep_ms(POLL_MS);
	}
	snprintf(why, BENCH_WHY,
		 "the feeder holds %u sheets, not %u, after SIGHUP",
		 st.sheets_left, b->opt.pages);
	return -ETIMEDOUT;
}

/*
 * Ready one run: the previous scan over, the feeder full, the parameters
 * set and confirmed; *@bpl gets the bytes per line.
 */
int ref_ready(const struct ctl *c, const struct bench *b, uint32_t *bpl,
	      char *why)
{
	const struct bench_opts *o = &b->opt;
	struct refscan_params p = {
		.mode = REFSCAN_MODE_GRAY,
		.source = REFSCAN_SOURCE_ADF,
		.dpi = htole16(o->dpi),
		.width_px = htole32(o->width_px),
		.height_px = htole32(o->height_px),
	};
	int ret;

	ret = wait_idle(c, why);
	ret = ret ?: reload(c, b, why);
	if (ret)
		return ret;
	ret = c->out(c->h, REFSCAN_REQ_SET_PARAMS, &p, sizeof(p));
	memset(&p, 0, sizeof(p));
	ret = ret ?: c->in(c->h, REFSCAN_REQ_GET_PARAMS, &p, sizeof(p));
	if (ret) {
		snprintf(why, BENCH_WHY,
			 "SET_PARAMS/GET_PARAMS: %s (parameters refused?)",
			 strerror(-ret));
		return ret;
	}
	*bpl = le32toh(p.bytes_per_line);
	if (*bpl != o->width_px || le32toh(p.height_px) != o->height_px) {
		snprintf(why, BENCH_WHY,
			 "the scanner confirmed %u bytes a line, %u rows", *bpl,
			 le32toh(p.height_px));
		return -EPROTO;
	}
	return 0;
}

int ref_go(const struct ctl *c)
{
	return c->out(c->h, REFSCAN_REQ_START, NULL, 0);
}
