/*
 * Schubfach for doubles. With v = c x 2^q, the rounding interval of v is [cbl, cbr] x 2^(q-2)
 * (cbl = 4c - 2, or 4c - 1 at a power of two whose lower neighbour is closer); k is chosen so
 * that 10^k <= its width < 10^(k+1): the interval then holds at most one multiple of 10^(k+1)
 * (the shortest answer when present) and at least one multiple of 10^k. v, cbl and cbr are
 * scaled by 10^-k with g, a 128-bit upper approximation of 10^-k (times a power of two), and
 * rounded to odd, which keeps enough information to decide every comparison exactly
 * (Giulietti's paper, section 9; also Java's DoubleToDecimal).
 *
 * The table: g(e) = floor(10^e / 2^r) + 1 with r such that g(e) has exactly 128 bits, for
 * e in [-292, 324]. It is computed once from exact integers: 10^e by repeated x10 for e >= 0,
 * and floor(2^1216 / 10^m) by repeated /10 (nested floors of exact divisions are exact) for
 * e = -m < 0, taking the top 128 bits and adding one.
 */
#include "util/shortest.h"

#include <pthread.h>
#include <string.h>

#define E_MIN (-292)
#define E_MAX 324
#define BIG_WORDS 40 /* 1280 bits: 10^324 < 2^1077, 2^1216 */

typedef struct u128 {
	uint64_t hi, lo;
} u128;

static u128 g_table[E_MAX - E_MIN + 1];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static int big_bits(const uint32_t *w)
{
	for (int i = BIG_WORDS - 1; i >= 0; i--)
		if (w[i])
			return i * 32 + 32 - __builtin_clz(w[i]);
	return 0;
}

/* floor(x / 2^(bits - 128)) + 1 for x >= 2^127 of `bits` bits, or x * 2^(128 - bits) + 1. */
static u128 top128_plus_one(const uint32_t *w)
{
	int len = big_bits(w);
	u128 r = { 0, 0 };
	for (int j = len - 1; j >= len - 128; j--) {
		uint64_t bit = j >= 0 ? (w[j / 32] >> (j % 32)) & 1 : 0;
		r.hi = r.hi << 1 | r.lo >> 63;
		r.lo = r.lo << 1 | bit;
	}
	r.hi += ++r.lo == 0;
	return r;
}

static void build_table(void)
{
	uint32_t w[BIG_WORDS];
	memset(w, 0, sizeof(w));
	w[0] = 1;
	for (int e = 0; e <= E_MAX; e++) {
		if (e > 0) {
			uint64_t carry = 0;
			for (int i = 0; i < BIG_WORDS; i++) {
				uint64_t x = (uint64_t)w[i] * 10 + carry;
				w[i] = (uint32_t)x;
				carry = x >> 32;
			}
		}
		g_table[e - E_MIN] = top128_plus_one(w);
	}
	memset(w, 0, sizeof(w));
	w[1216 / 32] = 1; /* 2^1216 */
	for (int m = 1; m <= -E_MIN; m++) {
		uint64_t rem = 0;
		for (int i = BIG_WORDS - 1; i >= 0; i--) {
			uint64_t cur = rem << 32 | w[i];
			w[i] = (uint32_t)(cur / 10);
			rem = cur % 10;
		}
		g_table[-m - E_MIN] = top128_plus_one(w);
	}
}

/* floor(log10(2^e)), floor(log10(3/4 * 2^e)), floor(log2(10^e)) for |e| <= 1650 (arithmetic
 * shifts of negative values round down, as gcc and clang implement them). */
static int floor_log10_pow2(int e) { return (e * 1262611) >> 22; }
static int floor_log10_three_quarters_pow2(int e) { return (e * 1262611 - 524031) >> 22; }
static int floor_log2_pow10(int e) { return (e * 1741647) >> 19; }

/* floor(g * cp / 2^128), its last bit set when the dropped part is not zero (round to odd).
 * g overestimates by less than one unit, so an exact product leaves at most 1 in z. */
static uint64_t round_to_odd(u128 g, uint64_t cp)
{
	unsigned __int128 x = (unsigned __int128)g.lo * cp;
	unsigned __int128 y = (unsigned __int128)g.hi * cp;
	uint64_t y0 = (uint64_t)y, y1 = (uint64_t)(y >> 64);
	uint64_t z = y0 + (uint64_t)(x >> 64);
	uint64_t carry = z < y0;
	return (y1 + carry) | (z > 1);
}

void hfds_shortest_double(double a, uint64_t *digits, int *exp10)
{
	uint64_t bits, c;
	int q;
	pthread_once(&g_once, build_table);
	memcpy(&bits, &a, sizeof(bits));
	uint64_t frac = bits & ((1ull << 52) - 1);
	int bexp = (int)(bits >> 52 & 0x7ff);
	if (bexp) {
		c = frac | 1ull << 52;
		q = bexp - 1075;
		if (q <= 0 && q > -53 && (c & ((1ull << -q) - 1)) == 0) { /* an integer below 2^53 */
			*digits = c >> -q;
			*exp10 = 0;
			return;
		}
	} else {
		c = frac;
		q = -1074;
	}
	int accept = (c & 1) == 0; /* an even significand owns its interval's ends */
	int lower_closer = frac == 0 && bexp > 1;
	uint64_t cbl = 4 * c - 2 + (uint64_t)lower_closer, cb = 4 * c, cbr = 4 * c + 2;
	int k = lower_closer ? floor_log10_three_quarters_pow2(q) : floor_log10_pow2(q);
	int h = q + floor_log2_pow10(-k) + 1; /* 1..4 */
	u128 g = g_table[-k - E_MIN];
	uint64_t vbl = round_to_odd(g, cbl << h), vb = round_to_odd(g, cb << h), vbr = round_to_odd(g, cbr << h);
	uint64_t lower = vbl + !accept, upper = vbr - !accept;
	uint64_t s = vb / 4; /* floor(v x 10^-k) */
	if (s >= 10) {
		uint64_t sp = s / 10;
		int up_in = lower <= 40 * sp, wp_in = 40 * sp + 40 <= upper;
		if (up_in != wp_in) {
			*digits = sp + (uint64_t)wp_in;
			*exp10 = k + 1;
			return;
		}
	}
	int u_in = lower <= 4 * s, w_in = 4 * s + 4 <= upper;
	if (u_in != w_in) {
		*digits = s + (uint64_t)w_in;
		*exp10 = k;
		return;
	}
	uint64_t mid = 4 * s + 2;
	*digits = s + (uint64_t)(vb > mid || (vb == mid && (s & 1)));
	*exp10 = k;
}
