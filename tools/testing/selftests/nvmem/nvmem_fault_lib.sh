# SPDX-License-Identifier: GPL-2.0
#
# What the fault injection tests share: fail-nth (see
# Documentation/fault-injection/fault-injection.rst) with failslab and
# fail_page_alloc set up by the test, the count of failures injected, the
# name of the code whose allocation failed, and kmemleak. The test sources
# nvmem_lib.sh first, sets SETUP to 1 once it changed the attributes and
# PRINTK to the printk levels to restore.

DEBUGFS=/sys/kernel/debug
FAULT_ATTRS="failslab fail_page_alloc"
ULONG_MAX=18446744073709551615
# An injection decrements an attribute's "times", which is then the one
# count of injections that __GFP_NOWARN allocations, failed silently,
# do not escape.
TIMES=1000000
# Frames of the allocators (name prefixes), skipped to name the code that
# allocated
ALLOCATORS="dump_stack fail_dump should_fail __should_fail should_failslab
kmem_cache_ __kmem_cache kmalloc __kmalloc kzalloc kcalloc kmemdup kstrdup
kvasprintf kasprintf krealloc __krealloc kvmalloc __kvmalloc devm_k
devres_alloc __devres_alloc alloc_pages __alloc_pages __get_free_pages
prepare_alloc_pages slab_ ___slab __slab allocate_slab new_slab xas_ xa_
ida_alloc kobject_set_name_vargs kernfs_new_node __kernfs_new_node"

# fault_set ATTR FILE VALUE
fault_set() {
	echo "$3" > "$DEBUGFS/$1/$2"
}

# Back to the defaults
fault_restore() {
	[ "${SETUP:-0}" -eq 1 ] || return 0
	[ -z "${PRINTK:-}" ] || echo "$PRINTK" > /proc/sys/kernel/printk
	for attr in $FAULT_ATTRS; do
		[ -d "$DEBUGFS/$attr" ] || continue
		fault_set "$attr" ignore-gfp-wait Y
		fault_set "$attr" require-start 0
		fault_set "$attr" require-end "$ULONG_MAX"
		fault_set "$attr" reject-start 0
		fault_set "$attr" reject-end 0
		fault_set "$attr" times 1
	done
	[ ! -d "$DEBUGFS/fail_page_alloc" ] || fault_set fail_page_alloc min-order 1
}

# Failures injected since fault_setup
injected() {
	n=0
	for attr in $FAULT_ATTRS; do
		n=$((n + TIMES - $(cat "$DEBUGFS/$attr/times")))
	done
	echo "$n"
}

# fault_frames: the functions on the stack of the failed allocation in the
# kernel log of one point on stdin, one a line, innermost first
fault_frames() {
	sed -n '/FAULT_INJECTION: forcing a failure/,/<\/TASK>/p' |
		sed -n 's/^ *\([A-Za-z_][A-Za-z0-9_.]*\)+0x.*/\1/p'
}

# The frames of the allocators: ALLOCATORS as an awk pattern
allocator_frame() {
	# shellcheck disable=SC2086 # one name per word
	echo "^($(echo $ALLOCATORS | tr ' ' '|'))"
}

# The code that made the failed allocation, and the innermost nvmem
# function on the stack, from the kernel log of one point on stdin
fault_site() {
	fault_frames | awk -v alloc="$(allocator_frame)" '
		site == "" && $0 !~ alloc { site = $0 }
		core == "" && /^(__)?(devm_|of_)?nvmem_/ { core = $0 }
		END {
			if (site == "")
				print "a __GFP_NOWARN allocation (not logged)"
			else
				print (site == core ? site : site " under " core)
		}'
}

kmemleak_scan() {
	echo scan > "$DEBUGFS/kmemleak"
}

# Objects leaked since kmemleak_clear_old; only objects unreferenced for
# 5 s are reported, so scan again after that.
kmemleak_count() {
	kmemleak_scan && sleep 6 && kmemleak_scan || return 1
	grep -c 'unreferenced object' "$DEBUGFS/kmemleak"
	[ $? -le 1 ]
}

# kmemleak_none [WHAT]: whether kmemleak, scanning, finds no leak; prints
# WHAT and the count, and the start of the report if there are leaks
kmemleak_none() {
	if ! leaks=$(kmemleak_count); then
		ktap_print_msg "kmemleak could not scan (turned itself off?)"
		return 1
	fi
	ktap_print_msg "${1:+$1, }kmemleak: $leaks leaks"
	if [ "$leaks" -ne 0 ]; then
		sed -n '1,30s/^/# /p' "$DEBUGFS/kmemleak"
		return 1
	fi
}

kmemleak_clear_old() {
	kmemleak_scan && echo clear > "$DEBUGFS/kmemleak"
}
