#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark the nvmem series against its base: bench.sh
#
# Builds the benchmark kernels bench-base (tag base) and bench-series
# (branch series) with scripts/kernel.sh and bench/Kconfig.bench (no KASAN,
# no lockdep) and bench/nvmem_bench.c against each, boots them alternately
# with scripts/qemu.sh and the hook scripts/guest/bench.sh, and prints per
# metric the base and series medians and the series/base ratio (median,
# min, max over the pairs), then the targets, PASS or MISS (bench/report.py).
#
# Two measures: TCG wall-clock time on 2 vCPUs (the default; it shows what
# contention costs, but identical loops differ by tens of percent between
# boots), or, with BENCH_ICOUNT=1, QEMU's -icount shift=0,sleep=off on one
# vCPU, where a guest nanosecond is one executed instruction: the figures
# are counts that host noise cannot move, and the table says how far the
# runs of one kernel lie apart.  With BENCH_MEMORY=1 it measures instead
# the slab and per-CPU memory per nvmem device with 2 and 64 possible CPUs,
# for the base, the series and the series with one SRCU domain shared by
# all devices (scripts/mutants/shared-srcu.patch), and gives 256 from
# the per-CPU bytes at 64.  The CPUs are present ones (-smp N): with qboot
# the kernel sees no hot-pluggable CPUs, TCG stops at 255 vCPUs, and a
# boot with 64 takes about 7 minutes.
#
# Everything it writes is under build/: the work directory WORK is
# build/bench, build/bench-icount with BENCH_ICOUNT=1, build/bench-alt-NAME
# with BENCH_VARIANT=NAME, and the tables, CSV, JSON and plot go to
# WORK/results (WORK/results-smoke for a smoke run).  Nothing here is
# tracked: scripts/publish.sh copies the tables the cover letter cites to
# results/ (make publish).  The tables' second line says when and what was
# measured (date, base and series commits), and marks smoke runs.
#
#	BENCH_RUNS	boots per kernel (default 5, with BENCH_ICOUNT 2; 1 =
#			smoke: small counts, results in WORK/results-smoke)
#	BENCH_ICOUNT	1: count instructions (build/bench-icount/results)
#	BENCH_MEMORY	1: the memory table (build/bench/results/memory.txt,
#			about 25 minutes)
#	BENCH_VARIANT	NAME: measure the series plus scripts/mutants/NAME.patch
#			(kernel bench-alt-NAME, build/bench-alt-NAME/results)
#	BENCH_RESULTS	where the tables and plot go (default WORK/results)
#	BENCH_TIMEOUT	seconds one boot may take (default 900)
#	BENCH_ITERS_SMALL, BENCH_ITERS_LARGE, BENCH_ROUNDS, BENCH_UNBIND_CYCLES,
#	BENCH_NDEV, BENCH_SYSFS_ITERS: the counts (see guest/bench.sh)
#
# Exits non-zero only if something did not build or a boot did not give
# every metric; a missed target is reported, not an error.  Internal
# steps: bench.sh kernel|boot base|series [RUN].
set -euo pipefail
source "$(dirname "$0")/lib.sh"

variant=${BENCH_VARIANT:-}
icount=${BENCH_ICOUNT:-0}
measure=		# what the work directory's name adds
[ "$icount" = 1 ] && measure=icount
work=$repo/build/bench${variant:+-alt-$variant}${measure:+-$measure}
runs=${BENCH_RUNS:-$([ "$icount" = 1 ] && echo 2 || echo 5)}
qargs= machine="TCG, 2 vCPUs, 1 GiB"
if [ "$icount" = 1 ]; then
	qargs="-icount shift=0,sleep=off -smp 1"
	machine="TCG with -icount shift=0,sleep=off (1 ns = 1 instruction), 1 vCPU, 1 GiB"
fi
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
results=${BENCH_RESULTS:-$work/results$([ $smoke = 1 ] && echo -smoke)}
timeout=${BENCH_TIMEOUT:-900}

# The kernel of K (base or series) and the series variant's
name() {
	if [ "$1" = series ] && [ -n "$variant" ]; then
		echo "bench-alt-$variant"
	else
		echo "bench-$1"
	fi
}

# bench.sh kernel K: kernel, module, user program
step_kernel() {
	local k=$1 m args=(-c "$repo/bench/Kconfig.bench")
	[ "$k" = series ] && [ -n "$variant" ] && args+=(-p "$repo/scripts/mutants/$variant.patch")
	"$repo/scripts/kernel.sh" "${args[@]}" "$(name "$k")" "$k"
	m=$work/$k/module
	rm -rf "$m"
	mkdir -p "$m"
	cp "$repo/bench/nvmem_bench.c" "$repo/bench/Makefile" "$m/"
	make -C "$kdir/$(name "$k")/out" ARCH=x86_64 "CC=$cc" "M=$m" W=1 \
		$([ "$k" = series ] && echo NVMEM_BENCH_SERIES=y) modules
	gcc -O2 -static -Wall -o "$work/nvread" "$repo/bench/nvread.c"
}

# bench.sh boot K RUN: one boot, metrics to $work/runs/K-RUN.txt
step_boot() {
	local k=$1 run=$2 d=$work/runs/$1-$2 txt=$work/runs/$1-$2.txt start
	start=$(date +%s)
	"$repo/scripts/qemu.sh" -t "$timeout" -q "$qargs" -a "loglevel=4 \
BENCH_ITERS_SMALL=$iters_small BENCH_ITERS_LARGE=$iters_large BENCH_ROUNDS=$rounds \
BENCH_UNBIND_CYCLES=$unbind_cycles BENCH_NDEV=$ndev BENCH_SYSFS_ITERS=$sysfs_iters" \
		"$(name "$k")" "$d" "$repo/scripts/guest/bench.sh" \
		"$work/$k/module/nvmem_bench.ko" "$work/nvread" ||
		die "$k run $run: the guest failed, see $d/console.log"
	sed -n '/^==> BENCH$/,${/^nvmem_bench: /p}' "$d/output.txt" > "$txt"
	echo "boot: $k run $run: $(grep -vc ' sample ' "$txt") metrics in $(($(date +%s) - start))s"
	grep -q '^nvmem_bench: error' "$txt" && die "$k run $run: $(grep '^nvmem_bench: error' "$txt")"
	grep -q 'nvmem_bench: mem_unregister_ns_per_dev' "$txt" ||
		die "$k run $run: incomplete, see $d/console.log"
}

# bench.sh memory: the memory table, from boots with N possible CPUs
step_memory() {
	local n k name ko d txt table=$results/memory.txt
	local shared=$repo/build/bench-alt-shared-srcu
	mkdir -p "$results" "$work/memory"
	{
		echo "memory per nvmem device: growth of /proc/meminfo Slab and Percpu over $ndev devices"
		echo "$(date -u +%F); base $(git -C "$linux" rev-parse --short=12 base)," \
			"series $(git -C "$linux" rev-parse --short=12 series); QEMU -smp N (N present CPUs)$(
			[ $smoke = 1 ] && echo "; smoke run (BENCH_RUNS=1)")"
		echo
		printf '%-14s %-8s %10s %10s\n' "possible CPUs" kernel "slab B" "per-CPU B"
	} > "$table"
	for n in 2 64; do
		for k in base series shared; do
			name=bench-$k ko=$work/$k/module/nvmem_bench.ko
			[ "$k" = shared ] && name=bench-alt-shared-srcu &&
				ko=$shared/series/module/nvmem_bench.ko
			d=$work/memory/$k-$n txt=$d.txt
			"$repo/scripts/qemu.sh" -t "$timeout" -q "-smp $n" \
				-a "loglevel=4 BENCH_ONLY=mem BENCH_NDEV=$ndev" \
				"$name" "$d" "$repo/scripts/guest/bench.sh" "$ko" "$work/nvread" ||
				die "memory: $k with $n CPUs: the guest failed, see $d/console.log"
			sed -n '/^==> BENCH$/,${/^nvmem_bench: /p}' "$d/output.txt" > "$txt"
			awk -v k="$k" '
				$2 == "possible_cpus" { cpus = $3 }
				$2 == "meminfo_slab_bytes_per_dev" { slab = $3 }
				$2 == "meminfo_percpu_bytes_per_dev" { pcpu = $3 }
				END { printf "%-14s %-8s %10s %10s\n", cpus, k, slab, pcpu }' "$txt" >> "$table"
		done
	done
	# per-CPU data grows with the possible CPUs, slab does not
	awk '$1 == 64 { printf "%-14s %-8s %10s %10d (computed: 4 x 64)\n", 256, $2, $3, 4 * $4 }' \
		"$table" > "$table.256"
	cat "$table.256" >> "$table"
	rm "$table.256"
	cat "$table"
}

case "${1:-}" in
kernel|boot|memory)
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
prepare bench
if [ "${BENCH_MEMORY:-0}" = 1 ]; then
	for k in base series; do
		stage "bench-kernel-$k" "$0" kernel "$k"
	done
	stage bench-kernel-shared env BENCH_VARIANT=shared-srcu "$0" kernel series
	stage bench-memory "$0" memory
	exit
fi
echo "bench: $runs run(s) per kernel, $rounds rounds of $iters_small x 4 B, $iters_large x 4 KiB," \
	"$unbind_cycles unbind cycles, $ndev devices, $sysfs_iters sysfs reads"
for k in base series; do
	stage "bench-kernel-$k" "$0" kernel "$k"
done
rm -rf "$work/runs"
for run in $(seq 1 "$runs"); do
	for k in base series; do
		stage "bench-boot-$k-$run" "$0" boot "$k" "$run"
	done
done

# Debian's python3-matplotlib is for Debian's python3 (not a pyenv one).
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
"$py" -c 'import matplotlib' 2> /dev/null ||
	echo "bench: no matplotlib, no plot (make deps installs python3-matplotlib)"
mkdir -p "$results"
# What the figures were measured on, for the table's second line
about="$(date -u +%F); base $(git -C "$linux" log -1 --format=%s base | cut -d' ' -f1-2)"
about+=" ($(git -C "$linux" rev-parse --short=12 base)), series $(git -C "$linux" rev-parse --short=12 series)"
about+="${variant:+ + scripts/mutants/$variant.patch}; $(sed 's/ emulator version / /' "$work/runs/base-1/qemu-version")"
about+=" $machine; host: $(nproc) CPUs, $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
if [ $smoke = 1 ]; then
	about+="; smoke run (BENCH_RUNS=1, small counts)"
fi
"$py" "$repo/bench/report.py" "$work/runs" "$results" \
	"$about; rounds=$rounds iters_small=$iters_small iters_large=$iters_large unbind_cycles=$unbind_cycles ndev=$ndev sysfs_iters=$sysfs_iters runs=$runs"
