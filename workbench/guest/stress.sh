#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Hook of the stress guest (workbench/stress.sh).  Settings come from the
# kernel command line (STRESS_*).  The report is every "stress:", "sweep:"
# and reader line it prints.  The readers and the writer are nvstress.c's
# (what they check is described there); after the last cycle the hook waits
# until each of them has worked again, stops them and checks the whole
# content once more.

# console: warnings and errors (splats), not the info lines of every bind
dmesg -n 5
t0=$(date +%s)
rep=/tmp/report
: > $rep

# Leaks from before the test (boot) are counted apart, then cleared
if [ -e /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	echo "stress: kmemleak before the test (boot) $(grep -c 'unreferenced object' /sys/kernel/debug/kmemleak)" >> $rep
	echo clear > /sys/kernel/debug/kmemleak
fi

modprobe at24
modprobe i2c-stub chip_addr=0x50
echo 24c02 0x50 > /sys/bus/i2c/devices/i2c-0/new_device
dev=0-0050
nvf=$(ls /sys/bus/i2c/devices/$dev/$dev*/nvmem | head -n 1)
echo "stress: at24 nvmem file $nvf" >> $rep

# The bad-input sweep, before any unbind; then the pattern the readers check
/nvstress sweep "$nvf" "$(dirname "$nvf")/force_ro" >> $rep 2>&1
/nvstress fill "$nvf" >> $rep 2>&1 || echo "stress: fill failed" >> $rep

acq=-
if insmod /nvmem_test_consumer.ko; then
	acq=/sys/kernel/debug/nvmem-test-consumer/acquire
	basename "$(dirname "$nvf")" > $acq
fi

# The readers, the writer and the cycles share the directory $ctl (see
# nvstress.c): unbind counts, the end of the last cycle, the ready and stop
# files.
ctl=/tmp/nvstress
rm -rf $ctl
mkdir $ctl
size=$(stat -c %s "$nvf")
tags=
i=1
while [ "$i" -le "$STRESS_READERS" ]; do
	/nvstress read "proc$i" 1 "$size" /sys/bus/i2c/devices/$dev $ctl > /tmp/reader.$i 2>&1 &
	tags="$tags proc$i"
	i=$((i + 1))
done
/nvstress read shared-fd "$STRESS_THREADS" "$size" /sys/bus/i2c/devices/$dev $ctl > /tmp/reader.t 2>&1 &
/nvstress write bytes-128-143 /sys/bus/i2c/devices/$dev $ctl > /tmp/reader.w 2>&1 &
tags="$tags shared-fd bytes-128-143"
if [ "$acq" != - ]; then
	/nvstress read in-kernel-consumer 1 "$size" /sys/kernel/debug/nvmem-test-consumer/device $ctl > /tmp/reader.c 2>&1 &
	tags="$tags in-kernel-consumer"
fi
sleep 1
echo "stress: $STRESS_CYCLES cycles, $STRESS_READERS reader processes, $STRESS_THREADS threads on one fd, in-kernel consumer: $([ "$acq" = - ] && echo no || echo yes)"
/nvstress cycle "$STRESS_CYCLES" /sys/bus/i2c/drivers/at24 $dev "$acq" "$STRESS_STOP_ON_SPLAT" $ctl | tee /tmp/cycle
cat /tmp/cycle >> $rep

# wait_ready SECONDS TAG...: each reader (all its threads) and the writer
# must work again after the last bind, so wait until each has said so, in a
# bound that only a failure reaches (a reader needs well under a second)
wait_ready() {
	local tenths=$(($1 * 10)) tag
	shift
	for tag in "$@"; do
		while [ ! -e $ctl/ready.$tag ]; do
			if [ "$tenths" -le 0 ]; then
				echo "stress: not ready after the last bind: $tag" >> $rep
				break
			fi
			sleep 0.1
			tenths=$((tenths - 1))
		done
	done
}
# Unless the cycles stopped early (a splat, a failed bind), when the device
# may be gone for good and the run has failed anyway
if grep -q "^stress: cycles done $STRESS_CYCLES\$" /tmp/cycle; then
	t=$(date +%s)
	# shellcheck disable=SC2086 # the tags are words
	wait_ready 120 $tags
	echo "stress: waited $(($(date +%s) - t))s for the readers and the writer after the last bind" >> $rep
fi
touch $ctl/stop
wait
cat /tmp/reader.* >> $rep
# Every byte once more, with the writer stopped: its bytes hold its last value
/nvstress check /sys/bus/i2c/devices/$dev $ctl >> $rep 2>&1

# The cycle of the first splat: the last "nvstress: cycle N" before it
dmesg | sed 's/^\[[ 0-9.]*\] //' | awk '
	NR == FNR { re = re (re == "" ? "" : "|") $0; next }
	/^nvstress: cycle/ { c = $NF }
	$0 ~ re { print "stress: first splat during cycle " c ": " $0; exit }' /splats - >> $rep

# A scan fails once kmemleak has turned itself off (pool exhausted): no
# count then, which stress.sh reports as a failure.
if [ -e /sys/kernel/debug/kmemleak ] &&
   echo scan > /sys/kernel/debug/kmemleak && sleep 6 &&
   echo scan > /sys/kernel/debug/kmemleak; then
	n=$(grep -c 'unreferenced object' /sys/kernel/debug/kmemleak)
	echo "stress: kmemleak $n" >> $rep
	[ "$n" -eq 0 ] || head -n 40 /sys/kernel/debug/kmemleak >> $rep
else
	echo "stress: kmemleak off or missing, no scan" >> $rep
fi
echo "stress: guest time $(($(date +%s) - t0))s" >> $rep
echo "stress: done" >> $rep
echo "==> REPORT"
cat $rep
