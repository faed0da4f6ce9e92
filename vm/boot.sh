#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# boot.sh KROOT INITRAMFS LOG plain|iommu [KERNEL-ARGS...] - boot a cached
# kernel under QEMU with the test initramfs and a QEMU edu PCI device, the
# serial console to LOG (carriage returns stripped). "iommu" boots a q35
# machine with an Intel IOMMU in strict mode. A guest that does not power off
# within SGCAP_BOOT_TIMEOUT seconds is killed; the log then lacks the end
# marker and the run is judged cut off.
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

append="console=ttyS0 panic=-1 oops=panic quiet loglevel=4 sgcap_iommu=0"
machine=(-machine pc)
case "$mode" in
plain)	;;
iommu)	machine=(-machine q35,kernel-irqchip=split -device intel-iommu,intremap=on)
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

timeout -k 5 "$timeout_s" qemu-system-x86_64 \
	-accel "$accel" -cpu "$cpu" -smp "${SGCAP_SMP:-2}" -m 1G "${machine[@]}" \
	-device edu ${SGCAP_QEMU_EXTRA:-} \
	-kernel "$kroot/boot/vmlinuz-$ver" -initrd "$initrd" \
	-append "$append $*" \
	-nographic -no-reboot -monitor none -serial stdio </dev/null 2>&1 |
	console | tr -d '\r' > "$log"
exit 0
