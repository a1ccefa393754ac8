#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pack a busybox initramfs: mkinitramfs.sh FILE INIT [PATH...]
#
# Writes the cpio archive FILE with a static busybox (/bin/busybox and
# /bin/sh), INIT as /init and each PATH, file or directory, copied to the
# archive's root.  Used for the kselftest, bench and stress guests.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 FILE INIT [PATH...]" >&2; exit 2; }
file=$1
init=$2
shift 2
busybox=${BUSYBOX:-/bin/busybox}

if grep -q INTERP <<< "$(readelf -l "$busybox")"; then
	echo "mkinitramfs: $busybox is not static (apt-get install busybox-static)" >&2
	exit 1
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,dev,proc,sys,tmp}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$init" "$root/init"
[ $# -eq 0 ] || cp -a "$@" "$root/"

(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) > "$file"
