#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo: unbind an at24 EEPROM while it is read, on the base kernel and
# on the series, and say which kernel survived.  demo.sh [BASE SERIES]
#
# Builds two test kernels, each with the nvmem selftest patch:
#   base    tag "base" of build/linux + the selftest patch
#   series  branch "series" of build/linux (+ the selftest patch unless
#           the series has it)
# in worktrees build/demo/{base,series} (build/demo/out/* for the builds),
# runs scripts/selftest.sh on each and prints a verdict derived from what
# the kernels did: the first splat and its top frames, how the reads
# ended, whether the console stayed clean, and the unbind time.
# BASE and SERIES override the two commits, DEMO_DIR build/demo.  The
# selftest patch is taken from the series if it has it, else from
# patches/.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
linux=$repo/build/linux
demo=${DEMO_DIR:-$repo/build/demo}
export T0=${T0:-$(date +%s)} RESULTS=$demo/results
subject="selftests: nvmem: add a test for unbinding an EEPROM while it is read"

die() { echo "demo: $*" >&2; exit 1; }
stage() { "$repo/scripts/stage.sh" "$@"; }

mkdir -p "$demo"
: > "$RESULTS"
stage demo-deps "$repo/scripts/deps.sh"
[ -d "$linux" ] || stage demo-base "$repo/scripts/base.sh" "$linux"
if ! git -C "$linux" rev-parse -q --verify refs/heads/series > /dev/null ||
   [ "$(git -C "$linux" rev-list --count base..series)" -eq 0 ]; then
	stage demo-series "$repo/scripts/apply.sh" "$linux"
fi
base=${1:-base}
series=${2:-series}

# The selftest commit: from the series, or its patch in patches/ (the one
# that adds the kselftest's Makefile) when SERIES is a commit without it.
selftest=$(git -C "$linux" log --format=%H --fixed-strings \
	--grep="$subject" "base..$series" | head -n 1)
selftest_patch=$(grep -l '^+++ b/tools/testing/selftests/nvmem/Makefile$' \
	"$repo"/patches/0*.patch | head -n 1)
[ -n "$selftest" ] || [ -n "$selftest_patch" ] || die "no selftest patch in patches/"

who=(-c user.name=demo -c user.email=demo@localhost)

# worktree NAME COMMIT: build/demo/NAME at COMMIT + the selftest patch
worktree() {
	local wt=$demo/$1

	if [ -d "$wt" ]; then
		git -C "$wt" checkout -q --detach "$2"
	else
		git -C "$linux" worktree add -q --detach "$wt" "$2"
	fi
	# (not "git log | grep -q": under pipefail, git log dies of SIGPIPE
	# when grep stops early, and the test fails)
	if grep -qxF "$subject" <<< "$(git -C "$wt" log --format=%s "base..HEAD")"; then
		return
	fi
	if [ -n "$selftest" ]; then
		git -C "$wt" "${who[@]}" cherry-pick "$selftest" > /dev/null
	else
		git -C "$wt" "${who[@]}" am -q "$selftest_patch"
	fi
}

for k in base series; do
	[ "$k" = base ] && commit=$base || commit=$series
	worktree "$k" "$commit"
	echo "demo: $k = $(git -C "$demo/$k" log --oneline -1 "$commit" | cut -c 1-70) + selftest"
	stage "demo-kconfig-$k" "$repo/scripts/kconfig.sh" "$demo/$k" "$demo/out/$k"
	stage "demo-build-$k" "$repo/scripts/build.sh" "$demo/$k" "$demo/out/$k"
done
for k in base series; do
	stage "demo-run-$k" \
		"$repo/scripts/selftest.sh" "$demo/$k" "$demo/out/$k" || true
done

"$repo/scripts/verdict.sh" "$demo/out/base/selftest" "$demo/out/series/selftest"
