#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unload a layout module while the cells it laid out are in use.
#
# A layout driver adds cells whose read_post_process() callbacks are
# functions of its module, and the cells stay on the nvmem device, readable
# through their sysfs files, when the layout is unbound. The module must
# therefore not unload while the device has them: rmmod must refuse, a cell
# must still read after the attempt, and the module must unload once the
# provider is gone.
#
# The provider is an at24 EEPROM on i2c-stub, described in the device tree
# by nvmem_test_of_eeprom.ko with an ONIE TLV layout; the onie-tlv layout
# driver, a module, finds a MAC address in it.

DIR=$(dirname "$(readlink -f "$0")")
. "$DIR"/nvmem_lib.sh

MODULE="$DIR/test_modules/nvmem_test_of_eeprom.ko"
LAYOUT=onie_tlv
RELEASE_TIMEOUT=10	# seconds for the nvmem device to be released

# The cell's sysfs file; its name holds the offset, after the header and
# the MAC address TLV's type and length
cell_file() {
	echo "/sys/bus/nvmem/devices/$NVMEM/cells/mac-address@d,0"
}

test_layout_cells() {
	adapter=$(stub_adapter) || return 1
	load_module "$MODULE" adapter="${adapter##*i2c-}" addr="$ADDR" ||
		return 1
	NVMEM=$(nvmem_of_client "$CLIENT")
	[ -n "$NVMEM" ] && test_cell_reads
}

test_cell_reads() {
	mac=$(od -An -tx1 "$(cell_file)") || return 1
	if [ "$mac" != "$MAC" ]; then
		ktap_print_msg "the cell holds '$mac', want '$MAC'"
		return 1
	fi
}

test_rmmod_refused() {
	refs=$(cat "/sys/module/$LAYOUT/refcnt")
	if rmmod "$LAYOUT" 2>/dev/null; then
		ktap_print_msg "$LAYOUT unloaded while its cells exist ($refs references)"
		return 1
	fi
	[ -d "/sys/module/$LAYOUT" ]
}

# The device drops the module once it is released, which may come after
# the unbind returned.
wait_unused() {
	i=0
	while [ "$(cat "/sys/module/$LAYOUT/refcnt")" -ne 0 ]; do
		[ "$i" -lt "$RELEASE_TIMEOUT" ] || return 1
		sleep 1
		i=$((i + 1))
	done
}

test_rmmod_after_unbind() {
	echo "$CLIENT" > "$AT24/unbind" || return 1
	if [ ! -d "/sys/module/$LAYOUT" ]; then
		ktap_print_msg "$LAYOUT was gone before the unbind"
		return 1
	fi
	if ! wait_unused; then
		ktap_print_msg "$LAYOUT still in use ${RELEASE_TIMEOUT}s after the unbind"
		return 1
	fi
	rmmod "$LAYOUT"
}

ktap_print_header

[ -f "$MODULE" ] || skip_all "needs $MODULE (a kernel with CONFIG_OF_DYNAMIC)"
[ ! -e /proc/device-tree/compatible ] ||
	skip_all "needs a device tree root that firmware did not populate"
[ ! -d "/sys/module/$LAYOUT" ] ||
	skip_all "$LAYOUT is loaded or built in already"
nvmem_setup
# only a loaded module has a reference count
load_module "$LAYOUT" && [ -e "/sys/module/$LAYOUT/refcnt" ] ||
	skip_all "needs $LAYOUT as a module"

ktap_set_plan 6
if ! step "the EEPROM holds an ONIE TLV table" write_table ||
   ! step "$LAYOUT lays out the EEPROM's cells, the MAC address reads" \
	test_layout_cells; then
	ktap_exit_fail_msg "no EEPROM with the layout's cells to test"
fi
if step "rmmod $LAYOUT is refused while its cells exist" test_rmmod_refused; then
	ktap_test_result "the cell still reads after the rmmod" test_cell_reads
else
	# A read would run the module's freed code.
	ktap_test_skip "the cell still reads after the rmmod: $LAYOUT is gone"
fi
ktap_test_result "$LAYOUT unloads once the EEPROM is unbound" \
	test_rmmod_after_unbind
ktap_test_result "the kernel reported no bug (taint flags, lockdep)" test_kernel_clean

ktap_finished
