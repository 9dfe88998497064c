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
modprobe ringbus_cdev || { echo "not ok - hostile: modprobe ringbus_cdev"; exit 0; }

# The groups of rb-hostile, as TAP cases: "title:group group...".
SETS="control node ioctls (VERSION CREATE DESTROY LIST INFO):version create destroy list info
channel node ioctls (CHAN_INFO STATS FLUSH SET/GET_OPTS):chan_info stats flush opts
batch ioctls (READ_BATCH WRITE_BATCH):read_batch write_batch
unknown and misdirected commands (ENOTTY):unknown
read/write/lseek/pread/mmap on both node kinds:fops"

# t_hostile BIN TAG GROUPS...: run the groups, keep the output for the
# 32/64 comparison.
t_hostile() {
	local bin=$1 tag=$2
	shift 2
	"$bin" run "$@" >"$OUT/$tag.out" 2>&1
	local rc=$?
	grep -E 'FAIL|rb-hostile:' "$OUT/$tag.out"
	grep -q '^total: [0-9]* cases, 0 failed$' "$OUT/$tag.out" || fail "not every case passed (exit $rc)"
	[ "$rc" = 0 ] || fail "exit status $rc"
}

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
	echo "$UNPRIV checks" >"$OUT/n"
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
	echo "$UNPRIV checks" >"$OUT/n"
}

rm -f "$OUT/n"
rb_case "hostile: user outside group ringbus: control EACCES, foreign channels EACCES/EPERM" t_nonmember
echo "# $(cat "$OUT/n" 2>/dev/null)"
rm -f "$OUT/n"
rb_case "hostile: another ringbus member: open EACCES, destroy/flush/chmod/give-away EPERM" t_other_member
echo "# $(cat "$OUT/n" 2>/dev/null)"
rm -rf "$OUT"
