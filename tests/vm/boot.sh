#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# boot.sh OUTDIR KVER [TIMEOUT] - boot kernel KVER of the guest prepare.sh
# made, under software emulation (no KVM here), with systemd as init.  The
# disk is used with -snapshot: every boot starts from the same image.  The
# guest's test unit writes its results to the second serial port
# (OUTDIR/boot-KVER/results.txt); the console goes to console.log there.
# Exit status: 0 when the guest finished its run and powered off, 1 when it
# hung or died.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

img=${1:?usage: boot.sh OUTDIR KVER [TIMEOUT]}/root.img
out=$1/boot-${2:?usage: boot.sh OUTDIR KVER [TIMEOUT]}
limit=${3:-${RB_BOOT_TIMEOUT:-2400}}
: >"$out/console.log"
: >"$out/results.txt"
cmdline="root=/dev/vda rw console=ttyS0,115200 panic=-1 net.ifnames=0"
cmdline+=" systemd.unit=multi-user.target ${RB_CMDLINE:-}"
set +e
timeout --kill-after=10 "$limit" qemu-system-x86_64 \
	-accel tcg -smp 2 -m "${RB_GUEST_MEM:-2048}" \
	-nodefaults -no-user-config -display none -no-reboot \
	-kernel "$out/vmlinuz" -initrd "$out/initrd.img" -append "$cmdline" \
	-drive "file=$img,if=virtio,format=raw" -snapshot \
	-serial "file:$out/console.log" -serial "file:$out/results.txt" \
	</dev/null >"$out/qemu.log" 2>&1
rc=$?
set -e
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	rb_log "guest did not power off within ${limit}s (hung?)"
	exit 1
elif [ "$rc" != 0 ]; then
	rb_log "qemu failed with status $rc: $(tail -n 3 "$out/qemu.log")"
	exit 1
fi
exit 0
