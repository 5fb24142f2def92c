/* The row builder: row-by-row and bulk appends, nulls at every level, finish/reset, errors,
 * validation of the produced batches (and of deliberately broken ones). */
#include "test.h"

#include <stdlib.h>
#include <unistd.h>
#include "hfds/arrow.h"

static void child(struct ArrowSchema *parent, int64_t i, const char *fmt, const char *name)
{
	hfds_arrow_schema_init_nullable(parent->children[i], fmt, name, NULL);
}

/* {id: int8, text: string, tokens: list<int32>, scalars: fixed_size_list<int8>[3],
 *  s: struct<a: bool, h: float16>, ts: timestamp[us, UTC], grid: list<list<int8>>} */
static void make_schema(struct ArrowSchema *s)
{
	hfds_arrow_schema_init(s, "+s", NULL, 0, NULL);
	hfds_arrow_schema_alloc_children(s, 7, NULL);
	child(s, 0, "c", "id");
	child(s, 1, "u", "text");
	child(s, 2, "+l", "tokens");
	hfds_arrow_schema_alloc_children(s->children[2], 1, NULL);
	child(s->children[2], 0, "i", "item");
	child(s, 3, "+w:3", "scalars");
	hfds_arrow_schema_alloc_children(s->children[3], 1, NULL);
	child(s->children[3], 0, "c", "item");
	child(s, 4, "+s", "s");
	hfds_arrow_schema_alloc_children(s->children[4], 2, NULL);
	child(s->children[4], 0, "b", "a");
	child(s->children[4], 1, "e", "h");
	child(s, 5, "tsu:UTC", "ts");
	child(s, 6, "+l", "grid");
	hfds_arrow_schema_alloc_children(s->children[6], 1, NULL);
	child(s->children[6], 0, "+l", "item");
	hfds_arrow_schema_alloc_children(s->children[6]->children[0], 1, NULL);
	child(s->children[6]->children[0], 0, "c", "item");
}

static int bit(const void *buf, int64_t i)
{
	return buf ? (((const uint8_t *)buf)[i >> 3] >> (i & 7)) & 1 : 1;
}

static void append_row(hfds_arrow_builder *b, int k, hfds_error *err)
{
	char txt[16];
	snprintf(txt, sizeof(txt), "row%d", k);
	CHECK_EQ_INT(hfds_arrow_builder_append_int(b, k, err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_str(b, txt, err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_begin_list(b, err), 0);
	for (int i = 0; i < k; i++)
		CHECK_EQ_INT(hfds_arrow_builder_append_int(b, i * 100, err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_end_list(b, err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_begin_list(b, err), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(hfds_arrow_builder_append_int(b, -k - i, err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_end_list(b, err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_begin_struct(b, err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_bool(b, k & 1, err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_double(b, 1.5, err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_end_struct(b, err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_int(b, 1000000LL * k, err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_begin_list(b, err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_begin_list(b, err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_int(b, k, err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_end_list(b, err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_end_list(b, err), 0);
}

static void test_rows_and_nulls(void)
{
	struct ArrowSchema s;
	struct ArrowArray a;
	hfds_arrow_builder *b = NULL;
	hfds_error err;
	hfds_error_init(&err);
	make_schema(&s);
	REQUIRE(hfds_arrow_builder_new(&b, &s, &err) == 0);
	hfds_arrow_schema_release(&s);
	append_row(b, 0, &err);
	append_row(b, 3, &err);
	/* a row of nulls at the top level */
	for (int i = 0; i < 7; i++)
		CHECK_EQ_INT(hfds_arrow_builder_append_null(b, &err), 0);
	/* nulls inside: list element, struct field, inner list */
	CHECK_EQ_INT(hfds_arrow_builder_append_int(b, 7, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_str(b, "", &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_begin_list(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_null(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_int(b, 5, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_end_list(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_begin_list(b, &err), 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(hfds_arrow_builder_append_null(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_end_list(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_begin_struct(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_null(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_half_bits(b, 0x3c00, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_end_struct(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_null(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_begin_list(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_null(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_begin_list(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_end_list(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_end_list(b, &err), 0);
	if (err.code)
		fprintf(stderr, "error: %s\n", err.message);
	CHECK_EQ_INT(hfds_arrow_builder_rows(b), 4);
	CHECK(hfds_arrow_builder_bytes(b) > 0);
	REQUIRE(hfds_arrow_builder_finish(b, &a, &err) == 0);
	CHECK_EQ_INT(hfds_arrow_builder_rows(b), 0);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, hfds_arrow_builder_schema(b), &err), 0);
	if (err.code)
		fprintf(stderr, "error: %s\n", err.message);
	CHECK_EQ_INT(a.length, 4);
	CHECK_EQ_INT(a.n_children, 7);
	/* id */
	const struct ArrowArray *id = a.children[0];
	CHECK_EQ_INT(id->null_count, 1);
	CHECK_EQ_INT(((const int8_t *)id->buffers[1])[1], 3);
	CHECK_EQ_INT(bit(id->buffers[0], 2), 0);
	CHECK_EQ_INT(bit(id->buffers[0], 3), 1);
	/* text */
	const struct ArrowArray *text = a.children[1];
	const int32_t *to = text->buffers[1];
	CHECK_EQ_INT(to[0], 0);
	CHECK_EQ_INT(to[1], 4);
	CHECK_EQ_INT(to[2], 8);
	CHECK_EQ_INT(to[3], 8);
	CHECK_EQ_INT(to[4], 8);
	CHECK(memcmp(text->buffers[2], "row0row3", 8) == 0);
	/* tokens: [], [0,100,200], null, [null, 5] */
	const struct ArrowArray *tok = a.children[2];
	const int32_t *lo = tok->buffers[1];
	CHECK_EQ_INT(lo[1], 0);
	CHECK_EQ_INT(lo[2], 3);
	CHECK_EQ_INT(lo[3], 3);
	CHECK_EQ_INT(lo[4], 5);
	CHECK_EQ_INT(tok->children[0]->length, 5);
	CHECK_EQ_INT(tok->children[0]->null_count, 1);
	CHECK_EQ_INT(((const int32_t *)tok->children[0]->buffers[1])[2], 200);
	/* scalars: the null row still has 3 placeholder children */
	const struct ArrowArray *sc = a.children[3];
	CHECK_EQ_INT(sc->children[0]->length, 12);
	CHECK_EQ_INT(sc->children[0]->null_count, 6);
	CHECK_EQ_INT(((const int8_t *)sc->children[0]->buffers[1])[5], -5);
	/* struct */
	const struct ArrowArray *st = a.children[4];
	CHECK_EQ_INT(st->null_count, 1);
	CHECK_EQ_INT(st->children[0]->length, 4);
	CHECK_EQ_INT(st->children[0]->null_count, 2);
	CHECK_EQ_INT(bit(st->children[0]->buffers[1], 1), 1);
	CHECK_EQ_INT(((const uint16_t *)st->children[1]->buffers[1])[0], 0x3e00); /* 1.5 */
	/* timestamp */
	CHECK_EQ_INT(((const int64_t *)a.children[5]->buffers[1])[1], 3000000);
	/* grid: [[0]], [[3]], null, [null, []] */
	const struct ArrowArray *g = a.children[6];
	CHECK_EQ_INT(g->children[0]->length, 4);
	CHECK_EQ_INT(g->children[0]->null_count, 1);
	CHECK_EQ_INT(g->children[0]->children[0]->length, 2);
	hfds_arrow_array_release(&a);
	CHECK(a.release == NULL);
	/* the builder is reusable after finish */
	append_row(b, 2, &err);
	REQUIRE(hfds_arrow_builder_finish(b, &a, &err) == 0);
	CHECK_EQ_INT(a.length, 1);
	CHECK_EQ_INT(a.children[0]->null_count, 0);
	CHECK(a.children[0]->buffers[0] == NULL);
	CHECK_EQ_INT(((const int32_t *)a.children[2]->buffers[1])[1], 2);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, hfds_arrow_builder_schema(b), &err), 0);
	hfds_arrow_array_release(&a);
	hfds_arrow_builder_free(b);
}

static void test_misuse_errors(void)
{
	struct ArrowSchema s;
	struct ArrowArray a;
	hfds_arrow_builder *b = NULL;
	hfds_error err;
	make_schema(&s);
	REQUIRE(hfds_arrow_builder_new(&b, &s, NULL) == 0);
	hfds_arrow_schema_release(&s);

	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_builder_append_str(b, "x", &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "column 'id' (row 0)") != NULL);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_builder_append_int(b, 200, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "out of range") != NULL);
	CHECK_EQ_INT(hfds_arrow_builder_append_int(b, -128, NULL), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_str(b, "t", NULL), 0);
	CHECK_EQ_INT(hfds_arrow_builder_begin_list(b, NULL), 0);
	CHECK_EQ_INT(hfds_arrow_builder_end_list(b, NULL), 0);
	CHECK_EQ_INT(hfds_arrow_builder_begin_list(b, NULL), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_int(b, 1, NULL), 0);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_builder_end_list(b, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "column 'scalars'") != NULL);
	CHECK(strstr(err.message, "needs 3 values, found 1") != NULL);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_builder_finish(b, &a, &err), HFDS_ESTATE);
	CHECK(a.release == NULL);
	hfds_arrow_builder_abort_row(b);
	CHECK_EQ_INT(hfds_arrow_builder_rows(b), 0);
	CHECK_EQ_INT(hfds_arrow_builder_bytes(b) < 64, 1);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_builder_end_struct(b, &err), HFDS_EINVAL);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_builder_append_fixed(b, 9, "x", 1, NULL, &err), HFDS_EINVAL);
	/* the builder still works after the errors */
	append_row(b, 1, NULL);
	REQUIRE(hfds_arrow_builder_finish(b, &a, NULL) == 0);
	CHECK_EQ_INT(a.length, 1);
	CHECK_EQ_INT(a.children[2]->children[0]->length, 1);
	CHECK_EQ_INT(a.children[3]->children[0]->length, 3);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, hfds_arrow_builder_schema(b), &err), 0);
	if (err.code)
		fprintf(stderr, "%s\n", err.message);
	hfds_arrow_array_release(&a);
	hfds_arrow_builder_free(b);

	/* not a struct */
	hfds_arrow_schema_init_nullable(&s, "i", "x", NULL);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_builder_new(&b, &s, &err), HFDS_EINVAL);
	CHECK(b == NULL);
	hfds_arrow_schema_release(&s);
	/* unsupported column type */
	hfds_arrow_schema_init(&s, "+s", NULL, 0, NULL);
	hfds_arrow_schema_alloc_children(&s, 1, NULL);
	child(&s, 0, "d:10,2", "price");
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_builder_new(&b, &s, &err), HFDS_EUNSUPPORTED);
	CHECK(strstr(err.message, "price") != NULL);
	hfds_arrow_schema_release(&s);
}

/* chesspos shape: window list<list<int8>> (10,69), scalars fixed_size_list<int8>[3] */
static void chess_schema(struct ArrowSchema *s)
{
	hfds_arrow_schema_init(s, "+s", NULL, 0, NULL);
	hfds_arrow_schema_alloc_children(s, 3, NULL);
	child(s, 0, "+l", "window");
	hfds_arrow_schema_alloc_children(s->children[0], 1, NULL);
	child(s->children[0], 0, "+l", "item");
	hfds_arrow_schema_alloc_children(s->children[0]->children[0], 1, NULL);
	child(s->children[0]->children[0], 0, "c", "item");
	child(s, 1, "+w:3", "scalars");
	hfds_arrow_schema_alloc_children(s->children[1], 1, NULL);
	child(s->children[1], 0, "c", "item");
	child(s, 2, "l", "n");
}

static void test_bulk_tensor(void)
{
	enum { N = 1000 };
	struct ArrowSchema s;
	struct ArrowArray a;
	hfds_arrow_builder *b = NULL;
	hfds_error err;
	int8_t *win = malloc(N * 690), sc[N * 3];
	int64_t ids[N];
	uint8_t valid[N];
	for (int i = 0; i < N * 690; i++)
		win[i] = (int8_t)(i % 251);
	for (int i = 0; i < N * 3; i++)
		sc[i] = (int8_t)i;
	for (int i = 0; i < N; i++) {
		ids[i] = i;
		valid[i] = i % 10 != 3;
	}
	hfds_error_init(&err);
	chess_schema(&s);
	REQUIRE(hfds_arrow_builder_new(&b, &s, &err) == 0);
	hfds_arrow_schema_release(&s);
	CHECK_EQ_INT(hfds_arrow_builder_append_tensor(b, 0, win, N, (int64_t[]){10, 69}, 2, NULL, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_tensor(b, 1, sc, N, (int64_t[]){3}, 1, valid, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_rows(b), 0);
	/* row-by-row while columns differ is refused */
	CHECK_EQ_INT(hfds_arrow_builder_append_null(b, NULL), HFDS_ESTATE);
	CHECK_EQ_INT(hfds_arrow_builder_append_fixed(b, 2, ids, N, valid, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_rows(b), N);
	/* shape mismatches */
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_builder_append_tensor(b, 1, sc, 1, (int64_t[]){4}, 1, NULL, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "scalars") != NULL);
	CHECK_EQ_INT(hfds_arrow_builder_append_tensor(b, 0, win, 1, (int64_t[]){690}, 1, NULL, NULL), HFDS_EINVAL);
	/* a row-by-row row after bulk */
	CHECK_EQ_INT(hfds_arrow_builder_append_null(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_null(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_int(b, -1, &err), 0);
	REQUIRE(hfds_arrow_builder_finish(b, &a, &err) == 0);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, hfds_arrow_builder_schema(b), &err), 0);
	CHECK_EQ_INT(a.length, N + 1);
	const struct ArrowArray *w = a.children[0];
	CHECK_EQ_INT(w->null_count, 1);
	CHECK_EQ_INT(((const int32_t *)w->buffers[1])[N], 10 * N);
	CHECK_EQ_INT(((const int32_t *)w->buffers[1])[N + 1], 10 * N);
	CHECK_EQ_INT(w->children[0]->length, 10 * N);
	CHECK_EQ_INT(((const int32_t *)w->children[0]->buffers[1])[7], 7 * 69);
	CHECK_EQ_INT(w->children[0]->children[0]->length, 690 * N);
	CHECK_EQ_MEM(w->children[0]->children[0]->buffers[1], win, 690 * N);
	const struct ArrowArray *sa = a.children[1];
	CHECK_EQ_INT(sa->null_count, N / 10 + 1);
	CHECK_EQ_INT(sa->children[0]->length, 3 * (N + 1));
	CHECK_EQ_INT(((const int8_t *)sa->children[0]->buffers[1])[3 * 5 + 1], (int8_t)16);
	CHECK_EQ_INT(bit(sa->buffers[0], 3), 0);
	CHECK_EQ_INT(a.children[2]->null_count, N / 10);
	CHECK_EQ_INT(((const int64_t *)a.children[2]->buffers[1])[N], -1);
	hfds_arrow_array_release(&a);

	/* nullable tensor rows with validity: null rows become empty lists */
	CHECK_EQ_INT(hfds_arrow_builder_append_tensor(b, 0, win, 4, (int64_t[]){10, 69}, 2, (uint8_t[]){1, 0, 0, 1}, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_tensor(b, 1, sc, 4, (int64_t[]){3}, 1, NULL, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_fixed(b, 2, ids, 4, NULL, &err), 0);
	REQUIRE(hfds_arrow_builder_finish(b, &a, &err) == 0);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, hfds_arrow_builder_schema(b), &err), 0);
	w = a.children[0];
	CHECK_EQ_INT(w->children[0]->length, 20);
	CHECK_EQ_MEM((const int8_t *)w->children[0]->children[0]->buffers[1] + 690, win + 3 * 690, 690);
	CHECK(a.children[2]->buffers[0] == NULL);
	hfds_arrow_array_release(&a);
	hfds_arrow_builder_free(b);
	free(win);
}

/* A builder of {name0: fmt0, name1: fmt1, fsb: fixed_size_binary(2)}, all nullable. */
static hfds_arrow_builder *three_columns(const char *fmt0, const char *name0, const char *fmt1, const char *name1)
{
	struct ArrowSchema s;
	hfds_arrow_builder *b = NULL;
	hfds_arrow_schema_init(&s, "+s", NULL, 0, NULL);
	hfds_arrow_schema_alloc_children(&s, 3, NULL);
	child(&s, 0, fmt0, name0);
	child(&s, 1, fmt1, name1);
	child(&s, 2, "w:2", "fsb");
	if (hfds_arrow_builder_new(&b, &s, NULL) < 0)
		b = NULL;
	hfds_arrow_schema_release(&s);
	return b;
}

static void test_bulk_binary_and_bool(void)
{
	struct ArrowArray a;
	hfds_arrow_builder *b = three_columns("U", "big", "b", "flag");
	REQUIRE(b != NULL);
	int64_t offs[] = {2, 4, 4, 9};
	CHECK_EQ_INT(hfds_arrow_builder_append_binary(b, 0, offs, "xxabcdefg", 3, (uint8_t[]){1, 0, 1}, NULL), 0);
	uint8_t flags[] = {1, 0, 1};
	CHECK_EQ_INT(hfds_arrow_builder_append_fixed(b, 1, flags, 3, NULL, NULL), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_fixed(b, 2, "aabbcc", 3, NULL, NULL), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_str(b, "z", NULL), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_bool(b, 1, NULL), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_bytes(b, "zz", 2, NULL), 0);
	hfds_error err;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_builder_append_str(b, "z", NULL), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_bool(b, 1, NULL), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_bytes(b, "zzz", 3, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "expected 2 bytes") != NULL);
	hfds_arrow_builder_abort_row(b);
	REQUIRE(hfds_arrow_builder_finish(b, &a, NULL) == 0);
	CHECK_EQ_INT(a.length, 4);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, hfds_arrow_builder_schema(b), NULL), 0);
	const int64_t *o = a.children[0]->buffers[1];
	CHECK_EQ_INT(o[0], 0);
	CHECK_EQ_INT(o[1], 2);
	CHECK_EQ_INT(o[3], 7);
	CHECK_EQ_INT(o[4], 8);
	CHECK(memcmp(a.children[0]->buffers[2], "abcdefgz", 8) == 0);
	CHECK_EQ_INT(a.children[0]->null_count, 1);
	CHECK_EQ_INT(bit(a.children[1]->buffers[1], 0), 1);
	CHECK_EQ_INT(bit(a.children[1]->buffers[1], 1), 0);
	CHECK_EQ_INT(bit(a.children[1]->buffers[1], 3), 1);
	CHECK(memcmp(a.children[2]->buffers[1], "aabbcczz", 8) == 0);
	hfds_arrow_array_release(&a);
	hfds_arrow_builder_free(b);
}

/* append_bytes_fd: values read from a file land in the column as append_bytes would put
 * them (offsets, bytes, a string column too); a file shorter than asked is HFDS_EIO and the
 * row can be dropped; fixed_size_binary is refused. */
static void test_bytes_from_fd(void)
{
	struct ArrowArray a;
	hfds_arrow_builder *b = NULL;
	hfds_error err;
	char path[] = "/tmp/hfds-test-fd-XXXXXX";
	uint8_t big[70000];
	int fd = mkstemp(path);
	REQUIRE(fd >= 0);
	unlink(path);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	REQUIRE(write(fd, big, sizeof(big)) == (ssize_t)sizeof(big));
	b = three_columns("z", "bin", "u", "text");
	REQUIRE(b != NULL);
	hfds_error_init(&err);
	REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_bytes_fd(b, fd, sizeof(big), &err), 0);
	REQUIRE(lseek(fd, 3, SEEK_SET) == 3);
	CHECK_EQ_INT(hfds_arrow_builder_append_bytes_fd(b, fd, 2, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_bytes(b, "ab", 2, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_bytes_fd(b, fd, 0, &err), 0);   /* empty value */
	CHECK_EQ_INT(hfds_arrow_builder_append_null(b, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_bytes(b, "cd", 2, &err), 0);
	REQUIRE(lseek(fd, (off_t)sizeof(big) - 10, SEEK_SET) > 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_bytes_fd(b, fd, 11, &err), HFDS_EIO);
	CHECK(strstr(err.message, "ended after 10 of 11 bytes") != NULL);
	hfds_arrow_builder_abort_row(b);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_builder_append_bytes(b, "x", 1, &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_str(b, "y", &err), 0);
	CHECK_EQ_INT(hfds_arrow_builder_append_bytes_fd(b, fd, 2, &err), HFDS_EINVAL);
	hfds_arrow_builder_abort_row(b);
	REQUIRE(hfds_arrow_builder_finish(b, &a, NULL) == 0);
	CHECK_EQ_INT(a.length, 2);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, hfds_arrow_builder_schema(b), NULL), 0);
	const int32_t *o = a.children[0]->buffers[1];
	CHECK_EQ_INT(o[1], sizeof(big));
	CHECK_EQ_INT(o[2], sizeof(big));
	CHECK_EQ_MEM(a.children[0]->buffers[2], big, sizeof(big));
	const int32_t *t = a.children[1]->buffers[1];
	CHECK_EQ_INT(t[1], 2);
	CHECK_EQ_MEM(a.children[1]->buffers[2], big + 3, 2);
	hfds_arrow_array_release(&a);
	hfds_arrow_builder_free(b);
	close(fd);
}

static void test_validate_detects(void)
{
	struct ArrowSchema s;
	struct ArrowArray a;
	hfds_arrow_builder *b = NULL;
	hfds_error err;
	chess_schema(&s);
	REQUIRE(hfds_arrow_builder_new(&b, &s, NULL) == 0);
	int8_t win[690 * 2] = {0}, sc[6] = {0};
	int64_t ids[2] = {1, 2};
	hfds_arrow_builder_append_tensor(b, 0, win, 2, (int64_t[]){10, 69}, 2, NULL, NULL);
	hfds_arrow_builder_append_tensor(b, 1, sc, 2, (int64_t[]){3}, 1, NULL, NULL);
	hfds_arrow_builder_append_fixed(b, 2, ids, 2, NULL, NULL);
	REQUIRE(hfds_arrow_builder_finish(b, &a, NULL) == 0);
	hfds_arrow_builder_free(b);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, &s, NULL), 0);

	/* offsets not monotonic in the inner list */
	int32_t *inner = (int32_t *)a.children[0]->children[0]->buffers[1];
	int32_t saved = inner[5];
	inner[5] = 1;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, &s, &err), HFDS_EINVAL);
	CHECK_EQ_STR(err.message, "column 'window.item': offsets not monotonic at index 5 (1 after 276)");
	inner[5] = saved;
	/* offset past the child */
	int32_t *outer = (int32_t *)a.children[0]->buffers[1];
	outer[2] = 21;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, &s, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "column 'window': offset 21 at index 2 is past the end of the child array (20)") != NULL);
	outer[2] = 20;
	/* fixed size list child too short */
	a.children[1]->children[0]->length = 5;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, &s, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "column 'scalars'") != NULL);
	a.children[1]->children[0]->length = 6;
	/* column shorter than the batch */
	a.children[2]->length = 1;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, &s, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "column 'n': length 1") != NULL);
	a.children[2]->length = 2;
	/* buffer count */
	a.children[2]->n_buffers = 3;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, &s, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "column 'n': expected 2 buffers") != NULL);
	a.children[2]->n_buffers = 2;
	/* nulls without a bitmap */
	a.children[2]->null_count = 1;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, &s, &err), HFDS_EINVAL);
	a.children[2]->null_count = 0;
	/* schema with a different column count */
	struct ArrowSchema s2;
	hfds_arrow_schema_init(&s2, "+s", NULL, 0, NULL);
	hfds_arrow_schema_alloc_children(&s2, 1, NULL);
	child(&s2, 0, "l", "n");
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, &s2, &err), HFDS_EINVAL);
	CHECK_EQ_STR(err.message, "record batch: expected 1 children, found 3");
	hfds_arrow_schema_release(&s2);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, &s, NULL), 0);
	/* a sliced batch (offset 1, length 1) is valid; offset past the end is not */
	a.offset = 1;
	a.length = 1;
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, &s, NULL), 0);
	a.offset = 2;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, &s, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "column 'window': length 2 + offset 0 is shorter than its parent's 3 rows") != NULL);
	a.offset = 0;
	a.length = 2;
	hfds_arrow_array_release(&a);
	hfds_arrow_schema_release(&s);
}

static void test_half_conversion(void)
{
	struct ArrowSchema s;
	struct ArrowArray a;
	hfds_arrow_builder *b = NULL;
	hfds_arrow_schema_init(&s, "+s", NULL, 0, NULL);
	hfds_arrow_schema_alloc_children(&s, 1, NULL);
	child(&s, 0, "e", "h");
	REQUIRE(hfds_arrow_builder_new(&b, &s, NULL) == 0);
	hfds_arrow_schema_release(&s);
	double in[] = {0.0, -0.0, 1.0, 65504.0, 65520.0, 1e-8, 5.960464477539063e-08, 0.1, -2.5, 1.0 / 0.0};
	uint16_t want[] = {0x0000, 0x8000, 0x3c00, 0x7bff, 0x7c00, 0x0000, 0x0001, 0x2e66, 0xc100, 0x7c00};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		CHECK_EQ_INT(hfds_arrow_builder_append_double(b, in[i], NULL), 0);
	REQUIRE(hfds_arrow_builder_finish(b, &a, NULL) == 0);
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		CHECK_EQ_INT(((const uint16_t *)a.children[0]->buffers[1])[i], want[i]);
	hfds_arrow_array_release(&a);
	hfds_arrow_builder_free(b);
}

static void test_bulk_nulls(void)
{
	struct ArrowSchema s;
	struct ArrowArray a;
	hfds_arrow_builder *b = NULL;
	make_schema(&s);
	REQUIRE(hfds_arrow_builder_new(&b, &s, NULL) == 0);
	hfds_arrow_schema_release(&s);
	for (int c = 0; c < 7; c++)
		CHECK_EQ_INT(hfds_arrow_builder_append_nulls(b, c, 5, NULL), 0);
	append_row(b, 2, NULL);
	REQUIRE(hfds_arrow_builder_finish(b, &a, NULL) == 0);
	CHECK_EQ_INT(a.length, 6);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, hfds_arrow_builder_schema(b), NULL), 0);
	for (int c = 0; c < 7; c++)
		CHECK_EQ_INT(a.children[c]->null_count, 5);
	CHECK_EQ_INT(a.children[3]->children[0]->length, 18);
	CHECK_EQ_INT(a.children[4]->children[1]->length, 6);
	CHECK_EQ_INT(((const int32_t *)a.children[2]->buffers[1])[5], 0);
	hfds_arrow_array_release(&a);
	hfds_arrow_builder_free(b);
}

static void test_lazy_validity(void)
{
	struct ArrowSchema s;
	struct ArrowArray a;
	hfds_arrow_builder *b = NULL;
	hfds_arrow_schema_init(&s, "+s", NULL, 0, NULL);
	hfds_arrow_schema_alloc_children(&s, 2, NULL);
	child(&s, 0, "i", "x");
	child(&s, 1, "u", "y");
	REQUIRE(hfds_arrow_builder_new(&b, &s, NULL) == 0);
	hfds_arrow_schema_release(&s);
	for (int i = 0; i < 1000; i++) {
		hfds_arrow_builder_append_int(b, i, NULL);
		hfds_arrow_builder_append_str(b, "v", NULL);
	}
	/* an aborted row whose null was the column's first: no bitmap afterwards */
	CHECK_EQ_INT(hfds_arrow_builder_append_null(b, NULL), 0);
	hfds_arrow_builder_abort_row(b);
	hfds_arrow_builder_append_int(b, 5, NULL);
	hfds_arrow_builder_append_str(b, "w", NULL);
	REQUIRE(hfds_arrow_builder_finish(b, &a, NULL) == 0);
	CHECK_EQ_INT(a.length, 1001);
	CHECK_EQ_INT(a.children[0]->null_count, 0);
	CHECK(a.children[0]->buffers[0] == NULL);
	hfds_arrow_array_release(&a);
	/* first null late in the batch: earlier rows read as valid */
	for (int i = 0; i < 1000; i++) {
		hfds_arrow_builder_append_int(b, i, NULL);
		hfds_arrow_builder_append_str(b, "v", NULL);
	}
	hfds_arrow_builder_append_null(b, NULL);
	hfds_arrow_builder_append_null(b, NULL);
	hfds_arrow_builder_append_int(b, 1, NULL);
	hfds_arrow_builder_append_str(b, "z", NULL);
	uint8_t valid[3] = {1, 1, 1};
	int32_t more[3] = {7, 8, 9};
	hfds_arrow_builder_append_fixed(b, 0, more, 3, valid, NULL);
	hfds_arrow_builder_append_nulls(b, 1, 3, NULL);
	REQUIRE(hfds_arrow_builder_finish(b, &a, NULL) == 0);
	CHECK_EQ_INT(hfds_arrow_array_validate(&a, hfds_arrow_builder_schema(b), NULL), 0);
	CHECK_EQ_INT(a.children[0]->null_count, 1);
	CHECK_EQ_INT(a.children[1]->null_count, 4);
	for (int i = 0; i < 1005; i++) {
		CHECK_EQ_INT(bit(a.children[0]->buffers[0], i), i != 1000);
		CHECK_EQ_INT(bit(a.children[1]->buffers[0], i), i < 1000 || i == 1001);
	}
	CHECK_EQ_INT(((const int32_t *)a.children[0]->buffers[1])[1004], 9);
	hfds_arrow_array_release(&a);
	hfds_arrow_builder_free(b);
}

int main(void)
{
	RUN(test_lazy_validity);
	RUN(test_bulk_nulls);
	RUN(test_rows_and_nulls);
	RUN(test_misuse_errors);
	RUN(test_bulk_tensor);
	RUN(test_bulk_binary_and_bool);
	RUN(test_bytes_from_fd);
	RUN(test_validate_detects);
	RUN(test_half_conversion);
	TEST_END();
}
