#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The nvmem kselftests in QEMU: selftest.sh NAME [DIR [TEST]]
#
# Builds the kselftests of build/k/NAME/src and their modules against
# kernel NAME once (build/k/NAME/kselftest, lib.sh's kselftest_of), boots
# it with workbench/qemu.sh and the hook workbench/guest/kselftest.sh, which
# runs the nvmem collection (or only TEST, say nvmem-layout-module.sh)
# through run_kselftest.sh, and parses each test's TAP with kunit.py parse
# into DIR/TEST.json (DIR: default build/k/NAME/selftest).  DIR/tap.txt
# holds the TAP of all of them.
# Tally: selftest:<test>:<case> per TAP case, selftest:<test>:run_kselftest
# (its verdict, timeout included), selftest:guest_finished and
# selftest:console_clean.  Exits non-zero if any of them failed.
#
#	NVMEM_TEST_CYCLES, NVMEM_TEST_PROCS, NVMEM_TEST_THREADS
#			passed to the test (see nvmem-unbind.sh)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: selftest.sh NAME [DIR [TEST]]"
name=$1 test=${3:-}
src=$kdir/$name/src
dir=$(realpath -m "${2:-$kdir/$name/selftest}")
rm -rf "$dir"
mkdir -p "$dir"
[ -d "$src/tools/testing/selftests/nvmem" ] || die "$name has no nvmem kselftest"

echo "selftest: the kselftests and their modules built against $name"
ksft=$(kselftest_of "$name")

kargs=${test:+NVMEM_KSELFTEST=$test}
for v in NVMEM_TEST_CYCLES NVMEM_TEST_PROCS NVMEM_TEST_THREADS; do
	[ -z "${!v:-}" ] || kargs+=" $v=${!v}"
done
finished=PASS console=PASS
# Each test may take 30 minutes (the settings file's timeout), the guest
# 45 for all of them.
"$wb/qemu.sh" -t 2700 -a "$kargs" "$name" "$dir" \
	"$wb/guest/kselftest.sh" "$ksft" || true
[ -f "$dir/status" ] || finished=FAIL
[ -s "$dir/splats.txt" ] && console=FAIL

# The tests' own TAP: the lines run_kselftest.sh prefixes with "# ", in
# the hook's output, or on the console when the guest died (the runner
# prints them when the test ends: they may not have got out).
log=$dir/output.txt
[ "$finished" = PASS ] || log=$dir/console.log
sed -n 's/^# //p' "$log" > "$dir/tap.txt"
# The tests the series' Makefile names, not the ones that were built and
# listed: a test missing from the collection has no verdict and fails.
makefile=$src/tools/testing/selftests/nvmem/Makefile
mapfile -t tests < <(sed '/^include /d' "$makefile" |
	make -s -f - -f <(printf 'progs:\n\t@printf "%%s\\n" $(TEST_PROGS)\n') progs)
[ ${#tests[@]} -gt 0 ] || die "no TEST_PROGS in $makefile"
[ -z "$test" ] || tests=("$test")
failed=0
for t in "${tests[@]}"; do
	tap=$dir/${t%.sh}.tap
	sed -n "/^# selftests: nvmem: $t\$/,/^\(not \)\?ok [0-9]* selftests: nvmem: $t/s/^# //p" \
		"$log" > "$tap"
	(cd "$src" && ./tools/testing/kunit/kunit.py parse --json="${tap%.tap}.json" "$tap") |
		tail -n 20 || true
	cases=$("$wb/json-results.py" "selftest:${t%.sh}" "${tap%.tap}.json")
	while read -r s n; do [ -z "$s" ] || result "$s" "$n"; done <<< "$cases"
	verdict=$(grep -m1 -E "^(not )?ok [0-9]+ selftests: nvmem: $t" "$dir/output.txt" ||
		echo 'no verdict')
	ran=PASS
	[[ $verdict == ok* && $verdict != *'# SKIP'* ]] || ran=FAIL
	result "$ran" "selftest:${t%.sh}:run_kselftest" "$verdict"
	# a skipped case fails, as in make test
	[ "$ran" = PASS ] && [ -n "$cases" ] && ! grep -qE '^(FAIL|SKIP)' <<< "$cases" ||
		failed=1
done
result "$finished" selftest:guest_finished
result "$console" selftest:console_clean "$(head -n 3 "$dir/splats.txt")"
[ "$failed$finished$console" = 0PASSPASS ]
