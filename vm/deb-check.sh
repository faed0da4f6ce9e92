#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deb-check.sh - make deb-check: build the Debian packages (vm/deb.sh,
# lintian included; SGCAP_DEB_REUSE=1 takes those already in
# $SGCAP_BUILD/deb), install them with `dpkg --root` into a scratch root and
# check that every file lands where it should, that the maintainer scripts
# call DKMS as they should (a busybox shell and stand-ins for DKMS inside
# the root record the calls), that a program builds against the installed
# library with pkg-config and runs, that the installed DKMS source builds
# with the real DKMS (private tree, 6.12 headers), and that removing and
# purging the packages takes everything away. Nothing is installed on the
# host. Ends with "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ver=$(cat "$SGCAP_TOP/VERSION")
out=$SGCAP_BUILD/deb
changes=$out/sgcap_${ver}_$(dpkg-architecture -qDEB_HOST_ARCH).changes
if [ "${SGCAP_DEB_REUSE:-0}" != 1 ] || [ ! -f "$changes" ]; then
	"$SGCAP_TOP/vm/deb.sh" || sgcap_die "make deb failed"
fi
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
root=$out/root
pkgs=(sgcap-dkms libsgcap1 libsgcap-dev sgcap-tools)
rm -rf "$root" "$out/check"
mkdir -p "$out/check"

pass=0 fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $*"; fail=$((fail + 1)); }
check() {	# check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# An empty dpkg database, a shell for the maintainer scripts (dpkg runs them
# chrooted into the root) and stand-ins for DKMS that log their arguments.
mkdir -p "$root"/var/lib/dpkg/{info,updates,triggers} "$root"/bin "$root"/tmp \
	"$root"/usr/sbin "$root"/usr/lib/dkms "$root"/var/log
touch "$root"/var/lib/dpkg/{status,available}
cp "$(command -v busybox)" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cat > "$root/usr/lib/dkms/common.postinst" <<'EOS'
#!/bin/sh
echo "common.postinst $*" >> /var/log/dkms.log
EOS
cat > "$root/usr/sbin/dkms" <<EOS
#!/bin/sh
echo "dkms \$*" >> /var/log/dkms.log
[ "\$1" = status ] && echo "sgcap/$ver, 6.12.0-1-amd64, x86_64: installed"
exit 0
EOS
chmod 0755 "$root/usr/lib/dkms/common.postinst" "$root/usr/sbin/dkms"

debs=()
for p in "${pkgs[@]}"; do
	debs+=("$(ls "$out/${p}_${ver}"_*.deb)")
done
dpkg() { command dpkg --root="$root" --force-depends --force-bad-path "$@"; }
if dpkg -i "${debs[@]}" > "$out/check/install.log" 2>&1; then
	ok "dpkg --root -i ${pkgs[*]}"
else
	cat "$out/check/install.log"
	not_ok "dpkg --root -i ${pkgs[*]}"
fi
for p in "${pkgs[@]}"; do
	st=$(dpkg-query --root="$root" -W -f='${Status}' "$p" 2>&1)
	check "$p is installed ($st)" test "$st" = "install ok installed"
done

# Where every file lands.
src=/usr/src/sgcap-$ver
libdir=/usr/lib/$multiarch
while read -r pkg mode path; do
	f=$root$path
	if [ "$mode" = l ]; then
		check "$pkg: $path (symlink)" test -L "$f"
	elif [ -f "$f" ] && [ "$(stat -c %a "$f")" = "$mode" ]; then
		ok "$pkg: $path ($mode)"
	else
		not_ok "$pkg: $path ($mode): $(stat -c %a "$f" 2>&1)"
	fi
done <<EOF2
sgcap-dkms 644 $src/dkms.conf
sgcap-dkms 644 $src/Kbuild
sgcap-dkms 644 $src/VERSION
sgcap-dkms 644 $src/drivers/sgcap/sgcap_core.c
sgcap-dkms 644 $src/drivers/sgcap/compat.h
sgcap-dkms 644 $src/uapi/linux/sgcap.h
sgcap-dkms 644 /lib/udev/rules.d/60-sgcap.rules
sgcap-dkms 644 /etc/modprobe.d/sgcap.conf
sgcap-dkms 644 /usr/share/doc/sgcap-dkms/copyright
libsgcap1 644 $libdir/libsgcap.so.$ver
libsgcap1 l $libdir/libsgcap.so.1
libsgcap-dev l $libdir/libsgcap.so
libsgcap-dev 644 $libdir/libsgcap.a
libsgcap-dev 644 $libdir/pkgconfig/libsgcap.pc
libsgcap-dev 644 /usr/include/sgcap.h
libsgcap-dev 644 /usr/include/linux/sgcap.h
sgcap-tools 755 /usr/bin/sgcap
sgcap-tools 644 /usr/share/man/man1/sgcap.1.gz
EOF2
guide=$(find "$root/usr/share/doc/sgcap-dkms" -name 'sgcap.rst*')
check "sgcap-dkms: the admin guide ${guide#"$root"}" test -n "$guide"
check "no object files in the DKMS source" \
	test -z "$(find "$root$src" -name '*.o' -o -name '*.ko' -o -name '*.cmd')"
check "dkms.conf: PACKAGE_VERSION=\"$ver\"" grep -qx "PACKAGE_VERSION=\"$ver\"" "$root$src/dkms.conf"
check "dkms.conf: BUILD_EXCLUSIVE_KERNEL_MIN=\"6.1\"" \
	grep -qx 'BUILD_EXCLUSIVE_KERNEL_MIN="6.1"' "$root$src/dkms.conf"
check "dkms.conf: AUTOINSTALL=\"yes\"" grep -qx 'AUTOINSTALL="yes"' "$root$src/dkms.conf"
check "udev rule: video group, mode 0660" grep -qx \
	'KERNEL=="sgcap\[0-9\]\*", SUBSYSTEM=="misc", GROUP="video", MODE="0660"' \
	"$root/lib/udev/rules.d/60-sgcap.rules"
check "/etc/modprobe.d/sgcap.conf is a conffile" sh -c \
	"dpkg-query --root='$root' -W -f='\${Conffiles}' sgcap-dkms | grep -q ' /etc/modprobe.d/sgcap.conf '"
check "/etc/modprobe.d/sgcap.conf changes nothing until edited" \
	test -z "$(grep -v '^#' "$root/etc/modprobe.d/sgcap.conf" | grep -v '^$')"
check "postinst ran DKMS's common.postinst for sgcap $ver" \
	grep -q "^common.postinst sgcap $ver /usr/share/sgcap-dkms" "$root/var/log/dkms.log"
check "libsgcap.so.1 has SONAME libsgcap.so.1" sh -c \
	"readelf -d '$root$libdir/libsgcap.so.$ver' | grep -q 'SONAME.*\[libsgcap.so.1\]'"
check "man page sgcap(1)" sh -c "zcat '$root/usr/share/man/man1/sgcap.1.gz' | grep -q '^\.TH SGCAP 1'"

# A program built with pkg-config against the installed files alone.
cat > "$out/check/use_lib.c" <<'EOF2'
#include <stdio.h>
#include <string.h>
#include <sgcap.h>

int main(void)
{
	puts(sgcap_library_version());
	return strcmp(sgcap_library_version(), SGCAP_LIB_VERSION) != 0;
}
EOF2
flags=$(PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_LIBDIR=$root$libdir/pkgconfig \
	pkg-config --cflags --libs libsgcap 2>&1)
# shellcheck disable=SC2086 # $flags is a list of options
if cc -Wall -Werror -o "$out/check/use_lib" "$out/check/use_lib.c" $flags \
	> "$out/check/use_lib.log" 2>&1 &&
   got=$(LD_LIBRARY_PATH=$root$libdir "$out/check/use_lib") && [ "$got" = "$ver" ] &&
   LD_LIBRARY_PATH=$root$libdir ldd "$out/check/use_lib" | grep -q "=> $root$libdir/libsgcap.so.1"; then
	ok "a program builds with pkg-config ($flags) and runs against the installed libsgcap.so.1 ($ver)"
else
	cat "$out/check/use_lib.log"
	not_ok "a program builds with pkg-config ($flags) and runs against the installed library"
fi
got=$("$root/usr/bin/sgcap" --version 2>&1)
check "sgcap --version: $got" grep -q "$ver" <<< "$got"

# The packaged DKMS source builds with the real DKMS (private tree).
kroot=$(sgcap_kroot 6.12) || sgcap_die "cannot fetch the 6.12 kernel"
kver=$(cat "$kroot/../version")
tree=$out/check/dkms
mkdir -p "$tree/tree" "$tree/modules"
dk=(dkms --dkmstree "$tree/tree" --sourcetree "$root/usr/src" --installtree "$tree/modules")
if sign_file=/nonexistent/sgcap-builds-unsigned "${dk[@]}" add -m sgcap -v "$ver" \
		> "$tree/log" 2>&1 &&
   sign_file=/nonexistent/sgcap-builds-unsigned "${dk[@]}" build -m sgcap -v "$ver" \
		-k "$kver" --kernelsourcedir "$kroot/build" >> "$tree/log" 2>&1 &&
   ls "$tree/tree/sgcap/$ver/$kver"/*/module/sgcap.ko* > /dev/null 2>&1; then
	ok "the packaged DKMS source builds for $kver"
else
	tail -n 20 "$tree/log"
	not_ok "the packaged DKMS source builds for $kver"
fi

# Remove, then purge.
: > "$root/var/log/dkms.log"
if dpkg -r "${pkgs[@]}" > "$out/check/remove.log" 2>&1; then
	ok "dpkg --root -r ${pkgs[*]}"
else
	cat "$out/check/remove.log"
	not_ok "dpkg --root -r"
fi
check "prerm ran dkms remove -m sgcap -v $ver --all" \
	grep -q "^dkms remove -m sgcap -v $ver --all" "$root/var/log/dkms.log"
left=$(cd "$root" && find usr/src lib usr/include usr/bin usr/lib/"$multiarch" \
	-name '*sgcap*' 2>/dev/null)
check "removal took the files away${left:+ (left: $left)}" test -z "$left"
check "removal kept the conffile (purge takes it)" test -f "$root/etc/modprobe.d/sgcap.conf"
dpkg -P "${pkgs[@]}" > "$out/check/purge.log" 2>&1
check "purge removed /etc/modprobe.d/sgcap.conf" test ! -e "$root/etc/modprobe.d/sgcap.conf"

stray=$(ls -d /usr/src/sgcap-* /var/lib/dkms/sgcap /var/lib/dkms/mok.key 2>/dev/null)
check "the host's /usr/src and DKMS tree are untouched${stray:+ ($stray)}" test -z "$stray"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
