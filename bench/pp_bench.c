// SPDX-License-Identifier: GPL-2.0
/*
 * Host benchmark of drivers/sgcap/sgcap_pp.c against memcpy().
 *
 * Every case processes the default capture size, 640 KiB, either "hot" (the
 * same buffer each time, so it stays in L2) or "cold" (cycling through a
 * 64 MiB ring of buffers, larger than the last level cache of the machines
 * this runs on, so each one comes from DRAM). Throughput is bytes of buffer
 * per second; each case runs a fixed number of iterations seven times and
 * the median is printed, so the run is deterministic in work and bounded in
 * time (a few seconds).
 *
 * sgcap_pp.o is built with the kernel's code generation flags (no SSE,
 * baseline x86-64, runtime CPU check) by bench/Makefile; this file is not.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "sgcap_pp.h"

#define BUF_SIZE	(640 * 1024)
#define RING_BYTES	(64 * 1024 * 1024)
#define RING_SLOTS	(RING_BYTES / BUF_SIZE)
#define HOT_ITERS	400
#define COLD_ITERS	(2 * RING_SLOTS)
#define REPS		7

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct ctx {
	uint8_t *hot_src, *hot_dst;	/* one buffer each */
	uint8_t *ring_a, *ring_b;	/* RING_SLOTS buffers each */
	unsigned int slot;		/* next ring slot, kept across runs */
	uint64_t bad;			/* unexpected mismatches seen */
};

/* One iteration on buffer @a (and @b where two are needed), sequence @seq. */
typedef void (*case_fn)(struct ctx *c, uint8_t *a, uint8_t *b, uint64_t seq);

static void case_memcpy(struct ctx *c, uint8_t *a, uint8_t *b, uint64_t seq)
{
	(void)c;
	(void)seq;
	memcpy(b, a, BUF_SIZE);
	/* keep the copy from being optimised away */
	__asm__ volatile("" : : "r" (b) : "memory");
}

static void case_fill(struct ctx *c, uint8_t *a, uint8_t *b, uint64_t seq)
{
	(void)c;
	(void)b;
	sgcap_pattern_fill(a, 0, BUF_SIZE, seq);
}

static void pp(struct ctx *c, uint8_t *a, uint64_t seq, unsigned int tr,
	       bool check, bool sw)
{
	struct sgcap_pp_result r;

	if (sw)
		sgcap_pp_run_sw(a, BUF_SIZE, seq, tr, check, &r);
	else
		sgcap_pp_run(a, BUF_SIZE, seq, tr, check, &r);
	c->bad += r.mismatches;
}

static void case_pp_check(struct ctx *c, uint8_t *a, uint8_t *b, uint64_t seq)
{
	(void)b;
	pp(c, a, seq, SGCAP_TRANSFORM_NONE, true, false);
}

static void case_pp_crc(struct ctx *c, uint8_t *a, uint8_t *b, uint64_t seq)
{
	(void)b;
	pp(c, a, seq, SGCAP_TRANSFORM_NONE, false, false);
}

static void case_pp_swap(struct ctx *c, uint8_t *a, uint8_t *b, uint64_t seq)
{
	(void)b;
	pp(c, a, seq, SGCAP_TRANSFORM_SWAP16, false, false);
}

/*
 * SWAP16 with the pattern check. The transform is in place, so a second
 * run without the check swaps the buffer back for the next iteration; the
 * table subtracts the hot swap-only time (the buffer is in L2 by then).
 * If anything that makes the cold figure pessimistic: the restoring run
 * may find part of the buffer evicted from L2 already.
 */
static void case_pp_check_swap_pair(struct ctx *c, uint8_t *a, uint8_t *b,
				    uint64_t seq)
{
	(void)b;
	pp(c, a, seq, SGCAP_TRANSFORM_SWAP16, true, false);
	pp(c, a, seq, SGCAP_TRANSFORM_SWAP16, false, false);
}

static void case_pp_check_sw(struct ctx *c, uint8_t *a, uint8_t *b,
			     uint64_t seq)
{
	(void)b;
	pp(c, a, seq, SGCAP_TRANSFORM_NONE, true, true);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Nanoseconds per iteration of one timed run of @fn. */
static double run_once(struct ctx *c, case_fn fn, bool cold)
{
	unsigned int iters = cold ? COLD_ITERS : HOT_ITERS;
	uint64_t t0;

	if (!cold) {	/* warm up: bring the buffers into the cache */
		fn(c, c->hot_src, c->hot_dst, 0);
		fn(c, c->hot_src, c->hot_dst, 0);
	}
	t0 = now_ns();
	for (unsigned int i = 0; i < iters; i++) {
		if (cold) {
			size_t off = (size_t)c->slot * BUF_SIZE;

			fn(c, c->ring_a + off, c->ring_b + off, c->slot);
			c->slot = (c->slot + 1) % RING_SLOTS;
		} else {
			fn(c, c->hot_src, c->hot_dst, 0);
		}
	}
	return (double)(now_ns() - t0) / iters;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static uint8_t *alloc_buf(size_t size)
{
	uint8_t *p = aligned_alloc(4096, size);

	if (!p) {
		perror("aligned_alloc");
		exit(1);
	}
	/* 4 KiB pages like the kernel's vmap, not transparent huge pages */
	madvise(p, size, MADV_NOHUGEPAGE);
	memset(p, 0, size);
	return p;
}

static void refill(struct ctx *c)
{
	sgcap_pattern_fill(c->hot_src, 0, BUF_SIZE, 0);
	for (unsigned int s = 0; s < RING_SLOTS; s++)
		sgcap_pattern_fill(c->ring_a + (size_t)s * BUF_SIZE, 0,
				   BUF_SIZE, s);
}

static const char *crc_path(void)
{
#ifdef __x86_64__
	if (__builtin_cpu_supports("sse4.2"))
		return "crc32 instruction";
#endif
	return "slice-by-8 tables";
}

static double gbps(double ns)
{
	return BUF_SIZE / ns;	/* bytes per ns == GB/s */
}

static void row(const char *name, double hot, double cold, double mhot,
		double mcold, const char *note)
{
	printf("%-30s %8.2f %6.2f   %8.2f %6.2f  %s\n", name, gbps(hot),
	       mhot / hot, gbps(cold), mcold / cold, note);
}

static void cpu_name(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && p) {
			snprintf(buf, len, "%s", p + 2);
			buf[strcspn(buf, "\n")] = 0;
			break;
		}
	}
	fclose(f);
}

static const struct {
	case_fn fn;
	bool cold;
} cases[] = {
	{ case_memcpy, false }, { case_memcpy, true },
	{ case_pp_check, false }, { case_pp_check, true },
	{ case_pp_swap, false }, { case_pp_swap, true },
	{ case_pp_check_swap_pair, false }, { case_pp_check_swap_pair, true },
	{ case_pp_crc, false }, { case_pp_crc, true },
	{ case_pp_check_sw, false }, { case_pp_check_sw, true },
	{ case_fill, false }, { case_fill, true },
};

#define NCASES	ARRAY_SIZE(cases)

int main(void)
{
	static double t[NCASES][REPS];
	double med[NCASES];
	struct ctx c = { 0 };
	double mh, mc, fh, fc, ch, cc, xh, xc, sh, sc, ph, pc, th, tc;
	char cpu[128];
	cpu_set_t set;
	int this_cpu = sched_getcpu();

	/* stay on one CPU: migrations would only add noise */
	if (this_cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(this_cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	c.hot_src = alloc_buf(BUF_SIZE);
	c.hot_dst = alloc_buf(BUF_SIZE);
	c.ring_a = alloc_buf((size_t)RING_SLOTS * BUF_SIZE);
	c.ring_b = alloc_buf((size_t)RING_SLOTS * BUF_SIZE);
	refill(&c);

	/*
	 * Rounds of every case in turn, so that interference from the rest of
	 * the machine spreads over all cases rather than hitting one. Every
	 * case leaves the buffers as it found them (an even number of SWAP16
	 * passes over each), so the pattern checks always see intact data.
	 */
	for (int r = 0; r < REPS; r++)
		for (size_t k = 0; k < NCASES; k++)
			t[k][r] = run_once(&c, cases[k].fn, cases[k].cold);
	for (size_t k = 0; k < NCASES; k++) {
		qsort(t[k], REPS, sizeof(t[k][0]), cmp_double);
		med[k] = t[k][REPS / 2];
	}
	mh = med[0], mc = med[1], ch = med[2], cc = med[3];
	sh = med[4], sc = med[5], xh = med[8], xc = med[9];
	th = med[10], tc = med[11], fh = med[12], fc = med[13];
	ph = med[6] - sh;
	pc = med[7] - sh;

	cpu_name(cpu, sizeof(cpu));
	printf("sgcap_pp benchmark: %s, %d KiB buffer\n", cpu, BUF_SIZE / 1024);
	printf("hot: the same buffer (in L2); cold: a %d MiB ring of buffers\n",
	       RING_BYTES >> 20);
	printf("CRC path: %s; median of %d runs of %d (hot) / %d (cold) iterations\n\n",
	       crc_path(), REPS, HOT_ITERS, COLD_ITERS);
	printf("%-30s %8s %6s   %8s %6s\n", "", "hot GB/s", "x mcpy", "coldGB/s",
	       "x mcpy");
	row("memcpy", mh, mc, mh, mc, "");
	row("sgcap_pp_run check", ch, cc, mh, mc, "default: pattern check + CRC");
	row("sgcap_pp_run swap16", sh, sc, mh, mc, "SWAP16 + CRC, no check");
	row("sgcap_pp_run check+swap16", ph, pc, mh, mc, "derived (see source)");
	row("sgcap_pp_run crc only", xh, xc, mh, mc, "no check, no transform");
	row("sgcap_pp_run check, table crc", th, tc, mh, mc,
	    "CPUs without SSE4.2");
	row("sgcap_pattern_fill", fh, fc, mh, mc, "");
	printf("\nx mcpy: throughput relative to the C library's memcpy() at the same\n"
	       "temperature. derived: SWAP16 works in place, so each iteration runs\n"
	       "check+swap16 and then swap16 alone to restore the pattern; the row is\n"
	       "that pair minus the hot swap16 time.\n");
	if (c.bad) {
		printf("\nERROR: %llu unexpected pattern mismatches\n",
		       (unsigned long long)c.bad);
		return 1;
	}
	return 0;
}
