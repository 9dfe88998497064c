// SPDX-License-Identifier: GPL-2.0-only
/*
 * rb-chantest CASE - one guest test case of the channel ABI per call.
 * Exit 0 when every assertion held; otherwise the failed assertion is
 * printed and the exit status is 1.  Run "rb-chantest list" for the cases.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/ringbus.h>
#include <linux/userfaultfd.h>

#define CONTROL "/dev/ringbus/control"

static const char *cur_case;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cur_case);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

#define CHECK(cond) do { if (!(cond)) die("line %d: %s (errno %d %s)", \
	__LINE__, #cond, errno, strerror(errno)); } while (0)
/* The call must fail with exactly this errno. */
#define FAILS_WITH(call, err) do { errno = 0; long r_ = (long)(call); \
	if (r_ != -1 || errno != (err)) die("line %d: %s returned %ld errno %d (%s), want %s", \
	__LINE__, #call, r_, errno, strerror(errno), #err); } while (0)

static int ctl(void)
{
	int fd = open(CONTROL, O_RDWR | O_CLOEXEC);

	CHECK(fd >= 0);
	return fd;
}

static int create_ex(const char *name, uint64_t cap, uint32_t maxrec,
		     uint32_t mode, uint32_t ttl)
{
	struct ringbus_create c;
	int fd = ctl(), ret;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.capacity = cap;
	c.max_record = maxrec;
	c.mode = mode;
	c.ttl_ms = ttl;
	ret = ioctl(fd, RINGBUS_IOC_CREATE, &c);
	close(fd);
	return ret;
}

static void create(const char *name, uint64_t cap, uint32_t mode)
{
	if (create_ex(name, cap, 0, mode, 0))
		die("create %s: %s", name, strerror(errno));
}

static int destroy(const char *name)
{
	struct ringbus_name n;
	int fd = ctl(), ret;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	ret = ioctl(fd, RINGBUS_IOC_DESTROY, &n);
	close(fd);
	return ret;
}

static int chan(const char *name, int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/ringbus/%s", name);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	return fd;
}

static void info(int fd, struct ringbus_info *i)
{
	memset(i, 0xa5, sizeof(*i));
	CHECK(ioctl(fd, RINGBUS_IOC_CHAN_INFO, i) == 0);
}

static void put(int fd, const char *s)
{
	ssize_t n = write(fd, s, strlen(s));

	if (n != (ssize_t)strlen(s))
		die("write '%s': %zd %s", s, n, strerror(errno));
}

static void get(int fd, const char *want)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		die("read (want '%s'): %s", want, strerror(errno));
	if ((size_t)n != strlen(want) || memcmp(buf, want, n))
		die("read '%.*s', want '%s'", (int)n, buf, want);
}

static void headers(int fd)
{
	struct ringbus_fd_opts o = { .flags = RINGBUS_FD_HEADERS };

	CHECK(ioctl(fd, RINGBUS_IOC_SET_OPTS, &o) == 0);
}

static short poll1(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	CHECK(poll(&p, 1, ms) >= 0);
	return p.revents;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* --- the cases ---------------------------------------------------------- */

static void t_create_destroy(void)
{
	struct ringbus_list l;
	char names[8][RINGBUS_NAME_MAX];
	struct stat st;
	int fd;

	create("t-basic", 0, RINGBUS_MODE_BROADCAST);
	CHECK(stat("/dev/ringbus/t-basic", &st) == 0 && S_ISCHR(st.st_mode));
	CHECK((st.st_mode & 0777) == 0600 && st.st_uid == getuid());
	fd = ctl();
	memset(&l, 0, sizeof(l));
	memset(names, 0, sizeof(names));
	l.names = (uintptr_t)names;
	l.count = 8;
	CHECK(ioctl(fd, RINGBUS_IOC_LIST, &l) == 0);
	CHECK(l.count == 1 && !strcmp(names[0], "t-basic"));
	/* Count only: a zero-sized array learns how many there are. */
	l.count = 0;
	CHECK(ioctl(fd, RINGBUS_IOC_LIST, &l) == 0 && l.count == 1);
	close(fd);
	CHECK(destroy("t-basic") == 0);
	CHECK(stat("/dev/ringbus/t-basic", &st) == -1 && errno == ENOENT);
	FAILS_WITH(destroy("t-basic"), ENOENT);
}

static void t_names(void)
{
	static const char *bad[] = { "Upper", "a/b", "a b", "control", ".", "..",
		"with*star" };
	struct ringbus_create c;
	unsigned int i;
	int fd;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (create_ex(bad[i], 0, 0, 0, 0) != -1 || errno != EINVAL)
			die("name '%s' was not refused with EINVAL", bad[i]);
	FAILS_WITH(create_ex("", 0, 0, 0, 0), EINVAL);
	/* 31 bytes is the longest name. */
	CHECK(create_ex("abcdefghijklmnopqrstuvwxyz-._01", 0, 0, 0, 0) == 0);
	CHECK(destroy("abcdefghijklmnopqrstuvwxyz-._01") == 0);
	/* No terminator inside the 32 bytes. */
	fd = ctl();
	memset(&c, 0, sizeof(c));
	memset(c.name, 'a', sizeof(c.name));
	FAILS_WITH(ioctl(fd, RINGBUS_IOC_CREATE, &c), EINVAL);
	close(fd);
	create("dup", 0, 0);
	FAILS_WITH(create_ex("dup", 0, 0, 0, 0), EEXIST);
	CHECK(destroy("dup") == 0);
}

static void t_limits(void)
{
	struct ringbus_create c;
	int fd;

	FAILS_WITH(create_ex("lim", 1000, 0, 0, 0), EINVAL);		/* not 2^n */
	FAILS_WITH(create_ex("lim", 2048, 0, 0, 0), EINVAL);		/* < 4096 */
	FAILS_WITH(create_ex("lim", 1ULL << 25, 0, 0, 0), EINVAL);	/* > max */
	FAILS_WITH(create_ex("lim", 1ULL << 40, 0, 0, 0), EINVAL);
	FAILS_WITH(create_ex("lim", 4096, 2049, 0, 0), EINVAL);	/* > cap/2 */
	FAILS_WITH(create_ex("lim", 4096, 0, 2, 0), EINVAL);		/* mode */
	fd = ctl();
	memset(&c, 0, sizeof(c));
	strcpy(c.name, "lim");
	c.reserved[4] = 1;
	FAILS_WITH(ioctl(fd, RINGBUS_IOC_CREATE, &c), EINVAL);
	c.reserved[4] = 0;
	c.flags = 1U << 7;
	FAILS_WITH(ioctl(fd, RINGBUS_IOC_CREATE, &c), EINVAL);
	c.flags = RINGBUS_CREATE_PERM;
	c.perm = 01777;
	FAILS_WITH(ioctl(fd, RINGBUS_IOC_CREATE, &c), EINVAL);
	c.perm = 0;	/* a node nobody may open */
	FAILS_WITH(ioctl(fd, RINGBUS_IOC_CREATE, &c), EINVAL);
	FAILS_WITH(ioctl(fd, RINGBUS_IOC_CREATE, NULL), EFAULT);
	FAILS_WITH(ioctl(fd, _IO(RINGBUS_IOC_MAGIC, 0x7e)), ENOTTY);
	FAILS_WITH(ioctl(fd, RINGBUS_IOC_FLUSH), ENOTTY);	/* a channel ioctl */
	close(fd);
	/* Nothing was created by any of it. */
	CHECK(access("/dev/ringbus/lim", F_OK) == -1 && errno == ENOENT);
	CHECK(create_ex("lim", 4096, 2048, 0, 0) == 0);
	CHECK(destroy("lim") == 0);
}

static void t_broadcast_order(void)
{
	struct ringbus_info i;
	char buf[32];
	int w, r, k;

	create("bc", 0, RINGBUS_MODE_BROADCAST);
	w = chan("bc", O_WRONLY);
	r = chan("bc", O_RDONLY | O_NONBLOCK);
	for (k = 1; k <= 10; k++) {
		snprintf(buf, sizeof(buf), "record %d", k);
		put(w, buf);
	}
	for (k = 1; k <= 10; k++) {
		snprintf(buf, sizeof(buf), "record %d", k);
		get(r, buf);
	}
	FAILS_WITH(read(r, buf, sizeof(buf)), EAGAIN);
	/* A second reader starts at the oldest record. */
	close(r);
	r = chan("bc", O_RDONLY | O_NONBLOCK);
	get(r, "record 1");
	info(r, &i);
	CHECK(i.records == 10 && i.first_seq == 1 && i.last_seq == 10);
	CHECK(i.readers == 1 && i.writers == 1 && i.mode == RINGBUS_MODE_BROADCAST);
	CHECK(i.reserved0 == 0 && i.reserved[0] == 0 && i.reserved[1] == 0);
	close(r);
	close(w);
	CHECK(destroy("bc") == 0);
}

static void t_queue_order(void)
{
	struct ringbus_info i;
	char buf[32];
	int fd, k;

	create("qorder", 0, RINGBUS_MODE_QUEUE);
	fd = chan("qorder", O_RDWR | O_NONBLOCK);
	for (k = 1; k <= 50; k++) {
		snprintf(buf, sizeof(buf), "job %d", k);
		put(fd, buf);
	}
	for (k = 1; k <= 50; k++) {
		snprintf(buf, sizeof(buf), "job %d", k);
		get(fd, buf);
	}
	/* Consumed: a second reader finds nothing. */
	info(fd, &i);
	CHECK(i.records == 0 && i.used == 0 && i.first_seq == 0 && i.last_seq == 50);
	close(fd);
	fd = chan("qorder", O_RDONLY | O_NONBLOCK);
	FAILS_WITH(read(fd, buf, sizeof(buf)), EAGAIN);
	close(fd);
	CHECK(destroy("qorder") == 0);
}

static void t_overrun(void)
{
	struct ringbus_record_header *h;
	struct ringbus_stats st;
	struct ringbus_info i;
	char buf[256];
	int w, r, k;
	ssize_t n;

	create("ovr", 4096, RINGBUS_MODE_BROADCAST);
	r = chan("ovr", O_RDONLY | O_NONBLOCK);
	w = chan("ovr", O_WRONLY);
	/* 40-byte payloads take 80 bytes each (40 of ring header): 51 fit in 4096. */
	for (k = 1; k <= 1000; k++) {
		snprintf(buf, sizeof(buf), "%040d", k);
		put(w, buf);
	}
	info(r, &i);
	CHECK(i.last_seq == 1000);
	CHECK(i.records == 51 && i.first_seq == 950 && i.drops == 949);
	CHECK(poll1(r, POLLIN | POLLPRI, 0) == (POLLIN | POLLERR | POLLPRI));
	FAILS_WITH(read(r, buf, sizeof(buf)), EPIPE);
	memset(&st, 0, sizeof(st));
	CHECK(ioctl(r, RINGBUS_IOC_STATS, &st) == 0);
	CHECK(st.fd_missed == 949 && st.fd_next_seq == 950 && st.overruns == 1);
	/* EPIPE only once; the reader continues at the oldest record. */
	CHECK(poll1(r, POLLIN | POLLPRI, 0) == POLLIN);
	headers(r);
	n = read(r, buf, sizeof(buf));
	CHECK(n == (ssize_t)sizeof(*h) + 40);
	h = (struct ringbus_record_header *)buf;
	CHECK(h->seq == 950 && h->len == 40);
	CHECK(!memcmp(buf + sizeof(*h), "0000000000000000000000000000000000000950", 40));
	close(r);
	close(w);
	CHECK(destroy("ovr") == 0);
}

/*
 * An epoll watcher of EPOLLPRI alone hears of an overrun: the writes that
 * overwrite its unread records wake it with EPOLLPRI in the key.  No
 * thread and no timing: the wake-ups queue the watcher on the epoll's
 * ready list while the writes run, and epoll_wait() with timeout 0 only
 * reads that list.
 */
static void t_overrun_epollpri(void)
{
	struct epoll_event ev = { .events = EPOLLPRI };
	char buf[64];
	int w, r, ep, k;

	create("ovrpri", 4096, RINGBUS_MODE_BROADCAST);
	r = chan("ovrpri", O_RDONLY | O_NONBLOCK);
	w = chan("ovrpri", O_WRONLY);
	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev) == 0);
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0);
	/* 51 records of 40 bytes fit; the 52nd overwrites the first. */
	for (k = 1; k <= 60; k++) {
		snprintf(buf, sizeof(buf), "%040d", k);
		put(w, buf);
	}
	memset(&ev, 0, sizeof(ev));
	CHECK(epoll_wait(ep, &ev, 1, 0) == 1);
	CHECK(ev.events & EPOLLPRI);
	FAILS_WITH(read(r, buf, sizeof(buf)), EPIPE);
	close(ep);
	close(r);
	close(w);
	CHECK(destroy("ovrpri") == 0);
}

static void t_headers(void)
{
	struct ringbus_record_header *h;
	struct ringbus_fd_opts o;
	struct timespec now;
	char buf[128];
	int fd;
	ssize_t n;

	create("hdr", 0, 0);
	fd = chan("hdr", O_RDWR | O_NONBLOCK);
	memset(&o, 0xff, sizeof(o));
	CHECK(ioctl(fd, RINGBUS_IOC_GET_OPTS, &o) == 0 && o.flags == 0 && o.reserved == 0);
	o.flags = RINGBUS_FD_HEADERS;
	o.reserved = 1;
	FAILS_WITH(ioctl(fd, RINGBUS_IOC_SET_OPTS, &o), EINVAL);
	o.reserved = 0;
	o.flags = 1U << 9;
	FAILS_WITH(ioctl(fd, RINGBUS_IOC_SET_OPTS, &o), EINVAL);
	headers(fd);
	put(fd, "hello");
	put(fd, "world");
	memset(buf, 0xa5, sizeof(buf));
	n = read(fd, buf, sizeof(buf));
	CHECK(n == (ssize_t)sizeof(*h) + 5);
	h = (struct ringbus_record_header *)buf;
	clock_gettime(CLOCK_REALTIME, &now);
	CHECK(h->seq == 1 && h->len == 5 && h->reserved == 0);
	CHECK(h->pid == (uint32_t)getpid() && h->uid == getuid());
	CHECK(h->ts_ns <= (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec);
	CHECK(h->ts_ns + 10000000000ULL > (uint64_t)now.tv_sec * 1000000000ULL);
	CHECK(!memcmp(buf + sizeof(*h), "hello", 5));
	/* A buffer with room for the payload but not the header is too small. */
	FAILS_WITH(read(fd, buf, sizeof(*h) + 4), EMSGSIZE);
	n = read(fd, buf, sizeof(buf));
	CHECK(n == (ssize_t)sizeof(*h) + 5 && h->seq == 2);
	close(fd);
	CHECK(destroy("hdr") == 0);
}

static void t_small_buffer(void)
{
	char big[1000], buf[1000];
	int fd;

	create("small", 0, RINGBUS_MODE_QUEUE);
	fd = chan("small", O_RDWR | O_NONBLOCK);
	memset(big, 'x', sizeof(big));
	CHECK(write(fd, big, sizeof(big)) == (ssize_t)sizeof(big));
	FAILS_WITH(read(fd, buf, 999), EMSGSIZE);
	FAILS_WITH(read(fd, buf, 0), EMSGSIZE);
	/* The record was not lost. */
	CHECK(read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(big));
	CHECK(!memcmp(buf, big, sizeof(big)));
	FAILS_WITH(read(fd, buf, sizeof(buf)), EAGAIN);
	close(fd);
	CHECK(destroy("small") == 0);
}

static void t_record_sizes(void)
{
	static char buf[8192];
	struct ringbus_info i;
	int fd;

	CHECK(create_ex("sizes", 8192, 100, 0, 0) == 0);
	fd = chan("sizes", O_RDWR | O_NONBLOCK);
	info(fd, &i);
	CHECK(i.max_record == 100 && i.capacity == 8192);
	CHECK(write(fd, buf, 100) == 100);
	FAILS_WITH(write(fd, buf, 101), EMSGSIZE);
	FAILS_WITH(write(fd, buf, sizeof(buf)), EMSGSIZE);
	FAILS_WITH(write(fd, buf, 0), EINVAL);
	/* An unmapped buffer (a plain call: the compiler knows NULL). */
	FAILS_WITH(syscall(SYS_write, fd, (void *)16, 10), EFAULT);
	info(fd, &i);
	/* 40 bytes of ring header, the payload padded to 8. */
	CHECK(i.records == 1 && i.last_seq == 1 && i.used == 40 + 104);
	FAILS_WITH(pread(fd, buf, 100, 0), ESPIPE);
	close(fd);
	CHECK(destroy("sizes") == 0);
}

static void t_seek(void)
{
	int fd, q;

	create("seek", 0, 0);
	fd = chan("seek", O_RDWR | O_NONBLOCK);
	put(fd, "one");
	put(fd, "two");
	CHECK(lseek(fd, 0, SEEK_END) == 0);
	FAILS_WITH(read(fd, (char[8]){0}, 8), EAGAIN);
	put(fd, "three");
	get(fd, "three");
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	get(fd, "one");
	/* Where am I: 0, and the reader stays where it is. */
	CHECK(lseek(fd, 0, SEEK_CUR) == 0);
	FAILS_WITH(lseek(fd, 1, SEEK_CUR), EINVAL);
	FAILS_WITH(lseek(fd, 5, SEEK_SET), EINVAL);
	FAILS_WITH(lseek(fd, 0, SEEK_DATA), EINVAL);
	get(fd, "two");
	close(fd);
	CHECK(destroy("seek") == 0);
	create("seekq", 0, RINGBUS_MODE_QUEUE);
	q = chan("seekq", O_RDWR);
	FAILS_WITH(lseek(q, 0, SEEK_SET), ESPIPE);
	close(q);
	CHECK(destroy("seekq") == 0);
}

static void t_queue_full(void)
{
	char buf[512];
	int fd, k;

	CHECK(create_ex("qfull", 4096, 512, RINGBUS_MODE_QUEUE, 0) == 0);
	fd = chan("qfull", O_RDWR | O_NONBLOCK);
	memset(buf, 'q', sizeof(buf));
	/* 552 bytes a record: 7 fit in 4096. */
	for (k = 0; k < 7; k++)
		CHECK(write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	FAILS_WITH(write(fd, buf, sizeof(buf)), EAGAIN);
	CHECK(poll1(fd, POLLIN | POLLOUT, 0) == POLLIN);
	CHECK(read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	CHECK(poll1(fd, POLLIN | POLLOUT, 0) == (POLLIN | POLLOUT));
	CHECK(write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
	close(fd);
	CHECK(destroy("qfull") == 0);
}

static void t_poll_states(void)
{
	int fd;

	create("pollb", 0, 0);
	fd = chan("pollb", O_RDWR | O_NONBLOCK);
	CHECK(poll1(fd, POLLIN | POLLOUT, 0) == POLLOUT);
	CHECK(poll1(fd, POLLIN, 0) == 0);
	put(fd, "x");
	CHECK(poll1(fd, POLLIN | POLLOUT, 0) == (POLLIN | POLLOUT));
	get(fd, "x");
	CHECK(poll1(fd, POLLIN, 0) == 0);
	close(fd);
	CHECK(destroy("pollb") == 0);
}

static void t_blocking_read(void)
{
	pid_t pid;
	int fd, st;

	create("block", 0, 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int r = chan("block", O_RDONLY);
		char buf[64];
		ssize_t n;

		CHECK(lseek(r, 0, SEEK_END) == 0);
		n = read(r, buf, sizeof(buf));
		_exit(n == 4 && !memcmp(buf, "wake", 4) ? 0 : 3);
	}
	msleep(300);
	fd = chan("block", O_WRONLY);
	put(fd, "wake");
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	{
		struct ringbus_stats s;

		CHECK(ioctl(fd, RINGBUS_IOC_STATS, &s) == 0);
		if (s.wakeups < 1)
			die("channel wakeups %llu after waking a reader",
			    (unsigned long long)s.wakeups);
	}
	close(fd);
	CHECK(destroy("block") == 0);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void t_signal_interrupts(void)
{
	struct sigaction sa;
	char buf[64];
	int fd;

	create("sig", 0, 0);
	fd = chan("sig", O_RDONLY);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	FAILS_WITH(read(fd, buf, sizeof(buf)), EINTR);
	close(fd);
	CHECK(destroy("sig") == 0);
}

/* Queue mode: 2 readers, exactly-once delivery, writers blocking when full. */
static void t_queue_exactly_once(void)
{
	enum { N = 4000, READERS = 2 };
	static unsigned char seen[N + 1];
	int pfd[2], k, st, w;
	uint32_t v;
	pid_t pids[READERS];

	CHECK(create_ex("q1", 4096, 64, RINGBUS_MODE_QUEUE, 0) == 0);
	CHECK(pipe(pfd) == 0);
	for (k = 0; k < READERS; k++) {
		pids[k] = fork();
		CHECK(pids[k] >= 0);
		if (pids[k] == 0) {
			int r = chan("q1", O_RDONLY);

			close(pfd[0]);
			for (;;) {
				ssize_t n = read(r, &v, sizeof(v));

				if (n == 0)
					_exit(0);	/* destroyed: done */
				if (n != sizeof(v))
					_exit(4);
				if (write(pfd[1], &v, sizeof(v)) != sizeof(v))
					_exit(5);
			}
		}
	}
	close(pfd[1]);
	w = chan("q1", O_WRONLY);
	for (v = 1; v <= N; v++)
		CHECK(write(w, &v, sizeof(v)) == sizeof(v));
	/* Wait until the readers drained the queue, then end them. */
	for (k = 0; k < 500; k++) {
		struct ringbus_info i;

		info(w, &i);
		if (i.records == 0)
			break;
		msleep(20);
	}
	close(w);
	CHECK(destroy("q1") == 0);
	for (k = 0; k < READERS; k++) {
		CHECK(waitpid(pids[k], &st, 0) == pids[k]);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			die("reader %d ended with status %#x", k, st);
	}
	k = 0;
	while (read(pfd[0], &v, sizeof(v)) == sizeof(v)) {
		if (v < 1 || v > N)
			die("record %u out of range", v);
		if (seen[v]++)
			die("record %u delivered twice", v);
		k++;
	}
	if (k != N)
		die("%d of %d records delivered", k, N);
}

static void t_batch(void)
{
	static char buf[65536];
	struct ringbus_batch b;
	size_t off = 0;
	uint32_t k;
	int fd;

	create("batch", 1 << 20, RINGBUS_MODE_QUEUE);
	fd = chan("batch", O_RDWR | O_NONBLOCK);
	for (k = 1; k <= 100; k++) {
		uint32_t len = k % 17 + 1;

		memcpy(buf + off, &len, 4);
		memset(buf + off + 4, 0, 4);
		memset(buf + off + 8, 'a' + k % 26, len);
		off += 8 + ((len + 7) & ~7U);
	}
	memset(&b, 0, sizeof(b));
	b.buf = (uintptr_t)buf;
	b.buf_len = off;
	CHECK(ioctl(fd, RINGBUS_IOC_WRITE_BATCH, &b) == 0);
	CHECK(b.count == 100 && b.bytes == off);
	b.count = 1;
	FAILS_WITH(ioctl(fd, RINGBUS_IOC_WRITE_BATCH, &b), EINVAL);
	memset(&b, 0, sizeof(b));
	b.buf = (uintptr_t)buf;
	b.buf_len = sizeof(buf);
	b.max_records = 60;
	memset(buf, 0, sizeof(buf));
	CHECK(ioctl(fd, RINGBUS_IOC_READ_BATCH, &b) == 0);
	CHECK(b.count == 60);
	for (off = 0, k = 1; k <= 60; k++) {
		const struct ringbus_record_header *h = (void *)(buf + off);

		if (h->seq != k || h->len != k % 17 + 1 ||
		    buf[off + sizeof(*h)] != (char)('a' + k % 26))
			die("batch record %u: seq %llu len %u", k,
			    (unsigned long long)h->seq, h->len);
		off += sizeof(*h) + ((h->len + 7) & ~7U);
	}
	CHECK(b.bytes == off);
	memset(&b, 0, sizeof(b));
	b.buf = (uintptr_t)buf;
	b.buf_len = sizeof(buf);
	CHECK(ioctl(fd, RINGBUS_IOC_READ_BATCH, &b) == 0 && b.count == 40);
	memset(&b, 0, sizeof(b));
	b.buf = (uintptr_t)buf;
	b.buf_len = sizeof(buf);
	FAILS_WITH(ioctl(fd, RINGBUS_IOC_READ_BATCH, &b), EAGAIN);
	b.buf = 0;
	put(fd, "x");
	FAILS_WITH(ioctl(fd, RINGBUS_IOC_READ_BATCH, &b), EFAULT);
	FAILS_WITH(ioctl(fd, RINGBUS_IOC_READ_BATCH, NULL), EFAULT);
	FAILS_WITH(ioctl(fd, _IO(RINGBUS_IOC_MAGIC, 0x7f)), ENOTTY);
	FAILS_WITH(ioctl(fd, RINGBUS_IOC_CREATE, buf), ENOTTY);	/* control only */
	close(fd);
	CHECK(destroy("batch") == 0);
}

static void t_flush(void)
{
	struct ringbus_stats st;
	struct ringbus_info i;
	int fd;

	create("flush", 0, 0);
	fd = chan("flush", O_RDWR | O_NONBLOCK);
	put(fd, "a");
	put(fd, "b");
	put(fd, "c");
	CHECK(ioctl(fd, RINGBUS_IOC_FLUSH) == 0);
	/* Flushed records are no overrun: poll shows nothing at all. */
	CHECK(poll1(fd, POLLIN | POLLPRI, 0) == 0);
	info(fd, &i);
	CHECK(i.records == 0 && i.used == 0 && i.drops == 3 && i.last_seq == 3);
	/* Flushed records are skipped without EPIPE, but counted as missed. */
	FAILS_WITH(read(fd, (char[8]){0}, 8), EAGAIN);
	put(fd, "d");
	get(fd, "d");
	memset(&st, 0xa5, sizeof(st));
	CHECK(ioctl(fd, RINGBUS_IOC_STATS, &st) == 0);
	CHECK(st.records_written == 4 && st.records_read == 1 && st.drops == 3);
	CHECK(st.bytes_written == 4 && st.reserved[0] == 0 && st.reserved[1] == 0);
	CHECK(st.fd_missed == 3 && st.overruns == 0 && st.fd_next_seq == 5);
	close(fd);
	CHECK(destroy("flush") == 0);
}

static void t_ttl(void)
{
	struct ringbus_stats st;
	struct ringbus_info i;
	int fd;

	CHECK(create_ex("ttl", 0, 0, 0, 200) == 0);
	fd = chan("ttl", O_RDWR | O_NONBLOCK);
	put(fd, "old");
	info(fd, &i);
	CHECK(i.records == 1 && i.ttl_ms == 200);
	msleep(1500);
	info(fd, &i);
	CHECK(i.records == 0 && i.drops == 1);
	CHECK(ioctl(fd, RINGBUS_IOC_STATS, &st) == 0 && st.expired == 1);
	put(fd, "new");
	get(fd, "new");
	close(fd);
	CHECK(destroy("ttl") == 0);
}

/* Destroying a channel wakes a blocked reader (EOF) and writer (ENODEV). */
static void t_destroy_wakes(void)
{
	char buf[600];
	pid_t r, w;
	int fd, st;

	CHECK(create_ex("dq", 4096, 512, RINGBUS_MODE_QUEUE, 0) == 0);
	CHECK(create_ex("db", 0, 0, RINGBUS_MODE_BROADCAST, 0) == 0);
	r = fork();
	CHECK(r >= 0);
	if (r == 0) {
		fd = chan("db", O_RDONLY);
		_exit(read(fd, buf, sizeof(buf)) == 0 ? 0 : 6);
	}
	w = fork();
	CHECK(w >= 0);
	if (w == 0) {
		int k;

		fd = chan("dq", O_WRONLY);
		memset(buf, 'w', sizeof(buf));
		for (k = 0; k < 100; k++)
			if (write(fd, buf, 512) < 0)
				_exit(errno == ENODEV ? 0 : 7);
		_exit(8);
	}
	fd = chan("dq", O_RDWR | O_NONBLOCK);
	msleep(500);
	CHECK(destroy("dq") == 0);
	CHECK(destroy("db") == 0);
	CHECK(waitpid(r, &st, 0) == r && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(waitpid(w, &st, 0) == w && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* The fd outlives the channel: end of file, ENODEV, then close. */
	CHECK(read(fd, buf, sizeof(buf)) == 0);
	FAILS_WITH(write(fd, "x", 1), ENODEV);
	CHECK(poll1(fd, POLLIN, 0) & POLLHUP);
	FAILS_WITH(ioctl(fd, RINGBUS_IOC_FLUSH), ENODEV);
	CHECK(access("/dev/ringbus/dq", F_OK) == -1);
	close(fd);
	/* The name is free again. */
	create("dq", 0, 0);
	CHECK(destroy("dq") == 0);
}

static void t_owner(void)
{
	struct ringbus_create c;
	struct stat st;
	int fd;

	fd = ctl();
	memset(&c, 0, sizeof(c));
	strcpy(c.name, "owned");
	c.flags = RINGBUS_CREATE_UID | RINGBUS_CREATE_GID | RINGBUS_CREATE_PERM;
	c.uid = getenv("RB_UID") ? atoi(getenv("RB_UID")) : 1234;
	c.gid = getenv("RB_GID") ? atoi(getenv("RB_GID")) : 4321;
	c.perm = 0640;
	CHECK(ioctl(fd, RINGBUS_IOC_CREATE, &c) == 0);
	CHECK(stat("/dev/ringbus/owned", &st) == 0);
	if (st.st_uid != c.uid || st.st_gid != c.gid || (st.st_mode & 07777) != 0640)
		die("node is %u:%u %o, want %u:%u 640", st.st_uid, st.st_gid,
		    st.st_mode & 07777, c.uid, c.gid);
	close(fd);
}

/* The wall clock jumping does not expire records early. */
static void t_ttl_wallclock(void)
{
	struct ringbus_info i;
	struct timespec now;
	int fd;

	CHECK(create_ex("ttlw", 0, 0, 0, 600000) == 0);
	fd = chan("ttlw", O_RDWR | O_NONBLOCK);
	put(fd, "keep");
	CHECK(clock_gettime(CLOCK_REALTIME, &now) == 0);
	now.tv_sec += 7200;
	CHECK(clock_settime(CLOCK_REALTIME, &now) == 0);
	msleep(1500);
	CHECK(clock_gettime(CLOCK_REALTIME, &now) == 0);
	now.tv_sec -= 7200;
	CHECK(clock_settime(CLOCK_REALTIME, &now) == 0);
	info(fd, &i);
	CHECK(i.records == 1 && i.drops == 0);
	get(fd, "keep");
	close(fd);
	CHECK(destroy("ttlw") == 0);
}

/*
 * Processes sharing one open file (one reader) read while a writer
 * overwrites a small ring with records of changing sizes: every record
 * read must be whole and match its sequence number.
 */
static void t_shared_reader(void)
{
	enum { KIDS = 4, N = 20000 };
	pid_t pids[KIDS];
	char buf[512];
	int r, w, k, st;
	uint32_t n;

	CHECK(create_ex("shared", 4096, 256, 0, 0) == 0);
	r = chan("shared", O_RDONLY);
	headers(r);
	for (k = 0; k < KIDS; k++) {
		pids[k] = fork();
		CHECK(pids[k] >= 0);
		if (pids[k] == 0) {
			for (;;) {
				const struct ringbus_record_header *h = (void *)buf;
				ssize_t got = read(r, buf, sizeof(buf));
				uint32_t len, j;

				if (got == 0)
					_exit(0);
				if (got < 0 && errno == EPIPE)
					continue;
				if (got < (ssize_t)sizeof(*h))
					_exit(10);
				len = h->seq % 200 + 1;
				if (h->len != len || got != (ssize_t)(sizeof(*h) + len))
					_exit(11);
				for (j = 0; j < len; j++)
					if ((unsigned char)buf[sizeof(*h) + j] != (unsigned char)(h->seq + j))
						_exit(12);
			}
		}
	}
	w = chan("shared", O_WRONLY);
	for (n = 1; n <= N; n++) {
		uint32_t len = n % 200 + 1, j;

		for (j = 0; j < len; j++)
			buf[j] = (char)(n + j);
		CHECK(write(w, buf, len) == (ssize_t)len);
	}
	msleep(200);
	close(w);
	CHECK(destroy("shared") == 0);
	for (k = 0; k < KIDS; k++) {
		CHECK(waitpid(pids[k], &st, 0) == pids[k]);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			die("reader %d saw a broken record (status %#x)", k, st);
	}
	close(r);
}

struct tcase {
	const char *name;
	void (*fn)(void);
};

static const struct tcase cases[] = {
	{ "create_destroy", t_create_destroy },
	{ "names", t_names },
	{ "limits", t_limits },
	{ "broadcast_order", t_broadcast_order },
	{ "queue_order", t_queue_order },
	{ "overrun", t_overrun },
	{ "headers", t_headers },
	{ "small_buffer", t_small_buffer },
	{ "record_sizes", t_record_sizes },
	{ "seek", t_seek },
	{ "queue_full", t_queue_full },
	{ "poll_states", t_poll_states },
	{ "blocking_read", t_blocking_read },
	{ "signal_interrupts", t_signal_interrupts },
	{ "queue_exactly_once", t_queue_exactly_once },
	{ "batch", t_batch },
	{ "flush", t_flush },
	{ "ttl", t_ttl },
	{ "ttl_wallclock", t_ttl_wallclock },
	{ "shared_reader", t_shared_reader },
	{ "destroy_wakes", t_destroy_wakes },
	{ "overrun_epollpri", t_overrun_epollpri },
};

/*
 * A WRITE_BATCH of 1 GiB of 16-byte records (8 bytes of payload each): the
 * same 2 MiB of a memfd mapped 512 times in a row, 64 Mi records, minutes
 * of work for the kernel even on real hardware.  Returning is a failure.
 */
static void huge_write_batch(const char *name)
{
	size_t piece = (size_t)2 << 20, total = (size_t)1 << 30, off;
	struct ringbus_batch b;
	uint32_t *p;
	char *va;
	int mfd, fd;

	mfd = memfd_create("rb-huge-batch", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, (off_t)piece))
		die("memfd: %s", strerror(errno));
	p = mmap(NULL, piece, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	va = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED || va == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	for (off = 0; off < piece / 4; off += 4) {
		p[off] = 8;			/* length, reserved 0 */
		p[off + 1] = 0;
		p[off + 2] = p[off + 3] = 0x61616161;
	}
	for (off = 0; off < total; off += piece)
		if (mmap(va + off, piece, PROT_READ, MAP_SHARED | MAP_FIXED, mfd, 0) == MAP_FAILED)
			die("mmap at %zu: %s", off, strerror(errno));
	fd = chan(name, O_WRONLY);
	memset(&b, 0, sizeof(b));
	b.buf = (uintptr_t)va;
	b.buf_len = total;
	ioctl(fd, RINGBUS_IOC_WRITE_BATCH, &b);
	die("WRITE_BATCH of 1 GiB on %s returned (count %u): %s", name, b.count, strerror(errno));
}

/*
 * block HOW NAME: open channel NAME and sleep in HOW until a signal kills
 * the process (65-lifecycle SIGKILLs it there): read-batch (an empty
 * channel), write-batch (a full queue), poll or epoll (an empty channel,
 * waiting for input); huge-write-batch does not sleep but works for
 * minutes (huge_write_batch()).  Returning at all is a failure.
 */
static void block(const char *how, const char *name)
{
	uint64_t buf[512];
	struct ringbus_batch b;
	int fd;

	memset(buf, 0, sizeof(buf));
	memset(&b, 0, sizeof(b));
	b.buf = (uintptr_t)buf;
	if (!strcmp(how, "read-batch")) {
		fd = chan(name, O_RDONLY);
		b.buf_len = sizeof(buf);
		ioctl(fd, RINGBUS_IOC_READ_BATCH, &b);
		die("READ_BATCH on %s returned (count %u): %s", name, b.count, strerror(errno));
	} else if (!strcmp(how, "write-batch")) {
		uint32_t *hdr = (uint32_t *)buf;

		fd = chan(name, O_WRONLY);
		hdr[0] = 512;			/* one 512-byte record, reserved 0 */
		b.buf_len = 8 + 512;
		ioctl(fd, RINGBUS_IOC_WRITE_BATCH, &b);
		die("WRITE_BATCH on %s returned (count %u): %s", name, b.count, strerror(errno));
	} else if (!strcmp(how, "poll")) {
		struct pollfd p = { .events = POLLIN };

		p.fd = chan(name, O_RDONLY);
		poll(&p, 1, -1);
		die("poll on %s returned (revents %#x): %s", name, p.revents, strerror(errno));
	} else if (!strcmp(how, "epoll")) {
		struct epoll_event ev = { .events = EPOLLIN };
		int ep = epoll_create1(EPOLL_CLOEXEC);

		fd = chan(name, O_RDONLY);
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
			die("epoll on %s: %s", name, strerror(errno));
		epoll_wait(ep, &ev, 1, -1);
		die("epoll_wait on %s returned: %s", name, strerror(errno));
	} else if (!strcmp(how, "huge-write-batch")) {
		huge_write_batch(name);
	}
	die("block: no way %s (read-batch, write-batch, huge-write-batch, poll, epoll)", how);
}

/*
 * stalled-writer MODE: a user write whose page userfaultfd holds missing
 * must not hide in-kernel records from readers (issue 14 item 6), and
 * when that write fails at last (its page unmapped), every record the
 * kernel wrote meanwhile must have reached a reader sleeping in read()
 * (item 4).  rbtest_producer must be loaded: its parameter inject writes
 * with ringbus_write() in the caller's context, so the records exist
 * when the write to /sys returns, and nothing here waits on a clock but
 * the bounded polls that fail the case.  As root: userfaultfd of a fault
 * taken in kernel mode.
 */
#define STALL_INJECT	"/sys/module/rbtest_producer/parameters/inject"

struct stall {
	int fd;
	char *area;
	ssize_t ret;
	int err;
	int done;		/* a pipe: a byte written when finished */
	volatile pid_t tid;
	char rec[64];
};

/*
 * Wait (10 s at most) until thread @tid sleeps in read(2): its state in
 * /proc is S and /proc's syscall file names read.
 */
static void wait_in_read(volatile pid_t *tid)
{
	char path[64], st[512], *p;
	int i, fd;
	ssize_t n;
	long nr;

	for (i = 0; i < 10000; i++, msleep(1)) {
		if (!*tid)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)*tid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		CHECK(fd >= 0);
		n = read(fd, st, sizeof(st) - 1);
		close(fd);
		CHECK(n > 0);
		st[n] = 0;
		p = strrchr(st, ')');
		if (!p || p[2] != 'S')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)*tid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		CHECK(fd >= 0);
		n = read(fd, st, sizeof(st) - 1);
		close(fd);
		CHECK(n > 0);
		st[n] = 0;
		nr = strtol(st, NULL, 10);
		if (nr == SYS_read)
			return;
	}
	die("the reader thread did not go to sleep in read() within 10 s");
}

static void *stall_write(void *arg)
{
	struct stall *s = arg;

	s->ret = write(s->fd, s->area, 64);
	s->err = errno;
	CHECK(write(s->done, "w", 1) == 1);
	return NULL;
}

static void *stall_read(void *arg)
{
	struct stall *s = arg;

	s->tid = syscall(SYS_gettid);
	s->ret = read(s->fd, s->rec, sizeof(s->rec) - 1);
	s->err = errno;
	if (s->ret > 0)
		s->rec[s->ret] = 0;
	CHECK(write(s->done, "r", 1) == 1);
	return NULL;
}

static void *stall_read_to_area(void *arg)
{
	struct stall *s = arg;

	s->ret = read(s->fd, s->area, 64);
	s->err = errno;
	return NULL;
}

static void inject(const char *name, unsigned int count)
{
	char cmd[64];
	int fd = open(STALL_INJECT, O_WRONLY | O_CLOEXEC);
	int len = snprintf(cmd, sizeof(cmd), "%s %u", name, count);

	if (fd < 0)
		die("open %s: %s (is rbtest_producer loaded?)", STALL_INJECT, strerror(errno));
	if (write(fd, cmd, len) != len)
		die("ringbus_write() of %u records to %s: %s", count, name, strerror(errno));
	close(fd);
}

/* A page of anonymous memory userfaultfd keeps missing; returns the uffd. */
static int uffd_missing_page(char **area, long page)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	CHECK(uffd >= 0);
	CHECK(ioctl(uffd, UFFDIO_API, &api) == 0);
	*area = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(*area != MAP_FAILED);
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)*area;
	reg.range.len = page;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	CHECK(ioctl(uffd, UFFDIO_REGISTER, &reg) == 0);
	return uffd;
}

/* Wait (10 s at most) for the fault on that page. */
static void uffd_wait_fault(int uffd, const char *what)
{
	struct uffd_msg msg;

	if (!(poll1(uffd, POLLIN, 10000) & POLLIN))
		die("the %s did not fault on its userfaultfd page within 10 s", what);
	CHECK(read(uffd, &msg, sizeof(msg)) == sizeof(msg));
	CHECK(msg.event == UFFD_EVENT_PAGEFAULT);
}

static void stalled_writer(const char *how)
{
	uint32_t mode = strcmp(how, "queue") ? RINGBUS_MODE_BROADCAST : RINGBUS_MODE_QUEUE;
	const char *name = mode == RINGBUS_MODE_QUEUE ? "stall-q" : "stall-b";
	struct stall w = { 0 }, r = { 0 };
	pthread_t wt, rt;
	int uffd, pfd[2], bad = 0, rfd;
	long page = sysconf(_SC_PAGESIZE);
	char buf[64], c;
	ssize_t n;

	create(name, 65536, mode);
	rfd = chan(name, O_RDONLY | O_NONBLOCK);
	CHECK(pipe(pfd) == 0);
	uffd = uffd_missing_page(&w.area, page);

	/* The writer stalls in the fault on its payload's page. */
	w.fd = chan(name, O_WRONLY);
	w.done = pfd[1];
	CHECK(pthread_create(&wt, NULL, stall_write, &w) == 0);
	uffd_wait_fault(uffd, "write");

	/*
	 * Item 6: the kernel's records are readable at once; a broadcast
	 * producer is never refused, even after it went round the ring.
	 */
	inject(name, 2);
	n = read(rfd, buf, sizeof(buf));
	if (n != 8 || memcmp(buf, "inject 0", 8)) {
		fprintf(stderr, "%s: FAIL: a user write stalled in a page fault hides the kernel's records: read gave %zd (%s), want \"inject 0\"\n",
			cur_case, n, n < 0 ? strerror(errno) : "another record");
		bad = 1;
	}
	if (mode == RINGBUS_MODE_BROADCAST) {
		FILE *f = fopen(STALL_INJECT, "w");

		/* 3000 records of 48 + 8..16 bytes: three times round 64 KiB. */
		CHECK(f != NULL);
		if (fprintf(f, "%s 3000", name) < 0 || fclose(f)) {
			fprintf(stderr, "%s: FAIL: ringbus_write() refused in broadcast mode behind a stalled user write: %s\n",
				cur_case, strerror(errno));
			bad = 1;
		}
	}

	/*
	 * Item 4: a reader sleeps in read(); the stalled write then fails
	 * (its page is gone).  The reader must have its record.
	 */
	r.fd = chan(name, O_RDONLY);
	if (mode == RINGBUS_MODE_BROADCAST)
		CHECK(lseek(r.fd, 0, SEEK_SET) == 0);	/* the oldest record */
	r.done = pfd[1];
	CHECK(pthread_create(&rt, NULL, stall_read, &r) == 0);
	if (mode == RINGBUS_MODE_QUEUE && bad)
		wait_in_read(&r.tid);	/* nothing to read: it must sleep */
	CHECK(munmap(w.area, page) == 0);
	close(uffd);	/* wakes the fault: it finds no page now */
	if (!(poll1(pfd[0], POLLIN, 10000) & POLLIN))
		die("neither the write nor the read returned within 10 s of the page going");
	CHECK(read(pfd[0], &c, 1) == 1);
	if (c == 'w' && !(poll1(pfd[0], POLLIN, 10000) & POLLIN)) {
		fprintf(stderr, "%s: FAIL: a reader slept through the kernel's records once the stalled write failed (no wake-up, 10 s)\n",
			cur_case);
		bad = 1;
		CHECK(destroy(name) == 0);	/* wakes it: end of file */
		CHECK(poll1(pfd[0], POLLIN, 10000) & POLLIN);
	} else if (c == 'r') {
		if (!(poll1(pfd[0], POLLIN, 10000) & POLLIN))
			die("the stalled write did not fail within 10 s of its page going");
	}
	CHECK(pthread_join(wt, NULL) == 0);
	CHECK(pthread_join(rt, NULL) == 0);
	if (w.ret != -1 || w.err != EFAULT)
		die("the write of the unmapped page gave %zd (%s), want EFAULT", w.ret,
		    w.ret < 0 ? strerror(w.err) : "no error");
	if (!bad && (r.ret < 8 || strncmp(r.rec, "inject ", 7)))
		die("the sleeping reader got %zd (%s), want an \"inject N\" record", r.ret,
		    r.ret < 0 ? strerror(r.err) : r.rec);
	if (bad)
		exit(1);
	CHECK(destroy(name) == 0);
}

/*
 * stalled-reader queue: a queue reader whose buffer userfaultfd holds missing
 * sleeps in its copy with the channel's read_mutex held.  Meanwhile an
 * O_NONBLOCK read must return EAGAIN at once, and a FLUSH waiting for the
 * mutex must die of SIGKILL (issue 14 item 8).  As root (userfaultfd of a
 * kernel-mode fault).
 */
static void *stall_read_nb(void *arg)
{
	struct stall *s = arg;

	s->ret = read(s->fd, s->rec, sizeof(s->rec));
	s->err = errno;
	CHECK(write(s->done, "n", 1) == 1);
	return NULL;
}

/* The state letter of /proc/PID/stat (a task of ours), or 0. */
static char proc_state(const char *path)
{
	char st[512], *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, st, sizeof(st) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	st[n] = 0;
	p = strrchr(st, ')');
	return p ? p[2] : 0;
}

static void stalled_reader(void)
{
	const char *name = "stall-r";
	struct stall r = { 0 }, nb = { 0 };
	struct uffdio_zeropage zp;
	long page = sysconf(_SC_PAGESIZE);
	int uffd, pfd[2], w, st, i, bad = 0;
	char path[64], c;
	pthread_t rt, nt;
	pid_t kid;

	create(name, 65536, RINGBUS_MODE_QUEUE);
	w = chan(name, O_WRONLY);
	put(w, "one");
	put(w, "two");
	CHECK(pipe(pfd) == 0);
	uffd = uffd_missing_page(&r.area, page);

	/* The reader stalls copying "one" into its missing page. */
	r.fd = chan(name, O_RDONLY);
	r.done = pfd[1];
	CHECK(pthread_create(&rt, NULL, stall_read_to_area, &r) == 0);
	uffd_wait_fault(uffd, "read");

	/* An O_NONBLOCK read: EAGAIN, at once. */
	nb.fd = chan(name, O_RDONLY | O_NONBLOCK);
	nb.done = pfd[1];
	CHECK(pthread_create(&nt, NULL, stall_read_nb, &nb) == 0);
	if (!(poll1(pfd[0], POLLIN, 10000) & POLLIN)) {
		fprintf(stderr, "%s: FAIL: an O_NONBLOCK read waited (10 s) behind a reader stalled in a page fault\n",
			cur_case);
		bad = 1;
	} else {
		CHECK(read(pfd[0], &c, 1) == 1 && c == 'n');
		if (nb.ret != -1 || nb.err != EAGAIN)
			die("the O_NONBLOCK read gave %zd (%s), want EAGAIN", nb.ret,
			    nb.ret < 0 ? strerror(nb.err) : "a record");
	}

	/* A FLUSH waiting for the stalled reader dies of SIGKILL. */
	kid = fork();
	CHECK(kid >= 0);
	if (kid == 0) {
		ioctl(w, RINGBUS_IOC_FLUSH);
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)kid);
	for (i = 0; i < 10000 && proc_state(path) != 'D'; i++)
		msleep(1);
	if (proc_state(path) != 'D')
		die("the FLUSH did not go to sleep waiting for the reader within 10 s (state %c)",
		    proc_state(path));
	CHECK(kill(kid, SIGKILL) == 0);
	for (i = 0; i < 10000 && waitpid(kid, &st, WNOHANG) == 0; i++)
		msleep(1);
	if (i == 10000) {
		fprintf(stderr, "%s: FAIL: a FLUSH waiting for a reader stalled in a page fault did not die of SIGKILL within 10 s\n",
			cur_case);
		bad = 1;
	}

	/* The page comes: the reader gets "one", everything goes on. */
	memset(&zp, 0, sizeof(zp));
	zp.range.start = (uintptr_t)r.area;
	zp.range.len = page;
	CHECK(ioctl(uffd, UFFDIO_ZEROPAGE, &zp) == 0);
	CHECK(pthread_join(rt, NULL) == 0);
	if (r.ret != 3 || memcmp(r.area, "one", 3))
		die("the stalled reader got %zd (%s), want \"one\"", r.ret,
		    r.ret < 0 ? strerror(r.err) : "another record");
	CHECK(pthread_join(nt, NULL) == 0);
	if (i == 10000)
		CHECK(waitpid(kid, &st, 0) == kid);
	if (bad)
		exit(1);
	close(uffd);
	CHECK(destroy(name) == 0);
}

/*
 * read-until NAME PREFIX: read channel NAME with blocking reads (overruns
 * skipped) until a record that starts with PREFIX; print it and the count
 * of records before it.  End of file first is a failure.
 */
static void read_until(const char *name, const char *prefix)
{
	char buf[4096 + 1];
	unsigned long n = 0;
	int fd = chan(name, O_RDONLY);

	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf) - 1);

		if (got < 0 && (errno == EPIPE || errno == EINTR))
			continue;
		if (got < 0)
			die("read %s: %s", name, strerror(errno));
		if (got == 0)
			die("end of file on %s after %lu records, before a record \"%s...\"",
			    name, n, prefix);
		buf[got] = 0;
		if (!strncmp(buf, prefix, strlen(prefix))) {
			printf("%s\nrecords before it: %lu\n", buf, n);
			return;
		}
		n++;
	}
}

/* Helper verbs for the shell tests. */
static int verb(int argc, char **argv)
{
	cur_case = argv[1];
	if (!strcmp(argv[1], "block") && argc == 4) {
		block(argv[2], argv[3]);
		return 0;
	}
	if (!strcmp(argv[1], "create") && argc >= 3) {
		create(argv[2], 0, argc > 3 && !strcmp(argv[3], "queue"));
		return 0;
	}
	if (!strcmp(argv[1], "destroy") && argc == 3) {
		if (destroy(argv[2]))
			die("destroy %s: %s", argv[2], strerror(errno));
		return 0;
	}
	if (!strcmp(argv[1], "stalled-reader") && argc == 3 && !strcmp(argv[2], "queue")) {
		stalled_reader();
		return 0;
	}
	if (!strcmp(argv[1], "read-uid") && argc == 3) {
		/* read-uid FD: the writer uid of the next record of open FD. */
		uint64_t rec[(sizeof(struct ringbus_record_header) + 4096) / 8];
		struct ringbus_record_header h;
		int fd = atoi(argv[2]);

		headers(fd);
		if (read(fd, rec, sizeof(rec)) < (ssize_t)sizeof(h))
			die("read fd %d: %s", fd, strerror(errno));
		memcpy(&h, rec, sizeof(h));
		printf("%u\n", (unsigned int)h.uid);
		return 0;
	}
	if (!strcmp(argv[1], "read-until") && argc == 4) {
		read_until(argv[2], argv[3]);
		return 0;
	}
	if (!strcmp(argv[1], "stalled-writer") && argc == 3) {
		stalled_writer(argv[2]);
		return 0;
	}
	if (!strcmp(argv[1], "owner") && argc == 3) {
		t_owner();
		return 0;
	}
	if (!strcmp(argv[1], "destroy-eperm") && argc == 3) {
		FAILS_WITH(destroy(argv[2]), EPERM);
		return 0;
	}
	if ((!strcmp(argv[1], "mkmany") || !strcmp(argv[1], "rmmany")) && argc == 4) {
		char name[RINGBUS_NAME_MAX];
		int k, n = atoi(argv[3]);

		for (k = 0; k < n; k++) {
			snprintf(name, sizeof(name), "%s%d", argv[2], k);
			if (argv[1][0] == 'm')
				create(name, 4096, 0);
			else if (destroy(name))
				die("destroy %s: %s", name, strerror(errno));
		}
		return 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc >= 3)
		return verb(argc, argv) ? 2 : 0;
	if (argc != 2) {
		fprintf(stderr, "usage: rb-chantest CASE|list\n");
		return 2;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!strcmp(argv[1], "list")) {
			puts(cases[i].name);
		} else if (!strcmp(argv[1], cases[i].name)) {
			cur_case = cases[i].name;
			cases[i].fn();
			return 0;
		}
	}
	if (!strcmp(argv[1], "list"))
		return 0;
	fprintf(stderr, "rb-chantest: no case %s\n", argv[1]);
	return 2;
}
