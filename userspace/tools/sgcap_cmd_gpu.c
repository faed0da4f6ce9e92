// SPDX-License-Identifier: GPL-2.0
/*
 * sgcap gpu-import: hand captures to a DRM driver the way a GPU client
 * does (PRIME import), get them back out of it as a dma-buf (PRIME export
 * of the imported object) and verify the bytes through that fd.
 *
 * It uses libdrm as a GPU client does: drmPrimeFDToHandle(),
 * drmPrimeHandleToFD() and drmCloseBufferHandle(). Reading back goes through
 * the re-exported fd because 6.12 refuses to mmap imported GEM objects
 * through the DRM node.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <xf86drm.h>

#include "sgcap_tool.h"

#define SGCAP_DEFAULT_RENDER	"/dev/dri/renderD128"

const char sgcap_help_gpu_import[] =
	"usage: sgcap [-d DEV] gpu-import [-r RENDER_NODE] -n N [options]\n"
	"\n"
	"Import N captures into a DRM driver (vgem in the test guests) by dma-buf\n"
	"fd, as a GPU client would, then export each imported object again and\n"
	"verify the capture's bytes through the re-exported fd. For an imported\n"
	"object the driver hands back the very dma-buf it imported, which is\n"
	"checked too (same inode). Each GEM handle is closed before the capture is\n"
	"released, so the card gets its buffer back.\n"
	"\n"
	"Options:\n"
	"  -r, --render NODE      the DRM render node (default /dev/dri/renderD128,\n"
	"                         else the first /dev/dri/renderD*)\n"
	SGCAP_STREAM_HELP
	"\n"
	"ioctls: on the card those of `sgcap capture`; on the render node\n"
	"DRM_IOCTL_VERSION, DRM_IOCTL_PRIME_FD_TO_HANDLE (libdrm's\n"
	"drmPrimeFDToHandle), DRM_IOCTL_PRIME_HANDLE_TO_FD (drmPrimeHandleToFD),\n"
	"DRM_IOCTL_GEM_CLOSE (drmCloseBufferHandle); on the re-exported dma-buf\n"
	"mmap and DMA_BUF_IOCTL_SYNC.\n"
	"\n"
	"Exit status: 0 every capture imported and read back intact, 1 one was\n"
	"not, 2 usage error, 3 device or system error, 77 no DRM render node.\n";

/* The first /dev/dri/renderD* if the default is absent. */
static int sgcap_find_render(char *path, size_t len)
{
	struct dirent *de;
	DIR *dir;
	int found = -1;

	if (!access(SGCAP_DEFAULT_RENDER, F_OK)) {
		snprintf(path, len, "%s", SGCAP_DEFAULT_RENDER);
		return 0;
	}
	dir = opendir("/dev/dri");
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "renderD", 7))
			continue;
		snprintf(path, len, "/dev/dri/%s", de->d_name);
		found = 0;
		break;
	}
	closedir(dir);
	return found;
}

static int sgcap_drm_driver(int fd, char *name, size_t len)
{
	drmVersionPtr v = drmGetVersion(fd);

	if (!v)
		return -1;
	snprintf(name, len, "%s", v->name ? v->name : "?");
	drmFreeVersion(v);
	return 0;
}

/**
 * struct sgcap_gpu_stats - what gpu-import saw
 * @imported: captures imported
 * @verified: captures read back intact through the re-exported fd
 * @same: re-exported fds that are the imported dma-buf
 * @bad: captures that failed a step
 */
struct sgcap_gpu_stats {
	__u64 imported;
	__u64 verified;
	__u64 same;
	__u64 bad;
};

/* One capture through the DRM driver and back. Return: 0, or -1 if fatal. */
static int sgcap_gpu_one(int drm, int index, struct sgcap_capture *cap,
			 struct sgcap_gpu_stats *gs, struct sgcap_progress *p)
{
	struct sgcap_capture *back;
	uint32_t handle;
	int fd = -1;
	struct sgcap_dequeue meta;
	struct sgcap_verify res;
	struct stat a, b;
	char line[512];
	int ok = 1;

	if (drmPrimeFDToHandle(drm, sgcap_capture_fd(cap), &handle)) {
		sgcap_err("gpu-import: drmPrimeFDToHandle of capture %llu: %s\n",
			  (unsigned long long)sgcap_capture_sequence(cap),
			  strerror(errno));
		gs->bad++;
		return errno == EBADF || errno == ENOTTY ? -1 : 0;
	}
	gs->imported++;
	if (gs->imported == 1 &&
	    !sgcap_debugfs_buffer_line(index, sgcap_capture_buffer_index(cap),
				       line, sizeof(line)))
		fprintf(p->out, "gpu-import: while imported, debugfs shows buffer %s\n",
			line);

	if (drmPrimeHandleToFD(drm, handle, DRM_CLOEXEC | DRM_RDWR, &fd)) {
		sgcap_err("gpu-import: drmPrimeHandleToFD of handle %u: %s\n",
			  handle, strerror(errno));
		ok = 0;
		goto out_close_handle;
	}
	if (!fstat(fd, &a) && !fstat(sgcap_capture_fd(cap), &b) &&
	    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
		gs->same++;
	sgcap_capture_get_meta(cap, &meta);
	back = sgcap_capture_from_fd(fd, &meta,
				     sgcap_capture_transform(cap),
				     SGCAP_FEAT_PATTERN | SGCAP_FEAT_CRC32C);
	if (!back) {
		close(fd);
		ok = 0;
		goto out_close_handle;
	}
	if (sgcap_capture_verify(back, &res) < 0) {
		if (errno == EBADMSG) {
			sgcap_progress_clear(p);
			sgcap_describe_problems(p->out, "gpu-import", back,
						&res);
			sgcap_count_problems(p, &res);
		} else {
			sgcap_err("gpu-import: reading capture %llu through the re-exported fd: %s\n",
				  (unsigned long long)meta.sequence,
				  strerror(errno));
		}
		ok = 0;
	} else {
		gs->verified++;
	}
	sgcap_capture_release(back);
out_close_handle:
	if (drmCloseBufferHandle(drm, handle)) {
		sgcap_err("gpu-import: drmCloseBufferHandle of handle %u: %s\n",
			  handle, strerror(errno));
		ok = 0;
	}
	if (!ok)
		gs->bad++;
	return 0;
}

int sgcap_cmd_gpu_import(const char *device, int argc, char **argv)
{
	static const struct option own[] = {
		{ "render", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct option opts[SGCAP_MAX_OPTIONS];
	struct sgcap_gpu_stats gs = { 0 };
	char render[PATH_MAX] = "", driver[64] = "?";
	struct sgcap_progress prog;
	struct sgcap_capture *cap;
	struct sgcap_card *card;
	struct sgcap_stream s;
	int opt, ret, drm, index;
	__u64 ns;

	sgcap_stream_init(&s, 10);
	sgcap_stream_options(opts, own);
	while ((opt = getopt_long(argc, argv, "n:r:d:h", opts, NULL)) != -1) {
		ret = sgcap_stream_option(&s, opt, optarg);
		if (ret < 0)
			return SGCAP_EXIT_USAGE;
		if (ret)
			continue;
		switch (opt) {
		case 'd':
			device = optarg;
			break;
		case 'r':
			snprintf(render, sizeof(render), "%s", optarg);
			break;
		case 'h':
			fputs(sgcap_help_gpu_import, stdout);
			return SGCAP_EXIT_OK;
		default:
			return sgcap_usage("gpu-import", "bad option", NULL);
		}
	}
	if (optind < argc)
		return sgcap_usage("gpu-import", "unexpected argument",
				   argv[optind]);
	if (!s.count)
		return sgcap_usage("gpu-import", "-n must be at least 1", NULL);
	if (!render[0] && sgcap_find_render(render, sizeof(render)) < 0) {
		fprintf(stdout,
			"gpu-import: no DRM render node (/dev/dri/renderD*): nothing to import into\n");
		return SGCAP_EXIT_SKIP;
	}
	drm = open(render, O_RDWR | O_CLOEXEC);
	if (drm < 0) {
		sgcap_err("gpu-import: cannot open %s: %s\n", render,
			  strerror(errno));
		return errno == ENOENT ? SGCAP_EXIT_SKIP : SGCAP_EXIT_ERROR;
	}
	if (sgcap_drm_driver(drm, driver, sizeof(driver)) < 0) {
		sgcap_err("gpu-import: %s is not a DRM device (DRM_IOCTL_VERSION: %s)\n",
			  render, strerror(errno));
		close(drm);
		return SGCAP_EXIT_ERROR;
	}
	printf("gpu-import: importing into %s (%s)\n", driver, render);

	ret = SGCAP_EXIT_ERROR;
	card = sgcap_open_card(device);
	if (!card)
		goto out_close_drm;
	if (sgcap_setup_card(card, &s, stdout, "gpu-import") < 0)
		goto out_close_card;
	index = sgcap_card_index(device);
	sgcap_progress_init(&prog, stdout, "gpu-import", s.count, 0);
	if (sgcap_card_start(card) < 0) {
		sgcap_err("gpu-import: SGCAP_IOC_START: %s\n", strerror(errno));
		goto out_close_card;
	}
	ret = SGCAP_EXIT_OK;
	while (prog.captures < s.count && !atomic_load(&sgcap_stop)) {
		cap = sgcap_card_dequeue(card, s.timeout_ms);
		if (!cap) {
			if (errno == EINTR)
				continue;
			sgcap_err("gpu-import: SGCAP_IOC_DEQUEUE: %s\n",
				  strerror(errno));
			ret = SGCAP_EXIT_ERROR;
			break;
		}
		prog.captures++;
		prog.bytes += sgcap_capture_bytes_used(cap);
		if (sgcap_gpu_one(drm, index, cap, &gs, &prog) < 0)
			ret = SGCAP_EXIT_ERROR;
		sgcap_capture_release(cap);
		if (ret)
			break;
		sgcap_progress_update(&prog, 0);
	}
	ns = sgcap_now_ns() - prog.start_ns;
	sgcap_card_stop(card);
	sgcap_progress_end(&prog);
	fprintf(stdout,
		"gpu-import: %llu captures imported into %s as GEM objects, %llu re-exported and read back intact, %llu of the re-exported fds were the capture's own dma-buf, in %.2f s (%.1f MB/s)\n",
		(unsigned long long)gs.imported, driver,
		(unsigned long long)gs.verified, (unsigned long long)gs.same,
		sgcap_seconds(ns), sgcap_mb_per_s(prog.bytes, ns));
	printf("summary: %llu captures, %llu errors\n",
	       (unsigned long long)prog.captures, (unsigned long long)gs.bad);
	if (!ret && (gs.bad || gs.verified != prog.captures ||
		     prog.captures < s.count))
		ret = SGCAP_EXIT_BAD_DATA;
out_close_card:
	sgcap_card_close(card);
out_close_drm:
	close(drm);
	return ret;
}
