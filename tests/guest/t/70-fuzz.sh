# SPDX-License-Identifier: GPL-2.0-only
# The fuzzer (tests/guest/src/rb-fuzz.c), 64- and 32-bit, as root and as a member
# of group ringbus at the same time, each side also poking at the other's
# channels; then the kernel must be healthy.  Duration: rbtest.fuzz=SECS
# on the kernel command line (default 60), split over two phases.  The seed
# comes from the date and is printed; rerun a seed with
#   rb-fuzz --seed SEED --duration SECS ... (the failing run prints the line).
. "$RB_DIR/lib.sh"

F=$RB_BIN/rb-fuzz
SECS=60
for arg in $(cat /proc/cmdline); do
	case $arg in rbtest.fuzz=*) SECS=${arg#rbtest.fuzz=} ;; esac
done
SEED=${RB_FUZZ_SEED:-$(date -u +%Y%m%d)}
HALF=$(((SECS + 1) / 2))
OUT=$(mktemp -d /tmp/rb-fuzz.XXXXXX)
chmod 755 "$OUT"
modprobe ringbus_cdev || { rb_not_ok "fuzz: modprobe ringbus_cdev"; exit 0; }
id rbfuzz >/dev/null 2>&1 || useradd --no-create-home --groups ringbus rbfuzz
echo "# fuzz: seed $SEED, $SECS s in two phases of $HALF s"

ls -1 /sys/class/ringbus | sort >"$OUT/before"

# phase ROOTBIN MEMBERBIN: root and the member fuzz at once.
phase() {
	local rbin=$1 mbin=$2 rc=0 mrc=0 pid
	as rbfuzz "$mbin" --seed "$((SEED + 1))" --duration "$HALF" --threads 2 --procs 2 \
		--prefix fm --also fr >"$OUT/member.out" 2>&1 &
	pid=$!
	"$rbin" --seed "$SEED" --duration "$HALF" --threads 3 --procs 2 \
		--prefix fr --also fm >"$OUT/root.out" 2>&1 || rc=$?
	wait "$pid" || mrc=$?
	grep -h -E 'VIOLATION|FAIL|reproduce|registry full|^rb-fuzz: seed' "$OUT/root.out" "$OUT/member.out"
	grep -q '^rb-fuzz: PASS' "$OUT/root.out" || fail "root run ($(basename "$rbin")) failed (exit $rc)"
	grep -q '^rb-fuzz: PASS' "$OUT/member.out" || fail "member run ($(basename "$mbin")) failed (exit $mrc)"
	[ "$rc" = 0 ] && [ "$mrc" = 0 ] || fail "exit status root $rc member $mrc"
	# Both runs did fuzz: a PASS over no operation proves nothing.
	local f n
	for f in root member; do
		n=$(awk '/^rb-fuzz: process [0-9]+: [0-9]+ ops/ { n += $4 } END { print n + 0 }' "$OUT/$f.out")
		[ "$n" -gt 0 ] || fail "the $f run reported no operation"
	done
}

# ops: the number of operations both runs made, for the diagnostic line.
ops() {
	awk '/^rb-fuzz: process [0-9]+: [0-9]+ ops/ { n += $4 } END { print n + 0 }' \
		"$OUT/root.out" "$OUT/member.out"
}

# The calls and errnos of the root run's first process, as diagnostics.
summary() {
	echo "# $(ops) operations"
	sed -n 's/^rb-fuzz: process 0: \([a-z]* .*\)/# root: \1/p' "$OUT/root.out"
}

rb_case "fuzz: root 64-bit and ringbus member 32-bit, ${HALF}s, seed $SEED" phase "$F" "$F-32"
summary
rb_case "fuzz: root 32-bit and ringbus member 64-bit, ${HALF}s, seed $SEED" phase "$F-32" "$F"
summary

# A small registry, filled before the workers start (--fill), so that the
# first sanity sequence meets ENOSPC however slow the kernel: it must check
# the registry really is full and reap what the fuzzing left (a full
# registry once failed a CI run).
t_full_registry() {
	unload_all
	modprobe ringbus max_channels=8 || fail "modprobe ringbus max_channels=8"
	load_all
	"$F" --seed "$SEED" --duration 8 --threads 3 --procs 2 --check 64 --fill \
		--prefix fx >"$OUT/full.out" 2>&1 || true
	grep -h -E 'VIOLATION|FAIL|reproduce|registry' "$OUT/full.out"
	grep -q '^rb-fuzz: PASS' "$OUT/full.out" || fail "the run with max_channels=8 failed"
	# made + there before: every place max_channels=8 allows
	assert_eq "channels after --fill" 8 "$(awk '/^rb-fuzz: filled the registry:/ { print $5 + $8 }' "$OUT/full.out")"
	grep -q "registry full at a sanity check" "$OUT/full.out" || fail "no sanity check met the full registry"
	unload_all
	load_all
}
rb_case "fuzz: max_channels=8, 8s: ENOSPC at a sanity check only with a full registry" t_full_registry

t_healthy_after() {
	local ch
	# every channel the fuzzers left behind can be destroyed
	for ch in $(ls -1 /sys/class/ringbus | sort | comm -13 "$OUT/before" -); do
		# (rb-hostile: a fuzzed name may start with "-")
		"$RB_BIN/rb-hostile" expect 0 destroy "$ch" >/dev/null ||
			fail "cannot destroy $ch left by the fuzzers"
	done
	assert_eq "channels after cleanup" "$(cat "$OUT/before")" "$(ls -1 /sys/class/ringbus | sort)"
	# a normal create, send, receive
	ringbusctl create after-fuzz || fail "create after the fuzzing"
	ringbusctl send after-fuzz "hello after fuzzing" || fail "send"
	assert_match "recv" "hello after fuzzing" "$(ringbusctl recv -n 1 --nonblock after-fuzz)"
	ringbusctl destroy after-fuzz || fail "destroy"
	# the modules unload and load again
	unload_all
	load_all
	ringbusctl create after-reload && ringbusctl destroy after-reload || fail "create after reload"
}
rb_case "fuzz: afterwards channels destroyable, create/send/recv works, modules unload and reload" t_healthy_after
rm -rf "$OUT"
