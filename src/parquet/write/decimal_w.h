/*
 * Arrow decimals -> Parquet DECIMAL stored as FIXED_LEN_BYTE_ARRAY (spec parquet.md §1.3),
 * as pyarrow writes them: big-endian two's complement in the fewest bytes that hold every
 * value of the precision.
 */
#ifndef HFDS_PQ_DECIMAL_W_H
#define HFDS_PQ_DECIMAL_W_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses an Arrow decimal format "d:P,S[,BITS]" (BITS 32, 64, 128 or 256; 128 when absent).
 * Returns 0 with the precision, scale and Arrow value width in bytes, or -1 when the format
 * is not a valid decimal (precision 1..max for the width, |scale| <= 2^31-1).
 */
int pqw_decimal_parse(const char *fmt, int *precision, int *scale, int *arrow_width);

/* FLBA width for a precision: ceil((P * log2(10) + 1) / 8), as Arrow's DecimalSize. */
int pqw_decimal_flba_width(int precision);

/*
 * Converts n little-endian two's complement values of `src_width` bytes into big-endian
 * values of `dst_width` bytes (dst_width <= src_width), keeping the low bytes. Returns the
 * index of the first value whose dropped bytes are not the sign extension of the kept ones
 * (a value that does not fit: nothing after it is converted), or n when all fit.
 */
size_t pqw_decimal_to_be(uint8_t *dst, int dst_width, const uint8_t *src, int src_width, size_t n);

/* Signed comparison of two big-endian two's complement values of the same width. */
int pqw_decimal_cmp(const uint8_t *a, const uint8_t *b, size_t width);

#endif
