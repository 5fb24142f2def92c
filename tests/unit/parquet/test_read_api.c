/*
 * Reader API: open through a read callback (footer in one read, one coalesced read per
 * projected field), projection and row-group selection, Arrow schema types, metadata.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hfds/parquet_reader.h"
#include "parquet/read/catfmt.h"
#include "test.h"
#include "util/alloc.h"

typedef struct src {
	uint8_t *data;
	size_t len;
	int reads;
	size_t bytes;
} src;

static int cb_read(void *ctx, uint64_t off, void *buf, size_t len, hfds_error *err)
{
	src *s = ctx;
	(void)err;
	s->reads++;
	s->bytes += len;
	memcpy(buf, s->data + off, len);
	return 0;
}

static int load(src *s, const char *name)
{
	char rel[256];
	FILE *f;
	long n;
	snprintf(rel, sizeof rel, "testdata/parquet-testing/data/%s", name);
	f = fopen(test_shared(rel), "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s->data = malloc((size_t)n);
	s->len = fread(s->data, 1, (size_t)n, f);
	s->reads = 0;
	s->bytes = 0;
	fclose(f);
	return 0;
}

static void callback_reads(void)
{
	src s;
	hfds_pq_reader *r = NULL;
	hfds_error err;
	struct ArrowArrayStream st;
	struct ArrowArray b;
	const char *cols[] = {"string_col", "id"};
	int rg[] = {0};
	hfds_pq_scan_options so = {HFDS_PQ_SCAN_OPTIONS_VERSION, cols, 2, rg, 1};
	hfds_error_init(&err);
	REQUIRE(load(&s, "alltypes_tiny_pages.parquet") == 0);
	REQUIRE(s.len > 65536);
	REQUIRE(hfds_pq_reader_open_callback(&r, s.len, cb_read, &s, "tiny", NULL, &err) == 0);
	CHECK_EQ_INT(s.reads, 1); /* the footer came with the 64 KiB tail read */
	CHECK_EQ_INT(hfds_pq_reader_num_rows(r), 7300);
	REQUIRE(hfds_pq_reader_scan(r, &so, &st, &err) == 0);
	REQUIRE(st.get_next(&st, &b) == 0 && b.release);
	CHECK_EQ_INT(b.length, 7300);
	CHECK_EQ_INT(b.n_children, 2);
	CHECK_EQ_INT(s.reads, 3); /* one read per projected field */
	CHECK(s.bytes < s.len);
	b.release(&b);
	REQUIRE(st.get_next(&st, &b) == 0);
	CHECK(b.release == NULL); /* end of stream */
	st.release(&st);
	/* unknown column, bad row group */
	{
		const char *bad[] = {"nope"};
		hfds_pq_scan_options b1 = {HFDS_PQ_SCAN_OPTIONS_VERSION, bad, 1, NULL, 0};
		int badrg[] = {5};
		hfds_pq_scan_options b2 = {HFDS_PQ_SCAN_OPTIONS_VERSION, NULL, 0, badrg, 1};
		CHECK_EQ_INT(hfds_pq_reader_scan(r, &b1, &st, &err), HFDS_ENOTFOUND);
		hfds_error_init(&err);
		CHECK_EQ_INT(hfds_pq_reader_scan(r, &b2, &st, &err), HFDS_EINVAL);
	}
	hfds_pq_reader_free(r);
	free(s.data);
}

static void schema_types(void)
{
	static const struct {
		const char *file, *formats;
	} cases[] = {
		{"alltypes_plain.parquet", "+s(i,b,i,i,i,l,f,g,z,z,tsn:UTC)"},
		{"list_columns.parquet", "+s(+l(l),+l(u))"},
		{"nested_maps.snappy.parquet", "+s(+m(+s(u,+m(+s(i,b)))),i,g)"},
		{"int32_decimal.parquet", "+s(d:4,2)"},
		{"float16_nonzeros_and_nans.parquet", "+s(e)"},
		{"old_list_structure.parquet", "+s(+l(+l(i)))"},
		{"repeated_no_annotation.parquet", "+s(i,+s(+l(+s(l,u))))"},
	};
	size_t i;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		src s;
		hfds_pq_reader *r = NULL;
		hfds_error err;
		struct ArrowSchema sc;
		char buf[256];
		size_t n = 0;
		hfds_error_init(&err);
		REQUIRE(load(&s, cases[i].file) == 0);
		REQUIRE(hfds_pq_reader_open_memory(&r, s.data, s.len, cases[i].file, NULL, &err) == 0);
		REQUIRE(hfds_pq_reader_schema(r, &sc, &err) == 0);
		/* flatten: format(children...) */
		{
			struct ArrowSchema *stack[64];
			int64_t idx[64];
			int sp = 0;
			stack[0] = &sc;
			idx[0] = -1;
			n += (size_t)snprintf(buf + n, sizeof buf - n, "%s", sc.format);
			while (sp >= 0) {
				struct ArrowSchema *t = stack[sp];
				if (idx[sp] + 1 < t->n_children) {
					idx[sp]++;
					n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", idx[sp] ? "," : "(",
							      t->children[idx[sp]]->format);
					stack[sp + 1] = t->children[idx[sp]];
					idx[sp + 1] = -1;
					sp++;
				} else {
					if (t->n_children)
						n += (size_t)snprintf(buf + n, sizeof buf - n, ")");
					sp--;
				}
			}
		}
		if (strcmp(buf, cases[i].formats))
			printf("  %s: %s\n", cases[i].file, buf);
		CHECK_EQ_STR(buf, cases[i].formats);
		sc.release(&sc);
		hfds_pq_reader_free(r);
		free(s.data);
	}
}

static void metadata(void)
{
	src s;
	hfds_pq_reader *r = NULL;
	hfds_error err;
	const char *v;
	size_t n;
	hfds_error_init(&err);
	REQUIRE(load(&s, "alltypes_tiny_pages.parquet") == 0);
	REQUIRE(hfds_pq_reader_open_memory(&r, s.data, s.len, NULL, NULL, &err) == 0);
	REQUIRE(hfds_pq_reader_kv(r, "writer.model.name", &v, &n) == 0);
	CHECK(n == 21 && !memcmp(v, "2.1.1-cdh6.x-SNAPSHOT", 21));
	CHECK_EQ_INT(hfds_pq_reader_kv(r, "absent", &v, &n), HFDS_ENOTFOUND);
	CHECK_EQ_INT(hfds_pq_reader_num_row_groups(r), 1);
	hfds_pq_reader_free(r);
	free(s.data);
	/* repeated_no_annotation: footer num_rows 0, row groups say 6 */
	REQUIRE(load(&s, "repeated_no_annotation.parquet") == 0);
	REQUIRE(hfds_pq_reader_open_memory(&r, s.data, s.len, NULL, NULL, &err) == 0);
	CHECK_EQ_INT(hfds_pq_reader_num_rows(r), 6);
	hfds_pq_reader_free(r);
	free(s.data);
}

/* All rows as canonical text, read with `threads` workers. */
static char *rows_text(const src *s, int threads)
{
	hfds_pq_reader_options o;
	hfds_pq_reader *r = NULL;
	struct ArrowArrayStream st;
	struct ArrowSchema sc;
	hfds_buf b;
	hfds_error err;
	size_t n;
	hfds_error_init(&err);
	hfds_pq_reader_options_init(&o);
	o.threads = threads;
	hfds_buf_init(&b, 0);
	if (hfds_pq_reader_open_memory(&r, s->data, s->len, NULL, &o, &err) < 0 || hfds_pq_reader_scan(r, NULL, &st, &err) < 0)
		return NULL;
	st.get_schema(&st, &sc);
	for (;;) {
		struct ArrowArray a;
		if (st.get_next(&st, &a) != 0 || !a.release)
			break;
		pq_catfmt_rows(&b, &sc, &a, 0, a.length, &err);
		a.release(&a);
	}
	sc.release(&sc);
	st.release(&st);
	hfds_pq_reader_free(r);
	hfds_buf_cstr(&b, &err);
	return (char *)hfds_buf_detach(&b, &n);
}

static void threads_same_output(void)
{
	const char *files[] = {"alltypes_tiny_pages.parquet", "nested_maps.snappy.parquet", "nullable.impala.parquet",
			       "delta_byte_array.parquet"};
	size_t i;
	for (i = 0; i < 4; i++) {
		src s;
		char *a, *b;
		REQUIRE(load(&s, files[i]) == 0);
		a = rows_text(&s, 1);
		b = rows_text(&s, 2);
		REQUIRE(a && b);
		CHECK(strlen(a) > 100);
		CHECK(!strcmp(a, b));
		hfds_free(a);
		hfds_free(b);
		free(s.data);
	}
}

int main(void)
{
	RUN(threads_same_output);
	RUN(callback_reads);
	RUN(schema_types);
	RUN(metadata);
	TEST_END();
}
