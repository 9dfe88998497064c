# SPDX-License-Identifier: GPL-2.0-only
# The KUnit tests of the core's record ring (tests/kunit/ring_test.c, the
# debug kernel only: CONFIG_KUNIT; RB_DEBUG_ONLY_GROUPS in tests/vm/lib.sh).
# Loading rbtest_ring.ko runs the suite ringbus_ring; its KTAP results, in
# debugfs, give one case here per KUnit test.
. "$RB_DIR/lib.sh"

KO=$RB_DIR/consumer/$(uname -r)/rbtest_ring.ko
SUITE=ringbus_ring
RESULTS=/sys/kernel/debug/kunit/$SUITE/results
OUT=/tmp/rb-kunit
mkdir -p "$OUT"
# The suite's tests, as ring_test.c lists them: a test that did not run
# fails its case.
TESTS="ring_test_header_wraps ring_test_payload_wraps
ring_test_broadcast_overwrites ring_test_queue_full
ring_test_pending_behind_reservation ring_test_commit_takes_back
ring_test_drop_budget ring_test_size_limits"

t_load() {
	[ -f "$KO" ] || fail "no $KO (built for kernels with CONFIG_KUNIT by prepare.sh)"
	rmmod rbtest_ring 2>/dev/null
	insmod "$KO" || fail "insmod rbtest_ring.ko"
	[ -r "$RESULTS" ] || fail "no $RESULTS after the load"
	cat "$RESULTS" >"$OUT/results"
	rmmod rbtest_ring || fail "rmmod rbtest_ring"
	cat "$OUT/results"
	grep -Eq "^ *(not )?ok [0-9]+ $SUITE\$" "$OUT/results" ||
		fail "the results end with no line for the suite $SUITE"
	assert_eq "tests in the suite's plan" "$(echo $TESTS | wc -w)" \
		"$(awk '/# Subtest: '"$SUITE"'$/ { s = 1; next } s && /^ *1\.\.[0-9]+$/ { sub(/^ *1\.\./, ""); print; exit }' "$OUT/results")"
}

# t_test NAME: the KTAP line of test NAME says ok, and not SKIP.
t_test() {
	local line
	[ -s "$OUT/results" ] || fail "no results: the suite did not run"
	line=$(grep -E "^ *(not )?ok [0-9]+ $1( |\$)" "$OUT/results") ||
		fail "$1 did not run"
	case $line in
	*"not ok"*) ;;
	*"# SKIP"*) fail "$1 was skipped: $line" ;;
	*) return 0 ;;
	esac
	# Its diagnostics: the lines of the test before its result.
	awk -v t="$1" '/^ *# Subtest: / { d = "" } /^ *(not )?ok [0-9]+ / { if ($0 ~ " " t "$") { printf "%s", d; exit } d = ""; next } { d = d $0 "\n" }' "$OUT/results"
	fail "$1: $line"
}

rb_case "kunit: rbtest_ring.ko loads and runs the suite $SUITE, every test in its plan" t_load
for t in $TESTS; do
	rb_case "kunit: ring: $t" t_test "$t"
done
