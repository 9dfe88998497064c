#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# update-cases.sh TAP... - rewrite tests/guest/cases.txt, the list of every
# guest case by group that make check holds each boot to
# (tests/check-cases.awk), from the tap.txt of boots that ran every group
# (build/check/<suite>/boot-<kver>/tap.txt).  The "~" lines (patterns for
# names that differ by kernel) are kept, and the names they match are not
# listed again.  Review the diff: a case that went missing is a lost case.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list=$here/cases.txt
[ $# -gt 0 ] || { echo "usage: update-cases.sh TAP..." >&2; exit 2; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
	sed -n '/^[^#]/q; p' "$list" 2>/dev/null || true
	awk -F'\t' '
	FNR == NR {
		if ($0 !~ /^#/ && substr($2, 1, 1) == "~") {
			np[$1]++
			pat[$1, np[$1]] = substr($2, 2)
			if (!(($1, $2) in out)) {
				out[$1, $2] = 1
				order[++no] = $1 "\t" $2
			}
		}
		next
	}
	/^# group / { g = substr($0, 9); next }
	/^(not )?ok [0-9]+ - / {
		c = $0
		sub(/^(not )?ok [0-9]+ - /, "", c)
		sub(/ # SKIP.*$/, "", c)
		for (i = 1; i <= np[g]; i++)
			if (c ~ ("^(" pat[g, i] ")$"))
				next
		if (!((g, c) in out)) {
			out[g, c] = 1
			order[++no] = g "\t" c
		}
	}
	END { for (i = 1; i <= no; i++) print order[i] }
	' "$list" "$@" | sort -s -t "$(printf '\t')" -k1,1
} >"$tmp"
mv "$tmp" "$list"
trap - EXIT
echo "$(grep -vc '^#' "$list") cases in $list"
