/*
 * The row builder. A tree of nodes mirrors the schema; each node owns growable buffers
 * (validity bits, offsets, values). Row-by-row appends follow a cursor: a stack of
 * frames, where a struct frame hands out its fields in order and a list frame sends
 * every value to its child until end_list. Bulk appends write whole columns at once.
 * finish hands the buffers to an owned ArrowArray in two phases (allocate everything
 * first, then move pointers), so a failed finish leaves the builder untouched.
 */
#include "arrow/builder_int.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/try.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- bits ---- */

static int bit_push(hfds_buf *b, int64_t idx, int v, hfds_error *err)
{
	size_t byte = (size_t)(idx >> 3);
	int rc;
	if (byte >= b->len) {
		if ((rc = hfds_buf_append_byte(b, 0, err)) < 0)
			return rc;
	}
	if (v)
		b->data[byte] |= (uint8_t)(1u << (idx & 7));
	else
		b->data[byte] &= (uint8_t)~(1u << (idx & 7));
	return 0;
}

/* Appends n bits taken from bytes (nonzero = 1), or n copies of `fill` when bytes is NULL.
 * Returns the number of zero bits through *zeros. */
int hfds_arrow__bits_push_n(hfds_buf *b, int64_t idx, const uint8_t *bytes, int fill, size_t n,
	int64_t *zeros, hfds_error *err)
{
	size_t need = (size_t)((idx + (int64_t)n + 7) >> 3);
	int64_t z = 0;
	int rc;
	if (need > b->len) {
		if ((rc = hfds_buf_reserve(b, need - b->len, err)) < 0)
			return rc;
		memset(b->data + b->len, 0, need - b->len);
		b->len = need;
	}
	if (!bytes && fill) {
		size_t i = 0;
		for (; i < n && ((idx + (int64_t)i) & 7); i++)
			b->data[(idx + i) >> 3] |= (uint8_t)(1u << ((idx + i) & 7));
		size_t whole = (n - i) / 8;
		if (whole)
			memset(b->data + ((idx + i) >> 3), 0xff, whole);
		i += whole * 8;
		for (; i < n; i++)
			b->data[(idx + i) >> 3] |= (uint8_t)(1u << ((idx + i) & 7));
	} else {
		for (size_t i = 0; i < n; i++) {
			int64_t k = idx + (int64_t)i;
			int v = bytes ? bytes[i] != 0 : fill;
			if (v)
				b->data[k >> 3] |= (uint8_t)(1u << (k & 7));
			else {
				b->data[k >> 3] &= (uint8_t)~(1u << (k & 7));
				z++;
			}
		}
	}
	if (zeros)
		*zeros = z;
	return 0;
}

static int64_t count_zero_bits(const uint8_t *bits, int64_t from, int64_t to)
{
	int64_t z = 0;
	for (int64_t i = from; i < to; i++)
		z += !((bits[i >> 3] >> (i & 7)) & 1);
	return z;
}

/* ---- float16 ---- */

static uint16_t double_to_half(double d)
{
	uint64_t x, mant, rem, half;
	uint16_t sign, h;
	int exp, e, shift;
	memcpy(&x, &d, 8);
	sign = (uint16_t)((x >> 48) & 0x8000);
	exp = (int)((x >> 52) & 0x7ff);
	mant = x & 0xfffffffffffffULL;
	if (exp == 0x7ff)
		return (uint16_t)(sign | 0x7c00 | (mant ? 0x200 : 0));
	e = exp - 1023 + 15;
	if (e >= 31)
		return (uint16_t)(sign | 0x7c00);
	if (e <= 0) {
		if (exp == 0)
			return sign;
		mant |= 1ULL << 52;
		shift = 42 + 1 - e;
		if (shift >= 64)
			return sign;
		h = (uint16_t)(mant >> shift);
	} else {
		shift = 42;
		h = (uint16_t)(((unsigned)e << 10) | (unsigned)(mant >> 42));
	}
	rem = mant & ((1ULL << shift) - 1);
	half = 1ULL << (shift - 1);
	if (rem > half || (rem == half && (h & 1)))
		h++;
	return (uint16_t)(sign | h);
}

/* ---- nodes ---- */

static int has_offsets(hfds_arrow_type t)
{
	return t == HFDS_ARROW_STRING || t == HFDS_ARROW_LARGE_STRING || t == HFDS_ARROW_BINARY
		|| t == HFDS_ARROW_LARGE_BINARY || t == HFDS_ARROW_LIST || t == HFDS_ARROW_LARGE_LIST;
}

static void node_release(bnode *n)
{
	for (int64_t i = 0; i < n->n_children; i++)
		node_release(&n->children[i]);
	hfds_free(n->children);
	hfds_free(n->path);
	hfds_buf_release(&n->validity);
	hfds_buf_release(&n->offsets);
	hfds_buf_release(&n->data);
	memset(n, 0, sizeof(*n));
}

static int node_init(bnode *n, const struct ArrowSchema *s, const char *parent, int depth,
	int *max_depth, hfds_error *err)
{
	char path[512];
	int rc = 0;
	memset(n, 0, sizeof(*n));
	hfds_buf_init(&n->validity, 0);
	hfds_buf_init(&n->offsets, 0);
	hfds_buf_init(&n->data, 0);
	hfds_arrow__path(path, sizeof(path), parent, s->name);
	if (depth > 64)
		return hfds_error_set(err, HFDS_EUNSUPPORTED, "column '%s': nesting deeper than 64 levels", path);
	if (depth > *max_depth)
		*max_depth = depth;
	HFDS_FAIL_IF(!(n->path = hfds_strdup(path)), HFDS_ENOMEM, err, "out of memory");
	if (hfds_arrow_schema_view_init(&n->v, s, err) < 0) {
		hfds_error_prefix(err, "builder");
		HFDS_FAIL(HFDS_EUNSUPPORTED, err, "column '%s': unsupported type", path);
	}
	n->nullable = (s->flags & ARROW_FLAG_NULLABLE) != 0;
	if (n->v.type == HFDS_ARROW_FIXED_SIZE_BINARY)
		n->value_bytes = n->v.fixed_size;
	else if (n->v.bit_width >= 8)
		n->value_bytes = n->v.bit_width / 8;
	if (s->n_children > 0) {
		n->children = hfds_calloc((size_t)s->n_children, sizeof(*n->children));
		HFDS_FAIL_IF(!n->children, HFDS_ENOMEM, err, "out of memory");
		n->n_children = s->n_children;
		for (int64_t i = 0; i < s->n_children; i++)
			HFDS_TRY(node_init(&n->children[i], s->children[i], depth == 0 ? "" : path, depth + 1,
				max_depth, err));
	}
done:
	return rc;
}

static size_t node_bytes(const bnode *n)
{
	size_t t = n->validity.len + n->offsets.len + n->data.len;
	for (int64_t i = 0; i < n->n_children; i++)
		t += node_bytes(&n->children[i]);
	return t;
}

static int64_t offset_at(const bnode *n, int64_t i)
{
	if (n->offsets.len == 0)
		return 0;
	return large_offsets(n->v.type) ? ((const int64_t *)n->offsets.data)[i]
		: ((const int32_t *)n->offsets.data)[i];
}

int hfds_arrow__offsets_ready(bnode *n, hfds_error *err)
{
	if (n->offsets.len == 0) {
		int64_t zero = 0;
		return hfds_buf_append(&n->offsets, &zero, large_offsets(n->v.type) ? 8 : 4, err);
	}
	return 0;
}

static int offset_push(bnode *n, int64_t v, hfds_error *err)
{
	int rc;
	if ((rc = hfds_arrow__offsets_ready(n, err)) < 0)
		return rc;
	if (large_offsets(n->v.type))
		return hfds_buf_append(&n->offsets, &v, 8, err);
	if (v > INT32_MAX)
		return hfds_error_set(err, HFDS_ELIMIT, "column '%s': more than 2^31-1 %s in one batch (use a large type or smaller batches)",
			n->path, is_list(n->v.type) ? "list elements" : "bytes");
	int32_t v32 = (int32_t)v;
	return hfds_buf_append(&n->offsets, &v32, 4, err);
}

/* Cuts n back to len rows. Children are cut even when n itself is not longer, because an
 * aborted row may have left values in a child whose parent was never completed. */
void hfds_arrow__node_truncate(bnode *n, int64_t len)
{
	if (len > n->length)
		return;
	if (n->has_validity) {
		n->null_count -= count_zero_bits(n->validity.data, len, n->length);
		n->validity.len = (size_t)((len + 7) >> 3);
	} else {
		n->null_count = n->v.type == HFDS_ARROW_NA ? len : 0;
	}
	switch (n->v.type) {
	case HFDS_ARROW_NA:
		break;
	case HFDS_ARROW_BOOL:
		n->data.len = (size_t)((len + 7) >> 3);
		break;
	case HFDS_ARROW_STRING: case HFDS_ARROW_LARGE_STRING:
	case HFDS_ARROW_BINARY: case HFDS_ARROW_LARGE_BINARY:
		n->data.len = (size_t)offset_at(n, len);
		if (n->offsets.len)
			n->offsets.len = (size_t)(len + 1) * (large_offsets(n->v.type) ? 8 : 4);
		break;
	case HFDS_ARROW_LIST: case HFDS_ARROW_LARGE_LIST:
		hfds_arrow__node_truncate(&n->children[0], offset_at(n, len));
		if (n->offsets.len)
			n->offsets.len = (size_t)(len + 1) * (large_offsets(n->v.type) ? 8 : 4);
		break;
	case HFDS_ARROW_FIXED_SIZE_LIST:
		hfds_arrow__node_truncate(&n->children[0], len * n->v.fixed_size);
		break;
	case HFDS_ARROW_STRUCT:
		for (int64_t i = 0; i < n->n_children; i++)
			hfds_arrow__node_truncate(&n->children[i], len);
		break;
	default:
		n->data.len = (size_t)len * (size_t)n->value_bytes;
		break;
	}
	n->length = len;
}

/* Validity bits are written only from a node's first null on (all-valid columns, the
 * common case, never touch them): materialize fills in the rows before it. */
int hfds_arrow__materialize(bnode *n, hfds_error *err)
{
	int rc;
	if (n->has_validity)
		return 0;
	n->validity.len = 0;
	if ((rc = hfds_arrow__bits_push_n(&n->validity, 0, NULL, 1, (size_t)n->length, NULL, err)) < 0)
		return rc;
	n->has_validity = 1;
	return 0;
}

static int valid_push(bnode *n, int v, hfds_error *err)
{
	int rc;
	if (v)
		return n->has_validity ? bit_push(&n->validity, n->length, 1, err) : 0;
	if ((rc = hfds_arrow__materialize(n, err)) < 0 || (rc = bit_push(&n->validity, n->length, 0, err)) < 0)
		return rc;
	n->null_count++;
	return 0;
}

/* Appends a null (or, for children of a null parent, a placeholder) to n. */
int hfds_arrow__node_push_null(bnode *n, hfds_error *err)
{
	static const uint8_t zeros[32];
	int rc = 0;
	if (n->v.type == HFDS_ARROW_NA) {
		n->length++;
		n->null_count++;
		return 0;
	}
	HFDS_TRY(valid_push(n, 0, err));
	switch (n->v.type) {
	case HFDS_ARROW_BOOL:
		HFDS_TRY(bit_push(&n->data, n->length, 0, err));
		break;
	case HFDS_ARROW_STRING: case HFDS_ARROW_LARGE_STRING:
	case HFDS_ARROW_BINARY: case HFDS_ARROW_LARGE_BINARY:
		HFDS_TRY(offset_push(n, (int64_t)n->data.len, err));
		break;
	case HFDS_ARROW_LIST: case HFDS_ARROW_LARGE_LIST:
		HFDS_TRY(offset_push(n, n->children[0].length, err));
		break;
	case HFDS_ARROW_FIXED_SIZE_LIST:
		for (int32_t i = 0; i < n->v.fixed_size; i++)
			HFDS_TRY(hfds_arrow__node_push_null(&n->children[0], err));
		break;
	case HFDS_ARROW_STRUCT:
		for (int64_t i = 0; i < n->n_children; i++)
			HFDS_TRY(hfds_arrow__node_push_null(&n->children[i], err));
		break;
	default:
		for (int left = n->value_bytes; left > 0; left -= (int)sizeof(zeros))
			HFDS_TRY(hfds_buf_append(&n->data, zeros, left < (int)sizeof(zeros) ? (size_t)left : sizeof(zeros), err));
		break;
	}
	n->length++;
done:
	return rc;
}

/* ---- lifecycle ---- */

int hfds_arrow_builder_new(hfds_arrow_builder **out, const struct ArrowSchema *schema, hfds_error *err)
{
	hfds_arrow_builder *b = NULL;
	int rc = 0;
	*out = NULL;
	HFDS_ASSERT_ARG(schema && schema->release, err);
	HFDS_FAIL_IF(!schema->format || strcmp(schema->format, "+s") != 0, HFDS_EINVAL, err,
		"builder: the schema must be a struct (\"+s\"), found '%s'", schema->format ? schema->format : "");
	HFDS_FAIL_IF(!(b = hfds_calloc(1, sizeof(*b))), HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hfds_arrow_schema_copy(&b->schema, schema, err));
	HFDS_TRY(node_init(&b->root, &b->schema, "", 0, &b->max_depth, err));
	b->stack = hfds_calloc((size_t)b->max_depth + 2, sizeof(*b->stack));
	HFDS_FAIL_IF(!b->stack, HFDS_ENOMEM, err, "out of memory");
	b->stack[0].node = &b->root;
	b->depth = 1;
	*out = b;
	b = NULL;
done:
	hfds_arrow_builder_free(b);
	return rc;
}

void hfds_arrow_builder_free(hfds_arrow_builder *b)
{
	if (!b)
		return;
	node_release(&b->root);
	hfds_arrow_schema_release(&b->schema);
	hfds_free(b->stack);
	hfds_free(b);
}

const struct ArrowSchema *hfds_arrow_builder_schema(const hfds_arrow_builder *b)
{
	return &b->schema;
}

static int64_t min_rows(const hfds_arrow_builder *b)
{
	int64_t m = -1;
	for (int64_t i = 0; i < b->root.n_children; i++)
		if (m < 0 || b->root.children[i].length < m)
			m = b->root.children[i].length;
	return m < 0 ? 0 : m;
}

int hfds_arrow__between_rows(const hfds_arrow_builder *b)
{
	return b->depth == 1 && b->stack[0].idx == 0;
}

int64_t hfds_arrow_builder_rows(const hfds_arrow_builder *b)
{
	return min_rows(b);
}

size_t hfds_arrow_builder_bytes(const hfds_arrow_builder *b)
{
	return node_bytes(&b->root);
}

void hfds_arrow_builder_abort_row(hfds_arrow_builder *b)
{
	int64_t rows;
	if (hfds_arrow__between_rows(b))
		return;
	rows = b->row;
	for (int64_t i = 0; i < b->root.n_children; i++)
		hfds_arrow__node_truncate(&b->root.children[i], rows);
	b->depth = 1;
	b->stack[0].idx = 0;
}

void hfds_arrow_builder_reset(hfds_arrow_builder *b)
{
	for (int64_t i = 0; i < b->root.n_children; i++)
		hfds_arrow__node_truncate(&b->root.children[i], 0);
	b->depth = 1;
	b->stack[0].idx = 0;
	b->unaligned = 0;
}

/* ---- the cursor ---- */

/* The node that receives the next value. */
static inline __attribute__((always_inline)) int cursor(hfds_arrow_builder *b, bnode **out, hfds_error *err)
{
	frame *f = &b->stack[b->depth - 1];
	*out = NULL;
	if (b->depth == 1 && f->idx == 0) {
		if (b->root.n_children == 0)
			return hfds_error_set(err, HFDS_EINVAL, "builder: the schema has no columns");
		if (b->unaligned) {
			int64_t r = b->root.children[0].length;
			for (int64_t i = 1; i < b->root.n_children; i++)
				if (b->root.children[i].length != r)
					return hfds_error_set(err, HFDS_ESTATE,
						"builder: columns have different lengths after bulk appends ('%s' %lld rows, '%s' %lld)",
						b->root.children[0].path, (long long)r, b->root.children[i].path,
						(long long)b->root.children[i].length);
			b->unaligned = 0;
		}
		b->row = b->root.children[0].length;
	}
	if (f->node->v.type == HFDS_ARROW_STRUCT) {
		if (f->idx >= f->node->n_children)
			return hfds_error_set(err, HFDS_EINVAL, "column '%s' (row %lld): struct has only %lld fields; call end_struct",
				f->node->path, (long long)b->row, (long long)f->node->n_children);
		*out = &f->node->children[f->idx];
	} else {
		bnode *c = &f->node->children[0];
		if (f->node->v.type == HFDS_ARROW_FIXED_SIZE_LIST && c->length - f->start >= f->node->v.fixed_size)
			return hfds_error_set(err, HFDS_EINVAL, "column '%s' (row %lld): more than %d values in a fixed_size_list",
				f->node->path, (long long)b->row, (int)f->node->v.fixed_size);
		*out = c;
	}
	return 0;
}

static inline __attribute__((always_inline)) void advance(hfds_arrow_builder *b)
{
	frame *f = &b->stack[b->depth - 1];
	if (f->node->v.type == HFDS_ARROW_STRUCT) {
		f->idx++;
		if (b->depth == 1 && f->idx == f->node->n_children)
			f->idx = 0;
	}
}

static int type_error(hfds_arrow_builder *b, bnode *n, const char *what, hfds_error *err)
{
	const char *tn;
	switch (n->v.type) {
	case HFDS_ARROW_STRUCT: tn = "struct"; break;
	case HFDS_ARROW_LIST: case HFDS_ARROW_LARGE_LIST: case HFDS_ARROW_FIXED_SIZE_LIST: tn = "list"; break;
	case HFDS_ARROW_STRING: case HFDS_ARROW_LARGE_STRING: tn = "string"; break;
	case HFDS_ARROW_BINARY: case HFDS_ARROW_LARGE_BINARY: case HFDS_ARROW_FIXED_SIZE_BINARY: tn = "binary"; break;
	case HFDS_ARROW_BOOL: tn = "bool"; break;
	case HFDS_ARROW_NA: tn = "null"; break;
	case HFDS_ARROW_HALF_FLOAT: case HFDS_ARROW_FLOAT: case HFDS_ARROW_DOUBLE: tn = "float"; break;
	case HFDS_ARROW_DATE32: tn = "date32"; break;
	case HFDS_ARROW_TIMESTAMP: tn = "timestamp"; break;
	default: tn = "integer"; break;
	}
	return hfds_error_set(err, HFDS_EINVAL, "column '%s' (row %lld): cannot append %s to a %s column",
		n->path, (long long)b->row, what, tn);
}

static int push_fixed(bnode *n, const void *val, hfds_error *err)
{
	int rc;
	/* the common widths as constants: the inline append becomes a store, not a memcpy call */
	switch (n->value_bytes) {
	case 8: rc = hfds_buf_append(&n->data, val, 8, err); break;
	case 4: rc = hfds_buf_append(&n->data, val, 4, err); break;
	default: rc = hfds_buf_append(&n->data, val, (size_t)n->value_bytes, err); break;
	}
	if (rc < 0)
		return rc;
	if ((rc = valid_push(n, 1, err)) < 0)
		return rc;
	n->length++;
	return 0;
}

int hfds_arrow_builder_append_null(hfds_arrow_builder *b, hfds_error *err)
{
	bnode *n;
	int rc;
	if ((rc = cursor(b, &n, err)) < 0)
		return rc;
	if (!n->nullable)
		return hfds_error_set(err, HFDS_EINVAL, "column '%s' (row %lld): null in a non-nullable field",
			n->path, (long long)b->row);
	if ((rc = hfds_arrow__node_push_null(n, err)) < 0)
		return rc;
	advance(b);
	return 0;
}

int hfds_arrow_builder_append_bool(hfds_arrow_builder *b, int v, hfds_error *err)
{
	bnode *n;
	int rc;
	if ((rc = cursor(b, &n, err)) < 0)
		return rc;
	if (n->v.type != HFDS_ARROW_BOOL)
		return type_error(b, n, "a bool", err);
	if ((rc = bit_push(&n->data, n->length, v != 0, err)) < 0 || (rc = valid_push(n, 1, err)) < 0)
		return rc;
	n->length++;
	advance(b);
	return 0;
}

static int range_error(hfds_arrow_builder *b, bnode *n, int64_t sv, uint64_t uv, int is_signed, hfds_error *err)
{
	char val[32];
	if (is_signed)
		snprintf(val, sizeof(val), "%lld", (long long)sv);
	else
		snprintf(val, sizeof(val), "%llu", (unsigned long long)uv);
	return hfds_error_set(err, HFDS_EINVAL, "column '%s' (row %lld): value %s out of range for the column type",
		n->path, (long long)b->row, val);
}

/* Stores an integer given as (negative flag, magnitude as int64/uint64). */
static int push_integer(hfds_arrow_builder *b, bnode *n, int64_t sv, uint64_t uv, int is_signed,
	hfds_error *err)
{
	int neg = is_signed && sv < 0;
	int rc, ok = 1;
	union { int8_t i8; int16_t i16; int32_t i32; int64_t i64; uint8_t u8; uint16_t u16; uint32_t u32;
		uint64_t u64; float f; double d; uint16_t h; } u;
	if (!is_signed && uv > INT64_MAX && n->v.type != HFDS_ARROW_UINT64 && n->v.type != HFDS_ARROW_FLOAT
		&& n->v.type != HFDS_ARROW_DOUBLE && n->v.type != HFDS_ARROW_HALF_FLOAT)
		return range_error(b, n, sv, uv, is_signed, err);
	if (!is_signed)
		sv = (int64_t)uv;
	switch (n->v.type) {
	case HFDS_ARROW_INT8:
		ok = sv >= INT8_MIN && sv <= INT8_MAX;
		u.i8 = (int8_t)sv;
		break;
	case HFDS_ARROW_INT16:
		ok = sv >= INT16_MIN && sv <= INT16_MAX;
		u.i16 = (int16_t)sv;
		break;
	case HFDS_ARROW_INT32: case HFDS_ARROW_DATE32:
		ok = sv >= INT32_MIN && sv <= INT32_MAX;
		u.i32 = (int32_t)sv;
		break;
	case HFDS_ARROW_INT64: case HFDS_ARROW_TIMESTAMP:
		u.i64 = sv;
		break;
	case HFDS_ARROW_UINT8:
		ok = !neg && sv <= UINT8_MAX;
		u.u8 = (uint8_t)sv;
		break;
	case HFDS_ARROW_UINT16:
		ok = !neg && sv <= UINT16_MAX;
		u.u16 = (uint16_t)sv;
		break;
	case HFDS_ARROW_UINT32:
		ok = !neg && sv <= (int64_t)UINT32_MAX;
		u.u32 = (uint32_t)sv;
		break;
	case HFDS_ARROW_UINT64:
		ok = !neg;
		u.u64 = is_signed ? (uint64_t)sv : uv;
		break;
	case HFDS_ARROW_HALF_FLOAT:
		u.h = double_to_half(is_signed ? (double)sv : (double)uv);
		break;
	case HFDS_ARROW_FLOAT:
		u.f = is_signed ? (float)sv : (float)uv;
		break;
	case HFDS_ARROW_DOUBLE:
		u.d = is_signed ? (double)sv : (double)uv;
		break;
	default:
		return type_error(b, n, "an integer", err);
	}
	if (!ok)
		return range_error(b, n, is_signed ? sv : 0, uv, is_signed, err);
	if ((rc = push_fixed(n, &u, err)) < 0)
		return rc;
	advance(b);
	return 0;
}

int hfds_arrow_builder_append_int(hfds_arrow_builder *b, int64_t v, hfds_error *err)
{
	bnode *n;
	int rc;
	if ((rc = cursor(b, &n, err)) < 0)
		return rc;
	return push_integer(b, n, v, 0, 1, err);
}

int hfds_arrow_builder_append_uint(hfds_arrow_builder *b, uint64_t v, hfds_error *err)
{
	bnode *n;
	int rc;
	if ((rc = cursor(b, &n, err)) < 0)
		return rc;
	return push_integer(b, n, 0, v, 0, err);
}

int hfds_arrow_builder_append_double(hfds_arrow_builder *b, double v, hfds_error *err)
{
	bnode *n;
	int rc;
	union { float f; double d; uint16_t h; } u;
	if ((rc = cursor(b, &n, err)) < 0)
		return rc;
	switch (n->v.type) {
	case HFDS_ARROW_HALF_FLOAT: u.h = double_to_half(v); break;
	case HFDS_ARROW_FLOAT: u.f = (float)v; break;
	case HFDS_ARROW_DOUBLE: u.d = v; break;
	default: return type_error(b, n, "a float", err);
	}
	if ((rc = push_fixed(n, &u, err)) < 0)
		return rc;
	advance(b);
	return 0;
}

int hfds_arrow_builder_append_half_bits(hfds_arrow_builder *b, uint16_t bits, hfds_error *err)
{
	bnode *n;
	int rc;
	if ((rc = cursor(b, &n, err)) < 0)
		return rc;
	if (n->v.type != HFDS_ARROW_HALF_FLOAT)
		return type_error(b, n, "a float16", err);
	if ((rc = push_fixed(n, &bits, err)) < 0)
		return rc;
	advance(b);
	return 0;
}

/* Reads exactly `len` bytes of `fd` to `dst` (EINTR and short reads retried). */
static int read_exact(int fd, uint8_t *dst, size_t len, hfds_error *err)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = read(fd, dst + got, len - got > (1u << 30) ? (1u << 30) : len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return hfds_error_set(err, HFDS_EIO, "read failed after %zu of %zu bytes: %s", got, len, strerror(errno));
		if (r == 0)
			return hfds_error_set(err, HFDS_EIO, "the file ended after %zu of %zu bytes", got, len);
		got += (size_t)r;
	}
	return 0;
}

/* A binary value from memory (data) or, when data is NULL, read from fd straight into the
 * column's data buffer: a media file then lands where the Parquet writer reads it, with no
 * staging buffer and no copy. */
static int append_binary_value(hfds_arrow_builder *b, const void *data, int fd, size_t len, hfds_error *err)
{
	bnode *n;
	int rc;
	if ((rc = cursor(b, &n, err)) < 0)
		return rc;
	if (n->v.type == HFDS_ARROW_FIXED_SIZE_BINARY && data) {
		if (len != (size_t)n->v.fixed_size)
			return hfds_error_set(err, HFDS_EINVAL, "column '%s' (row %lld): expected %d bytes, found %zu",
				n->path, (long long)b->row, (int)n->v.fixed_size, len);
		if ((rc = push_fixed(n, data, err)) < 0)
			return rc;
		advance(b);
		return 0;
	}
	if (!is_binary(n->v.type))
		return type_error(b, n, "bytes", err);
	if ((rc = hfds_arrow__offsets_ready(n, err)) < 0)
		return rc;
	if (data)
		rc = hfds_buf_append(&n->data, data, len, err);
	else if ((rc = hfds_buf_reserve(&n->data, len, err)) == 0 && (rc = read_exact(fd, n->data.data + n->data.len,
		len, err)) == 0)
		n->data.len += len;
	if (rc < 0)
		return rc;
	if ((rc = offset_push(n, (int64_t)n->data.len, err)) < 0) {
		n->data.len -= len;
		return rc;
	}
	if ((rc = valid_push(n, 1, err)) < 0)
		return rc;
	n->length++;
	advance(b);
	return 0;
}

int hfds_arrow_builder_append_bytes(hfds_arrow_builder *b, const void *data, size_t len, hfds_error *err)
{
	static const uint8_t none[1];
	return append_binary_value(b, data ? data : none, -1, len, err);
}

int hfds_arrow_builder_append_bytes_fd(hfds_arrow_builder *b, int fd, size_t len, hfds_error *err)
{
	return append_binary_value(b, NULL, fd, len, err);
}

int hfds_arrow_builder_append_str(hfds_arrow_builder *b, const char *s, hfds_error *err)
{
	return hfds_arrow_builder_append_bytes(b, s, strlen(s), err);
}

int hfds_arrow_builder_begin_list(hfds_arrow_builder *b, hfds_error *err)
{
	bnode *n;
	int rc;
	if ((rc = cursor(b, &n, err)) < 0)
		return rc;
	if (!is_list(n->v.type))
		return type_error(b, n, "a list", err);
	b->stack[b->depth].node = n;
	b->stack[b->depth].idx = 0;
	b->stack[b->depth].start = n->children[0].length;
	b->depth++;
	return 0;
}

int hfds_arrow_builder_end_list(hfds_arrow_builder *b, hfds_error *err)
{
	frame *f = &b->stack[b->depth - 1];
	bnode *n = f->node;
	int rc;
	if (b->depth < 2 || !is_list(n->v.type))
		return hfds_error_set(err, HFDS_EINVAL, "builder (row %lld): end_list without begin_list", (long long)b->row);
	if (n->v.type == HFDS_ARROW_FIXED_SIZE_LIST && n->children[0].length - f->start != n->v.fixed_size)
		return hfds_error_set(err, HFDS_EINVAL, "column '%s' (row %lld): fixed_size_list needs %d values, found %lld",
			n->path, (long long)b->row, (int)n->v.fixed_size, (long long)(n->children[0].length - f->start));
	if (n->v.type != HFDS_ARROW_FIXED_SIZE_LIST && (rc = offset_push(n, n->children[0].length, err)) < 0)
		return rc;
	if ((rc = valid_push(n, 1, err)) < 0)
		return rc;
	n->length++;
	b->depth--;
	advance(b);
	return 0;
}

int hfds_arrow_builder_begin_struct(hfds_arrow_builder *b, hfds_error *err)
{
	bnode *n;
	int rc;
	if ((rc = cursor(b, &n, err)) < 0)
		return rc;
	if (n->v.type != HFDS_ARROW_STRUCT)
		return type_error(b, n, "a struct", err);
	b->stack[b->depth].node = n;
	b->stack[b->depth].idx = 0;
	b->depth++;
	return 0;
}

int hfds_arrow_builder_end_struct(hfds_arrow_builder *b, hfds_error *err)
{
	frame *f = &b->stack[b->depth - 1];
	bnode *n = f->node;
	int rc;
	if (b->depth < 2 || n->v.type != HFDS_ARROW_STRUCT)
		return hfds_error_set(err, HFDS_EINVAL, "builder (row %lld): end_struct without begin_struct", (long long)b->row);
	if (f->idx != n->n_children)
		return hfds_error_set(err, HFDS_EINVAL, "column '%s' (row %lld): struct ended after %lld of %lld fields",
			n->path, (long long)b->row, (long long)f->idx, (long long)n->n_children);
	if ((rc = valid_push(n, 1, err)) < 0)
		return rc;
	n->length++;
	b->depth--;
	advance(b);
	return 0;
}

/* ---- finish ---- */

/* Phase 1: make every buffer non-empty (offsets hold at least the leading 0) and build the
 * array skeleton. Nothing in the builder changes meaning. */
static int prepare(bnode *n, struct ArrowArray *a, hfds_error *err)
{
	int rc = 0;
	HFDS_TRY(hfds_arrow__array_init(a, n->v.n_buffers, n->n_children, err));
	if (has_offsets(n->v.type))
		HFDS_TRY(hfds_arrow__offsets_ready(n, err));
	if (n->v.n_buffers >= 2)
		HFDS_TRY(hfds_buf_reserve(&n->data, 1, err));
	for (int64_t i = 0; i < n->n_children; i++)
		HFDS_TRY(prepare(&n->children[i], a->children[i], err));
done:
	return rc;
}

static void *take(hfds_buf *b)
{
	void *p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

/* Phase 2: move buffers (cannot fail). */
static void move_out(bnode *n, struct ArrowArray *a)
{
	a->length = n->length;
	a->null_count = n->null_count;
	if (n->v.type != HFDS_ARROW_NA && n->v.n_buffers > 0) {
		if (n->null_count > 0)
			hfds_arrow__array_set_buffer(a, 0, take(&n->validity));
		else
			hfds_buf_clear(&n->validity);
	}
	n->has_validity = 0;
	if (has_offsets(n->v.type)) {
		hfds_arrow__array_set_buffer(a, 1, take(&n->offsets));
		if (is_binary(n->v.type))
			hfds_arrow__array_set_buffer(a, 2, take(&n->data));
	} else if (n->v.n_buffers == 2) {
		hfds_arrow__array_set_buffer(a, 1, take(&n->data));
	}
	n->length = 0;
	n->null_count = 0;
	for (int64_t i = 0; i < n->n_children; i++)
		move_out(&n->children[i], a->children[i]);
}

int hfds_arrow_builder_finish(hfds_arrow_builder *b, struct ArrowArray *out, hfds_error *err)
{
	int64_t rows = min_rows(b);
	int rc = 0;
	memset(out, 0, sizeof(*out));
	if (!hfds_arrow__between_rows(b))
		return hfds_error_set(err, HFDS_ESTATE, "builder (row %lld): finish with an incomplete row", (long long)b->row);
	for (int64_t i = 0; i < b->root.n_children; i++)
		if (b->root.children[i].length != rows)
			return hfds_error_set(err, HFDS_ESTATE, "builder: columns have different lengths ('%s' %lld rows, '%s' %lld)",
				b->root.children[i].path, (long long)b->root.children[i].length,
				b->root.children[0].path, (long long)b->root.children[0].length);
	b->root.length = rows;
	HFDS_TRY(prepare(&b->root, out, err));
	move_out(&b->root, out);
	b->unaligned = 0;
done:
	if (rc < 0)
		hfds_arrow_array_release(out);
	return rc;
}
