#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark the nvmem series against its base:
#
#	bench.sh [--smoke] [--runs N] [--variant NAME] icount|wallclock|memory
#	bench.sh step kernel|boot|memory ARGS...
#
# Builds the benchmark kernels bench-base (tag base) and bench-series
# (branch series) with workbench/kernel.sh and workbench/bench/Kconfig.bench
# (no KASAN, no lockdep) and workbench/bench/nvmem_bench.c against each,
# boots them alternately with workbench/qemu.sh and the hook
# workbench/guest/bench.sh, and prints per metric the base and series
# medians and the series/base ratio (median, min, max over the pairs),
# then the targets, PASS or MISS (workbench/bench/report.py).  The method
# is in workbench/bench/README.md.
#
#   icount	instructions: QEMU's -icount shift=0,sleep=off on one vCPU,
#		where a guest nanosecond is one executed instruction, so the
#		figures are counts that host noise cannot move; the table says
#		how far the runs of one kernel lie apart.  2 boots per kernel.
#		build/bench-icount/results.
#   wallclock	TCG wall-clock time on 2 vCPUs: it shows what contention
#		costs, but identical loops differ by tens of percent between
#		boots.  5 boots per kernel.  build/bench/results.
#   memory	the slab and per-CPU memory per nvmem device with 2 and 64
#		possible CPUs, for the base, the series and the series with
#		one SRCU domain shared by all devices
#		(workbench/mutants/shared-srcu.patch), and 256 computed from
#		the per-CPU bytes at 64.  The CPUs are present ones (-smp N):
#		with qboot the kernel sees no hot-pluggable CPUs, TCG stops at
#		255 vCPUs, and a boot with 64 takes about 7 minutes.
#		build/bench/results/memory.txt.
#
#   --smoke	one boot per kernel with small counts, results in
#		WORK/results-smoke: does it all still run?
#   --runs N	boots per kernel (icount, wallclock)
#   --variant NAME  the series plus workbench/mutants/NAME.patch (kernel
#		bench-alt-NAME, work directory build/bench-alt-NAME)
#
# Everything it writes is under build/: the tables, CSV, JSON and plot go
# to WORK/results.  Nothing here is tracked: workbench/publish.sh copies
# the tables the cover letter cites to results/ (make publish).  The
# tables' second line says when and what was measured (date, base and
# series commits), and marks smoke runs.
#
# "step" runs one stage of a run (a kernel, a boot, the memory boots);
# the run calls it through workbench/stage.sh with its settings in
# BENCH_MODE, BENCH_SMOKE, BENCH_RUNS and BENCH_VARIANT.
#
#	BENCH_TIMEOUT	seconds one boot may take (default 900)
#	BENCH_ITERS_SMALL, BENCH_ITERS_LARGE, BENCH_ROUNDS, BENCH_UNBIND_CYCLES,
#	BENCH_NDEV, BENCH_SYSFS_ITERS: the counts (see guest/bench.sh)
#
# Exits non-zero only if something did not build or a boot did not give
# every metric; a missed target is reported, not an error.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage="usage: bench.sh [--smoke] [--runs N] [--variant NAME] icount|wallclock|memory (-h: more)"
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) export BENCH_SMOKE=1 ;;
	--runs) [ $# -ge 2 ] && [ "$2" -ge 2 ] 2> /dev/null ||
			die "--runs needs a number of 2 or more (--smoke: one)"
		export BENCH_RUNS=$2; shift ;;
	--variant) [ -f "$wb/mutants/${2:-}.patch" ] ||
			die "no workbench/mutants/${2:-}.patch"
		export BENCH_VARIANT=$2; shift ;;
	icount | wallclock | memory) export BENCH_MODE=$1; shift; break ;;
	step) break ;;
	*) die "$usage" ;;
	esac
	shift
done
[ -n "${BENCH_MODE:-}" ] || die "$usage"

variant=${BENCH_VARIANT:-}
icount=0
[ "$BENCH_MODE" = icount ] && icount=1
measure=		# what the work directory's name adds
[ "$icount" = 1 ] && measure=icount
work=$repo/build/bench${variant:+-alt-$variant}${measure:+-$measure}
smoke=${BENCH_SMOKE:-0}
runs=${BENCH_RUNS:-$([ "$icount" = 1 ] && echo 2 || echo 5)}
[ "$smoke" = 0 ] || runs=1
qargs= machine="TCG, 2 vCPUs, 1 GiB"
if [ "$icount" = 1 ]; then
	qargs="-icount shift=0,sleep=off -smp 1"
	machine="TCG with -icount shift=0,sleep=off (1 ns = 1 instruction), 1 vCPU, 1 GiB"
fi
iters_small=${BENCH_ITERS_SMALL:-$([ $smoke = 1 ] && echo 5000 || echo 500000)}
iters_large=${BENCH_ITERS_LARGE:-$([ $smoke = 1 ] && echo 500 || echo 50000)}
rounds=${BENCH_ROUNDS:-$([ $smoke = 1 ] && echo 3 || echo 5)}
unbind_cycles=${BENCH_UNBIND_CYCLES:-$([ $smoke = 1 ] && echo 20 || echo 200)}
ndev=${BENCH_NDEV:-$([ $smoke = 1 ] && echo 100 || echo 1000)}
sysfs_iters=${BENCH_SYSFS_ITERS:-$([ $smoke = 1 ] && echo 200 || echo 5000)}
results=$work/results$([ $smoke = 1 ] && echo -smoke)
timeout=${BENCH_TIMEOUT:-900}

# The kernel of K (base or series) and the series variant's
name() {
	if [ "$1" = series ] && [ -n "$variant" ]; then
		echo "bench-alt-$variant"
	else
		echo "bench-$1"
	fi
}

# bench.sh step kernel K: kernel, module, user program
step_kernel() {
	local k=$1 m args=(-c "$wb/bench/Kconfig.bench")
	[ "$k" = series ] && [ -n "$variant" ] && args+=(-p "$wb/mutants/$variant.patch")
	"$wb/kernel.sh" "${args[@]}" "$(name "$k")" "$k"
	m=$work/$k/module
	rm -rf "$m"
	mkdir -p "$m"
	cp "$wb/bench/nvmem_bench.c" "$wb/bench/Makefile" "$m/"
	make -C "$kdir/$(name "$k")/out" ARCH=x86_64 "CC=$cc" "M=$m" W=1 \
		$([ "$k" = series ] && echo NVMEM_BENCH_SERIES=y) modules
	gcc -O2 -static -Wall -o "$work/nvread" "$wb/bench/nvread.c"
}

# bench.sh step boot K RUN: one boot, metrics to $work/runs/K-RUN.txt
step_boot() {
	local k=$1 run=$2 d=$work/runs/$1-$2 txt=$work/runs/$1-$2.txt start
	start=$(date +%s)
	"$wb/qemu.sh" -t "$timeout" -q "$qargs" -a "loglevel=4 \
BENCH_ITERS_SMALL=$iters_small BENCH_ITERS_LARGE=$iters_large BENCH_ROUNDS=$rounds \
BENCH_UNBIND_CYCLES=$unbind_cycles BENCH_NDEV=$ndev BENCH_SYSFS_ITERS=$sysfs_iters" \
		"$(name "$k")" "$d" "$wb/guest/bench.sh" \
		"$work/$k/module/nvmem_bench.ko" "$work/nvread" ||
		die "$k run $run: the guest failed, see $d/console.log"
	sed -n '/^==> BENCH$/,${/^nvmem_bench: /p}' "$d/output.txt" > "$txt"
	echo "boot: $k run $run: $(grep -vc ' sample ' "$txt") metrics in $(($(date +%s) - start))s"
	grep -q '^nvmem_bench: error' "$txt" && die "$k run $run: $(grep '^nvmem_bench: error' "$txt")"
	grep -q 'nvmem_bench: mem_unregister_ns_per_dev' "$txt" ||
		die "$k run $run: incomplete, see $d/console.log"
}

# bench.sh step memory: the memory table, from boots with N possible CPUs
step_memory() {
	local n k name ko d txt table=$results/memory.txt
	local shared=$repo/build/bench-alt-shared-srcu
	mkdir -p "$results" "$work/memory"
	{
		echo "memory per nvmem device: growth of /proc/meminfo Slab and Percpu over $ndev devices"
		echo "$(date -u +%F); base $(git -C "$linux" rev-parse --short=12 base)," \
			"series $(git -C "$linux" rev-parse --short=12 series); QEMU -smp N (N present CPUs)$(
			[ $smoke = 1 ] && echo "; smoke run (bench.sh --smoke)")"
		echo
		printf '%-14s %-8s %10s %10s\n' "possible CPUs" kernel "slab B" "per-CPU B"
	} > "$table"
	for n in 2 64; do
		for k in base series shared; do
			name=bench-$k ko=$work/$k/module/nvmem_bench.ko
			[ "$k" = shared ] && name=bench-alt-shared-srcu &&
				ko=$shared/series/module/nvmem_bench.ko
			d=$work/memory/$k-$n txt=$d.txt
			"$wb/qemu.sh" -t "$timeout" -q "-smp $n" \
				-a "loglevel=4 BENCH_ONLY=mem BENCH_NDEV=$ndev" \
				"$name" "$d" "$wb/guest/bench.sh" "$ko" "$work/nvread" ||
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

if [ "${1:-}" = step ]; then
	case ${2:-} in kernel | boot | memory) ;; *) die "usage: bench.sh step kernel|boot|memory ARGS..." ;; esac
	"step_$2" "${@:3}"
	exit
fi
[ $# -eq 0 ] || die "$usage"

export RESULTS=$work/stage-results T0=${T0:-$(date +%s)}
mkdir -p "$work"
: > "$RESULTS"
prepare bench
if [ "$BENCH_MODE" = memory ]; then
	for k in base series; do
		stage "bench-kernel-$k" "$0" step kernel "$k"
	done
	stage bench-kernel-shared env BENCH_VARIANT=shared-srcu "$0" step kernel series
	stage bench-memory "$0" step memory
	exit
fi
echo "bench: $runs run(s) per kernel, $rounds rounds of $iters_small x 4 B, $iters_large x 4 KiB," \
	"$unbind_cycles unbind cycles, $ndev devices, $sysfs_iters sysfs reads"
for k in base series; do
	stage "bench-kernel-$k" "$0" step kernel "$k"
done
rm -rf "$work/runs"
for run in $(seq 1 "$runs"); do
	for k in base series; do
		stage "bench-boot-$k-$run" "$0" step boot "$k" "$run"
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
about+="${variant:+ + workbench/mutants/$variant.patch}; $(sed 's/ emulator version / /' "$work/runs/base-1/qemu-version")"
about+=" $machine; host: $(nproc) CPUs, $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
if [ $smoke = 1 ]; then
	about+="; smoke run (bench.sh --smoke, small counts)"
fi
"$py" "$wb/bench/report.py" "$work/runs" "$results" \
	"$about; rounds=$rounds iters_small=$iters_small iters_large=$iters_large unbind_cycles=$unbind_cycles ndev=$ndev sysfs_iters=$sysfs_iters runs=$runs"
