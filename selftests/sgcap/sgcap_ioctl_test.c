// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap selftests: the ioctl interface, exact error codes, ownership, poll,
 * the dequeued file descriptor, mmap of a capture and the segment limits.
 *
 * ioctl, mmap  a fresh simulated card per test (SGT_SIM_ID_IOCTL), so
 *              "unconfigured" really is unconfigured
 * segments     a fresh card per test (SGT_SIM_ID_SEGMENTS) whose advertised
 *              segment limits are changed through debugfs
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "sgcap_harness.h"
#include "sgcap_util.h"

#define BAD_PTR		((void *)8)

/* A config as a newer userspace knows it: the kernel sees @size 72. */
struct config_v1 {
	struct sgcap_config cfg;
	uint64_t ext;
};

static int fresh_card(unsigned int id, int *card)
{
	int err;

	if (sgt_sim_exists(id))
		sgt_sim_del(id);
	err = sgt_sim_new(id);
	if (err)
		return err;
	*card = sgt_sim_card_index(id);
	if (*card < 0)
		return *card;
	return sgt_sim_open(id);
}

/* ---- ioctl -------------------------------------------------------------- */

FIXTURE(ioctl) {
	int fd;
	int card;
	struct sgcap_caps caps;
};

FIXTURE_SETUP(ioctl)
{
	self->fd = fresh_card(SGT_SIM_ID_IOCTL, &self->card);
	ASSERT_LE(0, self->fd) TH_LOG("card: %s", strerror(-self->fd));
	ASSERT_EQ(0, sgt_get_caps(self->fd, &self->caps));
	/* the tests need room above the limits */
	ASSERT_GT(UINT32_MAX, self->caps.max_buffers);
	ASSERT_GT(UINT32_MAX, self->caps.max_order);
	ASSERT_GT(UINT64_MAX, self->caps.max_buffer_size);
}

FIXTURE_TEARDOWN(ioctl)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, sgt_sim_del(SGT_SIM_ID_IOCTL));
}

static int configure_small(int fd, unsigned int rate)
{
	struct sgcap_config cfg;

	sgt_config_init(&cfg, 4096, 0, 4, rate, SGCAP_TRANSFORM_NONE);
	return sgt_configure(fd, &cfg);
}

TEST_F(ioctl, caps)
{
	const struct sgcap_caps *c = &self->caps;
	unsigned int i;

	ASSERT_EQ((__u32)SGCAP_UAPI_VERSION, c->version);
	ASSERT_EQ((__u32)SGCAP_BACKEND_SIM, c->backend);
	ASSERT_EQ(SGCAP_FEAT_CRC32C | SGCAP_FEAT_PATTERN |
		  SGCAP_FEAT_TRANSFORM_SWAP16 | SGCAP_FEAT_RATE, c->features);
	ASSERT_EQ(512U, c->max_segments);		/* debugfs defaults */
	ASSERT_EQ(65536U, c->max_segment_size);
	ASSERT_LE(1U, c->min_buffers);
	ASSERT_GE(4U, c->min_buffers);	/* the tests use pools of 4 */
	ASSERT_LE(SGT_DEFAULT_COUNT, c->max_buffers);
	ASSERT_LE(2U, c->max_order);
	ASSERT_LE(SGT_DEFAULT_SIZE, c->max_buffer_size);
	ASSERT_EQ(0U, c->pad);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0U, c->reserved[i]);
}

TEST_F(ioctl, unknown_ioctl)
{
	/* room for whatever a confused driver might copy out */
	static uint64_t buf[512];

	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, _IO(SGCAP_IOC_MAGIC, 0x07)));
	ASSERT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->fd, _IOWR(SGCAP_IOC_MAGIC, 0x7f,
					    struct sgcap_dequeue), buf));
	ASSERT_EQ(ENOTTY, errno);
	/* a known number with another size or direction is another command */
	ASSERT_EQ(-1, ioctl(self->fd, _IOR(SGCAP_IOC_MAGIC, 0x06, uint64_t),
			    buf));
	ASSERT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->fd, _IOW(SGCAP_IOC_MAGIC, 0x00,
					   struct sgcap_caps), buf));
	ASSERT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->fd, _IOR('x', 0x00, struct sgcap_caps),
			    buf));
	ASSERT_EQ(ENOTTY, errno);
}

TEST_F(ioctl, configure_flags_reserved)
{
	struct sgcap_config cfg;
	unsigned int i;

	sgt_config_init(&cfg, 4096, 0, 4, 0, 0);
	cfg.flags = 1;
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));
	cfg.flags = 0x80000000;
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));
	for (i = 0; i < 4; i++) {
		sgt_config_init(&cfg, 4096, 0, 4, 0, 0);
		cfg.reserved[i] = 1;
		ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg))
			TH_LOG("reserved[%u]", i);
	}
	/* nothing of the rejected calls stuck */
	ASSERT_EQ(-EINVAL, sgt_start(self->fd));
}

TEST_F(ioctl, configure_size_field)
{
	struct config_v1 big;
	struct sgcap_config cfg;
	struct {
		struct sgcap_config cfg;
		uint64_t ext[8];	/* 128 bytes in all, zero */
	} huge;

	sgt_config_init(&cfg, 4096, 0, 4, 0, 0);
	cfg.size = 0;
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));
	cfg.size = SGCAP_CONFIG_SIZE_VER0 - 1;
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));
	cfg.size = 56;
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));

	/* a larger struct with non-zero bytes the kernel does not know */
	memset(&big, 0, sizeof(big));
	sgt_config_init(&big.cfg, 4096, 0, 4, 0, 0);
	big.cfg.size = sizeof(big);
	ASSERT_EQ(72U, big.cfg.size);
	big.ext = 1ULL << 63;
	ASSERT_EQ(-E2BIG, sgt_configure(self->fd, &big.cfg));
	ASSERT_EQ(-EINVAL, sgt_start(self->fd));	/* still unconfigured */
	big.ext = 0;
	ASSERT_EQ(0, sgt_configure(self->fd, &big.cfg));
	ASSERT_EQ(0, sgt_get_config(self->fd, &cfg));
	ASSERT_EQ((__u32)SGCAP_CONFIG_SIZE_VER0, cfg.size);
	ASSERT_EQ(4096U, cfg.buffer_size);

	/* even larger, all zero beyond what the kernel knows */
	memset(&huge, 0, sizeof(huge));
	sgt_config_init(&huge.cfg, 8192, 0, 4, 0, 0);
	huge.cfg.size = sizeof(huge);
	ASSERT_EQ(128U, huge.cfg.size);
	ASSERT_EQ(0, sgt_configure(self->fd, &huge.cfg));
	ASSERT_EQ(0, sgt_get_config(self->fd, &cfg));
	ASSERT_EQ(8192U, cfg.buffer_size);
}

TEST_F(ioctl, configure_limits)
{
	const struct sgcap_caps *c = &self->caps;
	struct sgcap_config cfg;

	sgt_config_init(&cfg, 4096, 0, 0, 0, 0);
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));
	if (c->min_buffers > 1) {
		cfg.buffer_count = c->min_buffers - 1;
		ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));
	}
	cfg.buffer_count = c->max_buffers + 1;
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));
	cfg.buffer_count = UINT32_MAX;
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));

	sgt_config_init(&cfg, 0, 0, 4, 0, 0);
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));
	cfg.buffer_size = c->max_buffer_size + 1;
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));
	cfg.buffer_size = UINT64_MAX;
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));

	sgt_config_init(&cfg, 4096, c->max_order + 1, 4, 0, 0);
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));
	cfg.chunk_order = 64;
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));
	cfg.chunk_order = UINT32_MAX;
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));

	sgt_config_init(&cfg, 4096, 0, 4, 0, 99);
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));
	cfg.transform = SGCAP_TRANSFORM_SWAP16 + 1;
	ASSERT_EQ(-EINVAL, sgt_configure(self->fd, &cfg));

	ASSERT_EQ(-EINVAL, sgt_start(self->fd));	/* nothing stuck */

	/* the limits themselves are accepted */
	sgt_config_init(&cfg, 4096, c->max_order, c->max_buffers, 0, 0);
	ASSERT_EQ(0, sgt_configure(self->fd, &cfg));
	sgt_config_init(&cfg, 4096, 0, c->min_buffers, 0, 0);
	ASSERT_EQ(0, sgt_configure(self->fd, &cfg));
}

TEST_F(ioctl, get_config)
{
	struct sgcap_config in, out;
	unsigned int i;

	sgt_config_init(&in, 100 * SGT_KIB, 2, 5, 250,
			SGCAP_TRANSFORM_SWAP16);
	ASSERT_EQ(0, sgt_configure(self->fd, &in));
	ASSERT_EQ(0, sgt_get_config(self->fd, &out));
	ASSERT_EQ((__u32)SGCAP_CONFIG_SIZE_VER0, out.size);
	ASSERT_EQ(0U, out.flags);
	ASSERT_EQ(5U, out.buffer_count);
	ASSERT_EQ(2U, out.chunk_order);
	ASSERT_EQ(100 * SGT_KIB, out.buffer_size);
	ASSERT_EQ((__u32)SGCAP_TRANSFORM_SWAP16, out.transform);
	ASSERT_EQ(250U, out.rate);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0U, out.reserved[i]);
}

TEST_F(ioctl, streaming_busy)
{
	struct sgcap_config cfg;
	struct sgcap_stats st;

	ASSERT_EQ(-EINVAL, sgt_start(self->fd));	/* unconfigured */
	ASSERT_EQ(0, configure_small(self->fd, 0));
	ASSERT_EQ(0, sgt_start(self->fd));
	ASSERT_EQ(-EBUSY, sgt_start(self->fd));
	sgt_config_init(&cfg, 4096, 0, 4, 0, 0);
	ASSERT_EQ(-EBUSY, sgt_configure(self->fd, &cfg));
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
	ASSERT_EQ(1U, st.streaming);
	ASSERT_EQ(0, sgt_stop(self->fd));
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
	ASSERT_EQ(0U, st.streaming);
	/* stopped: configurable and startable again */
	ASSERT_EQ(0, sgt_configure(self->fd, &cfg));
	ASSERT_EQ(0, sgt_start(self->fd));
	ASSERT_EQ(0, sgt_stop(self->fd));
}

TEST_F(ioctl, dequeue_args)
{
	struct sgcap_dequeue dq;
	unsigned int i;
	int nfd;

	ASSERT_EQ(0, configure_small(self->fd, 1));
	ASSERT_EQ(0, sgt_start(self->fd));
	/* frame 0 is due at once, frame 1 only a second later */
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 2000));
	ASSERT_EQ(0U, dq.sequence);
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(-EAGAIN, sgt_dequeue(self->fd, &dq, SGCAP_DEQUEUE_NONBLOCK));

	nfd = sgt_count_fds();
	ASSERT_EQ(-EINVAL, sgt_dequeue(self->fd, &dq, 0x80));
	ASSERT_EQ(-EINVAL, sgt_dequeue(self->fd, &dq,
				       SGCAP_DEQUEUE_NONBLOCK | 0x2));
	for (i = 0; i < 4; i++) {
		memset(&dq, 0, sizeof(dq));
		dq.flags = SGCAP_DEQUEUE_NONBLOCK;
		dq.reserved[i] = 1;
		errno = 0;
		ASSERT_EQ(-1, ioctl(self->fd, SGCAP_IOC_DEQUEUE, &dq));
		ASSERT_EQ(EINVAL, errno) TH_LOG("reserved[%u]", i);
	}
	ASSERT_EQ(nfd, sgt_count_fds());
	ASSERT_EQ(0, sgt_stop(self->fd));
}

TEST_F(ioctl, dequeue_not_streaming)
{
	struct sgcap_dequeue dq;

	ASSERT_EQ(0, configure_small(self->fd, 0));
	/* configured, never started: a blocking dequeue must not block */
	ASSERT_EQ(-ENODATA, sgt_dequeue_blocking(self->fd, &dq, 5));
	ASSERT_EQ(0, sgt_start(self->fd));
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 2000));
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(0, sgt_stop(self->fd));
	ASSERT_LE(0, sgt_drain(self->fd));
	ASSERT_EQ(-ENODATA, sgt_dequeue_blocking(self->fd, &dq, 5));
}

TEST_F(ioctl, efault)
{
	struct sgcap_dequeue dq;

	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, SGCAP_IOC_GET_CAPS, BAD_PTR));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->fd, SGCAP_IOC_CONFIGURE, BAD_PTR));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->fd, SGCAP_IOC_GET_STATS, BAD_PTR));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(0, configure_small(self->fd, 0));
	ASSERT_EQ(-1, ioctl(self->fd, SGCAP_IOC_GET_CONFIG, BAD_PTR));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(0, sgt_start(self->fd));
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 2000));
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(-1, ioctl(self->fd, SGCAP_IOC_DEQUEUE, BAD_PTR));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(0, sgt_stop(self->fd));
}

/*
 * copy_to_user of DEQUEUE fails after copy_from_user worked (a read-only
 * page): no fd may have been installed and no buffer may stay lost.
 */
TEST_F(ioctl, dequeue_copy_out_fault)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct sgcap_dequeue *ro, dq;
	struct sgcap_stats st;
	int nfd;

	ASSERT_EQ(0, configure_small(self->fd, 0));
	ASSERT_EQ(0, sgt_start(self->fd));
	ASSERT_EQ(1, poll(&pfd, 1, 2000));
	ASSERT_TRUE(pfd.revents & POLLIN);

	ro = mmap(NULL, sgt_page_size(), PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	memset(ro, 0, sizeof(*ro));
	ro->flags = SGCAP_DEQUEUE_NONBLOCK;
	ASSERT_EQ(0, mprotect(ro, sgt_page_size(), PROT_READ));

	nfd = sgt_count_fds();
	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, SGCAP_IOC_DEQUEUE, ro));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(nfd, sgt_count_fds());
	munmap(ro, sgt_page_size());

	/* the card still delivers */
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 2000));
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(0, sgt_stop(self->fd));
	ASSERT_LE(0, sgt_drain(self->fd));
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
	ASSERT_EQ(0U, st.buffers_held) TH_LOG("a buffer leaked");
	ASSERT_EQ(4U, st.buffers_total);
	ASSERT_EQ(4U, st.buffers_free + st.buffers_card + st.buffers_ready);
}

TEST_F(ioctl, second_opener)
{
	struct sgcap_config cfg;
	struct sgcap_caps caps;
	struct sgcap_stats st;
	struct sgcap_dequeue dq, held;
	struct sgt_check chk;
	struct pollfd pfd;
	int b, c;

	b = sgt_sim_open(SGT_SIM_ID_IOCTL);
	ASSERT_LE(0, b);
	/* nobody owns the card yet: the first CONFIGURE makes A the owner */
	ASSERT_EQ(0, sgt_get_caps(b, &caps));
	sgt_config_init(&cfg, 64 * SGT_KIB, 1, 4, 0, 0);
	ASSERT_EQ(0, sgt_configure(self->fd, &cfg));

	ASSERT_EQ(-EBUSY, sgt_configure(b, &cfg));
	ASSERT_EQ(-EBUSY, sgt_start(b));
	ASSERT_EQ(-EBUSY, sgt_stop(b));
	ASSERT_EQ(-EBUSY, sgt_dequeue(b, &dq, SGCAP_DEQUEUE_NONBLOCK));
	ASSERT_EQ(0, sgt_get_caps(b, &caps));
	ASSERT_EQ(0, sgt_get_stats(b, &st));
	ASSERT_EQ(0, sgt_get_config(b, &cfg));
	ASSERT_EQ(64 * SGT_KIB, cfg.buffer_size);

	ASSERT_EQ(0, sgt_start(self->fd));
	ASSERT_EQ(-EBUSY, sgt_dequeue(b, &dq, SGCAP_DEQUEUE_NONBLOCK));
	ASSERT_EQ(-EBUSY, sgt_dequeue(b, &dq, 0));
	/* any file may poll, but only the owner is told to dequeue */
	pfd.fd = self->fd;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 2000));
	ASSERT_TRUE(pfd.revents & POLLIN);
	pfd.fd = b;
	ASSERT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, sgt_get_stats(b, &st));
	ASSERT_EQ(1U, st.streaming);
	ASSERT_LT(0U, st.buffers_ready);

	/*
	 * The owner goes: streaming stops, the buffers are freed with the
	 * captures nobody dequeued, the dequeued ones stay valid.
	 */
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &held, 2000));
	pfd.fd = self->fd;
	ASSERT_EQ(1, poll(&pfd, 1, 2000));	/* one more queued */
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(0, sgt_get_stats(b, &st));
	ASSERT_EQ(0U, st.streaming);
	ASSERT_EQ(0U, st.buffers_total);
	ASSERT_LT(0U, st.discarded);
	pfd.fd = b;
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(POLLHUP, pfd.revents);
	ASSERT_EQ(0, sgt_check_fd((int)held.fd, held.bytes_used,
				  held.sequence, SGCAP_TRANSFORM_NONE, &chk));
	ASSERT_EQ(0U, chk.mismatches);
	ASSERT_EQ(held.crc32c, chk.crc32c);

	/* ownership is free again: B takes it, a newcomer is refused */
	ASSERT_EQ(0, sgt_configure(b, &cfg));
	c = sgt_sim_open(SGT_SIM_ID_IOCTL);
	ASSERT_LE(0, c);
	ASSERT_EQ(-EBUSY, sgt_configure(c, &cfg));
	ASSERT_EQ(-EBUSY, sgt_start(c));
	ASSERT_EQ(0, sgt_start(b));
	ASSERT_EQ(0, sgt_dequeue_wait(b, &dq, 2000));
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(0, close((int)held.fd));
	close(c);
	close(b);
}

TEST_F(ioctl, dequeued_fd)
{
	char path[64], info[1024], want[64];
	struct sgcap_dequeue dq;
	ssize_t n;
	int fl, fd;

	ASSERT_EQ(0, configure_small(self->fd, 0));
	ASSERT_EQ(0, sgt_start(self->fd));
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 2000));
	fl = fcntl((int)dq.fd, F_GETFD);
	ASSERT_LE(0, fl);
	ASSERT_TRUE(fl & FD_CLOEXEC);
	fl = fcntl((int)dq.fd, F_GETFL);
	ASSERT_LE(0, fl);
	ASSERT_EQ(O_RDWR, fl & O_ACCMODE);

	/* it is a dma-buf of this exporter, of the buffer's size */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%u", dq.fd);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, info, sizeof(info) - 1);
	close(fd);
	ASSERT_LT(0, n);
	info[n] = '\0';
	TH_LOG("%s", info);
	ASSERT_NE(NULL, strstr(info, "exp_name:\tsgcap"));
	snprintf(want, sizeof(want), "size:\t%u\n", 4096);
	ASSERT_NE(NULL, strstr(info, want));
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(0, sgt_stop(self->fd));
}

TEST_F(ioctl, poll)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct sgcap_dequeue dq;

	/* nothing ready and nothing coming before START: a hangup */
	ASSERT_EQ(1, poll(&pfd, 1, 0));			/* unconfigured */
	ASSERT_EQ(POLLHUP, pfd.revents);
	ASSERT_EQ(0, configure_small(self->fd, 1));
	ASSERT_EQ(1, poll(&pfd, 1, 0));			/* not started */
	ASSERT_EQ(POLLHUP, pfd.revents);
	ASSERT_EQ(0, sgt_start(self->fd));
	ASSERT_EQ(1, poll(&pfd, 1, 2000));		/* frame 0 */
	ASSERT_EQ(POLLIN, pfd.revents & (POLLIN | POLLERR | POLLHUP));
	ASSERT_EQ(0, sgt_dequeue(self->fd, &dq, SGCAP_DEQUEUE_NONBLOCK));
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(0, poll(&pfd, 1, 0));			/* frame 1 not due */
	ASSERT_EQ(1, poll(&pfd, 1, 3000));		/* frame 1 */
	ASSERT_EQ(POLLIN, pfd.revents & (POLLIN | POLLERR | POLLHUP));
	ASSERT_EQ(0, sgt_stop(self->fd));
	/* stopped, a capture still queued: readable, no hangup yet */
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(POLLIN, pfd.revents & (POLLIN | POLLERR | POLLHUP));
	ASSERT_LE(0, sgt_drain(self->fd));
	ASSERT_EQ(1, poll(&pfd, 1, 0));			/* drained */
	ASSERT_EQ(POLLHUP, pfd.revents);
}

/*
 * Sequence numbers start at 0 with each CONFIGURE and only then: a new
 * session continues after the last frame of the previous one, so the
 * captures still queued from it never see later ones numbered below them.
 */
TEST_F(ioctl, sequence_across_restart)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct sgcap_dequeue dq;
	struct sgcap_stats st;
	uint64_t frames, last;

	ASSERT_EQ(0, configure_small(self->fd, 0));
	ASSERT_EQ(0, sgt_start(self->fd));
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 2000));
	ASSERT_EQ(0U, dq.sequence);
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(0, sgt_stop(self->fd));
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
	frames = st.captures + st.drops_no_buffer + st.drops_injected;
	last = dq.sequence;

	/* the first session's captures first, then the new session's */
	ASSERT_EQ(0, sgt_start(self->fd));
	do {
		ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 2000));
		ASSERT_LT(last, dq.sequence);
		last = dq.sequence;
		ASSERT_EQ(0, close((int)dq.fd));
	} while (dq.sequence < frames);
	/* rate 0 drops nothing: the new session began at the next frame */
	ASSERT_EQ(frames, dq.sequence);

	/* a new configuration discards what is queued and starts over */
	ASSERT_EQ(1, poll(&pfd, 1, 2000));
	ASSERT_EQ(0, sgt_stop(self->fd));
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
	ASSERT_LT(0U, st.buffers_ready);
	ASSERT_EQ(0U, st.discarded);
	frames = st.buffers_ready;
	ASSERT_EQ(0, configure_small(self->fd, 0));
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
	ASSERT_EQ(frames, st.discarded);
	ASSERT_EQ(0U, st.buffers_ready);
	ASSERT_EQ(0, sgt_start(self->fd));
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 2000));
	ASSERT_EQ(0U, dq.sequence);
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(0, sgt_stop(self->fd));
}

/* ---- pinned: the max_pinned_mb module parameter ------------------------- */

#define PINNED_PARAM	"/sys/module/sgcap/parameters/max_pinned_mb"

FIXTURE(pinned) {
	int fd;
	int card;
	char saved[32];
};

static int param_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

static int param_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

FIXTURE_SETUP(pinned)
{
	self->saved[0] = '\0';
	self->fd = fresh_card(SGT_SIM_ID_IOCTL, &self->card);
	ASSERT_LE(0, self->fd) TH_LOG("card: %s", strerror(-self->fd));
	ASSERT_EQ(0, param_read(PINNED_PARAM, self->saved,
				sizeof(self->saved)));
}

FIXTURE_TEARDOWN(pinned)
{
	if (self->saved[0])
		EXPECT_EQ(0, param_write(PINNED_PARAM, self->saved));
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, sgt_sim_del(SGT_SIM_ID_IOCTL));
}

/* The cap covers every pool alive, old ones kept by held captures too. */
TEST_F(pinned, held_pool_counts)
{
	struct sgcap_config cfg;
	struct sgcap_dequeue dq;

	ASSERT_EQ(0, param_write(PINNED_PARAM, "1"));
	sgt_config_init(&cfg, 768 * SGT_KIB, 1, 2, 0, 0);
	ASSERT_EQ(-ENOMEM, sgt_configure(self->fd, &cfg));
	sgt_config_init(&cfg, 768 * SGT_KIB, 1, 1, 0, 0);
	ASSERT_EQ(0, sgt_configure(self->fd, &cfg));
	ASSERT_EQ(0, sgt_start(self->fd));
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 2000));
	ASSERT_EQ(0, sgt_stop(self->fd));
	/* the held capture keeps its pool, and the pool's memory */
	ASSERT_EQ(-ENOMEM, sgt_configure(self->fd, &cfg));
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(0, sgt_configure(self->fd, &cfg));
}

/* ---- mmap --------------------------------------------------------------- */

FIXTURE(mmap) {
	int fd;
	int card;
	struct sgcap_dequeue dq;
};

#define MMAP_SIZE	(64 * SGT_KIB)

FIXTURE_SETUP(mmap)
{
	self->dq.fd = (uint32_t)-1;
	self->fd = fresh_card(SGT_SIM_ID_IOCTL, &self->card);
	ASSERT_LE(0, self->fd) TH_LOG("card: %s", strerror(-self->fd));
	ASSERT_EQ(0, sgt_setup_stream(self->fd, MMAP_SIZE, 1, 4, 0, 0));
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &self->dq, 2000));
}

FIXTURE_TEARDOWN(mmap)
{
	if ((int)self->dq.fd >= 0)
		close((int)self->dq.fd);
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, sgt_sim_del(SGT_SIM_ID_IOCTL));
}

TEST_F(mmap, map_private)
{
	void *p;

	p = mmap(NULL, MMAP_SIZE, PROT_READ, MAP_PRIVATE, (int)self->dq.fd, 0);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(mmap, beyond_the_buffer)
{
	size_t page = sgt_page_size();
	void *p;

	p = mmap(NULL, MMAP_SIZE + page, PROT_READ, MAP_SHARED,
		 (int)self->dq.fd, 0);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	p = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, (int)self->dq.fd,
		 (off_t)(MMAP_SIZE - page));
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, (int)self->dq.fd,
		 (off_t)MMAP_SIZE);
	ASSERT_EQ(MAP_FAILED, p);
	ASSERT_EQ(EINVAL, errno);
	/* the last page itself is fine */
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, (int)self->dq.fd,
		 (off_t)(MMAP_SIZE - page));
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0U, sgt_compare(p, MMAP_SIZE - page, page,
				  self->dq.sequence, 0, NULL));
	munmap(p, page);
}

TEST_F(mmap, page_offset)
{
	size_t page = sgt_page_size();
	unsigned int pg;
	uint8_t *p;

	for (pg = 1; pg < MMAP_SIZE / page; pg += 5) {
		size_t len = (MMAP_SIZE / page - pg) * page;

		if (len > 3 * page)
			len = 3 * page;
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, (int)self->dq.fd,
			 (off_t)(pg * page));
		ASSERT_NE(MAP_FAILED, p) TH_LOG("page %u", pg);
		ASSERT_EQ(0U, sgt_compare(p, pg * page, len,
					  self->dq.sequence, 0, NULL))
			TH_LOG("page %u", pg);
		munmap(p, len);
	}
}

/* ---- segments ----------------------------------------------------------- */

FIXTURE(segments) {
	int fd;
	int card;
	struct sgcap_caps caps;
};

FIXTURE_SETUP(segments)
{
	self->fd = fresh_card(SGT_SIM_ID_SEGMENTS, &self->card);
	ASSERT_LE(0, self->fd) TH_LOG("card: %s", strerror(-self->fd));
	ASSERT_EQ(0, sgt_get_caps(self->fd, &self->caps));
}

FIXTURE_TEARDOWN(segments)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, sgt_sim_del(SGT_SIM_ID_SEGMENTS));
}

static unsigned int seg_count(const struct sgcap_caps *caps)
{
	return caps->min_buffers > 2 ? caps->min_buffers : 2;
}

TEST_F(segments, too_many_segments)
{
	struct sgcap_config cfg;
	struct sgcap_stats st;
	char line[512];

	/* 640 KiB at order 1 is 80 segments */
	ASSERT_EQ(0, sgt_dbg_write_u64(self->card, "sim/max_segments", 10));
	sgt_config_init(&cfg, SGT_DEFAULT_SIZE, 1, SGT_DEFAULT_COUNT,
			0, 0);
	ASSERT_EQ(-ENOMEM, sgt_configure(self->fd, &cfg));
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
	ASSERT_EQ(0U, st.buffers_total);
	ASSERT_EQ(0U, st.buffers_free);
	ASSERT_EQ(-ENOENT, sgt_dbg_buffer_line(self->card, 0, line,
					       sizeof(line)));
	ASSERT_EQ(-EINVAL, sgt_start(self->fd));	/* nothing configured */
}

TEST_F(segments, large_chunks_fit)
{
	struct sgcap_config cfg;
	struct sgcap_dequeue dq;
	struct sgt_check chk;
	char line[512];
	int err;

	ASSERT_LE(4U, self->caps.max_order);
	ASSERT_EQ(0, sgt_dbg_write_u64(self->card, "sim/max_segments", 10));
	/* order 4 = 64 KiB chunks, 10 of them */
	sgt_config_init(&cfg, SGT_DEFAULT_SIZE, 4, seg_count(&self->caps),
			0, 0);
	err = sgt_configure(self->fd, &cfg);
	if (err == -ENOMEM)
		SKIP(return, "no order-4 pages (fragmented memory)");
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, sgt_start(self->fd));
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 2000));
	ASSERT_EQ(10U, dq.chunk_count);
	ASSERT_EQ(0, sgt_check_fd((int)dq.fd, dq.bytes_used, dq.sequence, 0,
				  &chk));
	ASSERT_EQ(0U, chk.mismatches);
	ASSERT_EQ(dq.crc32c, chk.crc32c);
	ASSERT_EQ(0, sgt_dbg_buffer_line(self->card, dq.buffer_index, line,
					 sizeof(line)));
	ASSERT_TRUE(sgt_has_run(line, 4, 10)) TH_LOG("%s", line);
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(0, sgt_stop(self->fd));
}

TEST_F(segments, small_segment_size)
{
	struct sgcap_config cfg;
	struct sgcap_dequeue dq;
	struct sgt_check chk;
	char line[512];

	/* one page per segment: order 1 falls back to order 0 */
	ASSERT_EQ(0, sgt_dbg_write_u64(self->card, "sim/max_segment_size",
				       4096));
	sgt_config_init(&cfg, SGT_DEFAULT_SIZE, 1, seg_count(&self->caps),
			0, 0);
	ASSERT_EQ(0, sgt_configure(self->fd, &cfg));
	ASSERT_EQ(0, sgt_start(self->fd));
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 2000));
	ASSERT_EQ(160U, dq.chunk_count);
	/* GET_CONFIG reports the order asked for, not the one used */
	ASSERT_EQ(0, sgt_get_config(self->fd, &cfg));
	ASSERT_EQ(1U, cfg.chunk_order);
	ASSERT_EQ(0, sgt_check_fd((int)dq.fd, dq.bytes_used, dq.sequence, 0,
				  &chk));
	ASSERT_EQ(0U, chk.mismatches);
	ASSERT_EQ(dq.crc32c, chk.crc32c);
	ASSERT_EQ(0, sgt_dbg_buffer_line(self->card, dq.buffer_index, line,
					 sizeof(line)));
	ASSERT_TRUE(sgt_has_run(line, 0, 160)) TH_LOG("%s", line);
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(0, sgt_stop(self->fd));
}

TEST_HARNESS_MAIN
