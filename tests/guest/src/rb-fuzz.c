// SPDX-License-Identifier: GPL-2.0-only
/*
 * rb-fuzz - a seeded fuzzer of the ringbus control and channel nodes.
 *
 * Several processes, each with several threads ("workers"), drive random
 * sequences of open, read, write, poll, lseek, mmap, ioctl (the ringbus
 * commands with near-valid and broken arguments, and foreign or
 * misencoded command numbers), blocking calls cut short by a per-thread
 * timer, flush, create and destroy on a small pool of channel names.
 * Pointers given to the kernel are valid, NULL, unmapped, in the kernel
 * half, non-canonical, read-only or end at a PROT_NONE page.
 *
 * Errors are expected; what is checked:
 *   - every failing call's errno is in the set allowed for that call;
 *   - no kernel-internal errno (>= 512, e.g. ERESTARTSYS) reaches us;
 *   - successful calls return sane values and outputs (lengths, record
 *     headers, reserved fields zero, no kernel-pointer-like words, a
 *     foreign or unknown command never succeeds, mmap never succeeds);
 *   - every --check ops, a known-good sequence on a private channel
 *     (create, write, read back with headers, destroy) gives exact results;
 *   - no process dies of a signal and none hangs (the parent's watchdog).
 *
 * Each worker's random sequence is a function of --seed and its index, so
 * a seed replays the same operations (their interleaving differs).  A
 * failing run prints the command line that reproduces it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/ringbus.h>

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

#define CONTROL "/dev/ringbus/control"
#define PG 4096
#define SCRATCH_SZ (64 * 1024)
#define POOL 6
#define MAXFD 10
#define LOGN 16
#define KERNEL_PTR 0xffffffff81000000ULL
#define NONCANON_PTR 0x8000000000000000ULL

/* --- options -------------------------------------------------------------- */

static uint64_t opt_seed;
static unsigned int opt_duration = 10, opt_threads = 3, opt_procs = 2;
static unsigned long opt_ops, opt_check = 256;
static char opt_prefix[16] = "fz";
static char opt_also[16];
static int opt_verbose, opt_fill;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rb-fuzz [options]\n"
		"  --seed N       seed of the run (default: from the time and pid)\n"
		"  --duration S   seconds to run (default 10)\n"
		"  --ops N        operations per worker, 0 for no limit (default 0)\n"
		"  --threads N    threads per process (default 3)\n"
		"  --procs N      processes (default 2)\n"
		"  --check N      known-good sanity sequence every N ops (default 256)\n"
		"  --prefix P     channel names P-0..P-%d (default fz)\n"
		"  --also P       also use the pool of another run (P-0..P-%d)\n"
		"  --fill         fill the registry with channels P-fN first; every\n"
		"                 worker then starts with a sanity sequence\n"
		"  --verbose      print every operation\n"
		"  --help         this text\n"
		"Exit status 0: no invariant broken; 1: a violation (the reproducing\n"
		"command line is printed); 2: usage or setup error.\n", POOL - 1, POOL - 1);
}

static void repro_line(void)
{
	printf("rb-fuzz: reproduce with: rb-fuzz --seed %llu --duration %u --ops %lu"
	       " --threads %u --procs %u --check %lu --prefix %s%s%s%s\n",
	       (unsigned long long)opt_seed, opt_duration, opt_ops, opt_threads,
	       opt_procs, opt_check, opt_prefix, opt_also[0] ? " --also " : "", opt_also,
	       opt_fill ? " --fill" : "");
}

/* --- per-worker state ----------------------------------------------------- */

enum { S_OPEN, S_READ, S_WRITE, S_POLL, S_LSEEK, S_MMAP, S_IOCTL, S_CLOSE, S_NSYS };
static const char *const sys_names[S_NSYS] = {
	"open", "read", "write", "poll", "lseek", "mmap", "ioctl", "close",
};

struct wfd {
	int fd;
	int ctl;		/* the control node */
	int flags;		/* O_ACCMODE */
	int headers;		/* RINGBUS_FD_HEADERS set */
};

struct worker {
	unsigned int id;
	pid_t tid;
	uint64_t rng;
	unsigned long ops, violations, reaped, full;
	unsigned long calls[S_NSYS], fails[S_NSYS];
	unsigned long errs[S_NSYS][134];
	struct wfd f[MAXFD];
	int nf;
	int ctl;
	unsigned char *scratch;	/* SCRATCH_SZ bytes, then a PROT_NONE page */
	unsigned char *guard;
	timer_t timer;
	char log[LOGN][160];
	unsigned int logpos;
};

static unsigned char *rdonly_page, *unmapped_page;
/* The channels that existed before the run: never touched by the reaper. */
static char (*before_names)[RINGBUS_NAME_MAX];
static unsigned int before_n;
static volatile int stop_flag;
static time_t deadline;

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct worker *w)
{
	return splitmix(&w->rng);
}

static uint64_t below(struct worker *w, uint64_t n)
{
	return n ? rnd(w) % n : 0;
}

static int chance(struct worker *w, unsigned int one_in)
{
	return below(w, one_in) == 0;
}

static void wlog(struct worker *w, const char *fmt, ...)
{
	char *l = w->log[w->logpos++ % LOGN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l, sizeof(w->log[0]), fmt, ap);
	va_end(ap);
	if (opt_verbose)
		printf("w%u op %lu: %s\n", w->id, w->ops, l);
}

static void violation(struct worker *w, const char *fmt, ...)
{
	char msg[256];
	unsigned int i;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->violations++;
	flockfile(stdout);
	printf("rb-fuzz: VIOLATION worker %u op %lu: %s\n", w->id, w->ops, msg);
	printf("rb-fuzz: worker %u's last operations:\n", w->id);
	for (i = 0; i < LOGN; i++) {
		const char *l = w->log[(w->logpos + i) % LOGN];

		if (l[0])
			printf("rb-fuzz:   %s\n", l);
	}
	funlockfile(stdout);
}

/* Errnos each call may give (the ABI's documented set plus the VFS's). */
static int allowed(int sys, int e)
{
	switch (sys) {
	case S_OPEN:
		return e == EACCES || e == ENOENT || e == ENODEV || e == ENXIO ||
		       e == ENOMEM || e == EMFILE || e == ENFILE;
	case S_READ:
		return e == EAGAIN || e == EINTR || e == EMSGSIZE || e == EPIPE ||
		       e == EFAULT || e == EBADF || e == EINVAL;
	case S_WRITE:
		return e == EINVAL || e == EMSGSIZE || e == EFAULT || e == EAGAIN ||
		       e == EINTR || e == ENODEV || e == EBADF;
	case S_POLL:
		return e == EINTR;
	case S_LSEEK:
		return e == EINVAL || e == ESPIPE;
	case S_MMAP:
		return e == ENODEV || e == EACCES || e == EINVAL;
	default:
		return 0;	/* ioctl: allowed_ioctl() */
	}
}

static int is_known(unsigned long cmd);

/*
 * Errnos an ioctl may give: on its own kind of node, those docs/abi.md
 * lists for the command (section 6); a command for the other kind of
 * node, or an unknown one, only ENOTTY.
 */
static int allowed_ioctl(unsigned long cmd, int ctl, int e)
{
	if (!is_known(cmd) || ctl != (_IOC_NR(cmd) < 0x10))
		return e == ENOTTY;
	switch (cmd) {
	case RINGBUS_IOC_VERSION:
	case RINGBUS_IOC_STATS:
	case RINGBUS_IOC_GET_OPTS:
		return e == EFAULT;
	case RINGBUS_IOC_CREATE:
		return e == EFAULT || e == EINVAL || e == EPERM || e == ENOMEM ||
		       e == EDQUOT || e == EEXIST || e == ENOSPC;
	case RINGBUS_IOC_DESTROY:
		return e == EFAULT || e == EINVAL || e == ENOENT || e == EPERM || e == ENODEV;
	case RINGBUS_IOC_LIST:
		return e == EFAULT || e == EINVAL || e == ENOMEM;
	case RINGBUS_IOC_INFO:
		return e == EFAULT || e == EINVAL || e == ENOENT;
	case RINGBUS_IOC_CHAN_INFO:
		return e == EFAULT;
	case RINGBUS_IOC_FLUSH:
		return e == EPERM || e == ENODEV || e == EINTR;
	case RINGBUS_IOC_SET_OPTS:
		return e == EFAULT || e == EINVAL;
	case RINGBUS_IOC_READ_BATCH:
		return e == EFAULT || e == EINVAL || e == EAGAIN || e == EINTR ||
		       e == EMSGSIZE || e == EPIPE || e == EBADF;
	case RINGBUS_IOC_WRITE_BATCH:
		return e == EFAULT || e == EINVAL || e == EAGAIN || e == EINTR ||
		       e == EMSGSIZE || e == ENODEV || e == EBADF;
	default:
		return 0;
	}
}

/*
 * Account a call; returns 1 if it failed.  @ok: whether @err is among the
 * errnos the call may give.
 */
static int account_as(struct worker *w, int sys, long ret, int err, const char *what, int ok)
{
	w->calls[sys]++;
	if (ret != -1)
		return 0;
	w->fails[sys]++;
	if (err >= 0 && err < 133)
		w->errs[sys][err]++;
	else
		w->errs[sys][133]++;
	if (err >= 512)
		violation(w, "%s: kernel-internal errno %d reached user space", what, err);
	else if (!ok)
		violation(w, "%s: errno %d (%s) is not among those it may give", what,
			  err, strerror(err));
	return 1;
}

static int account(struct worker *w, int sys, long ret, int err, const char *what)
{
	return account_as(w, sys, ret, err, what, allowed(sys, err));
}

/* An ioctl: its errno judged by command and node kind. */
static int account_ioctl(struct worker *w, unsigned long cmd, int ctl, long ret, int err)
{
	char what[64];

	snprintf(what, sizeof(what), "ioctl %#lx on a %s node", cmd, ctl ? "control" : "channel");
	return account_as(w, S_IOCTL, ret, err, what, allowed_ioctl(cmd, ctl, err));
}

static int looks_like_kptr(uint64_t v)
{
	return v >= 0xffff800000000000ULL && v != ~0ULL;
}

static void scan_out(struct worker *w, const void *p, size_t len, const char *what)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t v;

		memcpy(&v, b + i, 8);
		if (looks_like_kptr(v)) {
			violation(w, "%s: kernel-pointer-like value %#llx at offset %zu", what,
				  (unsigned long long)v, i);
			return;
		}
	}
}

/* --- names and pointers --------------------------------------------------- */

static void pool_name(struct worker *w, char *name)
{
	const char *pre = opt_also[0] && chance(w, 4) ? opt_also : opt_prefix;

	memset(name, 0, RINGBUS_NAME_MAX);
	snprintf(name, RINGBUS_NAME_MAX, "%s-%u", pre, (unsigned int)below(w, POOL));
}

/* A name: mostly from the pool, sometimes broken. */
static void fuzz_name(struct worker *w, char *name)
{
	pool_name(w, name);
	switch (below(w, 12)) {
	case 0:	/* no NUL */
		memset(name, 'a' + (int)below(w, 26), RINGBUS_NAME_MAX);
		break;
	case 1:	/* a bad byte */
		name[below(w, strlen(name))] = (char)below(w, 256);
		break;
	case 2:	/* garbage after the NUL */
		memset(name + strlen(name) + 1, (int)below(w, 256),
		       RINGBUS_NAME_MAX - strlen(name) - 1);
		break;
	case 3:
		snprintf(name, RINGBUS_NAME_MAX, "%s", chance(w, 2) ? "control" : "..");
		break;
	case 4:	/* 31 bytes */
		memset(name, 'a' + (int)below(w, 26), RINGBUS_NAME_MAX - 1);
		name[RINGBUS_NAME_MAX - 1] = 0;
		break;
	}
}

/* A user pointer of a random kind for len bytes (valid ones in scratch). */
static uint64_t fuzz_ptr(struct worker *w, size_t len, int *valid)
{
	*valid = 0;
	switch (below(w, 16)) {
	case 0: return 0;
	case 1: return 16;
	case 2: return (uintptr_t)unmapped_page;
	case 3: return KERNEL_PTR;
	case 4: return NONCANON_PTR;
	case 5: return (uintptr_t)rdonly_page;
	case 6:	/* ends at the guard page (never starts before scratch) */
		return (uintptr_t)(w->guard - below(w, (len < SCRATCH_SZ ? len : SCRATCH_SZ) + 1));
	default:
		*valid = 1;
		if (len > SCRATCH_SZ)
			len = SCRATCH_SZ;
		return (uintptr_t)(w->scratch + (SCRATCH_SZ - len) / 2 / 8 * 8);
	}
}

/* The ioctl argument itself: the same kinds, but a 32-bit process cannot
 * pass a 64-bit address. */
static unsigned long fuzz_arg(struct worker *w, void *valid_struct, size_t len)
{
	int valid;

	if (chance(w, 6)) {
		uint64_t p = fuzz_ptr(w, len, &valid);

		if (p > (uintptr_t)-1)
			p = (uintptr_t)0xfffff000UL;
		return (unsigned long)p;
	}
	return (unsigned long)(uintptr_t)valid_struct;
}

static uint64_t fuzz_len(struct worker *w, uint64_t typical)
{
	static const uint64_t odd[] = { 0, 1, 7, 8, 31, 32, 33, 4095, 4096, 65536,
		0x7fffffffULL, 0xffffffffULL, 1ULL << 32, 1ULL << 63, ~0ULL };

	if (chance(w, 3))
		return odd[below(w, sizeof(odd) / sizeof(odd[0]))];
	return below(w, typical + 1);
}

/* --- file table ----------------------------------------------------------- */

static struct wfd *pick_fd(struct worker *w)
{
	return w->nf ? &w->f[below(w, w->nf)] : NULL;
}

static void op_open(struct worker *w, int ctl)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
	char path[64];
	int fl = modes[below(w, 3)], fd, err;

	if (w->nf == MAXFD)
		return;
	if (ctl) {
		snprintf(path, sizeof(path), "%s", CONTROL);
	} else {
		char name[RINGBUS_NAME_MAX];

		pool_name(w, name);
		snprintf(path, sizeof(path), "/dev/ringbus/%s", name);
	}
	fd = open(path, fl | O_NONBLOCK | O_CLOEXEC);
	err = errno;
	wlog(w, "open %s %d -> %d", path, fl, fd < 0 ? -err : fd);
	if (account(w, S_OPEN, fd < 0 ? -1 : fd, err, "open"))
		return;
	w->f[w->nf].fd = fd;
	w->f[w->nf].ctl = ctl;
	w->f[w->nf].flags = fl;
	w->f[w->nf].headers = 0;
	w->nf++;
}

static void op_close(struct worker *w)
{
	int i, ret, err;

	if (!w->nf)
		return;
	i = (int)below(w, w->nf);
	ret = close(w->f[i].fd);
	err = errno;
	wlog(w, "close %d -> %d", w->f[i].fd, ret);
	account(w, S_CLOSE, ret, err, "close");
	w->f[i] = w->f[--w->nf];
}

/* --- the operations ------------------------------------------------------- */

static void check_header(struct worker *w, const unsigned char *p, size_t n, const char *what)
{
	struct ringbus_record_header h;

	if (n < sizeof(h)) {
		violation(w, "%s: %zu bytes, shorter than a header", what, n);
		return;
	}
	memcpy(&h, p, sizeof(h));
	if (h.reserved || h.seq == 0 || h.len != n - sizeof(h) || h.len == 0)
		violation(w, "%s: bad header seq %llu len %u reserved %u for %zu bytes", what,
			  (unsigned long long)h.seq, h.len, h.reserved, n);
	scan_out(w, p, sizeof(h), what);
}

static void op_read(struct worker *w, struct wfd *f)
{
	int valid, err;
	size_t len = (size_t)fuzz_len(w, 700);
	uint64_t p = fuzz_ptr(w, len, &valid);
	long ret;

	if (p > (uintptr_t)-1)
		p = 0xfffff000UL;
	ret = syscall(SYS_read, f->fd, (uintptr_t)p, len);
	err = errno;
	wlog(w, "read fd %d len %zu -> %ld/%d", f->fd, len, ret, ret < 0 ? err : 0);
	if (account(w, S_READ, ret, err, "read"))
		return;
	if ((size_t)ret > len)
		violation(w, "read returned %ld for a %zu-byte buffer", ret, len);
	else if (f->ctl)
		violation(w, "read on the control node succeeded");
	else if (f->headers && ret > 0 && valid)
		check_header(w, (const unsigned char *)(uintptr_t)p, (size_t)ret, "read");
}

static void op_write(struct worker *w, struct wfd *f)
{
	int valid, err;
	size_t len = (size_t)fuzz_len(w, 700);
	uint64_t p = fuzz_ptr(w, len, &valid);
	long ret;

	if (p > (uintptr_t)-1)
		p = 0xfffff000UL;
	if (valid)
		memset((void *)(uintptr_t)p, 'a' + (int)below(w, 26),
		       len < SCRATCH_SZ ? len : SCRATCH_SZ / 2);
	ret = syscall(SYS_write, f->fd, (uintptr_t)p, len);
	err = errno;
	wlog(w, "write fd %d len %zu -> %ld/%d", f->fd, len, ret, ret < 0 ? err : 0);
	if (account(w, S_WRITE, ret, err, "write"))
		return;
	if ((size_t)ret != len)
		violation(w, "write of %zu bytes returned %ld (records are whole)", len, ret);
	else if (f->ctl)
		violation(w, "write on the control node succeeded");
}

static void op_poll(struct worker *w)
{
	struct pollfd p[MAXFD];
	int i, ret, err;

	for (i = 0; i < w->nf; i++) {
		p[i].fd = w->f[i].fd;
		p[i].events = (short)below(w, 0x10000);
		p[i].revents = 0;
	}
	ret = poll(p, w->nf, (int)below(w, 3));
	err = errno;
	wlog(w, "poll %d fds -> %d", w->nf, ret);
	if (account(w, S_POLL, ret, err, "poll"))
		return;
	for (i = 0; i < w->nf; i++) {
		if (p[i].revents & POLLNVAL)
			violation(w, "poll: POLLNVAL on open fd %d", p[i].fd);
		if (p[i].revents & ~(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLERR |
				     POLLPRI | POLLHUP | POLLRDBAND | POLLWRBAND))
			violation(w, "poll: unexpected revents %#x", p[i].revents);
	}
}

static void op_lseek(struct worker *w, struct wfd *f)
{
	static const long offs[] = { 0, 0, 0, 1, -1, 4096, 0x7fffffffL };
	long off = offs[below(w, 7)];
	int whence = (int)below(w, 6), err;
	off_t ret = lseek(f->fd, off, whence);

	err = errno;
	wlog(w, "lseek fd %d %ld %d -> %lld", f->fd, off, whence, (long long)ret);
	if (account(w, S_LSEEK, ret == -1 ? -1 : 0, err, "lseek"))
		return;
	if (ret != 0)
		violation(w, "lseek returned %lld", (long long)ret);
}

static void op_mmap(struct worker *w, struct wfd *f)
{
	static const int prots[] = { PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE, PROT_NONE };
	void *m = mmap(NULL, PG * (1 + below(w, 4)), prots[below(w, 4)],
		       chance(w, 2) ? MAP_SHARED : MAP_PRIVATE, f->fd, (off_t)(below(w, 3) * PG));
	int err = errno;

	wlog(w, "mmap fd %d -> %s", f->fd, m == MAP_FAILED ? "failed" : "mapped");
	if (m != MAP_FAILED) {
		munmap(m, PG);
		w->calls[S_MMAP]++;
		violation(w, "mmap of a ringbus node succeeded");
		return;
	}
	account(w, S_MMAP, -1, err, "mmap");
}

static const unsigned long known_cmds[] = {
	RINGBUS_IOC_VERSION, RINGBUS_IOC_CREATE, RINGBUS_IOC_DESTROY, RINGBUS_IOC_LIST,
	RINGBUS_IOC_INFO, RINGBUS_IOC_CHAN_INFO, RINGBUS_IOC_STATS, RINGBUS_IOC_FLUSH,
	RINGBUS_IOC_SET_OPTS, RINGBUS_IOC_GET_OPTS, RINGBUS_IOC_READ_BATCH,
	RINGBUS_IOC_WRITE_BATCH,
};
#define NKNOWN (sizeof(known_cmds) / sizeof(known_cmds[0]))

static int is_known(unsigned long cmd)
{
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		if (known_cmds[i] == cmd)
			return 1;
	return 0;
}

/* Set a random word of a struct, sometimes: the near-valid mutation. */
static void mutate(struct worker *w, void *s, size_t len)
{
	unsigned char *b = s;

	if (!chance(w, 4))
		return;
	switch (below(w, 3)) {
	case 0:
		b[below(w, len)] ^= (unsigned char)(1U << below(w, 8));
		break;
	case 1:
		b[below(w, len)] = (unsigned char)rnd(w);
		break;
	default: {
		size_t off = below(w, len / 4) * 4;
		uint32_t v = (uint32_t)rnd(w);

		memcpy(b + off, &v, 4);
	}
	}
}

static void build_create(struct worker *w, struct ringbus_create *c)
{
	static const uint64_t caps[] = { 0, 4096, 4096, 8192, 16384, 65536, 1 << 20 };

	memset(c, 0, sizeof(*c));
	fuzz_name(w, c->name);
	c->capacity = chance(w, 64) ? 1 << 24 : caps[below(w, sizeof(caps) / sizeof(caps[0]))];
	if (chance(w, 8))
		c->capacity = fuzz_len(w, 1 << 20);
	c->max_record = chance(w, 2) ? 0 : (uint32_t)fuzz_len(w, 2048);
	c->mode = (uint32_t)below(w, chance(w, 8) ? 5 : 2);
	c->ttl_ms = chance(w, 4) ? (uint32_t)below(w, 200) : 0;
	c->flags = RINGBUS_CREATE_PERM;
	c->perm = chance(w, 4) ? 0600 : 0666;
	mutate(w, c, sizeof(*c));
}

static void build_batch_write(struct worker *w, struct ringbus_batch *b, unsigned char *buf)
{
	unsigned int n = 1 + (unsigned int)below(w, 12), i;
	size_t off = 0;

	for (i = 0; i < n && off + 8 + 700 < SCRATCH_SZ / 2; i++) {
		uint32_t len = (uint32_t)(chance(w, 10) ? fuzz_len(w, 700) : 1 + below(w, 600));
		uint32_t zero = chance(w, 20) ? (uint32_t)rnd(w) : 0;
		size_t room = len < 700 ? len : 0;

		memcpy(buf + off, &len, 4);
		memcpy(buf + off + 4, &zero, 4);
		memset(buf + off + 8, 'A' + (int)(i % 26), room);
		off += 8 + ((room + 7) & ~(size_t)7);
	}
	b->buf_len = chance(w, 6) ? fuzz_len(w, off) : off;
	b->max_records = chance(w, 4) ? (uint32_t)below(w, 4) : 0;
}

/* The checks of a successful known ioctl. */
static void check_ioctl_out(struct worker *w, unsigned long cmd, const void *arg,
			    const void *buf, size_t buflen, int bufvalid)
{
	if (cmd == RINGBUS_IOC_VERSION) {
		const struct ringbus_version *v = arg;

		if (v->abi_major != RINGBUS_ABI_MAJOR || v->reserved[0] || v->reserved[4])
			violation(w, "VERSION: abi %u or reserved not zero", v->abi_major);
	} else if (cmd == RINGBUS_IOC_INFO || cmd == RINGBUS_IOC_CHAN_INFO) {
		const struct ringbus_info *in = arg;

		if (in->reserved0 || in->reserved[0] || in->reserved[1] || in->mode > 1 ||
		    in->capacity < 4096 || (in->capacity & (in->capacity - 1)) ||
		    in->used > in->capacity || in->max_record > in->capacity / 2 ||
		    in->records * 40 > in->capacity ||
		    (in->records && in->first_seq + in->records - 1 != in->last_seq) ||
		    strnlen(in->name, RINGBUS_NAME_MAX) == RINGBUS_NAME_MAX)
			violation(w, "INFO: inconsistent: cap %llu used %llu records %llu seq %llu..%llu max_record %u mode %u",
				  (unsigned long long)in->capacity, (unsigned long long)in->used,
				  (unsigned long long)in->records, (unsigned long long)in->first_seq,
				  (unsigned long long)in->last_seq, in->max_record, in->mode);
	} else if (cmd == RINGBUS_IOC_STATS) {
		const struct ringbus_stats *st = arg;

		/* (broadcast readers each read every record: no read <= written) */
		if (st->reserved[0] || st->reserved[1])
			violation(w, "STATS: reserved not zero");
	} else if (cmd == RINGBUS_IOC_GET_OPTS) {
		const struct ringbus_fd_opts *o = arg;

		if (o->reserved || (o->flags & ~RINGBUS_FD_HEADERS))
			violation(w, "GET_OPTS: flags %#x reserved %#x", o->flags, o->reserved);
	} else if (cmd == RINGBUS_IOC_LIST) {
		const struct ringbus_list *l = arg;

		if (l->flags || l->reserved[0] || l->reserved[1] || l->count > 65536)
			violation(w, "LIST: count %u or flags/reserved", l->count);
	} else if (cmd == RINGBUS_IOC_READ_BATCH && bufvalid) {
		const struct ringbus_batch *b = arg;
		const unsigned char *p = buf;
		uint64_t off = 0;
		uint32_t i;

		/* bytes may count the last record's padding (up to 7 bytes),
		 * which need not be mapped */
		if (b->bytes > b->buf_len || b->bytes > buflen + 7 || b->flags || b->reserved ||
		    (b->max_records && b->count > b->max_records))
			violation(w, "READ_BATCH: count %u bytes %llu for buf_len %llu",
				  b->count, (unsigned long long)b->bytes,
				  (unsigned long long)b->buf_len);
		for (i = 0; i < b->count && off + 32 <= b->bytes && off + 32 <= buflen; i++) {
			struct ringbus_record_header h;

			memcpy(&h, p + off, sizeof(h));
			if (h.reserved || !h.seq || !h.len || off + 32 + h.len > buflen) {
				violation(w, "READ_BATCH: record %u of %u at %llu: bad header seq %llu len %u reserved %u (buf_len %llu max_records %u)",
					  i, b->count, (unsigned long long)off,
					  (unsigned long long)h.seq, h.len, h.reserved,
					  (unsigned long long)b->buf_len, b->max_records);
				break;
			}
			scan_out(w, &h, sizeof(h), "READ_BATCH header");
			off += 32 + ((h.len + 7) & ~7U);
		}
	} else if (cmd == RINGBUS_IOC_WRITE_BATCH) {
		const struct ringbus_batch *b = arg;

		if (b->bytes > b->buf_len || b->flags || b->reserved ||
		    (b->max_records && b->count > b->max_records))
			violation(w, "WRITE_BATCH: count %u bytes %llu", b->count,
				  (unsigned long long)b->bytes);
	}
	/*
	 * Only structs the kernel writes whole are scanned: the others (CREATE
	 * and DESTROY are input only; LIST and the batches give back the
	 * caller's own pointers) still hold what the fuzzer put there.
	 */
	if (cmd == RINGBUS_IOC_VERSION || cmd == RINGBUS_IOC_INFO ||
	    cmd == RINGBUS_IOC_CHAN_INFO || cmd == RINGBUS_IOC_STATS ||
	    cmd == RINGBUS_IOC_GET_OPTS)
		scan_out(w, arg, _IOC_SIZE(cmd), "ioctl output");
}

static void op_ioctl_known(struct worker *w, struct wfd *f, unsigned long cmd)
{
	union {
		struct ringbus_version v;
		struct ringbus_create c;
		struct ringbus_name n;
		struct ringbus_list l;
		struct ringbus_info i;
		struct ringbus_stats s;
		struct ringbus_fd_opts o;
		struct ringbus_batch b;
		unsigned char raw[256];
	} a;
	unsigned char *buf = w->scratch;
	size_t buflen = SCRATCH_SZ;
	int bufvalid = 1, err;
	unsigned long argp;
	long ret;

	memset(&a, 0xa5, sizeof(a));
	if (cmd == RINGBUS_IOC_CREATE) {
		build_create(w, &a.c);
	} else if (cmd == RINGBUS_IOC_DESTROY) {
		memset(&a.n, 0, sizeof(a.n));
		fuzz_name(w, a.n.name);
		mutate(w, &a.n, sizeof(a.n));
	} else if (cmd == RINGBUS_IOC_INFO) {
		memset(a.i.name, 0, sizeof(a.i.name));
		fuzz_name(w, a.i.name);
		a.i.reserved0 = 0;
		a.i.reserved[0] = a.i.reserved[1] = 0;
		mutate(w, &a.i, sizeof(a.i));
	} else if (cmd == RINGBUS_IOC_LIST) {
		memset(&a.l, 0, sizeof(a.l));
		a.l.count = (uint32_t)(chance(w, 3) ? fuzz_len(w, 64) : below(w, 64));
		a.l.names = fuzz_ptr(w, (size_t)a.l.count * RINGBUS_NAME_MAX, &bufvalid);
		{
			/* a mutated pointer could aim the kernel at our own heap */
			uint64_t names = a.l.names;

			mutate(w, &a.l, sizeof(a.l));
			a.l.names = names;
		}
	} else if (cmd == RINGBUS_IOC_SET_OPTS) {
		a.o.flags = chance(w, 4) ? (uint32_t)rnd(w) : (uint32_t)below(w, 2);
		a.o.reserved = chance(w, 8) ? (uint32_t)rnd(w) : 0;
	} else if (cmd == RINGBUS_IOC_READ_BATCH || cmd == RINGBUS_IOC_WRITE_BATCH) {
		memset(&a.b, 0, sizeof(a.b));
		if (cmd == RINGBUS_IOC_WRITE_BATCH) {
			build_batch_write(w, &a.b, buf);
			a.b.buf = (uintptr_t)buf;
			if (chance(w, 6))
				a.b.buf = fuzz_ptr(w, a.b.buf_len, &bufvalid);
		} else {
			a.b.buf_len = chance(w, 3) ? fuzz_len(w, SCRATCH_SZ) : below(w, 4096);
			a.b.max_records = chance(w, 2) ? 0 : (uint32_t)below(w, 20);
			a.b.buf = fuzz_ptr(w, a.b.buf_len, &bufvalid);
		}
		{
			uint64_t p = a.b.buf;	/* as for LIST: not mutated */

			mutate(w, &a.b, sizeof(a.b));
			a.b.buf = p;
		}
		/* where the records are: */
		bufvalid = a.b.buf >= (uintptr_t)w->scratch && a.b.buf < (uintptr_t)w->guard;
		if (bufvalid) {
			buf = (unsigned char *)(uintptr_t)a.b.buf;
			buflen = (size_t)(w->guard - buf);
		}
	}
	argp = fuzz_arg(w, &a, _IOC_SIZE(cmd));
	ret = ioctl(f->fd, cmd, argp);
	err = errno;
	wlog(w, "ioctl fd %d%s cmd %#lx -> %ld/%d", f->fd, f->ctl ? " (control)" : "", cmd,
	     ret, ret < 0 ? err : 0);
	if (account_ioctl(w, cmd, f->ctl, ret, err))
		return;
	if (ret != 0) {
		violation(w, "ioctl %#lx returned %ld", cmd, ret);
		return;
	}
	if (f->ctl != (_IOC_NR(cmd) < 0x10)) {
		violation(w, "ioctl %#lx succeeded on the wrong node kind", cmd);
		return;
	}
	if (cmd == RINGBUS_IOC_SET_OPTS) {
		/* the options may have come from any valid memory: ask */
		struct ringbus_fd_opts o;

		if (ioctl(f->fd, RINGBUS_IOC_GET_OPTS, &o))
			violation(w, "GET_OPTS after SET_OPTS: %s", strerror(errno));
		else
			f->headers = o.flags & RINGBUS_FD_HEADERS;
	}
	if (argp == (unsigned long)(uintptr_t)&a)
		check_ioctl_out(w, cmd, &a, buf, buflen, bufvalid);
}

static void op_ioctl_random(struct worker *w, struct wfd *f)
{
	static const unsigned int types[] = { 0xBB, 0xBB, 0xBB, 0xBB, 'V', 'd', 0x12,
					      0xAE, 'U', 0xBC };
	unsigned int type = types[below(w, sizeof(types) / sizeof(types[0]))];
	unsigned int nr = (unsigned int)(type == 0xBB && chance(w, 2) ? below(w, 0x20) : below(w, 256));
	unsigned int size = (unsigned int)(chance(w, 2) ? below(w, 0x4000) : below(w, 160));
	unsigned long cmd = _IOC((unsigned int)below(w, 4), type, nr, size);
	unsigned char arg[0x4000 + 16];
	unsigned long argp;
	long ret;
	int err;

	if (is_known(cmd)) {
		op_ioctl_known(w, f, cmd);
		return;
	}
	memset(arg, 0, sizeof(arg));
	if (chance(w, 2)) {
		size_t i;

		for (i = 0; i < size && i < sizeof(arg); i++)
			arg[i] = (unsigned char)rnd(w);
	}
	argp = fuzz_arg(w, arg, size);
	ret = ioctl(f->fd, cmd, argp);
	err = errno;
	wlog(w, "ioctl fd %d random cmd %#lx -> %ld/%d", f->fd, cmd, ret, ret < 0 ? err : 0);
	if (account_ioctl(w, cmd, f->ctl, ret, err))
		return;
	violation(w, "unknown ioctl %#lx succeeded (returned %ld)", cmd, ret);
}

static void timer_handler(int sig)
{
	(void)sig;
}

/*
 * A call that may block, cut short by a timer: first after 5-40 ms, then
 * every 20 ms until disarmed, so a tick that comes before the call blocks
 * cannot leave it blocked for good.
 */
static void op_blocking(struct worker *w, struct wfd *f)
{
	struct itimerspec its;
	int fl = fcntl(f->fd, F_GETFL);

	memset(&its, 0, sizeof(its));
	its.it_value.tv_nsec = (long)(5 + below(w, 36)) * 1000000L;
	its.it_interval.tv_nsec = 20 * 1000000L;
	if (fl < 0 || fcntl(f->fd, F_SETFL, fl & ~O_NONBLOCK))
		return;
	timer_settime(w->timer, 0, &its, NULL);
	switch (below(w, 4)) {
	case 0:
		op_read(w, f);
		break;
	case 1:
		op_write(w, f);
		break;
	case 2:
		op_ioctl_known(w, f, RINGBUS_IOC_READ_BATCH);
		break;
	default:
		op_ioctl_known(w, f, RINGBUS_IOC_WRITE_BATCH);
	}
	memset(&its, 0, sizeof(its));
	timer_settime(w->timer, 0, &its, NULL);
	fcntl(f->fd, F_SETFL, fl);
}

/*
 * The names of all channels, in a malloc()ed array; the count, or -1.
 * LIST says how many exist; retried while channels come and go.
 */
static int list_channels(int ctl, char (**out)[RINGBUS_NAME_MAX])
{
	struct ringbus_list l;
	char (*names)[RINGBUS_NAME_MAX] = NULL;
	unsigned int cap = 64;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		free(names);
		names = calloc(cap, RINGBUS_NAME_MAX);
		if (!names)
			return -1;
		memset(&l, 0, sizeof(l));
		l.names = (uintptr_t)names;
		l.count = cap;
		if (ioctl(ctl, RINGBUS_IOC_LIST, &l)) {
			free(names);
			return -1;
		}
		if (l.count <= cap) {
			*out = names;
			return (int)l.count;
		}
		cap = l.count + 64;
	}
	free(names);
	return -1;
}

static int existed_before(const char *name)
{
	unsigned int i;

	for (i = 0; i < before_n; i++)
		if (!strncmp(before_names[i], name, RINGBUS_NAME_MAX))
			return 1;
	return 0;
}

/* "<prefix>-s<digits>": a sanity channel, its worker destroys it itself. */
static int sanity_name(const char *name)
{
	const char *p = strstr(name, "-s");

	if (!p || !p[2])
		return 0;
	for (p += 2; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

/*
 * Destroy the channels the fuzzing made (fuzzed names leave some behind;
 * they add up to max_channels in a long run).  Channels of others that
 * this user may not destroy stay.  Return: how many went, or -1.
 */
static int reap(int ctl)
{
	char (*names)[RINGBUS_NAME_MAX];
	struct ringbus_name n;
	int i, nr = list_channels(ctl, &names), gone = 0;

	if (nr < 0)
		return -1;
	for (i = 0; i < nr; i++) {
		if (existed_before(names[i]) || sanity_name(names[i]))
			continue;
		memset(&n, 0, sizeof(n));
		memcpy(n.name, names[i], sizeof(n.name));
		if (!ioctl(ctl, RINGBUS_IOC_DESTROY, &n))
			gone++;
	}
	free(names);
	return gone;
}

/* The core's max_channels parameter, or 0 if it cannot be read. */
static unsigned int max_channels(void)
{
	FILE *f = fopen("/sys/module/ringbus/parameters/max_channels", "re");
	unsigned int v = 0;

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/*
 * The sanity channel could not be made for want of room.  That is only
 * right if the registry is (nearly: the other workers destroy channels
 * meanwhile) full: then reap and try once more; still full (another user's
 * channels fill it) is counted, not a violation.  Return: 0 to go on with
 * the sequence, 1 to skip it this time, -1 for a violation.
 */
static int sanity_enospc(struct worker *w, struct ringbus_create *c)
{
	unsigned int max = max_channels(), slack = 2 * opt_threads * opt_procs + 8;
	char (*names)[RINGBUS_NAME_MAX];
	int nr = list_channels(w->ctl, &names), r;

	if (nr < 0 || !max)
		return -1;
	free(names);
	if ((unsigned int)nr + slack < max) {
		violation(w, "sanity: CREATE %s: ENOSPC with %d of %u channels", c->name,
			  nr, max);
		return -1;
	}
	r = reap(w->ctl);
	if (r > 0)
		w->reaped += (unsigned long)r;
	if (!ioctl(w->ctl, RINGBUS_IOC_CREATE, c))
		return 0;
	if (errno != ENOSPC) {
		violation(w, "sanity: CREATE %s after reaping: %s", c->name, strerror(errno));
		return -1;
	}
	nr = list_channels(w->ctl, &names);
	if (nr < 0)
		return -1;
	free(names);
	if ((unsigned int)nr + slack < max) {
		violation(w, "sanity: CREATE %s: ENOSPC with %d of %u channels after reaping",
			  c->name, nr, max);
		return -1;
	}
	w->full++;
	return 1;
}

/*
 * The sanity channel would exceed this user's limits (max_user_channels,
 * max_user_bytes): fuzzed creations fill them.  Reap and try once more;
 * still over (the other workers of this user create meanwhile) is
 * counted with the full registries.  Return: as sanity_enospc().
 */
static int sanity_edquot(struct worker *w, struct ringbus_create *c)
{
	int r = reap(w->ctl);

	if (r < 0)
		return -1;
	w->reaped += (unsigned long)r;
	if (!ioctl(w->ctl, RINGBUS_IOC_CREATE, c))
		return 0;
	if (errno != EDQUOT && errno != ENOSPC) {
		violation(w, "sanity: CREATE %s after reaping: %s", c->name, strerror(errno));
		return -1;
	}
	w->full++;
	return 1;
}

/* The known-good sequence, on a channel of this worker's own. */
static void sanity_run(struct worker *w)
{
	struct ringbus_fd_opts o = { .flags = RINGBUS_FD_HEADERS };
	struct ringbus_record_header h;
	struct ringbus_version v;
	struct ringbus_create c;
	struct ringbus_name n;
	char path[64], msg[32], buf[128];
	int fd, len;
	ssize_t r;

	memset(&v, 0xa5, sizeof(v));
	if (ioctl(w->ctl, RINGBUS_IOC_VERSION, &v) || v.abi_major != RINGBUS_ABI_MAJOR ||
	    v.reserved[0]) {
		violation(w, "sanity: VERSION: %s", strerror(errno));
		return;
	}
	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s-s%u", opt_prefix, w->id);
	c.capacity = 4096;
	memset(&n, 0, sizeof(n));
	memcpy(n.name, c.name, sizeof(n.name));
	if (ioctl(w->ctl, RINGBUS_IOC_CREATE, &c)) {
		if (errno == EDQUOT) {
			if (sanity_edquot(w, &c))
				return;
		} else if (errno != ENOSPC) {
			violation(w, "sanity: CREATE %s: %s", c.name, strerror(errno));
			return;
		} else if (sanity_enospc(w, &c)) {
			return;
		}
	}
	snprintf(path, sizeof(path), "/dev/ringbus/%s", c.name);
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		violation(w, "sanity: open %s: %s", path, strerror(errno));
		goto out;
	}
	len = snprintf(msg, sizeof(msg), "sanity-%lu", w->ops);
	if (write(fd, msg, len) != len || ioctl(fd, RINGBUS_IOC_SET_OPTS, &o)) {
		violation(w, "sanity: write/SET_OPTS: %s", strerror(errno));
		goto out_close;
	}
	r = read(fd, buf, sizeof(buf));
	memcpy(&h, buf, sizeof(h));
	if (r != (ssize_t)sizeof(h) + len || h.seq != 1 || h.len != (uint32_t)len ||
	    h.reserved || memcmp(buf + sizeof(h), msg, len))
		violation(w, "sanity: read back %zd bytes (%s), seq %llu len %u", r,
			  r < 0 ? strerror(errno) : "no error",
			  (unsigned long long)h.seq, h.len);
	else if (read(fd, buf, sizeof(buf)) != -1 || errno != EAGAIN)
		violation(w, "sanity: a second record appeared");
out_close:
	close(fd);
out:
	if (ioctl(w->ctl, RINGBUS_IOC_DESTROY, &n))
		violation(w, "sanity: DESTROY %s: %s", n.name, strerror(errno));
}

/*
 * The worker's interval timer (SIGRTMIN + 1, no SA_RESTART) interrupts
 * blocking calls on purpose; a signal still pending when the sanity
 * sequence starts would fail one of its calls with EINTR.  It is held
 * back meanwhile.
 */
static void sanity(struct worker *w)
{
	sigset_t set, old;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + 1);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	sanity_run(w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void one_op(struct worker *w)
{
	struct wfd *f = pick_fd(w);
	unsigned int k = (unsigned int)below(w, 100);

	if (!f || k < 8) {
		op_open(w, chance(w, 5));
		return;
	}
	if (k < 12)
		op_close(w);
	else if (k < 24)
		op_read(w, f);
	else if (k < 36)
		op_write(w, f);
	else if (k < 40)
		op_poll(w);
	else if (k < 44)
		op_lseek(w, f);
	else if (k < 46)
		op_mmap(w, f);
	else if (k < 50)
		op_blocking(w, f);
	else if (k < 62)
		op_ioctl_random(w, f);
	else if (k < 70) {
		/* control commands go to the control node mostly */
		struct wfd cf = { .fd = w->ctl, .ctl = 1, .flags = O_RDWR };

		op_ioctl_known(w, chance(w, 5) ? f : &cf,
			       known_cmds[below(w, 5)]);
	} else {
		op_ioctl_known(w, f, known_cmds[below(w, NKNOWN)]);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct sigevent sev;
	int i;

	w->tid = (pid_t)syscall(SYS_gettid);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGRTMIN + 1;
	sev.sigev_notify_thread_id = w->tid;
	if (timer_create(CLOCK_MONOTONIC, &sev, &w->timer)) {
		perror("timer_create");
		exit(2);
	}
	w->scratch = mmap(NULL, SCRATCH_SZ + PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->scratch == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	w->guard = w->scratch + SCRATCH_SZ;
	mprotect(w->guard, PG, PROT_NONE);
	w->ctl = open(CONTROL, O_RDWR | O_CLOEXEC);
	if (w->ctl < 0) {
		perror(CONTROL);
		exit(2);
	}
	while (!stop_flag && (!opt_ops || w->ops < opt_ops)) {
		if ((w->ops & 63) == 0 && time(NULL) >= deadline)
			break;
		w->ops++;
		if ((opt_check && w->ops % opt_check == 0) || (opt_fill && w->ops == 1))
			sanity(w);
		else
			one_op(w);
	}
	for (i = 0; i < w->nf; i++)
		close(w->f[i].fd);
	close(w->ctl);
	timer_delete(w->timer);
	return NULL;
}

/* The symbolic name of an errno; strerrorname_np() is glibc 2.32 and up. */
static const char *errno_name(int e)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" },
		{ EIO, "EIO" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" },
		{ EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
		{ ENFILE, "ENFILE" }, { EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" },
		{ ENOSPC, "ENOSPC" }, { ESPIPE, "ESPIPE" }, { EPIPE, "EPIPE" },
		{ ERANGE, "ERANGE" }, { ENAMETOOLONG, "ENAMETOOLONG" },
		{ EMSGSIZE, "EMSGSIZE" }, { EOVERFLOW, "EOVERFLOW" },
		{ ESTALE, "ESTALE" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { EDQUOT, "EDQUOT" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	return NULL;
}

static int run_process(unsigned int p)
{
	struct worker *ws = calloc(opt_threads, sizeof(*ws));
	pthread_t *th = calloc(opt_threads, sizeof(*th));
	unsigned long ops = 0, viol = 0, calls[S_NSYS] = { 0 }, fails[S_NSYS] = { 0 };
	unsigned long reaped = 0, full = 0;
	struct sigaction sa;
	unsigned int t;
	int s, e;

	if (!ws || !th)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = timer_handler;	/* no SA_RESTART: blocked calls give EINTR */
	sigaction(SIGRTMIN + 1, &sa, NULL);
	for (t = 0; t < opt_threads; t++) {
		uint64_t s0 = opt_seed;

		ws[t].id = p * opt_threads + t;
		s0 += 0x1000003ULL * (ws[t].id + 1);
		ws[t].rng = splitmix(&s0);
		if (pthread_create(&th[t], NULL, worker_main, &ws[t]))
			return 2;
	}
	for (t = 0; t < opt_threads; t++)
		pthread_join(th[t], NULL);
	for (t = 0; t < opt_threads; t++) {
		ops += ws[t].ops;
		viol += ws[t].violations;
		reaped += ws[t].reaped;
		full += ws[t].full;
		for (s = 0; s < S_NSYS; s++) {
			calls[s] += ws[t].calls[s];
			fails[s] += ws[t].fails[s];
			for (e = 0; e < 134; e++)
				if (t)
					ws[0].errs[s][e] += ws[t].errs[s][e];
		}
	}
	flockfile(stdout);
	printf("rb-fuzz: process %u: %lu ops, %lu violations\n", p, ops, viol);
	if (reaped || full)
		printf("rb-fuzz: process %u: registry full at a sanity check: %lu channels reaped, %lu checks skipped\n",
		       p, reaped, full);
	for (s = 0; s < S_NSYS; s++) {
		char line[512];
		int n = 0;

		n += snprintf(line + n, sizeof(line) - n, "rb-fuzz: process %u: %-5s %7lu calls %7lu failed:",
			      p, sys_names[s], calls[s], fails[s]);
		for (e = 0; e < 134 && n < (int)sizeof(line) - 32; e++) {
			const char *name = e == 133 ? "other" : errno_name(e);

			if (!ws[0].errs[s][e])
				continue;
			if (name)
				n += snprintf(line + n, sizeof(line) - n, " %s=%lu",
					      name, ws[0].errs[s][e]);
			else
				n += snprintf(line + n, sizeof(line) - n, " E%d=%lu",
					      e, ws[0].errs[s][e]);
		}
		printf("%s\n", line);
	}
	funlockfile(stdout);
	return viol ? 1 : 0;
}

/*
 * After the run: the pool of this prefix and whatever else the fuzzing
 * left that this user may destroy are removed (the kernel is fine).
 */
static void cleanup_pool(void)
{
	int ctl = open(CONTROL, O_RDWR | O_CLOEXEC), i;
	struct ringbus_name n;

	if (ctl < 0)
		return;
	for (i = 0; i < POOL; i++) {
		memset(&n, 0, sizeof(n));
		snprintf(n.name, sizeof(n.name), "%s-%d", opt_prefix, i);
		ioctl(ctl, RINGBUS_IOC_DESTROY, &n);
	}
	reap(ctl);
	close(ctl);
}

/*
 * --fill: create P-f0, P-f1, ... until the registry refuses with ENOSPC,
 * after the list of the channels that existed before, so the workers may
 * reap them.  Every worker starts with a sanity sequence, and the first
 * of them to create meets the full registry, however slow the kernel.
 * Return: 0, or 1 on a setup error.
 */
static int fill_registry(int ctl)
{
	struct ringbus_create c;
	unsigned int n;

	for (n = 0;; n++) {
		memset(&c, 0, sizeof(c));
		snprintf(c.name, sizeof(c.name), "%s-f%u", opt_prefix, n);
		c.capacity = 4096;
		c.perm = 0600;
		if (ioctl(ctl, RINGBUS_IOC_CREATE, &c))
			break;
	}
	if (errno != ENOSPC) {
		printf("rb-fuzz: --fill: CREATE %s: %s\n", c.name, strerror(errno));
		return 1;
	}
	printf("rb-fuzz: filled the registry: %u channels made, %u there before\n",
	       n, before_n);
	return 0;
}

static void dump_stacks(pid_t pid)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd),
		 "for t in /proc/%d/task/*; do echo \"task $t: $(cat $t/wchan 2>/dev/null)\"; cat $t/stack 2>/dev/null; done",
		 (int)pid);
	if (system(cmd) < 0)
		perror("system");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "ops", required_argument, NULL, 'o' },
		{ "threads", required_argument, NULL, 't' },
		{ "procs", required_argument, NULL, 'p' },
		{ "check", required_argument, NULL, 'c' },
		{ "prefix", required_argument, NULL, 'P' },
		{ "also", required_argument, NULL, 'A' },
		{ "fill", no_argument, NULL, 'F' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	pid_t *pids;
	unsigned int p, alive, failed = 0;
	int o, m;

	setvbuf(stdout, NULL, _IOLBF, 0);
	opt_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((o = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 's': opt_seed = strtoull(optarg, NULL, 0); break;
		case 'd': opt_duration = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'o': opt_ops = strtoul(optarg, NULL, 0); break;
		case 't': opt_threads = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'p': opt_procs = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'c': opt_check = strtoul(optarg, NULL, 0); break;
		case 'P': snprintf(opt_prefix, sizeof(opt_prefix), "%s", optarg); break;
		case 'A': snprintf(opt_also, sizeof(opt_also), "%s", optarg); break;
		case 'F': opt_fill = 1; break;
		case 'v': opt_verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !opt_threads || !opt_procs || opt_threads > 64 || opt_procs > 64) {
		usage(stderr);
		return 2;
	}
	printf("rb-fuzz: seed %llu duration %us ops %lu threads %u procs %u check %lu prefix %s%s%s (%d-bit)\n",
	       (unsigned long long)opt_seed, opt_duration, opt_ops, opt_threads, opt_procs,
	       opt_check, opt_prefix, opt_also[0] ? " also " : "", opt_also,
	       (int)sizeof(long) * 8);
	rdonly_page = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unmapped_page = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rdonly_page == MAP_FAILED || unmapped_page == MAP_FAILED ||
	    munmap(unmapped_page, PG)) {
		perror("mmap");
		return 2;
	}
	m = open(CONTROL, O_RDWR | O_CLOEXEC);
	if (m < 0) {
		perror(CONTROL);
		return 2;
	}
	o = list_channels(m, &before_names);
	if (o < 0) {
		perror("RINGBUS_IOC_LIST");
		return 2;
	}
	before_n = (unsigned int)o;
	if (opt_fill && fill_registry(m))
		return 2;
	close(m);
	deadline = time(NULL) + opt_duration;
	pids = calloc(opt_procs, sizeof(*pids));
	if (!pids)
		return 2;
	for (p = 0; p < opt_procs; p++) {
		pids[p] = fork();
		if (pids[p] < 0) {
			perror("fork");
			return 2;
		}
		if (pids[p] == 0)
			_exit(run_process(p));
	}
	/* Watchdog: every process must be done 60 s after the deadline. */
	alive = opt_procs;
	while (alive) {
		int st;
		pid_t r = waitpid(-1, &st, WNOHANG);

		if (r > 0) {
			alive--;
			for (p = 0; p < opt_procs; p++)
				if (pids[p] == r)
					pids[p] = 0;
			if (WIFSIGNALED(st)) {
				printf("rb-fuzz: VIOLATION: process %d killed by signal %d (%s)\n",
				       (int)r, WTERMSIG(st), strsignal(WTERMSIG(st)));
				failed = 1;
			} else if (WEXITSTATUS(st)) {
				failed = 1;
			}
			continue;
		}
		if (time(NULL) > deadline + 60) {
			printf("rb-fuzz: VIOLATION: processes still running 60 s after the deadline\n");
			for (p = 0; p < opt_procs; p++)
				if (pids[p] > 0) {
					dump_stacks(pids[p]);
					kill(pids[p], SIGKILL);
				}
			failed = 1;
			while (waitpid(-1, NULL, 0) > 0)
				;
			break;
		}
		usleep(100000);
	}
	m = 0;
	cleanup_pool();
	if (failed) {
		printf("rb-fuzz: FAIL (seed %llu)\n", (unsigned long long)opt_seed);
		repro_line();
		m = 1;
	} else {
		printf("rb-fuzz: PASS (seed %llu)\n", (unsigned long long)opt_seed);
	}
	return m;
}
