/*
 * Scalar conversions for the text readers. Floats are parsed without strtod's locale
 * dependence: the common case (a mantissa of at most 2^53, a power of ten up to 22) is
 * Clinger's exact fast path; anything else goes to strtod_l in the "C" locale. Dates use
 * the proleptic Gregorian calendar and are checked day by day, so 2023-02-29 is an error
 * and not March 1st; timestamps are computed with overflow checks so 2262-04-12 in
 * nanoseconds is an error and not 1677.
 */
#include "ingest/values.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const double pow10_exact[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Grammar check of a JSON number; returns its length or 0. */
static size_t number_shape(const char *s, size_t n, int lenient)
{
	size_t i = 0, d;
	if (i < n && (s[i] == '-' || (lenient && s[i] == '+')))
		i++;
	d = i;
	while (i < n && is_digit(s[i]))
		i++;
	if (i == d && !(lenient && i < n && s[i] == '.'))
		return 0;
	if (!lenient && i - d > 1 && s[d] == '0')
		return 0;
	if (i < n && s[i] == '.') {
		size_t f = ++i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == f && (!lenient || f - 1 == d))
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t e;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		e = i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == e)
			return 0;
	}
	return i;
}

static int special(const char *s, size_t n, double *out)
{
	static const struct { const char *t; double v; } names[] = {
		{"NaN", NAN}, {"nan", NAN}, {"-NaN", NAN}, {"-nan", NAN}, {"Infinity", INFINITY}, {"-Infinity", -INFINITY},
		{"inf", INFINITY}, {"-inf", -INFINITY}, {"+Infinity", INFINITY}, {"+inf", INFINITY}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].t) == n && !memcmp(names[i].t, s, n)) {
			*out = names[i].v;
			return 0;
		}
	return -1;
}

/* The common JSON/CSV number in one pass: at most 19 digits whose value fits the 53-bit
 * mantissa and a power of ten within 1e22 (Clinger's exact case: one correctly rounded
 * operation, so the result is strtod's bit for bit, -0 included). Reads the longest such
 * number at s; NULL = not that case (the caller takes the slow path). */
static const char *double_prefix(const char *s, const char *end, double *out)
{
	const char *p = s, *d0, *f0;
	int neg = 0, exp10 = 0;
	uint64_t m = 0;
	size_t nd;
	double v;
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	for (d0 = p; p < end && (unsigned)(*p - '0') < 10; p++)
		m = m * 10 + (uint64_t)(*p - '0');
	nd = (size_t)(p - d0);
	if (nd == 0 || (nd > 1 && *d0 == '0'))
		return NULL;
	if (p < end && *p == '.') {
		for (f0 = ++p; p < end && (unsigned)(*p - '0') < 10; p++)
			m = m * 10 + (uint64_t)(*p - '0');
		if (p == f0)
			return NULL;
		exp10 = -(int)(p - f0);
		nd += (size_t)(p - f0);
	}
	/* 19 digits cannot wrap m; more go to the slow path */
	if (nd > 19 || m > (1ull << 53))
		return NULL;
	if (p < end && (*p == 'e' || *p == 'E')) {
		const char *e0;
		int e = 0, eneg = 0;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (e0 = p; p < end && (unsigned)(*p - '0') < 10; p++)
			if (e < 10000)
				e = e * 10 + (*p - '0');
		if (p == e0)
			return NULL;
		exp10 += eneg ? -e : e;
	}
	if (exp10 < -22 || exp10 > 22)
		return NULL;
	v = (double)m;
	v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
	*out = neg ? -v : v;
	return p;
}

static int fast_double(const char *s, size_t n, double *out)
{
	return double_prefix(s, s + n, out) == s + n ? 0 : -1;
}

/* A byte that can continue a JSON number: a number followed by one is not whole. */
static int number_byte(char c)
{
	return is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

const char *ing_scan_double(const char *s, const char *end, double *out)
{
	const char *p = double_prefix(s, end, out);
	return p && (p == end || !number_byte(*p)) ? p : NULL;
}

const char *ing_scan_int(const char *s, const char *end, int64_t *out)
{
	const char *p = s, *d0;
	uint64_t m = 0;
	int neg = p < end && *p == '-';
	p += neg;
	for (d0 = p; p < end && (unsigned)(*p - '0') < 10; p++)
		m = m * 10 + (uint64_t)(*p - '0');
	/* 18 digits cannot pass INT64_MAX; more, a leading zero or a fraction: the slow path */
	if (p == d0 || p - d0 > 18 || (p - d0 > 1 && *d0 == '0') || (p < end && number_byte(*p)))
		return NULL;
	*out = neg ? -(int64_t)m : (int64_t)m;
	return p;
}

int ing_parse_double(const char *s, size_t n, int lenient, double *out, const char **why)
{
	char tmp[128];
	char *end;
	uint64_t mant = 0;
	int digits = 0, exp10 = 0, neg = 0;
	size_t i = 0;
	if (fast_double(s, n, out) == 0)
		return 0;
	if (number_shape(s, n, lenient) != n || n == 0) {
		if (special(s, n, out) == 0)
			return 0;
		*why = "not a number";
		return -1;
	}
	if (s[0] == '-' || s[0] == '+')
		neg = s[i++] == '-';
	for (; i < n && (is_digit(s[i]) || s[i] == '.'); i++) {
		if (s[i] == '.')
			continue;
		if (digits < 19) {
			mant = mant * 10 + (uint64_t)(s[i] - '0');
			if (mant)
				digits++;
		} else {
			digits = 99;
		}
	}
	if (digits <= 15) {
		const char *dot = memchr(s, '.', n);
		int e = 0, eneg = 0;
		if (dot) {
			size_t k = (size_t)(dot - s) + 1;
			while (k < n && is_digit(s[k])) {
				exp10--;
				k++;
			}
		}
		if (i < n) { /* exponent */
			i++;
			if (s[i] == '+' || s[i] == '-')
				eneg = s[i++] == '-';
			for (; i < n && e < 10000; i++)
				e = e * 10 + (s[i] - '0');
			exp10 += eneg ? -e : e;
		}
		if (exp10 >= -22 && exp10 <= 22 && i >= n) {
			double v = (double)mant;
			v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
			*out = neg ? -v : v;
			return 0;
		}
	}
	if (n >= sizeof(tmp)) {
		*why = "number too long";
		return -1;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	pthread_once(&c_locale_once, c_locale_init);
	*out = c_locale ? strtod_l(tmp, &end, c_locale) : strtod(tmp, &end);
	if (isinf(*out)) {
		*why = "number out of range for float64";
		return -1;
	}
	return 0;
}

static int digits_at(const char *s, size_t n, size_t at, int count, int *out)
{
	int v = 0;
	if (at + (size_t)count > n)
		return -1;
	for (int k = 0; k < count; k++) {
		if (!is_digit(s[at + (size_t)k]))
			return -1;
		v = v * 10 + (s[at + (size_t)k] - '0');
	}
	*out = v;
	return 0;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int month_days(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* YYYY-MM-DD at s; returns 10 or -1 */
static int date_part(const char *s, size_t n, int64_t *days, const char **why)
{
	int y, m, d;
	if (digits_at(s, n, 0, 4, &y) < 0 || n < 10 || s[4] != '-' || digits_at(s, n, 5, 2, &m) < 0 || s[7] != '-' ||
	    digits_at(s, n, 8, 2, &d) < 0) {
		*why = "expected a date YYYY-MM-DD";
		return -1;
	}
	if (m < 1 || m > 12 || d < 1 || d > month_days(y, m)) {
		*why = "no such date";
		return -1;
	}
	*days = days_from_civil(y, (unsigned)m, (unsigned)d);
	return 10;
}

int ing_parse_date(const char *s, size_t n, int32_t *out, const char **why)
{
	int64_t days;
	if (date_part(s, n, &days, why) < 0)
		return -1;
	if (n != 10) {
		*why = "expected a date YYYY-MM-DD";
		return -1;
	}
	*out = (int32_t)days;
	return 0;
}

int ing_parse_timestamp(const char *s, size_t n, int64_t per_second, int64_t *out, const char **why)
{
	int64_t days, secs, v, frac = 0, scale = 1;
	int h = 0, mi = 0, sec = 0, off = 0;
	size_t i;
	if (date_part(s, n, &days, why) < 0) {
		if (strcmp(*why, "no such date"))
			goto bad;
		return -1;
	}
	i = 10;
	if (i < n && (s[i] == 'T' || s[i] == ' ')) {
		if (digits_at(s, n, i + 1, 2, &h) < 0 || i + 3 >= n || s[i + 3] != ':' || digits_at(s, n, i + 4, 2, &mi) < 0)
			goto bad;
		i += 6;
		if (i < n && s[i] == ':') {
			if (digits_at(s, n, i + 1, 2, &sec) < 0)
				goto bad;
			i += 3;
			if (i < n && (s[i] == '.' || s[i] == ',')) {
				size_t f = ++i;
				for (; i < n && is_digit(s[i]); i++)
					if (scale < 1000000000) {
						frac = frac * 10 + (s[i] - '0');
						scale *= 10;
					}
				if (i == f)
					goto bad;
			}
		}
		if (h > 23 || mi > 59 || sec > 59) {
			*why = "no such time of day";
			return -1;
		}
	}
	if (i < n && s[i] == 'Z') {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-') && i > 10) {
		int oh, om = 0;
		int sign = s[i] == '-' ? -1 : 1;
		if (digits_at(s, n, i + 1, 2, &oh) < 0)
			goto bad;
		i += 3;
		if (i < n && s[i] == ':')
			i++;
		if (i < n && digits_at(s, n, i, 2, &om) == 0)
			i += 2;
		if (oh > 23 || om > 59)
			goto bad;
		off = sign * (oh * 3600 + om * 60);
	}
	if (i != n)
		goto bad;
	secs = days * 86400 + h * 3600 + mi * 60 + sec - off;
	if (__builtin_mul_overflow(secs, per_second, &v) ||
	    __builtin_add_overflow(v, frac * (per_second / scale > 0 ? per_second / scale : 0), &v)) {
		*why = "timestamp out of range for its unit";
		return -1;
	}
	if (scale > per_second)
		v += frac / (scale / per_second);
	*out = v;
	return 0;
bad:
	*why = "expected a timestamp YYYY-MM-DD[THH:MM:SS[.f]][Z|+HH:MM]";
	return -1;
}

int ing_looks_int(const char *s, size_t n)
{
	int64_t v;
	const char *why;
	return ing_parse_int(s, n, &v, &why) == 0;
}

int ing_looks_float(const char *s, size_t n)
{
	double v;
	const char *why;
	return ing_parse_double(s, n, 1, &v, &why) == 0;
}

int ing_looks_date(const char *s, size_t n)
{
	int32_t v;
	const char *why;
	return n == 10 && ing_parse_date(s, n, &v, &why) == 0;
}

int ing_looks_timestamp(const char *s, size_t n)
{
	int64_t v;
	const char *why;
	return n > 10 && ing_parse_timestamp(s, n, 1000000, &v, &why) == 0;
}

int ing_parse_bool(const char *s, size_t n)
{
	if (n == 4 && !strncasecmp(s, "true", 4))
		return 1;
	if (n == 5 && !strncasecmp(s, "false", 5))
		return 0;
	return -1;
}
