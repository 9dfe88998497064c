/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libringbus - a C library over the ringbus ioctl ABI.
 *
 * Installed as <ringbus.h>; link with -lringbus (pkg-config: ringbus).
 * The structures the kernel reads and writes (struct ringbus_info,
 * struct ringbus_stats, struct ringbus_record_header, struct
 * ringbus_version) and the constants (RINGBUS_MODE_*, RINGBUS_CREATE_*,
 * RINGBUS_FD_*) are those of the UAPI header <linux/ringbus.h>, which this
 * header includes; ringbus(4) and libringbus(3) describe them.
 *
 * Error convention: every function returning int or ssize_t returns 0 or
 * a non-negative value on success and a negative errno value (-ENOENT,
 * -EINVAL, ...) on failure; errno is then also set to the positive value.
 * The errors are those of the system calls made (ringbus(4) lists them)
 * plus -EINVAL for a NULL argument or an invalid channel name, which is
 * refused before any system call.  Functions returning void never fail
 * and leave errno alone.
 *
 * Thread safety: the library has no global state.  Every function may be
 * called from several threads at once; a struct ringbus_ctl may be shared
 * between threads (it is not changed after ringbus_ctl_open()) until
 * ringbus_ctl_close().  Concurrent reads or writes on one channel file
 * descriptor are serialised by the kernel (ringbus(4)).
 */
#ifndef LIBRINGBUS_RINGBUS_H
#define LIBRINGBUS_RINGBUS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <linux/ringbus.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define LIBRINGBUS_API __attribute__((visibility("default")))
#else
#define LIBRINGBUS_API
#endif

/* The version of the library this header belongs to. */
#define LIBRINGBUS_VERSION_MAJOR	0
#define LIBRINGBUS_VERSION_MINOR	1
#define LIBRINGBUS_VERSION_PATCH	0

/* Where the nodes are when no other path is given. */
#define LIBRINGBUS_CONTROL_PATH	"/dev/ringbus/control"
#define LIBRINGBUS_DEV_DIR	"/dev/ringbus"

/* A message buffer for ringbus_ctl_open() that no message overflows. */
#define LIBRINGBUS_MSG_MAX	512

/*
 * An open control node whose module speaks the library's ABI major.
 * Opaque; made by ringbus_ctl_open(), freed by ringbus_ctl_close().
 */
struct ringbus_ctl;

/*
 * How to create a channel (ringbus_create()).  Zero it first (memset or
 * "= { 0 }"): every zero field takes the kernel's default.
 */
struct ringbus_create_opts {
	uint64_t capacity;	/* ring bytes, a power of two; 0: the module's default */
	uint32_t mode;		/* RINGBUS_MODE_BROADCAST (0) or RINGBUS_MODE_QUEUE */
	uint32_t max_record;	/* largest payload; 0: capacity / 4 */
	uint32_t ttl_ms;	/* records older than this are dropped; 0: never */
	uint32_t flags;		/* RINGBUS_CREATE_UID | _GID | _PERM: which of the next are set */
	uint32_t uid;		/* owner of /dev/ringbus/<name> (default: the caller) */
	uint32_t gid;		/* group of the node (default: the caller's) */
	uint32_t perm;		/* permission bits of the node, at most 0777 (default 0600) */
	uint32_t reserved[7];	/* zero (-EINVAL otherwise) */
};

/* One record of a batch read (ringbus_recv_batch()). */
struct ringbus_rec {
	struct ringbus_record_header hdr;	/* seq, ts_ns, pid, uid, len */
	const void *data;			/* hdr.len payload bytes, in the caller's buffer */
};

/* The control node (ringbus_ctl_open(3)). */
LIBRINGBUS_API int ringbus_ctl_open(const char *path, struct ringbus_ctl **ctlp,
				    char *msg, size_t msglen);
LIBRINGBUS_API void ringbus_ctl_close(struct ringbus_ctl *ctl);
LIBRINGBUS_API int ringbus_ctl_fd(const struct ringbus_ctl *ctl);
LIBRINGBUS_API int ringbus_ctl_version(const struct ringbus_ctl *ctl,
				       struct ringbus_version *version);

/* Channels (ringbus_create(3), ringbus_list(3), ringbus_info(3)). */
LIBRINGBUS_API int ringbus_name_valid(const char *name);
LIBRINGBUS_API int ringbus_create(struct ringbus_ctl *ctl, const char *name,
				  const struct ringbus_create_opts *opts);
LIBRINGBUS_API int ringbus_destroy(struct ringbus_ctl *ctl, const char *name);
LIBRINGBUS_API int ringbus_list(struct ringbus_ctl *ctl, char ***namesp);
LIBRINGBUS_API void ringbus_list_free(char **names);
LIBRINGBUS_API int ringbus_info(struct ringbus_ctl *ctl, const char *name,
				struct ringbus_info *info);

/* A channel's node (ringbus_channel_open(3), ringbus_stats(3)). */
LIBRINGBUS_API int ringbus_channel_open(const char *dir, const char *name,
					int flags);
LIBRINGBUS_API int ringbus_chan_info(int fd, struct ringbus_info *info);
LIBRINGBUS_API int ringbus_stats(int fd, struct ringbus_stats *stats);
LIBRINGBUS_API int ringbus_flush(int fd);
LIBRINGBUS_API int ringbus_set_opts(int fd, uint32_t flags);
LIBRINGBUS_API int ringbus_get_opts(int fd, uint32_t *flags);
LIBRINGBUS_API int ringbus_seek(int fd, int whence);

/* Records (ringbus_send(3), ringbus_send_batch(3)). */
LIBRINGBUS_API ssize_t ringbus_send(int fd, const void *buf, size_t len);
LIBRINGBUS_API ssize_t ringbus_recv(int fd, void *buf, size_t len);
LIBRINGBUS_API ssize_t ringbus_recv_hdr(int fd, struct ringbus_record_header *hdr,
					void *buf, size_t len);
LIBRINGBUS_API int ringbus_send_batch(int fd, const struct iovec *recs,
				      unsigned int count);
LIBRINGBUS_API int ringbus_recv_batch(int fd, void *buf, size_t len,
				      struct ringbus_rec *recs, unsigned int max);

#ifdef __cplusplus
}
#endif

#endif /* LIBRINGBUS_RINGBUS_H */
