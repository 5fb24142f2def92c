/*
 * RLE / bit-packed hybrid encoder (levels, dictionary indices, RLE booleans).
 *
 * One pass over the values finds runs of equal values. A run of >= 8 becomes an RLE run;
 * the literals pending before it are closed by borrowing up to 7 values of the run so the
 * bit-packed run holds whole groups of 8 (no short final group except the padded tail).
 * Packing goes through a 64-bit accumulator with the width as a compile-time constant
 * (one specialised loop per width), storing 32 bits at a time.
 */
#include "parquet/enc_impl.h"

#include "util/alloc.h"
#include "util/try.h"

#define LIT_MAX 512 /* values per bit-packed run: 64 groups, as Arrow */

int pq_bit_width(uint64_t v)
{
	return v ? 64 - __builtin_clzll(v) : 0;
}

int pq_dict_index_bit_width(size_t count)
{
	int w = count > 1 ? pq_bit_width((uint64_t)count - 1) : 0;
	return w < 1 ? 1 : w;
}

size_t pq_rle_max_size(size_t n, int bit_width)
{
	/* runs <= 2 per 8 values (+2); each header <= 5 bytes, RLE value <= 4 bytes;
	 * literal data <= bit_width bytes per group of 8 (padding is borrowed or the tail). */
	size_t groups = n / 8 + 2, r;
	if (hfds_mul_overflow(groups, (size_t)bit_width + 18, &r))
		return SIZE_MAX;
	return r;
}

static inline __attribute__((always_inline)) uint8_t *pack_w(const uint32_t *v, size_t cnt,
	const unsigned w, uint8_t *out)
{
	uint64_t acc = 0;
	unsigned bits = 0;
	for (size_t i = 0; i < cnt; i++) {
		acc |= (uint64_t)v[i] << bits;
		bits += w;
		if (bits >= 32) {
			pq__put_u32le(out, (uint32_t)acc);
			out += 4;
			acc >>= 32;
			bits -= 32;
		}
	}
	while (bits >= 8) {
		*out++ = (uint8_t)acc;
		acc >>= 8;
		bits -= 8;
	}
	return out;
}

#define W4(b) case b: pack_w(vals, cnt, b, out); break; case b + 1: pack_w(vals, cnt, b + 1, out); break; \
	case b + 2: pack_w(vals, cnt, b + 2, out); break; case b + 3: pack_w(vals, cnt, b + 3, out); break;

void pq__pack32(const uint32_t *vals, size_t cnt, int w, uint8_t *out)
{
	switch (w) {
	W4(1) W4(5) W4(9) W4(13) W4(17) W4(21) W4(25) W4(29)
	default: break; /* 0: nothing to write */
	}
}

void pq__pack64(const uint64_t *vals, size_t cnt, int w, uint8_t *out)
{
	unsigned __int128 acc = 0;
	unsigned bits = 0;
	if (w <= 0)
		return;
	for (size_t i = 0; i < cnt; i++) {
		acc |= (unsigned __int128)vals[i] << bits;
		bits += (unsigned)w;
		if (bits >= 64) {
			uint64_t lo = (uint64_t)acc;
			memcpy(out, &lo, 8);
			out += 8;
			acc >>= 64;
			bits -= 64;
		}
	}
	while (bits >= 8) {
		*out++ = (uint8_t)acc;
		acc >>= 8;
		bits -= 8;
	}
}

static uint8_t *emit_rle(uint32_t value, size_t count, int bw, uint8_t *p)
{
	p += pq__put_uleb(p, (uint64_t)count << 1);
	for (int b = 0; b < bw; b += 8)
		*p++ = (uint8_t)(value >> b);
	return p;
}

/* Bit-packed runs of cnt values (a multiple of 8 unless `tail`, which pads with zeros). */
#define EMIT_LITERAL(name, T)                                                        \
	static uint8_t *name(const T *v, size_t cnt, int bw, uint8_t *p)             \
	{                                                                            \
		uint32_t tmp[LIT_MAX];                                               \
		while (cnt > 0) {                                                    \
			size_t k = cnt < LIT_MAX ? cnt : LIT_MAX;                    \
			size_t padded = (k + 7) & ~(size_t)7;                        \
			for (size_t i = 0; i < k; i++)                               \
				tmp[i] = v[i];                                       \
			for (size_t i = k; i < padded; i++)                          \
				tmp[i] = 0;                                          \
			p += pq__put_uleb(p, (uint64_t)(padded / 8) << 1 | 1);      \
			pq__pack32(tmp, padded, bw, p);                              \
			p += padded / 8 * (size_t)bw;                                \
			v += k;                                                      \
			cnt -= k;                                                    \
		}                                                                    \
		return p;                                                            \
	}
EMIT_LITERAL(emit_literal_u16, uint16_t)
EMIT_LITERAL(emit_literal_u32, uint32_t)

#define RLE_ENCODE(name, T, emit_literal)                                            \
	int name(const T *vals, size_t n, int bit_width, hfds_buf *out, hfds_error *err) \
	{                                                                            \
		int rc = 0;                                                          \
		size_t lit = 0, pos = 0;                                             \
		uint8_t *p;                                                          \
		HFDS_FAIL_IF(bit_width < 0 || bit_width > 32, HFDS_EINVAL, err,      \
			"rle: bit width %d out of range", bit_width);                \
		HFDS_TRY(hfds_buf_reserve(out, pq_rle_max_size(n, bit_width), err)); \
		p = out->data + out->len;                                            \
		while (pos < n) {                                                    \
			T x = vals[pos];                                             \
			size_t r = pos + 1;                                          \
			while (r < n && vals[r] == x)                                \
				r++;                                                 \
			if (r - pos >= 8) {                                          \
				size_t pend = pos - lit, pad = (8 - (pend & 7)) & 7; \
				if (r - pos - pad >= 8) {                            \
					if (pend)                                    \
						p = emit_literal(vals + lit, pend + pad, bit_width, p); \
					p = emit_rle(x, r - pos - pad, bit_width, p); \
					lit = r;                                     \
				}                                                    \
			}                                                            \
			pos = r;                                                     \
		}                                                                    \
		if (lit < n)                                                         \
			p = emit_literal(vals + lit, n - lit, bit_width, p);         \
		out->len = (size_t)(p - out->data);                                  \
	done:                                                                        \
		return rc;                                                           \
	}
RLE_ENCODE(pq_rle_encode_u16, uint16_t, emit_literal_u16)
RLE_ENCODE(pq_rle_encode_u32, uint32_t, emit_literal_u32)

int pq_dict_indices_encode(const uint32_t *idx, size_t n, size_t dict_count, hfds_buf *out,
	hfds_error *err)
{
	int bw = pq_dict_index_bit_width(dict_count), rc;
	if ((rc = hfds_buf_append_byte(out, (uint8_t)bw, err)) < 0)
		return rc;
	return pq_rle_encode_u32(idx, n, bw, out, err);
}

int pq_rle_bool_encode(const pq_values *v, hfds_buf *out, hfds_error *err)
{
	int rc = 0;
	hfds_buf packed;
	uint16_t *bits = NULL;
	size_t cnt, at;
	hfds_buf_init(&packed, 0);
	HFDS_FAIL_IF(v->src != PQ_SRC_BOOL, HFDS_EINVAL, err, "rle: booleans expected");
	HFDS_TRY(pq_plain_encode(v, &packed, err));
	cnt = pq_values_count(v);
	bits = hfds_reallocarray(NULL, cnt ? cnt : 1, sizeof *bits);
	HFDS_FAIL_IF(!bits, HFDS_ENOMEM, err, "rle: out of memory for %zu booleans", cnt);
	for (size_t i = 0; i < cnt; i++)
		bits[i] = packed.data[i >> 3] >> (i & 7) & 1;
	at = out->len;
	HFDS_TRY(hfds_buf_append(out, "\0\0\0\0", 4, err));
	HFDS_TRY(pq_rle_encode_u16(bits, cnt, 1, out, err));
	HFDS_FAIL_IF(out->len - at - 4 > UINT32_MAX, HFDS_ELIMIT, err, "rle: booleans too large");
	pq__put_u32le(out->data + at, (uint32_t)(out->len - at - 4));
done:
	hfds_free(bits);
	hfds_buf_release(&packed);
	return rc;
}
