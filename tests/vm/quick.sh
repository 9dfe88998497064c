#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# quick.sh [-s SUITE] [-k KVER] [GROUP...] - the developer's loop: put the
# current guest tests into the guest make check prepared (build/check/SUITE,
# prepared first if it is not there), rebuild the image, boot one kernel
# (default: the newest of the root) and run only the named groups (e.g.
# 20-channels 60-stress; all when none is named).  Prints the TAP lines and
# any bad kernel-log line; exits non-zero when a case failed.  The modules
# are the ones prepare.sh installed: after a change to them, run make check
# (or prepare.sh) again.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"

suite=bookworm
kver=
while getopts s:k: opt; do
	case $opt in
	s) suite=$OPTARG ;;
	k) kver=$OPTARG ;;
	*) rb_die "usage: quick.sh [-s SUITE] [-k KVER] [GROUP...]" ;;
	esac
done
shift $((OPTIND - 1))
out=$top/build/check/$suite
rb_prepared_guest "$suite" "$out"
root=$out/root
[ -n "$kver" ] || kver=$(tail -n 1 "$out/kernels")
"$here/install-tests.sh" "$root/usr/lib/ringbus-tests"
trap 'rb_chroot_umount "$root"' EXIT
rb_chroot_mount "$root"
chroot "$root" /usr/lib/ringbus-tests/build-programs >"$out/quick-build.log" 2>&1 || {
	cat "$out/quick-build.log" >&2
	rb_die "the test programs did not build"
}
rb_chroot_umount "$root"
trap - EXIT
rb_make_image "$root" "$out/root.img"

groups=$(IFS=,; echo "$*")
b=$out/boot-$kver
rc=0
RB_CMDLINE="$RB_SLAB_TRACK ${RB_CMDLINE:-} ${groups:+rbtest.only=$groups}" \
	"$here/boot.sh" "$out" "$kver" || rc=1
tr -d '\r\000' <"$b/results.txt" | sed -n '/^RINGBUS-TAP-BEGIN$/,/^RINGBUS-TAP-END$/p' >"$b/tap.txt"
cat "$b/tap.txt"
grep -q '^RINGBUS-TAP-END$' "$b/tap.txt" || { rb_log "the guest did not finish (console: $b/console.log)"; rc=1; }
grep -q '^not ok' "$b/tap.txt" && rc=1
if tr -d '\r\000' <"$b/results.txt" | sed -n '/^RINGBUS-DMESG-BEGIN$/,/^RINGBUS-DMESG-END$/p' |
	grep -aE "$RB_BAD_KERNEL_LINES"; then
	rb_log "bad kernel-log lines above"
	rc=1
fi
exit $rc
