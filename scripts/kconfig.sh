#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make the test kernel config: kconfig.sh TREE OUT
#
# kunit.py's x86_64 QEMU base + Kconfig.fragment (+ drivers/nvmem/.kunitconfig
# when the tree has one), merged and completed by kunit.py itself, so that
# "kunit.py run" with the same arguments takes the config as it is.  Fails,
# naming the option, when an option of the fragments did not end up set as
# written (Kconfig drops options whose dependencies are not met).
set -euo pipefail
source "$(dirname "$0")/kunit-env.sh"

mkdir -p "$out"
echo "kconfig: $(printf '%s ' "${kunitconfigs[@]#$repo/}")-> $out/.config"
# kunit.py validates too, but we want every missing option named, so
# check ourselves even when it complains.
(cd "$tree" && ./tools/testing/kunit/kunit.py config "${kunit_args[@]}") ||
	echo "kconfig: kunit.py config failed"

bad=0
while read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		opt=${BASH_REMATCH[1]}
	elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		opt=${BASH_REMATCH[1]}
	else
		continue
	fi
	got=$(grep -E "^($opt=|# $opt is not set)" "$out/.config" || true)
	# "not set" is also met by an option that does not appear at all.
	[ -z "$got" ] && [[ $line == "#"* ]] && continue
	if [ "$got" != "$line" ]; then
		echo "kconfig: FAIL $line wanted, got: ${got:-nothing (unmet dependencies?)}"
		bad=1
	fi
done < <(cat "${kunitconfigs[@]}")
[ "$bad" -eq 0 ] || exit 1
echo "kconfig: all $(cat "${kunitconfigs[@]}" | grep -cE '^(CONFIG_|# CONFIG_.* is not set)') options set as written"
