# SPDX-License-Identifier: GPL-2.0-only
# What "apt-get install ringbus-dkms ringbus-utils" left behind (the guest
# root was made that way; nothing here loads a module).
. "$RB_DIR/lib.sh"

t_packages_installed() {
	local p
	for p in ringbus-dkms ringbus-utils; do
		assert_eq "$p" "install ok installed $RB_VERSION" \
			"$(dpkg-query -W -f='${Status} ${Version}' "$p")"
	done
}

t_dkms_status() {
	local kver
	kver=$(uname -r)
	# (kver may hold regex characters, as in 6.12.117+deb12-amd64; dkms 2
	# on bullseye writes "ringbus, VER, ..." where dkms 3 has "ringbus/VER";
	# -k: DKMS takes seconds per kernel it lists under emulation)
	dkms status ringbus -k "$kver" 2>/dev/null |
		grep -Fqx -e "ringbus/$RB_VERSION, $kver, $(uname -m): installed" \
			-e "ringbus, $RB_VERSION, $kver, $(uname -m): installed" ||
		fail "dkms status: $(dkms status ringbus -k "$kver" 2>&1)"
	for m in ringbus ringbus_cdev ringbus_proc; do
		ls /lib/modules/"$kver"/updates/dkms/$m.ko* >/dev/null 2>&1 ||
			fail "no $m.ko in /lib/modules/$kver/updates/dkms/"
	done
	grep -q '^alias devname:ringbus/control ringbus_cdev$' "/lib/modules/$kver/modules.alias" ||
		fail "modules.alias lacks devname:ringbus/control"
	grep -Eq '^alias char[-_]major[-_]121[-_]0 ringbus_cdev$' "/lib/modules/$kver/modules.alias" ||
		fail "modules.alias lacks char-major-121-0"
	grep -q '^updates/dkms/ringbus.ko' "/lib/modules/$kver/modules.dep" || fail "modules.dep lacks ringbus.ko"
}

t_utils_files() {
	[ -x /usr/bin/ringbusctl ] || fail "no /usr/bin/ringbusctl"
	[ -f /usr/share/bash-completion/completions/ringbusctl ] ||
		fail "no bash completion for ringbusctl"
	[ -f /usr/share/zsh/vendor-completions/_ringbusctl ] ||
		fail "no zsh completion for ringbusctl"
	[ -f /usr/include/linux/ringbus.h ] || fail "no /usr/include/linux/ringbus.h"
	ls /usr/share/man/man1/ringbusctl.1* /usr/share/man/man4/ringbus.4* >/dev/null 2>&1 ||
		fail "man pages missing"
	ls /lib/udev/rules.d/*ringbus*.rules /usr/lib/udev/rules.d/*ringbus*.rules 2>/dev/null | grep -q . ||
		fail "no udev rule installed"
	getent group ringbus >/dev/null || fail "the package did not create the ringbus group"
	assert_eq "ringbus is a system group" "yes" \
		"$([ "$(getent group ringbus | cut -d: -f3)" -lt 1000 ] && echo yes || echo no)"
	[ -f "/usr/src/ringbus-$RB_VERSION/dkms.conf" ] || fail "no /usr/src/ringbus-$RB_VERSION/dkms.conf"
}

t_modules_signed() {
	# Debian's DKMS 3 makes a MOK key pair on its first build and signs
	# what it builds with it; bullseye's DKMS 2.8 signs nothing.
	local m signer serial key dkmsv
	dkmsv=$(dpkg-query -W -f='${Version}' dkms)
	if dpkg --compare-versions "$dkmsv" lt 3; then
		[ ! -f /var/lib/dkms/mok.pub ] || fail "DKMS $dkmsv has a signing key: expected none"
		[ -z "$(modinfo -F signer ringbus)" ] || fail "DKMS $dkmsv signed ringbus: expected no signature"
		echo "# DKMS $dkmsv does not sign modules"
		return 0
	fi
	[ -f /var/lib/dkms/mok.pub ] || fail "DKMS $dkmsv made no signing key (/var/lib/dkms/mok.pub)"
	# The certificate's serial number is the key id modinfo shows.
	serial=$(openssl x509 -inform DER -in /var/lib/dkms/mok.pub -noout -serial | sed 's/^serial=//')
	[ -n "$serial" ] || fail "cannot read the serial number of /var/lib/dkms/mok.pub"
	for m in $RB_MODULES; do
		signer=$(modinfo -F signer $m)
		[ -n "$signer" ] || fail "$m is not signed although DKMS has a key"
		key=$(modinfo -F sig_key $m | tr -d ': \t\n')
		[ "${key^^}" = "${serial^^}" ] ||
			fail "$m is signed with key $key, not DKMS's certificate (serial $serial)"
	done
	assert_eq "signature algorithm" "PKCS#7" "$(modinfo -F sig_id ringbus)"
	echo "# signer: $signer"
}

# The test module (tests/consumer) and the test programs are built in the
# guest root by the harness, never shipped: no package file, no DKMS
# source and no modules.dep entry names them, and the DKMS source tree is
# exactly what debian/ringbus-dkms.install lists (plus dkms.conf).
t_no_test_code_packaged() {
	local files
	files=$(dpkg -L ringbus-dkms ringbus-utils) || fail "dpkg -L failed"
	printf '%s\n' "$files" | grep -E 'rbtest|/tests?/|consumer|rb-(stress|fuzz|hostile|bench)' &&
		fail "a package ships test code (lines above)"
	assert_eq "/usr/src/ringbus-$RB_VERSION" "Kbuild Makefile chardev core dkms.conf include procfs scripts" \
		"$(ls "/usr/src/ringbus-$RB_VERSION" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
	grep -q rbtest "/lib/modules/$(uname -r)/modules.dep" && fail "modules.dep lists a test module"
	modinfo rbtest_producer >/dev/null 2>&1 && fail "modinfo finds rbtest_producer among the installed modules"
	return 0
}

rb_case "packages: ringbus-dkms and ringbus-utils installed by apt" t_packages_installed
rb_case "packages: no test module or test program is packaged" t_no_test_code_packaged
# The case says what it checked: DKMS 2 (bullseye) signs nothing.
if dpkg --compare-versions "$(dpkg-query -W -f='${Version}' dkms)" lt 3; then
	rb_case "packages: DKMS 2 signs nothing: no MOK key, modules unsigned (modinfo signer)" t_modules_signed
else
	rb_case "packages: modules signed with DKMS's MOK key (modinfo signer)" t_modules_signed
fi
rb_case "packages: dkms status installed; .ko in updates/dkms; modules.alias and modules.dep" t_dkms_status
rb_case "packages: ringbusctl, header, man pages, udev rule, ringbus group, DKMS sources" t_utils_files
