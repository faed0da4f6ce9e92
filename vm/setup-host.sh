#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# setup-host.sh - install, with apt-get, what the test bed needs and the
# machine lacks. Quiet when everything is present. Installs packages only:
# nothing is ever loaded into the host's kernel.
set -euo pipefail

want=(qemu-system-x86 busybox-static cpio kmod xz-utils zstd libdrm-dev
      sparse pahole rsync gcc make bc perl flex bison libelf-dev libssl-dev)
# Commands whose presence proves a package is installed, to skip dpkg-query.
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "sgcap: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
# An old or absent package list makes apt-get install fail: refresh it first.
$sudo apt-get update -q=2 >&2
$sudo apt-get install -y -q=2 --no-install-recommends "${missing[@]}" >&2
