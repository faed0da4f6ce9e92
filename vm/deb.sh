#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deb.sh - make deb: build the Debian packages (sgcap-dkms, libsgcap1,
# libsgcap-dev, sgcap-tools, and the source package) with dpkg-buildpackage
# from a copy of the tree in $SGCAP_BUILD/deb, then run lintian on them;
# fails on any lintian error or warning. The packages land in
# $SGCAP_BUILD/deb/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$SGCAP_TOP/vm/setup-packaging.sh" || sgcap_die "cannot install the packaging tools"
ver=$(cat "$SGCAP_TOP/VERSION")
out=$SGCAP_BUILD/deb
src=$out/sgcap-$ver
rm -rf "$out"
mkdir -p "$src"

# The tree as git sees it (tracked and new files, nothing ignored): no build
# products, no guest logs.
if git -C "$SGCAP_TOP" rev-parse --git-dir > /dev/null 2>&1; then
	git -C "$SGCAP_TOP" ls-files -z -co --exclude-standard |
		rsync -a --from0 --files-from=- --ignore-missing-args "$SGCAP_TOP/" "$src/"
else
	rsync -a --exclude=/build/ "$SGCAP_TOP/" "$src/"
fi

sgcap_say "dpkg-buildpackage in $src (log: $out/build.log)"
if ! (cd "$src" && dpkg-buildpackage -us -uc) > "$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	sgcap_die "dpkg-buildpackage failed"
fi
changes=$out/sgcap_${ver}_$(dpkg-architecture -qDEB_HOST_ARCH).changes
sed -n '/^Files:/,$p' "$changes" | awk 'NF == 5 { print "  " $5 }'

# Errors and warnings fail; pedantic, info and experimental tags are shown.
sgcap_say "lintian"
rc=0
lintian --fail-on error,warning --display-info --pedantic "$changes" \
	> "$out/lintian.log" 2>&1 || rc=$?
cat "$out/lintian.log"
[ "$rc" -eq 0 ] || sgcap_die "lintian found errors or warnings ($out/lintian.log)"
sgcap_say "lintian: no errors or warnings"
