// SPDX-License-Identifier: GPL-2.0
/*
 * The strip pipeline of the TIFF sink (tiff_pipeline.h): the pool of strip
 * buffers, the job ring, the compression workers and the writer thread.
 * Split out of sink_tiff.c, which keeps the libtiff page writer; nothing
 * here knows TIFF.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tiff_pipeline.h"

/**
 * wias_tiff_pipeline_init() - an idle pipeline with its consumer
 * @p: the pipeline (its memory is the caller's)
 * @run: runs each job on the writer thread, in order
 * @encode: compresses a strip on any worker
 * @ctx: passed to @run and @encode
 * @workers: compression workers, the writer included; clamped to
 *	1..TIFF_PIPELINE_WORKERS_MAX
 *
 * No pool and no thread yet; wias_tiff_pipeline_destroy() may follow at
 * once.
 */
void wias_tiff_pipeline_init(struct tiff_pipeline *p, tiff_pipeline_run_fn run,
			     tiff_pipeline_encode_fn encode, void *ctx,
			     unsigned int workers)
{
	memset(p, 0, sizeof(*p));
	p->run = run;
	p->encode = encode;
	p->ctx = ctx;
	if (workers < 1)
		workers = 1;
	if (workers > TIFF_PIPELINE_WORKERS_MAX)
		workers = TIFF_PIPELINE_WORKERS_MAX;
	p->workers = workers;
	p->n_strips = 2 * workers < TIFF_PIPELINE_STRIPS ?
			      TIFF_PIPELINE_STRIPS :
			      2 * workers;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
}

/**
 * wias_tiff_pipeline_strips() - strip buffers in the pool
 * @p: an initialised pipeline
 *
 * Return: max(TIFF_PIPELINE_STRIPS, 2 * workers): also the number of
 * slots (struct tiff_job @slot) the consumer keeps state for.
 */
unsigned int wias_tiff_pipeline_strips(const struct tiff_pipeline *p)
{
	return p->n_strips;
}

/* A job of a page thrown away (a cancel or failure): never compressed */
static bool tiff_job_dropped(const struct tiff_pipeline *p,
			     const struct tiff_job *j)
{
	return p->dropping && j->seq >= p->keep_pages;
}

/* Compress @j, claimed under the lock, with the lock dropped meanwhile */
static void tiff_pipeline_encode_locked(struct tiff_pipeline *p,
					struct tiff_job *j)
{
	int ret;

	j->state = TIFF_JOB_ENCODING;
	pthread_mutex_unlock(&p->lock);
	ret = p->encode(p->ctx, j);
	pthread_mutex_lock(&p->lock);
	j->enc_err = ret;
	j->state = TIFF_JOB_ENCODED;
	pthread_cond_broadcast(&p->cond);
}

/* The oldest strip no worker has taken; none after a failure */
static struct tiff_job *tiff_pipeline_next_strip(struct tiff_pipeline *p)
{
	struct tiff_job *j;
	unsigned int i;

	if (p->werr)
		return NULL;
	for (i = 0; i < p->q_count; i++) {
		j = &p->q[(p->q_head + i) % TIFF_PIPELINE_QUEUE];
		if (j->kind == TIFF_JOB_STRIP && j->state == TIFF_JOB_WAITING &&
		    !tiff_job_dropped(p, j))
			return j;
	}
	return NULL;
}

/* A worker besides the writer: compresses strips until told to quit */
static void *tiff_pipeline_encoder(void *arg)
{
	struct tiff_pipeline *p = arg;
	struct tiff_job *j;

	pthread_mutex_lock(&p->lock);
	while (!p->quit) {
		j = tiff_pipeline_next_strip(p);
		if (j)
			tiff_pipeline_encode_locked(p, j);
		else
			pthread_cond_wait(&p->cond, &p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/*
 * The head job, ready to write (its strip compressed, by the writer itself
 * if no worker took it); under the lock.  *@skip: only drain it.
 */
static struct tiff_job *tiff_pipeline_head(struct tiff_pipeline *p, bool failed,
					   bool *skip)
{
	struct tiff_job *j;

	while (!p->q_count)
		pthread_cond_wait(&p->cond, &p->lock);
	j = &p->q[p->q_head];
	*skip = failed || tiff_job_dropped(p, j);
	if (j->kind != TIFF_JOB_STRIP)
		return j;
	if (!*skip && j->state == TIFF_JOB_WAITING && !p->werr)
		tiff_pipeline_encode_locked(p, j);
	/* a worker may hold the buffer even of a job that is skipped */
	while (j->state == TIFF_JOB_ENCODING)
		pthread_cond_wait(&p->cond, &p->lock);
	return j;
}

/* Take the head job off the ring, its buffer back to the pool; locked */
static void tiff_pipeline_pop(struct tiff_pipeline *p, struct tiff_job *j)
{
	if (j->buf)
		p->free_bufs[p->n_free++] = j->buf;
	p->q_head = (p->q_head + 1) % TIFF_PIPELINE_QUEUE;
	p->q_count--;
	pthread_cond_broadcast(&p->cond);
}

/* The writer: every job in order, to run() */
static void *tiff_pipeline_writer(void *arg)
{
	struct tiff_pipeline *p = arg;
	enum tiff_job_kind kind;
	bool failed = false, skip;
	struct tiff_job *j;
	int ret;

	pthread_mutex_lock(&p->lock);
	do {
		j = tiff_pipeline_head(p, failed, &skip);
		kind = j->kind;
		pthread_mutex_unlock(&p->lock);
		/* after a failure, jobs are only drained: buffers go back */
		ret = !skip && kind != TIFF_JOB_QUIT ? p->run(p->ctx, j) : 0;
		pthread_mutex_lock(&p->lock);
		if (ret) {
			if (!p->werr)
				p->werr = ret; /* a waiting producer sees it */
			failed = true;
		}
		tiff_pipeline_pop(p, j);
	} while (kind != TIFF_JOB_QUIT);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Stop and join the encoders (the writer has ended) */
static void tiff_pipeline_stop_encoders(struct tiff_pipeline *p)
{
	unsigned int i;

	pthread_mutex_lock(&p->lock);
	p->quit = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->n_encoders; i++)
		pthread_join(p->encoders[i], NULL);
	p->n_encoders = 0;
}

/* Start the writer and workers - 1 encoders; -errno of pthread_create */
static int tiff_pipeline_start_threads(struct tiff_pipeline *p)
{
	int ret;

	ret = -pthread_create(&p->thread, NULL, tiff_pipeline_writer, p);
	p->running = !ret;
	while (!ret && p->n_encoders + 1 < p->workers) {
		ret = -pthread_create(&p->encoders[p->n_encoders], NULL,
				      tiff_pipeline_encoder, p);
		if (!ret)
			p->n_encoders++;
	}
	return ret;
}

/**
 * wias_tiff_pipeline_start() - start the writer and the other workers
 * @p: an initialised pipeline
 *
 * Every thread blocks every signal: the cancel signals must reach the
 * scan loop's thread.
 *
 * Return: 0, or -errno of pthread_create (-EAGAIN); then no thread runs.
 */
int wias_tiff_pipeline_start(struct tiff_pipeline *p)
{
	sigset_t all, old;
	int ret;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = tiff_pipeline_start_threads(p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		wias_tiff_pipeline_stop(p, true);
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
 * wias_tiff_pipeline_strips() buffers of @rows_per_strip * @bytes_per_line
 * bytes each, once per pipeline (the geometry of the first page holds for
 * all).
 *
 * Return: 0 or -ENOMEM.
 */
int wias_tiff_pipeline_setup(struct tiff_pipeline *p, uint32_t rows_per_strip,
			     size_t bytes_per_line)
{
	unsigned int i;

	p->bytes_per_line = bytes_per_line;
	p->strip_bytes = (size_t)rows_per_strip * bytes_per_line;
	p->pool = malloc(p->strip_bytes * p->n_strips);
	if (!p->pool)
		return -ENOMEM;
	for (i = 0; i < p->n_strips; i++)
		p->free_bufs[i] = p->pool + i * p->strip_bytes;
	p->n_free = p->n_strips;
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
	/* a QUIT waits for room even after a failure: the writer drains */
	while (p->q_count == TIFF_PIPELINE_QUEUE &&
	       (!p->werr || j->kind == TIFF_JOB_QUIT))
		pthread_cond_wait(&p->cond, &p->lock);
	ret = p->werr;
	if (!ret || j->kind == TIFF_JOB_QUIT) {
		struct tiff_job *q =
			&p->q[(p->q_head + p->q_count) % TIFF_PIPELINE_QUEUE];

		*q = *j;
		q->seq = p->pages_queued;
		q->state = TIFF_JOB_WAITING;
		q->enc_err = 0;
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
		.slot = (unsigned int)((size_t)(p->cur - p->pool) /
				       p->strip_bytes),
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
 * wias_tiff_pipeline_stop() - let the workers finish the ring and end
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
	tiff_pipeline_stop_encoders(p);
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
