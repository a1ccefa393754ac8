#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fail each allocation of an nvmem device's registration that uses every
# part of nvmem_register(), one at a time, and check that every part was
# reached.
#
# nvmem_test_provider.ko registers, in the task that writes 1 to its
# debugfs file, an nvmem device with cells from nvmem_config.cells, from a
# cell table, from the device tree (legacy fixed OF cells and a fixed
# layout, so a layout device), a keepout, the compat file and a
# write-protect GPIO. For N = 1, 2, ... the device is registered with the
# Nth allocation made under nvmem_register() failing (fail-nth, see
# Documentation/fault-injection/fault-injection.rst), until a registration
# makes no Nth allocation. The layout's driver creates the cells' sysfs
# files; the files nvmem_register() creates itself when no layout driver
# binds are failed the same way, in a second pass, with a layout that no
# driver binds to.
#
# Which code the Nth allocation is should change as little as it can from
# one run to the next, or the run misses different code each time. So
# only failslab injects, its stack filter being the text of
# nvmem_register() (of nvmem_populate_sysfs_cells() in the second pass):
# whether the page allocator is called depends on what the slab holds. Its reject filter
# keeps out kmemleak's allocations, which follow each other allocation and
# whose failure kmemleak absorbs. The allocations of the radix trees under
# IDRs, made or not as the trees need, are named after the code that made
# them, which allocates in every run. REQUIRED lists the allocations that
# must have failed, one per part of the registration (a pass that missed
# one runs once more), and the run must have failed allocations at no
# fewer sites than NVMEM_FAULT_MIN_SITES.
#
# Each failure must make nvmem_register() fail with -ENOMEM, or keep the
# layout from binding, or be absorbed (a uevent); the device, if any, must
# work. Once
# it is unregistered nothing may be left: no nvmem or layout device, no
# requested GPIO, no reference on the module, and the next registration
# gets the same name, so no id leaked. At the end kmemleak must find
# nothing and the kernel must have reported no bug.
#
# NVMEM_FAULT_MAX_POINTS	stop after this many (default 400)
# NVMEM_FAULT_MIN_SITES	fail with fewer sites (default 13: 15 in three
#			runs of 2026-12-04, 14 in a fourth, whose main pass
#			skipped two allocations)

DIR=$(dirname "$(readlink -f "$0")")
. "$DIR"/nvmem_lib.sh
. "$DIR"/nvmem_fault_lib.sh

MODULE="$DIR/test_modules/nvmem_test_provider.ko"
MODNAME=nvmem_test_provider
CTL=/sys/kernel/debug/$MODNAME/register
PDEV=/sys/bus/platform/devices/nvmem-test-provider
LAYOUT_DRIVER=/sys/bus/nvmem-layout/drivers/fixed-layout
MAX_POINTS=${NVMEM_FAULT_MAX_POINTS:-400}
MIN_SITES=${NVMEM_FAULT_MIN_SITES:-13}
RELEASE_TIMEOUT=10	# seconds for the devices to be released
# Where IDRs and radix trees preload their nodes, which they need or not:
# name the code that asked instead.
ALLOCATORS="$ALLOCATORS idr_ radix_tree_ __radix_tree"
# The cells' sysfs files with no failure, the fixed layout's last
CELLS="config-cell@0,0 legacy@10,0 table-cell@8,0"
LAYOUT_CELL=mac@20,0

# PASS SCOPE LAYOUT [POINTS]: the passes, the code whose allocations fail,
# the compatible of the layout and the number of points (default: until
# none is left). Allocations that come and go (a radix tree's node as an
# IDR grows) move the count of the allocations after them, so the Nth
# allocation of one registration may be another's N+1th, and the main pass
# skips a few; the first allocation under a function, its own if it
# allocates before it calls any code that does, is never skipped.
PASSES="
main nvmem_register fixed-layout
unbound nvmem_populate_sysfs_cells nvmem-test-unbound-layout
layout nvmem_populate_layout fixed-layout 1
"
# kmemleak's function that allocates
KMEMLEAK_ALLOC=__alloc_object
# PASS PART SITE+CALLER+...: an allocation made for PART of the registration:
# the innermost frame of its stack that is no allocator's is SITE ("*":
# any), and the frames CALLER... follow each other on the stack. The stack
# has no frame of an inlined function (nvmem_add_cells(),
# nvmem_add_cells_from_table(), nvmem_sysfs_setup_compat() are
# nvmem_register()'s), nor of one that a tail call left (kstrdup_const()
# calls kstrdup() so, device_create_bin_file() sysfs_create_bin_file()),
# as gcc -O2 builds the core. The keepouts are validated with no
# allocation.
REQUIRED="
main config-cells nvmem_add_one_cell+nvmem_add_one_cell+nvmem_register
main cell-table nvmem_register+kstrdup+nvmem_register
main legacy-of-cells nvmem_add_cells_from_dt+nvmem_add_cells_from_dt+nvmem_register
main legacy-of-cells nvmem_add_one_cell+nvmem_add_one_cell+nvmem_add_cells_from_dt+nvmem_register
main wp-gpio desc_set_label+gpiod_get_optional+nvmem_register
main compat __kernfs_create_file+sysfs_create_bin_file+nvmem_register
main nvmem-device *+device_add+nvmem_register
layout layout-device nvmem_populate_layout+nvmem_populate_layout+nvmem_register
main layout-device *+device_add+nvmem_populate_layout
main layout-cells nvmem_add_cells_from_dt+nvmem_add_cells_from_dt+fixed_layout_add_cells
main layout-cells nvmem_add_one_cell+nvmem_add_cells_from_dt+fixed_layout_add_cells
main sysfs-cells nvmem_populate_sysfs_cells+nvmem_populate_sysfs_cells+nvmem_layout_register
unbound sysfs-cells nvmem_populate_sysfs_cells+nvmem_populate_sysfs_cells+nvmem_register
"

# text_of FUNCTION: the range of its text, from it to the next symbol
text_of() {
	sort /proc/kallsyms | awk -v f="$1" '
		NF > 3 || $2 !~ /^[tT]$/ { next }	# modules, data
		start != "" && $1 > start { print "0x" start, "0x" $1; exit }
		$3 == f { n++; start = $1 }
		END { if (n != 1) exit 1 }'
}

# text_or_fail FUNCTION: its text; a static function that the compiler
# inlined has none of its own.
text_or_fail() {
	text_of "$1" && return
	ktap_print_msg "$1 has no text of its own in /proc/kallsyms (inlined?)"
	return 1
}

# set_scope FUNCTION: failslab fails the allocations under FUNCTION
set_scope() {
	range=$(text_or_fail "$1") &&
	fault_set failslab require-start "${range% *}" &&
	fault_set failslab require-end "${range#* }"
}

fault_setup() {
	reject=$(text_or_fail "$KMEMLEAK_ALLOC") || return 1
	# shellcheck disable=SC2046 # a line's words
	for i in $(seq "$(echo "$PASSES" | grep -c .)"); do
		set -f
		set -- $(echo "$PASSES" | grep . | sed -n "${i}p")
		set +f
		text_or_fail "$2" > /dev/null || return 1
	done
	SETUP=1
	# The stacks go to the log, not to a slow serial console; errors
	# (KASAN reports among them) still do.
	PRINTK=$(cat /proc/sys/kernel/printk)
	echo 4 > /proc/sys/kernel/printk
	# GFP_KERNEL allocations may fail too; the stack of each failure
	# names its site.
	fault_set failslab ignore-gfp-wait N &&
	fault_set failslab reject-start "${reject% *}" &&
	fault_set failslab reject-end "${reject#* }" &&
	fault_set failslab stacktrace-depth 32 &&
	fault_set failslab times "$TIMES" &&
	fault_set failslab verbose 2 &&
	# fail-nth counts page allocations too: none may match.
	fault_set fail_page_alloc stacktrace-depth 32 &&
	fault_set fail_page_alloc require-start 0 &&
	fault_set fail_page_alloc require-end 1 &&
	fault_set fail_page_alloc times "$TIMES"
}

create() {
	echo 1 > "$CTL"
}

remove() {
	echo 0 > "$CTL"
}

nvmem_devices() {
	ls /sys/bus/nvmem/devices
	ls /sys/bus/nvmem-layout/devices
}

# fault_chain: "SITE FRAME...", the frames of the stack of the failed
# allocation in the kernel log of one point on stdin, innermost first, and
# SITE the first of them that is no allocator's
fault_chain() {
	fault_frames | awk -v alloc="$(allocator_frame)" '
		site == "" && $0 !~ alloc { site = $0 }
		{ chain = chain " " $0 }
		END { print (site == "" ? "(not logged)" : site) chain }'
}

# site_point PASS SITE+CALLER+...: the first point of the pass at which an
# allocation with that site and those callers failed
site_point() {
	awk -v pass="$1" -v spec="$2" '
		BEGIN { n = split(spec, w, "+"); for (i = 2; i <= n; i++) run = run " " w[i] }
		$1 == pass && (w[1] == "*" || $4 == w[1]) && index($0 " ", run " ") {
			print $3
			exit
		}' "$SITES"
}

# Whether the line of the module's GPIO chip is requested as "wp", from
# gpiolib's debugfs file, where each chip's lines follow its own line
wp_requested() {
	awk '/^gpiochip/ { ours = index($0, "nvmem-test-gpio:") > 0; next }
		ours && /[|]wp *[)]/ { found = 1 }
		END { exit !found }' "$DEBUGFS/gpio" 2> /dev/null
}

layout_bound() {
	for entry in "$LAYOUT_DRIVER"/*; do
		[ -e "$entry/uevent" ] && return 0
	done
	return 1
}

# check_device NAME: the device that registered works: its name is the
# first registration's, so no id leaked; it reads, the keepout reading as
# its value; it has its compat file, its write-protect GPIO and its cells,
# the layout's if the layout bound.
check_device() {
	if [ "$1" != "$REF_NAME" ]; then
		ktap_print_msg "registered as $1, the first registration as $REF_NAME"
		return 1
	fi
	nvmem=/sys/bus/nvmem/devices/$1
	head -c 16 "$nvmem/nvmem" > /dev/null || return 1
	keepout=$(hexdump_of -j 64 -N 4 "$nvmem/nvmem")
	if [ "$keepout" != " aa aa aa aa " ]; then
		ktap_print_msg "the keepout reads '$keepout'"
		return 1
	fi
	if [ ! -e "$PDEV/eeprom" ]; then
		ktap_print_msg "no compat file"
		return 1
	fi
	if ! wp_requested; then
		ktap_print_msg "the write-protect GPIO is not requested"
		return 1
	fi
	want=$CELLS
	! layout_bound || want="$want $LAYOUT_CELL"
	for cell in $want; do
		if [ ! -e "$nvmem/cells/$cell" ]; then
			ktap_print_msg "no cell $cell: $(ls "$nvmem/cells" 2>&1 | tr '\n' ' ')"
			return 1
		fi
	done
}

# The devices, the GPIO and the module references are released after the
# removal returned; wait for them.
wait_released() {
	i=0
	while [ -n "$(nvmem_devices)" ] || wp_requested ||
	      [ "$(cat "/sys/module/$MODNAME/refcnt")" -ne 0 ]; do
		if [ "$i" -ge "$RELEASE_TIMEOUT" ]; then
			ktap_print_msg "left after the removal: nvmem or layout devices" \
				"'$(nvmem_devices | tr '\n' ' ')'," \
				"GPIO wp $(wp_requested || echo not) requested," \
				"$MODNAME references $(cat "/sys/module/$MODNAME/refcnt")"
			return 1
		fi
		sleep 1
		i=$((i + 1))
	done
}

# The error nvmem_register() returned, from the module's message in LOG
register_error() {
	echo "$LOG" | sed -n 's/.*cannot register the nvmem device: \(-[0-9]*\)$/\1/p' |
		head -n 1
}

# Lines of kernel reports in LOG
splats() {
	echo "$LOG" | grep -cE '(BUG|WARNING|KASAN|Oops|general protection)[: ]'
}

# check_point N RC: what the registration of point N of pass PASS did,
# from the kernel log LOG and the status RC of the write: which allocation
# failed, and whether nvmem_register() failed or the device works
check_point() {
	site=$(echo "$LOG" | fault_site)
	echo "$PASS point $1 $(echo "$LOG" | fault_chain)" >> "$SITES"
	name=$(ls /sys/bus/nvmem/devices)
	if [ "$2" -ne 0 ]; then
		err=$(register_error)
		if [ "$err" != -12 ] || [ -n "$name" ]; then
			ktap_print_msg "point $1: $site: the registration failed" \
				"('${err:-no error logged}'), devices: '$name'"
			return 1
		fi
		ktap_print_msg "point $1: $site: nvmem_register() failed: $err"
		return 0
	fi
	if [ -z "$name" ]; then
		ktap_print_msg "point $1: $site: registered, but no nvmem device"
		return 1
	fi
	if [ "$LAYOUT" != fixed-layout ] || layout_bound; then
		ktap_print_msg "point $1: $site: absorbed, the device works"
	else
		ktap_print_msg "point $1: $site: the layout did not bind," \
			"cells: $(ls "/sys/bus/nvmem/devices/$name/cells" 2>&1 | tr '\n' ' ')"
	fi
	check_device "$name"
}

# fail_each_allocation PASS SCOPE LAYOUT [POINTS]: with the module loaded
# for LAYOUT, registers and unregisters the device with the Nth allocation
# under SCOPE failing, N = 1, 2, ..., until a registration makes no Nth
# allocation, or POINTS times; then a registration with no failure must
# give a working device.
fail_each_allocation() {
	PASS=$1 LAYOUT=$3 points=${4:-$MAX_POINTS}
	if [ "$(cat "/sys/module/$MODNAME/parameters/layout")" != "$LAYOUT" ]; then
		rmmod "$MODNAME" &&
		load_module "$MODULE" layout="$LAYOUT" table="$REF_NAME" || return 1
	fi
	set_scope "$2" || return 1
	ok=0 n=1
	while [ "$n" -le "$points" ]; do
		mark="nvmem-fault-inject-provider $$: $PASS point $n"
		echo "$mark" > /dev/kmsg
		before=$(injected)
		(echo "$n" > /proc/self/fail-nth && create) 2> /dev/null
		rc=$?
		[ "$(injected)" -gt "$before" ] || break
		LOG=$(dmesg | sed -n "s/^\[[^]]*\] //; /$mark\$/,\$p")
		check_point "$n" "$rc" || ok=1
		remove && wait_released || return 1
		# what the kernel reported from the point's mark to its removal
		LOG=$(dmesg | sed -n "s/^\[[^]]*\] //; /$mark\$/,\$p")
		SPLATS=$((SPLATS + $(splats)))
		n=$((n + 1))
	done
	INJECTIONS=$((INJECTIONS + n - 1))
	if [ "$n" -eq 1 ]; then
		ktap_print_msg "$PASS: no allocation failed: the stack filter matched none"
		return 1
	fi
	if [ "$n" -gt "$points" ]; then
		if [ "$points" -eq "$MAX_POINTS" ]; then
			ktap_print_msg "$PASS: still failing after $MAX_POINTS points"
			return 1
		fi
		ktap_print_msg "$PASS: $points points, then a registration with no failure"
		create
		rc=$?
	else
		ktap_print_msg "$PASS: $((n - 1)) points," \
			"then a registration with none left to fail"
	fi
	name=$(ls /sys/bus/nvmem/devices)
	if [ "$rc" -ne 0 ] || [ -z "$name" ]; then
		ktap_print_msg "no device without a failure"
		ok=1
	else
		check_device "$name" || ok=1
	fi
	if [ "$LAYOUT" = fixed-layout ] && ! layout_bound; then
		ktap_print_msg "the layout did not bind without a failure"
		ok=1
	fi
	remove && wait_released && return "$ok"
}

# The REQUIRED lines whose allocation did not fail
missing_parts() {
	echo "$REQUIRED" | grep . | while read -r pass part spec; do
		[ -n "$(site_point "$pass" "$spec")" ] || echo "$pass $part $spec"
	done
}

# Each allocation of REQUIRED failed. An allocation that comes and goes
# moves the count of those after it, so a pass may skip one: a pass that
# missed a part runs once more, its points adding to the first run's.
test_required() {
	missing=$(missing_parts)
	for pass in $(echo "$missing" | cut -d ' ' -f 1 | sort -u); do
		ktap_print_msg "$pass: no failure for" \
			"$(echo "$missing" | awk -v p="$pass" '$1 == p { printf "%s ", $2 }')" \
			"in its run: once more"
		set -f
		set -- $(echo "$PASSES" | grep "^$pass ")
		set +f
		fail_each_allocation "$1" "$2" "$3" "${4:-}" || return 1
	done
	echo "$REQUIRED" | grep . | while read -r pass part spec; do
		point=$(site_point "$pass" "$spec")
		if [ -z "$point" ]; then
			ktap_print_msg "$pass $part: no allocation $spec failed"
		else
			ktap_print_msg "$pass $part: $spec failed at point $point"
		fi
	done
	[ -z "$(missing_parts)" ] && return 0
	# what failed instead
	sed 's/^/# /' "$SITES"
	return 1
}

# The first registration, with no failure and no cell table (the table
# needs the name), names the device; the cell table is for that name.
reference_registration() {
	load_module "$MODULE" && create || return 1
	REF_NAME=$(ls /sys/bus/nvmem/devices)
	remove && wait_released && [ -n "$REF_NAME" ] &&
		printf %s "$REF_NAME" > "/sys/module/$MODNAME/parameters/table"
}

# The figure of the run: the sites whose allocations failed, how many
# failures and kernel reports. The sites must be no fewer than MIN_SITES,
# and no report may have come.
test_figure() {
	sites=$(cut -d ' ' -f 4 "$SITES" | grep -vx '(not' | sort -u)
	nsites=$(echo "$sites" | grep -c .)
	ktap_print_msg "sites: $(echo "$sites" | tr '\n' ' ')"
	ktap_print_msg "$nsites sites, $INJECTIONS injections, $SPLATS splats"
	if [ "$nsites" -lt "$MIN_SITES" ]; then
		ktap_print_msg "fewer sites than $MIN_SITES"
		return 1
	fi
	[ "$SPLATS" -eq 0 ]
}

fault_cleanup() {
	trap '' INT TERM
	fault_restore
	# the device holds the module's GPIO line, and so the module
	[ ! -w "$CTL" ] || echo 0 > "$CTL" 2> /dev/null
	rm -f "$SITES"
	cleanup
}

ktap_print_header

[ "$(id -u)" -eq 0 ] || skip_all "must be run as root"
[ -w /proc/self/fail-nth ] && [ -d "$DEBUGFS/failslab" ] &&
	[ -d "$DEBUGFS/fail_page_alloc" ] ||
	skip_all "needs CONFIG_FAULT_INJECTION_DEBUG_FS, CONFIG_FAILSLAB and CONFIG_FAIL_PAGE_ALLOC"
[ -e "$DEBUGFS/failslab/require-start" ] ||
	skip_all "needs CONFIG_FAULT_INJECTION_STACKTRACE_FILTER"
[ -f "$MODULE" ] || skip_all "needs $MODULE (CONFIG_OF_DYNAMIC, CONFIG_GPIOLIB)"
[ ! -e /proc/device-tree/compatible ] || skip_all "needs an empty device tree root"
[ -z "$(nvmem_devices)" ] || skip_all "nvmem devices exist already: $(nvmem_devices)"
[ ! -d "/sys/module/$MODNAME" ] || skip_all "$MODNAME is loaded already"
[ "$(report_taints)" -eq 0 ] && [ "$(lockdep_on)" -eq 1 ] ||
	skip_all "the kernel reported a problem before the test"
SITES=$(mktemp) || skip_all "cannot make a temporary file"
trap fault_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# kmemleak that is there but does not scan fails its case
LEAK_CHECK=0
if [ -e "$DEBUGFS/kmemleak" ]; then
	LEAK_CHECK=1
	kmemleak_clear_old || LEAK_CHECK=2
fi

ktap_set_plan $(($(echo "$PASSES" | grep -c .) + 6))
if ! step "the provider registers with no failure injected" reference_registration ||
   ! step "fault injection limited to the scopes' allocations" fault_setup; then
	ktap_exit_fail_msg "cannot inject failures"
fi
INJECTIONS=0 SPLATS=0
# shellcheck disable=SC2046 # a line's words
for i in $(seq "$(echo "$PASSES" | grep -c .)"); do
	set -f
	set -- $(echo "$PASSES" | grep . | sed -n "${i}p")
	set +f
	ktap_test_result "each failed allocation under $2() is handled, $3${4:+, $4 points}" \
		fail_each_allocation "$1" "$2" "$3" "${4:-}"
done
ktap_test_result "each part of the registration had an allocation fail" \
	test_required
ktap_test_result "at least $MIN_SITES sites, no kernel report" test_figure
if [ "$LEAK_CHECK" -eq 1 ]; then
	ktap_test_result "kmemleak found no leak" kmemleak_none
elif [ "$LEAK_CHECK" -eq 2 ]; then
	ktap_test_fail "kmemleak found no leak: kmemleak cannot scan"
else
	ktap_test_skip "kmemleak found no leak: no kmemleak"
fi
ktap_test_result "the kernel reported no bug (taint flags, lockdep)" test_kernel_clean

ktap_finished
