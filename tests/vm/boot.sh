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
# The stall watchdog.  Each case has its own timeout in the guest (lib.sh),
# but a guest whose vCPUs are all stuck (a deadlock with interrupts off)
# runs no watchdog and prints nothing: the boot would wait for the whole
# TIMEOUT.  The guest's runner writes a heartbeat to the console every 20
# seconds, so when neither serial port has grown for RB_STALL_TIMEOUT
# seconds (300) the guest has stopped: the vCPUs' registers and stacks,
# named by the kernel's System.map, go to stall.txt and the boot fails.
mon=$out/monitor.sock
rm -f "$mon" "$out/stall.txt"
set +e
timeout --kill-after=10 "$limit" qemu-system-x86_64 \
	-accel tcg -smp 2 -m "${RB_GUEST_MEM:-2048}" \
	-nodefaults -no-user-config -display none -no-reboot \
	-kernel "$out/vmlinuz" -initrd "$out/initrd.img" -append "$cmdline" \
	-drive "file=$img,if=virtio,format=raw" -snapshot \
	-serial "file:$out/console.log" -serial "file:$out/results.txt" \
	-monitor "unix:$mon,server,nowait" \
	</dev/null >"$out/qemu.log" 2>&1 &
qpid=$!
stall=${RB_STALL_TIMEOUT:-300}
last= quiet=0 stalled=
while kill -0 "$qpid" 2>/dev/null; do
	# A watchdog's period, not a wait for an event.
	sleep 2
	now=$(stat -c %s "$out/console.log" "$out/results.txt" 2>/dev/null | tr '\n' ' ')
	if [ "$now" != "$last" ]; then
		last=$now quiet=0
		continue
	fi
	quiet=$((quiet + 2))
	[ "$quiet" -ge "$stall" ] || continue
	stalled=1
	text=$(tr -d '\r' <"$out/console.log" | sed -n 's/.*rbtest: heartbeat; kernel _text at \([0-9a-f]*\)$/\1/p' | tail -n 1)
	mods=$(tr -d '\r' <"$out/console.log" | sed -n 's/.*rbtest: module text //p' | tail -n 1)
	root=$(dirname "$img")/root
	RB_MODULE_TEXT=$mods RB_MODULE_DIR=$root/lib/modules/$2 \
		"$here/guest-state.py" "$mon" "$root/boot/System.map-$2" "$text" >"$out/stall.txt" 2>&1
	kill "$qpid" 2>/dev/null
	break
done
wait "$qpid"
rc=$?
set -e
rm -f "$mon"
if [ -n "$stalled" ]; then
	case_line=$(tr -d '\r\000' <"$out/results.txt" | grep -E '^(not )?ok [0-9]+ - ' | tail -n 1) || true
	rb_log "guest stalled: neither serial port grew for ${stall}s (no heartbeat: every vCPU stuck?); the last case reported: ${case_line:-none}; what the vCPUs ran: $out/stall.txt"
	grep -E '^vCPU|^  (RIP|stack)' "$out/stall.txt" | head -n 16 >&2 || true
	exit 1
elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	rb_log "guest did not power off within ${limit}s (hung?)"
	exit 1
elif [ "$rc" != 0 ]; then
	rb_log "qemu failed with status $rc: $(tail -n 3 "$out/qemu.log")"
	exit 1
fi
exit 0
