#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the nvmem kselftest in QEMU: selftest.sh TREE OUT
#
# TREE is a kernel tree with tools/testing/selftests/nvmem, OUT its test
# kernel build directory (the kernel is built first if OUT has no bzImage).
# Builds the consumer test module and the kselftest against OUT, packs an
# initramfs, boots it under QEMU (TCG), prints the test's TAP output and
# scans the console for splats.  Leaves OUT/selftest/console.log and
# OUT/selftest/tap.txt.  Exits non-zero if a test case failed, the guest
# did not finish or the console has a splat.
#
#	NVMEM_TEST_CYCLES, NVMEM_TEST_PROCS, NVMEM_TEST_THREADS
#			passed to the test (see nvmem-unbind.sh)
#	SELFTEST_TIMEOUT	seconds QEMU may run (default 900)
#	RESULTS		if set, results go there through scripts/results.sh
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 TREE OUT" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
tree=$(cd "$1" && pwd -P)
mkdir -p "$2"
out=$(cd "$2" && pwd -P)
dir=$out/selftest
timeout=${SELFTEST_TIMEOUT:-900}
source "$(dirname "$0")/splats.sh"

[ -d "$tree/tools/testing/selftests/nvmem" ] ||
	{ echo "selftest: $tree has no tools/testing/selftests/nvmem" >&2; exit 1; }

if [ ! -f "$out/arch/x86/boot/bzImage" ]; then
	echo "selftest: no kernel in $out, building it"
	"$repo/scripts/kconfig.sh" "$tree" "$out"
	"$repo/scripts/build.sh" "$tree" "$out"
fi

echo "selftest: building the test module and the kselftest"
rm -rf "$dir"
mkdir -p "$dir"
# In the tree, as kselftests build; clean first: the module is OUT's.
ksft=(-C "$tree/tools/testing/selftests" TARGETS=nvmem KDIR="$out")
{ make "${ksft[@]}" clean &&
	make "${ksft[@]}" LDFLAGS=-static INSTALL_PATH="$dir/kselftest" install
} > "$dir/build.log" 2>&1 || { cat "$dir/build.log"; exit 1; }

echo "selftest: packing the initramfs"
"$repo/scripts/initramfs.sh" "$out" "$dir/kselftest" "$dir/initramfs.cpio"

# oops=panic: after an Oops (the unfixed kernel, some time after its
# use-after-free) tasks die holding locks and the guest would sit until the
# timeout; panic=-1 then ends the boot at once.
cmdline="console=ttyS0 kunit.enable=0 oops=panic panic=-1"
cmdline+=" sysctl.kernel.hung_task_timeout_secs=30"
for v in NVMEM_TEST_CYCLES NVMEM_TEST_PROCS NVMEM_TEST_THREADS; do
	[ -z "${!v:-}" ] || cmdline+=" $v=${!v}"
done

echo "selftest: booting QEMU (TCG, timeout ${timeout}s)"
start=$(date +%s)
status=0
timeout -k 10 "$timeout" qemu-system-x86_64 -bios qboot.rom -m 1G -smp 2 \
	-nographic -no-reboot -kernel "$out/arch/x86/boot/bzImage" \
	-initrd "$dir/initramfs.cpio" -append "$cmdline" \
	< /dev/null 2>&1 | tr -d '\r' > "$dir/console.log" || status=$?
echo "selftest: QEMU ran $(($(date +%s) - start))s"

# The TAP block /init prints at the end, or what got out before a hang
log=$dir/console.log
tap=$dir/tap.txt
sed -n '/^==> TAP$/,/^==> END$/{/^==> /d;p}' "$log" > "$tap"
finished=1
if ! grep -q '^nvmem-unbind.sh exit status: ' "$tap"; then
	finished=0
	grep -E '^(TAP version|1\.\.|(not )?ok |# |Bail out)' "$log" > "$tap" || true
fi

echo "selftest: TAP output"
grep -v '^nvmem-unbind.sh exit status: ' "$tap" || true

fail=0
if [ "$finished" -eq 0 ]; then
	echo "selftest: FAIL: the guest did not finish (QEMU status $status)"
	fail=1
elif ! grep -q '^nvmem-unbind.sh exit status: 0$' "$tap"; then
	echo "selftest: FAIL: $(grep '^nvmem-unbind.sh exit status: ' "$tap")"
	fail=1
fi
if ! grep -q '^1\.\.[1-9]' "$tap"; then
	echo "selftest: FAIL: no TAP plan"
	fail=1
fi
# Splats the test itself echoed ("# ...") are in the kernel log anyway.
console_ok=1
found=$(grep -vE '^# ' "$log" | grep -E "$splats" || true)
if [ -n "$found" ]; then
	echo "selftest: FAIL: splats on the console:"
	sed -n '1,10s/^/    /p' <<< "$found"
	console_ok=0
	fail=1
fi

pass=$(grep -c '^ok ' "$tap" || true)
failed=$(grep -c '^not ok ' "$tap" || true)
plan=$(grep -m1 '^1\.\.' "$tap" || echo "none")
echo "selftest: $pass ok, $failed not ok, plan $plan," \
	"console $([ "$console_ok" -eq 1 ] && echo clean || echo 'has splats')"

if [ -n "${RESULTS:-}" ]; then
	"$repo/scripts/results.sh" tap selftest "$tap"
	[ "$finished" -eq 1 ] && r=PASS || r=FAIL
	"$repo/scripts/results.sh" add "$r" selftest:guest_finished
	[ "$console_ok" -eq 1 ] && r=PASS || r=FAIL
	"$repo/scripts/results.sh" add "$r" selftest:console_clean
fi

exit "$fail"
