#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side self test of ringbusctl: option parsing, exit statuses and error
# messages, the /proc/ringbus text-to-JSON conversion and the man page.
# Needs no ringbus module (and never loads one).
#
#   utils/selftest.sh [PATH-TO-RINGBUSCTL]     (default: ringbusctl next to this script)
#
# Ends with "N passed, N failed"; exits 1 if anything failed.

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/ringbusctl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok()  { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; sed 's/^/       /' "$tmp/err" "$tmp/out" 2>/dev/null; }

# expect STATUS DESCRIPTION -- COMMAND...: run it, check its exit status.
expect() {
	want=$1 desc=$2
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$desc"; else echo "       exit $got, wanted $want"; bad "$desc"; fi
}

# grep_in FILE PATTERN DESCRIPTION
grep_in() {
	if grep -q -e "$2" "$tmp/$1"; then ok "$3"; else bad "$3"; fi
}

if [ ! -x "$bin" ]; then
	echo "selftest: $bin not built (make -C utils)" >&2
	exit 1
fi

expect 0 "--help exits 0" -- "$bin" --help
grep_in out '^Usage: ringbusctl' "--help prints usage on stdout"
expect 0 "-h exits 0" -- "$bin" -h
expect 0 "create --help exits 0" -- "$bin" create --help
expect 0 "--version exits 0" -- "$bin" --version
grep_in out '0\.1\.0' "--version prints 0.1.0"
expect 0 "-V exits 0" -- "$bin" -V
grep_in out '^ringbusctl 0\.1\.0$' "-V prints 'ringbusctl 0.1.0'"

expect 2 "no command exits 2" -- "$bin"
expect 2 "unknown command exits 2" -- "$bin" bogus
grep_in err "ringbusctl: unknown command 'bogus'" "unknown command is named"
grep_in err '^Usage: ' "usage error prints a usage line"
expect 2 "unknown global option exits 2" -- "$bin" --bogus list
expect 2 "unknown command option exits 2" -- "$bin" list --bogus
expect 2 "--control without argument exits 2" -- "$bin" --control
expect 2 "create without a name exits 2" -- "$bin" create
grep_in err 'missing channel name' "create without a name says so"
expect 2 "create --capacity 12Q exits 2" -- "$bin" create x --capacity 12Q
grep_in err "invalid --capacity '12Q'" "bad --capacity is named"
expect 2 "--capacity -1 exits 2" -- "$bin" create x --capacity -1
expect 2 "--capacity 1000 (not a power of two) exits 2" -- "$bin" create x --capacity 1000
expect 2 "--capacity overflow exits 2" -- "$bin" create x --capacity 18014398509481984M
expect 2 "--capacity 99999999999999999999 exits 2" -- "$bin" create x --capacity 99999999999999999999
expect 2 "--max-record 4G exits 2" -- "$bin" create x --max-record 4194304K
expect 2 "--mode bogus exits 2" -- "$bin" create x --mode bogus
expect 2 "--perm 0778 exits 2" -- "$bin" create x --perm 0778
expect 2 "--perm 1777 exits 2" -- "$bin" create x --perm 1777
expect 2 "--ttl 1K exits 2" -- "$bin" create x --ttl 1K
expect 2 "--owner unknown user exits 2" -- "$bin" create x --owner no-such-user-rbtest
expect 2 "--group unknown group exits 2" -- "$bin" create x --group no-such-group-rbtest
expect 2 "invalid channel name exits 2" -- "$bin" create Bad/Name
expect 2 "'control' is not a channel name" -- "$bin" destroy control
expect 2 "32-byte name exits 2" -- "$bin" info abcdefghijabcdefghijabcdefghijab
expect 2 "destroy with two names exits 2" -- "$bin" destroy a b
expect 2 "list with an argument exits 2" -- "$bin" list x
expect 2 "recv -n 0 exits 2" -- "$bin" recv x -n 0
expect 2 "recv -n x exits 2" -- "$bin" recv x -n x
expect 2 "recv --from-start --from-end exits 2" -- "$bin" recv x --from-start --from-end

expect 1 "--control /nonexistent list exits 1" -- "$bin" --control /nonexistent list
grep_in err '^ringbusctl: /nonexistent: No such file or directory' "missing control node is named"
grep_in err 'is the ringbus module installed' "missing control node gives a hint"
expect 1 "create with a missing control node exits 1" -- "$bin" --control /nonexistent create x --capacity 4K --mode queue --perm 0640 --owner 0 --group root
expect 1 "version with a missing control node exits 1" -- "$bin" version --control /nonexistent
grep_in out '^ringbusctl 0\.1\.0 (ABI 1\.0)$' "version prints the tool's version anyway"
expect 1 "send to a missing channel exits 1" -- "$bin" --dev-dir "$tmp" send x hello
grep_in err "^ringbusctl: $tmp/x: No such file or directory" "missing channel node is named"
expect 1 "recv from a missing channel exits 1" -- "$bin" recv --dev-dir "$tmp" x

# /proc/ringbus conversion, on made-up files.
mkdir "$tmp/proc"
printf 'channels 2\nrecords_written: 10\nname  some text\nneg -3\nzero 0\nlead 007\n' >"$tmp/proc/stats"
printf 'cpu records_written bytes\n0 5 100\n1 "x\\ 7\n\n' >"$tmp/proc/cpus"
expect 0 "stats copies /proc/ringbus/stats" -- env RINGBUSCTL_PROC_DIR="$tmp/proc" "$bin" stats
if cmp -s "$tmp/out" "$tmp/proc/stats"; then ok "stats output is the file"; else bad "stats output is the file"; fi
expect 0 "stats --json" -- env RINGBUSCTL_PROC_DIR="$tmp/proc" "$bin" stats --json
grep_in out '"records_written":10' "stats --json: numbers stay numbers"
grep_in out '"name":"some text"' "stats --json: text becomes a string"
grep_in out '"lead":"007"' "stats --json: 007 is not a JSON number"
cp "$tmp/out" "$tmp/stats.json"
expect 0 "stats --cpus --json" -- env RINGBUSCTL_PROC_DIR="$tmp/proc" "$bin" --json stats --cpus
grep_in out '{"cpu":0,"records_written":5,"bytes":100}' "stats --cpus --json: a row"
grep_in out '"records_written":"\\"x\\\\"' "stats --cpus --json: quotes and backslashes escaped"
cp "$tmp/out" "$tmp/cpus.json"
if command -v python3 >/dev/null 2>&1; then
	for f in stats cpus; do
		if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/$f.json" 2>"$tmp/err"
		then ok "$f --json is valid JSON"; else bad "$f --json is valid JSON"; fi
	done
fi
rm "$tmp/proc/cpus"
expect 1 "stats --cpus without the file exits 1" -- env RINGBUSCTL_PROC_DIR="$tmp/proc" "$bin" stats --cpus
grep_in err 'is the ringbus_proc module loaded' "missing /proc file gives a hint"

# The man page renders without warnings.
if command -v man >/dev/null 2>&1 && [ -f "$here/ringbusctl.1" ]; then
	MANWIDTH=80 man --warnings -E UTF-8 -l "$here/ringbusctl.1" >/dev/null 2>"$tmp/err"
	if [ ! -s "$tmp/err" ]; then ok "man page has no warnings"; else bad "man page has no warnings"; fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
