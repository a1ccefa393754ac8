# SPDX-License-Identifier: GPL-2.0
#
# What the nvmem tests share: an at24 EEPROM on the i2c-stub SMBus
# simulator, the check that the kernel reported no bug, and a cleanup that
# undoes only what the test did. The test sets DIR before sourcing this.

. "$DIR"/../kselftest/ktap_helpers.sh

AT24=/sys/bus/i2c/drivers/at24
ADDR=0x50
SIZE=256		# a 24c02
# Taint flags of a kernel report: B (bad page: KASAN), D (Oops), W (WARN),
# L (soft lockup).  Unlike a scan of dmesg, they cannot be lost when the
# ring buffer wraps.
REPORT_TAINTS=$(((1 << 5) | (1 << 7) | (1 << 9) | (1 << 14)))
LOADED=			# modules the test loaded, unloaded by cleanup()
CREATED=		# the adapter the test created a device on

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

# ktap_test_result that returns the test's status
step() {
	description=$1
	shift
	if "$@"; then
		ktap_test_pass "$description"
	else
		ktap_test_fail "$description"
		return 1
	fi
}

skip_all() {
	ktap_skip_all "$1"
	exit "$KSFT_SKIP"
}

# Skips the test unless it can have i2c-stub to itself in a kernel that
# reported no bug yet; then loads at24 and i2c-stub with a chip at $ADDR
# and cleans up on exit.
nvmem_setup() {
	[ "$(id -u)" -eq 0 ] || skip_all "must be run as root"
	[ ! -d /sys/module/i2c_stub ] ||
		skip_all "i2c-stub is loaded or built in already: its chips are not ours"
	[ "$(report_taints)" -eq 0 ] && [ "$(lockdep_on)" -eq 1 ] ||
		skip_all "the kernel reported a problem before the test"
	# run_kselftest.sh's timeout sends TERM: clean up then too
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	modprobe -q at24 2>/dev/null
	[ -d "$AT24" ] && load_module i2c-stub chip_addr=$ADDR ||
		skip_all "needs at24 and i2c-stub"
}

# The SMBus stub's adapter in sysfs
stub_adapter() {
	for adapter in /sys/bus/i2c/devices/i2c-*; do
		if grep -qs "SMBus stub driver" "$adapter/name"; then
			echo "$adapter"
			return
		fi
	done
	return 1
}

# The nvmem device of I2C client $1 other than $2
nvmem_of_client() {
	for d in /sys/bus/i2c/devices/"$1"/"$1"*; do
		name=$(basename "$d")
		if [ -e "$d/nvmem" ] && [ "$name" != "${2:-}" ]; then
			echo "$name"
			return
		fi
	done
}

# Creates a 24c02 at $ADDR on the stub and sets CLIENT to its name
create_eeprom() {
	adapter=$(stub_adapter) || return 1
	echo "24c02 $ADDR" > "$adapter/new_device" || return 1
	CREATED=$adapter
	CLIENT=${adapter##*i2c-}-00${ADDR#0x}
}

delete_eeprom() {
	echo "$ADDR" > "$CREATED/delete_device" && CREATED=
}

# What the EEPROM holds for the onie-tlv layout that nvmem_test_of_eeprom.ko
# gives it: an ONIE TLV table, "TlvInfo", version 1, 14 bytes of TLVs: a MAC
# address (type 0x24, 6 bytes) and the CRC-32 (type 0xfe, 4 bytes) of the
# bytes before its value, which onie-tlv checks. write_table puts it there
# through an EEPROM at the same address.
TABLE='TlvInfo\000\001\000\016\044\006\000\021\042\063\104\125\376\004\335\242\256\137'
TABLE_SIZE=25
MAC=" 00 11 22 33 44 55"

hexdump_of() {
	od -An -tx1 "$@" | tr -s ' \n' ' '
}

write_table() {
	create_eeprom || return 1
	nvmem=/sys/bus/nvmem/devices/$(nvmem_of_client "$CLIENT")/nvmem
	# shellcheck disable=SC2059 # the table is a format of octal escapes
	printf "$TABLE" > "$nvmem" || return 1
	# shellcheck disable=SC2059
	want=$(printf "$TABLE" | hexdump_of)
	got=$(hexdump_of -N "$TABLE_SIZE" "$nvmem")
	delete_eeprom || return 1
	if [ "$got" != "$want" ]; then
		ktap_print_msg "the EEPROM holds '$got', want '$want'"
		return 1
	fi
}

# Loads module $1, a name for modprobe or a .ko for insmod, with parameters
# $2...; cleanup() unloads it.
load_module() {
	case $1 in
	*.ko) insmod "$@" ;;
	*) modprobe -q "$@" ;;
	esac || return 1
	LOADED="$(basename "$1" .ko | tr - _) $LOADED"
}

cleanup() {
	trap '' INT TERM	# undo everything, even when interrupted again
	[ -n "$CREATED" ] && delete_eeprom
	for module in $LOADED; do
		[ -d "/sys/module/$module" ] && rmmod "$module"
	done
}
