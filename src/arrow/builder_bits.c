/*
 * Bit and number helpers of the builder: runs of validity/bool bits, counting zero bits when
 * rows are cut, and double -> IEEE half rounding (to nearest even) for float16 columns.
 */
#include "arrow/builder_int.h"

#include <string.h>

/* Appends n bits taken from bytes (nonzero = 1), or n copies of `fill` when bytes is NULL.
 * Returns the number of zero bits through *zeros. */
int hfds_arrow__bits_push_n(hfds_buf *b, int64_t idx, const uint8_t *bytes, int fill, size_t n,
	int64_t *zeros, hfds_error *err)
{
	size_t need = (size_t)((idx + (int64_t)n + 7) >> 3);
	int64_t z = 0;
	int rc;
	if (need > b->len) {
		if ((rc = hfds_buf_reserve(b, need - b->len, err)) < 0)
			return rc;
		memset(b->data + b->len, 0, need - b->len);
		b->len = need;
	}
	if (!bytes && fill) {
		size_t i = 0;
		for (; i < n && ((idx + (int64_t)i) & 7); i++)
			b->data[(idx + i) >> 3] |= (uint8_t)(1u << ((idx + i) & 7));
		size_t whole = (n - i) / 8;
		if (whole)
			memset(b->data + ((idx + i) >> 3), 0xff, whole);
		i += whole * 8;
		for (; i < n; i++)
			b->data[(idx + i) >> 3] |= (uint8_t)(1u << ((idx + i) & 7));
	} else {
		for (size_t i = 0; i < n; i++) {
			int64_t k = idx + (int64_t)i;
			int v = bytes ? bytes[i] != 0 : fill;
			if (v)
				b->data[k >> 3] |= (uint8_t)(1u << (k & 7));
			else {
				b->data[k >> 3] &= (uint8_t)~(1u << (k & 7));
				z++;
			}
		}
	}
	if (zeros)
		*zeros = z;
	return 0;
}

int64_t hfds_arrow__count_zero_bits(const uint8_t *bits, int64_t from, int64_t to)
{
	int64_t z = 0;
	for (int64_t i = from; i < to; i++)
		z += !((bits[i >> 3] >> (i & 7)) & 1);
	return z;
}

uint16_t hfds_arrow__double_to_half(double d)
{
	uint64_t x, mant, rem, half;
	uint16_t sign, h;
	int exp, e, shift;
	memcpy(&x, &d, 8);
	sign = (uint16_t)((x >> 48) & 0x8000);
	exp = (int)((x >> 52) & 0x7ff);
	mant = x & 0xfffffffffffffULL;
	if (exp == 0x7ff)
		return (uint16_t)(sign | 0x7c00 | (mant ? 0x200 : 0));
	e = exp - 1023 + 15;
	if (e >= 31)
		return (uint16_t)(sign | 0x7c00);
	if (e <= 0) {
		if (exp == 0)
			return sign;
		mant |= 1ULL << 52;
		shift = 42 + 1 - e;
		if (shift >= 64)
			return sign;
		h = (uint16_t)(mant >> shift);
	} else {
		shift = 42;
		h = (uint16_t)(((unsigned)e << 10) | (unsigned)(mant >> 42));
	}
	rem = mant & ((1ULL << shift) - 1);
	half = 1ULL << (shift - 1);
	if (rem > half || (rem == half && (h & 1)))
		h++;
	return (uint16_t)(sign | h);
}
