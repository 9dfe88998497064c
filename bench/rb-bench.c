// SPDX-License-Identifier: GPL-2.0-only
/*
 * rb-bench - move records from one writer process to 1..8 reader processes
 * through one transport and print what it achieved as one JSON line.
 *
 *   rb-bench --transport T --size N [--readers R] [--batch K]
 *            [--duration SECS | --count N] [--verify full|sample]
 *            [--capacity BYTES] [--corrupt SEQ]
 *   rb-bench --overhead          per-record memory of ringbus, seqpacket, mq
 *   rb-bench --channel-overhead N
 *                                fixed memory of N channels and their fds
 *   rb-bench --micro             cost of single and batch calls, no peer
 *
 * Transports (T):
 *   rb-queue   a ringbus queue-mode channel (1 reader)
 *   rb-bcast   a ringbus broadcast channel, every reader sees every record
 *   pipe       one pipe per reader (reference: no record boundaries)
 *   seqpacket  one AF_UNIX SOCK_SEQPACKET socket pair per reader
 *   mq         one POSIX message queue per reader
 * With several readers the peers get one pipe/socket/queue per reader and
 * the writer sends each record to every one of them; ringbus broadcast
 * sends it once.  --batch K moves K records per call: RINGBUS_IOC_WRITE_BATCH
 * and READ_BATCH, sendmmsg/recvmmsg, writev and large reads for the pipe
 * (mq has no batch call).
 *
 * Every record carries its sequence number in its first 8 bytes and a
 * pattern derived from it in the rest.  Each reader checks that it gets
 * every record exactly once, in order, with the right length, and checks
 * the content (last 8 bytes of every record and the whole record of every
 * 16th with --verify sample, the whole of every record with full).  Any
 * loss, duplicate, reordering, short record or corrupted byte makes the
 * run fail: "ok":false and exit status 1.  --corrupt SEQ makes the writer
 * damage record SEQ on purpose, to prove that the check works.
 *
 * A broadcast channel never blocks its writer: it overwrites the oldest
 * records.  For a lossless comparison the writer keeps at most half a
 * ring of records ahead of the slowest reader (readers publish their
 * progress in shared memory, the writer sleeps on a futex when it is that
 * far ahead); that flow control is part of what is measured.
 *
 * Time: CLOCK_MONOTONIC from the moment every reader is ready until the
 * last reader has received the end marker.  Records/s counts records
 * delivered to readers (with 4 readers, 4 per record written).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/futex.h>
#include <limits.h>
#include <mqueue.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <linux/ringbus.h>

#define CONTROL		"/dev/ringbus/control"
#define MAX_READERS	8
#define MAX_BATCH	256
#define END_SEQ		UINT64_MAX
#define PAT_SPAN	256

enum transport { T_RBQ, T_RBB, T_PIPE, T_SEQ, T_MQ };
static const char *const tnames[] = { "rb-queue", "rb-bcast", "pipe", "seqpacket", "mq" };

struct rstat {
	uint64_t received;
	uint64_t verified;
	uint64_t errors;
	double t_end;
	char msg[200];
};

/* Shared between the writer and its readers (MAP_SHARED). */
struct shared {
	atomic_uint ready;
	atomic_uint go;
	atomic_uint progress;		/* futex word the writer sleeps on */
	atomic_uint writer_waiting;
	atomic_uint_least64_t acked[MAX_READERS];
	struct rstat r[MAX_READERS];
};

static struct {
	enum transport t;
	unsigned int size;
	unsigned int readers;
	unsigned int batch;
	double duration;
	uint64_t count;
	int full_verify;
	uint64_t capacity;
	uint64_t corrupt;
} opt = {
	.t = T_RBQ, .size = 64, .readers = 1, .batch = 1, .duration = 1.0,
	.count = 0, .full_verify = 0, .capacity = 262144, .corrupt = END_SEQ,
};

static struct shared *sh;
static uint8_t *pat;			/* the pattern records are cut from */
static char chname[RINGBUS_NAME_MAX];
static char mqname[MAX_READERS][40];
static int wfd[MAX_READERS];		/* writer's ends */
static int rfd[MAX_READERS];		/* readers' ends */
static unsigned int ndest;		/* destinations the writer sends to */
static unsigned int window = UINT_MAX;	/* broadcast flow control, records */

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rb-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long futex(atomic_uint *addr, int op, unsigned int val)
{
	return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Bytes a record takes in a ringbus ring: 40-byte header, payload padded. */
static size_t rb_rec_size(size_t len)
{
	return 40 + align8(len);
}

/* --- ringbus control --------------------------------------------------- */

static int rb_control(void)
{
	int fd = open(CONTROL, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", CONTROL, strerror(errno));
	return fd;
}

static void rb_create(const char *name, uint64_t capacity, uint32_t mode)
{
	struct ringbus_create c;
	int fd = rb_control();

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.capacity = capacity;
	c.mode = mode;
	if (ioctl(fd, RINGBUS_IOC_CREATE, &c))
		die("create channel %s (capacity %llu): %s", name,
		    (unsigned long long)capacity, strerror(errno));
	close(fd);
}

static void rb_destroy(const char *name)
{
	struct ringbus_name n;
	int fd = rb_control();

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	if (ioctl(fd, RINGBUS_IOC_DESTROY, &n))
		fprintf(stderr, "rb-bench: destroy %s: %s\n", name, strerror(errno));
	close(fd);
}

static int rb_open(const char *name, int flags)
{
	char path[64];
	int fd, tries;

	snprintf(path, sizeof(path), "/dev/ringbus/%s", name);
	/* devtmpfs has the node when CREATE returns; retry a little anyway. */
	for (tries = 0; (fd = open(path, flags | O_CLOEXEC)) < 0 && tries < 100; tries++)
		usleep(10000);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	return fd;
}

/* --- records ----------------------------------------------------------- */

static void make_record(uint8_t *rec, uint64_t seq)
{
	memcpy(rec, pat + (seq % PAT_SPAN), opt.size);
	memcpy(rec, &seq, sizeof(seq));
	if (seq == opt.corrupt)
		rec[opt.size - 1] ^= 0x5a;
}

static void reader_fail(struct rstat *st, const char *fmt, ...)
{
	va_list ap;

	st->errors++;
	if (st->msg[0])
		return;		/* keep the first diagnostic */
	va_start(ap, fmt);
	vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
	va_end(ap);
}

/*
 * Check one received record.  Return: 1 for a data record, 0 for the end
 * marker.
 */
static int check_record(struct rstat *st, uint64_t *expect, const uint8_t *rec,
			size_t len)
{
	uint64_t seq;
	const uint8_t *want;
	size_t off;

	if (len != opt.size) {
		reader_fail(st, "record %llu: %zu bytes, want %u",
			    (unsigned long long)*expect, len, opt.size);
		if (len < sizeof(seq))
			return 1;
	}
	memcpy(&seq, rec, sizeof(seq));
	if (seq == END_SEQ)
		return 0;
	st->received++;
	if (seq != *expect) {
		reader_fail(st, "got record %llu, want %llu (lost, duplicated or reordered)",
			    (unsigned long long)seq, (unsigned long long)*expect);
		*expect = seq;
	}
	(*expect)++;
	if (len != opt.size)
		return 1;
	want = pat + (seq % PAT_SPAN);
	if (opt.full_verify || seq % 16 == 0)
		off = sizeof(seq);
	else
		off = opt.size - 8 > sizeof(seq) ? opt.size - 8 : sizeof(seq);
	if (memcmp(rec + off, want + off, opt.size - off)) {
		reader_fail(st, "record %llu: content differs from what was written",
			    (unsigned long long)seq);
		return 1;
	}
	st->verified++;
	return 1;
}

/* --- flow control for broadcast ---------------------------------------- */

static void publish_progress(unsigned int i, uint64_t n)
{
	atomic_store(&sh->acked[i], n);
	if (atomic_load(&sh->writer_waiting)) {
		atomic_fetch_add(&sh->progress, 1);
		futex(&sh->progress, FUTEX_WAKE, INT_MAX);
	}
}

static uint64_t min_acked(void)
{
	uint64_t m = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < opt.readers; i++) {
		uint64_t a = atomic_load(&sh->acked[i]);
		if (a < m)
			m = a;
	}
	return m;
}

/* Wait until writing up to record @upto (exclusive) keeps within the window. */
static void flow_wait(uint64_t upto)
{
	static uint64_t acked;

	if (window == UINT_MAX || upto - acked <= window)
		return;
	acked = min_acked();
	while (upto - acked > window) {
		unsigned int p = atomic_load(&sh->progress);
		atomic_store(&sh->writer_waiting, 1);
		acked = min_acked();
		if (upto - acked <= window)
			break;
		futex(&sh->progress, FUTEX_WAIT, p);
		acked = min_acked();
	}
	atomic_store(&sh->writer_waiting, 0);
}

/* --- the writer ---------------------------------------------------------- */

/* Records are built in slots: an 8-byte WRITE_BATCH header, then the record. */
static size_t slot_size(void)
{
	return 8 + align8(opt.size);
}

static void write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write: %s", n ? strerror(errno) : "wrote nothing");
		p += n;
		len -= n;
	}
}

static void put_records(unsigned int d, uint8_t *slots, unsigned int k)
{
	size_t ss = slot_size();
	struct mmsghdr mm[MAX_BATCH];
	struct iovec iov[MAX_BATCH];
	struct ringbus_batch b;
	unsigned int i, done;
	ssize_t n;
	int r;

	switch (opt.t) {
	case T_RBQ:
	case T_RBB:
		if (k == 1 && opt.batch == 1) {
			n = write(wfd[d], slots + 8, opt.size);
			if (n != (ssize_t)opt.size)
				die("ringbus write: %zd %s", n, strerror(errno));
			return;
		}
		for (done = 0; done < k; done += b.count) {
			memset(&b, 0, sizeof(b));
			b.buf = (uintptr_t)(slots + done * ss);
			b.buf_len = (k - done) * ss;
			b.max_records = k - done;
			if (ioctl(wfd[d], RINGBUS_IOC_WRITE_BATCH, &b) || b.count == 0)
				die("RINGBUS_IOC_WRITE_BATCH: %s", strerror(errno));
		}
		return;
	case T_PIPE:
		if (k == 1) {
			write_all(wfd[d], slots + 8, opt.size);
			return;
		}
		for (i = 0; i < k; i++) {
			iov[i].iov_base = slots + i * ss + 8;
			iov[i].iov_len = opt.size;
		}
		for (i = 0; i < k; ) {
			n = writev(wfd[d], iov + i, k - i);
			if (n <= 0)
				die("pipe writev: %s", strerror(errno));
			/* A partial write: finish the record it stopped in. */
			while (i < k && (size_t)n >= iov[i].iov_len) {
				n -= iov[i].iov_len;
				i++;
			}
			if (n) {
				write_all(wfd[d], (uint8_t *)iov[i].iov_base + n,
					  iov[i].iov_len - n);
				i++;
			}
		}
		return;
	case T_SEQ:
		if (k == 1 && opt.batch == 1) {
			n = send(wfd[d], slots + 8, opt.size, 0);
			if (n != (ssize_t)opt.size)
				die("send: %zd %s", n, strerror(errno));
			return;
		}
		memset(mm, 0, k * sizeof(mm[0]));
		for (i = 0; i < k; i++) {
			iov[i].iov_base = slots + i * ss + 8;
			iov[i].iov_len = opt.size;
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		for (done = 0; done < k; done += r) {
			r = sendmmsg(wfd[d], mm + done, k - done, 0);
			if (r <= 0)
				die("sendmmsg: %s", strerror(errno));
		}
		return;
	case T_MQ:
		for (i = 0; i < k; i++)
			if (mq_send(wfd[d], (char *)slots + i * ss + 8, opt.size, 0))
				die("mq_send: %s", strerror(errno));
		return;
	}
}

static uint64_t run_writer(double *t0)
{
	size_t ss = slot_size();
	unsigned int i, d, since_clock = 0;
	uint8_t *slots = calloc(MAX_BATCH, ss);
	uint32_t len = opt.size;
	uint64_t seq = 0;
	double end;

	if (!slots)
		die("out of memory");
	for (i = 0; i < MAX_BATCH; i++)
		memcpy(slots + i * ss, &len, sizeof(len));
	while (atomic_load(&sh->ready) < opt.readers)
		usleep(1000);
	*t0 = now();
	end = *t0 + opt.duration;
	atomic_store(&sh->go, 1);
	for (;;) {
		unsigned int k = opt.batch;
		if (k > window)
			k = window;
		if (opt.count && opt.count - seq < k)
			k = opt.count - seq;
		if (k == 0)
			break;
		for (i = 0; i < k; i++)
			make_record(slots + i * ss + 8, seq + i);
		flow_wait(seq + k);
		for (d = 0; d < ndest; d++)
			put_records(d, slots, k);
		seq += k;
		since_clock += k;
		if (!opt.count && since_clock >= 64) {
			since_clock = 0;
			if (now() >= end)
				break;
		}
	}
	/* The end marker, once per destination. */
	memset(slots + 8, 0xff, opt.size);
	flow_wait(seq + 1);
	for (d = 0; d < ndest; d++)
		put_records(d, slots, 1);
	free(slots);
	return seq;
}

/* --- the readers --------------------------------------------------------- */

static void run_reader(unsigned int idx)
{
	struct rstat *st = &sh->r[idx];
	size_t ss = align8(opt.size), bufsz;
	unsigned int k = opt.batch, i;
	struct mmsghdr mm[MAX_BATCH];
	struct iovec iov[MAX_BATCH];
	struct ringbus_batch b;
	uint64_t expect = 0;
	size_t have = 0, off;
	uint8_t *buf;
	int fd = -1, more = 1;
	ssize_t n;

	if (opt.t == T_RBQ || opt.t == T_RBB)
		fd = rb_open(chname, O_RDONLY);
	else
		fd = rfd[idx];
	bufsz = (size_t)MAX_BATCH * (sizeof(struct ringbus_record_header) + ss) + opt.size;
	buf = malloc(bufsz);
	if (!buf)
		die("out of memory");
	atomic_fetch_add(&sh->ready, 1);
	while (more) {
		unsigned int nrec = 0;
		switch (opt.t) {
		case T_RBQ:
		case T_RBB:
			if (k == 1) {
				n = read(fd, buf, opt.size);
				if (n < 0) {
					reader_fail(st, "read: %s", strerror(errno));
					if (errno == EPIPE || errno == EINTR)
						continue;
					more = 0;
					break;
				}
				if (n == 0) {
					reader_fail(st, "end of file: channel destroyed");
					more = 0;
					break;
				}
				more = check_record(st, &expect, buf, n);
				nrec = 1;
				break;
			}
			memset(&b, 0, sizeof(b));
			b.buf = (uintptr_t)buf;
			b.buf_len = k * (sizeof(struct ringbus_record_header) + ss);
			b.max_records = k;
			if (ioctl(fd, RINGBUS_IOC_READ_BATCH, &b)) {
				reader_fail(st, "READ_BATCH: %s", strerror(errno));
				if (errno == EPIPE || errno == EINTR)
					continue;
				more = 0;
				break;
			}
			for (i = 0, off = 0; i < b.count && more; i++) {
				const struct ringbus_record_header *h = (const void *)(buf + off);

				more = check_record(st, &expect, (const uint8_t *)(h + 1), h->len);
				off += sizeof(*h) + align8(h->len);
			}
			nrec = b.count;
			if (b.count == 0) {
				reader_fail(st, "READ_BATCH: no record and no error");
				more = 0;
			}
			break;
		case T_PIPE:
			n = read(fd, buf + have, (size_t)k * opt.size - have);
			if (n <= 0) {
				reader_fail(st, "pipe read: %s", n ? strerror(errno) : "end of file");
				more = 0;
				break;
			}
			have += n;
			for (off = 0; have - off >= opt.size && more; off += opt.size, nrec++)
				more = check_record(st, &expect, buf + off, opt.size);
			memmove(buf, buf + off, have - off);
			have -= off;
			break;
		case T_SEQ:
			if (k == 1) {
				/* One byte more than a record: a longer one shows. */
				n = recv(fd, buf, opt.size + 1, 0);
				if (n <= 0) {
					reader_fail(st, "recv: %s", n ? strerror(errno) : "end of file");
					more = 0;
					break;
				}
				more = check_record(st, &expect, buf, n);
				nrec = 1;
				break;
			}
			memset(mm, 0, k * sizeof(mm[0]));
			for (i = 0; i < k; i++) {
				iov[i].iov_base = buf + i * (ss + 8);
				iov[i].iov_len = opt.size + 1;
				mm[i].msg_hdr.msg_iov = &iov[i];
				mm[i].msg_hdr.msg_iovlen = 1;
			}
			n = recvmmsg(fd, mm, k, MSG_WAITFORONE, NULL);
			if (n <= 0) {
				reader_fail(st, "recvmmsg: %s", n ? strerror(errno) : "end of file");
				more = 0;
				break;
			}
			for (i = 0; i < (unsigned int)n && more; i++)
				more = check_record(st, &expect, iov[i].iov_base, mm[i].msg_len);
			nrec = n;
			break;
		case T_MQ:
			n = mq_receive(fd, (char *)buf, opt.size, NULL);
			if (n < 0) {
				reader_fail(st, "mq_receive: %s", strerror(errno));
				more = 0;
				break;
			}
			more = check_record(st, &expect, buf, n);
			nrec = 1;
			break;
		}
		if (nrec && opt.t == T_RBB)
			publish_progress(idx, st->received + !more);
	}
	st->t_end = now();
	free(buf);
	_exit(st->errors ? 1 : 0);
}

/* --- set-up and the run ------------------------------------------------- */

static void raise_mq_limits(long depth)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	FILE *f;
	long cur;

	if (setrlimit(RLIMIT_MSGQUEUE, &rl))
		fprintf(stderr, "rb-bench: setrlimit(RLIMIT_MSGQUEUE): %s\n", strerror(errno));
	f = fopen("/proc/sys/fs/mqueue/msg_max", "r");
	if (f && fscanf(f, "%ld", &cur) == 1 && cur < depth) {
		fclose(f);
		f = fopen("/proc/sys/fs/mqueue/msg_max", "w");
		if (f)
			fprintf(f, "%ld\n", depth);
	}
	if (f)
		fclose(f);
}

static void setup(void)
{
	unsigned int i;
	int sv[2], p[2];

	ndest = opt.readers;
	switch (opt.t) {
	case T_RBQ:
	case T_RBB:
		snprintf(chname, sizeof(chname), "rbbench-%d", (int)getpid());
		rb_create(chname, opt.capacity,
			  opt.t == T_RBQ ? RINGBUS_MODE_QUEUE : RINGBUS_MODE_BROADCAST);
		wfd[0] = rb_open(chname, O_WRONLY);
		ndest = 1;
		if (opt.t == T_RBB) {
			window = opt.capacity / rb_rec_size(opt.size) / 2;
			if (window < 1)
				die("a record of %u bytes does not fit twice in the ring", opt.size);
		}
		break;
	case T_PIPE:
		for (i = 0; i < opt.readers; i++) {
			if (pipe2(p, O_CLOEXEC))
				die("pipe: %s", strerror(errno));
			/* The same buffer size as the ring (root may exceed pipe-max-size). */
			if (fcntl(p[1], F_SETPIPE_SZ, (int)opt.capacity) < 0)
				fprintf(stderr, "rb-bench: F_SETPIPE_SZ: %s\n", strerror(errno));
			rfd[i] = p[0];
			wfd[i] = p[1];
		}
		break;
	case T_SEQ:
		for (i = 0; i < opt.readers; i++) {
			if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
				die("socketpair: %s", strerror(errno));
			/* Default buffers (net.core.wmem_default). */
			wfd[i] = sv[0];
			rfd[i] = sv[1];
		}
		break;
	case T_MQ: {
		struct mq_attr a;
		long depth = opt.capacity / opt.size;

		if (depth < 10)
			depth = 10;
		if (depth > 65536)
			depth = 65536;
		raise_mq_limits(depth);
		memset(&a, 0, sizeof(a));
		a.mq_maxmsg = depth;
		a.mq_msgsize = opt.size;
		for (i = 0; i < opt.readers; i++) {
			snprintf(mqname[i], sizeof(mqname[i]), "/rbbench-%d-%u", (int)getpid(), i);
			wfd[i] = mq_open(mqname[i], O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &a);
			if (wfd[i] < 0)
				die("mq_open %s (maxmsg %ld, msgsize %u): %s", mqname[i], depth,
				    opt.size, strerror(errno));
			rfd[i] = wfd[i];
		}
		break;
	}
	}
}

static void teardown(void)
{
	unsigned int i;

	switch (opt.t) {
	case T_RBQ:
	case T_RBB:
		close(wfd[0]);
		rb_destroy(chname);
		break;
	case T_MQ:
		for (i = 0; i < opt.readers; i++) {
			mq_close(wfd[i]);
			mq_unlink(mqname[i]);
		}
		break;
	default:
		for (i = 0; i < opt.readers; i++) {
			close(wfd[i]);
			close(rfd[i]);
		}
	}
}

static int run(void)
{
	pid_t pids[MAX_READERS];
	uint64_t sent, delivered = 0, verified = 0;
	struct ringbus_stats rst;
	char wakeups[32] = "null";
	unsigned int i;
	double t0, t1 = 0, secs;
	const char *msg = "";
	int ok = 1, status;

	setup();
	for (i = 0; i < opt.readers; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork: %s", strerror(errno));
		if (pids[i] == 0) {
			alarm(opt.count ? 120 : (unsigned int)(opt.duration * 20) + 60);
			run_reader(i);
		}
	}
	/* The peers' reader ends belong to the readers now. */
	if (opt.t == T_PIPE || opt.t == T_SEQ)
		for (i = 0; i < opt.readers; i++) {
			close(rfd[i]);
			rfd[i] = -1;
		}
	sent = run_writer(&t0);
	for (i = 0; i < opt.readers; i++) {
		struct rstat *st = &sh->r[i];

		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			ok = 0;
			if (!*msg)
				msg = st->msg[0] ? st->msg : "a reader died";
		}
		if (st->received != sent) {
			ok = 0;
			if (!*msg)
				msg = "a reader did not get every record";
		}
		if (st->errors && !*msg)
			msg = st->msg;
		if (st->errors)
			ok = 0;
		delivered += st->received;
		verified += st->verified;
		if (st->t_end > t1)
			t1 = st->t_end;
		if (st->msg[0])
			fprintf(stderr, "rb-bench: reader %u: %s (%llu errors)\n", i, st->msg,
				(unsigned long long)st->errors);
	}
	if (opt.t != T_PIPE && opt.t != T_SEQ)
		for (i = 0; i < opt.readers; i++)
			rfd[i] = -1;
	/* Sleeping readers and writers the channel woke: one per record is a ping-pong. */
	if ((opt.t == T_RBQ || opt.t == T_RBB) && !ioctl(wfd[0], RINGBUS_IOC_STATS, &rst))
		snprintf(wakeups, sizeof(wakeups), "%llu", (unsigned long long)rst.wakeups);
	teardown();
	secs = t1 - t0;
	if (secs <= 0)
		secs = 1e-9;
	printf("{\"transport\":\"%s\",\"readers\":%u,\"batch\":%u,\"size\":%u,"
	       "\"written\":%llu,\"delivered\":%llu,\"verified\":%llu,"
	       "\"seconds\":%.6f,\"records_per_s\":%.1f,\"mb_per_s\":%.3f,"
	       "\"kernel_wakeups\":%s,\"verify\":\"%s\",\"ok\":%s,\"error\":\"%s\"}\n",
	       tnames[opt.t], opt.readers, opt.batch, opt.size,
	       (unsigned long long)sent, (unsigned long long)delivered,
	       (unsigned long long)verified, secs, delivered / secs,
	       delivered * (double)opt.size / secs / 1e6, wakeups,
	       opt.full_verify ? "full" : "sample", ok ? "true" : "false", msg);
	return ok ? 0 : 1;
}

/* --- memory overhead ----------------------------------------------------- */

/* A /proc/meminfo value in kB. */
static long meminfo(const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static void settle(void)
{
	/* Let udev and RCU catch up before memory is sampled. */
	if (system("udevadm settle --timeout=30 >/dev/null 2>&1") != 0)
		usleep(500000);
	sync();
	usleep(300000);
}

static int per_record_overhead(void)
{
	static const unsigned int sizes[] = { 1, 16, 64, 512, 4096 };
	const unsigned int n = 200;
	uint8_t *rec = calloc(1, 4096);
	unsigned int i, j;
	int sv[2], outq;
	struct ringbus_info info;

	if (!rec)
		die("out of memory");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned int s = sizes[i];
		int fd;

		/* ringbus: bytes of the ring in use. */
		snprintf(chname, sizeof(chname), "rbbench-ovh-%d", (int)getpid());
		rb_create(chname, 1 << 20, RINGBUS_MODE_QUEUE);
		fd = rb_open(chname, O_RDWR);
		for (j = 0; j < n; j++)
			if (write(fd, rec, s) != (ssize_t)s)
				die("ringbus write: %s", strerror(errno));
		if (ioctl(fd, RINGBUS_IOC_CHAN_INFO, &info))
			die("CHAN_INFO: %s", strerror(errno));
		close(fd);
		rb_destroy(chname);
		printf("{\"overhead\":\"rb\",\"size\":%u,\"records\":%u,\"bytes\":%llu,"
		       "\"per_record\":%.1f,\"overhead_per_record\":%.1f}\n", s, n,
		       (unsigned long long)info.used, (double)info.used / n,
		       (double)info.used / n - s);

		/* SOCK_SEQPACKET: SIOCOUTQ is the sender's sk_wmem_alloc (truesize). */
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
			die("socketpair: %s", strerror(errno));
		outq = 16 << 20;
		if (setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &outq, sizeof(outq)))
			setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &outq, sizeof(outq));
		for (j = 0; j < n; j++)
			if (send(sv[0], rec, s, MSG_DONTWAIT) != (ssize_t)s)
				die("send %u of %u: %s", j, n, strerror(errno));
		if (ioctl(sv[0], SIOCOUTQ, &outq))
			die("SIOCOUTQ: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		printf("{\"overhead\":\"seqpacket\",\"size\":%u,\"records\":%u,\"bytes\":%d,"
		       "\"per_record\":%.1f,\"overhead_per_record\":%.1f}\n", s, n, outq,
		       (double)outq / n, (double)outq / n - s);
	}
	/* POSIX mq: kernel memory (slab) per queued message, from /proc/meminfo. */
	for (i = 1; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned int s = sizes[i], m = s >= 4096 ? 4000 : 20000;
		struct mq_attr a = { .mq_maxmsg = m, .mq_msgsize = s };
		long before, after;
		mqd_t q;

		raise_mq_limits(m);
		snprintf(mqname[0], sizeof(mqname[0]), "/rbbench-ovh-%d", (int)getpid());
		q = mq_open(mqname[0], O_RDWR | O_CREAT | O_EXCL, 0600, &a);
		if (q < 0)
			die("mq_open: %s", strerror(errno));
		settle();
		before = meminfo("Slab");
		for (j = 0; j < m; j++)
			if (mq_send(q, (char *)rec, s, 0))
				die("mq_send: %s", strerror(errno));
		settle();
		after = meminfo("Slab");
		mq_close(q);
		mq_unlink(mqname[0]);
		printf("{\"overhead\":\"mq\",\"size\":%u,\"records\":%u,\"bytes\":%ld,"
		       "\"per_record\":%.1f,\"overhead_per_record\":%.1f}\n", s, m,
		       (after - before) * 1024, (after - before) * 1024.0 / m,
		       (after - before) * 1024.0 / m - s);
	}
	free(rec);
	return 0;
}

static int channel_overhead(unsigned int n)
{
	static const uint64_t caps[] = { 4096, 65536 };
	int *fds = calloc(n, sizeof(int));
	unsigned int i, c;
	char name[RINGBUS_NAME_MAX];

	if (!fds)
		die("out of memory");
	for (c = 0; c < 2; c++) {
		long slab0, vm0, free0, slab1, vm1, free1, slab2, vm2, free2;

		settle();
		slab0 = meminfo("Slab");
		vm0 = meminfo("VmallocUsed");
		free0 = meminfo("MemFree");
		for (i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "rbb%d-%u", (int)getpid() % 100000, i);
			rb_create(name, caps[c], RINGBUS_MODE_BROADCAST);
		}
		settle();
		slab1 = meminfo("Slab");
		vm1 = meminfo("VmallocUsed");
		free1 = meminfo("MemFree");
		for (i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "rbb%d-%u", (int)getpid() % 100000, i);
			fds[i] = rb_open(name, O_RDWR);
		}
		settle();
		slab2 = meminfo("Slab");
		vm2 = meminfo("VmallocUsed");
		free2 = meminfo("MemFree");
		for (i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "rbb%d-%u", (int)getpid() % 100000, i);
			close(fds[i]);
			rb_destroy(name);
		}
		printf("{\"channel_overhead\":%llu,\"channels\":%u,"
		       "\"channel_slab_bytes\":%.0f,\"channel_vmalloc_bytes\":%.0f,"
		       "\"channel_memfree_bytes\":%.0f,"
		       "\"rdwr_fd_slab_bytes\":%.0f,\"rdwr_fd_vmalloc_bytes\":%.0f,"
		       "\"rdwr_fd_memfree_bytes\":%.0f}\n",
		       (unsigned long long)caps[c], n,
		       (slab1 - slab0) * 1024.0 / n, (vm1 - vm0) * 1024.0 / n,
		       (free0 - free1) * 1024.0 / n,
		       (slab2 - slab1) * 1024.0 / n, (vm2 - vm1) * 1024.0 / n,
		       (free1 - free2) * 1024.0 / n);
	}
	free(fds);
	return 0;
}

/* --- per-call costs without a peer ----------------------------------- */

static void micro_line(const char *what, const char *mode, unsigned int batch,
		       unsigned int size, uint64_t n, double secs)
{
	printf("{\"micro\":\"%s\",\"mode\":\"%s\",\"batch\":%u,\"size\":%u,"
	       "\"records\":%llu,\"ns_per_record\":%.1f}\n", what, mode, batch, size,
	       (unsigned long long)n, secs * 1e9 / n);
}

/* Write @n records of @size to @fd, @batch per call; return the seconds. */
static double micro_write(int fd, unsigned int size, unsigned int batch, uint64_t n)
{
	size_t ss = 8 + align8(size);
	uint8_t *slots = calloc(batch, ss);
	struct ringbus_batch b;
	uint64_t done = 0;
	unsigned int i;
	double t0;

	if (!slots)
		die("out of memory");
	for (i = 0; i < batch; i++)
		memcpy(slots + i * ss, &size, sizeof(size));
	t0 = now();
	while (done < n) {
		if (batch == 1) {
			if (write(fd, slots + 8, size) != (ssize_t)size)
				die("write: %s", strerror(errno));
			done++;
			continue;
		}
		memset(&b, 0, sizeof(b));
		b.buf = (uintptr_t)slots;
		b.buf_len = batch * ss;
		b.max_records = n - done < batch ? n - done : batch;
		if (ioctl(fd, RINGBUS_IOC_WRITE_BATCH, &b) || !b.count)
			die("WRITE_BATCH: %s", strerror(errno));
		done += b.count;
	}
	t0 = now() - t0;
	free(slots);
	return t0;
}

/* Read @n records of @size from @fd, @batch per call; return the seconds. */
static double micro_read(int fd, unsigned int size, unsigned int batch, uint64_t n)
{
	size_t bl = batch * (sizeof(struct ringbus_record_header) + align8(size));
	uint8_t *buf = malloc(bl);
	struct ringbus_batch b;
	uint64_t done = 0;
	double t0;

	if (!buf)
		die("out of memory");
	t0 = now();
	while (done < n) {
		if (batch == 1) {
			if (read(fd, buf, size) != (ssize_t)size)
				die("read: %s", strerror(errno));
			done++;
			continue;
		}
		memset(&b, 0, sizeof(b));
		b.buf = (uintptr_t)buf;
		b.buf_len = bl;
		b.max_records = n - done < batch ? n - done : batch;
		if (ioctl(fd, RINGBUS_IOC_READ_BATCH, &b) || !b.count)
			die("READ_BATCH: %s", strerror(errno));
		done += b.count;
	}
	t0 = now() - t0;
	free(buf);
	return t0;
}

/*
 * The cost of one write and one read call on their own, with nobody on the
 * other side to wait for or wake: a channel of 4 MiB is filled, then
 * drained, by one process.  The difference between record sizes is the
 * per-byte cost of the copies; the difference between single calls and
 * batches is what a batch saves per record.  Each figure is the fastest of
 * MICRO_TRIES tries: interference (a busy host) only ever adds time.
 */
#define MICRO_TRIES	5

static int micro(void)
{
	static const unsigned int sizes[] = { 16, 64, 512, 4096 };
	static const unsigned int batches[] = { 1, 32 };
	const uint64_t cap = 4 << 20;
	unsigned int i, j, m;
	double tw, tr;

	for (m = 0; m < 2; m++) {
		const char *mode = m ? "queue" : "bcast";

		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			for (j = 0; j < sizeof(batches) / sizeof(batches[0]); j++) {
				uint64_t n = cap / rb_rec_size(sizes[i]) - 1;
				unsigned int try;

				if (n > 10000)
					n = 10000;
				tw = tr = 1e9;
				for (try = 0; try < MICRO_TRIES; try++) {
					double t;
					int w, r;

					snprintf(chname, sizeof(chname), "rbbench-micro-%d", (int)getpid());
					rb_create(chname, cap, m ? RINGBUS_MODE_QUEUE : RINGBUS_MODE_BROADCAST);
					w = rb_open(chname, O_WRONLY);
					r = rb_open(chname, O_RDONLY);
					t = micro_write(w, sizes[i], batches[j], n);
					if (t < tw)
						tw = t;
					t = micro_read(r, sizes[i], batches[j], n);
					if (t < tr)
						tr = t;
					close(w);
					close(r);
					rb_destroy(chname);
				}
				micro_line("write", mode, batches[j], sizes[i], n, tw);
				micro_line("read", mode, batches[j], sizes[i], n, tr);
			}
		}
	}
	/* The reference: the same through a pipe (one copy each way). */
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t n = (1 << 20) / sizes[i];
		uint8_t *buf = calloc(1, sizes[i]);
		unsigned int try;
		uint64_t k;
		int p[2];

		if (n > 10000)
			n = 10000;
		if (!buf || pipe(p) || fcntl(p[1], F_SETPIPE_SZ, 1 << 21) < 0)
			die("pipe: %s", strerror(errno));
		tw = tr = 1e9;
		for (try = 0; try < MICRO_TRIES; try++) {
			double t = now();

			for (k = 0; k < n; k++)
				write_all(p[1], buf, sizes[i]);
			t = now() - t;
			if (t < tw)
				tw = t;
			t = now();
			for (k = 0; k < n; k++)
				if (read(p[0], buf, sizes[i]) != (ssize_t)sizes[i])
					die("pipe read: %s", strerror(errno));
			t = now() - t;
			if (t < tr)
				tr = t;
		}
		close(p[0]);
		close(p[1]);
		free(buf);
		micro_line("write", "pipe", 1, sizes[i], n, tw);
		micro_line("read", "pipe", 1, sizes[i], n, tr);
	}
	return 0;
}

/* --- main ------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: rb-bench --transport rb-queue|rb-bcast|pipe|seqpacket|mq --size N\n"
		"                [--readers R] [--batch K] [--duration SECS | --count N]\n"
		"                [--verify full|sample] [--capacity BYTES] [--corrupt SEQ]\n"
		"       rb-bench --overhead\n"
		"       rb-bench --channel-overhead N\n"
		"       rb-bench --micro\n");
	exit(2);
}

static unsigned long long number(const char *s, unsigned long long lo,
				 unsigned long long hi)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s || v < lo || v > hi)
		die("bad number '%s' (want %llu..%llu)", s, lo, hi);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "transport", required_argument, NULL, 't' },
		{ "size", required_argument, NULL, 's' },
		{ "readers", required_argument, NULL, 'r' },
		{ "batch", required_argument, NULL, 'b' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "verify", required_argument, NULL, 'v' },
		{ "capacity", required_argument, NULL, 'c' },
		{ "corrupt", required_argument, NULL, 'x' },
		{ "overhead", no_argument, NULL, 'O' },
		{ "channel-overhead", required_argument, NULL, 'C' },
		{ "micro", no_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int i, maxsize;
	char *end;
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 't':
			for (i = 0; i < sizeof(tnames) / sizeof(tnames[0]); i++)
				if (!strcmp(optarg, tnames[i]))
					break;
			if (i == sizeof(tnames) / sizeof(tnames[0]))
				die("unknown transport '%s'", optarg);
			opt.t = i;
			break;
		case 's':
			opt.size = number(optarg, 16, 65536);
			break;
		case 'r':
			opt.readers = number(optarg, 1, MAX_READERS);
			break;
		case 'b':
			opt.batch = number(optarg, 1, MAX_BATCH);
			break;
		case 'd':
			opt.duration = strtod(optarg, &end);
			if (*end || opt.duration <= 0 || opt.duration > 3600)
				die("bad duration '%s'", optarg);
			break;
		case 'n':
			opt.count = number(optarg, 1, 1ULL << 40);
			break;
		case 'v':
			if (strcmp(optarg, "full") && strcmp(optarg, "sample"))
				die("--verify full or sample");
			opt.full_verify = !strcmp(optarg, "full");
			break;
		case 'c':
			opt.capacity = number(optarg, 4096, 1ULL << 30);
			break;
		case 'x':
			opt.corrupt = number(optarg, 0, 1ULL << 40);
			break;
		case 'O':
			return per_record_overhead();
		case 'C':
			return channel_overhead(number(optarg, 1, 250));
		case 'M':
			return micro();
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (opt.t == T_RBQ && opt.readers != 1)
		die("rb-queue hands each record to one reader: use --readers 1");
	if (opt.t == T_MQ && opt.batch != 1)
		die("POSIX mq has no batch call");
	maxsize = opt.capacity / 4;
	if ((opt.t == T_RBQ || opt.t == T_RBB) && opt.size > maxsize)
		die("--size %u is above the channel's max_record %u", opt.size, maxsize);
	signal(SIGPIPE, SIG_IGN);
	pat = malloc(opt.size + PAT_SPAN);
	if (!pat)
		die("out of memory");
	for (i = 0; i < opt.size + PAT_SPAN; i++)
		pat[i] = (uint8_t)(i * 131 + 17 + (i >> 8));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(sh, 0, sizeof(*sh));
	alarm(opt.count ? 120 : (unsigned int)(opt.duration * 20) + 60);
	return run();
}
