#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian 12 packages the workbench needs (when root), or say
# which are missing: deps.sh
set -euo pipefail

case ${1:-} in
-h | --help) sed -n '3,4s/^# //p' "$0"; exit 0 ;;
"") ;;
*) echo "usage: deps.sh" >&2; exit 1 ;;
esac

packages=(build-essential flex bison bc cpio kmod libelf-dev libssl-dev
	openssl dwarves python3 python3-ply python3-git perl git ccache sparse
	qemu-system-x86 python3-matplotlib
	busybox-static xz-utils rsync linux-source-6.12)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#packages[@]} packages installed"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing: ${missing[*]}" >&2
	echo "deps: run: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
