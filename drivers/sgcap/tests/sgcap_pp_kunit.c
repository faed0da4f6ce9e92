// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the pattern of the simulated card and the postprocessing pass
 * (sgcap_pp.c) against naive models written from the definitions in
 * Documentation/userspace-api/sgcap.rst: word i of capture S is
 * S * 0x9E3779B97F4A7C15 + i * 0xD1B54A32D192ED03, CRC32C is bitwise
 * Castagnoli, SWAP16 swaps the bytes of each 16-bit word. Both CRC paths
 * (crc32 instruction, slice-by-8 tables) are compared, at the lengths where
 * the pass changes strategy (partial words, the three-stream split) and at
 * every misalignment of the buffer.
 */
#include <kunit/test.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>

#include "sgcap_pp.h"

#define SGCAP_PP_TEST_MAX	(SZ_512K + SZ_128K)

static const size_t sgcap_pp_test_lens[] = {
	0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255,
	4095, 4096, 4097, 8191, 8192, 8193, 8200, 12289, 65536 + 5,
	SGCAP_PP_TEST_MAX,
};

/* Deterministic data: the tests must fail the same way every run. */
static u64 sgcap_pp_test_rand(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

static u32 sgcap_pp_model_crc(const u8 *p, size_t len)
{
	u32 crc = ~0U;
	unsigned int bit;

	while (len--) {
		crc ^= *p++;
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0x82f63b78U & -(crc & 1));
	}
	return ~crc;
}

static u8 sgcap_pp_model_byte(u64 seq, u64 off)
{
	u64 word = seq * 0x9e3779b97f4a7c15ULL +
		   (off / 8) * 0xd1b54a32d192ed03ULL;

	return word >> (8 * (off % 8));
}

KUNIT_DEFINE_ACTION_WRAPPER(sgcap_pp_test_vfree, vfree, const void *);

/* A zeroed buffer of @len bytes plus 8 of slack, freed with the test. */
static u8 *sgcap_pp_test_buf(struct kunit *test, size_t len)
{
	u8 *p = vzalloc(len + 8);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, sgcap_pp_test_vfree, p));
	return p;
}

static void sgcap_pp_crc_check_value(struct kunit *test)
{
	static const char check[] = "123456789";

	KUNIT_EXPECT_EQ(test, 0xe3069283U, ~sgcap_crc32c(~0U, check, 9));
	KUNIT_EXPECT_EQ(test, 0xe3069283U, ~sgcap_crc32c_sw(~0U, check, 9));
	KUNIT_EXPECT_EQ(test, 0xe3069283U,
			sgcap_pp_model_crc((const u8 *)check, 9));
	/* The empty buffer. */
	KUNIT_EXPECT_EQ(test, 0U, ~sgcap_crc32c(~0U, check, 0));
}

static void sgcap_pp_crc_paths(struct kunit *test)
{
	u8 *buf = sgcap_pp_test_buf(test, SGCAP_PP_TEST_MAX + 8);
	u64 state = 0x5eed5eed5eed5eedULL;
	unsigned int i, align;
	size_t n;

	for (n = 0; n < SGCAP_PP_TEST_MAX + 8; n++)
		buf[n] = sgcap_pp_test_rand(&state);

	for (i = 0; i < ARRAY_SIZE(sgcap_pp_test_lens); i++) {
		size_t len = sgcap_pp_test_lens[i];

		for (align = 0; align < 8; align++) {
			const u8 *p = buf + align;
			u32 want = sgcap_pp_model_crc(p, len);

			KUNIT_ASSERT_EQ_MSG(test, want, ~sgcap_crc32c(~0U, p, len),
					    "len %zu align %u", len, align);
			KUNIT_ASSERT_EQ_MSG(test, want,
					    ~sgcap_crc32c_sw(~0U, p, len),
					    "tables, len %zu align %u", len, align);
			/* The model is slow: one alignment of the big ones. */
			if (len > SZ_64K)
				break;
		}
	}

	/* A raw CRC continues where it stopped. */
	KUNIT_EXPECT_EQ(test, sgcap_crc32c(~0U, buf, 20000),
			sgcap_crc32c(sgcap_crc32c(~0U, buf, 8193), buf + 8193,
				     20000 - 8193));
}

static void sgcap_pp_pattern(struct kunit *test)
{
	u8 *whole = sgcap_pp_test_buf(test, SZ_64K);
	u8 *part = sgcap_pp_test_buf(test, SZ_64K);
	u64 state = 1, seq;
	unsigned int i;
	size_t n;

	for (seq = 0; seq < 3; seq++) {
		u64 s = seq == 2 ? U64_MAX : seq;

		sgcap_pattern_fill(whole, 0, SZ_64K, s);
		for (n = 0; n < SZ_64K; n++)
			KUNIT_ASSERT_EQ_MSG(test, sgcap_pp_model_byte(s, n),
					    whole[n], "seq %llu byte %zu", s, n);
	}

	/* Any piece at any offset is the same bytes as the whole. */
	sgcap_pattern_fill(whole, 0, SZ_64K, 77);
	for (i = 0; i < 200; i++) {
		u64 off = sgcap_pp_test_rand(&state) % SZ_64K;
		size_t len = sgcap_pp_test_rand(&state) % (SZ_64K - off + 1);

		memset(part, 0xa5, len + 8);
		sgcap_pattern_fill(part, off, len, 77);
		KUNIT_ASSERT_EQ_MSG(test, 0, memcmp(part, whole + off, len),
				    "offset %llu len %zu", off, len);
		/* Not a byte more. */
		KUNIT_ASSERT_EQ(test, 0xa5, part[len]);
	}
}

typedef void (*sgcap_pp_run_fn)(void *buf, size_t len, u64 seq,
				unsigned int transform, bool check_pattern,
				struct sgcap_pp_result *res);

struct sgcap_pp_param {
	const char *name;
	sgcap_pp_run_fn run;
	unsigned int transform;
	bool check;
};

static const struct sgcap_pp_param sgcap_pp_params[] = {
	{ "run,none,check", sgcap_pp_run, SGCAP_TRANSFORM_NONE, true },
	{ "run,swap16,check", sgcap_pp_run, SGCAP_TRANSFORM_SWAP16, true },
	{ "run,none", sgcap_pp_run, SGCAP_TRANSFORM_NONE, false },
	{ "run,swap16", sgcap_pp_run, SGCAP_TRANSFORM_SWAP16, false },
	{ "tables,none,check", sgcap_pp_run_sw, SGCAP_TRANSFORM_NONE, true },
	{ "tables,swap16,check", sgcap_pp_run_sw, SGCAP_TRANSFORM_SWAP16, true },
	{ "tables,swap16", sgcap_pp_run_sw, SGCAP_TRANSFORM_SWAP16, false },
};

static void sgcap_pp_param_desc(const struct sgcap_pp_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sgcap_pp, sgcap_pp_params, sgcap_pp_param_desc);

/* The bytes userspace must see: the capture after the transform. */
static void sgcap_pp_model_capture(u8 *dst, const u8 *src, size_t len,
				   unsigned int transform)
{
	size_t n;

	memcpy(dst, src, len);
	if (transform != SGCAP_TRANSFORM_SWAP16)
		return;
	for (n = 0; n + 1 < len; n += 2) {
		dst[n] = src[n + 1];
		dst[n + 1] = src[n];
	}
}

/*
 * One pass over @len bytes of capture @seq at misalignment @align, with
 * @corrupt bytes changed first: the result must match the model.
 */
static void sgcap_pp_check_one(struct kunit *test,
			       const struct sgcap_pp_param *p, u8 *buf,
			       u8 *want, size_t len, unsigned int align,
			       u64 seq, unsigned int corrupt, u64 *state)
{
	struct sgcap_pp_result res;
	u8 *cap = buf + align;
	unsigned int i, changed = 0;

	sgcap_pattern_fill(cap, 0, len, seq);
	for (i = 0; i < corrupt && len; i++) {
		size_t off = sgcap_pp_test_rand(state) % len;

		/* Count each byte once, however often it is hit. */
		if (cap[off] == sgcap_pp_model_byte(seq, off))
			changed++;
		cap[off] = ~sgcap_pp_model_byte(seq, off);
	}
	sgcap_pp_model_capture(want, cap, len, p->transform);

	memset(&res, 0xff, sizeof(res));
	p->run(cap, len, seq, p->transform, p->check, &res);
	KUNIT_ASSERT_EQ_MSG(test, 0, memcmp(cap, want, len),
			    "len %zu align %u: bytes after the pass", len, align);
	KUNIT_ASSERT_EQ_MSG(test, sgcap_pp_model_crc(want, len), res.crc32c,
			    "len %zu align %u", len, align);
	KUNIT_ASSERT_EQ_MSG(test, p->check ? changed : 0, res.mismatches,
			    "len %zu align %u corrupt %u", len, align, corrupt);
	KUNIT_ASSERT_EQ(test, 0U, res.pad);
}

static void sgcap_pp_pass(struct kunit *test)
{
	const struct sgcap_pp_param *p = test->param_value;
	u8 *buf = sgcap_pp_test_buf(test, SGCAP_PP_TEST_MAX + 8);
	u8 *want = sgcap_pp_test_buf(test, SGCAP_PP_TEST_MAX);
	u64 state = 0xc0ffee;
	unsigned int i, align;

	for (i = 0; i < ARRAY_SIZE(sgcap_pp_test_lens); i++) {
		size_t len = sgcap_pp_test_lens[i];

		for (align = 0; align < 8; align += len > SZ_64K ? 8 : 3) {
			sgcap_pp_check_one(test, p, buf, want, len, align,
					   i * 1000 + align, 0, &state);
			sgcap_pp_check_one(test, p, buf, want, len, align,
					   i * 1000 + align + 1, 5, &state);
		}
	}
	/* Every byte wrong. */
	sgcap_pattern_fill(buf, 0, 4096, 1);
	sgcap_pp_check_one(test, p, buf, want, 4096, 0, 2, 0, &state);
}

/* Every byte of a capture that is not the pattern of its sequence counts. */
static void sgcap_pp_wrong_sequence(struct kunit *test)
{
	u8 *buf = sgcap_pp_test_buf(test, SZ_64K);
	struct sgcap_pp_result res;
	u64 ref, n, same = 0;

	sgcap_pattern_fill(buf, 0, SZ_64K, 1);
	for (n = 0; n < SZ_64K; n++)
		same += sgcap_pp_model_byte(2, n) == buf[n];
	sgcap_pp_run(buf, SZ_64K, 2, SGCAP_TRANSFORM_NONE, true, &res);
	ref = SZ_64K - same;
	KUNIT_EXPECT_EQ(test, ref, res.mismatches);
}

static struct kunit_case sgcap_pp_cases[] = {
	KUNIT_CASE(sgcap_pp_crc_check_value),
	KUNIT_CASE(sgcap_pp_crc_paths),
	KUNIT_CASE(sgcap_pp_pattern),
	KUNIT_CASE_PARAM(sgcap_pp_pass, sgcap_pp_gen_params),
	KUNIT_CASE(sgcap_pp_wrong_sequence),
	{}
};

static struct kunit_suite sgcap_pp_suite = {
	.name = "sgcap_pp",
	.test_cases = sgcap_pp_cases,
};

kunit_test_suite(sgcap_pp_suite);
