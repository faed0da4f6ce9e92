/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sgcap selftests: shared helpers (prefix sgt_, so that nothing collides
 * with the sgcap_ names of sgcap_pp.c, which sgcap_util.c builds in).
 *
 * Finding the card of a simulated device, creating and deleting simulated
 * cards, debugfs knobs, configure/dequeue wrappers and the verification of a
 * capture against the reference pattern of sgcap_pp.c (the code the driver
 * runs) and CRC32C.
 *
 * Every helper returns 0 (or a non-negative value) on success and -errno on
 * failure, so the tests can assert exact error codes.
 */
#ifndef SGCAP_UTIL_H
#define SGCAP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/sgcap.h>

#include "sgcap_pp.h"

#define SGT_SIM_BUS		"/sys/bus/sgcap_sim"
#define SGT_DEBUGFS		"/sys/kernel/debug/sgcap"

#define SGT_KIB			1024ULL
#define SGT_DEFAULT_SIZE	(640 * SGT_KIB)
#define SGT_DEFAULT_ORDER	1U
#define SGT_DEFAULT_COUNT	8U

/* The card the bed creates at insmod (sim_cards=1). */
#define SGT_SIM_DEFAULT_ID	0

/* Simulated card IDs the tests create (>= 10); each test deletes its own. */
#define SGT_SIM_ID_SEGMENTS	10
#define SGT_SIM_ID_TEARDOWN	11
#define SGT_SIM_ID_FAULTS	12
#define SGT_SIM_ID_IOCTL	13
#define SGT_SIM_ID_STREAM	14
#define SGT_SIM_ID_BUS		15	/* and 16 */
#define SGT_SIM_ID_ALLOC_FAIL	20
#define SGT_SIM_ID_FUZZ		21
#define SGT_SIM_ID_STRESS	22

/* Result of checking one capture's bytes. */
struct sgt_check {
	uint64_t mismatches;	/* bytes differing from the expected data */
	uint64_t first_bad;	/* offset of the first differing byte */
	uint32_t crc32c;	/* CRC32C of the bytes_used bytes as mapped */
	uint64_t map_len;	/* bytes mapped (bytes_used rounded to pages) */
};

size_t sgt_page_size(void);
uint64_t sgt_now_ns(void);
void sgt_sleep_ms(unsigned int ms);

/* Simulated cards and their /dev nodes. */
int sgt_sim_new(unsigned int id);
int sgt_sim_del(unsigned int id);
int sgt_sim_write_bus(const char *attr, const char *text);
bool sgt_sim_exists(unsigned int id);
int sgt_sim_card_index(unsigned int id);
int sgt_sim_dev_path(unsigned int id, char *path, size_t len);
int sgt_sim_open(unsigned int id);

/* PCI cards: the QEMU edu device driven by sgcap_pci.c */
#define SGT_PCI_DEVICES		"/sys/bus/pci/devices"
#define SGT_EDU_VENDOR		0x1234
#define SGT_EDU_DEVICE		0x11e8

/* Any card's N of /dev/sgcapN: the entry of DEVDIR/misc/ (sysfs). */
int sgt_dev_card_index(const char *devdir);
/* The sysfs directory of the first edu device, bound or not; -ENOENT. */
int sgt_edu_find(char *dir, size_t len);
/* Is the device of sysfs directory DEVDIR bound to DRIVER? */
bool sgt_dev_driver_is(const char *devdir, const char *driver);
/* Open /dev/sgcapN: a new fd or -errno. */
int sgt_card_open(int card);

/* debugfs: /sys/kernel/debug/sgcap/sgcapN/[sim/]NAME */
int sgt_dbg_path(int card, const char *name, char *path, size_t len);
int sgt_dbg_read(int card, const char *name, char *buf, size_t len);
int sgt_dbg_write_u64(int card, const char *name, uint64_t val);
int sgt_dbg_read_u64(int card, const char *name, uint64_t *val);
int sgt_dbg_buffer_line(int card, unsigned int index, char *line,
			size_t len);
bool sgt_has_run(const char *line, unsigned int order, unsigned int count);

/* ioctl wrappers: 0 / new fd or -errno. */
void sgt_config_init(struct sgcap_config *cfg, uint64_t size,
		     unsigned int order, unsigned int count,
		     unsigned int rate, unsigned int transform);
int sgt_get_caps(int fd, struct sgcap_caps *caps);
int sgt_get_config(int fd, struct sgcap_config *cfg);
int sgt_get_stats(int fd, struct sgcap_stats *st);
int sgt_configure(int fd, const struct sgcap_config *cfg);
int sgt_start(int fd);
int sgt_stop(int fd);
int sgt_dequeue(int fd, struct sgcap_dequeue *dq, uint32_t flags);
int sgt_dequeue_wait(int fd, struct sgcap_dequeue *dq, int timeout_ms);
int sgt_dequeue_blocking(int fd, struct sgcap_dequeue *dq,
			 unsigned int seconds);
int sgt_setup_stream(int fd, uint64_t size, unsigned int order,
		     unsigned int count, unsigned int rate,
		     unsigned int transform);
int sgt_drain(int fd);

/* Reference data and verification. */
void sgt_expected(void *dst, uint64_t offset, size_t len, uint64_t seq,
		  unsigned int transform);
uint32_t sgt_crc(const void *buf, size_t len);
uint32_t sgt_expected_crc(uint64_t len, uint64_t seq,
			  unsigned int transform);
uint64_t sgt_compare(const void *buf, uint64_t offset, size_t len,
		     uint64_t seq, unsigned int transform,
		     uint64_t *first_bad);
int sgt_sync(int buf_fd, uint64_t flags);	/* DMA_BUF_IOCTL_SYNC */
int sgt_check_fd(int buf_fd, uint64_t bytes_used, uint64_t seq,
		 unsigned int transform, struct sgt_check *chk);
unsigned int sgt_expected_chunks(uint64_t size, unsigned int order);
int sgt_count_fds(void);

/* /dev/kmsg: remember the end, later look for kernel splats since then. */
int sgt_kmsg_open(void);
int sgt_kmsg_splats(int kfd, char *first, size_t len);

/* sgcap_drm_util.c, linked into the tests built against libdrm */
int sgt_open_vgem(void);

#endif /* SGCAP_UTIL_H */
