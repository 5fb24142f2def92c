/*
 * Owned arrays and validation. An owned array keeps its buffer pointer table, the
 * buffers it owns and its child arrays in one private block, so release is a single walk.
 */
#include "arrow/arrow_internal.h"
#include "util/alloc.h"
#include "util/try.h"

#include <stdio.h>
#include <string.h>

typedef struct owned_array {
	const void *buffers[3];
	void *owned[3];
	struct ArrowArray **children;
} owned_array;

static void array_release(struct ArrowArray *a)
{
	owned_array *p;
	if (!a || !a->release)
		return;
	p = a->private_data;
	for (int64_t i = 0; i < a->n_children; i++) {
		if (p->children[i]) {
			if (p->children[i]->release)
				p->children[i]->release(p->children[i]);
			hfds_free(p->children[i]);
		}
	}
	hfds_free(p->children);
	for (int i = 0; i < 3; i++)
		hfds_free(p->owned[i]);
	hfds_free(p);
	memset(a, 0, sizeof(*a));
}

int hfds_arrow__array_init(struct ArrowArray *out, int n_buffers, int64_t n_children, hfds_error *err)
{
	owned_array *p;
	memset(out, 0, sizeof(*out));
	if (!(p = hfds_calloc(1, sizeof(*p))))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	if (n_children > 0) {
		if (!(p->children = hfds_calloc((size_t)n_children, sizeof(*p->children))))
			goto oom;
		for (int64_t i = 0; i < n_children; i++) {
			if (!(p->children[i] = hfds_calloc(1, sizeof(struct ArrowArray)))) {
				for (int64_t j = 0; j < i; j++)
					hfds_free(p->children[j]);
				hfds_free(p->children);
				goto oom;
			}
		}
	}
	out->n_buffers = n_buffers;
	out->n_children = n_children;
	out->buffers = p->buffers;
	out->children = p->children;
	out->private_data = p;
	out->release = array_release;
	return 0;
oom:
	hfds_free(p);
	return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
}

void hfds_arrow__array_set_buffer(struct ArrowArray *a, int i, void *owned)
{
	owned_array *p = a->private_data;
	hfds_free(p->owned[i]);
	p->owned[i] = owned;
	p->buffers[i] = owned;
}

void hfds_arrow_array_release(struct ArrowArray *a)
{
	if (a && a->release)
		a->release(a);
}

void hfds_arrow_array_move(struct ArrowArray *dst, struct ArrowArray *src)
{
	*dst = *src;
	src->release = NULL;
}

/* ---- validation ---- */

#define PATH_MAX_LEN 512

static int fail(hfds_error *err, const char *path, const char *what)
{
	if (*path)
		return hfds_error_set(err, HFDS_EINVAL, "column '%s': %s", path, what);
	return hfds_error_set(err, HFDS_EINVAL, "record batch: %s", what);
}

static int check_offsets(const struct ArrowArray *a, int large, int64_t limit, const char *path,
	const char *what, hfds_error *err)
{
	char msg[160];
	int64_t prev = 0;
	if (a->length == 0 && !a->buffers[1])
		return 0;
	if (!a->buffers[1])
		return fail(err, path, "offsets buffer is NULL");
	for (int64_t i = 0; i <= a->length; i++) {
		int64_t o = large ? ((const int64_t *)a->buffers[1])[a->offset + i]
			: ((const int32_t *)a->buffers[1])[a->offset + i];
		if (o < 0) {
			snprintf(msg, sizeof(msg), "negative offset %lld at index %lld", (long long)o, (long long)i);
			return fail(err, path, msg);
		}
		if (i > 0 && o < prev) {
			snprintf(msg, sizeof(msg), "offsets not monotonic at index %lld (%lld after %lld)",
				(long long)i, (long long)o, (long long)prev);
			return fail(err, path, msg);
		}
		if (limit >= 0 && o > limit) {
			snprintf(msg, sizeof(msg), "offset %lld at index %lld is past the end of the %s (%lld)",
				(long long)o, (long long)i, what, (long long)limit);
			return fail(err, path, msg);
		}
		prev = o;
	}
	if (limit < 0 && prev > 0 && !a->buffers[2])
		return fail(err, path, "data buffer is NULL");
	return 0;
}

static int validate(const struct ArrowArray *a, const struct ArrowSchema *s, const char *path,
	int64_t need_len, hfds_error *err)
{
	hfds_arrow_schema_view v;
	char msg[200], child_path[PATH_MAX_LEN];
	int rc = 0;
	int64_t end;
	if (hfds_arrow_schema_view_init(&v, s, NULL) < 0) {
		char tn[64];
		snprintf(msg, sizeof(msg), "unsupported type %s", hfds_arrow_type_name(s, tn, sizeof(tn)));
		return hfds_error_set(err, HFDS_EINVAL, "column '%s': %s", path, msg);
	}
	if (!a->release)
		return fail(err, path, "array is released");
	if (a->length < 0 || a->offset < 0 || __builtin_add_overflow(a->length, a->offset, &end)) {
		snprintf(msg, sizeof(msg), "bad length %lld / offset %lld", (long long)a->length, (long long)a->offset);
		return fail(err, path, msg);
	}
	if (need_len >= 0 && end < need_len) {
		snprintf(msg, sizeof(msg), "length %lld + offset %lld is shorter than its parent's %lld rows",
			(long long)a->length, (long long)a->offset, (long long)need_len);
		return fail(err, path, msg);
	}
	if (a->null_count < -1 || a->null_count > a->length) {
		snprintf(msg, sizeof(msg), "null_count %lld out of range for length %lld",
			(long long)a->null_count, (long long)a->length);
		return fail(err, path, msg);
	}
	if (a->n_buffers != v.n_buffers) {
		snprintf(msg, sizeof(msg), "expected %d buffers for %s, found %lld", v.n_buffers, s->format,
			(long long)a->n_buffers);
		return fail(err, path, msg);
	}
	if (a->n_children != s->n_children) {
		snprintf(msg, sizeof(msg), "expected %lld children, found %lld", (long long)s->n_children,
			(long long)a->n_children);
		return fail(err, path, msg);
	}
	if (a->n_buffers > 0 && !a->buffers)
		return fail(err, path, "buffers pointer is NULL");
	if (a->n_children > 0 && !a->children)
		return fail(err, path, "children pointer is NULL");
	if (v.type == HFDS_ARROW_NA) {
		if (a->null_count != a->length && a->null_count != -1)
			return fail(err, path, "null array with null_count != length");
		return 0;
	}
	if (a->null_count > 0 && !a->buffers[0])
		return fail(err, path, "null_count > 0 but the validity buffer is NULL");
	switch (v.type) {
	case HFDS_ARROW_STRING: case HFDS_ARROW_BINARY:
		return check_offsets(a, 0, -1, path, "data", err);
	case HFDS_ARROW_LARGE_STRING: case HFDS_ARROW_LARGE_BINARY:
		return check_offsets(a, 1, -1, path, "data", err);
	case HFDS_ARROW_LIST: case HFDS_ARROW_LARGE_LIST: {
		const struct ArrowArray *c = a->children[0];
		if (!c)
			return fail(err, path, "child array is NULL");
		hfds_arrow__path(child_path, sizeof(child_path), path, s->children[0]->name);
		HFDS_TRY(validate(c, s->children[0], child_path, -1, err));
		return check_offsets(a, v.type == HFDS_ARROW_LARGE_LIST, c->length, path, "child array", err);
	}
	case HFDS_ARROW_FIXED_SIZE_LIST: {
		const struct ArrowArray *c = a->children[0];
		int64_t need;
		if (!c)
			return fail(err, path, "child array is NULL");
		hfds_arrow__path(child_path, sizeof(child_path), path, s->children[0]->name);
		if (__builtin_mul_overflow(end, (int64_t)v.fixed_size, &need))
			return fail(err, path, "fixed size list length overflows");
		if (c->length < need) {
			snprintf(msg, sizeof(msg), "child has %lld values, fixed_size_list[%d] of %lld rows needs %lld",
				(long long)c->length, (int)v.fixed_size, (long long)end, (long long)need);
			return fail(err, path, msg);
		}
		return validate(c, s->children[0], child_path, -1, err);
	}
	case HFDS_ARROW_STRUCT:
		for (int64_t i = 0; i < a->n_children; i++) {
			if (!a->children[i])
				return fail(err, path, "child array is NULL");
			hfds_arrow__path(child_path, sizeof(child_path), path, s->children[i]->name);
			HFDS_TRY(validate(a->children[i], s->children[i], child_path, end, err));
		}
		return 0;
	default:
		if (end > 0 && !a->buffers[1])
			return fail(err, path, "data buffer is NULL");
		return 0;
	}
done:
	return rc;
}

int hfds_arrow_array_validate(const struct ArrowArray *array, const struct ArrowSchema *schema,
	hfds_error *err)
{
	HFDS_ASSERT_ARG(array && schema, err);
	if (!schema->format || strcmp(schema->format, "+s") != 0)
		return validate(array, schema, schema->name && *schema->name ? schema->name : "?", -1, err);
	return validate(array, schema, "", -1, err);
}
