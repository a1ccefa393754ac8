#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install Debian's linux-source-6.12 and make a git tree of it with one
# deterministic commit tagged "base": same source, same hash.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
tree=$linux

if git -C "$tree" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	echo "base: $tree already has tag base ($(git -C "$tree" rev-parse --short base):" \
		"$(git -C "$tree" log -1 --format=%s base))"
	exit 0
fi

[ ! -e "$tree" ] || die "$tree exists but has no tag base: move it away first"
if ! dpkg-query -W -f='${Status}' linux-source-6.12 2>/dev/null | grep -q 'ok installed'; then
	echo "base: installing linux-source-6.12 with apt"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-source-6.12
fi
version=$(dpkg-query -W -f='${Version}' linux-source-6.12)
echo "base: Debian linux-source-6.12 $version"

rm -rf "$tree" "$tree.tmp"
mkdir -p "$tree.tmp"
echo "base: extracting /usr/src/linux-source-6.12.tar.xz"
tar -C "$tree.tmp" --strip-components=1 -xf /usr/src/linux-source-6.12.tar.xz

# Debian's top-level .gitignore ignores everything at the top level
# ("Debian packaging" stanza); cut it off or git add adds nothing.
sed -i '/^# Debian packaging/,$d' "$tree.tmp/.gitignore"

export GIT_AUTHOR_NAME="Debian linux-source" GIT_AUTHOR_EMAIL="nobody@debian.org"
export GIT_COMMITTER_NAME="Debian linux-source" GIT_COMMITTER_EMAIL="nobody@debian.org"
export GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z"
kver=$(make -s -C "$tree.tmp" kernelversion)

echo "base: committing Linux $kver (takes a minute)"
git -C "$tree.tmp" init -q -b series
git -C "$tree.tmp" config core.autocrlf false
git -C "$tree.tmp" add -A -f .
git -C "$tree.tmp" commit -q -m "Linux $kver (Debian linux-source-6.12 $version)"
git -C "$tree.tmp" tag base
mv "$tree.tmp" "$tree"
echo "base: $tree at $(git -C "$tree" rev-parse --short base), tag base"
