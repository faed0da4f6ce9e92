// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libsgcap: captures. A capture is a dma-buf fd plus the metadata the
 * driver reported for it. Mapping brackets CPU access with
 * DMA_BUF_IOCTL_SYNC as the dma-buf interface requires; verification
 * recomputes the pattern and CRC32C here with sgcap_pp.c, the code the
 * driver runs, so a capture is checked end to end and not against the
 * driver's own word.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/dma-buf.h>

#include "sgcap_internal.h"
#include "sgcap_pp.h"

/* Bytes of expected data generated at a time by the verifier. */
#define SGCAP_VERIFY_CHUNK	4096

struct sgcap_capture *sgcap_capture_new(int fd,
					const struct sgcap_dequeue *meta,
					unsigned int transform,
					__u64 features)
{
	struct sgcap_capture *cap = calloc(1, sizeof(*cap));

	if (!cap)
		return NULL;
	cap->fd = fd;
	cap->meta = *meta;
	cap->meta.fd = fd;
	cap->transform = transform;
	cap->features = features;
	cap->size = -1;
	cap->sync = 1;
	return cap;
}

/**
 * sgcap_capture_from_fd() - make a capture of a dma-buf received elsewhere
 * @fd: the dma-buf (or any mappable file holding capture data)
 * @meta: the metadata SGCAP_IOC_DEQUEUE reported for it
 * @transform: SGCAP_TRANSFORM_* applied to its bytes
 * @features: SGCAP_FEAT_* of the producing card: what verification checks
 *
 * For consumers that get captures over a socket. On success the capture
 * owns @fd; on failure @fd is left open.
 *
 * Return: the capture, or NULL with errno set.
 */
struct sgcap_capture *sgcap_capture_from_fd(int fd,
					    const struct sgcap_dequeue *meta,
					    unsigned int transform,
					    __u64 features)
{
	if (fd < 0 || !meta) {
		errno = EBADF;
		return NULL;
	}
	return sgcap_capture_new(fd, meta, transform, features);
}

/**
 * sgcap_capture_fd() - the capture's dma-buf file descriptor
 * @cap: the capture
 *
 * Pass it to importers (DRM PRIME, V4L2 DMABUF) or over a socket; the
 * capture keeps owning it, so do not close it.
 *
 * Return: the descriptor.
 */
int sgcap_capture_fd(const struct sgcap_capture *cap)
{
	return cap->fd;
}

/**
 * sgcap_capture_sequence() - the card's frame number of the capture
 * @cap: the capture
 *
 * Return: the sequence; a gap to the previous capture means dropped frames.
 */
__u64 sgcap_capture_sequence(const struct sgcap_capture *cap)
{
	return cap->meta.sequence;
}

/**
 * sgcap_capture_timestamp_ns() - completion time
 * @cap: the capture
 *
 * Return: CLOCK_MONOTONIC nanoseconds.
 */
__u64 sgcap_capture_timestamp_ns(const struct sgcap_capture *cap)
{
	return cap->meta.timestamp_ns;
}

/**
 * sgcap_capture_bytes_used() - bytes of capture data
 * @cap: the capture
 *
 * Return: the byte count, at most the dma-buf's size.
 */
__u64 sgcap_capture_bytes_used(const struct sgcap_capture *cap)
{
	return cap->meta.bytes_used;
}

/**
 * sgcap_capture_crc32c() - CRC32C the driver computed
 * @cap: the capture
 *
 * Return: the CRC of the bytes as mapped (after any transform).
 */
__u32 sgcap_capture_crc32c(const struct sgcap_capture *cap)
{
	return cap->meta.crc32c;
}

/**
 * sgcap_capture_mismatches() - pattern mismatches the driver counted
 * @cap: the capture
 *
 * Return: bytes that differed from the pattern; 0 means intact.
 */
__u64 sgcap_capture_mismatches(const struct sgcap_capture *cap)
{
	return cap->meta.pattern_mismatches;
}

/**
 * sgcap_capture_flags() - SGCAP_CAPTURE_* flags
 * @cap: the capture
 *
 * Return: the flags.
 */
__u32 sgcap_capture_flags(const struct sgcap_capture *cap)
{
	return cap->meta.capture_flags;
}

/**
 * sgcap_capture_chunk_count() - scatter-gather chunks of the buffer
 * @cap: the capture
 *
 * Return: the chunk count.
 */
__u32 sgcap_capture_chunk_count(const struct sgcap_capture *cap)
{
	return cap->meta.chunk_count;
}

/**
 * sgcap_capture_buffer_index() - index of the buffer in the card's pool
 * @cap: the capture
 *
 * Return: the index.
 */
__u32 sgcap_capture_buffer_index(const struct sgcap_capture *cap)
{
	return cap->meta.buffer_index;
}

/**
 * sgcap_capture_transform() - transform applied to the bytes
 * @cap: the capture
 *
 * Return: SGCAP_TRANSFORM_*.
 */
unsigned int sgcap_capture_transform(const struct sgcap_capture *cap)
{
	return cap->transform;
}

/**
 * sgcap_capture_get_meta() - all metadata at once
 * @cap: the capture
 * @meta: filled in as SGCAP_IOC_DEQUEUE reported it (fd: the capture's fd)
 */
void sgcap_capture_get_meta(const struct sgcap_capture *cap,
			    struct sgcap_dequeue *meta)
{
	*meta = cap->meta;
}

/**
 * sgcap_capture_size() - size of the dma-buf
 * @cap: the capture
 *
 * A dma-buf reports its size through lseek(SEEK_END); plain files through
 * fstat(). The dma-buf's size is the buffer's, which may exceed
 * bytes_used (rounded up to pages).
 *
 * Return: the size in bytes, or -1 with errno set.
 */
__s64 sgcap_capture_size(struct sgcap_capture *cap)
{
	struct stat st;
	off_t end;

	if (cap->size >= 0)
		return cap->size;
	end = lseek(cap->fd, 0, SEEK_END);
	if (end > 0) {
		lseek(cap->fd, 0, SEEK_SET);
		cap->size = end;
		return end;
	}
	if (fstat(cap->fd, &st) < 0)
		return -1;
	cap->size = st.st_size;
	return cap->size;
}

static int sgcap_capture_sync(struct sgcap_capture *cap, __u64 flags)
{
	struct dma_buf_sync sync = { .flags = flags | DMA_BUF_SYNC_READ };

	if (!cap->sync)
		return 0;
	while (ioctl(cap->fd, DMA_BUF_IOCTL_SYNC, &sync) < 0) {
		if (errno == EINTR || errno == EAGAIN)
			continue;
		/* Not a dma-buf (a file in a test): nothing to bracket. */
		if (errno == ENOTTY) {
			cap->sync = 0;
			return 0;
		}
		return -1;
	}
	return 0;
}

/**
 * sgcap_capture_map() - map the capture for reading
 * @cap: the capture
 *
 * Maps the whole dma-buf read-only and shared, then begins CPU access with
 * DMA_BUF_IOCTL_SYNC (DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ). Mapping a
 * mapped capture returns the same address.
 *
 * Return: the address of the first byte, or NULL with errno set.
 */
const void *sgcap_capture_map(struct sgcap_capture *cap)
{
	__s64 size;
	void *p;
	int err;

	if (cap->map)
		return cap->map;
	size = sgcap_capture_size(cap);
	if (size < 0)
		return NULL;
	if (!size) {
		errno = ENODATA;
		return NULL;
	}
	p = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, cap->fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (sgcap_capture_sync(cap, DMA_BUF_SYNC_START) < 0) {
		err = errno;
		munmap(p, (size_t)size);
		errno = err;
		return NULL;
	}
	cap->map = p;
	return p;
}

/**
 * sgcap_capture_unmap() - end CPU access and unmap
 * @cap: the capture
 *
 * Ends CPU access with DMA_BUF_IOCTL_SYNC (DMA_BUF_SYNC_END) and unmaps.
 * Unmapping an unmapped capture does nothing.
 *
 * Return: 0, or -1 with errno set (the mapping is gone in any case).
 */
int sgcap_capture_unmap(struct sgcap_capture *cap)
{
	int ret, err;

	if (!cap->map)
		return 0;
	ret = sgcap_capture_sync(cap, DMA_BUF_SYNC_END);
	err = errno;
	munmap(cap->map, (size_t)cap->size);
	cap->map = NULL;
	errno = err;
	return ret;
}

/**
 * sgcap_capture_release() - give the capture back
 * @cap: the capture, or NULL
 *
 * Unmaps it if mapped, closes its fd and frees it. The buffer returns to
 * the card once nobody else holds the dma-buf.
 */
void sgcap_capture_release(struct sgcap_capture *cap)
{
	int err = errno;

	if (!cap)
		return;
	sgcap_capture_unmap(cap);
	close(cap->fd);
	free(cap);
	errno = err;
}

static void sgcap_swap16(__u8 *p, size_t len)
{
	size_t i;
	__u8 t;

	for (i = 0; i + 1 < len; i += 2) {
		t = p[i];
		p[i] = p[i + 1];
		p[i + 1] = t;
	}
}

/*
 * Bytes [@off, @off + @len) of capture @seq as userspace sees them. @off is
 * even, so the 16-bit words of the swap line up with the buffer's.
 */
static void sgcap_expected(__u8 *dst, __u64 off, size_t len, __u64 seq,
			   unsigned int transform)
{
	sgcap_pattern_fill(dst, off, len, seq);
	if (transform == SGCAP_TRANSFORM_SWAP16)
		sgcap_swap16(dst, len);
}

/**
 * sgcap_pattern_generate() - the bytes the simulated card writes
 * @buf: filled in
 * @len: bytes
 * @seq: the capture's sequence
 * @transform: SGCAP_TRANSFORM_* to apply, as the driver would
 */
void sgcap_pattern_generate(void *buf, size_t len, __u64 seq,
			    unsigned int transform)
{
	sgcap_expected(buf, 0, len, seq, transform);
}

/*
 * Count the bytes that differ from the pattern. The expected bytes are
 * transformed like the data, so no copy of the data is needed; the swap is
 * a permutation, so the count equals the driver's count before the
 * transform.
 */
static void sgcap_compare(const __u8 *data, size_t len, __u64 seq,
			  unsigned int transform, struct sgcap_verify *res)
{
	__u8 want[SGCAP_VERIFY_CHUNK];
	size_t off, n, i;

	for (off = 0; off < len; off += n) {
		n = len - off < sizeof(want) ? len - off : sizeof(want);
		sgcap_expected(want, off, n, seq, transform);
		if (!memcmp(data + off, want, n))
			continue;
		for (i = 0; i < n; i++) {
			if (data[off + i] == want[i])
				continue;
			if (!res->mismatches)
				res->first_bad = off + i;
			res->mismatches++;
		}
	}
}

static void sgcap_verify_bytes(const void *buf, size_t len, __u64 seq,
			       unsigned int transform, __u64 features,
			       struct sgcap_verify *res)
{
	memset(res, 0, sizeof(*res));
	res->first_bad = ~0ULL;
	res->checked = len;
	res->crc32c = sgcap_crc32c(~0U, buf, len) ^ ~0U;
	if (features & SGCAP_FEAT_PATTERN) {
		sgcap_compare(buf, len, seq, transform, res);
		if (res->mismatches)
			res->problems |= SGCAP_VERIFY_PATTERN;
	}
}

/**
 * sgcap_verify_buffer() - check bytes against the simulated card's pattern
 * @buf: the bytes, as the driver handed them out
 * @len: their count
 * @seq: the sequence of the capture they hold
 * @transform: SGCAP_TRANSFORM_* that was applied to them
 * @res: the outcome (CRC32C computed, mismatch count and first offset)
 *
 * Return: 0 if every byte matches; -1 with errno EBADMSG if not.
 */
int sgcap_verify_buffer(const void *buf, size_t len, __u64 seq,
			unsigned int transform, struct sgcap_verify *res)
{
	struct sgcap_verify tmp;

	if (!res)
		res = &tmp;
	sgcap_verify_bytes(buf, len, seq, transform, SGCAP_FEAT_PATTERN, res);
	if (res->problems) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/**
 * sgcap_capture_verify() - check a capture end to end
 * @cap: the capture
 * @res: the outcome, or NULL
 *
 * Maps the capture if it is not mapped (and unmaps it again), recomputes
 * CRC32C over bytes_used bytes and compares it with the driver's, compares
 * every byte with the pattern of the capture's sequence (when the card has
 * SGCAP_FEAT_PATTERN), and takes the driver's mismatch count and error
 * flag into account.
 *
 * Return: 0 if the capture is intact; -1 with errno EBADMSG if a check
 * failed (see @res->problems), or another errno if it could not be read.
 */
int sgcap_capture_verify(struct sgcap_capture *cap, struct sgcap_verify *res)
{
	int mapped_here = !cap->map;
	struct sgcap_verify tmp;
	__u64 len = cap->meta.bytes_used;
	const void *data;

	if (!res)
		res = &tmp;
	data = sgcap_capture_map(cap);
	if (!data)
		return -1;
	if ((__u64)cap->size < len)
		len = (__u64)cap->size;
	sgcap_verify_bytes(data, (size_t)len, cap->meta.sequence,
			   cap->transform, cap->features, res);
	if (len < cap->meta.bytes_used)
		res->problems |= SGCAP_VERIFY_SHORT;
	if ((cap->features & SGCAP_FEAT_CRC32C) &&
	    res->crc32c != cap->meta.crc32c)
		res->problems |= SGCAP_VERIFY_CRC;
	if ((cap->features & SGCAP_FEAT_PATTERN) &&
	    cap->meta.pattern_mismatches)
		res->problems |= SGCAP_VERIFY_KERNEL_PATTERN;
	if (cap->meta.capture_flags & SGCAP_CAPTURE_ERROR)
		res->problems |= SGCAP_VERIFY_CARD_ERROR;
	if (mapped_here)
		sgcap_capture_unmap(cap);
	if (res->problems) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/* The multiplicative inverse of an odd number modulo 2^64 (Newton). */
static __u64 sgcap_inverse(__u64 a)
{
	__u64 x = a;	/* right in the low 3 bits for any odd a */
	int i;

	for (i = 0; i < 5; i++)
		x *= 2 - a * x;
	return x;
}

/**
 * sgcap_pattern_identify() - which capture a pattern buffer holds
 * @buf: the capture's first bytes, as handed out by the driver
 * @len: at least 8
 * @transform: SGCAP_TRANSFORM_* applied to them
 * @seq: the sequence whose pattern starts like @buf
 *
 * Word 0 of capture S is S * SGCAP_PATTERN_SEQ_MUL, an odd multiplier, so
 * S follows from it. Lets data written to a file be verified without a
 * record of the sequences it holds.
 *
 * Return: 0, or -1 with errno EINVAL if @len is below 8.
 */
int sgcap_pattern_identify(const void *buf, size_t len,
			   unsigned int transform, __u64 *seq)
{
	__u8 w[8];
	__u64 word = 0;
	int i;

	if (len < sizeof(w)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(w, buf, sizeof(w));
	if (transform == SGCAP_TRANSFORM_SWAP16)
		sgcap_swap16(w, sizeof(w));
	for (i = 7; i >= 0; i--)
		word = word << 8 | w[i];
	*seq = word * sgcap_inverse(SGCAP_PATTERN_SEQ_MUL);
	return 0;
}
