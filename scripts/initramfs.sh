#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make the selftest initramfs: initramfs.sh OUT KSFT FILE
#
# OUT is a kernel build directory (its modules are installed), KSFT an
# installed kselftest tree (make -C tools/testing/selftests install), FILE
# the cpio archive to write.  The archive holds a static busybox and an
# /init that runs KSFT/nvmem/nvmem-unbind.sh, prints its TAP output between
# "==> TAP" and "==> END" once the kernel console is quiet (and live before), and powers off
# with reboot -f (run QEMU with -no-reboot).  Variables NVMEM_TEST_* on the
# kernel command line reach the test as environment variables.
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 OUT KSFT FILE" >&2; exit 2; }
out=$1
ksft=$2
file=$3

# $tmp/root: what goes to the archive's root besides busybox and /init
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/root"
make -s -C "$out" INSTALL_MOD_PATH="$tmp/root" INSTALL_MOD_STRIP=1 \
	modules_install > /dev/null
cp -a "$ksft" "$tmp/root/kselftest"

cat > "$tmp/init" << 'EOF'
#!/bin/sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp

set -o pipefail
echo "==> running nvmem-unbind.sh"
/kselftest/nvmem/nvmem-unbind.sh 2>&1 | tee /tmp/tap
echo "nvmem-unbind.sh exit status: $?" >> /tmp/tap

dmesg -n 1
echo "==> TAP"
cat /tmp/tap
echo "==> END"
reboot -f
EOF

"$(dirname "$0")/mkinitramfs.sh" "$file" "$tmp/init" "$tmp"/root/*
