# SPDX-License-Identifier: GPL-2.0
# Sourced by every workbench script: where things are, ccache, the tally.
#
#   build/linux		the developer's kernel tree: tag base, branch series
#   build/k/NAME/src	a worktree of it, made by workbench/kernel.sh only
#   build/k/NAME/out	NAME's build directory
#   build/results	the tally of "make test", one "PASS|FAIL|SKIP name" a line

repo=$(CDPATH='' cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
wb=$repo/workbench
linux=$repo/build/linux
kdir=$repo/build/k
RESULTS=${RESULTS:-$repo/build/results}
# the console lines that fail a run (kcsan.sh gives its own list)
splats=${SPLATS:-$wb/splats}
export RESULTS
# Only the repositories' own git config counts: same patches, same commits.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

# One cache for every kernel: paths are hashed relative to the build
# directory, and NAME/out sees its sources as ../src/ whatever the NAME.
export CCACHE_BASEDIR=$kdir CCACHE_NOHASHDIR=1
cc=gcc
command -v ccache > /dev/null && cc="ccache gcc"

die() { echo "${0##*/}: $*" >&2; exit 1; }

# -h, --help of every script that sources this: its header comment, which
# says what it does, its arguments and its settings.
case ${1:-} in
-h | --help) sed -n '3,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
esac

# stage NAME COMMAND...: one step of a run, with progress, log and result
# (workbench/stage.sh)
stage() { "$wb/stage.sh" "$@"; }

# result PASS|FAIL|SKIP NAME [WHY]: one line of the tally
result() {
	mkdir -p "$(dirname "$RESULTS")"
	echo "$1 $2" >> "$RESULTS"
	[ "$1" = PASS ] || echo "${0##*/}: $1 $2${3:+: $3}"
}

# The series' patches in order (what git format-patch wrote, no cover letter)
series_patches() {
	find "$repo/patches" -name '[0-9][0-9][0-9][0-9]-*.patch' \
		! -name 0000-cover-letter.patch | sort
}

# The test patches of the series: those touching nothing but the KUnit
# suite, the kselftest and their Kconfig, Makefile and MAINTAINERS lines.
test_patches() {
	local p re='^(drivers/nvmem/(nvmem_kunit[a-z_]*\.(c|h|dts|dtso)|\.kunitconfig|Kconfig|Makefile)|tools/testing/selftests/.*|MAINTAINERS)$'

	series_patches | while read -r p; do
		[ -n "$(sed -n 's|^diff --git a/\(.*\) b/.*|\1|p' "$p" | grep -vE "$re")" ] ||
			echo "$p"
	done
}

# kselftest_of NAME: build the nvmem kselftests of kernel NAME's source
# and their modules against NAME, install them in build/k/NAME/kselftest
# and print that directory.  Built once per source commit and kernel
# build: selftest.sh, proof.sh (once per test) and stress.sh share it.
kselftest_of() {
	local dir=$kdir/$1/kselftest want
	local ksft=(-C "$kdir/$1/src/tools/testing/selftests" ARCH=x86_64 TARGETS=nvmem
		    KDIR="$kdir/$1/out")

	want="$(git -C "$kdir/$1/src" rev-parse HEAD) $(stat -c %Y "$kdir/$1/out/vmlinux")"
	if [ "$(cat "$dir.stamp" 2> /dev/null)" != "$want" ]; then
		rm -rf "$dir" "$dir.stamp"
		mkdir -p "$dir"
		{ make "${ksft[@]}" clean &&
			make "${ksft[@]}" LDFLAGS=-static INSTALL_PATH="$dir" install
		} > "$dir.log" 2>&1 || { cat "$dir.log" >&2; return 1; }
		echo "$want" > "$dir.stamp"
	fi
	echo "$dir"
}

# prepare PREFIX: the stages a top-level command needs first, named
# PREFIX-deps and so on: the packages, the base tree, and the series
# applied unless branch series holds it already
prepare() {
	stage "$1-deps" "$wb/deps.sh"
	stage "$1-base" "$wb/base.sh"
	[ -n "$(git -C "$linux" rev-list base..series)" ] ||
		stage "$1-apply" "$wb/apply.sh"
}
