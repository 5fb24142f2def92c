/*
 * RLE / bit-packed hybrid encoder (levels, dictionary indices, RLE booleans).
 *
 * The scan walks the values a group of 8 at a time (word compares, no per-value branch on
 * literal-heavy data). A group whose 8 values are equal starts an RLE run that extends to
 * the end of the repeats; the literals pending before it are whole groups by construction,
 * so bit-packed runs never carry a short group except the zero-padded tail. This equals
 * "a run of >= 8 becomes RLE, borrowing up to 7 of its values to finish the literal group".
 */
#include "parquet/write/enc_impl.h"

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

/*
 * Bit packing of whole groups of 8. Widths up to 8 assemble a group in one 64-bit word,
 * widths up to 16 in a 128-bit word, and the word is stored whole (w bytes of it are
 * kept), so `out` needs 16 bytes of slack past the packed data. Wider values go through
 * a streaming accumulator.
 */
#define PACK_FNS(sfx, T)                                                             \
	static inline __attribute__((always_inline)) void pack_small_##sfx(          \
		const T *v, size_t groups, const unsigned w, uint8_t *out)            \
	{                                                                            \
		for (size_t g = 0; g < groups; g++, v += 8, out += w) {              \
			uint64_t a = 0;                                              \
			for (unsigned i = 0; i < 8; i++)                             \
				a |= (uint64_t)v[i] << (i * w);                      \
			memcpy(out, &a, 8);                                          \
		}                                                                    \
	}                                                                            \
	static inline __attribute__((always_inline)) void pack_mid_##sfx(            \
		const T *v, size_t groups, const unsigned w, uint8_t *out)            \
	{                                                                            \
		for (size_t g = 0; g < groups; g++, v += 8, out += w) {              \
			unsigned __int128 a = 0;                                     \
			for (unsigned i = 0; i < 8; i++)                             \
				a |= (unsigned __int128)v[i] << (i * w);             \
			memcpy(out, &a, 16);                                         \
		}                                                                    \
	}                                                                            \
	static void pack_wide_##sfx(const T *v, size_t cnt, unsigned w, uint8_t *out) \
	{                                                                            \
		uint64_t acc = 0;                                                    \
		unsigned bits = 0;                                                   \
		for (size_t i = 0; i < cnt; i++) {                                   \
			acc |= (uint64_t)v[i] << bits;                               \
			bits += w;                                                   \
			if (bits >= 32) {                                            \
				pq__put_u32le(out, (uint32_t)acc);                   \
				out += 4;                                            \
				acc >>= 32;                                          \
				bits -= 32;                                          \
			}                                                            \
		}                                                                    \
		while (bits >= 8) {                                                  \
			*out++ = (uint8_t)acc;                                       \
			acc >>= 8;                                                   \
			bits -= 8;                                                   \
		}                                                                    \
	}                                                                            \
	/* cnt a multiple of 8; out needs 16 bytes of slack */                        \
	static void pack_##sfx(const T *v, size_t cnt, int w, uint8_t *out)          \
	{                                                                            \
		size_t g = cnt / 8;                                                  \
		switch (w) {                                                         \
		case 0: break;                                                       \
		case 1: pack_small_##sfx(v, g, 1, out); break;                       \
		case 2: pack_small_##sfx(v, g, 2, out); break;                       \
		case 3: pack_small_##sfx(v, g, 3, out); break;                       \
		case 4: pack_small_##sfx(v, g, 4, out); break;                       \
		case 5: pack_small_##sfx(v, g, 5, out); break;                       \
		case 6: pack_small_##sfx(v, g, 6, out); break;                       \
		case 7: pack_small_##sfx(v, g, 7, out); break;                       \
		case 8: pack_small_##sfx(v, g, 8, out); break;                       \
		case 9: pack_mid_##sfx(v, g, 9, out); break;                         \
		case 10: pack_mid_##sfx(v, g, 10, out); break;                       \
		case 11: pack_mid_##sfx(v, g, 11, out); break;                       \
		case 12: pack_mid_##sfx(v, g, 12, out); break;                       \
		case 13: pack_mid_##sfx(v, g, 13, out); break;                       \
		case 14: pack_mid_##sfx(v, g, 14, out); break;                       \
		case 15: pack_mid_##sfx(v, g, 15, out); break;                       \
		case 16: pack_mid_##sfx(v, g, 16, out); break;                       \
		default: pack_wide_##sfx(v, cnt, (unsigned)w, out); break;           \
		}                                                                    \
	}
PACK_FNS(u8, uint8_t)
PACK_FNS(u16, uint16_t)
PACK_FNS(u32, uint32_t)

void pq__pack32(const uint32_t *vals, size_t cnt, int w, uint8_t *out)
{
	pack_u32(vals, cnt, w, out);
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

/* Group equality and run scanning compare 64-bit words against the value broadcast. */
#define SCAN_FNS(sfx, T, BCAST)                                                      \
	static inline int uniform8_##sfx(const T *g)                                 \
	{                                                                            \
		uint64_t pat = (uint64_t)g[0] * BCAST, w, diff = 0;                  \
		for (size_t k = 0; k < 8 * sizeof(T); k += 8) { /* no early exit: one \
			branch per group, predictable on literal-heavy data */        \
			memcpy(&w, (const uint8_t *)g + k, 8);                       \
			diff |= w ^ pat;                                             \
		}                                                                    \
		return diff == 0;                                                    \
	}                                                                            \
	static inline size_t run_end_##sfx(const T *v, size_t r, size_t n, T x)     \
	{                                                                            \
		uint64_t pat = (uint64_t)x * BCAST, w;                               \
		while (n - r >= 8 / sizeof(T)) {                                     \
			memcpy(&w, v + r, 8);                                        \
			if (w != pat)                                                \
				return r + (size_t)__builtin_ctzll(w ^ pat) / (8 * sizeof(T)); \
			r += 8 / sizeof(T);                                          \
		}                                                                    \
		while (r < n && v[r] == x)                                           \
			r++;                                                         \
		return r;                                                            \
	}                                                                            \
	/* Bit-packed runs of cnt values (whole groups, except a zero-padded tail). */ \
	static uint8_t *emit_literal_##sfx(const T *v, size_t cnt, int bw, uint8_t *p) \
	{                                                                            \
		while (cnt > 0) {                                                    \
			size_t k = cnt < LIT_MAX ? cnt : LIT_MAX;                    \
			size_t full = k & ~(size_t)7;                                \
			size_t groups = (k + 7) / 8;                                 \
			p += pq__put_uleb(p, (uint64_t)groups << 1 | 1);            \
			pack_##sfx(v, full, bw, p);                                  \
			if (k > full) {                                              \
				T tail[8] = { 0 };                                   \
				memcpy(tail, v + full, (k - full) * sizeof(T));      \
				pack_##sfx(tail, 8, bw, p + full / 8 * (size_t)bw);  \
			}                                                            \
			p += groups * (size_t)bw;                                    \
			v += k;                                                      \
			cnt -= k;                                                    \
		}                                                                    \
		return p;                                                            \
	}                                                                            \
	int pq_rle_encode_##sfx(const T *vals, size_t n, int bit_width, hfds_buf *out, \
		hfds_error *err)                                                     \
	{                                                                            \
		int rc = 0;                                                          \
		size_t lit = 0, pos = 0;                                             \
		/* worst case of one emission step: a pending 512-value literal run  \
		 * (2-byte header, 16 bytes of packing slack) plus an RLE run */     \
		size_t step = LIT_MAX / 8 * (size_t)bit_width + 2 + 16 + 15;         \
		uint8_t *p;                                                          \
		HFDS_FAIL_IF(bit_width < 0 || bit_width > (int)(8 * sizeof(T)), HFDS_EINVAL, err, \
			"rle: bit width %d out of range", bit_width);                \
		HFDS_TRY(hfds_buf_reserve(out, 2 * step, err));                      \
		p = out->data + out->len;                                            \
		/* Runs are only found at group boundaries relative to the pending literal: \
		 * a run of >= 8 that covers a whole group becomes an RLE run from there \
		 * on, and its first values complete the literal's last group. Pending \
		 * literals are written as soon as they fill a 512-value run, so the     \
		 * output grows in bounded steps and only what is written is reserved. */ \
		while (n - pos >= 8) {                                               \
			const T *g = vals + pos;                                     \
			if (pos - lit >= LIT_MAX || uniform8_##sfx(g)) {             \
				if ((size_t)(out->data + out->cap - p) < step) {     \
					out->len = (size_t)(p - out->data);          \
					HFDS_TRY(hfds_buf_reserve(out, 2 * step, err)); \
					p = out->data + out->len;                    \
				}                                                    \
				if (pos - lit >= LIT_MAX) {                          \
					p = emit_literal_##sfx(vals + lit, LIT_MAX, bit_width, p); \
					lit += LIT_MAX;                              \
					continue;                                    \
				}                                                    \
				size_t r = run_end_##sfx(vals, pos + 8, n, g[0]);    \
				if (pos > lit)                                       \
					p = emit_literal_##sfx(vals + lit, pos - lit, bit_width, p); \
				p = emit_rle(g[0], r - pos, bit_width, p);           \
				pos = lit = r;                                       \
				continue;                                            \
			}                                                            \
			pos += 8;                                                    \
		}                                                                    \
		/* at most 519 values pending: two literal runs */                    \
		if ((size_t)(out->data + out->cap - p) < 2 * step) {                 \
			out->len = (size_t)(p - out->data);                          \
			HFDS_TRY(hfds_buf_reserve(out, 2 * step, err));              \
			p = out->data + out->len;                                    \
		}                                                                    \
		if (lit < n)                                                         \
			p = emit_literal_##sfx(vals + lit, n - lit, bit_width, p);   \
		out->len = (size_t)(p - out->data);                                  \
	done:                                                                        \
		return rc;                                                           \
	}
SCAN_FNS(u8, uint8_t, 0x0101010101010101ull)
SCAN_FNS(u16, uint16_t, 0x0001000100010001ull)
SCAN_FNS(u32, uint32_t, 0x0000000100000001ull)

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
