#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bisectability: build each commit of base..series of build/linux in
# order, with W=1 and sparse, and fail on any warning the base does not have.
#
# Each commit builds the directories it touches: those of changed .c
# files, Makefiles and Kconfigs, of changed headers under drivers/, and
# drivers/nvmem/ for any other changed header; tools/ and Documentation/
# are skipped.  The config is allmodconfig (without WERROR), so every nvmem
# provider and layout is compiled.  The commits are checked out one after
# the other in the worktree of workbench/kernel.sh -s patches and built in
# build/k/patches/out, so only what a commit touches is rebuilt.  The base
# rebuilds those directories from scratch with C=2, so its list of warnings
# is complete; each commit then warns, gcc and sparse (C=1) alike, for the
# files it makes recompile: a file not recompiled cannot warn differently.
# Warnings are compared without line and column.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
src=$kdir/patches/src obj=$kdir/patches/out out=$kdir/patches

commits=$(git -C "$linux" rev-list --reverse base..series)
[ -n "$commits" ] || die "no commits in base..series, nothing to build"
export LC_ALL=C	# same warning text whatever the locale (but ccache
		# replays what it stored, hence the quotes in build())
"$wb/kernel.sh" -s patches base
mkdir -p "$obj"

# Directories a commit's changes are built from.
dirs_of() {
	git -C "$linux" diff --name-only "$1^" "$1" | while read -r f; do
		case "$f" in
		tools/*|Documentation/*) ;;
		drivers/*.h|*.c|*/Makefile|*/Kconfig) echo "${f%/*}/" ;;
		*.h) echo drivers/nvmem/ ;;
		esac
	done | sort -u
}

# Build DIRS... at the commit checked out in $src with sparse mode C=1 or
# C=2; print the normalized warnings (path relative to the tree, no
# line/column) on stdout.
build() {
	local log=$1 check=$2 existing=() d
	shift 2
	for d; do
		[ -f "$src/$d/Makefile" ] && existing+=("$d")
	done
	printf 'CONFIG_WERROR=n\n' > "$out/allmod.config"
	if ! make -s -C "$src" O="$obj" KCONFIG_ALLCONFIG="$out/allmod.config" \
			allmodconfig >> "$log" 2>&1; then
		tail -n 20 "$log" >&2
		return 1
	fi
	[ ${#existing[@]} -gt 0 ] || return 0
	if ! make -C "$src" O="$obj" CC="$cc" W=1 C="$check" -j"$(nproc)" \
			"${existing[@]}" >> "$log" 2>&1; then
		grep -E '(error|Error)' "$log" | tail -n 20 >&2 || true
		return 1
	fi
	{ grep -E ': (warning|error):' "$log" || true; } |
		sed -e "s|$src/||g" -e 's|^\.\./src/||' \
		    -e 's/:[0-9]\+:[0-9]\+:/:/' -e 's/:[0-9]\+:/:/' \
		    -e "s/‘/'/g; s/’/'/g" | sort -u
}

mapfile -t all_dirs < <(for c in $commits; do dirs_of "$c"; done | sort -u)
echo "build-patches: directories: ${all_dirs[*]}"

git -C "$src" checkout -q -f --detach base
for d in "${all_dirs[@]}"; do
	rm -rf "${obj:?}/$d"
done
echo "build-patches: base ($(git -C "$src" log -1 --format=%s))"
: > "$out/base.log"
build "$out/base.log" 2 "${all_dirs[@]}" > "$out/base.warnings" ||
	die "base does not build, see $out/base.log"
echo "build-patches: base has $(wc -l < "$out/base.warnings") warnings"

n=0 failed=0
for c in $commits; do
	n=$((n + 1))
	name=$(printf '%04d-%s' "$n" "$(git -C "$linux" log -1 --format=%f "$c" | cut -c 1-52)")
	git -C "$src" checkout -q -f --detach "$c"
	log=$out/$name.log
	: > "$log"
	mapfile -t dirs < <(dirs_of "$c")
	echo "build-patches: $name: ${dirs[*]:-nothing to build}"
	if ! build "$log" 1 "${dirs[@]}" > "$out/$name.warnings"; then
		echo "build-patches: FAIL $name does not build, see $log"
		result FAIL "build:$name"
		failed=1
		continue
	fi
	new=$(comm -13 "$out/base.warnings" "$out/$name.warnings")
	if [ -n "$new" ]; then
		echo "build-patches: FAIL $name adds warnings:"
		echo "$new" | sed 's/^/    /'
		result FAIL "build:$name"
		failed=1
	else
		result PASS "build:$name"
	fi
done
exit $failed
