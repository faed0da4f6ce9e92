// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap - debugfs: /sys/kernel/debug/sgcap/sgcapN/{buffers,stats}.
 *
 * buffers: one line per buffer of the pool in force (empty when not
 * configured), space-separated key=value fields:
 *
 *   index=0 state=HELD seq=41 chunks=80 layout=1x80 attach=DEV,DIR,yes
 *
 *   state   FREE, CARD, READY or HELD
 *   seq     sequence number of the capture, "-" unless READY or HELD
 *   chunks  scatter-gather chunks of the buffer
 *   layout  runs of chunks of equal order, ORDERxCOUNT joined by ",",
 *           in buffer order: "1x12,0x1" is 12 order-1 chunks then 1 page
 *   attach  one per attachment of the current dma-buf: importer device
 *           name, DMA direction of its mapping (bidirectional, to_device,
 *           from_device; none while unmapped) and whether it is mapped
 *           now (yes/no)
 *
 * stats: "key value" lines, the fields of struct sgcap_stats in order:
 * captures, dequeued, drops_no_buffer, drops_injected, errors, bytes,
 * buffers_total, buffers_free, buffers_card, buffers_ready, buffers_held,
 * streaming, discarded.
 *
 * cost: "key value" lines for the pool in force: exports, export_ns
 * (dma_buf_export, naming, queueing: the driver's own work per capture) and
 * postprocess_ns (the postprocessing pass with its vmap and CPU access
 * brackets), summed since the last SGCAP_IOC_CONFIGURE.
 *
 * Backends add their own files (the simulated card: sim/).
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "sgcap.h"

static struct dentry *sgcap_debugfs_root;

static int sgcap_debugfs_buffers_show(struct seq_file *s, void *unused)
{
	struct sgcap_card *card = s->private;
	unsigned int i;
	int ret;

	ret = mutex_lock_interruptible(&card->lock);
	if (ret)
		return ret;
	if (card->pool)
		for (i = 0; i < card->pool->count; i++)
			sgcap_buffer_show(s, &card->pool->bufs[i]);
	mutex_unlock(&card->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sgcap_debugfs_buffers);

static int sgcap_debugfs_stats_show(struct seq_file *s, void *unused)
{
	struct sgcap_card *card = s->private;
	struct sgcap_stats st;
	int ret;

	ret = mutex_lock_interruptible(&card->lock);
	if (ret)
		return ret;
	sgcap_card_fill_stats_locked(card, &st);
	mutex_unlock(&card->lock);

	seq_printf(s, "captures %llu\n", st.captures);
	seq_printf(s, "dequeued %llu\n", st.dequeued);
	seq_printf(s, "drops_no_buffer %llu\n", st.drops_no_buffer);
	seq_printf(s, "drops_injected %llu\n", st.drops_injected);
	seq_printf(s, "errors %llu\n", st.errors);
	seq_printf(s, "bytes %llu\n", st.bytes);
	seq_printf(s, "buffers_total %u\n", st.buffers_total);
	seq_printf(s, "buffers_free %u\n", st.buffers_free);
	seq_printf(s, "buffers_card %u\n", st.buffers_card);
	seq_printf(s, "buffers_ready %u\n", st.buffers_ready);
	seq_printf(s, "buffers_held %u\n", st.buffers_held);
	seq_printf(s, "streaming %u\n", st.streaming);
	seq_printf(s, "discarded %llu\n", st.discarded);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sgcap_debugfs_stats);

static int sgcap_debugfs_cost_show(struct seq_file *s, void *unused)
{
	struct sgcap_card *card = s->private;
	struct sgcap_pool *pool;
	int ret;

	ret = mutex_lock_interruptible(&card->lock);
	if (ret)
		return ret;
	pool = card->pool;
	if (pool) {
		seq_printf(s, "exports %lld\n",
			   atomic64_read(&pool->cost.exports));
		seq_printf(s, "export_ns %lld\n",
			   atomic64_read(&pool->cost.export_ns));
		seq_printf(s, "postprocess_ns %lld\n",
			   atomic64_read(&pool->cost.postprocess_ns));
	}
	mutex_unlock(&card->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sgcap_debugfs_cost);

void sgcap_debugfs_init(void)
{
	sgcap_debugfs_root = debugfs_create_dir("sgcap", NULL);
}

void sgcap_debugfs_exit(void)
{
	debugfs_remove_recursive(sgcap_debugfs_root);
}

void sgcap_debugfs_card_init(struct sgcap_card *card)
{
	/*
	 * The files use @card without a reference: sgcap_debugfs_card_exit()
	 * removes them, waiting for readers, before the card can go away.
	 */
	card->debugfs = debugfs_create_dir(card->name, sgcap_debugfs_root);
	debugfs_create_file("buffers", 0444, card->debugfs, card,
			    &sgcap_debugfs_buffers_fops);
	debugfs_create_file("stats", 0444, card->debugfs, card,
			    &sgcap_debugfs_stats_fops);
	debugfs_create_file("cost", 0444, card->debugfs, card,
			    &sgcap_debugfs_cost_fops);
}

void sgcap_debugfs_card_exit(struct sgcap_card *card)
{
	debugfs_remove_recursive(card->debugfs);
}
