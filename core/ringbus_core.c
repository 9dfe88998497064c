// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbus core (ringbus.ko): owns all channel state and exports the
 * in-kernel API declared in <linux/ringbus.h> to the other modules of the
 * suite (ringbus_cdev, ringbus_proc) and to third-party modules.
 */

/**
 * DOC: ringbus core
 *
 * The core is the only module that other modules link against: every
 * function it offers is exported with EXPORT_SYMBOL_GPL() into the RINGBUS
 * symbol namespace (DEFAULT_SYMBOL_NAMESPACE, defined at the top of this
 * file before any header) and carries
 * the ringbus_ prefix; everything else is static.
 *
 * Ring layout.  A channel's ring is one vmalloc'ed area of @capacity bytes
 * (a power of two), allocated at create time; nothing is allocated on the
 * write or read path.  Positions (@head, @tail, a reader's @pos) are 64-bit
 * byte counters that only grow; the offset in the ring is the position
 * masked by capacity - 1.  A record is a 40-byte struct rbus_rec (length,
 * writer pid and uid, sequence number, wall-clock and monotonic timestamps)
 * followed by the payload, padded to 8 bytes: the overhead per record is
 * the 32-byte header readers see, 8 bytes more (the monotonic stamp the
 * time to live is measured with) and at most 7 bytes of padding.  Header and payload may wrap
 * around the end of the ring; they are copied in two pieces then, never
 * through a bounce buffer.  @head is the oldest retained record (sequence
 * @head_seq), @tail is where the next one goes (sequence @next_seq).
 *
 * Broadcast mode overwrites the oldest records to make room; every reader
 * has its own position and sequence.  A reader whose sequence is below
 * @head_seq was overtaken: its next read fails with -EPIPE once, counts the
 * records it missed and moves it to the oldest record.  Queue mode keeps
 * one shared position (@head): a read consumes the record, a writer that
 * finds no room sleeps on @write_wait (or gets -EAGAIN).
 *
 * Copying to user space happens without the ring lock (it may fault and
 * sleep), straight from the ring; copying from user space is described
 * next.
 *
 * A user-space write (ringbus_reader_write_user(), or up to 32 records of
 * ringbus_reader_write_batch_user()) holds @write_mutex.  One record of up
 * to a page takes the lock once: it makes room, copies the payload
 * straight into the ring with page faults disabled and commits.  Larger
 * records and batches make three steps: under the lock they make room
 * (broadcast: drop the oldest records) and reserve [@tail, @tail + size)
 * - @wtail moves, @tail does not, so readers do not see it; without the
 * lock they copy the payloads into the ring, again with page faults
 * disabled; under the lock again they commit (@tail = @wtail).  An
 * in-kernel ringbus_write() may come in between: it appends behind the
 * reservation and its record becomes visible with the commit, so the
 * order in the ring stays the order of sequence numbers.  No copy sleeps
 * with ring state held: one that would fault stops, takes its part of the
 * reservation back (what was written behind it moves down), commits what
 * it copied, and the writer faults the pages in with no lock at all -
 * where it may wait as long as userfaultfd or FUSE want - and tries
 * again.  Every commit that made records visible wakes the readers.
 *
 * Queue readers hold @read_mutex while they copy, so nothing else consumes
 * the record under them; they find records by @pub_tail without the lock
 * and take the lock once, to consume.  A broadcast reader takes the lock
 * once to find its place, copies optimistically and then checks, without
 * the lock, that the oldest retained record (@pub_head_seq) is not newer
 * than the first one it copied - if it is, the read is an overrun
 * (-EPIPE).  Writers publish @pub_head_seq before they overwrite.
 *
 * Locking and lock order::
 *
 *   ringbus_registry_lock (mutex: channel list and count, notifier calls)
 *     ch->read_mutex (TTL expiry by ringbusd, trylock)
 *       ch->lock
 *     ch->lock
 *   rd->lock (mutex: one read or seek at a time on one open file)
 *     ch->read_mutex (mutex: queue-mode consumers, flush, TTL expiry)
 *       ch->lock
 *   ch->write_mutex (mutex: user-space writers, one reservation at a time)
 *     ch->lock
 *   rbus_users_lock (mutex: per-user charges; create, and ringbusd's free)
 *
 * ch->lock is a raw spinlock taken with interrupts saved: ringbus_write()
 * runs in any context, hard interrupts included, also on PREEMPT_RT, where
 * a spinlock_t sleeps.  Nothing that may sleep there is done under it - no
 * wake-up, no allocation, no other lock - and it is held for pointer moves
 * and the copy of one record (of at most a page, for user memory).
 *
 * Wake-ups happen after ch->lock is dropped; ringbus_write()'s go through
 * an irq_work (a wait queue's lock is a spinlock_t), and so does the
 * last put's kick of ringbusd.  Sleepers test their condition with
 * READ_ONCE() of the fields ch->lock protects and re-check under the lock.
 * docs/architecture.md draws the same order with the char device's own
 * xa_lock and says why each lock is of its kind; the two change together.
 *
 * Life time.  A channel is counted by a kref: the registry holds one until
 * the channel is destroyed, and so does everyone who got it from create,
 * lookup or an open file.  Destroying marks it dead, wakes every sleeper
 * (readers then see end of file, writers -ENODEV), unlinks it and tells
 * the notifier chain; the last put hands it to the housekeeping thread
 * ringbusd, which frees the ring in process context (a put may happen in
 * any context: a lockless list and an irq_work hand the channel over).
 * ringbusd also drops records older than a channel's time to live.
 *
 * Statistics are per-CPU counters (this_cpu_add on the hot paths), summed
 * on demand: the suite's, and each channel's read counters (the write
 * counters are updated under the lock the writer holds anyway).
 * ringbus_get_cpu_stats() takes a snapshot of every online CPU with
 * on_each_cpu() for a caller that may interrupt them all.
 */
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
#define RB_ALIGN		8U

static unsigned int max_channels = 256;
module_param(max_channels, uint, 0444);
MODULE_PARM_DESC(max_channels,
		 "Maximum number of channels that may exist at once (1-65536, default 256)");

static unsigned int default_capacity = 64 * 1024;
module_param(default_capacity, uint, 0444);
MODULE_PARM_DESC(default_capacity,
		 "Ring size in bytes of a channel created without one (power of two, default 65536)");

static unsigned int max_capacity = 16 * 1024 * 1024;
module_param(max_capacity, uint, 0444);
MODULE_PARM_DESC(max_capacity,
		 "Largest ring size in bytes a channel may ask for (power of two, default 16777216)");

/*
 * Per-user limits (CAP_SYS_RESOURCE exempts): what the channels one user
 * created from user space may take, so that one user can neither exhaust
 * max_channels nor pin gigabytes of vmalloc.  0 switches a limit off.
 * Changed at run time, they apply to the creations that follow.
 */
static unsigned int max_user_channels = 64;
module_param(max_user_channels, uint, 0644);
MODULE_PARM_DESC(max_user_channels,
		 "Channels one user may have created from user space at once (default 64; 0: no limit)");

static unsigned long max_user_bytes = 128UL << 20;
module_param(max_user_bytes, ulong, 0644);
MODULE_PARM_DESC(max_user_bytes,
		 "Ring bytes one user's channels may take in all (default 134217728; 0: no limit)");

/* Above this a user-space request needs CAP_SYS_RESOURCE. */
#define RINGBUS_USER_MAX_CAPACITY	(16U << 20)

/* A record's header as it sits in the ring. */
struct rbus_rec {
	u32 len;
	s32 pid;
	u32 uid;	/* kuid_t value */
	u32 pad;
	u64 seq;
	u64 ts_ns;	/* CLOCK_REALTIME, for readers */
	u64 mono_ns;	/* CLOCK_MONOTONIC, for the time to live */
};

#define RB_HDR	((u32)sizeof(struct rbus_rec))

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
	struct list_head node;		/* ringbus_channels, registry lock */
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

	struct mutex write_mutex;	/* see the lock order above */
	struct mutex read_mutex;	/* see the lock order above */
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

static DEFINE_MUTEX(ringbus_registry_lock);
static LIST_HEAD(ringbus_channels);		/* registry lock */
static unsigned int ringbus_nr_channels;	/* registry lock */
static BLOCKING_NOTIFIER_HEAD(ringbus_notifiers);

/* What one user's channels take: an entry of rbus_users. */
struct rbus_user {
	unsigned int channels;
	u64 bytes;
};

static DEFINE_MUTEX(rbus_users_lock);
static DEFINE_XARRAY(rbus_users);	/* __kuid_val() -> struct rbus_user */

/*
 * Channels whose last reference went, for ringbusd to free: a lockless
 * list and an irq_work to wake ringbusd, since the last put may come in
 * any context (a wait queue's lock sleeps on PREEMPT_RT).
 */
static LLIST_HEAD(rbus_free_list);
static struct irq_work rbus_hk_work;
static struct task_struct *rbus_housekeeper;
static DECLARE_WAIT_QUEUE_HEAD(rbus_hk_wait);
static bool rbus_hk_kick;

/*
 * Count @n published records, the first of them stamped @mono_ns.
 * ringbusd sleeps while no record of any channel can expire
 * (rbus_housekeeping()): the first record of an empty time-to-live channel
 * wakes it, through the irq_work, since a write may come in any context -
 * unless an earlier record did within the time to live, for which
 * ringbusd stays due (rbus_expire()): a queue whose consumer keeps up
 * wakes it at most twice a time to live, not once a record.  Caller holds
 * ch->lock.
 */
static void rbus_add_records(struct ringbus_channel *ch, u64 n, u64 mono_ns)
{
	lockdep_assert_held(&ch->lock);
	if (ch->ttl_ms && !ch->records && n &&
	    (!ch->hk_kick_ns ||
	     mono_ns - ch->hk_kick_ns >= (u64)ch->ttl_ms * NSEC_PER_MSEC)) {
		ch->hk_kick_ns = mono_ns;
		irq_work_queue(&rbus_hk_work);
	}
	ch->records += n;
}

static struct rbus_stats __percpu *rbus_pcpu;

static inline void rbus_count(u64 __percpu *counter, u64 n)
{
	this_cpu_add(*counter, n);
}

static bool rbus_valid_name(const char *name)
{
	size_t len = strnlen(name, RINGBUS_NAME_MAX);
	size_t i;

	if (len == 0 || len >= RINGBUS_NAME_MAX)
		return false;
	if (!strcmp(name, "control") || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/*
 * Where the @len bytes at position @pos sit in the ring: returns their
 * offset, and sets *@first to how many of them come before the end of the
 * ring; the other @len - *@first wrap around to offset 0 (@len is at most
 * the capacity, so they wrap once at most).
 */
static u32 rbus_span(const struct ringbus_channel *ch, u64 pos, u32 len,
		     u32 *first)
{
	u32 off = pos & (ch->capacity - 1);

	*first = min(len, ch->capacity - off);
	return off;
}

/* Ring copies; @pos is a position, the area may wrap once. */
static void rbus_copy_in(struct ringbus_channel *ch, u64 pos, const void *src,
			 u32 len)
{
	u32 first, off = rbus_span(ch, pos, len, &first);

	memcpy(ch->buf + off, src, first);
	memcpy(ch->buf, src + first, len - first);
}

static void rbus_copy_out(struct ringbus_channel *ch, u64 pos, void *dst, u32 len)
{
	u32 first, off = rbus_span(ch, pos, len, &first);

	memcpy(dst, ch->buf + off, first);
	memcpy(dst + first, ch->buf, len - first);
}

static int rbus_copy_to_user(struct ringbus_channel *ch, u64 pos,
			     char __user *dst, u32 len)
{
	u32 first, off = rbus_span(ch, pos, len, &first);

	if (copy_to_user(dst, ch->buf + off, first))
		return -EFAULT;
	if (copy_to_user(dst + first, ch->buf, len - first))
		return -EFAULT;
	return 0;
}

/*
 * CLOCK_REALTIME of a CLOCK_MONOTONIC reading, from the timekeeper's offset:
 * a record's two timestamps cost one clocksource read, not two (where the
 * clocksource is an HPET, as in an emulated guest with an unstable TSC, each
 * read is a device access).
 */
static u64 rbus_mono_to_real(u64 mono)
{
	return ktime_to_ns(ktime_mono_to_real(ns_to_ktime(mono)));
}

static u32 rbus_rec_size(u32 len)
{
	return RB_HDR + ALIGN(len, RB_ALIGN);
}

/* Drop the oldest record.  Caller holds ch->lock and the ring is not empty. */
static void rbus_drop_head(struct ringbus_channel *ch)
{
	struct rbus_rec rec;

	lockdep_assert_held(&ch->lock);

	rbus_copy_out(ch, ch->head, &rec, RB_HDR);
	ch->head += rbus_rec_size(rec.len);
	ch->head_seq++;
	ch->records--;
	ch->st.drops++;
	atomic64_set(&ch->pub_head_seq, ch->head_seq);
}

/*
 * Make the records up to @wtail visible.  Caller holds ch->lock; the
 * payloads are in the ring.  Queue readers look at @pub_tail without the
 * lock: the barrier orders the ring stores before it.
 */
static void rbus_publish_tail(struct ringbus_channel *ch)
{
	lockdep_assert_held(&ch->lock);
	ch->tail = ch->wtail;
	ch->next_seq = ch->wseq;
	/*
	 * LMM(rbus_publish_tail:A): the records, then @pub_tail.
	 * Pairs with LMM(rbus_read_queue:A).
	 */
	smp_wmb();
	atomic64_set(&ch->pub_tail, ch->tail);
}

/*
 * Records dropped in one hold of ch->lock, at most: the ring lock is a
 * raw spinlock held with interrupts off, and a 16 MiB ring holds some
 * 350,000 of the smallest records.  Dropping one reads one header, so a
 * batch keeps a hold to microseconds; rbus_make_room()'s callers and
 * rbus_expire() give the lock, and interrupts, back between batches.
 */
#define RB_DROP_BATCH		256U
/*
 * Records one ringbus_write() called with interrupts off drops, at most:
 * its caller (a hard interrupt handler, a section under spin_lock_irqsave)
 * keeps interrupts off across every batch.
 */
#define RB_DROP_MAX_IRQOFF	(16 * RB_DROP_BATCH)
/* rbus_make_room(): a batch was dropped, more must go. */
#define RB_ROOM_MORE		1

/*
 * Make room for @size more bytes at @wtail.  Broadcast mode drops the
 * oldest visible records (never a reservation being copied in), one batch
 * of at most RB_DROP_BATCH per call and at most *@budget in all; *@budget
 * is decreased by the records dropped.  Caller holds ch->lock.
 * Return: 0; RB_ROOM_MORE when a batch was dropped and more must go: the
 * caller gives the lock back and calls again; -EAGAIN when there is no
 * room (a queue, a reservation in the way, or *@budget used up).
 */
static int rbus_make_room(struct ringbus_channel *ch, u64 size,
			  unsigned int *budget)
{
	unsigned int n = 0, batch = min(*budget, RB_DROP_BATCH);

	lockdep_assert_held(&ch->lock);

	if (ch->wtail + size - ch->head <= ch->capacity)
		return 0;
	if (ch->mode == RINGBUS_MODE_QUEUE)
		return -EAGAIN;
	while (ch->wtail + size - ch->head > ch->capacity && ch->head != ch->tail &&
	       n < batch) {
		rbus_drop_head(ch);
		n++;
	}
	if (n) {
		ch->lost_seq = ch->head_seq;
		rbus_count(&rbus_pcpu->drops, n);
		*budget -= n;
	}
	if (ch->wtail + size - ch->head <= ch->capacity)
		return 0;
	return ch->head == ch->tail || !*budget ? -EAGAIN : RB_ROOM_MORE;
}

/*
 * Append one record from kernel memory.  Caller holds ch->lock.  Behind a
 * reservation the record waits, unseen, for the reservation's commit (the
 * order of sequence numbers is the order in the ring).  Return: 0,
 * -ENODEV for a destroyed channel, or rbus_make_room()'s -EAGAIN or
 * RB_ROOM_MORE (@budget: as there).
 */
static int rbus_push_locked(struct ringbus_channel *ch, const void *data, u32 len,
			    unsigned int *budget)
{
	u32 size = rbus_rec_size(len);
	struct rbus_rec rec;
	int ret;

	lockdep_assert_held(&ch->lock);

	if (ch->dead)
		return -ENODEV;
	ret = rbus_make_room(ch, size, budget);
	if (ret)
		return ret;
	rec.len = len;
	rec.pid = 0;
	rec.uid = __kuid_val(GLOBAL_ROOT_UID);
	rec.pad = 0;
	rec.seq = ch->wseq++;
	rec.mono_ns = ktime_get_ns();
	rec.ts_ns = rbus_mono_to_real(rec.mono_ns);
	/*
	 * LMM(rbus_push_locked:A): the drops above (@pub_head_seq), then the
	 * new bytes.  Pairs with LMM(rbus_read_broadcast:A).
	 */
	smp_wmb();
	rbus_copy_in(ch, ch->wtail, &rec, RB_HDR);
	rbus_copy_in(ch, ch->wtail + RB_HDR, data, len);
	ch->wtail += size;
	ch->st.records_written++;
	ch->st.bytes_written += len;
	if (ch->resv) {
		ch->pend_records++;
	} else {
		rbus_add_records(ch, 1, rec.mono_ns);
		rbus_publish_tail(ch);
	}
	return 0;
}

/*
 * Wake the readers of new records.  @overrun: the write dropped records to
 * make room, which is EPOLLPRI | EPOLLERR as well for a reader they were
 * taken from (ringbus_reader_poll()): the wake-up key says so, or an epoll
 * watcher of EPOLLPRI alone would never hear of the overrun.
 */
static void rbus_wake_readers(struct ringbus_channel *ch, bool overrun)
{
	__poll_t key = EPOLLIN | EPOLLRDNORM;

	if (overrun)
		key |= EPOLLPRI | EPOLLERR;
	if (wq_has_sleeper(&ch->read_wait)) {
		atomic64_inc(&ch->wakeups);
		rbus_count(&rbus_pcpu->wakeups, 1);
		wake_up_interruptible_poll(&ch->read_wait, key);
	}
}

/*
 * The same from any context (ringbus_write()): a hard interrupt may not
 * take a wait queue's lock, a spinlock_t (it sleeps on PREEMPT_RT, and
 * lockdep's wait-type check says so on every kernel), so an irq_work
 * wakes the readers, as printk and the BPF ring buffer do.  Only when
 * someone sleeps: a busy channel with readers that keep up queues none.
 */
static void rbus_wake_readers_any(struct ringbus_channel *ch, bool overrun)
{
	if (wq_has_sleeper(&ch->read_wait)) {
		if (overrun)
			set_bit(RB_WAKE_OVERRUN, &ch->wake_flags);
		irq_work_queue(&ch->wake_work);
	}
}

static void rbus_wake_work(struct irq_work *work)
{
	struct ringbus_channel *ch = container_of(work, struct ringbus_channel, wake_work);

	rbus_wake_readers(ch, test_and_clear_bit(RB_WAKE_OVERRUN, &ch->wake_flags));
}

static void rbus_wake_writers(struct ringbus_channel *ch)
{
	if (wq_has_sleeper(&ch->write_wait)) {
		atomic64_inc(&ch->wakeups);
		rbus_count(&rbus_pcpu->wakeups, 1);
		wake_up_interruptible_poll(&ch->write_wait, EPOLLOUT | EPOLLWRNORM);
	}
}

static int rbus_check_len(struct ringbus_channel *ch, size_t len)
{
	if (len == 0)
		return -EINVAL;
	if (len > ch->max_record)
		return -EMSGSIZE;
	return 0;
}

/**
 * ringbus_write() - append one record from kernel memory
 * @ch: the channel
 * @data: the payload
 * @len: its length, 1 to the channel's maximum record size
 *
 * The record's pid and uid are 0.  Never sleeps: a full queue-mode channel
 * gives -EAGAIN; a broadcast channel overwrites its oldest records, but
 * not the records a user-space writer is copying in at that moment: if
 * they and the records written since fill the ring, -EAGAIN as well.
 * Overwriting gives the ring lock, and interrupts, back after every 256
 * records; called with interrupts off, as from a hard interrupt handler,
 * one call overwrites 4096 records at most, and when this record needs
 * more it gives -EAGAIN (those stay dropped: the next write goes on).
 * Interrupts are never off for longer than that and the copy of @len
 * bytes, which the caller chooses.
 *
 * Context: Any context, including hard interrupts.
 * Return: 0, -EINVAL for an empty record, -EMSGSIZE for one larger than
 * the channel's maximum, -EAGAIN for a full queue (or a broadcast ring
 * taken up by a write being copied in), -ENODEV if the channel was
 * destroyed.
 */
int ringbus_write(struct ringbus_channel *ch, const void *data, size_t len)
{
	unsigned int budget, start;
	unsigned long flags;
	int ret;

	ret = rbus_check_len(ch, len);
	if (ret)
		return ret;
	raw_spin_lock_irqsave(&ch->lock, flags);
	budget = irqs_disabled_flags(flags) ? RB_DROP_MAX_IRQOFF : UINT_MAX;
	start = budget;
	while ((ret = rbus_push_locked(ch, data, len, &budget)) == RB_ROOM_MORE) {
		raw_spin_unlock_irqrestore(&ch->lock, flags);
		cpu_relax();
		raw_spin_lock_irqsave(&ch->lock, flags);
	}
	raw_spin_unlock_irqrestore(&ch->lock, flags);
	if (ret) {
		if (budget != start)
			rbus_wake_readers_any(ch, true);
		return ret;
	}
	rbus_count(&rbus_pcpu->records_written, 1);
	rbus_count(&rbus_pcpu->bytes_written, len);
	rbus_wake_readers_any(ch, budget != start);
	return 0;
}
EXPORT_SYMBOL_GPL(ringbus_write);

static void rbus_hk_kick_fn(struct irq_work *work)
{
	WRITE_ONCE(rbus_hk_kick, true);
	wake_up(&rbus_hk_wait);
}

static void rbus_queue_free(struct ringbus_channel *ch)
{
	llist_add(&ch->free_node, &rbus_free_list);
	irq_work_queue(&rbus_hk_work);
}

static void rbus_channel_release(struct kref *ref)
{
	rbus_queue_free(container_of(ref, struct ringbus_channel, ref));
}

/*
 * Charge @uid one channel of @bytes, within the per-user limits.  @spare
 * is a zeroed entry for a user seen for the first time; it is used (and
 * *@spare set to NULL) or left to the caller to free.
 * Return: 0, or -EDQUOT beyond a limit, -ENOMEM.
 */
static int rbus_user_charge(kuid_t uid, u64 bytes, struct rbus_user **spare)
{
	unsigned int max_ch = READ_ONCE(max_user_channels);
	unsigned long max_bytes = READ_ONCE(max_user_bytes);
	struct rbus_user *u;
	int ret = 0;

	mutex_lock(&rbus_users_lock);
	u = xa_load(&rbus_users, __kuid_val(uid));
	if (!u) {
		u = *spare;
		ret = xa_err(xa_store(&rbus_users, __kuid_val(uid), u, GFP_KERNEL));
		if (ret)
			goto out;
		*spare = NULL;
	}
	if ((max_ch && u->channels + 1 > max_ch) ||
	    (max_bytes && u->bytes + bytes > max_bytes)) {
		ret = -EDQUOT;
		if (!u->channels)
			kfree(xa_erase(&rbus_users, __kuid_val(uid)));
		goto out;
	}
	u->channels++;
	u->bytes += bytes;
out:
	mutex_unlock(&rbus_users_lock);
	return ret;
}

static void rbus_user_uncharge(kuid_t uid, u64 bytes)
{
	struct rbus_user *u;

	mutex_lock(&rbus_users_lock);
	u = xa_load(&rbus_users, __kuid_val(uid));
	if (!WARN_ON_ONCE(!u || !u->channels)) {
		u->channels--;
		u->bytes -= bytes;
		if (!u->channels)
			kfree(xa_erase(&rbus_users, __kuid_val(uid)));
	}
	mutex_unlock(&rbus_users_lock);
}

/*
 * The ring and the charge go with the memory: a channel destroyed but
 * still held open keeps counting against its creator.
 */
static void rbus_free_channel(struct ringbus_channel *ch)
{
	might_sleep();
	irq_work_sync(&ch->wake_work);	/* a wake-up still queued */
	if (ch->charged)
		rbus_user_uncharge(ch->creator, ch->capacity);
	free_percpu(ch->rst);
	vfree(ch->buf);
	kfree(ch);
}

/**
 * ringbus_channel_get() - take another reference to a channel
 * @ch: the channel, which the caller already holds
 *
 * Context: Any context.
 * Return: @ch.
 */
struct ringbus_channel *ringbus_channel_get(struct ringbus_channel *ch)
{
	kref_get(&ch->ref);
	return ch;
}
EXPORT_SYMBOL_GPL(ringbus_channel_get);

/**
 * ringbus_channel_put() - drop a reference to a channel
 * @ch: the channel; NULL is allowed and does nothing
 *
 * The last put hands the channel to the housekeeping thread, which frees
 * it.
 *
 * Context: Any context.
 * Return: Nothing.
 */
void ringbus_channel_put(struct ringbus_channel *ch)
{
	if (ch)
		kref_put(&ch->ref, rbus_channel_release);
}
EXPORT_SYMBOL_GPL(ringbus_channel_put);

/* Caller holds the registry lock. */
static struct ringbus_channel *rbus_find(const char *name)
{
	struct ringbus_channel *ch;

	lockdep_assert_held(&ringbus_registry_lock);
	list_for_each_entry(ch, &ringbus_channels, node)
		if (!strcmp(ch->name, name))
			return ch;
	return NULL;
}

/*
 * Take a channel out of the registry and mark it dead; wake every sleeper.
 * Caller holds the registry lock.
 */
static void rbus_unlink_locked(struct ringbus_channel *ch)
{
	unsigned long flags;

	lockdep_assert_held(&ringbus_registry_lock);
	list_del_init(&ch->node);
	ringbus_nr_channels--;
	raw_spin_lock_irqsave(&ch->lock, flags);
	ch->dead = true;
	raw_spin_unlock_irqrestore(&ch->lock, flags);
	wake_up_interruptible_poll(&ch->read_wait, EPOLLHUP | EPOLLIN | EPOLLERR);
	wake_up_interruptible_poll(&ch->write_wait, EPOLLHUP | EPOLLOUT | EPOLLERR);
}

/**
 * ringbus_channel_create() - create a named channel
 * @cfg: name, capacity, maximum record, mode, time to live and the owner,
 *	group and permissions of its device node
 *
 * The ring is allocated here, once.  The notifier chain hears of the new
 * channel (ringbus_cdev makes its node) before this returns.
 *
 * With @cfg->user set, the caller's real uid is charged the channel until
 * its memory is freed; beyond its limits only CAP_SYS_RESOURCE creates
 * (uncharged).
 *
 * Context: Process context; may sleep.
 * Return: the channel with a reference the caller must put, or
 * ERR_PTR(-EINVAL) for an invalid name, capacity, maximum record or mode,
 * ERR_PTR(-EEXIST) if the name is taken, ERR_PTR(-ENOSPC) when
 * max_channels exist, ERR_PTR(-EDQUOT) when the user's channels would
 * exceed max_user_channels or max_user_bytes, ERR_PTR(-EPERM) for a user
 * request of more than 16 MiB without CAP_SYS_RESOURCE, ERR_PTR(-ENOMEM),
 * or the errno of a notifier that refused the channel (ringbus_cdev's when
 * it could not make the node, e.g. -ENOMEM; see ringbus_register_notifier()).
 */
struct ringbus_channel *ringbus_channel_create(const struct ringbus_channel_config *cfg)
{
	struct ringbus_channel *ch;
	u64 capacity = cfg->capacity ? cfg->capacity : default_capacity;
	struct rbus_user *spare;
	u32 max_record;
	int ret;

	might_sleep();

	if (!cfg->name || !rbus_valid_name(cfg->name))
		return ERR_PTR(-EINVAL);
	if (!is_power_of_2(capacity) || capacity < RINGBUS_MIN_CAPACITY ||
	    capacity > max_capacity)
		return ERR_PTR(-EINVAL);
	max_record = cfg->max_record ? cfg->max_record : capacity / 4;
	if (max_record > capacity / 2)
		return ERR_PTR(-EINVAL);
	if (cfg->mode != RINGBUS_MODE_BROADCAST && cfg->mode != RINGBUS_MODE_QUEUE)
		return ERR_PTR(-EINVAL);
	if (cfg->perm & ~0777)
		return ERR_PTR(-EINVAL);
	/* capable() only where it decides: it is audited. */
	if (cfg->user && capacity > RINGBUS_USER_MAX_CAPACITY &&
	    !capable(CAP_SYS_RESOURCE))
		return ERR_PTR(-EPERM);

	/*
	 * Allocate everything before taking any lock.  User space decides
	 * how much (up to max_capacity per channel): charge it to the
	 * caller's memory cgroup, and to the caller's uid.
	 */
	ch = kzalloc(sizeof(*ch), GFP_KERNEL_ACCOUNT);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	if (cfg->user) {
		spare = kzalloc(sizeof(*spare), GFP_KERNEL_ACCOUNT);
		ret = spare ? rbus_user_charge(current_uid(), capacity, &spare) : -ENOMEM;
		kfree(spare);
		if (!ret) {
			ch->charged = true;
			ch->creator = current_uid();
		} else if (ret != -EDQUOT || !capable(CAP_SYS_RESOURCE)) {
			goto err_free_ch;
		}
	}
	/*
	 * __GFP_NOWARN: the size is the caller's, and a failure is its
	 * ENOMEM, not a stack dump in the kernel log (as bpf_map_area_alloc).
	 */
	ch->buf = __vmalloc(capacity, GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN);
	if (!ch->buf) {
		ret = -ENOMEM;
		goto err_uncharge;
	}
	ch->rst = alloc_percpu_gfp(struct rbus_rstats, GFP_KERNEL_ACCOUNT);
	if (!ch->rst) {
		ret = -ENOMEM;
		goto err_free_buf;
	}
	kref_init(&ch->ref);
	strscpy(ch->name, cfg->name, sizeof(ch->name));
	ch->mode = cfg->mode;
	ch->capacity = capacity;
	ch->max_record = max_record;
	ch->ttl_ms = cfg->ttl_ms;
	ch->uid = cfg->uid;
	ch->gid = cfg->gid;
	ch->perm = cfg->perm ? cfg->perm : 0600;
	ch->head_seq = 1;
	ch->next_seq = 1;
	ch->wseq = 1;
	atomic64_set(&ch->pub_head_seq, 1);
	mutex_init(&ch->write_mutex);
	mutex_init(&ch->read_mutex);
	raw_spin_lock_init(&ch->lock);
	init_waitqueue_head(&ch->read_wait);
	init_waitqueue_head(&ch->write_wait);
	init_irq_work(&ch->wake_work, rbus_wake_work);

	mutex_lock(&ringbus_registry_lock);
	if (rbus_find(ch->name)) {
		ret = -EEXIST;
		goto err_unlock;
	}
	if (ringbus_nr_channels >= max_channels) {
		ret = -ENOSPC;
		goto err_unlock;
	}
	list_add_tail(&ch->node, &ringbus_channels);
	ringbus_nr_channels++;
	kref_get(&ch->ref);		/* the caller's */
	/*
	 * A notifier may refuse the channel (ringbus_cdev when it cannot make
	 * its node): the create fails with its errno, and the notifiers
	 * called before it hear RINGBUS_CHANNEL_REMOVED.  Someone may have
	 * opened the node meanwhile, so the channel dies like a destroyed one.
	 */
	ret = notifier_to_errno(blocking_notifier_call_chain_robust(&ringbus_notifiers,
								    RINGBUS_CHANNEL_ADDED,
								    RINGBUS_CHANNEL_REMOVED, ch));
	if (ret) {
		rbus_unlink_locked(ch);
		mutex_unlock(&ringbus_registry_lock);
		ringbus_channel_put(ch);	/* the caller's */
		ringbus_channel_put(ch);	/* the registry's */
		return ERR_PTR(ret);
	}
	mutex_unlock(&ringbus_registry_lock);
	return ch;

err_unlock:
	mutex_unlock(&ringbus_registry_lock);
	free_percpu(ch->rst);
err_free_buf:
	vfree(ch->buf);
err_uncharge:
	if (ch->charged)
		rbus_user_uncharge(ch->creator, capacity);
err_free_ch:
	kfree(ch);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(ringbus_channel_create);

/* Caller holds the registry lock. */
static void rbus_destroy_locked(struct ringbus_channel *ch)
{
	lockdep_assert_held(&ringbus_registry_lock);
	rbus_unlink_locked(ch);
	blocking_notifier_call_chain(&ringbus_notifiers, RINGBUS_CHANNEL_REMOVED, ch);
	ringbus_channel_put(ch);	/* the registry's */
}

/**
 * ringbus_channel_destroy() - destroy a channel
 * @ch: the channel; the caller's reference stays valid and must still be put
 *
 * Wakes every sleeper: readers then see end of file, writers -ENODEV.  The
 * name is free again at once; the memory goes with the last reference.
 *
 * Context: Process context; may sleep.
 * Return: 0, or -ENODEV if the channel was already destroyed.
 */
int ringbus_channel_destroy(struct ringbus_channel *ch)
{
	int ret = -ENODEV;

	might_sleep();
	mutex_lock(&ringbus_registry_lock);
	if (!list_empty(&ch->node)) {
		rbus_destroy_locked(ch);
		ret = 0;
	}
	mutex_unlock(&ringbus_registry_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(ringbus_channel_destroy);

/**
 * ringbus_channel_get_by_name() - look a channel up
 * @name: its name
 *
 * Context: Process context; may sleep.
 * Return: the channel with a reference the caller must put, or NULL.
 */
struct ringbus_channel *ringbus_channel_get_by_name(const char *name)
{
	struct ringbus_channel *ch;

	might_sleep();
	mutex_lock(&ringbus_registry_lock);
	ch = rbus_find(name);
	if (ch)
		kref_get(&ch->ref);
	mutex_unlock(&ringbus_registry_lock);
	return ch;
}
EXPORT_SYMBOL_GPL(ringbus_channel_get_by_name);

/**
 * ringbus_channel_name() - a channel's name
 * @ch: the channel
 *
 * Context: Any context.
 * Return: the NUL-terminated name, valid while @ch is held.
 */
const char *ringbus_channel_name(const struct ringbus_channel *ch)
{
	return ch->name;
}
EXPORT_SYMBOL_GPL(ringbus_channel_name);

/**
 * ringbus_channel_is_dead() - whether a channel was destroyed
 * @ch: the channel
 *
 * Context: Any context.
 * Return: true once ringbus_channel_destroy() ran for @ch.
 */
bool ringbus_channel_is_dead(const struct ringbus_channel *ch)
{
	return READ_ONCE(ch->dead);
}
EXPORT_SYMBOL_GPL(ringbus_channel_is_dead);

/**
 * ringbus_channel_info() - describe a channel
 * @ch: the channel
 * @info: zeroed, then filled in
 *
 * Context: Any context.
 * Return: Nothing.
 */
void ringbus_channel_info(struct ringbus_channel *ch, struct ringbus_info *info)
{
	unsigned long flags;

	memset(info, 0, sizeof(*info));
	strscpy(info->name, ch->name, sizeof(info->name));
	info->capacity = ch->capacity;
	info->max_record = ch->max_record;
	info->mode = ch->mode;
	info->ttl_ms = ch->ttl_ms;
	info->uid = __kuid_val(ch->uid);
	info->gid = __kgid_val(ch->gid);
	info->perm = ch->perm;
	raw_spin_lock_irqsave(&ch->lock, flags);
	info->used = ch->tail - ch->head;
	info->records = ch->records;
	info->first_seq = ch->records ? ch->head_seq : 0;
	info->last_seq = ch->next_seq - 1;
	info->drops = ch->st.drops;
	info->readers = ch->readers;
	info->writers = ch->writers;
	raw_spin_unlock_irqrestore(&ch->lock, flags);
}
EXPORT_SYMBOL_GPL(ringbus_channel_info);

/**
 * ringbus_channel_stats() - a channel's counters
 * @ch: the channel
 * @st: zeroed, then filled in (the fd_ fields stay zero)
 *
 * Context: Any context.
 * Return: Nothing.
 */
void ringbus_channel_stats(struct ringbus_channel *ch, struct ringbus_stats *st)
{
	unsigned long flags;
	int cpu;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct rbus_rstats *r = per_cpu_ptr(ch->rst, cpu);

		st->records_read += READ_ONCE(r->records_read);
		st->bytes_read += READ_ONCE(r->bytes_read);
	}
	raw_spin_lock_irqsave(&ch->lock, flags);
	st->records_written = ch->st.records_written;
	st->bytes_written = ch->st.bytes_written;
	st->drops = ch->st.drops;
	st->overruns = ch->st.overruns;
	st->wakeups = atomic64_read(&ch->wakeups);
	st->expired = ch->st.expired;
	raw_spin_unlock_irqrestore(&ch->lock, flags);
}
EXPORT_SYMBOL_GPL(ringbus_channel_stats);

/**
 * ringbus_channel_flush() - discard every record of a channel
 * @ch: the channel
 *
 * Discarded records count as drops; sequence numbers are not reused.  A
 * queue reader's copy in progress finishes first (it may wait for a page
 * fault as long as the page's owner wants): the wait is killable.
 *
 * Context: Process context; may sleep.
 * Return: 0, -ENODEV if the channel was destroyed, -EINTR if a fatal
 * signal came while waiting for a reader.
 */
int ringbus_channel_flush(struct ringbus_channel *ch)
{
	unsigned long flags;
	u64 n;

	might_sleep();
	if (mutex_lock_killable(&ch->read_mutex))
		return -EINTR;
	raw_spin_lock_irqsave(&ch->lock, flags);
	if (ch->dead) {
		raw_spin_unlock_irqrestore(&ch->lock, flags);
		mutex_unlock(&ch->read_mutex);
		return -ENODEV;
	}
	n = ch->records;
	ch->head = ch->tail;
	ch->head_seq = ch->next_seq;
	ch->records = 0;
	ch->st.drops += n;
	atomic64_set(&ch->pub_head_seq, ch->head_seq);
	raw_spin_unlock_irqrestore(&ch->lock, flags);
	mutex_unlock(&ch->read_mutex);
	rbus_count(&rbus_pcpu->drops, n);
	rbus_wake_writers(ch);
	return 0;
}
EXPORT_SYMBOL_GPL(ringbus_channel_flush);

/**
 * ringbus_iterate_channels() - call a function for every channel
 * @fn: called with each channel (held for the call) and @arg; a non-zero
 *	return stops the walk
 * @arg: passed to @fn
 *
 * @fn runs under the registry lock: it must not create or destroy channels.
 *
 * Context: Process context; may sleep.
 * Return: 0, or the first non-zero value @fn returned.
 */
int ringbus_iterate_channels(ringbus_channel_fn fn, void *arg)
{
	struct ringbus_channel *ch;
	int ret = 0;

	might_sleep();
	mutex_lock(&ringbus_registry_lock);
	list_for_each_entry(ch, &ringbus_channels, node) {
		ret = fn(ch, arg);
		if (ret)
			break;
	}
	mutex_unlock(&ringbus_registry_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(ringbus_iterate_channels);

/**
 * ringbus_register_notifier() - hear of channels created and destroyed
 * @nb: the notifier; it is called with RINGBUS_CHANNEL_ADDED for every
 *	channel that already exists before this returns
 *
 * @nb's callback gets the event and the struct ringbus_channel *.  It runs
 * under the registry mutex, in process context: it may sleep, but must
 * not create, destroy or look up channels, nor register notifiers.  For
 * RINGBUS_CHANNEL_ADDED of a channel being created it may refuse the
 * channel by returning notifier_from_errno(-E...): the create then fails
 * with that errno, and the notifiers called before hear
 * RINGBUS_CHANNEL_REMOVED.  What it returns for the channels that already
 * exist when it registers is ignored.
 *
 * Context: Process context; may sleep.
 * Return: 0, or -EEXIST if @nb is already registered (older kernels
 * register it twice and return 0).
 */
int ringbus_register_notifier(struct notifier_block *nb)
{
	struct ringbus_channel *ch;
	int ret;

	might_sleep();
	mutex_lock(&ringbus_registry_lock);
	ret = blocking_notifier_chain_register(&ringbus_notifiers, nb);
	if (!ret)
		list_for_each_entry(ch, &ringbus_channels, node)
			nb->notifier_call(nb, RINGBUS_CHANNEL_ADDED, ch);
	mutex_unlock(&ringbus_registry_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(ringbus_register_notifier);

/**
 * ringbus_unregister_notifier() - stop hearing of channels
 * @nb: the notifier; it is called with RINGBUS_CHANNEL_REMOVED for every
 *	channel that still exists before this returns
 *
 * Context: Process context; may sleep.
 * Return: Nothing.
 */
void ringbus_unregister_notifier(struct notifier_block *nb)
{
	struct ringbus_channel *ch;

	might_sleep();
	mutex_lock(&ringbus_registry_lock);
	list_for_each_entry(ch, &ringbus_channels, node)
		nb->notifier_call(nb, RINGBUS_CHANNEL_REMOVED, ch);
	blocking_notifier_chain_unregister(&ringbus_notifiers, nb);
	mutex_unlock(&ringbus_registry_lock);
}
EXPORT_SYMBOL_GPL(ringbus_unregister_notifier);

/**
 * ringbus_reader_open() - open a channel for reading and/or writing
 * @ch: the channel; the reader takes its own reference
 * @flags: RINGBUS_READER_READ and/or RINGBUS_READER_WRITE
 *
 * A broadcast reader starts at the oldest retained record.  The writer
 * uids of the records it reads are told in the user namespace of the
 * opener (the task calling this), whoever reads later - as a file's
 * f_cred decides, not the reading task.
 *
 * Context: Process context; may sleep.
 * Return: the reader, ERR_PTR(-ENODEV) for a destroyed channel,
 * ERR_PTR(-EINVAL) for unknown flags, ERR_PTR(-ENOMEM).
 */
struct ringbus_reader *ringbus_reader_open(struct ringbus_channel *ch,
					   unsigned int flags)
{
	struct ringbus_reader *rd;
	unsigned long irqflags;

	might_sleep();
	if (flags & ~(RINGBUS_READER_READ | RINGBUS_READER_WRITE))
		return ERR_PTR(-EINVAL);
	/* Every open() makes these: charged to the opener's memory cgroup. */
	rd = kzalloc(sizeof(*rd), GFP_KERNEL_ACCOUNT);
	if (!rd)
		return ERR_PTR(-ENOMEM);
	rd->flags = flags;
	mutex_init(&rd->lock);
	rd->user_ns = get_user_ns(current_user_ns());
	raw_spin_lock_irqsave(&ch->lock, irqflags);
	if (ch->dead) {
		raw_spin_unlock_irqrestore(&ch->lock, irqflags);
		put_user_ns(rd->user_ns);
		kfree(rd);
		return ERR_PTR(-ENODEV);
	}
	rd->pos = ch->head;
	rd->seq = ch->head_seq;
	if (flags & RINGBUS_READER_READ)
		ch->readers++;
	if (flags & RINGBUS_READER_WRITE)
		ch->writers++;
	raw_spin_unlock_irqrestore(&ch->lock, irqflags);
	rd->ch = ringbus_channel_get(ch);
	return rd;
}
EXPORT_SYMBOL_GPL(ringbus_reader_open);

/**
 * ringbus_reader_close() - close a reader
 * @rd: the reader
 *
 * Context: Process context.
 * Return: Nothing.
 */
void ringbus_reader_close(struct ringbus_reader *rd)
{
	struct ringbus_channel *ch = rd->ch;
	unsigned long flags;

	raw_spin_lock_irqsave(&ch->lock, flags);
	if (rd->flags & RINGBUS_READER_READ)
		ch->readers--;
	if (rd->flags & RINGBUS_READER_WRITE)
		ch->writers--;
	raw_spin_unlock_irqrestore(&ch->lock, flags);
	put_user_ns(rd->user_ns);
	kfree(rd);
	ringbus_channel_put(ch);
}
EXPORT_SYMBOL_GPL(ringbus_reader_close);

/**
 * ringbus_reader_channel() - the channel of a reader
 * @rd: the reader
 *
 * Context: Any context.
 * Return: the channel, held as long as @rd is open.
 */
struct ringbus_channel *ringbus_reader_channel(struct ringbus_reader *rd)
{
	return rd->ch;
}
EXPORT_SYMBOL_GPL(ringbus_reader_channel);

static bool rbus_queue_has_room(struct ringbus_channel *ch, u32 size)
{
	return READ_ONCE(ch->wtail) + size - READ_ONCE(ch->head) <= ch->capacity ||
	       READ_ONCE(ch->dead);
}

/* One record of a user-space write: where its payload is, how long. */
struct rbus_wrec {
	const char __user *data;
	u32 len;
};

/* Records reserved in one lock round trip, at most. */
#define RB_WCHUNK	32
/*
 * The largest payload a single-record write copies under ch->lock (with
 * interrupts off, as ringbus_write() copies its records): one page.
 */
#define RB_INLINE_MAX	PAGE_SIZE

/*
 * Copy a payload from user memory into the ring with page faults disabled
 * (under ch->lock, or into a reservation): 0, or -EFAULT when a page was
 * not present - nothing sleeps; the caller faults the pages in with no
 * lock held and tries again.  The caller has checked access_ok().
 */
static int rbus_copy_from_user_inatomic(struct ringbus_channel *ch, u64 pos,
					const char __user *src, u32 len)
{
	u32 first, off = rbus_span(ch, pos, len, &first);
	unsigned long left;

	pagefault_disable();
	left = __copy_from_user_inatomic(ch->buf + off, src, first);
	if (!left)
		left = __copy_from_user_inatomic(ch->buf, src + first, len - first);
	pagefault_enable();
	return left ? -EFAULT : 0;
}

/*
 * Touch every page of a payload, with no lock held: this may sleep as long
 * as the page's owner wants.  A broadcast write does it before it drops
 * old records, so a bad pointer fails before that.  (A page unmapped by
 * another thread in between fails the copy: the record is taken back then,
 * the dropped ones stay dropped, and the write faults the page in again.)
 */
static int rbus_fault_in(const char __user *p, u32 len)
{
	const char __user *end = p + len - 1;
	char c;

	for (; p <= end; p = (const char __user *)PAGE_ALIGN((unsigned long)p + 1))
		if (get_user(c, p))
			return -EFAULT;
	if (get_user(c, end))
		return -EFAULT;
	(void)c;
	return 0;
}

/*
 * Move [src, src + len) of the ring down to @dst (< @src).  Only for taking
 * back a reservation whose copy failed while ringbus_write() records sat
 * behind it.  Caller holds ch->lock.
 */
static void rbus_ring_move(struct ringbus_channel *ch, u64 dst, u64 src, u64 len)
{
	lockdep_assert_held(&ch->lock);

	while (len) {
		u32 n, doff, soff;

		/* The most bytes that wrap neither at @dst nor at @src. */
		doff = rbus_span(ch, dst, min_t(u64, len, ch->capacity), &n);
		soff = rbus_span(ch, src, n, &n);
		memmove(ch->buf + doff, ch->buf + soff, n);
		dst += n;
		src += n;
		len -= n;
	}
}

/*
 * Take back the end of a reservation, [@from, tail + resv) holding @nr
 * records, after a failed copy.  Caller holds ch->lock.
 */
static void rbus_unreserve(struct ringbus_channel *ch, u64 from, u32 nr)
{
	u64 end = ch->tail + ch->resv, pos, i;
	struct rbus_rec rec;

	lockdep_assert_held(&ch->lock);

	if (ch->wtail != end) {
		rbus_ring_move(ch, from, end, ch->wtail - end);
		pos = from;
		for (i = 0; i < ch->pend_records; i++) {
			rbus_copy_out(ch, pos, &rec, RB_HDR);
			rec.seq -= nr;
			rbus_copy_in(ch, pos, &rec, RB_HDR);
			pos += rbus_rec_size(rec.len);
		}
	}
	ch->wtail -= end - from;
	ch->wseq -= nr;
}

/* What one rbus_write_chunk() did besides the records it returns. */
struct rbus_wres {
	u64 bytes;		/* payload bytes of those records */
	u64 published;		/* records made visible: those, and the kernel's */
	bool overrun;		/* older records were dropped for them */
	bool fault;		/* stopped at a record whose pages are not present */
	bool more;		/* dropped a batch of old records, more must go */
};

/*
 * Write up to @n records, as many as there is room for (at least one),
 * with one lock round trip to reserve their place and one to commit them;
 * the payloads are copied from user memory straight into the ring in
 * between, with no lock held but with page faults disabled: a reservation
 * is never held across a sleep, least of all one another task controls
 * (userfaultfd, FUSE), so ringbus_write() records behind it become visible
 * within one copy.  A copy that would fault stops there: what was copied
 * is committed, the rest is taken back and @res->fault tells the caller
 * to fault the pages in, with no lock held, and to come back.  Caller
 * holds ch->write_mutex, so there is at most one reservation, and it sits
 * at @tail.
 * A broadcast chunk that must drop more than one batch of old records
 * returns 0 with @res->more after each: call again.
 * Return: records written (maybe 0 with @res->fault or @res->more), or
 * -EAGAIN (no room in a queue), -ENODEV, -EFAULT (the first payload is
 * not user memory).
 */
static int rbus_write_chunk(struct ringbus_channel *ch, const struct rbus_wrec *w,
			    unsigned int n, struct rbus_wres *res)
{
	unsigned int i, k, budget = UINT_MAX;
	u64 total = 0, bytes = 0, pos, start;
	unsigned long flags;
	struct rbus_rec rec;
	bool inline_ok;
	int ret;

	memset(res, 0, sizeof(*res));
	for (i = 0; i < n && access_ok(w[i].data, w[i].len); i++)
		;
	if (!i)
		return -EFAULT;
	n = i;	/* the bad one fails on its own, in the next call */
	rec.pid = task_tgid_vnr(current);
	rec.uid = __kuid_val(current_uid());
	rec.pad = 0;
	inline_ok = w[0].len <= RB_INLINE_MAX;

	raw_spin_lock_irqsave(&ch->lock, flags);
	lockdep_assert_held(&ch->write_mutex);
	if (ch->dead) {
		raw_spin_unlock_irqrestore(&ch->lock, flags);
		return -ENODEV;
	}
	for (k = 0; k < n; k++) {
		u64 size = rbus_rec_size(w[k].len);

		if (ch->wtail + total + size - (ch->mode == RINGBUS_MODE_QUEUE ?
						ch->head : ch->tail) > ch->capacity)
			break;
		total += size;
	}
	ret = k ? rbus_make_room(ch, total, &budget) : -EAGAIN;
	res->overrun = budget != UINT_MAX;
	if (ret) {
		raw_spin_unlock_irqrestore(&ch->lock, flags);
		res->more = ret == RB_ROOM_MORE;
		return res->more ? 0 : ret;
	}
	/* Under the lock: timestamps grow with sequence numbers. */
	rec.mono_ns = ktime_get_ns();
	rec.ts_ns = rbus_mono_to_real(rec.mono_ns);
	/*
	 * One small record: copied here, under the lock with page faults
	 * disabled, and committed at once - one lock round trip.  The copy
	 * runs with interrupts off, so only up to RB_INLINE_MAX bytes.
	 */
	if (k == 1 && inline_ok) {
		/*
		 * LMM(rbus_write_chunk:A): the drops (@pub_head_seq), then
		 * the new bytes.  Pairs with LMM(rbus_read_broadcast:A).
		 */
		smp_wmb();
		if (rbus_copy_from_user_inatomic(ch, ch->wtail + RB_HDR, w[0].data,
						 w[0].len)) {
			raw_spin_unlock_irqrestore(&ch->lock, flags);
			res->fault = true;
			return 0;
		}
		rec.len = w[0].len;
		rec.seq = ch->wseq++;
		rbus_copy_in(ch, ch->wtail, &rec, RB_HDR);
		ch->wtail += total;
		rbus_add_records(ch, 1, rec.mono_ns);
		ch->st.records_written++;
		ch->st.bytes_written += w[0].len;
		rbus_publish_tail(ch);
		raw_spin_unlock_irqrestore(&ch->lock, flags);
		res->bytes = w[0].len;
		res->published = 1;
		return 1;
	}
	start = ch->wtail;
	ch->resv = total;
	ch->wtail += total;
	rec.seq = ch->wseq;
	ch->wseq += k;
	raw_spin_unlock_irqrestore(&ch->lock, flags);
	/*
	 * LMM(rbus_write_chunk:B): the drops (@pub_head_seq), then the new
	 * bytes.  Pairs with LMM(rbus_read_broadcast:A).
	 */
	smp_wmb();

	for (i = 0, pos = start; i < k; i++) {
		rec.len = w[i].len;
		rbus_copy_in(ch, pos, &rec, RB_HDR);
		if (rbus_copy_from_user_inatomic(ch, pos + RB_HDR, w[i].data, w[i].len)) {
			res->fault = true;
			break;
		}
		rec.seq++;
		pos += rbus_rec_size(w[i].len);
		bytes += w[i].len;
	}

	raw_spin_lock_irqsave(&ch->lock, flags);
	if (i < k)
		rbus_unreserve(ch, pos, k - i);
	res->published = i + ch->pend_records;
	rbus_add_records(ch, res->published, rec.mono_ns);
	ch->pend_records = 0;
	ch->resv = 0;
	ch->st.records_written += i;
	ch->st.bytes_written += bytes;
	rbus_publish_tail(ch);
	raw_spin_unlock_irqrestore(&ch->lock, flags);
	res->bytes = bytes;
	return i;
}

/*
 * Fault in the pages of up to @n records, with no lock held (this is where
 * a write sleeps for userfaultfd or FUSE).  Return: how many records'
 * pages are there; 0 when the first one's are not (-EFAULT for it).
 */
static unsigned int rbus_fault_in_recs(const struct rbus_wrec *w, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (rbus_fault_in(w[i].data, w[i].len))
			break;
	return i;
}

/*
 * Write @n records, waiting for room in a queue unless @nonblock.  Readers
 * are woken once per chunk, whenever it made records visible - its own or
 * ringbus_write() records that waited behind its reservation, even when
 * the chunk then failed.  A broadcast write faults its pages in before it
 * drops old records for them, so that a bad pointer drops nothing; a
 * queue write only after a copy found a page missing.
 * Return: records written (fewer than @n only after an error), or the
 * error when none was.
 */
static int rbus_write_user(struct ringbus_reader *rd, const struct rbus_wrec *w,
			   unsigned int n, bool nonblock)
{
	struct ringbus_channel *ch = rd->ch;
	bool fault_in = ch->mode == RINGBUS_MODE_BROADCAST, overrun = false;
	unsigned int done = 0, m;
	struct rbus_wres res;
	int ret = 0;

	while (done < n) {
		m = min_t(unsigned int, n - done, RB_WCHUNK);
		if (fault_in) {
			m = rbus_fault_in_recs(w + done, m);
			if (!m) {
				ret = -EFAULT;
				break;
			}
		}
		if (mutex_lock_interruptible(&ch->write_mutex)) {
			ret = -ERESTARTSYS;
			break;
		}
		ret = rbus_write_chunk(ch, w + done, m, &res);
		mutex_unlock(&ch->write_mutex);
		overrun |= res.overrun;
		if (res.published) {
			rbus_wake_readers(ch, overrun);
			overrun = false;
		}
		if (res.more) {
			/* Old records dropped, one batch a lock hold. */
			if (fatal_signal_pending(current)) {
				ret = -EINTR;
				break;
			}
			cond_resched();
			continue;
		}
		if (ret >= 0) {
			rbus_count(&rbus_pcpu->bytes_written, res.bytes);
			rbus_count(&rbus_pcpu->records_written, ret);
			done += ret;
			fault_in = res.fault || ch->mode == RINGBUS_MODE_BROADCAST;
			/*
			 * A page that goes again each time it was faulted in
			 * (another thread's munmap or madvise) must not hold
			 * the writer for ever.
			 */
			if (res.fault && signal_pending(current)) {
				ret = -ERESTARTSYS;
				break;
			}
			cond_resched();
			continue;
		}
		if (ret != -EAGAIN || nonblock)
			break;
		ret = wait_event_interruptible(ch->write_wait,
					       rbus_queue_has_room(ch, rbus_rec_size(w[done].len)));
		if (ret)
			break;
	}
	if (overrun)	/* dropped records for a write that then failed */
		rbus_wake_readers(ch, true);
	return done ? done : ret;
}

/**
 * ringbus_reader_write_user() - append one record from user memory
 * @rd: a reader opened with RINGBUS_READER_WRITE
 * @buf: the payload in user memory
 * @len: its length
 * @nonblock: give -EAGAIN instead of sleeping on a full queue
 *
 * The payload is copied from @buf straight into the ring.
 *
 * Context: Process context; may sleep.
 * Return: @len, or -EINVAL (empty record), -EMSGSIZE (larger than the
 * maximum), -EFAULT, -EAGAIN, -ERESTARTSYS (signal while waiting), -ENODEV
 * (channel destroyed), -EBADF (not opened for writing).
 */
ssize_t ringbus_reader_write_user(struct ringbus_reader *rd,
				  const char __user *buf, size_t len,
				  bool nonblock)
{
	struct rbus_wrec w = { .data = buf, .len = len };
	int ret;

	might_sleep();
	if (!(rd->flags & RINGBUS_READER_WRITE))
		return -EBADF;
	ret = rbus_check_len(rd->ch, len);
	if (ret)
		return ret;
	ret = rbus_write_user(rd, &w, 1, nonblock);
	return ret == 1 ? (ssize_t)len : ret;
}
EXPORT_SYMBOL_GPL(ringbus_reader_write_user);

/**
 * ringbus_reader_write_batch_user() - append records from a user buffer
 * @rd: a reader opened with RINGBUS_READER_WRITE
 * @buf: the records: each a __u32 length, a __u32 zero, the payload and
 *	padding to 8 bytes (struct ringbus_batch of the UAPI)
 * @buf_len: bytes at @buf
 * @max_records: most records to write; 0 for no limit
 * @nonblock: stop at a full queue instead of sleeping
 * @used: set to the bytes of @buf taken by the records written
 *
 * Up to 32 records at a time get their place in the ring in one lock round
 * trip and are made visible in one more, with one wake-up; the payloads
 * are copied straight into the ring in between.  A record that is invalid
 * or faults ends the batch there.
 *
 * Context: Process context; may sleep.
 * Return: the number of records written if any, else -EINVAL (bad length
 * word or an empty record), -EMSGSIZE, -EFAULT, -EAGAIN, -ERESTARTSYS,
 * -ENODEV or -EBADF as for ringbus_reader_write_user().
 */
ssize_t ringbus_reader_write_batch_user(struct ringbus_reader *rd,
					const char __user *buf, u64 buf_len,
					u32 max_records, bool nonblock, u64 *used)
{
	struct rbus_wrec w[RB_WCHUNK];
	u64 off = 0, parsed;
	u32 count = 0, hdr[2];
	unsigned int n, i;
	int ret = 0, r;

	might_sleep();
	*used = 0;
	if (!(rd->flags & RINGBUS_READER_WRITE))
		return -EBADF;
	while (!ret && (!max_records || count < max_records)) {
		parsed = off;
		for (n = 0; n < RB_WCHUNK && (!max_records || count + n < max_records) &&
		     parsed + sizeof(hdr) <= buf_len; n++) {
			if (copy_from_user(hdr, buf + parsed, sizeof(hdr))) {
				ret = -EFAULT;
				break;
			}
			if (hdr[1] || hdr[0] > buf_len - parsed - sizeof(hdr)) {
				ret = -EINVAL;
				break;
			}
			ret = rbus_check_len(rd->ch, hdr[0]);
			if (ret)
				break;
			w[n].data = buf + parsed + sizeof(hdr);
			w[n].len = hdr[0];
			parsed += sizeof(hdr) + ALIGN(hdr[0], 8);
		}
		if (!n)
			break;
		r = rbus_write_user(rd, w, n, nonblock);
		if (r < 0) {
			ret = r;
			break;
		}
		for (i = 0; i < (unsigned int)r; i++)
			off += sizeof(hdr) + ALIGN(w[i].len, 8);
		count += r;
		if ((unsigned int)r < n)
			break;	/* an error after some records */
		/* A batch may be gigabytes: SIGKILL ends it, others get the CPU. */
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	*used = min(off, buf_len);
	return count ? (ssize_t)count : ret;
}
EXPORT_SYMBOL_GPL(ringbus_reader_write_batch_user);

/* Whether @rd has something to read (or an overrun, or the end). */
static bool rbus_readable(struct ringbus_reader *rd)
{
	struct ringbus_channel *ch = rd->ch;

	if (READ_ONCE(ch->dead))
		return true;
	if (ch->mode == RINGBUS_MODE_QUEUE)
		return READ_ONCE(ch->records) != 0;
	return READ_ONCE(ch->next_seq) != rd->seq;
}

/*
 * Caller holds ch->lock.  A broadcast reader whose next record is gone moves
 * on to the oldest one and counts what it skipped as missed.  Only records
 * lost to overwriting make that an overrun (-EPIPE); records removed on
 * purpose (flush, time to live) are skipped silently.
 */
static bool rbus_overrun_locked(struct ringbus_reader *rd)
{
	struct ringbus_channel *ch = rd->ch;
	bool overwritten;

	lockdep_assert_held(&ch->lock);

	if (ch->mode != RINGBUS_MODE_BROADCAST || rd->seq >= ch->head_seq)
		return false;
	overwritten = rd->seq < ch->lost_seq;
	rd->missed += ch->head_seq - rd->seq;
	rd->seq = ch->head_seq;
	rd->pos = ch->head;
	if (overwritten)
		ch->st.overruns++;
	return overwritten;
}

/*
 * Copy records from @pos (up to @end, at most @max) to @buf: each one the
 * header (with RINGBUS_READ_HEADER) and the payload, the next one at the
 * following multiple of 8.  No lock is held: queue readers own the records
 * (read_mutex), broadcast readers check afterwards that none was
 * overwritten.  Sets *@pos, *@nr and *@bytes (the payload bytes) to what
 * was copied.  Return: the end of the last record in @buf; or -EMSGSIZE
 * when the first does not fit, -EFAULT when its copy faults, -EIO for a
 * header that makes no sense (only an overwritten one can).
 */
static ssize_t rbus_copy_records(struct ringbus_reader *rd, u64 *pos, u64 end,
				 char __user *buf, size_t len, u32 max,
				 unsigned int flags, u32 *nr, u64 *bytes)
{
	struct ringbus_channel *ch = rd->ch;
	size_t hsz = (flags & RINGBUS_READ_HEADER) ?
		     sizeof(struct ringbus_record_header) : 0;
	struct ringbus_record_header uh;
	size_t off = 0, last = 0;
	struct rbus_rec rec;
	ssize_t ret = 0;

	*nr = 0;
	*bytes = 0;
	while (*pos < end && *nr < max) {
		rbus_copy_out(ch, *pos, &rec, RB_HDR);
		if (unlikely(!rec.len || rec.len > ch->max_record ||
			     rbus_rec_size(rec.len) > end - *pos)) {
			ret = -EIO;
			break;
		}
		off = ALIGN(last, 8);
		if (*nr && off >= len)
			break;
		if (rec.len + hsz > len - off) {
			ret = -EMSGSIZE;	/* the record stays for the next read */
			break;
		}
		if (hsz) {
			memset(&uh, 0, sizeof(uh));
			uh.seq = rec.seq;
			uh.ts_ns = rec.ts_ns;
			uh.pid = rec.pid;
			uh.uid = from_kuid_munged(rd->user_ns, KUIDT_INIT(rec.uid));
			uh.len = rec.len;
			if (copy_to_user(buf + off, &uh, sizeof(uh))) {
				ret = -EFAULT;
				break;
			}
		}
		if (rbus_copy_to_user(ch, *pos + RB_HDR, buf + off + hsz, rec.len)) {
			ret = -EFAULT;
			break;
		}
		last = off + hsz + rec.len;
		*pos += rbus_rec_size(rec.len);
		*bytes += rec.len;
		(*nr)++;
	}
	return *nr ? (ssize_t)last : ret;
}

static void rbus_count_read(struct ringbus_channel *ch, u32 nr, u64 bytes)
{
	this_cpu_add(ch->rst->records_read, nr);
	this_cpu_add(ch->rst->bytes_read, bytes);
	rbus_count(&rbus_pcpu->records_read, nr);
	rbus_count(&rbus_pcpu->bytes_read, bytes);
}

/*
 * A broadcast read: one lock round trip to find where to start, the copy,
 * then a lockless check that the oldest record is not newer than the first
 * one copied (writers publish @pub_head_seq before they overwrite).
 * Caller holds rd->lock.
 */
static ssize_t rbus_read_broadcast(struct ringbus_reader *rd, char __user *buf,
				   size_t len, u32 max, unsigned int flags, u32 *nr)
{
	struct ringbus_channel *ch = rd->ch;
	unsigned long irqflags;
	u64 pos, end, bytes;
	ssize_t ret;

	lockdep_assert_held(&rd->lock);

	for (;;) {
		raw_spin_lock_irqsave(&ch->lock, irqflags);
		if (ch->dead) {
			raw_spin_unlock_irqrestore(&ch->lock, irqflags);
			return 0;
		}
		if (rbus_overrun_locked(rd)) {
			raw_spin_unlock_irqrestore(&ch->lock, irqflags);
			rbus_count(&rbus_pcpu->overruns, 1);
			return -EPIPE;
		}
		if (rd->seq != ch->next_seq)
			break;
		raw_spin_unlock_irqrestore(&ch->lock, irqflags);
		if (flags & RINGBUS_READ_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(ch->read_wait, rbus_readable(rd));
		if (ret)
			return ret;
	}
	end = ch->tail;
	raw_spin_unlock_irqrestore(&ch->lock, irqflags);

	pos = rd->pos;
	ret = rbus_copy_records(rd, &pos, end, buf, len, max, flags, nr, &bytes);
	/*
	 * LMM(rbus_read_broadcast:A): the copy, then @pub_head_seq.  Pairs
	 * with LMM(rbus_push_locked:A), LMM(rbus_write_chunk:A) and
	 * LMM(rbus_write_chunk:B).
	 */
	smp_rmb();
	if (unlikely(rd->seq < (u64)atomic64_read(&ch->pub_head_seq))) {
		/* Overwritten, flushed or expired while we copied. */
		raw_spin_lock_irqsave(&ch->lock, irqflags);
		ret = rbus_overrun_locked(rd) ? -EPIPE : -ESTALE;
		raw_spin_unlock_irqrestore(&ch->lock, irqflags);
		if (ret == -EPIPE)
			rbus_count(&rbus_pcpu->overruns, 1);
		return ret;	/* -ESTALE: the caller retries */
	}
	if (ret <= 0)
		return ret;
	rd->pos = pos;
	rd->seq += *nr;
	rbus_count_read(ch, *nr, bytes);
	return ret;
}

/*
 * A queue read: records are found by @pub_tail without the lock (under
 * read_mutex nobody else moves @head), copied, then consumed in one lock
 * round trip.  Queue readers wait for a record without read_mutex: nobody
 * sleeps on an empty ring while holding it.  Caller holds rd->lock.
 */
static ssize_t rbus_read_queue(struct ringbus_reader *rd, char __user *buf,
			       size_t len, u32 max, unsigned int flags, u32 *nr)
{
	struct ringbus_channel *ch = rd->ch;
	unsigned long irqflags;
	u64 pos, end, bytes;
	ssize_t ret;

	lockdep_assert_held(&rd->lock);

	for (;;) {
		if (!(flags & RINGBUS_READ_NONBLOCK)) {
			ret = wait_event_interruptible(ch->read_wait,
						       rbus_readable(rd));
			if (ret)
				return ret;
		}
		/*
		 * Another consumer's copy may wait for a page fault as long
		 * as the page's owner wants: a non-blocking read does not.
		 */
		if (flags & RINGBUS_READ_NONBLOCK) {
			if (!mutex_trylock(&ch->read_mutex))
				return -EAGAIN;
		} else if (mutex_lock_interruptible(&ch->read_mutex)) {
			return -ERESTARTSYS;
		}
		if (READ_ONCE(ch->dead)) {
			mutex_unlock(&ch->read_mutex);
			return 0;
		}
		end = atomic64_read(&ch->pub_tail);
		/*
		 * LMM(rbus_read_queue:A): @pub_tail, then the records.
		 * Pairs with LMM(rbus_publish_tail:A).
		 */
		smp_rmb();
		pos = ch->head;
		if (pos != end)
			break;
		mutex_unlock(&ch->read_mutex);
		if (flags & RINGBUS_READ_NONBLOCK)
			return -EAGAIN;
	}
	ret = rbus_copy_records(rd, &pos, end, buf, len, max, flags, nr, &bytes);
	if (ret > 0) {
		raw_spin_lock_irqsave(&ch->lock, irqflags);
		ch->head = pos;
		ch->head_seq += *nr;
		ch->records -= *nr;
		atomic64_set(&ch->pub_head_seq, ch->head_seq);
		raw_spin_unlock_irqrestore(&ch->lock, irqflags);
	}
	mutex_unlock(&ch->read_mutex);
	if (ret > 0) {
		rbus_count_read(ch, *nr, bytes);
		rbus_wake_writers(ch);
	}
	return ret;
}

static ssize_t rbus_read(struct ringbus_reader *rd, char __user *buf, size_t len,
			 u32 max, unsigned int flags, u32 *nr)
{
	ssize_t ret;

	*nr = 0;
	if (!(rd->flags & RINGBUS_READER_READ))
		return -EBADF;
	if (flags & RINGBUS_READ_NONBLOCK) {
		if (!mutex_trylock(&rd->lock))
			return -EAGAIN;	/* another read of this file is copying */
	} else if (mutex_lock_interruptible(&rd->lock)) {
		return -ERESTARTSYS;
	}
	if (rd->ch->mode != RINGBUS_MODE_QUEUE) {
		do
			ret = rbus_read_broadcast(rd, buf, len, max, flags, nr);
		while (ret == -ESTALE);
	} else {
		ret = rbus_read_queue(rd, buf, len, max, flags, nr);
	}
	mutex_unlock(&rd->lock);
	return ret;
}

/**
 * ringbus_read_user() - read one whole record into user memory
 * @rd: the reader
 * @buf: user buffer
 * @len: its size
 * @flags: RINGBUS_READ_NONBLOCK, RINGBUS_READ_HEADER
 *
 * A buffer too small for the next record fails with -EMSGSIZE and leaves
 * the record where it is.  Queue-mode reads consume the record.  Reads of
 * one reader are serialised.
 *
 * Context: Process context; may sleep: the copy to user memory may fault.
 * With RINGBUS_READ_NONBLOCK it waits neither for a record nor for another
 * reader (-EAGAIN).
 * Return: bytes copied (the payload, plus the header with
 * RINGBUS_READ_HEADER); 0 once the channel is destroyed; -EAGAIN,
 * -ERESTARTSYS, -EMSGSIZE, -EFAULT, -EBADF (not opened for reading), or
 * -EPIPE when a broadcast reader was overtaken (once; it then continues at
 * the oldest record).
 */
ssize_t ringbus_read_user(struct ringbus_reader *rd, char __user *buf,
			  size_t len, unsigned int flags)
{
	u32 nr;

	might_sleep();
	return rbus_read(rd, buf, len, 1, flags, &nr);
}
EXPORT_SYMBOL_GPL(ringbus_read_user);

/**
 * ringbus_read_batch_user() - read several records into user memory
 * @rd: the reader
 * @buf: user buffer; each record is a struct ringbus_record_header, the
 *	payload and padding to 8 bytes (struct ringbus_batch of the UAPI)
 * @len: its size
 * @max_records: most records to read; 0 for no limit
 * @flags: RINGBUS_READ_NONBLOCK (only the first record is ever waited for)
 * @count: set to the number of records read
 *
 * The records that were there when the read started and fit in @buf are
 * copied in one go: a broadcast reader takes the channel lock once, a queue
 * reader once to consume them.  A broadcast reader overtaken during the
 * copy gets -EPIPE and nothing (the copy may be garbage).
 *
 * Context: Process context; may sleep: the copy to user memory may fault.
 * With RINGBUS_READ_NONBLOCK it waits neither for a record nor for another
 * reader (-EAGAIN).
 * Return: bytes of @buf used (the last record's padding included, at most
 * @len); 0 once the channel is destroyed; or -EAGAIN, -ERESTARTSYS,
 * -EMSGSIZE (the first record does not fit), -EFAULT, -EBADF, -EPIPE as
 * for ringbus_read_user().
 */
ssize_t ringbus_read_batch_user(struct ringbus_reader *rd, char __user *buf,
				size_t len, u32 max_records, unsigned int flags,
				u32 *count)
{
	ssize_t ret;

	might_sleep();
	flags = (flags & RINGBUS_READ_NONBLOCK) | RINGBUS_READ_HEADER;
	ret = rbus_read(rd, buf, len, max_records ? max_records : U32_MAX, flags, count);
	if (ret > 0)
		ret = min_t(size_t, ALIGN(ret, 8), len);
	return ret;
}
EXPORT_SYMBOL_GPL(ringbus_read_batch_user);

/**
 * ringbus_reader_poll() - poll support for a reader
 * @rd: the reader
 * @file: the file being polled
 * @wait: the poll table
 *
 * Context: Process context.
 * Return: EPOLLIN|EPOLLRDNORM with a record to read; EPOLLOUT|EPOLLWRNORM
 * when a write of the maximum record size would not block (always, in
 * broadcast mode); EPOLLERR|EPOLLPRI for an overtaken broadcast reader;
 * EPOLLHUP|EPOLLERR|EPOLLIN once the channel is destroyed.
 */
__poll_t ringbus_reader_poll(struct ringbus_reader *rd, struct file *file,
			     poll_table *wait)
{
	struct ringbus_channel *ch = rd->ch;
	unsigned long flags;
	__poll_t mask = 0;

	poll_wait(file, &ch->read_wait, wait);
	poll_wait(file, &ch->write_wait, wait);
	raw_spin_lock_irqsave(&ch->lock, flags);
	if (ch->dead) {
		mask = EPOLLHUP | EPOLLERR | EPOLLIN | EPOLLRDNORM;
	} else if (ch->mode == RINGBUS_MODE_QUEUE) {
		if (ch->records)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (ch->wtail + rbus_rec_size(ch->max_record) - ch->head <= ch->capacity)
			mask |= EPOLLOUT | EPOLLWRNORM;
	} else {
		/* Only overwritten records make an overrun (see read). */
		if (rd->seq < ch->lost_seq)
			mask |= EPOLLERR | EPOLLPRI | EPOLLIN | EPOLLRDNORM;
		else if (max(rd->seq, ch->head_seq) != ch->next_seq)
			mask |= EPOLLIN | EPOLLRDNORM;
		mask |= EPOLLOUT | EPOLLWRNORM;
	}
	raw_spin_unlock_irqrestore(&ch->lock, flags);
	return mask;
}
EXPORT_SYMBOL_GPL(ringbus_reader_poll);

/**
 * ringbus_reader_seek() - move a broadcast reader
 * @rd: the reader
 * @whence: SEEK_SET for the oldest retained record, SEEK_END for the point
 *	after the newest (only records written later are read), SEEK_CUR to
 *	stay where it is (what lseek(fd, 0, SEEK_CUR) asks)
 *
 * Context: Process context; may sleep.
 * Return: 0, -EINVAL for another @whence, -ESPIPE on a queue-mode channel
 * (which has no per-reader position), -ERESTARTSYS.
 */
int ringbus_reader_seek(struct ringbus_reader *rd, int whence)
{
	struct ringbus_channel *ch = rd->ch;
	unsigned long flags;

	might_sleep();
	if (ch->mode == RINGBUS_MODE_QUEUE)
		return -ESPIPE;
	if (whence == SEEK_CUR)
		return 0;	/* records have no offsets: stay */
	if (whence != SEEK_SET && whence != SEEK_END)
		return -EINVAL;
	if (mutex_lock_interruptible(&rd->lock))
		return -ERESTARTSYS;
	raw_spin_lock_irqsave(&ch->lock, flags);
	if (whence == SEEK_SET) {
		rd->pos = ch->head;
		rd->seq = ch->head_seq;
	} else {
		rd->pos = ch->tail;
		rd->seq = ch->next_seq;
	}
	raw_spin_unlock_irqrestore(&ch->lock, flags);
	mutex_unlock(&rd->lock);
	return 0;
}
EXPORT_SYMBOL_GPL(ringbus_reader_seek);

/**
 * ringbus_reader_stats() - a channel's counters seen from one reader
 * @rd: the reader
 * @st: filled in like ringbus_channel_stats(), plus the reader's own
 *	@fd_missed and @fd_next_seq
 *
 * Context: Any context.
 * Return: Nothing.
 */
void ringbus_reader_stats(struct ringbus_reader *rd, struct ringbus_stats *st)
{
	struct ringbus_channel *ch = rd->ch;
	unsigned long flags;

	ringbus_channel_stats(ch, st);
	raw_spin_lock_irqsave(&ch->lock, flags);
	st->fd_missed = rd->missed;
	st->fd_next_seq = ch->mode == RINGBUS_MODE_QUEUE ? ch->head_seq : rd->seq;
	raw_spin_unlock_irqrestore(&ch->lock, flags);
}
EXPORT_SYMBOL_GPL(ringbus_reader_stats);

/* Add one CPU's counters to @out (which the caller zeroed). */
static void rbus_add_stats(struct ringbus_stats *out, const struct rbus_stats *s)
{
	out->records_written += s->records_written;
	out->bytes_written += s->bytes_written;
	out->records_read += s->records_read;
	out->bytes_read += s->bytes_read;
	out->drops += s->drops;
	out->overruns += s->overruns;
	out->wakeups += s->wakeups;
	out->expired += s->expired;
}

/**
 * ringbus_get_stats() - the suite's counters, summed over every CPU
 * @total: zeroed, then filled in (the fd_ fields stay zero)
 *
 * Context: Any context.
 * Return: Nothing.
 */
void ringbus_get_stats(struct ringbus_stats *total)
{
	int cpu;

	memset(total, 0, sizeof(*total));
	for_each_possible_cpu(cpu)
		rbus_add_stats(total, per_cpu_ptr(rbus_pcpu, cpu));
}
EXPORT_SYMBOL_GPL(ringbus_get_stats);

/* Runs on each CPU, interrupts off: copy that CPU's own counters. */
static void rbus_snapshot_cpu(void *arg)
{
	struct ringbus_stats *snap = arg;

	rbus_add_stats(snap + smp_processor_id(), this_cpu_ptr(rbus_pcpu));
}

/**
 * ringbus_get_cpu_stats() - every online CPU's counters
 * @percpu: an array of @nr entries, indexed by CPU number
 * @nr: entries in @percpu; at least nr_cpu_ids
 * @sync: take a snapshot: each online CPU copies its own counters, at the
 *	same moment, through on_each_cpu() - an interrupt on every CPU, so
 *	only for a caller that may disturb them all (/proc/ringbus/cpus
 *	gives it to CAP_SYS_ADMIN).  Without, the counters are read from
 *	here, each at its own moment, as ringbus_get_stats() sums them.
 *
 * Entries of CPUs that are offline stay zero.
 *
 * Context: Process context; may sleep.
 * Return: 0, or -EINVAL when @nr is too small.
 */
int ringbus_get_cpu_stats(struct ringbus_stats *percpu, unsigned int nr, bool sync)
{
	unsigned int cpu;

	might_sleep();
	if (nr < nr_cpu_ids)
		return -EINVAL;
	memset(percpu, 0, nr * sizeof(*percpu));
	cpus_read_lock();
	if (sync)
		on_each_cpu(rbus_snapshot_cpu, percpu, 1);
	else
		for_each_online_cpu(cpu)
			rbus_add_stats(percpu + cpu, per_cpu_ptr(rbus_pcpu, cpu));
	cpus_read_unlock();
	return 0;
}
EXPORT_SYMBOL_GPL(ringbus_get_cpu_stats);

/**
 * ringbus_get_core_info() - describe the running core
 * @info: filled in with the suite version and the module parameters
 *
 * Context: Any context.
 * Return: Nothing; @info is always completely filled in.
 */
void ringbus_get_core_info(struct ringbus_core_info *info)
{
	info->version = RINGBUS_VERSION;
	info->version_code = RINGBUS_VERSION_CODE;
	info->abi_major = RINGBUS_ABI_MAJOR;
	info->abi_minor = RINGBUS_ABI_MINOR;
	info->max_channels = max_channels;
	info->default_capacity = default_capacity;
	info->max_capacity = max_capacity;
	info->channels = READ_ONCE(ringbus_nr_channels);
}
EXPORT_SYMBOL_GPL(ringbus_get_core_info);

/*
 * Drop expired records of one channel, RB_DROP_BATCH a lock hold, with a
 * chance to reschedule between batches.  Caller holds the registry lock.
 * Return: ms until the next expiry.
 */
static unsigned long rbus_expire(struct ringbus_channel *ch, u64 now)
{
	u64 ttl = (u64)ch->ttl_ms * NSEC_PER_MSEC;
	unsigned long next = ULONG_MAX;
	unsigned int batch = 0;
	unsigned long flags;
	struct rbus_rec rec;
	u64 n = 0;

	might_sleep();
	lockdep_assert_held(&ringbus_registry_lock);
	if (!mutex_trylock(&ch->read_mutex))
		return 10;
	raw_spin_lock_irqsave(&ch->lock, flags);
	while (ch->records) {
		rbus_copy_out(ch, ch->head, &rec, RB_HDR);
		if (rec.mono_ns + ttl > now) {
			next = div_u64(rec.mono_ns + ttl - now, NSEC_PER_MSEC) + 1;
			break;
		}
		rbus_drop_head(ch);
		ch->st.expired++;
		n++;
		if (++batch == RB_DROP_BATCH) {
			batch = 0;
			raw_spin_unlock_irqrestore(&ch->lock, flags);
			cond_resched();
			raw_spin_lock_irqsave(&ch->lock, flags);
		}
	}
	/*
	 * Empty, but a record that kicked ringbusd came within the time to
	 * live: the records after it did not kick (rbus_add_records()), so
	 * stay due until its time to live is over.
	 */
	if (!ch->records && ch->hk_kick_ns && ch->hk_kick_ns + ttl > now)
		next = div_u64(ch->hk_kick_ns + ttl - now, NSEC_PER_MSEC) + 1;
	raw_spin_unlock_irqrestore(&ch->lock, flags);
	mutex_unlock(&ch->read_mutex);
	if (n) {
		rbus_count(&rbus_pcpu->drops, n);
		rbus_count(&rbus_pcpu->expired, n);
		rbus_wake_writers(ch);
	}
	return next;
}

static void rbus_free_pending(void)
{
	struct ringbus_channel *ch, *tmp;

	llist_for_each_entry_safe(ch, tmp, llist_del_all(&rbus_free_list), free_node)
		rbus_free_channel(ch);
}

/*
 * ringbusd: the housekeeping thread.  Frees channels whose last reference
 * went, and drops records older than a channel's time to live.  It sleeps
 * until the next record of a time-to-live channel is due, and while none
 * can expire until it is kicked (rbus_hk_work): by the last put of a
 * channel (rbus_queue_free()) or by the first record of an empty
 * time-to-live channel (rbus_add_records()), so an idle machine never
 * schedules it.
 */
static int rbus_housekeeping(void *unused)
{
	while (!kthread_should_stop()) {
		unsigned long sleep_ms = ULONG_MAX, next;
		struct ringbus_channel *ch;
		u64 now = ktime_get_ns();

		WRITE_ONCE(rbus_hk_kick, false);
		rbus_free_pending();
		mutex_lock(&ringbus_registry_lock);
		list_for_each_entry(ch, &ringbus_channels, node) {
			if (!ch->ttl_ms)
				continue;
			next = rbus_expire(ch, now);
			sleep_ms = min(sleep_ms, next);
		}
		mutex_unlock(&ringbus_registry_lock);
		wait_event_interruptible_timeout(rbus_hk_wait,
						 READ_ONCE(rbus_hk_kick) ||
						 kthread_should_stop(),
						 sleep_ms == ULONG_MAX ?
						 MAX_SCHEDULE_TIMEOUT :
						 msecs_to_jiffies(sleep_ms));
	}
	return 0;
}

static int __init ringbus_check_params(void)
{
	if (max_channels < 1 || max_channels > 65536) {
		pr_err("max_channels=%u is outside 1-65536\n", max_channels);
		return -EINVAL;
	}
	if (!is_power_of_2(max_capacity) || max_capacity < RINGBUS_MIN_CAPACITY ||
	    max_capacity > 1U << 30) {
		pr_err("max_capacity=%u is not a power of two in %u..%u\n",
		       max_capacity, RINGBUS_MIN_CAPACITY, 1U << 30);
		return -EINVAL;
	}
	if (!is_power_of_2(default_capacity) ||
	    default_capacity < RINGBUS_MIN_CAPACITY ||
	    default_capacity > max_capacity) {
		pr_err("default_capacity=%u is not a power of two in %u..max_capacity\n",
		       default_capacity, RINGBUS_MIN_CAPACITY);
		return -EINVAL;
	}
	return 0;
}

static int __init ringbus_init(void)
{
	int ret;

	ret = ringbus_check_params();
	if (ret)
		return ret;
	rbus_pcpu = alloc_percpu(struct rbus_stats);
	if (!rbus_pcpu)
		return -ENOMEM;
	init_irq_work(&rbus_hk_work, rbus_hk_kick_fn);
	rbus_housekeeper = kthread_run(rbus_housekeeping, NULL, "ringbusd");
	if (IS_ERR(rbus_housekeeper)) {
		ret = PTR_ERR(rbus_housekeeper);
		goto err_free_percpu;
	}
	pr_info("version %s loaded (ABI %u.%u)\n", RINGBUS_VERSION,
		RINGBUS_ABI_MAJOR, RINGBUS_ABI_MINOR);
	return 0;

err_free_percpu:
	free_percpu(rbus_pcpu);
	return ret;
}
module_init(ringbus_init);

static void __exit ringbus_exit(void)
{
	struct ringbus_channel *ch, *tmp;

	/* No module uses us any more, so nobody else holds a channel. */
	mutex_lock(&ringbus_registry_lock);
	list_for_each_entry_safe(ch, tmp, &ringbus_channels, node)
		rbus_destroy_locked(ch);
	mutex_unlock(&ringbus_registry_lock);
	kthread_stop(rbus_housekeeper);
	irq_work_sync(&rbus_hk_work);
	rbus_free_pending();
	/* Every channel is freed, and with it every user's charge. */
	WARN_ON(!xa_empty(&rbus_users));
	xa_destroy(&rbus_users);
	free_percpu(rbus_pcpu);
	pr_info("unloaded\n");
}
module_exit(ringbus_exit);

/*
 * "modprobe ringbus" names this module, not the "ringbus" alias that
 * ringbus_cdev carries (kmod resolves a module name before aliases), so the
 * core pulls in the char device as a post soft dependency: modprobe ringbus
 * then loads the whole suite, and modprobe -r ringbus removes it again.
 */
MODULE_SOFTDEP("post: ringbus_cdev");
MODULE_DESCRIPTION("ringbus core: named record channels, the ring engine and the in-kernel API");
MODULE_AUTHOR("The ringbus developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(RINGBUS_VERSION);
