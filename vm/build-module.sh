#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh KROOT OUTDIR [make args...] - build sgcap.ko against the
# headers of a cached kernel, with W=1 and warnings as errors. Kbuild writes
# its objects beside the sources, so each kernel builds in its own copy of the
# tree under OUTDIR; the result is OUTDIR/sgcap.ko.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kroot=${1:?usage: build-module.sh KROOT OUTDIR}
out=$(realpath -m "${2:?usage: build-module.sh KROOT OUTDIR}")
shift 2
mkdir -p "$out/src"
# Copy only what Kbuild reads; keep timestamps so rebuilds are incremental.
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '*.cmd' \
	--exclude '*.mod*' --exclude 'Module.symvers' --exclude 'modules.order' \
	--exclude '.*.d' \
	"$SGCAP_TOP/Kbuild" "$SGCAP_TOP/VERSION" "$SGCAP_TOP/drivers" "$SGCAP_TOP/uapi" \
	"$out/src/"
# modpost's warnings (missing MODULE_DESCRIPTION, section mismatches) do not
# stop make: catch them in the output. BTF is skipped for want of a vmlinux.
log=$(make -s -C "$kroot/build" M="$out/src" W=1 KCFLAGS=-Werror "$@" modules 2>&1)
rc=$?
log=$(grep -v 'Skipping BTF generation' <<< "$log" || true)
[ -n "$log" ] && printf '%s\n' "$log" >&2
[ $rc -eq 0 ] || exit $rc
if grep -qiE '(warning|error)' <<< "$log" && [ "${SGCAP_ALLOW_WARNINGS:-0}" != 1 ]; then
	echo "sgcap: the module build printed warnings" >&2
	exit 1
fi
cp "$out/src/sgcap.ko" "$out/sgcap.ko"
