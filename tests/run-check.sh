#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: the whole suite.
#   static   checkpatch --strict (host), W=1 and sparse builds and the symbol
#            check (inside the guest root, against its kernel headers);
#   e2e      the guest: the suite installed with DKMS into a Debian root,
#            booted under QEMU with systemd, the guest tests run there, and
#            its kernel log checked for warnings, oopses and lockdep,
#            KASAN or refcount reports.
# Ends with "N passed, N failed" and exits non-zero on any failure.
#
# Environment: KSUITES - the Debian suites whose kernels are built and
# booted (default: bookworm, or the whole matrix "bullseye trixie sid bookworm" when
# CI=true); RB_LONG_SUITE - the suite whose first kernel runs the stress,
# fuzz and load/unload tests at full length (bookworm with CI=true, none
# otherwise); the other boots get
# RB_SHORT_CMDLINE (shorter runs; set it empty for full length everywhere);
# RB_CACHE - the cache of root file systems
# (/var/cache/ringbus-test).  A sid root that cannot be made (unstable is
# sometimes uninstallable for a day) is a skip outside CI, a failure in it.
# A failed run lists every failing case and its log before the totals.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=$top/build/check
mkdir -p "$build"
passed=0
failed=0
skipped=0

# Per kernel booted: "suite kernel passed failed" lines for the table.
table=$build/kernels.txt
: >"$table"
# Every failing case and the log that holds its output, listed again at
# the end: the last lines of a failed run say what failed and where to look.
failures=()
failure_logs=()
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() {
	failed=$((failed + 1))
	failures+=("$*")
	failure_logs+=("")
	echo "FAIL: $*"
}
skip() { skipped=$((skipped + 1)); echo "SKIP: $*"; }
# fail_log FILE: the log of the failure just reported, if it has none yet.
fail_log() {
	local i=$((${#failures[@]} - 1))
	[ "$i" -ge 0 ] && [ -z "${failure_logs[$i]}" ] && failure_logs[$i]=$1
	return 0
}
# show FILE: a failing case's evidence, indented; FILE is its log.
show() {
	fail_log "$1"
	sed 's/^/    /' "$1" | tail -n "${2:-40}"
}

# --- static checks on the host ---------------------------------------------
if tests/static/checkpatch.sh >"$build/checkpatch.log" 2>&1; then
	pass "checkpatch --strict: no errors, warnings or checks"
else
	fail "checkpatch --strict"
	show "$build/checkpatch.log"
fi

if tests/static/kernel-doc.sh >"$build/kernel-doc.log" 2>&1; then
	pass "kernel-doc: no warnings; $(tail -n 1 "$build/kernel-doc.log") with Context: and Return:"
else
	fail "kernel-doc: no warnings; Context: and Return: on every exported function"
	show "$build/kernel-doc.log"
fi

# The generated parts of docs/abi.md and docs/kernel-api.md match the code.
if scripts/gen-abi-doc.sh --check >"$build/abi-doc.log" 2>&1; then
	pass "docs/abi.md ioctl table and structs, docs/kernel-api.md: current with the code (scripts/gen-abi-doc.sh)"
else
	fail "docs/abi.md and docs/kernel-api.md current with the code (run scripts/gen-abi-doc.sh)"
	show "$build/abi-doc.log"
fi

# The hand-written parts of docs/abi.md name everything the code declares.
if tests/static/abi-coverage.sh >"$build/abi-coverage.log" 2>&1; then
	pass "docs/abi.md: $(tail -n 1 "$build/abi-coverage.log" | sed 's/^abi-coverage: //')"
else
	fail "docs/abi.md documents every sysfs attribute, /proc file, module parameter and errno (tests/static/abi-coverage.sh)"
	show "$build/abi-coverage.log"
fi

# docs/concepts.md and its Russian version docs/ru/concepts.md show
# exactly the output make docs-capture captured, block for block.
if docs/capture/host.sh --check >"$build/docs-capture.log" 2>&1; then
	pass "docs/concepts.md, docs/ru/concepts.md: every capture block equals its docs/captured/ transcript, the same blocks in both"
else
	fail "docs/concepts.md, docs/ru/concepts.md: every capture block equals its docs/captured/ transcript, the same blocks in both (make docs-capture: docs/capture/host.sh)"
	show "$build/docs-capture.log"
fi

# User-space code: strict warnings, cppcheck, and ringbusctl's host self-test.
# The test and benchmark programs run in the guest; here they are checked.
user_c=$(ls tests/guest/src/*.c bench/*.c 2>/dev/null)
if make -s -C utils clean all WERROR=-Werror >"$build/utils.log" 2>&1 &&
	make -s -C lib clean all WERROR=-Werror >>"$build/utils.log" 2>&1 &&
	gcc -fsyntax-only -Wall -Wextra -Werror -pthread -Iinclude/uapi $user_c >>"$build/utils.log" 2>&1; then
	pass "user-space code builds with -Wall -Wextra -Werror"
else
	fail "user-space code builds with -Wall -Wextra -Werror"
	show "$build/utils.log"
fi
if cppcheck --quiet --enable=warning,style,performance,portability --error-exitcode=1 \
	--inline-suppr -Iinclude/uapi -Ilib utils/*.c lib/*.c tests/guest/lib/*.c $user_c \
	>"$build/cppcheck.log" 2>&1; then
	pass "cppcheck: user-space code clean"
else
	fail "cppcheck: user-space code clean"
	show "$build/cppcheck.log"
fi
if RB_REQUIRE_ZSH=1 utils/selftest.sh utils/ringbusctl >"$build/selftest.log" 2>&1; then
	pass "ringbusctl host self-test ($(tail -n 1 "$build/selftest.log"))"
else
	fail "ringbusctl host self-test"
	show "$build/selftest.log"
fi
# libringbus's host self-test (a stand-in ioctl: the ABI negotiation and
# each argument's layout, the error paths), its exported symbols and the
# example's copies in docs/library.md and libringbus(3).
if make -s -C lib check WERROR=-Werror >"$build/lib-check.log" 2>&1; then
	pass "libringbus host self-test, exported symbols, example copies ($(sed -n 's/^# \([0-9]* checks, 0 failed\)$/\1/p' "$build/lib-check.log"))"
else
	fail "libringbus host self-test, exported symbols, example copies (make -C lib check)"
	show "$build/lib-check.log"
fi
# The manual pages the package installs: groff warnings (man --warnings)
# and a NAME section whatis/apropos can read (lexgrog).
manwarn=
for page in utils/*.[1-9]; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
	[ -z "$w" ] || manwarn="$manwarn $page: $w"
	lexgrog "$page" >/dev/null 2>&1 || manwarn="$manwarn $page: lexgrog cannot parse its NAME section"
done
# libringbus's pages, run where their ".so" links resolve; one for each
# function <ringbus.h> exports.
lib/check-man.sh lib/man lib/ringbus.h >"$build/lib-man.log" 2>&1 ||
	manwarn="$manwarn $(tr '\n' ' ' <"$build/lib-man.log")"
if [ -z "$manwarn" ]; then
	pass "man pages: no groff warnings, NAME sections parse ($(ls utils/*.[1-9] | xargs -n1 basename | tr '\n' ' ')and $(ls lib/man/man3/*.3 | wc -l) of section 3)"
else
	fail "man pages: no groff warnings, NAME sections parse"
	echo "   $manwarn"
fi
# make without kernel headers: one line naming the package.
if out=$(make -s modules KVER=0.0.0-none 2>&1); then
	fail "make without headers stops"
elif [ "$(printf '%s\n' "$out" | grep -c '^ringbus:')" = 1 ] &&
	grep -q 'install the Debian package linux-headers-0.0.0-none' <<<"$out"; then
	pass "make without headers stops with one line naming linux-headers-<version>"
else
	fail "make without headers stops with one line naming linux-headers-<version>"
	echo "    $out"
fi
# The boots' stall watchdog (tests/vm/boot.sh), against a fake emulator.
if tests/vm/stall-selftest.sh >"$build/stall-selftest.log" 2>&1; then
	pass "boot.sh stops a guest that went silent and names its last case ($(tail -n 1 "$build/stall-selftest.log"))"
else
	fail "boot.sh stops a guest that went silent and names its last case"
	show "$build/stall-selftest.log"
fi

# debian/control's Testsuite: autopkgtest-pkg-dkms is what autodep8 turns
# into DKMS's generic test, /usr/lib/dkms/dkms-autopkgtest; every root's
# life cycle runs that (tests/vm/pkg-lifecycle.sh).
if autodep8 >"$build/autodep8.log" 2>&1 &&
	grep -qx 'Test-Command: /usr/lib/dkms/dkms-autopkgtest' "$build/autodep8.log"; then
	pass "autodep8: Testsuite: autopkgtest-pkg-dkms is DKMS's test (/usr/lib/dkms/dkms-autopkgtest, run in every root)"
else
	fail "autodep8: Testsuite: autopkgtest-pkg-dkms is DKMS's test"
	show "$build/autodep8.log"
fi

# The one-version rule: debian/check-versions.sh (run by debian/rules)
# passes on the tree and fails on a copy where dkms.conf has drifted.
vtmp=$(mktemp -d)
mkdir -p "$vtmp/debian" "$vtmp/utils"
cp debian/changelog debian/check-versions.sh "$vtmp/debian/"
cp utils/ringbusctl.c "$vtmp/utils/"
sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="99.0.0"/' dkms.conf >"$vtmp/dkms.conf"
if sh debian/check-versions.sh >"$build/versions.log" 2>&1 &&
	! (cd "$vtmp" && sh debian/check-versions.sh) >>"$build/versions.log" 2>&1 &&
	grep -q 'dkms.conf PACKAGE_VERSION says 99.0.0' "$build/versions.log"; then
	pass "versions: changelog, dkms.conf and ringbusctl agree; a drifted dkms.conf fails debian/check-versions.sh"
else
	fail "versions: changelog, dkms.conf and ringbusctl agree; a drifted dkms.conf fails debian/check-versions.sh"
	show "$build/versions.log"
fi
rm -rf "$vtmp"

# The Debian packages: built (make repo: make deb, then the local apt
# repository of the README), and lintian --pedantic clean.
if make -s repo >"$build/deb.log" 2>&1; then
	pass "dpkg-buildpackage: ringbus-dkms and ringbus-utils built"
	export RB_DEBS_FRESH=1
	# apt reads that repository by name: its own state in a scratch
	# directory, nothing installed, the machine's lists untouched.
	at=$(mktemp -d)
	mkdir -p "$at/lists/partial" "$at/cache/archives/partial"
	echo "deb [trusted=yes] file:$top/build/repo ./" >"$at/sources.list"
	aopt=(-o "Dir::Etc::sourcelist=$at/sources.list" -o Dir::Etc::sourceparts=-
		-o "Dir::State::Lists=$at/lists" -o "Dir::Cache=$at/cache")
	ver=$(sed -n 's/^PACKAGE_VERSION="\([^"]*\)".*/\1/p' dkms.conf)
	if apt-get "${aopt[@]}" update >"$build/repo.log" 2>&1 &&
		apt-cache "${aopt[@]}" policy ringbus-dkms ringbus-utils libringbus0 libringbus-dev >>"$build/repo.log" 2>&1 &&
		[ "$(grep -c "Candidate: $ver\$" "$build/repo.log")" = 4 ] &&
		[ "$(grep -c "500 file:$top/build/repo ./ Packages" "$build/repo.log")" = 4 ]; then
		pass "make repo: apt finds ringbus-dkms, ringbus-utils, libringbus0 and libringbus-dev $ver by name in build/repo"
	else
		fail "make repo: apt finds ringbus-dkms and ringbus-utils by name in build/repo"
		show "$build/repo.log"
	fi
	rm -rf "$at"
	if debian/lintian.sh >"$build/lintian.log" 2>&1; then
		pass "lintian --pedantic: no errors, warnings or pedantic tags"
	else
		fail "lintian --pedantic: no errors, warnings or pedantic tags"
		show "$build/lintian.log"
	fi
else
	fail "dpkg-buildpackage: ringbus-dkms and ringbus-utils built"
	show "$build/deb.log"
fi

# parse_tap LABEL LOG: every TAP line on stdin is one case; LOG holds them.
parse_tap() {
	local line
	while IFS= read -r line; do
		case "$line" in
		"ok "*" - "*" # SKIP"*) line=${line#* - } && skip "$1: ${line%% # SKIP*} (${line#* # SKIP })" ;;
		"ok "*" - "*) pass "$1: ${line#* - }" ;;
		"not ok "*" - "*) fail "$1: ${line#* - }"; fail_log "$2" ;;
		"#   "*) echo "    ${line#\#   }" ;;
		esac
	done
}

# boot_params SUITE OUTDIR KVER: what a boot runs, in bp_cmdline (the
# guest's extra command line), bp_only (its groups, comma-separated) and
# bp_detectors (1 on the debug kernel).
boot_params() {
	local suite=$1 out=$2 k=$3
	# The long runs (stress, fuzzing, 200 load/unload rounds) at full length
	# on one boot, the first kernel of $RB_LONG_SUITE; shortened on the
	# others so that the whole matrix stays well inside CI's time.
	bp_cmdline=$RB_SHORT_CMDLINE
	if [ "$suite" = "$RB_LONG_SUITE" ] && [ "$k" = "$(head -n 1 "$out/kernels")" ]; then
		bp_cmdline=
	fi
	# The debug kernel's console gets warnings and worse only: at
	# DEBUG_KOBJECT_RELEASE's info lines a serial console under emulation
	# slows the boot; dmesg, which the host scans, keeps every line (a
	# log buffer of 16 MiB, so that none is overwritten).
	# After its cases it proves its detectors fire (rbtest.detectors=1,
	# tests/guest/detectors.sh).
	bp_detectors=
	case $k in
	*-rbdebug) bp_cmdline="$bp_cmdline loglevel=5 log_buf_len=16M rbtest.detectors=1" bp_detectors=1 ;;
	esac
	# A boot whose load/unload rounds run at full length (no
	# rbtest.cycles=) alone records the allocation stacks 65-lifecycle
	# judges leaks by (RB_SLAB_TRACK): recording them slows every kmalloc.
	case " $bp_cmdline " in
	*" rbtest.cycles="*) ;;
	*) bp_cmdline="$bp_cmdline $RB_SLAB_TRACK" ;;
	esac
	# Each boot runs what its kernel can break (rb_boot_groups in
	# tests/vm/lib.sh, docs/testing.md section 5): the PREEMPT_RT flavour
	# the context promises, a later kernel the compatibility subset, the
	# other suites' kernels their own subsets; every kernel's build, W=1
	# and sparse are above.
	bp_only=$(rb_boot_groups "$suite" "$k" "$(head -n 1 "$out/kernels")" \
		"$(cd tests/guest/t && ls -- *.sh | sed 's/\.sh$//' | paste -sd,)")
	[ -z "$bp_only" ] || bp_cmdline="$bp_cmdline rbtest.only=$bp_only"
}

# boot_run SUITE OUTDIR KVER: boot one kernel of a prepared guest (in the
# background: boot_start).  What it has to say goes to notes.txt in the
# boot's directory, for boot_check to print; "finished" marks its end.
boot_run() {
	local suite=$1 out=$2 k=$3 b=$2/boot-$3 start booted=0
	rm -f "$b/finished" "$b/booted"
	boot_params "$suite" "$out" "$k"
	exec >"$b/notes.txt" 2>&1
	echo "   long tests: ${bp_cmdline%% rbtest.only=*}"
	start=$(date +%s)
	RB_CMDLINE="${RB_CMDLINE:-} $bp_cmdline" tests/vm/boot.sh "$out" "$k" >"$b/boot.log" 2>&1 && booted=1
	echo "   guest ran for $(( $(date +%s) - start ))s"
	tr -d '\r\000' <"$b/results.txt" >"$b/results.clean"
	# One exception, and only one boot more: the emulator itself.  QEMU's
	# multi-threaded TCG (7.2 here) now and then lets one vCPU run a stale
	# translation of kernel text another vCPU has just re-patched
	# (text_poke_bp's int3), and the kernel dies in early boot.  When the
	# guest died before its test runner started and no ringbus module was
	# loaded (every "Modules linked in:" line of the crash is free of
	# ringbus), none of our code ran: say so, keep that console log, and
	# boot again.  A crash after the runner started, or with a ringbus
	# module loaded, fails as always.
	if ! grep -q '^RINGBUS-TAP-BEGIN$' "$b/results.clean" &&
	   grep -aqE 'Oops|BUG:|Kernel panic' "$b/console.log" &&
	   ! grep -a 'Modules linked in:' "$b/console.log" | grep ringbus >/dev/null; then
		cp "$b/console.log" "$b/console-early-crash.log"
		echo "NOTE: $suite ($k): the emulated kernel crashed in early boot, before the test runner and with no ringbus module loaded; booting once more (first console: $b/console-early-crash.log)"
		grep -aE 'Oops|BUG:|RIP:|Kernel panic' "$b/console.log" | head -n 4 | sed 's/^/    /'
		start=$(date +%s) booted=0
		RB_CMDLINE="${RB_CMDLINE:-} $bp_cmdline" tests/vm/boot.sh "$out" "$k" >"$b/boot.log" 2>&1 && booted=1
		echo "   guest ran for $(( $(date +%s) - start ))s"
		tr -d '\r\000' <"$b/results.txt" >"$b/results.clean"
	fi
	[ "$booted" = 0 ] || : >"$b/booted"
	: >"$b/finished"
}

# The boots run RB_BOOT_JOBS at a time (default 2).  A guest under TCG
# keeps both host CPUs busy only while its tests run two things at once
# (stress, the fuzzer's threads); its boot, systemd, apt, DKMS and most
# cases run one thing at a time and leave the other CPU idle, which a
# second guest then uses.  Each case's timeout and the stall watchdog
# allow for a guest that gets half the machine.  The results are checked
# and printed in the order the boots started, each as soon as it and the
# boots before it have finished.
RB_BOOT_JOBS=${RB_BOOT_JOBS:-2}
[ "$RB_BOOT_JOBS" -ge 1 ] 2>/dev/null || RB_BOOT_JOBS=1
boots=()	# "SUITE OUTDIR KVER PID", started and not yet checked

# boot_start SUITE OUTDIR KVER: boot_run in the background, once fewer
# than RB_BOOT_JOBS boots run.
boot_start() {
	local e pids n
	while :; do
		pids= n=0
		for e in "${boots[@]}"; do
			set -- $e
			[ -e "$2/boot-$3/finished" ] || { pids="$pids $4"; n=$((n + 1)); }
		done
		[ "$n" -ge "$RB_BOOT_JOBS" ] || break
		# Until one of them ends (bash 5.1's wait -n with ids).
		# shellcheck disable=SC2086
		wait -n $pids
		boot_reap
	done
}

# boot_reap [all]: check the finished boots at the head of the list, in
# the order they started; with "all", wait for each.
boot_reap() {
	local s o k pid
	while [ "${#boots[@]}" -gt 0 ]; do
		read -r s o k pid <<<"${boots[0]}"
		[ "${1:-}" = all ] || [ -e "$o/boot-$k/finished" ] || return 0
		# Its status is in "finished" and "booted"; wait -n may have
		# reaped it already.
		wait "$pid" 2>/dev/null
		boots=("${boots[@]:1}")
		boot_check "$s" "$o" "$k"
	done
}

# boot_launch SUITE OUTDIR KVER: a boot, started when a slot is free.
boot_launch() {
	boot_start
	boot_run "$1" "$2" "$3" &
	boots+=("$1 $2 $3 $!")
	echo "   $1 ($3): guest booting (${#boots[@]} boot(s) not yet checked)"
}

# boot_check SUITE OUTDIR KVER: the results of a finished boot: count its
# guest cases, and check its kernel log.
boot_check() {
	local suite=$1 out=$2 k=$3 b=$2/boot-$3 booted=0
	local p0=$passed f0=$failed only detectors
	boot_params "$suite" "$out" "$k"
	only=$bp_only detectors=$bp_detectors
	[ ! -e "$b/booted" ] || booted=1
	echo "== $suite: booted $k under QEMU (TCG)"
	cat "$b/notes.txt" 2>/dev/null
	sed -n '/^RINGBUS-TAP-BEGIN$/,/^RINGBUS-TAP-END$/p' "$b/results.clean" >"$b/tap.txt"
	sed -n '/^RINGBUS-DMESG-BEGIN$/,/^RINGBUS-DMESG-END$/p' "$b/results.clean" >"$b/dmesg.txt"
	sed -n '/^RINGBUS-KMEMLEAK-BEGIN$/,/^RINGBUS-KMEMLEAK-END$/p' "$b/results.clean" >"$b/kmemleak.txt"
	sed -n '/^RINGBUS-DETECTORS-BEGIN$/,/^RINGBUS-DETECTORS-END$/p' "$b/results.clean" >"$b/detectors.txt"
	# The kernel's lines on the console, from their timestamp on (a line
	# may follow a prompt that did not end its own, such as getty's).
	grep -aoE '\[ *[0-9]+\.[0-9]+\] .*' "$b/console.log" >"$b/console-kernel.txt"
	if [ "$booted" = 1 ] && grep -q '^RINGBUS-TAP-END$' "$b/tap.txt"; then
		pass "$suite ($k): guest booted, ran the suite and powered off"
	else
		fail "$suite ($k): guest booted, ran the suite and powered off"
		show "$b/boot.log" 20
		show "$b/console.log" 30
	fi
	parse_tap "$suite ($k)" "$b/tap.txt" <"$b/tap.txt"
	echo "   group times: $(sed -n 's/^# time //p' "$b/tap.txt" | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }')"
	echo "   slowest cases: $(awk '/^(not )?ok [0-9]+ - / { sub(/^(not )?ok [0-9]+ - /, ""); c = $0 }
		/^# took [0-9]+s$/ { print $3 + 0, c }' "$b/tap.txt" | sort -rn | head -n 3 |
		awk '{ t = $1; $1 = ""; printf "%s%ss%s", (NR > 1 ? "; " : ""), t, $0 }')"
	# The boot lost no case: every group it was to run started, and
	# reported each case of tests/guest/cases.txt and no other.
	local groups cc
	groups=${only//,/ }
	[ -n "$groups" ] || groups=$(cd tests/guest/t && ls -- *.sh | sed 's/\.sh$//' | tr '\n' ' ')
	cc=$(awk -f tests/check-cases.awk -v groups="$groups" tests/guest/cases.txt "$b/tap.txt")
	if [ "$(printf '%s\n' "$cc" | wc -l)" = 1 ]; then
		pass "$suite ($k): no case lost: $(printf '%s' "$cc" | awk '{ print $2 " cases of " $4 " groups" }'), each as tests/guest/cases.txt lists"
	else
		fail "$suite ($k): no case lost: every group ran, every case of tests/guest/cases.txt reported"
		fail_log "$b/tap.txt"
		printf '%s\n' "$cc" | sed '$d' | head -n 20 | sed 's/^/    /'
	fi
	# The stream itself, as any TAP consumer reads it: TAP 13, the plan the
	# guest printed before its first group (tests/guest/cases.txt's count
	# of the boot's groups) met, the numbers in sequence.
	if tests/check-tap.pl "$b/tap.txt" >"$b/tap-check.txt" 2>&1; then
		pass "$suite ($k): TAP 13 stream as TAP::Parser reads it: $(cat "$b/tap-check.txt")"
	else
		fail "$suite ($k): TAP 13 stream as TAP::Parser reads it: its plan met, numbers in sequence"
		show "$b/tap-check.txt" 10
	fi
	# 80-bench-smoke's runs, rendered here as make bench renders its own:
	# Markdown, JSON and the gnuplot chart, which must come out a PNG.
	local bj=$b/bench-smoke
	rm -rf "$bj"
	mkdir -p "$bj"
	case ",${only:-80-bench-smoke}," in
	*,80-bench-smoke,*) ;;
	*) bj= ;;
	esac
	[ -z "$bj" ] || sed -n 's/^# bench-jsonl: //p' "$b/tap.txt" >"$bj/raw.jsonl"
	if [ -z "$bj" ]; then
		:	# 80-bench-smoke was not among the groups of this boot
	elif [ -s "$bj/raw.jsonl" ] &&
		awk -f bench/report.awk -v out="$bj/results" "$bj/raw.jsonl" >"$bj/render.log" 2>&1 &&
		(cd "$bj" && gnuplot results.gp) >>"$bj/render.log" 2>&1 &&
		[ -s "$bj/results.md" ] && [ -s "$bj/results.json" ] &&
		[ "$(head -c 8 "$bj/records.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
		pass "$suite ($k): the bench smoke's $(wc -l <"$bj/raw.jsonl") runs render to Markdown, JSON and a PNG chart (report.awk, gnuplot)"
	else
		fail "$suite ($k): the bench smoke's runs render to Markdown, JSON and a PNG chart (report.awk, gnuplot)"
		[ -s "$bj/raw.jsonl" ] || echo "    (the guest printed no '# bench-jsonl:' line)"
		show "$bj/render.log" 10
	fi
	# The kernel log: the guest's dmesg, plus kernel lines on the console
	# (they include whatever happened after the dump, e.g. at power-off).
	# On the debug kernel, what follows the detectors' marker is theirs
	# (judged below), not the suite's.
	awk 'FNR == 1 { cut = 0 } /RINGBUS-DETECTORS-BEGIN/ { cut = 1 } !cut' \
		"$b/dmesg.txt" "$b/kmemleak.txt" "$b/console-kernel.txt" >"$b/kernel-all.txt"
	grep -aE "$bad_kernel_lines" "$b/kernel-all.txt" >"$b/kernel-bad.txt"
	if [ -s "$b/dmesg.txt" ] && [ ! -s "$b/kernel-bad.txt" ]; then
		pass "$suite ($k): kernel log free of warnings, oopses and lockdep/KASAN/refcount reports"
	else
		fail "$suite ($k): kernel log free of warnings, oopses and lockdep/KASAN/refcount reports"
		[ -s "$b/dmesg.txt" ] || echo "    (the guest sent no kernel log)"
		show "$b/kernel-bad.txt" 20
		# The first report whole, from the ten lines before it (the
		# cases' markers, what was loaded or unloaded) to its trace:
		# CI keeps only what it prints, not the boot's files.
		echo "    the first report in context ($b/kernel-report.txt):"
		awk -v re="$bad_kernel_lines" '{ l[NR] = $0 }
			!s && $0 ~ re { s = NR }
			END { if (s) for (i = (s > 10 ? s - 10 : 1); i <= NR && i < s + 50; i++) print l[i] }' \
			"$b/kernel-all.txt" >"$b/kernel-report.txt"
		sed 's/^/    /' "$b/kernel-report.txt"
	fi
	[ -z "$detectors" ] || check_detectors "$suite" "$k" "$b"
	echo "$suite $k $((passed - p0)) $((failed - f0))" >>"$table"
}

# check_detectors SUITE KVER BOOTDIR: each deliberate bug of
# rbtest_detectors.ko (tests/guest/detectors.sh) was reported by its
# detector in the kernel log after the marker, the leak by kmemleak.  A
# detector that stays silent fails: the clean log above it would prove
# nothing.
check_detectors() {
	local suite=$1 k=$2 b=$3 after=$3/dmesg-detectors.txt what re
	awk 'FNR == 1 { on = 0 } on; /RINGBUS-DETECTORS-BEGIN/ { on = 1 }' \
		"$b/dmesg.txt" "$b/console-kernel.txt" >"$after"
	for what in \
		"KASAN (or KFENCE, when it sampled the object) reports a use after free|BUG: (KASAN: [a-z-]*use-after-free|KFENCE: use-after-free read) in rbtd_uaf" \
		"lockdep reports a lock-order inversion|WARNING: possible circular locking dependency detected" \
		"DEBUG_ATOMIC_SLEEP reports a sleep in atomic context|BUG: sleeping function called from invalid context" \
		"kmemleak reports a leak|rbtd_leak"; do
		re=${what#*|}
		what=${what%%|*}
		case $what in
		kmemleak*) grep -q 'unreferenced object' "$b/detectors.txt" &&
			grep -qE "$re" "$b/detectors.txt" ;;
		*) grep -qE "$re" "$after" ;;
		esac
		if [ $? = 0 ]; then
			pass "$suite ($k): detectors fire: $what (rbtest_detectors.ko)"
		else
			fail "$suite ($k): detectors fire: $what (rbtest_detectors.ko)"
			fail_log "$b/detectors.txt"
			grep -v '^RINGBUS' "$b/detectors.txt" | head -n 5 | sed 's/^/    /'
		fi
	done
}

# Kernel log lines that fail a run wherever they appear.
. tests/vm/lib.sh
bad_kernel_lines=$RB_BAD_KERNEL_LINES

# Outside CI every boot gets the short runs (a developer's loop); CI runs
# them at full length on bookworm's first kernel.
if [ "${CI:-}" = true ]; then
	RB_LONG_SUITE=${RB_LONG_SUITE:-bookworm}
else
	RB_LONG_SUITE=${RB_LONG_SUITE:-none}
fi
RB_SHORT_CMDLINE=${RB_SHORT_CMDLINE-rbtest.stress=10 rbtest.fuzz=10 rbtest.cycles=20}
if [ -z "${KSUITES:-}" ]; then
	if [ "${CI:-}" = true ]; then KSUITES="bullseye trixie sid bookworm"; else KSUITES=bookworm; fi
fi
# make check runs every group: a developer's rbtest.only= (tests/vm/quick.sh
# takes groups as arguments) must not leak into it.
case " ${RB_CMDLINE:-} " in
*" rbtest.only="*)
	fail "RB_CMDLINE selects guest groups (rbtest.only=): make check runs them all"
	RB_CMDLINE=${RB_CMDLINE//rbtest.only=/rbtest.ignored=}
	;;
esac
# The roots (tests/vm/mkroot.sh, 2 to 4 minutes each) and the debug kernel
# (tests/vm/debug-kernel.sh, about 24 minutes of both CPUs) are built once
# and cached.  On a machine without them both build in the background
# while the stock kernels boot: mmdebstrap waits on the network, and a
# guest under TCG leaves a CPU idle whenever its tests run one thing at a
# time.  The roots come first, in the order the suites need them, at a
# low priority (a suite's own mkroot.sh call in prepare.sh waits for the
# root's lock).  The debug kernel builds at the guests' own priority: its
# phase, last, waits for it, so on a machine without it the build is the
# run's longest path (at the lowest priority, two guests at once left it
# so little that it took 55 minutes).  Warm, each prints its cached path
# at once.
(
	for s in $KSUITES; do
		nice -n 5 tests/vm/mkroot.sh "$s" >/dev/null 2>&1 </dev/null || :
	done
) &
dk_pid=
case " $KSUITES " in
*" bookworm "*)
	if [ -z "${RB_NO_DEBUG_KERNEL:-}" ]; then
		mkdir -p "$build/bookworm-debug"
		tests/vm/debug-kernel.sh >"$build/bookworm-debug/debug-kernel.path" \
			2>"$build/bookworm-debug/debug-kernel-build.log" </dev/null &
		dk_pid=$!
	fi
	;;
esac
# The debug kernel is a phase of its own, "bookworm-debug", after the
# suites: bookworm's root again (without its package life cycle, which
# bookworm's phase runs), with the debug kernel installed and booted
# alone.  bookworm's own kernels thus boot without waiting for it on a
# machine where it is still being built.
phases=$KSUITES
[ -z "$dk_pid" ] || phases="$phases bookworm-debug"

# The debug kernel's result, reported once, before its phase is
# prepared: dk is its cache directory, or empty if it failed.
dk_done=
debug_kernel_result() {
	[ -z "$dk_done" ] || return 0
	dk_done=1 dk=
	[ -n "$dk_pid" ] || return 0
	if wait "$dk_pid" && dk=$(cat "$build/bookworm-debug/debug-kernel.path") && [ -d "$dk" ]; then
		pass "debug kernel built: $(basename "$(ls "$dk"/linux-image-*.deb)") ($(cat "$dk/build-seconds") s when built)"
	else
		fail "debug kernel built (tests/vm/debug-kernel.sh)"
		show "$build/bookworm-debug/debug-kernel-build.log" 20
		dk=
	fi
}
# prepare_job SUITE DK [NICE]: prepare.sh for SUITE (DK: the debug
# kernel's cache directory for bookworm), its exit status in prepare.rc.
prepare_job() {
	local out=$build/$1
	RB_DEBUG_KERNEL=$2 nice -n "${3:-0}" tests/vm/prepare.sh "$1" "$out" >"$out/prepare.log" 2>&1 </dev/null
	echo $? >"$out/prepare.rc"
}
# A suite's guest is prepared (chroot, apt, DKMS builds, W=1, sparse, the
# package life cycle: 1 to 4 minutes) in the background while the suite
# before it boots, at a lower priority than the guest; the host's second
# CPU is idle whenever the guest runs one thing at a time.  Its results
# are read when its turn comes.  bookworm's waits for the debug kernel: in
# the background only when that is already built (warm), else in turn.
declare -A prep_pid=()
next_suite() {
	local s prev=
	for s in $phases; do
		[ "$prev" != "$1" ] || { echo "$s"; return; }
		prev=$s
	done
}
prepare_next() {
	local n
	n=$(next_suite "$1")
	[ -n "$n" ] || return 0
	if [ "$n" = bookworm-debug ] && [ -z "$dk_done" ]; then
		kill -0 "$dk_pid" 2>/dev/null && return 0
		debug_kernel_result
	fi
	[ "$n" != bookworm-debug ] || [ -n "$dk" ] || return 0
	mkdir -p "$build/$n"
	rm -f "$build/$n/prepare.rc"
	prepare_job "$n" "$([ "$n" = bookworm-debug ] && echo "$dk")" 10 &
	prep_pid[$n]=$!
	echo "   preparing $n's guest meanwhile (background)"
}
dk=
for suite in $phases; do
	out=$build/$suite
	mkdir -p "$out"
	echo "== $suite: preparing the guest"
	# sid is sometimes uninstallable for a day: outside CI a developer's
	# run goes on without it; in CI a kernel of the matrix that did not
	# boot is a failure, never a skip.
	if [ "$suite" = sid ] && ! tests/vm/mkroot.sh sid >"$out/mkroot.log" 2>&1; then
		[ -z "${prep_pid[$suite]:-}" ] || wait "${prep_pid[$suite]}"
		if [ "${CI:-}" = true ]; then
			fail "sid: root made (mmdebstrap)"
		else
			skip "sid: no sid root could be made today (mmdebstrap failed; see $out/mkroot.log)"
		fi
		show "$out/mkroot.log" 10
		echo "$suite - not-built -" >>"$table"
		prepare_next "$suite"
		continue
	fi
	if [ -n "${prep_pid[$suite]:-}" ]; then
		wait "${prep_pid[$suite]}"
	elif [ "$suite" = bookworm-debug ]; then
		# The debug kernel (above), waited for here when it was not
		# built before; the boots before run meanwhile.
		debug_kernel_result
		if [ -z "$dk" ]; then
			echo "$suite - not-built -" >>"$table"
			continue
		fi
		prepare_job "$suite" "$dk"
	else
		prepare_job "$suite" ""
	fi
	if [ "$(cat "$out/prepare.rc" 2>/dev/null)" != 0 ]; then
		fail "$suite: guest prepared: apt-get install ringbus-dkms ringbus-utils from a local repository"
		show "$out/prepare.log"
		prepare_next "$suite"
		continue
	fi
	pass "$suite: guest prepared: apt-get install ringbus-dkms ringbus-utils from a local repository"

	# Compiler-driven checks, against the headers of every kernel of the root.
	for k in $(cat "$out/kernels"); do
		st=$out/static/$k
		for check in w1 sparse; do
			case $check in
			w1) what="W=1 build of every module without a warning" ;;
			sparse) what="sparse (C=2) of every source without a warning" ;;
			esac
			# Case-blind: modpost says "WARNING: modpost: ..." and
			# does not fail the build for it.
			if [ "$(cat "$st/$check.rc" 2>/dev/null)" = 0 ] &&
				! grep -Eiq 'warning:|error:' "$st/$check.log"; then
				pass "$suite ($k): $what"
			else
				fail "$suite ($k): $what"
				fail_log "$st/$check.log"
				grep -Ei 'warning:|error:' "$st/$check.log" 2>/dev/null | head -n 20 | sed 's/^/    /'
			fi
		done
		if tests/static/symbols.sh "$st/ko/Module.symvers" "$st"/ko/*.ko >"$st/symbols.log" 2>&1 &&
			[ "$(ls "$st"/ko/*.ko | wc -l)" = 3 ]; then
			pass "$suite ($k): every global symbol is exported and ringbus_-prefixed"
		else
			fail "$suite ($k): symbol check"
			show "$st/symbols.log"
		fi
	done

	# The package life cycle, run in the root by prepare.sh (bookworm's,
	# not again in the debug kernel's phase).
	if [ "$suite" != bookworm-debug ]; then
		parse_tap "$suite" "$out/lifecycle.log" <"$out/lifecycle.tap"
		[ -s "$out/lifecycle.tap" ] || fail "$suite: package life cycle ran (log: $out/lifecycle.log)"
	fi

	prepare_next "$suite"
	# The longest boots first: the suite's first kernel (full length on
	# bookworm) and the debug kernel, then the others.
	for k in $(head -n 1 "$out/kernels") $(sed 1d "$out/kernels" | grep -- '-rbdebug$') \
		$(sed 1d "$out/kernels" | grep -v -- '-rbdebug$'); do
		boot_launch "$suite" "$out" "$k"
	done
	boot_reap
done
boot_reap all

echo
echo "Kernels booted (guest cases of each boot):"
printf '  %-14s %-28s %7s %7s\n' suite kernel passed failed
while read -r su k p f; do
	printf '  %-14s %-28s %7s %7s\n' "$su" "$k" "$p" "$f"
done <"$table"
echo
if [ "$failed" -gt 0 ]; then
	echo "Failed ($failed):"
	for i in "${!failures[@]}"; do
		echo "  ${failures[$i]}"
		echo "      log: ${failure_logs[$i]:-the output above}"
	done
	echo
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
