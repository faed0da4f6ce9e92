/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sgcap - scatter-gather capture card: internal interfaces.
 *
 * The core (sgcap_core.c, sgcap_ioctl.c, sgcap_buffer.c, sgcap_dmabuf.c,
 * sgcap_debugfs.c) owns the character device, the buffer pool and the dma-buf
 * exporter. A backend (sgcap_sim.c, later a PCI card) only moves data: it
 * registers a card with a struct sgcap_hw_ops and completes the buffers the
 * core queues to it.
 *
 * Locking, outermost first (see also Documentation/driver-api/sgcap.rst):
 *
 *   sgcap_card.lock (mutex)
 *     -> sgcap_pool.lock (spinlock)
 *          -> the backend's queue lock (hw_ops->queue_buffer())
 *   dma_resv lock of a capture's dma-buf, or on 6.1 the dma-buf's own
 *   mutex (both taken by the dma-buf core, not always)
 *     -> sgcap_buffer.lock (mutex)
 *   sgcap_card.lock -> sgcap_buffer.lock (debugfs only)
 *
 * sgcap_card_complete() takes neither sgcap_card.lock nor anything that
 * waits for it, so hw_ops->stop() may wait for a completion in flight while
 * the caller holds sgcap_card.lock.
 */
#ifndef _SGCAP_H
#define _SGCAP_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/sgcap.h>

#include "compat.h"

struct dentry;
struct device;
struct dma_buf;
struct file;
struct seq_file;
struct sgcap_card;

/* Largest chunk order: 2^6 pages, 256 KiB with 4 KiB pages. */
#define SGCAP_MAX_ORDER		6
#define SGCAP_MIN_BUFFERS	1
#define SGCAP_MAX_BUFFERS	64
#define SGCAP_MAX_BUFFER_SIZE	SZ_64M

/**
 * enum sgcap_buf_state - who owns a buffer
 * @SGCAP_BUF_FREE: the driver, on the pool's free list
 * @SGCAP_BUF_CARD: the card, through hw_ops->queue_buffer(); it may write
 * @SGCAP_BUF_READY: completed and exported, on the pool's ready list, which
 *	holds the dma-buf's file reference
 * @SGCAP_BUF_HELD: the dma-buf's users; only the dma-buf's release ends it
 */
enum sgcap_buf_state {
	SGCAP_BUF_FREE,
	SGCAP_BUF_CARD,
	SGCAP_BUF_READY,
	SGCAP_BUF_HELD,
};

/**
 * struct sgcap_buffer - one capture buffer of a pool
 * @pool: the pool the buffer belongs to
 * @index: position of the buffer in @pool
 * @node: entry in the pool's free or ready list, or in the backend's queue
 *	while the buffer is %SGCAP_BUF_CARD; protected by the owner of the state
 * @state: enum sgcap_buf_state; protected by sgcap_pool.lock
 * @dmabuf: export of the capture while READY or HELD; protected by
 *	sgcap_pool.lock
 * @size: capture bytes, struct sgcap_config.buffer_size
 * @nr_pages: pages backing the buffer, PAGE_ALIGN(@size) / PAGE_SIZE
 * @pages: every page of the buffer in order; chunks are split_page()d so
 *	that each page stands alone
 * @sgt: one entry per chunk, DMA-mapped (DMA_FROM_DEVICE) for the card
 *	while the pool is attached to it (sgcap_pool_detach() unmaps it)
 * @vaddr: the buffer's lifelong kernel mapping of @pages
 * @sequence: sequence number of the capture the buffer holds
 * @timestamp_ns: CLOCK_MONOTONIC time of completion
 * @capture_flags: SGCAP_CAPTURE_* flags of the capture
 * @crc32c: CRC32C of the capture after the transform
 * @mismatches: bytes that differed from the pattern, before the transform
 * @lock: protects @attachments and the mapping state of each; nests
 *	inside the locks the dma-buf core holds around the exporter's ops
 * @attachments: attachments of the current export (struct sgcap_attachment)
 *
 * @sequence .. @mismatches are written by sgcap_card_complete() before the
 * buffer is published as READY under sgcap_pool.lock and read after taking
 * it off the ready list under the same lock.
 */
struct sgcap_buffer {
	struct sgcap_pool *pool;
	unsigned int index;
	struct list_head node;
	enum sgcap_buf_state state;
	struct dma_buf *dmabuf;

	size_t size;
	unsigned int nr_pages;
	struct page **pages;
	struct sg_table sgt;
	void *vaddr;

	u64 sequence;
	u64 timestamp_ns;
	u32 capture_flags;
	u32 crc32c;
	u64 mismatches;

	/* Protects @attachments and their mapping state. */
	struct mutex lock;
	struct list_head attachments;
};

/**
 * struct sgcap_cost - what the driver's own per-capture work costs
 * @exports: captures exported
 * @export_ns: time spent exporting and queueing them (dma_buf_export,
 *	naming, the ready list), the driver's overhead on top of the data
 * @postprocess_ns: time spent in the postprocessing pass, vmap and CPU
 *	access brackets included
 *
 * Two clock reads a stage: cheap next to a capture, and what `make bench`
 * reports through debugfs. atomic64_t: updated by the completion path only,
 * read by debugfs at any time.
 */
struct sgcap_cost {
	atomic64_t exports;
	atomic64_t export_ns;
	atomic64_t postprocess_ns;
};

/**
 * struct sgcap_pool - the buffers built by one SGCAP_IOC_CONFIGURE
 * @ref: one reference for the card while the pool is attached to it, one
 *	per live dma-buf; the last put frees the pages and their vmaps
 * @dma_dev: the card's DMA device, referenced while the buffers are mapped
 *	for it: until sgcap_pool_detach(), which unmaps them and sets it NULL
 * @card_id: number of the card, for dma-buf names
 * @transform: SGCAP_TRANSFORM_* applied to every capture
 * @check_pattern: count pattern mismatches (the card writes the pattern)
 * @gfp: zone of the buffer pages, struct sgcap_limits.gfp
 * @lock: protects @card, @streaming, @free, @ready and each buffer's
 *	@state, @node (except while CARD) and @dmabuf
 * @card: the card while the pool is attached to it, NULL once detached
 * @streaming: the card is started: a released buffer goes straight back to
 *	it; written with the card's mutex held too, so either lock reads it
 * @free: FREE buffers
 * @ready: READY buffers, oldest first
 * @cost: time the completion path spent per stage, for the pool's life
 * @count: buffers in @bufs
 * @bufs: the buffers
 */
struct sgcap_pool {
	struct kref ref;
	struct device *dma_dev;
	int card_id;
	u32 transform;
	bool check_pattern;
	gfp_t gfp;

	/* Protects @card, @streaming, @free, @ready, buffer states. */
	spinlock_t lock;
	struct sgcap_card *card;
	bool streaming;
	struct list_head free;
	struct list_head ready;

	struct sgcap_cost cost;
	unsigned int count;
	struct sgcap_buffer bufs[] __counted_by(count);
};

/**
 * struct sgcap_limits - DMA limits of a card
 * @max_segments: most scatter-gather segments per buffer
 * @max_segment_size: largest segment, in bytes
 * @gfp: zone of the buffer pages: 0 for any, __GFP_DMA32 or __GFP_DMA for
 *	a card that reaches only low memory and has no IOMMU to remap it (the
 *	DMA API's bounce buffers are no help: there may be none, and they need
 *	not be low enough)
 */
struct sgcap_limits {
	u32 max_segments;
	u32 max_segment_size;
	gfp_t gfp;
};

/**
 * struct sgcap_hw_ops - what a backend provides
 * @backend: SGCAP_BACKEND_* reported by SGCAP_IOC_GET_CAPS
 * @features: SGCAP_FEAT_* bits of the card itself (pattern, rate); the core
 *	adds the ones it implements (CRC32C, transforms)
 * @get_limits: report the card's current DMA limits; read at
 *	SGCAP_IOC_GET_CAPS and SGCAP_IOC_CONFIGURE into a zeroed struct
 * @start: start capturing into the buffers queued so far and later; the
 *	configuration (sgcap_card_config()) does not change until @stop
 * @stop: stop capturing. When it returns no sgcap_card_complete() runs or
 *	will run, and the backend has forgotten every buffer queued to it (the
 *	core takes them back). Also called after a failed @start.
 * @queue_buffer: give a buffer to the card, also just before @start;
 *	completed later with sgcap_card_complete(). The card writes
 *	@buf->size bytes through the DMA addresses of @buf->sgt and may link
 *	@buf->node into its own queue. Called with sgcap_pool.lock held: must
 *	not sleep. The buffer is synced for the device.
 *
 * @start and @stop are called with the card's mutex held, never
 * concurrently, and never once sgcap_card_unregister() has returned.
 *
 * Completing a buffer is the backend's job in two steps: once the card's
 * DMA into it completed, the buffer must be synced for the CPU: call
 * sgcap_buffer_sync_for_cpu(buf) after the DMA completed, then
 * sgcap_card_complete(). A backend whose CPU writes the buffer itself (the
 * simulated card) syncs before writing, so that no bounce buffer copy-back
 * can overwrite what it wrote.
 *
 * Frame numbers: the frames of a session are numbered from
 * sgcap_card_first_sequence(), read in @start, and every frame is
 * accounted once, in order: completed with sgcap_card_complete() or counted
 * with sgcap_card_count_drops(). The core then knows where the next session
 * continues, so that sequence numbers never go backwards between two
 * CONFIGUREs.
 */
struct sgcap_hw_ops {
	u32 backend;
	u64 features;
	void (*get_limits)(struct sgcap_card *card, struct sgcap_limits *lim);
	int (*start)(struct sgcap_card *card);
	void (*stop)(struct sgcap_card *card);
	void (*queue_buffer)(struct sgcap_card *card, struct sgcap_buffer *buf);
};

/**
 * enum sgcap_drop_reason - why a frame was dropped
 * @SGCAP_DROP_NO_BUFFER: no buffer was with the card when the frame came
 * @SGCAP_DROP_INJECTED: fault injection (stall, drop percentage)
 */
enum sgcap_drop_reason {
	SGCAP_DROP_NO_BUFFER,
	SGCAP_DROP_INJECTED,
};

/**
 * struct sgcap_counters - statistics of a card, atomic64_t because the
 * completion path updates them without the card's mutex
 * @captures: captures completed by the card and queued
 * @dequeued: captures handed to userspace
 * @drops_no_buffer: frames dropped because no buffer was free, and
 *	captures that could not be exported
 * @drops_injected: frames dropped by fault injection
 * @errors: captures completed with SGCAP_CAPTURE_ERROR
 * @bytes: capture bytes completed
 * @discarded: READY captures nobody dequeued, dropped by the owner's
 *	close, a new configuration, the removal of the card or a DEQUEUE that
 *	failed after its pool was replaced
 */
struct sgcap_counters {
	atomic64_t captures;
	atomic64_t dequeued;
	atomic64_t drops_no_buffer;
	atomic64_t drops_injected;
	atomic64_t errors;
	atomic64_t bytes;
	atomic64_t discarded;
};

/**
 * struct sgcap_card - one capture card, /dev/sgcapN
 * @ref: one reference for the registration, one per open file
 * @id: N of /dev/sgcapN, from a global IDA
 * @name: "sgcapN"
 * @dev: the backend's device, the parent of the misc device and the DMA
 *	device; referenced for the card's life
 * @ops: the backend's operations
 * @priv: the backend's data
 * @misc: the character device
 * @debugfs: /sys/kernel/debug/sgcap/sgcapN
 * @lock: serialises the ioctls that change state and the backend's
 *	start/stop; protects @pool, @cfg, @owner and @dead
 * @pool: buffers in force, NULL when not configured
 * @cfg: configuration in force (all zero but @cfg.size when not configured)
 * @owner: the file that configured or started the card, or NULL
 * @dead: sgcap_card_unregister() was called (also read without @lock as a
 *	hint)
 * @wait: DEQUEUE and poll() wait here for captures, STOP and removal
 * @next_seq: sequence number of the card's next frame: 0 after CONFIGURE,
 *	one more for every frame completed or dropped. atomic64_t: the
 *	completion path updates it without @lock; hw_ops->start() reads it
 *	with @lock held while nothing else writes it
 * @stats: counters
 */
struct sgcap_card {
	struct kref ref;
	int id;
	char name[16];
	struct device *dev;
	const struct sgcap_hw_ops *ops;
	void *priv;
	struct miscdevice misc;
	struct dentry *debugfs;

	/* Serialises state changes; protects @pool, @cfg, @owner, @dead. */
	struct mutex lock;
	struct sgcap_pool *pool;
	struct sgcap_config cfg;
	struct file *owner;
	bool dead;

	wait_queue_head_t wait;
	atomic64_t next_seq;
	struct sgcap_counters stats;
};

/* sgcap_core.c: the backend interface */

/**
 * sgcap_card_register() - create a card and its /dev/sgcapN
 * @parent: the backend's device: parent of the misc device and DMA device
 * @ops: the backend's operations, must outlive the card's registration
 * @priv: the backend's data, returned by sgcap_card_priv()
 *
 * Context: process context, may sleep.
 * Return: the card, or an ERR_PTR().
 */
struct sgcap_card *sgcap_card_register(struct device *parent,
				       const struct sgcap_hw_ops *ops,
				       void *priv);

/**
 * sgcap_card_unregister() - remove a card
 * @card: the card
 *
 * Stops streaming, drops the captures nobody dequeued and removes
 * /dev/sgcapN and the debugfs directory. Open files then get -ENODEV;
 * exported captures stay valid until their last user lets go. The backend's
 * ops and data are not used once this returns.
 *
 * Context: process context, may sleep.
 */
void sgcap_card_unregister(struct sgcap_card *card);

/**
 * sgcap_card_priv() - the backend's data of a card
 * @card: the card
 *
 * Return: the @priv given to sgcap_card_register().
 */
void *sgcap_card_priv(const struct sgcap_card *card);

/**
 * sgcap_card_config() - the configuration in force
 * @card: the card
 *
 * Only stable from hw_ops->start() until hw_ops->stop() returns.
 *
 * Return: the card's configuration.
 */
const struct sgcap_config *sgcap_card_config(const struct sgcap_card *card);

/**
 * sgcap_card_debugfs_dir() - the card's debugfs directory
 * @card: the card
 *
 * Backends add their own files there; they are removed by
 * sgcap_card_unregister().
 *
 * Return: the dentry of /sys/kernel/debug/sgcap/sgcapN, maybe an ERR_PTR().
 */
struct dentry *sgcap_card_debugfs_dir(const struct sgcap_card *card);

/**
 * sgcap_card_first_sequence() - sequence number of a session's first frame
 * @card: the card
 *
 * 0 for the first session after SGCAP_IOC_CONFIGURE; afterwards one past
 * the last frame the previous session completed or dropped, so that a new
 * session never reuses the numbers of captures still queued.
 *
 * Context: hw_ops->start().
 * Return: the sequence number to give the session's first frame.
 */
u64 sgcap_card_first_sequence(struct sgcap_card *card);

/**
 * sgcap_card_complete() - the card completed a buffer
 * @card: the card
 * @buf: a buffer queued with hw_ops->queue_buffer()
 * @seq: the card's frame number of the capture
 * @flags: SGCAP_CAPTURE_ERROR if the card reported an error, else 0
 *
 * The buffer must be synced for the CPU: call sgcap_buffer_sync_for_cpu(buf)
 * after the DMA completed, before this. Clears the bytes past the capture
 * to the end of its last page, exports the capture as a new dma-buf, runs
 * the postprocessing pass through the dma-buf's vmap and queues the capture
 * for SGCAP_IOC_DEQUEUE. If the export fails the frame is counted as dropped
 * and the buffer goes back to the card.
 *
 * Context: process context, may sleep; only between hw_ops->start() and the
 * return of hw_ops->stop().
 */
void sgcap_card_complete(struct sgcap_card *card, struct sgcap_buffer *buf,
			 u64 seq, u32 flags);

/**
 * sgcap_card_count_drops() - account frames the card dropped
 * @card: the card
 * @reason: why
 * @frames: how many
 *
 * Context: any.
 */
void sgcap_card_count_drops(struct sgcap_card *card,
			    enum sgcap_drop_reason reason, u64 frames);

/* sgcap_core.c: for the rest of the core */

/**
 * sgcap_card_stop_locked() - stop streaming, take the buffers back
 * @card: the card, its mutex held
 *
 * Buffers with the card return to FREE, READY captures stay queued. Does
 * nothing when the card is not streaming.
 */
void sgcap_card_stop_locked(struct sgcap_card *card);

/**
 * sgcap_card_drop_pool_locked() - detach the pool from the card
 * @card: the card, its mutex held, not streaming
 *
 * Drops the READY captures (counted as discarded), the card's DMA mappings
 * of the buffers and the card's pool reference; captures held by users keep
 * the pool's pages alive. The card is then unconfigured and its sequence
 * numbers start again at 0.
 */
void sgcap_card_drop_pool_locked(struct sgcap_card *card);

/**
 * sgcap_card_fill_stats_locked() - counters and buffer states of a card
 * @card: the card, its mutex held
 * @st: receives the statistics, reserved fields zeroed
 */
void sgcap_card_fill_stats_locked(struct sgcap_card *card,
				  struct sgcap_stats *st);

/**
 * sgcap_card_streaming_locked() - whether the card is started
 * @card: the card, its mutex held
 *
 * Return: true between a successful START and the next STOP.
 */
bool sgcap_card_streaming_locked(struct sgcap_card *card);

/* sgcap_ioctl.c */

/**
 * sgcap_ioctl() - the ioctl handler of /dev/sgcapN
 * @file: an open file of the card
 * @cmd: SGCAP_IOC_*
 * @arg: user pointer to the command's structure
 *
 * Return: 0 or a negative errno, see the table at the top of sgcap_ioctl.c.
 */
long sgcap_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/**
 * sgcap_config_check_size() - check struct sgcap_config.size
 * @size: the size userspace says it passed
 *
 * Pure helper, the first check of SGCAP_IOC_CONFIGURE.
 *
 * Return: 0, -EINVAL below %SGCAP_CONFIG_SIZE_VER0, -E2BIG above PAGE_SIZE.
 */
int sgcap_config_check_size(u32 size);

/**
 * sgcap_config_validate() - check a configuration copied from userspace
 * @cfg: the configuration
 *
 * Pure helper: every check of SGCAP_IOC_CONFIGURE that needs nothing but
 * the structure (flags, reserved fields, ranges, transform).
 *
 * Return: 0 or -EINVAL.
 */
int sgcap_config_validate(const struct sgcap_config *cfg);

/**
 * sgcap_dequeue_validate() - check the input of SGCAP_IOC_DEQUEUE
 * @dq: the structure copied from userspace
 *
 * Pure helper: unknown flags and non-zero reserved fields are rejected.
 *
 * Return: 0 or -EINVAL.
 */
int sgcap_dequeue_validate(const struct sgcap_dequeue *dq);

/* sgcap_buffer.c */

/**
 * sgcap_chunk_order() - order of the next chunk of a buffer
 * @pages_left: pages still to allocate, > 0
 * @max_order: largest order allowed
 *
 * Pure helper: the largest order not above @max_order whose chunk still
 * fits into @pages_left, so that a buffer never gets more pages than it
 * needs.
 *
 * Return: the order.
 */
unsigned int sgcap_chunk_order(unsigned long pages_left,
			       unsigned int max_order);

/**
 * sgcap_chunk_plan() - chunks of a buffer when every allocation succeeds
 * @nr_pages: pages of the buffer
 * @max_order: largest order allowed, at most %SGCAP_MAX_ORDER
 * @counts: if not NULL, receives the number of chunks of each order
 *	(%SGCAP_MAX_ORDER + 1 entries)
 *
 * Pure helper, no allocation: 100 KiB at order 1 is 12 chunks of order 1
 * and 1 of order 0. Fragmentation can only add chunks to the plan.
 *
 * Return: the number of chunks.
 */
unsigned long sgcap_chunk_plan(unsigned long nr_pages, unsigned int max_order,
			       unsigned int *counts);

/**
 * sgcap_limits_max_order() - largest chunk order a card's segments hold
 * @lim: the card's limits
 *
 * Return: min(%SGCAP_MAX_ORDER, order of @lim->max_segment_size), 0 if a
 * segment cannot even hold a page.
 */
unsigned int sgcap_limits_max_order(const struct sgcap_limits *lim);

/**
 * sgcap_plan_max_order() - largest chunk order of a configuration
 * @cfg: a validated configuration
 * @lim: the card's DMA limits
 *
 * Pure helper: @cfg->chunk_order lowered to what one of the card's
 * segments holds, if a buffer built of chunks of that order (the fewest
 * chunks possible) fits into @lim->max_segments.
 *
 * Return: the order, or -ENOMEM if no amount of memory lets a buffer fit
 * the limits.
 */
int sgcap_plan_max_order(const struct sgcap_config *cfg,
			 const struct sgcap_limits *lim);

/**
 * sgcap_pool_create() - build the buffers of a configuration
 * @card: the card; the pool starts attached to it
 * @cfg: the validated configuration
 * @lim: the card's DMA limits
 *
 * Allocates, DMA-maps and vmaps every buffer, in chunks of
 * @cfg->chunk_order or less: the card's segment size and fragmentation
 * lower it. Nothing is left behind on failure.
 *
 * Context: process context, may sleep.
 * Return: the pool with one reference for the card, or ERR_PTR(-ENOMEM) if
 * the memory or the card's limits do not allow the buffers.
 */
struct sgcap_pool *sgcap_pool_create(struct sgcap_card *card,
				     const struct sgcap_config *cfg,
				     const struct sgcap_limits *lim);

/**
 * sgcap_buffer_sync_for_cpu() - make the card's writes visible to the CPU
 * @buf: a buffer with the card (queued by hw_ops->queue_buffer())
 *
 * For backends: after the card's DMA into @buf completed and before
 * sgcap_card_complete(). A backend whose CPU plays the card calls it before
 * writing instead.
 *
 * Context: any; only between hw_ops->start() and the return of
 * hw_ops->stop().
 */
void sgcap_buffer_sync_for_cpu(struct sgcap_buffer *buf);

/**
 * sgcap_pool_get() - take a reference on a pool
 * @pool: the pool
 */
void sgcap_pool_get(struct sgcap_pool *pool);

/**
 * sgcap_pool_put() - drop a reference, free the pool with the last one
 * @pool: the pool
 *
 * Context: process context (vunmap() may sleep).
 */
void sgcap_pool_put(struct sgcap_pool *pool);

/**
 * sgcap_pool_start() - mark the pool streaming, give every FREE buffer to
 * the card
 * @pool: the card's pool
 */
void sgcap_pool_start(struct sgcap_pool *pool);

/**
 * sgcap_pool_stop() - stop giving buffers to the card
 * @pool: the card's pool
 *
 * Called before hw_ops->stop(): from now on released buffers stay FREE.
 */
void sgcap_pool_stop(struct sgcap_pool *pool);

/**
 * sgcap_pool_reclaim() - take back the buffers the card had
 * @pool: the card's pool, after hw_ops->stop()
 *
 * Every CARD buffer becomes FREE.
 */
void sgcap_pool_reclaim(struct sgcap_pool *pool);

/**
 * sgcap_pool_recycle() - a buffer is no longer used by anybody
 * @buf: a buffer that is no longer exported
 *
 * Gives the buffer to the card while the pool streams, else puts it on the
 * free list. Called by the dma-buf's release and on export failure.
 */
void sgcap_pool_recycle(struct sgcap_buffer *buf);

/**
 * sgcap_pool_queue_ready() - publish a completed capture
 * @buf: the buffer, with its metadata filled in
 * @dmabuf: its export; the ready list takes over this reference
 */
void sgcap_pool_queue_ready(struct sgcap_buffer *buf, struct dma_buf *dmabuf);

/**
 * sgcap_pool_pop_ready() - take the oldest READY capture
 * @pool: the pool
 *
 * Return: the buffer, now HELD, whose dma-buf reference passes to the
 * caller; NULL if none is ready.
 */
struct sgcap_buffer *sgcap_pool_pop_ready(struct sgcap_pool *pool);

/**
 * sgcap_pool_unpop_ready() - undo sgcap_pool_pop_ready()
 * @buf: the buffer, back at the head of the ready list with its reference
 */
void sgcap_pool_unpop_ready(struct sgcap_buffer *buf);

/**
 * sgcap_pool_drain_ready() - drop every READY capture
 * @pool: the pool
 *
 * Puts the dma-bufs; their release returns the buffers.
 *
 * Return: the number of captures dropped.
 */
unsigned int sgcap_pool_drain_ready(struct sgcap_pool *pool);

/**
 * sgcap_pool_has_ready() - whether a capture is ready
 * @pool: the pool
 *
 * Return: true if the ready list is not empty.
 */
bool sgcap_pool_has_ready(struct sgcap_pool *pool);

/**
 * sgcap_pool_dequeue_ready() - wake-up condition of a blocking DEQUEUE
 * @pool: the pool the waiter saw
 *
 * Return: true if a capture is ready, the pool stopped streaming or was
 * detached from its card.
 */
bool sgcap_pool_dequeue_ready(struct sgcap_pool *pool);

/**
 * sgcap_pool_detach() - the card lets go of its pool
 * @pool: the pool, not streaming
 *
 * Unmaps every buffer from the card's DMA device and drops the pool's
 * reference on it, so that no DMA mapping outlives the card. Captures
 * still held keep their pages and vmap. Released buffers then stay FREE;
 * the caller still drops the card's reference.
 *
 * Context: process context, the card's mutex held.
 */
void sgcap_pool_detach(struct sgcap_pool *pool);

/**
 * sgcap_pool_fill_stats() - the buffer state counts of a pool
 * @pool: the pool
 * @st: receives buffers_* and streaming
 */
void sgcap_pool_fill_stats(struct sgcap_pool *pool, struct sgcap_stats *st);

/**
 * sgcap_buffer_show() - one debugfs line for a buffer
 * @s: the seq_file
 * @buf: the buffer
 */
void sgcap_buffer_show(struct seq_file *s, struct sgcap_buffer *buf);

/* sgcap_dmabuf.c */

/**
 * sgcap_dmabuf_export() - export the capture a buffer holds
 * @buf: a buffer the card completed
 * @seq: its sequence number, for the dma-buf's name
 *
 * Takes a pool reference for the dma-buf's life.
 *
 * Return: the dma-buf with one file reference, or an ERR_PTR().
 */
struct dma_buf *sgcap_dmabuf_export(struct sgcap_buffer *buf, u64 seq);

/**
 * sgcap_dmabuf_show() - the exporter state of a buffer for debugfs
 * @s: the seq_file
 * @buf: the buffer
 *
 * Prints one " attach=DEV,DIR,MAPPED" per attachment.
 */
void sgcap_dmabuf_show(struct seq_file *s, struct sgcap_buffer *buf);

/* sgcap_debugfs.c */

/**
 * sgcap_debugfs_init() - create /sys/kernel/debug/sgcap
 */
void sgcap_debugfs_init(void);

/**
 * sgcap_debugfs_exit() - remove /sys/kernel/debug/sgcap
 */
void sgcap_debugfs_exit(void);

/**
 * sgcap_debugfs_card_init() - create a card's debugfs directory and files
 * @card: the card, with its name set
 */
void sgcap_debugfs_card_init(struct sgcap_card *card);

/**
 * sgcap_debugfs_card_exit() - remove a card's debugfs directory
 * @card: the card
 *
 * Waits for readers in progress.
 */
void sgcap_debugfs_card_exit(struct sgcap_card *card);

/* sgcap_sim.c */

/**
 * sgcap_sim_init() - register the sgcap_sim bus and the sim_cards cards
 *
 * Return: 0 or a negative errno.
 */
int sgcap_sim_init(void);

/**
 * sgcap_sim_exit() - remove every simulated card and the bus
 */
void sgcap_sim_exit(void);

/* sgcap_pci.c */

/**
 * sgcap_pci_init() - register the PCI driver of the edu card
 *
 * Return: 0 or a negative errno.
 */
int sgcap_pci_init(void);

/**
 * sgcap_pci_exit() - unregister the PCI driver, removing its cards
 */
void sgcap_pci_exit(void);

#endif /* _SGCAP_H */
