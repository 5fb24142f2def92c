#include "test.h"
#include "util/base64.h"

static void check_encode(const char *in, const char *want)
{
	hfds_buf b;
	hfds_buf_init(&b, 0);
	CHECK_EQ_INT(hfds_base64_append(&b, in, strlen(in), NULL), 0);
	CHECK_EQ_INT(hfds_buf_cstr(&b, NULL), 0);
	CHECK_EQ_STR((const char *)b.data, want);
	CHECK_EQ_INT(hfds_base64_encoded_len(strlen(in)), strlen(want));
	hfds_buf_clear(&b);
	CHECK_EQ_INT(hfds_base64_decode(&b, want, strlen(want), NULL), 0);
	CHECK_EQ_INT(b.len, strlen(in));
	CHECK(b.len == 0 || memcmp(b.data, in, b.len) == 0);
	hfds_buf_release(&b);
}

static void test_rfc4648_vectors(void)
{
	check_encode("", "");
	check_encode("f", "Zg==");
	check_encode("fo", "Zm8=");
	check_encode("foo", "Zm9v");
	check_encode("foob", "Zm9vYg==");
	check_encode("fooba", "Zm9vYmE=");
	check_encode("foobar", "Zm9vYmFy");
	check_encode("\xff\xfe\xfd", "//79");
	check_encode("\xfb\xef", "++8=");
}

static void test_round_trip_all_bytes(void)
{
	uint8_t in[256];
	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)(255 - i);
	for (size_t n = 0; n <= sizeof(in); n += 37) {
		hfds_buf enc, dec;
		hfds_buf_init(&enc, 0);
		hfds_buf_init(&dec, 0);
		REQUIRE(hfds_base64_append(&enc, in, n, NULL) == 0);
		REQUIRE(hfds_base64_decode(&dec, (const char *)enc.data, enc.len, NULL) == 0);
		CHECK_EQ_INT(dec.len, n);
		CHECK(n == 0 || memcmp(dec.data, in, n) == 0);
		hfds_buf_release(&enc);
		hfds_buf_release(&dec);
	}
}

static void check_reject(const char *text, const char *msg_part)
{
	hfds_buf b;
	hfds_error err;
	hfds_buf_init(&b, 0);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_base64_decode(&b, text, strlen(text), &err), HFDS_EPARSE);
	if (!strstr(err.message, msg_part))
		CHECK_EQ_STR(err.message, msg_part);
	hfds_buf_release(&b);
}

static void test_rejects_bad_input(void)
{
	check_reject("Zg=", "not a multiple of 4");
	check_reject("Zm9v\n", "not a multiple of 4");
	check_reject("Zm 9", "offset 2: invalid character 0x20");
	check_reject("Zg==Zg==", "offset 2: invalid character 0x3d");
	check_reject("Z===", "offset 1: invalid character 0x3d");
	check_reject("Zh==", "non-zero bits");
	check_reject("Zm9=", "non-zero bits");
	check_reject("Zm-_", "offset 2: invalid character 0x2d");
}

static void test_limit(void)
{
	hfds_buf b;
	hfds_buf_init(&b, 5);
	CHECK_EQ_INT(hfds_base64_append(&b, "foob", 4, NULL), HFDS_ELIMIT);
	hfds_buf_release(&b);
}

int main(void)
{
	RUN(test_rfc4648_vectors);
	RUN(test_round_trip_all_bytes);
	RUN(test_rejects_bad_input);
	RUN(test_limit);
	TEST_END();
}
