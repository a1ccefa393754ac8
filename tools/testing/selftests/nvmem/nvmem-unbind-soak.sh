#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Soak: unbind and bind an at24 EEPROM on the i2c-stub SMBus simulator many
# times while processes and threads read its nvmem file, a writer owns 16
# of its bytes and an in-kernel consumer reads it through nvmem_test_consumer
# (nvmem-unbind-read.c's stress mode checks every read's length and bytes,
# and every errno), then check that kmemleak found no leak and that the
# kernel reported no bug.  The bad-input sweep of the nvmem file runs
# before the first unbind.
#
# Not run by default (TEST_PROGS_EXTENDED): 50 cycles take about a minute
# under QEMU with KASAN, 10000 take hours.
#
# nvmem-unbind-soak.sh [CYCLES]
#
# NVMEM_SOAK_CYCLES	bind/unbind cycles, unless given as the argument
#			(default 50)
# NVMEM_TEST_PROCS	reader processes (default 2)
# NVMEM_TEST_THREADS	reader threads sharing one descriptor (default 3)
# NVMEM_SOAK_STOP_ON_REPORT
#			1: stop cycling at the first kernel report, for a
#			kernel expected to have one (default 0)

DIR=$(dirname "$(readlink -f "$0")")
. "$DIR"/nvmem_lib.sh

CYCLES=${1:-${NVMEM_SOAK_CYCLES:-50}}
PROCS=${NVMEM_TEST_PROCS:-2}
THREADS=${NVMEM_TEST_THREADS:-3}

READER="$DIR/nvmem-unbind-read"
MODULE="$DIR/test_modules/nvmem_test_consumer.ko"
DBG=/sys/kernel/debug/nvmem-test-consumer
KMEMLEAK=/sys/kernel/debug/kmemleak

setup() {
	create_eeprom || return 1
	NVMEM=$(nvmem_of_client "$CLIENT")
	[ -n "$NVMEM" ] || return 1
	ktap_print_msg "stress: at24 nvmem file /sys/bus/nvmem/devices/$NVMEM/nvmem"
	# leaks from before the test are not the test's
	[ ! -e "$KMEMLEAK" ] || echo clear > "$KMEMLEAK"
}

test_bad_input() {
	force_ro=/sys/bus/nvmem/devices/$NVMEM/force_ro
	[ -e "$force_ro" ] || force_ro=
	# shellcheck disable=SC2086 # no word or one
	"$READER" sweep "/sys/bus/nvmem/devices/$NVMEM/nvmem" $force_ro
}

test_fill() {
	"$READER" fill "/sys/bus/nvmem/devices/$NVMEM/nvmem" &&
		"$READER" check "/sys/bus/nvmem/devices/$NVMEM/nvmem:0:$SIZE"
}

test_consumer() {
	load_module "$MODULE" && echo "$NVMEM" > "$DBG/acquire"
}

test_soak() {
	stop=
	[ "${NVMEM_SOAK_STOP_ON_REPORT:-0}" = 1 ] && stop=-s
	# shellcheck disable=SC2086 # no word or one
	"$READER" -p "$PROCS" -t "$THREADS" -c "$DBG" $stop \
		stress "$CYCLES" "$AT24" "$CLIENT"
}

# A scan fails once kmemleak has turned itself off (its pool exhausted).
test_kmemleak() {
	if ! echo scan > "$KMEMLEAK" || ! sleep 6 || ! echo scan > "$KMEMLEAK"; then
		ktap_print_msg "stress: kmemleak off or missing, no scan"
		return 1
	fi
	n=$(grep -c 'unreferenced object' "$KMEMLEAK")
	ktap_print_msg "stress: kmemleak $n"
	[ "$n" -eq 0 ] && return
	head -n 40 "$KMEMLEAK" | while read -r line; do
		ktap_print_msg "$line"
	done
	return 1
}

ktap_print_header

[ -x "$READER" ] && [ -f "$MODULE" ] || skip_all "needs $READER and $MODULE"
case $CYCLES in
''|*[!0-9]*) skip_all "CYCLES must be a number, not '$CYCLES'" ;;
esac
nvmem_setup
grep -qs debugfs /proc/mounts || mount -t debugfs none /sys/kernel/debug

ktap_set_plan 7
ktap_test_result "at24 EEPROM on i2c-stub" setup
ktap_test_result "the nvmem file answers bad input as documented" test_bad_input
ktap_test_result "the EEPROM holds the test pattern" test_fill
ktap_test_result "consumer acquires the EEPROM" test_consumer
ktap_test_result "$CYCLES bind/unbind cycles under readers, a writer and a consumer" \
	test_soak
if [ -e "$KMEMLEAK" ]; then
	ktap_test_result "kmemleak finds no leak" test_kmemleak
else
	ktap_test_skip "kmemleak finds no leak: no $KMEMLEAK"
fi
ktap_test_result "the kernel reported no bug (taint flags, lockdep)" test_kernel_clean

ktap_finished
