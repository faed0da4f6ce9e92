#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-debug-kernel.sh - build, once, the "6.12-debug" kernel: Debian's
# linux-source-6.12 configured as tinyconfig + vm/debug.config (KASAN,
# lockdep, kmemleak, DMA API debug, fault injection, KUnit, ...), and print
# the path of its private root, shaped like the roots of fetch-kernel.sh:
#
#   $SGCAP_CACHE/kernels/6.12-debug-<key>/
#     src/                      the whole source tree, built in place
#     root/boot/vmlinuz-<ver>   the kernel
#     root/lib/modules/<ver>/   its modules (vgem, vivid, ...), with modules.dep
#     root/build -> ../src      what modules build against (make -C ... M=)
#     version                   <ver>, e.g. 6.12.117-sgcap-debug
#     build-seconds             wall time of the compile, for the record
#     build.log                 the compiler's output
#
# <key> hashes the fragment's settings (comments do not count), the source
# package's version and the recipe below, so a warm run only prints the
# path. The compile runs under nice -n 19 on $SGCAP_KERNEL_JOBS (default 2)
# jobs: the machines that run it are shared. Nothing is installed on the
# host: the source package is only downloaded (apt-get download).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

frag=$SGCAP_TOP/vm/debug.config
# Bump when the steps below change what gets built.
recipe=1
jobs=${SGCAP_KERNEL_JOBS:-2}

# The kernel's make must not inherit ours (`make check O=...`, -s, -j).
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

srcver() {
	apt-cache policy linux-source-6.12 2>/dev/null |
		awk '/Candidate:/ && $2 != "(none)" { print $2 }'
}
ver_src=$(srcver)
if [ -z "$ver_src" ]; then
	apt-get update -q=2 >&2 || true
	ver_src=$(srcver)
fi
settings=$(grep -E '^(CONFIG_|# CONFIG_)' "$frag" | sort)
if [ -z "$ver_src" ]; then
	# No registry: the newest cached build of these settings, if any.
	for d in $(ls -d "$SGCAP_CACHE"/kernels/6.12-debug-*/ 2>/dev/null | sort -r); do
		if [ -f "$d/.done" ] && [ "$(cat "$d/settings")" = "$settings" ]; then
			echo "${d%/}/root"
			exit 0
		fi
	done
	sgcap_die "no linux-source-6.12 in the registry and no cached debug kernel"
fi
key=$(printf '%s\n' "recipe $recipe" "source $ver_src" "$settings" | sha256sum | cut -c1-12)
dir=$SGCAP_CACHE/kernels/6.12-debug-$key
if [ -f "$dir/.done" ]; then
	echo "$dir/root"
	exit 0
fi

mkdir -p "$SGCAP_CACHE/kernels"
# One build at a time per key; a second caller waits and then finds it done.
exec 9> "$dir.lock"
flock 9
if [ -f "$dir/.done" ]; then
	echo "$dir/root"
	exit 0
fi

sgcap_say "building the 6.12-debug kernel ($ver_src, key $key): about" \
	"10-15 minutes on 2 cores, once; log: $dir/build.log"
rm -rf "$dir"
mkdir -p "$dir/deb" "$dir/root/boot"
(cd "$dir/deb" && apt-get download -q=2 -o APT::Sandbox::User=root \
	"linux-source-6.12=$ver_src" >&2)
dpkg -x "$dir"/deb/linux-source-6.12_*.deb "$dir/deb/x"
tar -C "$dir" -xaf "$dir"/deb/x/usr/src/linux-source-6.12.tar.*
mv "$dir/linux-source-6.12" "$dir/src"
rm -rf "$dir/deb"
printf '%s\n' "$settings" > "$dir/settings"

cd "$dir/src"
{
	make tinyconfig
	scripts/kconfig/merge_config.sh -m .config "$frag"
	make olddefconfig
} > "$dir/build.log" 2>&1 || sgcap_die "configuring failed, see $dir/build.log"

# Every setting of the fragment must have survived olddefconfig: a symbol
# whose dependencies are missing is silently dropped otherwise.
bad=0
while read -r l; do
	case "$l" in
	"# CONFIG_"*)	sym=${l#\# }; sym=${sym%% *}
			if grep -q "^$sym=" .config; then
				sgcap_say "debug.config: $sym is set, wanted off"; bad=1
			fi ;;
	CONFIG_*)	if ! grep -qxF "$l" .config; then
				sgcap_say "debug.config: wanted $l, got" \
					"$(grep "^${l%%=*}=" .config || echo 'not set')"
				bad=1
			fi ;;
	esac
done <<< "$settings"
[ $bad -eq 0 ] || sgcap_die "debug.config does not apply to $ver_src"

t0=$(date +%s)
nice -n 19 make -j"$jobs" bzImage modules >> "$dir/build.log" 2>&1 ||
	sgcap_die "the debug kernel build failed, see $dir/build.log"
t1=$(date +%s)
echo $((t1 - t0)) > "$dir/build-seconds"

ver=$(make -s kernelrelease)
cp arch/x86/boot/bzImage "$dir/root/boot/vmlinuz-$ver"
nice -n 19 make -s INSTALL_MOD_PATH="$dir/root" INSTALL_MOD_STRIP=1 \
	modules_install >> "$dir/build.log" 2>&1 ||
	sgcap_die "modules_install failed, see $dir/build.log"
rm -f "$dir/root/lib/modules/$ver/build" "$dir/root/lib/modules/$ver/source"
ln -sfn ../src "$dir/root/build"
echo "$ver" > "$dir/version"
touch "$dir/.done"
sgcap_say "built $ver in $((t1 - t0)) s"

# Older builds of other settings are not used any more.
for d in "$SGCAP_CACHE"/kernels/6.12-debug-*/; do
	d=${d%/}
	[ "$d" = "$dir" ] && continue
	rm -rf "$d" "$d.lock"
done
echo "$dir/root"
