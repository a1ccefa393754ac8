#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Put branch "series" of TREE at base + the patches in patches/ (order from
# patches/series), with git am, and check it out.
#
# Committer name, email and date are fixed (date = author date), so the
# same patches always give the same commit hashes.  The cover letter
# (patches/0000-cover-letter.patch) is not applied: its subject and blurb
# become the branch description, from which scripts/export.sh writes it
# back.  A patch that does not apply stops the run with its name and git's
# reason.  A previous "series" that is not reproduced is kept as
# "series-old".
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-$repo/build/linux}
patches=$repo/patches
cover=$patches/0000-cover-letter.patch

die() { echo "apply: $*" >&2; exit 1; }

git -C "$tree" rev-parse -q --verify refs/tags/base > /dev/null ||
	die "$tree has no tag base; run 'make base' first"
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted changes; commit them or 'make export' first"
gitdir=$(git -C "$tree" rev-parse --absolute-git-dir)
if [ -d "$gitdir/rebase-apply" ] || [ -d "$gitdir/rebase-merge" ]; then
	die "$tree has a git am or rebase in progress"
fi

list=()
if [ -f "$patches/series" ]; then
	while read -r p; do
		case "$p" in ''|'#'*) continue ;; esac
		[ -f "$patches/$p" ] || die "patches/series lists $p, which does not exist"
		list+=("$patches/$p")
	done < "$patches/series"
elif compgen -G "$patches/*.patch" > /dev/null; then
	die "patches/ has patches but no patches/series file"
fi

export GIT_COMMITTER_NAME="nvmem series" GIT_COMMITTER_EMAIL="series@invalid"
old=$(git -C "$tree" rev-parse -q --verify refs/heads/series || true)

git -C "$tree" checkout -q --detach base
for p in "${list[@]}"; do
	if ! out=$(git -C "$tree" am -q --no-3way --committer-date-is-author-date "$p" 2>&1); then
		echo "apply: FAILED: $(basename "$p") does not apply:" >&2
		grep -vE '^(hint:|When you|If you|To restore|Patch failed at)' <<< "$out" |
			sed 's/^/    /' >&2
		git -C "$tree" am --abort
		[ -n "$old" ] && git -C "$tree" checkout -q series
		exit 1
	fi
	echo "apply: $(git -C "$tree" log -1 --format='%h %s')"
done

new=$(git -C "$tree" rev-parse HEAD)
if [ -n "$old" ] && [ "$old" != "$new" ] &&
   ! git -C "$tree" merge-base --is-ancestor "$old" base; then
	git -C "$tree" branch -f series-old "$old"
	echo "apply: previous series $(git -C "$tree" rev-parse --short "$old") kept as branch series-old"
fi
git -C "$tree" checkout -q -B series

desc=
if [ -f "$cover" ]; then
	msg=$(mktemp)
	trap 'rm -f "$msg"' EXIT
	info=$(git mailinfo "$msg" /dev/null < "$cover")
	desc="$(sed -n 's/^Subject: //p' <<< "$info")"
	# The blurb ends where format-patch's shortlog starts: "Author (N):".
	blurb=$(git -C "$tree" log --format='%an' base..series | sort -u |
		awk 'NR == FNR { authors[$0 " ("] = 1; next }
		     { for (a in authors)
			   if (index($0, a) == 1 && $0 ~ /\([0-9]+\):$/) exit
		       print }' - "$msg")
	desc+=$'\n\n'"$blurb"
fi
git -C "$tree" config branch.series.description "$desc"
echo "apply: $tree series = base + ${#list[@]} patches at $(git -C "$tree" rev-parse --short HEAD)"
