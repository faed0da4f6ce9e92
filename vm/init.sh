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
	rc=$?
	# The guest's uptime at the end, to see where a slow boot's time goes.
	echo "SGCAP-TEST-END $name rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)"
}

# The KUnit suites built into sgcap.ko (kernels with KUnit) ran at insmod.
# Their results, one debugfs file per suite, become one TAP result per case.
bed_kunit() {
	cat /sys/kernel/debug/kunit/sgcap_*/results 2>/dev/null | awk '
		/^    # Subtest: / { suite = $3 }
		/^    (not )?ok [0-9]+ / {
			r = substr($0, 5)
			st = (r ~ /^not/) ? "not ok" : "ok"
			sub(/^(not )?ok [0-9]+ /, "", r)
			out[++n] = st " " ++t " " suite "." r
			next
		}
		{ out[++n] = "# " $0 }
		END {
			print "TAP version 13"
			if (!t) {
				print "1..1"
				print "not ok 1 sgcap KUnit suites ran at insmod"
				exit
			}
			print "1.." t
			for (i = 1; i <= n; i++)
				print out[i]
		}'
}

# After the tests, on kernels with kmemleak: unload the module, which must
# let go of everything, and fail on any leak kmemleak then finds. An object
# is reported once a scan finds it unreferenced and older than 5 s; the
# second scan, after a pause, is what kmemleak's documentation asks for.
bed_kmemleak() {
	kml=/sys/kernel/debug/kmemleak
	echo "TAP version 13"
	echo "1..2"
	if rmmod sgcap; then
		echo "ok 1 rmmod sgcap"
	else
		echo "not ok 1 rmmod sgcap"
	fi
	# kmemleak turns itself off when it runs out of memory: no false "ok".
	if ! { echo scan > $kml && sleep 5 && echo scan > $kml; } 2>/dev/null; then
		echo "not ok 2 kmemleak: cannot scan (disabled?)"
		return
	fi
	leaks=$(cat $kml)
	if [ -z "$leaks" ]; then
		echo "ok 2 kmemleak: nothing leaked"
	else
		echo "$leaks" | sed 's/^/# /'
		echo "not ok 2 kmemleak: $(echo "$leaks" | grep -c '^unreferenced') leaks"
	fi
}

if insmod /lib/modules/sgcap.ko sim_cards=1; then
	echo "SGCAP-BED: sgcap.ko inserted"
	[ -d /sys/kernel/debug/kunit ] && bed_run kunit bed_kunit
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
	[ -w /sys/kernel/debug/kmemleak ] && bed_run kmemleak bed_kmemleak
fi

# Give the kernel a moment to print deferred reports (kmemleak, lockdep).
[ -w /sys/kernel/debug/kmemleak ] && echo scan > /sys/kernel/debug/kmemleak
echo "SGCAP-DMESG-BEGIN"
dmesg
echo "SGCAP-DMESG-END"
echo "SGCAP-BED: done"
poweroff -f
