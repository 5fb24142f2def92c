/*
 * Arrow -> Parquet schema mapping. Types follow pyarrow >= 13 defaults so HF datasets sees
 * the same physical schema as from Python: every node optional unless the Arrow field is
 * non-nullable, 3-level lists named list/element, maps as key_value groups with a required
 * key, decimals as big-endian FLBA of the precision's width, both logical and converted types.
 */
#include <stdlib.h>
#include <string.h>

#include "parquet/write/pq_schema_w.h"
#include "hfds/parquet.h"
#include "parquet/write/decimal_w.h"
#include "parquet/format/pq_format.h"
#include "parquet/write/enc.h"
#include "util/alloc.h"
#include "util/try.h"

#define MAX_DEPTH 64

typedef struct builder {
	pqw_schema *s;
	int cap_nodes, cap_leaves;
	pqw_step steps[MAX_DEPTH];
	const char *path[MAX_DEPTH * 2];
	int npath;
	int top;
	const char *top_name;
	int force_required;  /* the next field is required whatever its flags say (map keys) */
} builder;

static int add_node(builder *b, int *index, hfds_error *err)
{
	if (b->s->nnodes == b->cap_nodes) {
		int cap = b->cap_nodes ? b->cap_nodes * 2 : 16;
		pqw_node *n = hfds_reallocarray(b->s->nodes, (size_t)cap, sizeof(*n));
		if (!n)
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		b->s->nodes = n;
		b->cap_nodes = cap;
	}
	*index = b->s->nnodes++;
	pqw_node *n = &b->s->nodes[*index];
	memset(n, 0, sizeof(*n));
	n->ptype = -1;
	n->converted = -1;
	return 0;
}

static int set_name(builder *b, int index, const char *name, hfds_error *err)
{
	b->s->nodes[index].name = hfds_strdup(name ? name : "");
	return b->s->nodes[index].name ? 0 : hfds_error_set(err, HFDS_ENOMEM, "out of memory");
}

/* Parses the digits after a "w:" / "+w:" prefix. */
static int parse_width(const char *p, int64_t *out)
{
	char *end;
	long long v = strtoll(p, &end, 10);
	if (end == p || *end || v < 0 || v > INT32_MAX)
		return -1;
	*out = v;
	return 0;
}

/* Fills the leaf's physical/logical description from an Arrow primitive format. */
static int leaf_type(pqw_node *n, pqw_leaf *l, const char *f)
{
	l->is_string = 0;
	l->is_binary = 0;
	l->conv = PQV_COPY;
	switch (f[0] && !f[1] ? f[0] : 0) {
	case 'n': /* datasets Value('null'): INT32 + UNKNOWN, always optional */
		n->ptype = PQ_INT32; n->logical = PQ_LT_UNKNOWN; n->repetition = PQ_OPTIONAL;
		l->conv = PQV_NULL; l->src = PQ_SRC_I32; l->sort = PQS_NONE; l->value_width = 4;
		return 0;
	case 'b': n->ptype = PQ_BOOLEAN; l->conv = PQV_BOOL; l->src = PQ_SRC_BOOL; l->sort = PQS_BOOL; return 0;
	case 'c': case 'C': case 's': case 'S': {
		int bits = (f[0] == 'c' || f[0] == 'C') ? 8 : 16, sign = (f[0] == 'c' || f[0] == 's');
		n->ptype = PQ_INT32;
		n->logical = PQ_LT_INTEGER;
		n->lt_bits = bits;
		n->lt_signed = sign;
		n->converted = sign ? (bits == 8 ? PQ_CT_INT_8 : PQ_CT_INT_16) : (bits == 8 ? PQ_CT_UINT_8 : PQ_CT_UINT_16);
		l->conv = PQV_COPY;
		l->src = f[0] == 'c' ? PQ_SRC_I8 : f[0] == 'C' ? PQ_SRC_U8 : f[0] == 's' ? PQ_SRC_I16 : PQ_SRC_U16;
		l->sort = sign ? PQS_I32 : PQS_U32;
		l->value_width = bits / 8;
		return 0;
	}
	case 'i': n->ptype = PQ_INT32; l->src = PQ_SRC_I32; l->sort = PQS_I32; l->value_width = 4; return 0;
	case 'I':
		n->ptype = PQ_INT32; n->logical = PQ_LT_INTEGER; n->lt_bits = 32; n->lt_signed = 0;
		n->converted = PQ_CT_UINT_32; l->src = PQ_SRC_U32; l->sort = PQS_U32; l->value_width = 4;
		return 0;
	case 'l': n->ptype = PQ_INT64; l->src = PQ_SRC_I64; l->sort = PQS_I64; l->value_width = 8; return 0;
	case 'L':
		n->ptype = PQ_INT64; n->logical = PQ_LT_INTEGER; n->lt_bits = 64; n->lt_signed = 0;
		n->converted = PQ_CT_UINT_64; l->src = PQ_SRC_U64; l->sort = PQS_U64; l->value_width = 8;
		return 0;
	case 'e':
		n->ptype = PQ_FIXED_LEN_BYTE_ARRAY; n->type_length = 2; n->logical = PQ_LT_FLOAT16;
		l->src = PQ_SRC_F16; l->sort = PQS_F16; l->value_width = 2;
		return 0;
	case 'f': n->ptype = PQ_FLOAT; l->src = PQ_SRC_F32; l->sort = PQS_FLOAT; l->value_width = 4; return 0;
	case 'g': n->ptype = PQ_DOUBLE; l->src = PQ_SRC_F64; l->sort = PQS_DOUBLE; l->value_width = 8; return 0;
	case 'z': case 'Z':
		n->ptype = PQ_BYTE_ARRAY; l->conv = f[0] == 'z' ? PQV_BIN32 : PQV_BIN64; l->sort = PQS_BYTES;
		l->src = PQ_SRC_BIN64; l->is_binary = 1;
		return 0;
	case 'u': case 'U':
		n->ptype = PQ_BYTE_ARRAY; n->logical = PQ_LT_STRING; n->converted = PQ_CT_UTF8;
		l->conv = f[0] == 'u' ? PQV_BIN32 : PQV_BIN64; l->sort = PQS_BYTES; l->is_string = 1;
		l->src = PQ_SRC_BIN64;
		return 0;
	default:
		break;
	}
	if (f[0] == 'w' && f[1] == ':') {
		int64_t w;
		if (parse_width(f + 2, &w) < 0 || w < 1)
			return -1;
		n->ptype = PQ_FIXED_LEN_BYTE_ARRAY; n->type_length = (int)w;
		l->src = PQ_SRC_FLBA; l->sort = PQS_BYTES; l->value_width = (int)w; l->is_binary = 1;
		return 0;
	}
	if (f[0] == 'd' && f[1] == ':') {
		int prec, scale, aw;
		if (pqw_decimal_parse(f, &prec, &scale, &aw) < 0 || scale < 0 || scale > prec)
			return -1;
		n->ptype = PQ_FIXED_LEN_BYTE_ARRAY; n->type_length = pqw_decimal_flba_width(prec);
		n->logical = PQ_LT_DECIMAL; n->converted = PQ_CT_DECIMAL; n->precision = prec; n->scale = scale;
		l->conv = PQV_DEC; l->src = PQ_SRC_FLBA; l->sort = PQS_DEC; l->value_width = n->type_length;
		l->arrow_width = aw;
		return 0;
	}
	if (!strcmp(f, "tdD")) {
		n->ptype = PQ_INT32; n->logical = PQ_LT_DATE; n->converted = PQ_CT_DATE;
		l->src = PQ_SRC_I32; l->sort = PQS_I32; l->value_width = 4;
		return 0;
	}
	if (f[0] == 't' && f[1] == 's' && f[2] && f[3] == ':') {
		int utc = f[4] != 0;
		n->ptype = PQ_INT64; n->logical = PQ_LT_TIMESTAMP; n->lt_utc = utc;
		l->sort = PQS_I64; l->value_width = 8; l->src = PQ_SRC_I64;
		switch (f[2]) {
		case 's': /* seconds are stored as milliseconds */
			l->conv = PQV_TS_S;
			n->lt_unit = PQ_UNIT_MILLIS; n->converted = utc ? PQ_CT_TIMESTAMP_MILLIS : -1; return 0;
		case 'm': n->lt_unit = PQ_UNIT_MILLIS; n->converted = utc ? PQ_CT_TIMESTAMP_MILLIS : -1; return 0;
		case 'u': n->lt_unit = PQ_UNIT_MICROS; n->converted = utc ? PQ_CT_TIMESTAMP_MICROS : -1; return 0;
		case 'n': n->lt_unit = PQ_UNIT_NANOS; return 0;
		default: return -1;
		}
	}
	return -1;
}

static int add_leaf(builder *b, pqw_leaf *tmpl, int nsteps, hfds_error *err)
{
	int rc = 0;
	pqw_schema *s = b->s;
	if (s->nleaves >= HFDS_PQ_MAX_COLUMNS)
		return hfds_error_set(err, HFDS_ELIMIT, "schema: more than %d leaf columns (at '%s')",
				      HFDS_PQ_MAX_COLUMNS, b->top_name);
	if (s->nleaves == b->cap_leaves) {
		int cap = b->cap_leaves ? b->cap_leaves * 2 : 8;
		pqw_leaf *l = hfds_reallocarray(s->leaves, (size_t)cap, sizeof(*l));
		if (!l)
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		s->leaves = l;
		b->cap_leaves = cap;
	}
	pqw_leaf *l = &s->leaves[s->nleaves++];
	*l = *tmpl;
	l->steps = NULL;
	l->path = NULL;
	l->path_parts = NULL;
	l->top_name = NULL;
	l->top = b->top;
	l->nsteps = nsteps;
	l->npath = b->npath;
	l->steps = hfds_calloc((size_t)nsteps, sizeof(pqw_step));
	l->path_parts = hfds_calloc((size_t)b->npath, sizeof(char *));
	l->top_name = hfds_strdup(b->top_name);
	size_t plen = 1;
	for (int i = 0; i < b->npath; i++)
		plen += strlen(b->path[i]) + 1;
	l->path = hfds_malloc(plen);
	HFDS_FAIL_IF(!l->steps || !l->path_parts || !l->path || !l->top_name, HFDS_ENOMEM, err, "out of memory");
	memcpy(l->steps, b->steps, (size_t)nsteps * sizeof(pqw_step));
	l->path[0] = 0;
	for (int i = 0; i < b->npath; i++) {
		if (i)
			strcat(l->path, ".");
		strcat(l->path, b->path[i]);
		l->path_parts[i] = hfds_strdup(b->path[i]);
		HFDS_FAIL_IF(!l->path_parts[i], HFDS_ENOMEM, err, "out of memory");
	}
done:
	return rc;
}

/* Adds the Parquet subtree for one Arrow field. `name` overrides the field name (list elements). */
static int build_field(builder *b, const struct ArrowSchema *f, const char *name, int depth, int def,
	int rep, hfds_error *err)
{
	int rc = 0, idx;
	const char *fmt = f->format ? f->format : "";
	int nullable = (f->flags & ARROW_FLAG_NULLABLE) != 0 && !b->force_required;
	b->force_required = 0;
	HFDS_FAIL_IF(depth >= MAX_DEPTH - 1, HFDS_EINVAL, err, "column '%s': nesting deeper than %d levels",
		b->top_name, MAX_DEPTH - 2);
	HFDS_FAIL_IF(f->dictionary, HFDS_EINVAL, err, "column '%s': dictionary-encoded arrays are not supported",
		b->top_name);
	HFDS_TRY(add_node(b, &idx, err));
	HFDS_TRY(set_name(b, idx, name, err));
	b->s->nodes[idx].repetition = nullable ? PQ_OPTIONAL : PQ_REQUIRED;
	b->path[b->npath++] = b->s->nodes[idx].name;
	pqw_step *st = &b->steps[depth];
	memset(st, 0, sizeof(*st));
	st->nullable = nullable;
	st->def = def;
	int d = def + nullable;

	if (!strcmp(fmt, "+s")) {
		HFDS_FAIL_IF(f->n_children < 1, HFDS_EINVAL, err, "column '%s': struct '%s' has no fields",
			b->top_name, f->name ? f->name : "");
		st->kind = PQW_STRUCT;
		b->s->nodes[idx].num_children = (int)f->n_children;
		for (int64_t i = 0; i < f->n_children; i++) {
			b->steps[depth].child = (int)i;
			HFDS_TRY(build_field(b, f->children[i], f->children[i]->name, depth + 1, d, rep, err));
		}
	} else if (!strcmp(fmt, "+l") || !strcmp(fmt, "+L") || !strncmp(fmt, "+w:", 3)) {
		HFDS_FAIL_IF(f->n_children != 1, HFDS_EINVAL, err, "column '%s': list '%s' needs one child",
			b->top_name, f->name ? f->name : "");
		if (fmt[1] == 'w') {
			st->kind = PQW_FIXED_LIST;
			HFDS_FAIL_IF(parse_width(fmt + 3, &st->fixed_size) < 0, HFDS_EINVAL, err,
				"column '%s': bad fixed_size_list format '%s'", b->top_name, fmt);
		} else {
			st->kind = fmt[1] == 'l' ? PQW_LIST : PQW_LARGE_LIST;
		}
		st->rep = rep + 1;
		pqw_node *n = &b->s->nodes[idx];
		n->num_children = 1;
		n->logical = PQ_LT_LIST;
		n->converted = PQ_CT_LIST;
		int mid;
		HFDS_TRY(add_node(b, &mid, err));
		HFDS_TRY(set_name(b, mid, "list", err));
		b->s->nodes[mid].repetition = PQ_REPEATED;
		b->s->nodes[mid].num_children = 1;
		b->path[b->npath++] = b->s->nodes[mid].name;
		HFDS_TRY(build_field(b, f->children[0], "element", depth + 1, d + 1, rep + 1, err));
		b->npath--;
	} else if (!strcmp(fmt, "+m")) {
		/* a list of non-nullable key/value structs: the repeated key_value group is both the
		 * list level and the struct, so the struct adds a step but no node and no level */
		const struct ArrowSchema *ent = f->n_children == 1 ? f->children[0] : NULL;
		HFDS_FAIL_IF(!ent || !ent->format || strcmp(ent->format, "+s") != 0 || ent->n_children != 2,
			HFDS_EINVAL, err, "column '%s': map '%s' needs one struct child with a key and a value",
			b->top_name, f->name ? f->name : "");
		st->kind = PQW_LIST;
		st->rep = rep + 1;
		pqw_node *n = &b->s->nodes[idx];
		n->num_children = 1;
		n->logical = PQ_LT_MAP;
		n->converted = PQ_CT_MAP;
		int mid;
		HFDS_TRY(add_node(b, &mid, err));
		HFDS_TRY(set_name(b, mid, "key_value", err));
		b->s->nodes[mid].repetition = PQ_REPEATED;
		b->s->nodes[mid].num_children = 2;
		b->path[b->npath++] = b->s->nodes[mid].name;
		pqw_step *es = &b->steps[depth + 1];
		memset(es, 0, sizeof(*es));
		es->kind = PQW_STRUCT;
		es->def = d + 1;
		for (int i = 0; i < 2; i++) {
			b->steps[depth + 1].child = i;
			b->force_required = i == 0;
			HFDS_TRY(build_field(b, ent->children[i], i == 0 ? "key" : "value", depth + 2, d + 1, rep + 1, err));
		}
		b->npath--;
	} else {
		pqw_leaf tmpl;
		memset(&tmpl, 0, sizeof(tmpl));
		pqw_node *n = &b->s->nodes[idx];
		HFDS_FAIL_IF(leaf_type(n, &tmpl, fmt) < 0, HFDS_EINVAL, err,
			"column '%s': unsupported arrow type '%s'", b->top_name, fmt);
		st->kind = PQW_LEAF;
		st->fixed_size = tmpl.value_width;
		if (tmpl.conv == PQV_NULL && !nullable) { /* a null column cannot be required */
			st->nullable = 1;
			d = def + 1;
		}
		tmpl.ptype = n->ptype;
		tmpl.type_length = n->type_length;
		tmpl.max_def = d;
		tmpl.max_rep = rep;
		HFDS_TRY(add_leaf(b, &tmpl, depth + 1, err));
	}
	b->npath--;
done:
	return rc;
}

int pqw_schema_build(pqw_schema **out, const struct ArrowSchema *schema, hfds_error *err)
{
	int rc = 0, root;
	builder b;
	memset(&b, 0, sizeof(b));
	*out = NULL;
	HFDS_ASSERT_ARG(schema && schema->format, err);
	HFDS_FAIL_IF(strcmp(schema->format, "+s") != 0, HFDS_EINVAL, err,
		"schema: expected a struct ('+s'), found '%s'", schema->format);
	HFDS_FAIL_IF(schema->n_children < 1, HFDS_EINVAL, err, "schema: no columns");
	HFDS_FAIL_IF(schema->n_children > HFDS_PQ_MAX_COLUMNS, HFDS_ELIMIT, err,
		"schema: %lld columns, more than the %d leaf columns a file may have",
		(long long)schema->n_children, HFDS_PQ_MAX_COLUMNS);
	b.s = hfds_calloc(1, sizeof(pqw_schema));
	HFDS_FAIL_IF(!b.s, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(add_node(&b, &root, err));
	HFDS_TRY(set_name(&b, root, "schema", err));
	b.s->nodes[root].num_children = (int)schema->n_children;
	b.s->ncolumns = (int)schema->n_children;
	for (int64_t i = 0; i < schema->n_children; i++) {
		const struct ArrowSchema *c = schema->children[i];
		b.top = (int)i;
		b.top_name = c->name ? c->name : "";
		HFDS_FAIL_IF(!c->name || !c->name[0], HFDS_EINVAL, err, "schema: column %lld has no name", (long long)i);
		b.npath = 0;
		HFDS_TRY(build_field(&b, c, c->name, 0, 0, 0, err));
	}
	*out = b.s;
	b.s = NULL;
done:
	pqw_schema_free(b.s);
	return rc;
}

void pqw_schema_free(pqw_schema *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nnodes; i++)
		hfds_free(s->nodes[i].name);
	for (int i = 0; i < s->nleaves; i++) {
		pqw_leaf *l = &s->leaves[i];
		hfds_free(l->steps);
		if (l->path_parts)
			for (int j = 0; j < l->npath; j++)
				hfds_free(l->path_parts[j]);
		hfds_free(l->path_parts);
		hfds_free(l->path);
		hfds_free(l->top_name);
	}
	hfds_free(s->nodes);
	hfds_free(s->leaves);
	hfds_free(s);
}
