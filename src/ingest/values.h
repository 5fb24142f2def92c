/*
 * Scalar text -> value conversions shared by the JSON Lines and CSV readers: integers with
 * range checks, locale-independent floats, ISO 8601 dates and timestamps that are refused
 * (never wrapped or rolled over) when they do not exist or do not fit the unit.
 * Each function returns 0 or -1; on -1 it points *why at a static reason.
 * Pure functions, thread-safe.
 */
#ifndef HFDS_INGEST_VALUES_H
#define HFDS_INGEST_VALUES_H
#include <stddef.h>
#include <stdint.h>

/* JSON/CSV number text (also "NaN", "Infinity", "-Infinity", "inf", "nan" when lenient). */
int ing_parse_double(const char *s, size_t n, int lenient, double *out, const char **why);
/* The common number read straight from text that goes on after it (JSON): a decimal
 * integer of at most 18 digits / a float in Clinger's exact case, not followed by a byte
 * that could continue a number. Returns the end of the number, or NULL when it is not that
 * case (nothing is refused: the caller then finds the end and uses ing_parse_*, which
 * give the same value for what these take). */
const char *ing_scan_int(const char *s, const char *end, int64_t *out);
const char *ing_scan_double(const char *s, const char *end, double *out);
/* "YYYY-MM-DD" -> days since 1970-01-01. */
int ing_parse_date(const char *s, size_t n, int32_t *out, const char **why);
/* "YYYY-MM-DD[(T| )HH:MM[:SS[.f]]][Z|±HH:MM]" -> units since the epoch (UTC);
 * per_second is 1, 1e3, 1e6 or 1e9. */
int ing_parse_timestamp(const char *s, size_t n, int64_t per_second, int64_t *out, const char **why);
/* Shape tests used by inference (no conversion). */
int ing_looks_int(const char *s, size_t n);
int ing_looks_float(const char *s, size_t n);
int ing_looks_date(const char *s, size_t n);
int ing_looks_timestamp(const char *s, size_t n);
/* case-insensitive true/false -> 1/0, else -1 */
int ing_parse_bool(const char *s, size_t n);
/* Decimal integer [-]digits, whole text; checks an integer against an Arrow integer format
 * ('c','s','i','l','C','S','I','L'); checks a double for float16 ('e') / float32 ('f')
 * (finite values must stay finite). Inline: the readers call them once per value. */
static inline int ing_parse_uint(const char *s, size_t n, uint64_t *out, const char **why)
{
	uint64_t v = 0;
	size_t i;
	if (n == 0 || n > 20 || (n > 1 && s[0] == '0')) {
		*why = n > 20 ? "integer out of range" : "not an integer";
		return -1;
	}
	/* 19 digits cannot overflow; only a 20th needs the checked multiply-add */
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9) {
			*why = "not an integer";
			return -1;
		}
		if (i == 19 && (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v))) {
			*why = "integer out of range";
			return -1;
		}
		if (i < 19)
			v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static inline int ing_parse_int(const char *s, size_t n, int64_t *out, const char **why)
{
	uint64_t u;
	int neg = n > 0 && s[0] == '-';
	if (ing_parse_uint(s + neg, n - (size_t)neg, &u, why) < 0)
		return -1;
	if (u > (uint64_t)INT64_MAX + (uint64_t)neg) {
		*why = "integer out of range";
		return -1;
	}
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

static inline int ing_int_fits(char fmt, int64_t v)
{
	switch (fmt) {
	case 'c': return v >= INT8_MIN && v <= INT8_MAX;
	case 's': return v >= INT16_MIN && v <= INT16_MAX;
	case 'i': return v >= INT32_MIN && v <= INT32_MAX;
	case 'C': return v >= 0 && v <= UINT8_MAX;
	case 'S': return v >= 0 && v <= UINT16_MAX;
	case 'I': return v >= 0 && v <= (int64_t)UINT32_MAX;
	case 'L': return v >= 0;
	default: return 1;
	}
}

static inline int ing_float_fits(char fmt, double v)
{
	if (!__builtin_isfinite(v))
		return 1;
	if (fmt == 'e')
		return __builtin_fabs(v) < 65520.0; /* rounds to at most 65504, the largest half */
	if (fmt == 'f')
		return __builtin_fabs(v) < 3.4028235677973366e38; /* rounds to at most FLT_MAX */
	return 1;
}
#endif
