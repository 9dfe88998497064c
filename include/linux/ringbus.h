/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ringbus - the in-kernel API of the core module (ringbus.ko).
 *
 * Every function here is exported GPL-only in the RINGBUS symbol namespace:
 * a module that calls them adds RINGBUS_IMPORT_NS().  A channel pointer is
 * a counted reference: whoever got one (create, get_by_name, a notifier
 * event while it runs) drops it with ringbus_channel_put() when done, or
 * takes its own with ringbus_channel_get() to keep it.
 */
#ifndef _LINUX_RINGBUS_H
#define _LINUX_RINGBUS_H

#include <linux/bits.h>
#include <linux/notifier.h>
#include <linux/poll.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/ringbus_compat.h>
#include <uapi/linux/ringbus.h>

struct ringbus_channel;
struct ringbus_reader;

/**
 * struct ringbus_core_info - what the core reports about itself
 * @version: the suite version as a string, "major.minor.patch"
 * @version_code: the same, (major << 16) | (minor << 8) | patch
 * @abi_major: RINGBUS_ABI_MAJOR the core was built with
 * @abi_minor: RINGBUS_ABI_MINOR the core was built with
 * @max_channels: the max_channels module parameter
 * @default_capacity: the default_capacity module parameter, in bytes
 * @max_capacity: the max_capacity module parameter, in bytes
 * @channels: channels that exist now
 */
struct ringbus_core_info {
	const char *version;
	u32 version_code;
	u32 abi_major;
	u32 abi_minor;
	u32 max_channels;
	u32 default_capacity;
	u32 max_capacity;
	u32 channels;
};

/**
 * struct ringbus_channel_config - what a new channel is made of
 * @name: 1-31 bytes of [a-z0-9_.-], not "control"
 * @capacity: ring bytes, a power of two; 0 for the default_capacity parameter
 * @max_record: largest payload; 0 for capacity / 4
 * @mode: RINGBUS_MODE_BROADCAST or RINGBUS_MODE_QUEUE
 * @ttl_ms: time to live of records, 0 for none
 * @uid: owner of the device node
 * @gid: group of the device node
 * @perm: permission bits of the device node (0 gives 0600)
 * @user: a request made on behalf of user space: the calling task's real
 *	uid is charged the channel (the max_user_channels and max_user_bytes
 *	limits), and a capacity above 16 MiB needs CAP_SYS_RESOURCE, as
 *	does a channel beyond the limits.  In-kernel creators leave it false.
 */
struct ringbus_channel_config {
	const char *name;
	u64 capacity;
	u32 max_record;
	u32 mode;
	u32 ttl_ms;
	kuid_t uid;
	kgid_t gid;
	umode_t perm;
	bool user;
};

/* Notifier events; the data is the struct ringbus_channel *. */
#define RINGBUS_CHANNEL_ADDED	1	/* a channel was created */
#define RINGBUS_CHANNEL_REMOVED	2	/* a channel was destroyed */

/* ringbus_reader_open() flags. */
#define RINGBUS_READER_READ	BIT(0)	/* counted as a reader */
#define RINGBUS_READER_WRITE	BIT(1)	/* counted as a writer */

/* ringbus_read() flags. */
#define RINGBUS_READ_NONBLOCK	BIT(0)	/* -EAGAIN instead of sleeping */
#define RINGBUS_READ_HEADER	BIT(1)	/* copy the header first */

/**
 * ringbus_mode_name() - the name of a channel mode
 * @mode: RINGBUS_MODE_BROADCAST or RINGBUS_MODE_QUEUE
 *
 * Context: Any context.
 * Return: "queue" for RINGBUS_MODE_QUEUE, "broadcast" for anything else,
 * as /proc/ringbus/channels and the mode attribute in sysfs show it.
 */
static inline const char *ringbus_mode_name(u32 mode)
{
	return mode == RINGBUS_MODE_QUEUE ? "queue" : "broadcast";
}

void ringbus_get_core_info(struct ringbus_core_info *info);

struct ringbus_channel *ringbus_channel_create(const struct ringbus_channel_config *cfg);
int ringbus_channel_destroy(struct ringbus_channel *ch);
struct ringbus_channel *ringbus_channel_get_by_name(const char *name);
struct ringbus_channel *ringbus_channel_get(struct ringbus_channel *ch);
void ringbus_channel_put(struct ringbus_channel *ch);
const char *ringbus_channel_name(const struct ringbus_channel *ch);
void ringbus_channel_info(struct ringbus_channel *ch, struct ringbus_info *info);
void ringbus_channel_stats(struct ringbus_channel *ch, struct ringbus_stats *st);
int ringbus_channel_flush(struct ringbus_channel *ch);
/* Called for each channel by ringbus_iterate_channels(). */
typedef int (*ringbus_channel_fn)(struct ringbus_channel *ch, void *arg);
int ringbus_iterate_channels(ringbus_channel_fn fn, void *arg);
int ringbus_register_notifier(struct notifier_block *nb);
void ringbus_unregister_notifier(struct notifier_block *nb);

int ringbus_write(struct ringbus_channel *ch, const void *data, size_t len);

struct ringbus_reader *ringbus_reader_open(struct ringbus_channel *ch,
					   unsigned int flags);
void ringbus_reader_close(struct ringbus_reader *rd);
struct ringbus_channel *ringbus_reader_channel(struct ringbus_reader *rd);
ssize_t ringbus_reader_write_user(struct ringbus_reader *rd,
				  const char __user *buf, size_t len,
				  bool nonblock);
ssize_t ringbus_reader_write_batch_user(struct ringbus_reader *rd,
					const char __user *buf, u64 buf_len,
					u32 max_records, bool nonblock, u64 *used);
ssize_t ringbus_read_user(struct ringbus_reader *rd, char __user *buf,
			  size_t len, unsigned int flags);
ssize_t ringbus_read_batch_user(struct ringbus_reader *rd, char __user *buf,
				size_t len, u32 max_records, unsigned int flags,
				u32 *count);
__poll_t ringbus_reader_poll(struct ringbus_reader *rd, struct file *file,
			     poll_table *wait);
int ringbus_reader_seek(struct ringbus_reader *rd, int whence);
void ringbus_reader_stats(struct ringbus_reader *rd, struct ringbus_stats *st);

void ringbus_get_stats(struct ringbus_stats *total);
int ringbus_get_cpu_stats(struct ringbus_stats *percpu, unsigned int nr, bool sync);

#endif /* _LINUX_RINGBUS_H */
