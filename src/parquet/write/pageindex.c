/*
 * OffsetIndex / ColumnIndex serialization. Bounds use the same truncation as the chunk
 * statistics; the boundary order is computed from the untruncated page bounds.
 */
#include <string.h>

#include "parquet/write/pageindex.h"
#include "parquet/format/pq_format.h"
#include "parquet/write/thrift_enc.h"
#include "util/try.h"

int pqw_offset_index(hfds_buf *out, const pqw_chunk *c, int64_t first_page, hfds_error *err)
{
	pq_tw tw;
	int64_t off = first_page;
	pq_tw_init(&tw, out);
	pq_tw_struct_begin(&tw);
	pq_tw_field_list_begin(&tw, 1, PQ_TT_STRUCT, c->npages);
	for (size_t p = 0; p < c->npages; p++) {
		const pqw_page *pg = &c->pages[p];
		pq_tw_struct_begin(&tw);
		pq_tw_field_i64(&tw, 1, off);
		pq_tw_field_i32(&tw, 2, (int32_t)pqw_page_size(pg));
		pq_tw_field_i64(&tw, 3, pg->r0);
		pq_tw_struct_end(&tw);
		off += (int64_t)pqw_page_size(pg);
	}
	pq_tw_struct_end(&tw);
	return pq_tw_finish(&tw, err);
}

static int boundary_order(const pqw_chunk *c)
{
	int asc = 1, desc = 1;
	const pqw_stats *prev = NULL;
	for (size_t p = 0; p < c->npages; p++) {
		const pqw_stats *s = &c->pages[p].stats;
		if (!s->has_minmax)
			continue;
		if (prev) {
			int a = pqw_stats_cmp_min(s, prev, c->leaf, 0), b = pqw_stats_cmp_min(s, prev, c->leaf, 1);
			if (a < 0 || b < 0)
				asc = 0;
			if (a > 0 || b > 0)
				desc = 0;
		}
		prev = s;
	}
	return asc ? PQ_BOUNDARY_ASCENDING : desc ? PQ_BOUNDARY_DESCENDING : PQ_BOUNDARY_UNORDERED;
}

int pqw_column_index(hfds_buf *out, const pqw_chunk *c, size_t max_size, hfds_error *err)
{
	int rc = 0;
	if (!c->o.statistics || !pqw_stats_ordered(c->leaf))
		return 0;
	for (size_t p = 0; p < c->npages; p++) {
		const pqw_page *pg = &c->pages[p];
		if (pg->v1 > pg->v0 && !pg->stats.has_minmax)
			return 0;
	}
	pq_tw tw;
	pq_tw_init(&tw, out);
	pq_tw_struct_begin(&tw);
	pq_tw_field_list_begin(&tw, 1, PQ_TT_BOOL_TRUE, c->npages);
	for (size_t p = 0; p < c->npages; p++)
		pq_tw_bool(&tw, c->pages[p].v1 == c->pages[p].v0);
	for (int want_max = 0; want_max < 2; want_max++) {
		pq_tw_field_list_begin(&tw, want_max ? 3 : 2, PQ_TT_BINARY, c->npages);
		for (size_t p = 0; p < c->npages; p++) {
			const pqw_page *pg = &c->pages[p];
			pqw_bound b;
			if (pg->v1 == pg->v0 || pqw_stats_bound(&b, &pg->stats, c->leaf, want_max, max_size) < 0) {
				pq_tw_binary(&tw, "", 0);
				continue;
			}
			pq_tw_binary(&tw, b.ptr, b.len);
			pqw_bound_release(&b);
		}
	}
	pq_tw_field_i32(&tw, 4, boundary_order(c));
	pq_tw_field_list_begin(&tw, 5, PQ_TT_I64, c->npages);
	for (size_t p = 0; p < c->npages; p++)
		pq_tw_i64(&tw, c->pages[p].stats.null_count);
	pq_tw_struct_end(&tw);
	HFDS_TRY(pq_tw_finish(&tw, err));
	rc = 1;
done:
	return rc;
}
