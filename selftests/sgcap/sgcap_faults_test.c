// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap selftests: drops, fault injection and buffer recycling, each on a
 * simulated card of its own (ID SGT_SIM_ID_FAULTS, created per test) so
 * the counters start at zero and the fault knobs cannot leak into other tests.
 *
 * Drop accounting: a gap in the sequence numbers userspace sees is a dropped
 * frame, so the sum of the gaps must equal drops_no_buffer + drops_injected.
 * The counters move while the card streams; the tests therefore take one
 * consistent GET_STATS snapshot, which covers exactly the frames with
 * sequence < captures + drops (frames are resolved in order), and then
 * dequeue until a capture at or beyond that frame shows up, counting only the
 * gaps below it.
 */
#define _GNU_SOURCE
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

#define SYNC_START_READ	(DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ)
#define SYNC_END_READ	(DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ)

FIXTURE(faults) {
	int fd;
	int card;
};

FIXTURE_SETUP(faults)
{
	int err;

	self->fd = -1;
	/* a previous run killed by the timeout may have left it behind */
	if (sgt_sim_exists(SGT_SIM_ID_FAULTS))
		sgt_sim_del(SGT_SIM_ID_FAULTS);
	err = sgt_sim_new(SGT_SIM_ID_FAULTS);
	ASSERT_EQ(0, err) TH_LOG("new_device: %s", strerror(-err));
	self->card = sgt_sim_card_index(SGT_SIM_ID_FAULTS);
	ASSERT_LE(0, self->card);
	self->fd = sgt_sim_open(SGT_SIM_ID_FAULTS);
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(faults)
{
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_EQ(0, sgt_sim_del(SGT_SIM_ID_FAULTS));
}

/* Sequence bookkeeping of a stream of dequeued captures. */
struct seq_track {
	uint64_t next;		/* sequence expected next (last + 1) */
	uint64_t gaps;		/* frames missing so far */
	uint64_t max_gap;
	uint64_t seen;
};

static void track(struct seq_track *t, uint64_t seq)
{
	uint64_t gap = seq - t->next;

	t->gaps += gap;
	if (gap > t->max_gap)
		t->max_gap = gap;
	t->next = seq + 1;
	t->seen++;
}

/*
 * GET_STATS reads the counters one by one while the engine runs, so one
 * snapshot may mix two moments. Two snapshots with equal counters prove the
 * first one consistent: the counters only grow, so equal values mean none
 * moved from the first read of the one to the last read of the other.
 */
static int stable_stats(int fd, struct sgcap_stats *st)
{
	uint64_t end = sgt_now_ns() + 2000000000ULL;
	struct sgcap_stats again;
	int err;

	do {
		err = sgt_get_stats(fd, st);
		if (!err)
			err = sgt_get_stats(fd, &again);
		if (err)
			return err;
		if (st->captures == again.captures &&
		    st->drops_no_buffer == again.drops_no_buffer &&
		    st->drops_injected == again.drops_injected)
			return 0;
		sgt_sleep_ms(1);
	} while (sgt_now_ns() < end);
	return -EAGAIN;
}

/*
 * Take a consistent snapshot, which covers exactly the frames with sequence
 * < captures + drops (the engine resolves frames in order), then dequeue
 * (and drop) captures until one at or beyond that frame arrives. Returns 0
 * and fills *st and *gaps (the frames missing below it), or -errno.
 */
static int gaps_at_snapshot(int fd, struct seq_track *t,
			    struct sgcap_stats *st, uint64_t *gaps)
{
	struct sgcap_dequeue dq;
	uint64_t frames;
	int err;

	err = stable_stats(fd, st);
	if (err)
		return err;
	frames = st->captures + st->drops_no_buffer + st->drops_injected;
	if (t->next > frames)
		return -ERANGE;	/* dequeued a frame the counters deny */
	for (;;) {
		err = sgt_dequeue_wait(fd, &dq, 5000);
		if (err)
			return err;
		close((int)dq.fd);
		if (dq.sequence < t->next)
			return -EILSEQ;
		if (dq.sequence >= frames) {
			*gaps = t->gaps + (frames - t->next);
			track(t, dq.sequence);
			return 0;
		}
		track(t, dq.sequence);
	}
}

TEST_F(faults, stall)
{
	struct seq_track t = { 0 };
	struct sgcap_dequeue dq;
	struct sgcap_stats st;
	uint64_t gaps, end, knob;
	int err;

	/*
	 * 100 ms at 500 frames/s: exactly 50 frames dropped by the stall.
	 * Small buffers keep the simulated engine up to speed in an emulated
	 * guest; the data is not what this test looks at.
	 */
	ASSERT_EQ(0, sgt_dbg_write_u64(self->card, "sim/stall_ms", 100));
	ASSERT_EQ(0, sgt_setup_stream(self->fd, 64 * SGT_KIB, 1,
				      SGT_DEFAULT_COUNT, 500,
				      SGCAP_TRANSFORM_NONE));

	end = sgt_now_ns() + 5000000000ULL;
	for (;;) {
		err = sgt_dequeue_wait(self->fd, &dq, 2000);
		ASSERT_EQ(0, err) TH_LOG("dequeue: %s", strerror(-err));
		ASSERT_LE(t.next, dq.sequence);
		ASSERT_EQ(0U, dq.pattern_mismatches);
		track(&t, dq.sequence);
		ASSERT_EQ(0, close((int)dq.fd));
		if (t.seen < 60)
			continue;
		ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
		if (st.drops_injected)
			break;
		ASSERT_GT(end, sgt_now_ns()) TH_LOG("the stall never fired");
	}

	ASSERT_EQ(0, gaps_at_snapshot(self->fd, &t, &st, &gaps));
	TH_LOG("gaps %llu no_buffer %llu injected %llu captures %llu",
	       (unsigned long long)gaps,
	       (unsigned long long)st.drops_no_buffer,
	       (unsigned long long)st.drops_injected,
	       (unsigned long long)st.captures);
	ASSERT_EQ(st.drops_no_buffer + st.drops_injected, gaps);
	ASSERT_EQ(50U, st.drops_injected);
	ASSERT_LE(50U, t.max_gap);	/* the stall's frames are one run */
	/* one-shot: the knob reset itself */
	ASSERT_EQ(0, sgt_dbg_read_u64(self->card, "sim/stall_ms", &knob));
	ASSERT_EQ(0U, knob);
	ASSERT_EQ(0, sgt_stop(self->fd));
}

TEST_F(faults, drop_percent)
{
	struct seq_track t = { 0 };
	struct sgcap_dequeue dq;
	struct sgcap_stats st;
	uint64_t gaps, frames;
	unsigned int i;

	ASSERT_EQ(-EINVAL, sgt_dbg_write_u64(self->card, "sim/drop_percent",
					     101));
	ASSERT_EQ(0, sgt_dbg_write_u64(self->card, "sim/drop_percent", 30));
	ASSERT_EQ(0, sgt_setup_stream(self->fd, 4096, 0, SGT_DEFAULT_COUNT,
				      0, SGCAP_TRANSFORM_NONE));
	for (i = 0; i < 300; i++) {
		ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 2000));
		ASSERT_LE(t.next, dq.sequence);
		ASSERT_EQ(0U, dq.pattern_mismatches);
		track(&t, dq.sequence);
		ASSERT_EQ(0, close((int)dq.fd));
	}
	ASSERT_EQ(0, gaps_at_snapshot(self->fd, &t, &st, &gaps));
	frames = st.captures + st.drops_no_buffer + st.drops_injected;
	TH_LOG("gaps %llu injected %llu frames %llu",
	       (unsigned long long)gaps,
	       (unsigned long long)st.drops_injected,
	       (unsigned long long)frames);
	/* rate 0: the card waits for buffers, so every drop is injected */
	ASSERT_EQ(0U, st.drops_no_buffer);
	ASSERT_LT(0U, st.drops_injected);
	ASSERT_EQ(st.drops_injected, gaps);
	/* about 30 % (binomial, n >= 300: far beyond 5 sigma at 15 / 45 %) */
	ASSERT_LE(frames * 15, st.drops_injected * 100);
	ASSERT_GE(frames * 45, st.drops_injected * 100);
	ASSERT_EQ(0, sgt_stop(self->fd));
}

TEST_F(faults, fail_capture)
{
	struct sgcap_dequeue dq;
	struct sgcap_stats st;
	struct sgt_check chk;
	unsigned int i;

	ASSERT_EQ(0, sgt_dbg_write_u64(self->card, "sim/fail_capture", 5));
	ASSERT_EQ(0, sgt_setup_stream(self->fd, 64 * SGT_KIB, 1, 4, 0,
				      SGCAP_TRANSFORM_NONE));
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 2000));
		ASSERT_EQ(i, dq.sequence);
		if (i == 5) {
			ASSERT_TRUE(!!(dq.capture_flags & SGCAP_CAPTURE_ERROR));
		} else {
			ASSERT_EQ(0U, dq.capture_flags);
			ASSERT_EQ(0U, dq.pattern_mismatches);
			ASSERT_EQ(0, sgt_check_fd((int)dq.fd, dq.bytes_used,
						  dq.sequence,
						  SGCAP_TRANSFORM_NONE, &chk));
			ASSERT_EQ(0U, chk.mismatches);
			ASSERT_EQ(dq.crc32c, chk.crc32c);
		}
		ASSERT_EQ(0, close((int)dq.fd));
	}
	ASSERT_EQ(0, sgt_stop(self->fd));
	ASSERT_EQ(0, sgt_get_stats(self->fd, &st));
	ASSERT_EQ(1U, st.errors);
}

/*
 * A held capture is never overwritten: with every buffer held the card drops
 * frames instead, and a buffer goes back to the card only when its last
 * reference (fd and mapping) is gone.
 */
TEST_F(faults, recycle_after_release)
{
	const uint64_t size = SGT_DEFAULT_SIZE;
	struct sgcap_dequeue held[4], dq;
	struct sgcap_stats s0, s1, s2;
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	void *map[4];
	unsigned int i, j;

	ASSERT_EQ(0, sgt_setup_stream(self->fd, size, SGT_DEFAULT_ORDER, 4,
				      1000, SGCAP_TRANSFORM_NONE));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &held[i], 2000));
		ASSERT_EQ(0U, held[i].pattern_mismatches);
		if (i)
			ASSERT_LT(held[i - 1].sequence, held[i].sequence);
		for (j = 0; j < i; j++)
			ASSERT_NE(held[j].buffer_index, held[i].buffer_index);
		map[i] = mmap(NULL, size, PROT_READ, MAP_SHARED,
			      (int)held[i].fd, 0);
		ASSERT_NE(MAP_FAILED, map[i]);
	}

	ASSERT_EQ(0, sgt_get_stats(self->fd, &s0));
	sgt_sleep_ms(200);
	ASSERT_EQ(0, sgt_get_stats(self->fd, &s1));
	TH_LOG("no_buffer drops %llu -> %llu in 200 ms",
	       (unsigned long long)s0.drops_no_buffer,
	       (unsigned long long)s1.drops_no_buffer);
	ASSERT_EQ(4U, s1.buffers_held);
	ASSERT_EQ(0U, s1.buffers_card);
	ASSERT_EQ(0U, s1.buffers_ready);
	ASSERT_EQ(0U, s1.buffers_free);
	ASSERT_EQ(4U, s0.captures);	/* 4 buffers, none came back */
	ASSERT_EQ(4U, s1.captures);
	/* 200 frames are due; allow for a slow (emulated) guest */
	ASSERT_LE(s0.drops_no_buffer + 20, s1.drops_no_buffer);

	/* nothing overwrote the held captures */
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, sgt_sync((int)held[i].fd, SYNC_START_READ));
		ASSERT_EQ(0U, sgt_compare(map[i], 0, size, held[i].sequence,
					  SGCAP_TRANSFORM_NONE, NULL));
		ASSERT_EQ(held[i].crc32c, sgt_crc(map[i], size));
		ASSERT_EQ(0, sgt_sync((int)held[i].fd, SYNC_END_READ));
	}

	/* the fd alone is not the last reference: the mapping keeps it */
	ASSERT_EQ(0, close((int)held[0].fd));
	ASSERT_EQ(0, poll(&pfd, 1, 200));
	ASSERT_EQ(0, sgt_get_stats(self->fd, &s2));
	ASSERT_EQ(4U, s2.buffers_held);
	ASSERT_EQ(4U, s2.captures);

	/* the last reference goes: the buffer goes back to the card */
	ASSERT_EQ(0, munmap(map[0], size));
	ASSERT_EQ(0, sgt_dequeue_wait(self->fd, &dq, 1000));
	ASSERT_EQ(held[0].buffer_index, dq.buffer_index);
	ASSERT_LT(held[3].sequence, dq.sequence);
	ASSERT_EQ(0U, dq.pattern_mismatches);
	for (i = 1; i < 4; i++) {
		ASSERT_EQ(0, sgt_sync((int)held[i].fd, SYNC_START_READ));
		ASSERT_EQ(0U, sgt_compare(map[i], 0, size, held[i].sequence,
					  SGCAP_TRANSFORM_NONE, NULL));
		ASSERT_EQ(0, sgt_sync((int)held[i].fd, SYNC_END_READ));
	}
	ASSERT_EQ(0, sgt_get_stats(self->fd, &s2));
	ASSERT_EQ(4U, s2.buffers_held);
	ASSERT_EQ(5U, s2.captures);

	close((int)dq.fd);
	for (i = 1; i < 4; i++) {
		munmap(map[i], size);
		close((int)held[i].fd);
	}
	ASSERT_EQ(0, sgt_stop(self->fd));
}

TEST_HARNESS_MAIN
