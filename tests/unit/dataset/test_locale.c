/*
 * A host program may run under a comma-decimal locale; the card YAML, the features JSON
 * and the canonical number text must still use '.', and "1.5" in a card must still read
 * as 1.5. The locale is compiled into the test's own directory (localedef + LOCPATH, no
 * root needed) when the system lacks it.
 */
#include "test.h"
#include "dataset/card_yaml.h"
#include "features/features.h"
#include "util/numfmt.h"

#include <jansson.h>
#include <locale.h>

static int enter_comma_locale(void)
{
	if (!setlocale(LC_ALL, "de_DE.UTF-8")) {
		char cmd[4600];
		snprintf(cmd, sizeof(cmd), "localedef -i de_DE -f UTF-8 '%s/de_DE.UTF-8' 2>/dev/null", test_tmpdir());
		if (system(cmd) != 0 && system(cmd) != 0)
			fprintf(stderr, "localedef -i de_DE -f UTF-8 failed\n");
		setenv("LOCPATH", test_tmpdir(), 1);
		if (!setlocale(LC_ALL, "de_DE.UTF-8"))
			return -1;
	}
	return strcmp(localeconv()->decimal_point, ",") == 0 ? 0 : -1;
}

static void test_card_yaml_numbers(void)
{
	const char text[] = "a: 1.5\nb: [0.25, 1.0e-07, -2.5e+300]\n";
	json_t *doc = NULL;
	hfds_buf out;
	hfds_error err;
	hfds_error_init(&err);
	REQUIRE(hfds_card__yaml_parse(&doc, text, sizeof(text) - 1, "README.md", 1, &err) == 0);
	CHECK(json_real_value(json_object_get(doc, "a")) == 1.5);
	CHECK(json_real_value(json_array_get(json_object_get(doc, "b"), 0)) == 0.25);
	CHECK(json_real_value(json_array_get(json_object_get(doc, "b"), 1)) == 1e-7);
	CHECK(json_real_value(json_array_get(json_object_get(doc, "b"), 2)) == -2.5e300);
	hfds_buf_init(&out, 0);
	REQUIRE(hfds_card__yaml_emit(&out, doc, &err) == 0);
	REQUIRE(hfds_buf_cstr(&out, &err) == 0);
	CHECK_EQ_STR((char *)out.data, "a: 1.5\nb:\n- 0.25\n- 1.0e-07\n- -2.5e+300");
	hfds_buf_release(&out);
	json_decref(doc);
}

static void test_features_json_numbers(void)
{
	json_t *v = json_pack("{s:f,s:f,s:f}", "x", 1.5, "y", 1e-7, "z", 12345.0625);
	hfds_buf out;
	hfds_error err;
	hfds_error_init(&err);
	hfds_buf_init(&out, 0);
	REQUIRE(v != NULL);
	REQUIRE(hfds_features__dump(&out, v, &err) == 0);
	REQUIRE(hfds_buf_cstr(&out, &err) == 0);
	CHECK_EQ_STR((char *)out.data, "{\"x\": 1.5, \"y\": 1e-07, \"z\": 12345.0625}");
	hfds_buf_release(&out);
	json_decref(v);
}

static void test_canonical_numbers(void)
{
	char s[HFDS_NUMFMT_MAX];
	hfds_fmt_double(1.5, s);
	CHECK_EQ_STR(s, "1.5");
	hfds_fmt_double(0.1 + 0.2, s);
	CHECK_EQ_STR(s, "0.30000000000000004");
	hfds_fmt_float(3.25f, s);
	CHECK_EQ_STR(s, "3.25");
	hfds_fmt_double(1e300, s);
	CHECK_EQ_STR(s, "1e+300");
}

int main(void)
{
	if (enter_comma_locale() < 0) {
		fprintf(stderr, "cannot enter a comma-decimal locale (de_DE.UTF-8)\n");
		return 1;
	}
	RUN(test_card_yaml_numbers);
	RUN(test_features_json_numbers);
	RUN(test_canonical_numbers);
	TEST_END();
}
