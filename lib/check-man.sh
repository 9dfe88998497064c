#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# check-man.sh MANDIR HEADER - the section 3 pages in MANDIR/man3: one
# (or a ".so" link) for every function HEADER declares LIBRINGBUS_API,
# no warning from "man --warnings", and a NAME section lexgrog parses.
set -eu
mandir=$1 hdr=$2
bad=0
for f in $(sed -n 's/^LIBRINGBUS_API [^(]*[ *]\(ringbus_[a-z0-9_]*\)(.*/\1/p' "$hdr") libringbus; do
	[ -f "$mandir/man3/$f.3" ] || { echo "check-man: no page $f.3" >&2; bad=1; }
done
if ! command -v man >/dev/null 2>&1 || ! command -v lexgrog >/dev/null 2>&1; then
	echo "check-man: man-db is not installed: the pages were not rendered"
	exit "$bad"
fi
cd "$mandir"
n=0
for page in man3/*.3; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null) || w="$w (man failed)"
	[ -z "$w" ] || { echo "check-man: $page: $w" >&2; bad=1; }
	lexgrog "$page" >/dev/null 2>&1 || { echo "check-man: $page: lexgrog cannot parse its NAME section" >&2; bad=1; }
	n=$((n + 1))
done
[ "$bad" = 0 ] || exit 1
echo "check-man: $n pages, no groff warning, every NAME section parses"
