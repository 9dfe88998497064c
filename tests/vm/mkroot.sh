#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mkroot.sh SUITE - build (once, cached) the Debian root file system the
# guest tests boot: systemd, udev, kmod, dkms, a compiler and one Debian
# kernel with its headers.  Prints the path of the cached root tarball.
#
# The cache lives under $RB_CACHE (/var/cache/ringbus-test), keyed by the
# suite and a hash of this script's package list, so changing the list
# builds a new root.  Deleting the cache is always safe.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

suite=${1:-bookworm}

# Everything the guest needs.  Keep sorted; changing it rebuilds the cache.
pkgs=(
	binutils
	ca-certificates
	dkms
	gcc
	gcc-multilib
	initramfs-tools
	iproute2
	jq
	kmod
	libc6-dev
	linux-headers-amd64
	linux-image-amd64
	make
	pkg-config
	procps
	sparse
	systemd
	systemd-sysv
	udev
	util-linux
)

# Suites whose libc is older than this machine's cannot install packages
# built here: prepare.sh builds them inside the root, which needs the
# source package's build dependencies there too.
case "$suite" in
bullseye) pkgs+=(build-essential debhelper dpkg-dev) ;;
# Debian's PREEMPT_RT flavour: spinlock_t sleeps there, so it is where
# "ringbus_write() works in any context" is proven (see docs/kernels.md).
bookworm) pkgs+=(linux-headers-rt-amd64 linux-image-rt-amd64) ;;
esac

mirror=$(rb_mirror)
sources=("deb $mirror $suite main")
case "$suite" in
bookworm | bullseye | trixie)
	sources+=("deb $mirror $suite-updates main")
	sources+=("deb $(rb_security_mirror) $suite-security main")
	;;
esac

# A newer kernel series of the suite, not installed but kept as a local apt
# repository in the root (/var/cache/ringbus-upgrade), so the kernel-upgrade
# test installs it after ringbus-dkms without reaching the network.
read -r -a upgrade <<<"$(rb_upgrade_pkgs "$suite")"

key=$(printf '%s\n' "$suite" "${pkgs[@]}" "${sources[@]}" "upgrade:${upgrade[*]}" |
	sha256sum | cut -c1-12)
dir=$RB_CACHE/root-$suite-$key
tarball=$dir/root.tar

mkdir -p "$dir"
# One builder at a time per root; the others wait and then use its result.
exec 9>"$dir/.lock"
flock 9
if [ -s "$tarball" ]; then
	printf '%s\n' "$tarball"
	exit 0
fi

rb_log "building the $suite root (cached in $dir; about 2 minutes)"
inc=$(IFS=,; echo "${pkgs[*]}")
hooks=()
if [ ${#upgrade[@]} -gt 0 ]; then
	up=/var/cache/ringbus-upgrade
	hooks+=(--customize-hook="mkdir -p \"\$1$up/partial\" && chroot \"\$1\" apt-get install -y --download-only -o Dir::Cache::archives=$up ${upgrade[*]} && rm -rf \"\$1$up/partial\" \"\$1$up/lock\" && cd \"\$1$up\" && apt-ftparchive packages . >Packages && apt-ftparchive release . >Release")
fi
tmp=$dir/root.tar.tmp
rm -f "$tmp"
mmdebstrap --variant=minbase --mode=root --format=tar \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--aptopt='Acquire::Retries "3"' \
	--aptopt='APT::Install-Recommends "false"' \
	--include="$inc" \
	--customize-hook='echo ringbus-guest > "$1/etc/hostname"' \
	--customize-hook='echo "/dev/vda / ext4 defaults 0 1" > "$1/etc/fstab"' \
	--customize-hook='chroot "$1" passwd -d root' \
	"${hooks[@]}" \
	"$suite" "$tmp" "${sources[@]}" >"$dir/mmdebstrap.log" 2>&1 ||
	{ tail -n 30 "$dir/mmdebstrap.log" >&2; rb_die "mmdebstrap of $suite failed (log: $dir/mmdebstrap.log)"; }
mv "$tmp" "$tarball"
# Roots of this suite built from other inputs are stale now.
for old in "$RB_CACHE"/root-"$suite"-*; do
	[ "$old" = "$dir" ] || rm -rf "$old"
done
rb_log "root ready: $tarball"
printf '%s\n' "$tarball"
