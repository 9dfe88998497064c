#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# prepare.sh SUITE OUTDIR - make a bootable guest with the suite installed:
#   1. a fresh copy of the cached root of SUITE (mkroot.sh),
#   2. the packages (make deb) in a local apt repository inside the root,
#      and "apt-get install ringbus-dkms ringbus-utils" in the chroot (with
#      /proc, /sys and /dev mounted, and unmounted again whatever happens):
#      DKMS builds and installs the modules for the root's kernel,
#   3. the guest test suite and its systemd unit,
#   4. OUTDIR/root.img (ext4), OUTDIR/vmlinuz, OUTDIR/initrd.img and
#      OUTDIR/kver for boot.sh.
# SUITE-debug (bookworm-debug): the root of SUITE with the project's debug
# kernel (RB_DEBUG_KERNEL, the directory of its packages; by default
# tests/vm/debug-kernel.sh's, built first if need be) installed, the only
# kernel it boots; the package life cycle is SUITE's own and not run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"

suite=${1:?usage: prepare.sh SUITE OUTDIR}
out=${2:?usage: prepare.sh SUITE OUTDIR}
debug_only=
if [ "$suite" != "${suite%-debug}" ]; then
	suite=${suite%-debug} debug_only=1
	[ -n "${RB_DEBUG_KERNEL:-}" ] || RB_DEBUG_KERNEL=$("$here/debug-kernel.sh")
fi
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

# The root's own kernel of the generic flavour (bookworm also has the
# PREEMPT_RT one, booted by make check only for its own groups).
kver=$(ls "$root/lib/modules" | grep -v -- '-rt-' | sort -V | tail -n 1)
[ -n "$kver" ] || rb_die "no kernel in the $suite root"
echo "$kver" >"$out/kver"

# The packages, as a local apt repository inside the root: the suite gets
# there the way a user gets it, with apt install.
debs=$top/build/deb
# make check has just built them (RB_DEBS_FRESH=1); otherwise build now.
if [ -z "${RB_DEBS_FRESH:-}" ] ||
	! ls "$debs"/ringbus-dkms_"$ver"_all.deb "$debs"/ringbus-utils_"$ver"_*.deb >/dev/null 2>&1; then
	"$top/debian/build-deb.sh" >"$out/deb.log" 2>&1 ||
		rb_die "building the packages failed (log: $out/deb.log)"
fi
repo=$root/srv/ringbus-repo
mkdir -p "$repo"
# A suite older than this machine (its libc older than ours) cannot install
# what was built here: the packages are built again inside its root, from
# the same source, with its own debhelper and dkms (as a backport is).
host_libc=$(dpkg-query -W -f='${Version}' libc6)
root_libc=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Version}' libc6)
if dpkg --compare-versions "$root_libc" lt "$host_libc"; then
	rb_log "$suite's libc $root_libc is older than this machine's: building the packages in its root"
	"$top/debian/build-deb.sh" --stage "$root/tmp/rb-deb"
	trap 'rb_chroot_umount "$root"' EXIT
	rb_chroot_mount "$root"
	chroot "$root" /bin/sh -c "cd /tmp/rb-deb/ringbus-$ver && dpkg-buildpackage -us -uc -b" \
		>"$out/deb-in-root.log" 2>&1 ||
		rb_die "building the packages in the $suite root failed (log: $out/deb-in-root.log)"
	rb_chroot_umount "$root"
	trap - EXIT
	debs=$root/tmp/rb-deb
fi
cp "$debs"/ringbus-dkms_"$ver"_all.deb "$debs"/ringbus-utils_"$ver"_*.deb \
	"$debs"/libringbus0_"$ver"_*.deb "$debs"/libringbus-dev_"$ver"_*.deb "$repo/"
rm -rf "$root/tmp/rb-deb"
(cd "$repo" && apt-ftparchive packages . >Packages && apt-ftparchive release . >Release)
echo "deb [trusted=yes] file:/srv/ringbus-repo ./" >"$root/etc/apt/sources.list.d/ringbus.list"

# The guest test suite.
tdir=$root/usr/lib/ringbus-tests
"$here/install-tests.sh" "$tdir"
install -m 0644 "$top/tests/vm/ringbus-tests.service" "$root/etc/systemd/system/"
ln -sf /etc/systemd/system/ringbus-tests.service \
	"$root/etc/systemd/system/multi-user.target.wants/ringbus-tests.service"

trap 'rb_chroot_umount "$root"' EXIT
rb_chroot_mount "$root"
log=$out/install.log
if ! chroot "$root" /bin/bash -euc "
	export DEBIAN_FRONTEND=noninteractive
	id rbuser >/dev/null 2>&1 || useradd --create-home --shell /bin/bash rbuser
	# Only the local repository: nothing is fetched from the network.
	apt-get update -o Dir::Etc::sourcelist=sources.list.d/ringbus.list \
		-o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0
	apt-get install -y --no-install-recommends ringbus-dkms ringbus-utils libringbus-dev
	/usr/lib/ringbus-tests/build-programs
" >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	rb_die "installing the suite into the $suite root failed (log: $log)"
fi
# The package life cycle: remove, purge, reinstall, reconfigure, and a
# kernel upgrade where the suite offers one.  Ends installed.
rm -f "$out/lifecycle.tap"
[ -n "$debug_only" ] ||
	"$here/pkg-lifecycle.sh" "$root" "$ver" "$suite" >"$out/lifecycle.tap" 2>"$out/lifecycle.log"
# The project's debug kernel (tests/vm/debug-kernel.sh; RB_DEBUG_KERNEL is
# the directory of its packages), installed like any kernel package: its
# postinst makes the initramfs and DKMS's kernel hook builds the suite.
if [ -n "$debug_only" ]; then
	[ -n "${RB_DEBUG_KERNEL:-}" ] || rb_die "no debug kernel for $suite-debug"
	mkdir -p "$root/tmp/rb-debug-kernel"
	cp "$RB_DEBUG_KERNEL"/linux-image-*.deb "$RB_DEBUG_KERNEL"/linux-headers-*.deb \
		"$root/tmp/rb-debug-kernel/"
	chroot "$root" /bin/bash -euc "
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y --no-install-recommends /tmp/rb-debug-kernel/*.deb
	" >"$out/debug-kernel.log" 2>&1 || {
		tail -n 30 "$out/debug-kernel.log" >&2
		rb_die "installing the debug kernel into the $suite root failed (log: $out/debug-kernel.log)"
	}
	rm -rf "$root/tmp/rb-debug-kernel"
fi
# The kernels this guest boots: every kernel of the root (the one it came
# with and, after the upgrade, the newer one), or the debug kernel alone.
if [ -n "$debug_only" ]; then
	ls "$root/lib/modules" | grep -- '-rbdebug$' >"$out/kernels"
else
	ls "$root/lib/modules" | sort -V >"$out/kernels"
fi
[ -s "$out/kernels" ] || rb_die "no kernel to boot in the $suite root"
# The compiler-driven static checks (W=1, sparse) use this same root's
# compiler and headers, what a user's DKMS build sees, for every kernel it
# boots.
rm -rf "$out/static"
for k in $(cat "$out/kernels"); do
	"$top/tests/static/kbuild-checks.sh" "$root" "$k" "$root/usr/src/ringbus-$ver" "$out/static/$k"
done
# A third-party module built against what the package installed (ringbus.mk
# from DKMS's POST_BUILD step), for every kernel of the root.
rm -rf "$tdir/consumer" "$tdir/kunit"
cp -a "$top/tests/consumer" "$tdir/consumer"
# The core ring's KUnit tests (tests/kunit), for a kernel with CONFIG_KUNIT
# (the debug kernel): rbtest_ring.ko beside the consumer modules.
cp -a "$top/tests/kunit" "$tdir/kunit"
# Kbuild deletes every .ko under M= (clean, and 6.12's build too), so each
# kernel's module waits outside until all are built.
kos=$root/tmp/rbtest-ko
rm -rf "$kos"
mkdir -p "$kos"
for k in $(cat "$out/kernels"); do
	chroot "$root" /bin/bash -euc "
		make -C /lib/modules/$k/build M=/usr/lib/ringbus-tests/consumer RINGBUS_VERSION=$ver modules
		mkdir -p /tmp/rbtest-ko/$k
		mv /usr/lib/ringbus-tests/consumer/rbtest_producer.ko \
			/usr/lib/ringbus-tests/consumer/rbtest_baseline.ko \
			/usr/lib/ringbus-tests/consumer/rbtest_detectors.ko \
			/usr/lib/ringbus-tests/consumer/rbtest_race.ko /tmp/rbtest-ko/$k/
		make -C /lib/modules/$k/build M=/usr/lib/ringbus-tests/consumer RINGBUS_VERSION=$ver clean
		if grep -qs '^CONFIG_KUNIT=[ym]' /lib/modules/$k/build/include/config/auto.conf; then
			make -C /lib/modules/$k/build M=/usr/lib/ringbus-tests/kunit RINGBUS_VERSION=$ver modules
			mv /usr/lib/ringbus-tests/kunit/rbtest_ring.ko /tmp/rbtest-ko/$k/
			make -C /lib/modules/$k/build M=/usr/lib/ringbus-tests/kunit RINGBUS_VERSION=$ver clean
		fi
	" >>"$out/consumer.log" 2>&1 || rb_log "the consumer modules did not build for $k (log: $out/consumer.log)"
done
for kd in "$kos"/*/; do
	[ -d "$kd" ] || continue
	k=$(basename "$kd")
	mkdir -p "$tdir/consumer/$k"
	mv "$kd"/*.ko "$tdir/consumer/$k/"
done
rm -rf "$kos"
rb_chroot_umount "$root"
trap - EXIT

while read -r k; do
	mkdir -p "$out/boot-$k"
	cp "$root/boot/vmlinuz-$k" "$out/boot-$k/vmlinuz"
	cp "$root/boot/initrd.img-$k" "$out/boot-$k/initrd.img"
done <"$out/kernels"
rb_make_image "$root" "$out/root.img"
rb_log "guest ready: $suite, kernels $(tr '\n' ' ' <"$out/kernels"), ringbus $ver"
