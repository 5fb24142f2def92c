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
enum { MD_V5 = 4, HDR_SCHEMA = 1 };
enum {
	T_NULL = 1, T_INT = 2, T_FLOAT = 3, T_BINARY = 4, T_UTF8 = 5, T_BOOL = 6, T_DECIMAL = 7,
	T_DATE = 8, T_TIMESTAMP = 10, T_LIST = 12, T_STRUCT = 13, T_FSB = 15, T_FSL = 16, T_MAP = 17,
	T_LARGE_BINARY = 19, T_LARGE_UTF8 = 20, T_LARGE_LIST = 21
};

#define MAX_FIELDS 8

typedef struct fb_field {
	int id;        /* slot in the vtable */
	int size;      /* 1, 2 or 4 bytes */
	uint32_t val;  /* scalar value; offsets are patched later */
	int is_off;
	size_t pos;    /* filled by fb_table: where the value was written */
} fb_field;

static void put_le(uint8_t *p, uint32_t v, int size)
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
	for (int size = 4; size >= 1; size /= 2)
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

#define SCALAR(i, sz, v) { (i), (sz), (uint32_t)(v), 0, 0 }
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
