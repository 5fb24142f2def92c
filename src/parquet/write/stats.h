/*
 * Column statistics for the writer (spec parquet.md §1.8): null_count always, min/max by
 * the leaf's sort order, no NaN in bounds, -0.0 as min / +0.0 as max when the extreme is a
 * zero, binary bounds truncated to max_statistics_size with the exactness flags.
 * Computed per page from the dense values (shred.h) and merged into the chunk's.
 */
#ifndef HFDS_PQ_STATS_H
#define HFDS_PQ_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "parquet/write/pq_schema_w.h"
#include "parquet/write/shred.h"
#include "parquet/write/thrift_enc.h"

typedef struct pqw_stats {
	int64_t null_count;
	int64_t nan_count;
	int has_minmax;
	union { int64_t i; uint64_t u; double d; } min, max;  /* numeric sort orders */
	const uint8_t *bmin, *bmax;   /* PQS_BYTES: point into the column buffer */
	size_t bmin_len, bmax_len;
} pqw_stats;

/* A bound as stored bytes: PLAIN without length prefix, possibly truncated. */
typedef struct pqw_bound {
	uint8_t small[16];
	const uint8_t *ptr;     /* small, or into the column buffer, or `own` */
	size_t len;
	int exact;
	uint8_t *own;           /* heap copy when a truncated max needed an increment */
} pqw_bound;

void pqw_stats_init(pqw_stats *s);

/* Stats of dense values [v0, v1) plus `nulls` entries without a value. */
void pqw_stats_compute(pqw_stats *s, const pqw_leaf *leaf, const pqw_colbuf *cb, int64_t v0, int64_t v1,
	int64_t nulls);

/* Folds `page` into `chunk` (same leaf). */
void pqw_stats_merge(pqw_stats *chunk, const pqw_stats *page, const pqw_leaf *leaf);

/*
 * The min (want_max = 0) or max bound as bytes, truncated to max_size for PQS_BYTES
 * (max_size 0 = never truncate). Returns 0, or -1 when no bound can be given (no
 * min/max, or a max that cannot be truncated upwards; the caller then omits both) or on
 * allocation failure. Free with pqw_bound_release.
 */
int pqw_stats_bound(pqw_bound *b, const pqw_stats *s, const pqw_leaf *leaf, int want_max, size_t max_size);
void pqw_bound_release(pqw_bound *b);

/* Compares two bounds of the leaf's sort order (<0, 0, >0); for the boundary order. */
int pqw_stats_cmp_min(const pqw_stats *a, const pqw_stats *b, const pqw_leaf *leaf, int use_max);

/* Writes a Statistics struct as field `field_id` of the open struct. */
void pqw_stats_write(pq_tw *tw, int16_t field_id, const pqw_stats *s, const pqw_leaf *leaf, size_t max_size);

/* 1 if the leaf has a defined order (min/max and a ColumnIndex are possible). */
int pqw_stats_ordered(const pqw_leaf *leaf);

#endif
