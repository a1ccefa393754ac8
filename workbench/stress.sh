#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bind/unbind stress of an at24 EEPROM on i2c-stub under readers: stress.sh
#
# Boots the test kernels series and base-tests (workbench/kernel.sh, KASAN,
# lockdep, kmemleak, hung-task detection) with workbench/qemu.sh and the hook
# workbench/guest/stress.sh, which runs the series' opt-in kselftest
# nvmem-unbind-soak.sh from the kselftest install directory: a bad-input
# sweep of the sysfs nvmem file, then nvmem-unbind-read's stress mode
# unbinds and binds the EEPROM (a 24c02, 256 bytes) for a number of cycles
# while readers read it: processes with a file descriptor each and threads
# sharing one, on the sysfs nvmem file, and the kselftest's in-kernel
# consumer (nvmem_test_consumer, through nvmem_device_read()); a writer
# owns bytes 128 to 143.  Then a kmemleak scan, and here a console check
# for splats.
#
# The readers read the whole EEPROM and random offset/length pairs that
# span several SMBus transfers and at24 chunks, many past the end, and
# check the length of every read (short only as documented at the end of
# the file) and every byte against the fill pattern (the writer's bytes:
# one value it wrote).  A read fails only with ENODEV (unbound) or EACCES
# (at24's window during an unbind, see nvmem-unbind-read.c), a reopen only
# with ENOENT or ENODEV.  After the last bind the program waits until every
# reader thread and the writer have worked again, then checks all 256
# bytes.  The report is the soak's "stress:" and "sweep:" lines.
#
# The series must finish every cycle with no splat and no leak, and per
# reader and writer no wrong byte, no short read, no other errno, and
# counts above a floor (judge_counters below).  The base is expected to
# splat (a read after unbind is a use-after-free there); its run stops at
# the first kernel report and says in which cycle.
#
# It writes under build/ only: build/stress/KERNEL/report.txt (the guest's
# report after a header line: date, base and series commits, kernel,
# cycles; "smoke run" for a smoke), the boot's console and output beside
# it.  make publish (workbench/publish.sh) copies the reports of a full run
# to results/, where the cover letter cites them.
#
#	stress.sh [--cycles N | --smoke] [--kernel K]... [--args ARGS]
#	stress.sh step K
#	stress.sh judge REPORT CYCLES N
#
#   --cycles N	bind/unbind cycles (default 10000)
#   --smoke	50 cycles, results under build/stress-smoke (a make test stage)
#   --kernel K	a kernel to run (default: series and base-tests); base-tests
#		is the unfixed kernel, any other (series, kcsan) must pass
#   --args ARGS	more kernel command line
#
# "step K" is one kernel's boot and verdict, the stage a run calls through
# workbench/stage.sh with its settings in STRESS_CYCLES, STRESS_SMOKE and
# STRESS_ARGS; "judge" gives the verdict on a report of N readers and
# writers again.
#
#	STRESS_READERS	processes with their own fd (default 2)
#	STRESS_THREADS	threads sharing one fd (default 3)
#	STRESS_TIMEOUT	seconds one boot may take (default 10800; under
#			TCG + KASAN the series did about 9 cycles/s on an
#			idle host, 2 on a loaded one)
#
# Exits non-zero if the series run fails (splat, leak, unfinished cycles,
# bad-input errno, a reader's or the writer's counters) or the base run
# shows no splat.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage="usage: stress.sh [--cycles N | --smoke] [--kernel K]... [--args ARGS] (-h: more)"
kernels=()
while [ $# -gt 0 ]; do
	case $1 in
	--cycles) [ $# -ge 2 ] && [ "$2" -ge 1 ] 2> /dev/null || die "--cycles needs a number"
		export STRESS_CYCLES=$2; shift ;;
	--smoke) export STRESS_SMOKE=1 ;;
	--kernel) [ $# -ge 2 ] || die "$usage"
		kernels+=("$2"); shift ;;
	--args) [ $# -ge 2 ] || die "$usage"
		export STRESS_ARGS=$2; shift ;;
	step | judge) break ;;
	*) die "$usage" ;;
	esac
	shift
done
[ ${#kernels[@]} -gt 0 ] || kernels=(series base-tests)

work=$repo/build/stress
cycles=${STRESS_CYCLES:-10000}
smoke=
if [ "${STRESS_SMOKE:-0}" = 1 ]; then
	cycles=50
	work=$repo/build/stress-smoke
	smoke="; smoke run (stress.sh --smoke)"
fi
readers=${STRESS_READERS:-2}
threads=${STRESS_THREADS:-3}
timeout=${STRESS_TIMEOUT:-10800}

# judge REPORT CYCLES N K: the verdict on a series report with N readers and
# writers (K names the kernel in the messages)
judge() {
	local rep=$1 c=$2 want=$3 k=$4 fail=0

	# expect PATTERN WHY: the report must have a line matching PATTERN
	expect() { grep -qE "$1" "$rep" || { echo "stress: $k: FAIL: $2"; fail=1; }; }
	expect '^stress: done$' "the guest did not finish"
	expect "^stress: cycles done $c\$" "not every cycle done"
	expect '^stress: kmemleak 0$' "kmemleak found leaks, or could not scan"
	expect '^stress: acquire failures 0$' "the consumer could not acquire the device"
	expect '^stress: reader in-kernel-consumer ' "no in-kernel consumer"
	expect '^sweep: all as documented$' "bad-input sweep"
	expect '^stress: waited [0-9]+s for the readers and the writer' \
		"no wait for the readers after the last bind"
	# the whole 24c02 (256 bytes), the writer's bytes its last value
	expect '^stress: final content right: 256 bytes' "the content after the last cycle"
	if grep -E '^stress: (fill failed|cycle [0-9]+: bind:|not ready after)' "$rep"; then
		fail=1
	fi
	judge_counters "$rep" "$c" "$want" || fail=1
	return "$fail"
}

# judge_counters REPORT CYCLES N: per reader and writer (N of them), no
# wrong byte, no short read or write, no errno but the documented ones
# (nvmem-unbind-read.c: ENODEV, at24's EACCES; ENOENT and ENODEV
# reopening), every thread working after the last bind.  Floors per cycle, a fifth to a
# twentieth of the least the two first 50-cycle smokes of whole and random
# reads had per reader (19 reads with data, 10 whole, 12 of two chunks,
# 2.7 with ENODEV, 0.18 with an unbind started under it): reads with data,
# whole ones and ones of more than one at24 chunk, reads with ENODEV,
# reads an unbind started under (the race happened), and at least one read
# cut at the end as documented; the writer verified some writes.  A
# counter missing from a line fails it.
judge_counters() {
	awk -v c="$2" -v want="$3" '
		# fail COND WHAT: the line fails for WHAT if COND holds
		function fail(cond, what) { if (cond) why = why " " what }
		function need(keys, n, i, k) {
			n = split(keys, k, " ")
			for (i = 1; i <= n; i++)
				fail(!(k[i] in v), "no " k[i])
		}
		/^stress: (reader|writer) / {
			delete v
			why = ""
			for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] + 0 }
			need("short wrong ready ENODEV EACCES reopen_ENOENT reopen_ENODEV other")
			fail(v["wrong"] > 0, "wrong bytes")
			fail(v["short"] > 0, "short")
			fail(v["other"] > 0, "other errnos")
			if ($2 == "reader") {
				need("threads data full multi eof overlap")
				fail(v["ready"] < v["threads"], "not ready after the last bind")
				fail(v["data"] < c, "data")
				fail(v["full"] < c / 2, "full")
				fail(v["multi"] < c / 2, "multi")
				fail(v["ENODEV"] < c / 4, "ENODEV")
				fail(v["overlap"] < c / 25, "overlap")
				fail(v["eof"] < 1, "eof")
			} else {
				need("writes verified")
				fail(v["ready"] < 1, "not ready after the last bind")
				fail(v["verified"] < c / 10, "verified")
			}
			printf "stress: %s %s: %s\n", $2, $3, why == "" ? "ok" : "FAIL:" why
			fails += why != ""; n++
		}
		END {
			if (n != want) printf "stress: %d readers and writers, want %d\n", n, want
			exit fails || n != want
		}' "$1"
}

# stress.sh step K: the kselftests of K (nvmem-unbind-soak.sh, the stress
# program, the consumer module), one boot, and the verdict on its report
step_run() {
	local k=$1 d=$work/$1 ksft rep fail=0 n stop=0
	ksft=$(kselftest_of "$k")
	[ -x "$ksft/nvmem/nvmem-unbind-soak.sh" ] ||
		die "$k has no nvmem-unbind-soak.sh"

	[ "$k" != base-tests ] || stop=1
	"$wb/qemu.sh" -t "$timeout" -a "STRESS_CYCLES=$cycles \
STRESS_READERS=$readers STRESS_THREADS=$threads STRESS_STOP_ON_SPLAT=$stop ${STRESS_ARGS:-}" \
		"$k" "$d/boot" "$wb/guest/stress.sh" "$ksft" || true
	rep=$d/report.txt
	{
		echo "# $(date -u +%F); base $(git -C "$linux" rev-parse --short=12 base)," \
			"series $(git -C "$linux" rev-parse --short=12 series); make stress:" \
			"kernel $k, $cycles cycles, $readers reader processes, $threads threads on one fd$smoke"
		sed -n '/^==> REPORT$/,${//d;p}' "$d/boot/output.txt"
	} > "$rep"
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
	judge "$rep" "$cycles" $((readers + 3)) "$k" || fail=1
	[ "$n" -eq 0 ] || { sed -n '1,10s/^/    /p' "$d/boot/splats.txt"; fail=1; }
	[ "$fail" -eq 0 ] && echo "stress: $k: PASS"
	return "$fail"
}

case ${1:-} in
step) [ $# -eq 2 ] || die "usage: stress.sh step K"
	step_run "$2"; exit ;;
judge) [ $# -eq 4 ] || die "usage: stress.sh judge REPORT CYCLES N"
	judge "$2" "$3" "$4" "$2"; exit ;;
esac

export RESULTS=$work/results T0=${T0:-$(date +%s)}
mkdir -p "$work"
: > "$RESULTS"
prepare stress
echo "stress: $cycles cycles, $readers reader processes, $threads threads on one fd, kernels: ${kernels[*]}"
status=0
for k in "${kernels[@]}"; do
	stage "stress-kernel-$k" "$wb/kernel.sh" "$k"
	stage "stress-run-$k" "$0" step "$k" || status=1
done
exit "$status"
