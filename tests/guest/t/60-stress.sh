# SPDX-License-Identifier: GPL-2.0-only
# Load: rb-stress (tests/guest/src/rb-stress.c) in queue, broadcast and chaos mode, run by
# an unprivileged member of group ringbus, and the in-kernel producer
# writing from a timer and a kthread on every CPU at once.  Each mode runs
# rbtest.stress=SECS seconds (kernel command line; default 60), with the
# seed rbtest.seed=N (default: the time; printed).  The
# numbers of every run are printed as TAP diagnostics ("# " lines).
. "$RB_DIR/lib.sh"

STRESS=$RB_BIN/rb-stress
KO=$RB_DIR/consumer/$(uname -r)/rbtest_producer.ko
OUT=/tmp/rb-stress-out
SECS=60
SEED=$(date +%s)
for arg in $(cat /proc/cmdline); do
	case $arg in
	rbtest.stress=*) SECS=${arg#rbtest.stress=} ;;
	rbtest.seed=*) SEED=${arg#rbtest.seed=} ;;
	esac
done
USER_=rbstress
id "$USER_" >/dev/null 2>&1 || useradd --groups ringbus "$USER_"
mkdir -p "$OUT"
rm -f "$OUT"/*

# result KEY RESULT-LINE: the value of KEY in a RESULT line.
result() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# stress NAME ARGS...: run rb-stress as the unprivileged user; its summary
# goes to $OUT/NAME (printed after the case), its RESULT line is echoed.
stress() {
	local name=$1 out rc
	shift
	out=$(cd /tmp && as "$USER_" "$STRESS" --seed "$SEED" "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" >"$OUT/$name.log"
	printf '%s\n' "$out" | grep -Ev '^(  |VIOLATION)' >"$OUT/$name"
	if [ "$rc" != 0 ]; then
		printf '%s\n' "$out" | tail -n 40 >&2
		fail "rb-stress $* exited $rc" >&2
	fi
	printf '%s\n' "$out" | grep '^RESULT ' | tail -n 1
}

# exactly_once RESULT-LINE: a queue run delivered every record it wrote
# once (rb-stress checks order and content itself).
exactly_once() {
	assert_eq "status" "ok" "$(result status "$1")"
	assert_eq "lost" "0" "$(result lost "$1")"
	assert_eq "duplicated" "0" "$(result dups "$1")"
	assert_eq "records read = written" "$(result written "$1")" "$(result read "$1")"
	[ "$(result read "$1")" -gt 0 ] || fail "no record moved"
}

t_queue() {
	load_all
	local r
	r=$(stress queue --mode queue --writers 8 --readers 8 --channels 4 \
		--duration "$SECS") || exit 1
	exactly_once "$r"
}

t_queue_shared_fd() {
	load_all
	local r
	# Writers of one channel share one open file (threads of a logger).
	r=$(stress queue-shared-fd --mode queue --writers 8 --readers 4 --channels 2 \
		--share-fd --duration "$(( (SECS + 1) / 2 ))") || exit 1
	exactly_once "$r"
}

t_broadcast() {
	load_all
	local r
	r=$(stress broadcast --mode broadcast --writers 8 --readers 8 --channels 2 \
		--duration "$SECS") || exit 1
	assert_eq "status" "ok" "$(result status "$r")"
	# Slow readers must have been overtaken: the EPIPE path ran.
	[ "$(result epipes "$r")" -gt 0 ] || fail "no overrun happened: the gap accounting was not exercised"
	[ "$(result missed "$r")" -gt 0 ] || fail "no record missed"
}

# Records of 2000 to 12000 bytes: most are larger than a page, so a single
# write() takes the reserve / copy outside the lock / commit path (records
# up to a page are copied under ch->lock), and batches of them wrap the
# ring, under the same exactly-once and gap accounting as above.
t_queue_large() {
	load_all
	local r
	r=$(stress queue-large --mode queue --writers 4 --readers 4 --channels 2 \
		--min-size 2000 --max-size 12000 --capacity 262144 \
		--duration "$(( (SECS + 1) / 2 ))") || exit 1
	exactly_once "$r"
}

t_broadcast_large() {
	load_all
	local r
	r=$(stress broadcast-large --mode broadcast --writers 2 --readers 4 --channels 1 \
		--min-size 2000 --max-size 12000 --capacity 65536 \
		--duration "$(( (SECS + 1) / 2 ))") || exit 1
	assert_eq "status" "ok" "$(result status "$r")"
	[ "$(result epipes "$r")" -gt 0 ] || fail "no overrun happened: the gap accounting was not exercised"
}

t_chaos() {
	load_all
	local r
	r=$(stress chaos --chaos --threads 16 --names 4 --duration "$SECS") || exit 1
	assert_eq "status" "ok" "$(result status "$r")"
	local k
	for k in creates destroys opens writes reads; do
		[ "$(result $k "$r")" -gt 0 ] || fail "chaos did no successful $k"
	done
}

t_kproducer_concurrent() {
	[ -f "$KO" ] || fail "no $KO"
	load_all
	insmod "$KO" concurrent="$SECS" || fail "insmod rbtest_producer.ko concurrent=$SECS"
	local r p=/sys/module/rbtest_producer/parameters
	r=$(stress kproducer --kproducer kconcurrent --watchdog 60)
	local rc=$?
	if [ "$rc" != 0 ]; then
		rmmod rbtest_producer
		exit 1
	fi
	assert_eq "status" "ok" "$(result status "$r")"
	assert_eq "concurrent_done" "Y" "$(cat $p/concurrent_done)"
	assert_eq "records in /sys/module = records read" "$(cat $p/concurrent_written)" \
		"$(result records "$r")"
	assert_eq "EAGAIN in /sys/module = summed in the records" "$(cat $p/concurrent_eagain)" \
		"$(result eagain "$r")"
	assert_eq "sources: a timer and a kthread per CPU" "$((2 * $(nproc)))" "$(result sources "$r")"
	[ "$(result timer "$r")" -gt 0 ] && [ "$(result thread "$r")" -gt 0 ] ||
		fail "a kind of source wrote nothing"
	rmmod rbtest_producer || fail "rmmod rbtest_producer"
	[ -e /dev/ringbus/kconcurrent ] && fail "kconcurrent left after rmmod"
	return 0
}

# User writes that fault while the kernel's producers write: rb-stress
# --fault-writes holds every write's first page in userfaultfd while
# rbtest_producer's timers and kthreads append, then lets every other
# write run on into a PROT_NONE page.  As root:
# userfaultfd of kernel-mode faults needs it (vm.unprivileged_userfaultfd).
t_kproducer_fault_writes() {
	[ -f "$KO" ] || fail "no $KO"
	load_all
	local secs=$((SECS / 2)) r rc p=/sys/module/rbtest_producer/parameters
	[ "$secs" -ge 5 ] || secs=5
	insmod "$KO" concurrent="$secs" || fail "insmod rbtest_producer.ko concurrent=$secs"
	r=$(cd /tmp && "$STRESS" --kproducer kconcurrent --fault-writes --watchdog 60 2>&1)
	rc=$?
	printf '%s\n' "$r" >"$OUT/fault-writes.log"
	printf '%s\n' "$r" | grep -Ev '^(  |VIOLATION)' >"$OUT/fault-writes"
	if [ "$rc" != 0 ]; then
		printf '%s\n' "$r" | tail -n 40 >&2
		rmmod rbtest_producer
		fail "rb-stress --kproducer kconcurrent --fault-writes exited $rc"
	fi
	local k u
	k=$(printf '%s\n' "$r" | grep '^RESULT mode=kproducer ')
	u=$(printf '%s\n' "$r" | grep '^RESULT mode=fault-writes ')
	assert_eq "kproducer status" "ok" "$(result status "$k")"
	assert_eq "fault-writes status" "ok" "$(result status "$u")"
	assert_eq "records in /sys/module = records read" "$(cat $p/concurrent_written)" \
		"$(result records "$k")"
	[ "$(result user_ok "$u")" -gt 0 ] || fail "no good user write"
	[ "$(result user_efault "$u")" -gt 0 ] || fail "no user write failed with EFAULT"
	[ "$(result held_pending "$u")" -gt 0 ] ||
		fail "the kernel never wrote while a user write was held: the path was not tested"
	rmmod rbtest_producer || fail "rmmod rbtest_producer"
	return 0
}

t_nothing_left() {
	local left
	left=$(tail -n +2 /proc/ringbus/channels)
	assert_eq "channels left in /proc/ringbus/channels" "" "$left"
	assert_eq "channels in /proc/ringbus/stats" "channels 0" "$(grep '^channels ' /proc/ringbus/stats)"
	assert_eq "nodes left in /dev/ringbus" "control" "$(ls /dev/ringbus | tr '\n' ' ' | sed 's/ $//')"
	assert_eq "devices left in /sys/class/ringbus" "control" \
		"$(ls /sys/class/ringbus | tr '\n' ' ' | sed 's/ $//')"
	pgrep -x rb-stress >/dev/null && fail "an rb-stress process is left"
	modprobe -r ringbus_cdev ringbus_proc || fail "modprobe -r after the stress runs"
	assert_not_loaded $RB_MODULES
}

# note NAME: the summary of a run as TAP diagnostics.
note() {
	[ -s "$OUT/$1" ] && sed 's/^/# /' "$OUT/$1"
	return 0
}

echo "# stress: $SECS s per mode, seed $SEED (rbtest.stress=SECS and rbtest.seed=N on the kernel command line)"
rb_case "stress: queue mode, 8 writers and 8 reader processes on 4 channels: every record exactly once, in order, intact" t_queue
note queue
rb_case "stress: queue mode, writers sharing one open file per channel: every record exactly once" t_queue_shared_fd
note queue-shared-fd
rb_case "stress: broadcast mode: sequence numbers strictly increase, every gap equals the missed count after EPIPE" t_broadcast
note broadcast
rb_case "stress: queue mode with records of 2000-12000 bytes (larger than a page: reserve, copy, commit): every record exactly once, intact" t_queue_large
note queue-large
rb_case "stress: broadcast mode with records of 2000-12000 bytes: strictly increasing sequences, gaps equal the missed counts" t_broadcast_large
note broadcast-large
rb_case "stress: chaos: create/destroy/open/close/io/ioctl racing procfs and sysfs readers, no unexpected errno, no hang" t_chaos
note chaos
rb_case "stress: in-kernel producer writes from a timer and a kthread on every CPU at once; user space reads every record in order" t_kproducer_concurrent
note kproducer
rb_case "stress: user writes held in userfaultfd while in-kernel producers append; half fault into PROT_NONE (EFAULT, no sequence gap)" t_kproducer_fault_writes
note fault-writes
rb_case "stress: afterwards no channel, node or process is left and the modules unload" t_nothing_left
