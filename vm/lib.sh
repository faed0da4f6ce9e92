# SPDX-License-Identifier: GPL-2.0
# Shared settings of the test bed scripts (sourced, not run).

SGCAP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SGCAP_CACHE=${SGCAP_CACHE:-$HOME/.cache/sgcap}
SGCAP_BUILD=${SGCAP_BUILD:-$SGCAP_TOP/build}
SGCAP_KERNELS=${SGCAP_KERNELS:-6.1 6.12 6.12-debug}
# Source of checkpatch.pl, kernel-doc and kselftest_harness.h.
SGCAP_SRC_LINE=6.12
export SGCAP_CACHE SGCAP_BUILD

sgcap_say() { printf '%s\n' "sgcap: $*" >&2; }
sgcap_die() { printf '%s\n' "sgcap: error: $*" >&2; exit 1; }

# sgcap_kroot LINE: the private root of a cached kernel (fetching it first;
# the 6.12-debug line is built from source, see build-debug-kernel.sh).
sgcap_kroot() {
	case "$1" in
	6.12-debug)	"$SGCAP_TOP/vm/build-debug-kernel.sh" ;;
	*)		"$SGCAP_TOP/vm/fetch-kernel.sh" "$1" ;;
	esac
}

# sgcap_ksrc: the unpacked subset of Debian's linux-source package.
sgcap_ksrc() { "$SGCAP_TOP/vm/fetch-source.sh"; }
