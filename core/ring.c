// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbus core: the record ring.  Positions, records, making room,
 * reserve and commit, and the copies in and out of the ring.
 */

#include "internal.h"

/**
 * DOC: ring
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
 * (rbus_reserve_locked()) - @wtail moves, @tail does not, so readers do
 * not see it; without the lock they copy the payloads into the ring, again
 * with page faults disabled; under the lock again they commit
 * (rbus_commit_locked(): @tail = @wtail).  An
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
 */

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
void rbus_copy_in(struct ringbus_channel *ch, u64 pos, const void *src, u32 len)
{
	u32 first, off = rbus_span(ch, pos, len, &first);

	memcpy(ch->buf + off, src, first);
	memcpy(ch->buf, src + first, len - first);
}

void rbus_copy_out(struct ringbus_channel *ch, u64 pos, void *dst, u32 len)
{
	u32 first, off = rbus_span(ch, pos, len, &first);

	memcpy(dst, ch->buf + off, first);
	memcpy(dst + first, ch->buf, len - first);
}

int rbus_copy_to_user(struct ringbus_channel *ch, u64 pos, char __user *dst,
		      u32 len)
{
	u32 first, off = rbus_span(ch, pos, len, &first);

	if (copy_to_user(dst, ch->buf + off, first))
		return -EFAULT;
	if (copy_to_user(dst + first, ch->buf, len - first))
		return -EFAULT;
	return 0;
}

/* Drop the oldest record.  Caller holds ch->lock and the ring is not empty. */
void rbus_drop_head(struct ringbus_channel *ch)
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
void rbus_publish_tail(struct ringbus_channel *ch)
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
 * Make room for @size more bytes at @wtail.  Broadcast mode drops the
 * oldest visible records (never a reservation being copied in), one batch
 * of at most RB_DROP_BATCH per call and at most *@budget in all; *@budget
 * is decreased by the records dropped.  Caller holds ch->lock.
 * Return: 0; RB_ROOM_MORE when a batch was dropped and more must go: the
 * caller gives the lock back and calls again; -EAGAIN when there is no
 * room (a queue, a reservation in the way, or *@budget used up).
 */
int rbus_make_room(struct ringbus_channel *ch, u64 size, unsigned int *budget)
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
int rbus_push_locked(struct ringbus_channel *ch, const void *data, u32 len,
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
 * Copy a payload from user memory into the ring with page faults disabled
 * (under ch->lock, or into a reservation): 0, or -EFAULT when a page was
 * not present - nothing sleeps; the caller faults the pages in with no
 * lock held and tries again.  The caller has checked access_ok().
 */
int rbus_copy_from_user_inatomic(struct ringbus_channel *ch, u64 pos,
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

/*
 * Reserve @size bytes for @nr records at @wtail, for a copy without the
 * lock: readers do not see them until rbus_commit_locked(), and records of
 * ringbus_write() go behind them meanwhile (rbus_push_locked()).  Caller
 * holds ch->lock and made room (rbus_make_room()).
 * Return: the reservation's position; *@seq is its first sequence number.
 */
u64 rbus_reserve_locked(struct ringbus_channel *ch, u64 size, u32 nr, u64 *seq)
{
	u64 start = ch->wtail;

	lockdep_assert_held(&ch->lock);

	ch->resv = size;
	ch->wtail += size;
	*seq = ch->wseq;
	ch->wseq += nr;
	return start;
}

/*
 * Commit the reservation: its first @copied records, which end at @end, are
 * in the ring; the @left records after them are taken back (their copy
 * failed; rbus_unreserve()).  The records ringbus_write() put behind it
 * become visible with it, in sequence order.  @mono_ns: the records' stamp.
 * Caller holds ch->lock.  Return: the records made visible.
 */
u64 rbus_commit_locked(struct ringbus_channel *ch, u64 end, u32 copied,
		       u32 left, u64 mono_ns)
{
	u64 n;

	lockdep_assert_held(&ch->lock);

	if (left)
		rbus_unreserve(ch, end, left);
	n = copied + ch->pend_records;
	rbus_add_records(ch, n, mono_ns);
	ch->pend_records = 0;
	ch->resv = 0;
	rbus_publish_tail(ch);
	return n;
}
