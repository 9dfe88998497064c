#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# host-deps.sh - install the host packages "make check" needs (Debian 12).
# Only what is missing is installed; nothing is done when all is present.
set -euo pipefail
pkgs=(
	apt-utils              # apt-ftparchive: the local repository
	autodep8               # the test Testsuite: autopkgtest-pkg-dkms stands for
	binutils               # nm, for the symbol check
	build-essential        # dpkg-buildpackage
	cppcheck               # user-space static analysis
	debhelper              # the Debian packages
	dh-dkms
	dpkg-dev
	fakeroot
	lintian
	gcc                    # ringbusctl and the test programs
	gcc-multilib           # gen-abi-doc.sh: the ioctl table for i386 too
	libc6-dev
	make
	man-db                 # man --warnings on the man pages
	e2fsprogs              # mke2fs -d, the guest's root image
	git                    # checkpatch's file list
	gnuplot-nox            # make bench: the chart
	linux-source-6.1       # scripts/checkpatch.pl
	mmdebstrap             # the guest root file systems
	perl                   # checkpatch
	qemu-system-x86        # the guest (TCG)
	xz-utils               # unpacking linux-source
	zsh                    # utils/selftest.sh: the zsh completion
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "host-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi
echo "host-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq -o Acquire::Retries=3 </dev/null
apt-get install -y -qq --no-install-recommends -o Acquire::Retries=3 "${missing[@]}" </dev/null
