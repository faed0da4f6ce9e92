// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap - scatter-gather capture card driver: module, cards, /dev/sgcapN.
 *
 * A backend registers a card; the core gives it a misc device, a buffer
 * pool built by SGCAP_IOC_CONFIGURE and the completion path that turns
 * every buffer the card fills into a postprocessed dma-buf for
 * SGCAP_IOC_DEQUEUE. See Documentation/driver-api/sgcap.rst.
 */
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/iosys-map.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>

#include "sgcap.h"
#include "sgcap_pp.h"

/* Card numbers N of /dev/sgcapN; the IDA has its own lock. */
static DEFINE_IDA(sgcap_ida);

static void sgcap_card_release(struct kref *ref)
{
	struct sgcap_card *card = container_of(ref, struct sgcap_card, ref);

	WARN_ON(card->pool);
	put_device(card->dev);
	ida_free(&sgcap_ida, card->id);
	mutex_destroy(&card->lock);
	kfree(card);
}

static void sgcap_card_put(struct sgcap_card *card)
{
	kref_put(&card->ref, sgcap_card_release);
}

void *sgcap_card_priv(const struct sgcap_card *card)
{
	return card->priv;
}

const struct sgcap_config *sgcap_card_config(const struct sgcap_card *card)
{
	return &card->cfg;
}

struct dentry *sgcap_card_debugfs_dir(const struct sgcap_card *card)
{
	return card->debugfs;
}

bool sgcap_card_streaming_locked(struct sgcap_card *card)
{
	lockdep_assert_held(&card->lock);

	/* pool->streaming only changes with card->lock held too. */
	return card->pool && card->pool->streaming;
}

void sgcap_card_fill_stats_locked(struct sgcap_card *card,
				  struct sgcap_stats *st)
{
	lockdep_assert_held(&card->lock);

	memset(st, 0, sizeof(*st));
	st->captures = atomic64_read(&card->stats.captures);
	st->dequeued = atomic64_read(&card->stats.dequeued);
	st->drops_no_buffer = atomic64_read(&card->stats.drops_no_buffer);
	st->drops_injected = atomic64_read(&card->stats.drops_injected);
	st->errors = atomic64_read(&card->stats.errors);
	st->bytes = atomic64_read(&card->stats.bytes);
	st->discarded = atomic64_read(&card->stats.discarded);
	if (card->pool)
		sgcap_pool_fill_stats(card->pool, st);
}

void sgcap_card_stop_locked(struct sgcap_card *card)
{
	struct sgcap_pool *pool = card->pool;

	if (!sgcap_card_streaming_locked(card))
		return;

	/*
	 * First stop recycling into the card, then stop the card (which
	 * waits for a completion in flight), then take back what it had.
	 */
	sgcap_pool_stop(pool);
	card->ops->stop(card);
	sgcap_pool_reclaim(pool);

	/* Blocked DEQUEUE calls return -ENODATA if nothing is ready. */
	wake_up_interruptible_all(&card->wait);
}

void sgcap_card_drop_pool_locked(struct sgcap_card *card)
{
	struct sgcap_pool *pool = card->pool;

	lockdep_assert_held(&card->lock);
	if (!pool)
		return;

	atomic64_add(sgcap_pool_drain_ready(pool), &card->stats.discarded);
	sgcap_pool_detach(pool);
	card->pool = NULL;
	memset(&card->cfg, 0, sizeof(card->cfg));
	card->cfg.size = sizeof(card->cfg);
	/* Not streaming: no completion or drop moves it concurrently. */
	atomic64_set(&card->next_seq, 0);
	sgcap_pool_put(pool);

	/* poll() now reports a hangup to files that saw captures ready. */
	wake_up_interruptible_all(&card->wait);
}

u64 sgcap_card_first_sequence(struct sgcap_card *card)
{
	lockdep_assert_held(&card->lock);

	return atomic64_read(&card->next_seq);
}

void sgcap_card_complete(struct sgcap_card *card, struct sgcap_buffer *buf,
			 u64 seq, u32 flags)
{
	size_t tail = ((size_t)buf->nr_pages << PAGE_SHIFT) - buf->size;
	struct sgcap_pool *pool = buf->pool;
	struct sgcap_pp_result res = { };
	u64 now = ktime_get_ns();
	struct dma_buf *dmabuf;
	struct iosys_map map;
	u64 t_exported, t_pp;
	int ret;

	flags &= SGCAP_CAPTURE_ERROR;
	/* Every frame counts, exported or not: see struct sgcap_hw_ops. */
	atomic64_inc(&card->next_seq);

	/* The backend synced the buffer for the CPU before calling us. */
	dmabuf = sgcap_dmabuf_export(buf, seq);
	t_exported = ktime_get_ns();
	if (IS_ERR(dmabuf)) {
		/* Userspace sees a sequence gap: account it as a drop. */
		dev_err_ratelimited(card->dev,
				    "capture %llu dropped: export failed: %pe\n",
				    seq, dmabuf);
		atomic64_inc(&card->stats.drops_no_buffer);
		sgcap_pool_recycle(buf);
		return;
	}

	/*
	 * Postprocess as any kernel importer would: through the dma-buf's
	 * vmap, which hands out the buffer's lifelong mapping (no page table
	 * work per capture), bracketed by CPU access.
	 */
	ret = sgcap_dma_buf_vmap_unlocked(dmabuf, &map);
	if (!ret) {
		ret = dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
		if (!ret) {
			/*
			 * The card writes buf->size bytes, but a holder of an
			 * earlier capture may have written the rest of the last
			 * page through its mapping: nobody else sees that.
			 */
			memset(map.vaddr + buf->size, 0, tail);
			sgcap_pp_run(map.vaddr, buf->size, seq, pool->transform,
				     pool->check_pattern, &res);
			ret = dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
			if (pool->transform != SGCAP_TRANSFORM_NONE)
				flags |= SGCAP_CAPTURE_TRANSFORMED;
		}
		sgcap_dma_buf_vunmap_unlocked(dmabuf, &map);
	}
	t_pp = ktime_get_ns();
	if (ret) {
		dev_err_ratelimited(card->dev,
				    "capture %llu: postprocessing failed: %d\n",
				    seq, ret);
		flags |= SGCAP_CAPTURE_ERROR;
	}

	buf->sequence = seq;
	buf->timestamp_ns = now;
	buf->capture_flags = flags;
	buf->crc32c = res.crc32c;
	buf->mismatches = res.mismatches;

	/* Count first: whoever dequeues it sees captures >= dequeued. */
	atomic64_inc(&card->stats.captures);
	atomic64_add(buf->size, &card->stats.bytes);
	if (flags & SGCAP_CAPTURE_ERROR)
		atomic64_inc(&card->stats.errors);

	sgcap_pool_queue_ready(buf, dmabuf);
	wake_up_interruptible(&card->wait);

	atomic64_inc(&pool->cost.exports);
	atomic64_add(t_pp - t_exported, &pool->cost.postprocess_ns);
	atomic64_add(t_exported - now + ktime_get_ns() - t_pp,
		     &pool->cost.export_ns);
}

void sgcap_card_count_drops(struct sgcap_card *card,
			    enum sgcap_drop_reason reason, u64 frames)
{
	atomic64_add(frames, &card->next_seq);
	switch (reason) {
	case SGCAP_DROP_NO_BUFFER:
		atomic64_add(frames, &card->stats.drops_no_buffer);
		break;
	case SGCAP_DROP_INJECTED:
		atomic64_add(frames, &card->stats.drops_injected);
		break;
	}
}

static int sgcap_open(struct inode *inode, struct file *file)
{
	/*
	 * misc_open() calls us under misc_mtx, which misc_deregister() in
	 * sgcap_card_unregister() also takes: the card is still registered.
	 */
	struct sgcap_card *card = container_of(file->private_data,
					       struct sgcap_card, misc);

	kref_get(&card->ref);
	file->private_data = card;
	return nonseekable_open(inode, file);
}

static int sgcap_release(struct inode *inode, struct file *file)
{
	struct sgcap_card *card = file->private_data;

	mutex_lock(&card->lock);
	if (card->owner == file) {
		/*
		 * Nobody is left to dequeue: stop and free the buffers, as
		 * V4L2 does on close, so that an idle card pins no memory.
		 * The captures not dequeued go too (they pin the module);
		 * dequeued ones keep their buffers until they are let go.
		 */
		sgcap_card_stop_locked(card);
		sgcap_card_drop_pool_locked(card);
		card->owner = NULL;
	}
	mutex_unlock(&card->lock);

	sgcap_card_put(card);
	return 0;
}

static __poll_t sgcap_poll(struct file *file, poll_table *wait)
{
	struct sgcap_card *card = file->private_data;
	__poll_t mask = 0;
	bool ready;

	poll_wait(file, &card->wait, wait);

	mutex_lock(&card->lock);
	if (card->dead) {
		mask = EPOLLERR | EPOLLHUP;
		goto out_unlock;
	}
	ready = card->pool && sgcap_pool_has_ready(card->pool);
	/* Readable only for a file whose DEQUEUE would not fail -EBUSY. */
	if (ready && (!card->owner || card->owner == file))
		mask |= EPOLLIN | EPOLLRDNORM;
	/* Nothing ready and nothing will come before the next START. */
	if (!ready && !sgcap_card_streaming_locked(card))
		mask |= EPOLLHUP;
out_unlock:
	mutex_unlock(&card->lock);
	return mask;
}

static const struct file_operations sgcap_fops = {
	.owner = THIS_MODULE,
	.open = sgcap_open,
	.release = sgcap_release,
	.poll = sgcap_poll,
	.unlocked_ioctl = sgcap_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

struct sgcap_card *sgcap_card_register(struct device *parent,
				       const struct sgcap_hw_ops *ops,
				       void *priv)
{
	struct sgcap_card *card;
	int ret;

	card = kzalloc(sizeof(*card), GFP_KERNEL);
	if (!card)
		return ERR_PTR(-ENOMEM);

	ret = ida_alloc(&sgcap_ida, GFP_KERNEL);
	if (ret < 0)
		goto err_free_card;
	card->id = ret;

	kref_init(&card->ref);
	mutex_init(&card->lock);
	init_waitqueue_head(&card->wait);
	card->dev = get_device(parent);
	card->ops = ops;
	card->priv = priv;
	card->cfg.size = sizeof(card->cfg);
	snprintf(card->name, sizeof(card->name), "sgcap%d", card->id);

	sgcap_debugfs_card_init(card);

	card->misc.minor = MISC_DYNAMIC_MINOR;
	card->misc.name = card->name;
	card->misc.fops = &sgcap_fops;
	card->misc.parent = parent;
	ret = misc_register(&card->misc);
	if (ret)
		goto err_put_card;

	return card;

err_put_card:
	sgcap_debugfs_card_exit(card);
	sgcap_card_put(card);
	return ERR_PTR(ret);

err_free_card:
	kfree(card);
	return ERR_PTR(ret);
}

void sgcap_card_unregister(struct sgcap_card *card)
{
	/* No new opens from here on. */
	misc_deregister(&card->misc);

	mutex_lock(&card->lock);
	WRITE_ONCE(card->dead, true);
	sgcap_card_stop_locked(card);
	sgcap_card_drop_pool_locked(card);
	card->owner = NULL;
	mutex_unlock(&card->lock);

	/* Blocked DEQUEUE calls return -ENODEV, poll() reports a hangup. */
	wake_up_interruptible_all(&card->wait);

	sgcap_debugfs_card_exit(card);
	sgcap_card_put(card);
}

static int __init sgcap_init(void)
{
	int ret;

	sgcap_debugfs_init();
	ret = sgcap_sim_init();
	if (ret)
		goto err_debugfs_exit;
	ret = sgcap_pci_init();
	if (ret)
		goto err_sim_exit;
	return 0;

err_sim_exit:
	sgcap_sim_exit();
err_debugfs_exit:
	sgcap_debugfs_exit();
	return ret;
}
module_init(sgcap_init);

static void __exit sgcap_exit(void)
{
	sgcap_pci_exit();
	sgcap_sim_exit();
	sgcap_debugfs_exit();
}
module_exit(sgcap_exit);

MODULE_DESCRIPTION("Scatter-gather capture card with dma-buf export");
MODULE_LICENSE("GPL");
MODULE_VERSION(SGCAP_VERSION);
MODULE_IMPORT_NS(SGCAP_NS_DMA_BUF);
