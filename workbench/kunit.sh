#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# KUnit on a built test kernel: kunit.sh [-t SECONDS] NAME
#
# kunit.py exec boots build/k/NAME (QEMU, 2 vCPUs, every KASAN report
# shown) and leaves the kernel log in build/k/NAME/out/test.log.  Tally:
# kunit:<suite>.<case> per case from kunit.py's JSON, kunit:every-case-ran,
# which fails when a KUNIT_CASE() of the suites' sources has no result,
# kunit:kunitconfig-complete (kernel series only: it is about the series'
# source, not about the kernel), which fails when the suites' .kunitconfig
# alone leaves an option off that a case tests with IS_ENABLED(), and
# kunit:kernel-log, which fails when that log has a line of workbench/splats.
# A skipped case fails the run, as it fails make test.  -t: kunit.py's
# timeout for the whole boot (default 1200 s; KUnit itself gives each case
# 300 s in 6.12).
#
#	KUNIT_PREFIX	the tally's prefix instead of "kunit"
#	KUNIT_ARGS	more kernel command line
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage="usage: kunit.sh [-t SECONDS] NAME"
timeout=1200
while getopts t: opt; do
	case $opt in
	t) timeout=$OPTARG ;;
	*) die "$usage" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || die "$usage"
src=$kdir/$1/src out=$kdir/$1/out
rm -f "$out/kunit.json" "$out/test.log"
[ -f "$src/drivers/nvmem/.kunitconfig" ] || die "$1 has no nvmem KUnit suite"
sources=("$src"/drivers/nvmem/nvmem_kunit*.[ch])

# No PS/2 keyboard or mouse: their probe prints "input: ..." whenever it
# ends, and a line in the middle of the KTAP output breaks kunit.py's parse.
kargs="kasan_multi_shot i8042.nokbd i8042.noaux ${KUNIT_ARGS:-}"
status=0
(cd "$src" && ./tools/testing/kunit/kunit.py exec --arch=x86_64 "--build_dir=$out" \
	--qemu_args='-smp 2' --kernel_args="$kargs" --timeout="$timeout" \
	--json="$out/kunit.json") || status=$?
[ -f "$out/kunit.json" ] || die "kunit.py wrote no JSON"

prefix=${KUNIT_PREFIX:-kunit}
cases=$("$wb/json-results.py" "$prefix" "$out/kunit.json")
while read -r s n; do [ -z "$s" ] || result "$s" "$n"; done <<< "$cases"
# A skipped case proves nothing, and neither does one that did not run.
grep -q '^SKIP ' <<< "$cases" && status=1
if missing=$("$wb/kunit-cases.py" "$out/kunit.json" "${sources[@]}"); then
	result PASS "$prefix:every-case-ran"
else
	result FAIL "$prefix:every-case-ran" "no result for $(paste -sd ' ' <<< "$missing")"
	status=1
fi
# A user runs the suites with kunit.py run --kunitconfig=drivers/nvmem:
# that config alone must enable every option a case needs, or the case
# skips there although it runs here.
kunitconfig_complete() {
	local alone=$out/kunitconfig-alone unset_options
	(cd "$src" && ./tools/testing/kunit/kunit.py config --arch=x86_64 "--build_dir=$alone" \
		--kunitconfig=drivers/nvmem "--make_options=CC=$cc") > /dev/null
	unset_options=$({ grep -ho 'IS_ENABLED(CONFIG_[A-Z0-9_]*)' "${sources[@]}" || true; } |
		sed 's/IS_ENABLED(\(.*\))/\1/' | sort -u |
		while read -r option; do
			grep -qE "^$option=[ym]$" "$alone/.config" || echo "$option"
		done)
	if [ -z "$unset_options" ]; then
		result PASS "$prefix:kunitconfig-complete"
	else
		result FAIL "$prefix:kunitconfig-complete" \
			"drivers/nvmem/.kunitconfig alone leaves $(paste -sd ' ' <<< "$unset_options") unset"
		status=1
	fi
}
[ "$1" != series ] || kunitconfig_complete
if found=$(grep -Ef "$splats" "$out/test.log"); then
	result FAIL "$prefix:kernel-log" "$(head -n 5 <<< "$found")"
	status=1
else
	result PASS "$prefix:kernel-log"
fi
exit $status
