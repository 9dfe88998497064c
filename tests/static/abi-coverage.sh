#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# abi-coverage.sh - every name of the user-space interface the modules
# declare is documented in docs/abi.md, in its section: the sysfs
# attributes of a channel (__ATTR() in chardev/, section 9), the
# /proc/ringbus files (proc_create_single() in procfs/, section 10), the
# module parameters (module_param() in every module, section 11) and every
# errno the modules return (-EXXX, section 13), but ESTALE, which never
# leaves the core (a broadcast read retries on it).  The ioctl commands
# and structs are generated (scripts/gen-abi-doc.sh).  Prints what is
# missing; exit 1 if anything is.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
doc=docs/abi.md
missing=0
# section N: the text of "## N. ..." up to the next "## ".
section() { awk -v n="## $1. " 'index($0, n) == 1 { p = 1; next } /^## / { p = 0 } p' "$doc"; }
# need N WHAT TEXT...: every word after WHAT must appear as TEXT in section N.
need() {
	local n=$1 what=$2 name text
	shift 2
	text=$(section "$n")
	[ -n "$text" ] || { echo "abi-coverage: $doc has no section $n"; missing=1; return; }
	for name in "$@"; do
		if ! grep -Fq -- "$name" <<<"$text"; then
			echo "abi-coverage: $what $name is not in section $n of $doc"
			missing=1
		fi
	done
}
attrs=$(sed -n 's/.*__ATTR(\([a-z_]*\),.*/`\1`/p' chardev/*.c | sort -u)
procs=$(sed -n 's/.*proc_create_single("\([a-z_]*\)".*/\/proc\/ringbus\/\1/p' procfs/*.c | sort -u)
params=$(sed -n 's/^module_param[a-z_]*(\([a-z_]*\),.*/`\1`/p' core/*.c chardev/*.c procfs/*.c | sort -u)
errnos=$(grep -ohE -- '-E[A-Z0-9]+\b' core/*.c chardev/*.c procfs/*.c | sed 's/^-\(.*\)/`\1`/' |
	sort -u | grep -vx '`ESTALE`')
[ -n "$attrs" ] && [ -n "$procs" ] && [ -n "$params" ] && [ -n "$errnos" ] ||
	{ echo "abi-coverage: found no attributes, proc files, parameters or errnos in the sources"; exit 1; }
# shellcheck disable=SC2086 # one name per word
need 9 "sysfs attribute" $attrs
# shellcheck disable=SC2086
need 10 "proc file" $procs
# shellcheck disable=SC2086
need 11 "module parameter" $params
# shellcheck disable=SC2086
need 13 "errno" $errnos
[ "$missing" = 0 ] && echo "abi-coverage: $(wc -w <<<"$attrs") sysfs attributes, $(wc -w <<<"$procs") proc files, $(wc -w <<<"$params") parameters and $(wc -w <<<"$errnos") errnos documented"
exit "$missing"
