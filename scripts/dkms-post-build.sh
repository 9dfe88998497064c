#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# DKMS POST_BUILD step (see dkms.conf): run in the DKMS build directory
# after a successful build, with DKMS's per-kernel directory
# (/var/lib/dkms/ringbus/<version>/<kernel>/<arch>) as argument.  Keeps
# there what a third-party module needs to build against ringbus.ko once
# DKMS has deleted the build directory: the core's Module.symvers (for
# KBUILD_EXTRA_SYMBOLS), the in-kernel API headers, and ringbus.mk, the
# Kbuild fragment that sets both up, and the kernel feature probes' results.  "dkms remove"
# deletes that directory, and these files with it.
set -e
dest=${1:?usage: dkms-post-build.sh DKMS-KERNEL-DIR}
mkdir -p "$dest/include/linux" "$dest/include/uapi/linux"
cp Module.symvers "$dest/Module.symvers"
cp scripts/ringbus.mk "$dest/"
cp ringbus_config.h "$dest/include/"
cp include/linux/ringbus.h include/linux/ringbus_compat.h "$dest/include/linux/"
cp include/uapi/linux/ringbus.h "$dest/include/uapi/linux/"
