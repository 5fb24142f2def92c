/*
 * A JSON tokenizer for one line of JSON Lines: it fills a flat tape (no DOM, no copies)
 * that the converter walks in schema order. Strings stay in the line; only their escapes
 * are decoded, on demand, by jt_string.
 */
#ifndef HFDS_INGEST_JSON_TAPE_H
#define HFDS_INGEST_JSON_TAPE_H
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

enum { JT_NULL, JT_FALSE, JT_TRUE, JT_NUM, JT_STR, JT_ARR, JT_OBJ };

typedef struct jtok {
	const char *p;   /* strings: after the opening quote; others: first byte */
	uint32_t len;    /* strings: raw length between the quotes; numbers: text length */
	uint32_t next;   /* tape index after this value's subtree */
	uint32_t count;  /* arrays: items; objects: key/value pairs (key token, then value subtree) */
	uint8_t type;
	uint8_t esc;     /* string holds backslash escapes */
} jtok;

typedef struct jtape {
	jtok *t;
	size_t n, cap;
	int max_depth;
	/* on a syntax error: where and why */
	const char *err_at;
	const char *err_why;
	int err_nomem;
} jtape;

void jt_init(jtape *t, int max_depth);
void jt_release(jtape *t);
/* Tokenizes s[0..n) (one line, without its newline); -1 with err_at/err_why set on error. */
int jt_parse(jtape *t, const char *s, size_t n);
/* Tokenizes the one value at the start of s[0..n) as if nested at `depth` (the tape is
 * cleared first); *used = its length. -1 with err_at/err_why set on error. */
int jt_parse_value(jtape *t, const char *s, size_t n, int depth, size_t *used);
/* Scanning helpers for converters that read a value straight from the text: the first
 * byte at or after s that ends a plain string run (a quote, a backslash or a control
 * character; end when none), and the end of the run of bytes a number token holds (digits,
 * sign, '.', 'e', 'E'; the grammar is checked by the conversion). */
const char *jt_skip_plain(const char *s, const char *end);
const char *jt_number_end(const char *s, const char *end);
/* The decoded bytes of string token k: its raw text when it has no escapes, else decoded
 * into scratch (cleared first). -1 with *why (e.g. a lone surrogate) on a bad escape. */
int jt_string(const jtok *k, hfds_buf *scratch, const char **data, size_t *len, const char **why);
#endif
