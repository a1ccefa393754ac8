#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Result accounting for `make test`.
#
# Protocol: a stage records each thing it tested as one line appended to
# $RESULTS (default build/results):
#
#	PASS <name>
#	FAIL <name>
#	SKIP <name>	(listed, counted neither as passed nor failed)
#
# <name> is one word: <stage>:<item>, e.g. checkpatch:0001-nvmem-foo.patch,
# build:0002-nvmem-bar.patch, kunit:nvmem_core.read_after_unbind,
# selftest:unbind_while_reading.  Record with
#
#	scripts/results.sh add PASS|FAIL|SKIP NAME...
#	scripts/results.sh tap STAGE [FILE]	# (K)TAP on FILE or stdin
#
# "tap" turns every leaf "ok"/"not ok" line of a (K)TAP stream into a line
# (parent/suite summary lines are not counted twice; "# SKIP" is a SKIP).
# scripts/stage.sh adds "PASS <stage>" for a stage that exits 0 without
# recording anything, and "FAIL <stage>" for one that exits non-zero
# without recording a FAIL, so every stage counts at least once and no
# failure goes uncounted.
#
#	scripts/results.sh reset	# start a new run
#	scripts/results.sh summary	# list failures, print "N passed, N failed";
#					# exit 1 if anything failed or nothing ran
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
RESULTS=${RESULTS:-$repo/build/results}

usage() {
	sed -n 's/^#\t\(scripts\/results.sh .*\)/\1/p' "$0" >&2
	exit 2
}

case "${1:-}" in
reset)
	mkdir -p "$(dirname "$RESULTS")"
	: > "$RESULTS"
	;;
add)
	[ $# -ge 3 ] || usage
	status=$2
	shift 2
	case "$status" in PASS|FAIL|SKIP) ;; *) usage ;; esac
	mkdir -p "$(dirname "$RESULTS")"
	for name; do
		echo "$status $name" >> "$RESULTS"
	done
	;;
tap)
	[ $# -ge 2 ] || usage
	stage=$2
	# A result line is a leaf unless the result line before it was
	# indented deeper (then it closes a suite of those subtests).
	awk -v stage="$stage" '
	match($0, /^[ \t]*(not )?ok [0-9]+/) {
		indent = match($0, /[^ \t]/) - 1
		line = substr($0, indent + 1)
		if (!(seen && prev > indent)) {
			status = line ~ /^not ok/ ? "FAIL" : "PASS"
			if (line ~ /#[ \t]*[Ss][Kk][Ii][Pp]/)
				status = "SKIP"
			name = line
			sub(/^(not )?ok [0-9]+[ \t]*(- )?/, "", name)
			sub(/[ \t]*#.*$/, "", name)
			gsub(/[^A-Za-z0-9_.:+-]+/, "_", name)
			if (name == "")
				name = NR
			print status, stage ":" name
		}
		prev = indent
		seen = 1
	}' "${3:-/dev/stdin}" >> "$RESULTS"
	;;
summary)
	touch "$RESULTS"
	pass=$(grep -c '^PASS ' "$RESULTS" || true)
	fail=$(grep -c '^FAIL ' "$RESULTS" || true)
	skip=$(grep -c '^SKIP ' "$RESULTS" || true)
	if [ "$skip" -gt 0 ]; then
		echo "skipped:"
		sed -n 's/^SKIP /  /p' "$RESULTS"
	fi
	if [ "$fail" -gt 0 ]; then
		echo "failed:"
		sed -n 's/^FAIL /  /p' "$RESULTS"
	fi
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
	;;
*)
	usage
	;;
esac
