#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fail the allocations of an nvmem device's registration, one at a time.
#
# For N = 1, 2, ... an EEPROM is created with the Nth allocation made under
# the nvmem core failing (fail-nth, see
# Documentation/fault-injection/fault-injection.rst; the stack filter of
# failslab and fail_page_alloc limits the count to allocations with the
# core's code on the stack), until a creation makes no Nth allocation.
# Each failure must make nvmem_register() fail, or, under a layout driver,
# keep that driver from binding (the cells its probe added stay, with the
# layout module held), or be absorbed where a failure is harmless (a
# uevent); the device, if any, must work, and once the EEPROM is removed
# nothing may be left: no nvmem device, no reference on the layout module,
# and the next registration gets the same name, so no id leaked. At the
# end kmemleak must find nothing and the kernel must have reported no bug.
#
# Two EEPROMs, at24 on the i2c-stub SMBus simulator: one created through
# the adapter's new_device file (nvmem_register() alone), one described in
# the device tree by nvmem_test_of_eeprom.ko with an ONIE TLV layout (the
# layout device, the layout driver's probe, the cells, their sysfs files).
#
# NVMEM_FAULT_MAX_POINTS	stop a scenario after this many (default 1000)

DIR=$(dirname "$(readlink -f "$0")")
. "$DIR"/nvmem_lib.sh
. "$DIR"/nvmem_fault_lib.sh

MODULE="$DIR/test_modules/nvmem_test_of_eeprom.ko"
LAYOUT=onie_tlv
LAYOUT_DRIVER=onie-tlv-layout
MAX_POINTS=${NVMEM_FAULT_MAX_POINTS:-1000}
RELEASE_TIMEOUT=10	# seconds for the nvmem device to be released

# The nvmem core's code, built in: the run of the kernel's text around
# nvmem_register() from the first to the symbol after the last function
# named nvmem_*, devm_nvmem_* or of_nvmem_*, with no more than MAX_GAP other
# symbols between two of them (its static functions; other code that
# calls itself nvmem_*, such as nvmem_get_mac_address(), lies further off).
MAX_GAP=64
MAX_TEXT=1048576	# bytes; a larger range is not the core's alone
nvmem_text() {
	sort /proc/kallsyms | awk -v max_gap="$MAX_GAP" '
		NF > 3 || $2 !~ /^[tT]$/ { next }	# modules, data
		{ addr[n] = $1; core[n] = $3 ~ /^(__)?(devm_|of_)?nvmem_/ }
		$3 == "nvmem_register" { reg = n }
		{ n++ }
		END {
			if (reg == "")
				exit
			first = last = reg
			gap = 0
			for (i = reg - 1; i >= 0 && gap <= max_gap; i--)
				if (core[i]) { first = i; gap = 0 } else gap++
			gap = 0
			for (i = reg + 1; i < n && gap <= max_gap; i++)
				if (core[i]) { last = i; gap = 0 } else gap++
			if (last + 1 < n)
				print "0x" addr[first], "0x" addr[last + 1]
		}'
}

fault_setup() {
	range=$(nvmem_text)
	[ -n "$range" ] || return 1
	size=$((${range#* } - ${range% *}))
	if [ "${range% *}" = 0x0000000000000000 ] || [ "$size" -gt "$MAX_TEXT" ]; then
		ktap_print_msg "no usable range of the nvmem core's text: $range"
		return 1
	fi
	SETUP=1
	# The stacks go to the log, not to a slow serial console; errors
	# (KASAN reports among them) still do.
	PRINTK=$(cat /proc/sys/kernel/printk)
	echo 4 > /proc/sys/kernel/printk
	for attr in $FAULT_ATTRS; do
		# GFP_KERNEL allocations may fail too
		fault_set "$attr" ignore-gfp-wait N &&
		fault_set "$attr" require-start "${range% *}" &&
		fault_set "$attr" require-end "${range#* }" &&
		fault_set "$attr" stacktrace-depth 32 &&
		fault_set "$attr" times "$TIMES" &&
		# the stack of each failure names its site
		fault_set "$attr" verbose 2 || return 1
	done
	fault_set fail_page_alloc min-order 0
}

# The error of the first failed probe in a kernel log on stdin, as
# "DRIVER ERRNO"
failed_probe() {
	sed -n 's/.*probe with driver \([^ ]*\) failed with error \(-[0-9]*\)$/\1 \2/p' |
		head -n 1
}

nvmem_devices() {
	ls /sys/bus/nvmem/devices
}

# Creating and removing the two EEPROMs: CREATE runs in the task whose
# allocations fail, so it runs no other process (insmod replaces it).

create_plain() {
	echo "24c02 $ADDR" > "$ADAPTER/new_device"
}

remove_plain() {
	echo "$ADDR" > "$ADAPTER/delete_device"
}

create_layout() {
	exec insmod "$MODULE" adapter="${ADAPTER##*i2c-}" addr="$ADDR"
}

remove_layout() {
	rmmod nvmem_test_of_eeprom
}

# The sysfs files of the cells the layout added, if any
cell_files() {
	ls "/sys/bus/nvmem/devices/$1/cells" 2>/dev/null
}

# Whether a layout device is bound to the layout driver
layout_bound() {
	for entry in "/sys/bus/nvmem-layout/drivers/$LAYOUT_DRIVER"/*; do
		[ "${entry##*/}" != module ] && [ -e "$entry/uevent" ] && return 0
	done
	return 1
}

# check_device SCENARIO NAME: the device that registered works: its name is
# the first registration's, so no id leaked, and it reads. Under the
# layout, it has cell files if the layout driver bound; cells that a failed
# probe added stay (consumers may hold them already), and with any cell the
# device must hold the layout module, whose code the cells call.
check_device() {
	if [ "$2" != "$REF_NAME" ]; then
		ktap_print_msg "registered as $2, the first registration as $REF_NAME"
		return 1
	fi
	head -c 16 "/sys/bus/nvmem/devices/$2/nvmem" > /dev/null || return 1
	[ "$1" = layout ] || return 0
	cells=$(cell_files "$2")
	# Cells whose files could not be created work without them.
	if layout_bound && [ -z "$cells" ] &&
	   ! echo "$LOG" | grep -q 'cannot create the sysfs files of the cells'; then
		ktap_print_msg "the layout bound, but no cells"
		return 1
	fi
	if [ -n "$cells" ] && [ "$(cat "/sys/module/$LAYOUT/refcnt")" -eq 0 ]; then
		ktap_print_msg "cells ($cells), but nothing holds $LAYOUT"
		return 1
	fi
}

# The device is released, and with it the layout module, after the
# removal returned; wait for both.
wait_released() {
	i=0
	while [ -n "$(nvmem_devices)" ] ||
	      { [ -e "/sys/module/$LAYOUT/refcnt" ] &&
		[ "$(cat "/sys/module/$LAYOUT/refcnt")" -ne 0 ]; }; do
		if [ "$i" -ge "$RELEASE_TIMEOUT" ]; then
			ktap_print_msg "left after the removal: nvmem devices '$(nvmem_devices)'," \
				"$LAYOUT references $(cat "/sys/module/$LAYOUT/refcnt" 2>/dev/null)"
			return 1
		fi
		sleep 1
		i=$((i + 1))
	done
}

# What the creation of point $2 of scenario $1 did, from the kernel log
# LOG: which allocation failed, which probe failed with which error, and
# whether the device that is left, if any, works
check_point() {
	site=$(echo "$LOG" | fault_site)
	probe=$(echo "$LOG" | failed_probe)
	name=$(nvmem_of_client "$CLIENT")
	if [ -z "$name" ]; then
		case $probe in
		"at24 "*) outcome="nvmem_register() failed: ${probe#* }" ;;
		*)
			ktap_print_msg "point $2: $site: no device, probe failures: '$probe'"
			return 1 ;;
		esac
	elif [ "$1" = layout ] && ! layout_bound; then
		outcome="the layout did not bind (${probe:-no probe error logged})"
		cells=$(cell_files "$name")
		outcome="$outcome, cells kept: ${cells:-none}"
	else
		outcome="absorbed, the device works"
	fi
	ktap_print_msg "$1 point $2: $site: $outcome"
	[ -z "$name" ] || check_device "$1" "$name"
}

# fail_each_allocation SCENARIO: creates and removes the scenario's EEPROM
# with the Nth allocation failing, N = 1, 2, ..., until a creation makes
# no Nth allocation; that last one must register a working device. Adds
# the points to POINTS.
fail_each_allocation() {
	ok=0 n=1
	while [ "$n" -le "$MAX_POINTS" ]; do
		mark="nvmem-fault-inject $$: $1 point $n"
		echo "$mark" > /dev/kmsg
		before=$(injected)
		(echo "$n" > /proc/self/fail-nth && "create_$1")
		[ "$(injected)" -gt "$before" ] || break
		LOG=$(dmesg | sed -n "s/^\[[^]]*\] //; /$mark\$/,\$p")
		check_point "$1" "$n" || ok=1
		"remove_$1" && wait_released || return 1
		n=$((n + 1))
	done
	POINTS=$((POINTS + n - 1))
	if [ "$n" -eq 1 ]; then
		ktap_print_msg "$1: no allocation failed: the stack filter matched none"
		return 1
	fi
	if [ "$n" -gt "$MAX_POINTS" ]; then
		ktap_print_msg "$1: still failing after $MAX_POINTS points"
		return 1
	fi
	ktap_print_msg "$1: $((n - 1)) points, then a registration with none left to fail"
	LOG=
	name=$(nvmem_of_client "$CLIENT")
	[ -n "$name" ] && check_device "$1" "$name" || ok=1
	if [ "$1" = layout ] && ! layout_bound; then
		ktap_print_msg "layout: the layout did not bind without a failure"
		ok=1
	fi
	"remove_$1" && wait_released && return "$ok"
}

# The first registration, with no failure, names the device.
reference_registration() {
	create_plain || return 1
	REF_NAME=$(nvmem_of_client "$CLIENT")
	remove_plain && wait_released && [ -n "$REF_NAME" ]
}

# ktap_test_result splits its command into words: no message with spaces
test_no_leak() {
	kmemleak_none "fault injection: $POINTS points"
}

# The table for the layout first, through a plain EEPROM
test_layout() {
	write_table && wait_released && fail_each_allocation layout
}

fault_cleanup() {
	trap '' INT TERM
	fault_restore
	[ ! -d /sys/module/nvmem_test_of_eeprom ] || remove_layout
	[ -z "${CLIENT:-}" ] || [ ! -e "/sys/bus/i2c/devices/$CLIENT" ] ||
		remove_plain
	cleanup
}

ktap_print_header

[ -w /proc/self/fail-nth ] && [ -d "$DEBUGFS/failslab" ] &&
	[ -d "$DEBUGFS/fail_page_alloc" ] ||
	skip_all "needs CONFIG_FAULT_INJECTION_DEBUG_FS, CONFIG_FAILSLAB and CONFIG_FAIL_PAGE_ALLOC"
[ -e "$DEBUGFS/failslab/require-start" ] ||
	skip_all "needs CONFIG_FAULT_INJECTION_STACKTRACE_FILTER"
nvmem_setup
trap fault_cleanup EXIT
[ -z "$(nvmem_devices)" ] || skip_all "nvmem devices exist already: $(nvmem_devices)"
ADAPTER=$(stub_adapter) || skip_all "no i2c-stub adapter"
CLIENT=${ADAPTER##*i2c-}-00${ADDR#0x}
LAYOUT_READY=0
[ -f "$MODULE" ] && [ ! -e /proc/device-tree/compatible ] &&
	[ ! -d "/sys/module/$LAYOUT" ] && load_module "$LAYOUT" &&
	[ -e "/sys/module/$LAYOUT/refcnt" ] && LAYOUT_READY=1
LEAK_CHECK=0
[ -e "$DEBUGFS/kmemleak" ] && kmemleak_clear_old && LEAK_CHECK=1

ktap_set_plan 6
if ! step "the EEPROM registers with no failure injected" reference_registration ||
   ! step "fault injection limited to the nvmem core's allocations" fault_setup; then
	ktap_exit_fail_msg "cannot inject failures"
fi
POINTS=0
ktap_test_result "each failed allocation of an EEPROM's registration is handled" \
	fail_each_allocation plain
if [ "$LAYOUT_READY" -eq 1 ]; then
	ktap_test_result "each failed allocation of an EEPROM with a layout is handled" \
		test_layout
else
	ktap_test_skip "each failed allocation of an EEPROM with a layout is handled:" \
		"needs $MODULE, an empty device tree root and $LAYOUT as a module"
fi
if [ "$LEAK_CHECK" -eq 1 ]; then
	ktap_test_result "kmemleak found no leak" test_no_leak
else
	ktap_test_skip "kmemleak found no leak: no kmemleak"
fi
ktap_test_result "the kernel reported no bug (taint flags, lockdep)" test_kernel_clean

ktap_finished
