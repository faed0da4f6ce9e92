/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * libsgcap internals shared by the card and capture halves of the library.
 */
#ifndef SGCAP_INTERNAL_H
#define SGCAP_INTERNAL_H

#include <sgcap.h>

/**
 * struct sgcap_card - an open card
 * @fd: the open /dev/sgcapN
 * @path: the path it was opened by, for messages
 * @caps: the card's capabilities, read at open
 * @cfg: the last configuration set or read; tells the transform of captures
 * @cfg_valid: @cfg holds what the driver said
 */
struct sgcap_card {
	int fd;
	char *path;
	struct sgcap_caps caps;
	struct sgcap_config cfg;
	unsigned int cfg_valid:1;
};

/**
 * struct sgcap_capture - a dequeued capture and its dma-buf
 * @fd: the dma-buf file descriptor, owned by the capture
 * @transform: SGCAP_TRANSFORM_* the driver applied to the bytes
 * @features: SGCAP_FEAT_* of the card that produced it: what to verify
 * @meta: what SGCAP_IOC_DEQUEUE reported (the fd field is not used)
 * @map: the read-only mapping, or NULL
 * @size: the dma-buf's size, -1 until known
 * @sync: DMA_BUF_IOCTL_SYNC works on @fd (a dma-buf, not a plain file)
 */
struct sgcap_capture {
	int fd;
	unsigned int transform;
	__u64 features;
	struct sgcap_dequeue meta;
	void *map;
	__s64 size;
	unsigned int sync:1;
};

struct sgcap_capture *sgcap_capture_new(int fd,
					const struct sgcap_dequeue *meta,
					unsigned int transform,
					__u64 features);

#endif /* SGCAP_INTERNAL_H */
