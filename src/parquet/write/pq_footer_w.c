/* The file's tail: page indexes (ColumnIndex, OffsetIndex) and the Thrift FileMetaData. */
#include <string.h>

#include "parquet/format/pq_format.h"
#include "parquet/write/pq_writer_int.h"
#include "parquet/write/thrift_enc.h"
#include "util/try.h"

#ifndef HFDS_BUILD_ID
#define HFDS_BUILD_ID "dev"
#endif

static void write_logical(pq_tw *tw, const pqw_node *n)
{
	if (!n->logical)
		return;
	pq_tw_field_struct_begin(tw, 10);
	pq_tw_field_struct_begin(tw, (int16_t)n->logical);
	if (n->logical == PQ_LT_INTEGER) {
		pq_tw_field_i8(tw, 1, (int8_t)n->lt_bits);
		pq_tw_field_bool(tw, 2, n->lt_signed);
	} else if (n->logical == PQ_LT_DECIMAL) {
		pq_tw_field_i32(tw, 1, n->scale);
		pq_tw_field_i32(tw, 2, n->precision);
	} else if (n->logical == PQ_LT_TIMESTAMP) {
		pq_tw_field_bool(tw, 1, n->lt_utc);
		pq_tw_field_struct_begin(tw, 2);
		pq_tw_field_struct_begin(tw, (int16_t)n->lt_unit);
		pq_tw_struct_end(tw);
		pq_tw_struct_end(tw);
	}
	pq_tw_struct_end(tw);
	pq_tw_struct_end(tw);
}

static void write_column_meta(pq_tw *tw, hfds_pq_writer *w, int i, const chunk_meta *m)
{
	const pqw_leaf *l = &w->schema->leaves[i];
	pq_tw_field_struct_begin(tw, 3);
	pq_tw_field_i32(tw, 1, l->ptype);
	pq_tw_field_list_begin(tw, 2, PQ_TT_I32, (size_t)m->nenc);
	for (int e = 0; e < m->nenc; e++)
		pq_tw_i32(tw, m->encodings[e]);
	pq_tw_field_list_begin(tw, 3, PQ_TT_BINARY, (size_t)l->npath);
	for (int p = 0; p < l->npath; p++)
		pq_tw_string(tw, l->path_parts[p]);
	pq_tw_field_i32(tw, 4, m->codec);
	pq_tw_field_i64(tw, 5, m->num_values);
	pq_tw_field_i64(tw, 6, m->total_unc);
	pq_tw_field_i64(tw, 7, m->total_comp);
	pq_tw_field_i64(tw, 9, m->data_page_offset);
	if (m->dict_page_offset >= 0)
		pq_tw_field_i64(tw, 11, m->dict_page_offset);
	if (m->stats) {
		pq_tw_field_struct_begin(tw, 12);
		if (m->has_minmax && m->legacy) {
			pq_tw_field_binary(tw, 1, m->max, m->max_len);
			pq_tw_field_binary(tw, 2, m->min, m->min_len);
		}
		pq_tw_field_i64(tw, 3, m->null_count);
		if (m->has_minmax) {
			pq_tw_field_binary(tw, 5, m->max, m->max_len);
			pq_tw_field_binary(tw, 6, m->min, m->min_len);
			pq_tw_field_bool(tw, 7, m->max_exact);
			pq_tw_field_bool(tw, 8, m->min_exact);
		}
		pq_tw_struct_end(tw);
	}
	size_t nes = (m->n_dict_pages > 0) + (m->n_dict_data > 0) + (m->n_plain_data > 0);
	pq_tw_field_list_begin(tw, 13, PQ_TT_STRUCT, nes);
	if (m->n_dict_pages) {
		pq_tw_struct_begin(tw);
		pq_tw_field_i32(tw, 1, PQ_PAGE_DICTIONARY);
		pq_tw_field_i32(tw, 2, PQ_ENC_PLAIN);
		pq_tw_field_i32(tw, 3, m->n_dict_pages);
		pq_tw_struct_end(tw);
	}
	if (m->n_dict_data) {
		pq_tw_struct_begin(tw);
		pq_tw_field_i32(tw, 1, PQ_PAGE_DATA);
		pq_tw_field_i32(tw, 2, PQ_ENC_RLE_DICTIONARY);
		pq_tw_field_i32(tw, 3, m->n_dict_data);
		pq_tw_struct_end(tw);
	}
	if (m->n_plain_data) {
		pq_tw_struct_begin(tw);
		pq_tw_field_i32(tw, 1, PQ_PAGE_DATA);
		pq_tw_field_i32(tw, 2, m->plain_encoding);
		pq_tw_field_i32(tw, 3, m->n_plain_data);
		pq_tw_struct_end(tw);
	}
	pq_tw_struct_end(tw);
}

int pqw_write_footer(hfds_pq_writer *w, hfds_error *err)
{
	int rc = 0;
	int nl = w->schema->nleaves;
	hfds_buf meta;
	hfds_buf_init(&meta, 0);
	/* page index: all ColumnIndexes, then all OffsetIndexes */
	for (size_t r = 0; r < w->nrgs; r++)
		for (int i = 0; i < nl; i++) {
			chunk_meta *m = &w->rgs[r].cols[i];
			if (m->ci) {
				m->ci_off = (int64_t)w->offset;
				HFDS_TRY(pqw_emit(w, m->ci, m->ci_len, err));
			}
		}
	for (size_t r = 0; r < w->nrgs; r++)
		for (int i = 0; i < nl; i++) {
			chunk_meta *m = &w->rgs[r].cols[i];
			if (m->oi) {
				m->oi_off = (int64_t)w->offset;
				HFDS_TRY(pqw_emit(w, m->oi, m->oi_len, err));
			}
		}
	pq_tw tw;
	pq_tw_init(&tw, &meta);
	pq_tw_struct_begin(&tw);
	pq_tw_field_i32(&tw, 1, 1);
	pq_tw_field_list_begin(&tw, 2, PQ_TT_STRUCT, (size_t)w->schema->nnodes);
	for (int i = 0; i < w->schema->nnodes; i++) {
		const pqw_node *n = &w->schema->nodes[i];
		pq_tw_struct_begin(&tw);
		if (n->ptype >= 0)
			pq_tw_field_i32(&tw, 1, n->ptype);
		if (n->ptype == PQ_FIXED_LEN_BYTE_ARRAY)
			pq_tw_field_i32(&tw, 2, n->type_length);
		if (i > 0)
			pq_tw_field_i32(&tw, 3, n->repetition);
		pq_tw_field_string(&tw, 4, n->name);
		if (n->ptype < 0)
			pq_tw_field_i32(&tw, 5, n->num_children);
		if (n->converted >= 0)
			pq_tw_field_i32(&tw, 6, n->converted);
		if (n->logical == PQ_LT_DECIMAL) {
			pq_tw_field_i32(&tw, 7, n->scale);
			pq_tw_field_i32(&tw, 8, n->precision);
		}
		write_logical(&tw, n);
		pq_tw_struct_end(&tw);
	}
	pq_tw_field_i64(&tw, 3, w->total_rows);
	pq_tw_field_list_begin(&tw, 4, PQ_TT_STRUCT, w->nrgs);
	for (size_t r = 0; r < w->nrgs; r++) {
		const rg_meta *rg = &w->rgs[r];
		pq_tw_struct_begin(&tw);
		pq_tw_field_list_begin(&tw, 1, PQ_TT_STRUCT, (size_t)nl);
		for (int i = 0; i < nl; i++) {
			const chunk_meta *m = &rg->cols[i];
			pq_tw_struct_begin(&tw);
			pq_tw_field_i64(&tw, 2, 0);
			write_column_meta(&tw, w, i, m);
			if (m->oi) {
				pq_tw_field_i64(&tw, 4, m->oi_off);
				pq_tw_field_i32(&tw, 5, (int32_t)m->oi_len);
			}
			if (m->ci) {
				pq_tw_field_i64(&tw, 6, m->ci_off);
				pq_tw_field_i32(&tw, 7, (int32_t)m->ci_len);
			}
			pq_tw_struct_end(&tw);
		}
		pq_tw_field_i64(&tw, 2, rg->total_byte_size);
		pq_tw_field_i64(&tw, 3, rg->num_rows);
		pq_tw_field_i64(&tw, 5, rg->file_offset);
		pq_tw_field_i64(&tw, 6, rg->total_compressed);
		pq_tw_field_i16(&tw, 7, (int16_t)r);
		pq_tw_struct_end(&tw);
	}
	/* ARROW:schema goes last, after keys added since open, as pyarrow orders them */
	for (size_t i = 0; i + 1 < w->nkv; i++)
		if (!strcmp(w->kv[i].key, "ARROW:schema")) {
			hfds_pq_kv t = w->kv[i];
			memmove(&w->kv[i], &w->kv[i + 1], (w->nkv - i - 1) * sizeof(*w->kv));
			w->kv[w->nkv - 1] = t;
			break;
		}
	if (w->nkv) {
		pq_tw_field_list_begin(&tw, 5, PQ_TT_STRUCT, w->nkv);
		for (size_t i = 0; i < w->nkv; i++) {
			pq_tw_struct_begin(&tw);
			pq_tw_field_string(&tw, 1, w->kv[i].key);
			if (w->kv[i].value)
				pq_tw_field_string(&tw, 2, w->kv[i].value);
			pq_tw_struct_end(&tw);
		}
	}
	pq_tw_field_string(&tw, 6, "hfds version " HFDS_VERSION " (build " HFDS_BUILD_ID ")");
	pq_tw_field_list_begin(&tw, 7, PQ_TT_STRUCT, (size_t)nl);
	for (int i = 0; i < nl; i++) {
		pq_tw_struct_begin(&tw);
		pq_tw_field_struct_begin(&tw, 1);
		pq_tw_struct_end(&tw);
		pq_tw_struct_end(&tw);
	}
	pq_tw_struct_end(&tw);
	HFDS_TRY(pq_tw_finish(&tw, err));
	HFDS_FAIL_IF(meta.len > UINT32_MAX, HFDS_ELIMIT, err, "footer too large");
	uint8_t tail[8];
	uint32_t len = (uint32_t)meta.len;
	for (int i = 0; i < 4; i++)
		tail[i] = (uint8_t)(len >> (8 * i));
	memcpy(tail + 4, PQ_MAGIC, 4);
	HFDS_TRY(pqw_emit(w, meta.data, meta.len, err));
	HFDS_TRY(pqw_emit(w, tail, 8, err));
	HFDS_TRY(pqw_out_flush(w, err));
done:
	hfds_buf_release(&meta);
	return rc;
}
