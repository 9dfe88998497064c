// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbus core: ringbusd, the housekeeping thread - frees channels
 * whose last reference went and drops records older than a channel's
 * time to live.
 */

#include "internal.h"

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
void rbus_add_records(struct ringbus_channel *ch, u64 n, u64 mono_ns)
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

static void rbus_hk_kick_fn(struct irq_work *work)
{
	WRITE_ONCE(rbus_hk_kick, true);
	wake_up(&rbus_hk_wait);
}

void rbus_queue_free(struct ringbus_channel *ch)
{
	llist_add(&ch->free_node, &rbus_free_list);
	irq_work_queue(&rbus_hk_work);
}

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
	lockdep_assert_held(&rbus_registry_lock);
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
		mutex_lock(&rbus_registry_lock);
		list_for_each_entry(ch, &rbus_channels, node) {
			if (!ch->ttl_ms)
				continue;
			next = rbus_expire(ch, now);
			sleep_ms = min(sleep_ms, next);
		}
		mutex_unlock(&rbus_registry_lock);
		wait_event_interruptible_timeout(rbus_hk_wait,
						 READ_ONCE(rbus_hk_kick) ||
						 kthread_should_stop(),
						 sleep_ms == ULONG_MAX ?
						 MAX_SCHEDULE_TIMEOUT :
						 msecs_to_jiffies(sleep_ms));
	}
	return 0;
}

/*
 * Start ringbusd.  Context: module init.
 * Return: 0, or the error of kthread_run().
 */
int rbus_hk_start(void)
{
	init_irq_work(&rbus_hk_work, rbus_hk_kick_fn);
	rbus_housekeeper = kthread_run(rbus_housekeeping, NULL, "ringbusd");
	return PTR_ERR_OR_ZERO(rbus_housekeeper);
}

/*
 * Stop ringbusd and free what it had still to free.  Context: module
 * exit, once every channel is destroyed.
 */
void rbus_hk_stop(void)
{
	kthread_stop(rbus_housekeeper);
	irq_work_sync(&rbus_hk_work);
	rbus_free_pending();
}
