#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-build.sh - make dkms-build: prove that `dkms add` and `dkms build`
# work for sgcap against the headers of every tested kernel (6.1, 6.12) and
# of the newest kernel the registry offers (`latest`, skipped when it is one
# of those), and that dkms.conf turns away a kernel older than 6.1. The
# source is laid out as `make install-dkms` would put it in /usr/src; DKMS
# runs on private trees under $SGCAP_BUILD/dkms (--dkmstree, --sourcetree,
# --installtree, --kernelsourcedir): nothing is installed on the host, no
# depmod, nothing is loaded. Ends with "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

"$SGCAP_TOP/vm/setup-packaging.sh" || sgcap_die "cannot install dkms"
ver=$(cat "$SGCAP_TOP/VERSION")
top=$SGCAP_BUILD/dkms
rm -rf "$top"
mkdir -p "$top/tree" "$top/modules"
make -s -C "$SGCAP_TOP" install-dkms DESTDIR="$top/root" > /dev/null ||
	sgcap_die "make install-dkms failed"

# With no signing tool found DKMS signs nothing; a sign-file it finds would
# make it create a key pair in the host's /var/lib/dkms. Point it nowhere.
export sign_file=/nonexistent/sgcap-builds-unsigned
dkms=(dkms --dkmstree "$top/tree" --sourcetree "$top/root/usr/src"
      --installtree "$top/modules")

pass=0 fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $*"; fail=$((fail + 1)); }

if "${dkms[@]}" add -m sgcap -v "$ver" > "$top/add.log" 2>&1; then
	ok "dkms add sgcap/$ver"
else
	cat "$top/add.log"
	not_ok "dkms add sgcap/$ver"
fi

declare -A seen
k61=
for line in 6.1 6.12 latest; do
	kroot=$(sgcap_kroot "$line") || { not_ok "fetch the $line kernel"; continue; }
	kver=$(cat "$kroot/../version")
	[ "$line" = 6.1 ] && k61=$kroot
	if [ -n "${seen[$kver]:-}" ]; then
		echo "# $line is $kver, built above"
		continue
	fi
	seen[$kver]=1
	log=$top/build-$kver.log
	if ! "${dkms[@]}" build -m sgcap -v "$ver" -k "$kver" \
		--kernelsourcedir "$kroot/build" > "$log" 2>&1; then
		cat "$log" "$top"/tree/sgcap/"$ver"/build/make.log 2>/dev/null | tail -n 30
		not_ok "dkms build for $line ($kver)"
		continue
	fi
	base=$top/tree/sgcap/$ver/$kver/$(uname -m)
	ko=$(ls "$base"/module/sgcap.ko* 2>/dev/null | head -n 1)
	vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null)
	modver=$(modinfo -F version "$ko" 2>/dev/null)
	warn=$(grep -E '(warning|error):|WARNING:' "$base/log/make.log")
	if [ -z "$ko" ] || [ "${vermagic%% *}" != "$kver" ] || [ "$modver" != "$ver" ]; then
		not_ok "dkms build for $line ($kver): module '$ko', vermagic '$vermagic', version '$modver'"
	elif [ -n "$warn" ]; then
		echo "$warn"
		not_ok "dkms build for $line ($kver) printed warnings"
	else
		ok "dkms build for $line ($kver): ${ko#"$top"/}"
	fi
done

# BUILD_EXCLUSIVE_KERNEL(_MIN): a 5.10 kernel is refused before any build.
if [ -n "$k61" ]; then
	if "${dkms[@]}" build -m sgcap -v "$ver" -k 5.10.0-99-amd64 \
		--kernelsourcedir "$k61/build" > "$top/exclusive.log" 2>&1; then
		not_ok "dkms refuses a 5.10 kernel (it built)"
	elif grep -q BUILD_EXCLUSIVE "$top/exclusive.log"; then
		ok "dkms refuses a 5.10 kernel (BUILD_EXCLUSIVE)"
	else
		cat "$top/exclusive.log"
		not_ok "dkms refuses a 5.10 kernel for the right reason"
	fi
fi

"${dkms[@]}" status -m sgcap | sed 's/^/# /'
# Nothing may have reached the host's DKMS or module trees.
stray=$(ls -d /var/lib/dkms/sgcap /usr/src/sgcap-* /lib/modules/*/updates/dkms/sgcap.ko* \
	/var/lib/dkms/mok.key 2>/dev/null)
if [ -z "$stray" ]; then ok "the host's DKMS and module trees are untouched"; else
	not_ok "found on the host: $stray"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
