/*
 * Test kit for the writer tests: builds Arrow schemas and random arrays of any shape with
 * chosen null patterns, prints rows in the canonical JSON row format straight from the
 * Arrow input (independent of the writer), and runs the npm judges.
 * Everything allocated here goes to one list freed by kit_free_all().
 */
#ifndef TEST_WRITE_KIT_H
#define TEST_WRITE_KIT_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hfds/arrow_abi.h"
#include "hfds/parquet.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/numfmt.h"

static void **kit_allocs;
static size_t kit_nallocs, kit_capallocs;

static inline void *kit_alloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (kit_nallocs == kit_capallocs) {
		kit_capallocs = kit_capallocs ? kit_capallocs * 2 : 256;
		kit_allocs = realloc(kit_allocs, kit_capallocs * sizeof(void *));
	}
	kit_allocs[kit_nallocs++] = p;
	return p;
}

static inline void kit_free_all(void)
{
	for (size_t i = 0; i < kit_nallocs; i++)
		free(kit_allocs[i]);
	free(kit_allocs);
	kit_allocs = NULL;
	kit_nallocs = kit_capallocs = 0;
}

static void kit_noop_schema(struct ArrowSchema *s) { s->release = NULL; }
static void kit_noop_array(struct ArrowArray *a) { a->release = NULL; }

/* A schema node; children follow as struct ArrowSchema * (n of them). */
static inline struct ArrowSchema *kit_schema(const char *fmt, const char *name, int nullable, int n, ...)
{
	struct ArrowSchema *s = kit_alloc(sizeof(*s));
	s->format = fmt;
	s->name = name;
	s->flags = nullable ? ARROW_FLAG_NULLABLE : 0;
	s->n_children = n;
	s->children = kit_alloc(sizeof(void *) * (size_t)(n ? n : 1));
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		s->children[i] = va_arg(ap, struct ArrowSchema *);
	va_end(ap);
	s->release = kit_noop_schema;
	return s;
}

/* ---- random arrays ---- */

enum { NULLS_NONE, NULLS_ALL, NULLS_MIXED, NULLS_LEVEL0, NULLS_LEVEL1, NULLS_LEVEL2, NULLS_EMPTY_LISTS };

typedef struct kit_gen {
	uint64_t rng;
	int mode;
	int offset; /* every generated array gets this many leading unused slots */
} kit_gen;

static uint64_t kit_rand(kit_gen *g)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return g->rng;
}

static double kit_null_prob(const kit_gen *g, int depth)
{
	switch (g->mode) {
	case NULLS_ALL: return 1;
	case NULLS_MIXED: case NULLS_EMPTY_LISTS: return 0.3;
	case NULLS_LEVEL0: return depth == 0 ? 0.3 : 0;
	case NULLS_LEVEL1: return depth == 1 ? 0.3 : 0;
	case NULLS_LEVEL2: return depth == 2 ? 0.3 : 0;
	default: return 0;
	}
}

/* Decimal format "d:P,S[,BITS]": precision, scale and the Arrow value width in bytes. */
static void kit_dec_fmt(const char *f, int *prec, int *scale, int *width)
{
	int bits = 128;
	*prec = *scale = 0;
	sscanf(f, "d:%d,%d,%d", prec, scale, &bits);
	*width = bits / 8;
}

/* Little-endian two's complement bignum helpers (any width). */
static void kit_dec_negate(uint8_t *v, int w)
{
	unsigned carry = 1;
	for (int k = 0; k < w; k++) {
		unsigned x = (uint8_t)~v[k] + carry;
		v[k] = (uint8_t)x;
		carry = x >> 8;
	}
}

/* A decimal of precision P: the extremes +-(10^P - 1), 0, -1, or random digits and sign. */
static void kit_dec_fill(kit_gen *g, const char *f, uint8_t *v)
{
	int prec, scale, w;
	kit_dec_fmt(f, &prec, &scale, &w);
	uint64_t r = kit_rand(g);
	int ndig = r % 8 < 2 ? prec : r % 8 == 2 ? 0 : 1 + (int)(kit_rand(g) % (uint64_t)prec);
	int neg = (r >> 8) & 1;
	memset(v, 0, (size_t)w);
	for (int d = 0; d < ndig; d++) {
		unsigned carry = r % 8 < 2 ? 9 : (unsigned)(kit_rand(g) % 10); /* v = v * 10 + digit */
		for (int k = 0; k < w; k++) {
			unsigned x = v[k] * 10u + carry;
			v[k] = (uint8_t)x;
			carry = x >> 8;
		}
	}
	if (r % 8 == 2 && neg)
		v[0] = 1; /* -1 */
	if (neg)
		kit_dec_negate(v, w);
}

/* Canonical decimal string: exactly `scale` fraction digits. */
static void kit_dec_print(hfds_buf *b, const char *f, const uint8_t *src)
{
	int prec, scale, w;
	kit_dec_fmt(f, &prec, &scale, &w);
	uint8_t v[32];
	char dig[100];
	int nd = 0, neg = (src[w - 1] & 0x80) != 0, nz = 1;
	memcpy(v, src, (size_t)w);
	if (neg)
		kit_dec_negate(v, w);
	while (nz) { /* v /= 10, collecting the remainders */
		unsigned rem = 0;
		nz = 0;
		for (int k = w - 1; k >= 0; k--) {
			unsigned x = rem * 256u + v[k];
			v[k] = (uint8_t)(x / 10);
			rem = x % 10;
			nz |= v[k];
		}
		dig[nd++] = (char)('0' + rem);
	}
	while (nd < scale + 1)
		dig[nd++] = '0';
	hfds_buf_printf(b, NULL, "\"%s", neg ? "-" : "");
	for (int k = nd - 1; k >= 0; k--) {
		hfds_buf_append_byte(b, (uint8_t)dig[k], NULL);
		if (k == scale && scale > 0)
			hfds_buf_append_byte(b, '.', NULL);
	}
	hfds_buf_append_byte(b, '"', NULL);
}

static void kit_fill_value(kit_gen *g, const char *f, uint8_t *p, int64_t i, uint8_t *chars, int64_t *cpos)
{
	uint64_t r = kit_rand(g);
	switch (f[0]) {
	case 'b': if (r & 1) p[i >> 3] |= (uint8_t)(1u << (i & 7)); break;
	case 'c': ((int8_t *)p)[i] = (int8_t)r; break;
	case 'C': ((uint8_t *)p)[i] = (uint8_t)r; break;
	case 's': ((int16_t *)p)[i] = (int16_t)r; break;
	case 'S': ((uint16_t *)p)[i] = (uint16_t)r; break;
	case 'i': ((int32_t *)p)[i] = (int32_t)r; break;
	case 'I': ((uint32_t *)p)[i] = (uint32_t)r; break;
	case 'l': ((int64_t *)p)[i] = (int64_t)r; break;
	case 'L': ((uint64_t *)p)[i] = r; break;
	case 'e': { static const uint16_t h[] = { 0x3c00, 0x8000, 0x0000, 0x7bff, 0x3555, 0xc500, 0x0001, 0x7e00 };
		((uint16_t *)p)[i] = h[r % 8]; break; }
	case 'f': { static const float v[] = { 0.1f, -0.0f, 1e30f, -2.5f, 3.14159f, 0.0f, 1e-40f, 7.0f };
		((float *)p)[i] = (r & 0x100) ? v[r % 8] : (float)((int32_t)(r >> 50) - 4000) / 7.0f; break; }
	case 'g': { static const double v[] = { 0.1, -0.0, 1e300, -2.5, 3.141592653589793, 0.0, 5e-324, 1e21 };
		((double *)p)[i] = (r & 0x100) ? v[r % 8] : (double)(int64_t)(r >> 11) / 3.0; break; }
	case 'w': {
		int w = atoi(f + 2);
		for (int k = 0; k < w; k++)
			p[i * w + k] = (uint8_t)(kit_rand(g) % 5);
		break;
	}
	case 'd': {
		int prec, scale, w;
		kit_dec_fmt(f, &prec, &scale, &w);
		kit_dec_fill(g, f, p + i * w);
		break;
	}
	case 't':
		if (f[1] == 'd')
			((int32_t *)p)[i] = (int32_t)(r % 40000) - 10000;
		else
			/* DuckDB reads UTC-adjusted timestamps at microsecond precision: keep ns+tz whole us */
			((int64_t *)p)[i] = (int64_t)(r % 4000000000ull) * (f[2] == 's' ? 1 : f[2] == 'm' ? 1000 : f[2] == 'u' ? 1000000 : 1000000000) / 1000 * 1000 + (f[2] == 'n' && f[4] ? 0 : (int64_t)(r % 1000));
		break;
	default: { /* strings / binary: a few words, some non-ASCII */
		static const char *words[] = { "a", "héllo", "", "zebra", "日本", "x\"y\\z", "tab\tnl\n", "a-much-longer-string-value-that-exceeds-sixty-four-bytes-for-truncation-tests-0123456789" };
		const char *w = words[r % 8];
		size_t n = strlen(w);
		memcpy(chars + *cpos, w, n);
		*cpos += (int64_t)n;
		break;
	}
	}
}

static int kit_fixed_width(const char *f)
{
	switch (f[0]) {
	case 'c': case 'C': return 1;
	case 's': case 'S': case 'e': return 2;
	case 'i': case 'I': case 'f': return 4;
	case 'l': case 'L': case 'g': return 8;
	case 'w': return atoi(f + 2);
	case 't': return f[1] == 'd' ? 4 : 8;
	case 'd': { int p, s, w; kit_dec_fmt(f, &p, &s, &w); return w; }
	default: return 0;
	}
}

/* Map keys must be unique within a map: key j of the entries becomes j ("k<j>" for strings). */
static void kit_unique_keys(struct ArrowArray *ent, const char *kf)
{
	struct ArrowArray *k = ent->children[0];
	int64_t n = k->offset + k->length;
	if (kf[0] == 'i') {
		for (int64_t j = 0; j < n; j++)
			((int32_t *)k->buffers[1])[j] = (int32_t)j;
	} else if (kf[0] == 'l') {
		for (int64_t j = 0; j < n; j++)
			((int64_t *)k->buffers[1])[j] = j;
	} else if (kf[0] == 'u') {
		int32_t *o = kit_alloc(sizeof(int32_t) * (size_t)(n + 1));
		char *chars = kit_alloc((size_t)n * 24 + 1);
		int32_t pos = 0;
		for (int64_t j = 0; j < n; j++) {
			pos += sprintf(chars + pos, "k%lld", (long long)j);
			o[j + 1] = pos;
		}
		k->buffers[1] = o;
		k->buffers[2] = chars;
	}
}

/* Generates `len` logical slots (plus g->offset leading ones). */
static struct ArrowArray *kit_gen_array(kit_gen *g, const struct ArrowSchema *s, int64_t len, int depth)
{
	struct ArrowArray *a = kit_alloc(sizeof(*a));
	const char *f = s->format;
	int64_t off = g->offset, n = len + off;
	a->length = len;
	a->offset = off;
	a->release = kit_noop_array;
	a->buffers = kit_alloc(3 * sizeof(void *));
	uint8_t *valid = kit_alloc((size_t)(n + 8) / 8 + 1);
	double p = (s->flags & ARROW_FLAG_NULLABLE) ? kit_null_prob(g, depth) : 0;
	int64_t nulls = 0;
	for (int64_t i = 0; i < n; i++) {
		int isnull = p >= 1 || (p > 0 && (double)(kit_rand(g) % 1000) < p * 1000);
		if (!isnull)
			valid[i >> 3] |= (uint8_t)(1u << (i & 7));
		else if (i >= off)
			nulls++;
	}
	a->null_count = nulls;
	a->buffers[0] = nulls ? valid : NULL;
	if (!strcmp(f, "+s")) {
		a->n_buffers = 1;
		a->n_children = s->n_children;
		a->children = kit_alloc(sizeof(void *) * (size_t)s->n_children);
		/* struct slot i is child logical index i: children cover offset + len slots */
		int64_t save = g->offset;
		g->offset = 0;
		for (int64_t c = 0; c < s->n_children; c++)
			a->children[c] = kit_gen_array(g, s->children[c], n, depth + 1);
		g->offset = save;
		return a;
	}
	if (f[0] == '+' && (f[1] == 'l' || f[1] == 'L' || f[1] == 'w' || f[1] == 'm')) {
		int large = f[1] == 'L', fixed = f[1] == 'w';
		int64_t fs = fixed ? atoll(f + 3) : 0;
		int64_t total = 0;
		int32_t *o32 = NULL;
		int64_t *o64 = NULL;
		if (!fixed) {
			if (large)
				o64 = kit_alloc(sizeof(int64_t) * (size_t)(n + 1));
			else
				o32 = kit_alloc(sizeof(int32_t) * (size_t)(n + 1));
		}
		for (int64_t i = 0; i < n; i++) {
			int64_t k = fixed ? fs : (g->mode == NULLS_EMPTY_LISTS ? (int64_t)(kit_rand(g) % 2) : (int64_t)(kit_rand(g) % 4));
			if (!fixed && !((valid[i >> 3] >> (i & 7)) & 1) && (kit_rand(g) & 1))
				k = 0;
			total += k;
			if (o32) o32[i + 1] = (int32_t)total;
			if (o64) o64[i + 1] = total;
		}
		a->n_buffers = fixed ? 1 : 2;
		a->buffers[1] = fixed ? NULL : (o32 ? (void *)o32 : (void *)o64);
		a->n_children = 1;
		a->children = kit_alloc(sizeof(void *));
		int64_t save = g->offset;
		g->offset = 0;
		a->children[0] = kit_gen_array(g, s->children[0], total, depth + 1);
		g->offset = save;
		if (f[1] == 'm')
			kit_unique_keys(a->children[0], s->children[0]->children[0]->format);
		return a;
	}
	if (f[0] == 'n') {
		a->n_buffers = 0;
		a->null_count = len;
		return a;
	}
	int w = kit_fixed_width(f);
	a->n_buffers = w || f[0] == 'b' ? 2 : 3;
	if (f[0] == 'b') {
		uint8_t *bits = kit_alloc((size_t)(n + 8) / 8);
		for (int64_t i = 0; i < n; i++)
			kit_fill_value(g, f, bits, i, NULL, NULL);
		a->buffers[1] = bits;
	} else if (w) {
		uint8_t *vals = kit_alloc((size_t)(n * w));
		for (int64_t i = 0; i < n; i++)
			kit_fill_value(g, f, vals, i, NULL, NULL);
		a->buffers[1] = vals;
	} else {
		int large = f[0] == 'U' || f[0] == 'Z';
		uint8_t *chars = kit_alloc((size_t)(n * 100 + 1));
		int64_t pos = 0;
		int32_t *o32 = large ? NULL : kit_alloc(sizeof(int32_t) * (size_t)(n + 1));
		int64_t *o64 = large ? kit_alloc(sizeof(int64_t) * (size_t)(n + 1)) : NULL;
		for (int64_t i = 0; i < n; i++) {
			kit_fill_value(g, f, NULL, i, chars, &pos);
			if (o32) o32[i + 1] = (int32_t)pos;
			if (o64) o64[i + 1] = pos;
		}
		a->buffers[1] = o32 ? (void *)o32 : (void *)o64;
		a->buffers[2] = chars;
	}
	return a;
}

/* A batch (struct array) of `len` rows for struct schema s. */
static inline struct ArrowArray *kit_gen_batch(kit_gen *g, const struct ArrowSchema *s, int64_t len)
{
	struct ArrowArray *a = kit_alloc(sizeof(*a));
	a->length = len;
	a->offset = g->offset;
	a->n_buffers = 1;
	a->buffers = kit_alloc(sizeof(void *));
	a->n_children = s->n_children;
	a->children = kit_alloc(sizeof(void *) * (size_t)s->n_children);
	a->release = kit_noop_array;
	int64_t save = g->offset;
	for (int64_t c = 0; c < s->n_children; c++) {
		/* batch slot i = child logical index offset + i; the child has its own offset too */
		a->children[c] = kit_gen_array(g, s->children[c], len + save, 0);
	}
	g->offset = save;
	return a;
}

/* ---- canonical JSON of the Arrow input ---- */

static void kit_json_str(hfds_buf *b, const uint8_t *p, size_t n)
{
	hfds_buf_append_byte(b, '"', NULL);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == '"' || c == '\\') {
			hfds_buf_append_byte(b, '\\', NULL);
			hfds_buf_append_byte(b, c, NULL);
		} else if (c < 0x20) {
			hfds_buf_printf(b, NULL, "\\u%04x", c);
		} else {
			hfds_buf_append_byte(b, c, NULL);
		}
	}
	hfds_buf_append_byte(b, '"', NULL);
}

static void kit_num(hfds_buf *b, const char *s)
{
	if (!strcmp(s, "NaN") || !strcmp(s, "Infinity") || !strcmp(s, "-Infinity"))
		hfds_buf_printf(b, NULL, "\"%s\"", s);
	else
		hfds_buf_append_str(b, s, NULL);
}

static void kit_civil(int64_t days, int *y, int *m, int *d)
{
	/* Howard Hinnant's days_from_civil inverse */
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static void kit_print(hfds_buf *b, const struct ArrowSchema *s, const struct ArrowArray *a, int64_t i)
{
	const char *f = s->format;
	int64_t p = a->offset + i;
	const uint8_t *valid = a->null_count && a->n_buffers ? a->buffers[0] : NULL;
	char num[64];
	if (f[0] == 'n') {
		hfds_buf_append_str(b, "null", NULL);
		return;
	}
	if (valid && !((valid[p >> 3] >> (p & 7)) & 1)) {
		hfds_buf_append_str(b, "null", NULL);
		return;
	}
	if (!strcmp(f, "+s")) {
		hfds_buf_append_byte(b, '{', NULL);
		for (int64_t c = 0; c < s->n_children; c++) {
			if (c)
				hfds_buf_append_str(b, ", ", NULL);
			kit_json_str(b, (const uint8_t *)s->children[c]->name, strlen(s->children[c]->name));
			hfds_buf_append_str(b, ": ", NULL);
			kit_print(b, s->children[c], a->children[c], p);
		}
		hfds_buf_append_byte(b, '}', NULL);
		return;
	}
	if (f[0] == '+') {
		int64_t o0, o1;
		if (f[1] == 'l' || f[1] == 'm') { o0 = ((const int32_t *)a->buffers[1])[p]; o1 = ((const int32_t *)a->buffers[1])[p + 1]; }
		else if (f[1] == 'L') { o0 = ((const int64_t *)a->buffers[1])[p]; o1 = ((const int64_t *)a->buffers[1])[p + 1]; }
		else { int64_t fs = atoll(f + 3); o0 = p * fs; o1 = o0 + fs; }
		hfds_buf_append_byte(b, '[', NULL);
		for (int64_t k = o0; k < o1; k++) {
			if (k > o0)
				hfds_buf_append_str(b, ", ", NULL);
			kit_print(b, s->children[0], a->children[0], k);
		}
		hfds_buf_append_byte(b, ']', NULL);
		return;
	}
	const void *v = a->buffers[1];
	switch (f[0]) {
	case 'b': hfds_buf_append_str(b, ((((const uint8_t *)v)[p >> 3] >> (p & 7)) & 1) ? "true" : "false", NULL); return;
	case 'c': hfds_buf_printf(b, NULL, "%d", ((const int8_t *)v)[p]); return;
	case 'C': hfds_buf_printf(b, NULL, "%u", ((const uint8_t *)v)[p]); return;
	case 's': hfds_buf_printf(b, NULL, "%d", ((const int16_t *)v)[p]); return;
	case 'S': hfds_buf_printf(b, NULL, "%u", ((const uint16_t *)v)[p]); return;
	case 'i': hfds_buf_printf(b, NULL, "%d", ((const int32_t *)v)[p]); return;
	case 'I': hfds_buf_printf(b, NULL, "%u", ((const uint32_t *)v)[p]); return;
	case 'l': hfds_buf_printf(b, NULL, "%lld", (long long)((const int64_t *)v)[p]); return;
	case 'L': hfds_buf_printf(b, NULL, "%llu", (unsigned long long)((const uint64_t *)v)[p]); return;
	case 'e': hfds_fmt_half(((const uint16_t *)v)[p], num); kit_num(b, num); return;
	case 'f': hfds_fmt_float(((const float *)v)[p], num); kit_num(b, num); return;
	case 'g': hfds_fmt_double(((const double *)v)[p], num); kit_num(b, num); return;
	case 'w': {
		int w = atoi(f + 2);
		hfds_buf_append_byte(b, '"', NULL);
		hfds_base64_append(b, (const uint8_t *)v + p * w, (size_t)w, NULL);
		hfds_buf_append_byte(b, '"', NULL);
		return;
	}
	case 'd':
		kit_dec_print(b, f, (const uint8_t *)v + p * kit_fixed_width(f));
		return;
	case 't': {
		int y, m, d;
		if (f[1] == 'd') {
			kit_civil(((const int32_t *)v)[p], &y, &m, &d);
			hfds_buf_printf(b, NULL, "\"%04d-%02d-%02d\"", y, m, d);
			return;
		}
		int64_t t = ((const int64_t *)v)[p];
		int64_t per = f[2] == 's' ? 1 : f[2] == 'm' ? 1000 : f[2] == 'u' ? 1000000 : 1000000000;
		int digits = f[2] == 's' ? 3 : f[2] == 'm' ? 3 : f[2] == 'u' ? 6 : 9; /* s is stored as ms */
		int64_t secs = t / per, frac = t % per;
		if (frac < 0) { frac += per; secs--; }
		if (f[2] == 's') frac = 0;
		int64_t days = secs / 86400, sod = secs % 86400;
		if (sod < 0) { sod += 86400; days--; }
		kit_civil(days, &y, &m, &d);
		hfds_buf_printf(b, NULL, "\"%04d-%02d-%02dT%02d:%02d:%02d.%0*lld%s\"", y, m, d, (int)(sod / 3600),
			(int)(sod / 60 % 60), (int)(sod % 60), digits, (long long)frac, f[4] ? "Z" : "");
		return;
	}
	default: {
		int64_t o0, o1;
		if (f[0] == 'u' || f[0] == 'z') { o0 = ((const int32_t *)v)[p]; o1 = ((const int32_t *)v)[p + 1]; }
		else { o0 = ((const int64_t *)v)[p]; o1 = ((const int64_t *)v)[p + 1]; }
		const uint8_t *chars = (const uint8_t *)a->buffers[2] + o0;
		if (f[0] == 'u' || f[0] == 'U') {
			kit_json_str(b, chars, (size_t)(o1 - o0));
		} else {
			hfds_buf_append_byte(b, '"', NULL);
			hfds_base64_append(b, chars, (size_t)(o1 - o0), NULL);
			hfds_buf_append_byte(b, '"', NULL);
		}
		return;
	}
	}
}

/* Writes the expected JSONL of rows [0, len) of batch a to path. */
/* Writes one batch to `path` with the hfds writer (open, write, close); returns the status. */
static inline int kit_write_file(const char *path, const struct ArrowSchema *s, const struct ArrowArray *a,
	const hfds_pq_writer_options *o, hfds_error *err)
{
	hfds_pq_writer *w = NULL;
	int rc = hfds_pq_writer_open(&w, path, s, o, err);
	if (rc == 0)
		rc = hfds_pq_writer_write(w, a, err);
	if (rc == 0)
		rc = hfds_pq_writer_close(w, NULL, err);
	hfds_pq_writer_free(w);
	return rc;
}

static inline int kit_write_expected(const char *path, const struct ArrowSchema *s, const struct ArrowArray *a)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return -1;
	hfds_buf b;
	hfds_buf_init(&b, 0);
	for (int64_t r = 0; r < a->length; r++) {
		hfds_buf_clear(&b);
		hfds_buf_append_byte(&b, '{', NULL);
		for (int64_t c = 0; c < s->n_children; c++) {
			if (c)
				hfds_buf_append_str(&b, ", ", NULL);
			kit_json_str(&b, (const uint8_t *)s->children[c]->name, strlen(s->children[c]->name));
			hfds_buf_append_str(&b, ": ", NULL);
			kit_print(&b, s->children[c], a->children[c], a->offset + r);
		}
		hfds_buf_append_str(&b, "}\n", NULL);
		fwrite(b.data, 1, b.len, fp);
	}
	hfds_buf_release(&b);
	return fclose(fp);
}

/* Runs the judges' --compare; returns the exit status (0 = identical for every reader).
 * Without --readers in `extra`, all five read the file: DuckDB, arrow-rs, hyparquet, and
 * pyarrow and polars through tests/python/judge.py. */
static inline int kit_judge(const char *expected, const char *file, const char *extra)
{
	const char *src = getenv("HFDS_SRC");
	char cmd[8192];
	int all = !extra || !strstr(extra, "--readers");
	snprintf(cmd, sizeof(cmd), "node %s/tests/node/judge.mjs --compare %s %s %s%s", src ? src : ".", expected, file,
		all ? "--readers duckdb,arrow,hyparquet,pyarrow,polars " : "", extra ? extra : "");
	int st = system(cmd);
	return st;
}

/* The schema as C Data Interface nodes in JSON ({"format", "name", "nullable", "metadata",
 * "children"}), what tests/python/judge.py --arrow-schema imports through pyarrow. */
static inline void kit_schema_json(hfds_buf *b, const struct ArrowSchema *s)
{
	hfds_buf_append_str(b, "{\"format\": ", NULL);
	kit_json_str(b, (const uint8_t *)s->format, strlen(s->format));
	hfds_buf_append_str(b, ", \"name\": ", NULL);
	kit_json_str(b, (const uint8_t *)(s->name ? s->name : ""), s->name ? strlen(s->name) : 0);
	hfds_buf_printf(b, NULL, ", \"nullable\": %s, \"children\": [", (s->flags & ARROW_FLAG_NULLABLE) ? "true" : "false");
	for (int64_t i = 0; i < s->n_children; i++) {
		if (i)
			hfds_buf_append_str(b, ", ", NULL);
		kit_schema_json(b, s->children[i]);
	}
	hfds_buf_append_str(b, "]}", NULL);
}

/* pq.read_schema(file) must equal the Arrow schema the writer was given (ARROW:schema). */
static inline int kit_judge_arrow_schema(const char *file, const struct ArrowSchema *s)
{
	const char *src = getenv("HFDS_SRC");
	char json[4096], cmd[12288];
	snprintf(json, sizeof(json), "%s.schema.json", file);
	hfds_buf b;
	hfds_buf_init(&b, 0);
	kit_schema_json(&b, s);
	FILE *fp = fopen(json, "w");
	if (!fp) {
		hfds_buf_release(&b);
		return -1;
	}
	fwrite(b.data, 1, b.len, fp);
	hfds_buf_release(&b);
	if (fclose(fp) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/tests/python/.venv/bin/python %s/tests/python/judge.py --arrow-schema %s %s",
		src ? src : ".", src ? src : ".", file, json);
	return system(cmd);
}

#endif
