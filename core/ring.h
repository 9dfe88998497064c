/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The record ring of a ringbus channel: the record header as it sits in
 * the ring and the ring's operations (ring.c; DOC: ring there).  Every
 * operation but the lockless copies runs under the channel's ring lock
 * (ch->lock).
 */
#ifndef RINGBUS_CORE_RING_H
#define RINGBUS_CORE_RING_H

#define RB_ALIGN		8U

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

static inline u32 rbus_rec_size(u32 len)
{
	return RB_HDR + ALIGN(len, RB_ALIGN);
}

/*
 * CLOCK_REALTIME of a CLOCK_MONOTONIC reading, from the timekeeper's offset:
 * a record's two timestamps cost one clocksource read, not two (where the
 * clocksource is an HPET, as in an emulated guest with an unstable TSC, each
 * read is a device access).
 */
static inline u64 rbus_mono_to_real(u64 mono)
{
	return ktime_to_ns(ktime_mono_to_real(ns_to_ktime(mono)));
}

void rbus_copy_in(struct ringbus_channel *ch, u64 pos, const void *src, u32 len);
void rbus_copy_out(struct ringbus_channel *ch, u64 pos, void *dst, u32 len);
int rbus_copy_to_user(struct ringbus_channel *ch, u64 pos, char __user *dst,
		      u32 len);
int rbus_copy_from_user_inatomic(struct ringbus_channel *ch, u64 pos,
				 const char __user *src, u32 len);
void rbus_drop_head(struct ringbus_channel *ch);
int rbus_make_room(struct ringbus_channel *ch, u64 size, unsigned int *budget);
void rbus_publish_tail(struct ringbus_channel *ch);
int rbus_push_locked(struct ringbus_channel *ch, const void *data, u32 len,
		     unsigned int *budget);
u64 rbus_reserve_locked(struct ringbus_channel *ch, u64 size, u32 nr, u64 *seq);
u64 rbus_commit_locked(struct ringbus_channel *ch, u64 end, u32 copied,
		       u32 left, u64 mono_ns);

#endif /* RINGBUS_CORE_RING_H */
