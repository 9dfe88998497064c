// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbusctl's output layer: a JSON writer that keeps the nesting and the
 * comma state (iproute2's json_writer.c) and print helpers that write a
 * value as text or as a JSON member from one call (json_print.c).
 * See output.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

#define MAX_DEPTH	8

static struct {
	bool json;
	unsigned int depth;		/* open containers */
	bool pretty[MAX_DEPTH];		/* container d: one member a line */
	unsigned int members[MAX_DEPTH];	/* members written so far */
} jw;

void out_init(bool json)
{
	memset(&jw, 0, sizeof(jw));
	jw.json = json;
}

bool out_json(void)
{
	return jw.json;
}

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
 * UTF-8 becomes U+FFFD, the replacement character, so that binary payloads
 * still give valid JSON and no such byte reads as a character it is not
 * (the byte E9 is not "é").  Returns false if a byte was replaced.
 */
static bool jw_string(const void *data, size_t len)
{
	const unsigned char *s = data;
	bool exact = true;
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
			/* Not UTF-8: U+FFFD, as a decoder replaces it. */
			fputs("\\ufffd", stdout);
			exact = false;
			i++;
		}
	}
	putchar('"');
	return exact;
}

/* A pretty container's line break and indent, for @depth open containers. */
static void jw_indent(unsigned int depth)
{
	putchar('\n');
	while (depth-- > 0)
		fputs("  ", stdout);
}

/* Starts a value: the comma, the indent, the key inside an object. */
static void jw_member(const char *key)
{
	if (jw.depth > 0) {
		unsigned int d = jw.depth - 1;

		if (jw.members[d]++ > 0)
			putchar(',');
		if (jw.pretty[d])
			jw_indent(jw.depth);
	}
	if (key) {
		jw_string(key, strlen(key));
		putchar(':');
	}
}

static void jw_open(const char *key, bool pretty, char c)
{
	if (!jw.json)
		return;
	jw_member(key);
	putchar(c);
	if (jw.depth < MAX_DEPTH) {
		jw.pretty[jw.depth] = pretty;
		jw.members[jw.depth] = 0;
	}
	jw.depth++;
}

static void jw_close(char c)
{
	unsigned int d;

	if (!jw.json || jw.depth == 0)
		return;
	d = --jw.depth;
	if (d < MAX_DEPTH && jw.pretty[d] && jw.members[d] > 0)
		jw_indent(d);
	putchar(c);
	if (jw.depth == 0)
		putchar('\n');
}

void out_open_object(const char *key, bool pretty)
{
	jw_open(key, pretty, '{');
}

void out_close_object(void)
{
	jw_close('}');
}

void out_open_array(const char *key, bool pretty)
{
	jw_open(key, pretty, '[');
}

void out_close_array(void)
{
	jw_close(']');
}

/* Whether this call prints in text mode (with @fmt) or as JSON. */
static bool want_text(enum output_type type, const char *fmt)
{
	return !jw.json && (type & PRINT_FP) && fmt;
}

static bool want_json(enum output_type type)
{
	return jw.json && (type & PRINT_JSON);
}

/* The text formats are the callers' literals, checked where they are. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

void print_string(enum output_type type, const char *key, const char *fmt,
		  const char *value)
{
	if (want_text(type, fmt)) {
		printf(fmt, value);
	} else if (want_json(type)) {
		jw_member(key);
		jw_string(value, strlen(value));
	}
}

void print_u64(enum output_type type, const char *key, const char *fmt,
	       uint64_t value)
{
	if (want_text(type, fmt)) {
		printf(fmt, (unsigned long long)value);
	} else if (want_json(type)) {
		jw_member(key);
		printf("%llu", (unsigned long long)value);
	}
}

void print_uint(enum output_type type, const char *key, const char *fmt,
		unsigned int value)
{
	if (want_text(type, fmt)) {
		printf(fmt, value);
	} else if (want_json(type)) {
		jw_member(key);
		printf("%u", value);
	}
}

#pragma GCC diagnostic pop

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

void print_value(enum output_type type, const char *key, const char *fmt,
		 const char *value)
{
	if (want_json(type) && is_json_int(value)) {
		jw_member(key);
		fputs(value, stdout);
	} else {
		print_string(type, key, fmt, value);
	}
}

void print_bytes(enum output_type type, const char *key, const void *data,
		 size_t len)
{
	if (!jw.json && (type & PRINT_FP)) {
		fwrite(data, 1, len, stdout);
	} else if (want_json(type)) {
		jw_member(key);
		if (!jw_string(data, len)) {
			char b64key[64];

			snprintf(b64key, sizeof(b64key), "%s_b64", key);
			print_base64(type, b64key, data, len);
		}
	}
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Writes @len bytes of @data to stdout as base64 (RFC 4648, padded). */
void put_base64(const void *data, size_t len)
{
	const unsigned char *s = data;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		putchar(b64_alphabet[s[i] >> 2]);
		putchar(b64_alphabet[(s[i] & 3) << 4 | s[i + 1] >> 4]);
		putchar(b64_alphabet[(s[i + 1] & 15) << 2 | s[i + 2] >> 6]);
		putchar(b64_alphabet[s[i + 2] & 63]);
	}
	if (len - i == 1) {
		putchar(b64_alphabet[s[i] >> 2]);
		putchar(b64_alphabet[(s[i] & 3) << 4]);
		fputs("==", stdout);
	} else if (len - i == 2) {
		putchar(b64_alphabet[s[i] >> 2]);
		putchar(b64_alphabet[(s[i] & 3) << 4 | s[i + 1] >> 4]);
		putchar(b64_alphabet[(s[i + 1] & 15) << 2]);
		putchar('=');
	}
}


void print_base64(enum output_type type, const char *key, const void *data,
		  size_t len)
{
	if (!jw.json && (type & PRINT_FP)) {
		put_base64(data, len);
	} else if (want_json(type)) {
		jw_member(key);
		putchar('"');
		put_base64(data, len);
		putchar('"');
	}
}

void print_fp(const char *fmt, ...)
{
	va_list ap;

	if (jw.json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void print_table(const char *const *cells, size_t rows, size_t cols,
		 const bool *right)
{
	size_t r, c;
	int width[TABLE_MAX_COLS] = { 0 };

	if (jw.json || cols > TABLE_MAX_COLS)
		return;
	for (r = 0; r < rows; r++)
		for (c = 0; c < cols; c++) {
			int w = (int)strlen(cells[r * cols + c]);

			if (w > width[c])
				width[c] = w;
		}
	for (r = 0; r < rows; r++) {
		for (c = 0; c < cols; c++)
			printf(right[c] ? "%s%*s" : "%s%-*s", c > 0 ? " " : "",
			       width[c], cells[r * cols + c]);
		putchar('\n');
	}
}
