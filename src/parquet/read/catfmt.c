/*
 * Canonical row formatting, built for speed (issue 12: `hfds cat` against DuckDB's JSON
 * export). The schema is compiled once into a tree of nodes (kind, unit, width, and each
 * struct field's key pre-rendered as `, "name": `), so a value costs one switch. Each value
 * reserves its worst case in the output buffer and is written through a plain pointer: no
 * stdio, no per-value allocation. Integers print two digits per step from a table, doubles
 * through Schubfach (util/shortest.c), strings copy 8 bytes at a time while no byte needs an
 * escape or is non-ASCII (UTF-8 is still validated: invalid text prints as base64, as
 * before). Dates use the days-from-civil inverse (Howard Hinnant's algorithm), decimals are
 * printed from their two's-complement words by long division.
 */
#include "parquet/read/catfmt.h"
#include "hfds/parquet_reader.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/base64.h"
#include "util/json.h"
#include "util/numfmt.h"
#include "util/try.h"
#include "util/utf8.h"

enum kind {
	K_NULL, K_BOOL, K_I8, K_U8, K_I16, K_U16, K_I32, K_U32, K_I64, K_U64, K_HALF, K_FLOAT, K_DOUBLE,
	K_STRING, K_BINARY, K_FIXED, K_DECIMAL, K_DATE, K_TIME32, K_TIME64, K_TIMESTAMP, K_STRUCT, K_LIST
};

typedef struct node {
	enum kind kind;
	int width;       /* fixed-size binary bytes, decimal bytes */
	int scale;       /* decimal */
	int digits;      /* time: fraction digits (0, 3, 6, 9) */
	int64_t per_sec; /* time: ticks per second */
	int utc;         /* timestamp with a time zone: 'Z' */
	size_t key_off, key_len; /* in a struct: `, "name": ` in hfds_pq_rowfmt.keys (no comma first) */
	int64_t nchildren;
	struct node *children;
} node;

/* Keys are copied KEY_SLACK bytes at a time; the key text has that many bytes after its end. */
#define KEY_SLACK 16

struct hfds_pq_rowfmt {
	node *nodes;
	hfds_buf keys; /* the struct fields' key text */
	hfds_buf text; /* hfds_pq_rowfmt_append's output */
};

static int64_t count_nodes(const struct ArrowSchema *s)
{
	int64_t n = 1;
	for (int64_t k = 0; k < s->n_children; k++)
		n += count_nodes(s->children[k]);
	return n;
}

static void time_unit(node *n, char u)
{
	switch (u) {
	case 's': n->digits = 0; n->per_sec = 1; break;
	case 'm': n->digits = 3; n->per_sec = 1000; break;
	case 'u': n->digits = 6; n->per_sec = 1000000; break;
	default: n->digits = 9; n->per_sec = 1000000000; break;
	}
}

static int compile(hfds_pq_rowfmt *f, node *n, node **next, const struct ArrowSchema *s, hfds_error *err)
{
	static const char simple[] = "nbcCsSiIlLefguz";
	static const enum kind simple_kind[] = { K_NULL, K_BOOL, K_I8, K_U8, K_I16, K_U16, K_I32, K_U32, K_I64,
						 K_U64, K_HALF, K_FLOAT, K_DOUBLE, K_STRING, K_BINARY };
	const char *fmt = s->format;
	const char *p;
	int rc = 0;
	if (fmt[0] && !fmt[1] && (p = strchr(simple, fmt[0])) != NULL) {
		n->kind = simple_kind[p - simple];
	} else if (fmt[0] == 'w' && fmt[1] == ':') {
		n->kind = K_FIXED;
		n->width = atoi(fmt + 2);
		HFDS_FAIL_IF(n->width <= 0, HFDS_EUNSUPPORTED, err, "cat: Arrow format '%s' not supported", fmt);
	} else if (fmt[0] == 'd' && fmt[1] == ':') {
		int bits = 128;
		const char *c = strchr(fmt, ',');
		n->kind = K_DECIMAL;
		n->scale = c ? atoi(c + 1) : 0;
		if (c && (c = strchr(c + 1, ',')) != NULL)
			bits = atoi(c + 1);
		HFDS_FAIL_IF((bits != 32 && bits != 64 && bits != 128 && bits != 256) || n->scale < 0 || n->scale > 76,
			     HFDS_EUNSUPPORTED, err, "cat: Arrow format '%s' not supported", fmt);
		n->width = bits / 8;
	} else if (!strcmp(fmt, "tdD")) {
		n->kind = K_DATE;
	} else if (fmt[0] == 't' && fmt[1] == 't' && fmt[2] && strchr("smun", fmt[2]) && !fmt[3]) {
		n->kind = fmt[2] == 's' || fmt[2] == 'm' ? K_TIME32 : K_TIME64;
		time_unit(n, fmt[2]);
	} else if (fmt[0] == 't' && fmt[1] == 's' && fmt[2] && strchr("smun", fmt[2]) && fmt[3] == ':') {
		n->kind = K_TIMESTAMP;
		time_unit(n, fmt[2]);
		n->utc = fmt[4] != '\0';
	} else if (!strcmp(fmt, "+s")) {
		n->kind = K_STRUCT;
	} else if ((!strcmp(fmt, "+l") || !strcmp(fmt, "+m")) && s->n_children == 1) {
		n->kind = K_LIST;
	} else {
		HFDS_FAIL(HFDS_EUNSUPPORTED, err, "cat: Arrow format '%s' not supported", fmt);
	}
	if (n->kind != K_STRUCT && n->kind != K_LIST)
		return 0;
	n->nchildren = s->n_children;
	n->children = *next;
	*next += s->n_children;
	for (int64_t k = 0; k < s->n_children; k++) {
		node *c = &n->children[k];
		const char *name = s->children[k]->name ? s->children[k]->name : "";
		c->key_off = f->keys.len;
		if (k)
			HFDS_TRY(hfds_buf_append(&f->keys, ", ", 2, err));
		HFDS_TRY(hfds_json_append_string(&f->keys, name, strlen(name), HFDS_JSON_UTF8, err));
		HFDS_TRY(hfds_buf_append(&f->keys, ": ", 2, err));
		c->key_len = f->keys.len - c->key_off;
		HFDS_TRY(compile(f, c, next, s->children[k], err));
	}
done:
	return rc;
}

int hfds_pq_rowfmt_new(hfds_pq_rowfmt **out, const struct ArrowSchema *schema, hfds_error *err)
{
	int rc = 0;
	node *next;
	hfds_pq_rowfmt *f = hfds_calloc(1, sizeof(*f));
	*out = NULL;
	HFDS_FAIL_IF(!f, HFDS_ENOMEM, err, "out of memory");
	hfds_buf_init(&f->keys, 0);
	hfds_buf_init(&f->text, 0);
	f->nodes = hfds_calloc((size_t)count_nodes(schema), sizeof(node));
	HFDS_FAIL_IF(!f->nodes, HFDS_ENOMEM, err, "out of memory");
	next = f->nodes + 1;
	HFDS_TRY(compile(f, f->nodes, &next, schema, err));
	HFDS_TRY(hfds_buf_append(&f->keys, "                ", KEY_SLACK, err)); /* readable slack */
	*out = f;
	f = NULL;
done:
	hfds_pq_rowfmt_free(f);
	return rc;
}

void hfds_pq_rowfmt_free(hfds_pq_rowfmt *f)
{
	if (!f)
		return;
	hfds_free(f->nodes);
	hfds_buf_release(&f->keys);
	hfds_buf_release(&f->text);
	hfds_free(f);
}

static int room(hfds_buf *b, size_t n, hfds_error *err)
{
	return b->cap - b->len >= n ? 0 : hfds_buf_reserve(b, n, err);
}

/* Appends 1-2 bytes of punctuation ("{", ", ", ...) without a call in the common case. */
static int put_punct(hfds_buf *b, const char *s, size_t n, hfds_error *err)
{
	int rc = room(b, 2, err);
	if (rc == 0) {
		memcpy(b->data + b->len, s, 2);
		b->len += n;
	}
	return rc;
}

/* v in decimal, at least `pad` digits (zeros in front); returns the end. May write a NUL
 * after it, inside the room every caller reserved. */
static char *put_u64(char *o, uint64_t v, int pad)
{
	if (pad <= 1)
		return o + hfds_fmt_uint64(v, o);
	char digits[HFDS_NUMFMT_MAX];
	size_t n = hfds_fmt_uint64(v, digits);
	for (; (int)n < pad; pad--)
		*o++ = '0';
	memcpy(o, digits, n);
	return o + n;
}

static char *put_i64(char *o, int64_t v)
{
	if (v < 0) {
		*o++ = '-';
		return put_u64(o, 0 - (uint64_t)v, 1);
	}
	return put_u64(o, (uint64_t)v, 1);
}

static void civil(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Two digits of v < 100. */
static char *put_pair(char *o, int64_t v)
{
	memcpy(o, hfds_digit_pairs + v * 2, 2);
	return o + 2;
}

/* YYYY-MM-DD (a negative year as -YYYY); at most 23 bytes. */
static char *put_date(char *o, int64_t days)
{
	int64_t y;
	int m, d;
	civil(days, &y, &m, &d);
	if (y >= 0 && y <= 9999) {
		o = put_pair(o, y / 100);
		o = put_pair(o, y % 100);
	} else {
		if (y < 0)
			*o++ = '-';
		o = put_u64(o, y < 0 ? 0 - (uint64_t)y : (uint64_t)y, 4);
	}
	*o++ = '-';
	o = put_pair(o, m);
	*o++ = '-';
	return put_pair(o, d);
}

/* printf("%02lld", v) */
static char *put_2(char *o, int64_t v)
{
	if (v >= 0 && v < 100)
		return put_pair(o, v);
	if (v < 0) {
		*o++ = '-';
		return put_u64(o, 0 - (uint64_t)v, 1);
	}
	return put_u64(o, (uint64_t)v, 2);
}

/* HH:MM:SS[.fraction] (the fraction has `digits` digits, 3, 6 or 9); a time of day out of
 * range prints its fields as they come. */
static char *put_time_of_day(char *o, int64_t secs, int64_t frac, int digits)
{
	o = put_2(o, secs / 3600);
	*o++ = ':';
	o = put_2(o, secs / 60 % 60);
	*o++ = ':';
	o = put_2(o, secs % 60);
	if (digits) {
		*o++ = '.';
		if (digits == 9) {
			*o++ = (char)('0' + frac / 100000000);
			o = put_pair(o, frac / 1000000 % 100);
			frac %= 1000000;
		} else if (digits != 6) {
			*o++ = (char)('0' + frac / 100);
			return put_pair(o, frac % 100);
		}
		o = put_pair(o, frac / 10000);
		o = put_pair(o, frac / 100 % 100);
		o = put_pair(o, frac % 100);
	}
	return o;
}

static int put_decimal(hfds_buf *b, const uint8_t *le, int nbytes, int scale, hfds_error *err)
{
	uint32_t w[8];
	char digits[100];
	int nw = nbytes / 4, neg, i, nd = 0, any, rc = 0;
	memcpy(w, le, (size_t)nbytes);
	neg = (le[nbytes - 1] & 0x80) != 0;
	if (neg) { /* two's complement negate */
		uint64_t carry = 1;
		for (i = 0; i < nw; i++) {
			uint64_t x = (uint64_t)(uint32_t)~w[i] + carry;
			w[i] = (uint32_t)x;
			carry = x >> 32;
		}
	}
	do {
		uint64_t rem = 0;
		any = 0;
		for (i = nw - 1; i >= 0; i--) {
			uint64_t cur = rem << 32 | w[i];
			w[i] = (uint32_t)(cur / 10);
			rem = cur % 10;
			any |= w[i] != 0;
		}
		digits[nd++] = (char)('0' + rem);
	} while (any && nd < 98);
	while (nd <= scale)
		digits[nd++] = '0';
	HFDS_TRY(room(b, (size_t)nd + 4, err));
	char *o = (char *)b->data + b->len;
	*o++ = '"';
	if (neg)
		*o++ = '-';
	for (i = nd - 1; i >= 0; i--) {
		*o++ = digits[i];
		if (i == scale && scale > 0)
			*o++ = '.';
	}
	*o++ = '"';
	b->len = (size_t)(o - (char *)b->data);
done:
	return rc;
}

static int put_bytes_b64(hfds_buf *b, const uint8_t *p, size_t n, hfds_error *err)
{
	int rc = hfds_buf_append_byte(b, '"', err);
	if (rc == 0)
		rc = hfds_base64_append(b, p, n, err);
	if (rc == 0)
		rc = hfds_buf_append_byte(b, '"', err);
	return rc;
}

/* 0: copy, 1: escape, 2: start of a multi-byte UTF-8 sequence (validated, copied). */
static const uint8_t ESC[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1,
	[0x80] = 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* Some byte of x is < 0x20, '"', '\\' or >= 0x80 (the classic SWAR zero-byte tests). */
static int word_needs_care(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t q = x ^ (ones * '"'), s = x ^ (ones * '\\');
	uint64_t lt = (x - ones * 0x20) & ~x, eq_q = (q - ones) & ~q, eq_s = (s - ones) & ~s;
	return ((lt | eq_q | eq_s | x) & high) != 0;
}

static const char HEX[] = "0123456789abcdef";

/* The JSON string of p[0..n) into o (room for 6n + 2), as hfds_json_append_string writes it
 * in HFDS_JSON_UTF8 mode. Returns the end, or NULL for invalid UTF-8. */
static char *put_string(char *o, const uint8_t *p, size_t n)
{
	size_t i = 0;
	*o++ = '"';
	while (i < n) {
		if (i + 8 <= n) {
			uint64_t x;
			memcpy(&x, p + i, 8);
			if (!word_needs_care(x)) {
				memcpy(o, &x, 8);
				o += 8;
				i += 8;
				continue;
			}
		}
		uint8_t c = p[i];
		switch (ESC[c]) {
		case 0:
			*o++ = (char)c;
			i++;
			continue;
		case 2: {
			uint32_t cp;
			size_t len = hfds_utf8_decode(p + i, n - i, &cp);
			if (!len)
				return NULL;
			memcpy(o, p + i, len);
			o += len;
			i += len;
			continue;
		}
		default:
			break;
		}
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\n': *o++ = 'n'; break;
		case '\r': *o++ = 'r'; break;
		case '\t': *o++ = 't'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		default:
			memcpy(o, "u00", 3);
			o[3] = HEX[c >> 4];
			o[4] = HEX[c & 15];
			o += 5;
		}
		i++;
	}
	*o++ = '"';
	return o;
}

/* A float's text was written at o (n bytes): NaN and infinities get quotes (the canonical
 * row format makes them strings). Returns the end. */
static char *quote_special(char *o, size_t n)
{
	if (o[0] == 'N' || o[0] == 'I' || o[1] == 'I') {
		memmove(o + 1, o, n);
		o[0] = '"';
		o[n + 1] = '"';
		return o + n + 2;
	}
	return o + n;
}

static int value(hfds_buf *b, const hfds_pq_rowfmt *f, const node *n, const struct ArrowArray *a, int64_t i,
		 hfds_error *err);

static int put_struct(hfds_buf *b, const hfds_pq_rowfmt *f, const node *n, const struct ArrowArray *a, int64_t j,
		      hfds_error *err)
{
	int rc = 0;
	HFDS_TRY(put_punct(b, "{", 1, err));
	for (int64_t k = 0; k < n->nchildren; k++) {
		const node *c = &n->children[k];
		HFDS_TRY(room(b, c->key_len + KEY_SLACK, err));
		if (c->key_len <= KEY_SLACK) /* a fixed-size copy is a few moves, not a call */
			memcpy(b->data + b->len, f->keys.data + c->key_off, KEY_SLACK);
		else
			memcpy(b->data + b->len, f->keys.data + c->key_off, c->key_len);
		b->len += c->key_len;
		HFDS_TRY(value(b, f, c, a->children[k], j, err));
	}
	HFDS_TRY(put_punct(b, "}", 1, err));
done:
	return rc;
}

static int put_list(hfds_buf *b, const hfds_pq_rowfmt *f, const node *n, const struct ArrowArray *a, int64_t j,
		    hfds_error *err)
{
	const int32_t *off = a->buffers[1];
	int rc = 0;
	HFDS_TRY(put_punct(b, "[", 1, err));
	for (int64_t k = off[j]; k < off[j + 1]; k++) {
		if (k > off[j])
			HFDS_TRY(put_punct(b, ", ", 2, err));
		HFDS_TRY(value(b, f, n->children, a->children[0], k, err));
	}
	HFDS_TRY(put_punct(b, "]", 1, err));
done:
	return rc;
}

/* Worst-case text of the scalar kinds (a timestamp: "-YYYYYYYYYYYY-MM-DDTHH:MM:SS.fffffffffZ"). */
#define SCALAR_MAX 64

static int value(hfds_buf *b, const hfds_pq_rowfmt *f, const node *n, const struct ArrowArray *a, int64_t i,
		 hfds_error *err)
{
	const uint8_t *valid = a->n_buffers > 0 ? a->buffers[0] : NULL;
	int64_t j = i + a->offset;
	char *o;
	int rc = 0;
	if (n->kind == K_NULL || (a->null_count != 0 && valid && !((valid[j >> 3] >> (j & 7)) & 1)))
	{
		HFDS_TRY(room(b, 4, err));
		memcpy(b->data + b->len, "null", 4);
		b->len += 4;
		return 0;
	}
	if (n->kind == K_STRUCT)
		return put_struct(b, f, n, a, j, err);
	const void *v = a->buffers[1]; /* every other kind has a values (or offsets) buffer */
	switch (n->kind) {
	case K_LIST: return put_list(b, f, n, a, j, err);
	case K_STRING:
	case K_BINARY: {
		const int32_t *off = v;
		const uint8_t *d = (const uint8_t *)a->buffers[2] + off[j];
		size_t len = (size_t)(off[j + 1] - off[j]);
		if (n->kind == K_STRING) {
			HFDS_TRY(room(b, 6 * len + 2, err));
			o = put_string((char *)b->data + b->len, d, len);
			if (o) {
				b->len = (size_t)(o - (char *)b->data);
				return 0;
			}
		}
		return put_bytes_b64(b, d, len, err); /* binary, or text that is not UTF-8 */
	}
	case K_FIXED: return put_bytes_b64(b, (const uint8_t *)v + (size_t)j * (size_t)n->width, (size_t)n->width, err);
	case K_DECIMAL:
		return put_decimal(b, (const uint8_t *)v + (size_t)j * (size_t)n->width, n->width, n->scale, err);
	default:
		break;
	}
	HFDS_TRY(room(b, SCALAR_MAX, err));
	o = (char *)b->data + b->len;
	switch (n->kind) {
	case K_BOOL:
		if ((((const uint8_t *)v)[j >> 3] >> (j & 7)) & 1)
			memcpy(o, "true", 4), o += 4;
		else
			memcpy(o, "false", 5), o += 5;
		break;
	case K_I8: o = put_i64(o, ((const int8_t *)v)[j]); break;
	case K_U8: o = put_u64(o, ((const uint8_t *)v)[j], 1); break;
	case K_I16: o = put_i64(o, ((const int16_t *)v)[j]); break;
	case K_U16: o = put_u64(o, ((const uint16_t *)v)[j], 1); break;
	case K_I32: o = put_i64(o, ((const int32_t *)v)[j]); break;
	case K_U32: o = put_u64(o, ((const uint32_t *)v)[j], 1); break;
	case K_I64: o = put_i64(o, ((const int64_t *)v)[j]); break;
	case K_U64: o = put_u64(o, ((const uint64_t *)v)[j], 1); break;
	case K_HALF: o = quote_special(o, hfds_fmt_half(((const uint16_t *)v)[j], o)); break;
	case K_FLOAT: o = quote_special(o, hfds_fmt_float(((const float *)v)[j], o)); break;
	case K_DOUBLE: o = quote_special(o, hfds_fmt_double(((const double *)v)[j], o)); break;
	case K_DATE:
		*o++ = '"';
		o = put_date(o, ((const int32_t *)v)[j]);
		*o++ = '"';
		break;
	case K_TIME32:
	case K_TIME64:
	case K_TIMESTAMP: {
		int64_t t = n->kind == K_TIME32 ? ((const int32_t *)v)[j] : ((const int64_t *)v)[j];
		int64_t secs, frac;
		switch (n->digits) { /* constant divisors: multiplications, not a 64-bit idiv */
		case 0: secs = t, frac = 0; break;
		case 3: secs = t / 1000, frac = t % 1000; break;
		case 6: secs = t / 1000000, frac = t % 1000000; break;
		default: secs = t / 1000000000, frac = t % 1000000000; break;
		}
		if (frac < 0) {
			frac += n->per_sec;
			secs--;
		}
		*o++ = '"';
		if (n->kind == K_TIMESTAMP) {
			int64_t days = secs / 86400;
			secs %= 86400;
			if (secs < 0) {
				secs += 86400;
				days--;
			}
			o = put_date(o, days);
			*o++ = 'T';
		}
		o = put_time_of_day(o, secs, frac, n->digits);
		if (n->utc)
			*o++ = 'Z';
		*o++ = '"';
		break;
	}
	default:
		HFDS_FAIL(HFDS_EUNSUPPORTED, err, "cat: Arrow kind %d not supported", (int)n->kind);
	}
	b->len = (size_t)(o - (char *)b->data);
done:
	return rc;
}

static int append_rows(const hfds_pq_rowfmt *f, hfds_buf *out, const struct ArrowArray *batch, int64_t from,
		       int64_t to, hfds_error *err)
{
	int rc = 0;
	HFDS_FAIL_IF(from < 0 || to < from || to > batch->length, HFDS_EINVAL, err,
		     "rows [%lld, %lld) outside a batch of %lld", (long long)from, (long long)to,
		     (long long)batch->length);
	for (int64_t i = from; i < to; i++) {
		HFDS_TRY(value(out, f, f->nodes, batch, i, err));
		HFDS_TRY(put_punct(out, "\n", 1, err));
	}
done:
	return rc;
}

int hfds_pq_rowfmt_append(hfds_pq_rowfmt *f, const struct ArrowArray *batch, int64_t from, int64_t to,
			  hfds_error *err)
{
	return append_rows(f, &f->text, batch, from, to, err);
}

const char *hfds_pq_rowfmt_text(const hfds_pq_rowfmt *f, size_t *len)
{
	*len = f->text.len;
	return f->text.len ? (const char *)f->text.data : "";
}

void hfds_pq_rowfmt_clear(hfds_pq_rowfmt *f)
{
	hfds_buf_clear(&f->text);
}

int pq_catfmt_rows(hfds_buf *out, const struct ArrowSchema *schema, const struct ArrowArray *batch,
		   int64_t from, int64_t to, hfds_error *err)
{
	hfds_pq_rowfmt *f;
	int rc = hfds_pq_rowfmt_new(&f, schema, err);
	if (rc == 0)
		rc = append_rows(f, out, batch, from, to, err);
	hfds_pq_rowfmt_free(f);
	return rc;
}

int hfds_pq_format_rows(const struct ArrowSchema *schema, const struct ArrowArray *batch, int64_t from, int64_t to,
			char **out, size_t *len, hfds_error *err)
{
	hfds_buf b;
	int rc = 0;
	*out = NULL;
	*len = 0;
	hfds_buf_init(&b, 0);
	HFDS_TRY(pq_catfmt_rows(&b, schema, batch, from, to, err));
	HFDS_TRY(hfds_buf_cstr(&b, err));
	*len = b.len;
	*out = (char *)b.data;
	return 0;
done:
	hfds_buf_release(&b);
	return rc;
}
