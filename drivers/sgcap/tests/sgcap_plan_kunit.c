// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: chunk planning of sgcap_buffer.c under order and segment limits.
 *
 * The planner decides how a buffer is cut into chunks before any page is
 * allocated; the pool is built from its answer and the card is programmed
 * with at most max_segments of the chunks. These cases pin the arithmetic
 * down against a naive model: the repeated choice of sgcap_chunk_order().
 */
#include <kunit/test.h>
#include <linux/sizes.h>

#include "sgcap.h"

/* What sgcap_buffer_alloc_chunks() does when every allocation succeeds. */
static unsigned long sgcap_plan_model(unsigned long nr_pages,
				      unsigned int max_order,
				      unsigned int *counts)
{
	unsigned long chunks = 0;

	memset(counts, 0, (SGCAP_MAX_ORDER + 1) * sizeof(*counts));
	while (nr_pages) {
		unsigned int order = sgcap_chunk_order(nr_pages, max_order);

		counts[order]++;
		chunks++;
		nr_pages -= 1UL << order;
	}
	return chunks;
}

static void sgcap_plan_chunk_order(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 0U, sgcap_chunk_order(1, SGCAP_MAX_ORDER));
	KUNIT_EXPECT_EQ(test, 1U, sgcap_chunk_order(2, SGCAP_MAX_ORDER));
	KUNIT_EXPECT_EQ(test, 1U, sgcap_chunk_order(3, SGCAP_MAX_ORDER));
	KUNIT_EXPECT_EQ(test, 6U, sgcap_chunk_order(64, SGCAP_MAX_ORDER));
	KUNIT_EXPECT_EQ(test, 6U, sgcap_chunk_order(ULONG_MAX, SGCAP_MAX_ORDER));
	KUNIT_EXPECT_EQ(test, 1U, sgcap_chunk_order(160, 1));
	KUNIT_EXPECT_EQ(test, 0U, sgcap_chunk_order(160, 0));
	/* Never more than what is left: no page of slack at the end. */
	KUNIT_EXPECT_EQ(test, 2U, sgcap_chunk_order(7, SGCAP_MAX_ORDER));
}

static void sgcap_plan_defaults(struct kunit *test)
{
	unsigned int counts[SGCAP_MAX_ORDER + 1];

	/* The default capture: 640 KiB as 80 order-1 chunks. */
	KUNIT_EXPECT_EQ(test, 80UL,
			sgcap_chunk_plan(SZ_512K / PAGE_SIZE + SZ_128K / PAGE_SIZE,
					 1, counts));
	KUNIT_EXPECT_EQ(test, 80U, counts[1]);
	KUNIT_EXPECT_EQ(test, 0U, counts[0]);

	/* 100 KiB at order 1: 12 order-1 chunks and one page. */
	KUNIT_EXPECT_EQ(test, 13UL, sgcap_chunk_plan(25, 1, counts));
	KUNIT_EXPECT_EQ(test, 12U, counts[1]);
	KUNIT_EXPECT_EQ(test, 1U, counts[0]);

	/* No counts wanted. */
	KUNIT_EXPECT_EQ(test, 7UL, sgcap_chunk_plan(127, 6, NULL));
	KUNIT_EXPECT_EQ(test, 1UL, sgcap_chunk_plan(1, 6, NULL));
}

/* Every size up to 3 * 2^SGCAP_MAX_ORDER pages, every order: model == plan. */
static void sgcap_plan_matches_model(struct kunit *test)
{
	unsigned int want[SGCAP_MAX_ORDER + 1], got[SGCAP_MAX_ORDER + 1];
	unsigned long nr_pages, pages;
	unsigned int order, o;

	for (order = 0; order <= SGCAP_MAX_ORDER; order++) {
		for (nr_pages = 1; nr_pages <= 3UL << SGCAP_MAX_ORDER; nr_pages++) {
			unsigned long chunks = sgcap_plan_model(nr_pages, order,
								want);

			KUNIT_ASSERT_EQ_MSG(test, chunks,
					    sgcap_chunk_plan(nr_pages, order, got),
					    "%lu pages, order %u", nr_pages, order);
			pages = 0;
			for (o = 0; o <= SGCAP_MAX_ORDER; o++) {
				KUNIT_ASSERT_EQ_MSG(test, want[o], got[o],
						    "%lu pages, order %u: count of order %u",
						    nr_pages, order, o);
				/* Nothing above the limit, nothing lost. */
				if (o > order)
					KUNIT_ASSERT_EQ(test, 0U, got[o]);
				pages += (unsigned long)got[o] << o;
			}
			KUNIT_ASSERT_EQ(test, nr_pages, pages);
		}
	}
}

static void sgcap_plan_limits_max_order(struct kunit *test)
{
	struct sgcap_limits lim = { .max_segments = 512 };

	lim.max_segment_size = 0;
	KUNIT_EXPECT_EQ(test, 0U, sgcap_limits_max_order(&lim));
	lim.max_segment_size = PAGE_SIZE - 1;
	KUNIT_EXPECT_EQ(test, 0U, sgcap_limits_max_order(&lim));
	lim.max_segment_size = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, 0U, sgcap_limits_max_order(&lim));
	lim.max_segment_size = 2 * PAGE_SIZE - 1;
	KUNIT_EXPECT_EQ(test, 0U, sgcap_limits_max_order(&lim));
	lim.max_segment_size = 2 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, 1U, sgcap_limits_max_order(&lim));
	lim.max_segment_size = 3 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, 1U, sgcap_limits_max_order(&lim));
	lim.max_segment_size = SZ_64K;
	KUNIT_EXPECT_EQ(test, (unsigned int)ilog2(SZ_64K / PAGE_SIZE),
			sgcap_limits_max_order(&lim));
	/* Capped at the largest order the driver allocates. */
	lim.max_segment_size = U32_MAX;
	KUNIT_EXPECT_EQ(test, (unsigned int)SGCAP_MAX_ORDER,
			sgcap_limits_max_order(&lim));
}

static void sgcap_plan_config(struct sgcap_config *cfg, u64 size,
			      unsigned int order)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->buffer_count = 1;
	cfg->buffer_size = size;
	cfg->chunk_order = order;
}

static void sgcap_plan_max_order_limits(struct kunit *test)
{
	struct sgcap_limits lim = { .max_segments = 512,
				    .max_segment_size = SZ_64K };
	struct sgcap_config cfg;

	/* The preference holds when the card takes it. */
	sgcap_plan_config(&cfg, SZ_512K + SZ_128K, 1);
	KUNIT_EXPECT_EQ(test, 1, sgcap_plan_max_order(&cfg, &lim));

	/* The segment size lowers it. */
	sgcap_plan_config(&cfg, SZ_1M, SGCAP_MAX_ORDER);
	lim.max_segment_size = 2 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, 1, sgcap_plan_max_order(&cfg, &lim));

	/* Exactly as many segments as chunks: fits; one less: does not. */
	sgcap_plan_config(&cfg, 80 * 2 * PAGE_SIZE, 1);
	lim.max_segments = 80;
	KUNIT_EXPECT_EQ(test, 1, sgcap_plan_max_order(&cfg, &lim));
	lim.max_segments = 79;
	KUNIT_EXPECT_EQ(test, -ENOMEM, sgcap_plan_max_order(&cfg, &lim));

	/* Order 0 asked for: one segment per page. */
	sgcap_plan_config(&cfg, 80 * PAGE_SIZE, 0);
	lim.max_segments = 80;
	lim.max_segment_size = SZ_64K;
	KUNIT_EXPECT_EQ(test, 0, sgcap_plan_max_order(&cfg, &lim));
	lim.max_segments = 79;
	KUNIT_EXPECT_EQ(test, -ENOMEM, sgcap_plan_max_order(&cfg, &lim));

	/* A partial last page still takes a chunk. */
	sgcap_plan_config(&cfg, 2 * PAGE_SIZE + 1, 0);
	lim.max_segments = 3;
	KUNIT_EXPECT_EQ(test, 0, sgcap_plan_max_order(&cfg, &lim));
	lim.max_segments = 2;
	KUNIT_EXPECT_EQ(test, -ENOMEM, sgcap_plan_max_order(&cfg, &lim));

	/* Limits no memory can satisfy. */
	lim.max_segments = 0;
	KUNIT_EXPECT_EQ(test, -ENOMEM, sgcap_plan_max_order(&cfg, &lim));
	lim.max_segments = 512;
	lim.max_segment_size = PAGE_SIZE - 1;
	KUNIT_EXPECT_EQ(test, -ENOMEM, sgcap_plan_max_order(&cfg, &lim));
	lim.max_segment_size = 0;
	KUNIT_EXPECT_EQ(test, -ENOMEM, sgcap_plan_max_order(&cfg, &lim));

	/* The largest buffer at the largest order, with the fewest segments. */
	sgcap_plan_config(&cfg, SGCAP_MAX_BUFFER_SIZE, SGCAP_MAX_ORDER);
	lim.max_segment_size = U32_MAX;
	lim.max_segments = (SGCAP_MAX_BUFFER_SIZE / PAGE_SIZE) >> SGCAP_MAX_ORDER;
	KUNIT_EXPECT_EQ(test, SGCAP_MAX_ORDER, sgcap_plan_max_order(&cfg, &lim));
	lim.max_segments--;
	KUNIT_EXPECT_EQ(test, -ENOMEM, sgcap_plan_max_order(&cfg, &lim));
}

static struct kunit_case sgcap_plan_cases[] = {
	KUNIT_CASE(sgcap_plan_chunk_order),
	KUNIT_CASE(sgcap_plan_defaults),
	KUNIT_CASE(sgcap_plan_matches_model),
	KUNIT_CASE(sgcap_plan_limits_max_order),
	KUNIT_CASE(sgcap_plan_max_order_limits),
	{}
};

static struct kunit_suite sgcap_plan_suite = {
	.name = "sgcap_plan",
	.test_cases = sgcap_plan_cases,
};

kunit_test_suite(sgcap_plan_suite);
