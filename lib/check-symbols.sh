#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# check-symbols.sh SHLIB SONAME HEADER STATIC - what libringbus exports
# (make -C lib check): the SONAME; every dynamic symbol the shared library
# defines is a function declared LIBRINGBUS_API in HEADER, all of them
# are there, each of version LIBRINGBUS_0; the static library's global
# symbols of default visibility are ringbus_* too.
set -eu
shlib=$1 soname=$2 hdr=$3 static=$4
bad=0
no() { echo "check-symbols: $*" >&2; bad=1; }

got=$(LC_ALL=C readelf -d "$shlib" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
[ "$got" = "$soname" ] || no "$shlib has SONAME '$got', not $soname"

# nm -D prints NAME or NAME@@VERSION (binutils 2.35 and later); the
# version script's node itself is the absolute symbol LIBRINGBUS_0.
defined=$(nm -D --defined-only "$shlib" | awk '{ print $NF }' | sed 's/@.*//' | LC_ALL=C sort -u)
exported=$(printf '%s\n' "$defined" | grep -vx LIBRINGBUS_0 || true)
others=$(printf '%s\n' "$exported" | grep -v '^ringbus_' || true)
[ -z "$others" ] || no "exported symbols outside the API: $(echo $others)"
declared=$(sed -n 's/^LIBRINGBUS_API [^(]*[ *]\(ringbus_[a-z0-9_]*\)(.*/\1/p' "$hdr" | LC_ALL=C sort -u)
[ -n "$declared" ] || no "no LIBRINGBUS_API function found in $hdr"
missing=$(printf '%s\n' "$declared" | grep -vxF -e "$exported" || true)
[ -z "$missing" ] || no "declared in $hdr but not exported: $(echo $missing)"
extra=$(printf '%s\n' "$exported" | grep -vxF -e "$declared" || true)
[ -z "$extra" ] || no "exported but not declared in $hdr: $(echo $extra)"

# Every exported function carries the version node of the map.
unversioned=$(LC_ALL=C objdump -T "$shlib" | awk '$NF ~ /^ringbus_/ && $(NF - 1) != "LIBRINGBUS_0" { print $NF }')
[ -z "$unversioned" ] || no "not of version LIBRINGBUS_0: $(echo $unversioned)"

# Global symbols of default visibility (not the hidden helpers a 32-bit
# x86 build has, __x86.get_pc_thunk.*).
sglobal=$(LC_ALL=C readelf -sW "$static" |
	awk '$5 == "GLOBAL" && $6 == "DEFAULT" && $7 != "UND" { print $8 }' | LC_ALL=C sort -u)
sothers=$(printf '%s\n' "$sglobal" | grep -v '^ringbus_' || true)
[ -z "$sothers" ] || no "global symbols of $static outside the API: $(echo $sothers)"

[ "$bad" = 0 ] || exit 1
echo "check-symbols: $soname exports $(printf '%s\n' "$exported" | wc -l) functions, all ringbus_* of version LIBRINGBUS_0"
