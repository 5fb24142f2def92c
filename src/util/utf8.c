/*
 * ASCII runs are skipped eight bytes at a time (a word with no high bit set); multi-byte
 * sequences go through the table-free checks of Unicode's Table 3-7 (well-formed byte ranges).
 */
#include "util/utf8.h"

#include <string.h>

size_t hfds_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint8_t b0 = s[0];
	if (b0 < 0x80) {
		*cp = b0;
		return 1;
	}
	size_t len;
	uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
	if (b0 >= 0xc2 && b0 <= 0xdf) {
		len = 2;
	} else if (b0 >= 0xe0 && b0 <= 0xef) {
		len = 3;
		if (b0 == 0xe0)
			lo = 0xa0; /* overlong */
		else if (b0 == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (b0 >= 0xf0 && b0 <= 0xf4) {
		len = 4;
		if (b0 == 0xf0)
			lo = 0x90; /* overlong */
		else if (b0 == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	uint32_t v = b0 & (0xff >> (len + 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	*cp = v;
	return len;
}

size_t hfds_utf8_validate(const void *data, size_t n)
{
	const uint8_t *s = data;
	size_t i = 0;
	while (i < n) {
		/* four words per step while all is ASCII: one test per 32 bytes */
		while (n - i >= 32) {
			uint64_t w[4];
			memcpy(w, s + i, 32);
			if ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ull)
				break;
			i += 32;
		}
		if (i == n)
			break;
		if (n - i >= 8) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ull) == 0) {
				i += 8;
				continue;
			}
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t len = hfds_utf8_decode(s + i, n - i, &cp);
		if (len == 0)
			return i;
		i += len;
	}
	return n;
}
