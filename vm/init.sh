#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the sgcap test guest (busybox ash). Mounts the pseudo file systems,
# loads the modules the tests import into, inserts sgcap.ko, runs every test in
# /tests and frames each one's TAP for the host, then dumps the kernel log and
# powers off. Kernel command-line words the kernel does not know arrive here as
# environment variables: sgcap_mode=demo runs /demo.sh, sgcap_mode=bench the
# guest benchmark, instead of the tests.

mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
# The first line on the serial console carries firmware escape codes.
echo
echo "SGCAP-BED: kernel $(uname -r) iommu=${sgcap_iommu:-0}"

modprobe vgem || echo "SGCAP-BED: modprobe vgem failed"
modprobe vivid n_devs=1 node_types=0x101 || echo "SGCAP-BED: modprobe vivid failed"

bed_run() {
	name=$1
	shift
	echo "SGCAP-TEST-BEGIN $name"
	"$@" 2>&1
	echo "SGCAP-TEST-END $name rc=$?"
}

if insmod /lib/modules/sgcap.ko sim_cards=1; then
	echo "SGCAP-BED: sgcap.ko inserted"
else
	echo "SGCAP-BED: insmod sgcap.ko failed"
fi

if [ "$sgcap_mode" = demo ] && [ -x /demo.sh ]; then
	/demo.sh
elif [ "$sgcap_mode" = bench ]; then
	echo "SGCAP-BENCH-BEGIN"
	/tests/bin/sgcap_guest_bench
	echo "SGCAP-BENCH-END rc=$?"
else
	cd /tests || exit 1
	for t in *; do
		case "$t" in
		*.sh)	bed_run "$t" sh "./$t" ;;
		*)	[ -x "$t" ] && [ -f "$t" ] && bed_run "$t" "./$t" ;;
		esac
	done
	cd /
fi

# Give the kernel a moment to print deferred reports (kmemleak, lockdep).
[ -w /sys/kernel/debug/kmemleak ] && echo scan > /sys/kernel/debug/kmemleak
echo "SGCAP-DMESG-BEGIN"
dmesg
echo "SGCAP-DMESG-END"
echo "SGCAP-BED: done"
poweroff -f
