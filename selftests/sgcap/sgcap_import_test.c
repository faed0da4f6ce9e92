// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap selftests: a capture imported by another driver.
 *
 * vgem  imports the dma-buf as a GEM object (dma_buf_attach + map), shows up
 *       as an attachment in debugfs `buffers`, re-exports the very same
 *       dma-buf and lets go of it again when the GEM handle is closed.
 *
 * Importing through vivid's video output node comes with a later issue.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <xf86drm.h>

#include "sgcap_harness.h"
#include "sgcap_util.h"

FIXTURE(vgem) {
	int fd;
	int card;
	int drm;
};

FIXTURE_SETUP(vgem)
{
	self->fd = -1;
	self->drm = sgt_open_vgem();
	if (self->drm < 0)
		SKIP(return, "no vgem device");
	self->card = sgt_sim_card_index(SGT_SIM_DEFAULT_ID);
	ASSERT_LE(0, self->card);
	self->fd = sgt_sim_open(SGT_SIM_DEFAULT_ID);
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(-self->fd));
	ASSERT_EQ(0, sgt_setup_stream(self->fd, SGT_DEFAULT_SIZE,
				      SGT_DEFAULT_ORDER,
				      SGT_DEFAULT_COUNT, 0,
				      SGCAP_TRANSFORM_NONE));
}

FIXTURE_TEARDOWN(vgem)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->drm >= 0)
		close(self->drm);
}

TEST_F(vgem, import_reexport)
{
	struct sgcap_dequeue dq;
	struct sgt_check chk;
	struct sgcap_stats st;
	struct stat s1, s2;
	char line[1024];
	uint32_t handle;
	int fd2 = -1;

	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 5000));
	/* stop: no other capture comes or goes while we look */
	ASSERT_EQ(0, sgt_stop(self->fd));
	ASSERT_LE(0, sgt_drain(self->fd));

	ASSERT_EQ(0, sgt_dbg_buffer_line(self->card, dq.buffer_index, line,
					 sizeof(line)));
	ASSERT_NE(NULL, strstr(line, "HELD")) TH_LOG("%s", line);
	ASSERT_EQ(NULL, strstr(line, "vgem")) TH_LOG("%s", line);

	ASSERT_EQ(0, drmPrimeFDToHandle(self->drm, (int)dq.fd, &handle));
	ASSERT_EQ(0, sgt_dbg_buffer_line(self->card, dq.buffer_index, line,
					 sizeof(line)));
	TH_LOG("imported: %s", line);
	ASSERT_NE(NULL, strstr(line, "vgem"));

	/* re-exporting an imported object hands out the same dma-buf */
	ASSERT_EQ(0, drmPrimeHandleToFD(self->drm, handle,
					DRM_CLOEXEC | DRM_RDWR, &fd2));
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, fstat((int)dq.fd, &s1));
	ASSERT_EQ(0, fstat(fd2, &s2));
	ASSERT_EQ(s1.st_ino, s2.st_ino);
	ASSERT_EQ(s1.st_dev, s2.st_dev);
	ASSERT_EQ(0, sgt_check_fd(fd2, dq.bytes_used, dq.sequence,
				  SGCAP_TRANSFORM_NONE, &chk));
	ASSERT_EQ(0U, chk.mismatches);
	ASSERT_EQ(dq.crc32c, chk.crc32c);

	/* closing the handle detaches */
	ASSERT_EQ(0, drmCloseBufferHandle(self->drm, handle));
	ASSERT_EQ(0, sgt_dbg_buffer_line(self->card, dq.buffer_index, line,
					 sizeof(line)));
	ASSERT_EQ(NULL, strstr(line, "vgem")) TH_LOG("%s", line);
	ASSERT_NE(NULL, strstr(line, "HELD")) TH_LOG("%s", line);

	/* two fds, one dma-buf: it goes back only after both are closed */
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
	ASSERT_EQ(1U, st.buffers_held);
	ASSERT_EQ(0, close(fd2));
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
	ASSERT_EQ(0U, st.buffers_held);
}

TEST_HARNESS_MAIN
