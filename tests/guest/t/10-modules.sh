# SPDX-License-Identifier: GPL-2.0-only
# Module life cycle: autoloading, dependencies, aliases, modinfo, symbols.
# Runs first: the first case needs a freshly booted guest.
. "$RB_DIR/lib.sh"

control_devt_hex() { printf '%x:%x' 121 0; }

t_fresh_boot_open_loads_stack() {
	assert_not_loaded $RB_MODULES
	[ -c /dev/ringbus/control ] || fail "/dev/ringbus/control is missing at boot (kmod static nodes)"
	assert_eq "control node device number" "$(control_devt_hex)" \
		"$(stat -c '%t:%T' /dev/ringbus/control)"
	# The first open finds no driver: the kernel asks kmod for
	# char-major-121-0, which loads the whole stack before open returns.
	exec 4</dev/ringbus/control || fail "open of /dev/ringbus/control failed"
	exec 4<&-
	assert_loaded ringbus ringbus_cdev ringbus_proc
}

t_control_node_permissions() {
	load_all
	udevadm settle --timeout=30
	assert_eq "owner, group and mode of /dev/ringbus/control" "root:ringbus 660" \
		"$(stat -c '%U:%G %a' /dev/ringbus/control)"
	[ -e /sys/class/ringbus/control ] || fail "no /sys/class/ringbus/control"
	assert_eq "dev attribute" "121:0" "$(cat /sys/class/ringbus/control/dev)"
	[ -e /sys/dev/char/121:0 ] || fail "no /sys/dev/char/121:0"
}

t_lsmod_used_by() {
	load_all
	local used
	used=$(lsmod | awk '$1 == "ringbus" { print $4 }' | tr ',' '\n' | sort | tr '\n' ' ')
	assert_eq "lsmod: ringbus used by" "ringbus_cdev ringbus_proc " "$used"
	assert_eq "refcount column" "2" "$(lsmod | awk '$1 == "ringbus" { print $3 }')"
}

t_modprobe_r_removes_all() {
	load_all
	modprobe -r ringbus_cdev ringbus_proc || fail "modprobe -r ringbus_cdev ringbus_proc failed"
	assert_not_loaded $RB_MODULES
}

t_modprobe_alias_loads_all() {
	unload_all
	modprobe ringbus || fail "modprobe ringbus failed"
	assert_loaded $RB_MODULES
}

t_modprobe_r_cdev_alone_removes_all() {
	load_all
	modprobe -r ringbus_cdev || fail "modprobe -r ringbus_cdev failed"
	assert_not_loaded $RB_MODULES
}

t_modprobe_control_alias() {
	unload_all
	modprobe char-major-121-0 || fail "modprobe char-major-121-0 failed"
	assert_loaded $RB_MODULES
	unload_all
	modprobe devname:ringbus/control || fail "modprobe devname:ringbus/control failed"
	assert_loaded $RB_MODULES
}

t_rmmod_core_busy() {
	load_all
	local out
	out=$(rmmod ringbus 2>&1) && fail "rmmod ringbus succeeded with dependents loaded"
	assert_match "rmmod message" "in use by: .*ringbus_(cdev|proc)" "$out"
	# The kernel's own answer, without kmod's check in front of it.
	assert_eq "delete_module(ringbus) errno" "EWOULDBLOCK" \
		"$("$RB_BIN/rb-delmod" ringbus)"
	assert_loaded $RB_MODULES
}

t_rmmod_cdev_busy_while_open() {
	load_all
	local out
	exec 4</dev/ringbus/control || fail "open /dev/ringbus/control"
	out=$(rmmod ringbus_cdev 2>&1)
	local rc=$?
	assert_eq "delete_module(ringbus_cdev) errno while open" "EWOULDBLOCK" \
		"$("$RB_BIN/rb-delmod" ringbus_cdev)"
	exec 4<&-
	[ "$rc" != 0 ] || fail "rmmod ringbus_cdev succeeded while the control node was open"
	assert_match "rmmod message" "in use" "$out"
	assert_loaded $RB_MODULES
	rmmod ringbus_cdev || fail "rmmod ringbus_cdev after close failed"
	assert_not_loaded ringbus_cdev
}

t_insmod_cdev_alone_unknown_symbol() {
	unload_all
	local ko out
	ko=$(modinfo -n ringbus_cdev) || fail "modinfo -n ringbus_cdev"
	dmesg_mark
	out=$(insmod "$ko" 2>&1) && fail "insmod of ringbus_cdev.ko alone succeeded"
	assert_match "insmod error" "Unknown symbol in module" "$out"
	assert_match "dmesg" "ringbus_cdev: Unknown symbol ringbus_get_core_info" "$(dmesg_since)"
	assert_not_loaded $RB_MODULES
}

t_modinfo_fields() {
	local m field val
	for m in $RB_MODULES; do
		for field in description author; do
			val=$(modinfo -F $field $m)
			[ -n "$val" ] || fail "$m: empty $field"
		done
		assert_eq "$m license" "GPL" "$(modinfo -F license $m)"
		assert_eq "$m version" "$RB_VERSION" "$(modinfo -F version $m)"
		assert_eq "$m vermagic" "$(uname -r)" "$(modinfo -F vermagic $m | cut -d' ' -f1)"
		modinfo -F parm $m | while IFS= read -r val; do
			assert_match "$m parameter has a description" '^[a-z_]+:[^(].* \([a-z]+\)$' "$val"
		done || exit 1
	done
	local dep=/lib/modules/$(uname -r)/modules.dep
	grep -Eq '^updates/dkms/ringbus_cdev\.ko(\.[a-z]+)?: updates/dkms/ringbus\.ko' "$dep" ||
		fail "modules.dep lacks ringbus_cdev.ko: ringbus.ko ($(grep ringbus "$dep"))"
	grep -Eq '^updates/dkms/ringbus_proc\.ko(\.[a-z]+)?: updates/dkms/ringbus\.ko' "$dep" ||
		fail "modules.dep lacks ringbus_proc.ko: ringbus.ko"
	grep -q '^ringbus_cdev ringbus/control c121:0$' "/lib/modules/$(uname -r)/modules.devname" ||
		fail "modules.devname lacks ringbus/control"
	assert_eq "ringbus depends" "" "$(modinfo -F depends ringbus)"
	assert_eq "ringbus_cdev depends" "ringbus" "$(modinfo -F depends ringbus_cdev)"
	assert_eq "ringbus_proc depends" "ringbus" "$(modinfo -F depends ringbus_proc)"
	assert_eq "ringbus_cdev aliases" "char-major-121-0 devname:ringbus/control ringbus" \
		"$(modinfo -F alias ringbus_cdev | sort | tr '\n' ' ' | sed 's/ $//')"
	assert_eq "ringbus_cdev softdep" "post: ringbus_proc" "$(modinfo -F softdep ringbus_cdev)"
	for val in max_channels default_capacity max_capacity; do
		modinfo -F parm ringbus | grep -q "^$val:" || fail "ringbus has no parameter $val"
	done
	modinfo -F parm ringbus_cdev | grep -q '^control_major:' || fail "no control_major parameter"
}

t_module_parameters_in_sysfs() {
	load_all
	assert_eq "max_channels" "256" "$(cat /sys/module/ringbus/parameters/max_channels)"
	assert_eq "default_capacity" "65536" "$(cat /sys/module/ringbus/parameters/default_capacity)"
	assert_eq "control_major" "121" "$(cat /sys/module/ringbus_cdev/parameters/control_major)"
	assert_eq "version in sysfs" "$RB_VERSION" "$(cat /sys/module/ringbus/version)"
}

t_bad_parameter_refused() {
	unload_all
	dmesg_mark
	modprobe ringbus default_capacity=1000 2>/dev/null && fail "default_capacity=1000 accepted"
	assert_not_loaded ringbus
	assert_match "dmesg names the parameter" "ringbus: default_capacity=1000" "$(dmesg_since)"
}

t_exported_symbols() {
	load_all
	grep -Eq ' ringbus_get_core_info[[:space:]]+\[ringbus\]$' /proc/kallsyms ||
		fail "ringbus_get_core_info [ringbus] not in /proc/kallsyms"
	local symvers
	symvers=/var/lib/dkms/ringbus/$RB_VERSION/$(uname -r)/$(uname -m)/Module.symvers
	[ -f "$symvers" ] || fail "no $symvers kept by the DKMS POST_BUILD step"
	grep -Eq '^0x[0-9a-f]+	ringbus_get_core_info	.*	EXPORT_SYMBOL_GPL	RINGBUS$' "$symvers" ||
		fail "ringbus_get_core_info is not an EXPORT_SYMBOL_GPL in namespace RINGBUS in $symvers"
	# Every global symbol of every module is either the module glue or an
	# exported ringbus_ symbol (the same check make check runs on the build).
	local kos=()
	for m in $RB_MODULES; do
		kos+=("$(modinfo -n $m)")
	done
	"$RB_DIR/symbols.sh" "$symvers" "${kos[@]}" || fail "symbol check of the installed modules"
}

t_proc_dir_follows_module() {
	load_all
	[ -d /proc/ringbus ] || fail "/proc/ringbus missing with ringbus_proc loaded"
	assert_match "/proc/ringbus/version" "^version $RB_VERSION$" "$(cat /proc/ringbus/version)"
	rmmod ringbus_proc || fail "rmmod ringbus_proc"
	[ -e /proc/ringbus ] && fail "/proc/ringbus still there after rmmod ringbus_proc"
	assert_loaded ringbus ringbus_cdev
	modprobe ringbus_proc || fail "modprobe ringbus_proc"
	[ -d /proc/ringbus ] || fail "/proc/ringbus missing after modprobe ringbus_proc"
}

t_version_ioctl() {
	load_all
	local out
	out=$("$RB_BIN/rb-version" /dev/ringbus/control) || fail "rb-version: $out"
	assert_eq "version ioctl" "abi 1.0 version $RB_VERSION" "$out"
}

rb_case "fresh boot: opening /dev/ringbus/control loads the stack" t_fresh_boot_open_loads_stack
rb_case "control node is root:ringbus 0660 with sysfs entries" t_control_node_permissions
rb_case "lsmod shows ringbus used by ringbus_cdev and ringbus_proc" t_lsmod_used_by
rb_case "modprobe -r ringbus_cdev ringbus_proc removes all three" t_modprobe_r_removes_all
rb_case "modprobe ringbus loads all three" t_modprobe_alias_loads_all
rb_case "modprobe -r ringbus_cdev alone removes all three" t_modprobe_r_cdev_alone_removes_all
rb_case "char-major and devname aliases load the stack" t_modprobe_control_alias
rb_case "rmmod ringbus with dependents loaded fails and changes nothing" t_rmmod_core_busy
rb_case "rmmod ringbus_cdev while the control node is open fails" t_rmmod_cdev_busy_while_open
rb_case "insmod ringbus_cdev.ko alone: unknown symbol named in dmesg" t_insmod_cdev_alone_unknown_symbol
rb_case "modinfo and modules.dep/devname: description, author, license, version, vermagic, depends, aliases, parameters" t_modinfo_fields
rb_case "module parameters and version in /sys/module" t_module_parameters_in_sysfs
rb_case "an invalid module parameter refuses the load" t_bad_parameter_refused
rb_case "exported symbols in kallsyms and Module.symvers; no unprefixed globals" t_exported_symbols
rb_case "/proc/ringbus exists exactly while ringbus_proc is loaded" t_proc_dir_follows_module
rb_case "RINGBUS_IOC_VERSION on the control node" t_version_ioctl
