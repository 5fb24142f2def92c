/*
 * PLAIN encoding and the value-gathering helpers every kernel uses. Nulls are skipped by
 * scanning the validity bitmap 64 bits at a time for runs of present slots, so a column
 * without nulls (or with few) is converted in long straight loops that compile to SIMD.
 */
#include "parquet/write/enc_impl.h"

#include "parquet/format/pq_format.h"
#include "util/alloc.h"
#include "util/try.h"

int pq_src_physical_type(int src)
{
	switch (src) {
	case PQ_SRC_BOOL: return PQ_BOOLEAN;
	case PQ_SRC_I8: case PQ_SRC_I16: case PQ_SRC_I32:
	case PQ_SRC_U8: case PQ_SRC_U16: case PQ_SRC_U32: return PQ_INT32;
	case PQ_SRC_I64: case PQ_SRC_U64: return PQ_INT64;
	case PQ_SRC_F32: return PQ_FLOAT;
	case PQ_SRC_F64: return PQ_DOUBLE;
	case PQ_SRC_BIN32: case PQ_SRC_BIN64: return PQ_BYTE_ARRAY;
	default: return PQ_FIXED_LEN_BYTE_ARRAY;
	}
}

size_t pq__phys_width(const pq_values *v)
{
	switch (v->src) {
	case PQ_SRC_I8: case PQ_SRC_I16: case PQ_SRC_I32:
	case PQ_SRC_U8: case PQ_SRC_U16: case PQ_SRC_U32: case PQ_SRC_F32: return 4;
	case PQ_SRC_I64: case PQ_SRC_U64: case PQ_SRC_F64: return 8;
	case PQ_SRC_F16: return 2;
	case PQ_SRC_FLBA: return v->width > 0 ? (size_t)v->width : 0;
	default: return 0;
	}
}

/* 64 bitmap bits starting at absolute bit `bit`, never reading past bit `end`. */
static inline uint64_t bm_load(const uint8_t *bm, uint64_t bit, uint64_t end)
{
	uint64_t byte = bit >> 3, lo;
	unsigned sh = (unsigned)(bit & 7);
	uint64_t avail = (end + 7) / 8 - byte;
	uint8_t tmp[16];
	if (avail >= 9) {
		memcpy(&lo, bm + byte, 8);
		return sh ? lo >> sh | (uint64_t)bm[byte + 8] << (64 - sh) : lo;
	}
	memset(tmp, 0, sizeof tmp);
	memcpy(tmp, bm + byte, (size_t)avail);
	memcpy(&lo, tmp, 8);
	return sh ? lo >> sh | (uint64_t)tmp[8] << (64 - sh) : lo;
}

/* First slot >= pos whose validity bit equals want, or n. */
static size_t find_bit(const pq_values *v, size_t pos, int want)
{
	uint64_t off = (uint64_t)v->validity_offset, end = off + v->n;
	while (pos < v->n) {
		uint64_t w = bm_load(v->validity, off + pos, end);
		size_t left = v->n - pos;
		if (!want)
			w = ~w;
		if (left < 64)
			w &= ((uint64_t)1 << left) - 1;
		if (w)
			return pos + (size_t)__builtin_ctzll(w);
		pos += left < 64 ? left : 64;
	}
	return v->n;
}

int pq__next_run(const pq_values *v, size_t pos, size_t *a, size_t *b)
{
	if (pos >= v->n)
		return 0;
	if (!v->validity) {
		*a = pos;
		*b = v->n;
		return 1;
	}
	*a = find_bit(v, pos, 1);
	if (*a >= v->n)
		return 0;
	*b = find_bit(v, *a, 0);
	return 1;
}

size_t pq_values_count(const pq_values *v)
{
	size_t pos = 0, a, b, cnt = 0;
	if (!v->validity)
		return v->n;
	while (pq__next_run(v, pos, &a, &b)) {
		cnt += b - a;
		pos = b;
	}
	return cnt;
}

/* Straight conversion loops. Loads and stores go through memcpy: the output (after
 * levels) and slices of input buffers need not be aligned; compilers emit plain moves.
 * Kept out of line: inlined into the masked loop below they compiled 3x slower. */
#define DENSE(name, S, D)                                                            \
	static __attribute__((noinline)) void name(const uint8_t *restrict s, size_t n, \
		uint8_t *restrict d)                                                 \
	{                                                                            \
		for (size_t i = 0; i < n; i++) {                                     \
			S x;                                                         \
			memcpy(&x, s + i * sizeof(S), sizeof(S));                    \
			D y = (D)x;                                                  \
			memcpy(d + i * sizeof(D), &y, sizeof(D));                    \
		}                                                                    \
	}
DENSE(dense_16, uint16_t, uint16_t)
DENSE(dense_32, uint32_t, uint32_t)
DENSE(dense_64, uint64_t, uint64_t)

/* Widening to INT32 (int8/uint8/int16/uint16 columns): SSE2 (x86-64 baseline) does 16 or
 * 8 values per step, which matters for large int8 tensors such as chesspos windows. */
#if defined(__SSE2__)
#include <emmintrin.h>
#define WIDEN(name, S, STEP, ...)                                                    \
	static __attribute__((noinline)) void name(const uint8_t *restrict s, size_t n, \
		uint8_t *restrict d)                                                 \
	{                                                                            \
		size_t i = 0;                                                        \
		const __m128i z = _mm_setzero_si128();                               \
		(void)z;                                                             \
		for (; n - i >= STEP; i += STEP) {                                   \
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i * sizeof(S))); \
			__m128i *o = (__m128i *)(void *)(d + 4 * i);                 \
			__VA_ARGS__                                                  \
		}                                                                    \
		for (; i < n; i++) {                                                 \
			S x;                                                         \
			memcpy(&x, s + i * sizeof(S), sizeof(S));                    \
			int32_t y = (int32_t)x;                                      \
			memcpy(d + 4 * i, &y, 4);                                    \
		}                                                                    \
	}
WIDEN(dense_i8, int8_t, 16, {
	__m128i lo = _mm_unpacklo_epi8(x, x), hi = _mm_unpackhi_epi8(x, x);
	_mm_storeu_si128(o, _mm_srai_epi32(_mm_unpacklo_epi16(lo, lo), 24));
	_mm_storeu_si128(o + 1, _mm_srai_epi32(_mm_unpackhi_epi16(lo, lo), 24));
	_mm_storeu_si128(o + 2, _mm_srai_epi32(_mm_unpacklo_epi16(hi, hi), 24));
	_mm_storeu_si128(o + 3, _mm_srai_epi32(_mm_unpackhi_epi16(hi, hi), 24));
})
WIDEN(dense_u8, uint8_t, 16, {
	__m128i lo = _mm_unpacklo_epi8(x, z), hi = _mm_unpackhi_epi8(x, z);
	_mm_storeu_si128(o, _mm_unpacklo_epi16(lo, z));
	_mm_storeu_si128(o + 1, _mm_unpackhi_epi16(lo, z));
	_mm_storeu_si128(o + 2, _mm_unpacklo_epi16(hi, z));
	_mm_storeu_si128(o + 3, _mm_unpackhi_epi16(hi, z));
})
WIDEN(dense_i16, int16_t, 8, {
	_mm_storeu_si128(o, _mm_srai_epi32(_mm_unpacklo_epi16(x, x), 16));
	_mm_storeu_si128(o + 1, _mm_srai_epi32(_mm_unpackhi_epi16(x, x), 16));
})
WIDEN(dense_u16, uint16_t, 8, {
	_mm_storeu_si128(o, _mm_unpacklo_epi16(x, z));
	_mm_storeu_si128(o + 1, _mm_unpackhi_epi16(x, z));
})
#else
DENSE(dense_i8, int8_t, int32_t)
DENSE(dense_u8, uint8_t, int32_t)
DENSE(dense_i16, int16_t, int32_t)
DENSE(dense_u16, uint16_t, int32_t)
#endif

/*
 * Gathers. Without validity: the straight loop. With validity, per word of 64 slots:
 * all present -> straight loop, none -> skip, mixed -> a branch-free loop that stores
 * every slot and advances the output only for present ones (so it may store one value
 * past the last present one: callers leave one value of slack).
 */
#define GATHER(name, S, D, dense)                                                    \
	static size_t name(const pq_values *v, uint8_t *d)                           \
	{                                                                            \
		const uint8_t *s = (const uint8_t *)v->data;                         \
		size_t n = v->n, cnt = 0;                                            \
		if (!v->validity) {                                                  \
			dense(s, n, d);                                              \
			return n;                                                    \
		}                                                                    \
		uint64_t off = (uint64_t)v->validity_offset;                         \
		for (size_t base = 0; base < n; base += 64) {                        \
			size_t k = n - base < 64 ? n - base : 64;                    \
			uint64_t all = k == 64 ? UINT64_MAX : ((uint64_t)1 << k) - 1; \
			uint64_t w = bm_load(v->validity, off + base, off + n) & all; \
			if (w == all) {                                              \
				dense(s + base * sizeof(S), k, d + cnt * sizeof(D));  \
				cnt += k;                                            \
			} else if (w) {                                              \
				for (size_t j = 0; j < k; j++) {                     \
					S x;                                         \
					memcpy(&x, s + (base + j) * sizeof(S), sizeof(S)); \
					D y = (D)x;                                  \
					memcpy(d + cnt * sizeof(D), &y, sizeof(D));  \
					cnt += (size_t)(w >> j & 1);                 \
				}                                                    \
			}                                                            \
		}                                                                    \
		return cnt;                                                          \
	}
GATHER(gather_i8, int8_t, int32_t, dense_i8)
GATHER(gather_i16, int16_t, int32_t, dense_i16)
GATHER(gather_u8, uint8_t, int32_t, dense_u8)
GATHER(gather_u16, uint16_t, int32_t, dense_u16)
GATHER(gather_16, uint16_t, uint16_t, dense_16)
GATHER(gather_32, uint32_t, uint32_t, dense_32)
GATHER(gather_64, uint64_t, uint64_t, dense_64)

size_t pq__gather_fixed(const pq_values *v, uint8_t *dst)
{
	size_t w = pq__phys_width(v), pos = 0, a, b, cnt = 0;
	switch (v->src) {
	case PQ_SRC_I8: return gather_i8(v, dst);
	case PQ_SRC_I16: return gather_i16(v, dst);
	case PQ_SRC_U8: return gather_u8(v, dst);
	case PQ_SRC_U16: return gather_u16(v, dst);
	case PQ_SRC_F16: return gather_16(v, dst);
	case PQ_SRC_I32: case PQ_SRC_U32: case PQ_SRC_F32: return gather_32(v, dst);
	case PQ_SRC_I64: case PQ_SRC_U64: case PQ_SRC_F64: return gather_64(v, dst);
	default: break;
	}
	/* FIXED_LEN_BYTE_ARRAY: copy runs of present values */
	while (pq__next_run(v, pos, &a, &b)) {
		memcpy(dst + cnt * w, (const uint8_t *)v->data + a * w, (b - a) * w);
		cnt += b - a;
		pos = b;
	}
	return cnt;
}

int pq__bin_error(int64_t code, size_t slot, hfds_error *err)
{
	if (code == -2)
		return hfds_error_set(err, HFDS_ELIMIT, "binary value at slot %zu is 2 GiB or longer", slot);
	return hfds_error_set(err, HFDS_EINVAL, "invalid binary offsets at slot %zu", slot);
}

/* Sum of the present binary lengths plus 4 bytes each, validating offsets. */
static int bin_plain_size(const pq_values *v, size_t *size_out, hfds_error *err)
{
	size_t pos = 0, a, b, total = 0;
	const uint8_t *p;
	while (pq__next_run(v, pos, &a, &b)) {
		for (size_t i = a; i < b; i++) {
			int64_t len = pq__bin_len(v, i, &p);
			if (len < 0)
				return pq__bin_error(len, i, err);
			if (hfds_add_overflow(total, (size_t)len + 4, &total))
				return hfds_error_set(err, HFDS_ELIMIT, "plain: encoded size overflows");
		}
		pos = b;
	}
	*size_out = total;
	return 0;
}

int pq_plain_size(const pq_values *v, size_t *size_out, hfds_error *err)
{
	size_t cnt, w;
	if (v->src == PQ_SRC_BIN32 || v->src == PQ_SRC_BIN64)
		return bin_plain_size(v, size_out, err);
	cnt = pq_values_count(v);
	if (v->src == PQ_SRC_BOOL) {
		*size_out = (cnt + 7) / 8;
		return 0;
	}
	w = pq__phys_width(v);
	if (w == 0)
		return hfds_error_set(err, HFDS_EINVAL, "plain: invalid value width");
	if (hfds_mul_overflow(cnt, w, size_out))
		return hfds_error_set(err, HFDS_ELIMIT, "plain: encoded size overflows");
	return 0;
}

/* Appends present bits of a bitmap LSB first; out has room for (n + 7) / 8 bytes. */
static size_t pack_bools(const pq_values *v, uint8_t *out)
{
	const uint8_t *bm = (const uint8_t *)v->data;
	uint64_t acc = 0, off = (uint64_t)v->data_bit_offset, end = off + v->n;
	unsigned nacc = 0;
	size_t pos = 0, a, b, nout = 0;
	while (pq__next_run(v, pos, &a, &b)) {
		size_t i = a;
		while (i < b) {
			unsigned take = b - i < 32 ? (unsigned)(b - i) : 32;
			uint64_t bits = bm_load(bm, off + i, end) & (((uint64_t)1 << take) - 1);
			acc |= bits << nacc;
			nacc += take;
			if (nacc >= 32) {
				pq__put_u32le(out + nout, (uint32_t)acc);
				nout += 4;
				acc >>= 32;
				nacc -= 32;
			}
			i += take;
		}
		pos = b;
	}
	while (nacc > 0) {
		out[nout++] = (uint8_t)acc;
		acc >>= 8;
		nacc = nacc > 8 ? nacc - 8 : 0;
	}
	return nout;
}

/* Offset n of a binary source: the end of the character data the values use. */
static int64_t bin_end(const pq_values *v)
{
	if (v->src == PQ_SRC_BIN32)
		return ((const int32_t *)v->offsets)[v->n];
	return ((const int64_t *)v->offsets)[v->n];
}

static int plain_binary(const pq_values *v, hfds_buf *out, hfds_error *err)
{
	int rc = 0;
	size_t size, pos = 0, a, b;
	uint8_t *dst;
	const uint8_t *end;
	HFDS_TRY(bin_plain_size(v, &size, err));
	/* short values are copied as one 16-byte block (16 bytes of output slack; the source
	 * block must lie inside the character data the values span) */
	HFDS_TRY(hfds_buf_reserve(out, size + 16, err));
	dst = out->data + out->len;
	end = v->n ? (const uint8_t *)v->data + bin_end(v) : NULL;
	while (pq__next_run(v, pos, &a, &b)) {
		for (size_t i = a; i < b; i++) {
			const uint8_t *p = NULL;
			int64_t len = pq__bin_len(v, i, &p);
			pq__put_u32le(dst, (uint32_t)len);
			if (len <= 16 && end - p >= 16)
				memcpy(dst + 4, p, 16);
			else
				memcpy(dst + 4, p, (size_t)len);
			dst += 4 + (size_t)len;
		}
		pos = b;
	}
	out->len += size;
done:
	return rc;
}

int pq_plain_encode(const pq_values *v, hfds_buf *out, hfds_error *err)
{
	int rc = 0;
	size_t size;
	if (v->src == PQ_SRC_BIN32 || v->src == PQ_SRC_BIN64)
		return plain_binary(v, out, err);
	HFDS_TRY(pq_plain_size(v, &size, err));
	if (v->src == PQ_SRC_BOOL) {
		HFDS_TRY(hfds_buf_reserve(out, size, err));
		out->len += pack_bools(v, out->data + out->len);
	} else {
		/* + one value of slack for the branch-free gather */
		HFDS_TRY(hfds_buf_reserve(out, size + pq__phys_width(v), err));
		out->len += pq__gather_fixed(v, out->data + out->len) * pq__phys_width(v);
	}
done:
	return rc;
}
