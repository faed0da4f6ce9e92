// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the selftests that import captures into vgem; linked only into
 * those tests, the only ones built against libdrm.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xf86drm.h>

#include "sgcap_util.h"

/* The vgem card among /dev/dri/card*, or -ENODEV. */
int sgt_open_vgem(void)
{
	char path[32];
	int i, fd;

	for (i = 0; i < 16; i++) {
		drmVersionPtr v;
		bool vgem;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		vgem = v && v->name && !strcmp(v->name, "vgem");
		if (v)
			drmFreeVersion(v);
		if (vgem)
			return fd;
		close(fd);
	}
	return -ENODEV;
}

