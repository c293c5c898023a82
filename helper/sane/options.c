// SPDX-License-Identifier: GPL-2.0
/*
 * The options of a wiascan scanner, built from its GET_INFO, with the
 * names, types and units of SANE's well-known options (saneopts.h):
 *
 *	mode        STRING  Lineart | Gray | Color (those the scanner has)
 *	resolution  INT     DPI, the scanner's min_dpi..max_dpi, step 1
 *	source      STRING  Flatbed | ADF (those the scanner has)
 *	preview     BOOL    scan at most at 75 dpi
 *	tl-x, tl-y  FIXED   mm, 0..max_width_um / max_height_um
 *	br-x, br-y  FIXED   mm, 0..max_width_um / max_height_um
 *	page-width  FIXED   mm, 0..max width, ADF only (else inactive)
 *	page-height FIXED   mm, 0..max height, ADF only; 0: pages of unknown
 *	                    length, each sheet ends where the paper does
 *
 * tl-x..br-y select the scan area, as the SANE standard says.  A value
 * outside its range is clipped into it with SANE_INFO_INEXACT; a tl above
 * its br is not refused (a front end may set them in any order): the two
 * are swapped when the scan is made, as SANE's own test backend does.
 *
 * The device's image: width = px(br-x), at least one pixel; height =
 * px(br-y) on the flatbed, at least one row.  From the ADF: width =
 * px(min(br-x, page-width)); height = px(min(br-y, page-height)) when
 * page-height is set; with page-height 0, px(br-y) when br-y is below its
 * maximum (the user asked for that length: scanimage -y, a front end's
 * paper size), and 0 when it is at its maximum (the default): pages of
 * unknown length, each as long as its sheet (SANE lines = -1).  px(mm) is
 * rounded to the nearest pixel, as the protocol's own px(um) = round(um *
 * dpi / 25400).
 *
 * The window: the reference protocol's SET_PARAMS has no offset (a scan
 * always starts at the scanner's origin and is width_px x height_px from
 * there: Documentation/reference-protocol.rst, "SET_PARAMS"), so the
 * backend crops while sane_read copies into the front end's buffer
 * (crop.c): it drops the first px(tl-y) rows and, of every row, the first
 * px(tl-x) pixels.  The front end gets px(br-x) - px(tl-x) pixels a row
 * (at least 1: a tl at or past the image's edge keeps its last column or
 * row) and px(br-y) - px(tl-y) rows (at least 1; -1 for pages of unknown
 * length, of which the top px(tl-y) rows are still dropped, and a sheet
 * that ends above the window is skipped as an empty sheet is).  The
 * cost: the scanner sends the rows above the window and the columns left
 * of it too, so a window at the bottom right takes the bus time of the
 * whole area from the origin to br.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"

/* SANE_Fixed mm <-> micrometres, rounded */
static uint64_t fixed_to_um(SANE_Fixed f)
{
	return f <= 0 ? 0 :
			((uint64_t)f * 1000 + 32768) >> SANE_FIXED_SCALE_SHIFT;
}

static SANE_Fixed um_to_fixed(uint32_t um)
{
	return (SANE_Fixed)(((uint64_t)um << SANE_FIXED_SCALE_SHIFT) / 1000);
}

/* Pixels of @um micrometres at @dpi: round(um * dpi / 25400) */
static uint32_t um_to_px(uint64_t um, uint32_t dpi)
{
	uint64_t px = (um * dpi + 12700) / 25400;

	return px > SCAN_MAX_PIXELS ? SCAN_MAX_PIXELS : (uint32_t)px;
}

static const char *mode_value(enum scan_mode m)
{
	switch (m) {
	case SCAN_MODE_LINEART:
		return SANE_VALUE_SCAN_MODE_LINEART;
	case SCAN_MODE_GRAY:
		return SANE_VALUE_SCAN_MODE_GRAY;
	case SCAN_MODE_COLOR:
		return SANE_VALUE_SCAN_MODE_COLOR;
	}
	return "";
}

static const char *source_value(enum scan_source_kind s)
{
	if (s == SCAN_SOURCE_ADF_DUPLEX)
		return WSANE_SRC_ADF_DUPLEX;
	return s == SCAN_SOURCE_ADF ? WSANE_SRC_ADF : WSANE_SRC_FLATBED;
}

static void desc_group(SANE_Option_Descriptor *d, const char *title)
{
	d->name = "";
	d->title = title;
	d->desc = "";
	d->type = SANE_TYPE_GROUP;
	d->unit = SANE_UNIT_NONE;
	d->size = 0;
	d->cap = 0;
	d->constraint_type = SANE_CONSTRAINT_NONE;
}

static void desc_range(SANE_Option_Descriptor *d, const char *name,
		       const char *title, const char *desc,
		       SANE_Value_Type type, SANE_Unit unit,
		       const SANE_Range *range)
{
	d->name = name;
	d->title = title;
	d->desc = desc;
	d->type = type;
	d->unit = unit;
	d->size = sizeof(SANE_Word);
	d->cap = SANE_CAP_SOFT_SELECT | SANE_CAP_SOFT_DETECT;
	d->constraint_type = SANE_CONSTRAINT_RANGE;
	d->constraint.range = range;
}

static void desc_list(SANE_Option_Descriptor *d, const char *name,
		      const char *title, const char *desc,
		      const SANE_String_Const *list)
{
	size_t i, len = 0;

	for (i = 0; list[i]; i++)
		if (strlen(list[i]) + 1 > len)
			len = strlen(list[i]) + 1;
	d->name = name;
	d->title = title;
	d->desc = desc;
	d->type = SANE_TYPE_STRING;
	d->unit = SANE_UNIT_NONE;
	d->size = (SANE_Int)len;
	d->cap = SANE_CAP_SOFT_SELECT | SANE_CAP_SOFT_DETECT;
	d->constraint_type = SANE_CONSTRAINT_STRING_LIST;
	d->constraint.string_list = list;
}

/* page-width and page-height only mean something for the feeder */
static void options_activate(struct wsane_options *o)
{
	bool adf = scan_source_is_adf(o->source);

	if (adf) {
		o->desc[OPT_PAGE_WIDTH].cap &= ~SANE_CAP_INACTIVE;
		o->desc[OPT_PAGE_HEIGHT].cap &= ~SANE_CAP_INACTIVE;
	} else {
		o->desc[OPT_PAGE_WIDTH].cap |= SANE_CAP_INACTIVE;
		o->desc[OPT_PAGE_HEIGHT].cap |= SANE_CAP_INACTIVE;
	}
}

/**
 * wsane_options_init() - descriptors and defaults from a scanner's abilities
 * @o: filled
 * @info: the scanner's GET_INFO (modes, sources, dpi range, largest area)
 *
 * Defaults: Gray (else the first mode), 300 dpi clipped to the range,
 * Flatbed (else ADF), the whole area, page-width the whole width,
 * page-height 0 (unknown length).
 */
void wsane_options_init(struct wsane_options *o,
			const struct scan_device_info *info)
{
	static const enum scan_mode all_modes[] = { SCAN_MODE_LINEART,
						    SCAN_MODE_GRAY,
						    SCAN_MODE_COLOR };
	size_t i, n = 0;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < ARRAY_SIZE(all_modes); i++) {
		if (!(info->modes & (1U << all_modes[i])))
			continue;
		o->modes[n] = all_modes[i];
		o->mode_list[n++] = mode_value(all_modes[i]);
	}
	o->mode = n ? o->modes[0] : SCAN_MODE_GRAY;
	if (info->modes & (1U << SCAN_MODE_GRAY))
		o->mode = SCAN_MODE_GRAY;
	n = 0;
	if (info->sources & (1U << SCAN_SOURCE_FLATBED)) {
		o->sources[n] = SCAN_SOURCE_FLATBED;
		o->source_list[n++] = WSANE_SRC_FLATBED;
	}
	if (info->sources & (1U << SCAN_SOURCE_ADF)) {
		o->sources[n] = SCAN_SOURCE_ADF;
		o->source_list[n++] = WSANE_SRC_ADF;
	}
	if (info->sources & (1U << SCAN_SOURCE_ADF_DUPLEX)) {
		o->sources[n] = SCAN_SOURCE_ADF_DUPLEX;
		o->source_list[n++] = WSANE_SRC_ADF_DUPLEX;
	}
	o->source = n ? o->sources[0] : SCAN_SOURCE_FLATBED;

	o->dpi_range.min = (SANE_Word)info->min_dpi;
	o->dpi_range.max = (SANE_Word)info->max_dpi;
	o->dpi_range.quant = 1;
	o->x_range.max = um_to_fixed(info->max_width_um);
	o->y_range.max = um_to_fixed(info->max_height_um);
	o->dpi = 300;
	if (o->dpi < o->dpi_range.min)
		o->dpi = o->dpi_range.min;
	if (o->dpi > o->dpi_range.max)
		o->dpi = o->dpi_range.max;
	o->br_x = o->page_w = o->x_range.max;
	o->br_y = o->y_range.max;

	o->desc[OPT_NUM_OPTS] = (SANE_Option_Descriptor) {
		.name = SANE_NAME_NUM_OPTIONS,
		.title = SANE_TITLE_NUM_OPTIONS,
		.desc = SANE_DESC_NUM_OPTIONS,
		.type = SANE_TYPE_INT,
		.unit = SANE_UNIT_NONE,
		.size = sizeof(SANE_Word),
		.cap = SANE_CAP_SOFT_DETECT,
		.constraint_type = SANE_CONSTRAINT_NONE,
	};
	desc_group(&o->desc[OPT_GROUP_STANDARD], SANE_TITLE_STANDARD);
	desc_list(&o->desc[OPT_MODE], SANE_NAME_SCAN_MODE, SANE_TITLE_SCAN_MODE,
		  SANE_DESC_SCAN_MODE, o->mode_list);
	desc_range(&o->desc[OPT_RESOLUTION], SANE_NAME_SCAN_RESOLUTION,
		   SANE_TITLE_SCAN_RESOLUTION, SANE_DESC_SCAN_RESOLUTION,
		   SANE_TYPE_INT, SANE_UNIT_DPI, &o->dpi_range);
	desc_list(&o->desc[OPT_SOURCE], SANE_NAME_SCAN_SOURCE,
		  SANE_TITLE_SCAN_SOURCE, SANE_DESC_SCAN_SOURCE,
		  o->source_list);
	o->desc[OPT_PREVIEW] = (SANE_Option_Descriptor) {
		.name = SANE_NAME_PREVIEW,
		.title = SANE_TITLE_PREVIEW,
		.desc = SANE_DESC_PREVIEW,
		.type = SANE_TYPE_BOOL,
		.unit = SANE_UNIT_NONE,
		.size = sizeof(SANE_Word),
		.cap = SANE_CAP_SOFT_SELECT | SANE_CAP_SOFT_DETECT,
		.constraint_type = SANE_CONSTRAINT_NONE,
	};
	desc_group(&o->desc[OPT_GROUP_GEOMETRY], SANE_TITLE_GEOMETRY);
	desc_range(&o->desc[OPT_TL_X], SANE_NAME_SCAN_TL_X,
		   SANE_TITLE_SCAN_TL_X, SANE_DESC_SCAN_TL_X, SANE_TYPE_FIXED,
		   SANE_UNIT_MM, &o->x_range);
	desc_range(&o->desc[OPT_TL_Y], SANE_NAME_SCAN_TL_Y,
		   SANE_TITLE_SCAN_TL_Y, SANE_DESC_SCAN_TL_Y, SANE_TYPE_FIXED,
		   SANE_UNIT_MM, &o->y_range);
	desc_range(&o->desc[OPT_BR_X], SANE_NAME_SCAN_BR_X,
		   SANE_TITLE_SCAN_BR_X, SANE_DESC_SCAN_BR_X, SANE_TYPE_FIXED,
		   SANE_UNIT_MM, &o->x_range);
	desc_range(&o->desc[OPT_BR_Y], SANE_NAME_SCAN_BR_Y,
		   SANE_TITLE_SCAN_BR_Y, SANE_DESC_SCAN_BR_Y, SANE_TYPE_FIXED,
		   SANE_UNIT_MM, &o->y_range);
	desc_range(
		&o->desc[OPT_PAGE_WIDTH], SANE_NAME_PAGE_WIDTH,
		SANE_TITLE_PAGE_WIDTH,
		"Width of the sheets in the feeder: the scan is at most this "
		"wide, from the scanner's left edge (no centering).",
		SANE_TYPE_FIXED, SANE_UNIT_MM, &o->x_range);
	desc_range(&o->desc[OPT_PAGE_HEIGHT], SANE_NAME_PAGE_HEIGHT,
		   SANE_TITLE_PAGE_HEIGHT,
		   SANE_DESC_PAGE_HEIGHT
		   " 0: as long as br-y, or, with br-y at its maximum, pages "
		   "of unknown length, each ending where the sheet does.",
		   SANE_TYPE_FIXED, SANE_UNIT_MM, &o->y_range);
	options_activate(o);
}

/* Clip @v into @r (quantized from r->min when r->quant); true if changed */
static bool clip_range(const SANE_Range *r, SANE_Word *v)
{
	SANE_Word old = *v;

	if (*v < r->min)
		*v = r->min;
	if (*v > r->max)
		*v = r->max;
	if (r->quant > 0) {
		SANE_Word q = (*v - r->min + r->quant / 2) / r->quant;

		*v = r->min + q * r->quant;
		if (*v > r->max)
			*v -= r->quant;
	}
	return *v != old;
}

static SANE_Word *word_value(struct wsane_options *o, SANE_Int n)
{
	switch (n) {
	case OPT_RESOLUTION:
		return &o->dpi;
	case OPT_PREVIEW:
		return &o->preview;
	case OPT_TL_X:
		return &o->tl_x;
	case OPT_TL_Y:
		return &o->tl_y;
	case OPT_BR_X:
		return &o->br_x;
	case OPT_BR_Y:
		return &o->br_y;
	case OPT_PAGE_WIDTH:
		return &o->page_w;
	case OPT_PAGE_HEIGHT:
		return &o->page_h;
	default:
		return NULL;
	}
}

static SANE_Status option_get(struct wsane_options *o, SANE_Int n, void *val)
{
	SANE_Word *w;

	switch (n) {
	case OPT_NUM_OPTS:
		*(SANE_Word *)val = OPT_COUNT;
		return SANE_STATUS_GOOD;
	case OPT_MODE:
		snprintf(val, (size_t)o->desc[n].size, "%s",
			 mode_value(o->mode));
		return SANE_STATUS_GOOD;
	case OPT_SOURCE:
		snprintf(val, (size_t)o->desc[n].size, "%s",
			 source_value(o->source));
		return SANE_STATUS_GOOD;
	}
	w = word_value(o, n);
	if (!w)
		return SANE_STATUS_INVAL;
	*(SANE_Word *)val = *w;
	return SANE_STATUS_GOOD;
}

/* The index of @s in @list, -1 if absent (exact match, as the list says) */
static int list_index(const SANE_String_Const *list, const char *s)
{
	int i;

	for (i = 0; list[i]; i++)
		if (!strcmp(list[i], s))
			return i;
	return -1;
}

static SANE_Status option_set(struct wsane_options *o, SANE_Int n, void *val,
			      SANE_Int *info)
{
	const SANE_Option_Descriptor *d = &o->desc[n];
	SANE_Word *w, v;
	int i;

	if (d->type == SANE_TYPE_STRING) {
		i = list_index(d->constraint.string_list, val);
		if (i < 0) {
			DBG(1, "set %s: \"%s\" is not one of its values\n",
			    d->name, (const char *)val);
			return SANE_STATUS_INVAL;
		}
		if (n == OPT_MODE && o->mode != o->modes[i]) {
			o->mode = o->modes[i];
			*info |= SANE_INFO_RELOAD_PARAMS;
		}
		if (n == OPT_SOURCE && o->source != o->sources[i]) {
			o->source = o->sources[i];
			options_activate(o);
			*info |= SANE_INFO_RELOAD_PARAMS |
				 SANE_INFO_RELOAD_OPTIONS;
		}
		return SANE_STATUS_GOOD;
	}
	w = word_value(o, n);
	if (!w)
		return SANE_STATUS_INVAL;
	v = *(SANE_Word *)val;
	if (d->type == SANE_TYPE_BOOL && v != SANE_TRUE && v != SANE_FALSE) {
		DBG(1, "set %s: %d is not a SANE_Bool\n", d->name, v);
		return SANE_STATUS_INVAL;
	}
	if (d->constraint_type == SANE_CONSTRAINT_RANGE &&
	    clip_range(d->constraint.range, &v)) {
		DBG(2, "set %s: %d clipped to %d\n", d->name, *(SANE_Word *)val,
		    v);
		*info |= SANE_INFO_INEXACT;
		*(SANE_Word *)val = v; /* the value set, for the caller */
	}
	if (*w != v)
		*info |= SANE_INFO_RELOAD_PARAMS;
	*w = v;
	return SANE_STATUS_GOOD;
}

/**
 * wsane_option_control() - sane_control_option for one handle's options
 * @o: the options
 * @n: option number
 * @action: GET_VALUE or SET_VALUE (SET_AUTO: no option is automatic)
 * @val: the value (a string of at most desc.size bytes, or a SANE_Word)
 * @info: (may be NULL) SANE_INFO_* of a SET_VALUE
 *
 * INVAL for a bad number, a group, an inactive option, setting option 0,
 * SET_AUTO, or a string not in the list; an out-of-range number is clipped
 * (and quantized) with SANE_INFO_INEXACT, the value set written back.
 */
SANE_Status wsane_option_control(struct wsane_options *o, SANE_Int n,
				 SANE_Action action, void *val, SANE_Int *info)
{
	SANE_Int dummy = 0;
	const SANE_Option_Descriptor *d;

	if (!info)
		info = &dummy;
	*info = 0;
	if (n < 0 || n >= OPT_COUNT || !val)
		return SANE_STATUS_INVAL;
	d = &o->desc[n];
	if (d->type == SANE_TYPE_GROUP || (d->cap & SANE_CAP_INACTIVE))
		return SANE_STATUS_INVAL;
	switch (action) {
	case SANE_ACTION_GET_VALUE:
		return option_get(o, n, val);
	case SANE_ACTION_SET_VALUE:
		if (!SANE_OPTION_IS_SETTABLE(d->cap))
			return SANE_STATUS_INVAL;
		return option_set(o, n, val, info);
	default:
		return SANE_STATUS_INVAL;
	}
}

/**
 * wsane_options_request() - the scan request and window the options make
 * @o: the options
 * @req: filled (mode, source, dpi, width_px, height_px; see the top)
 * @win: filled: px(tl-x), px(tl-y), fitted to @req's image
 */
void wsane_options_request(const struct wsane_options *o,
			   struct scan_request *req, struct wsane_window *win)
{
	SANE_Fixed tx = o->tl_x < o->br_x ? o->tl_x : o->br_x;
	SANE_Fixed ty = o->tl_y < o->br_y ? o->tl_y : o->br_y;
	SANE_Fixed bx = o->tl_x < o->br_x ? o->br_x : o->tl_x;
	SANE_Fixed by = o->tl_y < o->br_y ? o->br_y : o->tl_y;
	uint64_t w_um = fixed_to_um(bx), h_um = fixed_to_um(by);
	uint32_t dpi = (uint32_t)o->dpi;

	if (o->preview && dpi > WSANE_PREVIEW_DPI)
		dpi = (uint32_t)o->dpi_range.min > WSANE_PREVIEW_DPI ?
			      (uint32_t)o->dpi_range.min :
			      WSANE_PREVIEW_DPI;
	memset(req, 0, sizeof(*req));
	req->mode = o->mode;
	req->source = o->source;
	req->dpi = dpi;
	if (scan_source_is_adf(o->source)) {
		if (fixed_to_um(o->page_w) < w_um)
			w_um = fixed_to_um(o->page_w);
		if (!o->page_h && by >= o->y_range.max)
			h_um = 0;
		else if (o->page_h && fixed_to_um(o->page_h) < h_um)
			h_um = fixed_to_um(o->page_h);
	}
	req->width_px = um_to_px(w_um, dpi);
	if (!req->width_px)
		req->width_px = 1;
	req->height_px = um_to_px(h_um, dpi);
	if (!req->height_px && (!scan_source_is_adf(o->source) || h_um))
		req->height_px = 1;
	win->x0 = um_to_px(fixed_to_um(tx), dpi);
	win->y0 = um_to_px(fixed_to_um(ty), dpi);
	wsane_window_fit(win, req->width_px, req->height_px);
}
