# SPDX-License-Identifier: GPL-2.0-only
# Channels: the ring engine, the nodes, the ioctl ABI, sysfs and /proc.
. "$RB_DIR/lib.sh"

CT=$RB_BIN/rb-chantest
modprobe ringbus_cdev || { rb_not_ok "channels: modprobe ringbus_cdev"; exit 0; }

for c in $("$CT" list); do
	rb_case "channel: $c" "$CT" "$c"
done

t_node_permissions() {
	RB_UID=$(id -u rbuser) RB_GID=$(id -g rbuser) "$CT" owner owned || exit 1
	assert_eq "node owner" "rbuser:rbuser 640" "$(stat -c '%U:%G %a' /dev/ringbus/owned)"
	as rbuser sh -c 'echo mine > /dev/ringbus/owned' || fail "owner cannot write its channel"
	as nobody sh -c 'cat /dev/ringbus/owned' 2>/dev/null && fail "another user read the channel"
	as rbuser sh -c ': < /dev/ringbus/control' 2>/dev/null &&
		fail "a user outside group ringbus opened the control node"
	"$CT" create rootonly
	assert_eq "default node mode" "root:root 600" "$(stat -c '%U:%G %a' /dev/ringbus/rootonly)"
	as rbuser sh -c 'cat /dev/ringbus/rootonly' 2>/dev/null && fail "rbuser read root's channel"
	# A member of group ringbus may create channels, not destroy others'.
	id rbmember >/dev/null 2>&1 || useradd --groups ringbus rbmember
	as rbmember "$CT" create member-chan || fail "a ringbus member could not create"
	assert_eq "member's node" "rbmember 600" "$(stat -c '%U %a' /dev/ringbus/member-chan)"
	as rbmember "$CT" destroy-eperm rootonly || fail "a member destroyed root's channel"
	as rbmember "$CT" destroy member-chan || fail "a member could not destroy its own channel"
	"$CT" destroy rootonly
	"$CT" destroy owned
}

t_sysfs_attributes() {
	"$CT" create sysq queue
	local d=/sys/class/ringbus/sysq
	[ -d "$d" ] || fail "no $d"
	assert_eq "mode" "queue" "$(cat $d/mode)"
	assert_eq "capacity" "65536" "$(cat $d/capacity)"
	assert_eq "max_record" "16384" "$(cat $d/max_record)"
	printf 'abc' >/dev/ringbus/sysq
	printf 'defgh' >/dev/ringbus/sysq
	assert_eq "records" "2" "$(cat $d/records)"
	assert_eq "used" "$((40 + 8 + 40 + 8))" "$(cat $d/used)"
	assert_eq "first_seq" "1" "$(cat $d/first_seq)"
	assert_eq "last_seq" "2" "$(cat $d/last_seq)"
	assert_eq "readers" "0" "$(cat $d/readers)"
	local devt
	devt=$(cat $d/dev)
	[ -e "/sys/dev/char/$devt" ] || fail "no /sys/dev/char/$devt"
	assert_eq "node number" "$devt" "$(printf '%d:%d' "0x$(stat -c %t /dev/ringbus/sysq)" "0x$(stat -c %T /dev/ringbus/sysq)")"
	for a in drops ttl_ms writers; do
		[ -r "$d/$a" ] || fail "no attribute $a"
	done
	"$CT" destroy sysq
	[ -e "$d" ] && fail "$d still there after destroy"
	return 0
}

t_proc_views() {
	local before lines bytes
	before=$(awk '$1 == "channels" { print $2 }' /proc/ringbus/stats)
	"$CT" mkmany many 200
	lines=$(grep -c '^many' /proc/ringbus/channels)
	bytes=$(wc -c </proc/ringbus/channels)
	assert_eq "rows of the 200 channels in /proc/ringbus/channels" "200" "$lines"
	[ "$bytes" -gt 4096 ] || fail "/proc/ringbus/channels is only $bytes bytes"
	assert_match "header" "^name +mode +capacity +used +records +first_seq +last_seq +readers +writers +drops$" \
		"$(head -n 1 /proc/ringbus/channels)"
	for n in 0 57 199; do
		grep -Eq "^many$n +broadcast +4096 " /proc/ringbus/channels || fail "many$n missing"
	done
	assert_eq "stats: channels" "channels $((before + 200))" "$(grep '^channels ' /proc/ringbus/stats)"
	"$CT" rmmany many 200
	assert_eq "rows after destroy" "0" "$(grep -c '^many' /proc/ringbus/channels)"
}

t_proc_row_values() {
	"$CT" create rowq queue
	printf 'hello' >/dev/ringbus/rowq
	assert_match "rowq row" "^rowq +queue +65536 +48 +1 +1 +1 +0 +0 +0$" \
		"$(grep '^rowq ' /proc/ringbus/channels)"
	"$CT" destroy rowq
}

# cpu_written CPU: records_written of one row of /proc/ringbus/cpus.
cpu_written() {
	awk -v c="$1" '$1 == c { print $2 }' /proc/ringbus/cpus
}

t_cpu_stats_sum() {
	"$CT" create cpusum
	local k w0 c0 c1
	w0=$(awk '$1 == "records_written" { print $2 }' /proc/ringbus/stats)
	c0=$(cpu_written 0) c1=$(cpu_written 1)
	# 25 writes from a shell bound to each CPU, each its own open (no
	# process per write: under KASAN a fork and exec costs a second).
	for k in 0 1; do
		taskset -c "$k" sh -c 'for i in $(seq 1 25); do printf x > /dev/ringbus/cpusum; done' ||
			fail "the writes on CPU $k"
	done
	"$CT" destroy cpusum
	local f total sum
	for f in records_written bytes_written records_read drops wakeups; do
		total=$(awk -v f=$f '$1 == f { print $2 }' /proc/ringbus/stats)
		sum=$(awk -v f=$f 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == f) c = i; next }
			{ s += $c } END { print s + 0 }' /proc/ringbus/cpus)
		assert_eq "$f: sum over /proc/ringbus/cpus equals /proc/ringbus/stats" "$total" "$sum"
	done
	assert_eq "records_written counted the 50 writes" 50 \
		$(($(awk '$1 == "records_written" { print $2 }' /proc/ringbus/stats) - w0))
	# Half of them were written on CPU 0, half on CPU 1 (taskset).
	assert_eq "records_written of CPU 0 counted its 25 writes" 25 $(($(cpu_written 0) - c0))
	assert_eq "records_written of CPU 1 counted its 25 writes" 25 $(($(cpu_written 1) - c1))
	assert_eq "rows in /proc/ringbus/cpus" "$(($(nproc) + 1))" "$(wc -l </proc/ringbus/cpus)"
}

t_nodes_follow_cdev_module() {
	"$CT" create survivor
	rmmod ringbus_proc ringbus_cdev || fail "rmmod ringbus_cdev"
	[ -e /dev/ringbus/survivor ] && fail "node still there without ringbus_cdev"
	modprobe ringbus_cdev || fail "modprobe ringbus_cdev"
	[ -c /dev/ringbus/survivor ] || fail "node not recreated for the existing channel"
	printf 'again' >/dev/ringbus/survivor || fail "write after reload"
	"$CT" destroy survivor
}

# Unloaded, and at once opened again through the control node, three times:
# each open finds no stale cdev of the unloaded module (on the debug kernel
# DEBUG_KOBJECT_RELEASE delays a cdev's release by seconds; an unload that
# did not wait for it left a timer and the node's inode pointing into freed
# module memory: ODEBUG, then KASAN in chrdev_open).
t_unload_open_rounds() {
	local i
	for i in 1 2 3; do
		unload_all
		ringbusctl version >/dev/null || fail "round $i: opening /dev/ringbus/control did not load the stack"
		assert_loaded $RB_MODULES
	done
}

t_housekeeping_thread() {
	ps -e -o comm= | grep -qx ringbusd || fail "no ringbusd kernel thread"
}

# ringbusd's context switches, voluntary and not.
hk_switches() {
	awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }' "/proc/$1/status"
}

# The observation windows are no synchronisation: the case asserts that
# nothing happens in them.  A thread that woke once a second would switch
# at least 3 times in each; one switch is allowed, the end of a run already
# under way when the window opened (ringbusd's start after the previous
# case's reload, or the expiry the case waited for: the record is gone
# before ringbusd schedules out).
hk_quiet() {
	local s1
	sleep 3.5
	s1=$(hk_switches "$1")
	[ $((s1 - $2)) -le 1 ] ||
		fail "ringbusd was scheduled $((s1 - $2)) times in 3.5 s $3"
}

t_housekeeping_idle() {
	local pid s0 s1 i t0 max d=/sys/class/ringbus/hkttl
	pid=$(pgrep -x ringbusd) || fail "no ringbusd kernel thread"
	trap 'ringbusctl destroy hkttl >/dev/null 2>&1; ringbusctl destroy hkq >/dev/null 2>&1' EXIT
	hk_quiet "$pid" "$(hk_switches "$pid")" "while no channel had a record to expire"
	ringbusctl create hkttl --ttl 300 || fail "ringbusctl create hkttl --ttl 300"
	printf 'x' >/dev/ringbus/hkttl || fail "write to hkttl"
	# Not "records": on a slow guest the record may expire before
	# cat runs.  The sequence number says the write landed either way.
	assert_eq "last_seq after one write" 1 "$(cat $d/last_seq)"
	# The record is due after 300 ms: ringbusd must wake for it.
	for i in $(seq 1 100); do
		[ "$(cat $d/records)" = 0 ] && break
		sleep 0.1
	done
	assert_eq "records 10 s after a 300 ms time to live" 0 "$(cat $d/records)"
	assert_eq "drops" 1 "$(cat $d/drops)"
	hk_quiet "$pid" "$(hk_switches "$pid")" "after the last record expired"
	# A queue whose reader keeps up is empty before each record: only
	# the first record of a time to live may wake ringbusd.
	# At most twice a time to live: once for the first record, once when
	# its time to live is over (a slow guest may take longer than one).
	ringbusctl create hkq --mode queue --ttl 10000 || fail "ringbusctl create hkq"
	s0=$(hk_switches "$pid")
	t0=$SECONDS
	for i in $(seq 1 20); do
		printf 'r%d' "$i" >/dev/ringbus/hkq || fail "write $i to hkq"
		assert_eq "record $i read back" "r$i" "$(dd if=/dev/ringbus/hkq bs=64 count=1 2>/dev/null)"
	done
	s1=$(hk_switches "$pid")
	max=$((2 * ((SECONDS - t0) / 10 + 1)))
	[ $((s1 - s0)) -le "$max" ] ||
		fail "20 records, each read at once from a queue with a 10 s time to live, woke ringbusd $((s1 - s0)) times in $((SECONDS - t0)) s (at most $max)"
	return 0
}

rb_case "channel: node owner, group and mode; unprivileged access" t_node_permissions
rb_case "channel: sysfs attributes" t_sysfs_attributes
rb_case "channel: /proc/ringbus/channels with 200 channels (more than a page)" t_proc_views
rb_case "channel: /proc/ringbus/channels row values" t_proc_row_values
rb_case "channel: per-CPU statistics sum to the totals" t_cpu_stats_sum
rb_case "channel: nodes follow ringbus_cdev unload and reload" t_nodes_follow_cdev_module
rb_case "channel: three unloads, each followed at once by an open of the control node that loads the stack again" t_unload_open_rounds
rb_case "channel: ringbusd housekeeping thread runs" t_housekeeping_thread
rb_case "channel: ringbusd is not scheduled while no record can expire; a TTL record wakes it, a busy TTL queue rarely" t_housekeeping_idle
