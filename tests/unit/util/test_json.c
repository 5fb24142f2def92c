/* Expected strings are Python 3.11's json.dumps output for the same input. */
#include "test.h"
#include "util/json.h"

static const char *esc(const char *s, size_t n, hfds_json_mode mode)
{
	static hfds_buf b;
	static int init;
	if (!init) {
		hfds_buf_init(&b, 0);
		init = 1;
	}
	hfds_buf_clear(&b);
	if (hfds_json_append_string(&b, s, n, mode, NULL) != 0 || hfds_buf_cstr(&b, NULL) != 0)
		return "(error)";
	return (const char *)b.data;
}

#define E(s, mode) esc(s, sizeof(s) - 1, mode)

static void test_python_escapes(void)
{
	const char controls[] = "a\"b\\c\n\r\t\b\f\x01\x1f\x7f/";
	CHECK_EQ_STR(E(controls, HFDS_JSON_ASCII), "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f/\"");
	CHECK_EQ_STR(E(controls, HFDS_JSON_UTF8), "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\x7f/\"");
	CHECK_EQ_STR(E("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", HFDS_JSON_ASCII), "\"\\u00e9\\u20ac\\ud83d\\ude00\"");
	CHECK_EQ_STR(E("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", HFDS_JSON_UTF8), "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	CHECK_EQ_STR(E("", HFDS_JSON_ASCII), "\"\"");
	CHECK_EQ_STR(E("plain", HFDS_JSON_UTF8), "\"plain\"");
	CHECK_EQ_STR(esc("a\0b", 3, HFDS_JSON_UTF8), "\"a\\u0000b\"");
}

static void test_invalid_utf8(void)
{
	hfds_buf b;
	hfds_error err;
	hfds_buf_init(&b, 0);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_json_append_string(&b, "ok\xed\xa0\x80", 5, HFDS_JSON_UTF8, &err), HFDS_EPARSE);
	CHECK_EQ_STR(err.message, "json: offset 2: invalid utf-8");
	hfds_buf_release(&b);
}

static void test_limit(void)
{
	hfds_buf b;
	hfds_buf_init(&b, 8);
	CHECK_EQ_INT(hfds_json_append_string(&b, "\xc3\xa9\xc3\xa9", 4, HFDS_JSON_ASCII, NULL), HFDS_ELIMIT);
	hfds_buf_release(&b);
}

int main(void)
{
	RUN(test_python_escapes);
	RUN(test_invalid_utf8);
	RUN(test_limit);
	TEST_END();
}
