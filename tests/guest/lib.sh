# SPDX-License-Identifier: GPL-2.0-only
# Helpers of the guest tests (sourced).  A case is a shell function run in a
# subshell by rb_case; any failing assertion ends it with a diagnostic.

RB_DIR=${RB_DIR:-/usr/lib/ringbus-tests}
RB_BIN=$RB_DIR/bin
RB_VERSION=$(cat "$RB_DIR/VERSION")
RB_MODULES="ringbus ringbus_cdev ringbus_proc"

# rb_case NAME FUNCTION [ARGS...] - run one test case, print its TAP line.
# The case runs in a subshell of its own process group, for at most
# RB_CASE_TIMEOUT seconds (600; a group sets it higher before a long case).
# A case still running then fails alone: the stacks of blocked tasks go to
# the kernel log (sysrq w) and into its diagnostics, and everything of its
# process group is killed, so the rest of the group goes on.
rb_case() {
	local name=$1 log rc pid wd tmo=${RB_CASE_TIMEOUT:-600} t0=$SECONDS
	shift
	log=$(mktemp /tmp/rb-case.XXXXXX)
	# set -m: each background job a process group of its own; set +m in
	# it, so that everything the case starts stays in the case's group.
	set -m
	(set +m; "$@") >"$log" 2>&1 </dev/null &
	pid=$!
	# The watchdog, a process group of its own too: killed with its sleep.
	(set +m; sleep "$tmo" && : >"$log.timeout" && echo w >"${RB_SYSRQ:-/proc/sysrq-trigger}" &&
		kill -KILL -- -"$pid") >/dev/null 2>&1 </dev/null &
	wd=$!
	set +m
	{ wait "$pid"; } 2>/dev/null
	rc=$?
	kill -KILL -- -"$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	if [ -e "$log.timeout" ]; then
		rc=124
		{
			echo "TIMEOUT: the case ran for more than ${tmo}s and was killed; blocked tasks:"
			dmesg | sed -n '/sysrq: Show Blocked State/,$p' | tail -n 60
		} >>"$log"
	fi
	# Whatever the case left in its process group goes with it.
	kill -KILL -- -"$pid" 2>/dev/null
	if [ "$rc" = 0 ]; then
		rb_tap ok "$name"
	else
		rb_tap "not ok" "$name"
		sed 's/^/#   /' "$log"
	fi
	echo "# took $((SECONDS - t0))s"
	rm -f "$log" "$log.timeout"
}

# rb_tap STATUS NAME [DIRECTIVE]: one TAP 13 test line, "ok 12 - NAME" or
# "not ok 12 - NAME", numbered across every group of the boot (the
# runner's counter file RB_TAP_COUNT; the plan it printed first counts
# tests/guest/cases.txt's cases of the groups it runs).  DIRECTIVE: "SKIP
# why" for a case whose subject this machine lacks.
rb_tap() {
	local f=${RB_TAP_COUNT:-/tmp/rb-tap-count} n=0
	[ -s "$f" ] && n=$(cat "$f")
	n=$((n + 1))
	echo "$n" >"$f"
	echo "$1 $n - $2${3:+ # $3}"
}

# rb_not_ok NAME: a failure outside any case (a group that cannot start).
rb_not_ok() { rb_tap "not ok" "$1"; }

# rb_skip NAME WHY: a case that cannot run here, reported as skipped (the
# host counts it, apart from the passes).
rb_skip() {
	rb_tap ok "$1" "SKIP $2"
	echo "# took 0s"
}

fail() {
	echo "FAIL: $*"
	exit 1
}

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# assert_match WHAT REGEX TEXT
assert_match() {
	printf '%s\n' "$3" | grep -Eq -- "$2" || fail "$1: '$3' does not match /$2/"
}

# as USER CMD...: run a command as an unprivileged user.
as() {
	local user=$1
	shift
	setpriv --reuid="$user" --regid="$user" --init-groups --inh-caps=-all -- "$@"
}

loaded() { grep -q "^$1 " /proc/modules; }

assert_loaded() {
	local m
	for m in "$@"; do
		loaded "$m" || fail "module $m is not loaded ($(cut -d' ' -f1 /proc/modules | grep ringbus | tr '\n' ' '))"
	done
}

assert_not_loaded() {
	local m
	for m in "$@"; do
		loaded "$m" && fail "module $m is still loaded"
	done
	return 0
}

# Remove the whole suite, whatever is loaded.
unload_all() {
	modprobe -r ringbus_proc ringbus_cdev ringbus 2>/dev/null
	assert_not_loaded $RB_MODULES
}

load_all() {
	modprobe ringbus_cdev || fail "modprobe ringbus_cdev failed"
	assert_loaded $RB_MODULES
}

# Kernel log lines printed since the mark dmesg_mark took.
dmesg_mark() { RB_DMESG_MARK=$(dmesg | wc -l); }
dmesg_since() { dmesg | tail -n +"$((RB_DMESG_MARK + 1))"; }

# pid_state PID: the one-letter state of a process.
pid_state() { awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null; }

# wait_sleeping PID [PATTERN]: until the process sleeps with PATTERN (an
# ERE; default ringbus: it blocked in ringbus code) in its kernel stack.
wait_sleeping() {
	local i pat=${2:-ringbus}
	for i in $(seq 1 100); do
		if [ "$(pid_state "$1")" = S ] && grep -Eq "$pat" "/proc/$1/stack" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	fail "process $1 did not block in $pat (state $(pid_state "$1"), stack: $(cat "/proc/$1/stack" 2>/dev/null | head -n 3 | tr '\n' ' '))"
}

# wait_file_has FILE TEXT: until FILE holds a line TEXT, within 10 s.
wait_file_has() {
	local i
	for i in $(seq 1 100); do
		grep -qxF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "no line '$2' in $1 within 10 s (it has: $(head -c 200 "$1" 2>/dev/null))"
}

# faults_prepare: the fault-injection groups' start (the debug kernel
# only).  Sets FN (rb-failnth) and OUT (a fresh directory); a kernel
# without fault injection fails the group's first case and ends it.
faults_prepare() {
	FS=/sys/kernel/debug/failslab
	FN=$RB_BIN/rb-failnth
	if [ ! -e /proc/self/fail-nth ] || [ ! -d "$FS" ]; then
		rb_not_ok "faults: this kernel has no fault injection (/proc/self/fail-nth, $FS): the group is the debug kernel's"
		exit 0
	fi
	OUT=$(mktemp -d /tmp/rb-faults.XXXXXX)
	# failslab as fail-nth needs it: sleeping allocations too (the
	# default ignores them), and quiet - its stack dumps would fail the
	# kernel-log check.  fail_page_alloc counts its sites for fail-nth
	# too (higher orders, atomic ones): quiet as well.
	FP=/sys/kernel/debug/fail_page_alloc
	old_wait=$(cat "$FS/ignore-gfp-wait")
	old_verbose=$(cat "$FS/verbose")
	old_pverbose=$(cat "$FP/verbose" 2>/dev/null || echo 2)
	echo N >"$FS/ignore-gfp-wait"
	echo 0 >"$FS/verbose"
	[ ! -e "$FP/verbose" ] || echo 0 >"$FP/verbose"
	trap 'echo "$old_wait" >"$FS/ignore-gfp-wait"; echo "$old_verbose" >"$FS/verbose"
		[ ! -e "$FP/verbose" ] || echo "$old_pverbose" >"$FP/verbose"' EXIT
}
