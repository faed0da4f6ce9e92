// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of libsgcap: everything that needs no card. Captures are
 * stood in for by memfds (mappable like a dma-buf; DMA_BUF_IOCTL_SYNC is
 * skipped for them), so mapping, verification and the accessors run for
 * real. The pattern and CRC32C are checked against independent bitwise
 * reference code here, not only against sgcap_pp.c.
 *
 * Prints "ok N - ..." / "not ok N - ..." per check and, last,
 * "N passed, N failed".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <sgcap.h>

#define SEQ_MUL		0x9e3779b97f4a7c15ULL
#define WORD_MUL	0xd1b54a32d192ed03ULL
#define NR_SEQS		6

static unsigned int passed, failed;

static void check(int ok, const char *what)
{
	if (ok)
		passed++;
	else
		failed++;
	printf("%sok %u - %s\n", ok ? "" : "not ", passed + failed, what);
}

/* Reference CRC32C, bit by bit (Castagnoli, reflected, ~0 in and out). */
static __u32 ref_crc32c(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	__u32 crc = ~0U;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78U & -(crc & 1));
	}
	return ~crc;
}

/* Reference byte of the pattern: byte @off of capture @seq. */
static unsigned char ref_byte(__u64 seq, __u64 off)
{
	__u64 w = seq * SEQ_MUL + (off / 8) * WORD_MUL;

	return (unsigned char)(w >> (8 * (off % 8)));
}

static void ref_pattern(unsigned char *p, size_t len, __u64 seq, int swap)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = ref_byte(seq, i);
	for (i = 0; swap && i + 1 < len; i += 2) {
		unsigned char t = p[i];

		p[i] = p[i + 1];
		p[i + 1] = t;
	}
}

/* A memfd holding @len bytes of @data. */
static int memfd_with(const void *data, size_t len)
{
	int fd = memfd_create("sgcap-test", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return fd;
}

static void meta_init(struct sgcap_dequeue *m, __u64 seq, __u64 len,
		      __u32 crc)
{
	memset(m, 0, sizeof(*m));
	m->sequence = seq;
	m->bytes_used = len;
	m->crc32c = crc;
	m->timestamp_ns = 123456789;
	m->chunk_count = 80;
	m->buffer_index = 5;
}

static void test_names(void)
{
	struct sgcap_config cfg;

	check(!strcmp(sgcap_transform_name(SGCAP_TRANSFORM_NONE), "none") &&
	      !strcmp(sgcap_transform_name(SGCAP_TRANSFORM_SWAP16), "swap16"),
	      "transform names");
	check(sgcap_transform_from_name("swap16") == SGCAP_TRANSFORM_SWAP16 &&
	      sgcap_transform_from_name("none") == SGCAP_TRANSFORM_NONE,
	      "transform names parse");
	errno = 0;
	check(sgcap_transform_from_name("bogus") == -1 && errno == EINVAL,
	      "unknown transform name: -1, EINVAL");
	check(!strcmp(sgcap_library_version(), SGCAP_LIB_VERSION),
	      "library version");
	check(!strcmp(sgcap_backend_name(SGCAP_BACKEND_SIM), "simulated card"),
	      "backend name");
	sgcap_config_init(&cfg);
	check(cfg.size == sizeof(cfg) && cfg.buffer_count == 8 &&
	      cfg.chunk_order == 1 && cfg.buffer_size == 655360 &&
	      cfg.transform == SGCAP_TRANSFORM_NONE && !cfg.rate &&
	      !cfg.flags && !cfg.reserved[0] && !cfg.reserved[3],
	      "sgcap_config_init: 8 x 640 KiB, order 1, no transform, rate 0");
}

static void test_open(void)
{
	errno = 0;
	check(!sgcap_card_open("/nonexistent/sgcap0") && errno == ENOENT,
	      "sgcap_card_open of a missing node: NULL, ENOENT");
	errno = 0;
	check(!sgcap_card_open("/dev/null") && errno == ENOTTY,
	      "sgcap_card_open of /dev/null: NULL, ENOTTY (not a card)");
}

static void test_pattern(void)
{
	static const __u64 seqs[NR_SEQS] = {
		0, 1, 2, 12345, (1ULL << 40) + 7, ~0ULL
	};
	unsigned char want[4099], got[4099];
	unsigned int i, ok_id = 1, ok_gen = 1;
	__u64 seq;

	for (i = 0; i < NR_SEQS; i++) {
		ref_pattern(want, sizeof(want), seqs[i], 0);
		sgcap_pattern_generate(got, sizeof(got), seqs[i],
				       SGCAP_TRANSFORM_NONE);
		ok_gen &= !memcmp(want, got, sizeof(got));
		ok_id &= !sgcap_pattern_identify(got, sizeof(got),
						 SGCAP_TRANSFORM_NONE, &seq) &&
			 seq == seqs[i];
		ref_pattern(want, sizeof(want), seqs[i], 1);
		sgcap_pattern_generate(got, sizeof(got), seqs[i],
				       SGCAP_TRANSFORM_SWAP16);
		ok_gen &= !memcmp(want, got, sizeof(got));
		ok_id &= !sgcap_pattern_identify(got, sizeof(got),
						 SGCAP_TRANSFORM_SWAP16, &seq) &&
			 seq == seqs[i];
	}
	check(ok_gen, "pattern matches the reference, odd length, both transforms");
	check(ok_id, "sgcap_pattern_identify finds the sequence from word 0");
	errno = 0;
	check(sgcap_pattern_identify(got, 7, 0, &seq) == -1 && errno == EINVAL,
	      "sgcap_pattern_identify needs 8 bytes");
}

static void test_verify_buffer(void)
{
	size_t len = 100001;	/* partial last word, odd last byte */
	unsigned char *buf = malloc(len);
	struct sgcap_verify res;

	if (!buf) {
		check(0, "malloc");
		return;
	}
	ref_pattern(buf, len, 77, 0);
	check(!sgcap_verify_buffer(buf, len, 77, SGCAP_TRANSFORM_NONE, &res) &&
	      !res.problems && !res.mismatches && res.checked == len &&
	      res.first_bad == ~0ULL && res.crc32c == ref_crc32c(buf, len),
	      "intact buffer verifies; CRC32C equals the reference");
	check(sgcap_verify_buffer(buf, len, 78, SGCAP_TRANSFORM_NONE, &res) &&
	      errno == EBADMSG && res.mismatches > len / 2,
	      "wrong sequence: EBADMSG, most bytes off");
	buf[4097] ^= 0x10;
	errno = 0;
	check(sgcap_verify_buffer(buf, len, 77, SGCAP_TRANSFORM_NONE, &res) &&
	      errno == EBADMSG && res.mismatches == 1 &&
	      res.first_bad == 4097 && res.problems == SGCAP_VERIFY_PATTERN,
	      "one flipped byte: 1 mismatch at its offset");
	ref_pattern(buf, len, 77, 1);
	check(!sgcap_verify_buffer(buf, len, 77, SGCAP_TRANSFORM_SWAP16, &res),
	      "swapped buffer verifies with SWAP16 (trailing odd byte kept)");
	check(sgcap_verify_buffer(buf, len, 77, SGCAP_TRANSFORM_NONE, &res) &&
	      errno == EBADMSG,
	      "swapped buffer does not verify without the transform");
	buf[len - 1] ^= 1;
	check(sgcap_verify_buffer(buf, len, 77, SGCAP_TRANSFORM_SWAP16, &res) &&
	      res.mismatches == 1 && res.first_bad == len - 1,
	      "last (odd, unswapped) byte is checked");
	free(buf);
	sgcap_verify_buffer("123456789", 9, 0, 0, &res);
	check(res.crc32c == 0xe3069283 && res.checked == 9,
	      "CRC32C(\"123456789\") == 0xe3069283");
}

static void test_capture_fd(void)
{
	size_t len = 65536 + 24;
	unsigned char *buf = malloc(len);
	struct sgcap_dequeue meta, got;
	struct sgcap_capture *cap;
	struct sgcap_verify res;
	const void *p1, *p2;
	int fd;

	if (!buf) {
		check(0, "malloc");
		return;
	}
	ref_pattern(buf, len, 9, 0);
	errno = 0;
	meta_init(&meta, 9, len, ref_crc32c(buf, len));
	check(!sgcap_capture_from_fd(-1, &meta, 0, 0) && errno == EBADF,
	      "sgcap_capture_from_fd(-1): NULL, EBADF");

	fd = memfd_with(buf, len);
	cap = sgcap_capture_from_fd(fd, &meta, SGCAP_TRANSFORM_NONE,
				    SGCAP_FEAT_CRC32C | SGCAP_FEAT_PATTERN);
	check(cap && sgcap_capture_fd(cap) == fd, "capture from a memfd");
	if (!cap)
		goto out_free;
	sgcap_capture_get_meta(cap, &got);
	check(sgcap_capture_sequence(cap) == 9 &&
	      sgcap_capture_bytes_used(cap) == len &&
	      sgcap_capture_timestamp_ns(cap) == 123456789 &&
	      sgcap_capture_chunk_count(cap) == 80 &&
	      sgcap_capture_buffer_index(cap) == 5 &&
	      sgcap_capture_crc32c(cap) == meta.crc32c &&
	      !sgcap_capture_mismatches(cap) && !sgcap_capture_flags(cap) &&
	      got.fd == (__u32)fd && got.sequence == 9,
	      "accessors return the metadata");
	check(sgcap_capture_size(cap) == (__s64)len, "size of the fd");
	p1 = sgcap_capture_map(cap);
	p2 = sgcap_capture_map(cap);
	check(p1 && p1 == p2 && !memcmp(p1, buf, len),
	      "map: the bytes, same address when mapped twice");
	check(!sgcap_capture_verify(cap, &res) && !res.problems &&
	      res.crc32c == meta.crc32c && sgcap_capture_map(cap) == p1,
	      "verify of an intact capture; a mapping made by the caller stays");
	check(!sgcap_capture_unmap(cap) && !sgcap_capture_unmap(cap),
	      "unmap, twice");
	check(!sgcap_capture_verify(cap, &res), "verify maps by itself");
	sgcap_capture_release(cap);
	check(fcntl(fd, F_GETFD) == -1 && errno == EBADF,
	      "release closes the fd");

	/* Each problem the verifier reports, one at a time. */
	meta_init(&meta, 9, len, ref_crc32c(buf, len) ^ 1);
	cap = sgcap_capture_from_fd(memfd_with(buf, len), &meta, 0,
				    SGCAP_FEAT_CRC32C | SGCAP_FEAT_PATTERN);
	check(cap && sgcap_capture_verify(cap, &res) && errno == EBADMSG &&
	      res.problems == SGCAP_VERIFY_CRC,
	      "a CRC32C that differs from the card's: SGCAP_VERIFY_CRC");
	sgcap_capture_release(cap);

	meta_init(&meta, 9, len, ref_crc32c(buf, len));
	meta.pattern_mismatches = 3;
	cap = sgcap_capture_from_fd(memfd_with(buf, len), &meta, 0,
				    SGCAP_FEAT_CRC32C | SGCAP_FEAT_PATTERN);
	check(cap && sgcap_capture_verify(cap, &res) &&
	      res.problems == SGCAP_VERIFY_KERNEL_PATTERN,
	      "driver-counted mismatches: SGCAP_VERIFY_KERNEL_PATTERN");
	sgcap_capture_release(cap);

	meta_init(&meta, 9, len, ref_crc32c(buf, len));
	meta.capture_flags = SGCAP_CAPTURE_ERROR;
	cap = sgcap_capture_from_fd(memfd_with(buf, len), &meta, 0,
				    SGCAP_FEAT_CRC32C | SGCAP_FEAT_PATTERN);
	check(cap && sgcap_capture_verify(cap, &res) &&
	      res.problems == SGCAP_VERIFY_CARD_ERROR &&
	      sgcap_capture_flags(cap) == SGCAP_CAPTURE_ERROR,
	      "SGCAP_CAPTURE_ERROR: SGCAP_VERIFY_CARD_ERROR");
	sgcap_capture_release(cap);

	meta_init(&meta, 9, len + 8, ref_crc32c(buf, len));
	cap = sgcap_capture_from_fd(memfd_with(buf, len), &meta, 0,
				    SGCAP_FEAT_PATTERN);
	check(cap && sgcap_capture_verify(cap, &res) &&
	      res.problems == SGCAP_VERIFY_SHORT && res.checked == len,
	      "bytes_used beyond the buffer: SGCAP_VERIFY_SHORT");
	sgcap_capture_release(cap);

	buf[100] ^= 0xff;
	meta_init(&meta, 9, len, ref_crc32c(buf, len));
	cap = sgcap_capture_from_fd(memfd_with(buf, len), &meta, 0,
				    SGCAP_FEAT_CRC32C | SGCAP_FEAT_PATTERN);
	check(cap && sgcap_capture_verify(cap, &res) &&
	      res.problems == SGCAP_VERIFY_PATTERN && res.mismatches == 1 &&
	      res.first_bad == 100,
	      "a corrupt byte the card's CRC covers: SGCAP_VERIFY_PATTERN");
	sgcap_capture_release(cap);

	cap = sgcap_capture_from_fd(memfd_with(buf, len), &meta, 0,
				    SGCAP_FEAT_CRC32C);
	check(cap && !sgcap_capture_verify(cap, &res),
	      "without SGCAP_FEAT_PATTERN the pattern is not checked");
	sgcap_capture_release(cap);

	ref_pattern(buf, len, 10, 1);
	meta_init(&meta, 10, len, ref_crc32c(buf, len));
	cap = sgcap_capture_from_fd(memfd_with(buf, len), &meta,
				    SGCAP_TRANSFORM_SWAP16,
				    SGCAP_FEAT_CRC32C | SGCAP_FEAT_PATTERN);
	check(cap && !sgcap_capture_verify(cap, &res) &&
	      sgcap_capture_transform(cap) == SGCAP_TRANSFORM_SWAP16,
	      "SWAP16 capture: CRC over the swapped bytes, pattern before");
	sgcap_capture_release(cap);
	sgcap_capture_release(NULL);
out_free:
	free(buf);
}

int main(void)
{
	test_names();
	test_open();
	test_pattern();
	test_verify_buffer();
	test_capture_fd();
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
