/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ringbusctl: what its files share.  ringbusctl.c has main(), the option
 * parsing and the one command table; util.c the parsing of values and the
 * device access; cmd-*.c the commands; doctor*.c the doctor command;
 * output.c the output layer (output.h) every command prints through.
 */
#ifndef RINGBUSCTL_H
#define RINGBUSCTL_H

#define _GNU_SOURCE
#include <ctype.h>
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

#include "output.h"

/* The tool's version (RINGBUS_VERSION, defined in ringbusctl.c). */
extern const char ringbus_version[];

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
	OPT_FORMAT,
	OPT_ENCODING,
	OPT_DRY_RUN,
	OPT_FIX,
	OPT_FORCE,
};

/* Accepted before the command and after it. */
#define COMMON_SHORT	"hV"
#define COMMON_LONG \
	{ "help",	no_argument,		NULL, 'h' }, \
	{ "version",	no_argument,		NULL, 'V' }, \
	{ "json",	no_argument,		NULL, OPT_JSON }, \
	{ "control",	required_argument,	NULL, OPT_CONTROL }, \
	{ "dev-dir",	required_argument,	NULL, OPT_DEV_DIR }

extern const struct option common_lopts[];


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
extern const struct cmd_opts common_opts;

struct command {
	const char *name;
	int (*run)(struct ctx *ctx, int argc, char **argv);
	const char *synopsis;	/* after "ringbusctl NAME " */
	const char *summary;	/* what --help says it does */
};

struct ctx {
	const char *control;
	const char *dev_dir;
	const char *proc_dir;
	const struct command *cmd;	/* NULL before the command is known */
};

/* An option that only sets a flag: the send and stats options. */
struct flag_opt {
	int opt;
	bool *flag;
};

typedef char rb_name_t[RINGBUS_NAME_MAX];

/* ringbusctl.c: messages and option parsing */
void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_error(const struct ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int bad_value(const struct ctx *ctx, const char *opt, const char *val,
	      const char *what);
int finish_stdout(int rc);
int parse_opts(struct ctx *ctx, int argc, char **argv,
	       const struct cmd_opts *opts);
int parse_args(struct ctx *ctx, int argc, char **argv,
	       const struct cmd_opts *opts, int min, int max);
int parse_name_args(struct ctx *ctx, int argc, char **argv,
		    const struct cmd_opts *opts, int max, const char **name);
int set_flag_opt(struct ctx *ctx, int c, void *data);

/* util.c: values and device access */
bool parse_u64(const char *s, bool suffixes, uint64_t max, uint64_t *out);
bool parse_octal_perm(const char *s, uint32_t *out);
bool parse_id(const char *s, bool user, uint32_t *out);
bool valid_name(const char *s);
int check_name(const struct ctx *ctx, const char *name);
const char *mode_name(uint32_t mode);
int open_control(const struct ctx *ctx);
int open_channel(const struct ctx *ctx, const char *name, int flags);
int control_ioctl(const struct ctx *ctx, unsigned long req, void *arg,
		  const char *verb, const char *name);
void copy_name(char *dst, const char *name);
void info_request(struct ringbus_info *info, const char *name);
int get_info(int cfd, const char *name, struct ringbus_info *info);
size_t split_fields(char *line, char **field, size_t max);
void chomp(char *s);
bool abi_minor_older(unsigned int minor);
ssize_t decode_base64(char *s, size_t len);
/* --encoding: how send reads and recv prints a record's bytes. */
enum encoding { ENC_TEXT, ENC_BASE64 };
int parse_encoding(const struct ctx *ctx, const char *arg, enum encoding *enc);

/* cmd-channel.c: a create option's or a channels.d column's value */
const char *create_field(int opt, const char *val, struct ringbus_create *cr);

/* The commands (the table is in ringbusctl.c). */
int cmd_create(struct ctx *ctx, int argc, char **argv);
int cmd_destroy(struct ctx *ctx, int argc, char **argv);
int cmd_list(struct ctx *ctx, int argc, char **argv);
int cmd_info(struct ctx *ctx, int argc, char **argv);
int cmd_send(struct ctx *ctx, int argc, char **argv);
int cmd_recv(struct ctx *ctx, int argc, char **argv);
int cmd_stats(struct ctx *ctx, int argc, char **argv);
int cmd_version(struct ctx *ctx, int argc, char **argv);
int cmd_doctor(struct ctx *ctx, int argc, char **argv);
int cmd_apply(struct ctx *ctx, int argc, char **argv);
int cmd_help(struct ctx *ctx, int argc, char **argv);

#endif
