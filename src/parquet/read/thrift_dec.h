/*
 * pq_tr: hardened Thrift compact-protocol reader for Parquet metadata (spec/parquet.md §2).
 *
 * Every read is bounded by the remaining input; list sizes, binary lengths and struct
 * nesting are capped; malformed input gives HFDS_ECORRUPT (or HFDS_ELIMIT for a cap) with
 * "offset <file offset>: <where>: <what>" in the error. Unknown fields are skipped by type.
 *
 *   pq_tr tr; int16_t last = 0, id; int type;
 *   pq_tr_init(&tr, bytes, n, file_offset, "page header", err);
 *   HFDS_TRY(pq_tr_struct_begin(&tr));
 *   while ((rc = pq_tr_field(&tr, &last, &id, &type)) == 0 && type != PQ_TT_STOP)
 *       switch (id) { case 1: ... default: HFDS_TRY(pq_tr_skip(&tr, type)); }
 *
 * pq_tr_field returns type PQ_TT_STOP at the end of the struct (and closes it).
 * Thread-safety: one pq_tr per thread.
 */
#ifndef HFDS_PQ_THRIFT_DEC_H
#define HFDS_PQ_THRIFT_DEC_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/common.h"

#define PQ_TR_MAX_DEPTH 64
#define PQ_TR_MAX_LIST 10000000u       /* container elements */
#define PQ_TR_MAX_BINARY (256u << 20)  /* one string/binary */

typedef struct pq_tr {
	const uint8_t *base;
	size_t len;
	size_t pos;
	uint64_t file_off; /* file offset of base[0], for messages */
	int depth;
	const char *where;
	hfds_error *err;
} pq_tr;

void pq_tr_init(pq_tr *tr, const void *data, size_t len, uint64_t file_off, const char *where,
		hfds_error *err);
/* Records an HFDS_ECORRUPT error at the current offset; returns HFDS_ECORRUPT. */
int pq_tr_fail(pq_tr *tr, const char *fmt, ...) HFDS_PRINTF(2, 3);

int pq_tr_varint(pq_tr *tr, uint64_t *v);
int pq_tr_i8(pq_tr *tr, int8_t *v);
int pq_tr_i16(pq_tr *tr, int16_t *v);
int pq_tr_i32(pq_tr *tr, int32_t *v);
int pq_tr_i64(pq_tr *tr, int64_t *v);
/* Points *p into the input (no copy). */
int pq_tr_binary(pq_tr *tr, const uint8_t **p, size_t *n);

int pq_tr_struct_begin(pq_tr *tr);
/* Next field header of the innermost struct; *last is that struct's field-id counter. */
int pq_tr_field(pq_tr *tr, int16_t *last, int16_t *id, int *type);
/* List/set header: element type and count (count bounded by the remaining bytes too). */
int pq_tr_list(pq_tr *tr, int *elem_type, uint32_t *n);
/* A bool list element (1 = true; 0 or 2 = false). */
int pq_tr_bool_elem(pq_tr *tr, int *v);
/* Skips a value of the given type (structs/lists recursively, depth-limited). */
int pq_tr_skip(pq_tr *tr, int type);

/* Integer value of a field whose header type is any integer type; skips otherwise. */
int pq_tr_int_field(pq_tr *tr, int type, int64_t *v, int *got);

#endif
