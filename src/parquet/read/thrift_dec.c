/*
 * Thrift compact-protocol reader. Hardening (spec §2): every length is checked against
 * the bytes left, containers and strings are capped, recursion is depth-limited.
 */
#include "parquet/read/thrift_dec.h"

#include <stdarg.h>
#include <stdio.h>

#include "parquet/format/pq_format.h"

void pq_tr_init(pq_tr *tr, const void *data, size_t len, uint64_t file_off, const char *where,
		hfds_error *err)
{
	tr->base = data;
	tr->len = len;
	tr->pos = 0;
	tr->file_off = file_off;
	tr->depth = 0;
	tr->where = where;
	tr->err = err;
}

int pq_tr_fail(pq_tr *tr, const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return hfds_error_set(tr->err, HFDS_ECORRUPT, "offset %llu: %s: %s",
			      (unsigned long long)(tr->file_off + tr->pos), tr->where, msg);
}

int pq_tr_varint(pq_tr *tr, uint64_t *v)
{
	uint64_t r = 0;
	int shift = 0;
	while (tr->pos < tr->len) {
		uint8_t b = tr->base[tr->pos++];
		if (shift == 63 && (b & 0x7e))
			return pq_tr_fail(tr, "varint overflows 64 bits");
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return 0;
		}
		shift += 7;
		if (shift > 63)
			return pq_tr_fail(tr, "varint longer than 10 bytes");
	}
	return pq_tr_fail(tr, "truncated varint");
}

static int64_t unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

int pq_tr_i64(pq_tr *tr, int64_t *v)
{
	uint64_t u = 0;
	int rc = pq_tr_varint(tr, &u);
	if (rc < 0)
		return rc;
	*v = unzigzag(u);
	return 0;
}

int pq_tr_i32(pq_tr *tr, int32_t *v)
{
	int64_t x;
	int rc = pq_tr_i64(tr, &x);
	if (rc < 0)
		return rc;
	if (x < INT32_MIN || x > INT32_MAX)
		return pq_tr_fail(tr, "i32 out of range: %lld", (long long)x);
	*v = (int32_t)x;
	return 0;
}

int pq_tr_i16(pq_tr *tr, int16_t *v)
{
	int64_t x;
	int rc = pq_tr_i64(tr, &x);
	if (rc < 0)
		return rc;
	if (x < INT16_MIN || x > INT16_MAX)
		return pq_tr_fail(tr, "i16 out of range: %lld", (long long)x);
	*v = (int16_t)x;
	return 0;
}

int pq_tr_i8(pq_tr *tr, int8_t *v)
{
	if (tr->pos >= tr->len)
		return pq_tr_fail(tr, "truncated i8");
	*v = (int8_t)tr->base[tr->pos++];
	return 0;
}

int pq_tr_binary(pq_tr *tr, const uint8_t **p, size_t *n)
{
	uint64_t len = 0;
	int rc = pq_tr_varint(tr, &len);
	if (rc < 0)
		return rc;
	if (len > PQ_TR_MAX_BINARY)
		return pq_tr_fail(tr, "binary length %llu exceeds the limit", (unsigned long long)len);
	if (len > tr->len - tr->pos)
		return pq_tr_fail(tr, "binary length %llu exceeds the %zu bytes left",
				  (unsigned long long)len, tr->len - tr->pos);
	*p = tr->base + tr->pos;
	*n = (size_t)len;
	tr->pos += (size_t)len;
	return 0;
}

int pq_tr_struct_begin(pq_tr *tr)
{
	if (tr->depth >= PQ_TR_MAX_DEPTH)
		return pq_tr_fail(tr, "structs nested deeper than %d", PQ_TR_MAX_DEPTH);
	tr->depth++;
	return 0;
}

int pq_tr_field(pq_tr *tr, int16_t *last, int16_t *id, int *type)
{
	uint8_t b;
	int delta;
	if (tr->pos >= tr->len)
		return pq_tr_fail(tr, "truncated struct (no stop byte)");
	b = tr->base[tr->pos++];
	if (b == 0) {
		*type = PQ_TT_STOP;
		*id = 0;
		tr->depth--;
		return 0;
	}
	*type = b & 0x0f;
	if (*type > PQ_TT_UUID)
		return pq_tr_fail(tr, "unknown field type %d", *type);
	delta = b >> 4;
	if (delta) {
		if (*last > INT16_MAX - delta)
			return pq_tr_fail(tr, "field id overflow");
		*id = (int16_t)(*last + delta);
	} else {
		int rc = pq_tr_i16(tr, id);
		if (rc < 0)
			return rc;
	}
	*last = *id;
	return 0;
}

int pq_tr_list(pq_tr *tr, int *elem_type, uint32_t *n)
{
	uint8_t b;
	uint64_t size;
	if (tr->pos >= tr->len)
		return pq_tr_fail(tr, "truncated list header");
	b = tr->base[tr->pos++];
	*elem_type = b & 0x0f;
	size = b >> 4;
	if (size == 15) {
		int rc = pq_tr_varint(tr, &size);
		if (rc < 0)
			return rc;
	}
	if (*elem_type == PQ_TT_STOP || *elem_type > PQ_TT_UUID)
		return pq_tr_fail(tr, "unknown list element type %d", *elem_type);
	if (size > PQ_TR_MAX_LIST)
		return pq_tr_fail(tr, "list of %llu elements exceeds the limit", (unsigned long long)size);
	/* Every element but a bool takes at least one byte; bools in lists take one too. */
	if (size > tr->len - tr->pos)
		return pq_tr_fail(tr, "list of %llu elements exceeds the %zu bytes left",
				  (unsigned long long)size, tr->len - tr->pos);
	*n = (uint32_t)size;
	return 0;
}

int pq_tr_bool_elem(pq_tr *tr, int *v)
{
	uint8_t b;
	if (tr->pos >= tr->len)
		return pq_tr_fail(tr, "truncated bool");
	b = tr->base[tr->pos++];
	if (b > 2)
		return pq_tr_fail(tr, "bool list element %u is not 0, 1 or 2", b);
	*v = b == 1;
	return 0;
}

static int skip_n(pq_tr *tr, size_t n)
{
	if (n > tr->len - tr->pos)
		return pq_tr_fail(tr, "truncated value");
	tr->pos += n;
	return 0;
}

int pq_tr_skip(pq_tr *tr, int type)
{
	uint64_t u = 0;
	const uint8_t *p;
	size_t n;
	int rc = 0;
	switch (type) {
	case PQ_TT_BOOL_TRUE:
	case PQ_TT_BOOL_FALSE:
		return 0; /* field bools carry their value in the type nibble */
	case PQ_TT_I8:
		return skip_n(tr, 1);
	case PQ_TT_I16:
	case PQ_TT_I32:
	case PQ_TT_I64:
		return pq_tr_varint(tr, &u);
	case PQ_TT_DOUBLE:
		return skip_n(tr, 8);
	case PQ_TT_UUID:
		return skip_n(tr, 16);
	case PQ_TT_BINARY:
		return pq_tr_binary(tr, &p, &n);
	case PQ_TT_LIST:
	case PQ_TT_SET: {
		int et, b;
		uint32_t cnt, i;
		if ((rc = pq_tr_list(tr, &et, &cnt)) < 0)
			return rc;
		if ((rc = pq_tr_struct_begin(tr)) < 0) /* depth accounting only */
			return rc;
		for (i = 0; i < cnt && rc == 0; i++)
			rc = (et == PQ_TT_BOOL_TRUE || et == PQ_TT_BOOL_FALSE) ? pq_tr_bool_elem(tr, &b)
									       : pq_tr_skip(tr, et);
		tr->depth--;
		return rc;
	}
	case PQ_TT_MAP: {
		uint64_t cnt = 0, i;
		int kt, vt;
		if ((rc = pq_tr_varint(tr, &cnt)) < 0)
			return rc;
		if (cnt == 0)
			return 0;
		if (cnt > PQ_TR_MAX_LIST || cnt > tr->len - tr->pos)
			return pq_tr_fail(tr, "map of %llu entries is too large", (unsigned long long)cnt);
		if (tr->pos >= tr->len)
			return pq_tr_fail(tr, "truncated map header");
		kt = tr->base[tr->pos] >> 4;
		vt = tr->base[tr->pos] & 0x0f;
		tr->pos++;
		if ((rc = pq_tr_struct_begin(tr)) < 0)
			return rc;
		for (i = 0; i < cnt && rc == 0; i++) {
			int b;
			rc = (kt == 1 || kt == 2) ? pq_tr_bool_elem(tr, &b) : pq_tr_skip(tr, kt);
			if (rc == 0)
				rc = (vt == 1 || vt == 2) ? pq_tr_bool_elem(tr, &b) : pq_tr_skip(tr, vt);
		}
		tr->depth--;
		return rc;
	}
	case PQ_TT_STRUCT: {
		int16_t last = 0, id;
		int t;
		if ((rc = pq_tr_struct_begin(tr)) < 0)
			return rc;
		for (;;) {
			if ((rc = pq_tr_field(tr, &last, &id, &t)) < 0)
				return rc;
			if (t == PQ_TT_STOP)
				return 0;
			if ((rc = pq_tr_skip(tr, t)) < 0)
				return rc;
		}
	}
	default:
		return pq_tr_fail(tr, "cannot skip type %d", type);
	}
}

int pq_tr_int_field(pq_tr *tr, int type, int64_t *v, int *got)
{
	int8_t b = 0;
	int rc;
	*got = 0;
	switch (type) {
	case PQ_TT_I8:
		if ((rc = pq_tr_i8(tr, &b)) < 0)
			return rc;
		*v = b;
		break;
	case PQ_TT_I16:
	case PQ_TT_I32:
	case PQ_TT_I64:
		if ((rc = pq_tr_i64(tr, v)) < 0)
			return rc;
		break;
	default:
		return pq_tr_skip(tr, type);
	}
	*got = 1;
	return 0;
}
