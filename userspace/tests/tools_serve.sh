#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sgcap serve and sgcap consume in separate processes: captures pass by fd
# over a UNIX socket and verify on the far side; a slow consumer is skipped
# rather than stalling the card; a killed consumer gives its captures back;
# two consumers at once. TAP.
. /tests/bin/tap.inc

N=14
tap_plan $N
tap_need_card $N
sock=$work/sock

# wait_for FILE PATTERN: up to 10 s for PATTERN to show up in FILE.
wait_for() {
	i=0
	while [ $i -lt 100 ] && ! grep -qE -e "$2" "$1" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
}

# 1. One consumer takes all 20 captures. The rate and window leave the
# consumer ample time to verify each capture even on a slow emulated CPU:
# this case is about delivery, case 2 about a consumer that falls behind.
$SGCAP -d "$dev" serve --socket "$sock" -n 20 --rate 5 --window 8 > "$work/srv" 2>&1 &
srv=$!
tap_run "consume -n 20 receives and verifies 20 captures" 0 "^summary: 20 captures, 0 errors, 0 skipped" -- \
	timeout 60 $SGCAP consume --socket "$sock" -n 20
wait $srv
rc=$?
out=$work/srv
tap_check "the server exits 0" $rc
tap_file_has "the server served 20 captures" "^summary: 20 captures served to 1 consumers"
tap_file_has "the consumer got and acknowledged every one" "consumer 1 .*sent 20, acknowledged 20, skipped 0"

# 2. A slow consumer (1 s per capture, window 2) does not slow the card.
$SGCAP -d "$dev" serve --socket "$sock" -n 60 --rate 50 --window 2 > "$work/srv" 2>&1 &
srv=$!
tap_run "a slow consumer still sees only intact captures" 0 "^summary: [1-9][0-9]* captures, 0 errors, [1-9][0-9]* skipped" -- \
	timeout 60 $SGCAP consume --socket "$sock" --delay 1000
wait $srv
rc=$?
out=$work/srv
tap_check "the server exits 0" $rc
tap_file_has "the server skipped captures for it" "consumer 1 .*skipped [1-9][0-9]* \(window full\)"
secs=$(sed -n 's/^serve: 60 captures from .* in \([0-9]*\)\..*/\1/p' "$out")
[ -n "$secs" ] && [ "$secs" -lt 10 ]
tap_check "the card ran at its rate: 60 captures in ${secs:-?} s, not 30 s" $?

# 3. A consumer killed while it holds captures gives them back.
$SGCAP -d "$dev" serve --socket "$sock" -n 40 --rate 20 > "$work/srv" 2>&1 &
srv=$!
$SGCAP consume --socket "$sock" --delay 5000 > "$work/con" 2>&1 &
con=$!
wait_for "$work/srv" "consumer 1 connected"
sleep 1
kill -KILL $con
wait $con 2>/dev/null
wait $srv
rc=$?
out=$work/srv
tap_check "the server survives a killed consumer" $rc
tap_file_has "the killed consumer's captures came back" "consumer 1 \(disconnected\).*gave back [1-9]"
tap_file_has "the server still served all 40" "^summary: 40 captures served"
$SGCAP -d "$dev" stats > "$work/out" 2>&1
out=$work/out
tap_file_has "no buffer is held afterwards" "^buffers_held 0$"

# 4. Two consumers at once.
$SGCAP -d "$dev" serve --socket "$sock" -n 30 --rate 10 > "$work/srv" 2>&1 &
srv=$!
$SGCAP consume --socket "$sock" > "$work/c1" 2>&1 &
c1=$!
$SGCAP consume --socket "$sock" > "$work/c2" 2>&1
rc2=$?
wait $c1
rc1=$?
wait $srv
rcs=$?
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ $rcs -eq 0 ] &&
	grep -q "^summary: [1-9][0-9]* captures, 0 errors" "$work/c1" &&
	grep -q "^summary: [1-9][0-9]* captures, 0 errors" "$work/c2"
rc=$?
[ $rc -eq 0 ] || { tap_show "$work/c1"; tap_show "$work/c2"; }
out=$work/srv
tap_check "two consumers each receive intact captures" $rc
tap_file_has "the server served both" "^summary: 30 captures served to 2 consumers"

tap_done
