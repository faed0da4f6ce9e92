// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap - the dma-buf exporter.
 *
 * Every completed capture is exported as a new dma-buf over its pool buffer;
 * the buffer is recycled when the dma-buf is released, so no capture is
 * overwritten while anybody holds it. The pages and their vmap belong to the
 * pool and outlive every export: the exporter only adds per-importer
 * mappings, modelled on the system heap (one table per attachment, mapped
 * by map_dma_buf and unmapped by unmap_dma_buf) and udmabuf.
 *
 * Locking: buf->lock protects the attachment list and each attachment's
 * mapping state, for begin/end_cpu_access and debugfs, which walk the list.
 * The dma-buf core calls the ops with its own locks held where it takes any:
 * the reservation lock since 6.2 (for vmap, and map_dma_buf of dynamic
 * importers); on 6.1 vmap nests in the dma-buf's own mutex instead and
 * static importers map without any lock. buf->lock nests inside all of
 * them; the exporter never takes the reservation lock itself.
 */
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <uapi/linux/dma-buf.h>

#include "sgcap.h"

/**
 * struct sgcap_attachment - an importer's view of a capture
 * @dev: the importer's device
 * @sgt: the importer's table of the buffer's pages, in segments no larger
 *	than @dev takes, mapped for @dev between map_dma_buf and unmap_dma_buf
 * @node: entry in sgcap_buffer.attachments
 * @dir: direction of the mapping of @sgt, DMA_NONE while unmapped;
 *	protected by sgcap_buffer.lock
 */
struct sgcap_attachment {
	struct device *dev;
	struct sg_table sgt;
	struct list_head node;
	enum dma_data_direction dir;
};

static int sgcap_dmabuf_attach(struct dma_buf *dmabuf,
			       struct dma_buf_attachment *attach)
{
	struct sgcap_buffer *buf = dmabuf->priv;
	unsigned long size = (unsigned long)buf->nr_pages << PAGE_SHIFT;
	struct sgcap_attachment *a;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;

	/*
	 * A private table: each importer maps it for its own device, with
	 * contiguous pages merged only up to the segment size that device
	 * takes (the card's chunks may be larger than an importer's limit).
	 */
	ret = sg_alloc_table_from_pages_segment(&a->sgt, buf->pages,
						buf->nr_pages, 0, size,
						dma_get_max_seg_size(attach->dev),
						GFP_KERNEL);
	if (ret)
		goto err_free_attachment;

	a->dev = attach->dev;
	a->dir = DMA_NONE;
	attach->priv = a;

	mutex_lock(&buf->lock);
	list_add(&a->node, &buf->attachments);
	mutex_unlock(&buf->lock);
	return 0;

err_free_attachment:
	kfree(a);
	return ret;
}

static void sgcap_dmabuf_detach(struct dma_buf *dmabuf,
				struct dma_buf_attachment *attach)
{
	struct sgcap_buffer *buf = dmabuf->priv;
	struct sgcap_attachment *a = attach->priv;

	mutex_lock(&buf->lock);
	list_del(&a->node);
	mutex_unlock(&buf->lock);

	/*
	 * Off the list, nobody else looks at @a any more. The dma-buf core
	 * unmaps its own cached mappings before detaching; an importer that
	 * detaches while still mapped must not leak the mapping either.
	 */
	if (a->dir != DMA_NONE)
		dma_unmap_sgtable(a->dev, &a->sgt, a->dir, 0);
	sg_free_table(&a->sgt);
	kfree(a);
}

static struct sg_table *sgcap_dmabuf_map(struct dma_buf_attachment *attach,
					 enum dma_data_direction dir)
{
	struct sgcap_buffer *buf = attach->dmabuf->priv;
	struct sgcap_attachment *a = attach->priv;
	struct sg_table *sgt = &a->sgt;
	int ret;

	mutex_lock(&buf->lock);
	/* One table per attachment: mapped once at a time, as system_heap. */
	if (a->dir != DMA_NONE) {
		sgt = ERR_PTR(-EBUSY);
		goto out_unlock;
	}
	/*
	 * The pages are mapped for the card too, as long as the pool is
	 * attached to it: overlapping mappings, whose coherency the DMA API
	 * leaves to the driver, which DMA_ATTR_SKIP_CPU_SYNC tells it (and
	 * its debug checks). It holds: the card never writes a buffer while
	 * it is exported. The sync the mapping skipped is made explicitly,
	 * so that the importer sees what the CPU wrote.
	 */
	ret = dma_map_sgtable(attach->dev, &a->sgt, dir,
			      DMA_ATTR_SKIP_CPU_SYNC);
	if (ret) {
		sgt = ERR_PTR(ret);
		goto out_unlock;
	}
	dma_sync_sgtable_for_device(attach->dev, &a->sgt, dir);
	a->dir = dir;
out_unlock:
	mutex_unlock(&buf->lock);
	return sgt;
}

static void sgcap_dmabuf_unmap(struct dma_buf_attachment *attach,
			       struct sg_table *sgt,
			       enum dma_data_direction dir)
{
	struct sgcap_buffer *buf = attach->dmabuf->priv;
	struct sgcap_attachment *a = attach->priv;

	mutex_lock(&buf->lock);
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	a->dir = DMA_NONE;
	mutex_unlock(&buf->lock);
}

static int sgcap_dmabuf_begin_cpu_access(struct dma_buf *dmabuf,
					 enum dma_data_direction dir)
{
	struct sgcap_buffer *buf = dmabuf->priv;
	struct sgcap_attachment *a;

	mutex_lock(&buf->lock);
	/* The lifelong vmap is an alias of the pages on VIVT caches. */
	invalidate_kernel_vmap_range(buf->vaddr, buf->nr_pages << PAGE_SHIFT);
	/* A sync must use the direction of the mapping it syncs. */
	list_for_each_entry(a, &buf->attachments, node)
		if (a->dir != DMA_NONE)
			dma_sync_sgtable_for_cpu(a->dev, &a->sgt, a->dir);
	mutex_unlock(&buf->lock);
	return 0;
}

static int sgcap_dmabuf_end_cpu_access(struct dma_buf *dmabuf,
				       enum dma_data_direction dir)
{
	struct sgcap_buffer *buf = dmabuf->priv;
	struct sgcap_attachment *a;

	mutex_lock(&buf->lock);
	flush_kernel_vmap_range(buf->vaddr, buf->nr_pages << PAGE_SHIFT);
	list_for_each_entry(a, &buf->attachments, node)
		if (a->dir != DMA_NONE)
			dma_sync_sgtable_for_device(a->dev, &a->sgt, a->dir);
	mutex_unlock(&buf->lock);
	return 0;
}

static int sgcap_dmabuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct sgcap_buffer *buf = dmabuf->priv;
	unsigned long addr = vma->vm_start;
	struct scatterlist *sg;
	unsigned long skip;
	unsigned int i;
	int ret;

	/*
	 * A private mapping would copy-on-write pages the card writes. As in
	 * udmabuf, VM_MAYSHARE also admits a read-only shared mapping (which
	 * the core strips of VM_SHARED): it cannot write, so it cannot COW.
	 */
	if (!(vma->vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return -EINVAL;
	if (vma->vm_pgoff >= buf->nr_pages ||
	    vma_pages(vma) > buf->nr_pages - vma->vm_pgoff)
		return -EINVAL;

	/*
	 * One remap_pfn_range() per chunk from the mapping's offset on. It
	 * marks the VMA VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP: the
	 * pages cannot be pinned through it, it cannot grow and it is left
	 * out of core dumps. The VMA's file reference keeps the buffer alive.
	 */
	skip = vma->vm_pgoff << PAGE_SHIFT;
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		unsigned long pfn = page_to_pfn(sg_page(sg));
		unsigned long len = sg->length;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		pfn += skip >> PAGE_SHIFT;
		len = min(len - skip, vma->vm_end - addr);
		skip = 0;

		ret = remap_pfn_range(vma, addr, pfn, len, vma->vm_page_prot);
		if (ret)
			return ret;
		addr += len;
		if (addr == vma->vm_end)
			break;
	}
	return 0;
}

static int sgcap_dmabuf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct sgcap_buffer *buf = dmabuf->priv;

	/*
	 * The buffer's lifelong mapping: nothing to set up per capture. The
	 * dma-buf core counts the vmaps of a dma-buf and calls this only for
	 * the first; no vunmap op, as the mapping belongs to the pool.
	 */
	iosys_map_set_vaddr(map, buf->vaddr);
	return 0;
}

static void sgcap_dmabuf_release(struct dma_buf *dmabuf)
{
	struct sgcap_buffer *buf = dmabuf->priv;
	struct sgcap_pool *pool = buf->pool;

	/*
	 * Every attachment is gone and every vmap undone (the dma-buf core
	 * checks): the buffer goes back to the card or the free list.
	 */
	sgcap_pool_recycle(buf);
	sgcap_pool_put(pool);
}

static const struct dma_buf_ops sgcap_dmabuf_ops = {
	.attach = sgcap_dmabuf_attach,
	.detach = sgcap_dmabuf_detach,
	.map_dma_buf = sgcap_dmabuf_map,
	.unmap_dma_buf = sgcap_dmabuf_unmap,
	.begin_cpu_access = sgcap_dmabuf_begin_cpu_access,
	.end_cpu_access = sgcap_dmabuf_end_cpu_access,
	.mmap = sgcap_dmabuf_mmap,
	.vmap = sgcap_dmabuf_vmap,
	.release = sgcap_dmabuf_release,
};

struct dma_buf *sgcap_dmabuf_export(struct sgcap_buffer *buf, u64 seq)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct sgcap_pool *pool = buf->pool;
	struct dma_buf *dmabuf;
	char *name;

	/* DEFINE_DMA_BUF_EXPORT_INFO() set .owner: every dma-buf pins us. */
	exp_info.exp_name = "sgcap";
	exp_info.ops = &sgcap_dmabuf_ops;
	exp_info.size = (size_t)buf->nr_pages << PAGE_SHIFT;
	exp_info.flags = O_RDWR;
	exp_info.priv = buf;

	/* Only a debugging aid (fdinfo, /proc/PID/maps): optional. */
	name = kmalloc(DMA_BUF_NAME_LEN, GFP_KERNEL);
	if (name)
		snprintf(name, DMA_BUF_NAME_LEN, "sgcap%d:seq%llu",
			 pool->card_id, seq);

	sgcap_pool_get(pool);
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		sgcap_pool_put(pool);
		kfree(name);
		return dmabuf;
	}

	/*
	 * dma_buf_set_name() is static to the dma-buf core (it backs the
	 * DMA_BUF_SET_NAME ioctl); do what it does. The core kfree()s the
	 * name on release.
	 */
	spin_lock(&dmabuf->name_lock);
	dmabuf->name = name;
	spin_unlock(&dmabuf->name_lock);
	return dmabuf;
}

static const char *sgcap_dma_dir_name(enum dma_data_direction dir)
{
	switch (dir) {
	case DMA_BIDIRECTIONAL:
		return "bidirectional";
	case DMA_TO_DEVICE:
		return "to_device";
	case DMA_FROM_DEVICE:
		return "from_device";
	default:
		return "none";
	}
}

void sgcap_dmabuf_show(struct seq_file *s, struct sgcap_buffer *buf)
{
	struct sgcap_attachment *a;

	mutex_lock(&buf->lock);
	list_for_each_entry(a, &buf->attachments, node)
		seq_printf(s, " attach=%s,%s,%s", dev_name(a->dev),
			   sgcap_dma_dir_name(a->dir),
			   a->dir != DMA_NONE ? "yes" : "no");
	mutex_unlock(&buf->lock);
}
