/*
 * Thrift compact protocol writer. Errors are sticky so that metadata code reads as a
 * flat list of fields; each primitive reserves its worst case (a field header is at most
 * 1 + 3 bytes, a varint 10) and then writes without further checks.
 */
#include "parquet/write/thrift_enc.h"

#include <string.h>

#include "parquet/write/enc_impl.h"
#include "parquet/format/pq_format.h"

void pq_tw_init(pq_tw *tw, hfds_buf *buf)
{
	tw->buf = buf;
	tw->depth = 0;
	tw->rc = 0;
	hfds_error_init(&tw->err);
}

int pq_tw_finish(pq_tw *tw, hfds_error *err)
{
	if (tw->rc < 0)
		return hfds_error_set(err, tw->rc, "%s", tw->err.message);
	return 0;
}

/* Reserves n bytes; returns a write pointer or NULL once an error is recorded. */
static uint8_t *room(pq_tw *tw, size_t n)
{
	if (tw->rc < 0)
		return NULL;
	if (tw->buf->cap - tw->buf->len < n) {
		int rc = hfds_buf_reserve(tw->buf, n, &tw->err);
		if (rc < 0) {
			tw->rc = rc;
			return NULL;
		}
	}
	return tw->buf->data + tw->buf->len;
}

void pq_tw_varint(pq_tw *tw, uint64_t v)
{
	uint8_t *p = room(tw, 10);
	if (p)
		tw->buf->len += pq__put_uleb(p, v);
}

/* Field header (short form for deltas 1..15) plus room for `payload` more bytes. */
static uint8_t *field(pq_tw *tw, int16_t id, int type, size_t payload)
{
	uint8_t *p = room(tw, 4 + payload);
	size_t k;
	int delta;
	if (!p)
		return NULL;
	if (tw->depth <= 0) {
		/* API misuse: a field outside a struct. Record it rather than corrupt memory. */
		tw->rc = hfds_error_set(&tw->err, HFDS_EINVAL, "thrift: field %d outside a struct", id);
		return NULL;
	}
	delta = (int)id - tw->last_id[tw->depth - 1];
	if (delta > 0 && delta <= 15) {
		p[0] = (uint8_t)(delta << 4 | type);
		k = 1;
	} else {
		p[0] = (uint8_t)type;
		k = 1 + pq__put_uleb(p + 1, pq_zigzag64(id));
	}
	tw->last_id[tw->depth - 1] = id;
	tw->buf->len += k;
	return p + k;
}

void pq_tw_struct_begin(pq_tw *tw)
{
	if (tw->rc < 0)
		return;
	if (tw->depth >= PQ_TW_MAX_DEPTH) {
		tw->rc = hfds_error_set(&tw->err, HFDS_ELIMIT, "thrift: structs nested deeper than %d",
			PQ_TW_MAX_DEPTH);
		return;
	}
	tw->last_id[tw->depth++] = 0;
}

void pq_tw_struct_end(pq_tw *tw)
{
	uint8_t *p = room(tw, 1);
	if (!p)
		return;
	if (tw->depth <= 0) {
		tw->rc = hfds_error_set(&tw->err, HFDS_EINVAL, "thrift: struct end without begin");
		return;
	}
	*p = PQ_TT_STOP;
	tw->buf->len++;
	tw->depth--;
}

void pq_tw_field_bool(pq_tw *tw, int16_t id, int v)
{
	field(tw, id, v ? PQ_TT_BOOL_TRUE : PQ_TT_BOOL_FALSE, 0);
}

void pq_tw_field_i8(pq_tw *tw, int16_t id, int8_t v)
{
	uint8_t *p = field(tw, id, PQ_TT_I8, 1);
	if (p) {
		*p = (uint8_t)v;
		tw->buf->len++;
	}
}

static void field_int(pq_tw *tw, int16_t id, int type, int64_t v)
{
	uint8_t *p = field(tw, id, type, 10);
	if (p)
		tw->buf->len += pq__put_uleb(p, pq_zigzag64(v));
}

void pq_tw_field_i16(pq_tw *tw, int16_t id, int16_t v)
{
	field_int(tw, id, PQ_TT_I16, v);
}

void pq_tw_field_i32(pq_tw *tw, int16_t id, int32_t v)
{
	field_int(tw, id, PQ_TT_I32, v);
}

void pq_tw_field_i64(pq_tw *tw, int16_t id, int64_t v)
{
	field_int(tw, id, PQ_TT_I64, v);
}

void pq_tw_field_double(pq_tw *tw, int16_t id, double v)
{
	uint8_t *p = field(tw, id, PQ_TT_DOUBLE, 8);
	if (p) {
		memcpy(p, &v, 8); /* little-endian hosts only (x86-64, arm64) */
		tw->buf->len += 8;
	}
}

void pq_tw_binary(pq_tw *tw, const void *data, size_t len)
{
	uint8_t *p;
	if (tw->rc < 0)
		return;
	if (len > INT32_MAX) {
		tw->rc = hfds_error_set(&tw->err, HFDS_ELIMIT, "thrift: binary of %zu bytes", len);
		return;
	}
	p = room(tw, 10 + len);
	if (!p)
		return;
	p += pq__put_uleb(p, len);
	if (len)
		memcpy(p, data, len);
	tw->buf->len = (size_t)(p - tw->buf->data) + len;
}

void pq_tw_string(pq_tw *tw, const char *s)
{
	pq_tw_binary(tw, s, strlen(s));
}

void pq_tw_field_binary(pq_tw *tw, int16_t id, const void *data, size_t len)
{
	if (field(tw, id, PQ_TT_BINARY, 0))
		pq_tw_binary(tw, data, len);
}

void pq_tw_field_string(pq_tw *tw, int16_t id, const char *s)
{
	pq_tw_field_binary(tw, id, s, strlen(s));
}

void pq_tw_field_struct_begin(pq_tw *tw, int16_t id)
{
	if (field(tw, id, PQ_TT_STRUCT, 0))
		pq_tw_struct_begin(tw);
}

void pq_tw_field_list_begin(pq_tw *tw, int16_t id, int elem_type, size_t count)
{
	uint8_t *p;
	if (count > INT32_MAX) {
		if (tw->rc == 0)
			tw->rc = hfds_error_set(&tw->err, HFDS_ELIMIT, "thrift: list of %zu elements", count);
		return;
	}
	p = field(tw, id, PQ_TT_LIST, 6);
	if (!p)
		return;
	if (count < 15) {
		*p = (uint8_t)(count << 4 | (unsigned)elem_type);
		tw->buf->len++;
	} else {
		*p = (uint8_t)(0xf0 | (unsigned)elem_type);
		tw->buf->len += 1 + pq__put_uleb(p + 1, count);
	}
}

void pq_tw_bool(pq_tw *tw, int v)
{
	uint8_t *p = room(tw, 1);
	if (p) {
		*p = v ? 1 : 2;
		tw->buf->len++;
	}
}

void pq_tw_i32(pq_tw *tw, int32_t v)
{
	pq_tw_varint(tw, pq_zigzag64(v));
}

void pq_tw_i64(pq_tw *tw, int64_t v)
{
	pq_tw_varint(tw, pq_zigzag64(v));
}
