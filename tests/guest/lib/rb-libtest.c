// SPDX-License-Identifier: GPL-2.0-only
/*
 * rb-libtest [VERSION] - libringbus against the running modules: every
 * function of <ringbus.h> on real channels, as root.  One line per test,
 * "ok - NAME" or "not ok - NAME: why", then a summary; the exit status is
 * 1 if a test failed.  VERSION (e.g. 0.1.0) is the suite version the
 * module must report.
 *
 * build-programs builds it twice: against the installed library with
 * pkg-config (bin/rb-libtest), and for 32-bit x86 with libringbus.c
 * compiled in (bin/rb-libtest-32, the compat ioctl path).  The channels
 * it makes are named rblib-*; leftovers of an earlier run are destroyed
 * first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <ringbus.h>

static struct ringbus_ctl *ctl;
static const char *want_version;
static unsigned int failed, passed, skipped;
static const char *cur;
static char why[512];

/* A failed check: records why and ends the test (a function of void). */
#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		int n_ = snprintf(why, sizeof(why), "line %d: %s: ", __LINE__, #cond); \
		if (n_ > 0 && (size_t)n_ < sizeof(why)) \
			snprintf(why + n_, sizeof(why) - (size_t)n_, __VA_ARGS__); \
		return; \
	} \
} while (0)
/* A call that must return -ERR (and leave errno at ERR). */
#define FAILS(call, err) do { \
	long r_; \
	errno = 0; \
	r_ = (long)(call); \
	CHECK(r_ == -(long)(err) && errno == (err), "returned %ld errno %d (%s), want -%s", \
	      r_, errno, strerror(errno), #err); \
} while (0)
#define OK(call) do { \
	long r_ = (long)(call); \
	CHECK(r_ >= 0, "returned %ld (%s)", r_, strerror((int)-r_)); \
} while (0)

static void skip(const char *what)
{
	snprintf(why, sizeof(why), "SKIP %s", what);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A channel of the tests; any earlier one of the name is gone first. */
static int mk(const char *name, uint64_t capacity, uint32_t mode, uint32_t max_record)
{
	struct ringbus_create_opts o;

	memset(&o, 0, sizeof(o));
	o.capacity = capacity;
	o.mode = mode;
	o.max_record = max_record;
	ringbus_destroy(ctl, name);
	return ringbus_create(ctl, name, &o);
}

/* The ringbus module's default_capacity parameter (65536 unless set). */
static uint64_t default_capacity(void)
{
	unsigned long long v = 65536;
	FILE *f = fopen("/sys/module/ringbus/parameters/default_capacity", "r");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 65536;
		fclose(f);
	}
	return v;
}

/* ------------------------------------------------------------------ */

static void t_version(void)
{
	struct ringbus_version v;
	unsigned int maj, min, pat;

	OK(ringbus_ctl_version(ctl, &v));
	CHECK(v.abi_major == RINGBUS_ABI_MAJOR, "module ABI %u.%u", v.abi_major, v.abi_minor);
	CHECK(ringbus_ctl_fd(ctl) >= 0, "no descriptor");
	if (want_version) {
		CHECK(sscanf(want_version, "%u.%u.%u", &maj, &min, &pat) == 3, "VERSION %s", want_version);
		CHECK(v.version == (maj << 16 | min << 8 | pat), "module version 0x%06x, want %s",
		      v.version, want_version);
	}
}

static void t_create_info_list_destroy(void)
{
	struct ringbus_create_opts o;
	struct ringbus_info in;
	struct stat st;
	char **names = NULL;
	int n, i, found = 0;

	memset(&o, 0, sizeof(o));
	o.capacity = 8192;
	o.mode = RINGBUS_MODE_QUEUE;
	o.max_record = 100;
	o.ttl_ms = 5000;
	ringbus_destroy(ctl, "rblib-a");
	OK(ringbus_create(ctl, "rblib-a", &o));
	CHECK(stat("/dev/ringbus/rblib-a", &st) == 0 && S_ISCHR(st.st_mode), "no node");
	CHECK((st.st_mode & 07777) == 0600, "node mode %o", st.st_mode & 07777);
	FAILS(ringbus_create(ctl, "rblib-a", &o), EEXIST);
	OK(ringbus_info(ctl, "rblib-a", &in));
	CHECK(strcmp(in.name, "rblib-a") == 0 && in.capacity == 8192 &&
	      in.mode == RINGBUS_MODE_QUEUE && in.max_record == 100 && in.ttl_ms == 5000 &&
	      in.records == 0 && in.uid == getuid() && in.perm == 0600 && in.minor > 0,
	      "info: capacity %llu mode %u max_record %u ttl %u perm %o minor %u",
	      (unsigned long long)in.capacity, in.mode, in.max_record, in.ttl_ms, in.perm, in.minor);
	n = ringbus_list(ctl, &names);
	CHECK(n >= 1 && names != NULL && names[n] == NULL, "list gave %d", n);
	for (i = 0; i < n; i++)
		found += strcmp(names[i], "rblib-a") == 0;
	ringbus_list_free(names);
	CHECK(found == 1, "rblib-a listed %d times", found);
	OK(ringbus_destroy(ctl, "rblib-a"));
	CHECK(stat("/dev/ringbus/rblib-a", &st) < 0 && errno == ENOENT, "node still there");
	FAILS(ringbus_destroy(ctl, "rblib-a"), ENOENT);
	FAILS(ringbus_info(ctl, "rblib-a", &in), ENOENT);
	FAILS(ringbus_channel_open(NULL, "rblib-a", O_RDONLY), ENOENT);
	/* Default options: a broadcast channel of the module's default capacity. */
	ringbus_destroy(ctl, "rblib-b");
	OK(ringbus_create(ctl, "rblib-b", NULL));
	OK(ringbus_info(ctl, "rblib-b", &in));
	CHECK(in.mode == RINGBUS_MODE_BROADCAST && in.capacity == default_capacity() &&
	      in.max_record == in.capacity / 4,
	      "defaults: mode %u capacity %llu max_record %u", in.mode,
	      (unsigned long long)in.capacity, in.max_record);
	OK(ringbus_destroy(ctl, "rblib-b"));
}

static void t_owner_perm(void)
{
	struct ringbus_create_opts o;
	struct ringbus_info in;
	struct passwd *pw = getpwnam("rbuser");
	struct stat st;

	if (!pw || getuid() != 0) {
		skip("needs root and the user rbuser");
		return;
	}
	memset(&o, 0, sizeof(o));
	o.flags = RINGBUS_CREATE_UID | RINGBUS_CREATE_GID | RINGBUS_CREATE_PERM;
	o.uid = pw->pw_uid;
	o.gid = pw->pw_gid;
	o.perm = 0640;
	ringbus_destroy(ctl, "rblib-own");
	OK(ringbus_create(ctl, "rblib-own", &o));
	OK(ringbus_info(ctl, "rblib-own", &in));
	CHECK(in.uid == pw->pw_uid && in.gid == pw->pw_gid && in.perm == 0640,
	      "info: uid %u gid %u perm %o", in.uid, in.gid, in.perm);
	CHECK(stat("/dev/ringbus/rblib-own", &st) == 0 && st.st_uid == pw->pw_uid &&
	      (st.st_mode & 0777) == 0640, "node: uid %u mode %o", st.st_uid, st.st_mode & 0777);
	OK(ringbus_destroy(ctl, "rblib-own"));
	o.perm = 01777;
	FAILS(ringbus_create(ctl, "rblib-own", &o), EINVAL);
}

static void t_names(void)
{
	static const char *const bad[] = { "", "control", "..", "Bad", "a b", "a/b",
					   "0123456789012345678901234567890123" };
	struct ringbus_info in;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FAILS(ringbus_create(ctl, bad[i], NULL), EINVAL);
		FAILS(ringbus_destroy(ctl, bad[i]), EINVAL);
		FAILS(ringbus_info(ctl, bad[i], &in), EINVAL);
		FAILS(ringbus_channel_open(NULL, bad[i], O_RDONLY), EINVAL);
	}
	FAILS(ringbus_create(ctl, NULL, NULL), EINVAL);
	FAILS(ringbus_channel_open(NULL, "rblib-x", O_RDONLY | O_TRUNC), EINVAL);
	/* Refused by the module, not by the library: capacity and mode. */
	{
		struct ringbus_create_opts o;

		memset(&o, 0, sizeof(o));
		o.capacity = 5000;
		FAILS(ringbus_create(ctl, "rblib-x", &o), EINVAL);
		o.capacity = 0;
		o.mode = 7;
		FAILS(ringbus_create(ctl, "rblib-x", &o), EINVAL);
	}
}

static void t_send_recv(void)
{
	struct ringbus_record_header h;
	unsigned char buf[256];
	uint64_t t0 = now_ns();
	uint32_t flags = 99;
	ssize_t n;
	int fd;

	OK(mk("rblib-io", 4096, RINGBUS_MODE_BROADCAST, 0));
	fd = ringbus_channel_open(NULL, "rblib-io", O_RDWR | O_NONBLOCK);
	CHECK(fd >= 0, "open: %s", strerror(-fd));
	CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "not close-on-exec");
	FAILS(ringbus_recv(fd, buf, sizeof(buf)), EAGAIN);
	CHECK(ringbus_send(fd, "abc", 3) == 3, "send abc");
	CHECK(ringbus_send(fd, "defgh", 5) == 5, "send defgh");
	CHECK(ringbus_send(fd, "ijklmnopq", 9) == 9, "send ijklmnopq");
	FAILS(ringbus_send(fd, "", 0), EINVAL);
	FAILS(ringbus_send(fd, buf, 2000), EMSGSIZE);	/* max_record 1024 */
	/* Without header: the payload; a short buffer keeps the record. */
	FAILS(ringbus_recv(fd, buf, 2), EMSGSIZE);
	n = ringbus_recv(fd, buf, sizeof(buf));
	CHECK(n == 3 && memcmp(buf, "abc", 3) == 0, "recv: %zd", n);
	/* With header, whatever the options. */
	memset(&h, 0xff, sizeof(h));
	FAILS(ringbus_recv_hdr(fd, &h, buf, 4), EMSGSIZE);
	n = ringbus_recv_hdr(fd, &h, buf, sizeof(buf));
	CHECK(n == 5 && memcmp(buf, "defgh", 5) == 0, "recv_hdr: %zd", n);
	CHECK(h.seq == 2 && h.len == 5 && h.pid == (uint32_t)getpid() && h.uid == getuid() &&
	      h.reserved == 0, "header: seq %llu len %u pid %u uid %u",
	      (unsigned long long)h.seq, h.len, h.pid, h.uid);
	CHECK(h.ts_ns >= t0 - 5000000000ULL && h.ts_ns <= now_ns() + 5000000000ULL,
	      "ts_ns %llu, now %llu", (unsigned long long)h.ts_ns, (unsigned long long)now_ns());
	/* RINGBUS_FD_HEADERS: read() returns the 32-byte header, then the payload. */
	OK(ringbus_get_opts(fd, &flags));
	CHECK(flags == 0, "options %u", flags);
	OK(ringbus_set_opts(fd, RINGBUS_FD_HEADERS));
	OK(ringbus_get_opts(fd, &flags));
	CHECK(flags == RINGBUS_FD_HEADERS, "options %u", flags);
	FAILS(ringbus_set_opts(fd, 0x80), EINVAL);
	FAILS(ringbus_recv(fd, buf, 32 + 8), EMSGSIZE);
	n = ringbus_recv(fd, buf, sizeof(buf));
	CHECK(n == 32 + 9, "recv with headers: %zd", n);
	memcpy(&h, buf, sizeof(h));
	CHECK(h.seq == 3 && h.len == 9 && memcmp(buf + 32, "ijklmnopq", 9) == 0,
	      "header + payload: seq %llu len %u", (unsigned long long)h.seq, h.len);
	FAILS(ringbus_recv_hdr(fd, &h, buf, sizeof(buf)), EAGAIN);
	/* Seek: the oldest record again, then past the newest. */
	OK(ringbus_seek(fd, SEEK_SET));
	n = ringbus_recv_hdr(fd, &h, buf, sizeof(buf));
	CHECK(n == 3 && h.seq == 1, "after SEEK_SET: %zd seq %llu", n, (unsigned long long)h.seq);
	OK(ringbus_seek(fd, SEEK_END));
	FAILS(ringbus_recv_hdr(fd, &h, buf, sizeof(buf)), EAGAIN);
	close(fd);
	OK(ringbus_destroy(ctl, "rblib-io"));
}

static void t_batch(void)
{
	static uint64_t big[4096];	/* 32 KiB, 8-byte aligned */
	struct ringbus_rec recs[128];
	struct iovec iov[100];
	char data[100][17];
	unsigned int i, seen = 0;
	int fd, n, round;

	OK(mk("rblib-batch", 65536, RINGBUS_MODE_QUEUE, 0));
	fd = ringbus_channel_open(NULL, "rblib-batch", O_RDWR | O_NONBLOCK);
	CHECK(fd >= 0, "open: %s", strerror(-fd));
	for (i = 0; i < 100; i++) {
		memset(data[i], 'a' + (int)(i % 26), sizeof(data[i]));
		iov[i].iov_base = data[i];
		iov[i].iov_len = 1 + i % 17;
	}
	n = ringbus_send_batch(fd, iov, 100);
	CHECK(n == 100, "send_batch: %d", n);
	for (round = 0; round < 2; round++) {
		n = ringbus_recv_batch(fd, big, sizeof(big), recs, round == 0 ? 60 : 128);
		CHECK(n == (round == 0 ? 60 : 40), "recv_batch round %d: %d", round, n);
		for (i = 0; i < (unsigned int)n; i++, seen++) {
			CHECK(recs[i].hdr.seq == seen + 1 && recs[i].hdr.len == 1 + seen % 17 &&
			      memcmp(recs[i].data, data[seen], recs[i].hdr.len) == 0 &&
			      recs[i].hdr.pid == (uint32_t)getpid(),
			      "record %u: seq %llu len %u", seen,
			      (unsigned long long)recs[i].hdr.seq, recs[i].hdr.len);
		}
	}
	FAILS(ringbus_recv_batch(fd, big, sizeof(big), recs, 128), EAGAIN);
	/* A first record larger than the buffer stays. */
	CHECK(ringbus_send(fd, data[0], 17) == 17, "send");
	FAILS(ringbus_recv_batch(fd, big, 40, recs, 1), EMSGSIZE);
	CHECK(ringbus_recv_batch(fd, big, 56, recs, 1) == 1 && recs[0].hdr.len == 17, "kept");
	close(fd);
	OK(ringbus_destroy(ctl, "rblib-batch"));
}

static void t_stats_flush(void)
{
	struct ringbus_stats st;
	struct ringbus_info in;
	char buf[64];
	int fd, i;

	OK(mk("rblib-stats", 4096, RINGBUS_MODE_BROADCAST, 0));
	fd = ringbus_channel_open(NULL, "rblib-stats", O_RDWR | O_NONBLOCK);
	CHECK(fd >= 0, "open: %s", strerror(-fd));
	for (i = 0; i < 5; i++)
		CHECK(ringbus_send(fd, "0123456789", 10) == 10, "send %d", i);
	CHECK(ringbus_recv(fd, buf, sizeof(buf)) == 10, "recv");
	OK(ringbus_stats(fd, &st));
	CHECK(st.records_written == 5 && st.bytes_written == 50 && st.records_read == 1 &&
	      st.bytes_read == 10 && st.fd_next_seq == 2 && st.fd_missed == 0,
	      "stats: written %llu/%llu read %llu/%llu next %llu",
	      (unsigned long long)st.records_written, (unsigned long long)st.bytes_written,
	      (unsigned long long)st.records_read, (unsigned long long)st.bytes_read,
	      (unsigned long long)st.fd_next_seq);
	OK(ringbus_chan_info(fd, &in));
	CHECK(strcmp(in.name, "rblib-stats") == 0 && in.records == 5 && in.used == 5 * 56 &&
	      in.readers == 1 && in.writers == 1,
	      "chan_info: records %llu used %llu", (unsigned long long)in.records,
	      (unsigned long long)in.used);
	OK(ringbus_flush(fd));
	OK(ringbus_chan_info(fd, &in));
	CHECK(in.records == 0 && in.drops == 5 && in.last_seq == 5, "after flush: records %llu drops %llu",
	      (unsigned long long)in.records, (unsigned long long)in.drops);
	FAILS(ringbus_recv(fd, buf, sizeof(buf)), EAGAIN);
	close(fd);
	OK(ringbus_destroy(ctl, "rblib-stats"));
}

static void t_overrun(void)
{
	struct ringbus_record_header h;
	struct ringbus_stats st;
	char rec[40], buf[64];
	int w, r, i;
	ssize_t n;

	OK(mk("rblib-over", 4096, RINGBUS_MODE_BROADCAST, 0));
	r = ringbus_channel_open(NULL, "rblib-over", O_RDONLY | O_NONBLOCK);
	w = ringbus_channel_open(NULL, "rblib-over", O_WRONLY);
	CHECK(r >= 0 && w >= 0, "open: %d %d", r, w);
	memset(rec, 'x', sizeof(rec));
	for (i = 0; i < 1000; i++)
		CHECK(ringbus_send(w, rec, sizeof(rec)) == (ssize_t)sizeof(rec), "send %d", i);
	FAILS(ringbus_recv_hdr(r, &h, buf, sizeof(buf)), EPIPE);
	n = ringbus_recv_hdr(r, &h, buf, sizeof(buf));
	CHECK(n == 40 && h.seq == 950, "after EPIPE: %zd seq %llu", n, (unsigned long long)h.seq);
	OK(ringbus_stats(r, &st));
	CHECK(st.fd_missed == 949 && st.overruns == 1, "fd_missed %llu overruns %llu",
	      (unsigned long long)st.fd_missed, (unsigned long long)st.overruns);
	close(r);
	close(w);
	OK(ringbus_destroy(ctl, "rblib-over"));
}

static void t_queue_full(void)
{
	char rec[512];
	int fd, i;

	OK(mk("rblib-q", 4096, RINGBUS_MODE_QUEUE, 512));
	fd = ringbus_channel_open(NULL, "rblib-q", O_RDWR | O_NONBLOCK);
	CHECK(fd >= 0, "open: %s", strerror(-fd));
	memset(rec, 'q', sizeof(rec));
	for (i = 0; i < 7; i++)
		CHECK(ringbus_send(fd, rec, sizeof(rec)) == 512, "send %d", i);
	FAILS(ringbus_send(fd, rec, sizeof(rec)), EAGAIN);
	FAILS(ringbus_seek(fd, SEEK_SET), ESPIPE);
	close(fd);
	OK(ringbus_destroy(ctl, "rblib-q"));
}

static void t_poll(void)
{
	struct ringbus_record_header h;
	struct epoll_event ev, got;
	struct pollfd p;
	char buf[64];
	int r, w, ep;

	OK(mk("rblib-poll", 4096, RINGBUS_MODE_BROADCAST, 0));
	r = ringbus_channel_open(NULL, "rblib-poll", O_RDONLY | O_NONBLOCK);
	w = ringbus_channel_open(NULL, "rblib-poll", O_WRONLY);
	CHECK(r >= 0 && w >= 0, "open: %d %d", r, w);
	p.fd = r;
	p.events = POLLIN;
	CHECK(poll(&p, 1, 0) == 0, "POLLIN with nothing to read: revents %#x", p.revents);
	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0, "epoll_create1");
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = r;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev) == 0, "epoll_ctl");
	CHECK(epoll_wait(ep, &got, 1, 0) == 0, "epoll: ready with nothing to read");
	CHECK(ringbus_send(w, "ping", 4) == 4, "send");
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN), "no POLLIN after a send: %#x", p.revents);
	CHECK(epoll_wait(ep, &got, 1, 5000) == 1 && got.data.fd == r && (got.events & EPOLLIN),
	      "epoll: no EPOLLIN after a send");
	CHECK(ringbus_recv_hdr(r, &h, buf, sizeof(buf)) == 4 && h.seq == 1, "recv");
	CHECK(poll(&p, 1, 0) == 0, "POLLIN after the record was read: %#x", p.revents);
	/* Destroyed: POLLHUP, end of file for readers, ENODEV for writers. */
	OK(ringbus_destroy(ctl, "rblib-poll"));
	p.events = POLLIN;
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLHUP), "no POLLHUP: %#x", p.revents);
	CHECK(ringbus_recv(r, buf, sizeof(buf)) == 0, "recv after destroy is not EOF");
	CHECK(ringbus_recv_hdr(r, &h, buf, sizeof(buf)) == 0, "recv_hdr after destroy is not EOF");
	CHECK(ringbus_recv_batch(r, buf, sizeof(buf), (struct ringbus_rec[1]){ { { 0 }, NULL } }, 1) == 0,
	      "recv_batch after destroy is not EOF");
	FAILS(ringbus_send(w, "x", 1), ENODEV);
	close(ep);
	close(r);
	close(w);
}

/* A blocking reader woken by a writer in another thread. */
static void *writer(void *arg)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	return (void *)(intptr_t)ringbus_send(*(int *)arg, "wake", 4);
}

/* Threads sharing one handle: each creates, describes and destroys its own. */
static void *churn(void *arg)
{
	struct ringbus_info in;
	char name[32];
	int i, t = (int)(intptr_t)arg;

	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "rblib-t%d-%d", t, i);
		if (ringbus_create(ctl, name, NULL) < 0 || ringbus_info(ctl, name, &in) < 0 ||
		    strcmp(in.name, name) != 0 || ringbus_destroy(ctl, name) < 0)
			return (void *)1;
	}
	return NULL;
}

static void t_threads(void)
{
	struct ringbus_record_header h;
	pthread_t th[4];
	char buf[16];
	void *ret;
	int fd, i, bad = 0;
	ssize_t n;

	OK(mk("rblib-thr", 4096, RINGBUS_MODE_QUEUE, 0));
	fd = ringbus_channel_open(NULL, "rblib-thr", O_RDWR);
	CHECK(fd >= 0, "open: %s", strerror(-fd));
	CHECK(pthread_create(&th[0], NULL, writer, &fd) == 0, "pthread_create");
	n = ringbus_recv_hdr(fd, &h, buf, sizeof(buf));
	pthread_join(th[0], &ret);
	CHECK(n == 4 && memcmp(buf, "wake", 4) == 0 && (intptr_t)ret == 4,
	      "blocking recv_hdr: %zd, the writer %ld", n, (long)(intptr_t)ret);
	close(fd);
	OK(ringbus_destroy(ctl, "rblib-thr"));
	for (i = 0; i < 4; i++)
		CHECK(pthread_create(&th[i], NULL, churn, (void *)(intptr_t)i) == 0, "pthread_create");
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], &ret);
		bad += ret != NULL;
	}
	CHECK(bad == 0, "%d of 4 threads failed", bad);
}

static void t_errors(void)
{
	struct ringbus_ctl *c = (struct ringbus_ctl *)&c;
	char msg[LIBRINGBUS_MSG_MAX];

	FAILS(ringbus_ctl_open("/nonexistent/control", &c, msg, sizeof(msg)), ENOENT);
	CHECK(c == NULL, "handle not NULL");
	FAILS(ringbus_ctl_open("/dev/null", &c, msg, sizeof(msg)), ENOTTY);
	CHECK(strstr(msg, "not a ringbus control node") != NULL, "message: %.200s", msg);
	/* A channel node is no control node, and the control node no channel. */
	OK(mk("rblib-err", 4096, RINGBUS_MODE_BROADCAST, 0));
	FAILS(ringbus_ctl_open("/dev/ringbus/rblib-err", &c, msg, sizeof(msg)), ENOTTY);
	FAILS(ringbus_stats(ringbus_ctl_fd(ctl), (struct ringbus_stats[1]){ { 0 } }), ENOTTY);
	FAILS(ringbus_channel_open("/dev", "null", O_RDONLY), ENOTTY);
	OK(ringbus_destroy(ctl, "rblib-err"));
}

/* As rbuser, outside group ringbus: no control node, no root's channel. */
static void t_eacces(void)
{
	struct passwd *pw = getpwnam("rbuser");
	int status;
	pid_t pid;

	if (!pw || getuid() != 0) {
		skip("needs root and the user rbuser");
		return;
	}
	OK(mk("rblib-acc", 4096, RINGBUS_MODE_BROADCAST, 0));	/* root's, 0600 */
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		struct ringbus_ctl *c;
		char msg[LIBRINGBUS_MSG_MAX];
		int rc;

		if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
			_exit(10);
		rc = ringbus_ctl_open(NULL, &c, msg, sizeof(msg));
		if (rc != -EACCES || errno != EACCES || !strstr(msg, "ringbus group"))
			_exit(11);
		rc = ringbus_channel_open(NULL, "rblib-acc", O_RDONLY);
		if (rc != -EACCES)
			_exit(12);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	ringbus_destroy(ctl, "rblib-acc");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "as rbuser: step %d failed (10 setuid, 11 control node not EACCES, 12 channel not EACCES)",
	      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "ABI version of the module (ringbus_ctl_open, ringbus_ctl_version)", t_version },
	{ "create, info, list, destroy; EEXIST and ENOENT", t_create_info_list_destroy },
	{ "create with owner, group and mode", t_owner_perm },
	{ "invalid names and options: EINVAL", t_names },
	{ "send and recv, with and without header; RINGBUS_FD_HEADERS; seek", t_send_recv },
	{ "send_batch and recv_batch: 100 records as 60 + 40", t_batch },
	{ "stats, chan_info, flush", t_stats_flush },
	{ "broadcast overrun: EPIPE once, then the oldest record", t_overrun },
	{ "full queue: EAGAIN; seek on a queue: ESPIPE", t_queue_full },
	{ "poll and epoll on a channel descriptor; destroy: POLLHUP, EOF, ENODEV", t_poll },
	{ "threads: a blocking read woken by another thread; one handle shared by four", t_threads },
	{ "not a ringbus node: ENOTTY; no control node: ENOENT", t_errors },
	{ "an unprivileged user: EACCES for the control node and a root channel", t_eacces },
};

/* The channels an earlier run left behind. */
static void clean_up(void)
{
	char **names = NULL;
	int i, n = ringbus_list(ctl, &names);

	for (i = 0; i < n; i++)
		if (strncmp(names[i], "rblib-", 6) == 0)
			ringbus_destroy(ctl, names[i]);
	ringbus_list_free(names);
}

int main(int argc, char **argv)
{
	char msg[LIBRINGBUS_MSG_MAX];
	size_t i;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	want_version = argc > 1 ? argv[1] : NULL;
	printf("# rb-libtest: %zu-bit, libringbus %d.%d.%d\n", sizeof(void *) * 8,
	       LIBRINGBUS_VERSION_MAJOR, LIBRINGBUS_VERSION_MINOR, LIBRINGBUS_VERSION_PATCH);
	rc = ringbus_ctl_open(NULL, &ctl, msg, sizeof(msg));
	if (rc < 0) {
		printf("not ok - ringbus_ctl_open: %s\n", msg);
		return 1;
	}
	clean_up();
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		cur = tests[i].name;
		why[0] = '\0';
		tests[i].fn();
		if (strncmp(why, "SKIP ", 5) == 0) {
			printf("ok - %s # %s\n", cur, why);
			skipped++;
		} else if (why[0]) {
			printf("not ok - %s: %s\n", cur, why);
			failed++;
		} else {
			printf("ok - %s\n", cur);
			passed++;
		}
	}
	clean_up();
	ringbus_ctl_close(ctl);
	printf("# %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
