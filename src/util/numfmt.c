/*
 * Doubles take Schubfach (util/shortest.c). Floats and halves, rare in datasets, take
 * shortest round-trip formatting by search: only the p-digit decimals just below and above v
 * can round back to v, so "some p-digit decimal round-trips" is checked with at most three
 * parses, and it is monotone in p (p-digit decimals are also (p+1)-digit decimals), which
 * allows a binary search. Among round-tripping candidates the correctly rounded one wins, as
 * in Number#toString ("closest to the value"). Integral values below 2^53 (2^24 for float,
 * 2^11 for half) take a fast path: their shortest form is all their digits.
 */
#include "util/numfmt.h"
#include "util/clocale.h"
#include "util/shortest.h"

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

/* Powers of ten that are exact in double (10^22 < 2^53 * 2^22) and in float (10^10). */
static const double POW10_D[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
static const float POW10_F[] = { 1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f };

/* Writes "<mant>e<exp>" into text (no printf: this is the hot loop). */
static void candidate_text(uint64_t mant, int exp, char *text)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + mant % 10);
		mant /= 10;
	} while (mant);
	while (n)
		*text++ = tmp[--n];
	*text++ = 'e';
	if (exp < 0) {
		*text++ = '-';
		exp = -exp;
	}
	n = 0;
	do {
		tmp[n++] = (char)('0' + exp % 10);
		exp /= 10;
	} while (exp);
	while (n)
		*text++ = tmp[--n];
	*text = '\0';
}

/* The double nearest to mant * 10^exp. Clinger's fast path when mant and 10^|exp| are both
 * exact doubles (one correctly rounded operation), else strtod. */
static double decimal_to_double(uint64_t mant, int exp)
{
	if (mant < (1ull << 53) && exp >= -22 && exp <= 22)
		return exp >= 0 ? (double)mant * POW10_D[exp] : (double)mant / POW10_D[-exp];
	char buf[48];
	candidate_text(mant, exp, buf);
	return hfds_strtod_c(buf, NULL);
}

/* The value at width w nearest to the decimal mant * 10^exp, as a double. */
static double round_trip(uint64_t mant, int exp, enum width w)
{
	switch (w) {
	case W_FLOAT:
		if (mant < (1u << 24) && exp >= -10 && exp <= 10) {
			float f = (float)mant;
			return (double)(exp >= 0 ? f * POW10_F[exp] : f / POW10_F[-exp]);
		} else {
			char buf[48];
			candidate_text(mant, exp, buf);
			return (double)hfds_strtof_c(buf, NULL);
		}
	default:
		/* decimal -> double -> half rounds twice, but a decimal of at most 5 significant
		 * digits in the half range is never within 2^-53 (relative) of a half rounding
		 * boundary without being on it, so the result is the correctly rounded half. */
		return hfds_half_to_double(hfds_double_to_half(decimal_to_double(mant, exp)));
	}
}

/* The 17 significant digits of v (> 0), correctly rounded, and the exponent of the first. */
typedef struct digits17 {
	char d[18];
	int exp10;
} digits17;

static void get_digits17(double v, digits17 *out)
{
	char buf[40];
	hfds_snprintf_c(buf, sizeof(buf), "%.16e", v); /* d.dddddddddddddddde±x */
	out->d[0] = buf[0];
	memcpy(out->d + 1, buf + 2, 16);
	out->d[17] = '\0';
	out->exp10 = atoi(buf + 19);
}

/* Finds a p-digit decimal that rounds back to v, if any: its significant digits into `digits`
 * (p or p+1 chars) and the decimal exponent of the first one as the result, or INT32_MIN.
 * The only candidates are the p-digit decimals just below and above v; truncating the
 * 17-digit form gives one of them (or one past, when rounding to 17 digits carried), so
 * t-1, t and t+1 cover both. If two round-trip, the correctly rounded one (printf) wins,
 * as Number#toString takes the one closest to v. */
static int try_precision(double v, const digits17 *d17, int p, enum width w, char digits[24])
{
	uint64_t t = 0;
	for (int i = 0; i < p; i++)
		t = t * 10 + (uint64_t)(d17->d[i] - '0');
	int exp = d17->exp10 - (p - 1); /* value of the last digit */
	const uint64_t cand[3] = { t - 1, t, t + 1 };
	int found = -1, count = 0;
	for (int i = 0; i < 3; i++) {
		if (cand[i] == 0)
			continue;
		if (round_trip(cand[i], exp, w) == v) {
			if (found < 0)
				found = i;
			count++;
		}
	}
	if (found < 0)
		return INT32_MIN;
	uint64_t best = cand[found];
	if (count > 1) {
		char buf[48];
		hfds_snprintf_c(buf, sizeof(buf), "%.*e", p - 1, v);
		char *e = strchr(buf, 'e');
		int e10 = atoi(e + 1);
		best = 0;
		for (const char *c = buf; c < e; c++)
			if (*c >= '0' && *c <= '9')
				best = best * 10 + (uint64_t)(*c - '0');
		exp = e10 - (p - 1);
	}
	int n = snprintf(digits, 24, "%llu", (unsigned long long)best);
	return exp + n - 1;
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
		*o++ = 'e';
		*o++ = n - 1 < 0 ? '-' : '+';
		o += hfds_fmt_uint64((uint64_t)abs(n - 1), o);
	}
	*o = '\0';
	return (size_t)(o - out);
}

const char hfds_digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				   "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				   "8081828384858687888990919293949596979899";

static const uint64_t POW10_U[] = { 1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
	100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
	100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull };

/* render() for a double a > 0 from its Schubfach digits, without the string round trip: the
 * common layouts (integer, or digits around a point) print the two parts as integers. */
static size_t render_double(int neg, double a, char *out)
{
	uint64_t m;
	int e, k;
	char *o = out;
	hfds_shortest_double(a, &m, &e);
	while (m % 10 == 0) {
		m /= 10;
		e++;
	}
	for (k = 1; k < 17 && m >= POW10_U[k]; k++)
		;
	int n = e + k; /* a = 0.d1d2...dk x 10^n */
	if (neg)
		*o++ = '-';
	if (k <= n && n <= 21) {
		o += hfds_fmt_uint64(m, o);
		for (int i = 0; i < n - k; i++)
			*o++ = '0';
	} else if (0 < n && n <= 21) {
		uint64_t p = POW10_U[k - n], frac = m % p;
		o += hfds_fmt_uint64(m / p, o);
		*o++ = '.';
		int i = k - n; /* the fraction's digits, leading zeros kept, two per division */
		for (; i >= 2; i -= 2, frac /= 100)
			memcpy(o + i - 2, hfds_digit_pairs + (frac % 100) * 2, 2);
		if (i)
			o[0] = (char)('0' + frac);
		o += k - n;
	} else {
		char digits[24];
		hfds_fmt_uint64(m, digits);
		return render(neg, digits, n - 1, out);
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
	static const int max_digits[] = { 5, 9 };
	static const double exact_int[] = { 0x1p11, 0x1p24 };
	if (!isfinite(v))
		return fmt_special(v, out);
	int neg = signbit(v) != 0;
	double a = fabs(v);
	if (a == 0) {
		strcpy(out, neg ? "-0" : "0");
		return neg ? 2 : 1;
	}
	char digits[24];
	if (w == W_DOUBLE)
		return render_double(neg, a, out);
	if (a < exact_int[w] && a == floor(a)) {
		int n = hfds_snprintf_c(digits, sizeof(digits), "%.0f", a);
		return render(neg, digits, n - 1, out);
	}
	digits17 d17;
	get_digits17(a, &d17);
	int lo = 1, hi = max_digits[w]; /* max_digits always round-trips */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (try_precision(a, &d17, mid, w, digits) != INT32_MIN)
			hi = mid;
		else
			lo = mid + 1;
	}
	int exp10 = try_precision(a, &d17, lo, w, digits);
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

static int count_digits(uint64_t v)
{
	int n = 1;
	for (;;) {
		if (v < 10)
			return n;
		if (v < 100)
			return n + 1;
		if (v < 1000)
			return n + 2;
		if (v < 10000)
			return n + 3;
		v /= 10000;
		n += 4;
	}
}

/* Counts the digits first, then fills them from the end two per division: the hot path of
 * number output (`hfds cat`). */
size_t hfds_fmt_uint64(uint64_t v, char *out)
{
	size_t n = (size_t)count_digits(v);
	char *t = out + n;
	*t = '\0';
	while (v >= 100) {
		t -= 2;
		memcpy(t, hfds_digit_pairs + (v % 100) * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		t -= 2;
		memcpy(t, hfds_digit_pairs + v * 2, 2);
	} else {
		*--t = (char)('0' + v);
	}
	return n;
}

size_t hfds_fmt_int64(int64_t v, char *out)
{
	if (v >= 0)
		return hfds_fmt_uint64((uint64_t)v, out);
	out[0] = '-';
	return 1 + hfds_fmt_uint64(0 - (uint64_t)v, out + 1);
}
