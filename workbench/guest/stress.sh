#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Hook of the stress guest (workbench/stress.sh).  Settings come from the
# kernel command line (STRESS_*).  The stress run is the series' opt-in
# kselftest nvmem-unbind-soak.sh, from the kselftest install directory
# /kselftest: the bad-input sweep, then STRESS_CYCLES bind/unbind cycles
# under nvmem-unbind-read's stress readers, writer and in-kernel consumer
# (what they check is described in nvmem-unbind-read.c), the final check
# of the content and a kmemleak scan.  The report is every "stress:" and
# "sweep:" line it prints, without the "# " of its TAP, and the hook's own.

# console: warnings and errors (splats), not the info lines of every bind
dmesg -n 5
t0=$(date +%s)
rep=/tmp/report
: > $rep

# Leaks from before the test (boot) are counted apart; the soak clears them
if [ -e /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	echo "stress: kmemleak before the test (boot) $(grep -c 'unreferenced object' /sys/kernel/debug/kmemleak)" >> $rep
fi

NVMEM_TEST_PROCS=$STRESS_READERS NVMEM_TEST_THREADS=$STRESS_THREADS \
NVMEM_SOAK_STOP_ON_REPORT=$STRESS_STOP_ON_SPLAT \
	/kselftest/nvmem/nvmem-unbind-soak.sh "$STRESS_CYCLES" 2>&1 | tee /tmp/soak
sed -n 's/^# \(stress\|sweep\): /\1: /p' /tmp/soak >> $rep
# the soak's verdicts, for the record (the judge reads the lines above)
sed -n 's/^\(\(not \)\?ok [0-9]\+ .*\)/stress: kselftest: \1/p' /tmp/soak >> $rep

# The cycle of the first splat: the last "nvmem-unbind-read: cycle N"
# before it
dmesg | sed 's/^\[[ 0-9.]*\] //' | awk '
	NR == FNR { re = re (re == "" ? "" : "|") $0; next }
	/^nvmem-unbind-read: cycle/ { c = $NF }
	$0 ~ re { print "stress: first splat during cycle " c ": " $0; exit }' /splats - >> $rep

echo "stress: guest time $(($(date +%s) - t0))s" >> $rep
echo "stress: done" >> $rep
echo "==> REPORT"
cat $rep
