/*
 * The footer of a Parquet file as one JSON document (`hfds info`): schema with levels,
 * key/value metadata, row groups, column chunks with codecs, encodings, sizes, statistics,
 * and optionally each chunk's page index. Only the footer (and, with the page index, the
 * index bytes) is read; no data page is touched. jansson builds the document because its
 * key order and escaping are what the CLI prints as they are.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "hfds/parquet_reader.h"
#include "parquet/read/assemble.h"
#include "parquet/format/pq_format.h"
#include "util/base64.h"
#include "util/numfmt.h"
#include "util/try.h"

static int printable_utf8(const uint8_t *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 0;
	return 1;
}

/* A statistics value as JSON (numbers for numeric types, strings otherwise). */
static json_t *stat_json(int type, const pq_bytes *b)
{
	char t[HFDS_NUMFMT_MAX];
	if (!b->set)
		return json_null();
	if (type == PQ_INT32 && b->n == 4) {
		int32_t v;
		memcpy(&v, b->p, 4);
		return json_integer(v);
	}
	if (type == PQ_INT64 && b->n == 8) {
		int64_t v;
		memcpy(&v, b->p, 8);
		return json_integer(v);
	}
	if (type == PQ_BOOLEAN && b->n >= 1)
		return json_boolean(b->p[0] != 0);
	if (type == PQ_FLOAT && b->n == 4) {
		float v;
		memcpy(&v, b->p, 4);
		hfds_fmt_float(v, t);
		return json_string(t);
	}
	if (type == PQ_DOUBLE && b->n == 8) {
		double v;
		memcpy(&v, b->p, 8);
		hfds_fmt_double(v, t);
		return json_string(t);
	}
	if (printable_utf8(b->p, b->n)) {
		json_t *s = json_stringn((const char *)b->p, b->n);
		if (s)
			return s;
	}
	{
		size_t n = hfds_base64_encoded_len(b->n);
		char *tmp = malloc(n + 8);
		json_t *s;
		if (!tmp)
			return json_null();
		memcpy(tmp, "base64:", 7);
		hfds_base64_encode(tmp + 7, b->p, b->n);
		s = json_stringn(tmp, n + 7);
		free(tmp);
		return s;
	}
}

static json_t *logical_json(const pq_schema_elem *e)
{
	static const char *names[] = {NULL, "STRING", "MAP", "LIST", "ENUM", "DECIMAL", "DATE", "TIME", "TIMESTAMP",
				      NULL, "INTEGER", "UNKNOWN", "JSON", "BSON", "UUID", "FLOAT16", "VARIANT",
				      "GEOMETRY", "GEOGRAPHY", "FILE"};
	static const char *units[] = {NULL, "MILLIS", "MICROS", "NANOS"};
	json_t *o;
	if (!e->lt)
		return NULL;
	o = json_object();
	json_object_set_new(o, "type", e->lt < 20 && names[e->lt] ? json_string(names[e->lt]) : json_integer(e->lt));
	if (e->lt == PQ_LT_DECIMAL) {
		json_object_set_new(o, "precision", json_integer(e->lt_precision));
		json_object_set_new(o, "scale", json_integer(e->lt_scale));
	} else if (e->lt == PQ_LT_TIME || e->lt == PQ_LT_TIMESTAMP) {
		json_object_set_new(o, "unit", json_string(e->lt_unit >= 1 && e->lt_unit <= 3 ? units[e->lt_unit] : "?"));
		json_object_set_new(o, "is_adjusted_to_utc", json_boolean(e->lt_utc));
	} else if (e->lt == PQ_LT_INTEGER) {
		json_object_set_new(o, "bit_width", json_integer(e->lt_bits));
		json_object_set_new(o, "is_signed", json_boolean(e->lt_signed));
	}
	return o;
}

/* OffsetIndex / ColumnIndex of one chunk (small reads outside the footer; no data pages). */
static json_t *page_index_json(hfds_pq_reader *r, const pq_chunk *ch, hfds_error *err)
{
	json_t *o = json_object();
	uint8_t *buf = NULL;
	int i;
	if (ch->has_offset_index && ch->offset_index_length > 0) {
		pq_offset_index oi;
		json_t *pages = json_array();
		if (!(buf = malloc((size_t)ch->offset_index_length)) ||
		    pq_reader__read(r, (uint64_t)ch->offset_index_offset, buf, (size_t)ch->offset_index_length, err) < 0 ||
		    pq_offset_index_parse(&oi, buf, (size_t)ch->offset_index_length, (uint64_t)ch->offset_index_offset, err) < 0) {
			free(buf);
			json_decref(pages);
			json_decref(o);
			return NULL;
		}
		for (i = 0; i < oi.npages; i++)
			json_array_append_new(pages, json_pack("{s:I,s:i,s:I}", "offset", (json_int_t)oi.pages[i].offset,
								"compressed_size", oi.pages[i].compressed_page_size,
								"first_row", (json_int_t)oi.pages[i].first_row_index));
		json_object_set_new(o, "pages", pages);
		pq_offset_index_free(&oi);
		free(buf);
		buf = NULL;
	}
	if (ch->has_column_index && ch->column_index_length > 0) {
		pq_column_index ci;
		json_t *nul = json_array(), *mins = json_array(), *maxs = json_array(), *nc = json_array();
		if (!(buf = malloc((size_t)ch->column_index_length)) ||
		    pq_reader__read(r, (uint64_t)ch->column_index_offset, buf, (size_t)ch->column_index_length, err) < 0 ||
		    pq_column_index_parse(&ci, buf, (size_t)ch->column_index_length, (uint64_t)ch->column_index_offset, err) < 0) {
			free(buf);
			json_decref(nul);
			json_decref(mins);
			json_decref(maxs);
			json_decref(nc);
			json_decref(o);
			return NULL;
		}
		for (i = 0; i < ci.npages; i++) {
			json_array_append_new(nul, json_boolean(ci.null_pages[i]));
			json_array_append_new(mins, stat_json(ch->meta.type, &ci.min_values[i]));
			json_array_append_new(maxs, stat_json(ch->meta.type, &ci.max_values[i]));
			if (ci.null_counts)
				json_array_append_new(nc, json_integer(ci.null_counts[i]));
		}
		json_object_set_new(o, "null_pages", nul);
		json_object_set_new(o, "min_values", mins);
		json_object_set_new(o, "max_values", maxs);
		json_object_set_new(o, "null_counts", nc);
		json_object_set_new(o, "boundary_order", json_integer(ci.boundary_order));
		pq_column_index_free(&ci);
		free(buf);
	}
	return o;
}

static json_t *describe(hfds_pq_reader *r, const char *name, int with_index, hfds_error *err)
{
	const pq_meta *m = r->meta;
	json_t *root = json_object(), *schema = json_array(), *rgs = json_array(), *kv = json_object();
	int i, g, k;
	json_object_set_new(root, "file", json_string(name ? name : ""));
	json_object_set_new(root, "size", json_integer((json_int_t)r->size));
	json_object_set_new(root, "version", json_integer(m->version));
	json_object_set_new(root, "created_by", m->created_by ? json_string(m->created_by) : json_null());
	json_object_set_new(root, "num_rows", json_integer(m->num_rows_sum));
	if (m->num_rows != m->num_rows_sum)
		json_object_set_new(root, "footer_num_rows", json_integer(m->num_rows));
	json_object_set_new(root, "num_row_groups", json_integer(m->nrow_groups));
	json_object_set_new(root, "num_columns", json_integer(m->nleaves));
	for (i = 0; i < m->nschema; i++) {
		const pq_schema_elem *e = &m->schema[i];
		const pq_node *nd = &m->nodes[i];
		json_t *o = json_object(), *lt;
		int depth = 0, j;
		for (j = i; j > 0; j = m->nodes[j].parent)
			depth++;
		json_object_set_new(o, "name", json_string(e->name));
		json_object_set_new(o, "depth", json_integer(depth));
		if (e->type >= 0)
			json_object_set_new(o, "type", json_string(pq_type_name(e->type)));
		if (e->type == PQ_FIXED_LEN_BYTE_ARRAY)
			json_object_set_new(o, "type_length", json_integer(e->type_length));
		if (e->repetition >= 0)
			json_object_set_new(o, "repetition", json_string(pq_repetition_name(e->repetition)));
		if (e->converted_type >= 0)
			json_object_set_new(o, "converted_type", json_string(pq_converted_name(e->converted_type)));
		if ((lt = logical_json(e)))
			json_object_set_new(o, "logical_type", lt);
		if (e->converted_type == PQ_CT_DECIMAL) {
			json_object_set_new(o, "precision", json_integer(e->precision));
			json_object_set_new(o, "scale", json_integer(e->scale));
		}
		if (nd->leaf >= 0) {
			json_object_set_new(o, "column", json_integer(nd->leaf));
			json_object_set_new(o, "max_definition_level", json_integer(nd->def));
			json_object_set_new(o, "max_repetition_level", json_integer(nd->rep));
		} else {
			json_object_set_new(o, "num_children", json_integer(nd->nchildren));
		}
		json_array_append_new(schema, o);
	}
	json_object_set_new(root, "schema", schema);
	for (i = 0; i < m->nkv; i++)
		json_object_set_new(kv, m->kv[i].key,
				    m->kv[i].value.set ? json_stringn((const char *)m->kv[i].value.p, m->kv[i].value.n)
						       : json_null());
	json_object_set_new(root, "key_value_metadata", kv);
	for (g = 0; g < m->nrow_groups; g++) {
		const pq_row_group *rg = &m->row_groups[g];
		json_t *o = json_object(), *cols = json_array();
		json_object_set_new(o, "num_rows", json_integer(rg->num_rows));
		json_object_set_new(o, "total_byte_size", json_integer(rg->total_byte_size));
		if (rg->total_compressed_size)
			json_object_set_new(o, "total_compressed_size", json_integer(rg->total_compressed_size));
		for (k = 0; k < rg->ncolumns; k++) {
			const pq_chunk *ch = &rg->columns[k];
			const pq_col_meta *md = &ch->meta;
			json_t *c = json_object(), *enc = json_array();
			int e;
			json_object_set_new(c, "path", json_string(m->leaves[k].path));
			json_object_set_new(c, "type", json_string(pq_type_name(md->type)));
			json_object_set_new(c, "codec", json_string(pq_codec_name(md->codec)));
			for (e = 0; e < md->nencodings; e++)
				json_array_append_new(enc, json_string(pq_encoding_name(md->encodings[e])));
			json_object_set_new(c, "encodings", enc);
			json_object_set_new(c, "num_values", json_integer(md->num_values));
			json_object_set_new(c, "compressed_size", json_integer(md->total_compressed_size));
			json_object_set_new(c, "uncompressed_size", json_integer(md->total_uncompressed_size));
			json_object_set_new(c, "data_page_offset", json_integer(md->data_page_offset));
			if (md->has_dictionary_page_offset)
				json_object_set_new(c, "dictionary_page_offset", json_integer(md->dictionary_page_offset));
			if (ch->has_offset_index)
				json_object_set_new(c, "offset_index", json_integer(ch->offset_index_offset));
			if (ch->has_column_index)
				json_object_set_new(c, "column_index", json_integer(ch->column_index_offset));
			if (md->has_bloom_offset)
				json_object_set_new(c, "bloom_filter_offset", json_integer(md->bloom_filter_offset));
			if (md->has_stats) {
				const pq_stats *s = &md->stats;
				json_t *so = json_object();
				if (s->has_null_count)
					json_object_set_new(so, "null_count", json_integer(s->null_count));
				if (s->has_distinct_count)
					json_object_set_new(so, "distinct_count", json_integer(s->distinct_count));
				if (s->has_nan_count)
					json_object_set_new(so, "nan_count", json_integer(s->nan_count));
				if (s->min_value.set || s->max_value.set) {
					json_object_set_new(so, "min", stat_json(md->type, &s->min_value));
					json_object_set_new(so, "max", stat_json(md->type, &s->max_value));
				} else if (s->min.set || s->max.set) {
					json_object_set_new(so, "min", stat_json(md->type, &s->min));
					json_object_set_new(so, "max", stat_json(md->type, &s->max));
					json_object_set_new(so, "legacy", json_true());
				}
				if (s->is_min_exact >= 0)
					json_object_set_new(so, "is_min_exact", json_boolean(s->is_min_exact));
				if (s->is_max_exact >= 0)
					json_object_set_new(so, "is_max_exact", json_boolean(s->is_max_exact));
				json_object_set_new(c, "statistics", so);
			}
			if (with_index && (ch->has_offset_index || ch->has_column_index)) {
				json_t *pi = page_index_json(r, ch, err);
				if (!pi) {
					json_decref(c);
					json_decref(cols);
					json_decref(o);
					json_decref(rgs);
					json_decref(root);
					return NULL;
				}
				json_object_set_new(c, "page_index", pi);
			}
			json_array_append_new(cols, c);
		}
		json_object_set_new(o, "columns", cols);
		json_array_append_new(rgs, o);
	}
	json_object_set_new(root, "row_groups", rgs);
	return root;
}

int hfds_pq_reader_describe(hfds_pq_reader *r, const char *name, unsigned flags, char **out, hfds_error *err)
{
	json_t *j;
	*out = NULL;
	j = describe(r, name, (flags & HFDS_PQ_DESCRIBE_PAGE_INDEX) != 0, err);
	if (!j)
		return err && err->code ? err->code : hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	{
		char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		size_t n = s ? strlen(s) : 0;
		json_decref(j);
		if (!s || !(*out = hfds_malloc(n + 1))) {
			free(s);
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		}
		memcpy(*out, s, n + 1);
		free(s);
	}
	return 0;
}
