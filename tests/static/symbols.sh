#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# symbols.sh MODULE.SYMVERS KO... - every global symbol a module defines is
# the module glue (init_module, cleanup_module, __this_module), an exported
# symbol (listed in MODULE.SYMVERS) with the ringbus_ prefix, or one the
# objects of a module built from several share (the core's files, declared
# in core/internal.h) with the rbus_ prefix and not exported.  Everything
# else must be static.  What the toolchain adds by itself is
# allowed: __pfx_<symbol> padding labels (CONFIG_CALL_PADDING, 6.2+) and
# __crc_<symbol> modversions CRCs (absolute symbols up to 6.x) of an allowed
# symbol, and the __start_/__stop_ bounds of linker sections (e.g.
# alloc_tags, 6.10+).  Compressed modules (.ko.xz, .ko.zst, .ko.gz) are
# unpacked first.  Used by make check on the W=1 build and by the guest on
# the installed modules.
set -u
symvers=${1:?usage: symbols.sh MODULE.SYMVERS KO...}
shift
[ $# -gt 0 ] || { echo "symbols.sh: no modules given"; exit 1; }
[ -f "$symvers" ] || { echo "symbols.sh: no $symvers"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0

allowed() {
	case "$1" in
	__this_module | init_module | cleanup_module) return 0 ;;
	ringbus_*)
		grep -q "	$1	" "$symvers" && return 0
		echo "$name: global $1 is not exported (make it static)"
		return 1
		;;
	rbus_*)
		grep -q "	$1	" "$symvers" || return 0
		echo "$name: rbus_ symbols are the module's own: $1 is exported (call it ringbus_)"
		return 1
		;;
	*)
		echo "$name: global $1 lacks the ringbus_ (exported) or rbus_ (shared by the module's objects) prefix (make it static)"
		return 1
		;;
	esac
}

for ko in "$@"; do
	name=$(basename "$ko")
	case "$ko" in
	*.xz) xz -dc "$ko" >"$tmp/m.ko" ;;
	*.zst) zstd -qdc "$ko" >"$tmp/m.ko" ;;
	*.gz) gzip -dc "$ko" >"$tmp/m.ko" ;;
	*) cp "$ko" "$tmp/m.ko" ;;
	esac || { echo "$name: cannot read"; bad=1; continue; }
	# A module nm cannot read (or one with no module glue) fails: the
	# loop below would otherwise see no symbol and find nothing wrong.
	if ! nm --defined-only "$tmp/m.ko" >"$tmp/syms" 2>"$tmp/nm.err"; then
		echo "$name: nm failed: $(head -n 1 "$tmp/nm.err")"
		bad=1
		continue
	fi
	if ! grep -q ' __this_module$' "$tmp/syms"; then
		echo "$name: no __this_module symbol: not a kernel module"
		bad=1
		continue
	fi
	while read -r _ type sym; do
		case "$type" in [A-Z]) ;; *) continue ;; esac
		case "$sym" in
		__start_* | __stop_*) continue ;;
		__pfx_*) sym=${sym#__pfx_} ;;
		__crc_*) sym=${sym#__crc_} ;;	# modversions CRC of an export (5.10)
		esac
		allowed "$sym" || bad=1
	done <"$tmp/syms"
done
exit $bad
