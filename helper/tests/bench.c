// SPDX-License-Identifier: GPL-2.0
/*
 * bench: the helper's file path, natively, from the synthetic scanner
 * through the real scan loop and sinks: pages per second and MB/s by
 * format and compression, and each run's peak RSS (measured in a child
 * with getrusage), against the machine's limit, a plain write loop of the
 * same bytes, and the synthetic scanner's own rate into no sink at all (so
 * that the file path's figures are known not to be the source's); the raw
 * case's rate over the write loop's is printed as a ratio.  A4 at 300 dpi
 * (26.1 MB a color page, 8.7 MB gray, 1.1 MB lineart), written under
 * $TMPDIR (default /tmp) and removed.
 *
 *   make -C helper bench [BENCH_PAGES=N]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "formula.h"
#include "scan.h"
#include "sink.h"
#include "source.h"

#define A4_W 2480
#define A4_H 3508

struct bench_case {
	const char *name;
	enum scan_mode mode;
	enum sink_format format;
	enum sink_compression comp;
	uint32_t rows;	/* 0: A4 */
	uint32_t pages; /* 0: the default count */
};

static const struct bench_case cases[] = {
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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_scan(const struct bench_case *c, const char *path,
		      uint32_t pages, struct scan_stats *st)
{
	uint32_t width = c->rows ? 16384 : A4_W, rows = c->rows;
	struct synth_options o = {
		.fmt = {
			.mode = c->mode,
			.source = SCAN_SOURCE_ADF,
			.dpi = 300,
			.width_px = width,
			.height_px = rows ? 0 : A4_H,
			.bytes_per_line = wias_scan_bytes_per_line(c->mode, width),
		},
		.pages = c->pages ? c->pages : pages,
		.page_rows = &rows,
		.n_page_rows = 1,
		.nbufs = DEV_SOURCE_NBUFS,
		.buf_size = DEV_SOURCE_BUF_SIZE,
	};
	struct sink_options so = {
		.format = c->format,
		.path = path,
		.force = true,
		.compression = c->comp,
		.jpeg_quality = 75,
	};
	struct wia_error err = { 0 };
	struct scan_source *src;
	struct sink *sink;
	int ret;

	ret = wias_synth_source_open(&o, &err, &src);
	if (ret)
		return ret;
	ret = wias_sink_open(&so, &err, &sink);
	if (!ret)
		ret = wias_scan_run(src, sink, st, &err);
	scan_source_close(src);
	if (ret)
		fprintf(stderr, "bench: %s: %s: %s\n", c->name, err.what,
			err.why);
	return ret;
}

/* The synthetic scanner alone: every buffer taken and given back */
static int bench_source(uint32_t pages, double *secs)
{
	struct synth_options o = {
		.fmt = {
			.mode = SCAN_MODE_COLOR,
			.source = SCAN_SOURCE_ADF,
			.dpi = 300,
			.width_px = A4_W,
			.height_px = A4_H,
			.bytes_per_line = wias_scan_bytes_per_line(SCAN_MODE_COLOR,
								   A4_W),
		},
		.pages = pages,
		.nbufs = DEV_SOURCE_NBUFS,
		.buf_size = DEV_SOURCE_BUF_SIZE,
	};
	struct wia_error err = { 0 };
	struct scan_source *src;
	struct scan_buf b;
	uint64_t bytes = 0;
	uint32_t page = 0;
	bool last = false;
	double t0 = now_s();
	int ret;

	ret = wias_synth_source_open(&o, &err, &src);
	if (ret)
		return ret;
	ret = src->ops->start(src);
	while (!ret && !last) {
		ret = src->ops->next(src, &b);
		if (ret)
			break;
		bytes += b.bytesused;
		ret = src->ops->release(src, &b);
		if (!ret && b.end_of_page)
			ret = src->ops->page_done(src, page++, bytes, &last);
		if (b.end_of_page)
			bytes = 0;
	}
	src->ops->stop(src, false);
	scan_source_close(src);
	*secs = now_s() - t0;
	return ret || page != pages ? -1 : 0;
}

/* The limit: write the same bytes from memory, fsync once a page */
static int bench_write(const char *path, size_t page, uint32_t pages,
		       double *secs)
{
	uint8_t *buf = malloc(1 << 20);
	double t0 = now_s();
	size_t n, i;
	uint32_t p;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || !buf)
		return -1;
	formula_fill(buf, 1 << 20, 0, 0, 0);
	for (p = 0; p < pages; p++) {
		for (i = 0; i < page; i += n) {
			n = page - i < (1 << 20) ? page - i : (1 << 20);
			if (write(fd, buf, n) != (ssize_t)n)
				return -1;
		}
		fsync(fd);
	}
	close(fd);
	free(buf);
	*secs = now_s() - t0;
	return 0;
}

/* One case in a child, so its peak RSS is its own; its pages/s (0: failed) */
static double run_case(const struct bench_case *c, const char *path,
		       uint32_t pages)
{
	struct scan_stats st = { 0 };
	struct rusage ru;
	int fds[2], status;
	pid_t pid;

	if (pipe(fds))
		return 0;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (bench_scan(c, path, pages, &st))
			_exit(1);
		if (write(fds[1], &st, sizeof(st)) != sizeof(st))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &st, sizeof(st)) != sizeof(st))
		st.pages = 0;
	close(fds[0]);
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !st.pages) {
		printf("%-24s failed\n", c->name);
		return 0;
	}
	printf("%-24s %6u %8.2f %9.1f %12ld\n", c->name, st.pages,
	       st.pages / st.seconds, wias_scan_mb_per_s(&st), ru.ru_maxrss);
	unlink(path);
	return st.pages / st.seconds;
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	const char *np = getenv("BENCH_PAGES");
	uint32_t pages = np ? (uint32_t)atoi(np) : 8;
	char path[4096];
	double secs, limit = 0, raw;
	size_t i;

	snprintf(path, sizeof(path), "%s/wiascan-bench.%d",
		 tmp && *tmp ? tmp : "/tmp", (int)getpid());
	printf("# wiascan-helper file path, synthetic source, A4 300 dpi, %u pages a case\n",
	       pages);
	printf("# %-22s %6s %8s %9s %12s\n", "case", "pages", "pages/s", "MB/s",
	       "peak RSS KiB");
	if (!bench_source(pages, &secs))
		printf("%-24s %6u %8.2f %9.1f %12s\n", "color source alone",
		       pages, pages / secs,
		       (double)A4_W * 3 * A4_H * pages / 1e6 / secs, "-");
	if (!bench_write(path, (size_t)A4_W * 3 * A4_H, pages, &secs)) {
		limit = pages / secs;
		printf("%-24s %6u %8.2f %9.1f %12s\n", "write loop (limit)",
		       pages, limit,
		       (double)A4_W * 3 * A4_H * pages / 1e6 / secs, "-");
	}
	unlink(path);
	raw = run_case(&cases[0], path, pages); /* color raw */
	if (limit > 0 && raw > 0)
		printf("# color raw / write loop: %.2f\n", raw / limit);
	for (i = 1; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], path, pages);
	return 0;
}
