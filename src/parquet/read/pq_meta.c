/*
 * FileMetaData / PageHeader / page index parsing on top of pq_tr, plus the schema tree.
 * Known fields with an unexpected Thrift type are skipped, not fatal (Dremio's private
 * ColumnMetaData field 15 in dict-page-offset-zero.parquet is a list, not an i32).
 */
#include "parquet/read/pq_meta.h"

#include <string.h>

#include "parquet/format/pq_format.h"
#include "parquet/read/thrift_dec.h"
#include "util/alloc.h"
#include "util/try.h"

struct pq_arena_block {
	struct pq_arena_block *next;
	size_t used, cap;
	max_align_t data[];
};

static void *arena_alloc(pq_meta *m, size_t count, size_t size)
{
	size_t n;
	struct pq_arena_block *b = m->arena;
	if (hfds_mul_overflow(count, size, &n))
		return NULL;
	n = (n + 15) & ~(size_t)15;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > 65536 ? n : 65536;
		b = hfds_malloc(sizeof *b + cap);
		if (!b)
			return NULL;
		b->next = m->arena;
		b->used = 0;
		b->cap = cap;
		m->arena = b;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

typedef struct ctx {
	pq_tr tr;
	pq_meta *m;
} ctx;

static int oom(ctx *c)
{
	return hfds_error_set(c->tr.err, HFDS_ENOMEM, "out of memory parsing the footer");
}

static int read_str(ctx *c, char **out)
{
	const uint8_t *p;
	size_t n;
	int rc = pq_tr_binary(&c->tr, &p, &n);
	if (rc < 0)
		return rc;
	*out = arena_alloc(c->m, n + 1, 1);
	if (!*out)
		return oom(c);
	memcpy(*out, p, n);
	return 0;
}

static int read_bytes(ctx *c, pq_bytes *b)
{
	int rc = pq_tr_binary(&c->tr, &b->p, &b->n);
	if (rc == 0)
		b->set = 1;
	return rc;
}

/* i32 field: accepts any integer type; out of range -> corrupt. */
static int get_i32(ctx *c, int type, int32_t *v)
{
	int64_t x;
	int got, rc = pq_tr_int_field(&c->tr, type, &x, &got);
	if (rc < 0 || !got)
		return rc;
	if (x < INT32_MIN || x > INT32_MAX)
		return pq_tr_fail(&c->tr, "value %lld out of i32 range", (long long)x);
	*v = (int32_t)x;
	return 0;
}

static int get_i64(ctx *c, int type, int64_t *v, uint8_t *has)
{
	int got, rc = pq_tr_int_field(&c->tr, type, v, &got);
	if (rc == 0 && has)
		*has = (uint8_t)got;
	return rc;
}

static int get_bool(ctx *c, int type, int *v)
{
	if (type == PQ_TT_BOOL_TRUE || type == PQ_TT_BOOL_FALSE) {
		*v = type == PQ_TT_BOOL_TRUE;
		return 0;
	}
	return pq_tr_skip(&c->tr, type);
}

/* Starts a list field; *n = 0 and the field is skipped when it is not a list of `want`. */
static int list_of(ctx *c, int type, int want, uint32_t *n)
{
	int et, rc;
	*n = 0;
	if (type != PQ_TT_LIST && type != PQ_TT_SET)
		return pq_tr_skip(&c->tr, type);
	if ((rc = pq_tr_list(&c->tr, &et, n)) < 0)
		return rc;
	if (et != want && !(want == PQ_TT_I32 && (et == PQ_TT_I16 || et == PQ_TT_I64 || et == PQ_TT_I8))) {
		uint32_t i, cnt = *n;
		*n = 0;
		for (i = 0; i < cnt; i++) {
			int b;
			if ((rc = (et == 1 || et == 2) ? pq_tr_bool_elem(&c->tr, &b) : pq_tr_skip(&c->tr, et)) < 0)
				return rc;
		}
		return 1; /* skipped */
	}
	return 0;
}

#define FOR_FIELDS(c) \
	int16_t last_ = 0, id; int type; \
	HFDS_TRY(pq_tr_struct_begin(&(c)->tr)); \
	for (;;) { \
		HFDS_TRY(pq_tr_field(&(c)->tr, &last_, &id, &type)); \
		if (type == PQ_TT_STOP) break; \
		switch (id)

#define END_FIELDS }

#define SKIP default: HFDS_TRY(pq_tr_skip(&c->tr, type)); break

static int parse_stats(ctx *c, pq_stats *s)
{
	int rc = 0, b;
	s->is_max_exact = s->is_min_exact = -1;
	FOR_FIELDS(c) {
	case 1: HFDS_TRY(type == PQ_TT_BINARY ? read_bytes(c, &s->max) : pq_tr_skip(&c->tr, type)); break;
	case 2: HFDS_TRY(type == PQ_TT_BINARY ? read_bytes(c, &s->min) : pq_tr_skip(&c->tr, type)); break;
	case 3: HFDS_TRY(get_i64(c, type, &s->null_count, &s->has_null_count)); break;
	case 4: HFDS_TRY(get_i64(c, type, &s->distinct_count, &s->has_distinct_count)); break;
	case 5: HFDS_TRY(type == PQ_TT_BINARY ? read_bytes(c, &s->max_value) : pq_tr_skip(&c->tr, type)); break;
	case 6: HFDS_TRY(type == PQ_TT_BINARY ? read_bytes(c, &s->min_value) : pq_tr_skip(&c->tr, type)); break;
	case 7: b = -1; HFDS_TRY(get_bool(c, type, &b)); if (b >= 0) s->is_max_exact = (int8_t)b; break;
	case 8: b = -1; HFDS_TRY(get_bool(c, type, &b)); if (b >= 0) s->is_min_exact = (int8_t)b; break;
	case 9: HFDS_TRY(get_i64(c, type, &s->nan_count, &s->has_nan_count)); break;
	SKIP;
	} END_FIELDS
done:
	return rc;
}

static int parse_kv(ctx *c, pq_kv *kv)
{
	int rc = 0;
	FOR_FIELDS(c) {
	case 1: HFDS_TRY(type == PQ_TT_BINARY ? read_str(c, &kv->key) : pq_tr_skip(&c->tr, type)); break;
	case 2: HFDS_TRY(type == PQ_TT_BINARY ? read_bytes(c, &kv->value) : pq_tr_skip(&c->tr, type)); break;
	SKIP;
	} END_FIELDS
	if (!kv->key)
		kv->key = arena_alloc(c->m, 1, 1);
	if (!kv->key)
		rc = oom(c);
done:
	return rc;
}

static int parse_kv_list(ctx *c, int type, pq_kv **out, int *nout)
{
	uint32_t n, i;
	int rc = list_of(c, type, PQ_TT_STRUCT, &n);
	if (rc < 0 || n == 0)
		return rc < 0 ? rc : 0;
	if (!(*out = arena_alloc(c->m, n, sizeof **out)))
		return oom(c);
	for (i = 0; i < n; i++)
		if ((rc = parse_kv(c, &(*out)[i])) < 0)
			return rc;
	*nout = (int)n;
	return 0;
}

static int parse_time_unit(ctx *c, int *unit)
{
	int rc = 0;
	FOR_FIELDS(c) {
	case 1: case 2: case 3: *unit = id; HFDS_TRY(pq_tr_skip(&c->tr, type)); break;
	SKIP;
	} END_FIELDS
done:
	return rc;
}

static int parse_lt_member(ctx *c, pq_schema_elem *e, int member)
{
	int rc = 0;
	int32_t v = 0;
	FOR_FIELDS(c) {
	default:
		switch (member * 100 + id) {
		case PQ_LT_DECIMAL * 100 + 1: HFDS_TRY(get_i32(c, type, &e->lt_scale)); break;
		case PQ_LT_DECIMAL * 100 + 2: HFDS_TRY(get_i32(c, type, &e->lt_precision)); break;
		case PQ_LT_TIME * 100 + 1:
		case PQ_LT_TIMESTAMP * 100 + 1: HFDS_TRY(get_bool(c, type, &e->lt_utc)); break;
		case PQ_LT_TIME * 100 + 2:
		case PQ_LT_TIMESTAMP * 100 + 2:
			if (type == PQ_TT_STRUCT)
				HFDS_TRY(parse_time_unit(c, &e->lt_unit));
			else
				HFDS_TRY(pq_tr_skip(&c->tr, type));
			break;
		case PQ_LT_INTEGER * 100 + 1:
			v = 0;
			HFDS_TRY(get_i32(c, type, &v));
			e->lt_bits = v;
			break;
		case PQ_LT_INTEGER * 100 + 2: HFDS_TRY(get_bool(c, type, &e->lt_signed)); break;
		default: HFDS_TRY(pq_tr_skip(&c->tr, type)); break;
		}
	} END_FIELDS
done:
	return rc;
}

static int parse_logical(ctx *c, pq_schema_elem *e)
{
	int rc = 0;
	FOR_FIELDS(c) {
	default:
		if (type == PQ_TT_STRUCT && e->lt == 0) {
			e->lt = id;
			HFDS_TRY(parse_lt_member(c, e, id));
		} else {
			HFDS_TRY(pq_tr_skip(&c->tr, type));
		}
	} END_FIELDS
done:
	return rc;
}

static int parse_schema_elem(ctx *c, pq_schema_elem *e)
{
	int rc = 0;
	int32_t v = 0;
	e->type = e->repetition = e->converted_type = -1;
	e->num_children = -1;
	FOR_FIELDS(c) {
	case 1:
		v = -1;
		HFDS_TRY(get_i32(c, type, &v));
		if (v < 0 || v > PQ_FIXED_LEN_BYTE_ARRAY)
			HFDS_FAIL(HFDS_ECORRUPT, c->tr.err, "offset %llu: footer: schema: invalid physical type %d",
				  (unsigned long long)(c->tr.file_off + c->tr.pos), v);
		e->type = v;
		break;
	case 2: HFDS_TRY(get_i32(c, type, &e->type_length)); break;
	case 3:
		v = -1;
		HFDS_TRY(get_i32(c, type, &v));
		if (v < 0 || v > PQ_REPEATED)
			HFDS_FAIL(HFDS_ECORRUPT, c->tr.err, "offset %llu: footer: schema: invalid repetition type %d",
				  (unsigned long long)(c->tr.file_off + c->tr.pos), v);
		e->repetition = v;
		break;
	case 4: HFDS_TRY(type == PQ_TT_BINARY ? read_str(c, &e->name) : pq_tr_skip(&c->tr, type)); break;
	case 5: HFDS_TRY(get_i32(c, type, &e->num_children)); break;
	case 6: v = -1; HFDS_TRY(get_i32(c, type, &v)); e->converted_type = v; break;
	case 7: HFDS_TRY(get_i32(c, type, &e->scale)); break;
	case 8: HFDS_TRY(get_i32(c, type, &e->precision)); break;
	case 9: HFDS_TRY(get_i32(c, type, &e->field_id)); e->has_field_id = 1; break;
	case 10:
		if (type == PQ_TT_STRUCT)
			HFDS_TRY(parse_logical(c, e));
		else
			HFDS_TRY(pq_tr_skip(&c->tr, type));
		break;
	SKIP;
	} END_FIELDS
	if (!e->name && !(e->name = arena_alloc(c->m, 1, 1)))
		rc = oom(c);
done:
	return rc;
}

static int parse_col_meta(ctx *c, pq_col_meta *md)
{
	int rc = 0;
	uint32_t n, i;
	int32_t v = 0;
	md->type = md->codec = -1;
	FOR_FIELDS(c) {
	case 1: v = -1; HFDS_TRY(get_i32(c, type, &v)); md->type = v; break;
	case 2:
		HFDS_TRY(list_of(c, type, PQ_TT_I32, &n));
		if (rc == 0 && n) {
			if (!(md->encodings = arena_alloc(c->m, n, sizeof(int))))
				HFDS_TRY(oom(c));
			for (i = 0; i < n; i++) {
				HFDS_TRY(pq_tr_i32(&c->tr, &v));
				md->encodings[i] = v;
			}
			md->nencodings = (int)n;
		}
		rc = 0;
		break;
	case 3:
		HFDS_TRY(list_of(c, type, PQ_TT_BINARY, &n));
		if (rc == 0 && n) {
			/* dotted path */
			size_t start = c->tr.pos, total = 0;
			const uint8_t *p;
			size_t len;
			for (i = 0; i < n; i++) {
				HFDS_TRY(pq_tr_binary(&c->tr, &p, &len));
				total += len + 1;
			}
			if (!(md->path = arena_alloc(c->m, total + 1, 1)))
				HFDS_TRY(oom(c));
			c->tr.pos = start;
			total = 0;
			for (i = 0; i < n; i++) {
				HFDS_TRY(pq_tr_binary(&c->tr, &p, &len));
				if (i)
					md->path[total++] = '.';
				memcpy(md->path + total, p, len);
				total += len;
			}
		}
		rc = 0;
		break;
	case 4: v = -1; HFDS_TRY(get_i32(c, type, &v)); md->codec = v; break;
	case 5: HFDS_TRY(get_i64(c, type, &md->num_values, NULL)); break;
	case 6: HFDS_TRY(get_i64(c, type, &md->total_uncompressed_size, NULL)); break;
	case 7: HFDS_TRY(get_i64(c, type, &md->total_compressed_size, NULL)); break;
	case 8: HFDS_TRY(parse_kv_list(c, type, &md->kv, &md->nkv)); break;
	case 9: HFDS_TRY(get_i64(c, type, &md->data_page_offset, NULL)); break;
	case 10: HFDS_TRY(get_i64(c, type, &md->index_page_offset, &md->has_index_page_offset)); break;
	case 11: HFDS_TRY(get_i64(c, type, &md->dictionary_page_offset, &md->has_dictionary_page_offset)); break;
	case 12:
		if (type == PQ_TT_STRUCT) {
			HFDS_TRY(parse_stats(c, &md->stats));
			md->has_stats = 1;
		} else {
			HFDS_TRY(pq_tr_skip(&c->tr, type));
		}
		break;
	case 13:
		HFDS_TRY(list_of(c, type, PQ_TT_STRUCT, &n));
		if (rc == 0 && n) {
			if (!(md->enc_stats = arena_alloc(c->m, n, sizeof *md->enc_stats)))
				HFDS_TRY(oom(c));
			for (i = 0; i < n; i++) {
				pq_enc_stats *es = &md->enc_stats[i];
				int16_t l2 = 0, id2;
				int t2;
				HFDS_TRY(pq_tr_struct_begin(&c->tr));
				for (;;) {
					HFDS_TRY(pq_tr_field(&c->tr, &l2, &id2, &t2));
					if (t2 == PQ_TT_STOP)
						break;
					if (id2 == 1) { v = 0; HFDS_TRY(get_i32(c, t2, &v)); es->page_type = v; }
					else if (id2 == 2) { v = 0; HFDS_TRY(get_i32(c, t2, &v)); es->encoding = v; }
					else if (id2 == 3) HFDS_TRY(get_i32(c, t2, &es->count));
					else HFDS_TRY(pq_tr_skip(&c->tr, t2));
				}
			}
			md->nenc_stats = (int)n;
		}
		rc = 0;
		break;
	case 14: HFDS_TRY(get_i64(c, type, &md->bloom_filter_offset, &md->has_bloom_offset)); break;
	case 15:
		if (type == PQ_TT_I32 || type == PQ_TT_I16 || type == PQ_TT_I8) {
			HFDS_TRY(get_i32(c, type, &md->bloom_filter_length));
			md->has_bloom_length = 1;
		} else {
			HFDS_TRY(pq_tr_skip(&c->tr, type));
		}
		break;
	SKIP;
	} END_FIELDS
done:
	return rc;
}

static int parse_chunk(ctx *c, pq_chunk *ch)
{
	int rc = 0;
	FOR_FIELDS(c) {
	case 1: HFDS_TRY(type == PQ_TT_BINARY ? read_str(c, &ch->file_path) : pq_tr_skip(&c->tr, type)); break;
	case 2: HFDS_TRY(get_i64(c, type, &ch->file_offset, NULL)); break;
	case 3:
		if (type == PQ_TT_STRUCT) {
			HFDS_TRY(parse_col_meta(c, &ch->meta));
			ch->has_meta = 1;
		} else {
			HFDS_TRY(pq_tr_skip(&c->tr, type));
		}
		break;
	case 4: HFDS_TRY(get_i64(c, type, &ch->offset_index_offset, &ch->has_offset_index)); break;
	case 5: HFDS_TRY(get_i32(c, type, &ch->offset_index_length)); break;
	case 6: HFDS_TRY(get_i64(c, type, &ch->column_index_offset, &ch->has_column_index)); break;
	case 7: HFDS_TRY(get_i32(c, type, &ch->column_index_length)); break;
	case 8: case 9: ch->encrypted = 1; HFDS_TRY(pq_tr_skip(&c->tr, type)); break;
	SKIP;
	} END_FIELDS
done:
	return rc;
}

static int parse_row_group(ctx *c, pq_row_group *rg)
{
	int rc = 0;
	uint32_t n, i;
	int32_t v = 0;
	rg->ordinal = -1;
	FOR_FIELDS(c) {
	case 1:
		HFDS_TRY(list_of(c, type, PQ_TT_STRUCT, &n));
		if (rc == 0 && n) {
			if (!(rg->columns = arena_alloc(c->m, n, sizeof *rg->columns)))
				HFDS_TRY(oom(c));
			for (i = 0; i < n; i++)
				HFDS_TRY(parse_chunk(c, &rg->columns[i]));
			rg->ncolumns = (int)n;
		}
		rc = 0;
		break;
	case 2: HFDS_TRY(get_i64(c, type, &rg->total_byte_size, NULL)); break;
	case 3: HFDS_TRY(get_i64(c, type, &rg->num_rows, NULL)); break;
	case 4:
		HFDS_TRY(list_of(c, type, PQ_TT_STRUCT, &n));
		if (rc == 0 && n) {
			if (!(rg->sorting = arena_alloc(c->m, n, sizeof *rg->sorting)))
				HFDS_TRY(oom(c));
			for (i = 0; i < n; i++) {
				pq_sorting_column *sc = &rg->sorting[i];
				int16_t l2 = 0, id2;
				int t2;
				HFDS_TRY(pq_tr_struct_begin(&c->tr));
				for (;;) {
					HFDS_TRY(pq_tr_field(&c->tr, &l2, &id2, &t2));
					if (t2 == PQ_TT_STOP)
						break;
					if (id2 == 1) HFDS_TRY(get_i32(c, t2, &sc->column_idx));
					else if (id2 == 2) HFDS_TRY(get_bool(c, t2, &sc->descending));
					else if (id2 == 3) HFDS_TRY(get_bool(c, t2, &sc->nulls_first));
					else HFDS_TRY(pq_tr_skip(&c->tr, t2));
				}
			}
			rg->nsorting = (int)n;
		}
		rc = 0;
		break;
	case 5: HFDS_TRY(get_i64(c, type, &rg->file_offset, NULL)); break;
	case 6: HFDS_TRY(get_i64(c, type, &rg->total_compressed_size, NULL)); break;
	case 7: v = -1; HFDS_TRY(get_i32(c, type, &v)); rg->ordinal = v; break;
	SKIP;
	} END_FIELDS
done:
	return rc;
}

static int parse_file_meta(ctx *c)
{
	pq_meta *m = c->m;
	int rc = 0;
	uint32_t n, i;
	int seen_schema = 0;
	FOR_FIELDS(c) {
	case 1: HFDS_TRY(get_i32(c, type, &m->version)); break;
	case 2:
		HFDS_TRY(list_of(c, type, PQ_TT_STRUCT, &n));
		if (rc == 0 && n) {
			if (!(m->schema = arena_alloc(m, n, sizeof *m->schema)))
				HFDS_TRY(oom(c));
			for (i = 0; i < n; i++)
				HFDS_TRY(parse_schema_elem(c, &m->schema[i]));
			m->nschema = (int)n;
			seen_schema = 1;
		}
		rc = 0;
		break;
	case 3: HFDS_TRY(get_i64(c, type, &m->num_rows, NULL)); break;
	case 4:
		HFDS_TRY(list_of(c, type, PQ_TT_STRUCT, &n));
		if (rc == 0 && n) {
			if (!(m->row_groups = arena_alloc(m, n, sizeof *m->row_groups)))
				HFDS_TRY(oom(c));
			for (i = 0; i < n; i++)
				HFDS_TRY(parse_row_group(c, &m->row_groups[i]));
			m->nrow_groups = (int)n;
		}
		rc = 0;
		break;
	case 5: HFDS_TRY(parse_kv_list(c, type, &m->kv, &m->nkv)); break;
	case 6: HFDS_TRY(type == PQ_TT_BINARY ? read_str(c, &m->created_by) : pq_tr_skip(&c->tr, type)); break;
	case 7:
		HFDS_TRY(list_of(c, type, PQ_TT_STRUCT, &n));
		if (rc == 0 && n) {
			if (!(m->column_orders = arena_alloc(m, n, sizeof(int))))
				HFDS_TRY(oom(c));
			for (i = 0; i < n; i++) {
				int16_t l2 = 0, id2;
				int t2;
				HFDS_TRY(pq_tr_struct_begin(&c->tr));
				for (;;) {
					HFDS_TRY(pq_tr_field(&c->tr, &l2, &id2, &t2));
					if (t2 == PQ_TT_STOP)
						break;
					m->column_orders[i] = id2;
					HFDS_TRY(pq_tr_skip(&c->tr, t2));
				}
			}
			m->ncolumn_orders = (int)n;
		}
		rc = 0;
		break;
	case 8: m->encrypted = 1; HFDS_TRY(pq_tr_skip(&c->tr, type)); break;
	SKIP;
	} END_FIELDS
	if (m->encrypted)
		HFDS_FAIL(HFDS_EUNSUPPORTED, c->tr.err, "encrypted Parquet is not supported");
	HFDS_FAIL_IF(!seen_schema, HFDS_ECORRUPT, c->tr.err, "offset %llu: footer: no schema",
		     (unsigned long long)c->tr.file_off);
done:
	return rc;
}

/* Builds the node tree depth-first; validates child counts and leaf count. */
static int build_tree(pq_meta *m, hfds_error *err)
{
	int rc = 0, i, *stack_node = NULL, *stack_left = NULL, sp = 0, nleaves = 0;
	m->nodes = arena_alloc(m, (size_t)m->nschema, sizeof *m->nodes);
	stack_node = hfds_calloc((size_t)m->nschema + 1, sizeof(int));
	stack_left = hfds_calloc((size_t)m->nschema + 1, sizeof(int));
	if (!m->nodes || !stack_node || !stack_left)
		HFDS_FAIL(HFDS_ENOMEM, err, "out of memory building the schema tree");
	for (i = 0; i < m->nschema; i++) {
		pq_node *nd = &m->nodes[i];
		const pq_schema_elem *e = &m->schema[i];
		int is_group = i == 0 || e->num_children > 0 || (e->type < 0 && e->num_children >= 0);
		nd->el = e;
		nd->leaf = -1;
		if (i > 0 && sp == 0)
			HFDS_FAIL(HFDS_ECORRUPT, err, "footer: schema: element %d (%s) is outside the root's children", i, e->name);
		if (i > 0) {
			pq_node *parent = &m->nodes[stack_node[sp - 1]];
			nd->parent = stack_node[sp - 1];
			parent->children[parent->nchildren++] = i;
			nd->def = parent->def;
			nd->rep = parent->rep;
			if (e->repetition == PQ_OPTIONAL)
				nd->def++;
			if (e->repetition == PQ_REPEATED) {
				nd->def++;
				nd->rep++;
			}
			if (--stack_left[sp - 1] == 0)
				sp--;
		} else {
			nd->parent = -1;
		}
		if (nd->def > 250 || nd->rep > 250 || sp > 250)
			HFDS_FAIL(HFDS_ELIMIT, err, "footer: schema: nesting too deep");
		if (is_group) {
			if (e->num_children <= 0) {
				if (i == 0 && m->nschema == 1)
					continue;
				HFDS_FAIL(HFDS_ECORRUPT, err, "footer: schema: group '%s' has no children", e->name);
			}
			if (e->num_children > m->nschema - i - 1)
				HFDS_FAIL(HFDS_ECORRUPT, err, "footer: schema: group '%s' claims %d children, only %d elements follow",
					  e->name, e->num_children, m->nschema - i - 1);
			if (!(nd->children = arena_alloc(m, (size_t)e->num_children, sizeof(int))))
				HFDS_FAIL(HFDS_ENOMEM, err, "out of memory building the schema tree");
			stack_node[sp] = i;
			stack_left[sp] = e->num_children;
			sp++;
		} else {
			if (e->type < 0)
				HFDS_FAIL(HFDS_ECORRUPT, err, "footer: schema: leaf '%s' has no physical type", e->name);
			if (e->type == PQ_FIXED_LEN_BYTE_ARRAY && (e->type_length <= 0 || e->type_length > (1 << 24)))
				HFDS_FAIL(HFDS_ECORRUPT, err, "footer: schema: leaf '%s' has invalid type_length %d", e->name, e->type_length);
			nd->leaf = nleaves++;
		}
	}
	if (sp != 0)
		HFDS_FAIL(HFDS_ECORRUPT, err, "footer: schema: truncated (group '%s' misses children)", m->schema[stack_node[sp - 1]].name);
	m->nleaves = nleaves;
	if (!(m->leaves = arena_alloc(m, (size_t)nleaves + 1, sizeof *m->leaves)))
		HFDS_FAIL(HFDS_ENOMEM, err, "out of memory building the schema tree");
	for (i = 0; i < m->nschema; i++) {
		pq_node *nd = &m->nodes[i];
		pq_leaf *lf;
		size_t len = 0;
		int j;
		if (nd->leaf < 0)
			continue;
		lf = &m->leaves[nd->leaf];
		lf->node = i;
		lf->max_def = nd->def;
		lf->max_rep = nd->rep;
		for (j = i; j > 0; j = m->nodes[j].parent) {
			len += strlen(m->schema[j].name) + 1;
		}
		if (!(lf->path = arena_alloc(m, len + 1, 1)))
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory building the schema tree");
		/* fill from the end */
		len--;
		lf->path[len] = 0;
		for (j = i; j > 0; j = m->nodes[j].parent) {
			size_t l = strlen(m->schema[j].name);
			len -= l;
			memcpy(lf->path + len, m->schema[j].name, l);
			if (len > 0)
				lf->path[--len] = '.';
		}
	}
done:
	hfds_free(stack_node);
	hfds_free(stack_left);
	return rc;
}

static int validate(pq_meta *m, hfds_error *err)
{
	int rc = 0, g, k;
	m->num_rows_sum = 0;
	for (g = 0; g < m->nrow_groups; g++) {
		pq_row_group *rg = &m->row_groups[g];
		if (rg->num_rows < 0)
			HFDS_FAIL(HFDS_ECORRUPT, err, "footer: row group %d: negative num_rows %lld", g, (long long)rg->num_rows);
		if (__builtin_add_overflow(m->num_rows_sum, rg->num_rows, &m->num_rows_sum))
			HFDS_FAIL(HFDS_ECORRUPT, err, "footer: row counts overflow");
		if (rg->ncolumns != m->nleaves)
			HFDS_FAIL(HFDS_ECORRUPT, err, "footer: row group %d has %d columns, the schema has %d leaves",
				  g, rg->ncolumns, m->nleaves);
		for (k = 0; k < rg->ncolumns; k++) {
			pq_chunk *ch = &rg->columns[k];
			pq_col_meta *md = &ch->meta;
			if (ch->encrypted)
				HFDS_FAIL(HFDS_EUNSUPPORTED, err, "encrypted Parquet is not supported");
			if (!ch->has_meta)
				HFDS_FAIL(HFDS_ECORRUPT, err, "footer: row group %d column %d: no column metadata", g, k);
			if (md->type != m->schema[m->leaves[k].node].type)
				HFDS_FAIL(HFDS_ECORRUPT, err, "footer: row group %d column %d: type %d differs from the schema's %d",
					  g, k, md->type, m->schema[m->leaves[k].node].type);
			if (md->total_compressed_size < 0 || md->data_page_offset < 0 || md->num_values < 0 ||
			    (md->has_dictionary_page_offset && md->dictionary_page_offset < 0))
				HFDS_FAIL(HFDS_ECORRUPT, err, "footer: row group %d column %d: negative size or offset", g, k);
		}
	}
done:
	return rc;
}

int pq_meta_parse(pq_meta **out, const void *bytes, size_t len, uint64_t file_off, hfds_error *err)
{
	int rc = 0;
	ctx c;
	pq_meta *m = hfds_calloc(1, sizeof *m);
	*out = NULL;
	if (!m || !(m->footer = hfds_malloc(len ? len : 1)))
		HFDS_FAIL(HFDS_ENOMEM, err, "out of memory reading the footer");
	memcpy(m->footer, bytes, len);
	m->footer_len = len;
	c.m = m;
	pq_tr_init(&c.tr, m->footer, len, file_off, "footer", err);
	HFDS_TRY(parse_file_meta(&c));
	HFDS_TRY(build_tree(m, err));
	HFDS_TRY(validate(m, err));
	*out = m;
	m = NULL;
done:
	pq_meta_free(m);
	return rc;
}

void pq_meta_free(pq_meta *m)
{
	struct pq_arena_block *b, *next;
	if (!m)
		return;
	for (b = m->arena; b; b = next) {
		next = b->next;
		hfds_free(b);
	}
	hfds_free(m->footer);
	hfds_free(m);
}

const pq_kv *pq_meta_kv(const pq_meta *m, const char *key)
{
	int i;
	for (i = 0; i < m->nkv; i++)
		if (!strcmp(m->kv[i].key, key))
			return &m->kv[i];
	return NULL;
}

static int parse_data_hdr(pq_tr *tr, pq_page_header *h)
{
	int rc = 0, t;
	int16_t last = 0, id;
	int64_t v;
	int got;
	HFDS_TRY(pq_tr_struct_begin(tr));
	for (;;) {
		HFDS_TRY(pq_tr_field(tr, &last, &id, &t));
		if (t == PQ_TT_STOP)
			break;
		if (id >= 1 && id <= 6 && (t == PQ_TT_I32 || t == PQ_TT_I16 || t == PQ_TT_I64 || t == PQ_TT_I8)) {
			HFDS_TRY(pq_tr_int_field(tr, t, &v, &got));
			if (v < INT32_MIN || v > INT32_MAX)
				return pq_tr_fail(tr, "page header field %d out of range", id);
			if (h->has_data_v2) {
				switch (id) {
				case 1: h->num_values = (int32_t)v; break;
				case 2: h->num_nulls = (int32_t)v; break;
				case 3: h->num_rows = (int32_t)v; break;
				case 4: h->encoding = (int)v; break;
				case 5: h->def_len = (int32_t)v; break;
				case 6: h->rep_len = (int32_t)v; break;
				}
			} else if (h->has_dict) {
				if (id == 1) h->num_values = (int32_t)v;
				if (id == 2) h->encoding = (int)v;
			} else {
				switch (id) {
				case 1: h->num_values = (int32_t)v; break;
				case 2: h->encoding = (int)v; break;
				case 3: h->def_encoding = (int)v; break;
				case 4: h->rep_encoding = (int)v; break;
				}
			}
		} else if (h->has_data_v2 && id == 7 && (t == PQ_TT_BOOL_TRUE || t == PQ_TT_BOOL_FALSE)) {
			h->is_compressed = t == PQ_TT_BOOL_TRUE;
		} else {
			HFDS_TRY(pq_tr_skip(tr, t));
		}
	}
done:
	return rc;
}

int pq_page_header_parse(pq_page_header *h, size_t *hdr_len, const uint8_t *data, size_t avail,
			 uint64_t file_off, hfds_error *err)
{
	pq_tr tr;
	int rc = 0, t, got;
	int16_t last = 0, id;
	int64_t v;
	uint8_t seen = 0;
	memset(h, 0, sizeof *h);
	h->type = -1;
	h->is_compressed = 1;
	pq_tr_init(&tr, data, avail, file_off, "page header", err);
	HFDS_TRY(pq_tr_struct_begin(&tr));
	for (;;) {
		HFDS_TRY(pq_tr_field(&tr, &last, &id, &t));
		if (t == PQ_TT_STOP)
			break;
		if (id >= 1 && id <= 4 && t >= PQ_TT_I8 && t <= PQ_TT_I64) {
			HFDS_TRY(pq_tr_int_field(&tr, t, &v, &got));
			if (v < INT32_MIN || v > INT32_MAX)
				HFDS_TRY(pq_tr_fail(&tr, "field %d out of range", id));
			if (id == 1) h->type = (int)v;
			if (id == 2) { h->uncompressed_size = (int32_t)v; seen |= 1; }
			if (id == 3) { h->compressed_size = (int32_t)v; seen |= 2; }
			if (id == 4) { h->crc = (int32_t)v; h->has_crc = 1; }
		} else if (t == PQ_TT_STRUCT && (id == 5 || id == 7 || id == 8)) {
			if (h->has_data || h->has_dict || h->has_data_v2) {
				HFDS_TRY(pq_tr_skip(&tr, t));
				continue;
			}
			h->has_data = id == 5;
			h->has_dict = id == 7;
			h->has_data_v2 = id == 8;
			HFDS_TRY(parse_data_hdr(&tr, h));
		} else {
			HFDS_TRY(pq_tr_skip(&tr, t));
		}
	}
	if (h->type < PQ_PAGE_DATA || h->type > PQ_PAGE_DATA_V2)
		HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: page header: invalid page type %d", (unsigned long long)file_off, h->type);
	if (seen != 3)
		HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: page header: missing page sizes", (unsigned long long)file_off);
	if (h->compressed_size < 0 || h->uncompressed_size < 0)
		HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: page header: negative page size (%d compressed, %d uncompressed)",
			  (unsigned long long)file_off, h->compressed_size, h->uncompressed_size);
	if (h->num_values < 0 || h->num_nulls < 0 || h->num_rows < 0 || h->def_len < 0 || h->rep_len < 0)
		HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: page header: negative count (num_values %d)",
			  (unsigned long long)file_off, h->num_values);
	if ((h->type == PQ_PAGE_DATA && !h->has_data) || (h->type == PQ_PAGE_DATA_V2 && !h->has_data_v2) ||
	    (h->type == PQ_PAGE_DICTIONARY && !h->has_dict))
		HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: page header: %s page without its header struct",
			  (unsigned long long)file_off, pq_page_type_name(h->type));
	*hdr_len = tr.pos;
done:
	return rc;
}

/* Page index ------------------------------------------------------------------------ */

int pq_offset_index_parse(pq_offset_index *oi, const uint8_t *data, size_t len, uint64_t file_off,
			  hfds_error *err)
{
	pq_tr tr;
	int rc = 0, t, et, got;
	int16_t last = 0, id;
	uint32_t n, i;
	memset(oi, 0, sizeof *oi);
	pq_tr_init(&tr, data, len, file_off, "offset index", err);
	HFDS_TRY(pq_tr_struct_begin(&tr));
	for (;;) {
		HFDS_TRY(pq_tr_field(&tr, &last, &id, &t));
		if (t == PQ_TT_STOP)
			break;
		if (id == 1 && t == PQ_TT_LIST && !oi->pages) {
			HFDS_TRY(pq_tr_list(&tr, &et, &n));
			if (et != PQ_TT_STRUCT)
				HFDS_TRY(pq_tr_fail(&tr, "page_locations is not a list of structs"));
			if (!(oi->pages = hfds_calloc(n ? n : 1, sizeof *oi->pages)))
				HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
			for (i = 0; i < n; i++) {
				int16_t l2 = 0, id2;
				int t2;
				int64_t v;
				HFDS_TRY(pq_tr_struct_begin(&tr));
				for (;;) {
					HFDS_TRY(pq_tr_field(&tr, &l2, &id2, &t2));
					if (t2 == PQ_TT_STOP)
						break;
					HFDS_TRY(pq_tr_int_field(&tr, t2, &v, &got));
					if (!got)
						continue;
					if (id2 == 1) oi->pages[i].offset = v;
					if (id2 == 2) oi->pages[i].compressed_page_size = (int32_t)v;
					if (id2 == 3) oi->pages[i].first_row_index = v;
				}
			}
			oi->npages = (int)n;
		} else {
			HFDS_TRY(pq_tr_skip(&tr, t));
		}
	}
done:
	if (rc < 0)
		pq_offset_index_free(oi);
	return rc;
}

void pq_offset_index_free(pq_offset_index *oi)
{
	hfds_free(oi->pages);
	oi->pages = NULL;
	oi->npages = 0;
}

int pq_column_index_parse(pq_column_index *ci, const uint8_t *data, size_t len, uint64_t file_off,
			  hfds_error *err)
{
	pq_tr tr;
	int rc = 0, t, et, got;
	int16_t last = 0, id;
	uint32_t n, i;
	int64_t v;
	memset(ci, 0, sizeof *ci);
	ci->npages = -1;
	pq_tr_init(&tr, data, len, file_off, "column index", err);
	HFDS_TRY(pq_tr_struct_begin(&tr));
	for (;;) {
		HFDS_TRY(pq_tr_field(&tr, &last, &id, &t));
		if (t == PQ_TT_STOP)
			break;
		if (t == PQ_TT_LIST && id >= 1 && id <= 3) {
			HFDS_TRY(pq_tr_list(&tr, &et, &n));
			if (ci->npages >= 0 && (int)n != ci->npages)
				HFDS_TRY(pq_tr_fail(&tr, "column index lists differ in length"));
			if (ci->npages < 0) {
				ci->npages = (int)n;
				ci->null_pages = hfds_calloc(n + 1, 1);
				ci->min_values = hfds_calloc(n + 1, sizeof(pq_bytes));
				ci->max_values = hfds_calloc(n + 1, sizeof(pq_bytes));
				if (!ci->null_pages || !ci->min_values || !ci->max_values)
					HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
			}
			for (i = 0; i < n; i++) {
				if (id == 1) {
					int b = 0;
					if (et == 1 || et == 2)
						HFDS_TRY(pq_tr_bool_elem(&tr, &b));
					else
						HFDS_TRY(pq_tr_skip(&tr, et));
					ci->null_pages[i] = (uint8_t)b;
				} else if (et == PQ_TT_BINARY) {
					pq_bytes *b = id == 2 ? &ci->min_values[i] : &ci->max_values[i];
					HFDS_TRY(pq_tr_binary(&tr, &b->p, &b->n));
					b->set = 1;
				} else {
					HFDS_TRY(pq_tr_skip(&tr, et));
				}
			}
		} else if (id == 4) {
			HFDS_TRY(pq_tr_int_field(&tr, t, &v, &got));
			ci->boundary_order = (int)v;
		} else if (id == 5 && t == PQ_TT_LIST && ci->npages >= 0 && !ci->null_counts) {
			HFDS_TRY(pq_tr_list(&tr, &et, &n));
			if ((int)n != ci->npages)
				HFDS_TRY(pq_tr_fail(&tr, "null_counts length differs"));
			if (!(ci->null_counts = hfds_calloc(n + 1, sizeof(int64_t))))
				HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
			for (i = 0; i < n; i++) {
				HFDS_TRY(pq_tr_int_field(&tr, et, &v, &got));
				ci->null_counts[i] = v;
			}
		} else {
			HFDS_TRY(pq_tr_skip(&tr, t));
		}
	}
	if (ci->npages < 0)
		ci->npages = 0;
done:
	if (rc < 0)
		pq_column_index_free(ci);
	return rc;
}

void pq_column_index_free(pq_column_index *ci)
{
	hfds_free(ci->null_pages);
	hfds_free(ci->min_values);
	hfds_free(ci->max_values);
	hfds_free(ci->null_counts);
	memset(ci, 0, sizeof *ci);
}

/* Names ------------------------------------------------------------------------------ */

#define NAME(arr, i) ((i) >= 0 && (size_t)(i) < sizeof(arr) / sizeof(arr[0]) && arr[i] ? arr[i] : "?")

const char *pq_type_name(int t)
{
	static const char *n[] = {"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY",
				  "FIXED_LEN_BYTE_ARRAY"};
	return NAME(n, t);
}

const char *pq_codec_name(int c)
{
	static const char *n[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
	return NAME(n, c);
}

const char *pq_encoding_name(int e)
{
	static const char *n[] = {"PLAIN", NULL, "PLAIN_DICTIONARY", "RLE", "BIT_PACKED", "DELTA_BINARY_PACKED",
				  "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};
	return NAME(n, e);
}

const char *pq_repetition_name(int r)
{
	static const char *n[] = {"REQUIRED", "OPTIONAL", "REPEATED"};
	return NAME(n, r);
}

const char *pq_converted_name(int c)
{
	static const char *n[] = {"UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE",
				  "TIME_MILLIS", "TIME_MICROS", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "UINT_8",
				  "UINT_16", "UINT_32", "UINT_64", "INT_8", "INT_16", "INT_32", "INT_64", "JSON",
				  "BSON", "INTERVAL"};
	return NAME(n, c);
}

const char *pq_page_type_name(int t)
{
	static const char *n[] = {"DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE", "DATA_PAGE_V2"};
	return NAME(n, t);
}
