/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * ringbus - named message channels: the user-space ABI.
 *
 * Every ioctl of the suite is built with _IO/_IOR/_IOW/_IOWR on the type
 * letter RINGBUS_IOC_MAGIC (0xBB, unassigned in the kernel's
 * Documentation/userspace-api/ioctl/ioctl-number.rst).  Every argument
 * struct holds only __u32 and __u64 members, is naturally aligned and has
 * a size that is a multiple of 8, so a 32-bit process and a 64-bit kernel
 * see the same layout and compat_ioctl needs no translation.  Pointers are
 * carried as __u64.  Flags and reserved fields must be zero on input
 * (EINVAL otherwise) and are zero on output.  Unknown commands give ENOTTY.
 *
 * A command of the control node sent to a channel node, or the other way
 * round, gives ENOTTY too.
 *
 * Commands are only ever added, never changed: a command's number,
 * direction, argument struct and meaning stay as they are once released
 * (Documentation/driver-api/ioctl.rst).  What needs to change is made a
 * new command, and the old one stays.
 */
#ifndef _UAPI_LINUX_RINGBUS_H
#define _UAPI_LINUX_RINGBUS_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * ABI version.  The major would change only if an existing command
 * changed, which the rule above forbids.
 */
#define RINGBUS_ABI_MAJOR	1
#define RINGBUS_ABI_MINOR	0

#define RINGBUS_IOC_MAGIC	0xBB

/*
 * Default device number of /dev/ringbus/control, from the char major range
 * 120-127 reserved for LOCAL/EXPERIMENTAL USE in the kernel's
 * Documentation/admin-guide/devices.txt (never handed out by
 * alloc_chrdev_region, unlike 234-254).  ringbus_cdev's control_major
 * parameter overrides it.
 */
#define RINGBUS_CONTROL_MAJOR	121
#define RINGBUS_CONTROL_MINOR	0

/**
 * struct ringbus_version - RINGBUS_IOC_VERSION result
 * @abi_major: RINGBUS_ABI_MAJOR of the running module
 * @abi_minor: RINGBUS_ABI_MINOR of the running module
 * @version: suite version, (major << 16) | (minor << 8) | patch
 * @reserved: zero
 */
struct ringbus_version {
	__u32 abi_major;
	__u32 abi_minor;
	__u32 version;
	__u32 reserved[5];
};

/*
 * RINGBUS_IOC_VERSION - the ABI and suite version of the running module
 *
 * Argument: struct ringbus_version, written by the kernel (_IOR), on the
 * control node.  A program checks abi_major before anything else: a
 * different major means it cannot talk to this module.
 * Errors: EFAULT.
 */
#define RINGBUS_IOC_VERSION	_IOR(RINGBUS_IOC_MAGIC, 0x00, struct ringbus_version)

/* A channel name: 1-31 bytes of [a-z0-9_.-], NUL-terminated, not "control". */
#define RINGBUS_NAME_MAX	32

/* Channel modes. */
#define RINGBUS_MODE_BROADCAST	0	/* overwrite oldest; a cursor per open file */
#define RINGBUS_MODE_QUEUE	1	/* each record to one reader; writers block */

/* struct ringbus_create.flags: which optional fields are set. */
#define RINGBUS_CREATE_UID	(1U << 0)	/* @uid is the node's owner */
#define RINGBUS_CREATE_GID	(1U << 1)	/* @gid is the node's group */
#define RINGBUS_CREATE_PERM	(1U << 2)	/* @perm is the node's mode */
/*
 * The three bits above, kept for the programs that use it.  Frozen: a
 * flag added later does not join it, so it is not "every flag the kernel
 * knows"; name the bits a program sets.
 */
#define RINGBUS_CREATE_ALL	(RINGBUS_CREATE_UID | RINGBUS_CREATE_GID | \
				 RINGBUS_CREATE_PERM)

/**
 * struct ringbus_create - RINGBUS_IOC_CREATE argument (control node)
 * @name: the channel name, NUL-terminated
 * @capacity: ring size in bytes, a power of two; 0 for the default
 * @max_record: largest record payload in bytes; 0 for capacity / 4
 * @mode: RINGBUS_MODE_BROADCAST or RINGBUS_MODE_QUEUE
 * @ttl_ms: records older than this are dropped; 0 keeps them
 * @flags: RINGBUS_CREATE_* bits saying which of @uid, @gid, @perm are set
 * @uid: owner of /dev/ringbus/<name> (default: the caller)
 * @gid: group of the node (default: the caller's)
 * @perm: permission bits of the node, at most 0777 (default 0600)
 * @reserved: zero
 */
struct ringbus_create {
	char name[RINGBUS_NAME_MAX];
	__u64 capacity;
	__u32 max_record;
	__u32 mode;
	__u32 ttl_ms;
	__u32 flags;
	__u32 uid;
	__u32 gid;
	__u32 perm;
	__u32 reserved[5];
};

/**
 * struct ringbus_name - RINGBUS_IOC_DESTROY argument (control node)
 * @name: the channel name, NUL-terminated
 * @reserved: zero
 */
struct ringbus_name {
	char name[RINGBUS_NAME_MAX];
	__u64 reserved[2];
};

/**
 * struct ringbus_list - RINGBUS_IOC_LIST argument (control node)
 * @names: user pointer to an array of @count names of RINGBUS_NAME_MAX bytes
 * @count: in: entries in @names; out: number of channels that exist (only
 *	min(in, out) entries were written)
 * @flags: zero
 * @reserved: zero
 */
struct ringbus_list {
	__u64 names;
	__u32 count;
	__u32 flags;
	__u64 reserved[2];
};

/**
 * struct ringbus_info - RINGBUS_IOC_INFO (control, by @name) and
 *	RINGBUS_IOC_CHAN_INFO (channel node) result
 * @name: the channel name (in, for RINGBUS_IOC_INFO)
 * @capacity: ring size in bytes
 * @used: bytes of the ring holding records, headers included
 * @records: records in the ring
 * @first_seq: sequence number of the oldest record, 0 when empty
 * @last_seq: sequence number of the newest record, 0 when none was written
 * @drops: records discarded unread: overwritten (broadcast), expired (TTL)
 *	or flushed
 * @max_record: largest record payload in bytes
 * @mode: RINGBUS_MODE_*
 * @ttl_ms: time to live of records, 0 for none
 * @readers: open files that may read
 * @writers: open files that may write
 * @uid: owner of the node
 * @gid: group of the node
 * @perm: permission bits of the node
 * @minor: minor number of /dev/ringbus/<name>
 * @reserved0: zero
 * @reserved: zero
 */
struct ringbus_info {
	char name[RINGBUS_NAME_MAX];
	__u64 capacity;
	__u64 used;
	__u64 records;
	__u64 first_seq;
	__u64 last_seq;
	__u64 drops;
	__u32 max_record;
	__u32 mode;
	__u32 ttl_ms;
	__u32 readers;
	__u32 writers;
	__u32 uid;
	__u32 gid;
	__u32 perm;
	__u32 minor;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct ringbus_stats - RINGBUS_IOC_STATS result (channel node)
 * @records_written: records written to the channel
 * @bytes_written: payload bytes written
 * @records_read: records returned to readers
 * @bytes_read: payload bytes returned to readers
 * @drops: records discarded unread (see struct ringbus_info)
 * @overruns: times a broadcast reader was overtaken (each gave EPIPE once)
 * @wakeups: times a sleeping reader or writer was woken
 * @expired: records dropped by the time to live
 * @fd_missed: records this open file missed through overruns, in total
 * @fd_next_seq: sequence number this open file reads next
 * @reserved: zero
 */
struct ringbus_stats {
	__u64 records_written;
	__u64 bytes_written;
	__u64 records_read;
	__u64 bytes_read;
	__u64 drops;
	__u64 overruns;
	__u64 wakeups;
	__u64 expired;
	__u64 fd_missed;
	__u64 fd_next_seq;
	__u64 reserved[2];
};

/**
 * struct ringbus_record_header - what precedes a record's payload in read()
 *	after RINGBUS_FD_HEADERS, and in every batch read
 * @seq: sequence number, per channel, from 1, never reused
 * @ts_ns: CLOCK_REALTIME of the write, in nanoseconds
 * @pid: writer's process id as the writer saw it (its own pid namespace);
 *	0 for in-kernel writers
 * @uid: writer's uid in the reader's user namespace (0 for in-kernel
 *	writers)
 * @len: payload bytes that follow
 * @reserved: zero
 */
struct ringbus_record_header {
	__u64 seq;
	__u64 ts_ns;
	__u32 pid;
	__u32 uid;
	__u32 len;
	__u32 reserved;
};

/* struct ringbus_fd_opts.flags */
#define RINGBUS_FD_HEADERS	(1U << 0)	/* read() returns header + payload */

/**
 * struct ringbus_fd_opts - RINGBUS_IOC_SET_OPTS / RINGBUS_IOC_GET_OPTS
 * @flags: RINGBUS_FD_* bits
 * @reserved: zero
 */
struct ringbus_fd_opts {
	__u32 flags;
	__u32 reserved;
};

/**
 * struct ringbus_batch - RINGBUS_IOC_READ_BATCH / RINGBUS_IOC_WRITE_BATCH
 * @buf: user pointer to the records.  Read: each record is a struct
 *	ringbus_record_header, its payload, and padding to 8 bytes.  Write:
 *	each record is a __u32 length, a __u32 zero, the payload and padding
 *	to 8 bytes.
 * @buf_len: bytes at @buf
 * @max_records: most records to move; 0 for no limit
 * @count: out: records moved
 * @bytes: out: bytes of @buf used
 * @flags: zero
 * @reserved: zero
 */
struct ringbus_batch {
	__u64 buf;
	__u64 buf_len;
	__u32 max_records;
	__u32 count;
	__u64 bytes;
	__u32 flags;
	__u32 reserved;
};

/* Control node (/dev/ringbus/control): commands 0x01-0x0f. */

/*
 * RINGBUS_IOC_CREATE - create a channel and its node /dev/ringbus/<name>
 *
 * Argument: struct ringbus_create, read by the kernel (_IOW).  Fields not
 * named by a RINGBUS_CREATE_* bit of @flags take their defaults.  The
 * caller's real uid is charged the channel (the core's max_user_channels
 * and max_user_bytes parameters).
 * Errors: EINVAL (reserved or unknown @flags bits set, a name that is not
 * NUL-terminated or not valid, bad capacity, max_record, mode or perm, an
 * unmapped uid or gid), EPERM (@uid or @gid another's without CAP_CHOWN;
 * a capacity above 16 MiB without CAP_SYS_RESOURCE), EEXIST (the name is
 * taken), ENOSPC (max_channels exist), EDQUOT (beyond the caller's
 * per-user limits, without CAP_SYS_RESOURCE), ENOMEM, EBUSY (the char
 * device has no free node number), EFAULT.
 */
#define RINGBUS_IOC_CREATE	_IOW(RINGBUS_IOC_MAGIC, 0x01, struct ringbus_create)

/*
 * RINGBUS_IOC_DESTROY - destroy the channel @name
 *
 * Argument: struct ringbus_name, read by the kernel (_IOW).  Readers of
 * the channel then see end of file, writers ENODEV; the name is free at
 * once.  Allowed to the channel's owner and to CAP_SYS_ADMIN.
 * Errors: EINVAL (reserved not zero, a name not NUL-terminated), ENOENT
 * (no channel of that name, including invalid names), ENODEV (another
 * caller destroyed it meanwhile), EPERM, EFAULT.
 */
#define RINGBUS_IOC_DESTROY	_IOW(RINGBUS_IOC_MAGIC, 0x02, struct ringbus_name)

/*
 * RINGBUS_IOC_LIST - the names of every channel
 *
 * Argument: struct ringbus_list, read and written by the kernel (_IOWR):
 * up to @count names are written to the array at @names, and @count is
 * set to the number of channels that exist.
 * Errors: EINVAL (flags or reserved not zero), ENOMEM, EFAULT.
 */
#define RINGBUS_IOC_LIST	_IOWR(RINGBUS_IOC_MAGIC, 0x03, struct ringbus_list)

/*
 * RINGBUS_IOC_INFO - describe the channel @name
 *
 * Argument: struct ringbus_info, read (@name) and written (everything
 * else) by the kernel (_IOWR).
 * Errors: EINVAL (a name not NUL-terminated, reserved0 or reserved not
 * zero), ENOENT (no channel of that name), EFAULT.
 */
#define RINGBUS_IOC_INFO	_IOWR(RINGBUS_IOC_MAGIC, 0x04, struct ringbus_info)

/* Channel nodes (/dev/ringbus/<name>): commands 0x10 and up. */

/*
 * RINGBUS_IOC_CHAN_INFO - describe the channel of this node
 *
 * Argument: struct ringbus_info, written by the kernel (_IOR).
 * Errors: EFAULT.
 */
#define RINGBUS_IOC_CHAN_INFO	_IOR(RINGBUS_IOC_MAGIC, 0x10, struct ringbus_info)

/*
 * RINGBUS_IOC_STATS - the channel's counters and this open file's
 *
 * Argument: struct ringbus_stats, written by the kernel (_IOR).
 * Errors: EFAULT.
 */
#define RINGBUS_IOC_STATS	_IOR(RINGBUS_IOC_MAGIC, 0x11, struct ringbus_stats)

/*
 * RINGBUS_IOC_FLUSH - discard every record of the channel
 *
 * No argument (_IO).  The records discarded count as drops; sequence
 * numbers are not reused.  Allowed to the channel's owner and to
 * CAP_SYS_ADMIN.
 * Errors: EPERM, ENODEV (the channel was destroyed), EINTR (a fatal signal
 * while waiting for a reader's copy).
 */
#define RINGBUS_IOC_FLUSH	_IO(RINGBUS_IOC_MAGIC, 0x12)

/*
 * RINGBUS_IOC_SET_OPTS - set this open file's options
 *
 * Argument: struct ringbus_fd_opts, read by the kernel (_IOW).
 * RINGBUS_FD_HEADERS makes read() return a struct ringbus_record_header
 * before each payload.
 * Errors: EINVAL (unknown flags, reserved not zero), EFAULT.
 */
#define RINGBUS_IOC_SET_OPTS	_IOW(RINGBUS_IOC_MAGIC, 0x13, struct ringbus_fd_opts)

/*
 * RINGBUS_IOC_GET_OPTS - this open file's options
 *
 * Argument: struct ringbus_fd_opts, written by the kernel (_IOR).
 * Errors: EFAULT.
 */
#define RINGBUS_IOC_GET_OPTS	_IOR(RINGBUS_IOC_MAGIC, 0x14, struct ringbus_fd_opts)

/*
 * RINGBUS_IOC_READ_BATCH - read several records in one call
 *
 * Argument: struct ringbus_batch, read (@buf, @buf_len, @max_records;
 * @count, @bytes, @flags and @reserved must be zero) and written (@count,
 * @bytes) by the kernel (_IOWR).  Each record in @buf is a struct
 * ringbus_record_header, its payload and padding to 8 bytes.  Waits for
 * the first record unless the file is O_NONBLOCK; returns 0 with @count
 * and @bytes left zero once the channel is destroyed.
 * Errors: EINVAL (@count, @bytes, @flags or @reserved not zero), and as
 * read(): EAGAIN, EINTR, EMSGSIZE (the first record does not fit), EPIPE
 * (a broadcast reader was overtaken), EBADF (not opened for reading),
 * EFAULT.
 */
#define RINGBUS_IOC_READ_BATCH	_IOWR(RINGBUS_IOC_MAGIC, 0x15, struct ringbus_batch)

/*
 * RINGBUS_IOC_WRITE_BATCH - write several records in one call
 *
 * Argument: struct ringbus_batch, read (@buf, @buf_len, @max_records;
 * @count, @bytes, @flags and @reserved must be zero) and written (@count,
 * @bytes) by the kernel (_IOWR).  Each record in @buf is a __u32 length,
 * a __u32 zero, the payload and padding to 8 bytes.  A record that is
 * invalid or faults ends the batch there: the records before it are
 * written and counted.
 * Errors, when no record was written: EINVAL (@count, @bytes, @flags or
 * @reserved not zero; a bad length word or an empty record), and as
 * write(): EMSGSIZE, EAGAIN, EINTR, ENODEV (the channel was destroyed),
 * EBADF (not opened for writing), EFAULT.
 */
#define RINGBUS_IOC_WRITE_BATCH	_IOWR(RINGBUS_IOC_MAGIC, 0x16, struct ringbus_batch)

#endif /* _UAPI_LINUX_RINGBUS_H */
