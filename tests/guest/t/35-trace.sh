# SPDX-License-Identifier: GPL-2.0-only
# The core's trace events, read through tracefs as an administrator would:
# they come and go with ringbus.ko, and each one - channel made and
# destroyed, record written and read, records dropped (overwritten,
# expired, flushed), reader overrun - carries the numbers the channel's
# own counters give, from user space and from an in-kernel writer in hard
# interrupt context.
. "$RB_DIR/lib.sh"

KO=$RB_DIR/consumer/$(uname -r)/rbtest_producer.ko
EVENTS="ringbus_channel_create ringbus_channel_destroy ringbus_write ringbus_read ringbus_drop ringbus_overrun"

# tracefs: /sys/kernel/tracing, mounted by systemd on newer systems.
T=/sys/kernel/tracing
if [ ! -e "$T/trace" ]; then
	mount -t tracefs nodev "$T" 2>/dev/null ||
		{ [ -e /sys/kernel/debug/tracing/trace ] && T=/sys/kernel/debug/tracing; }
fi

# The events of several CPUs in the order they happened: the global clock
# (the default, local, may disagree between CPUs).  Restored at the end.
CLOCK=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$T/trace_clock" 2>/dev/null)
echo global >"$T/trace_clock" 2>/dev/null

# arm: an empty trace buffer, every ringbus event on.
arm() {
	echo 1 >"$T/tracing_on" || fail "tracing_on"
	: >"$T/trace" || fail "cannot clear $T/trace"
	echo 1 >"$T/events/ringbus/enable" || fail "cannot enable events/ringbus"
}

# disarm: every ringbus event off (when the core is loaded).
disarm() {
	[ -e "$T/events/ringbus/enable" ] && echo 0 >"$T/events/ringbus/enable"
	return 0
}

# events [NAME]: the ringbus events in the buffer, "EVENT FIELDS..." a
# line (of channel NAME only).
events() {
	sed -n 's/^.* \(ringbus_[a-z_]*\): \(name=[^ ]* .*\)$/\1 \2/p' "$T/trace" |
		if [ -n "${1:-}" ]; then grep -E "^[a-z_]+ name=$1 "; else cat; fi
}

# field EVENT NAME FIELD: FIELD of every EVENT of channel NAME, a line each.
field() {
	events "$2" | awk -v e="$1" -v f="$3=" '$1 == e {
		for (i = 2; i <= NF; i++) if (index($i, f) == 1) print substr($i, length(f) + 1) }'
}

# sum: the sum of the numbers on standard input.
sum() { awk '{ n += $1 } END { print n + 0 }'; }

# info NAME FIELD: one field of ringbusctl info --json.
info() { ringbusctl info "$1" --json | jq -r ".$2"; }

t_events_follow_core() {
	local e
	[ -e "$T/trace" ] || fail "no tracefs (mount -t tracefs nodev /sys/kernel/tracing failed)"
	unload_all
	[ -e "$T/events/ringbus" ] && fail "events/ringbus exists while ringbus.ko is not loaded"
	load_all
	for e in $EVENTS; do
		[ -r "$T/events/ringbus/$e/format" ] || fail "no events/ringbus/$e"
		grep -qx "ringbus:$e" "$T/available_events" || fail "available_events lacks ringbus:$e"
	done
	grep -q 'field:char name\[32\];' "$T/events/ringbus/ringbus_write/format" ||
		fail "ringbus_write has no name field: $(cat "$T/events/ringbus/ringbus_write/format")"
	for e in 'u64 seq' 'u32 len' 'pid_t pid'; do
		grep -q "field:$e;" "$T/events/ringbus/ringbus_write/format" ||
			fail "ringbus_write has no field $e"
	done
	# The core goes with its events enabled; they go with it.
	arm
	ringbusctl create tr-gone || fail "create tr-gone"
	unload_all
	[ -e "$T/events/ringbus" ] && fail "events/ringbus stayed after the core's unload"
	load_all
	[ "$(cat "$T/events/ringbus/enable")" = 0 ] || fail "a new ringbus.ko's events came back enabled"
}

t_queue_traffic() {
	local pid
	load_all
	arm
	ringbusctl create tr-q --mode queue --capacity 4K --max-record 100 --ttl 60000 ||
		fail "create tr-q"
	pid=$(sh -c 'echo $$ && exec ringbusctl send tr-q a bb ccc >/dev/null') || fail "send"
	[ "$(ringbusctl recv -n 3 tr-q | tr '\n' ' ')" = "a bb ccc " ] || fail "recv did not give a bb ccc"
	ringbusctl destroy tr-q || fail "destroy tr-q"
	disarm
	events tr-q | grep -q "^ringbus_channel_create name=tr-q mode=queue capacity=4096 max_record=100 ttl_ms=60000 uid=0 gid=[0-9]* perm=0[0-7]*$" ||
		fail "no channel_create event with the channel's configuration: $(events tr-q | head -n 3)"
	assert_eq "write events: seq, len, the writer's pid" \
		"ringbus_write name=tr-q seq=1 len=1 pid=$pid;ringbus_write name=tr-q seq=2 len=2 pid=$pid;ringbus_write name=tr-q seq=3 len=3 pid=$pid;" \
		"$(events tr-q | grep '^ringbus_write ' | tr '\n' ';')"
	assert_eq "read events: records" 3 "$(field ringbus_read tr-q nr | sum)"
	assert_eq "read events: bytes" 6 "$(field ringbus_read tr-q bytes | sum)"
	assert_eq "read events: the first from seq" 1 "$(field ringbus_read tr-q seq | head -n 1)"
	assert_eq "destroy event" "ringbus_channel_destroy name=tr-q records=0 written=3" \
		"$(events tr-q | grep '^ringbus_channel_destroy ')"
	assert_eq "drop and overrun events of a queue read in full" "" \
		"$(events tr-q | grep -E '^ringbus_(drop|overrun) ')"
	# The events come in the order things happened.
	assert_eq "event order" "ringbus_channel_create ringbus_write ringbus_read ringbus_channel_destroy " \
		"$(events tr-q | awk '$1 != last { printf "%s ", $1; last = $1 }')"
}

t_broadcast_drops() {
	local drops left rc line
	load_all
	arm
	ringbusctl create tr-b --capacity 4K --max-record 1K || fail "create tr-b"
	# A reader from the first record on, overtaken by 100 records of 100
	# bytes in a ring of 4 KiB (28 fit).
	exec 3<"/dev/ringbus/tr-b" || fail "open tr-b"
	line=$(printf '%0100d' 0)
	for _ in $(seq 1 100); do echo "$line"; done | ringbusctl send tr-b ||
		fail "send 100 records"
	drops=$(info tr-b drops)
	left=$(info tr-b records)
	[ "$drops" -gt 0 ] && [ $((drops + left)) = 100 ] || fail "drops $drops + records $left is not 100"
	dd of=/dev/null bs=64K count=1 <&3 2>/tmp/rb-trace-dd
	rc=$?
	exec 3<&-
	[ "$rc" != 0 ] && grep -q 'Broken pipe' /tmp/rb-trace-dd ||
		fail "the overtaken reader's read did not fail with EPIPE: $(cat /tmp/rb-trace-dd)"
	"$RB_BIN/rb-chantest" flush tr-b || fail "flush tr-b"
	ringbusctl destroy tr-b || fail "destroy tr-b"
	disarm
	assert_eq "overwrite drop events sum to the channel's drops" "$drops" \
		"$(events tr-b | awk '$1 == "ringbus_drop" && $NF == "reason=overwrite"' | awk '{ sub("nr=", "", $3); print $3 }' | sum)"
	assert_eq "the last overwrite leaves the oldest record" "head_seq=$((drops + 1))" \
		"$(events tr-b | awk '$1 == "ringbus_drop" && $NF == "reason=overwrite" { h = $4 } END { print h }')"
	assert_eq "overrun event: the reader missed every dropped record" \
		"ringbus_overrun name=tr-b missed=$drops total=$drops" "$(events tr-b | grep '^ringbus_overrun ')"
	assert_eq "flush drop event: the records left" \
		"ringbus_drop name=tr-b nr=$left head_seq=101 reason=flush" \
		"$(events tr-b | awk '$1 == "ringbus_drop" && $NF == "reason=flush"')"
	assert_eq "write events" 100 "$(events tr-b | grep -c '^ringbus_write ')"
}

t_ttl_expire() {
	local i
	load_all
	arm
	ringbusctl create tr-t --ttl 200 || fail "create tr-t"
	ringbusctl send tr-t old || fail "send"
	# ringbusd drops it once its time to live is over.
	for i in $(seq 1 100); do
		[ "$(info tr-t records)" = 0 ] && break
		sleep 0.1
	done
	[ "$(info tr-t records)" = 0 ] || fail "the record outlived its time to live by 10 s"
	ringbusctl destroy tr-t || fail "destroy tr-t"
	disarm
	assert_eq "expire drop event" "ringbus_drop name=tr-t nr=1 head_seq=2 reason=expire" \
		"$(events tr-t | grep '^ringbus_drop ')"
}

t_kernel_writer() {
	local r
	[ -f "$KO" ] || fail "no $KO (the consumer did not build against the package)"
	load_all
	arm
	insmod "$KO" || fail "insmod rbtest_producer.ko"
	r=$(timeout 60 "$RB_BIN/rb-chantest" read-until kproducer "done ") ||
		fail "no done record on kproducer: $r"
	rmmod rbtest_producer || fail "rmmod rbtest_producer"
	disarm
	events kproducer | grep -q '^ringbus_channel_create name=kproducer ' ||
		fail "no channel_create event for the in-kernel channel"
	[ "$(field ringbus_write kproducer pid | sort -u)" = 0 ] ||
		fail "in-kernel writes traced with a pid other than 0: $(field ringbus_write kproducer pid | sort -u | tr '\n' ' ')"
	assert_eq "write events number the records 1..N" \
		"$(seq 1 "$(field ringbus_write kproducer seq | wc -l)" | tr '\n' ' ')" \
		"$(field ringbus_write kproducer seq | sort -n | tr '\n' ' ')"
	# The irq-info column of a line: h (or H) for hard interrupt context.
	grep ' ringbus_write: name=kproducer ' "$T/trace" |
		awk '{ for (i = 1; i < NF; i++) if ($i ~ /^\[[0-9]+\]$/) { print $(i + 1); break } }' |
		grep -q '[hH]' || fail "no write event from hard interrupt context: $(grep ' ringbus_write: name=kproducer ' "$T/trace" | head -n 3)"
	events kproducer | grep -q '^ringbus_channel_destroy name=kproducer ' ||
		fail "unloading the producer traced no channel_destroy"
}

t_disabled_records_nothing() {
	load_all
	arm
	disarm
	ringbusctl create tr-off || fail "create tr-off"
	ringbusctl send tr-off x || fail "send"
	ringbusctl recv -n 1 tr-off >/dev/null || fail "recv"
	ringbusctl destroy tr-off || fail "destroy"
	assert_eq "events with every ringbus event disabled" "" "$(events)"
}

rb_case "trace: the core's events appear in tracefs with ringbus.ko and go with it, enabled or not" t_events_follow_core
rb_case "trace: a queue's create, writes (seq, len, pid), reads and destroy, in order" t_queue_traffic
rb_case "trace: broadcast drops sum to the channel's drops, the overrun names the reader's loss, a flush its records" t_broadcast_drops
rb_case "trace: a record past its time to live is dropped as expired" t_ttl_expire
rb_case "trace: an in-kernel writer's records, from hard interrupt context too, carry pid 0" t_kernel_writer
rb_case "trace: with the events disabled nothing is recorded" t_disabled_records_nothing
disarm
if [ -n "$CLOCK" ]; then echo "$CLOCK" >"$T/trace_clock"; fi
: >"$T/trace"
