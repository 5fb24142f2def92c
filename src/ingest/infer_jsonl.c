/*
 * Features of JSON Lines rows when none are given: the first lines are tokenized (the same
 * tape as the reader, so the sample costs no DOM and has the same limits) and each
 * column gets the widest type seen (int64 < float64; bool; string; lists and structs
 * merged element-wise). Columns only ever null become string, and a column holding
 * incompatible kinds (a number in one row, a string in another) is an error naming it.
 */
#include <string.h>

#include "ingest/ingest_int.h"
#include "ingest/json_tape.h"
#include "ingest/values.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/try.h"
#include "util/utf8.h"

enum kind { T_NULL, T_BOOL, T_INT, T_FLOAT, T_STR, T_LIST, T_STRUCT };

typedef struct desc {
	enum kind kind;
	struct desc *item;          /* T_LIST */
	char **names;               /* T_STRUCT, first-seen order */
	struct desc **fields;
	size_t count;
} desc;

static void desc_free(desc *d)
{
	size_t i;
	if (!d)
		return;
	desc_free(d->item);
	for (i = 0; i < d->count; i++) {
		hfds_free(d->names[i]);
		desc_free(d->fields[i]);
	}
	hfds_free(d->names);
	hfds_free(d->fields);
	hfds_free(d);
}

static const char *kind_name(enum kind k)
{
	static const char *const names[] = {"null", "boolean", "integer", "number", "string", "array", "object"};
	return names[k];
}

typedef struct ictx {
	const char *path;
	uint64_t line;
	const char *linep;
	jtape *tape;
	hfds_buf *scratch;
	hfds_error *err;
} ictx;

static int merge(ictx *c, desc **into, uint32_t k, const char *column, int depth);

static int merge_struct(ictx *c, desc *d, uint32_t k, const char *column, int depth)
{
	const jtok *t = &c->tape->t[k];
	uint32_t j, kk = k + 1;
	for (j = 0; j < t->count; j++) {
		const char *key, *why;
		size_t klen, i;
		int rc;
		if (jt_string(&c->tape->t[kk], c->scratch, &key, &klen, &why) < 0)
			return hfds_error_set(c->err, HFDS_EPARSE, "%s:%llu:%llu: %s", c->path, (unsigned long long)c->line,
				(unsigned long long)(c->tape->t[kk].p - c->linep), why);
		for (i = 0; i < d->count && !(strlen(d->names[i]) == klen && !memcmp(d->names[i], key, klen)); i++)
			;
		if (i == d->count) {
			char **n = hfds_reallocarray(d->names, d->count + 1, sizeof(*n));
			desc **f;
			if (!n)
				return hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
			d->names = n;
			f = hfds_reallocarray(d->fields, d->count + 1, sizeof(*f));
			if (!f)
				return hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
			d->fields = f;
			d->names[d->count] = hfds_strndup(key, klen);
			d->fields[d->count] = NULL;
			if (!d->names[d->count])
				return hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
			d->count++;
		}
		rc = merge(c, &d->fields[i], kk + 1, depth ? column : d->names[i], depth + 1);
		if (rc < 0)
			return rc;
		kk = c->tape->t[kk + 1].next;
	}
	return 0;
}

static int merge(ictx *c, desc **into, uint32_t idx, const char *column, int depth)
{
	const jtok *t = &c->tape->t[idx];
	enum kind k;
	uint32_t i, e;
	switch (t->type) {
	case JT_NULL: k = T_NULL; break;
	case JT_TRUE: case JT_FALSE: k = T_BOOL; break;
	case JT_NUM: k = ing_looks_int(t->p, t->len) ? T_INT : T_FLOAT; break;
	case JT_STR: k = T_STR; break;
	case JT_ARR: k = T_LIST; break;
	default: k = T_STRUCT; break;
	}
	if (!*into) {
		*into = hfds_calloc(1, sizeof(**into));
		if (!*into)
			return hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
		(*into)->kind = k;
	}
	if (k == T_NULL)
		return 0;
	if ((*into)->kind == T_NULL)
		(*into)->kind = k;
	else if ((*into)->kind == T_INT && k == T_FLOAT)
		(*into)->kind = T_FLOAT;
	else if (!((*into)->kind == T_FLOAT && k == T_INT) && (*into)->kind != k)
		return hfds_error_set(c->err, HFDS_EPARSE,
			"%s:%llu:%llu: column '%s': %s here but %s in earlier rows; give --features to say what it is",
			c->path, (unsigned long long)c->line, (unsigned long long)(t->p - c->linep) + (t->type != JT_STR),
			column, kind_name(k), kind_name((*into)->kind));
	if (k == T_LIST) {
		for (i = 0, e = idx + 1; i < t->count; i++, e = c->tape->t[e].next) {
			int rc = merge(c, &(*into)->item, e, column, depth + 1);
			if (rc < 0)
				return rc;
		}
	} else if (k == T_STRUCT) {
		return merge_struct(c, *into, idx, column, depth);
	}
	return 0;
}

static hfds_feature *to_feature(const desc *d, int *nomem)
{
	hfds_feature *f = NULL;
	size_t i;
	switch (d ? d->kind : T_NULL) {
	case T_NULL: case T_STR: f = hfds_feature_value(HFDS_DTYPE_STRING); break;
	case T_BOOL: f = hfds_feature_value(HFDS_DTYPE_BOOL); break;
	case T_INT: f = hfds_feature_value(HFDS_DTYPE_INT64); break;
	case T_FLOAT: f = hfds_feature_value(HFDS_DTYPE_FLOAT64); break;
	case T_LIST: f = hfds_feature_list(to_feature(d->item, nomem), -1); break;
	case T_STRUCT:
		f = hfds_feature_struct();
		for (i = 0; f && i < d->count; i++) {
			if (hfds_feature_struct_add(f, d->names[i], to_feature(d->fields[i], nomem), NULL) < 0) {
				hfds_feature_free(f);
				f = NULL;
			}
		}
		break;
	}
	if (!f)
		*nomem = 1;
	return f;
}

int ing_infer_jsonl(hfds_features **out, const char *name, const char *data, size_t n, size_t max_rows,
	const hfds_ingest_options *o, hfds_error *err)
{
	int rc = 0, nomem = 0;
	const char *s = data, *end = data + n;
	size_t i, rows = 0, bad;
	desc *root = NULL;
	hfds_features *f = NULL;
	jtape tape;
	hfds_buf scratch;
	ictx c;
	*out = NULL;
	jt_init(&tape, o->max_depth);
	hfds_buf_init(&scratch, 0);
	c.path = name;
	c.line = 0;
	c.tape = &tape;
	c.scratch = &scratch;
	c.err = err;
	bad = hfds_utf8_validate(data, n);
	while (s < end && rows < max_rows) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *le = nl ? nl : end, *q = s;
		c.line++;
		c.linep = s;
		if ((size_t)(le - data) > bad) {
			uint64_t line, col;
			ing_place(data, data + bad, &line, &col);
			HFDS_FAIL(HFDS_EPARSE, err, "%s:%llu:%llu: invalid UTF-8", name, (unsigned long long)line, (unsigned long long)col);
		}
		while (q < le && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		if (q < le) {
			if (jt_parse(&tape, s, (size_t)(le - s)) < 0)
				HFDS_FAIL(tape.err_nomem ? HFDS_ENOMEM : HFDS_EPARSE, err, "%s:%llu:%llu: %s", name,
					(unsigned long long)c.line, (unsigned long long)(tape.err_at - s) + 1, tape.err_why);
			HFDS_TRY(merge(&c, &root, 0, "", 0));
			rows++;
		}
		s = nl ? nl + 1 : end;
	}
	HFDS_FAIL_IF(!root || root->count == 0, HFDS_EPARSE, err, "%s:%llu: no rows to infer features from (%s)", name,
		(unsigned long long)c.line + 1, c.line ? "only blank lines or empty objects" : "empty file");
	f = hfds_features_new();
	HFDS_FAIL_IF(!f, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < root->count; i++) {
		hfds_feature *col = to_feature(root->fields[i], &nomem);
		HFDS_FAIL_IF(nomem, HFDS_ENOMEM, err, "out of memory");
		HFDS_TRY(hfds_features_add(f, root->names[i], col, err));
	}
	*out = f;
	f = NULL;
done:
	jt_release(&tape);
	hfds_buf_release(&scratch);
	desc_free(root);
	hfds_features_free(f);
	return rc;
}
