/*
 * Codec adapters. GZIP accepts concatenated members; LZ4 (codec 5) tries Hadoop framing
 * first and falls back to one raw block, as Arrow does (old parquet-cpp wrote raw blocks).
 */
#include "parquet/read/decompress.h"

#include <brotli/decode.h>
#include <lz4.h>
#include <zlib.h>
#include <zstd.h>

#include <string.h>

#include "parquet/format/pq_format.h"

static int bad(hfds_error *err, const char *codec, const char *what, size_t got, size_t want)
{
	return hfds_error_set(err, HFDS_ECORRUPT, "%s: %s (got %zu bytes, expected %zu)", codec, what, got, want);
}

static int gunzip(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len, hfds_error *err)
{
	z_stream z = {0};
	int zr, rc = 0;
	if (inflateInit2(&z, 15 + 32) != Z_OK)
		return hfds_error_set(err, HFDS_ENOMEM, "gzip: cannot initialise zlib");
	z.next_in = (Bytef *)src;
	z.avail_in = (uInt)n;
	z.next_out = dst;
	z.avail_out = (uInt)dst_len;
	for (;;) {
		zr = inflate(&z, Z_FINISH);
		if (zr == Z_STREAM_END) {
			/* another member? (skip trailing zero padding) */
			while (z.avail_in && *z.next_in == 0) {
				z.next_in++;
				z.avail_in--;
			}
			if (z.avail_in == 0)
				break;
			if (inflateReset(&z) != Z_OK) {
				rc = bad(err, "gzip", "cannot reset", z.total_out, dst_len);
				break;
			}
			continue;
		}
		if (zr == Z_BUF_ERROR && z.avail_out == 0 && z.avail_in > 0) {
			rc = bad(err, "gzip", "data inflates beyond the page size", dst_len, dst_len);
			break;
		}
		rc = hfds_error_set(err, HFDS_ECORRUPT, "gzip: %s", z.msg ? z.msg : "invalid or truncated stream");
		break;
	}
	if (rc == 0 && (size_t)(z.next_out - dst) != dst_len)
		rc = bad(err, "gzip", "size mismatch", (size_t)(z.next_out - dst), dst_len);
	inflateEnd(&z);
	return rc;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int hadoop_lz4(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len)
{
	size_t in = 0, out = 0;
	while (in < n) {
		uint32_t dsz, csz;
		int r;
		if (n - in < 8)
			return -1;
		dsz = be32(src + in);
		csz = be32(src + in + 4);
		in += 8;
		if (csz > n - in || dsz > dst_len - out || csz > INT32_MAX || dsz > INT32_MAX)
			return -1;
		r = LZ4_decompress_safe((const char *)src + in, (char *)dst + out, (int)csz, (int)dsz);
		if (r < 0 || (uint32_t)r != dsz)
			return -1;
		in += csz;
		out += dsz;
	}
	return out == dst_len ? 0 : -1;
}

int pq_decompress(int codec, const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len,
		  hfds_error *err)
{
	size_t got;
	if (n > INT32_MAX || dst_len > INT32_MAX)
		return hfds_error_set(err, HFDS_ELIMIT, "page larger than 2 GiB");
	switch (codec) {
	case PQ_CODEC_UNCOMPRESSED:
		if (n != dst_len)
			return bad(err, "uncompressed", "size mismatch", n, dst_len);
		if (n)
			memcpy(dst, src, n);
		return 0;
	case PQ_CODEC_SNAPPY:
		return pq_snappy_decompress(src, n, dst, dst_len, err);
	case PQ_CODEC_GZIP:
		return gunzip(src, n, dst, dst_len, err);
	case PQ_CODEC_ZSTD:
		got = ZSTD_decompress(dst, dst_len, src, n);
		if (ZSTD_isError(got))
			return hfds_error_set(err, HFDS_ECORRUPT, "zstd: %s", ZSTD_getErrorName(got));
		if (got != dst_len)
			return bad(err, "zstd", "size mismatch", got, dst_len);
		return 0;
	case PQ_CODEC_LZ4_RAW: {
		int r = LZ4_decompress_safe((const char *)src, (char *)dst, (int)n, (int)dst_len);
		if (r < 0)
			return hfds_error_set(err, HFDS_ECORRUPT, "lz4_raw: invalid compressed data");
		if ((size_t)r != dst_len)
			return bad(err, "lz4_raw", "size mismatch", (size_t)r, dst_len);
		return 0;
	}
	case PQ_CODEC_LZ4: {
		int r;
		if (hadoop_lz4(src, n, dst, dst_len) == 0)
			return 0;
		r = LZ4_decompress_safe((const char *)src, (char *)dst, (int)n, (int)dst_len);
		if (r < 0 || (size_t)r != dst_len)
			return hfds_error_set(err, HFDS_ECORRUPT, "lz4: neither Hadoop-framed nor a raw block");
		return 0;
	}
	case PQ_CODEC_BROTLI:
		got = dst_len;
		if (BrotliDecoderDecompress(n, src, &got, dst) != BROTLI_DECODER_RESULT_SUCCESS)
			return hfds_error_set(err, HFDS_ECORRUPT, "brotli: invalid compressed data");
		if (got != dst_len)
			return bad(err, "brotli", "size mismatch", got, dst_len);
		return 0;
	case PQ_CODEC_LZO:
		return hfds_error_set(err, HFDS_EUNSUPPORTED, "lzo: codec not supported");
	default:
		return hfds_error_set(err, HFDS_ECORRUPT, "unknown codec %d", codec);
	}
}
