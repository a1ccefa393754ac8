#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the test kernel (bzImage and modules) configured by kconfig.sh:
# build.sh TREE OUT.  Runs exactly the make kunit.py runs, so "kunit.py run"
# afterwards finds nothing to rebuild.  OUT/.built-from records the commit
# built, for scripts that reuse the kernel (stress.sh STRESS_OUT).
set -euo pipefail
source "$(dirname "$0")/kunit-env.sh"

[ -f "$out/.config" ] || { echo "build: no $out/.config; run kconfig.sh first" >&2; exit 1; }
echo "build: make ${make_opts[*]} all compile_commands.json"
make -C "$tree" "${make_opts[@]}" olddefconfig > /dev/null
rm -f "$out/.built-from"
make -C "$tree" "${make_opts[@]}" --jobs="$(nproc)" all compile_commands.json
git -C "$tree" rev-parse HEAD > "$out/.built-from"
echo "build: $out/arch/x86/boot/bzImage ($(du -h "$out/arch/x86/boot/bzImage" | cut -f1)), $(find "$out" -name '*.ko' | wc -l) modules"
