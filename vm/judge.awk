# SPDX-License-Identifier: GPL-2.0
#
# judge.awk - judge one guest's serial log. Every test program's output is
# framed by "SGCAP-TEST-BEGIN name" / "SGCAP-TEST-END name rc=N" lines; inside,
# TAP results ("ok N ...", "not ok N ...", "# SKIP" directives) are counted at
# any nesting depth that the program's plan ("1..N") announces. A frame fails
# when a result failed, its plan count does not match the results seen, its
# exit code is not 0, or its end marker never came (crash or hang). The log
# fails as a whole on any kernel splat or when the bed's end marker is missing.
# Output: one line "passed failed skipped" followed by diagnostic lines.

function fail(msg) { failed++; diag[++nd] = "FAIL " msg }

BEGIN { passed = failed = skipped = 0; inframe = 0; done = 0; nd = 0 }

/^SGCAP-TEST-BEGIN / {
	if (inframe)
		fail(name ": no end marker")
	inframe = 1; name = $2; plan = -1; results = 0; fbad = 0
	next
}
/^SGCAP-TEST-END / {
	rc = $3; sub(/^rc=/, "", rc)
	if (plan >= 0 && results != plan)
		fail(name ": planned " plan " results, saw " results)
	if (plan < 0)
		fail(name ": no TAP plan")
	if (rc != 0 && fbad == 0)
		fail(name ": exit code " rc " with no failed result")
	inframe = 0
	next
}
/^SGCAP-BED: done/ { done = 1 }
/^SGCAP-BED: insmod sgcap.ko failed/ { fail("insmod sgcap.ko") }

# DMA API debugging announces itself at boot (debug kernel): not a splat.
/DMA-API: (preallocated [0-9]+ debug entries|debugging enabled by kernel config)$/ { next }

# Kernel splats, wherever they appear (console or the final dmesg dump).
/(BUG:|WARNING:|Oops|general protection fault|KASAN:|UBSAN:|DMAR:.*[Ff]ault|DMA-API:|unreferenced object|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|Kernel panic|kernel BUG|INFO: task .* blocked|BUG kmalloc|Call Trace:)/ {
	if (!(($0) in seen)) {
		seen[$0] = 1
		splats++
		if (splats <= 20)
			diag[++nd] = "SPLAT " $0
	}
}

inframe {
	line = $0
	# Only the top-level plan of the program counts; kselftest prints it
	# unindented.
	if (line ~ /^1\.\.[0-9]+/ && plan < 0) {
		plan = substr(line, 4) + 0
		next
	}
	if (line ~ /^ok [0-9]+/) {
		results++
		if (line ~ /# *[Ss][Kk][Ii][Pp]/)
			skipped++
		else
			passed++
	} else if (line ~ /^not ok [0-9]+/) {
		results++
		if (line ~ /# *[Ss][Kk][Ii][Pp]/) {
			skipped++
		} else {
			failed++; fbad++
			diag[++nd] = "FAIL " name ": " line
		}
	}
}

END {
	if (inframe)
		fail(name ": cut off (no end marker)")
	if (!done)
		fail("guest never reached the end of /init (crash, hang or timeout)")
	if (splats > 0)
		fail("kernel splat in the guest log (" splats " lines)")
	print passed, failed, skipped
	for (i = 1; i <= nd; i++)
		print diag[i]
}
