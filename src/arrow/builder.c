/*
 * The row builder. A tree of nodes mirrors the schema; each node owns growable buffers
 * (validity bits, offsets, values). Row-by-row appends follow a cursor: a stack of
 * frames, where a struct frame hands out its fields in order and a list frame sends
 * every value to its child until end_list. Bulk appends write whole columns at once.
 * finish hands the buffers to an owned ArrowArray in two phases (allocate everything
 * first, then move pointers), so a failed finish leaves the builder untouched.
 */
#include "arrow/arrow_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/try.h"

#include <stdio.h>
#include <string.h>

typedef struct bnode {
	hfds_arrow_schema_view v;
	char *path;
	int nullable;
	int value_bytes;         /* bytes per value of fixed-width non-bool types */
	hfds_buf validity;       /* bits, one per row, once has_validity (the first null) */
	int has_validity;
	hfds_buf offsets;        /* int32/int64; empty until the first offset (then starts with 0) */
	hfds_buf data;           /* values (bool: bits) or string bytes */
	int64_t length;
	int64_t null_count;
	int64_t n_children;
	struct bnode *children;
} bnode;

typedef struct frame {
	bnode *node;
	int64_t idx;             /* struct: next field */
	int64_t start;           /* list: child length at begin_list */
} frame;

struct hfds_arrow_builder {
	struct ArrowSchema schema;
	bnode root;
	frame *stack;
	int depth;               /* frames in use; stack[0] is the root struct */
	int max_depth;
	int unaligned;           /* bulk appends may have left columns at different lengths */
	int64_t row;             /* index of the row being appended */
};

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
static int bits_push_n(hfds_buf *b, int64_t idx, const uint8_t *bytes, int fill, size_t n,
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

static int is_list(hfds_arrow_type t)
{
	return t == HFDS_ARROW_LIST || t == HFDS_ARROW_LARGE_LIST || t == HFDS_ARROW_FIXED_SIZE_LIST;
}

static int has_offsets(hfds_arrow_type t)
{
	return t == HFDS_ARROW_STRING || t == HFDS_ARROW_LARGE_STRING || t == HFDS_ARROW_BINARY
		|| t == HFDS_ARROW_LARGE_BINARY || t == HFDS_ARROW_LIST || t == HFDS_ARROW_LARGE_LIST;
}

static int large_offsets(hfds_arrow_type t)
{
	return t == HFDS_ARROW_LARGE_STRING || t == HFDS_ARROW_LARGE_BINARY || t == HFDS_ARROW_LARGE_LIST;
}

static int is_binary(hfds_arrow_type t)
{
	return t == HFDS_ARROW_STRING || t == HFDS_ARROW_LARGE_STRING || t == HFDS_ARROW_BINARY
		|| t == HFDS_ARROW_LARGE_BINARY;
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

static int offsets_ready(bnode *n, hfds_error *err)
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
	if ((rc = offsets_ready(n, err)) < 0)
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
static void node_truncate(bnode *n, int64_t len)
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
		node_truncate(&n->children[0], offset_at(n, len));
		if (n->offsets.len)
			n->offsets.len = (size_t)(len + 1) * (large_offsets(n->v.type) ? 8 : 4);
		break;
	case HFDS_ARROW_FIXED_SIZE_LIST:
		node_truncate(&n->children[0], len * n->v.fixed_size);
		break;
	case HFDS_ARROW_STRUCT:
		for (int64_t i = 0; i < n->n_children; i++)
			node_truncate(&n->children[i], len);
		break;
	default:
		n->data.len = (size_t)len * (size_t)n->value_bytes;
		break;
	}
	n->length = len;
}

/* Validity bits are written only from a node's first null on (all-valid columns, the
 * common case, never touch them): materialize fills in the rows before it. */
static int materialize(bnode *n, hfds_error *err)
{
	int rc;
	if (n->has_validity)
		return 0;
	n->validity.len = 0;
	if ((rc = bits_push_n(&n->validity, 0, NULL, 1, (size_t)n->length, NULL, err)) < 0)
		return rc;
	n->has_validity = 1;
	return 0;
}

static int valid_push(bnode *n, int v, hfds_error *err)
{
	int rc;
	if (v)
		return n->has_validity ? bit_push(&n->validity, n->length, 1, err) : 0;
	if ((rc = materialize(n, err)) < 0 || (rc = bit_push(&n->validity, n->length, 0, err)) < 0)
		return rc;
	n->null_count++;
	return 0;
}

/* Appends a null (or, for children of a null parent, a placeholder) to n. */
static int node_push_null(bnode *n, hfds_error *err)
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
			HFDS_TRY(node_push_null(&n->children[0], err));
		break;
	case HFDS_ARROW_STRUCT:
		for (int64_t i = 0; i < n->n_children; i++)
			HFDS_TRY(node_push_null(&n->children[i], err));
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

static int between_rows(const hfds_arrow_builder *b)
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
	if (between_rows(b))
		return;
	rows = b->row;
	for (int64_t i = 0; i < b->root.n_children; i++)
		node_truncate(&b->root.children[i], rows);
	b->depth = 1;
	b->stack[0].idx = 0;
}

void hfds_arrow_builder_reset(hfds_arrow_builder *b)
{
	for (int64_t i = 0; i < b->root.n_children; i++)
		node_truncate(&b->root.children[i], 0);
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
	if ((rc = node_push_null(n, err)) < 0)
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

int hfds_arrow_builder_append_bytes(hfds_arrow_builder *b, const void *data, size_t len, hfds_error *err)
{
	bnode *n;
	int rc;
	if ((rc = cursor(b, &n, err)) < 0)
		return rc;
	if (n->v.type == HFDS_ARROW_FIXED_SIZE_BINARY) {
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
	if ((rc = offsets_ready(n, err)) < 0 || (rc = hfds_buf_append(&n->data, data, len, err)) < 0)
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

/* ---- bulk ---- */

static int bulk_column(hfds_arrow_builder *b, int64_t col, bnode **out, hfds_error *err)
{
	if (!between_rows(b))
		return hfds_error_set(err, HFDS_ESTATE, "builder (row %lld): bulk append in the middle of a row", (long long)b->row);
	if (col < 0 || col >= b->root.n_children)
		return hfds_error_set(err, HFDS_EINVAL, "builder: column index %lld out of range (%lld columns)",
			(long long)col, (long long)b->root.n_children);
	*out = &b->root.children[col];
	b->unaligned = 1;
	return 0;
}

static int bulk_validity(bnode *n, const uint8_t *validity, size_t count, hfds_error *err)
{
	int64_t zeros = 0;
	size_t first_null = count;
	int rc;
	if (validity) {
		const uint8_t *z = memchr(validity, 0, count);
		if (z)
			first_null = (size_t)(z - validity);
	}
	if (first_null < count && !n->nullable)
		return hfds_error_set(err, HFDS_EINVAL, "column '%s' (row %lld): null in a non-nullable field",
			n->path, (long long)(n->length + (int64_t)first_null));
	if (first_null == count && !n->has_validity)
		return 0;
	if ((rc = materialize(n, err)) < 0)
		return rc;
	if ((rc = bits_push_n(&n->validity, n->length, first_null < count ? validity : NULL, 1, count, &zeros, err)) < 0)
		return rc;
	n->null_count += zeros;
	return 0;
}

/* Appends count leaf values (no validity given: all valid). */
static int bulk_values(bnode *n, const void *data, size_t count, hfds_error *err)
{
	size_t bytes;
	int rc;
	if (n->v.type == HFDS_ARROW_BOOL) {
		if ((rc = bits_push_n(&n->data, n->length, data, 0, count, NULL, err)) < 0)
			return rc;
	} else {
		if (hfds_mul_overflow(count, (size_t)n->value_bytes, &bytes))
			return hfds_error_set(err, HFDS_ELIMIT, "column '%s': bulk append too large", n->path);
		if ((rc = hfds_buf_append(&n->data, data, bytes, err)) < 0)
			return rc;
	}
	return 0;
}

static int is_fixed_leaf(const bnode *n)
{
	return n->v.type == HFDS_ARROW_BOOL || n->value_bytes > 0;
}

int hfds_arrow_builder_append_fixed(hfds_arrow_builder *b, int64_t col, const void *data, size_t n,
	const uint8_t *validity, hfds_error *err)
{
	bnode *c;
	int rc, hv;
	size_t vb, db;
	int64_t nc;
	if ((rc = bulk_column(b, col, &c, err)) < 0)
		return rc;
	if (!is_fixed_leaf(c))
		return hfds_error_set(err, HFDS_EINVAL, "column '%s': append_fixed needs a fixed-width column", c->path);
	vb = c->validity.len;
	db = c->data.len;
	hv = c->has_validity;
	nc = c->null_count;
	if ((rc = bulk_validity(c, validity, n, err)) < 0 || (rc = bulk_values(c, data, n, err)) < 0) {
		c->validity.len = vb;
		c->data.len = db;
		c->has_validity = hv;
		c->null_count = nc;
		return rc;
	}
	c->length += (int64_t)n;
	return 0;
}

/* Appends `rows` valid rows of identical shape below node n (level = index into shape). */
static int tensor_rows(bnode *n, const uint8_t *data, size_t rows, const int64_t *shape, int ndim,
	hfds_error *err)
{
	int rc;
	if (ndim == 0) {
		if ((rc = bulk_values(n, data, rows, err)) < 0 || (rc = bulk_validity(n, NULL, rows, err)) < 0)
			return rc;
		n->length += (int64_t)rows;
		return 0;
	}
	size_t inner;
	if (hfds_mul_overflow(rows, (size_t)shape[0], &inner))
		return hfds_error_set(err, HFDS_ELIMIT, "column '%s': tensor too large", n->path);
	if (n->v.type != HFDS_ARROW_FIXED_SIZE_LIST) {
		int64_t base = n->children[0].length;
		int large = large_offsets(n->v.type);
		size_t osz = large ? 8 : 4;
		if (!large && (int64_t)inner > INT32_MAX - base)
			return hfds_error_set(err, HFDS_ELIMIT, "column '%s': more than 2^31-1 list elements in one batch", n->path);
		if ((rc = offsets_ready(n, err)) < 0 || (rc = hfds_buf_reserve(&n->offsets, rows * osz, err)) < 0)
			return rc;
		for (size_t r = 1; r <= rows; r++) {
			int64_t o = base + (int64_t)r * shape[0];
			if (large)
				memcpy(n->offsets.data + n->offsets.len, &o, 8);
			else {
				int32_t o32 = (int32_t)o;
				memcpy(n->offsets.data + n->offsets.len, &o32, 4);
			}
			n->offsets.len += osz;
		}
	}
	if ((rc = bulk_validity(n, NULL, rows, err)) < 0)
		return rc;
	n->length += (int64_t)rows;
	return tensor_rows(&n->children[0], data, inner, shape + 1, ndim - 1, err);
}

int hfds_arrow_builder_append_tensor(hfds_arrow_builder *b, int64_t col, const void *data, size_t n,
	const int64_t *shape, int ndim, const uint8_t *validity, hfds_error *err)
{
	bnode *c, *level;
	size_t row_values = 1, row_bytes;
	int rc = 0;
	if ((rc = bulk_column(b, col, &c, err)) < 0)
		return rc;
	level = c;
	for (int d = 0; d < ndim; d++) {
		if (!is_list(level->v.type))
			return hfds_error_set(err, HFDS_EINVAL, "column '%s': tensor has %d dimensions but the column nests only %d lists",
				c->path, ndim, d);
		if (shape[d] < 0 || (level->v.type == HFDS_ARROW_FIXED_SIZE_LIST && shape[d] != level->v.fixed_size))
			return hfds_error_set(err, HFDS_EINVAL, "column '%s': dimension %d of size %lld does not fit %s",
				c->path, d, (long long)shape[d], level->v.type == HFDS_ARROW_FIXED_SIZE_LIST ? "the fixed list size" : "a list");
		if (hfds_mul_overflow(row_values, (size_t)shape[d], &row_values))
			return hfds_error_set(err, HFDS_ELIMIT, "column '%s': tensor too large", c->path);
		level = &level->children[0];
	}
	if (!is_fixed_leaf(level))
		return hfds_error_set(err, HFDS_EINVAL, "column '%s': tensor leaf '%s' is not a fixed-width type", c->path, level->path);
	row_bytes = row_values;
	if (level->v.type != HFDS_ARROW_BOOL && hfds_mul_overflow(row_values, (size_t)level->value_bytes, &row_bytes))
		return hfds_error_set(err, HFDS_ELIMIT, "column '%s': tensor too large", c->path);
	if (validity && !memchr(validity, 0, n))
		validity = NULL;
	if (validity && !c->nullable)
		return hfds_error_set(err, HFDS_EINVAL, "column '%s': null in a non-nullable field", c->path);
	if (!validity)
		return tensor_rows(c, data, n, shape, ndim, err);
	/* runs of valid rows in bulk; null rows as nulls (empty lists, placeholders for fixed lists) */
	for (size_t r = 0; r < n;) {
		size_t run = r;
		while (run < n && validity[run])
			run++;
		if (run > r)
			HFDS_TRY(tensor_rows(c, (const uint8_t *)data + r * row_bytes, run - r, shape, ndim, err));
		if (run < n)
			HFDS_TRY(node_push_null(c, err));
		r = run + 1;
	}
done:
	return rc;
}

int hfds_arrow_builder_append_binary(hfds_arrow_builder *b, int64_t col, const int64_t *offsets,
	const void *data, size_t n, const uint8_t *validity, hfds_error *err)
{
	bnode *c;
	int rc, hv;
	size_t vb, db, ob;
	int64_t base;
	if ((rc = bulk_column(b, col, &c, err)) < 0)
		return rc;
	if (!is_binary(c->v.type))
		return hfds_error_set(err, HFDS_EINVAL, "column '%s': append_binary needs a string or binary column", c->path);
	for (size_t i = 0; i < n; i++)
		if (offsets[i + 1] < offsets[i])
			return hfds_error_set(err, HFDS_EINVAL, "column '%s': bulk offsets not monotonic at %zu", c->path, i + 1);
	if (offsets[0] < 0)
		return hfds_error_set(err, HFDS_EINVAL, "column '%s': negative bulk offset", c->path);
	vb = c->validity.len;
	db = c->data.len;
	hv = c->has_validity;
	if ((rc = offsets_ready(c, err)) < 0)
		return rc;
	ob = c->offsets.len;
	base = (int64_t)c->data.len - offsets[0];
	if (!large_offsets(c->v.type) && base + offsets[n] > INT32_MAX)
		return hfds_error_set(err, HFDS_ELIMIT, "column '%s': more than 2^31-1 bytes in one batch (use a large type or smaller batches)", c->path);
	HFDS_TRY(hfds_buf_append(&c->data, (const uint8_t *)data + offsets[0], (size_t)(offsets[n] - offsets[0]), err));
	HFDS_TRY(hfds_buf_reserve(&c->offsets, n * 8, err));
	for (size_t i = 1; i <= n; i++) {
		int64_t o = base + offsets[i];
		if (large_offsets(c->v.type))
			memcpy(c->offsets.data + c->offsets.len, &o, 8), c->offsets.len += 8;
		else {
			int32_t o32 = (int32_t)o;
			memcpy(c->offsets.data + c->offsets.len, &o32, 4), c->offsets.len += 4;
		}
	}
	HFDS_TRY(bulk_validity(c, validity, n, err));
	c->length += (int64_t)n;
done:
	if (rc < 0) {
		c->validity.len = vb;
		c->data.len = db;
		c->offsets.len = ob;
		c->has_validity = hv;
	}
	return rc;
}

int hfds_arrow_builder_append_nulls(hfds_arrow_builder *b, int64_t col, size_t n, hfds_error *err)
{
	bnode *c;
	int64_t len;
	int rc;
	if ((rc = bulk_column(b, col, &c, err)) < 0)
		return rc;
	if (!c->nullable && n > 0)
		return hfds_error_set(err, HFDS_EINVAL, "column '%s' (row %lld): null in a non-nullable field",
			c->path, (long long)c->length);
	len = c->length;
	for (size_t i = 0; i < n; i++) {
		if ((rc = node_push_null(c, err)) < 0) {
			node_truncate(c, len);
			return rc;
		}
	}
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
		HFDS_TRY(offsets_ready(n, err));
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
	if (!between_rows(b))
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
