#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bind/unbind stress of an at24 EEPROM on i2c-stub under readers: stress.sh
#
# Builds the test kernel (kunit.py's x86_64 base + Kconfig.fragment: KASAN,
# lockdep, kmemleak, hung-task detection) of branch "series" and of tag
# "base" (worktrees build/wt-bench-{series,base}, build dirs
# build/out-stress-{series,base}), and boots each under QEMU (TCG).  In the
# guest (bench/stress-init.sh), bench/nvstress.c unbinds and binds the
# EEPROM STRESS_CYCLES times while readers read it: processes with a file
# descriptor each and threads sharing one, on the sysfs nvmem file, and
# the selftest's in-kernel consumer (nvmem_test_consumer, patch
# 15 of the series, through nvmem_device_read()).  Then a bad-input sweep
# of the sysfs file, a kmemleak scan and a console check for splats.
#
# The series must finish every cycle with no splat and no leak.  The base is
# expected to splat (a read after unbind is a use-after-free there); its run
# stops at the first splat and reports the cycle.
#
#	STRESS_CYCLES	bind/unbind cycles (default 10000; 1 = smoke: 50
#			cycles, results under build/stress-smoke)
#	STRESS_READERS	processes with their own fd (default 2)
#	STRESS_THREADS	threads sharing one fd (default 3)
#	STRESS_KERNELS	which kernels (default "series base")
#	STRESS_TIMEOUT	seconds one boot may take (default 10800; under
#			TCG + KASAN the series did about 9 cycles/s on an
#			idle host, 2 on a loaded one)
#	STRESS_OUT	build directory of a test kernel of branch series
#			that is built already (make kernel: build/out/linux,
#			but make proof leaves the base there); the series run
#			uses it instead of building its own
#	TREE		kernel tree (default build/linux)
#
# Exits non-zero if the series run fails (splat, leak, unfinished cycles,
# bad-input errno) or the base run unexpectedly shows no splat.  Internal
# steps: stress.sh tree|kernel|userland|boot KERNEL.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tree=$(realpath "${TREE:-$repo/build/linux}")
work=$repo/build/stress
cycles=${STRESS_CYCLES:-10000}
if [ "$cycles" -le 1 ]; then
	cycles=50
	work=$repo/build/stress-smoke
fi
readers=${STRESS_READERS:-2}
threads=${STRESS_THREADS:-3}
kernels=${STRESS_KERNELS:-series base}
timeout=${STRESS_TIMEOUT:-10800}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$repo/build} CCACHE_NOHASHDIR=1
cc=gcc
command -v ccache > /dev/null && cc="ccache gcc"
source "$(dirname "$0")/splats.sh"

wt() { echo "$repo/build/wt-bench-$1"; }
# Inside the worktree, for shared ccache hits (see bench.sh).
out() {
	if [ "$1" = series ] && [ -n "${STRESS_OUT:-}" ]; then
		realpath "$STRESS_OUT"
	else
		echo "$(wt "$1")/.stress-out"
	fi
}
die() { echo "stress: $*" >&2; exit 1; }

step_kernel() {
	local k=$1 w o frag=$repo/Kconfig.fragment
	w=$(wt "$k")
	o=$(out "$k")
	mkdir -p "$o" "$work/$k"
	if [ "$k" = series ] && [ -n "${STRESS_OUT:-}" ]; then
		"$repo/scripts/kconfig-check.sh" "$o/.config" "$frag" ||
			die "$o is not a test kernel of Kconfig.fragment"
		[ "$(cat "$o/.built-from" 2> /dev/null)" = "$(git -C "$tree" rev-parse series)" ] ||
			die "$o is not a build of branch series: run 'make kernel'"
		echo "kernel: $o (STRESS_OUT, built by make kernel)"
		return
	fi
	ln -sfn "$o" "$repo/build/out-stress-$k"
	echo "kernel: $w -> $o (kunit.py x86_64 base + Kconfig.fragment)"
	(cd "$w" && ./tools/testing/kunit/kunit.py config --arch=x86_64 \
		"--build_dir=$o" "--kunitconfig=$frag" "--make_options=CC=$cc") \
		> "$work/$k/kconfig.log" 2>&1 ||
		{ cat "$work/$k/kconfig.log"; die "kunit.py config failed"; }
	"$repo/scripts/kconfig-check.sh" "$o/.config" "$frag" ||
		die "Kconfig.fragment did not apply"
	make -C "$w" ARCH=x86_64 "O=$o" "CC=$cc" --jobs="$(nproc)" all
	echo "kernel: $o/arch/x86/boot/bzImage built"
}

# The consumer module of the selftest (from branch "series"), the stress
# program and the initramfs
step_userland() {
	local k=$1 o m src
	o=$(out "$k")
	m=$work/$k/consumer
	rm -rf "$m"
	mkdir -p "$m"
	src=series:tools/testing/selftests/nvmem/test_modules/nvmem_test_consumer.c
	git -C "$tree" show "$src" > "$m/nvmem_test_consumer.c" ||
		die "no $src: run 'make apply'"
	echo "obj-m := nvmem_test_consumer.o" > "$m/Makefile"
	make -C "$o" ARCH=x86_64 "CC=$cc" "M=$m" modules
	gcc -O2 -static -Wall -pthread -o "$work/nvstress" "$repo/bench/nvstress.c"

	"$repo/scripts/mkinitramfs.sh" "$work/$k/initramfs.cpio" \
		"$repo/bench/stress-init.sh" "$work/nvstress" \
		"$o/drivers/i2c/i2c-stub.ko" "$m/nvmem_test_consumer.ko"
	echo "userland: $work/$k/initramfs.cpio"
}

step_tree() {
	"$repo/scripts/bench.sh" tree "$1"
}

# One boot; the guest's report goes to $work/K.report, the console to
# $work/K.console; "stress: cycles N" every 1000 cycles shows progress
step_boot() {
	local k=$1 log rep status=0 start n fail=0 stop=0
	log=$work/$k.console
	rep=$work/$k.report
	[ "$k" = base ] && stop=1
	start=$(date +%s)
	timeout -k 10 "$timeout" qemu-system-x86_64 -bios qboot.rom -smp 2 -m 1G \
		-nographic -no-reboot -kernel "$(out "$k")/arch/x86/boot/bzImage" \
		-initrd "$work/$k/initramfs.cpio" \
		-append "console=ttyS0 kunit.enable=0 panic=-1 \
sysctl.kernel.hung_task_timeout_secs=30 STRESS_CYCLES=$cycles \
STRESS_READERS=$readers STRESS_THREADS=$threads STRESS_STOP_ON_SPLAT=$stop" \
		< /dev/null 2>&1 | stdbuf -oL tr -d '\r' | tee "$log" |
		{ grep --line-buffered '^stress: cycles [0-9]*$' || true; } || status=$?
	sed -n '/^==> REPORT$/,/^==> END$/{/^==> /d;p}' "$log" > "$rep"
	echo "boot: $k: QEMU ran $(($(date +%s) - start))s (status $status)"
	sed 's/^/    /' "$rep"
	n=$(grep -cE "$splats" "$log" || true)
	echo "stress: $k: splat lines on the console: $n"
	if [ "$k" = base ]; then
		if [ "$n" -gt 0 ]; then
			echo "stress: base: first splat:"
			grep -m 1 -B 2 -A 12 -E "$splats" "$log" | sed 's/^/    /'
		else
			echo "stress: base: FAIL: no splat (expected a use-after-free)"
			fail=1
		fi
		return "$fail"
	fi
	grep -q '^stress: done' "$rep" || { echo "stress: series: FAIL: guest did not finish"; fail=1; }
	[ "$n" -eq 0 ] || { grep -m 3 -A 10 -E "$splats" "$log" | sed 's/^/    /'; echo "stress: series: FAIL: splats"; fail=1; }
	grep -q '^stress: cycles done '"$cycles"'$' "$rep" || { echo "stress: series: FAIL: not every cycle done"; fail=1; }
	grep -q '^stress: kmemleak 0$' "$rep" || { echo "stress: series: FAIL: kmemleak"; fail=1; }
	grep -q '^stress: reader in-kernel-consumer ' "$rep" ||
		{ echo "stress: series: FAIL: no in-kernel consumer"; fail=1; }
	! grep -q '^sweep: FAIL' "$rep" || { echo "stress: series: FAIL: bad-input sweep"; fail=1; }
	[ "$fail" -eq 0 ] && echo "stress: series: PASS"
	return "$fail"
}

case "${1:-}" in
tree|kernel|userland|boot)
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
echo "stress: $cycles cycles, $readers reader processes, $threads threads on one fd, kernels: $kernels"
status=0
for k in $kernels; do
	[ "$k" = series ] && [ -n "${STRESS_OUT:-}" ] ||
		"$stage" "stress-tree-$k" "$0" tree "$k"
	"$stage" "stress-kernel-$k" "$0" kernel "$k"
	"$stage" "stress-userland-$k" "$0" userland "$k"
	"$stage" "stress-boot-$k" "$0" boot "$k" || status=1
done
exit "$status"
