/*
 * One process-wide "C" locale object for strtod_l and uselocale. glibc returns its static
 * C locale for newlocale(..., "C", 0), so creation does not fail in practice; if it ever
 * did, the conversions fall back to the thread's current locale (the old behaviour)
 * rather than failing calls that have no error path.
 */
#include "util/clocale.h"

#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static locale_t get_c_locale(void)
{
	pthread_once(&once, make_c_locale);
	return c_locale;
}

double hfds_strtod_c(const char *s, char **end)
{
	locale_t c = get_c_locale();
	return c ? strtod_l(s, end, c) : strtod(s, end);
}

float hfds_strtof_c(const char *s, char **end)
{
	locale_t c = get_c_locale();
	return c ? strtof_l(s, end, c) : strtof(s, end);
}

int hfds_snprintf_c(char *out, size_t n, const char *fmt, ...)
{
	locale_t c = get_c_locale();
	locale_t old = c ? uselocale(c) : (locale_t)0;
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(out, n, fmt, ap);
	va_end(ap);
	if (c)
		uselocale(old);
	return r;
}
