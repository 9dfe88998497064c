#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# gen-abi-doc.sh [--check] - the generated parts of the documentation,
# from the code, so that they cannot drift from it:
#   docs/abi.md        the ioctl command table (values computed by the
#                      compiler for x86-64 and i386, which must agree) and
#                      the structure reference (kernel-doc of the UAPI
#                      header), between "<!-- generated: NAME -->" and
#                      "<!-- end generated -->" lines;
#   docs/kernel-api.md the in-kernel API, from the kernel-doc of every
#                      exported function of the core (core/*.c).
# The kernel's scripts/kernel-doc comes from linux-source-6.1 (extracted by
# tests/static/checkpatch.sh); KERNEL_DOC=path overrides it.  With --check
# nothing is written: the exit status says whether the files are current.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
check=
[ "${1:-}" = --check ] && check=1
kdoc=${KERNEL_DOC:-${RB_CACHE:-/var/cache/ringbus-test}/checkpatch/scripts/kernel-doc}
[ -f "$kdoc" ] || { echo "gen-abi-doc: no kernel-doc at $kdoc (run tests/static/checkpatch.sh)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# kernel-doc's reStructuredText, as Markdown: a heading per item, the
# definition or prototype as a C block, members and parameters as a list,
# the Description/Context/Return sections as paragraphs.
rst2md() {
	awk -v level="$1" '
	function flush() { if (para != "") { print para; print ""; para = "" } }
	function heading(h) { flush(); print level " " h; print "" }
	/^\.\. c:type:: / {
		sub(/^\.\. c:type:: /, "")
		heading("`" $0 "`")
		mode = "summary"; next
	}
	/^\.\. c:function:: / {
		sub(/^\.\. c:function:: /, "")
		sub(/ \(/, "(")
		gsub(/\* /, "*")
		sig = $0
		name = sig
		sub(/\(.*/, "", name)
		n = split(name, w, /[ *]+/)
		heading("`" w[n] "()`")
		print "```c"; print sig ";"; print "```"; print ""
		mode = "summary"; next
	}
	/^\*\*Definition\*\*$/ { flush(); mode = "def"; next }
	/^\*\*(Members|Parameters)\*\*$/ { flush(); mode = "list"; next }
	/^\*\*[A-Za-z ]+\*\*$/ { flush(); s = $0; gsub(/\*/, "", s)
		if (s != "Description") print "**" s ":**"; mode = "text"; next }
	mode == "def" && /^::$/ { print "```c"; indef = 1; next }
	mode == "def" && indef && /^  / { sub(/^  /, ""); print; seen = 1; next }
	mode == "def" && indef && /^$/ { if (seen) { print "```"; print ""; indef = 0; seen = 0; mode = "" } ; next }
	mode == "list" && /^``/ { flush(); item = $0; gsub(/``/, "`", item); para = "- " item ":"; next }
	mode == "list" && /^  / { sub(/^  +/, ""); para = para " " $0; next }
	/^   / && mode == "summary" { sub(/^ +/, ""); para = para (para == "" ? "" : " ") $0; next }
	/^$/ { flush(); next }
	{ line = $0; sub(/^ +/, "", line); para = para (para == "" ? "" : " ") line }
	END { flush() }' | sed -e 's/``\([^`]*\)``/`\1`/g' -e 's/\*\*\([a-z_]*\)\*\*/`\1`/g' |
		cat -s
}

# The ioctl table: every RINGBUS_IOC_* command of the UAPI header, its
# number, direction, size and value as the compiler computes them.
ioctl_table() {
	local cmds prog m
	cmds=$(sed -n 's/^#define \(RINGBUS_IOC_[A-Z_]*\)[[:space:]]*_IO.*/\1/p' include/uapi/linux/ringbus.h)
	{
		echo '#include <stdio.h>'
		echo '#include <sys/ioctl.h>'
		echo '#include <linux/ringbus.h>'
		echo 'static void row(const char *n, unsigned long v, const char *arg)'
		echo '{'
		echo '	const char *dir[] = { "none", "W", "R", "RW" };'
		echo '	printf("| `%s` | 0x%02lx | %s | `0x%08lx` | %s (%lu B) | %s |\n", n, _IOC_NR(v),'
		echo '	       dir[_IOC_DIR(v)], v, arg, (unsigned long)_IOC_SIZE(v), _IOC_NR(v) < 0x10 ? "control" : "channel");'
		echo '}'
		echo 'int main(void)'
		echo '{'
		for c in $cmds; do
			arg=$(sed -n "s/^#define $c[[:space:]]*_IO[RW]*(RINGBUS_IOC_MAGIC, 0x[0-9a-f]*, \(struct [a-z_]*\)).*/\1/p" include/uapi/linux/ringbus.h)
			echo "	row(\"$c\", $c, \"${arg:+\`$arg\`}\");"
		done
		echo '	return 0;'
		echo '}'
	} >"$tmp/table.c"
	for m in 64 32; do
		gcc -m$m -Wall -Werror -Iinclude/uapi -o "$tmp/table$m" "$tmp/table.c"
		"$tmp/table$m" | sed 's/ (0 B) |/ |/; s/| `RINGBUS_IOC_FLUSH` \(.*\) |  |/| `RINGBUS_IOC_FLUSH` \1 | none |/' >"$tmp/table$m.md"
	done
	if ! cmp -s "$tmp/table64.md" "$tmp/table32.md"; then
		echo "gen-abi-doc: the ioctl values differ between x86-64 and i386:" >&2
		diff "$tmp/table64.md" "$tmp/table32.md" >&2
		exit 1
	fi
	echo '| command | nr | dir | value (hex) | argument | node |'
	echo '| --- | --- | --- | --- | --- | --- |'
	cat "$tmp/table64.md"
}

# splice FILE NAME CONTENT-FILE: replace the generated block NAME.
splice() {
	awk -v name="$2" -v content="$3" '
	$0 == "<!-- generated: " name " -->" { print; while ((getline l < content) > 0) print l; skip = 1; found = 1; next }
	skip && $0 == "<!-- end generated -->" { skip = 0 }
	!skip { print }
	END { if (!found) { print "gen-abi-doc: no block " name > "/dev/stderr"; exit 1 } }' "$1"
}

ioctl_table >"$tmp/ioctl-table"
perl "$kdoc" -rst include/uapi/linux/ringbus.h 2>/dev/null | rst2md "###" >"$tmp/uapi-structs"
splice docs/abi.md ioctl-table "$tmp/ioctl-table" >"$tmp/abi.1"
splice "$tmp/abi.1" uapi-structs "$tmp/uapi-structs" >"$tmp/abi.md"
{
	cat <<'MD'
# ringbus in-kernel API

<!-- Generated by scripts/gen-abi-doc.sh from the kernel-doc comments of
     the core (core/*.c); edit those, then run it. make check fails when
     this file is out of date. -->

For modules that use `ringbus.ko`: `#include <linux/ringbus.h>`, state
`RINGBUS_IMPORT_NS()`, and build with `ringbus.mk` (see
[packaging.md](packaging.md) and `tests/consumer/`). Every function is
exported GPL-only in the `RINGBUS` symbol namespace. A channel pointer is
counted: each `ringbus_channel_create()`, `_get()` or `_get_by_name()`
is balanced by one `ringbus_channel_put()`.

MD
	perl "$kdoc" -rst -export core/channel.c core/write.c core/reader.c \
		core/stats.c 2>/dev/null | rst2md "##"
} >"$tmp/kernel-api.md"

rc=0
for f in abi.md kernel-api.md; do
	if [ -n "$check" ]; then
		if ! cmp -s "$tmp/$f" "docs/$f"; then
			echo "gen-abi-doc: docs/$f is out of date (run scripts/gen-abi-doc.sh):" >&2
			diff -u "docs/$f" "$tmp/$f" 2>&1 | head -n 30 >&2 || true
			rc=1
		fi
	else
		cp "$tmp/$f" "docs/$f"
	fi
done
exit $rc
