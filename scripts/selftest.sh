#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The nvmem kselftest in QEMU: selftest.sh NAME [DIR]
#
# Builds the kselftest of build/k/NAME/src and its consumer module against
# kernel NAME, installs it in DIR (default build/k/NAME/selftest), boots it
# with scripts/qemu.sh and the hook scripts/guest/kselftest.sh, which runs
# it through run_kselftest.sh, and parses its TAP with kunit.py parse.
# Tally: selftest:<case> per TAP case, selftest:run_kselftest (its verdict,
# timeout included), selftest:guest_finished and selftest:console_clean.
# Exits non-zero if any of them failed.
#
#	NVMEM_TEST_CYCLES, NVMEM_TEST_PROCS, NVMEM_TEST_THREADS
#			passed to the test (see nvmem-unbind.sh)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: selftest.sh NAME [DIR]"
name=$1
src=$kdir/$name/src
dir=$(realpath -m "${2:-$kdir/$name/selftest}")
rm -rf "$dir"
mkdir -p "$dir"
[ -d "$src/tools/testing/selftests/nvmem" ] || die "$name has no nvmem kselftest"

echo "selftest: building the kselftest and its module against $name"
build_kselftest "$name" "$dir/kselftest"

kargs=
for v in NVMEM_TEST_CYCLES NVMEM_TEST_PROCS NVMEM_TEST_THREADS; do
	[ -z "${!v:-}" ] || kargs+=" $v=${!v}"
done
finished=PASS console=PASS
"$repo/scripts/qemu.sh" -a "$kargs" "$name" "$dir" \
	"$repo/scripts/guest/kselftest.sh" "$dir/kselftest" || true
[ -f "$dir/status" ] || finished=FAIL
[ -s "$dir/splats.txt" ] && console=FAIL

# The test's own TAP: the lines run_kselftest.sh prefixes with "# ", in
# the hook's output, or on the console when the guest died (the runner
# prints them when the test ends: they may not have got out).
log=$dir/output.txt
[ "$finished" = PASS ] || log=$dir/console.log
sed -n 's/^# //p' "$log" > "$dir/tap.txt"
(cd "$src" && ./tools/testing/kunit/kunit.py parse --json="$dir/tap.json" "$dir/tap.txt") |
	tail -n 20 || true
cases=$("$repo/scripts/json-results.py" selftest "$dir/tap.json")
while read -r s n; do [ -z "$s" ] || result "$s" "$n"; done <<< "$cases"
verdict=$(grep -m1 -E '^(not )?ok 1 selftests: nvmem' "$dir/output.txt" || echo 'no verdict')
ran=PASS
[[ $verdict == ok* && $verdict != *'# SKIP'* ]] || ran=FAIL
result "$ran" selftest:run_kselftest "$verdict"
result "$finished" selftest:guest_finished
result "$console" selftest:console_clean "$(head -n 3 "$dir/splats.txt")"
[ "$ran$finished$console" = PASSPASSPASS ] && [ -n "$cases" ] && ! grep -q '^FAIL' <<< "$cases"
