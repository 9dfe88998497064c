# SPDX-License-Identifier: GPL-2.0-only
# Helpers of the guest tests (sourced).  A case is a shell function run in a
# subshell by rb_case; any failing assertion ends it with a diagnostic.

RB_DIR=${RB_DIR:-/usr/lib/ringbus-tests}
RB_BIN=$RB_DIR/bin
RB_VERSION=$(cat "$RB_DIR/VERSION")
RB_MODULES="ringbus ringbus_cdev ringbus_proc"

# rb_case NAME FUNCTION [ARGS...] - run one test case, print its TAP line.
rb_case() {
	local name=$1 log rc
	shift
	log=$( ("$@") 2>&1)
	rc=$?
	if [ "$rc" = 0 ]; then
		echo "ok - $name"
	else
		echo "not ok - $name"
		printf '%s\n' "$log" | sed 's/^/#   /'
	fi
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
