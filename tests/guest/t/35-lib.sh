# SPDX-License-Identifier: GPL-2.0-only
# libringbus, the C library (lib/), against the running modules: its test
# suite (lib/rb-libtest.c) built by build-programs against the installed
# libringbus-dev with pkg-config, the same suite as a 32-bit program with
# the library compiled in, and docs/library.md's example compiled here
# as a user would.
. "$RB_DIR/lib.sh"

modprobe ringbus_cdev || { rb_not_ok "lib: modprobe ringbus_cdev"; exit 0; }

# Why build-programs built no BIN (its compiler output), for a failure.
not_built() {
	fail "$1 was not built: $(cat "$RB_BIN/rb-libtest.why" 2>/dev/null || echo "no reason recorded")"
}

t_lib_suite() {
	local bin=$RB_BIN/rb-libtest
	[ -x "$bin" ] || not_built "$bin"
	# Linked against the installed shared library, not a copy of it (the
	# loader may name it by /lib/ on a merged /usr).
	ldd "$bin" | grep -Eq '^[[:space:]]*libringbus\.so\.0 => (/usr)?/lib/[^ ]*/libringbus\.so\.0 ' ||
		fail "rb-libtest does not use the installed libringbus.so.0: $(ldd "$bin" | tr '\n' ' ')"
	"$bin" "$RB_VERSION" || fail "rb-libtest exited $? (its lines above)"
}

t_lib_suite32() {
	local bin=$RB_BIN/rb-libtest-32
	[ -x "$bin" ] || not_built "$bin"
	# ELF magic, then EI_CLASS 1 (ELFCLASS32); e_machine 3 (EM_386).
	assert_eq "ELF header of rb-libtest-32" "7f454c4601" "$(od -An -tx1 -N5 "$bin" | tr -d ' ')"
	assert_eq "e_machine" "0300" "$(od -An -tx1 -j18 -N2 "$bin" | tr -d ' ')"
	"$bin" "$RB_VERSION" || fail "rb-libtest-32 exited $? (its lines above)"
}

t_lib_consumer() {
	local d out
	command -v pkg-config >/dev/null 2>&1 || fail "no pkg-config in the guest root"
	assert_eq "libringbus-dev" "install ok installed $RB_VERSION" \
		"$(dpkg-query -W -f='${Status} ${Version}' libringbus-dev 2>&1)"
	assert_eq "pkg-config --modversion ringbus" "$RB_VERSION" "$(pkg-config --modversion ringbus 2>&1)"
	assert_match "pkg-config --libs ringbus" '(^| )-lringbus( |$)' "$(pkg-config --libs ringbus 2>&1)"
	ringbusctl destroy example 2>/dev/null
	d=$(mktemp -d)
	out=$(cd "$d" && cc -o consumer "$RB_DIR/lib/consumer.c" $(pkg-config --cflags --libs ringbus) 2>&1) ||
		fail "cc consumer.c \$(pkg-config --cflags --libs ringbus): $out"
	out=$("$d/consumer" 2>&1) || fail "consumer exited $?: $out"
	rm -rf "$d"
	assert_match "consumer's output" '^seq=1 pid=[0-9]+ uid=0 len=5: hello$' "$out"
	[ ! -e /dev/ringbus/example ] || fail "consumer left the channel example behind"
}

rb_case "lib: the C test suite (rb-libtest) against the installed libringbus, 64-bit" t_lib_suite
rb_case "lib: the C test suite as a 32-bit program with libringbus.c compiled in (compat ioctls)" t_lib_suite32
rb_case "lib: docs/library.md's example (consumer.c) built with pkg-config creates a channel, sends and receives" t_lib_consumer
