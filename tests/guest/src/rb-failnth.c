// SPDX-License-Identifier: GPL-2.0-only
/*
 * rb-failnth OP [FIRST [STEP]] - systematic fault injection into one
 * ringbus operation (the debug kernel: CONFIG_FAULT_INJECTION, failslab).
 *
 * For N = FIRST, FIRST + STEP, ... it writes N to /proc/thread-self/fail-nth,
 * so that the Nth injectable call of the next system call made by this
 * thread fails, makes the operation once, and reads fail-nth back: not yet
 * zero means the operation made fewer than N injectable calls, and the run
 * ends.  Every injected failure must end in one of two ways:
 *
 *  - the operation fails with ENOMEM (or the errno the ABI documents for
 *    it), and leaves nothing behind: no channel, node or sysfs directory it
 *    would have made, no record it would have written, the module not
 *    loaded;
 *  - the operation succeeds anyway (the kernel tolerates some failures:
 *    a uevent not sent), and then completely.
 *
 * Afterwards a plain create, write, read and destroy must work.  The
 * failslab knobs (ignore-gfp-wait N, verbose 0) are the caller's: see
 * tests/guest/t/68-faults.sh.  Prints one line per N and a summary:
 *   rb-failnth: OP: S sites, F failed (ENOMEM), T tolerated
 * Exit status 0 when every case held, 1 otherwise, 2 on a usage error.
 *
 * OP: create, destroy, open, write, batch, read, list (channel operations
 * on /dev/ringbus/...), load-core (finit_module of ringbus.ko with no
 * ringbus module loaded), load-cdev (ringbus_cdev.ko with the core loaded).
 * The module ops take the .ko path in RB_KO and its parameters in
 * RB_KO_PARAMS.
 *
 * rb-failnth --count OP makes OP once with nothing injected and prints the
 * number of injectable calls it made, whatever its result: with
 * parameters that make a module's init fail at once, where the loader's
 * own calls end and the module's begin.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/ringbus.h>

#define CONTROL "/dev/ringbus/control"
#define NAME "fi-chan"
#define NRECS 16

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

enum op { OP_CREATE, OP_DESTROY, OP_OPEN, OP_WRITE, OP_BATCH, OP_READ, OP_LIST,
	  OP_LOAD_CORE, OP_LOAD_CDEV, OP_N };
static const char *const op_names[OP_N] = {
	"create", "destroy", "open", "write", "batch", "read", "list",
	"load-core", "load-cdev",
};
static const char *op;	/* op_names[kind] */
static enum op kind;
static int count_only;
static int nth_fd = -1;
static int violations;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rb-failnth: %s: ", op ? op : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void violation(unsigned int n, const char *fmt, ...)
{
	va_list ap;

	printf("VIOLATION n=%u: ", n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	violations++;
}

/* Arm: the Nth injectable call of this thread's next system calls fails. */
static void arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(nth_fd, buf, len, 0) != len)
		die("write fail-nth: %s", strerror(errno));
}

/*
 * Disarm; returns what was left of the armed count: 0 when the armed
 * failure was injected.
 */
static unsigned int disarm(void)
{
	char buf[16] = "";
	ssize_t r = pread(nth_fd, buf, sizeof(buf) - 1, 0);

	if (r < 0)
		die("read fail-nth: %s", strerror(errno));
	if (pwrite(nth_fd, "0", 1, 0) != 1)
		die("write fail-nth: %s", strerror(errno));
	return (unsigned int)strtoul(buf, NULL, 10);
}

static int ctl(void)
{
	int fd = open(CONTROL, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", CONTROL, strerror(errno));
	return fd;
}

static int do_create(int cfd, const char *name)
{
	struct ringbus_create c;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.capacity = 65536;
	return ioctl(cfd, RINGBUS_IOC_CREATE, &c);
}

static int do_destroy(int cfd, const char *name)
{
	struct ringbus_name nm;

	memset(&nm, 0, sizeof(nm));
	snprintf(nm.name, sizeof(nm.name), "%s", name);
	return ioctl(cfd, RINGBUS_IOC_DESTROY, &nm);
}

/* The channel as sysfs and the registry see it: 1 there, 0 gone. */
static int channel_exists(const char *name)
{
	char path[128];
	struct ringbus_info info;
	int cfd = ctl(), r;

	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "%s", name);
	r = ioctl(cfd, RINGBUS_IOC_INFO, &info);
	close(cfd);
	snprintf(path, sizeof(path), "/sys/class/ringbus/%s", name);
	if ((r == 0) != (access(path, F_OK) == 0))
		die("%s: the registry says %s, sysfs %s", name, r == 0 ? "yes" : "no",
		    access(path, F_OK) == 0 ? "yes" : "no");
	return r == 0;
}

static unsigned long long records_of(const char *name)
{
	char path[128];
	unsigned long long n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/ringbus/%s/last_seq", name);
	f = fopen(path, "re");
	if (!f || fscanf(f, "%llu", &n) != 1)
		die("read %s", path);
	fclose(f);
	return n;
}

static int module_loaded(const char *mod)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", mod);
	return access(path, F_OK) == 0;
}

/* Wait (10 s at most) until a node exists or is gone: devtmpfs is async. */
static int node_settles(const char *name, int want)
{
	char path[128];
	int i;

	snprintf(path, sizeof(path), "/dev/ringbus/%s", name);
	for (i = 0; i < 1000; i++) {
		if ((access(path, F_OK) == 0) == want)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* One injected run of OP with the failure at N; 1 when N was reached. */
static int one(unsigned int n, int *failed, int *tolerated)
{
	int cfd = -1, fd = -1, r, err, hit, mfd = -1, mflags = 0;
	unsigned int left;
	unsigned long long before = 0;
	char payload[100], buf[4096], names[64 * RINGBUS_NAME_MAX];
	struct ringbus_batch b;
	struct ringbus_list l;
	const char *ko = getenv("RB_KO"), *params = getenv("RB_KO_PARAMS");

	memset(payload, 'f', sizeof(payload));
	/* Set up, outside the injection window. */
	if (kind >= OP_LOAD_CORE) {
		if (!ko)
			die("RB_KO names no .ko");
		mfd = open(ko, O_RDONLY | O_CLOEXEC);
		if (mfd < 0)
			die("open %s: %s", ko, strerror(errno));
		if (strlen(ko) > 3 && !strcmp(ko + strlen(ko) - 3, ".xz"))
			mflags = MODULE_INIT_COMPRESSED_FILE;
	} else {
		cfd = ctl();
		if (kind != OP_CREATE && kind != OP_LIST) {
			if (do_create(cfd, NAME))
				die("create %s: %s", NAME, strerror(errno));
			if (!node_settles(NAME, 1))
				die("no /dev/ringbus/%s", NAME);
		}
		if (kind == OP_WRITE || kind == OP_BATCH || kind == OP_READ) {
			fd = open("/dev/ringbus/" NAME, O_RDWR | O_CLOEXEC);
			if (fd < 0)
				die("open %s: %s", NAME, strerror(errno));
			if (kind == OP_READ && write(fd, payload, sizeof(payload)) != sizeof(payload))
				die("write: %s", strerror(errno));
			before = records_of(NAME);
		}
	}
	memset(&b, 0, sizeof(b));
	memset(names, 0, sizeof(names));

	arm(n);
	if (kind == OP_CREATE) {
		r = do_create(cfd, NAME);
	} else if (kind == OP_DESTROY) {
		r = do_destroy(cfd, NAME);
	} else if (kind == OP_OPEN) {
		fd = open("/dev/ringbus/" NAME, O_RDWR | O_CLOEXEC);
		r = fd < 0 ? -1 : 0;
	} else if (kind == OP_WRITE) {
		r = write(fd, payload, sizeof(payload)) == sizeof(payload) ? 0 : -1;
	} else if (kind == OP_BATCH) {
		/*
		 * NRECS records of 100 bytes: each a __u32 length, a __u32
		 * zero, the payload, padding to 8 bytes.
		 */
		static char recs[NRECS * 112];
		uint32_t len = sizeof(payload);
		int i;

		memset(recs, 0, sizeof(recs));
		for (i = 0; i < NRECS; i++) {
			memcpy(recs + i * 112, &len, sizeof(len));
			memcpy(recs + i * 112 + 8, payload, sizeof(payload));
		}
		b.buf = (uintptr_t)recs;
		b.buf_len = sizeof(recs);
		b.max_records = NRECS;
		r = ioctl(fd, RINGBUS_IOC_WRITE_BATCH, &b);
	} else if (kind == OP_READ) {
		r = read(fd, buf, sizeof(buf)) > 0 ? 0 : -1;
	} else if (kind == OP_LIST) {
		memset(&l, 0, sizeof(l));
		l.names = (uintptr_t)names;
		l.count = 64;
		r = ioctl(cfd, RINGBUS_IOC_LIST, &l);
	} else {	/* OP_LOAD_CORE, OP_LOAD_CDEV */
		r = syscall(SYS_finit_module, mfd, params ? params : "", mflags);
	}
	err = errno;
	left = disarm();
	hit = left == 0;
	if (count_only) {
		/* The plain run's count of injectable calls; its result as is. */
		*failed = (int)(n - left);
	} else if (!hit) {
		/* Fewer than N sites: undo what the plain run did. */
		if (r)
			violation(n, "failed with %s although no failure was injected", strerror(err));
	} else if (r == 0) {
		(*tolerated)++;
		printf("n=%u: succeeded regardless\n", n);
	} else {
		(*failed)++;
		printf("n=%u: %s\n", n, strerror(err));
		if (err != ENOMEM)
			violation(n, "failed with %s, not ENOMEM", strerror(err));
	}

	/* What the result must have left; then clean up. */
	if (count_only) {
		const char *mod = kind == OP_LOAD_CORE ? "ringbus" : "ringbus_cdev";

		if (mfd >= 0 && r == 0 && syscall(SYS_delete_module, mod, O_NONBLOCK))
			die("delete_module %s: %s", mod, strerror(errno));
	} else if (kind == OP_CREATE) {
		if (channel_exists(NAME) != (r == 0))
			violation(n, "create %s, but the channel %s", r ? "failed" : "succeeded",
				  r ? "exists" : "does not exist");
		if (!node_settles(NAME, r == 0))
			violation(n, "the node of %s %s", NAME, r ? "appeared" : "did not appear");
	} else if (kind == OP_DESTROY) {
		if (channel_exists(NAME) != (r != 0))
			violation(n, "destroy %s, but the channel %s", r ? "failed" : "succeeded",
				  r ? "is gone" : "still exists");
	} else if (kind == OP_WRITE || kind == OP_BATCH) {
		unsigned long long after = records_of(NAME);
		unsigned long long want = r ? 0 : (kind == OP_WRITE ? 1 : NRECS);

		/* A failed batch may have written a prefix: b.count says. */
		if (kind == OP_BATCH && r)
			want = b.count;
		if (after - before != want)
			violation(n, "%s %s: %llu records written, want %llu", op,
				  r ? "failed" : "succeeded", after - before, want);
	} else if (kind >= OP_LOAD_CORE) {
		const char *mod = kind == OP_LOAD_CORE ? "ringbus" : "ringbus_cdev";

		if (module_loaded(mod) != (r == 0))
			violation(n, "finit_module %s, but %s is %sloaded",
				  r ? "failed" : "succeeded", mod, r ? "" : "not ");
		if (r == 0 && syscall(SYS_delete_module, mod, O_NONBLOCK))
			die("delete_module %s: %s", mod, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	if (mfd >= 0)
		close(mfd);
	if (cfd >= 0) {
		if (channel_exists(NAME) && do_destroy(cfd, NAME))
			die("destroy %s: %s", NAME, strerror(errno));
		if (!node_settles(NAME, 0))
			die("/dev/ringbus/%s stays after its destroy", NAME);
		close(cfd);
	}
	return hit;
}

int main(int argc, char **argv)
{
	unsigned int n, first = 1, step = 1, sites = 0;
	int failed = 0, tolerated = 0;

	if (argc > 1 && !strcmp(argv[1], "--count")) {
		count_only = 1;
		argv++;
		argc--;
	}
	if (argc < 2 || argc > 4 || (count_only && argc > 2)) {
		fprintf(stderr, "usage: rb-failnth OP [FIRST [STEP]]\n"
			"       rb-failnth --count OP\n");
		return 2;
	}
	for (kind = 0; kind < OP_N && strcmp(argv[1], op_names[kind]); kind++)
		;
	if (kind == OP_N) {
		fprintf(stderr, "rb-failnth: unknown operation %s (create, destroy, open, write, batch, read, list, load-core, load-cdev)\n",
			argv[1]);
		return 2;
	}
	op = op_names[kind];
	if (argc > 2)
		first = strtoul(argv[2], NULL, 0);
	if (argc > 3)
		step = strtoul(argv[3], NULL, 0);
	if (!first || !step) {
		fprintf(stderr, "rb-failnth: FIRST and STEP must be positive\n");
		return 2;
	}
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0)
		die("open /proc/thread-self/fail-nth: %s (a kernel without CONFIG_FAULT_INJECTION?)",
		    strerror(errno));
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (count_only) {
		one(1000000, &failed, &tolerated);
		printf("%d\n", failed);
		return 0;
	}
	for (n = first; one(n, &failed, &tolerated); n += step)
		sites = n;
	printf("rb-failnth: %s: %u sites, %d failed (ENOMEM), %d tolerated, %d violations\n",
	       op, sites, failed, tolerated, violations);
	return violations ? 1 : 0;
}
