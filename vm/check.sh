#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - everything `make check` does: set up the host, fetch the kernels,
# build the module for each with W=1 -Werror, lint, run the host unit tests,
# build the guest tests, pack one initramfs per kernel, boot each kernel plain
# and with a strict IOMMU, judge every boot's TAP and kernel log, and end with
# "N passed, N failed[, N skipped]". Exit status 0 only if nothing failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

"$SGCAP_TOP/vm/setup-host.sh" || sgcap_die "host set-up failed"
ksrc=$(sgcap_ksrc) || sgcap_die "cannot fetch the kernel source files"

total_pass=0 total_fail=0 total_skip=0
results=()
record() {	# record NAME PASSED FAILED SKIPPED
	results+=("$(printf '%-24s %3d passed, %d failed, %d skipped' "$1" "$2" "$3" "$4")")
	total_pass=$((total_pass + $2)); total_fail=$((total_fail + $3))
	total_skip=$((total_skip + $4))
}
finish() {
	echo
	echo "sgcap check results (guest logs in $SGCAP_BUILD/logs):"
	printf '  %s\n' "${results[@]}"
	if [ "$total_skip" -gt 0 ]; then
		echo "$total_pass passed, $total_fail failed, $total_skip skipped"
	else
		echo "$total_pass passed, $total_fail failed"
	fi
	[ "$total_fail" -eq 0 ]
	exit
}
# A step that must succeed for anything after it to mean something.
step() {	# step NAME COMMAND...
	local name=$1
	shift
	if "$@"; then
		record "$name" 1 0 0
	else
		sgcap_say "step '$name' failed"
		record "$name" 0 1 0
		return 1
	fi
}

mkdir -p "$SGCAP_BUILD/logs"
rm -f "$SGCAP_BUILD"/logs/*.log

declare -A kroot
for line in $SGCAP_KERNELS; do
	kroot[$line]=$(sgcap_kroot "$line") || sgcap_die "cannot fetch the $line kernel"
	step "build module $line" "$SGCAP_TOP/vm/build-module.sh" "${kroot[$line]}" \
		"$SGCAP_BUILD/$line" || finish
done

if [ "${SGCAP_SKIP_LINT:-0}" != 1 ]; then
	make -s -C "$SGCAP_TOP" lint > "$SGCAP_BUILD/logs/lint.log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then record "lint" 1 0 0; else
		tail -n 40 "$SGCAP_BUILD/logs/lint.log" >&2
		record "lint" 0 1 0
	fi
fi

# Host unit tests: plain C programs and scripts, the last line of each is
# "N passed, N failed"; each program counts as one test, passed when it
# reported no failure (its own figures are in the log).
if [ -d "$SGCAP_TOP/userspace/tests" ]; then
	make -s -C "$SGCAP_TOP" host-tests O="$SGCAP_BUILD/host" \
		> "$SGCAP_BUILD/logs/host-tests.log" 2>&1
	rc=$?
	hp=$(awk '/^[0-9]+ passed, [0-9]+ failed/ { if ($3 == 0 && $1 > 0) p++; else f++ }
		END { print p + 0, f + 0 }' "$SGCAP_BUILD/logs/host-tests.log")
	set -- $hp
	if [ $rc -ne 0 ] || [ "$1" -eq 0 ] || [ "$2" -ne 0 ]; then
		tail -n 20 "$SGCAP_BUILD/logs/host-tests.log" >&2
		[ "$2" -eq 0 ] && set -- "$1" 1
	fi
	record "host unit tests" "$1" "$2" 0
fi

# make install / make uninstall into a scratch DESTDIR (counted as one test;
# its own checks are in the log). make deb-check covers the packages.
if "$SGCAP_TOP/vm/install-check.sh" > "$SGCAP_BUILD/logs/install.log" 2>&1; then
	record "install/uninstall" 1 0 0
else
	grep -v '^ok' "$SGCAP_BUILD/logs/install.log" | tail -n 20 >&2
	record "install/uninstall" 0 1 0
fi

step "build guest tests" make -s -C "$SGCAP_TOP" guest-tests O="$SGCAP_BUILD/guest" \
	HARNESS_DIR="$ksrc/tools/testing/selftests" || finish

for line in $SGCAP_KERNELS; do
	step "initramfs $line" "$SGCAP_TOP/vm/mkinitramfs.sh" "${kroot[$line]}" \
		"$SGCAP_BUILD/$line/sgcap.ko" "$SGCAP_BUILD/guest" \
		"$SGCAP_BUILD/$line/initramfs.cpio.gz" || finish
done

# Two boots at a time: single-threaded TCG keeps one core busy per guest.
# The debug kernel's boots take longest (KASAN, lockdep, kmemleak under
# TCG): they start first and get a longer timeout.
boots=()
for line in $SGCAP_KERNELS; do
	for mode in plain iommu; do
		boots+=("$line $mode")
	done
done
launch=()
for b in "${boots[@]}"; do
	case "$b" in *-debug*) launch=("$b" "${launch[@]}") ;; *) launch+=("$b") ;; esac
done
jobs_max=${SGCAP_JOBS:-2}
for b in "${launch[@]}"; do
	set -- $b
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
	sgcap_say "booting $1 ($2)"
	timeout_s=${SGCAP_BOOT_TIMEOUT:-600}
	args=${SGCAP_GUEST_ARGS:-}
	case "$1" in *-debug) timeout_s=${SGCAP_DEBUG_BOOT_TIMEOUT:-900} ;; esac
	# Under kmemleak and lockdep, ACPICA runs the pc machine's _PRT (a
	# 128-round AML loop) into its 30 s loop timeout at every PCI enable;
	# the edu card uses MSI, so no ACPI IRQ routing is needed (q35: fast).
	case "$1 $2" in *-debug" plain") args="$args acpi=noirq" ;; esac
	SGCAP_BOOT_TIMEOUT=$timeout_s \
	"$SGCAP_TOP/vm/boot.sh" "${kroot[$1]}" "$SGCAP_BUILD/$1/initramfs.cpio.gz" \
		"$SGCAP_BUILD/logs/guest-$1-$2.log" "$2" $args &
done
wait

for b in "${boots[@]}"; do
	set -- $b
	log=$SGCAP_BUILD/logs/guest-$1-$2.log
	verdict=$(awk -f "$SGCAP_TOP/vm/judge.awk" "$log")
	read -r p f s <<< "$(head -n 1 <<< "$verdict")"
	tail -n +2 <<< "$verdict" | sed "s|^|  guest $1 $2: |" >&2
	record "guest $1 $2" "$p" "$f" "$s"
done
finish
