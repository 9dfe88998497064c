#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# checkpatch.sh - checkpatch.pl --strict, from Debian's linux-source-6.1,
# over every kernel source file of the suite; no error, warning or check
# may remain.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${RB_CACHE:-/var/cache/ringbus-test}/checkpatch
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "checkpatch: install linux-source-6.1" >&2; exit 1; }
if [ ! -x "$cache/scripts/checkpatch.pl" ] || [ "$tarball" -nt "$cache/scripts/checkpatch.pl" ]; then
	rm -rf "$cache"
	mkdir -p "$cache"
	tar -C "$cache" --strip-components=1 -xf "$tarball" --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' '*/scripts/kernel-doc'
	touch "$cache/scripts/checkpatch.pl"
fi
cd "$top"
cp="$cache/scripts/checkpatch.pl --strict --no-tree --show-types --quiet --no-summary"
rc=0
files=$(git ls-files -- '*.c' '*.h' | grep -E '^(core|chardev|procfs|include|tests/consumer|tests/kunit)/')
[ -n "$files" ] || { echo "checkpatch: no kernel sources found" >&2; exit 1; }
# shellcheck disable=SC2086
$cp -f $files || rc=1
exit $rc
