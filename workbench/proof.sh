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
#   proof:selftest-unbind   nvmem-unbind.sh, alone: a KASAN report in
#                           at24_read() during its unbind case (4)
#   proof:selftest-layout-module
#                           nvmem-layout-module.sh, alone: rmmod takes a layout
#                           module whose cells exist (step 3)
#   proof:selftest-fault-inject
#                           nvmem-fault-inject.sh, alone: its layout scenario
#                           (case 4) finds nothing holding onie_tlv
#   proof:selftest-fault-inject-provider
#                           nvmem-fault-inject-provider.sh, alone: a failed
#                           allocation of the layout's cell files frees the
#                           provider's own cells (case 3)
#
# A proof result PASSes when the base behaves as the unfixed kernel must;
# the script fails if any does not.  The KUnit cases are judged by proof.py.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

src=$kdir/base-tests/src out=$kdir/base-tests/out
echo "proof: base + the test patches:"
test_patches | sed 's|.*/|    |'
"$wb/kernel.sh" base-tests

# kunit.sh fails on the base by design; kunit.py's raw kernel log says how.
verdicts=$kdir/base-tests/proof-verdicts
: > "$verdicts"
RESULTS=/dev/null "$wb/kunit.sh" base-tests > "$out/kunit-proof.log" 2>&1 || true
[ -s "$out/test.log" ] || die "kunit.py left no kernel log: $out/kunit-proof.log"

"$wb/proof.py" "$src/tools/testing/kunit" "$out/test.log" > "$verdicts"
failed=0
while read -r verdict name why; do
	result "$verdict" "$name" "$why"
	[ "$verdict" = PASS ] && echo "proof: $verdict $name: $why" || failed=1
done < "$verdicts"

# The kselftest must fail on the base, and because of a KASAN report.
# Each kselftest alone, in a boot of its own, so that no other test broke
# the kernel first: run_base_kselftest TEST, then read $dir/TEST's TAP.
run_base_kselftest() {
	dir=$kdir/base-tests/selftest-${1%.sh}
	tap=$dir/${1%.sh}.tap
	RESULTS=/dev/null "$wb/selftest.sh" base-tests "$dir" "$1" \
		> "$out/selftest-${1%.sh}-proof.log" 2>&1 || true
	touch "$tap"
}

# proof_result NAME OK WHY: one proof result, with what the log showed
proof_result() {
	if [ "$2" = 1 ]; then
		result PASS "proof:$1"
		echo "proof: PASS proof:$1: $3"
	else
		result FAIL "proof:$1" "$3"
		failed=1
	fi
}

# nvmem-unbind.sh: a KASAN report from at24's read during its case 4, the
# unbind while reading (cases 1 to 3 pass, 4 never does).
run_base_kselftest nvmem-unbind.sh
report=$(awk '/BUG: KASAN: /{ f = 1 } f && /^(Allocated|Freed) by task/{ exit } f' \
	"$dir/console.log" 2> /dev/null)
ok=0
grep -q ' at24_read+' <<< "$report" && grep -q '^ok 3 ' "$tap" &&
	! grep -q '^ok 4 ' "$tap" && ok=1
proof_result selftest-unbind "$ok" \
	"$(head -n 1 <<< "${report:-no KASAN report}"), after: $(grep -E '^(not )?ok [0-9]+ ' "$tap" | tail -n 1)"

# nvmem-layout-module.sh: rmmod takes onie_tlv while its cells exist (step 3).
run_base_kselftest nvmem-layout-module.sh
refused=$(grep -m1 -E '^(not )?ok 3 ' "$tap" || echo 'no result 3')
why=$(grep -m1 'unloaded while its cells exist' "$tap" || echo 'no reason')
ok=0
[[ $refused == 'not ok 3 rmmod onie_tlv'* && $why == *'(0 references)' ]] && ok=1
proof_result selftest-layout-module "$ok" "$refused: $why"

# nvmem-fault-inject.sh: the layout scenario (case 4) fails because nothing
# holds onie_tlv while the device has the layout's cells (patch 8).
run_base_kselftest nvmem-fault-inject.sh
layout=$(grep -m1 -E '^(not )?ok 4 ' "$tap" || echo 'no result 4')
why=$(grep -m1 'but nothing holds onie_tlv' "$tap" || echo 'no reason')
ok=0
[[ $layout == 'not ok 4 '*'with a layout'* && $why != 'no reason' ]] && ok=1
proof_result selftest-fault-inject "$ok" "$layout: ${why#\# }"

# nvmem-fault-inject-provider.sh: under nvmem_register() (case 3), a
# failure of the layout's cell files frees every cell of the device, the
# provider's own included (patch 7): the config cell is gone.
run_base_kselftest nvmem-fault-inject-provider.sh
# The signature: a point whose failure was in the layout's cell files,
# right after it no cells directory at all, and the set-up cases passed.
main=$(grep -m1 -E '^(not )?ok 3 ' "$tap" || echo 'no result 3')
gone=$(grep -A1 -E '^# point [0-9]+: nvmem_populate_sysfs_cells: the layout did not bind' "$tap" |
	grep -m1 '^# no cell config-cell@0,0: .*No such file' || echo 'no reason')
ok=0
grep -q '^ok 1 ' "$tap" && grep -q '^ok 2 ' "$tap" &&
	[[ $main == 'not ok 3 each failed allocation under nvmem_register()'* &&
	   $gone != 'no reason' ]] && ok=1
proof_result selftest-fault-inject-provider "$ok" "$main: ${gone#\# }"
exit "$failed"
