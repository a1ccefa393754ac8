# SPDX-License-Identifier: GPL-2.0
# Sourced by kconfig.sh, build.sh and kunit.sh: one definition of how the
# test kernel of a tree is configured and built, so that kunit.py, given
# the same arguments, finds the kernel up to date and does not rebuild it.
#
# Sets: repo, tree, out (absolute), make_opts (make arguments) and
# kunit_args (kunit.py arguments).  Needs $1 = TREE and $2 = OUT.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tree=$(realpath "${1:-$repo/build/linux}")
out=$(realpath -m "${2:-$repo/build/out/$(basename "$tree")}")
[ -f "$tree/tools/testing/kunit/kunit.py" ] ||
	{ echo "$0: $tree is not a kernel tree (run 'make base')" >&2; exit 1; }

# ccache shared by all trees under build/ (paths hashed relative to it).
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$repo/build} CCACHE_NOHASHDIR=1
cc_opt=()
command -v ccache > /dev/null && cc_opt=("CC=ccache gcc")
make_opts=(ARCH=x86_64 "O=$out" "${cc_opt[@]}")

# kunit.py's x86_64 QEMU base + Kconfig.fragment + the nvmem .kunitconfig.
kunitconfigs=("$repo/Kconfig.fragment")
[ -f "$tree/drivers/nvmem/.kunitconfig" ] &&
	kunitconfigs+=("$tree/drivers/nvmem/.kunitconfig")
kunit_args=(--arch=x86_64 "--build_dir=$out")
for k in "${kunitconfigs[@]}"; do
	kunit_args+=("--kunitconfig=$k")
done
for o in "${cc_opt[@]}"; do
	kunit_args+=("--make_options=$o")
done
