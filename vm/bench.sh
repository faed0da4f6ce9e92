#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - `make bench`: (a) the postprocessing pass on the host, as a ratio
# to memcpy() of the same buffer, hot and cold; (b) in one 6.12 guest, the
# simulated pipeline's captures/s and the driver's own cost per capture as a
# fraction of a memcpy() of one capture in that same guest. A table, not a
# test: nothing here passes or fails on a figure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$SGCAP_TOP/vm/setup-host.sh"
out=$SGCAP_BUILD/bench
mkdir -p "$out/guest/bin" "$SGCAP_BUILD/logs"

echo "== (a) postprocess pass on the host =="
make -s -C "$SGCAP_TOP/bench" O="$out/host" host

echo
echo "== (b) capture pipeline in a 6.12 guest (TCG, 1 vCPU) =="
kroot=$(sgcap_kroot 6.12)
"$SGCAP_TOP/vm/build-module.sh" "$kroot" "$SGCAP_BUILD/6.12"
${CC:-cc} -static -O2 -Wall -Wextra -Werror -I"$SGCAP_TOP/uapi" \
	-o "$out/guest/bin/sgcap_guest_bench" "$SGCAP_TOP/bench/sgcap_guest_bench.c"
"$SGCAP_TOP/vm/mkinitramfs.sh" "$kroot" "$SGCAP_BUILD/6.12/sgcap.ko" "$out/guest" \
	"$out/initramfs.cpio.gz"
# One vCPU: with two, single-threaded TCG interleaves them and the timed
# regions would include the other vCPU's work.
SGCAP_SMP=1 "$SGCAP_TOP/vm/boot.sh" "$kroot" "$out/initramfs.cpio.gz" \
	"$SGCAP_BUILD/logs/bench-guest.log" plain sgcap_mode=bench
sed -n '/^SGCAP-BENCH-BEGIN/,/^SGCAP-BENCH-END/p' "$SGCAP_BUILD/logs/bench-guest.log" |
	grep -v '^SGCAP-BENCH'
grep -q '^SGCAP-BENCH-END rc=0' "$SGCAP_BUILD/logs/bench-guest.log" ||
	sgcap_die "the guest benchmark did not finish (log: $SGCAP_BUILD/logs/bench-guest.log)"
