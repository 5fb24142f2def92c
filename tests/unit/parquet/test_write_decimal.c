/*
 * Decimal conversion kernels of the writer (src/parquet/decimal_w.h): format parsing, the
 * FLBA width per precision (Arrow's DecimalSize table), little-endian Arrow words to
 * truncated big-endian values with the overflow check, and the signed comparison used
 * for statistics. Also the writer's refusals for malformed maps and null map keys.
 */
#include "test.h"
#include "test_write_kit.h"
#include "hfds/parquet.h"
#include "parquet/write/decimal_w.h"

static void test_parse(void)
{
	int p, s, w;
	CHECK_EQ_INT(pqw_decimal_parse("d:5,2", &p, &s, &w), 0);
	CHECK(p == 5 && s == 2 && w == 16);
	CHECK_EQ_INT(pqw_decimal_parse("d:76,10,256", &p, &s, &w), 0);
	CHECK(p == 76 && s == 10 && w == 32);
	CHECK_EQ_INT(pqw_decimal_parse("d:9,0,32", &p, &s, &w), 0);
	CHECK(p == 9 && w == 4);
	CHECK_EQ_INT(pqw_decimal_parse("d:18,3,64", &p, &s, &w), 0);
	CHECK(p == 18 && w == 8);
	static const char *bad[] = { "d:", "d:5", "d:5,", "d:0,0", "d:39,0", "d:39,0,128", "d:77,0,256",
		"d:10,0,32", "d:19,0,64", "d:5,2,100", "d:5,2,", "d:5,2x", "w:5", "d:5,2,128,1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ_INT(pqw_decimal_parse(bad[i], &p, &s, &w), -1);
}

static void test_width(void)
{
	/* Arrow DecimalSize for precisions 1..38, then a few decimal256 ones */
	static const int w38[] = { 1, 1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 7, 7, 8, 8, 9, 9, 9, 10, 10, 11, 11,
		11, 12, 12, 13, 13, 13, 14, 14, 15, 15, 16, 16, 16 };
	for (int p = 1; p <= 38; p++)
		CHECK_EQ_INT(pqw_decimal_flba_width(p), w38[p - 1]);
	CHECK_EQ_INT(pqw_decimal_flba_width(39), 17);
	CHECK_EQ_INT(pqw_decimal_flba_width(76), 32);
}

static void le16(uint8_t *v, int64_t x)
{
	for (int k = 0; k < 16; k++)
		v[k] = (uint8_t)(k < 8 ? (uint64_t)x >> (8 * k) : (x < 0 ? 0xff : 0));
}

static void test_to_be(void)
{
	uint8_t src[16 * 4], dst[3 * 4];
	le16(src, -1);
	le16(src + 16, 0x7fffff);
	le16(src + 32, -0x800000);
	le16(src + 48, 0x1234);
	CHECK_EQ_INT(pqw_decimal_to_be(dst, 3, src, 16, 4), 4);
	static const uint8_t want[] = { 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x12, 0x34 };
	CHECK_EQ_MEM(dst, want, sizeof(want));
	/* 2^23 and -2^23 - 1 need a fourth byte: the first such value is reported */
	le16(src + 16, 0x800000);
	CHECK_EQ_INT(pqw_decimal_to_be(dst, 3, src, 16, 4), 1);
	le16(src + 16, 5);
	le16(src + 48, -0x800001);
	CHECK_EQ_INT(pqw_decimal_to_be(dst, 3, src, 16, 4), 3);
	/* full width: a byte reversal */
	le16(src, INT64_MIN);
	uint8_t full[16];
	CHECK_EQ_INT(pqw_decimal_to_be(full, 16, src, 16, 1), 1);
	CHECK(full[0] == 0xff && full[7] == 0xff && full[8] == 0x80 && full[15] == 0x00);
}

static void test_cmp(void)
{
	static const int64_t order[] = { -0x800000, -65536, -256, -1, 0, 1, 255, 256, 0x7fffff };
	uint8_t a[16], b[16], x[3], y[3];
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		for (size_t j = 0; j < sizeof(order) / sizeof(order[0]); j++) {
			le16(a, order[i]);
			le16(b, order[j]);
			REQUIRE(pqw_decimal_to_be(x, 3, a, 16, 1) == 1 && pqw_decimal_to_be(y, 3, b, 16, 1) == 1);
			CHECK_EQ_INT(pqw_decimal_cmp(x, y, 3), i < j ? -1 : i > j);
		}
}

static int write_batch(struct ArrowSchema *s, struct ArrowArray *a, hfds_error *err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/map.parquet", test_tmpdir());
	return kit_write_file(path, s, a, NULL, err);
}

static void test_map_refusals(void)
{
	hfds_error err;
	hfds_error_init(&err);
	struct ArrowSchema *one = kit_schema("+s", "", 0, 1, kit_schema("+m", "m", 1, 1,
		kit_schema("+s", "entries", 0, 1, kit_schema("i", "key", 0, 0))));
	hfds_pq_writer *w = NULL;
	char path[4096];
	snprintf(path, sizeof(path), "%s/bad.parquet", test_tmpdir());
	CHECK_EQ_INT(hfds_pq_writer_open(&w, path, one, NULL, &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "map 'm'") != NULL);
	hfds_pq_writer_free(w);

	/* a key flagged nullable is still written required: a null key is refused */
	struct ArrowSchema *s = kit_schema("+s", "", 0, 1, kit_schema("+m", "m", 1, 1,
		kit_schema("+s", "entries", 0, 2, kit_schema("i", "key", 1, 0), kit_schema("u", "value", 1, 0))));
	kit_gen g = { 0x9e3779b97f4a7c15ull, NULLS_LEVEL2, 0 };
	hfds_error_init(&err);
	CHECK_EQ_INT(write_batch(s, kit_gen_batch(&g, s, 50), &err), HFDS_EINVAL);
	CHECK(strstr(err.message, "null in a non-nullable field") != NULL);
	/* the same shape without nulls is fine */
	kit_gen g2 = { 0x9e3779b97f4a7c15ull, NULLS_NONE, 0 };
	hfds_error_init(&err);
	CHECK_EQ_INT(write_batch(s, kit_gen_batch(&g2, s, 50), &err), 0);
}

int main(void)
{
	RUN(test_parse);
	RUN(test_width);
	RUN(test_to_be);
	RUN(test_cmp);
	RUN(test_map_refusals);
	kit_free_all();
	TEST_END();
}
