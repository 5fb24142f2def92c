/*
 * Label tables as cells. Parquet is read with our reader, CSV and JSON Lines with the ingest
 * readers, into Arrow batches, and the few scalar types label tables use are copied out;
 * anything else is refused by name, so a nested column is a clear error rather than a
 * silent drop.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hfds/arrow.h"
#include "hfds/ingest.h"
#include "hfds/parquet_reader.h"
#include "recipe/recipe_table.h"
#include "util/alloc.h"
#include "util/try.h"

static int bit(const void *bits, int64_t i)
{
	return bits ? (((const uint8_t *)bits)[i >> 3] >> (i & 7)) & 1 : 1;
}

static int col_type(const char *fmt, char *type, hfds_dtype *dtype)
{
	static const struct { const char *f; char t; hfds_dtype d; } map[] = {
		{"l", 'i', HFDS_DTYPE_INT64}, {"i", 'i', HFDS_DTYPE_INT32}, {"s", 'i', HFDS_DTYPE_INT16},
		{"c", 'i', HFDS_DTYPE_INT8}, {"L", 'i', HFDS_DTYPE_UINT64}, {"I", 'i', HFDS_DTYPE_UINT32},
		{"S", 'i', HFDS_DTYPE_UINT16}, {"C", 'i', HFDS_DTYPE_UINT8}, {"g", 'd', HFDS_DTYPE_FLOAT64},
		{"f", 'd', HFDS_DTYPE_FLOAT32}, {"u", 's', HFDS_DTYPE_STRING}, {"U", 's', HFDS_DTYPE_STRING},
		{"b", 'b', HFDS_DTYPE_BOOL}, {"n", 's', HFDS_DTYPE_STRING},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(fmt, map[i].f)) {
			*type = map[i].t;
			*dtype = map[i].d;
			return 0;
		}
	return -1;
}

static int read_cell(const struct ArrowArray *a, const char *fmt, int64_t row, rc_cell *out)
{
	int64_t i = a->offset + row;
	const void *v = a->n_buffers > 1 ? a->buffers[1] : NULL;
	memset(out, 0, sizeof(*out));
	if (fmt[0] == 'n' || !bit(a->null_count ? a->buffers[0] : NULL, i))
		return 0;
	out->valid = 1;
	switch (fmt[0]) {
	case 'l': case 'L': out->v.i = ((const int64_t *)v)[i]; break;
	case 'i': out->v.i = ((const int32_t *)v)[i]; break;
	case 'I': out->v.i = ((const uint32_t *)v)[i]; break;
	case 's': out->v.i = ((const int16_t *)v)[i]; break;
	case 'S': out->v.i = ((const uint16_t *)v)[i]; break;
	case 'c': out->v.i = ((const int8_t *)v)[i]; break;
	case 'C': out->v.i = ((const uint8_t *)v)[i]; break;
	case 'g': out->v.d = ((const double *)v)[i]; break;
	case 'f': out->v.d = ((const float *)v)[i]; break;
	case 'b': out->v.i = bit(v, i); break;
	case 'u': case 'U': {
		int64_t s = fmt[0] == 'u' ? ((const int32_t *)v)[i] : ((const int64_t *)v)[i];
		int64_t e = fmt[0] == 'u' ? ((const int32_t *)v)[i + 1] : ((const int64_t *)v)[i + 1];
		out->v.s = malloc((size_t)(e - s) + 1);
		if (!out->v.s)
			return -1;
		memcpy(out->v.s, (const char *)a->buffers[2] + s, (size_t)(e - s));
		out->v.s[e - s] = '\0';
		break;
	}
	default: break;
	}
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

/* A stream of the file's rows: Parquet through our reader (kept in *rd for the stream's
 * life), anything else through the CSV / JSON Lines ingest with inferred features. */
static int open_stream(const char *path, hfds_pq_reader **rd, struct ArrowArrayStream *st, hfds_error *err)
{
	hfds_ingest *in = NULL;
	hfds_ingest_options o;
	int rc = 0;
	if (ends_with(path, ".parquet")) {
		HFDS_TRY(hfds_pq_reader_open_path(rd, path, NULL, err));
		HFDS_TRY(hfds_pq_reader_scan(*rd, NULL, st, err));
		goto done;
	}
	hfds_ingest_options_init(&o);
	o.threads = 1;
	HFDS_TRY(hfds_ingest_open(&in, path, NULL, &o, err));
	HFDS_TRY(hfds_ingest_stream(&in, st, err));
done:
	hfds_ingest_free(in);
	return rc;
}

int rc_tab_load(rc_tab *t, const char *path, hfds_error *err)
{
	hfds_pq_reader *rd = NULL;
	struct ArrowSchema schema = {0};
	struct ArrowArrayStream st = {0};
	struct ArrowArray batch = {0};
	size_t c;
	int rc = 0;
	memset(t, 0, sizeof(*t));
	HFDS_TRY(open_stream(path, &rd, &st, err));
	HFDS_FAIL_IF(st.get_schema(&st, &schema) != 0, HFDS_ERROR, err, "%s: no schema", path);
	t->cols = calloc((size_t)schema.n_children + 1, sizeof(rc_col));
	HFDS_FAIL_IF(!t->cols, HFDS_ENOMEM, err, "out of memory");
	t->ncols = (size_t)schema.n_children;
	for (c = 0; c < t->ncols; c++) {
		rc_col *col = &t->cols[c];
		col->name = hfds_strdup(schema.children[c]->name ? schema.children[c]->name : "");
		HFDS_FAIL_IF(!col->name, HFDS_ENOMEM, err, "out of memory");
		HFDS_FAIL_IF(col_type(schema.children[c]->format, &col->type, &col->dtype) < 0, HFDS_EUNSUPPORTED, err,
			"%s: column '%s' has type '%s'; recipes take integer, float, string and bool label columns",
			path, col->name, schema.children[c]->format);
	}
	for (;;) {
		if (st.get_next(&st, &batch) != 0) {
			if (rd)
				rc = hfds_pq_stream_error(&st, err);
			else
				rc = hfds_error_set(err, HFDS_EPARSE, "%s", st.get_last_error(&st));
			goto done;
		}
		if (!batch.release)
			break;
		HFDS_FAIL_IF(batch.n_children != (int64_t)t->ncols, HFDS_ECORRUPT, err, "%s: a batch disagrees with the schema",
			path);
		for (c = 0; c < t->ncols; c++) {
			rc_cell *g = hfds_reallocarray(t->cols[c].cells, t->nrows + (size_t)batch.length + 1, sizeof(rc_cell));
			HFDS_FAIL_IF(!g, HFDS_ENOMEM, err, "out of memory");
			t->cols[c].cells = g;
			for (int64_t i = 0; i < batch.length; i++)
				HFDS_FAIL_IF(read_cell(batch.children[c], schema.children[c]->format, i,
					&g[t->nrows + (size_t)i]) < 0, HFDS_ENOMEM, err, "out of memory");
		}
		t->nrows += (size_t)batch.length;
		batch.release(&batch);
	}
	for (c = 0; c < t->ncols && !t->nrows; c++)
		HFDS_FAIL_IF(!(t->cols[c].cells = calloc(1, sizeof(rc_cell))), HFDS_ENOMEM, err, "out of memory");
done:
	if (batch.release)
		batch.release(&batch);
	if (st.release)
		st.release(&st);
	if (schema.release)
		schema.release(&schema);
	hfds_pq_reader_free(rd);
	if (rc < 0)
		rc_tab_free(t);
	return rc;
}

long rc_tab_find(const rc_tab *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return (long)i;
	return -1;
}

static void col_free(rc_col *c, size_t nrows)
{
	if (c->type == 's' && c->cells)
		for (size_t i = 0; i < nrows; i++)
			free(c->cells[i].v.s);
	for (size_t i = 0; i < c->nclass; i++)
		free(c->class_names[i]);
	free(c->class_names);
	free(c->cells);
	free(c->name);
}

void rc_tab_remove(rc_tab *t, size_t i)
{
	col_free(&t->cols[i], t->nrows);
	memmove(&t->cols[i], &t->cols[i + 1], (t->ncols - i - 1) * sizeof(rc_col));
	t->ncols--;
}

void rc_tab_free(rc_tab *t)
{
	for (size_t i = 0; i < t->ncols; i++)
		col_free(&t->cols[i], t->nrows);
	free(t->cols);
	memset(t, 0, sizeof(*t));
}

const char *rc_cell_text(const rc_col *c, size_t row, char *buf, size_t cap)
{
	const rc_cell *e = &c->cells[row];
	if (!e->valid)
		return "";
	switch (c->type) {
	case 's': return e->v.s;
	case 'd': snprintf(buf, cap, "%.17g", e->v.d); return buf;
	case 'b': return e->v.i ? "true" : "false";
	default: snprintf(buf, cap, "%" PRId64, e->v.i); return buf;
	}
}

/* Open-addressing index of a column's text values -> row (rows start at 1; 0 = empty). */
typedef struct rc_index {
	size_t *slots, cap;
} rc_index;

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

int rc_tab_join(rc_tab *left, rc_tab *right, const rc_table *spec, const char *recipe, hfds_error *err)
{
	rc_index ix = {0};
	size_t *match = NULL, r, keep = 0, c;
	rc_col *cols = NULL;
	long lk = rc_tab_find(left, spec->on), rk = rc_tab_find(right, spec->on);
	char b1[64], b2[64];
	int rc = 0;
	HFDS_FAIL_IF(lk < 0, HFDS_ENOTFOUND, err, "%s:%d:%d: join key '%s' is not a column of the tables before '%s'",
		recipe, spec->on_pos.line, spec->on_pos.col, spec->on, spec->name);
	HFDS_FAIL_IF(rk < 0, HFDS_ENOTFOUND, err, "%s:%d:%d: join key '%s' is not a column of table '%s'",
		recipe, spec->on_pos.line, spec->on_pos.col, spec->on, spec->name);
	for (c = 0; c < right->ncols; c++)
		HFDS_FAIL_IF((long)c != rk && rc_tab_find(left, right->cols[c].name) >= 0, HFDS_ECONFLICT, err,
			"%s:%d:%d: table '%s' repeats column '%s' (drop or rename it first)", recipe, spec->pos.line,
			spec->pos.col, spec->name, right->cols[c].name);
	ix.cap = 16;
	while (ix.cap < right->nrows * 2)
		ix.cap *= 2;
	ix.slots = calloc(ix.cap, sizeof(size_t));
	match = calloc(left->nrows + 1, sizeof(size_t));
	HFDS_FAIL_IF(!ix.slots || !match, HFDS_ENOMEM, err, "out of memory");
	for (r = 0; r < right->nrows; r++) {
		const char *k = rc_cell_text(&right->cols[rk], r, b1, sizeof(b1));
		size_t h = (size_t)fnv(k) & (ix.cap - 1);
		if (!right->cols[rk].cells[r].valid)
			continue;
		while (ix.slots[h]) {
			HFDS_FAIL_IF(!strcmp(rc_cell_text(&right->cols[rk], ix.slots[h] - 1, b2, sizeof(b2)), k), HFDS_ECONFLICT,
				err, "%s:%d:%d: join on '%s' is one-to-one but table '%s' has the key '%s' twice (rows %zu and %zu)",
				recipe, spec->on_pos.line, spec->on_pos.col, spec->on, spec->name, k, ix.slots[h], r + 1);
			h = (h + 1) & (ix.cap - 1);
		}
		ix.slots[h] = r + 1;
	}
	for (r = 0; r < left->nrows; r++) {
		const char *k = rc_cell_text(&left->cols[lk], r, b1, sizeof(b1));
		size_t h = (size_t)fnv(k) & (ix.cap - 1);
		if (!left->cols[lk].cells[r].valid)
			continue;
		for (; ix.slots[h]; h = (h + 1) & (ix.cap - 1))
			if (!strcmp(rc_cell_text(&right->cols[rk], ix.slots[h] - 1, b2, sizeof(b2)), k)) {
				match[r] = ix.slots[h];
				break;
			}
	}
	/* Inner join: compact the left rows first. */
	if (!spec->left) {
		for (r = 0; r < left->nrows; r++) {
			if (match[r]) {
				for (c = 0; c < left->ncols; c++)
					left->cols[c].cells[keep] = left->cols[c].cells[r];
				match[keep++] = match[r];
			} else
				for (c = 0; c < left->ncols; c++)
					if (left->cols[c].type == 's')
						free(left->cols[c].cells[r].v.s);
		}
		left->nrows = keep;
	}
	cols = hfds_reallocarray(left->cols, left->ncols + right->ncols + 1, sizeof(rc_col));
	HFDS_FAIL_IF(!cols, HFDS_ENOMEM, err, "out of memory");
	left->cols = cols;
	for (c = 0; c < right->ncols; c++) {
		rc_col *dst, *src = &right->cols[c];
		if ((long)c == rk)
			continue;
		dst = &left->cols[left->ncols];
		memset(dst, 0, sizeof(*dst));
		dst->cells = calloc(left->nrows + 1, sizeof(rc_cell));
		HFDS_FAIL_IF(!dst->cells, HFDS_ENOMEM, err, "out of memory");
		dst->name = src->name;
		src->name = NULL;
		dst->type = src->type;
		dst->dtype = src->dtype;
		left->ncols++;
		for (r = 0; r < left->nrows; r++)
			if (match[r]) {
				dst->cells[r] = src->cells[match[r] - 1];
				if (src->type == 's')
					src->cells[match[r] - 1].v.s = NULL;
			}
	}
done:
	free(ix.slots);
	free(match);
	rc_tab_free(right);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ClassLabel from strings: the names given, or the sorted distinct values. Values outside
 * the names are an error naming the cast's line; nulls stay null. */
static int cast_class_label(const rc_tab *t, rc_col *col, const rc_cast *ca, const char *recipe, hfds_error *err)
{
	size_t n = 0, r, k;
	char **names = NULL;
	int rc = 0;
	HFDS_FAIL_IF(col->type != 's', HFDS_EINVAL, err, "%s:%d:%d: class_label needs a string column; '%s' is not",
		recipe, ca->pos.line, ca->pos.col, col->name);
	names = calloc((ca->names ? ca->nnames : t->nrows) + 1, sizeof(char *));
	HFDS_FAIL_IF(!names, HFDS_ENOMEM, err, "out of memory");
	if (ca->names) {
		for (; n < ca->nnames; n++)
			HFDS_FAIL_IF(!(names[n] = hfds_strdup(ca->names[n])), HFDS_ENOMEM, err, "out of memory");
	} else {
		for (r = 0; r < t->nrows; r++)
			if (col->cells[r].valid)
				names[n++] = col->cells[r].v.s;
		qsort(names, n, sizeof(char *), cmp_str);
		for (r = k = 0; r < n; r++)
			if (!k || strcmp(names[k - 1], names[r]))
				names[k++] = names[r];
		n = k;
		for (k = 0; k < n; k++)
			HFDS_FAIL_IF(!(names[k] = hfds_strdup(names[k])), HFDS_ENOMEM, err, "out of memory");
	}
	for (r = 0; r < t->nrows; r++) {
		rc_cell *e = &col->cells[r];
		if (!e->valid)
			continue;
		for (k = 0; k < n && strcmp(names[k], e->v.s); k++)
			;
		HFDS_FAIL_IF(k == n, HFDS_EINVAL, err, "%s:%d:%d: '%s' value '%s' (row %zu) is not one of the class_label names",
			recipe, ca->pos.line, ca->pos.col, col->name, e->v.s, r + 1);
	}
	for (r = 0; r < t->nrows; r++) {
		rc_cell *e = &col->cells[r];
		if (!e->valid)
			continue;
		for (k = 0; strcmp(names[k], e->v.s); k++)
			;
		free(e->v.s);
		e->v.i = (int64_t)k;
	}
	col->type = 'i';
	col->dtype = HFDS_DTYPE_INT64;
	col->class_names = names;
	col->nclass = n;
	names = NULL;
done:
	if (names && ca->names)
		for (k = 0; k < n; k++)
			free(names[k]);
	free(names);
	return rc;
}

/* Value casts between the scalar kinds: numbers widen or narrow, strings parse. */
static int cast_value(const rc_tab *t, rc_col *col, const rc_cast *ca, const char *recipe, hfds_error *err)
{
	static const struct { const char *name; char type; hfds_dtype d; } types[] = {
		{"int64", 'i', HFDS_DTYPE_INT64}, {"int32", 'i', HFDS_DTYPE_INT32}, {"float64", 'd', HFDS_DTYPE_FLOAT64},
		{"float32", 'd', HFDS_DTYPE_FLOAT32}, {"string", 's', HFDS_DTYPE_STRING}, {"bool", 'b', HFDS_DTYPE_BOOL},
	};
	size_t i, r;
	char buf[64];
	for (i = 0; i < sizeof(types) / sizeof(types[0]) && strcmp(types[i].name, ca->type); i++)
		;
	if (i == sizeof(types) / sizeof(types[0]))
		return hfds_error_set(err, HFDS_EINVAL, "%s:%d:%d: cast type '%s': expected int64, int32, float64, float32, "
			"string, bool or {class_label: ...}", recipe, ca->pos.line, ca->pos.col, ca->type);
	/* Check every string first, so a bad value leaves the column as it was. */
	for (r = 0; col->type == 's' && types[i].type != 's' && r < t->nrows; r++) {
		char *end;
		const char *s = col->cells[r].v.s;
		if (!col->cells[r].valid)
			continue;
		if (types[i].type == 'd')
			(void)strtod(s, &end);
		else
			(void)strtoll(s, &end, 10);
		if (*end || !*s)
			return hfds_error_set(err, HFDS_EINVAL, "%s:%d:%d: '%s' value '%s' (row %zu) is not a %s", recipe,
				ca->pos.line, ca->pos.col, col->name, s, r + 1, ca->type);
	}
	for (r = 0; r < t->nrows; r++) {
		rc_cell *e = &col->cells[r];
		if (!e->valid || col->type == types[i].type)
			continue;
		if (types[i].type == 's') {
			char *s = hfds_strdup(rc_cell_text(col, r, buf, sizeof(buf)));
			if (!s)
				return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
			e->v.s = s;
		} else if (col->type == 's') {
			char *s = e->v.s;
			if (types[i].type == 'd')
				e->v.d = strtod(s, NULL);
			else
				e->v.i = strtoll(s, NULL, 10);
			free(s);
		} else if (types[i].type == 'd')
			e->v.d = (double)e->v.i;
		else
			e->v.i = col->type == 'd' ? (int64_t)e->v.d : e->v.i != 0;
	}
	col->type = types[i].type;
	col->dtype = types[i].d;
	return 0;
}

int rc_tab_shape(rc_tab *t, const hfds_recipe *r, hfds_error *err)
{
	size_t i;
	long c;
	int rc = 0;
	for (i = 0; i < r->ndrop; i++) {
		c = rc_tab_find(t, r->drop[i]);
		HFDS_FAIL_IF(c < 0, HFDS_ENOTFOUND, err, "%s:%d:%d: drop: unknown column '%s'", r->name, r->drop_pos.line,
			r->drop_pos.col, r->drop[i]);
		rc_tab_remove(t, (size_t)c);
	}
	for (i = 0; i < r->nrename; i++) {
		char *name;
		c = rc_tab_find(t, r->rename[i].key);
		HFDS_FAIL_IF(c < 0, HFDS_ENOTFOUND, err, "%s:%d:%d: rename: unknown column '%s'", r->name,
			r->rename[i].pos.line, r->rename[i].pos.col, r->rename[i].key);
		HFDS_FAIL_IF(rc_tab_find(t, r->rename[i].value) >= 0, HFDS_ECONFLICT, err,
			"%s:%d:%d: rename: column '%s' already exists", r->name, r->rename[i].pos.line, r->rename[i].pos.col,
			r->rename[i].value);
		name = hfds_strdup(r->rename[i].value);
		HFDS_FAIL_IF(!name, HFDS_ENOMEM, err, "out of memory");
		free(t->cols[c].name);
		t->cols[c].name = name;
	}
	for (i = 0; i < r->ncasts; i++) {
		const rc_cast *ca = &r->casts[i];
		c = rc_tab_find(t, ca->column);
		HFDS_FAIL_IF(c < 0, HFDS_ENOTFOUND, err, "%s:%d:%d: cast: unknown column '%s'", r->name, ca->pos.line,
			ca->pos.col, ca->column);
		if (!strcmp(ca->type, "class_label"))
			HFDS_TRY(cast_class_label(t, &t->cols[c], ca, r->name, err));
		else
			HFDS_TRY(cast_value(t, &t->cols[c], ca, r->name, err));
	}
done:
	return rc;
}

hfds_feature *rc_col_feature(const rc_col *c)
{
	if (c->class_names)
		return hfds_feature_class_label((const char *const *)c->class_names, c->nclass);
	return hfds_feature_value(c->dtype);
}
