/*
 * JSON tokenizer specialised for JSON Lines -> Arrow. One pass over the line writes a tape
 * of tokens (type, position, length, subtree end); the converter then visits the values in
 * the schema's order and never builds a tree of allocated nodes. Strings are scanned with a
 * byte-class table; their UTF-8 was validated for the whole block before, so here only
 * quotes, backslashes and control characters matter. Nesting is limited by max_depth,
 * which also bounds the recursion.
 */
#include "ingest/json_tape.h"

#include <string.h>

#include "util/alloc.h"

/* 1: ends a plain run inside a string (quote, backslash, control character) */
static const uint8_t str_stop[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1,
};

typedef struct jp {
	jtape *t;
	const char *s, *end;
} jp;

void jt_init(jtape *t, int max_depth)
{
	memset(t, 0, sizeof(*t));
	t->max_depth = max_depth;
}

void jt_release(jtape *t)
{
	hfds_free(t->t);
	t->t = NULL;
	t->n = t->cap = 0;
}

static int fail(jp *p, const char *at, const char *why)
{
	p->t->err_at = at;
	p->t->err_why = why;
	return -1;
}

static __attribute__((noinline)) int grow(jp *p, const char *at)
{
	jtape *t = p->t;
	size_t cap = t->cap ? t->cap * 2 : 256;
	jtok *nt = hfds_reallocarray(t->t, cap, sizeof(*nt));
	if (!nt) {
		t->err_nomem = 1;
		return fail(p, at, "out of memory");
	}
	t->t = nt;
	t->cap = cap;
	return 0;
}

static inline int push(jp *p, uint8_t type, const char *at, uint32_t *idx)
{
	jtape *t = p->t;
	jtok *k;
	if (__builtin_expect(t->n == t->cap, 0) && grow(p, at) < 0)
		return -1;
	*idx = (uint32_t)t->n;
	k = &t->t[t->n++];
	k->type = type;
	k->p = at;
	k->len = 0;
	k->count = 0;
	k->esc = 0;
	return 0;
}

/* 1: JSON white space; 2: a byte a number's text may hold (the grammar is checked when
 * the value is converted) */
static const uint8_t cls[256] = {
	[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1,
	['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2, ['5'] = 2, ['6'] = 2, ['7'] = 2, ['8'] = 2, ['9'] = 2,
	['-'] = 2, ['+'] = 2, ['.'] = 2, ['e'] = 2, ['E'] = 2,
};

const char *jt_number_end(const char *s, const char *end)
{
	while (s < end && cls[(uint8_t)*s] == 2)
		s++;
	return s;
}

static inline void skip_ws(jp *p)
{
	const char *s = p->s, *end = p->end;
	while (s < end && cls[(uint8_t)*s] == 1)
		s++;
	p->s = s;
}

/* Skips plain string bytes eight at a time: a word is plain when it has no '"', no '\\'
 * and no byte below 0x20 (the classic has-zero-byte bit trick on three masks). */
const char *jt_skip_plain(const char *s, const char *end)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (end - s >= 8) {
		uint64_t w, q, b, c, m;
		memcpy(&w, s, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		c = (w - ones * 0x20) & ~w;
		/* the lowest flagged byte is exact (borrows only disturb the bytes above it) */
		m = (((q - ones) & ~q) | ((b - ones) & ~b) | c) & highs;
		if (m)
			return s + (__builtin_ctzll(m) >> 3);
		s += 8;
	}
#else
	(void)ones;
	(void)highs;
#endif
	while (s < end && !str_stop[(uint8_t)*s])
		s++;
	return s;
}

static int string(jp *p)
{
	uint32_t k;
	const char *start = ++p->s;
	uint8_t esc = 0;
	for (;;) {
		p->s = jt_skip_plain(p->s, p->end);
		if (p->s >= p->end)
			return fail(p, start - 1, "string never closed");
		if (*p->s == '"')
			break;
		if (*p->s != '\\')
			return fail(p, p->s, "control character in a string (escape it)");
		esc = 1;
		p->s += 2;
		if (p->s > p->end)
			return fail(p, start - 1, "string never closed");
	}
	if (push(p, JT_STR, start, &k) < 0)
		return -1;
	p->t->t[k].len = (uint32_t)(p->s - start);
	p->t->t[k].esc = esc;
	p->t->t[k].next = k + 1;
	p->s++;
	return 0;
}

static int literal(jp *p, const char *word, size_t n, uint8_t type)
{
	uint32_t k;
	if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n))
		return fail(p, p->s, "expected a JSON value");
	if (push(p, type, p->s, &k) < 0)
		return -1;
	p->t->t[k].len = (uint32_t)n;
	p->t->t[k].next = k + 1;
	p->s += n;
	return 0;
}

static int value(jp *p, int depth);

static int container(jp *p, int depth, int obj)
{
	uint32_t k, count = 0;
	char close = obj ? '}' : ']';
	if (depth >= p->t->max_depth)
		return fail(p, p->s, "nested too deeply");
	if (push(p, obj ? JT_OBJ : JT_ARR, p->s, &k) < 0)
		return -1;
	p->s++;
	skip_ws(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
	} else {
		for (;;) {
			skip_ws(p);
			if (obj) {
				if (p->s >= p->end || *p->s != '"')
					return fail(p, p->s, "expected a key string");
				if (string(p) < 0)
					return -1;
				skip_ws(p);
				if (p->s >= p->end || *p->s != ':')
					return fail(p, p->s, "expected ':'");
				p->s++;
				skip_ws(p);
			}
			if (value(p, depth + 1) < 0)
				return -1;
			count++;
			skip_ws(p);
			if (p->s < p->end && *p->s == ',') {
				p->s++;
				continue;
			}
			if (p->s < p->end && *p->s == close) {
				p->s++;
				break;
			}
			return fail(p, p->s, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		}
	}
	p->t->t[k].count = count;
	p->t->t[k].next = (uint32_t)p->t->n;
	return 0;
}

static int value(jp *p, int depth)
{
	uint32_t k;
	const char *start;
	if (p->s >= p->end)
		return fail(p, p->s, "expected a JSON value");
	switch (*p->s) {
	case '"':
		return string(p);
	case '{':
		return container(p, depth, 1);
	case '[':
		return container(p, depth, 0);
	case 't':
		return literal(p, "true", 4, JT_TRUE);
	case 'f':
		return literal(p, "false", 5, JT_FALSE);
	case 'n':
		return literal(p, "null", 4, JT_NULL);
	case 'N':
		return literal(p, "NaN", 3, JT_NUM);
	case 'I':
		return literal(p, "Infinity", 8, JT_NUM);
	default:
		break;
	}
	start = p->s;
	if (*p->s == '-' && p->end - p->s >= 9 && !memcmp(p->s, "-Infinity", 9))
		p->s += 9;
	else
		p->s = jt_number_end(p->s, p->end);
	if (p->s == start)
		return fail(p, start, "expected a JSON value");
	if (push(p, JT_NUM, start, &k) < 0)
		return -1;
	p->t->t[k].len = (uint32_t)(p->s - start);
	p->t->t[k].next = k + 1;
	return 0;
}

/* Clears the tape and its error for a parse of s[0..n); -1 when n is too long for it. */
static int start(jp *p, jtape *t, const char *s, size_t n)
{
	p->t = t;
	p->s = s;
	p->end = s + n;
	t->n = 0;
	t->err_at = NULL;
	t->err_why = NULL;
	t->err_nomem = 0;
	return n > UINT32_MAX ? fail(p, s, "line longer than 4 GiB") : 0;
}

int jt_parse(jtape *t, const char *s, size_t n)
{
	jp p;
	if (start(&p, t, s, n) < 0)
		return -1;
	skip_ws(&p);
	if (p.s >= p.end || *p.s != '{')
		return fail(&p, p.s, "expected a JSON object per line");
	if (value(&p, 0) < 0)
		return -1;
	skip_ws(&p);
	if (p.s < p.end)
		return fail(&p, p.s, "unexpected text after the object");
	return 0;
}

int jt_parse_value(jtape *t, const char *s, size_t n, int depth, size_t *used)
{
	jp p;
	if (start(&p, t, s, n) < 0 || value(&p, depth) < 0)
		return -1;
	*used = (size_t)(p.s - s);
	return 0;
}

static int hex4(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

int jt_string(const jtok *k, hfds_buf *scratch, const char **data, size_t *len, const char **why)
{
	const char *s = k->p, *end = k->p + k->len;
	char *o;
	if (!k->esc) {
		*data = s;
		*len = k->len;
		return 0;
	}
	hfds_buf_clear(scratch);
	if (hfds_buf_reserve(scratch, k->len, NULL) < 0) {
		*why = "out of memory";
		return -1;
	}
	o = (char *)scratch->data;
	while (s < end) {
		uint32_t cp, lo;
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s++) {
		case '"': *o++ = '"'; continue;
		case '\\': *o++ = '\\'; continue;
		case '/': *o++ = '/'; continue;
		case 'b': *o++ = '\b'; continue;
		case 'f': *o++ = '\f'; continue;
		case 'n': *o++ = '\n'; continue;
		case 'r': *o++ = '\r'; continue;
		case 't': *o++ = '\t'; continue;
		case 'u': break;
		default: *why = "invalid escape in a string"; return -1;
		}
		if (end - s < 4 || hex4(s, &cp) < 0) {
			*why = "invalid \\u escape in a string";
			return -1;
		}
		s += 4;
		if (cp >= 0xDC00 && cp <= 0xDFFF) {
			*why = "lone low surrogate \\u escape in a string";
			return -1;
		}
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (end - s < 6 || s[0] != '\\' || s[1] != 'u' || hex4(s + 2, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF) {
				*why = "lone high surrogate \\u escape in a string";
				return -1;
			}
			s += 6;
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		}
		o += put_utf8(o, cp); /* never longer than the 6+ bytes of its escape */
	}
	*data = (const char *)scratch->data;
	*len = (size_t)(o - (char *)scratch->data);
	return 0;
}
