/*
 * Column chunk decoding: page headers, CRC check, decompression, levels and values of every
 * page of one chunk into a pq_colbuf. Nothing in a header is trusted: sizes are bounded by
 * the chunk and by max_alloc, level counts are decoded (not taken from num_values) and the
 * resulting row count must match the row group.
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "parquet/read/assemble.h"
#include "parquet/read/decompress.h"
#include "parquet/format/pq_format.h"
#include "util/alloc.h"
#include "util/try.h"

void pq_colbuf_init(pq_colbuf *cb, const pq_meta *m, int leaf, int narrow, size_t max_alloc)
{
	const pq_schema_elem *e = m->nodes[m->leaves[leaf].node].el;
	memset(cb, 0, sizeof *cb);
	hfds_buf_init(&cb->def, max_alloc);
	hfds_buf_init(&cb->rep, max_alloc);
	hfds_buf_init(&cb->page, max_alloc);
	pq_values_init(&cb->vals, e->type, e->type_length, max_alloc);
	pq_values_init(&cb->dict, e->type, e->type_length, max_alloc);
	cb->narrow = e->type == PQ_INT32 ? narrow : 0;
	if (cb->narrow)
		cb->vals.width = (size_t)cb->narrow;
}

void pq_colbuf_reset(pq_colbuf *cb)
{
	hfds_buf_clear(&cb->def);
	hfds_buf_clear(&cb->rep);
	cb->nlevels = 0;
	pq_values_reset(&cb->vals);
	pq_values_reset(&cb->dict);
	cb->has_dict = 0;
}

void pq_colbuf_release(pq_colbuf *cb)
{
	hfds_buf_release(&cb->def);
	hfds_buf_release(&cb->rep);
	hfds_buf_release(&cb->page);
	pq_values_release(&cb->vals);
	pq_values_release(&cb->dict);
}

/* INT32 values [from, len) of b (4 bytes each) rewritten in place as their low `w` bytes. */
static void narrow_tail(hfds_buf *b, size_t from, int w)
{
	size_t i, cnt = (b->len - from) / 4;
	uint8_t *p;
	if (cnt == 0) /* also: nothing allocated yet */
		return;
	p = b->data + from;
	if (w == 1)
		for (i = 0; i < cnt; i++)
			p[i] = p[i * 4];
	else
		for (i = 0; i < cnt; i++)
			memmove(p + i * 2, p + i * 4, 2);
	b->len = from + cnt * (size_t)w;
}

int pq_chunk_range(hfds_pq_reader *r, int rg, int leaf, uint64_t *off, uint64_t *len, hfds_error *err)
{
	const pq_col_meta *md = &r->meta->row_groups[rg].columns[leaf].meta;
	int64_t start = md->data_page_offset;
	if (md->has_dictionary_page_offset && md->dictionary_page_offset > 0 &&
	    md->dictionary_page_offset < md->data_page_offset)
		start = md->dictionary_page_offset;
	if (start < 0 || md->total_compressed_size < 0 || (uint64_t)start > r->size ||
	    (uint64_t)md->total_compressed_size > r->size - (uint64_t)start)
		return hfds_error_set(err, HFDS_ECORRUPT, "footer: row group %d column %s: chunk [%lld, +%lld) outside the file",
				      rg, r->meta->leaves[leaf].path, (long long)start, (long long)md->total_compressed_size);
	if ((uint64_t)md->total_compressed_size > r->opt.max_alloc)
		return hfds_error_set(err, HFDS_ELIMIT, "row group %d column %s: chunk of %lld bytes exceeds the allocation limit",
				      rg, r->meta->leaves[leaf].path, (long long)md->total_compressed_size);
	*off = (uint64_t)start;
	*len = (uint64_t)md->total_compressed_size;
	return 0;
}

static int bit_width(int v)
{
	int w = 0;
	while (v) {
		w++;
		v >>= 1;
	}
	return w;
}

/* Levels of one page: `enc` RLE (with or without u32 prefix) or BIT_PACKED, written at the end
 * of dst without counting them in dst->len (the caller appends or drops them). *all_max tells
 * whether every level is maxl; a page whose levels are one RLE run of maxl is not expanded
 * at all when `expand` is 0. */
static int read_levels(const uint8_t *p, size_t n, size_t *used, int enc, int prefixed, int maxl,
		       hfds_buf *dst, size_t count, int expand, int *all_max, hfds_error *err)
{
	int rc, bw = bit_width(maxl);
	uint16_t *out;
	size_t i;
	uint16_t mx = 0, mn = UINT16_MAX;
	*all_max = 0;
	if (enc == PQ_ENC_RLE) {
		size_t len = n, pos = 0;
		uint64_t hdr;
		if (prefixed) {
			uint32_t l;
			if (n < 4)
				return hfds_error_set(err, HFDS_ECORRUPT, "levels: missing length prefix");
			memcpy(&l, p, 4);
			if (l > n - 4)
				return hfds_error_set(err, HFDS_ECORRUPT, "levels: length %u exceeds the %zu bytes left", l, n - 4);
			p += 4;
			len = l;
			*used = 4 + (size_t)l;
		} else {
			*used = n;
		}
		/* one RLE run of the maximum covering the page (a column without nulls) */
		if (!expand && bw <= 8 && pq_dec_uleb(p, len, &pos, &hdr) == 0 && !(hdr & 1) && (hdr >> 1) >= count &&
		    pos < len && p[pos] == maxl) {
			*all_max = 1;
			return 0;
		}
		if ((rc = hfds_buf_reserve(dst, count * 2, err)) < 0)
			return rc;
		out = (uint16_t *)(void *)(dst->data + dst->len);
		if ((rc = pq_rle_levels(p, len, bw, out, count, &mn, &mx, err)) < 0)
			return rc;
	} else if (enc == PQ_ENC_BIT_PACKED) {
		if ((rc = hfds_buf_reserve(dst, count * 2, err)) < 0)
			return rc;
		out = (uint16_t *)(void *)(dst->data + dst->len);
		if ((rc = pq_bitpacked_levels(p, n, bw, out, count, used, err)) < 0)
			return rc;
	} else {
		return hfds_error_set(err, HFDS_EUNSUPPORTED, "levels: encoding %s", pq_encoding_name(enc));
	}
	if (enc == PQ_ENC_BIT_PACKED)
		for (i = 0; i < count; i++) {
			mx = out[i] > mx ? out[i] : mx;
			mn = out[i] < mn ? out[i] : mn;
		}
	if (mx > maxl)
		for (i = 0; i < count; i++)
			if (out[i] > maxl)
				return hfds_error_set(err, HFDS_ECORRUPT, "levels: level %u above the maximum %d", out[i], maxl);
	*all_max = count == 0 || (mn == maxl && mx == maxl);
	return 0;
}

static int read_rep(pq_colbuf *cb, const uint8_t *p, size_t n, size_t *used, int enc, int prefixed, int maxl,
		    size_t count, hfds_error *err)
{
	int all_max, rc = read_levels(p, n, used, enc, prefixed, maxl, &cb->rep, count, 1, &all_max, err);
	if (rc == 0)
		cb->rep.len += count * 2;
	return rc;
}

/* Definition levels of a page of `count` slots after `before` slots: kept out of cb->def while
 * every level so far is the maximum, else materialised (earlier all-max slots included). */
static int read_def(pq_colbuf *cb, const uint8_t *p, size_t n, size_t *used, int enc, int prefixed, int maxl,
		    size_t before, size_t count, hfds_error *err)
{
	int all_max, rc, lazy = cb->def.len == 0;
	size_t i;
	uint16_t *d;
	if ((rc = read_levels(p, n, used, enc, prefixed, maxl, &cb->def, count, !lazy, &all_max, err)) < 0)
		return rc;
	if (lazy && all_max)
		return 0;
	if (lazy && before) { /* first page with a null: the earlier slots become explicit */
		if ((rc = hfds_buf_reserve(&cb->def, (before + count) * 2, err)) < 0)
			return rc;
		d = (uint16_t *)(void *)cb->def.data;
		memmove(d + before, d, count * 2);
		for (i = 0; i < before; i++)
			d[i] = (uint16_t)maxl;
	}
	cb->def.len += (lazy ? before + count : count) * 2;
	return 0;
}

static int decode_values(int enc, const uint8_t *p, size_t n, size_t count, pq_colbuf *cb, hfds_error *err)
{
	switch (enc) {
	case PQ_ENC_PLAIN:
		return pq_dec_plain(p, n, count, &cb->vals, err);
	case PQ_ENC_PLAIN_DICTIONARY:
	case PQ_ENC_RLE_DICTIONARY:
		return pq_dec_dict(p, n, count, cb->has_dict ? &cb->dict : NULL, &cb->vals, err);
	case PQ_ENC_RLE:
		return pq_dec_rle_bool(p, n, count, &cb->vals, err);
	case PQ_ENC_DELTA_BINARY_PACKED:
		return pq_dec_delta(p, n, count, &cb->vals, err);
	case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
		return pq_dec_delta_length(p, n, count, &cb->vals, err);
	case PQ_ENC_DELTA_BYTE_ARRAY:
		return pq_dec_delta_byte_array(p, n, count, &cb->vals, err);
	case PQ_ENC_BYTE_STREAM_SPLIT:
		return pq_dec_bss(p, n, count, &cb->vals, err);
	default:
		return hfds_error_set(err, HFDS_EUNSUPPORTED, "value encoding %d (%s) not supported", enc, pq_encoding_name(enc));
	}
}

/* decode_values, with INT32 values narrowed for int8/int16 leaves (dictionaries are narrowed
 * once when read, so their indices gather straight into narrow values). */
static int decode_narrow(int enc, const uint8_t *p, size_t n, size_t count, pq_colbuf *cb, hfds_error *err)
{
	size_t from = cb->vals.fixed.len;
	int rc;
	if (!cb->narrow)
		return decode_values(enc, p, n, count, cb, err);
	if (enc == PQ_ENC_PLAIN_DICTIONARY || enc == PQ_ENC_RLE_DICTIONARY) {
		cb->vals.width = (size_t)cb->narrow;
		rc = decode_values(enc, p, n, count, cb, err);
	} else {
		cb->vals.width = 4;
		rc = decode_values(enc, p, n, count, cb, err);
		if (rc == 0)
			narrow_tail(&cb->vals.fixed, from, cb->narrow);
	}
	cb->vals.width = (size_t)cb->narrow;
	return rc;
}

static size_t count_defined(const hfds_buf *def, size_t from, size_t count, int max_def)
{
	/* levels are validated <= max_def */
	return count - pq_count_le16((const uint16_t *)(const void *)def->data + from, count, max_def - 1);
}

/* Bytes before the values of a v1 data page that can be decoded in place (see
 * plain_in_place): PLAIN fixed-width values, no repetition levels, RLE definition levels
 * whose length prefix can be read without decompressing. SIZE_MAX when it does not apply. */
static size_t v1_head(const pq_colbuf *cb, const pq_page_header *h, int codec, const uint8_t *body, size_t body_len,
		      int max_rep, int max_def)
{
	uint8_t pre[4];
	uint32_t l;
	if (h->encoding != PQ_ENC_PLAIN || cb->vals.type == PQ_BYTE_ARRAY || cb->vals.type == PQ_BOOLEAN ||
	    !cb->vals.width || cb->narrow || max_rep > 0)
		return SIZE_MAX;
	if (max_def == 0)
		return 0;
	if (h->def_encoding != PQ_ENC_RLE)
		return SIZE_MAX;
	if (codec == PQ_CODEC_UNCOMPRESSED && body_len >= 4)
		memcpy(pre, body, 4);
	else if (codec != PQ_CODEC_SNAPPY || !pq_snappy_peek(body, body_len, pre, 4))
		return SIZE_MAX;
	memcpy(&l, pre, 4);
	return h->uncompressed_size >= 4 && l <= (uint32_t)h->uncompressed_size - 4 ? 4 + (size_t)l : SIZE_MAX;
}

/* A v1 page of PLAIN fixed-width values decompressed straight into the column buffer, no
 * staging copy: the page lands `head` bytes (its definition levels) before the end of the
 * values so far, so its values fall where they belong. The `head` bytes it overwrites (the
 * tail of the earlier values) are saved in the scratch buffer first and put back once the
 * levels are copied out beside them. Same checks and messages as the staged path. */
static int plain_in_place(pq_colbuf *cb, int codec, const uint8_t *body, size_t body_len, size_t ulen, size_t head,
			  int max_def, size_t levels, size_t count, hfds_error *err)
{
	int rc = 0;
	size_t used, nn;
	uint8_t *dst;
	HFDS_TRY(hfds_buf_reserve(&cb->vals.fixed, ulen - head, err));
	hfds_buf_clear(&cb->page);
	HFDS_TRY(hfds_buf_reserve(&cb->page, 2 * head + 1, err));
	dst = cb->vals.fixed.data + cb->vals.fixed.len - head;
	if (head)
		memcpy(cb->page.data, dst, head);
	if (body_len || ulen)
		rc = pq_decompress(codec, body, body_len, dst, ulen, err);
	if (head) {
		memcpy(cb->page.data + head, dst, head);
		memcpy(dst, cb->page.data, head);
	}
	HFDS_TRY(rc);
	if (max_def > 0)
		HFDS_TRY(read_def(cb, cb->page.data + head, head, &used, PQ_ENC_RLE, 1, max_def, levels, count, err));
	nn = max_def > 0 && cb->def.len ? count_defined(&cb->def, levels, count, max_def) : count;
	if (nn > (ulen - head) / cb->vals.width)
		HFDS_FAIL(HFDS_ECORRUPT, err, "plain: %zu values of %zu bytes exceed the %zu bytes present", nn,
			  cb->vals.width, ulen - head);
	cb->vals.fixed.len += nn * cb->vals.width;
	cb->vals.count += nn;
done:
	return rc;
}

/*
 * The bytes of a column chunk: all in memory (`mem`), or read through a window that slides
 * over the chunk in the file (`win`, mem NULL). A chunk of incompressible data is as large
 * as its decoded values; holding it whole while decoding costs a third row group's worth
 * of memory in a stream that keeps one batch out and decodes the next. The window costs
 * PQ_CHUNK_WINDOW (or the largest page) instead.
 */
typedef struct chunk_src {
	hfds_pq_reader *r;
	const uint8_t *mem;
	hfds_buf *win;
	uint64_t off; /* file offset of the chunk */
	size_t len;   /* chunk length */
	size_t at;    /* chunk position of win->data[0] */
} chunk_src;

/* *p = bytes [pos, pos + need) of the chunk (need <= len - pos). Positions only grow, so the
 * window drops what lies before pos and reads at least PQ_CHUNK_WINDOW bytes at once. */
static int chunk_at(chunk_src *c, size_t pos, size_t need, const uint8_t **p, hfds_error *err)
{
	hfds_buf *w = c->win;
	size_t keep = 0, want;
	int rc;
	if (c->mem) {
		*p = c->mem + pos;
		return 0;
	}
	if (pos >= c->at && pos + need <= c->at + w->len) {
		*p = w->data + (pos - c->at);
		return 0;
	}
	if (pos >= c->at && pos < c->at + w->len) {
		keep = c->at + w->len - pos;
		memmove(w->data, w->data + (pos - c->at), keep);
	}
	w->len = keep;
	c->at = pos;
	want = need > PQ_CHUNK_WINDOW ? need : PQ_CHUNK_WINDOW;
	if (want > c->len - pos)
		want = c->len - pos;
	if ((rc = hfds_buf_reserve(w, want - keep + 1, err)) < 0 ||
	    (rc = pq_reader__read(c->r, c->off + pos + keep, w->data + keep, want - keep, err)) < 0)
		return rc;
	w->len = want;
	*p = w->data;
	return 0;
}

/* The header of the page at pos: parsed from the first 64 KiB, or from the rest of the
 * chunk when it needs more (large statistics), so errors are those of the whole chunk. */
static int page_header(chunk_src *c, size_t pos, pq_page_header *h, size_t *hlen, hfds_error *err)
{
	const uint8_t *p;
	size_t rest = c->len - pos, first = rest < 65536 ? rest : 65536;
	int rc;
	hfds_error tmp;
	if ((rc = chunk_at(c, pos, first, &p, err)) < 0)
		return rc;
	if (first == rest)
		return pq_page_header_parse(h, hlen, p, first, c->off + pos, err);
	hfds_error_init(&tmp);
	if (pq_page_header_parse(h, hlen, p, first, c->off + pos, &tmp) == 0)
		return 0;
	if ((rc = chunk_at(c, pos, rest, &p, err)) < 0)
		return rc;
	return pq_page_header_parse(h, hlen, p, rest, c->off + pos, err);
}

int pq_read_chunk(hfds_pq_reader *r, int rg, int leaf, const uint8_t *chunk, hfds_buf *win, size_t chunk_len,
		  uint64_t chunk_off, pq_colbuf *cb, hfds_error *err)
{
	chunk_src src = { r, chunk, win, chunk_off, chunk_len, 0 };
	const pq_meta *m = r->meta;
	const pq_col_meta *md = &m->row_groups[rg].columns[leaf].meta;
	const pq_leaf *lf = &m->leaves[leaf];
	int max_def = lf->max_def, max_rep = lf->max_rep, rc = 0, seen_data = 0;
	size_t pos = 0, levels = 0;
	uint8_t *page;
	uint64_t page_off = chunk_off;
	int64_t rows;

	if (cb->pool && md->num_values > 0) { /* recycled buffers, sized by the footer's counts */
		size_t nv = (size_t)md->num_values < r->opt.max_alloc / 8 ? (size_t)md->num_values : r->opt.max_alloc / 8;
		if (cb->vals.width)
			pq_bufpool_fill(cb->pool, &cb->vals.fixed, nv * cb->vals.width);
		else
			pq_bufpool_fill(cb->pool, &cb->vals.offsets, (nv + 1) * 4);
		if (cb->vals.type == PQ_BYTE_ARRAY && md->total_uncompressed_size > 0)
			pq_bufpool_fill(cb->pool, &cb->vals.data, (size_t)md->total_uncompressed_size);
	}
	while (pos < chunk_len && (int64_t)levels < md->num_values) {
		pq_page_header h;
		size_t hlen, body_len, count, nn, head;
		const uint8_t *body, *vals;
		page_off = chunk_off + pos;
		HFDS_TRY(page_header(&src, pos, &h, &hlen, err));
		pos += hlen;
		if ((size_t)h.compressed_size > chunk_len - pos)
			HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: page of %d bytes extends past the column chunk (%zu bytes left)",
				  (unsigned long long)page_off, h.compressed_size, chunk_len - pos);
		if ((size_t)h.uncompressed_size > r->opt.max_alloc)
			HFDS_FAIL(HFDS_ELIMIT, err, "offset %llu: page of %d uncompressed bytes exceeds the allocation limit",
				  (unsigned long long)page_off, h.uncompressed_size);
		body_len = (size_t)h.compressed_size;
		HFDS_TRY(chunk_at(&src, pos, body_len, &body, err));
		pos += body_len;
		if (h.has_crc && r->opt.verify_crc) {
			uint32_t crc = (uint32_t)crc32(0L, body, (uInt)body_len);
			if (crc != (uint32_t)h.crc)
				HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: page crc mismatch (stored %08x, computed %08x)",
					  (unsigned long long)page_off, (uint32_t)h.crc, crc);
		}
		if (h.type == PQ_PAGE_INDEX)
			continue;
		hfds_buf_clear(&cb->page);
		HFDS_TRY(hfds_buf_reserve(&cb->page, (size_t)h.uncompressed_size + 1, err));
		page = cb->page.data;
		if (h.type == PQ_PAGE_DICTIONARY) {
			if (cb->has_dict || seen_data)
				HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: unexpected dictionary page (%s)",
					  (unsigned long long)page_off, seen_data ? "after data pages" : "second one");
			if (h.encoding != PQ_ENC_PLAIN && h.encoding != PQ_ENC_PLAIN_DICTIONARY)
				HFDS_FAIL(HFDS_EUNSUPPORTED, err, "offset %llu: dictionary encoding %d", (unsigned long long)page_off, h.encoding);
			if (body_len || h.uncompressed_size)
				rc = pq_decompress(md->codec, body, body_len, page, (size_t)h.uncompressed_size, err);
			cb->dict.width = cb->narrow ? 4 : cb->dict.width;
			if (rc == 0)
				rc = pq_dec_plain(page, (size_t)h.uncompressed_size, (size_t)h.num_values, &cb->dict, err);
			if (rc == 0 && cb->narrow) {
				narrow_tail(&cb->dict.fixed, 0, cb->narrow);
				cb->dict.width = (size_t)cb->narrow;
			}
			if (rc == 0)
				rc = pq_dict_slots(&cb->dict, err);
			if (rc < 0) {
				char pre[64];
				snprintf(pre, sizeof pre, "offset %llu: dictionary page", (unsigned long long)page_off);
				hfds_error_prefix(err, pre);
				goto done;
			}
			cb->has_dict = 1;
			continue;
		}
		seen_data = 1;
		count = (size_t)h.num_values;
		if (count > r->opt.max_alloc / 8)
			HFDS_FAIL(HFDS_ELIMIT, err, "offset %llu: page with %zu values exceeds the allocation limit",
				  (unsigned long long)page_off, count);
		if (h.type == PQ_PAGE_DATA && (head = v1_head(cb, &h, md->codec, body, body_len, max_rep, max_def)) != SIZE_MAX &&
		    cb->vals.fixed.len >= head) {
			rc = plain_in_place(cb, md->codec, body, body_len, (size_t)h.uncompressed_size, head, max_def, levels,
					    count, err);
		} else if (h.type == PQ_PAGE_DATA) {
			size_t used, rest;
			if (body_len || h.uncompressed_size)
				rc = pq_decompress(md->codec, body, body_len, page, (size_t)h.uncompressed_size, err);
			rest = (size_t)h.uncompressed_size;
			vals = page;
			if (rc == 0 && max_rep > 0) {
				rc = read_rep(cb, vals, rest, &used, h.rep_encoding, 1, max_rep, count, err);
				if (rc == 0) { vals += used; rest -= used; }
			}
			if (rc == 0 && max_def > 0) {
				rc = read_def(cb, vals, rest, &used, h.def_encoding, 1, max_def, levels, count, err);
				if (rc == 0) { vals += used; rest -= used; }
			}
			nn = max_def > 0 && cb->def.len ? (rc == 0 ? count_defined(&cb->def, levels, count, max_def) : 0) : count;
			if (rc == 0)
				rc = decode_narrow(h.encoding, vals, rest, nn, cb, err);
		} else {
			size_t lv = (size_t)h.rep_len + (size_t)h.def_len, used, vlen, ulen;
			int compressed = h.is_compressed && md->codec != PQ_CODEC_UNCOMPRESSED;
			if (lv > body_len || lv > (size_t)h.uncompressed_size)
				HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: v2 level lengths (%d + %d) exceed the page",
					  (unsigned long long)page_off, h.rep_len, h.def_len);
			if (max_rep > 0)
				rc = read_rep(cb, body, (size_t)h.rep_len, &used, PQ_ENC_RLE, 0, max_rep, count, err);
			/* else: some writers store an (ignorable) empty level run for max_rep 0 */
			if (rc == 0 && max_def > 0)
				rc = read_def(cb, body + h.rep_len, (size_t)h.def_len, &used, PQ_ENC_RLE, 0, max_def, levels, count, err);
			else if (rc == 0 && h.def_len)
				rc = hfds_error_set(err, HFDS_ECORRUPT, "definition levels in a required column");
			vlen = body_len - lv;
			ulen = (size_t)h.uncompressed_size - lv;
			vals = body + lv;
			if (rc == 0 && compressed && vlen > 0) {
				rc = pq_decompress(md->codec, body + lv, vlen, page, ulen, err);
				vals = page;
			} else if (rc == 0 && vlen != ulen) {
				rc = hfds_error_set(err, HFDS_ECORRUPT, "uncompressed v2 values: %zu bytes stored, %zu expected", vlen, ulen);
			}
			nn = max_def > 0 && cb->def.len ? (rc == 0 ? count_defined(&cb->def, levels, count, max_def) : 0) : count;
			if (rc == 0)
				rc = decode_narrow(h.encoding, vals, ulen, nn, cb, err);
		}
		if (rc < 0) {
			char pre[80];
			snprintf(pre, sizeof pre, "offset %llu: %s", (unsigned long long)page_off, pq_page_type_name(h.type));
			hfds_error_prefix(err, pre);
			goto done;
		}
		levels += count;
	}
	cb->nlevels = levels;
	if (max_rep > 0) {
		const uint16_t *rp = (const uint16_t *)(const void *)cb->rep.data;
		if (levels && rp[0] != 0)
			HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: column %s: first repetition level is %u, not 0",
				  (unsigned long long)chunk_off, lf->path, rp[0]);
		rows = (int64_t)pq_count_le16(rp, levels, 0);
	} else {
		rows = (int64_t)levels;
	}
	if (rows != m->row_groups[rg].num_rows)
		HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: column %s: %lld rows decoded, row group %d has %lld",
			  (unsigned long long)chunk_off, lf->path, (long long)rows, rg, (long long)m->row_groups[rg].num_rows);
done:
	return rc;
}
