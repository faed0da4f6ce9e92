// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap selftests: shared helpers (see sgcap_util.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/dma-buf.h>

#include "sgcap_util.h"

/*
 * The reference implementation of the pattern, the CRC32C and the transform:
 * the very file the driver builds, so userspace and kernel cannot drift apart.
 * It is checked against the definitions in the documentation (independently
 * coded) by the pp_reference test.
 */
#include "sgcap_pp.c"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Scratch size for generating expected data: even, so SWAP16 pairs stay. */
#define SGT_CMP_CHUNK		(64 * 1024)

/* How long a new simulated card may take to show its /dev node. */
#define SGT_NODE_WAIT_MS	2000

size_t sgt_page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

uint64_t sgt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void sgt_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- simulated cards ---------------------------------------------------- */

int sgt_sim_write_bus(const char *attr, const char *text)
{
	char path[256];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), SGT_SIM_BUS "/%s", attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(text))
		err = -EIO;
	close(fd);
	return err;
}

bool sgt_sim_exists(unsigned int id)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), SGT_SIM_BUS "/devices/sgcap_sim%u", id);
	return stat(path, &st) == 0;
}

int sgt_sim_new(unsigned int id)
{
	char text[32];
	char path[256];
	unsigned int waited;
	int err;

	snprintf(text, sizeof(text), "%u", id);
	err = sgt_sim_write_bus("new_device", text);
	if (err)
		return err;
	/* The card node may be created by a probe; give it a moment. */
	for (waited = 0; waited < SGT_NODE_WAIT_MS; waited += 10) {
		if (!sgt_sim_dev_path(id, path, sizeof(path)))
			return 0;
		sgt_sleep_ms(10);
	}
	return -ETIMEDOUT;
}

int sgt_sim_del(unsigned int id)
{
	char text[32];

	snprintf(text, sizeof(text), "%u", id);
	return sgt_sim_write_bus("del_device", text);
}

int sgt_dev_card_index(const char *devdir)
{
	char path[512];
	struct dirent *de;
	int idx = -ENOENT;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/misc", devdir);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char *end;
		long n;

		if (strncmp(de->d_name, "sgcap", 5))
			continue;
		n = strtol(de->d_name + 5, &end, 10);
		if (end == de->d_name + 5 || *end || n < 0)
			continue;
		idx = (int)n;
		break;
	}
	closedir(dir);
	return idx;
}

int sgt_sim_card_index(unsigned int id)
{
	char path[256];

	snprintf(path, sizeof(path), SGT_SIM_BUS "/devices/sgcap_sim%u", id);
	return sgt_dev_card_index(path);
}

int sgt_sim_dev_path(unsigned int id, char *path, size_t len)
{
	struct stat st;
	int idx;

	idx = sgt_sim_card_index(id);
	if (idx < 0)
		return idx;
	snprintf(path, len, "/dev/sgcap%d", idx);
	if (stat(path, &st))
		return -errno;
	if (!S_ISCHR(st.st_mode))
		return -ENOTTY;
	return 0;
}

int sgt_sim_open(unsigned int id)
{
	char path[64];
	int err, fd;

	err = sgt_sim_dev_path(id, path, sizeof(path));
	if (err)
		return err;
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* ---- PCI cards ---------------------------------------------------------- */

static bool sgt_sysfs_hex_is(const char *dir, const char *attr, unsigned long v)
{
	char path[512], text[32];
	bool ret = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (fgets(text, sizeof(text), f))
		ret = strtoul(text, NULL, 16) == v;
	fclose(f);
	return ret;
}

int sgt_edu_find(char *dir, size_t len)
{
	struct dirent *de;
	int err = -ENOENT;
	DIR *d;

	d = opendir(SGT_PCI_DEVICES);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, len, SGT_PCI_DEVICES "/%s", de->d_name);
		if (sgt_sysfs_hex_is(dir, "vendor", SGT_EDU_VENDOR) &&
		    sgt_sysfs_hex_is(dir, "device", SGT_EDU_DEVICE)) {
			err = 0;
			break;
		}
	}
	closedir(d);
	return err;
}

bool sgt_dev_driver_is(const char *devdir, const char *driver)
{
	char path[512], link[512];
	const char *name;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/driver", devdir);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	name = strrchr(link, '/');
	return !strcmp(name ? name + 1 : link, driver);
}

int sgt_card_open(int card)
{
	char path[64];
	int fd;

	if (card < 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "/dev/sgcap%d", card);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* ---- debugfs ------------------------------------------------------------ */

int sgt_dbg_path(int card, const char *name, char *path, size_t len)
{
	if (card < 0)
		return -EINVAL;
	snprintf(path, len, SGT_DEBUGFS "/sgcap%d/%s", card, name);
	return 0;
}

int sgt_dbg_read(int card, const char *name, char *buf, size_t len)
{
	char path[256];
	size_t got = 0;
	ssize_t n;
	int fd;

	if (!len)
		return -EINVAL;
	sgt_dbg_path(card, name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0) {
			int err = -errno;

			close(fd);
			return err;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	return (int)got;
}

int sgt_dbg_write_u64(int card, const char *name, uint64_t val)
{
	char path[256];
	char text[32];
	ssize_t n;
	int fd, err = 0;

	sgt_dbg_path(card, name, path, sizeof(path));
	snprintf(text, sizeof(text), "%llu", (unsigned long long)val);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

int sgt_dbg_read_u64(int card, const char *name, uint64_t *val)
{
	char buf[64];
	char *end;
	int n;

	n = sgt_dbg_read(card, name, buf, sizeof(buf));
	if (n < 0)
		return n;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

/*
 * The `buffers` file has one line per buffer that starts with the index and
 * carries the state in capitals; headers (if any) carry no state word.
 */
int sgt_dbg_buffer_line(int card, unsigned int index, char *line,
			size_t len)
{
	static char buf[64 * 1024];
	char *save = NULL, *l;
	int n;

	n = sgt_dbg_read(card, "buffers", buf, sizeof(buf));
	if (n < 0)
		return n;
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		const char *p = l;

		if (!strstr(l, "FREE") && !strstr(l, "CARD") &&
		    !strstr(l, "READY") && !strstr(l, "HELD"))
			continue;
		while (*p && (*p < '0' || *p > '9'))
			p++;
		if (!*p || strtoul(p, NULL, 10) != index)
			continue;
		snprintf(line, len, "%s", l);
		return 0;
	}
	return -ENOENT;
}

/* Does @line hold the chunk run "ORDERxCOUNT" as a whole word? */
bool sgt_has_run(const char *line, unsigned int order, unsigned int count)
{
	char run[32];
	const char *p = line;
	size_t n;

	n = (size_t)snprintf(run, sizeof(run), "%ux%u", order, count);
	while ((p = strstr(p, run))) {
		bool left = p == line || p[-1] < '0' || p[-1] > '9';
		bool right = p[n] < '0' || p[n] > '9';

		if (left && right)
			return true;
		p++;
	}
	return false;
}

/* ---- ioctls ------------------------------------------------------------- */

void sgt_config_init(struct sgcap_config *cfg, uint64_t size,
		     unsigned int order, unsigned int count,
		     unsigned int rate, unsigned int transform)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->buffer_size = size;
	cfg->chunk_order = order;
	cfg->buffer_count = count;
	cfg->rate = rate;
	cfg->transform = transform;
}

static int sgt_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

int sgt_get_caps(int fd, struct sgcap_caps *caps)
{
	memset(caps, 0xa5, sizeof(*caps));
	return sgt_ioctl(fd, SGCAP_IOC_GET_CAPS, caps);
}

int sgt_get_config(int fd, struct sgcap_config *cfg)
{
	memset(cfg, 0xa5, sizeof(*cfg));
	return sgt_ioctl(fd, SGCAP_IOC_GET_CONFIG, cfg);
}

int sgt_get_stats(int fd, struct sgcap_stats *st)
{
	memset(st, 0xa5, sizeof(*st));
	return sgt_ioctl(fd, SGCAP_IOC_GET_STATS, st);
}

int sgt_configure(int fd, const struct sgcap_config *cfg)
{
	return sgt_ioctl(fd, SGCAP_IOC_CONFIGURE, (void *)cfg);
}

int sgt_start(int fd)
{
	return ioctl(fd, SGCAP_IOC_START) ? -errno : 0;
}

int sgt_stop(int fd)
{
	return ioctl(fd, SGCAP_IOC_STOP) ? -errno : 0;
}

int sgt_dequeue(int fd, struct sgcap_dequeue *dq, uint32_t flags)
{
	memset(dq, 0, sizeof(*dq));
	dq->flags = flags;
	dq->fd = (uint32_t)-1;
	return sgt_ioctl(fd, SGCAP_IOC_DEQUEUE, dq);
}

/*
 * Wait for POLLIN up to @timeout_ms, then dequeue without blocking. A
 * hangup without POLLIN (stopped, nothing ready) ends the wait: -ENODATA.
 */
int sgt_dequeue_wait(int fd, struct sgcap_dequeue *dq, int timeout_ms)
{
	uint64_t end = sgt_now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int err, left, n;

	for (;;) {
		err = sgt_dequeue(fd, dq, SGCAP_DEQUEUE_NONBLOCK);
		if (err != -EAGAIN)
			return err;
		left = (int)(((int64_t)(end - sgt_now_ns())) / 1000000);
		if ((int64_t)(end - sgt_now_ns()) <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, left > 0 ? left : 1);
		if (n < 0 && errno != EINTR)
			return -errno;
		/* A hangup alone: not streaming and nothing ready. */
		if (n > 0 && (pfd.revents & (POLLHUP | POLLIN)) == POLLHUP) {
			err = sgt_dequeue(fd, dq, SGCAP_DEQUEUE_NONBLOCK);
			return err == -EAGAIN ? -ENODATA : err;
		}
	}
}

static void sgt_alarm(int sig)
{
	(void)sig;
}

/*
 * A real blocking dequeue, bounded by an alarm: a driver that never wakes
 * the caller makes this return -EINTR instead of hanging the test.
 */
int sgt_dequeue_blocking(int fd, struct sgcap_dequeue *dq,
			 unsigned int seconds)
{
	struct sigaction sa = { .sa_handler = sgt_alarm }, old;
	int err;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);	/* no SA_RESTART: ioctl gets EINTR */
	alarm(seconds);
	err = sgt_dequeue(fd, dq, 0);
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	return err;
}

int sgt_setup_stream(int fd, uint64_t size, unsigned int order,
		     unsigned int count, unsigned int rate,
		     unsigned int transform)
{
	struct sgcap_config cfg;
	int err;

	sgt_config_init(&cfg, size, order, count, rate, transform);
	err = sgt_configure(fd, &cfg);
	if (err)
		return err;
	return sgt_start(fd);
}

/* Dequeue and drop every ready capture; the count, or -errno. */
int sgt_drain(int fd)
{
	struct sgcap_dequeue dq;
	int n = 0, err;

	for (;;) {
		err = sgt_dequeue(fd, &dq, SGCAP_DEQUEUE_NONBLOCK);
		if (err == -EAGAIN || err == -ENODATA)
			return n;
		if (err)
			return err;
		close((int)dq.fd);
		n++;
	}
}

/* ---- reference data ----------------------------------------------------- */

/* Bytes [offset, offset + len) as userspace must see them; offset even. */
void sgt_expected(void *dst, uint64_t offset, size_t len, uint64_t seq,
		  unsigned int transform)
{
	uint8_t *p = dst;
	size_t i;

	sgcap_pattern_fill(dst, offset, len, seq);
	if (transform != SGCAP_TRANSFORM_SWAP16)
		return;
	for (i = 0; i + 1 < len; i += 2) {
		uint8_t t = p[i];

		p[i] = p[i + 1];
		p[i + 1] = t;
	}
}

/*
 * CRC32C for the bulk checks: slicing-by-8, so that the tests' speed in an
 * emulated guest does not depend on how sgcap_pp.c is tuned for the kernel.
 * pp_reference proves it equal to sgcap_crc32c() and to a bitwise version.
 */
static uint32_t sgt_crc_tab[8][256];

static void sgt_crc_init(void)
{
	uint32_t c;
	int i, k;

	if (sgt_crc_tab[0][1])
		return;
	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78U : c >> 1;
		sgt_crc_tab[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (k = 1; k < 8; k++)
			sgt_crc_tab[k][i] = (sgt_crc_tab[k - 1][i] >> 8) ^
				sgt_crc_tab[0][sgt_crc_tab[k - 1][i] & 0xff];
}

static uint32_t sgt_crc_update(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t w;

	sgt_crc_init();
	while (len && ((uintptr_t)p & 7)) {
		crc = (crc >> 8) ^ sgt_crc_tab[0][(crc ^ *p++) & 0xff];
		len--;
	}
	while (len >= 8) {
		memcpy(&w, p, 8);	/* little-endian host (x86) */
		w ^= crc;
		crc = sgt_crc_tab[7][w & 0xff] ^
		      sgt_crc_tab[6][(w >> 8) & 0xff] ^
		      sgt_crc_tab[5][(w >> 16) & 0xff] ^
		      sgt_crc_tab[4][(w >> 24) & 0xff] ^
		      sgt_crc_tab[3][(w >> 32) & 0xff] ^
		      sgt_crc_tab[2][(w >> 40) & 0xff] ^
		      sgt_crc_tab[1][(w >> 48) & 0xff] ^
		      sgt_crc_tab[0][w >> 56];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ sgt_crc_tab[0][(crc ^ *p++) & 0xff];
	return crc;
}

uint32_t sgt_crc(const void *buf, size_t len)
{
	return ~sgt_crc_update(~0U, buf, len);
}

uint32_t sgt_expected_crc(uint64_t len, uint64_t seq,
			  unsigned int transform)
{
	/* Per thread: the stress test compares from several at once. */
	static __thread uint8_t scratch[SGT_CMP_CHUNK];
	uint32_t crc = ~0U;
	uint64_t off;

	for (off = 0; off < len; off += SGT_CMP_CHUNK) {
		size_t n = len - off < SGT_CMP_CHUNK ? len - off : SGT_CMP_CHUNK;

		sgt_expected(scratch, off, n, seq, transform);
		crc = sgt_crc_update(crc, scratch, n);
	}
	return ~crc;
}

/* Bytes of @buf (capture bytes [offset, offset + len)) that are wrong. */
uint64_t sgt_compare(const void *buf, uint64_t offset, size_t len,
		     uint64_t seq, unsigned int transform,
		     uint64_t *first_bad)
{
	/* Per thread: the stress test compares from several at once. */
	static __thread uint8_t scratch[SGT_CMP_CHUNK];
	const uint8_t *p = buf;
	uint64_t bad = 0;
	size_t done, i;

	if (first_bad)
		*first_bad = UINT64_MAX;
	for (done = 0; done < len; done += SGT_CMP_CHUNK) {
		size_t n = len - done < SGT_CMP_CHUNK ? len - done : SGT_CMP_CHUNK;

		sgt_expected(scratch, offset + done, n, seq, transform);
		if (!memcmp(p + done, scratch, n))
			continue;
		for (i = 0; i < n; i++) {
			if (p[done + i] == scratch[i])
				continue;
			if (!bad && first_bad)
				*first_bad = offset + done + i;
			bad++;
		}
	}
	return bad;
}

int sgt_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync) ? -errno : 0;
}

int sgt_check_fd(int buf_fd, uint64_t bytes_used, uint64_t seq,
		 unsigned int transform, struct sgt_check *chk)
{
	size_t page = sgt_page_size();
	size_t len = (bytes_used + page - 1) / page * page;
	void *map;
	int err;

	memset(chk, 0, sizeof(*chk));
	chk->map_len = len;
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, buf_fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	err = sgt_sync(buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	if (!err) {
		chk->mismatches = sgt_compare(map, 0, bytes_used, seq,
					      transform, &chk->first_bad);
		chk->crc32c = sgt_crc(map, bytes_used);
		err = sgt_sync(buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	}
	munmap(map, len);
	return err;
}

/*
 * The documented layout: full chunks of 2^order pages, the remaining pages
 * in chunks of descending smaller orders (one per set bit).
 */
unsigned int sgt_expected_chunks(uint64_t size, unsigned int order)
{
	uint64_t page = sgt_page_size();
	uint64_t pages = (size + page - 1) / page;

	return (unsigned int)((pages >> order) +
			      __builtin_popcountll(pages & ((1ULL << order) - 1)));
}

int sgt_count_fds(void)
{
	struct dirent *de;
	DIR *dir;
	int n = 0;

	dir = opendir("/proc/self/fd");
	if (!dir)
		return -errno;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n - 1;	/* the directory's own fd */
}

/* ---- kernel log --------------------------------------------------------- */

int sgt_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	lseek(fd, 0, SEEK_END);
	return fd;
}

/* Count kernel splat records logged since sgt_kmsg_open(). */
int sgt_kmsg_splats(int kfd, char *first, size_t len)
{
	static const char * const marks[] = {
		"WARNING:", "BUG:", "Oops", "KASAN", "UBSAN", "refcount_t",
		"list_add corruption", "list_del corruption",
		"general protection", "kernel BUG",
	};
	char rec[2048];
	int found = 0;
	size_t i;

	if (first && len)
		first[0] = '\0';
	for (;;) {
		ssize_t n = read(kfd, rec, sizeof(rec) - 1);

		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		for (i = 0; i < ARRAY_SIZE(marks); i++) {
			if (!strstr(rec, marks[i]))
				continue;
			if (!found && first && len)
				snprintf(first, len, "%s", rec);
			found++;
			break;
		}
	}
	return found;
}
