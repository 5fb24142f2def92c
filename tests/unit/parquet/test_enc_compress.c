/* Page compression: every codec round-trips through its own library's decoder, also for a
 * page body compressed behind its levels (pq_compress_after). */
#include "test.h"

#include <brotli/decode.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "parquet/write/compress.h"
#include "parquet/format/pq_format.h"

static int decompress(int codec, const uint8_t *src, size_t n, uint8_t *dst, size_t cap, size_t *outn)
{
	switch (codec) {
	case PQ_CODEC_UNCOMPRESSED:
		if (n > cap)
			return -1;
		memcpy(dst, src, n);
		*outn = n;
		return 0;
	case PQ_CODEC_SNAPPY:
		*outn = cap;
		return snappy_uncompress((const char *)src, n, (char *)dst, outn) == SNAPPY_OK ? 0 : -1;
	case PQ_CODEC_GZIP: {
		z_stream zs;
		memset(&zs, 0, sizeof zs);
		if (inflateInit2(&zs, 31) != Z_OK)
			return -1;
		zs.next_in = (Bytef *)(uintptr_t)src;
		zs.avail_in = (uInt)n;
		zs.next_out = dst;
		zs.avail_out = (uInt)cap;
		int r = inflate(&zs, Z_FINISH);
		*outn = zs.total_out;
		int rest = zs.avail_in != 0;
		inflateEnd(&zs);
		return r == Z_STREAM_END && !rest ? 0 : -1;
	}
	case PQ_CODEC_BROTLI:
		*outn = cap;
		return BrotliDecoderDecompress(n, src, outn, dst) == BROTLI_DECODER_RESULT_SUCCESS ? 0 : -1;
	case PQ_CODEC_ZSTD: {
		size_t r = ZSTD_decompress(dst, cap, src, n);
		if (ZSTD_isError(r))
			return -1;
		*outn = r;
		return 0;
	}
	case PQ_CODEC_LZ4_RAW: {
		int r = LZ4_decompress_safe((const char *)src, (char *)dst, (int)n, (int)cap);
		if (r < 0)
			return -1;
		*outn = (size_t)r;
		return 0;
	}
	}
	return -1;
}

static const int codecs[] = { PQ_CODEC_UNCOMPRESSED, PQ_CODEC_SNAPPY, PQ_CODEC_GZIP, PQ_CODEC_BROTLI,
	PQ_CODEC_ZSTD, PQ_CODEC_LZ4_RAW };

static void test_roundtrip(void)
{
	enum { N = 300000 };
	static uint8_t src[N], back[N + 16];
	pq_compressor *c = NULL;
	hfds_error err;
	hfds_buf out;
	uint64_t r = 99;
	hfds_error_init(&err);
	hfds_buf_init(&out, 0);
	/* compressible: a text-like mix of repeats and noise */
	for (size_t i = 0; i < N; i++) {
		r = r * 6364136223846793005ull + 1442695040888963407ull;
		src[i] = (i / 64) % 3 == 0 ? (uint8_t)(r >> 56) : (uint8_t)("parquet "[i % 8]);
	}
	REQUIRE(pq_compressor_new(&c, &err) == 0);
	size_t sizes[] = { 0, 1, 17, 4096, N };
	int levels[] = { 0, 1, 3, 9 };
	for (size_t ci = 0; ci < sizeof codecs / sizeof *codecs; ci++) {
		int codec = codecs[ci];
		CHECK(pq_codec_supported(codec));
		for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
			for (size_t li = 0; li < sizeof levels / sizeof *levels; li++) {
				for (int use_ctx = 0; use_ctx < 2; use_ctx++) {
					size_t n = sizes[si], got = 0;
					hfds_buf_clear(&out);
					hfds_buf_append(&out, "hdr", 3, &err); /* appends after existing bytes */
					REQUIRE(pq_compress(use_ctx ? c : NULL, codec, levels[li], src, n, &out, &err) == 0);
					CHECK(out.len - 3 <= pq_compress_bound(codec, n));
					CHECK(memcmp(out.data, "hdr", 3) == 0);
					if (decompress(codec, out.data + 3, out.len - 3, back, sizeof back, &got) != 0) {
						fprintf(stderr, "codec %d level %d size %zu: decode failed\n", codec,
							levels[li], n);
						CHECK(0);
						continue;
					}
					CHECK_EQ_INT(got, n);
					CHECK(got == n && memcmp(back, src, n) == 0);
					if (codec != PQ_CODEC_UNCOMPRESSED && n == N)
						CHECK(out.len - 3 < n);
				}
			}
		}
	}
	/* deterministic: same input, same bytes, with a fresh, a reused (after other levels
	 * and inputs) or no compressor */
	for (size_t ci = 0; ci < sizeof codecs / sizeof *codecs; ci++) {
		for (int level = 0; level <= 3; level += 3) {
			hfds_buf a, b, x;
			pq_compressor *fresh = NULL;
			hfds_buf_init(&a, 0);
			hfds_buf_init(&b, 0);
			hfds_buf_init(&x, 0);
			REQUIRE(pq_compressor_new(&fresh, &err) == 0);
			CHECK(pq_compress(fresh, codecs[ci], level, src, N, &a, &err) == 0);
			CHECK(pq_compress(c, codecs[ci], level + 1, src + 7, 5000, &x, &err) == 0);
			CHECK(pq_compress(c, codecs[ci], level, src, N, &b, &err) == 0);
			CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
			hfds_buf_clear(&b);
			CHECK(pq_compress(NULL, codecs[ci], level, src, N, &b, &err) == 0);
			CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
			pq_compressor_free(fresh);
			hfds_buf_release(&a);
			hfds_buf_release(&b);
			hfds_buf_release(&x);
		}
	}
	pq_compressor_free(c);
	hfds_buf_release(&out);
}

/* head ++ src through pq_compress_after decodes to the concatenation with every codec;
 * snappy heads around the literal tag sizes (60, 256) and past the literal limit. */
static void test_compress_after(void)
{
	enum { N = 70000 };
	static uint8_t src[N], want[N + 400], back[N + 400];
	hfds_error err;
	hfds_buf head, out;
	hfds_error_init(&err);
	hfds_buf_init(&head, 0);
	hfds_buf_init(&out, 0);
	for (size_t i = 0; i < N; i++)
		src[i] = (uint8_t)((i * 7) % 251 < 100 ? i % 5 : (i * 2654435761u) >> 13);
	size_t heads[] = { 0, 1, 59, 60, 61, 256, 257, 300 };
	size_t sizes[] = { 0, 1, 1000, N };
	for (size_t ci = 0; ci < sizeof codecs / sizeof *codecs; ci++)
		for (size_t hi = 0; hi < sizeof heads / sizeof *heads; hi++)
			for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
				size_t hn = heads[hi], n = sizes[si], got = 0;
				hfds_buf_clear(&head);
				for (size_t i = 0; i < hn; i++)
					REQUIRE(hfds_buf_append(&head, &(uint8_t){ (uint8_t)(i * 31) }, 1, &err) == 0);
				if (hn)
					memcpy(want, head.data, hn);
				memcpy(want + hn, src, n);
				hfds_buf_clear(&out);
				REQUIRE(hfds_buf_append(&out, "hdr", 3, &err) == 0);
				REQUIRE(pq_compress_after(NULL, codecs[ci], 0, &head, src, n, &out, &err) == 0);
				CHECK(memcmp(out.data, "hdr", 3) == 0);
				int dec = decompress(codecs[ci], out.data + 3, out.len - 3, back, sizeof back, &got);
				CHECK_EQ_INT(dec, 0);
				CHECK_EQ_INT(got, hn + n);
				if (dec != 0 || got != hn + n || memcmp(back, want, got) != 0) {
					fprintf(stderr, "codec %d head %zu size %zu: wrong bytes\n", codecs[ci], hn, n);
					CHECK(0);
				}
			}
	hfds_buf_release(&head);
	hfds_buf_release(&out);
}

static void test_errors(void)
{
	hfds_error err;
	hfds_buf out;
	hfds_error_init(&err);
	hfds_buf_init(&out, 10);
	CHECK(!pq_codec_supported(PQ_CODEC_LZ4));
	CHECK(!pq_codec_supported(PQ_CODEC_LZO));
	CHECK_EQ_INT(pq_compress(NULL, PQ_CODEC_LZ4, 0, "x", 1, &out, &err), HFDS_EUNSUPPORTED);
	CHECK_EQ_INT(pq_compress_bound(PQ_CODEC_LZ4, 10), 0);
	/* the output ceiling is honoured */
	static uint8_t big[1000];
	hfds_error_init(&err);
	CHECK_EQ_INT(pq_compress(NULL, PQ_CODEC_SNAPPY, 0, big, sizeof big, &out, &err), HFDS_ELIMIT);
	CHECK_EQ_INT(pq_compress(NULL, PQ_CODEC_UNCOMPRESSED, 0, big, sizeof big, &out, &err), HFDS_ELIMIT);
	hfds_buf_release(&out);
	pq_compressor_free(NULL);
}

static void test_crc32(void)
{
	CHECK_EQ_INT(pq_crc32(0, "123456789", 9), 0xCBF43926u);
	CHECK_EQ_INT(pq_crc32(pq_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
	CHECK_EQ_INT(pq_crc32(0, "", 0), 0);
}

/* The media probe: noise (FLAC-like) does not pay for any codec, repetitive bytes do, on the
 * sample's first 64 KiB only; UNCOMPRESSED never "pays", an empty sample keeps the codec. */
static void test_codec_pays(void)
{
	enum { N = 256 << 10 };
	static uint8_t noise[N], mixed[N];
	uint64_t x = 88172645463325252ull;
	int pays = -1;
	hfds_error err;
	for (size_t i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		noise[i] = (uint8_t)x;
		mixed[i] = i < PQ_PROBE_BYTES ? (uint8_t)(i % 7) : noise[i];
	}
	for (size_t k = 1; k < sizeof(codecs) / sizeof(codecs[0]); k++) {
		CHECK_EQ_INT(pq_codec_pays(codecs[k], 0, noise, N, &pays, &err), 0);
		CHECK_EQ_INT(pays, 0);
		CHECK_EQ_INT(pq_codec_pays(codecs[k], 0, mixed, N, &pays, &err), 0);
		CHECK_EQ_INT(pays, 1);   /* decided on the first 64 KiB */
		CHECK_EQ_INT(pq_codec_pays(codecs[k], 0, noise, 0, &pays, &err), 0);
		CHECK_EQ_INT(pays, 1);
	}
	/* noise in the first 64 KiB, repetition behind: not looked at */
	memcpy(mixed, noise, PQ_PROBE_BYTES);
	memset(mixed + PQ_PROBE_BYTES, 0, N - PQ_PROBE_BYTES);
	CHECK_EQ_INT(pq_codec_pays(PQ_CODEC_SNAPPY, 0, mixed, N, &pays, &err), 0);
	CHECK_EQ_INT(pays, 0);
	/* the threshold: a run of zeros over 1.5% of the sample saves under 1/32, over 6% more */
	for (size_t k = 1; k < sizeof(codecs) / sizeof(codecs[0]); k++) {
		memcpy(mixed, noise, PQ_PROBE_BYTES);
		memset(mixed, 0, PQ_PROBE_BYTES / 64);
		CHECK_EQ_INT(pq_codec_pays(codecs[k], 0, mixed, PQ_PROBE_BYTES, &pays, &err), 0);
		CHECK_EQ_INT(pays, 0);
		memset(mixed, 0, PQ_PROBE_BYTES / 16);
		CHECK_EQ_INT(pq_codec_pays(codecs[k], 0, mixed, PQ_PROBE_BYTES, &pays, &err), 0);
		CHECK_EQ_INT(pays, 1);
	}
	CHECK_EQ_INT(pq_codec_pays(PQ_CODEC_UNCOMPRESSED, 0, mixed, N, &pays, &err), 0);
	CHECK_EQ_INT(pays, 0);
}

int main(void)
{
	RUN(test_roundtrip);
	RUN(test_compress_after);
	RUN(test_errors);
	RUN(test_crc32);
	RUN(test_codec_pays);
	TEST_END();
}
