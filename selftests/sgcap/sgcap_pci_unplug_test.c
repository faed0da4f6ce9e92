// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap selftests: the edu card removed while its captures are in use.
 *
 * Before the removal the card streams, a second process keeps dequeueing
 * (so that a transfer is in flight and a DEQUEUE blocked), this process
 * holds one capture mapped and one imported by vgem. After it, the captures
 * still read back intact through the mapping and through vgem's re-export,
 * the card file only gets -ENODEV, poll() reports an error, the blocked
 * DEQUEUE returns -ENODEV, no kernel splat; once the holders let go every
 * capture is released: the module's reference count is back where it was.
 *
 * sysfs_remove  echo 1 > /sys/bus/pci/devices/.../remove: the driver's
 *               remove path as for a hot-unplug; a bus rescan then brings
 *               the card back, and it captures again
 * device_del    a real hot-unplug: the bed's host side runs QEMU's
 *               device_del when it sees "SGCAP-HOST-REQUEST device_del edu0"
 *               on the console (offered with sgcap_hotplug=1 on the kernel
 *               command line); the device is then gone for good, so this
 *               runs last
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "sgcap_harness.h"
#include "sgcap_util.h"

#define CAPTURE_SIZE	8192U
#define WAIT_S		30

/* References to the module: open card files and live dma-bufs among them. */
static long module_refs(void)
{
	char text[32];
	long refs = -1;
	FILE *f;

	f = fopen("/sys/module/sgcap/refcnt", "re");
	if (!f)
		return -errno;
	if (fgets(text, sizeof(text), f))
		refs = strtol(text, NULL, 10);
	fclose(f);
	return refs;
}

static int write_text(const char *path, const char *text)
{
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/*
 * Does the kernel drive a hot-plug slot for the device of sysfs directory
 * @dev (ACPI or PCIe hot-plug)? Its slot's address is the device's
 * domain:bus:device.
 */
static bool in_hotplug_slot(const char *dev)
{
	const char *bdf = strrchr(dev, '/') + 1;
	char path[300], addr[32];
	struct dirent *de;
	bool found = false;
	DIR *d;
	FILE *f;

	d = opendir("/sys/bus/pci/slots");
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/slots/%s/address",
			 de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(addr, sizeof(addr), f)) {
			addr[strcspn(addr, "\n")] = '\0';
			found = !strncmp(bdf, addr, strlen(addr)) &&
				bdf[strlen(addr)] == '.';
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

/*
 * Wait until @path exists (or not). Busy: under icount with sleep=off an
 * idle guest's clock leaps ahead, and the host must get the time to act.
 */
static bool wait_path(const char *path, bool exists, unsigned int seconds)
{
	uint64_t end = sgt_now_ns() + seconds * 1000000000ULL;

	while ((access(path, F_OK) == 0) != exists) {
		if ((int64_t)(sgt_now_ns() - end) > 0)
			return false;
		sched_yield();
	}
	return true;
}

/* The card, and what a test holds across its removal. */
struct unplug_ctx {
	int fd;
	int card;
	int drm;
	long refs;
	char dev[256];
	struct sgcap_dequeue mapped;
	struct sgcap_dequeue imported;
	void *map;
	uint32_t handle;
	pid_t waiter;
};

FIXTURE(unplug) {
	struct unplug_ctx u;
	int kmsg;
};

FIXTURE_SETUP(unplug)
{
	struct unplug_ctx *u = &self->u;

	u->fd = -1;
	u->drm = -1;
	u->map = MAP_FAILED;
	u->handle = 0;
	u->waiter = -1;
	u->mapped.fd = (uint32_t)-1;
	u->imported.fd = (uint32_t)-1;
	self->kmsg = sgt_kmsg_open();
	if (sgt_edu_find(u->dev, sizeof(u->dev)))
		SKIP(return, "no edu device");
	/* A kernel that cannot meet its 28-bit DMA mask refuses the probe. */
	if (!sgt_dev_driver_is(u->dev, "sgcap_edu"))
		SKIP(return, "%s not driven by sgcap_edu: see the kernel log",
		     u->dev);
	u->card = sgt_dev_card_index(u->dev);
	ASSERT_LE(0, u->card) TH_LOG("%s is not an sgcap card", u->dev);
	/* before anything of ours holds the module */
	u->refs = module_refs();
	ASSERT_LE(0, u->refs);
	u->fd = sgt_card_open(u->card);
	ASSERT_LE(0, u->fd) TH_LOG("open: %s", strerror(-u->fd));
	u->drm = sgt_open_vgem();
}

FIXTURE_TEARDOWN(unplug)
{
	struct unplug_ctx *u = &self->u;
	char first[256];

	if (u->waiter > 0) {
		kill(u->waiter, SIGKILL);
		waitpid(u->waiter, NULL, 0);
	}
	if (u->map != MAP_FAILED)
		munmap(u->map, CAPTURE_SIZE);
	if (u->handle)
		drmCloseBufferHandle(u->drm, u->handle);
	if ((int)u->mapped.fd >= 0)
		close((int)u->mapped.fd);
	if ((int)u->imported.fd >= 0)
		close((int)u->imported.fd);
	if (u->fd >= 0)
		close(u->fd);
	if (u->drm >= 0)
		close(u->drm);
	if (self->kmsg >= 0) {
		EXPECT_EQ(0, sgt_kmsg_splats(self->kmsg, first,
					     sizeof(first)))
			TH_LOG("kernel log: %s", first);
		close(self->kmsg);
	}
}

/* Stream, and hold captures in every way a user can. */
static void hold(struct __test_metadata *_metadata, struct unplug_ctx *u)
{
	char line[1024];

	ASSERT_EQ(0, sgt_setup_stream(u->fd, CAPTURE_SIZE, 0, 3, 0,
				      SGCAP_TRANSFORM_NONE));
	ASSERT_EQ(0, sgt_dequeue_blocking(u->fd, &u->mapped, WAIT_S));
	u->map = mmap(NULL, CAPTURE_SIZE, PROT_READ, MAP_SHARED,
		      (int)u->mapped.fd, 0);
	ASSERT_NE(MAP_FAILED, u->map);

	ASSERT_EQ(0, sgt_dequeue_blocking(u->fd, &u->imported, WAIT_S));
	if (u->drm >= 0) {
		ASSERT_EQ(0, drmPrimeFDToHandle(u->drm, (int)u->imported.fd,
						&u->handle));
		ASSERT_EQ(0, sgt_dbg_buffer_line(u->card,
						 u->imported.buffer_index,
						 line, sizeof(line)));
		ASSERT_NE(NULL, strstr(line, "vgem")) TH_LOG("%s", line);
	} else {
		TH_LOG("no vgem: the capture is only held by its fd");
	}

	/*
	 * The last buffer cycles through a second process that keeps
	 * dequeueing: the device is busy and a DEQUEUE waits when the card
	 * goes. It exits 0 for the -ENODEV that ends it.
	 */
	u->waiter = fork();
	ASSERT_LE(0, u->waiter);
	if (!u->waiter) {
		struct sgcap_dequeue dq;
		int err;

		while (!(err = sgt_dequeue_blocking(u->fd, &dq, 2 * WAIT_S)))
			close((int)dq.fd);
		_exit(err == -ENODEV ? 0 : 1);
	}
	/* into the middle of the next capture */
	sgt_sleep_ms(250);
}

static void expect_enodev(struct __test_metadata *_metadata, int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct sgcap_config cfg;
	struct sgcap_dequeue dq;
	struct sgcap_stats st;
	struct sgcap_caps caps;

	EXPECT_EQ(-ENODEV, sgt_get_caps(fd, &caps));
	EXPECT_EQ(-ENODEV, sgt_get_config(fd, &cfg));
	EXPECT_EQ(-ENODEV, sgt_get_stats(fd, &st));
	sgt_config_init(&cfg, 4096, 0, 2, 0, SGCAP_TRANSFORM_NONE);
	EXPECT_EQ(-ENODEV, sgt_configure(fd, &cfg));
	EXPECT_EQ(-ENODEV, sgt_start(fd));
	EXPECT_EQ(-ENODEV, sgt_stop(fd));
	EXPECT_EQ(-ENODEV, sgt_dequeue(fd, &dq, SGCAP_DEQUEUE_NONBLOCK));
	EXPECT_EQ(-ENODEV, sgt_dequeue_blocking(fd, &dq, 5));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLERR);
}

/* After the removal: the card is gone, the captures are not. */
static void check_gone(struct __test_metadata *_metadata, struct unplug_ctx *u)
{
	char node[64], dbg[256];
	struct sgt_check chk;
	int status = 0, fd2 = -1;
	pid_t w = 0;
	unsigned int i;

	for (i = 0; i < 100 && !w; i++) {
		w = waitpid(u->waiter, &status, WNOHANG);
		if (!w)
			sgt_sleep_ms(100);
	}
	ASSERT_EQ(u->waiter, w) TH_LOG("blocked DEQUEUE not woken");
	u->waiter = -1;
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("DEQUEUE did not end -ENODEV");

	snprintf(node, sizeof(node), "/dev/sgcap%d", u->card);
	ASSERT_NE(0, access(node, F_OK));
	ASSERT_EQ(0, sgt_dbg_path(u->card, "", dbg, sizeof(dbg)));
	ASSERT_NE(0, access(dbg, F_OK));
	expect_enodev(_metadata, u->fd);

	/* the mapped capture */
	ASSERT_EQ(0, sgt_sync((int)u->mapped.fd,
			      DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	ASSERT_EQ(0U, sgt_compare(u->map, 0, CAPTURE_SIZE, u->mapped.sequence,
				  SGCAP_TRANSFORM_NONE, NULL));
	ASSERT_EQ(u->mapped.crc32c, sgt_crc(u->map, CAPTURE_SIZE));
	ASSERT_EQ(0, sgt_sync((int)u->mapped.fd,
			      DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));

	/* the imported one, through vgem's re-export */
	if (u->handle) {
		ASSERT_EQ(0, drmPrimeHandleToFD(u->drm, u->handle,
						DRM_CLOEXEC | DRM_RDWR, &fd2));
		ASSERT_EQ(0, sgt_check_fd(fd2, CAPTURE_SIZE,
					  u->imported.sequence,
					  SGCAP_TRANSFORM_NONE, &chk));
		ASSERT_EQ(0U, chk.mismatches);
		ASSERT_EQ(u->imported.crc32c, chk.crc32c);
		ASSERT_EQ(0, close(fd2));
	}

	/* let go, card file first: the last holder frees everything */
	ASSERT_EQ(0, close(u->fd));
	u->fd = -1;
	ASSERT_EQ(0, munmap(u->map, CAPTURE_SIZE));
	u->map = MAP_FAILED;
	ASSERT_EQ(0, close((int)u->mapped.fd));
	u->mapped.fd = (uint32_t)-1;
	ASSERT_EQ(0, close((int)u->imported.fd));
	u->imported.fd = (uint32_t)-1;
	if (u->handle) {
		/* vgem's import alone keeps that capture */
		ASSERT_LT(u->refs, module_refs());
		ASSERT_EQ(0, drmCloseBufferHandle(u->drm, u->handle));
		u->handle = 0;
	}
	ASSERT_EQ(u->refs, module_refs());
}

TEST_F(unplug, sysfs_remove)
{
	struct sgcap_dequeue dq;
	struct sgt_check chk;
	char path[300];
	int card, fd;

	hold(_metadata, &self->u);

	snprintf(path, sizeof(path), "%s/remove", self->u.dev);
	ASSERT_EQ(0, write_text(path, "1"));
	ASSERT_NE(0, access(self->u.dev, F_OK));
	check_gone(_metadata, &self->u);

	/* the device comes back, and the driver with it */
	ASSERT_EQ(0, write_text("/sys/bus/pci/rescan", "1"));
	ASSERT_TRUE(wait_path(self->u.dev, true, WAIT_S));
	card = sgt_dev_card_index(self->u.dev);
	ASSERT_LE(0, card);
	fd = sgt_card_open(card);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sgt_setup_stream(fd, 4096, 0, 2, 0,
				      SGCAP_TRANSFORM_NONE));
	ASSERT_EQ(0, sgt_dequeue_blocking(fd, &dq, WAIT_S));
	ASSERT_EQ(0U, dq.sequence);
	ASSERT_EQ(0, sgt_check_fd((int)dq.fd, dq.bytes_used, dq.sequence,
				  SGCAP_TRANSFORM_NONE, &chk));
	ASSERT_EQ(0U, chk.mismatches);
	ASSERT_EQ(0, close((int)dq.fd));
	ASSERT_EQ(0, close(fd));
}

TEST_F_TIMEOUT(unplug, device_del, 120)
{
	const char *hotplug = getenv("sgcap_hotplug");

	if (!hotplug || strcmp(hotplug, "1"))
		SKIP(return, "the host does not unplug on request");
	if (!in_hotplug_slot(self->u.dev))
		SKIP(return, "no hot-plug slot for %s", self->u.dev);

	hold(_metadata, &self->u);

	/* a line of its own on the console, which the host watches */
	printf("SGCAP-HOST-REQUEST device_del edu0\n");
	fflush(stdout);
	ASSERT_TRUE(wait_path(self->u.dev, false, 60))
		TH_LOG("%s still there", self->u.dev);
	check_gone(_metadata, &self->u);
}

TEST_HARNESS_MAIN
