/*
 * JSON Lines block -> Arrow batch. Each line is tokenized onto a tape (json_tape.c), then the
 * tape is walked in the storage schema's order, consulting the feature tree where JSON needs
 * interpretation (ClassLabel names, base64 for binary, media as a bare path, Array shapes)
 * and checking every value against its type's range. Object keys are matched to fields by
 * position first (rows usually repeat the schema's key order), then by a scan.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ingest/ingest_int.h"
#include "ingest/json_tape.h"
#include "ingest/values.h"
#include "util/alloc.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/numfmt.h"
#include "util/try.h"
#include "util/utf8.h"

/* The schema and the features walked together once, when the parser is made: each row then
 * finds a field's feature, name and name length without a lookup or a strlen. */
typedef struct jplan {
	const struct ArrowSchema *s;
	const hfds_feature *f;
	const char *name;
	size_t name_len;
	uint64_t key8, key_mask;     /* '"name"' as the first bytes of a word, when it fits in 8 */
	struct jplan *kids;          /* struct fields, or a list's item */
	size_t nkids;
	uint8_t is_label, is_array;  /* f is a ClassLabel / an Array */
	uint8_t direct;              /* its values can be read straight from the text (direct()) */
	char f0, f1;                 /* s->format[0..1], read per value without two pointer hops */
} jplan;

struct jl_parser {
	const ing_shared *sh;
	jplan plan;                  /* the row */
	hfds_arrow_builder *b;
	jtape tape;
	hfds_buf scratch, bytes;
	uint32_t *slots;             /* per struct level: tape index of each field's value (0 = absent) */
	size_t nslots, slot_cap;
	const char *line;            /* start of the line being converted */
	uint64_t lineno;             /* within the block */
	uint64_t ignored;
	ing_fail *fail;
	hfds_error berr;             /* builder errors */
	size_t last_n;               /* bytes of the last block made into a batch */
};

typedef struct pathseg {
	const char *name;
	const struct pathseg *up;
} pathseg;

static void path_text(const pathseg *p, char *out, size_t cap)
{
	const char *names[32];
	size_t n = 0, used = 0;
	for (; p && n < 32; p = p->up)
		names[n++] = p->name;
	out[0] = '\0';
	while (n-- > 0) {
		int w = snprintf(out + used, cap - used, "%s%s", used ? "." : "", names[n]);
		if (w < 0 || (size_t)w >= cap - used)
			break;
		used += (size_t)w;
	}
}

static const char *tok_start(const jtok *k)
{
	return k->type == JT_STR ? k->p - 1 : k->p;
}

/* error at token k: "expected X for 'col', found <text>" */
static int bad(jl_parser *p, const jtok *k, const pathseg *path, int code, const char *expected, const char *why)
{
	char col[256], found[64];
	const char *s = tok_start(k);
	size_t n = k->type == JT_STR ? (size_t)k->len + 2 : k->type == JT_OBJ ? 1 : k->type == JT_ARR ? 1 : k->len;
	uint64_t column = (uint64_t)(s - p->line) + 1;
	path_text(path, col, sizeof(col));
	if (n > 40) {
		snprintf(found, sizeof(found), "%.37s...", s);
	} else {
		memcpy(found, s, n);
		found[n] = '\0';
	}
	if (k->type == JT_OBJ)
		snprintf(found, sizeof(found), "an object");
	else if (k->type == JT_ARR)
		snprintf(found, sizeof(found), "an array");
	if (why)
		return ing_failf(p->fail, code, p->lineno, column, "column '%s': %s (%s)", col, why, found);
	return ing_failf(p->fail, code, p->lineno, column, "expected %s for '%s', found %s", expected, col, found);
}

static const char *type_name(const struct ArrowSchema *s, const hfds_feature *f)
{
	if (f && hfds_feature_get_kind(f) == HFDS_FEATURE_VALUE)
		return hfds_feature_dtype_name(f);
	switch (s->format[0]) {
	case 'b': return "bool";
	case 'c': return "int8";
	case 's': return "int16";
	case 'i': return "int32";
	case 'l': return "int64";
	case 'C': return "uint8";
	case 'S': return "uint16";
	case 'I': return "uint32";
	case 'L': return "uint64";
	case 'e': return "float16";
	case 'f': return "float32";
	case 'g': return "float64";
	case 'u': case 'U': return "string";
	case 'z': case 'Z': return "base64 binary";
	case 't': return s->format[1] == 'd' ? "date32" : "timestamp";
	default: return s->format;
	}
}

static int builder_fail(jl_parser *p, int rc)
{
	rc = ing_failf(p->fail, rc, p->lineno, 0, "%s", p->berr.message);
	hfds_error_init(&p->berr);
	return rc;
}

/* A builder call; p->berr stays empty until a call fails (the builder writes it only then). */
#define B(call)                                                                       \
	do {                                                                          \
		int r_;                                                               \
		if ((r_ = (call)) < 0)                                                \
			return builder_fail(p, r_);                                   \
	} while (0)

static int conv(jl_parser *p, const jplan *pl, uint32_t k, const pathseg *path, const int64_t *shape, int ndim);

static int get_string(jl_parser *p, const jtok *k, const pathseg *path, const char **d, size_t *n)
{
	const char *why;
	if (jt_string(k, &p->scratch, d, n, &why) < 0)
		return bad(p, k, path, HFDS_EPARSE, NULL, why);
	return 0;
}

static int conv_list(jl_parser *p, const jplan *pl, uint32_t k, const pathseg *path, const int64_t *shape, int ndim)
{
	const struct ArrowSchema *s = pl->s;
	const hfds_feature *f = pl->f;
	const jtok *t = &p->tape.t[k];
	uint32_t i, c;
	if (t->type != JT_ARR)
		return bad(p, t, path, HFDS_EINVAL, "a list", NULL);
	if (ndim > 0 && shape[0] >= 0 && (int64_t)t->count != shape[0]) {
		char why[96];
		snprintf(why, sizeof(why), "Array dimension has %u values where the shape says %lld", t->count,
			(long long)shape[0]);
		return bad(p, t, path, HFDS_EINVAL, NULL, why);
	}
	B(hfds_arrow_builder_begin_list(p->b, &p->berr));
	for (i = 0, c = k + 1; i < t->count; i++, c = p->tape.t[c].next) {
		int rc = conv(p, &pl->kids[0], c, path, ndim > 0 ? shape + 1 : NULL, ndim > 0 ? ndim - 1 : 0);
		if (rc < 0)
			return rc;
	}
	if (s->format[1] == 'w') {
		int64_t want = f && hfds_feature_get_kind(f) == HFDS_FEATURE_LIST ? hfds_feature_length(f) : -1;
		if (want >= 0 && (int64_t)t->count != want) {
			char why[96];
			snprintf(why, sizeof(why), "list has %u values where its length is %lld", t->count, (long long)want);
			return bad(p, t, path, HFDS_EINVAL, NULL, why);
		}
	}
	B(hfds_arrow_builder_end_list(p->b, &p->berr));
	return 0;
}

static int key_is(jl_parser *p, const jtok *key, const jplan *field)
{
	const char *d = key->p;
	size_t n = key->len;
	const char *why;
	if (key->esc && jt_string(key, &p->scratch, &d, &n, &why) < 0)
		return 0;
	if (n != field->name_len)
		return 0;
	/* keys are a few bytes: a loop beats the call to memcmp */
	for (size_t i = 0; i < n; i++)
		if (d[i] != field->name[i])
			return 0;
	return 1;
}

/* Matches the object's keys to the schema's fields: slots[base + i] = value index or 0. */
static int match_keys(jl_parser *p, const jplan *pl, uint32_t k, size_t base, const pathseg *path)
{
	const jtok *t = &p->tape.t[k];
	uint32_t i, c = k + 1;
	size_t nf = pl->nkids, j;
	for (i = 0; i < t->count; i++) {
		const jtok *key = &p->tape.t[c];
		uint32_t v = c + 1;
		size_t hit = nf;
		if (i < nf && key_is(p, key, &pl->kids[i]))
			hit = i;
		for (j = 0; hit == nf && j < nf; j++)
			if (key_is(p, key, &pl->kids[j]))
				hit = j;
		if (hit < nf) {
			p->slots[base + hit] = v;
		} else if (p->sh->opt->extra_keys == HFDS_INGEST_EXTRA_IGNORE) {
			p->ignored++;
		} else {
			char col[256], why[400];
			path_text(path, col, sizeof(col));
			snprintf(why, sizeof(why), "key \"%.*s\" is not in the features%s%s%s (pass --ignore-extra to drop such keys)",
				(int)(key->len > 64 ? 64 : key->len), key->p, *col ? " of '" : "", col, *col ? "'" : "");
			return ing_failf(p->fail, HFDS_EINVAL, p->lineno, (uint64_t)(key->p - 1 - p->line) + 1, "%s", why);
		}
		c = p->tape.t[v].next;
	}
	return 0;
}

static int push_slots(jl_parser *p, size_t n, size_t *base)
{
	if (p->nslots + n > p->slot_cap) {
		size_t cap = (p->nslots + n) * 2;
		uint32_t *ns = hfds_reallocarray(p->slots, cap, sizeof(*ns));
		if (!ns)
			return ing_failf(p->fail, HFDS_ENOMEM, p->lineno, 0, "out of memory");
		p->slots = ns;
		p->slot_cap = cap;
	}
	*base = p->nslots;
	memset(p->slots + p->nslots, 0, n * sizeof(*p->slots));
	p->nslots += n;
	return 0;
}

/* Fields of an object (or the row) in schema order; absent keys are nulls. */
static int conv_fields(jl_parser *p, const jplan *pl, uint32_t k, const pathseg *path)
{
	size_t base = 0, i, nf = pl->nkids;
	int rc;
	if ((rc = push_slots(p, nf, &base)) < 0)
		return rc;
	if ((rc = match_keys(p, pl, k, base, path)) < 0)
		return rc;
	for (i = 0; i < nf; i++) {
		pathseg seg;
		uint32_t v = p->slots[base + i];
		if (!v) {
			B(hfds_arrow_builder_append_null(p->b, &p->berr));
			continue;
		}
		seg.name = pl->kids[i].name;
		seg.up = path;
		if ((rc = conv(p, &pl->kids[i], v, &seg, NULL, 0)) < 0)
			return rc;
	}
	p->nslots = base;
	return 0;
}

static int conv_struct(jl_parser *p, const jplan *pl, uint32_t k, const pathseg *path)
{
	const struct ArrowSchema *s = pl->s;
	const hfds_feature *f = pl->f;
	const jtok *t = &p->tape.t[k];
	hfds_feature_kind kind = f ? hfds_feature_get_kind(f) : HFDS_FEATURE_STRUCT;
	int rc;
	if (t->type == JT_STR && (kind == HFDS_FEATURE_IMAGE || kind == HFDS_FEATURE_AUDIO || kind == HFDS_FEATURE_VIDEO ||
		kind == HFDS_FEATURE_MEDIA)) {
		/* a bare path: {bytes: null, path: v} */
		const char *d;
		size_t n;
		if ((rc = get_string(p, t, path, &d, &n)) < 0)
			return rc;
		B(hfds_arrow_builder_begin_struct(p->b, &p->berr));
		for (int64_t i = 0; i < s->n_children; i++) {
			if (!strcmp(s->children[i]->name, "path"))
				B(hfds_arrow_builder_append_bytes(p->b, d, n, &p->berr));
			else
				B(hfds_arrow_builder_append_null(p->b, &p->berr));
		}
		B(hfds_arrow_builder_end_struct(p->b, &p->berr));
		return 0;
	}
	if (t->type != JT_OBJ)
		return bad(p, t, path, HFDS_EINVAL, "an object", NULL);
	B(hfds_arrow_builder_begin_struct(p->b, &p->berr));
	if ((rc = conv_fields(p, pl, k, path)) < 0)
		return rc;
	B(hfds_arrow_builder_end_struct(p->b, &p->berr));
	return 0;
}

static int conv_int(jl_parser *p, const jplan *pl, const jtok *t, const pathseg *path)
{
	const struct ArrowSchema *s = pl->s;
	const hfds_feature *f = pl->f;
	const char *why = NULL;
	char fmt = s->format[0];
	int64_t v;
	if (pl->is_label) {
		size_t nl = hfds_feature_count(f);
		if (t->type == JT_STR) {
			const char *d;
			size_t n;
			int rc;
			if ((rc = get_string(p, t, path, &d, &n)) < 0)
				return rc;
			for (size_t i = 0; i < nl; i++) {
				const char *name = hfds_feature_name_at(f, i);
				if (strlen(name) == n && !memcmp(name, d, n)) {
					B(hfds_arrow_builder_append_int(p->b, (int64_t)i, &p->berr));
					return 0;
				}
			}
			return bad(p, t, path, HFDS_EINVAL, NULL, "unknown label (give one of the ClassLabel names or an index)");
		}
		if (t->type != JT_NUM || ing_parse_int(t->p, t->len, &v, &why) < 0)
			return bad(p, t, path, HFDS_EINVAL, "a ClassLabel name or index", NULL);
		if (v < -1 || v >= (int64_t)nl) {
			char m[128];
			snprintf(m, sizeof(m), "ClassLabel index out of range [-1, %zu) (-1 means no label)", nl);
			return bad(p, t, path, HFDS_EINVAL, NULL, m);
		}
		B(hfds_arrow_builder_append_int(p->b, v, &p->berr));
		return 0;
	}
	if (t->type != JT_NUM)
		return bad(p, t, path, HFDS_EINVAL, type_name(s, f), NULL);
	if (fmt == 'L') {
		uint64_t u;
		if (ing_parse_uint(t->p, t->len, &u, &why) < 0)
			return bad(p, t, path, HFDS_EINVAL, type_name(s, f), NULL);
		B(hfds_arrow_builder_append_uint(p->b, u, &p->berr));
		return 0;
	}
	if (ing_parse_int(t->p, t->len, &v, &why) < 0 || !ing_int_fits(fmt, v))
		return bad(p, t, path, HFDS_EINVAL, type_name(s, f), NULL);
	B(hfds_arrow_builder_append_int(p->b, v, &p->berr));
	return 0;
}

static int conv_float(jl_parser *p, const struct ArrowSchema *s, const hfds_feature *f, const jtok *t, const pathseg *path)
{
	double v;
	const char *why = NULL, *d = t->p;
	size_t n = t->len;
	if (t->type == JT_STR && !t->esc) /* "NaN", "Infinity", "-Infinity" as strings */
		;
	else if (t->type != JT_NUM)
		return bad(p, t, path, HFDS_EINVAL, type_name(s, f), NULL);
	if (ing_parse_double(d, n, 0, &v, &why) < 0 && t->type == JT_NUM && !strcmp(why, "number out of range for float64"))
		return bad(p, t, path, HFDS_EINVAL, NULL, why);
	if (why || (t->type == JT_STR && !isnan(v) && !isinf(v)))
		return bad(p, t, path, HFDS_EINVAL, type_name(s, f), NULL);
	if (!ing_float_fits(s->format[0], v))
		return bad(p, t, path, HFDS_EINVAL, NULL, s->format[0] == 'e' ? "out of range for float16" : "out of range for float32");
	B(hfds_arrow_builder_append_double(p->b, v, &p->berr));
	return 0;
}

static int conv_time(jl_parser *p, const struct ArrowSchema *s, const hfds_feature *f, const jtok *t, const pathseg *path)
{
	const char *fmt = s->format, *why = NULL, *d;
	size_t n;
	int64_t v;
	int rc;
	if (t->type == JT_NUM) {
		if (ing_parse_int(t->p, t->len, &v, &why) < 0 || (fmt[1] == 'd' && fmt[2] == 'D' && (v < INT32_MIN || v > INT32_MAX)))
			return bad(p, t, path, HFDS_EINVAL, type_name(s, f), NULL);
		B(hfds_arrow_builder_append_int(p->b, v, &p->berr));
		return 0;
	}
	if (t->type != JT_STR)
		return bad(p, t, path, HFDS_EINVAL, type_name(s, f), NULL);
	if ((rc = get_string(p, t, path, &d, &n)) < 0)
		return rc;
	if (fmt[1] == 'd') {
		int32_t days;
		if (ing_parse_date(d, n, &days, &why) < 0)
			return bad(p, t, path, HFDS_EINVAL, NULL, why);
		v = fmt[2] == 'D' ? days : (int64_t)days * 86400000;
	} else {
		int64_t per = fmt[2] == 's' ? 1 : fmt[2] == 'm' ? 1000 : fmt[2] == 'u' ? 1000000 : 1000000000;
		if (ing_parse_timestamp(d, n, per, &v, &why) < 0)
			return bad(p, t, path, HFDS_EINVAL, NULL, why);
	}
	B(hfds_arrow_builder_append_int(p->b, v, &p->berr));
	return 0;
}

static int conv(jl_parser *p, const jplan *pl, uint32_t k, const pathseg *path, const int64_t *shape, int ndim)
{
	const struct ArrowSchema *s = pl->s;
	const hfds_feature *f = pl->f;
	const jtok *t = &p->tape.t[k];
	const char *d;
	size_t n;
	int rc;
	if (t->type == JT_NULL) {
		B(hfds_arrow_builder_append_null(p->b, &p->berr));
		return 0;
	}
	if (pl->f0 == '+') {
		if (pl->is_array && !shape) {
			shape = hfds_feature_shape(f);
			ndim = hfds_feature_ndim(f);
		}
		if (pl->f1 == 'l' || pl->f1 == 'L' || pl->f1 == 'w')
			return conv_list(p, pl, k, path, shape, ndim);
		if (pl->f1 == 's')
			return conv_struct(p, pl, k, path);
		return bad(p, t, path, HFDS_EUNSUPPORTED, NULL, "unsupported nested type");
	}
	switch (pl->f0) {
	case 'n':
		B(hfds_arrow_builder_append_null(p->b, &p->berr));
		return 0;
	case 'b':
		if (t->type != JT_TRUE && t->type != JT_FALSE)
			return bad(p, t, path, HFDS_EINVAL, "bool", NULL);
		B(hfds_arrow_builder_append_bool(p->b, t->type == JT_TRUE, &p->berr));
		return 0;
	case 'c': case 's': case 'i': case 'l': case 'C': case 'S': case 'I': case 'L':
		return conv_int(p, pl, t, path);
	case 'e': case 'f': case 'g':
		return conv_float(p, s, f, t, path);
	case 'u': case 'U':
		if (t->type != JT_STR)
			return bad(p, t, path, HFDS_EINVAL, "string", NULL);
		if ((rc = get_string(p, t, path, &d, &n)) < 0)
			return rc;
		B(hfds_arrow_builder_append_bytes(p->b, d, n, &p->berr));
		return 0;
	case 'z': case 'Z': {
		hfds_error e;
		if (t->type != JT_STR)
			return bad(p, t, path, HFDS_EINVAL, "a base64 string", NULL);
		if ((rc = get_string(p, t, path, &d, &n)) < 0)
			return rc;
		hfds_buf_clear(&p->bytes);
		hfds_error_init(&e);
		if ((rc = hfds_base64_decode(&p->bytes, d, n, &e)) < 0)
			return rc == HFDS_ENOMEM ? ing_failf(p->fail, rc, p->lineno, 0, "out of memory")
						 : bad(p, t, path, HFDS_EINVAL, NULL, "invalid base64");
		B(hfds_arrow_builder_append_bytes(p->b, p->bytes.data ? p->bytes.data : (const uint8_t *)"", p->bytes.len, &p->berr));
		return 0;
	}
	case 't':
		return conv_time(p, s, f, t, path);
	default:
		return bad(p, t, path, HFDS_EUNSUPPORTED, NULL, "unsupported column type");
	}
}

static void plan_release(jplan *pl)
{
	for (size_t i = 0; i < pl->nkids; i++)
		plan_release(&pl->kids[i]);
	hfds_free(pl->kids);
	pl->kids = NULL;
	pl->nkids = 0;
}

/* s's plan; f is its feature (NULL at the row and where no feature applies), top the row */
static int plan_build(jplan *pl, const struct ArrowSchema *s, const hfds_feature *f, const hfds_features *top,
	hfds_error *err)
{
	size_t i;
	hfds_feature_kind kind = f ? hfds_feature_get_kind(f) : HFDS_FEATURE_STRUCT;
	pl->s = s;
	pl->f = f;
	pl->name = s->name ? s->name : "";
	pl->name_len = strlen(pl->name);
	if (pl->name_len + 2 <= 8) {
		uint8_t k[8] = {0}, m[8] = {0};
		k[0] = k[pl->name_len + 1] = '"';
		memcpy(k + 1, pl->name, pl->name_len);
		memset(m, 0xff, pl->name_len + 2);
		memcpy(&pl->key8, k, 8);
		memcpy(&pl->key_mask, m, 8);
	}
	pl->is_label = f && kind == HFDS_FEATURE_CLASS_LABEL;
	pl->is_array = f && kind == HFDS_FEATURE_ARRAY;
	pl->f0 = s->format[0];
	pl->f1 = s->format[0] ? s->format[1] : 0;
	pl->direct = !pl->is_label && !pl->is_array && strchr("bcsilCSILefguU", pl->f0) != NULL;
	if (s->format[0] != '+' || s->n_children <= 0)
		return 0;
	pl->kids = hfds_calloc((size_t)s->n_children, sizeof(*pl->kids));
	if (!pl->kids)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	pl->nkids = (size_t)s->n_children;
	for (i = 0; i < pl->nkids; i++) {
		const hfds_feature *cf = NULL;
		int rc;
		if (top)
			cf = hfds_features_at(top, i);
		else if (s->format[1] == 's')
			cf = f && kind == HFDS_FEATURE_STRUCT && i < hfds_feature_count(f) ? hfds_feature_child_at(f, i) : NULL;
		else if (f && (kind == HFDS_FEATURE_LIST || kind == HFDS_FEATURE_LARGE_LIST))
			cf = hfds_feature_item(f);
		else if (f && kind == HFDS_FEATURE_ARRAY)
			cf = f; /* an Array's dimensions share its feature (the shape walks down) */
		if ((rc = plan_build(&pl->kids[i], s->children[i], cf, NULL, err)) < 0)
			return rc;
	}
	/* a variable-size list of direct values (not an Array: its shape is checked by conv) */
	pl->direct = !pl->is_array && (pl->f1 == 'l' || pl->f1 == 'L') && pl->nkids == 1 && pl->kids[0].direct;
	return 0;
}

int jl_parser_new(jl_parser **out, const ing_shared *sh, hfds_error *err)
{
	int rc = 0;
	jl_parser *p = hfds_calloc(1, sizeof(*p));
	*out = NULL;
	HFDS_FAIL_IF(!p, HFDS_ENOMEM, err, "out of memory");
	p->sh = sh;
	hfds_error_init(&p->berr);
	jt_init(&p->tape, sh->opt->max_depth);
	hfds_buf_init(&p->scratch, 0);
	hfds_buf_init(&p->bytes, 0);
	HFDS_TRY(hfds_arrow_builder_new(&p->b, sh->schema, err));
	HFDS_TRY(plan_build(&p->plan, sh->schema, NULL, sh->features, err));
	*out = p;
	p = NULL;
done:
	jl_parser_free(p);
	return rc;
}

void jl_parser_free(jl_parser *p)
{
	if (!p)
		return;
	hfds_arrow_builder_free(p->b);
	plan_release(&p->plan);
	jt_release(&p->tape);
	hfds_buf_release(&p->scratch);
	hfds_buf_release(&p->bytes);
	hfds_free(p->slots);
	hfds_free(p);
}


/* Whether the unescaped key at s (its opening quote) is exactly `name`. */
static int key_at(const char *s, const char *end, const jplan *f)
{
	size_t n = f->name_len;
	if (f->key_mask && end - s >= 8) { /* one compare for a short key (the line goes on after it) */
		uint64_t w;
		memcpy(&w, s, 8);
		return (w & f->key_mask) == f->key8;
	}
	if ((size_t)(end - s) < n + 2 || *s != '"' || s[n + 1] != '"')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[1 + i] != f->name[i])
			return 0;
	return 1;
}

static const char *skip_ws(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	return s;
}

/* Whether only the row's closing brace (and white space) follows s: checked before a row's
 * last value is appended, as the builder completes the row with it. */
static int row_ends(const char *s, const char *end)
{
	s = skip_ws(s, end);
	return s < end && *s == '}' && skip_ws(s + 1, end) == end;
}

/*
 * A value read straight from the text, without a token: null, true/false, a number for an
 * integer or float column, an unescaped string for a string column, and a list of such
 * values. `last`: the row's last field, taken only when the row ends right after it. Only what conv would accept is taken, through the same checked parsers; anything
 * else (an escape, a number conv refuses, a wrong type) is left to the tokenizer and conv,
 * so errors and their places stay those of the general path.
 * 1: appended, *sp moved past the value; 0: not taken, nothing appended; -1: a list item
 * was not taken after the list had begun (the caller gives up on the row).
 */
static int direct(jl_parser *p, const jplan *pl, const char **sp, const char *end, int depth, int last)
{
	const char *s = *sp, *e, *why = NULL;
	int rc;
	int64_t v;
	uint64_t u;
	double d;
	if (s >= end)
		return 0;
	if (*s == 'n') {
		if (end - s < 4 || memcmp(s, "null", 4))
			return 0;
		e = s + 4;
		if (last && !row_ends(e, end))
			return 0;
		rc = hfds_arrow_builder_append_null(p->b, &p->berr);
	} else {
		switch (pl->f0) {
		case 'b':
			if (end - s >= 4 && !memcmp(s, "true", 4))
				e = s + 4;
			else if (end - s >= 5 && !memcmp(s, "false", 5))
				e = s + 5;
			else
				return 0;
			if (last && !row_ends(e, end))
				return 0;
			rc = hfds_arrow_builder_append_bool(p->b, *s == 't', &p->berr);
			break;
		case 'c': case 's': case 'i': case 'l': case 'C': case 'S': case 'I':
			if ((e = ing_scan_int(s, end, &v)) == NULL) {
				e = jt_number_end(s, end);
				if (ing_parse_int(s, (size_t)(e - s), &v, &why) < 0)
					return 0;
			}
			if (!ing_int_fits(pl->f0, v) || (last && !row_ends(e, end)))
				return 0;
			rc = hfds_arrow_builder_append_int(p->b, v, &p->berr);
			break;
		case 'L':
			e = jt_number_end(s, end);
			if (ing_parse_uint(s, (size_t)(e - s), &u, &why) < 0 || (last && !row_ends(e, end)))
				return 0;
			rc = hfds_arrow_builder_append_uint(p->b, u, &p->berr);
			break;
		case 'e': case 'f': case 'g':
			if ((e = ing_scan_double(s, end, &d)) == NULL) {
				e = jt_number_end(s, end);
				if (e == s || ing_parse_double(s, (size_t)(e - s), 0, &d, &why) < 0 || why)
					return 0;
			}
			if (!ing_float_fits(pl->f0, d) || (last && !row_ends(e, end)))
				return 0;
			rc = hfds_arrow_builder_append_double(p->b, d, &p->berr);
			break;
		case 'u': case 'U':
			if (*s != '"')
				return 0;
			e = jt_skip_plain(s + 1, end);
			if (e >= end || *e != '"' || (last && !row_ends(e + 1, end)))
				return 0;
			rc = hfds_arrow_builder_append_bytes(p->b, s + 1, (size_t)(e - s - 1), &p->berr);
			e++;
			break;
		case '+': /* a list (plan_build only marks variable-size lists of direct values) */
			if (*s != '[' || depth >= p->sh->opt->max_depth)
				return 0;
			if (hfds_arrow_builder_begin_list(p->b, &p->berr) < 0)
				return -1;
			e = skip_ws(s + 1, end);
			if (e < end && *e == ']') {
				e++;
			} else {
				for (;;) {
					if (direct(p, &pl->kids[0], &e, end, depth + 1, 0) != 1)
						return -1;
					e = skip_ws(e, end);
					if (e < end && *e == ',') {
						e = skip_ws(e + 1, end);
						continue;
					}
					if (e < end && *e == ']') {
						e++;
						break;
					}
					return -1;
				}
			}
			if (last && !row_ends(e, end))
				return -1;
			rc = hfds_arrow_builder_end_list(p->b, &p->berr);
			break;
		default:
			return 0;
		}
	}
	/* a builder error (e.g. a null in a non-nullable field) is the general path's to report */
	if (rc < 0)
		return -1;
	*sp = e;
	return 1;
}

/*
 * The common row without a tape for its top level: an object whose keys are exactly the
 * schema's fields, in order and unescaped. Keys are compared in place (never tokenized nor
 * matched), and each value is read straight from the text (direct) or, when direct does
 * not take it, tokenized alone and converted at once. The rest of the line is checked
 * before the last value is appended (which completes the row in the builder), so a row is
 * only completed when the general path would accept the same line: anything else (another order, a missing or
 * extra key, an escape in a key, a syntax or type error, text after the object) returns 0
 * with the partial row dropped and no failure recorded, and the general path then converts
 * the line or reports its error exactly as it always did. 1 when the row was appended.
 */
static int row_direct(jl_parser *p, const char *s, const char *end)
{
	const jplan *pl = &p->plan;
	uint64_t ignored = p->ignored;
	size_t nf = pl->nkids;
	if (nf == 0 || *s != '{')
		return 0;
	s++;
	for (size_t i = 0; i < nf; i++) {
		const jplan *fp = &pl->kids[i];
		int r = 0;
		s = skip_ws(s, end);
		if (i > 0) {
			if (s >= end || *s != ',')
				goto slow;
			s = skip_ws(s + 1, end);
		}
		if (!key_at(s, end, fp))
			goto slow;
		s = skip_ws(s + fp->name_len + 2, end);
		if (s >= end || *s != ':')
			goto slow;
		s = skip_ws(s + 1, end);
		if (fp->direct && (r = direct(p, fp, &s, end, 1, i + 1 == nf)) < 0)
			goto slow;
		if (r == 0) {
			pathseg seg;
			size_t used;
			if (jt_parse_value(&p->tape, s, (size_t)(end - s), 1, &used) < 0)
				goto slow;
			s += used;
			if (i + 1 == nf && !row_ends(s, end))
				goto slow;
			seg.name = fp->name;
			seg.up = NULL;
			if (conv(p, fp, 0, &seg, NULL, 0) < 0) {
				p->fail->code = 0;
				goto slow;
			}
		}
	}
	return 1;
slow:
	hfds_arrow_builder_abort_row(p->b);
	hfds_error_init(&p->berr);
	p->ignored = ignored;
	return 0;
}

int jl_parse_block(jl_parser *p, const char *block, size_t n, struct ArrowArray *out, size_t *bytes,
	uint64_t *lines, uint64_t *ignored, ing_fail *fail)
{
	const char *s = block, *end = block + n;
	size_t bad_utf8 = hfds_utf8_validate(block, n);
	int rc;
	p->fail = fail;
	p->lineno = 0;
	p->ignored = 0;
	*lines = 0;
	*bytes = 0;
	memset(out, 0, sizeof(*out));
	hfds_arrow_builder_reset(p->b);
	/* room for this block's values at the last block's bytes per input byte, with 5% to
	 * spare: blocks are cut at one size, so their batches are built without growing */
	if (p->last_n)
		hfds_arrow_builder_presize(p->b, (double)n / (double)p->last_n * 1.05);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		const char *q = s;
		p->lineno++;
		p->line = s;
		if ((size_t)(le - block) > bad_utf8) {
			uint64_t line, col;
			ing_place(block, block + bad_utf8, &line, &col);
			return ing_failf(fail, HFDS_EPARSE, line, col, "invalid UTF-8");
		}
		while (q < le && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		p->nslots = 0;
		if (q < le && !row_direct(p, q, le)) {
			if (jt_parse(&p->tape, s, (size_t)(le - s)) < 0)
				return ing_failf(fail, p->tape.err_nomem ? HFDS_ENOMEM : HFDS_EPARSE, p->lineno,
					(uint64_t)(p->tape.err_at - s) + 1, "%s", p->tape.err_why);
			p->nslots = 0;
			if ((rc = conv_fields(p, &p->plan, 0, NULL)) < 0) {
				hfds_arrow_builder_abort_row(p->b);
				return rc;
			}
		}
		s = nl ? nl + 1 : end;
		*lines += nl != NULL;
	}
	*ignored = p->ignored;
	if (hfds_arrow_builder_rows(p->b) == 0)
		return 0;
	*bytes = hfds_arrow_builder_bytes(p->b);
	{
		hfds_error e;
		hfds_error_init(&e);
		if ((rc = hfds_arrow_builder_finish(p->b, out, &e)) < 0)
			return ing_failf(fail, rc, p->lineno, 0, "%s", e.message);
	}
	p->last_n = n;
	return 0;
}
