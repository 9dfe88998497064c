# SPDX-License-Identifier: GPL-2.0-only
# ringbusctl, the command-line tool, against the running modules.
. "$RB_DIR/lib.sh"

modprobe ringbus_cdev || { rb_not_ok "cli: modprobe ringbus_cdev"; exit 0; }

t_cli_help_version() {
	ringbusctl --help | grep -q '^Usage: ringbusctl' || fail "--help"
	assert_eq "--version" "ringbusctl $RB_VERSION" "$(ringbusctl --version | head -n 1)"
	local out
	out=$(ringbusctl version --json) || fail "version --json: $out"
	assert_eq "module ABI major" "1" "$(printf '%s' "$out" | jq -r .module.abi_major)"
	assert_eq "module version" "$RB_VERSION" "$(printf '%s' "$out" | jq -r .module.version)"
	ls /usr/share/man/man1/ringbusctl.1* >/dev/null 2>&1 || fail "no man page installed"
}

t_cli_create_list_info_destroy() {
	ringbusctl create clitest --capacity 8K --mode queue --max-record 100 --ttl 5000 ||
		fail "create"
	[ -c /dev/ringbus/clitest ] || fail "no node"
	local js
	js=$(ringbusctl list --json) || fail "list --json"
	assert_eq "list: name" "clitest" "$(printf '%s' "$js" | jq -r '.[] | select(.name == "clitest") | .name')"
	js=$(ringbusctl info clitest --json) || fail "info --json"
	assert_eq "info: mode" "queue" "$(printf '%s' "$js" | jq -r .mode)"
	assert_eq "info: capacity" "8192" "$(printf '%s' "$js" | jq -r .capacity)"
	assert_eq "info: max_record" "100" "$(printf '%s' "$js" | jq -r .max_record)"
	assert_eq "info: ttl_ms" "5000" "$(printf '%s' "$js" | jq -r .ttl_ms)"
	assert_eq "info: records" "0" "$(printf '%s' "$js" | jq -r .records)"
	ringbusctl list | grep -Eq '^NAME +MODE' || fail "list has no header row"
	ringbusctl list | grep -Eq '^clitest +queue +8192' || fail "list row for clitest"
	ringbusctl destroy clitest || fail "destroy"
	[ -e /dev/ringbus/clitest ] && fail "node still there"
	return 0
}

t_cli_send_recv() {
	ringbusctl create clibc || fail "create"
	ringbusctl send clibc one two "three four" || fail "send args"
	printf 'five\nsix\n' | ringbusctl send clibc || fail "send stdin"
	assert_eq "recv" "one two three four five six" "$(ringbusctl recv clibc | tr '\n' ' ' | sed 's/ $//')"
	assert_eq "recv -n 2" "one two" "$(ringbusctl recv -n 2 clibc | tr '\n' ' ' | sed 's/ $//')"
	local js
	js=$(ringbusctl recv --json -n 1 clibc) || fail "recv --json"
	assert_eq "recv --json seq" "1" "$(printf '%s' "$js" | jq -r .seq)"
	assert_eq "recv --json data" "one" "$(printf '%s' "$js" | jq -r .data)"
	assert_eq "recv --json pid is the sender's" "true" "$(printf '%s' "$js" | jq -r '.pid > 0')"
	assert_eq "recv --from-end" "" "$(ringbusctl recv --from-end clibc)"
	ringbusctl recv --headers -n 1 clibc | grep -Eq '^seq=1 ts=[0-9]+ pid=[0-9]+ uid=0 len=3: one$' ||
		fail "recv --headers: $(ringbusctl recv --headers -n 1 clibc)"
	# -f follows until the channel is destroyed.
	ringbusctl recv -f --from-end clibc >/tmp/follow.out &
	local pid=$!
	# It follows from the end: once it sleeps in the channel's read.
	wait_sleeping "$pid"
	ringbusctl send clibc later
	wait_file_has /tmp/follow.out later
	ringbusctl destroy clibc
	wait $pid || fail "recv -f did not end with status 0 when the channel went"
	assert_eq "recv -f" "later" "$(cat /tmp/follow.out)"
}

t_cli_owner() {
	ringbusctl create cliown --owner rbuser --group rbuser --perm 0640 || fail "create --owner"
	assert_eq "node" "rbuser:rbuser 640" "$(stat -c '%U:%G %a' /dev/ringbus/cliown)"
	assert_eq "info: perm" "416" "$(ringbusctl info cliown --json | jq -r .perm)"
	assert_eq "info: uid" "$(id -u rbuser)" "$(ringbusctl info cliown --json | jq -r .uid)"
	ringbusctl destroy cliown || fail "destroy"
	local out
	out=$(ringbusctl create cliown2 --owner nosuchuser 2>&1)
	assert_eq "unknown user: exit status" "2" "$?"
	assert_match "unknown user: message" "nosuchuser" "$out"
}

t_cli_errors() {
	local out rc
	out=$(ringbusctl create 'Bad Name' 2>&1)
	rc=$?
	[ "$rc" = 1 ] || [ "$rc" = 2 ] || fail "bad name: exit $rc"
	ringbusctl create clidup || fail "create"
	out=$(ringbusctl create clidup 2>&1)
	assert_eq "duplicate: exit status" "1" "$?"
	assert_match "duplicate: message" "clidup.*File exists" "$out"
	ringbusctl destroy clidup
	out=$(ringbusctl destroy nosuch 2>&1)
	assert_eq "destroy missing: exit status" "1" "$?"
	assert_match "destroy missing: message" "nosuch.*No such file" "$out"
	out=$(ringbusctl frobnicate 2>&1)
	assert_eq "unknown command: exit status" "2" "$?"
	out=$(ringbusctl info nosuch 2>&1)
	assert_eq "info missing: exit status" "1" "$?"
}

t_cli_stats() {
	local js
	js=$(ringbusctl stats --json) || fail "stats --json"
	assert_eq "stats --json records_written is a number" "number" \
		"$(printf '%s' "$js" | jq -r '.records_written | type')"
	js=$(ringbusctl stats --cpus --json) || fail "stats --cpus --json"
	assert_eq "one entry per CPU" "$(nproc)" "$(printf '%s' "$js" | jq -r 'length')"
}

# stats --format prometheus on a real channel: 200 records into a ring
# that holds a few dozen, so that the channel drops the rest unread.
t_cli_stats_prometheus() {
	local out recs drops total
	ringbusctl destroy promtest 2>/dev/null
	ringbusctl create promtest --capacity 4K --max-record 100 || fail "create promtest"
	seq 1 200 | sed 's/$/ a record of some sixty bytes, padded out to that length/' |
		ringbusctl send promtest || fail "send 200 records"
	recs=$(cat /sys/class/ringbus/promtest/records)
	drops=$(cat /sys/class/ringbus/promtest/drops)
	assert_eq "drops + records" 200 "$((drops + recs))"
	[ "$drops" -gt 0 ] || fail "no drops: $recs records in the ring"
	out=$(ringbusctl stats --format prometheus) || fail "stats --format prometheus: exit $?"
	total=$(awk '$1 == "drops" { print $2 }' /proc/ringbus/stats)
	ringbusctl destroy promtest
	printf '%s\n' "$out" | grep -qx "ringbus_channel_drops_total{channel=\"promtest\",mode=\"broadcast\"} $drops" ||
		fail "no drops sample of $drops for promtest in: $out"
	printf '%s\n' "$out" | grep -qx "ringbus_channel_records{channel=\"promtest\",mode=\"broadcast\"} $recs" ||
		fail "no records sample of $recs for promtest in: $out"
	printf '%s\n' "$out" | grep -qx 'ringbus_channel_capacity_bytes{channel="promtest",mode="broadcast"} 4096' ||
		fail "no capacity sample for promtest in: $out"
	printf '%s\n' "$out" | grep -qx "ringbus_drops_total $total" ||
		fail "ringbus_drops_total is not /proc/ringbus/stats's $total in: $out"
	# Every sample's family declared once, with its type, before it.
	printf '%s\n' "$out" | awk '
		/^# TYPE / { if ($3 in typed) exit 1; typed[$3] = 1; fam = $3; next }
		/^# HELP / { next }
		{ n = $1; sub(/[{].*/, "", n); if (n != fam) exit 1 }' ||
		fail "a sample outside its family in: $out"
}

# help COMMAND, and the installed bash completion against the live
# /sys/class/ringbus: a new channel's name completes, the control device
# does not, and the commands are --help's.
t_cli_help_completion() {
	local f=/usr/share/bash-completion/completions/ringbusctl got
	ringbusctl help recv | grep -q '^Usage: ringbusctl recv ' || fail "help recv: $(ringbusctl help recv 2>&1)"
	ringbusctl help nosuch >/dev/null 2>&1
	assert_eq "help nosuch: exit status" 2 "$?"
	[ -f "$f" ] || fail "no $f installed"
	ringbusctl destroy compltest 2>/dev/null
	ringbusctl create compltest || fail "create compltest"
	got=$(bash -c '. "$1"; COMP_WORDS=(ringbusctl info complt); COMP_CWORD=2; _ringbusctl; echo "${COMPREPLY[*]}"' _ "$f")
	ringbusctl destroy compltest
	assert_eq "completion of 'ringbusctl info complt'" compltest "$got"
	got=$(bash -c '. "$1"; COMP_WORDS=(ringbusctl info contr); COMP_CWORD=2; _ringbusctl; echo "${COMPREPLY[*]}"' _ "$f")
	assert_eq "completion of 'ringbusctl info contr' (the control device is no channel)" "" "$got"
	got=$(bash -c '. "$1"; COMP_WORDS=(ringbusctl do); COMP_CWORD=1; _ringbusctl; echo "${COMPREPLY[*]}"' _ "$f")
	assert_eq "completion of 'ringbusctl do'" "doctor" "$got"
}

# A ringbusctl built for ABI major 99 (build-programs) against the running
# module: version prints both and exits 1 naming the mismatch; doctor's
# module-loaded check fails with the fix; the installed tool agrees.
# Records that are not text: sent from base64, received as base64 and as
# JSON, where a byte that is not UTF-8 must not read as a character (the
# byte E9 alone is not "é", which is C3 A9).
t_cli_binary() {
	local js
	ringbusctl create clibin || fail "create"
	# 00 0A FF, E9, C3 A9, then "a\nb" in one record.
	ringbusctl send --encoding=base64 clibin AAr/ 6Q== w6k= YQpi || fail "send --encoding=base64"
	assert_eq "recv --encoding=base64 gives the records back" "AAr/ 6Q== w6k= YQpi" \
		"$(ringbusctl recv --encoding=base64 clibin | tr '\n' ' ' | sed 's/ $//')"
	assert_eq "recv: the exact bytes of the first record" "00 0a ff 0a" \
		"$(ringbusctl recv -n 1 clibin | od -An -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')"
	js=$(ringbusctl recv --json clibin) || fail "recv --json"
	assert_eq "recv --json: lengths" "3 1 2 3" "$(printf '%s\n' "$js" | jq -r .len | tr '\n' ' ' | sed 's/ $//')"
	assert_eq "recv --json: the byte E9 is U+FFFD, not é" "[65533]" "$(printf '%s\n' "$js" | sed -n 2p | jq -c '.data | explode')"
	assert_eq "recv --json: ...with its bytes in data_b64" "6Q==" "$(printf '%s\n' "$js" | sed -n 2p | jq -r .data_b64)"
	assert_eq "recv --json: é stays é, without data_b64" "[233] null" \
		"$(printf '%s\n' "$js" | sed -n 3p | jq -c '"\(.data | explode) \(.data_b64)"' | tr -d '"')"
	assert_eq "recv --json: NUL and newline exact, FF replaced" "[0,10,65533] AAr/" \
		"$(printf '%s\n' "$js" | sed -n 1p | jq -c '"\(.data | explode) \(.data_b64)"' | tr -d '"')"
	assert_eq "recv --json: a newline in a record stays in it" "a
b" "$(printf '%s\n' "$js" | sed -n 4p | jq -r .data)"
	js=$(ringbusctl recv --json --encoding=base64 -n 2 clibin) || fail "recv --json --encoding=base64"
	assert_eq "recv --json --encoding=base64: data_b64 only" "AAr/ null;6Q== null;" \
		"$(printf '%s\n' "$js" | jq -r '"\(.data_b64) \(.data)"' | tr '\n' ';')"
	# The base64 lines of one recv are what send --encoding=base64 reads.
	ringbusctl create clibin2 || fail "create clibin2"
	ringbusctl recv --encoding=base64 clibin | ringbusctl send --encoding=base64 clibin2 ||
		fail "recv | send through base64"
	assert_eq "a copy through base64 is byte for byte the same" \
		"$(ringbusctl recv clibin | od -An -tx1)" "$(ringbusctl recv clibin2 | od -An -tx1)"
	ringbusctl destroy clibin2
	ringbusctl destroy clibin
}

t_cli_abi_mismatch() {
	local out err rc
	err=$(mktemp)
	out=$("$RB_BIN/ringbusctl-abi99" version 2>"$err")
	rc=$?
	assert_eq "abi99 version: exit status" 1 "$rc"
	assert_match "abi99 version: stdout names the module" \
		"^ringbus module $RB_VERSION \(ABI 1\.0\)$" "$(printf '%s\n' "$out" | tail -n 1)"
	assert_match "abi99 version: stderr" \
		'^ringbusctl: ABI mismatch: the ringbus module has ABI 1\.0, this ringbusctl was built for ABI 99\.0; install matching versions' \
		"$(cat "$err")"
	out=$("$RB_BIN/ringbusctl-abi99" version --json 2>/dev/null)
	assert_eq "abi99 version --json: exit status" 1 "$?"
	assert_eq "abi99 version --json: its ABI" 99 "$(printf '%s' "$out" | jq -r .abi_major)"
	assert_eq "abi99 version --json: the module's" 1 "$(printf '%s' "$out" | jq -r .module.abi_major)"
	out=$("$RB_BIN/ringbusctl-abi99" doctor --json 2>&1)
	assert_eq "abi99 doctor: exit status" 1 "$?"
	assert_eq "abi99 doctor: module-loaded" fail \
		"$(printf '%s' "$out" | jq -r '.[] | select(.check == "module-loaded") | .status')"
	assert_match "abi99 doctor: module-loaded says why" 'has ABI 1\.0, this ringbusctl speaks ABI 99\.0' \
		"$(printf '%s' "$out" | jq -r '.[] | select(.check == "module-loaded") | .message')"
	# A tool of a later minor (1.9) works with the module of ABI 1.0, warns,
	# and explains the ENOTTY of a command the module lacks (its DESTROY
	# stands for a command 1.9 added).
	out=$("$RB_BIN/ringbusctl-abi1_9" version 2>"$err")
	assert_eq "abi1.9 version: exit status" 0 "$?"
	assert_match "abi1.9 version: stderr names both ABIs" \
		'^ringbusctl: the ringbus module has ABI 1\.0, older than this ringbusctl.s ABI 1\.9: what ABI 1\.1 to 1\.9 added fails with ENOTTY' \
		"$(cat "$err")"
	out=$("$RB_BIN/ringbusctl-abi1_9" doctor --json 2>&1)
	assert_eq "abi1.9 doctor: module-loaded" warn \
		"$(printf '%s' "$out" | jq -r '.[] | select(.check == "module-loaded") | .status')"
	assert_match "abi1.9 doctor: module-loaded says what is missing" 'has ABI 1\.0, older than this ringbusctl.s ABI 1\.9: it lacks what ABI 1\.1 to 1\.9 added' \
		"$(printf '%s' "$out" | jq -r '.[] | select(.check == "module-loaded") | .message')"
	ringbusctl create cliabi || fail "create cliabi"
	"$RB_BIN/ringbusctl-abi1_9" destroy cliabi 2>"$err"
	assert_eq "abi1.9 destroy (unknown to the module): exit status" 1 "$?"
	assert_match "abi1.9 destroy: ENOTTY explained" \
		'^ringbusctl: destroy cliabi: Inappropriate ioctl for device \(the loaded module has ABI 1\.0 and lacks this: this ringbusctl speaks ABI 1\.9' \
		"$(cat "$err")"
	[ -e /dev/ringbus/cliabi ] || fail "the failed destroy removed cliabi"
	ringbusctl destroy cliabi || fail "destroy cliabi"
	ringbusctl version >/dev/null 2>"$err" || fail "the installed ringbusctl: version exited $?"
	[ ! -s "$err" ] || fail "the installed ringbusctl: version wrote to stderr: $(cat "$err")"
	rm -f "$err"
}

# channels.d (ringbus-channels.d(5)): apply creates what the files
# declare, reports a difference (exit 1), keeps a channel that holds
# records unless --force, recreates with --fix; the installed unit
# ringbus-channels.service runs it, before a consumer's service ordered
# after it (both started in one transaction, as at boot).
t_cli_apply() {
	local d=/tmp/rb-channels.d out js u=/run/systemd/system/rbtest-consumer.service
	rm -rf "$d"
	mkdir -p "$d/etc" "$d/usr"
	printf '%s\n' '# NAME MODE CAPACITY MAX_RECORD TTL_MS OWNER GROUP PERM' \
		'cliap1 queue 8K 256 - rbuser rbuser 0640' 'cliap2' >"$d/usr/cli.conf"
	export RINGBUSCTL_CHANNELS_DIRS=$d/etc:$d/usr
	out=$(ringbusctl apply --dry-run) || fail "apply --dry-run: exit $?: $out"
	assert_match "apply --dry-run" '^would create +cliap1$' "$out"
	[ -e /dev/ringbus/cliap1 ] && fail "apply --dry-run created cliap1"
	out=$(ringbusctl apply) || fail "apply: exit $?: $out"
	assert_match "apply: cliap1" '^created +cliap1$' "$out"
	assert_match "apply: summary" '^2 declared: 2 created$' "$out"
	assert_eq "cliap1's node" "rbuser:rbuser 640" "$(stat -c '%U:%G %a' /dev/ringbus/cliap1)"
	js=$(ringbusctl info cliap1 --json) || fail "info cliap1"
	assert_eq "cliap1" "queue 8192 256" "$(printf '%s' "$js" | jq -r '"\(.mode) \(.capacity) \(.max_record)"')"
	assert_eq "cliap2's node (defaults)" "root:root 600" "$(stat -c '%U:%G %a' /dev/ringbus/cliap2)"
	out=$(ringbusctl apply) || fail "apply again: exit $?: $out"
	assert_match "apply again" '^2 declared: 2 ok$' "$out"
	# The admin's file of the same name replaces the package's.
	printf 'cliap1 queue 16K - - rbuser rbuser 0660\n' >"$d/etc/cli.conf"
	out=$(ringbusctl apply)
	assert_eq "apply, differing: exit status" 1 "$?"
	assert_match "apply, differing" '^differs +cliap1: capacity 8192 \(declared 16384\), perm 0640 \(declared 0660\)$' "$out"
	ringbusctl send cliap1 kept || fail "send cliap1"
	out=$(ringbusctl apply --fix --json)
	assert_eq "apply --fix, records held: exit status" 1 "$?"
	assert_eq "apply --fix, records held" "kept 1 cliap1 $d/etc/cli.conf:1" \
		"$(printf '%s' "$out" | jq -r '.[0] | "\(.status) \(.records) \(.name) \(.source)"')"
	assert_eq "apply --fix --json: the differences" "capacity 8192 16384 perm 416 432" \
		"$(printf '%s' "$out" | jq -r '[.[0].differences[] | "\(.column) \(.actual) \(.declared)"] | join(" ")')"
	assert_eq "the kept channel's record" kept "$(ringbusctl recv --nonblock cliap1)"
	out=$(ringbusctl apply --fix --force) || fail "apply --fix --force: exit $?: $out"
	assert_match "apply --fix --force" '^recreated +cliap1: capacity 8192 \(declared 16384\)' "$out"
	assert_eq "recreated cliap1" "16384 0 rbuser:rbuser 660" \
		"$(ringbusctl info cliap1 --json | jq -r '"\(.capacity) \(.records)"') $(stat -c '%U:%G %a' /dev/ringbus/cliap1)"
	ringbusctl destroy cliap1 && ringbusctl destroy cliap2 || fail "destroy"
	unset RINGBUSCTL_CHANNELS_DIRS

	# The unit, as at boot: declared in /etc, started together with a
	# service ordered after it, which sees the channel as declared.
	systemctl cat ringbus-channels.service >/dev/null || fail "ringbus-channels.service is not installed"
	assert_eq "ringbus-channels.service is enabled" enabled "$(systemctl is-enabled ringbus-channels.service)"
	mkdir -p /etc/ringbus/channels.d
	printf 'cliboot broadcast 4K - - rbuser ringbus 0620\n' >/etc/ringbus/channels.d/rbtest.conf
	cat >"$u" <<-EOF
	[Unit]
	After=ringbus-channels.service
	[Service]
	Type=oneshot
	ExecStart=/bin/sh -c 'stat -c "%%U:%%G %%a" /dev/ringbus/cliboot >/run/rbtest-consumer.out'
	EOF
	systemctl daemon-reload
	rm -f /run/rbtest-consumer.out
	systemctl start ringbus-channels.service rbtest-consumer.service ||
		fail "systemctl start: $(systemctl status --no-pager ringbus-channels.service rbtest-consumer.service 2>&1 | tail -n 20)"
	assert_eq "the consumer saw cliboot" "rbuser:ringbus 620" "$(cat /run/rbtest-consumer.out 2>&1)"
	systemctl stop ringbus-channels.service
	rm -f "$u" /etc/ringbus/channels.d/rbtest.conf /run/rbtest-consumer.out
	systemctl daemon-reload
	ringbusctl destroy cliboot || fail "destroy cliboot"
	rm -rf "$d"
}

# Socket activation on a channel node (ringbus-channels.d(5)'s example):
# a .socket with ListenSpecial= holds the queue open and starts its
# service when a record is waiting; the service drains the queue and
# exits, and the next record starts it again.
t_cli_socket_activation() {
	local s=/run/systemd/system/rbtest-jobs.socket v=/run/systemd/system/rbtest-jobs.service
	local out=/run/rbtest-jobs.out
	ringbusctl create clijobs --mode queue || fail "create clijobs"
	rm -f "$out"
	printf '[Socket]\nListenSpecial=/dev/ringbus/clijobs\n' >"$s"
	printf '[Service]\nType=oneshot\nExecStart=/bin/sh -c "ringbusctl recv clijobs >>%s"\n' "$out" >"$v"
	systemctl daemon-reload
	systemctl start rbtest-jobs.socket || fail "start rbtest-jobs.socket: $(systemctl status --no-pager rbtest-jobs.socket 2>&1 | tail -n 5)"
	assert_eq "the socket unit holds the channel open" 1 "$(ringbusctl info clijobs --json | jq -r .readers)"
	ringbusctl send clijobs job1 job2 || fail "send"
	wait_file_has "$out" job2
	ringbusctl send clijobs job3 || fail "send job3"
	wait_file_has "$out" job3
	assert_eq "the records, each once, in order" "job1 job2 job3" "$(tr '\n' ' ' <"$out" | sed 's/ $//')"
	assert_eq "the queue is drained" 0 "$(ringbusctl info clijobs --json | jq -r .records)"
	systemctl stop rbtest-jobs.socket
	rm -f "$s" "$v" "$out"
	systemctl daemon-reload
	ringbusctl destroy clijobs || fail "destroy clijobs"
}

rb_case "cli: --help, --version, version --json" t_cli_help_version
rb_case "cli: a tool of another ABI major: version exits 1 naming both, doctor fails module-loaded; of a later minor: it warns and explains ENOTTY" t_cli_abi_mismatch
rb_case "cli: create, list, info, destroy with --json" t_cli_create_list_info_destroy
rb_case "cli: send and recv (-n, --json, --headers, --from-end, -f)" t_cli_send_recv
rb_case "cli: binary records: --encoding=base64 both ways; JSON marks bytes that are not UTF-8 and keeps them in data_b64" t_cli_binary
rb_case "cli: create --owner --group --perm" t_cli_owner
rb_case "cli: errors name the channel and exit 1 or 2" t_cli_errors
rb_case "cli: stats and stats --cpus as JSON" t_cli_stats
rb_case "cli: help COMMAND; the installed bash completion offers live channel names" t_cli_help_completion
rb_case "cli: stats --format prometheus: a channel's drops and records, the totals, each family typed" t_cli_stats_prometheus
rb_case "cli: apply: channels.d creates, compares, keeps records unless --force; ringbus-channels.service orders before consumers" t_cli_apply
rb_case "cli: socket activation: a .socket with ListenSpecial= on a queue starts its service for each batch of records" t_cli_socket_activation
