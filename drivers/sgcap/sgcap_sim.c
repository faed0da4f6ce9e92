// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap - the simulated card.
 *
 * Cards live on a bus of their own, "sgcap_sim", created and removed by
 * writing an ID to /sys/bus/sgcap_sim/new_device and del_device (as with
 * netdevsim); the module parameter sim_cards creates IDs 0..sim_cards-1 at
 * load. Each card's "DMA engine" is a kthread running between START and
 * STOP: it paces frames, takes the oldest buffer the core queued to it,
 * writes the pattern chunk by chunk as a real card would, and completes the
 * buffer. Faults are injected through debugfs (sgcapN/sim/).
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "sgcap.h"
#include "sgcap_pp.h"

/**
 * struct sgcap_sim - a simulated card
 * @dev: the device on the sgcap_sim bus; parent of /dev/sgcapN and the
 *	device buffers are DMA-mapped for
 * @dma_parms: DMA parameters of @dev
 * @id: the bus ID, device name "sgcap_sim<id>"
 * @node: entry in sgcap_sim_devices, protected by sgcap_sim_lock
 * @card: the registered card
 * @lock: protects @queue
 * @queue: buffers given to the card, oldest first
 * @wait: the engine waits here for a buffer when it runs without a rate,
 *	and while it stalls
 * @engine: the engine thread while streaming; hw_ops->start() and stop()
 *	run under the card's mutex
 * @rate: frames per second of the current session, 0 for as fast as possible
 * @first_seq: sequence number of the session's first frame
 * @drop_percent: debugfs knob: percentage of frames dropped
 * @fail_capture: debugfs knob: sequence number completed with an error
 * @stall_ms: debugfs knob: one-shot stall of the engine
 * @max_segments: debugfs knob: DMA limit advertised
 * @max_segment_size: debugfs knob: DMA limit advertised, in bytes
 *
 * The knobs are written by debugfs without a lock and read once per frame:
 * a stale value only delays the fault by a frame.
 */
struct sgcap_sim {
	struct device dev;
	struct device_dma_parameters dma_parms;
	unsigned int id;
	struct list_head node;
	struct sgcap_card *card;

	/* Protects @queue. */
	spinlock_t lock;
	struct list_head queue;
	wait_queue_head_t wait;
	struct task_struct *engine;
	u32 rate;
	u64 first_seq;

	u32 drop_percent;
	u64 fail_capture;
	u32 stall_ms;
	u32 max_segments;
	u32 max_segment_size;
};

/* None by default: on a machine with a real card, /dev/sgcap0 is the card. */
static unsigned int sgcap_sim_cards;
module_param_named(sim_cards, sgcap_sim_cards, uint, 0444);
MODULE_PARM_DESC(sim_cards, "Simulated cards created at load, IDs 0..sim_cards-1 (default 0)");

static sgcap_bus_type sgcap_sim_bus;

/* Protects sgcap_sim_devices and sgcap_sim_enabled. */
static DEFINE_MUTEX(sgcap_sim_lock);
static LIST_HEAD(sgcap_sim_devices);
/* new_device works only between init and exit. */
static bool sgcap_sim_enabled;

static bool sgcap_sim_has_buffer(struct sgcap_sim *sim)
{
	bool ret;

	spin_lock(&sim->lock);
	ret = !list_empty(&sim->queue);
	spin_unlock(&sim->lock);
	return ret;
}

static struct sgcap_buffer *sgcap_sim_take_buffer(struct sgcap_sim *sim)
{
	struct sgcap_buffer *buf;

	spin_lock(&sim->lock);
	buf = list_first_entry_or_null(&sim->queue, struct sgcap_buffer, node);
	if (buf)
		list_del(&buf->node);
	spin_unlock(&sim->lock);
	return buf;
}

/*
 * Wait until frame @seq is due: start + seq / rate. Returns true if it is;
 * false after a sleep, so that the caller checks for stop and stall again.
 */
static bool sgcap_sim_frame_due(struct sgcap_sim *sim, ktime_t start, u64 seq)
{
	ktime_t due = ktime_add_ns(start, mul_u64_u32_div(seq, NSEC_PER_SEC,
							  sim->rate));

	if (!ktime_before(ktime_get(), due))
		return true;

	/* kthread_stop() wakes the task: no wakeup is lost. */
	set_current_state(TASK_INTERRUPTIBLE);
	if (!kthread_should_stop())
		schedule_hrtimeout(&due, HRTIMER_MODE_ABS);
	__set_current_state(TASK_RUNNING);
	return false;
}

static bool sgcap_sim_drop_injected(struct sgcap_sim *sim)
{
	u32 percent = READ_ONCE(sim->drop_percent);

	return percent && get_random_u32_below(100) < percent;
}

/* Write capture @seq chunk by chunk, as the card's DMA would. */
static void sgcap_sim_fill(struct sgcap_buffer *buf, u64 seq)
{
	struct scatterlist *sg;
	size_t off = 0;
	unsigned int i;

	/* The chunks are GFP_KERNEL pages: always in the linear map. */
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		size_t len = min_t(size_t, sg->length, buf->size - off);

		sgcap_pattern_fill(sg_virt(sg), off, len, seq);
		off += len;
		if (off == buf->size)
			break;
	}
}

static int sgcap_sim_engine(void *data)
{
	struct sgcap_card *card = data;
	struct sgcap_sim *sim = sgcap_card_priv(card);
	ktime_t start = ktime_get();
	u64 first = sim->first_seq;
	u64 seq = first;

	while (!kthread_should_stop()) {
		struct sgcap_buffer *buf;
		u32 stall_ms;

		cond_resched();

		stall_ms = xchg(&sim->stall_ms, 0);
		if (stall_ms) {
			/* The frames that would have come meanwhile are lost. */
			u64 lost = max_t(u64, 1, div_u64((u64)stall_ms * sim->rate,
							 MSEC_PER_SEC));

			/*
			 * kthread_stop() sets the flag, then wakes the task
			 * wherever it sleeps: wait_event re-checks the flag
			 * after queueing itself, so no wakeup is lost.
			 */
			wait_event_interruptible_timeout(sim->wait,
							 kthread_should_stop(),
							 msecs_to_jiffies(stall_ms));
			sgcap_card_count_drops(card, SGCAP_DROP_INJECTED, lost);
			seq += lost;
			continue;
		}

		if (sim->rate) {
			if (!sgcap_sim_frame_due(sim, start, seq - first))
				continue;
		} else {
			/* No rate: wait for a buffer instead of dropping. */
			wait_event_interruptible(sim->wait,
						 kthread_should_stop() ||
						 sgcap_sim_has_buffer(sim));
		}
		if (kthread_should_stop())
			break;

		if (sgcap_sim_drop_injected(sim)) {
			sgcap_card_count_drops(card, SGCAP_DROP_INJECTED, 1);
			seq++;
			continue;
		}

		buf = sgcap_sim_take_buffer(sim);
		if (!buf) {
			/* The frame is due and the card has no buffer. */
			sgcap_card_count_drops(card, SGCAP_DROP_NO_BUFFER, 1);
			seq++;
			continue;
		}

		/*
		 * The CPU plays the card: sync for it before writing, so that
		 * no bounce buffer copy-back can overwrite what it writes.
		 */
		sgcap_buffer_sync_for_cpu(buf);
		sgcap_sim_fill(buf, seq);
		sgcap_card_complete(card, buf, seq,
				    seq == READ_ONCE(sim->fail_capture) ?
				    SGCAP_CAPTURE_ERROR : 0);
		seq++;
	}
	return 0;
}

static void sgcap_sim_get_limits(struct sgcap_card *card,
				 struct sgcap_limits *lim)
{
	struct sgcap_sim *sim = sgcap_card_priv(card);

	lim->max_segments = READ_ONCE(sim->max_segments);
	lim->max_segment_size = READ_ONCE(sim->max_segment_size);
}

static int sgcap_sim_start(struct sgcap_card *card)
{
	struct sgcap_sim *sim = sgcap_card_priv(card);
	struct task_struct *engine;

	sim->rate = sgcap_card_config(card)->rate;
	/* Frames continue where the configuration's last session ended. */
	sim->first_seq = sgcap_card_first_sequence(card);
	engine = kthread_run(sgcap_sim_engine, card, "sgcap_sim%u", sim->id);
	if (IS_ERR(engine))
		return PTR_ERR(engine);
	sim->engine = engine;
	return 0;
}

static void sgcap_sim_stop(struct sgcap_card *card)
{
	struct sgcap_sim *sim = sgcap_card_priv(card);

	/* Waits for a sgcap_card_complete() in flight. */
	if (sim->engine) {
		kthread_stop(sim->engine);
		sim->engine = NULL;
	}

	/* Forget the queued buffers: the core takes them back. */
	spin_lock(&sim->lock);
	INIT_LIST_HEAD(&sim->queue);
	spin_unlock(&sim->lock);
}

static void sgcap_sim_queue_buffer(struct sgcap_card *card,
				   struct sgcap_buffer *buf)
{
	struct sgcap_sim *sim = sgcap_card_priv(card);

	spin_lock(&sim->lock);
	list_add_tail(&buf->node, &sim->queue);
	spin_unlock(&sim->lock);
	wake_up(&sim->wait);
}

static const struct sgcap_hw_ops sgcap_sim_ops = {
	.backend = SGCAP_BACKEND_SIM,
	.features = SGCAP_FEAT_PATTERN | SGCAP_FEAT_RATE,
	.get_limits = sgcap_sim_get_limits,
	.start = sgcap_sim_start,
	.stop = sgcap_sim_stop,
	.queue_buffer = sgcap_sim_queue_buffer,
};

static int sgcap_sim_drop_percent_get(void *data, u64 *val)
{
	struct sgcap_sim *sim = data;

	*val = READ_ONCE(sim->drop_percent);
	return 0;
}

static int sgcap_sim_drop_percent_set(void *data, u64 val)
{
	struct sgcap_sim *sim = data;

	if (val > 100)
		return -EINVAL;
	WRITE_ONCE(sim->drop_percent, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(sgcap_sim_drop_percent_fops,
			 sgcap_sim_drop_percent_get,
			 sgcap_sim_drop_percent_set, "%llu\n");

/* Removed with the card's directory by sgcap_card_unregister(). */
static void sgcap_sim_debugfs_init(struct sgcap_sim *sim)
{
	struct dentry *dir;

	dir = debugfs_create_dir("sim", sgcap_card_debugfs_dir(sim->card));
	debugfs_create_file_unsafe("drop_percent", 0600, dir, sim,
				   &sgcap_sim_drop_percent_fops);
	debugfs_create_u64("fail_capture", 0600, dir, &sim->fail_capture);
	debugfs_create_u32("stall_ms", 0600, dir, &sim->stall_ms);
	debugfs_create_u32("max_segments", 0600, dir, &sim->max_segments);
	debugfs_create_u32("max_segment_size", 0600, dir,
			   &sim->max_segment_size);
}

static void sgcap_sim_dev_release(struct device *dev)
{
	kfree(container_of(dev, struct sgcap_sim, dev));
}

static struct sgcap_sim *sgcap_sim_find(unsigned int id)
{
	struct sgcap_sim *sim;

	lockdep_assert_held(&sgcap_sim_lock);
	list_for_each_entry(sim, &sgcap_sim_devices, node)
		if (sim->id == id)
			return sim;
	return NULL;
}

static int sgcap_sim_add(unsigned int id)
{
	struct sgcap_sim *sim;
	int ret;

	lockdep_assert_held(&sgcap_sim_lock);
	if (sgcap_sim_find(id))
		return -EEXIST;

	sim = kzalloc(sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return -ENOMEM;

	sim->id = id;
	spin_lock_init(&sim->lock);
	INIT_LIST_HEAD(&sim->queue);
	init_waitqueue_head(&sim->wait);
	sim->fail_capture = U64_MAX;
	sim->max_segments = 512;
	sim->max_segment_size = SZ_64K;

	/* From here on the device's release frees @sim. */
	device_initialize(&sim->dev);
	sim->dev.bus = &sgcap_sim_bus;
	sim->dev.release = sgcap_sim_dev_release;
	/* No bus code sets up DMA for us: any address, any segment size. */
	sim->dev.dma_mask = &sim->dev.coherent_dma_mask;
	sim->dev.dma_parms = &sim->dma_parms;
	ret = dma_set_mask_and_coherent(&sim->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_put_device;
	dma_set_max_seg_size(&sim->dev, UINT_MAX);
	ret = dev_set_name(&sim->dev, "sgcap_sim%u", id);
	if (ret)
		goto err_put_device;
	ret = device_add(&sim->dev);
	if (ret)
		goto err_put_device;

	sim->card = sgcap_card_register(&sim->dev, &sgcap_sim_ops, sim);
	if (IS_ERR(sim->card)) {
		ret = PTR_ERR(sim->card);
		goto err_del_device;
	}
	sgcap_sim_debugfs_init(sim);

	list_add_tail(&sim->node, &sgcap_sim_devices);
	return 0;

err_del_device:
	device_del(&sim->dev);
err_put_device:
	put_device(&sim->dev);
	return ret;
}

static void sgcap_sim_del(struct sgcap_sim *sim)
{
	lockdep_assert_held(&sgcap_sim_lock);
	list_del(&sim->node);
	/* Stops the engine; the card and pools keep @dev referenced. */
	sgcap_card_unregister(sim->card);
	device_unregister(&sim->dev);
}

static void sgcap_sim_del_all(void)
{
	struct sgcap_sim *sim, *tmp;

	lockdep_assert_held(&sgcap_sim_lock);
	list_for_each_entry_safe_reverse(sim, tmp, &sgcap_sim_devices, node)
		sgcap_sim_del(sim);
}

static ssize_t sgcap_sim_new_device_store(sgcap_bus_type *bus,
					  const char *buf, size_t count)
{
	unsigned int id;
	int ret;

	if (kstrtouint(buf, 10, &id))
		return -EINVAL;

	mutex_lock(&sgcap_sim_lock);
	ret = sgcap_sim_enabled ? sgcap_sim_add(id) : -ENODEV;
	mutex_unlock(&sgcap_sim_lock);
	return ret ? ret : count;
}

static ssize_t sgcap_sim_del_device_store(sgcap_bus_type *bus,
					  const char *buf, size_t count)
{
	struct sgcap_sim *sim;
	int ret = -ENOENT;
	unsigned int id;

	if (kstrtouint(buf, 10, &id))
		return -EINVAL;

	mutex_lock(&sgcap_sim_lock);
	sim = sgcap_sim_find(id);
	if (sim) {
		sgcap_sim_del(sim);
		ret = 0;
	}
	mutex_unlock(&sgcap_sim_lock);
	return ret ? ret : count;
}

static struct bus_attribute sgcap_sim_bus_attr_new_device =
	__ATTR(new_device, 0200, NULL, sgcap_sim_new_device_store);
static struct bus_attribute sgcap_sim_bus_attr_del_device =
	__ATTR(del_device, 0200, NULL, sgcap_sim_del_device_store);

static struct attribute *sgcap_sim_bus_attrs[] = {
	&sgcap_sim_bus_attr_new_device.attr,
	&sgcap_sim_bus_attr_del_device.attr,
	NULL
};
ATTRIBUTE_GROUPS(sgcap_sim_bus);

static sgcap_bus_type sgcap_sim_bus = {
	.name = "sgcap_sim",
	.bus_groups = sgcap_sim_bus_groups,
};

int sgcap_sim_init(void)
{
	unsigned int i;
	int ret;

	ret = bus_register(&sgcap_sim_bus);
	if (ret)
		return ret;

	mutex_lock(&sgcap_sim_lock);
	for (i = 0; i < sgcap_sim_cards && !ret; i++)
		ret = sgcap_sim_add(i);
	if (ret)
		sgcap_sim_del_all();
	else
		sgcap_sim_enabled = true;
	mutex_unlock(&sgcap_sim_lock);

	/* Not under sgcap_sim_lock: it waits for the attributes' writers. */
	if (ret)
		bus_unregister(&sgcap_sim_bus);
	return ret;
}

void sgcap_sim_exit(void)
{
	mutex_lock(&sgcap_sim_lock);
	sgcap_sim_enabled = false;
	sgcap_sim_del_all();
	mutex_unlock(&sgcap_sim_lock);

	bus_unregister(&sgcap_sim_bus);
}
