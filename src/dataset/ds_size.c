/*
 * Size strings as datasets' convert_file_size_to_int parses them: binary units with "iB"
 * ("5MiB" = 5 * 2^20), decimal units with "B" ("500MB" = 500 * 10^6), a lowercase final
 * "b" on a decimal unit means bits ("500Mb" = 500 * 10^6 / 8). Plain integers are bytes
 * (datasets accepts those only as Python ints; the CLI takes them as strings too).
 */
#include "hfds/dataset.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util/try.h"

/* Python int(): optional sign, digits with single underscores between them, spaces around. */
static int parse_int(const char *s, size_t n, uint64_t *out)
{
	size_t i = 0, end = n;
	uint64_t v = 0;
	int digits = 0, prev_us = 0;
	while (i < end && isspace((unsigned char)s[i]))
		i++;
	while (end > i && isspace((unsigned char)s[end - 1]))
		end--;
	if (i < end && s[i] == '+')
		i++;
	for (; i < end; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '_') {
			if (!digits || prev_us)
				return -1;
			prev_us = 1;
			continue;
		}
		if (!isdigit(c))
			return -1;
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(c - '0'), &v))
			return -1;
		digits++;
		prev_us = 0;
	}
	if (!digits || prev_us)
		return -1;
	*out = v;
	return 0;
}

static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

int hfds_ds_parse_size(const char *text, uint64_t *out, hfds_error *err)
{
	static const struct { const char *suffix; int shift; } bin[] = {
		{"PIB", 50}, {"TIB", 40}, {"GIB", 30}, {"MIB", 20}, {"KIB", 10}};
	static const struct { const char *suffix; uint64_t mult; } dec[] = {
		{"PB", 1000000000000000ull}, {"TB", 1000000000000ull}, {"GB", 1000000000ull},
		{"MB", 1000000ull}, {"KB", 1000ull}};
	size_t n, i;
	uint64_t v;
	if (!text)
		return hfds_error_set(err, HFDS_EPARSE, "size: missing value");
	n = strlen(text);
	for (i = 0; i < sizeof(bin) / sizeof(bin[0]); i++) {
		if (!ends_with_ci(text, n, bin[i].suffix))
			continue;
		if (parse_int(text, n - 3, &v) < 0 || v > (UINT64_MAX >> bin[i].shift))
			goto bad;
		*out = v << bin[i].shift;
		return 0;
	}
	for (i = 0; i < sizeof(dec) / sizeof(dec[0]); i++) {
		if (!ends_with_ci(text, n, dec[i].suffix))
			continue;
		if (parse_int(text, n - 2, &v) < 0 || __builtin_mul_overflow(v, dec[i].mult, &v))
			goto bad;
		*out = text[n - 1] == 'b' ? v / 8 : v;
		return 0;
	}
	if (parse_int(text, n, &v) == 0) {
		*out = v;
		return 0;
	}
bad:
	return hfds_error_set(err, HFDS_EPARSE,
		"size '%s' is not in a valid format: use an integer followed by the unit, e.g. '500MB', '5MiB' or '1GB'",
		text);
}
