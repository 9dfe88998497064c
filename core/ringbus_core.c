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
 * symbol namespace (DEFAULT_SYMBOL_NAMESPACE, set in Kbuild) and carries
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
 * sleep).  Queue readers hold @read_mutex while they copy, so nothing else
 * consumes the record under them; a broadcast reader copies optimistically
 * and checks afterwards, under the lock, that its record was not
 * overwritten meanwhile - if it was, the read is an overrun (-EPIPE).
 *
 * Locking and lock order::
 *
 *   ringbus_registry_lock (mutex: channel list and count, notifier calls)
 *   rd->lock (mutex: one read or seek at a time on one open file, so
 *             threads sharing it never see a half-moved position)
 *   rd->wlock (mutex: one write at a time on one open file, whose
 *              @wbuf holds the record being written)
 *     ch->read_mutex (mutex: queue-mode consumers, flush, TTL expiry)
 *       ch->lock (spinlock, interrupts saved: the ring and its counters;
 *                 writers may run in any context, so every holder uses
 *                 spin_lock_irqsave)
 *   rbus_free_lock (spinlock: channels waiting to be freed by ringbusd)
 *
 * Wake-ups happen after ch->lock is dropped.  Sleepers test their
 * condition with READ_ONCE() of the fields ch->lock protects and re-check
 * under the lock.
 *
 * Life time.  A channel is counted by a kref: the registry holds one until
 * the channel is destroyed, and so does everyone who got it from create,
 * lookup or an open file.  Destroying marks it dead, wakes every sleeper
 * (readers then see end of file, writers -ENODEV), unlinks it and tells
 * the notifier chain; the last put hands it to the housekeeping thread
 * ringbusd, which frees the ring in process context (a put may happen in
 * atomic context).  ringbusd also drops records older than a channel's
 * time to live.
 *
 * Statistics are per-CPU counters (this_cpu_add on the hot paths), summed
 * on demand; ringbus_get_cpu_stats() takes a snapshot of every online CPU
 * with on_each_cpu().
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

#include <linux/cpu.h>
#include <linux/cred.h>
#include <linux/kernel.h>
#include <linux/kref.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
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

struct ringbus_channel {
	struct kref ref;
	struct list_head node;		/* ringbus_channels, registry lock */
	struct list_head free_node;	/* rbus_free_list, rbus_free_lock */
	char name[RINGBUS_NAME_MAX];
	u32 mode;
	u32 max_record;
	u32 ttl_ms;
	u32 capacity;
	kuid_t uid;
	kgid_t gid;
	umode_t perm;

	struct mutex read_mutex;	/* see the lock order above */
	spinlock_t lock;		/* protects everything below */
	u8 *buf;
	u64 head;
	u64 tail;
	u64 head_seq;
	u64 next_seq;
	u64 records;
	u64 lost_seq;		/* one past the newest record overwritten */
	bool dead;
	unsigned int readers;
	unsigned int writers;
	struct rbus_stats st;		/* this channel's counters */
	atomic64_t wakeups;		/* counted outside the lock */

	wait_queue_head_t read_wait;
	wait_queue_head_t write_wait;
};

struct ringbus_reader {
	struct ringbus_channel *ch;
	struct mutex lock;	/* one read or seek of this reader at a time */
	unsigned int flags;
	bool epipe_pending;	/* an overrun met inside a batch, not yet told */
	u64 pos;		/* broadcast: next record's position */
	u64 seq;		/* broadcast: next record's sequence */
	u64 missed;		/* records lost to overruns, in total */
	struct mutex wlock;	/* one write of this reader at a time */
	u8 *wbuf;		/* writers: the record being written, wlock */
};

static DEFINE_MUTEX(ringbus_registry_lock);
static LIST_HEAD(ringbus_channels);		/* registry lock */
static unsigned int ringbus_nr_channels;	/* registry lock */
static BLOCKING_NOTIFIER_HEAD(ringbus_notifiers);

static DEFINE_SPINLOCK(rbus_free_lock);
static LIST_HEAD(rbus_free_list);			/* rbus_free_lock */
static struct task_struct *rbus_housekeeper;
static DECLARE_WAIT_QUEUE_HEAD(rbus_hk_wait);
static bool rbus_hk_kick;

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

/* Ring copies; @pos is a position, the area may wrap once. */
static void rbus_copy_in(struct ringbus_channel *ch, u64 pos, const void *src,
			 u32 len)
{
	u32 off = pos & (ch->capacity - 1);
	u32 first = min(len, ch->capacity - off);

	memcpy(ch->buf + off, src, first);
	memcpy(ch->buf, src + first, len - first);
}

static void rbus_copy_out(struct ringbus_channel *ch, u64 pos, void *dst, u32 len)
{
	u32 off = pos & (ch->capacity - 1);
	u32 first = min(len, ch->capacity - off);

	memcpy(dst, ch->buf + off, first);
	memcpy(dst + first, ch->buf, len - first);
}

static int rbus_copy_to_user(struct ringbus_channel *ch, u64 pos,
			     char __user *dst, u32 len)
{
	u32 off = pos & (ch->capacity - 1);
	u32 first = min(len, ch->capacity - off);

	if (copy_to_user(dst, ch->buf + off, first))
		return -EFAULT;
	if (copy_to_user(dst + first, ch->buf, len - first))
		return -EFAULT;
	return 0;
}

static u32 rbus_rec_size(u32 len)
{
	return RB_HDR + ALIGN(len, RB_ALIGN);
}

/* Drop the oldest record.  Caller holds ch->lock and the ring is not empty. */
static void rbus_drop_head(struct ringbus_channel *ch)
{
	struct rbus_rec rec;

	rbus_copy_out(ch, ch->head, &rec, RB_HDR);
	ch->head += rbus_rec_size(rec.len);
	ch->head_seq++;
	ch->records--;
	ch->st.drops++;
}

/*
 * Append one record.  Caller holds ch->lock.  Return: 0, -ENODEV for a
 * destroyed channel, -EAGAIN when a queue has no room.
 */
static int rbus_push_locked(struct ringbus_channel *ch, const void *data, u32 len,
			    pid_t pid, kuid_t uid)
{
	u32 size = rbus_rec_size(len);
	struct rbus_rec rec;
	u64 dropped = ch->st.drops;

	if (ch->dead)
		return -ENODEV;
	if (ch->tail + size - ch->head > ch->capacity) {
		if (ch->mode == RINGBUS_MODE_QUEUE)
			return -EAGAIN;
		while (ch->tail + size - ch->head > ch->capacity)
			rbus_drop_head(ch);
		ch->lost_seq = ch->head_seq;
		rbus_count(&rbus_pcpu->drops, ch->st.drops - dropped);
	}
	rec.len = len;
	rec.pid = pid;
	rec.uid = __kuid_val(uid);
	rec.pad = 0;
	rec.seq = ch->next_seq++;
	rec.ts_ns = ktime_get_real_ns();
	rec.mono_ns = ktime_get_ns();
	rbus_copy_in(ch, ch->tail, &rec, RB_HDR);
	rbus_copy_in(ch, ch->tail + RB_HDR, data, len);
	ch->tail += size;
	ch->records++;
	ch->st.records_written++;
	ch->st.bytes_written += len;
	return 0;
}

static void rbus_wake_readers(struct ringbus_channel *ch)
{
	if (wq_has_sleeper(&ch->read_wait)) {
		atomic64_inc(&ch->wakeups);
		rbus_count(&rbus_pcpu->wakeups, 1);
		wake_up_interruptible_poll(&ch->read_wait, EPOLLIN | EPOLLRDNORM);
	}
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
 * gives -EAGAIN; a broadcast channel overwrites its oldest records.
 *
 * Context: Any context, including hard interrupts.
 * Return: 0, -EINVAL for an empty record, -EMSGSIZE for one larger than
 * the channel's maximum, -EAGAIN for a full queue, -ENODEV if the channel
 * was destroyed.
 */
int ringbus_write(struct ringbus_channel *ch, const void *data, size_t len)
{
	unsigned long flags;
	int ret;

	ret = rbus_check_len(ch, len);
	if (ret)
		return ret;
	spin_lock_irqsave(&ch->lock, flags);
	ret = rbus_push_locked(ch, data, len, 0, GLOBAL_ROOT_UID);
	spin_unlock_irqrestore(&ch->lock, flags);
	if (ret)
		return ret;
	rbus_count(&rbus_pcpu->records_written, 1);
	rbus_count(&rbus_pcpu->bytes_written, len);
	rbus_wake_readers(ch);
	return 0;
}
EXPORT_SYMBOL_GPL(ringbus_write);

static void rbus_queue_free(struct ringbus_channel *ch)
{
	unsigned long flags;

	spin_lock_irqsave(&rbus_free_lock, flags);
	list_add_tail(&ch->free_node, &rbus_free_list);
	spin_unlock_irqrestore(&rbus_free_lock, flags);
	WRITE_ONCE(rbus_hk_kick, true);
	wake_up(&rbus_hk_wait);
}

static void rbus_channel_release(struct kref *ref)
{
	rbus_queue_free(container_of(ref, struct ringbus_channel, ref));
}

static void rbus_free_channel(struct ringbus_channel *ch)
{
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

	list_for_each_entry(ch, &ringbus_channels, node)
		if (!strcmp(ch->name, name))
			return ch;
	return NULL;
}

/**
 * ringbus_channel_create() - create a named channel
 * @cfg: name, capacity, maximum record, mode, time to live and the owner,
 *	group and permissions of its device node
 *
 * The ring is allocated here, once.  The notifier chain hears of the new
 * channel (ringbus_cdev makes its node) before this returns.
 *
 * Context: Process context; may sleep.
 * Return: the channel with a reference the caller must put, or
 * ERR_PTR(-EINVAL) for an invalid name, capacity, maximum record or mode,
 * ERR_PTR(-EEXIST) if the name is taken, ERR_PTR(-ENOSPC) when
 * max_channels exist, ERR_PTR(-ENOMEM).
 */
struct ringbus_channel *ringbus_channel_create(const struct ringbus_channel_config *cfg)
{
	struct ringbus_channel *ch;
	u64 capacity = cfg->capacity ? cfg->capacity : default_capacity;
	u32 max_record;
	int ret;

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

	/*
	 * Allocate everything before taking any lock.  User space decides
	 * how much (up to max_capacity per channel): charge it to the
	 * caller's memory cgroup.
	 */
	ch = kzalloc(sizeof(*ch), GFP_KERNEL_ACCOUNT);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	ch->buf = __vmalloc(capacity, GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!ch->buf) {
		ret = -ENOMEM;
		goto err_free_ch;
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
	mutex_init(&ch->read_mutex);
	spin_lock_init(&ch->lock);
	init_waitqueue_head(&ch->read_wait);
	init_waitqueue_head(&ch->write_wait);

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
	blocking_notifier_call_chain(&ringbus_notifiers, RINGBUS_CHANNEL_ADDED, ch);
	mutex_unlock(&ringbus_registry_lock);
	return ch;

err_unlock:
	mutex_unlock(&ringbus_registry_lock);
	vfree(ch->buf);
err_free_ch:
	kfree(ch);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(ringbus_channel_create);

/* Caller holds the registry lock. */
static void rbus_destroy_locked(struct ringbus_channel *ch)
{
	unsigned long flags;

	list_del_init(&ch->node);
	ringbus_nr_channels--;
	spin_lock_irqsave(&ch->lock, flags);
	ch->dead = true;
	spin_unlock_irqrestore(&ch->lock, flags);
	wake_up_interruptible_poll(&ch->read_wait, EPOLLHUP | EPOLLIN | EPOLLERR);
	wake_up_interruptible_poll(&ch->write_wait, EPOLLHUP | EPOLLOUT | EPOLLERR);
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
	spin_lock_irqsave(&ch->lock, flags);
	info->used = ch->tail - ch->head;
	info->records = ch->records;
	info->first_seq = ch->records ? ch->head_seq : 0;
	info->last_seq = ch->next_seq - 1;
	info->drops = ch->st.drops;
	info->readers = ch->readers;
	info->writers = ch->writers;
	spin_unlock_irqrestore(&ch->lock, flags);
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

	memset(st, 0, sizeof(*st));
	spin_lock_irqsave(&ch->lock, flags);
	st->records_written = ch->st.records_written;
	st->bytes_written = ch->st.bytes_written;
	st->records_read = ch->st.records_read;
	st->bytes_read = ch->st.bytes_read;
	st->drops = ch->st.drops;
	st->overruns = ch->st.overruns;
	st->wakeups = atomic64_read(&ch->wakeups);
	st->expired = ch->st.expired;
	spin_unlock_irqrestore(&ch->lock, flags);
}
EXPORT_SYMBOL_GPL(ringbus_channel_stats);

/**
 * ringbus_channel_flush() - discard every record of a channel
 * @ch: the channel
 *
 * Discarded records count as drops; sequence numbers are not reused.
 *
 * Context: Process context; may sleep.
 * Return: 0, or -ENODEV if the channel was destroyed.
 */
int ringbus_channel_flush(struct ringbus_channel *ch)
{
	unsigned long flags;
	u64 n;

	mutex_lock(&ch->read_mutex);
	spin_lock_irqsave(&ch->lock, flags);
	if (ch->dead) {
		spin_unlock_irqrestore(&ch->lock, flags);
		mutex_unlock(&ch->read_mutex);
		return -ENODEV;
	}
	n = ch->records;
	ch->head = ch->tail;
	ch->head_seq = ch->next_seq;
	ch->records = 0;
	ch->st.drops += n;
	spin_unlock_irqrestore(&ch->lock, flags);
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
 * Context: Process context; may sleep.
 * Return: 0 or a negative errno from the notifier chain.
 */
int ringbus_register_notifier(struct notifier_block *nb)
{
	struct ringbus_channel *ch;
	int ret;

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
 * A broadcast reader starts at the oldest retained record.
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

	if (flags & ~(RINGBUS_READER_READ | RINGBUS_READER_WRITE))
		return ERR_PTR(-EINVAL);
	/* Every open() makes these: charged to the opener's memory cgroup. */
	rd = kzalloc(sizeof(*rd), GFP_KERNEL_ACCOUNT);
	if (!rd)
		return ERR_PTR(-ENOMEM);
	if (flags & RINGBUS_READER_WRITE) {
		rd->wbuf = kvmalloc(ch->max_record, GFP_KERNEL_ACCOUNT);
		if (!rd->wbuf) {
			kfree(rd);
			return ERR_PTR(-ENOMEM);
		}
	}
	rd->flags = flags;
	mutex_init(&rd->lock);
	mutex_init(&rd->wlock);
	spin_lock_irqsave(&ch->lock, irqflags);
	if (ch->dead) {
		spin_unlock_irqrestore(&ch->lock, irqflags);
		kvfree(rd->wbuf);
		kfree(rd);
		return ERR_PTR(-ENODEV);
	}
	rd->pos = ch->head;
	rd->seq = ch->head_seq;
	if (flags & RINGBUS_READER_READ)
		ch->readers++;
	if (flags & RINGBUS_READER_WRITE)
		ch->writers++;
	spin_unlock_irqrestore(&ch->lock, irqflags);
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

	spin_lock_irqsave(&ch->lock, flags);
	if (rd->flags & RINGBUS_READER_READ)
		ch->readers--;
	if (rd->flags & RINGBUS_READER_WRITE)
		ch->writers--;
	spin_unlock_irqrestore(&ch->lock, flags);
	kvfree(rd->wbuf);
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
	return READ_ONCE(ch->tail) + size - READ_ONCE(ch->head) <= ch->capacity ||
	       READ_ONCE(ch->dead);
}

/**
 * ringbus_reader_write_user() - append one record from user memory
 * @rd: a reader opened with RINGBUS_READER_WRITE
 * @buf: the payload in user memory
 * @len: its length
 * @nonblock: give -EAGAIN instead of sleeping on a full queue
 *
 * Context: Process context; may sleep (queue mode, unless @nonblock).
 * Return: @len, or -EINVAL (empty record), -EMSGSIZE (larger than the
 * maximum), -EFAULT, -EAGAIN, -ERESTARTSYS (signal while waiting), -ENODEV
 * (channel destroyed), -EBADF (not opened for writing).
 */
ssize_t ringbus_reader_write_user(struct ringbus_reader *rd,
				  const char __user *buf, size_t len,
				  bool nonblock)
{
	struct ringbus_channel *ch = rd->ch;
	unsigned long flags;
	int ret;

	if (!rd->wbuf)
		return -EBADF;
	ret = rbus_check_len(ch, len);
	if (ret)
		return ret;
	/* Threads sharing the open file share @wbuf: one write at a time. */
	if (mutex_lock_interruptible(&rd->wlock))
		return -ERESTARTSYS;
	if (copy_from_user(rd->wbuf, buf, len)) {
		ret = -EFAULT;
		goto out_unlock;
	}
	for (;;) {
		spin_lock_irqsave(&ch->lock, flags);
		ret = rbus_push_locked(ch, rd->wbuf, len, task_tgid_vnr(current),
				       current_uid());
		spin_unlock_irqrestore(&ch->lock, flags);
		if (ret != -EAGAIN || nonblock)
			break;
		ret = wait_event_interruptible(ch->write_wait,
					       rbus_queue_has_room(ch, rbus_rec_size(len)));
		if (ret)
			break;
	}
out_unlock:
	mutex_unlock(&rd->wlock);
	if (ret)
		return ret;
	rbus_count(&rbus_pcpu->records_written, 1);
	rbus_count(&rbus_pcpu->bytes_written, len);
	rbus_wake_readers(ch);
	return len;
}
EXPORT_SYMBOL_GPL(ringbus_reader_write_user);

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

static ssize_t rbus_read_one(struct ringbus_reader *rd, char __user *buf,
			     size_t len, unsigned int flags)
{
	struct ringbus_channel *ch = rd->ch;
	bool queue = ch->mode == RINGBUS_MODE_QUEUE;
	struct ringbus_record_header uh;
	unsigned long irqflags;
	struct rbus_rec rec;
	size_t need;
	u64 pos;
	int ret;

	for (;;) {
		spin_lock_irqsave(&ch->lock, irqflags);
		if (ch->dead) {
			spin_unlock_irqrestore(&ch->lock, irqflags);
			return 0;
		}
		if (rbus_overrun_locked(rd)) {
			spin_unlock_irqrestore(&ch->lock, irqflags);
			rbus_count(&rbus_pcpu->overruns, 1);
			return -EPIPE;
		}
		if (queue ? ch->records : rd->seq != ch->next_seq)
			break;
		spin_unlock_irqrestore(&ch->lock, irqflags);
		if (flags & RINGBUS_READ_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(ch->read_wait, rbus_readable(rd));
		if (ret)
			return ret;
	}
	pos = queue ? ch->head : rd->pos;
	rbus_copy_out(ch, pos, &rec, RB_HDR);
	spin_unlock_irqrestore(&ch->lock, irqflags);
	if (unlikely(rec.len > ch->max_record))
		return -EIO;	/* a position off a record boundary: never happens */

	need = rec.len + ((flags & RINGBUS_READ_HEADER) ? sizeof(uh) : 0);
	if (need > len)
		return -EMSGSIZE;	/* the record stays for the next read */
	if (flags & RINGBUS_READ_HEADER) {
		memset(&uh, 0, sizeof(uh));
		uh.seq = rec.seq;
		uh.ts_ns = rec.ts_ns;
		uh.pid = rec.pid;
		uh.uid = from_kuid_munged(current_user_ns(), KUIDT_INIT(rec.uid));
		uh.len = rec.len;
		if (copy_to_user(buf, &uh, sizeof(uh)))
			return -EFAULT;
		buf += sizeof(uh);
	}
	ret = rbus_copy_to_user(ch, pos + RB_HDR, buf, rec.len);
	if (ret)
		return ret;

	spin_lock_irqsave(&ch->lock, irqflags);
	if (!queue && rd->seq < ch->head_seq) {
		/* Gone while we copied: the copy is garbage. */
		ret = rbus_overrun_locked(rd) ? -EPIPE : -ESTALE;
		spin_unlock_irqrestore(&ch->lock, irqflags);
		if (ret == -EPIPE)
			rbus_count(&rbus_pcpu->overruns, 1);
		return ret;	/* -ESTALE: flushed or expired, the caller retries */
	}
	if (queue) {
		ch->head += rbus_rec_size(rec.len);
		ch->head_seq++;
		ch->records--;
	} else {
		rd->pos += rbus_rec_size(rec.len);
		rd->seq++;
	}
	ch->st.records_read++;
	ch->st.bytes_read += rec.len;
	spin_unlock_irqrestore(&ch->lock, irqflags);
	rbus_count(&rbus_pcpu->records_read, 1);
	rbus_count(&rbus_pcpu->bytes_read, rec.len);
	if (queue)
		rbus_wake_writers(ch);
	return need;
}

/*
 * Queue readers wait for a record without read_mutex, then take it for the
 * copy: nobody sleeps on an empty ring while holding it.
 */
static ssize_t rbus_read_queue(struct ringbus_reader *rd, char __user *buf,
			       size_t len, unsigned int flags)
{
	struct ringbus_channel *ch = rd->ch;
	ssize_t ret;

	for (;;) {
		if (!(flags & RINGBUS_READ_NONBLOCK)) {
			ret = wait_event_interruptible(ch->read_wait,
						       rbus_readable(rd));
			if (ret)
				return ret;
		}
		if (mutex_lock_interruptible(&ch->read_mutex))
			return -ERESTARTSYS;
		ret = rbus_read_one(rd, buf, len, flags | RINGBUS_READ_NONBLOCK);
		mutex_unlock(&ch->read_mutex);
		if (ret != -EAGAIN || (flags & RINGBUS_READ_NONBLOCK))
			return ret;
	}
}

/**
 * ringbus_read_user() - read one whole record into user memory
 * @rd: the reader
 * @buf: user buffer
 * @len: its size
 * @flags: RINGBUS_READ_NONBLOCK, RINGBUS_READ_HEADER, RINGBUS_READ_MORE
 *
 * A buffer too small for the next record fails with -EMSGSIZE and leaves
 * the record where it is.  Queue-mode reads consume the record.  Reads of
 * one reader are serialised.  RINGBUS_READ_MORE marks a read that follows
 * others in the same batch: an overrun it meets is also reported to the
 * next read without that flag, so a batch that already returned records
 * does not swallow the -EPIPE.
 *
 * Context: Process context; may sleep unless RINGBUS_READ_NONBLOCK.
 * Return: bytes copied (the payload, plus the header with
 * RINGBUS_READ_HEADER); 0 once the channel is destroyed; -EAGAIN,
 * -ERESTARTSYS, -EMSGSIZE, -EFAULT, or -EPIPE when a broadcast reader was
 * overtaken (once; it then continues at the oldest record).
 */
ssize_t ringbus_read_user(struct ringbus_reader *rd, char __user *buf,
			  size_t len, unsigned int flags)
{
	struct ringbus_channel *ch = rd->ch;
	ssize_t ret;

	if (!(rd->flags & RINGBUS_READER_READ))
		return -EBADF;
	if (mutex_lock_interruptible(&rd->lock))
		return -ERESTARTSYS;
	if (rd->epipe_pending && !(flags & RINGBUS_READ_MORE)) {
		rd->epipe_pending = false;
		ret = -EPIPE;
	} else if (ch->mode != RINGBUS_MODE_QUEUE) {
		do
			ret = rbus_read_one(rd, buf, len, flags);
		while (ret == -ESTALE);
		if (ret == -EPIPE && (flags & RINGBUS_READ_MORE))
			rd->epipe_pending = true;
	} else {
		ret = rbus_read_queue(rd, buf, len, flags);
	}
	mutex_unlock(&rd->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(ringbus_read_user);

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
	spin_lock_irqsave(&ch->lock, flags);
	if (ch->dead) {
		mask = EPOLLHUP | EPOLLERR | EPOLLIN | EPOLLRDNORM;
	} else if (ch->mode == RINGBUS_MODE_QUEUE) {
		if (ch->records)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (ch->tail + rbus_rec_size(ch->max_record) - ch->head <= ch->capacity)
			mask |= EPOLLOUT | EPOLLWRNORM;
	} else {
		/* Only overwritten records make an overrun (see read). */
		if (rd->seq < ch->lost_seq)
			mask |= EPOLLERR | EPOLLPRI | EPOLLIN | EPOLLRDNORM;
		else if (max(rd->seq, ch->head_seq) != ch->next_seq)
			mask |= EPOLLIN | EPOLLRDNORM;
		mask |= EPOLLOUT | EPOLLWRNORM;
	}
	spin_unlock_irqrestore(&ch->lock, flags);
	return mask;
}
EXPORT_SYMBOL_GPL(ringbus_reader_poll);

/**
 * ringbus_reader_seek() - move a broadcast reader
 * @rd: the reader
 * @whence: SEEK_SET for the oldest retained record, SEEK_END for the point
 *	after the newest (only records written later are read)
 *
 * Context: Process context; may sleep.
 * Return: 0, -EINVAL for another @whence, -ESPIPE on a queue-mode channel
 * (which has no per-reader position), -ERESTARTSYS.
 */
int ringbus_reader_seek(struct ringbus_reader *rd, int whence)
{
	struct ringbus_channel *ch = rd->ch;
	unsigned long flags;

	if (ch->mode == RINGBUS_MODE_QUEUE)
		return -ESPIPE;
	if (whence != SEEK_SET && whence != SEEK_END)
		return -EINVAL;
	if (mutex_lock_interruptible(&rd->lock))
		return -ERESTARTSYS;
	spin_lock_irqsave(&ch->lock, flags);
	if (whence == SEEK_SET) {
		rd->pos = ch->head;
		rd->seq = ch->head_seq;
	} else {
		rd->pos = ch->tail;
		rd->seq = ch->next_seq;
	}
	rd->epipe_pending = false;
	spin_unlock_irqrestore(&ch->lock, flags);
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
	spin_lock_irqsave(&ch->lock, flags);
	st->fd_missed = rd->missed;
	st->fd_next_seq = ch->mode == RINGBUS_MODE_QUEUE ? ch->head_seq : rd->seq;
	spin_unlock_irqrestore(&ch->lock, flags);
}
EXPORT_SYMBOL_GPL(ringbus_reader_stats);

static void rbus_fill_stats(struct ringbus_stats *out, const struct rbus_stats *s)
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
		rbus_fill_stats(total, per_cpu_ptr(rbus_pcpu, cpu));
}
EXPORT_SYMBOL_GPL(ringbus_get_stats);

/* Runs on each CPU, interrupts off: copy that CPU's own counters. */
static void rbus_snapshot_cpu(void *arg)
{
	struct ringbus_stats *snap = arg;

	rbus_fill_stats(snap + smp_processor_id(), this_cpu_ptr(rbus_pcpu));
}

/**
 * ringbus_get_cpu_stats() - a snapshot of every online CPU's counters
 * @percpu: an array of @nr entries, indexed by CPU number
 * @nr: entries in @percpu; at least nr_cpu_ids
 *
 * Each online CPU copies its own counters, at the same moment, through
 * on_each_cpu().  Entries of CPUs that are offline stay zero.
 *
 * Context: Process context; may sleep.
 * Return: 0, or -EINVAL when @nr is too small.
 */
int ringbus_get_cpu_stats(struct ringbus_stats *percpu, unsigned int nr)
{
	if (nr < nr_cpu_ids)
		return -EINVAL;
	memset(percpu, 0, nr * sizeof(*percpu));
	cpus_read_lock();
	on_each_cpu(rbus_snapshot_cpu, percpu, 1);
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

/* Drop expired records of one channel; returns ms until the next expiry. */
static unsigned long rbus_expire(struct ringbus_channel *ch, u64 now)
{
	u64 ttl = (u64)ch->ttl_ms * NSEC_PER_MSEC;
	unsigned long next = ULONG_MAX;
	unsigned long flags;
	struct rbus_rec rec;
	u64 n = 0;

	if (!mutex_trylock(&ch->read_mutex))
		return 10;
	spin_lock_irqsave(&ch->lock, flags);
	while (ch->records) {
		rbus_copy_out(ch, ch->head, &rec, RB_HDR);
		if (rec.mono_ns + ttl > now) {
			next = div_u64(rec.mono_ns + ttl - now, NSEC_PER_MSEC) + 1;
			break;
		}
		rbus_drop_head(ch);
		ch->st.expired++;
		n++;
	}
	spin_unlock_irqrestore(&ch->lock, flags);
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
	unsigned long flags;
	LIST_HEAD(list);

	spin_lock_irqsave(&rbus_free_lock, flags);
	list_splice_init(&rbus_free_list, &list);
	spin_unlock_irqrestore(&rbus_free_lock, flags);
	list_for_each_entry_safe(ch, tmp, &list, free_node)
		rbus_free_channel(ch);
}

/*
 * ringbusd: the housekeeping thread.  Frees channels whose last reference
 * went, and drops records older than a channel's time to live.
 */
static int rbus_housekeeping(void *unused)
{
	while (!kthread_should_stop()) {
		unsigned long sleep_ms = 1000, next;
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
	rbus_free_pending();
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
