/* Schemas: construction, format views, metadata encoding, copy and release (ASan checks leaks). */
#include "test.h"
#include "hfds/arrow.h"

static void test_view_formats(void)
{
	static const struct { const char *fmt; hfds_arrow_type t; int bits; int nb; } cases[] = {
		{"n", HFDS_ARROW_NA, 0, 0}, {"b", HFDS_ARROW_BOOL, 1, 2}, {"c", HFDS_ARROW_INT8, 8, 2},
		{"s", HFDS_ARROW_INT16, 16, 2}, {"i", HFDS_ARROW_INT32, 32, 2}, {"l", HFDS_ARROW_INT64, 64, 2},
		{"C", HFDS_ARROW_UINT8, 8, 2}, {"S", HFDS_ARROW_UINT16, 16, 2}, {"I", HFDS_ARROW_UINT32, 32, 2},
		{"L", HFDS_ARROW_UINT64, 64, 2}, {"e", HFDS_ARROW_HALF_FLOAT, 16, 2}, {"f", HFDS_ARROW_FLOAT, 32, 2},
		{"g", HFDS_ARROW_DOUBLE, 64, 2}, {"u", HFDS_ARROW_STRING, 0, 3}, {"U", HFDS_ARROW_LARGE_STRING, 0, 3},
		{"z", HFDS_ARROW_BINARY, 0, 3}, {"Z", HFDS_ARROW_LARGE_BINARY, 0, 3},
		{"w:16", HFDS_ARROW_FIXED_SIZE_BINARY, 128, 2}, {"tdD", HFDS_ARROW_DATE32, 32, 2},
		{"tss:", HFDS_ARROW_TIMESTAMP, 64, 2}, {"tsn:Europe/Paris", HFDS_ARROW_TIMESTAMP, 64, 2},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ArrowSchema s;
		hfds_arrow_schema_view v;
		REQUIRE(hfds_arrow_schema_init_nullable(&s, cases[i].fmt, "x", NULL) == 0);
		CHECK_EQ_INT(hfds_arrow_schema_view_init(&v, &s, NULL), 0);
		CHECK_EQ_INT(v.type, cases[i].t);
		CHECK_EQ_INT(v.bit_width, cases[i].bits);
		CHECK_EQ_INT(v.n_buffers, cases[i].nb);
		hfds_arrow_schema_release(&s);
		CHECK(s.release == NULL);
	}
	struct ArrowSchema s;
	hfds_arrow_schema_view v;
	REQUIRE(hfds_arrow_schema_init_nullable(&s, "tsu:UTC", "t", NULL) == 0);
	REQUIRE(hfds_arrow_schema_view_init(&v, &s, NULL) == 0);
	CHECK_EQ_INT(v.unit, HFDS_ARROW_MICRO);
	CHECK_EQ_STR(v.timezone, "UTC");
	char buf[64];
	CHECK_EQ_STR(hfds_arrow_type_name(&s, buf, sizeof(buf)), "timestamp[us, tz=UTC]");
	hfds_arrow_schema_release(&s);
}

static void test_view_errors(void)
{
	struct ArrowSchema s;
	hfds_arrow_schema_view v;
	hfds_error err;
	const char *bad[] = {"d:10,2", "+m", "w:", "w:x", "+w:-1", "ts", "tsx:", "q"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hfds_error_init(&err);
		REQUIRE(hfds_arrow_schema_init_nullable(&s, bad[i], "col", NULL) == 0);
		CHECK_EQ_INT(hfds_arrow_schema_view_init(&v, &s, &err), HFDS_EUNSUPPORTED);
		CHECK(strstr(err.message, "col") != NULL);
		hfds_arrow_schema_release(&s);
	}
	/* a list without its child */
	hfds_error_init(&err);
	REQUIRE(hfds_arrow_schema_init_nullable(&s, "+l", "lst", NULL) == 0);
	CHECK_EQ_INT(hfds_arrow_schema_view_init(&v, &s, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "lst") != NULL);
	hfds_arrow_schema_release(&s);
}

static void build_tree(struct ArrowSchema *root)
{
	struct ArrowSchema c;
	REQUIRE(hfds_arrow_schema_init(root, "+s", "", 0, NULL) == 0);
	REQUIRE(hfds_arrow_schema_alloc_children(root, 1, NULL) == 0);
	REQUIRE(hfds_arrow_schema_init_nullable(root->children[0], "+w:3", "scalars", NULL) == 0);
	REQUIRE(hfds_arrow_schema_alloc_children(root->children[0], 1, NULL) == 0);
	REQUIRE(hfds_arrow_schema_init_nullable(root->children[0]->children[0], "c", "item", NULL) == 0);
	REQUIRE(hfds_arrow_schema_init_nullable(&c, "u", "text", NULL) == 0);
	REQUIRE(hfds_arrow_schema_add_child(root, &c, NULL) == 0);
	CHECK(c.release == NULL);
}

static void test_tree_copy_release(void)
{
	struct ArrowSchema root, copy;
	build_tree(&root);
	CHECK_EQ_INT(root.n_children, 2);
	CHECK_EQ_STR(root.children[1]->name, "text");
	const char *keys[] = {"huggingface", "k2"};
	const char *vals[] = {"{\"info\": {}}", NULL};
	char *md = NULL;
	REQUIRE(hfds_arrow_metadata_build(&md, keys, vals, 2, NULL) == 0);
	REQUIRE(hfds_arrow_schema_set_metadata(&root, md, NULL) == 0);
	hfds_free(md);
	REQUIRE(hfds_arrow_schema_copy(&copy, &root, NULL) == 0);
	hfds_arrow_schema_release(&root);
	CHECK_EQ_STR(copy.format, "+s");
	CHECK_EQ_STR(copy.children[0]->format, "+w:3");
	CHECK_EQ_STR(copy.children[0]->children[0]->name, "item");
	CHECK_EQ_INT(copy.children[0]->flags, ARROW_FLAG_NULLABLE);
	CHECK_EQ_INT(copy.flags, 0);
	CHECK_EQ_INT(hfds_arrow_metadata_count(copy.metadata), 2);
	hfds_arrow_kv_view kv;
	REQUIRE(hfds_arrow_metadata_find(copy.metadata, "huggingface", &kv) == 1);
	CHECK_EQ_INT(kv.value_len, 12);
	CHECK(memcmp(kv.value, "{\"info\": {}}", 12) == 0);
	REQUIRE(hfds_arrow_metadata_find(copy.metadata, "k2", &kv) == 1);
	CHECK_EQ_INT(kv.value_len, 0);
	CHECK_EQ_INT(hfds_arrow_metadata_find(copy.metadata, "nope", &kv), 0);
	REQUIRE(hfds_arrow_metadata_at(copy.metadata, 1, &kv, NULL) == 0);
	CHECK_EQ_INT(kv.key_len, 2);
	CHECK(hfds_arrow_metadata_at(copy.metadata, 2, &kv, NULL) == HFDS_EINVAL);
	REQUIRE(hfds_arrow_schema_set_name(copy.children[1], "renamed", NULL) == 0);
	CHECK_EQ_STR(copy.children[1]->name, "renamed");
	hfds_arrow_schema_release(&copy);
	hfds_arrow_schema_release(&copy); /* second release is a no-op */
	hfds_arrow_schema_release(NULL);
}

static void test_metadata_binary_layout(void)
{
	const char *keys[] = {"ab"};
	const char *vals[] = {"xyz"};
	char *md = NULL;
	REQUIRE(hfds_arrow_metadata_build(&md, keys, vals, 1, NULL) == 0);
	static const unsigned char expect[] = {1, 0, 0, 0, 2, 0, 0, 0, 'a', 'b', 3, 0, 0, 0, 'x', 'y', 'z'};
	CHECK_EQ_MEM(md, expect, sizeof(expect));
	hfds_free(md);
	REQUIRE(hfds_arrow_metadata_build(&md, keys, vals, 0, NULL) == 0);
	CHECK(md == NULL);
	CHECK_EQ_INT(hfds_arrow_metadata_count(NULL), 0);
}

static void test_partial_children_release(void)
{
	/* children never initialised are skipped by release */
	struct ArrowSchema s;
	REQUIRE(hfds_arrow_schema_init(&s, "+s", NULL, 0, NULL) == 0);
	REQUIRE(hfds_arrow_schema_alloc_children(&s, 3, NULL) == 0);
	REQUIRE(hfds_arrow_schema_init_nullable(s.children[1], "i", "b", NULL) == 0);
	hfds_arrow_schema_release(&s);
	CHECK(s.release == NULL);
}

int main(void)
{
	RUN(test_view_formats);
	RUN(test_view_errors);
	RUN(test_tree_copy_release);
	RUN(test_metadata_binary_layout);
	RUN(test_partial_children_release);
	TEST_END();
}
