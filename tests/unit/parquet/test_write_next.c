/*
 * hfds_pq_writer_open_next: the next file of a series takes over the closed writer's
 * row-group buffers (pages, column buffers, per-thread encoders) when schema, column
 * options and the shared pool match, and writes exactly the bytes a fresh writer writes;
 * otherwise it is a plain open. Whether the buffers moved is read from the writer's
 * internals: a fresh slot has no page buffers yet.
 */
#include <string.h>

#include "test.h"
#include "test_write_kit.h"
#include "hfds/parquet.h"
#include "parquet/write/pq_writer_int.h"
#include "util/pool.h"

static char *path_of(const char *name)
{
	static char p[4][4200];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", test_tmpdir(), name);
	return p[k];
}

static void opts(hfds_pq_writer_options *o, hfds_pool *pool)
{
	hfds_pq_writer_options_init(o);
	o->pool = pool;
	o->row_group_bytes = 60000;
	o->page_size = 8192;
}

/* Writes b to path with a writer opened fresh or after prev; the writer, closed, into *out. */
static int write_file(hfds_pq_writer **out, hfds_pq_writer *prev, const char *path, const struct ArrowSchema *s,
	const hfds_pq_writer_options *o, struct ArrowArray *b, hfds_pq_file_info *info)
{
	int rc = prev ? hfds_pq_writer_open_next(out, prev, path, s, o, NULL) : hfds_pq_writer_open(out, path, s, o, NULL);
	if (rc == 0)
		rc = hfds_pq_writer_write(*out, b, NULL);
	return rc == 0 ? hfds_pq_writer_close(*out, info, NULL) : rc;
}

static size_t page_buffers(const hfds_pq_writer *w)
{
	size_t n = 0;
	for (int k = 0; k < 2; k++)
		for (int i = 0; w->slots[k].chunks && i < w->schema->nleaves; i++)
			n += w->slots[k].chunks[i].cap;
	return n;
}

static int same_file(const char *a, const char *b)
{
	size_t na, nb;
	char *x = test_slurp(a, &na), *y = test_slurp(b, &nb);
	int same = x && y && na == nb && memcmp(x, y, na) == 0;
	free(x);
	free(y);
	return same;
}

static void test_series_reuses_buffers_and_bytes(void)
{
	struct ArrowSchema *s = kit_schema("+s", "", 0, 2, kit_schema("l", "id", 0, 0), kit_schema("u", "text", 1, 0));
	kit_gen g = { 7, NULLS_MIXED, 0 };
	struct ArrowArray *b1 = kit_gen_batch(&g, s, 20000), *b2 = kit_gen_batch(&g, s, 9000);
	hfds_pq_writer_options o;
	hfds_pq_writer *w1 = NULL, *w2 = NULL, *w3 = NULL, *fresh = NULL;
	hfds_pq_file_info i2, i3, ifresh;
	hfds_pool *pool = NULL;
	REQUIRE(hfds_pool_new(&pool, 2, NULL) == 0);
	opts(&o, pool);
	CHECK_EQ_INT(write_file(&fresh, NULL, path_of("fresh.parquet"), s, &o, b2, &ifresh), 0);
	CHECK_EQ_INT(write_file(&w1, NULL, path_of("a.parquet"), s, &o, b1, NULL), 0);
	REQUIRE(page_buffers(w1) > 0);
	CHECK_EQ_INT(hfds_pq_writer_open_next(&w2, w1, path_of("b.parquet"), s, &o, NULL), 0);
	REQUIRE(w2);
	CHECK(page_buffers(w2) > 0);      /* taken over before any row was written */
	CHECK_EQ_INT((int)page_buffers(w1), 0);
	hfds_pq_writer_free(w1);
	CHECK_EQ_INT(hfds_pq_writer_write(w2, b2, NULL), 0);
	CHECK_EQ_INT(hfds_pq_writer_close(w2, &i2, NULL), 0);
	CHECK(same_file(path_of("b.parquet"), path_of("fresh.parquet")));
	CHECK(memcmp(i2.sha256, ifresh.sha256, 32) == 0);
	/* and again, from a writer that itself took its buffers over */
	CHECK_EQ_INT(write_file(&w3, w2, path_of("c.parquet"), s, &o, b2, &i3), 0);
	CHECK(same_file(path_of("c.parquet"), path_of("fresh.parquet")));
	CHECK(memcmp(i3.sha256, ifresh.sha256, 32) == 0);
	hfds_pq_writer_free(w2);
	hfds_pq_writer_free(w3);
	hfds_pq_writer_free(fresh);
	hfds_pool_free(pool);
	kit_free_all();
}

static void test_no_reuse_when_they_differ(void)
{
	struct ArrowSchema *s = kit_schema("+s", "", 0, 2, kit_schema("l", "id", 0, 0), kit_schema("u", "text", 1, 0));
	struct ArrowSchema *t = kit_schema("+s", "", 0, 2, kit_schema("l", "id", 0, 0), kit_schema("g", "x", 1, 0));
	kit_gen g = { 11, NULLS_MIXED, 0 };
	struct ArrowArray *b = kit_gen_batch(&g, s, 5000), *c = kit_gen_batch(&g, t, 5000);
	hfds_pq_writer_options o, own, other;
	hfds_pq_writer *w1 = NULL, *w2 = NULL, *w3 = NULL, *w4 = NULL, *w5 = NULL, *fresh = NULL;
	hfds_pool *pool = NULL;
	REQUIRE(hfds_pool_new(&pool, 2, NULL) == 0);
	opts(&o, pool);
	CHECK_EQ_INT(write_file(&w1, NULL, path_of("a.parquet"), s, &o, b, NULL), 0);
	/* another schema: a plain open, the right bytes */
	CHECK_EQ_INT(hfds_pq_writer_open_next(&w2, w1, path_of("t.parquet"), t, &o, NULL), 0);
	CHECK_EQ_INT((int)page_buffers(w2), 0);
	CHECK(page_buffers(w1) > 0);
	CHECK_EQ_INT(hfds_pq_writer_write(w2, c, NULL), 0);
	CHECK_EQ_INT(hfds_pq_writer_close(w2, NULL, NULL), 0);
	CHECK_EQ_INT(write_file(&fresh, NULL, path_of("t-fresh.parquet"), t, &o, c, NULL), 0);
	CHECK(same_file(path_of("t.parquet"), path_of("t-fresh.parquet")));
	/* another codec for the columns */
	opts(&other, pool);
	other.codec = HFDS_PQ_ZSTD;
	CHECK_EQ_INT(hfds_pq_writer_open_next(&w3, w1, path_of("z.parquet"), s, &other, NULL), 0);
	CHECK_EQ_INT((int)page_buffers(w3), 0);
	/* a writer with a pool of its own (freed with it) */
	opts(&own, NULL);
	own.threads = 2;
	CHECK_EQ_INT(hfds_pq_writer_open_next(&w4, w1, path_of("p.parquet"), s, &own, NULL), 0);
	CHECK_EQ_INT((int)page_buffers(w4), 0);
	/* prev not closed */
	CHECK_EQ_INT(hfds_pq_writer_open_next(&w5, w4, path_of("q.parquet"), s, &own, NULL), 0);
	CHECK_EQ_INT((int)page_buffers(w5), 0);
	CHECK(page_buffers(w1) > 0);
	hfds_pq_writer_free(w1);
	hfds_pq_writer_free(w2);
	hfds_pq_writer_free(w3);
	hfds_pq_writer_free(w4);
	hfds_pq_writer_free(w5);
	hfds_pq_writer_free(fresh);
	hfds_pool_free(pool);
	kit_free_all();
}

int main(void)
{
	RUN(test_series_reuses_buffers_and_bytes);
	RUN(test_no_reuse_when_they_differ);
	TEST_END();
}
