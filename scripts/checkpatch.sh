#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run TREE's scripts/checkpatch.pl --strict on every patch of patches/series
# (not the cover letter).  A patch passes with 0 errors, 0 warnings and
# 0 checks, apart from the message types listed in checkpatch.allow, each
# with the reason it is allowed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tree=$(realpath "${1:-$repo/build/linux}")
allow=$repo/checkpatch.allow
results=$repo/scripts/results.sh

die() { echo "checkpatch: $*" >&2; exit 1; }

[ -f "$tree/scripts/checkpatch.pl" ] || die "$tree has no scripts/checkpatch.pl; run 'make base'"
if [ ! -f "$repo/patches/series" ]; then
	echo "checkpatch: no patches/series, nothing to check"
	exit 0
fi

# checkpatch.allow: "TYPE  reason", one per line; '#' starts a comment.
ignore=
if [ -f "$allow" ]; then
	while read -r type reason; do
		case "$type" in ''|'#'*) continue ;; esac
		[[ $type =~ ^[A-Z0-9_]+$ ]] || die "checkpatch.allow: bad type '$type'"
		[ -n "$reason" ] || die "checkpatch.allow: $type needs a reason"
		echo "checkpatch: allowed $type: $reason"
		ignore+=${ignore:+,}$type
	done < "$allow"
fi

# checkpatch runs scripts/spdxcheck.py with "env python3": use Debian's,
# which has the python3-ply and python3-git that deps.sh installs.
export PATH=/usr/bin:$PATH

failed=0
while read -r p; do
	case "$p" in ''|'#'*) continue ;; esac
	# Exits non-zero on any error, warning or check; quiet when clean.
	if out=$(cd "$tree" && perl scripts/checkpatch.pl --strict --quiet \
			--show-types ${ignore:+--ignore="$ignore"} \
			"$repo/patches/$p" 2>&1) && [ -z "$out" ]; then
		echo "checkpatch: ok $p"
		"$results" add PASS "checkpatch:$p"
	else
		echo "checkpatch: FAIL $p:"
		sed 's/^/    /' <<< "$out"
		"$results" add FAIL "checkpatch:$p"
		failed=1
	fi
done < "$repo/patches/series"
exit $failed
