#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# setup-packaging.sh - install, with apt-get, what make dkms-build, make deb
# and make deb-check need beyond the test bed (vm/setup-host.sh): DKMS and
# the Debian packaging tools. Quiet when everything is present. A separate
# step so that make check does not pay for them. Installs packages only:
# DKMS is run by those targets on private trees, never on the host's.
set -euo pipefail

"$(dirname "$0")/setup-host.sh"
want=(dkms dh-dkms debhelper dpkg-dev fakeroot lintian libdrm-dev busybox-static)
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
$sudo apt-get update -q=2 >&2
$sudo apt-get install -y -q=2 --no-install-recommends "${missing[@]}" >&2
