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

static const struct option stats_lopts[] = {
	COMMON_LONG,
	{ "cpus",	no_argument, NULL, OPT_CPUS },
	{ NULL, 0, NULL, 0 }
};

int cmd_stats(struct ctx *ctx, int argc, char **argv)
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
	if (!out_json()) {
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
	}
	return rc;
}
