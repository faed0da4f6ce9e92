#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# host_tools.sh [TMPDIR] - host tests of the sgcap tool: everything that
# needs no card (help, versions, exit statuses and messages of bad command
# lines and devices, `pattern` and `verify -i` on files). $SGCAP is the tool.
# Ends with "N passed, N failed".

SGCAP=${SGCAP:-sgcap}
tmp=$(mktemp -d "${1:-/tmp}/sgcap-host.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
n=0

result() {	# result OK DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		passed=$((passed + 1))
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		sed 's/^/#   /' "$tmp/out" 2>/dev/null | head -n 20
	fi
}

# run WANT_RC DESCRIPTION [GREP_PATTERN] -- COMMAND...: exit status and output
run() {
	want=$1 desc=$2 pat=$3
	shift 4
	"$@" > "$tmp/out" 2>&1
	rc=$?
	ok=1
	if [ "$rc" = "$want" ]; then
		ok=0
		[ -n "$pat" ] && ! grep -q -e "$pat" "$tmp/out" && ok=1
	fi
	[ $ok = 0 ] || echo "# exit status $rc, wanted $want; looked for: $pat" >> "$tmp/out"
	result $ok "$desc"
}

run 0 "--version" "^sgcap 1\." -- $SGCAP --version
run 0 "--help names the commands" "v4l2-out" -- $SGCAP --help
run 0 "--help names the ioctls" "DRM_IOCTL_PRIME_FD_TO_HANDLE" -- $SGCAP --help
for c in info stats capture verify serve consume gpu-import v4l2-out pattern; do
	run 0 "$c --help" "^usage: sgcap" -- $SGCAP $c --help
done
run 0 "help capture names SGCAP_IOC_DEQUEUE" "SGCAP_IOC_DEQUEUE" -- $SGCAP help capture
run 2 "no command: usage error" "no command given" -- $SGCAP
run 2 "unknown command: usage error" "unknown command 'frobnicate'" -- $SGCAP frobnicate
run 2 "unknown option: usage error" "" -- $SGCAP capture --frobnicate
run 2 "bad transform: usage error" "unknown transform 'bogus'" -- $SGCAP capture --transform bogus
run 2 "bad size: usage error" "capture size 'twelve' is not a number" -- $SGCAP capture --size twelve
run 2 "serve without --socket" "socket PATH is required" -- $SGCAP serve
run 3 "missing card: clear message" "cannot open /nonexistent/sgcap9: no such device node" -- \
	$SGCAP -d /nonexistent/sgcap9 info
run 3 "capture on a missing card" "cannot open" -- $SGCAP -d /nonexistent/sgcap9 capture -n 1
run 3 "/dev/null is not a card" "/dev/null is not an sgcap card" -- $SGCAP -d /dev/null stats
run 3 "SGCAP_DEVICE is the default device" "cannot open /nonexistent/x" -- \
	env SGCAP_DEVICE=/nonexistent/x $SGCAP info
run 77 "gpu-import without a render node: 77" "" -- $SGCAP gpu-import -r /nonexistent/renderD1 -n 1
run 77 "v4l2-out without a video node: 77" "" -- $SGCAP v4l2-out -o /nonexistent/video9 -n 1
run 3 "consume without a server" "cannot connect" -- \
	$SGCAP consume --socket "$tmp/none.sock" --wait 100

# Files of captures.
run 0 "pattern writes 5 captures" "" -- $SGCAP pattern -n 5 --size 64K -o "$tmp/p"
size=$(wc -c < "$tmp/p")
[ "$size" -eq 327680 ]
result $? "pattern file is 5 x 65536 bytes ($size)"
run 0 "verify -i: 5 intact captures" "summary: 5 captures, 0 errors" -- \
	$SGCAP verify -i "$tmp/p" --size 64K -n 5
run 1 "verify -i -n 6 on 5 captures fails" "expected 6 captures" -- \
	$SGCAP verify -i "$tmp/p" --size 64K -n 6
cp "$tmp/p" "$tmp/bad"
printf 'X' | dd of="$tmp/bad" bs=1 seek=$((3 * 65536 + 1000)) conv=notrunc 2>/dev/null
run 1 "verify -i finds a corrupt byte" "capture 3 .* the first at offset 1000" -- \
	$SGCAP verify -i "$tmp/bad" --size 64K
run 1 "verify -i with the wrong size fails" "" -- $SGCAP verify -i "$tmp/p" --size 60000
$SGCAP pattern -n 3 --first-seq 1000 --size 4097 --transform swap16 > "$tmp/s" 2>"$tmp/out"
result $? "pattern to stdout, swap16, odd size"
run 0 "verify -i swap16 finds the sequences" "sequences 1000..1002 with 0 gaps" -- \
	$SGCAP verify -i "$tmp/s" --size 4097 --transform swap16
run 1 "verify -i without the transform fails" "" -- $SGCAP verify -i "$tmp/s" --size 4097
run 0 "verify -i - reads stdin" "summary: 5 captures, 0 errors" -- \
	sh -c "$SGCAP verify -i - --size 65536 < '$tmp/p'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
