#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write branch "series" of build/linux into the repo (or into DEST):
#
#   patches/		git format-patch base..series, as it writes it, with
#			the cover letter made from the branch description
#   cover-letter.txt	the branch description (subject, blank line, text)
#   drivers/ include/	copies of the files the series adds
#   Documentation/ tools/
#   MAINTAINERS		the series' MAINTAINERS sections with NVMEM in the title
#
# Output is deterministic (fixed abbrev, zero From hashes, no signature,
# committer and date those of the last patch), so apply + export
# round-trips byte for byte.  The subject prefix ("PATCH", "PATCH v2", ...)
# is kept from the existing cover letter unless PREFIX is set.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dest=${1:-$repo}
copydirs=(drivers include Documentation tools)

git -C "$linux" rev-parse -q --verify refs/heads/series > /dev/null ||
	die "build/linux has no branch series: run 'make apply' first"
[ -z "$(git -C "$linux" status --porcelain --untracked-files=no)" ] ||
	echo "export: warning: build/linux has uncommitted changes; exporting commits only" >&2
if [ -z "${PREFIX:-}" ]; then
	PREFIX=$(sed -n 's/^Subject: \[\(.*\) 0\+\/[0-9]*\].*/\1/p' \
		"$dest/patches/0000-cover-letter.patch" 2> /dev/null || true)
	PREFIX=${PREFIX:-PATCH}
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/patches" "$tmp/copies"

# Only the repository's own config (the branch description) may matter.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
GIT_COMMITTER_NAME=$(git -C "$linux" log -1 --format=%an series) \
GIT_COMMITTER_EMAIL=$(git -C "$linux" log -1 --format=%ae series) \
GIT_COMMITTER_DATE=$(git -C "$linux" log -1 --format=%aD series) \
git -C "$linux" -c core.abbrev=12 format-patch -q -o "$tmp/patches" \
	--cover-letter --cover-from-description=subject \
	--subject-prefix="$PREFIX" --zero-commit --base=base \
	--no-signature base..series
printf '%s\n' "$(git -C "$linux" config branch.series.description)" > "$tmp/cover-letter.txt"

git -C "$linux" diff -z --name-only --diff-filter=A base series -- "${copydirs[@]}" |
while IFS= read -r -d '' f; do
	mkdir -p "$tmp/copies/$(dirname "$f")"
	git -C "$linux" show "series:$f" > "$tmp/copies/$f"
	if git -C "$linux" ls-tree series -- "$f" | grep -q '^100755'; then
		chmod +x "$tmp/copies/$f"
	fi
done

git -C "$linux" show series:MAINTAINERS |
	awk 'BEGIN { RS = "" }
	     /^[^\n]*NVMEM[^\n]*\n[A-Z]:\t/ { printf "%s%s\n", sep, $0; sep = "\n" }' \
	> "$tmp/MAINTAINERS"

rm -rf "${dest:?}/patches"
cp -a "$tmp/patches" "$dest/patches"
for d in "${copydirs[@]}"; do
	rm -rf "${dest:?}/$d"
	[ -d "$tmp/copies/$d" ] && cp -a "$tmp/copies/$d" "$dest/$d"
done
cp "$tmp/MAINTAINERS" "$tmp/cover-letter.txt" "$dest/"
[ "$dest" != "$repo" ] ||
	git -C "$linux" config branch.series.exported "$(git -C "$linux" rev-parse series)"

echo "export: $(find "$dest/patches" -name "0*.patch" ! -name "0000-*" | wc -l) patches (prefix \"$PREFIX\") in ${dest%/}/patches/"
(cd "$tmp/copies" && find . -type f | sed 's|^\./|export: copy |' | sort)
echo "export: MAINTAINERS with $(grep -c '^M:' "$dest/MAINTAINERS") M: lines"
