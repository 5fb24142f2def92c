/*
 * Number text under the "C" rules whatever LC_NUMERIC the embedding program chose.
 *
 * The library writes card YAML, features JSON and canonical rows that other tools parse
 * with a '.' decimal point; a host program that called setlocale(LC_ALL, "de_DE.UTF-8")
 * must not turn 1.5 into "1,5" (or read "1.5" as 1). Every strtod/strtof/printf of a
 * floating-point value in src/ goes through these.
 *
 * Thread-safe: the C locale object is created once; printing switches only the calling
 * thread's locale (uselocale) and restores it before returning. No allocation after the
 * first call.
 */
#ifndef HFDS_UTIL_CLOCALE_H
#define HFDS_UTIL_CLOCALE_H

#include <stddef.h>
#include "hfds/common.h"

double hfds_strtod_c(const char *s, char **end);
float hfds_strtof_c(const char *s, char **end);
/* vsnprintf under the C locale; same result contract as snprintf. */
int hfds_snprintf_c(char *out, size_t n, const char *fmt, ...) HFDS_PRINTF(3, 4);

#endif
