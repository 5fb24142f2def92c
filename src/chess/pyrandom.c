/*
 * Python's `random` module, bit for bit: MT19937 seeded as random.seed(int) does
 * (init_by_array over the 32-bit little-endian words of |seed|, key [0] for 0) and
 * random() = (a * 2^26 + b) / 2^53 with a = u32 >> 5, b = u32 >> 6.
 * Also the counter-based generator of the ply-curve sampler (SplitMix64 finaliser chain),
 * which needs no state, so any thread can draw any game's numbers.
 */
#include "hfds/chess.h"

static void init_genrand(hfds_chess_pyrandom *r, uint32_t s)
{
	int i;
	r->mt[0] = s;
	for (i = 1; i < 624; i++)
		r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
	r->index = 624;
}

void hfds_chess_pyrandom_seed(hfds_chess_pyrandom *r, uint64_t seed)
{
	uint32_t key[2];
	int len = 0, i = 1, j = 0, k;
	key[len++] = (uint32_t)seed;
	if (seed >> 32)
		key[len++] = (uint32_t)(seed >> 32);
	init_genrand(r, 19650218u);
	for (k = 624 > len ? 624 : len; k; k--) {
		r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1664525u)) + key[j] + (uint32_t)j;
		i++;
		j++;
		if (i >= 624) {
			r->mt[0] = r->mt[623];
			i = 1;
		}
		if (j >= len)
			j = 0;
	}
	for (k = 623; k; k--) {
		r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1566083941u)) - (uint32_t)i;
		i++;
		if (i >= 624) {
			r->mt[0] = r->mt[623];
			i = 1;
		}
	}
	r->mt[0] = 0x80000000u;
	r->index = 624;
}

static uint32_t genrand(hfds_chess_pyrandom *r)
{
	uint32_t y;
	if (r->index >= 624) {
		int k;
		for (k = 0; k < 624; k++) {
			y = (r->mt[k] & 0x80000000u) | (r->mt[(k + 1) % 624] & 0x7fffffffu);
			r->mt[k] = r->mt[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
		}
		r->index = 0;
	}
	y = r->mt[r->index++];
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680u;
	y ^= (y << 15) & 0xefc60000u;
	y ^= y >> 18;
	return y;
}

double hfds_chess_pyrandom_random(hfds_chess_pyrandom *r)
{
	uint32_t a = genrand(r) >> 5, b = genrand(r) >> 6;
	return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double hfds_chess_keyed_random(uint64_t seed, uint64_t file, uint64_t game, uint64_t n)
{
	uint64_t h = mix(mix(mix(mix(seed) ^ file) ^ game) ^ n);
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}
