// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbusctl: the parsing of option values and channel names, and the
 * access to the control node and the channel nodes.
 */
#include "ringbusctl.h"

/* ------------------------------------------------------------------ */
/* Parsing */

/*
 * A decimal number, optionally (with @suffixes) followed by K (1024) or
 * M (1024 * 1024), at most @max.  Strict: no sign, no blanks, no trailing
 * garbage, no overflow.
 */
bool parse_u64(const char *s, bool suffixes, uint64_t max, uint64_t *out)
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

bool parse_octal_perm(const char *s, uint32_t *out)
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
bool parse_id(const char *s, bool user, uint32_t *out)
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
bool valid_name(const char *s)
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

int check_name(const struct ctx *ctx, const char *name)
{
	if (valid_name(name))
		return RC_OK;
	return usage_error(ctx,
			   "invalid channel name '%s' (1-31 characters of a-z, 0-9, '_', '.', '-'; not 'control')",
			   name);
}

const char *mode_name(uint32_t mode)
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
/* Device access */

int open_control(const struct ctx *ctx)
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

int open_channel(const struct ctx *ctx, const char *name, int flags)
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
/*
 * Whether a module of ABI minor @minor (of our major) is older than this
 * tool: it then lacks what the later minors added.  (Signed: while
 * RINGBUS_ABI_MINOR is 0, an unsigned comparison is known to be false.)
 */
bool abi_minor_older(unsigned int minor)
{
	return (long long)minor - RINGBUS_ABI_MINOR < 0;
}

/*
 * Why the control node @fd answered ENOTTY: not a ringbus control node
 * (it does not know RINGBUS_IOC_VERSION either), or a module of an older
 * ABI minor than ours, which lacks what the later minors added.
 */
static const char *enotty_hint(int fd)
{
	static char buf[256];
	struct ringbus_version v;

	memset(&v, 0, sizeof(v));
	if (ioctl(fd, RINGBUS_IOC_VERSION, &v) < 0)
		return " (not a ringbus control node?)";
	if (v.abi_major != RINGBUS_ABI_MAJOR || !abi_minor_older(v.abi_minor))
		return "";
	snprintf(buf, sizeof(buf),
		 " (the loaded module has ABI %u.%u and lacks this: this " PROG " speaks ABI %u.%u; install matching versions of ringbus-dkms and ringbus-utils, then reload the module)",
		 (unsigned int)v.abi_major, (unsigned int)v.abi_minor,
		 (unsigned int)RINGBUS_ABI_MAJOR, (unsigned int)RINGBUS_ABI_MINOR);
	return buf;
}

int control_ioctl(const struct ctx *ctx, unsigned long req, void *arg,
			 const char *verb, const char *name)
{
	const char *why = "";
	int fd, e;

	fd = open_control(ctx);
	if (fd < 0)
		return RC_FAIL;
	if (ioctl(fd, req, arg) == 0) {
		close(fd);
		return RC_OK;
	}
	e = errno;
	if (e == ENOTTY)
		why = enotty_hint(fd);
	close(fd);
	if (name)
		errmsg("%s %s: %s%s", verb, name, strerror(e), why);
	else
		errmsg("%s: %s%s", verb, strerror(e), why);
	return RC_FAIL;
}

/* Copies a valid channel name into a zeroed name field of the ABI. */
void copy_name(char *dst, const char *name)
{
	memcpy(dst, name, strnlen(name, RINGBUS_NAME_MAX - 1));
}

/* A RINGBUS_IOC_INFO request for @name. */
void info_request(struct ringbus_info *info, const char *name)
{
	memset(info, 0, sizeof(*info));
	copy_name(info->name, name);
}

/* RINGBUS_IOC_INFO on an open control node; errno is kept on failure. */
int get_info(int cfd, const char *name, struct ringbus_info *info)
{
	info_request(info, name);
	if (ioctl(cfd, RINGBUS_IOC_INFO, info) < 0)
		return -1;
	info->name[RINGBUS_NAME_MAX - 1] = '\0';
	return 0;
}

/* ------------------------------------------------------------------ */
/* Text */

/* The whitespace-separated fields of @line, at most @max; returns the count. */
size_t split_fields(char *line, char **field, size_t max)
{
	char *save = NULL, *tok;
	size_t n = 0;

	for (tok = strtok_r(line, " \t", &save); tok && n < max;
	     tok = strtok_r(NULL, " \t", &save))
		field[n++] = tok;
	return n;
}

void chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
			 s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

/* The value of a base64 digit, or -1. */
static int base64_digit(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/*
 * Decodes the base64 text @s of @len characters (RFC 4648: padded, no
 * line breaks or other characters) in place; the bytes start at @s.
 * Returns their number, or -1 if @s is not base64.
 */
ssize_t decode_base64(char *s, size_t len)
{
	size_t i, out = 0, pad = 0;

	if (len % 4)
		return -1;
	if (len && s[len - 1] == '=')
		pad = len >= 2 && s[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len; i += 4) {
		unsigned int v = 0, j;

		for (j = 0; j < 4; j++) {
			int d;

			if (i + j >= len - pad) {
				v <<= 6;
				continue;
			}
			d = base64_digit(s[i + j]);
			if (d < 0)
				return -1;
			v = v << 6 | (unsigned int)d;
		}
		/* The bits the padding stands for are zero (RFC 4648, 3.5). */
		s[out++] = (char)(v >> 16);
		if (i + 4 < len || pad < 2)
			s[out++] = (char)(v >> 8 & 0xff);
		if (i + 4 < len || pad < 1)
			s[out++] = (char)(v & 0xff);
		if (i + 4 >= len && ((pad == 2 && (v & 0xffff)) || (pad == 1 && (v & 0xff))))
			return -1;
	}
	return (ssize_t)out;
}

/* The argument of --encoding: "text" or "base64". */
int parse_encoding(const struct ctx *ctx, const char *arg, enum encoding *enc)
{
	if (strcmp(arg, "text") == 0)
		*enc = ENC_TEXT;
	else if (strcmp(arg, "base64") == 0)
		*enc = ENC_BASE64;
	else
		return bad_value(ctx, "--encoding", arg, "expected text or base64");
	return RC_CONTINUE;
}
