// SPDX-License-Identifier: GPL-2.0
/*
 * bench: the helper's file path, natively, through the real scan loop and
 * sinks, A4 at 300 dpi (2480 x 3508 pixels: 26.1 MB a color page, 8.7 MB
 * gray, 1.1 MB lineart), written under $TMPDIR (default /tmp) and removed.
 *
 * 1. The source and the raw sink (issue 14 item 1), in interleaved rounds:
 *    the synthetic scanner alone into a sink that discards (its own rate),
 *    a plain write loop of the same bytes (NAME.part created, the page
 *    written from memory in the ring's 1 MiB pieces, one fsync at the end,
 *    rename, directory fsync: the raw sink's own fsync policy) and the raw
 *    sink; the raw sink's rate over the write loop's, paired by round.
 * 2. The formula cases: every format and compression on the synthetic
 *    scanner's pages, each run in a child so its peak RSS is its own.
 * 3. Document pages (tools/testing/bench/make-doc-pages: text, photo,
 *    halftone, paper tint, sensor noise) replayed from memory by a source
 *    of this file into the TIFF sink, for every compression, deflate
 *    levels, JPEG YCbCr and RGB, at 1 and N compression workers: pages/s,
 *    MB/s (of raw image), bytes a page compressed and the ratio raw /
 *    compressed, and the speed-up of N workers over 1, paired by round
 *    (target >= 1.8 for 2 workers on the color page, issue 14 item 3).
 *
 * Every figure is the median over the rounds; all of them go, with the
 * machine and its load before and after, to a JSON file in the schema of
 * tools/testing/bench/README (build/bench/file-path.json from make bench).
 *
 *   tests/bench [-o JSON] [-d DOC_PAGES_DIR] [-r ROUNDS] [-R RAW_ROUNDS]
 *		 [-n PAGES] [-p DOC_PAGES] [-l "1 6 9"] [-w "1 2"] [-s SECTIONS]
 *		 [-c CASES]
 *
 * RAW_ROUNDS (default 9) rounds of PAGES (default 8) color pages for 1;
 * ROUNDS (default 5; at most 3 for 2 and 3) rounds of PAGES formula pages
 * and DOC_PAGES (default 2) document pages for 2 and 3; deflate at the
 * levels of -l (default 1 3 6 9), workers of -w (default 1, 2 and the
 * online CPUs if more).  SECTIONS is any of "r" (source and raw), "f"
 * (formula cases), "d" (document pages, with -d); default "rfd".  CASES:
 * only these document cases, words of a mode ("color"), a compression
 * ("lzw", "deflate-1", "jpeg-ycbcr") or both ("color/packbits").
 * Environment: BENCH_PAGES, BENCH_ROUNDS give -n and -r's defaults.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "formula.h"
#include "scan.h"
#include "sink.h"
#include "source.h"

#define A4_W 2480
#define A4_H 3508

#define MAX_ROUNDS  32
#define MAX_FIGURES 512
#define MAX_LEVELS  9
#define MAX_WORKERS 4

/* ---------------------------------------------------------------- figures */

/**
 * struct figure - one measured figure, its runs and its target
 * @name: what it is ("raw sink / write loop")
 * @unit: "pages/s", "MB/s", "bytes", "ratio", "KiB"
 * @runs: the value of each round; @n of them
 * @target: text such as ">= 0.95", or NULL
 * @min_target: the target as a lower bound (with @has_target)
 * @group, @mode, @comp, @workers: for the plots: "doc", "formula" or
 *	"path"; the mode, compression name and worker count of a case (NULL,
 *	0: none)
 */
struct figure {
	char name[96];
	const char *unit;
	double runs[MAX_ROUNDS];
	unsigned int n;
	const char *target;
	double min_target;
	bool has_target;
	const char *group, *mode;
	char comp[24];
	unsigned int workers;
};

static struct figure figures[MAX_FIGURES];
static unsigned int n_figures;

static struct figure *fig_add(const char *group, const char *unit,
			      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct figure *fig_add(const char *group, const char *unit,
			      const char *fmt, ...)
{
	struct figure *f;
	va_list ap;

	if (n_figures == MAX_FIGURES) {
		fprintf(stderr, "bench: too many figures\n");
		exit(1);
	}
	f = &figures[n_figures++];
	memset(f, 0, sizeof(*f));
	va_start(ap, fmt);
	vsnprintf(f->name, sizeof(f->name), fmt, ap);
	va_end(ap);
	f->unit = unit;
	f->group = group;
	return f;
}

static void fig_run(struct figure *f, double v)
{
	if (f->n < MAX_ROUNDS)
		f->runs[f->n++] = v;
}

static void fig_target(struct figure *f, const char *text, double min)
{
	f->target = text;
	f->min_target = min;
	f->has_target = true;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, unsigned int n)
{
	double s[MAX_ROUNDS];

	if (!n)
		return 0;
	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double fig_median(const struct figure *f)
{
	return median(f->runs, f->n);
}

/* ---------------------------------------------------------------- helpers */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void loadavg(double l[3])
{
	FILE *f = fopen("/proc/loadavg", "r");

	l[0] = l[1] = l[2] = -1;
	if (f) {
		if (fscanf(f, "%lf %lf %lf", &l[0], &l[1], &l[2]) != 3)
			l[0] = l[1] = l[2] = -1;
		fclose(f);
	}
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && c) {
			c += 2;
			c[strcspn(c, "\n")] = 0;
			snprintf(buf, len, "%s", c);
			break;
		}
	}
	fclose(f);
}

static uint64_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (uint64_t)st.st_size;
}

static unsigned int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1		    ? 1 :
	       n > SINK_WORKERS_MAX ? SINK_WORKERS_MAX :
				      (unsigned int)n;
}

/* ------------------------------------------------------- a discarding sink */

static int null_begin(struct sink *s, uint32_t page,
		      const struct scan_format *fmt)
{
	(void)s;
	(void)page;
	(void)fmt;
	return 0;
}

static int null_write(struct sink *s, const void *data, size_t len)
{
	(void)s;
	(void)data;
	(void)len;
	return 0;
}

static int null_end(struct sink *s)
{
	(void)s;
	return 0;
}

static int null_finish(struct sink *s)
{
	(void)s;
	return 0;
}

static void null_abort(struct sink *s)
{
	(void)s;
}

static int null_salvage(struct sink *s, uint32_t *kept)
{
	(void)s;
	*kept = 0;
	return 0;
}

static const struct sink_ops null_sink_ops = {
	.begin_page = null_begin,
	.write = null_write,
	.end_page = null_end,
	.finish = null_finish,
	.abort = null_abort,
	.salvage = null_salvage,
};

/* --------------------------------------------- the synthetic scanner's page */

static void synth_opts(struct synth_options *o, enum scan_mode mode,
		       uint32_t width, uint32_t height, uint32_t pages,
		       uint32_t *rows)
{
	memset(o, 0, sizeof(*o));
	o->fmt.mode = mode;
	o->fmt.source = SCAN_SOURCE_ADF;
	o->fmt.dpi = 300;
	o->fmt.width_px = width;
	o->fmt.height_px = height;
	o->fmt.bytes_per_line = wias_scan_bytes_per_line(mode, width);
	o->pages = pages;
	o->page_rows = rows;
	o->n_page_rows = rows ? 1 : 0;
	o->nbufs = DEV_SOURCE_NBUFS;
	o->buf_size = DEV_SOURCE_BUF_SIZE;
}

/* The synthetic scanner alone, into a sink that drops every byte: pages/s */
static double bench_source(uint32_t pages)
{
	struct sink sink = { .ops = &null_sink_ops };
	struct wia_error err = { 0 };
	struct synth_options o;
	struct scan_source *src;
	struct scan_stats st;
	int ret;

	synth_opts(&o, SCAN_MODE_COLOR, A4_W, A4_H, pages, NULL);
	if (wias_synth_source_open(&o, &err, &src))
		return 0;
	sink.err = &err;
	ret = wias_scan_run(src, &sink, &st, &err);
	scan_source_close(src);
	return ret || st.pages != pages ? 0 : st.pages / st.seconds;
}

/*
 * The limit: the same bytes (page 0 of the formula, every page; the file
 * system does not look at them) from memory, in the pieces the ring
 * delivers (1 MiB, the page's tail), with the raw sink's fsync policy:
 * NAME.part created exclusively, one fsync at the end, close, rename,
 * the directory fsync'ed.  Pages/s, 0 on failure.
 */
static double bench_write(const char *path, uint32_t pages)
{
	size_t page = (size_t)A4_W * 3 * A4_H, n, i;
	uint8_t *buf = malloc(page);
	char part[4200], dir[4200], *slash;
	double t0;
	uint32_t p;
	int fd = -1, dfd = -1, ret;

	if (!buf)
		return 0;
	formula_fill(buf, page, 0, 0, 0);
	snprintf(part, sizeof(part), "%s.part", path);
	/* the directory the raw sink fsyncs: @path's, not the bench's own */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		slash[slash == dir] = '\0';
	t0 = now_s();
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = open(part, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 || dfd < 0)
		goto fail;
	for (p = 0; p < pages; p++) {
		for (i = 0; i < page; i += n) {
			n = page - i < DEV_SOURCE_BUF_SIZE ?
				    page - i :
				    DEV_SOURCE_BUF_SIZE;
			if (write(fd, buf + i, n) != (ssize_t)n)
				goto fail;
		}
	}
	if (fsync(fd))
		goto fail;
	ret = close(fd);
	fd = -1;
	if (ret || rename(part, path) || fsync(dfd))
		goto fail;
	close(dfd);
	free(buf);
	t0 = now_s() - t0;
	unlink(path);
	return pages / t0;
fail:
	perror("bench: write loop");
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	free(buf);
	unlink(part);
	return 0;
}

static int run_scan(struct scan_source *src, const struct sink_options *so,
		    struct scan_stats *st)
{
	struct wia_error err = { 0 };
	struct sink *sink;
	int ret;

	src->err = &err;
	ret = wias_sink_open(so, &err, &sink);
	if (!ret)
		ret = wias_scan_run(src, sink, st, &err);
	if (ret)
		fprintf(stderr, "bench: %s: %s\n", err.what, err.why);
	return ret;
}

/* The raw sink from the synthetic scanner: pages/s, 0 on failure */
static double bench_raw(const char *path, uint32_t pages)
{
	struct sink_options so = {
		.format = SINK_FORMAT_RAW,
		.path = path,
		.force = true,
	};
	struct wia_error err = { 0 };
	struct synth_options o;
	struct scan_source *src;
	struct scan_stats st;
	int ret;

	synth_opts(&o, SCAN_MODE_COLOR, A4_W, A4_H, pages, NULL);
	if (wias_synth_source_open(&o, &err, &src))
		return 0;
	ret = run_scan(src, &so, &st);
	scan_source_close(src);
	unlink(path);
	return ret || st.pages != pages ? 0 : st.pages / st.seconds;
}

static void section_raw(const char *path, uint32_t pages, unsigned int rounds)
{
	struct figure *fs, *fw, *fr, *ratio, *sratio;
	unsigned int r;

	fs = fig_add("path", "pages/s",
		     "synthetic source alone (discarding sink), color");
	fw = fig_add("path", "pages/s",
		     "write loop of the same bytes, same fsync policy, color");
	fr = fig_add("path", "pages/s", "raw sink, color");
	ratio = fig_add("path", "ratio", "raw sink / write loop (paired)");
	fig_target(ratio, ">= 0.95", 0.95);
	sratio =
		fig_add("path", "ratio",
			"source alone / raw sink (paired; > 1: not the limit)");
	fig_target(sratio, "> 1", 1.0);
	printf("# source, write loop and raw sink: %u rounds of %u color pages, interleaved\n",
	       rounds, pages);
	printf("# %-5s %10s %10s %10s %8s\n", "round", "source", "write", "raw",
	       "raw/wr");
	for (r = 0; r < rounds; r++) {
		double s, w, rw;

		s = bench_source(pages);
		/* alternate which of the two writers goes first */
		if (r % 2) {
			rw = bench_raw(path, pages);
			w = bench_write(path, pages);
		} else {
			w = bench_write(path, pages);
			rw = bench_raw(path, pages);
		}
		printf("  %-5u %10.2f %10.2f %10.2f %8.3f\n", r, s, w, rw,
		       w > 0 ? rw / w : 0);
		fig_run(fs, s);
		fig_run(fw, w);
		fig_run(fr, rw);
		if (w > 0 && rw > 0) {
			fig_run(ratio, rw / w);
			fig_run(sratio, s / rw);
		}
	}
	printf("# medians: source %.2f, write loop %.2f, raw %.2f pages/s; raw / write loop %.3f (target >= 0.95)\n",
	       fig_median(fs), fig_median(fw), fig_median(fr),
	       fig_median(ratio));
}

/* ------------------------------------------------------- the formula cases */

struct formula_case {
	const char *name;
	enum scan_mode mode;
	enum sink_format format;
	enum sink_compression comp;
	uint32_t rows;	/* 0: A4 */
	uint32_t pages; /* 0: the default count */
};

static const struct formula_case fcases[] = {
	{ "color raw", SCAN_MODE_COLOR, SINK_FORMAT_RAW, SINK_COMP_NONE, 0, 0 },
	{ "color tiff none", SCAN_MODE_COLOR, SINK_FORMAT_TIFF, SINK_COMP_NONE,
	  0, 0 },
	{ "color tiff packbits", SCAN_MODE_COLOR, SINK_FORMAT_TIFF,
	  SINK_COMP_PACKBITS, 0, 0 },
	{ "color tiff lzw", SCAN_MODE_COLOR, SINK_FORMAT_TIFF, SINK_COMP_LZW, 0,
	  0 },
	{ "color tiff deflate", SCAN_MODE_COLOR, SINK_FORMAT_TIFF,
	  SINK_COMP_DEFLATE, 0, 0 },
	{ "color tiff jpeg q75", SCAN_MODE_COLOR, SINK_FORMAT_TIFF,
	  SINK_COMP_JPEG, 0, 0 },
	{ "gray tiff lzw", SCAN_MODE_GRAY, SINK_FORMAT_TIFF, SINK_COMP_LZW, 0,
	  0 },
	{ "gray tiff jpeg q75", SCAN_MODE_GRAY, SINK_FORMAT_TIFF,
	  SINK_COMP_JPEG, 0, 0 },
	{ "lineart tiff none", SCAN_MODE_LINEART, SINK_FORMAT_TIFF,
	  SINK_COMP_NONE, 0, 0 },
	{ "lineart tiff g4", SCAN_MODE_LINEART, SINK_FORMAT_TIFF, SINK_COMP_G4,
	  0, 0 },
	/* one unknown-length page of 1 GiB (gray 16384 px x 65536 rows) */
	{ "1 GiB page, tiff lzw", SCAN_MODE_GRAY, SINK_FORMAT_TIFF,
	  SINK_COMP_LZW, 65536, 1 },
};

static int formula_scan(const struct formula_case *c, const char *path,
			uint32_t pages, struct scan_stats *st)
{
	uint32_t width = c->rows ? 16384 : A4_W, rows = c->rows;
	struct sink_options so = {
		.format = c->format,
		.path = path,
		.force = true,
		.compression = c->comp,
		.jpeg_quality = 75,
	};
	struct wia_error err = { 0 };
	struct synth_options o;
	struct scan_source *src;
	int ret;

	synth_opts(&o, c->mode, width, rows ? 0 : A4_H,
		   c->pages ? c->pages : pages, rows ? &rows : NULL);
	ret = wias_synth_source_open(&o, &err, &src);
	if (ret)
		return ret;
	ret = run_scan(src, &so, st);
	scan_source_close(src);
	return ret;
}

/* One run in a child, so its peak RSS is its own: pages/s (0: failed) */
static double formula_run(const struct formula_case *c, const char *path,
			  uint32_t pages, long *rss_kib)
{
	struct scan_stats st = { 0 };
	struct rusage ru;
	int fds[2], status;
	pid_t pid;

	if (pipe(fds))
		return 0;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (formula_scan(c, path, pages, &st))
			_exit(1);
		if (write(fds[1], &st, sizeof(st)) != sizeof(st))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &st, sizeof(st)) != sizeof(st))
		st.pages = 0;
	close(fds[0]);
	unlink(path);
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !st.pages ||
	    st.seconds <= 0)
		return 0;
	*rss_kib = ru.ru_maxrss;
	return st.pages / st.seconds;
}

static void section_formula(const char *path, uint32_t pages,
			    unsigned int rounds)
{
	size_t n = sizeof(fcases) / sizeof(fcases[0]), i;
	struct figure *fp[sizeof(fcases) / sizeof(fcases[0])];
	struct figure *fm[sizeof(fcases) / sizeof(fcases[0])];
	long rss[sizeof(fcases) / sizeof(fcases[0])] = { 0 };
	unsigned int r;

	for (i = 0; i < n; i++) {
		fp[i] = fig_add("formula", "pages/s", "formula %s",
				fcases[i].name);
		fp[i]->mode = fcases[i].mode == SCAN_MODE_COLOR ? "color" :
			      fcases[i].mode == SCAN_MODE_GRAY	? "gray" :
								  "lineart";
		snprintf(fp[i]->comp, sizeof(fp[i]->comp), "%s",
			 fcases[i].format == SINK_FORMAT_RAW ?
				 "raw" :
				 wias_sink_compression_name(fcases[i].comp));
		fm[i] = fig_add("formula", "KiB", "formula %s: peak RSS",
				fcases[i].name);
	}
	printf("# formula pages (synthetic source), %u pages a run, %u rounds\n",
	       pages, rounds);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < n; i++) {
			long kib = 0;
			double v;

			/* the 1 GiB page: once */
			if (fcases[i].rows && r)
				continue;
			v = formula_run(&fcases[i], path, pages, &kib);
			if (v <= 0) {
				printf("  %-28s failed\n", fcases[i].name);
				continue;
			}
			fig_run(fp[i], v);
			if (kib > rss[i])
				rss[i] = kib;
		}
	}
	for (i = 0; i < n; i++) {
		fig_run(fm[i], (double)rss[i]);
		printf("  %-28s %8.2f pages/s  peak RSS %8ld KiB\n",
		       fcases[i].name, fig_median(fp[i]), rss[i]);
	}
}

/* ------------------------------------------------ document pages, replayed */

/**
 * struct doc_page - a PNM page in memory
 * @mode: its scan mode (P6 color, P5 gray, P4 lineart)
 * @width, @height: pixels
 * @bpl: bytes a row (PNM's rows are the scanner's rows)
 * @data: @bpl * @height bytes
 */
struct doc_page {
	enum scan_mode mode;
	uint32_t width, height, bpl;
	uint8_t *data;
};

/* The next number of a PNM header (comments skipped) */
static int pnm_num(FILE *f, unsigned int *v)
{
	int c;

	do {
		c = fgetc(f);
		if (c == '#')
			while (c != '\n' && c != EOF)
				c = fgetc(f);
	} while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
	if (c < '0' || c > '9')
		return -1;
	*v = 0;
	while (c >= '0' && c <= '9') {
		*v = *v * 10 + (unsigned int)(c - '0');
		c = fgetc(f);
	}
	return 0; /* c: the one whitespace after the header's last number */
}

static int doc_load(const char *path, struct doc_page *pg)
{
	FILE *f = fopen(path, "rb");
	unsigned int w, h, maxval = 1;
	char magic[2];
	size_t len;

	if (!f)
		return -1;
	if (fread(magic, 1, 2, f) != 2 || magic[0] != 'P' ||
	    (magic[1] != '4' && magic[1] != '5' && magic[1] != '6') ||
	    pnm_num(f, &w) || pnm_num(f, &h) ||
	    (magic[1] != '4' && pnm_num(f, &maxval)) ||
	    maxval != 1 + 254 * (magic[1] != '4')) {
		fclose(f);
		return -1;
	}
	pg->mode = magic[1] == '6' ? SCAN_MODE_COLOR :
		   magic[1] == '5' ? SCAN_MODE_GRAY :
				     SCAN_MODE_LINEART;
	pg->width = w;
	pg->height = h;
	pg->bpl = wias_scan_bytes_per_line(pg->mode, w);
	len = (size_t)pg->bpl * h;
	pg->data = malloc(len);
	if (!pg->data || fread(pg->data, 1, len, f) != len) {
		free(pg->data);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/**
 * struct replay_source - a scanner that sends one page from memory again
 *	and again, in the ring's pieces (1 MiB), pointing into the page
 * @base: the common head
 * @pg: the page
 * @pages: pages to send
 * @page, @off: where it is
 */
struct replay_source {
	struct scan_source base;
	const struct doc_page *pg;
	uint32_t pages;
	uint32_t page;
	size_t off;
};

static struct replay_source *to_replay(struct scan_source *s)
{
	return (struct replay_source *)s;
}

static int replay_start(struct scan_source *s)
{
	to_replay(s)->page = 0;
	to_replay(s)->off = 0;
	return 0;
}

static int replay_next(struct scan_source *s, struct scan_buf *b)
{
	struct replay_source *r = to_replay(s);
	size_t len = (size_t)r->pg->bpl * r->pg->height;
	size_t n = len - r->off < DEV_SOURCE_BUF_SIZE ? len - r->off :
							DEV_SOURCE_BUF_SIZE;

	memset(b, 0, sizeof(*b));
	b->data = r->pg->data + r->off;
	b->bytesused = n;
	r->off += n;
	b->end_of_page = r->off == len;
	return 0;
}

static int replay_release(struct scan_source *s, const struct scan_buf *b)
{
	(void)s;
	(void)b;
	return 0;
}

static int replay_page_done(struct scan_source *s, uint32_t page,
			    uint64_t bytes, bool *last)
{
	struct replay_source *r = to_replay(s);

	(void)page;
	(void)bytes;
	r->page++;
	r->off = 0;
	*last = r->page == r->pages;
	return 0;
}

static void replay_stop(struct scan_source *s, bool cancel)
{
	(void)s;
	(void)cancel;
}

static void replay_close(struct scan_source *s)
{
	(void)s;
}

static const struct scan_source_ops replay_ops = {
	.start = replay_start,
	.next = replay_next,
	.release = replay_release,
	.page_done = replay_page_done,
	.stop = replay_stop,
	.close = replay_close,
};

/**
 * struct doc_case - one compression of the document pages
 * @comp: SINK_COMP_*
 * @level: deflate level (0: the library's default)
 * @rgb: JPEG kept RGB (not YCbCr)
 * @name: for the figures
 */
struct doc_case {
	enum sink_compression comp;
	int level;
	bool rgb;
	char name[24];
};

/* This process's CPU time, all threads, user + system, in seconds */
static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/*
 * One run: pages/s, the output's size in *@bytes and the CPU seconds a
 * page (all threads: what the load of a shared machine changes least) in
 * *@cpu; 0 on failure
 */
static double doc_run(const struct doc_page *pg, const struct doc_case *c,
		      unsigned int workers, const char *path, uint32_t pages,
		      uint64_t *bytes, double *cpu)
{
	struct replay_source r = {
		.base = {
			.ops = &replay_ops,
			.name = "replay",
			.fmt = {
				.mode = pg->mode,
				.source = SCAN_SOURCE_ADF,
				.dpi = 300,
				.width_px = pg->width,
				.height_px = pg->height,
				.bytes_per_line = pg->bpl,
			},
		},
		.pg = pg,
		.pages = pages,
	};
	struct sink_options so = {
		.format = SINK_FORMAT_TIFF,
		.path = path,
		.force = true,
		.compression = c->comp,
		.jpeg_quality = 75,
		.deflate_level = c->level,
		.workers = workers,
		.jpeg_color = c->rgb ? SINK_JPEG_RGB : SINK_JPEG_YCBCR,
	};
	struct scan_stats st;
	double c0 = cpu_s();

	if (run_scan(&r.base, &so, &st) || st.pages != pages ||
	    st.seconds <= 0) {
		unlink(path);
		return 0;
	}
	*cpu = (cpu_s() - c0) / pages;
	*bytes = file_size(path);
	unlink(path);
	return st.pages / st.seconds;
}

static const char *mode_name(enum scan_mode m)
{
	return m == SCAN_MODE_COLOR ? "color" :
	       m == SCAN_MODE_GRAY  ? "gray" :
				      "lineart";
}

/* -c: the document cases to run (NULL: all) */
static const char *doc_filter;

/*
 * Whether -c takes the case @name of @mode: one of its words (space or
 * comma apart) is the mode, the name, or "MODE/NAME"; no -c takes all
 */
static bool doc_wanted(const char *mode, const char *name)
{
	const char *s = doc_filter;
	char both[48];
	size_t n;

	if (!s)
		return true;
	snprintf(both, sizeof(both), "%s/%s", mode, name);
	while (*s) {
		s += strspn(s, " ,");
		n = strcspn(s, " ,");
		if (n && ((strlen(mode) == n && !strncmp(s, mode, n)) ||
			  (strlen(name) == n && !strncmp(s, name, n)) ||
			  (strlen(both) == n && !strncmp(s, both, n))))
			return true;
		s += n;
	}
	return false;
}

/* Keep the cases -c wants of @c[0..@n - 1]; how many */
static size_t doc_filter_cases(enum scan_mode mode, struct doc_case *c,
			       size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (doc_wanted(mode_name(mode), c[i].name))
			c[k++] = c[i];
	return k;
}

/* The compressions of a mode: every one it takes, deflate at @levels */
static size_t doc_cases(enum scan_mode mode, const int *levels, size_t nl,
			struct doc_case *c)
{
	static const enum sink_compression all[] = {
		SINK_COMP_NONE,	   SINK_COMP_PACKBITS, SINK_COMP_LZW,
		SINK_COMP_DEFLATE, SINK_COMP_JPEG,     SINK_COMP_G4,
	};
	size_t n = 0, i, l;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (wias_sink_check_compression(all[i], mode))
			continue;
		if (all[i] == SINK_COMP_DEFLATE) {
			for (l = 0; l < nl; l++) {
				c[n] = (struct doc_case) { .comp = all[i],
							   .level = levels[l] };
				snprintf(c[n].name, sizeof(c[n].name),
					 "deflate-%d", levels[l]);
				n++;
			}
			continue;
		}
		c[n] = (struct doc_case) { .comp = all[i] };
		snprintf(c[n].name, sizeof(c[n].name), "%s%s",
			 wias_sink_compression_name(all[i]),
			 all[i] == SINK_COMP_JPEG && mode == SCAN_MODE_COLOR ?
				 "-ycbcr" :
				 "");
		n++;
		if (all[i] == SINK_COMP_JPEG && mode == SCAN_MODE_COLOR) {
			c[n] = (struct doc_case) { .comp = all[i],
						   .rgb = true };
			snprintf(c[n].name, sizeof(c[n].name), "jpeg-rgb");
			n++;
		}
	}
	return doc_filter_cases(mode, c, n);
}

#define MAX_DOC_CASES 16

static void section_doc(const char *dir, const char *path, uint32_t pages,
			unsigned int rounds, const int *levels, size_t nl,
			const unsigned int *workers, size_t nw)
{
	static const char *const files[] = { "color.ppm", "gray.pgm",
					     "lineart.pbm" };
	size_t fi, i, w;

	for (fi = 0; fi < sizeof(files) / sizeof(files[0]); fi++) {
		struct figure *fp[MAX_DOC_CASES][MAX_WORKERS];
		struct figure *fmb[MAX_DOC_CASES][MAX_WORKERS];
		struct figure *fcpu[MAX_DOC_CASES][MAX_WORKERS];
		struct figure *fsz[MAX_DOC_CASES], *frat[MAX_DOC_CASES];
		struct figure *fsp[MAX_DOC_CASES][MAX_WORKERS];
		struct doc_case c[MAX_DOC_CASES];
		double mb, raw_bytes;
		struct doc_page pg;
		char file[4200];
		unsigned int r;
		size_t n;

		snprintf(file, sizeof(file), "%s/%s", dir, files[fi]);
		if (doc_load(file, &pg)) {
			fprintf(stderr,
				"bench: %s: cannot read (make-doc-pages)\n",
				file);
			continue;
		}
		raw_bytes = (double)pg.bpl * pg.height;
		mb = raw_bytes / 1e6;
		n = doc_cases(pg.mode, levels, nl, c);
		if (!n) { /* -c wants none of this mode */
			free(pg.data);
			continue;
		}
		for (i = 0; i < n; i++) {
			for (w = 0; w < nw; w++) {
				fp[i][w] = fig_add("doc", "pages/s",
						   "doc %s %s w%u",
						   mode_name(pg.mode),
						   c[i].name, workers[w]);
				fp[i][w]->mode = mode_name(pg.mode);
				snprintf(fp[i][w]->comp, sizeof(fp[i][w]->comp),
					 "%s", c[i].name);
				fp[i][w]->workers = workers[w];
				/* LZW and deflate at the default level, all CPUs */
				if (pg.mode == SCAN_MODE_COLOR &&
				    workers[w] == online_cpus() &&
				    (c[i].comp == SINK_COMP_LZW ||
				     (c[i].comp == SINK_COMP_DEFLATE &&
				      c[i].level == SINK_DEFLATE_LEVEL_DEFAULT)))
					fig_target(fp[i][w], ">= 2.3", 2.3);
				fmb[i][w] = fig_add("doc", "MB/s",
						    "doc %s %s w%u: raw MB/s",
						    mode_name(pg.mode),
						    c[i].name, workers[w]);
				fcpu[i][w] =
					fig_add("doc", "CPU s/page",
						"doc %s %s w%u: CPU s/page",
						mode_name(pg.mode), c[i].name,
						workers[w]);
				fcpu[i][w]->mode = mode_name(pg.mode);
				snprintf(fcpu[i][w]->comp,
					 sizeof(fcpu[i][w]->comp), "%s",
					 c[i].name);
				fcpu[i][w]->workers = workers[w];
				fsp[i][w] = NULL;
				if (w) {
					fsp[i][w] = fig_add(
						"doc", "ratio",
						"doc %s %s: speed-up w%u / w%u (paired)",
						mode_name(pg.mode), c[i].name,
						workers[w], workers[0]);
					/* the target: color pages */
					if (pg.mode == SCAN_MODE_COLOR &&
					    workers[0] == 1 &&
					    workers[w] == 2 &&
					    c[i].comp != SINK_COMP_NONE)
						fig_target(fsp[i][w], ">= 1.8",
							   1.8);
				}
			}
			fsz[i] = fig_add("doc", "bytes",
					 "doc %s %s: bytes/page",
					 mode_name(pg.mode), c[i].name);
			frat[i] = fig_add("doc", "ratio",
					  "doc %s %s: raw / compressed",
					  mode_name(pg.mode), c[i].name);
		}
		printf("# document page %s, %s %ux%u, %u pages a run, %u rounds\n",
		       file, mode_name(pg.mode), pg.width, pg.height, pages,
		       rounds);
		for (r = 0; r < rounds; r++) {
			for (i = 0; i < n; i++) {
				double first = 0;

				for (w = 0; w < nw; w++) {
					uint64_t bytes = 0;
					double v, cpu = 0;

					v = doc_run(&pg, &c[i], workers[w],
						    path, pages, &bytes, &cpu);
					if (v <= 0) {
						printf("  %-24s w%u failed\n",
						       c[i].name, workers[w]);
						continue;
					}
					fig_run(fp[i][w], v);
					fig_run(fmb[i][w], v * mb);
					fig_run(fcpu[i][w], cpu);
					if (!w) {
						first = v;
						if (!r) {
							fig_run(fsz[i],
								(double)bytes /
									pages);
							fig_run(frat[i],
								raw_bytes *
									pages /
									(double)bytes);
						}
					} else if (first > 0) {
						fig_run(fsp[i][w], v / first);
					}
					printf("  round %u %-8s %-12s w%u %7.3f pages/s %8.1f MB/s %6.3f CPU s/page %11llu bytes/page\n",
					       r, mode_name(pg.mode), c[i].name,
					       workers[w], v, v * mb, cpu,
					       (unsigned long long)(bytes /
								    pages));
					fflush(stdout);
				}
			}
		}
		for (i = 0; i < n; i++)
			for (w = 0; w < nw; w++)
				printf("# %-8s %-12s w%u median %7.3f pages/s%s\n",
				       mode_name(pg.mode), c[i].name,
				       workers[w], fig_median(fp[i][w]),
				       fsp[i][w] ? "" : "");
		free(pg.data);
	}
}

/* ------------------------------------------------------------------ JSON */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static int write_json(const char *path, const char *date, const double lb[3],
		      const double la[3])
{
	struct utsname u;
	char model[256];
	unsigned int i, j;
	FILE *f;

	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	uname(&u);
	cpu_model(model, sizeof(model));
	fprintf(f, "{\"bench\": \"file-path\", \"schema\": 1, \"date\": ");
	json_str(f, date);
	fprintf(f, ",\n \"machine\": {\"cpus\": %ld, \"model\": ",
		sysconf(_SC_NPROCESSORS_ONLN));
	json_str(f, model);
	fprintf(f, ", \"kernel\": ");
	json_str(f, u.release);
	fprintf(f,
		"},\n \"load\": {\"before\": [%.2f, %.2f, %.2f], \"after\": [%.2f, %.2f, %.2f]},\n \"figures\": [",
		lb[0], lb[1], lb[2], la[0], la[1], la[2]);
	for (i = 0; i < n_figures; i++) {
		const struct figure *g = &figures[i];
		double m = fig_median(g);

		fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
		json_str(f, g->name);
		fprintf(f, ", \"value\": %.6g, \"unit\": ", m);
		json_str(f, g->unit);
		fprintf(f, ", \"median_of\": %u, \"runs\": [", g->n);
		for (j = 0; j < g->n; j++)
			fprintf(f, "%s%.6g", j ? ", " : "", g->runs[j]);
		fprintf(f, "], \"target\": ");
		if (g->has_target)
			json_str(f, g->target);
		else
			fprintf(f, "null");
		fprintf(f, ", \"met\": %s",
			!g->has_target || !g->n ? "null" :
			m >= g->min_target	? "true" :
						  "false");
		fprintf(f, ", \"group\": ");
		json_str(f, g->group);
		if (g->mode) {
			fprintf(f, ", \"mode\": ");
			json_str(f, g->mode);
		}
		if (g->comp[0]) {
			fprintf(f, ", \"compression\": ");
			json_str(f, g->comp);
		}
		if (g->workers)
			fprintf(f, ", \"workers\": %u", g->workers);
		fprintf(f, "}");
	}
	fprintf(f, "\n]}\n");
	return fclose(f) ? -1 : 0;
}

/* ------------------------------------------------------------------ main */

/* "1 2 6" into @v (at most @max values in lo..hi): the count, 0 if bad */
static size_t parse_list(const char *s, int *v, size_t max, int lo, int hi)
{
	size_t n = 0;
	char *end;

	while (*s) {
		long x;

		while (*s == ' ' || *s == ',')
			s++;
		if (!*s)
			break;
		x = strtol(s, &end, 10);
		if (end == s || x < lo || x > hi || n == max)
			return 0;
		v[n++] = (int)x;
		s = end;
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR"), *env;
	const char *json = NULL, *docdir = NULL, *sections = "rfd";
	uint32_t pages = 8, doc_pages = 2;
	unsigned int rounds = 5, raw_rounds = 9, workers[MAX_WORKERS];
	int levels[MAX_LEVELS] = { 1, 3, 6, 9 }, wl[MAX_WORKERS];
	size_t nl = 4, nw = 0, i;
	double lb[3], la[3];
	char path[4096], date[32];
	time_t t = time(NULL);
	int opt;

	env = getenv("BENCH_PAGES");
	if (env && atoi(env) > 0)
		pages = (uint32_t)atoi(env);
	env = getenv("BENCH_ROUNDS");
	if (env && atoi(env) > 0)
		rounds = (unsigned int)atoi(env);
	while ((opt = getopt(argc, argv, "o:d:r:R:n:p:l:w:s:c:")) != -1) {
		switch (opt) {
		case 'o':
			json = optarg;
			break;
		case 'd':
			docdir = optarg;
			break;
		case 'r':
			rounds = (unsigned int)atoi(optarg);
			break;
		case 'R':
			raw_rounds = (unsigned int)atoi(optarg);
			break;
		case 'n':
			pages = (uint32_t)atoi(optarg);
			break;
		case 'p':
			doc_pages = (uint32_t)atoi(optarg);
			break;
		case 'l':
			nl = parse_list(optarg, levels, MAX_LEVELS, 1, 9);
			break;
		case 'w':
			nw = parse_list(optarg, wl, MAX_WORKERS, 1, 64);
			break;
		case 's':
			sections = optarg;
			break;
		case 'c':
			doc_filter = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: bench [-o JSON] [-d DOC_PAGES_DIR] [-r ROUNDS] [-R RAW_ROUNDS] [-n PAGES] [-p DOC_PAGES] [-l LEVELS] [-w WORKERS] [-s rfd] [-c CASES]\n");
			return 2;
		}
	}
	if (!rounds || rounds > MAX_ROUNDS || !raw_rounds ||
	    raw_rounds > MAX_ROUNDS || !pages || !doc_pages || !nl) {
		fprintf(stderr, "bench: bad -r, -R, -n, -p or -l\n");
		return 2;
	}
	if (!nw) { /* 1, 2 and the online CPUs when more */
		wl[nw++] = 1;
		wl[nw++] = 2;
		if (online_cpus() > 2)
			wl[nw++] = (int)online_cpus();
	}
	/* the default level is always measured (its target) */
	for (i = 0; i < nl && levels[i] != SINK_DEFLATE_LEVEL_DEFAULT; i++)
		;
	if (i == nl && nl < MAX_LEVELS)
		levels[nl++] = SINK_DEFLATE_LEVEL_DEFAULT;
	for (i = 0; i < nw; i++)
		workers[i] = (unsigned int)wl[i];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	loadavg(lb);
	snprintf(path, sizeof(path), "%s/wiascan-bench.%d",
		 tmp && *tmp ? tmp : "/tmp", (int)getpid());
	printf("# wiascan-helper file path, A4 300 dpi, %s, load %.2f %.2f %.2f\n",
	       date, lb[0], lb[1], lb[2]);
	if (strchr(sections, 'r')) {
		char cwd[4096];

		/* the write loop's directory fsync: the files' directory */
		if (getcwd(cwd, sizeof(cwd)) &&
		    !chdir(tmp && *tmp ? tmp : "/tmp")) {
			section_raw(path, pages, raw_rounds);
			if (chdir(cwd))
				return 1;
		}
	}
	if (strchr(sections, 'f'))
		section_formula(path, pages, rounds < 3 ? rounds : 3);
	if (strchr(sections, 'd') && docdir)
		section_doc(docdir, path, doc_pages, rounds, levels, nl,
			    workers, nw);
	loadavg(la);
	printf("# load after %.2f %.2f %.2f\n", la[0], la[1], la[2]);
	if (json && write_json(json, date, lb, la))
		return 1;
	return 0;
}
