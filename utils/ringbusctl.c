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
#include "ringbusctl.h"

#ifndef RINGBUS_VERSION
#define RINGBUS_VERSION "0.1.0"
#endif

const char ringbus_version[] = RINGBUS_VERSION;

const struct option common_lopts[] = {
	COMMON_LONG,
	{ NULL, 0, NULL, 0 }
};

const struct cmd_opts common_opts = {
	":" COMMON_SHORT, common_lopts, NULL, NULL
};

/*
 * The one command table: dispatch, the usage line of each command (usage
 * errors and "COMMAND --help") and the Commands section of --help.
 */
static const struct command commands[] = {
	{ "create", cmd_create,
	  "NAME [--capacity SIZE] [--mode broadcast|queue] [--max-record SIZE] [--ttl MS] [--owner USER|UID] [--group GROUP|GID] [--perm OCTAL]",
	  "create a channel (SIZE: BYTES, NK or NM)" },
	{ "destroy", cmd_destroy, "NAME", "destroy a channel" },
	{ "list", cmd_list, "[--json]", "list the channels" },
	{ "info", cmd_info, "NAME [--json]", "show one channel" },
	{ "send", cmd_send, "[--nonblock] [--encoding text|base64] NAME [MSG...]",
	  "write one record per MSG, or per line of stdin" },
	{ "recv", cmd_recv,
	  "[-f|--follow] [--from-start|--from-end] [-n N] [--headers] [--json] [--nonblock] [--encoding text|base64] NAME",
	  "read records and print one per line" },
	{ "stats", cmd_stats, "[--cpus] [--json] [--format text|json|prometheus]",
	  "show the counters of /proc/ringbus (ringbus_proc)" },
	{ "version", cmd_version, "[--json]",
	  "show the versions of this tool and of the module" },
	{ "doctor", cmd_doctor, "[--json]",
	  "check the installation, say how to fix it" },
	{ "apply", cmd_apply, "[--dry-run] [--fix [--force]] [--json] [FILE...]",
	  "create the channels declared in channels.d" },
	{ "help", cmd_help, "[COMMAND]",
	  "show this help, or the usage of COMMAND" },
};

/* --help: the column of the descriptions, the width lines are kept within. */
#define HELP_COL	26
#define HELP_WIDTH	79

/*
 * "LEAD NAME SYNOPSIS" ("[--json]" left out with @no_json), broken at the
 * blanks between bracketed groups so that no line is wider than
 * HELP_WIDTH, the lines after the first indented to the synopsis.
 * Returns the column the last line ends at.
 */
static int print_synopsis(const char *lead, const struct command *c,
			  bool no_json)
{
	const char *p = c->synopsis;
	int indent = (int)strlen(lead) + (int)strlen(c->name) + 1;
	int col = printf("%s%s", lead, c->name);

	while (*p) {
		const char *q = p;
		int depth = 0, len;

		/* One word: up to a blank outside brackets. */
		while (*q && (depth > 0 || *q != ' ')) {
			if (*q == '[')
				depth++;
			else if (*q == ']')
				depth--;
			q++;
		}
		len = (int)(q - p);
		/* --json is one of the Options, listed below. */
		if (no_json && len == 8 && strncmp(p, "[--json]", 8) == 0) {
			p = *q ? q + 1 : q;
			continue;
		}
		if (col + 1 + len > HELP_WIDTH)
			col = printf("\n%*s", indent - 1, "") - 1;
		col += printf(" %.*s", len, p);
		p = *q ? q + 1 : q;
	}
	return col;
}

/*
 * "  NAME SYNOPSIS" (print_synopsis(), without "[--json]"), then the
 * summary: at HELP_COL on the last line if it fits there, else on a line
 * of its own.
 */
static void help_command(const struct command *c)
{
	int col = print_synopsis("  ", c, true);

	if (col >= HELP_COL - 1)
		col = printf("\n") - 1;
	printf("%*s%s\n", HELP_COL - col, "", c->summary);
}

static void print_options(void);

static void print_help(void)
{
	size_t i;

	fputs("Usage: " PROG " [OPTIONS] COMMAND [ARGS...]\n"
	      "\n"
	      "Manage and use ringbus message channels (/dev/ringbus/NAME).\n"
	      "\n"
	      "Commands:\n", stdout);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		help_command(&commands[i]);
	print_options();
}

/* COMMAND --help, help COMMAND: its usage and summary, the options. */
static void print_command_help(const struct command *c)
{
	print_synopsis("Usage: " PROG " ", c, false);
	printf("\n\n");
	printf("%c%s.\n", toupper((unsigned char)c->summary[0]), c->summary + 1);
	print_options();
}

static void print_options(void)
{
	fputs("\n"
	      "Options:\n"
	      "  -h, --help              show this help and exit\n"
	      "  -V, --version           show the version of " PROG " and exit\n"
	      "      --json              print data as JSON (list, info, recv, stats, version,\n"
	      "                          doctor, apply)\n"
	      "      --control PATH      control node (default " DEFAULT_CONTROL ")\n"
	      "      --dev-dir DIR       directory of channel nodes (default " DEFAULT_DEV_DIR ")\n"
	      "\n"
	      "Exit status: 0 success, 1 failure, 2 usage error.  See " PROG "(1).\n",
	      stdout);
}

/* ------------------------------------------------------------------ */
/* Messages */

void errmsg(const char *fmt, ...)
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

int usage_error(const struct ctx *ctx, const char *fmt, ...)
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

int bad_value(const struct ctx *ctx, const char *opt, const char *val,
		     const char *what)
{
	return usage_error(ctx, "invalid %s '%s': %s", opt, val, what);
}

/* Flush stdout and report a failure to write it (full disk, closed pipe). */
int finish_stdout(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		errmsg("standard output: %s", strerror(errno));
		return RC_FAIL;
	}
	return rc;
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
			print_command_help(ctx->cmd);
		else
			print_help();
		exit(finish_stdout(RC_OK));
	case 'V':
		printf(PROG " %s\n", ringbus_version);
		exit(finish_stdout(RC_OK));
	case OPT_JSON:
		out_init(true);
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
int parse_opts(struct ctx *ctx, int argc, char **argv,
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
int parse_args(struct ctx *ctx, int argc, char **argv,
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
int parse_name_args(struct ctx *ctx, int argc, char **argv,
			   const struct cmd_opts *opts, int max,
			   const char **name)
{
	int rc = parse_args(ctx, argc, argv, opts, 1, max);

	if (rc != RC_OK)
		return rc;
	*name = argv[optind];
	return check_name(ctx, *name);
}

int set_flag_opt(struct ctx *ctx, int c, void *data)
{
	const struct flag_opt *fo = data;

	(void)ctx;
	if (c != fo->opt)
		return RC_OTHER;
	*fo->flag = true;
	return RC_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* help */

int cmd_help(struct ctx *ctx, int argc, char **argv)
{
	size_t i;
	int rc;

	rc = parse_args(ctx, argc, argv, &common_opts, 0, 1);
	if (rc != RC_OK)
		return rc;
	if (optind >= argc) {
		print_help();
		return finish_stdout(RC_OK);
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(argv[optind], commands[i].name) == 0) {
			print_command_help(&commands[i]);
			return finish_stdout(RC_OK);
		}
	return usage_error(ctx, "unknown command '%s'", argv[optind]);
}

/* ------------------------------------------------------------------ */
/* main */

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
