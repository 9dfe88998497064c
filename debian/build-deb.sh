#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# build-deb.sh - build the Debian packages (the "make deb" recipe).
#
# Copies the source tree (the files git tracks plus untracked files git does
# not ignore; the whole tree but build/ and .git when not in a git checkout)
# to build/deb/ringbus-<version>/, runs "dpkg-buildpackage -us -uc -b"
# there and leaves the .deb, .changes and .buildinfo files in build/deb/.
# Nothing is installed and no module is built or loaded on this machine.
#
#   debian/build-deb.sh [extra dpkg-buildpackage options]
#   debian/build-deb.sh --stage DIR
#	only copy the source tree to DIR/ringbus-<version>/ (for a build
#	somewhere else, e.g. inside an older suite's root).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/deb
stage=
if [ "${1:-}" = --stage ]; then
	stage=1
	out=${2:?usage: build-deb.sh --stage DIR}
fi
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
upstream=${version#*:}
upstream=${upstream%-*}
tree=$out/ringbus-$upstream

rm -rf "$out"
mkdir -p "$tree"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Files deleted from the work tree but not from the index are skipped.
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 -r sh -c 'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null --no-recursion -T - -cf -) | tar -xf - -C "$tree"
else
	(cd "$top" && tar --exclude=./build --exclude=./.git -cf - .) | tar -xf - -C "$tree"
fi

[ -z "$stage" ] || exit 0
cd "$tree"
dpkg-buildpackage -us -uc -b "$@"
cd "$out"
ls -l ./*.deb ./*.changes ./*.buildinfo
