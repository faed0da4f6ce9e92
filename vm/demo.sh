#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - what `make demo` does: set up the host, fetch the 6.12 kernel,
# build the module and the guest tools, pack an initramfs and boot it with
# sgcap_mode=demo, so that the guest's /init runs /demo.sh (vm/demo-guest.sh)
# instead of the tests. The guest's console streams live to this terminal;
# the whole of it, kernel log included, stays in build/logs/demo.log.
# Exit status 0 only if every step of the demo worked and the kernel log is
# clean.
#
# Environment: SGCAP_DEMO_KERNEL (default 6.12), SGCAP_ACCEL (see boot.sh).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

line=${SGCAP_DEMO_KERNEL:-6.12}
out=$SGCAP_BUILD/demo
log=$SGCAP_BUILD/logs/demo.log

"$SGCAP_TOP/vm/setup-host.sh" || sgcap_die "host set-up failed"
ksrc=$(sgcap_ksrc) || sgcap_die "cannot fetch the kernel source files"
kroot=$(sgcap_kroot "$line") || sgcap_die "cannot fetch the $line kernel"
mkdir -p "$out" "$SGCAP_BUILD/logs"

sgcap_say "building sgcap.ko for $line"
"$SGCAP_TOP/vm/build-module.sh" "$kroot" "$SGCAP_BUILD/$line" ||
	sgcap_die "the module does not build"
sgcap_say "building the guest tools"
make -s -C "$SGCAP_TOP" guest-tests O="$out/guest" \
	HARNESS_DIR="$ksrc/tools/testing/selftests" ||
	sgcap_die "the guest tools do not build"
"$SGCAP_TOP/vm/mkinitramfs.sh" "$kroot" "$SGCAP_BUILD/$line/sgcap.ko" \
	"$out/guest" "$out/initramfs.cpio.gz" || sgcap_die "cannot pack the initramfs"

sgcap_say "booting Linux $line under QEMU; the guest powers off when the demo ends"
# What the terminal shows: the console byte by byte (the progress line is
# rewritten with \r), without the firmware's terminal resets (they turn
# line wrapping off) and without the kernel log the bed dumps at the end.
show() {
	perl -e '
		$| = 1;
		my ($hide, $line, $carry) = (0, "", "");
		while (sysread(STDIN, my $buf, 4096)) {
			# An escape sequence cut by the read waits for its end.
			$buf = $carry . $buf;
			$carry = $buf =~ s/(\e[^a-zA-Z]{0,8})\z// ? $1 : "";
			$buf =~ s/\ec|\e\[\?7l|\e\[2J|\e\[\d*;?\d*H//g;
			for my $c (split //, $buf) {
				print $c unless $hide;
				$line .= $c;
				next unless $c eq "\n";
				if ($line =~ /^SGCAP-DMESG-BEGIN/) {
					$hide = 1;
					print "(kernel log: see $ARGV[0])\n";
				}
				$hide = 0 if $line =~ /^SGCAP-DMESG-END/;
				$line = "";
			}
		}' "$log"
}
SGCAP_TEE=1 "$SGCAP_TOP/vm/boot.sh" "$kroot" "$out/initramfs.cpio.gz" "$log" \
	plain sgcap_mode=demo | show
# Give the terminal its line wrapping back, should anything have turned it off.
[ -t 1 ] && printf '\033[?7h'

verdict=$(awk -f "$SGCAP_TOP/vm/judge.awk" "$log")
read -r _ failed _ <<< "$(head -n 1 <<< "$verdict")"
tail -n +2 <<< "$verdict" | sed 's/^/  /' >&2
if ! grep -q "^SGCAP-DEMO: done, every step worked" "$log"; then
	sgcap_say "the demo did not complete every step (see $log)"
	exit 1
fi
if [ "${failed:-1}" -ne 0 ]; then
	sgcap_say "the guest's kernel log is not clean (see $log)"
	exit 1
fi
sgcap_say "demo complete; the console log is $log"
