#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# kbuild-checks.sh ROOT KVER SRC OUTDIR - the compiler-driven static checks,
# run inside the guest root (its gcc and its kernel headers, the same a
# user's DKMS build gets): a W=1 build and a sparse (C=2) build of the whole
# suite.  Leaves OUTDIR/{w1,sparse}.{log,rc} and the W=1 modules in
# OUTDIR/ko/ for the symbol check.
set -euo pipefail
root=$1 kver=$2 src=$3 out=$4
mkdir -p "$out/ko"
rm -rf "$root/tmp/rb-static"
cp -a "$src" "$root/tmp/rb-static"
for check in w1 sparse; do
	case $check in
	w1) args="W=1" ;;
	sparse) args="C=2" ;;
	esac
	set +e
	chroot "$root" /bin/bash -c "cd /tmp/rb-static && make -s KVER=$kver clean >/dev/null 2>&1;
		make KVER=$kver KBUILD_ARGS='$args'" >"$out/$check.log" 2>&1
	echo $? >"$out/$check.rc"
	set -e
	if [ "$check" = w1 ]; then
		cp "$root"/tmp/rb-static/*.ko "$root/tmp/rb-static/Module.symvers" "$out/ko/" 2>/dev/null || true
	fi
done
rm -rf "$root/tmp/rb-static"
