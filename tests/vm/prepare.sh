#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# prepare.sh SUITE OUTDIR - make a bootable guest with the suite installed:
#   1. a fresh copy of the cached root of SUITE (mkroot.sh),
#   2. the sources under /usr/src/ringbus-<version>, then dkms add, build
#      and install inside the chroot (with /proc, /sys and /dev mounted, and
#      unmounted again whatever happens),
#   3. the guest test suite and its systemd unit,
#   4. OUTDIR/root.img (ext4), OUTDIR/vmlinuz, OUTDIR/initrd.img and
#      OUTDIR/kver for boot.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"

suite=${1:?usage: prepare.sh SUITE OUTDIR}
out=${2:?usage: prepare.sh SUITE OUTDIR}
ver=$(sed -n 's/^PACKAGE_VERSION="\([0-9.]*\)".*/\1/p' "$top/dkms.conf")
[ -n "$ver" ] || rb_die "no PACKAGE_VERSION in dkms.conf"

tarball=$("$here/mkroot.sh" "$suite")
root=$out/root
mkdir -p "$out"
if [ -d "$root" ]; then
	rb_chroot_umount "$root"
	rm -rf "$root"
fi
mkdir -p "$root"
tar -C "$root" -xf "$tarball"

kver=$(ls "$root/lib/modules" | sort -V | tail -n 1)
[ -n "$kver" ] || rb_die "no kernel in the $suite root"
echo "$kver" >"$out/kver"

# The DKMS source tree: what the ringbus-dkms package ships.
src=$root/usr/src/ringbus-$ver
mkdir -p "$src"
cp -a "$top/Kbuild" "$top/Makefile" "$top/dkms.conf" "$top/core" \
	"$top/chardev" "$top/procfs" "$top/include" "$top/scripts" "$src/"

# ringbusctl, built inside the root (until the Debian packages ship it).
usrc=$root/usr/src/ringbus-utils-$ver
rm -rf "$usrc"
mkdir -p "$usrc/include"
cp -a "$top/utils" "$usrc/"
cp -a "$top/include/uapi" "$usrc/include/"

# The guest test suite.
tdir=$root/usr/lib/ringbus-tests
mkdir -p "$tdir/bin"
cp -a "$top/tests/guest/." "$tdir/"
echo "$ver" >"$tdir/VERSION"
install -m 0644 "$top/tests/vm/ringbus-tests.service" "$root/etc/systemd/system/"
ln -sf /etc/systemd/system/ringbus-tests.service \
	"$root/etc/systemd/system/multi-user.target.wants/ringbus-tests.service"
# Until the Debian packages ship them (see debian/): the udev rule and the
# ringbus group.
install -m 0644 "$top/udev/60-ringbus.rules" "$root/etc/udev/rules.d/"

trap 'rb_chroot_umount "$root"' EXIT
rb_chroot_mount "$root"
log=$out/dkms.log
if ! chroot "$root" /bin/bash -euc "
	getent group ringbus >/dev/null || groupadd --system ringbus
	id rbuser >/dev/null 2>&1 || useradd --create-home --shell /bin/bash rbuser
	dkms add -m ringbus -v $ver
	dkms build -m ringbus -v $ver -k $kver
	dkms install -m ringbus -v $ver -k $kver
	for c in /usr/lib/ringbus-tests/src/*.c; do
		b=/usr/lib/ringbus-tests/bin/\$(basename \$c .c)
		gcc -O2 -Wall -Wextra -Werror -I/usr/src/ringbus-$ver/include/uapi -o \$b \$c
		# The same test built for 32-bit x86: the compat ioctl path.
		gcc -m32 -O2 -Wall -Wextra -Werror -I/usr/src/ringbus-$ver/include/uapi -o \$b-32 \$c
	done
	make -C /usr/src/ringbus-utils-$ver/utils clean all VERSION=$ver
	make -C /usr/src/ringbus-utils-$ver/utils install PREFIX=/usr
" >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	rb_die "installing the suite into the $suite root failed (log: $log)"
fi
# The compiler-driven static checks use this same root's compiler and
# headers: what a user's DKMS build sees.
"$top/tests/static/kbuild-checks.sh" "$root" "$kver" "$src" "$out/static"
rb_chroot_umount "$root"
trap - EXIT

cp "$root/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$out/initrd.img"
size=$(( $(du -sm "$root" | cut -f1) + 1024 ))
rm -f "$out/root.img"
mke2fs -q -t ext4 -L ringbus-root -E root_owner=0:0 -d "$root" \
	-F "$out/root.img" "${size}M" >/dev/null
rb_log "guest ready: $suite, kernel $kver, ringbus $ver"
