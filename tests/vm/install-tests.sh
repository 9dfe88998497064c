#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# install-tests.sh TDIR - copy the guest side of the tests into TDIR (the
# root's /usr/lib/ringbus-tests): the guest runner and its groups
# (tests/guest), the sources of the test programs (tests/guest/src) and
# of the benchmark (bench) and of ringbusctl, the package version and the
# symbol check.  build-programs, run in the root, compiles the programs
# there with the root's compiler against the UAPI header the package
# installed.  What
# an earlier copy built (bin/, consumer/) is replaced or kept as it is.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tdir=${1:?usage: install-tests.sh TDIR}

mkdir -p "$tdir/bin"
rm -rf "$tdir/t" "$tdir/src" "$tdir/stress" "$tdir/fuzz" "$tdir/bench"
cp -a "$top/tests/guest/." "$tdir/"
cp -a "$top/bench" "$tdir/bench"
# The guest sides of make demo, make bench and make docs-capture, run by
# ./run for rbtest.script=demo, bench or docs-capture.
cp "$top/demo/guest.sh" "$tdir/demo.sh"
cp "$top/bench/guest.sh" "$tdir/bench.sh"
cp "$top/docs/capture/guest.sh" "$tdir/docs-capture.sh"
sed -n 's/^PACKAGE_VERSION="\([0-9.]*\)".*/\1/p' "$top/dkms.conf" >"$tdir/VERSION"
cp "$top/tests/static/symbols.sh" "$tdir/"
# ringbusctl's sources (utils/*.c and their headers), for a copy built
# against another ABI (30-cli); afresh, so that no file an earlier copy
# had is built with them.
rm -rf "$tdir/ringbusctl-src"
mkdir -p "$tdir/ringbusctl-src"
cp "$top"/utils/*.c "$top"/utils/*.h "$tdir/ringbusctl-src/"
# libringbus's sources (lib/libringbus.c and lib/ringbus.h), compiled into
# the 32-bit build of its test suite (35-lib); afresh, as above.
rm -rf "$tdir/libringbus-src"
mkdir -p "$tdir/libringbus-src"
cp "$top/lib/libringbus.c" "$top/lib/ringbus.h" "$tdir/libringbus-src/"
