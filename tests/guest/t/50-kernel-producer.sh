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
	udevadm settle --timeout=30
	[ -c /dev/ringbus/kproducer ] || fail "no node for the channel created in the kernel"
	local js n cpu r
	# The timer's last tick writes "done cpu=N" after its 20 records.
	r=$(timeout 60 "$RB_BIN/rb-chantest" read-until kproducer "done ") ||
		fail "no done record on kproducer: $r"
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

# A create that a notifier refuses, as ringbus_cdev refuses a channel it
# could make no node for (issue 14 item 8), fails with the notifier's errno
# and leaves nothing: no channel, no node or sysfs device (ringbus_cdev,
# called first, had made them), the name free for the next create.
t_create_rollback() {
	local p=/sys/module/rbtest_producer/parameters err
	lsmod | grep -q '^rbtest_producer ' || fail "rbtest_producer is not loaded"
	echo kreject >$p/reject || fail "set reject"
	if err=$(ringbusctl create kreject 2>&1); then
		echo none >$p/reject
		fail "the create of a channel a notifier refused succeeded"
	fi
	echo none >$p/reject
	assert_match "the refused create's error" "Cannot assign requested address" "$err"
	grep -q '^kreject ' /proc/ringbus/channels && fail "the refused channel is in /proc/ringbus/channels"
	udevadm settle --timeout=30
	[ -e /dev/ringbus/kreject ] && fail "the refused channel's node is left in /dev/ringbus"
	[ -e /sys/class/ringbus/kreject ] && fail "the refused channel's device is left in sysfs"
	ringbusctl create kreject || fail "create kreject once no notifier refuses it"
	udevadm settle --timeout=30
	[ -c /dev/ringbus/kreject ] || fail "no node for kreject created again"
	ringbusctl destroy kreject || fail "destroy kreject"
}

# Overwriting with interrupts off is bounded (issue 14 item 5).  A 16 MiB
# broadcast ring full of 56-byte records ("inject N"): one 4 MiB record
# needs some 75,000 of them dropped.  Written with interrupts off, as a
# hard interrupt handler writes, it drops 4096 (16 batches of 256, the
# lock given back between them) and gives -EAGAIN; a record that needs
# fewer than that but more than one batch is written; a user write of
# 4 MiB drops all it needs.  How long interrupts were off is reported.
t_irqoff_bound() {
	local p=/sys/module/rbtest_producer/parameters d0 d1 d2 d3 err big=4194304
	lsmod | grep -q '^rbtest_producer ' || fail "rbtest_producer is not loaded"
	: >/tmp/rb-irqoff.txt
	ringbusctl create kbound --capacity 16M --max-record 4M || fail "create kbound"
	echo "kbound 400000" >$p/inject || fail "inject 400000 records into kbound"
	d0=$(ringbusctl info --json kbound | jq -r .drops)
	[ "$d0" -gt 0 ] || fail "the ring never filled (drops $d0)"
	if err=$( (echo "kbound $big" >$p/irqoff_write) 2>&1); then
		fail "a $big-byte write with interrupts off dropped $(( $(ringbusctl info --json kbound | jq -r .drops) - d0 )) records at once (interrupts off $(cat $p/irqoff_ns) ns)"
	fi
	assert_match "the refused write's error" "Resource temporarily unavailable" "$err"
	echo "# irqoff: refused $big-byte record: $(cat $p/irqoff_ns) ns" >>/tmp/rb-irqoff.txt
	d1=$(ringbusctl info --json kbound | jq -r .drops)
	assert_eq "records one write with interrupts off dropped" 4096 $((d1 - d0))
	echo "kbound 10000" >$p/inject || fail "inject 10000 more records into kbound"
	d1=$(ringbusctl info --json kbound | jq -r .drops)
	echo "kbound 100000" >$p/irqoff_write ||
		fail "a 100000-byte write with interrupts off (about 1800 drops) was refused"
	d2=$(ringbusctl info --json kbound | jq -r .drops)
	[ $((d2 - d1)) -gt 256 ] || fail "the 100000-byte write dropped $((d2 - d1)) records, not more than one batch"
	echo "# irqoff: 100000-byte record, $((d2 - d1)) drops: $(cat $p/irqoff_ns) ns" >>/tmp/rb-irqoff.txt
	head -c $big /dev/zero | tr '\0' y | ringbusctl send kbound ||
		fail "a user write of $big bytes into the full ring"
	d3=$(ringbusctl info --json kbound | jq -r .drops)
	[ $((d3 - d2)) -gt 4096 ] ||
		fail "the user write dropped $((d3 - d2)) records, not all it needed (more than 4096)"
	ringbusctl destroy kbound || fail "destroy kbound"
}

t_producer_unload() {
	rmmod rbtest_producer || fail "rmmod rbtest_producer"
	[ -e /dev/ringbus/kproducer ] && fail "node left after the module destroyed its channel"
	grep -q '^kproducer ' /proc/ringbus/channels && fail "channel left in /proc/ringbus/channels"
	return 0
}

rb_case "kernel producer: a module built with ringbus.mk writes from process, softirq, hardirq and IPI context" t_producer_contexts
rb_case "kernel producer: the core cannot be removed while the producer holds it" t_producer_holds_core
# storm=SECS: a kthread per CPU writes kstorm as fast as it can and sends
# an IPI to every CPU every 16 records, whose handler writes too - hard
# interrupts contend with tasks for the ring lock.  A reader sleeps in
# read() throughout, woken by writes from hard interrupt context.
t_storm() {
	rm -f /tmp/rb-storm.txt
	local secs=5 r p=/sys/module/rbtest_producer/parameters h t e
	insmod "$KO" storm=$secs timer_records=1 || fail "insmod rbtest_producer.ko storm=$secs"
	udevadm settle --timeout=30
	r=$(timeout $((secs * 20 + 60)) "$RB_BIN/rb-chantest" read-until kstorm "end ") ||
		fail "no end record on kstorm: $r"
	printf '%s\n' "$r" | sed 's/^/# storm: /' >/tmp/rb-storm.txt
	assert_eq "storm_done" "Y" "$(cat $p/storm_done)"
	h=$(cat $p/storm_hardirq) t=$(cat $p/storm_thread) e=$(cat $p/storm_eagain)
	assert_eq "end record" "end hardirq=$h thread=$t eagain=$e" "$(printf '%s\n' "$r" | head -n 1)"
	[ "$h" -gt 0 ] || fail "no record written from an IPI"
	[ "$t" -gt 0 ] || fail "no record written from a kthread"
	assert_eq "writes refused (a broadcast ringbus_write() never is)" 0 "$e"
	rmmod rbtest_producer || fail "rmmod rbtest_producer"
}

rb_case "kernel producer: a queue writer stalled in a page fault hides no kernel record; when it fails, a sleeping reader wakes" t_stalled_writer queue
rb_case "kernel producer: a broadcast writer stalled in a page fault hides no kernel record and never refuses one" t_stalled_writer broadcast
rb_case "kernel producer: a create a notifier refuses fails with its errno and leaves no channel, node or sysfs device" t_create_rollback
rb_case "kernel producer: with interrupts off one write overwrites 4096 records at most (-EAGAIN beyond), a user write all it needs" t_irqoff_bound
rb_case "kernel producer: unloading it destroys its channel and node" t_producer_unload
rb_case "kernel producer: IPIs on every CPU and a kthread per CPU write one channel at once; a reader sleeping in read() reads on to the end record" t_storm
cat /tmp/rb-storm.txt /tmp/rb-irqoff.txt 2>/dev/null || true
