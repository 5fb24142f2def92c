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

/* Decimal integer [-]digits, whole text. */
int ing_parse_int(const char *s, size_t n, int64_t *out, const char **why);
int ing_parse_uint(const char *s, size_t n, uint64_t *out, const char **why);
/* JSON/CSV number text (also "NaN", "Infinity", "-Infinity", "inf", "nan" when lenient). */
int ing_parse_double(const char *s, size_t n, int lenient, double *out, const char **why);
/* Checks an integer against an Arrow integer format ('c','s','i','l','C','S','I','L'). */
int ing_int_fits(char fmt, int64_t v);
/* Checks a double for float16 ('e') / float32 ('f'): finite values must stay finite. */
int ing_float_fits(char fmt, double v);
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
#endif
