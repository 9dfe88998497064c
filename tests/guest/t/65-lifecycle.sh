# SPDX-License-Identifier: GPL-2.0-only
# Life cycle: 200 load/unload rounds of the whole stack with channels and
# open files in between, and kernel memory afterwards as before; module
# removal refused while a channel file or an in-kernel user holds a
# module; processes killed while blocked in read, write, the batch
# ioctls, poll or epoll_wait leave nothing behind.  (10-modules.sh covers the control node held open and the core
# held by its dependents; 50-kernel-producer.sh rmmod ringbus under the
# producer.)  rbtest.cycles=N on the kernel command line changes the
# number of rounds (default 200).
. "$RB_DIR/lib.sh"

KO=$RB_DIR/consumer/$(uname -r)/rbtest_producer.ko
CYCLES=200
for arg in $(cat /proc/cmdline); do
	case $arg in
	rbtest.cycles=*) CYCLES=${arg#rbtest.cycles=} ;;
	esac
done
OUT=/tmp/rb-lifecycle-out
mkdir -p "$OUT"
rm -f "$OUT"/*

# Tolerances of the memory check (see docs/reliability.md).  The rest of
# the guest (journald, udev, systemd) allocates and frees kernel memory
# meanwhile: unreclaimable slab and vmalloc may differ by up to 1 MiB.
SUNRECLAIM_TOL_KB=1024
VMALLOC_TOL_KB=1024
# All of slab, after drop_caches: the unreclaimable part's tolerance and
# as much again for the reclaimable caches the rest of the guest refills.
SLAB_TOL_KB=2048
# The caches ringbus's objects live in (channels, open files, nodes and
# their devices, write buffers: kmalloc; sysfs attributes: kernfs nodes)
# may gain at most half an object per round in the full run (200 rounds):
# a leak of one object per round fails, whatever its size.  Shorter runs
# only print the counts (see below).
CACHE_TOL_OBJS=$((CYCLES / 2))
CACHES_CHECKED='^(kmalloc-[0-9]+k?|kernfs_node_cache)$'

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# Kernel memory in a quiet state: settle udev, let RCU and the deferred
# frees run, drop the page cache, dentries and inodes.
quiesce() {
	local i
	udevadm settle --timeout=60
	# udev's idle workers exit a few seconds after the last event.
	for i in $(seq 1 30); do
		[ "$(pgrep -c -x systemd-udevd)" -le 1 ] && break
		sleep 1
	done
	sleep 2
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
}

# name active_objs objsize per slab cache.
slab_snapshot() {
	[ -r /proc/slabinfo ] && awk 'NR > 2 { print $1, $2, $4 }' /proc/slabinfo
}

# One round: load, three channels (queue, broadcast, 1 MiB), files open on
# them and on the control node, records through them, /proc and sysfs
# read, two destroyed, the last left for the unload to destroy (all of it
# in one rb-stress --round process: 200 rounds stay affordable under TCG).
one_round() {
	load_stack
	"$RB_BIN/rb-stress" --round --prefix lc || fail "round $1: rb-stress --round"
	[ -c /dev/ringbus/lc-big ] || fail "round $1: no lc-big"
	modprobe -r ringbus_cdev ringbus_proc || fail "round $1: modprobe -r"
	assert_not_loaded $RB_MODULES
}

t_load_unload_cycles() {
	local i sb0 su0 vm0 sb1 su1 vm1
	unload_all
	one_round warm-up
	local t0
	quiesce
	slab_snapshot >"$OUT/slab.before"
	sb0=$(meminfo Slab) su0=$(meminfo SUnreclaim) vm0=$(meminfo VmallocUsed)
	t0=$(date +%s)
	for i in $(seq 1 "$CYCLES"); do
		one_round "$i"
	done
	quiesce
	slab_snapshot >"$OUT/slab.after"
	sb1=$(meminfo Slab) su1=$(meminfo SUnreclaim) vm1=$(meminfo VmallocUsed)
	{
		echo "lifecycle: $CYCLES rounds of load, 3 channels, 4 open files, records, unload in $(( $(date +%s) - t0 )) s"
		echo "lifecycle: Slab $sb0 -> $sb1 kB ($((sb1 - sb0)), tolerance $SLAB_TOL_KB), SUnreclaim $su0 -> $su1 kB ($((su1 - su0)), tolerance $SUNRECLAIM_TOL_KB), VmallocUsed $vm0 -> $vm1 kB ($((vm1 - vm0)), tolerance $VMALLOC_TOL_KB)"
	} >"$OUT/numbers"
	# Caches that grew, largest growth in bytes first.
	if [ -s "$OUT/slab.before" ]; then
		awk 'NR == FNR { n[$1] = $2; next }
			{ d = $2 - n[$1]; if (d > 0) printf "%s %d %d\n", $1, d, d * $3 }' \
			"$OUT/slab.before" "$OUT/slab.after" | sort -k3,3nr >"$OUT/slab.grown"
		echo "lifecycle: caches grown most (objects, bytes): $(head -n 8 "$OUT/slab.grown" |
			awk '{ printf "%s +%d (%d B); ", $1, $2, $3 }')" >>"$OUT/numbers"
		echo "lifecycle: kmalloc and kernfs caches grown (objects): $(awk -v re="$CACHES_CHECKED" '$1 ~ re { printf "%s +%d; ", $1, $2 }' "$OUT/slab.grown")" >>"$OUT/numbers"
	fi
	[ $((sb1 - sb0)) -le "$SLAB_TOL_KB" ] ||
		fail "Slab grew by $((sb1 - sb0)) kB over $CYCLES rounds (tolerance $SLAB_TOL_KB)"
	[ $((su1 - su0)) -le "$SUNRECLAIM_TOL_KB" ] ||
		fail "SUnreclaim grew by $((su1 - su0)) kB over $CYCLES rounds (tolerance $SUNRECLAIM_TOL_KB)"
	[ $((vm1 - vm0)) -le "$VMALLOC_TOL_KB" ] ||
		fail "VmallocUsed grew by $((vm1 - vm0)) kB over $CYCLES rounds (tolerance $VMALLOC_TOL_KB)"
	# The per-cache count is judged in the full run only: in 50 rounds the
	# rest of the system (systemd's cgroups share kernfs_node_cache) moved
	# kmalloc-96 by +70 on 6.12 and kernfs_node_cache by +115 on 5.10,
	# more than a short run's leaks would.  Short runs print it.
	if [ -s "$OUT/slab.grown" ] && [ "$CYCLES" -ge 200 ]; then
		local bad
		bad=$(awk -v t="$CACHE_TOL_OBJS" -v re="$CACHES_CHECKED" '$1 ~ re && $2 > t' "$OUT/slab.grown")
		[ -z "$bad" ] || fail "slab caches grew by more than $CACHE_TOL_OBJS objects: $bad"
	fi
	return 0
}

delmod_errno() { "$RB_BIN/rb-delmod" "$1"; }

# The whole stack.  Not load_all: after a refused "modprobe -r" kmod has
# already removed ringbus_proc (the post soft dependency goes first), and
# "modprobe ringbus_cdev" with ringbus_cdev loaded does not load it again.
load_stack() {
	modprobe -a ringbus_cdev ringbus_proc || fail "modprobe -a ringbus_cdev ringbus_proc"
	assert_loaded $RB_MODULES
}

t_channel_fd_holds_cdev() {
	load_stack
	ringbusctl create lc-hold >/dev/null || fail "create"
	exec 5</dev/ringbus/lc-hold || fail "open"
	assert_eq "delete_module(ringbus_cdev) with a channel open" "EWOULDBLOCK" \
		"$(delmod_errno ringbus_cdev)"
	modprobe -r ringbus_cdev 2>/dev/null && fail "modprobe -r ringbus_cdev with a channel open"
	assert_loaded ringbus ringbus_cdev
	# Destroyed, its node gone: the open file still holds the module.
	ringbusctl destroy lc-hold || fail "destroy"
	[ -e /dev/ringbus/lc-hold ] && fail "node left after destroy"
	assert_eq "delete_module(ringbus_cdev) with a destroyed channel open" "EWOULDBLOCK" \
		"$(delmod_errno ringbus_cdev)"
	assert_eq "read of the destroyed channel" "0" "$(head -c 100 <&5 | wc -c)"
	exec 5<&-
	modprobe -r ringbus_cdev || fail "modprobe -r ringbus_cdev after close"
	assert_not_loaded $RB_MODULES
}

t_control_fd_modprobe_r() {
	load_stack
	exec 5</dev/ringbus/control || fail "open control"
	modprobe -r ringbus_cdev 2>/dev/null && fail "modprobe -r ringbus_cdev with the control node open"
	# The char device and the core stay (kmod may have removed the soft
	# dependency ringbus_proc before it found ringbus_cdev busy).
	assert_loaded ringbus ringbus_cdev
	[ -c /dev/ringbus/control ] || fail "control node gone"
	exec 5<&-
	modprobe -r ringbus_cdev || fail "modprobe -r after close"
	assert_not_loaded $RB_MODULES
}

t_producer_survives_cdev_reload() {
	[ -f "$KO" ] || fail "no $KO"
	load_stack
	insmod "$KO" || fail "insmod rbtest_producer.ko"
	udevadm settle --timeout=30
	[ -c /dev/ringbus/kproducer ] || fail "no kproducer node"
	# The char device and procfs go; the core stays for its in-kernel user.
	rmmod ringbus_proc ringbus_cdev || fail "rmmod ringbus_proc ringbus_cdev under the producer"
	assert_loaded ringbus rbtest_producer
	assert_eq "delete_module(ringbus) under the producer" "EWOULDBLOCK" "$(delmod_errno ringbus)"
	[ -e /dev/ringbus/kproducer ] && fail "kproducer node left without ringbus_cdev"
	# Loaded again, the char device makes a node for the channel that exists.
	modprobe ringbus_cdev || fail "modprobe ringbus_cdev again"
	udevadm settle --timeout=30
	[ -c /dev/ringbus/kproducer ] || fail "no node for the existing channel after reloading ringbus_cdev"
	ringbusctl recv -n 1 kproducer >/dev/null || fail "recv from the channel after the reload"
	rmmod rbtest_producer || fail "rmmod rbtest_producer"
	modprobe -r ringbus_cdev ringbus_proc || fail "modprobe -r"
	assert_not_loaded $RB_MODULES rbtest_producer
}

t_procfs_removed_while_open() {
	load_stack
	ringbusctl create lc-proc >/dev/null || fail "create"
	exec 5</proc/ringbus/channels 6</sys/class/ringbus/lc-proc/records ||
		fail "open the proc and sysfs files"
	# procfs files do not pin their module: removal waits for readers in
	# the kernel, later reads fail cleanly.
	rmmod ringbus_proc || fail "rmmod ringbus_proc with /proc/ringbus/channels open"
	cat <&5 >/dev/null 2>&1 && fail "read of a removed proc file succeeded"
	ringbusctl destroy lc-proc || fail "destroy"
	cat <&6 >/dev/null 2>&1 && fail "read of the sysfs attribute of a destroyed channel succeeded"
	exec 5<&- 6<&-
	modprobe -r ringbus_cdev || fail "modprobe -r"
	assert_not_loaded $RB_MODULES
}

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

# kill9 PID: SIGKILL, reaped within 5 s, never seen in D state.
kill9() {
	local i
	[ "$(pid_state "$1")" = D ] && fail "process $1 is in D state before the kill"
	kill -9 "$1"
	for i in $(seq 1 50); do
		[ -e "/proc/$1" ] || break
		[ "$(pid_state "$1")" = Z ] && break
		sleep 0.1
	done
	wait "$1" 2>/dev/null
	[ -e "/proc/$1" ] && fail "process $1 still there 5 s after SIGKILL (state $(pid_state "$1"))"
	return 0
}

# No user task sleeps in ringbus code (kernel threads such as ringbusd
# live there by design).
no_task_in_ringbus() {
	local s p hits=
	for s in /proc/[0-9]*/task/[0-9]*/stack; do
		p=${s#/proc/}
		p=${p%%/*}
		[ "$p" = 2 ] || [ "$(awk '$1 == "PPid:" { print $2 }' "/proc/$p/status" 2>/dev/null)" = 2 ] &&
			continue
		grep -q 'ringbus' "$s" 2>/dev/null && hits="$hits ${s#/proc/}($(cat "/proc/$p/comm" 2>/dev/null))"
	done
	[ -z "$hits" ] || fail "tasks still in ringbus code:$hits"
	local d
	# User processes only: kernel threads may wait for I/O in D state.
	d=$(ps --ppid 2 -p 2 --deselect -o stat=,pid=,comm= | awk '$1 ~ /^D/')
	[ -z "$d" ] || fail "processes in D state: $d"
}

t_kill_blocked_reader() {
	load_stack
	ringbusctl create lc-kq --mode queue --capacity 4096 --max-record 1024 >/dev/null || fail "create"
	ringbusctl create lc-kb >/dev/null || fail "create"
	cat /dev/ringbus/lc-kq >/dev/null &
	local q=$!
	cat /dev/ringbus/lc-kb >/dev/null &
	local b=$!
	wait_sleeping $q
	wait_sleeping $b
	assert_eq "queue readers while blocked" "1" "$(cat /sys/class/ringbus/lc-kq/readers)"
	kill9 $q
	kill9 $b
	assert_eq "queue readers after the kill" "0" "$(cat /sys/class/ringbus/lc-kq/readers)"
	assert_eq "broadcast readers after the kill" "0" "$(cat /sys/class/ringbus/lc-kb/readers)"
	# The queue still works for the next reader.
	ringbusctl send lc-kq after || fail "send"
	assert_eq "record after the kill" "after" "$(ringbusctl recv -n 1 lc-kq)"
	ringbusctl destroy lc-kq && ringbusctl destroy lc-kb || fail "destroy"
	no_task_in_ringbus
	modprobe -r ringbus_cdev || fail "modprobe -r"
	assert_not_loaded $RB_MODULES
}

t_kill_blocked_writer() {
	load_stack
	ringbusctl create lc-kw --mode queue --capacity 4096 --max-record 1024 >/dev/null || fail "create"
	# 512-byte records: 7 fit (552 bytes each in the ring), the 8th blocks.
	dd if=/dev/zero of=/dev/ringbus/lc-kw bs=512 count=100 status=none &
	local w=$!
	wait_sleeping $w
	assert_eq "records in the full queue" "7" "$(cat /sys/class/ringbus/lc-kw/records)"
	assert_eq "writers while blocked" "1" "$(cat /sys/class/ringbus/lc-kw/writers)"
	kill9 $w
	assert_eq "writers after the kill" "0" "$(cat /sys/class/ringbus/lc-kw/writers)"
	assert_eq "records after the kill" "7" "$(cat /sys/class/ringbus/lc-kw/records)"
	# Destroying the channel wakes a blocked writer with ENODEV.
	dd if=/dev/zero of=/dev/ringbus/lc-kw bs=512 count=1 status=none &
	w=$!
	wait_sleeping $w
	ringbusctl destroy lc-kw || fail "destroy with a blocked writer"
	wait $w && fail "the blocked writer succeeded on a destroyed channel"
	no_task_in_ringbus
	modprobe -r ringbus_cdev || fail "modprobe -r"
	assert_not_loaded $RB_MODULES
}

# The other ways to sleep on a channel: READ_BATCH on an empty queue and
# broadcast channel, poll() and epoll_wait() for input on both, and
# WRITE_BATCH on a full queue (rb-chantest block), all SIGKILLed at once.
t_kill_blocked_batch_poll() {
	load_stack
	ringbusctl create lc-bq --mode queue --capacity 4096 --max-record 1024 >/dev/null || fail "create"
	ringbusctl create lc-bb >/dev/null || fail "create"
	ringbusctl create lc-bw --mode queue --capacity 4096 --max-record 1024 >/dev/null || fail "create"
	dd if=/dev/zero of=/dev/ringbus/lc-bw bs=512 count=7 status=none || fail "fill lc-bw"
	local pids=() p how ch pat
	# A failed assertion must not leave sleepers behind for later cases.
	trap 'kill -9 "${pids[@]}" 2>/dev/null' EXIT
	for how in read-batch poll epoll; do
		case $how in
		poll) pat='do_sys_poll|do_poll' ;;
		epoll) pat='ep_poll|do_epoll_wait' ;;	# ep_poll is inlined on 5.10
		*) pat=ringbus ;;
		esac
		for ch in lc-bq lc-bb; do
			"$RB_BIN/rb-chantest" block "$how" "$ch" &
			p=$!
			pids+=("$p")
			wait_sleeping "$p" "$pat"
		done
	done
	"$RB_BIN/rb-chantest" block write-batch lc-bw &
	p=$!
	pids+=("$p")
	wait_sleeping "$p"
	assert_eq "queue readers while blocked" "3" "$(cat /sys/class/ringbus/lc-bq/readers)"
	assert_eq "broadcast readers while blocked" "3" "$(cat /sys/class/ringbus/lc-bb/readers)"
	assert_eq "writers of the full queue while blocked" "1" "$(cat /sys/class/ringbus/lc-bw/writers)"
	for p in "${pids[@]}"; do
		kill9 "$p"
	done
	for ch in lc-bq lc-bb lc-bw; do
		assert_eq "$ch readers after the kill" "0" "$(cat /sys/class/ringbus/$ch/readers)"
		assert_eq "$ch writers after the kill" "0" "$(cat /sys/class/ringbus/$ch/writers)"
	done
	assert_eq "records of the full queue after the kill" "7" "$(cat /sys/class/ringbus/lc-bw/records)"
	ringbusctl send lc-bq after || fail "send"
	assert_eq "record after the kill" "after" "$(ringbusctl recv -n 1 lc-bq)"
	ringbusctl destroy lc-bq && ringbusctl destroy lc-bb && ringbusctl destroy lc-bw || fail "destroy"
	no_task_in_ringbus
	modprobe -r ringbus_cdev || fail "modprobe -r"
	assert_not_loaded $RB_MODULES
}

rb_case "lifecycle: $CYCLES load/unload rounds with channels and open files; slab and vmalloc return within tolerance" t_load_unload_cycles
[ -s "$OUT/numbers" ] && sed 's/^/# /' "$OUT/numbers"
rb_case "lifecycle: an open channel file holds ringbus_cdev, also after its channel was destroyed" t_channel_fd_holds_cdev
rb_case "lifecycle: modprobe -r with the control node open leaves the char device and the core" t_control_fd_modprobe_r
rb_case "lifecycle: an in-kernel user keeps the core while the char device is reloaded; its channel's node comes back" t_producer_survives_cdev_reload
rb_case "lifecycle: ringbus_proc removed and a channel destroyed while their proc and sysfs files are open" t_procfs_removed_while_open
rb_case "lifecycle: SIGKILL of readers blocked on an empty queue and broadcast channel leaves nothing behind" t_kill_blocked_reader
rb_case "lifecycle: SIGKILL of a writer blocked on a full queue leaves nothing behind" t_kill_blocked_writer
rb_case "lifecycle: SIGKILL of processes blocked in READ_BATCH, WRITE_BATCH, poll and epoll_wait on channels leaves nothing behind" t_kill_blocked_batch_poll
