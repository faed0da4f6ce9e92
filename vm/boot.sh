#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# boot.sh KROOT INITRAMFS LOG plain|iommu [KERNEL-ARGS...] - boot a cached
# kernel under QEMU with the test initramfs and a QEMU edu PCI device, the
# serial console to LOG (carriage returns stripped). "iommu" boots a q35
# machine with an Intel IOMMU in strict mode. A guest that does not power off
# within SGCAP_BOOT_TIMEOUT seconds is killed; the log then lacks the end
# marker and the run is judged cut off.
#
# The edu device ("edu0") sits on a hot-pluggable slot. A guest test that
# prints the line "SGCAP-HOST-REQUEST device_del edu0" on the console gets
# it unplugged through the QEMU monitor, as a user would; the guest learns
# of this service from sgcap_hotplug=1 on its command line.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kroot=${1:?usage: boot.sh KROOT INITRAMFS LOG plain|iommu [ARGS...]}
initrd=${2:?}
log=${3:?}
mode=${4:?}
shift 4
ver=$(cat "$kroot/../version")
timeout_s=${SGCAP_BOOT_TIMEOUT:-600}

# KVM is used only when the CPU really has virtualisation: on some machines
# /dev/kvm exists but the CPU lacks vmx and guests hang. Multi-threaded TCG crashed about 2 boots in
# 100 with a spurious int3, so TCG runs single-threaded.
kvm_ok() { [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; }
if [ -z "${SGCAP_ACCEL:-}" ] && kvm_ok; then
	SGCAP_ACCEL=kvm
fi
accel=${SGCAP_ACCEL:-tcg,thread=single}
cpu=max
[ "${accel%%,*}" = kvm ] && cpu=host

# The edu device takes 100 ms of virtual time per DMA transfer: with icount
# and sleep=off, a guest that waits idle for it skips that time (TCG only,
# SGCAP_ICOUNT=1). Off by default: it saves about 25 s of PCI tests a boot,
# but one icount boot in about 35 crashed in the guest (a spurious debug
# trap), while plain single-threaded TCG has booted clean over a hundred
# times.
icount=()
[ "${accel%%,*}" = tcg ] && [ "${SGCAP_ICOUNT:-0}" = 1 ] &&
	icount=(-icount shift=auto,sleep=off)

append="console=ttyS0 panic=-1 oops=panic quiet loglevel=4 sgcap_iommu=0"
append="$append sgcap_hotplug=1"
machine=(-machine pc)
# pc: the slots of pci.0 are hot-pluggable through ACPI.
edu=(-device edu,id=edu0)
case "$mode" in
plain)	;;
iommu)	machine=(-machine q35,kernel-irqchip=split -device intel-iommu,intremap=on)
	# q35: the root complex is not hot-pluggable, a root port is.
	edu=(-device pcie-root-port,id=rp0,chassis=1 -device edu,id=edu0,bus=rp0)
	append="${append/sgcap_iommu=0/sgcap_iommu=1} intel_iommu=on iommu.strict=1"
	;;
*)	sgcap_die "boot.sh: mode must be plain or iommu" ;;
esac

# SGCAP_TEE=1 also copies the console to stdout (fd 3 here) as it comes,
# carriage returns and all, for `make demo` to show live.
exec 3>&1
console() {
	if [ "${SGCAP_TEE:-0}" = 1 ]; then tee /dev/fd/3; else cat; fi
}

# The human monitor on a pair of FIFOs, MON.in and MON.out. Ours is open
# read-write: a write never blocks, even if QEMU is gone.
mon=$(mktemp -d "${TMPDIR:-/tmp}/sgcap-mon.XXXXXX")/mon
trap 'rm -rf "${mon%/mon}"' EXIT
mkfifo "$mon.in" "$mon.out"
exec 4<>"$mon.in"

# Each console line, carriage returns stripped, to stdout as it comes: the
# guest may wait for the answer to a request.
watch_console() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line//$'\r'/}
		printf '%s\n' "$line"
		if [ "$line" = "SGCAP-HOST-REQUEST device_del edu0" ]; then
			echo "device_del edu0" >&4
		fi
	done
}

timeout -k 5 "$timeout_s" qemu-system-x86_64 \
	-accel "$accel" "${icount[@]}" -cpu "$cpu" -smp "${SGCAP_SMP:-2}" -m 1G \
	"${machine[@]}" "${edu[@]}" ${SGCAP_QEMU_EXTRA:-} \
	-kernel "$kroot/boot/vmlinuz-$ver" -initrd "$initrd" \
	-append "$append $*" \
	-chardev pipe,id=mon0,path="$mon" -mon chardev=mon0,mode=readline \
	-nographic -no-reboot -serial stdio </dev/null 2>&1 |
	console | watch_console > "$log"
exit 0
