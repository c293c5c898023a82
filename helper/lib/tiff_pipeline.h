/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The strip pipeline of the TIFF sink: a pool of strip buffers, a ring of
 * jobs and one worker thread that runs them.
 *
 * The producer (the scan loop's thread) copies image bytes into strip
 * buffers of whole rows and queues each full strip between a page's begin
 * and end marks; the worker hands every job, in order, to the consumer's
 * run() callback (sink_tiff.c: libtiff and the files) and gives the strip
 * buffer back to the pool.  Memory is bounded: TIFF_PIPELINE_STRIPS strips
 * whatever the page length; when the worker falls behind, the producer
 * waits for a free strip (so the device ring fills and the device waits).
 *
 * The pipeline knows nothing of TIFF: a job is a page begin, a strip of
 * rows, or a page end.  A failure of run() stops the work (later jobs are
 * only drained so their buffers return) and is returned, as -errno, by
 * every later producer call and by wias_tiff_pipeline_stop().
 *
 * Threads: wias_tiff_pipeline_begin_page(), _write() and _end_page() are
 * called by one producer thread; run() is called on the worker only.  What
 * run() stores before it returns an error is visible to the producer once
 * it has seen that error (the error is published under the pipeline's
 * lock).
 */
#ifndef WIASCAN_TIFF_PIPELINE_H
#define WIASCAN_TIFF_PIPELINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TIFF_PIPELINE_STRIPS 8 /* strip buffers in the pool */
/* jobs: strips and page marks */
#define TIFF_PIPELINE_QUEUE  (TIFF_PIPELINE_STRIPS + 8)

enum tiff_job_kind {
	TIFF_JOB_BEGIN, /* a page starts */
	TIFF_JOB_STRIP, /* rows of the page */
	TIFF_JOB_END,	/* the page is complete */
	TIFF_JOB_QUIT,	/* no more jobs (never passed to run()) */
};

/**
 * struct tiff_job - one thing for the worker to do
 * @kind: TIFF_JOB_*
 * @page: page number, from 1 (TIFF_JOB_BEGIN)
 * @buf: strip buffer, back to the pool when run (TIFF_JOB_STRIP)
 * @len: bytes in @buf: @rows whole rows
 * @rows: rows in @buf
 */
struct tiff_job {
	enum tiff_job_kind kind;
	uint32_t page;
	uint8_t *buf;
	size_t len;
	uint32_t rows;
};

/*
 * The consumer: runs one job on the worker thread; 0 or -errno (the first
 * failure stops the pipeline).
 */
typedef int (*tiff_pipeline_run_fn)(void *ctx, const struct tiff_job *j);

/**
 * struct tiff_pipeline - the strip pool, the job ring and the worker
 * @run, @ctx: the consumer
 * @strip_bytes, @bytes_per_line: the strip geometry (bytes)
 * @pool: memory of the strip buffers (NULL until wias_tiff_pipeline_setup)
 * @free_bufs, @n_free: strip buffers not in use (under @lock)
 * @cur, @cur_len: the strip being filled by the producer
 * @q, @q_head, @q_count: the job ring (under @lock)
 * @lock, @cond: the ring and pool; one condition, broadcast
 * @thread, @running: the worker
 * @werr: run()'s first failure, -errno (under @lock)
 * @pages_queued: pages whose end the producer queued
 * @dropping, @keep_pages: a failed or cancelled scan: the worker runs
 *	the jobs of the first @keep_pages pages and skips the rest of the
 *	ring (under @lock)
 * @pages_run: page ends the worker has run (worker only)
 *
 * All fields are private to tiff_pipeline.c.
 */
struct tiff_pipeline {
	tiff_pipeline_run_fn run;
	void *ctx;
	size_t strip_bytes, bytes_per_line;
	uint8_t *pool;
	uint8_t *free_bufs[TIFF_PIPELINE_STRIPS];
	unsigned int n_free;
	uint8_t *cur;
	size_t cur_len;
	struct tiff_job q[TIFF_PIPELINE_QUEUE];
	unsigned int q_head, q_count;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool running;
	int werr;
	uint32_t pages_queued;
	bool dropping;
	uint32_t keep_pages;
	uint32_t pages_run;
};

void wias_tiff_pipeline_init(struct tiff_pipeline *p, tiff_pipeline_run_fn run,
			     void *ctx);
int wias_tiff_pipeline_start(struct tiff_pipeline *p);
bool wias_tiff_pipeline_ready(const struct tiff_pipeline *p);
int wias_tiff_pipeline_setup(struct tiff_pipeline *p, uint32_t rows_per_strip,
			     size_t bytes_per_line);
int wias_tiff_pipeline_begin_page(struct tiff_pipeline *p, uint32_t page);
int wias_tiff_pipeline_write(struct tiff_pipeline *p, const void *data,
			     size_t len);
int wias_tiff_pipeline_end_page(struct tiff_pipeline *p);
int wias_tiff_pipeline_stop(struct tiff_pipeline *p, bool drop);
void wias_tiff_pipeline_destroy(struct tiff_pipeline *p);

#endif /* WIASCAN_TIFF_PIPELINE_H */
