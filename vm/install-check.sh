#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install-check.sh - `make install` and `make uninstall` into a scratch
# DESTDIR with PREFIX=/usr, the module built against the cached 6.12
# headers: every file lands where it should, uninstall takes all of them
# away, and an administrator's edited /etc/modprobe.d/sgcap.conf survives
# both; ./VERSION agrees with the places that repeat it. Nothing outside
# $SGCAP_BUILD changes. Ends with "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kroot=$(sgcap_kroot 6.12) || sgcap_die "cannot fetch the 6.12 kernel"
kver=$(cat "$kroot/../version")
dest=$SGCAP_BUILD/install-check
rm -rf "$dest"
mk=(make -s -C "$SGCAP_TOP" DESTDIR="$dest" PREFIX=/usr KDIR="$kroot/build")

pass=0 fail=0
check() {	# check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then echo "ok - $what"; pass=$((pass + 1)); else
		echo "not ok - $what"; fail=$((fail + 1)); fi
}
files() { (cd "$dest" 2>/dev/null && find . ! -type d | sed 's|^\.||' | sort); }

# Kbuild's modules_install tries to sign with the kernel's key (Debian sets
# CONFIG_MODULE_SIG_ALL), which only the kernel's builder has: that failure
# is allowed for external modules and only printed.
"${mk[@]}" install > "$SGCAP_BUILD/install-check.log" 2>&1
check "make install DESTDIR=... PREFIX=/usr KDIR=<6.12>" test $? -eq 0 ||
	tail -n 20 "$SGCAP_BUILD/install-check.log"
want="/etc/modprobe.d/sgcap.conf
/lib/modules/$kver/extra/sgcap.ko.xz
/usr/bin/sgcap
/usr/include/linux/sgcap.h
/usr/include/sgcap.h
/usr/lib/libsgcap.a
/usr/lib/libsgcap.so
/usr/lib/libsgcap.so.1
/usr/lib/libsgcap.so.1.0.0
/usr/lib/pkgconfig/libsgcap.pc
/usr/lib/udev/rules.d/60-sgcap.rules
/usr/share/man/man1/sgcap.1"
got=$(files)
check "installed files: $(wc -l <<< "$want") expected" test "$got" = "$want" ||
	diff <(echo "$want") <(echo "$got")
check "the module's version is $(cat "$SGCAP_TOP/VERSION")" test \
	"$(modinfo -F version "$dest/lib/modules/$kver/extra/sgcap.ko.xz" 2>&1)" = \
	"$(cat "$SGCAP_TOP/VERSION")"
check "libsgcap.pc: prefix=/usr" grep -qx 'prefix=/usr' "$dest/usr/lib/pkgconfig/libsgcap.pc"
check "udev rule is the one in dist/" cmp -s "$SGCAP_TOP/dist/udev/60-sgcap.rules" \
	"$dest/usr/lib/udev/rules.d/60-sgcap.rules"

# The administrator's edit survives a reinstall and the uninstall.
echo 'options sgcap sim_cards=0' >> "$dest/etc/modprobe.d/sgcap.conf"
"${mk[@]}" install-udev > /dev/null 2>&1
check "install keeps an edited modprobe.d file" \
	grep -qx 'options sgcap sim_cards=0' "$dest/etc/modprobe.d/sgcap.conf"
"${mk[@]}" uninstall >> "$SGCAP_BUILD/install-check.log" 2>&1
check "make uninstall" test $? -eq 0
check "uninstall leaves only the edited modprobe.d file" \
	test "$(files)" = /etc/modprobe.d/sgcap.conf
# An unchanged one goes.
"${mk[@]}" install-udev > /dev/null 2>&1 && rm "$dest/etc/modprobe.d/sgcap.conf" &&
	"${mk[@]}" install-udev > /dev/null 2>&1 && "${mk[@]}" uninstall-udev > /dev/null 2>&1
check "uninstall removes an unchanged modprobe.d file" test -z "$(files)"

# ./VERSION is the one version; the places that must repeat it agree.
ver=$(cat "$SGCAP_TOP/VERSION")
hdr=$(sed -n 's/^#define SGCAP_LIB_VERSION[[:space:]]*"\(.*\)"/\1/p' "$SGCAP_TOP/userspace/include/sgcap.h")
man=$(sed -n 's/^\.TH SGCAP 1 "[^"]*" "sgcap \([^"]*\)".*/\1/p' "$SGCAP_TOP/userspace/man/sgcap.1")
deb=$(sed -n '1s/^sgcap (\([^)-]*\)[^)]*).*/\1/p' "$SGCAP_TOP/debian/changelog")
check "VERSION $ver = SGCAP_LIB_VERSION $hdr = sgcap.1 $man = debian/changelog $deb" \
	test "$ver" = "$hdr" -a "$ver" = "$man" -a "$ver" = "$deb"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
