/*
 * Owned ArrowSchema trees. Every node created here keeps its strings and children in
 * plain allocations hung off the struct itself (private_data is unused), so one release
 * callback frees any node, and nodes can be moved between parents by struct copy.
 */
#include "arrow/arrow_internal.h"
#include "util/alloc.h"
#include "util/try.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t metadata_size(const char *m)
{
	int32_t n, len;
	size_t pos = 4;
	if (!m)
		return 0;
	memcpy(&n, m, 4);
	for (int32_t i = 0; i < n; i++) {
		memcpy(&len, m + pos, 4);
		pos += 4 + (size_t)len;
		memcpy(&len, m + pos, 4);
		pos += 4 + (size_t)len;
	}
	return pos;
}

static void schema_release(struct ArrowSchema *s)
{
	if (!s || !s->release)
		return;
	for (int64_t i = 0; i < s->n_children; i++) {
		struct ArrowSchema *c = s->children[i];
		if (c) {
			if (c->release)
				c->release(c);
			hfds_free(c);
		}
	}
	hfds_free(s->children);
	if (s->dictionary) {
		if (s->dictionary->release)
			s->dictionary->release(s->dictionary);
		hfds_free(s->dictionary);
	}
	hfds_free((char *)s->format);
	hfds_free((char *)s->name);
	hfds_free((char *)s->metadata);
	memset(s, 0, sizeof(*s));
}

int hfds_arrow_schema_init(struct ArrowSchema *out, const char *format, const char *name,
	int64_t flags, hfds_error *err)
{
	HFDS_ASSERT_ARG(out && format, err);
	memset(out, 0, sizeof(*out));
	out->flags = flags;
	out->release = schema_release;
	out->format = hfds_strdup(format);
	if (name)
		out->name = hfds_strdup(name);
	if (!out->format || (name && !out->name)) {
		schema_release(out);
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory creating schema '%s'", name ? name : "");
	}
	return 0;
}

int hfds_arrow_schema_init_nullable(struct ArrowSchema *out, const char *format, const char *name,
	hfds_error *err)
{
	return hfds_arrow_schema_init(out, format, name, ARROW_FLAG_NULLABLE, err);
}

static int set_str(const char **slot, const char *v, hfds_error *err)
{
	char *copy = NULL;
	if (v && !(copy = hfds_strdup(v)))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	hfds_free((char *)*slot);
	*slot = copy;
	return 0;
}

int hfds_arrow_schema_set_name(struct ArrowSchema *s, const char *name, hfds_error *err)
{
	HFDS_ASSERT_ARG(s && s->release == schema_release, err);
	return set_str(&s->name, name, err);
}

int hfds_arrow_schema_set_format(struct ArrowSchema *s, const char *format, hfds_error *err)
{
	HFDS_ASSERT_ARG(s && s->release == schema_release && format, err);
	return set_str(&s->format, format, err);
}

int hfds_arrow_schema_set_metadata(struct ArrowSchema *s, const char *metadata, hfds_error *err)
{
	char *copy = NULL;
	size_t n = metadata_size(metadata);
	HFDS_ASSERT_ARG(s && s->release == schema_release, err);
	if (metadata) {
		if (!(copy = hfds_malloc(n)))
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		memcpy(copy, metadata, n);
	}
	hfds_free((char *)s->metadata);
	s->metadata = copy;
	return 0;
}

int hfds_arrow_schema_alloc_children(struct ArrowSchema *s, int64_t n, hfds_error *err)
{
	HFDS_ASSERT_ARG(s && s->release == schema_release && s->n_children == 0 && n >= 0, err);
	if (n == 0)
		return 0;
	s->children = hfds_calloc((size_t)n, sizeof(*s->children));
	if (!s->children)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	for (int64_t i = 0; i < n; i++) {
		s->children[i] = hfds_calloc(1, sizeof(struct ArrowSchema));
		if (!s->children[i]) {
			for (int64_t j = 0; j < i; j++)
				hfds_free(s->children[j]);
			hfds_free(s->children);
			s->children = NULL;
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		}
	}
	s->n_children = n;
	return 0;
}

int hfds_arrow_schema_add_child(struct ArrowSchema *s, struct ArrowSchema *child, hfds_error *err)
{
	struct ArrowSchema **kids = NULL, *node = NULL;
	HFDS_ASSERT_ARG(s && s->release == schema_release && child && child->release, err);
	kids = hfds_reallocarray(s->children, (size_t)s->n_children + 1, sizeof(*kids));
	if (kids)
		s->children = kids;
	node = kids ? hfds_malloc(sizeof(*node)) : NULL;
	if (!node) {
		child->release(child);
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	}
	*node = *child;
	child->release = NULL;
	s->children[s->n_children++] = node;
	return 0;
}

int hfds_arrow_schema_copy(struct ArrowSchema *out, const struct ArrowSchema *src, hfds_error *err)
{
	int rc = 0;
	HFDS_ASSERT_ARG(out && src && src->release, err);
	HFDS_TRY(hfds_arrow_schema_init(out, src->format, src->name, src->flags, err));
	HFDS_TRY(hfds_arrow_schema_set_metadata(out, src->metadata, err));
	HFDS_TRY(hfds_arrow_schema_alloc_children(out, src->n_children, err));
	for (int64_t i = 0; i < src->n_children; i++)
		HFDS_TRY(hfds_arrow_schema_copy(out->children[i], src->children[i], err));
	if (src->dictionary) {
		out->dictionary = hfds_calloc(1, sizeof(*out->dictionary));
		HFDS_FAIL_IF(!out->dictionary, HFDS_ENOMEM, err, "out of memory");
		HFDS_TRY(hfds_arrow_schema_copy(out->dictionary, src->dictionary, err));
	}
done:
	if (rc < 0)
		schema_release(out);
	return rc;
}

void hfds_arrow_schema_release(struct ArrowSchema *s)
{
	if (s && s->release)
		s->release(s);
}

void hfds_arrow_schema_move(struct ArrowSchema *dst, struct ArrowSchema *src)
{
	*dst = *src;
	src->release = NULL;
}

const char *hfds_arrow__path(char *buf, size_t size, const char *parent, const char *name)
{
	if (!name || !*name)
		name = "?";
	if (parent && *parent)
		snprintf(buf, size, "%s.%s", parent, name);
	else
		snprintf(buf, size, "%s", name);
	return buf;
}

/* Parses a decimal int32 > 0 (or >= 0 when allow_zero) that runs to the end of s. */
static int parse_size(const char *s, int allow_zero, int32_t *out)
{
	char *end;
	long v;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v > INT32_MAX || (v == 0 && !allow_zero))
		return -1;
	*out = (int32_t)v;
	return 0;
}

int hfds_arrow_schema_view_init(hfds_arrow_schema_view *out, const struct ArrowSchema *schema,
	hfds_error *err)
{
	static const struct {
		const char *fmt;
		hfds_arrow_type type;
		int bits;
		int n_buffers;
	} simple[] = {
		{"n", HFDS_ARROW_NA, 0, 0}, {"b", HFDS_ARROW_BOOL, 1, 2},
		{"c", HFDS_ARROW_INT8, 8, 2}, {"s", HFDS_ARROW_INT16, 16, 2},
		{"i", HFDS_ARROW_INT32, 32, 2}, {"l", HFDS_ARROW_INT64, 64, 2},
		{"C", HFDS_ARROW_UINT8, 8, 2}, {"S", HFDS_ARROW_UINT16, 16, 2},
		{"I", HFDS_ARROW_UINT32, 32, 2}, {"L", HFDS_ARROW_UINT64, 64, 2},
		{"e", HFDS_ARROW_HALF_FLOAT, 16, 2}, {"f", HFDS_ARROW_FLOAT, 32, 2},
		{"g", HFDS_ARROW_DOUBLE, 64, 2},
		{"u", HFDS_ARROW_STRING, 0, 3}, {"U", HFDS_ARROW_LARGE_STRING, 0, 3},
		{"z", HFDS_ARROW_BINARY, 0, 3}, {"Z", HFDS_ARROW_LARGE_BINARY, 0, 3},
		{"tdD", HFDS_ARROW_DATE32, 32, 2},
		{"+l", HFDS_ARROW_LIST, 0, 2}, {"+L", HFDS_ARROW_LARGE_LIST, 0, 2},
		{"+s", HFDS_ARROW_STRUCT, 0, 1},
	};
	const char *f;
	memset(out, 0, sizeof(*out));
	out->timezone = "";
	HFDS_ASSERT_ARG(schema && schema->format, err);
	f = schema->format;
	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (strcmp(f, simple[i].fmt) == 0) {
			out->type = simple[i].type;
			out->bit_width = simple[i].bits;
			out->n_buffers = simple[i].n_buffers;
			goto check_children;
		}
	}
	if (strncmp(f, "w:", 2) == 0 && parse_size(f + 2, 1, &out->fixed_size) == 0) {
		out->type = HFDS_ARROW_FIXED_SIZE_BINARY;
		out->bit_width = out->fixed_size * 8;
		out->n_buffers = 2;
	} else if (strncmp(f, "+w:", 3) == 0 && parse_size(f + 3, 1, &out->fixed_size) == 0) {
		out->type = HFDS_ARROW_FIXED_SIZE_LIST;
		out->n_buffers = 1;
	} else if (strncmp(f, "ts", 2) == 0 && f[2] && f[3] == ':' && strchr("smun", f[2])) {
		out->type = HFDS_ARROW_TIMESTAMP;
		out->unit = f[2] == 's' ? HFDS_ARROW_SECOND : f[2] == 'm' ? HFDS_ARROW_MILLI
			: f[2] == 'u' ? HFDS_ARROW_MICRO : HFDS_ARROW_NANO;
		out->timezone = f + 4;
		out->bit_width = 64;
		out->n_buffers = 2;
	} else {
		out->type = HFDS_ARROW_UNSUPPORTED;
		return hfds_error_set(err, HFDS_EUNSUPPORTED, "field '%s': unsupported arrow format '%s'",
			schema->name ? schema->name : "", f);
	}
check_children:
	if (schema->dictionary)
		return hfds_error_set(err, HFDS_EUNSUPPORTED, "field '%s': dictionary-encoded arrays are not supported",
			schema->name ? schema->name : "");
	{
		int want = out->type == HFDS_ARROW_STRUCT ? -1
			: (out->type == HFDS_ARROW_LIST || out->type == HFDS_ARROW_LARGE_LIST
				|| out->type == HFDS_ARROW_FIXED_SIZE_LIST) ? 1 : 0;
		if (want >= 0 && schema->n_children != want)
			return hfds_error_set(err, HFDS_EINVAL, "field '%s': format '%s' needs %d children, found %lld",
				schema->name ? schema->name : "", f, want, (long long)schema->n_children);
	}
	return 0;
}

const char *hfds_arrow_type_name(const struct ArrowSchema *schema, char *buf, size_t size)
{
	static const char *const names[] = {
		[HFDS_ARROW_UNSUPPORTED] = "unsupported", [HFDS_ARROW_NA] = "null", [HFDS_ARROW_BOOL] = "bool",
		[HFDS_ARROW_INT8] = "int8", [HFDS_ARROW_INT16] = "int16", [HFDS_ARROW_INT32] = "int32",
		[HFDS_ARROW_INT64] = "int64", [HFDS_ARROW_UINT8] = "uint8", [HFDS_ARROW_UINT16] = "uint16",
		[HFDS_ARROW_UINT32] = "uint32", [HFDS_ARROW_UINT64] = "uint64",
		[HFDS_ARROW_HALF_FLOAT] = "halffloat", [HFDS_ARROW_FLOAT] = "float",
		[HFDS_ARROW_DOUBLE] = "double", [HFDS_ARROW_STRING] = "string",
		[HFDS_ARROW_LARGE_STRING] = "large_string", [HFDS_ARROW_BINARY] = "binary",
		[HFDS_ARROW_LARGE_BINARY] = "large_binary", [HFDS_ARROW_FIXED_SIZE_BINARY] = "fixed_size_binary",
		[HFDS_ARROW_DATE32] = "date32[day]", [HFDS_ARROW_TIMESTAMP] = "timestamp",
		[HFDS_ARROW_LIST] = "list", [HFDS_ARROW_LARGE_LIST] = "large_list",
		[HFDS_ARROW_FIXED_SIZE_LIST] = "fixed_size_list", [HFDS_ARROW_STRUCT] = "struct",
	};
	static const char *const units[] = {"s", "ms", "us", "ns"};
	hfds_arrow_schema_view v;
	if (hfds_arrow_schema_view_init(&v, schema, NULL) < 0) {
		snprintf(buf, size, "unsupported(%s)", schema && schema->format ? schema->format : "");
		return buf;
	}
	if (v.type == HFDS_ARROW_TIMESTAMP && *v.timezone)
		snprintf(buf, size, "timestamp[%s, tz=%s]", units[v.unit], v.timezone);
	else if (v.type == HFDS_ARROW_TIMESTAMP)
		snprintf(buf, size, "timestamp[%s]", units[v.unit]);
	else if (v.type == HFDS_ARROW_FIXED_SIZE_BINARY || v.type == HFDS_ARROW_FIXED_SIZE_LIST)
		snprintf(buf, size, "%s[%d]", names[v.type], (int)v.fixed_size);
	else
		snprintf(buf, size, "%s", names[v.type]);
	return buf;
}
