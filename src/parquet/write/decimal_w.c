/*
 * Decimal value conversion for the writer. Arrow stores decimals as little-endian two's
 * complement words; Parquet FLBA decimals are big-endian and truncated to the precision's
 * width, so the conversion is a byte reversal of the low bytes plus a check that the
 * dropped high bytes were only sign extension (a wider value would silently change).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parquet/write/decimal_w.h"

static int parse_int(const char **p, long *out)
{
	char *end;
	long v = strtol(*p, &end, 10);
	if (end == *p)
		return -1;
	*out = v;
	*p = end;
	return 0;
}

int pqw_decimal_parse(const char *fmt, int *precision, int *scale, int *arrow_width)
{
	long p, s, bits = 128;
	const char *c = fmt;
	if (strncmp(c, "d:", 2) != 0)
		return -1;
	c += 2;
	if (parse_int(&c, &p) < 0 || *c++ != ',' || parse_int(&c, &s) < 0)
		return -1;
	if (*c == ',') {
		c++;
		if (parse_int(&c, &bits) < 0)
			return -1;
	}
	if (*c)
		return -1;
	int maxp = bits == 32 ? 9 : bits == 64 ? 18 : bits == 128 ? 38 : bits == 256 ? 76 : 0;
	if (p < 1 || p > maxp || s < INT_MIN + 1 || s > INT_MAX)
		return -1;
	*precision = (int)p;
	*scale = (int)s;
	*arrow_width = (int)(bits / 8);
	return 0;
}

int pqw_decimal_flba_width(int precision)
{
	/* smallest n with 10^P - 1 <= 2^(8n-1) - 1, i.e. P digits fit in 8n-1 value bits;
	 * 10^P < 2^(8n-1) is checked on log2 with a margin no precision <= 76 gets near */
	static const double log2_10 = 3.32192809488736234787;
	int n = 1;
	while ((double)precision * log2_10 >= (double)(8 * n - 1))
		n++;
	return n;
}

size_t pqw_decimal_to_be(uint8_t *dst, int dst_width, const uint8_t *src, int src_width, size_t n)
{
	size_t dw = (size_t)dst_width, sw = (size_t)src_width;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *v = src + i * sw;
		uint8_t *o = dst + i * dw;
		uint8_t ext = (v[dw - 1] & 0x80) ? 0xff : 0x00;
		for (size_t k = dw; k < sw; k++)
			if (v[k] != ext)
				return i;
		for (size_t k = 0; k < dw; k++)
			o[k] = v[dw - 1 - k];
	}
	return n;
}

int pqw_decimal_cmp(const uint8_t *a, const uint8_t *b, size_t width)
{
	if (width == 0)
		return 0;
	uint8_t x = a[0] ^ 0x80, y = b[0] ^ 0x80;
	if (x != y)
		return x < y ? -1 : 1;
	int c = memcmp(a + 1, b + 1, width - 1);
	return c < 0 ? -1 : c > 0;
}
