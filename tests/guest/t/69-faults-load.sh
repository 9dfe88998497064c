# SPDX-License-Identifier: GPL-2.0-only
# Systematic fault injection into module loading (the debug kernel only,
# as 68-faults.sh; on request, not in make check: each failed or survived
# load there waits 1 to 4 s per kobject for DEBUG_KOBJECT_RELEASE, about
# 7 to 12 s a site, 4 minutes for the core and over 10 for ringbus_cdev).
# For each site of a module's init, and each after it, the load fails with
# ENOMEM and leaves the module unloaded, or succeeds; kmemleak judges at
# the end of the boot what a failure path leaked.  Run it with
#   RB_CMDLINE="loglevel=5 log_buf_len=16M" RB_SLAB_TRACK= \
#   tests/vm/quick.sh -s bookworm-debug 69-faults-load
. "$RB_DIR/lib.sh"

faults_prepare
# A sweep of ringbus_cdev takes over 10 minutes.
RB_CASE_TIMEOUT=1800

# t_load MODULE OP FAILPARAMS: the load of MODULE with a failure injected
# at each site of its init in turn, and at each after it; the module not
# loaded after a failure, loaded after a success.  The module loader's own
# calls before (hundreds: sections, symbols, sysfs; each failure after the
# module's sysfs directory exists waits 1 to 4 s for DEBUG_KOBJECT_RELEASE)
# are the kernel's: a load whose init fails at once (FAILPARAMS) counts
# them, plus the few of its teardown, so the sweep starts 16 calls before
# that count.
t_load() {
	local mod=$1 op=$2 fparams=$3 n first
	unload_all
	# (insmod: modprobe would load ringbus_cdev too, the core's softdep)
	[ "$mod" = ringbus ] || insmod "$(modinfo -n ringbus)" || fail "insmod ringbus"
	loaded "$mod" && fail "$mod is loaded before its sweep"
	RB_KO=$(modinfo -n "$mod") || fail "modinfo -n $mod"
	n=$(RB_KO=$RB_KO RB_KO_PARAMS=$fparams "$FN" --count "$op") ||
		fail "rb-failnth --count $op with $fparams"
	loaded "$mod" && fail "$mod loaded with $fparams"
	[ "$n" -gt 16 ] || fail "the load of $mod with $fparams made only $n injectable calls"
	first=$((n - 16))
	echo "the loader: $n injectable calls up to an init that fails at once; the sweep from $first"
	RB_KO=$RB_KO "$FN" "$op" "$first" >"$OUT/$op.out" 2>&1
	local rc=$?
	grep -E 'VIOLATION|rb-failnth' "$OUT/$op.out" | head -n 20
	[ "$rc" = 0 ] || fail "rb-failnth $op exited $rc"
	# the sweep did fail loads, the first of them in the loader
	grep -Eq "^rb-failnth: $op: [0-9]+ sites, [1-9][0-9]* failed" "$OUT/$op.out" ||
		fail "no injected failure failed the load of $mod: $(tail -n 1 "$OUT/$op.out")"
	unload_all
}

rb_case "faults-load: loading ringbus with each slab allocation of its init failing in turn: ENOMEM and not loaded, or loaded" \
	t_load ringbus load-core max_channels=0
echo "# $(tail -n 1 "$OUT/load-core.out" 2>/dev/null)"
# (control_major=1 control_minor=3: /dev/null's number, EBUSY at once)
rb_case "faults-load: loading ringbus_cdev with each slab allocation of its init failing in turn: ENOMEM and not loaded, or loaded" \
	t_load ringbus_cdev load-cdev "control_major=1 control_minor=3"
echo "# $(tail -n 1 "$OUT/load-cdev.out" 2>/dev/null)"
t_after() {
	load_all
	ringbusctl create fi-after >/dev/null || fail "create"
	ringbusctl destroy fi-after || fail "destroy"
}
rb_case "faults-load: afterwards the stack loads, create and destroy work" t_after
