/* The dataset card: golden text from datasets-format.md §4.3, merge rules of §4.4,
 * delete_from_hub of §4.5, YAML quoting and error lines. */
#include "test.h"

#include <jansson.h>

#include "dataset/card.h"
#include "dataset/card_yaml.h"
#include "hfds/dataset.h"

/* datasets-format.md §4.3, first example, byte for byte */
static const char *golden_two_configs =
	"---\n"
	"dataset_info:\n"
	"- config_name: en\n"
	"  features:\n"
	"  - name: id\n"
	"    dtype: int8\n"
	"  - name: text\n"
	"    dtype: string\n"
	"  - name: label\n"
	"    dtype:\n"
	"      class_label:\n"
	"        names:\n"
	"          '0': neg\n"
	"          '1': pos\n"
	"  splits:\n"
	"  - name: train\n"
	"    num_bytes: 1234567\n"
	"    num_examples: 10000\n"
	"  - name: validation\n"
	"    num_bytes: 123456\n"
	"    num_examples: 1000\n"
	"  - name: test\n"
	"    num_bytes: 123456\n"
	"    num_examples: 1000\n"
	"  download_size: 987654\n"
	"  dataset_size: 1481479\n"
	"- config_name: fr\n"
	"  features:\n"
	"  - name: id\n"
	"    dtype: int8\n"
	"  - name: text\n"
	"    dtype: string\n"
	"  - name: label\n"
	"    dtype:\n"
	"      class_label:\n"
	"        names:\n"
	"          '0': neg\n"
	"          '1': pos\n"
	"  splits:\n"
	"  - name: train\n"
	"    num_bytes: 1111111\n"
	"    num_examples: 9000\n"
	"  - name: validation\n"
	"    num_bytes: 111111\n"
	"    num_examples: 900\n"
	"  - name: test\n"
	"    num_bytes: 111111\n"
	"    num_examples: 900\n"
	"  download_size: 888888\n"
	"  dataset_size: 1333333\n"
	"configs:\n"
	"- config_name: en\n"
	"  data_files:\n"
	"  - split: train\n"
	"    path: en/train-*\n"
	"  - split: validation\n"
	"    path: en/validation-*\n"
	"  - split: test\n"
	"    path: en/test-*\n"
	"  default: true\n"
	"- config_name: fr\n"
	"  data_files:\n"
	"  - split: train\n"
	"    path: fr/train-*\n"
	"  - split: validation\n"
	"    path: fr/validation-*\n"
	"  - split: test\n"
	"    path: fr/test-*\n"
	"---\n";

/* §4.3, second example */
static const char *golden_single =
	"---\n"
	"dataset_info:\n"
	"  features:\n"
	"  - name: id\n"
	"    dtype: int8\n"
	"  - name: text\n"
	"    dtype: string\n"
	"  - name: grid\n"
	"    dtype:\n"
	"      array2_d:\n"
	"        shape:\n"
	"        - 10\n"
	"        - 69\n"
	"        dtype: int8\n"
	"  - name: tokens\n"
	"    list: string\n"
	"  - name: label\n"
	"    dtype:\n"
	"      class_label:\n"
	"        names:\n"
	"          '0': neg\n"
	"          '1': pos\n"
	"  - name: audio\n"
	"    dtype:\n"
	"      audio:\n"
	"        sampling_rate: 44100\n"
	"  - name: image\n"
	"    dtype: image\n"
	"  - name: blob\n"
	"    dtype: binary\n"
	"  splits:\n"
	"  - name: train\n"
	"    num_bytes: 123456789\n"
	"    num_examples: 5000\n"
	"  download_size: 98765432\n"
	"  dataset_size: 123456789\n"
	"configs:\n"
	"- config_name: default\n"
	"  data_files:\n"
	"  - split: train\n"
	"    path: data/train-*\n"
	"---\n";

static json_t *en_features(void)
{
	return json_loads("[{\"name\": \"id\", \"dtype\": \"int8\"}, {\"name\": \"text\", \"dtype\": \"string\"},"
		"{\"name\": \"label\", \"dtype\": {\"class_label\": {\"names\": {\"0\": \"neg\", \"1\": \"pos\"}}}}]", 0, NULL);
}

static char *render(const hfds_card *c)
{
	hfds_buf b;
	hfds_buf_init(&b, 0);
	if (hfds_card__render(c, &b, NULL) < 0 || hfds_buf_cstr(&b, NULL) < 0) {
		hfds_buf_release(&b);
		return NULL;
	}
	return (char *)b.data;
}

static int push(hfds_card *c, const char *config, const json_t *features, const hfds_card_split *splits,
	size_t n, int set_default, int replace, uint64_t download, hfds_error *err)
{
	hfds_card_update u;
	memset(&u, 0, sizeof(u));
	u.config = config;
	u.features_yaml = features;
	u.splits = splits;
	u.split_count = n;
	u.replace_config = replace;
	u.set_default = set_default;
	u.download_added = download;
	return hfds_card__update(c, &u, err);
}

static void golden_dataset_dict_two_configs(void)
{
	hfds_card *c = NULL;
	json_t *f = en_features(), *again = NULL;
	hfds_card_split en[] = {{"train", 1234567, 10000}, {"validation", 123456, 1000}, {"test", 123456, 1000}};
	hfds_card_split fr[] = {{"train", 1111111, 9000}, {"validation", 111111, 900}, {"test", 111111, 900}};
	char *text;
	hfds_card *back = NULL;
	REQUIRE(f);
	REQUIRE(hfds_card__parse(&c, NULL, 0, "README.md", NULL) == 0);
	CHECK_EQ_INT(push(c, "en", f, en, 3, 1, 1, 987654, NULL), 0);
	CHECK_EQ_INT(push(c, "fr", f, fr, 3, 0, 1, 888888, NULL), 0);
	text = render(c);
	CHECK_EQ_STR(text, golden_two_configs);
	/* reads back to the same structure */
	REQUIRE(hfds_card__parse(&back, text, strlen(text), "README.md", NULL) == 0);
	CHECK(json_equal(back->meta, c->meta));
	(void)again;
	free(text);
	hfds_card__free(back);
	hfds_card__free(c);
	json_decref(f);
}

static void golden_single_default(void)
{
	hfds_card *c = NULL;
	hfds_card_split tr[] = {{"train", 123456789, 5000}};
	json_t *f = json_loads("[{\"name\": \"id\", \"dtype\": \"int8\"}, {\"name\": \"text\", \"dtype\": \"string\"},"
		"{\"name\": \"grid\", \"dtype\": {\"array2_d\": {\"shape\": [10, 69], \"dtype\": \"int8\"}}},"
		"{\"name\": \"tokens\", \"list\": \"string\"},"
		"{\"name\": \"label\", \"dtype\": {\"class_label\": {\"names\": {\"0\": \"neg\", \"1\": \"pos\"}}}},"
		"{\"name\": \"audio\", \"dtype\": {\"audio\": {\"sampling_rate\": 44100}}},"
		"{\"name\": \"image\", \"dtype\": \"image\"}, {\"name\": \"blob\", \"dtype\": \"binary\"}]", 0, NULL);
	char *text;
	REQUIRE(f);
	REQUIRE(hfds_card__parse(&c, NULL, 0, "README.md", NULL) == 0);
	CHECK_EQ_INT(push(c, "default", f, tr, 1, 0, 1, 98765432, NULL), 0);
	text = render(c);
	CHECK_EQ_STR(text, golden_single);
	free(text);
	hfds_card__free(c);
	json_decref(f);
}

static void merge_keeps_user_keys_and_body(void)
{
	const char *card = "---\nlicense: mit\ntags:\n- chess\n- 'yes'\npretty_name: My data\nthumbnail: null\n---\n# Title\n\nSome text.\n";
	hfds_card *c = NULL;
	json_t *f = en_features();
	hfds_card_split tr[] = {{"train", 10, 2}};
	char *text;
	REQUIRE(hfds_card__parse(&c, card, strlen(card), "README.md", NULL) == 0);
	CHECK_EQ_INT(push(c, "default", f, tr, 1, 0, 0, 100, NULL), 0);
	text = render(c);
	REQUIRE(text);
	CHECK(!strncmp(text, "---\nlicense: mit\ntags:\n- chess\n- 'yes'\npretty_name: My data\ndataset_info:\n", 74));
	CHECK(strstr(text, "\n---\n# Title\n\nSome text.\n") != NULL);
	CHECK(strstr(text, "configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n---\n") != NULL);
	free(text);
	hfds_card__free(c);
	json_decref(f);
}

static void single_split_push_keeps_other_splits(void)
{
	hfds_card *c = NULL;
	json_t *f = en_features(), *g = json_loads("[{\"name\": \"id\", \"dtype\": \"int64\"}]", 0, NULL);
	hfds_card_split all[] = {{"train", 100, 10}, {"test", 50, 5}};
	hfds_card_split tr[] = {{"train", 300, 30}};
	hfds_card_update u;
	hfds_error err;
	json_t *di;
	hfds_error_init(&err);
	REQUIRE(hfds_card__parse(&c, NULL, 0, "README.md", NULL) == 0);
	CHECK_EQ_INT(push(c, "default", f, all, 2, 0, 1, 1000, NULL), 0);
	memset(&u, 0, sizeof(u));
	u.config = "default";
	u.features_yaml = f;
	u.splits = tr;
	u.split_count = 1;
	u.download_added = 700;
	u.download_removed = 600;
	CHECK_EQ_INT(hfds_card__update(c, &u, NULL), 0);
	di = json_object_get(c->meta, "dataset_info");
	CHECK_EQ_INT(json_integer_value(json_object_get(di, "dataset_size")), 350);
	CHECK_EQ_INT(json_integer_value(json_object_get(di, "download_size")), 1100);
	CHECK_EQ_INT(json_array_size(json_object_get(di, "splits")), 2);
	/* datasets pops the replaced split and adds it again: it moves to the end */
	CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(json_object_get(di, "splits"), 0), "name")), "test");
	CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(json_object_get(di, "splits"), 1), "name")), "train");
	CHECK_EQ_INT(hfds_card__split_examples(c, "default", "train"), 30);
	CHECK_EQ_INT(hfds_card__split_examples(c, "default", "test"), 5);
	/* other features while the config keeps 'test': refused, card unchanged */
	u.features_yaml = g;
	CHECK_EQ_INT(hfds_card__update(c, &u, &err), HFDS_ECONFLICT);
	CHECK(strstr(err.message, "features") != NULL);
	CHECK_EQ_INT(hfds_card__split_examples(c, "default", "train"), 30);
	/* replacing every split with other features: refused unless asked for */
	{
		hfds_card_split both[] = {{"train", 1, 1}, {"test", 1, 1}};
		hfds_card_update r = u;
		r.features_yaml = g;
		r.splits = both;
		r.split_count = 2;
		r.replace_config = 1;
		hfds_error_init(&err);
		CHECK_EQ_INT(hfds_card__update(c, &r, &err), HFDS_ECONFLICT);
		CHECK(strstr(err.message, "--replace-features") != NULL);
		CHECK(strstr(err.message, "column 'id'") != NULL);
		CHECK_EQ_INT(hfds_card__split_examples(c, "default", "train"), 30);
		r.replace_features = 1;
		CHECK_EQ_INT(hfds_card__update(c, &r, NULL), 0);
		CHECK(json_equal(hfds_card__config_features(c, "default"), g));
		r.features_yaml = f;
		CHECK_EQ_INT(hfds_card__update(c, &r, NULL), 0);
		u.features_yaml = f;
		u.splits = tr;
		u.split_count = 1;
		u.download_added = 700;
		u.download_removed = 0;
		u.append = 0;
		CHECK_EQ_INT(hfds_card__update(c, &u, NULL), 0);
	}
	/* append adds up */
	u.features_yaml = f;
	u.append = 1;
	u.download_removed = 0;
	CHECK_EQ_INT(hfds_card__update(c, &u, NULL), 0);
	CHECK_EQ_INT(hfds_card__split_examples(c, "default", "train"), 60);
	hfds_card__free(c);
	json_decref(f);
	json_decref(g);
}

static void set_default_moves_flag_and_delete_config(void)
{
	hfds_card *c = NULL;
	json_t *f = en_features(), *cf;
	hfds_card_split tr[] = {{"train", 1, 1}};
	int found = 0;
	char *text;
	REQUIRE(hfds_card__parse(&c, NULL, 0, "README.md", NULL) == 0);
	CHECK_EQ_INT(push(c, "b", f, tr, 1, 1, 1, 1, NULL), 0);
	CHECK_EQ_INT(push(c, "a", f, tr, 1, 1, 1, 1, NULL), 0);
	cf = json_object_get(c->meta, "configs");
	CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(cf, 0), "config_name")), "a");
	CHECK(json_is_true(json_object_get(json_array_get(cf, 0), "default")));
	CHECK(json_object_get(json_array_get(cf, 1), "default") == NULL);
	CHECK(json_is_array(json_object_get(c->meta, "dataset_info")));
	CHECK_EQ_INT(hfds_card__delete_config(c, "a", &found, NULL), 0);
	CHECK(found);
	/* one config left: dataset_info becomes a mapping that names it */
	CHECK(json_is_object(json_object_get(c->meta, "dataset_info")));
	text = render(c);
	CHECK(text && !strncmp(text, "---\ndataset_info:\n  config_name: b\n  features:\n", 47));
	free(text);
	CHECK_EQ_INT(hfds_card__delete_config(c, "b", &found, NULL), 0);
	CHECK(json_object_size(c->meta) == 0);
	CHECK_EQ_INT(hfds_card__delete_config(c, "zz", &found, NULL), 0);
	CHECK(!found);
	hfds_card__free(c);
	json_decref(f);
}

/* issue 9: a default mapping without config_name, then a second config: every entry of the
 * list names its config first (datasets' to_dataset_card_data indexes config_name) */
static void list_entries_name_their_config(void)
{
	const char *card = "---\ndataset_info:\n  features:\n  - name: id\n    dtype: int64\n  splits:\n"
		"  - name: train\n    num_bytes: 8\n    num_examples: 1\n  download_size: 9\n  dataset_size: 8\n"
		"configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*\n---\n";
	hfds_card *c = NULL;
	json_t *f = json_loads("[{\"name\": \"id\", \"dtype\": \"int64\"}]", 0, NULL);
	hfds_card_split tr[] = {{"train", 8, 1}};
	char *text;
	REQUIRE(hfds_card__parse(&c, card, strlen(card), "README.md", NULL) == 0);
	CHECK_EQ_INT(push(c, "fr", f, tr, 1, 0, 0, 9, NULL), 0);
	text = render(c);
	CHECK(text && !strncmp(text, "---\ndataset_info:\n- config_name: default\n  features:\n", 52));
	CHECK(text && strstr(text, "\n- config_name: fr\n  features:\n") != NULL);
	free(text);
	hfds_card__free(c);
	json_decref(f);
}

/* issue 16 item 22: a BOM is dropped and the front matter under it parsed; an opening '---'
 * that is never closed is refused with its line */
static void bom_and_unclosed_front_matter(void)
{
	const char *bom = "\xEF\xBB\xBF---\nlicense: mit\n---\n# hi\n";
	const char *open1 = "\n\n---\nlicense: mit\n# hi\n";
	hfds_card *c = NULL;
	hfds_error err;
	hfds_error_init(&err);
	REQUIRE(hfds_card__parse(&c, bom, strlen(bom), "README.md", NULL) == 0);
	CHECK_EQ_STR(json_string_value(json_object_get(c->meta, "license")), "mit");
	CHECK_EQ_STR(c->body, "# hi\n");
	hfds_card__free(c);
	c = NULL;
	CHECK_EQ_INT(hfds_card__parse(&c, open1, strlen(open1), "README.md", &err), HFDS_EPARSE);
	CHECK(strstr(err.message, "README.md:3:1:") != NULL && strstr(err.message, "never closed") != NULL);
	CHECK(c == NULL);
	/* a horizontal rule later in a card without front matter is body */
	REQUIRE(hfds_card__parse(&c, "# hi\n---\n", 9, "README.md", NULL) == 0);
	CHECK_EQ_STR(c->body, "# hi\n---\n");
	hfds_card__free(c);
}

/* a CRLF card is written back with CRLF everywhere (huggingface_hub's _detect_line_ending) */
static void crlf_card_keeps_crlf(void)
{
	const char *crlf = "---\r\nlicense: mit\r\n---\r\n# hi\r\n";
	hfds_card *c = NULL;
	json_t *f = en_features();
	hfds_card_split tr[] = {{"train", 1, 1}};
	char *text, *p;
	REQUIRE(hfds_card__parse(&c, crlf, strlen(crlf), "README.md", NULL) == 0);
	CHECK_EQ_INT(push(c, "default", f, tr, 1, 0, 0, 1, NULL), 0);
	text = render(c);
	REQUIRE(text != NULL);
	CHECK(!strncmp(text, "---\r\nlicense: mit\r\ndataset_info:\r\n", 34));
	for (p = text; *p; p++)
		if (*p == '\n')
			CHECK(p > text && p[-1] == '\r');
	CHECK(strstr(text, "\r\n---\r\n# hi\r\n") != NULL);
	free(text);
	hfds_card__free(c);
	json_decref(f);
}

static void invalid_yaml_names_line(void)
{
	const char *card = "---\nlicense: mit\ntags:\n  - a\n - b\n---\nbody\n";
	hfds_card *c = NULL;
	hfds_error err;
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_card__parse(&c, card, strlen(card), "README.md", &err), HFDS_EPARSE);
	CHECK(strstr(err.message, "README.md:5:") != NULL);
	CHECK(c == NULL);
	/* no front matter: everything is body */
	REQUIRE(hfds_card__parse(&c, "# hi\n", 5, "README.md", NULL) == 0);
	CHECK_EQ_STR(c->body, "# hi\n");
	CHECK(json_object_size(c->meta) == 0);
	hfds_card__free(c);
}

static void scalar_quoting(void)
{
	static const char *const cases[][2] = {
		{"0", "'0'"}, {"1.5", "'1.5'"}, {"null", "'null'"}, {"~", "'~'"}, {"yes", "'yes'"},
		{"No", "'No'"}, {"off", "'off'"}, {"true", "'true'"}, {"", "''"}, {"- a", "'- a'"},
		{"-a", "-a"}, {"a: b", "'a: b'"}, {"a:b", "a:b"}, {"a #b", "'a #b'"}, {"a#b", "a#b"},
		{" lead", "' lead'"}, {"trail ", "'trail '"}, {"it's", "it's"}, {"'q", "'''q'"},
		{"*x", "'*x'"}, {"data/train-*", "data/train-*"}, {"2020-01-02", "'2020-01-02'"},
		{"0x1F", "'0x1F'"}, {"1_000", "'1_000'"}, {".inf", "'.inf'"}, {"caf\xc3\xa9", "caf\xc3\xa9"},
		{"a\nb", "\"a\\nb\""}, {"tab\there", "\"tab\\there\""}, {"---x", "'---x'"}, {"@x", "'@x'"},
		{"neg", "neg"}, {"1e5", "1e5"}, {"=", "'='"}};
	size_t i;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hfds_buf b;
		hfds_buf_init(&b, 0);
		REQUIRE(hfds_card__yaml_scalar(&b, cases[i][0], strlen(cases[i][0]), NULL) == 0);
		REQUIRE(hfds_buf_cstr(&b, NULL) == 0);
		CHECK_EQ_STR((char *)b.data, cases[i][1]);
		hfds_buf_release(&b);
	}
}

static void yaml_round_trip_values(void)
{
	const char *y = "a: 1\nb: '1'\nc: 1.5\nd: true\ne: ~\nf: [x, {k: v}]\ng: {}\nh: 0o7\ni: 010\nj: \"q\\n\"\nk: -.inf\n";
	json_t *doc = NULL, *back = NULL;
	hfds_buf b;
	hfds_buf_init(&b, 0);
	REQUIRE(hfds_card__yaml_parse(&doc, y, strlen(y), "t", 1, NULL) == 0);
	CHECK(json_is_integer(json_object_get(doc, "a")));
	CHECK(json_is_string(json_object_get(doc, "b")));
	CHECK(json_is_real(json_object_get(doc, "c")));
	CHECK(json_is_true(json_object_get(doc, "d")));
	CHECK(json_is_null(json_object_get(doc, "e")));
	CHECK(json_is_string(json_object_get(doc, "h"))); /* 0o7 is not YAML 1.1 */
	CHECK_EQ_INT(json_integer_value(json_object_get(doc, "i")), 8);
	REQUIRE(hfds_card__yaml_emit(&b, doc, NULL) == 0);
	REQUIRE(hfds_buf_cstr(&b, NULL) == 0);
	REQUIRE(hfds_card__yaml_parse(&back, (char *)b.data, b.len, "t", 1, NULL) == 0);
	CHECK(json_equal(doc, back));
	CHECK(strstr((char *)b.data, "f:\n- x\n- k: v\ng: {}\n") != NULL);
	/* keys PyYAML cannot write as simple keys come back too */
	{
		char longkey[300];
		memset(longkey, 'k', sizeof(longkey) - 1);
		longkey[sizeof(longkey) - 1] = '\0';
		json_object_set_new(doc, longkey, json_pack("[i, {s:s}]", 1, "a", "b"));
		json_object_set_new(doc, "two\nlines", json_string("v"));
		hfds_buf_clear(&b);
		json_decref(back);
		back = NULL;
		REQUIRE(hfds_card__yaml_emit(&b, doc, NULL) == 0);
		REQUIRE(hfds_card__yaml_parse(&back, (char *)b.data, b.len, "t", 1, NULL) == 0);
		CHECK(json_equal(doc, back));
	}
	hfds_buf_release(&b);
	json_decref(doc);
	json_decref(back);
}

static void hostile_yaml(void)
{
	hfds_buf deep, bomb, out;
	hfds_card *c = NULL;
	hfds_error err;
	int i;
	hfds_buf_init(&deep, 0);
	hfds_buf_init(&bomb, 0);
	hfds_buf_init(&out, 1u << 20); /* the callers use HFDS_CARD_MAX_BYTES */
	/* nesting far past the limit: a clean error, no stack overflow */
	hfds_buf_append_str(&deep, "---\nx: ", NULL);
	for (i = 0; i < 100000; i++)
		hfds_buf_append_byte(&deep, '[', NULL);
	hfds_buf_append_str(&deep, "\n---\n", NULL);
	hfds_error_init(&err);
	CHECK(hfds_card__parse(&c, (char *)deep.data, deep.len, "README.md", &err) < 0);
	CHECK(c == NULL);
	/* billion laughs: refused at the alias that expands it too far, with its place */
	hfds_buf_append_str(&bomb, "---\na: &a [x, x, x, x, x, x, x, x, x, x]\n", NULL);
	for (i = 0; i < 9; i++)
		hfds_buf_printf(&bomb, NULL, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", 'b' + i, 'b' + i,
			'a' + i, 'a' + i, 'a' + i, 'a' + i, 'a' + i, 'a' + i, 'a' + i, 'a' + i, 'a' + i, 'a' + i);
	hfds_buf_append_str(&bomb, "---\n", NULL);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_card__parse(&c, (char *)bomb.data, bomb.len, "README.md", &err), HFDS_ELIMIT);
	CHECK(c == NULL);
	CHECK(strstr(err.message, "README.md:") != NULL && strstr(err.message, "expands the YAML") != NULL);
	hfds_buf_release(&deep);
	hfds_buf_release(&bomb);
	hfds_buf_release(&out);
}

int main(void)
{
	RUN(golden_dataset_dict_two_configs);
	RUN(golden_single_default);
	RUN(merge_keeps_user_keys_and_body);
	RUN(single_split_push_keeps_other_splits);
	RUN(set_default_moves_flag_and_delete_config);
	RUN(list_entries_name_their_config);
	RUN(bom_and_unclosed_front_matter);
	RUN(crlf_card_keeps_crlf);
	RUN(invalid_yaml_names_line);
	RUN(scalar_quoting);
	RUN(yaml_round_trip_values);
	RUN(hostile_yaml);
	TEST_END();
}
