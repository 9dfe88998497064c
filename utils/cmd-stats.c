// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbusctl: stats (the text files of ringbus_proc under /proc/ringbus/)
 * and version.
 */
#include "ringbusctl.h"

/* ------------------------------------------------------------------ */
/* stats */

/* "key value" lines to one JSON object; a trailing ':' of a key is dropped. */
static void stats_kv_json(FILE *f)
{
	char *line = NULL, *key, *val, *p;
	size_t cap = 0, klen;

	out_open_object(NULL, true);
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
		print_value(PRINT_JSON, key, NULL, val);
	}
	out_close_object();
	free(line);
}

#define MAX_COLS	64

/* A table, its first line naming the columns, to a JSON array of objects. */
static void stats_table_json(FILE *f)
{
	char *head_line = NULL, *line = NULL;
	char *head[MAX_COLS], *field[MAX_COLS];
	size_t hcap = 0, cap = 0, ncols = 0, i;

	while (ncols == 0 && getline(&head_line, &hcap, f) >= 0) {
		chomp(head_line);
		ncols = split_fields(head_line, head, MAX_COLS);
	}
	out_open_array(NULL, true);
	while (ncols > 0 && getline(&line, &cap, f) >= 0) {
		size_t n;

		chomp(line);
		n = split_fields(line, field, MAX_COLS);
		if (n == 0)
			continue;
		out_open_object(NULL, false);
		for (i = 0; i < n && i < ncols; i++)
			print_value(PRINT_JSON, head[i], NULL, field[i]);
		out_close_object();
	}
	out_close_array();
	free(line);
	free(head_line);
}

/* ------------------------------------------------------------------ */
/* stats --format=prometheus */

/*
 * Prometheus's text exposition format (0.0.4), as node-exporter's textfile
 * collector reads it: each family's "# HELP" and "# TYPE" lines, then all
 * its samples.  The families are the ones below; a key or column of
 * /proc/ringbus that none names is left out (a new counter gets its entry
 * here, with its type).  Values are printed as the integers they are; a
 * field that is not one gives no sample.
 */
struct prom_family {
	const char *key;	/* the /proc/ringbus key or column */
	const char *name;	/* the metric, after "ringbus_" */
	const char *type;	/* "counter" or "gauge" */
	const char *help;
};

/* /proc/ringbus/stats: the suite's counters. */
static const struct prom_family prom_suite[] = {
	{ "channels", "channels", "gauge", "Channels that exist now." },
	{ "records_written", "records_written_total", "counter",
	  "Records written since the core was loaded." },
	{ "bytes_written", "written_bytes_total", "counter",
	  "Payload bytes written since the core was loaded." },
	{ "records_read", "records_read_total", "counter",
	  "Records returned to readers since the core was loaded." },
	{ "bytes_read", "read_bytes_total", "counter",
	  "Payload bytes returned to readers since the core was loaded." },
	{ "drops", "drops_total", "counter",
	  "Records discarded unread since the core was loaded." },
	{ "overruns", "overruns_total", "counter",
	  "Times a broadcast reader was overtaken by the writers." },
	{ "wakeups", "wakeups_total", "counter",
	  "Wake-ups of sleeping readers and writers." },
	{ "expired", "expired_total", "counter",
	  "Records dropped by their channel's time to live." },
};

/* /proc/ringbus/channels: one sample per channel. */
static const struct prom_family prom_channel[] = {
	{ "capacity", "channel_capacity_bytes", "gauge", "The channel's ring size." },
	{ "used", "channel_used_bytes", "gauge",
	  "Ring bytes in use, record headers and padding included." },
	{ "records", "channel_records", "gauge", "Records in the ring." },
	{ "last_seq", "channel_last_seq", "gauge",
	  "Sequence number of the channel's newest record, 0 if none." },
	{ "readers", "channel_readers", "gauge", "Open files with read access." },
	{ "writers", "channel_writers", "gauge", "Open files with write access." },
	{ "drops", "channel_drops_total", "counter",
	  "Records the channel discarded unread." },
};

/* /proc/ringbus/cpus: one sample per CPU. */
static const struct prom_family prom_cpu[] = {
	{ "records_written", "cpu_records_written_total", "counter",
	  "Records written on this CPU." },
	{ "bytes_written", "cpu_written_bytes_total", "counter",
	  "Payload bytes written on this CPU." },
	{ "records_read", "cpu_records_read_total", "counter",
	  "Records read on this CPU." },
	{ "bytes_read", "cpu_read_bytes_total", "counter",
	  "Payload bytes read on this CPU." },
	{ "drops", "cpu_drops_total", "counter",
	  "Records discarded unread on this CPU." },
	{ "overruns", "cpu_overruns_total", "counter",
	  "Broadcast readers overtaken on this CPU." },
	{ "wakeups", "cpu_wakeups_total", "counter",
	  "Wake-ups made on this CPU." },
	{ "expired", "cpu_expired_total", "counter",
	  "Records dropped by the time to live on this CPU." },
};

#define MAX_FIELDS	64

/* A line of a /proc/ringbus text file, split at blanks. */
struct proc_line {
	char *text;			/* the fields point into it */
	char *field[MAX_FIELDS];
	size_t n;
};

/* A whole file, its blank lines left out. */
struct proc_table {
	struct proc_line *line;
	size_t n;
};

static void table_free(struct proc_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->line[i].text);
	free(t->line);
	memset(t, 0, sizeof(*t));
}

/* Reads @f into @t, its blank lines left out: 0, or -1 with errno. */
static int table_read(FILE *f, struct proc_table *t)
{
	char *text = NULL;
	size_t cap = 0, room = 0;

	memset(t, 0, sizeof(*t));
	while (getline(&text, &cap, f) >= 0) {
		struct proc_line *l;

		chomp(text);
		if (text[strspn(text, " \t")] == '\0')
			continue;
		if (t->n == room) {
			size_t nroom = room ? 2 * room : 64;

			l = realloc(t->line, nroom * sizeof(*l));
			if (!l) {
				free(text);
				errno = ENOMEM;
				return -1;
			}
			t->line = l;
			room = nroom;
		}
		l = &t->line[t->n++];
		l->text = text;
		l->n = split_fields(text, l->field, MAX_FIELDS);
		text = NULL;
		cap = 0;
	}
	free(text);
	return ferror(f) ? -1 : 0;
}

/* A /proc value as an integer: digits, a '-' before them at most. */
static bool prom_number(const char *s, long long *v)
{
	const char *d = s[0] == '-' ? s + 1 : s;
	char *end;

	if (*d < '0' || *d > '9')
		return false;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static void prom_head(const struct prom_family *fam)
{
	printf("# HELP ringbus_%s %s\n# TYPE ringbus_%s %s\n",
	       fam->name, fam->help, fam->name, fam->type);
}

/* A label value, escaped as the format wants: \\, \" and \n. */
static void prom_label(const char *key, const char *val, bool first)
{
	printf("%s%s=\"", first ? "" : ",", key);
	for (; *val; val++) {
		if (*val == '\\' || *val == '"')
			printf("\\%c", *val);
		else if (*val == '\n')
			fputs("\\n", stdout);
		else
			putchar(*val);
	}
	putchar('"');
}

/* The "key value" lines of /proc/ringbus/stats (a ':' after a key dropped). */
static void prom_suite_families(const struct proc_table *t)
{
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(prom_suite); i++) {
		for (j = 0; j < t->n; j++) {
			const struct proc_line *l = &t->line[j];
			size_t klen = strlen(l->field[0]);
			long long v;

			if (klen > 1 && l->field[0][klen - 1] == ':')
				klen--;
			if (l->n != 2 || klen != strlen(prom_suite[i].key) ||
			    strncmp(l->field[0], prom_suite[i].key, klen) ||
			    !prom_number(l->field[1], &v))
				continue;
			prom_head(&prom_suite[i]);
			printf("ringbus_%s %lld\n", prom_suite[i].name, v);
			break;
		}
	}
}

static ssize_t table_column(const struct proc_table *t, const char *name)
{
	size_t c;

	if (t->n == 0)
		return -1;
	for (c = 0; c < t->line[0].n; c++)
		if (strcmp(t->line[0].field[c], name) == 0)
			return (ssize_t)c;
	return -1;
}

#define PROM_MAX_LABELS	2

/* A label of a table's samples: the value of @column, named @name. */
struct prom_label {
	const char *column;
	const char *name;
};

/*
 * A table (its first line the column names), one sample per row of each
 * family whose column it has, labelled by the @nlabels @labels
 * (PROM_MAX_LABELS at most).
 */
static void prom_table_families(const struct proc_table *t,
				const struct prom_family *fams, size_t nfams,
				const struct prom_label *labels, size_t nlabels)
{
	ssize_t lcol[PROM_MAX_LABELS];
	size_t i, r, l;

	if (nlabels > PROM_MAX_LABELS)
		return;
	for (l = 0; l < nlabels; l++) {
		lcol[l] = table_column(t, labels[l].column);
		if (lcol[l] < 0)
			return;
	}
	for (i = 0; i < nfams; i++) {
		ssize_t c = table_column(t, fams[i].key);
		bool head = false;

		if (c < 0)
			continue;
		for (r = 1; r < t->n; r++) {
			const struct proc_line *row = &t->line[r];
			long long v;

			if ((size_t)c >= row->n || !prom_number(row->field[c], &v))
				continue;
			if (!head)
				prom_head(&fams[i]);
			head = true;
			printf("ringbus_%s{", fams[i].name);
			for (l = 0; l < nlabels; l++)
				prom_label(labels[l].name, (size_t)lcol[l] < row->n ?
					   row->field[lcol[l]] : "", l == 0);
			printf("} %lld\n", v);
		}
	}
}

/* Opens /proc/ringbus/@name (@path: PATH_MAX bytes); NULL after a message. */
static FILE *open_proc(const struct ctx *ctx, const char *name, char *path)
{
	FILE *f;
	int n;

	n = snprintf(path, PATH_MAX, "%s/%s", ctx->proc_dir, name);
	if (n < 0 || n >= PATH_MAX) {
		errmsg("%s: %s", ctx->proc_dir, strerror(ENAMETOOLONG));
		return NULL;
	}
	f = fopen(path, "re");
	if (!f) {
		int e = errno;

		errmsg("%s: %s%s", path, strerror(e),
		       e == ENOENT ? " (is the ringbus_proc module loaded?)" : "");
	}
	return f;
}

/* Reads /proc/ringbus/@name whole into @t; RC_OK or RC_FAIL. */
static int read_proc_table(const struct ctx *ctx, const char *name,
			   struct proc_table *t)
{
	char path[PATH_MAX];
	FILE *f = open_proc(ctx, name, path);
	int rc = RC_OK;

	if (!f)
		return RC_FAIL;
	if (table_read(f, t) < 0) {
		errmsg("%s: %s", path, strerror(errno));
		table_free(t);
		rc = RC_FAIL;
	}
	fclose(f);
	return rc;
}

/* stats --format=prometheus: the suite and its channels, or the CPUs. */
static int stats_prometheus(const struct ctx *ctx, bool cpus)
{
	static const struct prom_label chan_labels[] = {
		{ "name", "channel" }, { "mode", "mode" }
	};
	static const struct prom_label cpu_labels[] = { { "cpu", "cpu" } };
	struct proc_table st, ch;

	if (cpus) {
		if (read_proc_table(ctx, "cpus", &st) != RC_OK)
			return RC_FAIL;
		prom_table_families(&st, prom_cpu, ARRAY_SIZE(prom_cpu),
				    cpu_labels, ARRAY_SIZE(cpu_labels));
		table_free(&st);
		return finish_stdout(RC_OK);
	}
	/* Both files read before a line is printed: all or nothing. */
	if (read_proc_table(ctx, "stats", &st) != RC_OK)
		return RC_FAIL;
	if (read_proc_table(ctx, "channels", &ch) != RC_OK) {
		table_free(&st);
		return RC_FAIL;
	}
	prom_suite_families(&st);
	prom_table_families(&ch, prom_channel, ARRAY_SIZE(prom_channel),
			    chan_labels, ARRAY_SIZE(chan_labels));
	table_free(&ch);
	table_free(&st);
	return finish_stdout(RC_OK);
}

static const struct option stats_lopts[] = {
	COMMON_LONG,
	{ "cpus",	no_argument, NULL, OPT_CPUS },
	{ "format",	required_argument, NULL, OPT_FORMAT },
	{ NULL, 0, NULL, 0 }
};

enum stats_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_PROMETHEUS };

struct stats_args {
	bool cpus;
	enum stats_format format;
};

static int stats_opt(struct ctx *ctx, int c, void *data)
{
	struct stats_args *a = data;

	switch (c) {
	case OPT_CPUS:
		a->cpus = true;
		return RC_CONTINUE;
	case OPT_FORMAT:
		if (strcmp(optarg, "text") == 0)
			a->format = FORMAT_TEXT;
		else if (strcmp(optarg, "json") == 0)
			a->format = FORMAT_JSON;
		else if (strcmp(optarg, "prometheus") == 0)
			a->format = FORMAT_PROMETHEUS;
		else
			return bad_value(ctx, "--format", optarg,
					 "expected text, json or prometheus");
		return RC_CONTINUE;
	}
	return RC_OTHER;
}

int cmd_stats(struct ctx *ctx, int argc, char **argv)
{
	struct stats_args a = { false, FORMAT_TEXT };
	const struct cmd_opts opts = {
		":" COMMON_SHORT, stats_lopts, stats_opt, &a
	};
	char path[PATH_MAX];
	int rc;
	FILE *f;

	rc = parse_args(ctx, argc, argv, &opts, 0, 0);
	if (rc != RC_OK)
		return rc;
	if (a.format == FORMAT_JSON)
		out_init(true);
	if (a.format == FORMAT_PROMETHEUS) {
		if (out_json())
			return usage_error(ctx, "--json and --format prometheus exclude each other");
		return stats_prometheus(ctx, a.cpus);
	}

	f = open_proc(ctx, a.cpus ? "cpus" : "stats", path);
	if (!f)
		return RC_FAIL;
	if (!out_json()) {
		char buf[4096];
		size_t got;

		while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, got, stdout);
	} else if (a.cpus) {
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

int cmd_version(struct ctx *ctx, int argc, char **argv)
{
	struct ringbus_version v;
	char module[32];
	int rc;

	rc = parse_args(ctx, argc, argv, &common_opts, 0, 0);
	if (rc != RC_OK)
		return rc;

	/* The tool's own version is worth printing even without a module. */
	print_fp(PROG " %s (ABI %u.%u)\n", ringbus_version,
		 (unsigned int)RINGBUS_ABI_MAJOR, (unsigned int)RINGBUS_ABI_MINOR);
	memset(&v, 0, sizeof(v));
	rc = control_ioctl(ctx, RINGBUS_IOC_VERSION, &v, "version", NULL);
	if (rc != RC_OK)
		return rc;

	snprintf(module, sizeof(module), "%u.%u.%u",
		 (unsigned int)(v.version >> 16),
		 (unsigned int)((v.version >> 8) & 0xff),
		 (unsigned int)(v.version & 0xff));
	out_open_object(NULL, false);
	print_string(PRINT_JSON, "version", NULL, ringbus_version);
	print_uint(PRINT_JSON, "abi_major", NULL, RINGBUS_ABI_MAJOR);
	print_uint(PRINT_JSON, "abi_minor", NULL, RINGBUS_ABI_MINOR);
	out_open_object("module", false);
	print_string(PRINT_ANY, "version", "ringbus module %s", module);
	print_uint(PRINT_ANY, "abi_major", " (ABI %u", v.abi_major);
	print_uint(PRINT_ANY, "abi_minor", ".%u)\n", v.abi_minor);
	out_close_object();
	out_close_object();
	rc = finish_stdout(RC_OK);
	if (v.abi_major != RINGBUS_ABI_MAJOR) {
		errmsg("ABI mismatch: the ringbus module has ABI %u.%u, this " PROG
		       " was built for ABI %u.%u; install matching versions of the module and of " PROG,
		       (unsigned int)v.abi_major, (unsigned int)v.abi_minor,
		       (unsigned int)RINGBUS_ABI_MAJOR,
		       (unsigned int)RINGBUS_ABI_MINOR);
		rc = RC_FAIL;
	} else if (abi_minor_older(v.abi_minor)) {
		/* Compatible: only what the later minors added is missing. */
		errmsg("the ringbus module has ABI %u.%u, older than this " PROG
		       "'s ABI %u.%u: what ABI %u.%u to %u.%u added fails with ENOTTY; install matching versions of the module and of " PROG,
		       (unsigned int)v.abi_major, (unsigned int)v.abi_minor,
		       (unsigned int)RINGBUS_ABI_MAJOR, (unsigned int)RINGBUS_ABI_MINOR,
		       (unsigned int)RINGBUS_ABI_MAJOR, (unsigned int)v.abi_minor + 1,
		       (unsigned int)RINGBUS_ABI_MAJOR, (unsigned int)RINGBUS_ABI_MINOR);
	}
	return rc;
}
