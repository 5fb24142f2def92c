/* CSV -> record batches: RFC 4180 quoting (delimiters, quotes and newlines inside quotes,
 * CRLF), BOM, header, null value, type inference, and errors with file:line:column. */
#include "ingest_test.h"

#include "hfds/arrow.h"
#include "hfds/ingest.h"

static int valid(const struct ArrowArray *a, int64_t i)
{
	const uint8_t *bits = a->buffers[0];
	i += a->offset;
	return !bits || (bits[i / 8] >> (i % 8) & 1);
}

static int str_is(const struct ArrowArray *a, int64_t i, const char *want)
{
	const int32_t *off = a->buffers[1];
	const char *d = a->buffers[2];
	i += a->offset;
	return (size_t)(off[i + 1] - off[i]) == strlen(want) && !memcmp(d + off[i], want, strlen(want));
}

static void quoting_and_inference(void)
{
	static const char text[] = "\xEF\xBB\xBFi,s,f,b,d,t\r\n"
		"1,\"a,b\",1.5,true,2024-02-29,2024-01-02 03:04:05\r\n"
		"2,\"say \"\"hi\"\"\nbye\",,FALSE,,2024-01-02T03:04:05.25\r\n"
		"3,,-2e3,false,1970-01-01,\r\n"
		"4,\"\",7,true,1969-12-31,1970-01-01T00:00:00Z";
	const char *path = write_bytes("q.csv", text, sizeof(text) - 1);
	hfds_ingest *r = NULL;
	hfds_ingest_options o;
	struct ArrowArray a;
	hfds_error err;
	char *json = NULL;
	hfds_error_init(&err);
	hfds_ingest_options_init(&o);
	o.threads = 2;
	REQUIRE(hfds_ingest_open(&r, path, NULL, &o, &err) == 0);
	REQUIRE(hfds_features_to_json(&json, NULL, hfds_ingest_features(r), 0, NULL) == 0);
	CHECK_EQ_STR(json, "{\"i\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, \"s\": {\"dtype\": \"string\", \"_type\": \"Value\"}, "
		"\"f\": {\"dtype\": \"float64\", \"_type\": \"Value\"}, \"b\": {\"dtype\": \"bool\", \"_type\": \"Value\"}, "
		"\"d\": {\"dtype\": \"date32\", \"_type\": \"Value\"}, \"t\": {\"dtype\": \"timestamp[us]\", \"_type\": \"Value\"}}");
	hfds_free(json);
	REQUIRE(hfds_ingest_next(r, &a, &err) == 0);
	CHECK_EQ_INT(a.length, 4);
	CHECK(str_is(a.children[1], 0, "a,b"));
	CHECK(str_is(a.children[1], 1, "say \"hi\"\nbye"));
	CHECK(!valid(a.children[1], 2));  /* unquoted empty: null */
	CHECK(valid(a.children[1], 3) && str_is(a.children[1], 3, ""));  /* quoted empty: "" */
	CHECK(!valid(a.children[2], 1));
	CHECK(((const double *)a.children[2]->buffers[1])[2] == -2000.0);
	CHECK_EQ_INT(((const int32_t *)a.children[4]->buffers[1])[0], 19782);
	CHECK_EQ_INT(((const int32_t *)a.children[4]->buffers[1])[3], -1);
	CHECK_EQ_INT(((const int64_t *)a.children[5]->buffers[1])[0], 1704164645000000ll);
	CHECK_EQ_INT(((const int64_t *)a.children[5]->buffers[1])[1], 1704164645250000ll);
	CHECK(!valid(a.children[5], 2));
	a.release(&a);
	CHECK_EQ_INT(hfds_ingest_next(r, &a, &err), HFDS_ITEROVER);
	hfds_ingest_free(r);
}

static void expect_error(const char *name, const char *text, const hfds_features *f, int code, const char *needle)
{
	hfds_ingest_options o;
	hfds_ingest_options_init(&o);
	o.threads = 2;
	o.block_bytes = 32;
	o.infer_rows = 2;
	expect_failure(write_file(name, text), f, &o, code, needle);
}

static void errors(void)
{
	hfds_features *f = hfds_features_new();
	hfds_feature *d = NULL;
	REQUIRE(hfds_feature_value_parse(&d, "date32", NULL) == 0);
	hfds_features_add(f, "a", hfds_feature_value(HFDS_DTYPE_INT8), NULL);
	hfds_features_add(f, "d", d, NULL);
	expect_error("e1.csv", "a,d\n1,2024-01-01\n2,2024-01-02\n300,2024-01-03\n", f, HFDS_EINVAL,
		"e1.csv:4:1: expected int8 for 'a', found \"300\"");
	expect_error("e2.csv", "a,d\n1,2024-01-01\n2,2023-02-29\n", f, HFDS_EINVAL, "e2.csv:3:3: expected date32 for 'd', found \"2023-02-29\" (no such date)");
	expect_error("e3.csv", "a,d\n1,2024-01-01\n2,\"2024-01-01\n3,2024-01-01\n", f, HFDS_EPARSE, "e3.csv:3:3: quote never closed");
	expect_error("e4.csv", "a,d\n1,2024-01-01,9\n", f, HFDS_EPARSE, "e4.csv:2:1: expected 2 fields, found 3");
	expect_error("e5.csv", "a,x\n1,2\n", f, HFDS_EINVAL, "e5.csv:1: no column 'd' in the header");
	expect_error("e6.csv", "a,d\n1,2024-01-01\n1,2024-01-0\xff\n", f, HFDS_EPARSE, "e6.csv:3:12: invalid UTF-8");
	expect_error("e7.csv", "n\n1\n2\n3\n4\nx\n", NULL, HFDS_EINVAL, "e7.csv:6:1: expected int64 for 'n', found \"x\"");
	expect_error("e8.csv", "a,d\n1,a\"b\n", f, HFDS_EPARSE, "e8.csv:2:4: quote inside an unquoted field");
	hfds_features_free(f);
}

/* The same batches for 1, 2 and 3 threads, and block boundaries inside quoted newlines. */
static void threads_agree(void)
{
	char text[20000];
	size_t n = 0;
	int64_t sums[3] = {0, 0, 0}, rows[3] = {0, 0, 0};
	const char *path;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "k,v\n");
	for (int i = 0; i < 400; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%d,\"line %d\nnext, \"\"q\"\"\"\n", i, i);
	path = write_bytes("t.csv", text, n);
	for (int t = 1; t <= 3; t++) {
		hfds_ingest *r = NULL;
		hfds_ingest_options o;
		struct ArrowArray a;
		hfds_error err;
		hfds_error_init(&err);
		hfds_ingest_options_init(&o);
		o.threads = t;
		o.block_bytes = 100;
		REQUIRE(hfds_ingest_open(&r, path, NULL, &o, &err) == 0);
		while (hfds_ingest_next(r, &a, &err) == 0) {
			const int64_t *k = a.children[0]->buffers[1];
			for (int64_t i = 0; i < a.length; i++) {
				char want[64];
				snprintf(want, sizeof(want), "line %lld\nnext, \"q\"", (long long)k[i]);
				CHECK(str_is(a.children[1], i, want));
				sums[t - 1] += k[i] * (rows[t - 1] + 1);
				rows[t - 1]++;
			}
			a.release(&a);
		}
		CHECK_EQ_INT(err.code, 0);
		hfds_ingest_free(r);
	}
	CHECK_EQ_INT(rows[0], 400);
	CHECK_EQ_INT(rows[1], 400);
	CHECK_EQ_INT(rows[2], 400);
	CHECK_EQ_INT(sums[0], sums[1]);
	CHECK_EQ_INT(sums[0], sums[2]);
}

/* Typed columns through the staging (4096 rows at a time, then bulk appends) and, with a
 * float16 column in the schema, row by row: nulls in every column, ints at their limits,
 * quoted records (the general split) between plain ones, CRLF and LF, blank lines; one
 * block and many small blocks on two threads. */
static hfds_features *typed_features(int half)
{
	hfds_features *f = hfds_features_new();
	hfds_feature *d = NULL, *t = NULL;
	CHECK(hfds_feature_value_parse(&d, "date32", NULL) == 0);
	CHECK(hfds_feature_value_parse(&t, "timestamp[ms]", NULL) == 0);
	hfds_features_add(f, "a", hfds_feature_value(HFDS_DTYPE_INT8), NULL);
	hfds_features_add(f, "u", hfds_feature_value(HFDS_DTYPE_UINT64), NULL);
	hfds_features_add(f, "f", hfds_feature_value(HFDS_DTYPE_FLOAT32), NULL);
	hfds_features_add(f, "b", hfds_feature_value(HFDS_DTYPE_BOOL), NULL);
	hfds_features_add(f, "d", d, NULL);
	hfds_features_add(f, "t", t, NULL);
	hfds_features_add(f, "s", hfds_feature_value(HFDS_DTYPE_STRING), NULL);
	if (half)
		hfds_features_add(f, "h", hfds_feature_value(HFDS_DTYPE_FLOAT16), NULL);
	return f;
}

static void check_typed_row(const struct ArrowArray *a, int64_t r, int64_t i, int half)
{
	char want[32];
	CHECK_EQ_INT(valid(a->children[0], r), i % 7 != 3);
	if (i % 7 != 3)
		CHECK_EQ_INT(((const int8_t *)a->children[0]->buffers[1])[r], i % 256 - 128);
	CHECK(((const uint64_t *)a->children[1]->buffers[1])[r] == UINT64_MAX - (uint64_t)i);
	CHECK_EQ_INT(valid(a->children[2], r), i % 11 != 5);
	if (i % 11 != 5)
		CHECK(((const float *)a->children[2]->buffers[1])[r] == (float)i + 0.25f);
	CHECK_EQ_INT((((const uint8_t *)a->children[3]->buffers[1])[(r + a->children[3]->offset) / 8] >> ((r + a->children[3]->offset) % 8)) & 1, i % 2);
	CHECK_EQ_INT(((const int32_t *)a->children[4]->buffers[1])[r], 19723 + i % 28);
	CHECK_EQ_INT(((const int64_t *)a->children[5]->buffers[1])[r], (i % 60) * 1000);
	CHECK_EQ_INT(valid(a->children[6], r), i % 13 != 0);
	snprintf(want, sizeof(want), i % 5 == 0 ? "x,%lld" : "v%lld", (long long)i);
	if (i % 13 != 0)
		CHECK(str_is(a->children[6], r, want));
	if (half)
		CHECK_EQ_INT(((const uint16_t *)a->children[7]->buffers[1])[r], 0x3c00); /* 1.0 */
}

static void typed_columns(void)
{
	enum { N = 10000 };
	static char text[N * 96];
	size_t n = 0;
	for (int half = 0; half <= 1; half++) {
		hfds_features *f = typed_features(half);
		n = (size_t)snprintf(text, sizeof(text), half ? "a,u,f,b,d,t,s,h\n" : "a,u,f,b,d,t,s\n");
		for (int i = 0; i < N; i++) {
			char a[8] = "", fl[24] = "", st[24] = "";
			if (i % 7 != 3)
				snprintf(a, sizeof(a), "%d", i % 256 - 128);
			if (i % 11 != 5)
				snprintf(fl, sizeof(fl), "%d.25", i);
			if (i % 13 != 0)
				snprintf(st, sizeof(st), i % 5 == 0 ? "\"x,%d\"" : "v%d", i);
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s,%llu,%s,%s,2024-01-%02d,1970-01-01 00:00:%02d,%s%s%s",
				a, (unsigned long long)(UINT64_MAX - (uint64_t)i), fl, i % 2 ? "true" : "FALSE", 1 + i % 28, i % 60, st,
				half ? ",1" : "", i % 2 ? "\n" : "\r\n");
			if (i % 1000 == 999)
				text[n++] = '\n';
		}
		const char *path = write_bytes(half ? "typed16.csv" : "typed.csv", text, n);
		for (int small = 0; small <= 1; small++) {
			hfds_ingest *r = NULL;
			hfds_ingest_options o;
			struct ArrowArray a;
			hfds_error err;
			int64_t i = 0;
			hfds_error_init(&err);
			hfds_ingest_options_init(&o);
			o.threads = small ? 2 : 1;
			o.block_bytes = small ? 4096 : o.block_bytes;
			REQUIRE(hfds_ingest_open(&r, path, f, &o, &err) == 0);
			while (hfds_ingest_next(r, &a, &err) == 0) {
				for (int64_t k = 0; k < a.length; k++, i++)
					check_typed_row(&a, k, i, half);
				a.release(&a);
			}
			CHECK_EQ_INT(err.code, 0);
			CHECK_EQ_INT(i, N);
			hfds_ingest_free(r);
		}
		hfds_features_free(f);
	}
}

int main(void)
{
	RUN(quoting_and_inference);
	RUN(errors);
	RUN(threads_agree);
	RUN(typed_columns);
	TEST_END();
}
