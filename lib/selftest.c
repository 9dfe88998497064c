// SPDX-License-Identifier: GPL-2.0-only
/*
 * selftest - libringbus's host-side test (make -C lib check): no module
 * is needed or loaded.
 *
 * It checks the error paths against real files (a control path that does
 * not exist, /dev/null, a regular file, a directory), the refusal of
 * invalid names and NULL arguments before any system call, and how the
 * library marshals every ioctl.  For the last, this program defines
 * ioctl() itself: the shared library's calls then come here (the
 * executable's definition interposes libc's).  Two temporary files stand
 * in for a control node and a channel node: an ioctl on them is answered
 * by the stand-in below as the module would; on any other file it is the
 * real system call.
 *
 * Output: one "ok N - what" or "not ok N - what" line per check, then a
 * summary; the exit status is 1 if any check failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ringbus.h"

static unsigned int tests, failures;

static void check(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!ok)
		failures++;
	printf("%s %u - ", ok ? "ok" : "not ok", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A call that must fail with -@err and leave errno at @err. */
#define FAILS(call, err) do { \
	long r_; \
	errno = 0; \
	r_ = (long)(call); \
	check(r_ == -(long)(err) && errno == (err), "%s gives -%s (got %ld, errno %d)", \
	      #call, #err, r_, errno); \
} while (0)

/* ------------------------------------------------------------------ */
/* The stand-in of the module */

static struct {
	dev_t dev;
	ino_t ctl_ino, chan_ino;
	unsigned int calls;		/* ioctls on the stand-in nodes */
	struct ringbus_version version;
	struct ringbus_create create;	/* the last CREATE */
	struct ringbus_name destroy;	/* the last DESTROY */
	int destroy_err;		/* what DESTROY answers */
	const char *const *names;	/* the channels LIST reports */
	unsigned int nnames, grow;	/* LIST: after the first call, @grow more */
	unsigned int list_calls;
	uint32_t fd_flags;		/* SET_OPTS / GET_OPTS */
	unsigned int flushes;
	unsigned char wbuf[256];	/* the last WRITE_BATCH's records */
	struct ringbus_batch wbatch;
	unsigned int wcount;		/* WRITE_BATCH: records it takes */
	struct ringbus_batch rbatch;	/* the last READ_BATCH's argument */
	unsigned int nrecs;		/* READ_BATCH: records it has */
	int rbad;			/* READ_BATCH: a length past the buffer */
} fake;

static const char *const rec_data[] = { "abc", "defgh", "hello, world" };

static int fake_kind(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || st.st_dev != fake.dev)
		return 0;
	if (st.st_ino == fake.ctl_ino)
		return 1;
	if (st.st_ino == fake.chan_ino)
		return 2;
	return 0;
}

static int fake_err(int err)
{
	errno = err;
	return -1;
}

static int fake_ctl(unsigned long req, void *arg)
{
	switch (req) {
	case RINGBUS_IOC_VERSION:
		memcpy(arg, &fake.version, sizeof(fake.version));
		return 0;
	case RINGBUS_IOC_CREATE:
		memcpy(&fake.create, arg, sizeof(fake.create));
		return 0;
	case RINGBUS_IOC_DESTROY:
		memcpy(&fake.destroy, arg, sizeof(fake.destroy));
		return fake.destroy_err ? fake_err(fake.destroy_err) : 0;
	case RINGBUS_IOC_LIST: {
		struct ringbus_list *l = arg;
		unsigned int n = fake.nnames, i;

		if (l->flags || l->reserved[0] || l->reserved[1])
			return fake_err(EINVAL);
		/* Channels "created" between the calls. */
		if (fake.list_calls++ == 0)
			n -= fake.grow;
		for (i = 0; i < n && i < l->count; i++) {
			char *slot = (char *)(uintptr_t)l->names + (size_t)i * RINGBUS_NAME_MAX;

			memset(slot, 0, RINGBUS_NAME_MAX);
			memcpy(slot, fake.names[i], strlen(fake.names[i]));
		}
		l->count = n;
		return 0;
	}
	case RINGBUS_IOC_INFO: {
		struct ringbus_info *in = arg;
		char name[RINGBUS_NAME_MAX];

		if (in->reserved0 || in->reserved[0] || in->reserved[1] ||
		    !memchr(in->name, 0, sizeof(in->name)))
			return fake_err(EINVAL);
		if (strcmp(in->name, "there") != 0)
			return fake_err(ENOENT);
		memcpy(name, in->name, sizeof(name));
		memset(in, 0, sizeof(*in));
		memcpy(in->name, name, sizeof(name));
		in->capacity = 4096;
		in->max_record = 1024;
		in->mode = RINGBUS_MODE_QUEUE;
		in->minor = 7;
		return 0;
	}
	default:
		return fake_err(ENOTTY);
	}
}

/* READ_BATCH as the module fills it: header, payload, padding to 8. */
static int fake_read_batch(struct ringbus_batch *b)
{
	unsigned char *buf = (unsigned char *)(uintptr_t)b->buf;
	size_t off = 0;
	unsigned int i;

	fake.rbatch = *b;
	if (b->count || b->bytes || b->flags || b->reserved)
		return fake_err(EINVAL);
	if (fake.nrecs == 0)
		return 0;	/* destroyed: end of file, nothing written back */
	for (i = 0; i < fake.nrecs && (!b->max_records || i < b->max_records); i++) {
		struct ringbus_record_header h;
		size_t len = strlen(rec_data[i % 3]);

		if (off + sizeof(h) + len > b->buf_len) {
			if (i == 0)
				return fake_err(EMSGSIZE);
			break;
		}
		memset(&h, 0, sizeof(h));
		h.seq = 10 + i;
		h.ts_ns = 1000000000ULL * (i + 1);
		h.pid = 42;
		h.uid = 1000;
		h.len = (uint32_t)len + (fake.rbad ? 100 : 0);
		memcpy(buf + off, &h, sizeof(h));
		memcpy(buf + off + sizeof(h), rec_data[i % 3], len);
		off += sizeof(h) + ((len + 7) & ~(size_t)7);
		if (off > b->buf_len)
			off = b->buf_len;
	}
	b->count = i;
	b->bytes = off;
	return 0;
}

static int fake_chan(unsigned long req, void *arg)
{
	switch (req) {
	case RINGBUS_IOC_CHAN_INFO:
		memset(arg, 0, sizeof(struct ringbus_info));
		strcpy(((struct ringbus_info *)arg)->name, "chan");
		return 0;
	case RINGBUS_IOC_STATS: {
		struct ringbus_stats *s = arg;

		memset(s, 0, sizeof(*s));
		s->records_written = 7;
		s->fd_next_seq = 8;
		return 0;
	}
	case RINGBUS_IOC_FLUSH:
		fake.flushes++;
		return 0;
	case RINGBUS_IOC_SET_OPTS: {
		const struct ringbus_fd_opts *o = arg;

		if (o->reserved || (o->flags & ~RINGBUS_FD_HEADERS))
			return fake_err(EINVAL);
		fake.fd_flags = o->flags;
		return 0;
	}
	case RINGBUS_IOC_GET_OPTS: {
		struct ringbus_fd_opts *o = arg;

		o->flags = fake.fd_flags;
		o->reserved = 0;
		return 0;
	}
	case RINGBUS_IOC_WRITE_BATCH: {
		struct ringbus_batch *b = arg;

		fake.wbatch = *b;
		if (b->count || b->bytes || b->flags || b->reserved)
			return fake_err(EINVAL);
		if (b->buf_len > sizeof(fake.wbuf))
			return fake_err(EFBIG);
		memcpy(fake.wbuf, (const void *)(uintptr_t)b->buf, b->buf_len);
		b->count = fake.wcount;
		b->bytes = b->buf_len;
		return 0;
	}
	case RINGBUS_IOC_READ_BATCH:
		return fake_read_batch(arg);
	default:
		return fake_err(ENOTTY);
	}
}

/*
 * The executable's ioctl(), which the library's calls reach.  (FLUSH has
 * no argument: the va_arg then reads an unused value, as libc's does.)
 */
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int kind;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	kind = fake_kind(fd);
	if (kind == 0)
		return (int)syscall(SYS_ioctl, fd, req, arg);
	fake.calls++;
	return kind == 1 ? fake_ctl(req, arg) : fake_chan(req, arg);
}

/* ------------------------------------------------------------------ */

static char tmpdir[] = "/tmp/libringbus-selftest.XXXXXX";
static char ctl_path[PATH_MAX], chan_path[PATH_MAX], plain_path[PATH_MAX];

static void make_file(char *path, const char *name, ino_t *ino)
{
	struct stat st;
	int fd;

	snprintf(path, PATH_MAX, "%s/%s", tmpdir, name);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(path);
		exit(2);
	}
	close(fd);
	fake.dev = st.st_dev;
	if (ino)
		*ino = st.st_ino;
}

/* The lowest free descriptor: unchanged after a failed call, no leak. */
static int lowest_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

static void test_open_errors(void)
{
	struct ringbus_ctl *ctl = (struct ringbus_ctl *)&ctl;
	char msg[LIBRINGBUS_MSG_MAX], small[8];
	int fd0 = lowest_fd();

	FAILS(ringbus_ctl_open("/nonexistent/ringbus/control", &ctl, msg, sizeof(msg)), ENOENT);
	check(ctl == NULL, "a failed ringbus_ctl_open() leaves the handle NULL");
	check(strstr(msg, "/nonexistent/ringbus/control: ") == msg &&
	      strstr(msg, "(is the ringbus module installed?)") != NULL,
	      "ENOENT message names the path and the module: \"%s\"", msg);

	FAILS(ringbus_ctl_open("/dev/null", &ctl, msg, sizeof(msg)), ENOTTY);
	check(strstr(msg, "/dev/null is not a ringbus control node") == msg,
	      "/dev/null: \"%s\"", msg);
	FAILS(ringbus_ctl_open(plain_path, &ctl, msg, sizeof(msg)), ENOTTY);
	check(strstr(msg, "is not a ringbus control node") != NULL,
	      "a regular file: \"%s\"", msg);
	FAILS(ringbus_ctl_open(tmpdir, &ctl, NULL, 0), EISDIR);
	FAILS(ringbus_ctl_open(plain_path, NULL, msg, sizeof(msg)), EINVAL);
	FAILS(ringbus_ctl_open("/dev/null", &ctl, small, sizeof(small)), ENOTTY);
	check(strlen(small) == sizeof(small) - 1, "a small message buffer is filled and terminated");
	check(lowest_fd() == fd0, "no descriptor is left open by the failures");
}

/* The stand-in control node reports @major.@minor; -EPROTO or success. */
static void test_abi(void)
{
	struct ringbus_ctl *ctl = NULL;
	struct ringbus_version v;
	char msg[LIBRINGBUS_MSG_MAX], want[LIBRINGBUS_MSG_MAX];
	int fd0 = lowest_fd(), rc;

	memset(&fake.version, 0, sizeof(fake.version));
	fake.version.abi_major = RINGBUS_ABI_MAJOR;
	fake.version.abi_minor = RINGBUS_ABI_MINOR + 3;
	fake.version.version = 0x000102;
	rc = ringbus_ctl_open(ctl_path, &ctl, msg, sizeof(msg));
	check(rc == 0 && ctl != NULL && msg[0] == '\0',
	      "the same ABI major, a later minor: opened (rc %d, \"%s\")", rc, msg);
	memset(&v, 0, sizeof(v));
	check(ringbus_ctl_version(ctl, &v) == 0 && v.abi_major == RINGBUS_ABI_MAJOR &&
	      v.abi_minor == RINGBUS_ABI_MINOR + 3 && v.version == 0x000102,
	      "ringbus_ctl_version() gives what the module reported");
	check(ringbus_ctl_fd(ctl) >= 0 && fake_kind(ringbus_ctl_fd(ctl)) == 1,
	      "ringbus_ctl_fd() is the control node");
	errno = 1234;
	ringbus_ctl_close(ctl);
	check(errno == 1234 && lowest_fd() == fd0, "ringbus_ctl_close() closes and keeps errno");

	fake.version.abi_major = RINGBUS_ABI_MAJOR + 1;
	fake.version.abi_minor = 0;
	FAILS(ringbus_ctl_open(ctl_path, &ctl, msg, sizeof(msg)), EPROTO);
	snprintf(want, sizeof(want), "the ringbus module has ABI %u.0, libringbus speaks ABI %u.%u",
		 (unsigned int)RINGBUS_ABI_MAJOR + 1, (unsigned int)RINGBUS_ABI_MAJOR,
		 (unsigned int)RINGBUS_ABI_MINOR);
	check(strcmp(msg, want) == 0, "a later major: \"%s\"", msg);
	fake.version.abi_major = RINGBUS_ABI_MAJOR - 1;
	fake.version.abi_minor = 9;
	FAILS(ringbus_ctl_open(ctl_path, &ctl, msg, sizeof(msg)), EPROTO);
	snprintf(want, sizeof(want), "the ringbus module has ABI %u.9, libringbus speaks ABI %u.%u",
		 (unsigned int)RINGBUS_ABI_MAJOR - 1, (unsigned int)RINGBUS_ABI_MAJOR,
		 (unsigned int)RINGBUS_ABI_MINOR);
	check(strcmp(msg, want) == 0, "an earlier major: \"%s\"", msg);
	check(ctl == NULL && lowest_fd() == fd0, "a mismatch leaves no handle and no descriptor");
	fake.version.abi_major = RINGBUS_ABI_MAJOR;
	fake.version.abi_minor = RINGBUS_ABI_MINOR;
}

static struct ringbus_ctl *open_fake(void)
{
	struct ringbus_ctl *ctl = NULL;
	char msg[LIBRINGBUS_MSG_MAX];

	if (ringbus_ctl_open(ctl_path, &ctl, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "selftest: the stand-in control node: %s\n", msg);
		exit(2);
	}
	return ctl;
}

static void test_names(struct ringbus_ctl *ctl)
{
	static const char *const bad[] = {
		"", "control", ".", "..", "Upper", "a b", "a/b", "../x", "x*",
		"caf\xc3\xa9", "0123456789012345678901234567890123",
		"01234567890123456789012345678901",	/* 32 bytes */
	};
	static const char *const good[] = {
		"a", "abc-1_2.x", "...", "controls", "0123456789012345678901234567890",
	};
	struct ringbus_info info;
	unsigned int calls = fake.calls, i;
	int bad_ok = 1, good_ok = 1;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		if (ringbus_name_valid(bad[i]) != -EINVAL || errno != EINVAL ||
		    ringbus_create(ctl, bad[i], NULL) != -EINVAL ||
		    ringbus_destroy(ctl, bad[i]) != -EINVAL ||
		    ringbus_info(ctl, bad[i], &info) != -EINVAL ||
		    ringbus_channel_open(tmpdir, bad[i], O_RDONLY) != -EINVAL) {
			bad_ok = 0;
			printf("# accepted: \"%s\"\n", bad[i]);
		}
	}
	check(bad_ok, "invalid names give -EINVAL from name_valid, create, destroy, info, channel_open");
	check(fake.calls == calls, "... before any ioctl (%u made)", fake.calls - calls);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (ringbus_name_valid(good[i]) != 0) {
			good_ok = 0;
			printf("# refused: \"%s\"\n", good[i]);
		}
	}
	check(good_ok, "valid names (1 to 31 bytes of a-z 0-9 _ . -) are accepted");
	FAILS(ringbus_name_valid(NULL), EINVAL);
	/* A file of an invalid name exists: still refused, not opened. */
	check(ringbus_channel_open(tmpdir, "Plain", O_RDONLY) == -EINVAL,
	      "channel_open refuses an invalid name even where such a file exists");
}

static void test_null_args(struct ringbus_ctl *ctl, int chan)
{
	struct ringbus_record_header h;
	struct ringbus_rec recs[2];
	struct ringbus_info info;
	struct iovec iov[2];
	char **names = (char **)&names, buf[64];
	unsigned int calls = fake.calls;
	int e;

	FAILS(ringbus_create(NULL, "x", NULL), EINVAL);
	FAILS(ringbus_create(ctl, NULL, NULL), EINVAL);
	FAILS(ringbus_destroy(NULL, "x"), EINVAL);
	FAILS(ringbus_destroy(ctl, NULL), EINVAL);
	FAILS(ringbus_info(NULL, "x", &info), EINVAL);
	FAILS(ringbus_info(ctl, NULL, &info), EINVAL);
	FAILS(ringbus_info(ctl, "x", NULL), EINVAL);
	FAILS(ringbus_list(ctl, NULL), EINVAL);
	FAILS(ringbus_list(NULL, &names), EINVAL);
	check(names == NULL, "a failed ringbus_list() leaves the array NULL");
	FAILS(ringbus_ctl_fd(NULL), EINVAL);
	FAILS(ringbus_ctl_version(NULL, NULL), EINVAL);
	FAILS(ringbus_ctl_version(ctl, NULL), EINVAL);
	FAILS(ringbus_channel_open(tmpdir, NULL, O_RDONLY), EINVAL);
	FAILS(ringbus_channel_open(tmpdir, "chan", O_RDONLY | O_CREAT), EINVAL);
	FAILS(ringbus_channel_open(tmpdir, "chan", O_ACCMODE), EINVAL);
	FAILS(ringbus_chan_info(chan, NULL), EINVAL);
	FAILS(ringbus_stats(chan, NULL), EINVAL);
	FAILS(ringbus_get_opts(chan, NULL), EINVAL);
	FAILS(ringbus_send(chan, NULL, 1), EINVAL);
	FAILS(ringbus_recv(chan, NULL, 1), EINVAL);
	FAILS(ringbus_recv_hdr(chan, NULL, buf, sizeof(buf)), EINVAL);
	FAILS(ringbus_recv_hdr(chan, &h, NULL, sizeof(buf)), EINVAL);
	FAILS(ringbus_send_batch(chan, NULL, 1), EINVAL);
	FAILS(ringbus_send_batch(chan, iov, 0), EINVAL);
	iov[0].iov_base = buf;
	iov[0].iov_len = 3;
	iov[1].iov_base = buf;
	iov[1].iov_len = 0;
	FAILS(ringbus_send_batch(chan, iov, 2), EINVAL);
	iov[1].iov_base = NULL;
	iov[1].iov_len = 3;
	FAILS(ringbus_send_batch(chan, iov, 2), EINVAL);
	FAILS(ringbus_recv_batch(chan, NULL, 64, recs, 2), EINVAL);
	FAILS(ringbus_recv_batch(chan, buf, sizeof(buf), NULL, 2), EINVAL);
	FAILS(ringbus_recv_batch(chan, buf, sizeof(buf), recs, 0), EINVAL);
	check(fake.calls == calls, "NULL and invalid arguments: no ioctl made (%u)", fake.calls - calls);
	e = errno = 77;
	ringbus_ctl_close(NULL);
	ringbus_list_free(NULL);
	check(errno == e, "ringbus_ctl_close(NULL) and ringbus_list_free(NULL) do nothing");
}

static void test_control(struct ringbus_ctl *ctl)
{
	static const char *const names[] = { "alpha", "beta", "gamma", "delta" };
	struct ringbus_create_opts o;
	struct ringbus_create want;
	struct ringbus_info info;
	char **list = NULL;
	int n;

	check(ringbus_create(ctl, "chan1", NULL) == 0, "create without options");
	memset(&want, 0, sizeof(want));
	strcpy(want.name, "chan1");
	check(memcmp(&fake.create, &want, sizeof(want)) == 0,
	      "... sends the name, NUL-padded, and zeros");

	memset(&o, 0, sizeof(o));
	o.capacity = 8192;
	o.mode = RINGBUS_MODE_QUEUE;
	o.max_record = 100;
	o.ttl_ms = 5000;
	o.flags = RINGBUS_CREATE_UID | RINGBUS_CREATE_PERM;
	o.uid = 1000;
	o.gid = 55;	/* no RINGBUS_CREATE_GID: not sent */
	o.perm = 0640;
	check(ringbus_create(ctl, "0123456789012345678901234567890", &o) == 0,
	      "create with options and a 31-byte name");
	memset(&want, 0, sizeof(want));
	memcpy(want.name, "0123456789012345678901234567890", 31);
	want.capacity = 8192;
	want.mode = RINGBUS_MODE_QUEUE;
	want.max_record = 100;
	want.ttl_ms = 5000;
	want.flags = RINGBUS_CREATE_UID | RINGBUS_CREATE_PERM;
	want.uid = 1000;
	want.perm = 0640;
	check(memcmp(&fake.create, &want, sizeof(want)) == 0,
	      "... sends exactly struct ringbus_create (only the flagged ids)");
	o.reserved[6] = 1;
	FAILS(ringbus_create(ctl, "x", &o), EINVAL);

	check(ringbus_destroy(ctl, "chan1") == 0 && strcmp(fake.destroy.name, "chan1") == 0 &&
	      !fake.destroy.reserved[0] && !fake.destroy.reserved[1],
	      "destroy sends struct ringbus_name");
	fake.destroy_err = ENOENT;
	FAILS(ringbus_destroy(ctl, "gone"), ENOENT);
	fake.destroy_err = 0;

	memset(&info, 0xa5, sizeof(info));
	check(ringbus_info(ctl, "there", &info) == 0 && strcmp(info.name, "there") == 0 &&
	      info.capacity == 4096 && info.max_record == 1024 &&
	      info.mode == RINGBUS_MODE_QUEUE && info.minor == 7,
	      "info sends the name with zeroed reserved fields and returns the answer");
	FAILS(ringbus_info(ctl, "missing", &info), ENOENT);

	fake.names = names;
	fake.nnames = 4;
	fake.grow = 2;
	fake.list_calls = 0;
	n = ringbus_list(ctl, &list);
	check(n == 4 && list && !strcmp(list[0], "alpha") && !strcmp(list[3], "delta") &&
	      list[4] == NULL, "list: four names, NULL-terminated, although two came meanwhile (%d)", n);
	check(fake.list_calls == 3, "... with a sizing call and a retry (%u calls)", fake.list_calls);
	errno = 55;
	ringbus_list_free(list);
	check(errno == 55, "ringbus_list_free() keeps errno");
	fake.nnames = 0;
	fake.grow = 0;
	list = NULL;
	n = ringbus_list(ctl, &list);
	check(n == 0 && list && list[0] == NULL, "list of no channel: an empty array");
	ringbus_list_free(list);
}

static void test_channel(int chan)
{
	static const char *const data[] = { "a", "12345678", "thirteen byte" };
	struct ringbus_record_header h;
	struct ringbus_rec recs[4];
	struct ringbus_stats st;
	struct ringbus_info info;
	struct iovec iov[3];
	uint32_t flags = 99, len;
	unsigned char buf[256];
	unsigned char *big;
	size_t i, off;
	ssize_t n;
	int ok, fds[2];

	check(ringbus_chan_info(chan, &info) == 0 && strcmp(info.name, "chan") == 0,
	      "chan_info");
	check(ringbus_stats(chan, &st) == 0 && st.records_written == 7 && st.fd_next_seq == 8,
	      "stats");
	check(ringbus_flush(chan) == 0 && fake.flushes == 1, "flush");
	check(ringbus_set_opts(chan, RINGBUS_FD_HEADERS) == 0 &&
	      ringbus_get_opts(chan, &flags) == 0 && flags == RINGBUS_FD_HEADERS,
	      "set_opts / get_opts: RINGBUS_FD_HEADERS");
	FAILS(ringbus_set_opts(chan, 0x80), EINVAL);

	for (i = 0; i < 3; i++) {
		iov[i].iov_base = (void *)data[i];
		iov[i].iov_len = strlen(data[i]);
	}
	fake.wcount = 3;
	check(ringbus_send_batch(chan, iov, 3) == 3, "send_batch of three records");
	check(fake.wbatch.buf_len == 16 + 16 + 24 && fake.wbatch.max_records == 3,
	      "... a buffer of 56 bytes, max_records 3 (%llu, %u)",
	      (unsigned long long)fake.wbatch.buf_len, fake.wbatch.max_records);
	ok = 1;
	for (off = 0, i = 0; i < 3; i++) {
		uint32_t zero;
		size_t pad;

		memcpy(&len, fake.wbuf + off, 4);
		memcpy(&zero, fake.wbuf + off + 4, 4);
		if (len != strlen(data[i]) || zero != 0 ||
		    memcmp(fake.wbuf + off + 8, data[i], len) != 0)
			ok = 0;
		for (pad = len; pad % 8; pad++)
			if (fake.wbuf[off + 8 + pad] != 0)
				ok = 0;
		off += 8 + ((len + 7) & ~7U);
	}
	check(ok, "... each record a __u32 length, a __u32 zero, the payload, zero padding to 8");
	fake.wcount = 2;
	check(ringbus_send_batch(chan, iov, 3) == 2, "send_batch returns what the kernel took");

	fake.nrecs = 3;
	fake.rbad = 0;
	n = ringbus_recv_batch(chan, buf, sizeof(buf), recs, 4);
	check(n == 3 && recs[0].hdr.seq == 10 && recs[2].hdr.seq == 12 &&
	      recs[1].hdr.len == 5 && memcmp(recs[1].data, "defgh", 5) == 0 &&
	      recs[2].hdr.len == 12 && memcmp(recs[2].data, "hello, world", 12) == 0 &&
	      recs[0].hdr.pid == 42 && recs[0].hdr.uid == 1000 &&
	      recs[0].hdr.ts_ns == 1000000000ULL,
	      "recv_batch parses header, payload and padding of each record (%zd)", n);
	check(fake.rbatch.max_records == 4 && fake.rbatch.buf_len == sizeof(buf),
	      "... asking for at most 4 records in the whole buffer");
	n = ringbus_recv_batch(chan, buf, 32 + 3 + 5 + 32 + 5, recs, 4);
	check(n == 2 && recs[1].hdr.len == 5, "recv_batch: the last padding may lie beyond the buffer (%zd)", n);
	n = ringbus_recv_batch(chan, buf, sizeof(buf), recs, 1);
	check(n == 1 && recs[0].hdr.seq == 10, "recv_batch: max limits the records");
	FAILS(ringbus_recv_batch(chan, buf, 20, recs, 4), EMSGSIZE);
	fake.rbad = 1;
	FAILS(ringbus_recv_batch(chan, buf, sizeof(buf), recs, 4), EIO);
	fake.rbad = 0;

	memset(&h, 0, sizeof(h));
	memset(buf, 0, sizeof(buf));
	n = ringbus_recv_hdr(chan, &h, buf, 3);
	check(n == 3 && h.seq == 10 && h.len == 3 && memcmp(buf, "abc", 3) == 0 &&
	      fake.rbatch.max_records == 1 && fake.rbatch.buf_len == 32 + 3,
	      "recv_hdr: one READ_BATCH of one record into header + len bytes (%zd)", n);
	FAILS(ringbus_recv_hdr(chan, &h, buf, 2), EMSGSIZE);
	big = malloc(100000);
	check(big && ringbus_recv_hdr(chan, &h, big, 100000) == 3 && memcmp(big, "abc", 3) == 0,
	      "recv_hdr with a buffer larger than the stack's");
	free(big);
	fake.nrecs = 0;
	memset(&h, 0xff, sizeof(h));
	n = ringbus_recv_hdr(chan, &h, buf, sizeof(buf));
	check(n == 0 && h.seq == 0 && h.len == 0, "recv_hdr: 0 at end of file (a destroyed channel)");
	check(ringbus_recv_batch(chan, buf, sizeof(buf), recs, 4) == 0,
	      "recv_batch: 0 at end of file");

	/* send/recv/seek are plain system calls; a pipe shows their errors. */
	if (pipe(fds) == 0) {
		check(ringbus_send(fds[1], "xyz", 3) == 3, "send writes one record");
		check(ringbus_recv(fds[0], buf, sizeof(buf)) == 3 && memcmp(buf, "xyz", 3) == 0,
		      "recv reads it");
		FAILS(ringbus_seek(fds[0], SEEK_SET), ESPIPE);
		FAILS(ringbus_send(fds[0], "x", 1), EBADF);
		close(fds[0]);
		close(fds[1]);
	}
	FAILS(ringbus_stats(-1, &st), EBADF);
	FAILS(ringbus_flush(-1), EBADF);
}

static void test_channel_open(void)
{
	int fd0 = lowest_fd(), fd;

	fd = ringbus_channel_open(tmpdir, "chan", O_RDWR | O_NONBLOCK);
	check(fd >= 0 && fake_kind(fd) == 2, "channel_open(DIR, NAME) opens DIR/NAME (%d)", fd);
	if (fd >= 0) {
		check((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0 &&
		      (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0,
		      "... close-on-exec, with the O_NONBLOCK asked for");
		test_channel(fd);
		close(fd);
	}
	FAILS(ringbus_channel_open(tmpdir, "plain", O_RDONLY), ENOTTY);
	FAILS(ringbus_channel_open(tmpdir, "missing", O_RDONLY), ENOENT);
	FAILS(ringbus_channel_open("/nonexistent/dir", "chan", O_RDONLY), ENOENT);
	check(lowest_fd() == fd0, "channel_open leaves no descriptor behind when it fails");
}

int main(void)
{
	struct ringbus_ctl *ctl;
	char chan_dir_file[PATH_MAX];
	int chan;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	make_file(ctl_path, "control", &fake.ctl_ino);
	make_file(chan_path, "chan", &fake.chan_ino);
	make_file(plain_path, "plain", NULL);
	make_file(chan_dir_file, "Plain", NULL);

	test_open_errors();
	test_abi();
	ctl = open_fake();
	chan = open(chan_path, O_RDWR | O_CLOEXEC);
	if (chan < 0) {
		perror(chan_path);
		return 2;
	}
	test_names(ctl);
	test_null_args(ctl, chan);
	test_control(ctl);
	close(chan);
	test_channel_open();
	ringbus_ctl_close(ctl);

	unlink(ctl_path);
	unlink(chan_path);
	unlink(plain_path);
	unlink(chan_dir_file);
	rmdir(tmpdir);
	printf("# %u checks, %u failed\n", tests, failures);
	return failures ? 1 : 0;
}
