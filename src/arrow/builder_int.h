/*
 * The builder's node tree, shared by the row cursor and appends (builder.c) and the bulk
 * column appends (builder_bulk.c). Internal: not installed, no stability promise.
 */
#ifndef HFDS_ARROW_BUILDER_INT_H
#define HFDS_ARROW_BUILDER_INT_H
#include "arrow/arrow_internal.h"
#include "util/buf.h"

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
	size_t last[3];          /* validity, offsets, data bytes of the last finished batch */
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

static inline int is_list(hfds_arrow_type t)
{
	return t == HFDS_ARROW_LIST || t == HFDS_ARROW_LARGE_LIST || t == HFDS_ARROW_FIXED_SIZE_LIST;
}

static inline int large_offsets(hfds_arrow_type t)
{
	return t == HFDS_ARROW_LARGE_STRING || t == HFDS_ARROW_LARGE_BINARY || t == HFDS_ARROW_LARGE_LIST;
}

static inline int is_binary(hfds_arrow_type t)
{
	return t == HFDS_ARROW_STRING || t == HFDS_ARROW_LARGE_STRING || t == HFDS_ARROW_BINARY
		|| t == HFDS_ARROW_LARGE_BINARY;
}

/* Appends n bits taken from bytes (nonzero = 1), or n copies of `fill` when bytes is NULL;
 * the number of zero bits through *zeros (may be NULL). */
int hfds_arrow__bits_push_n(hfds_buf *b, int64_t idx, const uint8_t *bytes, int fill, size_t n,
	int64_t *zeros, hfds_error *err);
/* Zero bits of bits[from..to). */
int64_t hfds_arrow__count_zero_bits(const uint8_t *bits, int64_t from, int64_t to);
/* d as IEEE half bits, rounded to nearest even (overflow to infinity, NaN kept). */
uint16_t hfds_arrow__double_to_half(double d);
/* Offsets start with their leading 0 (first use). */
int hfds_arrow__offsets_ready(bnode *n, hfds_error *err);
/* Cuts n (and its children) back to len rows. */
void hfds_arrow__node_truncate(bnode *n, int64_t len);
/* Writes the validity bits of the rows before n's first null. */
int hfds_arrow__materialize(bnode *n, hfds_error *err);
/* Appends a null (or a placeholder under a null parent). */
int hfds_arrow__node_push_null(bnode *n, hfds_error *err);
/* No row is partly appended. */
int hfds_arrow__between_rows(const hfds_arrow_builder *b);
#endif
