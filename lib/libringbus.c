// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libringbus - a C library over the ringbus ioctl ABI (ringbus.h, and the
 * ABI in docs/abi.md and ringbus(4)).
 *
 * No global state: the only state is the struct ringbus_ctl a caller
 * holds, and it does not change after ringbus_ctl_open().  Every failure
 * is returned as -errno and left in errno (fail()).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ringbus.h"

struct ringbus_ctl {
	int fd;
	struct ringbus_version version;	/* what the module reported at open */
};

/* The library's own ABI: the UAPI header it was built with. */
#define LIB_ABI_MAJOR	RINGBUS_ABI_MAJOR
#define LIB_ABI_MINOR	RINGBUS_ABI_MINOR

/* Sizes of the batch layouts (docs/abi.md, section 7). */
#define HDR_SIZE	sizeof(struct ringbus_record_header)	/* 32 */
#define WLEN_SIZE	8		/* a WRITE_BATCH record's length words */
#define PAD8(n)		(((n) + 7) & ~(size_t)7)

/*
 * No record is longer than half the largest possible ring (2^30, the
 * module's limit on max_capacity): a buffer beyond that is not needed.
 */
#define RECORD_LIMIT	((size_t)1 << 30)

/* Small records are read through a buffer on the stack. */
#define STACK_BUF	4096

_Static_assert(sizeof(struct ringbus_record_header) == 32,
	       "the record header of the ABI is 32 bytes");
_Static_assert(sizeof(struct ringbus_create_opts) == 64,
	       "struct ringbus_create_opts is part of the library's ABI");

static int fail(int err)
{
	errno = err;
	return -err;
}

static ssize_t fail_ssize(int err)
{
	errno = err;
	return -(ssize_t)err;
}

/* A message for ringbus_ctl_open()'s caller, if it gave a buffer. */
static void set_msg(char *msg, size_t msglen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_msg(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	if (!msg || msglen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
}

/* strerror(), thread-safe (the XSI strerror_r). */
static const char *errtext(int err, char *buf, size_t len)
{
	if (strerror_r(err, buf, len) != 0)
		snprintf(buf, len, "error %d", err);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Names */

LIBRINGBUS_API int ringbus_name_valid(const char *name)
{
	size_t i, n;

	if (!name)
		return fail(EINVAL);
	n = strnlen(name, RINGBUS_NAME_MAX);
	if (n == 0 || n >= RINGBUS_NAME_MAX || strcmp(name, "control") == 0 ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return fail(EINVAL);
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return fail(EINVAL);
	}
	return 0;
}

/* Copies a valid name into a zeroed RINGBUS_NAME_MAX field of the ABI. */
static void copy_name(char *dst, const char *name)
{
	memcpy(dst, name, strnlen(name, RINGBUS_NAME_MAX - 1));
}

/* ------------------------------------------------------------------ */
/* The control node */

LIBRINGBUS_API int ringbus_ctl_open(const char *path, struct ringbus_ctl **ctlp,
				    char *msg, size_t msglen)
{
	struct ringbus_version v;
	struct ringbus_ctl *ctl;
	char ebuf[128];
	int fd, e;

	set_msg(msg, msglen, "%s", "");
	if (!ctlp) {
		set_msg(msg, msglen, "ringbus_ctl_open: no place for the handle (ctlp is NULL)");
		return fail(EINVAL);
	}
	*ctlp = NULL;
	if (!path)
		path = LIBRINGBUS_CONTROL_PATH;

	fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		set_msg(msg, msglen, "%s: %s%s", path, errtext(e, ebuf, sizeof(ebuf)),
			e == ENOENT || e == ENXIO || e == ENODEV ?
			" (is the ringbus module installed?)" :
			e == EACCES || e == EPERM ?
			" (are you root or in the ringbus group?)" : "");
		return fail(e);
	}

	/* The ABI negotiation: the module's major must be ours. */
	memset(&v, 0, sizeof(v));
	if (ioctl(fd, RINGBUS_IOC_VERSION, &v) < 0) {
		e = errno;
		if (e == ENOTTY)
			set_msg(msg, msglen, "%s is not a ringbus control node (RINGBUS_IOC_VERSION: %s)",
				path, errtext(e, ebuf, sizeof(ebuf)));
		else
			set_msg(msg, msglen, "%s: RINGBUS_IOC_VERSION: %s", path,
				errtext(e, ebuf, sizeof(ebuf)));
		close(fd);
		return fail(e);
	}
	if (v.abi_major != LIB_ABI_MAJOR) {
		set_msg(msg, msglen,
			"the ringbus module has ABI %u.%u, libringbus speaks ABI %u.%u",
			(unsigned int)v.abi_major, (unsigned int)v.abi_minor,
			(unsigned int)LIB_ABI_MAJOR, (unsigned int)LIB_ABI_MINOR);
		close(fd);
		return fail(EPROTO);
	}

	ctl = calloc(1, sizeof(*ctl));
	if (!ctl) {
		set_msg(msg, msglen, "ringbus_ctl_open: %s", errtext(ENOMEM, ebuf, sizeof(ebuf)));
		close(fd);
		return fail(ENOMEM);
	}
	ctl->fd = fd;
	ctl->version = v;
	*ctlp = ctl;
	return 0;
}

LIBRINGBUS_API void ringbus_ctl_close(struct ringbus_ctl *ctl)
{
	int e = errno;

	if (!ctl)
		return;
	close(ctl->fd);
	free(ctl);
	errno = e;
}

LIBRINGBUS_API int ringbus_ctl_fd(const struct ringbus_ctl *ctl)
{
	if (!ctl)
		return fail(EINVAL);
	return ctl->fd;
}

LIBRINGBUS_API int ringbus_ctl_version(const struct ringbus_ctl *ctl,
				       struct ringbus_version *version)
{
	if (!ctl || !version)
		return fail(EINVAL);
	*version = ctl->version;
	return 0;
}

/* A handle and a valid name, or -EINVAL before any system call. */
static int ctl_check(const struct ringbus_ctl *ctl, const char *name)
{
	if (!ctl || !name)
		return fail(EINVAL);
	return ringbus_name_valid(name);
}

static int do_ioctl(int fd, unsigned long req, void *arg)
{
	if (ioctl(fd, req, arg) < 0)
		return fail(errno);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Channels */

LIBRINGBUS_API int ringbus_create(struct ringbus_ctl *ctl, const char *name,
				  const struct ringbus_create_opts *opts)
{
	struct ringbus_create cr;
	int rc;

	rc = ctl_check(ctl, name);
	if (rc < 0)
		return rc;
	memset(&cr, 0, sizeof(cr));
	copy_name(cr.name, name);
	if (opts) {
		size_t i;

		for (i = 0; i < sizeof(opts->reserved) / sizeof(opts->reserved[0]); i++)
			if (opts->reserved[i])
				return fail(EINVAL);
		cr.capacity = opts->capacity;
		cr.mode = opts->mode;
		cr.max_record = opts->max_record;
		cr.ttl_ms = opts->ttl_ms;
		/* Unknown bits go to the kernel, which refuses them. */
		cr.flags = opts->flags;
		if (opts->flags & RINGBUS_CREATE_UID)
			cr.uid = opts->uid;
		if (opts->flags & RINGBUS_CREATE_GID)
			cr.gid = opts->gid;
		if (opts->flags & RINGBUS_CREATE_PERM)
			cr.perm = opts->perm;
	}
	return do_ioctl(ctl->fd, RINGBUS_IOC_CREATE, &cr);
}

LIBRINGBUS_API int ringbus_destroy(struct ringbus_ctl *ctl, const char *name)
{
	struct ringbus_name rn;
	int rc;

	rc = ctl_check(ctl, name);
	if (rc < 0)
		return rc;
	memset(&rn, 0, sizeof(rn));
	copy_name(rn.name, name);
	return do_ioctl(ctl->fd, RINGBUS_IOC_DESTROY, &rn);
}

LIBRINGBUS_API int ringbus_info(struct ringbus_ctl *ctl, const char *name,
				struct ringbus_info *info)
{
	int rc;

	if (!info)
		return fail(EINVAL);
	rc = ctl_check(ctl, name);
	if (rc < 0)
		return rc;
	memset(info, 0, sizeof(*info));
	copy_name(info->name, name);
	rc = do_ioctl(ctl->fd, RINGBUS_IOC_INFO, info);
	info->name[RINGBUS_NAME_MAX - 1] = '\0';
	return rc;
}

/*
 * The result of ringbus_list(): one allocation, the NULL-terminated array
 * of @count pointers and then the names they point to.
 */
static char **list_result(const char (*slots)[RINGBUS_NAME_MAX], uint32_t count)
{
	size_t ptrs = ((size_t)count + 1) * sizeof(char *);
	char **names;
	char *text;
	uint32_t i;

	names = malloc(ptrs + (size_t)count * RINGBUS_NAME_MAX);
	if (!names)
		return NULL;
	text = (char *)names + ptrs;
	for (i = 0; i < count; i++) {
		names[i] = text + (size_t)i * RINGBUS_NAME_MAX;
		memcpy(names[i], slots[i], RINGBUS_NAME_MAX);
		names[i][RINGBUS_NAME_MAX - 1] = '\0';
	}
	names[count] = NULL;
	return names;
}

LIBRINGBUS_API int ringbus_list(struct ringbus_ctl *ctl, char ***namesp)
{
	char (*slots)[RINGBUS_NAME_MAX] = NULL;
	uint32_t room = 0;
	unsigned int tries;

	if (!namesp)
		return fail(EINVAL);
	*namesp = NULL;
	if (!ctl)
		return fail(EINVAL);
	/*
	 * Ask how many there are, fetch that many, and ask again with more
	 * room while the answer says more exist (channels created meanwhile).
	 */
	for (tries = 0; ; tries++) {
		struct ringbus_list l;
		char **names;

		memset(&l, 0, sizeof(l));
		l.names = (__u64)(uintptr_t)slots;
		l.count = room;
		if (ioctl(ctl->fd, RINGBUS_IOC_LIST, &l) < 0) {
			int e = errno;

			free(slots);
			return fail(e);
		}
		if (l.count <= room) {
			if (l.count > INT_MAX) {
				free(slots);
				return fail(EOVERFLOW);
			}
			names = list_result((const char (*)[RINGBUS_NAME_MAX])slots, l.count);
			free(slots);
			if (!names)
				return fail(ENOMEM);
			*namesp = names;
			return (int)l.count;
		}
		/* With slack after the first retry, so churn cannot keep us here. */
		free(slots);
		room = l.count;
		if (tries > 0 && room <= UINT32_MAX - 16)
			room += 16;
		slots = calloc(room, RINGBUS_NAME_MAX);
		if (!slots)
			return fail(ENOMEM);
	}
}

LIBRINGBUS_API void ringbus_list_free(char **names)
{
	int e = errno;

	free(names);
	errno = e;
}

/* ------------------------------------------------------------------ */
/* A channel's node */

LIBRINGBUS_API int ringbus_channel_open(const char *dir, const char *name,
					int flags)
{
	struct ringbus_info info;
	char path[PATH_MAX];
	int fd, n, rc;

	rc = ringbus_name_valid(name);
	if (rc < 0)
		return rc;
	if ((flags & ~(O_ACCMODE | O_NONBLOCK | O_CLOEXEC)) != 0 ||
	    (flags & O_ACCMODE) == O_ACCMODE)
		return fail(EINVAL);
	if (!dir)
		dir = LIBRINGBUS_DEV_DIR;
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return fail(ENAMETOOLONG);
	fd = open(path, flags | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(errno);
	/* A ringbus channel node answers RINGBUS_IOC_CHAN_INFO. */
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, RINGBUS_IOC_CHAN_INFO, &info) < 0) {
		int e = errno;

		close(fd);
		return fail(e);
	}
	return fd;
}

LIBRINGBUS_API int ringbus_chan_info(int fd, struct ringbus_info *info)
{
	int rc;

	if (!info)
		return fail(EINVAL);
	memset(info, 0, sizeof(*info));
	rc = do_ioctl(fd, RINGBUS_IOC_CHAN_INFO, info);
	info->name[RINGBUS_NAME_MAX - 1] = '\0';
	return rc;
}

LIBRINGBUS_API int ringbus_stats(int fd, struct ringbus_stats *stats)
{
	if (!stats)
		return fail(EINVAL);
	memset(stats, 0, sizeof(*stats));
	return do_ioctl(fd, RINGBUS_IOC_STATS, stats);
}

LIBRINGBUS_API int ringbus_flush(int fd)
{
	if (ioctl(fd, RINGBUS_IOC_FLUSH) < 0)
		return fail(errno);
	return 0;
}

LIBRINGBUS_API int ringbus_set_opts(int fd, uint32_t flags)
{
	struct ringbus_fd_opts o;

	memset(&o, 0, sizeof(o));
	o.flags = flags;
	return do_ioctl(fd, RINGBUS_IOC_SET_OPTS, &o);
}

LIBRINGBUS_API int ringbus_get_opts(int fd, uint32_t *flags)
{
	struct ringbus_fd_opts o;
	int rc;

	if (!flags)
		return fail(EINVAL);
	memset(&o, 0, sizeof(o));
	rc = do_ioctl(fd, RINGBUS_IOC_GET_OPTS, &o);
	if (rc == 0)
		*flags = o.flags;
	return rc;
}

LIBRINGBUS_API int ringbus_seek(int fd, int whence)
{
	if (lseek(fd, 0, whence) == (off_t)-1)
		return fail(errno);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Records */

LIBRINGBUS_API ssize_t ringbus_send(int fd, const void *buf, size_t len)
{
	ssize_t n;

	if (!buf)
		return fail_ssize(EINVAL);
	n = write(fd, buf, len);
	if (n < 0)
		return fail_ssize(errno);
	return n;
}

LIBRINGBUS_API ssize_t ringbus_recv(int fd, void *buf, size_t len)
{
	ssize_t n;

	if (!buf)
		return fail_ssize(EINVAL);
	n = read(fd, buf, len);
	if (n < 0)
		return fail_ssize(errno);
	return n;
}

/*
 * One RINGBUS_IOC_READ_BATCH into @buf of @len bytes, at most @max
 * records (0: no limit); returns the records read (0: end of file, the
 * channel was destroyed) and their bytes in *@bytes.
 */
static int read_batch(int fd, void *buf, size_t len, unsigned int max,
		      size_t *bytes)
{
	struct ringbus_batch b;

	memset(&b, 0, sizeof(b));
	b.buf = (__u64)(uintptr_t)buf;
	b.buf_len = len;
	b.max_records = max;
	if (ioctl(fd, RINGBUS_IOC_READ_BATCH, &b) < 0)
		return fail(errno);
	if (b.count > INT_MAX || b.bytes > len)
		return fail(EIO);
	*bytes = (size_t)b.bytes;
	return (int)b.count;
}

/*
 * The next record of a READ_BATCH result of @bytes bytes at offset *@off:
 * its header in *@hdr, its payload's offset in *@data; *@off moves to the
 * record after it.  -EIO if the record runs past the buffer.
 */
static int next_record(const unsigned char *buf, size_t bytes, size_t *off,
		       struct ringbus_record_header *hdr, size_t *data)
{
	size_t rest;

	if (*off > bytes || bytes - *off < HDR_SIZE)
		return fail(EIO);
	memcpy(hdr, buf + *off, HDR_SIZE);
	rest = bytes - *off - HDR_SIZE;
	if (hdr->len > rest)
		return fail(EIO);
	*data = *off + HDR_SIZE;
	/* The last record's padding may lie beyond the buffer. */
	*off = *data + PAD8((size_t)hdr->len);
	if (*off > bytes)
		*off = bytes;
	return 0;
}

/*
 * A record with its header, whatever the file's RINGBUS_FD_HEADERS: one
 * READ_BATCH of at most one record, which always carries the header.
 */
LIBRINGBUS_API ssize_t ringbus_recv_hdr(int fd, struct ringbus_record_header *hdr,
					void *buf, size_t len)
{
	uint64_t stack[STACK_BUF / sizeof(uint64_t)];
	unsigned char *tmp;
	size_t bytes = 0, off = 0, data;
	int n;

	if (!hdr || (!buf && len > 0))
		return fail_ssize(EINVAL);
	if (len > RECORD_LIMIT)
		len = RECORD_LIMIT;
	if (HDR_SIZE + len <= sizeof(stack)) {
		tmp = (unsigned char *)stack;
	} else {
		tmp = malloc(HDR_SIZE + len);
		if (!tmp)
			return fail_ssize(ENOMEM);
	}
	n = read_batch(fd, tmp, HDR_SIZE + len, 1, &bytes);
	if (n > 1) {
		n = -EIO;
	} else if (n == 1) {
		int rc = next_record(tmp, bytes, &off, hdr, &data);

		if (rc < 0)
			n = rc;
		else if (hdr->len > 0)
			memcpy(buf, tmp + data, hdr->len);
	}
	if (tmp != (unsigned char *)stack)
		free(tmp);
	if (n < 0)
		return fail_ssize(-n);
	if (n == 0) {
		/* End of file: the channel was destroyed. */
		memset(hdr, 0, sizeof(*hdr));
		return 0;
	}
	return (ssize_t)hdr->len;
}

LIBRINGBUS_API int ringbus_send_batch(int fd, const struct iovec *recs,
				      unsigned int count)
{
	struct ringbus_batch b;
	unsigned char *buf, *p;
	size_t total = 0;
	unsigned int i;

	if (!recs || count == 0 || count > INT_MAX)
		return fail(EINVAL);
	for (i = 0; i < count; i++) {
		size_t len = recs[i].iov_len;

		/* The kernel refuses empty records; so do we, up front. */
		if (len == 0 || len > UINT32_MAX || !recs[i].iov_base)
			return fail(EINVAL);
		if (len > RECORD_LIMIT)
			return fail(EMSGSIZE);
		if (total > SIZE_MAX - WLEN_SIZE - PAD8(len))
			return fail(ENOMEM);
		total += WLEN_SIZE + PAD8(len);
	}
	/* Zeroed: the second length word and the padding. */
	buf = calloc(1, total);
	if (!buf)
		return fail(ENOMEM);
	for (p = buf, i = 0; i < count; i++) {
		uint32_t len = (uint32_t)recs[i].iov_len;

		memcpy(p, &len, sizeof(len));
		memcpy(p + WLEN_SIZE, recs[i].iov_base, len);
		p += WLEN_SIZE + PAD8((size_t)len);
	}
	memset(&b, 0, sizeof(b));
	b.buf = (__u64)(uintptr_t)buf;
	b.buf_len = total;
	b.max_records = count;
	if (ioctl(fd, RINGBUS_IOC_WRITE_BATCH, &b) < 0) {
		int e = errno;

		free(buf);
		return fail(e);
	}
	free(buf);
	if (b.count > count)
		return fail(EIO);
	return (int)b.count;
}

LIBRINGBUS_API int ringbus_recv_batch(int fd, void *buf, size_t len,
				      struct ringbus_rec *recs, unsigned int max)
{
	size_t bytes = 0, off = 0, data;
	int n, i;

	if (!buf || !recs || max == 0 || len == 0)
		return fail(EINVAL);
	if (max > INT_MAX)
		max = INT_MAX;
	n = read_batch(fd, buf, len, max, &bytes);
	if (n < 0)
		return n;
	if ((unsigned int)n > max)
		return fail(EIO);
	for (i = 0; i < n; i++) {
		int rc = next_record(buf, bytes, &off, &recs[i].hdr, &data);

		if (rc < 0)
			return rc;
		recs[i].data = (const unsigned char *)buf + data;
	}
	return n;
}
