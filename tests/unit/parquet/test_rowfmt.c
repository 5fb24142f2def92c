/* The JSON Lines row formatter (hfds_pq_rowfmt, `hfds cat`): escapes and UTF-8 against the
 * reference escaper (util/json.c) on random strings, NaN/infinity policy, extreme integers,
 * nested nulls, sliced arrays, time units, reuse of the buffer, and refusals. */
#include <math.h>
#include <stdint.h>

#include "test.h"
#include "hfds/parquet_reader.h"
#include "util/buf.h"
#include "util/json.h"

/* One-column batches: {"c": <value>} per row. */
static struct ArrowSchema col_schema, root_schema;
static struct ArrowSchema *root_children[1];
static struct ArrowArray root_array;
static struct ArrowArray *root_arrays[1];
static const void *root_buffers[1];

static void one_column(const char *format, struct ArrowArray *col)
{
	memset(&col_schema, 0, sizeof(col_schema));
	col_schema.format = format;
	col_schema.name = "c";
	col_schema.flags = 2;
	root_children[0] = &col_schema;
	memset(&root_schema, 0, sizeof(root_schema));
	root_schema.format = "+s";
	root_schema.name = "";
	root_schema.n_children = 1;
	root_schema.children = root_children;
	root_arrays[0] = col;
	memset(&root_array, 0, sizeof(root_array));
	root_array.length = col->length;
	root_array.n_buffers = 1;
	root_array.buffers = root_buffers;
	root_array.n_children = 1;
	root_array.children = root_arrays;
}

/* Formats every row of the current batch; the text (static) or NULL on an error. */
static const char *format_all(int *code)
{
	static char text[1 << 16];
	hfds_pq_rowfmt *f = NULL;
	hfds_error err;
	size_t len;
	hfds_error_init(&err);
	*code = hfds_pq_rowfmt_new(&f, &root_schema, &err);
	if (*code == 0)
		*code = hfds_pq_rowfmt_append(f, &root_array, 0, root_array.length, &err);
	if (*code == 0) {
		const char *t = hfds_pq_rowfmt_text(f, &len);
		if (len >= sizeof(text))
			len = sizeof(text) - 1;
		memcpy(text, t, len);
		text[len] = 0;
	}
	hfds_pq_rowfmt_free(f);
	return *code == 0 ? text : NULL;
}

static void strings_match_reference(void)
{
	/* random strings from pieces that exercise the 8-byte scan at every alignment */
	static const char *pieces[] = { "a", "plain text", "\"", "\\", "\n", "\r", "\t", "\b", "\f", "\x01", "\x1f",
					"\x7f", " ", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "0123456789abcdef" };
	enum { ROWS = 400 };
	static char data[ROWS * 64];
	static int32_t off[ROWS + 1];
	const void *bufs[3] = { NULL, off, data };
	struct ArrowArray col = { ROWS, 0, 0, 3, 0, bufs, NULL, NULL, NULL, NULL };
	uint32_t seed = 7;
	hfds_buf ref;
	hfds_error err;
	int code;
	hfds_error_init(&err);
	hfds_buf_init(&ref, 0);
	for (int r = 0; r < ROWS; r++) {
		int n = (int)(seed % 9);
		off[r + 1] = off[r];
		for (int k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			const char *p = pieces[(seed >> 16) % (sizeof(pieces) / sizeof(*pieces))];
			memcpy(data + off[r + 1], p, strlen(p));
			off[r + 1] += (int32_t)strlen(p);
		}
		hfds_buf_append(&ref, "{\"c\": ", 6, &err);
		CHECK_EQ_INT(hfds_json_append_string(&ref, data + off[r], (size_t)(off[r + 1] - off[r]), HFDS_JSON_UTF8, &err), 0);
		hfds_buf_append(&ref, "}\n", 2, &err);
		seed = seed * 1103515245u + 12345u;
	}
	hfds_buf_cstr(&ref, &err);
	one_column("u", &col);
	const char *got = format_all(&code);
	CHECK_EQ_INT(code, 0);
	CHECK_EQ_STR(got ? got : "", (const char *)ref.data);
	hfds_buf_release(&ref);
}

static void string_escapes_and_invalid_utf8(void)
{
	static const char data[] = "say \"hi\"\\ \x01\x7f\n\xc3\xa9\xf0\x9f\x98\x80" "\xff\xfe" "abcdefghij\tkl";
	int32_t off[4] = { 0, 19, 21, 34 };
	const void *bufs[3] = { NULL, off, data };
	struct ArrowArray col = { 3, 0, 0, 3, 0, bufs, NULL, NULL, NULL, NULL };
	int code;
	one_column("u", &col);
	CHECK_EQ_STR(format_all(&code), "{\"c\": \"say \\\"hi\\\"\\\\ \\u0001\x7f\\n\xc3\xa9\xf0\x9f\x98\x80\"}\n"
					"{\"c\": \"//4=\"}\n" /* not UTF-8: base64, as before */
					"{\"c\": \"abcdefghij\\tkl\"}\n");
	one_column("z", &col); /* binary is always base64 */
	CHECK(strstr(format_all(&code), "{\"c\": \"//4=\"}\n") != NULL);
}

/* A one-column batch of n fixed-width values without nulls must print as `want`. */
#define CHECK_COLUMN(format, values, n, want) do { \
	const void *bufs_[2] = { NULL, (values) }; \
	struct ArrowArray col_ = { (n), 0, 0, 2, 0, bufs_, NULL, NULL, NULL, NULL }; \
	int code_; \
	one_column((format), &col_); \
	const char *got_ = format_all(&code_); \
	CHECK_EQ_INT(code_, 0); \
	CHECK_EQ_STR(got_ ? got_ : "", (want)); \
} while (0)

static void floats_policy(void)
{
	double v[8] = { NAN, INFINITY, -INFINITY, -0.0, 5e-324, 1.7976931348623157e308, 0.1 + 0.2, 1e21 };
	CHECK_COLUMN("g", v, 8, "{\"c\": \"NaN\"}\n{\"c\": \"Infinity\"}\n{\"c\": \"-Infinity\"}\n{\"c\": -0}\n"
				"{\"c\": 5e-324}\n{\"c\": 1.7976931348623157e+308}\n"
				"{\"c\": 0.30000000000000004}\n{\"c\": 1e+21}\n");
	float f[3] = { NAN, -INFINITY, 0.1f };
	CHECK_COLUMN("f", f, 3, "{\"c\": \"NaN\"}\n{\"c\": \"-Infinity\"}\n{\"c\": 0.1}\n");
	uint16_t h[2] = { 0x7c00, 0x3555 };
	CHECK_COLUMN("e", h, 2, "{\"c\": \"Infinity\"}\n{\"c\": 0.3333}\n");
}

static void extreme_integers(void)
{
	int64_t l[4] = { INT64_MIN, INT64_MAX, 0, -1 };
	uint64_t ul[2] = { UINT64_MAX, 10000000000000000000ull };
	int8_t c[2] = { INT8_MIN, INT8_MAX };
	uint32_t ui[1] = { UINT32_MAX };
	CHECK_COLUMN("l", l, 4, "{\"c\": -9223372036854775808}\n{\"c\": 9223372036854775807}\n{\"c\": 0}\n{\"c\": -1}\n");
	CHECK_COLUMN("L", ul, 2, "{\"c\": 18446744073709551615}\n{\"c\": 10000000000000000000}\n");
	CHECK_COLUMN("c", c, 2, "{\"c\": -128}\n{\"c\": 127}\n");
	CHECK_COLUMN("I", ui, 1, "{\"c\": 4294967295}\n");
}

/* list<struct<a: int32, t: list<string>>> with nulls at each level, read from offset 1. */
static void nested_nulls_and_offsets(void)
{
	/* rows (after the offset): [{a:1,t:["x",null]}, null-struct, {a:null,t:null}], null list, [] */
	uint8_t list_valid = 0x0b; /* slots 0..3; the batch starts at slot 1: valid, null, valid */
	int32_t list_off[5] = { 0, 0, 3, 3, 3 };
	uint8_t st_valid = 0x05, a_valid = 0x01, t_valid = 0x01, s_valid = 0x01;
	int32_t a_vals[3] = { 1, 2, 3 };
	int32_t t_off[4] = { 0, 2, 2, 2 };
	int32_t s_off[3] = { 0, 1, 1 };
	const char s_data[] = "x";
	const void *sb[3] = { &s_valid, s_off, s_data }, *tb[2] = { &t_valid, t_off }, *ab[2] = { &a_valid, a_vals };
	const void *stb[1] = { &st_valid }, *lb[2] = { &list_valid, list_off };
	struct ArrowArray s_arr = { 2, 1, 0, 3, 0, sb, NULL, NULL, NULL, NULL };
	struct ArrowArray *t_kids[1] = { &s_arr };
	struct ArrowArray t_arr = { 3, 2, 0, 2, 1, tb, t_kids, NULL, NULL, NULL };
	struct ArrowArray a_arr = { 3, -1, 0, 2, 0, ab, NULL, NULL, NULL, NULL }; /* null count unknown */
	struct ArrowArray *st_kids[2] = { &a_arr, &t_arr };
	struct ArrowArray st_arr = { 3, 1, 0, 1, 2, stb, st_kids, NULL, NULL, NULL };
	struct ArrowArray *l_kids[1] = { &st_arr };
	struct ArrowArray l_arr = { 3, 1, 1, 2, 1, lb, l_kids, NULL, NULL, NULL };
	struct ArrowSchema s_s = { "u", "item", NULL, 2, 0, NULL, NULL, NULL, NULL };
	struct ArrowSchema *t_sk[1] = { &s_s };
	struct ArrowSchema t_s = { "+l", "t", NULL, 2, 1, t_sk, NULL, NULL, NULL };
	struct ArrowSchema a_s = { "i", "a", NULL, 2, 0, NULL, NULL, NULL, NULL };
	struct ArrowSchema *st_sk[2] = { &a_s, &t_s };
	struct ArrowSchema st_s = { "+s", "item", NULL, 2, 2, st_sk, NULL, NULL, NULL };
	int code;
	one_column("+l", &l_arr);
	struct ArrowSchema *l_sk[1] = { &st_s };
	col_schema.n_children = 1;
	col_schema.children = l_sk;
	CHECK_EQ_STR(format_all(&code), "{\"c\": [{\"a\": 1, \"t\": [\"x\", null]}, null, {\"a\": null, \"t\": null}]}\n"
					"{\"c\": null}\n{\"c\": []}\n");
}

static void times(void)
{
	int64_t ns[3] = { -1, 1700000000123456789, INT64_MAX };
	int64_t sec[2] = { -62167219200 - 86400, 253402300800 };
	int32_t ms[2] = { 45296789, 0 };
	int32_t d[2] = { -719529, 2932897 };
	CHECK_COLUMN("tsn:", ns, 3, "{\"c\": \"1969-12-31T23:59:59.999999999\"}\n{\"c\": \"2023-11-14T22:13:20.123456789\"}\n"
				     "{\"c\": \"2262-04-11T23:47:16.854775807\"}\n");
	CHECK_COLUMN("tss:UTC", sec, 2, "{\"c\": \"-0001-12-31T00:00:00Z\"}\n{\"c\": \"10000-01-01T00:00:00Z\"}\n");
	CHECK_COLUMN("ttm", ms, 2, "{\"c\": \"12:34:56.789\"}\n{\"c\": \"00:00:00.000\"}\n");
	CHECK_COLUMN("tdD", d, 2, "{\"c\": \"-0001-12-31\"}\n{\"c\": \"10000-01-01\"}\n");
}

static void reuse_and_refusals(void)
{
	int64_t l[3] = { 1, 22, 333 };
	const void *lb[2] = { NULL, l };
	struct ArrowArray la = { 3, 0, 0, 2, 0, lb, NULL, NULL, NULL, NULL };
	hfds_pq_rowfmt *f = NULL;
	hfds_error err;
	size_t len;
	hfds_error_init(&err);
	one_column("l", &la);
	REQUIRE(hfds_pq_rowfmt_new(&f, &root_schema, &err) == 0);
	CHECK_EQ_INT(hfds_pq_rowfmt_append(f, &root_array, 1, 3, &err), 0);
	CHECK_EQ_INT(memcmp(hfds_pq_rowfmt_text(f, &len), "{\"c\": 22}\n{\"c\": 333}\n", 21), 0);
	CHECK_EQ_INT(len, 21);
	hfds_pq_rowfmt_clear(f);
	CHECK_EQ_INT(hfds_pq_rowfmt_append(f, &root_array, 0, 1, &err), 0);
	CHECK_EQ_INT(memcmp(hfds_pq_rowfmt_text(f, &len), "{\"c\": 1}\n", 9), 0);
	CHECK_EQ_INT(len, 9);
	CHECK_EQ_INT(hfds_pq_rowfmt_append(f, &root_array, 2, 4, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "outside a batch of 3") != NULL);
	hfds_pq_rowfmt_free(f);
	hfds_pq_rowfmt_free(NULL);
	hfds_error_init(&err);
	one_column("+w:4", &la); /* a fixed-size list: not produced by the reader */
	f = (hfds_pq_rowfmt *)&la;
	CHECK_EQ_INT(hfds_pq_rowfmt_new(&f, &root_schema, &err), HFDS_EUNSUPPORTED);
	CHECK(f == NULL);
	CHECK(strstr(err.message, "'+w:4'") != NULL);
}

int main(void)
{
	RUN(strings_match_reference);
	RUN(string_escapes_and_invalid_utf8);
	RUN(floats_policy);
	RUN(extreme_integers);
	RUN(nested_nulls_and_offsets);
	RUN(times);
	RUN(reuse_and_refusals);
	TEST_END();
}
