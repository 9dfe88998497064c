/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ringbus core's trace events (TRACE_SYSTEM ringbus): channels made
 * and destroyed, records written and read, records dropped, readers
 * overrun.  Seen in tracefs as events/ringbus/ and by perf, trace-cmd and
 * bpftrace (tracepoint:ringbus:*).  Each trace_ringbus_*() call is a
 * static branch that is not taken while its event is disabled: a no-op on
 * the write and read paths.
 *
 * Included through internal.h, after struct ringbus_channel; core/trace.c
 * includes it again with CREATE_TRACE_POINTS to define the events.  The
 * fields are fixed-size (the name is an array, not __string()), so the
 * header builds unchanged on every kernel ringbus supports.
 *
 * Context: every event may fire in any context the core runs in, hard
 * interrupts included (ringbus_write()); the ones named so fire under the
 * channel's ring lock, a raw spinlock, with interrupts off.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ringbus

#if !defined(_RINGBUS_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _RINGBUS_TRACE_H

#include <linux/tracepoint.h>

/* ringbus_drop's reasons. */
#define RBUS_DROP_OVERWRITE	0	/* a broadcast writer made room */
#define RBUS_DROP_EXPIRE	1	/* older than the time to live */
#define RBUS_DROP_FLUSH		2	/* RINGBUS_IOC_FLUSH */

#define rbus_show_mode(mode)						\
	__print_symbolic(mode,						\
			 { RINGBUS_MODE_BROADCAST, "broadcast" },	\
			 { RINGBUS_MODE_QUEUE, "queue" })

#define rbus_show_drop(reason)						\
	__print_symbolic(reason,					\
			 { RBUS_DROP_OVERWRITE, "overwrite" },		\
			 { RBUS_DROP_EXPIRE, "expire" },		\
			 { RBUS_DROP_FLUSH, "flush" })

/* A channel was made: its name and configuration (ids in the initial namespace). */
TRACE_EVENT(ringbus_channel_create,
	    TP_PROTO(const struct ringbus_channel *ch),
	    TP_ARGS(ch),
	    TP_STRUCT__entry(__array(char, name, RINGBUS_NAME_MAX)
			     __field(u32, mode)
			     __field(u32, capacity)
			     __field(u32, max_record)
			     __field(u32, ttl_ms)
			     __field(u32, uid)
			     __field(u32, gid)
			     __field(u32, perm)
	    ),
	    TP_fast_assign(memcpy(__entry->name, ch->name, RINGBUS_NAME_MAX);
			   __entry->mode = ch->mode;
			   __entry->capacity = ch->capacity;
			   __entry->max_record = ch->max_record;
			   __entry->ttl_ms = ch->ttl_ms;
			   __entry->uid = from_kuid(&init_user_ns, ch->uid);
			   __entry->gid = from_kgid(&init_user_ns, ch->gid);
			   __entry->perm = ch->perm;
	    ),
	    TP_printk("name=%s mode=%s capacity=%u max_record=%u ttl_ms=%u uid=%u gid=%u perm=%04o",
		      __entry->name, rbus_show_mode(__entry->mode), __entry->capacity,
		      __entry->max_record, __entry->ttl_ms, __entry->uid, __entry->gid,
		      __entry->perm)
);

/*
 * A channel was destroyed (by its owner, by an in-kernel user, or at the
 * core's unload): the records it still held and all it was ever written.
 */
TRACE_EVENT(ringbus_channel_destroy,
	    TP_PROTO(const struct ringbus_channel *ch),
	    TP_ARGS(ch),
	    TP_STRUCT__entry(__array(char, name, RINGBUS_NAME_MAX)
			     __field(u64, records)
			     __field(u64, written)
	    ),
	    TP_fast_assign(memcpy(__entry->name, ch->name, RINGBUS_NAME_MAX);
			   __entry->records = READ_ONCE(ch->records);
			   __entry->written = READ_ONCE(ch->st.records_written);
	    ),
	    TP_printk("name=%s records=%llu written=%llu",
		      __entry->name, __entry->records, __entry->written)
);

/*
 * A record was written: its sequence number, payload length and writer
 * (the thread group's id in the initial pid namespace; 0 for a record of
 * ringbus_write(), as its header says).  User-space records fire once
 * their payload is in the ring, before the commit that makes them
 * visible; a kernel record written behind a user write whose copy then
 * faults is renumbered when that write takes its records back.  Under the
 * ring lock for kernel records and single user records of up to a page.
 */
TRACE_EVENT(ringbus_write,
	    TP_PROTO(const struct ringbus_channel *ch, u64 seq, u32 len, pid_t pid),
	    TP_ARGS(ch, seq, len, pid),
	    TP_STRUCT__entry(__array(char, name, RINGBUS_NAME_MAX)
			     __field(u64, seq)
			     __field(u32, len)
			     __field(pid_t, pid)
	    ),
	    TP_fast_assign(memcpy(__entry->name, ch->name, RINGBUS_NAME_MAX);
			   __entry->seq = seq;
			   __entry->len = len;
			   __entry->pid = pid;
	    ),
	    TP_printk("name=%s seq=%llu len=%u pid=%d",
		      __entry->name, __entry->seq, __entry->len, __entry->pid)
);

/*
 * One read (read(2) or RINGBUS_IOC_READ_BATCH) delivered @nr records from
 * sequence @seq on, @bytes of payload; the reader is the event's task.
 */
TRACE_EVENT(ringbus_read,
	    TP_PROTO(const struct ringbus_channel *ch, u64 seq, u32 nr, u64 bytes),
	    TP_ARGS(ch, seq, nr, bytes),
	    TP_STRUCT__entry(__array(char, name, RINGBUS_NAME_MAX)
			     __field(u64, seq)
			     __field(u64, bytes)
			     __field(u32, nr)
	    ),
	    TP_fast_assign(memcpy(__entry->name, ch->name, RINGBUS_NAME_MAX);
			   __entry->seq = seq;
			   __entry->bytes = bytes;
			   __entry->nr = nr;
	    ),
	    TP_printk("name=%s seq=%llu nr=%u bytes=%llu",
		      __entry->name, __entry->seq, __entry->nr, __entry->bytes)
);

/*
 * @nr of the oldest records were dropped (@reason: overwritten by a
 * broadcast writer, past the time to live, flushed); @head_seq is the
 * oldest record left.  Under the ring lock.
 */
TRACE_EVENT(ringbus_drop,
	    TP_PROTO(const struct ringbus_channel *ch, u64 nr, u64 head_seq, u32 reason),
	    TP_ARGS(ch, nr, head_seq, reason),
	    TP_STRUCT__entry(__array(char, name, RINGBUS_NAME_MAX)
			     __field(u64, nr)
			     __field(u64, head_seq)
			     __field(u32, reason)
	    ),
	    TP_fast_assign(memcpy(__entry->name, ch->name, RINGBUS_NAME_MAX);
			   __entry->nr = nr;
			   __entry->head_seq = head_seq;
			   __entry->reason = reason;
	    ),
	    TP_printk("name=%s nr=%llu head_seq=%llu reason=%s",
		      __entry->name, __entry->nr, __entry->head_seq,
		      rbus_show_drop(__entry->reason))
);

/*
 * A broadcast reader (the event's task) was overtaken: @missed records
 * went before it read them, @total over the life of its file; its read
 * fails with EPIPE.  Under the ring lock.
 */
TRACE_EVENT(ringbus_overrun,
	    TP_PROTO(const struct ringbus_channel *ch, u64 missed, u64 total),
	    TP_ARGS(ch, missed, total),
	    TP_STRUCT__entry(__array(char, name, RINGBUS_NAME_MAX)
			     __field(u64, missed)
			     __field(u64, total)
	    ),
	    TP_fast_assign(memcpy(__entry->name, ch->name, RINGBUS_NAME_MAX);
			   __entry->missed = missed;
			   __entry->total = total;
	    ),
	    TP_printk("name=%s missed=%llu total=%llu",
		      __entry->name, __entry->missed, __entry->total)
);

#endif /* _RINGBUS_TRACE_H */

/* Outside the guard: define_trace.h reads the header again. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ringbus_trace
#include <trace/define_trace.h>
