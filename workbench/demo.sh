#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo: unbind an at24 EEPROM while it is read, on the base and on the
# series, and say which kernel survived.
#
# Builds the test kernels base-tests (tag base + the series' test patches)
# and series (branch series) with workbench/kernel.sh, runs the kselftest
# nvmem-unbind.sh alone on each (workbench/selftest.sh), so that a kernel
# "did not survive" only when that test failed, and prints what each kernel
# did, side by side (workbench/verdict.py): the first splat and its top
# frames, how the reads ended, whether the console stayed clean, and the
# unbind time.  Exits 0 when the series survived and the base did not.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export T0=${T0:-$(date +%s)} RESULTS=$repo/build/demo-results

mkdir -p "$repo/build"
: > "$RESULTS"
prepare demo
for k in base-tests series; do
	stage "demo-kernel-$k" "$wb/kernel.sh" "$k"
done
# The unbind test alone: its verdict is the kernel's, and it takes minutes,
# not the whole collection's quarter of an hour.
for k in base-tests series; do
	stage "demo-run-$k" "$wb/selftest.sh" "$k" "$kdir/$k/demo" \
		nvmem-unbind.sh || true
done
"$wb/verdict.py" "$kdir/base-tests/demo" "$kdir/series/demo"
