/*
 * Helpers shared by the enc_*.c kernels, the Thrift writer and compress.c (not part of the
 * enc.h contract): bitmap scanning over Arrow validity, gathering present fixed-width
 * values, bit packing, varints.
 */
#ifndef HFDS_PQ_ENC_IMPL_H
#define HFDS_PQ_ENC_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parquet/write/enc.h"

/* Bytes per Parquet value of a fixed-width source kind (0 for BOOL and binary kinds). */
size_t pq__phys_width(const pq_values *v);

/* Next maximal run [*a, *b) of present slots starting at or after pos; 0 when none left. */
int pq__next_run(const pq_values *v, size_t pos, size_t *a, size_t *b);

/* Writes the present values, converted to their physical width, densely to dst and
 * returns how many were written. Fixed kinds only. dst needs room for n values, or for
 * the present values plus one (it may store one value past the last present one). */
size_t pq__gather_fixed(const pq_values *v, uint8_t *dst);

/* Bit-packs cnt values (cnt a multiple of 8) LSB first at width w (0..32 / 0..64) into
 * cnt * w / 8 bytes. Values must fit in w bits. pq__pack32 may write up to 16 bytes past
 * the packed data (whole-word stores): leave that slack. */
void pq__pack32(const uint32_t *vals, size_t cnt, int w, uint8_t *out);
void pq__pack64(const uint64_t *vals, size_t cnt, int w, uint8_t *out);

/* Length of slot i of a binary source, validated: -1 for negative lengths (bad offsets),
 * -2 for values of 2^31 bytes or more. */
static inline int64_t pq__bin_len(const pq_values *v, size_t i, const uint8_t **p)
{
	int64_t s, e;
	if (v->src == PQ_SRC_BIN32) {
		const int32_t *o = (const int32_t *)v->offsets;
		s = o[i];
		e = o[i + 1];
	} else {
		const int64_t *o = (const int64_t *)v->offsets;
		s = o[i];
		e = o[i + 1];
	}
	if (s < 0 || e < s)
		return -1;
	if (e - s > INT32_MAX)
		return -2;
	*p = (const uint8_t *)v->data + s;
	return e - s;
}

int pq__bin_error(int64_t code, size_t slot, hfds_error *err);

static inline size_t pq__put_uleb(uint8_t *p, uint64_t v)
{
	size_t i = 0;
	while (v >= 0x80) {
		p[i++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[i++] = (uint8_t)v;
	return i;
}

static inline void pq__put_u32le(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* little-endian hosts */
}

#endif
