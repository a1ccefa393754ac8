#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The one QEMU runner:
#
#	qemu.sh [-a KERNEL_ARGS] [-q QEMU_ARGS] [-t SECONDS] NAME DIR HOOK [PATH]...
#
# Boots the kernel build/k/NAME under QEMU (TCG, 2 vCPUs, 1 GiB unless
# QEMU_ARGS say otherwise) with an initramfs packed by the kernel's own
# usr/gen_initramfs.sh: a static busybox, workbench/guest/init as /init, HOOK
# as /hook, the splat list as /splats, NAME's modules and each PATH at the
# root.  KERNEL_ARGS (VAR=value words reach the hook's environment) are
# added to the command line.  The hook's output is shown as it comes.
#
# Leaves in DIR: console.log, output.txt (what the hook printed), status
# (its exit status; absent if the guest did not get there), splats.txt
# (the kernel's console lines that match workbench/splats), qemu-version,
# and the initramfs with its root.  Exits 0 when the hook
# finished with status 0 and the console is clean, 1 otherwise.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

usage="usage: qemu.sh [-a KERNEL_ARGS] [-q QEMU_ARGS] [-t SECONDS] NAME DIR HOOK [PATH]..."
kargs= qargs='' timeout=900
while getopts a:q:t: opt; do
	case $opt in
	a) kargs=$OPTARG ;;
	q) qargs=$OPTARG ;;
	t) timeout=$OPTARG ;;
	*) die "$usage" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 3 ] || die "$usage"
name=$1 dir=$2 hook=$3
shift 3
src=$kdir/$name/src out=$kdir/$name/out
bzimage=$out/arch/x86/boot/bzImage
[ -f "$bzimage" ] || die "no kernel $name: build it with workbench/kernel.sh"
busybox=/bin/busybox
[[ $(readelf -l "$busybox") != *INTERP* ]] ||
	die "$busybox is not static (apt-get install busybox-static)"

mkdir -p "$dir"
dir=$(realpath "$dir")
root=$dir/root
rm -rf "$root" "$dir"/{console.log,output.txt,status,splats.txt}
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$wb/guest/init" "$root/init"
install -m 755 "$hook" "$root/hook"
cp "$splats" "$root/splats"
make -s -C "$out" ARCH=x86_64 INSTALL_MOD_PATH="$root" INSTALL_MOD_STRIP=1 \
	modules_install > /dev/null
[ $# -eq 0 ] || cp -a "$@" "$root/"
(cd "$out" && sh "$src/usr/gen_initramfs.sh" -o "$dir/initramfs.cpio" \
	-u squash -g squash "$root")

# oops=panic: after an Oops, tasks die holding locks and the guest would sit
# until the timeout; panic=-1 then ends the boot at once.
cmdline="console=ttyS0 kunit.enable=0 oops=panic panic=-1"
cmdline+=" sysctl.kernel.hung_task_timeout_secs=30 $kargs"
echo "qemu: $name: booting with $(basename "$hook") (timeout ${timeout}s)"
qemu-system-x86_64 --version | head -n 1 > "$dir/qemu-version"
start=$(date +%s)
qstatus=0
# shellcheck disable=SC2086 # QEMU_ARGS are words
timeout -k 10 "$timeout" qemu-system-x86_64 -bios qboot.rom -m 1G -smp 2 \
	-nographic -no-reboot -kernel "$bzimage" -initrd "$dir/initramfs.cpio" \
	-append "$cmdline" $qargs < /dev/null 2>&1 |
	stdbuf -oL tr -d '\r' | tee "$dir/console.log" |
	sed -un '/^==> HOOK$/,/^==> OUTPUT$/p' || qstatus=$?

sed -n '/^==> OUTPUT$/,/^==> END /{/^==> \(OUTPUT\|END [0-9]*\)$/d;p}' "$dir/console.log" > "$dir/output.txt"
sed -n 's/^==> END \([0-9]*\)$/\1/p' "$dir/console.log" > "$dir/status"
[ -s "$dir/status" ] || rm "$dir/status"
# The kernel's lines: the console without what the hook printed
grep -vxFf "$dir/output.txt" "$dir/console.log" | grep -Ef "$splats" > "$dir/splats.txt" || true

ran="QEMU ran $(($(date +%s) - start))s"
if [ ! -f "$dir/status" ]; then
	echo "qemu: $name: the guest did not finish ($ran, status $qstatus): $dir/console.log"
	exit 1
fi
echo "qemu: $name: hook exit status $(cat "$dir/status"), $ran," \
	"$(wc -l < "$dir/splats.txt") splat lines"
[ "$(cat "$dir/status")" = 0 ] && [ ! -s "$dir/splats.txt" ]
