/*
 * Shredding (Dremel): Arrow arrays -> per-leaf definition/repetition levels and dense
 * physical values. One pqw_colbuf accumulates a leaf's part of the row group in flight;
 * pages are cut from it later (colwriter.h).
 *
 * Levels are one byte per entry (max level <= 127 is enforced by the schema depth limit).
 * Values are dense (nulls/empty lists have levels but no value):
 *  - fixed-width types: PLAIN little-endian values (BOOLEAN: one byte 0/1 per value);
 *  - BYTE_ARRAY: concatenated bytes in `vals` and nvalues+1 uint64 start offsets in `offs`.
 */
#ifndef HFDS_PQ_SHRED_H
#define HFDS_PQ_SHRED_H

#include <stdint.h>
#include "hfds/arrow_abi.h"
#include "parquet/write/pq_schema_w.h"
#include "util/buf.h"

typedef struct pqw_colbuf {
	hfds_buf def;       /* uint8 per entry, when max_def > 0 and !def_all_max */
	hfds_buf rep;       /* uint8 per entry, when max_rep > 0 */
	hfds_buf vals;
	hfds_buf offs;      /* BYTE_ARRAY only: uint64 per value + 1 */
	hfds_buf rows;      /* max_rep > 0: uint64 entry index where each row starts */
	int64_t nentries;   /* levels (slots) */
	int64_t nvalues;    /* non-null leaf values */
	int64_t nrows;
	int def_all_max;    /* every entry so far has def == max_def: `def` is not materialized */
	/* Values appended as one contiguous run (fixed-width values that already are PLAIN,
	 * or the bytes of strings and binaries, offs then being relative to the run) are
	 * borrowed from the caller's batch instead of copied (vals is then empty); the writer
	 * copies them (pqw_colbuf_own) or finishes with them before the caller gets the batch
	 * back. */
	const uint8_t *borrowed;
	size_t borrowed_len;
} pqw_colbuf;

void pqw_colbuf_init(pqw_colbuf *cb);
void pqw_colbuf_clear(pqw_colbuf *cb);   /* empties, keeps allocations for the next row group */
void pqw_colbuf_release(pqw_colbuf *cb);
/* Bytes held (levels + values), the row group's uncompressed estimate. */
uint64_t pqw_colbuf_bytes(const pqw_colbuf *cb);
/* Copies borrowed values into vals (no-op without). Errors: HFDS_ENOMEM / HFDS_ELIMIT. */
int pqw_colbuf_own(pqw_colbuf *cb, hfds_error *err);

/* The dense values, wherever they are. */
static inline const uint8_t *pqw_colbuf_vals(const pqw_colbuf *cb)
{
	return cb->borrowed ? cb->borrowed : cb->vals.data;
}

/* Entry index where row `r` starts (r may equal nrows: returns nentries). */
static inline int64_t pqw_colbuf_row_entry(const pqw_colbuf *cb, const pqw_leaf *leaf, int64_t r)
{
	if (leaf->max_rep == 0 || r >= cb->nrows)
		return r >= cb->nrows ? cb->nentries : r;
	return (int64_t)((const uint64_t *)cb->rows.data)[r];
}

/*
 * Checks that `top` (the batch's child array for leaf->top) has the shape the schema
 * expects along the leaf's path. HFDS_EINVAL names the column.
 */
int pqw_shred_check(const pqw_leaf *leaf, const struct ArrowArray *top, hfds_error *err);

/*
 * Appends rows [start, end) of `top` (logical indices, before top->offset is applied) to
 * `cb`. `file_row` is the file row number of `start` (for error messages).
 * Errors: HFDS_EINVAL (null in a non-nullable field, invalid UTF-8, offsets out of range;
 * naming row and column), HFDS_ENOMEM / HFDS_ELIMIT.
 */
int pqw_shred(pqw_colbuf *cb, const pqw_leaf *leaf, const struct ArrowArray *top, int64_t start,
	int64_t end, int64_t file_row, hfds_error *err);

#endif
