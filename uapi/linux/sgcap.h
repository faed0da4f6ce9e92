/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * sgcap - scatter-gather capture card: userspace interface.
 *
 * Every structure uses fixed-size types only, is padded explicitly to a
 * multiple of 8 bytes and carries reserved fields that must be zero on input
 * (the kernel zeroes them on output). Unknown flags and non-zero reserved
 * fields are rejected with -EINVAL, unknown ioctls with -ENOTTY.
 *
 * See Documentation/userspace-api/sgcap.rst.
 */
#ifndef _UAPI_LINUX_SGCAP_H
#define _UAPI_LINUX_SGCAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Interface version reported in struct sgcap_caps.version. */
#define SGCAP_UAPI_VERSION		1

/* Backends, struct sgcap_caps.backend. */
#define SGCAP_BACKEND_SIM		1	/* simulated card */
#define SGCAP_BACKEND_PCI_EDU		2	/* QEMU edu PCI device */

/* Feature bits, struct sgcap_caps.features. */
#define SGCAP_FEAT_CRC32C		(1ULL << 0)	/* crc32c in metadata */
#define SGCAP_FEAT_PATTERN		(1ULL << 1)	/* pattern check */
#define SGCAP_FEAT_TRANSFORM_SWAP16	(1ULL << 2)
#define SGCAP_FEAT_RATE			(1ULL << 3)	/* config.rate honoured */

/**
 * struct sgcap_caps - what a card can do (SGCAP_IOC_GET_CAPS)
 * @version: SGCAP_UAPI_VERSION
 * @backend: SGCAP_BACKEND_*
 * @features: SGCAP_FEAT_* bits
 * @max_segments: most DMA segments the card takes per buffer
 * @max_segment_size: largest DMA segment the card takes, in bytes
 * @max_buffers: largest config.buffer_count accepted
 * @max_order: largest config.chunk_order accepted
 * @min_buffers: smallest config.buffer_count accepted
 * @pad: zero
 * @max_buffer_size: largest config.buffer_size accepted, in bytes
 * @reserved: zero
 */
struct sgcap_caps {
	__u32 version;
	__u32 backend;
	__u64 features;
	__u32 max_segments;
	__u32 max_segment_size;
	__u32 max_buffers;
	__u32 max_order;
	__u32 min_buffers;
	__u32 pad;
	__u64 max_buffer_size;
	__u64 reserved[4];
};

/* Transforms, struct sgcap_config.transform. */
#define SGCAP_TRANSFORM_NONE		0
#define SGCAP_TRANSFORM_SWAP16		1	/* swap the bytes of every 16-bit word */

/* Size of the first version of struct sgcap_config. */
#define SGCAP_CONFIG_SIZE_VER0		64

/**
 * struct sgcap_config - buffer pool and capture set-up (SGCAP_IOC_CONFIGURE)
 * @size: sizeof(struct sgcap_config) as the caller knows it; at least
 *	SGCAP_CONFIG_SIZE_VER0. A larger struct is accepted if the bytes the
 *	kernel does not know are zero (-E2BIG otherwise).
 * @flags: zero (no flags defined yet)
 * @buffer_count: buffers in the pool, min_buffers..max_buffers
 * @chunk_order: preferred chunk order: chunks of 2^order pages; smaller
 *	chunks are used where memory is fragmented or the card's segment size
 *	requires it
 * @buffer_size: bytes per capture, > 0 and <= max_buffer_size; need not be
 *	a multiple of the chunk size
 * @transform: SGCAP_TRANSFORM_*
 * @rate: captures per second the card produces; 0 = as fast as it can
 *	(the card then waits for a free buffer instead of dropping). Only a
 *	card with SGCAP_FEAT_RATE takes a rate other than 0
 * @reserved: zero
 *
 * SGCAP_IOC_GET_CONFIG returns the configuration in force; there @size is
 * set by the kernel and @chunk_order is the preferred order asked for.
 */
struct sgcap_config {
	__u32 size;
	__u32 flags;
	__u32 buffer_count;
	__u32 chunk_order;
	__u64 buffer_size;
	__u32 transform;
	__u32 rate;
	__u64 reserved[4];
};

/* Input flags, struct sgcap_dequeue.flags. */
#define SGCAP_DEQUEUE_NONBLOCK		(1U << 0)	/* -EAGAIN if none ready */
#define SGCAP_DEQUEUE_FLAGS_ALL		SGCAP_DEQUEUE_NONBLOCK

/* Output flags, struct sgcap_dequeue.capture_flags. */
#define SGCAP_CAPTURE_ERROR		(1U << 0)	/* the card reported a DMA error */
#define SGCAP_CAPTURE_TRANSFORMED	(1U << 1)	/* transform applied */

/**
 * struct sgcap_dequeue - take the oldest completed capture (SGCAP_IOC_DEQUEUE)
 * @flags: in: SGCAP_DEQUEUE_* flags
 * @fd: out: a new dma-buf file descriptor (O_RDWR | O_CLOEXEC) holding the
 *	capture; when the last reference to the dma-buf goes (every fd closed,
 *	every mapping and importer gone) the buffer goes back to the card
 * @sequence: out: the card's frame number; a gap means dropped frames
 * @timestamp_ns: out: CLOCK_MONOTONIC time of completion
 * @bytes_used: out: bytes of capture data in the buffer
 * @capture_flags: out: SGCAP_CAPTURE_* flags
 * @crc32c: out: CRC32C (Castagnoli, seed ~0, final xor ~0) of the bytes as
 *	userspace sees them, after any transform
 * @pattern_mismatches: out: bytes that differ from the simulated card's
 *	pattern (before any transform); 0 means intact
 * @chunk_count: out: scatter-gather chunks the buffer is made of
 * @buffer_index: out: index of the buffer in the pool
 * @reserved: in: zero; out: zero
 */
struct sgcap_dequeue {
	__u32 flags;
	__u32 fd;
	__u64 sequence;
	__u64 timestamp_ns;
	__u64 bytes_used;
	__u32 capture_flags;
	__u32 crc32c;
	__u64 pattern_mismatches;
	__u32 chunk_count;
	__u32 buffer_index;
	__u64 reserved[4];
};

/**
 * struct sgcap_stats - counters and buffer states (SGCAP_IOC_GET_STATS)
 *
 * The counters are the card's, from its creation on; the buffer states are
 * those of the pool in force.
 *
 * @captures: captures completed by the card and queued
 * @dequeued: captures handed to userspace
 * @drops_no_buffer: frames dropped because no buffer was free
 * @drops_injected: frames dropped by fault injection (stall, drop percentage)
 * @errors: captures completed with a DMA error
 * @bytes: capture bytes completed
 * @buffers_total: buffers in the pool
 * @buffers_free: buffers owned by the driver, not given to the card
 * @buffers_card: buffers given to the card
 * @buffers_ready: completed buffers waiting for SGCAP_IOC_DEQUEUE
 * @buffers_held: buffers exported and held by a dma-buf user
 * @streaming: 1 while started
 * @discarded: completed captures nobody dequeued, dropped by the owner's
 *	close, a new configuration or the removal of the card
 * @reserved: zero
 */
struct sgcap_stats {
	__u64 captures;
	__u64 dequeued;
	__u64 drops_no_buffer;
	__u64 drops_injected;
	__u64 errors;
	__u64 bytes;
	__u32 buffers_total;
	__u32 buffers_free;
	__u32 buffers_card;
	__u32 buffers_ready;
	__u32 buffers_held;
	__u32 streaming;
	__u64 discarded;
	__u64 reserved[3];
};

#define SGCAP_IOC_MAGIC		0xB8

#define SGCAP_IOC_GET_CAPS	_IOR(SGCAP_IOC_MAGIC, 0x00, struct sgcap_caps)
#define SGCAP_IOC_CONFIGURE	_IOW(SGCAP_IOC_MAGIC, 0x01, struct sgcap_config)
#define SGCAP_IOC_GET_CONFIG	_IOR(SGCAP_IOC_MAGIC, 0x02, struct sgcap_config)
#define SGCAP_IOC_START		_IO(SGCAP_IOC_MAGIC, 0x03)
#define SGCAP_IOC_STOP		_IO(SGCAP_IOC_MAGIC, 0x04)
#define SGCAP_IOC_DEQUEUE	_IOWR(SGCAP_IOC_MAGIC, 0x05, struct sgcap_dequeue)
#define SGCAP_IOC_GET_STATS	_IOR(SGCAP_IOC_MAGIC, 0x06, struct sgcap_stats)

#endif /* _UAPI_LINUX_SGCAP_H */
