# SPDX-License-Identifier: GPL-2.0-only
# ringbusctl doctor on the real installation: healthy, and broken in the
# ways DKMS users meet (no headers; no module for the running kernel; a user
# outside group ringbus).  Each broken case puts the machine back as it was,
# through an EXIT trap, whatever happens.
. "$RB_DIR/lib.sh"

modprobe ringbus_cdev || { rb_not_ok "doctor: modprobe ringbus_cdev"; exit 0; }

KVER=$(uname -r)
KDIR=/lib/modules/$KVER

# doctor_json [ARGS...]: run "ringbusctl doctor --json", keep its output in
# $out and its exit status in $rc; the output must be a JSON array.
doctor_json() {
	out=$("$@" ringbusctl doctor --json 2>&1)
	rc=$?
	[ "$(printf '%s' "$out" | jq -r 'type' 2>/dev/null)" = array ] ||
		fail "doctor --json printed no JSON array: $out"
}

# check_field CHECK FIELD: a field of one check in $out.
check_field() {
	printf '%s' "$out" | jq -r --arg c "$1" ".[] | select(.check == \$c) | .$2"
}

# assert_contains WHAT NEEDLE TEXT: TEXT contains NEEDLE (no regex: kernel
# versions such as 6.12.117+deb12-amd64 hold regex characters).
assert_contains() {
	case "$3" in
	*"$2"*) ;;
	*) fail "$1: '$3' does not contain '$2'" ;;
	esac
}

t_doctor_healthy() {
	local text c
	text=$(ringbusctl doctor 2>&1) || fail "doctor exited $? on a healthy machine: $text"
	assert_match "summary line" '^9 checks' "$(printf '%s\n' "$text" | tail -n 1)"
	doctor_json
	assert_eq "doctor --json exit status" 0 "$rc"
	assert_eq "checks that fail" "" \
		"$(printf '%s' "$out" | jq -r '.[] | select(.status == "fail") | .check')"
	assert_eq "statuses" "" \
		"$(printf '%s' "$out" | jq -r '.[] | select(.status != "ok" and .status != "warn") | .check')"
	assert_eq "number of checks" 9 "$(printf '%s' "$out" | jq -r 'length')"
	# On the guest every real check is plainly ok.
	for c in dkms headers module-built vermagic blacklist module-loaded control-node access; do
		assert_eq "$c" ok "$(check_field "$c" status)"
	done
	assert_contains "dkms names the running kernel" "$KVER" "$(check_field dkms message)"
	assert_contains "module-built names DKMS's module" "$KDIR/updates/dkms/ringbus.ko" \
		"$(check_field module-built message)"
	assert_contains "control-node" "root:ringbus 0660" "$(check_field control-node message)"
	# No mokutil in the guest, which QEMU boots without EFI firmware:
	# doctor looks for the EFI variables itself and finds no EFI.
	if ! command -v mokutil >/dev/null 2>&1 && [ ! -e /sys/firmware/efi ]; then
		assert_eq "secure-boot without mokutil or EFI" ok "$(check_field secure-boot status)"
		assert_contains "secure-boot says there is no EFI" "not an EFI system" \
			"$(check_field secure-boot message)"
	fi
}

t_doctor_no_headers() {
	local build=$KDIR/build saved=$KDIR/build.doctor-test text
	[ -e "$build" ] || fail "no $build to start with"
	[ ! -e "$saved" ] || fail "$saved is in the way"
	mv "$build" "$saved" || fail "cannot move $build away"
	# Back in place however the case ends.
	trap "[ -e '$saved' ] && [ ! -e '$build' ] && mv '$saved' '$build'" EXIT
	doctor_json
	assert_eq "doctor --json exit status without headers" 1 "$rc"
	assert_eq "headers" fail "$(check_field headers status)"
	assert_contains "headers fix" "apt install linux-headers-$KVER" "$(check_field headers fix)"
	text=$(ringbusctl doctor 2>&1)
	assert_eq "doctor exit status without headers" 1 "$?"
	assert_contains "text: the fix" "fix: apt install linux-headers-$KVER" "$text"
	mv "$saved" "$build" || fail "cannot put $build back"
	[ -e "$build/Makefile" ] || fail "$build is not back"
}

# The module gone as depmod would then see it: its files away and its
# lines out of modules.dep, the index doctor reads (modprobe's binary
# indexes stay as they were).  Not depmod itself: over 6.12's
# xz-compressed modules it takes most of a minute under emulation, twice.
t_doctor_no_module() {
	local dir=$KDIR/updates/dkms saved=/root/ringbus-doctor-test.dkms text
	local dep=$KDIR/modules.dep dep_saved=/root/ringbus-doctor-test.dep
	[ -d "$dir" ] || fail "no $dir to start with"
	[ ! -e "$saved" ] || fail "$saved is in the way"
	grep -q '^updates/dkms/ringbus.ko' "$dep" || fail "modules.dep lacks ringbus.ko to start with"
	cp -p "$dep" "$dep_saved" || fail "cannot save $dep"
	mv "$dir" "$saved" || fail "cannot move $dir away"
	trap "if [ -d '$saved' ] && [ ! -e '$dir' ]; then mv '$saved' '$dir'; fi; [ -e '$dep_saved' ] && mv '$dep_saved' '$dep'" EXIT
	grep -v '^updates/dkms/' "$dep_saved" >"$dep" || fail "cannot rewrite $dep"
	doctor_json
	assert_eq "doctor --json exit status without the module" 1 "$rc"
	assert_eq "module-built" fail "$(check_field module-built status)"
	assert_contains "module-built names the kernel" "no ringbus module for the running kernel $KVER" \
		"$(check_field module-built message)"
	# DKMS still counts it as installed, so only a forced install helps.
	assert_contains "module-built fix" "dkms install --force ringbus/$RB_VERSION -k $KVER" \
		"$(check_field module-built fix)"
	# dkms 3.0 flags the missing files in "dkms status", 3.2 does not:
	# the dkms check must say what dkms says.
	local want=ok
	dkms status ringbus -k "$KVER" 2>/dev/null | grep -q WARNING && want=warn
	assert_eq "dkms check mirrors dkms status ($(dkms --version 2>/dev/null))" "$want" \
		"$(check_field dkms status)"
	text=$(ringbusctl doctor 2>&1)
	assert_eq "doctor exit status without the module" 1 "$?"
	assert_contains "text: the problem" "no ringbus module for the running kernel $KVER" "$text"
	assert_contains "text: the fix" "fix: dkms install --force ringbus/$RB_VERSION -k $KVER" "$text"
	mv "$saved" "$dir" || fail "cannot put $dir back"
	mv "$dep_saved" "$dep" || fail "cannot put $dep back"
	grep -q '^updates/dkms/ringbus.ko' "$dep" || fail "modules.dep lacks ringbus.ko again"
	modinfo -n ringbus_cdev >/dev/null || fail "modinfo cannot find ringbus_cdev again"
}

# A blacklist line in modprobe.d: doctor names the file and line, and what
# it says is true: with the suite unloaded, opening the control node (made
# as kmod-static-nodes makes it at boot) no longer loads ringbus_cdev.
t_doctor_blacklisted() {
	local conf=/etc/modprobe.d/ringbus-doctor-test.conf node=/dev/ringbus/control
	[ ! -e "$conf" ] || fail "$conf is in the way"
	unload_all
	trap "rm -f '$conf'" EXIT
	printf '# test\nblacklist ringbus_cdev\n' >"$conf" || fail "cannot write $conf"
	doctor_json
	assert_eq "doctor --json exit status with ringbus_cdev blacklisted" 1 "$rc"
	assert_eq "blacklist" fail "$(check_field blacklist status)"
	assert_contains "blacklist names the file and line" "$conf:2: 'blacklist ringbus_cdev': opening $node no longer loads ringbus_cdev" \
		"$(check_field blacklist message)"
	[ -c "$node" ] || { mkdir -p /dev/ringbus && mknod -m 0660 "$node" c 121 0; } ||
		fail "cannot make $node"
	if (: <"$node") 2>/dev/null; then
		fail "opening $node succeeded with ringbus_cdev blacklisted"
	fi
	assert_not_loaded ringbus_cdev
	rm "$conf" || fail "cannot remove $conf"
	doctor_json
	assert_eq "blacklist once the line is gone" ok "$(check_field blacklist status)"
	(: <"$node") || fail "opening $node did not load ringbus_cdev once the blacklist was gone"
	assert_loaded ringbus_cdev
	load_all
}

t_doctor_user_outside_group() {
	id -nG rbuser | grep -qw ringbus && fail "rbuser is in group ringbus"
	doctor_json as rbuser
	assert_eq "doctor --json exit status for rbuser" 1 "$rc"
	assert_eq "access" fail "$(check_field access status)"
	assert_contains "access names the user" "rbuser" "$(check_field access message)"
	assert_contains "access fix" "adduser rbuser ringbus" "$(check_field access fix)"
	assert_contains "access fix: log in again" "log out and in again" "$(check_field access fix)"
	# What does not depend on the user still looks the same.
	assert_eq "module-built for rbuser" ok "$(check_field module-built status)"
	assert_eq "control-node for rbuser" ok "$(check_field control-node status)"
	if id rbmember >/dev/null 2>&1 && id -nG rbmember | grep -qw ringbus; then
		doctor_json as rbmember
		assert_eq "doctor --json exit status for a ringbus member" 0 "$rc"
		assert_eq "access for a ringbus member" ok "$(check_field access status)"
	fi
}

rb_case "doctor: a healthy installation passes every check" t_doctor_healthy
rb_case "doctor: without kernel headers the headers check fails with linux-headers-<kver>" t_doctor_no_headers
rb_case "doctor: without the module for the running kernel module-built fails with its fix" t_doctor_no_module
rb_case "doctor: a blacklist in modprobe.d is named, and does keep the control node from loading the driver" t_doctor_blacklisted
rb_case "doctor: a user outside group ringbus is told to adduser" t_doctor_user_outside_group
