# SPDX-License-Identifier: GPL-2.0-only
# The 32-bit ABI: the same test programs, built with gcc -m32, run unchanged
# through compat_ioctl and give the same results.
. "$RB_DIR/lib.sh"

CT32=$RB_BIN/rb-chantest-32
modprobe ringbus_cdev || { rb_not_ok "compat32: modprobe ringbus_cdev"; exit 0; }

t_is_32bit() {
	# ELF magic, then EI_CLASS 1 (ELFCLASS32) and e_machine 3 (EM_386).
	assert_eq "ELF header of rb-chantest-32" "7f454c4601" "$(od -An -tx1 -N5 "$CT32" | tr -d ' ')"
	assert_eq "e_machine" "0300" "$(od -An -tx1 -j18 -N2 "$CT32" | tr -d ' ')"
}

t_version32() {
	assert_eq "version ioctl, 32-bit" "abi 1.0 version $RB_VERSION" \
		"$("$RB_BIN/rb-version-32" /dev/ringbus/control)"
}

rb_case "compat32: the test program is a 32-bit binary" t_is_32bit
rb_case "compat32: RINGBUS_IOC_VERSION" t_version32
for c in $("$CT32" list); do
	rb_case "compat32: $c" "$CT32" "$c"
done
