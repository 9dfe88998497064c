# SPDX-License-Identifier: GPL-2.0-only
# Installing ringbus-dkms when the running kernel has no headers: DKMS says
# why it skipped the build, the apt transaction still succeeds, and doctor
# names the package to install.  Destructive (it removes the headers), so
# it runs last; the guest's disk is a snapshot, gone at power-off.
. "$RB_DIR/lib.sh"

KVER=$(uname -r)
APT="apt-get -y -o Dir::Etc::sourcelist=sources.list.d/ringbus.list -o Dir::Etc::sourceparts=-"
export DEBIAN_FRONTEND=noninteractive

t_install_without_headers() {
	local out rc
	modprobe -r ringbus_proc ringbus_cdev ringbus 2>/dev/null
	$APT remove ringbus-dkms >/dev/null 2>&1 || fail "apt-get remove ringbus-dkms"
	# The running kernel's headers package goes (and any package that
	# depends on it); the other kernels' headers are hidden from DKMS:
	# with them DKMS would build ringbus for those kernels under
	# emulation (minutes per kernel on bookworm's root), which is not
	# what this case is about, and removing every headers package of
	# bookworm's four kernels takes dpkg most of two minutes there.
	$APT remove "linux-headers-$KVER" >/dev/null 2>&1 ||
		fail "apt-get remove linux-headers-$KVER"
	local k
	for k in /lib/modules/*/build; do
		[ -e "$k" ] || continue
		mv "$k" "$k.hidden-by-90-no-headers" || fail "cannot hide $k"
	done
	dpkg-query -W -f='${db:Status-Abbrev}' "linux-headers-$KVER" 2>/dev/null | grep -q '^ii' &&
		fail "linux-headers-$KVER is still installed"
	[ ! -e "/lib/modules/$KVER/build/Makefile" ] || fail "the headers of $KVER are still there"
	out=$($APT install ringbus-dkms 2>&1)
	rc=$?
	assert_eq "apt-get install ringbus-dkms exit status" 0 "$rc"
	# DKMS 2.8 and 3.0: "Module build for kernel KVER was skipped since the
	# kernel headers for this kernel do(es) not seem to be installed.";
	# DKMS 3.2: "WARNING: No kernel headers were found, skipping module
	# build. ... please install the linux-headers-KVER package."
	if printf '%s\n' "$out" | grep -qF "Module build for kernel $KVER was skipped since the"; then
		printf '%s\n' "$out" | grep -Eq "^kernel headers for this kernel do(es)? not seem to be installed" ||
			fail "DKMS did not say the headers are missing: $out"
	elif printf '%s\n' "$out" | grep -qF "No kernel headers were found, skipping module build"; then
		printf '%s\n' "$out" | grep -qF "install the linux-headers-$KVER package" ||
			fail "DKMS did not name linux-headers-$KVER: $out"
	else
		fail "no DKMS message about the skipped build in: $out"
	fi
	assert_match "ringbus-dkms installed" "^install ok installed" \
		"$(dpkg-query -W -f='${Status}' ringbus-dkms)"
	dkms status ringbus 2>/dev/null | grep -F ", $KVER, " | grep -q installed &&
		fail "dkms status says installed for $KVER: $(dkms status ringbus)"
	ls /lib/modules/"$KVER"/updates/dkms/ringbus*.ko* >/dev/null 2>&1 &&
		fail "a ringbus module for $KVER appeared without headers"
	return 0
}

t_doctor_names_headers() {
	local js rc
	js=$(ringbusctl doctor --json 2>/tmp/doctor.err)
	rc=$?
	[ "$rc" = 1 ] || fail "doctor exit status: expected 1, got $rc: $js $(cat /tmp/doctor.err)"
	assert_eq "headers check" fail \
		"$(printf '%s\n' "$js" | jq -r '.[] | select(.check == "headers") | .status')"
	# (KVER holds regex characters: 6.12.117+deb12-amd64)
	printf '%s\n' "$js" | jq -r '.[] | select(.check == "headers") | .fix' |
		grep -qF "apt install linux-headers-$KVER" ||
		fail "headers fix does not name linux-headers-$KVER: $js"
	assert_eq "module-built check" fail \
		"$(printf '%s\n' "$js" | jq -r '.[] | select(.check == "module-built") | .status')"
}

rb_case "no headers: apt-get install ringbus-dkms succeeds; DKMS says it skipped $KVER for want of headers" t_install_without_headers
rb_case "no headers: doctor fails the headers and module checks and names linux-headers-$KVER" t_doctor_names_headers
