/*
 * JSON Lines -> record batches of a features' storage schema. The conversion walks the
 * Arrow storage schema (so any nesting the builder supports works) and consults the
 * feature tree alongside where JSON needs interpretation: ClassLabel names, base64 for
 * binary, media given as a bare path.
 */
#include "hfds/dataset.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hfds/arrow.h"
#include "util/alloc.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/try.h"

#define MAX_LINE (256u << 20)
#define MAX_DEPTH 64

struct hfds_ds_jsonl {
	FILE *fp;
	char *path;
	hfds_features *features;
	struct ArrowSchema schema;
	hfds_arrow_builder *b;
	char *line;
	size_t line_cap;
	uint64_t lineno;
	int eof;
};

typedef struct conv {
	hfds_ds_jsonl *r;
	hfds_error *err;
	const char *column;
} conv;

static int fail(conv *c, const char *fmt, const char *detail)
{
	return hfds_error_set(c->err, HFDS_EINVAL, "%s:%llu: column '%s': %s%s", c->r->path,
		(unsigned long long)c->r->lineno, c->column, fmt, detail ? detail : "");
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* "YYYY-MM-DD[THH:MM:SS[.frac]][Z]" -> value in `per_second` units since the epoch. */
static int parse_time(const char *s, int64_t per_second, int date_only, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	int64_t frac = 0, scale = 1, v;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	s += n;
	if (date_only) {
		if (*s)
			return -1;
		*out = days_from_civil(y, (unsigned)mo, (unsigned)d);
		return 0;
	}
	if (*s == 'T' || *s == ' ') {
		if (sscanf(s + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3)
			return -1;
		s += 1 + n;
		if (*s == '.') {
			s++;
			while (*s >= '0' && *s <= '9') {
				if (scale < 1000000000) {
					frac = frac * 10 + (*s - '0');
					scale *= 10;
				}
				s++;
			}
		}
	}
	if (*s == 'Z')
		s++;
	if (*s)
		return -1;
	v = (days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec) * per_second;
	*out = v + frac * per_second / scale;
	return 0;
}

static int convert(conv *c, const struct ArrowSchema *s, const hfds_feature *f, json_t *v, int depth);

static int convert_list(conv *c, const struct ArrowSchema *s, const hfds_feature *f, json_t *v, int depth)
{
	int rc = 0;
	size_t i;
	json_t *item;
	const hfds_feature *itemf = NULL;
	if (!json_is_array(v))
		return fail(c, "expected a JSON array", NULL);
	if (f && (hfds_feature_get_kind(f) == HFDS_FEATURE_LIST || hfds_feature_get_kind(f) == HFDS_FEATURE_LARGE_LIST))
		itemf = hfds_feature_item(f);
	HFDS_TRY(hfds_arrow_builder_begin_list(c->r->b, c->err));
	json_array_foreach(v, i, item)
		HFDS_TRY(convert(c, s->children[0], itemf, item, depth + 1));
	HFDS_TRY(hfds_arrow_builder_end_list(c->r->b, c->err));
done:
	return rc;
}

static int convert_struct(conv *c, const struct ArrowSchema *s, const hfds_feature *f, json_t *v, int depth)
{
	int rc = 0;
	int64_t i;
	int media = f && (hfds_feature_get_kind(f) == HFDS_FEATURE_IMAGE || hfds_feature_get_kind(f) == HFDS_FEATURE_AUDIO ||
		hfds_feature_get_kind(f) == HFDS_FEATURE_VIDEO || hfds_feature_get_kind(f) == HFDS_FEATURE_MEDIA);
	if (media && json_is_string(v)) {
		/* a bare path: {bytes: null, path: v} */
		HFDS_TRY(hfds_arrow_builder_begin_struct(c->r->b, c->err));
		for (i = 0; i < s->n_children; i++) {
			if (!strcmp(s->children[i]->name, "path"))
				HFDS_TRY(hfds_arrow_builder_append_str(c->r->b, json_string_value(v), c->err));
			else
				HFDS_TRY(hfds_arrow_builder_append_null(c->r->b, c->err));
		}
		return hfds_arrow_builder_end_struct(c->r->b, c->err);
	}
	if (!json_is_object(v))
		return fail(c, "expected a JSON object", NULL);
	HFDS_TRY(hfds_arrow_builder_begin_struct(c->r->b, c->err));
	for (i = 0; i < s->n_children; i++) {
		const char *name = s->children[i]->name;
		const hfds_feature *cf = NULL;
		if (f && hfds_feature_get_kind(f) == HFDS_FEATURE_STRUCT && (size_t)i < hfds_feature_count(f))
			cf = hfds_feature_child_at(f, (size_t)i);
		HFDS_TRY(convert(c, s->children[i], cf, json_object_get(v, name), depth + 1));
	}
	HFDS_TRY(hfds_arrow_builder_end_struct(c->r->b, c->err));
done:
	return rc;
}

static int convert_binary(conv *c, json_t *v)
{
	int rc;
	hfds_buf buf;
	hfds_error local;
	if (!json_is_string(v))
		return fail(c, "expected a base64 string for binary data", NULL);
	hfds_buf_init(&buf, 0);
	hfds_error_init(&local);
	rc = hfds_base64_decode(&buf, json_string_value(v), json_string_length(v), &local);
	if (rc == HFDS_ENOMEM)
		rc = hfds_error_set(c->err, HFDS_ENOMEM, "out of memory");
	else if (rc < 0)
		rc = fail(c, "invalid base64: ", local.message);
	else
		rc = hfds_arrow_builder_append_bytes(c->r->b, buf.data ? buf.data : (const uint8_t *)"", buf.len, c->err);
	hfds_buf_release(&buf);
	return rc;
}

static int convert_double(conv *c, json_t *v)
{
	const char *s;
	if (json_is_number(v))
		return hfds_arrow_builder_append_double(c->r->b, json_number_value(v), c->err);
	s = json_string_value(v);
	if (s && !strcmp(s, "NaN"))
		return hfds_arrow_builder_append_double(c->r->b, NAN, c->err);
	if (s && !strcmp(s, "Infinity"))
		return hfds_arrow_builder_append_double(c->r->b, INFINITY, c->err);
	if (s && !strcmp(s, "-Infinity"))
		return hfds_arrow_builder_append_double(c->r->b, -INFINITY, c->err);
	return fail(c, "expected a number", NULL);
}

static int convert(conv *c, const struct ArrowSchema *s, const hfds_feature *f, json_t *v, int depth)
{
	const char *fmt = s->format;
	if (depth > MAX_DEPTH)
		return hfds_error_set(c->err, HFDS_ELIMIT, "%s:%llu: nested deeper than %d levels", c->r->path,
			(unsigned long long)c->r->lineno, MAX_DEPTH);
	if (!v || json_is_null(v))
		return hfds_arrow_builder_append_null(c->r->b, c->err);
	if (fmt[0] == '+') {
		if (fmt[1] == 'l' || fmt[1] == 'L' || fmt[1] == 'w')
			return convert_list(c, s, f, v, depth);
		if (fmt[1] == 's')
			return convert_struct(c, s, f, v, depth);
		return fail(c, "unsupported nested type ", fmt);
	}
	switch (fmt[0]) {
	case 'n':
		return hfds_arrow_builder_append_null(c->r->b, c->err);
	case 'b':
		if (!json_is_boolean(v))
			return fail(c, "expected true or false", NULL);
		return hfds_arrow_builder_append_bool(c->r->b, json_is_true(v), c->err);
	case 'c': case 's': case 'i': case 'l': case 'C': case 'S': case 'I': case 'L':
		if (json_is_string(v) && f && hfds_feature_get_kind(f) == HFDS_FEATURE_CLASS_LABEL) {
			size_t k;
			for (k = 0; k < hfds_feature_count(f); k++)
				if (!strcmp(hfds_feature_name_at(f, k), json_string_value(v)))
					return hfds_arrow_builder_append_int(c->r->b, (int64_t)k, c->err);
			return hfds_error_set(c->err, HFDS_EINVAL,
				"%s:%llu: column '%s': unknown label '%s' (give one of the ClassLabel names or an index)",
				c->r->path, (unsigned long long)c->r->lineno, c->column, json_string_value(v));
		}
		if (!json_is_integer(v))
			return fail(c, "expected an integer", NULL);
		return hfds_arrow_builder_append_int(c->r->b, json_integer_value(v), c->err);
	case 'e': case 'f': case 'g':
		return convert_double(c, v);
	case 'u': case 'U':
		if (!json_is_string(v))
			return fail(c, "expected a string", NULL);
		return hfds_arrow_builder_append_bytes(c->r->b, json_string_value(v), json_string_length(v), c->err);
	case 'z': case 'Z': case 'w':
		return convert_binary(c, v);
	case 't': {
		int64_t per = 1, out;
		int date = fmt[1] == 'd';
		if (json_is_integer(v))
			return hfds_arrow_builder_append_int(c->r->b, json_integer_value(v), c->err);
		if (!date)
			per = fmt[2] == 's' ? 1 : fmt[2] == 'm' ? 1000 : fmt[2] == 'u' ? 1000000 : 1000000000;
		if (!json_is_string(v) || parse_time(json_string_value(v), per, date, &out) < 0)
			return fail(c, date ? "expected a date \"YYYY-MM-DD\"" : "expected a timestamp \"YYYY-MM-DDTHH:MM:SS[.f]\"", NULL);
		return hfds_arrow_builder_append_int(c->r->b, out, c->err);
	}
	default:
		return fail(c, "unsupported column type ", fmt);
	}
}

int hfds_ds_jsonl_open(hfds_ds_jsonl **out, const char *path, const hfds_features *features, hfds_error *err)
{
	int rc = 0;
	hfds_ds_jsonl *r = NULL;
	*out = NULL;
	r = hfds_calloc(1, sizeof(*r));
	HFDS_FAIL_IF(!r, HFDS_ENOMEM, err, "out of memory");
	r->path = hfds_strdup(path);
	HFDS_FAIL_IF(!r->path, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hfds_features_copy(&r->features, features, err));
	HFDS_TRY(hfds_features_to_arrow_schema(&r->schema, r->features, 0, err));
	HFDS_TRY(hfds_arrow_builder_new(&r->b, &r->schema, err));
	r->fp = !strcmp(path, "-") ? stdin : fopen(path, "rb");
	HFDS_FAIL_IF(!r->fp, HFDS_EIO, err, "%s: %s", path, strerror(errno));
	*out = r;
	r = NULL;
done:
	hfds_ds_jsonl_free(r);
	return rc;
}

static int read_row(hfds_ds_jsonl *r, json_t *obj, hfds_error *err)
{
	int rc = 0;
	size_t i, n = hfds_features_count(r->features);
	const char *key;
	json_t *v;
	conv c;
	c.r = r;
	c.err = err;
	json_object_foreach(obj, key, v) {
		if (!hfds_features_find(r->features, key))
			return hfds_error_set(err, HFDS_EINVAL, "%s:%llu: unknown column '%s' (not in the features)", r->path,
				(unsigned long long)r->lineno, key);
	}
	for (i = 0; i < n; i++) {
		c.column = hfds_features_name_at(r->features, i);
		rc = convert(&c, r->schema.children[i], hfds_features_at(r->features, i), json_object_get(obj, c.column), 0);
		if (rc < 0) {
			hfds_arrow_builder_abort_row(r->b);
			if (err && !strstr(err->message, r->path)) {
				char where[600];
				snprintf(where, sizeof(where), "%s:%llu: column '%s'", r->path, (unsigned long long)r->lineno,
					c.column);
				hfds_error_prefix(err, where);
			}
			return rc;
		}
	}
	return 0;
}

int hfds_ds_jsonl_next(hfds_ds_jsonl *r, struct ArrowArray *out, size_t max_rows, size_t max_bytes, hfds_error *err)
{
	int rc = 0;
	json_t *obj = NULL;
	memset(out, 0, sizeof(*out));
	if (max_rows == 0)
		max_rows = 65536;
	if (max_bytes == 0)
		max_bytes = 64u << 20;
	while (!r->eof && (size_t)hfds_arrow_builder_rows(r->b) < max_rows && hfds_arrow_builder_bytes(r->b) < max_bytes) {
		ssize_t n = getline(&r->line, &r->line_cap, r->fp);
		json_error_t je;
		size_t k;
		if (n < 0) {
			HFDS_FAIL_IF(ferror(r->fp), HFDS_EIO, err, "%s: read error", r->path);
			r->eof = 1;
			break;
		}
		r->lineno++;
		HFDS_FAIL_IF((size_t)n > MAX_LINE, HFDS_ELIMIT, err, "%s:%llu: line longer than %u bytes", r->path,
			(unsigned long long)r->lineno, MAX_LINE);
		for (k = 0; k < (size_t)n && (r->line[k] == ' ' || r->line[k] == '\t' || r->line[k] == '\r' || r->line[k] == '\n'); k++)
			;
		if (k == (size_t)n)
			continue; /* blank line */
		obj = json_loadb(r->line, (size_t)n, JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &je);
		HFDS_FAIL_IF(!obj, HFDS_EPARSE, err, "%s:%llu:%d: invalid JSON: %s", r->path, (unsigned long long)r->lineno,
			je.column, je.text);
		HFDS_FAIL_IF(!json_is_object(obj), HFDS_EPARSE, err, "%s:%llu: expected a JSON object per line", r->path,
			(unsigned long long)r->lineno);
		HFDS_TRY(read_row(r, obj, err));
		json_decref(obj);
		obj = NULL;
	}
	if (hfds_arrow_builder_rows(r->b) == 0)
		return HFDS_ITEROVER;
	HFDS_TRY(hfds_arrow_builder_finish(r->b, out, err));
done:
	json_decref(obj);
	return rc;
}

void hfds_ds_jsonl_free(hfds_ds_jsonl *r)
{
	if (!r)
		return;
	if (r->fp && r->fp != stdin)
		fclose(r->fp);
	hfds_arrow_builder_free(r->b);
	if (r->schema.release)
		r->schema.release(&r->schema);
	hfds_features_free(r->features);
	free(r->line);
	hfds_free(r->path);
	hfds_free(r);
}
