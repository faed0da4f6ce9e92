// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap - capture buffers and the pool that owns them.
 *
 * A pool is built once per SGCAP_IOC_CONFIGURE, never per capture: every
 * buffer is allocated as chunks of 2^order pages on the card's NUMA node,
 * described by one scatterlist entry per chunk, DMA-mapped for the card and
 * vmapped once for the postprocessing pass. The pool is reference counted:
 * the card holds one reference while it uses the pool, every exported
 * capture one more, so buffers held by userspace outlive a reconfiguration
 * or the card itself.
 */
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "sgcap.h"

/*
 * Capture buffers are pinned for as long as their pool lives, which a
 * held capture stretches past its card: cap what all pools together pin.
 */
static unsigned int sgcap_max_pinned_mb = 1024;
module_param_named(max_pinned_mb, sgcap_max_pinned_mb, uint, 0644);
MODULE_PARM_DESC(max_pinned_mb,
		 "Most MiB of capture buffers of all pools alive, those kept by held captures included (default 1024)");

/* Bytes of the buffers of every pool alive; only atomic updates. */
static atomic64_t sgcap_pinned_bytes = ATOMIC64_INIT(0);

unsigned int sgcap_chunk_order(unsigned long pages_left, unsigned int max_order)
{
	return min_t(unsigned int, max_order, ilog2(pages_left));
}

unsigned long sgcap_chunk_plan(unsigned long nr_pages, unsigned int max_order,
			       unsigned int *counts)
{
	unsigned long chunks = nr_pages >> max_order;
	unsigned int order;

	/*
	 * What repeated sgcap_chunk_order() calls produce: whole chunks of
	 * @max_order, then one chunk per bit set in the remainder, largest
	 * first.
	 */
	if (counts) {
		memset(counts, 0, (SGCAP_MAX_ORDER + 1) * sizeof(*counts));
		counts[max_order] = chunks;
	}
	for (order = 0; order < max_order; order++) {
		if (!(nr_pages & BIT(order)))
			continue;
		chunks++;
		if (counts)
			counts[order]++;
	}
	return chunks;
}

unsigned int sgcap_limits_max_order(const struct sgcap_limits *lim)
{
	if (lim->max_segment_size < PAGE_SIZE)
		return 0;
	return min_t(unsigned int, SGCAP_MAX_ORDER,
		     ilog2(lim->max_segment_size >> PAGE_SHIFT));
}

int sgcap_plan_max_order(const struct sgcap_config *cfg,
			 const struct sgcap_limits *lim)
{
	unsigned long nr_pages = PAGE_ALIGN(cfg->buffer_size) >> PAGE_SHIFT;
	unsigned int max_order;

	if (!lim->max_segments || lim->max_segment_size < PAGE_SIZE)
		return -ENOMEM;
	max_order = min(cfg->chunk_order, sgcap_limits_max_order(lim));
	if (sgcap_chunk_plan(nr_pages, max_order, NULL) > lim->max_segments)
		return -ENOMEM;
	return max_order;
}

static struct page *sgcap_alloc_chunk(int nid, unsigned int order,
				      gfp_t zone)
{
	/*
	 * Zeroed once here, never per capture, so that no stale data shows
	 * through mmap() in the bytes the card does not write (the tail of
	 * the last page).
	 */
	gfp_t gfp = GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN;

	/*
	 * Charged to the memory cgroup of whoever configures: the pages are
	 * pinned until the last capture of the pool goes.
	 */
	gfp |= __GFP_ACCOUNT;

	/*
	 * Large chunks only save segments: fail fast and fall back to a
	 * smaller order rather than reclaim or compact hard. Order-0 pages
	 * may retry but never invoke the OOM killer for a configuration
	 * userspace asked for.
	 */
	gfp |= order ? __GFP_NORETRY : __GFP_RETRY_MAYFAIL;
	/* Low memory for a card that reaches nothing else. */
	gfp |= zone;
	return alloc_pages_node(nid, gfp, order);
}

static void sgcap_buffer_free_pages(struct sgcap_buffer *buf)
{
	unsigned int i;

	for (i = 0; i < buf->nr_pages; i++)
		if (buf->pages[i])
			__free_page(buf->pages[i]);
	kvfree(buf->pages);
	buf->pages = NULL;
}

/*
 * Fill buf->pages chunk by chunk, largest order first, and record each
 * chunk's order. Returns the number of chunks or -ENOMEM; on failure the
 * caller frees the pages allocated so far.
 */
static int sgcap_buffer_alloc_chunks(struct sgcap_buffer *buf, int nid,
				     unsigned int max_order, u32 max_segments,
				     u8 *orders)
{
	unsigned long done = 0;
	unsigned int nr_chunks = 0;

	while (done < buf->nr_pages) {
		unsigned int order = sgcap_chunk_order(buf->nr_pages - done,
						       max_order);
		struct page *page;
		unsigned int i;

		if (nr_chunks == max_segments)
			return -ENOMEM;

		page = sgcap_alloc_chunk(nid, order, buf->pool->gfp);
		if (!page) {
			if (!order)
				return -ENOMEM;
			/* Fragmented: smaller chunks from here on. */
			max_order = order - 1;
			continue;
		}

		/*
		 * Make every page stand alone (no __GFP_COMP): the buffer is
		 * vmapped, mmapped and freed page by page, while the chunk
		 * stays physically contiguous for the card.
		 */
		split_page(page, order);
		for (i = 0; i < (1U << order); i++)
			buf->pages[done + i] = nth_page(page, i);
		orders[nr_chunks++] = order;
		done += 1UL << order;
	}
	return nr_chunks;
}

/* Allocate a buffer's pages and its chunk table; nothing is left on error. */
static int sgcap_buffer_alloc(struct sgcap_buffer *buf, int nid,
			      unsigned int max_order, u32 max_segments)
{
	struct scatterlist *sg;
	unsigned int i, page = 0;
	int nr_chunks, ret;
	u8 *orders;

	buf->pages = kvcalloc(buf->nr_pages, sizeof(*buf->pages), GFP_KERNEL);
	if (!buf->pages)
		return -ENOMEM;

	/* There are never more chunks than pages. */
	orders = kmalloc_array(min(max_segments, buf->nr_pages),
			       sizeof(*orders), GFP_KERNEL);
	if (!orders) {
		ret = -ENOMEM;
		goto err_free_pages;
	}

	nr_chunks = sgcap_buffer_alloc_chunks(buf, nid, max_order,
					      max_segments, orders);
	if (nr_chunks < 0) {
		ret = nr_chunks;
		goto err_free_orders;
	}

	ret = sg_alloc_table(&buf->sgt, nr_chunks, GFP_KERNEL);
	if (ret)
		goto err_free_orders;

	for_each_sgtable_sg(&buf->sgt, sg, i) {
		sg_set_page(sg, buf->pages[page], PAGE_SIZE << orders[i], 0);
		page += 1U << orders[i];
	}
	kfree(orders);
	return 0;

err_free_orders:
	kfree(orders);
err_free_pages:
	sgcap_buffer_free_pages(buf);
	return ret;
}

static int sgcap_buffer_init(struct sgcap_buffer *buf, struct sgcap_pool *pool,
			     unsigned int index, size_t size,
			     unsigned int max_order, u32 max_segments)
{
	int ret;

	buf->pool = pool;
	buf->index = index;
	buf->size = size;
	buf->nr_pages = PAGE_ALIGN(size) >> PAGE_SHIFT;
	buf->state = SGCAP_BUF_FREE;
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);

	ret = sgcap_buffer_alloc(buf, dev_to_node(pool->dma_dev), max_order,
				 max_segments);
	if (ret)
		goto err_destroy_mutex;

	/* Mapped once for the card; synced around each capture. */
	ret = dma_map_sgtable(pool->dma_dev, &buf->sgt, DMA_FROM_DEVICE, 0);
	if (ret)
		goto err_free_table;

	/* The one contiguous view the postprocessing pass works on. */
	buf->vaddr = vmap(buf->pages, buf->nr_pages, VM_MAP, PAGE_KERNEL);
	if (!buf->vaddr) {
		ret = -ENOMEM;
		goto err_unmap;
	}
	return 0;

err_unmap:
	dma_unmap_sgtable(pool->dma_dev, &buf->sgt, DMA_FROM_DEVICE, 0);
err_free_table:
	sg_free_table(&buf->sgt);
	sgcap_buffer_free_pages(buf);
err_destroy_mutex:
	mutex_destroy(&buf->lock);
	return ret;
}

static void sgcap_buffer_destroy(struct sgcap_buffer *buf)
{
	WARN_ON(!list_empty(&buf->attachments));
	vunmap(buf->vaddr);
	/* Only a pool that failed to build: detach unmapped the others. */
	if (buf->pool->dma_dev)
		dma_unmap_sgtable(buf->pool->dma_dev, &buf->sgt,
				  DMA_FROM_DEVICE, 0);
	sg_free_table(&buf->sgt);
	sgcap_buffer_free_pages(buf);
	mutex_destroy(&buf->lock);
}

void sgcap_buffer_sync_for_cpu(struct sgcap_buffer *buf)
{
	/* Between start and stop the pool is attached: dma_dev is valid. */
	dma_sync_sgtable_for_cpu(buf->pool->dma_dev, &buf->sgt,
				 DMA_FROM_DEVICE);
}

static u64 sgcap_pool_bytes(unsigned int count, unsigned long nr_pages)
{
	return ((u64)count * nr_pages) << PAGE_SHIFT;
}

/* Account @bytes against max_pinned_mb, or fail without a trace. */
static int sgcap_pinned_reserve(u64 bytes)
{
	u64 limit = (u64)READ_ONCE(sgcap_max_pinned_mb) * SZ_1M;

	if ((u64)atomic64_add_return(bytes, &sgcap_pinned_bytes) > limit) {
		atomic64_sub(bytes, &sgcap_pinned_bytes);
		return -ENOMEM;
	}
	return 0;
}

static void sgcap_pinned_release(u64 bytes)
{
	atomic64_sub(bytes, &sgcap_pinned_bytes);
}

struct sgcap_pool *sgcap_pool_create(struct sgcap_card *card,
				     const struct sgcap_config *cfg,
				     const struct sgcap_limits *lim)
{
	unsigned long nr_pages = PAGE_ALIGN(cfg->buffer_size) >> PAGE_SHIFT;
	struct sgcap_pool *pool;
	unsigned int i;
	int max_order;
	int ret;

	/* Limits no amount of memory can satisfy: do not even try. */
	max_order = sgcap_plan_max_order(cfg, lim);
	if (max_order < 0)
		return ERR_PTR(max_order);
	/*
	 * Nor a pool that would take more than half of the memory: the pages
	 * stay pinned as long as the pool, and allocating them all would
	 * leave the rest of the system to the OOM killer.
	 */
	if ((u64)cfg->buffer_count * nr_pages > totalram_pages() / 2)
		return ERR_PTR(-ENOMEM);
	/* And all pools alive, old ones kept by held captures included. */
	ret = sgcap_pinned_reserve(sgcap_pool_bytes(cfg->buffer_count,
						    nr_pages));
	if (ret)
		return ERR_PTR(ret);

	/*
	 * Tell the DMA layer the card's segment limit before mapping, so that
	 * an IOMMU never merges chunks into a segment the card cannot take. A
	 * device without dma_parms keeps the DMA layer's default (64 KiB) and
	 * cannot be told: the chunks still respect the limit on their own.
	 */
	if (card->dev->dma_parms)
		dma_set_max_seg_size(card->dev, lim->max_segment_size);

	pool = kzalloc(struct_size(pool, bufs, cfg->buffer_count), GFP_KERNEL);
	if (!pool) {
		ret = -ENOMEM;
		goto err_unpin;
	}

	kref_init(&pool->ref);
	pool->dma_dev = get_device(card->dev);
	pool->card_id = card->id;
	pool->transform = cfg->transform;
	pool->check_pattern = card->ops->features & SGCAP_FEAT_PATTERN;
	pool->gfp = lim->gfp & (__GFP_DMA | __GFP_DMA32);
	spin_lock_init(&pool->lock);
	pool->card = card;
	INIT_LIST_HEAD(&pool->free);
	INIT_LIST_HEAD(&pool->ready);
	pool->count = cfg->buffer_count;

	for (i = 0; i < pool->count; i++) {
		ret = sgcap_buffer_init(&pool->bufs[i], pool, i,
					cfg->buffer_size, max_order,
					lim->max_segments);
		if (ret)
			goto err_destroy_buffers;
		list_add_tail(&pool->bufs[i].node, &pool->free);
	}
	return pool;

err_destroy_buffers:
	while (i--)
		sgcap_buffer_destroy(&pool->bufs[i]);
	put_device(pool->dma_dev);
	kfree(pool);
err_unpin:
	sgcap_pinned_release(sgcap_pool_bytes(cfg->buffer_count, nr_pages));
	/* Whatever failed, the buffers did not fit into memory or limits. */
	return ERR_PTR(-ENOMEM);
}

static void sgcap_pool_release(struct kref *ref)
{
	struct sgcap_pool *pool = container_of(ref, struct sgcap_pool, ref);
	u64 bytes = sgcap_pool_bytes(pool->count, pool->bufs[0].nr_pages);
	unsigned int i;

	/* Detached before the card's reference went: nothing is mapped. */
	WARN_ON(pool->dma_dev);
	for (i = 0; i < pool->count; i++)
		sgcap_buffer_destroy(&pool->bufs[i]);
	kfree(pool);
	sgcap_pinned_release(bytes);
}

void sgcap_pool_get(struct sgcap_pool *pool)
{
	kref_get(&pool->ref);
}

void sgcap_pool_put(struct sgcap_pool *pool)
{
	kref_put(&pool->ref, sgcap_pool_release);
}

/* Hand a buffer to the card; it is on no list of the pool. */
static void sgcap_pool_give_locked(struct sgcap_pool *pool,
				   struct sgcap_buffer *buf)
{
	lockdep_assert_held(&pool->lock);

	/* dma_sync_*() may be called in atomic context. */
	dma_sync_sgtable_for_device(pool->dma_dev, &buf->sgt, DMA_FROM_DEVICE);
	buf->state = SGCAP_BUF_CARD;
	pool->card->ops->queue_buffer(pool->card, buf);
}

void sgcap_pool_start(struct sgcap_pool *pool)
{
	struct sgcap_buffer *buf, *tmp;

	spin_lock(&pool->lock);
	pool->streaming = true;
	list_for_each_entry_safe(buf, tmp, &pool->free, node) {
		list_del(&buf->node);
		sgcap_pool_give_locked(pool, buf);
	}
	spin_unlock(&pool->lock);
}

void sgcap_pool_stop(struct sgcap_pool *pool)
{
	spin_lock(&pool->lock);
	pool->streaming = false;
	spin_unlock(&pool->lock);
}

void sgcap_pool_reclaim(struct sgcap_pool *pool)
{
	unsigned int i;

	spin_lock(&pool->lock);
	for (i = 0; i < pool->count; i++) {
		struct sgcap_buffer *buf = &pool->bufs[i];

		if (buf->state != SGCAP_BUF_CARD)
			continue;
		/* hw_ops->stop() forgot it: @node is ours again. */
		buf->state = SGCAP_BUF_FREE;
		list_add_tail(&buf->node, &pool->free);
	}
	spin_unlock(&pool->lock);
}

void sgcap_pool_recycle(struct sgcap_buffer *buf)
{
	struct sgcap_pool *pool = buf->pool;

	spin_lock(&pool->lock);
	buf->dmabuf = NULL;
	/* Streaming implies attached: a pool is detached only when stopped. */
	if (pool->streaming) {
		sgcap_pool_give_locked(pool, buf);
	} else {
		buf->state = SGCAP_BUF_FREE;
		list_add_tail(&buf->node, &pool->free);
	}
	spin_unlock(&pool->lock);
}

void sgcap_pool_queue_ready(struct sgcap_buffer *buf, struct dma_buf *dmabuf)
{
	struct sgcap_pool *pool = buf->pool;

	spin_lock(&pool->lock);
	buf->dmabuf = dmabuf;
	buf->state = SGCAP_BUF_READY;
	list_add_tail(&buf->node, &pool->ready);
	spin_unlock(&pool->lock);
}

struct sgcap_buffer *sgcap_pool_pop_ready(struct sgcap_pool *pool)
{
	struct sgcap_buffer *buf;

	spin_lock(&pool->lock);
	buf = list_first_entry_or_null(&pool->ready, struct sgcap_buffer, node);
	if (buf) {
		list_del(&buf->node);
		buf->state = SGCAP_BUF_HELD;
	}
	spin_unlock(&pool->lock);
	return buf;
}

void sgcap_pool_unpop_ready(struct sgcap_buffer *buf)
{
	struct sgcap_pool *pool = buf->pool;

	spin_lock(&pool->lock);
	buf->state = SGCAP_BUF_READY;
	list_add(&buf->node, &pool->ready);
	spin_unlock(&pool->lock);
}

unsigned int sgcap_pool_drain_ready(struct sgcap_pool *pool)
{
	struct sgcap_buffer *buf;
	unsigned int n = 0;

	/*
	 * The reference of the ready list keeps buf->dmabuf stable until it
	 * is put; the release (deferred by fput()) then recycles the buffer.
	 */
	while ((buf = sgcap_pool_pop_ready(pool))) {
		dma_buf_put(buf->dmabuf);
		n++;
	}
	return n;
}

bool sgcap_pool_has_ready(struct sgcap_pool *pool)
{
	bool ready;

	spin_lock(&pool->lock);
	ready = !list_empty(&pool->ready);
	spin_unlock(&pool->lock);
	return ready;
}

bool sgcap_pool_dequeue_ready(struct sgcap_pool *pool)
{
	bool done;

	spin_lock(&pool->lock);
	done = !list_empty(&pool->ready) || !pool->streaming || !pool->card;
	spin_unlock(&pool->lock);
	return done;
}

void sgcap_pool_detach(struct sgcap_pool *pool)
{
	unsigned int i;

	spin_lock(&pool->lock);
	WARN_ON(pool->streaming);
	pool->card = NULL;
	spin_unlock(&pool->lock);

	/*
	 * Not streaming: no buffer is with the card and none will be, so
	 * nothing uses the card's mappings any more (the sync helpers and
	 * sgcap_pool_give_locked() only run while streaming). Skip the CPU
	 * sync: a bounce buffer's stale contents must never be copied over a
	 * capture somebody still holds. The pages and the vmap stay for the
	 * holders.
	 */
	for (i = 0; i < pool->count; i++)
		dma_unmap_sgtable(pool->dma_dev, &pool->bufs[i].sgt,
				  DMA_FROM_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
	put_device(pool->dma_dev);
	pool->dma_dev = NULL;
}

void sgcap_pool_fill_stats(struct sgcap_pool *pool, struct sgcap_stats *st)
{
	unsigned int i;

	st->buffers_total = pool->count;
	spin_lock(&pool->lock);
	for (i = 0; i < pool->count; i++) {
		switch (pool->bufs[i].state) {
		case SGCAP_BUF_FREE:
			st->buffers_free++;
			break;
		case SGCAP_BUF_CARD:
			st->buffers_card++;
			break;
		case SGCAP_BUF_READY:
			st->buffers_ready++;
			break;
		case SGCAP_BUF_HELD:
			st->buffers_held++;
			break;
		}
	}
	st->streaming = pool->streaming;
	spin_unlock(&pool->lock);
}

static const char * const sgcap_buf_state_names[] = {
	[SGCAP_BUF_FREE] = "FREE",
	[SGCAP_BUF_CARD] = "CARD",
	[SGCAP_BUF_READY] = "READY",
	[SGCAP_BUF_HELD] = "HELD",
};

void sgcap_buffer_show(struct seq_file *s, struct sgcap_buffer *buf)
{
	unsigned int i, order, run_order = 0, run = 0;
	enum sgcap_buf_state state;
	struct scatterlist *sg;
	u64 seq = 0;

	spin_lock(&buf->pool->lock);
	state = buf->state;
	/*
	 * Only stable once published: sgcap_card_complete() writes it while
	 * the buffer is CARD, without the lock.
	 */
	if (state == SGCAP_BUF_READY || state == SGCAP_BUF_HELD)
		seq = buf->sequence;
	spin_unlock(&buf->pool->lock);

	seq_printf(s, "index=%u state=%s", buf->index,
		   sgcap_buf_state_names[state]);
	if (state == SGCAP_BUF_READY || state == SGCAP_BUF_HELD)
		seq_printf(s, " seq=%llu", seq);
	else
		seq_puts(s, " seq=-");

	/* The layout as runs of equal orders: "1x12,0x1". */
	seq_printf(s, " chunks=%u layout=", buf->sgt.orig_nents);
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		order = ilog2(sg->length >> PAGE_SHIFT);
		if (run && order != run_order) {
			seq_printf(s, "%ux%u,", run_order, run);
			run = 0;
		}
		run_order = order;
		run++;
	}
	seq_printf(s, "%ux%u", run_order, run);

	sgcap_dmabuf_show(s, buf);
	seq_putc(s, '\n');
}
