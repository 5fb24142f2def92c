/*
 * Canonical row formatting. Dates use the days-from-civil inverse (Howard Hinnant's
 * algorithm), decimals are printed from their two's-complement words by long division.
 */
#include "parquet/read/catfmt.h"
#include "hfds/parquet_reader.h"

#include <stdio.h>
#include <string.h>

#include "util/base64.h"
#include "util/json.h"
#include "util/numfmt.h"
#include "util/try.h"

static int valid_at(const struct ArrowArray *a, int64_t i)
{
	const uint8_t *v = a->n_buffers > 0 ? a->buffers[0] : NULL;
	int64_t j = i + a->offset;
	if (a->null_count == 0 || !v)
		return 1;
	return (v[j / 8] >> (j % 8)) & 1;
}

static void civil(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int put_date(hfds_buf *b, int64_t days, hfds_error *err)
{
	int64_t y;
	int m, d;
	civil(days, &y, &m, &d);
	if (y < 0)
		return hfds_buf_printf(b, err, "-%04lld-%02d-%02d", (long long)-y, m, d);
	return hfds_buf_printf(b, err, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* ticks per second for unit char s/m/u/n */
static int64_t per_sec(char u, int *digits)
{
	switch (u) {
	case 's': *digits = 0; return 1;
	case 'm': *digits = 3; return 1000;
	case 'u': *digits = 6; return 1000000;
	default: *digits = 9; return 1000000000;
	}
}

static int put_time_of_day(hfds_buf *b, int64_t secs_of_day, int64_t frac, int digits, hfds_error *err)
{
	int rc = hfds_buf_printf(b, err, "%02lld:%02lld:%02lld", (long long)(secs_of_day / 3600),
				 (long long)(secs_of_day / 60 % 60), (long long)(secs_of_day % 60));
	if (rc == 0 && digits)
		rc = hfds_buf_printf(b, err, ".%0*lld", digits, (long long)frac);
	return rc;
}

static int put_decimal(hfds_buf *b, const uint8_t *le, int nbytes, int scale, hfds_error *err)
{
	uint32_t w[8];
	char digits[100];
	int nw = nbytes / 4, neg, i, nd = 0, any;
	memcpy(w, le, (size_t)nbytes);
	neg = (le[nbytes - 1] & 0x80) != 0;
	if (neg) { /* two's complement negate */
		uint64_t carry = 1;
		for (i = 0; i < nw; i++) {
			uint64_t x = (uint64_t)(uint32_t)~w[i] + carry;
			w[i] = (uint32_t)x;
			carry = x >> 32;
		}
	}
	do {
		uint64_t rem = 0;
		any = 0;
		for (i = nw - 1; i >= 0; i--) {
			uint64_t cur = rem << 32 | w[i];
			w[i] = (uint32_t)(cur / 10);
			rem = cur % 10;
			any |= w[i] != 0;
		}
		digits[nd++] = (char)('0' + rem);
	} while (any && nd < 98);
	while (nd <= scale)
		digits[nd++] = '0';
	{
		char s[110];
		int k = 0;
		if (neg)
			s[k++] = '-';
		for (i = nd - 1; i >= 0; i--) {
			s[k++] = digits[i];
			if (i == scale && scale > 0)
				s[k++] = '.';
		}
		s[k] = 0;
		return hfds_buf_printf(b, err, "\"%s\"", s);
	}
}

static int put_float_text(hfds_buf *b, const char *t, hfds_error *err)
{
	if (t[0] == 'N' || t[0] == 'I' || (t[0] == '-' && t[1] == 'I'))
		return hfds_buf_printf(b, err, "\"%s\"", t);
	return hfds_buf_append_str(b, t, err);
}

static int put_bytes_b64(hfds_buf *b, const uint8_t *p, size_t n, hfds_error *err)
{
	int rc = hfds_buf_append_byte(b, '"', err);
	if (rc == 0)
		rc = hfds_base64_append(b, p, n, err);
	if (rc == 0)
		rc = hfds_buf_append_byte(b, '"', err);
	return rc;
}

int pq_catfmt_value(hfds_buf *b, const struct ArrowSchema *s, const struct ArrowArray *a, int64_t i,
		    hfds_error *err)
{
	const char *f = s->format;
	int64_t j = i + a->offset;
	char t[HFDS_NUMFMT_MAX];
	int rc = 0;
	if (f[0] == 'n' || !valid_at(a, i))
		return hfds_buf_append_str(b, "null", err);
	switch (f[0]) {
	case 'b': {
		const uint8_t *v = a->buffers[1];
		return hfds_buf_append_str(b, (v[j / 8] >> (j % 8)) & 1 ? "true" : "false", err);
	}
	case 'c': return hfds_buf_printf(b, err, "%d", ((const int8_t *)a->buffers[1])[j]);
	case 'C': return hfds_buf_printf(b, err, "%u", ((const uint8_t *)a->buffers[1])[j]);
	case 's': return hfds_buf_printf(b, err, "%d", ((const int16_t *)a->buffers[1])[j]);
	case 'S': return hfds_buf_printf(b, err, "%u", ((const uint16_t *)a->buffers[1])[j]);
	case 'i': return hfds_buf_printf(b, err, "%d", ((const int32_t *)a->buffers[1])[j]);
	case 'I': return hfds_buf_printf(b, err, "%u", ((const uint32_t *)a->buffers[1])[j]);
	case 'l': return hfds_buf_printf(b, err, "%lld", (long long)((const int64_t *)a->buffers[1])[j]);
	case 'L': return hfds_buf_printf(b, err, "%llu", (unsigned long long)((const uint64_t *)a->buffers[1])[j]);
	case 'e': hfds_fmt_half(((const uint16_t *)a->buffers[1])[j], t); return put_float_text(b, t, err);
	case 'f': hfds_fmt_float(((const float *)a->buffers[1])[j], t); return put_float_text(b, t, err);
	case 'g': hfds_fmt_double(((const double *)a->buffers[1])[j], t); return put_float_text(b, t, err);
	case 'u':
	case 'z': {
		const int32_t *off = a->buffers[1];
		const uint8_t *d = a->buffers[2];
		size_t n = (size_t)(off[j + 1] - off[j]);
		if (f[0] == 'u') {
			size_t mark = b->len;
			hfds_error e2;
			hfds_error_init(&e2);
			if (hfds_json_append_string(b, (const char *)d + off[j], n, HFDS_JSON_UTF8, &e2) == 0)
				return 0;
			b->len = mark; /* invalid UTF-8: print the bytes as base64 */
		}
		return put_bytes_b64(b, d + off[j], n, err);
	}
	case 'w': {
		int w = 0;
		sscanf(f + 2, "%d", &w);
		return put_bytes_b64(b, (const uint8_t *)a->buffers[1] + (size_t)j * (size_t)w, (size_t)w, err);
	}
	case 'd': {
		int p = 0, sc = 0, bits = 128;
		sscanf(f + 2, "%d,%d,%d", &p, &sc, &bits);
		return put_decimal(b, (const uint8_t *)a->buffers[1] + (size_t)j * (size_t)(bits / 8), bits / 8, sc, err);
	}
	case 't': {
		int digits;
		int64_t ps, v, secs, frac;
		if (f[1] == 'd' && f[2] == 'D')
			return hfds_buf_append_byte(b, '"', err) || put_date(b, ((const int32_t *)a->buffers[1])[j], err) ||
			       hfds_buf_append_byte(b, '"', err) ? HFDS_ENOMEM : 0;
		if (f[1] == 't') {
			ps = per_sec(f[2], &digits);
			v = (f[2] == 's' || f[2] == 'm') ? ((const int32_t *)a->buffers[1])[j] : ((const int64_t *)a->buffers[1])[j];
			secs = v / ps;
			frac = v % ps;
			if (frac < 0) {
				frac += ps;
				secs--;
			}
			rc = hfds_buf_append_byte(b, '"', err);
			if (rc == 0)
				rc = put_time_of_day(b, secs, frac, digits, err);
			if (rc == 0)
				rc = hfds_buf_append_byte(b, '"', err);
			return rc;
		}
		if (f[1] == 's') {
			int64_t days, sod;
			ps = per_sec(f[2], &digits);
			v = ((const int64_t *)a->buffers[1])[j];
			secs = v / ps;
			frac = v % ps;
			if (frac < 0) {
				frac += ps;
				secs--;
			}
			days = secs / 86400;
			sod = secs % 86400;
			if (sod < 0) {
				sod += 86400;
				days--;
			}
			rc = hfds_buf_append_byte(b, '"', err);
			if (rc == 0)
				rc = put_date(b, days, err);
			if (rc == 0)
				rc = hfds_buf_append_byte(b, 'T', err);
			if (rc == 0)
				rc = put_time_of_day(b, sod, frac, digits, err);
			if (rc == 0 && f[3] == ':' && f[4])
				rc = hfds_buf_append_byte(b, 'Z', err);
			if (rc == 0)
				rc = hfds_buf_append_byte(b, '"', err);
			return rc;
		}
		break;
	}
	case '+':
		if (f[1] == 's') {
			int64_t k;
			rc = hfds_buf_append_byte(b, '{', err);
			for (k = 0; k < s->n_children && rc == 0; k++) {
				if (k)
					rc = hfds_buf_append_str(b, ", ", err);
				if (rc == 0)
					rc = hfds_json_append_string(b, s->children[k]->name, strlen(s->children[k]->name),
								     HFDS_JSON_UTF8, err);
				if (rc == 0)
					rc = hfds_buf_append_str(b, ": ", err);
				if (rc == 0)
					rc = pq_catfmt_value(b, s->children[k], a->children[k], j, err);
			}
			if (rc == 0)
				rc = hfds_buf_append_byte(b, '}', err);
			return rc;
		}
		if (f[1] == 'l' || f[1] == 'm') {
			const int32_t *off = a->buffers[1];
			int64_t k;
			rc = hfds_buf_append_byte(b, '[', err);
			for (k = off[j]; k < off[j + 1] && rc == 0; k++) {
				if (k > off[j])
					rc = hfds_buf_append_str(b, ", ", err);
				if (rc == 0)
					rc = pq_catfmt_value(b, s->children[0], a->children[0], k, err);
			}
			if (rc == 0)
				rc = hfds_buf_append_byte(b, ']', err);
			return rc;
		}
		break;
	}
	return hfds_error_set(err, HFDS_EUNSUPPORTED, "cat: Arrow format '%s' not supported", f);
}

int pq_catfmt_rows(hfds_buf *out, const struct ArrowSchema *schema, const struct ArrowArray *batch,
		   int64_t from, int64_t to, hfds_error *err)
{
	int64_t i;
	int rc = 0;
	for (i = from; i < to && rc == 0; i++) {
		rc = pq_catfmt_value(out, schema, batch, i, err);
		if (rc == 0)
			rc = hfds_buf_append_byte(out, '\n', err);
	}
	return rc;
}

int hfds_pq_format_rows(const struct ArrowSchema *schema, const struct ArrowArray *batch, int64_t from, int64_t to,
			char **out, size_t *len, hfds_error *err)
{
	hfds_buf b;
	int rc = 0;
	*out = NULL;
	*len = 0;
	if (from < 0 || to < from || to > batch->length)
		return hfds_error_set(err, HFDS_EINVAL, "rows [%lld, %lld) outside a batch of %lld",
				      (long long)from, (long long)to, (long long)batch->length);
	hfds_buf_init(&b, 0);
	HFDS_TRY(pq_catfmt_rows(&b, schema, batch, from, to, err));
	HFDS_TRY(hfds_buf_cstr(&b, err));
	*len = b.len;
	*out = (char *)b.data;
	return 0;
done:
	hfds_buf_release(&b);
	return rc;
}
