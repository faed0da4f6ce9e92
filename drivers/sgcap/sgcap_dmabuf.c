// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap - the dma-buf exporter.
 *
 * Every completed capture is exported as a new dma-buf over its pool buffer;
 * the buffer is recycled when the dma-buf is released, so no capture is
 * overwritten while anybody holds it. The pages, their DMA mapping for the
 * card and their vmap belong to the pool and outlive every export: the
 * exporter only adds per-importer mappings (modelled on the system heap and
 * udmabuf).
 *
 * Locking: buf->lock protects the attachment list, each attachment's mapping
 * state and the vmap count. Since 6.2 the dma-buf core calls map_dma_buf and
 * vmap with the reservation lock held, and buf->lock nests inside it; the
 * exporter never takes the reservation lock itself.
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
 * @sgt: private copy of the buffer's chunk table, mapped for @dev
 * @node: entry in sgcap_buffer.attachments
 * @dir: direction of the mapping of @sgt while @mapped
 * @mapped: @sgt is DMA-mapped for @dev; the mapping is cached until the
 *	direction changes or the importer detaches
 * @map_count: map_dma_buf calls not yet balanced by unmap_dma_buf
 *
 * @dir, @mapped and @map_count are protected by sgcap_buffer.lock.
 */
struct sgcap_attachment {
	struct device *dev;
	struct sg_table sgt;
	struct list_head node;
	enum dma_data_direction dir;
	bool mapped;
	unsigned int map_count;
};

static int sgcap_dmabuf_attach(struct dma_buf *dmabuf,
			       struct dma_buf_attachment *attach)
{
	struct sgcap_buffer *buf = dmabuf->priv;
	struct scatterlist *src, *dst;
	struct sgcap_attachment *a;
	unsigned int i;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;

	/* A private table: each importer maps it for its own device. */
	ret = sg_alloc_table(&a->sgt, buf->sgt.orig_nents, GFP_KERNEL);
	if (ret)
		goto err_free_attachment;

	dst = a->sgt.sgl;
	for_each_sgtable_sg(&buf->sgt, src, i) {
		sg_set_page(dst, sg_page(src), src->length, src->offset);
		dst = sg_next(dst);
	}

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

	/* Off the list, nobody else looks at @a any more. */
	if (a->mapped)
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
	if (a->mapped && a->dir != dir) {
		/* One table, one direction at a time. */
		if (a->map_count) {
			sgt = ERR_PTR(-EINVAL);
			goto out_unlock;
		}
		/* The cached mapping is unused: redo it for @dir. */
		dma_unmap_sgtable(a->dev, &a->sgt, a->dir, 0);
		a->mapped = false;
	}
	if (!a->mapped) {
		ret = dma_map_sgtable(a->dev, &a->sgt, dir, 0);
		if (ret) {
			sgt = ERR_PTR(ret);
			goto out_unlock;
		}
		a->mapped = true;
		a->dir = dir;
	}
	a->map_count++;
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

	/*
	 * Keep the mapping: importers map and unmap around every use, and
	 * CPU access is synced through begin/end_cpu_access anyway.
	 */
	mutex_lock(&buf->lock);
	if (!WARN_ON(!a->map_count))
		a->map_count--;
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
		if (a->mapped)
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
		if (a->mapped)
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

	/* A private mapping would copy-on-write pages the card writes. */
	if (!(vma->vm_flags & VM_SHARED))
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

	/* The buffer's lifelong mapping: nothing to set up per capture. */
	mutex_lock(&buf->lock);
	buf->vmap_count++;
	mutex_unlock(&buf->lock);

	iosys_map_set_vaddr(map, buf->vaddr);
	return 0;
}

static void sgcap_dmabuf_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct sgcap_buffer *buf = dmabuf->priv;

	mutex_lock(&buf->lock);
	if (!WARN_ON(!buf->vmap_count))
		buf->vmap_count--;
	mutex_unlock(&buf->lock);
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
	.vunmap = sgcap_dmabuf_vunmap,
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
	seq_printf(s, " vmaps=%u", buf->vmap_count);
	list_for_each_entry(a, &buf->attachments, node)
		seq_printf(s, " attach=%s,%s,%s", dev_name(a->dev),
			   sgcap_dma_dir_name(a->mapped ? a->dir : DMA_NONE),
			   a->mapped ? "yes" : "no");
	mutex_unlock(&buf->lock);
}
