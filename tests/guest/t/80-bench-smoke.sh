# SPDX-License-Identifier: GPL-2.0-only
# The benchmark, very briefly: every transport and pattern of make bench
# moves a fixed number of records, every record is checked by its reader,
# and the JSON line says so; a damaged record is caught; the memory
# overhead modes and the report renderer produce sane output.
. "$RB_DIR/lib.sh"

B=$RB_BIN/rb-bench
modprobe ringbus_cdev || { rb_not_ok "bench: modprobe ringbus_cdev"; exit 0; }

# jv JSON KEY: one value of a JSON line.
jv() { printf '%s\n' "$1" | jq -r ".$2"; }

# smoke COUNT ARGS...: run rb-bench for COUNT records and check its line.
smoke() {
	local count=$1 out readers=1 a prev=
	shift
	for a in "$@"; do
		[ "$prev" = --readers ] && readers=$a
		prev=$a
	done
	out=$("$B" --count "$count" --verify full "$@") || fail "rb-bench $* failed: $out"
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "not one line: $out"
	printf '%s\n' "$out" | jq -e . >/dev/null || fail "not JSON: $out"
	assert_eq "ok" true "$(jv "$out" ok)"
	assert_eq "written" "$count" "$(jv "$out" written)"
	assert_eq "delivered" "$((count * readers))" "$(jv "$out" delivered)"
	assert_eq "verified" "$((count * readers))" "$(jv "$out" verified)"
	jq -e '.seconds > 0 and .records_per_s > 0 and .mb_per_s > 0' >/dev/null <<<"$out" ||
		fail "rates not positive: $out"
	echo "$out" >>/tmp/bench-smoke.jsonl
}

: >/tmp/bench-smoke.jsonl
for t in rb-queue rb-bcast pipe seqpacket mq; do
	rb_case "bench: $t 1->1, 64-byte records, single calls, all verified" smoke 3000 --transport $t --size 64
	rb_case "bench: $t 1->1, 4096-byte records, single calls, all verified" smoke 300 --transport $t --size 4096
done
for t in rb-queue rb-bcast pipe seqpacket; do
	rb_case "bench: $t 1->1, 16-byte records, batches of 32, all verified" smoke 5000 --transport $t --size 16 --batch 32
done
for t in rb-bcast pipe seqpacket mq; do
	rb_case "bench: $t 1->4, 512-byte records, every reader got every record" smoke 1000 --transport $t --size 512 --readers 4
done
for t in rb-bcast pipe seqpacket; do
	rb_case "bench: $t 1->4, 64-byte records, batches of 32" smoke 2000 --transport $t --size 64 --readers 4 --batch 32
done

t_duration_mode() {
	local out
	out=$("$B" --transport rb-queue --size 64 --duration 0.2) || fail "duration run failed: $out"
	assert_eq "ok" true "$(jv "$out" ok)"
	jq -e '.written > 0 and .delivered == .written and .seconds >= 0.2 and .seconds < 5' \
		>/dev/null <<<"$out" || fail "duration run: $out"
}
rb_case "bench: --duration stops the writer after the time and counts what moved" t_duration_mode

# The checks must be able to fail: a record damaged on purpose.
t_corruption_caught() {
	local t out
	for t in "rb-queue" "rb-bcast --readers 4 --batch 8" "seqpacket --batch 8" "mq" "pipe"; do
		# shellcheck disable=SC2086
		out=$("$B" --transport $t --size 64 --count 500 --corrupt 123 2>/dev/null) &&
			fail "$t: a damaged record went unnoticed: $out"
		assert_eq "$t ok" false "$(jv "$out" ok)"
		assert_match "$t error" "record 123: content differs" "$(jv "$out" error)"
	done
}
rb_case "bench: a damaged record makes the run fail (every transport)" t_corruption_caught

t_bad_usage() {
	"$B" --transport rb-queue --readers 4 --count 10 2>/dev/null && fail "rb-queue with 4 readers accepted"
	"$B" --transport mq --batch 4 --count 10 2>/dev/null && fail "mq with a batch accepted"
	"$B" --transport nope --count 10 2>/dev/null && fail "unknown transport accepted"
	"$B" --size 8 --count 10 2>/dev/null && fail "8-byte records accepted (no room for the sequence number)"
	return 0
}
rb_case "bench: bad arguments are refused" t_bad_usage

t_record_overhead() {
	local out rb
	out=$("$B" --overhead) || fail "--overhead failed: $out"
	printf '%s\n' "$out" | jq -e . >/dev/null || fail "not JSON lines: $out"
	# A ringbus record takes a 40-byte header and its payload padded to 8.
	for s in 1 16 64 512 4096; do
		# (jq 1.7 prints an integral double as 48.0, jq 1.6 as 48)
		rb=$(printf '%s\n' "$out" | jq -r "select(.overhead == \"rb\" and .size == $s) | .per_record | floor")
		assert_eq "ring bytes per $s-byte record" "$((40 + (s + 7) / 8 * 8))" "$rb"
	done
	[ "$(printf '%s\n' "$out" | jq -r 'select(.overhead == "seqpacket") | .size' | wc -l)" = 5 ] ||
		fail "no seqpacket rows: $out"
	# (jq -s: jq 1.6 -e misjudges a stream of several results)
	printf '%s\n' "$out" | jq -se 'map(select(.overhead == "seqpacket")) | all(.overhead_per_record > 0)' >/dev/null ||
		fail "seqpacket overhead not positive: $out"
	[ "$(printf '%s\n' "$out" | jq -r 'select(.overhead == "mq") | .size' | wc -l)" = 4 ] ||
		fail "no mq rows: $out"
}
rb_case "bench: --overhead measures bytes per record (ringbus: 40 + payload padded to 8)" t_record_overhead

t_channel_overhead() {
	local out
	out=$("$B" --channel-overhead 8) || fail "--channel-overhead failed: $out"
	[ "$(printf '%s\n' "$out" | jq -r .channel_overhead | tr '\n' ' ')" = "4096 65536 " ] ||
		fail "not one line per capacity: $out"
	grep -q '^rbb' /proc/ringbus/channels && fail "channels left behind"
	return 0
}
rb_case "bench: --channel-overhead creates, measures and destroys its channels" t_channel_overhead

t_micro() {
	local out
	out=$("$B" --micro) || fail "--micro failed: $out"
	printf '%s\n' "$out" | jq -e . >/dev/null || fail "not JSON lines: $out"
	assert_eq "micro lines" 40 "$(printf '%s\n' "$out" | jq -r 'select(.ns_per_record > 0) | .micro' | wc -l)"
	grep -q '^rbbench-micro' /proc/ringbus/channels && fail "channel left behind"
	return 0
}
rb_case "bench: --micro times single and batch calls of both modes and a pipe" t_micro

t_wakeups_reported() {
	local out
	out=$("$B" --transport rb-queue --size 64 --count 2000) || fail "$out"
	jq -e '.kernel_wakeups >= 0' >/dev/null <<<"$out" || fail "no kernel_wakeups: $out"
	out=$("$B" --transport pipe --size 64 --count 2000) || fail "$out"
	jq -e '.kernel_wakeups == null' >/dev/null <<<"$out" || fail "a pipe reported ringbus wake-ups: $out"
}
rb_case "bench: ringbus runs report the channel's wake-ups, peers none" t_wakeups_reported

t_report_renders() {
	local d=/tmp/bench-report
	rm -rf "$d" && mkdir -p "$d"
	awk -f "$RB_DIR/bench/report.awk" -v out="$d/results" /tmp/bench-smoke.jsonl ||
		fail "report.awk failed"
	jq -e '.rows | length > 10' "$d/results.json" >/dev/null || fail "results.json: $(head -c 600 "$d/results.json")"
	grep -q '^| 1->1 | single | 64 | rb-queue ' "$d/results.md" || fail "no rb-queue row in results.md: $(head -n 30 "$d/results.md")"
	# The targets: one line each in results.md and one object each in
	# results.json, the summary counting the misses.  Whether a target is
	# met is the real benchmark's business (make bench), never a test's;
	# but those the smoke has the runs for must have a ratio.
	local nt nl nm t
	nt=$(jq '.targets | length' "$d/results.json")
	assert_eq "targets in results.json (2 single, 4 batch, 4 broadcast)" 10 "$nt"
	nl=$(grep -Ec '^(PASS|MISS) .*: ([0-9]+\.[0-9]{2}x|no data) \(need >= [0-9.]+x\)$' "$d/results.md")
	assert_eq "target lines in results.md" "$nt" "$nl"
	nm=$(grep -c '^MISS ' "$d/results.md")
	grep -qx "$nm of $nt targets missed." "$d/results.md" ||
		fail "results.md does not say '$nm of $nt targets missed.'"
	for t in "single-record 64 B 1->1: rb-queue / seqpacket" "single-record 64 B 1->1: rb-queue / mq" \
		"broadcast 512 B 1->4 aggregate: rb-bcast / writer-to-4-seqpackets"; do
		jq -e --arg t "$t" '.targets[] | select(.target == $t) | .ratio > 0' "$d/results.json" >/dev/null ||
			fail "no ratio for the target '$t', whose runs the smoke made"
	done
	[ -s "$d/results.dat" ] && [ -s "$d/results.gp" ] || fail "no chart data or gnuplot script"
}
rb_case "bench: report.awk turns the smoke runs into Markdown, JSON and chart data" t_report_renders

# The raw runs, for the host: make check renders them into the tables and
# the chart as make bench does (report.awk, gnuplot).
sed 's/^/# bench-jsonl: /' /tmp/bench-smoke.jsonl
