#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run one stage of the workbench: stage.sh NAME CMD [ARGS...]
#
# Prints "==> [mm:ss] NAME" (time since $T0, the start of the run), keeps
# the command's output in build/logs/NAME.log, prints its last line every
# 60 s while it runs, and shows the log (its tail if long) at the end.  A
# stage that exits 0 and recorded nothing in the tally counts as
# "PASS NAME"; one that fails without recording a failure, or is
# interrupted, "FAIL NAME".
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: stage.sh NAME CMD [ARGS...]"
name=$1
shift
export T0=${T0:-$(date +%s)}
log=$repo/build/logs/$name.log
mkdir -p "$(dirname "$log")" "$(dirname "$RESULTS")"
touch "$RESULTS"

clock() {
	local s=$(($(date +%s) - T0))
	printf '%02d:%02d' $((s / 60)) $((s % 60))
}

echo "==> [$(clock)] $name"
start=$(date +%s)
recorded=$(wc -l < "$RESULTS")
# A session of its own, so that Ctrl-C or TERM can stop all of it (make,
# QEMU under timeout, nested stages).
setsid "$@" > "$log" 2>&1 < /dev/null &
pid=$!
# An interrupted stage failed: the run's summary must not count it as
# nothing to report.
trap 'pkill -TERM -s "$pid"; result FAIL "$name" interrupted > /dev/null
	echo "<== $name: interrupted"; exit 130' INT TERM
(
	while sleep 60 < /dev/null > /dev/null 2>&1; do
		echo "    [$(clock)] $name running: $(tail -n 1 "$log" | cut -c 1-100)"
	done
) &
heartbeat=$!
status=0
wait "$pid" || status=$?
kill "$heartbeat" 2> /dev/null || true
wait "$heartbeat" 2> /dev/null || true
trap - INT TERM

lines=$(wc -l < "$log")
if [ "$status" -ne 0 ]; then
	[ "$lines" -gt 60 ] && echo "    ... (last 60 of $lines lines, full log: $log)"
	tail -n 60 "$log" | sed 's/^/    /'
elif [ "$lines" -gt 30 ]; then
	echo "    ... (last 5 of $lines lines, full log: $log)"
	tail -n 5 "$log" | sed 's/^/    /'
else
	sed 's/^/    /' "$log"
fi

new=$(tail -n +$((recorded + 1)) "$RESULTS")
if [ "$status" -ne 0 ] && ! grep -q '^FAIL ' <<< "$new"; then
	result FAIL "$name" > /dev/null
elif [ "$status" -eq 0 ] && [ -z "$new" ]; then
	result PASS "$name"
fi

took=$(($(date +%s) - start))
verdict=ok
[ "$status" -eq 0 ] || verdict="FAILED (exit $status)"
echo "<== [$(clock)] $name: $verdict in $((took / 60))m$((took % 60))s"
exit "$status"
