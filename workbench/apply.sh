#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Put branch "series" of build/linux at base + the patches of patches/ (in
# git format-patch's numbering) with git am, check it out, and make
# cover-letter.txt its description, which git format-patch writes the cover
# letter from.
#
# Refuses, naming them, when series holds commits that "make export" never
# wrote to patches/ (FORCE=1: replace them all the same, keeping the old
# branch as series-old).  Committer name, email and date are fixed, so the
# same patches always give the same commits.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

git -C "$linux" rev-parse -q --verify refs/tags/base > /dev/null ||
	die "build/linux has no tag base: run 'make base' first"
[ -z "$(git -C "$linux" status --porcelain --untracked-files=no)" ] ||
	die "build/linux has uncommitted changes: commit them and 'make export'"
gitdir=$(git -C "$linux" rev-parse --absolute-git-dir)
[ ! -d "$gitdir/rebase-apply" ] && [ ! -d "$gitdir/rebase-merge" ] ||
	die "build/linux has a git am or rebase in progress"

old=$(git -C "$linux" rev-parse -q --verify refs/heads/series || true)
exported=$(git -C "$linux" config branch.series.exported || echo base)
if [ -n "$old" ] && [ "$old" != "$(git -C "$linux" rev-parse "$exported")" ]; then
	unexported=$(git -C "$linux" log --format='    %h %s' "$exported..$old")
	if [ -n "$unexported" ] && [ -z "${FORCE:-}" ]; then
		echo "apply: branch series has commits that were never exported:" >&2
		echo "$unexported" >&2
		die "'make export' them, or FORCE=1 to replace them (kept as series-old)"
	fi
fi

export GIT_COMMITTER_NAME="nvmem series" GIT_COMMITTER_EMAIL="series@invalid"
git -C "$linux" checkout -q --detach base
n=0
for p in $(series_patches); do
	if ! out=$(git -C "$linux" am -q --no-3way --committer-date-is-author-date "$p" 2>&1); then
		echo "apply: FAILED: $(basename "$p") does not apply:" >&2
		grep -vE '^(hint:|When you|If you|To restore|Patch failed at)' <<< "$out" |
			sed 's/^/    /' >&2
		git -C "$linux" am --abort
		[ -n "$old" ] && git -C "$linux" checkout -q series
		exit 1
	fi
	echo "apply: $(git -C "$linux" log -1 --format='%h %s')"
	n=$((n + 1))
done

new=$(git -C "$linux" rev-parse HEAD)
if [ -n "$old" ] && [ "$old" != "$new" ]; then
	git -C "$linux" branch -f series-old "$old"
	echo "apply: the previous series $(git -C "$linux" rev-parse --short "$old") is branch series-old"
fi
git -C "$linux" checkout -q -B series
git -C "$linux" config branch.series.exported "$new"
if [ -f "$repo/cover-letter.txt" ]; then
	git -C "$linux" config branch.series.description "$(cat "$repo/cover-letter.txt")"
fi
echo "apply: series = base + $n patches at $(git -C "$linux" rev-parse --short HEAD)"
