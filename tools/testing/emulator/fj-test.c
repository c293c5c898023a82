// SPDX-License-Identifier: GPL-2.0
/*
 * fj-test: native tests of the Fujitsu personality's pure parts (fj.h):
 * the USB blocks, sense data, INQUIRY and VPD bytes the SANE backend
 * parses, window descriptors and the geometry they give.  TAP.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fj.h"

static int n, failed;

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	n++;
	if (!cond)
		failed++;
	printf("%s %d ", cond ? "ok" : "not ok", n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A descriptor the way fujitsu.c set_window() builds it */
static void make_desc(uint8_t *d, uint8_t wid, unsigned int res,
		      unsigned int ppl, unsigned int lines, uint8_t comp)
{
	memset(d, 0, FJ_WIN_DESC_LEN);
	d[0] = wid;
	fj_put(d + 2, res, 2);
	fj_put(d + 4, res, 2);
	fj_put(d + 0x0e, ppl * 1200 / res, 4);
	fj_put(d + 0x12, lines * 1200 / res, 4);
	d[0x19] = comp;
	d[0x1a] = comp == FJ_COMP_LINEART ? 1 : 8;
	if (comp == FJ_COMP_COLOR) {
		d[0x28] = 0xc1;
		d[0x2a] = 1; /* dot */
		d[0x2b] = 0; /* RGB */
	}
}

int main(void)
{
	uint8_t b[256], blk[FJ_USB_CMD_LEN] = { FJ_USB_CMD_CODE };
	const uint8_t *cdb;
	struct fj_window w[2];
	unsigned int cnt, res, ppl, miss = 0;
	int bad;

	printf("1..23\n");

	fj_status_block(b, FJ_STATUS_CHECK_CONDITION);
	ok(b[0] == 0x53 && b[9] == 2 && b[1] == 0 && b[12] == 0,
	   "status block: byte 0 0x53, byte 9 the status 2 (got %02x %02x)",
	   b[0], b[9]);
	blk[FJ_USB_CMD_OFFSET] = FJ_OP_INQUIRY;
	bad = fj_parse_cmd(blk, FJ_USB_CMD_LEN, &cdb);
	ok(!bad && cdb[0] == 0x12,
	   "31-byte block 0x43: CDB at byte 19 (opcode %02x)", cdb[0]);
	ok(fj_parse_cmd(blk, 30, &cdb) && (blk[0] = 0x44, 1) &&
		   fj_parse_cmd(blk, FJ_USB_CMD_LEN, &cdb),
	   "30 bytes, or byte 0 0x44: not a command block");

	memset(b, 0, 10);
	b[0] = FJ_OP_SET_WINDOW;
	fj_put(b + 6, 136, 3);
	ok(fj_out_len(b) == 136, "SET WINDOW data-out from bytes 6-8: 136");
	b[0] = FJ_OP_MODE_SELECT;
	b[4] = 12;
	ok(fj_out_len(b) == 12, "MODE SELECT data-out from byte 4: 12");
	b[0] = FJ_OP_READ;
	ok(fj_out_len(b) == 0, "READ has no data-out");
	fj_put(b + 6, 65536, 3);
	ok(fj_in_len(b) == 65536, "READ data-in from bytes 6-8: 65536");
	memset(b, 0, 10);
	b[0] = FJ_OP_GET_HW_STATUS;
	fj_put(b + 7, 12, 2);
	ok(fj_in_len(b) == 12,
	   "GET HARDWARE STATUS data-in from bytes 7-8: 12");
	b[0] = FJ_OP_TEST_UNIT_READY;
	ok(fj_in_len(b) == 0, "TEST UNIT READY has no data-in");

	fj_sense(b, FJ_KEY_NO_SENSE, 0, 0, true, true, 1234, -1);
	ok(b[2] == 0x60 && fj_get(b + 3, 4) == 1234 && b[7] == 10,
	   "end of page: key 0, EOM and ILI (byte 2 %02x), residue %u, additional length %u",
	   b[2], fj_get(b + 3, 4), b[7]);
	fj_sense(b, FJ_KEY_MEDIUM, FJ_ASC_MEDIUM, FJ_ASCQ_HOPPER, false, false,
		 0, -1);
	ok(b[2] == 3 && b[12] == 0x80 && b[13] == 3,
	   "hopper empty: 3/80/03 (got %x/%02x/%02x)", b[2], b[12], b[13]);
	fj_sense(b, FJ_KEY_ILLEGAL, FJ_ASC_BAD_PARAM, 0, false, false, 0, 51);
	ok(b[2] == 5 && b[12] == 0x26 && fj_get(b + 16, 2) == 51,
	   "bad parameter: 5/26/00, offending byte %u at 16-17",
	   fj_get(b + 16, 2));

	fj_inquiry(b);
	ok(b[0] == 6 && !memcmp(b + 8, "FUJITSU ", 8) &&
		   !memcmp(b + 16, "fi-7160         ", 16),
	   "INQUIRY: scanner (type %u), 'FUJITSU ', 'fi-7160' padded to 16",
	   b[0]);
	fj_vpd(b);
	ok(b[4] == 0x5f && fj_get(b + 5, 2) == 600 &&
		   fj_get(b + 0x0a, 2) == 600 && fj_get(b + 0x0e, 2) == 50,
	   "VPD: page length 0x5f, basic 600 dpi, 50-600 dpi (max %u)",
	   fj_get(b + 0x0a, 2));
	ok(fj_get(b + 0x14, 4) == 5184 && fj_get(b + 0x18, 4) == 8400,
	   "VPD: window 5184 x 8400 basic units (8.64 x 14 in)");
	ok(b[0x1c] == 0x8a && b[0x20] == 0x90 && b[0x28] == 0xff &&
		   b[0x29] == 0xbf,
	   "VPD: lineart gray colour 0x8a, ADF duplex 0x90, commands ff bf");

	make_desc(b, FJ_WID_FRONT, 300, 2550, 3300, FJ_COMP_GRAY);
	bad = fj_parse_window(b, w);
	ok(bad < 0 && w->ppl == 2550 && w->lines == 3300 && w->bpl == 2550,
	   "gray 300 dpi letter: 2550 x 3300 px, 2550 bytes/line (got %u x %u, %u)",
	   w->ppl, w->lines, w->bpl);
	make_desc(b, FJ_WID_BACK, 150, 1272, 1650, FJ_COMP_LINEART);
	bad = fj_parse_window(b, w);
	ok(bad < 0 && w->ppl == 1272 && w->bpl == 159,
	   "lineart 150 dpi: 1272 px, 159 bytes/line (got %u, %u)", w->ppl,
	   w->bpl);
	make_desc(b, FJ_WID_FRONT, 600, 600, 200, FJ_COMP_COLOR);
	bad = fj_parse_window(b, w);
	ok(bad < 0 && w->bpl == 1800,
	   "colour 600 dpi RGB: 1800 bytes/line for 600 px (got %u)", w->bpl);
	b[0x2b] = 5; /* BGR */
	ok(fj_parse_window(b, w) == 0x2b,
	   "colour BGR refused at descriptor byte 0x2b");

	for (res = FJ_MIN_RES; res <= FJ_MAX_RES; res++)
		for (ppl = 1; ppl <= 5000; ppl += 7) {
			make_desc(b, 0, res, ppl, 100, FJ_COMP_GRAY);
			if (fj_get(b + 0x0e, 4) > 10368)
				break;
			if (fj_parse_window(b, w) >= 0 || w->ppl != ppl)
				miss++;
		}
	ok(miss == 0,
	   "width round trip, 50-600 dpi: %u pixel counts differ from set_window()'s",
	   miss);

	memset(b, 0, 8);
	fj_put(b + 6, 64, 2);
	make_desc(b + 8, FJ_WID_FRONT, 200, 1696, 2200, FJ_COMP_GRAY);
	make_desc(b + 72, FJ_WID_BACK, 200, 1696, 2200, FJ_COMP_GRAY);
	b[72 + 0x02] = b[72 + 0x03] = 0; /* x res 0 in the back window */
	bad = fj_parse_set_window(b, 136, w, &cnt);
	ok(bad == 8 + 64 + 2, "duplex SET WINDOW: bad back x res at byte %d",
	   bad);

	fj_mode_sense(b, 0x14, 0x3c, (const uint8_t[6]) { 0, 0x80 });
	ok(b[0] == 11 && b[4] == 0x3c && b[5] == 6 && b[7] == 0x80 &&
		   b[19] == 0,
	   "MODE SENSE 0x3c: 20 bytes, page at 4, length 6, parameters at 6");

	printf("# %d passed, %d failed\n", n - failed, failed);
	return failed ? 1 : 0;
}
