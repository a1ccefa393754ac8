#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make the test kernel config: kconfig.sh TREE OUT
#
# kunit.py's x86_64 QEMU base + Kconfig.fragment (+ drivers/nvmem/.kunitconfig
# when the tree has one), merged and completed by kunit.py itself, so that
# "kunit.py run" with the same arguments takes the config as it is.  Fails,
# naming the option, when an option of the fragments did not end up set as
# written (scripts/kconfig-check.sh).
set -euo pipefail
source "$(dirname "$0")/kunit-env.sh"

mkdir -p "$out"
echo "kconfig: $(printf '%s ' "${kunitconfigs[@]#$repo/}")-> $out/.config"
# kunit.py validates too, but we want every missing option named, so
# check ourselves even when it complains.
(cd "$tree" && ./tools/testing/kunit/kunit.py config "${kunit_args[@]}") ||
	echo "kconfig: kunit.py config failed"

"$repo/scripts/kconfig-check.sh" "$out/.config" "${kunitconfigs[@]}"
