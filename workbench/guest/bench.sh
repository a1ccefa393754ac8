#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Hook of the benchmark guest (workbench/bench.sh).  Settings come from the
# kernel command line (BENCH_*; BENCH_ONLY=mem: only the memory figures).  Prints the metrics as
# "nvmem_bench: <metric> <value>" lines after "==> BENCH".
# the console: warnings and errors only (reports, not the noise)
dmesg -n 5

out=/tmp/metrics
: > $out
kv() { awk -v k="$1" '$1 == k":" { print $2 }' /proc/meminfo; }

possible=$(awk -F- '{ print $NF + 1 }' /sys/devices/system/cpu/possible)
echo "nvmem_bench: possible_cpus $possible" >> $out

# Read paths, reference loops and unbind latency, in the kernel
if [ "${BENCH_ONLY:-}" != mem ]; then
	insmod /nvmem_bench.ko mode=run iters_small="$BENCH_ITERS_SMALL" \
		iters_large="$BENCH_ITERS_LARGE" rounds="$BENCH_ROUNDS" \
		unbind_cycles="$BENCH_UNBIND_CYCLES" ||
		echo "nvmem_bench: error insmod-run" >> $out
	rmmod nvmem_bench
fi

# Memory and register/unregister time of BENCH_NDEV devices
sync
slab0=$(kv Slab); pcpu0=$(kv Percpu)
insmod /nvmem_bench.ko mode=mem ndev="$BENCH_NDEV" ||
	echo "nvmem_bench: error insmod-mem" >> $out
slab1=$(kv Slab); pcpu1=$(kv Percpu)
rmmod nvmem_bench
echo "nvmem_bench: meminfo_slab_bytes_per_dev $(((slab1 - slab0) * 1024 / BENCH_NDEV))" >> $out
echo "nvmem_bench: meminfo_percpu_bytes_per_dev $(((pcpu1 - pcpu0) * 1024 / BENCH_NDEV))" >> $out

# The real stack: at24 on i2c-stub, read through sysfs
if [ "${BENCH_ONLY:-}" != mem ]; then
	modprobe i2c-stub chip_addr=0x50
	echo 24c02 0x50 > /sys/bus/i2c/devices/i2c-0/new_device
	f=$(ls /sys/bus/i2c/devices/0-0050/*/nvmem 2> /dev/null | head -n 1)
	[ -n "$f" ] || f=$(ls /sys/bus/nvmem/devices/0-0050*/nvmem | head -n 1)
	/nvread "$f" 256 "$BENCH_SYSFS_ITERS" >> $out ||
		echo "nvmem_bench: error sysfs-read" >> $out
fi

echo "==> BENCH"
dmesg | sed -n 's/^\[[ 0-9.]*\] //; /^nvmem_bench: /p'
cat $out
