#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sgcap gpu-import: captures imported into a DRM driver (vgem in the guest)
# by PRIME, exported again and verified through the re-exported fd. Skipped
# without a render node. TAP.
. /tests/bin/tap.inc

N=4
tap_plan $N
tap_need_card $N

$SGCAP -d "$dev" gpu-import -n 10 > "$out" 2>&1
rc=$?
if [ $rc -eq 77 ]; then
	i=0
	while [ $i -lt $N ]; do
		tap_skip "gpu-import" "no DRM render node"
		i=$((i + 1))
	done
	tap_done
fi
tap_check "gpu-import -n 10 exits 0" $rc
tap_file_has "it imported into a DRM driver" "^gpu-import: importing into [a-z0-9_]+ \(/dev/dri/renderD"
tap_file_has "10 imported, re-exported and read back intact" \
	"10 captures imported into .* 10 re-exported and read back intact, 10 of the re-exported fds were the capture's own dma-buf"
$SGCAP -d "$dev" stats > "$out" 2>&1
tap_file_has "no buffer is held once the handles are closed" "^buffers_held 0$"

tap_done
