/*
 * Dremel shredding over Arrow arrays. The walk goes down one leaf's path; runs without
 * nulls are emitted in bulk (memset levels, memcpy/convert values), so flat columns and
 * the innermost lists of nested columns cost a few passes over memory, not a call per value.
 */
#include <string.h>

#include "parquet/write/shred.h"
#include "parquet/write/decimal_w.h"
#include "util/alloc.h"
#include "util/try.h"
#include "util/utf8.h"

void pqw_colbuf_init(pqw_colbuf *cb)
{
	memset(cb, 0, sizeof(*cb));
	hfds_buf_init(&cb->def, 0);
	hfds_buf_init(&cb->rep, 0);
	hfds_buf_init(&cb->vals, 0);
	hfds_buf_init(&cb->offs, 0);
	hfds_buf_init(&cb->rows, 0);
	cb->def_all_max = 1;
}

void pqw_colbuf_clear(pqw_colbuf *cb)
{
	hfds_buf_clear(&cb->def);
	hfds_buf_clear(&cb->rep);
	hfds_buf_clear(&cb->vals);
	hfds_buf_clear(&cb->offs);
	hfds_buf_clear(&cb->rows);
	cb->nentries = cb->nvalues = cb->nrows = 0;
	cb->def_all_max = 1;
	cb->borrowed = NULL;
	cb->borrowed_len = 0;
}

void pqw_colbuf_release(pqw_colbuf *cb)
{
	hfds_buf_release(&cb->def);
	hfds_buf_release(&cb->rep);
	hfds_buf_release(&cb->vals);
	hfds_buf_release(&cb->offs);
	hfds_buf_release(&cb->rows);
}

uint64_t pqw_colbuf_bytes(const pqw_colbuf *cb)
{
	return cb->def.len + cb->rep.len + cb->vals.len + cb->borrowed_len + cb->offs.len / 2;
}

typedef struct ctx {
	pqw_colbuf *cb;
	const pqw_leaf *leaf;
	hfds_error *err;
	int64_t file_row;    /* file row of the first row in this call */
	int64_t row_base;    /* cb->nrows when the call started */
} ctx;

static inline int bit(const uint8_t *bits, int64_t i)
{
	return (bits[i >> 3] >> (i & 7)) & 1;
}

/* The validity bitmap to honour, or NULL when every slot is valid. */
static const uint8_t *validity(const struct ArrowArray *a)
{
	return a->null_count != 0 && a->n_buffers > 0 ? (const uint8_t *)a->buffers[0] : NULL;
}

/* Current file row, for messages: rows started so far in this call. */
static int64_t cur_row(const ctx *c)
{
	int64_t r = c->cb->nrows - c->row_base;
	if (c->leaf->max_rep > 0 && r > 0)
		r--; /* the row being emitted has already been counted */
	return c->file_row + r;
}

static int need(hfds_buf *b, size_t n, hfds_error *err)
{
	return b->cap - b->len >= n ? 0 : hfds_buf_reserve(b, n, err);
}

int pqw_colbuf_own(pqw_colbuf *cb, hfds_error *err)
{
	int rc = 0;
	if (!cb->borrowed)
		return 0;
	HFDS_TRY(need(&cb->vals, cb->borrowed_len, err));
	memcpy(cb->vals.data + cb->vals.len, cb->borrowed, cb->borrowed_len);
	cb->vals.len += cb->borrowed_len;
	cb->borrowed = NULL;
	cb->borrowed_len = 0;
done:
	return rc;
}

static int push_row(ctx *c)
{
	int rc = 0;
	HFDS_TRY(need(&c->cb->rows, 8, c->err));
	uint64_t e = (uint64_t)c->cb->nentries;
	memcpy(c->cb->rows.data + c->cb->rows.len, &e, 8);
	c->cb->rows.len += 8;
	c->cb->nrows++;
done:
	return rc;
}

/* Materializes the definition levels held implicitly while all were max_def. */
static int def_materialize(ctx *c)
{
	int rc = 0;
	pqw_colbuf *cb = c->cb;
	if (!cb->def_all_max)
		return 0;
	HFDS_TRY(need(&cb->def, (size_t)cb->nentries + 1, c->err));
	memset(cb->def.data, c->leaf->max_def, (size_t)cb->nentries);
	cb->def.len = (size_t)cb->nentries;
	cb->def_all_max = 0;
done:
	return rc;
}

/* One entry without a value (null or empty list) at definition level `def`. */
static int emit_empty(ctx *c, int def, int rep)
{
	int rc = 0;
	pqw_colbuf *cb = c->cb;
	if (c->leaf->max_rep > 0) {
		if (rep == 0)
			HFDS_TRY(push_row(c));
		HFDS_TRY(need(&cb->rep, 1, c->err));
		cb->rep.data[cb->rep.len++] = (uint8_t)rep;
	} else {
		cb->nrows++;
	}
	HFDS_TRY(def_materialize(c));
	HFDS_TRY(need(&cb->def, 1, c->err));
	cb->def.data[cb->def.len++] = (uint8_t)def;
	cb->nentries++;
done:
	return rc;
}

static int check_utf8(ctx *c, const uint8_t *p, size_t n, int64_t entry)
{
	if (hfds_utf8_validate(p, n) == n)
		return 0;
	/* The row is the number of row starts up to this entry. */
	int64_t row = c->file_row;
	if (c->leaf->max_rep > 0) {
		const uint64_t *rows = (const uint64_t *)c->cb->rows.data;
		int64_t lo = c->row_base, hi = c->cb->nrows;
		while (hi - lo > 1) {
			int64_t mid = (lo + hi) / 2;
			if ((int64_t)rows[mid] <= entry)
				lo = mid;
			else
				hi = mid;
		}
		row += lo - c->row_base;
	} else {
		row += entry - (int64_t)(c->row_base);
	}
	return hfds_error_set(c->err, HFDS_EINVAL, "column '%s': row %lld: invalid UTF-8 in string value",
		c->leaf->path, (long long)row);
}

/* All bytes < 0x80: valid UTF-8 whatever the value boundaries are. */
static int ascii(const uint8_t *p, size_t n)
{
	uint64_t acc = 0, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= p[i];
	return (acc & 0x8080808080808080ull) == 0;
}

/* Appends values [s, e) of leaf array `a` (all valid), converted to the physical type. */
static int leaf_values(ctx *c, const struct ArrowArray *a, int64_t s, int64_t e, int64_t first_entry)
{
	int rc = 0;
	pqw_colbuf *cb = c->cb;
	const pqw_leaf *l = c->leaf;
	size_t n = (size_t)(e - s);
	int64_t p = a->offset + s;
	switch (l->conv) {
	case PQV_BOOL: {
		/* dense bitmap: bit nvalues + i */
		const uint8_t *bits = a->buffers[1];
		size_t nbits = (size_t)cb->nvalues + n;
		size_t nbytes = (nbits + 7) / 8;
		if (nbytes > cb->vals.len) {
			HFDS_TRY(need(&cb->vals, nbytes - cb->vals.len, c->err));
			memset(cb->vals.data + cb->vals.len, 0, nbytes - cb->vals.len);
			cb->vals.len = nbytes;
		}
		uint8_t *o = cb->vals.data;
		for (size_t i = 0; i < n; i++) {
			size_t d = (size_t)cb->nvalues + i;
			if (bit(bits, p + (int64_t)i))
				o[d >> 3] |= (uint8_t)(1u << (d & 7));
		}
		break;
	}
	case PQV_COPY: {
		size_t w = (size_t)l->value_width;
		if (n == 0)
			break;
		const uint8_t *src = (const uint8_t *)a->buffers[1] + (size_t)p * w;
		if (cb->vals.len == 0 && (!cb->borrowed || cb->borrowed + cb->borrowed_len == src)) {
			if (!cb->borrowed)
				cb->borrowed = src;
			cb->borrowed_len += n * w;
			break;
		}
		HFDS_TRY(pqw_colbuf_own(cb, c->err));
		HFDS_TRY(need(&cb->vals, n * w, c->err));
		memcpy(cb->vals.data + cb->vals.len, src, n * w);
		cb->vals.len += n * w;
		break;
	}
	case PQV_DEC: {
		size_t w = (size_t)l->value_width;
		HFDS_TRY(need(&cb->vals, n * w, c->err));
		size_t ok = pqw_decimal_to_be(cb->vals.data + cb->vals.len, l->value_width,
			(const uint8_t *)a->buffers[1] + (size_t)p * (size_t)l->arrow_width, l->arrow_width, n);
		HFDS_FAIL_IF(ok < n, HFDS_EINVAL, c->err, "column '%s': row %lld: decimal value exceeds its precision",
			l->path, (long long)cur_row(c));
		cb->vals.len += n * w;
		break;
	}
	case PQV_TS_S: {
		HFDS_TRY(need(&cb->vals, n * 8, c->err));
		const int64_t *v = (const int64_t *)a->buffers[1] + p;
		int64_t *o = (int64_t *)(void *)(cb->vals.data + cb->vals.len);
		for (size_t i = 0; i < n; i++)
			o[i] = (int64_t)((uint64_t)v[i] * 1000u);
		cb->vals.len += n * 8;
		break;
	}
	case PQV_BIN32: case PQV_BIN64: {
		int64_t o0, o1;
		const uint8_t *data = a->buffers[2];
		if (l->conv == PQV_BIN32) {
			const int32_t *off = (const int32_t *)a->buffers[1] + p;
			o0 = off[0];
			o1 = off[n];
		} else {
			const int64_t *off = (const int64_t *)a->buffers[1] + p;
			o0 = off[0];
			o1 = off[n];
		}
		HFDS_FAIL_IF(o1 < o0 || o0 < 0, HFDS_EINVAL, c->err, "column '%s': row %lld: bad offsets %lld..%lld",
			l->path, (long long)cur_row(c), (long long)o0, (long long)o1);
		size_t nb = (size_t)(o1 - o0);
		/* the bytes are borrowed like fixed-width values (offsets are then relative to
		 * the borrowed run, which pqw_colbuf_own copies to the start of vals) */
		int borrow = cb->vals.len == 0 && (!cb->borrowed || cb->borrowed + cb->borrowed_len == data + o0);
		if (!borrow) {
			HFDS_TRY(pqw_colbuf_own(cb, c->err));
			HFDS_TRY(need(&cb->vals, nb, c->err));
		}
		HFDS_TRY(need(&cb->offs, (n + 1) * 8, c->err));
		if (cb->offs.len == 0) {
			memset(cb->offs.data, 0, 8);
			cb->offs.len = 8;
		}
		uint64_t base = borrow ? cb->borrowed_len : cb->vals.len;
		uint64_t *oo = (uint64_t *)(void *)(cb->offs.data + cb->offs.len);
		if (l->conv == PQV_BIN32) {
			const int32_t *off = (const int32_t *)a->buffers[1] + p;
			for (size_t i = 0; i < n; i++) {
				HFDS_FAIL_IF(off[i + 1] < off[i], HFDS_EINVAL, c->err,
					"column '%s': row %lld: decreasing offsets", l->path, (long long)cur_row(c));
				oo[i] = base + (uint64_t)(off[i + 1] - o0);
			}
		} else {
			const int64_t *off = (const int64_t *)a->buffers[1] + p;
			for (size_t i = 0; i < n; i++) {
				HFDS_FAIL_IF(off[i + 1] < off[i], HFDS_EINVAL, c->err,
					"column '%s': row %lld: decreasing offsets", l->path, (long long)cur_row(c));
				oo[i] = base + (uint64_t)(off[i + 1] - o0);
			}
		}
		if (borrow && nb) {
			if (!cb->borrowed)
				cb->borrowed = data + o0;
			cb->borrowed_len += nb;
		} else if (nb) {
			memcpy(cb->vals.data + cb->vals.len, data + o0, nb);
			cb->vals.len += nb;
		}
		if (l->is_string && !ascii(data + o0, nb)) {
			uint64_t prev = base;
			for (size_t i = 0; i < n; i++) {
				HFDS_TRY(check_utf8(c, data + o0 + (prev - base), (size_t)(oo[i] - prev),
					first_entry + (int64_t)i));
				prev = oo[i];
			}
		}
		cb->offs.len += n * 8;
		break;
	}
	default:
		HFDS_FAIL(HFDS_EINVAL, c->err, "column '%s': unsupported value conversion", l->path);
	}
	cb->nvalues += (int64_t)n;
done:
	return rc;
}

/* A run of present leaf values [s, e): levels in bulk, then the values. */
static int leaf_run(ctx *c, const struct ArrowArray *a, int64_t s, int64_t e, int rep_first, int rep_rest)
{
	int rc = 0;
	pqw_colbuf *cb = c->cb;
	size_t n = (size_t)(e - s);
	int64_t first = cb->nentries;
	if (n == 0)
		return 0;
	if (c->leaf->max_rep > 0) {
		if (rep_first == 0)
			HFDS_TRY(push_row(c));
		HFDS_TRY(need(&cb->rep, n, c->err));
		cb->rep.data[cb->rep.len] = (uint8_t)rep_first;
		memset(cb->rep.data + cb->rep.len + 1, rep_rest, n - 1);
		cb->rep.len += n;
	} else {
		cb->nrows += (int64_t)n;
	}
	if (c->leaf->max_def > 0 && !cb->def_all_max) {
		HFDS_TRY(need(&cb->def, n, c->err));
		memset(cb->def.data + cb->def.len, c->leaf->max_def, n);
		cb->def.len += n;
	}
	cb->nentries += (int64_t)n;
	HFDS_TRY(leaf_values(c, a, s, e, first));
done:
	return rc;
}

static int shred_range(ctx *c, int k, const struct ArrowArray *a, int64_t s, int64_t e, int rep_first,
	int rep_rest);

/* A flat nullable fixed-width column: one branch-free pass writes the levels and gathers
 * the present values (each value is stored, the output advances only when present). */
#define GATHER_NULLABLE(T) do { \
	const T *src = (const T *)a->buffers[1] + a->offset + s; \
	T *dst = (T *)(void *)(cb->vals.data + cb->vals.len); \
	for (size_t i = 0; i < n; i++) { \
		int64_t p = a->offset + s + (int64_t)i; \
		uint8_t b = (uint8_t)((bits[p >> 3] >> (p & 7)) & 1); \
		def[i] = (uint8_t)(d0 + b); \
		memcpy(dst + cnt, src + i, sizeof(T)); \
		cnt += b; \
	} \
} while (0)

static int flat_nullable(ctx *c, const pqw_step *st, const struct ArrowArray *a, const uint8_t *bits, int64_t s,
	int64_t e)
{
	int rc = 0;
	pqw_colbuf *cb = c->cb;
	size_t n = (size_t)(e - s), cnt = 0, w = (size_t)c->leaf->value_width;
	uint8_t d0 = (uint8_t)st->def;
	if (n == 0)
		return 0;
	HFDS_TRY(pqw_colbuf_own(cb, c->err));
	HFDS_TRY(def_materialize(c));
	HFDS_TRY(need(&cb->def, n, c->err));
	HFDS_TRY(need(&cb->vals, (n + 1) * w, c->err));
	uint8_t *def = cb->def.data + cb->def.len;
	switch (w) {
	case 1: GATHER_NULLABLE(uint8_t); break;
	case 2: GATHER_NULLABLE(uint16_t); break;
	case 4: GATHER_NULLABLE(uint32_t); break;
	default: GATHER_NULLABLE(uint64_t); break;
	}
	cb->def.len += n;
	cb->vals.len += cnt * w;
	cb->nentries += (int64_t)n;
	cb->nrows += (int64_t)n;
	cb->nvalues += (int64_t)cnt;
done:
	return rc;
}

/* Length of the run of slots starting at i with the same validity, capped at e. */
static int64_t run_end(const uint8_t *bits, int64_t off, int64_t i, int64_t e, int valid)
{
	while (i < e && bit(bits, off + i) == valid)
		i++;
	return i;
}

static int check_bounds(ctx *c, const struct ArrowArray *child, int64_t o0, int64_t o1)
{
	if (o0 < 0 || o1 < o0 || o1 > child->length)
		return hfds_error_set(c->err, HFDS_EINVAL, "column '%s': row %lld: list offsets %lld..%lld outside the child array (length %lld)",
			c->leaf->path, (long long)cur_row(c), (long long)o0, (long long)o1, (long long)child->length);
	return 0;
}

/* Start offset of list element p (logical index with the array offset applied). */
static int64_t list_start(const pqw_step *st, const struct ArrowArray *a, int64_t p)
{
	if (st->kind == PQW_LIST)
		return ((const int32_t *)a->buffers[1])[p];
	if (st->kind == PQW_LARGE_LIST)
		return ((const int64_t *)a->buffers[1])[p];
	return p * st->fixed_size;
}

/*
 * Lists [s, e) with no null list, no empty list and no null leaf value, directly above the
 * leaf: the child range is contiguous, so levels and values go in bulk for the whole range
 * (one call per row of an Array2D instead of one per inner list). Returns 0 when done, 1
 * when the range does not qualify (nothing emitted), or an error.
 */
static int lists_of_leaves(ctx *c, const pqw_step *st, const struct ArrowArray *a, int64_t s, int64_t e,
	int rep_first, int rep_rest)
{
	int rc = 0;
	pqw_colbuf *cb = c->cb;
	const struct ArrowArray *child = a->children[0];
	if (validity(child) || c->leaf->conv == PQV_NULL)
		return 1;
	int64_t o0 = list_start(st, a, a->offset + s), o1 = list_start(st, a, a->offset + e);
	for (int64_t i = s; i < e; i++)
		if (list_start(st, a, a->offset + i + 1) <= list_start(st, a, a->offset + i))
			return 1;
	HFDS_TRY(check_bounds(c, child, o0, o1));
	size_t n = (size_t)(o1 - o0);
	int64_t first = cb->nentries;
	HFDS_TRY(need(&cb->rep, n, c->err));
	uint8_t *rep = cb->rep.data + cb->rep.len;
	memset(rep, st->rep, n);
	for (int64_t i = s; i < e; i++) {
		int64_t at = list_start(st, a, a->offset + i) - o0;
		int r = i == s ? rep_first : rep_rest;
		rep[at] = (uint8_t)r;
		if (r == 0) {
			cb->nentries = first + at; /* push_row records the current entry */
			HFDS_TRY(push_row(c));
		}
	}
	cb->rep.len += n;
	if (!cb->def_all_max) {
		HFDS_TRY(need(&cb->def, n, c->err));
		memset(cb->def.data + cb->def.len, c->leaf->max_def, n);
		cb->def.len += n;
	}
	cb->nentries = first + (int64_t)n;
	HFDS_TRY(leaf_values(c, child, o0, o1, first));
done:
	return rc;
}

static int shred_range(ctx *c, int k, const struct ArrowArray *a, int64_t s, int64_t e, int rep_first,
	int rep_rest)
{
	int rc = 0;
	const pqw_step *st = &c->leaf->steps[k];
	const uint8_t *bits = validity(a);
	if (bits && !st->nullable) {
		for (int64_t i = s; i < e; i++)
			HFDS_FAIL_IF(!bit(bits, a->offset + i), HFDS_EINVAL, c->err,
				"column '%s': null in a non-nullable field", c->leaf->path);
		bits = NULL;
	}
	if (st->kind == PQW_LEAF && bits && c->leaf->max_rep == 0 && c->leaf->conv == PQV_COPY) {
		int w = c->leaf->value_width;
		if (w == 1 || w == 2 || w == 4 || w == 8)
			return flat_nullable(c, st, a, bits, s, e);
	}
	if (st->kind == PQW_LEAF && c->leaf->conv == PQV_NULL) {
		for (int64_t i = s; i < e; i++)
			HFDS_TRY(emit_empty(c, st->def, i == s ? rep_first : rep_rest));
		return 0;
	}
	switch (st->kind) {
	case PQW_LEAF:
	case PQW_STRUCT:
		for (int64_t i = s; i < e;) {
			int rep = i == s ? rep_first : rep_rest;
			if (bits && !bit(bits, a->offset + i)) {
				HFDS_TRY(emit_empty(c, st->def, rep));
				i++;
				continue;
			}
			int64_t j = bits ? run_end(bits, a->offset, i, e, 1) : e;
			if (st->kind == PQW_LEAF)
				HFDS_TRY(leaf_run(c, a, i, j, rep, rep_rest));
			else
				HFDS_TRY(shred_range(c, k + 1, a->children[st->child], a->offset + i, a->offset + j, rep,
					rep_rest));
			i = j;
		}
		break;
	case PQW_LIST:
	case PQW_LARGE_LIST:
	case PQW_FIXED_LIST: {
		const struct ArrowArray *child = a->children[0];
		int dpres = st->def + st->nullable;
		if (!bits && k + 2 == c->leaf->nsteps && e > s) {
			int r = lists_of_leaves(c, st, a, s, e, rep_first, rep_rest);
			if (r <= 0)
				return r; /* done, or an error */
		}
		for (int64_t i = s; i < e; i++) {
			int rep = i == s ? rep_first : rep_rest;
			if (bits && !bit(bits, a->offset + i)) {
				HFDS_TRY(emit_empty(c, st->def, rep));
				continue;
			}
			int64_t o0, o1, p = a->offset + i;
			if (st->kind == PQW_LIST) {
				const int32_t *off = a->buffers[1];
				o0 = off[p];
				o1 = off[p + 1];
			} else if (st->kind == PQW_LARGE_LIST) {
				const int64_t *off = a->buffers[1];
				o0 = off[p];
				o1 = off[p + 1];
			} else {
				o0 = p * st->fixed_size;
				o1 = o0 + st->fixed_size;
			}
			HFDS_TRY(check_bounds(c, child, o0, o1));
			if (o0 == o1)
				HFDS_TRY(emit_empty(c, dpres, rep));
			else
				HFDS_TRY(shred_range(c, k + 1, child, o0, o1, rep, st->rep));
		}
		break;
	}
	default:
		HFDS_FAIL(HFDS_EINVAL, c->err, "column '%s': bad schema step", c->leaf->path);
	}
done:
	return rc;
}

static int expect(const pqw_leaf *l, const struct ArrowArray *a, int64_t nbuf, int64_t nchild, hfds_error *err)
{
	if (!a)
		return hfds_error_set(err, HFDS_EINVAL, "column '%s': missing array", l->path);
	if (a->n_buffers != nbuf || a->n_children < nchild)
		return hfds_error_set(err, HFDS_EINVAL,
			"column '%s': array does not match the schema (%lld buffers, %lld children; expected %lld, %lld)",
			l->path, (long long)a->n_buffers, (long long)a->n_children, (long long)nbuf, (long long)nchild);
	if (a->length < 0 || a->offset < 0)
		return hfds_error_set(err, HFDS_EINVAL, "column '%s': negative length or offset", l->path);
	for (int64_t i = 1; i < nbuf; i++)
		if (!a->buffers[i] && a->length > 0)
			return hfds_error_set(err, HFDS_EINVAL, "column '%s': buffer %lld is missing", l->path, (long long)i);
	return 0;
}

int pqw_shred_check(const pqw_leaf *l, const struct ArrowArray *a, hfds_error *err)
{
	int rc = 0;
	for (int k = 0; k < l->nsteps; k++) {
		const pqw_step *st = &l->steps[k];
		switch (st->kind) {
		case PQW_STRUCT:
			HFDS_TRY(expect(l, a, 1, st->child + 1, err));
			HFDS_FAIL_IF(a->children[st->child]->length < a->offset + a->length, HFDS_EINVAL, err,
				"column '%s': struct child shorter than the struct", l->path);
			a = a->children[st->child];
			break;
		case PQW_LIST: case PQW_LARGE_LIST:
			HFDS_TRY(expect(l, a, 2, 1, err));
			a = a->children[0];
			break;
		case PQW_FIXED_LIST:
			HFDS_TRY(expect(l, a, 1, 1, err));
			HFDS_FAIL_IF(a->children[0]->length < (a->offset + a->length) * st->fixed_size, HFDS_EINVAL, err,
				"column '%s': fixed_size_list child too short", l->path);
			a = a->children[0];
			break;
		default:
			HFDS_TRY(expect(l, a, l->conv == PQV_NULL ? 0 : (l->conv == PQV_BIN32 || l->conv == PQV_BIN64) ? 3 : 2, 0,
				err));
			break;
		}
	}
done:
	return rc;
}

int pqw_shred(pqw_colbuf *cb, const pqw_leaf *leaf, const struct ArrowArray *top, int64_t start,
	int64_t end, int64_t file_row, hfds_error *err)
{
	ctx c = { cb, leaf, err, file_row, cb->nrows };
	return shred_range(&c, 0, top, start, end, 0, 0);
}
