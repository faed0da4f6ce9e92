// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap selftests: simulated cards coming and going.
 *
 * bus     new_device / del_device and their error codes
 * remove  deleting a card (ID SGT_SIM_ID_TEARDOWN) under an open file, a
 *         blocked DEQUEUE and held, mapped captures: the captures stay
 *         readable, the file only gets -ENODEV, poll reports an error
 *
 * Module unload with a held capture is zz_rmmod.sh (sgcap_rmmod.sh).
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
#include <sys/stat.h>
#include <sys/wait.h>

#include <linux/dma-buf.h>

#include "sgcap_harness.h"
#include "sgcap_util.h"

#define SYNC_START_READ	(DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ)
#define SYNC_END_READ	(DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ)

/* ---- bus ---------------------------------------------------------------- */

FIXTURE(bus) {
	int unused;
};

FIXTURE_SETUP(bus)
{
	if (sgt_sim_exists(SGT_SIM_ID_BUS))
		sgt_sim_del(SGT_SIM_ID_BUS);
	if (sgt_sim_exists(SGT_SIM_ID_BUS + 1))
		sgt_sim_del(SGT_SIM_ID_BUS + 1);
}

FIXTURE_TEARDOWN(bus)
{
	if (sgt_sim_exists(SGT_SIM_ID_BUS))
		sgt_sim_del(SGT_SIM_ID_BUS);
	if (sgt_sim_exists(SGT_SIM_ID_BUS + 1))
		sgt_sim_del(SGT_SIM_ID_BUS + 1);
}

TEST_F(bus, new_and_del)
{
	char p1[64], p2[64];
	struct sgcap_caps caps;
	int fd;

	ASSERT_EQ(-ENOENT, sgt_sim_del(SGT_SIM_ID_BUS));
	ASSERT_EQ(0, sgt_sim_new(SGT_SIM_ID_BUS));
	ASSERT_TRUE(sgt_sim_exists(SGT_SIM_ID_BUS));
	ASSERT_EQ(-EEXIST, sgt_sim_new(SGT_SIM_ID_BUS));
	ASSERT_EQ(0, sgt_sim_new(SGT_SIM_ID_BUS + 1));

	/* two cards, two nodes */
	ASSERT_EQ(0, sgt_sim_dev_path(SGT_SIM_ID_BUS, p1, sizeof(p1)));
	ASSERT_EQ(0, sgt_sim_dev_path(SGT_SIM_ID_BUS + 1, p2, sizeof(p2)));
	ASSERT_NE(0, strcmp(p1, p2));
	fd = sgt_sim_open(SGT_SIM_ID_BUS + 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sgt_get_caps(fd, &caps));
	ASSERT_EQ((__u32)SGCAP_BACKEND_SIM, caps.backend);
	close(fd);

	/* the debugfs directory follows the card */
	fd = sgt_sim_card_index(SGT_SIM_ID_BUS);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sgt_dbg_path(fd, "stats", p2, sizeof(p2)));
	ASSERT_EQ(0, access(p2, R_OK));

	ASSERT_EQ(0, sgt_sim_del(SGT_SIM_ID_BUS));
	ASSERT_FALSE(sgt_sim_exists(SGT_SIM_ID_BUS));
	ASSERT_NE(0, access(p1, F_OK));
	ASSERT_NE(0, access(p2, F_OK));
	ASSERT_EQ(-ENOENT, sgt_sim_del(SGT_SIM_ID_BUS));
	ASSERT_EQ(0, sgt_sim_del(SGT_SIM_ID_BUS + 1));

	/* and the ID can be used again */
	ASSERT_EQ(0, sgt_sim_new(SGT_SIM_ID_BUS));
	ASSERT_EQ(0, sgt_sim_del(SGT_SIM_ID_BUS));
}

TEST_F(bus, bad_text)
{
	ASSERT_EQ(-EINVAL, sgt_sim_write_bus("new_device", "abc"));
	ASSERT_EQ(-EINVAL, sgt_sim_write_bus("new_device", "x5"));
	ASSERT_EQ(-EINVAL, sgt_sim_write_bus("del_device", "abc"));
	ASSERT_EQ(-EINVAL, sgt_sim_write_bus("del_device", "x5"));
}

/* ---- remove ------------------------------------------------------------- */

FIXTURE(remove) {
	int fd;
	int card;
	int kmsg;
};

FIXTURE_SETUP(remove)
{
	int err;

	self->fd = -1;
	self->kmsg = sgt_kmsg_open();
	if (sgt_sim_exists(SGT_SIM_ID_TEARDOWN))
		sgt_sim_del(SGT_SIM_ID_TEARDOWN);
	err = sgt_sim_new(SGT_SIM_ID_TEARDOWN);
	ASSERT_EQ(0, err) TH_LOG("new_device: %s", strerror(-err));
	self->card = sgt_sim_card_index(SGT_SIM_ID_TEARDOWN);
	ASSERT_LE(0, self->card);
	self->fd = sgt_sim_open(SGT_SIM_ID_TEARDOWN);
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(remove)
{
	char first[256];

	if (self->fd >= 0)
		close(self->fd);
	if (sgt_sim_exists(SGT_SIM_ID_TEARDOWN))
		sgt_sim_del(SGT_SIM_ID_TEARDOWN);
	if (self->kmsg >= 0) {
		EXPECT_EQ(0, sgt_kmsg_splats(self->kmsg, first,
					     sizeof(first)))
			TH_LOG("kernel log: %s", first);
		close(self->kmsg);
	}
}

static void expect_enodev(struct __test_metadata *_metadata, int fd)
{
	struct sgcap_caps caps;
	struct sgcap_config cfg;
	struct sgcap_stats st;
	struct sgcap_dequeue dq;

	sgt_config_init(&cfg, 4096, 0, 4, 0, 0);
	EXPECT_EQ(-ENODEV, sgt_get_caps(fd, &caps));
	EXPECT_EQ(-ENODEV, sgt_get_config(fd, &cfg));
	EXPECT_EQ(-ENODEV, sgt_get_stats(fd, &st));
	sgt_config_init(&cfg, 4096, 0, 4, 0, 0);
	EXPECT_EQ(-ENODEV, sgt_configure(fd, &cfg));
	EXPECT_EQ(-ENODEV, sgt_start(fd));
	EXPECT_EQ(-ENODEV, sgt_stop(fd));
	EXPECT_EQ(-ENODEV, sgt_dequeue(fd, &dq, SGCAP_DEQUEUE_NONBLOCK));
	EXPECT_EQ(-ENODEV, sgt_dequeue_blocking(fd, &dq, 5));
}

TEST_F(remove, held_capture_survives)
{
	struct sgcap_dequeue held[16], dq;
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct sgcap_caps caps;
	struct sgt_check chk;
	char path[64];
	unsigned int count, i;
	int status = 0;
	void *map;
	pid_t pid, w = 0;

	ASSERT_EQ(0, sgt_sim_dev_path(SGT_SIM_ID_TEARDOWN, path,
				      sizeof(path)));
	ASSERT_EQ(0, sgt_get_caps(self->fd, &caps));
	count = caps.min_buffers > 2 ? caps.min_buffers : 2;
	ASSERT_GE(16U, count) TH_LOG("min_buffers %u: too many to hold",
				     caps.min_buffers);

	/* rate 0 and every buffer held: nothing can become ready */
	ASSERT_EQ(0, sgt_setup_stream(self->fd, SGT_DEFAULT_SIZE,
				      SGT_DEFAULT_ORDER, count, 0,
				      SGCAP_TRANSFORM_NONE));
	for (i = 0; i < count; i++)
		ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &held[i], 2000));
	map = mmap(NULL, SGT_DEFAULT_SIZE, PROT_READ, MAP_SHARED,
		   (int)held[0].fd, 0);
	ASSERT_NE(MAP_FAILED, map);

	/* a blocked DEQUEUE (same open file) is woken by the removal */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int err = sgt_dequeue_blocking(self->fd, &dq, 10);

		_exit(err == -ENODEV ? 0 : err == 0 ? 100 : -err);
	}
	sgt_sleep_ms(300);
	ASSERT_EQ(0, waitpid(pid, &status, WNOHANG)) TH_LOG("did not block");

	ASSERT_EQ(0, sgt_sim_del(SGT_SIM_ID_TEARDOWN));

	for (i = 0; i < 100; i++) {
		w = waitpid(pid, &status, WNOHANG);
		if (w)
			break;
		sgt_sleep_ms(50);
	}
	if (!w) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	ASSERT_EQ(pid, w) TH_LOG("blocked DEQUEUE not woken by the removal");
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status))
		TH_LOG("blocked DEQUEUE returned %d", WEXITSTATUS(status));

	/* the card is gone */
	ASSERT_FALSE(sgt_sim_exists(SGT_SIM_ID_TEARDOWN));
	ASSERT_EQ(-1, open(path, O_RDWR));
	ASSERT_TRUE(errno == ENOENT || errno == ENODEV) TH_LOG("%d", errno);
	expect_enodev(_metadata, self->fd);
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_TRUE(pfd.revents & (POLLERR | POLLHUP));

	/* the captures are not: the mapping, and a new one */
	ASSERT_EQ(0, sgt_sync((int)held[0].fd, SYNC_START_READ));
	ASSERT_EQ(0U, sgt_compare(map, 0, SGT_DEFAULT_SIZE,
				  held[0].sequence, 0, NULL));
	ASSERT_EQ(held[0].crc32c, sgt_crc(map, SGT_DEFAULT_SIZE));
	ASSERT_EQ(0, sgt_sync((int)held[0].fd, SYNC_END_READ));
	ASSERT_EQ(0, sgt_check_fd((int)held[1].fd, held[1].bytes_used,
				  held[1].sequence, 0, &chk));
	ASSERT_EQ(0U, chk.mismatches);
	ASSERT_EQ(held[1].crc32c, chk.crc32c);

	/* let go in an unusual order: card file first, then the buffers */
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(0, close((int)held[0].fd));
	ASSERT_EQ(0U, sgt_compare(map, 0, SGT_DEFAULT_SIZE,
				  held[0].sequence, 0, NULL));
	ASSERT_EQ(0, munmap(map, SGT_DEFAULT_SIZE));
	for (i = 1; i < count; i++)
		ASSERT_EQ(0, close((int)held[i].fd));

	/* the ID is free again */
	ASSERT_EQ(0, sgt_sim_new(SGT_SIM_ID_TEARDOWN));
}

/* Removal while streaming, with captures ready and nothing held. */
TEST_F(remove, while_streaming)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };

	ASSERT_EQ(0, sgt_setup_stream(self->fd, SGT_DEFAULT_SIZE,
				      SGT_DEFAULT_ORDER,
				      SGT_DEFAULT_COUNT, 0,
				      SGCAP_TRANSFORM_NONE));
	ASSERT_EQ(1, poll(&pfd, 1, 2000));
	sgt_sleep_ms(50);
	ASSERT_EQ(0, sgt_sim_del(SGT_SIM_ID_TEARDOWN));
	expect_enodev(_metadata, self->fd);
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_TRUE(pfd.revents & (POLLERR | POLLHUP));
}

/* Removal of a card nobody has open, configured and stopped. */
TEST_F(remove, idle_configured)
{
	struct sgcap_dequeue dq;
	struct sgt_check chk;

	ASSERT_EQ(0, sgt_setup_stream(self->fd, 100 * SGT_KIB, 2, 4, 0,
				      SGCAP_TRANSFORM_NONE));
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 2000));
	ASSERT_EQ(0, close(self->fd));	/* the owner goes: stops streaming */
	self->fd = -1;
	ASSERT_EQ(0, sgt_sim_del(SGT_SIM_ID_TEARDOWN));
	ASSERT_EQ(0, sgt_check_fd((int)dq.fd, dq.bytes_used, dq.sequence,
				  0, &chk));
	ASSERT_EQ(0U, chk.mismatches);
	ASSERT_EQ(dq.crc32c, chk.crc32c);
	ASSERT_EQ(0, close((int)dq.fd));
}

TEST_HARNESS_MAIN
