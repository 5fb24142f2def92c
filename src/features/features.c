/*
 * The feature tree: constructors, accessors, copy, free, dtype strings and equality.
 * Constructors take ownership of their child arguments so calls nest; a NULL child
 * propagates as NULL (out of memory somewhere below).
 */
#include "features/features.h"
#include "util/alloc.h"
#include "util/try.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const dtype_names[] = {
	[HFDS_DTYPE_NULL] = "null", [HFDS_DTYPE_BOOL] = "bool",
	[HFDS_DTYPE_INT8] = "int8", [HFDS_DTYPE_INT16] = "int16", [HFDS_DTYPE_INT32] = "int32",
	[HFDS_DTYPE_INT64] = "int64", [HFDS_DTYPE_UINT8] = "uint8", [HFDS_DTYPE_UINT16] = "uint16",
	[HFDS_DTYPE_UINT32] = "uint32", [HFDS_DTYPE_UINT64] = "uint64",
	[HFDS_DTYPE_FLOAT16] = "float16", [HFDS_DTYPE_FLOAT32] = "float32", [HFDS_DTYPE_FLOAT64] = "float64",
	[HFDS_DTYPE_STRING] = "string", [HFDS_DTYPE_LARGE_STRING] = "large_string",
	[HFDS_DTYPE_BINARY] = "binary", [HFDS_DTYPE_LARGE_BINARY] = "large_binary",
	[HFDS_DTYPE_DATE32] = "date32", [HFDS_DTYPE_TIMESTAMP] = "timestamp",
};

static const char *const unit_names[] = {"s", "ms", "us", "ns"};

const char *hfds_features__dtype_base(hfds_dtype d)
{
	if (d < HFDS_DTYPE_NULL || d > HFDS_DTYPE_TIMESTAMP)
		return NULL;
	return dtype_names[d];
}

static hfds_feature *node_new(hfds_feature_kind kind)
{
	hfds_feature *f = hfds_calloc(1, sizeof(*f));
	if (f) {
		f->kind = kind;
		f->length = -1;
		f->decode = 1;
	}
	return f;
}

/* Sets dtype_name from dtype/unit/tz. */
static int name_dtype(hfds_feature *f)
{
	char buf[256];
	if (f->dtype == HFDS_DTYPE_TIMESTAMP && f->tz)
		snprintf(buf, sizeof(buf), "timestamp[%s, tz=%s]", unit_names[f->unit], f->tz);
	else if (f->dtype == HFDS_DTYPE_TIMESTAMP)
		snprintf(buf, sizeof(buf), "timestamp[%s]", unit_names[f->unit]);
	else
		snprintf(buf, sizeof(buf), "%s", dtype_names[f->dtype]);
	hfds_free(f->dtype_name);
	f->dtype_name = hfds_strdup(buf);
	return f->dtype_name ? 0 : -1;
}

hfds_feature *hfds_feature_value(hfds_dtype dtype)
{
	hfds_feature *f;
	if (!hfds_features__dtype_base(dtype) || dtype == HFDS_DTYPE_TIMESTAMP)
		return NULL;
	if (!(f = node_new(HFDS_FEATURE_VALUE)))
		return NULL;
	f->dtype = dtype;
	if (name_dtype(f) < 0) {
		hfds_feature_free(f);
		return NULL;
	}
	return f;
}

hfds_feature *hfds_feature_timestamp(hfds_arrow_time_unit unit, const char *tz)
{
	hfds_feature *f = node_new(HFDS_FEATURE_VALUE);
	if (!f || unit < HFDS_ARROW_SECOND || unit > HFDS_ARROW_NANO)
		goto fail;
	f->dtype = HFDS_DTYPE_TIMESTAMP;
	f->unit = unit;
	if (tz && !(f->tz = hfds_strdup(tz)))
		goto fail;
	if (name_dtype(f) < 0)
		goto fail;
	return f;
fail:
	hfds_feature_free(f);
	return NULL;
}

static int set_names(hfds_feature *f, const char *const *names, size_t n)
{
	if (n == 0)
		return 0;
	if (!(f->names = hfds_calloc(n, sizeof(char *))))
		return -1;
	f->count = n;
	for (size_t i = 0; i < n; i++)
		if (!(f->names[i] = hfds_strdup(names[i])))
			return -1;
	return 0;
}

hfds_feature *hfds_feature_class_label(const char *const *names, size_t n)
{
	hfds_feature *f = node_new(HFDS_FEATURE_CLASS_LABEL);
	if (f && set_names(f, names, n) < 0) {
		hfds_feature_free(f);
		return NULL;
	}
	return f;
}

hfds_feature *hfds_feature_list(hfds_feature *item, int64_t length)
{
	hfds_feature *f;
	if (!item || length < -1 || !(f = node_new(HFDS_FEATURE_LIST))) {
		hfds_feature_free(item);
		return NULL;
	}
	f->item = item;
	f->length = length;
	return f;
}

hfds_feature *hfds_feature_large_list(hfds_feature *item)
{
	hfds_feature *f;
	if (!item || !(f = node_new(HFDS_FEATURE_LARGE_LIST))) {
		hfds_feature_free(item);
		return NULL;
	}
	f->item = item;
	return f;
}

hfds_feature *hfds_feature_struct(void)
{
	return node_new(HFDS_FEATURE_STRUCT);
}

int hfds_feature_struct_add(hfds_feature *s, const char *name, hfds_feature *child, hfds_error *err)
{
	char **names = NULL;
	hfds_feature **kids = NULL;
	int rc = 0;
	if (!child)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory building feature '%s'", name);
	HFDS_FAIL_IF(!s || s->kind != HFDS_FEATURE_STRUCT, HFDS_EINVAL, err, "feature '%s': parent is not a struct", name);
	for (size_t i = 0; i < s->count; i++)
		HFDS_FAIL_IF(strcmp(s->names[i], name) == 0, HFDS_EEXISTS, err, "duplicate column '%s'", name);
	names = hfds_reallocarray(s->names, s->count + 1, sizeof(*names));
	HFDS_FAIL_IF(!names, HFDS_ENOMEM, err, "out of memory");
	s->names = names;
	kids = hfds_reallocarray(s->children, s->count + 1, sizeof(*kids));
	HFDS_FAIL_IF(!kids, HFDS_ENOMEM, err, "out of memory");
	s->children = kids;
	HFDS_FAIL_IF(!(s->names[s->count] = hfds_strdup(name)), HFDS_ENOMEM, err, "out of memory");
	s->children[s->count++] = child;
	child = NULL;
done:
	hfds_feature_free(child);
	return rc;
}

hfds_feature *hfds_feature_array(int ndim, const int64_t *shape, hfds_dtype dtype)
{
	hfds_feature *f;
	if (ndim < 2 || ndim > 5 || !hfds_features__dtype_base(dtype) || dtype == HFDS_DTYPE_TIMESTAMP
		|| dtype == HFDS_DTYPE_NULL)
		return NULL;
	for (int i = 0; i < ndim; i++)
		if (shape[i] < (i == 0 ? -1 : 0))
			return NULL;
	if (!(f = node_new(HFDS_FEATURE_ARRAY)))
		return NULL;
	f->ndim = ndim;
	memcpy(f->shape, shape, (size_t)ndim * sizeof(int64_t));
	f->dtype = dtype;
	if (name_dtype(f) < 0) {
		hfds_feature_free(f);
		return NULL;
	}
	return f;
}

hfds_feature *hfds_feature_audio(int64_t sampling_rate)
{
	hfds_feature *f = node_new(HFDS_FEATURE_AUDIO);
	if (f)
		f->sampling_rate = sampling_rate > 0 ? sampling_rate : 0;
	return f;
}

hfds_feature *hfds_feature_image(const char *mode)
{
	hfds_feature *f = node_new(HFDS_FEATURE_IMAGE);
	if (f && mode && !(f->mode = hfds_strdup(mode))) {
		hfds_feature_free(f);
		return NULL;
	}
	return f;
}

hfds_feature *hfds_feature_video(void)
{
	return node_new(HFDS_FEATURE_VIDEO);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

hfds_feature *hfds_feature_translation(const char *const *languages, size_t n)
{
	hfds_feature *f = node_new(HFDS_FEATURE_TRANSLATION);
	if (f && set_names(f, languages, n) < 0) {
		hfds_feature_free(f);
		return NULL;
	}
	/* datasets sorts the languages in __post_init__ */
	if (f && n > 1)
		qsort(f->names, n, sizeof(char *), cmp_str);
	return f;
}

hfds_feature *hfds_feature_json(void)
{
	return node_new(HFDS_FEATURE_JSON);
}

void hfds_feature_set_decode(hfds_feature *f, int decode)
{
	if (f)
		f->decode = decode != 0;
}

int hfds_features__parse_dtype(hfds_feature *f, const char *s, hfds_error *err)
{
	static const struct { const char *alias, *name; } aliases[] = {{"float", "float32"}, {"double", "float64"}};
	static const char *const known_unsupported[] = {"date64", "time32", "time64", "duration", "decimal",
		"large_list", "list", "struct", "dictionary", "string_view", "binary_view", "halffloat", "utf8",
		"large_utf8"};
	f->kind = HFDS_FEATURE_VALUE;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(s, aliases[i].alias) == 0)
			s = aliases[i].name;
	for (int d = HFDS_DTYPE_NULL; d < HFDS_DTYPE_TIMESTAMP; d++) {
		if (strcmp(s, dtype_names[d]) == 0) {
			f->dtype = (hfds_dtype)d;
			return name_dtype(f) < 0 ? hfds_error_set(err, HFDS_ENOMEM, "out of memory") : 0;
		}
	}
	if (strncmp(s, "timestamp[", 10) == 0) {
		const char *u = s + 10, *end = strchr(u, ']');
		size_t ul = strcspn(u, ",]");
		int unit = -1;
		for (int i = 0; i < 4; i++)
			if (strlen(unit_names[i]) == ul && strncmp(u, unit_names[i], ul) == 0)
				unit = i;
		if (unit < 0 || !end || end[1])
			return hfds_error_set(err, HFDS_EPARSE, "invalid dtype '%s'", s);
		f->dtype = HFDS_DTYPE_TIMESTAMP;
		f->unit = (hfds_arrow_time_unit)unit;
		if (u[ul] == ',') {
			const char *tz = u + ul + 1;
			while (*tz == ' ')
				tz++;
			if (strncmp(tz, "tz=", 3) != 0 || end == tz + 3)
				return hfds_error_set(err, HFDS_EPARSE, "invalid dtype '%s'", s);
			if (!(f->tz = hfds_strndup(tz + 3, (size_t)(end - tz - 3))))
				return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		}
		return name_dtype(f) < 0 ? hfds_error_set(err, HFDS_ENOMEM, "out of memory") : 0;
	}
	for (size_t i = 0; i < sizeof(known_unsupported) / sizeof(known_unsupported[0]); i++)
		if (strncmp(s, known_unsupported[i], strlen(known_unsupported[i])) == 0)
			return hfds_error_set(err, HFDS_EUNSUPPORTED, "dtype '%s' is not supported by hfds", s);
	return hfds_error_set(err, HFDS_EPARSE, "unknown dtype '%s'", s);
}

int hfds_feature_value_parse(hfds_feature **out, const char *dtype, hfds_error *err)
{
	hfds_feature *f = node_new(HFDS_FEATURE_VALUE);
	int rc;
	*out = NULL;
	if (!f)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	if ((rc = hfds_features__parse_dtype(f, dtype, err)) < 0) {
		hfds_feature_free(f);
		return rc;
	}
	*out = f;
	return 0;
}

void hfds_feature_free(hfds_feature *f)
{
	if (!f)
		return;
	hfds_feature_free(f->item);
	for (size_t i = 0; i < f->count; i++) {
		if (f->names)
			hfds_free(f->names[i]);
		if (f->children)
			hfds_feature_free(f->children[i]);
	}
	hfds_free(f->names);
	hfds_free(f->children);
	hfds_free(f->type_name);
	hfds_free(f->tz);
	hfds_free(f->dtype_name);
	hfds_free(f->mode);
	hfds_free(f->id);
	if (f->extra)
		json_decref(f->extra);
	hfds_free(f);
}

static char *dup_or_null(const char *s, int *fail)
{
	char *r;
	if (!s)
		return NULL;
	if (!(r = hfds_strdup(s)))
		*fail = 1;
	return r;
}

static hfds_feature *copy_node(const hfds_feature *f, int depth)
{
	hfds_feature *c;
	int fail = 0;
	if (!f || depth > HFDS_FEATURES_MAX_DEPTH || !(c = hfds_calloc(1, sizeof(*c))))
		return NULL;
	*c = *f;
	c->item = NULL;
	c->names = NULL;
	c->children = NULL;
	c->count = 0;
	c->type_name = dup_or_null(f->type_name, &fail);
	c->tz = dup_or_null(f->tz, &fail);
	c->dtype_name = dup_or_null(f->dtype_name, &fail);
	c->mode = dup_or_null(f->mode, &fail);
	c->id = dup_or_null(f->id, &fail);
	c->extra = f->extra ? json_deep_copy(f->extra) : NULL;
	fail |= f->extra && !c->extra;
	if (f->item && !(c->item = copy_node(f->item, depth + 1)))
		fail = 1;
	if (f->count) {
		c->names = hfds_calloc(f->count, sizeof(char *));
		c->children = f->children ? hfds_calloc(f->count, sizeof(hfds_feature *)) : NULL;
		if (!c->names || (f->children && !c->children))
			fail = 1;
		else {
			c->count = f->count;
			for (size_t i = 0; i < f->count; i++) {
				fail |= !(c->names[i] = hfds_strdup(f->names[i]));
				if (f->children)
					fail |= !(c->children[i] = copy_node(f->children[i], depth + 1));
			}
		}
	}
	if (fail) {
		hfds_feature_free(c);
		return NULL;
	}
	return c;
}

int hfds_feature_copy(hfds_feature **out, const hfds_feature *f, hfds_error *err)
{
	*out = copy_node(f, 0);
	return *out ? 0 : hfds_error_set(err, HFDS_ENOMEM, "out of memory copying features");
}

/* ---- accessors ---- */

hfds_feature_kind hfds_feature_get_kind(const hfds_feature *f)
{
	return f->kind;
}

const char *hfds_feature_type_name(const hfds_feature *f)
{
	static const char *const arrays[] = {"Array2D", "Array3D", "Array4D", "Array5D"};
	switch (f->kind) {
	case HFDS_FEATURE_VALUE: return "Value";
	case HFDS_FEATURE_CLASS_LABEL: return "ClassLabel";
	case HFDS_FEATURE_LIST: return "List";
	case HFDS_FEATURE_LARGE_LIST: return "LargeList";
	case HFDS_FEATURE_STRUCT: return "";
	case HFDS_FEATURE_ARRAY: return arrays[f->ndim - 2];
	case HFDS_FEATURE_AUDIO: return "Audio";
	case HFDS_FEATURE_IMAGE: return "Image";
	case HFDS_FEATURE_VIDEO: return "Video";
	case HFDS_FEATURE_MEDIA: return f->type_name;
	case HFDS_FEATURE_TRANSLATION: return "Translation";
	case HFDS_FEATURE_JSON: return "Json";
	}
	return "";
}

hfds_dtype hfds_feature_dtype(const hfds_feature *f)
{
	return f->kind == HFDS_FEATURE_VALUE || f->kind == HFDS_FEATURE_ARRAY ? f->dtype : 0;
}

const char *hfds_feature_dtype_name(const hfds_feature *f)
{
	return f->dtype_name;
}

hfds_arrow_time_unit hfds_feature_time_unit(const hfds_feature *f)
{
	return f->unit;
}

const char *hfds_feature_timezone(const hfds_feature *f)
{
	return f->tz;
}

const hfds_feature *hfds_feature_item(const hfds_feature *f)
{
	return f->item;
}

int64_t hfds_feature_length(const hfds_feature *f)
{
	return f->kind == HFDS_FEATURE_LIST ? f->length : -1;
}

size_t hfds_feature_count(const hfds_feature *f)
{
	return f->count;
}

const char *hfds_feature_name_at(const hfds_feature *f, size_t i)
{
	return i < f->count ? f->names[i] : NULL;
}

const hfds_feature *hfds_feature_child_at(const hfds_feature *f, size_t i)
{
	return f->children && i < f->count ? f->children[i] : NULL;
}

int hfds_feature_ndim(const hfds_feature *f)
{
	return f->ndim;
}

const int64_t *hfds_feature_shape(const hfds_feature *f)
{
	return f->shape;
}

int64_t hfds_feature_sampling_rate(const hfds_feature *f)
{
	return f->sampling_rate;
}

const char *hfds_feature_mode(const hfds_feature *f)
{
	return f->mode;
}

int hfds_feature_decode(const hfds_feature *f)
{
	return f->decode;
}

/* ---- the top-level dict ---- */

hfds_features *hfds_features_new(void)
{
	hfds_features *f = hfds_calloc(1, sizeof(*f));
	if (f && !(f->root = hfds_feature_struct())) {
		hfds_free(f);
		return NULL;
	}
	return f;
}

void hfds_features_free(hfds_features *f)
{
	if (!f)
		return;
	hfds_feature_free(f->root);
	hfds_free(f);
}

int hfds_features_copy(hfds_features **out, const hfds_features *f, hfds_error *err)
{
	hfds_features *c = hfds_calloc(1, sizeof(*c));
	*out = NULL;
	if (!c || !(c->root = copy_node(f->root, 0))) {
		hfds_free(c);
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory copying features");
	}
	*out = c;
	return 0;
}

int hfds_features_add(hfds_features *f, const char *name, hfds_feature *feature, hfds_error *err)
{
	return hfds_feature_struct_add(f->root, name, feature, err);
}

size_t hfds_features_count(const hfds_features *f)
{
	return f->root->count;
}

const char *hfds_features_name_at(const hfds_features *f, size_t i)
{
	return hfds_feature_name_at(f->root, i);
}

const hfds_feature *hfds_features_at(const hfds_features *f, size_t i)
{
	return hfds_feature_child_at(f->root, i);
}

const hfds_feature *hfds_features_find(const hfds_features *f, const char *name)
{
	for (size_t i = 0; i < f->root->count; i++)
		if (strcmp(f->root->names[i], name) == 0)
			return f->root->children[i];
	return NULL;
}

const hfds_feature *hfds_features_root(const hfds_features *f)
{
	return f->root;
}

/* ---- equality: two features are equal when their to_dict forms are ---- */

int hfds_feature_equal(const hfds_feature *a, const hfds_feature *b)
{
	json_t *ja = hfds_features__to_dict(a, 0), *jb = hfds_features__to_dict(b, 0);
	int eq = ja && jb && json_equal(ja, jb);
	/* json_equal ignores object key order; struct field order matters to datasets */
	if (eq && a->kind == HFDS_FEATURE_STRUCT) {
		for (size_t i = 0; i < a->count && eq; i++)
			eq = strcmp(a->names[i], b->names[i]) == 0 && hfds_feature_equal(a->children[i], b->children[i]);
	} else if (eq && (a->kind == HFDS_FEATURE_LIST || a->kind == HFDS_FEATURE_LARGE_LIST)) {
		eq = hfds_feature_equal(a->item, b->item);
	}
	json_decref(ja);
	json_decref(jb);
	return eq;
}

int hfds_features_equal(const hfds_features *a, const hfds_features *b)
{
	return hfds_feature_equal(a->root, b->root);
}

static char *short_json(const hfds_feature *f)
{
	char *s = NULL;
	if (hfds_feature_to_json(&s, NULL, f, 0, NULL) < 0)
		return NULL;
	if (strlen(s) > 160)
		strcpy(s + 150, "...");
	return s;
}

int hfds_features_compare(const hfds_features *a, const hfds_features *b, hfds_error *err)
{
	const hfds_feature *ra = a->root, *rb = b->root;
	int rc = 0;
	char *ta = NULL, *tb = NULL;
	for (size_t i = 0; i < ra->count; i++) {
		const hfds_feature *fb = hfds_features_find(b, ra->names[i]);
		HFDS_FAIL_IF(!fb, HFDS_ECONFLICT, err, "column '%s' is missing from the second", ra->names[i]);
		if (!hfds_feature_equal(ra->children[i], fb)) {
			ta = short_json(ra->children[i]);
			tb = short_json(fb);
			HFDS_FAIL(HFDS_ECONFLICT, err, "column '%s': %s vs %s", ra->names[i], ta ? ta : "?", tb ? tb : "?");
		}
	}
	for (size_t i = 0; i < rb->count; i++)
		HFDS_FAIL_IF(!hfds_features_find(a, rb->names[i]), HFDS_ECONFLICT, err,
			"column '%s' is missing from the first", rb->names[i]);
	for (size_t i = 0; i < ra->count; i++)
		HFDS_FAIL_IF(strcmp(ra->names[i], rb->names[i]) != 0, HFDS_ECONFLICT, err,
			"columns in a different order: '%s' vs '%s' at position %zu", ra->names[i], rb->names[i], i);
done:
	hfds_free(ta);
	hfds_free(tb);
	return rc;
}
