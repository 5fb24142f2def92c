/*
 * Parquet value and level encoding kernels (../shared/spec/parquet.md §1.6-§1.7).
 *
 * Every encoder appends to an hfds_buf (its ceiling bounds the output: HFDS_ELIMIT) and
 * returns 0 or a negative HFDS_E* code with details in err. No function keeps a pointer
 * to its input. Kernels work on whole batches: the caller makes one call per page/run of
 * values, never one per value.
 *
 * Input values are described by pq_values, which points straight into Arrow buffers:
 *   - `data` is the values buffer already advanced to slot 0 (fixed-width kinds), the
 *     bitmap (PQ_SRC_BOOL, with `data_bit_offset`), or the character data (binary kinds:
 *     the offsets are absolute into it, as in Arrow).
 *   - `offsets` (binary kinds only) points at the offset of slot 0; n + 1 entries are read.
 *   - `validity` is an optional Arrow validity bitmap (bit = 1: value present) and
 *     `validity_offset` the bit index of slot 0 in it. NULL = every slot present. Null
 *     slots are skipped: encoders emit only present values, densely, in slot order.
 *   - `n` is the number of slots.
 * The source kind says how Arrow values become Parquet physical values:
 *   I8/I16/I32 (and date32) -> INT32 sign-extended; U8/U16 -> INT32 zero-extended;
 *   U32 -> INT32 same bits; I64 (timestamps) -> INT64; U64 -> INT64 same bits;
 *   F16 -> FIXED_LEN_BYTE_ARRAY(2); F32 -> FLOAT; F64 -> DOUBLE; BOOL -> BOOLEAN;
 *   BIN32/BIN64 (string, binary / large_*) -> BYTE_ARRAY; FLBA -> FIXED_LEN_BYTE_ARRAY(width).
 * Binary values must be shorter than 2^31 bytes (HFDS_ELIMIT otherwise); negative or
 * decreasing offsets -> HFDS_EINVAL.
 * Alignment: input values and offsets must be aligned to their size, as Arrow buffers
 * are; output may start at any offset of the hfds_buf (e.g. right after v1 levels).
 *
 * Thread-safety: all functions are reentrant; a pq_dict is used by one thread at a time.
 */
#ifndef HFDS_PQ_ENC_H
#define HFDS_PQ_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/common.h"
#include "util/buf.h"

typedef enum pq_src {
	PQ_SRC_BOOL, PQ_SRC_I8, PQ_SRC_I16, PQ_SRC_I32, PQ_SRC_I64,
	PQ_SRC_U8, PQ_SRC_U16, PQ_SRC_U32, PQ_SRC_U64,
	PQ_SRC_F16, PQ_SRC_F32, PQ_SRC_F64,
	PQ_SRC_BIN32, PQ_SRC_BIN64, PQ_SRC_FLBA
} pq_src;

typedef struct pq_values {
	int src;                  /* pq_src */
	int32_t width;            /* PQ_SRC_FLBA: bytes per value; ignored otherwise */
	const void *data;         /* see above */
	int64_t data_bit_offset;  /* PQ_SRC_BOOL: bit index of slot 0 in data */
	const void *offsets;      /* PQ_SRC_BIN32: int32_t *, PQ_SRC_BIN64: int64_t * */
	const uint8_t *validity;  /* NULL = all present */
	int64_t validity_offset;
	size_t n;                 /* slots */
} pq_values;

/* Parquet physical type (PQ_INT32, ...) of a source kind. */
int pq_src_physical_type(int src);
/* Number of present slots (n minus nulls). */
size_t pq_values_count(const pq_values *v);

/* ---- bit widths, RLE / bit-packed hybrid (levels, dictionary indices, booleans) ---- */

/* Bits needed for v: 0 for 0, 1 for 1, 2 for 2..3, ..., 64. */
int pq_bit_width(uint64_t v);

/* Upper bound of the bytes pq_rle_encode_* appends for n values at bit_width. */
size_t pq_rle_max_size(size_t n, int bit_width);

/*
 * RLE/bit-packed hybrid runs (no length prefix), Arrow-like: a run of >= 8 equal values
 * that covers a whole group of 8 becomes an RLE run (its first values may complete the
 * preceding literal group); everything else goes into bit-packed runs of whole groups of 8
 * (the last group zero-padded), at most 64 groups per run. Output space is reserved in
 * steps of about 2 * (64 * bit_width + 35) bytes, never in proportion to n.
 * bit_width 0..8/16/32 (by element type); values must fit in bit_width bits (API misuse:
 * wider values corrupt their neighbours). The output is identical for all element types.
 * v1 data pages need a u32 LE byte-length prefix before def/rep levels and before RLE
 * booleans: reserve 4 bytes, encode, then patch the length.
 */
int pq_rle_encode_u8(const uint8_t *vals, size_t n, int bit_width, hfds_buf *out, hfds_error *err);
int pq_rle_encode_u16(const uint16_t *vals, size_t n, int bit_width, hfds_buf *out, hfds_error *err);
int pq_rle_encode_u32(const uint32_t *vals, size_t n, int bit_width, hfds_buf *out, hfds_error *err);

/* RLE_DICTIONARY data page values: one byte bit width, then the hybrid runs of idx.
 * The width is pq_dict_index_bit_width(dict_count). */
int pq_dict_indices_encode(const uint32_t *idx, size_t n, size_t dict_count, hfds_buf *out,
	hfds_error *err);
/* Index bit width for a dictionary of `count` entries: ceil(log2(count)), at least 1. */
int pq_dict_index_bit_width(size_t count);

/* RLE encoding (id 3) of BOOLEAN values (PQ_SRC_BOOL): u32 LE length prefix + runs at width 1. */
int pq_rle_bool_encode(const pq_values *v, hfds_buf *out, hfds_error *err);

/* ---- PLAIN ---- */

/* PLAIN encoding of the present values of any source kind (BOOLEAN bit-packed LSB first,
 * padded to a byte; BYTE_ARRAY with u32 LE length prefixes). */
int pq_plain_encode(const pq_values *v, hfds_buf *out, hfds_error *err);
/* Exact number of bytes pq_plain_encode appends. */
int pq_plain_size(const pq_values *v, size_t *size_out, hfds_error *err);

/* ---- dictionary ---- */

/*
 * pq_dict: the distinct values of one column chunk, in first-seen order, with an
 * open-addressing hash table. Values are compared by their Parquet bytes (so -0.0 and
 * 0.0, or two NaN payloads, are distinct entries). Memory: the entries plus the table;
 * the caller bounds it by checking pq_dict_plain_size against the dictionary page limit
 * after each pq_dict_put and falling back to PLAIN.
 */
typedef struct pq_dict pq_dict;

/* A dictionary for values of source kind `src` (width: PQ_SRC_FLBA value size). */
int pq_dict_new(pq_dict **out, int src, int32_t width, hfds_error *err);
void pq_dict_free(pq_dict *d); /* NULL-safe */
/* Forgets every entry (next column chunk), keeping the allocations. */
void pq_dict_reset(pq_dict *d);

/*
 * Looks up / inserts the present values of v (v->src must equal the dict's src) and
 * writes one index per present value to idx (room for pq_values_count(v), or v->n)
 * and the number written to *n_idx. On error the dictionary still holds a consistent
 * prefix of the batch; discard the indices.
 */
int pq_dict_put(pq_dict *d, const pq_values *v, uint32_t *idx, size_t *n_idx, hfds_error *err);

/* Number of entries. */
size_t pq_dict_count(const pq_dict *d);
/* Bytes of the PLAIN-encoded dictionary page body (compare with the 1 MiB limit). */
size_t pq_dict_plain_size(const pq_dict *d);
/* Appends the dictionary page body: the entries PLAIN-encoded in index order. */
int pq_dict_write_plain(const pq_dict *d, hfds_buf *out, hfds_error *err);
/* Entry i as Parquet PLAIN bytes without a length prefix (INT32: 4 bytes LE, ...), for
 * statistics. The pointer is valid until the next put/reset/free. */
const uint8_t *pq_dict_entry(const pq_dict *d, size_t i, size_t *len);

/* ---- DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, BYTE_STREAM_SPLIT ---- */

/* DELTA_BINARY_PACKED (block 128, 4 miniblocks of 32) of the present values of an
 * integer source kind (INT32 kinds use 32-bit wrap-around arithmetic, INT64 kinds 64-bit). */
int pq_dbp_encode(const pq_values *v, hfds_buf *out, hfds_error *err);
/* Same over plain arrays (used for DLBA lengths; exposed for tests). */
int pq_dbp_encode_i32(const int32_t *vals, size_t n, hfds_buf *out, hfds_error *err);
int pq_dbp_encode_i64(const int64_t *vals, size_t n, hfds_buf *out, hfds_error *err);

/* DELTA_LENGTH_BYTE_ARRAY of the present values of a BIN32/BIN64 source. */
int pq_dlba_encode(const pq_values *v, hfds_buf *out, hfds_error *err);

/* BYTE_STREAM_SPLIT of the present values of F32/F64 (also I32/I64/U32/U64/F16/FLBA by
 * their width; DuckDB 1.5 reads it only for FLOAT/DOUBLE). */
int pq_bss_encode(const pq_values *v, hfds_buf *out, hfds_error *err);

#endif
