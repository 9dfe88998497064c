# SPDX-License-Identifier: GPL-2.0-only
# Hostile input: every ioctl and file operation of both node kinds with bad
# pointers, reserved fields, flag bits, lengths, names and command numbers
# (bin/rb-hostile, the 64-bit and the 32-bit build, whose outputs must be
# identical); kernel pointers in /proc, sysfs and ringbusctl --json; and
# what unprivileged users may not do.
. "$RB_DIR/lib.sh"

H=$RB_BIN/rb-hostile
H32=$RB_BIN/rb-hostile-32
OUT=$(mktemp -d /tmp/rb-hostile.XXXXXX)
modprobe ringbus_cdev || { rb_not_ok "hostile: modprobe ringbus_cdev"; exit 0; }

# The groups of rb-hostile, as TAP cases: "title:group group...".
SETS="control node ioctls (VERSION CREATE DESTROY LIST INFO):version create destroy list info
channel node ioctls (CHAN_INFO STATS FLUSH SET/GET_OPTS):chan_info stats flush opts
batch ioctls (READ_BATCH WRITE_BATCH):read_batch write_batch
unknown and misdirected commands (ENOTTY):unknown
read/write/lseek/pread/mmap on both node kinds:fops"

# The cases of each group of rb-hostile's table (rb-hostile count): a
# group that ran fewer, or a table that lost some, fails.  Update with the
# table.
CASES="version:17 create:329 destroy:43 list:102 info:49 chan_info:28 stats:28
flush:15 opts:110 read_batch:220 write_batch:200 unknown:100 fops:87"

# t_hostile BIN TAG GROUPS...: run the groups, keep the output for the
# 32/64 comparison.
t_hostile() {
	local bin=$1 tag=$2 g want total=0
	shift 2
	"$bin" run "$@" >"$OUT/$tag.out" 2>&1
	local rc=$?
	grep -E 'FAIL|rb-hostile:' "$OUT/$tag.out"
	for g in "$@"; do
		want=$(printf '%s\n' $CASES | sed -n "s/^$g://p")
		[ -n "$want" ] || fail "no expected count for group $g"
		total=$((total + want))
		grep -qx "group $g: $want cases, 0 failed" "$OUT/$tag.out" ||
			fail "group $g: want '$want cases, 0 failed', got '$(grep "^group $g:" "$OUT/$tag.out")'"
	done
	grep -qx "total: $total cases, 0 failed" "$OUT/$tag.out" ||
		fail "want 'total: $total cases, 0 failed', got '$(grep '^total:' "$OUT/$tag.out")' (exit $rc)"
	[ "$rc" = 0 ] || fail "exit status $rc"
}

# The table itself: as many cases as CASES says, and a group name it does
# not know is refused (a typo in SETS would otherwise run nothing).
t_hostile_table() {
	local c
	for c in $CASES; do
		assert_eq "rb-hostile count: group ${c%%:*}" "${c#*:}" \
			"$("$H" count | awk -v g="${c%%:*}" '$1 == g { print $2 }')"
	done
	assert_eq "groups in the table" "$(printf '%s\n' $CASES | wc -l)" "$("$H" groups | wc -l)"
	"$H" run no_such_group >/dev/null 2>&1
	assert_eq "exit status of rb-hostile run with an unknown group" 2 $?
}
rb_case "hostile: rb-hostile's table has the expected cases per group; an unknown group is refused" t_hostile_table

n=0
while IFS=: read -r title groups; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	rb_case "hostile: $title" t_hostile "$H" "64.$n" $groups
	echo "# $(grep '^total:' "$OUT/64.$n.out")"
	# shellcheck disable=SC2086
	rb_case "hostile: $title, 32-bit compat ABI" t_hostile "$H32" "32.$n" $groups
	echo "# $(grep '^total:' "$OUT/32.$n.out")"
done <<EOF
$SETS
EOF

t_compat_identical() {
	local i
	[ -s "$OUT/64.1.out" ] || fail "no 64-bit output"
	for i in $(seq 1 "$n"); do
		diff -u "$OUT/64.$i.out" "$OUT/32.$i.out" || fail "set $i: the 32-bit build differs"
	done
	# Every case of the table was compared (identical empty outputs
	# would prove nothing).
	assert_eq "cases compared" "$(printf '%s\n' $CASES | awk -F: '{ n += $2 } END { print n }')" \
		"$(cat "$OUT"/64.*.out | grep -c '^case ')"
}
rb_case "hostile: 32-bit and 64-bit builds give identical results, case by case" t_compat_identical
echo "# $(cat "$OUT"/64.*.out | grep -c '^case ') cases compared"

# Kernel pointers: 16 hex digits from ffff8 up, or a 20-digit decimal of
# that range (18446603336221196288 = 0xffff800000000000).
KPTR_RE='(^|[^0-9a-fA-F])(0x)?ffff[89a-f][0-9a-f]{11}([^0-9a-fA-F]|$)|(^|[^0-9])184466[0-9]{14}([^0-9]|$)'

t_no_kernel_pointers() {
	local f files=0 ch=kptr-scan
	"$RB_BIN/rb-chantest" create "$ch" || fail "create $ch"
	printf 'hello' >"/dev/ringbus/$ch"
	for f in /proc/ringbus/* /sys/class/ringbus/*/* /sys/class/ringbus/*/power/*; do
		if [ ! -f "$f" ] || [ ! -r "$f" ]; then continue; fi
		files=$((files + 1))
		if grep -aEiq "$KPTR_RE" "$f" 2>/dev/null; then
			fail "$f shows a kernel-pointer-like value: $(grep -aEi "$KPTR_RE" "$f" | head -n 3)"
		fi
	done
	[ "$files" -ge 10 ] || fail "only $files files scanned"
	local cmd out
	for cmd in "list --json" "info $ch --json" "stats --json" "stats --cpus --json" \
		"doctor --json" "list" "info $ch" "stats" "version"; do
		# shellcheck disable=SC2086
		out=$(ringbusctl $cmd 2>&1) || [ "${cmd%% *}" = doctor ] || fail "ringbusctl $cmd failed: $out"
		files=$((files + 1))
		if printf '%s\n' "$out" | grep -aEiq "$KPTR_RE"; then
			fail "ringbusctl $cmd shows a kernel-pointer-like value"
		fi
	done
	"$RB_BIN/rb-chantest" destroy "$ch"
	echo "$files files and command outputs scanned" >"$OUT/n"
}
rm -f "$OUT/n"
rb_case "hostile: no kernel pointers in /proc/ringbus, /sys/class/ringbus, ringbusctl output" t_no_kernel_pointers
echo "# $(cat "$OUT/n" 2>/dev/null)"

t_proc_sysfs_read_only() {
	local f
	for f in /proc/ringbus/*; do
		assert_eq "mode of $f" "444" "$(stat -c %a "$f")"
		sh -c "echo 1 > $f" 2>/dev/null && fail "$f is writable by root"
	done
	return 0
}
rb_case "hostile: /proc/ringbus files are read-only (0444)" t_proc_sysfs_read_only

# --- unprivileged users ----------------------------------------------------
# rbnobody: not in group ringbus.  rbuser2 and rbuser3: members.
id rbnobody >/dev/null 2>&1 || useradd --no-create-home rbnobody
id rbuser2 >/dev/null 2>&1 || useradd --no-create-home --groups ringbus rbuser2
id rbuser3 >/dev/null 2>&1 || useradd --no-create-home --groups ringbus rbuser3
RBGID=$(getent group ringbus | cut -d: -f3)
U2=$(id -u rbuser2)
UNPRIV=0

# ex_done [LOOPED]: the end of a case made of ex checks.  Every ex or nsex line of
# the case's function ran, plus LOOPED more made by loops (a case that
# skipped some, by an early return or a broken helper, must not pass on
# fewer); then their number, for the log.
ex_done() {
	local fn=${FUNCNAME[1]} want
	want=$(( $(declare -f "$fn" | grep -cE '^[[:space:]]*(ex|nsex) ') + ${1:-0} ))
	assert_eq "checks of $fn that ran" "$want" "$UNPRIV"
	echo "$UNPRIV checks" >"$OUT/n"
}

# ex USER ERRNO OP NAME [ARG...]: one checked operation, counted.
ex() {
	local u=$1
	shift
	UNPRIV=$((UNPRIV + 1))
	if [ "$u" = root ]; then
		"$H" expect "$@" || fail "root: expect $*"
	else
		as "$u" "$H" expect "$@" || fail "$u: expect $*"
	fi
}

t_nonmember() {
	UNPRIV=0
	ex rbnobody EACCES open-ctl control
	ex rbuser EACCES open-ctl control
	"$RB_BIN/rb-chantest" create np-root || fail create
	ex rbnobody EACCES open-r np-root
	ex rbnobody EACCES open-w np-root
	# a world-writable channel is open to anyone, but only the owner flushes
	ex root 0 create np-world 0666
	ex rbnobody 0 open-rw np-world
	ex rbnobody EPERM flush np-world
	ex rbnobody EPERM chmod np-world 0777
	ex rbnobody EPERM chown np-world "$(id -u rbnobody)"
	[ -e /dev/ringbus/np-world ] || fail "np-world gone"
	ex root 0 destroy np-world
	ex root 0 destroy np-root
	ex_done
}

t_other_member() {
	UNPRIV=0
	# rbuser2's channels: private (0600), world (0666), group ringbus (0640)
	ex rbuser2 0 create u2-priv
	ex rbuser2 0 create u2-world 0666
	ex rbuser2 0 create u2-group 0640 "$RBGID"
	assert_eq "u2-group node" "rbuser2:ringbus 640" "$(stat -c '%U:%G %a' /dev/ringbus/u2-group)"
	as rbuser2 sh -c 'printf keep > /dev/ringbus/u2-world; printf keep > /dev/ringbus/u2-group' ||
		fail "rbuser2 cannot write its channels"
	ex rbuser3 EACCES open-r u2-priv
	ex rbuser3 EACCES open-w u2-priv
	ex rbuser3 EACCES open-rw u2-priv
	ex rbuser3 0 open-r u2-group
	ex rbuser3 EACCES open-w u2-group
	ex rbuser3 EACCES open-rw u2-group
	ex rbuser3 0 open-rw u2-world
	# not the owner: no destroy, no flush, no chmod/chown of the node
	ex rbuser3 EPERM destroy u2-priv
	ex rbuser3 EPERM destroy u2-world
	ex rbuser3 EPERM destroy u2-group
	ex rbuser3 EPERM flush u2-world
	ex rbuser3 EPERM flush u2-group
	ex rbuser3 EPERM chmod u2-world 0600
	ex rbuser3 EPERM chmod u2-priv 0666
	ex rbuser3 EPERM chown u2-group "$(id -u rbuser3)"
	# no giving channels away, no squatting an existing name
	ex rbuser3 EPERM create-uid u3-as-u2 "$U2"
	ex rbuser3 EPERM create-uid u3-as-root 0
	ex rbuser3 EPERM create-gid u3-rootgrp 0
	ex rbuser3 EPERM create-gid u3-u2grp "$(id -g rbuser2)"
	ex rbuser3 EEXIST create u2-world 0666
	ex rbuser3 EEXIST create u2-priv
	ex rbuser3 ENOENT info u3-as-u2
	ex rbuser3 ENOENT info u3-rootgrp
	# a group one is in is fine
	ex rbuser3 0 create-gid u3-ringbus "$RBGID"
	ex rbuser3 0 destroy u3-ringbus
	# root's channels: same rules
	ex root 0 create root-world 0666
	ex rbuser3 EPERM destroy root-world
	ex rbuser3 EPERM flush root-world
	ex root 0 destroy root-world
	# nothing changed: the records and the nodes are there
	assert_eq "records of u2-world" 1 "$(cat /sys/class/ringbus/u2-world/records)"
	assert_eq "records of u2-group" 1 "$(cat /sys/class/ringbus/u2-group/records)"
	assert_eq "u2-world node" "rbuser2 666" "$(stat -c '%U %a' /dev/ringbus/u2-world)"
	assert_eq "u2-priv node" "rbuser2 600" "$(stat -c '%U %a' /dev/ringbus/u2-priv)"
	# the owner may
	ex rbuser2 0 flush u2-world
	assert_eq "records of u2-world after its owner's flush" 0 "$(cat /sys/class/ringbus/u2-world/records)"
	ex rbuser2 0 destroy u2-priv
	ex rbuser2 0 destroy u2-world
	ex rbuser2 0 destroy u2-group
	ex_done
}

# A node that is not the channel's own: root makes nodes with mknod in a
# scratch directory (as a container runtime populates a /dev), owned by a
# ringbus member with mode 0600.  Neither the number of the member's
# destroyed channel, handed to root's new 0600 channel, nor a node made
# for that channel's number opens it: the number is not reused (ENODEV),
# and the open checks the channel's own owner and mode (EACCES).
# mknod_for NAME PATH: a node for NAME's number at PATH, rbuser2's, 0600.
mknod_for() {
	local dev
	dev=$(cat "/sys/class/ringbus/$1/dev") || fail "no device number for $1"
	mknod "$2" c "${dev%:*}" "${dev#*:}" || fail "mknod $2"
	chown rbuser2 "$2" && chmod 0600 "$2" || fail "chown/chmod $2"
}

t_foreign_node() {
	local d a_dev
	UNPRIV=0
	# Not /tmp: it may be a nodev tmpfs.
	d=$(mktemp -d /var/tmp/rb-nodes.XXXXXX) || fail "mktemp"
	trap 'rm -rf "$d"' EXIT
	chmod 0755 "$d"
	ex rbuser2 0 create fn-a
	mknod_for fn-a "$d/a"
	a_dev=$(cat /sys/class/ringbus/fn-a/dev)
	ex rbuser2 0 open-rw "$d/a"
	ex rbuser2 0 destroy fn-a
	ex root 0 create fn-b 0600
	printf 'for root only' >/dev/ringbus/fn-b || fail "write fn-b"
	ex rbuser2 ENODEV open-r "$d/a"
	ex rbuser2 ENODEV open-rw "$d/a"
	[ "$(cat /sys/class/ringbus/fn-b/dev)" != "$a_dev" ] ||
		fail "fn-b got the number $a_dev of the destroyed fn-a"
	mknod_for fn-b "$d/b"
	ex rbuser2 EACCES open-r "$d/b"
	ex rbuser2 EACCES open-w "$d/b"
	ex rbuser2 EACCES open-rw "$d/b"
	# Group and other bits of the channel, not of the node, decide.
	ex root 0 create fn-c 0640 "$RBGID"
	mknod_for fn-c "$d/c"
	ex rbuser2 0 open-r "$d/c"
	ex rbuser2 EACCES open-w "$d/c"
	# Root passes, as with any file (CAP_DAC_OVERRIDE).
	ex root 0 open-rw "$d/b"
	assert_eq "records of fn-b" 1 "$(cat /sys/class/ringbus/fn-b/records)"
	ex root 0 destroy fn-b
	ex root 0 destroy fn-c
	ex_done
}

# An open racing a create through a node for the number the new channel
# will get (the next one: numbers are handed out cyclically) must meet no
# half-made channel.  rbtest_race.ko holds the create where ringbus_cdev
# takes the reference its node keeps (ringbus_channel_get) until an open
# begun during the hold has returned: the node is not published yet, so
# that open finds no channel (ENODEV).  A node published before its
# channel pointer was set would make that open dereference NULL.
t_node_publication() {
	local d p=/sys/module/rbtest_race/parameters ko m pid ready
	ko=$RB_DIR/consumer/$(uname -r)/rbtest_race.ko
	[ -f "$ko" ] || fail "no $ko (the consumer did not build against the package)"
	d=$(mktemp -d /var/tmp/rb-race.XXXXXX) || fail "mktemp"
	trap 'kill "$pid" 2>/dev/null; wait 2>/dev/null; rmmod rbtest_race 2>/dev/null; rm -rf "$d"' EXIT
	insmod "$ko" || fail "insmod $ko"
	ringbusctl create rc-a >/dev/null || fail "create rc-a"
	m=$(cat /sys/class/ringbus/rc-a/dev) || fail "no device number for rc-a"
	mknod "$d/next" c "${m%:*}" $((${m#*:} + 1)) || fail "mknod $d/next"
	ringbusctl destroy rc-a || fail "destroy rc-a"
	# The opener: opens the next number's node until it is killed (only
	# its opens of that number count: open_dev).
	echo "${m%:*}:$((${m#*:} + 1))" >"$p/open_dev"
	mkfifo "$d/ready" || fail "mkfifo"
	(
		exec 2>/dev/null
		echo "$BASHPID" >"$p/open_pid"
		echo go >"$d/ready"
		while :; do : <"$d/next"; done
	) &
	pid=$!
	read -r ready <"$d/ready"
	assert_eq "opener ready" go "$ready"
	sh -c 'echo $$ >'"$p/hold_pid"' && exec ringbusctl create rc-b' >/dev/null ||
		fail "create rc-b"
	kill "$pid"
	wait "$pid" 2>/dev/null
	assert_eq "creates held" 1 "$(cat "$p/held")"
	[ "$(cat "$p/opens")" -ge 1 ] || fail "no open began and returned while the create was held"
	assert_eq "open during the hold (-ENODEV)" -19 "$(cat "$p/open_ret")"
	echo "held once; $(cat "$p/opens") open(s) in the hold, the first returned $(cat "$p/open_ret")" >"$OUT/n"
	# The node was the new channel's: the open raced the right number.
	assert_eq "rc-b's number" "${m%:*}:$((${m#*:} + 1))" "$(cat /sys/class/ringbus/rc-b/dev)"
	{ : <"$d/next"; } || fail "open of rc-b's number after its create"
	ringbusctl destroy rc-b || fail "destroy rc-b"
	rmmod rbtest_race || fail "rmmod rbtest_race"
}

rm -f "$OUT/n"
rb_case "hostile: user outside group ringbus: control EACCES, foreign channels EACCES/EPERM" t_nonmember
echo "# $(cat "$OUT/n" 2>/dev/null)"
rm -f "$OUT/n"
rb_case "hostile: another ringbus member: open EACCES, destroy/flush/chmod/give-away EPERM" t_other_member
echo "# $(cat "$OUT/n" 2>/dev/null)"
rm -f "$OUT/n"
rb_case "hostile: a node made with mknod opens no channel its owner could not: numbers not reused (ENODEV), the channel's mode checked (EACCES)" t_foreign_node
echo "# $(cat "$OUT/n" 2>/dev/null)"
rm -f "$OUT/n"
rb_case "hostile: an open racing a create through the next number's node meets no half-made channel (ENODEV while the node is unpublished)" t_node_publication
echo "# $(cat "$OUT/n" 2>/dev/null)"
# A member in a user namespace of its own (unshare --user --map-root-user):
# root there is nobody here.  No capability of the initial namespace, so
# no destroy or flush of another's channel, no open beyond the channel's
# mode; ids are its namespace's (an unmapped uid is EINVAL, its own "root"
# is itself).
# nsex USER ERRNO OP NAME [ARG...]: one checked operation from inside.
nsex() {
	local u=$1
	shift
	UNPRIV=$((UNPRIV + 1))
	as "$u" unshare --user --map-root-user "$H" expect "$@" ||
		fail "$u in a user namespace: expect $*"
}

t_user_namespace() {
	UNPRIV=0
	as rbuser3 unshare --user --map-root-user sh -c '[ "$(id -u)" = 0 ]' ||
		fail "unshare --user --map-root-user does not work for rbuser3"
	ex rbuser2 0 create un-priv
	ex rbuser2 0 create un-world 0666
	nsex rbuser3 EACCES open-r un-priv
	nsex rbuser3 EACCES open-w un-priv
	nsex rbuser3 0 open-rw un-world
	nsex rbuser3 EPERM destroy un-priv
	nsex rbuser3 EPERM destroy un-world
	nsex rbuser3 EPERM flush un-world
	nsex rbuser3 EINVAL create-uid un-unmapped 1000
	nsex rbuser3 EINVAL create-gid un-unmapped 1000
	nsex rbuser3 0 create-uid un-mine 0
	assert_eq "owner of the channel root of the namespace made" rbuser3 \
		"$(stat -c %U /dev/ringbus/un-mine)"
	ex rbuser2 EACCES open-r un-mine
	ex rbuser3 0 destroy un-mine
	ex rbuser2 0 destroy un-priv
	ex rbuser2 0 destroy un-world
	ex_done
}

rm -f "$OUT/n"
rb_case "hostile: a member in its own user namespace: EACCES/EPERM on others' channels, its ids only" t_user_namespace
echo "# $(cat "$OUT/n" 2>/dev/null)"

# A record's writer uid is told in the user namespace of whoever opened the
# file (its f_cred), not of the task that reads it: a descriptor opened
# outside and read inside a namespace where the writer has no mapping
# still names the writer (a set-uid reader cannot be fooled either way).
t_record_uid_opener() {
	ex rbuser2 0 create un-rec 0666
	as rbuser2 sh -c 'printf x >/dev/ringbus/un-rec' || fail "write as rbuser2"
	local got
	got=$(as rbuser3 sh -c "exec 3</dev/ringbus/un-rec; unshare --user --map-root-user $RB_BIN/rb-chantest read-uid 3") ||
		fail "read-uid in a user namespace: $got"
	assert_eq "uid of the record, read inside through a file opened outside" "$(id -u rbuser2)" "$got"
	got=$(as rbuser3 sh -c "exec 3</dev/ringbus/un-rec; $RB_BIN/rb-chantest read-uid 3")
	assert_eq "the same read outside" "$(id -u rbuser2)" "$got"
	ex rbuser2 0 destroy un-rec
}

# A queue reader whose buffer is a userfaultfd page sleeps in its copy,
# holding the channel's read_mutex as long as it likes (rb-chantest
# stalled-reader: issue 14 item 8).
t_stalled_reader() {
	"$RB_BIN/rb-chantest" stalled-reader queue || fail "rb-chantest stalled-reader queue"
}

rb_case "hostile: a reader stalled in a page fault holds up no O_NONBLOCK read (EAGAIN) and no FLUSH killed with SIGKILL" t_stalled_reader
# /proc/ringbus/cpus is world-readable.  A snapshot taken with on_each_cpu()
# interrupts every CPU, so anyone could make every CPU take an IPI at will:
# only CAP_SYS_ADMIN gets the snapshot.  Function-call IPIs are /proc/
# interrupts' CAL row.  Root's reads prove the count sees the IPIs.
cal_ipis() {
	awk '$1 == "CAL:" { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s }' /proc/interrupts
}

t_cpus_ipis() {
	modprobe ringbus_proc || fail "modprobe ringbus_proc"
	[ "$(nproc)" -ge 2 ] || fail "the guest has one CPU: nothing to interrupt"
	# 200 opens and reads with no process started in between (the read
	# builtin): new processes cause function-call IPIs of their own.
	local a b root_d user_d ctl_d loop='for i in $(seq 200); do while read -r l; do :; done </proc/ringbus/cpus; done'
	a=$(cal_ipis)
	sh -c "$loop"
	b=$(cal_ipis)
	root_d=$((b - a))
	# What else the guest does meanwhile (a lazy vmap purge, TLB
	# shootdowns) adds function-call IPIs at random, more on a loaded
	# host: the same loop as rbuser3 over /proc/ringbus/stats, which
	# sums without IPIs, measures them just before rbuser3's reads.
	a=$(cal_ipis)
	as rbuser3 sh -c "${loop//cpus/stats}" || fail "rbuser3 cannot read /proc/ringbus/stats"
	b=$(cal_ipis)
	ctl_d=$((b - a))
	a=$(cal_ipis)
	as rbuser3 sh -c "$loop" || fail "rbuser3 cannot read /proc/ringbus/cpus"
	b=$(cal_ipis)
	user_d=$((b - a))
	echo "root $root_d, rbuser3 $user_d function-call IPIs in 200 reads (reading stats instead: $ctl_d)" >"$OUT/n"
	[ "$root_d" -ge 200 ] ||
		fail "200 reads as root made $root_d function-call IPIs: no snapshot with on_each_cpu(), or the count does not see it"
	# root's reads add at least one IPI each; rbuser3's may add no more
	# than half an IPI a read over the control loop's.
	[ $((user_d - ctl_d)) -lt 100 ] ||
		fail "200 reads of /proc/ringbus/cpus as rbuser3 made $user_d function-call IPIs, $ctl_d reading stats instead (root: $root_d)"
	assert_eq "rows rbuser3 reads" "$(($(nproc) + 1))" "$(as rbuser3 cat /proc/ringbus/cpus | wc -l)"
}

rm -f "$OUT/n"
rb_case "hostile: any user may read /proc/ringbus/cpus, but only CAP_SYS_ADMIN makes every CPU take an IPI for it" t_cpus_ipis
echo "# $(cat "$OUT/n" 2>/dev/null)"
rb_case "hostile: record writer uids are told in the opener's user namespace, not the reading task's" t_record_uid_opener

# Per-user limits: one member at max_user_channels or max_user_bytes gets
# EDQUOT and another member still creates; root (CAP_SYS_RESOURCE) goes
# beyond; a destroyed channel held open still counts; a capacity above
# 16 MiB needs CAP_SYS_RESOURCE (EPERM).
PARAMS=/sys/module/ringbus/parameters

# create_when_free USER NAME: create once the housekeeping thread has
# freed what was released (it is woken by the last close), within 10 s.
create_when_free() {
	local i
	for i in $(seq 1 100); do
		as "$1" "$H" expect 0 create "$2" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "$1 could not create $2 within 10 s of the last close"
}

t_user_limits() {
	local oc ob line
	UNPRIV=0
	oc=$(cat "$PARAMS/max_user_channels") ob=$(cat "$PARAMS/max_user_bytes")
	assert_eq "max_user_channels by default" 64 "$oc"
	assert_eq "max_user_bytes by default" 134217728 "$ob"
	trap 'echo "$oc" >"$PARAMS/max_user_channels"; echo "$ob" >"$PARAMS/max_user_bytes"' EXIT
	echo 3 >"$PARAMS/max_user_channels" || fail "set max_user_channels"
	ex rbuser2 0 create ul-1
	ex rbuser2 0 create ul-2
	ex rbuser2 0 create ul-3
	ex rbuser2 EDQUOT create ul-4
	[ -e /dev/ringbus/ul-4 ] && fail "a refused channel has a node"
	ex rbuser3 0 create ul-5
	ex root 0 create ul-r1
	ex root 0 create ul-r2
	ex root 0 create ul-r3
	ex root 0 create ul-r4
	ex rbuser2 0 destroy ul-3
	ex rbuser2 0 create ul-4
	# Held open after its destroy, ul-4 still takes its place.
	coproc HOLD { as rbuser2 sh -c 'exec 3</dev/ringbus/ul-4 && echo held && read -r x'; }
	read -r line <&"${HOLD[0]}"
	assert_eq "the holder's open" held "$line"
	ex rbuser2 0 destroy ul-4
	ex rbuser2 EDQUOT create ul-6
	echo go >&"${HOLD[1]}"
	wait "$HOLD_PID"
	create_when_free rbuser2 ul-6
	for c in ul-1 ul-2 ul-6; do ex rbuser2 0 destroy "$c"; done
	for c in ul-r1 ul-r2 ul-r3 ul-r4; do ex root 0 destroy "$c"; done
	ex rbuser3 0 destroy ul-5
	# Bytes: two 64 KiB rings fill 128 KiB.
	echo 0 >"$PARAMS/max_user_channels" && echo 131072 >"$PARAMS/max_user_bytes" ||
		fail "set max_user_bytes"
	ex rbuser2 0 create-cap ul-b1 65536
	ex rbuser2 0 create-cap ul-b2 65536
	ex rbuser2 EDQUOT create-cap ul-b3 4096
	ex rbuser3 0 create-cap ul-b4 65536
	for c in ul-b1 ul-b2; do ex rbuser2 0 destroy "$c"; done
	ex rbuser3 0 destroy ul-b4
	echo "$oc" >"$PARAMS/max_user_channels" && echo "$ob" >"$PARAMS/max_user_bytes" ||
		fail "restore the limits"
	# Above 16 MiB only with CAP_SYS_RESOURCE (the core loaded with a
	# larger max_capacity; the stack reloaded with its defaults after).
	unload_all
	modprobe ringbus max_capacity=33554432 && modprobe ringbus_cdev ||
		fail "load with max_capacity=33554432"
	ex rbuser2 EPERM create-cap ul-big 33554432
	ex rbuser2 0 create-cap ul-16m 16777216
	ex root 0 create-cap ul-big 33554432
	ex rbuser2 0 destroy ul-16m
	ex root 0 destroy ul-big
	unload_all
	load_all
	# The three loops above make 3 + 4 + 2 checks; the function's text
	# counts each loop's one ex line once.
	ex_done 6
}

rm -f "$OUT/n"
rb_case "hostile: per-user limits: EDQUOT at max_user_channels and max_user_bytes, another member unaffected; above 16 MiB EPERM" t_user_limits
echo "# $(cat "$OUT/n" 2>/dev/null)"
rm -rf "$OUT"
