# SPDX-License-Identifier: GPL-2.0-only
# Systematic fault injection (the debug kernel only: CONFIG_FAULT_INJECTION
# and failslab; RB_DEBUG_ONLY_GROUPS in tests/vm/lib.sh).  For each
# operation rb-failnth makes the 1st, 2nd, ... slab allocation of the
# system call fail in turn (/proc/thread-self/fail-nth), until the call
# makes no more: each must fail with ENOMEM and leave nothing behind, or
# succeed whole.  kmemleak judges at the end of the boot what a failure
# path leaked; afterwards the suite must work as before.
. "$RB_DIR/lib.sh"

faults_prepare

# t_op OP WANT: rb-failnth's sweep of OP; its summary after "OP: " must
# match the extended regular expression WANT.
t_op() {
	load_all
	"$FN" "$1" >"$OUT/$1.out" 2>&1
	local rc=$?
	grep -E 'VIOLATION|rb-failnth' "$OUT/$1.out" | head -n 20
	[ "$rc" = 0 ] || fail "rb-failnth $1 exited $rc"
	grep -Eq "^rb-failnth: $1: $2" "$OUT/$1.out" ||
		fail "$1: the summary is not /$2/: $(tail -n 1 "$OUT/$1.out")"
}

# Afterwards: everything as before.
t_after() {
	load_all
	ringbusctl create fi-after >/dev/null || fail "create"
	ringbusctl send fi-after after || fail "send"
	assert_eq "record" after "$(ringbusctl recv fi-after 2>&1)"
	ringbusctl destroy fi-after || fail "destroy"
	assert_eq "channels left" "" "$(ls /sys/class/ringbus | grep -vx control)"
}

for op in create destroy open list; do
	rb_case "faults: $op: each slab allocation failing in turn gives ENOMEM and leaves nothing, or is survived whole" \
		t_op "$op" '[1-9][0-9]* sites'
	echo "# $(tail -n 1 "$OUT/$op.out" 2>/dev/null)"
done
# The data path (write, batch write, read) makes no injectable allocation
# at all, so that memory pressure can never fail it; the one run
# rb-failnth makes, with a failure armed, succeeds whole.
for op in write batch read; do
	rb_case "faults: $op: allocates nothing, so an armed failure leaves it whole" \
		t_op "$op" '0 sites, 0 failed \(ENOMEM\), 0 tolerated, 0 violations$'
done
rb_case "faults: afterwards create, send, recv and destroy work and no channel is left" t_after
