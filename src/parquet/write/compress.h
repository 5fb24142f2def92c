/*
 * Page compression for the Parquet writer (../shared/spec/parquet.md §3) and the page
 * CRC-32. Codecs: UNCOMPRESSED, SNAPPY (raw block), GZIP (one RFC 1952 member),
 * BROTLI, ZSTD (one frame), LZ4_RAW (one LZ4 block). Never the Hadoop-framed LZ4 (5)
 * nor LZO (3): those give HFDS_EUNSUPPORTED.
 *
 * Levels: 0 = the codec's default (zstd 1, gzip 6, brotli 1, lz4_raw: fast mode).
 * zstd accepts 1..22 and negative "fast" levels; gzip 1..9; brotli 0..11; lz4_raw > 0
 * selects LZ4 HC at that level. Out-of-range levels are clamped by the libraries.
 * Output is deterministic for a given (codec, level, input).
 *
 * A pq_compressor caches codec state (the ZSTD context, whose allocation dominates
 * small-page compression). Keep one per thread (e.g. per pool task or worker) and reuse it
 * for every page; it must not be used by two threads at once. Passing NULL to
 * pq_compress is allowed and uses throw-away state (slower for zstd/gzip).
 */
#ifndef HFDS_PQ_COMPRESS_H
#define HFDS_PQ_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/common.h"
#include "util/buf.h"

typedef struct pq_compressor pq_compressor;

int pq_compressor_new(pq_compressor **out, hfds_error *err);
void pq_compressor_free(pq_compressor *c); /* NULL-safe */

/* 1 if pq_compress supports codec (PQ_CODEC_*), else 0. */
int pq_codec_supported(int codec);

/* Worst-case compressed size of n input bytes; 0 if the codec is unsupported or the
 * bound overflows. */
size_t pq_compress_bound(int codec, size_t n);

/*
 * Compresses src[0..n) with codec at level and appends the result to out (nothing else:
 * no length prefix or framing beyond the codec's own). n = 0 is valid and produces the
 * codec's encoding of empty input (0 bytes for UNCOMPRESSED). Errors: HFDS_EUNSUPPORTED
 * (codec), HFDS_ELIMIT (out's ceiling, or n above what the codec takes: 2^31 for LZ4,
 * 2^32 for snappy), HFDS_ENOMEM, HFDS_EIO (library failure, with its message).
 */
int pq_compress(pq_compressor *c, int codec, int level, const void *src, size_t n, hfds_buf *out,
	hfds_error *err);

/*
 * Compresses the concatenation head ++ src[0..n) and appends it to out, as pq_compress
 * would. `head` (the page's levels) is extended with src when the codec needs one
 * contiguous input; with SNAPPY and a head of at most 256 bytes, src is compressed in place
 * behind a literal element holding head (one valid snappy stream, no copy of src).
 * Same errors as pq_compress.
 */
int pq_compress_after(pq_compressor *c, int codec, int level, hfds_buf *head, const void *src, size_t n,
	hfds_buf *out, hfds_error *err);

/*
 * Probes a column chunk of binary values (media): compresses the first PQ_PROBE_BYTES of
 * sample[0..n) with codec and sets *pays to 1 when that saves at least 1/PQ_PROBE_MIN_SAVING
 * (~3 %) of them, else 0 (the chunk is then better written UNCOMPRESSED: parquet takes a codec
 * per column chunk). n = 0 or a codec that compresses: *pays = 1; UNCOMPRESSED: 0.
 * Deterministic: depends on the bytes only. Same errors as pq_compress.
 */
#define PQ_PROBE_BYTES (64u << 10)
#define PQ_PROBE_MIN_SAVING 32
int pq_codec_pays(int codec, int level, const void *sample, size_t n, int *pays, hfds_error *err);

/* Standard CRC-32 (zlib's crc32, gzip polynomial), chainable: start with crc = 0.
 * A page header stores (int32_t)pq_crc32(0, stored_page_bytes, len). */
uint32_t pq_crc32(uint32_t crc, const void *data, size_t n);

#endif
