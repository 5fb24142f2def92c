/*
 * RLE / bit-packed hybrid decoding (levels, dictionary indices, RLE booleans) and the
 * deprecated MSB-first BIT_PACKED level encoding. Run headers are bounded by the bytes
 * present and by the number of values still wanted, so hostile run lengths cost nothing.
 */
#include <string.h>

#include "parquet/read/dec_values.h"

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

/* The hybrid decoding loop; the caller defines what to do with the values:
 * EMIT_RUN(v, run): `run` copies of v at value index done_; GROUP8(g) may take a whole packed
 * group of 8 from its bytes g (and set handled_), else EMITJ(v, j) gets value number j of the
 * group for index done_ + j; GROUP_END after each such group; EMIT1(v): one value at
 * done_. The loop advances done_ itself; END runs before success. Whole packed groups are
 * unpacked while 8 input bytes are readable past them: one unaligned 8-byte load per group
 * (bit width <= 8) or per value, shifts and a mask, no intermediate array. */
#define RLE_LOOP(EMIT_RUN, GROUP8, EMITJ, GROUP_END, EMIT1, END)                            \
	size_t pos = 0, done_ = 0;                                                          \
	int bytes = (bit_width + 7) / 8;                                                    \
	uint64_t mask_ = bit_width >= 32 ? 0xffffffffu : ((1u << bit_width) - 1);          \
	if (bit_width < 0 || bit_width > 32)                                                \
		return fail(err, "bit width out of range");                                 \
	while (done_ < count) {                                                             \
		uint64_t hdr;                                                               \
		if (pq_dec_uleb(p, n, &pos, &hdr) < 0)                                      \
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
			for (k = 0; bit_width && k + 8 <= nv && count - done_ >= 8 &&     \
			     (k / 8 + 1) * (uint64_t)bit_width <= (uint64_t)nbytes &&     \
			     n - pos - (size_t)(k / 8 * (uint64_t)bit_width) >= (size_t)bit_width + 8; k += 8) { \
				const uint8_t *g_ = p + pos + (size_t)(k / 8 * (uint64_t)bit_width); \
				uint64_t w_;                                                \
				int j_, handled_ = 0;                                       \
				GROUP8(g_);                                                 \
				if (handled_) {                                             \
				} else if (bit_width <= 8) {                                \
					memcpy(&w_, g_, 8);                                 \
					for (j_ = 0; j_ < 8; j_++) {                        \
						uint32_t v8 = (uint32_t)((w_ >> (j_ * bit_width)) & mask_); \
						EMITJ(v8, j_);                              \
					}                                                   \
				} else {                                                    \
					for (j_ = 0; j_ < 8; j_++) {                        \
						size_t bit_ = (size_t)j_ * (size_t)bit_width; \
						uint32_t v8;                                \
						memcpy(&w_, g_ + bit_ / 8, 8);              \
						v8 = (uint32_t)((w_ >> (bit_ % 8)) & mask_); \
						EMITJ(v8, j_);                              \
					}                                                   \
				}                                                           \
				GROUP_END;                                                  \
				done_ += 8;                                                 \
			}                                                                   \
			for (; k < nv && done_ < count; k++) {                              \
				uint32_t v1 = 0;                                            \
				if (bit_width) {                                            \
					if ((k + 1) * (uint64_t)bit_width > (uint64_t)nbytes * 8) \
						return fail(err, "bit-packed run beyond the data"); \
					v1 = unpack_fast(p + pos, p + n, (size_t)k, bit_width); \
				}                                                           \
				EMIT1(v1);                                                  \
				done_++;                                                    \
			}                                                                   \
			pos += nbytes;                                                      \
		} else {                                                                    \
			uint64_t run = hdr >> 1;                                            \
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
			if (run) {                                                          \
				EMIT_RUN(v, (size_t)run);                                   \
				done_ += (size_t)run;                                       \
			}                                                                   \
		}                                                                           \
	}                                                                                   \
	END                                                                                 \
	return 0;

#define NO_G8(g) (void)(g)

int pq_rle_decode(const uint8_t *p, size_t n, int bit_width, uint32_t *out, size_t count,
		  hfds_error *err)
{
#define U_RUN(v, run) do { size_t k_; for (k_ = 0; k_ < (run); k_++) out[done_ + k_] = (v); } while (0)
#define U_J(v, j) (out[done_ + (size_t)(j)] = (v))
#define U_1(v) (out[done_] = (v))
	RLE_LOOP(U_RUN, NO_G8, U_J, (void)0, U_1, )
#undef U_RUN
#undef U_J
#undef U_1
}

/* A run of one level: four at a time through 8-byte stores. */
static inline void fill16(uint16_t *o, uint16_t v, size_t run)
{
	uint64_t four = v * UINT64_C(0x0001000100010001);
	size_t k = 0;
	for (; k + 4 <= run; k += 4)
		memcpy(o + k, &four, 8);
	for (; k < run; k++)
		o[k] = v;
}

static int rle_levels_body(const uint8_t *p, size_t n, int bit_width, uint16_t *out, size_t count,
			   uint32_t *mnp, uint32_t *mxp, hfds_error *err)
{
	uint32_t mn = UINT32_MAX, mx = 0;
#define L_RUN(v, run) do { mn = (v) < mn ? (v) : mn; mx = (v) > mx ? (v) : mx; \
	fill16(out + done_, (uint16_t)(v), (run)); } while (0)
#define L_J(v, j) do { out[done_ + (size_t)(j)] = (uint16_t)(v); mn = (v) < mn ? (v) : mn; mx = (v) > mx ? (v) : mx; } while (0)
#define L_1(v) do { out[done_] = (uint16_t)(v); mn = (v) < mn ? (v) : mn; mx = (v) > mx ? (v) : mx; } while (0)
#define L_END *mnp = mn; *mxp = mx;
	RLE_LOOP(L_RUN, NO_G8, L_J, (void)0, L_1, L_END)
#undef L_RUN
#undef L_J
#undef L_1
#undef L_END
}

int pq_rle_levels(const uint8_t *p, size_t n, int bit_width, uint16_t *out, size_t count,
		  uint16_t *minv, uint16_t *maxv, hfds_error *err)
{
	uint32_t mn = UINT32_MAX, mx = 0;
	int rc;
	*minv = 0;
	*maxv = 0;
	if (bit_width > 16)
		return fail(err, "level bit width out of range");
	rc = rle_levels_body(p, n, bit_width, out, count, &mn, &mx, err);
	if (rc == 0 && count) {
		*minv = (uint16_t)mn;
		*maxv = (uint16_t)mx;
	}
	return rc;
}

static int bad_index(hfds_error *err, uint32_t v, size_t dict_count)
{
	return hfds_error_set(err, HFDS_ECORRUPT, "dictionary index %u out of range (%zu entries)", v, dict_count);
}

/* One-byte entries with indices of at most 8 bits: a 256-slot table whose slots past the
 * dictionary hold 0x100, so a packed group is 8 lookups and one check of their OR (byte-wide
 * indices, as hfds writes small dictionaries under zstd: one 8-byte store per group). */
static int gather_byte_table(const uint8_t *p, size_t n, int bit_width, size_t count, const uint8_t *dict,
			     size_t dict_count, uint8_t *dst, hfds_error *err)
{
	uint16_t tab[256];
	unsigned or_ = 0;
	size_t i;
	for (i = 0; i < 256; i++)
		tab[i] = i < dict_count ? dict[i] : 0x100;
#define B_RUN(v, run) do { if ((v) >= dict_count) return bad_index(err, (v), dict_count); \
	memset(dst + done_, dict[v], (run)); } while (0)
#define B_G8(g) do { if (bit_width == 8) { const uint8_t *s_ = (g); \
	unsigned e0 = tab[s_[0]], e1 = tab[s_[1]], e2 = tab[s_[2]], e3 = tab[s_[3]]; \
	unsigned e4 = tab[s_[4]], e5 = tab[s_[5]], e6 = tab[s_[6]], e7 = tab[s_[7]]; \
	uint64_t o_ = (uint64_t)(e0 & 0xff) | (uint64_t)(e1 & 0xff) << 8 | (uint64_t)(e2 & 0xff) << 16 | \
		(uint64_t)(e3 & 0xff) << 24 | (uint64_t)(e4 & 0xff) << 32 | (uint64_t)(e5 & 0xff) << 40 | \
		(uint64_t)(e6 & 0xff) << 48 | (uint64_t)(e7 & 0xff) << 56; \
	or_ |= e0 | e1 | e2 | e3 | e4 | e5 | e6 | e7; \
	memcpy(dst + done_, &o_, 8); handled_ = 1; } } while (0)
#define B_J(v, j) do { unsigned e_ = tab[v]; or_ |= e_; dst[done_ + (size_t)(j)] = (uint8_t)e_; } while (0)
#define B_END8 do { if (or_ & 0x100) { int q_; memcpy(&w_, g_, 8); for (q_ = 0; q_ < 8; q_++) \
	if ((size_t)((w_ >> (q_ * bit_width)) & mask_) >= dict_count) \
		return bad_index(err, (uint32_t)((w_ >> (q_ * bit_width)) & mask_), dict_count); } } while (0)
#define B_1(v) do { if ((v) >= dict_count) return bad_index(err, (v), dict_count); dst[done_] = dict[v]; } while (0)
	RLE_LOOP(B_RUN, B_G8, B_J, B_END8, B_1, )
#undef B_RUN
#undef B_G8
#undef B_J
#undef B_END8
#undef B_1
}

int pq_rle_gather(const uint8_t *p, size_t n, int bit_width, size_t count, const uint8_t *dict,
		  size_t dict_count, size_t w, uint8_t *dst, hfds_error *err)
{
	if (w == 1 && bit_width >= 0 && bit_width <= 8)
		return gather_byte_table(p, n, bit_width, count, dict, dict_count, dst, err);
	{
		/* runs fill one entry; packed values are checked one by one (a predictable branch) */
#define G_RUN(v, run) do { size_t k_; if ((v) >= dict_count) return bad_index(err, (v), dict_count); \
	for (k_ = 0; k_ < (run); k_++) memcpy(dst + (done_ + k_) * w, dict + (size_t)(v) * w, w); } while (0)
#define G_J(v, j) do { if ((v) >= dict_count) return bad_index(err, (v), dict_count); \
	switch (w) { \
	case 2: memcpy(dst + (done_ + (size_t)(j)) * 2, dict + (size_t)(v) * 2, 2); break; \
	case 4: memcpy(dst + (done_ + (size_t)(j)) * 4, dict + (size_t)(v) * 4, 4); break; \
	case 8: memcpy(dst + (done_ + (size_t)(j)) * 8, dict + (size_t)(v) * 8, 8); break; \
	default: memcpy(dst + (done_ + (size_t)(j)) * w, dict + (size_t)(v) * w, w); } } while (0)
#define G_1(v) do { if ((v) >= dict_count) return bad_index(err, (v), dict_count); \
	memcpy(dst + done_ * w, dict + (size_t)(v) * w, w); } while (0)
		RLE_LOOP(G_RUN, NO_G8, G_J, (void)0, G_1, )
#undef G_RUN
#undef G_J
#undef G_1
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
