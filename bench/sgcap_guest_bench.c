// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap_guest_bench - what the capture pipeline costs, measured inside one
 * guest, as ratios to a memcpy() of one capture in that same guest (the
 * absolute figures of an emulated CPU mean little):
 *
 *   1. memcpy() of one capture, hot: the yardstick.
 *   2. The simulated card at rate 0 (as fast as it can): captures/s and MB/s
 *      of the whole pipeline (fill, postprocess, export, dequeue, close).
 *   3. The driver's own work per capture outside the fill and the
 *      postprocessing pass: export and queueing (from the card's debugfs
 *      "cost" file), SGCAP_IOC_DEQUEUE (fd install, metadata) and close()
 *      (dma-buf release, recycling), the last two timed from userspace with
 *      the card stopped, so no fill runs in between.
 *
 * Usage: sgcap_guest_bench [/dev/sgcapN [debugfs-dir]]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/ioctl.h>

#include <linux/sgcap.h>

#define BENCH_SIZE	(640 * 1024)
#define BENCH_BUFFERS	8
#define BENCH_SECONDS	3
#define MEMCPY_RUNS	201
#define OVERHEAD_ROUNDS	25

static uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t bench_median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), bench_cmp_u64);
	return v[n / 2];
}

static int bench_configure(int fd, uint32_t rate)
{
	struct sgcap_config cfg = {
		.size = sizeof(cfg),
		.buffer_count = BENCH_BUFFERS,
		.chunk_order = 1,
		.buffer_size = BENCH_SIZE,
		.rate = rate,
	};

	return ioctl(fd, SGCAP_IOC_CONFIGURE, &cfg);
}

static int bench_read_cost(const char *dir, uint64_t *exports,
			   uint64_t *export_ns, uint64_t *pp_ns)
{
	char path[256], key[64];
	unsigned long long val;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cost", dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %llu", key, &val) == 2) {
		if (!strcmp(key, "exports"))
			*exports = val;
		else if (!strcmp(key, "export_ns"))
			*export_ns = val;
		else if (!strcmp(key, "postprocess_ns"))
			*pp_ns = val;
	}
	fclose(f);
	return 0;
}

static uint64_t bench_memcpy_ns(void)
{
	static uint64_t t[MEMCPY_RUNS];
	char *src = aligned_alloc(4096, BENCH_SIZE);
	char *dst = aligned_alloc(4096, BENCH_SIZE);
	int i;

	if (!src || !dst)
		exit(1);
	memset(src, 0x5a, BENCH_SIZE);
	memset(dst, 0, BENCH_SIZE);
	for (i = 0; i < MEMCPY_RUNS; i++) {
		uint64_t t0 = bench_now_ns();

		memcpy(dst, src, BENCH_SIZE);
		/* Keep the copy from being optimised away. */
		__asm__ volatile("" : : "r"(dst) : "memory");
		t[i] = bench_now_ns() - t0;
	}
	free(src);
	free(dst);
	return bench_median(t, MEMCPY_RUNS);
}

/* Dequeue one capture, waiting with poll(); returns its fd or -1. */
static int bench_dequeue(int fd, struct sgcap_dequeue *dq)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		memset(dq, 0, sizeof(*dq));
		dq->flags = SGCAP_DEQUEUE_NONBLOCK;
		if (!ioctl(fd, SGCAP_IOC_DEQUEUE, dq))
			return (int)dq->fd;
		if (errno != EAGAIN || poll(&pfd, 1, 5000) <= 0)
			return -1;
	}
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/sgcap0";
	const char *dbg = argc > 2 ? argv[2] : "/sys/kernel/debug/sgcap/sgcap0";
	static uint64_t t_dq[OVERHEAD_ROUNDS * BENCH_BUFFERS];
	static uint64_t t_close[OVERHEAD_ROUNDS * BENCH_BUFFERS];
	uint64_t exports = 0, export_ns = 0, pp_ns = 0;
	uint64_t t_memcpy, t0, elapsed, n = 0, gaps = 0, next = 0;
	struct sgcap_dequeue dq;
	double export_avg, pp_avg, dq_med, close_med, overhead;
	size_t k = 0;
	int fd, r, i;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "sgcap_guest_bench: %s: %s\n", dev,
			strerror(errno));
		return 1;
	}

	t_memcpy = bench_memcpy_ns();

	/* 2. The whole pipeline, as fast as the card goes. */
	if (bench_configure(fd, 0) || ioctl(fd, SGCAP_IOC_START)) {
		perror("sgcap_guest_bench: configure/start");
		return 1;
	}
	t0 = bench_now_ns();
	do {
		int buf = bench_dequeue(fd, &dq);

		if (buf < 0) {
			perror("sgcap_guest_bench: dequeue");
			return 1;
		}
		gaps += dq.sequence - next;
		next = dq.sequence + 1;
		close(buf);
		n++;
		elapsed = bench_now_ns() - t0;
	} while (elapsed < BENCH_SECONDS * 1000000000ULL);
	ioctl(fd, SGCAP_IOC_STOP);
	if (bench_read_cost(dbg, &exports, &export_ns, &pp_ns) || !exports) {
		fprintf(stderr, "sgcap_guest_bench: no %s/cost\n", dbg);
		return 1;
	}
	export_avg = (double)export_ns / (double)exports;
	pp_avg = (double)pp_ns / (double)exports;

	/*
	 * 3. DEQUEUE and close() with the card stopped: fill the pool, stop,
	 * then time taking every capture and giving it back.
	 */
	for (r = 0; r < OVERHEAD_ROUNDS; r++) {
		int fds[BENCH_BUFFERS];
		struct sgcap_stats st;

		if (ioctl(fd, SGCAP_IOC_START))
			return 1;
		do {
			usleep(1000);
			if (ioctl(fd, SGCAP_IOC_GET_STATS, &st))
				return 1;
		} while (st.buffers_ready < BENCH_BUFFERS);
		ioctl(fd, SGCAP_IOC_STOP);
		for (i = 0; i < BENCH_BUFFERS; i++) {
			uint64_t t1 = bench_now_ns();

			memset(&dq, 0, sizeof(dq));
			dq.flags = SGCAP_DEQUEUE_NONBLOCK;
			if (ioctl(fd, SGCAP_IOC_DEQUEUE, &dq))
				return 1;
			t_dq[k + i] = bench_now_ns() - t1;
			fds[i] = (int)dq.fd;
		}
		for (i = 0; i < BENCH_BUFFERS; i++) {
			uint64_t t1 = bench_now_ns();

			close(fds[i]);
			t_close[k + i] = bench_now_ns() - t1;
		}
		k += BENCH_BUFFERS;
	}
	dq_med = (double)bench_median(t_dq, k);
	close_med = (double)bench_median(t_close, k);
	overhead = export_avg + dq_med + close_med;

	printf("sgcap guest benchmark: %d KiB captures, %d buffers of order-1 chunks\n",
	       BENCH_SIZE / 1024, BENCH_BUFFERS);
	printf("  %-44s %10.1f us\n", "memcpy of one capture (yardstick)",
	       t_memcpy / 1e3);
	printf("  %-44s %10.0f /s  (%.0f MB/s, %llu frames lost)\n",
	       "pipeline, rate unlimited", n * 1e9 / elapsed,
	       n * (double)BENCH_SIZE / elapsed * 1e3,
	       (unsigned long long)gaps);
	printf("  %-44s %10.1f us  %6.2f x memcpy\n",
	       "postprocess pass per capture", pp_avg / 1e3,
	       pp_avg / t_memcpy);
	printf("  %-44s %10.1f us  %6.2f %% of memcpy\n",
	       "export + queue per capture (kernel)", export_avg / 1e3,
	       100.0 * export_avg / t_memcpy);
	printf("  %-44s %10.1f us  %6.2f %% of memcpy\n",
	       "SGCAP_IOC_DEQUEUE (fd install)", dq_med / 1e3,
	       100.0 * dq_med / t_memcpy);
	printf("  %-44s %10.1f us  %6.2f %% of memcpy\n",
	       "close(fd): release + recycle", close_med / 1e3,
	       100.0 * close_med / t_memcpy);
	printf("  %-44s %10.1f us  %6.2f %% of memcpy (target <= 5 %%)\n",
	       "driver cost per capture outside the fill", overhead / 1e3,
	       100.0 * overhead / t_memcpy);
	close(fd);
	return 0;
}
