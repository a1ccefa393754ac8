#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Data races under KCSAN: kcsan.sh
#
# Builds the kernel kcsan (branch series, Kconfig.fragment with KCSAN in
# place of KASAN: workbench/kcsan.config), runs the nvmem KUnit suites on it
# and the 50-cycle stress smoke, and counts the data races KCSAN reports.
# KCSAN watches one access in 4,000 by default, which such short runs
# rarely catch in a race; kcsan.skip_watch makes it watch more often
# (KCSAN_SKIP: KUnit 50, stress 100).
#
# A race in the nvmem core (a report whose title names a function of
# drivers/nvmem/) fails the run; races elsewhere (kernfs, the driver and
# PM cores, even when an nvmem function called them) are listed, not
# failed.  Tally: kcsan-kunit:<suite>.<case>, kcsan-kunit:kernel-log,
# kcsan-stress, kcsan:active (both boots passed KCSAN's self-test),
# kcsan:nvmem-races.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

work=$repo/build/kcsan
mkdir -p "$work"
export T0=${T0:-$(date +%s)}

# KCSAN's reports are judged below, from the titles; the other splats stay.
sed 's/^BUG:$/BUG: ([^K]|K[^C])/' "$splats" > "$work/splats"
grep -qxF 'BUG: ([^K]|K[^C])' "$work/splats" || die "no BUG: line in $splats"
export SPLATS=$work/splats

stage kcsan-kernel "$wb/kernel.sh" kcsan
status=0
# KCSAN's watchpoints slow every access down: the kunit.py timeout is
# three times kunit.sh's 1200 s, the stress boot keeps stress.sh's.
stage kcsan-kunit env KUNIT_PREFIX=kcsan-kunit KUNIT_ARGS=kcsan.skip_watch=50 \
	"$wb/kunit.sh" -t 3600 kcsan || status=1
stage kcsan-stress "$wb/stress.sh" --smoke --args kcsan.skip_watch=100 \
	step kcsan || status=1

# Every report's title, "data-race in A / B", from both logs
logs=("$kdir/kcsan/out/test.log" "$repo/build/stress-smoke/kcsan/boot/console.log")
for log in "${logs[@]}"; do
	[ -f "$log" ] || { result FAIL kcsan:nvmem-races "no $log"; exit 1; }
done
# No report proves nothing unless KCSAN was watching: each boot must have
# passed KCSAN's own self-test (kernel/kcsan/selftest.c).
active=PASS
for log in "${logs[@]}"; do
	grep -qE 'kcsan: selftest: ([0-9]+)/\1 tests passed' "$log" || active=FAIL
done
result "$active" kcsan:active "a log without KCSAN's passed boot self-test"
[ "$active" = PASS ] || status=1
sed -n 's/.*BUG: KCSAN: //p' "${logs[@]}" | sort | uniq -c | sort -rn > "$work/races.txt"
echo "kcsan: $(awk '{ n += $1 } END { print n + 0 }' "$work/races.txt") reports:"
sed 's/^/    /' "$work/races.txt"
# The functions of the nvmem core and its layouts, static ones included
nm --defined-only "$kdir"/kcsan/out/drivers/nvmem/{,layouts/}*.o 2> /dev/null |
	awk '$2 ~ /^[tT]$/ { print $3 }' | sort -u > "$work/nvmem-functions"
[ -s "$work/nvmem-functions" ] || die "no functions in build/k/kcsan/out/drivers/nvmem"
nvmem_races=$(awk 'NR == FNR { nvmem[$1] = 1; next }
	{
		sub(/^ *[0-9]+ data-race in /, "")
		n = split($0, f, / \/ /)
		for (i = 1; i <= n; i++) {
			sub(/\+0x.*/, "", f[i])
			if (f[i] in nvmem) { print; next }
		}
	}' "$work/nvmem-functions" "$work/races.txt")
if [ -n "$nvmem_races" ]; then
	result FAIL kcsan:nvmem-races "$(head -n 3 <<< "$nvmem_races")"
	status=1
else
	result PASS kcsan:nvmem-races
fi
exit "$status"
