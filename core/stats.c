// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbus core: statistics - the suite's per-CPU counters and each
 * channel's and reader's.
 */

#include "internal.h"

struct rbus_stats __percpu *rbus_pcpu;

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
