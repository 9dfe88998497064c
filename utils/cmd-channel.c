// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbusctl: the commands of the control node: create, destroy, list
 * and info.
 */
#include "ringbusctl.h"

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

/*
 * One field of a channel's creation from its text: the value of a create
 * option (@opt, an OPT_* of create) or of a column of channels.d.  Sets
 * the field (and its RINGBUS_CREATE_* flag) in @cr; returns NULL, or what
 * was expected, for "invalid --OPT 'VALUE': EXPECTED".
 */
const char *create_field(int opt, const char *val, struct ringbus_create *cr)
{
	uint64_t v;

	switch (opt) {
	case OPT_CAPACITY:
		if (!parse_u64(val, true, UINT64_MAX, &v))
			return "expected BYTES, NK or NM";
		if (v & (v - 1))
			return "not a power of two";
		cr->capacity = v;
		break;
	case OPT_MODE:
		if (strcmp(val, "broadcast") == 0)
			cr->mode = RINGBUS_MODE_BROADCAST;
		else if (strcmp(val, "queue") == 0)
			cr->mode = RINGBUS_MODE_QUEUE;
		else
			return "expected broadcast or queue";
		break;
	case OPT_MAX_RECORD:
		if (!parse_u64(val, true, UINT32_MAX, &v))
			return "expected BYTES, NK or NM below 4G";
		cr->max_record = (uint32_t)v;
		break;
	case OPT_TTL:
		if (!parse_u64(val, false, UINT32_MAX, &v))
			return "expected milliseconds";
		cr->ttl_ms = (uint32_t)v;
		break;
	case OPT_OWNER:
		if (!parse_id(val, true, &cr->uid))
			return "no such user";
		cr->flags |= RINGBUS_CREATE_UID;
		break;
	case OPT_GROUP:
		if (!parse_id(val, false, &cr->gid))
			return "no such group";
		cr->flags |= RINGBUS_CREATE_GID;
		break;
	case OPT_PERM:
		if (!parse_octal_perm(val, &cr->perm))
			return "expected an octal mode of at most 0777";
		cr->flags |= RINGBUS_CREATE_PERM;
		break;
	}
	return NULL;
}

static int create_opt(struct ctx *ctx, int c, void *data)
{
	const struct option *o;
	const char *why;

	for (o = create_lopts; o->name; o++)
		if (o->val == c && o->has_arg == required_argument &&
		    c >= OPT_CAPACITY && c <= OPT_PERM)
			break;
	if (!o->name)
		return RC_OTHER;
	why = create_field(c, optarg, data);
	if (why) {
		char opt[32];

		snprintf(opt, sizeof(opt), "--%s", o->name);
		return bad_value(ctx, opt, optarg, why);
	}
	return RC_CONTINUE;
}

int cmd_create(struct ctx *ctx, int argc, char **argv)
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

int cmd_destroy(struct ctx *ctx, int argc, char **argv)
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

/* A numeric field's value. */
static uint64_t field_value(const struct ringbus_info *in,
			    const struct info_field *f)
{
	const char *p = (const char *)in + f->offset;
	uint64_t v64;
	uint32_t v32;

	if (f->kind == FIELD_U64) {
		memcpy(&v64, p, sizeof(v64));
		return v64;
	}
	memcpy(&v32, p, sizeof(v32));
	return v32;
}

/* A field as text in @buf (CELL_MAX bytes), for the table of list. */
static void field_text(char *buf, const struct ringbus_info *in,
		       const struct info_field *f)
{
	if (f->kind == FIELD_NAME)
		snprintf(buf, CELL_MAX, "%s", in->name);
	else if (f->kind == FIELD_MODE)
		snprintf(buf, CELL_MAX, "%s", mode_name(in->mode));
	else
		snprintf(buf, CELL_MAX, f->kind == FIELD_PERM ? "%04llo" : "%llu",
			 (unsigned long long)field_value(in, f));
}

/*
 * One channel: "key:" lines, the values aligned after the longest key
 * ("max_record:"), or one compact JSON object (name and mode strings,
 * the numbers numbers, perm in decimal).
 */
static void print_info(const struct ringbus_info *in)
{
	size_t i;

	out_open_object(NULL, false);
	for (i = 0; i < ARRAY_SIZE(info_fields); i++) {
		const struct info_field *f = &info_fields[i];

		print_fp("%s:%*s", f->key, (int)(11 - strlen(f->key)), "");
		if (f->kind == FIELD_NAME)
			print_string(PRINT_ANY, f->key, "%s\n", in->name);
		else if (f->kind == FIELD_MODE)
			print_string(PRINT_ANY, f->key, "%s\n", mode_name(in->mode));
		else
			print_u64(PRINT_ANY, f->key,
				  f->kind == FIELD_PERM ? "%04llo\n" : "%llu\n",
				  field_value(in, f));
	}
	out_close_object();
}

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

/* The table of list: NAME and MODE left-aligned, numbers right-aligned. */
static int list_print_text(const struct ringbus_info *infos, uint32_t n)
{
	static const bool right[LIST_COLS] = {
		false, false, true, true, true, true, true, true, true, true
	};
	size_t rows = (size_t)n + 1, r, c;
	char (*text)[CELL_MAX] = calloc(rows * LIST_COLS, CELL_MAX);
	const char **cells = calloc(rows * LIST_COLS, sizeof(*cells));

	if (!text || !cells) {
		free(text);
		free(cells);
		errmsg("list: %s", strerror(ENOMEM));
		return RC_FAIL;
	}
	for (r = 0; r < rows; r++)
		for (c = 0; c < LIST_COLS; c++) {
			char *cell = text[r * LIST_COLS + c];

			if (r == 0)
				snprintf(cell, CELL_MAX, "%s", info_fields[c].column);
			else
				field_text(cell, &infos[r - 1], &info_fields[c]);
			cells[r * LIST_COLS + c] = cell;
		}
	print_table(cells, rows, LIST_COLS, right);
	free(cells);
	free(text);
	return RC_OK;
}

int cmd_list(struct ctx *ctx, int argc, char **argv)
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

	if (out_json()) {
		out_open_array(NULL, true);
		for (i = 0; i < n; i++)
			print_info(&infos[i]);
		out_close_array();
		rc = RC_OK;
	} else {
		rc = list_print_text(infos, n);
	}
	rc = finish_stdout(rc);
out:
	free(infos);
	free(names);
	close(fd);
	return rc;
}

int cmd_info(struct ctx *ctx, int argc, char **argv)
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
	print_info(&info);
	return finish_stdout(RC_OK);
}
