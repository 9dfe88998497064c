# SPDX-License-Identifier: GPL-2.0-only
#
# The guest side of "make bench" (run by ./run for rbtest.script=bench).
# Prints JSON lines only (bench/host.sh turns them into the report with
# bench/report.awk): the environment, modprobe times, module sizes, memory
# overheads, then every configuration of the matrix, repetition by
# repetition (the repetition loop is the outer one, so a slow phase of the
# host hits every transport alike).
#
# Kernel command line knobs: rbtest.bench_reps=N (default 7),
# rbtest.bench_secs=S (seconds per run, default 0.5), rbtest.bench_sizes=
# 16,64 (default 16,64,512,4096).
. "$RB_DIR/lib.sh"

B=$RB_BIN/rb-bench
reps=7
secs=0.5
sizes="16 64 512 4096"
batch=32
for arg in $(cat /proc/cmdline); do
	case $arg in
	rbtest.bench_reps=*) reps=${arg#*=} ;;
	rbtest.bench_secs=*) secs=${arg#*=} ;;
	rbtest.bench_sizes=*) sizes=$(printf '%s' "${arg#*=}" | tr , ' ') ;;
	esac
done

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000 )) | awk '{ printf "%.3f", $1 / 1000 }'; }

printf '{"env":1,"kernel":"%s","cpus":%s,"version":"%s","reps":%s,"secs":%s,"batch":%s}\n' \
	"$(uname -r)" "$(nproc)" "$RB_VERSION" "$reps" "$secs" "$batch"

# Time to load the stack: modprobe ringbus_cdev loads all three modules.
unload_all >/dev/null 2>&1
for i in 1 2 3 4 5 6; do
	sync
	t0=$(date +%s%N)
	modprobe ringbus_cdev || echo "# modprobe ringbus_cdev failed" >&2
	ms=$(ms_since "$t0")
	# The first load reads the files from disk: reported, not counted.
	[ "$i" -gt 1 ] && printf '{"modprobe_ms":%s,"run":%d}\n' "$ms" "$i"
	modprobe -r ringbus_proc ringbus_cdev ringbus
done
modprobe ringbus_cdev

# Module files and their loaded sizes.
for m in ringbus ringbus_cdev ringbus_proc; do
	f=$(modinfo -n "$m")
	case $f in
	*.xz) xz -dc "$f" >"/tmp/$m.ko" ;;
	*.zst) zstd -qdc "$f" >"/tmp/$m.ko" ;;
	*) cp "$f" "/tmp/$m.ko" ;;
	esac
	set -- $(size "/tmp/$m.ko" | awk 'NR == 2 { print $1, $2, $3 }')
	printf '{"ko":"%s","file":"%s","file_bytes":%s,"text":%s,"data":%s,"bss":%s,"loaded_bytes":%s}\n' \
		"$m" "$f" "$(stat -c %s "$f")" "${1:-0}" "${2:-0}" "${3:-0}" \
		"$(awk -v m="$m" '$1 == m { print $2 }' /proc/modules)"
done

"$B" --overhead
"$B" --channel-overhead 200
"$B" --micro

# The matrix.  1->1: every transport with single calls, those that have a
# batch call with batches; 1->4: the broadcast channel against the writer
# sending every record to 4 pipes, sockets or queues.
for rep in $(seq 1 "$reps"); do
	for size in $sizes; do
		for t in rb-queue rb-bcast pipe seqpacket mq; do
			"$B" --transport $t --size "$size" --duration "$secs"
		done
		for t in rb-queue rb-bcast pipe seqpacket; do
			"$B" --transport $t --size "$size" --duration "$secs" --batch $batch
		done
		for t in rb-bcast pipe seqpacket mq; do
			"$B" --transport $t --size "$size" --duration "$secs" --readers 4
		done
		for t in rb-bcast pipe seqpacket; do
			"$B" --transport $t --size "$size" --duration "$secs" --readers 4 --batch $batch
		done
	done
	echo "# repetition $rep of $reps done" >&2
done
