/*
 * ArrowArrayStream over a producer callback. The stream's private block keeps a copy of
 * the schema, the callback and the last error message (get_last_error must return a
 * pointer that stays valid until the next call).
 */
#include "arrow/arrow_internal.h"
#include "util/alloc.h"
#include "util/try.h"

#include <errno.h>
#include <string.h>

typedef struct stream_private {
	struct ArrowSchema schema;
	hfds_arrow_producer_fn next;
	void *payload;
	void (*payload_free)(void *);
	hfds_error last;
	int done;
} stream_private;

static int errno_of(int code)
{
	switch (code) {
	case HFDS_ENOMEM: return ENOMEM;
	case HFDS_EINVAL: case HFDS_EPARSE: case HFDS_ECORRUPT: return EINVAL;
	case HFDS_EUNSUPPORTED: return ENOSYS;
	default: return EIO;
	}
}

static int stream_get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
	stream_private *p = s->private_data;
	hfds_error_init(&p->last);
	int rc = hfds_arrow_schema_copy(out, &p->schema, &p->last);
	return rc < 0 ? errno_of(rc) : 0;
}

static int stream_get_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
	stream_private *p = s->private_data;
	int rc;
	memset(out, 0, sizeof(*out));
	if (p->done)
		return 0;
	hfds_error_init(&p->last);
	rc = p->next(p->payload, out, &p->last);
	if (rc == HFDS_ITEROVER) {
		p->done = 1;
		hfds_arrow_array_release(out);
		memset(out, 0, sizeof(*out));
		return 0;
	}
	if (rc < 0) {
		if (!p->last.code)
			hfds_error_set(&p->last, rc, "stream producer failed: %s", hfds_strerror(rc));
		hfds_arrow_array_release(out);
		memset(out, 0, sizeof(*out));
		return errno_of(rc);
	}
	return 0;
}

static const char *stream_last_error(struct ArrowArrayStream *s)
{
	stream_private *p = s->private_data;
	return p->last.code ? p->last.message : NULL;
}

static void stream_release(struct ArrowArrayStream *s)
{
	stream_private *p;
	if (!s || !s->release)
		return;
	p = s->private_data;
	if (p->payload_free)
		p->payload_free(p->payload);
	hfds_arrow_schema_release(&p->schema);
	hfds_free(p);
	memset(s, 0, sizeof(*s));
}

int hfds_arrow_stream_init(struct ArrowArrayStream *out, const struct ArrowSchema *schema,
	hfds_arrow_producer_fn next, void *payload, void (*payload_free)(void *payload), hfds_error *err)
{
	stream_private *p;
	int rc;
	HFDS_ASSERT_ARG(out && schema && next, err);
	memset(out, 0, sizeof(*out));
	if (!(p = hfds_calloc(1, sizeof(*p)))) {
		if (payload_free)
			payload_free(payload);
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	}
	if ((rc = hfds_arrow_schema_copy(&p->schema, schema, err)) < 0) {
		if (payload_free)
			payload_free(payload);
		hfds_free(p);
		return rc;
	}
	p->next = next;
	p->payload = payload;
	p->payload_free = payload_free;
	out->get_schema = stream_get_schema;
	out->get_next = stream_get_next;
	out->get_last_error = stream_last_error;
	out->release = stream_release;
	out->private_data = p;
	return 0;
}

typedef struct batch_list {
	struct ArrowArray *batches;
	size_t n, pos;
} batch_list;

static int batches_next(void *payload, struct ArrowArray *out, hfds_error *err)
{
	batch_list *l = payload;
	(void)err;
	if (l->pos == l->n)
		return HFDS_ITEROVER;
	hfds_arrow_array_move(out, &l->batches[l->pos++]);
	return 0;
}

static void batches_free(void *payload)
{
	batch_list *l = payload;
	for (size_t i = l->pos; i < l->n; i++)
		hfds_arrow_array_release(&l->batches[i]);
	hfds_free(l->batches);
	hfds_free(l);
}

int hfds_arrow_stream_from_batches(struct ArrowArrayStream *out, const struct ArrowSchema *schema,
	struct ArrowArray *batches, size_t n, hfds_error *err)
{
	batch_list *l = hfds_calloc(1, sizeof(*l));
	if (l)
		l->batches = hfds_calloc(n ? n : 1, sizeof(*l->batches));
	if (!l || !l->batches) {
		for (size_t i = 0; i < n; i++)
			hfds_arrow_array_release(&batches[i]);
		hfds_free(l);
		memset(out, 0, sizeof(*out));
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		hfds_arrow_array_move(&l->batches[i], &batches[i]);
	l->n = n;
	return hfds_arrow_stream_init(out, schema, batches_next, l, batches_free, err);
}

void hfds_arrow_stream_release(struct ArrowArrayStream *s)
{
	if (s && s->release)
		s->release(s);
}
