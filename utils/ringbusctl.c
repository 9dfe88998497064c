// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbusctl - create, inspect, write and read ringbus channels.
 *
 * Talks to the ringbus_cdev module through the ioctl ABI of
 * <linux/ringbus.h> (include/uapi/linux/ringbus.h): the control node
 * /dev/ringbus/control for create, destroy, list, info and version, and the
 * channel nodes /dev/ringbus/<name> for send and recv.  "stats" reads the
 * text files of ringbus_proc under /proc/ringbus/.  "doctor" checks the
 * installation (DKMS, headers, the module files, Secure Boot, the control
 * node and the caller's access) and says how to fix what is wrong.
 *
 * Every pointer handed to the kernel is carried in a __u64 through
 * (uintptr_t), so the same source is right for 32-bit and 64-bit builds.
 *
 * Exit status: 0 success, 1 an operation failed, 2 usage error.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ringbus.h>

#ifndef RINGBUS_VERSION
#define RINGBUS_VERSION "0.1.0"
#endif

#define PROG			"ringbusctl"
#define DEFAULT_CONTROL		"/dev/ringbus/control"
#define DEFAULT_DEV_DIR		"/dev/ringbus"
#define DEFAULT_PROC_DIR	"/proc/ringbus"

enum { RC_OK = 0, RC_FAIL = 1, RC_USAGE = 2 };

/* Option handler results: "handled, keep parsing" and "not one of mine". */
#define RC_CONTINUE	(-1)
#define RC_OTHER	(-2)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Long-only option values. */
enum {
	OPT_JSON = 0x100,
	OPT_CONTROL,
	OPT_DEV_DIR,
	OPT_CAPACITY,
	OPT_MODE,
	OPT_MAX_RECORD,
	OPT_TTL,
	OPT_OWNER,
	OPT_GROUP,
	OPT_PERM,
	OPT_NONBLOCK,
	OPT_FROM_START,
	OPT_FROM_END,
	OPT_HEADERS,
	OPT_CPUS,
};

/* Accepted before the command and after it. */
#define COMMON_SHORT	"hV"
#define COMMON_LONG \
	{ "help",	no_argument,		NULL, 'h' }, \
	{ "version",	no_argument,		NULL, 'V' }, \
	{ "json",	no_argument,		NULL, OPT_JSON }, \
	{ "control",	required_argument,	NULL, OPT_CONTROL }, \
	{ "dev-dir",	required_argument,	NULL, OPT_DEV_DIR }

static const struct option common_lopts[] = {
	COMMON_LONG,
	{ NULL, 0, NULL, 0 }
};

struct ctx;

/* The options of a command, for parse_opts(). */
struct cmd_opts {
	const char *shortopts;		/* getopt string: ":" COMMON_SHORT ... */
	const struct option *lopts;	/* COMMON_LONG, then the command's own */
	/*
	 * Handles an option of the command itself (optarg as getopt left it):
	 * RC_CONTINUE, RC_OTHER if @c is not one of its own, or the exit
	 * status to end with.  NULL: the command has no options of its own.
	 */
	int (*handle)(struct ctx *ctx, int c, void *data);
	void *data;
};

/* For the commands with only the common options. */
static const struct cmd_opts common_opts = {
	":" COMMON_SHORT, common_lopts, NULL, NULL
};

struct command {
	const char *name;
	int (*run)(struct ctx *ctx, int argc, char **argv);
	const char *synopsis;	/* after "ringbusctl NAME " */
};

struct ctx {
	const char *control;
	const char *dev_dir;
	const char *proc_dir;
	bool json;
	const struct command *cmd;	/* NULL before the command is known */
};

static const char help_text[] =
"Usage: " PROG " [OPTIONS] COMMAND [ARGS...]\n"
"\n"
"Manage and use ringbus message channels (/dev/ringbus/NAME).\n"
"\n"
"Commands:\n"
"  create NAME [--capacity SIZE] [--mode broadcast|queue] [--max-record SIZE]\n"
"              [--ttl MS] [--owner USER|UID] [--group GROUP|GID] [--perm OCTAL]\n"
"                          create a channel (SIZE: BYTES, NK or NM)\n"
"  destroy NAME            destroy a channel\n"
"  list                    list the channels\n"
"  info NAME               show one channel\n"
"  send [--nonblock] NAME [MSG...]\n"
"                          write one record per MSG, or per line of stdin\n"
"  recv [-f|--follow] [--from-start|--from-end] [-n N] [--headers]\n"
"       [--nonblock] NAME  read records and print one per line\n"
"  stats [--cpus]          show /proc/ringbus/stats (or cpus); needs ringbus_proc\n"
"  version                 show the versions of this tool and of the module\n"
"\n"
"Options:\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version of " PROG " and exit\n"
"      --json              print data as JSON (list, info, recv, stats, version,\n"
"                          doctor)\n"
"      --control PATH      control node (default " DEFAULT_CONTROL ")\n"
"      --dev-dir DIR       directory of channel nodes (default " DEFAULT_DEV_DIR ")\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.  See " PROG "(1).\n";

/* ------------------------------------------------------------------ */
/* Messages */

static void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void errmsg(const char *fmt, ...)
{
	va_list ap;

	/* Keep stdout and stderr in order when both go to a terminal. */
	fflush(stdout);
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int usage_error(const struct ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int usage_error(const struct ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(PROG ": ", stderr);
	if (ctx->cmd)
		fprintf(stderr, "%s: ", ctx->cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (ctx->cmd)
		fprintf(stderr, "Usage: " PROG " %s %s\n", ctx->cmd->name,
			ctx->cmd->synopsis);
	else
		fputs("Usage: " PROG " [OPTIONS] COMMAND [ARGS...]\n", stderr);
	fputs("Try '" PROG " --help' for more information.\n", stderr);
	return RC_USAGE;
}

static int bad_value(const struct ctx *ctx, const char *opt, const char *val,
		     const char *what)
{
	return usage_error(ctx, "invalid %s '%s': %s", opt, val, what);
}

/* Flush stdout and report a failure to write it (full disk, closed pipe). */
static int finish_stdout(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		errmsg("standard output: %s", strerror(errno));
		return RC_FAIL;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Parsing */

/*
 * A decimal number, optionally (with @suffixes) followed by K (1024) or
 * M (1024 * 1024), at most @max.  Strict: no sign, no blanks, no trailing
 * garbage, no overflow.
 */
static bool parse_u64(const char *s, bool suffixes, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	uint64_t mult = 1;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return false;
	if (suffixes && *end != '\0') {
		if (*end == 'K' || *end == 'k')
			mult = 1024;
		else if (*end == 'M' || *end == 'm')
			mult = 1024 * 1024;
		else
			return false;
		end++;
	}
	if (*end != '\0')
		return false;
	if (v > max / mult)
		return false;
	*out = (uint64_t)v * mult;
	return true;
}

static bool parse_octal_perm(const char *s, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '7')
		return false;
	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno != 0 || *end != '\0' || v > 0777)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* A uid (@user) or gid: numeric first ((uid_t)-1 is none), else a name. */
static bool parse_id(const char *s, bool user, uint32_t *out)
{
	const struct passwd *pw;
	const struct group *gr;
	uint64_t v;

	if (parse_u64(s, false, UINT32_MAX - 1, &v)) {
		*out = (uint32_t)v;
	} else if (user) {
		pw = getpwnam(s);
		if (!pw)
			return false;
		*out = (uint32_t)pw->pw_uid;
	} else {
		gr = getgrnam(s);
		if (!gr)
			return false;
		*out = (uint32_t)gr->gr_gid;
	}
	return true;
}

/* A channel name: 1-31 bytes of [a-z0-9_.-], not "control". */
static bool valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= RINGBUS_NAME_MAX || strcmp(s, "control") == 0)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static int check_name(const struct ctx *ctx, const char *name)
{
	if (valid_name(name))
		return RC_OK;
	return usage_error(ctx,
			   "invalid channel name '%s' (1-31 characters of a-z, 0-9, '_', '.', '-'; not 'control')",
			   name);
}

static const char *mode_name(uint32_t mode)
{
	switch (mode) {
	case RINGBUS_MODE_BROADCAST:
		return "broadcast";
	case RINGBUS_MODE_QUEUE:
		return "queue";
	default:
		return "unknown";
	}
}

/* ------------------------------------------------------------------ */
/* JSON output */

/* Length of the valid UTF-8 sequence at @s, or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t i, n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;		/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;		/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;		/* above U+10FFFF */
	} else {
		return 0;
	}
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * A JSON string.  '"', '\\' and control characters are escaped (the latter
 * as \u00XX); valid UTF-8 passes through; a byte that is not part of valid
 * UTF-8 is written as \u00XX, its Latin-1 reading, so binary payloads still
 * give valid JSON.
 */
static void json_string(const void *data, size_t len)
{
	const unsigned char *s = data;
	size_t i = 0;

	putchar('"');
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		if (c == '"' || c == '\\') {
			putchar('\\');
			putchar(c);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			printf("\\u%04x", (unsigned int)c);
			i++;
		} else if (c < 0x80) {
			putchar(c);
			i++;
		} else if ((n = utf8_len(s + i, len - i)) != 0) {
			fwrite(s + i, 1, n, stdout);
			i += n;
		} else {
			printf("\\u%04x", (unsigned int)c);
			i++;
		}
	}
	putchar('"');
}

static void json_cstring(const char *s)
{
	json_string(s, strlen(s));
}

/* Whether @s is a JSON integer: -?(0|[1-9][0-9]*). */
static bool is_json_int(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		return s[1] == '\0';
	if (*s < '1' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	return *s == '\0';
}

/* A number as a number, anything else as a string. */
static void json_value(const char *s)
{
	if (is_json_int(s))
		fputs(s, stdout);
	else
		json_cstring(s);
}

/* ------------------------------------------------------------------ */
/* Device access */

static int open_control(const struct ctx *ctx)
{
	int fd = open(ctx->control, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;
		const char *hint = "";

		if (e == ENOENT || e == ENXIO || e == ENODEV)
			hint = " (is the ringbus module installed?)";
		else if (e == EACCES || e == EPERM)
			hint = " (are you root or in the ringbus group?)";
		errmsg("%s: %s%s", ctx->control, strerror(e), hint);
	}
	return fd;
}

static int open_channel(const struct ctx *ctx, const char *name, int flags)
{
	char path[PATH_MAX];
	int fd, n;

	n = snprintf(path, sizeof(path), "%s/%s", ctx->dev_dir, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errmsg("%s/%s: %s", ctx->dev_dir, name, strerror(ENAMETOOLONG));
		return -1;
	}
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		const char *hint = "";

		if (e == ENOENT)
			hint = " (no such channel?)";
		else if (e == ENXIO || e == ENODEV)
			hint = " (is the ringbus module loaded?)";
		errmsg("%s: %s%s", path, strerror(e), hint);
	}
	return fd;
}

/*
 * Opens the control node, runs the ioctl @req on @arg and closes the node.
 * A failed ioctl is reported as "VERB NAME: error"; without a @name (the
 * version command) as "VERB: error", with a hint on ENOTTY.
 */
static int control_ioctl(const struct ctx *ctx, unsigned long req, void *arg,
			 const char *verb, const char *name)
{
	int fd, e;

	fd = open_control(ctx);
	if (fd < 0)
		return RC_FAIL;
	if (ioctl(fd, req, arg) == 0) {
		close(fd);
		return RC_OK;
	}
	e = errno;
	close(fd);
	if (name)
		errmsg("%s %s: %s", verb, name, strerror(e));
	else
		errmsg("%s: %s%s", verb, strerror(e),
		       e == ENOTTY ? " (not a ringbus control node?)" : "");
	return RC_FAIL;
}

/* Copies a valid channel name into a zeroed name field of the ABI. */
static void copy_name(char *dst, const char *name)
{
	memcpy(dst, name, strnlen(name, RINGBUS_NAME_MAX - 1));
}

/* A RINGBUS_IOC_INFO request for @name. */
static void info_request(struct ringbus_info *info, const char *name)
{
	memset(info, 0, sizeof(*info));
	copy_name(info->name, name);
}

/* RINGBUS_IOC_INFO on an open control node; errno is kept on failure. */
static int get_info(int cfd, const char *name, struct ringbus_info *info)
{
	info_request(info, name);
	if (ioctl(cfd, RINGBUS_IOC_INFO, info) < 0)
		return -1;
	info->name[RINGBUS_NAME_MAX - 1] = '\0';
	return 0;
}

/* ------------------------------------------------------------------ */
/* Option parsing shared by all commands */

/*
 * Handles an option every command accepts, or a parse error.  Returns
 * RC_CONTINUE to keep parsing, or the exit status to end with.
 */
static int common_opt(struct ctx *ctx, int c, char **argv)
{
	const char *arg = argv[optind - 1];

	switch (c) {
	case 'h':
		if (ctx->cmd)
			printf("Usage: " PROG " %s %s\n\n", ctx->cmd->name,
			       ctx->cmd->synopsis);
		fputs(help_text, stdout);
		exit(finish_stdout(RC_OK));
	case 'V':
		printf(PROG " %s\n", RINGBUS_VERSION);
		exit(finish_stdout(RC_OK));
	case OPT_JSON:
		ctx->json = true;
		return RC_CONTINUE;
	case OPT_CONTROL:
		ctx->control = optarg;
		return RC_CONTINUE;
	case OPT_DEV_DIR:
		ctx->dev_dir = optarg;
		return RC_CONTINUE;
	case ':':
		return usage_error(ctx, "option '%s' requires an argument", arg);
	case '?':
		if (optopt != 0)
			return usage_error(ctx, "invalid option -- '%c'", optopt);
		return usage_error(ctx, "unrecognized option '%s'", arg);
	default:
		return usage_error(ctx, "unexpected option '%s'", arg);
	}
}

/*
 * Runs getopt_long() over @argv with @opts: the command's own options go to
 * @opts->handle, the rest to common_opt().  Returns RC_OK when all are
 * parsed (optind is then the first argument), or the exit status to end with.
 */
static int parse_opts(struct ctx *ctx, int argc, char **argv,
		      const struct cmd_opts *opts)
{
	int c;

	while ((c = getopt_long(argc, argv, opts->shortopts, opts->lopts,
				NULL)) != -1) {
		int rc = RC_OTHER;

		if (opts->handle)
			rc = opts->handle(ctx, c, opts->data);
		if (rc == RC_OTHER)
			rc = common_opt(ctx, c, argv);
		if (rc != RC_CONTINUE)
			return rc;
	}
	return RC_OK;
}

/* parse_opts(), then at least @min and at most @max (-1: any) arguments. */
static int parse_args(struct ctx *ctx, int argc, char **argv,
		      const struct cmd_opts *opts, int min, int max)
{
	int rc, n;

	rc = parse_opts(ctx, argc, argv, opts);
	if (rc != RC_OK)
		return rc;
	n = argc - optind;
	if (n < min)
		return usage_error(ctx, min == 1 ? "missing channel name" :
				   "missing argument");
	if (max >= 0 && n > max)
		return usage_error(ctx, "unexpected argument '%s'",
				   argv[optind + max]);
	return RC_OK;
}

/*
 * parse_args() for a command whose first argument is a channel name, which
 * is checked and stored in @name; @max as for parse_args().
 */
static int parse_name_args(struct ctx *ctx, int argc, char **argv,
			   const struct cmd_opts *opts, int max,
			   const char **name)
{
	int rc = parse_args(ctx, argc, argv, opts, 1, max);

	if (rc != RC_OK)
		return rc;
	*name = argv[optind];
	return check_name(ctx, *name);
}

/* ------------------------------------------------------------------ */
/* create, destroy */

static const struct option create_lopts[] = {
	COMMON_LONG,
	{ "capacity",	required_argument, NULL, OPT_CAPACITY },
	{ "mode",	required_argument, NULL, OPT_MODE },
	{ "max-record",	required_argument, NULL, OPT_MAX_RECORD },
	{ "ttl",	required_argument, NULL, OPT_TTL },
	{ "owner",	required_argument, NULL, OPT_OWNER },
	{ "group",	required_argument, NULL, OPT_GROUP },
	{ "perm",	required_argument, NULL, OPT_PERM },
	{ NULL, 0, NULL, 0 }
};

static int create_opt(struct ctx *ctx, int c, void *data)
{
	struct ringbus_create *cr = data;
	uint64_t v;

	switch (c) {
	case OPT_CAPACITY:
		if (!parse_u64(optarg, true, UINT64_MAX, &v))
			return bad_value(ctx, "--capacity", optarg,
					 "expected BYTES, NK or NM");
		if (v & (v - 1))
			return bad_value(ctx, "--capacity", optarg,
					 "not a power of two");
		cr->capacity = v;
		break;
	case OPT_MODE:
		if (strcmp(optarg, "broadcast") == 0)
			cr->mode = RINGBUS_MODE_BROADCAST;
		else if (strcmp(optarg, "queue") == 0)
			cr->mode = RINGBUS_MODE_QUEUE;
		else
			return bad_value(ctx, "--mode", optarg,
					 "expected broadcast or queue");
		break;
	case OPT_MAX_RECORD:
		if (!parse_u64(optarg, true, UINT32_MAX, &v))
			return bad_value(ctx, "--max-record", optarg,
					 "expected BYTES, NK or NM below 4G");
		cr->max_record = (uint32_t)v;
		break;
	case OPT_TTL:
		if (!parse_u64(optarg, false, UINT32_MAX, &v))
			return bad_value(ctx, "--ttl", optarg,
					 "expected milliseconds");
		cr->ttl_ms = (uint32_t)v;
		break;
	case OPT_OWNER:
		if (!parse_id(optarg, true, &cr->uid))
			return bad_value(ctx, "--owner", optarg, "no such user");
		cr->flags |= RINGBUS_CREATE_UID;
		break;
	case OPT_GROUP:
		if (!parse_id(optarg, false, &cr->gid))
			return bad_value(ctx, "--group", optarg, "no such group");
		cr->flags |= RINGBUS_CREATE_GID;
		break;
	case OPT_PERM:
		if (!parse_octal_perm(optarg, &cr->perm))
			return bad_value(ctx, "--perm", optarg,
					 "expected an octal mode of at most 0777");
		cr->flags |= RINGBUS_CREATE_PERM;
		break;
	default:
		return RC_OTHER;
	}
	return RC_CONTINUE;
}

static int cmd_create(struct ctx *ctx, int argc, char **argv)
{
	struct ringbus_create cr;
	const struct cmd_opts opts = {
		":" COMMON_SHORT, create_lopts, create_opt, &cr
	};
	const char *name;
	int rc;

	memset(&cr, 0, sizeof(cr));
	cr.mode = RINGBUS_MODE_BROADCAST;
	rc = parse_name_args(ctx, argc, argv, &opts, 1, &name);
	if (rc != RC_OK)
		return rc;
	copy_name(cr.name, name);
	return control_ioctl(ctx, RINGBUS_IOC_CREATE, &cr, "create", name);
}

static int cmd_destroy(struct ctx *ctx, int argc, char **argv)
{
	struct ringbus_name rn;
	const char *name;
	int rc;

	rc = parse_name_args(ctx, argc, argv, &common_opts, 1, &name);
	if (rc != RC_OK)
		return rc;
	memset(&rn, 0, sizeof(rn));
	copy_name(rn.name, name);
	return control_ioctl(ctx, RINGBUS_IOC_DESTROY, &rn, "destroy", name);
}

/* ------------------------------------------------------------------ */
/* list, info */

/* The fields of struct ringbus_info, in the order info and list show them. */
enum field_kind { FIELD_NAME, FIELD_MODE, FIELD_U64, FIELD_U32, FIELD_PERM };

struct info_field {
	const char *key;	/* info's label and the JSON key */
	const char *column;	/* list's heading; NULL: not in list */
	enum field_kind kind;
	size_t offset;		/* in struct ringbus_info */
};

#define INFO_FIELD(member, column, kind) \
	{ #member, column, kind, offsetof(struct ringbus_info, member) }

static const struct info_field info_fields[] = {
	/* The first LIST_COLS are the columns of list. */
	INFO_FIELD(name,	"NAME",		FIELD_NAME),
	INFO_FIELD(mode,	"MODE",		FIELD_MODE),
	INFO_FIELD(capacity,	"CAPACITY",	FIELD_U64),
	INFO_FIELD(used,	"USED",		FIELD_U64),
	INFO_FIELD(records,	"RECORDS",	FIELD_U64),
	INFO_FIELD(first_seq,	"FIRST",	FIELD_U64),
	INFO_FIELD(last_seq,	"LAST",		FIELD_U64),
	INFO_FIELD(readers,	"READERS",	FIELD_U32),
	INFO_FIELD(writers,	"WRITERS",	FIELD_U32),
	INFO_FIELD(drops,	"DROPS",	FIELD_U64),
	INFO_FIELD(max_record,	NULL,		FIELD_U32),
	INFO_FIELD(ttl_ms,	NULL,		FIELD_U32),
	INFO_FIELD(uid,		NULL,		FIELD_U32),
	INFO_FIELD(gid,		NULL,		FIELD_U32),
	INFO_FIELD(perm,	NULL,		FIELD_PERM),
	INFO_FIELD(minor,	NULL,		FIELD_U32),
};

#define LIST_COLS	10
#define CELL_MAX	32

_Static_assert(ARRAY_SIZE(info_fields) >= LIST_COLS,
	       "list shows the first LIST_COLS fields");

/* A field as text in @buf (CELL_MAX bytes); perm in octal unless @json. */
static void field_text(char *buf, const struct ringbus_info *in,
		       const struct info_field *f, bool json)
{
	const char *p = (const char *)in + f->offset;
	uint64_t v64;
	uint32_t v32;

	switch (f->kind) {
	case FIELD_NAME:
		snprintf(buf, CELL_MAX, "%s", in->name);
		break;
	case FIELD_MODE:
		snprintf(buf, CELL_MAX, "%s", mode_name(in->mode));
		break;
	case FIELD_U64:
		memcpy(&v64, p, sizeof(v64));
		snprintf(buf, CELL_MAX, "%llu", (unsigned long long)v64);
		break;
	default:
		memcpy(&v32, p, sizeof(v32));
		snprintf(buf, CELL_MAX, f->kind == FIELD_PERM && !json ? "%04o" : "%u",
			 (unsigned int)v32);
		break;
	}
}

/* One JSON object, without a newline: name and mode are strings. */
static void print_info_json(const struct ringbus_info *in)
{
	char buf[CELL_MAX];
	size_t i;

	putchar('{');
	for (i = 0; i < ARRAY_SIZE(info_fields); i++) {
		const struct info_field *f = &info_fields[i];

		printf("%s\"%s\":", i > 0 ? "," : "", f->key);
		field_text(buf, in, f, true);
		if (f->kind == FIELD_NAME || f->kind == FIELD_MODE)
			json_cstring(buf);
		else
			fputs(buf, stdout);
	}
	putchar('}');
}

/* "key:" and the value, aligned after the longest key, "max_record:". */
static void print_info_text(const struct ringbus_info *in)
{
	char buf[CELL_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(info_fields); i++) {
		const struct info_field *f = &info_fields[i];

		field_text(buf, in, f, false);
		printf("%s:%*s%s\n", f->key, (int)(11 - strlen(f->key)), "",
		       buf);
	}
}

typedef char rb_name_t[RINGBUS_NAME_MAX];

/*
 * RINGBUS_IOC_LIST: ask how many channels there are, fetch that many, and
 * ask again with a larger array while the answer says more exist.
 */
static int list_names(int cfd, rb_name_t **namesp, uint32_t *countp)
{
	rb_name_t *names = NULL;
	uint32_t room = 0, i;
	unsigned int tries;

	for (tries = 0; ; tries++) {
		struct ringbus_list l;

		memset(&l, 0, sizeof(l));
		l.names = (__u64)(uintptr_t)names;
		l.count = room;
		if (ioctl(cfd, RINGBUS_IOC_LIST, &l) < 0) {
			errmsg("list: %s", strerror(errno));
			free(names);
			return -1;
		}
		if (l.count <= room) {
			for (i = 0; i < l.count; i++)
				names[i][RINGBUS_NAME_MAX - 1] = '\0';
			*namesp = names;
			*countp = l.count;
			return 0;
		}
		/* It grew (or this was the first call): make room, with slack
		 * after the first retry so that churn cannot keep us here. */
		free(names);
		room = l.count;
		if (tries > 0 && room <= UINT32_MAX - 16)
			room += 16;
		names = calloc(room, sizeof(*names));
		if (!names) {
			errmsg("list: %s", strerror(ENOMEM));
			return -1;
		}
	}
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

struct list_row {
	char cell[LIST_COLS][CELL_MAX];
};

static void list_row_fill(struct list_row *r, const struct ringbus_info *in)
{
	int i;

	for (i = 0; i < LIST_COLS; i++)
		field_text(r->cell[i], in, &info_fields[i], false);
}

/* NAME and MODE left-aligned, numbers right-aligned. */
static void list_row_print(const struct list_row *r, const int *width)
{
	int i;

	for (i = 0; i < LIST_COLS; i++) {
		if (i < 2)
			printf("%-*s", width[i], r->cell[i]);
		else
			printf(" %*s", width[i], r->cell[i]);
		if (i == 0)
			putchar(' ');
	}
	putchar('\n');
}

static void list_print_text(const struct ringbus_info *infos, uint32_t n)
{
	struct list_row hr = { 0 }, r = { 0 };
	int width[LIST_COLS];
	uint32_t i;
	int j;

	for (j = 0; j < LIST_COLS; j++) {
		snprintf(hr.cell[j], CELL_MAX, "%s", info_fields[j].column);
		width[j] = (int)strlen(hr.cell[j]);
	}
	for (i = 0; i < n; i++) {
		list_row_fill(&r, &infos[i]);
		for (j = 0; j < LIST_COLS; j++) {
			int w = (int)strlen(r.cell[j]);

			if (w > width[j])
				width[j] = w;
		}
	}
	list_row_print(&hr, width);
	for (i = 0; i < n; i++) {
		list_row_fill(&r, &infos[i]);
		list_row_print(&r, width);
	}
}

static int cmd_list(struct ctx *ctx, int argc, char **argv)
{
	struct ringbus_info *infos = NULL;
	rb_name_t *names = NULL;
	uint32_t count = 0, n = 0, i;
	int rc, fd;

	rc = parse_args(ctx, argc, argv, &common_opts, 0, 0);
	if (rc != RC_OK)
		return rc;

	fd = open_control(ctx);
	if (fd < 0)
		return RC_FAIL;
	if (list_names(fd, &names, &count) < 0) {
		close(fd);
		return RC_FAIL;
	}
	if (count > 0) {
		qsort(names, count, sizeof(*names), cmp_name);
		infos = calloc(count, sizeof(*infos));
		if (!infos) {
			errmsg("list: %s", strerror(ENOMEM));
			rc = RC_FAIL;
			goto out;
		}
	}
	for (i = 0; i < count; i++) {
		if (get_info(fd, names[i], &infos[n]) == 0) {
			n++;
		} else if (errno != ENOENT) {
			/* ENOENT: destroyed since the list; leave it out. */
			errmsg("info %s: %s", names[i], strerror(errno));
			rc = RC_FAIL;
			goto out;
		}
	}

	if (ctx->json) {
		if (n == 0) {
			puts("[]");
		} else {
			puts("[");
			for (i = 0; i < n; i++) {
				fputs("  ", stdout);
				print_info_json(&infos[i]);
				puts(i + 1 < n ? "," : "");
			}
			puts("]");
		}
	} else {
		list_print_text(infos, n);
	}
	rc = finish_stdout(RC_OK);
out:
	free(infos);
	free(names);
	close(fd);
	return rc;
}

static int cmd_info(struct ctx *ctx, int argc, char **argv)
{
	struct ringbus_info info;
	const char *name;
	int rc;

	rc = parse_name_args(ctx, argc, argv, &common_opts, 1, &name);
	if (rc != RC_OK)
		return rc;
	info_request(&info, name);
	rc = control_ioctl(ctx, RINGBUS_IOC_INFO, &info, "info", name);
	if (rc != RC_OK)
		return rc;
	info.name[RINGBUS_NAME_MAX - 1] = '\0';
	if (ctx->json) {
		print_info_json(&info);
		putchar('\n');
	} else {
		print_info_text(&info);
	}
	return finish_stdout(RC_OK);
}

/* ------------------------------------------------------------------ */
/* send */

static int send_record(int fd, const char *name, const char *buf, size_t len)
{
	ssize_t n;

	do {
		n = write(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		int e = errno;
		struct ringbus_info info;

		if (e == EMSGSIZE) {
			memset(&info, 0, sizeof(info));
			if (ioctl(fd, RINGBUS_IOC_CHAN_INFO, &info) == 0) {
				errmsg("send %s: %s (record of %zu bytes, the channel's maximum is %u)",
				       name, strerror(e), len,
				       (unsigned int)info.max_record);
				return -1;
			}
		}
		errmsg("send %s: %s%s", name, strerror(e),
		       e == EAGAIN ? " (channel full)" :
		       e == EINVAL && len == 0 ? " (empty record)" : "");
		return -1;
	}
	if ((size_t)n != len) {
		errmsg("send %s: short write (%zd of %zu bytes)", name, n, len);
		return -1;
	}
	return 0;
}

static const struct option send_lopts[] = {
	COMMON_LONG,
	{ "nonblock",	no_argument, NULL, OPT_NONBLOCK },
	{ NULL, 0, NULL, 0 }
};

/* An option that only sets a flag: the send and stats options. */
struct flag_opt {
	int opt;
	bool *flag;
};

static int set_flag_opt(struct ctx *ctx, int c, void *data)
{
	const struct flag_opt *fo = data;

	(void)ctx;
	if (c != fo->opt)
		return RC_OTHER;
	*fo->flag = true;
	return RC_CONTINUE;
}

static int cmd_send(struct ctx *ctx, int argc, char **argv)
{
	bool nonblock = false;
	struct flag_opt fo = { OPT_NONBLOCK, &nonblock };
	const struct cmd_opts opts = {
		":" COMMON_SHORT, send_lopts, set_flag_opt, &fo
	};
	const char *name;
	int rc, fd;

	rc = parse_name_args(ctx, argc, argv, &opts, -1, &name);
	if (rc != RC_OK)
		return rc;

	fd = open_channel(ctx, name, O_WRONLY | (nonblock ? O_NONBLOCK : 0));
	if (fd < 0)
		return RC_FAIL;
	rc = RC_OK;
	if (optind + 1 < argc) {
		int i;

		for (i = optind + 1; i < argc; i++) {
			if (send_record(fd, name, argv[i], strlen(argv[i])) < 0) {
				rc = RC_FAIL;
				break;
			}
		}
	} else {
		char *line = NULL;
		size_t cap = 0;
		ssize_t len;

		errno = 0;
		while ((len = getline(&line, &cap, stdin)) >= 0) {
			if (len > 0 && line[len - 1] == '\n')
				len--;
			/* The module refuses empty records (EINVAL). */
			if (len == 0) {
				errno = 0;
				continue;
			}
			if (send_record(fd, name, line, (size_t)len) < 0) {
				rc = RC_FAIL;
				break;
			}
			errno = 0;
		}
		if (rc == RC_OK && ferror(stdin)) {
			errmsg("standard input: %s", strerror(errno));
			rc = RC_FAIL;
		}
		free(line);
	}
	if (close(fd) < 0 && rc == RC_OK) {
		errmsg("send %s: %s", name, strerror(errno));
		rc = RC_FAIL;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* recv */

struct recv_state {
	const char *name;
	bool follow;		/* -f */
	bool nonblock;
	int whence;		/* --from-start, --from-end; -1 for neither */
	uint64_t limit;		/* -n; 0 for no limit */
	bool headers;		/* print the headers */
	bool json;
	bool fd_headers;	/* read() returns header + payload */
	char *buf;
	size_t size;
	size_t extra;		/* header bytes in front of the payload */
	uint64_t missed;	/* fd_missed already reported */
};

/* Sizes the buffer for the channel's current max_record. */
static int recv_size_buf(int fd, struct recv_state *st)
{
	struct ringbus_info info;
	size_t size;
	char *nbuf;

	memset(&info, 0, sizeof(info));
	if (ioctl(fd, RINGBUS_IOC_CHAN_INFO, &info) < 0) {
		errmsg("recv %s: %s", st->name, strerror(errno));
		return -1;
	}
	size = (size_t)info.max_record + st->extra;
	if (size < st->extra) {
		errmsg("recv %s: %s", st->name, strerror(EOVERFLOW));
		return -1;
	}
	if (size == 0)
		size = 1;	/* a zero-byte read() would look like EOF */
	if (size <= st->size)
		return 0;
	nbuf = realloc(st->buf, size);
	if (!nbuf) {
		errmsg("recv %s: %s", st->name, strerror(ENOMEM));
		return -1;
	}
	st->buf = nbuf;
	st->size = size;
	return 0;
}

static void recv_report_overrun(int fd, struct recv_state *st)
{
	struct ringbus_stats stats;

	memset(&stats, 0, sizeof(stats));
	if (ioctl(fd, RINGBUS_IOC_STATS, &stats) < 0) {
		errmsg("%s: overrun, records missed (%s)", st->name,
		       strerror(errno));
		return;
	}
	errmsg("%s: overrun, %llu records missed", st->name,
	       (unsigned long long)(stats.fd_missed - st->missed));
	st->missed = stats.fd_missed;
}

static int recv_print(struct recv_state *st, size_t n)
{
	struct ringbus_record_header h;
	const char *payload = st->buf;
	size_t len = n;

	if (st->fd_headers) {
		if (n < sizeof(h)) {
			errmsg("recv %s: short record (%zu bytes, no header)",
			       st->name, n);
			return -1;
		}
		memcpy(&h, st->buf, sizeof(h));
		payload += sizeof(h);
		len = n - sizeof(h);
		if (h.len < len)
			len = h.len;
		if (st->headers)
			printf(st->json ?
			       "{\"seq\":%llu,\"ts_ns\":%llu,\"pid\":%u,\"uid\":%u,\"len\":%u,\"data\":" :
			       "seq=%llu ts=%llu pid=%u uid=%u len=%u: ",
			       (unsigned long long)h.seq,
			       (unsigned long long)h.ts_ns, (unsigned int)h.pid,
			       (unsigned int)h.uid, (unsigned int)h.len);
	}
	/* --json implies headers, and recv fails without fd_headers then. */
	if (st->json) {
		json_string(payload, len);
		puts("}");
	} else {
		fwrite(payload, 1, len, stdout);
		putchar('\n');
	}
	return 0;
}

static int recv_loop(int fd, struct recv_state *st)
{
	uint64_t got = 0;
	bool retried = false;

	while (st->limit == 0 || got < st->limit) {
		ssize_t n = read(fd, st->buf, st->size);

		if (n > 0) {
			retried = false;
			if (recv_print(st, (size_t)n) < 0)
				return RC_FAIL;
			if (st->follow && fflush(stdout) != 0)
				return finish_stdout(RC_FAIL);
			got++;
			continue;
		}
		if (n == 0)
			return RC_OK;		/* the channel was destroyed */
		switch (errno) {
		case EINTR:
			continue;
		case EAGAIN: {
			struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLPRI };

			if (!st->follow)
				return RC_OK;	/* nothing more to read */
			/* -f with --nonblock: wait here instead of in read(). */
			if (fflush(stdout) != 0)
				return finish_stdout(RC_FAIL);
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
				errmsg("recv %s: poll: %s", st->name, strerror(errno));
				return RC_FAIL;
			}
			if (pfd.revents & POLLNVAL) {
				errmsg("recv %s: poll: %s", st->name, strerror(EBADF));
				return RC_FAIL;
			}
			continue;
		}
		case EPIPE:
			recv_report_overrun(fd, st);
			continue;
		case ENODEV:
			return RC_OK;		/* destroyed, the other way */
		case EMSGSIZE:
			/* Should not happen with a max_record buffer; size it
			 * again once in case the channel changed. */
			if (!retried) {
				size_t old = st->size;

				retried = true;
				if (recv_size_buf(fd, st) < 0)
					return RC_FAIL;
				if (st->size > old)
					continue;
			}
			errmsg("recv %s: %s", st->name, strerror(EMSGSIZE));
			return RC_FAIL;
		default:
			errmsg("recv %s: %s", st->name, strerror(errno));
			return RC_FAIL;
		}
	}
	return RC_OK;
}

static const struct option recv_lopts[] = {
	COMMON_LONG,
	{ "follow",	no_argument,	   NULL, 'f' },
	{ "from-start",	no_argument,	   NULL, OPT_FROM_START },
	{ "from-end",	no_argument,	   NULL, OPT_FROM_END },
	{ "headers",	no_argument,	   NULL, OPT_HEADERS },
	{ "nonblock",	no_argument,	   NULL, OPT_NONBLOCK },
	{ NULL, 0, NULL, 0 }
};

static int recv_opt(struct ctx *ctx, int c, void *data)
{
	struct recv_state *st = data;

	switch (c) {
	case 'f':
		st->follow = true;
		break;
	case 'n':
		if (!parse_u64(optarg, false, UINT64_MAX, &st->limit) ||
		    st->limit == 0)
			return bad_value(ctx, "-n", optarg,
					 "expected a number of records, at least 1");
		break;
	case OPT_FROM_START:
	case OPT_FROM_END:
		if (st->whence != -1)
			return usage_error(ctx, "--from-start and --from-end are exclusive");
		st->whence = c == OPT_FROM_START ? SEEK_SET : SEEK_END;
		break;
	case OPT_HEADERS:
		st->headers = true;
		break;
	case OPT_NONBLOCK:
		st->nonblock = true;
		break;
	default:
		return RC_OTHER;
	}
	return RC_CONTINUE;
}

static int cmd_recv(struct ctx *ctx, int argc, char **argv)
{
	struct recv_state st;
	const struct cmd_opts opts = {
		":" COMMON_SHORT "fn:", recv_lopts, recv_opt, &st
	};
	struct ringbus_stats stats;
	int rc, fd, flags;

	memset(&st, 0, sizeof(st));
	st.whence = -1;
	rc = parse_name_args(ctx, argc, argv, &opts, 1, &st.name);
	if (rc != RC_OK)
		return rc;
	st.json = ctx->json;
	if (st.json)
		st.headers = true;

	flags = O_RDONLY;
	if (!st.follow || st.nonblock)
		flags |= O_NONBLOCK;
	fd = open_channel(ctx, st.name, flags);
	if (fd < 0)
		return RC_FAIL;
	rc = RC_FAIL;
	/*
	 * Headers are asked for even when they are not printed: with them an
	 * empty record is a read() of sizeof(header) bytes, so a read() of 0
	 * bytes can only be the end of file of a destroyed channel.  Without
	 * --headers a module that refuses the option is still usable.
	 */
	{
		struct ringbus_fd_opts o;

		memset(&o, 0, sizeof(o));
		o.flags = RINGBUS_FD_HEADERS;
		if (ioctl(fd, RINGBUS_IOC_SET_OPTS, &o) == 0) {
			st.fd_headers = true;
		} else if (st.headers) {
			errmsg("recv %s: headers: %s", st.name, strerror(errno));
			goto out;
		}
	}
	st.extra = st.fd_headers ? sizeof(struct ringbus_record_header) : 0;
	if (recv_size_buf(fd, &st) < 0)
		goto out;
	if (st.whence != -1 && lseek(fd, 0, st.whence) < 0) {
		errmsg("recv %s: seek: %s", st.name, strerror(errno));
		goto out;
	}
	/* Overruns are reported as the growth of fd_missed from here on. */
	memset(&stats, 0, sizeof(stats));
	if (ioctl(fd, RINGBUS_IOC_STATS, &stats) == 0)
		st.missed = stats.fd_missed;

	rc = finish_stdout(recv_loop(fd, &st));
out:
	free(st.buf);
	close(fd);
	return rc;
}

/* ------------------------------------------------------------------ */
/* stats */

/* The whitespace-separated fields of @line, at most @max; returns the count. */
static size_t split_fields(char *line, char **field, size_t max)
{
	char *save = NULL, *tok;
	size_t n = 0;

	for (tok = strtok_r(line, " \t", &save); tok && n < max;
	     tok = strtok_r(NULL, " \t", &save))
		field[n++] = tok;
	return n;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
			 s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

/* "key value" lines to one JSON object; a trailing ':' of a key is dropped. */
static void stats_kv_json(FILE *f)
{
	char *line = NULL, *key, *val, *p;
	size_t cap = 0, klen;
	bool first = true;

	putchar('{');
	while (getline(&line, &cap, f) >= 0) {
		chomp(line);
		key = line + strspn(line, " \t");
		if (*key == '\0')
			continue;
		p = key + strcspn(key, " \t");
		val = p + strspn(p, " \t");
		*p = '\0';
		klen = strlen(key);
		if (klen > 1 && key[klen - 1] == ':')
			key[klen - 1] = '\0';
		fputs(first ? "\n  " : ",\n  ", stdout);
		first = false;
		json_cstring(key);
		putchar(':');
		json_value(val);
	}
	puts(first ? "}" : "\n}");
	free(line);
}

#define MAX_COLS	64

/* A table, its first line naming the columns, to a JSON array of objects. */
static void stats_table_json(FILE *f)
{
	char *head_line = NULL, *line = NULL;
	char *head[MAX_COLS], *field[MAX_COLS];
	size_t hcap = 0, cap = 0, ncols = 0, i;
	bool first = true;

	while (ncols == 0 && getline(&head_line, &hcap, f) >= 0) {
		chomp(head_line);
		ncols = split_fields(head_line, head, MAX_COLS);
	}
	putchar('[');
	while (ncols > 0 && getline(&line, &cap, f) >= 0) {
		size_t n;

		chomp(line);
		n = split_fields(line, field, MAX_COLS);
		if (n == 0)
			continue;
		fputs(first ? "\n  {" : ",\n  {", stdout);
		first = false;
		for (i = 0; i < n && i < ncols; i++) {
			if (i > 0)
				putchar(',');
			json_cstring(head[i]);
			putchar(':');
			json_value(field[i]);
		}
		putchar('}');
	}
	puts(first ? "]" : "\n]");
	free(line);
	free(head_line);
}

static const struct option stats_lopts[] = {
	COMMON_LONG,
	{ "cpus",	no_argument, NULL, OPT_CPUS },
	{ NULL, 0, NULL, 0 }
};

static int cmd_stats(struct ctx *ctx, int argc, char **argv)
{
	bool cpus = false;
	struct flag_opt fo = { OPT_CPUS, &cpus };
	const struct cmd_opts opts = {
		":" COMMON_SHORT, stats_lopts, set_flag_opt, &fo
	};
	char path[PATH_MAX];
	int rc, n;
	FILE *f;

	rc = parse_args(ctx, argc, argv, &opts, 0, 0);
	if (rc != RC_OK)
		return rc;

	n = snprintf(path, sizeof(path), "%s/%s", ctx->proc_dir,
		     cpus ? "cpus" : "stats");
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errmsg("%s: %s", ctx->proc_dir, strerror(ENAMETOOLONG));
		return RC_FAIL;
	}
	f = fopen(path, "re");
	if (!f) {
		int e = errno;

		errmsg("%s: %s%s", path, strerror(e),
		       e == ENOENT ? " (is the ringbus_proc module loaded?)" : "");
		return RC_FAIL;
	}
	if (!ctx->json) {
		char buf[4096];
		size_t got;

		while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, got, stdout);
	} else if (cpus) {
		stats_table_json(f);
	} else {
		stats_kv_json(f);
	}
	rc = RC_OK;
	if (ferror(f)) {
		errmsg("%s: %s", path, strerror(errno));
		rc = RC_FAIL;
	}
	fclose(f);
	return finish_stdout(rc);
}

/* ------------------------------------------------------------------ */
/* version */

static int cmd_version(struct ctx *ctx, int argc, char **argv)
{
	struct ringbus_version v;
	char module[32];
	int rc;

	rc = parse_args(ctx, argc, argv, &common_opts, 0, 0);
	if (rc != RC_OK)
		return rc;

	/* The tool's own version is worth printing even without a module. */
	if (!ctx->json)
		printf(PROG " %s (ABI %u.%u)\n", RINGBUS_VERSION,
		       (unsigned int)RINGBUS_ABI_MAJOR,
		       (unsigned int)RINGBUS_ABI_MINOR);
	memset(&v, 0, sizeof(v));
	rc = control_ioctl(ctx, RINGBUS_IOC_VERSION, &v, "version", NULL);
	if (rc != RC_OK)
		return rc;

	snprintf(module, sizeof(module), "%u.%u.%u",
		 (unsigned int)(v.version >> 16),
		 (unsigned int)((v.version >> 8) & 0xff),
		 (unsigned int)(v.version & 0xff));
	if (ctx->json)
		printf("{\"version\":\"%s\",\"abi_major\":%u,\"abi_minor\":%u,"
		       "\"module\":{\"version\":\"%s\",\"abi_major\":%u,\"abi_minor\":%u}}\n",
		       RINGBUS_VERSION, (unsigned int)RINGBUS_ABI_MAJOR,
		       (unsigned int)RINGBUS_ABI_MINOR, module,
		       (unsigned int)v.abi_major, (unsigned int)v.abi_minor);
	else
		printf("ringbus module %s (ABI %u.%u)\n", module,
		       (unsigned int)v.abi_major, (unsigned int)v.abi_minor);
	rc = finish_stdout(RC_OK);
	if (v.abi_major != RINGBUS_ABI_MAJOR) {
		errmsg("ABI mismatch: the ringbus module has ABI %u.%u, this " PROG
		       " was built for ABI %u.%u; install matching versions of the module and of " PROG,
		       (unsigned int)v.abi_major, (unsigned int)v.abi_minor,
		       (unsigned int)RINGBUS_ABI_MAJOR,
		       (unsigned int)RINGBUS_ABI_MINOR);
		rc = RC_FAIL;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* doctor */

#define DEFAULT_MODULES_DIR	"/lib/modules"
#define DEFAULT_SYS_MODULE_DIR	"/sys/module"
#define RINGBUS_GROUP		"ringbus"
#define DKMS_MOK_PUB		"/var/lib/dkms/mok.pub"

/* run_capture(): the program is not installed. */
#define RUN_MISSING	(-2)

enum check_status { CHECK_OK, CHECK_WARN, CHECK_FAIL };

/* What the probes found, shared by the checks. */
struct doctor {
	bool json;
	unsigned int count, warns, fails;
	const char *control;		/* the control node */
	const char *sys_module;		/* /sys/module */
	char kver[128];			/* uname -r */
	char kdir[PATH_MAX];		/* /lib/modules/KVER */
	/* Headers: KDIR/build */
	bool headers;
	char headers_why[PATH_MAX + 64];
	/* "dkms status ringbus" */
	int dkms_rc;			/* its exit status, or RUN_MISSING */
	bool dkms_known;		/* ringbus is registered with DKMS */
	char dkms_version[32];		/* the registered version */
	char dkms_state[160];		/* for KVER: "installed", "built"...; "" none */
	char dkms_others[512];		/* the other kernels it is installed for */
	/* The module file for KVER */
	char ko[PATH_MAX];		/* the one modprobe loads (modules.dep) */
	char ko_dep[PATH_MAX];		/* modules.dep's entry, even if missing */
	char ko_found[PATH_MAX];	/* the first ringbus.ko* under KDIR */
	unsigned int nko;		/* how many ringbus.ko* under KDIR */
	bool loaded;			/* SYS_MODULE/ringbus is live */
	/* The caller and the group ringbus */
	char user[64];			/* the caller's user name (or uid) */
	bool user_gid_known;
	gid_t user_gid;			/* the caller's primary group in passwd */
	bool have_group;		/* the group ringbus exists */
	gid_t group_gid;
	bool user_listed;		/* the caller is listed as a member */
};

static void doctor_report(struct doctor *d, const char *check,
			  enum check_status st, const char *fix,
			  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/*
 * Prints the result of one check: as a JSON object of the array doctor
 * prints, or as "ok|warn|FAIL  CHECK  MESSAGE" and an indented "fix:" line.
 * @fix is NULL or "" when there is nothing to do.
 */
static void doctor_report(struct doctor *d, const char *check,
			  enum check_status st, const char *fix,
			  const char *fmt, ...)
{
	static const char *const json_word[] = { "ok", "warn", "fail" };
	static const char *const text_word[] = { "ok", "warn", "FAIL" };
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!fix)
		fix = "";
	if (st == CHECK_WARN)
		d->warns++;
	else if (st == CHECK_FAIL)
		d->fails++;

	if (d->json) {
		fputs(d->count == 0 ? "[\n  {\"check\":" : ",\n  {\"check\":",
		      stdout);
		json_cstring(check);
		printf(",\"status\":\"%s\",\"message\":", json_word[st]);
		json_cstring(msg);
		fputs(",\"fix\":", stdout);
		json_cstring(fix);
		putchar('}');
	} else {
		printf("%-4s  %-13s  %s\n", text_word[st], check, msg);
		if (*fix)
			printf("%21sfix: %s\n", "", fix);
	}
	d->count++;
}

/*
 * Finds the program @name: in the absolute directories of PATH, then in the
 * sbin directories that an unprivileged user's PATH often lacks (dkms and
 * modinfo live there).
 */
static bool find_program(const char *name, char *path, size_t size)
{
	const char *dirs[2] = { getenv("PATH"), "/usr/local/sbin:/usr/sbin:/sbin" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		const char *p = dirs[i];

		while (p && *p) {
			size_t len = strcspn(p, ":");
			struct stat st;
			int n;

			/* Empty and relative entries (the current directory) are skipped. */
			n = snprintf(path, size, "%.*s/%s", (int)len, p, name);
			if (*p == '/' && n > 0 && (size_t)n < size &&
			    stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
			    access(path, X_OK) == 0)
				return true;
			p += len;
			if (*p == ':')
				p++;
		}
	}
	return false;
}

/*
 * Runs @argv (argv[0] found by find_program()) with standard input and
 * error on /dev/null and keeps the start of its standard output in @out
 * (NUL-terminated, at most @size - 1 bytes; the rest is read and dropped).
 * Returns its exit status, RUN_MISSING if it is not installed, or -1 if it
 * could not be run or was killed.
 */
static int run_capture(const char *const argv[], char *out, size_t size)
{
	char path[PATH_MAX];
	size_t len = 0;
	int pfd[2], status;
	pid_t pid;

	out[0] = '\0';
	if (!find_program(argv[0], path, sizeof(path)))
		return RUN_MISSING;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (nul < 0 || dup2(nul, STDIN_FILENO) < 0 ||
		    dup2(nul, STDERR_FILENO) < 0 ||
		    dup2(pfd[1], STDOUT_FILENO) < 0)
			_exit(127);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		char buf[1024];
		ssize_t n = read(pfd[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + 1 < size) {
			size_t take = size - 1 - len;

			if (take > (size_t)n)
				take = (size_t)n;
			memcpy(out + len, buf, take);
			len += take;
		}
	}
	close(pfd[0]);
	out[len] = '\0';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* @dir/@name in @buf; false (and "") if it does not fit. */
static bool path_join(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size) {
		buf[0] = '\0';
		return false;
	}
	return true;
}

/* The first line of the file @path, without its newline; false if unreadable. */
static bool read_first_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	if (ok)
		chomp(buf);
	return ok;
}

/* "modinfo -F FIELD FILE": the field's first line, "" if it has none. */
static bool modinfo_field(const char *file, const char *field, char *buf,
			  size_t size)
{
	const char *const argv[] = { "modinfo", "-F", field, file, NULL };

	if (run_capture(argv, buf, size) != 0)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

/* ringbus.ko, ringbus.ko.xz, ringbus.ko.zst... */
static bool is_ringbus_ko(const char *name)
{
	return strncmp(name, "ringbus.ko", 10) == 0 &&
	       (name[10] == '\0' || name[10] == '.');
}

/*
 * Counts the ringbus.ko* files under @dir (symbolic links, such as build
 * and source, are not followed) and keeps the first one's path.
 */
static void find_ko(struct doctor *d, const char *dir, int depth)
{
	const struct dirent *e;
	DIR *dp;

	if (depth > 8)
		return;
	dp = opendir(dir);
	if (!dp)
		return;
	while ((e = readdir(dp)) != NULL) {
		char path[PATH_MAX];
		unsigned char type = e->d_type;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    !path_join(path, sizeof(path), dir, e->d_name))
			continue;
		if (type == DT_UNKNOWN) {
			struct stat st;

			if (lstat(path, &st) < 0)
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR :
			       S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		if (type == DT_DIR) {
			find_ko(d, path, depth + 1);
		} else if (type == DT_REG && is_ringbus_ko(e->d_name)) {
			if (d->nko++ == 0)
				snprintf(d->ko_found, sizeof(d->ko_found), "%s", path);
		}
	}
	closedir(dp);
}

/* The ringbus.ko entry of KDIR/modules.dep, the file modprobe loads. */
static void find_dep_ko(struct doctor *d)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (!path_join(path, sizeof(path), d->kdir, "modules.dep"))
		return;
	f = fopen(path, "re");
	if (!f)
		return;
	while (getline(&line, &cap, f) >= 0) {
		const char *base;

		line[strcspn(line, ":")] = '\0';
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		if (!is_ringbus_ko(base))
			continue;
		/* Relative to KDIR; old depmod wrote absolute paths. */
		if (line[0] == '/')
			snprintf(d->ko_dep, sizeof(d->ko_dep), "%s", line);
		else
			path_join(d->ko_dep, sizeof(d->ko_dep), d->kdir, line);
		break;
	}
	free(line);
	fclose(f);
	if (d->ko_dep[0] && access(d->ko_dep, F_OK) == 0)
		snprintf(d->ko, sizeof(d->ko), "%s", d->ko_dep);
}

/*
 * "dkms status ringbus": lines "ringbus/VERSION, KVER, ARCH: STATE" (dkms
 * 3; dkms 2 writes "ringbus, VERSION, KVER, ARCH: STATE") for each kernel it
 * is built or installed for, "ringbus/VERSION: added" when it is only
 * registered.  STATE may be followed by " (WARNING! ...)".
 */
static void probe_dkms(struct doctor *d)
{
	const char *const argv[] = { "dkms", "status", "ringbus", NULL };
	char out[8192], *line, *save = NULL;

	d->dkms_rc = run_capture(argv, out, sizeof(out));
	if (d->dkms_rc != 0)
		return;
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *field[5] = { NULL }, *state, *p, *slash;
		size_t n = 0;

		chomp(line);
		state = strstr(line, ": ");
		if (!state)
			continue;
		*state = '\0';
		state += 2;
		for (p = line; p && n < ARRAY_SIZE(field); n++) {
			field[n] = p;
			p = strstr(p, ", ");
			if (p) {
				*p = '\0';
				p += 2;
			}
		}
		/* dkms 3 joins the module and its version with a '/'. */
		slash = strchr(field[0], '/');
		if (slash) {
			*slash = '\0';
			memmove(&field[2], &field[1], (ARRAY_SIZE(field) - 2) * sizeof(field[0]));
			field[1] = slash + 1;
			n++;
		}
		if (strcmp(field[0], "ringbus") != 0 || n < 2)
			continue;
		d->dkms_known = true;
		snprintf(d->dkms_version, sizeof(d->dkms_version), "%s", field[1]);
		if (n < 3)
			continue;	/* "added": for no kernel yet */
		if (strcmp(field[2], d->kver) == 0) {
			snprintf(d->dkms_state, sizeof(d->dkms_state), "%s", state);
		} else if (strncmp(state, "installed", 9) == 0) {
			size_t used = strlen(d->dkms_others);

			snprintf(d->dkms_others + used, sizeof(d->dkms_others) - used,
				 "%s%s", used ? ", " : "", field[2]);
		}
	}
}

static bool dkms_state_is(const struct doctor *d, const char *state)
{
	return strncmp(d->dkms_state, state, strlen(state)) == 0;
}

/* How to get a ringbus module for the running kernel. */
static void fix_build(const struct doctor *d, char *fix, size_t size)
{
	const char *v = d->dkms_version, *k = d->kver;

	if (d->dkms_known && dkms_state_is(d, "installed"))
		snprintf(fix, size, "dkms install --force ringbus/%s -k %s", v, k);
	else if (d->dkms_known && dkms_state_is(d, "built"))
		snprintf(fix, size, "dkms install ringbus/%s -k %s", v, k);
	else if (!d->headers)
		snprintf(fix, size, "apt install linux-headers-%s%s (DKMS then builds ringbus for it)",
			 k, d->dkms_known ? "" : " ringbus-dkms");
	else if (!d->dkms_known)
		snprintf(fix, size, "apt install ringbus-dkms (DKMS builds ringbus for every kernel with headers)");
	else
		snprintf(fix, size, "dkms autoinstall -k %s; if the build fails, its log is /var/lib/dkms/ringbus/%s/build/make.log",
			 k, v);
}

static void check_dkms(struct doctor *d)
{
	const char *c = "dkms";
	char fix[512], also[600] = "";

	if (d->dkms_others[0])
		snprintf(also, sizeof(also), " (and for %s)", d->dkms_others);
	if (d->dkms_rc == RUN_MISSING) {
		doctor_report(d, c, CHECK_WARN, "apt install dkms ringbus-dkms",
			      "running kernel %s; dkms is not installed, so nothing rebuilds ringbus when a new kernel is installed",
			      d->kver);
	} else if (d->dkms_rc != 0) {
		doctor_report(d, c, CHECK_WARN, "run 'dkms status ringbus' to see why",
			      "running kernel %s; 'dkms status ringbus' failed (exit status %d)",
			      d->kver, d->dkms_rc);
	} else if (!d->dkms_known) {
		doctor_report(d, c, d->ko[0] ? CHECK_WARN : CHECK_FAIL,
			      "apt install ringbus-dkms",
			      "running kernel %s; ringbus is not registered with DKMS%s, so it is not rebuilt for new kernels",
			      d->kver, d->ko[0] ? " (the module was installed by hand?)" : "");
	} else if (dkms_state_is(d, "installed") && strstr(d->dkms_state, "WARNING")) {
		fix_build(d, fix, sizeof(fix));
		doctor_report(d, c, CHECK_WARN, fix,
			      "running kernel %s; DKMS says ringbus %s is %s",
			      d->kver, d->dkms_version, d->dkms_state);
	} else if (dkms_state_is(d, "installed")) {
		doctor_report(d, c, CHECK_OK, NULL,
			      "ringbus %s is built and installed by DKMS for the running kernel %s%s",
			      d->dkms_version, d->kver, also);
	} else {
		fix_build(d, fix, sizeof(fix));
		if (d->dkms_state[0])
			doctor_report(d, c, CHECK_FAIL, fix,
				      "ringbus %s is %s by DKMS for the running kernel %s, but not installed",
				      d->dkms_version, d->dkms_state, d->kver);
		else
			doctor_report(d, c, CHECK_FAIL, fix,
				      "DKMS has not built ringbus %s for the running kernel %s (it is installed for %s)",
				      d->dkms_version, d->kver,
				      d->dkms_others[0] ? d->dkms_others : "no kernel");
	}
}

static void probe_headers(struct doctor *d)
{
	char build[PATH_MAX], mk[PATH_MAX];
	struct stat st;

	if (!path_join(build, sizeof(build), d->kdir, "build") ||
	    !path_join(mk, sizeof(mk), build, "Makefile"))
		snprintf(d->headers_why, sizeof(d->headers_why), "%s", strerror(ENAMETOOLONG));
	else if (lstat(build, &st) < 0)
		snprintf(d->headers_why, sizeof(d->headers_why), "%s does not exist", build);
	else if (stat(build, &st) < 0)
		snprintf(d->headers_why, sizeof(d->headers_why),
			 "%s is a dangling symbolic link", build);
	else if (!S_ISDIR(st.st_mode) || access(mk, F_OK) < 0)
		snprintf(d->headers_why, sizeof(d->headers_why),
			 "%s has no Makefile", build);
	else
		d->headers = true;
}

static void check_headers(struct doctor *d)
{
	char fix[256];

	if (d->headers) {
		doctor_report(d, "headers", CHECK_OK, NULL,
			      "the kernel headers for %s are in %s/build",
			      d->kver, d->kdir);
		return;
	}
	snprintf(fix, sizeof(fix), "apt install linux-headers-%s", d->kver);
	doctor_report(d, "headers", CHECK_FAIL, fix,
		      "no kernel headers for the running kernel %s (%s): DKMS cannot build ringbus for it",
		      d->kver, d->headers_why);
}

static void check_module_built(struct doctor *d)
{
	const char *c = "module-built";
	char fix[768];

	if (d->ko[0] && d->nko > 1) {
		snprintf(fix, sizeof(fix),
			 "remove the copy DKMS did not install ('make install' puts one in updates/ringbus/), then depmod -a %s",
			 d->kver);
		doctor_report(d, c, CHECK_WARN, fix,
			      "modprobe loads %s, but there are %u copies of ringbus.ko for %s",
			      d->ko, d->nko, d->kver);
	} else if (d->ko[0]) {
		doctor_report(d, c, CHECK_OK, NULL,
			      "%s is the ringbus module for the running kernel", d->ko);
	} else if (d->ko_dep[0] && d->nko) {
		snprintf(fix, sizeof(fix), "depmod -a %s", d->kver);
		doctor_report(d, c, CHECK_FAIL, fix,
			      "modules.dep names %s, which does not exist (%s does)",
			      d->ko_dep, d->ko_found);
	} else if (d->nko) {
		snprintf(fix, sizeof(fix), "depmod -a %s", d->kver);
		doctor_report(d, c, CHECK_FAIL, fix,
			      "%s is not in modules.dep, so modprobe cannot find it",
			      d->ko_found);
	} else {
		fix_build(d, fix, sizeof(fix));
		doctor_report(d, c, CHECK_FAIL, fix,
			      "no ringbus module for the running kernel %s under %s",
			      d->kver, d->kdir);
	}
}

/* The vermagic of an uncompressed .ko, from its .modinfo section. */
static bool ko_vermagic(const char *file, char *buf, size_t size)
{
	static const char key[] = "\0vermagic=";
	struct stat st;
	char *data;
	bool ok = false;
	size_t len;
	FILE *f;

	if (stat(file, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > 256 * 1024 * 1024)
		return false;
	len = (size_t)st.st_size;
	data = malloc(len + 1);
	if (!data)
		return false;
	f = fopen(file, "re");
	if (f) {
		if (fread(data, 1, len, f) == len) {
			const char *p;

			data[len] = '\0';
			p = memmem(data, len, key, sizeof(key) - 1);
			if (p) {
				snprintf(buf, size, "%s", p + sizeof(key) - 1);
				ok = true;
			}
		}
		fclose(f);
	}
	free(data);
	return ok;
}

static void check_vermagic(struct doctor *d)
{
	const char *c = "vermagic";
	char magic[256], fix[512];
	size_t n;

	if (!d->ko[0]) {
		doctor_report(d, c, CHECK_WARN, NULL,
			      "not checked: there is no ringbus module for %s (see module-built)",
			      d->kver);
		return;
	}
	if ((!modinfo_field(d->ko, "vermagic", magic, sizeof(magic)) || !magic[0]) &&
	    !ko_vermagic(d->ko, magic, sizeof(magic))) {
		doctor_report(d, c, CHECK_WARN, "check that 'modinfo -F vermagic ringbus' works",
			      "could not read the vermagic of %s", d->ko);
		return;
	}
	chomp(magic);
	n = strcspn(magic, " ");
	if (n == strlen(d->kver) && strncmp(magic, d->kver, n) == 0) {
		doctor_report(d, c, CHECK_OK, NULL,
			      "%s was built for %s, the running kernel (vermagic '%s')",
			      d->ko, d->kver, magic);
		return;
	}
	if (d->dkms_known)
		snprintf(fix, sizeof(fix), "dkms install --force ringbus/%.31s -k %.127s",
			 d->dkms_version, d->kver);
	else
		snprintf(fix, sizeof(fix), "rebuild it for %.127s: apt install ringbus-dkms, or 'make KVER=%.127s install' in the source tree",
			 d->kver, d->kver);
	doctor_report(d, c, CHECK_FAIL, fix,
		      "%s was built for %.*s, not for the running kernel %s: the kernel refuses to load it (vermagic '%s')",
		      d->ko, (int)n, magic, d->kver, magic);
}

static void check_module_loaded(struct doctor *d)
{
	const char *c = "module-loaded";
	char path[PATH_MAX], loaded_ver[64] = "", file_ver[64] = "", fix[512];
	struct ringbus_version v;
	bool have_abi = false;
	struct stat st;
	int fd;

	if (!d->loaded) {
		if (d->ko[0]) {
			doctor_report(d, c, CHECK_OK, NULL,
				      "not loaded; it loads on the first use of %s, or with 'modprobe ringbus'",
				      d->control);
		} else {
			fix_build(d, fix, sizeof(fix));
			doctor_report(d, c, CHECK_FAIL, fix,
				      "not loaded, and there is no ringbus module for %s to load",
				      d->kver);
		}
		return;
	}
	if (path_join(path, sizeof(path), d->sys_module, "ringbus/version"))
		read_first_line(path, loaded_ver, sizeof(loaded_ver));
	if (d->ko[0])
		modinfo_field(d->ko, "version", file_ver, sizeof(file_ver));
	/* Only a loaded module is asked: opening the node would load it. */
	memset(&v, 0, sizeof(v));
	fd = stat(d->control, &st) == 0 && S_ISCHR(st.st_mode) ?
	     open(d->control, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
	if (fd >= 0) {
		have_abi = ioctl(fd, RINGBUS_IOC_VERSION, &v) == 0;
		close(fd);
	}

	if (have_abi && v.abi_major != RINGBUS_ABI_MAJOR) {
		snprintf(fix, sizeof(fix),
			 "install the same version of ringbus-dkms and ringbus-utils, then reload: modprobe -r ringbus_cdev && modprobe ringbus");
		doctor_report(d, c, CHECK_FAIL, fix,
			      "the loaded module has ABI %u.%u, this " PROG " speaks ABI %u.%u",
			      (unsigned int)v.abi_major, (unsigned int)v.abi_minor,
			      (unsigned int)RINGBUS_ABI_MAJOR,
			      (unsigned int)RINGBUS_ABI_MINOR);
	} else if (file_ver[0] && loaded_ver[0] && strcmp(file_ver, loaded_ver) != 0) {
		doctor_report(d, c, CHECK_WARN,
			      "reload it: modprobe -r ringbus_cdev && modprobe ringbus (or reboot)",
			      "the loaded module is version %s, but %s is version %s: it was upgraded since it was loaded",
			      loaded_ver, d->ko, file_ver);
	} else if (loaded_ver[0] && strcmp(loaded_ver, RINGBUS_VERSION) != 0) {
		doctor_report(d, c, CHECK_WARN,
			      "install the same version of ringbus-dkms and ringbus-utils",
			      "the loaded module is version %s, this " PROG " is version %s",
			      loaded_ver, RINGBUS_VERSION);
	} else {
		char abi[48] = "";

		if (have_abi)
			snprintf(abi, sizeof(abi), ", ABI %u.%u",
				 (unsigned int)v.abi_major, (unsigned int)v.abi_minor);
		doctor_report(d, c, CHECK_OK, NULL,
			      "loaded, version %s%s (this " PROG ": %s)",
			      loaded_ver[0] ? loaded_ver : "unknown", abi,
			      RINGBUS_VERSION);
	}
}

static void check_secure_boot(struct doctor *d)
{
	const char *c = "secure-boot";
	const char *const sb_argv[] = { "mokutil", "--sb-state", NULL };
	const char *const key_argv[] = { "mokutil", "--test-key", DKMS_MOK_PUB, NULL };
	static const char enrol[] =
		"mokutil --import " DKMS_MOK_PUB ", reboot and confirm the enrolment in MokManager";
	char out[512], signer[256] = "";
	bool sig_known = false, signed_ko;
	int rc;

	rc = run_capture(sb_argv, out, sizeof(out));
	if (rc == RUN_MISSING) {
		doctor_report(d, c, CHECK_OK, NULL,
			      "skipped: mokutil is not installed, so the Secure Boot state is not checked");
		return;
	}
	if (d->ko[0])
		sig_known = modinfo_field(d->ko, "signer", signer, sizeof(signer));
	signed_ko = signer[0] != '\0';
	if (strstr(out, "SecureBoot disabled")) {
		char sig[300] = "";

		if (!sig_known)
			;	/* no module, or no modinfo: nothing to say */
		else if (signed_ko)
			snprintf(sig, sizeof(sig), " (ringbus is signed by '%s')", signer);
		else
			snprintf(sig, sizeof(sig), " (ringbus is not signed)");
		doctor_report(d, c, CHECK_OK, NULL,
			      "Secure Boot is disabled: the kernel loads unsigned modules%s", sig);
		return;
	}
	if (!strstr(out, "SecureBoot enabled")) {
		chomp(out);
		doctor_report(d, c, CHECK_OK, NULL,
			      "Secure Boot state unknown ('mokutil --sb-state' said '%s'): not an EFI system?",
			      out[0] ? out : "nothing");
		return;
	}
	if (!d->ko[0]) {
		doctor_report(d, c, CHECK_WARN, NULL,
			      "Secure Boot is enabled; the signature is not checked: there is no ringbus module for %s",
			      d->kver);
		return;
	}
	if (!sig_known) {
		doctor_report(d, c, CHECK_WARN, "check that 'modinfo -F signer ringbus' works",
			      "Secure Boot is enabled; could not read the signature of %s",
			      d->ko);
		return;
	}
	if (!signed_ko) {
		char fix[768];

		snprintf(fix, sizeof(fix),
			 "have DKMS sign it: dkms install --force ringbus/%s -k %s, then enrol its key: %s",
			 d->dkms_known ? d->dkms_version : RINGBUS_VERSION, d->kver, enrol);
		doctor_report(d, c, CHECK_FAIL, fix,
			      "Secure Boot is enabled and %s is not signed: loading it fails with 'Key was rejected by service'",
			      d->ko);
		return;
	}
	if (d->loaded) {
		doctor_report(d, c, CHECK_OK, NULL,
			      "Secure Boot is enabled; ringbus is signed by '%s' and loaded, so the kernel trusts the key",
			      signer);
		return;
	}
	rc = access(DKMS_MOK_PUB, R_OK) == 0 ?
	     run_capture(key_argv, out, sizeof(out)) : RUN_MISSING;
	if (rc != RUN_MISSING && strstr(out, "is not enrolled")) {
		doctor_report(d, c, CHECK_FAIL, enrol,
			      "Secure Boot is enabled and ringbus is signed by '%s', but DKMS's key " DKMS_MOK_PUB " is not enrolled: loading fails with 'Key was rejected by service'",
			      signer);
		return;
	}
	doctor_report(d, c, CHECK_OK, NULL,
		      "Secure Boot is enabled; ringbus is signed by '%s'%s", signer,
		      rc != RUN_MISSING && strstr(out, "already enrolled") ?
		      ", whose key is enrolled" : "");
}

static void check_control_node(struct doctor *d)
{
	const char *c = "control-node";
	char fix[768], owner[64], group[64];
	const struct passwd *pw;
	const struct group *g;
	struct stat st;
	unsigned int mode;

	if (stat(d->control, &st) < 0) {
		int e = errno;

		if (e != ENOENT)
			doctor_report(d, c, CHECK_FAIL, NULL, "%s: %s", d->control, strerror(e));
		else if (!d->ko[0])
			doctor_report(d, c, CHECK_FAIL, "first get a module (see module-built)",
				      "%s does not exist: there is no ringbus module for %s",
				      d->control, d->kver);
		else if (d->loaded)
			doctor_report(d, c, CHECK_FAIL,
				      "reload the driver: modprobe -r ringbus_cdev && modprobe ringbus; check that udev runs",
				      "%s does not exist although ringbus is loaded", d->control);
		else {
			snprintf(fix, sizeof(fix),
				 "depmod -a %s && systemctl restart kmod-static-nodes systemd-tmpfiles-setup-dev (or load it now: modprobe ringbus)",
				 d->kver);
			doctor_report(d, c, CHECK_FAIL, fix,
				      "%s does not exist: it is created at boot from modules.devname (kmod-static-nodes)",
				      d->control);
		}
		return;
	}
	if (!S_ISCHR(st.st_mode)) {
		doctor_report(d, c, CHECK_FAIL,
			      "remove it, then reboot or reload the driver: modprobe -r ringbus_cdev && modprobe ringbus",
			      "%s is not a character device", d->control);
		return;
	}
	pw = getpwuid(st.st_uid);
	if (pw)
		snprintf(owner, sizeof(owner), "%s", pw->pw_name);
	else
		snprintf(owner, sizeof(owner), "%u", (unsigned int)st.st_uid);
	g = getgrgid(st.st_gid);
	if (g)
		snprintf(group, sizeof(group), "%s", g->gr_name);
	else
		snprintf(group, sizeof(group), "%u", (unsigned int)st.st_gid);
	mode = (unsigned int)st.st_mode & 07777;
	if (st.st_uid == 0 && d->have_group && st.st_gid == d->group_gid &&
	    mode == 0660) {
		doctor_report(d, c, CHECK_OK, NULL,
			      "%s is root:" RINGBUS_GROUP " %04o (char %u:%u)",
			      d->control, mode, major(st.st_rdev), minor(st.st_rdev));
		return;
	}
	snprintf(fix, sizeof(fix), "%sthe udev rule 60-ringbus.rules of ringbus-utils sets it: apt install ringbus-utils, then udevadm trigger --action=add --subsystem-match=ringbus, or reboot",
		 d->have_group ? "" : "create the group (apt install ringbus-utils does); ");
	doctor_report(d, c, CHECK_FAIL, fix,
		      "%s is %s:%s %04o, not root:" RINGBUS_GROUP " 0660%s",
		      d->control, owner, group, mode,
		      d->have_group ? "" : " (there is no group " RINGBUS_GROUP ")");
}

static bool in_group(gid_t gid)
{
	gid_t *list;
	int n, i;
	bool found = false;

	if (getegid() == gid)
		return true;
	n = getgroups(0, NULL);
	if (n <= 0)
		return false;
	list = calloc((size_t)n, sizeof(*list));
	if (!list)
		return false;
	n = getgroups(n, list);
	for (i = 0; i < n; i++)
		if (list[i] == gid)
			found = true;
	free(list);
	return found;
}

static void check_access(struct doctor *d)
{
	const char *c = "access";
	char fix[256];

	if (geteuid() == 0) {
		doctor_report(d, c, CHECK_OK, NULL, "you are root");
		return;
	}
	if (!d->have_group) {
		snprintf(fix, sizeof(fix),
			 "as root: apt install ringbus-utils (it creates the group), then adduser %s " RINGBUS_GROUP ", and log in again",
			 d->user);
		doctor_report(d, c, CHECK_FAIL, fix,
			      "you (%s) are not root and there is no group " RINGBUS_GROUP,
			      d->user);
		return;
	}
	if (in_group(d->group_gid)) {
		doctor_report(d, c, CHECK_OK, NULL,
			      "you (%s) are in group " RINGBUS_GROUP ": you may use %s",
			      d->user, d->control);
		return;
	}
	if (d->user_listed || (d->user_gid_known && d->user_gid == d->group_gid)) {
		doctor_report(d, c, CHECK_FAIL,
			      "log out and in again (or start a shell in the group: newgrp " RINGBUS_GROUP ")",
			      "you (%s) were added to group " RINGBUS_GROUP ", but this session started before that",
			      d->user);
		return;
	}
	snprintf(fix, sizeof(fix),
		 "as root: adduser %s " RINGBUS_GROUP ", then log out and in again",
		 d->user);
	doctor_report(d, c, CHECK_FAIL, fix,
		      "you (%s) are neither root nor in group " RINGBUS_GROUP ", so you cannot use %s",
		      d->user, d->control);
}

/* The caller's name and primary group, and what it has to do with ringbus. */
static void probe_user(struct doctor *d)
{
	const struct passwd *pw = getpwuid(geteuid());
	const struct group *gr;
	size_t i;

	if (pw) {
		snprintf(d->user, sizeof(d->user), "%s", pw->pw_name);
		d->user_gid = pw->pw_gid;
		d->user_gid_known = true;
	} else {
		snprintf(d->user, sizeof(d->user), "%u", (unsigned int)geteuid());
	}
	gr = getgrnam(RINGBUS_GROUP);
	if (!gr)
		return;
	d->have_group = true;
	d->group_gid = gr->gr_gid;
	for (i = 0; gr->gr_mem && gr->gr_mem[i]; i++)
		if (strcmp(gr->gr_mem[i], d->user) == 0)
			d->user_listed = true;
}

static int cmd_doctor(struct ctx *ctx, int argc, char **argv)
{
	struct doctor d;
	struct utsname uts;
	const char *modules_dir, *env;
	char path[PATH_MAX];
	int rc;

	rc = parse_args(ctx, argc, argv, &common_opts, 0, 0);
	if (rc != RC_OK)
		return rc;

	memset(&d, 0, sizeof(d));
	d.json = ctx->json;
	d.control = ctx->control;
	modules_dir = DEFAULT_MODULES_DIR;
	env = getenv("RINGBUSCTL_MODULES_DIR");
	if (env && *env)
		modules_dir = env;
	d.sys_module = DEFAULT_SYS_MODULE_DIR;
	env = getenv("RINGBUSCTL_SYS_MODULE_DIR");
	if (env && *env)
		d.sys_module = env;
	if (uname(&uts) < 0) {
		errmsg("doctor: uname: %s", strerror(errno));
		return RC_FAIL;
	}
	snprintf(d.kver, sizeof(d.kver), "%s", uts.release);
	if (!path_join(d.kdir, sizeof(d.kdir), modules_dir, d.kver)) {
		errmsg("doctor: %s: %s", modules_dir, strerror(ENAMETOOLONG));
		return RC_FAIL;
	}

	/* What is there, then what it means. */
	probe_headers(&d);
	find_ko(&d, d.kdir, 0);
	find_dep_ko(&d);
	probe_dkms(&d);
	d.loaded = path_join(path, sizeof(path), d.sys_module, "ringbus/initstate") &&
		   access(path, F_OK) == 0;
	probe_user(&d);

	check_dkms(&d);
	check_headers(&d);
	check_module_built(&d);
	check_vermagic(&d);
	check_module_loaded(&d);
	check_secure_boot(&d);
	check_control_node(&d);
	check_access(&d);

	if (d.json)
		puts("\n]");
	else if (d.fails == 0 && d.warns == 0)
		printf("%u checks, no problems found\n", d.count);
	else
		printf("%u checks: %u failed, %u warnings\n", d.count, d.fails, d.warns);
	return finish_stdout(d.fails ? RC_FAIL : RC_OK);
}

/* ------------------------------------------------------------------ */

static const struct command commands[] = {
	{ "create", cmd_create,
	  "NAME [--capacity SIZE] [--mode broadcast|queue] [--max-record SIZE] [--ttl MS] [--owner USER|UID] [--group GROUP|GID] [--perm OCTAL]" },
	{ "destroy", cmd_destroy, "NAME" },
	{ "list", cmd_list, "[--json]" },
	{ "info", cmd_info, "NAME [--json]" },
	{ "send", cmd_send, "[--nonblock] NAME [MSG...]" },
	{ "recv", cmd_recv,
	  "[-f|--follow] [--from-start|--from-end] [-n N] [--headers] [--json] [--nonblock] NAME" },
	{ "stats", cmd_stats, "[--cpus] [--json]" },
	{ "version", cmd_version, "[--json]" },
	{ "doctor", cmd_doctor, "[--json]" },
};

int main(int argc, char **argv)
{
	/* Options before the command; '+' stops at the command. */
	static const struct cmd_opts global_opts = {
		"+:" COMMON_SHORT, common_lopts, NULL, NULL
	};
	struct ctx ctx;
	const char *env;
	size_t i;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.control = DEFAULT_CONTROL;
	ctx.dev_dir = DEFAULT_DEV_DIR;
	ctx.proc_dir = DEFAULT_PROC_DIR;
	env = getenv("RINGBUSCTL_PROC_DIR");
	if (env && *env)
		ctx.proc_dir = env;

	opterr = 0;
	rc = parse_opts(&ctx, argc, argv, &global_opts);
	if (rc != RC_OK)
		return rc;
	if (optind >= argc)
		return usage_error(&ctx, "missing command");

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(commands))
		return usage_error(&ctx, "unknown command '%s'", argv[optind]);
	ctx.cmd = &commands[i];

	/* The command parses the rest, its argv[0] being its name. */
	argc -= optind;
	argv += optind;
	optind = 0;
	return ctx.cmd->run(&ctx, argc, argv);
}
