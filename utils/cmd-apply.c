// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbusctl apply: the channels declared in channels.d files
 * (ringbus-channels.d(5)) made to exist as declared.
 *
 * The files are read first, whole, and every line checked; only then is
 * the control node opened (which loads the modules), and only when at
 * least one channel is declared.  Each declared channel then gets one
 * status:
 *
 *   ok              exists as declared
 *   created         was missing, now exists
 *   differs         exists, some declared column differs (no --fix)
 *   recreated       differed; destroyed and created again (--fix)
 *   kept            differs, but holds records or is open: left as it is
 *                   unless --force
 *   failed          an ioctl failed (the error is on stderr)
 *   would create, would recreate     the same with --dry-run
 *
 * A channel's owner, group and mode are set at creation only (the
 * security model checks the channel, not the node, and there is no ioctl
 * to change them), so "fixing" any column means destroying the channel.
 */
#include "ringbusctl.h"

#define DEFAULT_CHANNELS_DIRS \
	"/etc/ringbus/channels.d:/run/ringbus/channels.d:/usr/lib/ringbus/channels.d"

/* The columns after NAME, in the order a line gives them. */
static const struct column {
	const char *name;
	int opt;		/* create's option: create_field() parses it */
} columns[] = {
	{ "mode",	OPT_MODE },
	{ "capacity",	OPT_CAPACITY },
	{ "max_record",	OPT_MAX_RECORD },
	{ "ttl_ms",	OPT_TTL },
	{ "owner",	OPT_OWNER },
	{ "group",	OPT_GROUP },
	{ "perm",	OPT_PERM },
};

#define NCOLUMNS	(1 + ARRAY_SIZE(columns))

/* One declared channel. */
struct decl {
	struct ringbus_create cr;	/* what CREATE gets */
	unsigned int set;		/* bit i: columns[i] was given */
	char *source;			/* "FILE:LINE" */
};

enum status {
	ST_OK, ST_CREATED, ST_DIFFERS, ST_RECREATED, ST_KEPT, ST_FAILED,
	ST_WOULD_CREATE, ST_WOULD_RECREATE, ST_COUNT
};

/* As text; in JSON with "_" for the blank ("would_create"). */
static const char *const status_text[ST_COUNT] = {
	"ok", "created", "differs", "recreated", "kept", "failed",
	"would create", "would recreate",
};

struct apply {
	bool dry_run, fix, force;
	struct decl *decls;
	size_t n, room;
	unsigned int bad;		/* lines or files that could not be used */
	unsigned int count[ST_COUNT];
};

struct conf_file {
	char *base;			/* the name that overrides */
	char *path;
};

/* ------------------------------------------------------------------ */
/* Reading the declarations */

static struct decl *find_decl(struct apply *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->decls[i].cr.name, name) == 0)
			return &a->decls[i];
	return NULL;
}

static bool add_decl(struct apply *a, const struct decl *d)
{
	if (a->n == a->room) {
		size_t room = a->room ? 2 * a->room : 16;
		struct decl *p = realloc(a->decls, room * sizeof(*p));

		if (!p)
			return false;
		a->decls = p;
		a->room = room;
	}
	a->decls[a->n++] = *d;
	return true;
}

/* One line (comments and blank lines already skipped): a declaration. */
static void parse_line(struct apply *a, char *line, const char *file,
		       unsigned int lineno)
{
	char *field[NCOLUMNS + 1];
	const struct decl *prev;
	struct decl d;
	size_t n, i;
	int len;

	n = split_fields(line, field, ARRAY_SIZE(field));
	if (n > NCOLUMNS) {
		errmsg("%s:%u: more than %zu columns (NAME MODE CAPACITY MAX_RECORD TTL_MS OWNER GROUP PERM)",
		       file, lineno, NCOLUMNS);
		a->bad++;
		return;
	}
	if (!valid_name(field[0])) {
		errmsg("%s:%u: invalid channel name '%s' (1-31 characters of a-z, 0-9, '_', '.', '-'; not 'control')",
		       file, lineno, field[0]);
		a->bad++;
		return;
	}
	memset(&d, 0, sizeof(d));
	d.cr.mode = RINGBUS_MODE_BROADCAST;
	copy_name(d.cr.name, field[0]);
	for (i = 1; i < n; i++) {
		const char *why;

		if (strcmp(field[i], "-") == 0)
			continue;
		why = create_field(columns[i - 1].opt, field[i], &d.cr);
		if (why) {
			errmsg("%s:%u: invalid %s '%s': %s", file, lineno,
			       columns[i - 1].name, field[i], why);
			a->bad++;
			return;
		}
		d.set |= 1U << (i - 1);
	}
	prev = find_decl(a, d.cr.name);
	if (prev) {
		/* As tmpfiles.d: the first declaration wins, the next is noise. */
		errmsg("%s:%u: channel '%s' is already declared at %s; line ignored",
		       file, lineno, d.cr.name, prev->source);
		return;
	}
	len = asprintf(&d.source, "%s:%u", file, lineno);
	if (len < 0 || !add_decl(a, &d)) {
		if (len >= 0)
			free(d.source);
		errmsg("%s:%u: %s", file, lineno, strerror(ENOMEM));
		a->bad++;
	}
}

/* A file of declarations; "-" is standard input. */
static void read_conf(struct apply *a, const char *path)
{
	bool std_in = strcmp(path, "-") == 0;
	const char *file = std_in ? "(stdin)" : path;
	unsigned int lineno = 0;
	char line[1024];
	FILE *f;

	f = std_in ? stdin : fopen(path, "re");
	if (!f) {
		errmsg("%s: %s", path, strerror(errno));
		a->bad++;
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		char *p = line;

		lineno++;
		if (len == sizeof(line) - 1 && line[len - 1] != '\n' && !feof(f)) {
			int c;

			errmsg("%s:%u: line longer than %zu bytes", file, lineno,
			       sizeof(line) - 2);
			a->bad++;
			while ((c = getc(f)) != EOF && c != '\n')
				;
			continue;
		}
		chomp(line);
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		parse_line(a, p, file, lineno);
	}
	if (ferror(f)) {
		errmsg("%s: %s", file, strerror(errno));
		a->bad++;
	}
	if (!std_in)
		fclose(f);
}

static int cmp_conf(const void *x, const void *y)
{
	const struct conf_file *a = x, *b = y;

	return strcmp(a->base, b->base);
}

/*
 * The *.conf files of the directories (a colon-separated list, the first
 * the strongest): a file hides its namesakes in the directories after it
 * (so /etc/ringbus/channels.d/foo.conf, or a link from it to /dev/null,
 * replaces /usr/lib/ringbus/channels.d/foo.conf), and they are read in
 * the order of their names, whatever directory each is in.
 */
static void read_dirs(struct apply *a, const char *dir_list)
{
	struct conf_file *files = NULL;
	size_t n = 0, room = 0, i;
	char *dirs, *dir, *save = NULL;

	dirs = strdup(dir_list);
	if (!dirs) {
		errmsg("apply: %s", strerror(ENOMEM));
		a->bad++;
		return;
	}
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		struct dirent **list;
		int k, m;

		m = scandir(dir, &list, NULL, alphasort);
		if (m < 0) {
			if (errno != ENOENT) {
				errmsg("%s: %s", dir, strerror(errno));
				a->bad++;
			}
			continue;
		}
		for (k = 0; k < m; k++) {
			const char *name = list[k]->d_name;
			size_t len = strlen(name);
			bool hidden = false;

			for (i = 0; i < n; i++)
				hidden |= strcmp(files[i].base, name) == 0;
			if (len > 5 && strcmp(name + len - 5, ".conf") == 0 &&
			    name[0] != '.' && !hidden) {
				struct conf_file *p = files;

				if (n == room) {
					room = room ? 2 * room : 16;
					p = realloc(files, room * sizeof(*files));
				}
				if (p) {
					files = p;
					files[n].base = strdup(name);
					if (asprintf(&files[n].path, "%s/%s", dir, name) < 0)
						files[n].path = NULL;
				}
				if (!p || !files[n].base || !files[n].path) {
					errmsg("%s/%s: %s", dir, name, strerror(ENOMEM));
					a->bad++;
				} else {
					n++;
				}
			}
			free(list[k]);
		}
		free(list);
	}
	qsort(files, n, sizeof(*files), cmp_conf);
	for (i = 0; i < n; i++) {
		read_conf(a, files[i].path);
		free(files[i].base);
		free(files[i].path);
	}
	free(files);
	free(dirs);
}

/* ------------------------------------------------------------------ */
/* Comparing and applying */

/* A column's declared and actual values, as numbers. */
static void column_values(const struct decl *d, const struct ringbus_info *in,
			  size_t col, uint64_t *want, uint64_t *have)
{
	switch (columns[col].opt) {
	case OPT_MODE:
		*want = d->cr.mode, *have = in->mode;
		break;
	case OPT_CAPACITY:
		*want = d->cr.capacity, *have = in->capacity;
		break;
	case OPT_MAX_RECORD:
		*want = d->cr.max_record, *have = in->max_record;
		break;
	case OPT_TTL:
		*want = d->cr.ttl_ms, *have = in->ttl_ms;
		break;
	case OPT_OWNER:
		*want = d->cr.uid, *have = in->uid;
		break;
	case OPT_GROUP:
		*want = d->cr.gid, *have = in->gid;
		break;
	default:
		*want = d->cr.perm, *have = in->perm;
		break;
	}
}

/* The declared columns whose values differ from the channel's (bits). */
static unsigned int differences(const struct decl *d, const struct ringbus_info *in)
{
	unsigned int diff = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(columns); i++) {
		uint64_t want, have;

		if (!(d->set & (1U << i)))
			continue;
		column_values(d, in, i, &want, &have);
		if (want != have)
			diff |= 1U << i;
	}
	return diff;
}

static void print_column_value(const char *key, size_t col, uint64_t v)
{
	if (columns[col].opt == OPT_MODE)
		print_string(PRINT_ANY, key, "%s", mode_name((uint32_t)v));
	else
		print_u64(PRINT_ANY, key,
			  columns[col].opt == OPT_PERM ? "%04llo" : "%llu", v);
}

/*
 * One channel's line: "STATUS NAME[: DETAILS]", or its JSON object with
 * the file and line that declared it and the columns that differ.
 */
static void report(struct apply *a, const struct decl *d, enum status st,
		   const struct ringbus_info *in, unsigned int diff)
{
	a->count[st]++;
	out_open_object(NULL, false);
	print_fp("%-15s", status_text[st]);
	if (out_json()) {
		char key[sizeof("would recreate")], *p;

		snprintf(key, sizeof(key), "%s", status_text[st]);
		p = strchr(key, ' ');
		if (p)
			*p = '_';
		print_string(PRINT_JSON, "status", NULL, key);
	}
	print_string(PRINT_ANY, "name", "%s", d->cr.name);
	print_string(PRINT_JSON, "source", NULL, d->source);
	if (st == ST_KEPT) {
		print_u64(PRINT_ANY, "records", ": holds %llu records", in->records);
		print_uint(PRINT_ANY, "readers", ", %u readers", in->readers);
		print_uint(PRINT_ANY, "writers", " and %u writers open (--force recreates it)",
			   in->writers);
	}
	if (diff) {
		bool first = true;
		size_t i;

		out_open_array("differences", false);
		for (i = 0; i < ARRAY_SIZE(columns); i++) {
			uint64_t want, have;

			if (!(diff & (1U << i)))
				continue;
			column_values(d, in, i, &want, &have);
			print_fp("%s", first && st != ST_KEPT ? ": " : first ? "; " : ", ");
			first = false;
			out_open_object(NULL, false);
			print_string(PRINT_ANY, "column", "%s ", columns[i].name);
			print_column_value("actual", i, have);
			print_fp(" (declared ");
			print_column_value("declared", i, want);
			print_fp(")");
			out_close_object();
		}
		out_close_array();
	}
	print_fp("\n");
	out_close_object();
}

/* Destroys the channel (unless --dry-run) and creates it as declared. */
static enum status make_channel(const struct apply *a, int cfd,
				const struct decl *d, bool exists)
{
	if (a->dry_run)
		return exists ? ST_WOULD_RECREATE : ST_WOULD_CREATE;
	if (exists) {
		struct ringbus_name rn;

		memset(&rn, 0, sizeof(rn));
		copy_name(rn.name, d->cr.name);
		if (ioctl(cfd, RINGBUS_IOC_DESTROY, &rn) < 0) {
			errmsg("destroy %s: %s", d->cr.name, strerror(errno));
			return ST_FAILED;
		}
	}
	if (ioctl(cfd, RINGBUS_IOC_CREATE, &d->cr) < 0) {
		errmsg("create %s: %s", d->cr.name, strerror(errno));
		return ST_FAILED;
	}
	return exists ? ST_RECREATED : ST_CREATED;
}

static void apply_one(struct apply *a, int cfd, const struct decl *d)
{
	struct ringbus_info in;
	unsigned int diff = 0;
	enum status st;

	memset(&in, 0, sizeof(in));
	if (get_info(cfd, d->cr.name, &in) < 0) {
		if (errno == ENOENT) {
			st = make_channel(a, cfd, d, false);
		} else {
			errmsg("info %s: %s", d->cr.name, strerror(errno));
			st = ST_FAILED;
		}
	} else {
		diff = differences(d, &in);
		if (!diff)
			st = ST_OK;
		else if (!a->fix)
			st = ST_DIFFERS;
		else if ((in.records || in.readers || in.writers) && !a->force)
			st = ST_KEPT;
		else
			st = make_channel(a, cfd, d, true);
	}
	report(a, d, st, &in, diff);
}

/* ------------------------------------------------------------------ */
/* The command */

static const struct option apply_lopts[] = {
	COMMON_LONG,
	{ "dry-run",	no_argument,	NULL, OPT_DRY_RUN },
	{ "fix",	no_argument,	NULL, OPT_FIX },
	{ "force",	no_argument,	NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 }
};

static int apply_opt(struct ctx *ctx, int c, void *data)
{
	struct apply *a = data;

	(void)ctx;
	switch (c) {
	case OPT_DRY_RUN:
		a->dry_run = true;
		return RC_CONTINUE;
	case OPT_FIX:
		a->fix = true;
		return RC_CONTINUE;
	case OPT_FORCE:
		a->force = true;
		return RC_CONTINUE;
	}
	return RC_OTHER;
}

int cmd_apply(struct ctx *ctx, int argc, char **argv)
{
	struct apply a;
	const struct cmd_opts opts = {
		":" COMMON_SHORT, apply_lopts, apply_opt, &a
	};
	const char *dirs;
	size_t i;
	int rc, fd = -1;

	memset(&a, 0, sizeof(a));
	rc = parse_args(ctx, argc, argv, &opts, 0, -1);
	if (rc != RC_OK)
		return rc;
	if (a.force && !a.fix)
		return usage_error(ctx, "--force only applies with --fix");

	dirs = getenv("RINGBUSCTL_CHANNELS_DIRS");
	if (!dirs || !*dirs)
		dirs = DEFAULT_CHANNELS_DIRS;
	if (optind < argc)
		for (i = (size_t)optind; i < (size_t)argc; i++)
			read_conf(&a, argv[i]);
	else
		read_dirs(&a, dirs);

	/* Nothing declared: the modules are not even loaded. */
	if (a.n > 0) {
		fd = open_control(ctx);
		if (fd < 0) {
			rc = RC_FAIL;
			goto out;
		}
	}
	out_open_array(NULL, true);
	for (i = 0; i < a.n; i++)
		apply_one(&a, fd, &a.decls[i]);
	out_close_array();
	if (a.n == 0) {
		print_fp("no channels declared (%s)\n",
			 optind < argc ? "in the files named" : dirs);
	} else {
		const char *sep = ": ";

		print_fp("%zu declared", a.n);
		for (i = 0; i < ST_COUNT; i++)
			if (a.count[i]) {
				print_fp("%s%u %s", sep, a.count[i], status_text[i]);
				sep = ", ";
			}
		print_fp("\n");
	}
	rc = a.bad || a.count[ST_DIFFERS] || a.count[ST_KEPT] ||
	     a.count[ST_FAILED] ? RC_FAIL : RC_OK;
	rc = finish_stdout(rc);
out:
	if (fd >= 0)
		close(fd);
	for (i = 0; i < a.n; i++)
		free(a.decls[i].source);
	free(a.decls);
	return rc;
}
