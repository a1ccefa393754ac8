# SPDX-License-Identifier: GPL-2.0
# Sourced: the console lines that mean the kernel complained, for the
# console scans of selftest.sh, verdict.sh, stress.sh and bench.sh.
# (kunit.sh keeps its own list: KUnit logs differ.)
# shellcheck disable=SC2034
splats='BUG:|KASAN|UBSAN|WARNING:|Oops|general protection|Call Trace|INFO: task .* blocked|possible .*lock|suspicious RCU usage|detected stall|Kernel panic'
