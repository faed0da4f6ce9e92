// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap selftests: the PCI backend on QEMU's edu device.
 *
 * caps       what the card reports, and where its buffers come from:
 *            anywhere behind the IOMMU, ZONE_DMA without it (28-bit DMA)
 * stream     every byte (through mmap) and the CRC of consecutive captures
 *            the device DMAed, over sizes and chunk orders; no error, no drop
 * transform  SWAP16 on a capture the device wrote
 * vgem       a capture imported by vgem and re-exported
 * stop       STOP while a transfer is in flight, then a new pool and start
 * limits     the card's segment size caps the chunk order; too many
 *            segments are refused
 *
 * Each transfer of the device takes 100 ms of virtual time; the bed boots
 * with -icount so that idle waits cost nothing. Removal is in
 * sgcap_pci_unplug_test.c. Without an edu device every test is skipped.
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

/* Bytes the device moves per transfer pair; see sgcap_pci.c. */
#define EDU_BLOCK		2048U
#define EDU_MAX_SEGMENTS	1024U
#define EDU_MAX_SEG_SIZE	65536U
#define EDU_BUFFERS		3U
/* A 16 KiB capture is 16 transfers, 1.6 s of virtual time. */
#define EDU_WAIT_S		30

/* Open the edu card and the kernel log; skip without the device. */
static void edu_card_open(struct __test_metadata *_metadata, int *fd,
			  int *card, int *kmsg)
{
	char dev[256];

	*fd = -1;
	*kmsg = sgt_kmsg_open();
	if (sgt_edu_find(dev, sizeof(dev)))
		SKIP(return, "no edu device");
	/* A kernel that cannot meet its 28-bit DMA mask refuses the probe. */
	if (!sgt_dev_driver_is(dev, "sgcap_edu"))
		SKIP(return, "%s not driven by sgcap_edu: see the kernel log",
		     dev);
	*card = sgt_dev_card_index(dev);
	ASSERT_LE(0, *card) TH_LOG("%s is not an sgcap card", dev);
	*fd = sgt_card_open(*card);
	ASSERT_LE(0, *fd) TH_LOG("open: %s", strerror(-*fd));
}

static void edu_card_close(struct __test_metadata *_metadata, int fd,
			   int kmsg)
{
	struct sgcap_stats st;
	char first[256];

	if (fd >= 0) {
		/* No test expects a DMA error or a lost frame. */
		if (!sgt_get_stats(fd, &st)) {
			EXPECT_EQ(0U, st.errors);
			EXPECT_EQ(0U, st.drops_no_buffer);
		}
		close(fd);
	}
	if (kmsg >= 0) {
		EXPECT_EQ(0, sgt_kmsg_splats(kmsg, first, sizeof(first)))
			TH_LOG("kernel log: %s", first);
		close(kmsg);
	}
}

FIXTURE(edu) {
	int fd;
	int card;
	int kmsg;
};

FIXTURE_SETUP(edu)
{
	edu_card_open(_metadata, &self->fd, &self->card, &self->kmsg);
}

FIXTURE_TEARDOWN(edu)
{
	edu_card_close(_metadata, self->fd, self->kmsg);
}

FIXTURE(edu_stream) {
	int fd;
	int card;
	int kmsg;
};

FIXTURE_VARIANT(edu_stream) {
	uint64_t size;
	unsigned int order;
};

FIXTURE_VARIANT_ADD(edu_stream, o0_16k) { .size = 16384, .order = 0 };
FIXTURE_VARIANT_ADD(edu_stream, o2_16k) { .size = 16384, .order = 2 };
/* a partial page and a partial block at the end */
FIXTURE_VARIANT_ADD(edu_stream, o1_12345) { .size = 12345, .order = 1 };
FIXTURE_VARIANT_ADD(edu_stream, o0_4096) { .size = 4096, .order = 0 };

FIXTURE_SETUP(edu_stream)
{
	edu_card_open(_metadata, &self->fd, &self->card, &self->kmsg);
}

FIXTURE_TEARDOWN(edu_stream)
{
	edu_card_close(_metadata, self->fd, self->kmsg);
}

/* A "key value" line of the card's debugfs edu/info. */
static int edu_info(int card, const char *key, char *val, size_t len)
{
	char buf[512], *line, *save = NULL;
	size_t klen = strlen(key);
	int n;

	n = sgt_dbg_read(card, "edu/info", buf, sizeof(buf));
	if (n < 0)
		return n;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, klen) || line[klen] != ' ')
			continue;
		snprintf(val, len, "%s", line + klen + 1);
		return 0;
	}
	return -ENOENT;
}

static uint64_t edu_transfers(int card)
{
	char val[32];

	if (edu_info(card, "transfers", val, sizeof(val)))
		return 0;
	return strtoull(val, NULL, 10);
}

/* Transfers one capture takes: two per block, blocks within a page. */
static uint64_t edu_capture_transfers(uint64_t size)
{
	return 2 * ((size + EDU_BLOCK - 1) / EDU_BLOCK);
}

TEST_F(edu, caps)
{
	const char *iommu = getenv("sgcap_iommu");
	struct sgcap_caps caps;
	char val[32];

	ASSERT_EQ(0, sgt_get_caps(self->fd, &caps));
	ASSERT_EQ((__u32)SGCAP_BACKEND_PCI_EDU, caps.backend);
	ASSERT_EQ(SGCAP_FEAT_PATTERN | SGCAP_FEAT_CRC32C |
		  SGCAP_FEAT_TRANSFORM_SWAP16, caps.features);
	ASSERT_EQ(EDU_MAX_SEGMENTS, caps.max_segments);
	ASSERT_EQ(EDU_MAX_SEG_SIZE, caps.max_segment_size);

	ASSERT_EQ(0, edu_info(self->card, "dma_bits", val, sizeof(val)));
	ASSERT_STREQ("28", val);
	ASSERT_EQ(0, edu_info(self->card, "iommu", val, sizeof(val)));
	TH_LOG("iommu %s (bed: %s)", val, iommu ? iommu : "?");
	if (iommu)
		ASSERT_STREQ(iommu, val);
	ASSERT_EQ(0, edu_info(self->card, "zone", val, sizeof(val)));
	TH_LOG("buffer pages from zone %s", val);
	/* 1 GiB guests: only the IOMMU makes all of memory reachable. */
	if (iommu)
		ASSERT_STREQ(!strcmp(iommu, "1") ? "any" : "dma", val);
}

TEST_F_TIMEOUT(edu_stream, capture, 120)
{
	const unsigned int captures = 4;
	uint64_t xfers = edu_transfers(self->card);
	struct sgcap_stats st0, st;
	struct sgcap_dequeue dq;
	struct sgt_check chk;
	unsigned int i;

	/* the counters are the card's, since its probe */
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st0));
	ASSERT_EQ(0, sgt_setup_stream(self->fd, variant->size, variant->order,
				      EDU_BUFFERS, 0, SGCAP_TRANSFORM_NONE));
	for (i = 0; i < captures; i++) {
		ASSERT_EQ(0, sgt_dequeue_blocking(self->fd, &dq, EDU_WAIT_S))
			TH_LOG("capture %u", i);
		/* the card waits for buffers: no gap */
		ASSERT_EQ(i, dq.sequence);
		ASSERT_EQ(variant->size, dq.bytes_used);
		ASSERT_EQ(0U, dq.capture_flags);
		ASSERT_EQ(0U, dq.pattern_mismatches);
		ASSERT_EQ(sgt_expected_chunks(variant->size, variant->order),
			  dq.chunk_count);
		ASSERT_EQ(sgt_expected_crc(variant->size, dq.sequence,
					   SGCAP_TRANSFORM_NONE), dq.crc32c);
		ASSERT_EQ(0, sgt_check_fd((int)dq.fd, dq.bytes_used,
					  dq.sequence, SGCAP_TRANSFORM_NONE,
					  &chk));
		ASSERT_EQ(0U, chk.mismatches)
			TH_LOG("seq %llu: %llu bad bytes, first at %llu",
			       (unsigned long long)dq.sequence,
			       (unsigned long long)chk.mismatches,
			       (unsigned long long)chk.first_bad);
		ASSERT_EQ(dq.crc32c, chk.crc32c);
		ASSERT_EQ(0, close((int)dq.fd));
	}
	ASSERT_EQ(0, sgt_stop(self->fd));

	ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
	ASSERT_LE(st0.captures + captures, st.captures);
	ASSERT_EQ(0U, st.errors);
	ASSERT_EQ(0U, st.drops_no_buffer);
	ASSERT_EQ(0U, st.buffers_card);
	/* every byte went through the device */
	ASSERT_LE(xfers + (st.captures - st0.captures) *
		  edu_capture_transfers(variant->size),
		  edu_transfers(self->card));
}

TEST_F(edu, transform)
{
	struct sgcap_dequeue dq;
	struct sgt_check chk;

	ASSERT_EQ(0, sgt_setup_stream(self->fd, 8192, 1, EDU_BUFFERS, 0,
				      SGCAP_TRANSFORM_SWAP16));
	ASSERT_EQ(0, sgt_dequeue_blocking(self->fd, &dq, EDU_WAIT_S));
	ASSERT_EQ(SGCAP_CAPTURE_TRANSFORMED, dq.capture_flags);
	ASSERT_EQ(0U, dq.pattern_mismatches);	/* checked before */
	ASSERT_EQ(0, sgt_check_fd((int)dq.fd, dq.bytes_used, dq.sequence,
				  SGCAP_TRANSFORM_SWAP16, &chk));
	ASSERT_EQ(0U, chk.mismatches);
	ASSERT_EQ(dq.crc32c, chk.crc32c);
	ASSERT_EQ(sgt_expected_crc(8192, dq.sequence, SGCAP_TRANSFORM_SWAP16),
		  dq.crc32c);
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(0, sgt_stop(self->fd));
}

TEST_F(edu, vgem)
{
	struct sgcap_dequeue dq;
	struct sgt_check chk;
	struct stat s1, s2;
	char line[1024];
	uint32_t handle;
	int drm, fd2 = -1;

	drm = sgt_open_vgem();
	if (drm < 0)
		SKIP(return, "no vgem device");
	ASSERT_EQ(0, sgt_setup_stream(self->fd, 16384, 0, EDU_BUFFERS, 0,
				      SGCAP_TRANSFORM_NONE));
	ASSERT_EQ(0, sgt_dequeue_blocking(self->fd, &dq, EDU_WAIT_S));
	ASSERT_EQ(0, sgt_stop(self->fd));

	ASSERT_EQ(0, drmPrimeFDToHandle(drm, (int)dq.fd, &handle));
	ASSERT_EQ(0, sgt_dbg_buffer_line(self->card, dq.buffer_index, line,
					 sizeof(line)));
	TH_LOG("imported: %s", line);
	ASSERT_NE(NULL, strstr(line, "vgem"));

	ASSERT_EQ(0, drmPrimeHandleToFD(drm, handle, DRM_CLOEXEC | DRM_RDWR,
					&fd2));
	ASSERT_EQ(0, fstat((int)dq.fd, &s1));
	ASSERT_EQ(0, fstat(fd2, &s2));
	ASSERT_EQ(s1.st_ino, s2.st_ino);
	ASSERT_EQ(0, sgt_check_fd(fd2, dq.bytes_used, dq.sequence,
				  SGCAP_TRANSFORM_NONE, &chk));
	ASSERT_EQ(0U, chk.mismatches);
	ASSERT_EQ(dq.crc32c, chk.crc32c);

	ASSERT_EQ(0, drmCloseBufferHandle(drm, handle));
	ASSERT_EQ(0, close(fd2));
	ASSERT_EQ(0, close((int)dq.fd));
	close(drm);
}

/*
 * STOP at several points of a capture: the device cannot abort a transfer,
 * so STOP waits for it; the pool it wrote to is then freed by the next
 * CONFIGURE while nothing is in flight. Each restart counts from 0.
 */
TEST_F(edu, stop)
{
	static const unsigned int delays_ms[] = { 0, 50, 150, 250, 420 };
	struct sgcap_dequeue dq;
	struct sgcap_stats st;
	struct sgt_check chk;
	unsigned int i;
	uint64_t t0;

	for (i = 0; i < ARRAY_SIZE(delays_ms); i++) {
		uint64_t size = 8192 + 1024 * i;

		ASSERT_EQ(0, sgt_setup_stream(self->fd, size, i % 2,
					      EDU_BUFFERS, 0,
					      SGCAP_TRANSFORM_NONE));
		sgt_sleep_ms(delays_ms[i]);
		t0 = sgt_now_ns();
		ASSERT_EQ(0, sgt_stop(self->fd));
		/* at most the rest of one transfer (100 ms) */
		ASSERT_GT(1000000000ULL, sgt_now_ns() - t0);
		ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
		ASSERT_EQ(0U, st.streaming);
		ASSERT_EQ(0U, st.buffers_card);
		ASSERT_LE(0, sgt_drain(self->fd));
	}

	ASSERT_EQ(0, sgt_setup_stream(self->fd, 4096, 0, EDU_BUFFERS, 0,
				      SGCAP_TRANSFORM_NONE));
	ASSERT_EQ(0, sgt_dequeue_blocking(self->fd, &dq, EDU_WAIT_S));
	ASSERT_EQ(0U, dq.sequence);
	ASSERT_EQ(0, sgt_check_fd((int)dq.fd, dq.bytes_used, dq.sequence,
				  SGCAP_TRANSFORM_NONE, &chk));
	ASSERT_EQ(0U, chk.mismatches);
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(0, sgt_stop(self->fd));
}

TEST_F(edu, limits)
{
	struct sgcap_config cfg;
	char line[1024];

	/* 64 KiB segments: order 4 chunks at most, whatever is asked */
	sgt_config_init(&cfg, 256 * SGT_KIB, 6, 1, 0, SGCAP_TRANSFORM_NONE);
	ASSERT_EQ(0, sgt_configure(self->fd, &cfg));
	ASSERT_EQ(0, sgt_dbg_buffer_line(self->card, 0, line, sizeof(line)));
	TH_LOG("%s", line);
	ASSERT_TRUE(sgt_has_run(line, 4, 4));

	/* 1025 pages in single pages: more segments than the card takes */
	sgt_config_init(&cfg, 1025 * 4096ULL, 0, 1, 0, SGCAP_TRANSFORM_NONE);
	ASSERT_EQ(-ENOMEM, sgt_configure(self->fd, &cfg));
}

TEST_HARNESS_MAIN
