# SPDX-License-Identifier: GPL-2.0
# Shared settings of the test bed scripts (sourced, not run).

SGCAP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SGCAP_CACHE=${SGCAP_CACHE:-$HOME/.cache/sgcap}
SGCAP_BUILD=${SGCAP_BUILD:-$SGCAP_TOP/build}
SGCAP_KERNELS=${SGCAP_KERNELS:-6.1 6.12}
# Source of checkpatch.pl, kernel-doc and kselftest_harness.h.
SGCAP_SRC_LINE=6.12
export SGCAP_CACHE SGCAP_BUILD

sgcap_say() { printf '%s\n' "sgcap: $*" >&2; }
sgcap_die() { printf '%s\n' "sgcap: error: $*" >&2; exit 1; }

# sgcap_kroot LINE: the private root of a cached kernel (fetching it first).
sgcap_kroot() { "$SGCAP_TOP/vm/fetch-kernel.sh" "$1"; }

# sgcap_ksrc: the unpacked subset of Debian's linux-source package.
sgcap_ksrc() { "$SGCAP_TOP/vm/fetch-source.sh"; }
