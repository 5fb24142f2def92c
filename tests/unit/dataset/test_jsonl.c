/* JSON Lines -> record batches: values per dtype, ClassLabel names, base64, media paths,
 * nulls, and errors that name the file, line and column. */
#include "test.h"

#include "hfds/arrow.h"
#include "hfds/dataset.h"

static const char *write_file(const char *name, const char *text)
{
	static char path[4200];
	FILE *fp;
	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
	fp = fopen(path, "wb");
	if (!fp)
		return NULL;
	fputs(text, fp);
	fclose(fp);
	return path;
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

static void values(void)
{
	hfds_features *f = features();
	hfds_ds_jsonl *r = NULL;
	struct ArrowArray a;
	hfds_error err;
	const char *path = write_file("ok.jsonl",
		"{\"id\": 1, \"blob\": \"AAEC\", \"ts\": \"2024-01-02T03:04:05.5Z\", \"day\": \"1970-01-03\", \"label\": \"pos\", \"x\": 1.5, \"img\": \"cat.png\"}\n"
		"\n"
		"{\"id\": 2, \"blob\": null, \"ts\": 7, \"day\": 3, \"label\": 0, \"x\": \"NaN\", \"img\": {\"bytes\": \"iVBO\", \"path\": null}}\n"
		"{\"id\": 3}\n");
	hfds_error_init(&err);
	REQUIRE(path);
	REQUIRE(hfds_ds_jsonl_open(&r, path, f, &err) == 0);
	REQUIRE(hfds_ds_jsonl_next(r, &a, 0, 0, &err) == 0);
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
	CHECK_EQ_INT(hfds_ds_jsonl_next(r, &a, 0, 0, &err), HFDS_ITEROVER);
	hfds_ds_jsonl_free(r);
	hfds_features_free(f);
}

static void expect_error(const char *name, const char *text, int code, const char *needle)
{
	hfds_features *f = features();
	hfds_ds_jsonl *r = NULL;
	struct ArrowArray a;
	hfds_error err;
	const char *path = write_file(name, text);
	hfds_error_init(&err);
	REQUIRE(hfds_ds_jsonl_open(&r, path, f, &err) == 0);
	CHECK_EQ_INT(hfds_ds_jsonl_next(r, &a, 0, 0, &err), code);
	if (!strstr(err.message, needle))
		fprintf(stderr, "message: %s (wanted %s)\n", err.message, needle);
	CHECK(strstr(err.message, needle) != NULL);
	hfds_ds_jsonl_free(r);
	hfds_features_free(f);
}

static void errors(void)
{
	expect_error("b1.jsonl", "{\"id\": 1}\n{\"id\": 2, \"label\": \"maybe\"}\n", HFDS_EINVAL, "b1.jsonl:2: column 'label': unknown label 'maybe'");
	expect_error("b2.jsonl", "{\"id\": 1, \"blob\": \"@@@@\"}\n", HFDS_EINVAL, "b2.jsonl:1: column 'blob': invalid base64");
	expect_error("b3.jsonl", "{\"id\": 1}\n{\"id\": \n", HFDS_EPARSE, "b3.jsonl:2:");
	expect_error("b4.jsonl", "{\"id\": 1, \"nope\": 2}\n", HFDS_EINVAL, "b4.jsonl:1: unknown column 'nope'");
	expect_error("b5.jsonl", "{\"id\": \"one\"}\n", HFDS_EINVAL, "b5.jsonl:1: column 'id': expected an integer");
	expect_error("b6.jsonl", "[1, 2]\n", HFDS_EPARSE, "b6.jsonl:1: expected a JSON object");
	expect_error("b7.jsonl", "{\"ts\": \"yesterday\"}\n", HFDS_EINVAL, "column 'ts': expected a timestamp");
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
	REQUIRE(hfds_ds_jsonl_infer(&f, path, 0, &err) == 0);
	REQUIRE(hfds_features_to_json(&json, NULL, f, 0, NULL) == 0);
	CHECK_EQ_STR(json, "{\"a\": {\"dtype\": \"float64\", \"_type\": \"Value\"}, "
		"\"b\": {\"feature\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, \"_type\": \"List\"}, "
		"\"c\": {\"x\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"y\": {\"dtype\": \"bool\", \"_type\": \"Value\"}}, "
		"\"n\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"e\": {\"dtype\": \"string\", \"_type\": \"Value\"}}");
	hfds_free(json);
	hfds_features_free(f);
	f = NULL;
	path = write_file("inf2.jsonl", "{\"a\": [1]}\n{\"a\": [\"x\"]}\n");
	CHECK_EQ_INT(hfds_ds_jsonl_infer(&f, path, 0, &err), HFDS_EPARSE);
	CHECK(strstr(err.message, "inf2.jsonl:2: column 'a': string here but integer") != NULL);
	CHECK(f == NULL);
}

int main(void)
{
	RUN(values);
	RUN(errors);
	RUN(inference);
	TEST_END();
}
