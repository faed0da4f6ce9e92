/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libsgcap - userspace library of the sgcap capture card.
 *
 * Two opaque objects: a card (an open /dev/sgcapN) and a capture (one
 * dequeued dma-buf with the metadata the driver reported for it). Functions
 * are named sgcap_<object>_<verb>. Every function that can fail returns -1
 * or NULL with errno set; nothing prints.
 *
 * A capture owns its dma-buf file descriptor: the buffer goes back to the
 * card when the capture is released and every other user (a mapping, a
 * process the fd was passed to, an importing driver) let go of it.
 *
 * See Documentation/userspace-api/sgcap-tools.rst.
 */
#ifndef SGCAP_H
#define SGCAP_H

#include <stddef.h>
#include <linux/types.h>
#include <linux/sgcap.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SGCAP_LIB_VERSION		"1.0.0"

#define SGCAP_DEFAULT_DEVICE		"/dev/sgcap0"
/* 640 KiB: 80 chunks of order 1 (8 KiB) each. */
#define SGCAP_DEFAULT_BUFFER_SIZE	655360ULL
#define SGCAP_DEFAULT_BUFFER_COUNT	8
#define SGCAP_DEFAULT_CHUNK_ORDER	1

/* Problems sgcap_capture_verify() found, struct sgcap_verify.problems. */
#define SGCAP_VERIFY_CRC		0x01	/* CRC32C here != the card's */
#define SGCAP_VERIFY_PATTERN		0x02	/* bytes differ from the pattern */
#define SGCAP_VERIFY_KERNEL_PATTERN	0x04	/* the driver counted mismatches */
#define SGCAP_VERIFY_CARD_ERROR		0x08	/* SGCAP_CAPTURE_ERROR was set */
#define SGCAP_VERIFY_SHORT		0x10	/* dma-buf smaller than bytes_used */

/**
 * struct sgcap_verify - outcome of a verification in userspace
 * @problems: SGCAP_VERIFY_* bits, zero when the capture is intact
 * @crc32c: CRC32C of the bytes as mapped, computed here
 * @mismatches: bytes that differ from the pattern (counted before the
 *	transform, like the driver counts them)
 * @first_bad: offset of the first differing byte, or ~0 if none
 * @checked: bytes checked
 */
struct sgcap_verify {
	__u32 problems;
	__u32 crc32c;
	__u64 mismatches;
	__u64 first_bad;
	__u64 checked;
};

struct sgcap_card;
struct sgcap_capture;

const char *sgcap_library_version(void);
const char *sgcap_backend_name(__u32 backend);
const char *sgcap_transform_name(unsigned int transform);
int sgcap_transform_from_name(const char *name);

/* Cards. */
struct sgcap_card *sgcap_card_open(const char *path);
void sgcap_card_close(struct sgcap_card *card);
int sgcap_card_fd(const struct sgcap_card *card);
const char *sgcap_card_path(const struct sgcap_card *card);
int sgcap_card_get_caps(struct sgcap_card *card, struct sgcap_caps *caps);
void sgcap_config_init(struct sgcap_config *cfg);
int sgcap_card_configure(struct sgcap_card *card,
			 const struct sgcap_config *cfg);
int sgcap_card_get_config(struct sgcap_card *card, struct sgcap_config *cfg);
int sgcap_card_start(struct sgcap_card *card);
int sgcap_card_stop(struct sgcap_card *card);
struct sgcap_capture *sgcap_card_dequeue(struct sgcap_card *card,
					 int timeout_ms);
int sgcap_card_get_stats(struct sgcap_card *card, struct sgcap_stats *stats);

/* Captures. */
struct sgcap_capture *sgcap_capture_from_fd(int fd,
					    const struct sgcap_dequeue *meta,
					    unsigned int transform,
					    __u64 features);
int sgcap_capture_fd(const struct sgcap_capture *cap);
__u64 sgcap_capture_sequence(const struct sgcap_capture *cap);
__u64 sgcap_capture_timestamp_ns(const struct sgcap_capture *cap);
__u64 sgcap_capture_bytes_used(const struct sgcap_capture *cap);
__u32 sgcap_capture_crc32c(const struct sgcap_capture *cap);
__u64 sgcap_capture_mismatches(const struct sgcap_capture *cap);
__u32 sgcap_capture_flags(const struct sgcap_capture *cap);
__u32 sgcap_capture_chunk_count(const struct sgcap_capture *cap);
__u32 sgcap_capture_buffer_index(const struct sgcap_capture *cap);
unsigned int sgcap_capture_transform(const struct sgcap_capture *cap);
void sgcap_capture_get_meta(const struct sgcap_capture *cap,
			    struct sgcap_dequeue *meta);
__s64 sgcap_capture_size(struct sgcap_capture *cap);
const void *sgcap_capture_map(struct sgcap_capture *cap);
int sgcap_capture_unmap(struct sgcap_capture *cap);
int sgcap_capture_verify(struct sgcap_capture *cap, struct sgcap_verify *res);
void sgcap_capture_release(struct sgcap_capture *cap);

/* The simulated card's pattern, for data that left the card. */
int sgcap_verify_buffer(const void *buf, size_t len, __u64 seq,
			unsigned int transform, struct sgcap_verify *res);
int sgcap_pattern_identify(const void *buf, size_t len,
			   unsigned int transform, __u64 *seq);
void sgcap_pattern_generate(void *buf, size_t len, __u64 seq,
			    unsigned int transform);

#ifdef __cplusplus
}
#endif

#endif /* SGCAP_H */
