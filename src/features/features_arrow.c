/*
 * Features <-> Arrow schemas (datasets-format.md §2.2 and §2.4). Everything datasets
 * writes is nullable, list children are named "item" as pyarrow names them, and ArrayND
 * columns carry the extension name/metadata datasets registers, so a reader that keeps
 * field metadata (ARROW:schema) can restore them.
 */
#include "features/features.h"
#include "util/alloc.h"
#include "util/try.h"

#include <stdio.h>
#include <string.h>

#define EXT_NAME "ARROW:extension:name"
#define EXT_META "ARROW:extension:metadata"

static const char *const value_formats[] = {
	[HFDS_DTYPE_NULL] = "n", [HFDS_DTYPE_BOOL] = "b",
	[HFDS_DTYPE_INT8] = "c", [HFDS_DTYPE_INT16] = "s", [HFDS_DTYPE_INT32] = "i", [HFDS_DTYPE_INT64] = "l",
	[HFDS_DTYPE_UINT8] = "C", [HFDS_DTYPE_UINT16] = "S", [HFDS_DTYPE_UINT32] = "I", [HFDS_DTYPE_UINT64] = "L",
	[HFDS_DTYPE_FLOAT16] = "e", [HFDS_DTYPE_FLOAT32] = "f", [HFDS_DTYPE_FLOAT64] = "g",
	[HFDS_DTYPE_STRING] = "u", [HFDS_DTYPE_LARGE_STRING] = "U",
	[HFDS_DTYPE_BINARY] = "z", [HFDS_DTYPE_LARGE_BINARY] = "Z", [HFDS_DTYPE_DATE32] = "tdD",
};

static int value_schema(struct ArrowSchema *out, const hfds_feature *f, const char *name, hfds_error *err)
{
	char fmt[300];
	if (f->dtype == HFDS_DTYPE_TIMESTAMP) {
		snprintf(fmt, sizeof(fmt), "ts%c:%s", "smun"[f->unit], f->tz ? f->tz : "");
		return hfds_arrow_schema_init_nullable(out, fmt, name, err);
	}
	return hfds_arrow_schema_init_nullable(out, value_formats[f->dtype], name, err);
}

static int set_extension(struct ArrowSchema *s, const char *ext, const char *meta, hfds_error *err)
{
	const char *keys[] = {EXT_NAME, EXT_META};
	const char *vals[] = {ext, meta};
	char *md = NULL;
	int rc = 0;
	HFDS_TRY(hfds_arrow_metadata_build(&md, keys, vals, 2, err));
	HFDS_TRY(hfds_arrow_schema_set_metadata(s, md, err));
done:
	hfds_free(md);
	return rc;
}

static int array_schema(struct ArrowSchema *out, const hfds_feature *f, const char *name, hfds_error *err)
{
	struct ArrowSchema *level = out;
	char ext[80];
	hfds_buf meta;
	json_t *m = NULL, *shape = NULL;
	int rc = 0;
	hfds_buf_init(&meta, 0);
	for (int d = 0; d < f->ndim; d++) {
		HFDS_TRY(hfds_arrow_schema_init_nullable(level, "+l", d == 0 ? name : "item", err));
		HFDS_TRY(hfds_arrow_schema_alloc_children(level, 1, err));
		level = level->children[0];
	}
	HFDS_TRY(value_schema(level, f, "item", err));
	/* extension metadata: json.dumps((shape, dtype)) */
	m = json_array();
	shape = json_array();
	HFDS_FAIL_IF(!m || !shape, HFDS_ENOMEM, err, "out of memory");
	for (int d = 0; d < f->ndim; d++)
		HFDS_FAIL_IF(json_array_append_new(shape, f->shape[d] < 0 ? json_null() : json_integer(f->shape[d])) < 0,
			HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(json_array_append(m, shape) < 0 || json_array_append_new(m, json_string(f->dtype_name)) < 0,
		HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hfds_features__dump(&meta, m, err));
	HFDS_TRY(hfds_buf_cstr(&meta, err));
	snprintf(ext, sizeof(ext), "datasets.features.features.Array%dDExtensionType", f->ndim);
	HFDS_TRY(set_extension(out, ext, (const char *)meta.data, err));
done:
	json_decref(m);
	json_decref(shape);
	hfds_buf_release(&meta);
	return rc;
}

int hfds_feature_to_arrow_schema(struct ArrowSchema *out, const hfds_feature *f, const char *name, hfds_error *err)
{
	int rc = 0;
	memset(out, 0, sizeof(*out));
	switch (f->kind) {
	case HFDS_FEATURE_VALUE:
		HFDS_TRY(value_schema(out, f, name, err));
		break;
	case HFDS_FEATURE_CLASS_LABEL:
		HFDS_TRY(hfds_arrow_schema_init_nullable(out, "l", name, err));
		break;
	case HFDS_FEATURE_LIST:
	case HFDS_FEATURE_LARGE_LIST: {
		char fmt[32];
		if (f->kind == HFDS_FEATURE_LARGE_LIST)
			snprintf(fmt, sizeof(fmt), "+L");
		else if (f->length >= 0)
			snprintf(fmt, sizeof(fmt), "+w:%lld", (long long)f->length);
		else
			snprintf(fmt, sizeof(fmt), "+l");
		HFDS_TRY(hfds_arrow_schema_init_nullable(out, fmt, name, err));
		HFDS_TRY(hfds_arrow_schema_alloc_children(out, 1, err));
		HFDS_TRY(hfds_feature_to_arrow_schema(out->children[0], f->item, "item", err));
		break;
	}
	case HFDS_FEATURE_STRUCT:
		HFDS_TRY(hfds_arrow_schema_init_nullable(out, "+s", name, err));
		HFDS_TRY(hfds_arrow_schema_alloc_children(out, (int64_t)f->count, err));
		for (size_t i = 0; i < f->count; i++)
			HFDS_TRY(hfds_feature_to_arrow_schema(out->children[i], f->children[i], f->names[i], err));
		break;
	case HFDS_FEATURE_ARRAY:
		HFDS_TRY(array_schema(out, f, name, err));
		break;
	case HFDS_FEATURE_AUDIO:
	case HFDS_FEATURE_IMAGE:
	case HFDS_FEATURE_VIDEO:
	case HFDS_FEATURE_MEDIA:
		HFDS_TRY(hfds_arrow_schema_init_nullable(out, "+s", name, err));
		HFDS_TRY(hfds_arrow_schema_alloc_children(out, 2, err));
		HFDS_TRY(hfds_arrow_schema_init_nullable(out->children[0], "z", "bytes", err));
		HFDS_TRY(hfds_arrow_schema_init_nullable(out->children[1], "u", "path", err));
		break;
	case HFDS_FEATURE_TRANSLATION:
		HFDS_TRY(hfds_arrow_schema_init_nullable(out, "+s", name, err));
		HFDS_TRY(hfds_arrow_schema_alloc_children(out, (int64_t)f->count, err));
		for (size_t i = 0; i < f->count; i++)
			HFDS_TRY(hfds_arrow_schema_init_nullable(out->children[i], "u", f->names[i], err));
		break;
	case HFDS_FEATURE_JSON:
		HFDS_TRY(hfds_arrow_schema_init_nullable(out, "u", name, err));
		HFDS_TRY(set_extension(out, "arrow.json", "", err));
		break;
	}
done:
	if (rc < 0)
		hfds_arrow_schema_release(out);
	return rc;
}

int hfds_features_to_arrow_schema(struct ArrowSchema *out, const hfds_features *f, unsigned flags, hfds_error *err)
{
	const hfds_feature *r = f->root;
	char *hf = NULL, *md = NULL;
	int rc = 0;
	HFDS_TRY(hfds_arrow_schema_init(out, "+s", "", 0, err));
	HFDS_TRY(hfds_arrow_schema_alloc_children(out, (int64_t)r->count, err));
	for (size_t i = 0; i < r->count; i++)
		HFDS_TRY(hfds_feature_to_arrow_schema(out->children[i], r->children[i], r->names[i], err));
	if (flags & HFDS_FEATURES_ARROW_HF_METADATA) {
		const char *key = "huggingface";
		HFDS_TRY(hfds_features_hf_metadata(&hf, NULL, f, flags & HFDS_FEATURES_SEQUENCE, err));
		HFDS_TRY(hfds_arrow_metadata_build(&md, &key, (const char *const *)&hf, 1, err));
		HFDS_TRY(hfds_arrow_schema_set_metadata(out, md, err));
	}
done:
	hfds_free(hf);
	hfds_free(md);
	if (rc < 0)
		hfds_arrow_schema_release(out);
	return rc;
}

/* ---- inference ---- */

static int kv_equals(const hfds_arrow_kv_view *kv, const char *s)
{
	return (size_t)kv->value_len == strlen(s) && memcmp(kv->value, s, strlen(s)) == 0;
}

static int infer_extension(hfds_feature **out, const struct ArrowSchema *s, const char *path, int *handled,
	hfds_error *err)
{
	hfds_arrow_kv_view name, meta;
	char buf[128];
	json_t *m = NULL;
	json_error_t je;
	hfds_feature *f = NULL;
	int rc = 0, ndim;
	*handled = 0;
	if (!hfds_arrow_metadata_find(s->metadata, EXT_NAME, &name))
		return 0;
	if (kv_equals(&name, "arrow.json")) {
		*handled = 1;
		HFDS_FAIL_IF(!(*out = hfds_feature_json()), HFDS_ENOMEM, err, "out of memory");
		return 0;
	}
	for (ndim = 2; ndim <= 5; ndim++) {
		snprintf(buf, sizeof(buf), "datasets.features.features.Array%dDExtensionType", ndim);
		if (kv_equals(&name, buf))
			break;
	}
	if (ndim > 5)
		return 0;
	*handled = 1;
	HFDS_FAIL_IF(!hfds_arrow_metadata_find(s->metadata, EXT_META, &meta), HFDS_EPARSE, err,
		"column '%s': Array%dD extension without metadata", path, ndim);
	m = json_loadb(meta.value, (size_t)meta.value_len, 0, &je);
	HFDS_FAIL_IF(!m || !json_is_array(m) || json_array_size(m) != 2 || !json_is_array(json_array_get(m, 0))
		|| !json_is_string(json_array_get(m, 1)), HFDS_EPARSE, err,
		"column '%s': bad Array%dD extension metadata", path, ndim);
	/* reuse the from_dict checks: {"shape": ..., "dtype": ..., "_type": "ArrayND"} */
	{
		json_t *d = json_pack("{sOsOss}", "shape", json_array_get(m, 0), "dtype", json_array_get(m, 1), "_type",
			(snprintf(buf, sizeof(buf), "Array%dD", ndim), buf));
		HFDS_FAIL_IF(!d, HFDS_ENOMEM, err, "out of memory");
		rc = hfds_features__from_dict(&f, d, path, 0, err);
		json_decref(d);
		HFDS_TRY(rc);
	}
	*out = f;
	f = NULL;
done:
	json_decref(m);
	hfds_feature_free(f);
	return rc;
}

static int infer(hfds_feature **out, const struct ArrowSchema *s, const char *path, int depth, hfds_error *err)
{
	hfds_arrow_schema_view v;
	hfds_feature *f = NULL, *c = NULL;
	char p[512], tn[64];
	int rc = 0, handled;
	*out = NULL;
	HFDS_FAIL_IF(depth > HFDS_FEATURES_MAX_DEPTH, HFDS_ELIMIT, err, "column '%s': nested deeper than %d levels",
		path, HFDS_FEATURES_MAX_DEPTH);
	HFDS_TRY(infer_extension(out, s, path, &handled, err));
	if (handled)
		return 0;
	if ((rc = hfds_arrow_schema_view_init(&v, s, NULL)) < 0)
		HFDS_FAIL(HFDS_EUNSUPPORTED, err, "column '%s': Arrow type %s has no datasets equivalent", path,
			hfds_arrow_type_name(s, tn, sizeof(tn)));
	switch (v.type) {
	case HFDS_ARROW_STRUCT:
		HFDS_FAIL_IF(!(f = hfds_feature_struct()), HFDS_ENOMEM, err, "out of memory");
		for (int64_t i = 0; i < s->n_children; i++) {
			const char *cn = s->children[i]->name ? s->children[i]->name : "";
			snprintf(p, sizeof(p), "%s.%s", path, cn);
			HFDS_TRY(infer(&c, s->children[i], p, depth + 1, err));
			rc = hfds_feature_struct_add(f, cn, c, err);
			c = NULL; /* owned by the parent now, or freed */
			HFDS_TRY(rc);
		}
		break;
	case HFDS_ARROW_LIST: case HFDS_ARROW_LARGE_LIST: case HFDS_ARROW_FIXED_SIZE_LIST:
		snprintf(p, sizeof(p), "%s.%s", path, s->children[0]->name ? s->children[0]->name : "item");
		HFDS_TRY(infer(&c, s->children[0], p, depth + 1, err));
		f = v.type == HFDS_ARROW_LARGE_LIST ? hfds_feature_large_list(c)
			: hfds_feature_list(c, v.type == HFDS_ARROW_FIXED_SIZE_LIST ? v.fixed_size : -1);
		c = NULL;
		HFDS_FAIL_IF(!f, HFDS_ENOMEM, err, "out of memory");
		break;
	case HFDS_ARROW_TIMESTAMP:
		HFDS_FAIL_IF(!(f = hfds_feature_timestamp(v.unit, *v.timezone ? v.timezone : NULL)), HFDS_ENOMEM, err,
			"out of memory");
		break;
	case HFDS_ARROW_FIXED_SIZE_BINARY:
		HFDS_FAIL(HFDS_EUNSUPPORTED, err, "column '%s': Arrow type %s has no datasets equivalent", path,
			hfds_arrow_type_name(s, tn, sizeof(tn)));
	default: {
		static const hfds_dtype map[] = {
			[HFDS_ARROW_NA] = HFDS_DTYPE_NULL, [HFDS_ARROW_BOOL] = HFDS_DTYPE_BOOL,
			[HFDS_ARROW_INT8] = HFDS_DTYPE_INT8, [HFDS_ARROW_INT16] = HFDS_DTYPE_INT16,
			[HFDS_ARROW_INT32] = HFDS_DTYPE_INT32, [HFDS_ARROW_INT64] = HFDS_DTYPE_INT64,
			[HFDS_ARROW_UINT8] = HFDS_DTYPE_UINT8, [HFDS_ARROW_UINT16] = HFDS_DTYPE_UINT16,
			[HFDS_ARROW_UINT32] = HFDS_DTYPE_UINT32, [HFDS_ARROW_UINT64] = HFDS_DTYPE_UINT64,
			[HFDS_ARROW_HALF_FLOAT] = HFDS_DTYPE_FLOAT16, [HFDS_ARROW_FLOAT] = HFDS_DTYPE_FLOAT32,
			[HFDS_ARROW_DOUBLE] = HFDS_DTYPE_FLOAT64, [HFDS_ARROW_STRING] = HFDS_DTYPE_STRING,
			[HFDS_ARROW_LARGE_STRING] = HFDS_DTYPE_LARGE_STRING, [HFDS_ARROW_BINARY] = HFDS_DTYPE_BINARY,
			[HFDS_ARROW_LARGE_BINARY] = HFDS_DTYPE_LARGE_BINARY, [HFDS_ARROW_DATE32] = HFDS_DTYPE_DATE32,
		};
		HFDS_FAIL_IF(!(f = hfds_feature_value(map[v.type])), HFDS_ENOMEM, err, "out of memory");
		break;
	}
	}
	*out = f;
	f = NULL;
done:
	hfds_feature_free(f);
	hfds_feature_free(c);
	return rc;
}

static int struct_schema(const struct ArrowSchema *schema, hfds_error *err)
{
	if (!schema->format || strcmp(schema->format, "+s") != 0)
		return hfds_error_set(err, HFDS_EINVAL, "schema: expected a struct of columns, found format '%s'",
			schema->format ? schema->format : "");
	return 0;
}

int hfds_features_infer(hfds_features **out, const struct ArrowSchema *schema, hfds_error *err)
{
	hfds_features *f = NULL;
	hfds_feature *c = NULL;
	int rc = 0;
	*out = NULL;
	HFDS_TRY(struct_schema(schema, err));
	HFDS_FAIL_IF(!(f = hfds_features_new()), HFDS_ENOMEM, err, "out of memory");
	for (int64_t i = 0; i < schema->n_children; i++) {
		const char *name = schema->children[i]->name ? schema->children[i]->name : "";
		HFDS_TRY(infer(&c, schema->children[i], name, 0, err));
		rc = hfds_features_add(f, name, c, err);
		c = NULL; /* owned by the parent now, or freed */
		HFDS_TRY(rc);
	}
	*out = f;
	f = NULL;
done:
	hfds_features_free(f);
	return rc;
}

/* pyarrow Field ==: name, type, nullability; struct child names count, list child names do not. */
static int fields_equal(const struct ArrowSchema *a, const struct ArrowSchema *b, int check_name)
{
	hfds_arrow_kv_view ea, eb, ma, mb;
	int ha, hb;
	if (check_name && strcmp(a->name ? a->name : "", b->name ? b->name : "") != 0)
		return 0;
	if (strcmp(a->format, b->format) != 0 || (a->flags & ARROW_FLAG_NULLABLE) != (b->flags & ARROW_FLAG_NULLABLE)
		|| a->n_children != b->n_children)
		return 0;
	ha = hfds_arrow_metadata_find(a->metadata, EXT_NAME, &ea);
	hb = hfds_arrow_metadata_find(b->metadata, EXT_NAME, &eb);
	if (ha != hb)
		return 0;
	if (ha) {
		int hma = hfds_arrow_metadata_find(a->metadata, EXT_META, &ma);
		int hmb = hfds_arrow_metadata_find(b->metadata, EXT_META, &mb);
		if (ea.value_len != eb.value_len || memcmp(ea.value, eb.value, (size_t)ea.value_len) != 0 || hma != hmb
			|| (hma && (ma.value_len != mb.value_len || memcmp(ma.value, mb.value, (size_t)ma.value_len) != 0)))
			return 0;
	}
	for (int64_t i = 0; i < a->n_children; i++)
		if (!fields_equal(a->children[i], b->children[i], strcmp(a->format, "+s") == 0))
			return 0;
	return 1;
}

int hfds_features_from_arrow_schema(hfds_features **out, const struct ArrowSchema *schema, hfds_error *err)
{
	hfds_features *meta = NULL, *f = NULL;
	hfds_feature *c = NULL;
	struct ArrowSchema gen = {0};
	hfds_arrow_kv_view hf;
	int rc = 0;
	*out = NULL;
	HFDS_TRY(struct_schema(schema, err));
	if (!hfds_arrow_metadata_find(schema->metadata, "huggingface", &hf))
		return hfds_features_infer(out, schema, err);
	rc = hfds_features_parse_hf_metadata(&meta, hf.value, (size_t)hf.value_len, err);
	if (rc == HFDS_ENOTFOUND) {
		if (err)
			hfds_error_init(err);
		return hfds_features_infer(out, schema, err);
	}
	HFDS_TRY(rc);
	HFDS_FAIL_IF(!(f = hfds_features_new()), HFDS_ENOMEM, err, "out of memory");
	for (int64_t i = 0; i < schema->n_children; i++) {
		const struct ArrowSchema *field = schema->children[i];
		const char *name = field->name ? field->name : "";
		const hfds_feature *mf = hfds_features_find(meta, name);
		int use = 0;
		if (mf) {
			HFDS_TRY(hfds_feature_to_arrow_schema(&gen, mf, name, err));
			use = fields_equal(&gen, field, 1);
			hfds_arrow_schema_release(&gen);
		}
		if (use)
			HFDS_TRY(hfds_feature_copy(&c, mf, err));
		else
			HFDS_TRY(infer(&c, field, name, 0, err));
		rc = hfds_features_add(f, name, c, err);
		c = NULL; /* owned by the parent now, or freed */
		HFDS_TRY(rc);
	}
	*out = f;
	f = NULL;
done:
	hfds_arrow_schema_release(&gen);
	hfds_features_free(meta);
	hfds_features_free(f);
	return rc;
}
