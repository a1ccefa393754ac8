#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Publish the tables the cover letter cites: publish.sh [-n] [WHAT...]
#
# make bench and make stress write under build/ only.  This copies what
# the cover letter cites to results/, the only results git keeps:
#
#	icount	build/bench-icount/results/table.txt -> icount.txt
#	memory	build/bench/results/memory.txt       -> memory.txt
#	stress	build/stress/series/report.txt       -> stress-series.txt
#		build/stress/base-tests/report.txt   -> stress-base.txt
#
# each into results/DATE-COMMIT/, DATE and COMMIT (12 hex digits) taken
# from the table's own header line ("2026-12-02; base ..., series
# 99f2bb6b780f; ...", the first two lines).  No WHAT: each of them that
# exists.  It refuses a table whose header lacks the date or the series
# commit, a smoke run, a BENCH_VARIANT run, and a published file that
# would change.  -n: say what it would copy, copy nothing.  Then commit
# the new directory and cite it in the cover letter; make check-figures
# compares the two.
#
#	PUBLISH_FROM	where the runs are (default build)
#	PUBLISH_TO	where they go (default results)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage="usage: publish.sh [-n] [icount|memory|stress]... (see its header)"
from=${PUBLISH_FROM:-$repo/build}
to=${PUBLISH_TO:-$repo/results}
dry=0
case "${1:-}" in
-n) dry=1; shift ;;
-*) die "$usage" ;;
esac

# sources WHAT: "SOURCE NAME" lines
sources() {
	case $1 in
	icount) echo "$from/bench-icount/results/table.txt icount.txt" ;;
	memory) echo "$from/bench/results/memory.txt memory.txt" ;;
	stress) echo "$from/stress/series/report.txt stress-series.txt"
		echo "$from/stress/base-tests/report.txt stress-base.txt" ;;
	esac
}

# check FILE NAME: FILE's header, then "FILE DEST" for the copy
check() {
	local f=$1 name=$2 head dir
	head=$(head -n 2 "$f")
	dir=$(sed -nE 's/^(# )?([0-9]{4}-[0-9]{2}-[0-9]{2});.* series ([0-9a-f]{12})([^0-9a-f].*)?$/\2-\3/p' \
		<<< "$head" | head -n 1)
	[ -n "$dir" ] ||
		die "$f: no header line with a date and the series commit" \
			"(\"YYYY-MM-DD; ... series <12 hex>; ...\"), nothing published"
	if grep -qE 'smoke run|(^| )runs=1( |$)' <<< "$head"; then
		die "$f: a smoke run, nothing published"
	fi
	if grep -q 'workbench/mutants/' <<< "$head"; then
		die "$f: a BENCH_VARIANT run, nothing published"
	fi
	if [ -e "$to/$dir/$name" ] && ! cmp -s "$f" "$to/$dir/$name"; then
		die "$f: $to/$dir/$name is published already and differs;" \
			"a published table stays as it is, nothing published"
	fi
	copies+=("$f" "$to/$dir/$name")
}

explicit=$#
[ $# -gt 0 ] || set -- icount memory stress
for what in "$@"; do
	case $what in icount|memory|stress) ;; *) die "$usage" ;; esac
done
# every table is checked before the first is copied
copies=()
for what in "$@"; do
	while read -r src name; do
		if [ -e "$src" ]; then
			check "$src" "$name"
		elif [ "$explicit" -gt 0 ]; then
			die "$what: no $src (make bench or make stress writes it)"
		else
			echo "publish: no $src, skipped"
		fi
	done < <(sources "$what")
done
[ ${#copies[@]} -gt 0 ] || die "nothing to publish: no table under $from (make bench, make stress)"
for ((i = 0; i < ${#copies[@]}; i += 2)); do
	echo "publish: ${copies[i]#"$repo"/} -> ${copies[i + 1]#"$repo"/}"
	[ "$dry" = 1 ] && continue
	mkdir -p "$(dirname "${copies[i + 1]}")"
	cp "${copies[i]}" "${copies[i + 1]}"
done
[ "$dry" = 1 ] || echo "publish: now git add ${to#"$repo"/}, and cite the directory in the cover letter"
