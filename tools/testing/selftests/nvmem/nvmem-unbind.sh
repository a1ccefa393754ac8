#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unbind an at24 EEPROM while user space and an in-kernel consumer read it.
#
# The EEPROM sits on the i2c-stub SMBus simulator, so reads go through nvmem,
# at24, regmap and I2C. Every read must give the EEPROM's content or fail
# with ENODEV, the nvmem device must go away on unbind even though the
# consumer still holds handles on it, and the kernel must not taint itself
# with a KASAN, WARN or Oops report, nor turn lockdep off.
#
# NVMEM_TEST_CYCLES	bind/unbind cycles under load (default 3)
# NVMEM_TEST_PROCS	reader processes per file (default 2)
# NVMEM_TEST_THREADS	reader threads sharing one descriptor per file (default 4)

DIR=$(dirname "$(readlink -f "$0")")
. "$DIR"/../kselftest/ktap_helpers.sh

CYCLES=${NVMEM_TEST_CYCLES:-3}
PROCS=${NVMEM_TEST_PROCS:-2}
THREADS=${NVMEM_TEST_THREADS:-4}

READER="$DIR/nvmem-unbind-read"
MODULE="$DIR/test_modules/nvmem_test_consumer.ko"
AT24=/sys/bus/i2c/drivers/at24
DBG=/sys/kernel/debug/nvmem-test-consumer
ADDR=0x50
SIZE=256		# a 24c02
CELL=16:8		# the consumer's cell, see nvmem_test_consumer.c
# Taint flags of a kernel report: B (bad page: KASAN), D (Oops), W (WARN),
# L (soft lockup).  Unlike a scan of dmesg, they cannot be lost when the
# ring buffer wraps.
REPORT_TAINTS=$(((1 << 5) | (1 << 7) | (1 << 9) | (1 << 14)))
LOADED=			# modules this test loaded, unloaded by cleanup()

# The nvmem device of the EEPROM other than $1
nvmem_of_eeprom() {
	for d in /sys/bus/i2c/devices/"$CLIENT"/"$CLIENT"*; do
		name=$(basename "$d")
		if [ -e "$d/nvmem" ] && [ "$name" != "${1:-}" ]; then
			echo "$name"
			return
		fi
	done
}

# Every file reading the EEPROM, as PATH:OFFSET:LENGTH
specs() {
	echo "/sys/bus/nvmem/devices/$NVMEM/nvmem:0:$SIZE"
	echo "/sys/bus/i2c/devices/$CLIENT/eeprom:0:$SIZE"
	echo "$DBG/device:0:$SIZE"
	echo "$DBG/cell:$CELL"
}

bind() {
	old=$NVMEM
	echo "$CLIENT" > "$AT24/bind" || return 1
	NVMEM=$(nvmem_of_eeprom "$old")
	[ -n "$NVMEM" ] || return 1
	echo "$NVMEM" > "$DBG/acquire"
}

setup() {
	for adapter in /sys/bus/i2c/devices/i2c-*; do
		grep -qs "SMBus stub driver" "$adapter/name" && break
		adapter=
	done
	[ -n "$adapter" ] || return 1
	echo "24c02 $ADDR" > "$adapter/new_device" || return 1
	CREATED=$adapter
	CLIENT=${adapter##*i2c-}-00${ADDR#0x}
	NVMEM=$(nvmem_of_eeprom)
	[ -n "$NVMEM" ] || return 1
	"$READER" fill "/sys/bus/nvmem/devices/$NVMEM/nvmem" &&
		"$READER" check "/sys/bus/nvmem/devices/$NVMEM/nvmem:0:$SIZE"
}

test_consumer_reads() {
	insmod "$MODULE" || return 1
	LOADED="nvmem_test_consumer $LOADED"
	echo "$NVMEM" > "$DBG/acquire" || return 1
	"$READER" check $(specs)
}

test_unbind_while_reading() {
	"$READER" -p "$PROCS" -t "$THREADS" unbind "$AT24" "$CLIENT" $(specs)
}

test_nvmem_gone() {
	if [ -e "/sys/bus/nvmem/devices/$NVMEM" ]; then
		ktap_print_msg "$NVMEM is still in /sys/bus/nvmem/devices"
		return 1
	fi
}

test_stale_handles() {
	"$READER" gone "$DBG/device:0:$SIZE" "$DBG/cell:$CELL"
}

test_rebind() {
	bind || return 1
	"$READER" check $(specs) &&
		"$READER" gone "$DBG/old_device:0:$SIZE" "$DBG/old_cell:$CELL"
}

test_cycles() {
	i=1
	while [ "$i" -le "$CYCLES" ]; do
		ktap_print_msg "cycle $i of $CYCLES"
		test_unbind_while_reading && test_nvmem_gone && test_rebind ||
			return 1
		i=$((i + 1))
	done
}

test_unload() {
	rmmod nvmem_test_consumer
}

report_taints() {
	echo $(($(cat /proc/sys/kernel/tainted) & REPORT_TAINTS))
}

# 1 while lockdep is on (or the kernel has no lockdep): its first report
# turns it off.
lockdep_on() {
	awk '/debug_locks:/ { on = $2 } END { print on == "" ? 1 : on }' \
		/proc/lockdep_stats 2>/dev/null || echo 1
}

test_kernel_clean() {
	taints=$(report_taints)
	if [ "$taints" -ne 0 ]; then
		ktap_print_msg "kernel taint: $taints (B 32, D 128, W 512, L 16384)"
		return 1
	fi
	if [ "$(lockdep_on)" -ne 1 ]; then
		ktap_print_msg "lockdep turned itself off after a report"
		return 1
	fi
}

cleanup() {
	[ -n "${CREATED:-}" ] && echo "$ADDR" > "$CREATED/delete_device"
	for module in $LOADED; do
		[ -d "/sys/module/$module" ] && rmmod "$module"
	done
}

ktap_print_header

if [ "$(id -u)" -ne 0 ]; then
	ktap_skip_all "must be run as root"
	exit "$KSFT_SKIP"
fi
if [ -d /sys/module/i2c_stub ]; then
	ktap_skip_all "i2c-stub is loaded or built in already: its chips are not ours"
	exit "$KSFT_SKIP"
fi
if [ "$(report_taints)" -ne 0 ] || [ "$(lockdep_on)" -ne 1 ]; then
	ktap_skip_all "the kernel reported a problem before the test"
	exit "$KSFT_SKIP"
fi
modprobe -q at24 2>/dev/null
if [ ! -d "$AT24" ] || [ ! -x "$READER" ] || [ ! -f "$MODULE" ] ||
   ! modprobe -q i2c-stub chip_addr=$ADDR; then
	ktap_skip_all "needs at24, i2c-stub, $READER and $MODULE"
	exit "$KSFT_SKIP"
fi
LOADED=i2c_stub
grep -qs debugfs /proc/mounts || mount -t debugfs none /sys/kernel/debug

ktap_set_plan 9
# run_kselftest.sh's timeout sends TERM: clean up then too
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ktap_test_result "at24 EEPROM on i2c-stub holds the test pattern" setup
ktap_test_result "consumer reads the EEPROM through device and cell handles" \
	test_consumer_reads
ktap_test_result "unbind while reading gives the content or ENODEV" \
	test_unbind_while_reading
ktap_test_result "nvmem device is gone after the unbind" test_nvmem_gone
ktap_test_result "stale consumer handles fail with ENODEV" test_stale_handles
ktap_test_result "rebind: new handles read, stale ones fail with ENODEV" \
	test_rebind
ktap_test_result "$CYCLES bind/unbind cycles while reading" test_cycles
ktap_test_result "consumer module unloads with stale handles" test_unload
ktap_test_result "the kernel reported no bug (taint flags, lockdep)" test_kernel_clean

ktap_finished
