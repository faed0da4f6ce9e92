#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The sgcap tool's command line against a live card: info and stats, clear
# failures for bad devices and configurations, and a second process while
# one owns the card. TAP.
. /tests/bin/tap.inc

tap_plan 14
tap_need_card 14

tap_run "--version" 0 "^sgcap [0-9]" -- $SGCAP --version
tap_run "info exits 0 and names the card" 0 "interface version 1" -- $SGCAP -d "$dev" info
tap_file_has "info shows the buffer states" "^buffers: [0-9]+ in the pool"
tap_file_has "info lists debugfs buffer lines" "^buffer states \(/sys/kernel/debug/sgcap/"
tap_run "stats prints key value lines" 0 "^buffers_held [0-9]+$" -- $SGCAP -d "$dev" stats
tap_run "a missing node exits 3 with a clear message" 3 \
	"cannot open /dev/sgcap-nope: no such device node" -- $SGCAP -d /dev/sgcap-nope info
tap_file_has "... and names the cards present" "cards present: .*$dev"
tap_run "/dev/null is refused as not a card" 3 "/dev/null is not an sgcap card" -- \
	$SGCAP -d /dev/null capture -n 1
tap_run "an impossible configuration says what the card takes" 3 "the card takes [0-9]+\.\.[0-9]+ buffers" -- \
	$SGCAP -d "$dev" capture -n 1 --buffers 1000000

# A long capture in the background owns the card.
$SGCAP -d "$dev" capture -n 1000000 --rate 20 > "$work/bg" 2>&1 &
bg=$!
i=0
while [ $i -lt 50 ] && ! $SGCAP -d "$dev" stats 2>/dev/null | grep -q "^streaming 1"; do
	sleep 0.1
	i=$((i + 1))
done
tap_run "info works while another process streams" 0 "; streaming$" -- $SGCAP -d "$dev" info
tap_run "a second capture is refused: the card is owned" 3 "another open file owns the card" -- \
	$SGCAP -d "$dev" capture -n 1
kill -TERM $bg
wait $bg
rc=$?
out=$work/bg
[ $rc -ne 0 ] && grep -q "interrupted after" "$out"
tap_check "SIGTERM ends a capture early with a non-zero status" $?
tap_file_has "... after its summary" "^summary: [0-9]+ captures, 0 errors"
$SGCAP -d "$dev" stats > "$work/out" 2>&1
out=$work/out
tap_file_has "the card stopped when its owner exited" "^streaming 0$"

tap_done
