// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of drivers/sgcap/sgcap_pp.c: known answers and naive
 * reference implementations for the CRC32C, the pattern, the fused pass and
 * SWAP16, on both the crc32 instruction path and the table path.
 *
 * Built and run by `make host-tests` (userspace/Makefile).
 * Exits non-zero if any check fails; the last line is "N passed, N failed".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sgcap_pp.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static unsigned int passed, failed;

#define CHECK(cond, ...)						\
	do {								\
		if (cond) {						\
			passed++;					\
		} else {						\
			failed++;					\
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__,	\
			       #cond);					\
			printf(__VA_ARGS__);				\
			printf("\n");					\
		}							\
	} while (0)

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, good enough for test data */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void fill_random(uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = rng() >> 56;
}

/* Bit at a time, straight from the definition (reflected 0x1EDC6F41). */
static uint32_t ref_crc32c(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & -(crc & 1));
	}
	return crc;
}

static uint8_t ref_pattern_byte(uint64_t seq, uint64_t pos)
{
	uint64_t w = seq * 0x9E3779B97F4A7C15ULL + (pos / 8) * 0xD1B54A32D192ED03ULL;

	return w >> (8 * (pos % 8));
}

static void ref_pattern(uint8_t *p, uint64_t offset, size_t len, uint64_t seq)
{
	for (size_t i = 0; i < len; i++)
		p[i] = ref_pattern_byte(seq, offset + i);
}

static void ref_swap16(uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2) {
		uint8_t t = p[i];

		p[i] = p[i + 1];
		p[i + 1] = t;
	}
}

typedef void (*pp_fn)(void *, size_t, u64, unsigned int, bool,
		      struct sgcap_pp_result *);

static const struct {
	const char *name;
	pp_fn run;
} pp_paths[] = {
	{ "default", sgcap_pp_run },
	{ "table", sgcap_pp_run_sw },
};

typedef u32 (*crc_fn)(u32, const void *, size_t);

static const struct {
	const char *name;
	crc_fn crc;
} crc_paths[] = {
	{ "default", sgcap_crc32c },
	{ "table", sgcap_crc32c_sw },
};

/*
 * Lengths around the internal thresholds (one CRC chain below 8 KiB, three
 * streams walked in chunks of 4 KiB each above), odd tails and the
 * default capture.
 */
static const size_t pp_lens[] = {
	0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 1023, 1024, 4095, 4096, 4097,
	8191, 8192, 8193, 8200, 8207, 8209, 8215, 12288, 12295, 12296, 12305,
	24576 + 3, 24576 + 24, 65536, 65537, 100001, 655360 - 1, 655360,
	655360 + 5,
};

static void test_crc_kat(void)
{
	static const char msg[] = "123456789";

	for (size_t p = 0; p < ARRAY_SIZE(crc_paths); p++) {
		u32 c = ~crc_paths[p].crc(~0U, msg, 9);

		CHECK(c == 0xe3069283, "%s crc32c(\"123456789\") = %08x",
		      crc_paths[p].name, c);
	}
	CHECK((~ref_crc32c(~0U, (const uint8_t *)msg, 9)) == 0xe3069283,
	      "reference broken");
	/* 32 zero bytes, RFC 3720 B.4 */
	{
		uint8_t z[32] = { 0 };
		uint8_t f[32];

		memset(f, 0xff, sizeof(f));
		for (size_t p = 0; p < ARRAY_SIZE(crc_paths); p++) {
			CHECK(~crc_paths[p].crc(~0U, z, 32) == 0x8a9136aa,
			      "%s zeros", crc_paths[p].name);
			CHECK(~crc_paths[p].crc(~0U, f, 32) == 0x62a8ab43,
			      "%s ones", crc_paths[p].name);
		}
	}
}

static void test_crc_lengths(void)
{
	static const size_t lens[] = {
		0, 1, 7, 8, 9, 4095, 4096, 65537,
		/* around the three-stream split */
		8191, 8192, 8193, 8200, 12296, 12305, 3 * 6144 + 13, 655360,
	};
	size_t max = 655360 + 16;
	uint8_t *buf = malloc(max);

	if (!buf)
		exit(2);
	fill_random(buf, max);
	for (size_t l = 0; l < ARRAY_SIZE(lens); l++) {
		for (size_t mis = 0; mis < 8; mis += (lens[l] > 70000 ? 3 : 1)) {
			u32 seed = rng();
			u32 want = ref_crc32c(seed, buf + mis, lens[l]);

			for (size_t p = 0; p < ARRAY_SIZE(crc_paths); p++) {
				u32 got = crc_paths[p].crc(seed, buf + mis,
							   lens[l]);

				CHECK(got == want,
				      "%s len %zu misalign %zu: %08x != %08x",
				      crc_paths[p].name, lens[l], mis, got,
				      want);
			}
		}
	}
	free(buf);
}

/* Split updates chain like one call, and both paths agree on random data. */
static void test_crc_chain_and_paths(void)
{
	size_t len = 3 * 65536 + 77;
	uint8_t *buf = malloc(len);
	u32 whole, parts;

	if (!buf)
		exit(2);
	fill_random(buf, len);
	whole = sgcap_crc32c(~0U, buf, len);
	for (int round = 0; round < 20; round++) {
		size_t a = rng() % len, b = rng() % len;

		if (a > b) {
			size_t t = a;

			a = b;
			b = t;
		}
		parts = sgcap_crc32c(~0U, buf, a);
		parts = sgcap_crc32c_sw(parts, buf + a, b - a);
		parts = sgcap_crc32c(parts, buf + b, len - b);
		CHECK(parts == whole, "split %zu/%zu: %08x != %08x", a, b,
		      parts, whole);
	}
	for (int round = 0; round < 200; round++) {
		size_t off = rng() % len;
		size_t n = rng() % (len - off + 1);
		u32 seed = rng();

		CHECK(sgcap_crc32c(seed, buf + off, n) ==
		      sgcap_crc32c_sw(seed, buf + off, n),
		      "hw/sw differ at %zu+%zu", off, n);
	}
	free(buf);
}

static void test_fill(void)
{
	uint8_t want[200], got[216];

	/* every offset 0..23 and length 0..100, at every dst alignment */
	for (uint64_t off = 0; off < 24; off++) {
		for (size_t len = 0; len <= 100; len++) {
			size_t mis = (off + len) % 8;
			uint64_t seq = off * 1000 + len;
			uint64_t o = off + (len & 1 ? 0xfffffff8ULL : 0);

			memset(got, 0x5a, sizeof(got));
			ref_pattern(want, o, len, seq);
			sgcap_pattern_fill(got + mis, o, len, seq);
			CHECK(!memcmp(got + mis, want, len),
			      "fill off %" PRIu64 " len %zu", o, len);
			CHECK(got[mis + len] == 0x5a && (!mis || got[mis - 1] == 0x5a),
			      "fill off %" PRIu64 " len %zu overran", o, len);
		}
	}
	/* a large piece at an odd offset, and chunk by chunk == in one go */
	{
		size_t len = 655360;
		uint8_t *a = malloc(len), *b = malloc(len);
		size_t pos = 0;
		int ok = 1;

		if (!a || !b)
			exit(2);
		ref_pattern(a, 12345, len, 7);
		sgcap_pattern_fill(b, 12345, len, 7);
		CHECK(!memcmp(a, b, len), "large fill");
		memset(b, 0, len);
		while (pos < len) {
			size_t n = rng() % 9000;

			if (n > len - pos)
				n = len - pos;
			sgcap_pattern_fill(b + pos, 12345 + pos, n, 7);
			pos += n;
		}
		ok = !memcmp(a, b, len);
		CHECK(ok, "chunked fill");
		free(a);
		free(b);
	}
}

/*
 * Flip @k (<= 8, <= @len) distinct bytes of @b: the last and the first
 * byte, the starts of the middle and last thirds (where the three CRC
 * streams begin), the middle, then anywhere.
 */
static void corrupt(uint8_t *b, size_t len, size_t k)
{
	size_t edges[5] = { len - 1, 0, len / 3, 2 * len / 3 + 1, len / 2 };
	size_t done[8];

	for (size_t j = 0; j < k; j++) {
		size_t pos;
		int dup;

		do {
			pos = j < 5 ? edges[j] % len : rng() % len;
			if (j < 5)	/* a duplicate retries anywhere */
				edges[j] = rng();
			dup = 0;
			for (size_t m = 0; m < j; m++)
				dup |= done[m] == pos;
		} while (dup);
		done[j] = pos;
		b[pos] ^= 1 + rng() % 255;
	}
}

/* One length, path and transform: intact, corrupted, unchecked, wrong sequence. */
static void pp_case(size_t path, uint8_t *b, uint8_t *ref, size_t len,
		    uint64_t seq, unsigned int tr, size_t k)
{
	const char *name = pp_paths[path].name;
	pp_fn run = pp_paths[path].run;
	struct sgcap_pp_result res;
	uint64_t want;

	sgcap_pattern_fill(b, 0, len, seq);
	memcpy(ref, b, len);
	if (tr)
		ref_swap16(ref, len);
	memset(&res, 0xee, sizeof(res));
	run(b, len, seq, tr, true, &res);
	CHECK(res.mismatches == 0 && res.pad == 0,
	      "%s len %zu tr %u: %" PRIu64 " mismatches", name, len, tr,
	      (uint64_t)res.mismatches);
	CHECK(res.crc32c == ~ref_crc32c(~0U, ref, len),
	      "%s len %zu tr %u: crc", name, len, tr);
	CHECK(!memcmp(b, ref, len), "%s len %zu tr %u: data", name, len, tr);

	sgcap_pattern_fill(b, 0, len, seq);
	corrupt(b, len, k);
	memcpy(ref, b, len);
	if (tr)
		ref_swap16(ref, len);
	run(b, len, seq, tr, true, &res);
	CHECK(res.mismatches == k,
	      "%s len %zu tr %u: %" PRIu64 " mismatches, want %zu", name, len,
	      tr, (uint64_t)res.mismatches, k);
	CHECK(res.crc32c == ~ref_crc32c(~0U, ref, len),
	      "%s len %zu tr %u: corrupt crc", name, len, tr);
	CHECK(!memcmp(b, ref, len), "%s len %zu tr %u: corrupt data", name,
	      len, tr);

	/* no check: no count, same crc */
	memcpy(b, ref, len);
	run(b, len, seq, 0, false, &res);
	CHECK(res.mismatches == 0 && res.crc32c == ~ref_crc32c(~0U, ref, len),
	      "%s len %zu: unchecked", name, len);

	/* wrong sequence: count against the naive pattern */
	sgcap_pattern_fill(b, 0, len, seq);
	want = 0;
	for (size_t j = 0; j < len; j++)
		want += b[j] != ref_pattern_byte(seq + 1, j);
	run(b, len, seq + 1, tr, true, &res);
	CHECK(res.mismatches == want,
	      "%s len %zu tr %u: wrong seq %" PRIu64 " != %" PRIu64, name, len,
	      tr, (uint64_t)res.mismatches, want);
}

static void test_pp(void)
{
	size_t max = 655360 + 5 + 8;
	uint8_t *buf = malloc(max), *ref = malloc(max);

	if (!buf || !ref)
		exit(2);
	for (size_t li = 0; li < ARRAY_SIZE(pp_lens); li++) {
		size_t len = pp_lens[li];
		size_t k = len < 8 ? len : 1 + li % 8;

		for (size_t p = 0; p < ARRAY_SIZE(pp_paths); p++) {
			for (unsigned int tr = 0; tr < 2; tr++) {
				/* odd pointers too: buffers need no alignment */
				size_t mis = (li + tr) % 3 == 2 ? 3 : 0;

				pp_case(p, buf + mis, ref, len, 1000 + li, tr, k);
			}
		}
	}
	free(buf);
	free(ref);
}

/*
 * Buffers that start right after and end right before an inaccessible page:
 * the pass must not read outside the buffer, however it splits it.
 */
static void test_pp_guard_pages(void)
{
	/* 24k + 1 .. 24k + 8 bytes: the three streams end just before the tail */
	static const size_t lens[] = {
		1, 7, 8, 4097, 8192, 8199, 8209, 8210, 8215, 8216, 65536,
		65545, 655360, 655363,
	};
	size_t page = sysconf(_SC_PAGESIZE);

	for (size_t li = 0; li < ARRAY_SIZE(lens); li++) {
		size_t len = lens[li];
		size_t span = (len + page - 1) / page * page;
		uint8_t *map = mmap(NULL, span + 2 * page, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint8_t *ref = malloc(len);

		if (map == MAP_FAILED || !ref)
			exit(2);
		mprotect(map, page, PROT_NONE);
		mprotect(map + page + span, page, PROT_NONE);
		for (int at_end = 0; at_end < 2; at_end++) {
			uint8_t *b = map + page + (at_end ? span - len : 0);

			for (size_t p = 0; p < ARRAY_SIZE(pp_paths); p++) {
				for (unsigned int tr = 0; tr < 2; tr++) {
					struct sgcap_pp_result res;

					sgcap_pattern_fill(b, 0, len, li);
					memcpy(ref, b, len);
					if (tr)
						ref_swap16(ref, len);
					pp_paths[p].run(b, len, li, tr, true, &res);
					CHECK(res.mismatches == 0 &&
					      res.crc32c == ~ref_crc32c(~0U, ref, len) &&
					      !memcmp(b, ref, len),
					      "%s guard len %zu end %d tr %u",
					      pp_paths[p].name, len, at_end, tr);
				}
				CHECK(crc_paths[p].crc(0, b, len) == ref_crc32c(0, b, len),
				      "%s guard crc len %zu", crc_paths[p].name, len);
			}
		}
		munmap(map, span + 2 * page);
		free(ref);
	}
}

/* Both CRC paths of the fused pass agree on random (non-pattern) data. */
static void test_pp_paths_agree(void)
{
	size_t len = 655360 + 3;
	uint8_t *a = malloc(len), *b = malloc(len);
	struct sgcap_pp_result ra, rb;

	if (!a || !b)
		exit(2);
	for (unsigned int tr = 0; tr < 2; tr++) {
		fill_random(a, len);
		memcpy(b, a, len);
		sgcap_pp_run(a, len, 5, tr, true, &ra);
		sgcap_pp_run_sw(b, len, 5, tr, true, &rb);
		CHECK(ra.crc32c == rb.crc32c && ra.mismatches == rb.mismatches &&
		      !memcmp(a, b, len), "paths differ, transform %u", tr);
	}
	free(a);
	free(b);
}

int main(void)
{
#ifdef __x86_64__
	printf("crc32 instruction %savailable: default path is %s\n",
	       __builtin_cpu_supports("sse4.2") ? "" : "NOT ",
	       __builtin_cpu_supports("sse4.2") ? "hardware" : "table");
#endif
	test_crc_kat();
	test_crc_lengths();
	test_crc_chain_and_paths();
	test_fill();
	test_pp();
	test_pp_guard_pages();
	test_pp_paths_agree();
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
