#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sgcap v4l2-out: captures queued by dma-buf fd to a V4L2 video output
# (vivid in the guest); the device must take and return each one intact.
# Skipped without a video output. TAP.
. /tests/bin/tap.inc

N=6
tap_plan $N
tap_need_card $N

$SGCAP -d "$dev" v4l2-out -n 10 > "$out" 2>&1
rc=$?
if [ $rc -eq 77 ]; then
	i=0
	while [ $i -lt $N ]; do
		tap_skip "v4l2-out" "no V4L2 video output"
		i=$((i + 1))
	done
	tap_done
fi
tap_check "v4l2-out -n 10 exits 0" $rc
tap_file_has "the device took the default capture size" "sizeimage 655360"
tap_file_has "10 returned with flags, bytesused, fd and bytes right" \
	"took [0-9]+ captures by dma-buf fd and returned 10, 10 with the right flags"
tap_file_has "what the device still held came back with STREAMOFF" \
	"[0-9]+ more were still queued .* came back with VIDIOC_STREAMOFF"
tap_run "v4l2-out -n 1: two queued all the same, one returned" 0 \
	"took [0-9]+ captures by dma-buf fd and returned 1, 1 with the right flags" -- \
	$SGCAP -d "$dev" v4l2-out -n 1
$SGCAP -d "$dev" stats > "$out" 2>&1
tap_file_has "no buffer is held after STREAMOFF" "^buffers_held 0$"

tap_done
