/*
 * Features <-> the dataset card's `features:` list, following datasets'
 * Features._to_yaml_list / _from_yaml_list step by step on the to_dict tree (jansson),
 * then converting to / from the small hfds_fnode tree the card code emits with libyaml.
 */
#include "features/features.h"
#include "util/alloc.h"
#include "util/clocale.h"
#include "util/try.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fnode ---- */

static hfds_fnode *fnode_new(hfds_fnode_kind kind, const char *str)
{
	hfds_fnode *n = hfds_calloc(1, sizeof(*n));
	if (n) {
		n->kind = kind;
		if (str && !(n->str = hfds_strdup(str))) {
			hfds_free(n);
			return NULL;
		}
	}
	return n;
}

hfds_fnode *hfds_fnode_scalar(hfds_fnode_kind kind, const char *str, int plain)
{
	hfds_fnode *n;
	if (kind == HFDS_FNODE_SEQ || kind == HFDS_FNODE_MAP || !str)
		return NULL;
	n = fnode_new(kind, str);
	if (n) {
		n->plain = plain;
		if (kind == HFDS_FNODE_INT)
			n->num = strtoll(str, NULL, 10);
	}
	return n;
}

hfds_fnode *hfds_fnode_int(int64_t v)
{
	char buf[24];
	hfds_fnode *n;
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	n = fnode_new(HFDS_FNODE_INT, buf);
	if (n)
		n->num = v;
	return n;
}

hfds_fnode *hfds_fnode_seq(void)
{
	return fnode_new(HFDS_FNODE_SEQ, NULL);
}

hfds_fnode *hfds_fnode_map(void)
{
	return fnode_new(HFDS_FNODE_MAP, NULL);
}

int hfds_fnode_push(hfds_fnode *parent, const char *key, hfds_fnode *item, hfds_error *err)
{
	hfds_fnode **items;
	char **keys, *k = NULL;
	if (!item)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	if (!parent || (parent->kind == HFDS_FNODE_MAP) != (key != NULL)
		|| (parent->kind != HFDS_FNODE_MAP && parent->kind != HFDS_FNODE_SEQ)) {
		hfds_fnode_free(item);
		return hfds_error_set(err, HFDS_EINVAL, "fnode: push to a %s", key ? "non-map" : "non-sequence");
	}
	items = hfds_reallocarray(parent->items, parent->count + 1, sizeof(*items));
	if (items)
		parent->items = items;
	if (items && key) {
		keys = hfds_reallocarray(parent->keys, parent->count + 1, sizeof(*keys));
		if (keys)
			parent->keys = keys;
		k = keys ? hfds_strdup(key) : NULL;
	}
	if (!items || (key && !k)) {
		hfds_fnode_free(item);
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	}
	if (key)
		parent->keys[parent->count] = k;
	parent->items[parent->count++] = item;
	return 0;
}

const hfds_fnode *hfds_fnode_get(const hfds_fnode *map, const char *key)
{
	if (!map || map->kind != HFDS_FNODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->count; i++)
		if (strcmp(map->keys[i], key) == 0)
			return map->items[i];
	return NULL;
}

void hfds_fnode_free(hfds_fnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->count; i++) {
		if (n->keys)
			hfds_free(n->keys[i]);
		hfds_fnode_free(n->items[i]);
	}
	hfds_free(n->keys);
	hfds_free(n->items);
	hfds_free(n->str);
	hfds_free(n);
}

static hfds_fnode *from_json(const json_t *v, int depth)
{
	hfds_fnode *n = NULL;
	if (depth > 2 * HFDS_FEATURES_MAX_DEPTH + 8)
		return NULL;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *x;
		if (!(n = hfds_fnode_map()))
			return NULL;
		json_object_foreach((json_t *)v, k, x)
			if (hfds_fnode_push(n, k, from_json(x, depth + 1), NULL) < 0)
				goto fail;
		return n;
	}
	case JSON_ARRAY:
		if (!(n = hfds_fnode_seq()))
			return NULL;
		for (size_t i = 0; i < json_array_size(v); i++)
			if (hfds_fnode_push(n, NULL, from_json(json_array_get(v, i), depth + 1), NULL) < 0)
				goto fail;
		return n;
	case JSON_STRING:
		return hfds_fnode_scalar(HFDS_FNODE_STR, json_string_value(v), 0);
	case JSON_INTEGER:
		return hfds_fnode_int(json_integer_value(v));
	case JSON_REAL: {
		char buf[40];
		hfds_snprintf_c(buf, sizeof(buf), "%.17g", json_real_value(v));
		return hfds_fnode_scalar(HFDS_FNODE_STR, buf, 1);
	}
	case JSON_TRUE:
		return hfds_fnode_scalar(HFDS_FNODE_BOOL, "true", 0);
	case JSON_FALSE:
		return hfds_fnode_scalar(HFDS_FNODE_BOOL, "false", 0);
	case JSON_NULL:
		return hfds_fnode_scalar(HFDS_FNODE_NULL, "null", 0);
	}
fail:
	hfds_fnode_free(n);
	return NULL;
}

static int is_int_text(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* YAML core-schema resolution of plain scalars. */
static json_t *to_json(const hfds_fnode *n, int depth)
{
	json_t *v = NULL;
	if (!n || depth > 2 * HFDS_FEATURES_MAX_DEPTH + 8)
		return NULL;
	switch (n->kind) {
	case HFDS_FNODE_MAP:
		if (!(v = json_object()))
			return NULL;
		for (size_t i = 0; i < n->count; i++)
			if (json_object_set_new(v, n->keys[i], to_json(n->items[i], depth + 1)) < 0)
				goto fail;
		return v;
	case HFDS_FNODE_SEQ:
		if (!(v = json_array()))
			return NULL;
		for (size_t i = 0; i < n->count; i++)
			if (json_array_append_new(v, to_json(n->items[i], depth + 1)) < 0)
				goto fail;
		return v;
	case HFDS_FNODE_NULL:
		return json_null();
	case HFDS_FNODE_BOOL:
		return json_boolean(strcmp(n->str, "true") == 0 || strcmp(n->str, "True") == 0 || strcmp(n->str, "TRUE") == 0);
	case HFDS_FNODE_INT:
		return json_integer(strtoll(n->str, NULL, 10));
	case HFDS_FNODE_STR:
		if (n->plain) {
			const char *s = n->str;
			if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
				return json_null();
			if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
				return json_true();
			if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
				return json_false();
			if (is_int_text(s))
				return json_integer(strtoll(s, NULL, 10));
		}
		return json_string(n->str);
	}
fail:
	json_decref(v);
	return NULL;
}

/* ---- names of feature types ---- */

static void camel_to_snake(char *out, size_t size, const char *s)
{
	size_t o = 0;
	for (size_t i = 0; s[i] && o + 2 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i > 0 && isupper(c)) {
			unsigned char p = (unsigned char)s[i - 1], nx = (unsigned char)s[i + 1];
			if (islower(p) || isdigit(p) || (isupper(p) && islower(nx)))
				out[o++] = '_';
		}
		out[o++] = (char)tolower(c);
	}
	out[o] = 0;
}

static void snake_to_camel(char *out, size_t size, const char *s)
{
	size_t o = 0;
	int start = 1;
	for (size_t i = 0; s[i] && o + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '_') {
			start = 1;
			continue;
		}
		out[o++] = (char)(start ? toupper(c) : tolower(c));
		start = 0;
	}
	out[o] = 0;
}

/* ---- _to_yaml_list ---- */

static int obj_keys_are(const json_t *o, const char *only)
{
	return json_is_object(o) && json_object_size(o) == 1 && json_object_get(o, only);
}

/* Mutates and returns f (a new reference kept by the caller). */
static json_t *simplify(json_t *f)
{
	static const char *const lists[] = {"large_list", "list", "sequence"};
	json_t *cl, *names;
	if (!f)
		return NULL;
	for (size_t i = 0; i < 3; i++) {
		json_t *v = json_object_get(f, lists[i]);
		if (obj_keys_are(v, "dtype"))
			json_object_set(f, lists[i], json_object_get(v, "dtype"));
		v = json_object_get(f, lists[i]);
		if (obj_keys_are(v, "struct"))
			json_object_set(f, lists[i], json_object_get(v, "struct"));
	}
	cl = json_object_get(f, "class_label");
	names = json_is_object(cl) ? json_object_get(cl, "names") : NULL;
	if (json_is_array(names)) {
		json_t *m = json_object();
		char key[24];
		for (size_t i = 0; m && i < json_array_size(names); i++) {
			snprintf(key, sizeof(key), "%zu", i);
			json_object_set(m, key, json_array_get(names, i));
		}
		if (m)
			json_object_set_new(cl, "names", m);
	}
	return f;
}

/* {key: first, **rest} as a new object */
static json_t *prepend(const char *key, json_t *first, json_t *rest)
{
	json_t *o = json_object();
	const char *k;
	json_t *v;
	if (!o || !first || json_object_set_new(o, key, first) < 0) {
		json_decref(o);
		return NULL;
	}
	json_object_foreach(rest, k, v)
		json_object_set(o, k, v);
	return o;
}

static json_t *to_yaml_inner(json_t *obj);

static json_t *struct_fields(json_t *obj)
{
	json_t *a = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		json_t *e = json_object();
		json_t *inner = to_yaml_inner(v);
		const char *ik;
		json_t *iv;
		if (!a || !e || !inner || json_object_set_new(e, "name", json_string(k)) < 0) {
			json_decref(e);
			json_decref(inner);
			json_decref(a);
			return NULL;
		}
		json_object_foreach(inner, ik, iv)
			json_object_set(e, ik, iv);
		json_decref(inner);
		json_array_append_new(a, e);
	}
	return a;
}

static json_t *to_yaml_inner(json_t *obj)
{
	char snake[64];
	if (json_is_array(obj)) {
		json_t *inner = simplify(to_yaml_inner(json_array_get(obj, 0)));
		json_t *r = json_object();
		if (!r || !inner || json_object_set_new(r, "list", inner) < 0) {
			json_decref(r);
			return NULL;
		}
		return simplify(r);
	}
	json_t *t = json_object_get(obj, "_type");
	if (!json_is_string(t)) {
		json_t *fields = struct_fields(obj), *r = json_object();
		if (!fields || !r || json_object_set_new(r, "struct", fields) < 0) {
			json_decref(r);
			return NULL;
		}
		return r;
	}
	const char *type = json_string_value(t);
	json_t *rest = json_copy(obj), *r = NULL;
	if (!rest)
		return NULL;
	json_object_del(rest, "_type");
	if (!strcmp(type, "LargeList") || !strcmp(type, "List") || !strcmp(type, "Sequence")) {
		json_t *feat = json_incref(json_object_get(rest, "feature"));
		json_object_del(rest, "feature");
		r = simplify(prepend(type[0] == 'L' && type[1] == 'a' ? "large_list" : type[0] == 'L' ? "list" : "sequence",
			to_yaml_inner(feat), rest));
		json_decref(feat);
	} else if (!strcmp(type, "Value")) {
		return rest;
	} else {
		camel_to_snake(snake, sizeof(snake), type);
		if (json_object_size(rest) == 0) {
			r = json_pack("{ss}", "dtype", snake);
		} else {
			json_t *inner = json_object();
			if (inner && json_object_set(inner, snake, rest) == 0)
				r = json_pack("{so}", "dtype", simplify(inner));
			else
				json_decref(inner);
		}
	}
	json_decref(rest);
	return r;
}

int hfds_features_to_yaml(hfds_fnode **out, const hfds_features *f, unsigned flags, hfds_error *err)
{
	json_t *d = hfds_features__to_dict(f->root, flags), *fields = NULL;
	int rc = 0;
	*out = NULL;
	HFDS_FAIL_IF(!d, HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(!(fields = struct_fields(d)), HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(!(*out = from_json(fields, 0)), HFDS_ENOMEM, err, "out of memory");
done:
	json_decref(d);
	json_decref(fields);
	return rc;
}

/* ---- _from_yaml_list ---- */

static int cmp_int_keys(const void *a, const void *b)
{
	long long x = strtoll(*(const char *const *)a, NULL, 10), y = strtoll(*(const char *const *)b, NULL, 10);
	return x < y ? -1 : x > y;
}

static int unsimplify(json_t *f, const char *path, hfds_error *err)
{
	static const char *const lists[] = {"large_list", "list", "sequence"};
	json_t *cl, *names, *list = NULL;
	const char **keys = NULL;
	int rc = 0;
	for (size_t i = 0; i < 3; i++) {
		json_t *v = json_object_get(f, lists[i]);
		if (json_is_string(v))
			HFDS_FAIL_IF(json_object_set_new(f, lists[i], json_pack("{sO}", "dtype", v)) < 0, HFDS_ENOMEM, err,
				"out of memory");
	}
	cl = json_object_get(f, "class_label");
	names = json_is_object(cl) ? json_object_get(cl, "names") : NULL;
	if (json_is_object(names)) {
		size_t n = json_object_size(names), i = 0;
		const char *k;
		json_t *v;
		list = json_array();
		HFDS_FAIL_IF(!list || (n && !(keys = hfds_calloc(n, sizeof(*keys)))), HFDS_ENOMEM, err, "out of memory");
		json_object_foreach(names, k, v) {
			HFDS_FAIL_IF(!is_int_text(k), HFDS_EPARSE, err, "%s.class_label.names: label id '%s' is not an integer",
				path, k);
			keys[i++] = k;
		}
		qsort(keys, n, sizeof(*keys), cmp_int_keys);
		for (i = 0; i < n; i++) {
			json_t *name = json_object_get(names, keys[i]);
			char buf[24];
			HFDS_FAIL_IF(strtoll(keys[i], NULL, 10) != (long long)i, HFDS_EPARSE, err,
				"%s.class_label.names: expected label ids 0..%zu, id %zu is missing", path, n - 1, i);
			if (json_is_integer(name)) {
				snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(name));
				name = json_string(buf);
			} else if (json_is_string(name)) {
				json_incref(name);
			} else {
				HFDS_FAIL(HFDS_EPARSE, err, "%s.class_label.names.%s: expected a string", path, keys[i]);
			}
			HFDS_FAIL_IF(json_array_append_new(list, name) < 0, HFDS_ENOMEM, err, "out of memory");
		}
		HFDS_FAIL_IF(json_object_set(cl, "names", list) < 0, HFDS_ENOMEM, err, "out of memory");
	}
done:
	json_decref(list);
	hfds_free(keys);
	return rc;
}

static int from_yaml_inner(json_t **out, json_t *obj, const char *path, int depth, hfds_error *err);

static int from_yaml_fields(json_t **out, json_t *list, const char *path, int depth, hfds_error *err)
{
	json_t *r = json_object(), *inner = NULL;
	char p[512];
	int rc = 0;
	HFDS_FAIL_IF(!r, HFDS_ENOMEM, err, "out of memory");
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i), *name, *copy;
		snprintf(p, sizeof(p), "%s[%zu]", path, i);
		HFDS_FAIL_IF(!json_is_object(e), HFDS_EPARSE, err, "%s: expected a mapping", p);
		name = json_object_get(e, "name");
		HFDS_FAIL_IF(!json_is_string(name), HFDS_EPARSE, err, "%s: missing \"name\"", p);
		snprintf(p, sizeof(p), "%s.%s", path, json_string_value(name));
		HFDS_FAIL_IF(!(copy = json_copy(e)), HFDS_ENOMEM, err, "out of memory");
		json_object_del(copy, "name");
		rc = from_yaml_inner(&inner, copy, p, depth + 1, err);
		json_decref(copy);
		HFDS_TRY(rc);
		HFDS_FAIL_IF(json_object_set_new(r, json_string_value(name), inner) < 0, HFDS_ENOMEM, err, "out of memory");
		inner = NULL;
	}
	*out = r;
	r = NULL;
done:
	json_decref(r);
	return rc;
}

static int from_yaml_inner(json_t **out, json_t *obj, const char *path, int depth, hfds_error *err)
{
	char camel[64];
	json_t *r = NULL, *feat = NULL;
	const char *type;
	int rc = 0;
	*out = NULL;
	HFDS_FAIL_IF(depth > HFDS_FEATURES_MAX_DEPTH, HFDS_ELIMIT, err, "%s: features nested deeper than %d levels",
		path, HFDS_FEATURES_MAX_DEPTH);
	if (json_is_array(obj))
		return from_yaml_fields(out, obj, path, depth, err);
	HFDS_FAIL_IF(!json_is_object(obj), HFDS_EPARSE, err, "%s: expected a mapping or a list of fields", path);
	if (json_object_size(obj) == 0) {
		*out = json_object();
		return *out ? 0 : hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	}
	type = json_object_iter_key(json_object_iter(obj));
	if (!strcmp(type, "large_list") || !strcmp(type, "sequence") || !strcmp(type, "list")) {
		const char *t = type[0] == 'l' && type[1] == 'a' ? "LargeList" : type[0] == 's' ? "Sequence" : "List";
		const char *k;
		json_t *v;
		HFDS_TRY(unsimplify(obj, path, err));
		HFDS_TRY(from_yaml_inner(&feat, json_object_get(obj, type), path, depth + 1, err));
		HFDS_FAIL_IF(!(r = json_object()) || json_object_set_new(r, "feature", feat) < 0, HFDS_ENOMEM, err,
			"out of memory");
		feat = NULL;
		json_object_foreach(obj, k, v)
			if (strcmp(k, type) != 0)
				json_object_set(r, k, v);
		json_object_set_new(r, "_type", json_string(t));
	} else if (!strcmp(type, "struct")) {
		return from_yaml_inner(out, json_object_get(obj, "struct"), path, depth + 1, err);
	} else if (!strcmp(type, "dtype")) {
		json_t *d = json_object_get(obj, "dtype");
		if (!json_is_string(d))
			return from_yaml_inner(out, d, path, depth + 1, err);
		hfds_feature probe;
		memset(&probe, 0, sizeof(probe));
		int prc = hfds_features__parse_dtype(&probe, json_string_value(d), NULL);
		hfds_free(probe.tz);
		hfds_free(probe.dtype_name);
		HFDS_FAIL_IF(prc == HFDS_ENOMEM, HFDS_ENOMEM, err, "out of memory");
		if (prc == 0 || prc == HFDS_EUNSUPPORTED) {
			HFDS_FAIL_IF(!(r = json_copy(obj)), HFDS_ENOMEM, err, "out of memory");
			json_object_set_new(r, "_type", json_string("Value"));
		} else {
			snake_to_camel(camel, sizeof(camel), json_string_value(d));
			r = json_pack("{ss}", "_type", camel);
		}
	} else {
		json_t *params;
		const char *k;
		json_t *v;
		HFDS_TRY(unsimplify(obj, path, err));
		params = json_object_get(obj, type);
		snake_to_camel(camel, sizeof(camel), type);
		r = json_pack("{ss}", "_type", camel);
		if (json_is_object(params))
			json_object_foreach(params, k, v)
				json_object_set(r, k, v);
	}
	HFDS_FAIL_IF(!r, HFDS_ENOMEM, err, "out of memory");
	*out = r;
	r = NULL;
done:
	json_decref(r);
	json_decref(feat);
	return rc;
}

int hfds_features_from_yaml(hfds_features **out, const hfds_fnode *list, hfds_error *err)
{
	json_t *j = NULL, *dict = NULL;
	hfds_feature *root = NULL;
	hfds_features *f = NULL;
	int rc = 0;
	*out = NULL;
	HFDS_FAIL_IF(!list || list->kind != HFDS_FNODE_SEQ, HFDS_EPARSE, err, "features: expected a list of fields");
	HFDS_FAIL_IF(!(j = to_json(list, 0)), HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(from_yaml_fields(&dict, j, "features", 0, err));
	HFDS_TRY(hfds_features__from_dict(&root, dict, "features", 0, err));
	HFDS_FAIL_IF(root->kind != HFDS_FEATURE_STRUCT, HFDS_EPARSE, err, "features: expected a list of fields");
	HFDS_FAIL_IF(!(f = hfds_calloc(1, sizeof(*f))), HFDS_ENOMEM, err, "out of memory");
	f->root = root;
	root = NULL;
	*out = f;
done:
	hfds_feature_free(root);
	json_decref(j);
	json_decref(dict);
	return rc;
}
