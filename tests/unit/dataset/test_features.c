/* HF features: golden JSON (datasets >= 4 byte-for-byte), parsing, Arrow storage schemas,
 * inference, comparison and the card's YAML form. */
#include "test.h"
#include "hfds/features.h"

static const char *GOLDEN_EXAMPLE =
	"{\"info\": {\"features\": {\"id\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, "
	"\"text\": {\"dtype\": \"string\", \"_type\": \"Value\"}, "
	"\"grid\": {\"shape\": [10, 69], \"dtype\": \"int8\", \"_type\": \"Array2D\"}, "
	"\"tokens\": {\"feature\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"_type\": \"List\"}, "
	"\"label\": {\"names\": [\"neg\", \"pos\"], \"_type\": \"ClassLabel\"}, "
	"\"audio\": {\"sampling_rate\": 44100, \"_type\": \"Audio\"}, \"image\": {\"_type\": \"Image\"}, "
	"\"blob\": {\"dtype\": \"binary\", \"_type\": \"Value\"}}}}";

static const char *GOLDEN_CHESS =
	"{\"info\": {\"features\": {\"window\": {\"shape\": [10, 69], \"dtype\": \"int8\", \"_type\": \"Array2D\"}, "
	"\"scalars\": {\"feature\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"length\": 3, \"_type\": \"List\"}}}}";

static const char *GOLDEN_CHESS_SEQ =
	"{\"info\": {\"features\": {\"window\": {\"shape\": [10, 69], \"dtype\": \"int8\", \"_type\": \"Array2D\"}, "
	"\"scalars\": {\"feature\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"length\": 3, \"_type\": \"Sequence\"}}}}";

static const char *GOLDEN_SOUSA =
	"{\"info\": {\"features\": {\"speaker\": {\"dtype\": \"string\", \"_type\": \"Value\"}, "
	"\"transcript\": {\"dtype\": \"string\", \"_type\": \"Value\"}, "
	"\"n_words\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, "
	"\"score\": {\"dtype\": \"float64\", \"_type\": \"Value\"}, "
	"\"label\": {\"names\": [\"negative\", \"neutral\", \"positive\"], \"_type\": \"ClassLabel\"}, "
	"\"raw\": {\"dtype\": \"binary\", \"_type\": \"Value\"}, "
	"\"audio\": {\"sampling_rate\": 16000, \"_type\": \"Audio\"}}}}";

static hfds_features *example(void)
{
	hfds_features *f = hfds_features_new();
	const char *names[] = {"neg", "pos"};
	hfds_features_add(f, "id", hfds_feature_value(HFDS_DTYPE_INT8), NULL);
	hfds_features_add(f, "text", hfds_feature_value(HFDS_DTYPE_STRING), NULL);
	hfds_features_add(f, "grid", hfds_feature_array(2, (int64_t[]){10, 69}, HFDS_DTYPE_INT8), NULL);
	hfds_features_add(f, "tokens", hfds_feature_list(hfds_feature_value(HFDS_DTYPE_STRING), -1), NULL);
	hfds_features_add(f, "label", hfds_feature_class_label(names, 2), NULL);
	hfds_features_add(f, "audio", hfds_feature_audio(44100), NULL);
	hfds_features_add(f, "image", hfds_feature_image(NULL), NULL);
	hfds_features_add(f, "blob", hfds_feature_value(HFDS_DTYPE_BINARY), NULL);
	return f;
}

static hfds_features *chess(void)
{
	hfds_features *f = hfds_features_new();
	hfds_features_add(f, "window", hfds_feature_array(2, (int64_t[]){10, 69}, HFDS_DTYPE_INT8), NULL);
	hfds_features_add(f, "scalars", hfds_feature_list(hfds_feature_value(HFDS_DTYPE_INT8), 3), NULL);
	return f;
}

static hfds_features *sousa(void)
{
	hfds_features *f = hfds_features_new();
	const char *names[] = {"negative", "neutral", "positive"};
	hfds_features_add(f, "speaker", hfds_feature_value(HFDS_DTYPE_STRING), NULL);
	hfds_features_add(f, "transcript", hfds_feature_value(HFDS_DTYPE_STRING), NULL);
	hfds_features_add(f, "n_words", hfds_feature_value(HFDS_DTYPE_INT64), NULL);
	hfds_features_add(f, "score", hfds_feature_value(HFDS_DTYPE_FLOAT64), NULL);
	hfds_features_add(f, "label", hfds_feature_class_label(names, 3), NULL);
	hfds_features_add(f, "raw", hfds_feature_value(HFDS_DTYPE_BINARY), NULL);
	hfds_features_add(f, "audio", hfds_feature_audio(16000), NULL);
	return f;
}

static void check_hf(hfds_features *f, unsigned flags, const char *want)
{
	char *s = NULL;
	size_t len = 0;
	REQUIRE(f);
	REQUIRE(hfds_features_hf_metadata(&s, &len, f, flags, NULL) == 0);
	CHECK_EQ_STR(s, want);
	CHECK_EQ_INT(len, strlen(want));
	hfds_free(s);
}

static void test_golden_json(void)
{
	hfds_features *f = example();
	check_hf(f, 0, GOLDEN_EXAMPLE);
	hfds_features_free(f);
	f = chess();
	check_hf(f, 0, GOLDEN_CHESS);
	check_hf(f, HFDS_FEATURES_SEQUENCE, GOLDEN_CHESS_SEQ);
	hfds_features_free(f);
	f = sousa();
	check_hf(f, 0, GOLDEN_SOUSA);
	hfds_features_free(f);
}

static void roundtrip(const char *hf)
{
	hfds_features *f = NULL;
	hfds_error err;
	hfds_error_init(&err);
	REQUIRE(hfds_features_parse_hf_metadata(&f, hf, strlen(hf), &err) == 0);
	check_hf(f, 0, hf);
	hfds_features_free(f);
}

static void test_parse_print_roundtrip(void)
{
	roundtrip(GOLDEN_EXAMPLE);
	roundtrip(GOLDEN_CHESS);
	roundtrip(GOLDEN_SOUSA);
	/* every dtype, nesting, media options, None first dimension, non-ASCII names */
	roundtrip("{\"info\": {\"features\": {"
		"\"b\": {\"dtype\": \"bool\", \"_type\": \"Value\"}, \"u64\": {\"dtype\": \"uint64\", \"_type\": \"Value\"}, "
		"\"h\": {\"dtype\": \"float16\", \"_type\": \"Value\"}, \"f\": {\"dtype\": \"float32\", \"_type\": \"Value\"}, "
		"\"ls\": {\"dtype\": \"large_string\", \"_type\": \"Value\"}, \"lb\": {\"dtype\": \"large_binary\", \"_type\": \"Value\"}, "
		"\"d\": {\"dtype\": \"date32\", \"_type\": \"Value\"}, \"ts\": {\"dtype\": \"timestamp[s]\", \"_type\": \"Value\"}, "
		"\"tz\": {\"dtype\": \"timestamp[ns, tz=Europe/Paris]\", \"_type\": \"Value\"}, \"n\": {\"dtype\": \"null\", \"_type\": \"Value\"}, "
		"\"caf\\u00e9 \\ud83d\\ude00\": {\"dtype\": \"string\", \"_type\": \"Value\"}, "
		"\"nested\": {\"a\": {\"feature\": {\"feature\": {\"dtype\": \"int32\", \"_type\": \"Value\"}, \"_type\": \"LargeList\"}, \"_type\": \"List\"}, "
		"\"b\": {\"x\": {\"dtype\": \"uint8\", \"_type\": \"Value\"}}}, "
		"\"vid\": {\"shape\": [null, 3, 4], \"dtype\": \"uint8\", \"_type\": \"Array3D\"}, "
		"\"a5\": {\"shape\": [1, 2, 3, 4, 5], \"dtype\": \"float32\", \"_type\": \"Array5D\"}, "
		"\"img\": {\"mode\": \"RGB\", \"decode\": false, \"_type\": \"Image\"}, "
		"\"au\": {\"decode\": false, \"_type\": \"Audio\"}, \"v\": {\"_type\": \"Video\"}, \"p\": {\"_type\": \"Pdf\"}, "
		"\"tr\": {\"languages\": [\"de\", \"en\", \"fr\"], \"_type\": \"Translation\"}, \"j\": {\"_type\": \"Json\"}, "
		"\"lod\": {\"feature\": {\"k\": {\"dtype\": \"string\", \"_type\": \"Value\"}}, \"_type\": \"List\"}}}}");
}

static void test_parse_forms(void)
{
	hfds_features *f = NULL;
	char *s = NULL;
	hfds_error err;
	/* defaults written out, float alias, old Sequence, legacy list form, Sequence of dict */
	const char *in = "{\"a\": {\"dtype\": \"float\", \"id\": null, \"_type\": \"Value\"}, "
		"\"b\": {\"feature\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, \"length\": -1, \"_type\": \"Sequence\"}, "
		"\"c\": [{\"dtype\": \"string\", \"_type\": \"Value\"}], "
		"\"d\": {\"feature\": {\"x\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"y\": {\"dtype\": \"string\", \"_type\": \"Value\"}}, \"length\": 2, \"_type\": \"Sequence\"}, "
		"\"e\": {\"sampling_rate\": null, \"decode\": true, \"num_channels\": null, \"_type\": \"Audio\"}, "
		"\"f\": {\"num_classes\": 3, \"_type\": \"ClassLabel\"}, "
		"\"g\": {\"dtype\": \"double\", \"_type\": \"Value\"}}";
	hfds_error_init(&err);
	REQUIRE(hfds_features_parse_json(&f, in, strlen(in), &err) == 0);
	REQUIRE(hfds_features_to_json(&s, NULL, f, 0, NULL) == 0);
	CHECK_EQ_STR(s, "{\"a\": {\"dtype\": \"float32\", \"_type\": \"Value\"}, "
		"\"b\": {\"feature\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, \"_type\": \"List\"}, "
		"\"c\": {\"feature\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"_type\": \"List\"}, "
		"\"d\": {\"x\": {\"feature\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"length\": 2, \"_type\": \"List\"}, "
		"\"y\": {\"feature\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"length\": 2, \"_type\": \"List\"}}, "
		"\"e\": {\"_type\": \"Audio\"}, \"f\": {\"names\": [\"0\", \"1\", \"2\"], \"_type\": \"ClassLabel\"}, "
		"\"g\": {\"dtype\": \"float64\", \"_type\": \"Value\"}}");
	hfds_free(s);
	/* accessors */
	const hfds_feature *d = hfds_features_find(f, "d");
	REQUIRE(d);
	CHECK_EQ_INT(hfds_feature_get_kind(d), HFDS_FEATURE_STRUCT);
	CHECK_EQ_INT(hfds_feature_count(d), 2);
	CHECK_EQ_STR(hfds_feature_name_at(d, 1), "y");
	CHECK_EQ_INT(hfds_feature_length(hfds_feature_child_at(d, 0)), 2);
	CHECK_EQ_STR(hfds_feature_type_name(hfds_features_at(f, 0)), "Value");
	CHECK_EQ_INT(hfds_feature_dtype(hfds_features_at(f, 0)), HFDS_DTYPE_FLOAT32);
	/* Sequence output of a list of dicts uses the legacy [dict] form */
	hfds_features_free(f);
	in = "{\"l\": {\"feature\": {\"k\": {\"dtype\": \"string\", \"_type\": \"Value\"}}, \"_type\": \"List\"}, "
		"\"m\": {\"feature\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"_type\": \"LargeList\"}}";
	REQUIRE(hfds_features_parse_json(&f, in, strlen(in), NULL) == 0);
	REQUIRE(hfds_features_to_json(&s, NULL, f, HFDS_FEATURES_SEQUENCE, NULL) == 0);
	CHECK_EQ_STR(s, "{\"l\": [{\"k\": {\"dtype\": \"string\", \"_type\": \"Value\"}}], "
		"\"m\": {\"feature\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"_type\": \"LargeList\"}}");
	hfds_free(s);
	hfds_features_free(f);
}

static void expect_error(const char *json, int code, const char *msg)
{
	hfds_features *f = NULL;
	hfds_error err;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_features_parse_json(&f, json, strlen(json), &err), code);
	CHECK(f == NULL);
	CHECK_EQ_STR(err.message, msg);
}

static void test_parse_errors(void)
{
	expect_error("{\"a\": {\"dtype\": \"int8\", \"_type\": \"Value\"", HFDS_EPARSE,
		"features: invalid JSON at line 1, column 40: '}' expected near end of file");
	expect_error("{\"a\": {\"b\": {\"_type\": \"Foo\"}}}", HFDS_EPARSE,
		"features.a.b._type: unknown feature type 'Foo'");
	expect_error("{\"g\": {\"shape\": [10], \"dtype\": \"int8\", \"_type\": \"Array2D\"}}", HFDS_EPARSE,
		"features.g.shape: Array2D needs 2 dimensions, found 1");
	expect_error("{\"g\": {\"shape\": [10, null], \"dtype\": \"int8\", \"_type\": \"Array2D\"}}", HFDS_EPARSE,
		"features.g.shape[1]: expected a non-negative integer, found null");
	expect_error("{\"v\": {\"_type\": \"Value\"}}", HFDS_EPARSE, "features.v: missing \"dtype\"");
	expect_error("{\"v\": {\"dtype\": 8, \"_type\": \"Value\"}}", HFDS_EPARSE,
		"features.v.dtype: expected a string, found an integer");
	expect_error("{\"v\": {\"dtype\": \"int9\", \"_type\": \"Value\"}}", HFDS_EPARSE,
		"features.v.dtype: unknown dtype 'int9'");
	expect_error("{\"v\": {\"dtype\": \"decimal128(10, 2)\", \"_type\": \"Value\"}}", HFDS_EUNSUPPORTED,
		"features.v.dtype: dtype 'decimal128(10, 2)' is not supported by hfds");
	expect_error("{\"l\": {\"_type\": \"List\"}}", HFDS_EPARSE, "features.l: missing \"feature\"");
	expect_error("[1]", HFDS_EPARSE, "features: expected an object, found an array");
	expect_error("{\"c\": {\"names\": [\"a\", 3], \"_type\": \"ClassLabel\"}}", HFDS_EPARSE,
		"features.c.names[1]: expected a string, found an integer");
	/* datasets refuses repeated label names; so do we (issue 16 item 20) */
	expect_error("{\"c\": {\"names\": [\"b\", \"a\", \"b\"], \"_type\": \"ClassLabel\"}}", HFDS_EPARSE,
		"features.c.names: the name 'b' appears more than once");
	/* nesting limit */
	char deep[2000] = "{\"x\": ";
	for (int i = 0; i < 80; i++)
		strcat(deep, "[");
	strcat(deep, "{\"dtype\": \"int8\", \"_type\": \"Value\"}");
	for (int i = 0; i < 80; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	hfds_features *f = NULL;
	CHECK_EQ_INT(hfds_features_parse_json(&f, deep, strlen(deep), NULL), HFDS_ELIMIT);
	/* hf metadata without features */
	CHECK_EQ_INT(hfds_features_parse_hf_metadata(&f, "{\"info\": {}}", 12, NULL), HFDS_ENOTFOUND);
}

static void test_arrow_storage(void)
{
	hfds_features *f = example();
	struct ArrowSchema s;
	hfds_arrow_kv_view kv;
	REQUIRE(hfds_features_to_arrow_schema(&s, f, HFDS_FEATURES_ARROW_HF_METADATA, NULL) == 0);
	CHECK_EQ_STR(s.format, "+s");
	CHECK_EQ_INT(s.flags, 0);
	CHECK_EQ_INT(s.n_children, 8);
	REQUIRE(hfds_arrow_metadata_find(s.metadata, "huggingface", &kv));
	CHECK_EQ_INT(kv.value_len, strlen(GOLDEN_EXAMPLE));
	CHECK(memcmp(kv.value, GOLDEN_EXAMPLE, strlen(GOLDEN_EXAMPLE)) == 0);
	const char *fmts[] = {"c", "u", "+l", "+l", "l", "+s", "+s", "z"};
	for (int i = 0; i < 8; i++) {
		CHECK_EQ_STR(s.children[i]->format, fmts[i]);
		CHECK_EQ_INT(s.children[i]->flags, ARROW_FLAG_NULLABLE);
	}
	const struct ArrowSchema *g = s.children[2];
	CHECK_EQ_STR(g->children[0]->format, "+l");
	CHECK_EQ_STR(g->children[0]->children[0]->format, "c");
	CHECK_EQ_INT(g->children[0]->children[0]->flags, ARROW_FLAG_NULLABLE);
	REQUIRE(hfds_arrow_metadata_find(g->metadata, "ARROW:extension:name", &kv));
	CHECK(kv.value_len == 47 && memcmp(kv.value, "datasets.features.features.Array2DExtensionType", 47) == 0);
	REQUIRE(hfds_arrow_metadata_find(g->metadata, "ARROW:extension:metadata", &kv));
	CHECK(kv.value_len == 18 && memcmp(kv.value, "[[10, 69], \"int8\"]", 18) == 0);
	CHECK_EQ_STR(s.children[3]->children[0]->name, "item");
	CHECK_EQ_STR(s.children[5]->children[0]->name, "bytes");
	CHECK_EQ_STR(s.children[5]->children[0]->format, "z");
	CHECK_EQ_STR(s.children[5]->children[1]->name, "path");
	CHECK_EQ_STR(s.children[5]->children[1]->format, "u");

	/* from_arrow_schema: metadata features are kept when the storage matches */
	hfds_features *back = NULL;
	hfds_error err;
	hfds_error_init(&err);
	REQUIRE(hfds_features_from_arrow_schema(&back, &s, &err) == 0);
	CHECK_EQ_INT(hfds_features_compare(f, back, &err), 0);
	hfds_features_free(back);
	/* a column whose storage differs is inferred; the ClassLabel becomes int32 */
	hfds_arrow_schema_set_format(s.children[4], "i", NULL);
	/* and without the extension, grid becomes List(List(int8)) */
	hfds_arrow_schema_set_metadata(s.children[2], NULL, NULL);
	REQUIRE(hfds_features_from_arrow_schema(&back, &s, NULL) == 0);
	char *txt = NULL;
	REQUIRE(hfds_features_to_json(&txt, NULL, back, 0, NULL) == 0);
	CHECK_EQ_STR(txt, "{\"id\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"text\": {\"dtype\": \"string\", \"_type\": \"Value\"}, "
		"\"grid\": {\"feature\": {\"feature\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"_type\": \"List\"}, \"_type\": \"List\"}, "
		"\"tokens\": {\"feature\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"_type\": \"List\"}, "
		"\"label\": {\"dtype\": \"int32\", \"_type\": \"Value\"}, \"audio\": {\"sampling_rate\": 44100, \"_type\": \"Audio\"}, "
		"\"image\": {\"_type\": \"Image\"}, \"blob\": {\"dtype\": \"binary\", \"_type\": \"Value\"}}");
	hfds_free(txt);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_features_compare(f, back, &err), HFDS_ECONFLICT);
	CHECK_EQ_STR(err.message, "column 'grid': {\"shape\": [10, 69], \"dtype\": \"int8\", \"_type\": \"Array2D\"} vs "
		"{\"feature\": {\"feature\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"_type\": \"List\"}, \"_type\": \"List\"}");
	hfds_features_free(back);
	hfds_arrow_schema_release(&s);

	/* inference without metadata */
	REQUIRE(hfds_features_to_arrow_schema(&s, f, 0, NULL) == 0);
	CHECK(s.metadata == NULL);
	REQUIRE(hfds_features_infer(&back, &s, NULL) == 0);
	REQUIRE(hfds_features_to_json(&txt, NULL, back, 0, NULL) == 0);
	CHECK_EQ_STR(txt, "{\"id\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"text\": {\"dtype\": \"string\", \"_type\": \"Value\"}, "
		"\"grid\": {\"shape\": [10, 69], \"dtype\": \"int8\", \"_type\": \"Array2D\"}, "
		"\"tokens\": {\"feature\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"_type\": \"List\"}, "
		"\"label\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, "
		"\"audio\": {\"bytes\": {\"dtype\": \"binary\", \"_type\": \"Value\"}, \"path\": {\"dtype\": \"string\", \"_type\": \"Value\"}}, "
		"\"image\": {\"bytes\": {\"dtype\": \"binary\", \"_type\": \"Value\"}, \"path\": {\"dtype\": \"string\", \"_type\": \"Value\"}}, "
		"\"blob\": {\"dtype\": \"binary\", \"_type\": \"Value\"}}");
	hfds_free(txt);
	hfds_features_free(back);
	hfds_arrow_schema_release(&s);
	hfds_features_free(f);

	/* chesspos: fixed_size_list for scalars */
	f = chess();
	REQUIRE(hfds_features_to_arrow_schema(&s, f, 0, NULL) == 0);
	CHECK_EQ_STR(s.children[1]->format, "+w:3");
	CHECK_EQ_STR(s.children[1]->children[0]->format, "c");
	REQUIRE(hfds_features_infer(&back, &s, NULL) == 0);
	CHECK(hfds_features_equal(f, back));
	hfds_features_free(back);
	hfds_arrow_schema_release(&s);
	hfds_features_free(f);

	/* timestamps and unsupported types */
	struct ArrowSchema t;
	hfds_arrow_schema_init(&t, "+s", "", 0, NULL);
	hfds_arrow_schema_alloc_children(&t, 2, NULL);
	hfds_arrow_schema_init_nullable(t.children[0], "tsm:UTC", "when", NULL);
	hfds_arrow_schema_init_nullable(t.children[1], "e", "half", NULL);
	REQUIRE(hfds_features_infer(&back, &t, NULL) == 0);
	CHECK_EQ_STR(hfds_feature_dtype_name(hfds_features_at(back, 0)), "timestamp[ms, tz=UTC]");
	CHECK_EQ_STR(hfds_feature_dtype_name(hfds_features_at(back, 1)), "float16");
	hfds_features_free(back);
	hfds_arrow_schema_set_format(t.children[1], "w:16", NULL);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_features_infer(&back, &t, &err), HFDS_EUNSUPPORTED);
	CHECK_EQ_STR(err.message, "column 'half': Arrow type fixed_size_binary[16] has no datasets equivalent");
	hfds_arrow_schema_release(&t);
}

static void test_compare(void)
{
	hfds_features *a = sousa(), *b = sousa(), *c = NULL;
	hfds_error err;
	CHECK_EQ_INT(hfds_features_compare(a, b, NULL), 0);
	CHECK(hfds_features_equal(a, b));
	hfds_features_add(b, "extra", hfds_feature_value(HFDS_DTYPE_BOOL), NULL);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_features_compare(a, b, &err), HFDS_ECONFLICT);
	CHECK_EQ_STR(err.message, "column 'extra' is missing from the first");
	hfds_features_free(b);
	const char *in = "{\"speaker\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"transcript\": {\"dtype\": \"string\", \"_type\": \"Value\"}, "
		"\"n_words\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, \"score\": {\"dtype\": \"float64\", \"_type\": \"Value\"}, "
		"\"label\": {\"names\": [\"negative\", \"positive\"], \"_type\": \"ClassLabel\"}, \"raw\": {\"dtype\": \"binary\", \"_type\": \"Value\"}, "
		"\"audio\": {\"sampling_rate\": 16000, \"_type\": \"Audio\"}}";
	REQUIRE(hfds_features_parse_json(&c, in, strlen(in), NULL) == 0);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_features_compare(a, c, &err), HFDS_ECONFLICT);
	CHECK_EQ_STR(err.message, "column 'label': {\"names\": [\"negative\", \"neutral\", \"positive\"], \"_type\": \"ClassLabel\"} "
		"vs {\"names\": [\"negative\", \"positive\"], \"_type\": \"ClassLabel\"}");
	hfds_features_free(c);
	/* struct field order matters */
	b = hfds_features_new();
	c = hfds_features_new();
	hfds_feature *s1 = hfds_feature_struct(), *s2 = hfds_feature_struct();
	hfds_feature_struct_add(s1, "x", hfds_feature_value(HFDS_DTYPE_INT8), NULL);
	hfds_feature_struct_add(s1, "y", hfds_feature_value(HFDS_DTYPE_INT8), NULL);
	hfds_feature_struct_add(s2, "y", hfds_feature_value(HFDS_DTYPE_INT8), NULL);
	hfds_feature_struct_add(s2, "x", hfds_feature_value(HFDS_DTYPE_INT8), NULL);
	CHECK_EQ_INT(hfds_feature_struct_add(s2, "x", hfds_feature_value(HFDS_DTYPE_INT8), NULL), HFDS_EEXISTS);
	hfds_features_add(b, "s", s1, NULL);
	hfds_features_add(c, "s", s2, NULL);
	CHECK(!hfds_features_equal(b, c));
	/* copies are equal and independent */
	hfds_features *d = NULL;
	REQUIRE(hfds_features_copy(&d, b, NULL) == 0);
	hfds_features_free(b);
	CHECK_EQ_INT(hfds_features_count(d), 1);
	CHECK_EQ_STR(hfds_feature_name_at(hfds_features_at(d, 0), 1), "y");
	hfds_features_free(c);
	hfds_features_free(d);
	hfds_features_free(a);
}

/* A compact JSON-like rendering of an fnode tree, strings quoted, for golden checks. */
static void render(const hfds_fnode *n, char *out, size_t size)
{
	size_t len = strlen(out);
	switch (n->kind) {
	case HFDS_FNODE_MAP:
		snprintf(out + len, size - len, "{");
		for (size_t i = 0; i < n->count; i++) {
			len = strlen(out);
			snprintf(out + len, size - len, "%s%s: ", i ? ", " : "", n->keys[i]);
			render(n->items[i], out, size);
		}
		len = strlen(out);
		snprintf(out + len, size - len, "}");
		break;
	case HFDS_FNODE_SEQ:
		snprintf(out + len, size - len, "[");
		for (size_t i = 0; i < n->count; i++) {
			len = strlen(out);
			snprintf(out + len, size - len, "%s", i ? ", " : "");
			render(n->items[i], out, size);
		}
		len = strlen(out);
		snprintf(out + len, size - len, "]");
		break;
	case HFDS_FNODE_STR:
		snprintf(out + len, size - len, "'%s'", n->str);
		break;
	default:
		snprintf(out + len, size - len, "%s", n->str);
		break;
	}
}

static void test_yaml(void)
{
	hfds_features *f = example(), *back = NULL;
	hfds_fnode *y = NULL;
	char out[4096] = "";
	hfds_error err;
	REQUIRE(hfds_features_to_yaml(&y, f, 0, NULL) == 0);
	render(y, out, sizeof(out));
	CHECK_EQ_STR(out, "[{name: 'id', dtype: 'int8'}, {name: 'text', dtype: 'string'}, "
		"{name: 'grid', dtype: {array2_d: {shape: [10, 69], dtype: 'int8'}}}, {name: 'tokens', list: 'string'}, "
		"{name: 'label', dtype: {class_label: {names: {0: 'neg', 1: 'pos'}}}}, "
		"{name: 'audio', dtype: {audio: {sampling_rate: 44100}}}, {name: 'image', dtype: 'image'}, "
		"{name: 'blob', dtype: 'binary'}]");
	hfds_error_init(&err);
	REQUIRE(hfds_features_from_yaml(&back, y, &err) == 0);
	CHECK_EQ_INT(hfds_features_compare(f, back, &err), 0);
	hfds_features_free(back);
	hfds_fnode_free(y);
	hfds_features_free(f);

	f = chess();
	REQUIRE(hfds_features_to_yaml(&y, f, 0, NULL) == 0);
	out[0] = 0;
	render(y, out, sizeof(out));
	CHECK_EQ_STR(out, "[{name: 'window', dtype: {array2_d: {shape: [10, 69], dtype: 'int8'}}}, "
		"{name: 'scalars', list: 'int8', length: 3}]");
	REQUIRE(hfds_features_from_yaml(&back, y, NULL) == 0);
	CHECK(hfds_features_equal(f, back));
	hfds_features_free(back);
	hfds_fnode_free(y);
	REQUIRE(hfds_features_to_yaml(&y, f, HFDS_FEATURES_SEQUENCE, NULL) == 0);
	out[0] = 0;
	render(y, out, sizeof(out));
	CHECK_EQ_STR(out, "[{name: 'window', dtype: {array2_d: {shape: [10, 69], dtype: 'int8'}}}, "
		"{name: 'scalars', sequence: 'int8', length: 3}]");
	REQUIRE(hfds_features_from_yaml(&back, y, NULL) == 0);
	CHECK(hfds_features_equal(f, back));
	hfds_features_free(back);
	hfds_fnode_free(y);
	hfds_features_free(f);

	/* nested lists and lists of structs */
	const char *in = "{\"ll\": {\"feature\": {\"feature\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"_type\": \"List\"}, \"_type\": \"List\"}, "
		"\"ls\": {\"feature\": {\"a\": {\"dtype\": \"int32\", \"_type\": \"Value\"}, \"b\": {\"dtype\": \"string\", \"_type\": \"Value\"}}, \"_type\": \"List\"}, "
		"\"lc\": {\"feature\": {\"names\": [\"x\"], \"_type\": \"ClassLabel\"}, \"_type\": \"LargeList\"}, "
		"\"la\": {\"feature\": {\"sampling_rate\": 16000, \"_type\": \"Audio\"}, \"_type\": \"List\"}, "
		"\"st\": {\"p\": {\"dtype\": \"bool\", \"_type\": \"Value\"}}}";
	REQUIRE(hfds_features_parse_json(&f, in, strlen(in), NULL) == 0);
	REQUIRE(hfds_features_to_yaml(&y, f, 0, NULL) == 0);
	out[0] = 0;
	render(y, out, sizeof(out));
	CHECK_EQ_STR(out, "[{name: 'll', list: {list: 'string'}}, "
		"{name: 'ls', list: [{name: 'a', dtype: 'int32'}, {name: 'b', dtype: 'string'}]}, "
		"{name: 'lc', large_list: {class_label: {names: {0: 'x'}}}}, "
		"{name: 'la', list: {audio: {sampling_rate: 16000}}}, "
		"{name: 'st', struct: [{name: 'p', dtype: 'bool'}]}]");
	REQUIRE(hfds_features_from_yaml(&back, y, NULL) == 0);
	CHECK_EQ_INT(hfds_features_compare(f, back, NULL), 0);
	hfds_features_free(back);
	hfds_fnode_free(y);
	hfds_features_free(f);
}

static void test_yaml_from_parser_tree(void)
{
	/* what a YAML parser gives: plain scalars, string keys '0'/'1', a plain 16000 */
	hfds_fnode *list = hfds_fnode_seq(), *col, *dt, *cl, *names, *au;
	hfds_features *f = NULL;
	hfds_error err;
	col = hfds_fnode_map();
	hfds_fnode_push(col, "name", hfds_fnode_scalar(HFDS_FNODE_STR, "label", 1), NULL);
	dt = hfds_fnode_map();
	cl = hfds_fnode_map();
	names = hfds_fnode_map();
	hfds_fnode_push(names, "1", hfds_fnode_scalar(HFDS_FNODE_STR, "pos", 1), NULL);
	hfds_fnode_push(names, "0", hfds_fnode_scalar(HFDS_FNODE_STR, "neg", 1), NULL);
	hfds_fnode_push(cl, "names", names, NULL);
	hfds_fnode_push(dt, "class_label", cl, NULL);
	hfds_fnode_push(col, "dtype", dt, NULL);
	hfds_fnode_push(list, NULL, col, NULL);
	col = hfds_fnode_map();
	hfds_fnode_push(col, "name", hfds_fnode_scalar(HFDS_FNODE_STR, "a", 1), NULL);
	dt = hfds_fnode_map();
	au = hfds_fnode_map();
	hfds_fnode_push(au, "sampling_rate", hfds_fnode_scalar(HFDS_FNODE_STR, "16000", 1), NULL);
	hfds_fnode_push(dt, "audio", au, NULL);
	hfds_fnode_push(col, "dtype", dt, NULL);
	hfds_fnode_push(list, NULL, col, NULL);
	CHECK(hfds_fnode_get(col, "name") != NULL);
	hfds_error_init(&err);
	REQUIRE(hfds_features_from_yaml(&f, list, &err) == 0);
	char *s = NULL;
	REQUIRE(hfds_features_to_json(&s, NULL, f, 0, NULL) == 0);
	CHECK_EQ_STR(s, "{\"label\": {\"names\": [\"neg\", \"pos\"], \"_type\": \"ClassLabel\"}, "
		"\"a\": {\"sampling_rate\": 16000, \"_type\": \"Audio\"}}");
	hfds_free(s);
	hfds_features_free(f);
	/* a gap in the label ids */
	hfds_fnode_push(names, "3", hfds_fnode_scalar(HFDS_FNODE_STR, "x", 1), NULL);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_features_from_yaml(&f, list, &err), HFDS_EPARSE);
	CHECK_EQ_STR(err.message, "features.label.class_label.names: expected label ids 0..2, id 2 is missing");
	hfds_fnode_free(list);
	/* old cards: `sequence: [fields]` is a dict of lists */
	list = hfds_fnode_seq();
	col = hfds_fnode_map();
	hfds_fnode *fields = hfds_fnode_seq(), *fld = hfds_fnode_map();
	hfds_fnode_push(fld, "name", hfds_fnode_scalar(HFDS_FNODE_STR, "a", 1), NULL);
	hfds_fnode_push(fld, "dtype", hfds_fnode_scalar(HFDS_FNODE_STR, "int8", 1), NULL);
	hfds_fnode_push(fields, NULL, fld, NULL);
	hfds_fnode_push(col, "name", hfds_fnode_scalar(HFDS_FNODE_STR, "s", 1), NULL);
	hfds_fnode_push(col, "sequence", fields, NULL);
	hfds_fnode_push(col, "length", hfds_fnode_scalar(HFDS_FNODE_STR, "4", 1), NULL);
	hfds_fnode_push(list, NULL, col, NULL);
	hfds_error_init(&err);
	REQUIRE(hfds_features_from_yaml(&f, list, &err) == 0);
	REQUIRE(hfds_features_to_json(&s, NULL, f, 0, NULL) == 0);
	CHECK_EQ_STR(s, "{\"s\": {\"a\": {\"feature\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"length\": 4, \"_type\": \"List\"}}}");
	hfds_free(s);
	hfds_features_free(f);
	hfds_fnode_free(list);
	/* unknown type */
	list = hfds_fnode_seq();
	col = hfds_fnode_map();
	hfds_fnode_push(col, "name", hfds_fnode_scalar(HFDS_FNODE_STR, "z", 1), NULL);
	hfds_fnode_push(col, "dtype", hfds_fnode_scalar(HFDS_FNODE_STR, "foo_bar", 1), NULL);
	hfds_fnode_push(list, NULL, col, NULL);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_features_from_yaml(&f, list, &err), HFDS_EPARSE);
	CHECK_EQ_STR(err.message, "features.z._type: unknown feature type 'FooBar'");
	hfds_fnode_free(list);
}

static void test_constructor_misuse(void)
{
	CHECK(hfds_feature_list(NULL, -1) == NULL);
	CHECK(hfds_feature_array(1, (int64_t[]){3}, HFDS_DTYPE_INT8) == NULL);
	CHECK(hfds_feature_array(2, (int64_t[]){3, -1}, HFDS_DTYPE_INT8) == NULL);
	CHECK(hfds_feature_value(HFDS_DTYPE_TIMESTAMP) == NULL);
	hfds_features *f = hfds_features_new();
	hfds_error err;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_features_add(f, "x", NULL, &err), HFDS_ENOMEM);
	hfds_features_add(f, "x", hfds_feature_value(HFDS_DTYPE_INT8), NULL);
	CHECK_EQ_INT(hfds_features_add(f, "x", hfds_feature_value(HFDS_DTYPE_INT8), NULL), HFDS_EEXISTS);
	hfds_feature *v = NULL;
	CHECK_EQ_INT(hfds_feature_value_parse(&v, "timestamp[us, tz=UTC]", NULL), 0);
	CHECK_EQ_INT(hfds_feature_time_unit(v), HFDS_ARROW_MICRO);
	CHECK_EQ_STR(hfds_feature_timezone(v), "UTC");
	hfds_features_add(f, "t", v, NULL);
	CHECK_EQ_INT(hfds_feature_value_parse(&v, "timestamp[xs]", NULL), HFDS_EPARSE);
	hfds_feature *tr = hfds_feature_translation((const char *[]){"fr", "en"}, 2);
	CHECK_EQ_STR(hfds_feature_name_at(tr, 0), "en");
	hfds_features_add(f, "tr", tr, NULL);
	char *s = NULL;
	REQUIRE(hfds_features_to_json(&s, NULL, f, 0, NULL) == 0);
	CHECK_EQ_STR(s, "{\"x\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"t\": {\"dtype\": \"timestamp[us, tz=UTC]\", \"_type\": \"Value\"}, "
		"\"tr\": {\"languages\": [\"en\", \"fr\"], \"_type\": \"Translation\"}}");
	hfds_free(s);
	struct ArrowSchema sc;
	REQUIRE(hfds_features_to_arrow_schema(&sc, f, 0, NULL) == 0);
	CHECK_EQ_STR(sc.children[1]->format, "tsu:UTC");
	CHECK_EQ_STR(sc.children[2]->children[0]->name, "en");
	hfds_arrow_schema_release(&sc);
	hfds_features_free(f);
}

/* Python's own json.dumps must reproduce our bytes exactly (separators, ensure_ascii,
 * escapes); python3 is an independent judge here. */
static void test_python_json_dumps_identical(void)
{
	hfds_features *f = hfds_features_new();
	const char *names[] = {"caf\xc3\xa9", "tab\there", "quote\"back\\slash", "del\x7f", "emoji \xf0\x9f\x98\x80",
		"ctl\x01", "slash/"};
	char *s = NULL, path[4200], cmd[8600];
	REQUIRE(f);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK_EQ_INT(hfds_features_add(f, names[i], hfds_feature_value(HFDS_DTYPE_STRING), NULL), 0);
	hfds_features_add(f, "label", hfds_feature_class_label(names, 7), NULL);
	hfds_features_add(f, "grid", hfds_feature_array(3, (int64_t[]){-1, 2, 3}, HFDS_DTYPE_FLOAT32), NULL);
	REQUIRE(hfds_features_hf_metadata(&s, NULL, f, 0, NULL) == 0);
	CHECK(strstr(s, "\"caf\\u00e9\"") != NULL);
	CHECK(strstr(s, "\"emoji \\ud83d\\ude00\"") != NULL);
	CHECK(strstr(s, "\"del\\u007f\"") != NULL);
	snprintf(path, sizeof(path), "%s/features.json", test_tmpdir());
	FILE *fp = fopen(path, "wb");
	REQUIRE(fp);
	fputs(s, fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "python3 -c \"import json,sys; s=open(sys.argv[1],encoding='ascii').read(); "
		"sys.exit(0 if json.dumps(json.loads(s)) == s else 1)\" '%s'", path);
	CHECK_EQ_INT(system(cmd), 0);
	hfds_free(s);
	hfds_features_free(f);
}

int main(void)
{
	RUN(test_python_json_dumps_identical);
	RUN(test_golden_json);
	RUN(test_parse_print_roundtrip);
	RUN(test_parse_forms);
	RUN(test_parse_errors);
	RUN(test_arrow_storage);
	RUN(test_compare);
	RUN(test_yaml);
	RUN(test_yaml_from_parser_tree);
	RUN(test_constructor_misuse);
	TEST_END();
}
