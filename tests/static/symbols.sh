#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# symbols.sh DIR - every global symbol defined in every .ko in DIR is the
# module glue (init_module, cleanup_module, __this_module) or an exported
# symbol (listed in DIR/Module.symvers) with the ringbus_ prefix.  Everything
# else must be static.
set -u
dir=${1:?usage: symbols.sh DIR}
bad=0
n=0
for ko in "$dir"/*.ko; do
	[ -e "$ko" ] || { echo "no modules in $dir"; exit 1; }
	n=$((n + 1))
	while read -r _ type sym; do
		case "$type" in [A-Z]) ;; *) continue ;; esac
		case "$sym" in
		__this_module | init_module | cleanup_module) ;;
		ringbus_*)
			if ! grep -q "	$sym	" "$dir/Module.symvers"; then
				echo "$(basename "$ko"): global $sym is not exported (make it static)"
				bad=1
			fi
			;;
		*)
			echo "$(basename "$ko"): global $sym lacks the ringbus_ prefix (make it static)"
			bad=1
			;;
		esac
	done < <(nm --defined-only "$ko")
done
[ "$n" = 3 ] || { echo "expected 3 modules in $dir, found $n"; bad=1; }
exit $bad
