#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Mutants: the tests catch bugs that the base cannot show: mutants.sh [MUTANT]...
#
# "make proof" shows each test failing on the unfixed base; two claims of
# the cover letter need a kernel that neither the base nor the series is.
# Each mutant is a kernel built by workbench/kernel.sh (-p its patch of
# workbench/mutants/, Kconfig.fragment and the series' test configs), the
# KUnit suites run on it by workbench/kunit.sh, and a verdict that asks for
# one specific outcome:
#
#   shared-srcu         the series with one global SRCU domain for every
#                       nvmem device (DEFINE_STATIC_SRCU) in place of each
#                       device's own (shared-srcu.patch): the per-device
#                       domain is what the tests need, because
#                       nvmem_core_unbind.nvmem_unbind_other_device_test
#                       fails, saying "the unbind waited for another
#                       provider's calls", and it is the only case that
#                       fails (every case ran, no splat in the kernel log).
#   layout-race-base    the base with the test patches, as "make proof"
#                       builds it, and a delay of a few ms in the lookup
#                       between reading the layout's driver and pinning its
#                       module (layout-race-delay-base.patch), the window
#                       patch 5 closes: the case
#                       nvmem_core_dt.nvmem_layout_lookup_unbind_race_test,
#                       which passes on the base (the window is a few
#                       instructions), fails with a KASAN use-after-free in
#                       of_nvmem_cell_get() or
#                       nvmem_layout_module_get_optional() in its log, of
#                       the driver that the case freed.
#   layout-race-series  the same delay in the same place of the series
#                       (layout-race-delay-series.patch), under the layout
#                       device's lock: every case passes, every case ran,
#                       no splat (kunit.sh's kunitconfig-complete, about
#                       the series' .kunitconfig, is not the mutant's).
#
# Tally (build/mutants/results): one "PASS|FAIL mutant:NAME" per mutant, a
# PASS when the mutant did what it must.  The kernels are build/k/mutant-NAME,
# the per-case results of each run build/mutants/NAME.kunit, the logs
# build/logs/mutant-NAME.log.  Exits non-zero if any mutant did not.  Takes
# a kernel build and a KUnit boot per mutant (a few minutes each with a warm
# ccache); not part of "make test".
#
#	MUTANT		run only these (default: all three, in the order above)
#
# "mutants.sh step MUTANT" is one mutant, the stage a run calls through
# workbench/stage.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

MUTANTS=(shared-srcu layout-race-base layout-race-series)
work=$repo/build/mutants
RESULTS=$work/results
usage="usage: mutants.sh [-h|--help] [MUTANT]...  (MUTANT: ${MUTANTS[*]})"
UAF="BUG: KASAN: slab-use-after-free in "
# ... of the driver that the race case freed
freed='\nFreed by task \d+:\n(?: .*\n)*? nvmem_layout_lookup_unbind_race_test\+'

# what NAME builds on: "REV PATCH..." (the base-tests kernel's test patches
# first, as kernel.sh base-tests applies them)
mutant_source() {
	local m=$wb/mutants
	case $1 in
	shared-srcu) echo "series $m/shared-srcu.patch" ;;
	layout-race-base) echo "base $(test_patches | paste -sd ' ') $m/layout-race-delay-base.patch" ;;
	layout-race-series) echo "series $m/layout-race-delay-series.patch" ;;
	*) return 1 ;;
	esac
}

# tally_fails FILE: kunit.sh's non-PASS lines, the prefix stripped, but
# for kunitconfig-complete, which judges the series' .kunitconfig, not the
# kernel that ran
tally_fails() {
	grep -v -e '^PASS ' -e ':kunitconfig-complete$' "$1" | sed 's/ [^:]*:/ /' |
		paste -sd ' ' || true
}

# run_one NAME (a stage of its own): build, boot, judge, one tally line
run_one() {
	local name=$1 kname=mutant-$1 src rev t kunit=$work/$1.kunit why ok=0 judge
	local -a patches
	mutant_source "$name" > /dev/null || die "no mutant $name; $usage"
	read -r rev src <<< "$(mutant_source "$name")"
	read -ra patches <<< "$src"
	t=$(date +%s)
	"$wb/kernel.sh" "${patches[@]/#/-p}" -c "$repo/Kconfig.fragment" -k "$kname" "$rev"
	local built=$(($(date +%s) - t))
	echo "mutants: $name: kernel built in ${built}s"

	t=$(date +%s)
	: > "$kunit"
	RESULTS=$kunit KUNIT_PREFIX=$kname "$wb/kunit.sh" "$kname" || true
	local ran=$(($(date +%s) - t))
	echo "mutants: $name: KUnit ran in ${ran}s"
	local out=$kdir/$kname/out
	[ -s "$out/test.log" ] || { result FAIL "mutant:$name" "kunit.py left no kernel log"; return 1; }
	local judge_args=("$kdir/$kname/src/tools/testing/kunit" "$out/test.log")

	case $name in
	shared-srcu)
		local case=nvmem_core_unbind.nvmem_unbind_other_device_test
		judge=$("$wb/mutants.py" "${judge_args[@]}" --others-pass \
			--fail "$case" "the unbind waited for another provider's calls") && ok=1
		# kunit.sh's own checks: that case is its one failure
		[ "$(tally_fails "$kunit")" = "FAIL $case" ] || ok=0
		;;
	layout-race-base)
		judge=$("$wb/mutants.py" "${judge_args[@]}" \
			--fail nvmem_core_dt.nvmem_layout_lookup_unbind_race_test \
			"(?s)${UAF}(of_nvmem_cell_get|nvmem_layout_module_get_optional)\\+.*?$freed") && ok=1
		;;
	layout-race-series)
		judge=$("$wb/mutants.py" "${judge_args[@]}" --others-pass) && ok=1
		[ -z "$(tally_fails "$kunit")" ] || ok=0
		;;
	esac
	local fails passed
	fails=$(tally_fails "$kunit")
	passed=$(grep -c '^PASS ' "$kunit" || true)
	why="${judge#* }; kunit.sh: $passed PASS${fails:+, $(cut -c 1-300 <<< "$fails")}"
	echo "mutants: $name: $why"
	echo "$name built ${built}s ran ${ran}s" >> "$work/times"
	if [ "$ok" = 1 ]; then
		result PASS "mutant:$name"
		echo "mutants: PASS mutant:$name (kernel ${built}s, KUnit ${ran}s)"
	else
		result FAIL "mutant:$name" "$why"
		return 1
	fi
}

if [ "${1:-}" = step ]; then	# mutants.sh step NAME: the stage itself
	[ $# -eq 2 ] || die "usage: mutants.sh step MUTANT"
	mkdir -p "$work"
	run_one "$2"
	exit
fi
case ${1:-} in -*) die "$usage" ;; esac
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${MUTANTS[@]}")
for n in "${names[@]}"; do mutant_source "$n" > /dev/null || die "no mutant $n; $usage"; done

export T0=${T0:-$(date +%s)}
mkdir -p "$work"
: > "$RESULTS"
: > "$work/times"
export RESULTS
status=0
for n in "${names[@]}"; do
	stage "mutant-$n" "$0" step "$n" || status=1
done
echo "mutants: $(date -u '+%Y-%m-%d %H:%M UTC'), tally $RESULTS:"
sed 's/^/    /' "$RESULTS"
echo "mutants: times:"
sed 's/^/    /' "$work/times"
exit "$status"
