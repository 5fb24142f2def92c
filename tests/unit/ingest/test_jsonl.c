/* JSON Lines -> record batches: values per dtype, ClassLabel names, base64, media paths,
 * nulls, values that break their features, and errors that name file:line:column. */
#include "ingest_test.h"

#include "hfds/arrow.h"
#include "hfds/ingest.h"

static int open_r(hfds_ingest **r, const char *path, const hfds_features *f, hfds_error *err)
{
	hfds_ingest_options o;
	hfds_ingest_options_init(&o);
	o.threads = 2;
	o.block_bytes = 64; /* many small blocks: boundaries and line numbers across blocks */
	return hfds_ingest_open(r, path, f, &o, err);
}

static hfds_features *features(void)
{
	hfds_features *f = hfds_features_new();
	hfds_feature *ts = NULL, *d = NULL;
	const char *names[] = {"neg", "pos"};
	hfds_feature_value_parse(&ts, "timestamp[us]", NULL);
	hfds_feature_value_parse(&d, "date32", NULL);
	hfds_features_add(f, "id", hfds_feature_value(HFDS_DTYPE_INT64), NULL);
	hfds_features_add(f, "blob", hfds_feature_value(HFDS_DTYPE_BINARY), NULL);
	hfds_features_add(f, "ts", ts, NULL);
	hfds_features_add(f, "day", d, NULL);
	hfds_features_add(f, "label", hfds_feature_class_label(names, 2), NULL);
	hfds_features_add(f, "x", hfds_feature_value(HFDS_DTYPE_FLOAT32), NULL);
	hfds_features_add(f, "img", hfds_feature_image(NULL), NULL);
	return f;
}

static int valid(const struct ArrowArray *a, int64_t i)
{
	const uint8_t *bits = a->buffers[0];
	i += a->offset;
	return !bits || (bits[i / 8] >> (i % 8) & 1);
}

/* Opens path on one thread (one block: all rows in the first batch) and reads that batch. */
static hfds_ingest *read_first(const char *path, const hfds_features *f, struct ArrowArray *a)
{
	hfds_ingest *r = NULL;
	hfds_ingest_options o;
	hfds_error err;
	hfds_error_init(&err);
	hfds_ingest_options_init(&o);
	o.threads = 1;
	if (!path || hfds_ingest_open(&r, path, f, &o, &err) < 0 || hfds_ingest_next(r, a, &err) < 0) {
		fprintf(stderr, "%s: %s\n", path ? path : "(no file)", err.message);
		hfds_ingest_free(r);
		return NULL;
	}
	return r;
}

static void values(void)
{
	hfds_features *f = features();
	hfds_ingest *r;
	struct ArrowArray a;
	hfds_error err;
	const char *path = write_file("ok.jsonl",
		"{\"id\": 1, \"blob\": \"AAEC\", \"ts\": \"2024-01-02T03:04:05.5Z\", \"day\": \"1970-01-03\", \"label\": \"pos\", \"x\": 1.5, \"img\": \"cat.png\"}\n"
		"\n"
		"{\"id\": 2, \"blob\": null, \"ts\": 7, \"day\": 3, \"label\": 0, \"x\": \"NaN\", \"img\": {\"bytes\": \"iVBO\", \"path\": null}}\n"
		"{\"id\": 3}\n");
	hfds_error_init(&err);
	REQUIRE((r = read_first(path, f, &a)) != NULL);
	CHECK_EQ_INT(a.length, 3);
	CHECK_EQ_INT(((const int64_t *)a.children[0]->buffers[1])[2], 3);
	{
		const struct ArrowArray *b = a.children[1];
		const int32_t *off = b->buffers[1];
		const uint8_t *data = b->buffers[2];
		CHECK_EQ_INT(off[1] - off[0], 3);
		CHECK(data[off[0]] == 0 && data[off[0] + 1] == 1 && data[off[0] + 2] == 2);
		CHECK(!valid(b, 1));
		CHECK(!valid(b, 2));
	}
	CHECK_EQ_INT(((const int64_t *)a.children[2]->buffers[1])[0], 1704164645500000ll);
	CHECK_EQ_INT(((const int64_t *)a.children[2]->buffers[1])[1], 7);
	CHECK_EQ_INT(((const int32_t *)a.children[3]->buffers[1])[0], 2);
	CHECK_EQ_INT(((const int64_t *)a.children[4]->buffers[1])[0], 1);
	CHECK_EQ_INT(((const int64_t *)a.children[4]->buffers[1])[1], 0);
	CHECK(((const float *)a.children[5]->buffers[1])[0] == 1.5f);
	{
		const struct ArrowArray *img = a.children[6], *bytes = img->children[0], *p = img->children[1];
		const int32_t *off = p->buffers[1];
		CHECK(!valid(bytes, 0));
		CHECK_EQ_INT(off[1] - off[0], 7);
		CHECK(!memcmp((const char *)p->buffers[2] + off[0], "cat.png", 7));
		CHECK(valid(bytes, 1));
		CHECK(!valid(p, 1));
		CHECK(!valid(img, 2));
	}
	a.release(&a);
	CHECK_EQ_INT(hfds_ingest_next(r, &a, &err), HFDS_ITEROVER);
	hfds_ingest_free(r);
	hfds_features_free(f);
}

/* Reads name (holding text) as features f until it fails with code and a message holding needle. */
static void expect_error_f(const char *name, const char *text, const hfds_features *f, int code, const char *needle)
{
	hfds_ingest_options o;
	hfds_ingest_options_init(&o);
	o.threads = 2;
	o.block_bytes = 64; /* many small blocks: boundaries and line numbers across blocks */
	expect_failure(write_file(name, text), f, &o, code, needle);
}

static void expect_error(const char *name, const char *text, int code, const char *needle)
{
	hfds_features *f = features();
	expect_error_f(name, text, f, code, needle);
	hfds_features_free(f);
}

static void errors(void)
{
	expect_error("b1.jsonl", "{\"id\": 1}\n{\"id\": 2, \"label\": \"maybe\"}\n", HFDS_EINVAL,
		"b1.jsonl:2:20: column 'label': unknown label");
	expect_error("b2.jsonl", "{\"id\": 1, \"blob\": \"@@@@\"}\n", HFDS_EINVAL, "b2.jsonl:1:19: column 'blob': invalid base64");
	expect_error("b3.jsonl", "{\"id\": 1}\n{\"id\": \n", HFDS_EPARSE, "b3.jsonl:2:8: expected a JSON value");
	expect_error("b4.jsonl", "{\"id\": 1, \"nope\": 2}\n", HFDS_EINVAL, "b4.jsonl:1:11: key \"nope\" is not in the features");
	expect_error("b5.jsonl", "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3}\n{\"id\": 4}\n{\"id\": 5}\n{\"id\": 6}\n{\"id\": \"one\"}\n",
		HFDS_EINVAL, "b5.jsonl:7:8: expected int64 for 'id', found \"one\"");
	expect_error("b6.jsonl", "[1, 2]\n", HFDS_EPARSE, "b6.jsonl:1:1: expected a JSON object per line");
	expect_error("b7.jsonl", "{\"ts\": \"yesterday\"}\n", HFDS_EINVAL, "b7.jsonl:1:8: column 'ts': expected a timestamp");
	/* issue 16 item 16: dates and timestamps that do not exist or do not fit are refused */
	expect_error("d1.jsonl", "{\"day\": \"2023-02-29\"}\n", HFDS_EINVAL, "d1.jsonl:1:9: column 'day': no such date");
	expect_error("d2.jsonl", "{\"ts\": \"2024-01-01T99:99:99\"}\n", HFDS_EINVAL, "d2.jsonl:1:8: column 'ts': no such time of day");
	expect_error("d3.jsonl", "{\"ts\": \"2023-13-01T00:00:00\"}\n", HFDS_EINVAL, "d3.jsonl:1:8: column 'ts': no such date");
	/* issue 16 item 20: values that break their features */
	expect_error("c1.jsonl", "{\"label\": 2}\n", HFDS_EINVAL, "c1.jsonl:1:11: column 'label': ClassLabel index out of range [-1, 2)");
	expect_error("c2.jsonl", "{\"label\": -2}\n", HFDS_EINVAL, "c2.jsonl:1:11: column 'label': ClassLabel index out of range");
	expect_error("f1.jsonl", "{\"x\": 1e39}\n", HFDS_EINVAL, "f1.jsonl:1:7: column 'x': out of range for float32 (1e39)");
	expect_error("u1.jsonl", "{\"id\": 1, \"img\": \"\\ud800\"}\n", HFDS_EPARSE, "u1.jsonl:1:18: column 'img': lone high surrogate");
	expect_error("u2.jsonl", "{\"id\": 1}\n{\"id\": 2, \"img\": \"\xff\"}\n", HFDS_EPARSE, "u2.jsonl:2:19: invalid UTF-8");
	expect_error("n1.jsonl", "{\"id\": 9223372036854775808}\n", HFDS_EINVAL, "n1.jsonl:1:8: expected int64 for 'id'");
	expect_error("q1.jsonl", "{\"id\": 1}\n{\"id\": 2, \"img\": \"abc}\n", HFDS_EPARSE, "q1.jsonl:2:18: string never closed");
	expect_error("z1.jsonl", "{\"id\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}\n",
		HFDS_EPARSE, "z1.jsonl:1:71: nested too deeply");
}

/* Features whose values must match their shape, range and unit. */
static void checked_features(void)
{
	hfds_features *f = hfds_features_new();
	hfds_feature *ts = NULL, *h = NULL;
	const char *dup[] = {"a", "a"};
	const char *path = write_file("l.jsonl", "{\"l\": 0}\n");
	hfds_ingest *r = NULL;
	hfds_error err;
	hfds_error_init(&err);
	REQUIRE(hfds_feature_value_parse(&ts, "timestamp[ns]", NULL) == 0);
	REQUIRE(hfds_feature_value_parse(&h, "float16", NULL) == 0);
	hfds_features_add(f, "m", hfds_feature_array(2, (int64_t[]){2, 2}, HFDS_DTYPE_INT32), NULL);
	hfds_features_add(f, "ns", ts, NULL);
	hfds_features_add(f, "h", h, NULL);
	expect_error_f("arr.jsonl", "{\"m\": [[1, 2], [3, 4]]}\n{\"m\": [[1, 2, 3], [4, 5, 6]]}\n", f, HFDS_EINVAL,
		"arr.jsonl:2:8: column 'm': Array dimension has 3 values where the shape says 2");
	expect_error_f("rag.jsonl", "{\"m\": [[1, 2], [3]]}\n", f, HFDS_EINVAL, "rag.jsonl:1:16: column 'm': Array dimension has 1 values");
	expect_error_f("ns.jsonl", "{\"ns\": \"2262-04-11T23:47:16\"}\n{\"ns\": \"2262-04-12T00:00:00\"}\n", f, HFDS_EINVAL,
		"ns.jsonl:2:8: column 'ns': timestamp out of range for its unit");
	expect_error_f("h.jsonl", "{\"h\": 65504}\n{\"h\": 70000}\n", f, HFDS_EINVAL, "h.jsonl:2:7: column 'h': out of range for float16 (70000)");
	hfds_features_free(f);
	/* duplicate ClassLabel names are refused as datasets refuses them */
	f = hfds_features_new();
	hfds_features_add(f, "l", hfds_feature_class_label(dup, 2), NULL);
	hfds_error_init(&err);
	CHECK_EQ_INT(open_r(&r, path, f, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "ClassLabel name 'a' appears twice") != NULL);
	hfds_features_free(f);
}

/* A line longer than max_line is refused while it is read (no newline ever comes). */
static void line_cap(void)
{
	hfds_ingest *r = NULL;
	hfds_ingest_options o;
	hfds_features *f = features();
	struct ArrowArray a;
	hfds_error err;
	char *big = malloc(1 << 20);
	const char *path;
	REQUIRE(big);
	memset(big, ' ', (1 << 20) - 1);
	memcpy(big, "{\"id\": 1}\n{\"id\": 2}\n{\"id\":", 26);
	big[(1 << 20) - 1] = '\0';
	path = write_file("long.jsonl", big);
	free(big);
	hfds_ingest_options_init(&o);
	o.max_line = 4096;
	o.block_bytes = 1024;
	hfds_error_init(&err);
	REQUIRE(hfds_ingest_open(&r, path, f, &o, &err) == 0);
	REQUIRE(hfds_ingest_next(r, &a, &err) == 0);
	CHECK_EQ_INT(a.length, 2);
	a.release(&a);
	CHECK_EQ_INT(hfds_ingest_next(r, &a, &err), HFDS_ELIMIT);
	CHECK(strstr(err.message, "long.jsonl:3: a line longer than 4096 bytes") != NULL);
	hfds_ingest_free(r);
	hfds_features_free(f);
}

/* The ArrowArrayStream form: schema with the features' metadata, batches, then the error
 * with its place through get_last_error. */
static void stream(void)
{
	hfds_ingest *r = NULL;
	struct ArrowArrayStream st;
	struct ArrowSchema sc;
	struct ArrowArray a;
	hfds_error err;
	int64_t rows = 0;
	int rc;
	const char *path = write_file("st.jsonl", "{\"a\": 1, \"b\": [\"x\"]}\n{\"a\": 2, \"b\": null}\n{\"a\": 3, \"b\": []}\n{\"a\": \"z\"}\n");
	static const char fj[] = "{\"a\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, "
		"\"b\": {\"feature\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"_type\": \"List\"}}";
	hfds_features *f = NULL;
	hfds_error_init(&err);
	REQUIRE(hfds_features_parse_json(&f, fj, strlen(fj), &err) == 0);
	REQUIRE(open_r(&r, path, f, &err) == 0);
	hfds_features_free(f);
	REQUIRE(hfds_ingest_stream(&r, &st, &err) == 0);
	CHECK(r == NULL);
	REQUIRE(st.get_schema(&st, &sc) == 0);
	CHECK_EQ_STR(sc.format, "+s");
	CHECK_EQ_INT(sc.n_children, 2);
	CHECK_EQ_STR(sc.children[1]->format, "+l");
	CHECK(sc.metadata != NULL);
	sc.release(&sc);
	while ((rc = st.get_next(&st, &a)) == 0 && a.release) {
		rows += a.length;
		a.release(&a);
	}
	CHECK(rc != 0);
	CHECK_EQ_INT(rows, 3);
	CHECK(strstr(st.get_last_error(&st), "st.jsonl:4:7: expected int64 for 'a', found \"z\"") != NULL);
	st.release(&st);
}

static int infer(hfds_features **out, const char *path, hfds_error *err)
{
	hfds_ingest *r = NULL;
	int rc = open_r(&r, path, NULL, err);
	if (rc == 0)
		rc = hfds_features_copy(out, hfds_ingest_features(r), err);
	hfds_ingest_free(r);
	return rc;
}

static void inference(void)
{
	hfds_features *f = NULL;
	hfds_error err;
	char *json = NULL;
	const char *path = write_file("inf.jsonl",
		"{\"a\": 1, \"b\": [1, 2], \"c\": {\"x\": \"s\"}, \"n\": null}\n"
		"{\"a\": 2.5, \"b\": [], \"c\": {\"y\": true}, \"e\": \"late\"}\n");
	hfds_error_init(&err);
	REQUIRE(infer(&f, path, &err) == 0);
	REQUIRE(hfds_features_to_json(&json, NULL, f, 0, NULL) == 0);
	CHECK_EQ_STR(json, "{\"a\": {\"dtype\": \"float64\", \"_type\": \"Value\"}, "
		"\"b\": {\"feature\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, \"_type\": \"List\"}, "
		"\"c\": {\"x\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"y\": {\"dtype\": \"bool\", \"_type\": \"Value\"}}, "
		"\"n\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"e\": {\"dtype\": \"string\", \"_type\": \"Value\"}}");
	hfds_free(json);
	hfds_features_free(f);
	f = NULL;
	path = write_file("inf2.jsonl", "{\"a\": [1]}\n{\"a\": [\"x\"]}\n");
	CHECK_EQ_INT(infer(&f, path, &err), HFDS_EPARSE);
	CHECK(strstr(err.message, "inf2.jsonl:2:8: column 'a': string here but integer") != NULL);
	CHECK(f == NULL);
}

static hfds_features *row_features(void)
{
	hfds_features *f = hfds_features_new();
	hfds_features_add(f, "id", hfds_feature_value(HFDS_DTYPE_INT64), NULL);
	hfds_features_add(f, "name", hfds_feature_value(HFDS_DTYPE_STRING), NULL);
	hfds_features_add(f, "tags", hfds_feature_list(hfds_feature_value(HFDS_DTYPE_STRING), -1), NULL);
	return f;
}

/* Rows whose keys are the fields in order take a tape-free path; every other shape of row,
 * and every error, must read exactly as through the general path. */
static void direct_rows(void)
{
	hfds_features *f = row_features();
	hfds_ingest *r;
	struct ArrowArray a;
	hfds_error err;
	const char *path = write_file("direct.jsonl",
		"{\"id\": 1, \"name\": \"a\", \"tags\": [\"x\", \"y\"]}\n"              /* direct */
		"{\"name\": \"b\", \"id\": 2, \"tags\": []}\n"                      /* another order */
		"{\"id\": 3, \"n\\u0061me\": \"c\", \"tags\": null}\n"             /* escaped key */
		" {\"id\":4,\"name\":\"d\",\"tags\":[\"z\"]}  \r\n"                /* direct, white space */
		"{\"id\": 5, \"tags\": [\"w\"]}\n");                               /* a key missing */
	hfds_error_init(&err);
	REQUIRE((r = read_first(path, f, &a)) != NULL);
	CHECK_EQ_INT(a.length, 5);
	{
		const int64_t *id = a.children[0]->buffers[1];
		const struct ArrowArray *name = a.children[1], *tags = a.children[2];
		const int32_t *no = name->buffers[1], *to = tags->buffers[1];
		const char *nd = name->buffers[2];
		for (int i = 0; i < 5; i++)
			CHECK_EQ_INT(id[i], i + 1);
		CHECK(no[1] - no[0] == 1 && nd[no[0]] == 'a');
		CHECK(no[2] - no[1] == 1 && nd[no[1]] == 'b');
		CHECK(no[3] - no[2] == 1 && nd[no[2]] == 'c');
		CHECK(no[4] - no[3] == 1 && nd[no[3]] == 'd');
		CHECK(!valid(name, 4));
		CHECK_EQ_INT(to[1] - to[0], 2);
		CHECK_EQ_INT(to[2] - to[1], 0);
		CHECK(!valid(tags, 2));
		CHECK_EQ_INT(to[4] - to[3], 1);
		CHECK_EQ_INT(tags->children[0]->length, 4);
	}
	a.release(&a);
	CHECK_EQ_INT(hfds_ingest_next(r, &a, &err), HFDS_ITEROVER);
	hfds_ingest_free(r);
	/* a type error ahead of a syntax error: the syntax error is reported, as the line is
	 * tokenized whole before it is converted */
	expect_error_f("dx1.jsonl", "{\"id\": 1, \"name\": \"a\", \"tags\": []}\n{\"id\": \"x\", \"name\": \"a\", \"tags\": [}\n", f,
		HFDS_EPARSE, "dx1.jsonl:2:35: expected a JSON value");
	expect_error_f("dx2.jsonl", "{\"id\": 1, \"name\": \"a\", \"tags\": []} x\n", f, HFDS_EPARSE,
		"dx2.jsonl:1:36: unexpected text after the object");
	expect_error_f("dx3.jsonl", "{\"id\": 1, \"name\": \"a\", \"tags\": [\"x\", 2]}\n", f, HFDS_EINVAL,
		"dx3.jsonl:1:38: expected string for 'tags', found 2");
	hfds_features_free(f);
}

/* Values read straight from the text (no token) must equal what the general path and
 * strtod give: -0, integer limits, exponents, 17-digit and subnormal floats, nulls inside
 * lists, nested lists; an escape inside a list sends the row to the general path. */
static void direct_values(void)
{
	hfds_features *f = hfds_features_new();
	hfds_ingest *r;
	struct ArrowArray a;
	hfds_error err;
	static const char *const floats[] = {"-0.0", "0.30000000000000004", "1.7976931348623157e308", "5e-324",
		"2.2250738585072014e-308", "123456789012345678", "1E22", "-2.5e-3"};
	char text[4096];
	size_t n = 0;
	hfds_features_add(f, "i", hfds_feature_value(HFDS_DTYPE_INT64), NULL);
	hfds_features_add(f, "u", hfds_feature_value(HFDS_DTYPE_UINT64), NULL);
	hfds_features_add(f, "d", hfds_feature_value(HFDS_DTYPE_FLOAT64), NULL);
	hfds_features_add(f, "b", hfds_feature_value(HFDS_DTYPE_BOOL), NULL);
	hfds_features_add(f, "l", hfds_feature_list(hfds_feature_value(HFDS_DTYPE_INT8), -1), NULL);
	hfds_features_add(f, "ll", hfds_feature_list(hfds_feature_list(hfds_feature_value(HFDS_DTYPE_STRING), -1), -1), NULL);
	for (int i = 0; i < 8; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
			"{\"i\": %s, \"u\": %s, \"d\": %s, \"b\": %s, \"l\": [%d, null , -128], \"ll\": [[\"a\", %s], [], null]}\n",
			i == 0 ? "-0" : i == 1 ? "9223372036854775807" : i == 2 ? "-9223372036854775808" : "7",
			i == 0 ? "18446744073709551615" : "0", floats[i], i % 2 ? "true" : "false", i,
			i == 3 ? "\"\\u00e9\"" : "\"b\"");
	hfds_error_init(&err);
	REQUIRE((r = read_first(write_file("dv.jsonl", text), f, &a)) != NULL);
	CHECK_EQ_INT(a.length, 8);
	{
		const int64_t *iv = a.children[0]->buffers[1];
		const uint64_t *uv = a.children[1]->buffers[1];
		const double *dv = a.children[2]->buffers[1];
		const uint8_t *bv = a.children[3]->buffers[1];
		const struct ArrowArray *l = a.children[4], *li = l->children[0], *ll = a.children[5];
		const struct ArrowArray *inner = ll->children[0], *str = inner->children[0];
		const int32_t *lo = l->buffers[1], *llo = ll->buffers[1], *io = inner->buffers[1], *so = str->buffers[1];
		const int8_t *lv = li->buffers[1];
		const char *sd = str->buffers[2];
		CHECK_EQ_INT(iv[0], 0);
		CHECK(iv[1] == INT64_MAX && iv[2] == INT64_MIN);
		CHECK(uv[0] == UINT64_MAX && uv[1] == 0);
		for (int i = 0; i < 8; i++) {
			double want = strtod(floats[i], NULL);
			CHECK(!memcmp(&dv[i], &want, sizeof(want))); /* bit for bit: -0.0 keeps its sign */
			CHECK_EQ_INT((bv[0] >> i) & 1, i % 2);
			CHECK_EQ_INT(lo[i + 1] - lo[i], 3);
			CHECK_EQ_INT(lv[lo[i]], i);
			CHECK(!valid(li, lo[i] + 1));
			CHECK_EQ_INT(lv[lo[i] + 2], -128);
			CHECK_EQ_INT(llo[i + 1] - llo[i], 3);
			CHECK(!valid(inner, llo[i] + 2));
			CHECK_EQ_INT(io[llo[i] + 1] - io[llo[i]], 2);
		}
		CHECK_EQ_INT(so[io[llo[3]] + 2] - so[io[llo[3]] + 1], 2); /* "\u00e9": the general path */
		CHECK(!memcmp(sd + so[io[llo[3]] + 1], "\xc3\xa9", 2));
		CHECK(!memcmp(sd + so[io[llo[4]] + 1], "b", 1));
	}
	a.release(&a);
	CHECK_EQ_INT(hfds_ingest_next(r, &a, &err), HFDS_ITEROVER);
	hfds_ingest_free(r);
	/* what the direct reading refuses is the general path's to report, with its place */
	expect_error_f("dv1.jsonl", "{\"i\": 1.0, \"u\": 1, \"d\": 1, \"b\": true, \"l\": [], \"ll\": []}\n", f, HFDS_EINVAL,
		"dv1.jsonl:1:7: expected int64 for 'i', found 1.0");
	expect_error_f("dv2.jsonl", "{\"i\": 9223372036854775808, \"u\": 1, \"d\": 1, \"b\": true, \"l\": [], \"ll\": []}\n", f,
		HFDS_EINVAL, "dv2.jsonl:1:7: expected int64 for 'i', found 9223372036854775808");
	expect_error_f("dv3.jsonl", "{\"i\": 1, \"u\": -1, \"d\": 1, \"b\": true, \"l\": [], \"ll\": []}\n", f, HFDS_EINVAL,
		"dv3.jsonl:1:15: expected uint64 for 'u', found -1");
	expect_error_f("dv4.jsonl", "{\"i\": 1, \"u\": 1, \"d\": 1e400, \"b\": true, \"l\": [], \"ll\": []}\n", f, HFDS_EINVAL,
		"dv4.jsonl:1:23: column 'd': number out of range for float64");
	expect_error_f("dv5.jsonl", "{\"i\": 1, \"u\": 1, \"d\": 1, \"b\": true, \"l\": [1, 128], \"ll\": []}\n", f, HFDS_EINVAL,
		"dv5.jsonl:1:46: expected int8 for 'l', found 128");
	expect_error_f("dv6.jsonl", "{\"i\": 1, \"u\": 1, \"d\": 01, \"b\": true, \"l\": [], \"ll\": []}\n", f, HFDS_EINVAL,
		"dv6.jsonl:1:23: expected float64 for 'd', found 01");
	expect_error_f("dv7.jsonl", "{\"i\": 1, \"u\": 1, \"d\": 1, \"b\": true, \"l\": [], \"ll\": [[\"a\"]] ]}\n", f, HFDS_EPARSE,
		"dv7.jsonl:1:60: expected ',' or '}'");
	expect_error_f("dv8.jsonl", "{\"i\": 1, \"u\": 1, \"d\": 1, \"b\": true, \"l\": [], \"ll\": [[\"a\" \"b\"]]}\n", f, HFDS_EPARSE,
		"dv8.jsonl:1:58: expected ',' or ']'");
	hfds_features_free(f);
}

/* Floats bit for bit as strtod reads them, through the fast path and around its edges:
 * mantissas at 2^53 and 2^53 + 1, 15-20 digits, leading zeros, exponents near +-22 and far
 * beyond, subnormals, -0; seeded random shapes (a deterministic LCG). */
static void floats_exact(void)
{
	enum { N = 6000 };
	static const char *const fixed[] = {"9007199254740992", "9007199254740993", "-9007199254740993e-3",
		"18446744073709551615", "184467440737095516150", "0.000000000000000000000123", "1e22", "1e23", "-1e-22",
		"1e-23", "4.9406564584124654e-324", "2.4703282292062328e-324", "-0", "-0.0e5", "0.1", "0.30000000000000004",
		"123456789012345.6", "1234567890123456.7", "8.98846567431158e307", "1.7976931348623157e308"};
	static char text[N * 48];
	char (*nums)[40] = calloc(N, sizeof(*nums));
	hfds_features *f = hfds_features_new();
	hfds_ingest *r;
	struct ArrowArray a;
	hfds_error err;
	uint64_t x = 42;
	size_t n = 0, nfixed = sizeof(fixed) / sizeof(fixed[0]);
	int64_t row = 0;
	REQUIRE(nums != NULL);
	for (size_t i = 0; i < N; i++) {
		if (i < nfixed) {
			snprintf(nums[i], sizeof(nums[i]), "%s", fixed[i]);
		} else {
			char digits[24];
			int nd, dot, e;
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			nd = 1 + (int)((x >> 33) % 20);
			for (int k = 0; k < nd; k++) {
				x = x * 6364136223846793005ull + 1442695040888963407ull;
				digits[k] = (char)('0' + (x >> 40) % 10);
			}
			if (digits[0] == '0')
				digits[0] = '7';
			digits[nd] = '\0';
			dot = (int)((x >> 20) % (unsigned)(nd + 1));
			e = (int)((x >> 8) % 61) - 30;
			snprintf(nums[i], sizeof(nums[i]), "%s%.*s%s%s%s", (x >> 5) & 1 ? "-" : "", dot ? dot : nd, digits,
				dot && dot < nd ? "." : "", dot && dot < nd ? digits + dot : "", "");
			if ((x >> 3) & 1)
				snprintf(nums[i] + strlen(nums[i]), sizeof(nums[i]) - strlen(nums[i]), "e%d", e);
		}
		n += (size_t)snprintf(text + n, sizeof(text) - n, "{\"v\": %s}\n", nums[i]);
	}
	hfds_features_add(f, "v", hfds_feature_value(HFDS_DTYPE_FLOAT64), NULL);
	hfds_error_init(&err);
	REQUIRE((r = read_first(write_file("floats.jsonl", text), f, &a)) != NULL);
	do {
		const double *v = a.children[0]->buffers[1];
		for (int64_t k = 0; k < a.length; k++, row++) {
			double want = strtod(nums[row], NULL);
			if (memcmp(&v[k], &want, sizeof(want)))
				fprintf(stderr, "%s: %.17g, strtod %.17g\n", nums[row], v[k], want);
			CHECK(!memcmp(&v[k], &want, sizeof(want)));
		}
		a.release(&a);
	} while (hfds_ingest_next(r, &a, &err) == 0);
	CHECK_EQ_INT(row, N);
	hfds_ingest_free(r);
	hfds_features_free(f);
	free(nums);
}

/* Integers read straight from the text (ing_scan_int) and through the general path (19
 * digits, leading zeros, fractions) equal strtoll: seeded random widths 1-19, both signs. */
static void ints_exact(void)
{
	enum { N = 4000 };
	static char text[N * 40];
	char (*nums)[24] = calloc(N, sizeof(*nums));
	hfds_features *f = hfds_features_new();
	hfds_ingest *r;
	struct ArrowArray a;
	hfds_error err;
	uint64_t x = 7;
	size_t n = 0;
	int64_t row = 0;
	REQUIRE(nums != NULL);
	for (size_t i = 0; i < N; i++) {
		int nd, k = 0;
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		nd = 1 + (int)((x >> 33) % 19);
		if ((x >> 5) & 1)
			nums[i][k++] = '-';
		for (int d = 0; d < nd; d++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			nums[i][k++] = (char)('0' + (x >> 40) % 10);
		}
		if (nums[i][k - nd] == '0' && nd > 1)
			nums[i][k - nd] = '1';
		if (nd == 19)
			nums[i][k - nd] = '1'; /* below 2^63 */
		n += (size_t)snprintf(text + n, sizeof(text) - n, "{\"v\": %s}\n", nums[i]);
	}
	hfds_features_add(f, "v", hfds_feature_value(HFDS_DTYPE_INT64), NULL);
	hfds_error_init(&err);
	REQUIRE((r = read_first(write_file("ints.jsonl", text), f, &a)) != NULL);
	do {
		const int64_t *v = a.children[0]->buffers[1];
		for (int64_t k = 0; k < a.length; k++, row++)
			CHECK(v[k] == strtoll(nums[row], NULL, 10));
		a.release(&a);
	} while (hfds_ingest_next(r, &a, &err) == 0);
	CHECK_EQ_INT(row, N);
	hfds_ingest_free(r);
	/* what the scan leaves alone is still the general path's to refuse, with its place */
	expect_error_f("i1.jsonl", "{\"v\": 1}\n{\"v\": 12e3}\n", f, HFDS_EINVAL, "i1.jsonl:2:7: expected int64 for 'v', found 12e3");
	expect_error_f("i2.jsonl", "{\"v\": 007}\n", f, HFDS_EINVAL, "i2.jsonl:1:7: expected int64 for 'v', found 007");
	expect_error_f("i3.jsonl", "{\"v\": -}\n", f, HFDS_EINVAL, "i3.jsonl:1:7: expected int64 for 'v', found -");
	expect_error_f("i4.jsonl", "{\"v\": 1-2}\n", f, HFDS_EINVAL, "i4.jsonl:1:7: expected int64 for 'v', found 1-2");
	hfds_features_free(f);
	free(nums);
}

/*
 * The ring of blocks (threads + 1 slots, each cut again as soon as its batch is out): on
 * 1 to 4 threads, with blocks of ~100 bytes, the batches come out in input order with the
 * same lengths and values; a line over max_line found while later blocks are queued is
 * reported after every row before it, with its own line number.
 */
static void ring_threads(void)
{
	enum { LINES = 500 };
	static char text[LINES * 64 + 8192];
	hfds_features *f = hfds_features_new();
	int64_t lens[4][LINES], nb[4] = {0, 0, 0, 0};
	size_t n = 0;
	char *path;
	const char *longp;
	hfds_features_add(f, "id", hfds_feature_value(HFDS_DTYPE_INT64), NULL);
	hfds_features_add(f, "s", hfds_feature_value(HFDS_DTYPE_STRING), NULL);
	for (int i = 0; i < LINES; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "{\"id\": %d, \"s\": \"%.*s\"}\n", i, i % 23, "abcdefghijklmnopqrstuvwxyz");
	path = strdup(write_bytes("ring.jsonl", text, n)); /* the next write reuses its buffer */
	REQUIRE(path != NULL);
	memset(text + n, 'x', 6000);
	memcpy(text + n, "{\"id\": 1, \"s\": \"", 16);
	longp = write_bytes("ringlong.jsonl", text, n + 6000);
	for (int t = 1; t <= 4; t++) {
		hfds_ingest *r = NULL;
		hfds_ingest_options o;
		struct ArrowArray a;
		hfds_error err;
		int64_t row = 0;
		hfds_error_init(&err);
		hfds_ingest_options_init(&o);
		o.threads = t;
		o.block_bytes = 100;
		REQUIRE(hfds_ingest_open(&r, path, f, &o, &err) == 0);
		while (hfds_ingest_next(r, &a, &err) == 0) {
			const int64_t *id = a.children[0]->buffers[1];
			const int32_t *so = a.children[1]->buffers[1];
			for (int64_t k = 0; k < a.length; k++, row++) {
				CHECK_EQ_INT(id[k], row);
				CHECK_EQ_INT(so[k + 1] - so[k], row % 23);
			}
			if (nb[t - 1] < LINES)
				lens[t - 1][nb[t - 1]++] = a.length;
			a.release(&a);
		}
		CHECK_EQ_INT(err.code, 0);
		CHECK_EQ_INT(row, LINES);
		hfds_ingest_free(r);
		CHECK_EQ_INT(nb[t - 1], nb[0]);
		CHECK(!memcmp(lens[t - 1], lens[0], (size_t)nb[0] * sizeof(int64_t)));
		/* the same lines, then one of 6000 bytes without a newline */
		o.max_line = 4096;
		row = 0;
		hfds_error_init(&err);
		REQUIRE(hfds_ingest_open(&r, longp, f, &o, &err) == 0);
		while (hfds_ingest_next(r, &a, &err) == 0) {
			row += a.length;
			a.release(&a);
		}
		CHECK_EQ_INT(row, LINES);
		CHECK_EQ_INT(err.code, HFDS_ELIMIT);
		CHECK(strstr(err.message, "ringlong.jsonl:501: a line longer than 4096 bytes") != NULL);
		hfds_ingest_free(r);
	}
	CHECK(nb[0] > 100); /* many blocks: the ring wrapped many times */
	hfds_features_free(f);
	free(path);
}

int main(void)
{
	RUN(values);
	RUN(errors);
	RUN(checked_features);
	RUN(direct_rows);
	RUN(direct_values);
	RUN(floats_exact);
	RUN(ints_exact);
	RUN(ring_threads);
	RUN(line_cap);
	RUN(stream);
	RUN(inference);
	TEST_END();
}
