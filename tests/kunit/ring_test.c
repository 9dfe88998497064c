// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the ringbus record ring (core/ring.c): wrap-around of
 * headers and payloads, overwriting in broadcast mode and its accounting,
 * a full queue, kernel records pending behind a reservation and the
 * reservation taken back, the drop budget, and records at the size limits.
 *
 * Built only for a kernel with CONFIG_KUNIT, never packaged: the test
 * harness builds it in the guest root against the sources ringbus-dkms
 * installed, and compiles core/ring.c into this module (its functions are
 * not exported), with stand-ins for the two things ring.c takes from the
 * rest of the core: the per-CPU counters and rbus_add_records().
 */

#include "ring.c"

#include <kunit/test.h>

/* Stand-ins for stats.c and housekeeping.c. */
struct rbus_stats __percpu *rbus_pcpu;

void rbus_add_records(struct ringbus_channel *ch, u64 n, u64 mono_ns)
{
	lockdep_assert_held(&ch->lock);
	ch->records += n;
}

#define CAP	4096U

/*
 * A channel as the ring sees it: @mode, a ring of @cap bytes, every
 * position at @start and every sequence at 1.  Freed by KUnit at the end
 * of the test.
 */
static struct ringbus_channel *ring_new_cap(struct kunit *test, u32 mode,
					    u64 start, u32 cap)
{
	struct ringbus_channel *ch;

	ch = kunit_kzalloc(test, sizeof(*ch), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ch);
	ch->buf = kunit_kzalloc(test, cap, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ch->buf);
	raw_spin_lock_init(&ch->lock);
	ch->mode = mode;
	ch->capacity = cap;
	ch->max_record = cap - RB_HDR;
	ch->head = start;
	ch->tail = start;
	ch->wtail = start;
	ch->head_seq = 1;
	ch->next_seq = 1;
	ch->wseq = 1;
	return ch;
}

static struct ringbus_channel *ring_new(struct kunit *test, u32 mode, u64 start)
{
	return ring_new_cap(test, mode, start, CAP);
}

/* rbus_push_locked() under the lock, with an unlimited drop budget. */
static int ring_push(struct ringbus_channel *ch, const void *data, u32 len)
{
	unsigned int budget = UINT_MAX;
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&ch->lock, flags);
	do {
		ret = rbus_push_locked(ch, data, len, &budget);
	} while (ret == RB_ROOM_MORE);
	raw_spin_unlock_irqrestore(&ch->lock, flags);
	return ret;
}

/* The record at @pos: its header, and its payload into @buf. */
static struct rbus_rec ring_rec(struct ringbus_channel *ch, u64 pos, void *buf)
{
	struct rbus_rec rec;

	rbus_copy_out(ch, pos, &rec, RB_HDR);
	rbus_copy_out(ch, pos + RB_HDR, buf, rec.len);
	return rec;
}

/* A header that wraps: its first 16 bytes at the end of the ring. */
static void ring_test_header_wraps(struct kunit *test)
{
	struct ringbus_channel *ch = ring_new(test, RINGBUS_MODE_QUEUE, 10 * CAP - 16);
	char out[8] = {};
	struct rbus_rec rec;

	KUNIT_ASSERT_EQ(test, ring_push(ch, "payload", 7), 0);
	rec = ring_rec(ch, ch->head, out);
	KUNIT_EXPECT_EQ(test, rec.len, 7U);
	KUNIT_EXPECT_EQ(test, rec.seq, 1ULL);
	KUNIT_EXPECT_MEMEQ(test, out, "payload", 7);
	/* The header's len is the first 4 bytes, at the ring's end. */
	KUNIT_EXPECT_EQ(test, *(u32 *)(ch->buf + CAP - 16), 7U);
	/* The payload follows the header's wrapped part at offset 24. */
	KUNIT_EXPECT_MEMEQ(test, ch->buf + RB_HDR - 16, "payload", 7);
	KUNIT_EXPECT_EQ(test, ch->wtail - ch->head, (u64)rbus_rec_size(7));
	KUNIT_EXPECT_EQ(test, ch->tail, ch->wtail);
	KUNIT_EXPECT_EQ(test, ch->records, 1ULL);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&ch->pub_tail), ch->tail);
}

/* A payload that wraps: the header whole at the end, the payload split. */
static void ring_test_payload_wraps(struct kunit *test)
{
	struct ringbus_channel *ch = ring_new(test, RINGBUS_MODE_QUEUE,
					      3 * CAP - RB_HDR - 10);
	char in[100], out[100];
	struct rbus_rec rec;
	int i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = i;
	KUNIT_ASSERT_EQ(test, ring_push(ch, in, sizeof(in)), 0);
	rec = ring_rec(ch, ch->head, out);
	KUNIT_EXPECT_EQ(test, rec.len, (u32)sizeof(in));
	KUNIT_EXPECT_MEMEQ(test, out, in, sizeof(in));
	KUNIT_EXPECT_MEMEQ(test, ch->buf + CAP - 10, in, 10);
	KUNIT_EXPECT_MEMEQ(test, ch->buf, in + 10, sizeof(in) - 10);
}

/*
 * Broadcast overwrites the oldest records: each drop moves @head by one
 * record and @head_seq by one, counts a drop, and @lost_seq and
 * @pub_head_seq follow.
 */
static void ring_test_broadcast_overwrites(struct kunit *test)
{
	struct ringbus_channel *ch = ring_new(test, RINGBUS_MODE_BROADCAST, 0);
	u32 size = rbus_rec_size(88), fit = CAP / size;
	char rec[88] = {}, out[88];
	u32 i;

	for (i = 0; i < fit; i++) {
		rec[0] = i;
		KUNIT_ASSERT_EQ(test, ring_push(ch, rec, sizeof(rec)), 0);
	}
	KUNIT_EXPECT_EQ(test, ch->st.drops, 0ULL);
	KUNIT_EXPECT_EQ(test, ch->records, (u64)fit);
	for (i = 0; i < 3; i++) {
		rec[0] = fit + i;
		KUNIT_ASSERT_EQ(test, ring_push(ch, rec, sizeof(rec)), 0);
	}
	KUNIT_EXPECT_EQ(test, ch->st.drops, 3ULL);
	KUNIT_EXPECT_EQ(test, ch->head_seq, 4ULL);
	KUNIT_EXPECT_EQ(test, ch->lost_seq, 4ULL);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&ch->pub_head_seq), 4ULL);
	KUNIT_EXPECT_EQ(test, ch->records, (u64)fit);
	KUNIT_EXPECT_EQ(test, ch->head, 3ULL * size);
	KUNIT_EXPECT_EQ(test, ch->next_seq, (u64)fit + 4);
	KUNIT_EXPECT_LE(test, ch->wtail - ch->head, (u64)CAP);
	/* The oldest retained record is the fourth written. */
	KUNIT_EXPECT_EQ(test, ring_rec(ch, ch->head, out).seq, 4ULL);
	KUNIT_EXPECT_EQ(test, out[0], 3);
}

/* A full queue refuses with -EAGAIN and changes nothing. */
static void ring_test_queue_full(struct kunit *test)
{
	struct ringbus_channel *ch = ring_new(test, RINGBUS_MODE_QUEUE, 0);
	u32 size = rbus_rec_size(1000);
	char rec[1000] = {};
	u64 wtail;

	while (ch->wtail + size <= CAP)
		KUNIT_ASSERT_EQ(test, ring_push(ch, rec, sizeof(rec)), 0);
	wtail = ch->wtail;
	KUNIT_EXPECT_EQ(test, ring_push(ch, rec, sizeof(rec)), -EAGAIN);
	KUNIT_EXPECT_EQ(test, ch->wtail, wtail);
	KUNIT_EXPECT_EQ(test, ch->records, 3ULL);
	KUNIT_EXPECT_EQ(test, ch->wseq, 4ULL);
	KUNIT_EXPECT_EQ(test, ch->st.drops, 0ULL);
	/* A smaller record that fits still goes in. */
	KUNIT_EXPECT_EQ(test, ring_push(ch, rec, CAP - wtail - RB_HDR), 0);
	KUNIT_EXPECT_EQ(test, ch->wtail, (u64)CAP);
}

/*
 * A kernel record behind a reservation waits for its commit, unseen; the
 * commit makes both visible in sequence order.
 */
static void ring_test_pending_behind_reservation(struct kunit *test)
{
	struct ringbus_channel *ch = ring_new(test, RINGBUS_MODE_QUEUE, 0);
	u32 rsize = rbus_rec_size(64);
	struct rbus_rec rec = { .len = 64 };
	char out[64];
	u64 start, n;

	/* A user writer's reservation of one record, copied in unlocked. */
	raw_spin_lock_irq(&ch->lock);
	start = rbus_reserve_locked(ch, rsize, 1, &rec.seq);
	raw_spin_unlock_irq(&ch->lock);
	KUNIT_EXPECT_EQ(test, start, 0ULL);
	KUNIT_EXPECT_EQ(test, rec.seq, 1ULL);
	rbus_copy_in(ch, start, &rec, RB_HDR);
	KUNIT_ASSERT_EQ(test, ring_push(ch, "kernel", 6), 0);
	KUNIT_EXPECT_EQ(test, ch->pend_records, 1ULL);
	KUNIT_EXPECT_EQ(test, ch->tail, 0ULL);
	KUNIT_EXPECT_EQ(test, ch->records, 0ULL);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&ch->pub_tail), 0ULL);
	KUNIT_EXPECT_EQ(test, ring_rec(ch, rsize, out).seq, 2ULL);
	KUNIT_EXPECT_MEMEQ(test, out, "kernel", 6);
	raw_spin_lock_irq(&ch->lock);
	n = rbus_commit_locked(ch, start + rsize, 1, 0, 0);
	raw_spin_unlock_irq(&ch->lock);
	KUNIT_EXPECT_EQ(test, n, 2ULL);
	KUNIT_EXPECT_EQ(test, ch->resv, 0ULL);
	KUNIT_EXPECT_EQ(test, ch->pend_records, 0ULL);
	KUNIT_EXPECT_EQ(test, ch->tail, ch->wtail);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&ch->pub_tail), ch->tail);
	KUNIT_EXPECT_EQ(test, ch->records, 2ULL);
	KUNIT_EXPECT_EQ(test, ch->next_seq, 3ULL);
}

/*
 * A reservation whose copy failed after its first record: the commit takes
 * the rest back, and the kernel records behind it move down, their
 * sequence numbers with them.
 */
static void ring_test_commit_takes_back(struct kunit *test)
{
	struct ringbus_channel *ch = ring_new(test, RINGBUS_MODE_QUEUE, 2 * CAP - 200);
	u32 rsize = rbus_rec_size(80);
	struct rbus_rec rec = { .len = 80 };
	char out[80];
	u64 start, n;

	/* Three records reserved (the ring wraps under them). */
	raw_spin_lock_irq(&ch->lock);
	start = rbus_reserve_locked(ch, 3 * rsize, 3, &rec.seq);
	raw_spin_unlock_irq(&ch->lock);
	KUNIT_ASSERT_EQ(test, ring_push(ch, "first", 5), 0);
	KUNIT_ASSERT_EQ(test, ring_push(ch, "second", 6), 0);
	KUNIT_ASSERT_EQ(test, ch->pend_records, 2ULL);
	/* Only the first was copied in. */
	memset(out, 'u', sizeof(out));
	rbus_copy_in(ch, start, &rec, RB_HDR);
	rbus_copy_in(ch, start + RB_HDR, out, 80);
	raw_spin_lock_irq(&ch->lock);
	n = rbus_commit_locked(ch, start + rsize, 1, 2, 0);
	raw_spin_unlock_irq(&ch->lock);
	KUNIT_EXPECT_EQ(test, n, 3ULL);
	KUNIT_EXPECT_EQ(test, ch->records, 3ULL);
	KUNIT_EXPECT_EQ(test, ch->wseq, 4ULL);
	KUNIT_EXPECT_EQ(test, ch->next_seq, 4ULL);
	KUNIT_EXPECT_EQ(test, ch->tail, ch->wtail);
	KUNIT_EXPECT_EQ(test, ch->wtail - start,
			(u64)rsize + rbus_rec_size(5) + rbus_rec_size(6));
	rec = ring_rec(ch, start, out);
	KUNIT_EXPECT_EQ(test, rec.seq, 1ULL);
	KUNIT_EXPECT_EQ(test, out[79], 'u');
	rec = ring_rec(ch, start + rsize, out);
	KUNIT_EXPECT_EQ(test, rec.seq, 2ULL);
	KUNIT_EXPECT_MEMEQ(test, out, "first", 5);
	rec = ring_rec(ch, start + rsize + rbus_rec_size(5), out);
	KUNIT_EXPECT_EQ(test, rec.seq, 3ULL);
	KUNIT_EXPECT_MEMEQ(test, out, "second", 6);
}

/*
 * Dropping goes by batches of RB_DROP_BATCH within a budget: a record
 * that needs more drops than the batch gets RB_ROOM_MORE, and one that
 * needs more than the budget -EAGAIN, the drops made so far kept.
 */
static void ring_test_drop_budget(struct kunit *test)
{
	struct ringbus_channel *ch = ring_new_cap(test, RINGBUS_MODE_BROADCAST, 0,
						  8 * CAP);
	u32 small = rbus_rec_size(1), n = 8 * CAP / small;
	unsigned int budget;
	static char big[4 * CAP];
	u32 i;
	int ret;

	KUNIT_ASSERT_GT(test, n, RB_DROP_BATCH);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, ring_push(ch, "x", 1), 0);
	/* Room for half the ring: n / 2 drops, more than a batch. */
	KUNIT_ASSERT_GT(test, n / 2, RB_DROP_BATCH);
	budget = 4;
	raw_spin_lock_irq(&ch->lock);
	ret = rbus_push_locked(ch, big, sizeof(big) - RB_HDR, &budget);
	raw_spin_unlock_irq(&ch->lock);
	KUNIT_EXPECT_EQ(test, ret, -EAGAIN);
	KUNIT_EXPECT_EQ(test, budget, 0U);
	KUNIT_EXPECT_EQ(test, ch->st.drops, 4ULL);
	budget = UINT_MAX;
	raw_spin_lock_irq(&ch->lock);
	ret = rbus_push_locked(ch, big, sizeof(big) - RB_HDR, &budget);
	raw_spin_unlock_irq(&ch->lock);
	KUNIT_EXPECT_EQ(test, ret, RB_ROOM_MORE);
	KUNIT_EXPECT_EQ(test, ch->st.drops, 4ULL + RB_DROP_BATCH);
	KUNIT_EXPECT_EQ(test, ring_push(ch, big, sizeof(big) - RB_HDR), 0);
	KUNIT_EXPECT_EQ(test, ch->records, (u64)(n - n / 2 + 1));
}

/* The largest record fills the ring exactly; a larger one never fits. */
static void ring_test_size_limits(struct kunit *test)
{
	struct ringbus_channel *ch = ring_new(test, RINGBUS_MODE_BROADCAST, CAP / 2);
	static char big[CAP];
	char out[8];

	KUNIT_ASSERT_EQ(test, ring_push(ch, "ab", 2), 0);
	big[0] = 'B';
	big[CAP - RB_HDR - 1] = 'E';
	KUNIT_ASSERT_EQ(test, ring_push(ch, big, CAP - RB_HDR), 0);
	KUNIT_EXPECT_EQ(test, ch->records, 1ULL);
	KUNIT_EXPECT_EQ(test, ch->wtail - ch->head, (u64)CAP);
	rbus_copy_out(ch, ch->head + RB_HDR, out, 1);
	KUNIT_EXPECT_EQ(test, out[0], 'B');
	rbus_copy_out(ch, ch->head + CAP - 1, out, 1);
	KUNIT_EXPECT_EQ(test, out[0], 'E');
	/* Everything dropped and still no room: -EAGAIN. */
	KUNIT_EXPECT_EQ(test, ring_push(ch, big, CAP - RB_HDR + 1), -EAGAIN);
	KUNIT_EXPECT_EQ(test, ch->records, 0ULL);
	KUNIT_EXPECT_EQ(test, ch->head, ch->tail);
	/* A destroyed channel takes nothing. */
	ch->dead = true;
	KUNIT_EXPECT_EQ(test, ring_push(ch, "ab", 2), -ENODEV);
}

static int ring_suite_init(struct kunit_suite *suite)
{
	rbus_pcpu = alloc_percpu(struct rbus_stats);
	return rbus_pcpu ? 0 : -ENOMEM;
}

static void ring_suite_exit(struct kunit_suite *suite)
{
	free_percpu(rbus_pcpu);
}

static struct kunit_case ring_test_cases[] = {
	KUNIT_CASE(ring_test_header_wraps),
	KUNIT_CASE(ring_test_payload_wraps),
	KUNIT_CASE(ring_test_broadcast_overwrites),
	KUNIT_CASE(ring_test_queue_full),
	KUNIT_CASE(ring_test_pending_behind_reservation),
	KUNIT_CASE(ring_test_commit_takes_back),
	KUNIT_CASE(ring_test_drop_budget),
	KUNIT_CASE(ring_test_size_limits),
	{}
};

static struct kunit_suite ring_test_suite = {
	.name = "ringbus_ring",
	.suite_init = ring_suite_init,
	.suite_exit = ring_suite_exit,
	.test_cases = ring_test_cases,
};

kunit_test_suite(ring_test_suite);

MODULE_DESCRIPTION("KUnit tests of the ringbus record ring (tests only, never packaged)");
MODULE_LICENSE("GPL");
