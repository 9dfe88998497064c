#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# stall-selftest.sh - boot.sh's stall watchdog, without a guest: a fake
# qemu-system-x86_64 first in PATH writes to the two serial files as a
# guest does, then either goes silent (a guest whose vCPUs are stuck) or
# keeps writing for longer than the stall timeout and powers off.  The
# silent one must be stopped after RB_STALL_TIMEOUT with the last case
# named and boot.sh failing; the talkative one must not be.  Prints
# "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok   - $1"; pass=$((pass + 1)); }
bad() { echo "FAIL - $1"; fail=$((fail + 1)); }

mkdir -p "$tmp/bin" "$tmp/out/boot-9.9.9-fake"
: >"$tmp/out/root.img"
# The fake: FAKE_MODE=silent or talk; its pid in FAKE_PID.
cat >"$tmp/bin/qemu-system-x86_64" <<'FAKE'
#!/bin/bash
echo $$ >"$FAKE_PID"
cons= res=
while [ $# -gt 0 ]; do
	if [ "$1" = -serial ]; then
		if [ -z "$cons" ]; then cons=${2#file:}; else res=${2#file:}; fi
		shift
	fi
	shift
done
echo "rbtest: heartbeat; kernel _text at ffffffff81000000" >>"$cons"
echo "ok 1 - the case before the stall" >>"$res"
if [ "$FAKE_MODE" = silent ]; then
	exec sleep 300
fi
for i in $(seq 1 12); do
	sleep 1
	echo "rbtest: alive at ${i}s" >>"$cons"
done
exit 0
FAKE
chmod +x "$tmp/bin/qemu-system-x86_64"

# boot MODE: boot.sh with the fake, a 6 s stall timeout; sets rc and secs.
boot() {
	local t0=$SECONDS
	PATH=$tmp/bin:$PATH FAKE_MODE=$1 FAKE_PID=$tmp/pid RB_STALL_TIMEOUT=6 \
		"$here/boot.sh" "$tmp/out" 9.9.9-fake 200 >"$tmp/log" 2>&1 </dev/null
	rc=$?
	secs=$((SECONDS - t0))
}

boot silent
if [ "$rc" = 1 ] && [ "$secs" -lt 60 ]; then
	ok "a silent guest is stopped after the stall timeout (${secs}s) and the boot fails"
else
	bad "a silent guest is stopped after the stall timeout and the boot fails (exit $rc after ${secs}s)"
fi
if grep -q 'guest stalled: neither serial port grew for 6s.*the last case reported: ok 1 - the case before the stall' "$tmp/log"; then
	ok "the stall names the last case the guest reported"
else
	bad "the stall names the last case the guest reported: $(cat "$tmp/log")"
fi
if [ -s "$tmp/pid" ] && ! kill -0 "$(cat "$tmp/pid")" 2>/dev/null; then
	ok "the stalled emulator is gone"
else
	bad "the stalled emulator is gone"
	kill "$(cat "$tmp/pid")" 2>/dev/null
fi
if [ -f "$tmp/out/boot-9.9.9-fake/stall.txt" ]; then
	ok "what the vCPUs ran is asked for (stall.txt)"
else
	bad "what the vCPUs ran is asked for (stall.txt)"
fi

boot talk
if [ "$rc" = 0 ] && [ "$secs" -ge 12 ]; then
	ok "a guest that keeps writing for twice the stall timeout is not stopped"
else
	bad "a guest that keeps writing for twice the stall timeout is not stopped (exit $rc after ${secs}s): $(cat "$tmp/log")"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
