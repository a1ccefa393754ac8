#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The one kernel builder:
#
#	kernel.sh [-p PATCH]... [-c FRAGMENT]... [-k] [-s] NAME REV
#	kernel.sh series|base-tests|kcsan
#
# Makes build/k/NAME/src, a worktree of build/linux at REV (detached) with
# each PATCH applied and committed on top, then configures it in
# build/k/NAME/out with kunit.py config (its x86_64 QEMU base, each
# FRAGMENT, and with -k the tree's drivers/nvmem/.kunitconfig and
# tools/testing/selftests/nvmem/config where it has them) and builds
# bzImage and modules there with ccache.  kunit.py config fails naming
# every option that did not stick.  -s: the worktree only.
#
# The test kernels: "series" is branch series, "base-tests" tag base with
# the series' test patches; both are configured by Kconfig.fragment (the
# debug options) and the series' test configs (-k).  "kcsan" is branch
# series with KCSAN in place of KASAN (workbench/kcsan.config, which
# kunit.py needs without Kconfig.fragment's KASAN lines: it refuses two
# values of one option).
#
# The worktree is remade only when REV or a patch changed, so make
# rebuilds only what changed; nothing is checked out in build/linux.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage="usage: kernel.sh [-p PATCH]... [-c FRAGMENT]... [-k] [-s] NAME REV"
patches=() configs=() suite=0 source_only=0
while getopts p:c:ks opt; do
	case $opt in
	p) patches+=("$(realpath "$OPTARG")") ;;
	c) configs+=("$(realpath "$OPTARG")") ;;
	k) suite=1 ;;
	s) source_only=1 ;;
	*) die "$usage" ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -eq 1 ] && [ $OPTIND -eq 1 ]; then
	case $1 in
	series) exec "$0" -c "$repo/Kconfig.fragment" -k series series ;;
	base-tests)
		mapfile -t tests < <(test_patches)
		exec "$0" "${tests[@]/#/-p}" -c "$repo/Kconfig.fragment" -k base-tests base ;;
	kcsan)
		mkdir -p "$kdir"
		grep -v '^CONFIG_KASAN' "$repo/Kconfig.fragment" > "$kdir/kcsan.fragment"
		exec "$0" -c "$kdir/kcsan.fragment" -c "$wb/kcsan.config" -k kcsan series ;;
	esac
fi
[ $# -eq 2 ] || die "$usage"
name=$1 rev=$2
src=$kdir/$name/src out=$kdir/$name/out stamp=$kdir/$name/source

mkdir -p "$kdir"
exec 9> "$kdir/$name.lock"	# one build of NAME at a time
flock 9
commit=$(git -C "$linux" rev-parse -q --verify "$rev^{commit}") ||
	die "build/linux has no $rev: run 'make base apply'"
want="$commit $(cat "${patches[@]}" /dev/null | sha1sum | cut -c 1-40)"
if [ "$(cat "$stamp" 2> /dev/null)" = "$want $(git -C "$src" rev-parse HEAD 2> /dev/null)" ] &&
   [ -z "$(git -C "$src" status --porcelain --untracked-files=no)" ]; then
	echo "kernel: $name: $src is up to date"
else
	echo "kernel: $name: $src at $rev ($(git -C "$linux" log -1 --format='%h %s' "$commit"))"
	mkdir -p "$kdir/$name"
	# a worktree of a build/linux made anew since is no worktree any more
	git -C "$src" rev-parse -q --verify HEAD > /dev/null 2>&1 || rm -rf "$src"
	if [ ! -e "$src/.git" ]; then
		git -C "$linux" worktree prune
		git -C "$linux" worktree add -q -f --detach "$src" "$commit"
	else
		git -C "$src" checkout -q -f --detach "$commit"
		git -C "$src" clean -fdxq
	fi
	for p in "${patches[@]}"; do
		git -C "$src" apply --index "$p" || die "$(basename "$p") does not apply on $rev"
		git -C "$src" -c user.name=workbench -c user.email=workbench@localhost \
			commit -q -m "$(basename "$p")"
		echo "kernel: $name: + $(basename "$p")"
	done
	echo "$want $(git -C "$src" rev-parse HEAD)" > "$stamp"
fi
[ "$source_only" -eq 0 ] || exit 0

# The series' own test configs: a kernel built from them and the debug
# options runs what a user with the series, kunit.py and run_kselftest.sh
# runs.
if [ "$suite" -eq 1 ]; then
	for f in drivers/nvmem/.kunitconfig tools/testing/selftests/nvmem/config; do
		[ ! -f "$src/$f" ] || configs+=("$src/$f")
	done
fi
[ ${#configs[@]} -gt 0 ] || die "$name: no config fragment"
kconfig() {
	(cd "$src" && ./tools/testing/kunit/kunit.py config --arch=x86_64 \
		"--build_dir=$out" "${configs[@]/#/--kunitconfig=}" "--make_options=CC=$cc")
}
echo "kernel: $name: kunit.py config: ${configs[*]#"$repo/"}"
kconfig
echo "kernel: $name: make all in $out"
make -C "$src" ARCH=x86_64 "O=$out" "CC=$cc" -j"$(nproc)" all
# make syncs the config with the tree's Kconfig: check again that nothing
# was dropped (kunit.py remakes and checks the config if anything was)
kconfig
echo "kernel: $name: $out/arch/x86/boot/bzImage," \
	"$(find "$out" -name '*.ko' | wc -l) modules"
