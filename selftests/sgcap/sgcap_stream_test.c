// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap selftests: the capture stream of the default simulated card.
 *
 * pp_reference  the reference code (sgcap_pp.c) against the documented
 *               definitions of the pattern, CRC32C and SWAP16, coded here
 *               independently; runs without the driver
 * stream        every byte, CRC, sequence, timestamp and chunk count of 64
 *               captures, over chunk orders 0..2 and four buffer sizes, on a
 *               fresh card (SGT_SIM_ID_STREAM) per test
 * transform     SWAP16: transformed bytes, CRC over them, flag (card 0)
 * share         a capture passed to another process with SCM_RIGHTS (card 0)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "sgcap_harness.h"
#include "sgcap_util.h"

#define STREAM_CAPTURES		64U

/* ---- pp_reference: the verifier's own oracle ---------------------------- */

/* Bitwise CRC32C (reflected polynomial 0x82F63B78), written from the spec. */
static uint32_t ref_crc32c(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = 0xFFFFFFFF;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
	}
	return crc ^ 0xFFFFFFFF;
}

/* Byte @off of capture @seq, from the documented word formula. */
static uint8_t ref_byte(uint64_t seq, uint64_t off)
{
	uint64_t w = seq * 0x9E3779B97F4A7C15ULL +
		     (off / 8) * 0xD1B54A32D192ED03ULL;

	return (uint8_t)(w >> (8 * (off % 8)));
}

static void ref_fill(uint8_t *dst, uint64_t off, size_t len, uint64_t seq)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = ref_byte(seq, off + i);
}

TEST(pp_reference)
{
	static const uint64_t seqs[] = { 0, 1, 2, 12345, UINT64_MAX };
	static const uint64_t offs[] = { 0, 1, 7, 8, 4093, 655353 };
	const size_t len = 12345;	/* odd: trailing partial word, odd byte */
	uint8_t *a, *b;
	struct sgcap_pp_result res;
	uint32_t c1;
	size_t i, j;

	/* The CRC32C check value. */
	ASSERT_EQ(0xE3069283U, sgt_crc("123456789", 9));
	ASSERT_EQ(0xE3069283U, ref_crc32c("123456789", 9));

	a = malloc(len);
	b = malloc(len);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);

	/* Word 0 of capture 0 is 0; word 1 of capture 0 is the step. */
	sgcap_pattern_fill(a, 0, 16, 0);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, a[i]);
	for (i = 0; i < 8; i++)
		ASSERT_EQ((uint8_t)(0xD1B54A32D192ED03ULL >> (8 * i)), a[8 + i]);

	/* Arbitrary (unaligned) windows of several captures. */
	for (i = 0; i < ARRAY_SIZE(seqs); i++) {
		for (j = 0; j < ARRAY_SIZE(offs); j++) {
			sgcap_pattern_fill(a, offs[j], 37, seqs[i]);
			ref_fill(b, offs[j], 37, seqs[i]);
			ASSERT_EQ(0, memcmp(a, b, 37))
				TH_LOG("pattern seq %llu offset %llu",
				       (unsigned long long)seqs[i],
				       (unsigned long long)offs[j]);
		}
	}

	/* A fill in two pieces equals one fill. */
	sgcap_pattern_fill(a, 0, 1001, 77);
	sgcap_pattern_fill(a + 1001, 1001, len - 1001, 77);
	ref_fill(b, 0, len, 77);
	ASSERT_EQ(0, memcmp(a, b, len));

	/* Raw CRC update chains; final value equals the bitwise one. */
	c1 = sgcap_crc32c(~0U, a, 1001);
	c1 = sgcap_crc32c(c1, a + 1001, len - 1001);
	ASSERT_EQ(ref_crc32c(a, len), ~c1);

	/* The fused pass: intact buffer, no transform. */
	memset(&res, 0xa5, sizeof(res));
	sgcap_pp_run(a, len, 77, SGCAP_TRANSFORM_NONE, true, &res);
	ASSERT_EQ(0U, res.mismatches);
	ASSERT_EQ(ref_crc32c(b, len), res.crc32c);
	ASSERT_EQ(0, memcmp(a, b, len));

	/* Three bad bytes (first, middle, trailing odd byte) are counted. */
	a[0] ^= 1;
	a[5000] ^= 0x80;
	a[len - 1] ^= 0xff;
	sgcap_pp_run(a, len, 77, SGCAP_TRANSFORM_NONE, true, &res);
	ASSERT_EQ(3U, res.mismatches);
	ASSERT_EQ(ref_crc32c(a, len), res.crc32c);

	/* SWAP16: pairs swapped, the trailing odd byte left alone. */
	ref_fill(a, 0, len, 78);
	sgcap_pp_run(a, len, 78, SGCAP_TRANSFORM_SWAP16, true, &res);
	ASSERT_EQ(0U, res.mismatches);	/* checked before the transform */
	for (i = 0; i + 1 < len; i += 2) {
		ASSERT_EQ(ref_byte(78, i + 1), a[i]);
		ASSERT_EQ(ref_byte(78, i), a[i + 1]);
	}
	ASSERT_EQ(ref_byte(78, len - 1), a[len - 1]);
	ASSERT_EQ(ref_crc32c(a, len), res.crc32c);

	/* The helpers' own (table-driven) CRC agrees, at every alignment. */
	for (i = 0; i < 64; i++) {
		size_t n = len - i - (i * 37) % 64;

		ASSERT_EQ(ref_crc32c(a + i, n), sgt_crc(a + i, n))
			TH_LOG("offset %zu length %zu", i, n);
		ASSERT_EQ(~sgcap_crc32c(~0U, a + i, n), sgt_crc(a + i, n));
	}
	ASSERT_EQ(0U, sgt_crc("", 0) ^ ref_crc32c("", 0));

	/* The test helpers agree with all of the above. */
	sgt_expected(b, 0, len, 78, SGCAP_TRANSFORM_SWAP16);
	ASSERT_EQ(0, memcmp(a, b, len));
	ASSERT_EQ(ref_crc32c(a, len),
		  sgt_expected_crc(len, 78, SGCAP_TRANSFORM_SWAP16));
	ASSERT_EQ(0U, sgt_compare(a, 0, len, 78, SGCAP_TRANSFORM_SWAP16,
				  NULL));
	a[4] ^= 1;
	ASSERT_EQ(1U, sgt_compare(a, 0, len, 78, SGCAP_TRANSFORM_SWAP16,
				  NULL));

	/* The tail rule the chunk counts below are computed by. */
	if (sgt_page_size() == 4096) {
		ASSERT_EQ(7U, sgt_expected_chunks(100 * SGT_KIB, 2));
		ASSERT_EQ(80U, sgt_expected_chunks(640 * SGT_KIB, 1));
		ASSERT_EQ(1U, sgt_expected_chunks(12345, 2));
		ASSERT_EQ(2U, sgt_expected_chunks(12345, 1));
	}
	free(a);
	free(b);
}

/* ---- stream ------------------------------------------------------------- */

FIXTURE(stream) {
	int fd;
	int card;
};

FIXTURE_VARIANT(stream) {
	uint64_t size;
	unsigned int order;
	unsigned int chunks;	/* by the tail rule, 4 KiB pages */
};

/* 640 KiB = 160 pages */
FIXTURE_VARIANT_ADD(stream, o0_640k) { .size = 655360, .order = 0, .chunks = 160 };
FIXTURE_VARIANT_ADD(stream, o1_640k) { .size = 655360, .order = 1, .chunks = 80 };
FIXTURE_VARIANT_ADD(stream, o2_640k) { .size = 655360, .order = 2, .chunks = 40 };
/* 100 KiB = 25 pages: order 1 = 12 x o1 + 1 x o0; order 2 = 6 x o2 + 1 x o0 */
FIXTURE_VARIANT_ADD(stream, o0_100k) { .size = 102400, .order = 0, .chunks = 25 };
FIXTURE_VARIANT_ADD(stream, o1_100k) { .size = 102400, .order = 1, .chunks = 13 };
FIXTURE_VARIANT_ADD(stream, o2_100k) { .size = 102400, .order = 2, .chunks = 7 };
/* one page */
FIXTURE_VARIANT_ADD(stream, o0_4096) { .size = 4096, .order = 0, .chunks = 1 };
FIXTURE_VARIANT_ADD(stream, o1_4096) { .size = 4096, .order = 1, .chunks = 1 };
FIXTURE_VARIANT_ADD(stream, o2_4096) { .size = 4096, .order = 2, .chunks = 1 };
/* 12345 bytes = 4 pages, not a page multiple */
FIXTURE_VARIANT_ADD(stream, o0_12345) { .size = 12345, .order = 0, .chunks = 4 };
FIXTURE_VARIANT_ADD(stream, o1_12345) { .size = 12345, .order = 1, .chunks = 2 };
FIXTURE_VARIANT_ADD(stream, o2_12345) { .size = 12345, .order = 2, .chunks = 1 };

/* A card of its own per test: its counters start at zero. */
FIXTURE_SETUP(stream)
{
	int err;

	self->fd = -1;
	if (sgt_page_size() != 4096)
		SKIP(return, "chunk counts assume 4 KiB pages");
	ASSERT_EQ(variant->chunks,
		  sgt_expected_chunks(variant->size, variant->order));
	if (sgt_sim_exists(SGT_SIM_ID_STREAM))
		sgt_sim_del(SGT_SIM_ID_STREAM);
	err = sgt_sim_new(SGT_SIM_ID_STREAM);
	ASSERT_EQ(0, err) TH_LOG("new_device: %s", strerror(-err));
	self->card = sgt_sim_card_index(SGT_SIM_ID_STREAM);
	ASSERT_LE(0, self->card);
	self->fd = sgt_sim_open(SGT_SIM_ID_STREAM);
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(stream)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, sgt_sim_del(SGT_SIM_ID_STREAM));
}

TEST_F(stream, capture)
{
	uint64_t page = sgt_page_size();
	uint64_t map_len = (variant->size + page - 1) / page * page;
	uint64_t t0, prev_ts = 0;
	struct sgcap_dequeue dq;
	struct sgcap_stats st, st2;
	struct sgt_check chk;
	unsigned int i, r;

	t0 = sgt_now_ns();
	ASSERT_EQ(0, sgt_setup_stream(self->fd, variant->size, variant->order,
				      SGT_DEFAULT_COUNT, 0,
				      SGCAP_TRANSFORM_NONE));

	for (i = 0; i < STREAM_CAPTURES; i++) {
		ASSERT_EQ(0, sgt_dequeue_blocking(self->fd, &dq, 10))
			TH_LOG("capture %u", i);
		/* rate 0 never drops: contiguous from 0 */
		ASSERT_EQ(i, dq.sequence);
		ASSERT_EQ(variant->size, dq.bytes_used);
		ASSERT_EQ(0U, dq.capture_flags);
		ASSERT_EQ(0U, dq.pattern_mismatches);
		ASSERT_EQ(variant->chunks, dq.chunk_count);
		ASSERT_GT(SGT_DEFAULT_COUNT, dq.buffer_index);
		for (r = 0; r < 4; r++)
			ASSERT_EQ(0U, dq.reserved[r]);
		ASSERT_LE(t0, dq.timestamp_ns);
		ASSERT_LE(prev_ts, dq.timestamp_ns);
		ASSERT_GE(sgt_now_ns(), dq.timestamp_ns);
		prev_ts = dq.timestamp_ns;

		/* the dma-buf is the whole pages of the buffer */
		ASSERT_EQ((off_t)map_len, lseek((int)dq.fd, 0, SEEK_END));

		ASSERT_EQ(0, sgt_check_fd((int)dq.fd, dq.bytes_used,
					  dq.sequence, SGCAP_TRANSFORM_NONE,
					  &chk));
		ASSERT_EQ(0U, chk.mismatches)
			TH_LOG("seq %llu: %llu bad bytes, first at %llu",
			       (unsigned long long)dq.sequence,
			       (unsigned long long)chk.mismatches,
			       (unsigned long long)chk.first_bad);
		ASSERT_EQ(dq.crc32c, chk.crc32c)
			TH_LOG("seq %llu", (unsigned long long)dq.sequence);
		ASSERT_EQ(0, close((int)dq.fd));
	}

	ASSERT_EQ(0, sgt_stop(self->fd));
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
	ASSERT_EQ(0U, st.streaming);
	ASSERT_EQ(STREAM_CAPTURES, st.dequeued);
	ASSERT_LE(STREAM_CAPTURES, st.captures);
	ASSERT_EQ(0U, st.drops_no_buffer);
	ASSERT_EQ(0U, st.drops_injected);
	ASSERT_EQ(0U, st.errors);
	ASSERT_EQ(st.captures * variant->size, st.bytes);
	/* STOP returns with the engine quiet */
	sgt_sleep_ms(50);
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st2));
	ASSERT_EQ(st.captures, st2.captures);

	ASSERT_LE(0, sgt_drain(self->fd));
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
	ASSERT_EQ(SGT_DEFAULT_COUNT, st.buffers_total);
	ASSERT_EQ(0U, st.buffers_held);
	ASSERT_EQ(0U, st.buffers_ready);
	ASSERT_EQ(0U, st.buffers_card);
	ASSERT_EQ(SGT_DEFAULT_COUNT, st.buffers_free);
	ASSERT_EQ(0U, st.discarded);	/* every capture was dequeued */
	for (r = 0; r < 3; r++)
		ASSERT_EQ(0U, st.reserved[r]);
}

/* debugfs `buffers` shows the documented chunk layout of a held buffer. */
TEST_F(stream, debugfs_layout)
{
	uint64_t pages = (variant->size + 4095) / 4096;
	struct sgcap_dequeue dq;
	char line[1024];
	int order;

	ASSERT_EQ(0, sgt_setup_stream(self->fd, variant->size, variant->order,
				      SGT_DEFAULT_COUNT, 0,
				      SGCAP_TRANSFORM_NONE));
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 5000));
	ASSERT_EQ(0, sgt_dbg_buffer_line(self->card, dq.buffer_index, line,
					 sizeof(line)));
	TH_LOG("buffer %u: %s", dq.buffer_index, line);
	ASSERT_NE(NULL, strstr(line, "HELD"));
	for (order = (int)variant->order; order >= 0; order--) {
		unsigned int n;

		if (order == (int)variant->order)
			n = (unsigned int)(pages >> order);
		else
			n = (pages >> order) & 1;
		if (!n)
			continue;
		ASSERT_TRUE(sgt_has_run(line, (unsigned int)order, n))
			TH_LOG("no run %dx%u", order, n);
	}
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(0, sgt_stop(self->fd));
	ASSERT_LE(0, sgt_drain(self->fd));
	ASSERT_EQ(0, sgt_dbg_buffer_line(self->card, dq.buffer_index, line,
					 sizeof(line)));
	ASSERT_EQ(NULL, strstr(line, "HELD")) TH_LOG("%s", line);
}

/* ---- transform ---------------------------------------------------------- */

FIXTURE(transform) {
	int fd;
};

FIXTURE_VARIANT(transform) {
	uint64_t size;
};

FIXTURE_VARIANT_ADD(transform, swap16_640k) { .size = 655360 };
/* odd: the trailing byte has no partner and stays */
FIXTURE_VARIANT_ADD(transform, swap16_12345) { .size = 12345 };

FIXTURE_SETUP(transform)
{
	self->fd = sgt_sim_open(SGT_SIM_DEFAULT_ID);
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(transform)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(transform, swap16)
{
	struct sgcap_config cfg;
	struct sgcap_caps caps;
	struct sgcap_dequeue dq;
	struct sgt_check chk;
	unsigned int i;

	ASSERT_EQ(0, sgt_get_caps(self->fd, &caps));
	ASSERT_TRUE(!!(caps.features & SGCAP_FEAT_TRANSFORM_SWAP16));
	ASSERT_EQ(0, sgt_setup_stream(self->fd, variant->size, 1,
				      SGT_DEFAULT_COUNT, 0,
				      SGCAP_TRANSFORM_SWAP16));
	ASSERT_EQ(0, sgt_get_config(self->fd, &cfg));
	ASSERT_EQ((__u32)SGCAP_TRANSFORM_SWAP16, cfg.transform);

	for (i = 0; i < 16; i++) {
		ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 5000));
		ASSERT_EQ(i, dq.sequence);
		ASSERT_EQ(variant->size, dq.bytes_used);
		ASSERT_EQ(SGCAP_CAPTURE_TRANSFORMED, dq.capture_flags);
		ASSERT_EQ(0U, dq.pattern_mismatches);
		ASSERT_EQ(0, sgt_check_fd((int)dq.fd, dq.bytes_used,
					  dq.sequence, SGCAP_TRANSFORM_SWAP16,
					  &chk));
		ASSERT_EQ(0U, chk.mismatches)
			TH_LOG("seq %llu: %llu bad bytes, first at %llu",
			       (unsigned long long)dq.sequence,
			       (unsigned long long)chk.mismatches,
			       (unsigned long long)chk.first_bad);
		ASSERT_EQ(dq.crc32c, chk.crc32c);
		/* the CRC is over the transformed bytes, not the raw ones */
		ASSERT_NE(sgt_expected_crc(dq.bytes_used, dq.sequence,
					   SGCAP_TRANSFORM_NONE), dq.crc32c);
		ASSERT_EQ(0, close((int)dq.fd));
	}
	ASSERT_EQ(0, sgt_stop(self->fd));
}

/* ---- share: SCM_RIGHTS -------------------------------------------------- */

struct share_msg {
	uint64_t sequence;
	uint64_t bytes_used;
	uint32_t crc32c;
	uint32_t pad;
};

static int send_fd(int sock, int fd, const struct share_msg *m)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == (ssize_t)sizeof(*m) ? 0 : -1;
}

static int recv_fd(int sock, struct share_msg *m)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof(*m))
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* Child: exit codes say which check failed. */
static void share_child(int sock)
{
	struct share_msg m;
	struct sgt_check chk;
	char go;
	int fd;

	alarm(20);
	fd = recv_fd(sock, &m);
	if (fd < 0)
		_exit(10);
	/* wait until the parent has closed its copy */
	if (read(sock, &go, 1) != 1)
		_exit(11);
	if (sgt_check_fd(fd, m.bytes_used, m.sequence, SGCAP_TRANSFORM_NONE,
			 &chk))
		_exit(12);
	if (chk.mismatches)
		_exit(13);
	if (chk.crc32c != m.crc32c)
		_exit(14);
	close(fd);
	_exit(0);
}

FIXTURE(share) {
	int fd;
};

FIXTURE_SETUP(share)
{
	self->fd = sgt_sim_open(SGT_SIM_DEFAULT_ID);
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(share)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(share, scm_rights)
{
	struct sgcap_dequeue dq;
	struct sgcap_stats st;
	struct share_msg m = { 0 };
	int sv[2], status, i;
	pid_t pid, w = 0;

	ASSERT_EQ(0, sgt_setup_stream(self->fd, SGT_DEFAULT_SIZE,
				      SGT_DEFAULT_ORDER,
				      SGT_DEFAULT_COUNT, 0,
				      SGCAP_TRANSFORM_NONE));
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 5000));
	/* nothing else is dequeued from here on: the capture is the only one */
	ASSERT_EQ(0, sgt_stop(self->fd));
	ASSERT_LE(0, sgt_drain(self->fd));

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(sv[0]);
		share_child(sv[1]);
	}
	close(sv[1]);

	m.sequence = dq.sequence;
	m.bytes_used = dq.bytes_used;
	m.crc32c = dq.crc32c;
	ASSERT_EQ(0, send_fd(sv[0], (int)dq.fd, &m));
	ASSERT_EQ(0, close((int)dq.fd));
	/* in flight or with the child: still held */
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
	ASSERT_EQ(1U, st.buffers_held);
	ASSERT_EQ(1, write(sv[0], "g", 1));

	for (i = 0; i < 200; i++) {
		w = waitpid(pid, &status, WNOHANG);
		if (w)
			break;
		sgt_sleep_ms(50);
	}
	if (!w) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	ASSERT_EQ(pid, w) TH_LOG("child did not finish");
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status))
		TH_LOG("child check %d failed", WEXITSTATUS(status));
	close(sv[0]);

	/* the last reference went with the child: back to the driver */
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
	ASSERT_EQ(0U, st.buffers_held);
}

TEST_HARNESS_MAIN
