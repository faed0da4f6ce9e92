// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap selftests: every allocation the driver's paths reach fails, once
 * each, and the driver must fail the call cleanly or absorb the failure.
 *
 * The walk uses the kernel's systematic fault injection: writing N to a
 * task's /proc/.../fail-nth makes the N-th allocation that task makes from
 * then on fail (slab allocations through failslab, page allocations through
 * fail_page_alloc; both are set up to count every allocation, sleeping ones
 * and order-0 pages included, and to stay silent). Reading it back gives 0
 * if the fault fired. N = 1, 2, 3, ... walks every allocation site of a call
 * in order, the kernel's own ones below the driver (vmap, the DMA API, the
 * dma-buf core, the fd table) included, until a call makes fewer than N
 * allocations. After each step the state the driver reports must be the
 * documented one, and after each walk the card must capture correctly.
 *
 * configure  SGCAP_IOC_CONFIGURE: -ENOMEM and the card left unconfigured,
 *            or success (a large chunk that fails falls back to small ones)
 * start      SGCAP_IOC_START: -ENOMEM/-EINTR with every buffer back to
 *            FREE, or success
 * export     the simulated card's engine thread (its own fail-nth):
 *            a capture whose export fails is dropped and counted, the
 *            buffer goes back to the card; a failed name is harmless
 * mmap       mmap() of a capture: -ENOMEM, or a correct mapping
 * dequeue    SGCAP_IOC_DEQUEUE when the fd table must grow: -ENOMEM and
 *            the capture stays queued, in order
 * kmemleak   last: nothing the walks did leaked (kernels with kmemleak)
 *
 * Skipped on kernels without CONFIG_FAULT_INJECTION (the Debian kernels).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>

#include "sgcap_harness.h"
#include "sgcap_util.h"

#define FI_SLAB		"/sys/kernel/debug/failslab"
#define FI_PAGE		"/sys/kernel/debug/fail_page_alloc"
#define FI_KMEMLEAK	"/sys/kernel/debug/kmemleak"
/* No path of the driver comes near this many allocations. */
#define FI_MAX_STEPS	4000U

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* What fail-nth needs: every allocation counts, and no log per fault. */
static const struct {
	const char *path;
	const char *value;
} fi_knobs[] = {
	{ FI_SLAB "/ignore-gfp-wait", "N" },
	{ FI_SLAB "/verbose", "0" },
	{ FI_PAGE "/ignore-gfp-wait", "N" },
	{ FI_PAGE "/ignore-gfp-highmem", "N" },
	{ FI_PAGE "/min-order", "0" },
	{ FI_PAGE "/verbose", "0" },
};

#define FI_NKNOBS	ARRAY_SIZE(fi_knobs)

static int fi_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n < 0 ? -errno : 0;
}

static int fi_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/*
 * Arm a task's fail-nth: the @n-th allocation it makes from now on fails.
 * Nothing may be printed between this and the call under test.
 */
static int fi_arm(int nth_fd, unsigned int n)
{
	char text[16];
	int len = snprintf(text, sizeof(text), "%u", n);

	return pwrite(nth_fd, text, len, 0) == len ? 0 : -errno;
}

/* Whether the armed fault fired; disarms it if not. */
static bool fi_fired(int nth_fd)
{
	char text[16] = "";
	ssize_t n = pread(nth_fd, text, sizeof(text) - 1, 0);

	if (n > 0 && atoi(text) == 0)
		return true;
	pwrite(nth_fd, "0", 1, 0);
	return false;
}

/* The pid of the engine thread of simulated card @id, or -ESRCH. */
static int fi_engine_pid(unsigned int id)
{
	char want[32], path[300], comm[32];
	struct dirent *de;
	int pid = -ESRCH;
	DIR *proc;

	snprintf(want, sizeof(want), "sgcap_sim%u", id);
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while ((de = readdir(proc))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (fi_read(path, comm, sizeof(comm)) || strcmp(comm, want))
			continue;
		pid = atoi(de->d_name);
		break;
	}
	closedir(proc);
	return pid;
}

/* Dequeue one capture (waiting up to 10 s), check its bytes, release it. */
static int fi_capture_ok(int fd, uint64_t size, unsigned int transform,
			 uint64_t *seq)
{
	struct sgcap_dequeue dq;
	struct sgt_check chk;
	int err;

	err = sgt_dequeue_wait(fd, &dq, 10000);
	if (err)
		return err;
	err = sgt_check_fd((int)dq.fd, dq.bytes_used, dq.sequence, transform,
			   &chk);
	close((int)dq.fd);
	if (err)
		return err;
	if (dq.bytes_used != size || chk.mismatches ||
	    chk.crc32c != dq.crc32c || dq.pattern_mismatches ||
	    dq.capture_flags & SGCAP_CAPTURE_ERROR)
		return -EBADMSG;
	if (seq)
		*seq = dq.sequence;
	return 0;
}

/* After a walk: the card configures, streams and captures correctly. */
static int fi_card_works(int fd)
{
	const uint64_t size = SGT_DEFAULT_SIZE;
	int err, i;

	err = sgt_setup_stream(fd, size, SGT_DEFAULT_ORDER, 2, 0,
			       SGCAP_TRANSFORM_SWAP16);
	for (i = 0; !err && i < 3; i++)
		err = fi_capture_ok(fd, size, SGCAP_TRANSFORM_SWAP16, NULL);
	if (!err)
		err = sgt_stop(fd);
	if (!err && sgt_drain(fd) < 0)
		err = -EIO;
	return err;
}

FIXTURE(fi) {
	int fd;
	int card;
	int nth;
	int kmsg;
	bool knobs_set;
	char saved[FI_NKNOBS][32];
};

FIXTURE_SETUP(fi)
{
	unsigned int i;
	int err;

	self->fd = -1;
	self->nth = -1;
	self->kmsg = -1;
	if (access("/proc/self/fail-nth", F_OK))
		SKIP(return, "kernel without CONFIG_FAULT_INJECTION");
	if (access(FI_SLAB, F_OK) || access(FI_PAGE, F_OK))
		SKIP(return, "no failslab/fail_page_alloc in debugfs");

	for (i = 0; i < FI_NKNOBS; i++)
		ASSERT_EQ(0, fi_read(fi_knobs[i].path, self->saved[i],
				     sizeof(self->saved[i])));
	self->knobs_set = true;
	for (i = 0; i < FI_NKNOBS; i++)
		ASSERT_EQ(0, fi_write(fi_knobs[i].path, fi_knobs[i].value))
			TH_LOG("fault injection knob %u", i);

	if (sgt_sim_exists(SGT_SIM_ID_ALLOC_FAIL))
		sgt_sim_del(SGT_SIM_ID_ALLOC_FAIL);
	err = sgt_sim_new(SGT_SIM_ID_ALLOC_FAIL);
	ASSERT_EQ(0, err) TH_LOG("new_device: %s", strerror(-err));
	self->card = sgt_sim_card_index(SGT_SIM_ID_ALLOC_FAIL);
	ASSERT_LE(0, self->card);
	self->fd = sgt_sim_open(SGT_SIM_ID_ALLOC_FAIL);
	ASSERT_LE(0, self->fd);
	self->nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->nth);
	self->kmsg = sgt_kmsg_open();
}

FIXTURE_TEARDOWN(fi)
{
	char first[512];
	unsigned int i;

	if (self->nth >= 0) {
		fi_fired(self->nth);
		close(self->nth);
	}
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, sgt_sim_del(SGT_SIM_ID_ALLOC_FAIL));
	for (i = 0; self->knobs_set && i < FI_NKNOBS; i++)
		fi_write(fi_knobs[i].path, self->saved[i]);
	if (self->kmsg >= 0) {
		EXPECT_EQ(0, sgt_kmsg_splats(self->kmsg, first, sizeof(first)))
			TH_LOG("kernel: %s", first);
		close(self->kmsg);
	}
}

TEST_F_TIMEOUT(fi, configure, 300)
{
	const uint64_t size = 5 * sgt_page_size() + 100;
	unsigned int n, failed = 0, absorbed = 0;
	struct sgcap_config cfg, got;
	struct sgcap_stats st;
	int ret;

	/* Two buffers of six pages at order 1: three chunks each. */
	sgt_config_init(&cfg, size, 1, 2, 0, SGCAP_TRANSFORM_NONE);
	for (n = 1; n < FI_MAX_STEPS; n++) {
		ASSERT_EQ(0, fi_arm(self->nth, n));
		ret = sgt_configure(self->fd, &cfg);
		if (!fi_fired(self->nth)) {
			ASSERT_EQ(0, ret) TH_LOG("no fault: %s", strerror(-ret));
			break;
		}
		ASSERT_TRUE(ret == 0 || ret == -ENOMEM)
			TH_LOG("allocation %u: %s", n, strerror(-ret));
		ASSERT_EQ(0, sgt_get_config(self->fd, &got));
		ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
		if (ret) {
			failed++;
			/* Documented: the card is left unconfigured. */
			ASSERT_EQ(0U, got.buffer_count);
			ASSERT_EQ(0U, st.buffers_total);
			continue;
		}
		/* Absorbed (a chunk of a smaller order): it must capture. */
		absorbed++;
		ASSERT_EQ(2U, got.buffer_count);
		ASSERT_EQ(2U, st.buffers_free);
		ASSERT_EQ(0, sgt_start(self->fd));
		ASSERT_EQ(0, fi_capture_ok(self->fd, size, SGCAP_TRANSFORM_NONE,
					   NULL)) TH_LOG("allocation %u", n);
		ASSERT_EQ(0, sgt_stop(self->fd));
		ASSERT_LE(0, sgt_drain(self->fd));
	}
	ASSERT_GT(FI_MAX_STEPS, n);
	/* Far fewer would mean the injection does not reach the driver. */
	ASSERT_LT(10U, n);
	ksft_print_msg("configure: %u allocations, %u failed the call, %u absorbed\n",
		       n - 1, failed, absorbed);
	ASSERT_EQ(0, fi_card_works(self->fd));
}

TEST_F_TIMEOUT(fi, start, 300)
{
	const uint64_t size = 5 * sgt_page_size() + 100;
	unsigned int n, failed = 0;
	struct sgcap_config cfg;
	struct sgcap_stats st;
	int ret;

	sgt_config_init(&cfg, size, 1, 2, 0, SGCAP_TRANSFORM_NONE);
	ASSERT_EQ(0, sgt_configure(self->fd, &cfg));
	for (n = 1; n < FI_MAX_STEPS; n++) {
		ASSERT_EQ(0, fi_arm(self->nth, n));
		ret = sgt_start(self->fd);
		if (!fi_fired(self->nth)) {
			ASSERT_EQ(0, ret) TH_LOG("no fault: %s", strerror(-ret));
			ASSERT_EQ(0, sgt_stop(self->fd));
			break;
		}
		ASSERT_TRUE(ret == 0 || ret == -ENOMEM || ret == -EINTR)
			TH_LOG("allocation %u: %s", n, strerror(-ret));
		ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
		if (ret) {
			failed++;
			/* Not streaming, every buffer taken back. */
			ASSERT_EQ(0U, st.streaming);
			ASSERT_EQ(0U, st.buffers_card);
			ASSERT_EQ(2U, st.buffers_free);
			continue;
		}
		ASSERT_EQ(0, fi_capture_ok(self->fd, size, SGCAP_TRANSFORM_NONE,
					   NULL)) TH_LOG("allocation %u", n);
		ASSERT_EQ(0, sgt_stop(self->fd));
		ASSERT_LE(0, sgt_drain(self->fd));
	}
	ASSERT_GT(FI_MAX_STEPS, n);
	ASSERT_LT(1U, n);
	ksft_print_msg("start: %u allocations, %u failed the call\n", n - 1,
		       failed);
	ASSERT_EQ(0, fi_card_works(self->fd));
}

TEST_F_TIMEOUT(fi, export, 300)
{
	const uint64_t size = 5 * sgt_page_size() + 100;
	uint64_t prev, gaps = 0;
	unsigned int n, dropped = 0;
	struct sgcap_dequeue dq;
	struct sgcap_stats st;
	char path[64];
	int pid, efd, held;

	/* One buffer: the engine waits while the test holds the capture. */
	ASSERT_EQ(0, sgt_setup_stream(self->fd, size, 1, 1, 0,
				      SGCAP_TRANSFORM_SWAP16));
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 10000));
	held = (int)dq.fd;
	prev = dq.sequence;
	pid = fi_engine_pid(SGT_SIM_ID_ALLOC_FAIL);
	ASSERT_LT(0, pid);
	snprintf(path, sizeof(path), "/proc/%d/fail-nth", pid);
	efd = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, efd);

	for (n = 1; n < FI_MAX_STEPS; n++) {
		bool fired;

		/* Releasing the capture gives the buffer back to the engine. */
		ASSERT_EQ(0, fi_arm(efd, n));
		close(held);
		ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 10000));
		fired = fi_fired(efd);
		held = (int)dq.fd;
		ASSERT_LT(prev, dq.sequence);
		/* A failed export drops that one frame, counted. */
		ASSERT_GE(1U, dq.sequence - prev - 1);
		gaps += dq.sequence - prev - 1;
		dropped += dq.sequence - prev - 1;
		prev = dq.sequence;
		ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
		ASSERT_EQ(gaps, st.drops_no_buffer);
		ASSERT_EQ(0U, st.errors);
		if (!fired)
			break;
		/* Whatever failed, the capture handed out is intact. */
		{
			struct sgt_check chk;

			ASSERT_EQ(0, sgt_check_fd(held, dq.bytes_used,
						  dq.sequence,
						  SGCAP_TRANSFORM_SWAP16, &chk));
			ASSERT_EQ(0U, chk.mismatches) TH_LOG("allocation %u", n);
			ASSERT_EQ(dq.crc32c, chk.crc32c);
		}
	}
	close(held);
	close(efd);
	ASSERT_GT(FI_MAX_STEPS, n);
	ASSERT_LT(2U, n);
	ksft_print_msg("export: %u allocations, %u dropped the frame\n", n - 1,
		       dropped);
	ASSERT_EQ(0, sgt_stop(self->fd));
	ASSERT_LE(0, sgt_drain(self->fd));
	ASSERT_EQ(0, fi_card_works(self->fd));
}

TEST_F_TIMEOUT(fi, mmap, 300)
{
	const uint64_t size = 40 * sgt_page_size();
	unsigned int n, failed = 0;
	struct sgcap_dequeue dq;
	struct sgt_check chk;
	void *map;
	int cap;

	ASSERT_EQ(0, sgt_setup_stream(self->fd, size, 1, 1, 0,
				      SGCAP_TRANSFORM_NONE));
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 10000));
	cap = (int)dq.fd;
	for (n = 1; n < FI_MAX_STEPS; n++) {
		int err;

		ASSERT_EQ(0, fi_arm(self->nth, n));
		map = mmap(NULL, size, PROT_READ, MAP_SHARED, cap, 0);
		err = map == MAP_FAILED ? errno : 0;
		if (!fi_fired(self->nth)) {
			ASSERT_EQ(0, err) TH_LOG("no fault: %s", strerror(err));
			munmap(map, size);
			break;
		}
		if (err) {
			ASSERT_EQ(ENOMEM, err) TH_LOG("allocation %u", n);
			failed++;
			continue;
		}
		/* Absorbed: the mapping must show the capture. */
		ASSERT_EQ(0U, sgt_compare(map, 0, size, dq.sequence,
					  SGCAP_TRANSFORM_NONE, NULL));
		munmap(map, size);
	}
	ASSERT_GT(FI_MAX_STEPS, n);
	ASSERT_LT(1U, n);
	ksft_print_msg("mmap: %u allocations, %u failed the call\n", n - 1,
		       failed);
	ASSERT_EQ(0, sgt_check_fd(cap, dq.bytes_used, dq.sequence,
				  SGCAP_TRANSFORM_NONE, &chk));
	ASSERT_EQ(0U, chk.mismatches);
	close(cap);
	ASSERT_EQ(0, sgt_stop(self->fd));
	ASSERT_EQ(0, fi_card_works(self->fd));
}

TEST_F_TIMEOUT(fi, dequeue, 300)
{
	unsigned int n, failed = 0;
	struct sgcap_dequeue dq;
	struct sgcap_stats st;
	int fds[80], nfds = 0;
	uint64_t waited;
	int ret, i;

	ASSERT_EQ(0, sgt_setup_stream(self->fd, 4 * sgt_page_size(), 0, 2, 0,
				      SGCAP_TRANSFORM_NONE));
	for (waited = 0; waited < 10000; waited += 10) {
		ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
		if (st.buffers_ready == 2)
			break;
		sgt_sleep_ms(10);
	}
	ASSERT_EQ(2U, st.buffers_ready);

	/* Fill the fd table's first 64 slots: the next fd makes it grow. */
	for (;;) {
		int d = dup(self->fd);

		ASSERT_LE(0, d);
		ASSERT_GT(ARRAY_SIZE(fds), (size_t)nfds);
		fds[nfds++] = d;
		if (d >= 63)
			break;
	}

	for (n = 1; n < FI_MAX_STEPS; n++) {
		ASSERT_EQ(0, fi_arm(self->nth, n));
		ret = sgt_dequeue(self->fd, &dq, SGCAP_DEQUEUE_NONBLOCK);
		if (!fi_fired(self->nth)) {
			ASSERT_EQ(0, ret) TH_LOG("no fault: %s", strerror(-ret));
			break;
		}
		if (!ret) {
			/* Absorbed: it must still be the oldest capture. */
			ASSERT_EQ(0U, dq.sequence);
			break;
		}
		ASSERT_TRUE(ret == -ENOMEM || ret == -EMFILE)
			TH_LOG("allocation %u: %s", n, strerror(-ret));
		failed++;
		/* Documented: the capture stays queued. */
		ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
		ASSERT_EQ(2U, st.buffers_ready);
		ASSERT_EQ(0U, st.buffers_held);
	}
	ASSERT_GT(FI_MAX_STEPS, n);
	/* Never lose a capture, never reorder them. */
	ASSERT_EQ(0U, dq.sequence);
	close((int)dq.fd);
	ASSERT_EQ(0, sgt_dequeue(self->fd, &dq, SGCAP_DEQUEUE_NONBLOCK));
	ASSERT_EQ(1U, dq.sequence);
	close((int)dq.fd);
	ksft_print_msg("dequeue: %u allocations, %u failed the call\n", n - 1,
		       failed);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	ASSERT_EQ(0, sgt_stop(self->fd));
	ASSERT_LE(0, sgt_drain(self->fd));
	ASSERT_EQ(0, fi_card_works(self->fd));
}

/*
 * Last: whatever the walks freed on their error paths must really be free.
 * kmemleak reports an object once it is older than 5 s and a scan finds no
 * reference to it.
 */
FIXTURE(leak) {
	int unused;
};

FIXTURE_SETUP(leak)
{
	if (access("/proc/self/fail-nth", F_OK))
		SKIP(return, "kernel without CONFIG_FAULT_INJECTION");
	if (access(FI_KMEMLEAK, W_OK))
		SKIP(return, "kernel without kmemleak");
}

FIXTURE_TEARDOWN(leak)
{
}

TEST_F_TIMEOUT(leak, kmemleak, 180)
{
	char line[256];
	int leaks = 0;
	FILE *f;

	sgt_sleep_ms(6000);
	ASSERT_EQ(0, fi_write(FI_KMEMLEAK, "scan"));
	f = fopen(FI_KMEMLEAK, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "unreferenced object", 19))
			leaks++;
		if (leaks)
			ksft_print_msg("%s", line);
	}
	fclose(f);
	ASSERT_EQ(0, leaks);
}

TEST_HARNESS_MAIN
