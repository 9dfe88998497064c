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

# Tolerances of the memory check (see docs/reliability.md, 2.1).  The rest
# of the guest (journald, udev, systemd) allocates and frees kernel memory
# meanwhile: unreclaimable slab and vmalloc may differ by up to 1 MiB.
SUNRECLAIM_TOL_KB=1024
VMALLOC_TOL_KB=1024
# All of slab, after drop_caches: the unreclaimable part's tolerance and
# as much again for the reclaimable caches the rest of the guest refills.
SLAB_TOL_KB=2048
# Whole caches are no judge of a module's leak: other tasks allocate from
# them, and /proc/slabinfo counts every object of a CPU's slab as active,
# so a cache moves by whole slabs (kmalloc-128 by 32, kmalloc-16 by 256)
# without a single object leaked.  The judge is the allocator's own record
# of where each live object was allocated: the harness boots with
# slub_debug=U on these caches (RB_SLAB_TRACK in tests/vm/lib.sh), and an
# object counts against a module when its allocation stack names the
# module's code - by name while it is loaded, as a bare address once it
# is gone (no other module is loaded or removed meanwhile).  At most
# OBJ_TOL objects of all the rounds may remain (a leak of one object a
# round leaves 50 or 200); the same count must blame nothing on a module
# that leaks nothing, and see every object of one that leaks one a round.
CACHES_CHECKED='^(kmalloc-.*|kernfs_node_cache)$'
OBJ_TOL=4
# Per-CPU memory (Percpu in /proc/meminfo) moves by whole pages of every
# CPU's unit, never by the object, and a page the allocator populated
# stays populated: the ringbus rounds may add no more than the leak-free
# baseline module's rounds did, plus one page for each possible CPU
# (PERCPU_STEP_KB).  Over 200 rounds that catches a leak of more than 20
# bytes per CPU a round (one channel's read counters are 16, a round
# makes three channels).  On every boot the
# judge first proves it sees a module that leaks PERCPU_LEAK_KB KiB per
# CPU a round.
PERCPU_STEP_KB=$(( $(awk -F, '{ for (i = 1; i <= NF; i++) { n = split($i, r, "-"); c += n == 2 ? r[2] - r[1] + 1 : 1 } } END { print c }' /sys/devices/system/cpu/possible) * $(getconf PAGESIZE) / 1024 ))
PERCPU_LEAK_KB=8
BASE_KO=$RB_DIR/consumer/$(uname -r)/rbtest_baseline.ko
BASE_CYCLES=$((CYCLES / 4))
LEAK_CYCLES=10
# The tracked caches and their allocation records (tracked_caches), read
# once per boot.
TRACKED=

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# udev off for the measured rounds: each uevent makes systemd-udevd fork a
# worker, open sysfs files and (through systemd) touch device units, and
# its idle workers go only seconds after the last event - kernel memory
# that comes and goes with no module's doing.  devtmpfs still makes every
# node (as root's, which is all the rounds need).  udev_on brings it back
# with its sockets; the case runs it on any exit, and the group again
# after the case, for a case killed by its timeout.
udev_off() {
	udevadm settle --timeout=60
	systemctl stop systemd-udevd.service 'systemd-udevd-*.socket' ||
		fail "systemctl stop systemd-udevd"
	! pgrep -x systemd-udevd >/dev/null || fail "systemd-udevd still runs: $(pgrep -a -x systemd-udevd)"
}
udev_on() {
	systemctl start systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-udevd.service
}

# The counters the rounds are judged by, on one line.
mem_counters() {
	awk '$1 ~ /^(Slab|SUnreclaim|VmallocUsed|Percpu):$/ { printf "%s%s ", $1, $2 }' /proc/meminfo
}

# Kernel memory in a quiet state (udev off): write back and drop the page
# cache, dentries and inodes, which also runs every shrinker - among them
# RCU's, which hands the kfree_rcu() objects still batched to a grace
# period at once - then wait for the deferred frees to land: until the
# counters read the same twice 0.2 s apart (at most 20 s; a busy guest
# only makes the judgement noisier, which its tolerances are for).
quiesce() {
	local i prev cur
	sync
	echo 3 >/proc/sys/vm/drop_caches
	prev=$(mem_counters)
	for i in $(seq 1 100); do
		sleep 0.2
		cur=$(mem_counters)
		[ "$cur" = "$prev" ] && break
		prev=$cur
	done
	printf '%d ' $((i * 200)) >>"$OUT/quiesce"
}

# name active_objs objsize per slab cache.
slab_snapshot() {
	[ -r /proc/slabinfo ] && awk 'NR > 2 { print $1, $2, $4 }' /proc/slabinfo
}

# The allocation records of the tracked caches: debugfs's alloc_traces
# (5.17 on: the whole stack of each site) or sysfs's alloc_calls (the
# caller only).  Prints "cache file" per cache whose allocations are
# recorded; nothing when none is.
tracked_caches() {
	local f c v
	for f in /sys/kernel/debug/slab/*/alloc_traces; do
		[ -r "$f" ] || continue
		c=${f%/alloc_traces}
		c=${c##*/}
		[[ $c =~ $CACHES_CHECKED ]] && echo "$c $f"
	done | grep . && return 0
	for f in /sys/kernel/slab/*/store_user; do
		v=
		read -r v <"$f" 2>/dev/null
		[ "$v" = 1 ] || continue
		c=${f%/store_user}
		[ -L "$c" ] && continue
		c=${c##*/}
		[[ $c =~ $CACHES_CHECKED ]] && echo "$c ${f%/store_user}/alloc_calls"
	done
}

# site_snapshot FILE: every allocation site of the tracked caches, one
# line each: "cache count module site", where module is 1 when the
# stacks run through module code (a [module] frame, or a bare address:
# the code of a module no longer loaded).  Stacks of the same cache,
# caller and module flag are summed.
site_snapshot() {
	local c f
	printf '%s\n' "$TRACKED" | while read -r c f; do
		[ -n "$c" ] || continue
		awk -v cache="$c" '
			function flush() {
				if (n != "") cnt[hit " " site] += n
				n = ""
			}
			/^ *[0-9]+ / {
				flush()
				n = $1; site = $2; hit = 0
			}
			{
				if ($0 ~ /\[(ringbus|ringbus_cdev|ringbus_proc|rbtest_baseline)\]/) hit = 1
				for (i = 1; i <= NF; i++) if ($i ~ /^0xffffffff[0-9a-f]+$/) hit = 1
			}
			END {
				flush()
				for (k in cnt) {
					split(k, a, " ")
					print cache, cnt[k], a[1], a[2]
				}
			}' "$f"
	done >"$1"
}

# module_objects FILE: live objects allocated through module code.
module_objects() { awk '$3 == 1 { n += $2 } END { print n + 0 }' "$1"; }

# sites_grown BEFORE AFTER [MODULE_ONLY]: the allocation sites with more
# live objects after than before, most first ("cache site +N").
sites_grown() {
	awk -v m="${3:-0}" 'NR == FNR { b[$1 " " $3 " " $4] = $2; next }
		(!m || $3 == 1) && $2 > b[$1 " " $3 " " $4] {
			printf "%d %s %s%s\n", $2 - b[$1 " " $3 " " $4], $1, $4, $3 == 1 ? " (module)" : ""
		}' "$1" "$2" | sort -k1,1nr | awk '{ d = $1; $1 = ""; print substr($0, 2) " +" d }'
}

# measure NAME ROUNDS FUNCTION [SETTLE]: quiesce, snapshot, ROUNDS x
# FUNCTION, quiesce, snapshot; $OUT/NAME.{slab,sites,percpu}.{before,after}.
# With SETTLE, objects of the modules above the tolerance get two more
# quiet periods to go: a kernfs node of the last round may still be held
# for a moment (a sysfs file udev had open); a leak stays.
measure() {
	local name=$1 rounds=$2 fn=$3 settle=${4:-} i
	quiesce
	slab_snapshot >"$OUT/$name.slab.before"
	site_snapshot "$OUT/$name.sites.before"
	meminfo Percpu >"$OUT/$name.percpu.before"
	for i in $(seq 1 "$rounds"); do
		"$fn" "$i"
	done
	for i in 1 2 3; do
		quiesce
		slab_snapshot >"$OUT/$name.slab.after"
		site_snapshot "$OUT/$name.sites.after"
		meminfo Percpu >"$OUT/$name.percpu.after"
		[ -n "$settle" ] && [ "$(module_growth "$name")" -gt "$OBJ_TOL" ] || break
		echo "lifecycle: $name: $(module_growth "$name") objects of the modules left, quiet period $((i + 1))" >>"$OUT/settle"
	done
}

# cache_growth NAME: the checked caches that grew over NAME's rounds, by
# their /proc/slabinfo counts ("cache +N; ...").
cache_growth() {
	awk -v re="$CACHES_CHECKED" 'NR == FNR { n[$1] = $2; next }
		$1 ~ re && $2 > n[$1] { printf "%s +%d; ", $1, $2 - n[$1] }' \
		"$OUT/$1.slab.before" "$OUT/$1.slab.after"
}

# module_growth NAME: objects allocated through module code that NAME's
# rounds left behind.
module_growth() {
	echo $(( $(module_objects "$OUT/$1.sites.after") - $(module_objects "$OUT/$1.sites.before") ))
}

# percpu_growth NAME: kB of per-CPU memory (Percpu in /proc/meminfo)
# that NAME's rounds added.
percpu_growth() {
	echo $(( $(cat "$OUT/$1.percpu.after") - $(cat "$OUT/$1.percpu.before") ))
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

# The baseline: a module that registers nothing, one that registers a char
# region, a class and three devices as ringbus_cdev does, and one that
# leaks one 96-byte object and PERCPU_LEAK_KB KiB of per-CPU memory per
# load.
base_round() { insmod "$BASE_KO" || fail "insmod rbtest_baseline.ko"; rmmod rbtest_baseline || fail "rmmod rbtest_baseline"; }
chrdev_round() {
	insmod "$BASE_KO" chrdev=1 || fail "insmod rbtest_baseline.ko chrdev=1"
	[ -c /dev/rbtest-baseline2 ] || fail "no /dev/rbtest-baseline2"
	rmmod rbtest_baseline || fail "rmmod rbtest_baseline"
}
leak_round() {
	insmod "$BASE_KO" chrdev=1 leak=1 leak_percpu=$PERCPU_LEAK_KB ||
		fail "insmod rbtest_baseline.ko leak=1 leak_percpu=$PERCPU_LEAK_KB"
	rmmod rbtest_baseline || fail "rmmod rbtest_baseline"
}

t_load_unload_cycles() {
	local sb0 su0 vm0 sb1 su1 vm1 t0 grown pc_base pc_tol tracked=settle
	unload_all
	[ -f "$BASE_KO" ] || fail "no $BASE_KO"
	# Recording allocation stacks slows every kmalloc of the guest: make
	# check boots with RB_SLAB_TRACK only where the rounds run at full
	# length, and there the judgement must be made.
	TRACKED=$(tracked_caches)
	if [ -z "$TRACKED" ]; then
		[ "$CYCLES" -lt 200 ] ||
			fail "the allocator records no allocation sites of $CACHES_CHECKED: boot with slub_debug=U,kmalloc-*,kernfs_node_cache (RB_SLAB_TRACK)"
		tracked=
	fi
	udev_off
	trap udev_on EXIT
	one_round warm-up
	base_round warm-up
	chrdev_round warm-up
	quiesce
	sb0=$(meminfo Slab) su0=$(meminfo SUnreclaim) vm0=$(meminfo VmallocUsed)
	t0=$(date +%s)
	rm -f "$OUT/settle" "$OUT/quiesce"
	measure ringbus "$CYCLES" one_round $tracked
	sb1=$(meminfo Slab) su1=$(meminfo SUnreclaim) vm1=$(meminfo VmallocUsed)
	echo "lifecycle: $CYCLES rounds of load, 3 channels, 4 open files, records, unload in $(( $(date +%s) - t0 )) s" >"$OUT/numbers"
	echo "lifecycle: Slab $sb0 -> $sb1 kB ($((sb1 - sb0)), tolerance $SLAB_TOL_KB), SUnreclaim $su0 -> $su1 kB ($((su1 - su0)), tolerance $SUNRECLAIM_TOL_KB), VmallocUsed $vm0 -> $vm1 kB ($((vm1 - vm0)), tolerance $VMALLOC_TOL_KB)" >>"$OUT/numbers"
	[ $((sb1 - sb0)) -le "$SLAB_TOL_KB" ] ||
		fail "Slab grew by $((sb1 - sb0)) kB over $CYCLES rounds (tolerance $SLAB_TOL_KB)"
	[ $((su1 - su0)) -le "$SUNRECLAIM_TOL_KB" ] ||
		fail "SUnreclaim grew by $((su1 - su0)) kB over $CYCLES rounds (tolerance $SUNRECLAIM_TOL_KB)"
	[ $((vm1 - vm0)) -le "$VMALLOC_TOL_KB" ] ||
		fail "VmallocUsed grew by $((vm1 - vm0)) kB over $CYCLES rounds (tolerance $VMALLOC_TOL_KB)"
	# The baselines, on every boot: per-CPU memory is judged everywhere,
	# objects by allocation stack where the allocator records them.
	measure idle "$BASE_CYCLES" base_round settle
	[ -n "$tracked" ] && measure chrdev "$BASE_CYCLES" chrdev_round settle
	measure leak "$LEAK_CYCLES" leak_round
	pc_base=$(percpu_growth idle)
	[ -n "$tracked" ] && [ "$(percpu_growth chrdev)" -gt "$pc_base" ] && pc_base=$(percpu_growth chrdev)
	[ "$pc_base" -gt 0 ] || pc_base=0
	pc_tol=$((pc_base + PERCPU_STEP_KB))
	echo "lifecycle: Percpu grew $(percpu_growth ringbus) kB over $CYCLES ringbus rounds (tolerance $pc_tol: baseline $pc_base + one page per CPU), $(percpu_growth leak) kB over $LEAK_CYCLES rounds of a module leaking $PERCPU_LEAK_KB KiB per CPU" >>"$OUT/numbers"
	[ "$(percpu_growth leak)" -gt "$pc_tol" ] ||
		fail "the per-CPU judgement does not see a module leaking $PERCPU_LEAK_KB KiB per CPU a round: Percpu grew $(percpu_growth leak) kB over $LEAK_CYCLES rounds (tolerance $pc_tol kB)"
	[ "$(percpu_growth ringbus)" -le "$pc_tol" ] ||
		fail "Percpu grew by $(percpu_growth ringbus) kB over $CYCLES rounds (tolerance $pc_tol kB: baseline $pc_base + one page per CPU)"
	if [ -z "$tracked" ]; then
		echo "lifecycle: objects by allocation stack not judged: this boot records no allocation sites (make check gives RB_SLAB_TRACK to the full-length boot)" >>"$OUT/numbers"
		return 0
	fi
	{
		echo "lifecycle: caches tracked: $(printf '%s\n' "$TRACKED" | wc -l) ($(printf '%s\n' "$TRACKED" | awk 'NR == 1 { print $2 }' | sed 's|/[^/]*/[^/]*$||'))"
		echo "lifecycle: objects left by modules: ringbus $(module_growth ringbus) in $CYCLES rounds (tolerance $OBJ_TOL), baseline $(module_growth idle) and char device $(module_growth chrdev) in $BASE_CYCLES, leaking module $(module_growth leak) in $LEAK_CYCLES"
		echo "lifecycle: whole caches grown (/proc/slabinfo): ringbus $CYCLES rounds: $(cache_growth ringbus)"
		echo "lifecycle: whole caches grown (/proc/slabinfo): baseline $BASE_CYCLES rounds: $(cache_growth idle) char device: $(cache_growth chrdev)"
		echo "lifecycle: allocation sites grown most over the ringbus rounds: $(sites_grown "$OUT/ringbus.sites.before" "$OUT/ringbus.sites.after" | head -n 5 | tr '\n' ';')"
		[ -s "$OUT/settle" ] && cat "$OUT/settle"
	} >>"$OUT/numbers"
	# The judge first proves it sees a leak of one object per round, and
	# blames nothing on a module that leaks nothing.  Some kernels do not
	# show it the code of an unloaded module: 5.10's alloc_calls lists
	# one page of sites at most, and 7.2 reuses module memory, so that old
	# frames take the names of the modules loaded there since.  There the
	# judgement is printed, not made; the full-length run must make it.
	if [ "$(module_growth leak)" -lt "$LEAK_CYCLES" ]; then
		[ "$CYCLES" -lt 200 ] ||
			fail "a module leaking one object per round left $(module_growth leak) objects in $LEAK_CYCLES rounds: the allocation sites do not show the leak"
		echo "lifecycle: not judged on this kernel: the leaking module's objects were not attributed to it ($(module_growth leak) of $LEAK_CYCLES)" >>"$OUT/numbers"
		return 0
	fi
	[ "$(module_growth idle)" -le "$OBJ_TOL" ] && [ "$(module_growth chrdev)" -le "$OBJ_TOL" ] ||
		fail "the leak-free baseline module is blamed for objects: $(sites_grown "$OUT/chrdev.sites.before" "$OUT/chrdev.sites.after" 1 | head -n 5 | tr '\n' ';')"
	grown=$(module_growth ringbus)
	[ "$grown" -le "$OBJ_TOL" ] ||
		fail "$CYCLES rounds left $grown objects allocated through ringbus code (tolerance $OBJ_TOL): $(sites_grown "$OUT/ringbus.sites.before" "$OUT/ringbus.sites.after" 1 | head -n 8 | tr '\n' ';')"
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
	# Judged before the wait, which would block for as long as the
	# process takes to die.
	[ -e "/proc/$1" ] && [ "$(pid_state "$1")" != Z ] &&
		fail "process $1 still there 5 s after SIGKILL (state $(pid_state "$1"))"
	wait "$1" 2>/dev/null
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

# A WRITE_BATCH of 1 GiB of small records (minutes of work) ends within
# 5 s of a SIGKILL: the batch loop checks for a fatal signal.
t_kill_huge_batch() {
	local p i n1 n2
	load_stack
	ringbusctl create lc-huge >/dev/null || fail "create"
	"$RB_BIN/rb-chantest" block huge-write-batch lc-huge &
	p=$!
	trap 'kill -9 "$p" 2>/dev/null' EXIT
	# Records flowing: the batch is in the kernel.
	for i in $(seq 1 300); do
		[ "$(cat /sys/class/ringbus/lc-huge/last_seq)" -gt 10000 ] && break
		sleep 0.1
	done
	n1=$(cat /sys/class/ringbus/lc-huge/last_seq)
	[ "$n1" -gt 10000 ] || fail "the 1 GiB batch wrote only $n1 records in 30 s"
	kill9 "$p"
	n1=$(cat /sys/class/ringbus/lc-huge/last_seq)
	n2=$(cat /sys/class/ringbus/lc-huge/last_seq)
	assert_eq "records written after the writer was reaped" "$n1" "$n2"
	[ "$n1" -lt $((1 << 26)) ] || fail "the batch ran to its end ($n1 records) before the kill took"
	ringbusctl destroy lc-huge || fail "destroy"
	no_task_in_ringbus
	modprobe -r ringbus_cdev || fail "modprobe -r"
	assert_not_loaded $RB_MODULES
}

# A round takes a few seconds under emulation (with slab tracking at full
# length): this case's own timeout grows with the rounds.
RB_CASE_TIMEOUT=$((600 + CYCLES * 6)) \
	rb_case "lifecycle: $CYCLES load/unload rounds with channels and open files; slab, vmalloc and per-CPU memory return within tolerance" t_load_unload_cycles
udev_on >/dev/null 2>&1
[ -s "$OUT/quiesce" ] && echo "lifecycle: memory counters still after each quiet period (ms): $(cat "$OUT/quiesce")" >>"$OUT/numbers"
[ -s "$OUT/numbers" ] && sed 's/^/# /' "$OUT/numbers"
rb_case "lifecycle: an open channel file holds ringbus_cdev, also after its channel was destroyed" t_channel_fd_holds_cdev
rb_case "lifecycle: modprobe -r with the control node open leaves the char device and the core" t_control_fd_modprobe_r
rb_case "lifecycle: an in-kernel user keeps the core while the char device is reloaded; its channel's node comes back" t_producer_survives_cdev_reload
rb_case "lifecycle: ringbus_proc removed and a channel destroyed while their proc and sysfs files are open" t_procfs_removed_while_open
rb_case "lifecycle: SIGKILL of readers blocked on an empty queue and broadcast channel leaves nothing behind" t_kill_blocked_reader
rb_case "lifecycle: SIGKILL of a writer blocked on a full queue leaves nothing behind" t_kill_blocked_writer
rb_case "lifecycle: SIGKILL of processes blocked in READ_BATCH, WRITE_BATCH, poll and epoll_wait on channels leaves nothing behind" t_kill_blocked_batch_poll
rb_case "lifecycle: SIGKILL ends a WRITE_BATCH of 1 GiB of records within 5 s" t_kill_huge_batch
