/*
 * Pure parsers of the server: URL paths, percent-encoding, Range headers and form bodies.
 * No I/O, so tests/fuzz/fuzz_server_parse.c can drive them with any bytes.
 */
#include "server/srv_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/try.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int srv_pct_decode(char **out, const char *s, size_t n, int plus_space, hfds_error *err)
{
	char *d;
	size_t i, j = 0;
	*out = NULL;
	if (!(d = hfds_malloc(n + 1)))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n) {
				hfds_free(d);
				return hfds_error_set(err, HFDS_EPARSE, "offset %zu: truncated percent escape", i);
			}
			if (hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0) {
				hfds_free(d);
				return hfds_error_set(err, HFDS_EPARSE, "offset %zu: bad percent escape", i);
			}
			c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
			i += 2;
		} else if (c == '+' && plus_space) {
			c = ' ';
		}
		if (c == 0) {
			hfds_free(d);
			return hfds_error_set(err, HFDS_EPARSE, "offset %zu: NUL in URL", i);
		}
		d[j++] = (char)c;
	}
	d[j] = '\0';
	*out = d;
	return 0;
}

int srv_pct_encode(hfds_buf *b, const char *s, int keep_slash, hfds_error *err)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
			|| c == '.' || c == '~' || (keep_slash && c == '/')) {
			HFDS_TRY(hfds_buf_append_byte(b, c, err));
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			HFDS_TRY(hfds_buf_append(b, e, 3, err));
		}
	}
done:
	return rc;
}

int srv_split_path(const char *path, char **segs, size_t max, size_t *n, hfds_error *err)
{
	const char *p = path;
	int rc = 0;
	*n = 0;
	while (*p == '/')
		p++;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		HFDS_FAIL_IF(*n == max, HFDS_ELIMIT, err, "more than %zu path segments", max);
		HFDS_TRY(srv_pct_decode(&segs[*n], p, len, 0, err));
		(*n)++;
		if (!e)
			break;
		p = e + 1;
	}
done:
	if (rc < 0) {
		while (*n)
			hfds_free(segs[--*n]);
	}
	return rc;
}

/* Parses decimal digits at *p; -1 when there are none or the value overflows. */
static int parse_u64(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		if (x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
		s++;
	}
	*p = s;
	*v = x;
	return 0;
}

int srv_range_parse(const char *h, uint64_t size, srv_range *out)
{
	uint64_t a = 0, b = 0;
	int has_a, has_b;
	if (!h)
		return 0;
	while (*h == ' ')
		h++;
	if (strncmp(h, "bytes=", 6) != 0)
		return 0;
	h += 6;
	while (*h == ' ')
		h++;
	has_a = parse_u64(&h, &a) == 0;
	if (*h != '-')
		return 0;
	h++;
	has_b = parse_u64(&h, &b) == 0;
	while (*h == ' ')
		h++;
	if (*h != '\0' || (!has_a && !has_b))
		return 0;   /* several ranges or junk: RFC 9110 lets us ignore the header */
	if (!has_a) {   /* suffix: the last b bytes */
		if (b == 0 || size == 0)
			return HFDS_ELIMIT;
		out->len = b < size ? b : size;
		out->start = size - out->len;
		return 1;
	}
	if (has_b && b < a)
		return 0;
	if (a >= size)
		return HFDS_ELIMIT;
	if (!has_b || b >= size)
		b = size - 1;
	out->start = a;
	out->len = b - a + 1;
	return 1;
}

int srv_form_values(const char *body, size_t n, const char *key, json_t *arr, hfds_error *err)
{
	size_t i = 0, klen = strlen(key);
	int rc = 0;
	char *k = NULL, *v = NULL;
	while (i < n) {
		size_t j = i, eq;
		while (j < n && body[j] != '&')
			j++;
		for (eq = i; eq < j && body[eq] != '='; eq++)
			;
		HFDS_TRY(srv_pct_decode(&k, body + i, eq - i, 1, err));
		if (strlen(k) == klen && !memcmp(k, key, klen)) {
			HFDS_TRY(srv_pct_decode(&v, eq < j ? body + eq + 1 : body + j, eq < j ? j - eq - 1 : 0, 1, err));
			HFDS_FAIL_IF(json_array_append_new(arr, json_string(v)) != 0, HFDS_EPARSE, err,
				"form field %s: not UTF-8", key);
			hfds_free(v);
			v = NULL;
		}
		hfds_free(k);
		k = NULL;
		i = j + 1;
	}
done:
	hfds_free(k);
	hfds_free(v);
	return rc;
}

int srv_parse_u64(const char *s, uint64_t *v)
{
	char *end;
	if (!s || !*s || *s == '-')
		return 0;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return *end == '\0' && errno == 0;
}
