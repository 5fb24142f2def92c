#include "test.h"
#include "util/utf8.h"
#include <stdlib.h>
#include <string.h>

#define V(s) hfds_utf8_validate(s, sizeof(s) - 1)

static void test_valid(void)
{
	CHECK_EQ_INT(V(""), 0);
	CHECK_EQ_INT(V("hello, world: plain ascii text"), 30);
	CHECK_EQ_INT(V("caf\xc3\xa9"), 5);
	CHECK_EQ_INT(V("\xe2\x82\xac"), 3);                 /* U+20AC */
	CHECK_EQ_INT(V("\xf0\x9f\x98\x80"), 4);             /* U+1F600 */
	CHECK_EQ_INT(V("\xf4\x8f\xbf\xbf"), 4);             /* U+10FFFF */
	CHECK_EQ_INT(V("\xed\x9f\xbf"), 3);                 /* U+D7FF */
	CHECK_EQ_INT(V("\xee\x80\x80"), 3);                 /* U+E000 */
	CHECK_EQ_INT(V("\x7f\x00"), 2);
	CHECK_EQ_INT(V("12345678\xc2\x80" "abcdefgh\xdf\xbf"), 20);
}

/* All-ASCII inputs whose length is a multiple of the 32-byte step end exactly at the buffer's
 * end: nothing past it may be read (an exact-size heap block, so ASan sees an overread). */
static void test_ascii_to_the_last_byte(void)
{
	for (size_t n = 1; n <= 96; n++) {
		char *b = malloc(n);
		CHECK(b != NULL);
		memset(b, 'a', n);
		CHECK_EQ_INT(hfds_utf8_validate(b, n), n);
		free(b);
	}
}

static void test_invalid_offsets(void)
{
	CHECK_EQ_INT(V("abc\x80"), 3);                      /* stray continuation */
	CHECK_EQ_INT(V("abc\xc0\x80"), 3);                  /* overlong NUL */
	CHECK_EQ_INT(V("\xc1\xbf"), 0);                     /* overlong */
	CHECK_EQ_INT(V("ab\xe0\x9f\xbf"), 2);               /* overlong 3-byte */
	CHECK_EQ_INT(V("\xed\xa0\x80"), 0);                 /* surrogate U+D800 */
	CHECK_EQ_INT(V("x\xed\xbf\xbf"), 1);                /* surrogate U+DFFF */
	CHECK_EQ_INT(V("\xf0\x8f\xbf\xbf"), 0);             /* overlong 4-byte */
	CHECK_EQ_INT(V("\xf4\x90\x80\x80"), 0);             /* U+110000 */
	CHECK_EQ_INT(V("\xf5\x80\x80\x80"), 0);
	CHECK_EQ_INT(V("\xff"), 0);
	CHECK_EQ_INT(V("abcdefghij\xe2\x82"), 10);          /* truncated at the end */
	CHECK_EQ_INT(V("\xe2\x82" "a"), 0);                 /* truncated in the middle */
	CHECK_EQ_INT(V("0123456789abcdef\xc3\xa9\xc3"), 18);
}

static void test_decode(void)
{
	uint32_t cp = 0;
	CHECK_EQ_INT(hfds_utf8_decode((const uint8_t *)"\xf0\x9f\x98\x80", 4, &cp), 4);
	CHECK_EQ_INT(cp, 0x1f600);
	CHECK_EQ_INT(hfds_utf8_decode((const uint8_t *)"\xc3\xa9", 2, &cp), 2);
	CHECK_EQ_INT(cp, 0xe9);
	CHECK_EQ_INT(hfds_utf8_decode((const uint8_t *)"\xc3\xa9", 1, &cp), 0);
}

/* Every 1..3-byte sequence agrees with a direct reading of the Unicode definition. */
static void test_exhaustive_short(void)
{
	for (uint32_t v = 0; v < (1u << 24); v += (v < (1u << 16) ? 1 : 7)) {
		uint8_t s[3] = { (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
		uint32_t cp = 0;
		size_t len = hfds_utf8_decode(s, 3, &cp);
		size_t want = 0;
		uint32_t b0 = s[0], b1 = s[1], b2 = s[2];
		if (b0 < 0x80)
			want = 1;
		else if (b0 >= 0xc2 && b0 <= 0xdf && (b1 & 0xc0) == 0x80)
			want = 2;
		else if (b0 >= 0xe0 && b0 <= 0xef && (b1 & 0xc0) == 0x80 && (b2 & 0xc0) == 0x80) {
			uint32_t c = (b0 & 15) << 12 | (b1 & 63) << 6 | (b2 & 63);
			want = c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 3 : 0;
		}
		if (len != want) {
			CHECK_EQ_INT(len, want);
			fprintf(stderr, "bytes %02x %02x %02x\n", b0, b1, b2);
			return;
		}
	}
}

int main(void)
{
	RUN(test_valid);
	RUN(test_ascii_to_the_last_byte);
	RUN(test_invalid_offsets);
	RUN(test_decode);
	RUN(test_exhaustive_short);
	TEST_END();
}
