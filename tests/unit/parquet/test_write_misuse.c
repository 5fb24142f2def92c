/*
 * Writer misuse and failure: unsupported types, batch/schema mismatch, nulls in
 * non-nullable fields, invalid UTF-8 (row and column named), a failing output (full disk
 * through the write hook / sink): errors, never crashes, and no partial file left behind.
 * Also: output bytes identical for any thread count, sink output == file output, row groups
 * still encoding when the writer is freed or flushed, writing over a hard-linked file, and
 * the atomic output: the path changes only at close, a failure keeps the file that was
 * there, and the output may be the file being read.
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "test_write_kit.h"
#include "hfds/arrow.h"
#include "hfds/parquet.h"
#include "util/alloc.h"
#include "util/sha256.h"

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* The writer's temporaries beside `path` (".<name>.tmp-*"): their number, and the first. */
static size_t temps(const char *path, char *first, size_t cap)
{
	char pat[4200];
	const char *slash = strrchr(path, '/');
	glob_t g;
	size_t n;
	snprintf(pat, sizeof(pat), "%.*s/.%s.tmp-*", (int)(slash - path), path, slash + 1);
	if (glob(pat, GLOB_PERIOD, NULL, &g) != 0)
		return 0;
	n = g.gl_pathc;
	if (first && n)
		snprintf(first, cap, "%s", g.gl_pathv[0]);
	globfree(&g);
	return n;
}

static const char *tmp_path(const char *name)
{
	static char buf[4][4096];
	static int slot;
	char *p = buf[slot++ & 3];
	snprintf(p, 4096, "%s/%s", test_tmpdir(), name);
	return p;
}

static struct ArrowSchema *simple_schema(void)
{
	return kit_schema("+s", "", 0, 3, kit_schema("l", "id", 0, 0), kit_schema("u", "text", 1, 0),
		kit_schema("+l", "tags", 1, 1, kit_schema("u", "item", 1, 0)));
}

/* Options with `threads` and row groups of `rows` rows: a few thousand rows make several
 * row groups, which with more than one thread keep the pipeline busy. */
static hfds_pq_writer_options small_row_groups(int threads, size_t rows)
{
	hfds_pq_writer_options o;
	hfds_pq_writer_options_init(&o);
	o.threads = threads;
	o.row_group_max_rows = rows;
	return o;
}

static void test_unsupported_type(void)
{
	struct ArrowSchema *s = kit_schema("+s", "", 0, 2, kit_schema("l", "ok", 1, 0), kit_schema("tDm", "when", 1, 0));
	hfds_pq_writer *w = NULL;
	hfds_error err;
	hfds_error_init(&err);
	const char *path = tmp_path("unsupported.parquet");
	int rc = hfds_pq_writer_open(&w, path, s, NULL, &err);
	CHECK_EQ_INT(rc, HFDS_EINVAL);
	CHECK(strstr(err.message, "when") != NULL);
	CHECK(w == NULL);
	CHECK(!exists(path));
}

static void test_bad_column_option(void)
{
	hfds_pq_column_options co[] = { { "nope", -1, 0, HFDS_PQ_ENC_AUTO, -1, -1 } };
	hfds_pq_column_options co2[] = { { "text", -1, 0, HFDS_PQ_ENC_BYTE_STREAM_SPLIT, -1, -1 } };
	hfds_pq_writer_options o;
	hfds_pq_writer_options_init(&o);
	o.columns = co;
	o.column_count = 1;
	hfds_pq_writer *w = NULL;
	hfds_error err;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_pq_writer_open(&w, tmp_path("badopt.parquet"), simple_schema(), &o, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "nope") != NULL);
	o.columns = co2;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_pq_writer_open(&w, tmp_path("badopt.parquet"), simple_schema(), &o, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "text") != NULL);
	CHECK(!exists(tmp_path("badopt.parquet")));
}

static void test_batch_mismatch(void)
{
	struct ArrowSchema *s = simple_schema();
	kit_gen g = { 42, NULLS_MIXED, 0 };
	struct ArrowSchema *other = kit_schema("+s", "", 0, 2, kit_schema("l", "id", 0, 0), kit_schema("u", "text", 1, 0));
	struct ArrowArray *a = kit_gen_batch(&g, other, 10);
	const char *path = tmp_path("mismatch.parquet");
	hfds_pq_writer *w = NULL;
	hfds_error err;
	hfds_error_init(&err);
	REQUIRE(hfds_pq_writer_open(&w, path, s, NULL, &err) == 0);
	CHECK(!exists(path));
	CHECK_EQ_INT(temps(path, NULL, 0), 1);
	CHECK_EQ_INT(hfds_pq_writer_write(w, a, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, path) != NULL);
	CHECK(!exists(path));
	CHECK_EQ_INT(temps(path, NULL, 0), 0);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_pq_writer_close(w, NULL, &err), HFDS_ESTATE);
	hfds_pq_writer_free(w);

	/* a column whose array is a list where the schema says string */
	struct ArrowSchema *swapped = kit_schema("+s", "", 0, 3, kit_schema("l", "id", 0, 0),
		kit_schema("+l", "text", 1, 1, kit_schema("u", "item", 1, 0)), kit_schema("u", "tags", 1, 0));
	a = kit_gen_batch(&g, swapped, 10);
	hfds_error_init(&err);
	REQUIRE(hfds_pq_writer_open(&w, path, s, NULL, &err) == 0);
	CHECK_EQ_INT(hfds_pq_writer_write(w, a, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "text") != NULL);
	CHECK(!exists(path));
	hfds_pq_writer_free(w);
}

static void test_null_in_required(void)
{
	struct ArrowSchema *s = simple_schema();
	kit_gen g = { 7, NULLS_MIXED, 0 };
	struct ArrowSchema *nullable = kit_schema("+s", "", 0, 3, kit_schema("l", "id", 1, 0), kit_schema("u", "text", 1, 0),
		kit_schema("+l", "tags", 1, 1, kit_schema("u", "item", 1, 0)));
	struct ArrowArray *a = kit_gen_batch(&g, nullable, 50);
	REQUIRE(a->children[0]->null_count > 0);
	const char *path = tmp_path("required.parquet");
	hfds_pq_writer *w = NULL;
	hfds_error err;
	hfds_error_init(&err);
	REQUIRE(hfds_pq_writer_open(&w, path, s, NULL, &err) == 0);
	CHECK_EQ_INT(hfds_pq_writer_write(w, a, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "'id'") != NULL);
	CHECK(!exists(path));
	hfds_pq_writer_free(w);
}

static void test_invalid_utf8(void)
{
	struct ArrowSchema *s = simple_schema();
	kit_gen g = { 11, NULLS_NONE, 0 };
	struct ArrowArray *a = kit_gen_batch(&g, s, 40);
	/* corrupt the string of row 17 in the text column: put 0xff into its bytes */
	struct ArrowArray *t = a->children[1];
	const int32_t *off = t->buffers[1];
	int64_t r = 17;
	while (off[t->offset + r + 1] == off[t->offset + r])
		r++;
	((uint8_t *)t->buffers[2])[off[t->offset + r]] = 0xff;
	const char *path = tmp_path("utf8.parquet");
	hfds_pq_writer *w = NULL;
	hfds_error err;
	hfds_error_init(&err);
	REQUIRE(hfds_pq_writer_open(&w, path, s, NULL, &err) == 0);
	CHECK_EQ_INT(hfds_pq_writer_write(w, a, &err), HFDS_EINVAL);
	char want[64];
	snprintf(want, sizeof(want), "row %lld", (long long)r);
	CHECK(strstr(err.message, want) != NULL);
	CHECK(strstr(err.message, "'text'") != NULL);
	CHECK(strstr(err.message, "UTF-8") != NULL);
	CHECK(strstr(err.message, path) != NULL);
	CHECK(!exists(path));
	hfds_pq_writer_free(w);

	/* inside a list, after a first good batch: the row number counts earlier batches */
	kit_gen g2 = { 12, NULLS_NONE, 0 };
	struct ArrowArray *good = kit_gen_batch(&g2, s, 25);
	struct ArrowArray *bad = kit_gen_batch(&g2, s, 25);
	struct ArrowArray *tags = bad->children[2];
	const int32_t *lo = tags->buffers[1];
	struct ArrowArray *items = tags->children[0];
	const int32_t *io = items->buffers[1];
	int64_t row = 3;
	while (lo[tags->offset + row + 1] == lo[tags->offset + row] ||
		io[lo[tags->offset + row] + 1] == io[lo[tags->offset + row]])
		row++;
	((uint8_t *)items->buffers[2])[io[lo[tags->offset + row]]] = 0xc3; /* truncated sequence */
	if (io[lo[tags->offset + row] + 1] - io[lo[tags->offset + row]] > 1)
		((uint8_t *)items->buffers[2])[io[lo[tags->offset + row]] + 1] = 'x';
	hfds_error_init(&err);
	REQUIRE(hfds_pq_writer_open(&w, path, s, NULL, &err) == 0);
	CHECK_EQ_INT(hfds_pq_writer_write(w, good, &err), 0);
	CHECK_EQ_INT(hfds_pq_writer_write(w, bad, &err), HFDS_EINVAL);
	snprintf(want, sizeof(want), "row %lld", (long long)(25 + row));
	if (!strstr(err.message, want))
		fprintf(stderr, "message: %s (want %s)\n", err.message, want);
	CHECK(strstr(err.message, want) != NULL);
	CHECK(strstr(err.message, "tags.list.element") != NULL);
	CHECK(!exists(path));
	hfds_pq_writer_free(w);
}

typedef struct disk {
	size_t written, capacity;
} disk;

static int full_disk(void *payload, const void *data, size_t len, hfds_error *err)
{
	disk *d = payload;
	(void)data;
	if (d->written + len > d->capacity)
		return hfds_error_set(err, HFDS_EIO, "no space left on device");
	d->written += len;
	return 0;
}

static void test_full_disk(void)
{
	struct ArrowSchema *s = simple_schema();
	kit_gen g = { 5, NULLS_MIXED, 0 };
	struct ArrowArray *a = kit_gen_batch(&g, s, 3000);
	const char *path = tmp_path("full.parquet");
	/* 3 threads: the disk fills while a later row group is still being encoded */
	for (int threads = 1; threads <= 3; threads += 2)
	for (size_t cap = 0; cap < 40000; cap = cap * 3 + 1000) {
		disk d = { 0, cap };
		hfds_pq_writer_options o = small_row_groups(threads, 500);
		o.path_write_hook = full_disk;
		o.path_write_hook_payload = &d;
		hfds_pq_writer *w = NULL;
		hfds_error err;
		hfds_error_init(&err);
		int rc = hfds_pq_writer_open(&w, path, s, &o, &err);
		if (rc == 0)
			rc = hfds_pq_writer_write(w, a, &err);
		if (rc == 0)
			rc = hfds_pq_writer_close(w, NULL, &err);
		CHECK_EQ_INT(rc, HFDS_EIO);
		CHECK(strstr(err.message, path) != NULL);
		CHECK(strstr(err.message, "no space left") != NULL);
		CHECK(!exists(path));
		CHECK_EQ_INT(temps(path, NULL, 0), 0);
		hfds_pq_writer_free(w);
	}
}

static void test_free_without_close(void)
{
	struct ArrowSchema *s = simple_schema();
	kit_gen g = { 9, NULLS_MIXED, 0 };
	struct ArrowArray *a = kit_gen_batch(&g, s, 100);
	const char *path = tmp_path("abandoned.parquet");
	hfds_pq_writer *w = NULL;
	REQUIRE(hfds_pq_writer_open(&w, path, s, NULL, NULL) == 0);
	CHECK_EQ_INT(hfds_pq_writer_write(w, a, NULL), 0);
	CHECK_EQ_INT(hfds_pq_writer_flush(w, NULL), 0);
	CHECK(!exists(path));
	CHECK_EQ_INT(temps(path, NULL, 0), 1);
	hfds_pq_writer_free(w);
	CHECK(!exists(path));
	CHECK_EQ_INT(temps(path, NULL, 0), 0);
}

/* Freed while row groups are still being encoded on the pool: no leak, no partial file. */
static void test_free_in_flight(void)
{
	struct ArrowSchema *s = simple_schema();
	kit_gen g = { 11, NULLS_MIXED, 0 };
	struct ArrowArray *a = kit_gen_batch(&g, s, 5000);
	const char *path = tmp_path("in-flight.parquet");
	hfds_pq_writer_options o = small_row_groups(3, 400);
	hfds_pq_writer *w = NULL;
	REQUIRE(hfds_pq_writer_open(&w, path, s, &o, NULL) == 0);
	CHECK_EQ_INT(hfds_pq_writer_write(w, a, NULL), 0);
	hfds_pq_writer_free(w);
	CHECK(!exists(path));
}

/* After flush every row group is in the file: bytes_written is what is on disk, on any
 * thread count (the dataset writer sizes shards by it). */
static void test_flush_bytes_written(void)
{
	struct ArrowSchema *s = simple_schema();
	kit_gen g = { 12, NULLS_MIXED, 0 };
	struct ArrowArray *a = kit_gen_batch(&g, s, 3000);
	uint64_t first = 0;
	for (int threads = 1; threads <= 3; threads++) {
		const char *path = tmp_path("flushed.parquet");
		hfds_pq_writer_options o = small_row_groups(threads, 400);
		hfds_pq_writer *w = NULL;
		REQUIRE(hfds_pq_writer_open(&w, path, s, &o, NULL) == 0);
		CHECK_EQ_INT(hfds_pq_writer_write(w, a, NULL), 0);
		CHECK_EQ_INT(hfds_pq_writer_flush(w, NULL), 0);
		struct stat st;
		char tmp[4200] = "";
		CHECK_EQ_INT(temps(path, tmp, sizeof(tmp)), 1);
		CHECK_EQ_INT(stat(tmp, &st), 0);
		CHECK_EQ_INT(hfds_pq_writer_bytes_written(w), (uint64_t)st.st_size);
		CHECK(st.st_size > 20000); /* all 3000 rows, not only the first row groups */
		if (threads == 1)
			first = (uint64_t)st.st_size;
		CHECK_EQ_INT((uint64_t)st.st_size, first);
		CHECK_EQ_INT(hfds_pq_writer_close(w, NULL, NULL), 0);
		hfds_pq_writer_free(w);
	}
}

/* Writing over a file replaces it: another hard link to the old file keeps its bytes. */
static void test_overwrite_keeps_links(void)
{
	struct ArrowSchema *s = simple_schema();
	kit_gen g = { 13, NULLS_MIXED, 0 };
	struct ArrowArray *a = kit_gen_batch(&g, s, 100);
	char path[512], link_path[512];
	snprintf(path, sizeof(path), "%s", tmp_path("linked.parquet"));
	snprintf(link_path, sizeof(link_path), "%s", tmp_path("linked-object"));
	unlink(link_path);
	FILE *f = fopen(path, "wb");
	REQUIRE(f != NULL);
	fputs("object bytes", f);
	fclose(f);
	REQUIRE(link(path, link_path) == 0);
	hfds_pq_writer *w = NULL;
	REQUIRE(hfds_pq_writer_open(&w, path, s, NULL, NULL) == 0);
	CHECK_EQ_INT(hfds_pq_writer_write(w, a, NULL), 0);
	CHECK_EQ_INT(hfds_pq_writer_close(w, NULL, NULL), 0);
	hfds_pq_writer_free(w);
	struct stat st;
	CHECK_EQ_INT(stat(link_path, &st), 0);
	CHECK_EQ_INT(st.st_size, 12);
	CHECK_EQ_INT(st.st_nlink, 1);
	CHECK_EQ_INT(stat(path, &st), 0);
	CHECK(st.st_size > 12);
}

/* A write that fails, or a writer freed without close, leaves the file that was at the path
 * byte for byte (the old writer unlinked it first), and no temporary. */
static void test_failure_keeps_old_file(void)
{
	struct ArrowSchema *s = simple_schema();
	kit_gen g = { 14, NULLS_MIXED, 0 };
	struct ArrowArray *a = kit_gen_batch(&g, s, 200);
	struct ArrowSchema *other = kit_schema("+s", "", 0, 2, kit_schema("l", "id", 0, 0), kit_schema("u", "text", 1, 0));
	struct ArrowArray *bad = kit_gen_batch(&g, other, 10);
	const char *path = tmp_path("precious.parquet");
	hfds_pq_writer *w = NULL;
	size_t n0 = 0, n1 = 0;
	char *before, *after;
	REQUIRE(hfds_pq_writer_open(&w, path, s, NULL, NULL) == 0);
	CHECK_EQ_INT(hfds_pq_writer_write(w, a, NULL), 0);
	CHECK_EQ_INT(hfds_pq_writer_close(w, NULL, NULL), 0);
	hfds_pq_writer_free(w);
	before = test_slurp(path, &n0);
	REQUIRE(before != NULL && n0 > 100);
	for (int mode = 0; mode < 2; mode++) {
		hfds_error err;
		hfds_error_init(&err);
		REQUIRE(hfds_pq_writer_open(&w, path, s, NULL, &err) == 0);
		CHECK_EQ_INT(hfds_pq_writer_write(w, a, &err), 0);
		if (mode == 0)
			CHECK_EQ_INT(hfds_pq_writer_write(w, bad, &err), HFDS_EINVAL);
		hfds_pq_writer_free(w);
		after = test_slurp(path, &n1);
		CHECK(after != NULL && n1 == n0 && memcmp(before, after, n0) == 0);
		CHECK_EQ_INT(temps(path, NULL, 0), 0);
		free(after);
	}
	free(before);
}

typedef struct membuf {
	hfds_buf b;
} membuf;

static int mem_sink(void *payload, const void *data, size_t len, hfds_error *err)
{
	return hfds_buf_append(&((membuf *)payload)->b, data, len, err);
}

/* A batch of (id int64, x double) without nulls, in heap buffers the test frees itself. */
typedef struct owned_batch {
	struct ArrowArray top, cols[2], *kids[2];
	const void *top_bufs[1], *bufs[2][2];
	int64_t *id;
	double *x;
} owned_batch;

static void owned_fill(owned_batch *b, int64_t rows, int64_t seed)
{
	memset(b, 0, sizeof(*b));
	b->id = malloc((size_t)rows * sizeof(int64_t));
	b->x = malloc((size_t)rows * sizeof(double));
	for (int64_t i = 0; i < rows; i++) {
		b->id[i] = seed * 1000000 + i;
		b->x[i] = (double)(i % 977) * 0.25 + (double)seed;
	}
	const void *vals[2] = { b->id, b->x };
	for (int c = 0; c < 2; c++) {
		b->bufs[c][0] = NULL;
		b->bufs[c][1] = vals[c];
		b->cols[c] = (struct ArrowArray){ .length = rows, .n_buffers = 2, .buffers = b->bufs[c],
			.release = kit_noop_array };
		b->kids[c] = &b->cols[c];
	}
	b->top = (struct ArrowArray){ .length = rows, .n_buffers = 1, .buffers = b->top_bufs, .n_children = 2,
		.children = b->kids, .release = kit_noop_array };
}

/* Poisons and frees the values: the writer must not read them any more. */
static void owned_drop(owned_batch *b)
{
	memset(b->id, 0xab, (size_t)b->top.length * sizeof(int64_t));
	memset(b->x, 0xab, (size_t)b->top.length * sizeof(double));
	free(b->id);
	free(b->x);
}

/* Flat values are taken from the caller's batch without a copy while row groups encode;
 * once write() returns, the batch is the caller's again: poisoning and freeing it (ASan
 * sees any late read) must not change a byte of the file, on any thread count. */
static void test_batch_returned(void)
{
	struct ArrowSchema *s = kit_schema("+s", "", 0, 2, kit_schema("l", "id", 1, 0), kit_schema("g", "x", 1, 0));
	membuf ref;
	hfds_buf_init(&ref.b, 0);
	for (int threads = 1; threads <= 3; threads++) {
		membuf m;
		hfds_buf_init(&m.b, 0);
		/* row groups end inside each batch and span two */
		hfds_pq_writer_options o = small_row_groups(threads, 700);
		o.codec = HFDS_PQ_UNCOMPRESSED; /* the values are visible in the file */
		o.page_size = 2048;
		hfds_pq_writer *w = NULL;
		hfds_error err;
		hfds_error_init(&err);
		REQUIRE(hfds_pq_writer_open_sink(&w, mem_sink, &m, s, &o, &err) == 0);
		for (int64_t k = 0; k < 4; k++) {
			owned_batch b;
			owned_fill(&b, 2500 + 333 * k, k);
			CHECK_EQ_INT(hfds_pq_writer_write(w, &b.top, &err), 0);
			owned_drop(&b);
		}
		CHECK_EQ_INT(hfds_pq_writer_close(w, NULL, &err), 0);
		hfds_pq_writer_free(w);
		if (threads == 1) {
			ref = m;
			/* the reference itself holds the data: row 0 of batch 2 is id 2000000 */
			int64_t want = 2000000;
			CHECK(memmem(ref.b.data, ref.b.len, &want, sizeof want) != NULL);
			continue;
		}
		CHECK_EQ_INT(m.b.len, ref.b.len);
		CHECK(m.b.len == ref.b.len && memcmp(m.b.data, ref.b.data, m.b.len) == 0);
		hfds_buf_release(&m.b);
	}
	hfds_buf_release(&ref.b);
}

static int oom_scenario(const struct ArrowSchema *s, struct ArrowArray *a, int threads, const char *path)
{
	hfds_pq_writer_options o = small_row_groups(threads, 300);
	o.page_size = 4096;
	hfds_pq_writer *w = NULL;
	hfds_error err;
	hfds_error_init(&err);
	int rc = hfds_pq_writer_open(&w, path, s, &o, &err);
	if (rc == 0)
		rc = hfds_pq_writer_write(w, a, &err);
	if (rc == 0)
		rc = hfds_pq_writer_flush(w, &err);
	if (rc == 0)
		rc = hfds_pq_writer_close(w, NULL, &err);
	hfds_pq_writer_free(w);
	return rc;
}

/* Every allocation of open/write/flush/close failing in turn, with the pipeline on (3
 * threads: allocations in workers fail too) and off: HFDS_ENOMEM, no crash, no leak, no
 * partial file; then a run that succeeds. */
static void test_every_allocation_fails(void)
{
	struct ArrowSchema *s = simple_schema();
	kit_gen g = { 21, NULLS_MIXED, 0 };
	struct ArrowArray *a = kit_gen_batch(&g, s, 2000);
	const char *path = tmp_path("oom.parquet");
	for (int threads = 1; threads <= 3; threads += 2) {
		int n, rc = -1;
		unlink(path); /* the last run of the previous loop succeeded */
		for (n = 1; n < 20000; n++) {
			hfds_alloc_fail_after((uint64_t)n);
			rc = oom_scenario(s, a, threads, path);
			hfds_alloc_fail_after(0);
			if (rc == 0)
				break;
			CHECK_EQ_INT(rc, HFDS_ENOMEM);
			CHECK(!exists(path));
			if (rc != HFDS_ENOMEM)
				break;
		}
		CHECK_EQ_INT(rc, 0);
		CHECK(n > 50);
	}
}

/* zstd, 4 KiB pages, 200 kB row groups: many pages and row groups in flight. */
static hfds_pq_writer_options busy_options(int threads)
{
	hfds_pq_writer_options o;
	hfds_pq_writer_options_init(&o);
	o.threads = threads;
	o.codec = HFDS_PQ_ZSTD;
	o.page_size = 4096;
	o.row_group_bytes = 200000;
	return o;
}

/* Writes the chesspos-like + mixed batch with `threads`, returns the bytes in m. */
static int write_mem(membuf *m, const struct ArrowSchema *s, struct ArrowArray **batches, int nb, int threads,
	hfds_pq_file_info *info)
{
	hfds_pq_writer_options o = busy_options(threads);
	hfds_pq_writer *w = NULL;
	hfds_error err;
	hfds_error_init(&err);
	hfds_buf_init(&m->b, 0);
	int rc = hfds_pq_writer_open_sink(&w, mem_sink, m, s, &o, &err);
	for (int i = 0; rc == 0 && i < nb; i++)
		rc = hfds_pq_writer_write(w, batches[i], &err);
	if (rc == 0)
		rc = hfds_pq_writer_close(w, info, &err);
	if (rc < 0)
		fprintf(stderr, "write_mem: %s\n", err.message);
	hfds_pq_writer_free(w);
	return rc;
}

static void test_deterministic_threads(void)
{
	struct ArrowSchema *s = kit_schema("+s", "", 0, 5, kit_schema("l", "id", 0, 0), kit_schema("u", "text", 1, 0),
		kit_schema("+l", "window", 1, 1, kit_schema("+l", "item", 1, 1, kit_schema("c", "item", 1, 0))),
		kit_schema("+w:3", "scalars", 1, 1, kit_schema("c", "item", 1, 0)), kit_schema("g", "score", 1, 0));
	kit_gen g = { 77, NULLS_MIXED, 1 };
	struct ArrowArray *batches[3];
	for (int i = 0; i < 3; i++)
		batches[i] = kit_gen_batch(&g, s, 4000 + i * 1000);
	membuf ref;
	hfds_pq_file_info ri;
	REQUIRE(write_mem(&ref, s, batches, 3, 1, &ri) == 0);
	CHECK(ri.num_row_groups > 2);
	CHECK_EQ_INT(ri.num_rows, 15000);
	CHECK_EQ_INT(ri.size, ref.b.len);
	uint8_t digest[32];
	hfds_sha256_buffer(ref.b.data, ref.b.len, digest, NULL);
	CHECK_EQ_MEM(digest, ri.sha256, 32);
	for (int t = 2; t <= 4; t++) {
		membuf m;
		hfds_pq_file_info mi;
		CHECK_EQ_INT(write_mem(&m, s, batches, 3, t, &mi), 0);
		CHECK_EQ_INT(m.b.len, ref.b.len);
		if (m.b.len == ref.b.len)
			CHECK_EQ_MEM(m.b.data, ref.b.data, m.b.len);
		CHECK_EQ_MEM(mi.sha256, ri.sha256, 32);
		hfds_buf_release(&m.b);
	}
	/* the path writer produces the same bytes as the sink */
	const char *path = tmp_path("determinism.parquet");
	hfds_pq_writer_options o = busy_options(2);
	hfds_pq_writer *w = NULL;
	hfds_pq_file_info fi;
	REQUIRE(hfds_pq_writer_open(&w, path, s, &o, NULL) == 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(hfds_pq_writer_write(w, batches[i], NULL), 0);
	CHECK_EQ_INT(hfds_pq_writer_close(w, &fi, NULL), 0);
	hfds_pq_writer_free(w);
	uint64_t size = 0;
	CHECK_EQ_INT(hfds_sha256_file(path, digest, &size, NULL), 0);
	CHECK_EQ_INT(size, ref.b.len);
	CHECK_EQ_MEM(digest, ri.sha256, 32);
	hfds_buf_release(&ref.b);
}

/* Media-sized pages (pieces of 256 KiB and more) are written to a path by a pool worker while
 * the caller hashes them: the file and its sha256 are those of one thread (fails when the
 * caller skips hashing a piece it handed to the worker), and a full device is an error that
 * names it, never a crash or a hang. */
static void test_large_pieces_on_the_pool(void)
{
	struct ArrowSchema *s = kit_schema("+s", "", 0, 2, kit_schema("l", "id", 0, 0), kit_schema("z", "blob", 1, 0));
	hfds_arrow_builder *b = NULL;
	struct ArrowArray a;
	uint8_t *blob = hfds_malloc(300000);
	uint64_t x = 88172645463325252ull;
	REQUIRE(blob && hfds_arrow_builder_new(&b, s, NULL) == 0);
	for (int64_t r = 0; r < 24; r++) {
		for (size_t i = 0; i < 300000; i++) {   /* xorshift: incompressible, like FLAC */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			blob[i] = (uint8_t)x;
		}
		CHECK_EQ_INT(hfds_arrow_builder_append_int(b, r, NULL), 0);
		CHECK_EQ_INT(r % 7 == 3 ? hfds_arrow_builder_append_null(b, NULL)
			: hfds_arrow_builder_append_bytes(b, blob, 100000 + (size_t)r * 8000, NULL), 0);
	}
	REQUIRE(hfds_arrow_builder_finish(b, &a, NULL) == 0);
	struct ArrowArray *batches[1] = { &a };
	membuf ref;
	hfds_pq_file_info ri, fi;
	REQUIRE(write_mem(&ref, s, batches, 1, 1, &ri) == 0);
	for (int threads = 1; threads <= 3; threads++) {
		const char *path = tmp_path("pieces.parquet");
		hfds_pq_writer_options o = busy_options(threads);
		hfds_pq_writer *w = NULL;
		REQUIRE(hfds_pq_writer_open(&w, path, s, &o, NULL) == 0);
		CHECK_EQ_INT(hfds_pq_writer_write(w, &a, NULL), 0);
		CHECK_EQ_INT(hfds_pq_writer_close(w, &fi, NULL), 0);
		hfds_pq_writer_free(w);
		uint8_t digest[32];
		uint64_t size = 0;
		CHECK_EQ_INT(hfds_sha256_file(path, digest, &size, NULL), 0);
		CHECK_EQ_INT(size, ref.b.len);
		CHECK_EQ_MEM(digest, ri.sha256, 32);
		CHECK_EQ_MEM(fi.sha256, ri.sha256, 32);
		unlink(path);
		if (access("/dev/full", W_OK) == 0) {
			hfds_error err;
			hfds_error_init(&err);
			int rc = hfds_pq_writer_open(&w, "/dev/full", s, &o, &err);
			if (rc == 0)
				rc = hfds_pq_writer_write(w, &a, &err);
			if (rc == 0)
				rc = hfds_pq_writer_close(w, NULL, &err);
			CHECK_EQ_INT(rc, HFDS_EIO);
			CHECK(strstr(err.message, "/dev/full") != NULL);
			hfds_pq_writer_free(w);
		}
	}
	hfds_buf_release(&ref.b);
	a.release(&a);
	hfds_arrow_builder_free(b);
	hfds_free(blob);
}

int main(void)
{
	RUN(test_unsupported_type);
	RUN(test_bad_column_option);
	RUN(test_batch_mismatch);
	RUN(test_null_in_required);
	RUN(test_invalid_utf8);
	RUN(test_full_disk);
	RUN(test_free_without_close);
	RUN(test_free_in_flight);
	RUN(test_flush_bytes_written);
	RUN(test_overwrite_keeps_links);
	RUN(test_failure_keeps_old_file);
	RUN(test_deterministic_threads);
	RUN(test_large_pieces_on_the_pool);
	RUN(test_batch_returned);
	RUN(test_every_allocation_fails);
	kit_free_all();
	TEST_END();
}
