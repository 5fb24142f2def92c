/*
 * Features of JSON Lines rows when none are given: the first lines are scanned and each
 * column gets the widest type seen (int64 < float64; bool; string; lists and structs
 * merged element-wise). Columns only ever null become string, and a column holding
 * incompatible kinds (a number in one row, a string in another) is an error naming it.
 */
#include "hfds/dataset.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/try.h"

#define MAX_DEPTH 32

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
	hfds_error *err;
} ictx;

static int merge(ictx *c, desc **into, json_t *v, const char *column, int depth);

static int merge_struct(ictx *c, desc *d, json_t *v, const char *column, int depth)
{
	const char *k;
	json_t *e;
	json_object_foreach(v, k, e) {
		size_t i;
		for (i = 0; i < d->count && strcmp(d->names[i], k) != 0; i++)
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
			d->names[d->count] = hfds_strdup(k);
			d->fields[d->count] = NULL;
			if (!d->names[d->count])
				return hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
			d->count++;
		}
		int rc = merge(c, &d->fields[i], e, depth ? column : k, depth + 1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int merge(ictx *c, desc **into, json_t *v, const char *column, int depth)
{
	enum kind k;
	size_t i;
	json_t *e;
	if (depth > MAX_DEPTH)
		return hfds_error_set(c->err, HFDS_ELIMIT, "%s:%llu: column '%s': nested deeper than %d levels", c->path,
			(unsigned long long)c->line, column, MAX_DEPTH);
	switch (json_typeof(v)) {
	case JSON_NULL: k = T_NULL; break;
	case JSON_TRUE: case JSON_FALSE: k = T_BOOL; break;
	case JSON_INTEGER: k = T_INT; break;
	case JSON_REAL: k = T_FLOAT; break;
	case JSON_STRING: k = T_STR; break;
	case JSON_ARRAY: k = T_LIST; break;
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
			"%s:%llu: column '%s': %s here but %s in earlier rows; give --features to say what it is",
			c->path, (unsigned long long)c->line, column, kind_name(k), kind_name((*into)->kind));
	if (k == T_LIST) {
		json_array_foreach(v, i, e) {
			int rc = merge(c, &(*into)->item, e, column, depth + 1);
			if (rc < 0)
				return rc;
		}
	} else if (k == T_STRUCT) {
		return merge_struct(c, *into, v, column, depth);
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

int hfds_ds_jsonl_infer(hfds_features **out, const char *path, size_t max_lines, hfds_error *err)
{
	int rc = 0, nomem = 0;
	FILE *fp = NULL;
	char *line = NULL;
	size_t cap = 0, i;
	ssize_t n;
	desc *root = NULL;
	json_t *obj = NULL;
	hfds_features *f = NULL;
	ictx c;
	*out = NULL;
	c.path = path;
	c.line = 0;
	c.err = err;
	if (max_lines == 0)
		max_lines = 1000;
	fp = fopen(path, "rb");
	HFDS_FAIL_IF(!fp, HFDS_EIO, err, "%s: %s", path, strerror(errno));
	while (c.line < max_lines && (n = getline(&line, &cap, fp)) >= 0) {
		json_error_t je;
		c.line++;
		if (strspn(line, " \t\r\n") == (size_t)n)
			continue;
		obj = json_loadb(line, (size_t)n, JSON_DISABLE_EOF_CHECK, &je);
		HFDS_FAIL_IF(!obj, HFDS_EPARSE, err, "%s:%llu:%d: invalid JSON: %s", path, (unsigned long long)c.line,
			je.column, je.text);
		HFDS_FAIL_IF(!json_is_object(obj), HFDS_EPARSE, err, "%s:%llu: expected a JSON object per line", path,
			(unsigned long long)c.line);
		HFDS_TRY(merge(&c, &root, obj, "", 0));
		json_decref(obj);
		obj = NULL;
	}
	/* fopen succeeds on a directory; the read fails (EISDIR) */
	HFDS_FAIL_IF(ferror(fp), HFDS_EIO, err, "%s: cannot read: %s", path, strerror(errno));
	HFDS_FAIL_IF(!root || root->count == 0, HFDS_EPARSE, err, "%s:%llu: no rows to infer features from (%s)", path,
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
	if (fp)
		fclose(fp);
	free(line);
	json_decref(obj);
	desc_free(root);
	hfds_features_free(f);
	return rc;
}
