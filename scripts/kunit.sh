#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the KUnit tests of the test kernel of TREE in QEMU (TCG, 2 CPUs):
# kunit.sh TREE OUT.  Uses the kernel of kconfig.sh + build.sh (kunit.py
# rebuilds nothing), records one result per test case (scripts/results.sh)
# and fails if the kernel log has a splat (BUG, WARNING, KASAN, lockdep).
set -euo pipefail
source "$(dirname "$0")/kunit-env.sh"
results=$repo/scripts/results.sh

if [ ! -f "$tree/drivers/nvmem/.kunitconfig" ]; then
	echo "kunit: $tree has no drivers/nvmem/.kunitconfig, no suite to run"
	"$results" add SKIP kunit
	exit 0
fi

status=0
rm -f "$out/kunit.json"
(cd "$tree" && ./tools/testing/kunit/kunit.py run "${kunit_args[@]}" \
	--qemu_args='-smp 2' --timeout=1200 --json="$out/kunit.json") || status=$?

if [ -f "$out/kunit.json" ]; then
	python3 - "$out/kunit.json" <<'PY' | while read -r s name; do "$results" add "$s" "$name"; done
import json, sys

def walk(group, prefix):
    for case in group.get("test_cases", []):
        status = {"PASS": "PASS", "SKIP": "SKIP"}.get(case["status"], "FAIL")
        print(status, "kunit:" + prefix + case["name"])
    for sub in group.get("sub_groups", []):
        walk(sub, prefix + sub["name"] + ".")

walk(json.load(open(sys.argv[1])), "")
PY
fi

splats='BUG:|WARNING:|KASAN:|UBSAN:|Kernel panic|Oops|general protection fault|possible (circular|recursive) locking|suspicious RCU usage|INFO: task .* blocked'
if grep -E "$splats" "$out/test.log" > "$out/splats.txt"; then
	echo "kunit: FAIL kernel log has splats ($out/test.log):"
	sed 's/^/    /' "$out/splats.txt"
	"$results" add FAIL kunit:kernel-log
	status=1
else
	"$results" add PASS kunit:kernel-log
fi
exit $status
