/*
 * A small flatbuffers encoder for the one message Parquet files carry: the Arrow IPC Schema
 * (format/Message.fbs, format/Schema.fbs). No flatbuffers dependency: the layout rules are few.
 *
 * The buffer is written front to back in pre-order: a table is written with zeroed offset
 * slots, then each thing it points to is appended after it and its slot patched, so every
 * uoffset points forward as flatbuffers requires. Each table's vtable is written just before
 * the table (a positive soffset). Table fields are laid out widest first (4, 2, 1 bytes) after
 * the 4-byte soffset, so none needs padding. Every field given is written, defaults included
 * (Date's default unit is MILLISECOND, so DAY must be explicit).
 */
#include <stdlib.h>
#include <string.h>

#include "parquet/write/arrow_ipc_schema.h"
#include "parquet/write/decimal_w.h"
#include "hfds/arrow.h"
#include "util/alloc.h"
#include "util/base64.h"
#include "util/try.h"

/* Message.fbs / Schema.fbs constants */
enum { MD_V5 = 4, HDR_SCHEMA = 1, HDR_RECORD_BATCH = 3 };
enum {
	T_NULL = 1, T_INT = 2, T_FLOAT = 3, T_BINARY = 4, T_UTF8 = 5, T_BOOL = 6, T_DECIMAL = 7,
	T_DATE = 8, T_TIMESTAMP = 10, T_LIST = 12, T_STRUCT = 13, T_FSB = 15, T_FSL = 16, T_MAP = 17,
	T_LARGE_BINARY = 19, T_LARGE_UTF8 = 20, T_LARGE_LIST = 21
};

#define MAX_FIELDS 8

typedef struct fb_field {
	int id;        /* slot in the vtable */
	int size;      /* 1, 2, 4 or 8 bytes */
	uint64_t val;  /* scalar value; offsets are patched later */
	int is_off;
	size_t pos;    /* filled by fb_table: where the value was written */
} fb_field;

static void put_le(uint8_t *p, uint64_t v, int size)
{
	for (int i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int pad_to(hfds_buf *b, size_t align, hfds_error *err)
{
	static const uint8_t zeros[8];
	size_t n = (align - b->len % align) % align;
	return n ? hfds_buf_append(b, zeros, n, err) : 0;
}

static int put_u32(hfds_buf *b, uint32_t v, hfds_error *err)
{
	uint8_t t[4];
	put_le(t, v, 4);
	return hfds_buf_append(b, t, 4, err);
}

/* Points the uoffset slot at `slot` to the current end of the buffer. */
static void patch_here(hfds_buf *b, size_t slot)
{
	put_le(b->data + slot, (uint32_t)(b->len - slot), 4);
}

/* Writes a vtable and its table at *table; fields[i].pos tells where each value went. */
static int fb_table(hfds_buf *b, fb_field *fields, int n, size_t *table_out, hfds_error *err)
{
	int rc = 0, nslots = 0;
	uint16_t off[MAX_FIELDS] = { 0 };
	uint32_t tsize = 4;
	int wide = 0;
	for (int size = 8; size >= 1; size /= 2)
		for (int i = 0; i < n; i++)
			if (fields[i].size == size) {
				off[fields[i].id] = (uint16_t)tsize;
				tsize += (uint32_t)size;
			}
	for (int i = 0; i < n; i++)
		if (fields[i].id + 1 > nslots)
			nslots = fields[i].id + 1;
	HFDS_TRY(pad_to(b, 2, err));
	size_t vt = b->len;
	uint8_t hdr[4 + 2 * MAX_FIELDS];
	put_le(hdr, (uint32_t)(4 + 2 * nslots), 2);
	put_le(hdr + 2, tsize, 2);
	for (int s = 0; s < nslots; s++)
		put_le(hdr + 4 + 2 * s, off[s], 2);
	HFDS_TRY(hfds_buf_append(b, hdr, (size_t)(4 + 2 * nslots), err));
	HFDS_TRY(pad_to(b, 4, err));
	for (int i = 0; i < n; i++)
		wide |= fields[i].size == 8;
	/* 8-byte fields follow the 4-byte soffset: the table starts 4 bytes past an 8 boundary */
	if (wide && (b->len + 4) % 8)
		HFDS_TRY(put_u32(b, 0, err));
	size_t table = b->len;
	*table_out = table;
	HFDS_TRY(hfds_buf_reserve(b, tsize, err));
	memset(b->data + table, 0, tsize);
	b->len += tsize;
	put_le(b->data + table, (uint32_t)(table - vt), 4);
	for (int i = 0; i < n; i++) {
		fields[i].pos = table + off[fields[i].id];
		put_le(b->data + fields[i].pos, fields[i].is_off ? 0 : fields[i].val, fields[i].size);
	}
done:
	return rc;
}

static int fb_string(hfds_buf *b, size_t slot, const char *s, size_t n, hfds_error *err)
{
	int rc = 0;
	HFDS_TRY(pad_to(b, 4, err));
	patch_here(b, slot);
	HFDS_TRY(put_u32(b, (uint32_t)n, err));
	HFDS_TRY(hfds_buf_append(b, s, n, err));
	HFDS_TRY(hfds_buf_append_byte(b, 0, err));
done:
	return rc;
}

/* A vector of n offsets; returns the position of the first slot in *first. */
static int fb_offsets(hfds_buf *b, size_t slot, size_t n, size_t *first, hfds_error *err)
{
	int rc = 0;
	HFDS_TRY(pad_to(b, 4, err));
	patch_here(b, slot);
	HFDS_TRY(put_u32(b, (uint32_t)n, err));
	*first = b->len;
	for (size_t i = 0; i < n; i++)
		HFDS_TRY(put_u32(b, 0, err));
done:
	return rc;
}

#define SCALAR(i, sz, v) { (i), (sz), (uint64_t)(v), 0, 0 }
#define OFFSET(i) { (i), 4, 0, 1, 0 }

/* Points the uoffset slot at `slot` to `target` (written after it). */
static void patch_to(hfds_buf *b, size_t slot, size_t target)
{
	put_le(b->data + slot, (uint32_t)(target - slot), 4);
}

/* [KeyValue] from C Data Interface metadata. */
static int fb_metadata(hfds_buf *b, size_t slot, const char *md, hfds_error *err)
{
	int rc = 0;
	int32_t n = hfds_arrow_metadata_count(md);
	size_t first, table;
	HFDS_TRY(fb_offsets(b, slot, (size_t)n, &first, err));
	for (int32_t i = 0; i < n; i++) {
		hfds_arrow_kv_view kv;
		HFDS_TRY(hfds_arrow_metadata_at(md, i, &kv, err));
		fb_field f[] = { OFFSET(0), OFFSET(1) };
		HFDS_TRY(fb_table(b, f, 2, &table, err));
		patch_to(b, first + 4 * (size_t)i, table);
		HFDS_TRY(fb_string(b, f[0].pos, kv.key, (size_t)kv.key_len, err));
		HFDS_TRY(fb_string(b, f[1].pos, kv.value, (size_t)kv.value_len, err));
	}
done:
	return rc;
}

static int parse_int(const char *p, int32_t *out)
{
	char *end;
	long v = strtol(p, &end, 10);
	if (end == p || *end || v < 0 || v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/* The Type union member for an Arrow format: its id and its table's fields. `tz` is set for
 * a timestamp with a time zone (field 1 of the table, a string). */
static int type_of(const char *f, uint8_t *id, fb_field *tf, int *ntf, const char **tz)
{
	int32_t w;
	*ntf = 0;
	*tz = NULL;
	if (f[0] && !f[1]) {
		static const char ints[] = "cCsSiIlL";
		const char *p = strchr(ints, f[0]);
		if (p) {
			int k = (int)(p - ints);
			*id = T_INT;
			tf[0] = (fb_field)SCALAR(0, 4, 8 << (k / 2));
			tf[1] = (fb_field)SCALAR(1, 1, !(k & 1));
			*ntf = 2;
			return 0;
		}
		switch (f[0]) {
		case 'n': *id = T_NULL; return 0;
		case 'b': *id = T_BOOL; return 0;
		case 'e': case 'f': case 'g':
			*id = T_FLOAT;
			tf[0] = (fb_field)SCALAR(0, 2, f[0] == 'e' ? 0 : f[0] == 'f' ? 1 : 2);
			*ntf = 1;
			return 0;
		case 'u': *id = T_UTF8; return 0;
		case 'U': *id = T_LARGE_UTF8; return 0;
		case 'z': *id = T_BINARY; return 0;
		case 'Z': *id = T_LARGE_BINARY; return 0;
		default: return -1;
		}
	}
	if (!strcmp(f, "+s")) { *id = T_STRUCT; return 0; }
	if (!strcmp(f, "+l")) { *id = T_LIST; return 0; }
	if (!strcmp(f, "+L")) { *id = T_LARGE_LIST; return 0; }
	if (!strcmp(f, "+m")) { *id = T_MAP; return 0; }
	if (!strncmp(f, "+w:", 3) || !strncmp(f, "w:", 2)) {
		if (parse_int(f + (f[0] == '+' ? 3 : 2), &w) < 0)
			return -1;
		*id = f[0] == '+' ? T_FSL : T_FSB;
		tf[0] = (fb_field)SCALAR(0, 4, w);
		*ntf = 1;
		return 0;
	}
	if (!strncmp(f, "d:", 2)) {
		int prec, scale, aw;
		if (pqw_decimal_parse(f, &prec, &scale, &aw) < 0)
			return -1;
		*id = T_DECIMAL;
		tf[0] = (fb_field)SCALAR(0, 4, prec);
		tf[1] = (fb_field)SCALAR(1, 4, (uint32_t)scale);
		tf[2] = (fb_field)SCALAR(2, 4, aw * 8);
		*ntf = 3;
		return 0;
	}
	if (!strcmp(f, "tdD") || !strcmp(f, "tdm")) {
		*id = T_DATE;
		tf[0] = (fb_field)SCALAR(0, 2, f[2] == 'D' ? 0 : 1);
		*ntf = 1;
		return 0;
	}
	if (f[0] == 't' && f[1] == 's' && f[2] && f[3] == ':') {
		const char *p = strchr("smun", f[2]);
		if (!p)
			return -1;
		*id = T_TIMESTAMP;
		tf[0] = (fb_field)SCALAR(0, 2, p - "smun");
		*ntf = 1;
		if (f[4]) {
			tf[1] = (fb_field)OFFSET(1);
			*ntf = 2;
			*tz = f + 4;
		}
		return 0;
	}
	return -1;
}

/* One Field table (and everything below it), pointed to by the slot at `slot`. */
static int fb_arrow_field(hfds_buf *b, size_t slot, const struct ArrowSchema *s, const char *column,
	int depth, hfds_error *err)
{
	int rc = 0, ntf;
	uint8_t id;
	fb_field tf[4];
	const char *tz;
	size_t table, first;
	HFDS_FAIL_IF(depth > 64, HFDS_EINVAL, err, "column '%s': nesting too deep for ARROW:schema", column);
	HFDS_FAIL_IF(!s->format || type_of(s->format, &id, tf, &ntf, &tz) < 0 || s->dictionary, HFDS_EINVAL, err,
		"column '%s': no ARROW:schema encoding for Arrow type '%s'", column, s->format ? s->format : "");
	int has_md = hfds_arrow_metadata_count(s->metadata) > 0;
	fb_field f[6] = { OFFSET(0), SCALAR(1, 1, (s->flags & ARROW_FLAG_NULLABLE) != 0), SCALAR(2, 1, id),
		OFFSET(3), OFFSET(5), OFFSET(6) };
	if (!strcmp(s->format, "+m"))
		tf[0] = (fb_field)SCALAR(0, 1, (s->flags & ARROW_FLAG_MAP_KEYS_SORTED) != 0), ntf = 1;
	HFDS_TRY(fb_table(b, f, has_md ? 6 : 5, &table, err));
	patch_to(b, slot, table);
	HFDS_TRY(fb_string(b, f[0].pos, s->name ? s->name : "", s->name ? strlen(s->name) : 0, err));
	HFDS_TRY(fb_table(b, tf, ntf, &table, err));
	patch_to(b, f[3].pos, table);
	if (tz)
		HFDS_TRY(fb_string(b, tf[1].pos, tz, strlen(tz), err));
	HFDS_TRY(fb_offsets(b, f[4].pos, (size_t)s->n_children, &first, err));
	for (int64_t i = 0; i < s->n_children; i++)
		HFDS_TRY(fb_arrow_field(b, first + 4 * (size_t)i, s->children[i], column, depth + 1, err));
	if (has_md)
		HFDS_TRY(fb_metadata(b, f[5].pos, s->metadata, err));
done:
	return rc;
}

int pq_arrow_ipc_schema(hfds_buf *out, const struct ArrowSchema *schema, hfds_error *err)
{
	int rc = 0;
	size_t table, first;
	hfds_buf fb;
	hfds_buf_init(&fb, 0);
	HFDS_ASSERT_ARG(out && schema && schema->format, err);
	HFDS_TRY(put_u32(&fb, 0, err)); /* root offset */
	fb_field msg[] = { SCALAR(0, 2, MD_V5), SCALAR(1, 1, HDR_SCHEMA), OFFSET(2) };
	HFDS_TRY(fb_table(&fb, msg, 3, &table, err));
	patch_to(&fb, 0, table);
	int has_md = hfds_arrow_metadata_count(schema->metadata) > 0;
	fb_field sch[] = { OFFSET(1), OFFSET(2) };
	HFDS_TRY(fb_table(&fb, sch, has_md ? 2 : 1, &table, err));
	patch_to(&fb, msg[2].pos, table);
	HFDS_TRY(fb_offsets(&fb, sch[0].pos, (size_t)schema->n_children, &first, err));
	for (int64_t i = 0; i < schema->n_children; i++) {
		const struct ArrowSchema *c = schema->children[i];
		HFDS_TRY(fb_arrow_field(&fb, first + 4 * (size_t)i, c, c->name ? c->name : "", 0, err));
	}
	if (has_md)
		HFDS_TRY(fb_metadata(&fb, sch[1].pos, schema->metadata, err));
	HFDS_TRY(pad_to(&fb, 8, err));
	HFDS_FAIL_IF(fb.len > INT32_MAX, HFDS_ELIMIT, err, "ARROW:schema: the schema message exceeds 2 GiB");
	HFDS_TRY(put_u32(out, 0xFFFFFFFFu, err));
	HFDS_TRY(put_u32(out, (uint32_t)fb.len, err));
	HFDS_TRY(hfds_buf_append(out, fb.data, fb.len, err));
done:
	hfds_buf_release(&fb);
	return rc;
}

int pq_arrow_schema_b64(char **out, const struct ArrowSchema *schema, hfds_error *err)
{
	int rc = 0;
	hfds_buf msg, text;
	hfds_buf_init(&msg, 0);
	hfds_buf_init(&text, 0);
	*out = NULL;
	HFDS_TRY(pq_arrow_ipc_schema(&msg, schema, err));
	HFDS_TRY(hfds_base64_append(&text, msg.data, msg.len, err));
	HFDS_TRY(hfds_buf_cstr(&text, err));
	*out = (char *)hfds_buf_detach(&text, NULL);
done:
	hfds_buf_release(&msg);
	hfds_buf_release(&text);
	return rc;
}

/* ---- record batches (the IPC stream `hfds stream --format arrow` writes) -------------- */

/* The body is not copied: its buffers are the batch's own, written one after the other
 * (each padded to 8 bytes) after the message header, so a batch costs no second copy. */
typedef struct ipc_seg {
	const void *data;
	size_t len;
} ipc_seg;

typedef struct ipc_batch {
	hfds_buf nodes;    /* FieldNode structs: length, null_count (int64 each) */
	hfds_buf bufs;     /* Buffer structs: offset, length (int64 each) */
	hfds_buf segs;     /* ipc_seg: the body's buffers in order */
	size_t body_len;   /* their total, each padded to 8 bytes */
} ipc_batch;

static int put_i64(hfds_buf *b, int64_t v, hfds_error *err)
{
	uint8_t t[8];
	put_le(t, (uint64_t)v, 8);
	return hfds_buf_append(b, t, 8, err);
}

static int add_buffer(ipc_batch *ib, const void *data, int64_t len, hfds_error *err)
{
	int rc = 0;
	ipc_seg seg = { data, data && len > 0 ? (size_t)len : 0 };
	HFDS_TRY(put_i64(&ib->bufs, (int64_t)ib->body_len, err));
	HFDS_TRY(put_i64(&ib->bufs, data ? len : 0, err));
	HFDS_TRY(hfds_buf_append(&ib->segs, &seg, sizeof seg, err));
	ib->body_len += (seg.len + 7) & ~(size_t)7;
done:
	return rc;
}

static int64_t count_nulls(const struct ArrowArray *a)
{
	const uint8_t *v = a->n_buffers > 0 ? a->buffers[0] : NULL;
	int64_t n = 0;
	if (!v)
		return 0;
	if (a->null_count >= 0)
		return a->null_count;
	for (int64_t i = 0; i < a->length; i++)
		n += !(v[i >> 3] >> (i & 7) & 1);
	return n;
}

/* Bytes per value of a fixed-width format, 0 for others; -1 for a bit-packed bool. */
static int64_t fixed_width(const char *f)
{
	int32_t w;
	switch (f[0]) {
	case 'b': return -1;
	case 'c': case 'C': return 1;
	case 's': case 'S': case 'e': return 2;
	case 'i': case 'I': case 'f': return 4;
	case 'l': case 'L': case 'g': return 8;
	case 'w': return parse_int(f + 2, &w) == 0 && w > 0 ? w : 0;
	case 'd': return strstr(f, ",256") ? 32 : 16;
	case 't':
		if (f[1] == 'd')
			return f[2] == 'D' ? 4 : 8;
		if (f[1] == 't')
			return f[2] == 's' || f[2] == 'm' ? 4 : 8;
		return f[1] == 's' || f[1] == 'D' ? 8 : 0;
	}
	return 0;
}

static int walk(ipc_batch *ib, const struct ArrowSchema *s, const struct ArrowArray *a, const char *column,
	hfds_error *err)
{
	int rc = 0;
	const char *f = s->format;
	int64_t w = fixed_width(f), n = a->length;
	HFDS_FAIL_IF(a->offset != 0 || s->dictionary, HFDS_EUNSUPPORTED, err,
		"column '%s': sliced or dictionary arrays are not written to Arrow IPC", column);
	HFDS_TRY(put_i64(&ib->nodes, n, err));
	HFDS_TRY(put_i64(&ib->nodes, count_nulls(a), err));
	if (!strcmp(f, "n"))
		goto done;
	HFDS_TRY(add_buffer(ib, a->buffers[0], (n + 7) / 8, err));
	if (w == -1) {
		HFDS_TRY(add_buffer(ib, a->buffers[1], (n + 7) / 8, err));
	} else if (w > 0) {
		HFDS_TRY(add_buffer(ib, a->buffers[1], n * w, err));
	} else if (!strcmp(f, "u") || !strcmp(f, "z") || !strcmp(f, "U") || !strcmp(f, "Z")) {
		int big = f[0] == 'U' || f[0] == 'Z';
		int64_t end = !a->buffers[1] ? 0 : big ? ((const int64_t *)a->buffers[1])[n] : ((const int32_t *)a->buffers[1])[n];
		HFDS_TRY(add_buffer(ib, a->buffers[1], (n + 1) * (big ? 8 : 4), err));
		HFDS_TRY(add_buffer(ib, a->buffers[2], end, err));
	} else if (!strcmp(f, "+l") || !strcmp(f, "+L") || !strcmp(f, "+m")) {
		HFDS_TRY(add_buffer(ib, a->buffers[1], (n + 1) * (f[1] == 'L' ? 8 : 4), err));
		HFDS_TRY(walk(ib, s->children[0], a->children[0], column, err));
	} else if (!strncmp(f, "+w:", 3)) {
		HFDS_TRY(walk(ib, s->children[0], a->children[0], column, err));
	} else if (!strcmp(f, "+s")) {
		for (int64_t i = 0; i < s->n_children; i++)
			HFDS_TRY(walk(ib, s->children[i], a->children[i], column, err));
	} else {
		HFDS_FAIL(HFDS_EUNSUPPORTED, err, "column '%s': Arrow type '%s' is not written to Arrow IPC", column, f);
	}
done:
	return rc;
}

/* A vector of 16-byte structs (FieldNode, Buffer) copied from `src`, elements 8-aligned. */
static int fb_struct_vec(hfds_buf *b, size_t slot, const hfds_buf *src, hfds_error *err)
{
	int rc = 0;
	HFDS_TRY(pad_to(b, 4, err));
	if ((b->len + 4) % 8)
		HFDS_TRY(put_u32(b, 0, err));
	patch_here(b, slot);
	HFDS_TRY(put_u32(b, (uint32_t)(src->len / 16), err));
	if (src->len)
		HFDS_TRY(hfds_buf_append(b, src->data, src->len, err));
done:
	return rc;
}

int pq_arrow_ipc_record_batch_to(const struct ArrowSchema *schema, const struct ArrowArray *batch, pq_ipc_put put,
	void *ctx, hfds_error *err)
{
	static const uint8_t zeros[8];
	int rc = 0;
	size_t table, i;
	hfds_buf fb;
	ipc_batch ib;
	hfds_buf_init(&fb, 0);
	hfds_buf_init(&ib.nodes, 0);
	hfds_buf_init(&ib.bufs, 0);
	hfds_buf_init(&ib.segs, 0);
	ib.body_len = 0;
	HFDS_ASSERT_ARG(put && schema && batch && !strcmp(schema->format, "+s"), err);
	HFDS_FAIL_IF(batch->offset != 0 || batch->n_children != schema->n_children, HFDS_EINVAL, err,
		"record batch: a struct array of the schema's %lld columns at offset 0 expected", (long long)schema->n_children);
	for (int64_t c = 0; c < schema->n_children; c++) {
		const struct ArrowSchema *cs = schema->children[c];
		HFDS_TRY(walk(&ib, cs, batch->children[c], cs->name ? cs->name : "", err));
	}
	HFDS_TRY(put_u32(&fb, 0xFFFFFFFFu, err)); /* continuation, then the length patched below */
	HFDS_TRY(put_u32(&fb, 0, err));
	HFDS_TRY(put_u32(&fb, 0, err)); /* root offset, relative to the flatbuffer at byte 8 */
	fb_field msg[] = { SCALAR(0, 2, MD_V5), SCALAR(1, 1, HDR_RECORD_BATCH), OFFSET(2), SCALAR(3, 8, ib.body_len) };
	HFDS_TRY(fb_table(&fb, msg, 4, &table, err));
	put_le(fb.data + 8, table - 8, 4);
	fb_field rb[] = { SCALAR(0, 8, batch->length), OFFSET(1), OFFSET(2) };
	HFDS_TRY(fb_table(&fb, rb, 3, &table, err));
	patch_to(&fb, msg[2].pos, table);
	HFDS_TRY(fb_struct_vec(&fb, rb[1].pos, &ib.nodes, err));
	HFDS_TRY(fb_struct_vec(&fb, rb[2].pos, &ib.bufs, err));
	HFDS_TRY(pad_to(&fb, 8, err));
	HFDS_FAIL_IF(fb.len - 8 > INT32_MAX, HFDS_ELIMIT, err, "record batch: the message exceeds 2 GiB");
	put_le(fb.data + 4, fb.len - 8, 4);
	HFDS_TRY(put(ctx, fb.data, fb.len, err));
	for (i = 0; i < ib.segs.len / sizeof(ipc_seg); i++) {
		const ipc_seg *g = (const ipc_seg *)(const void *)ib.segs.data + i;
		if (g->len)
			HFDS_TRY(put(ctx, g->data, g->len, err));
		if (g->len % 8)
			HFDS_TRY(put(ctx, zeros, 8 - g->len % 8, err));
	}
done:
	hfds_buf_release(&fb);
	hfds_buf_release(&ib.nodes);
	hfds_buf_release(&ib.bufs);
	hfds_buf_release(&ib.segs);
	return rc;
}

static int put_buf(void *ctx, const void *data, size_t len, hfds_error *err)
{
	return hfds_buf_append(ctx, data, len, err);
}

int pq_arrow_ipc_record_batch(hfds_buf *out, const struct ArrowSchema *schema, const struct ArrowArray *batch,
	hfds_error *err)
{
	return pq_arrow_ipc_record_batch_to(schema, batch, put_buf, out, err);
}
