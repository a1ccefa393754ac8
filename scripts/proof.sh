#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prove that the tests test the fix: proof.sh TREE OUT
#
# Checks out, in TREE, tag "base" with only the series' test patches applied
# (the patches that touch nothing but the KUnit suite, the kselftest and
# their Kconfig, Makefile and MAINTAINERS lines), rebuilds the test kernel
# in OUT (the series' build directory: only the files the fixes touch are
# rebuilt), runs the KUnit suite and the kselftest on it, checks out branch
# "series" again, and records a result for each thing the unfixed kernel
# must show:
#
#   proof:kunit-api         every case of suite nvmem_core passes (the
#                           tests work on the base and can pass there)
#   proof:kunit-bad-input   the -EOPNOTSUPP, range and register-error-handle
#                           cases fail, the read-only and error-path cases pass
#   proof:kunit-unbind      every handle and readers-in-flight case of
#                           suite nvmem_core_unbind fails
#   proof:selftest          the kselftest fails with a KASAN report
#
# A proof result PASSes when the base behaves as the unfixed kernel must.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tree=$(realpath "${1:-$repo/build/linux}")
out=$(realpath -m "${2:-$repo/build/out/$(basename "$tree")}")
results=$repo/scripts/results.sh

die() { echo "proof: $*" >&2; exit 1; }

# Files a test patch may touch; a patch touching anything else is a fix.
test_files='^(drivers/nvmem/(nvmem_kunit\.c|\.kunitconfig|Kconfig|Makefile)|tools/testing/selftests/.*|MAINTAINERS)$'

test_patches=()
while read -r p; do
	case "$p" in ''|'#'*) continue ;; esac
	files=$(sed -n 's|^diff --git a/\(.*\) b/.*|\1|p' "$repo/patches/$p")
	[ -n "$files" ] || continue
	if ! grep -qvE "$test_files" <<< "$files"; then
		test_patches+=("$repo/patches/$p")
	fi
done < "$repo/patches/series"
[ ${#test_patches[@]} -gt 0 ] || die "patches/ has no test patch"

[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted changes"
git -C "$tree" rev-parse -q --verify refs/heads/series > /dev/null ||
	die "$tree has no branch series"
proof=$tree
trap 'git -C "$tree" am --abort > /dev/null 2>&1 || true
      git -C "$tree" checkout -q series' EXIT

echo "proof: base + ${#test_patches[@]} test patch(es):"
git -C "$tree" checkout -q --detach base
export GIT_COMMITTER_NAME=proof GIT_COMMITTER_EMAIL=proof@localhost
for p in "${test_patches[@]}"; do
	git -C "$tree" am -q "$p" || die "$(basename "$p") does not apply on base"
	echo "    $(git -C "$tree" log -1 --format=%s)"
done

"$repo/scripts/kconfig.sh" "$proof" "$out"
"$repo/scripts/build.sh" "$proof" "$out"

# KUnit: kunit.py fails on the base by design; the JSON says how.
source "$repo/scripts/kunit-env.sh" "$proof" "$out"
rm -f "$out/kunit-proof.json"
(cd "$proof" && ./tools/testing/kunit/kunit.py run "${kunit_args[@]}" \
	--qemu_args='-smp 2' --kernel_args=kasan_multi_shot --timeout=1200 \
	--json="$out/kunit-proof.json") > "$out/kunit-proof.log" 2>&1 || true
[ -f "$out/kunit-proof.json" ] || die "kunit.py left no results: $out/kunit-proof.log"

python3 - "$out/kunit-proof.json" <<'PY' | while read -r verdict name why; do
import json
import sys

# A case's status: a parameterised case is a group whose leaves are its
# parameters, and it fails when any of them does.
status = {}

def walk(group, suite):
    for case in group.get("test_cases", []):
        status[(suite, case["name"])] = case["status"]
    for sub in group.get("sub_groups", []):
        if suite is None:
            walk(sub, sub["name"])
        else:
            leaves = [c["status"] for c in sub.get("test_cases", [])]
            ok = leaves and all(s == "PASS" for s in leaves)
            status[(suite, sub["name"])] = "PASS" if ok else "FAIL"

walk(json.load(open(sys.argv[1])), None)

def check(name, want, cases):
    bad = [f"{s}.{c}={status.get((s, c), 'MISSING')}" for s, c in cases
           if status.get((s, c)) != want]
    print("PASS" if cases and not bad else "FAIL", name,
          "all as expected" if not bad else "unexpected: " + " ".join(bad))

core = [k for k in status if k[0] == "nvmem_core"]
check("proof:kunit-api", "PASS", core)

bad = "nvmem_core_bad_input"
check("proof:kunit-bad-input", "FAIL",
      [(bad, c) for c in ("nvmem_no_reg_write_test", "nvmem_no_reg_read_test",
                          "nvmem_out_of_range_test",
                          "nvmem_register_error_handle_test")])
check("proof:kunit-bad-input-pass", "PASS",
      [(bad, c) for c in ("nvmem_read_only_test", "nvmem_register_error_test")])

unbind = "nvmem_core_unbind"
check("proof:kunit-unbind", "FAIL",
      [(unbind, f"nvmem_unbind_{c}_test")
       for c in ("device_handle", "cell_handle", "cell_helpers", "rebind",
                 "notifier", "readers_in_flight")])
PY
	echo "proof: $verdict $name: $why"
	"$results" add "$verdict" "$name"
done

# The kselftest: it must fail on the base, and because of a KASAN report.
# (selftest.sh overwrites OUT/selftest: the series' run is recorded already.)
if [ -d "$proof/tools/testing/selftests/nvmem" ]; then
	if RESULTS=/dev/null "$repo/scripts/selftest.sh" "$proof" "$out" \
		> "$out/selftest-proof.log" 2>&1; then
		echo "proof: FAIL proof:selftest: the selftest passed on the base"
		"$results" add FAIL proof:selftest
	elif grep -q 'BUG: KASAN' "$out/selftest/console.log"; then
		echo "proof: PASS proof:selftest: $(grep -m1 'BUG: KASAN' "$out/selftest/console.log")"
		"$results" add PASS proof:selftest
	else
		echo "proof: FAIL proof:selftest: failed without a KASAN report ($out/selftest-proof.log)"
		"$results" add FAIL proof:selftest
	fi
else
	echo "proof: the series has no kselftest yet"
	"$results" add FAIL proof:selftest
fi
