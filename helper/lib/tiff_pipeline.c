// SPDX-License-Identifier: GPL-2.0
/*
 * The strip pipeline of the TIFF sink (tiff_pipeline.h): the pool of strip
 * buffers, the job ring and the worker thread.  Split out of sink_tiff.c,
 * which keeps the libtiff page writer; nothing here knows TIFF.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tiff_pipeline.h"

/**
 * wias_tiff_pipeline_init() - an idle pipeline with its consumer
 * @p: the pipeline (its memory is the caller's)
 * @run: runs each job on the worker thread
 * @ctx: passed to @run
 *
 * No pool and no thread yet; wias_tiff_pipeline_destroy() may follow at
 * once.
 */
void wias_tiff_pipeline_init(struct tiff_pipeline *p, tiff_pipeline_run_fn run,
			     void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->run = run;
	p->ctx = ctx;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
}

static void *tiff_pipeline_worker(void *arg)
{
	struct tiff_pipeline *p = arg;
	struct tiff_job j;
	bool failed = false, skip;

	do {
		pthread_mutex_lock(&p->lock);
		while (!p->q_count)
			pthread_cond_wait(&p->cond, &p->lock);
		j = p->q[p->q_head];
		p->q_head = (p->q_head + 1) % TIFF_PIPELINE_QUEUE;
		p->q_count--;
		/* dropping: the completed pages are written, the open one is not */
		skip = p->dropping && p->pages_run >= p->keep_pages;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);

		/* after a failure, jobs are only drained: buffers go back */
		if (!failed && !skip && j.kind != TIFF_JOB_QUIT) {
			int ret = p->run(p->ctx, &j);

			if (j.kind == TIFF_JOB_END)
				p->pages_run++;
			if (ret) {
				pthread_mutex_lock(&p->lock);
				if (!p->werr)
					p->werr = ret;
				/* a waiting producer sees the failure */
				pthread_cond_broadcast(&p->cond);
				pthread_mutex_unlock(&p->lock);
				failed = true;
			}
		}
		if (j.buf) {
			pthread_mutex_lock(&p->lock);
			p->free_bufs[p->n_free++] = j.buf;
			pthread_cond_broadcast(&p->cond);
			pthread_mutex_unlock(&p->lock);
		}
	} while (j.kind != TIFF_JOB_QUIT);
	return NULL;
}

/**
 * wias_tiff_pipeline_start() - start the worker thread
 * @p: an initialised pipeline
 *
 * The worker blocks every signal: the cancel signals must reach the scan
 * loop's thread.
 *
 * Return: 0, or -errno of pthread_create (-EAGAIN).
 */
int wias_tiff_pipeline_start(struct tiff_pipeline *p)
{
	sigset_t all, old;
	int ret;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&p->thread, NULL, tiff_pipeline_worker, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	p->running = !ret;
	return ret;
}

/**
 * wias_tiff_pipeline_ready() - whether the strip pool is set up
 * @p: the pipeline
 *
 * Return: true after a successful wias_tiff_pipeline_setup().
 */
bool wias_tiff_pipeline_ready(const struct tiff_pipeline *p)
{
	return p->pool != NULL;
}

/**
 * wias_tiff_pipeline_setup() - allocate the strip pool
 * @p: the pipeline
 * @rows_per_strip: rows in a full strip (at least 1)
 * @bytes_per_line: bytes in a row (at least 1)
 *
 * TIFF_PIPELINE_STRIPS buffers of @rows_per_strip * @bytes_per_line bytes
 * each, once per pipeline (the geometry of the first page holds for all).
 *
 * Return: 0 or -ENOMEM.
 */
int wias_tiff_pipeline_setup(struct tiff_pipeline *p, uint32_t rows_per_strip,
			     size_t bytes_per_line)
{
	unsigned int i;

	p->bytes_per_line = bytes_per_line;
	p->strip_bytes = (size_t)rows_per_strip * bytes_per_line;
	p->pool = malloc(p->strip_bytes * TIFF_PIPELINE_STRIPS);
	if (!p->pool)
		return -ENOMEM;
	for (i = 0; i < TIFF_PIPELINE_STRIPS; i++)
		p->free_bufs[i] = p->pool + i * p->strip_bytes;
	p->n_free = TIFF_PIPELINE_STRIPS;
	return 0;
}

/*
 * Queue @j, waiting for room; the worker's failure instead (a QUIT is
 * queued whatever happened, so the worker ends).
 */
static int tiff_pipeline_push(struct tiff_pipeline *p, const struct tiff_job *j)
{
	int ret;

	pthread_mutex_lock(&p->lock);
	while (p->q_count == TIFF_PIPELINE_QUEUE && !p->werr)
		pthread_cond_wait(&p->cond, &p->lock);
	ret = p->werr;
	if (!ret || j->kind == TIFF_JOB_QUIT) {
		p->q[(p->q_head + p->q_count) % TIFF_PIPELINE_QUEUE] = *j;
		p->q_count++;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return j->kind != TIFF_JOB_QUIT ? ret : 0;
}

/* A free strip buffer as @p->cur, waiting for one; or the worker's failure */
static int tiff_pipeline_get_strip(struct tiff_pipeline *p)
{
	int ret;

	pthread_mutex_lock(&p->lock);
	while (!p->n_free && !p->werr)
		pthread_cond_wait(&p->cond, &p->lock);
	ret = p->werr;
	if (!ret)
		p->cur = p->free_bufs[--p->n_free];
	pthread_mutex_unlock(&p->lock);
	p->cur_len = 0;
	return ret;
}

static int tiff_pipeline_queue_strip(struct tiff_pipeline *p)
{
	struct tiff_job j = {
		.kind = TIFF_JOB_STRIP,
		.buf = p->cur,
		.len = p->cur_len,
		.rows = (uint32_t)(p->cur_len / p->bytes_per_line),
	};
	int ret;

	ret = tiff_pipeline_push(p, &j);
	if (!ret)
		p->cur = NULL;
	return ret;
}

/**
 * wias_tiff_pipeline_begin_page() - queue a page's start
 * @p: a set-up, started pipeline
 * @page: the page number, from 1
 *
 * Return: 0, or the worker's failure (-errno).
 */
int wias_tiff_pipeline_begin_page(struct tiff_pipeline *p, uint32_t page)
{
	struct tiff_job j = { .kind = TIFF_JOB_BEGIN, .page = page };

	return tiff_pipeline_push(p, &j);
}

/**
 * wias_tiff_pipeline_write() - copy image bytes into strips
 * @p: a set-up, started pipeline inside a page
 * @data: @len bytes of the page, in order (any split: rows may span calls)
 * @len: bytes
 *
 * Every full strip is queued; a partial one waits for more bytes or for
 * the page's end.  Waits for a free strip buffer when the pool is empty.
 *
 * Return: 0, or the worker's failure (-errno).
 */
int wias_tiff_pipeline_write(struct tiff_pipeline *p, const void *data,
			     size_t len)
{
	const uint8_t *src = data;
	size_t n;
	int ret;

	while (len) {
		if (!p->cur) {
			ret = tiff_pipeline_get_strip(p);
			if (ret)
				return ret;
		}
		n = p->strip_bytes - p->cur_len;
		if (n > len)
			n = len;
		memcpy(p->cur + p->cur_len, src, n);
		p->cur_len += n;
		src += n;
		len -= n;
		if (p->cur_len == p->strip_bytes) {
			ret = tiff_pipeline_queue_strip(p);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/**
 * wias_tiff_pipeline_end_page() - queue the last strip and the page's end
 * @p: a set-up, started pipeline inside a page
 *
 * Return: 0, or the worker's failure (-errno).
 */
int wias_tiff_pipeline_end_page(struct tiff_pipeline *p)
{
	struct tiff_job j = { .kind = TIFF_JOB_END };
	int ret;

	if (p->cur && p->cur_len) {
		ret = tiff_pipeline_queue_strip(p);
		if (ret)
			return ret;
	}
	ret = tiff_pipeline_push(p, &j);
	if (!ret)
		p->pages_queued++;
	return ret;
}

/**
 * wias_tiff_pipeline_stop() - let the worker finish the ring and end
 * @p: the pipeline (started or not; a second call does nothing)
 * @drop: skip the jobs of a page whose end was not queued: a cancel does
 *	not wait for a page that is thrown away to be compressed
 *
 * Return: 0, or run()'s first failure (-errno).
 */
int wias_tiff_pipeline_stop(struct tiff_pipeline *p, bool drop)
{
	struct tiff_job j = { .kind = TIFF_JOB_QUIT };

	if (p->running) {
		pthread_mutex_lock(&p->lock);
		p->dropping = drop;
		p->keep_pages = p->pages_queued;
		pthread_mutex_unlock(&p->lock);
		tiff_pipeline_push(p, &j);
		pthread_join(p->thread, NULL);
		p->running = false;
	}
	return p->werr;
}

/**
 * wias_tiff_pipeline_destroy() - free the pool and the lock
 * @p: a stopped (or never started) pipeline
 */
void wias_tiff_pipeline_destroy(struct tiff_pipeline *p)
{
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p->pool);
	p->pool = NULL;
}
