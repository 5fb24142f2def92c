/*
 * Shortest round-trip formatting by search: for a candidate precision p, the closest p-digit
 * decimal (printf's correctly rounded "%.*e") and its two neighbours are the only p-digit
 * decimals that can round back to v, so "some p-digit decimal round-trips" is checked with
 * three parses, and it is monotone in p (p-digit decimals are also (p+1)-digit decimals), which
 * allows a binary search. Among round-tripping candidates the correctly rounded one wins, as
 * in Number#toString ("closest to the value"). Integral values below 2^53 (2^24 for float,
 * 2^11 for half) take a fast path: their shortest form is all their digits.
 */
#include "util/numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum width { W_HALF, W_FLOAT, W_DOUBLE };

double hfds_half_to_double(uint16_t bits)
{
	int sign = bits >> 15, exp = (bits >> 10) & 0x1f, frac = bits & 0x3ff;
	double v;
	if (exp == 0)
		v = ldexp(frac, -24);
	else if (exp == 0x1f)
		v = frac ? NAN : INFINITY;
	else
		v = ldexp(1024 + frac, exp - 25);
	return sign ? -v : v;
}

uint16_t hfds_double_to_half(double v)
{
	uint16_t sign = signbit(v) ? 0x8000 : 0;
	double a = fabs(v);
	if (isnan(v))
		return sign | 0x7e00;
	if (a >= 65520.0) /* half of the way from 65504 to 65536 rounds (to even) up: infinity */
		return sign | 0x7c00;
	if (a < 0x1p-14) { /* subnormal: units of 2^-24 */
		double q = nearbyint(a * 0x1p24); /* default rounding mode: ties to even */
		return sign | (uint16_t)q;
	}
	int e;
	frexp(a, &e); /* a = m * 2^e, 0.5 <= m < 1 */
	double q = nearbyint(ldexp(a, 11 - e)); /* 11 significant bits, in [1024, 2048] */
	if (q >= 2048) {
		q /= 2;
		e++;
	}
	return sign | (uint16_t)((e + 14) << 10) | (uint16_t)((uint32_t)q - 1024);
}

static double round_trip(const char *text, enum width w)
{
	switch (w) {
	case W_DOUBLE:
		return strtod(text, NULL);
	case W_FLOAT:
		return (double)strtof(text, NULL);
	default:
		/* decimal -> double -> half rounds twice, but a decimal of at most 5 significant
		 * digits is never within 2^-53 (relative) of a half rounding boundary without
		 * being exactly on it, so the result is the correctly rounded half. */
		return hfds_half_to_double(hfds_double_to_half(strtod(text, NULL)));
	}
}

/* Finds the p-digit decimal that round-trips, if any: digits into `digits` (no sign, no
 * point, p or p+1 chars), returns the decimal exponent of the first digit, or INT32_MIN. */
static int try_precision(double v, int p, enum width w, char digits[24])
{
	char buf[48];
	snprintf(buf, sizeof(buf), "%.*e", p - 1, v); /* d.ddde±x, v > 0 */
	char *e = strchr(buf, 'e');
	int exp10 = atoi(e + 1);
	uint64_t mant = 0;
	for (const char *c = buf; c < e; c++)
		if (*c >= '0' && *c <= '9')
			mant = mant * 10 + (uint64_t)(*c - '0');
	const uint64_t cand[3] = { mant, mant + 1, mant - 1 };
	for (int i = 0; i < 3; i++) {
		if (cand[i] == 0)
			continue;
		char text[48];
		snprintf(text, sizeof(text), "%llue%d", (unsigned long long)cand[i], exp10 - (p - 1));
		if (round_trip(text, w) == v) {
			int n = snprintf(digits, 24, "%llu", (unsigned long long)cand[i]);
			/* mant+1 may have gained a digit (999 -> 1000): the first digit moved up. */
			return exp10 + (n - p);
		}
	}
	return INT32_MIN;
}

/* Lays out significant digits like Number#toString; `exp10` is the exponent of digits[0]. */
static size_t render(int neg, const char *digits, int exp10, char *out)
{
	char d[24];
	size_t k = strlen(digits);
	memcpy(d, digits, k + 1);
	while (k > 1 && d[k - 1] == '0')
		d[--k] = '\0';
	int n = exp10 + 1; /* value = 0.d1d2... x 10^n */
	char *o = out;
	if (neg)
		*o++ = '-';
	if ((int)k <= n && n <= 21) {
		memcpy(o, d, k);
		o += k;
		for (int i = 0; i < n - (int)k; i++)
			*o++ = '0';
	} else if (0 < n && n <= 21) {
		memcpy(o, d, (size_t)n);
		o += n;
		*o++ = '.';
		memcpy(o, d + n, k - (size_t)n);
		o += k - (size_t)n;
	} else if (-6 < n && n <= 0) {
		*o++ = '0';
		*o++ = '.';
		for (int i = 0; i < -n; i++)
			*o++ = '0';
		memcpy(o, d, k);
		o += k;
	} else {
		*o++ = d[0];
		if (k > 1) {
			*o++ = '.';
			memcpy(o, d + 1, k - 1);
			o += k - 1;
		}
		o += sprintf(o, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
	*o = '\0';
	return (size_t)(o - out);
}

static size_t fmt_special(double v, char *out)
{
	const char *s = isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
	size_t n = strlen(s);
	memcpy(out, s, n + 1);
	return n;
}

static size_t fmt_width(double v, enum width w, char *out)
{
	static const int max_digits[] = { 5, 9, 17 };
	static const double exact_int[] = { 0x1p11, 0x1p24, 0x1p53 };
	if (!isfinite(v))
		return fmt_special(v, out);
	int neg = signbit(v) != 0;
	double a = fabs(v);
	if (a == 0) {
		strcpy(out, neg ? "-0" : "0");
		return neg ? 2 : 1;
	}
	char digits[24];
	if (a < exact_int[w] && a == floor(a)) {
		int n = snprintf(digits, sizeof(digits), "%.0f", a);
		return render(neg, digits, n - 1, out);
	}
	int lo = 1, hi = max_digits[w]; /* max_digits always round-trips */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (try_precision(a, mid, w, digits) != INT32_MIN)
			hi = mid;
		else
			lo = mid + 1;
	}
	int exp10 = try_precision(a, lo, w, digits);
	return render(neg, digits, exp10, out);
}

size_t hfds_fmt_double(double v, char *out)
{
	return fmt_width(v, W_DOUBLE, out);
}

size_t hfds_fmt_float(float v, char *out)
{
	return fmt_width((double)v, W_FLOAT, out);
}

size_t hfds_fmt_half(uint16_t bits, char *out)
{
	return fmt_width(hfds_half_to_double(bits), W_HALF, out);
}

size_t hfds_fmt_uint64(uint64_t v, char *out)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}

size_t hfds_fmt_int64(int64_t v, char *out)
{
	if (v >= 0)
		return hfds_fmt_uint64((uint64_t)v, out);
	out[0] = '-';
	return 1 + hfds_fmt_uint64(0 - (uint64_t)v, out + 1);
}
