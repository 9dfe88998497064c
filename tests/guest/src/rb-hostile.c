// SPDX-License-Identifier: GPL-2.0-only
/*
 * rb-hostile - table-driven hostile-input test of every ioctl and file
 * operation of the control node and of channel nodes.
 *
 *   rb-hostile run [GROUP...]   run the cases of these groups (all without
 *                               a GROUP); one line per case, then a count
 *   rb-hostile groups           list the groups
 *   rb-hostile expect ERRNO OP NAME [ARG]
 *                               one permission check, for the unprivileged
 *                               cases of t/62-hostile.sh (see usage())
 *
 * Every case states the exact result it wants (an errno, or success) and,
 * unless it is a success that changes state on purpose, that nothing
 * changed: the channel list, every fixture channel's INFO and STATS, the
 * STATS and options of every fixture file and /proc/ringbus/stats are
 * compared before and after.  Output buffers are filled with 0xA5 first;
 * leak checks look at reserved, padding and unused bytes and at every
 * 64-bit word for values that look like kernel pointers.
 *
 * The case descriptions never contain addresses or sizeof(long), so the
 * 64-bit and the 32-bit (gcc -m32, compat_ioctl) builds print the same
 * lines; t/62-hostile.sh compares them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>
#include <linux/fs.h>
#include <linux/ringbus.h>

#define CONTROL "/dev/ringbus/control"
#define FIX_B "hx-b"		/* broadcast fixture channel */
#define FIX_Q "hx-q"		/* queue fixture channel */
#define SCRATCH "hx-s"		/* created and destroyed by success cases */
#define FIX_CAP 4096
#define FIX_MAXREC 512
#define PG 4096
#define FILL 0xA5

/* Addresses no process may use. */
#define KERNEL_PTR 0xffffffff81000000ULL
#define NONCANON_PTR 0x8000000000000000ULL

/* Which file a case works on. */
enum fdk { F_CTL, F_B_RW, F_B_RO, F_B_WO, F_Q_RW, F_Q_RO, F_Q_WO, F_NFD };
static const char *const fd_names[F_NFD] = {
	"control", "bcast O_RDWR", "bcast O_RDONLY", "bcast O_WRONLY",
	"queue O_RDWR", "queue O_RDONLY", "queue O_WRONLY",
};

enum op { OP_IOCTL, OP_READ, OP_WRITE, OP_LSEEK, OP_MMAP, OP_PREAD, OP_PWRITE };

/* Where the ioctl argument (or the read/write buffer) is. */
enum argk {
	A_BUF,		/* the struct in ordinary memory */
	A_NULL,		/* NULL */
	A_LOW,		/* address 16: never mapped */
	A_UNMAPPED,	/* a page that was mapped and unmapped again */
	A_KERNEL,	/* the kernel half (32-bit: the top page of 4 GiB) */
	A_RDONLY,	/* the struct in a read-only page */
	A_STRADDLE,	/* all but the last byte before a PROT_NONE page */
};
static const char *const argk_names[] = {
	"valid", "NULL", "address 16", "unmapped page", "kernel address",
	"read-only page", "struct straddling a PROT_NONE page",
};

/* What a __u64 user pointer inside a struct points to. */
enum ptrk {
	P_NONE,		/* no pointer fix-up */
	P_NULL, P_LOW, P_UNMAPPED, P_KERNEL, P_NONCANON, P_RDONLY,
	P_VALID,	/* ordinary memory holding pdata */
	P_EDGE,		/* pedge bytes (from pdata) before a PROT_NONE page */
};
static const char *const ptrk_names[] = {
	"", "NULL", "16", "an unmapped page", "a kernel address",
	"a non-canonical address", "a read-only page", "valid memory",
	"memory ending at a PROT_NONE page",
};

struct hcase;
typedef const char *(*check_fn)(const struct hcase *c, long ret,
				const unsigned char *arg, const unsigned char *pbuf);

struct hcase {
	const char *group;
	char desc[160];
	enum op op;
	enum fdk fdk;
	unsigned long cmd;
	enum argk argk;
	unsigned char arg[256];
	size_t argsz;
	/* a __u64 user pointer inside arg */
	int ptroff;
	enum ptrk ptrk;
	size_t pedge;
	unsigned char pdata[1024];
	size_t plen;
	/* read/write/lseek */
	size_t len;
	long off;
	int whence;
	int want;		/* errno wanted; 0: success */
	long want_ret;		/* with want 0: the return value wanted, or -2: any */
	int changes;		/* success that changes state on purpose */
	const char *created;	/* a success that creates this channel: destroy it */
	check_fn check;		/* extra checks of a success */
};

static struct hcase *cases;
static size_t ncases, cases_room;
static unsigned long cur_line;
static int verbose = 1;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "rb-hostile: ");
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fprintf(stdout, " (errno %d %s)\n", errno, strerror(errno));
	exit(2);
}

static struct hcase *add(const char *group, enum op op, enum fdk fdk,
			 unsigned long cmd, int want, const char *fmt, ...)
{
	struct hcase *c;
	va_list ap;

	if (ncases == cases_room) {
		cases_room = cases_room ? 2 * cases_room : 256;
		cases = realloc(cases, cases_room * sizeof(*cases));
		if (!cases)
			die("out of memory");
	}
	c = &cases[ncases++];
	memset(c, 0, sizeof(*c));
	c->group = group;
	c->op = op;
	c->fdk = fdk;
	c->cmd = cmd;
	c->want = want;
	c->want_ret = want ? -1 : 0;
	c->ptroff = -1;
	va_start(ap, fmt);
	vsnprintf(c->desc, sizeof(c->desc), fmt, ap);
	va_end(ap);
	return c;
}

static struct hcase *add_ioctl(const char *group, enum fdk fdk, unsigned long cmd,
			       const void *arg, size_t argsz, int want,
			       const char *fmt, ...)
{
	struct hcase *c = add(group, OP_IOCTL, fdk, cmd, want, "%s", "");
	va_list ap;

	if (argsz > sizeof(c->arg))
		die("argument too big");
	if (arg)
		memcpy(c->arg, arg, argsz);
	c->argsz = argsz;
	va_start(ap, fmt);
	vsnprintf(c->desc, sizeof(c->desc), fmt, ap);
	va_end(ap);
	return c;
}

static const char *errname(int e)
{
	static char buf[32];

	switch (e) {
	case 0: return "success";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EBADF: return "EBADF";
	case EMSGSIZE: return "EMSGSIZE";
	case EAGAIN: return "EAGAIN";
	case ENODEV: return "ENODEV";
	case ESPIPE: return "ESPIPE";
	case ENOSPC: return "ENOSPC";
	case ENOMEM: return "ENOMEM";
	case EPIPE: return "EPIPE";
	case EINTR: return "EINTR";
	case ENXIO: return "ENXIO";
	case EDQUOT: return "EDQUOT";
	}
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

static int errno_of(const char *s)
{
	static const int all[] = { 0, EFAULT, EINVAL, ENOTTY, ENOENT, EEXIST, EPERM,
		EACCES, EBADF, EMSGSIZE, EAGAIN, ENODEV, ESPIPE, ENOSPC, ENOMEM,
		EPIPE, EINTR, ENXIO, EDQUOT };
	size_t i;

	if (!strcmp(s, "0"))
		return 0;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, errname(all[i])))
			return all[i];
	die("unknown errno name %s", s);
	return -1;
}

/* --- memory with holes --------------------------------------------------- */

static unsigned char *scratch;	/* 16 pages, read-write */
static unsigned char *pscratch;	/* 4 pages, read-write: pointed-to data */
static unsigned char *guard;	/* PROT_NONE page; the page before it is RW */
static unsigned char *rdonly;	/* a read-only page */
static unsigned char *unmapped;	/* an unmapped page */

static void setup_memory(void)
{
	unsigned char *m;

	/* Every allocation first: none may land on the unmapped page later. */
	cases_room = 4096;
	cases = malloc(cases_room * sizeof(*cases));
	if (!cases)
		die("out of memory");

	scratch = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pscratch = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	unmapped = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED || pscratch == MAP_FAILED || m == MAP_FAILED ||
	    unmapped == MAP_FAILED)
		die("mmap");
	guard = m + PG;
	rdonly = m + 2 * PG;
	if (mprotect(guard, PG, PROT_NONE) || mprotect(rdonly, PG, PROT_READ) ||
	    munmap(unmapped, PG))
		die("mprotect");
}

static void set_rdonly(const void *data, size_t len)
{
	if (mprotect(rdonly, PG, PROT_READ | PROT_WRITE))
		die("mprotect");
	memset(rdonly, FILL, PG);
	memcpy(rdonly, data, len);
	if (mprotect(rdonly, PG, PROT_READ))
		die("mprotect");
}

static uint64_t ptr_value(enum ptrk k)
{
	switch (k) {
	case P_NULL: return 0;
	case P_LOW: return 16;
	case P_UNMAPPED: return (uintptr_t)unmapped;
	case P_KERNEL: return KERNEL_PTR;
	case P_NONCANON: return NONCANON_PTR;
	case P_RDONLY: return (uintptr_t)rdonly;
	default: return (uintptr_t)pscratch;
	}
}

static int looks_like_kernel_ptr(uint64_t v)
{
	return v >= 0xffff800000000000ULL && v != ~0ULL;
}

/* 0 when every 8-byte word of buf[0..len) is no kernel pointer. */
static const char *scan_ptrs(const unsigned char *buf, size_t len)
{
	static char msg[96];
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t v;

		memcpy(&v, buf + i, 8);
		if (looks_like_kernel_ptr(v)) {
			snprintf(msg, sizeof(msg), "a kernel-pointer-like value at offset %zu", i);
			return msg;
		}
	}
	return NULL;
}

static int all_bytes(const void *p, int v, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != v)
			return 0;
	return 1;
}

/* --- fixture and snapshot ------------------------------------------------ */

static int fds[F_NFD];
static int obs_b, obs_q;	/* observers: only STATS is ever asked of them */

static int ctl_open(void)
{
	int fd = open(CONTROL, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open %s", CONTROL);
	return fd;
}

static int do_create(const char *name, uint64_t cap, uint32_t maxrec, uint32_t mode,
		     uint32_t flags, uint32_t perm)
{
	struct ringbus_create c;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.capacity = cap;
	c.max_record = maxrec;
	c.mode = mode;
	c.flags = flags;
	c.perm = perm;
	return ioctl(fds[F_CTL], RINGBUS_IOC_CREATE, &c);
}

static int do_destroy(const char *name)
{
	struct ringbus_name n;

	memset(&n, 0, sizeof(n));
	snprintf(n.name, sizeof(n.name), "%s", name);
	return ioctl(fds[F_CTL], RINGBUS_IOC_DESTROY, &n);
}

static int chan_open(const char *name, int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/ringbus/%s", name);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		die("open %s", path);
	return fd;
}

static void fixture_up(void)
{
	int fd;

	fds[F_CTL] = ctl_open();
	do_destroy(FIX_B);
	do_destroy(FIX_Q);
	do_destroy(SCRATCH);
	if (do_create(FIX_B, FIX_CAP, FIX_MAXREC, RINGBUS_MODE_BROADCAST, 0, 0) ||
	    do_create(FIX_Q, FIX_CAP, FIX_MAXREC, RINGBUS_MODE_QUEUE, 0, 0))
		die("creating the fixture channels");
	fd = chan_open(FIX_B, O_WRONLY);
	if (write(fd, "rec-1", 5) != 5 || write(fd, "record-2", 8) != 8)
		die("write");
	close(fd);
	fd = chan_open(FIX_Q, O_WRONLY);
	if (write(fd, "rec-1", 5) != 5 || write(fd, "record-2", 8) != 8)
		die("write");
	close(fd);
	fds[F_B_RW] = chan_open(FIX_B, O_RDWR | O_NONBLOCK);
	fds[F_B_RO] = chan_open(FIX_B, O_RDONLY | O_NONBLOCK);
	fds[F_B_WO] = chan_open(FIX_B, O_WRONLY | O_NONBLOCK);
	fds[F_Q_RW] = chan_open(FIX_Q, O_RDWR | O_NONBLOCK);
	fds[F_Q_RO] = chan_open(FIX_Q, O_RDONLY | O_NONBLOCK);
	fds[F_Q_WO] = chan_open(FIX_Q, O_WRONLY | O_NONBLOCK);
	obs_b = chan_open(FIX_B, O_RDONLY | O_NONBLOCK);
	obs_q = chan_open(FIX_Q, O_RDONLY | O_NONBLOCK);
}

static void fixture_down(void)
{
	int i;

	for (i = 1; i < F_NFD; i++)
		close(fds[i]);
	close(obs_b);
	close(obs_q);
	if (do_destroy(FIX_B) || do_destroy(FIX_Q))
		die("destroying the fixture channels");
	close(fds[F_CTL]);
}

struct snap {
	uint32_t nchan;
	char names[64][RINGBUS_NAME_MAX];
	struct ringbus_info info_b, info_q;
	struct ringbus_stats st[F_NFD];	/* of the channel fds */
	struct ringbus_fd_opts opts[F_NFD];
	struct ringbus_stats obs_st_b, obs_st_q;
	char proc[1024];
};

static void chan_info_by_name(const char *name, struct ringbus_info *in)
{
	memset(in, 0, sizeof(*in));
	snprintf(in->name, sizeof(in->name), "%s", name);
	if (ioctl(fds[F_CTL], RINGBUS_IOC_INFO, in))
		memset(in, 0xee, sizeof(*in));	/* gone: differs from any snapshot */
}

static void take_snap(struct snap *s)
{
	struct ringbus_list l;
	int i, pfd;

	memset(s, 0, sizeof(*s));
	memset(&l, 0, sizeof(l));
	l.names = (uintptr_t)s->names;
	l.count = 64;
	if (ioctl(fds[F_CTL], RINGBUS_IOC_LIST, &l))
		die("LIST");
	s->nchan = l.count;
	chan_info_by_name(FIX_B, &s->info_b);
	chan_info_by_name(FIX_Q, &s->info_q);
	for (i = 1; i < F_NFD; i++) {
		if (ioctl(fds[i], RINGBUS_IOC_STATS, &s->st[i]) ||
		    ioctl(fds[i], RINGBUS_IOC_GET_OPTS, &s->opts[i]))
			die("STATS/GET_OPTS");
	}
	if (ioctl(obs_b, RINGBUS_IOC_STATS, &s->obs_st_b) ||
	    ioctl(obs_q, RINGBUS_IOC_STATS, &s->obs_st_q))
		die("STATS");
	pfd = open("/proc/ringbus/stats", O_RDONLY | O_CLOEXEC);
	if (pfd >= 0) {
		ssize_t n = read(pfd, s->proc, sizeof(s->proc) - 1);
		if (n < 0)
			n = 0;
		s->proc[n] = 0;
		close(pfd);
	}
}

static const char *snap_diff(const struct snap *a, const struct snap *b)
{
	int i;

	if (a->nchan != b->nchan || memcmp(a->names, b->names, sizeof(a->names)))
		return "the channel list changed";
	if (memcmp(&a->info_b, &b->info_b, sizeof(a->info_b)))
		return "INFO of the broadcast fixture changed";
	if (memcmp(&a->info_q, &b->info_q, sizeof(a->info_q)))
		return "INFO of the queue fixture changed";
	for (i = 1; i < F_NFD; i++) {
		if (memcmp(&a->st[i], &b->st[i], sizeof(a->st[i])))
			return "STATS of a fixture file changed";
		if (memcmp(&a->opts[i], &b->opts[i], sizeof(a->opts[i])))
			return "the options of a fixture file changed";
	}
	if (memcmp(&a->obs_st_b, &b->obs_st_b, sizeof(a->obs_st_b)) ||
	    memcmp(&a->obs_st_q, &b->obs_st_q, sizeof(a->obs_st_q)))
		return "STATS of the channels changed";
	if (strcmp(a->proc, b->proc))
		return "/proc/ringbus/stats changed";
	return NULL;
}

/* After a failed case: put the fixture back as it was. */
static void restore(void)
{
	do_destroy(SCRATCH);
	fixture_down();
	fixture_up();
}

/* --- running a case ------------------------------------------------------ */

static unsigned long n_run, n_failed;

static long run_one(struct hcase *c, unsigned char **argp_out, unsigned char **pbuf_out)
{
	unsigned char *argp = NULL, *pbuf = NULL;
	unsigned long argv = 0;
	int fd = fds[c->fdk];
	long ret = -1;

	/* The pointer inside the struct. */
	if (c->ptrk != P_NONE) {
		uint64_t pv = ptr_value(c->ptrk);

		if (c->ptrk == P_VALID) {
			memset(pscratch, FILL, 4 * PG);
			memcpy(pscratch, c->pdata, c->plen);
			pbuf = pscratch;
		} else if (c->ptrk == P_EDGE) {
			memcpy(guard - c->pedge, c->pdata, c->pedge);
			pv = (uintptr_t)(guard - c->pedge);
			pbuf = guard - c->pedge;
		} else if (c->ptrk == P_RDONLY) {
			set_rdonly(c->pdata, c->plen);
		}
		memcpy(c->arg + c->ptroff, &pv, sizeof(pv));
	}
	switch (c->argk) {
	case A_BUF:
		memset(scratch, FILL, 16 * PG);
		memcpy(scratch, c->arg, c->argsz);
		argp = scratch;
		break;
	case A_NULL: argv = 0; break;
	case A_LOW: argv = 16; break;
	case A_UNMAPPED: argv = (uintptr_t)unmapped; break;
	case A_KERNEL:
		argv = sizeof(long) == 8 ? (unsigned long)KERNEL_PTR : 0xfffff000UL;
		break;
	case A_RDONLY:
		set_rdonly(c->arg, c->argsz);
		argp = rdonly;
		break;
	case A_STRADDLE:
		/* all but the last byte fit before the guard page */
		argp = guard - (c->argsz ? c->argsz - 1 : 0);
		memset(argp, FILL, c->argsz ? c->argsz - 1 : 0);
		memcpy(argp, c->arg, c->argsz ? (c->argsz - 1 < sizeof(c->arg) ?
						  c->argsz - 1 : sizeof(c->arg)) : 0);
		break;
	}
	if (argp)
		argv = (uintptr_t)argp;
	errno = 0;
	switch (c->op) {
	case OP_IOCTL:
		ret = ioctl(fd, c->cmd, argv);
		break;
	case OP_READ:
		ret = syscall(SYS_read, fd, argv, c->len);
		break;
	case OP_WRITE:
		ret = syscall(SYS_write, fd, argv, c->len);
		break;
	case OP_PREAD:
		ret = pread(fd, (void *)argv, c->len, c->off);
		break;
	case OP_PWRITE:
		ret = pwrite(fd, (void *)argv, c->len, c->off);
		break;
	case OP_LSEEK:
		ret = lseek(fd, c->off, c->whence);
		break;
	case OP_MMAP: {
		void *m = mmap(NULL, PG, (int)c->len, MAP_SHARED, fd, 0);

		if (m != MAP_FAILED) {
			munmap(m, PG);
			ret = 0;
		}
		break;
	}
	}
	*argp_out = argp;
	*pbuf_out = pbuf;
	return ret;
}

/* The "unmapped" page must still be unmapped: mincore() says ENOMEM. */
static void assert_unmapped(void)
{
	unsigned char vec;

	if (mincore(unmapped, PG, &vec) == 0 || errno != ENOMEM)
		die("the unmapped test page got mapped");
}

static void run_case(struct hcase *c)
{
	struct snap before, after;
	unsigned char *argp, *pbuf;
	const char *why = NULL;
	char whybuf[192];
	long ret;
	int err;

	assert_unmapped();

	take_snap(&before);
	ret = run_one(c, &argp, &pbuf);
	err = ret == -1 ? errno : 0;
	n_run++;
	if (c->want) {
		if (ret != -1 || err != c->want) {
			snprintf(whybuf, sizeof(whybuf), "returned %ld, %s", ret, errname(err));
			why = whybuf;
		}
	} else if (ret < 0) {
		snprintf(whybuf, sizeof(whybuf), "failed with %s", errname(err));
		why = whybuf;
	} else if (c->want_ret != -2 && ret != c->want_ret) {
		snprintf(whybuf, sizeof(whybuf), "returned %ld, want %ld", ret, c->want_ret);
		why = whybuf;
	}
	if (!why && !err && c->check)
		why = c->check(c, ret, argp, pbuf);
	if (c->created && !err && do_destroy(c->created)) {
		snprintf(whybuf, sizeof(whybuf), "could not destroy %s: %s", c->created,
			 errname(errno));
		why = whybuf;
	}
	if (!c->changes) {
		const char *d;

		take_snap(&after);
		d = snap_diff(&before, &after);
		if (d && !why)
			why = d;
	}
	if (why) {
		n_failed++;
		printf("case %lu %s [%s] %s: want %s: FAIL: %s\n", ++cur_line, c->group,
		       fd_names[c->fdk], c->desc, errname(c->want), why);
		restore();
	} else if (verbose) {
		printf("case %lu %s [%s] %s: %s ok\n", ++cur_line, c->group,
		       fd_names[c->fdk], c->desc, errname(c->want));
	}
	if (c->changes)
		restore();
	fflush(stdout);
}

/* --- checks of successes ------------------------------------------------- */

static char chkmsg[192];

static const char *chk_version(const struct hcase *c, long ret,
			       const unsigned char *arg, const unsigned char *pbuf)
{
	struct ringbus_version v;

	(void)c; (void)ret; (void)pbuf;
	memcpy(&v, arg, sizeof(v));
	if (v.abi_major != RINGBUS_ABI_MAJOR)
		return "abi_major wrong";
	if (!all_bytes(v.reserved, 0, sizeof(v.reserved)))
		return "reserved bytes of struct ringbus_version not zero";
	if (!all_bytes(arg + sizeof(v), FILL, 64))
		return "bytes after struct ringbus_version were written";
	return scan_ptrs(arg, sizeof(v));
}

static const char *chk_info_common(const struct ringbus_info *in, const unsigned char *arg,
				   const char *name)
{
	size_t l = strnlen(in->name, sizeof(in->name));

	if (strcmp(in->name, name))
		return "INFO name wrong";
	if (!all_bytes(in->name + l, 0, sizeof(in->name) - l))
		return "bytes after the name's NUL not zero";
	if (in->reserved0 || !all_bytes(in->reserved, 0, sizeof(in->reserved)))
		return "reserved bytes of struct ringbus_info not zero";
	if (in->capacity != FIX_CAP || in->max_record != FIX_MAXREC)
		return "INFO capacity or max_record wrong";
	if (!all_bytes(arg + sizeof(*in), FILL, 64))
		return "bytes after struct ringbus_info were written";
	return scan_ptrs(arg, sizeof(*in));
}

static const char *chk_info_b(const struct hcase *c, long ret,
			      const unsigned char *arg, const unsigned char *pbuf)
{
	struct ringbus_info in;

	(void)c; (void)ret; (void)pbuf;
	memcpy(&in, arg, sizeof(in));
	if (in.mode != RINGBUS_MODE_BROADCAST || in.records != 2)
		return "INFO of the broadcast fixture: mode or records wrong";
	return chk_info_common(&in, arg, FIX_B);
}

static const char *chk_info_q(const struct hcase *c, long ret,
			      const unsigned char *arg, const unsigned char *pbuf)
{
	struct ringbus_info in;

	(void)c; (void)ret; (void)pbuf;
	memcpy(&in, arg, sizeof(in));
	if (in.mode != RINGBUS_MODE_QUEUE)
		return "INFO of the queue fixture: mode wrong";
	return chk_info_common(&in, arg, FIX_Q);
}

static const char *chk_stats(const struct hcase *c, long ret,
			     const unsigned char *arg, const unsigned char *pbuf)
{
	struct ringbus_stats st;

	(void)c; (void)ret; (void)pbuf;
	memcpy(&st, arg, sizeof(st));
	if (!all_bytes(st.reserved, 0, sizeof(st.reserved)))
		return "reserved bytes of struct ringbus_stats not zero";
	if (st.records_written != 2)
		return "records_written wrong";
	if (!all_bytes(arg + sizeof(st), FILL, 64))
		return "bytes after struct ringbus_stats were written";
	return scan_ptrs(arg, sizeof(st));
}

static const char *chk_opts(const struct hcase *c, long ret,
			    const unsigned char *arg, const unsigned char *pbuf)
{
	struct ringbus_fd_opts o;

	(void)c; (void)ret; (void)pbuf;
	memcpy(&o, arg, sizeof(o));
	if (o.reserved || o.flags)
		return "GET_OPTS: flags or reserved not zero";
	if (!all_bytes(arg + sizeof(o), FILL, 64))
		return "bytes after struct ringbus_fd_opts were written";
	return NULL;
}

/* LIST: count is the number of channels; slots NUL-padded; the rest untouched. */
static const char *chk_list(const struct hcase *c, long ret,
			    const unsigned char *arg, const unsigned char *pbuf)
{
	struct ringbus_list l;
	uint32_t room, i, n;
	struct snap s;

	(void)ret;
	memcpy(&l, arg, sizeof(l));
	memcpy(&room, c->arg + offsetof(struct ringbus_list, count), sizeof(room));
	take_snap(&s);
	if (l.count != s.nchan || l.flags || l.reserved[0] || l.reserved[1])
		return "LIST: count, flags or reserved wrong";
	if (!pbuf)
		return NULL;
	n = room < l.count ? room : l.count;
	for (i = 0; i < n; i++) {
		const char *slot = (const char *)pbuf + i * RINGBUS_NAME_MAX;
		size_t len = strnlen(slot, RINGBUS_NAME_MAX);

		if (len == 0 || len == RINGBUS_NAME_MAX)
			return "LIST: a slot holds no name";
		if (!all_bytes(slot + len, 0, RINGBUS_NAME_MAX - len)) {
			snprintf(chkmsg, sizeof(chkmsg), "LIST: slot %u not NUL-padded", i);
			return chkmsg;
		}
	}
	if (c->ptrk == P_VALID && !all_bytes(pbuf + n * RINGBUS_NAME_MAX, FILL, 256))
		return "LIST wrote beyond the slots it reported";
	return NULL;
}

/* The created scratch channel has the properties asked for. */
static const char *chk_created(const struct hcase *c, long ret,
			       const unsigned char *arg, const unsigned char *pbuf)
{
	struct ringbus_create cr;
	struct ringbus_info in;
	uint64_t cap;

	(void)ret; (void)arg; (void)pbuf;
	memcpy(&cr, c->arg, sizeof(cr));
	chan_info_by_name(c->created, &in);
	cap = cr.capacity ? cr.capacity : 65536;
	if (in.capacity != cap)
		return "created channel: capacity wrong";
	if (in.max_record != (cr.max_record ? cr.max_record : cap / 4))
		return "created channel: max_record wrong";
	if (in.ttl_ms != cr.ttl_ms || in.mode != cr.mode)
		return "created channel: ttl_ms or mode wrong";
	if (in.perm != ((cr.flags & RINGBUS_CREATE_PERM) ? cr.perm : 0600))
		return "created channel: perm wrong";
	if (in.uid != ((cr.flags & RINGBUS_CREATE_UID) ? cr.uid : geteuid()))
		return "created channel: uid wrong";
	return NULL;
}

/* write() of a valid record to the scratch channel. */
static const char *chk_written(const struct hcase *c, long ret,
			       const unsigned char *arg, const unsigned char *pbuf)
{
	(void)arg; (void)pbuf;
	if ((size_t)ret != c->len)
		return "write returned less than asked";
	return NULL;
}

/* read() with headers on the broadcast fixture: header, payload, untouched rest. */
static const char *chk_read_hdr(const struct hcase *c, long ret,
				const unsigned char *arg, const unsigned char *pbuf)
{
	struct ringbus_record_header h;

	(void)pbuf;
	if (ret != (long)sizeof(h) + 5)
		return "read with headers: wrong length";
	memcpy(&h, arg, sizeof(h));
	if (h.reserved || h.len != 5 || h.seq != 1 || memcmp(arg + sizeof(h), "rec-1", 5))
		return "read with headers: header wrong or reserved not zero";
	if (h.uid != geteuid() || h.pid == 0)
		return "read with headers: pid or uid wrong";
	if (!all_bytes(arg + ret, FILL, c->len - ret))
		return "read wrote beyond the record";
	return scan_ptrs(arg, sizeof(h));
}

/* READ_BATCH: headers, padding not written, nothing beyond bytes. */
static const char *chk_read_batch(const struct hcase *c, long ret,
				  const unsigned char *arg, const unsigned char *pbuf)
{
	static const char *const want[] = { "rec-1", "record-2" };
	struct ringbus_batch b;
	uint64_t off = 0;
	unsigned int i;

	(void)ret;
	memcpy(&b, arg, sizeof(b));
	if (b.count != 2 || b.flags || b.reserved)
		return "READ_BATCH: count, flags or reserved wrong";
	for (i = 0; i < 2; i++) {
		struct ringbus_record_header h;
		size_t pad;

		memcpy(&h, pbuf + off, sizeof(h));
		if (h.reserved || h.len != strlen(want[i]) || h.seq != i + 1 ||
		    memcmp(pbuf + off + sizeof(h), want[i], h.len))
			return "READ_BATCH: a record is wrong";
		if (scan_ptrs(pbuf + off, sizeof(h)))
			return "READ_BATCH: a kernel-pointer-like value in a header";
		pad = ((h.len + 7) & ~7U) - h.len;
		if (!all_bytes(pbuf + off + sizeof(h) + h.len, FILL, pad))
			return "READ_BATCH: padding bytes were written";
		off += sizeof(h) + h.len + pad;
	}
	if (b.bytes != off)
		return "READ_BATCH: bytes wrong";
	if (!all_bytes(pbuf + off, FILL, c->plen - off))
		return "READ_BATCH wrote beyond bytes";
	return NULL;
}

static const char *chk_write_batch_empty(const struct hcase *c, long ret,
					 const unsigned char *arg, const unsigned char *pbuf)
{
	struct ringbus_batch b;

	(void)c; (void)ret; (void)pbuf;
	memcpy(&b, arg, sizeof(b));
	if (b.count || b.bytes || b.flags || b.reserved)
		return "WRITE_BATCH with no room for a record: count/bytes not 0";
	return NULL;
}

/* --- the table ----------------------------------------------------------- */

/* The pointer-kind cases of an ioctl argument (the argument itself). */
static void arg_faults(const char *g, enum fdk fdk, unsigned long cmd,
		       const void *arg, size_t sz, int out_only, int in_and_out)
{
	static const enum argk ks[] = { A_NULL, A_LOW, A_UNMAPPED, A_KERNEL, A_STRADDLE };
	size_t i;

	for (i = 0; i < sizeof(ks) / sizeof(ks[0]); i++)
		add_ioctl(g, fdk, cmd, arg, sz, EFAULT, "arg %s", argk_names[ks[i]])->argk = ks[i];
	/* Read-only memory: fine for input, EFAULT where the kernel writes. */
	if (out_only || in_and_out)
		add_ioctl(g, fdk, cmd, arg, sz, EFAULT, "arg %s",
			  argk_names[A_RDONLY])->argk = A_RDONLY;
}

/* Each reserved 32- or 64-bit word of a struct set, alone. */
static void reserved_words(const char *g, enum fdk fdk, unsigned long cmd,
			   const void *base, size_t sz, size_t off, size_t words,
			   size_t wsz, const char *field)
{
	static const uint64_t vals[] = { 1, 0x80, 0x80000000ULL, 0x8000000000000000ULL };
	size_t w, v;

	for (w = 0; w < words; w++)
		for (v = 0; v < 4; v++) {
			struct hcase *c;
			uint64_t val = vals[v];

			if (wsz == 4 && val > 0xffffffffULL)
				continue;
			c = add_ioctl(g, fdk, cmd, base, sz, EINVAL, "%s[%zu] = %#llx",
				      field, w, (unsigned long long)val);
			memcpy(c->arg + off + w * wsz, &val, wsz);
		}
}

/* Every bit of a 32-bit flags word outside valid, alone. */
static void flag_bits(const char *g, enum fdk fdk, unsigned long cmd, const void *base,
		      size_t sz, size_t off, uint32_t valid, const char *field)
{
	int bit;

	for (bit = 0; bit < 32; bit++) {
		uint32_t v = 1U << bit, old;
		struct hcase *c;

		if (v & valid)
			continue;
		c = add_ioctl(g, fdk, cmd, base, sz, EINVAL, "%s bit %d", field, bit);
		memcpy(&old, c->arg + off, 4);
		v |= old;
		memcpy(c->arg + off, &v, 4);
	}
}

/* Wrong direction or size bits on a command's number, and its ENOTTY. */
static void misencoded(const char *g, enum fdk fdk, unsigned long cmd, const char *name)
{
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	unsigned int nr = _IOC_NR(cmd), sz = _IOC_SIZE(cmd), dir = _IOC_DIR(cmd);
	static const int dsz[] = { -8, -1, 1, 8 };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (dirs[i] == dir)
			continue;
		add_ioctl(g, fdk, _IOC(dirs[i], RINGBUS_IOC_MAGIC, nr, sz), NULL, 0, ENOTTY,
			  "%s with direction bits %u", name, dirs[i])->argk = A_BUF;
	}
	for (i = 0; i < 4; i++) {
		int s = (int)sz + dsz[i];

		if (s < 0)
			continue;
		add_ioctl(g, fdk, _IOC(dir, RINGBUS_IOC_MAGIC, nr, s), NULL, 0, ENOTTY,
			  "%s with size %d", name, s);
	}
	add_ioctl(g, fdk, _IOC(dir, RINGBUS_IOC_MAGIC, nr, 0x3fff), NULL, 0, ENOTTY,
		  "%s with size 0x3fff", name);
	/* the same nr and size under another type letter */
	add_ioctl(g, fdk, _IOC(dir, 0xBC, nr, sz), NULL, 0, ENOTTY,
		  "%s under type 0xBC", name);
}

static void set_name(char *dst, const char *name)
{
	memset(dst, 0, RINGBUS_NAME_MAX);
	memcpy(dst, name, strnlen(name, RINGBUS_NAME_MAX));
}

static int name_char_ok(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
	       ch == '.' || ch == '-';
}

/* Name cases, shared by CREATE (EINVAL), DESTROY and INFO (ENOENT/EINVAL). */
static void name_cases(const char *g, unsigned long cmd, const void *base, size_t sz,
		       int bad_name_errno, int all_bytes_too)
{
	static const char *const reserved_names[] = { "", "control", ".", ".." };
	char name[RINGBUS_NAME_MAX];
	struct hcase *c;
	int ch;
	size_t i;

	/* 32 bytes without a NUL */
	c = add_ioctl(g, F_CTL, cmd, base, sz, EINVAL, "name of 32 bytes, no NUL");
	memset(c->arg, 'a', RINGBUS_NAME_MAX);
	c = add_ioctl(g, F_CTL, cmd, base, sz, EINVAL, "name of 31 valid bytes + 1 byte 'x', no NUL");
	memset(c->arg, 'a', RINGBUS_NAME_MAX);
	c->arg[RINGBUS_NAME_MAX - 1] = 'x';
	c = add_ioctl(g, F_CTL, cmd, base, sz, EINVAL, "name of 32 bytes 0xff, no NUL");
	memset(c->arg, 0xff, RINGBUS_NAME_MAX);
	for (i = 0; i < sizeof(reserved_names) / sizeof(reserved_names[0]); i++) {
		c = add_ioctl(g, F_CTL, cmd, base, sz, bad_name_errno, "reserved name '%s'",
			      reserved_names[i]);
		set_name((char *)c->arg, reserved_names[i]);
	}
	/* every byte that may not appear in a name, in the middle of one */
	for (ch = 1; ch < 256; ch++) {
		if (name_char_ok(ch))
			continue;
		if (!all_bytes_too && ch != 'A' && ch != '/' && ch != ' ' && ch != '\n' &&
		    ch != 0x7f && ch != 0xff && ch != '*' && ch != '%')
			continue;
		c = add_ioctl(g, F_CTL, cmd, base, sz, bad_name_errno,
			      "name with byte 0x%02x", ch);
		snprintf(name, sizeof(name), "hx%cz", ch);
		set_name((char *)c->arg, name);
	}
	/* a valid 31-byte name that does not exist */
	if (bad_name_errno != EINVAL) {
		c = add_ioctl(g, F_CTL, cmd, base, sz, ENOENT, "absent 31-byte name");
		memset(c->arg, 'z', RINGBUS_NAME_MAX - 1);
		c->arg[RINGBUS_NAME_MAX - 1] = 0;
		c = add_ioctl(g, F_CTL, cmd, base, sz, ENOENT, "absent name");
		set_name((char *)c->arg, "hx-absent");
		/* a name that is a prefix / an extension of a fixture */
		c = add_ioctl(g, F_CTL, cmd, base, sz, ENOENT, "name 'hx-' (prefix of a channel)");
		set_name((char *)c->arg, "hx-");
		c = add_ioctl(g, F_CTL, cmd, base, sz, ENOENT, "name 'hx-bb' (a channel + 1 byte)");
		set_name((char *)c->arg, "hx-bb");
		c = add_ioctl(g, F_CTL, cmd, base, sz, ENOENT, "name 'HX-B' (a channel in upper case)");
		set_name((char *)c->arg, "HX-B");
	}
}

static void g_version(void)
{
	const char *g = "VERSION";
	struct ringbus_version v;
	struct hcase *c;

	memset(&v, 0, sizeof(v));
	c = add_ioctl(g, F_CTL, RINGBUS_IOC_VERSION, &v, sizeof(v), 0,
		      "valid; output zero-padded, no kernel pointers");
	memset(c->arg, FILL, sizeof(v));	/* output only: input ignored */
	c->check = chk_version;
	arg_faults(g, F_CTL, RINGBUS_IOC_VERSION, &v, sizeof(v), 1, 0);
	misencoded(g, F_CTL, RINGBUS_IOC_VERSION, "VERSION");
	add_ioctl(g, F_B_RW, RINGBUS_IOC_VERSION, &v, sizeof(v), ENOTTY, "on a channel node");
}

static char qname[RINGBUS_NAME_MAX];

static void g_create(void)
{
	const char *g = "CREATE";
	static const uint64_t bad_caps[] = { 1, 4095, 4097, 2048, 6144, (1ULL << 24) + 1,
		1ULL << 25, 1ULL << 32, 1ULL << 40, 1ULL << 63, ~0ULL, 0xffffffffULL,
		0x100000000ULL + 4096 };
	static const uint32_t bad_maxrec[] = { 2049, 4096, 4097, 0x80000000U, 0xffffffffU };
	static const uint32_t bad_modes[] = { 2, 3, 0x100, 0x80000000U, 0xffffffffU };
	static const uint32_t bad_perms[] = { 0, 01000, 02000, 04000, 07777, 0x10000,
		0x80000000U, 0xffffffffU };
	struct ringbus_create cr, v;
	struct hcase *c;
	size_t i;

	memset(&v, 0, sizeof(v));
	set_name(v.name, SCRATCH);
	v.capacity = 4096;
	/* NUL-terminated valid name only at the end of the checks */
	arg_faults(g, F_CTL, RINGBUS_IOC_CREATE, &v, sizeof(v), 0, 0);
	c = add_ioctl(g, F_CTL, RINGBUS_IOC_CREATE, &v, sizeof(v), 0,
		      "valid struct in a read-only page");
	c->argk = A_RDONLY;
	c->created = SCRATCH;
	c->check = chk_created;
	reserved_words(g, F_CTL, RINGBUS_IOC_CREATE, &v, sizeof(v),
		       offsetof(struct ringbus_create, reserved), 5, 4, "reserved");
	flag_bits(g, F_CTL, RINGBUS_IOC_CREATE, &v, sizeof(v),
		  offsetof(struct ringbus_create, flags),
		  RINGBUS_CREATE_UID | RINGBUS_CREATE_GID | RINGBUS_CREATE_PERM, "flags");
	name_cases(g, RINGBUS_IOC_CREATE, &v, sizeof(v), EINVAL, 1);
	for (i = 0; i < sizeof(bad_caps) / sizeof(bad_caps[0]); i++) {
		c = add_ioctl(g, F_CTL, RINGBUS_IOC_CREATE, &v, sizeof(v), EINVAL,
			      "capacity %#llx", (unsigned long long)bad_caps[i]);
		cr = v;
		cr.capacity = bad_caps[i];
		memcpy(c->arg, &cr, sizeof(cr));
	}
	for (i = 0; i < sizeof(bad_maxrec) / sizeof(bad_maxrec[0]); i++) {
		c = add_ioctl(g, F_CTL, RINGBUS_IOC_CREATE, &v, sizeof(v), EINVAL,
			      "capacity 4096, max_record %#x", bad_maxrec[i]);
		cr = v;
		cr.max_record = bad_maxrec[i];
		memcpy(c->arg, &cr, sizeof(cr));
	}
	for (i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++) {
		c = add_ioctl(g, F_CTL, RINGBUS_IOC_CREATE, &v, sizeof(v), EINVAL,
			      "mode %#x", bad_modes[i]);
		cr = v;
		cr.mode = bad_modes[i];
		memcpy(c->arg, &cr, sizeof(cr));
	}
	for (i = 0; i < sizeof(bad_perms) / sizeof(bad_perms[0]); i++) {
		c = add_ioctl(g, F_CTL, RINGBUS_IOC_CREATE, &v, sizeof(v), EINVAL,
			      "RINGBUS_CREATE_PERM with perm %#o", bad_perms[i]);
		cr = v;
		cr.flags = RINGBUS_CREATE_PERM;
		cr.perm = bad_perms[i];
		memcpy(c->arg, &cr, sizeof(cr));
	}
	c = add_ioctl(g, F_CTL, RINGBUS_IOC_CREATE, &v, sizeof(v), EINVAL,
		      "RINGBUS_CREATE_UID with uid -1 (unmapped)");
	cr = v;
	cr.flags = RINGBUS_CREATE_UID;
	cr.uid = 0xffffffffU;
	memcpy(c->arg, &cr, sizeof(cr));
	c = add_ioctl(g, F_CTL, RINGBUS_IOC_CREATE, &v, sizeof(v), EINVAL,
		      "RINGBUS_CREATE_GID with gid -1 (unmapped)");
	cr = v;
	cr.flags = RINGBUS_CREATE_GID;
	cr.gid = 0xffffffffU;
	memcpy(c->arg, &cr, sizeof(cr));
	/* an existing name */
	c = add_ioctl(g, F_CTL, RINGBUS_IOC_CREATE, &v, sizeof(v), EEXIST, "existing name");
	cr = v;
	set_name(cr.name, FIX_B);
	memcpy(c->arg, &cr, sizeof(cr));

	/* The boundaries that succeed (each channel destroyed again). */
	{
		static const struct { uint64_t cap; uint32_t maxrec, mode, ttl, flags, perm, uid;
				      const char *what; } ok[] = {
			{ 0, 0, 0, 0, 0, 0, 0, "capacity 0 (default), max_record 0 (default)" },
			{ 4096, 1, 0, 0, 0, 0, 0, "capacity 4096 (min), max_record 1" },
			{ 4096, 2048, 1, 0, 0, 0, 0, "max_record = capacity / 2 (max), queue" },
			{ 1ULL << 24, 0, 0, 0, 0, 0, 0, "capacity 16 MiB (max_capacity)" },
			{ 4096, 0, 0, 0xffffffffU, 0, 0, 0, "ttl_ms 0xffffffff" },
			{ 4096, 0, 0, 0, 0, 0xffffffffU, 0, "perm 0xffffffff without RINGBUS_CREATE_PERM (ignored)" },
			{ 4096, 0, 0, 0, RINGBUS_CREATE_PERM, 0777, 0, "RINGBUS_CREATE_PERM 0777" },
			{ 4096, 0, 0, 0, RINGBUS_CREATE_PERM, 01, 0, "RINGBUS_CREATE_PERM 01" },
			{ 4096, 0, 0, 0, RINGBUS_CREATE_UID, 0, 12345, "root: RINGBUS_CREATE_UID 12345" },
		};
		for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
			c = add_ioctl(g, F_CTL, RINGBUS_IOC_CREATE, &v, sizeof(v), 0, "%s", ok[i].what);
			cr = v;
			cr.capacity = ok[i].cap;
			cr.max_record = ok[i].maxrec;
			cr.mode = ok[i].mode;
			cr.ttl_ms = ok[i].ttl;
			cr.flags = ok[i].flags;
			cr.perm = ok[i].perm;
			cr.uid = ok[i].uid;
			memcpy(c->arg, &cr, sizeof(cr));
			c->created = SCRATCH;
			c->check = chk_created;
		}
		c = add_ioctl(g, F_CTL, RINGBUS_IOC_CREATE, &v, sizeof(v), 0,
			      "31-byte name, garbage after the NUL is ignored");
		cr = v;
		memset(cr.name, 'q', RINGBUS_NAME_MAX);
		cr.name[31] = 0;
		memcpy(c->arg, &cr, sizeof(cr));
		memcpy(qname, cr.name, sizeof(qname));
		c->created = qname;
		c = add_ioctl(g, F_CTL, RINGBUS_IOC_CREATE, &v, sizeof(v), 0,
			      "name 'hx-s' followed by NUL and 0xff bytes");
		cr = v;
		memset(cr.name, 0xff, RINGBUS_NAME_MAX);
		memcpy(cr.name, SCRATCH, sizeof(SCRATCH));
		memcpy(c->arg, &cr, sizeof(cr));
		c->created = SCRATCH;
	}
	misencoded(g, F_CTL, RINGBUS_IOC_CREATE, "CREATE");
	add_ioctl(g, F_B_RW, RINGBUS_IOC_CREATE, &v, sizeof(v), ENOTTY, "on a channel node");
	add_ioctl(g, F_Q_RO, RINGBUS_IOC_CREATE, &v, sizeof(v), ENOTTY, "on a channel node");
}

static void g_destroy(void)
{
	const char *g = "DESTROY";
	struct ringbus_name v;

	memset(&v, 0, sizeof(v));
	set_name(v.name, FIX_B);	/* an existing channel: a wrong success destroys it */
	arg_faults(g, F_CTL, RINGBUS_IOC_DESTROY, &v, sizeof(v), 0, 0);
	reserved_words(g, F_CTL, RINGBUS_IOC_DESTROY, &v, sizeof(v),
		       offsetof(struct ringbus_name, reserved), 2, 8, "reserved");
	name_cases(g, RINGBUS_IOC_DESTROY, &v, sizeof(v), ENOENT, 0);
	misencoded(g, F_CTL, RINGBUS_IOC_DESTROY, "DESTROY");
	add_ioctl(g, F_B_RW, RINGBUS_IOC_DESTROY, &v, sizeof(v), ENOTTY, "on a channel node");
}

static void g_list(void)
{
	const char *g = "LIST";
	static const enum ptrk bad[] = { P_NULL, P_LOW, P_UNMAPPED, P_KERNEL, P_NONCANON,
					 P_RDONLY };
	static const uint32_t counts[] = { 1, 2, 64, 0x80000000U, 0xffffffffU };
	struct ringbus_list v;
	struct hcase *c;
	size_t i, j;

	memset(&v, 0, sizeof(v));
	v.count = 0;
	c = add_ioctl(g, F_CTL, RINGBUS_IOC_LIST, &v, sizeof(v), 0, "count 0, names 0: only counts");
	c->check = chk_list;
	arg_faults(g, F_CTL, RINGBUS_IOC_LIST, &v, sizeof(v), 0, 1);
	flag_bits(g, F_CTL, RINGBUS_IOC_LIST, &v, sizeof(v),
		  offsetof(struct ringbus_list, flags), 0, "flags");
	reserved_words(g, F_CTL, RINGBUS_IOC_LIST, &v, sizeof(v),
		       offsetof(struct ringbus_list, reserved), 2, 8, "reserved");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (j = 0; j < sizeof(counts) / sizeof(counts[0]); j++) {
			struct ringbus_list l = v;

			l.count = counts[j];
			c = add_ioctl(g, F_CTL, RINGBUS_IOC_LIST, &l, sizeof(l), EFAULT,
				      "count %#x, names pointing to %s", counts[j],
				      ptrk_names[bad[i]]);
			c->ptroff = offsetof(struct ringbus_list, names);
			c->ptrk = bad[i];
		}
	/* room for one slot before a PROT_NONE page: the second slot faults */
	for (j = 1; j < sizeof(counts) / sizeof(counts[0]); j++) {
		struct ringbus_list l = v;

		l.count = counts[j];
		c = add_ioctl(g, F_CTL, RINGBUS_IOC_LIST, &l, sizeof(l), EFAULT,
			      "count %#x, names with room for 1 slot before PROT_NONE",
			      counts[j]);
		c->ptroff = offsetof(struct ringbus_list, names);
		c->ptrk = P_EDGE;
		c->pedge = RINGBUS_NAME_MAX;
	}
	/* count 0 never touches names */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = add_ioctl(g, F_CTL, RINGBUS_IOC_LIST, &v, sizeof(v), 0,
			      "count 0, names pointing to %s: not touched", ptrk_names[bad[i]]);
		c->ptroff = offsetof(struct ringbus_list, names);
		c->ptrk = bad[i];
		c->check = chk_list;
	}
	for (j = 0; j < sizeof(counts) / sizeof(counts[0]); j++) {
		struct ringbus_list l = v;

		l.count = counts[j];
		c = add_ioctl(g, F_CTL, RINGBUS_IOC_LIST, &l, sizeof(l), 0,
			      "count %#x, names valid: NUL-padded slots, nothing beyond",
			      counts[j]);
		c->ptroff = offsetof(struct ringbus_list, names);
		c->ptrk = P_VALID;
		c->plen = 0;
		c->check = chk_list;
	}
	misencoded(g, F_CTL, RINGBUS_IOC_LIST, "LIST");
	add_ioctl(g, F_B_RW, RINGBUS_IOC_LIST, &v, sizeof(v), ENOTTY, "on a channel node");
}

static void g_info(void)
{
	const char *g = "INFO";
	struct ringbus_info v;
	struct hcase *c;

	memset(&v, 0, sizeof(v));
	set_name(v.name, FIX_B);
	c = add_ioctl(g, F_CTL, RINGBUS_IOC_INFO, &v, sizeof(v), 0,
		      "valid, the output fields filled with 0xa5 on input (ignored)");
	memset(c->arg + RINGBUS_NAME_MAX, FILL,
	       offsetof(struct ringbus_info, reserved0) - RINGBUS_NAME_MAX);
	c->check = chk_info_b;
	c = add_ioctl(g, F_CTL, RINGBUS_IOC_INFO, &v, sizeof(v), 0,
		      "name 'hx-q' followed by NUL and 0xa5 bytes");
	memset(c->arg, FILL, RINGBUS_NAME_MAX);
	memcpy(c->arg, FIX_Q, sizeof(FIX_Q));
	c->check = chk_info_q;
	arg_faults(g, F_CTL, RINGBUS_IOC_INFO, &v, sizeof(v), 0, 1);
	reserved_words(g, F_CTL, RINGBUS_IOC_INFO, &v, sizeof(v),
		       offsetof(struct ringbus_info, reserved0), 1, 4, "reserved0");
	reserved_words(g, F_CTL, RINGBUS_IOC_INFO, &v, sizeof(v),
		       offsetof(struct ringbus_info, reserved), 2, 8, "reserved");
	name_cases(g, RINGBUS_IOC_INFO, &v, sizeof(v), ENOENT, 0);
	misencoded(g, F_CTL, RINGBUS_IOC_INFO, "INFO");
	add_ioctl(g, F_B_RW, RINGBUS_IOC_INFO, &v, sizeof(v), ENOTTY, "on a channel node");
}

static void g_chan_info(void)
{
	const char *g = "CHAN_INFO";
	struct ringbus_info v;
	int f;

	memset(&v, FILL, sizeof(v));
	for (f = F_B_RW; f < F_NFD; f++) {
		struct hcase *c = add_ioctl(g, f, RINGBUS_IOC_CHAN_INFO, &v, sizeof(v), 0,
			      "valid; output zero-padded, no kernel pointers");
		c->check = f <= F_B_WO ? chk_info_b : chk_info_q;
	}
	arg_faults(g, F_B_RW, RINGBUS_IOC_CHAN_INFO, &v, sizeof(v), 1, 0);
	arg_faults(g, F_Q_RO, RINGBUS_IOC_CHAN_INFO, &v, sizeof(v), 1, 0);
	misencoded(g, F_B_RW, RINGBUS_IOC_CHAN_INFO, "CHAN_INFO");
	add_ioctl(g, F_CTL, RINGBUS_IOC_CHAN_INFO, &v, sizeof(v), ENOTTY, "on the control node");
}

static void g_stats(void)
{
	const char *g = "STATS";
	struct ringbus_stats v;
	int f;

	memset(&v, FILL, sizeof(v));
	for (f = F_B_RW; f < F_NFD; f++) {
		struct hcase *c = add_ioctl(g, f, RINGBUS_IOC_STATS, &v, sizeof(v), 0,
			      "valid; output zero-padded, no kernel pointers");
		c->check = chk_stats;
	}
	arg_faults(g, F_B_RO, RINGBUS_IOC_STATS, &v, sizeof(v), 1, 0);
	arg_faults(g, F_Q_WO, RINGBUS_IOC_STATS, &v, sizeof(v), 1, 0);
	misencoded(g, F_B_RW, RINGBUS_IOC_STATS, "STATS");
	add_ioctl(g, F_CTL, RINGBUS_IOC_STATS, &v, sizeof(v), ENOTTY, "on the control node");
}

static void g_flush(void)
{
	const char *g = "FLUSH";

	/* FLUSH itself is valid and changes state; only its misuse is here. */
	misencoded(g, F_B_RW, RINGBUS_IOC_FLUSH, "FLUSH");
	misencoded(g, F_Q_RO, RINGBUS_IOC_FLUSH, "FLUSH");
	add_ioctl(g, F_CTL, RINGBUS_IOC_FLUSH, NULL, 0, ENOTTY, "on the control node");
}

static void g_opts(void)
{
	const char *g = "SET_OPTS/GET_OPTS";
	struct ringbus_fd_opts v;
	struct hcase *c;
	int f;

	memset(&v, 0, sizeof(v));
	arg_faults(g, F_B_RW, RINGBUS_IOC_SET_OPTS, &v, sizeof(v), 0, 0);
	arg_faults(g, F_Q_WO, RINGBUS_IOC_SET_OPTS, &v, sizeof(v), 0, 0);
	flag_bits(g, F_B_RW, RINGBUS_IOC_SET_OPTS, &v, sizeof(v),
		  offsetof(struct ringbus_fd_opts, flags), RINGBUS_FD_HEADERS, "SET_OPTS flags");
	flag_bits(g, F_Q_RO, RINGBUS_IOC_SET_OPTS, &v, sizeof(v),
		  offsetof(struct ringbus_fd_opts, flags), RINGBUS_FD_HEADERS, "SET_OPTS flags");
	reserved_words(g, F_B_RW, RINGBUS_IOC_SET_OPTS, &v, sizeof(v),
		       offsetof(struct ringbus_fd_opts, reserved), 1, 4, "SET_OPTS reserved");
	/* a valid flag with a bad reserved: nothing is set */
	c = add_ioctl(g, F_B_RW, RINGBUS_IOC_SET_OPTS, &v, sizeof(v), EINVAL,
		      "SET_OPTS HEADERS with reserved 1 (HEADERS not set)");
	((struct ringbus_fd_opts *)c->arg)->flags = RINGBUS_FD_HEADERS;
	((struct ringbus_fd_opts *)c->arg)->reserved = 1;
	c = add_ioctl(g, F_B_RW, RINGBUS_IOC_SET_OPTS, &v, sizeof(v), EINVAL,
		      "SET_OPTS HEADERS | bit 31 (HEADERS not set)");
	((struct ringbus_fd_opts *)c->arg)->flags = RINGBUS_FD_HEADERS | 0x80000000U;
	add_ioctl(g, F_B_RW, RINGBUS_IOC_SET_OPTS, &v, sizeof(v), 0,
		      "SET_OPTS 0 (valid, no change)");
	for (f = F_B_RW; f < F_NFD; f++) {
		memset(&v, FILL, sizeof(v));
		c = add_ioctl(g, f, RINGBUS_IOC_GET_OPTS, &v, sizeof(v), 0,
			      "GET_OPTS valid; reserved zero");
		c->check = chk_opts;
	}
	memset(&v, 0, sizeof(v));
	arg_faults(g, F_B_RW, RINGBUS_IOC_GET_OPTS, &v, sizeof(v), 1, 0);
	misencoded(g, F_B_RW, RINGBUS_IOC_SET_OPTS, "SET_OPTS");
	misencoded(g, F_B_RW, RINGBUS_IOC_GET_OPTS, "GET_OPTS");
	add_ioctl(g, F_CTL, RINGBUS_IOC_SET_OPTS, &v, sizeof(v), ENOTTY, "SET_OPTS on the control node");
	add_ioctl(g, F_CTL, RINGBUS_IOC_GET_OPTS, &v, sizeof(v), ENOTTY, "GET_OPTS on the control node");
}

/* The struct checks shared by both batch ioctls. */
static void batch_struct_cases(const char *g, enum fdk fdk, unsigned long cmd,
			       const struct ringbus_batch *v)
{
	static const uint64_t vals[] = { 1, 8, 0x80000000ULL, 0x8000000000000000ULL };
	struct hcase *c;
	size_t i;

	arg_faults(g, fdk, cmd, v, sizeof(*v), 0, 1);
	flag_bits(g, fdk, cmd, v, sizeof(*v), offsetof(struct ringbus_batch, flags), 0, "flags");
	reserved_words(g, fdk, cmd, v, sizeof(*v), offsetof(struct ringbus_batch, reserved),
		       1, 4, "reserved");
	for (i = 0; i < 4; i++) {
		struct ringbus_batch b = *v;

		if (vals[i] <= 0xffffffffULL) {
			b.count = (uint32_t)vals[i];
			c = add_ioctl(g, fdk, cmd, &b, sizeof(b), EINVAL, "count (output) %#llx on input",
				      (unsigned long long)vals[i]);
			c->ptroff = offsetof(struct ringbus_batch, buf);
			c->ptrk = P_VALID;
			c->plen = 64;
			b.count = 0;
		}
		b.bytes = vals[i];
		c = add_ioctl(g, fdk, cmd, &b, sizeof(b), EINVAL, "bytes (output) %#llx on input",
			      (unsigned long long)vals[i]);
		c->ptroff = offsetof(struct ringbus_batch, buf);
		c->ptrk = P_VALID;
		c->plen = 64;
	}
}

static void g_read_batch(void)
{
	const char *g = "READ_BATCH";
	static const enum ptrk bad[] = { P_NULL, P_LOW, P_UNMAPPED, P_KERNEL, P_NONCANON,
					 P_RDONLY };
	static const uint64_t lens[] = { 1, 32, 4096, 0x7fffffffULL, 0xffffffffULL,
					 1ULL << 32, 1ULL << 63, ~0ULL };
	struct ringbus_batch v, b;
	struct hcase *c;
	size_t i, j;
	int f;

	memset(&v, 0, sizeof(v));
	v.buf_len = 4096;
	batch_struct_cases(g, F_B_RW, RINGBUS_IOC_READ_BATCH, &v);
	batch_struct_cases(g, F_Q_RW, RINGBUS_IOC_READ_BATCH, &v);
	for (f = F_B_RW; f <= F_Q_RW; f += F_Q_RW - F_B_RW) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
				b = v;
				b.buf_len = lens[j];
				/* a buf_len too small for the first record is
				 * EMSGSIZE before buf is touched */
				c = add_ioctl(g, f, RINGBUS_IOC_READ_BATCH, &b, sizeof(b),
					      lens[j] < 37 ? EMSGSIZE : EFAULT,
					      "buf_len %#llx, buf pointing to %s",
					      (unsigned long long)lens[j], ptrk_names[bad[i]]);
				c->ptroff = offsetof(struct ringbus_batch, buf);
				c->ptrk = bad[i];
			}
		/* the header fits before PROT_NONE, the payload does not */
		for (j = 0; j < 3; j++) {
			static const size_t edge[] = { 8, 32, 36 };

			b = v;
			c = add_ioctl(g, f, RINGBUS_IOC_READ_BATCH, &b, sizeof(b), EFAULT,
				      "buf_len 4096, buf with %zu bytes before PROT_NONE", edge[j]);
			c->ptroff = offsetof(struct ringbus_batch, buf);
			c->ptrk = P_EDGE;
			c->pedge = edge[j];
		}
		/* too small for the first record: EMSGSIZE, record kept */
		for (j = 0; j < 4; j++) {
			static const uint64_t small[] = { 0, 1, 32, 36 };

			b = v;
			b.buf_len = small[j];
			c = add_ioctl(g, f, RINGBUS_IOC_READ_BATCH, &b, sizeof(b), EMSGSIZE,
				      "buf_len %llu (less than header + first record)",
				      (unsigned long long)small[j]);
			c->ptroff = offsetof(struct ringbus_batch, buf);
			c->ptrk = P_VALID;
			c->plen = 64;
		}
		/* huge max_records changes nothing but the limit */
	}
	/* not open for reading */
	for (f = F_B_WO; f <= F_Q_WO; f += F_Q_WO - F_B_WO) {
		b = v;
		c = add_ioctl(g, f, RINGBUS_IOC_READ_BATCH, &b, sizeof(b), EBADF,
			      "on a file not open for reading");
		c->ptroff = offsetof(struct ringbus_batch, buf);
		c->ptrk = P_VALID;
		c->plen = 64;
	}
	/* success: both records, headers zero-padded, padding not written */
	for (f = F_B_RW; f <= F_Q_RW; f += F_Q_RW - F_B_RW) {
		b = v;
		b.max_records = 0xffffffffU;
		c = add_ioctl(g, f, RINGBUS_IOC_READ_BATCH, &b, sizeof(b), 0,
			      "valid, max_records 0xffffffff: 2 records, padding untouched");
		c->ptroff = offsetof(struct ringbus_batch, buf);
		c->ptrk = P_VALID;
		c->plen = 256;
		memset(c->pdata, FILL, c->plen);
		c->check = chk_read_batch;
		c->changes = 1;
	}
	misencoded(g, F_B_RW, RINGBUS_IOC_READ_BATCH, "READ_BATCH");
	add_ioctl(g, F_CTL, RINGBUS_IOC_READ_BATCH, &v, sizeof(v), ENOTTY, "on the control node");
}

static void wb_record(struct hcase *c, uint32_t len, uint32_t zero, size_t plen)
{
	memset(c->pdata, 'w', sizeof(c->pdata));
	memcpy(c->pdata, &len, 4);
	memcpy(c->pdata + 4, &zero, 4);
	c->plen = plen;
	c->ptroff = offsetof(struct ringbus_batch, buf);
	c->ptrk = P_VALID;
}

static void g_write_batch(void)
{
	const char *g = "WRITE_BATCH";
	static const enum ptrk bad[] = { P_NULL, P_LOW, P_UNMAPPED, P_KERNEL, P_NONCANON };
	static const uint64_t lens[] = { 8, 16, 4096, 0xffffffffULL, 1ULL << 63, ~0ULL };
	struct ringbus_batch v, b;
	struct hcase *c;
	size_t i, j;
	int f;

	memset(&v, 0, sizeof(v));
	v.buf_len = 16;
	batch_struct_cases(g, F_B_RW, RINGBUS_IOC_WRITE_BATCH, &v);
	batch_struct_cases(g, F_Q_WO, RINGBUS_IOC_WRITE_BATCH, &v);
	for (f = F_B_RW; f <= F_Q_RW; f += F_Q_RW - F_B_RW) {
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
				b = v;
				b.buf_len = lens[j];
				c = add_ioctl(g, f, RINGBUS_IOC_WRITE_BATCH, &b, sizeof(b), EFAULT,
					      "buf_len %#llx, buf pointing to %s",
					      (unsigned long long)lens[j], ptrk_names[bad[i]]);
				c->ptroff = offsetof(struct ringbus_batch, buf);
				c->ptrk = bad[i];
			}
		/* record header readable, payload behind PROT_NONE */
		b = v;
		c = add_ioctl(g, f, RINGBUS_IOC_WRITE_BATCH, &b, sizeof(b), EFAULT,
			      "record length 8, payload behind PROT_NONE");
		c->ptroff = offsetof(struct ringbus_batch, buf);
		c->ptrk = P_EDGE;
		c->pedge = 8;
		memcpy(c->pdata, &(uint32_t){ 8 }, 4);
		/* header half readable */
		c = add_ioctl(g, f, RINGBUS_IOC_WRITE_BATCH, &b, sizeof(b), EFAULT,
			      "record header half before PROT_NONE");
		c->ptroff = offsetof(struct ringbus_batch, buf);
		c->ptrk = P_EDGE;
		c->pedge = 4;
		memcpy(c->pdata, &(uint32_t){ 8 }, 4);
		/* malformed records */
		c = add_ioctl(g, f, RINGBUS_IOC_WRITE_BATCH, &b, sizeof(b), EINVAL, "record length 0");
		wb_record(c, 0, 0, 16);
		for (j = 0; j < 32; j += 7) {
			c = add_ioctl(g, f, RINGBUS_IOC_WRITE_BATCH, &b, sizeof(b), EINVAL,
				      "record's second word with bit %zu", j);
			wb_record(c, 4, 1U << j, 16);
		}
		c = add_ioctl(g, f, RINGBUS_IOC_WRITE_BATCH, &b, sizeof(b), EINVAL,
			      "record length 9 running past buf_len 16");
		wb_record(c, 9, 0, 16);
		c = add_ioctl(g, f, RINGBUS_IOC_WRITE_BATCH, &b, sizeof(b), EINVAL,
			      "record length 0xffffffff, buf_len 16");
		wb_record(c, 0xffffffffU, 0, 16);
		b.buf_len = 8 + FIX_MAXREC + 1;
		c = add_ioctl(g, f, RINGBUS_IOC_WRITE_BATCH, &b, sizeof(b), EMSGSIZE,
			      "record length max_record + 1");
		wb_record(c, FIX_MAXREC + 1, 0, 8 + FIX_MAXREC + 1);
		/* buf_len is taken as at most MAX_RW_COUNT (2 GiB - 4 KiB), as
		 * read() and READ_BATCH take theirs: these lengths run past it. */
		b.buf_len = 0x7fffffffULL;
		c = add_ioctl(g, f, RINGBUS_IOC_WRITE_BATCH, &b, sizeof(b), EINVAL,
			      "record length 0x7ffffff0, buf_len 0x7fffffff");
		wb_record(c, 0x7ffffff0U, 0, 64);
		b.buf_len = ~0ULL;
		c = add_ioctl(g, f, RINGBUS_IOC_WRITE_BATCH, &b, sizeof(b), EINVAL,
			      "record length 0xffffffff, buf_len ~0");
		wb_record(c, 0xffffffffU, 0, 64);
		/* fewer than 8 bytes: no record, success with count 0 */
		for (j = 0; j < 8; j += 7) {
			b = v;
			b.buf_len = j;
			c = add_ioctl(g, f, RINGBUS_IOC_WRITE_BATCH, &b, sizeof(b), 0,
				      "buf_len %zu: no record, count 0", j);
			wb_record(c, 4, 0, 16);
			c->check = chk_write_batch_empty;
		}
		b = v;
		b.buf_len = 0;
		c = add_ioctl(g, f, RINGBUS_IOC_WRITE_BATCH, &b, sizeof(b), 0,
			      "buf_len 0, buf NULL: count 0");
		c->ptroff = offsetof(struct ringbus_batch, buf);
		c->ptrk = P_NULL;
		c->check = chk_write_batch_empty;
	}
	for (f = F_B_RO; f <= F_Q_RO; f += F_Q_RO - F_B_RO) {
		b = v;
		c = add_ioctl(g, f, RINGBUS_IOC_WRITE_BATCH, &b, sizeof(b), EBADF,
			      "on a file not open for writing");
		wb_record(c, 4, 0, 16);
	}
	misencoded(g, F_B_RW, RINGBUS_IOC_WRITE_BATCH, "WRITE_BATCH");
	add_ioctl(g, F_CTL, RINGBUS_IOC_WRITE_BATCH, &v, sizeof(v), ENOTTY, "on the control node");
}

static void g_unknown(void)
{
	const char *g = "UNKNOWN";
	static const struct { unsigned long cmd; const char *name; } foreign[] = {
		{ TCGETS, "TCGETS" },
		{ TIOCGWINSZ, "TIOCGWINSZ" },
		{ TIOCGPGRP, "TIOCGPGRP" },
		{ FIONREAD, "FIONREAD" },
		{ BLKGETSIZE64, "BLKGETSIZE64" },
		{ BLKSSZGET, "BLKSSZGET" },
		{ BLKFLSBUF, "BLKFLSBUF" },
		{ _IOR('V', 0, char[104]), "VIDIOC_QUERYCAP" },
		{ _IOWR('d', 0, char[64]), "DRM_IOCTL_VERSION-like" },
		{ _IO(0xAE, 0), "KVM_GET_API_VERSION" },
		{ 0, "command 0" },
		{ 0xffffffffUL, "command 0xffffffff" },
		{ 0xBB00, "magic 0xBB, nr 0, no dir/size" },
	};
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
					     _IOC_READ | _IOC_WRITE };
	static const unsigned int nrs[] = { 0x05, 0x06, 0x0f, 0x17, 0x18, 0x20, 0x7e, 0x80, 0xff };
	int f;
	size_t i, d;

	for (f = F_CTL; f <= F_Q_RO; f += F_Q_RO) {
		for (i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++)
			add_ioctl(g, f, foreign[i].cmd, NULL, 0, ENOTTY, "%s", foreign[i].name);
		for (i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
			for (d = 0; d < 4; d++)
				add_ioctl(g, f, _IOC(dirs[d], RINGBUS_IOC_MAGIC, nrs[i], 40), NULL, 0,
					  ENOTTY, "magic 0xBB nr %#x dir %u size 40", nrs[i], dirs[d]);
	}
	/* the other node kind's commands */
	add_ioctl(g, F_CTL, RINGBUS_IOC_READ_BATCH, NULL, 0, ENOTTY, "READ_BATCH on control, arg NULL");
	add_ioctl(g, F_B_WO, RINGBUS_IOC_DESTROY, NULL, 0, ENOTTY, "DESTROY on a channel, arg NULL");
}

static void g_fops(void)
{
	const char *g = "FOPS";
	static const size_t huge[] = { 0x7ffff000UL, 0x7fffffffUL, 0x80000000UL, 0xffffffffUL };
	struct hcase *c;
	size_t i;
	int f;

	/* the control node has no read/write/llseek/mmap */
	c = add(g, OP_READ, F_CTL, 0, EINVAL, "read 64 bytes");
	c->len = 64;
	add(g, OP_READ, F_CTL, 0, EINVAL, "read 0 bytes");
	c = add(g, OP_WRITE, F_CTL, 0, EINVAL, "write 64 bytes");
	c->len = 64;
	add(g, OP_WRITE, F_CTL, 0, EINVAL, "write 0 bytes");
	c = add(g, OP_READ, F_CTL, 0, EINVAL, "read 64 bytes into NULL");
	c->argk = A_NULL;
	c->len = 64;
	add(g, OP_LSEEK, F_CTL, 0, ESPIPE, "lseek 0 SEEK_SET");
	c = add(g, OP_PREAD, F_CTL, 0, ESPIPE, "pread 8 bytes");
	c->len = 8;
	c = add(g, OP_PWRITE, F_CTL, 0, ESPIPE, "pwrite 8 bytes");
	c->len = 8;
	c = add(g, OP_MMAP, F_CTL, 0, ENODEV, "mmap PROT_READ");
	c->len = PROT_READ;

	/* write() to the fixtures */
	for (f = F_B_RW; f <= F_Q_RW; f += F_Q_RW - F_B_RW) {
		add(g, OP_WRITE, f, 0, EINVAL, "write 0 bytes");
		c = add(g, OP_WRITE, f, 0, EINVAL, "write 0 bytes from NULL");
		c->argk = A_NULL;
		c = add(g, OP_WRITE, f, 0, EMSGSIZE, "write max_record + 1 bytes");
		c->len = FIX_MAXREC + 1;
		c = add(g, OP_WRITE, f, 0, EMSGSIZE, "write max_record + 1 bytes from NULL (length first)");
		c->len = FIX_MAXREC + 1;
		c->argk = A_NULL;
		for (i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
			c = add(g, OP_WRITE, f, 0, EMSGSIZE, "write %#zx bytes", huge[i]);
			c->len = huge[i];
			c->argk = A_RDONLY;
		}
		c = add(g, OP_WRITE, f, 0, EFAULT, "write 1 byte from NULL");
		c->argk = A_NULL;
		c->len = 1;
		c = add(g, OP_WRITE, f, 0, EFAULT, "write max_record bytes from an unmapped page");
		c->argk = A_UNMAPPED;
		c->len = FIX_MAXREC;
		c = add(g, OP_WRITE, f, 0, EFAULT, "write max_record bytes from a kernel address");
		c->argk = A_KERNEL;
		c->len = FIX_MAXREC;
		c = add(g, OP_WRITE, f, 0, EFAULT, "write max_record bytes straddling PROT_NONE");
		c->argk = A_STRADDLE;
		c->argsz = FIX_MAXREC;	/* FIX_MAXREC - 1 readable bytes */
		c->len = FIX_MAXREC;
		c = add(g, OP_PWRITE, f, 0, ESPIPE, "pwrite 8 bytes at 0");
		c->len = 8;
		c = add(g, OP_MMAP, f, 0, ENODEV, "mmap PROT_READ");
		c->len = PROT_READ;
		c = add(g, OP_MMAP, f, 0, ENODEV, "mmap PROT_READ|PROT_WRITE");
		c->len = PROT_READ | PROT_WRITE;
	}
	for (f = F_B_RO; f <= F_Q_RO; f += F_Q_RO - F_B_RO) {
		c = add(g, OP_WRITE, f, 0, EBADF, "write 4 bytes to an O_RDONLY file");
		c->len = 4;
		c = add(g, OP_READ, f + 1, 0, EBADF, "read from an O_WRONLY file");
		c->len = 64;
	}
	/* read() from the fixtures: the record stays */
	for (f = F_B_RW; f <= F_Q_RW; f += F_Q_RW - F_B_RW) {
		static const size_t small[] = { 0, 1, 4 };

		for (i = 0; i < 3; i++) {
			c = add(g, OP_READ, f, 0, EMSGSIZE, "read %zu bytes (record is 5)", small[i]);
			c->len = small[i];
		}
		c = add(g, OP_READ, f, 0, EFAULT, "read 64 bytes into NULL");
		c->argk = A_NULL;
		c->len = 64;
		c = add(g, OP_READ, f, 0, EFAULT, "read 64 bytes into an unmapped page");
		c->argk = A_UNMAPPED;
		c->len = 64;
		c = add(g, OP_READ, f, 0, EFAULT, "read 64 bytes into a kernel address");
		c->argk = A_KERNEL;
		c->len = 64;
		c = add(g, OP_READ, f, 0, EFAULT, "read 64 bytes into a read-only page");
		c->argk = A_RDONLY;
		c->len = 64;
		for (i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
			c = add(g, OP_READ, f, 0, EFAULT, "read %#zx bytes into a read-only page", huge[i]);
			c->argk = A_RDONLY;
			c->len = huge[i];
		}
		c = add(g, OP_READ, f, 0, EFAULT, "read 64 bytes, 4 before PROT_NONE");
		c->argk = A_STRADDLE;
		c->argsz = 5;
		c->len = 64;
		c = add(g, OP_PREAD, f, 0, ESPIPE, "pread 64 bytes at 0");
		c->len = 64;
	}
	/* lseek */
	for (i = 0; i < 7; i++) {
		static const struct { long off; int whence; int werr_b, werr_q; } s[] = {
			{ 1, SEEK_SET, EINVAL, EINVAL }, { -1, SEEK_END, EINVAL, EINVAL },
			{ 0, SEEK_CUR, 0, ESPIPE }, { 0, SEEK_DATA, EINVAL, ESPIPE },
			{ 0, SEEK_HOLE, EINVAL, ESPIPE }, { 0x7fffffffL, SEEK_SET, EINVAL, EINVAL },
			{ 0, 7, EINVAL, EINVAL },	/* whence > SEEK_MAX: the VFS */
		};
		c = add(g, OP_LSEEK, F_B_RW, 0, s[i].werr_b, "lseek %ld whence %d", s[i].off, s[i].whence);
		c->off = s[i].off;
		c->whence = s[i].whence;
		c = add(g, OP_LSEEK, F_Q_RW, 0, s[i].werr_q, "lseek %ld whence %d", s[i].off, s[i].whence);
		c->off = s[i].off;
		c->whence = s[i].whence;
	}
	add(g, OP_LSEEK, F_Q_RO, 0, ESPIPE, "lseek 0 SEEK_SET on a queue");
	/* successes that change state: each followed by a fresh fixture */
	c = add(g, OP_WRITE, F_B_RW, 0, 0, "write max_record bytes (the largest record)");
	c->len = FIX_MAXREC;
	c->want_ret = FIX_MAXREC;
	c->check = chk_written;
	c->changes = 1;
	c = add(g, OP_WRITE, F_Q_WO, 0, 0, "write 1 byte (the smallest record)");
	c->len = 1;
	c->want_ret = 1;
	c->check = chk_written;
	c->changes = 1;
}

/* read() with headers: header reserved zero, nothing written beyond. */
static const char *leak_read_headers(void)
{
	struct ringbus_fd_opts o = { .flags = RINGBUS_FD_HEADERS };
	int fd = chan_open(FIX_B, O_RDONLY | O_NONBLOCK);
	struct hcase c;
	const char *r;
	ssize_t n;

	memset(&c, 0, sizeof(c));
	c.len = 256;
	if (ioctl(fd, RINGBUS_IOC_SET_OPTS, &o))
		return "SET_OPTS";
	memset(scratch, FILL, 512);
	n = read(fd, scratch, 256);
	r = n < 0 ? "read failed" : chk_read_hdr(&c, n, scratch, NULL);
	close(fd);
	return r;
}

static void run_leak_extra(void)
{
	const char *r = leak_read_headers();

	n_run++;
	if (r) {
		n_failed++;
		printf("case %lu LEAK [bcast O_RDONLY] read with RINGBUS_FD_HEADERS: FAIL: %s\n",
		       ++cur_line, r);
	} else if (verbose) {
		printf("case %lu LEAK [bcast O_RDONLY] read with RINGBUS_FD_HEADERS: header reserved zero, nothing beyond: success ok\n",
		       ++cur_line);
	}
}

static const struct {
	const char *name;
	void (*gen)(void);
} groups[] = {
	{ "version", g_version },
	{ "create", g_create },
	{ "destroy", g_destroy },
	{ "list", g_list },
	{ "info", g_info },
	{ "chan_info", g_chan_info },
	{ "stats", g_stats },
	{ "flush", g_flush },
	{ "opts", g_opts },
	{ "read_batch", g_read_batch },
	{ "write_batch", g_write_batch },
	{ "unknown", g_unknown },
	{ "fops", g_fops },
};

/* --- unprivileged checks ------------------------------------------------- */

static int usage(void)
{
	fprintf(stderr,
		"usage: rb-hostile run [GROUP...]\n"
		"       rb-hostile groups\n"
		"       rb-hostile count\n"
		"       rb-hostile expect ERRNO OP NAME [ARG]\n"
		"  ERRNO: 0 or EPERM, EACCES, ...; OP: open-r, open-w, open-rw, open-ctl,\n"
		"  (NAME a channel, or the path of a node when it has a slash)\n"
		"  create [PERM [GID]], create-cap BYTES, create-uid UID, create-gid GID,\n"
		"  destroy, flush,\n"
		"  chmod MODE, chown UID, info\n"
		);
	return 2;
}

static int expect(int argc, char **argv)
{
	int want, ret, fd, err;
	const char *op, *name;
	char path[256];

	if (argc < 5)
		return usage();
	want = errno_of(argv[2]);
	op = argv[3];
	name = argv[4];
	/* A NAME with a slash is a node's path (one made with mknod). */
	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/dev/ringbus/%s", name);
	errno = 0;
	if (!strcmp(op, "open-r") || !strcmp(op, "open-w") || !strcmp(op, "open-rw") ||
	    !strcmp(op, "open-ctl")) {
		int fl = op[5] == 'r' && op[6] == 'w' ? O_RDWR : op[5] == 'w' ? O_WRONLY :
			 op[5] == 'c' ? O_RDWR : O_RDONLY;

		fd = open(op[5] == 'c' ? CONTROL : path, fl | O_NONBLOCK);
		ret = fd < 0 ? -1 : 0;
		err = errno;
		if (fd >= 0)
			close(fd);
	} else if (!strcmp(op, "flush")) {
		fd = open(path, O_RDONLY | O_NONBLOCK);
		if (fd < 0) {
			printf("expect: open %s: %s\n", path, strerror(errno));
			return 1;
		}
		ret = ioctl(fd, RINGBUS_IOC_FLUSH);
		err = errno;
		close(fd);
	} else if (!strcmp(op, "chmod")) {
		ret = chmod(path, (mode_t)strtoul(argc > 5 ? argv[5] : "0666", NULL, 8));
		err = errno;
	} else if (!strcmp(op, "chown")) {
		ret = chown(path, (uid_t)strtoul(argc > 5 ? argv[5] : "0", NULL, 0), (gid_t)-1);
		err = errno;
	} else {
		struct ringbus_create c;
		struct ringbus_info in;

		fd = open(CONTROL, O_RDWR);
		if (fd < 0) {
			printf("expect: open %s: %s\n", CONTROL, strerror(errno));
			return 1;
		}
		memset(&c, 0, sizeof(c));
		set_name(c.name, name);
		if (!strcmp(op, "create")) {
			c.flags = RINGBUS_CREATE_PERM;
			c.perm = argc > 5 ? (uint32_t)strtoul(argv[5], NULL, 8) : 0600;
			if (argc > 6) {
				c.flags |= RINGBUS_CREATE_GID;
				c.gid = (uint32_t)strtoul(argv[6], NULL, 0);
			}
			ret = ioctl(fd, RINGBUS_IOC_CREATE, &c);
		} else if (!strcmp(op, "create-cap") && argc > 5) {
			c.capacity = strtoull(argv[5], NULL, 0);
			ret = ioctl(fd, RINGBUS_IOC_CREATE, &c);
		} else if (!strcmp(op, "create-uid") && argc > 5) {
			c.flags = RINGBUS_CREATE_UID;
			c.uid = (uint32_t)strtoul(argv[5], NULL, 0);
			ret = ioctl(fd, RINGBUS_IOC_CREATE, &c);
		} else if (!strcmp(op, "create-gid") && argc > 5) {
			c.flags = RINGBUS_CREATE_GID;
			c.gid = (uint32_t)strtoul(argv[5], NULL, 0);
			ret = ioctl(fd, RINGBUS_IOC_CREATE, &c);
		} else if (!strcmp(op, "destroy")) {
			struct ringbus_name n;

			memset(&n, 0, sizeof(n));
			set_name(n.name, name);
			ret = ioctl(fd, RINGBUS_IOC_DESTROY, &n);
		} else if (!strcmp(op, "info")) {
			memset(&in, 0, sizeof(in));
			set_name(in.name, name);
			ret = ioctl(fd, RINGBUS_IOC_INFO, &in);
		} else {
			close(fd);
			return usage();
		}
		err = errno;
		close(fd);
	}
	if ((want == 0 && ret == 0) || (want && ret == -1 && err == want)) {
		printf("ok: uid %u %s %s: %s\n", getuid(), op, name, errname(want));
		return 0;
	}
	printf("FAIL: uid %u %s %s: returned %d %s, want %s\n", getuid(), op, name, ret,
	       ret ? errname(err) : "", errname(want));
	return 1;
}

int main(int argc, char **argv)
{
	size_t i, g0, first;
	int a;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "groups")) {
		for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
			printf("%s\n", groups[i].name);
		return 0;
	}
	if (!strcmp(argv[1], "expect"))
		return expect(argc, argv);
	if (!strcmp(argv[1], "count")) {
		/* the table without running it: cases per group */
		size_t total = 0;

		for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
			first = ncases;
			groups[i].gen();
			printf("%-12s %zu\n", groups[i].name,
			       ncases - first + !strcmp(groups[i].name, "fops"));
			total += ncases - first + !strcmp(groups[i].name, "fops");
		}
		printf("%-12s %zu\n", "total", total);
		return 0;
	}
	if (strcmp(argv[1], "run"))
		return usage();
	if (getenv("RB_HOSTILE_QUIET"))
		verbose = 0;
	/* A misspelt group would otherwise run nothing and pass. */
	for (a = 2; a < argc; a++) {
		for (g0 = 0; g0 < sizeof(groups) / sizeof(groups[0]); g0++)
			if (!strcmp(argv[a], groups[g0].name))
				break;
		if (g0 == sizeof(groups) / sizeof(groups[0])) {
			fprintf(stderr, "rb-hostile: unknown group '%s' (rb-hostile groups lists them)\n",
				argv[a]);
			return 2;
		}
	}
	setup_memory();
	fixture_up();
	for (g0 = 0; g0 < sizeof(groups) / sizeof(groups[0]); g0++) {
		unsigned long run0 = n_run, failed0 = n_failed;

		int selected = argc == 2;

		for (a = 2; a < argc; a++)
			if (!strcmp(argv[a], groups[g0].name))
				selected = 1;
		if (!selected)
			continue;
		first = ncases;
		groups[g0].gen();
		for (i = first; i < ncases; i++)
			run_case(&cases[i]);
		if (!strcmp(groups[g0].name, "fops"))
			run_leak_extra();
		printf("group %s: %lu cases, %lu failed\n", groups[g0].name,
		       n_run - run0, n_failed - failed0);
	}
	fixture_down();
	printf("total: %lu cases, %lu failed\n", n_run, n_failed);
	return n_failed ? 1 : 0;
}
