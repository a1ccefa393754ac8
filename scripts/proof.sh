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
#   proof:kunit-pass        every KUnit case not listed below passes, each
#                           parameter alone (the tests work on the base)
#   proof:<case>            one per case that guards a fix (MUST_FAIL below):
#                           it fails, every parameter of it, and its log shows
#                           why (the errno it asserts or a KASAN report)
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
test_files='^(drivers/nvmem/(nvmem_kunit\.c|nvmem_kunit_layout\.dts|\.kunitconfig|Kconfig|Makefile)|tools/testing/selftests/.*|MAINTAINERS)$'

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

# KUnit: kunit.py fails on the base by design; its raw log, OUT/test.log,
# says how (the series' run left one there too: start without it).
source "$repo/scripts/kunit-env.sh" "$proof" "$out"
rm -f "$out/test.log"
(cd "$proof" && ./tools/testing/kunit/kunit.py run "${kunit_args[@]}" \
	--qemu_args='-smp 2' --kernel_args=kasan_multi_shot --timeout=1200) \
	> "$out/kunit-proof.log" 2>&1 || true
[ -s "$out/test.log" ] || die "kunit.py left no kernel log: $out/kunit-proof.log"

python3 - "$proof/tools/testing/kunit" "$out/test.log" <<'PY' | while read -r verdict name why; do
import io
import re
import sys

# kunit.py's own parser, for the log of each case: the lines the kernel
# printed while it ran (assertions, KASAN reports). It prints as it
# parses; keep that out of our output.
sys.path.insert(0, sys.argv[1])
real_stdout, sys.stdout = sys.stdout, io.StringIO()
import kunit_parser
tree = kunit_parser.parse_run_tests(open(sys.argv[2], errors="replace"))
sys.stdout = real_stdout

# The cases that must fail on the base, each with what its log must show:
# the reason it fails there, an assertion on the value the fix changes or a
# KASAN report made by the case, and the parameters (if any) that are
# controls and must pass there too. Every other parameter is judged alone.
# Every case not listed must pass on the base, parameter by parameter: the
# tests work there and can pass. KUnit prints errnos as numbers: -1 EPERM,
# -19 ENODEV, -95 EOPNOTSUPP, -517 EPROBE_DEFER.
UAF = r"BUG: KASAN: slab-use-after-free in "
PROVIDER_UAF = UAF + r"nvmem_kunit_(reg_read|reg_write|enter|access_ok)"
MUST_FAIL = {
    ("nvmem_core", "nvmem_cell_bits_write_test"):
        (r"bit \d+ of the cell is \d, want \d|a byte around the cell changed",
         {"bit_offset 0, nbits 8"}),
    ("nvmem_core_bad_input", "nvmem_no_reg_write_test"):
        (r"Expected nvmem_device_write\(nvmem, 0, 4, buf\) == -1, but", set()),
    ("nvmem_core_bad_input", "nvmem_no_reg_read_test"):
        (r"Expected nvmem_device_read\(nvmem, 0, 4, buf\) == -95, but", set()),
    ("nvmem_core_bad_input", "nvmem_read_only_device_write_test"):
        (r"Expected nvmem_device_write\(nvmem, 4, sizeof\(buf\), buf\) == -1, but",
         set()),
    ("nvmem_core_bad_input", "nvmem_force_ro_device_write_test"):
        (r"Expected nvmem_device_write\(nvmem, 4, sizeof\(buf\), buf\) == -1, but",
         set()),
    ("nvmem_core_bad_input", "nvmem_register_error_handle_test"):
        (UAF + r"__nvmem_device_put", set()),
    ("nvmem_core_unbind", "nvmem_unbind_device_handle_test"): (PROVIDER_UAF, set()),
    ("nvmem_core_unbind", "nvmem_unbind_cell_handle_test"): (PROVIDER_UAF, set()),
    ("nvmem_core_unbind", "nvmem_unbind_cell_helpers_test"):
        (r"Expected nvmem_cell_read_\w+\(consumer, .*\) == -517, but", set()),
    ("nvmem_core_unbind", "nvmem_unbind_rebind_test"):
        (r"Expected PTR_ERR_OR_ZERO\(nvmem\) == -517, but", set()),
    ("nvmem_core_unbind", "nvmem_unbind_notifier_test"):
        (r"Expected atomic_read\(&ev->remove\) == 1, but", set()),
    ("nvmem_core_unbind", "nvmem_unbind_cell_sysfs_test"):
        (UAF + r"sysfs_kf_bin_read", set()),
    ("nvmem_core_unbind", "nvmem_unbind_readers_in_flight_test"):
        (PROVIDER_UAF, set()),
    ("nvmem_core_dt", "nvmem_layout_lookup_cell_put_test"):
        (r"Expected module_refcount\(&nvmem_kunit_layout_module\) == refs, but",
         set()),
    ("nvmem_core_dt", "nvmem_layout_pins_module_test"):
        (r"Expected module_refcount\(&nvmem_kunit_layout_module\) == refs \+ 1, but",
         set()),
}

SUITES = {"nvmem_core", "nvmem_core_bad_input", "nvmem_core_unbind",
          "nvmem_core_dt"}

# (suite, case) -> [(parameter or None, "PASS"/"FAILURE"/..., log)]. The
# parser gives a parameterised case's own log the lines before its first
# result, which are the first parameter's.
results = {}

def status(test):
    return "PASS" if test.status == kunit_parser.TestStatus.SUCCESS else test.status.name

for suite in tree.subtests:
    for case in suite.subtests:
        runs = [(p.name, status(p), "\n".join((case.log if i == 0 else []) + p.log))
                for i, p in enumerate(case.subtests)]
        results[(suite.name, case.name)] = runs or [
            (None, status(case), "\n".join(case.log))]

suites = {suite.name for suite in tree.subtests}
if suites != SUITES or tree.counts.errors:
    print("FAIL", "proof:kunit-run",
          f"suites {sorted(suites)}, want {sorted(SUITES)}; {tree.counts.errors} parse errors")
else:
    print("PASS", "proof:kunit-run", f"all {len(SUITES)} suites ran, no parse error")

def label(suite, case, param):
    return f"{suite}.{case}" + (f"[{param}]" if param else "")

bad = [label(s, c, p) + "=" + st for (s, c), runs in results.items()
       if (s, c) not in MUST_FAIL for p, st, _ in runs if st != "PASS"]
print("PASS" if results and not bad else "FAIL", "proof:kunit-pass",
      "every other case passes" if not bad else "unexpected: " + " ".join(bad))

for (suite, case), (why, controls) in MUST_FAIL.items():
    runs = results.get((suite, case))
    if not runs:
        print("FAIL", f"proof:{case}", "missing from the results")
        continue
    wrong = []
    for param, st, log in runs:
        if param in controls:
            if st != "PASS":
                wrong.append(label(suite, case, param) + f"={st} (a control)")
        elif st != "FAILURE":
            wrong.append(label(suite, case, param) + f"={st}, not FAILURE")
        elif not re.search(why, log):
            wrong.append(label(suite, case, param) + ": no " + why)
    seen = {param for param, _, _ in runs}
    wrong += [label(suite, case, c) + " missing (a control)" for c in controls - seen]
    if len(runs) == len(controls & seen):
        wrong.append(label(suite, case, None) + ": nothing left to judge")
    judged = len(runs) - len(controls)
    print("FAIL" if wrong else "PASS", f"proof:{case}",
          "unexpected: " + "; ".join(wrong[:5]) if wrong else
          "fails for its reason" +
          (f" in all {judged} parameters, its {len(controls)} control(s) pass"
           if runs[0][0] else ""))
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
		console=$out/selftest/console.log
		notok=$(sed -n 's/^not ok [0-9]* //p' "$console" | paste -sd ';')
		last=$(grep -E '^(not )?ok [0-9]+ ' "$console" | tail -n 1 || true)
		echo "proof: PASS proof:selftest: $(grep -m1 'BUG: KASAN' "$console");" \
			"cases not ok: ${notok:-none};" \
			"last result before the kernel stopped or the run ended: ${last:-none}"
		"$results" add PASS proof:selftest
	else
		echo "proof: FAIL proof:selftest: failed without a KASAN report ($out/selftest-proof.log)"
		"$results" add FAIL proof:selftest
	fi
else
	echo "proof: the series has no kselftest yet"
	"$results" add FAIL proof:selftest
fi
