// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap selftests: concurrency stress, for a bounded time.
 *
 * On one simulated card (SGT_SIM_ID_STRESS), all at once:
 *
 *   consumers (3)  dequeue (blocking and polled), map and check captures
 *                  byte for byte, pass them to each other over a UNIX
 *                  socket (SCM_RIGHTS), close them, in random order
 *   controller     stops, starts, reconfigures (size, order, count,
 *                  transform, rate) and changes the segment limits
 *   observer       reads debugfs (buffers, stats, cost, the sim knobs) and
 *                  polls and queries the card from a second, non-owner file,
 *                  whose state-changing ioctls must fail with -EBUSY
 *
 * and at the end the card is deleted under the consumers, which must see
 * -ENODEV while the captures they hold stay intact. Every result must be a
 * documented one; run on the debug kernel, lockdep, KASAN and the DMA API
 * checks watch the driver's locking and lifetimes meanwhile.
 *
 * sgcap_stress_seconds=T (environment, default 15) sets the duration.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <linux/dma-buf.h>

#include "sgcap_harness.h"
#include "sgcap_util.h"

#define ST_CONSUMERS	3
#define ST_HOLD		2	/* captures a consumer holds at most */

struct st_shared {
	int fd;			/* the owner file, shared by all threads */
	int card;
	int sv[2];		/* captures in flight between consumers */
	atomic_bool stop;	/* everybody: finish */
	atomic_bool quiet;	/* controller and observer: finish */
	atomic_bool removed;	/* the card was deleted */
	atomic_ulong captures, checked, passed, errors;
	char failure[512];
	pthread_mutex_t lock;	/* guards failure */
};

static void st_fail(struct st_shared *s, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&s->lock);
	if (!s->failure[0]) {
		va_start(ap, fmt);
		vsnprintf(s->failure, sizeof(s->failure), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&s->lock);
	atomic_store(&s->quiet, true);
	atomic_store(&s->stop, true);
}

static unsigned int st_rand(unsigned int *state)
{
	*state = *state * 1103515245U + 12345U;
	return *state >> 8;
}

/* A capture: its fd and what its bytes must be. */
struct st_cap {
	int fd;
	uint64_t seq;
	uint64_t size;
	uint32_t flags;
	uint32_t crc;
};

static void st_check(struct st_shared *s, const struct st_cap *c)
{
	unsigned int tr = c->flags & SGCAP_CAPTURE_TRANSFORMED ?
			  SGCAP_TRANSFORM_SWAP16 : SGCAP_TRANSFORM_NONE;
	struct sgt_check chk;
	int err;

	err = sgt_check_fd(c->fd, c->size, c->seq, tr, &chk);
	if (err) {
		st_fail(s, "capture %llu: check: %s",
			(unsigned long long)c->seq, strerror(-err));
		return;
	}
	if (chk.mismatches || chk.crc32c != c->crc)
		st_fail(s, "capture %llu (%llu bytes): %llu bytes differ, crc %08x vs %08x",
			(unsigned long long)c->seq, (unsigned long long)c->size,
			(unsigned long long)chk.mismatches, chk.crc32c, c->crc);
	atomic_fetch_add(&s->checked, 1);
}

/* Send a capture to whichever consumer receives next; the fd goes along. */
static void st_pass(struct st_shared *s, struct st_cap *c)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = c, .iov_len = sizeof(*c) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &c->fd, sizeof(int));
	if (sendmsg(s->sv[0], &msg, MSG_DONTWAIT) == sizeof(*c))
		atomic_fetch_add(&s->passed, 1);
	close(c->fd);
}

static bool st_receive(struct st_shared *s, struct st_cap *c)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = c, .iov_len = sizeof(*c) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;

	if (recvmsg(s->sv[1], &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) !=
	    sizeof(*c))
		return false;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return false;
	memcpy(&c->fd, CMSG_DATA(cm), sizeof(int));
	return true;
}

static void *st_consumer(void *arg)
{
	struct st_shared *s = arg;
	struct st_cap held[ST_HOLD + 1];
	unsigned int nheld = 0, r = (unsigned int)pthread_self();
	struct sgcap_dequeue dq;
	int err;

	while (!atomic_load(&s->stop) || nheld) {
		unsigned int what = st_rand(&r) % 10;

		if (atomic_load(&s->stop) || (nheld && what < 4)) {
			/* Let go of one: check, pass on or close. */
			struct st_cap c = held[--nheld];

			if (st_rand(&r) % 2)
				st_check(s, &c);
			if (!atomic_load(&s->stop) && st_rand(&r) % 3 == 0)
				st_pass(s, &c);
			else
				close(c.fd);
			continue;
		}
		if (what < 6) {
			struct st_cap c;

			if (nheld <= ST_HOLD && st_receive(s, &c))
				held[nheld++] = c;
			continue;
		}
		if (nheld >= ST_HOLD)
			continue;
		if (what == 9) {
			/* Blocking: a capture, or STOP ends it (-ENODATA). */
			err = sgt_dequeue(s->fd, &dq, 0);
		} else {
			err = sgt_dequeue_wait(s->fd, &dq, 20);
			if (err == -ETIMEDOUT)
				err = -EAGAIN;
		}
		if (err == -EAGAIN || err == -ENODATA)
			continue;
		if (err == -ENODEV && atomic_load(&s->removed))
			continue;
		if (err) {
			st_fail(s, "DEQUEUE: %s", strerror(-err));
			break;
		}
		atomic_fetch_add(&s->captures, 1);
		if (dq.capture_flags & SGCAP_CAPTURE_ERROR)
			atomic_fetch_add(&s->errors, 1);
		held[nheld++] = (struct st_cap){
			.fd = (int)dq.fd, .seq = dq.sequence,
			.size = dq.bytes_used, .flags = dq.capture_flags,
			.crc = dq.crc32c,
		};
		if (dq.pattern_mismatches)
			st_fail(s, "capture %llu: %llu pattern mismatches",
				(unsigned long long)dq.sequence,
				(unsigned long long)dq.pattern_mismatches);
	}
	while (nheld)
		close(held[--nheld].fd);
	return NULL;
}

static void *st_controller(void *arg)
{
	static const uint64_t sizes[] = {
		4096, 5 * 4096 + 100, 64 * 1024, 100 * 1024, 640 * 1024,
	};
	struct st_shared *s = arg;
	unsigned int r = 12345;
	struct sgcap_config cfg;
	bool streaming = true;
	int err = 0;

	while (!atomic_load(&s->quiet)) {
		unsigned int what = st_rand(&r) % 8;

		if (what < 2) {
			err = sgt_stop(s->fd);
			streaming = false;
		} else if (what < 4) {
			err = sgt_start(s->fd);
			if (streaming && err == -EBUSY)
				err = 0;
			streaming = true;
		} else if (what < 6) {
			/* Reconfigure: stopped first, captures held survive. */
			err = sgt_stop(s->fd);
			sgt_config_init(&cfg, sizes[st_rand(&r) % 5],
					st_rand(&r) % 3, 2 + st_rand(&r) % 5,
					st_rand(&r) % 4 ? 0 : 500,
					st_rand(&r) % 2);
			if (!err)
				err = sgt_configure(s->fd, &cfg);
			if (!err)
				err = sgt_start(s->fd);
			streaming = true;
		} else if (what == 6) {
			/* Limits apply at the next CONFIGURE. */
			sgt_dbg_write_u64(s->card, "sim/max_segments",
					  st_rand(&r) % 2 ? 512 : 160);
			sgt_dbg_write_u64(s->card, "sim/fail_capture",
					  st_rand(&r) % 50);
		} else {
			/* Reconfigure while streaming: refused. */
			sgt_config_init(&cfg, 4096, 0, 2, 0, 0);
			if (streaming) {
				err = sgt_configure(s->fd, &cfg);
				err = err == -EBUSY ? 0 : (err ? err : -EPROTO);
			}
		}
		if (err) {
			st_fail(s, "controller (%u): %s", what, strerror(-err));
			break;
		}
		sgt_sleep_ms(st_rand(&r) % 30);
	}
	return NULL;
}

static void *st_observer(void *arg)
{
	static const char * const files[] = {
		"buffers", "stats", "cost", "sim/max_segments",
		"sim/drop_percent",
	};
	struct st_shared *s = arg;
	struct sgcap_config cfg;
	struct sgcap_caps caps;
	struct sgcap_stats st;
	struct sgcap_dequeue dq;
	unsigned int i = 0;
	char buf[8192];
	int other, err;

	other = sgt_sim_open(SGT_SIM_ID_STRESS);
	if (other < 0) {
		st_fail(s, "second open: %s", strerror(-other));
		return NULL;
	}
	sgt_config_init(&cfg, 4096, 0, 2, 0, 0);
	while (!atomic_load(&s->quiet)) {
		struct pollfd pfd = { .fd = other, .events = POLLIN };

		err = sgt_dbg_read(s->card, files[i++ % 5], buf, sizeof(buf));
		if (err < 0)
			st_fail(s, "debugfs: %s", strerror(-err));
		if (sgt_get_caps(other, &caps) || sgt_get_stats(other, &st) ||
		    sgt_get_config(other, &cfg))
			st_fail(s, "GET_* from a second file failed");
		if (st.buffers_free + st.buffers_card + st.buffers_ready +
		    st.buffers_held != st.buffers_total)
			st_fail(s, "buffer states do not add up");
		if (sgt_start(other) != -EBUSY || sgt_stop(other) != -EBUSY ||
		    sgt_configure(other, &cfg) != -EBUSY ||
		    sgt_dequeue(other, &dq, SGCAP_DEQUEUE_NONBLOCK) != -EBUSY)
			st_fail(s, "a second file changed the owner's card");
		poll(&pfd, 1, 0);
		sgt_sleep_ms(2);
	}
	close(other);
	return NULL;
}

FIXTURE(stress) {
	struct st_shared *s;
	int kmsg;
};

FIXTURE_SETUP(stress)
{
	struct st_shared *s;
	int err;

	s = calloc(1, sizeof(*s));
	ASSERT_NE(NULL, s);
	self->s = s;
	pthread_mutex_init(&s->lock, NULL);
	s->fd = -1;
	if (sgt_sim_exists(SGT_SIM_ID_STRESS))
		sgt_sim_del(SGT_SIM_ID_STRESS);
	err = sgt_sim_new(SGT_SIM_ID_STRESS);
	ASSERT_EQ(0, err) TH_LOG("new_device: %s", strerror(-err));
	s->card = sgt_sim_card_index(SGT_SIM_ID_STRESS);
	ASSERT_LE(0, s->card);
	s->fd = sgt_sim_open(SGT_SIM_ID_STRESS);
	ASSERT_LE(0, s->fd);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				s->sv));
	self->kmsg = sgt_kmsg_open();
}

FIXTURE_TEARDOWN(stress)
{
	struct st_shared *s = self->s;
	char first[512];

	if (s->fd >= 0)
		close(s->fd);
	close(s->sv[0]);
	close(s->sv[1]);
	if (!atomic_load(&s->removed))
		sgt_sim_del(SGT_SIM_ID_STRESS);
	if (self->kmsg >= 0) {
		EXPECT_EQ(0, sgt_kmsg_splats(self->kmsg, first, sizeof(first)))
			TH_LOG("kernel: %s", first);
		close(self->kmsg);
	}
	free(s);
}

TEST_F_TIMEOUT(stress, all_at_once, 240)
{
	pthread_t consumers[ST_CONSUMERS], controller, observer;
	const char *env = getenv("sgcap_stress_seconds");
	unsigned int seconds = env ? (unsigned int)atoi(env) : 15;
	struct st_shared *s = self->s;
	struct st_cap c;
	int i, err;

	/* The CRC tables are set up on first use: not from four threads. */
	sgt_crc("", 0);
	ASSERT_EQ(0, sgt_setup_stream(s->fd, SGT_DEFAULT_SIZE, 1, 6, 0,
				      SGCAP_TRANSFORM_SWAP16));
	for (i = 0; i < ST_CONSUMERS; i++)
		ASSERT_EQ(0, pthread_create(&consumers[i], NULL, st_consumer, s));
	ASSERT_EQ(0, pthread_create(&controller, NULL, st_controller, s));
	ASSERT_EQ(0, pthread_create(&observer, NULL, st_observer, s));

	for (i = 0; i < (int)seconds * 10 && !atomic_load(&s->stop); i++)
		sgt_sleep_ms(100);

	atomic_store(&s->quiet, true);
	pthread_join(controller, NULL);
	pthread_join(observer, NULL);
	/* The end: the card goes away under the consumers. */
	if (!atomic_load(&s->stop)) {
		err = sgt_start(s->fd);
		if (err && err != -EBUSY)
			st_fail(s, "START: %s", strerror(-err));
		sgt_sleep_ms(200);
		/* From here on the consumers may see -ENODEV. */
		atomic_store(&s->removed, true);
		err = sgt_sim_del(SGT_SIM_ID_STRESS);
		if (err)
			st_fail(s, "del_device: %s", strerror(-err));
		sgt_sleep_ms(300);
	} else {
		/* A failure: wake blocked consumers (-ENODATA). */
		sgt_stop(s->fd);
	}
	atomic_store(&s->stop, true);
	for (i = 0; i < ST_CONSUMERS; i++)
		pthread_join(consumers[i], NULL);
	/* Captures still in the socket: intact after the card is gone. */
	while (st_receive(s, &c)) {
		st_check(s, &c);
		close(c.fd);
	}

	ksft_print_msg("%lu captures, %lu checked, %lu passed between threads, %lu with an error\n",
		       atomic_load(&s->captures), atomic_load(&s->checked),
		       atomic_load(&s->passed), atomic_load(&s->errors));
	EXPECT_EQ(0, s->failure[0]) TH_LOG("%s", s->failure);
	EXPECT_LT(10UL, atomic_load(&s->captures));
}

TEST_HARNESS_MAIN
