// SPDX-License-Identifier: GPL-2.0
/*
 * The strip pipeline alone (tiff_pipeline.c), with a consumer of this
 * file instead of libtiff: encode() checks a strip's bytes and sleeps a
 * random 0-300 us (so workers finish out of order), run() checks that
 * strips arrive in the order they were written.  On 1 to 6 workers: every
 * strip in order; a failure of run() (-ENOSPC at strip 77) or of encode()
 * (-ENOMEM at strip 55) stops the work there and is returned by the
 * producer and by stop(); a cancel (stop with drop) mid-page ends only the
 * pages whose end was queued.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "tiff_pipeline.h"

#define BPL	    100 /* bytes a row */
#define RPS	    4	/* rows a strip */
#define STRIP	    (BPL * RPS)
#define PAGES	    5
#define STRIPS_PAGE 30
#define WORKERS_MAX 6

struct consumer {
	unsigned int slot_seq[TIFF_PIPELINE_STRIPS_MAX]; /* encode() saw */
	unsigned int next_seq;	  /* the strip run() must get next */
	unsigned int strips_run;  /* strips run() accepted */
	unsigned int pages_ended; /* TIFF_JOB_END run */
	unsigned int fail_run_at, fail_encode_at; /* 0: never */
	unsigned int bad_bytes, bad_order;
	unsigned int seed;
};

/* Strip number @seq: its number, then bytes that depend on it */
static void fill_strip(uint8_t *s, unsigned int seq)
{
	size_t i;

	memcpy(s, &seq, sizeof(seq));
	for (i = sizeof(seq); i < STRIP; i++)
		s[i] = (uint8_t)(seq + i);
}

static int consumer_encode(void *ctx, const struct tiff_job *j)
{
	struct consumer *c = ctx;
	unsigned int seq;
	size_t i;

	memcpy(&seq, j->buf, sizeof(seq));
	for (i = sizeof(seq); i < j->len; i++) {
		if (j->buf[i] != (uint8_t)(seq + i)) {
			__atomic_add_fetch(&c->bad_bytes, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	usleep((unsigned int)rand_r(&c->seed) % 300);
	c->slot_seq[j->slot] = seq;
	return seq == c->fail_encode_at ? -ENOMEM : 0;
}

static int consumer_run(void *ctx, const struct tiff_job *j)
{
	struct consumer *c = ctx;

	if (j->kind == TIFF_JOB_END)
		c->pages_ended++;
	if (j->kind != TIFF_JOB_STRIP)
		return 0;
	if (j->enc_err)
		return j->enc_err;
	if (c->slot_seq[j->slot] != c->next_seq)
		c->bad_order++;
	c->next_seq++;
	c->strips_run++;
	return c->strips_run == c->fail_run_at ? -ENOSPC : 0;
}

/*
 * PAGES pages of STRIPS_PAGE strips, each written in two pieces (37 bytes,
 * the rest: rows span calls); with @cancel_at (page, strip) the scan stops
 * there and the pipeline is stopped with drop.  *@prod: the producer's
 * first failure.  Return: stop()'s result.
 */
static int scan(struct consumer *c, unsigned int workers, int *prod,
		unsigned int cancel_page, unsigned int cancel_strip)
{
	struct tiff_pipeline p;
	uint8_t strip[STRIP];
	unsigned int page, s, seq = 1;
	int ret = 0, stop;

	c->next_seq = 1;
	wias_tiff_pipeline_init(&p, consumer_run, consumer_encode, c, workers);
	if (wias_tiff_pipeline_start(&p))
		return -EAGAIN;
	ret = wias_tiff_pipeline_setup(&p, RPS, BPL);
	for (page = 1; page <= PAGES && !ret; page++) {
		ret = wias_tiff_pipeline_begin_page(&p, page);
		for (s = 0; s < STRIPS_PAGE && !ret; s++) {
			if (page == cancel_page && s == cancel_strip)
				break;
			fill_strip(strip, seq++);
			ret = wias_tiff_pipeline_write(&p, strip, 37);
			if (!ret)
				ret = wias_tiff_pipeline_write(&p, strip + 37,
							       STRIP - 37);
		}
		if (page == cancel_page)
			break;
		if (!ret)
			ret = wias_tiff_pipeline_end_page(&p);
	}
	*prod = ret;
	stop = wias_tiff_pipeline_stop(&p, cancel_page != 0);
	wias_tiff_pipeline_destroy(&p);
	return stop;
}

TEST(every_strip_reaches_run_in_order_on_1_to_6_workers)
{
	unsigned int w;

	for (w = 1; w <= WORKERS_MAX; w++) {
		struct consumer c = { .seed = w };
		int prod = 1, stop; /* 1: scan() did not set it */

		stop = scan(&c, w, &prod, 0, 0);

		EXPECT_EQ(0, prod);
		EXPECT_EQ(0, stop);
		EXPECT_EQ(PAGES * STRIPS_PAGE, c.strips_run)
		TH_LOG("%u workers: %u strips run, want %u", w, c.strips_run,
		       PAGES * STRIPS_PAGE);
		EXPECT_EQ(PAGES, c.pages_ended);
		EXPECT_EQ(0, c.bad_order)
		TH_LOG("%u workers: %u strips out of order", w, c.bad_order);
		EXPECT_EQ(0, c.bad_bytes);
	}
}

TEST(run_failing_with_enospc_at_strip_77_stops_there_on_1_to_6_workers)
{
	unsigned int w;

	for (w = 1; w <= WORKERS_MAX; w++) {
		struct consumer c = { .seed = w, .fail_run_at = 77 };
		int prod = 1, stop; /* 1: scan() did not set it */

		stop = scan(&c, w, &prod, 0, 0);

		EXPECT_EQ(-ENOSPC, prod) TH_LOG("%u workers", w);
		EXPECT_EQ(-ENOSPC, stop) TH_LOG("%u workers", w);
		EXPECT_EQ(77, c.strips_run) TH_LOG("%u workers", w);
		/* pages 1 and 2 (strips 1-60) ended; nothing after strip 77 */
		EXPECT_EQ(2, c.pages_ended) TH_LOG("%u workers", w);
		EXPECT_EQ(0, c.bad_order);
	}
}

TEST(encode_failing_with_enomem_at_strip_55_reaches_run_in_order)
{
	unsigned int w;

	for (w = 1; w <= WORKERS_MAX; w++) {
		struct consumer c = { .seed = w, .fail_encode_at = 55 };
		int prod = 1, stop; /* 1: scan() did not set it */

		stop = scan(&c, w, &prod, 0, 0);

		EXPECT_EQ(-ENOMEM, prod) TH_LOG("%u workers", w);
		EXPECT_EQ(-ENOMEM, stop) TH_LOG("%u workers", w);
		/* strips 1-54 run, in order; 55 is the failure */
		EXPECT_EQ(54, c.strips_run) TH_LOG("%u workers", w);
		EXPECT_EQ(1, c.pages_ended) TH_LOG("%u workers", w);
		EXPECT_EQ(0, c.bad_order);
	}
}

TEST(a_cancel_mid_page_3_ends_pages_1_and_2_only)
{
	unsigned int w;

	for (w = 1; w <= WORKERS_MAX; w++) {
		struct consumer c = { .seed = w };
		int prod = 1, stop; /* 1: scan() did not set it */

		stop = scan(&c, w, &prod, 3, 10);

		EXPECT_EQ(0, prod);
		EXPECT_EQ(0, stop);
		EXPECT_EQ(2, c.pages_ended) TH_LOG("%u workers", w);
		/* pages 1 and 2 whole; of page 3 at most what ran before */
		EXPECT_GE(c.strips_run, 2 * STRIPS_PAGE);
		EXPECT_LE(c.strips_run, 2 * STRIPS_PAGE + 10);
		EXPECT_EQ(0, c.bad_order);
	}
}

TEST_HARNESS_MAIN
