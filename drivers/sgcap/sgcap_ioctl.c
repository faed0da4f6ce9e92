// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap - ioctls of /dev/sgcapN, one function per command.
 *
 * Ownership: any open file may GET_CAPS, GET_CONFIG, GET_STATS and poll().
 * The first file whose CONFIGURE or START succeeds owns the card until it is
 * closed; CONFIGURE, START, STOP and DEQUEUE from any other file fail with
 * -EBUSY meanwhile. Closing the owner stops streaming and frees the buffers
 * (the card is unconfigured again) with the captures nobody dequeued;
 * dequeued captures stay valid.
 *
 * Errors, checked in this order (every command: -ENODEV once the card is
 * removed, -EFAULT for a bad user pointer; unknown command: -ENOTTY):
 *
 * SGCAP_IOC_GET_CAPS    -ENODEV, -EFAULT
 * SGCAP_IOC_CONFIGURE   -EFAULT;
 *                       -EINVAL  size < SGCAP_CONFIG_SIZE_VER0;
 *                       -E2BIG   size > PAGE_SIZE, or non-zero bytes past
 *                                the struct this kernel knows;
 *                       -EINVAL  flags != 0, reserved != 0, buffer_count
 *                                outside [min_buffers, max_buffers],
 *                                buffer_size 0 or > max_buffer_size,
 *                                chunk_order > max_order, unknown
 *                                transform;
 *                       -ENODEV;
 *                       -EINVAL  rate != 0 and the card lacks
 *                                SGCAP_FEAT_RATE;
 *                       -EBUSY   another file owns the card, or streaming;
 *                       -ENOMEM  the buffers do not fit into memory, the
 *                                card's max_segments/max_segment_size or
 *                                the max_pinned_mb module parameter (the
 *                                card is then left unconfigured)
 *                       The previous pool is dropped first: READY captures
 *                       are discarded, dequeued ones stay valid. Sequence
 *                       numbers start again at 0.
 * SGCAP_IOC_GET_CONFIG  -ENODEV, -EFAULT. Returns the configuration in
 *                       force with size = sizeof(struct sgcap_config); all
 *                       other fields 0 (buffer_count 0) when unconfigured.
 * SGCAP_IOC_START       -ENODEV;
 *                       -EBUSY   another file owns the card;
 *                       -EINVAL  not configured;
 *                       -EBUSY   already streaming;
 *                       the backend's error if it cannot start (-ENOMEM,
 *                       -EINTR from kthread_run() for the simulated card)
 * SGCAP_IOC_STOP        -ENODEV;
 *                       -EBUSY   another file owns the card;
 *                       0 otherwise, also when not streaming. Buffers
 *                       with the card return to FREE; READY captures stay
 *                       dequeueable.
 * SGCAP_IOC_DEQUEUE     -EFAULT;
 *                       -EINVAL  flags & ~SGCAP_DEQUEUE_FLAGS_ALL, or
 *                                reserved != 0 (the output fields are
 *                                ignored on input);
 *                       -ENODEV  also when the card goes away while waiting;
 *                       -EBUSY   another file owns the card;
 *                       -EAGAIN  nothing ready and SGCAP_DEQUEUE_NONBLOCK
 *                                or O_NONBLOCK, streaming or not;
 *                       -ENODATA nothing ready and not streaming (also
 *                                when STOP ends the wait);
 *                       -ERESTARTSYS a signal ended the wait (-EINTR);
 *                       -EMFILE  no file descriptor left (the capture
 *                                stays queued, as for -EFAULT on output,
 *                                unless its pool was replaced meanwhile:
 *                                then it is discarded)
 * SGCAP_IOC_GET_STATS   -ENODEV, -EFAULT
 */
#include <linux/dma-buf.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "sgcap.h"

/* With card->lock held: whether @file may change the card's state. */
static int sgcap_card_check_locked(struct sgcap_card *card, struct file *file)
{
	lockdep_assert_held(&card->lock);

	if (card->dead)
		return -ENODEV;
	if (card->owner && card->owner != file)
		return -EBUSY;
	return 0;
}

static long sgcap_ioctl_get_caps(struct sgcap_card *card,
				 struct sgcap_caps __user *uarg)
{
	struct sgcap_caps caps = { };
	struct sgcap_limits lim = { };

	/* The backend's ops are only valid until the card is removed. */
	mutex_lock(&card->lock);
	if (card->dead) {
		mutex_unlock(&card->lock);
		return -ENODEV;
	}
	card->ops->get_limits(card, &lim);
	caps.backend = card->ops->backend;
	/* CRC32C and transforms are the core's, in sgcap_pp.c. */
	caps.features = card->ops->features | SGCAP_FEAT_CRC32C |
			SGCAP_FEAT_TRANSFORM_SWAP16;
	mutex_unlock(&card->lock);

	caps.version = SGCAP_UAPI_VERSION;
	caps.max_segments = lim.max_segments;
	caps.max_segment_size = lim.max_segment_size;
	caps.max_buffers = SGCAP_MAX_BUFFERS;
	/*
	 * The largest order accepted. A card with smaller segments gets
	 * smaller chunks: chunk_order is a preference (see the uapi header).
	 */
	caps.max_order = SGCAP_MAX_ORDER;
	caps.min_buffers = SGCAP_MIN_BUFFERS;
	caps.max_buffer_size = SGCAP_MAX_BUFFER_SIZE;

	if (copy_to_user(uarg, &caps, sizeof(caps)))
		return -EFAULT;
	return 0;
}

int sgcap_config_check_size(u32 size)
{
	if (size < SGCAP_CONFIG_SIZE_VER0)
		return -EINVAL;
	/* Bounds the copy: no kernel will ever know a struct that large. */
	if (size > PAGE_SIZE)
		return -E2BIG;
	return 0;
}

int sgcap_config_validate(const struct sgcap_config *cfg)
{
	if (cfg->flags || memchr_inv(cfg->reserved, 0, sizeof(cfg->reserved)))
		return -EINVAL;
	if (cfg->buffer_count < SGCAP_MIN_BUFFERS ||
	    cfg->buffer_count > SGCAP_MAX_BUFFERS)
		return -EINVAL;
	if (!cfg->buffer_size || cfg->buffer_size > SGCAP_MAX_BUFFER_SIZE)
		return -EINVAL;
	/* A preference: the card's segment size may lower it, see caps. */
	if (cfg->chunk_order > SGCAP_MAX_ORDER)
		return -EINVAL;
	if (cfg->transform != SGCAP_TRANSFORM_NONE &&
	    cfg->transform != SGCAP_TRANSFORM_SWAP16)
		return -EINVAL;
	return 0;
}

static long sgcap_ioctl_configure(struct sgcap_card *card, struct file *file,
				  struct sgcap_config __user *uarg)
{
	struct sgcap_config cfg;
	struct sgcap_limits lim = { };
	struct sgcap_pool *pool;
	u32 size;
	int ret;

	/*
	 * The ioctl number carries the size of version 0; @size says how
	 * much the caller really passed. Later versions append fields that
	 * must be zero for this kernel.
	 */
	if (get_user(size, &uarg->size))
		return -EFAULT;
	ret = sgcap_config_check_size(size);
	if (ret)
		return ret;
	ret = copy_struct_from_user(&cfg, sizeof(cfg), uarg, size);
	if (ret)
		return ret;
	ret = sgcap_config_validate(&cfg);
	if (ret)
		return ret;

	mutex_lock(&card->lock);
	if (card->dead) {
		ret = -ENODEV;
		goto out_unlock;
	}
	/* A card without a frame clock could only ignore the rate. */
	if (cfg.rate && !(card->ops->features & SGCAP_FEAT_RATE)) {
		ret = -EINVAL;
		goto out_unlock;
	}
	ret = sgcap_card_check_locked(card, file);
	if (ret)
		goto out_unlock;
	if (sgcap_card_streaming_locked(card)) {
		ret = -EBUSY;
		goto out_unlock;
	}

	/*
	 * Let go of the old pool before building the new one, so that its
	 * free buffers do not count against the new allocation. Captures
	 * held by userspace keep it alive.
	 */
	sgcap_card_drop_pool_locked(card);

	/* The limits in force now (the simulated card's can change). */
	card->ops->get_limits(card, &lim);
	pool = sgcap_pool_create(card, &cfg, &lim);
	if (IS_ERR(pool)) {
		dev_dbg(card->dev, "%u buffers of %llu bytes do not fit\n",
			cfg.buffer_count, cfg.buffer_size);
		ret = PTR_ERR(pool);
		goto out_unlock;
	}

	card->pool = pool;
	card->cfg = cfg;
	card->cfg.size = sizeof(cfg);
	card->owner = file;
	ret = 0;
out_unlock:
	mutex_unlock(&card->lock);
	return ret;
}

int sgcap_dequeue_validate(const struct sgcap_dequeue *dq)
{
	/* The output fields are ignored on input, as documented. */
	if (dq->flags & ~SGCAP_DEQUEUE_FLAGS_ALL ||
	    memchr_inv(dq->reserved, 0, sizeof(dq->reserved)))
		return -EINVAL;
	return 0;
}

static long sgcap_ioctl_get_config(struct sgcap_card *card,
				   struct sgcap_config __user *uarg)
{
	struct sgcap_config cfg;

	mutex_lock(&card->lock);
	if (card->dead) {
		mutex_unlock(&card->lock);
		return -ENODEV;
	}
	cfg = card->cfg;
	mutex_unlock(&card->lock);

	if (copy_to_user(uarg, &cfg, sizeof(cfg)))
		return -EFAULT;
	return 0;
}

static long sgcap_ioctl_start(struct sgcap_card *card, struct file *file)
{
	struct sgcap_pool *pool;
	int ret;

	mutex_lock(&card->lock);
	ret = sgcap_card_check_locked(card, file);
	if (ret)
		goto out_unlock;
	pool = card->pool;
	if (!pool) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (sgcap_card_streaming_locked(card)) {
		ret = -EBUSY;
		goto out_unlock;
	}

	/* Buffers first, so that the first frame finds one. */
	sgcap_pool_start(pool);
	ret = card->ops->start(card);
	if (ret) {
		dev_dbg(card->dev, "cannot start: %d\n", ret);
		sgcap_pool_stop(pool);
		card->ops->stop(card);
		sgcap_pool_reclaim(pool);
		goto out_unlock;
	}
	card->owner = file;
out_unlock:
	mutex_unlock(&card->lock);
	return ret;
}

static long sgcap_ioctl_stop(struct sgcap_card *card, struct file *file)
{
	int ret;

	mutex_lock(&card->lock);
	ret = sgcap_card_check_locked(card, file);
	if (!ret)
		sgcap_card_stop_locked(card);
	mutex_unlock(&card->lock);
	return ret;
}

static long sgcap_ioctl_dequeue(struct sgcap_card *card, struct file *file,
				struct sgcap_dequeue __user *uarg)
{
	struct sgcap_buffer *buf;
	struct sgcap_dequeue dq;
	struct sgcap_pool *pool;
	struct dma_buf *dmabuf;
	bool nonblock;
	int fd, ret;

	if (copy_from_user(&dq, uarg, sizeof(dq)))
		return -EFAULT;
	ret = sgcap_dequeue_validate(&dq);
	if (ret)
		return ret;
	nonblock = (dq.flags & SGCAP_DEQUEUE_NONBLOCK) ||
		   (file->f_flags & O_NONBLOCK);

	mutex_lock(&card->lock);
	for (;;) {
		ret = sgcap_card_check_locked(card, file);
		if (ret)
			goto out_unlock;

		pool = card->pool;
		buf = pool ? sgcap_pool_pop_ready(pool) : NULL;
		if (buf)
			break;
		if (nonblock) {
			ret = -EAGAIN;
			goto out_unlock;
		}
		if (!sgcap_card_streaming_locked(card)) {
			ret = -ENODATA;
			goto out_unlock;
		}

		/*
		 * Wait without the mutex. The pool reference keeps the
		 * condition valid even if the pool is replaced meanwhile;
		 * stop, reconfiguration and removal all make it true.
		 */
		sgcap_pool_get(pool);
		mutex_unlock(&card->lock);
		ret = wait_event_interruptible(card->wait,
					       sgcap_pool_dequeue_ready(pool));
		sgcap_pool_put(pool);
		if (ret)
			return ret;
		mutex_lock(&card->lock);
	}

	/*
	 * The buffer is HELD and the ready list's dma-buf reference is ours:
	 * nobody else touches it until fd_install(). Take a pool reference
	 * to recognise the pool on failure, and drop the mutex: allocating
	 * the descriptor and copying out may sleep or fault, which must not
	 * stall the card's other users.
	 */
	sgcap_pool_get(pool);
	mutex_unlock(&card->lock);
	dmabuf = buf->dmabuf;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_requeue;
	}

	dq.fd = fd;
	dq.sequence = buf->sequence;
	dq.timestamp_ns = buf->timestamp_ns;
	dq.bytes_used = buf->size;
	dq.capture_flags = buf->capture_flags;
	dq.crc32c = buf->crc32c;
	dq.pattern_mismatches = buf->mismatches;
	dq.chunk_count = buf->sgt.orig_nents;
	dq.buffer_index = buf->index;
	if (copy_to_user(uarg, &dq, sizeof(dq))) {
		ret = -EFAULT;
		goto err_put_fd;
	}

	atomic64_inc(&card->stats.dequeued);
	/*
	 * The ready list's file reference goes to the new descriptor. From
	 * here on userspace may close it and recycle the buffer at once.
	 */
	fd_install(fd, dmabuf->file);
	sgcap_pool_put(pool);
	return 0;

err_put_fd:
	put_unused_fd(fd);
err_requeue:
	/*
	 * Never lose a capture while its pool is in force: it goes back to
	 * the head of the queue, where it came from. If the pool was dropped
	 * meanwhile (new configuration, the owner's close, removal), the
	 * captures queued with it were discarded: so is this one.
	 */
	mutex_lock(&card->lock);
	if (card->pool == pool && !card->dead) {
		sgcap_pool_unpop_ready(buf);
	} else {
		dma_buf_put(dmabuf);
		atomic64_inc(&card->stats.discarded);
	}
	mutex_unlock(&card->lock);
	sgcap_pool_put(pool);
	return ret;

out_unlock:
	mutex_unlock(&card->lock);
	return ret;
}

static long sgcap_ioctl_get_stats(struct sgcap_card *card,
				  struct sgcap_stats __user *uarg)
{
	struct sgcap_stats st;

	mutex_lock(&card->lock);
	if (card->dead) {
		mutex_unlock(&card->lock);
		return -ENODEV;
	}
	sgcap_card_fill_stats_locked(card, &st);
	mutex_unlock(&card->lock);

	if (copy_to_user(uarg, &st, sizeof(st)))
		return -EFAULT;
	return 0;
}

long sgcap_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct sgcap_card *card = file->private_data;
	void __user *uarg = (void __user *)arg;

	/* A hint only; every command checks again under the card's mutex. */
	if (READ_ONCE(card->dead))
		return -ENODEV;

	switch (cmd) {
	case SGCAP_IOC_GET_CAPS:
		return sgcap_ioctl_get_caps(card, uarg);
	case SGCAP_IOC_CONFIGURE:
		return sgcap_ioctl_configure(card, file, uarg);
	case SGCAP_IOC_GET_CONFIG:
		return sgcap_ioctl_get_config(card, uarg);
	case SGCAP_IOC_START:
		return sgcap_ioctl_start(card, file);
	case SGCAP_IOC_STOP:
		return sgcap_ioctl_stop(card, file);
	case SGCAP_IOC_DEQUEUE:
		return sgcap_ioctl_dequeue(card, file, uarg);
	case SGCAP_IOC_GET_STATS:
		return sgcap_ioctl_get_stats(card, uarg);
	default:
		return -ENOTTY;
	}
}
