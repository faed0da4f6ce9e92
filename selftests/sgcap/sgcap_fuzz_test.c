// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap selftests: ioctl fuzzing against a model of the documented API.
 *
 * Random and boundary values go to every ioctl of /dev/sgcapN (sizes,
 * flags, reserved fields, orders, counts, zero and huge sizes, the card's
 * segment limits), through argument pointers that are valid, NULL, kernel
 * addresses, read-only, unmapped or straddling into such pages, from up to
 * three open files of the card; unknown commands of the sgcap magic, the
 * dma-buf ioctls on the wrong file and the other way round; and random
 * orders of mmap, munmap, mprotect, mremap, poll, dup, SCM_RIGHTS passing
 * and close of the card and of the captures, reconfiguration, stop and
 * removal of the card while captures are held and mapped. Each call's
 * result is checked against what the documentation (sgcap_ioctl.c's table,
 * the uapi header) says for that input and the model's state, where that is
 * deterministic, else against the set of documented outcomes. Held captures
 * are checked byte for byte.
 *
 * Deterministic from a seed, printed with the number of operations run so
 * that a failure replays: each operation's random choices depend only on the
 * seed and the operation's number (results that depend on timing, such as
 * whether a capture is ready yet, may still differ between two runs):
 *
 *   sgcap_fuzz_seed=S      seed (default: from the clock)
 *   sgcap_fuzz_ops=N       stop after N operations
 *   sgcap_fuzz_seconds=T   stop after T seconds (default 20)
 *
 * (in the test bed: kernel command-line words, SGCAP_GUEST_ARGS). The guest
 * must survive without a kernel splat; the card must work afterwards.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <linux/dma-buf.h>

#include "sgcap_util.h"

#define FZ_ID		SGT_SIM_ID_FUZZ
#define FZ_FILES	3	/* open files of the card */
#define FZ_HELD		12	/* captures held at most */
#define FZ_PAGE		4096UL
#define FZ_KADDR	((void *)0xffff888000000000UL)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* ---- deterministic randomness ------------------------------------------ */

static uint64_t fz_state;

static uint64_t fz_rand(void)
{
	/* splitmix64: every seed, zero included, gives a good stream. */
	uint64_t z = (fz_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t fz_below(uint32_t n)
{
	return n ? (uint32_t)(fz_rand() % n) : 0;
}

static bool fz_chance(unsigned int percent)
{
	return fz_below(100) < percent;
}

/* A boundary value of a 32-bit field around @lo..@hi, or anything. */
static uint32_t fz_u32(uint32_t lo, uint32_t hi)
{
	switch (fz_below(9)) {
	case 0: return lo;
	case 1: return hi;
	case 2: return lo - 1;
	case 3: return hi + 1;
	case 4: return 0;
	case 5: return UINT32_MAX;
	case 6: return (uint32_t)1 << fz_below(32);
	case 7: return (uint32_t)fz_rand();
	default: return lo + fz_below(hi - lo + 1);
	}
}

/* ---- the log of recent operations, printed on failure ------------------ */

#define FZ_LOG_LINES	48
static char fz_log_ring[FZ_LOG_LINES][160];
static unsigned long fz_ops;
static unsigned int fz_failures;

/* How deep the operations got, printed at the end. */
static struct {
	unsigned long configured, started, captures, checked, mapped, passed,
		      removed, bad_cmds, efaults;
} fz_stat;

static void fz_log(const char *fmt, ...)
{
	char *line = fz_log_ring[fz_ops % FZ_LOG_LINES];
	int n = snprintf(line, sizeof(fz_log_ring[0]), "op %lu: ", fz_ops);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(fz_log_ring[0]) - n, fmt, ap);
	va_end(ap);
}

static void fz_dump_log(void)
{
	unsigned long i, first = fz_ops >= FZ_LOG_LINES ? fz_ops - FZ_LOG_LINES + 1 : 0;

	for (i = first; i <= fz_ops; i++)
		printf("#   %s\n", fz_log_ring[i % FZ_LOG_LINES]);
}

/*
 * FZ_CHECK() - whether @cond holds; if not, report it (with the last
 * operations the first time) and make the run stop after this operation.
 */
static bool fz_check(bool ok, const char *func, int line, const char *cond,
		     const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	printf("# op %lu: %s:%d: %s: ", fz_ops, func, line, cond);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!fz_failures++) {
		printf("# the last operations:\n");
		fz_dump_log();
	}
	return false;
}

#define FZ_CHECK(cond, fmt, ...) \
	fz_check(!!(cond), __func__, __LINE__, #cond, fmt, ##__VA_ARGS__)

/* ---- argument memory ----------------------------------------------------
 *
 * Three pages: read-write, read-only, inaccessible. Argument structures are
 * placed in them at random so that they lie in one page or straddle two.
 */
static uint8_t *fz_arena;
/* Where reads through mappings go, so that they are not optimised away. */
static uint8_t fz_sink;

enum fz_where { FZ_RW, FZ_RW_RO, FZ_RO, FZ_RO_NONE, FZ_NONE, FZ_NULL,
		FZ_KERNEL, FZ_WHERE_MAX };

static const char * const fz_where_names[] = {
	"rw", "rw|ro", "ro", "ro|none", "none", "NULL", "kernel",
};

/* An address for @len bytes at @where. */
static uint8_t *fz_place(enum fz_where where, size_t len)
{
	size_t cut = len > 1 ? 1 + fz_below(len - 1) : 1;

	switch (where) {
	case FZ_RW:
		return fz_arena + fz_below(FZ_PAGE - len + 1);
	case FZ_RW_RO:
		return fz_arena + FZ_PAGE - cut;
	case FZ_RO:
		return fz_arena + FZ_PAGE + fz_below(FZ_PAGE - len + 1);
	case FZ_RO_NONE:
		return fz_arena + 2 * FZ_PAGE - cut;
	case FZ_NONE:
		return fz_arena + 2 * FZ_PAGE + fz_below(FZ_PAGE - len + 1);
	case FZ_NULL:
		return NULL;
	default:
		return FZ_KADDR;
	}
}

static bool fz_readable(const uint8_t *p, size_t len)
{
	return p >= fz_arena && p + len <= fz_arena + 2 * FZ_PAGE;
}

static bool fz_writable(const uint8_t *p, size_t len)
{
	return p >= fz_arena && p + len <= fz_arena + FZ_PAGE;
}

/* Copy @len bytes of @src to @dst where writable by us (rw page only). */
static void fz_fill(uint8_t *dst, const void *src, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (fz_writable(dst + i, 1))
			dst[i] = ((const uint8_t *)src)[i];
}

static enum fz_where fz_where(void)
{
	/* Mostly valid: the deeper checks only run on valid arguments. */
	return fz_chance(70) ? FZ_RW : (enum fz_where)fz_below(FZ_WHERE_MAX);
}

/* ---- the model ---------------------------------------------------------- */

struct fz_capture {
	int fd;
	uint64_t seq;
	uint64_t size;
	uint32_t transform;
	void *map;		/* whole-buffer shared mapping, or NULL */
	size_t map_len;
	bool dirty;		/* written through a mapping */
};

static struct {
	int files[FZ_FILES];	/* -1: closed */
	bool nonblock[FZ_FILES];	/* opened with O_NONBLOCK */
	int owner;		/* index into files, -1: none */
	bool removed;		/* the card was deleted under the files */
	int card;		/* N of /dev/sgcapN */
	bool configured;
	bool streaming;
	struct sgcap_config cfg;
	uint32_t cfg_max_segments;	/* the limit when configured */
	uint32_t max_segments;
	uint32_t max_segment_size;
	struct fz_capture held[FZ_HELD];
	unsigned int nheld;
	uint64_t totalram_pages;
} m;

static struct sgcap_caps fz_caps;

static bool fz_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

static int fz_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* The sgcap planner, from the documentation: can the limits hold a buffer? */
static bool fz_limits_fit(const struct sgcap_config *cfg)
{
	uint64_t pages = (cfg->buffer_size + FZ_PAGE - 1) / FZ_PAGE;
	unsigned int order = cfg->chunk_order, seg_order = 0, o;
	uint64_t chunks;

	if (!m.max_segments || m.max_segment_size < FZ_PAGE)
		return false;
	while (seg_order < fz_caps.max_order &&
	       (FZ_PAGE << (seg_order + 1)) <= m.max_segment_size)
		seg_order++;
	if (order > seg_order)
		order = seg_order;
	chunks = pages >> order;
	for (o = 0; o < order; o++)
		chunks += (pages >> o) & 1;
	return chunks <= m.max_segments;
}

static void fz_drop_capture(unsigned int i)
{
	struct fz_capture *c = &m.held[i];

	if (c->map)
		munmap(c->map, c->map_len);
	close(c->fd);
	m.held[i] = m.held[--m.nheld];
}

static uint64_t fz_sim_knob(const char *name, uint64_t val)
{
	if (!m.removed)
		sgt_dbg_write_u64(m.card, name, val);
	return val;
}

/* A fresh card: new_device, open one file, default limits. */
static int fz_new_card(void)
{
	int err, i;

	if (sgt_sim_exists(FZ_ID))
		sgt_sim_del(FZ_ID);
	err = sgt_sim_new(FZ_ID);
	if (err)
		return err;
	m.card = sgt_sim_card_index(FZ_ID);
	if (m.card < 0)
		return m.card;
	for (i = 0; i < FZ_FILES; i++) {
		m.files[i] = -1;
		m.nonblock[i] = false;
	}
	m.files[0] = sgt_sim_open(FZ_ID);
	if (m.files[0] < 0)
		return m.files[0];
	m.owner = -1;
	m.removed = false;
	m.configured = false;
	m.streaming = false;
	m.max_segments = 512;
	m.max_segment_size = 65536;
	return sgt_get_caps(m.files[0], &fz_caps);
}

/* An open file of the card, opening one if none is. */
static int fz_file(void)
{
	/* The owner mostly: the other files only get -EBUSY. */
	int i = m.owner >= 0 && fz_chance(60) ? m.owner : (int)fz_below(FZ_FILES);

	if (m.files[i] < 0 && !m.removed) {
		m.files[i] = sgt_sim_open(FZ_ID);
		m.nonblock[i] = false;
	}
	if (m.files[i] < 0) {
		for (i = 0; i < FZ_FILES && m.files[i] < 0; i++)
			;
	}
	return i < FZ_FILES ? i : -1;
}

static bool fz_busy(int f)
{
	return m.owner >= 0 && m.owner != f;
}

/* ---- operations ---------------------------------------------------------- */

static void fz_op_get(void)
{
	static const struct {
		unsigned long cmd;
		size_t len;
		const char *name;
	} gets[] = {
		{ SGCAP_IOC_GET_CAPS, sizeof(struct sgcap_caps), "GET_CAPS" },
		{ SGCAP_IOC_GET_CONFIG, sizeof(struct sgcap_config), "GET_CONFIG" },
		{ SGCAP_IOC_GET_STATS, sizeof(struct sgcap_stats), "GET_STATS" },
	};
	unsigned int g = fz_below(ARRAY_SIZE(gets));
	enum fz_where where = fz_where();
	uint8_t *p = fz_place(where, gets[g].len);
	int f = fz_file(), ret, want;

	if (f < 0)
		return;
	fz_log("%s file %d at %s", gets[g].name, f, fz_where_names[where]);
	ret = fz_ioctl(m.files[f], gets[g].cmd, p);
	want = m.removed ? -ENODEV : fz_writable(p, gets[g].len) ? 0 : -EFAULT;
	if (!FZ_CHECK(ret == want, "%s at %s: %d, want %d", gets[g].name,
		      fz_where_names[where], ret, want))
		return;
	if (ret)
		return;

	if (gets[g].cmd == SGCAP_IOC_GET_CAPS) {
		if (!FZ_CHECK(!memcmp(p, &fz_caps, 16), "caps changed"))
			return;
	} else if (gets[g].cmd == SGCAP_IOC_GET_CONFIG) {
		struct sgcap_config cfg;

		memcpy(&cfg, p, sizeof(cfg));
		if (!FZ_CHECK(cfg.size == sizeof(cfg), "size %u", cfg.size))
			return;
		if (m.configured) {
			cfg.size = m.cfg.size;
			if (!FZ_CHECK(!memcmp(&cfg, &m.cfg, sizeof(cfg)),
				      "configuration in force differs"))
				return;
		} else {
			if (!FZ_CHECK(!cfg.buffer_count && !cfg.buffer_size,
				      "unconfigured card reports a configuration"))
				return;
		}
	} else {
		struct sgcap_stats st;

		memcpy(&st, p, sizeof(st));
		if (!FZ_CHECK(st.buffers_total ==
			      (m.configured ? m.cfg.buffer_count : 0),
			      "buffers_total %u", st.buffers_total))
			return;
		if (!FZ_CHECK(st.buffers_free + st.buffers_card + st.buffers_ready +
			      st.buffers_held == st.buffers_total,
			      "buffer states do not add up"))
			return;
		if (!FZ_CHECK(st.streaming == m.streaming, "streaming %u",
			      st.streaming))
			return;
		if (!m.streaming)
			if (!FZ_CHECK(!st.buffers_card, "buffers with a stopped card"))
				return;
		if (!FZ_CHECK(st.dequeued <= st.captures, "dequeued > captures"))
			return;
		if (!FZ_CHECK(fz_zero(st.reserved, sizeof(st.reserved)), "reserved"))
			return;
	}
}

/* A configuration: mostly valid and small, boundary values otherwise. */
static void fz_random_config(struct sgcap_config *cfg)
{
	static const uint64_t sizes[] = {
		0, 1, 7, 4095, 4096, 4097, 65536, 640 * 1024, 1 << 20,
		64 << 20, (64 << 20) + 1, 1ULL << 32, UINT64_MAX,
	};

	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->buffer_count = 1 + fz_below(4);
	cfg->chunk_order = fz_below(fz_caps.max_order + 1);
	cfg->buffer_size = 1 + fz_below(96 * 1024);
	cfg->transform = fz_below(2);
	cfg->rate = fz_chance(70) ? 0 : fz_below(2000);

	switch (fz_below(12)) {
	case 0:
		cfg->buffer_count = fz_u32(fz_caps.min_buffers,
					   fz_caps.max_buffers);
		break;
	case 1:
		cfg->chunk_order = fz_u32(0, fz_caps.max_order);
		break;
	case 2:
		cfg->buffer_size = sizes[fz_below(ARRAY_SIZE(sizes))];
		/* One large buffer at a time: a small guest, and DMA debug. */
		if (cfg->buffer_size > (1 << 20))
			cfg->buffer_count = 1;
		break;
	case 3:
		cfg->transform = fz_u32(0, SGCAP_TRANSFORM_SWAP16);
		break;
	case 4:
		cfg->flags = fz_chance(50) ? fz_u32(0, 0) : 1U << fz_below(32);
		break;
	case 5:
		cfg->reserved[fz_below(ARRAY_SIZE(cfg->reserved))] = fz_rand() | 1;
		break;
	case 6:
		cfg->rate = fz_u32(0, 100000);
		break;
	case 7:
		/* Valid, but more than a small guest can give. */
		cfg->buffer_count = fz_caps.max_buffers;
		cfg->buffer_size = fz_caps.max_buffer_size;
		break;
	default:
		break;
	}
}

static int fz_config_want(int f, const uint8_t *p, const uint8_t *image,
			  size_t usize)
{
	struct sgcap_config cfg;
	size_t i;

	if (m.removed)
		return -ENODEV;
	if (!fz_readable(p, 4))
		return -EFAULT;
	if (usize < SGCAP_CONFIG_SIZE_VER0)
		return -EINVAL;
	if (usize > FZ_PAGE)
		return -E2BIG;
	/* The tail past the known struct, byte by byte, as the kernel reads. */
	for (i = sizeof(cfg); i < usize; i++) {
		if (!fz_readable(p + i, 1))
			return -EFAULT;
		if (p[i])
			return -E2BIG;
	}
	if (!fz_readable(p, sizeof(cfg)))
		return -EFAULT;
	memcpy(&cfg, image, sizeof(cfg));
	if (cfg.flags || !fz_zero(cfg.reserved, sizeof(cfg.reserved)) ||
	    cfg.buffer_count < fz_caps.min_buffers ||
	    cfg.buffer_count > fz_caps.max_buffers || !cfg.buffer_size ||
	    cfg.buffer_size > fz_caps.max_buffer_size ||
	    cfg.chunk_order > fz_caps.max_order ||
	    cfg.transform > SGCAP_TRANSFORM_SWAP16)
		return -EINVAL;
	if (fz_busy(f) || m.streaming)
		return -EBUSY;
	if (!fz_limits_fit(&cfg))
		return -ENOMEM;
	if ((uint64_t)cfg.buffer_count *
	    ((cfg.buffer_size + FZ_PAGE - 1) / FZ_PAGE) > m.totalram_pages / 2)
		return -ENOMEM;
	return 0;
}

static void fz_op_configure(void)
{
	enum fz_where where = fz_where();
	struct sgcap_config cfg;
	uint8_t image[sizeof(cfg)];
	size_t usize = sizeof(cfg);
	int f = fz_file(), ret, want;
	uint8_t *p;
	size_t i;

	if (f < 0)
		return;
	fz_random_config(&cfg);
	/*
	 * A held capture keeps its whole pool: let go of them before a large
	 * pool, so that a small guest never pins more than one of those.
	 */
	if (cfg.buffer_size > (1 << 20))
		while (m.nheld)
			fz_drop_capture(0);
	switch (fz_below(8)) {
	case 0:
		usize = fz_u32(SGCAP_CONFIG_SIZE_VER0, FZ_PAGE);
		break;
	case 1:
		usize = sizeof(cfg) + 8 * (1 + fz_below(4));
		break;
	default:
		break;
	}
	cfg.size = usize;
	memcpy(image, &cfg, sizeof(cfg));
	/* usize is what the kernel reads: keep it inside the arena mostly. */
	p = fz_place(where, usize <= FZ_PAGE ? usize : sizeof(cfg));
	if (fz_writable(p, 1) || where == FZ_RW) {
		fz_fill(p, image, sizeof(cfg));
		/* A tail of zeros, now and then one that is not. */
		for (i = sizeof(cfg); i < usize && i < 2 * FZ_PAGE; i++)
			fz_fill(p + i, "\0", 1);
		if (usize > sizeof(cfg) && usize <= FZ_PAGE && fz_chance(30))
			fz_fill(p + sizeof(cfg) + fz_below(usize - sizeof(cfg)),
				"\x5a", 1);
	}
	/* What the kernel will find there (the ro page holds zeros). */
	for (i = 0; i < sizeof(cfg); i++)
		image[i] = fz_readable(p + i, 1) ? p[i] : 0;
	{
		uint32_t s;

		memcpy(&s, image, sizeof(s));
		if (fz_readable(p, 4))
			usize = s;
	}
	want = fz_config_want(f, p, image, usize);
	fz_log("CONFIGURE file %d at %s size %zu count %u order %u bytes %llu transform %u",
	       f, fz_where_names[where], usize, cfg.buffer_count,
	       cfg.chunk_order, (unsigned long long)cfg.buffer_size,
	       cfg.transform);
	ret = fz_ioctl(m.files[f], SGCAP_IOC_CONFIGURE, p);
	/* Memory may run short for a valid configuration; nothing else. */
	if (!FZ_CHECK(ret == want || (want == 0 && ret == -ENOMEM),
		      "CONFIGURE: %d, want %d", ret, want))
		return;
	if (want == -ENODEV || want == -EFAULT || want == -EINVAL ||
	    want == -E2BIG || want == -EBUSY)
		return;
	/* Reached the card: the old pool is gone, READY captures with it. */
	memcpy(&m.cfg, image, sizeof(m.cfg));
	m.cfg.size = sizeof(m.cfg);
	m.cfg_max_segments = m.max_segments;
	m.configured = ret == 0;
	fz_stat.configured += !ret;
	if (!ret)
		m.owner = f;
}

static void fz_op_start_stop(void)
{
	int f = fz_file(), ret, want;
	bool start = fz_chance(55);

	if (f < 0)
		return;
	fz_log("%s file %d", start ? "START" : "STOP", f);
	ret = fz_ioctl(m.files[f], start ? SGCAP_IOC_START : SGCAP_IOC_STOP,
		       NULL);
	if (m.removed)
		want = -ENODEV;
	else if (fz_busy(f))
		want = -EBUSY;
	else if (!start)
		want = 0;
	else if (!m.configured)
		want = -EINVAL;
	else if (m.streaming)
		want = -EBUSY;
	else
		want = 0;
	if (!FZ_CHECK(ret == want, "%s: %d, want %d", start ? "START" : "STOP",
		      ret, want))
		return;
	if (ret)
		return;
	m.streaming = start;
	if (start) {
		m.owner = f;
		fz_stat.started++;
	}
}

/* Check a held capture's bytes against the pattern, through its mapping. */
static void fz_check_capture(struct fz_capture *c)
{
	uint64_t bad, first = 0;

	if (!c->map || c->dirty)
		return;
	sgt_sync(c->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	bad = sgt_compare(c->map, 0, c->size, c->seq, c->transform, &first);
	sgt_sync(c->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	fz_stat.checked++;
	if (!FZ_CHECK(!bad, "capture %llu: %llu bytes differ, first at %llu",
		      (unsigned long long)c->seq, (unsigned long long)bad,
		      (unsigned long long)first))
		return;
}

static void fz_op_dequeue(void)
{
	static const uint32_t flag_choice[] = {
		SGCAP_DEQUEUE_NONBLOCK, SGCAP_DEQUEUE_NONBLOCK, 0, 2,
		0x80000000U, ~0U,
	};
	enum fz_where where = fz_where();
	struct sgcap_dequeue dq, seen;
	struct sgcap_stats st;
	int f = fz_file(), ret;
	bool invalid, block;
	uint8_t *p;
	size_t i;

	if (f < 0)
		return;
	memset(&dq, 0, sizeof(dq));
	dq.flags = flag_choice[fz_below(ARRAY_SIZE(flag_choice))];
	if (fz_chance(10))
		dq.reserved[fz_below(ARRAY_SIZE(dq.reserved))] = fz_rand() | 1;
	/* Output fields carry garbage on input: ignored. */
	if (fz_chance(30)) {
		dq.fd = (uint32_t)fz_rand();
		dq.sequence = fz_rand();
		dq.chunk_count = (uint32_t)fz_rand();
	}
	if (m.nheld == FZ_HELD)
		fz_drop_capture(fz_below(m.nheld));
	p = fz_place(where, sizeof(dq));
	fz_fill(p, &dq, sizeof(dq));
	/* What the kernel will read there (the read-only page: zeros). */
	memset(&seen, 0, sizeof(seen));
	for (i = 0; i < sizeof(seen); i++)
		if (fz_readable(p + i, 1))
			((uint8_t *)&seen)[i] = p[i];
	invalid = (seen.flags & ~SGCAP_DEQUEUE_FLAGS_ALL) ||
		  !fz_zero(seen.reserved, sizeof(seen.reserved));
	block = !(seen.flags & SGCAP_DEQUEUE_NONBLOCK) && !m.nonblock[f];
	/*
	 * Wait only where a capture will come: streaming with a buffer at
	 * the card or a capture ready. Else make it non-blocking (memory we
	 * can write) or skip it.
	 */
	if (block && !invalid && !m.removed && !fz_busy(f) && m.streaming &&
	    fz_readable(p, sizeof(dq))) {
		if (sgt_get_stats(m.files[f], &st) ||
		    (!st.buffers_card && !st.buffers_ready)) {
			if (!fz_writable(p, sizeof(dq)))
				return;
			seen.flags |= SGCAP_DEQUEUE_NONBLOCK;
			fz_fill(p, &seen, sizeof(seen));
			block = false;
		}
	}

	fz_log("DEQUEUE file %d at %s flags %#x%s", f, fz_where_names[where],
	       seen.flags, block ? " blocking" : "");
	if (block)
		alarm(10);
	ret = fz_ioctl(m.files[f], SGCAP_IOC_DEQUEUE, p);
	if (block)
		alarm(0);

	if (m.removed) {
		if (!FZ_CHECK(ret == -ENODEV, "%d", ret))
			return;
		return;
	}
	if (!fz_readable(p, sizeof(dq))) {
		if (!FZ_CHECK(ret == -EFAULT, "%d", ret))
			return;
		return;
	}
	if (invalid) {
		if (!FZ_CHECK(ret == -EINVAL, "%d", ret))
			return;
		return;
	}
	if (fz_busy(f)) {
		if (!FZ_CHECK(ret == -EBUSY, "%d", ret))
			return;
		return;
	}
	if (!FZ_CHECK(ret != -EINTR, "a blocking DEQUEUE did not return"))
		return;
	if (ret == -EAGAIN) {
		if (!FZ_CHECK(!block, "EAGAIN from a blocking dequeue"))
			return;
		return;
	}
	if (ret == -ENODATA) {
		if (!FZ_CHECK(block && !m.streaming, "ENODATA (%s, %s)",
			      block ? "blocking" : "non-blocking",
			      m.streaming ? "streaming" : "stopped"))
			return;
		return;
	}
	if (ret == -EFAULT) {
		/* Only the copy out can fail: the capture stays queued. */
		if (!FZ_CHECK(!fz_writable(p, sizeof(dq)), "EFAULT on good memory"))
			return;
		return;
	}
	if (!FZ_CHECK(ret == 0, "DEQUEUE: %d", ret))
		return;
	if (!FZ_CHECK(fz_writable(p, sizeof(dq)), "success on read-only memory"))
		return;
	if (!FZ_CHECK(m.configured, "capture from an unconfigured card"))
		return;
	memcpy(&dq, p, sizeof(dq));
	if (!FZ_CHECK(dq.bytes_used == m.cfg.buffer_size, "bytes_used %llu",
		      (unsigned long long)dq.bytes_used))
		return;
	if (!FZ_CHECK(dq.buffer_index < m.cfg.buffer_count, "index %u",
		      dq.buffer_index))
		return;
	if (!FZ_CHECK(dq.chunk_count >= 1 && dq.chunk_count <= m.cfg_max_segments,
		      "chunk_count %u", dq.chunk_count))
		return;
	if (!FZ_CHECK(fz_zero(dq.reserved, sizeof(dq.reserved)),
		      "reserved fields out"))
		return;
	if (!FZ_CHECK(!dq.pattern_mismatches, "%llu pattern mismatches",
		      (unsigned long long)dq.pattern_mismatches))
		return;
	if (!FZ_CHECK(fcntl((int)dq.fd, F_GETFD) == FD_CLOEXEC, "no O_CLOEXEC"))
		return;
	fz_stat.captures++;
	m.held[m.nheld++] = (struct fz_capture){
		.fd = (int)dq.fd, .seq = dq.sequence, .size = dq.bytes_used,
		.transform = m.cfg.transform,
	};
}

static void fz_op_bad_cmd(void)
{
	int f = fz_file(), ret, want, target;
	unsigned long cmd;
	uint32_t nr, dir, size;
	uint8_t *p;

	if (f < 0)
		return;
	nr = fz_chance(50) ? fz_below(16) : fz_below(256);
	dir = fz_below(4);
	size = fz_chance(50) ? 8 * fz_below(16) : fz_below(1 << 14);
	cmd = _IOC(dir, SGCAP_IOC_MAGIC, nr, size);
	if (cmd == SGCAP_IOC_GET_CAPS || cmd == SGCAP_IOC_CONFIGURE ||
	    cmd == SGCAP_IOC_GET_CONFIG || cmd == SGCAP_IOC_START ||
	    cmd == SGCAP_IOC_STOP || cmd == SGCAP_IOC_DEQUEUE ||
	    cmd == SGCAP_IOC_GET_STATS)
		return;
	p = fz_place(FZ_RW, 64);
	target = m.files[f];
	want = m.removed ? -ENODEV : -ENOTTY;
	/* The sgcap commands on a capture, the dma-buf ones on the card. */
	if (m.nheld && fz_chance(30)) {
		static const unsigned long sgcap_cmds[] = {
			SGCAP_IOC_GET_CAPS, SGCAP_IOC_START, SGCAP_IOC_DEQUEUE,
		};

		target = m.held[fz_below(m.nheld)].fd;
		cmd = fz_chance(50) ? sgcap_cmds[fz_below(3)] : cmd;
		want = -ENOTTY;
	} else if (fz_chance(20)) {
		cmd = DMA_BUF_IOCTL_SYNC;
	}
	fz_log("ioctl %#lx on %s", cmd, target == m.files[f] ? "card" : "capture");
	ret = fz_ioctl(target, cmd, p);
	fz_stat.bad_cmds++;
	if (!FZ_CHECK(ret == want, "ioctl %#lx: %d, want %d", cmd, ret, want))
		return;
}

static void fz_op_capture(void)
{
	struct fz_capture *c;
	unsigned int i;
	size_t len;
	int ret;

	if (!m.nheld)
		return;
	i = fz_below(m.nheld);
	c = &m.held[i];
	len = (c->size + FZ_PAGE - 1) / FZ_PAGE * FZ_PAGE;

	switch (fz_below(12)) {
	case 0: {	/* map it whole */
		int prot = PROT_READ | (fz_chance(20) ? PROT_WRITE : 0);

		if (c->map)
			break;
		fz_log("mmap capture %llu prot %d", (unsigned long long)c->seq,
		       prot);
		c->map = mmap(NULL, len, prot, MAP_SHARED, c->fd, 0);
		if (!FZ_CHECK(c->map != MAP_FAILED, "mmap: %s", strerror(errno)))
			return;
		c->map_len = len;
		fz_stat.mapped++;
		if (prot & PROT_WRITE && fz_chance(50)) {
			memset(c->map, 0xee, 1 + fz_below(c->size));
			c->dirty = true;
		}
		fz_check_capture(c);
		break;
	}
	case 1: {	/* map it wrong: private, out of range, empty */
		void *p;
		off_t off = 0;
		size_t l = len;
		int flags = MAP_SHARED, want = EINVAL;

		switch (fz_below(4)) {
		case 0:
			flags = MAP_PRIVATE;
			break;
		case 1:
			off = len;
			l = FZ_PAGE;
			break;
		case 2:
			l = len + FZ_PAGE;
			break;
		default:
			off = FZ_PAGE * (1 + fz_below(1 << 20));
			break;
		}
		fz_log("bad mmap capture %llu off %lld len %zu flags %#x",
		       (unsigned long long)c->seq, (long long)off, l, flags);
		p = mmap(NULL, l, PROT_READ, flags, c->fd, off);
		if (!FZ_CHECK(p == MAP_FAILED && errno == want, "mmap: %p %s", p,
			      strerror(errno)))
			return;
		break;
	}
	case 2: {	/* a part at a page offset, touched, unmapped */
		size_t pages = len / FZ_PAGE, first = fz_below(pages);
		size_t n = 1 + fz_below(pages - first);
		uint8_t *p;
		size_t k;

		fz_log("partial mmap capture %llu page %zu+%zu",
		       (unsigned long long)c->seq, first, n);
		p = mmap(NULL, n * FZ_PAGE, PROT_READ, MAP_SHARED, c->fd,
			 first * FZ_PAGE);
		if (!FZ_CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno)))
			return;
		for (k = 0; k < n * FZ_PAGE; k += FZ_PAGE)
			fz_sink += p[k];
		munmap(p, n * FZ_PAGE);
		break;
	}
	case 3:		/* mremap cannot grow it, mprotect, madvise */
		if (!c->map)
			break;
		fz_log("mremap/mprotect/madvise capture %llu",
		       (unsigned long long)c->seq);
		if (!FZ_CHECK(mremap(c->map, c->map_len, c->map_len + FZ_PAGE, 0) ==
			      MAP_FAILED, "mremap grew a dma-buf mapping"))
			return;
		mprotect(c->map, c->map_len, PROT_READ);
		madvise(c->map, c->map_len, MADV_DONTNEED);
		madvise(c->map, c->map_len, MADV_WILLNEED);
		fz_check_capture(c);
		break;
	case 4: {	/* DMA_BUF_IOCTL_SYNC with any flags */
		struct dma_buf_sync sync = { .flags = fz_rand() &
			(fz_chance(70) ? 7 : ~0ULL) };
		bool valid = !(sync.flags & ~DMA_BUF_SYNC_VALID_FLAGS_MASK) &&
			     (sync.flags & DMA_BUF_SYNC_RW);

		fz_log("SYNC capture %llu flags %#llx", (unsigned long long)c->seq,
		       (unsigned long long)sync.flags);
		ret = fz_ioctl(c->fd, DMA_BUF_IOCTL_SYNC, &sync);
		if (!FZ_CHECK(ret == (valid ? 0 : -EINVAL), "SYNC: %d", ret))
			return;
		break;
	}
	case 5: {	/* a name, sometimes too long */
		char name[64];
		size_t n = fz_below(sizeof(name) - 1);

		memset(name, 'a' + fz_below(26), n);
		name[n] = '\0';
		fz_log("SET_NAME capture %llu len %zu", (unsigned long long)c->seq, n);
		ret = fz_ioctl(c->fd, DMA_BUF_SET_NAME_B, name);
		if (!FZ_CHECK(ret == (n < DMA_BUF_NAME_LEN ? 0 : -EINVAL),
			      "SET_NAME len %zu: %d", n, ret))
			return;
		break;
	}
	case 6: {	/* poll */
		struct pollfd pfd = { .fd = c->fd, .events = fz_rand() };

		fz_log("poll capture %llu", (unsigned long long)c->seq);
		if (!FZ_CHECK(poll(&pfd, 1, 0) >= 0, "poll: %s", strerror(errno)))
			return;
		break;
	}
	case 7: {	/* pass it through a socket to ourselves */
		char data = 'x', cbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { .iov_base = &data, .iov_len = 1 };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *cm;
		int sv[2], nfd;

		fz_log("pass capture %llu over a socket", (unsigned long long)c->seq);
		if (!FZ_CHECK(!socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv),
			      "socketpair: %s", strerror(errno)))
			return;
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &c->fd, sizeof(int));
		if (!FZ_CHECK(sendmsg(sv[0], &msg, 0) == 1, "sendmsg: %s",
			      strerror(errno)))
			return;
		/* Sometimes the message dies in the socket, fd and all. */
		if (fz_chance(30)) {
			close(sv[0]);
			close(sv[1]);
			break;
		}
		msg.msg_controllen = sizeof(cbuf);
		if (!FZ_CHECK(recvmsg(sv[1], &msg, MSG_CMSG_CLOEXEC) == 1,
			      "recvmsg: %s", strerror(errno)))
			return;
		cm = CMSG_FIRSTHDR(&msg);
		if (!FZ_CHECK(cm && cm->cmsg_type == SCM_RIGHTS, "no fd received"))
			return;
		memcpy(&nfd, CMSG_DATA(cm), sizeof(int));
		close(sv[0]);
		close(sv[1]);
		close(c->fd);
		c->fd = nfd;
		fz_stat.passed++;
		fz_check_capture(c);
		break;
	}
	case 8:		/* close the fd, keep the mapping */
		if (!c->map)
			break;
		fz_log("close capture %llu, keep its mapping", (unsigned long long)c->seq);
		ret = dup(c->fd);
		if (!FZ_CHECK(ret >= 0, "dup: %s", strerror(errno)))
			return;
		close(c->fd);
		c->fd = ret;
		fz_check_capture(c);
		break;
	default:	/* let go of it */
		fz_log("release capture %llu", (unsigned long long)c->seq);
		fz_check_capture(c);
		fz_drop_capture(i);
		break;
	}
}

static void fz_op_poll_card(void)
{
	struct pollfd pfd;
	struct sgcap_stats st;
	int f = fz_file(), n;

	if (f < 0)
		return;
	pfd.fd = m.files[f];
	pfd.events = POLLIN | POLLPRI | POLLOUT | POLLRDNORM;
	pfd.revents = 0;
	fz_log("poll file %d", f);
	n = poll(&pfd, 1, 0);
	if (!FZ_CHECK(n >= 0, "poll: %s", strerror(errno)))
		return;
	if (m.removed) {
		if (!FZ_CHECK(pfd.revents & POLLERR && pfd.revents & POLLHUP,
			      "removed card polls %#x", pfd.revents))
			return;
		return;
	}
	if (!FZ_CHECK(!(pfd.revents & (POLLERR | POLLOUT | POLLPRI)),
		      "revents %#x", pfd.revents))
		return;
	if (m.streaming) {
		if (!FZ_CHECK(!(pfd.revents & POLLHUP), "hangup while streaming"))
			return;
		return;
	}
	/*
	 * Stopped, the ready count cannot change under us: readable for a
	 * file that may dequeue, a hangup when nothing will come.
	 */
	if (!sgt_get_stats(m.files[f], &st)) {
		bool in = st.buffers_ready && !fz_busy(f);

		if (!FZ_CHECK(!!(pfd.revents & POLLIN) == in,
			      "POLLIN %d with %u ready", !!(pfd.revents & POLLIN),
			      st.buffers_ready))
			return;
		if (!FZ_CHECK(!!(pfd.revents & POLLHUP) == !st.buffers_ready,
			      "POLLHUP %d with %u ready", !!(pfd.revents & POLLHUP),
			      st.buffers_ready))
			return;
	}
}

static void fz_op_file(void)
{
	int f = fz_below(FZ_FILES);
	char c;

	switch (fz_below(4)) {
	case 0:		/* close (the owner's close stops the card) */
		if (m.files[f] < 0)
			break;
		fz_log("close file %d%s", f, m.owner == f ? " (owner)" : "");
		close(m.files[f]);
		m.files[f] = -1;
		if (m.owner == f) {
			/* Stopped and unconfigured, as V4L2 does on close. */
			m.owner = -1;
			m.streaming = false;
			m.configured = false;
		}
		break;
	case 1:		/* read, write and seek are not for this node */
		if (m.files[f] < 0)
			break;
		fz_log("read/write/lseek file %d", f);
		if (!FZ_CHECK(read(m.files[f], &c, 1) < 0 && errno == EINVAL,
			      "read: %s", strerror(errno)))
			return;
		if (!FZ_CHECK(write(m.files[f], &c, 1) < 0 && errno == EINVAL,
			      "write: %s", strerror(errno)))
			return;
		if (!FZ_CHECK(lseek(m.files[f], 0, SEEK_SET) < 0 && errno == ESPIPE,
			      "lseek: %s", strerror(errno)))
			return;
		break;
	case 2:		/* a mapping of the card node itself */
		if (m.files[f] < 0)
			break;
		fz_log("mmap file %d", f);
		if (!FZ_CHECK(mmap(NULL, FZ_PAGE, PROT_READ, MAP_SHARED, m.files[f],
				   0) == MAP_FAILED, "the card node maps"))
			return;
		break;
	default:	/* a new file, O_NONBLOCK sometimes */
		if (m.files[f] >= 0 || m.removed)
			break;
		fz_log("open file %d", f);
		m.files[f] = sgt_sim_open(FZ_ID);
		if (!FZ_CHECK(m.files[f] >= 0, "open: %s", strerror(-m.files[f])))
			return;
		m.nonblock[f] = fz_chance(30);
		if (m.nonblock[f])
			fcntl(m.files[f], F_SETFL, O_NONBLOCK);
		break;
	}
}

static void fz_op_knobs(void)
{
	static const uint64_t sizes[] = {
		0, 1, 4095, 4096, 8191, 8192, 12288, 65536, 262144, UINT32_MAX,
	};
	static const uint64_t segs[] = { 0, 1, 2, 3, 16, 80, 512, UINT32_MAX };

	switch (fz_below(5)) {
	case 0:
		m.max_segment_size = fz_sim_knob("sim/max_segment_size",
						 sizes[fz_below(ARRAY_SIZE(sizes))]);
		fz_log("max_segment_size %u", m.max_segment_size);
		break;
	case 1:
		m.max_segments = fz_sim_knob("sim/max_segments",
					     segs[fz_below(ARRAY_SIZE(segs))]);
		fz_log("max_segments %u", m.max_segments);
		break;
	case 2:
		fz_log("drop_percent");
		fz_sim_knob("sim/drop_percent", fz_below(40));
		break;
	case 3:
		fz_log("stall_ms");
		fz_sim_knob("sim/stall_ms", fz_below(30));
		break;
	default:
		fz_log("fail_capture");
		fz_sim_knob("sim/fail_capture",
			    fz_chance(50) ? UINT64_MAX : fz_below(50));
		break;
	}
}

static void fz_op_bus(void)
{
	static const char * const bad[] = {
		"x", "-1", " 21", "4294967296", "21x", "0x15",
	};
	int ret, i;

	switch (m.removed ? 2 : fz_below(5)) {
	case 0:
	case 1:
		fz_log("new_device/del_device with bad text");
		i = fz_below(ARRAY_SIZE(bad));
		ret = sgt_sim_write_bus(fz_chance(50) ? "new_device" : "del_device",
					bad[i]);
		if (!FZ_CHECK(ret == -EINVAL, "'%s': %d", bad[i], ret))
			return;
		break;
	case 3:
		fz_log("new_device of an existing card");
		if (!m.removed)
			if (!FZ_CHECK(sgt_sim_write_bus("new_device", "21") == -EEXIST,
				      "no EEXIST"))
				return;
		break;
	default:	/* remove the card under everything, then a new one */
		if (m.removed) {
			int f;

			fz_log("a new card");
			for (f = 0; f < FZ_FILES; f++)
				if (m.files[f] >= 0)
					close(m.files[f]);
			ret = fz_new_card();
			if (!FZ_CHECK(!ret, "new card: %s", strerror(-ret)))
				return;
			break;
		}
		fz_log("del_device with %u captures held", m.nheld);
		ret = sgt_sim_del(FZ_ID);
		if (!FZ_CHECK(!ret, "del_device: %s", strerror(-ret)))
			return;
		m.removed = true;
		fz_stat.removed++;
		m.streaming = false;
		m.configured = false;
		if (!FZ_CHECK(sgt_sim_del(FZ_ID) == -ENOENT, "deleted twice"))
			return;
		/* Held captures outlive the card. */
		for (i = 0; i < (int)m.nheld; i++)
			fz_check_capture(&m.held[i]);
		break;
	}
}

static void fz_run_one(void)
{
	unsigned int op = fz_below(1000);

	if (op < 120)
		fz_op_configure();
	else if (op < 240)
		fz_op_start_stop();
	else if (op < 500)
		fz_op_dequeue();
	else if (op < 560)
		fz_op_get();
	else if (op < 600)
		fz_op_bad_cmd();
	else if (op < 880)
		fz_op_capture();
	else if (op < 920)
		fz_op_poll_card();
	else if (op < 960)
		fz_op_file();
	else if (op < 990)
		fz_op_knobs();
	else
		fz_op_bus();
}

static uint64_t fz_env(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

static void fz_alarm(int sig)
{
	(void)sig;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = fz_alarm };
	uint64_t seed, max_ops, seconds, end, t0;
	char first[512];
	int kmsg, err, i;
	long pages;

	seed = fz_env("sgcap_fuzz_seed", sgt_now_ns() ^ (uint64_t)getpid());
	max_ops = fz_env("sgcap_fuzz_ops", UINT64_MAX);
	seconds = fz_env("sgcap_fuzz_seconds", 20);
	fz_state = seed;

	printf("TAP version 13\n1..3\n");
	printf("# seed %llu, at most %llu s\n", (unsigned long long)seed,
	       (unsigned long long)seconds);
	fflush(stdout);

	/* A blocking dequeue ends with EINTR if the model was wrong. */
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	pages = sysconf(_SC_PHYS_PAGES);
	m.totalram_pages = pages > 0 ? (uint64_t)pages : 0;
	fz_arena = mmap(NULL, 3 * FZ_PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fz_arena == MAP_FAILED || sgt_page_size() != FZ_PAGE) {
		printf("Bail out! no arena or not 4 KiB pages\n");
		return 1;
	}
	memset(fz_arena, 0, 3 * FZ_PAGE);
	fz_arena[FZ_PAGE + 2048] = 0x5a;
	mprotect(fz_arena + FZ_PAGE, FZ_PAGE, PROT_READ);
	mprotect(fz_arena + 2 * FZ_PAGE, FZ_PAGE, PROT_NONE);

	kmsg = sgt_kmsg_open();
	err = fz_new_card();
	if (err) {
		printf("Bail out! card: %s\n", strerror(-err));
		return 1;
	}

	t0 = sgt_now_ns();
	end = t0 + seconds * 1000000000ULL;
	for (fz_ops = 0; fz_ops < max_ops && !fz_failures; fz_ops++) {
		if ((fz_ops & 15) == 0 && sgt_now_ns() > end)
			break;
		/*
		 * Each operation draws from its own stream, a function of the
		 * seed and its number: a replay makes the same choices at the
		 * same step even where an earlier result depended on timing
		 * (a capture ready yet or not).
		 */
		fz_state = seed ^ (fz_ops * 0xd1b54a32d192ed03ULL);
		fz_run_one();
	}
	printf("# %lu operations in %.1f s; replay: sgcap_fuzz_seed=%llu sgcap_fuzz_ops=%lu\n",
	       fz_ops, (sgt_now_ns() - t0) / 1e9, (unsigned long long)seed,
	       fz_ops);
	printf("# %lu configured, %lu started, %lu captures, %lu checked, %lu mapped, %lu passed\n",
	       fz_stat.configured, fz_stat.started, fz_stat.captures,
	       fz_stat.checked, fz_stat.mapped, fz_stat.passed);
	printf("# %lu cards removed, %lu bad commands\n", fz_stat.removed,
	       fz_stat.bad_cmds);
	printf("%sok 1 fuzz: every result as documented\n",
	       fz_failures ? "not " : "");

	/* Clean up, then the card must work as if nothing happened. */
	while (m.nheld)
		fz_drop_capture(0);
	for (i = 0; i < FZ_FILES; i++)
		if (m.files[i] >= 0)
			close(m.files[i]);
	err = fz_new_card();
	if (!err)
		err = sgt_setup_stream(m.files[0], SGT_DEFAULT_SIZE,
				       SGT_DEFAULT_ORDER, 2, 0,
				       SGCAP_TRANSFORM_SWAP16);
	for (i = 0; !err && i < 3; i++) {
		struct sgcap_dequeue dq;
		struct sgt_check chk;

		err = sgt_dequeue_wait(m.files[0], &dq, 10000);
		if (!err)
			err = sgt_check_fd((int)dq.fd, dq.bytes_used,
					   dq.sequence, SGCAP_TRANSFORM_SWAP16,
					   &chk);
		if (!err && chk.mismatches)
			err = -EBADMSG;
		if (dq.fd != (uint32_t)-1)
			close((int)dq.fd);
	}
	if (m.files[0] >= 0)
		close(m.files[0]);
	if (sgt_sim_del(FZ_ID) && !err)
		err = -EIO;
	printf("%sok 2 fuzz: a fresh card captures correctly afterwards%s%s\n",
	       err ? "not " : "", err ? " # " : "", err ? strerror(-err) : "");
	if (err)
		fz_failures++;

	if (kmsg >= 0 && sgt_kmsg_splats(kmsg, first, sizeof(first))) {
		printf("# kernel: %s\n", first);
		printf("not ok 3 fuzz: no kernel splat\n");
		fz_failures++;
	} else {
		printf("ok 3 fuzz: no kernel splat\n");
	}
	return fz_failures ? 1 : 0;
}
