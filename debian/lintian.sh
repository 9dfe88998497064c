#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# lintian.sh - check the packages debian/build-deb.sh left in build/deb/:
# every tag is shown (pedantic and info included) and any error, warning
# or pedantic tag fails.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
set -- "$top"/build/deb/*.changes
if [ ! -f "$1" ]; then
	echo "lintian.sh: no .changes in $top/build/deb: run debian/build-deb.sh first" >&2
	exit 1
fi
exec lintian --pedantic --info --display-experimental --fail-on error,warning,pedantic "$@"
