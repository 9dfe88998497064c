#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side self test of ringbusctl: option parsing, exit statuses and error
# messages, the /proc/ringbus text-to-JSON conversion, doctor (on this
# machine and on a made-up installation) and the man page.
# Needs no ringbus module (and never loads one).
#
#   utils/selftest.sh [PATH-TO-RINGBUSCTL]     (default: ringbusctl next to this script)
#
# Ends with "N passed, N failed"; exits 1 if anything failed.

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/ringbusctl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
# The suite's one version (dkms.conf; debian/check-versions.sh keeps
# debian/changelog and ringbusctl.c equal to it); VER_RE for grep.
ver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' "$here/../dkms.conf")
if [ -z "$ver" ]; then
	echo "selftest: no PACKAGE_VERSION in $here/../dkms.conf" >&2
	exit 1
fi
VER_RE=$(printf '%s' "$ver" | sed 's/\./\\./g')

ok()  { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; sed 's/^/       /' "$tmp/err" "$tmp/out" 2>/dev/null; }

# expect STATUS DESCRIPTION -- COMMAND...: run it, check its exit status.
expect() {
	want=$1 desc=$2
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$desc"; else echo "       exit $got, wanted $want"; bad "$desc"; fi
}

# grep_in FILE PATTERN DESCRIPTION
grep_in() {
	if grep -q -e "$2" "$tmp/$1"; then ok "$3"; else bad "$3"; fi
}

if [ ! -x "$bin" ]; then
	echo "selftest: $bin not built (make -C utils)" >&2
	exit 1
fi

expect 0 "--help exits 0" -- "$bin" --help
grep_in out '^Usage: ringbusctl' "--help prints usage on stdout"
expect 0 "-h exits 0" -- "$bin" -h
expect 0 "create --help exits 0" -- "$bin" create --help
expect 0 "--version exits 0" -- "$bin" --version
grep_in out "$VER_RE" "--version prints $ver"
expect 0 "-V exits 0" -- "$bin" -V
grep_in out "^ringbusctl $VER_RE\$" "-V prints 'ringbusctl $ver'"

expect 2 "no command exits 2" -- "$bin"
expect 2 "unknown command exits 2" -- "$bin" bogus
grep_in err "ringbusctl: unknown command 'bogus'" "unknown command is named"
grep_in err '^Usage: ' "usage error prints a usage line"
expect 2 "unknown global option exits 2" -- "$bin" --bogus list
expect 2 "unknown command option exits 2" -- "$bin" list --bogus
expect 2 "--control without argument exits 2" -- "$bin" --control
expect 2 "create without a name exits 2" -- "$bin" create
grep_in err 'missing channel name' "create without a name says so"
expect 2 "create --capacity 12Q exits 2" -- "$bin" create x --capacity 12Q
grep_in err "invalid --capacity '12Q'" "bad --capacity is named"
expect 2 "--capacity -1 exits 2" -- "$bin" create x --capacity -1
expect 2 "--capacity 1000 (not a power of two) exits 2" -- "$bin" create x --capacity 1000
expect 2 "--capacity overflow exits 2" -- "$bin" create x --capacity 18014398509481984M
expect 2 "--capacity 99999999999999999999 exits 2" -- "$bin" create x --capacity 99999999999999999999
expect 2 "--max-record 4G exits 2" -- "$bin" create x --max-record 4194304K
expect 2 "--mode bogus exits 2" -- "$bin" create x --mode bogus
expect 2 "--perm 0778 exits 2" -- "$bin" create x --perm 0778
expect 2 "--perm 1777 exits 2" -- "$bin" create x --perm 1777
expect 2 "--ttl 1K exits 2" -- "$bin" create x --ttl 1K
expect 2 "--owner unknown user exits 2" -- "$bin" create x --owner no-such-user-rbtest
expect 2 "--group unknown group exits 2" -- "$bin" create x --group no-such-group-rbtest
expect 2 "invalid channel name exits 2" -- "$bin" create Bad/Name
expect 2 "'control' is not a channel name" -- "$bin" destroy control
expect 2 "32-byte name exits 2" -- "$bin" info abcdefghijabcdefghijabcdefghijab
expect 2 "destroy with two names exits 2" -- "$bin" destroy a b
expect 2 "list with an argument exits 2" -- "$bin" list x
expect 2 "recv -n 0 exits 2" -- "$bin" recv x -n 0
expect 2 "recv -n x exits 2" -- "$bin" recv x -n x
expect 2 "recv --from-start --from-end exits 2" -- "$bin" recv x --from-start --from-end

expect 1 "--control /nonexistent list exits 1" -- "$bin" --control /nonexistent list
grep_in err '^ringbusctl: /nonexistent: No such file or directory' "missing control node is named"
grep_in err 'is the ringbus module installed' "missing control node gives a hint"
expect 1 "create with a missing control node exits 1" -- "$bin" --control /nonexistent create x --capacity 4K --mode queue --perm 0640 --owner 0 --group root
expect 1 "version with a missing control node exits 1" -- "$bin" version --control /nonexistent
grep_in out '^ringbusctl 0\.1\.0 (ABI 1\.0)$' "version prints the tool's version anyway"
expect 1 "send to a missing channel exits 1" -- "$bin" --dev-dir "$tmp" send x hello
grep_in err "^ringbusctl: $tmp/x: No such file or directory" "missing channel node is named"
expect 1 "recv from a missing channel exits 1" -- "$bin" recv --dev-dir "$tmp" x

# /proc/ringbus conversion, on made-up files.
mkdir "$tmp/proc"
printf 'channels 2\nrecords_written: 10\nname  some text\nneg -3\nzero 0\nlead 007\n' >"$tmp/proc/stats"
printf 'cpu records_written bytes\n0 5 100\n1 "x\\ 7\n\n' >"$tmp/proc/cpus"
expect 0 "stats copies /proc/ringbus/stats" -- env RINGBUSCTL_PROC_DIR="$tmp/proc" "$bin" stats
if cmp -s "$tmp/out" "$tmp/proc/stats"; then ok "stats output is the file"; else bad "stats output is the file"; fi
expect 0 "stats --json" -- env RINGBUSCTL_PROC_DIR="$tmp/proc" "$bin" stats --json
grep_in out '"records_written":10' "stats --json: numbers stay numbers"
grep_in out '"name":"some text"' "stats --json: text becomes a string"
grep_in out '"lead":"007"' "stats --json: 007 is not a JSON number"
cp "$tmp/out" "$tmp/stats.json"
expect 0 "stats --cpus --json" -- env RINGBUSCTL_PROC_DIR="$tmp/proc" "$bin" --json stats --cpus
grep_in out '{"cpu":0,"records_written":5,"bytes":100}' "stats --cpus --json: a row"
grep_in out '"records_written":"\\"x\\\\"' "stats --cpus --json: quotes and backslashes escaped"
cp "$tmp/out" "$tmp/cpus.json"
if command -v python3 >/dev/null 2>&1; then
	for f in stats cpus; do
		if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/$f.json" 2>"$tmp/err"
		then ok "$f --json is valid JSON"; else bad "$f --json is valid JSON"; fi
	done
fi
# stats --format=prometheus: the suite's counters and one sample per
# channel, in the text exposition format.
printf 'name mode capacity used records first_seq last_seq readers writers drops\nrowq queue 65536 40 1 1 1 0 0 0\nq"x\\y broadcast 4096 0 0 0 9 2 1 17\n' >"$tmp/proc/channels"
expect 0 "stats --format prometheus" -- env RINGBUSCTL_PROC_DIR="$tmp/proc" "$bin" stats --format prometheus
grep_in out '^ringbus_channels 2$' "prometheus: channels, a gauge"
grep_in out '^# TYPE ringbus_records_written_total counter$' "prometheus: records written, a counter"
grep_in out '^ringbus_records_written_total 10$' "prometheus: a key's ':' dropped"
grep_in out '^ringbus_channel_drops_total{channel="rowq",mode="queue"} 0$' "prometheus: a channel's drops, labelled"
grep_in out '^ringbus_channel_drops_total{channel="q\\"x\\\\y",mode="broadcast"} 17$' "prometheus: label values escaped"
grep_in out '^ringbus_channel_last_seq{channel="rowq",mode="queue"} 1$' "prometheus: a channel's last sequence"
if grep -Eq 'some text|neg|lead|zero' "$tmp/out"; then bad "prometheus: keys it has no family for are left out"; else ok "prometheus: keys it has no family for are left out"; fi
# The format's rules: each family's HELP and TYPE before its samples, its
# samples together, names and values well formed, nothing else.
if awk '
	/^# HELP / { if ($3 in seen) exit 1; seen[$3] = 1; help = $3; next }
	/^# TYPE / { if ($3 != help || ($4 != "counter" && $4 != "gauge")) exit 1; fam = $3; next }
	{
		name = $1; sub(/\{.*/, "", name)
		if (name != fam || name !~ /^ringbus_[a-z_]+$/ || $NF !~ /^[0-9]+$/) exit 1
		if ($4 == "counter" && name !~ /_total$/) exit 1
		n++
	}
	END { exit n == 0 }' "$tmp/out"; then
	ok "prometheus: every family typed and together, every sample well formed"
else
	bad "prometheus: every family typed and together, every sample well formed"
fi
expect 0 "stats --cpus --format=prometheus" -- env RINGBUSCTL_PROC_DIR="$tmp/proc" "$bin" stats --cpus --format=prometheus
grep_in out '^ringbus_cpu_records_written_total{cpu="0"} 5$' "prometheus: a CPU's counter, labelled"
if grep -q 'cpu="1"' "$tmp/out"; then bad "prometheus: a value that is no integer gives no sample"; else ok "prometheus: a value that is no integer gives no sample"; fi
expect 2 "stats --format xml is a usage error" -- env RINGBUSCTL_PROC_DIR="$tmp/proc" "$bin" stats --format xml
grep_in err "invalid --format 'xml'" "stats --format: the bad value named"
expect 2 "stats --json --format prometheus is a usage error" -- env RINGBUSCTL_PROC_DIR="$tmp/proc" "$bin" --json stats --format prometheus
expect 0 "stats --format json is --json" -- env RINGBUSCTL_PROC_DIR="$tmp/proc" "$bin" stats --format json
grep_in out '"records_written":10' "stats --format json: the JSON object"
mv "$tmp/proc/channels" "$tmp/proc/channels.away"
expect 1 "stats --format prometheus without /proc/ringbus/channels exits 1" -- env RINGBUSCTL_PROC_DIR="$tmp/proc" "$bin" stats --format prometheus
if [ -s "$tmp/out" ]; then bad "prometheus: nothing printed when a file is missing"; else ok "prometheus: nothing printed when a file is missing"; fi
rm "$tmp/proc/cpus"
expect 1 "stats --cpus without the file exits 1" -- env RINGBUSCTL_PROC_DIR="$tmp/proc" "$bin" stats --cpus
grep_in err 'is the ringbus_proc module loaded' "missing /proc file gives a hint"

# doctor on this machine, through the real paths: it may be healthy or not,
# but every check is reported and the exit status follows the failures.
# Without a ringbus module for the running kernel (a build machine) it
# fails, naming the module and the fix.
kver=$(uname -r)
expect 0 "doctor --help exits 0" -- "$bin" doctor --help
grep_in out '^Usage: ringbusctl doctor \[--json\]' "doctor --help prints its usage"
expect 2 "doctor with an argument exits 2" -- "$bin" doctor now
"$bin" doctor --json >"$tmp/out" 2>"$tmp/err" </dev/null
rc=$?
if [ "$rc" = 0 ] || [ "$rc" = 1 ]; then ok "doctor --json exits 0 or 1"; else bad "doctor --json exits 0 or 1 (got $rc)"; fi
if grep -q '"status":"fail"' "$tmp/out"; then want=1; else want=0; fi
if [ "$rc" = "$want" ]; then ok "doctor --json: exit $rc, as its failures say"; else bad "doctor --json: exit $rc, but wanted $want"; fi
cp "$tmp/out" "$tmp/doctor.json"
if command -v python3 >/dev/null 2>&1; then
	if python3 -c '
import json, sys
checks = json.load(open(sys.argv[1]))
assert isinstance(checks, list) and checks, "not a non-empty array"
for c in checks:
    assert set(c) == {"check", "status", "message", "fix"}, c
    assert all(isinstance(c[k], str) for k in c), c
    assert c["status"] in ("ok", "warn", "fail"), c
    assert c["message"], c
    assert c["status"] != "fail" or c["fix"], c
names = [c["check"] for c in checks]
assert names == ["dkms", "headers", "module-built", "vermagic", "blacklist", "module-loaded",
                 "secure-boot", "control-node", "access"], names
' "$tmp/doctor.json" 2>"$tmp/err"
	then ok "doctor --json is an array of {check, status, message, fix}"; else bad "doctor --json is an array of {check, status, message, fix}"; fi
fi
if ! find "/lib/modules/$kver" -name 'ringbus.ko*' 2>/dev/null | grep -q .; then
	expect 1 "doctor exits 1 here: no ringbus module for $kver" -- "$bin" doctor
	grep_in out '^FAIL  module-built ' "doctor: module-built fails"
	grep_in out '^ *fix: ' "doctor: a failure comes with its fix"
	grep_in out '^9 checks: [1-9][0-9]* failed' "doctor: a summary line"
fi

# doctor on a made-up installation: RINGBUSCTL_MODULES_DIR and
# RINGBUSCTL_SYS_MODULE_DIR stand for /lib/modules and /sys/module, and
# fake dkms, mokutil and modinfo programs come first in PATH (the fake
# modinfo knows no vermagic: doctor reads it from the .ko itself).
fake=$tmp/fake
kdir=$fake/modules/$kver
mkdir -p "$fake/bin" "$kdir/build" "$kdir/updates/dkms" "$fake/sys/ringbus"
: >"$kdir/build/Makefile"
printf 'ELF\0name=ringbus\0vermagic=%s SMP preempt mod_unload modversions \0' "$kver" >"$kdir/updates/dkms/ringbus.ko"
echo 'updates/dkms/ringbus.ko:' >"$kdir/modules.dep"
echo live >"$fake/sys/ringbus/initstate"
echo "$ver" >"$fake/sys/ringbus/version"
: >"$fake/control"
# The fake dkms logs its arguments; "status ringbus -k KVER" gives that
# kernel's lines and those of versions built for no kernel ("added"), or
# the "added" line a registered module has without them.
cat >"$fake/bin/dkms" <<EOF
#!/bin/sh
echo "\$*" >>"$fake/dkms.calls"
if [ "\$3" = -k ]; then
	{ grep -F ", \$4, " "$fake/dkms.out"; grep ': added\$' "$fake/dkms.out"; } ||
		sed -n '1s/^\(ringbus[/,] *[^,]*\),.*/\1: added/p' "$fake/dkms.out"
else
	cat "$fake/dkms.out"
fi
EOF
printf '#!/bin/sh\ncat "%s/sb-state"\n' "$fake" >"$fake/bin/mokutil"
printf '#!/bin/sh\n[ -f "%s/modinfo.$2" ] && cat "%s/modinfo.$2"\n' "$fake" "$fake" >"$fake/bin/modinfo"
chmod +x "$fake/bin/dkms" "$fake/bin/mokutil" "$fake/bin/modinfo"
: >"$fake/modinfo.signer"
echo "$ver" >"$fake/modinfo.version"
printf 'ringbus/%s, %s, x86_64: installed\nringbus/%s, 9.9.9-other, x86_64: installed\n' "$ver" "$kver" "$ver" >"$fake/dkms.out"
echo 'SecureBoot disabled' >"$fake/sb-state"
# /proc/devices, the kernel command line and two modprobe.d directories.
printf 'Character devices:\n  1 mem\n121 ringbus-control\n\nBlock devices:\n  7 loop\n' >"$fake/devices"
echo 'BOOT_IMAGE=/vmlinuz root=/dev/vda ro quiet' >"$fake/cmdline"
echo '[none] integrity confidentiality' >"$fake/lockdown"
mkdir -p "$fake/etc.d" "$fake/lib.d"
printf '# not ringbus\nblacklist pcspkr\ninstall ringbusx /bin/false\n' >"$fake/etc.d/other.conf"

# doctor_run: doctor on the made-up installation (--json unless told).
doctor_run() {
	env RINGBUSCTL_MODULES_DIR="$fake/modules" RINGBUSCTL_SYS_MODULE_DIR="$fake/sys" \
		RINGBUSCTL_PROC_DEVICES="$fake/devices" RINGBUSCTL_CMDLINE="$fake/cmdline" \
		RINGBUSCTL_MODPROBE_DIRS="$fake/etc.d:$fake/lib.d" RINGBUSCTL_LOCKDOWN="$fake/lockdown" \
		PATH="$fake/bin:$PATH" "$bin" --control "$fake/control" doctor "${@:---json}"
}
# doctor_has STATUS CHECK [FIX-TEXT]: in the --json output of the last run.
doctor_has() {
	if grep -Fq "{\"check\":\"$2\",\"status\":\"$1\"" "$tmp/out" &&
		{ [ -z "${3:-}" ] || grep -F "\"check\":\"$2\"" "$tmp/out" | grep -Fq "\"fix\":\"$3"; }
	then ok "doctor: $2 is $1${3:+ (fix: $3)}"; else bad "doctor: $2 is $1${3:+ (fix: $3)}"; fi
}

: >"$fake/dkms.calls"
expect 1 "doctor on a made-up installation (its control node is a plain file)" -- doctor_run
doctor_has ok dkms
# DKMS takes seconds per kernel it lists: a healthy installation is asked
# about the running kernel alone.
grep_in out "built and installed by DKMS for the running kernel $kver\"" "doctor: dkms: installed for the running kernel"
if [ "$(cat "$fake/dkms.calls")" = "status ringbus -k $kver" ]; then
	ok "doctor: dkms asked once, for the running kernel only (status ringbus -k $kver)"
else
	bad "doctor: dkms asked once, for the running kernel only; it ran: $(tr '\n' ';' <"$fake/dkms.calls")"
fi
doctor_has ok headers
doctor_has ok module-built
doctor_has ok vermagic
doctor_has ok blacklist
doctor_has ok module-loaded
doctor_has ok secure-boot
doctor_has fail control-node
grep_in out 'is not a character device' "doctor: a plain file is no control node"
# Two versions registered with DKMS: the one this ringbusctl is not of goes.
printf 'ringbus/%s, %s, x86_64: installed\nringbus/0.0.9, %s, x86_64: built\n' "$ver" "$kver" "$kver" >"$fake/dkms.out"
expect 1 "doctor: two DKMS versions" -- doctor_run
doctor_has warn dkms "dkms remove ringbus/0.0.9 --all (keeps ringbus $ver)"
grep_in out "2 versions of ringbus registered ($ver, 0\.0\.9)" "doctor: dkms names both versions"
printf 'ringbus/0.0.9, %s, x86_64: installed\nringbus/%s: added\n' "$kver" "$ver" >"$fake/dkms.out"
expect 1 "doctor: two DKMS versions, the old one installed" -- doctor_run
doctor_has warn dkms "dkms remove ringbus/0.0.9 --all (keeps ringbus $ver)"
grep_in out "ringbus 0\.0\.9 is built and installed by DKMS for the running kernel" "doctor: dkms: the version installed for the running kernel is the one named"
printf 'ringbus/%s, %s, x86_64: installed\n' "$ver" "$kver" >"$fake/dkms.out"

# What keeps the modules from loading: modprobe.d and the command line.
printf 'blacklist ringbus-cdev # no autoload\n' >"$fake/lib.d/rb.conf"
expect 1 "doctor: ringbus_cdev blacklisted" -- doctor_run
doctor_has fail blacklist "remove those lines"
grep_in out "lib.d/rb.conf:1: 'blacklist ringbus-cdev # no autoload': opening $fake/control no longer loads ringbus-cdev" "doctor: blacklist names the file, the line and what it breaks"
printf 'install ringbus_cdev /bin/true\n' >"$fake/etc.d/rb.conf"
expect 1 "doctor: install /bin/true in the first directory" -- doctor_run
doctor_has fail blacklist
grep_in out "etc.d/rb.conf:1: 'install ringbus_cdev /bin/true': modprobe never loads ringbus_cdev" "doctor: blacklist: install /bin/true forbids the module"
if grep -Fq 'lib.d/rb.conf' "$tmp/out"; then bad "doctor: blacklist read a file hidden by its namesake"; else ok "doctor: blacklist skips a file hidden by its namesake"; fi
printf 'blacklist ringbus_proc\n' >"$fake/etc.d/rb.conf"
expect 1 "doctor: ringbus_proc blacklisted" -- doctor_run
doctor_has warn blacklist
grep_in out "'blacklist ringbus_proc' (it still loads by name, as a dependency)" "doctor: blacklist of a module loaded by name is a warning"
rm "$fake/etc.d/rb.conf" "$fake/lib.d/rb.conf"
echo 'root=/dev/vda module_blacklist=loop,ringbus quiet' >"$fake/cmdline"
expect 1 "doctor: module_blacklist= on the command line" -- doctor_run
doctor_has fail blacklist
grep_in out "cmdline: 'module_blacklist=loop,ringbus': the kernel refuses to load ringbus\"" "doctor: blacklist reads the kernel command line"
echo 'root=/dev/vda ro' >"$fake/cmdline"

# Signatures required without Secure Boot: module.sig_enforce=1, or a
# lockdown; the module here is not signed.
mkdir -p "$fake/sys/module/parameters"
echo Y >"$fake/sys/module/parameters/sig_enforce"
expect 1 "doctor: module.sig_enforce=1 and an unsigned module" -- doctor_run
doctor_has fail secure-boot "have DKMS sign it"
grep_in out "the kernel enforces module signatures (module.sig_enforce) and [^ ]*ringbus.ko is not signed: loading it fails with 'Key was rejected by service'" "doctor: secure-boot: sig_enforce wants signed modules"
echo N >"$fake/sys/module/parameters/sig_enforce"
echo 'none [integrity] confidentiality' >"$fake/lockdown"
expect 1 "doctor: lockdown=integrity and an unsigned module" -- doctor_run
doctor_has fail secure-boot "have DKMS sign it"
grep_in out "the kernel is locked down (lockdown=integrity) and [^ ]*ringbus.ko is not signed: loading it fails with 'Operation not permitted'" "doctor: secure-boot: a lockdown wants signed modules"
echo '[none] integrity confidentiality' >"$fake/lockdown"
expect 1 "doctor: no lockdown, no sig_enforce" -- doctor_run
doctor_has ok secure-boot

# The control node's major taken by another driver.
printf 'Character devices:\n  1 mem\n121 otherdrv\n\nBlock devices:\n121 ringbus-control\n' >"$fake/devices"
expect 1 "doctor: the control major is taken" -- doctor_run
doctor_has fail control-node "give ringbus_cdev a major of its own: echo 'options ringbus_cdev control_major=0'"
grep_in out "the major 121 of $fake/control is taken by the driver 'otherdrv'" "doctor: control-node names the driver on its major"
printf 'Character devices:\n 10 misc\n121 otherdrv\n240 ringbus-control\n' >"$fake/devices"
expect 1 "doctor: the control node registered under another major" -- doctor_run
if grep -Fq 'is taken by' "$tmp/out"; then bad "doctor: a control node registered elsewhere is reported as blocked"; else ok "doctor: a control node registered elsewhere is not reported as blocked"; fi
printf 'Character devices:\n  1 mem\n121 ringbus-control\n' >"$fake/devices"


printf 'ELF\0vermagic=0.0.1-old SMP mod_unload \0' >"$kdir/updates/dkms/ringbus.ko"
expect 1 "doctor: a module built for another kernel" -- doctor_run
doctor_has fail vermagic "dkms install --force ringbus/$ver -k $kver"
grep_in out 'built for 0\.0\.1-old, not for the running kernel' "doctor: vermagic names both kernels"

echo 'SecureBoot enabled' >"$fake/sb-state"
expect 1 "doctor: Secure Boot on and the module unsigned" -- doctor_run
doctor_has fail secure-boot "have DKMS sign it"
grep_in out 'mokutil --import /var/lib/dkms/mok.pub' "doctor: secure-boot: the fix enrols DKMS's key"
grep_in out 'Key was rejected by service' "doctor: secure-boot quotes the kernel's refusal"
echo 'DKMS module signing key' >"$fake/modinfo.signer"
expect 1 "doctor: Secure Boot on and the module signed and loaded" -- doctor_run
doctor_has ok secure-boot
grep_in out "signed by 'DKMS module signing key' and loaded" "doctor: secure-boot names the signer"

# Without mokutil (RINGBUSCTL_NO_MOKUTIL: the fake one in PATH, which says
# "SecureBoot enabled", is not asked), doctor reads the EFI variable
# SecureBoot (4 bytes of attributes, then the value) under
# RINGBUSCTL_EFI_DIR, a made-up /sys/firmware/efi.
efi=$tmp/efi
sbvar=$efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e398b5a3e6bc
mkdir -p "$tmp/nomodules"
# efi_run [MODULES-DIR]: doctor --json without mokutil, on the made-up
# installation or (an empty directory) on no module at all.
efi_run() {
	env RINGBUSCTL_NO_MOKUTIL=1 RINGBUSCTL_EFI_DIR="$efi" \
		RINGBUSCTL_MODULES_DIR="${1:-$fake/modules}" RINGBUSCTL_SYS_MODULE_DIR="$fake/sys" \
		PATH="$fake/bin:$PATH" "$bin" --control "$fake/control" doctor --json
}
# sb_says TEXT DESCRIPTION: the secure-boot message of the last run has TEXT.
sb_says() {
	if sed -n 's/^.*{"check":"secure-boot",.*"message":"\([^"]*\)".*$/\1/p' "$tmp/out" | grep -Fq -e "$1"
	then ok "$2"; else bad "$2"; fi
}
expect 1 "doctor without mokutil, on no EFI directory" -- efi_run "$tmp/nomodules"
doctor_has ok secure-boot
sb_says "not an EFI system (there is no $efi), so no Secure Boot: the kernel loads unsigned modules" \
	"doctor: secure-boot: no EFI directory is no Secure Boot"
mkdir -p "$efi/efivars"
printf '\007\000\000\000\000' >"$sbvar"
expect 1 "doctor without mokutil, the EFI variable SecureBoot 0" -- efi_run "$tmp/nomodules"
doctor_has ok secure-boot
sb_says "Secure Boot is disabled: the kernel loads unsigned modules" "doctor: secure-boot: SecureBoot 0 is disabled"
printf '\007\000\000\000\001' >"$sbvar"
expect 1 "doctor without mokutil, the EFI variable SecureBoot 1, no module" -- efi_run "$tmp/nomodules"
doctor_has warn secure-boot
sb_says "Secure Boot is enabled; the signature is not checked: there is no ringbus module for $kver" \
	"doctor: secure-boot: SecureBoot 1 is enabled, then the module is looked for"
expect 1 "doctor without mokutil, Secure Boot enabled and the module signed and loaded" -- efi_run
doctor_has ok secure-boot
sb_says "signed by 'DKMS module signing key' and loaded" "doctor: secure-boot: without mokutil, the signer checked"
mv "$fake/sys/ringbus/initstate" "$fake/sys/ringbus/initstate.away"
expect 1 "doctor without mokutil, Secure Boot enabled and the module signed, not loaded" -- efi_run
doctor_has ok secure-boot
sb_says "mokutil is not installed: install mokutil to check that DKMS's key" \
	"doctor: secure-boot: without mokutil, the key's enrolment is not claimed"
mv "$fake/sys/ringbus/initstate.away" "$fake/sys/ringbus/initstate"
: >"$fake/modinfo.signer"
expect 1 "doctor without mokutil, Secure Boot enabled and the module unsigned" -- efi_run
doctor_has fail secure-boot "have DKMS sign it"
grep_in out 'enrol its key: apt install mokutil, mokutil --import' "doctor: secure-boot: without mokutil, the fix installs it"
echo 'DKMS module signing key' >"$fake/modinfo.signer"
printf '\007\000\000' >"$sbvar"
expect 1 "doctor without mokutil, a 3-byte EFI variable SecureBoot" -- efi_run
doctor_has warn secure-boot "apt install mokutil"
sb_says "$sbvar: Input/output error" "doctor: secure-boot: a short variable is named, with the error"
mv "$sbvar" "$efi/efivars/Other-8be4df61-93ca-11d2-aa0d-e398b5a3e6bc"
expect 1 "doctor without mokutil, no variable SecureBoot" -- efi_run "$tmp/nomodules"
doctor_has ok secure-boot
sb_says "Secure Boot is disabled (the firmware has no SecureBoot variable)" "doctor: secure-boot: no variable SecureBoot is disabled"
rm "$efi/efivars/Other-8be4df61-93ca-11d2-aa0d-e398b5a3e6bc"
expect 1 "doctor without mokutil, efivarfs not mounted" -- efi_run "$tmp/nomodules"
doctor_has warn secure-boot "apt install mokutil, or mount efivarfs: mount -t efivarfs efivarfs $efi/efivars"
sb_says "$sbvar: No such file or directory" "doctor: secure-boot: an empty efivars names the variable"
echo 'SecureBoot disabled' >"$fake/sb-state"

echo 0.2.0 >"$fake/modinfo.version"
expect 1 "doctor: the installed module is newer than the loaded one" -- doctor_run
doctor_has warn module-loaded "reload it: modprobe -r ringbus_cdev"
echo "$ver" >"$fake/modinfo.version"

echo 0.0.9 >"$fake/sys/ringbus/version"
expect 1 "doctor: a loaded module of another version" -- doctor_run
doctor_has warn module-loaded
grep_in out 'the loaded module is version 0\.0\.9' "doctor: module-loaded names the versions"
rm "$fake/sys/ringbus/initstate"
expect 1 "doctor: the module not loaded" -- doctor_run
doctor_has ok module-loaded
grep_in out 'loads on the first use' "doctor: not loaded is fine while it can be loaded"

mv "$kdir/build" "$kdir/build.away"
expect 1 "doctor: no kernel headers" -- doctor_run
doctor_has fail headers "apt install linux-headers-$kver"
mv "$kdir/build.away" "$kdir/build"

: >"$kdir/modules.dep"
expect 1 "doctor: the module is not in modules.dep" -- doctor_run
doctor_has fail module-built "depmod -a $kver"

rm "$kdir/updates/dkms/ringbus.ko"
printf 'ringbus/%s, %s, x86_64: installed (WARNING! Diff between built and installed module!)\n' "$ver" "$kver" >"$fake/dkms.out"
expect 1 "doctor: DKMS says installed, but the file is gone" -- doctor_run
doctor_has warn dkms
doctor_has fail module-built "dkms install --force ringbus/$ver -k $kver"
doctor_has fail module-loaded
doctor_has warn vermagic

printf 'ringbus/%s, 9.9.9-other, x86_64: installed\n' "$ver" >"$fake/dkms.out"
expect 1 "doctor: DKMS built ringbus only for another kernel" -- doctor_run
doctor_has fail dkms "dkms autoinstall -k $kver"
grep_in out 'not built ringbus 0\.1\.0 for the running kernel' "doctor: dkms says which kernel lacks the module"
grep_in out "running kernel $kver (it is installed for 9\\.9\\.9-other)" "doctor: dkms names the kernels that have the module"
printf 'ringbus, %s, 9.9.9-other, x86_64: installed\n' "$ver" >"$fake/dkms.out"
expect 1 "doctor: dkms 2 status lines" -- doctor_run
doctor_has fail dkms "dkms autoinstall -k $kver"
: >"$fake/dkms.out"
expect 1 "doctor: ringbus not registered with DKMS" -- doctor_run
doctor_has fail dkms "apt install ringbus-dkms"
expect 1 "doctor: text output" -- doctor_run --control "$fake/control"
grep_in out '^FAIL  module-built   no ringbus module for the running kernel' "doctor: text: status, check and message on one line"
grep_in out '^ *fix: apt install ringbus-dkms' "doctor: text: the fix below it"

# The caller's access as an unprivileged user (needs root and setpriv).
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 &&
	setpriv --reuid=nobody --regid="$(id -g nobody 2>/dev/null)" --init-groups -- "$bin" --version >/dev/null 2>&1; then
	setpriv --reuid=nobody --regid="$(id -g nobody)" --init-groups -- \
		"$bin" doctor --json >"$tmp/out" 2>"$tmp/err" </dev/null
	doctor_has fail access
	grep_in out 'adduser nobody ringbus' "doctor: access: the fix adds the user to group ringbus"
fi

# send --encoding=base64: each argument or input line is a record's bytes
# as base64. A regular file stands for the channel node: what send wrote
# is there, record after record.
mkdir -p "$tmp/dev"
: >"$tmp/dev/bin"
expect 0 "send --encoding=base64 arguments" -- "$bin" --dev-dir "$tmp/dev" send --encoding=base64 bin AAEC/w== w6k= QQ==
if [ "$(od -An -tx1 "$tmp/dev/bin" | tr -s ' \n' ' ')" = " 00 01 02 ff c3 a9 41 " ]; then
	ok "send --encoding=base64: the exact bytes"
else
	bad "send --encoding=base64: the exact bytes (got$(od -An -tx1 "$tmp/dev/bin" | tr -s ' \n' ' '))"
fi
: >"$tmp/dev/bin"
for b in 'AAE' 'AA=A' 'A===' 'QR==' 'QUI=x' '****'; do
	expect 2 "send --encoding=base64 refuses '$b'" -- "$bin" --dev-dir "$tmp/dev" send --encoding=base64 bin QQ== "$b"
done
grep_in err "invalid record '\*\*\*\*': not base64" "send: the bad record is named"
if [ -s "$tmp/dev/bin" ]; then bad "send: a bad argument sends nothing"; else ok "send: a bad argument sends nothing"; fi
if printf 'QUJD\n\n/w==\n' | "$bin" --dev-dir "$tmp/dev" send --encoding base64 bin &&
	[ "$(od -An -tx1 "$tmp/dev/bin" | tr -s ' \n' ' ')" = " 41 42 43 ff " ]; then
	ok "send --encoding base64 from standard input"
else
	bad "send --encoding base64 from standard input"
fi
if printf 'QQ==\nnot base64\n' | "$bin" --dev-dir "$tmp/dev" send --encoding=base64 bin 2>"$tmp/err"; then
	bad "send: a bad input line fails"
else
	ok "send: a bad input line fails"
fi
grep_in err 'standard input, line 2: not base64' "send: the bad line is named"
expect 2 "send --encoding=hex is a usage error" -- "$bin" --dev-dir "$tmp/dev" send --encoding=hex bin QQ==
expect 2 "recv --encoding=hex is a usage error" -- "$bin" --dev-dir "$tmp/dev" recv --encoding=hex bin

# help: the whole help, or one command's; every line within 79 columns.
expect 0 "help exits 0" -- "$bin" help
"$bin" --help >"$tmp/help"
if cmp -s "$tmp/out" "$tmp/help"; then ok "help is --help"; else bad "help is --help"; fi
if awk 'length > 79 { exit 1 }' "$tmp/help"; then ok "--help: no line over 79 columns"; else bad "--help: no line over 79 columns"; fi
expect 0 "help stats exits 0" -- "$bin" help stats
grep_in out '^Usage: ringbusctl stats \[--cpus\]' "help stats: its usage"
grep_in out '^Show the counters of /proc/ringbus' "help stats: its summary"
"$bin" stats --help >"$tmp/help"
if cmp -s "$tmp/out" "$tmp/help"; then ok "help stats is stats --help"; else bad "help stats is stats --help"; fi
expect 0 "help create exits 0" -- "$bin" help create
if awk 'length > 79 { exit 1 }' "$tmp/out"; then ok "help create: its long usage wrapped"; else bad "help create: its long usage wrapped"; fi
expect 2 "help of an unknown command exits 2" -- "$bin" help nosuch
grep_in err "unknown command 'nosuch'" "help: the unknown command named"

# comp_knows_help FUNCTION TAG: the completion FUNCTION (comp or zcomp,
# "FUNCTION WORD...": the candidates for the last WORD) offers every command
# --help lists and every option of each command's usage.
comp_knows_help() {
	local f=$1 tag=$2 got missing= c o offered
	got=$($f ringbusctl "")
	if [ -n "$cmds" ] && [ "$got" = "$cmds" ]; then ok "completion$tag: the commands of --help"; else
		echo "       --help: $cmds; completion: $got" >"$tmp/err"; bad "completion$tag: the commands of --help"; fi
	for c in $cmds; do
		offered=" $($f ringbusctl "$c" -) "
		for o in $("$bin" help "$c" | sed -n '/^Usage:/,/^$/p' | grep -o -- '--\{0,1\}-[a-z][a-z-]*'); do
			case $offered in *" $o "*) ;; *) missing="$missing $c:$o" ;; esac
		done
	done
	if [ -z "$missing" ]; then ok "completion$tag: every option of every command's usage"; else
		echo "       not offered:$missing" >"$tmp/err"; bad "completion$tag: every option of every command's usage"; fi
}

# apply: channels.d parsing and precedence (what needs the control node,
# creating and comparing, runs in the guest: tests/guest/t/30-cli.sh).
# The control node given here does not exist: a run that declares
# anything fails opening it, one that declares nothing never opens it.
cd_=$tmp/chd
mkdir -p "$cd_/etc" "$cd_/run" "$cd_/usr"
printf '%s\n' '# a comment' '' '  sensors broadcast 64K 4K - root root 0660' \
	'bad!name' 'logs queue 3000' 'logs2 queue 4K - - no-such-user-rbtest' \
	'sensors queue' 'x a b c d e f g h i' 'tabs	queue	4K' >"$cd_/usr/a.conf"
printf 'masked queue 3000\n' >"$cd_/usr/b.conf"
ln -s /dev/null "$cd_/etc/b.conf"
printf 'c1 queue\n' >"$cd_/run/c.conf"
printf 'c1 broadcast\n' >"$cd_/usr/c.conf"
apply_dirs() { RINGBUSCTL_CHANNELS_DIRS=$cd_/etc:$cd_/run:$cd_/usr "$bin" --control "$tmp/no-control" apply "$@"; }
expect 0 "apply --help exits 0" -- "$bin" apply --help
grep_in out '^Usage: ringbusctl apply \[--dry-run\] \[--fix \[--force\]\]' "apply --help prints its usage"
expect 2 "apply --force without --fix exits 2" -- "$bin" apply --force
grep_in err 'force only applies with --fix' "apply: --force without --fix is named"
expect 1 "apply: bad lines and no control node exit 1" -- apply_dirs --dry-run
for want in \
	"$cd_/usr/a.conf:4: invalid channel name 'bad!name'" \
	"$cd_/usr/a.conf:5: invalid capacity '3000': not a power of two" \
	"$cd_/usr/a.conf:6: invalid owner 'no-such-user-rbtest': no such user" \
	"$cd_/usr/a.conf:7: channel 'sensors' is already declared at $cd_/usr/a.conf:3; line ignored" \
	"$cd_/usr/a.conf:8: more than 8 columns" \
	"$tmp/no-control: No such file or directory"; do
	grep_in err "$want" "apply names the file and line: ${want#"$cd_/"}"
done
if grep -q -e 'masked' -e 'c.conf' "$tmp/err"; then bad "apply: a file hides its namesakes in later directories (/dev/null masks)"; else
	ok "apply: a file hides its namesakes in later directories (/dev/null masks)"; fi
rm "$cd_/usr/a.conf" "$cd_/run/c.conf" "$cd_/usr/c.conf"
expect 0 "apply: nothing declared exits 0 without opening the control node" -- apply_dirs
grep_in out "^no channels declared ($cd_/etc:" "apply: nothing declared says where it looked"
expect 0 "apply --json: nothing declared" -- apply_dirs --json
grep_in out '^\[\]$' "apply --json: nothing declared is []"
printf 'ok1 queue 4K\n' >"$tmp/one.conf"
expect 1 "apply FILE reads that file only (and fails on the control node)" -- apply_dirs "$tmp/one.conf"
grep_in err "$tmp/no-control" "apply FILE: the control node is named"
expect 1 "apply: a missing FILE exits 1" -- apply_dirs "$tmp/none.conf"
grep_in err "$tmp/none.conf: No such file or directory" "apply: a missing FILE is named"

# The bash completion (utils/completion/ringbusctl): what it offers, and
# that it knows every command and option --help names.
comp_file=$here/completion/ringbusctl
if command -v bash >/dev/null 2>&1 && [ -f "$comp_file" ]; then
	# comp WORD...: the sorted candidates for the last WORD.
	comp() {
		bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			_ringbusctl; [ ${#COMPREPLY[@]} = 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
			_ "$comp_file" "$@"
	}
	mkdir -p "$tmp/class/alpha" "$tmp/class/beta" "$tmp/class/control"
	: >"$tmp/class/alpha/mode"
	: >"$tmp/class/beta/mode"
	cmds=$("$bin" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\{1,\}\).*/\1/p' | sort | tr '\n' ' ')
	comp_knows_help comp ""
	got=$(RINGBUSCTL_CLASS_DIR=$tmp/class comp ringbusctl info "")
	if [ "$got" = "alpha beta " ]; then ok "completion: channel names from the class directory, not control"; else
		echo "       got: $got" >"$tmp/err"; bad "completion: channel names from the class directory, not control"; fi
	got=$(RINGBUSCTL_CLASS_DIR=$tmp/class comp ringbusctl send alpha "")
	if [ -z "$got" ]; then ok "completion: no channel name for send's message"; else
		echo "       got: $got" >"$tmp/err"; bad "completion: no channel name for send's message"; fi
	got=$(comp ringbusctl create x --mode "")
	if [ "$got" = "broadcast queue " ]; then ok "completion: --mode's values"; else
		echo "       got: $got" >"$tmp/err"; bad "completion: --mode's values"; fi
	got=$(comp ringbusctl --json stats --format p)
	if [ "$got" = "prometheus " ]; then ok "completion: --format's values after a global option"; else
		echo "       got: $got" >"$tmp/err"; bad "completion: --format's values after a global option"; fi
	got=$(comp ringbusctl help st)
	if [ "$got" = "stats " ]; then ok "completion: help's command"; else
		echo "       got: $got" >"$tmp/err"; bad "completion: help's command"; fi
fi

# The zsh completion (utils/completion/_ringbusctl) offers the same.  It
# runs outside a completion widget: compadd and the helpers are stand-ins
# that keep the candidates matching the current word, as zsh would.  zsh
# is not a build dependency: the package's build (dh_auto_test) skips this
# without it; make check, whose host-deps.sh installs zsh, sets
# RB_REQUIRE_ZSH and fails without it.
zcomp_file=$here/completion/_ringbusctl
if ! command -v zsh >/dev/null 2>&1; then
	if [ -n "${RB_REQUIRE_ZSH:-}" ]; then
		bad "completion (zsh): zsh is not installed (tests/host-deps.sh installs it)"
	else
		echo "skip - completion (zsh): zsh is not installed"
	fi
elif [ -f "$zcomp_file" ]; then
	zcomp() {
		zsh -f -c '
			compadd() {
				local -a w
				local x
				while (($#)); do
					case $1 in
					--) shift; w=("$@"); break ;;
					-[dJXVo]) shift 2 ;;
					*) shift ;;
					esac
				done
				for x in $w; do [[ $x == ${words[CURRENT]}* ]] && got+=($x); done
			}
			_files() { got+=(FILES); }
			_users() { got+=(USERS); }
			_groups() { got+=(GROUPS); }
			_message() { :; }
			file=$1; shift
			words=("$@"); CURRENT=$#words; got=()
			source $file
			((${#got})) && print -rn -- "${(j: :)${(@o)got}} "' _ "$zcomp_file" "$@"
	}
	comp_knows_help zcomp " (zsh)"
	for t in "info ''=alpha beta " "send alpha ''=" "create x --mode ''=broadcast queue " \
		"--json stats --format p=prometheus " "recv --encoding ''=base64 text " \
		"help st=stats " "create x --owner ''=USERS " "--dev-dir ''=FILES "; do
		eval "set -- ${t%%=*}"
		got=$(RINGBUSCTL_CLASS_DIR=$tmp/class zcomp ringbusctl "$@")
		if [ "$got" = "${t#*=}" ]; then ok "completion (zsh): ringbusctl ${t%%=*}"; else
			echo "       got: '$got', wanted '${t#*=}'" >"$tmp/err"; bad "completion (zsh): ringbusctl ${t%%=*}"; fi
	done
fi

# The man page renders without warnings.
if command -v man >/dev/null 2>&1 && [ -f "$here/ringbusctl.1" ]; then
	MANWIDTH=80 man --warnings -E UTF-8 -l "$here/ringbusctl.1" >/dev/null 2>"$tmp/err"
	if [ ! -s "$tmp/err" ]; then ok "man page has no warnings"; else bad "man page has no warnings"; fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
