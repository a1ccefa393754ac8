#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make test": every test stage of the series of patches/, then one line
# "N passed, N failed".
#
# Stages record results in the tally (workbench/lib.sh).  A failed stage
# does not stop the run, except when later stages need its output (deps,
# base, apply; the kernel for the QEMU tests).  Exits non-zero on any
# failure or when nothing ran.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
export T0=$(date +%s)

# Which kernel a result of the tally ran on.  Each test runs once per
# kernel: the KUnit cases are counted on series (kunit:) and again on
# kcsan (kcsan-kunit:), which are two results, not one counted twice.
kernel_of() {
	case $1 in
	proof*) echo "base-tests (the base + the test patches, must fail)" ;;
	kcsan*) echo "kcsan (the series under KCSAN)" ;;
	kernel | kunit:* | selftest:* | stress-kernel-* | stress-run-*) echo "series" ;;
	*) echo "no kernel (set-up, export, checkpatch, per-patch builds)" ;;
	esac
}

# A skipped test proves nothing: it counts as failed.
summary() {
	local pass fail verdict name
	pass=$(grep -c '^PASS ' "$RESULTS")
	fail=$(grep -c '^\(FAIL\|SKIP\) ' "$RESULTS")
	if [ "$fail" -gt 0 ]; then
		echo "failed:"
		sed -n 's/^FAIL /  /p; s/^SKIP \(.*\)/  \1 (skipped)/p' "$RESULTS"
	fi
	echo "results per kernel:"
	while read -r verdict name; do
		echo "$(kernel_of "$name")|$verdict"
	done < "$RESULTS" | sort | uniq -c | awk '
		{ split(substr($0, index($0, $2)), f, "|"); n[f[1]] += $1
		  if (f[2] != "PASS") bad[f[1]] += $1 }
		END { for (k in n) printf "  %4d on %s, %d of them failed\n", n[k], k, bad[k] }'
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
	exit
}

mkdir -p "$(dirname "$RESULTS")"
: > "$RESULTS"
cd "$repo"
stage deps workbench/deps.sh || summary
stage base workbench/base.sh || summary
stage apply workbench/apply.sh || summary

stage check-export workbench/check-export.sh
# the cover letter's figures against the tables in results/
stage check-figures workbench/check-figures.py
stage checkpatch workbench/checkpatch.sh
stage build-patches workbench/build-patches.sh

if stage kernel workbench/kernel.sh series; then
	stage kunit workbench/kunit.sh series
	stage selftest workbench/selftest.sh series
	# 50 bind/unbind cycles on this kernel, with kmemleak
	stage stress-smoke workbench/stress.sh --smoke --kernel series
fi
# Data races: KUnit and the stress smoke on a KCSAN kernel
stage kcsan workbench/kcsan.sh
# The same tests on the base with only the test patches: they must fail
# where the series fixes something.
stage proof workbench/proof.sh

summary
