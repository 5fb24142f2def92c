/*
 * Page index (spec parquet.md §1.10): the OffsetIndex and ColumnIndex of one column chunk,
 * serialized right after the chunk's pages are known (they are written after the last row
 * group, so only these small byte strings are kept until close).
 */
#ifndef HFDS_PQ_PAGEINDEX_H
#define HFDS_PQ_PAGEINDEX_H

#include <stdint.h>
#include "parquet/write/colwriter.h"

/* OffsetIndex of chunk c whose first data page starts at file offset `first_page`. */
int pqw_offset_index(hfds_buf *out, const pqw_chunk *c, int64_t first_page, hfds_error *err);

/* ColumnIndex of chunk c. Returns 1 and appends it, or 0 when the chunk cannot have one
 * (statistics off, no order, or a page whose values are all NaN). */
int pqw_column_index(hfds_buf *out, const pqw_chunk *c, size_t max_size, hfds_error *err);

#endif
