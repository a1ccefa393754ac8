#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel tree every target that builds or reads it needs: tree.sh
#
# The packages (deps.sh), build/linux at tag base (base.sh) and branch
# series applied from patches/ (apply.sh) unless it holds commits already;
# each step is quick once done.  make runs it first for those targets, so
# that each works from a clean clone.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case ${1:-} in
"") ;;
*) die "usage: tree.sh" ;;
esac
prepare tree
