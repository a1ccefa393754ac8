#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make test": every test stage on TREE (default build/linux) with the
# series of patches/, then one line "N passed, N failed".
#
# Stages record results as described in scripts/results.sh.  A failed
# stage does not stop the run, except when later stages need its output
# (base, apply; kconfig and kernel for the QEMU tests).  Exits non-zero on
# any failure.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-$repo/build/linux}
out=$repo/build/out/$(basename "$tree")
export T0=$(date +%s) RESULTS=$repo/build/results
cd "$repo"

stage() { scripts/stage.sh "$@"; }
summary() { scripts/results.sh summary; exit; }

scripts/results.sh reset
stage deps scripts/deps.sh || summary
stage base scripts/base.sh "$tree" || summary
stage apply scripts/apply.sh "$tree" || summary

stage check scripts/check.sh "$tree"
stage checkpatch scripts/checkpatch.sh "$tree"
stage build-patches scripts/build-patches.sh "$tree" "$out-patches"

if stage kconfig scripts/kconfig.sh "$tree" "$out" &&
   stage kernel scripts/build.sh "$tree" "$out"; then
	stage kunit scripts/kunit.sh "$tree" "$out"
	stage selftest scripts/selftest.sh "$tree" "$out"
	# 50 bind/unbind cycles on this kernel, with kmemleak
	stage stress-smoke env STRESS_CYCLES=1 STRESS_KERNELS=series \
		STRESS_OUT="$out" TREE="$tree" scripts/stress.sh
fi
# One short boot of each benchmark kernel (no debugging options: built
# apart from the test kernel): the tool works, no figure is judged.
stage bench-smoke env BENCH_RUNS=1 TREE="$tree" scripts/bench.sh
# The same tests on the base with only the test patches: they must fail
# where the series fixes something.  Last: it rebuilds $out for the base.
stage proof scripts/proof.sh "$tree" "$out"

summary
