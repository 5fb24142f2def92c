/*
 * RLE / bit-packed hybrid decoding (levels, dictionary indices, RLE booleans) and the
 * deprecated MSB-first BIT_PACKED level encoding. Run headers are bounded by the bytes
 * present and by the number of values still wanted, so hostile run lengths cost nothing.
 */
#include <string.h>

#include "parquet/dec_values.h"

static int fail(hfds_error *err, const char *what)
{
	return hfds_error_set(err, HFDS_ECORRUPT, "rle: %s", what);
}

/* Reads the `bw`-bit value number i from an LSB-first packed group starting at g. */
static inline uint32_t unpack_one(const uint8_t *g, size_t i, int bw)
{
	size_t bit = i * (size_t)bw;
	const uint8_t *q = g + bit / 8;
	uint64_t w = 0;
	int nbytes = (int)((bit % 8 + (size_t)bw + 7) / 8), k;
	for (k = 0; k < nbytes; k++)
		w |= (uint64_t)q[k] << (8 * k);
	w >>= bit % 8;
	return (uint32_t)(w & (bw == 32 ? 0xffffffffu : ((1u << bw) - 1)));
}

/* Same, with one 8-byte load when the input has 8 bytes left at that point (bw <= 32 and a
 * bit offset < 8 fit in 64 bits). */
static inline uint32_t unpack_fast(const uint8_t *g, const uint8_t *end, size_t i, int bw)
{
	size_t bit = i * (size_t)bw;
	const uint8_t *q = g + bit / 8;
	uint64_t w;
	if (end - q < 8)
		return unpack_one(g, i, bw);
	memcpy(&w, q, 8);
	w >>= bit % 8;
	return (uint32_t)(w & (bw == 32 ? 0xffffffffu : ((1u << bw) - 1)));
}

#define RLE_BODY(T)                                                                         \
	size_t pos = 0, done_ = 0;                                                          \
	int bytes = (bit_width + 7) / 8;                                                    \
	if (bit_width < 0 || bit_width > 32)                                                \
		return fail(err, "bit width out of range");                                 \
	while (done_ < count) {                                                             \
		uint64_t hdr;                                                               \
		if (pq_dec_uleb(p, n, &pos, &hdr) < 0)                                             \
			return fail(err, "truncated run header (fewer values than expected)");   \
		if (hdr & 1) {                                                              \
			uint64_t groups = hdr >> 1, nv, avail, k;                           \
			size_t nbytes;                                                      \
			if (groups == 0)                                                    \
				continue;                                                   \
			avail = (n - pos) * 8 / (bit_width ? (uint64_t)bit_width : 1);      \
			nv = groups * 8;                                                    \
			if (groups > (1u << 28) || (bit_width && nv > avail + 7)) {         \
				/* tolerate a short final group when it holds enough values */ \
				if (!bit_width || avail < count - done_)                    \
					return fail(err, "bit-packed run beyond the data"); \
				nv = avail;                                                 \
			}                                                                   \
			nbytes = (size_t)((nv * (uint64_t)bit_width + 7) / 8);              \
			if (nbytes > n - pos)                                               \
				nbytes = n - pos;                                           \
			for (k = 0; k < nv && done_ < count; k++) {                         \
				if (bit_width == 0) {                                       \
					out[done_++] = 0;                                   \
					continue;                                           \
				}                                                           \
				if ((k + 1) * (uint64_t)bit_width > (uint64_t)nbytes * 8)   \
					return fail(err, "bit-packed run beyond the data"); \
				out[done_++] = (T)unpack_fast(p + pos, p + n, (size_t)k, bit_width); \
			}                                                                   \
			pos += nbytes;                                                      \
		} else {                                                                    \
			uint64_t run = hdr >> 1, k;                                         \
			uint32_t v = 0;                                                     \
			int b;                                                              \
			if ((size_t)bytes > n - pos)                                        \
				return fail(err, "truncated run value");                    \
			for (b = 0; b < bytes; b++)                                         \
				v |= (uint32_t)p[pos + b] << (8 * b);                       \
			pos += bytes;                                                       \
			if (bit_width < 32 && (v >> bit_width))                             \
				return fail(err, "run value wider than the bit width");     \
			if (run > count - done_)                                            \
				run = count - done_;                                        \
			for (k = 0; k < run; k++)                                           \
				out[done_++] = (T)v;                                        \
		}                                                                           \
	}                                                                                   \
	return 0;

int pq_rle_decode(const uint8_t *p, size_t n, int bit_width, uint32_t *out, size_t count,
		  hfds_error *err)
{
	RLE_BODY(uint32_t)
}

int pq_rle_levels(const uint8_t *p, size_t n, int bit_width, uint16_t *out, size_t count,
		  hfds_error *err)
{
	if (bit_width > 16)
		return fail(err, "level bit width out of range");
	{
		RLE_BODY(uint16_t)
	}
}

int pq_bitpacked_levels(const uint8_t *p, size_t n, int bit_width, uint16_t *out, size_t count,
			size_t *used, hfds_error *err)
{
	size_t i, nbytes;
	if (bit_width < 0 || bit_width > 16)
		return fail(err, "level bit width out of range");
	nbytes = (count * (size_t)bit_width + 7) / 8;
	if (nbytes > n)
		return hfds_error_set(err, HFDS_ECORRUPT, "bit_packed: levels need %zu bytes, %zu present", nbytes, n);
	for (i = 0; i < count; i++) {
		uint32_t v = 0;
		int b;
		for (b = 0; b < bit_width; b++) {
			size_t bit = i * (size_t)bit_width + (size_t)b;
			v = v << 1 | ((p[bit / 8] >> (7 - bit % 8)) & 1);
		}
		out[i] = (uint16_t)v;
	}
	*used = nbytes;
	return 0;
}
