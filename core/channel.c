// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbus core (ringbus.ko): owns all channel state and exports the
 * in-kernel API declared in <linux/ringbus.h> to the other modules of the
 * suite (ringbus_cdev, ringbus_proc) and to third-party modules.  This
 * file: the module, its parameters, the channel registry and life time.
 */

#include "internal.h"

/**
 * DOC: ringbus core
 *
 * The core is the only module that other modules link against: every
 * function it offers is exported with EXPORT_SYMBOL_GPL() into the RINGBUS
 * symbol namespace (DEFAULT_SYMBOL_NAMESPACE, defined in core/internal.h
 * before any header) and carries the ringbus_ prefix.  What the core's
 * own files share carries the rbus_ prefix and is declared in
 * core/internal.h; everything else is static.
 *
 * The files: ring.c and ring.h, the record ring (its layout, making room,
 * reserve and commit, the copies in and out and their barriers; DOC: ring);
 * channel.c, the channel registry, life time, per-user limits, notifiers
 * and the module itself; write.c, the writers (ringbus_write() from any
 * context, user-space writes and batches); reader.c, the open files'
 * cursors, reads, poll and seek; stats.c, the per-CPU counters;
 * housekeeping.c, ringbusd.
 *
 * Locking and lock order::
 *
 *   rbus_registry_lock (mutex: channel list and count, notifier calls)
 *     ch->read_mutex (TTL expiry by ringbusd, trylock)
 *       ch->lock
 *     ch->lock
 *   rd->lock (mutex: one read or seek at a time on one open file)
 *     ch->read_mutex (mutex: queue-mode consumers, flush, TTL expiry)
 *       ch->lock
 *   ch->write_mutex (mutex: user-space writers, one reservation at a time)
 *     ch->lock
 *   rbus_users_lock (mutex: per-user charges; create, and ringbusd's free)
 *   xa_lock(rbus_nodes) (ringbus_cdev: minor to node; taken alone)
 *
 * An indented lock may be taken while the one above it is held, never the
 * other way round; the writer and reader mutexes never nest in each other.
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
 * This is the one statement of the lock order: docs/architecture.md
 * points here and says why each lock is of its kind.
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

/* The registry: the channel list and count, and the notifier calls. */
DEFINE_MUTEX(rbus_registry_lock);
LIST_HEAD(rbus_channels);		/* registry lock */
static unsigned int rbus_nr_channels;	/* registry lock */
static BLOCKING_NOTIFIER_HEAD(ringbus_notifiers);

/* What one user's channels take: an entry of rbus_users. */
struct rbus_user {
	unsigned int channels;
	u64 bytes;
};

static DEFINE_MUTEX(rbus_users_lock);
static DEFINE_XARRAY(rbus_users);	/* __kuid_val() -> struct rbus_user */

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
 * Wake the readers of new records.  @overrun: the write dropped records to
 * make room, which is EPOLLPRI | EPOLLERR as well for a reader they were
 * taken from (ringbus_reader_poll()): the wake-up key says so, or an epoll
 * watcher of EPOLLPRI alone would never hear of the overrun.
 */
void rbus_wake_readers(struct ringbus_channel *ch, bool overrun)
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
void rbus_wake_readers_any(struct ringbus_channel *ch, bool overrun)
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

void rbus_wake_writers(struct ringbus_channel *ch)
{
	if (wq_has_sleeper(&ch->write_wait)) {
		atomic64_inc(&ch->wakeups);
		rbus_count(&rbus_pcpu->wakeups, 1);
		wake_up_interruptible_poll(&ch->write_wait, EPOLLOUT | EPOLLWRNORM);
	}
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

void rbus_free_channel(struct ringbus_channel *ch)
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

	lockdep_assert_held(&rbus_registry_lock);
	list_for_each_entry(ch, &rbus_channels, node)
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

	lockdep_assert_held(&rbus_registry_lock);
	list_del_init(&ch->node);
	rbus_nr_channels--;
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

	mutex_lock(&rbus_registry_lock);
	if (rbus_find(ch->name)) {
		ret = -EEXIST;
		goto err_unlock;
	}
	if (rbus_nr_channels >= max_channels) {
		ret = -ENOSPC;
		goto err_unlock;
	}
	list_add_tail(&ch->node, &rbus_channels);
	rbus_nr_channels++;
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
		mutex_unlock(&rbus_registry_lock);
		ringbus_channel_put(ch);	/* the caller's */
		ringbus_channel_put(ch);	/* the registry's */
		return ERR_PTR(ret);
	}
	mutex_unlock(&rbus_registry_lock);
	return ch;

err_unlock:
	mutex_unlock(&rbus_registry_lock);
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
	lockdep_assert_held(&rbus_registry_lock);
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
	mutex_lock(&rbus_registry_lock);
	if (!list_empty(&ch->node)) {
		rbus_destroy_locked(ch);
		ret = 0;
	}
	mutex_unlock(&rbus_registry_lock);
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
	mutex_lock(&rbus_registry_lock);
	ch = rbus_find(name);
	if (ch)
		kref_get(&ch->ref);
	mutex_unlock(&rbus_registry_lock);
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
	mutex_lock(&rbus_registry_lock);
	list_for_each_entry(ch, &rbus_channels, node) {
		ret = fn(ch, arg);
		if (ret)
			break;
	}
	mutex_unlock(&rbus_registry_lock);
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
	mutex_lock(&rbus_registry_lock);
	ret = blocking_notifier_chain_register(&ringbus_notifiers, nb);
	if (!ret)
		list_for_each_entry(ch, &rbus_channels, node)
			nb->notifier_call(nb, RINGBUS_CHANNEL_ADDED, ch);
	mutex_unlock(&rbus_registry_lock);
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
	mutex_lock(&rbus_registry_lock);
	list_for_each_entry(ch, &rbus_channels, node)
		nb->notifier_call(nb, RINGBUS_CHANNEL_REMOVED, ch);
	blocking_notifier_chain_unregister(&ringbus_notifiers, nb);
	mutex_unlock(&rbus_registry_lock);
}
EXPORT_SYMBOL_GPL(ringbus_unregister_notifier);

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
	info->channels = READ_ONCE(rbus_nr_channels);
}
EXPORT_SYMBOL_GPL(ringbus_get_core_info);

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
	ret = rbus_hk_start();
	if (ret)
		goto err_free_percpu;
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
	mutex_lock(&rbus_registry_lock);
	list_for_each_entry_safe(ch, tmp, &rbus_channels, node)
		rbus_destroy_locked(ch);
	mutex_unlock(&rbus_registry_lock);
	rbus_hk_stop();
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
