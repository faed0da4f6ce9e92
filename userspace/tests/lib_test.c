// SPDX-License-Identifier: GPL-2.0
/*
 * libsgcap against a real card, in the test guest: every library call,
 * the errno contract, captures outliving the card, fd passing, ownership.
 *
 * The card is $SGCAP_DEVICE, else the node of simulated card 0 (found in
 * /sys/bus/sgcap_sim/devices/sgcap_sim0/misc/), else /dev/sgcap0.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <sgcap.h>

/*
 * The 6.12 harness trips two -Wextra warnings in its own code: unused
 * parameters of the wrapper every TEST()/TEST_F() expands to, and a local
 * setjmp() may clobber in the TEST_F() wrapper. Only those two are off.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"

#define SIM0_MISC	"/sys/bus/sgcap_sim/devices/sgcap_sim0/misc"
#define DQ_TIMEOUT_MS	5000

static void card_path(char *path, size_t len)
{
	const char *env = getenv("SGCAP_DEVICE");
	struct dirent *de;
	DIR *dir;

	snprintf(path, len, "%s", env && *env ? env : SGCAP_DEFAULT_DEVICE);
	if (env && *env)
		return;
	dir = opendir(SIM0_MISC);
	if (!dir)
		return;
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, "sgcap", 5))
			snprintf(path, len, "/dev/%s", de->d_name);
	closedir(dir);
}

static int send_fd(int sock, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte = 'x';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;

	memset(&u, 0, sizeof(u));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

TEST(open_missing)
{
	errno = 0;
	ASSERT_EQ(NULL, sgcap_card_open("/dev/sgcap-does-not-exist"));
	ASSERT_EQ(ENOENT, errno);
}

TEST(open_not_a_card)
{
	errno = 0;
	ASSERT_EQ(NULL, sgcap_card_open("/dev/null"));
	ASSERT_EQ(ENOTTY, errno);
}

FIXTURE(card) {
	char path[300];
	struct sgcap_card *card;
	struct sgcap_caps caps;
	struct sgcap_config cfg;
};

FIXTURE_SETUP(card)
{
	card_path(self->path, sizeof(self->path));
	self->card = sgcap_card_open(self->path);
	ASSERT_NE(NULL, self->card) {
		TH_LOG("cannot open %s: %s", self->path, strerror(errno));
	}
	ASSERT_EQ(0, sgcap_card_get_caps(self->card, &self->caps));
	sgcap_config_init(&self->cfg);
}

FIXTURE_TEARDOWN(card)
{
	sgcap_card_close(self->card);
}

TEST_F(card, caps)
{
	ASSERT_EQ((__u32)SGCAP_UAPI_VERSION, self->caps.version);
	ASSERT_EQ((__u32)SGCAP_BACKEND_SIM, self->caps.backend);
	ASSERT_TRUE(!!(self->caps.features & SGCAP_FEAT_CRC32C));
	ASSERT_TRUE(!!(self->caps.features & SGCAP_FEAT_PATTERN));
	ASSERT_LE(self->caps.min_buffers, (__u32)SGCAP_DEFAULT_BUFFER_COUNT);
	ASSERT_GE(self->caps.max_buffers, (__u32)SGCAP_DEFAULT_BUFFER_COUNT);
	ASSERT_GE(self->caps.max_buffer_size, SGCAP_DEFAULT_BUFFER_SIZE);
	ASSERT_EQ(sgcap_card_fd(self->card) >= 0, 1);
	ASSERT_EQ(0, strcmp(self->path, sgcap_card_path(self->card)));
}

TEST_F(card, configure_roundtrip)
{
	struct sgcap_config got;

	self->cfg.buffer_size = 100003;
	self->cfg.chunk_order = 0;
	self->cfg.buffer_count = self->caps.min_buffers > 3 ?
				 self->caps.min_buffers : 3;
	ASSERT_EQ(0, sgcap_card_configure(self->card, &self->cfg));
	ASSERT_EQ(0, sgcap_card_get_config(self->card, &got));
	ASSERT_EQ(100003ULL, got.buffer_size);
	ASSERT_EQ(0U, got.chunk_order);
	ASSERT_EQ(self->cfg.buffer_count, got.buffer_count);
	ASSERT_EQ((__u32)SGCAP_TRANSFORM_NONE, got.transform);
	ASSERT_EQ(0U, got.rate);
}

TEST_F(card, configure_rejects_bad_values)
{
	self->cfg.buffer_count = self->caps.max_buffers + 1;
	errno = 0;
	ASSERT_EQ(-1, sgcap_card_configure(self->card, &self->cfg));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(card, stream_and_verify)
{
	struct sgcap_capture *cap;
	struct sgcap_verify res;
	__u64 last = 0;
	int i;

	ASSERT_EQ(0, sgcap_card_configure(self->card, &self->cfg));
	ASSERT_EQ(0, sgcap_card_start(self->card));
	for (i = 0; i < 16; i++) {
		cap = sgcap_card_dequeue(self->card, DQ_TIMEOUT_MS);
		ASSERT_NE(NULL, cap) {
			TH_LOG("capture %d: %s", i, strerror(errno));
		}
		if (i)
			ASSERT_GT(sgcap_capture_sequence(cap), last);
		last = sgcap_capture_sequence(cap);
		ASSERT_EQ(SGCAP_DEFAULT_BUFFER_SIZE,
			  sgcap_capture_bytes_used(cap));
		ASSERT_GT(sgcap_capture_chunk_count(cap), 0U);
		ASSERT_LE(sgcap_capture_chunk_count(cap),
			  self->caps.max_segments);
		ASSERT_LT(sgcap_capture_buffer_index(cap),
			  (__u32)SGCAP_DEFAULT_BUFFER_COUNT);
		ASSERT_EQ(0U, sgcap_capture_flags(cap) & SGCAP_CAPTURE_ERROR);
		ASSERT_EQ(0ULL, sgcap_capture_mismatches(cap));
		ASSERT_GE(sgcap_capture_size(cap),
			  (__s64)SGCAP_DEFAULT_BUFFER_SIZE);
		ASSERT_EQ(0, sgcap_capture_verify(cap, &res)) {
			TH_LOG("seq %llu: problems 0x%x, crc 0x%08x vs 0x%08x, %llu mismatches",
			       (unsigned long long)last, res.problems,
			       res.crc32c, sgcap_capture_crc32c(cap),
			       (unsigned long long)res.mismatches);
		}
		ASSERT_EQ(sgcap_capture_crc32c(cap), res.crc32c);
		sgcap_capture_release(cap);
	}
	ASSERT_EQ(0, sgcap_card_stop(self->card));
}

TEST_F(card, dequeue_timeout_and_nonblock)
{
	struct sgcap_capture *cap;

	if (!(self->caps.features & SGCAP_FEAT_RATE))
		SKIP(return, "the card has no rate");
	self->cfg.rate = 1;
	ASSERT_EQ(0, sgcap_card_configure(self->card, &self->cfg));
	ASSERT_EQ(0, sgcap_card_start(self->card));
	/* Frame 0 is due at the start, frame 1 a second later. */
	cap = sgcap_card_dequeue(self->card, DQ_TIMEOUT_MS);
	ASSERT_NE(NULL, cap);
	sgcap_capture_release(cap);
	errno = 0;
	ASSERT_EQ(NULL, sgcap_card_dequeue(self->card, 0));
	ASSERT_EQ(EAGAIN, errno);
	errno = 0;
	ASSERT_EQ(NULL, sgcap_card_dequeue(self->card, 100));
	ASSERT_EQ(ETIMEDOUT, errno);
	cap = sgcap_card_dequeue(self->card, DQ_TIMEOUT_MS);
	ASSERT_NE(NULL, cap);
	ASSERT_GE(sgcap_capture_sequence(cap), 1ULL);
	sgcap_capture_release(cap);
}

TEST_F(card, poll_reports_ready)
{
	struct pollfd pfd = { .fd = sgcap_card_fd(self->card), .events = POLLIN };
	struct sgcap_capture *cap;

	ASSERT_EQ(0, sgcap_card_configure(self->card, &self->cfg));
	ASSERT_EQ(0, sgcap_card_start(self->card));
	ASSERT_EQ(1, poll(&pfd, 1, DQ_TIMEOUT_MS));
	ASSERT_TRUE(pfd.revents & POLLIN);
	cap = sgcap_card_dequeue(self->card, 0);
	ASSERT_NE(NULL, cap);
	sgcap_capture_release(cap);
}

TEST_F(card, held_buffers_come_back)
{
	struct sgcap_capture *cap[3];
	struct sgcap_stats st;
	int i, tries;

	self->cfg.buffer_count = self->caps.min_buffers > 4 ?
				 self->caps.min_buffers : 4;
	ASSERT_EQ(0, sgcap_card_configure(self->card, &self->cfg));
	ASSERT_EQ(0, sgcap_card_start(self->card));
	for (i = 0; i < 3; i++) {
		cap[i] = sgcap_card_dequeue(self->card, DQ_TIMEOUT_MS);
		ASSERT_NE(NULL, cap[i]);
	}
	ASSERT_EQ(0, sgcap_card_get_stats(self->card, &st));
	ASSERT_EQ(3U, st.buffers_held);
	ASSERT_EQ(1U, st.streaming);
	ASSERT_NE(sgcap_capture_buffer_index(cap[0]),
		  sgcap_capture_buffer_index(cap[1]));
	ASSERT_NE(sgcap_capture_buffer_index(cap[1]),
		  sgcap_capture_buffer_index(cap[2]));
	ASSERT_EQ(0, sgcap_card_stop(self->card));
	for (i = 0; i < 3; i++)
		sgcap_capture_release(cap[i]);
	for (tries = 0; tries < 20; tries++) {
		ASSERT_EQ(0, sgcap_card_get_stats(self->card, &st));
		if (!st.buffers_held)
			break;
		usleep(50000);
	}
	ASSERT_EQ(0U, st.buffers_held);
	ASSERT_EQ(0U, st.streaming);
	ASSERT_EQ(self->cfg.buffer_count, st.buffers_total);
}

TEST_F(card, map_is_stable)
{
	struct sgcap_capture *cap;
	const void *a, *b;

	ASSERT_EQ(0, sgcap_card_configure(self->card, &self->cfg));
	ASSERT_EQ(0, sgcap_card_start(self->card));
	cap = sgcap_card_dequeue(self->card, DQ_TIMEOUT_MS);
	ASSERT_NE(NULL, cap);
	a = sgcap_capture_map(cap);
	ASSERT_NE(NULL, a);
	b = sgcap_capture_map(cap);
	ASSERT_EQ(a, b);
	ASSERT_EQ(0, sgcap_capture_verify(cap, NULL));
	ASSERT_EQ(0, sgcap_capture_unmap(cap));
	ASSERT_EQ(0, sgcap_capture_unmap(cap));
	ASSERT_EQ(0, sgcap_capture_verify(cap, NULL));
	sgcap_capture_release(cap);
}

TEST_F(card, capture_outlives_card)
{
	struct sgcap_capture *cap;

	ASSERT_EQ(0, sgcap_card_configure(self->card, &self->cfg));
	ASSERT_EQ(0, sgcap_card_start(self->card));
	cap = sgcap_card_dequeue(self->card, DQ_TIMEOUT_MS);
	ASSERT_NE(NULL, cap);
	sgcap_card_close(self->card);
	self->card = NULL;
	ASSERT_EQ(0, sgcap_capture_verify(cap, NULL));
	sgcap_capture_release(cap);
}

TEST_F(card, swap16)
{
	struct sgcap_capture *cap;
	const void *data;
	__u64 seq;

	if (!(self->caps.features & SGCAP_FEAT_TRANSFORM_SWAP16))
		SKIP(return, "the card has no swap16");
	self->cfg.transform = SGCAP_TRANSFORM_SWAP16;
	ASSERT_EQ(0, sgcap_card_configure(self->card, &self->cfg));
	ASSERT_EQ(0, sgcap_card_start(self->card));
	cap = sgcap_card_dequeue(self->card, DQ_TIMEOUT_MS);
	ASSERT_NE(NULL, cap);
	ASSERT_TRUE(!!(sgcap_capture_flags(cap) & SGCAP_CAPTURE_TRANSFORMED));
	ASSERT_EQ((unsigned int)SGCAP_TRANSFORM_SWAP16,
		  sgcap_capture_transform(cap));
	ASSERT_EQ(0, sgcap_capture_verify(cap, NULL));
	data = sgcap_capture_map(cap);
	ASSERT_NE(NULL, data);
	ASSERT_EQ(0, sgcap_pattern_identify(data, 8, SGCAP_TRANSFORM_SWAP16,
					    &seq));
	ASSERT_EQ(sgcap_capture_sequence(cap), seq);
	sgcap_capture_release(cap);
}

TEST_F(card, second_opener_is_not_owner)
{
	struct sgcap_card *other = sgcap_card_open(self->path);
	struct sgcap_stats st;
	struct sgcap_caps caps;

	ASSERT_NE(NULL, other);
	ASSERT_EQ(0, sgcap_card_configure(self->card, &self->cfg));
	errno = 0;
	EXPECT_EQ(-1, sgcap_card_configure(other, &self->cfg));
	EXPECT_EQ(EBUSY, errno);
	errno = 0;
	EXPECT_EQ(-1, sgcap_card_start(other));
	EXPECT_EQ(EBUSY, errno);
	errno = 0;
	EXPECT_EQ(NULL, sgcap_card_dequeue(other, 0));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, sgcap_card_get_caps(other, &caps));
	EXPECT_EQ(0, sgcap_card_get_stats(other, &st));
	sgcap_card_close(other);
}

TEST_F(card, fd_passing)
{
	struct sgcap_capture *cap, *got;
	struct sgcap_dequeue meta;
	int sv[2], fd;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, sgcap_card_configure(self->card, &self->cfg));
	ASSERT_EQ(0, sgcap_card_start(self->card));
	cap = sgcap_card_dequeue(self->card, DQ_TIMEOUT_MS);
	ASSERT_NE(NULL, cap);
	sgcap_capture_get_meta(cap, &meta);
	ASSERT_EQ(0, send_fd(sv[0], sgcap_capture_fd(cap)));
	sgcap_capture_release(cap);
	fd = recv_fd(sv[1]);
	ASSERT_GE(fd, 0);
	got = sgcap_capture_from_fd(fd, &meta, SGCAP_TRANSFORM_NONE,
				    self->caps.features);
	ASSERT_NE(NULL, got);
	ASSERT_EQ(0, sgcap_capture_verify(got, NULL));
	sgcap_capture_release(got);
	close(sv[0]);
	close(sv[1]);
}

TEST_F(card, verify_catches_wrong_metadata)
{
	struct sgcap_capture *cap, *lie;
	struct sgcap_dequeue meta;
	struct sgcap_verify res;

	ASSERT_EQ(0, sgcap_card_configure(self->card, &self->cfg));
	ASSERT_EQ(0, sgcap_card_start(self->card));
	cap = sgcap_card_dequeue(self->card, DQ_TIMEOUT_MS);
	ASSERT_NE(NULL, cap);
	sgcap_capture_get_meta(cap, &meta);
	meta.crc32c ^= 1;
	lie = sgcap_capture_from_fd(dup(sgcap_capture_fd(cap)), &meta,
				    SGCAP_TRANSFORM_NONE, self->caps.features);
	ASSERT_NE(NULL, lie);
	errno = 0;
	ASSERT_EQ(-1, sgcap_capture_verify(lie, &res));
	ASSERT_EQ(EBADMSG, errno);
	ASSERT_EQ((__u32)SGCAP_VERIFY_CRC, res.problems);
	sgcap_capture_release(lie);

	sgcap_capture_get_meta(cap, &meta);
	meta.sequence++;
	lie = sgcap_capture_from_fd(dup(sgcap_capture_fd(cap)), &meta,
				    SGCAP_TRANSFORM_NONE, self->caps.features);
	ASSERT_NE(NULL, lie);
	ASSERT_EQ(-1, sgcap_capture_verify(lie, &res));
	ASSERT_EQ((__u32)SGCAP_VERIFY_PATTERN, res.problems);
	ASSERT_EQ(0ULL, res.first_bad);
	sgcap_capture_release(lie);
	sgcap_capture_release(cap);
}

TEST_HARNESS_MAIN
