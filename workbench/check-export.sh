#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Compare the repo with what "make export" would write from branch series
# of build/linux (patches/, cover-letter.txt, the copies of added files and
# MAINTAINERS): show every difference, file modes included, and fail.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/series/patches" "$tmp/repo"
# export.sh keeps the subject prefix of the cover letter it replaces.
cp "$repo/patches/0000-cover-letter.patch" "$tmp/series/patches/" 2> /dev/null || true
"$wb/export.sh" "$tmp/series" > /dev/null
for p in patches drivers include Documentation tools MAINTAINERS cover-letter.txt; do
	[ ! -e "$repo/$p" ] || cp -a "$repo/$p" "$tmp/repo/"
done
modes() { (cd "$tmp/$1" && find . -type f -printf '%m %p\n' | sort); }
if ! diff -ru "$tmp/series" "$tmp/repo" > "$tmp/diff" ||
   ! diff <(modes series) <(modes repo) >> "$tmp/diff"; then
	sed "s|$tmp/||g" "$tmp/diff" | head -n 60
	die "the repo differs from branch series: change the series in build/linux" \
		"and 'make export', or 'make apply' to put the tree back at patches/"
fi
echo "check-export: repo matches branch series ($(git -C "$linux" rev-parse --short series))"
