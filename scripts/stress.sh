#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bind/unbind stress of an at24 EEPROM on i2c-stub under readers: stress.sh
#
# Boots the test kernels series and base-tests (scripts/kernel.sh, KASAN,
# lockdep, kmemleak, hung-task detection) with scripts/qemu.sh and the hook
# scripts/guest/stress.sh: bench/nvstress.c unbinds and binds the EEPROM
# STRESS_CYCLES times while readers read it: processes with a file
# descriptor each and threads sharing one, on the sysfs nvmem file, and the
# kselftest's in-kernel consumer (nvmem_test_consumer, through
# nvmem_device_read()).  Then a bad-input sweep of the sysfs file, a
# kmemleak scan and a console check for splats.
#
# The series must finish every cycle with no splat and no leak.  The base is
# expected to splat (a read after unbind is a use-after-free there); its run
# stops at the first kernel report and says in which cycle.
#
#	STRESS_CYCLES	bind/unbind cycles (default 10000; 1 = smoke: 50
#			cycles, results under build/stress-smoke)
#	STRESS_READERS	processes with their own fd (default 2)
#	STRESS_THREADS	threads sharing one fd (default 3)
#	STRESS_KERNELS	which kernels (default "series base-tests")
#	STRESS_TIMEOUT	seconds one boot may take (default 10800; under
#			TCG + KASAN the series did about 9 cycles/s on an
#			idle host, 2 on a loaded one)
#	STRESS_ARGS	more kernel command line
#
# base-tests is the unfixed kernel; any other (series, kcsan) must pass.
#
# Exits non-zero if the series run fails (splat, leak, unfinished cycles,
# bad-input errno) or the base run shows no splat.  Internal step:
# stress.sh run KERNEL.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

work=$repo/build/stress
cycles=${STRESS_CYCLES:-10000}
if [ "$cycles" -le 1 ]; then
	cycles=50
	work=$repo/build/stress-smoke
fi
readers=${STRESS_READERS:-2}
threads=${STRESS_THREADS:-3}
kernels=${STRESS_KERNELS:-series base-tests}
timeout=${STRESS_TIMEOUT:-10800}

# stress.sh run K: the kselftest's consumer module and the stress program
# for K, one boot, and the verdict on its report
step_run() {
	local k=$1 d=$work/$1 rep fail=0 n stop=0
	build_kselftest "$k" "$d/kselftest"
	gcc -O2 -static -Wall -pthread -o "$d/nvstress" "$repo/bench/nvstress.c"

	[ "$k" != base-tests ] || stop=1
	"$repo/scripts/qemu.sh" -t "$timeout" -a "STRESS_CYCLES=$cycles \
STRESS_READERS=$readers STRESS_THREADS=$threads STRESS_STOP_ON_SPLAT=$stop ${STRESS_ARGS:-}" \
		"$k" "$d/boot" "$repo/scripts/guest/stress.sh" \
		"$d/nvstress" "$d/kselftest/nvmem/test_modules/nvmem_test_consumer.ko" || true
	rep=$d/report.txt
	sed -n '/^==> REPORT$/,${//d;p}' "$d/boot/output.txt" > "$rep"
	sed 's/^/    /' "$rep"
	n=$(wc -l < "$d/boot/splats.txt")
	echo "stress: $k: splat lines on the console: $n"
	if [ "$k" = base-tests ]; then
		if [ "$n" -eq 0 ]; then
			echo "stress: $k: FAIL: no splat (expected a use-after-free)"
			return 1
		fi
		echo "stress: $k: first splat:"
		grep -m 1 -B 2 -A 12 -Ef "$splats" "$d/boot/console.log" | sed 's/^/    /'
		return 0
	fi
	# expect PATTERN WHY: the report must have a line matching PATTERN
	expect() { grep -qE "$1" "$rep" || { echo "stress: $k: FAIL: $2"; fail=1; }; }
	expect '^stress: done$' "the guest did not finish"
	expect "^stress: cycles done $cycles\$" "not every cycle done"
	expect '^stress: kmemleak 0$' "kmemleak found leaks, or could not scan"
	expect '^stress: acquire failures 0$' "the consumer could not acquire the device"
	expect '^stress: reader in-kernel-consumer ' "no in-kernel consumer"
	expect '^sweep: all as documented$' "bad-input sweep"
	! grep -E '^stress: (fill failed|cycle [0-9]+: bind:)' "$rep" || fail=1
	[ "$n" -eq 0 ] || { sed -n '1,10s/^/    /p' "$d/boot/splats.txt"; fail=1; }
	# Every byte right; per reader, reads with data and with ENODEV above a
	# floor per cycle (the 10,000-cycle run had at least 7 and 3.5), and
	# data again after the last bind (tail); the writer verified some
	# writes, then again after the last bind, and failed only as an unbind
	# makes it fail.
	awk -v c="$cycles" -v want=$((readers + 3)) '
		/^stress: (reader|writer) / {
			for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] + 0 }
			bad = v["wrong"] > 0 || v["tail"] < 1
			if ($2 == "reader")
				bad = bad || v["data"] < c || v["ENODEV"] < c / 4
			else
				bad = bad || v["verified"] < c / 10 ||
				      $0 ~ / E[A-Z]+=/ && $0 !~ /^[^E]* (E(NODEV|ACCES|NOENT)=[0-9]+ ?)+$/
			printf "stress: %s %s: %s\n", $2, $3, bad ? "FAIL" : "ok"
			fails += bad; n++; delete v
		}
		END { exit fails || n != want }' "$rep" || fail=1
	[ "$fail" -eq 0 ] && echo "stress: $k: PASS"
	return "$fail"
}

case "${1:-}" in
run) step_run "$2"; exit ;;
'') ;;
*) die "usage: stress.sh (no arguments; see the header)" ;;
esac

export RESULTS=$work/results T0=${T0:-$(date +%s)}
mkdir -p "$work"
: > "$RESULTS"
prepare stress
echo "stress: $cycles cycles, $readers reader processes, $threads threads on one fd, kernels: $kernels"
status=0
for k in $kernels; do
	"$repo/scripts/stage.sh" "stress-kernel-$k" "$repo/scripts/kernel.sh" "$k"
	"$repo/scripts/stage.sh" "stress-run-$k" "$0" run "$k" || status=1
done
exit "$status"
