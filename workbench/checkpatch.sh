#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run scripts/checkpatch.pl --strict of build/linux on every patch of
# patches/ (not the cover letter), each read from stdin as git
# format-patch wrote it.  A patch passes with 0 errors, 0 warnings and
# 0 checks, apart from the message types listed in checkpatch.allow, each
# with the reason it is allowed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
allow=$wb/checkpatch.allow

[ -f "$linux/scripts/checkpatch.pl" ] || die "build/linux has no scripts/checkpatch.pl: run 'make base'"

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
for p in $(series_patches); do
	p=$(basename "$p")
	# Exits non-zero on any error, warning or check; quiet when clean.
	if out=$(cd "$linux" && perl scripts/checkpatch.pl --strict --quiet \
			--show-types ${ignore:+--ignore="$ignore"} - \
			< "$repo/patches/$p" 2>&1) && [ -z "$out" ]; then
		echo "checkpatch: ok $p"
		result PASS "checkpatch:$p"
	else
		echo "checkpatch: FAIL $p:"
		sed 's/^/    /' <<< "$out"
		result FAIL "checkpatch:$p"
		failed=1
	fi
done
exit $failed
