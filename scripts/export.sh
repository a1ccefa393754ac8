#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write branch "series" of TREE back into the repo (or into DEST):
#
#   patches/		git format-patch base..series, with the cover letter
#			0000-cover-letter.patch made from the branch description,
#			and patches/series giving the order
#   drivers/ include/	copies of the files the series adds (stale copies
#   Documentation/ tools/	are removed)
#   MAINTAINERS		the sections of the series' MAINTAINERS whose title
#			contains NVMEM
#
# Output is deterministic (fixed abbrev, zero From hashes, no signature,
# the cover letter dated by the last patch), so apply + export round-trips
# byte for byte.  The subject prefix ("PATCH", "PATCH v2", ...) is kept from
# the existing cover letter unless PREFIX is set.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-$repo/build/linux}
dest=${2:-$repo}
copydirs=(drivers include Documentation tools)

die() { echo "export: $*" >&2; exit 1; }

git -C "$tree" rev-parse -q --verify refs/tags/base > /dev/null ||
	die "$tree has no tag base; run 'make base' first"
git -C "$tree" rev-parse -q --verify refs/heads/series > /dev/null ||
	die "$tree has no branch series; run 'make apply' first"
if [ -n "$(git -C "$tree" status --porcelain --untracked-files=no)" ]; then
	echo "export: warning: $tree has uncommitted changes; exporting commits only" >&2
fi

if [ -z "${PREFIX:-}" ]; then
	PREFIX=$(sed -n 's/^Subject: \[\(.*\) 0\+\/[0-9]*\].*/\1/p' \
		"$dest/patches/0000-cover-letter.patch" 2>/dev/null || true)
	PREFIX=${PREFIX:-PATCH}
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/patches" "$tmp/copies"

# Only the repository's own config (the branch description) may matter.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
if [ -n "$(git -C "$tree" rev-list base..series)" ]; then
	GIT_COMMITTER_NAME=$(git -C "$tree" log -1 --format=%an series) \
	GIT_COMMITTER_EMAIL=$(git -C "$tree" log -1 --format=%ae series) \
	GIT_COMMITTER_DATE=$(git -C "$tree" log -1 --format=%aD series) \
	git -C "$tree" -c core.abbrev=12 format-patch -q -o "$tmp/patches" \
		--cover-letter --cover-from-description=subject \
		--subject-prefix="$PREFIX" --zero-commit --base=base \
		--no-signature base..series
	# A blank context line is " ": checkpatch.pl reads a patch that git
	# tracks (ours, in this repo) as a source file and calls that space
	# trailing whitespace.  git am takes the empty line as the same context.
	sed -i 's/^ $//' "$tmp"/patches/0*.patch
	for p in "$tmp"/patches/0*.patch; do
		[[ $p == */0000-cover-letter.patch ]] || basename "$p"
	done > "$tmp/patches/series"
fi

git -C "$tree" diff -z --name-only --diff-filter=A base series -- "${copydirs[@]}" |
while IFS= read -r -d '' f; do
	mkdir -p "$tmp/copies/$(dirname "$f")"
	git -C "$tree" show "series:$f" > "$tmp/copies/$f"
	if git -C "$tree" ls-tree series -- "$f" | grep -q '^100755'; then
		chmod +x "$tmp/copies/$f"
	fi
done

git -C "$tree" show series:MAINTAINERS |
	awk 'BEGIN { RS = "" }
	     /^[^\n]*NVMEM[^\n]*\n[A-Z]:\t/ { printf "%s%s\n", sep, $0; sep = "\n" }' \
	> "$tmp/MAINTAINERS"

# Install: replace patches/, the copy directories and MAINTAINERS.
rm -f "$dest"/patches/*.patch "$dest/patches/series"
if compgen -G "$tmp/patches/*" > /dev/null; then
	mkdir -p "$dest/patches"
	cp "$tmp"/patches/* "$dest/patches/"
fi
for d in "${copydirs[@]}"; do
	rm -rf "${dest:?}/$d"
	[ -d "$tmp/copies/$d" ] && cp -a "$tmp/copies/$d" "$dest/$d"
done
cp "$tmp/MAINTAINERS" "$dest/MAINTAINERS"

n=0
[ -f "$dest/patches/series" ] && n=$(wc -l < "$dest/patches/series")
echo "export: $n patches (prefix \"$PREFIX\") in ${dest%/}/patches/"
(cd "$tmp/copies" && find . -type f | sed 's|^\./|export: copy |' | sort)
echo "export: MAINTAINERS with $(grep -c '^M:' "$dest/MAINTAINERS") M: lines"
