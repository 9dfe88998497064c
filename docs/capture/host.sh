#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# docs/capture/host.sh [-s SUITE] [-k KVER]  capture: boot the guest make check
#     prepares (build/check/SUITE, prepared first if it is not there), run
#     docs/capture/guest.sh in it, split its output into
#     docs/captured/NAME.txt and update both documents from them.
# host.sh --update  only update both documents from docs/captured/.
# host.sh --check     verify that every capture block of both documents
#     matches its docs/captured/NAME.txt, that both use the same capture
#     names in the same order and that every captured file is used (no
#     boot, no root needed); exit 1 on drift.
#
# The documents are docs/concepts.md and its Russian version
# docs/ru/concepts.md: both show the same captured output.  In each, a
# capture block is
#     <!-- capture NAME -->
#     ```
#     ...the contents of docs/captured/NAME.txt...
#     ```
#     <!-- end capture -->
# and everything between the two comment lines is replaced.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
vm=$top/tests/vm
. "$vm/lib.sh"

# The documents rendered from docs/captured/, named relative to $top; the
# first is the reference the others' capture names are compared with.
docs=(docs/concepts.md docs/ru/concepts.md)
capdir=$top/docs/captured

# render DOC CAPDIR: DOC with every capture block filled from CAPDIR.
render() {
	awk -v dir="$2" '
	function fill(name,   f, line, n) {
		f = dir "/" name ".txt"
		print "```"
		n = 0
		while ((getline line <f) > 0) {
			print line
			n++
		}
		close(f)
		if (n == 0) {
			printf "docs-capture: %s is missing or empty\n", f >"/dev/stderr"
			bad = 1
		}
		print "```"
	}
	/^<!-- capture [a-z0-9_-]+ -->$/ {
		if (inblock) {
			printf "docs-capture: line %d: capture block inside another\n", NR >"/dev/stderr"
			bad = 1
		}
		print
		name = $3
		inblock = 1
		fill(name)
		next
	}
	/^<!-- end capture -->$/ {
		if (!inblock) {
			printf "docs-capture: line %d: end without a capture block\n", NR >"/dev/stderr"
			bad = 1
		}
		inblock = 0
		print
		next
	}
	!inblock { print }
	END {
		if (inblock) {
			print "docs-capture: unterminated capture block " name >"/dev/stderr"
			bad = 1
		}
		exit bad
	}' "$1"
}

# used_names DOC: the capture names DOC (relative to $top) uses, in order.
used_names() {
	sed -n 's/^<!-- capture \([a-z0-9_-]*\) -->$/\1/p' "$top/$1"
}

check() {
	local rc=0 tmp d f n ref=${docs[0]}
	tmp=$(mktemp)
	for d in "${docs[@]}"; do
		[ -f "$top/$d" ] || { rb_log "$d is missing"; rc=1; continue; }
		render "$top/$d" "$capdir" >"$tmp" || rc=1
		if ! cmp -s "$tmp" "$top/$d"; then
			rb_log "$d differs from docs/captured/ (run docs/capture/host.sh --update):"
			diff -u "$top/$d" "$tmp" | head -n 40 >&2 || true
			rc=1
		fi
		# Both languages show the same output: the same blocks, in the same order.
		if [ "$d" != "$ref" ] && [ -f "$top/$ref" ] &&
			! diff <(used_names "$ref") <(used_names "$d") >/dev/null; then
			rb_log "$d does not use the same capture blocks, in the same order, as $ref:"
			diff -u --label "$ref" --label "$d" <(used_names "$ref") <(used_names "$d") >&2 || true
			rc=1
		fi
	done
	rm -f "$tmp"
	for f in "$capdir"/*.txt; do
		[ -e "$f" ] || continue
		n=$(basename "$f" .txt)
		for d in "${docs[@]}"; do
			[ -f "$top/$d" ] && used_names "$d" | grep -x "$n" >/dev/null && continue 2
		done
		rb_log "docs/captured/$n.txt is used by no document (${docs[*]})"
		rc=1
	done
	[ "$rc" = 0 ] && echo "${docs[*]}: each matches docs/captured/ ($(used_names "$ref" | wc -l) blocks)"
	return $rc
}

# update: render every document first, then write them all (or none).
update() {
	local d tmps=() i
	for d in "${docs[@]}"; do
		tmps+=("$(mktemp)")
		render "$top/$d" "$capdir" >"${tmps[-1]}" || {
			rm -f "${tmps[@]}"
			rb_die "$d could not be rendered: no document was updated"
		}
	done
	for i in "${!docs[@]}"; do
		cat "${tmps[$i]}" >"$top/${docs[$i]}"
	done
	rm -f "${tmps[@]}"
	rb_log "${docs[*]} updated from docs/captured/"
}

case "${1:-}" in
--check) check; exit ;;
--update) update; exit ;;
esac

suite=bookworm
kver=
while getopts s:k: opt; do
	case $opt in
	s) suite=$OPTARG ;;
	k) kver=$OPTARG ;;
	*) rb_die "usage: docs-capture.sh [-s SUITE] [-k KVER] | --check | --update" ;;
	esac
done
out=$top/build/check/$suite
root=$out/root
rb_prepared_guest "$suite" "$out"
# The root's own kernel (the one the suite's image installs), not a newer
# one the package life cycle added: what a user of the suite has.
[ -n "$kver" ] || kver=$(cat "$out/kver")
"$vm/install-tests.sh" "$root/usr/lib/ringbus-tests"
rb_make_image "$root" "$out/root.img"

b=$out/boot-$kver
rb_log "booting $kver with rbtest.script=docs-capture (console: $b/console.log)"
RB_CMDLINE="${RB_CMDLINE:-} rbtest.script=docs-capture" "$vm/boot.sh" "$out" "$kver" ||
	rb_die "the guest did not finish (console: $b/console.log)"
raw=$b/docs-capture.txt
tr -d '\r\000' <"$b/results.txt" |
	sed -n '/^RINGBUS-DOCS_CAPTURE-BEGIN$/,/^RINGBUS-DOCS_CAPTURE-END$/p' >"$raw"
grep -q '^RINGBUS-DOCS_CAPTURE-END$' "$raw" || rb_die "no complete capture in $b/results.txt"
grep -q '^=== capture end$' "$raw" || rb_die "the capture script stopped early ($raw)"

rm -rf "$capdir"
mkdir -p "$capdir"
awk -v dir="$capdir" '
/^=== capture [a-z0-9_-]+$/ {
	if (f)
		close(f)
	f = ($3 == "end") ? "" : dir "/" $3 ".txt"
	next
}
/^RINGBUS-DOCS_CAPTURE-(BEGIN|END)$/ { next }
f { print >f }' "$raw"
rb_log "captured $(ls "$capdir" | wc -l) sections into docs/captured/ (kernel $kver)"
update
check
