#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Compare two selftest runs: verdict.sh BASE_DIR SERIES_DIR
#
# Each DIR is an OUT/selftest left by scripts/selftest.sh (console.log and
# tap.txt).  Prints, side by side, what each kernel did: test cases, how
# the reads around the unbind ended, console splats and unbind time; then
# the first splat with its top frames and which kernel survived.  Exits 0
# if the series survived and the base did not.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 BASE_DIR SERIES_DIR" >&2; exit 2; }
source "$(dirname "$0")/splats.sh"

# Console lines without timestamps and without the test's own "# " echoes
console() { sed 's/^\[ *[0-9.]*\] //' "$1/console.log" | grep -v '^# ' || true; }

# summarize DIR: sets finished, cases, splat_count, first_splat, reads,
# outcome, unbind, survived
summarize() {
	local d=$1 tap=$1/tap.txt status

	status=$(sed -n 's/^nvmem-unbind.sh exit status: //p' "$tap" 2>/dev/null)
	finished=${status:+yes}
	cases="$(grep -c '^ok ' "$tap" || true) ok, $(grep -c '^not ok ' "$tap" || true) not ok ($(grep -m1 '^1\.\.' "$tap" || echo 'no plan'))"
	splat_count=$(console "$d" | grep -cE "$splats" || true)
	first_splat=$(console "$d" | grep -m1 -E "$splats" || true)
	# "# PATH: N good, N ENODEV, N wrong, N late, N errors" per file and
	# unbind, and "# PATH: N errors around the unbind (...)"
	read -r good enodev wrong late errors around < <(awk '
		/^# .*: [0-9]+ good, [0-9]+ ENODEV, / {
			for (i = 1; i <= NF; i++) {
				if ($(i + 1) ~ /^good,/) g += $i
				if ($(i + 1) ~ /^ENODEV,/) n += $i
				if ($(i + 1) ~ /^wrong,/) w += $i
				if ($(i + 1) ~ /^late,/) l += $i
				if ($(i + 1) ~ /^errors/) e += $i
			}
		}
		/^# .*: [0-9]+ errors around the unbind/ {
			for (i = 1; i < NF; i++)
				if ($(i + 1) == "errors") { a += $i; break }
		}
		END { print g + 0, n + 0, w + 0, l + 0, e + 0, a + 0 }' "$tap")
	reads="$good good, $enodev ENODEV"
	reads2="$wrong wrong, $late good after unbind"
	reads3="$around errors during, $errors after unbind"
	if [ "$wrong" -gt 0 ]; then outcome="WRONG DATA"
	elif [ "$late" -gt 0 ]; then outcome="reads still 'worked' after unbind"
	elif [ "$errors" -gt 0 ]; then
		outcome="other errors ($(sed -n 's/.*, last: //p' "$tap" | sort | uniq -c | sort -rn | awk 'NR == 1 { $1 = ""; print substr($0, 2) }'))"
	elif [ "$enodev" -gt 0 ]; then outcome="ENODEV"
	else outcome="no unbind result"
	fi
	unbind=$(awk '/^# unbind took / { n++; if (n == 1) f = $4; if ($4 + 0 > m + 0) m = $4 }
		END { if (n) printf "%s ms (max %s ms, %d unbinds)", f, m, n; else print "n/a" }' "$tap")
	survived=no
	if [ "$finished" = yes ] && [ "$status" = 0 ] && [ "$splat_count" -eq 0 ]; then
		survived=yes
	fi
}

# First splat of DIR with its top frames (skipping the reporting machinery)
first_frames() {
	console "$1" | awk -v re="$splats" '
		!found && $0 ~ re { found = 1; print "    " $0; next }
		found && /Call Trace:/ { trace = 1; next }
		found && !trace && n < 1 && NF && !/^(CPU|Tainted|Hardware name):/ {
			print "    " $0; n++
		}
		trace && /<\/TASK>|^---\[|^$/ { exit }
		trace && /^ *[A-Za-z0-9_.]+\+0x/ {
			if ($1 ~ /^(dump_stack|print_report|print_address_description|kasan_|__asan_|_printk|show_stack|__warn|report_bug|handle_bug|exc_|asm_exc)/)
				next
			print "      " $1
			if (++frames == 8) exit
		}'
}

row() { printf '%-24s %-42s %s\n' "$1" "$2" "$3"; }

summarize "$1"
b=("$cases" "$reads" "$reads2" "$reads3" "$outcome" "$splat_count splat lines" "$unbind" "${finished:-no (hung or crashed)}" "$survived")
b_first=$first_splat
summarize "$2"
s=("$cases" "$reads" "$reads2" "$reads3" "$outcome" "$splat_count splat lines" "$unbind" "${finished:-no (hung or crashed)}" "$survived")
s_first=$first_splat

echo
echo "=== Unbinding an at24 EEPROM while it is read ==="
row "" "base" "series"
labels=("test cases" "reads around the unbind" "" "" "reads ended in" "console" "unbind time under load" "test finished" "SURVIVED")
for i in "${!labels[@]}"; do
	[ "${b[i]}" = 0\ splat\ lines ] && b[i]=clean
	[ "${s[i]}" = 0\ splat\ lines ] && s[i]=clean
	row "${labels[i]}" "${b[i]}" "${s[i]}"
done

for k in base series; do
	[ "$k" = base ] && { d=$1; f=$b_first; } || { d=$2; f=$s_first; }
	echo
	if [ -n "$f" ]; then
		echo "$k: first splat on the console:"
		first_frames "$d"
		others=$(console "$d" | grep -E "$splats" |
			grep -vE 'Call Trace|^-+\[' | sed 's/ at [^ ]*:[0-9]* / /' |
			awk '!seen[$0]++' | sed -n '2,6s/^/    /p')
		[ -z "$others" ] || printf '  then:\n%s\n' "$others"

	else
		echo "$k: console clean (no BUG, KASAN, WARNING, Oops, lockdep, RCU or hung-task report)"
	fi
done

echo
if [ "${b[8]}" = no ] && [ "${s[8]}" = yes ]; then
	echo "VERDICT: the series kernel survived unbinding the EEPROM while it was read; the base kernel did not."
	exit 0
elif [ "${b[8]}" = yes ] && [ "${s[8]}" = yes ]; then
	echo "VERDICT: both kernels survived; the test did not catch the bug on base."
elif [ "${s[8]}" = no ] && [ "${b[8]}" = no ]; then
	echo "VERDICT: neither kernel survived."
else
	echo "VERDICT: only the base kernel survived; the series regressed."
fi
exit 1
