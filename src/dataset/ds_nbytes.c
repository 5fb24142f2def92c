/*
 * A split's `num_bytes` the way datasets measures it: push_to_hub writes `Table.nbytes` of the
 * in-memory table (datasets-format.md §1.7), not the Parquet size. pyarrow counts, per array:
 * a validity bitmap only when the array has nulls (pa.array leaves it out otherwise; a
 * struct's own bitmap is never counted), `length` offsets of 4 or 8 bytes for strings,
 * binaries and lists (not length + 1), the referenced value bytes, and bool values as bits.
 * Offsets and values add up across batches; bitmaps and bool values are sized here from the
 * split's total length at each node, as if the split were one chunk.
 */
#include "dataset/ds_nbytes.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

enum { NB_NULL = 1, NB_BOOL = 2, NB_STRUCT = 4 };

#define MAX_DEPTH 64

static size_t count_nodes(const struct ArrowSchema *s, int depth)
{
	size_t n = 1;
	int64_t i;
	if (depth >= MAX_DEPTH)
		return n;
	for (i = 0; i < s->n_children; i++)
		n += count_nodes(s->children[i], depth + 1);
	return n;
}

/* Whether rows [off, off + len) (offset already applied) hold a null. */
static int has_nulls(const struct ArrowArray *a, int64_t off, int64_t len)
{
	const unsigned char *v = a->n_buffers > 0 && a->buffers ? (const unsigned char *)a->buffers[0] : NULL;
	int64_t i;
	if (!v || a->null_count == 0)
		return 0;
	for (i = off; i < off + len; i++)
		if (!((v[i >> 3] >> (i & 7)) & 1))
			return 1;
	return 0;
}

static uint64_t width_of(const char *f)
{
	switch (f[0]) {
	case 'c': case 'C':
		return 1;
	case 's': case 'S': case 'e':
		return 2;
	case 'i': case 'I': case 'f':
		return 4;
	case 'w':
		return (uint64_t)strtoull(f + 2, NULL, 10);
	case 'd':
		return strstr(f, ",256") ? 32 : 16;
	case 't':
		if (f[1] == 'd')
			return f[2] == 'D' ? 4 : 8;
		if (f[1] == 't')
			return f[2] == 's' || f[2] == 'm' ? 4 : 8;
		if (f[1] == 'i')
			return f[2] == 'M' ? 4 : f[2] == 'D' ? 8 : 16;
		return 8;
	case 'n':
		return 0;
	default:
		return 8;
	}
}

/* Rows [off, off + len) of `a` (before its own offset); visits every node of the schema in
 * pre-order, also with len 0, so that node indexes stay in step. */
static void walk(ds_nbytes *acc, const struct ArrowSchema *s, const struct ArrowArray *a, int64_t off, int64_t len,
	size_t *idx, int depth)
{
	const char *f = s->format;
	size_t me = (*idx)++;
	int64_t i;
	if (me >= acc->node_count)
		return;
	off += a->offset;
	acc->len[me] += (uint64_t)len;
	if (f[0] != 'n' && len > 0 && !(acc->flags[me] & NB_NULL) && has_nulls(a, off, len))
		acc->flags[me] |= NB_NULL;
	if (f[0] == '+' && (f[1] == 'l' || f[1] == 'L' || f[1] == 'm') && depth < MAX_DEPTH && a->n_children == 1) {
		int64_t c0 = 0, c1 = 0;
		int wide = f[1] == 'L';
		if (len > 0) {
			c0 = wide ? ((const int64_t *)a->buffers[1])[off] : ((const int32_t *)a->buffers[1])[off];
			c1 = wide ? ((const int64_t *)a->buffers[1])[off + len] : ((const int32_t *)a->buffers[1])[off + len];
		}
		acc->fixed += (uint64_t)len * (wide ? 8 : 4);
		walk(acc, s->children[0], a->children[0], c0, c1 - c0, idx, depth + 1);
	} else if (f[0] == '+' && f[1] == 'w' && depth < MAX_DEPTH && a->n_children == 1) {
		int64_t k = strtoll(f + 3, NULL, 10);
		walk(acc, s->children[0], a->children[0], off * k, len * k, idx, depth + 1);
	} else if (f[0] == '+' && depth < MAX_DEPTH) {
		acc->flags[me] |= NB_STRUCT;
		for (i = 0; i < s->n_children && i < a->n_children; i++)
			walk(acc, s->children[i], a->children[i], off, len, idx, depth + 1);
	} else if (f[0] == 'u' || f[0] == 'z' || f[0] == 'U' || f[0] == 'Z') {
		int wide = f[0] == 'U' || f[0] == 'Z';
		int64_t o0 = 0, o1 = 0;
		if (len > 0) {
			o0 = wide ? ((const int64_t *)a->buffers[1])[off] : ((const int32_t *)a->buffers[1])[off];
			o1 = wide ? ((const int64_t *)a->buffers[1])[off + len] : ((const int32_t *)a->buffers[1])[off + len];
		}
		acc->fixed += (uint64_t)len * (wide ? 8 : 4) + (o1 > o0 ? (uint64_t)(o1 - o0) : 0);
	} else if (f[0] == 'b') {
		acc->flags[me] |= NB_BOOL;
	} else {
		acc->fixed += (uint64_t)len * width_of(f);
	}
}

int hfds_ds__nbytes_add(ds_nbytes *acc, const struct ArrowSchema *schema, const struct ArrowArray *batch,
	hfds_error *err)
{
	size_t idx = 0;
	if (!acc->node_count) {
		size_t n = count_nodes(schema, 0);
		acc->len = hfds_calloc(n, sizeof(*acc->len));
		acc->flags = hfds_calloc(n, sizeof(*acc->flags));
		if (!acc->len || !acc->flags) {
			hfds_ds__nbytes_release(acc);
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		}
		acc->node_count = n;
	}
	walk(acc, schema, batch, 0, batch->length, &idx, 0);
	return 0;
}

uint64_t hfds_ds__nbytes_total(const ds_nbytes *acc)
{
	uint64_t n = acc->fixed;
	size_t i;
	/* the top node is the batch's struct: its columns are the table's arrays */
	for (i = 0; i < acc->node_count; i++) {
		uint64_t bits = (acc->len[i] + 7) / 8;
		if ((acc->flags[i] & NB_NULL) && !(acc->flags[i] & NB_STRUCT))
			n += bits;
		if (acc->flags[i] & NB_BOOL)
			n += bits;
	}
	return n;
}

void hfds_ds__nbytes_release(ds_nbytes *acc)
{
	hfds_free(acc->len);
	hfds_free(acc->flags);
	memset(acc, 0, sizeof(*acc));
}
