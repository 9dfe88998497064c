#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# check-example.sh PROGRAM DOC MANPAGE - the example of DOC (the C block
# after the line "<!-- example: ... -->", docs/library.md) and of
# MANPAGE (the first .EX block of its EXAMPLE section, libringbus(3),
# its escapes undone) is PROGRAM (tests/guest/lib/consumer.c), byte for
# byte: the guest test compiles and runs exactly what they show.
set -eu
prog=$1 doc=$2 man=$3
for f in "$prog" "$doc" "$man"; do
	if [ ! -f "$f" ]; then
		echo "check-example: $f is missing: not checked"
		exit 0
	fi
done
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
bad=0
awk '/^<!-- example: / { want = 1; next }
	want && /^```c$/ { inside = 1; next }
	inside && /^```$/ { exit }
	inside { print }' "$doc" >"$tmp"
if ! diff -u "$prog" "$tmp" >&2; then
	echo "check-example: the example in $doc is not $prog (diff above)" >&2
	bad=1
fi
awk '/^\.SH EXAMPLE/ { want = 1; next }
	want && /^\.EX$/ { inside = 1; next }
	inside && /^\.EE$/ { exit }
	inside { gsub(/\\-/, "-"); gsub(/\\e/, "\\"); print }' "$man" >"$tmp"
if ! diff -u "$prog" "$tmp" >&2; then
	echo "check-example: the example in $man is not $prog (diff above)" >&2
	bad=1
fi
[ "$bad" = 0 ] || exit 1
echo "check-example: $doc and $man show $prog"
