/*
 * Statistics: one typed min/max loop per source kind (no per-value dispatch), merged per
 * chunk. Bounds are encoded only when written, so truncation is decided once.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3") /* the min/max loops must vectorize */
#endif
#include <math.h>
#include <string.h>

#include "parquet/write/stats.h"
#include "parquet/write/enc.h"
#include "parquet/write/decimal_w.h"
#include "util/alloc.h"

void pqw_stats_init(pqw_stats *s)
{
	memset(s, 0, sizeof(*s));
}

int pqw_stats_ordered(const pqw_leaf *leaf)
{
	return leaf->sort != PQS_NONE;
}

static double half_to_double(uint16_t h)
{
	int e = (h >> 10) & 0x1f, m = h & 0x3ff;
	double v;
	if (e == 0)
		v = ldexp(m, -24);
	else if (e == 31)
		v = m ? NAN : INFINITY;
	else
		v = ldexp(m + 1024, e - 25);
	return (h & 0x8000) ? -v : v;
}

/* Four independent min/max chains: a single chain is bound by the compare latency. */
#define MINMAX_INT(T, F) do { \
	const T *v = (const T *)(const void *)pqw_colbuf_vals(cb) + v0; \
	T mn[4] = { v[0], v[0], v[0], v[0] }, mx[4] = { v[0], v[0], v[0], v[0] }; \
	size_t i = 0; \
	for (; i + 4 <= n; i += 4) \
		for (int j = 0; j < 4; j++) { \
			mn[j] = v[i + j] < mn[j] ? v[i + j] : mn[j]; \
			mx[j] = v[i + j] > mx[j] ? v[i + j] : mx[j]; \
		} \
	for (; i < n; i++) { \
		mn[0] = v[i] < mn[0] ? v[i] : mn[0]; \
		mx[0] = v[i] > mx[0] ? v[i] : mx[0]; \
	} \
	for (int j = 1; j < 4; j++) { \
		mn[0] = mn[j] < mn[0] ? mn[j] : mn[0]; \
		mx[0] = mx[j] > mx[0] ? mx[j] : mx[0]; \
	} \
	s->min.F = mn[0]; s->max.F = mx[0]; s->has_minmax = 1; \
} while (0)

/* NaN never wins a comparison, so it drops out of min/max without a branch; starting from
 * +-inf, the first non-NaN value (or an equal infinity) takes its place. Which zero wins
 * does not matter: bounds are written as -0.0 (min) and +0.0 (max). */
#define MINMAX_FLOAT(T) do { \
	const T *v = (const T *)(const void *)pqw_colbuf_vals(cb) + v0; \
	T mn[4] = { INFINITY, INFINITY, INFINITY, INFINITY }, mx[4] = { -INFINITY, -INFINITY, -INFINITY, -INFINITY }; \
	size_t nan = 0, i = 0; \
	for (; i + 4 <= n; i += 4) \
		for (int j = 0; j < 4; j++) { \
			T x = v[i + j]; \
			nan += x != x; \
			mn[j] = x < mn[j] ? x : mn[j]; \
			mx[j] = x > mx[j] ? x : mx[j]; \
		} \
	for (; i < n; i++) { \
		T x = v[i]; \
		nan += x != x; \
		mn[0] = x < mn[0] ? x : mn[0]; \
		mx[0] = x > mx[0] ? x : mx[0]; \
	} \
	for (int j = 1; j < 4; j++) { \
		mn[0] = mn[j] < mn[0] ? mn[j] : mn[0]; \
		mx[0] = mx[j] > mx[0] ? mx[j] : mx[0]; \
	} \
	s->nan_count += (int64_t)nan; \
	if (nan < n) { s->min.d = mn[0]; s->max.d = mx[0]; s->has_minmax = 1; } \
} while (0)

static int bytes_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	size_t k = al < bl ? al : bl;
	int c = k ? memcmp(a, b, k) : 0;
	return c ? c : (al < bl ? -1 : al > bl);
}

/* The first 8 bytes of a value (zero-padded) as a big-endian number: two values whose
 * keys differ compare as their keys do (a shorter value's padding is below any byte that
 * differs from it, and a value that is a prefix of another is smaller); equal keys say
 * nothing and the values are compared in full. */
static inline uint64_t prefix_key(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	if (n >= 8) /* one big-endian load once compiled */
		return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32
			| (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 | (uint64_t)p[6] << 8 | (uint64_t)p[7];
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (56 - 8 * i);
	return v;
}

void pqw_stats_compute(pqw_stats *s, const pqw_leaf *leaf, const pqw_colbuf *cb, int64_t v0, int64_t v1,
	int64_t nulls)
{
	pqw_stats_init(s);
	s->null_count = nulls;
	size_t n = (size_t)(v1 - v0);
	if (n == 0)
		return;
	switch (leaf->src) {
	case PQ_SRC_I8: MINMAX_INT(int8_t, i); break;
	case PQ_SRC_I16: MINMAX_INT(int16_t, i); break;
	case PQ_SRC_I32: MINMAX_INT(int32_t, i); break;
	case PQ_SRC_I64: MINMAX_INT(int64_t, i); break;
	case PQ_SRC_U8: MINMAX_INT(uint8_t, u); break;
	case PQ_SRC_U16: MINMAX_INT(uint16_t, u); break;
	case PQ_SRC_U32: MINMAX_INT(uint32_t, u); break;
	case PQ_SRC_U64: MINMAX_INT(uint64_t, u); break;
	case PQ_SRC_F32: MINMAX_FLOAT(float); break;
	case PQ_SRC_F64: MINMAX_FLOAT(double); break;
	case PQ_SRC_F16: {
		const uint16_t *v = (const uint16_t *)(const void *)pqw_colbuf_vals(cb) + v0;
		int any = 0;
		double mn = 0, mx = 0;
		for (size_t i = 0; i < n; i++) {
			double x = half_to_double(v[i]);
			if (x != x) {
				s->nan_count++;
				continue;
			}
			if (!any || x < mn || (x == 0 && mn == 0 && (v[i] & 0x8000)))
				mn = x, s->min.u = v[i];
			if (!any || x > mx)
				mx = x, s->max.u = v[i];
			any = 1;
		}
		s->has_minmax = any;
		break;
	}
	case PQ_SRC_BOOL: {
		const uint8_t *b = pqw_colbuf_vals(cb);
		int seen0 = 0, seen1 = 0;
		for (size_t i = 0; i < n && !(seen0 && seen1); i++) {
			size_t k = (size_t)v0 + i;
			if ((b[k >> 3] >> (k & 7)) & 1)
				seen1 = 1;
			else
				seen0 = 1;
		}
		s->min.u = seen0 ? 0 : 1;
		s->max.u = seen1 ? 1 : 0;
		s->has_minmax = 1;
		break;
	}
	case PQ_SRC_FLBA: {
		size_t w = (size_t)leaf->value_width;
		const uint8_t *p = pqw_colbuf_vals(cb) + (size_t)v0 * w, *mn = p, *mx = p;
		if (leaf->sort == PQS_DEC) {
			for (size_t i = 1; i < n; i++) {
				const uint8_t *x = p + i * w;
				if (pqw_decimal_cmp(x, mn, w) < 0)
					mn = x;
				if (pqw_decimal_cmp(x, mx, w) > 0)
					mx = x;
			}
			s->bmin = mn; s->bmax = mx; s->bmin_len = s->bmax_len = w; s->has_minmax = 1;
			break;
		}
		for (size_t i = 1; i < n; i++) {
			const uint8_t *x = p + i * w;
			if (memcmp(x, mn, w) < 0)
				mn = x;
			if (memcmp(x, mx, w) > 0)
				mx = x;
		}
		s->bmin = mn; s->bmax = mx; s->bmin_len = s->bmax_len = w; s->has_minmax = 1;
		break;
	}
	case PQ_SRC_BIN64: {
		const uint64_t *o = (const uint64_t *)(const void *)cb->offs.data + v0;
		const uint8_t *d = pqw_colbuf_vals(cb);
		const uint8_t *mn = d + o[0], *mx = mn;
		size_t mnl = (size_t)(o[1] - o[0]), mxl = mnl;
		uint64_t kmn = prefix_key(mn, mnl), kmx = kmn;
		for (size_t i = 1; i < n; i++) {
			const uint8_t *x = d + o[i];
			size_t xl = (size_t)(o[i + 1] - o[i]);
			uint64_t kx = prefix_key(x, xl);
			/* the first 8 bytes decide most comparisons; equal prefixes compare in full */
			if (kx < kmn || (kx == kmn && bytes_cmp(x, xl, mn, mnl) < 0))
				mn = x, mnl = xl, kmn = kx;
			if (kx > kmx || (kx == kmx && bytes_cmp(x, xl, mx, mxl) > 0))
				mx = x, mxl = xl, kmx = kx;
		}
		s->bmin = mn; s->bmin_len = mnl; s->bmax = mx; s->bmax_len = mxl; s->has_minmax = 1;
		break;
	}
	default:
		break;
	}
}

/* Compares a (use_max: the max) of x with the same bound of y. */
static int cmp_bound(const pqw_stats *x, const pqw_stats *y, const pqw_leaf *leaf, int use_max)
{
	switch (leaf->sort) {
	case PQS_I32: case PQS_I64: {
		int64_t a = use_max ? x->max.i : x->min.i, b = use_max ? y->max.i : y->min.i;
		return a < b ? -1 : a > b;
	}
	case PQS_U32: case PQS_U64: case PQS_BOOL: {
		uint64_t a = use_max ? x->max.u : x->min.u, b = use_max ? y->max.u : y->min.u;
		return a < b ? -1 : a > b;
	}
	case PQS_FLOAT: case PQS_DOUBLE: {
		double a = use_max ? x->max.d : x->min.d, b = use_max ? y->max.d : y->min.d;
		if (a == 0 && b == 0)
			return signbit(b) - signbit(a); /* -0 < +0 */
		return a < b ? -1 : a > b;
	}
	case PQS_F16: {
		uint16_t ha = (uint16_t)(use_max ? x->max.u : x->min.u), hb = (uint16_t)(use_max ? y->max.u : y->min.u);
		double a = half_to_double(ha), b = half_to_double(hb);
		if (a == 0 && b == 0)
			return ((hb >> 15) & 1) - ((ha >> 15) & 1);
		return a < b ? -1 : a > b;
	}
	case PQS_DEC: /* FLBA: both bounds have the column's width */
		return use_max ? pqw_decimal_cmp(x->bmax, y->bmax, x->bmax_len)
			: pqw_decimal_cmp(x->bmin, y->bmin, x->bmin_len);
	case PQS_BYTES:
		return use_max ? bytes_cmp(x->bmax, x->bmax_len, y->bmax, y->bmax_len)
			: bytes_cmp(x->bmin, x->bmin_len, y->bmin, y->bmin_len);
	default:
		return 0;
	}
}

int pqw_stats_cmp_min(const pqw_stats *a, const pqw_stats *b, const pqw_leaf *leaf, int use_max)
{
	return cmp_bound(a, b, leaf, use_max);
}

void pqw_stats_merge(pqw_stats *chunk, const pqw_stats *page, const pqw_leaf *leaf)
{
	chunk->null_count += page->null_count;
	chunk->nan_count += page->nan_count;
	if (!page->has_minmax)
		return;
	if (!chunk->has_minmax) {
		int64_t nulls = chunk->null_count, nans = chunk->nan_count;
		*chunk = *page;
		chunk->null_count = nulls;
		chunk->nan_count = nans;
		return;
	}
	if (cmp_bound(page, chunk, leaf, 0) < 0) {
		chunk->min = page->min;
		chunk->bmin = page->bmin;
		chunk->bmin_len = page->bmin_len;
	}
	if (cmp_bound(page, chunk, leaf, 1) > 0) {
		chunk->max = page->max;
		chunk->bmax = page->bmax;
		chunk->bmax_len = page->bmax_len;
	}
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int pqw_stats_bound(pqw_bound *b, const pqw_stats *s, const pqw_leaf *leaf, int want_max, size_t max_size)
{
	memset(b, 0, sizeof(*b));
	b->exact = 1;
	b->ptr = b->small;
	if (!s->has_minmax)
		return -1;
	switch (leaf->sort) {
	case PQS_I32: case PQS_U32:
		put_le(b->small, want_max ? s->max.u : s->min.u, 4);
		b->len = 4;
		return 0;
	case PQS_I64: case PQS_U64:
		put_le(b->small, want_max ? s->max.u : s->min.u, 8);
		b->len = 8;
		return 0;
	case PQS_BOOL:
		b->small[0] = (uint8_t)(want_max ? s->max.u : s->min.u);
		b->len = 1;
		return 0;
	case PQS_FLOAT: {
		float f = (float)(want_max ? s->max.d : s->min.d);
		if (f == 0)
			f = want_max ? 0.0f : -0.0f;
		memcpy(b->small, &f, 4);
		b->len = 4;
		return 0;
	}
	case PQS_DOUBLE: {
		double d = want_max ? s->max.d : s->min.d;
		if (d == 0)
			d = want_max ? 0.0 : -0.0;
		memcpy(b->small, &d, 8);
		b->len = 8;
		return 0;
	}
	case PQS_F16: {
		uint16_t h = (uint16_t)(want_max ? s->max.u : s->min.u);
		if ((h & 0x7fff) == 0)
			h = want_max ? 0x0000 : 0x8000;
		put_le(b->small, h, 2);
		b->len = 2;
		return 0;
	}
	case PQS_DEC: /* never truncated: a prefix of a number is not a bound */
		b->ptr = want_max ? s->bmax : s->bmin;
		b->len = want_max ? s->bmax_len : s->bmin_len;
		return 0;
	case PQS_BYTES: {
		const uint8_t *p = want_max ? s->bmax : s->bmin;
		size_t n = want_max ? s->bmax_len : s->bmin_len;
		b->ptr = p;
		b->len = n;
		if (max_size == 0 || n <= max_size || leaf->ptype == 7 /* FLBA keeps its width */)
			return 0;
		size_t cut = max_size;
		if (leaf->is_string)
			while (cut > 0 && (p[cut] & 0xC0) == 0x80)
				cut--;
		b->exact = 0;
		if (!want_max) {
			b->len = cut;
			return 0;
		}
		/* max: increment the last byte that can be incremented (ASCII for strings, so
		 * the bound stays valid UTF-8); drop what follows it */
		for (size_t i = cut; i-- > 0;) {
			if (leaf->is_string ? p[i] < 0x7f : p[i] < 0xff) {
				b->own = hfds_malloc(i + 1);
				if (!b->own)
					return -1;
				memcpy(b->own, p, i + 1);
				b->own[i]++;
				b->ptr = b->own;
				b->len = i + 1;
				return 0;
			}
		}
		b->ptr = p; /* cannot truncate upwards: keep it whole */
		b->len = n;
		b->exact = 1;
		return 0;
	}
	default:
		return -1;
	}
}

void pqw_bound_release(pqw_bound *b)
{
	hfds_free(b->own);
	b->own = NULL;
}

static int signed_order(const pqw_leaf *leaf)
{
	switch (leaf->sort) {
	case PQS_I32: case PQS_I64: case PQS_FLOAT: case PQS_DOUBLE: case PQS_F16:
		return 1;
	default:
		return 0;
	}
}

void pqw_stats_write(pq_tw *tw, int16_t field_id, const pqw_stats *s, const pqw_leaf *leaf, size_t max_size)
{
	pqw_bound mn, mx;
	int ok = pqw_stats_ordered(leaf) && pqw_stats_bound(&mn, s, leaf, 0, max_size) == 0;
	if (ok && pqw_stats_bound(&mx, s, leaf, 1, max_size) < 0) {
		pqw_bound_release(&mn);
		ok = 0;
	}
	pq_tw_field_struct_begin(tw, field_id);
	if (ok && signed_order(leaf)) {
		pq_tw_field_binary(tw, 1, mx.ptr, mx.len);
		pq_tw_field_binary(tw, 2, mn.ptr, mn.len);
	}
	pq_tw_field_i64(tw, 3, s->null_count);
	if (ok) {
		pq_tw_field_binary(tw, 5, mx.ptr, mx.len);
		pq_tw_field_binary(tw, 6, mn.ptr, mn.len);
		pq_tw_field_bool(tw, 7, mx.exact);
		pq_tw_field_bool(tw, 8, mn.exact);
		pqw_bound_release(&mn);
		pqw_bound_release(&mx);
	}
	pq_tw_struct_end(tw);
}
