# SPDX-License-Identifier: GPL-2.0-only
# A third-party module (tests/consumer), built against the installed
# ringbus-dkms package through ringbus.mk, writes records from process,
# softirq and hard-interrupt context on every CPU; user space reads them.
. "$RB_DIR/lib.sh"

KO=$RB_DIR/consumer/$(uname -r)/rbtest_producer.ko

t_producer_contexts() {
	[ -f "$KO" ] || fail "no $KO (the consumer did not build against the package)"
	modprobe ringbus_cdev || fail "modprobe ringbus_cdev"
	insmod "$KO" || fail "insmod rbtest_producer.ko"
	sleep 1
	[ -c /dev/ringbus/kproducer ] || fail "no node for the channel created in the kernel"
	local js n cpu
	js=$(ringbusctl recv --json kproducer) || fail "recv"
	assert_eq "records from process context" "1" \
		"$(printf '%s\n' "$js" | jq -r .data | grep -c '^process ')"
	assert_eq "records from softirq (timer)" "20" \
		"$(printf '%s\n' "$js" | jq -r .data | grep -c '^softirq ')"
	n=$(printf '%s\n' "$js" | jq -r .data | grep -c '^hardirq ')
	[ "$n" -ge 1 ] || fail "no record from hard interrupt context (irq_work)"
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		printf '%s\n' "$js" | jq -r .data | grep -qx "ipi cpu=$cpu" ||
			fail "no record from the IPI on CPU $cpu"
	done
	assert_eq "in-kernel writers have pid 0 and uid 0" "" \
		"$(printf '%s\n' "$js" | jq -r 'select(.pid != 0 or .uid != 0) | .seq')"
	assert_eq "sequence numbers 1..N in order" "$(seq 1 "$(printf '%s\n' "$js" | wc -l)" | tr '\n' ' ')" \
		"$(printf '%s\n' "$js" | jq -r .seq | tr '\n' ' ')"
}

t_producer_holds_core() {
	lsmod | awk '$1 == "ringbus" { print $4 }' | tr ',' '\n' | grep -qx rbtest_producer ||
		fail "lsmod does not show ringbus used by rbtest_producer"
	rmmod ringbus 2>/dev/null && fail "rmmod ringbus succeeded under an in-kernel user"
	assert_loaded ringbus rbtest_producer
}

# A user write stalled in userfaultfd, the producer's records injected
# meanwhile (rb-chantest stalled-writer: issue 14 items 4 and 6).
t_stalled_writer() {
	lsmod | grep -q '^rbtest_producer ' || fail "rbtest_producer is not loaded"
	"$RB_BIN/rb-chantest" stalled-writer "$1" || fail "rb-chantest stalled-writer $1"
}

t_producer_unload() {
	rmmod rbtest_producer || fail "rmmod rbtest_producer"
	[ -e /dev/ringbus/kproducer ] && fail "node left after the module destroyed its channel"
	grep -q '^kproducer ' /proc/ringbus/channels && fail "channel left in /proc/ringbus/channels"
	return 0
}

rb_case "kernel producer: a module built with ringbus.mk writes from process, softirq, hardirq and IPI context" t_producer_contexts
rb_case "kernel producer: the core cannot be removed while the producer holds it" t_producer_holds_core
rb_case "kernel producer: a queue writer stalled in a page fault hides no kernel record; when it fails, a sleeping reader wakes" t_stalled_writer queue
rb_case "kernel producer: a broadcast writer stalled in a page fault hides no kernel record and never refuses one" t_stalled_writer broadcast
rb_case "kernel producer: unloading it destroys its channel and node" t_producer_unload
