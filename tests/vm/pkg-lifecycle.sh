#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# pkg-lifecycle.sh ROOT VERSION SUITE - the package life cycle inside a prepared
# root (chroot, mounts already in place), as TAP lines on stdout:
# remove, purge, reinstall, dpkg-reconfigure, and a kernel upgrade from
# the root's local repository of a newer kernel series, which DKMS's
# kernel hook must build the suite for.  Leaves the suite installed for
# every kernel of the root.  Details of each step go to stderr.
set -u
usage="usage: pkg-lifecycle.sh ROOT VERSION SUITE"
root=${1:?$usage}
ver=${2:?$usage}
suite=${3:?$usage}
. "$(dirname "$0")/lib.sh"

in_root() { chroot "$root" /bin/bash -c "$*" 1>&2; }
out_root() { chroot "$root" /bin/bash -c "$*" 2>&1; }
# tap RC NAME [DIAG...]: one TAP line, numbered.
ntap=0
tap() {
	ntap=$((ntap + 1))
	if [ "$1" = 0 ]; then echo "ok $ntap - $2"; else echo "not ok $ntap - $2"; fi
	shift 2
	local l
	for l in "$@"; do printf '#   %s\n' "$l"; done
}

apt_local="DEBIAN_FRONTEND=noninteractive apt-get -y -o Dir::Etc::sourcelist=sources.list.d/ringbus.list -o Dir::Etc::sourceparts=-"

# What a removed suite must not leave behind (a group is kept, as Debian
# policy has packages do: files may still belong to it).
gone() {
	local why=()
	[ -z "$(out_root "find /lib/modules -name 'ringbus*.ko*'")" ] || why+=("ringbus modules left in /lib/modules")
	[ -z "$(out_root "dkms status ringbus 2>/dev/null")" ] || why+=("dkms status still lists ringbus")
	[ ! -e "$root/var/lib/dkms/ringbus" ] || why+=("/var/lib/dkms/ringbus left")
	ls -d "$root"/usr/src/ringbus-* >/dev/null 2>&1 && why+=("/usr/src/ringbus-* left")
	ls "$root"/lib/udev/rules.d/*ringbus* "$root"/usr/lib/udev/rules.d/*ringbus* >/dev/null 2>&1 &&
		why+=("udev rule left")
	[ ! -e "$root/usr/bin/ringbusctl" ] || why+=("ringbusctl left")
	printf '%s\n' "${why[@]}"
}

# dkms 3 writes "ringbus/VER, KVER, ARCH: installed", dkms 2 (bullseye)
# "ringbus, VER, KVER, ARCH: installed".
installed_for() {
	out_root "dkms status ringbus" |
		grep -Fqx -e "ringbus/$ver, $1, x86_64: installed" -e "ringbus, $ver, $1, x86_64: installed" &&
		[ -n "$(out_root "ls /lib/modules/$1/updates/dkms/ringbus.ko*")" ]
}

kvers=$(ls "$root/lib/modules" | sort -V)
old=$(echo "$kvers" | tail -n 1)

in_root "$apt_local remove ringbus-dkms ringbus-utils"
why=$(gone)
tap $([ -z "$why" ] && echo 0 || echo 1) "lifecycle: apt-get remove leaves no module, DKMS entry, source or udev rule" $why

in_root "$apt_local install ringbus-dkms ringbus-utils && $apt_local purge ringbus-dkms ringbus-utils"
why=$(gone)
[ -n "$(out_root "getent group ringbus")" ] || why="$why the ringbus group went (Debian keeps system groups)"
tap $([ -z "$why" ] && echo 0 || echo 1) "lifecycle: apt-get purge removes everything but the ringbus group" $why

in_root "$apt_local install ringbus-dkms ringbus-utils libringbus-dev"
installed_for "$old"
tap $? "lifecycle: reinstall builds and installs the modules for $old"

# ringbus-utils Breaks every other version of ringbus-dkms, so apt never
# installs one beside it: stand-ins one version below and one above (no
# files, just control data) in a scratch repository; a simulated install
# with removals forbidden must fail, and with removals allowed apt must
# plan to remove ringbus-utils.  (dpkg -i alone would unpack over the
# installed version and only then refuse to configure it.)  Nothing is
# installed; the suite stays as it is.
fake=/tmp/rb-fake-repo
mkdir -p "$root$fake"
for v in 0.0.9 99.0.0; do
	d=$(mktemp -d)
	mkdir -p "$d/DEBIAN"
	printf '%s\n' "Package: ringbus-dkms" "Version: $v" "Architecture: all" \
		"Maintainer: ringbus tests <root@localhost>" "Description: stand-in of another version" \
		>"$d/DEBIAN/control"
	dpkg-deb --root-owner-group --build "$d" "$root$fake/ringbus-dkms_${v}_all.deb" >/dev/null
	rm -rf "$d"
done
(cd "$root$fake" && apt-ftparchive packages . >Packages)
echo "deb [trusted=yes] file:$fake ./" >"$root/tmp/rb-fake.list"
apt_fake="apt-get -o Dir::Etc::sourcelist=/tmp/rb-fake.list -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0"
in_root "$apt_fake update"
for v in 0.0.9 99.0.0; do
	why=()
	out=$(out_root "$apt_fake -s --no-remove install ringbus-dkms=$v")
	rc=$?
	printf '%s\n' "$out" >&2
	[ "$rc" != 0 ] || why+=("apt would install ringbus-dkms $v with removals forbidden: $(printf '%s' "$out" | grep '^Inst' | tr '\n' ' ')")
	out=$(out_root "$apt_fake -s install ringbus-dkms=$v")
	printf '%s\n' "$out" >&2
	printf '%s\n' "$out" | grep -q '^Remv ringbus-utils' ||
		why+=("apt does not plan to remove ringbus-utils for ringbus-dkms $v: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')")
	[ "$(out_root "dpkg-query -W -f='\${Status} \${Version}' ringbus-dkms")" = "install ok installed $ver" ] ||
		why+=("ringbus-dkms is no longer $ver, installed")
	tap ${#why[@]} "lifecycle: apt will not install ringbus-dkms $v beside ringbus-utils $ver (Breaks)" "${why[@]}"
done
rm -rf "$root$fake" "$root/tmp/rb-fake.list" "$root"/var/lib/apt/lists/*rb-fake-repo*

# A rebuild, not the old build left in place: DKMS's postinst removes the
# version's tree and builds again, so the installed module is a new file.
ko_id() { out_root "stat -c '%i %y' /lib/modules/$old/updates/dkms/ringbus.ko*"; }
before=$(ko_id)
in_root "DEBIAN_FRONTEND=noninteractive dpkg-reconfigure ringbus-dkms"
rc=$?
why=()
[ "$rc" = 0 ] || why+=("dpkg-reconfigure exited $rc")
installed_for "$old" || why+=("not installed for $old afterwards")
after=$(ko_id)
[ "$after" != "$before" ] || why+=("ringbus.ko for $old is the same file as before ($after): nothing was rebuilt")
tap ${#why[@]} "lifecycle: dpkg-reconfigure ringbus-dkms rebuilds and installs the modules again" "${why[@]}"

# An unsupported kernel, as DKMS's kernel hook meets it when such a kernel
# is installed: a stand-in with just enough of a header tree for DKMS to
# try.  dkms.conf's BUILD_EXCLUSIVE_* must make DKMS skip it, saying so,
# with nothing built.  fake_kernel KVER CONFIG-LINES...
fake_kernel() {
	local k=$1 b=$root/lib/modules/$1/build
	shift
	mkdir -p "$b/include"
	printf 'all:\n' >"$b/Makefile"
	printf '%s\n' "$@" >"$b/.config"
}
unfake_kernel() {
	rm -rf "$root/lib/modules/$1" "$root/var/lib/dkms/ringbus/$ver/$1" \
		"$root/var/lib/dkms/ringbus/kernel-$1-x86_64"
}
dkmsv=$(out_root "dpkg-query -W -f='\${Version}' dkms")
# skipped_on KVER WHAT: the kernel hook for KVER, checked; a TAP line.
skipped_on() {
	local k=$1 what=$2 out rc why=()
	out=$(out_root "/etc/kernel/postinst.d/dkms $k")
	rc=$?
	printf '%s\n' "$out" >&2
	printf '%s\n' "$out" | grep -q "BUILD_EXCLUSIVE directive" ||
		why+=("DKMS did not name BUILD_EXCLUSIVE: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')")
	[ -z "$(find "$root/lib/modules/$k" -name 'ringbus*.ko*')" ] || why+=("a module was installed for $k")
	out_root "dkms status ringbus" | grep -F ", $k, " | grep -q installed && why+=("dkms status: installed for $k")
	if [ "$rc" != 0 ]; then
		# bookworm's DKMS 3.0.10 reports a BUILD_EXCLUSIVE skip as a
		# failed autoinstall (exit 11), which fails that kernel's
		# installation; 2.8 and 3.2 exit 0.  See docs/testing.md, 2.2.
		if dpkg --compare-versions "$dkmsv" ge 3.0 && dpkg --compare-versions "$dkmsv" lt 3.1; then
			echo "#   (DKMS $dkmsv's hook exits $rc on a skipped module: its known limitation)"
		else
			why+=("the kernel hook exited $rc: the kernel's installation would fail")
		fi
	fi
	tap ${#why[@]} "lifecycle: DKMS skips $what ($k) with its BUILD_EXCLUSIVE message, nothing built" "${why[@]}"
}

fake=4.19.0-99-amd64
fake_kernel $fake CONFIG_MODULES=y CONFIG_DEVTMPFS=y
skipped_on $fake "a kernel older than 5.10"
unfake_kernel $fake
# DKMS 2.8 does not read BUILD_EXCLUSIVE_CONFIG.
if dpkg --compare-versions "$dkmsv" ge 3.0; then
	fake=6.99.0-99-amd64
	fake_kernel $fake CONFIG_MODULES=y "# CONFIG_DEVTMPFS is not set"
	skipped_on $fake "a kernel without CONFIG_DEVTMPFS"
	unfake_kernel $fake
fi

# The suite's newer kernel series (bookworm's 6.12); a root that should
# have it and does not fails here rather than losing the case.
if [ -n "$(rb_upgrade_pkgs "$suite")" ] && [ ! -f "$root/var/cache/ringbus-upgrade/Packages" ]; then
	tap 1 "lifecycle: installing the newer kernel series builds the suite for it (DKMS hook)" \
		"the $suite root has no local repository of $(rb_upgrade_pkgs "$suite") (tests/vm/mkroot.sh)"
elif [ -n "$(rb_upgrade_pkgs "$suite")" ]; then
	echo "deb [trusted=yes] file:/var/cache/ringbus-upgrade ./" >"$root/etc/apt/sources.list.d/ringbus-upgrade.list"
	in_root "DEBIAN_FRONTEND=noninteractive apt-get update -o Dir::Etc::sourcelist=sources.list.d/ringbus-upgrade.list -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 &&
		DEBIAN_FRONTEND=noninteractive apt-get -y -o Dir::Etc::sourcelist=sources.list.d/ringbus-upgrade.list -o Dir::Etc::sourceparts=- install \$(cd /var/cache/ringbus-upgrade && ls *.deb | sed 's/_.*//' | grep -E '^linux-(image|headers)-6')"
	new=$(ls "$root/lib/modules" | sort -V | tail -n 1)
	rc=0
	[ "$new" != "$old" ] || rc=1
	installed_for "$new" || rc=1
	magic=$(out_root "modinfo -k $new -F vermagic ringbus" | cut -d' ' -f1)
	[ "$magic" = "$new" ] || rc=1
	tap $rc "lifecycle: installing kernel $new builds the suite for it (DKMS hook; vermagic $magic)"
fi
# The package's declared autopkgtest (debian/control "Testsuite:
# autopkgtest-pkg-dkms"): autodep8 makes it DKMS's generic test (make check
# proves that on the host), run here as autopkgtest runs it: from a tree
# with the source's debian/control (where bullseye's DKMS 2.8 version reads
# the package list) and with that list as its arguments (DKMS 3's reads
# them; it needs no grep-dctrl then).  It purges and reinstalls
# ringbus-dkms, then builds and installs it for every kernel with headers;
# it loads nothing.  It leaves the suite installed.
at=/usr/lib/dkms/dkms-autopkgtest
what="lifecycle: autopkgtest-pkg-dkms ($at) builds and installs ringbus-dkms for every kernel with headers"
if [ ! -x "$root$at" ]; then
	tap 1 "$what" "no $at in the root"
else
	src=$(cd "$(dirname "$0")/../.." && pwd)
	mkdir -p "$root/tmp/rb-autopkgtest/src/debian"
	cp "$src/debian/control" "$root/tmp/rb-autopkgtest/src/debian/"
	out=$(out_root "cd /tmp/rb-autopkgtest/src &&
		AUTOPKGTEST_ARTIFACTS=/tmp/rb-autopkgtest $at ringbus-dkms")
	rc=$?
	printf '%s\n' "$out" >&2
	# The test disables DKMS's autoinstall while it runs; never leave that.
	rm -rf "$root/etc/dkms/no-autoinstall" "$root/tmp/rb-autopkgtest"
	why=()
	[ "$rc" = 0 ] || why+=("it exited $rc")
	printf '%s\n' "$out" | grep -q '^I: Testing binary package ringbus-dkms' ||
		why+=("it never tested ringbus-dkms")
	printf '%s\n' "$out" | grep -q '^E: ' && why+=("$(printf '%s\n' "$out" | grep '^E: ' | head -n 3 | tr '\n' ' ')")
	n=0
	for k in $(ls "$root/lib/modules" | sort -V); do
		# (the build link is absolute: it resolves inside the root only)
		out_root "test -d /lib/modules/$k/build" >/dev/null || continue
		n=$((n + 1))
		printf '%s\n' "$out" | grep -Fqx "I: Trying to build ringbus/$ver for $k" ||
			why+=("it did not build for $k")
		# DKMS 3's version ends with a summary line per kernel:
		# "I: PASS KVER" (3.0), "I: PASS NAME/VERSION KVER" (3.2).
		if printf '%s\n' "$out" | grep -q '^I: Summary:'; then
			printf '%s\n' "$out" | awk -v k="$k" '$1 == "I:" && $2 == "PASS" && $NF == k { f = 1 } END { exit !f }' ||
				why+=("no 'I: PASS ... $k' in its summary")
		fi
		installed_for "$k" || why+=("not installed for $k afterwards")
	done
	[ "$n" -gt 0 ] || why+=("no kernel of the root has headers")
	tap ${#why[@]} "$what" "${why[@]}"
fi
exit 0
