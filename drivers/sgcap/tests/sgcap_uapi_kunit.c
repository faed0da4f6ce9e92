// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: validation of the uapi structures (sgcap_ioctl.c).
 *
 * Validation is the driver's only defence against what userspace passes:
 * every field of every input structure is checked here at and around its
 * boundaries, one field off at a time from a structure that is valid.
 */
#include <kunit/test.h>
#include <linux/sizes.h>

#include "sgcap.h"

static void sgcap_uapi_good_config(struct sgcap_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->buffer_count = 8;
	cfg->chunk_order = 1;
	cfg->buffer_size = SZ_512K + SZ_128K;
	cfg->transform = SGCAP_TRANSFORM_NONE;
	cfg->rate = 0;
}

static void sgcap_uapi_config_size(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, -EINVAL, sgcap_config_check_size(0));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			sgcap_config_check_size(SGCAP_CONFIG_SIZE_VER0 - 1));
	KUNIT_EXPECT_EQ(test, 0, sgcap_config_check_size(SGCAP_CONFIG_SIZE_VER0));
	KUNIT_EXPECT_EQ(test, 0,
			sgcap_config_check_size(sizeof(struct sgcap_config)));
	/* Larger than this kernel's struct: the tail is checked on copy. */
	KUNIT_EXPECT_EQ(test, 0, sgcap_config_check_size(PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, -E2BIG, sgcap_config_check_size(PAGE_SIZE + 1));
	KUNIT_EXPECT_EQ(test, -E2BIG, sgcap_config_check_size(U32_MAX));
}

static void sgcap_uapi_config_good(struct kunit *test)
{
	struct sgcap_config cfg;

	sgcap_uapi_good_config(&cfg);
	KUNIT_EXPECT_EQ(test, 0, sgcap_config_validate(&cfg));

	/* Inclusive bounds. */
	cfg.buffer_count = SGCAP_MIN_BUFFERS;
	KUNIT_EXPECT_EQ(test, 0, sgcap_config_validate(&cfg));
	cfg.buffer_count = SGCAP_MAX_BUFFERS;
	KUNIT_EXPECT_EQ(test, 0, sgcap_config_validate(&cfg));
	cfg.buffer_size = 1;
	KUNIT_EXPECT_EQ(test, 0, sgcap_config_validate(&cfg));
	cfg.buffer_size = SGCAP_MAX_BUFFER_SIZE;
	KUNIT_EXPECT_EQ(test, 0, sgcap_config_validate(&cfg));
	cfg.chunk_order = 0;
	KUNIT_EXPECT_EQ(test, 0, sgcap_config_validate(&cfg));
	cfg.chunk_order = SGCAP_MAX_ORDER;
	KUNIT_EXPECT_EQ(test, 0, sgcap_config_validate(&cfg));
	cfg.transform = SGCAP_TRANSFORM_SWAP16;
	KUNIT_EXPECT_EQ(test, 0, sgcap_config_validate(&cfg));
	/* Any rate: the card paces itself, 0 is as fast as it can. */
	cfg.rate = U32_MAX;
	KUNIT_EXPECT_EQ(test, 0, sgcap_config_validate(&cfg));
	/* size is the copy's business, not the validator's. */
	cfg.size = 0;
	KUNIT_EXPECT_EQ(test, 0, sgcap_config_validate(&cfg));
}

static void sgcap_uapi_config_bad(struct kunit *test)
{
	static const u64 bad_sizes[] = {
		0, SGCAP_MAX_BUFFER_SIZE + 1, U32_MAX + 1ULL, U64_MAX,
	};
	static const u32 bad_counts[] = {
		SGCAP_MIN_BUFFERS - 1, SGCAP_MAX_BUFFERS + 1, U32_MAX,
	};
	struct sgcap_config cfg;
	unsigned int i, bit;

	for (bit = 0; bit < 32; bit++) {
		sgcap_uapi_good_config(&cfg);
		cfg.flags = BIT(bit);
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL, sgcap_config_validate(&cfg),
				    "flags bit %u", bit);
	}
	for (i = 0; i < ARRAY_SIZE(cfg.reserved); i++) {
		for (bit = 0; bit < 64; bit += 21) {
			sgcap_uapi_good_config(&cfg);
			cfg.reserved[i] = BIT_ULL(bit);
			KUNIT_EXPECT_EQ_MSG(test, -EINVAL,
					    sgcap_config_validate(&cfg),
					    "reserved[%u] bit %u", i, bit);
		}
	}
	for (i = 0; i < ARRAY_SIZE(bad_counts); i++) {
		sgcap_uapi_good_config(&cfg);
		cfg.buffer_count = bad_counts[i];
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL, sgcap_config_validate(&cfg),
				    "buffer_count %u", bad_counts[i]);
	}
	for (i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		sgcap_uapi_good_config(&cfg);
		cfg.buffer_size = bad_sizes[i];
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL, sgcap_config_validate(&cfg),
				    "buffer_size %llu", bad_sizes[i]);
	}
	sgcap_uapi_good_config(&cfg);
	cfg.chunk_order = SGCAP_MAX_ORDER + 1;
	KUNIT_EXPECT_EQ(test, -EINVAL, sgcap_config_validate(&cfg));
	cfg.chunk_order = U32_MAX;
	KUNIT_EXPECT_EQ(test, -EINVAL, sgcap_config_validate(&cfg));

	sgcap_uapi_good_config(&cfg);
	cfg.transform = SGCAP_TRANSFORM_SWAP16 + 1;
	KUNIT_EXPECT_EQ(test, -EINVAL, sgcap_config_validate(&cfg));
	cfg.transform = U32_MAX;
	KUNIT_EXPECT_EQ(test, -EINVAL, sgcap_config_validate(&cfg));
}

static void sgcap_uapi_dequeue(struct kunit *test)
{
	struct sgcap_dequeue dq;
	unsigned int i, bit;

	memset(&dq, 0, sizeof(dq));
	KUNIT_EXPECT_EQ(test, 0, sgcap_dequeue_validate(&dq));
	dq.flags = SGCAP_DEQUEUE_NONBLOCK;
	KUNIT_EXPECT_EQ(test, 0, sgcap_dequeue_validate(&dq));

	/* Output fields are ignored on input. */
	memset(&dq, 0xff, offsetof(struct sgcap_dequeue, reserved));
	dq.flags = 0;
	KUNIT_EXPECT_EQ(test, 0, sgcap_dequeue_validate(&dq));

	for (bit = 0; bit < 32; bit++) {
		memset(&dq, 0, sizeof(dq));
		dq.flags = BIT(bit);
		KUNIT_EXPECT_EQ_MSG(test,
				    BIT(bit) & SGCAP_DEQUEUE_FLAGS_ALL ? 0 : -EINVAL,
				    sgcap_dequeue_validate(&dq), "flags bit %u", bit);
	}
	for (i = 0; i < ARRAY_SIZE(dq.reserved); i++) {
		memset(&dq, 0, sizeof(dq));
		dq.reserved[i] = U64_MAX;
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL, sgcap_dequeue_validate(&dq),
				    "reserved[%u]", i);
	}
}

/* The layout userspace was promised: sizes and padding of the structures. */
static void sgcap_uapi_layout(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, (size_t)SGCAP_CONFIG_SIZE_VER0,
			sizeof(struct sgcap_config));
	KUNIT_EXPECT_EQ(test, 0UL, sizeof(struct sgcap_caps) % 8);
	KUNIT_EXPECT_EQ(test, 0UL, sizeof(struct sgcap_config) % 8);
	KUNIT_EXPECT_EQ(test, 0UL, sizeof(struct sgcap_dequeue) % 8);
	KUNIT_EXPECT_EQ(test, 0UL, sizeof(struct sgcap_stats) % 8);
	KUNIT_EXPECT_EQ(test, sizeof(struct sgcap_config),
			(size_t)_IOC_SIZE(SGCAP_IOC_CONFIGURE));
	KUNIT_EXPECT_EQ(test, sizeof(struct sgcap_dequeue),
			(size_t)_IOC_SIZE(SGCAP_IOC_DEQUEUE));
}

static struct kunit_case sgcap_uapi_cases[] = {
	KUNIT_CASE(sgcap_uapi_config_size),
	KUNIT_CASE(sgcap_uapi_config_good),
	KUNIT_CASE(sgcap_uapi_config_bad),
	KUNIT_CASE(sgcap_uapi_dequeue),
	KUNIT_CASE(sgcap_uapi_layout),
	{}
};

static struct kunit_suite sgcap_uapi_suite = {
	.name = "sgcap_uapi",
	.test_cases = sgcap_uapi_cases,
};

kunit_test_suite(sgcap_uapi_suite);
