/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the files of the ringbus core (ringbus.ko) share: the channel and
 * reader structures, the per-CPU counters, and the rbus_ functions one
 * file offers the others.  Never included outside core/.
 */
#ifndef RINGBUS_CORE_INTERNAL_H
#define RINGBUS_CORE_INTERNAL_H

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/*
 * The exports go into the RINGBUS namespace: DEFAULT_SYMBOL_NAMESPACE,
 * defined before any header, puts every EXPORT_SYMBOL_GPL() there.  It is
 * a string literal since 6.13 ("module: Convert default symbol namespace
 * to string literal", in Debian's 6.12 too): probed, see ringbus_config.h.
 */
#include <ringbus_config.h>
#ifdef RINGBUS_DEFAULT_NS_IDENT
#define DEFAULT_SYMBOL_NAMESPACE RINGBUS
#else
#define DEFAULT_SYMBOL_NAMESPACE "RINGBUS"
#endif

#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/cred.h>
#include <linux/irq_work.h>
#include <linux/kernel.h>
#include <linux/kref.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <linux/ringbus.h>

#define RINGBUS_MIN_CAPACITY	4096U

/* The suite's counters, one set per CPU (rbus_pcpu). */
struct rbus_stats {
	u64 records_written;
	u64 bytes_written;
	u64 records_read;
	u64 bytes_read;
	u64 drops;
	u64 overruns;
	u64 wakeups;
	u64 expired;
};

/*
 * A channel's counters that change under ch->lock.  The read ones are
 * per CPU (struct rbus_rstats) and the wake-ups an atomic64_t, both
 * counted outside the lock.
 */
struct rbus_chan_stats {
	u64 records_written;
	u64 bytes_written;
	u64 drops;
	u64 overruns;
	u64 expired;
};

/* A channel's read counters: per CPU, so readers share no cache line. */
struct rbus_rstats {
	u64 records_read;
	u64 bytes_read;
};

struct ringbus_channel {
	struct kref ref;
	struct list_head node;		/* rbus_channels, registry lock */
	struct llist_node free_node;	/* rbus_free_list */
	char name[RINGBUS_NAME_MAX];
	u32 mode;
	u32 max_record;
	u32 ttl_ms;
	u32 capacity;
	kuid_t uid;
	kgid_t gid;
	umode_t perm;
	bool charged;			/* @creator is charged this channel */
	kuid_t creator;			/* real uid of a user-space creator */

	struct mutex write_mutex;	/* lock order: DOC in channel.c */
	struct mutex read_mutex;	/* lock order: DOC in channel.c */
	/*
	 * A raw spinlock: ringbus_write() takes it in any context, hard
	 * interrupts included, where a spinlock_t would sleep on PREEMPT_RT.
	 * Held only for pointer moves and copies of one record (or of one
	 * page of user memory); never around a wake-up.
	 */
	raw_spinlock_t lock;		/* protects everything below */
	u8 *buf;
	/*
	 * @tail ends the records readers may see; @wtail everything written,
	 * beyond @tail while a reservation of @resv bytes at @tail is being
	 * copied in (by the user writer holding write_mutex; 0 for none), with
	 * @pend_records records of ringbus_write() behind it.  @next_seq is
	 * the sequence of the next record readers see, @wseq the next one
	 * handed out.  @st: this channel's counters, but for the read ones
	 * (see @rst) and the wake-ups (@wakeups).
	 */
	u64 head;
	u64 tail;
	u64 wtail;
	u64 head_seq;
	u64 next_seq;
	u64 wseq;
	u64 records;		/* records readers may see */
	u64 resv;
	u64 pend_records;
	u64 lost_seq;		/* one past the newest record overwritten */
	u64 hk_kick_ns;		/* stamp of the last record that kicked ringbusd */
	bool dead;
	unsigned int readers;
	unsigned int writers;
	struct rbus_chan_stats st;
	atomic64_t wakeups;		/* counted outside the lock */
	/*
	 * Published copies for the lockless checks: @head_seq after every
	 * drop (a broadcast reader validates its copy against it) and @tail
	 * after every commit (queue readers find records by it).  Stored
	 * under @lock.  The barriers are labelled LMM(function:letter), as
	 * in the kernel's printk_ringbuffer.c; grep for a label to find its
	 * partner.  @pub_tail is stored after LMM(rbus_publish_tail:A) and
	 * read before LMM(rbus_read_queue:A).  @pub_head_seq is stored
	 * before the overwrite of the ring, ordered by LMM(rbus_push_locked:A),
	 * LMM(rbus_write_chunk:A) or LMM(rbus_write_chunk:B), and read after
	 * LMM(rbus_read_broadcast:A).
	 */
	atomic64_t pub_head_seq;
	atomic64_t pub_tail;
	struct rbus_rstats __percpu *rst;	/* records/bytes read */

	wait_queue_head_t read_wait;
	wait_queue_head_t write_wait;
	/* ringbus_write()'s wake-up of @read_wait, from any context */
	struct irq_work wake_work;
	unsigned long wake_flags;	/* RB_WAKE_OVERRUN */
};

#define RB_WAKE_OVERRUN	0

struct ringbus_reader {
	struct ringbus_channel *ch;
	struct mutex lock;	/* one read or seek of this reader at a time */
	unsigned int flags;
	u64 pos;		/* broadcast: next record's position */
	u64 seq;		/* broadcast: next record's sequence */
	u64 missed;		/* records lost to overruns, in total */
	struct user_namespace *user_ns;	/* the opener's: record uids */
};

#include "ring.h"

/* The suite's counters (stats.c). */
extern struct rbus_stats __percpu *rbus_pcpu;

static inline void rbus_count(u64 __percpu *counter, u64 n)
{
	this_cpu_add(*counter, n);
}

/* channel.c */
extern struct mutex rbus_registry_lock;
extern struct list_head rbus_channels;
void rbus_free_channel(struct ringbus_channel *ch);
void rbus_wake_readers(struct ringbus_channel *ch, bool overrun);
void rbus_wake_readers_any(struct ringbus_channel *ch, bool overrun);
void rbus_wake_writers(struct ringbus_channel *ch);

/* housekeeping.c */
void rbus_add_records(struct ringbus_channel *ch, u64 n, u64 mono_ns);
void rbus_queue_free(struct ringbus_channel *ch);
int rbus_hk_start(void);
void rbus_hk_stop(void);

#endif /* RINGBUS_CORE_INTERNAL_H */
