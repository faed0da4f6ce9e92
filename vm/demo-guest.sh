#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo-guest.sh - installed as /demo.sh in the guest; /init runs it instead of
# the tests when the kernel command line says sgcap_mode=demo. Shows a capture
# session on the simulated card with the sgcap tool: the card, 500 captures
# with live progress, a server and a consumer in two processes, a GPU import
# and an encoder import. Each step has a headline and ends with figures; the
# last line says whether every step worked (vm/demo.sh looks for it).

SGCAP=/tests/bin/sgcap
step=0
failed=0

# Line wrapping back on: the firmware turned it off on the serial console.
printf '\033[?7h'

headline() {
	step=$((step + 1))
	echo
	echo "==== $step. $1"
	shift
	for l in "$@"; do
		echo "     $l"
	done
	echo
}

result() {	# result STATUS WHAT
	case "$1" in
	0)	echo ">>> $2: done" ;;
	77)	echo ">>> $2: skipped, the device is not in this guest" ;;
	*)	echo ">>> $2: FAILED (exit status $1)"
		failed=$((failed + 1)) ;;
	esac
}

dev=
for d in /sys/bus/sgcap_sim/devices/sgcap_sim0/misc/sgcap*; do
	[ -e "$d" ] && dev=/dev/${d##*/}
done
if [ -z "$dev" ]; then
	echo "SGCAP-DEMO: no simulated card: sgcap.ko did not load"
	exit 1
fi

echo
echo "sgcap demo on Linux $(uname -r): a simulated scatter-gather capture card at $dev"

headline "The card" \
	"What the driver says about the card: its limits, the configuration in" \
	"force, its counters and where each buffer is."
$SGCAP -d "$dev" info
result $? "sgcap info"

headline "500 captures, verified as they arrive" \
	"Each capture is 640 KiB in 80 scatter-gather chunks of 8 KiB, exported as a" \
	"dma-buf. sgcap maps each one and recomputes its pattern and CRC32C; the" \
	"line below counts captures, MB/s, dropped frames and errors as it goes."
$SGCAP -d "$dev" capture -n 500
result $? "sgcap capture -n 500"

headline "Two processes share captures by file descriptor" \
	"A server owns the card (100 captures/s) and passes each capture's dma-buf" \
	"fd over a UNIX socket; a consumer in another process maps, verifies and" \
	"acknowledges it. No byte is copied on the way."
sock=/tmp/sgcap-demo.sock
$SGCAP -d "$dev" serve --socket "$sock" -n 200 --rate 100 > /tmp/serve.log 2>&1 &
server=$!
$SGCAP consume --socket "$sock"
crc=$?
wait $server
src=$?
echo "the server's account:"
sed 's/^/  /' /tmp/serve.log
[ $crc -eq 0 ] && crc=$src
result $crc "sgcap serve / sgcap consume"

headline "GPU import" \
	"Each capture is imported into a DRM driver (vgem) by PRIME, exported again" \
	"as a dma-buf, and its bytes are read back through the re-exported fd."
$SGCAP -d "$dev" gpu-import -n 50
result $? "sgcap gpu-import"

headline "Encoder import" \
	"vivid's video output (standing in for an encoder) takes each capture as a" \
	"V4L2 DMABUF buffer, 640x512 YUYV, and hands it back when done."
$SGCAP -d "$dev" v4l2-out -n 50
result $? "sgcap v4l2-out"

headline "The card afterwards" \
	"Counters and buffer states: every buffer is back with the driver."
$SGCAP -d "$dev" stats
result $? "sgcap stats"

splats=$(dmesg | grep -cE "BUG:|WARNING:|Oops|KASAN:|UBSAN:|DMA-API:|Call Trace:")
echo
echo "kernel log: $splats warning lines"
[ "$splats" -eq 0 ] || failed=$((failed + 1))
if [ $failed -eq 0 ]; then
	echo "SGCAP-DEMO: done, every step worked"
else
	echo "SGCAP-DEMO: done, $failed of $step steps failed"
fi
