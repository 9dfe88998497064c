#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Fail if the versions of the suite have drifted apart: the upstream part of
# the debian/changelog version, PACKAGE_VERSION in dkms.conf (which Kbuild
# turns into MODULE_VERSION) and ringbusctl's built-in default.
# Run from the top of the source tree (debian/rules does).
set -eu
changelog=$(dpkg-parsechangelog -S Version)
upstream=${changelog#*:}            # no epoch
upstream=${upstream%-*}             # no Debian revision (if any)
dkms=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' dkms.conf)
cli=$(sed -n 's/^#define RINGBUS_VERSION "\(.*\)"$/\1/p' utils/ringbusctl.c)
status=0
if [ "$dkms" != "$upstream" ]; then
	echo "check-versions: debian/changelog says $upstream, dkms.conf PACKAGE_VERSION says ${dkms:-nothing}" >&2
	status=1
fi
if [ "$cli" != "$upstream" ]; then
	echo "check-versions: debian/changelog says $upstream, utils/ringbusctl.c RINGBUS_VERSION says ${cli:-nothing}" >&2
	status=1
fi
[ $status -eq 0 ] && echo "check-versions: $upstream everywhere"
exit $status
