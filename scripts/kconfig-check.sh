#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Check a kernel config against the fragments it was made from:
# kconfig-check.sh CONFIG FRAGMENT...
#
# Kconfig drops options whose dependencies are not met without a word, so
# name every option of the fragments that did not end up set as written.
# "# CONFIG_FOO is not set" is also met by an option absent from CONFIG.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 CONFIG FRAGMENT..." >&2; exit 2; }
config=$1
shift

bad=0
while read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
		opt=${BASH_REMATCH[1]}
	elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
		opt=${BASH_REMATCH[1]}
	else
		continue
	fi
	got=$(grep -E "^($opt=|# $opt is not set)" "$config" || true)
	[ -z "$got" ] && [[ $line == "#"* ]] && continue
	if [ "$got" != "$line" ]; then
		echo "kconfig: FAIL $line wanted, got: ${got:-nothing (unmet dependencies?)}"
		bad=1
	fi
done < <(cat "$@")
[ "$bad" -eq 0 ] || exit 1
echo "kconfig: all $(cat "$@" | grep -cE '^(CONFIG_|# CONFIG_.* is not set)') options set as written"
