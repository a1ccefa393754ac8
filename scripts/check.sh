#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fail when what the repo holds differs from what branch "series" of TREE
# exports: patches/, the copies of added files under drivers/ include/
# Documentation/ tools/, and MAINTAINERS.  Names every file that differs.
# Fix with "make export" (after committing in the tree).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-$repo/build/linux}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/out/patches"
# export.sh keeps the subject prefix of the cover letter it replaces.
if [ -f "$repo/patches/0000-cover-letter.patch" ]; then
	cp "$repo/patches/0000-cover-letter.patch" "$tmp/out/patches/"
fi
"$repo/scripts/export.sh" "$tree" "$tmp/out" > /dev/null

isx() { if [ -x "$1" ]; then echo y; else echo n; fi; }

list() {
	(cd "$1" && find patches drivers include Documentation tools MAINTAINERS \
		-type f 2>/dev/null || true)
}

bad=0
while IFS= read -r f; do
	a=$repo/$f b=$tmp/out/$f
	if [ ! -e "$a" ]; then
		echo "check: $f: missing in the repo (the series has it)"
	elif [ ! -e "$b" ]; then
		echo "check: $f: in the repo but not produced by the series"
	elif ! cmp -s "$a" "$b"; then
		echo "check: $f: differs from the series:"
		{ diff -u "$b" "$a" --label "series/$f" --label "repo/$f" || true; } |
			head -n 20 | sed 's/^/    /'
	elif [ "$(isx "$a")" != "$(isx "$b")" ]; then
		echo "check: $f: executable bit differs from the series"
	else
		continue
	fi
	bad=$((bad + 1))
done < <( (list "$repo"; list "$tmp/out") | sort -u)

if [ "$bad" -ne 0 ]; then
	echo "check: $bad file(s) differ from branch series of $tree;"
	echo "check: these files are written by 'make export' only: change the series in"
	echo "check: the tree and export, or 'make apply' to put the tree back at patches/"
	exit 1
fi
echo "check: repo matches branch series of $tree ($(git -C "$tree" rev-parse --short series))"
