/*
 * Features <-> the JSON of `Features.to_dict()`.
 *
 * Printing builds the to_dict tree in jansson (objects keep insertion order) and dumps
 * it like Python's json.dumps with default arguments: ", " and ": " separators,
 * ensure_ascii escapes (util/json.h), integers in decimal, floats as repr(). Field order
 * follows the dataclass declarations; fields equal to their default are left out, and
 * "_type" comes last.
 * Parsing follows datasets' generate_from_dict, which accepts what older versions wrote.
 */
#include "features/features.h"
#include "util/alloc.h"
#include "util/clocale.h"
#include "util/json.h"
#include "util/try.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- to_dict ---- */

static int set_new(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

static json_t *str_array(char *const *s, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(s[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *hfds_features__to_dict(const hfds_feature *f, unsigned flags)
{
	json_t *o = json_object(), *v;
	const char *type = hfds_feature_type_name(f);
	int bad = !o;
	if (bad)
		return NULL;
	switch (f->kind) {
	case HFDS_FEATURE_VALUE:
		bad |= set_new(o, "dtype", json_string(f->dtype_name)) < 0;
		break;
	case HFDS_FEATURE_CLASS_LABEL:
		if (f->count)
			bad |= set_new(o, "names", str_array(f->names, f->count)) < 0;
		break;
	case HFDS_FEATURE_LIST:
		if ((flags & HFDS_FEATURES_SEQUENCE) && f->item->kind == HFDS_FEATURE_STRUCT && f->length < 0) {
			/* the legacy [dict] form: readers < 4.0 read it as a list of structs */
			json_decref(o);
			o = json_array();
			if (!o || json_array_append_new(o, hfds_features__to_dict(f->item, flags)) < 0) {
				json_decref(o);
				return NULL;
			}
			return o;
		}
		if ((flags & HFDS_FEATURES_SEQUENCE) && f->item->kind != HFDS_FEATURE_STRUCT)
			type = "Sequence";
		bad |= set_new(o, "feature", hfds_features__to_dict(f->item, flags)) < 0;
		if (f->length >= 0)
			bad |= set_new(o, "length", json_integer(f->length)) < 0;
		break;
	case HFDS_FEATURE_LARGE_LIST:
		bad |= set_new(o, "feature", hfds_features__to_dict(f->item, flags)) < 0;
		break;
	case HFDS_FEATURE_STRUCT:
		for (size_t i = 0; i < f->count && !bad; i++)
			bad |= set_new(o, f->names[i], hfds_features__to_dict(f->children[i], flags)) < 0;
		if (bad) {
			json_decref(o);
			return NULL;
		}
		return o;
	case HFDS_FEATURE_ARRAY:
		v = json_array();
		for (int i = 0; v && i < f->ndim; i++)
			bad |= json_array_append_new(v, f->shape[i] < 0 ? json_null() : json_integer(f->shape[i])) < 0;
		bad |= set_new(o, "shape", v) < 0;
		bad |= set_new(o, "dtype", json_string(f->dtype_name)) < 0;
		break;
	case HFDS_FEATURE_AUDIO:
		if (f->sampling_rate > 0)
			bad |= set_new(o, "sampling_rate", json_integer(f->sampling_rate)) < 0;
		break;
	case HFDS_FEATURE_IMAGE:
		if (f->mode)
			bad |= set_new(o, "mode", json_string(f->mode)) < 0;
		break;
	case HFDS_FEATURE_TRANSLATION:
		bad |= set_new(o, "languages", str_array(f->names, f->count)) < 0;
		break;
	default:
		break;
	}
	if ((f->kind == HFDS_FEATURE_AUDIO || f->kind == HFDS_FEATURE_IMAGE || f->kind == HFDS_FEATURE_VIDEO
		|| f->kind == HFDS_FEATURE_MEDIA) && !f->decode)
		bad |= set_new(o, "decode", json_false()) < 0;
	if (f->extra) {
		const char *k;
		json_t *x;
		json_object_foreach(f->extra, k, x)
			bad |= set_new(o, k, json_deep_copy(x)) < 0;
	}
	if (f->id)
		bad |= set_new(o, "id", json_string(f->id)) < 0;
	bad |= set_new(o, "_type", json_string(type)) < 0;
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- json.dumps ---- */

/* Python's repr(float): the shortest digits that read back as d, positional for decimal
 * exponents in [-4, 16), scientific otherwise. */
static int dump_real(hfds_buf *b, double d, hfds_error *err)
{
	char tmp[64];
	int prec = 1, exp;
	if (isnan(d))
		return hfds_buf_append_str(b, "NaN", err);
	if (isinf(d))
		return hfds_buf_append_str(b, d < 0 ? "-Infinity" : "Infinity", err);
	for (; prec < 17; prec++) {
		hfds_snprintf_c(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (hfds_strtod_c(tmp, NULL) == d)
			break;
	}
	hfds_snprintf_c(tmp, sizeof(tmp), "%.*e", prec - 1, d);
	exp = (int)strtol(strchr(tmp, 'e') + 1, NULL, 10);
	if (exp >= -4 && exp < 16) {
		int decimals = prec - 1 - exp;
		hfds_snprintf_c(tmp, sizeof(tmp), "%.*f", decimals > 0 ? decimals : 0, d);
		if (!strchr(tmp, '.'))
			strcat(tmp, ".0");
	}
	return hfds_buf_append_str(b, tmp, err);
}

int hfds_features__dump(hfds_buf *b, const json_t *v, hfds_error *err)
{
	int rc = 0;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *x;
		int first = 1;
		HFDS_TRY(hfds_buf_append_byte(b, '{', err));
		json_object_foreach((json_t *)v, k, x) {
			if (!first)
				HFDS_TRY(hfds_buf_append(b, ", ", 2, err));
			first = 0;
			HFDS_TRY(hfds_json_append_string(b, k, strlen(k), HFDS_JSON_ASCII, err));
			HFDS_TRY(hfds_buf_append(b, ": ", 2, err));
			HFDS_TRY(hfds_features__dump(b, x, err));
		}
		HFDS_TRY(hfds_buf_append_byte(b, '}', err));
		break;
	}
	case JSON_ARRAY:
		HFDS_TRY(hfds_buf_append_byte(b, '[', err));
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				HFDS_TRY(hfds_buf_append(b, ", ", 2, err));
			HFDS_TRY(hfds_features__dump(b, json_array_get(v, i), err));
		}
		HFDS_TRY(hfds_buf_append_byte(b, ']', err));
		break;
	case JSON_STRING:
		HFDS_TRY(hfds_json_append_string(b, json_string_value(v), json_string_length(v), HFDS_JSON_ASCII, err));
		break;
	case JSON_INTEGER:
		HFDS_TRY(hfds_buf_printf(b, err, "%lld", (long long)json_integer_value(v)));
		break;
	case JSON_REAL:
		HFDS_TRY(dump_real(b, json_real_value(v), err));
		break;
	case JSON_TRUE:
		HFDS_TRY(hfds_buf_append_str(b, "true", err));
		break;
	case JSON_FALSE:
		HFDS_TRY(hfds_buf_append_str(b, "false", err));
		break;
	case JSON_NULL:
		HFDS_TRY(hfds_buf_append_str(b, "null", err));
		break;
	}
done:
	return rc;
}

static int dump_text(char **out, size_t *len_out, json_t *v, hfds_error *err)
{
	hfds_buf b;
	int rc = 0;
	hfds_buf_init(&b, 0);
	*out = NULL;
	HFDS_FAIL_IF(!v, HFDS_ENOMEM, err, "out of memory printing features");
	HFDS_TRY(hfds_features__dump(&b, v, err));
	HFDS_TRY(hfds_buf_cstr(&b, err));
	if (len_out)
		*len_out = b.len;
	*out = (char *)hfds_buf_detach(&b, NULL);
done:
	hfds_buf_release(&b);
	json_decref(v);
	return rc;
}

int hfds_feature_to_json(char **out, size_t *len_out, const hfds_feature *f, unsigned flags, hfds_error *err)
{
	return dump_text(out, len_out, hfds_features__to_dict(f, flags), err);
}

int hfds_features_to_json(char **out, size_t *len_out, const hfds_features *f, unsigned flags, hfds_error *err)
{
	return dump_text(out, len_out, hfds_features__to_dict(f->root, flags), err);
}

int hfds_features_hf_metadata(char **out, size_t *len_out, const hfds_features *f, unsigned flags, hfds_error *err)
{
	json_t *top = json_object(), *info = json_object();
	json_t *feat = hfds_features__to_dict(f->root, flags);
	if (!top || !info || !feat || json_object_set_new(info, "features", feat) < 0) {
		json_decref(top);
		json_decref(info);
		return dump_text(out, len_out, NULL, err);
	}
	if (json_object_set_new(top, "info", info) < 0) {
		json_decref(top);
		return dump_text(out, len_out, NULL, err);
	}
	return dump_text(out, len_out, top, err);
}

/* ---- from_dict ---- */

static const char *jtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static const char *sub(char *buf, size_t size, const char *path, const char *key)
{
	snprintf(buf, size, "%s.%s", path, key);
	return buf;
}

static int want(const json_t *v, json_type t, const char *path, const char *key, const char *what, hfds_error *err)
{
	if (v && json_typeof(v) == t)
		return 0;
	if (!v)
		return hfds_error_set(err, HFDS_EPARSE, "%s: missing \"%s\"", path, key);
	return hfds_error_set(err, HFDS_EPARSE, "%s.%s: expected %s, found %s", path, key, what, jtype(v));
}

static int get_int(const json_t *o, const char *key, int64_t *out, const char *path, hfds_error *err)
{
	const json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return hfds_error_set(err, HFDS_EPARSE, "%s.%s: expected an integer, found %s", path, key, jtype(v));
	*out = json_integer_value(v);
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* datasets refuses a ClassLabel whose names repeat ("Some label names are duplicated"):
 * so do we, in O(n log n) on a sorted copy (names may number a million). */
static int check_unique(const hfds_feature *f, const char *path, hfds_error *err)
{
	int rc = 0;
	const char **v = NULL;
	if (f->count < 2)
		return 0;
	v = hfds_calloc(f->count, sizeof(*v));
	HFDS_FAIL_IF(!v, HFDS_ENOMEM, err, "out of memory");
	memcpy(v, f->names, f->count * sizeof(*v));
	qsort(v, f->count, sizeof(*v), cmp_str);
	for (size_t i = 1; i < f->count; i++)
		HFDS_FAIL_IF(!strcmp(v[i - 1], v[i]), HFDS_EPARSE, err, "%s.names: the name '%s' appears more than once",
			path, v[i]);
done:
	hfds_free(v);
	return rc;
}

static int get_names(hfds_feature *f, const json_t *a, const char *path, const char *key, hfds_error *err)
{
	int rc = 0;
	HFDS_TRY(want(a, JSON_ARRAY, path, key, "an array of strings", err));
	f->count = 0;
	if (json_array_size(a) == 0)
		return 0;
	f->names = hfds_calloc(json_array_size(a), sizeof(char *));
	HFDS_FAIL_IF(!f->names, HFDS_ENOMEM, err, "out of memory");
	for (size_t i = 0; i < json_array_size(a); i++) {
		const json_t *s = json_array_get(a, i);
		HFDS_FAIL_IF(!json_is_string(s), HFDS_EPARSE, err, "%s.%s[%zu]: expected a string, found %s",
			path, key, i, jtype(s));
		HFDS_FAIL_IF(!(f->names[i] = hfds_strdup(json_string_value(s))), HFDS_ENOMEM, err, "out of memory");
		f->count++;
	}
done:
	return rc;
}

/* decode + other non-null fields of a media feature; `known` are handled by the caller. */
static int media_fields(hfds_feature *f, const json_t *o, const char *const *known, const char *path, hfds_error *err)
{
	const char *k;
	json_t *v;
	int rc = 0;
	json_object_foreach((json_t *)o, k, v) {
		int skip = strcmp(k, "_type") == 0 || strcmp(k, "id") == 0 || json_is_null(v);
		for (size_t i = 0; known && known[i]; i++)
			skip |= strcmp(k, known[i]) == 0;
		if (skip)
			continue;
		if (strcmp(k, "decode") == 0) {
			HFDS_FAIL_IF(!json_is_boolean(v), HFDS_EPARSE, err, "%s.decode: expected a boolean, found %s", path, jtype(v));
			f->decode = json_is_true(v);
			continue;
		}
		if (!f->extra)
			HFDS_FAIL_IF(!(f->extra = json_object()), HFDS_ENOMEM, err, "out of memory");
		HFDS_FAIL_IF(json_object_set(f->extra, k, v) < 0, HFDS_ENOMEM, err, "out of memory");
	}
done:
	return rc;
}

static hfds_feature *new_node(hfds_feature_kind kind)
{
	hfds_feature *f = hfds_calloc(1, sizeof(*f));
	if (f) {
		f->kind = kind;
		f->length = -1;
		f->decode = 1;
	}
	return f;
}

static int parse_struct(hfds_feature **out, const json_t *o, const char *path, int depth, hfds_error *err)
{
	char p[512];
	const char *k;
	json_t *v;
	hfds_feature *s = hfds_feature_struct(), *c = NULL;
	int rc = 0;
	HFDS_FAIL_IF(!s, HFDS_ENOMEM, err, "out of memory");
	json_object_foreach((json_t *)o, k, v) {
		HFDS_TRY(hfds_features__from_dict(&c, v, sub(p, sizeof(p), path, k), depth + 1, err));
		rc = hfds_feature_struct_add(s, k, c, err);
		c = NULL; /* owned by the parent now, or freed */
		HFDS_TRY(rc);
	}
	*out = s;
	s = NULL;
done:
	hfds_feature_free(s);
	return rc;
}

static int parse_list(hfds_feature **out, const json_t *o, const char *type, const char *path, int depth,
	hfds_error *err)
{
	char p[512];
	hfds_feature *item = NULL, *f = NULL;
	int64_t length = -1;
	int rc = 0;
	const json_t *feat = json_object_get(o, "feature");
	HFDS_FAIL_IF(!feat, HFDS_EPARSE, err, "%s: missing \"feature\"", path);
	HFDS_TRY(hfds_features__from_dict(&item, feat, sub(p, sizeof(p), path, "feature"), depth + 1, err));
	if (strcmp(type, "LargeList") != 0) {
		HFDS_TRY(get_int(o, "length", &length, path, err));
		HFDS_FAIL_IF(length < -1, HFDS_EPARSE, err, "%s.length: invalid length %lld", path, (long long)length);
	}
	if (strcmp(type, "Sequence") == 0 && item->kind == HFDS_FEATURE_STRUCT) {
		/* datasets >= 4: Sequence of a dict is a dict of lists */
		for (size_t i = 0; i < item->count; i++) {
			item->children[i] = hfds_feature_list(item->children[i], length);
			HFDS_FAIL_IF(!item->children[i], HFDS_ENOMEM, err, "out of memory");
		}
		*out = item;
		return 0;
	}
	f = strcmp(type, "LargeList") == 0 ? hfds_feature_large_list(item) : hfds_feature_list(item, length);
	item = NULL;
	HFDS_FAIL_IF(!f, HFDS_ENOMEM, err, "out of memory");
	*out = f;
done:
	hfds_feature_free(item);
	return rc;
}

int hfds_features__from_dict(hfds_feature **out, const json_t *v, const char *path, int depth, hfds_error *err)
{
	static const char *const media[] = {"Pdf", "Nifti", "Mesh"};
	char p[512];
	hfds_feature *f = NULL;
	const json_t *t, *id;
	const char *type;
	int rc = 0;
	*out = NULL;
	HFDS_FAIL_IF(depth > HFDS_FEATURES_MAX_DEPTH, HFDS_ELIMIT, err, "%s: features nested deeper than %d levels",
		path, HFDS_FEATURES_MAX_DEPTH);
	if (json_is_array(v)) {
		hfds_feature *item = NULL;
		HFDS_FAIL_IF(json_array_size(v) != 1, HFDS_EPARSE, err, "%s: a list feature needs exactly one element, found %zu",
			path, json_array_size(v));
		snprintf(p, sizeof(p), "%s[0]", path);
		HFDS_TRY(hfds_features__from_dict(&item, json_array_get(v, 0), p, depth + 1, err));
		HFDS_FAIL_IF(!(*out = hfds_feature_list(item, -1)), HFDS_ENOMEM, err, "out of memory");
		return 0;
	}
	HFDS_FAIL_IF(!json_is_object(v), HFDS_EPARSE, err, "%s: expected a feature object, found %s", path, jtype(v));
	t = json_object_get(v, "_type");
	if (!t || json_is_object(t))
		return parse_struct(out, v, path, depth, err);
	HFDS_FAIL_IF(!json_is_string(t), HFDS_EPARSE, err, "%s._type: expected a string, found %s", path, jtype(t));
	type = json_string_value(t);
	if (strcmp(type, "List") == 0 || strcmp(type, "LargeList") == 0 || strcmp(type, "Sequence") == 0)
		return parse_list(out, v, type, path, depth, err);
	if (strcmp(type, "Value") == 0) {
		const json_t *d = json_object_get(v, "dtype");
		HFDS_TRY(want(d, JSON_STRING, path, "dtype", "a string", err));
		HFDS_FAIL_IF(!(f = new_node(HFDS_FEATURE_VALUE)), HFDS_ENOMEM, err, "out of memory");
		if ((rc = hfds_features__parse_dtype(f, json_string_value(d), err)) < 0) {
			hfds_error_prefix(err, sub(p, sizeof(p), path, "dtype"));
			goto done;
		}
	} else if (strcmp(type, "ClassLabel") == 0) {
		const json_t *names = json_object_get(v, "names");
		int64_t n = -1;
		HFDS_FAIL_IF(!(f = new_node(HFDS_FEATURE_CLASS_LABEL)), HFDS_ENOMEM, err, "out of memory");
		HFDS_TRY(get_int(v, "num_classes", &n, path, err));
		HFDS_FAIL_IF(json_object_get(v, "names_file") && !json_is_null(json_object_get(v, "names_file")),
			HFDS_EUNSUPPORTED, err, "%s.names_file: ClassLabel names files are not supported", path);
		if (names && !json_is_null(names)) {
			HFDS_TRY(get_names(f, names, path, "names", err));
			HFDS_TRY(check_unique(f, path, err));
			HFDS_FAIL_IF(n >= 0 && (size_t)n != f->count, HFDS_EPARSE, err,
				"%s: num_classes %lld does not match %zu names", path, (long long)n, f->count);
		} else if (n > 0) {
			HFDS_FAIL_IF(n > 1000000, HFDS_ELIMIT, err, "%s.num_classes: %lld is too many", path, (long long)n);
			HFDS_FAIL_IF(!(f->names = hfds_calloc((size_t)n, sizeof(char *))), HFDS_ENOMEM, err, "out of memory");
			for (int64_t i = 0; i < n; i++) {
				char num[24];
				snprintf(num, sizeof(num), "%lld", (long long)i);
				HFDS_FAIL_IF(!(f->names[i] = hfds_strdup(num)), HFDS_ENOMEM, err, "out of memory");
				f->count++;
			}
		}
	} else if (strncmp(type, "Array", 5) == 0 && type[5] >= '2' && type[5] <= '5' && strcmp(type + 6, "D") == 0) {
		const json_t *shape = json_object_get(v, "shape"), *d = json_object_get(v, "dtype");
		int ndim = type[5] - '0';
		HFDS_FAIL_IF(!(f = new_node(HFDS_FEATURE_ARRAY)), HFDS_ENOMEM, err, "out of memory");
		f->ndim = ndim;
		HFDS_TRY(want(shape, JSON_ARRAY, path, "shape", "an array of integers", err));
		HFDS_FAIL_IF(json_array_size(shape) != (size_t)ndim, HFDS_EPARSE, err,
			"%s.shape: %s needs %d dimensions, found %zu", path, type, ndim, json_array_size(shape));
		for (int i = 0; i < ndim; i++) {
			const json_t *x = json_array_get(shape, (size_t)i);
			if (i == 0 && json_is_null(x)) {
				f->shape[i] = -1;
				continue;
			}
			HFDS_FAIL_IF(!json_is_integer(x) || json_integer_value(x) < 0, HFDS_EPARSE, err,
				"%s.shape[%d]: expected a non-negative integer%s, found %s", path, i, i == 0 ? " or null" : "", jtype(x));
			f->shape[i] = json_integer_value(x);
		}
		HFDS_TRY(want(d, JSON_STRING, path, "dtype", "a string", err));
		if ((rc = hfds_features__parse_dtype(f, json_string_value(d), err)) < 0) {
			hfds_error_prefix(err, sub(p, sizeof(p), path, "dtype"));
			goto done;
		}
		f->kind = HFDS_FEATURE_ARRAY;
		HFDS_FAIL_IF(f->dtype == HFDS_DTYPE_TIMESTAMP || f->dtype == HFDS_DTYPE_NULL, HFDS_EUNSUPPORTED, err,
			"%s.dtype: %s of '%s' is not supported", path, type, f->dtype_name);
	} else if (strcmp(type, "Audio") == 0) {
		static const char *const known[] = {"sampling_rate", NULL};
		int64_t sr = 0;
		HFDS_FAIL_IF(!(f = new_node(HFDS_FEATURE_AUDIO)), HFDS_ENOMEM, err, "out of memory");
		HFDS_TRY(get_int(v, "sampling_rate", &sr, path, err));
		f->sampling_rate = sr > 0 ? sr : 0;
		HFDS_TRY(media_fields(f, v, known, path, err));
	} else if (strcmp(type, "Image") == 0) {
		static const char *const known[] = {"mode", NULL};
		const json_t *m = json_object_get(v, "mode");
		HFDS_FAIL_IF(!(f = new_node(HFDS_FEATURE_IMAGE)), HFDS_ENOMEM, err, "out of memory");
		if (m && !json_is_null(m)) {
			HFDS_TRY(want(m, JSON_STRING, path, "mode", "a string", err));
			HFDS_FAIL_IF(!(f->mode = hfds_strdup(json_string_value(m))), HFDS_ENOMEM, err, "out of memory");
		}
		HFDS_TRY(media_fields(f, v, known, path, err));
	} else if (strcmp(type, "Video") == 0 || strcmp(type, "Json") == 0) {
		HFDS_FAIL_IF(!(f = new_node(type[0] == 'V' ? HFDS_FEATURE_VIDEO : HFDS_FEATURE_JSON)), HFDS_ENOMEM, err,
			"out of memory");
		HFDS_TRY(media_fields(f, v, NULL, path, err));
	} else if (strcmp(type, "Translation") == 0) {
		HFDS_FAIL_IF(!(f = new_node(HFDS_FEATURE_TRANSLATION)), HFDS_ENOMEM, err, "out of memory");
		HFDS_TRY(get_names(f, json_object_get(v, "languages"), path, "languages", err));
	} else {
		for (size_t i = 0; i < sizeof(media) / sizeof(media[0]) && !f; i++) {
			if (strcmp(type, media[i]) == 0) {
				HFDS_FAIL_IF(!(f = new_node(HFDS_FEATURE_MEDIA)), HFDS_ENOMEM, err, "out of memory");
				HFDS_FAIL_IF(!(f->type_name = hfds_strdup(type)), HFDS_ENOMEM, err, "out of memory");
				HFDS_TRY(media_fields(f, v, NULL, path, err));
			}
		}
		HFDS_FAIL_IF(!f && strcmp(type, "TranslationVariableLanguages") == 0, HFDS_EUNSUPPORTED, err,
			"%s: feature type '%s' is not supported by hfds", path, type);
		HFDS_FAIL_IF(!f, HFDS_EPARSE, err, "%s._type: unknown feature type '%s'", path, type);
	}
	id = json_object_get(v, "id");
	if (id && !json_is_null(id)) {
		HFDS_TRY(want(id, JSON_STRING, path, "id", "a string", err));
		HFDS_FAIL_IF(!(f->id = hfds_strdup(json_string_value(id))), HFDS_ENOMEM, err, "out of memory");
	}
	*out = f;
	f = NULL;
done:
	hfds_feature_free(f);
	return rc;
}

static int load(json_t **out, const char *json, size_t len, const char *what, hfds_error *err)
{
	json_error_t je;
	*out = json_loadb(json, len, 0, &je);
	if (!*out)
		return hfds_error_set(err, HFDS_EPARSE, "%s: invalid JSON at line %d, column %d: %s", what, je.line,
			je.column, je.text);
	return 0;
}

static int features_from(hfds_features **out, const json_t *obj, const char *path, hfds_error *err)
{
	hfds_features *f = NULL;
	hfds_feature *root = NULL;
	int rc = 0;
	*out = NULL;
	HFDS_FAIL_IF(!json_is_object(obj), HFDS_EPARSE, err, "%s: expected an object, found %s", path, jtype(obj));
	HFDS_FAIL_IF(json_object_get(obj, "_type") && json_is_string(json_object_get(obj, "_type")), HFDS_EPARSE, err,
		"%s: expected a dict of columns, found a single feature", path);
	HFDS_TRY(parse_struct(&root, obj, path, 0, err));
	HFDS_FAIL_IF(!(f = hfds_calloc(1, sizeof(*f))), HFDS_ENOMEM, err, "out of memory");
	f->root = root;
	root = NULL;
	*out = f;
done:
	hfds_feature_free(root);
	return rc;
}

int hfds_features_parse_json(hfds_features **out, const char *json, size_t len, hfds_error *err)
{
	json_t *v = NULL;
	int rc = 0;
	*out = NULL;
	HFDS_TRY(load(&v, json, len, "features", err));
	HFDS_TRY(features_from(out, v, "features", err));
done:
	json_decref(v);
	return rc;
}

int hfds_features_parse_hf_metadata(hfds_features **out, const char *json, size_t len, hfds_error *err)
{
	json_t *v = NULL;
	const json_t *info, *feat;
	int rc = 0;
	*out = NULL;
	HFDS_TRY(load(&v, json, len, "huggingface metadata", err));
	HFDS_FAIL_IF(!json_is_object(v), HFDS_EPARSE, err, "huggingface metadata: expected an object, found %s", jtype(v));
	info = json_object_get(v, "info");
	HFDS_FAIL_IF(!info, HFDS_ENOTFOUND, err, "huggingface metadata: no \"info\"");
	HFDS_FAIL_IF(!json_is_object(info), HFDS_EPARSE, err, "info: expected an object, found %s", jtype(info));
	feat = json_object_get(info, "features");
	HFDS_FAIL_IF(!feat || json_is_null(feat), HFDS_ENOTFOUND, err, "huggingface metadata: no \"info.features\"");
	HFDS_TRY(features_from(out, feat, "info.features", err));
done:
	json_decref(v);
	return rc;
}
