/*
 * Page decompression for every Parquet codec but LZO (spec/parquet.md §3).
 * The caller knows the exact uncompressed size from the page header and provides dst of
 * that size; any other result is HFDS_ECORRUPT. 0-byte input with 0-byte output is never
 * passed to a codec. Messages start with "<codec>: "; the caller prefixes the location.
 */
#ifndef HFDS_PQ_DECOMPRESS_H
#define HFDS_PQ_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/common.h"

int pq_decompress(int codec, const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len,
		  hfds_error *err);
/* Snappy alone (snappy_dec.c): exactly dst_len bytes from exactly n bytes of input, else
 * HFDS_ECORRUPT with the input offset. Accepts what libsnappy accepts. */
int pq_snappy_decompress(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len, hfds_error *err);
/* The first k uncompressed bytes without decompressing, when the stream starts with a
 * literal that holds them (writers start a page that way): 1 and out filled, else 0.
 * Nothing is validated; the full decompression still is. */
int pq_snappy_peek(const uint8_t *src, size_t n, uint8_t *out, size_t k);

#endif
