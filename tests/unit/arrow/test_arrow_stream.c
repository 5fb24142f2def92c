/* ArrowArrayStream helpers: a producer callback stream and a stream over batches. */
#include "test.h"
#include "hfds/arrow.h"

static void int_schema(struct ArrowSchema *s)
{
	hfds_arrow_schema_init(s, "+s", NULL, 0, NULL);
	hfds_arrow_schema_alloc_children(s, 1, NULL);
	hfds_arrow_schema_init_nullable(s->children[0], "l", "v", NULL);
}

typedef struct producer {
	hfds_arrow_builder *b;
	int calls, fail_at, freed;
} producer;

static int produce(void *payload, struct ArrowArray *out, hfds_error *err)
{
	producer *p = payload;
	int rc;
	if (p->calls == p->fail_at)
		return hfds_error_set(err, HFDS_EIO, "source.bin: read failed at batch %d", p->calls);
	if (p->calls == 3)
		return HFDS_ITEROVER;
	for (int i = 0; i < 5; i++)
		if ((rc = hfds_arrow_builder_append_int(p->b, p->calls * 10 + i, err)) < 0)
			return rc;
	p->calls++;
	return hfds_arrow_builder_finish(p->b, out, err);
}

static void free_producer(void *payload)
{
	producer *p = payload;
	hfds_arrow_builder_free(p->b);
	p->b = NULL;
	p->freed = 1;
}

static void test_producer_stream(void)
{
	struct ArrowSchema s, got;
	struct ArrowArrayStream st;
	struct ArrowArray a;
	producer p = {0};
	p.fail_at = -1;
	int_schema(&s);
	REQUIRE(hfds_arrow_builder_new(&p.b, &s, NULL) == 0);
	REQUIRE(hfds_arrow_stream_init(&st, &s, produce, &p, free_producer, NULL) == 0);
	hfds_arrow_schema_release(&s);
	REQUIRE(st.get_schema(&st, &got) == 0);
	CHECK_EQ_STR(got.children[0]->name, "v");
	hfds_arrow_schema_release(&got);
	int batches = 0;
	int64_t sum = 0;
	for (;;) {
		REQUIRE(st.get_next(&st, &a) == 0);
		if (!a.release)
			break;
		batches++;
		for (int i = 0; i < a.length; i++)
			sum += ((const int64_t *)a.children[0]->buffers[1])[i];
		a.release(&a);
	}
	CHECK_EQ_INT(batches, 3);
	CHECK_EQ_INT(sum, (0 + 10 + 20) * 5 + 3 * 10);
	CHECK(st.get_last_error(&st) == NULL);
	st.release(&st);
	CHECK(st.release == NULL);
	CHECK_EQ_INT(p.freed, 1);
}

static void test_producer_error(void)
{
	struct ArrowSchema s;
	struct ArrowArrayStream st;
	struct ArrowArray a;
	producer p = {0};
	p.fail_at = 1;
	int_schema(&s);
	REQUIRE(hfds_arrow_builder_new(&p.b, &s, NULL) == 0);
	REQUIRE(hfds_arrow_stream_init(&st, &s, produce, &p, free_producer, NULL) == 0);
	hfds_arrow_schema_release(&s);
	REQUIRE(st.get_next(&st, &a) == 0);
	a.release(&a);
	CHECK(st.get_next(&st, &a) > 0);
	CHECK(a.release == NULL);
	CHECK_EQ_STR(st.get_last_error(&st), "source.bin: read failed at batch 1");
	hfds_arrow_stream_release(&st);
	CHECK_EQ_INT(p.freed, 1);
}

static void test_batches_stream(void)
{
	struct ArrowSchema s;
	struct ArrowArrayStream st;
	struct ArrowArray batches[2], a;
	hfds_arrow_builder *b;
	int_schema(&s);
	REQUIRE(hfds_arrow_builder_new(&b, &s, NULL) == 0);
	for (int k = 0; k < 2; k++) {
		hfds_arrow_builder_append_int(b, k, NULL);
		REQUIRE(hfds_arrow_builder_finish(b, &batches[k], NULL) == 0);
	}
	hfds_arrow_builder_free(b);
	REQUIRE(hfds_arrow_stream_from_batches(&st, &s, batches, 2, NULL) == 0);
	CHECK(batches[0].release == NULL);
	REQUIRE(st.get_next(&st, &a) == 0);
	CHECK_EQ_INT(a.length, 1);
	a.release(&a);
	/* releasing with one batch unread frees it */
	st.release(&st);
	hfds_arrow_schema_release(&s);
}

int main(void)
{
	RUN(test_producer_stream);
	RUN(test_producer_error);
	RUN(test_batches_stream);
	TEST_END();
}
