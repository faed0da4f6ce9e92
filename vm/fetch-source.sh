#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-source.sh - unpack, from Debian's linux-source-6.12 package, the few
# files the tree uses: checkpatch.pl (and its data files), kernel-doc and the
# kselftest harness. Prints the directory that holds them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$SGCAP_CACHE/src
out=$dir/linux-source-$SGCAP_SRC_LINE
if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$dir"
rm -rf "$dir/deb" "$out"
mkdir -p "$dir/deb"
(cd "$dir/deb" && apt-get download -q=2 -o APT::Sandbox::User=root "linux-source-$SGCAP_SRC_LINE" >&2)
dpkg -x "$dir"/deb/linux-source-*.deb "$dir/deb/x"
tar -C "$dir" -xaf "$dir"/deb/x/usr/src/linux-source-"$SGCAP_SRC_LINE".tar.* --wildcards \
	"linux-source-$SGCAP_SRC_LINE/scripts/checkpatch.pl" \
	"linux-source-$SGCAP_SRC_LINE/scripts/spelling.txt" \
	"linux-source-$SGCAP_SRC_LINE/scripts/const_structs.checkpatch" \
	"linux-source-$SGCAP_SRC_LINE/scripts/kernel-doc" \
	"linux-source-$SGCAP_SRC_LINE/tools/testing/selftests/kselftest*.h"
rm -rf "$dir/deb"
touch "$out/.done"
echo "$out"
