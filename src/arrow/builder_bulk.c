/*
 * Bulk appends: whole runs of one top-level column at once (fixed-width values, tensors of
 * one shape, strings by offsets, nulls), between rows. Columns may differ in length until
 * the next row-by-row append or finish, which check that they agree again (builder.c).
 * And presize: capacity for the next batch from the last finished one's sizes.
 */
#include "arrow/builder_int.h"
#include "util/alloc.h"
#include "util/try.h"

#include <string.h>

static int bulk_column(hfds_arrow_builder *b, int64_t col, bnode **out, hfds_error *err)
{
	if (!hfds_arrow__between_rows(b))
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
	if ((rc = hfds_arrow__materialize(n, err)) < 0)
		return rc;
	if ((rc = hfds_arrow__bits_push_n(&n->validity, n->length, first_null < count ? validity : NULL, 1, count, &zeros, err)) < 0)
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
		if ((rc = hfds_arrow__bits_push_n(&n->data, n->length, data, 0, count, NULL, err)) < 0)
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
		if ((rc = hfds_arrow__offsets_ready(n, err)) < 0 || (rc = hfds_buf_reserve(&n->offsets, rows * osz, err)) < 0)
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
			HFDS_TRY(hfds_arrow__node_push_null(c, err));
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
	if ((rc = hfds_arrow__offsets_ready(c, err)) < 0)
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
		if ((rc = hfds_arrow__node_push_null(c, err)) < 0) {
			hfds_arrow__node_truncate(c, len);
			return rc;
		}
	}
	return 0;
}

/* ---- capacity ---- */

static void node_presize(bnode *n, double scale)
{
	hfds_buf *bufs[3] = {&n->validity, &n->offsets, &n->data};
	for (int i = 0; i < 3; i++)
		if (n->last[i] > 0 && bufs[i]->len == 0)
			(void)hfds_buf_reserve_exact(bufs[i], (size_t)((double)n->last[i] * scale) + 64, NULL);
	for (int64_t i = 0; i < n->n_children; i++)
		node_presize(&n->children[i], scale);
}

void hfds_arrow_builder_presize(hfds_arrow_builder *b, double scale)
{
	if (b && scale > 0 && scale < 1e6 && hfds_arrow_builder_rows(b) == 0)
		node_presize(&b->root, scale);
}
