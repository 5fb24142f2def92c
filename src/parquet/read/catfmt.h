/*
 * Canonical JSON Lines rows (the format of `hfds cat` and the npm judges, BRIEF "canonical
 * row format") from Arrow record batches: one object per row, keys in schema order.
 * Works on any struct batch whose types are those hfds_pq_reader produces.
 * Thread-safe (no shared state); allocates the compiled schema and grows the caller's buffer.
 */
#ifndef HFDS_PQ_CATFMT_H
#define HFDS_PQ_CATFMT_H

#include <stdint.h>

#include "hfds/arrow_abi.h"
#include "hfds/common.h"
#include "util/buf.h"

/* Appends rows [from, to) of the struct batch as "{...}\n" lines (hfds_pq_rowfmt compiled
 * for this one call). Unknown Arrow formats give HFDS_EUNSUPPORTED. */
int pq_catfmt_rows(hfds_buf *out, const struct ArrowSchema *schema, const struct ArrowArray *batch,
		   int64_t from, int64_t to, hfds_error *err);

#endif
