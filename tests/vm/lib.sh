# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers of the ringbus VM harness (sourced, not run).

RB_CACHE=${RB_CACHE:-/var/cache/ringbus-test}

# Kernel log lines that fail a run wherever they appear.
RB_BAD_KERNEL_LINES='WARNING:|BUG:|Oops|general protection|KASAN|lockdep is turned off|DEBUG_LOCKS_WARN_ON|inconsistent lock state|possible irq lock inversion|refcount_t|list_add corruption|list_del corruption|Call Trace|Kernel panic|possible recursive locking|circular locking|hung_task|soft lockup|UBSAN|Invalid wait context|suspicious RCU usage|unreferenced object|KFENCE:|ODEBUG:'

# On the kernel command line of make check's full-length boot and of
# quick.sh's: the slab allocator records the allocation stack of every
# object of the kmalloc and kernfs caches (slub_debug=U), so that
# 65-lifecycle judges leaks by the code that allocated what stays, not by
# whole caches that every other task shares.  It slows every kmalloc, so
# the other boots, make bench and make demo go without.  Set it empty to
# boot quick.sh without.
RB_SLAB_TRACK=${RB_SLAB_TRACK-'slub_debug=U,kmalloc-*,kernfs_node_cache'}

# rb_upgrade_pkgs SUITE: the newer kernel series of SUITE that the
# kernel-upgrade test installs after the suite (mkroot.sh keeps its
# packages in the root; pkg-lifecycle.sh installs them).  Empty for a
# suite without one.
rb_upgrade_pkgs() {
	case "$1" in
	bookworm) echo linux-image-6.12-amd64 linux-headers-6.12-amd64 ;;
	esac
}

# The guest groups a PREEMPT_RT kernel boots with (rbtest.only=): the
# modules, the channel ABI, the in-kernel producer from every context and
# the stress runs - what spinlock_t sleeping there could break - and the
# hostile users, whose boundaries (and the races of 62-hostile) hold on
# every flavour Debian ships.
RB_RT_GROUPS=10-modules,20-channels,50-kernel-producer,60-stress,62-hostile

# The groups of a suite's later kernel of the same upstream series as a
# kernel the whole suite runs on elsewhere (bookworm's 6.12 backport beside
# trixie's 6.12): what its own build could break - the packaged modules,
# loading, the channel ABI native and 32-bit, the in-kernel producer.
RB_COMPAT_GROUPS=05-packages,10-modules,20-channels,25-compat32,50-kernel-producer

# The groups the debug kernel boots with (KASAN, lockdep, kmemleak: under
# emulation a case there takes 4 to 12 times as long as on a stock kernel,
# and DEBUG_KOBJECT_RELEASE makes every module unload wait 1 to 4 s for its
# kobject): ringbus's kernel code driven hard - the channel ABI, the
# in-kernel producer from every context, the stress runs, the ring's KUnit
# tests (66-kunit), fault injection and the fuzzer.
# Loading and unloading are exercised by each group's own modprobe -r and
# judged by kmemleak at the end; 10-modules (239 s there), 62-hostile
# (over 8 minutes) and 65-lifecycle's rounds would not fit CI's time.
RB_DEBUG_GROUPS=20-channels,50-kernel-producer,60-stress,66-kunit,68-faults,70-fuzz

# The groups only the debug kernel can run (KUnit, fault injection), left
# out of every other boot.  69-faults-load (module loading with each allocation
# failing in turn: about 7 to 12 s a site there, a quarter of an hour for
# both modules) runs on request: quick.sh -s bookworm-debug 69-faults-load.
RB_DEBUG_ONLY_GROUPS=66-kunit,68-faults,69-faults-load

# The groups whose subject is a suite's user space - the CLI, libringbus
# (native and 32-bit), doctor and
# DKMS's behaviour without headers: what a suite's dkms, apt and libc
# could break, not its kernel.  Each suite runs them once: bullseye and
# trixie on their only kernel, bookworm on its 6.12 backport (its 6.1
# boot records every kmalloc's stack for 65-lifecycle's leak judgement,
# which makes apt, dpkg and depmod there two to three times as slow).
RB_USERLAND_GROUPS=30-cli,35-lib,40-doctor,90-no-headers

# sid's kernel (the newest the archive has): what a new kernel's internals
# could break - the compatibility subset, stress, hostile users and the
# fuzzer.  Its user space is a moving target, covered by bullseye,
# bookworm and trixie.
RB_NEWEST_GROUPS=$RB_COMPAT_GROUPS,60-stress,62-hostile,70-fuzz

# bullseye's 5.10 (the oldest supported series) and trixie's 6.12: every
# kernel API difference the compat header handles, the suite's user space,
# hostile users (user namespaces and credentials differ by series) and the
# module life cycle.  Stress and the fuzzer run at full length on
# bookworm's 6.1, short on the debug kernel under KASAN and lockdep, on
# the RT flavour (stress) and on sid: ringbus's concurrency does not
# change with the series.
RB_SUITE_GROUPS=$RB_COMPAT_GROUPS,$RB_USERLAND_GROUPS,62-hostile,65-lifecycle

# The groups whose subject does not depend on the kernel series (the
# benchmark tool and its report): run on bookworm's 6.12 backport only,
# a boot that records no allocation stacks.
RB_ONCE_GROUPS=80-bench-smoke

# bookworm's 6.12 backport: the compatibility subset, and the groups
# bookworm runs once that its 6.1 boot would slow (above), but for
# 90-no-headers: what it checks is DKMS's message, and bookworm's DKMS
# 3.0 says bullseye's 2.8 words (trixie's 3.2 the other ones), while
# removing a headers package in a root of three kernels takes that boot
# three and a half minutes.
RB_BACKPORT_GROUPS=$RB_COMPAT_GROUPS,${RB_USERLAND_GROUPS/,90-no-headers/},$RB_ONCE_GROUPS

# rb_boot_groups SUITE KVER FIRST ALL: the rbtest.only= list of a boot.
# FIRST is the suite's first (default) kernel, ALL every group of
# tests/guest/t, comma-separated.  bookworm's first kernel (6.1, Debian
# stable's, full length in CI) runs every group but the debug kernel's own
# and those its 6.12 backport runs for it.
rb_boot_groups() {
	case $2 in
	*-rt-*) echo "$RB_RT_GROUPS" ;;
	*-rbdebug) echo "$RB_DEBUG_GROUPS" ;;
	"$3")
		case $1 in
		sid) echo "$RB_NEWEST_GROUPS" ;;
		bookworm)
			local not=$RB_DEBUG_ONLY_GROUPS,$RB_USERLAND_GROUPS,$RB_ONCE_GROUPS
			printf '%s\n' ${4//,/ } | grep -vxF -e "${not//,/$'\n'}" | paste -sd,
			;;
		*) echo "$RB_SUITE_GROUPS" ;;
		esac
		;;
	*)
		case $1 in
		bookworm) echo "$RB_BACKPORT_GROUPS" ;;
		*) echo "$RB_COMPAT_GROUPS" ;;
		esac
		;;
	esac
}

rb_log() { printf '[vm] %s\n' "$*" >&2; }
rb_die() { printf '[vm] error: %s\n' "$*" >&2; exit 1; }

# The Debian archive this machine's apt already uses (so nothing here names
# a mirror host); RB_MIRROR / RB_SECURITY_MIRROR override it.
rb_mirror() {
	local m
	m=${RB_MIRROR:-$(apt-get indextargets --format '$(REPO_URI)' 2>/dev/null |
		grep -E '/debian/?$' | sort -u | head -n 1)}
	[ -n "$m" ] || rb_die "no Debian mirror in this machine's apt sources (set RB_MIRROR)"
	printf '%s\n' "${m%/}"
}

rb_security_mirror() {
	local m
	m=${RB_SECURITY_MIRROR:-$(apt-get indextargets --format '$(REPO_URI)' 2>/dev/null |
		grep -E '/debian-security/?$' | sort -u | head -n 1)}
	if [ -z "$m" ]; then
		m=$(rb_mirror)
		m=${m%/debian}/debian-security
	fi
	printf '%s\n' "${m%/}"
}

# Mount /proc, /sys and /dev into a root; rb_chroot_umount undoes it.
rb_chroot_mount() {
	local root=$1
	mount -t proc proc "$root/proc"
	mount --rbind /sys "$root/sys"
	mount --make-rslave "$root/sys"
	mount --rbind /dev "$root/dev"
	mount --make-rslave "$root/dev"
}

rb_chroot_umount() {
	local root=$1 m
	for m in dev sys proc; do
		if mountpoint -q "$root/$m"; then
			umount -R "$root/$m" 2>/dev/null || umount -lR "$root/$m"
		fi
	done
}

# rb_make_image ROOT IMG: the root as an ext4 image with 1 GiB to spare.
rb_make_image() {
	local size=$(( $(du -sm "$1" | cut -f1) + 1024 ))
	rm -f "$2"
	mke2fs -q -t ext4 -L ringbus-root -E root_owner=0:0 -d "$1" -F "$2" "${size}M" >/dev/null
}

# rb_prepared_guest SUITE OUT: the guest make check prepares in OUT
# (build/check/SUITE), prepared first when it is not there (the developer
# tools quick.sh and docs-capture.sh work on it).
rb_prepared_guest() {
	[ -d "$2/root/usr/lib/ringbus-tests" ] && return 0
	rb_log "preparing the $1 guest first (log: $2/prepare.log)"
	mkdir -p "$2"
	"$(dirname "${BASH_SOURCE[0]}")/prepare.sh" "$1" "$2" >"$2/prepare.log" 2>&1 ||
		rb_die "prepare.sh failed (log: $2/prepare.log)"
}
