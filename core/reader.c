// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbus core: the readers - an open file's cursor, reads of both
 * modes, batches, poll and seek.
 */

#include "internal.h"

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
