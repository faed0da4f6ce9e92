#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# sgcap_rmmod.sh (installed as zz_rmmod.sh so that it runs last: it reloads
# the module) - module unload with a capture held by a process.
#
# Every exported capture pins the module (dma_buf_export_info.owner), so
# rmmod must fail while a process still holds one, even with the card file
# closed; once the holder exits rmmod must succeed, and the module must load
# and capture again. Runs in busybox ash; prints its own TAP. Needs the
# sgcap_hold helper next to it.
#
# Environment: SGCAP_KO (default /lib/modules/sgcap.ko).

dir=$(cd "$(dirname "$0")" && pwd)
hold=$dir/sgcap_hold
ko=${SGCAP_KO:-/lib/modules/sgcap.ko}
out=/tmp/sgcap_hold.$$
n=0
fails=0
pid=

ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}

not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $*"
}

# Short waits where busybox sleep takes fractions, whole seconds otherwise.
nap() {
	sleep 0.2 2>/dev/null || sleep 1
}

# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -f "$out"
}
trap cleanup EXIT

echo "TAP version 13"
echo "1..8"

# 1: precondition: the bed inserted the module and card 0 is there.
if [ -d /sys/module/sgcap ] && [ -x "$hold" ] &&
   [ -d /sys/bus/sgcap_sim/devices/sgcap_sim0 ]; then
	ok "sgcap loaded with sim card 0, helper present"
else
	not_ok "sgcap loaded with sim card 0, helper present"
fi

# 2: a process holds one capture (card file closed, dma-buf mapped).
"$hold" 0 60 > "$out" 2>&1 &
pid=$!
i=0
while [ $i -lt 50 ] && ! grep -q '^holding' "$out" 2>/dev/null; do
	kill -0 "$pid" 2>/dev/null || break
	nap
	i=$((i + 1))
done
if grep -q '^holding' "$out" 2>/dev/null; then
	ok "a process holds a capture"
else
	sed 's/^/# /' "$out"
	not_ok "a process holds a capture"
fi

# 3: rmmod refuses while the capture is held.
if [ -r /sys/module/sgcap/refcnt ]; then
	echo "# refcnt while held: $(cat /sys/module/sgcap/refcnt)"
fi
if rmmod sgcap 2>/dev/null; then
	not_ok "rmmod fails while a capture is held"
else
	ok "rmmod fails while a capture is held"
fi

# 4: the held capture is untouched; the holder checks it on SIGTERM.
rc=255
if [ -n "$pid" ]; then
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
fi
pid=
sed 's/^/# /' "$out"
if [ "$rc" -eq 0 ]; then
	ok "held capture intact after the refused rmmod"
else
	not_ok "held capture intact after the refused rmmod (rc $rc)"
fi

# 5: the holder is gone: rmmod succeeds. Its last fput ran before wait
# returned; allow a few retries only for a slow emulated guest.
i=0
removed=no
while [ $i -lt 5 ]; do
	if rmmod sgcap 2>/dev/null; then
		removed=yes
		break
	fi
	nap
	i=$((i + 1))
done
if [ $removed = yes ] && [ ! -d /sys/module/sgcap ]; then
	[ $i -gt 0 ] && echo "# rmmod needed $((i + 1)) attempts"
	ok "rmmod succeeds once the capture is released"
else
	[ -r /sys/module/sgcap/refcnt ] &&
		echo "# refcnt: $(cat /sys/module/sgcap/refcnt)"
	not_ok "rmmod succeeds once the capture is released"
fi

# 6: nothing of the module is left behind.
if [ ! -d /sys/bus/sgcap_sim ] && [ ! -d /sys/kernel/debug/sgcap ] &&
   ! ls /dev/sgcap* > /dev/null 2>&1; then
	ok "bus, debugfs and nodes gone after rmmod"
else
	not_ok "bus, debugfs and nodes gone after rmmod"
fi

# 7: the module loads again.
if [ -d /sys/module/sgcap ]; then
	not_ok "insmod $ko sim_cards=1 (module still loaded)"
elif insmod "$ko" sim_cards=1; then
	ok "insmod $ko sim_cards=1"
else
	not_ok "insmod $ko sim_cards=1"
fi

# 8: and captures.
if "$hold" 0 0 > "$out" 2>&1 && grep -q '^released .* intact' "$out"; then
	ok "a capture works after the reload"
else
	sed 's/^/# /' "$out"
	not_ok "a capture works after the reload"
fi

if [ $fails -eq 0 ]; then
	exit 0
fi
exit 1
