/* The reader's own snappy decoder (parquet/read/snappy_dec.c) against libsnappy: whatever
 * libsnappy compresses comes back byte for byte (every copy offset class, overlapping
 * patterns of each period, literals of every length encoding, outputs ending close to the
 * fast path's slack), and on damaged streams both accept and refuse the same inputs, with
 * the same output when accepted. */
#include "test.h"

#include <snappy-c.h>

#include "parquet/read/decompress.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return rng >> 17;
}

/* libsnappy's verdict on src with an output of exactly want bytes: 0 ok, -1 refused. */
static int lib_decode(const uint8_t *src, size_t n, uint8_t *dst, size_t want)
{
	size_t len = 0;
	if (snappy_uncompressed_length((const char *)src, n, &len) != SNAPPY_OK || len != want)
		return -1;
	return snappy_uncompress((const char *)src, n, (char *)dst, &len) == SNAPPY_OK && len == want ? 0 : -1;
}

static int our_decode(const uint8_t *src, size_t n, uint8_t *dst, size_t want)
{
	hfds_error err;
	hfds_error_init(&err);
	return pq_snappy_decompress(src, n, dst, want, &err) == 0 ? 0 : -1;
}

/* compress with libsnappy, decode with ours; returns 1 when equal */
static int roundtrip(const uint8_t *src, size_t n)
{
	size_t clen = snappy_max_compressed_length(n);
	char *c = malloc(clen + 1);
	uint8_t *back = malloc(n + 1);
	hfds_error err;
	int ok;
	hfds_error_init(&err);
	if (!c || !back || snappy_compress((const char *)src, n, c, &clen) != SNAPPY_OK) {
		free(c);
		free(back);
		return 0;
	}
	ok = pq_snappy_decompress((const uint8_t *)c, clen, back, n, &err) == 0 && memcmp(back, src, n) == 0;
	if (!ok)
		fprintf(stderr, "roundtrip of %zu bytes: %s\n", n, err.message);
	free(c);
	free(back);
	return ok;
}

static void test_roundtrip_shapes(void)
{
	enum { N = 1 << 20 };
	uint8_t *buf = malloc(N);
	size_t i, sizes[] = { 0, 1, 2, 15, 16, 17, 63, 64, 65, 79, 80, 81, 95, 96, 97, 1000, 65536, 65537, N };
	int shape, period;
	REQUIRE(buf);
	for (shape = 0; shape < 6; shape++) {
		for (i = 0; i < N; i++) {
			uint64_t v = i / 8;
			switch (shape) {
			case 0: buf[i] = (uint8_t)next(); break;                       /* incompressible: long literals */
			case 1: buf[i] = (uint8_t)(v >> (8 * (i % 8)));  break;        /* sequential int64: offset 8 */
			case 2: buf[i] = i % 4096 < 3000 ? 'x' : (uint8_t)next(); break; /* runs: offset 1, len 64 */
			case 3: buf[i] = (uint8_t)("snappy page "[i % 12] ^ (next() % 97 == 0)); break;
			case 4: buf[i] = (uint8_t)((i * 2654435761u) >> 13 & 7); break; /* few symbols */
			default: buf[i] = i % 100000 < 70000 ? (uint8_t)next() : buf[i - 70000]; break; /* far copies */
			}
		}
		for (i = 0; i < sizeof sizes / sizeof *sizes; i++) {
			if (!roundtrip(buf, sizes[i])) {
				fprintf(stderr, "shape %d size %zu\n", shape, sizes[i]);
				CHECK(0);
			}
			if (sizes[i] > 200 && !roundtrip(buf + 3, sizes[i] - 103))
				CHECK(0);
		}
	}
	/* every period 1..40 (overlapping copies) behind a prefix, ending at every distance
	 * from the end of the output */
	for (period = 1; period <= 40; period++) {
		size_t n, j;
		for (j = 0; j < 200; j++)
			buf[j] = (uint8_t)next();
		for (n = 200; n < 600; n++)
			buf[n] = buf[200 + (n - 200) % (size_t)period];
		for (n = 201; n < 600; n += 7)
			CHECK(roundtrip(buf, n));
	}
	free(buf);
}

/* Literal lengths: one tag byte (1..60) and 1, 2, 3 length bytes, written by hand. */
static void test_literal_encodings(void)
{
	size_t lens[] = { 1, 16, 17, 60, 61, 256, 257, 65536, 65537, 70000 };
	size_t k;
	for (k = 0; k < sizeof lens / sizeof *lens; k++) {
		size_t n = lens[k], h = 0, i;
		uint8_t *c = malloc(n + 16), *out = malloc(n + 1), *want = malloc(n + 1);
		REQUIRE(c && out && want);
		for (i = n; i >= 0x80; i >>= 7) /* varint */
			c[h++] = (uint8_t)(i | 0x80);
		c[h++] = (uint8_t)i;
		if (n <= 60) {
			c[h++] = (uint8_t)((n - 1) << 2);
		} else {
			size_t v = n - 1, nb = v < 256 ? 1 : v < 65536 ? 2 : 3;
			c[h++] = (uint8_t)((59 + nb) << 2);
			for (i = 0; i < nb; i++)
				c[h++] = (uint8_t)(v >> (8 * i));
		}
		for (i = 0; i < n; i++)
			want[i] = c[h + i] = (uint8_t)next();
		CHECK(our_decode(c, h + n, out, n) == 0);
		CHECK_EQ_MEM(out, want, n);
		CHECK(lib_decode(c, h + n, out, n) == 0);
		CHECK(our_decode(c, h + n - 1, out, n) < 0); /* truncated literal */
		free(c);
		free(out);
		free(want);
	}
}

static void check_refused(const char *bytes, size_t n, size_t want, const char *msg)
{
	uint8_t out[256];
	hfds_error err;
	hfds_error_init(&err);
	CHECK(pq_snappy_decompress((const uint8_t *)bytes, n, out, want, &err) == HFDS_ECORRUPT);
	if (!strstr(err.message, msg)) {
		fprintf(stderr, "got \"%s\", expected \"%s\"\n", err.message, msg);
		CHECK(0);
	}
	CHECK(lib_decode((const uint8_t *)bytes, n, out, want) < 0);
}

static void test_refused(void)
{
	uint8_t out[16];
	hfds_error err;
	hfds_error_init(&err);
	check_refused("", 0, 0, "offset 0: truncated length header");
	check_refused("\x80\x80\x80\x80\x80\x01", 6, 0, "offset 5: length header longer than 5 bytes");
	check_refused("\xff\xff\xff\xff\x1f", 5, 0, "size mismatch");
	check_refused("\x05\x10" "abcde", 7, 4, "size mismatch (got 5 bytes, expected 4)");
	check_refused("\x05\x10" "abcd", 6, 5, "offset 1: literal extends past the input");
	check_refused("\x04\x10" "abcde", 7, 4, "offset 1: literal extends past the uncompressed size");
	check_refused("\x08\x0c" "abcd" "\x01", 7, 8, "offset 6: truncated copy");
	check_refused("\x08\x0c" "abcd" "\x01\x00", 8, 8, "offset 6: copy from before the start");
	check_refused("\x08\x0c" "abcd" "\x01\x05", 8, 8, "offset 6: copy from before the start");
	check_refused("\x08\x0c" "abcd" "\x12\x04\x00", 9, 8, "offset 6: copy extends past the uncompressed size");
	check_refused("\x08\x0c" "abcd" "\x0f\x04\x00", 9, 8, "offset 6: truncated copy");
	check_refused("\x08\x0c" "abcd", 6, 8, "size mismatch (got 4 bytes, expected 8)");
	check_refused("\x08\xf0", 2, 8, "offset 1: truncated literal length");
	/* libsnappy computes a 4-byte literal length in 32 bits: 2^32 is an empty literal */
	CHECK(pq_snappy_decompress((const uint8_t *)"\x00\xfc\xff\xff\xff\xff", 6, out, 0, &err) == 0);
	CHECK(lib_decode((const uint8_t *)"\x00\xfc\xff\xff\xff\xff", 6, out, 0) == 0);
	/* accepted: copies of each offset width, overlapping */
	CHECK(pq_snappy_decompress((const uint8_t *)"\x0a\x04" "ab" "\x11\x02", 6, out, 10, &err) == 0);
	CHECK_EQ_MEM(out, "ababababab", 10);
	CHECK(pq_snappy_decompress((const uint8_t *)"\x0a\x04" "ab" "\x1e\x01\x00", 7, out, 10, &err) == 0);
	CHECK_EQ_MEM(out, "abbbbbbbbb", 10);
	CHECK(pq_snappy_decompress((const uint8_t *)"\x0a\x04" "ab" "\x1f\x02\x00\x00\x00", 9, out, 10, &err) == 0);
	CHECK_EQ_MEM(out, "ababababab", 10);
}

/* Damaged streams: the same verdict as libsnappy, the same bytes when both accept. */
static void test_damaged_like_libsnappy(void)
{
	enum { N = 5000 };
	uint8_t src[N], a[N + 64], b[N + 64];
	char c[N * 2];
	size_t clen, i;
	int round, agree = 1, accepted = 0;
	for (i = 0; i < N; i++)
		src[i] = (uint8_t)(i % 300 < 200 ? next() % 4 : next());
	clen = sizeof c;
	REQUIRE(snappy_compress((const char *)src, N, c, &clen) == SNAPPY_OK);
	for (round = 0; round < 20000; round++) {
		char m[sizeof c];
		size_t n = clen, want = N;
		int k, lib, ours;
		memcpy(m, c, clen);
		for (k = 0; k < 1 + round % 3; k++)
			m[next() % n] ^= (char)(1 << (next() % 8));
		if (round % 5 == 0)
			n = next() % clen;
		if (round % 7 == 0)
			want = N - 1 + next() % 3;
		memset(a, 0, sizeof a);
		memset(b, 0, sizeof b);
		lib = lib_decode((const uint8_t *)m, n, a, want);
		ours = our_decode((const uint8_t *)m, n, b, want);
		if (lib != ours || (lib == 0 && memcmp(a, b, want) != 0)) {
			fprintf(stderr, "round %d: libsnappy %d, ours %d\n", round, lib, ours);
			agree = 0;
			break;
		}
		accepted += lib == 0;
	}
	CHECK(agree);
	CHECK(accepted > 100); /* flips inside literals keep streams valid */
}

/* pq_snappy_peek: the first bytes from the leading literal, or 0 when it does not hold them. */
static void test_peek(void)
{
	uint8_t src[300], c[400], pre[4];
	size_t clen = sizeof c, i;
	for (i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)next();
	REQUIRE(snappy_compress((const char *)src, sizeof src, (char *)c, &clen) == SNAPPY_OK);
	CHECK(pq_snappy_peek(c, clen, pre, 4) == 1);
	CHECK_EQ_MEM(pre, src, 4);
	CHECK(pq_snappy_peek(c, 3, pre, 4) == 0);                                     /* cut short */
	CHECK(pq_snappy_peek((const uint8_t *)"\x0a\x04" "ab" "\x11\x02", 6, pre, 4) == 0); /* 2-byte literal */
	CHECK(pq_snappy_peek((const uint8_t *)"\x04\x0c" "abcd", 6, pre, 4) == 1);
	CHECK_EQ_MEM(pre, "abcd", 4);
	CHECK(pq_snappy_peek((const uint8_t *)"\x04\x0c" "abc", 5, pre, 4) == 0);
	CHECK(pq_snappy_peek((const uint8_t *)"\x80\x80\x80\x80\x80\x80\x0c" "abcd", 11, pre, 4) == 0);
	CHECK(pq_snappy_peek((const uint8_t *)"", 0, pre, 4) == 0);
}

int main(void)
{
	RUN(test_roundtrip_shapes);
	RUN(test_literal_encodings);
	RUN(test_refused);
	RUN(test_damaged_like_libsnappy);
	RUN(test_peek);
	TEST_END();
}
