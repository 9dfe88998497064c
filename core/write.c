// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbus core: the writers - ringbus_write() from any context, and
 * user-space writes and batches through an open file (reserve, copy,
 * commit).
 */

#include "internal.h"

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
	start = rbus_reserve_locked(ch, total, k, &rec.seq);
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
	res->published = rbus_commit_locked(ch, pos, i, k - i, rec.mono_ns);
	ch->st.records_written += i;
	ch->st.bytes_written += bytes;
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
