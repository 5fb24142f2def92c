/*
 * pq_tw: Thrift compact-protocol writer for Parquet metadata (PageHeader, FileMetaData,
 * ColumnIndex, OffsetIndex, ...), see ../shared/spec/parquet.md §2.
 *
 *   pq_tw tw;
 *   pq_tw_init(&tw, &buf);                 // appends to buf (its ceiling bounds the output)
 *   pq_tw_struct_begin(&tw);               // the top-level struct
 *   pq_tw_field_i32(&tw, 1, PQ_PAGE_DATA);
 *   pq_tw_field_struct_begin(&tw, 5);      // nested struct field: own field-id counter
 *   pq_tw_field_i32(&tw, 1, 10);
 *   pq_tw_struct_end(&tw);                 // STOP byte of the nested struct
 *   pq_tw_field_list_begin(&tw, 2, PQ_TT_I32, 2);
 *   pq_tw_i32(&tw, 0); pq_tw_i32(&tw, 8);  // list elements (no end call for lists)
 *   pq_tw_struct_end(&tw);                 // STOP byte of the top-level struct
 *   if (pq_tw_finish(&tw, err) < 0) ...    // first error, if any
 *
 * Errors are sticky: writer calls return nothing; the first failure (buffer ceiling
 * reached -> HFDS_ELIMIT, out of memory -> HFDS_ENOMEM, nesting deeper than
 * PQ_TW_MAX_DEPTH -> HFDS_ELIMIT) is kept and every later call is a no-op.
 * pq_tw_finish reports it. On error buf holds a truncated prefix; discard it.
 *
 * Field ids must ascend within a struct (short form is used for deltas 1..15, the long
 * form otherwise, so any order is still valid Thrift). A list of structs: call
 * pq_tw_struct_begin/pq_tw_struct_end for each element. Booleans in lists are written as
 * 1 = true, 2 = false (element type PQ_TT_BOOL_TRUE), as Java/C++/Rust writers do.
 * Thread-safety: a pq_tw is used by one thread; distinct writers are independent.
 */
#ifndef HFDS_PQ_THRIFT_ENC_H
#define HFDS_PQ_THRIFT_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/common.h"
#include "util/buf.h"

#define PQ_TW_MAX_DEPTH 32

typedef struct pq_tw {
	hfds_buf *buf;
	int depth;                        /* number of open structs */
	int16_t last_id[PQ_TW_MAX_DEPTH]; /* last field id per open struct */
	int rc;                           /* first error (0 = none) */
	hfds_error err;                   /* its message */
} pq_tw;

/* Starts writing at the end of buf. buf stays owned by the caller. Cannot fail. */
void pq_tw_init(pq_tw *tw, hfds_buf *buf);
/* Returns 0, or the first error (copied into err). */
int pq_tw_finish(pq_tw *tw, hfds_error *err);

/* A struct value at top level or as a list element (pushes a field-id counter). */
void pq_tw_struct_begin(pq_tw *tw);
/* Writes the STOP byte and pops the counter (ends field structs and element structs). */
void pq_tw_struct_end(pq_tw *tw);

/* Fields of the innermost open struct. Enums are i32. binary = bytes, string = C string. */
void pq_tw_field_bool(pq_tw *tw, int16_t id, int v);
void pq_tw_field_i8(pq_tw *tw, int16_t id, int8_t v);
void pq_tw_field_i16(pq_tw *tw, int16_t id, int16_t v);
void pq_tw_field_i32(pq_tw *tw, int16_t id, int32_t v);
void pq_tw_field_i64(pq_tw *tw, int16_t id, int64_t v);
void pq_tw_field_double(pq_tw *tw, int16_t id, double v);
void pq_tw_field_binary(pq_tw *tw, int16_t id, const void *data, size_t len);
void pq_tw_field_string(pq_tw *tw, int16_t id, const char *s);
/* A struct-typed field (also union members and empty structs like StringType: begin+end). */
void pq_tw_field_struct_begin(pq_tw *tw, int16_t id);
/* A list field header; then write exactly `count` elements of elem_type (PQ_TT_*). */
void pq_tw_field_list_begin(pq_tw *tw, int16_t id, int elem_type, size_t count);

/* List elements. */
void pq_tw_bool(pq_tw *tw, int v);
void pq_tw_i32(pq_tw *tw, int32_t v);
void pq_tw_i64(pq_tw *tw, int64_t v);
void pq_tw_binary(pq_tw *tw, const void *data, size_t len);
void pq_tw_string(pq_tw *tw, const char *s);

/* Primitives, exposed for tests and other encoders: append a ULEB128 varint / zigzag. */
void pq_tw_varint(pq_tw *tw, uint64_t v);
static inline uint64_t pq_zigzag64(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

#endif
