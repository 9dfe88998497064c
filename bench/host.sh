#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench/host.sh - "make bench": the host side of the benchmark.
#   1. prepares a bookworm guest with the current tree's packages into
#      build/bench/guest (tests/vm/prepare.sh, as make check does);
#   2. boots it once (QEMU TCG, -smp 2) with rbtest.script=bench: the guest
#      runs bench/guest.sh (modprobe times, module sizes, memory
#      overheads, then every rb-bench configuration, several repetitions);
#   3. times "dkms build" of the suite for every kernel of the guest root,
#      in a chroot, into a private DKMS tree (the root's own is untouched);
#   4. renders build/bench/results.md, results.json and records.png
#      (bench/report.awk, gnuplot) from the guest's JSON lines (raw.jsonl).
# Exits 1 when the guest did not finish or a run failed its data check;
# targets that are missed are reported as MISS, not as a failure.
#
# Environment: RB_BENCH_REUSE=1 - reuse build/bench/guest if it exists
# (only the benchmark programs are refreshed; the modules stay as they
# were prepared); RB_BENCH_KVER - the kernel to boot (default: the root's
# stock kernel); RB_BENCH_CMDLINE - extra guest command line, e.g.
# "rbtest.bench_reps=3 rbtest.bench_secs=0.5".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
vm=$top/tests/vm
. "$vm/lib.sh"

"$top/tests/host-deps.sh"
out=$top/build/bench
guest=$out/guest
mkdir -p "$out"
start=$(date +%s)

if [ -n "${RB_BENCH_REUSE:-}" ] && [ -f "$guest/root.img" ]; then
	rb_log "reusing the guest in $guest (RB_BENCH_REUSE)"
	root=$guest/root
	"$vm/install-tests.sh" "$root/usr/lib/ringbus-tests"
	trap 'rb_chroot_umount "$root"' EXIT
	rb_chroot_mount "$root"
	chroot "$root" /usr/lib/ringbus-tests/build-programs >"$out/build-programs.log" 2>&1 ||
		rb_die "the benchmark programs did not build (log: $out/build-programs.log)"
	rb_chroot_umount "$root"
	trap - EXIT
	rb_make_image "$root" "$guest/root.img"
else
	rb_log "preparing the bookworm guest (log: $out/prepare.log)"
	mkdir -p "$guest"
	"$vm/prepare.sh" bookworm "$guest" >"$out/prepare.log" 2>&1 ||
		rb_die "prepare.sh failed (log: $out/prepare.log)"
fi
root=$guest/root
kver=${RB_BENCH_KVER:-$(cat "$guest/kver")}
ver=$(sed -n 's/^PACKAGE_VERSION="\([0-9.]*\)".*/\1/p' "$top/dkms.conf")

rb_log "booting $kver with rbtest.script=bench (several minutes under TCG)"
b=$guest/boot-$kver
t0=$(date +%s)
rc=0
RB_CMDLINE="rbtest.script=bench ${RB_BENCH_CMDLINE:-}" "$vm/boot.sh" "$guest" "$kver" || rc=1
rb_log "the guest ran for $(( $(date +%s) - t0 ))s"
tr -d '\r\000' <"$b/results.txt" | sed -n '/^RINGBUS-BENCH-BEGIN$/,/^RINGBUS-BENCH-END$/p' >"$out/guest-output.txt"
grep -q '^RINGBUS-BENCH-END$' "$out/guest-output.txt" || {
	rb_log "the guest did not finish the benchmark (console: $b/console.log)"
	rc=1
}
grep '^{' "$out/guest-output.txt" >"$out/raw.jsonl" || true

# DKMS build time per kernel, in the guest root, into a private tree.
rb_log "timing dkms build per kernel (chroot)"
trap 'rb_chroot_umount "$root"' EXIT
rb_chroot_mount "$root"
for k in $(ls "$root/lib/modules" | sort -V); do
	chroot "$root" test -e "/lib/modules/$k/build/Makefile" || continue
	tree=/var/tmp/rb-bench-dkms
	if chroot "$root" /bin/bash -euc "
		rm -rf $tree && mkdir -p $tree
		dkms add -m ringbus -v $ver --dkmstree $tree >/dev/null
		s=\$(date +%s%N)
		dkms build -m ringbus -v $ver -k $k --dkmstree $tree >/dev/null
		e=\$(date +%s%N)
		rm -rf $tree
		echo \$(( (e - s) / 1000000 ))
	" >"$out/dkms-$k.txt" 2>"$out/dkms-$k.log"; then
		ms=$(tail -n 1 "$out/dkms-$k.txt")
		printf '{"dkms_build_s":%s,"kernel":"%s","host_cpus":%s}\n' \
			"$(awk -v m="$ms" 'BEGIN { printf "%.2f", m / 1000 }')" "$k" "$(nproc)" >>"$out/raw.jsonl"
	else
		rb_log "dkms build for $k failed (log: $out/dkms-$k.log)"
		rc=1
	fi
done
rb_chroot_umount "$root"
trap - EXIT

awk -f "$top/bench/report.awk" -v out="$out/results" "$out/raw.jsonl"
mv "$out/results.dat" "$out/records.dat"
sed -i 's/results\.dat/records.dat/g' "$out/results.gp"
mv "$out/results.gp" "$out/records.gp"
if command -v gnuplot >/dev/null; then
	(cd "$out" && gnuplot records.gp) || { rb_log "gnuplot failed"; rc=1; }
else
	rb_log "no gnuplot: no chart (tests/host-deps.sh installs gnuplot-nox)"
	rc=1
fi

sed -n '/^## Targets/,/^## Ratios/p' "$out/results.md" | sed '$d'
failed=$(grep -c '"ok":false' "$out/raw.jsonl" || true)
if [ "$failed" != 0 ]; then
	rb_log "$failed runs failed their data check (see $out/results.md)"
	rc=1
fi
rb_log "results: $out/results.md, $out/results.json, $out/records.png ($(( $(date +%s) - start ))s in all)"
exit $rc
