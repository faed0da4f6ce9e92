#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh - checkpatch.pl --strict on every source file, sparse (C=2) on the
# module for each kernel, kernel-doc -none on the driver sources and the uapi
# header. Fails on any finding.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ksrc=$(sgcap_ksrc) || sgcap_die "cannot fetch the kernel source files"
cd "$SGCAP_TOP" || exit 1
bad=0

mapfile -t srcs < <(git ls-files -co --exclude-standard -- \
	'drivers/*.[ch]' 'uapi/*.h' 'selftests/*.[ch]' 'userspace/*.[ch]' 'bench/*.[ch]' |
	sort -u)
echo "lint: checkpatch --strict on ${#srcs[@]} files"
for f in "${srcs[@]}"; do
	[ -f "$f" ] || continue
	# Userspace code uses the C library's types and libdrm's names; the uapi
	# header cannot use the kernel's BIT() or u32.
	case "$f" in
	drivers/*)	ignore= ;;
	uapi/*)		ignore=,BIT_MACRO,PREFER_KERNEL_TYPES ;;
	*)		ignore=,PREFER_KERNEL_TYPES,CAMELCASE,BIT_MACRO ;;
	esac
	out=$(perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --quiet \
		--ignore "FILE_PATH_CHANGES$ignore" -f "$f" 2>&1)
	if [ -n "$out" ]; then
		echo "$out"
		bad=1
	fi
done

mapfile -t kdoc < <(git ls-files -co --exclude-standard -- 'drivers/*.[ch]' 'uapi/*.h' | sort -u)
echo "lint: kernel-doc -none on ${#kdoc[@]} files"
for f in "${kdoc[@]}"; do
	[ -f "$f" ] || continue
	out=$(perl "$ksrc/scripts/kernel-doc" -none -Wall "$f" 2>&1)
	if [ -n "$out" ]; then
		echo "$out"
		bad=1
	fi
done

for line in $SGCAP_KERNELS; do
	kroot=$(sgcap_kroot "$line") || sgcap_die "cannot fetch the $line kernel"
	echo "lint: sparse (C=2) against $line"
	out=$("$SGCAP_TOP/vm/build-module.sh" "$kroot" "$SGCAP_BUILD/lint-$line" C=2 2>&1)
	rc=$?
	# Sparse reports are warnings or errors with a file:line: prefix.
	if [ $rc -ne 0 ] || grep -E ': (warning|error):' <<< "$out"; then
		echo "$out"
		bad=1
	fi
done

[ $bad -eq 0 ] && echo "lint: clean"
exit $bad
