// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap - the PCI backend, on QEMU's edu device.
 *
 * The edu device (PCI 1234:11e8, QEMU's docs/specs/edu.rst) has no capture
 * hardware, only a DMA engine that copies between host memory and a 4 KiB
 * buffer inside the device, one transfer at a time, and raises an MSI when a
 * transfer is done. The backend makes a capture card of it: for each capture
 * it writes the sgcap pattern of the capture's sequence number into a
 * coherent staging page, block by block, has the device load the block
 * (RAM to device) and store it into the capture buffer through the DMA
 * addresses of the buffer's segments (device to RAM). Every byte userspace
 * sees therefore went through the device, the DMA API and the IOMMU if any.
 *
 * The engine is a delayed work item: the interrupt handler only acknowledges
 * the device and runs it; it checks that the transfer ended, starts the next
 * one and completes captures (sgcap_card_complete() needs process context).
 * Its delay is the transfer's deadline: a device that stops answering (hung,
 * or gone without its driver being told yet) is fenced off the bus and the
 * card disabled instead of waiting forever.
 *
 * Quirks of the device (QEMU 7.2): every transfer takes 100 ms of virtual
 * time whatever its size, a transfer that ends at the very end of the
 * device's buffer aborts QEMU, and the device reaches 28 bits of DMA
 * address. Blocks are therefore SGCAP_EDU_BLOCK (2 KiB) bytes at the start
 * of the device's buffer, never across a DMA segment, and a capture costs
 * two transfers per block: 10 KiB/s of virtual time.
 */
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iommu.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "sgcap.h"
#include "sgcap_pp.h"

#define SGCAP_EDU_VENDOR		0x1234
#define SGCAP_EDU_DEVICE		0x11e8

/* BAR0 registers */
#define SGCAP_EDU_REG_ID		0x00	/* 0xRRrr00ed: major, minor */
#define SGCAP_EDU_REG_IRQ_STATUS	0x24
#define SGCAP_EDU_REG_IRQ_ACK		0x64
#define SGCAP_EDU_REG_DMA_SRC		0x80
#define SGCAP_EDU_REG_DMA_DST		0x88
#define SGCAP_EDU_REG_DMA_COUNT		0x90
#define SGCAP_EDU_REG_DMA_CMD		0x98

#define SGCAP_EDU_ID_MAGIC		0xed
#define SGCAP_EDU_IRQ_DMA		BIT(8)
#define SGCAP_EDU_DMA_RUN		BIT(0)
#define SGCAP_EDU_DMA_TO_RAM		BIT(1)
#define SGCAP_EDU_DMA_IRQ		BIT(2)

/* The device's internal buffer, in its own address space. */
#define SGCAP_EDU_BUF_ADDR		0x40000
#define SGCAP_EDU_DMA_BITS		28

/* One block per transfer: well inside the 4 KiB buffer, see above. */
#define SGCAP_EDU_BLOCK			SZ_2K

/* A transfer takes 100 ms: 20 times that means the device is lost. */
#define SGCAP_EDU_TIMEOUT		(2 * HZ)

/*
 * The engine walks the buffer's scatterlist itself, so these are the
 * driver's choice: a descriptor table of 1024 entries of up to 64 KiB, as
 * capture cards commonly have, which also bounds how far the IOMMU merges.
 */
#define SGCAP_EDU_MAX_SEGMENTS		1024
#define SGCAP_EDU_MAX_SEG_SIZE		SZ_64K

/**
 * enum sgcap_edu_phase - the transfer in flight
 * @SGCAP_EDU_IDLE: none
 * @SGCAP_EDU_LOAD: a block of pattern from the staging page into the device
 * @SGCAP_EDU_STORE: the block from the device into the capture buffer
 */
enum sgcap_edu_phase {
	SGCAP_EDU_IDLE,
	SGCAP_EDU_LOAD,
	SGCAP_EDU_STORE,
};

/**
 * struct sgcap_edu - an edu device driven as a capture card
 * @pdev: the PCI device
 * @regs: BAR0
 * @card: the registered card
 * @gfp: zone of the buffer pages, see sgcap_edu_gfp()
 * @translated: an IOMMU translates the device's DMA addresses
 * @stage: coherent page the engine writes each block of pattern to
 * @stage_dma: DMA address of @stage
 * @lock: protects @queue, @starved and @streaming
 * @queue: buffers given to the card, oldest first
 * @starved: the engine waits for a buffer: queue_buffer() must run it
 * @streaming: between hw_ops->start() and stop(); no transfer starts
 *	while it is false
 * @work: the engine, see the top of this file
 * @idle: hw_ops->stop() waits here for the transfer in flight to end
 * @phase: the transfer in flight
 * @deadline: when the transfer in flight times out, in jiffies
 * @cur: the capture in progress, NULL if none
 * @seq: frame number of @cur, from sgcap_card_first_sequence() at each start
 * @sg: DMA segment of @cur the current block is in
 * @sg_off: bytes of @sg before the current block
 * @off: bytes of @cur before the current block
 * @len: bytes of the current block
 * @broken: a transfer timed out; bus mastering stays off
 * @transfers: transfers completed, for debugfs
 *
 * @phase .. @transfers belong to @work; hw_ops->start() and stop() touch
 * them only where @work cannot run. hw_ops->stop() reads @phase, debugfs
 * reads @transfers and hw_ops->start() reads @broken, all with READ_ONCE().
 */
struct sgcap_edu {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct sgcap_card *card;
	gfp_t gfp;
	bool translated;
	void *stage;
	dma_addr_t stage_dma;

	/* Protects @queue, @starved and @streaming. */
	spinlock_t lock;
	struct list_head queue;
	bool starved;
	bool streaming;

	struct delayed_work work;
	wait_queue_head_t idle;
	enum sgcap_edu_phase phase;
	unsigned long deadline;
	struct sgcap_buffer *cur;
	u64 seq;
	struct scatterlist *sg;
	unsigned int sg_off;
	size_t off;
	unsigned int len;
	bool broken;
	u64 transfers;
};

static void sgcap_edu_kick(struct sgcap_edu *edu)
{
	/* Unbound: the completion path may run long on a big capture. */
	mod_delayed_work(system_unbound_wq, &edu->work, 0);
}

static bool sgcap_edu_streaming(struct sgcap_edu *edu)
{
	bool ret;

	spin_lock(&edu->lock);
	ret = edu->streaming;
	spin_unlock(&edu->lock);
	return ret;
}

static void sgcap_edu_set_idle(struct sgcap_edu *edu)
{
	WRITE_ONCE(edu->phase, SGCAP_EDU_IDLE);
	wake_up(&edu->idle);
}

/* Start the transfer of the current block for @phase. */
static void sgcap_edu_xfer(struct sgcap_edu *edu, enum sgcap_edu_phase phase)
{
	u32 cmd = SGCAP_EDU_DMA_RUN | SGCAP_EDU_DMA_IRQ;
	dma_addr_t src, dst;

	if (phase == SGCAP_EDU_LOAD) {
		src = edu->stage_dma;
		dst = SGCAP_EDU_BUF_ADDR;
	} else {
		src = SGCAP_EDU_BUF_ADDR;
		dst = sg_dma_address(edu->sg) + edu->sg_off;
		cmd |= SGCAP_EDU_DMA_TO_RAM;
	}

	/*
	 * On 32-bit machines writeq() is two writes and the device ignores
	 * the one to the upper half; its lower half zero-extends, and the
	 * 28-bit DMA mask keeps every address below 4 GiB anyway.
	 */
	writeq(src, edu->regs + SGCAP_EDU_REG_DMA_SRC);
	writeq(dst, edu->regs + SGCAP_EDU_REG_DMA_DST);
	writeq(edu->len, edu->regs + SGCAP_EDU_REG_DMA_COUNT);

	WRITE_ONCE(edu->phase, phase);
	edu->deadline = jiffies + SGCAP_EDU_TIMEOUT;
	/* writel() orders the staging page's contents before the start. */
	writel(cmd, edu->regs + SGCAP_EDU_REG_DMA_CMD);
	/* Does not push back a run the interrupt already asked for. */
	queue_delayed_work(system_unbound_wq, &edu->work, SGCAP_EDU_TIMEOUT);
}

/* Load the next block of the current capture into the device. */
static void sgcap_edu_load(struct sgcap_edu *edu)
{
	edu->len = min_t(size_t, SGCAP_EDU_BLOCK, edu->cur->size - edu->off);
	edu->len = min(edu->len, sg_dma_len(edu->sg) - edu->sg_off);
	sgcap_pattern_fill(edu->stage, edu->off, edu->len, edu->seq);
	sgcap_edu_xfer(edu, SGCAP_EDU_LOAD);
}

/* The current block is stored: step past it. True if the capture is done. */
static bool sgcap_edu_advance(struct sgcap_edu *edu)
{
	edu->off += edu->len;
	edu->sg_off += edu->len;
	if (edu->sg_off == sg_dma_len(edu->sg)) {
		edu->sg = sg_next(edu->sg);
		edu->sg_off = 0;
	}
	return edu->off == edu->cur->size;
}

/* Take the oldest buffer for the next capture; false if there is none. */
static bool sgcap_edu_next_capture(struct sgcap_edu *edu)
{
	struct sgcap_buffer *buf;

	spin_lock(&edu->lock);
	buf = list_first_entry_or_null(&edu->queue, struct sgcap_buffer, node);
	if (buf)
		list_del(&buf->node);
	edu->starved = !buf;
	spin_unlock(&edu->lock);
	if (!buf)
		return false;

	edu->cur = buf;
	edu->sg = buf->sgt.sgl;
	edu->sg_off = 0;
	edu->off = 0;
	return true;
}

static void sgcap_edu_timeout(struct sgcap_edu *edu)
{
	struct pci_dev *pdev = edu->pdev;

	dev_err(&pdev->dev, "DMA transfer timed out%s: card disabled\n",
		pci_device_is_present(pdev) ? "" : ", device gone");
	/* The transfer may still write to buffers about to be freed. */
	pci_clear_master(pdev);
	WRITE_ONCE(edu->broken, true);
	sgcap_edu_set_idle(edu);

	/* Tell userspace; no capture follows until the device is probed again. */
	if (edu->cur && sgcap_edu_streaming(edu)) {
		/* Bus mastering is off: nothing writes the buffer any more. */
		sgcap_buffer_sync_for_cpu(edu->cur);
		sgcap_card_complete(edu->card, edu->cur, edu->seq++,
				    SGCAP_CAPTURE_ERROR);
	}
	edu->cur = NULL;
}

static void sgcap_edu_work(struct work_struct *work)
{
	struct sgcap_edu *edu = container_of(to_delayed_work(work),
					     struct sgcap_edu, work);
	enum sgcap_edu_phase done = edu->phase;

	if (done != SGCAP_EDU_IDLE) {
		/* All ones from a device that is gone: still running. */
		if (readl(edu->regs + SGCAP_EDU_REG_DMA_CMD) &
		    SGCAP_EDU_DMA_RUN) {
			if (time_after_eq(jiffies, edu->deadline)) {
				sgcap_edu_timeout(edu);
				return;
			}
			/* Run early (a new buffer): wait on for the end. */
			queue_delayed_work(system_unbound_wq, &edu->work,
					   edu->deadline - jiffies);
			return;
		}
		WRITE_ONCE(edu->transfers, edu->transfers + 1);
		sgcap_edu_set_idle(edu);
	}

	/*
	 * hw_ops->stop() waits for this run to end: once it cleared
	 * @streaming, no run starts another transfer.
	 */
	if (!sgcap_edu_streaming(edu) || edu->broken)
		return;

	if (done == SGCAP_EDU_LOAD) {
		sgcap_edu_xfer(edu, SGCAP_EDU_STORE);
		return;
	}
	if (done == SGCAP_EDU_STORE && sgcap_edu_advance(edu)) {
		/* The last store into the buffer ended: the CPU's turn. */
		sgcap_buffer_sync_for_cpu(edu->cur);
		sgcap_card_complete(edu->card, edu->cur, edu->seq++, 0);
		edu->cur = NULL;
	}
	if (!edu->cur && !sgcap_edu_next_capture(edu))
		return;
	sgcap_edu_load(edu);
}

static irqreturn_t sgcap_edu_irq(int irq, void *data)
{
	struct sgcap_edu *edu = data;
	u32 status = readl(edu->regs + SGCAP_EDU_REG_IRQ_STATUS);

	/* All ones: the device is gone. */
	if (status == U32_MAX || !(status & SGCAP_EDU_IRQ_DMA))
		return IRQ_NONE;
	writel(status, edu->regs + SGCAP_EDU_REG_IRQ_ACK);
	sgcap_edu_kick(edu);
	return IRQ_HANDLED;
}

static void sgcap_edu_get_limits(struct sgcap_card *card,
				 struct sgcap_limits *lim)
{
	struct sgcap_edu *edu = sgcap_card_priv(card);

	lim->max_segments = SGCAP_EDU_MAX_SEGMENTS;
	lim->max_segment_size = SGCAP_EDU_MAX_SEG_SIZE;
	lim->gfp = edu->gfp;
}

static int sgcap_edu_start(struct sgcap_card *card)
{
	struct sgcap_edu *edu = sgcap_card_priv(card);

	if (READ_ONCE(edu->broken))
		return -EIO;

	/* Sequence numbers continue over STOP and START, see sgcap_hw_ops. */
	edu->seq = sgcap_card_first_sequence(card);
	spin_lock(&edu->lock);
	edu->streaming = true;
	spin_unlock(&edu->lock);
	sgcap_edu_kick(edu);
	return 0;
}

static void sgcap_edu_stop(struct sgcap_card *card)
{
	struct sgcap_edu *edu = sgcap_card_priv(card);

	spin_lock(&edu->lock);
	edu->streaming = false;
	spin_unlock(&edu->lock);

	/*
	 * Let the engine's run in progress end: later runs start nothing.
	 * The device cannot abort a transfer, so wait for the one in flight
	 * to end or to time out; then no run is left to come.
	 */
	flush_delayed_work(&edu->work);
	wait_event(edu->idle, READ_ONCE(edu->phase) == SGCAP_EDU_IDLE);
	cancel_delayed_work_sync(&edu->work);

	/* Forget the buffers: the core takes them back. */
	spin_lock(&edu->lock);
	INIT_LIST_HEAD(&edu->queue);
	edu->starved = false;
	spin_unlock(&edu->lock);
	edu->cur = NULL;
}

static void sgcap_edu_queue_buffer(struct sgcap_card *card,
				   struct sgcap_buffer *buf)
{
	struct sgcap_edu *edu = sgcap_card_priv(card);
	bool starved;

	spin_lock(&edu->lock);
	list_add_tail(&buf->node, &edu->queue);
	starved = edu->starved;
	edu->starved = false;
	spin_unlock(&edu->lock);
	if (starved)
		sgcap_edu_kick(edu);
}

static const struct sgcap_hw_ops sgcap_edu_ops = {
	.backend = SGCAP_BACKEND_PCI_EDU,
	.features = SGCAP_FEAT_PATTERN,
	.get_limits = sgcap_edu_get_limits,
	.start = sgcap_edu_start,
	.stop = sgcap_edu_stop,
	.queue_buffer = sgcap_edu_queue_buffer,
};

static int sgcap_edu_info_show(struct seq_file *s, void *unused)
{
	struct sgcap_edu *edu = s->private;
	const char *zone = "any";

	if (edu->gfp & __GFP_DMA)
		zone = "dma";
	else if (edu->gfp & __GFP_DMA32)
		zone = "dma32";

	seq_printf(s, "transfers %llu\n", READ_ONCE(edu->transfers));
	seq_printf(s, "broken %d\n", READ_ONCE(edu->broken));
	seq_printf(s, "dma_bits %d\n", SGCAP_EDU_DMA_BITS);
	seq_printf(s, "iommu %d\n", edu->translated);
	seq_printf(s, "zone %s\n", zone);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sgcap_edu_info);

/*
 * Where the buffer pages must come from. Behind an IOMMU that translates for
 * the DMA API, anywhere: the IOMMU maps them below the DMA mask. Without one
 * the card reaches only the low 256 MiB, and dma_map_sgtable() has no bounce
 * buffer to fall back on (swiotlb is set up only on machines with memory
 * above 4 GiB, and lies above 256 MiB anyway): a page the card cannot reach
 * would fail the mapping with a warning. The zone that fits the mask is the
 * answer: ZONE_DMA, the first 16 MiB on x86.
 */
static gfp_t sgcap_edu_gfp(struct sgcap_edu *edu)
{
	struct device *dev = &edu->pdev->dev;
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	edu->translated = domain && iommu_is_dma_domain(domain);
	if (edu->translated || !dma_addressing_limited(dev))
		return 0;
	return dma_get_mask(dev) >= DMA_BIT_MASK(32) ? __GFP_DMA32 : __GFP_DMA;
}

static int sgcap_edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct sgcap_edu *edu;
	struct dentry *dir;
	u32 dev_id;
	int ret;

	edu = kzalloc(sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;
	spin_lock_init(&edu->lock);
	INIT_LIST_HEAD(&edu->queue);
	INIT_DELAYED_WORK(&edu->work, sgcap_edu_work);
	init_waitqueue_head(&edu->idle);

	ret = pci_enable_device(pdev);
	if (ret)
		goto err_free_edu;
	ret = pci_request_regions(pdev, KBUILD_MODNAME);
	if (ret)
		goto err_disable_device;
	edu->regs = pci_iomap(pdev, 0, 0);
	if (!edu->regs) {
		ret = -ENOMEM;
		goto err_release_regions;
	}

	dev_id = readl(edu->regs + SGCAP_EDU_REG_ID);
	if ((dev_id & 0xff) != SGCAP_EDU_ID_MAGIC) {
		dev_err(&pdev->dev, "not an edu device: id %#x\n", dev_id);
		ret = -ENODEV;
		goto err_iounmap;
	}

	ret = dma_set_mask_and_coherent(&pdev->dev,
					DMA_BIT_MASK(SGCAP_EDU_DMA_BITS));
	if (ret) {
		/* No IOMMU, and no memory zone within the mask. */
		dev_err(&pdev->dev, "%d-bit DMA is not possible here\n",
			SGCAP_EDU_DMA_BITS);
		goto err_iounmap;
	}
	/* What the IOMMU may merge the buffer's chunks into. */
	dma_set_max_seg_size(&pdev->dev, SGCAP_EDU_MAX_SEG_SIZE);
	edu->gfp = sgcap_edu_gfp(edu);

	edu->stage = dma_alloc_coherent(&pdev->dev, SGCAP_EDU_BLOCK,
					&edu->stage_dma, GFP_KERNEL);
	if (!edu->stage) {
		ret = -ENOMEM;
		goto err_iounmap;
	}

	/* The device has MSI; no shared INTx line to sort out. */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0)
		goto err_free_stage;
	ret = request_irq(pci_irq_vector(pdev, 0), sgcap_edu_irq, 0,
			  KBUILD_MODNAME, edu);
	if (ret)
		goto err_free_vectors;
	pci_set_master(pdev);

	edu->card = sgcap_card_register(&pdev->dev, &sgcap_edu_ops, edu);
	if (IS_ERR(edu->card)) {
		ret = PTR_ERR(edu->card);
		goto err_clear_master;
	}
	pci_set_drvdata(pdev, edu);

	/* Removed with the card's directory by sgcap_card_unregister(). */
	dir = debugfs_create_dir("edu", sgcap_card_debugfs_dir(edu->card));
	debugfs_create_file("info", 0444, dir, edu, &sgcap_edu_info_fops);

	dev_info(&pdev->dev, "%s: edu %u.%u, %d-bit DMA%s\n",
		 edu->card->name, dev_id >> 24,
		 (dev_id >> 16) & 0xff, SGCAP_EDU_DMA_BITS,
		 edu->translated ? " behind an IOMMU" : "");
	return 0;

err_clear_master:
	pci_clear_master(pdev);
	free_irq(pci_irq_vector(pdev, 0), edu);
err_free_vectors:
	pci_free_irq_vectors(pdev);
err_free_stage:
	dma_free_coherent(&pdev->dev, SGCAP_EDU_BLOCK, edu->stage,
			  edu->stage_dma);
err_iounmap:
	pci_iounmap(pdev, edu->regs);
err_release_regions:
	pci_release_regions(pdev);
err_disable_device:
	pci_disable_device(pdev);
err_free_edu:
	kfree(edu);
	return ret;
}

/*
 * Runs for rmmod, sysfs remove and hot-unplug alike, with the device still
 * reachable unless it was yanked out by surprise: the engine's timeout
 * covers that case.
 */
static void sgcap_edu_remove(struct pci_dev *pdev)
{
	struct sgcap_edu *edu = pci_get_drvdata(pdev);

	/*
	 * Stops the engine, and with it the device's DMA, and unmaps the
	 * buffers from the device. Captures held by userspace stay valid.
	 */
	sgcap_card_unregister(edu->card);

	pci_clear_master(pdev);
	free_irq(pci_irq_vector(pdev, 0), edu);
	/* A late interrupt may have run the (now idle) engine once more. */
	cancel_delayed_work_sync(&edu->work);
	pci_free_irq_vectors(pdev);
	dma_free_coherent(&pdev->dev, SGCAP_EDU_BLOCK, edu->stage,
			  edu->stage_dma);
	pci_iounmap(pdev, edu->regs);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
	kfree(edu);
}

static const struct pci_device_id sgcap_edu_ids[] = {
	{ PCI_DEVICE(SGCAP_EDU_VENDOR, SGCAP_EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, sgcap_edu_ids);

static struct pci_driver sgcap_edu_driver = {
	.name = "sgcap_edu",
	.id_table = sgcap_edu_ids,
	.probe = sgcap_edu_probe,
	.remove = sgcap_edu_remove,
};

int sgcap_pci_init(void)
{
	return pci_register_driver(&sgcap_edu_driver);
}

void sgcap_pci_exit(void)
{
	pci_unregister_driver(&sgcap_edu_driver);
}
