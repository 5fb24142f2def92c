/* Allocation failures at every point of a schema -> builder -> finish -> stream cycle:
 * each must come back as HFDS_ENOMEM with nothing leaked (ASan/LSan) and no crash. */
#include "test.h"
#include "hfds/arrow.h"
#include "util/alloc.h"

#define TRY(x) do { if ((rc = (x)) < 0) goto done; } while (0)

static int scenario(void)
{
	struct ArrowSchema s = {0}, copy = {0};
	struct ArrowArray a = {0}, batches[1];
	struct ArrowArrayStream st = {0};
	hfds_arrow_builder *b = NULL;
	char *md = NULL;
	const char *k = "huggingface", *v = "{}";
	int8_t win[2 * 6] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	int64_t offs[] = {0, 1, 3};
	int rc = 0;
	memset(batches, 0, sizeof(batches));
	TRY(hfds_arrow_schema_init(&s, "+s", NULL, 0, NULL));
	TRY(hfds_arrow_schema_alloc_children(&s, 4, NULL));
	TRY(hfds_arrow_schema_init_nullable(s.children[0], "+l", "grid", NULL));
	TRY(hfds_arrow_schema_alloc_children(s.children[0], 1, NULL));
	TRY(hfds_arrow_schema_init_nullable(s.children[0]->children[0], "+w:3", "item", NULL));
	TRY(hfds_arrow_schema_alloc_children(s.children[0]->children[0], 1, NULL));
	TRY(hfds_arrow_schema_init_nullable(s.children[0]->children[0]->children[0], "c", "item", NULL));
	TRY(hfds_arrow_schema_init_nullable(s.children[1], "u", "text", NULL));
	TRY(hfds_arrow_schema_init_nullable(s.children[2], "+s", "st", NULL));
	TRY(hfds_arrow_schema_alloc_children(s.children[2], 1, NULL));
	TRY(hfds_arrow_schema_init_nullable(s.children[2]->children[0], "b", "f", NULL));
	TRY(hfds_arrow_schema_init_nullable(s.children[3], "l", "n", NULL));
	TRY(hfds_arrow_metadata_build(&md, &k, &v, 1, NULL));
	TRY(hfds_arrow_schema_set_metadata(&s, md, NULL));
	TRY(hfds_arrow_schema_copy(&copy, &s, NULL));
	TRY(hfds_arrow_builder_new(&b, &copy, NULL));
	for (int r = 0; r < 40; r++) {
		TRY(hfds_arrow_builder_begin_list(b, NULL));
		for (int j = 0; j < 2; j++) {
			TRY(hfds_arrow_builder_begin_list(b, NULL));
			for (int i = 0; i < 3; i++)
				TRY(hfds_arrow_builder_append_int(b, i, NULL));
			TRY(hfds_arrow_builder_end_list(b, NULL));
		}
		TRY(hfds_arrow_builder_end_list(b, NULL));
		TRY(r % 3 ? hfds_arrow_builder_append_str(b, "some text here", NULL) : hfds_arrow_builder_append_null(b, NULL));
		TRY(hfds_arrow_builder_begin_struct(b, NULL));
		TRY(hfds_arrow_builder_append_bool(b, r & 1, NULL));
		TRY(hfds_arrow_builder_end_struct(b, NULL));
		TRY(hfds_arrow_builder_append_int(b, r, NULL));
	}
	TRY(hfds_arrow_builder_append_tensor(b, 0, win, 2, (int64_t[]){2, 3}, 2, (uint8_t[]){1, 0}, NULL));
	TRY(hfds_arrow_builder_append_binary(b, 1, offs, "abc", 2, NULL, NULL));
	TRY(hfds_arrow_builder_append_nulls(b, 2, 2, NULL));
	TRY(hfds_arrow_builder_append_fixed(b, 3, offs, 2, NULL, NULL));
	TRY(hfds_arrow_builder_finish(b, &a, NULL));
	TRY(hfds_arrow_array_validate(&a, &s, NULL));
	hfds_arrow_array_move(&batches[0], &a);
	TRY(hfds_arrow_stream_from_batches(&st, &s, batches, 1, NULL));
	{
		struct ArrowSchema got;
		if (st.get_schema(&st, &got) != 0) {
			rc = HFDS_ENOMEM;
			goto done;
		}
		hfds_arrow_schema_release(&got);
	}
done:
	hfds_arrow_stream_release(&st);
	hfds_arrow_array_release(&batches[0]);
	hfds_arrow_array_release(&a);
	hfds_arrow_builder_free(b);
	hfds_arrow_schema_release(&copy);
	hfds_arrow_schema_release(&s);
	hfds_free(md);
	return rc;
}

static void test_every_allocation_fails_once(void)
{
	int n, rc = -1;
	CHECK_EQ_INT(scenario(), 0);
	for (n = 1; n < 5000; n++) {
		hfds_alloc_fail_after((uint64_t)n);
		rc = scenario();
		hfds_alloc_fail_after(0);
		if (rc == 0)
			break;
		CHECK_EQ_INT(rc, HFDS_ENOMEM);
	}
	CHECK_EQ_INT(rc, 0);
	CHECK(n > 30);
}

int main(void)
{
	RUN(test_every_allocation_fails_once);
	TEST_END();
}
