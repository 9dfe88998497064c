#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make demo: boot a throwaway Debian guest with the suite installed by DKMS
# and show it working - module autoloading, a channel in both modes, the
# /proc and sysfs views, unloading.  Nothing touches this machine's kernel.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
vm=$top/tests/vm
suite=${KSUITES:-bookworm}
suite=${suite%% *}
out=$top/build/demo
"$top/tests/host-deps.sh"
echo "Preparing a $suite guest with the suite installed (the first run builds the root: about 2 minutes)..."
mkdir -p "$out"
"$vm/prepare.sh" "$suite" "$out" >"$out.prepare.log" 2>&1 ||
	{ tail -n 20 "$out.prepare.log" >&2; exit 1; }
kver=$(cat "$out/kver")
echo "Booting kernel $kver under QEMU (software emulation, about 30 seconds)..."
RB_CMDLINE=rbtest.script=demo "$vm/boot.sh" "$out" "$kver" 300 || true
tr -d '\r\000' <"$out/boot-$kver/results.txt" | sed -n '/^RINGBUS-DEMO-BEGIN$/,/^RINGBUS-DEMO-END$/p' |
	sed '1d;$d' >"$out/demo.txt"
if [ ! -s "$out/demo.txt" ]; then
	echo "the guest showed nothing; its console is in $out/boot-$kver/console.log" >&2
	exit 1
fi
cat "$out/demo.txt"
