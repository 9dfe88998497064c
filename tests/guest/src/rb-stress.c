// SPDX-License-Identifier: GPL-2.0-only
/*
 * rb-stress - load and race tests of ringbus channels from user space.
 *
 * --mode queue      W writer threads stamp every record with (writer id,
 *                   per-writer counter); R reader processes consume them.
 *                   Every record must arrive exactly once (a shared bitmap
 *                   per writer: a bit set twice is a duplicate, a bit never
 *                   set a loss), each reader must see every writer's
 *                   counters and the kernel sequence numbers strictly
 *                   increasing, and every payload must be intact.
 * --mode broadcast  the same writers; every reader process sees strictly
 *                   increasing sequence numbers, and every gap is exactly
 *                   the number of records the kernel reports as missed
 *                   (EPIPE, then RINGBUS_IOC_STATS fd_missed).  The
 *                   channel's overrun counter must equal the EPIPEs seen.
 * --chaos           many threads create, destroy, open, close, read, write
 *                   and ioctl the same few channel names at once while
 *                   others read /proc/ringbus/ and /sys/class/ringbus/.
 *                   Errors that races make legitimate (ENOENT, ENODEV,
 *                   EEXIST, EPIPE, EAGAIN...) are counted; any other errno
 *                   is a failure.
 *
 * --kproducer NAME reads the queue channel rbtest_producer.ko fills with
 *                   concurrent=SECS (tests/consumer) until its end record:
 *                   sequence numbers 1, 2, 3... with no gap, every source's
 *                   (timer or kthread of each CPU) numbers 0, 1, 2... in
 *                   order, written on the CPU it belongs to, and the counts
 *                   its summary records give equal what arrived.
 *                   With --fault-writes a thread of this process writes to
 *                   the same channel at the same time, from a page that
 *                   userfaultfd holds missing for a few milliseconds while
 *                   the kernel's producers append behind the write's
 *                   reservation: every other write then runs on into a
 *                   PROT_NONE page and must fail with EFAULT, which takes
 *                   the reservation back and moves the kernel's records
 *                   down (renumbered: the sequence must stay gapless); the
 *                   others must arrive intact ("user n=N", 0, 1, 2...).
 *
 * --round          one round of tests/guest/t/65-lifecycle.sh in one
 *                   process: three channels (queue, broadcast, 1 MiB), four
 *                   files open at once (three channels and the control
 *                   node), records through them, /proc/ringbus/ and sysfs
 *                   read, files closed, two channels destroyed and the
 *                   third (PREFIX-big) left for the module unload.
 *
 * A watchdog thread ends the run (exit 3) when the progress counter, or in
 * chaos mode any single worker thread, makes no progress for --watchdog
 * seconds: a deadlock or a lost wake-up.
 *
 * The last line of output is machine-readable:
 *   RESULT mode=M key=value ... status=ok|fail
 * Exit status: 0 all checks held, 1 a violation, 2 usage or setup error,
 * 3 watchdog.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/ringbus.h>
#include <linux/userfaultfd.h>

#define CONTROL		"/dev/ringbus/control"
#define MAX_W		64
#define MAX_R		64
#define MAX_CH		64
#define MAX_CHAOS	256
#define REC_MAGIC	0x52425354u	/* "RBST" */
#define BITMAP_BITS	(1ULL << 27)	/* records per writer we can track */
#define BATCH_BUF	(256 * 1024)
#define MAX_PRINTED	20

/* What a writer puts at the start of every payload. */
struct stamp {
	uint32_t magic;
	uint32_t writer;
	uint64_t counter;
	uint32_t len;
	uint32_t chan;
};

/* State shared between the parent and the reader processes. */
struct shared {
	int done;		/* writers finished: readers drain, then stop */
	int abort;		/* give up now */
	uint64_t progress;
	uint64_t violations;
	uint64_t dups;
	uint64_t written;
	uint64_t wbytes;
	uint64_t read;
	uint64_t rbytes;
	uint64_t epipes;
	uint64_t missed;
	uint64_t wcount[MAX_W];		/* records writer w wrote */
	uint64_t ch_epipes[MAX_CH];	/* EPIPEs readers of a channel saw */
	uint64_t ch_read[MAX_CH];	/* records readers of a channel read */
};

static struct {
	int writers, readers, channels;
	unsigned int min_size, max_size;
	double duration;
	int mode;		/* RINGBUS_MODE_*, or -1 for chaos */
	unsigned long seed;
	uint64_t capacity;
	int stall_us;		/* odd readers pause this long every 32 reads */
	int watchdog;
	int threads;		/* chaos workers */
	int names;		/* chaos channel names */
	int share_fd;		/* writers of a channel share one open file */
	const char *prefix;
	int verbose;
} opt = {
	.writers = 8, .readers = 8, .channels = 4,
	.min_size = sizeof(struct stamp), .max_size = 512,
	.duration = 10, .mode = RINGBUS_MODE_QUEUE, .seed = 1,
	.stall_us = -1, .watchdog = 30, .threads = 16, .names = 4,
	.prefix = "rbst",
};

static struct shared *sh;
static uint8_t *bitmaps;	/* BITMAP_BITS / 8 bytes per writer, shared */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void violation(const char *fmt, ...)
{
	if (__atomic_fetch_add(&sh->violations, 1, __ATOMIC_RELAXED) < MAX_PRINTED) {
		char line[512];
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		fprintf(stderr, "VIOLATION: %s\n", line);
	}
}

static void progress(uint64_t n)
{
	__atomic_fetch_add(&sh->progress, n, __ATOMIC_RELAXED);
}

/* xorshift64*: cheap, per thread, reproducible from --seed. */
static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static uint64_t seed_for(int who)
{
	uint64_t s = (opt.seed + 1) * 0x9E3779B97F4A7C15ULL + (uint64_t)who * 0xBF58476D1CE4E5B9ULL;

	return s ? s : 1;
}

static uint8_t pattern(uint32_t writer, uint64_t counter, uint32_t i)
{
	return (uint8_t)(counter * 31 + writer * 7 + i);
}

static void chan_name(char *buf, int idx)
{
	snprintf(buf, RINGBUS_NAME_MAX, "%s-%d", opt.prefix, idx);
}

static void chan_path(char *buf, size_t len, int idx)
{
	char name[RINGBUS_NAME_MAX];

	chan_name(name, idx);
	snprintf(buf, len, "/dev/ringbus/%s", name);
}

static int control_fd(void)
{
	return open(CONTROL, O_RDWR | O_CLOEXEC);
}

static int create_chan(int ctl, const char *name, uint32_t mode, uint64_t cap,
		       uint32_t max_record)
{
	struct ringbus_create c;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%.*s", (int)sizeof(c.name) - 1, name);
	c.capacity = cap;
	c.max_record = max_record;
	c.mode = mode;
	return ioctl(ctl, RINGBUS_IOC_CREATE, &c);
}

static int destroy_chan(int ctl, const char *name)
{
	struct ringbus_name n;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%.31s", name);
	return ioctl(ctl, RINGBUS_IOC_DESTROY, &n);
}

/* Open a node, waiting a little for udev/devtmpfs to make it. */
static int open_node(const char *path, int flags)
{
	int i, fd = -1;

	for (i = 0; i < 500; i++) {
		fd = open(path, flags | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			break;
		usleep(10000);
	}
	return fd;
}

/* ---------------------------------------------------------------- */
/* Queue and broadcast mode: writers.                                */

struct writer {
	pthread_t tid;
	int id;
	int chan;
	int fd;
	int own_fd;
};

static size_t fill_record(uint8_t *p, int w, int chan, uint64_t counter,
			  uint64_t *rs)
{
	uint32_t span = opt.max_size - opt.min_size + 1;
	uint32_t len = opt.min_size + (uint32_t)(rnd(rs) % span);
	struct stamp st = {
		.magic = REC_MAGIC, .writer = (uint32_t)w, .counter = counter,
		.len = len, .chan = (uint32_t)chan,
	};
	uint32_t i;

	memcpy(p, &st, sizeof(st));
	for (i = sizeof(st); i < len; i++)
		p[i] = pattern(st.writer, counter, i);
	return len;
}

static void *writer_main(void *arg)
{
	struct writer *wr = arg;
	uint64_t rs = seed_for(1000 + wr->id);
	uint64_t counter = 0;
	uint8_t *buf = malloc(BATCH_BUF);
	double end = now_s() + opt.duration;

	if (!buf) {
		violation("writer %d: out of memory", wr->id);
		return NULL;
	}
	while (!__atomic_load_n(&sh->abort, __ATOMIC_RELAXED) && now_s() < end &&
	       counter + 64 < BITMAP_BITS) {
		if (rnd(&rs) % 4 == 0) {
			/* One RINGBUS_IOC_WRITE_BATCH of 1..16 records. */
			struct ringbus_batch b;
			unsigned int k = 1 + rnd(&rs) % 16, i;
			size_t off = 0;

			for (i = 0; i < k; i++) {
				uint32_t hdr[2];
				size_t len;

				len = fill_record(buf + off + 8, wr->id, wr->chan,
						  counter + i, &rs);
				hdr[0] = (uint32_t)len;
				hdr[1] = 0;
				memcpy(buf + off, hdr, sizeof(hdr));
				off += 8 + ((len + 7) & ~(size_t)7);
			}
			memset(&b, 0, sizeof(b));
			b.buf = (uintptr_t)buf;
			b.buf_len = off;
			if (ioctl(wr->fd, RINGBUS_IOC_WRITE_BATCH, &b)) {
				if (errno == EINTR)
					continue;
				violation("writer %d: WRITE_BATCH: %s", wr->id, strerror(errno));
				break;
			}
			if (b.count == 0 || b.count > k) {
				violation("writer %d: WRITE_BATCH count %u of %u", wr->id, b.count, k);
				break;
			}
			/* Records after a short count were not written: reuse their numbers. */
			counter += b.count;
			__atomic_fetch_add(&sh->written, b.count, __ATOMIC_RELAXED);
			progress(b.count);
		} else {
			ssize_t n;
			size_t len = fill_record(buf, wr->id, wr->chan, counter, &rs);

			n = write(wr->fd, buf, len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n != (ssize_t)len) {
				violation("writer %d: write of %zu: %zd (%s)", wr->id, len, n,
					  n < 0 ? strerror(errno) : "short");
				break;
			}
			counter++;
			__atomic_fetch_add(&sh->written, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&sh->wbytes, len, __ATOMIC_RELAXED);
			progress(1);
		}
	}
	sh->wcount[wr->id] = counter;
	free(buf);
	return NULL;
}

/* ---------------------------------------------------------------- */
/* Queue and broadcast mode: readers (separate processes).           */

struct reader_state {
	int id;
	int chan;
	int fd;
	uint64_t expect_seq;	/* broadcast: next sequence number due */
	uint64_t last_seq;	/* queue: last sequence number seen */
	uint64_t last_ts;	/* the timestamp of the last record read */
	int64_t last_counter[MAX_W];
	uint64_t records, missed, epipes;
	uint64_t prev_missed;
};

static int get_stats(int fd, struct ringbus_stats *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(fd, RINGBUS_IOC_STATS, st);
}

static void check_record(struct reader_state *rs, const struct ringbus_record_header *h,
			 const uint8_t *p)
{
	struct stamp st;
	uint32_t i;

	rs->records++;
	if (opt.mode == RINGBUS_MODE_BROADCAST) {
		if (h->seq != rs->expect_seq)
			violation("reader %d chan %d: sequence %" PRIu64 ", expected %" PRIu64
				  " (gap not reported as missed)", rs->id, rs->chan,
				  (uint64_t)h->seq, rs->expect_seq);
		rs->expect_seq = h->seq + 1;
	} else {
		if (h->seq <= rs->last_seq)
			violation("reader %d chan %d: sequence %" PRIu64 " after %" PRIu64,
				  rs->id, rs->chan, (uint64_t)h->seq, rs->last_seq);
		rs->last_seq = h->seq;
	}
	/* Timestamps grow with sequence numbers: taken under the ring lock. */
	if (h->ts_ns < rs->last_ts)
		violation("reader %d chan %d: record %" PRIu64 " stamped %" PRIu64
			  " ns before the record ahead of it", rs->id, rs->chan,
			  (uint64_t)h->seq, rs->last_ts - (uint64_t)h->ts_ns);
	rs->last_ts = h->ts_ns;
	if (h->len < sizeof(st)) {
		violation("reader %d: record of %u bytes, no stamp", rs->id, h->len);
		return;
	}
	memcpy(&st, p, sizeof(st));
	if (st.magic != REC_MAGIC || st.writer >= (uint32_t)opt.writers ||
	    st.len != h->len || st.chan != (uint32_t)rs->chan) {
		violation("reader %d chan %d: bad stamp (magic %#x writer %u len %u/%u chan %u) seq %"
			  PRIu64, rs->id, rs->chan, st.magic, st.writer, st.len, h->len,
			  st.chan, (uint64_t)h->seq);
		return;
	}
	for (i = sizeof(st); i < h->len; i++) {
		if (p[i] != pattern(st.writer, st.counter, i)) {
			violation("reader %d: payload of writer %u record %" PRIu64
				  " corrupt at byte %u", rs->id, st.writer, st.counter, i);
			return;
		}
	}
	if ((int64_t)st.counter <= rs->last_counter[st.writer])
		violation("reader %d: writer %u record %" PRIu64 " after %" PRId64
			  " (out of order or duplicate)", rs->id, st.writer, st.counter,
			  rs->last_counter[st.writer]);
	rs->last_counter[st.writer] = (int64_t)st.counter;
	if (opt.mode == RINGBUS_MODE_QUEUE && st.counter < BITMAP_BITS) {
		uint8_t *byte = bitmaps + (size_t)st.writer * (BITMAP_BITS / 8) + st.counter / 8;
		uint8_t bit = (uint8_t)(1u << (st.counter % 8));

		if (__atomic_fetch_or(byte, bit, __ATOMIC_RELAXED) & bit) {
			__atomic_fetch_add(&sh->dups, 1, __ATOMIC_RELAXED);
			violation("writer %u record %" PRIu64 " delivered twice (second to reader %d)",
				  st.writer, st.counter, rs->id);
		}
	}
	__atomic_fetch_add(&sh->rbytes, h->len, __ATOMIC_RELAXED);
}

/* An EPIPE: the kernel says how many records this file missed. */
static void on_epipe(struct reader_state *rs)
{
	struct ringbus_stats st;
	uint64_t delta;

	if (opt.mode != RINGBUS_MODE_BROADCAST) {
		violation("reader %d: EPIPE on a queue", rs->id);
		return;
	}
	if (get_stats(rs->fd, &st)) {
		violation("reader %d: STATS: %s", rs->id, strerror(errno));
		return;
	}
	delta = st.fd_missed - rs->prev_missed;
	if (delta == 0)
		violation("reader %d: EPIPE but fd_missed did not grow", rs->id);
	if (st.fd_next_seq != rs->expect_seq + delta)
		violation("reader %d: after EPIPE next seq %" PRIu64 " but %" PRIu64
			  " + missed %" PRIu64, rs->id, (uint64_t)st.fd_next_seq,
			  rs->expect_seq, delta);
	rs->expect_seq += delta;
	rs->prev_missed = st.fd_missed;
	rs->missed += delta;
	rs->epipes++;
}

static int reader_main(int id)
{
	struct reader_state rs;
	struct ringbus_fd_opts fo = { .flags = RINGBUS_FD_HEADERS };
	struct ringbus_stats st;
	char path[64];
	uint64_t rnds = seed_for(2000 + id);
	size_t bufsz = BATCH_BUF;
	uint8_t *buf = malloc(bufsz);
	int stall = (id % 2) ? opt.stall_us : 0;
	uint64_t nreads = 0;
	int i;

	memset(&rs, 0, sizeof(rs));
	rs.id = id;
	rs.chan = id % opt.channels;
	for (i = 0; i < MAX_W; i++)
		rs.last_counter[i] = -1;
	chan_path(path, sizeof(path), rs.chan);
	rs.fd = open_node(path, O_RDONLY | O_NONBLOCK);
	if (rs.fd < 0 || !buf) {
		violation("reader %d: open %s: %s", id, path, strerror(errno));
		return 1;
	}
	if (ioctl(rs.fd, RINGBUS_IOC_SET_OPTS, &fo) || get_stats(rs.fd, &st)) {
		violation("reader %d: SET_OPTS/STATS: %s", id, strerror(errno));
		return 1;
	}
	rs.expect_seq = st.fd_next_seq;
	rs.prev_missed = st.fd_missed;

	for (;;) {
		int done = __atomic_load_n(&sh->done, __ATOMIC_ACQUIRE);
		uint64_t before = rs.records;
		int err = 0;

		if (__atomic_load_n(&sh->abort, __ATOMIC_RELAXED))
			break;
		if (rnd(&rnds) % 2) {
			struct ringbus_batch b;
			size_t off;

			/* Random, but room for the largest record: a smaller
			 * buffer is EMSGSIZE by design (docs/abi.md 6.10). */
			size_t min_len = sizeof(struct ringbus_record_header) + opt.max_size;

			if (min_len < 1024)
				min_len = 1024;
			memset(&b, 0, sizeof(b));
			b.buf = (uintptr_t)buf;
			b.buf_len = min_len + rnd(&rnds) % (bufsz - min_len);
			b.max_records = rnd(&rnds) % 4 ? 0 : 1 + rnd(&rnds) % 8;
			if (ioctl(rs.fd, RINGBUS_IOC_READ_BATCH, &b)) {
				err = errno;
			} else if (b.count == 0) {
				violation("reader %d: READ_BATCH moved nothing (channel gone?)", id);
				break;
			} else {
				for (off = 0, i = 0; off < b.bytes; i++) {
					const struct ringbus_record_header *h = (const void *)(buf + off);

					if (i >= (int)b.count) {
						violation("reader %d: READ_BATCH bytes beyond count", id);
						break;
					}
					check_record(&rs, h, (const uint8_t *)(h + 1));
					off += sizeof(*h) + ((h->len + 7) & ~7U);
				}
				if (i != (int)b.count)
					violation("reader %d: READ_BATCH count %u, walked %d", id, b.count, i);
			}
		} else {
			ssize_t n = read(rs.fd, buf, sizeof(struct ringbus_record_header) + opt.max_size);

			if (n < 0) {
				err = errno;
			} else if (n == 0) {
				violation("reader %d: end of file while the channel exists", id);
				break;
			} else {
				const struct ringbus_record_header *h = (const void *)buf;

				if ((size_t)n != sizeof(*h) + h->len)
					violation("reader %d: read %zd for a record of %u", id, n, h->len);
				check_record(&rs, h, buf + sizeof(*h));
			}
		}
		if (rs.records > before) {
			__atomic_fetch_add(&sh->read, rs.records - before, __ATOMIC_RELAXED);
			progress(rs.records - before);
			if (stall && ++nreads % 32 == 0)
				usleep(stall);
			continue;
		}
		if (err == EPIPE) {
			on_epipe(&rs);
			progress(1);
		} else if (err == EAGAIN) {
			struct pollfd pfd = { .fd = rs.fd, .events = POLLIN };

			if (done)
				break;	/* asked after the writers were done: drained */
			poll(&pfd, 1, 100);
		} else if (err != EINTR) {
			violation("reader %d: read: %s", id, strerror(err));
			break;
		}
	}
	if (opt.mode == RINGBUS_MODE_BROADCAST && !sh->abort) {
		struct ringbus_info info;

		memset(&info, 0, sizeof(info));
		if (ioctl(rs.fd, RINGBUS_IOC_CHAN_INFO, &info))
			violation("reader %d: CHAN_INFO: %s", id, strerror(errno));
		else if (rs.expect_seq != info.last_seq + 1)
			violation("reader %d: stopped at %" PRIu64 ", last record is %" PRIu64,
				  id, rs.expect_seq, (uint64_t)info.last_seq);
		if (!get_stats(rs.fd, &st) && st.fd_missed != rs.missed)
			violation("reader %d: fd_missed %" PRIu64 ", EPIPEs accounted %" PRIu64,
				  id, (uint64_t)st.fd_missed, rs.missed);
	}
	__atomic_fetch_add(&sh->missed, rs.missed, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->epipes, rs.epipes, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->ch_epipes[rs.chan], rs.epipes, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->ch_read[rs.chan], rs.records, __ATOMIC_RELAXED);
	if (opt.verbose)
		fprintf(stderr, "reader %d chan %d: %" PRIu64 " records, %" PRIu64
			" missed in %" PRIu64 " EPIPEs\n", id, rs.chan, rs.records,
			rs.missed, rs.epipes);
	close(rs.fd);
	free(buf);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Watchdog.                                                         */

static pid_t children[MAX_R];
static int nchildren;
static volatile int wd_stop;

struct chaos_thread;
static struct chaos_thread *chaos_threads;
static int nchaos_threads;
static int chaos_stuck(double now, int limit);

static void *watchdog_main(void *unused)
{
	uint64_t last = __atomic_load_n(&sh->progress, __ATOMIC_RELAXED);
	double since = now_s();

	(void)unused;
	while (!wd_stop) {
		uint64_t p = __atomic_load_n(&sh->progress, __ATOMIC_RELAXED);
		double t = now_s();
		int stuck = -1;

		sleep(1);
		if (p != last) {
			last = p;
			since = t;
		}
		if (chaos_threads)
			stuck = chaos_stuck(t, opt.watchdog);
		if (t - since >= opt.watchdog || stuck >= 0) {
			int i;

			if (stuck >= 0)
				fprintf(stderr, "WATCHDOG: chaos thread %d made no progress for %d s\n",
					stuck, opt.watchdog);
			else
				fprintf(stderr, "WATCHDOG: no progress for %d s (progress counter %"
					PRIu64 ")\n", opt.watchdog, p);
			{
				/* Where every thread sleeps, for the report. */
				DIR *d = opendir("/proc/self/task");
				struct dirent *e;

				while (d && (e = readdir(d))) {
					char p2[300], w[128] = "";
					FILE *f;

					if (e->d_name[0] == '.')
						continue;
					snprintf(p2, sizeof(p2), "/proc/self/task/%s/wchan", e->d_name);
					f = fopen(p2, "r");
					if (f) {
						if (!fgets(w, sizeof(w), f))
							w[0] = 0;
						fclose(f);
					}
					fprintf(stderr, "WATCHDOG: task %s wchan %s\n", e->d_name, w);
				}
				if (d)
					closedir(d);
			}
			printf("RESULT mode=%s status=fail reason=watchdog seconds=%d\n",
			       opt.mode == -2 ? "kproducer" : opt.mode < 0 ? "chaos" :
			       opt.mode ? "queue" : "broadcast", opt.watchdog);
			fflush(stdout);
			for (i = 0; i < nchildren; i++)
				kill(children[i], SIGKILL);
			_exit(3);
		}
	}
	return NULL;
}

/* ---------------------------------------------------------------- */
/* Queue and broadcast mode: the run.                                */

static int run_flow(void)
{
	struct writer *ws = calloc(opt.writers, sizeof(*ws));
	int shared_fd[MAX_CH];
	int ctl = control_fd(), i, rc = 0;
	pthread_t wd;
	double t0, t1;
	uint64_t total_written = 0, lost = 0;
	char name[RINGBUS_NAME_MAX];
	const char *mname = opt.mode == RINGBUS_MODE_QUEUE ? "queue" : "broadcast";

	if (ctl < 0 || !ws) {
		fprintf(stderr, "rb-stress: open %s: %s\n", CONTROL, strerror(errno));
		free(ws);
		return 2;
	}
	if (opt.mode == RINGBUS_MODE_QUEUE) {
		bitmaps = mmap(NULL, (size_t)opt.writers * (BITMAP_BITS / 8),
			       PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (bitmaps == MAP_FAILED) {
			perror("rb-stress: mmap");
			free(ws);
			return 2;
		}
	}
	for (i = 0; i < opt.channels; i++) {
		chan_name(name, i);
		if (create_chan(ctl, name, (uint32_t)opt.mode, opt.capacity, opt.max_size)) {
			fprintf(stderr, "rb-stress: create %s: %s\n", name, strerror(errno));
			free(ws);
			return 2;
		}
		shared_fd[i] = -1;
	}
	t0 = now_s();
	/* Readers first, as processes, before any thread exists. */
	for (i = 0; i < opt.readers; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("rb-stress: fork");
			__atomic_store_n(&sh->abort, 1, __ATOMIC_RELAXED);
			rc = 2;
			break;
		}
		if (pid == 0)
			_exit(reader_main(i));
		children[nchildren++] = pid;
	}
	pthread_create(&wd, NULL, watchdog_main, NULL);
	for (i = 0; i < opt.writers && !rc; i++) {
		char path[64];

		ws[i].id = i;
		ws[i].chan = i % opt.channels;
		chan_path(path, sizeof(path), ws[i].chan);
		if (opt.share_fd && shared_fd[ws[i].chan] >= 0) {
			ws[i].fd = shared_fd[ws[i].chan];
		} else {
			ws[i].fd = open_node(path, O_WRONLY);
			if (ws[i].fd < 0) {
				fprintf(stderr, "rb-stress: open %s: %s\n", path, strerror(errno));
				rc = 2;
				break;
			}
			ws[i].own_fd = 1;
			if (opt.share_fd)
				shared_fd[ws[i].chan] = ws[i].fd;
		}
		pthread_create(&ws[i].tid, NULL, writer_main, &ws[i]);
	}
	if (rc)
		__atomic_store_n(&sh->abort, 1, __ATOMIC_RELAXED);
	for (i = 0; i < opt.writers; i++)
		if (ws[i].tid)
			pthread_join(ws[i].tid, NULL);
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
	for (i = 0; i < nchildren; i++) {
		int status;

		if (waitpid(children[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			violation("reader process %d ended with status %#x", i, status);
		}
	}
	wd_stop = 1;
	pthread_join(wd, NULL);
	t1 = now_s();

	/* Cross-check with the kernel's own counters. */
	for (i = 0; i < opt.channels; i++) {
		struct ringbus_stats st;
		struct ringbus_info info;
		uint64_t want = 0;
		char path[64];
		int w, fd;

		chan_path(path, sizeof(path), i);
		for (w = i; w < opt.writers; w += opt.channels)
			want += sh->wcount[w];
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		memset(&info, 0, sizeof(info));
		if (fd < 0 || get_stats(fd, &st) || ioctl(fd, RINGBUS_IOC_CHAN_INFO, &info)) {
			violation("channel %d: STATS/CHAN_INFO: %s", i, strerror(errno));
		} else {
			if (st.records_written != want)
				violation("channel %d: kernel counted %" PRIu64 " records written, writers %"
					  PRIu64, i, (uint64_t)st.records_written, want);
			if (opt.mode == RINGBUS_MODE_QUEUE) {
				if (st.records_read != want || info.records != 0)
					violation("channel %d: %" PRIu64 " written, kernel read %" PRIu64
						  ", %" PRIu64 " left", i, want,
						  (uint64_t)st.records_read, (uint64_t)info.records);
			} else if (st.overruns != sh->ch_epipes[i]) {
				violation("channel %d: kernel counted %" PRIu64 " overruns, readers saw %"
					  PRIu64 " EPIPEs", i, (uint64_t)st.overruns, sh->ch_epipes[i]);
			}
			if (info.last_seq != want)
				violation("channel %d: last_seq %" PRIu64 " for %" PRIu64 " records",
					  i, (uint64_t)info.last_seq, want);
		}
		if (fd >= 0)
			close(fd);
	}
	for (i = 0; i < opt.writers; i++) {
		total_written += sh->wcount[i];
		if (ws[i].own_fd)
			close(ws[i].fd);
	}
	if (opt.mode == RINGBUS_MODE_QUEUE) {
		/* Exactly once: bits 0..wcount-1 set, none beyond. */
		int w;

		for (w = 0; w < opt.writers; w++) {
			const uint8_t *bm = bitmaps + (size_t)w * (BITMAP_BITS / 8);
			uint64_t c, n = sh->wcount[w], first = UINT64_MAX, bits = 0;

			for (c = 0; c < n; c++) {
				if (bm[c / 8] & (1u << (c % 8)))
					bits++;
				else if (first == UINT64_MAX)
					first = c;
			}
			if (bits != n) {
				lost += n - bits;
				violation("writer %d: %" PRIu64 " of %" PRIu64 " records never read (first %"
					  PRIu64 ")", w, n - bits, n, first);
			}
			for (c = n; c < n + 64; c++)
				if (bm[c / 8] & (1u << (c % 8)))
					violation("writer %d: record %" PRIu64 " read but never written", w, c);
		}
	}
	for (i = 0; i < opt.channels; i++) {
		chan_name(name, i);
		if (destroy_chan(ctl, name))
			violation("destroy %s: %s", name, strerror(errno));
	}
	close(ctl);
	printf("%s: %d writers, %d readers, %d channels, %.1f s: %" PRIu64 " records written, %"
	       PRIu64 " read (%.0f records/s, %.1f MB/s), %" PRIu64 " missed in %" PRIu64
	       " overruns, %" PRIu64 " lost, %" PRIu64 " duplicated\n", mname, opt.writers,
	       opt.readers, opt.channels, t1 - t0, total_written, sh->read,
	       sh->read / (t1 - t0), sh->rbytes / (t1 - t0) / 1e6, sh->missed, sh->epipes,
	       lost, sh->dups);
	printf("RESULT mode=%s writers=%d readers=%d channels=%d seconds=%.1f written=%" PRIu64
	       " read=%" PRIu64 " rate=%.0f missed=%" PRIu64 " epipes=%" PRIu64 " lost=%" PRIu64
	       " dups=%" PRIu64 " violations=%" PRIu64 " status=%s\n", mname, opt.writers,
	       opt.readers, opt.channels, t1 - t0, total_written, sh->read,
	       sh->read / (t1 - t0), sh->missed, sh->epipes, lost, sh->dups, sh->violations,
	       sh->violations ? "fail" : "ok");
	free(ws);
	return sh->violations ? 1 : 0;
}

/* ---------------------------------------------------------------- */
/* Chaos mode.                                                       */

enum { OP_CREATE, OP_DESTROY, OP_OPEN, OP_CLOSE, OP_WRITE, OP_READ, OP_INFO,
	OP_STATS, OP_FLUSH, OP_OPTS, OP_RBATCH, OP_WBATCH, OP_POLL, OP_SEEK,
	OP_LIST, OP_CINFO, OP_PROC, OP_SYSFS, NR_OPS };

static const char *const op_names[NR_OPS] = {
	"create", "destroy", "open", "close", "write", "read", "chan_info",
	"stats", "flush", "set_opts", "read_batch", "write_batch", "poll",
	"lseek", "list", "info", "procfs", "sysfs",
};

/* Errors a race makes legitimate, per operation (0 ends a list). */
static const int op_ok_errs[NR_OPS][6] = {
	/*
	 * EDQUOT: every channel this user created counts against
	 * max_user_channels (64) until its memory is freed - destroyed ones
	 * the threads still hold open too, and for the moment ringbusd takes
	 * to free the last one closed.
	 */
	[OP_CREATE]  = { EEXIST, EDQUOT },
	[OP_DESTROY] = { ENOENT, ENODEV },
	/*
	 * devtmpfs makes a node with vfs_mknod() as root and only then gives
	 * it the owner the devnode callback chose: opened in between, a
	 * channel just created is root's for a moment (EACCES).
	 */
	[OP_OPEN]    = { ENOENT, ENODEV, EACCES },
	[OP_WRITE]   = { ENODEV, EAGAIN },
	[OP_READ]    = { EAGAIN, EPIPE },
	[OP_FLUSH]   = { ENODEV },
	[OP_RBATCH]  = { EAGAIN, EPIPE },
	[OP_WBATCH]  = { ENODEV, EAGAIN },
	[OP_SEEK]    = { ESPIPE },
	[OP_CINFO]   = { ENOENT },
	[OP_SYSFS]   = { ENOENT, ENODEV },
};

struct chaos_thread {
	pthread_t tid;
	int id;
	int kind;		/* 0 worker, 1 procfs/sysfs reader, 2 reaper */
	int64_t last_ms;	/* when it last finished an operation */
	uint64_t ops;
	uint64_t ok[NR_OPS];
	uint64_t err[NR_OPS];
};

static volatile int chaos_stop;

static int chaos_stuck(double now, int limit)
{
	int i;

	for (i = 0; i < nchaos_threads; i++) {
		int64_t last = __atomic_load_n(&chaos_threads[i].last_ms, __ATOMIC_RELAXED);

		if (now * 1000 - last >= limit * 1000 && !__atomic_load_n(&chaos_stop, __ATOMIC_RELAXED))
			return i;
	}
	return -1;
}

static void chaos_result(struct chaos_thread *t, int op, long ret, int err)
{
	int i;

	__atomic_store_n(&t->last_ms, (int64_t)(now_s() * 1000), __ATOMIC_RELAXED);
	t->ops++;
	progress(1);
	if (ret >= 0) {
		t->ok[op]++;
		return;
	}
	for (i = 0; i < 6 && op_ok_errs[op][i]; i++) {
		if (op_ok_errs[op][i] == err) {
			t->err[op]++;
			return;
		}
	}
	if (err == EINTR) {
		t->err[op]++;
		return;
	}
	violation("chaos thread %d: %s: unexpected errno %d (%s)", t->id, op_names[op],
		  err, strerror(err));
}

static void read_whole(struct chaos_thread *t, int op, const char *path, int enoent_ok)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		/* A sysfs file of a device just removed: ENOENT or ENODEV. */
		if (enoent_ok && (errno == ENOENT || errno == ENODEV))
			chaos_result(t, op, -1, errno);
		else
			violation("chaos: open %s: %s", path, strerror(errno));
		return;
	}
	do
		n = read(fd, buf, sizeof(buf));
	while (n > 0);
	chaos_result(t, op, n, errno);
	close(fd);
}

static void *chaos_viewer(void *arg)
{
	static const char *const procs[] = {
		"/proc/ringbus/channels", "/proc/ringbus/stats",
		"/proc/ringbus/cpus", "/proc/ringbus/version",
	};
	static const char *const attrs[] = {
		"mode", "capacity", "used", "records", "first_seq", "last_seq",
		"drops", "max_record", "ttl_ms", "readers", "writers", "dev", "uevent",
	};
	struct chaos_thread *t = arg;
	size_t i;

	while (!chaos_stop) {
		DIR *d;
		struct dirent *e;

		for (i = 0; i < sizeof(procs) / sizeof(procs[0]); i++)
			read_whole(t, OP_PROC, procs[i], 0);
		d = opendir("/sys/class/ringbus");
		if (!d) {
			violation("chaos: opendir /sys/class/ringbus: %s", strerror(errno));
			break;
		}
		while ((e = readdir(d))) {
			char path[512];

			if (e->d_name[0] == '.' || !strcmp(e->d_name, "control"))
				continue;
			for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
				snprintf(path, sizeof(path), "/sys/class/ringbus/%s/%s",
					 e->d_name, attrs[i]);
				read_whole(t, OP_SYSFS, path, 1);
			}
		}
		closedir(d);
	}
	return NULL;
}

/* Destroys every name in turn: a blocked reader or writer waits a bounded time. */
static void *chaos_reaper(void *arg)
{
	struct chaos_thread *t = arg;
	int ctl = control_fd(), k = 0;
	char name[RINGBUS_NAME_MAX];

	while (!chaos_stop) {
		int r;

		chan_name(name, k++ % opt.names);
		r = destroy_chan(ctl, name);
		chaos_result(t, OP_DESTROY, r, errno);
		usleep(200000);
	}
	close(ctl);
	return NULL;
}

#define CHAOS_FDS 4

static void *chaos_worker(void *arg)
{
	struct chaos_thread *t = arg;
	uint64_t rs = seed_for(3000 + t->id);
	int fds[CHAOS_FDS] = { -1, -1, -1, -1 };
	uint8_t *buf = malloc(65536);
	int ctl = control_fd(), i;

	if (ctl < 0 || !buf) {
		violation("chaos thread %d: open control: %s", t->id, strerror(errno));
		return NULL;
	}
	while (!chaos_stop) {
		int op = (int)(rnd(&rs) % OP_PROC);
		int slot = (int)(rnd(&rs) % CHAOS_FDS);
		int fd = fds[slot];
		char name[RINGBUS_NAME_MAX];
		long r = 0;

		chan_name(name, (int)(rnd(&rs) % opt.names));
		if (fd < 0 && op >= OP_CLOSE && op <= OP_SEEK)
			op = OP_OPEN;
		errno = 0;
		switch (op) {
		case OP_CREATE:
			r = create_chan(ctl, name, (uint32_t)(rnd(&rs) % 2),
					4096ULL << (rnd(&rs) % 3), 0);
			break;
		case OP_DESTROY:
			r = destroy_chan(ctl, name);
			break;
		case OP_OPEN: {
			char path[64];
			int flags = O_RDWR | (rnd(&rs) % 8 ? O_NONBLOCK : 0);

			snprintf(path, sizeof(path), "/dev/ringbus/%s", name);
			r = open(path, flags | O_CLOEXEC);
			if (r >= 0) {
				if (fds[slot] >= 0)
					close(fds[slot]);
				fds[slot] = (int)r;
			}
			break;
		}
		case OP_CLOSE:
			r = close(fd);
			fds[slot] = -1;
			break;
		case OP_WRITE:
			memset(buf, 'w', 256);
			r = write(fd, buf, 1 + rnd(&rs) % 256);
			break;
		case OP_READ:
			r = read(fd, buf, 65536);
			break;
		case OP_INFO: {
			struct ringbus_info info;

			r = ioctl(fd, RINGBUS_IOC_CHAN_INFO, &info);
			break;
		}
		case OP_STATS: {
			struct ringbus_stats st;

			r = get_stats(fd, &st);
			break;
		}
		case OP_FLUSH:
			r = ioctl(fd, RINGBUS_IOC_FLUSH);
			break;
		case OP_OPTS: {
			struct ringbus_fd_opts fo = { .flags = (uint32_t)(rnd(&rs) % 2) };

			r = ioctl(fd, RINGBUS_IOC_SET_OPTS, &fo);
			break;
		}
		case OP_RBATCH: {
			struct ringbus_batch b;

			memset(&b, 0, sizeof(b));
			b.buf = (uintptr_t)buf;
			b.buf_len = 65536;
			r = ioctl(fd, RINGBUS_IOC_READ_BATCH, &b);
			break;
		}
		case OP_WBATCH: {
			struct ringbus_batch b;
			uint32_t hdr[2] = { 100, 0 };
			int k;

			for (k = 0; k < 8; k++) {
				memcpy(buf + k * 112, hdr, sizeof(hdr));
				memset(buf + k * 112 + 8, 'b', 100);
			}
			memset(&b, 0, sizeof(b));
			b.buf = (uintptr_t)buf;
			b.buf_len = 8 * 112;
			r = ioctl(fd, RINGBUS_IOC_WRITE_BATCH, &b);
			break;
		}
		case OP_POLL: {
			struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };

			r = poll(&pfd, 1, 0);
			break;
		}
		case OP_SEEK:
			r = lseek(fd, 0, rnd(&rs) % 2 ? SEEK_SET : SEEK_END);
			break;
		case OP_LIST: {
			char names[8][RINGBUS_NAME_MAX];
			struct ringbus_list l;

			memset(&l, 0, sizeof(l));
			l.names = (uintptr_t)names;
			l.count = 8;
			r = ioctl(ctl, RINGBUS_IOC_LIST, &l);
			break;
		}
		case OP_CINFO: {
			struct ringbus_info info;

			memset(&info, 0, sizeof(info));
			snprintf(info.name, sizeof(info.name), "%s", name);
			r = ioctl(ctl, RINGBUS_IOC_INFO, &info);
			break;
		}
		}
		chaos_result(t, op, r, errno);
	}
	for (i = 0; i < CHAOS_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	close(ctl);
	free(buf);
	return NULL;
}

static int run_chaos(void)
{
	int n = opt.threads + 3, i, op, ctl, left;
	struct chaos_thread *ts = calloc(n, sizeof(*ts));
	uint64_t ok[NR_OPS] = { 0 }, err[NR_OPS] = { 0 }, total = 0;
	pthread_t wd;
	double t0 = now_s(), t1;
	char name[RINGBUS_NAME_MAX];

	ctl = control_fd();
	if (ctl < 0 || !ts) {
		fprintf(stderr, "rb-stress: open %s: %s\n", CONTROL, strerror(errno));
		free(ts);
		return 2;
	}
	for (i = 0; i < n; i++) {
		ts[i].id = i;
		ts[i].last_ms = (int64_t)(t0 * 1000);
		ts[i].kind = i < opt.threads ? 0 : i < opt.threads + 2 ? 1 : 2;
	}
	chaos_threads = ts;
	nchaos_threads = n;
	pthread_create(&wd, NULL, watchdog_main, NULL);
	for (i = 0; i < n; i++)
		pthread_create(&ts[i].tid, NULL,
			       ts[i].kind == 0 ? chaos_worker :
			       ts[i].kind == 1 ? chaos_viewer : chaos_reaper, &ts[i]);
	while (now_s() - t0 < opt.duration && !sh->violations)
		usleep(100000);
	chaos_stop = 1;
	/* Wake anyone blocked on a channel: destroy every name until all are back. */
	for (left = n; left;) {
		for (i = 0; i < opt.names; i++) {
			chan_name(name, i);
			destroy_chan(ctl, name);
		}
		usleep(50000);
		for (left = 0, i = 0; i < n; i++)
			if (ts[i].tid && pthread_tryjoin_np(ts[i].tid, NULL) == EBUSY)
				left++;
			else
				ts[i].tid = 0;
	}
	t1 = now_s();
	/* The threads are gone: nothing may be left of our names. */
	for (i = 0; i < opt.names; i++) {
		chan_name(name, i);
		destroy_chan(ctl, name);
	}
	wd_stop = 1;
	pthread_join(wd, NULL);
	close(ctl);
	for (i = 0; i < n; i++) {
		for (op = 0; op < NR_OPS; op++) {
			ok[op] += ts[i].ok[op];
			err[op] += ts[i].err[op];
		}
		total += ts[i].ops;
	}
	printf("chaos: %d threads on %d names, %.1f s, %" PRIu64 " operations (%.0f/s)\n",
	       opt.threads, opt.names, t1 - t0, total, total / (t1 - t0));
	for (op = 0; op < NR_OPS; op++)
		printf("  %-11s %10" PRIu64 " ok %10" PRIu64 " expected errors\n",
		       op_names[op], ok[op], err[op]);
	printf("RESULT mode=chaos threads=%d names=%d seconds=%.1f ops=%" PRIu64
	       " rate=%.0f creates=%" PRIu64 " destroys=%" PRIu64 " opens=%" PRIu64
	       " writes=%" PRIu64 " reads=%" PRIu64 " violations=%" PRIu64 " status=%s\n",
	       opt.threads, opt.names, t1 - t0, total, total / (t1 - t0), ok[OP_CREATE],
	       ok[OP_DESTROY], ok[OP_OPEN], ok[OP_WRITE] + ok[OP_WBATCH],
	       ok[OP_READ] + ok[OP_RBATCH], sh->violations, sh->violations ? "fail" : "ok");
	free(ts);
	return sh->violations ? 1 : 0;
}

/* ---------------------------------------------------------------- */
/* The in-kernel producer's concurrent run (tests/consumer).          */

#define KP_MAX_CPUS 1024
#define FW_LEN		64	/* a good record: the last 64 bytes of page A */
#define FW_HOLD_US	5000	/* how long a fault on page A is held */
#define KP_WRITTEN	"/sys/module/rbtest_producer/parameters/concurrent_written"

/*
 * --fault-writes: a writer thread whose payloads start in page A of @area,
 * registered with userfaultfd (missing until the handler thread fills it),
 * and, every other time, run on into page B (PROT_NONE).
 */
static struct {
	int fd, uffd;
	long page;
	uint8_t *area;
	uint8_t *src;		/* what the handler copies into page A */
	char text[FW_LEN];	/* the next good record */
	volatile int stop;	/* the writer's */
	volatile int hstop;	/* the handler's: only once the writer is joined */
	uint64_t ok, efault, eagain, held, held_pending;
} fw;

static unsigned long kp_written(void)
{
	unsigned long v = 0;
	FILE *f = fopen(KP_WRITTEN, "r");

	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/* Resolve every fault on page A after FW_HOLD_US, the next record in it. */
static void *fw_handler(void *unused)
{
	(void)unused;
	while (!fw.hstop) {
		struct pollfd p = { .fd = fw.uffd, .events = POLLIN };
		struct uffdio_copy cp;
		struct uffd_msg msg;
		unsigned long before;

		if (poll(&p, 1, 100) <= 0)
			continue;
		if (read(fw.uffd, &msg, sizeof(msg)) != sizeof(msg))
			continue;
		if (msg.event != UFFD_EVENT_PAGEFAULT) {
			violation("fault writes: userfaultfd event %u", msg.event);
			continue;
		}
		/*
		 * The write waits for its page with no ring state held:
		 * the kernel's producers go on writing, and their records
		 * reach the reader meanwhile.
		 */
		before = kp_written();
		usleep(FW_HOLD_US);
		if (kp_written() != before)
			fw.held_pending++;
		fw.held++;
		memcpy(fw.src + fw.page - FW_LEN, fw.text, FW_LEN);
		memset(&cp, 0, sizeof(cp));
		cp.dst = (uintptr_t)fw.area;
		cp.src = (uintptr_t)fw.src;
		cp.len = fw.page;
		if (ioctl(fw.uffd, UFFDIO_COPY, &cp))
			violation("fault writes: UFFDIO_COPY: %s", strerror(errno));
	}
	return NULL;
}

static void *fw_writer(void *unused)
{
	uint64_t iter = 0;

	(void)unused;
	while (!fw.stop) {
		int bad = iter & 1;
		size_t len = bad ? 2 * FW_LEN : FW_LEN;
		ssize_t r;

		if (madvise(fw.area, fw.page, MADV_DONTNEED)) {
			violation("fault writes: madvise: %s", strerror(errno));
			break;
		}
		memset(fw.text, 0, sizeof(fw.text));
		snprintf(fw.text, sizeof(fw.text), "user n=%" PRIu64, fw.ok);
		r = write(fw.fd, fw.area + fw.page - FW_LEN, len);
		if (r < 0 && errno == EAGAIN) {
			fw.eagain++;
			usleep(200);
			continue;
		}
		iter++;
		if (bad) {
			if (r >= 0 || errno != EFAULT)
				violation("fault writes: a write into PROT_NONE gave %zd (%s), not EFAULT",
					  r, r < 0 ? strerror(errno) : "no error");
			else
				fw.efault++;
		} else if (r != (ssize_t)len) {
			violation("fault writes: write gave %zd (%s)", r,
				  r < 0 ? strerror(errno) : "short");
		} else {
			fw.ok++;
		}
	}
	return NULL;
}

static int fw_start(const char *path, pthread_t *w, pthread_t *h)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;

	fw.page = sysconf(_SC_PAGESIZE);
	fw.fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fw.fd < 0) {
		fprintf(stderr, "rb-stress: open %s for writing: %s\n", path, strerror(errno));
		return -1;
	}
	fw.uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fw.uffd < 0 || ioctl(fw.uffd, UFFDIO_API, &api)) {
		fprintf(stderr, "rb-stress: userfaultfd: %s\n", strerror(errno));
		return -1;
	}
	fw.area = mmap(NULL, 2 * fw.page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fw.src = calloc(1, fw.page);
	if (fw.area == MAP_FAILED || !fw.src ||
	    mprotect(fw.area + fw.page, fw.page, PROT_NONE)) {
		fprintf(stderr, "rb-stress: fault writes: mmap: %s\n", strerror(errno));
		return -1;
	}
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)fw.area;
	reg.range.len = fw.page;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(fw.uffd, UFFDIO_REGISTER, &reg)) {
		fprintf(stderr, "rb-stress: UFFDIO_REGISTER: %s\n", strerror(errno));
		return -1;
	}
	pthread_create(h, NULL, fw_handler, NULL);
	pthread_create(w, NULL, fw_writer, NULL);
	return 0;
}

/*
 * Stop the writer first, and the handler only once the writer is joined:
 * a write that faults after the handler left would wait for ever.
 */
static void fw_stop(pthread_t w, pthread_t h)
{
	fw.stop = 1;
	pthread_join(w, NULL);
	fw.hstop = 1;
	pthread_join(h, NULL);
}

static int run_kproducer(const char *name, int fault_writes)
{
	static uint64_t next[2][KP_MAX_CPUS], done_count[2][KP_MAX_CPUS];
	static uint8_t buf[BATCH_BUF];
	uint64_t seq = 0, numbered = 0, by_src[2] = { 0, 0 }, eagain = 0, users = 0;
	uint64_t last_ts = 0;
	unsigned int dones = 0, sources = 0, ncpu = 0;
	int fd, end = 0, drain = 0, i;
	pthread_t wd, fww, fwh;
	char path[64];
	double t0 = now_s(), t1;

	memset(done_count, 0xff, sizeof(done_count));
	snprintf(path, sizeof(path), "/dev/ringbus/%s", name);
	fd = open_node(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "rb-stress: open %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (fault_writes && fw_start(path, &fww, &fwh)) {
		close(fd);
		return 2;
	}
	pthread_create(&wd, NULL, watchdog_main, NULL);
	/*
	 * Read up to the end record; with --fault-writes, then stop the
	 * writer and read what it wrote after that record (drain).
	 */
	while ((!end || drain) && !sh->violations) {
		struct ringbus_batch b;
		size_t off;

		memset(&b, 0, sizeof(b));
		b.buf = (uintptr_t)buf;
		b.buf_len = sizeof(buf);
		if (ioctl(fd, RINGBUS_IOC_READ_BATCH, &b)) {
			if (errno == EINTR)
				continue;
			if (drain && errno == EAGAIN)
				break;
			violation("%s: READ_BATCH: %s", name, strerror(errno));
			break;
		}
		if (b.count == 0) {
			violation("%s: destroyed before its end record", name);
			break;
		}
		progress(b.count);
		for (off = 0; off < b.bytes; ) {
			const struct ringbus_record_header *h = (const void *)(buf + off);
			char rec[128], what[16];
			unsigned int c, on;
			uint64_t n, w, e;
			int src;

			off += sizeof(*h) + ((h->len + 7) & ~7U);
			if (h->seq != seq + 1)
				violation("%s: sequence %" PRIu64 " after %" PRIu64, name,
					  (uint64_t)h->seq, seq);
			seq = h->seq;
			/* User and kernel records alike: stamped in ring order. */
			if (h->ts_ns < last_ts)
				violation("%s: record %" PRIu64 " stamped %" PRIu64
					  " ns before the record ahead of it", name,
					  (uint64_t)h->seq, last_ts - (uint64_t)h->ts_ns);
			last_ts = h->ts_ns;
			snprintf(rec, sizeof(rec), "%.*s", (int)(h->len < sizeof(rec) - 1 ?
				 h->len : sizeof(rec) - 1), (const char *)(h + 1));
			if (fault_writes && sscanf(rec, "user n=%" SCNu64, &n) == 1) {
				if (h->len != FW_LEN || h->pid != (uint32_t)getpid())
					violation("%s: '%s' of %u bytes from pid %u", name, rec,
						  h->len, h->pid);
				if (n != users)
					violation("%s: '%s', expected user n=%" PRIu64, name, rec, users);
				users = n + 1;
				continue;
			}
			if (h->pid || h->uid)
				violation("%s: in-kernel record with pid %u uid %u", name, h->pid, h->uid);
			if (end) {
				violation("%s: '%s' after the end record", name, rec);
				continue;
			}
			if (sscanf(rec, "%15s c=%u on=%u n=%" SCNu64, what, &c, &on, &n) == 4) {
				src = !strcmp(what, "thread");
				if ((!src && strcmp(what, "timer")) || c >= KP_MAX_CPUS) {
					violation("%s: unknown record '%s'", name, rec);
					continue;
				}
				if (on != c)
					violation("%s: '%s' was written on CPU %u", name, rec, on);
				if (n != next[src][c])
					violation("%s: %s of CPU %u: record %" PRIu64 ", expected %" PRIu64,
						  name, what, c, n, next[src][c]);
				next[src][c] = n + 1;
				if (c + 1 > ncpu)
					ncpu = c + 1;
				numbered++;
				by_src[src]++;
			} else if (sscanf(rec, "done %15s c=%u written=%" SCNu64 " eagain=%" SCNu64,
					  what, &c, &w, &e) == 4 && c < KP_MAX_CPUS) {
				src = !strcmp(what, "thread");
				if (done_count[src][c] != UINT64_MAX)
					violation("%s: second '%s'", name, rec);
				done_count[src][c] = w;
				if (w != next[src][c])
					violation("%s: '%s' but %" PRIu64 " arrived", name, rec, next[src][c]);
				eagain += e;
				dones++;
			} else if (sscanf(rec, "end sources=%u written=%" SCNu64, &sources, &w) == 2) {
				if (w != numbered)
					violation("%s: '%s' but %" PRIu64 " numbered records arrived",
						  name, rec, numbered);
				if (sources != dones)
					violation("%s: '%s' after %u summaries", name, rec, dones);
				end = 1;
			} else {
				violation("%s: unknown record '%s'", name, rec);
			}
		}
		if (end && fault_writes && !drain && !fw.stop) {
			fw_stop(fww, fwh);
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
			drain = 1;
		}
	}
	t1 = now_s();
	wd_stop = 1;
	pthread_join(wd, NULL);
	if (fault_writes && !fw.stop)
		fw_stop(fww, fwh);
	if (fault_writes && users != fw.ok)
		violation("%s: %" PRIu64 " good user writes, %" PRIu64 " arrived", name, fw.ok, users);
	for (i = 0; i < (int)ncpu; i++) {
		if (next[0][i] != 0 && done_count[0][i] == UINT64_MAX)
			violation("%s: no summary of the timer of CPU %d", name, i);
		if (next[1][i] != 0 && done_count[1][i] == UINT64_MAX)
			violation("%s: no summary of the thread of CPU %d", name, i);
		if (!next[0][i] || !next[1][i])
			violation("%s: CPU %d: %" PRIu64 " timer and %" PRIu64 " thread records",
				  name, i, next[0][i], next[1][i]);
	}
	close(fd);
	printf("kproducer: %s: %" PRIu64 " records (%" PRIu64 " from timers, %" PRIu64
	       " from kthreads) from %u CPUs in %.1f s (%.0f records/s read), %" PRIu64
	       " writes refused with EAGAIN, %u summaries%s\n", name, numbered, by_src[0],
	       by_src[1], ncpu, t1 - t0, numbered / (t1 - t0), eagain, dones,
	       end ? "" : ", NO END RECORD");
	printf("RESULT mode=kproducer records=%" PRIu64 " timer=%" PRIu64 " thread=%" PRIu64
	       " cpus=%u sources=%u eagain=%" PRIu64 " seconds=%.1f rate=%.0f violations=%"
	       PRIu64 " status=%s\n", numbered, by_src[0], by_src[1], ncpu, dones, eagain,
	       t1 - t0, numbered / (t1 - t0), sh->violations,
	       sh->violations || !end ? "fail" : "ok");
	if (fault_writes)
		printf("RESULT mode=fault-writes user_ok=%" PRIu64 " user_efault=%" PRIu64
		       " user_eagain=%" PRIu64 " held=%" PRIu64 " held_pending=%" PRIu64
		       " violations=%" PRIu64 " status=%s\n", fw.ok, fw.efault, fw.eagain,
		       fw.held, fw.held_pending, sh->violations,
		       sh->violations || !end ? "fail" : "ok");
	return sh->violations || !end ? 1 : 0;
}

/* ---------------------------------------------------------------- */
/* One life-cycle round.                                              */

static int run_round(void)
{
	static const char *const kinds[3] = { "q", "b", "big" };
	static const uint32_t modes[3] = { RINGBUS_MODE_QUEUE, RINGBUS_MODE_BROADCAST,
					   RINGBUS_MODE_BROADCAST };
	static const uint64_t caps[3] = { 0, 0, 1 << 20 };
	char name[3][RINGBUS_NAME_MAX], path[96], buf[256];
	struct ringbus_fd_opts fo = { .flags = RINGBUS_FD_HEADERS };
	int fds[4], ctl, i;

	ctl = control_fd();
	if (ctl < 0) {
		fprintf(stderr, "rb-stress: open %s: %s\n", CONTROL, strerror(errno));
		return 1;
	}
	for (i = 0; i < 3; i++) {
		snprintf(name[i], sizeof(name[i]), "%s-%s", opt.prefix, kinds[i]);
		if (create_chan(ctl, name[i], modes[i], caps[i], 0)) {
			fprintf(stderr, "rb-stress: create %s: %s\n", name[i], strerror(errno));
			return 1;
		}
	}
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/dev/ringbus/%.31s", name[i]);
		fds[i] = open_node(path, i == 2 ? O_RDONLY : O_RDWR);
		if (fds[i] < 0) {
			fprintf(stderr, "rb-stress: open %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	fds[3] = control_fd();
	if (fds[3] < 0 || write(fds[0], "round", 5) != 5 || write(fds[1], "one", 3) != 3 ||
	    write(fds[1], "two", 3) != 3 || read(fds[0], buf, sizeof(buf)) != 5 ||
	    ioctl(fds[1], RINGBUS_IOC_SET_OPTS, &fo) ||
	    read(fds[1], buf, sizeof(buf)) != (ssize_t)sizeof(struct ringbus_record_header) + 3) {
		fprintf(stderr, "rb-stress: records through the round's channels: %s\n",
			strerror(errno));
		return 1;
	}
	for (i = 0; i < 2; i++) {
		ssize_t n;
		int fd;

		if (i == 0)
			snprintf(path, sizeof(path), "/proc/ringbus/channels");
		else
			snprintf(path, sizeof(path), "/sys/class/ringbus/%.31s/records", name[1]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
		if (n <= 0) {
			fprintf(stderr, "rb-stress: read %s: %s\n", path, strerror(errno));
			return 1;
		}
		close(fd);
	}
	for (i = 0; i < 4; i++)
		close(fds[i]);
	for (i = 0; i < 2; i++) {
		if (destroy_chan(ctl, name[i])) {
			fprintf(stderr, "rb-stress: destroy %s: %s\n", name[i], strerror(errno));
			return 1;
		}
	}
	close(ctl);
	return 0;
}

/* ---------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
"usage: rb-stress [options]\n"
"  -m, --mode queue|broadcast  channel mode of the flow test (default queue)\n"
"  -C, --chaos                 concurrent create/destroy/open/close/io/ioctl and\n"
"                              procfs/sysfs readers on the same names instead\n"
"  -K, --kproducer NAME        check the channel rbtest_producer.ko concurrent=S\n"
"                              fills (read until its end record) instead\n"
"      --fault-writes          with --kproducer: also write to it from pages that\n"
"                              userfaultfd holds and that run into PROT_NONE\n"
"      --round                 one life-cycle round (3 channels, 4 files) instead\n"
"  -w, --writers N             writer threads (default 8, at most %d)\n"
"  -r, --readers N             reader processes (default 8, at most %d)\n"
"  -c, --channels N            channels; writer/reader i uses channel i %% N (default 4)\n"
"      --min-size B            smallest record payload (default and minimum %zu)\n"
"      --max-size B            largest record payload (default 512)\n"
"      --capacity B            ring size (default 65536 queue, 16384 broadcast)\n"
"  -d, --duration S            seconds of writing (chaos: of racing), default 10\n"
"  -s, --seed N                seed of every random choice (default 1)\n"
"      --stall US              odd readers sleep US every 32 reads (default 0 queue,\n"
"                              3000 broadcast, so that overruns happen)\n"
"      --share-fd              writers of one channel share one open file\n"
"  -t, --threads N             chaos worker threads (default 16, at most %d)\n"
"      --names N               chaos channel names (default 4)\n"
"      --prefix P              channel name prefix (default rbst)\n"
"      --watchdog S            fail when nothing progresses for S seconds (default 30)\n"
"  -v, --verbose               per-reader summaries\n"
"  -h, --help                  this text\n"
"Exit status: 0 ok, 1 a violation, 2 usage or setup error, 3 watchdog.\n"
"The last line is machine-readable: RESULT mode=... status=ok|fail\n",
		MAX_W, MAX_R, sizeof(struct stamp), MAX_CHAOS - 3);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "chaos", no_argument, NULL, 'C' },
		{ "kproducer", required_argument, NULL, 'K' },
		{ "round", no_argument, NULL, 9 },
		{ "fault-writes", no_argument, NULL, 10 },
		{ "writers", required_argument, NULL, 'w' },
		{ "readers", required_argument, NULL, 'r' },
		{ "channels", required_argument, NULL, 'c' },
		{ "min-size", required_argument, NULL, 1 },
		{ "max-size", required_argument, NULL, 2 },
		{ "capacity", required_argument, NULL, 3 },
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "stall", required_argument, NULL, 4 },
		{ "share-fd", no_argument, NULL, 5 },
		{ "threads", required_argument, NULL, 't' },
		{ "names", required_argument, NULL, 6 },
		{ "prefix", required_argument, NULL, 7 },
		{ "watchdog", required_argument, NULL, 8 },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kproducer = NULL;
	int c, chaos = 0, round = 0, fault_writes = 0, rc;

	while ((c = getopt_long(argc, argv, "m:CK:w:r:c:d:s:t:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!strcmp(optarg, "queue"))
				opt.mode = RINGBUS_MODE_QUEUE;
			else if (!strcmp(optarg, "broadcast"))
				opt.mode = RINGBUS_MODE_BROADCAST;
			else
				goto bad;
			break;
		case 'C': chaos = 1; break;
		case 'K': kproducer = optarg; break;
		case 9: round = 1; break;
		case 10: fault_writes = 1; break;
		case 'w': opt.writers = atoi(optarg); break;
		case 'r': opt.readers = atoi(optarg); break;
		case 'c': opt.channels = atoi(optarg); break;
		case 1: opt.min_size = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 2: opt.max_size = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 3: opt.capacity = strtoull(optarg, NULL, 0); break;
		case 'd': opt.duration = atof(optarg); break;
		case 's': opt.seed = strtoul(optarg, NULL, 0); break;
		case 4: opt.stall_us = atoi(optarg); break;
		case 5: opt.share_fd = 1; break;
		case 't': opt.threads = atoi(optarg); break;
		case 6: opt.names = atoi(optarg); break;
		case 7: opt.prefix = optarg; break;
		case 8: opt.watchdog = atoi(optarg); break;
		case 'v': opt.verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	if (chaos)
		opt.mode = -1;
	if (kproducer)
		opt.mode = -2;
	if (opt.writers < 1 || opt.writers > MAX_W || opt.readers < 1 || opt.readers > MAX_R ||
	    opt.channels < 1 || opt.channels > MAX_CH || opt.channels > opt.writers ||
	    opt.channels > opt.readers || opt.duration <= 0 || opt.watchdog < 1 ||
	    opt.threads < 1 || opt.threads > MAX_CHAOS - 3 || opt.names < 1 ||
	    opt.names > 1000 || strlen(opt.prefix) > 20 ||
	    opt.min_size < sizeof(struct stamp) || opt.max_size < opt.min_size ||
	    opt.max_size > 65536) {
		fprintf(stderr, "rb-stress: invalid parameters (needs 1 <= channels <= writers, readers)\n");
		goto bad;
	}
	if (!opt.capacity)
		opt.capacity = opt.mode == RINGBUS_MODE_BROADCAST ? 16384 : 65536;
	if (opt.stall_us < 0)
		opt.stall_us = opt.mode == RINGBUS_MODE_BROADCAST ? 3000 : 0;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("rb-stress: mmap");
		return 2;
	}
	memset(sh, 0, sizeof(*sh));
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (round)
		rc = run_round();
	else if (kproducer)
		rc = run_kproducer(kproducer, fault_writes);
	else
		rc = chaos ? run_chaos() : run_flow();
	return rc;
bad:
	usage(stderr);
	return 2;
}
