#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh KROOT MODULE TESTDIR OUT - pack the guest's initramfs:
# busybox-static, /init, sgcap.ko, every file of TESTDIR as /tests, and the
# Debian modules the tests need (vgem, vivid) with their dependencies,
# decompressed and indexed with depmod so busybox modprobe finds them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kroot=${1:?usage: mkinitramfs.sh KROOT MODULE TESTDIR OUT}
module=${2:?}
tests=${3:?}
out=${4:?}
ver=$(cat "$kroot/../version")
stage=$(mktemp -d "${TMPDIR:-/tmp}/sgcap-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,tests,lib/modules/"$ver"}
cp /bin/busybox "$stage/bin/busybox"
for app in $("$stage/bin/busybox" --list); do
	[ "$app" = busybox ] || ln -s busybox "$stage/bin/$app"
done
install -m 0755 "$SGCAP_TOP/vm/init.sh" "$stage/init"
[ -f "$SGCAP_TOP/vm/demo-guest.sh" ] && install -m 0755 "$SGCAP_TOP/vm/demo-guest.sh" "$stage/demo.sh"
cp "$module" "$stage/lib/modules/sgcap.ko"
if [ -d "$tests" ]; then
	cp -a "$tests"/. "$stage/tests/"
fi

# Resolve vgem and vivid with their dependencies from the image's modules.dep.
mods=$kroot/lib/modules/$ver
want=$(awk -F: '
	{ dep[$1] = $2 }
	END {
		for (m in dep) if (m ~ /\/(vgem|vivid)\.ko/) {
			print m
			n = split(dep[m], d, " ")
			for (i = 1; i <= n; i++) print d[i]
		}
	}' "$mods/modules.dep" | sort -u)
for m in $want; do
	dst=$stage/lib/modules/$ver/$m
	mkdir -p "$(dirname "$dst")"
	case "$m" in
	*.xz)	xz -dc "$mods/$m" > "${dst%.xz}" ;;
	*.zst)	zstd -q -dc "$mods/$m" > "${dst%.zst}" ;;
	*)	cp "$mods/$m" "$dst" ;;
	esac
done
cp "$mods"/modules.{order,builtin,builtin.modinfo} "$stage/lib/modules/$ver/" 2>/dev/null || true
depmod -b "$stage" "$ver"

(cd "$stage" && find . | sort | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
