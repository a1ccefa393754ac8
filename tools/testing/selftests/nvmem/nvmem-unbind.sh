#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unbind an at24 EEPROM while user space and an in-kernel consumer read it.
#
# The EEPROM sits on the i2c-stub SMBus simulator, so reads go through nvmem,
# at24, regmap and I2C. Reads must be in flight when the unbind begins;
# every read must give the EEPROM's content or fail with ENODEV (or, while
# at24's remove callback runs, EACCES: see nvmem-unbind-read.c), the nvmem
# device must go away on unbind even though the consumer still holds
# handles on it, and the kernel must not taint itself with a KASAN, WARN or
# Oops report, nor turn lockdep off.
#
# Before any unbind, the nvmem file must answer bad offsets, lengths and
# permissions as documented (nvmem-unbind-read.c's sweep).
#
# With at24 as a module, the consumer's stale handles must keep it loaded,
# and once they are put it must unload and load again.
#
# NVMEM_TEST_CYCLES	bind/unbind cycles under load (default 3)
# NVMEM_TEST_PROCS	reader processes per file (default 2)
# NVMEM_TEST_THREADS	reader threads sharing one descriptor per file (default 4)

DIR=$(dirname "$(readlink -f "$0")")
. "$DIR"/nvmem_lib.sh

CYCLES=${NVMEM_TEST_CYCLES:-3}
PROCS=${NVMEM_TEST_PROCS:-2}
THREADS=${NVMEM_TEST_THREADS:-4}

READER="$DIR/nvmem-unbind-read"
MODULE="$DIR/test_modules/nvmem_test_consumer.ko"
DBG=/sys/kernel/debug/nvmem-test-consumer
CELL=16:8		# the consumer's cell, see nvmem_test_consumer.c

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
	NVMEM=$(nvmem_of_client "$CLIENT" "$old")
	[ -n "$NVMEM" ] || return 1
	echo "$NVMEM" > "$DBG/acquire"
}

setup() {
	create_eeprom || return 1
	NVMEM=$(nvmem_of_client "$CLIENT")
	[ -n "$NVMEM" ] || return 1
	"$READER" fill "/sys/bus/nvmem/devices/$NVMEM/nvmem" &&
		"$READER" check "/sys/bus/nvmem/devices/$NVMEM/nvmem:0:$SIZE"
}

# The sweep writes the EEPROM: put the pattern back after it, even when it
# failed, for the cases after it.
test_bad_input() {
	file=/sys/bus/nvmem/devices/$NVMEM/nvmem
	force_ro=/sys/bus/nvmem/devices/$NVMEM/force_ro
	[ -e "$force_ro" ] || force_ro=
	# shellcheck disable=SC2086 # no word or one
	"$READER" sweep "$file" $force_ro
	swept=$?
	"$READER" fill "$file" && "$READER" check "$file:0:$SIZE" &&
		return "$swept"
}

test_consumer_reads() {
	load_module "$MODULE" || return 1
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

# at24 as a module: a handle pins the provider's module, stale or not
at24_refs() {
	cat /sys/module/at24/refcnt 2>/dev/null
}

# Unbound, with the consumer's handles stale, at24 stays pinned by them.
test_provider_pinned() {
	echo "$CLIENT" > "$AT24/unbind" || return 1
	"$READER" gone "$DBG/device:0:$SIZE" "$DBG/cell:$CELL" || return 1
	refs=$(at24_refs)
	if rmmod at24 2>/dev/null; then
		ktap_print_msg "at24 unloaded with $refs references held"
		modprobe at24
		return 1
	fi
	[ "$refs" -gt 0 ]
}

# With the consumer gone, at24 unloads, and loads and binds the EEPROM again.
test_provider_reload() {
	refs=$(at24_refs)
	if [ "$refs" -ne 0 ]; then
		ktap_print_msg "at24 has $refs references without a consumer"
		return 1
	fi
	rmmod at24 && modprobe at24 || return 1
	NVMEM=$(nvmem_of_client "$CLIENT")
	[ -n "$NVMEM" ] &&
		"$READER" check "/sys/bus/nvmem/devices/$NVMEM/nvmem:0:$SIZE"
}

# ktap_test_result unless at24 is built in: AT24_STEP DESCRIPTION FUNCTION
at24_step() {
	if [ -z "$(at24_refs)" ]; then
		ktap_test_skip "$1: at24 is built in"
	else
		ktap_test_result "$@"
	fi
}

ktap_print_header

[ -x "$READER" ] && [ -f "$MODULE" ] || skip_all "needs $READER and $MODULE"
nvmem_setup
grep -qs debugfs /proc/mounts || mount -t debugfs none /sys/kernel/debug

ktap_set_plan 12
ktap_test_result "at24 EEPROM on i2c-stub holds the test pattern" setup
ktap_test_result "the nvmem file answers bad input as documented" test_bad_input
ktap_test_result "consumer reads the EEPROM through device and cell handles" \
	test_consumer_reads
ktap_test_result "unbind while reading gives the content or ENODEV" \
	test_unbind_while_reading
ktap_test_result "nvmem device is gone after the unbind" test_nvmem_gone
ktap_test_result "stale consumer handles fail with ENODEV" test_stale_handles
ktap_test_result "rebind: new handles read, stale ones fail with ENODEV" \
	test_rebind
ktap_test_result "$CYCLES bind/unbind cycles while reading" test_cycles
at24_step "stale handles keep at24 from unloading" test_provider_pinned
ktap_test_result "consumer module unloads with stale handles" test_unload
at24_step "at24 unloads once no handle holds it, then reads again" \
	test_provider_reload
ktap_test_result "the kernel reported no bug (taint flags, lockdep)" test_kernel_clean

ktap_finished
