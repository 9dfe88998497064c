/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ringbusctl's one output layer, in the shape of iproute2's json_print.h:
 * the command prints each value once, and the layer writes either its text
 * form (the printf format) or its JSON member (the key), as --json says.
 *
 *   out_init(json)                 at start: text or JSON for the run
 *   out_open_object(key, pretty)   '{', as member @key inside an object
 *   out_open_array(key, pretty)    '[', likewise
 *   out_close_object/array()       '}' / ']'; after the outermost, '\n'
 *   print_string/u64/uint/value/bytes(type, key, fmt, value)
 *   print_fp(fmt, ...)             text only (iproute2's PRINT_FP)
 *   print_table(cells, rows, cols, right)   text columns, widths computed
 *
 * JSON layout: a "pretty" container puts each member on a line of its own,
 * indented two spaces per level; any other container is compact.  The
 * writer keeps the nesting and the comma state; nothing else writes JSON.
 * In text mode the open and close calls print nothing.
 */
#ifndef RINGBUSCTL_OUTPUT_H
#define RINGBUSCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum output_type {
	PRINT_FP = 1,		/* text only */
	PRINT_JSON = 2,		/* JSON only */
	PRINT_ANY = 3,		/* text with @fmt, or JSON with @key */
};

void out_init(bool json);
bool out_json(void);

void out_open_object(const char *key, bool pretty);
void out_close_object(void);
void out_open_array(const char *key, bool pretty);
void out_close_array(void);

/* @fmt takes the value (const char *, unsigned long long, unsigned int). */
void print_string(enum output_type type, const char *key, const char *fmt,
		  const char *value);
void print_u64(enum output_type type, const char *key, const char *fmt,
	       uint64_t value);
void print_uint(enum output_type type, const char *key, const char *fmt,
		unsigned int value);
/* A JSON integer as a number, anything else as a string; text: @fmt. */
void print_value(enum output_type type, const char *key, const char *fmt,
		 const char *value);
/*
 * @len bytes that may be binary: written as they are, or a JSON string
 * (U+FFFD for each byte that is not UTF-8) and, when a byte was not UTF-8,
 * also the exact bytes as base64 under "KEY_b64".
 */
void print_bytes(enum output_type type, const char *key, const void *data,
		 size_t len);
/* Writes @len bytes to stdout as base64 (RFC 4648, padded). */
void put_base64(const void *data, size_t len);
/* @len bytes as base64: as text, or a JSON string. */
void print_base64(enum output_type type, const char *key, const void *data,
		  size_t len);
void print_fp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Text only: @rows rows of @cols cells (@cells[row * cols + col]), the
 * first row the headings; each column as wide as its widest cell, one
 * space between columns, right-aligned where @right[col] is set.  At most
 * TABLE_MAX_COLS columns.
 */
#define TABLE_MAX_COLS	16
void print_table(const char *const *cells, size_t rows, size_t cols,
		 const bool *right);

#endif
