// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap_hold - helper of zz_rmmod.sh: hold one capture.
 *
 *   sgcap_hold SIM_ID SECONDS
 *
 * Configures the card of simulated card SIM_ID (default configuration),
 * starts it, dequeues one capture, checks its bytes and CRC, maps it and
 * closes the card: from then on only the dma-buf (fd and mapping) keeps the
 * module busy. Prints "holding seq=S" and waits SECONDS seconds or until
 * SIGTERM/SIGINT, then checks the mapped bytes again.
 *
 * Exit status: 0 capture good before and after, 1 bad bytes or CRC, 2 any
 * other failure. Without arguments (the bed runs every binary) it reports a
 * TAP skip and exits 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "sgcap_util.h"

static int fail(const char *what, int err)
{
	fprintf(stderr, "sgcap_hold: %s: %s\n", what, strerror(-err));
	return 2;
}

int main(int argc, char **argv)
{
	struct timespec hold;
	sigset_t quit;
	struct sgcap_dequeue dq;
	struct sgt_check chk;
	unsigned long id, secs;
	void *map;
	int fd, err, waited;

	if (argc != 3) {
		printf("TAP version 13\n");
		printf("1..0 # SKIP helper of zz_rmmod.sh: sgcap_hold SIM_ID SECONDS\n");
		return 0;
	}
	id = strtoul(argv[1], NULL, 0);
	secs = strtoul(argv[2], NULL, 0);

	/* SIGTERM or SIGINT end the hold early: wait for them synchronously */
	sigemptyset(&quit);
	sigaddset(&quit, SIGTERM);
	sigaddset(&quit, SIGINT);
	sigprocmask(SIG_BLOCK, &quit, NULL);

	/* right after insmod the node may still be on its way */
	for (waited = 0;; waited += 100) {
		fd = sgt_sim_open((unsigned int)id);
		if (fd >= 0 || waited >= 5000)
			break;
		sgt_sleep_ms(100);
	}
	if (fd < 0)
		return fail("open", fd);
	err = sgt_setup_stream(fd, SGT_DEFAULT_SIZE, SGT_DEFAULT_ORDER,
			       SGT_DEFAULT_COUNT, 0, SGCAP_TRANSFORM_NONE);
	if (err)
		return fail("configure/start", err);
	err = sgt_dequeue_wait(fd, &dq, 5000);
	if (err)
		return fail("dequeue", err);
	if (dq.pattern_mismatches || dq.capture_flags ||
	    dq.bytes_used != SGT_DEFAULT_SIZE) {
		fprintf(stderr, "sgcap_hold: bad capture metadata\n");
		return 1;
	}
	err = sgt_check_fd((int)dq.fd, dq.bytes_used, dq.sequence,
			   SGCAP_TRANSFORM_NONE, &chk);
	if (err)
		return fail("check", err);
	if (chk.mismatches || chk.crc32c != dq.crc32c) {
		fprintf(stderr, "sgcap_hold: %llu bad bytes, crc %08x/%08x\n",
			(unsigned long long)chk.mismatches, chk.crc32c,
			dq.crc32c);
		return 1;
	}
	map = mmap(NULL, SGT_DEFAULT_SIZE, PROT_READ, MAP_SHARED, (int)dq.fd,
		   0);
	if (map == MAP_FAILED)
		return fail("mmap", -errno);
	/* the card file goes: only the dma-buf pins the module now */
	close(fd);

	printf("holding seq=%llu\n", (unsigned long long)dq.sequence);
	fflush(stdout);

	hold.tv_sec = (time_t)secs;
	hold.tv_nsec = 0;
	sigtimedwait(&quit, NULL, &hold);

	chk.mismatches = sgt_compare(map, 0, SGT_DEFAULT_SIZE, dq.sequence,
				     SGCAP_TRANSFORM_NONE, NULL);
	if (chk.mismatches || sgt_crc(map, SGT_DEFAULT_SIZE) != dq.crc32c) {
		fprintf(stderr, "sgcap_hold: held capture changed\n");
		return 1;
	}
	printf("released seq=%llu intact\n", (unsigned long long)dq.sequence);
	munmap(map, SGT_DEFAULT_SIZE);
	close((int)dq.fd);
	return 0;
}
