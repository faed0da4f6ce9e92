// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap v4l2-out: queue captures to a V4L2 video output (an encoder or a
 * display path; vivid's output in the test guests) by dma-buf fd, the
 * zero-copy path V4L2_MEMORY_DMABUF offers, and check that the device took
 * and returned every one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/videodev2.h>

#include "sgcap_tool.h"

#define SGCAP_V4L2_WIDTH	640
#define SGCAP_V4L2_HEIGHT	512
#define SGCAP_V4L2_SLOTS	8

const char sgcap_help_v4l2_out[] =
	"usage: sgcap [-d DEV] v4l2-out [-o /dev/videoN] -n N [options]\n"
	"\n"
	"Feed N captures to a V4L2 video output device by dma-buf fd: set the\n"
	"format to 640x512 YUYV (sizeimage 655360, the default capture size; the\n"
	"card is configured to the device's sizeimage if that differs), request\n"
	"DMABUF buffers, queue captures (the device needs two queued before it\n"
	"consumes), start streaming, and for each buffer the device returns check\n"
	"its flags, bytesused and fd, verify the capture's bytes and queue the\n"
	"next capture in its place, until N came back. A device may hold its last\n"
	"frame until another is queued (vivid does, like a display); what it holds\n"
	"at the end comes back with VIDIOC_STREAMOFF and is checked too.\n"
	"\n"
	"Options:\n"
	"  -o, --output NODE      the video output node (default: the first\n"
	"                         /dev/video* with V4L2_CAP_VIDEO_OUTPUT)\n"
	SGCAP_STREAM_HELP
	"\n"
	"ioctls: on the card those of `sgcap capture`; on the video node\n"
	"VIDIOC_QUERYCAP, VIDIOC_S_FMT, VIDIOC_REQBUFS (V4L2_MEMORY_DMABUF),\n"
	"VIDIOC_QBUF (m.fd = the capture's dma-buf), VIDIOC_STREAMON,\n"
	"VIDIOC_DQBUF, VIDIOC_STREAMOFF.\n"
	"\n"
	"Exit status: 0 every capture taken and returned intact, 1 one was not,\n"
	"2 usage error, 3 device or system error, 77 no video output device.\n";

/**
 * struct sgcap_v4l2 - the output device
 * @fd: the open node
 * @type: V4L2_BUF_TYPE_VIDEO_OUTPUT or its _MPLANE variant
 * @mplane: @type is the multi-planar one
 * @sizeimage: bytes per frame the device expects
 * @slots: buffers the device allocated
 * @cap: the capture queued in each slot, or NULL
 * @queued_ns: when each slot was queued
 * @driver: the driver's name
 * @card: the device's name
 */
struct sgcap_v4l2 {
	int fd;
	__u32 type;
	unsigned int mplane:1;
	__u32 sizeimage;
	unsigned int slots;
	struct sgcap_capture *cap[SGCAP_V4L2_SLOTS];
	__u64 queued_ns[SGCAP_V4L2_SLOTS];
	char driver[32];
	char card[64];
};

static int sgcap_xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret;
}

/* Open @path if it is a streaming video output; 1 yes, 0 no, -1 error. */
static int sgcap_v4l2_probe(struct sgcap_v4l2 *v, const char *path)
{
	struct v4l2_capability cap;
	__u32 caps;

	v->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (v->fd < 0)
		return -1;
	memset(&cap, 0, sizeof(cap));
	if (sgcap_xioctl(v->fd, VIDIOC_QUERYCAP, &cap) < 0)
		goto out_no;
	caps = cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps :
							 cap.capabilities;
	if (!(caps & V4L2_CAP_STREAMING) ||
	    (caps & (V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE)))
		goto out_no;
	if (caps & V4L2_CAP_VIDEO_OUTPUT) {
		v->type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	} else if (caps & V4L2_CAP_VIDEO_OUTPUT_MPLANE) {
		v->type = V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE;
		v->mplane = 1;
	} else {
		goto out_no;
	}
	snprintf(v->driver, sizeof(v->driver), "%s", (char *)cap.driver);
	snprintf(v->card, sizeof(v->card), "%s", (char *)cap.card);
	return 1;

out_no:
	close(v->fd);
	v->fd = -1;
	return 0;
}

static int sgcap_v4l2_find(struct sgcap_v4l2 *v, char *path, size_t len)
{
	struct dirent *de;
	DIR *dir;
	int found = 0;

	dir = opendir("/dev");
	if (!dir)
		return 0;
	while (!found && (de = readdir(dir))) {
		if (strncmp(de->d_name, "video", 5))
			continue;
		snprintf(path, len, "/dev/%s", de->d_name);
		found = sgcap_v4l2_probe(v, path) == 1;
	}
	closedir(dir);
	return found;
}

static int sgcap_v4l2_set_format(struct sgcap_v4l2 *v)
{
	struct v4l2_format fmt;

	memset(&fmt, 0, sizeof(fmt));
	fmt.type = v->type;
	if (v->mplane) {
		fmt.fmt.pix_mp.width = SGCAP_V4L2_WIDTH;
		fmt.fmt.pix_mp.height = SGCAP_V4L2_HEIGHT;
		fmt.fmt.pix_mp.pixelformat = V4L2_PIX_FMT_YUYV;
		fmt.fmt.pix_mp.field = V4L2_FIELD_ANY;
		fmt.fmt.pix_mp.num_planes = 1;
	} else {
		fmt.fmt.pix.width = SGCAP_V4L2_WIDTH;
		fmt.fmt.pix.height = SGCAP_V4L2_HEIGHT;
		fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
		fmt.fmt.pix.field = V4L2_FIELD_ANY;
	}
	if (sgcap_xioctl(v->fd, VIDIOC_S_FMT, &fmt) < 0) {
		sgcap_err("v4l2-out: VIDIOC_S_FMT: %s\n", strerror(errno));
		return -1;
	}
	if (v->mplane) {
		if (fmt.fmt.pix_mp.num_planes != 1) {
			sgcap_err("v4l2-out: the device wants %u planes; a capture is one\n",
				  fmt.fmt.pix_mp.num_planes);
			return -1;
		}
		v->sizeimage = fmt.fmt.pix_mp.plane_fmt[0].sizeimage;
		printf("v4l2-out: format %ux%u %.4s, sizeimage %u\n",
		       fmt.fmt.pix_mp.width, fmt.fmt.pix_mp.height,
		       (char *)&fmt.fmt.pix_mp.pixelformat, v->sizeimage);
	} else {
		v->sizeimage = fmt.fmt.pix.sizeimage;
		printf("v4l2-out: format %ux%u %.4s, %u bytes per line, sizeimage %u\n",
		       fmt.fmt.pix.width, fmt.fmt.pix.height,
		       (char *)&fmt.fmt.pix.pixelformat,
		       fmt.fmt.pix.bytesperline, v->sizeimage);
	}
	if (!v->sizeimage) {
		sgcap_err("v4l2-out: the device reports a sizeimage of 0\n");
		return -1;
	}
	return 0;
}

static int sgcap_v4l2_reqbufs(struct sgcap_v4l2 *v, unsigned int count)
{
	struct v4l2_requestbuffers req;

	memset(&req, 0, sizeof(req));
	req.type = v->type;
	req.memory = V4L2_MEMORY_DMABUF;
	req.count = count;
	if (sgcap_xioctl(v->fd, VIDIOC_REQBUFS, &req) < 0) {
		sgcap_err("v4l2-out: VIDIOC_REQBUFS (%u, DMABUF): %s\n", count,
			  strerror(errno));
		return -1;
	}
	if (count && !req.count) {
		sgcap_err("v4l2-out: the device allocated no DMABUF buffers\n");
		return -1;
	}
	v->slots = req.count < SGCAP_V4L2_SLOTS ? req.count : SGCAP_V4L2_SLOTS;
	return 0;
}

static int sgcap_v4l2_qbuf(struct sgcap_v4l2 *v, unsigned int slot,
			   struct sgcap_capture *cap)
{
	struct v4l2_plane plane;
	struct v4l2_buffer buf;

	memset(&buf, 0, sizeof(buf));
	memset(&plane, 0, sizeof(plane));
	buf.type = v->type;
	buf.memory = V4L2_MEMORY_DMABUF;
	buf.index = slot;
	buf.field = V4L2_FIELD_ANY;
	if (v->mplane) {
		plane.m.fd = sgcap_capture_fd(cap);
		plane.bytesused = v->sizeimage;
		buf.m.planes = &plane;
		buf.length = 1;
	} else {
		buf.m.fd = sgcap_capture_fd(cap);
		buf.bytesused = v->sizeimage;
	}
	if (sgcap_xioctl(v->fd, VIDIOC_QBUF, &buf) < 0) {
		sgcap_err("v4l2-out: VIDIOC_QBUF of capture %llu (fd %d) into buffer %u: %s\n",
			  (unsigned long long)sgcap_capture_sequence(cap),
			  sgcap_capture_fd(cap), slot, strerror(errno));
		return -1;
	}
	v->cap[slot] = cap;
	v->queued_ns[slot] = sgcap_now_ns();
	return 0;
}

/* Wait for the device to return a buffer. Return: its slot, or -1. */
static int sgcap_v4l2_dqbuf(struct sgcap_v4l2 *v, int timeout_ms,
			    struct v4l2_buffer *buf, struct v4l2_plane *plane)
{
	struct pollfd pfd = { .fd = v->fd, .events = POLLOUT };
	int r;

	for (;;) {
		memset(buf, 0, sizeof(*buf));
		memset(plane, 0, sizeof(*plane));
		buf->type = v->type;
		buf->memory = V4L2_MEMORY_DMABUF;
		if (v->mplane) {
			buf->m.planes = plane;
			buf->length = 1;
		}
		if (!sgcap_xioctl(v->fd, VIDIOC_DQBUF, buf))
			break;
		if (errno != EAGAIN) {
			sgcap_err("v4l2-out: VIDIOC_DQBUF: %s\n",
				  strerror(errno));
			return -1;
		}
		r = poll(&pfd, 1, timeout_ms);
		if (r < 0 && errno == EINTR && !atomic_load(&sgcap_stop))
			continue;
		if (r <= 0) {
			sgcap_err("v4l2-out: the device returned no buffer within %d ms\n",
				  timeout_ms);
			return -1;
		}
	}
	if (buf->index >= v->slots || !v->cap[buf->index]) {
		sgcap_err("v4l2-out: the device returned buffer %u, which was not queued\n",
			  buf->index);
		return -1;
	}
	return (int)buf->index;
}

/**
 * struct sgcap_v4l2_stats - what v4l2-out saw
 * @queued: captures queued
 * @returned: buffers the device returned
 * @intact: returned with the right flags, bytesused and fd, bytes intact
 * @bad: returned with something wrong
 * @held: still queued at the end, given back by VIDIOC_STREAMOFF
 * @latency_ns: sum of queue-to-return times
 */
struct sgcap_v4l2_stats {
	__u64 queued;
	__u64 returned;
	__u64 intact;
	__u64 bad;
	__u64 held;
	__u64 latency_ns;
};

/* Check a returned buffer and its capture; release the capture. */
static void sgcap_v4l2_check(struct sgcap_v4l2 *v, unsigned int slot,
			     const struct v4l2_buffer *buf,
			     const struct v4l2_plane *plane,
			     struct sgcap_v4l2_stats *vs,
			     struct sgcap_progress *p)
{
	struct sgcap_capture *cap = v->cap[slot];
	__u32 used = v->mplane ? plane->bytesused : buf->bytesused;
	int fd = v->mplane ? plane->m.fd : buf->m.fd;
	struct sgcap_verify res;
	int ok = 1;

	vs->returned++;
	vs->latency_ns += sgcap_now_ns() - v->queued_ns[slot];
	if (buf->flags & V4L2_BUF_FLAG_ERROR) {
		sgcap_progress_clear(p);
		printf("v4l2-out: buffer %u (capture %llu) came back with V4L2_BUF_FLAG_ERROR\n",
		       slot, (unsigned long long)sgcap_capture_sequence(cap));
		ok = 0;
	}
	if (buf->flags & (V4L2_BUF_FLAG_QUEUED | V4L2_BUF_FLAG_DONE)) {
		sgcap_progress_clear(p);
		printf("v4l2-out: buffer %u came back still flagged queued/done (0x%x)\n",
		       slot, buf->flags);
		ok = 0;
	}
	if (used != v->sizeimage || fd != sgcap_capture_fd(cap)) {
		sgcap_progress_clear(p);
		fprintf(stdout,
			"v4l2-out: buffer %u came back with bytesused %u (queued %u) and fd %d (queued %d)\n",
			slot, used, v->sizeimage, fd, sgcap_capture_fd(cap));
		ok = 0;
	}
	/* An output device only reads: the capture must be as it was. */
	if (sgcap_capture_verify(cap, &res) < 0) {
		sgcap_progress_clear(p);
		if (errno == EBADMSG) {
			sgcap_describe_problems(p->out, "v4l2-out", cap, &res);
			sgcap_count_problems(p, &res);
		} else {
			sgcap_err("v4l2-out: reading capture %llu: %s\n",
				  (unsigned long long)sgcap_capture_sequence(cap),
				  strerror(errno));
		}
		ok = 0;
	}
	if (ok)
		vs->intact++;
	else
		vs->bad++;
	sgcap_capture_release(cap);
	v->cap[slot] = NULL;
}

static int sgcap_v4l2_stream(struct sgcap_v4l2 *v, struct sgcap_card *card,
			     struct sgcap_stream *s, struct sgcap_v4l2_stats *vs,
			     struct sgcap_progress *p)
{
	struct sgcap_capture *cap;
	struct v4l2_plane plane;
	struct v4l2_buffer buf;
	unsigned int slot, inflight = 0;
	int type = (int)v->type, streaming = 0, ret = 0, r;

	if (sgcap_card_start(card) < 0) {
		sgcap_err("v4l2-out: SGCAP_IOC_START: %s\n", strerror(errno));
		return -1;
	}
	/* Fill every slot first: the device starts with two queued. */
	for (slot = 0; slot < v->slots; slot++) {
		cap = sgcap_card_dequeue(card, s->timeout_ms);
		if (!cap || sgcap_v4l2_qbuf(v, slot, cap) < 0) {
			if (!cap)
				sgcap_err("v4l2-out: SGCAP_IOC_DEQUEUE: %s\n",
					  strerror(errno));
			sgcap_capture_release(cap);
			ret = -1;
			goto out_stop;
		}
		vs->queued++;
		inflight++;
	}
	if (sgcap_xioctl(v->fd, VIDIOC_STREAMON, &type) < 0) {
		sgcap_err("v4l2-out: VIDIOC_STREAMON: %s\n", strerror(errno));
		ret = -1;
		goto out_stop;
	}
	streaming = 1;
	printf("v4l2-out: streaming with %u buffers queued\n", inflight);
	/*
	 * An output device may keep its last frame (vivid returns a buffer
	 * only once another is queued, as a display holds the picture on
	 * screen): keep it fed until N came back; what it still holds comes
	 * back with VIDIOC_STREAMOFF.
	 */
	while (vs->returned < s->count && !atomic_load(&sgcap_stop)) {
		r = sgcap_v4l2_dqbuf(v, s->timeout_ms, &buf, &plane);
		if (r < 0) {
			ret = -1;
			break;
		}
		slot = (unsigned int)r;
		p->captures++;
		p->bytes += v->sizeimage;
		sgcap_v4l2_check(v, slot, &buf, &plane, vs, p);
		sgcap_progress_update(p, 0);
		if (vs->returned >= s->count)
			break;
		cap = sgcap_card_dequeue(card, s->timeout_ms);
		if (!cap) {
			sgcap_err("v4l2-out: SGCAP_IOC_DEQUEUE: %s\n",
				  strerror(errno));
			ret = -1;
			break;
		}
		if (sgcap_v4l2_qbuf(v, slot, cap) < 0) {
			sgcap_capture_release(cap);
			ret = -1;
			break;
		}
		vs->queued++;
	}
out_stop:
	if (streaming && sgcap_xioctl(v->fd, VIDIOC_STREAMOFF, &type) < 0) {
		sgcap_err("v4l2-out: VIDIOC_STREAMOFF: %s\n", strerror(errno));
		ret = -1;
	}
	/* STREAMOFF gave every queued buffer back; they must be intact. */
	for (slot = 0; slot < v->slots; slot++) {
		if (!v->cap[slot])
			continue;
		vs->held++;
		if (streaming && sgcap_capture_verify(v->cap[slot], NULL) < 0)
			vs->bad++;
		sgcap_capture_release(v->cap[slot]);
		v->cap[slot] = NULL;
	}
	sgcap_card_stop(card);
	return ret;
}

int sgcap_cmd_v4l2_out(const char *device, int argc, char **argv)
{
	static const struct option own[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct option opts[SGCAP_MAX_OPTIONS];
	struct sgcap_v4l2 v = { .fd = -1 };
	struct sgcap_v4l2_stats vs = { 0 };
	struct sgcap_progress prog;
	struct sgcap_card *card;
	struct sgcap_stream s;
	char node[PATH_MAX] = "";
	int opt, ret;
	__u64 ns;

	sgcap_stream_init(&s, 10);
	sgcap_stream_options(opts, own);
	while ((opt = getopt_long(argc, argv, "n:o:d:h", opts, NULL)) != -1) {
		ret = sgcap_stream_option(&s, opt, optarg);
		if (ret < 0)
			return SGCAP_EXIT_USAGE;
		if (ret)
			continue;
		switch (opt) {
		case 'd':
			device = optarg;
			break;
		case 'o':
			snprintf(node, sizeof(node), "%s", optarg);
			break;
		case 'h':
			fputs(sgcap_help_v4l2_out, stdout);
			return SGCAP_EXIT_OK;
		default:
			return sgcap_usage("v4l2-out", "bad option", NULL);
		}
	}
	if (optind < argc)
		return sgcap_usage("v4l2-out", "unexpected argument",
				   argv[optind]);
	if (!s.count)
		return sgcap_usage("v4l2-out", "-n must be at least 1", NULL);
	if (node[0]) {
		ret = sgcap_v4l2_probe(&v, node);
		if (ret < 0) {
			sgcap_err("v4l2-out: cannot open %s: %s\n", node,
				  strerror(errno));
			return errno == ENOENT ? SGCAP_EXIT_SKIP :
						 SGCAP_EXIT_ERROR;
		}
		if (!ret) {
			sgcap_err("v4l2-out: %s is not a streaming video output\n",
				  node);
			return SGCAP_EXIT_ERROR;
		}
	} else if (!sgcap_v4l2_find(&v, node, sizeof(node))) {
		printf("v4l2-out: no V4L2 video output device (/dev/video*): nothing to feed\n");
		return SGCAP_EXIT_SKIP;
	}
	printf("v4l2-out: feeding %s (%s, driver %s)\n", node, v.card,
	       v.driver);

	ret = SGCAP_EXIT_ERROR;
	if (sgcap_v4l2_set_format(&v) < 0)
		goto out_close_video;
	if (s.size_set && s.cfg.buffer_size != v.sizeimage)
		printf("v4l2-out: --size %llu ignored: the device wants %u bytes per frame\n",
		       (unsigned long long)s.cfg.buffer_size, v.sizeimage);
	s.cfg.buffer_size = v.sizeimage;
	if (sgcap_v4l2_reqbufs(&v, 2) < 0)
		goto out_close_video;
	printf("v4l2-out: %u DMABUF buffers requested (asked for 2)\n",
	       v.slots);
	if (s.cfg.buffer_count < v.slots + SGCAP_DEFAULT_BUFFER_COUNT / 2)
		s.cfg.buffer_count = v.slots + SGCAP_DEFAULT_BUFFER_COUNT / 2;

	card = sgcap_open_card(device);
	if (!card)
		goto out_free_bufs;
	if (sgcap_setup_card(card, &s, stdout, "v4l2-out") < 0)
		goto out_close_card;
	sgcap_progress_init(&prog, stdout, "v4l2-out", s.count, 0);
	ret = sgcap_v4l2_stream(&v, card, &s, &vs, &prog) < 0 ?
		SGCAP_EXIT_ERROR : SGCAP_EXIT_OK;
	ns = sgcap_now_ns() - prog.start_ns;
	sgcap_progress_end(&prog);
	fprintf(stdout,
		"v4l2-out: %s took %llu captures by dma-buf fd and returned %llu, %llu with the right flags, bytesused and fd and the bytes intact; %.1f frames/s, %.1f ms from queue to return on average\n",
		v.card, (unsigned long long)vs.queued,
		(unsigned long long)vs.returned, (unsigned long long)vs.intact,
		ns ? (double)vs.returned * 1e9 / (double)ns : 0.0,
		vs.returned ? (double)vs.latency_ns / 1e6 / (double)vs.returned :
			     0.0);
	fprintf(stdout,
		"v4l2-out: %llu more were still queued (the device holds its last frame) and came back with VIDIOC_STREAMOFF\n",
		(unsigned long long)vs.held);
	printf("summary: %llu captures, %llu errors\n",
	       (unsigned long long)vs.returned, (unsigned long long)vs.bad);
	if (!ret && (vs.bad || vs.intact < s.count))
		ret = SGCAP_EXIT_BAD_DATA;
out_close_card:
	sgcap_card_close(card);
out_free_bufs:
	sgcap_v4l2_reqbufs(&v, 0);
out_close_video:
	close(v.fd);
	return ret;
}
