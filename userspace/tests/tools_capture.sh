#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sgcap capture and sgcap verify against a live card: exit statuses, the
# summary, files of captures whose pattern verifies, transforms, odd sizes,
# and the fault knobs of the simulated card (a flagged capture fails the
# run, dropped frames do not). TAP.
. /tests/bin/tap.inc

N=23
tap_plan $N
tap_need_card $N
size=655360

tap_run "capture -n 50 exits 0" 0 "" -- $SGCAP -d "$dev" capture -n 50
tap_file_has "its summary says 50 captures and 0 errors" "^summary: 50 captures, 0 errors \(0 crc, 0 pattern, 0 card\)"
[ "$(tr -cd '\r' < "$out" | wc -c)" -eq 0 ] && grep -q "^capture: configured $dev" "$out"
tap_check "not a terminal: plain lines, no carriage returns" $?

tap_run "capture -n 20 -o FILE" 0 "^capture: wrote $((20 * size)) bytes to" -- \
	$SGCAP -d "$dev" capture -n 20 -o "$work/cap"
[ "$(wc -c < "$work/cap")" -eq $((20 * size)) ]
tap_check "the file holds exactly 20 x $size bytes" $?
tap_run "the file's pattern verifies (sequences 0..19)" 0 "sequences 0\.\.19 with 0 gaps" -- \
	$SGCAP verify -i "$work/cap" --size $size -n 20
cp "$work/cap" "$work/bad"
printf 'Z' | dd of="$work/bad" bs=1 seek=$((7 * size + 4242)) conv=notrunc 2>/dev/null
tap_run "a corrupted copy fails verification and names the capture" 1 \
	"capture 7 in .* the first at offset 4242" -- $SGCAP verify -i "$work/bad" --size $size

$SGCAP -d "$dev" capture -n 3 -o - > "$work/stdout" 2> "$work/stderr"
rc=$?
[ $rc -eq 0 ] && [ "$(wc -c < "$work/stdout")" -eq $((3 * size)) ] &&
	grep -q "^summary: 3 captures, 0 errors" "$work/stderr"
tap_check "-o - writes the data to stdout and the messages to stderr" $?

$SGCAP -d "$dev" info > "$work/info" 2>&1
has_swap=0
grep -q "features:.* swap16" "$work/info" && has_swap=1
max_order=$(sed -n 's/.*chunk order 0\.\.\([0-9]*\).*/\1/p' "$work/info")
if [ $has_swap = 1 ]; then
	tap_run "capture --transform swap16" 0 "^summary: 10 captures, 0 errors" -- \
		$SGCAP -d "$dev" capture -n 10 --transform swap16 -o "$work/swap"
	tap_run "swapped file verifies with --transform swap16" 0 "^summary: 10 captures, 0 errors" -- \
		$SGCAP verify -i "$work/swap" --size $size --transform swap16
else
	tap_skip "capture --transform swap16" "the card has no swap16"
	tap_skip "swapped file verifies" "the card has no swap16"
fi

tap_run "odd size, order-0 chunks, 4 buffers" 0 "^summary: 10 captures, 0 errors" -- \
	$SGCAP -d "$dev" capture -n 10 --size 100001 --order 0 --buffers 4
tap_run "the largest chunk order (${max_order:-?})" 0 "^summary: 10 captures, 0 errors" -- \
	$SGCAP -d "$dev" capture -n 10 --order "${max_order:-1}"
tap_run "capture at --rate 100" 0 "^summary: 20 captures, 0 errors" -- \
	$SGCAP -d "$dev" capture -n 20 --rate 100
tap_run "capture --no-verify" 0 "not verified" -- $SGCAP -d "$dev" capture -n 10 --no-verify
tap_run "capture --every 5 prints a line every 5 captures" 0 "^capture: 15/20 captures" -- \
	$SGCAP -d "$dev" capture -n 20 --every 5

tap_run "verify -n 30: every end-to-end check passes" 0 "^verify: all [0-9]+ checks passed" -- \
	$SGCAP -d "$dev" verify -n 30
tap_file_has "verify checked the buffer states after release" "^verify: \[ok\] after release: 0 buffers held"
if [ $has_swap = 1 ]; then
	tap_run "verify with swap16 and an odd size" 0 "^verify: all [0-9]+ checks passed" -- \
		$SGCAP -d "$dev" verify -n 10 --size 77777 --transform swap16
else
	tap_skip "verify with swap16 and an odd size" "the card has no swap16"
fi

# Fault injection through the simulated card's debugfs knobs.
knob=$(dbg_path fail_capture)
if [ -w "$knob" ]; then
	old=$(cat "$knob")
	echo 5 > "$knob"
	tap_run "a capture the card flags fails the run (exit 1)" 1 "capture 5 .*DMA error" -- \
		$SGCAP -d "$dev" capture -n 10
	echo "$old" > "$knob"
	tap_file_has "... and the summary counts it" "^summary: 10 captures, 1 errors \(0 crc, 0 pattern, 1 card\)"
else
	tap_skip "a capture the card flags fails the run" "no $knob"
	tap_skip "... and the summary counts it" "no $knob"
fi
knob=$(dbg_path drop_percent)
if [ -w "$knob" ]; then
	echo 30 > "$knob"
	tap_run "dropped frames are reported, not failed" 0 \
		"^summary: 30 captures, 0 errors .*, [1-9][0-9]* dropped" -- $SGCAP -d "$dev" capture -n 30
	echo 0 > "$knob"
	tap_file_has "... and the card counted them as injected" "by fault injection"
else
	tap_skip "dropped frames are reported, not failed" "no $knob"
	tap_skip "... and the card counted them as injected" "no $knob"
fi
knob=$(dbg_path stall_ms)
if [ -w "$knob" ]; then
	echo 500 > "$knob"
	tap_run "a stalled engine shows as dropped frames" 0 \
		"^summary: 60 captures, 0 errors .*, [1-9][0-9]* dropped" -- \
		$SGCAP -d "$dev" capture -n 60 --rate 50
	echo 0 > "$knob"
else
	tap_skip "a stalled engine shows as dropped frames" "no $knob"
fi

tap_done
