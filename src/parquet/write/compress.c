/*
 * Page compression. Every codec compresses straight into the output buffer after
 * reserving the library's worst-case bound, so there is no intermediate copy. The
 * compressor object caches what is expensive to set up per page: the ZSTD context
 * (allocating one costs more than compressing a small page), a zlib stream (reset, not
 * re-initialised, while the level stays the same) and the LZ4 state.
 */
#include "parquet/write/compress.h"

#include <limits.h>
#include <string.h>

#include <brotli/encode.h>
#include <lz4.h>
#include <lz4hc.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "parquet/write/enc_impl.h"
#include "parquet/format/pq_format.h"
#include "util/alloc.h"
#include "util/try.h"

struct pq_compressor {
	ZSTD_CCtx *zstd;
	z_stream gz;
	int gz_level;        /* level gz was initialised with; 0 = not initialised */
	void *lz4_state;     /* LZ4_sizeofState() bytes, 8-aligned */
	void *lz4hc_state;   /* LZ4_sizeofStateHC() bytes */
};

int pq_compressor_new(pq_compressor **out, hfds_error *err)
{
	pq_compressor *c = hfds_calloc(1, sizeof *c);
	*out = NULL;
	if (!c)
		return hfds_error_set(err, HFDS_ENOMEM, "compressor: out of memory");
	*out = c;
	return 0;
}

void pq_compressor_free(pq_compressor *c)
{
	if (!c)
		return;
	ZSTD_freeCCtx(c->zstd);
	if (c->gz_level)
		deflateEnd(&c->gz);
	hfds_free(c->lz4_state);
	hfds_free(c->lz4hc_state);
	hfds_free(c);
}

int pq_codec_supported(int codec)
{
	switch (codec) {
	case PQ_CODEC_UNCOMPRESSED: case PQ_CODEC_SNAPPY: case PQ_CODEC_GZIP:
	case PQ_CODEC_BROTLI: case PQ_CODEC_ZSTD: case PQ_CODEC_LZ4_RAW:
		return 1;
	default:
		return 0;
	}
}

size_t pq_compress_bound(int codec, size_t n)
{
	switch (codec) {
	case PQ_CODEC_UNCOMPRESSED:
		return n;
	case PQ_CODEC_SNAPPY:
		return n > UINT32_MAX ? 0 : snappy_max_compressed_length(n);
	case PQ_CODEC_GZIP:
		/* deflateBound for default memLevel, plus the gzip header/trailer */
		return n > UINT32_MAX / 2 ? 0 : n + (n >> 12) + (n >> 14) + (n >> 25) + 13 + 18 + 64;
	case PQ_CODEC_BROTLI:
		return BrotliEncoderMaxCompressedSize(n);
	case PQ_CODEC_ZSTD: {
		size_t b = ZSTD_compressBound(n);
		return ZSTD_isError(b) ? 0 : b;
	}
	case PQ_CODEC_LZ4_RAW:
		return n > LZ4_MAX_INPUT_SIZE ? 0 : (size_t)LZ4_compressBound((int)n);
	default:
		return 0;
	}
}

static int do_zstd(pq_compressor *c, int level, const void *src, size_t n, uint8_t *dst,
	size_t cap, size_t *outn, hfds_error *err)
{
	ZSTD_CCtx *tmp = NULL, *cc;
	size_t r;
	if (c) {
		if (!c->zstd && !(c->zstd = ZSTD_createCCtx()))
			return hfds_error_set(err, HFDS_ENOMEM, "zstd: out of memory");
		cc = c->zstd;
	} else if (!(cc = tmp = ZSTD_createCCtx())) {
		return hfds_error_set(err, HFDS_ENOMEM, "zstd: out of memory");
	}
	r = ZSTD_compressCCtx(cc, dst, cap, src, n, level ? level : 1);
	ZSTD_freeCCtx(tmp);
	if (ZSTD_isError(r))
		return hfds_error_set(err, HFDS_EIO, "zstd: %s", ZSTD_getErrorName(r));
	*outn = r;
	return 0;
}

static int do_gzip(pq_compressor *c, int level, const void *src, size_t n, uint8_t *dst,
	size_t cap, size_t *outn, hfds_error *err)
{
	z_stream local, *zs;
	int zr, own = 0;
	if (level == 0)
		level = 6;
	if (level < 1)
		level = 1;
	if (level > 9)
		level = 9;
	if (c && c->gz_level == level) {
		zs = &c->gz;
		deflateReset(zs);
	} else {
		if (c && c->gz_level) {
			deflateEnd(&c->gz);
			c->gz_level = 0;
		}
		zs = c ? &c->gz : &local;
		memset(zs, 0, sizeof *zs);
		if (deflateInit2(zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return hfds_error_set(err, HFDS_ENOMEM, "gzip: cannot initialise deflate");
		if (c)
			c->gz_level = level;
		else
			own = 1;
	}
	zs->next_in = (Bytef *)(uintptr_t)src;
	zs->avail_in = (uInt)n;
	zs->next_out = dst;
	zs->avail_out = (uInt)(cap > UINT_MAX ? UINT_MAX : cap);
	zr = deflate(zs, Z_FINISH);
	*outn = zs->total_out;
	if (own)
		deflateEnd(zs);
	if (zr != Z_STREAM_END)
		return hfds_error_set(err, HFDS_EIO, "gzip: deflate failed (%d)", zr);
	return 0;
}

static int do_lz4(pq_compressor *c, int level, const void *src, size_t n, uint8_t *dst,
	size_t cap, size_t *outn, hfds_error *err)
{
	int r, icap = cap > INT_MAX ? INT_MAX : (int)cap;
	if (level > 0) {
		if (c && !c->lz4hc_state && !(c->lz4hc_state = hfds_malloc((size_t)LZ4_sizeofStateHC())))
			return hfds_error_set(err, HFDS_ENOMEM, "lz4: out of memory");
		r = c ? LZ4_compress_HC_extStateHC(c->lz4hc_state, src, (char *)dst, (int)n, icap, level)
			: LZ4_compress_HC(src, (char *)dst, (int)n, icap, level);
	} else {
		if (c && !c->lz4_state && !(c->lz4_state = hfds_malloc((size_t)LZ4_sizeofState())))
			return hfds_error_set(err, HFDS_ENOMEM, "lz4: out of memory");
		r = c ? LZ4_compress_fast_extState(c->lz4_state, src, (char *)dst, (int)n, icap, 1)
			: LZ4_compress_default(src, (char *)dst, (int)n, icap);
	}
	if (r <= 0)
		return hfds_error_set(err, HFDS_EIO, "lz4: compression failed");
	*outn = (size_t)r;
	return 0;
}

int pq_compress(pq_compressor *c, int codec, int level, const void *src, size_t n, hfds_buf *out,
	hfds_error *err)
{
	int rc = 0;
	size_t bound, outn = 0;
	uint8_t *dst;
	if (!pq_codec_supported(codec))
		return hfds_error_set(err, HFDS_EUNSUPPORTED, "compression codec %d is not supported", codec);
	if (codec == PQ_CODEC_UNCOMPRESSED)
		return hfds_buf_append(out, src, n, err);
	bound = pq_compress_bound(codec, n);
	HFDS_FAIL_IF(bound == 0, HFDS_ELIMIT, err, "compression: %zu bytes is too large for codec %d",
		n, codec);
	HFDS_TRY(hfds_buf_reserve(out, bound, err));
	dst = out->data + out->len;
	switch (codec) {
	case PQ_CODEC_SNAPPY:
		outn = bound;
		HFDS_FAIL_IF(snappy_compress(src, n, (char *)dst, &outn) != SNAPPY_OK, HFDS_EIO, err,
			"snappy: compression failed");
		break;
	case PQ_CODEC_GZIP:
		HFDS_TRY(do_gzip(c, level, src, n, dst, bound, &outn, err));
		break;
	case PQ_CODEC_BROTLI:
		outn = bound;
		HFDS_FAIL_IF(!BrotliEncoderCompress(level ? (level < 0 ? 0 : level > 11 ? 11 : level) : 1,
			BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, n, src, &outn, dst),
			HFDS_EIO, err, "brotli: compression failed");
		break;
	case PQ_CODEC_ZSTD:
		HFDS_TRY(do_zstd(c, level, src, n, dst, bound, &outn, err));
		break;
	default:
		HFDS_TRY(do_lz4(c, level, src, n, dst, bound, &outn, err));
		break;
	}
	out->len += outn;
done:
	return rc;
}

/*
 * A snappy stream is its uncompressed length (varint) followed by elements, and a copy
 * element points back by distance, so [length][literal head][elements of snappy(src)] is
 * a valid stream of head ++ src. snappy_compress writes [varint n][elements]; it is placed
 * so that its varint falls inside the bytes the prefix and head then overwrite.
 */
static int snappy_after(const uint8_t *head, size_t hn, const void *src, size_t n, hfds_buf *out,
	hfds_error *err)
{
	int rc = 0;
	uint8_t pre[16], tmp[8];
	size_t np = pq__put_uleb(pre, (uint32_t)(hn + n));
	if (hn > 0) {
		uint32_t l = (uint32_t)(hn - 1);
		if (l < 60) {
			pre[np++] = (uint8_t)(l << 2);
		} else {
			int bytes = l < (1u << 8) ? 1 : l < (1u << 16) ? 2 : l < (1u << 24) ? 3 : 4;
			pre[np++] = (uint8_t)((59 + bytes) << 2);
			for (int i = 0; i < bytes; i++)
				pre[np++] = (uint8_t)(l >> (8 * i));
		}
	}
	size_t vb = pq__put_uleb(tmp, (uint32_t)n);
	size_t bound = snappy_max_compressed_length(n);
	size_t at = np + hn - vb; /* >= 0: the total's varint is at least as long as n's */
	HFDS_TRY(hfds_buf_reserve(out, at + bound, err));
	uint8_t *base = out->data + out->len;
	size_t outn = bound;
	HFDS_FAIL_IF(snappy_compress(src, n, (char *)base + at, &outn) != SNAPPY_OK, HFDS_EIO, err,
		"snappy: compression failed");
	memcpy(base, pre, np);
	memcpy(base + np, head, hn);
	out->len += at + outn;
done:
	return rc;
}

int pq_compress_after(pq_compressor *c, int codec, int level, hfds_buf *head, const void *src, size_t n,
	hfds_buf *out, hfds_error *err)
{
	int rc = 0;
	if (head->len == 0)
		return pq_compress(c, codec, level, src, n, out, err);
	if (codec == PQ_CODEC_UNCOMPRESSED) {
		HFDS_TRY(hfds_buf_append(out, head->data, head->len, err));
		return hfds_buf_append(out, src, n, err);
	}
	/* a literal head is not compressed, and levels with a regular pattern of nulls compress
	 * well: only a short head (a level run or two) goes in as a literal */
	if (codec == PQ_CODEC_SNAPPY && head->len <= 256 && n <= UINT32_MAX / 2)
		return snappy_after(head->data, head->len, src, n, out, err);
	HFDS_TRY(hfds_buf_append(head, src, n, err));
	HFDS_TRY(pq_compress(c, codec, level, head->data, head->len, out, err));
done:
	return rc;
}

/*
 * Whether a column chunk of media pays for its codec. FLAC, MP3, JPEG or PNG bytes are
 * already compressed: snappy saves nothing on them and costs a pass over every byte (plus a
 * reader's pass to decompress), while MIDI, WAV, numpy arrays or text-like blobs compress
 * well. So the chunk's first bytes decide, which makes the choice depend on the data alone
 * (never on timing or threads): the same input gives the same file.
 */
int pq_codec_pays(int codec, int level, const void *sample, size_t n, int *pays, hfds_error *err)
{
	int rc = 0;
	hfds_buf out;
	hfds_buf_init(&out, 0);
	*pays = codec != PQ_CODEC_UNCOMPRESSED;
	if (!*pays || n == 0)
		return 0;
	if (n > PQ_PROBE_BYTES)
		n = PQ_PROBE_BYTES;
	HFDS_TRY(pq_compress(NULL, codec, level, sample, n, &out, err));
	*pays = out.len <= n - n / PQ_PROBE_MIN_SAVING;
done:
	hfds_buf_release(&out);
	return rc;
}

uint32_t pq_crc32(uint32_t crc, const void *data, size_t n)
{
	const Bytef *p = data;
	uLong c = crc;
	while (n > 0) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, p, k);
		p += k;
		n -= k;
	}
	return (uint32_t)c;
}
