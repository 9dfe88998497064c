#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# kernel-doc.sh - the kernel's scripts/kernel-doc (from linux-source-6.1,
# extracted by checkpatch.sh) finds no warning in any kernel source, and
# every exported function's kernel-doc has a Context: and a Return: line.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kdoc=${RB_CACHE:-/var/cache/ringbus-test}/checkpatch/scripts/kernel-doc
[ -f "$kdoc" ] || { echo "kernel-doc: run tests/static/checkpatch.sh first" >&2; exit 1; }
cd "$top"
files=$(git ls-files -- '*.c' '*.h' | grep -E '^(core|chardev|procfs|include)/')
rc=0
# shellcheck disable=SC2086
out=$(perl "$kdoc" -none $files 2>&1)
prc=$?
# -none exits 0 whatever it warns of: any other status is kernel-doc itself
# failing (a perl error, a missing module), which must not pass as clean.
if [ "$prc" != 0 ]; then
	printf '%s\n' "$out" | tail -n 5
	echo "kernel-doc: $kdoc exited with status $prc"
	rc=1
fi
# Here-strings, not printf | grep -q: with pipefail, grep -q leaving at
# its first match makes printf die of SIGPIPE and the pipeline fail.
if grep -q 'warning' <<<"$out"; then
	printf '%s\n' "$out" | grep 'warning'
	rc=1
fi
n=0
for f in $files; do
	for fn in $(sed -n 's/^EXPORT_SYMBOL[A-Z_]*(\([a-z_0-9]*\)).*/\1/p' "$f"); do
		n=$((n + 1))
		doc=$(awk -v fn="$fn" '
			$0 ~ "^ \\* " fn "\\(\\) - " { on = 1 }
			on { print }
			on && /^ \*\// { exit }' "$f")
		if [ -z "$doc" ]; then
			echo "$f: exported $fn has no kernel-doc comment"
			rc=1
			continue
		fi
		for key in Context: Return:; do
			grep -q "^ \* $key" <<<"$doc" ||
				{ echo "$f: kernel-doc of $fn has no $key line"; rc=1; }
		done
	done
done
[ "$n" -gt 0 ] || { echo "no exported functions found"; rc=1; }
[ "$rc" = 0 ] && echo "$n exported functions documented"
exit $rc
