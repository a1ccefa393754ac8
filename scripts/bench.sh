#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark the nvmem series against its base: bench.sh
#
# Builds a benchmark kernel (kunit.py's x86_64 base + bench/Kconfig.bench:
# no KASAN, no lockdep) of tag "base" and of branch "series" of the kernel
# tree, in worktrees build/wt-bench-{base,series} (build dirs
# build/out-bench-{base,series}), builds bench/nvmem_bench.c against each,
# boots them alternately under QEMU (TCG), base series base series ...,
# and prints a table: per metric the base and series medians and the
# series/base ratio (median, min, max over the paired runs), then the
# targets, each PASS or MISS with its numbers (bench/report.py).
#
#	BENCH_RUNS		boots per kernel (default 5; 1 = smoke: small
#				iteration counts, results under build/bench)
#	BENCH_ITERS_SMALL	calls per reader, 4 B reads
#	BENCH_ITERS_LARGE	calls per reader, 4 KiB reads
#	BENCH_ROUNDS		rounds of all read loops per boot; the
#				module prints each loop's median round
#	BENCH_UNBIND_CYCLES	unbind/bind cycles per unbind case
#	BENCH_NDEV		devices registered for the memory metrics
#	BENCH_SYSFS_ITERS	256 B reads of the at24 sysfs file
#	BENCH_RESULTS		where raw.csv, samples.csv, summary.json,
#				table.txt and latency.png go (default
#				bench/results, or build/bench/results-smoke)
#	BENCH_TIMEOUT		seconds one boot may take (default 900)
#	BENCH_VARIANT		NAME: the "series" kernel is the series plus
#				bench/alt/NAME.patch: a design not taken
#				(shared-srcu-expedited: one SRCU domain for
#				all devices) or an experiment that locates a
#				cost (inline-reg-read); in
#				build/wt-bench-alt-NAME, results default to
#				bench/results/alt-NAME
#	TREE			kernel tree (default build/linux)
#
# Exits non-zero only if something did not build or a boot did not give
# every metric; a missed target is reported, not an error (a tool, not a
# test).  Internal steps: bench.sh tree|kernel|boot KERNEL [RUN].
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tree=$(realpath "${TREE:-$repo/build/linux}")
variant=${BENCH_VARIANT:-}
work=$repo/build/bench${variant:+-alt-$variant}
runs=${BENCH_RUNS:-5}
if [ "$runs" -le 1 ]; then
	smoke=1
	runs=1
else
	smoke=0
fi
iters_small=${BENCH_ITERS_SMALL:-$([ $smoke = 1 ] && echo 5000 || echo 500000)}
iters_large=${BENCH_ITERS_LARGE:-$([ $smoke = 1 ] && echo 500 || echo 50000)}
rounds=${BENCH_ROUNDS:-$([ $smoke = 1 ] && echo 3 || echo 5)}
unbind_cycles=${BENCH_UNBIND_CYCLES:-$([ $smoke = 1 ] && echo 20 || echo 200)}
ndev=${BENCH_NDEV:-$([ $smoke = 1 ] && echo 100 || echo 1000)}
sysfs_iters=${BENCH_SYSFS_ITERS:-$([ $smoke = 1 ] && echo 200 || echo 5000)}
results=${BENCH_RESULTS:-$([ $smoke = 1 ] && echo "$work/results-smoke" || echo "$repo/bench/results${variant:+/alt-$variant}")}
timeout=${BENCH_TIMEOUT:-900}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$repo/build} CCACHE_NOHASHDIR=1
cc=gcc
command -v ccache > /dev/null && cc="ccache gcc"

wt() {
	if [ "$1" = series ] && [ -n "$variant" ]; then
		echo "$repo/build/wt-bench-alt-$variant"
	else
		echo "$repo/build/wt-bench-$1"
	fi
}
# The build directory is inside the worktree (build/out-bench-K links to
# it): Kbuild then names sources relative to it ("../include"), the same
# for both trees, and ccache serves the second build from the first.
out() { echo "$(wt "$1")/.bench-out"; }
rev() { [ "$1" = base ] && echo base || echo series; }
die() { echo "bench: $*" >&2; exit 1; }
source "$repo/scripts/splats.sh"

# bench.sh tree K: the worktree of K at tag base / branch series
step_tree() {
	local k=$1 w want
	w=$(wt "$k")
	git -C "$tree" rev-parse -q --verify "$(rev "$k")^{commit}" > /dev/null ||
		die "$tree has no $(rev "$k"); run 'make base' and 'make apply'"
	want=$(git -C "$tree" rev-parse "$(rev "$k")^{commit}")
	if [ ! -e "$w/.git" ]; then
		git -C "$tree" worktree prune
		git -C "$tree" worktree add -q --detach "$w" "$want"
	elif [ "$k" = series ] && [ -n "$variant" ]; then
		# a variant's worktree is scratch: drop the patch applied last time
		git -C "$w" reset -q --hard "$want"
		git -C "$w" clean -fdq
	elif [ "$(git -C "$w" rev-parse HEAD)" != "$want" ]; then
		[ -z "$(git -C "$w" status --porcelain --untracked-files=no)" ] ||
			die "$w has local changes"
		git -C "$w" checkout -q --detach "$want"
	fi
	if [ "$k" = series ] && [ -n "$variant" ]; then
		local patch=$repo/bench/alt/$variant.patch
		[ -f "$patch" ] || die "no $patch"
		git -C "$w" apply "$patch" || die "bench/alt/$variant.patch does not apply"
		echo "tree: $w + bench/alt/$variant.patch (not committed)"
	fi
	echo "tree: $w at $(git -C "$w" log -1 --format='%h %s')"
}

# bench.sh kernel K: config, kernel, module, user program, initramfs
step_kernel() {
	local k=$1 w o m
	w=$(wt "$k")
	o=$(out "$k")
	mkdir -p "$o" "$work/$k"
	if [ "$k" = series ] && [ -n "$variant" ]; then
		ln -sfn "$o" "$repo/build/out-bench-alt-$variant"
	else
		ln -sfn "$o" "$repo/build/out-bench-$k"
	fi
	echo "kernel: $w -> $o (kunit.py x86_64 base + bench/Kconfig.bench)"
	(cd "$w" && ./tools/testing/kunit/kunit.py config --arch=x86_64 \
		"--build_dir=$o" "--kunitconfig=$repo/bench/Kconfig.bench" \
		"--make_options=CC=$cc") > "$work/$k/kconfig.log" 2>&1 ||
		{ cat "$work/$k/kconfig.log"; die "kunit.py config failed"; }
	"$repo/scripts/kconfig-check.sh" "$o/.config" "$repo/bench/Kconfig.bench" ||
		die "bench/Kconfig.bench did not apply"

	make -C "$w" ARCH=x86_64 "O=$o" "CC=$cc" --jobs="$(nproc)" all
	echo "kernel: $o/arch/x86/boot/bzImage built"

	m=$work/$k/module
	rm -rf "$m"
	mkdir -p "$m"
	cp "$repo/bench/nvmem_bench.c" "$repo/bench/Makefile" "$m/"
	make -C "$o" ARCH=x86_64 "CC=$cc" "M=$m" W=1 \
		$([ "$k" = series ] && echo NVMEM_BENCH_SERIES=y) modules
	gcc -O2 -static -Wall -o "$work/nvread" "$repo/bench/nvread.c"

	"$repo/scripts/mkinitramfs.sh" "$work/$k/initramfs.cpio" \
		"$repo/bench/guest-init.sh" "$m/nvmem_bench.ko" \
		"$o/drivers/i2c/i2c-stub.ko" "$work/nvread"
	echo "kernel: $work/$k/initramfs.cpio"
}

# bench.sh boot K RUN: one boot, metrics to $work/runs/K-RUN.txt
step_boot() {
	local k=$1 run=$2 log txt status=0 start n
	log=$work/runs/$k-$run.console
	txt=$work/runs/$k-$run.txt
	mkdir -p "$work/runs"
	start=$(date +%s)
	timeout -k 10 "$timeout" qemu-system-x86_64 -bios qboot.rom -smp 2 -m 1G \
		-nographic -no-reboot -kernel "$(out "$k")/arch/x86/boot/bzImage" \
		-initrd "$work/$k/initramfs.cpio" \
		-append "console=ttyS0 loglevel=4 panic=-1 kunit.enable=0 \
BENCH_ITERS_SMALL=$iters_small BENCH_ITERS_LARGE=$iters_large BENCH_ROUNDS=$rounds \
BENCH_UNBIND_CYCLES=$unbind_cycles BENCH_NDEV=$ndev \
BENCH_SYSFS_ITERS=$sysfs_iters" \
		< /dev/null 2>&1 | tr -d '\r' > "$log" || status=$?
	sed -n '/^==> BENCH$/,/^==> END$/{/^nvmem_bench: /p}' "$log" > "$txt"
	echo "boot: $k run $run: $(grep -vc ' sample ' "$txt") metrics in $(($(date +%s) - start))s"
	n=$(grep -cE "$splats" "$log" || true)
	[ "$n" -eq 0 ] || die "$k run $run: $n splat lines in $log"
	grep -q '^nvmem_bench: error' "$txt" && die "$k run $run: $(grep '^nvmem_bench: error' "$txt")"
	grep -q 'nvmem_bench: mem_unregister_ns_per_dev' "$txt" ||
		die "$k run $run: incomplete (QEMU status $status), see $log"
}

case "${1:-}" in
tree|kernel|boot)
	cmd=$1
	shift
	"step_$cmd" "$@"
	exit
	;;
'') ;;
*) die "usage: $0 (no arguments; see the header)" ;;
esac

export RESULTS=$work/stage-results T0=${T0:-$(date +%s)}
mkdir -p "$work"
: > "$RESULTS"
stage=$repo/scripts/stage.sh
echo "bench: $runs run(s) per kernel, $rounds rounds of $iters_small x 4 B, $iters_large x 4 KiB," \
	"$unbind_cycles unbind cycles, $ndev devices, $sysfs_iters sysfs reads"
for k in base series; do
	"$stage" "bench-tree-$k" "$0" tree "$k"
	"$stage" "bench-kernel-$k" "$0" kernel "$k"
done
rm -rf "$work/runs"
for run in $(seq 1 "$runs"); do
	for k in base series; do
		"$stage" "bench-boot-$k-$run" "$0" boot "$k" "$run"
	done
done

# Debian's python3-matplotlib is for Debian's python3 (not a pyenv one).
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
"$py" -c 'import matplotlib' 2> /dev/null ||
	echo "bench: no matplotlib, no plot (make deps installs python3-matplotlib)"
mkdir -p "$results"
# What the figures were measured on, for the table's second line
about="$(date -u +%F); base $(git -C "$tree" log -1 --format=%s base | cut -d' ' -f1-2)"
about+=" ($(git -C "$tree" rev-parse --short=12 base)), series $(git -C "$tree" rev-parse --short=12 series)"
about+="${variant:+ + bench/alt/$variant.patch}; $(qemu-system-x86_64 --version | sed -n '1s/ emulator version / /p')"
about+=" TCG, 2 vCPUs, 1 GiB; host: $(nproc) CPUs, $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
"$py" "$repo/bench/report.py" "$work/runs" "$results" \
	"$about; rounds=$rounds iters_small=$iters_small iters_large=$iters_large unbind_cycles=$unbind_cycles ndev=$ndev sysfs_iters=$sysfs_iters runs=$runs"
