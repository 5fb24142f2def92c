/* Thrift compact writer: byte-exact against the worked examples of spec/parquet.md §2. */
#include "test.h"

#include "parquet/format/pq_format.h"
#include "parquet/write/thrift_enc.h"

static hfds_buf buf;
static pq_tw tw;

static void start(size_t max)
{
	hfds_buf_release(&buf);
	hfds_buf_init(&buf, max);
	pq_tw_init(&tw, &buf);
}

static int finish_ok(void)
{
	hfds_error err;
	hfds_error_init(&err);
	return pq_tw_finish(&tw, &err) == 0;
}

#define CHECK_BYTES(...) do { static const uint8_t exp_[] = { __VA_ARGS__ }; \
	CHECK(finish_ok()); CHECK_EQ_INT(buf.len, sizeof exp_); \
	if (buf.len == sizeof exp_) CHECK_EQ_MEM(buf.data, exp_, sizeof exp_); } while (0)

static void test_page_header(void)
{
	start(0);
	pq_tw_struct_begin(&tw);
	pq_tw_field_i32(&tw, 1, PQ_PAGE_DATA);
	pq_tw_field_i32(&tw, 2, 100);
	pq_tw_field_i32(&tw, 3, 100);
	pq_tw_field_struct_begin(&tw, 5);
	pq_tw_field_i32(&tw, 1, 10);
	pq_tw_field_i32(&tw, 2, PQ_ENC_PLAIN);
	pq_tw_field_i32(&tw, 3, PQ_ENC_RLE);
	pq_tw_field_i32(&tw, 4, PQ_ENC_RLE);
	pq_tw_struct_end(&tw);
	pq_tw_struct_end(&tw);
	CHECK_BYTES(0x15, 0x00, 0x15, 0xc8, 0x01, 0x15, 0xc8, 0x01, 0x2c, 0x15, 0x14, 0x15, 0x00,
		0x15, 0x06, 0x15, 0x06, 0x00, 0x00);
}

static void test_schema_element_string(void)
{
	start(0);
	pq_tw_struct_begin(&tw);
	pq_tw_field_i32(&tw, 1, PQ_BYTE_ARRAY);
	pq_tw_field_i32(&tw, 3, PQ_OPTIONAL);
	pq_tw_field_string(&tw, 4, "name");
	pq_tw_field_i32(&tw, 6, PQ_CT_UTF8);
	pq_tw_field_struct_begin(&tw, 10);
	pq_tw_field_struct_begin(&tw, PQ_LT_STRING);
	pq_tw_struct_end(&tw);
	pq_tw_struct_end(&tw);
	pq_tw_struct_end(&tw);
	CHECK_BYTES(0x15, 0x0c, 0x25, 0x02, 0x18, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x25, 0x00, 0x4c,
		0x1c, 0x00, 0x00, 0x00);
}

static void test_schema_element_int8(void)
{
	start(0);
	pq_tw_struct_begin(&tw);
	pq_tw_field_i32(&tw, 1, PQ_INT32);
	pq_tw_field_i32(&tw, 3, PQ_OPTIONAL);
	pq_tw_field_string(&tw, 4, "t");
	pq_tw_field_i32(&tw, 6, PQ_CT_INT_8);
	pq_tw_field_struct_begin(&tw, 10);
	pq_tw_field_struct_begin(&tw, PQ_LT_INTEGER);
	pq_tw_field_i8(&tw, 1, 8);
	pq_tw_field_bool(&tw, 2, 1);
	pq_tw_struct_end(&tw);
	pq_tw_struct_end(&tw);
	pq_tw_struct_end(&tw);
	CHECK_BYTES(0x15, 0x02, 0x25, 0x02, 0x18, 0x01, 0x74, 0x25, 0x1e, 0x4c, 0xac, 0x13, 0x08,
		0x11, 0x00, 0x00, 0x00);
}

static void test_lists(void)
{
	start(0);
	pq_tw_struct_begin(&tw);
	pq_tw_field_list_begin(&tw, 1, PQ_TT_BOOL_TRUE, 3);
	pq_tw_bool(&tw, 1);
	pq_tw_bool(&tw, 0);
	pq_tw_bool(&tw, 1);
	pq_tw_struct_end(&tw);
	CHECK_BYTES(0x19, 0x31, 0x01, 0x02, 0x01, 0x00);

	start(0);
	pq_tw_struct_begin(&tw);
	pq_tw_field_list_begin(&tw, 2, PQ_TT_I64, 20);
	for (int i = 0; i < 20; i++)
		pq_tw_i64(&tw, i - 1);
	pq_tw_struct_end(&tw);
	REQUIRE(finish_ok());
	REQUIRE(buf.len == 2 + 1 + 20 + 1); /* field, header f6 14, 20 one-byte zigzags, stop */
	CHECK_EQ_INT(buf.data[0], 0x29);
	CHECK_EQ_INT(buf.data[1], 0xf6);
	CHECK_EQ_INT(buf.data[2], 0x14);
	CHECK_EQ_INT(buf.data[3], 0x01); /* zigzag(-1) */
	CHECK_EQ_INT(buf.data[4], 0x00);
	CHECK_EQ_INT(buf.data[5], 0x02);

	/* list of 14 uses the short header, 15 the long one */
	start(0);
	pq_tw_struct_begin(&tw);
	pq_tw_field_list_begin(&tw, 1, PQ_TT_I32, 14);
	for (int i = 0; i < 14; i++)
		pq_tw_i32(&tw, 0);
	pq_tw_field_list_begin(&tw, 2, PQ_TT_BINARY, 15);
	for (int i = 0; i < 15; i++)
		pq_tw_string(&tw, "");
	pq_tw_struct_end(&tw);
	REQUIRE(finish_ok());
	CHECK_EQ_INT(buf.data[1], 0xe5);
	CHECK_EQ_INT(buf.data[16], 0x19);
	CHECK_EQ_INT(buf.data[17], 0xf8);
	CHECK_EQ_INT(buf.data[18], 15);

	/* list of structs */
	start(0);
	pq_tw_struct_begin(&tw);
	pq_tw_field_list_begin(&tw, 1, PQ_TT_STRUCT, 2);
	for (int i = 0; i < 2; i++) {
		pq_tw_struct_begin(&tw);
		pq_tw_field_i64(&tw, 1, 4 + i);
		pq_tw_struct_end(&tw);
	}
	pq_tw_field_i32(&tw, 2, 1);
	pq_tw_struct_end(&tw);
	CHECK_BYTES(0x19, 0x2c, 0x16, 0x08, 0x00, 0x16, 0x0a, 0x00, 0x15, 0x02, 0x00);
}

static void test_long_form_ids(void)
{
	start(0);
	pq_tw_struct_begin(&tw);
	pq_tw_field_i32(&tw, 1, 0);
	pq_tw_field_i64(&tw, 20, -1);
	pq_tw_struct_end(&tw);
	CHECK_BYTES(0x15, 0x00, 0x06, 0x28, 0x01, 0x00);

	/* delta 15 is still short form, 16 is long; a repeated id goes long too */
	start(0);
	pq_tw_struct_begin(&tw);
	pq_tw_field_bool(&tw, 15, 0);
	pq_tw_field_bool(&tw, 31, 1);
	pq_tw_field_i16(&tw, 31, -2);
	pq_tw_struct_end(&tw);
	CHECK_BYTES(0xf2, 0x01, 0x3e, 0x04, 0x3e, 0x03, 0x00);
}

static void test_primitives(void)
{
	static const char bin[5] = { 'a', 0, 'b', 0, 0 };
	char big[200];
	memset(big, 'x', sizeof big);
	start(0);
	pq_tw_struct_begin(&tw);
	pq_tw_field_double(&tw, 1, 1.5);
	pq_tw_field_binary(&tw, 2, bin, sizeof bin);
	pq_tw_field_binary(&tw, 3, big, sizeof big);
	pq_tw_field_i64(&tw, 4, INT64_MIN);
	pq_tw_field_i32(&tw, 5, INT32_MAX);
	pq_tw_struct_end(&tw);
	REQUIRE(finish_ok());
	static const uint8_t head[] = { 0x17, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x18, 5, 'a', 0, 'b', 0, 0,
		0x18, 0xc8, 0x01 };
	REQUIRE(buf.len == sizeof head + 200 + 1 + 10 + 1 + 5 + 1);
	for (size_t i = 0; i < sizeof head; i++) CHECK_EQ_INT(buf.data[i], head[i]);
	static const uint8_t tail[] = { 0x16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
		0x15, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x00 };
	CHECK_EQ_MEM(buf.data + sizeof head + 200, tail, sizeof tail);
}

static void test_errors(void)
{
	hfds_error err;
	/* the buffer ceiling makes the writer fail, and the failure sticks */
	start(8);
	pq_tw_struct_begin(&tw);
	for (int i = 1; i <= 10; i++)
		pq_tw_field_i64(&tw, (int16_t)i, INT64_MAX);
	pq_tw_struct_end(&tw);
	hfds_error_init(&err);
	CHECK_EQ_INT(pq_tw_finish(&tw, &err), HFDS_ELIMIT);
	CHECK(err.message[0] != 0);
	CHECK(buf.len <= 8);

	start(0);
	for (int i = 0; i < PQ_TW_MAX_DEPTH + 1; i++)
		pq_tw_struct_begin(&tw);
	hfds_error_init(&err);
	CHECK_EQ_INT(pq_tw_finish(&tw, &err), HFDS_ELIMIT);
}

int main(void)
{
	hfds_buf_init(&buf, 0);
	RUN(test_page_header);
	RUN(test_schema_element_string);
	RUN(test_schema_element_int8);
	RUN(test_lists);
	RUN(test_long_form_ids);
	RUN(test_primitives);
	RUN(test_errors);
	hfds_buf_release(&buf);
	TEST_END();
}
