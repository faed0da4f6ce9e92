#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh LINE - fetch the newest Debian kernel image and headers of a
# kernel line (6.1 or 6.12; `latest`: the newest amd64 kernel of any line the
# configured registry offers, which make dkms-build builds against too) into
# the cache, unpacked into a private root, and print the root's path. Nothing
# is installed on the host: the .debs are only downloaded (apt-get download)
# and unpacked (dpkg -x).
#
# Layout: $SGCAP_CACHE/kernels/<version>/{debs/,root/,.done}
#   root/boot/vmlinuz-<ver>, root/lib/modules/<ver>/ (with modules.dep),
#   root/build -> the headers tree to build modules against.
set -euo pipefail

line=${1:?usage: fetch-kernel.sh 6.1|6.12|latest}
cache=${SGCAP_CACHE:-$HOME/.cache/sgcap}
mkdir -p "$cache/kernels"

# Resolve the newest version of the line once a day; reuse what is cached
# when the registry cannot be asked.
pick() {
	local pat=$1
	apt-cache search --names-only "$pat" 2>/dev/null | awk '{print $1}' | sort -V | tail -n 1
}

# An absent or stale package list finds nothing: refresh it once and retry.
resolve() {
case "$line" in
6.1)	img=$(pick '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$')
	ver=${img#linux-image-}; ver=${ver%-unsigned}		# 6.1.0-56-amd64
	abi=${ver%-amd64}					# 6.1.0-56
	debs="$img linux-headers-$ver linux-headers-$abi-common linux-kbuild-6.1"
	;;
6.12)	img=$(pick '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$')
	ver=${img#linux-image-}; ver=${ver%-unsigned}		# 6.12.117+deb12-amd64
	abi=${ver%-amd64}					# 6.12.117+deb12
	debs="$img linux-headers-$ver linux-headers-$abi-common linux-kbuild-$abi"
	;;
latest)	# Plain amd64 flavour only (not cloud or rt); either naming scheme.
	img=$(apt-cache search --names-only '^linux-image-[0-9][^ ]*-amd64-unsigned$' 2>/dev/null |
		awk '$1 !~ /-(cloud|rt)-amd64/ {print $1}' | sort -V | tail -n 1)
	ver=${img#linux-image-}; ver=${ver%-unsigned}
	abi=${ver%-amd64}
	mm=$(cut -d. -f1-2 <<< "$abi")
	kbuild=$(pick "^linux-kbuild-$(sed 's/[.+]/\\&/g' <<< "$abi")\$")
	debs="$img linux-headers-$ver linux-headers-$abi-common ${kbuild:-linux-kbuild-$mm}"
	;;
*)	echo "fetch-kernel.sh: unknown line '$line'" >&2; exit 2 ;;
esac
}
resolve
if [ -z "$img" ]; then
	apt-get update -q=2 >&2 || true
	resolve
fi

if [ -z "$img" ]; then
	# No package list (apt-get update never ran, or no registry): fall back
	# to the newest cached kernel of this line.
	glob="$line.*"; [ "$line" = latest ] && glob='[0-9]*-amd64'
	hit=$(ls -d "$cache"/kernels/$glob/.done 2>/dev/null | sort -V | tail -n 1 || true)
	[ -n "$hit" ] || { echo "fetch-kernel.sh: no $line kernel in the registry or cache" >&2; exit 1; }
	echo "$(dirname "$hit")/root"
	exit 0
fi

dir=$cache/kernels/$ver
if [ -f "$dir/.done" ]; then
	echo "$dir/root"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/root"
(cd "$dir/debs" && apt-get download -q=2 -o APT::Sandbox::User=root $debs >&2)
for d in "$dir"/debs/*.deb; do
	dpkg -x "$d" "$dir/root"
done

# The arch headers' Makefile includes the common tree by absolute path.
hdr=$dir/root/usr/src/linux-headers-$ver
sed -i "s|/usr/src/|$dir/root/usr/src/|" "$hdr/Makefile"
# Symlinks into /usr/lib/linux-kbuild-* are absolute in some releases.
find "$dir/root/usr/src" -type l | while read -r l; do
	t=$(readlink "$l")
	case "$t" in /*) ln -sfn "$dir/root$t" "$l" ;; esac
done
ln -sfn "$hdr" "$dir/root/build"
echo "$ver" > "$dir/version"
depmod -b "$dir/root" "$ver"
touch "$dir/.done"
echo "$dir/root"
