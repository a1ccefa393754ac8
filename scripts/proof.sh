#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prove that the tests test the fixes: proof.sh
#
# Builds the test kernel base-tests (tag base with only the series' test
# patches), runs the KUnit suite and the kselftest on it, and records a
# result for each thing the unfixed kernel must show:
#
#   proof:kunit-run         every suite ran and kunit.py parsed the log
#   proof:kunit-pass        every KUnit case not listed below passes, each
#                           parameter alone (the tests work on the base)
#   proof:<case>            one per case that guards a fix (MUST_FAIL in proof.py):
#                           it fails, every parameter of it, and its log shows
#                           why (the errno it asserts or a KASAN report)
#   proof:selftest          the kselftests fail with a KASAN report
#   proof:selftest-layout-module
#                           rmmod takes a layout module whose cells exist:
#                           nothing holds a reference on it
#
# A proof result PASSes when the base behaves as the unfixed kernel must;
# the script fails if any does not.  The KUnit cases are judged by proof.py.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

src=$kdir/base-tests/src out=$kdir/base-tests/out
echo "proof: base + the test patches:"
test_patches | sed 's|.*/|    |'
"$repo/scripts/kernel.sh" base-tests

# kunit.sh fails on the base by design; kunit.py's raw kernel log says how.
verdicts=$kdir/base-tests/proof-verdicts
: > "$verdicts"
RESULTS=/dev/null "$repo/scripts/kunit.sh" base-tests > "$out/kunit-proof.log" 2>&1 || true
[ -s "$out/test.log" ] || die "kunit.py left no kernel log: $out/kunit-proof.log"

"$repo/scripts/proof.py" "$src/tools/testing/kunit" "$out/test.log" > "$verdicts"
failed=0
while read -r verdict name why; do
	result "$verdict" "$name" "$why"
	[ "$verdict" = PASS ] && echo "proof: $verdict $name: $why" || failed=1
done < "$verdicts"

# The kselftest must fail on the base, and because of a KASAN report.
dir=$kdir/base-tests/selftest
if RESULTS=/dev/null "$repo/scripts/selftest.sh" base-tests > "$out/selftest-proof.log" 2>&1; then
	result FAIL proof:selftest "the kselftest passed on the base"
	failed=1
elif kasan=$(grep -m1 'BUG: KASAN' "$dir/console.log" 2> /dev/null); then
	notok=$(sed -n 's/^not ok [0-9]* //p' "$dir/tap.txt" | paste -sd ';')
	last=$(grep -E '^(not )?ok [0-9]+ ' "$dir/tap.txt" | tail -n 1 || true)
	result PASS proof:selftest
	echo "proof: PASS proof:selftest: $kasan; cases not ok: ${notok:-none};" \
		"last result before the kernel stopped or the run ended: ${last:-none}"
else
	result FAIL proof:selftest "failed without a KASAN report ($out/selftest-proof.log)"
	failed=1
fi

# Alone, so that nothing before it broke the kernel: nvmem-layout-module.sh.
dir=$kdir/base-tests/selftest-layout
RESULTS=/dev/null "$repo/scripts/selftest.sh" base-tests "$dir" nvmem-layout-module.sh \
	> "$out/selftest-layout-proof.log" 2>&1 || true
tap=$dir/nvmem-layout-module.tap
refused=$(grep -m1 -E '^(not )?ok 3 ' "$tap" || echo 'no result 3')
why=$(grep -m1 'unloaded while its cells exist' "$tap" || echo 'no reason')
if [[ $refused == 'not ok 3 rmmod onie_tlv'* && $why == *'(0 references)' ]]; then
	result PASS proof:selftest-layout-module
	echo "proof: PASS proof:selftest-layout-module: $refused: $why"
else
	result FAIL proof:selftest-layout-module "$refused; $why ($out/selftest-layout-proof.log)"
	failed=1
fi
exit "$failed"
