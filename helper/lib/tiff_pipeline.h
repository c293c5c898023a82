/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The strip pipeline of the TIFF sink: a pool of strip buffers, a ring of
 * jobs, compression workers and one writer.
 *
 * The producer (the scan loop's thread) copies image bytes into strip
 * buffers of whole rows and queues each full strip between a page's begin
 * and end marks.  Strips are compressed on N workers at once (encode(),
 * any strip on any worker, in parallel); the writer thread takes the jobs
 * strictly in order and hands each one, its strip compressed, to run()
 * (sink_tiff.c: the real file), then gives the strip buffer back to the
 * pool.  The writer is one of the N workers: when the strip at the head
 * of the ring is not yet taken it compresses it itself, so N = 1 is one
 * thread that compresses and writes every strip in order, and N > 1 adds
 * N - 1 compression threads.
 *
 * Memory is bounded whatever the page length: the pool holds
 * max(TIFF_PIPELINE_STRIPS, 2 * N) strip buffers (at most
 * TIFF_PIPELINE_STRIPS_MAX), and a strip is in flight (being filled,
 * queued, compressed or written) only while it holds one; the consumer
 * keeps one encoded buffer per pool strip (tiff_encode.h).  When the
 * writer falls behind, the producer waits for a free strip (so the
 * device ring fills and the device waits).
 *
 * The pipeline knows nothing of TIFF: a job is a page begin, a strip of
 * rows, or a page end.  A failure of encode() is passed to run() with its
 * strip, in order (the consumer reports it as its own); a failure of
 * run() stops the work (later jobs are only drained so their buffers
 * return, once no worker holds them) and is returned, as -errno, by every
 * later producer call and by wias_tiff_pipeline_stop().
 *
 * Threads: wias_tiff_pipeline_begin_page(), _write() and _end_page() are
 * called by one producer thread; run() is called on the writer only,
 * encode() on any worker, for distinct strips (j->slot) at once.  What
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

#define TIFF_PIPELINE_STRIPS	  8  /* strip buffers in the pool, at least */
#define TIFF_PIPELINE_WORKERS_MAX 64 /* compression workers, at most */
#define TIFF_PIPELINE_STRIPS_MAX  (2 * TIFF_PIPELINE_WORKERS_MAX)
/* jobs: strips and page marks */
#define TIFF_PIPELINE_QUEUE	  (TIFF_PIPELINE_STRIPS_MAX + 8)

enum tiff_job_kind {
	TIFF_JOB_BEGIN, /* a page starts */
	TIFF_JOB_STRIP, /* rows of the page */
	TIFF_JOB_END,	/* the page is complete */
	TIFF_JOB_QUIT,	/* no more jobs (never passed to run()) */
};

enum tiff_job_state {
	TIFF_JOB_WAITING,  /* a strip not yet compressed */
	TIFF_JOB_ENCODING, /* a worker compresses it */
	TIFF_JOB_ENCODED,  /* done: @enc_err says how */
};

/**
 * struct tiff_job - one thing for the workers to do
 * @kind: TIFF_JOB_*
 * @page: page number, from 1 (TIFF_JOB_BEGIN)
 * @buf: strip buffer, back to the pool when written (TIFF_JOB_STRIP)
 * @slot: index of @buf in the pool, 0..pool strips - 1: the consumer's
 *	per-strip state (its encoded bytes)
 * @len: bytes in @buf: @rows whole rows
 * @rows: rows in @buf
 * @enc_err: encode()'s result, 0 or -errno (TIFF_JOB_STRIP, in run())
 * @seq: pages whose end was queued before this job (private)
 * @state: TIFF_JOB_WAITING... (private, under the lock)
 */
struct tiff_job {
	enum tiff_job_kind kind;
	uint32_t page;
	uint8_t *buf;
	unsigned int slot;
	size_t len;
	uint32_t rows;
	int enc_err;
	uint32_t seq;
	enum tiff_job_state state;
};

/*
 * The consumer: run() runs one job on the writer thread, in order; 0 or
 * -errno (the first failure stops the pipeline).  encode() compresses one
 * strip on any worker (its result is j->enc_err in run()).
 */
typedef int (*tiff_pipeline_run_fn)(void *ctx, const struct tiff_job *j);
typedef int (*tiff_pipeline_encode_fn)(void *ctx, const struct tiff_job *j);

/**
 * struct tiff_pipeline - the strip pool, the job ring and the workers
 * @run, @encode, @ctx: the consumer
 * @workers: compression workers, the writer included (1..WORKERS_MAX)
 * @n_strips: strip buffers in the pool
 * @strip_bytes, @bytes_per_line: the strip geometry (bytes)
 * @pool: memory of the strip buffers (NULL until wias_tiff_pipeline_setup)
 * @free_bufs, @n_free: strip buffers not in use (under @lock)
 * @cur, @cur_len: the strip being filled by the producer
 * @q, @q_head, @q_count: the job ring (under @lock)
 * @lock, @cond: the ring and pool; one condition, broadcast
 * @thread, @running: the writer
 * @encoders, @n_encoders: the other workers, started
 * @quit: the encoders end (under @lock)
 * @werr: run()'s first failure, -errno (under @lock)
 * @pages_queued: pages whose end the producer queued
 * @dropping, @keep_pages: a failed or cancelled scan: the writer runs
 *	the jobs of the first @keep_pages pages and skips the rest of the
 *	ring, which no worker compresses (under @lock)
 *
 * All fields are private to tiff_pipeline.c.
 */
struct tiff_pipeline {
	tiff_pipeline_run_fn run;
	tiff_pipeline_encode_fn encode;
	void *ctx;
	unsigned int workers, n_strips;
	size_t strip_bytes, bytes_per_line;
	uint8_t *pool;
	uint8_t *free_bufs[TIFF_PIPELINE_STRIPS_MAX];
	unsigned int n_free;
	uint8_t *cur;
	size_t cur_len;
	struct tiff_job q[TIFF_PIPELINE_QUEUE];
	unsigned int q_head, q_count;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool running;
	pthread_t encoders[TIFF_PIPELINE_WORKERS_MAX - 1];
	unsigned int n_encoders;
	bool quit;
	int werr;
	uint32_t pages_queued;
	bool dropping;
	uint32_t keep_pages;
};

void wias_tiff_pipeline_init(struct tiff_pipeline *p, tiff_pipeline_run_fn run,
			     tiff_pipeline_encode_fn encode, void *ctx,
			     unsigned int workers);
unsigned int wias_tiff_pipeline_strips(const struct tiff_pipeline *p);
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
