// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libsgcap: cards. Thin wrappers around the ioctls of /dev/sgcapN plus a
 * dequeue that blocks with poll() and takes captures with the non-blocking
 * SGCAP_IOC_DEQUEUE, so a caller's timeout and signals are honoured.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "sgcap_internal.h"

/**
 * sgcap_library_version() - version of libsgcap
 *
 * Return: a static string such as "1.0.0".
 */
const char *sgcap_library_version(void)
{
	return SGCAP_LIB_VERSION;
}

/**
 * sgcap_backend_name() - human name of a SGCAP_BACKEND_* value
 * @backend: struct sgcap_caps.backend
 *
 * Return: a static string, "unknown" for values this library predates.
 */
const char *sgcap_backend_name(__u32 backend)
{
	switch (backend) {
	case SGCAP_BACKEND_SIM:
		return "simulated card";
	case SGCAP_BACKEND_PCI_EDU:
		return "QEMU edu PCI device";
	default:
		return "unknown";
	}
}

/**
 * sgcap_transform_name() - name of a SGCAP_TRANSFORM_* value
 * @transform: the transform
 *
 * Return: "none", "swap16" or "unknown".
 */
const char *sgcap_transform_name(unsigned int transform)
{
	switch (transform) {
	case SGCAP_TRANSFORM_NONE:
		return "none";
	case SGCAP_TRANSFORM_SWAP16:
		return "swap16";
	default:
		return "unknown";
	}
}

/**
 * sgcap_transform_from_name() - parse a transform name
 * @name: "none" or "swap16"
 *
 * Return: the SGCAP_TRANSFORM_* value, or -1 with errno EINVAL.
 */
int sgcap_transform_from_name(const char *name)
{
	if (name && !strcmp(name, "none"))
		return SGCAP_TRANSFORM_NONE;
	if (name && !strcmp(name, "swap16"))
		return SGCAP_TRANSFORM_SWAP16;
	errno = EINVAL;
	return -1;
}

/**
 * sgcap_card_open() - open a card
 * @path: its device node, NULL for SGCAP_DEFAULT_DEVICE
 *
 * Opens the node read-write and reads the card's capabilities, which also
 * proves that the node is an sgcap card: any other device fails here
 * (typically with ENOTTY). Opening does not make this process the card's
 * owner; the first SGCAP_IOC_CONFIGURE or SGCAP_IOC_START does.
 *
 * Return: the card, or NULL with errno set (EPROTO: the driver speaks an
 * interface version this library does not know).
 */
struct sgcap_card *sgcap_card_open(const char *path)
{
	struct sgcap_card *card;
	int err;

	if (!path)
		path = SGCAP_DEFAULT_DEVICE;
	card = calloc(1, sizeof(*card));
	if (!card)
		return NULL;
	card->path = strdup(path);
	if (!card->path)
		goto err_free_card;
	card->fd = open(path, O_RDWR | O_CLOEXEC);
	if (card->fd < 0)
		goto err_free_path;
	if (ioctl(card->fd, SGCAP_IOC_GET_CAPS, &card->caps) < 0)
		goto err_close;
	if (card->caps.version < 1) {
		errno = EPROTO;
		goto err_close;
	}
	return card;

err_close:
	err = errno;
	close(card->fd);
	errno = err;
err_free_path:
	free(card->path);
err_free_card:
	free(card);
	return NULL;
}

/**
 * sgcap_card_close() - close a card
 * @card: the card, or NULL
 *
 * If this process owns the card, the driver stops streaming. Captures
 * dequeued from the card stay valid until they are released.
 */
void sgcap_card_close(struct sgcap_card *card)
{
	if (!card)
		return;
	close(card->fd);
	free(card->path);
	free(card);
}

/**
 * sgcap_card_fd() - the card's file descriptor
 * @card: the card
 *
 * For poll() in an event loop: POLLIN means a capture is ready, POLLHUP
 * alone that the card is not streaming and nothing is queued, POLLERR that
 * the card is gone. Do not close it.
 *
 * Return: the descriptor.
 */
int sgcap_card_fd(const struct sgcap_card *card)
{
	return card->fd;
}

/**
 * sgcap_card_path() - the path the card was opened by
 * @card: the card
 *
 * Return: the path, valid until sgcap_card_close().
 */
const char *sgcap_card_path(const struct sgcap_card *card)
{
	return card->path;
}

/**
 * sgcap_card_get_caps() - read the card's capabilities (SGCAP_IOC_GET_CAPS)
 * @card: the card
 * @caps: filled in
 *
 * Return: 0, or -1 with errno set.
 */
int sgcap_card_get_caps(struct sgcap_card *card, struct sgcap_caps *caps)
{
	if (ioctl(card->fd, SGCAP_IOC_GET_CAPS, &card->caps) < 0)
		return -1;
	*caps = card->caps;
	return 0;
}

/**
 * sgcap_config_init() - fill a configuration with the defaults
 * @cfg: the configuration
 *
 * 8 buffers of 640 KiB in order-1 chunks, no transform, as fast as the card
 * can (rate 0). @cfg->size is set to the size this library knows.
 */
void sgcap_config_init(struct sgcap_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->buffer_count = SGCAP_DEFAULT_BUFFER_COUNT;
	cfg->chunk_order = SGCAP_DEFAULT_CHUNK_ORDER;
	cfg->buffer_size = SGCAP_DEFAULT_BUFFER_SIZE;
	cfg->transform = SGCAP_TRANSFORM_NONE;
}

/**
 * sgcap_card_configure() - set up the buffer pool (SGCAP_IOC_CONFIGURE)
 * @card: the card
 * @cfg: the configuration; its size field is set by the library
 *
 * Makes this process the card's owner. EBUSY: another process owns it;
 * EINVAL: a value out of the ranges struct sgcap_caps gives.
 *
 * Return: 0, or -1 with errno set.
 */
int sgcap_card_configure(struct sgcap_card *card,
			 const struct sgcap_config *cfg)
{
	struct sgcap_config c = *cfg;

	c.size = sizeof(c);
	if (ioctl(card->fd, SGCAP_IOC_CONFIGURE, &c) < 0)
		return -1;
	card->cfg = c;
	card->cfg_valid = 1;
	return 0;
}

/**
 * sgcap_card_get_config() - read the configuration in force
 * @card: the card
 * @cfg: filled in (SGCAP_IOC_GET_CONFIG)
 *
 * Return: 0, or -1 with errno set.
 */
int sgcap_card_get_config(struct sgcap_card *card, struct sgcap_config *cfg)
{
	struct sgcap_config c;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	if (ioctl(card->fd, SGCAP_IOC_GET_CONFIG, &c) < 0)
		return -1;
	card->cfg = c;
	card->cfg_valid = 1;
	*cfg = c;
	return 0;
}

/**
 * sgcap_card_start() - start streaming (SGCAP_IOC_START)
 * @card: the card
 *
 * The card's frame sequence restarts at 0.
 *
 * Return: 0, or -1 with errno set.
 */
int sgcap_card_start(struct sgcap_card *card)
{
	return ioctl(card->fd, SGCAP_IOC_START) < 0 ? -1 : 0;
}

/**
 * sgcap_card_stop() - stop streaming (SGCAP_IOC_STOP)
 * @card: the card
 *
 * Return: 0, or -1 with errno set.
 */
int sgcap_card_stop(struct sgcap_card *card)
{
	return ioctl(card->fd, SGCAP_IOC_STOP) < 0 ? -1 : 0;
}

/**
 * sgcap_card_get_stats() - read counters and buffer states
 * @card: the card
 * @stats: filled in (SGCAP_IOC_GET_STATS)
 *
 * Return: 0, or -1 with errno set.
 */
int sgcap_card_get_stats(struct sgcap_card *card, struct sgcap_stats *stats)
{
	return ioctl(card->fd, SGCAP_IOC_GET_STATS, stats) < 0 ? -1 : 0;
}

static __s64 sgcap_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__s64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The transform of a capture: the flag says whether one was applied, the
 * configuration which. Only re-read the configuration when the cached one
 * cannot explain the flag (someone else configured the card).
 */
static unsigned int sgcap_card_transform(struct sgcap_card *card, __u32 flags)
{
	struct sgcap_config cfg;

	if (!(flags & SGCAP_CAPTURE_TRANSFORMED))
		return SGCAP_TRANSFORM_NONE;
	if (!card->cfg_valid || card->cfg.transform == SGCAP_TRANSFORM_NONE)
		sgcap_card_get_config(card, &cfg);
	return card->cfg.transform;
}

/**
 * sgcap_card_dequeue() - take the oldest completed capture
 * @card: the card
 * @timeout_ms: how long to wait for one: 0 not at all, -1 forever
 *
 * Waits with poll() and dequeues with SGCAP_DEQUEUE_NONBLOCK, so a signal
 * interrupts the wait (EINTR) whatever its SA_RESTART setting.
 *
 * Return: the capture, or NULL with errno set: EAGAIN (@timeout_ms 0 and
 * none ready), ETIMEDOUT, EINTR, ENODATA (the card is not streaming and
 * nothing is queued), ENODEV (the card is gone), EBUSY (another process owns
 * the card).
 */
struct sgcap_capture *sgcap_card_dequeue(struct sgcap_card *card,
					 int timeout_ms)
{
	__s64 deadline = sgcap_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct sgcap_capture *cap;
	struct sgcap_dequeue dq;
	struct pollfd pfd;
	int wait, n;

	for (;;) {
		memset(&dq, 0, sizeof(dq));
		dq.flags = SGCAP_DEQUEUE_NONBLOCK;
		if (!ioctl(card->fd, SGCAP_IOC_DEQUEUE, &dq))
			break;
		if (errno != EAGAIN)
			return NULL;
		if (!timeout_ms)
			return NULL;
		wait = -1;
		if (timeout_ms > 0) {
			__s64 left = deadline - sgcap_now_ms();

			if (left <= 0) {
				errno = ETIMEDOUT;
				return NULL;
			}
			wait = (int)left;
		}
		pfd.fd = card->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = poll(&pfd, 1, wait);
		if (n < 0)
			return NULL;
		if (n && !(pfd.revents & POLLIN)) {
			/*
			 * POLLERR: the card is gone. A bare POLLHUP: the card
			 * is not streaming and nothing is queued, so nothing
			 * will come (what a blocking DEQUEUE says with ENODATA).
			 */
			if (pfd.revents & (POLLERR | POLLNVAL)) {
				errno = ENODEV;
				return NULL;
			}
			if (pfd.revents & POLLHUP) {
				errno = ENODATA;
				return NULL;
			}
		}
	}

	cap = sgcap_capture_new((int)dq.fd, &dq,
				sgcap_card_transform(card, dq.capture_flags),
				card->caps.features);
	if (!cap) {
		int err = errno;

		close((int)dq.fd);
		errno = err;
	}
	return cap;
}
