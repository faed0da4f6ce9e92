/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * sgcap postprocessing: the pattern of the simulated card, the SWAP16
 * transform and CRC32C, fused into one pass over a capture buffer.
 *
 * The same source is built into the kernel module (over a buffer's vmap),
 * into the userspace verifiers and natively for the host benchmark, so it
 * needs nothing but fixed-width types. Like lib/raid6, a small shim below
 * supplies them outside the kernel.
 */
#ifndef _SGCAP_PP_H
#define _SGCAP_PP_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
/*
 * Not for its functions: the C library's sys/cdefs.h, which it pulls in,
 * makes __always_inline force inlining as in the kernel, where the uapi
 * <linux/stddef.h> alone only defines it as a hint.
 */
#include <string.h>

/* The kernel's names for the uapi types: the same types as in the kernel. */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
#endif

/* SGCAP_TRANSFORM_* values for sgcap_pp_run(). */
#include <linux/sgcap.h>

/*
 * The simulated card's pattern: capture @seq is a stream of little-endian
 * 64-bit words, word i = seq * SGCAP_PATTERN_SEQ_MUL + i * SGCAP_PATTERN_WORD_MUL
 * (mod 2^64); a trailing partial word is the leading bytes of that word.
 */
#define SGCAP_PATTERN_SEQ_MUL	0x9e3779b97f4a7c15ULL
#define SGCAP_PATTERN_WORD_MUL	0xd1b54a32d192ed03ULL

/**
 * struct sgcap_pp_result - outcome of sgcap_pp_run()
 * @crc32c: CRC32C (seed ~0, final xor ~0) of the buffer after the transform
 * @pad: zero
 * @mismatches: bytes that differ from the pattern, before the transform;
 *	zero when the pattern was not checked
 */
struct sgcap_pp_result {
	u32 crc32c;
	u32 pad;
	u64 mismatches;
};

void sgcap_pp_run(void *buf, size_t len, u64 seq, unsigned int transform,
		  bool check_pattern, struct sgcap_pp_result *res);
void sgcap_pattern_fill(void *dst, u64 offset, size_t len, u64 seq);
u32 sgcap_crc32c(u32 crc, const void *buf, size_t len);
u32 sgcap_crc32c_sw(u32 crc, const void *buf, size_t len);

/*
 * Test and benchmark hook (the KUnit suite and the host tests): sgcap_pp_run()
 * on the table CRC path, which CPUs with a crc32 instruction never take.
 */
void sgcap_pp_run_sw(void *buf, size_t len, u64 seq, unsigned int transform,
		     bool check_pattern, struct sgcap_pp_result *res);

#endif /* _SGCAP_PP_H */
