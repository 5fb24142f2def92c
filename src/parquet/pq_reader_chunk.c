/*
 * Column chunk decoding: page headers, CRC check, decompression, levels and values of every
 * page of one chunk into a pq_colbuf. Nothing in a header is trusted: sizes are bounded by
 * the chunk and by max_alloc, level counts are decoded (not taken from num_values) and the
 * resulting row count must match the row group.
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "parquet/assemble.h"
#include "parquet/decompress.h"
#include "parquet/pq_format.h"
#include "util/alloc.h"
#include "util/try.h"

void pq_colbuf_init(pq_colbuf *cb, const pq_meta *m, int leaf, size_t max_alloc)
{
	const pq_schema_elem *e = m->nodes[m->leaves[leaf].node].el;
	memset(cb, 0, sizeof *cb);
	hfds_buf_init(&cb->def, max_alloc);
	hfds_buf_init(&cb->rep, max_alloc);
	pq_values_init(&cb->vals, e->type, e->type_length, max_alloc);
	pq_values_init(&cb->dict, e->type, e->type_length, max_alloc);
}

void pq_colbuf_release(pq_colbuf *cb)
{
	hfds_buf_release(&cb->def);
	hfds_buf_release(&cb->rep);
	pq_values_release(&cb->vals);
	pq_values_release(&cb->dict);
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

/* Levels of one page: `enc` RLE (with or without u32 prefix) or BIT_PACKED. */
static int read_levels(const uint8_t *p, size_t n, size_t *used, int enc, int prefixed, int maxl,
		       hfds_buf *dst, size_t count, hfds_error *err)
{
	int rc;
	uint16_t *out;
	size_t i;
	if ((rc = hfds_buf_reserve(dst, count * 2, err)) < 0)
		return rc;
	out = (uint16_t *)(void *)(dst->data + dst->len);
	if (enc == PQ_ENC_BIT_PACKED) {
		if ((rc = pq_bitpacked_levels(p, n, bit_width(maxl), out, count, used, err)) < 0)
			return rc;
	} else if (enc == PQ_ENC_RLE) {
		size_t len = n;
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
		if ((rc = pq_rle_levels(p, len, bit_width(maxl), out, count, err)) < 0)
			return rc;
	} else {
		return hfds_error_set(err, HFDS_EUNSUPPORTED, "levels: encoding %s", pq_encoding_name(enc));
	}
	for (i = 0; i < count; i++)
		if (out[i] > maxl)
			return hfds_error_set(err, HFDS_ECORRUPT, "levels: level %u above the maximum %d", out[i], maxl);
	dst->len += count * 2;
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

static size_t count_defined(const hfds_buf *def, size_t from, size_t count, int max_def)
{
	const uint16_t *d = (const uint16_t *)(const void *)def->data + from;
	size_t i, n = 0;
	for (i = 0; i < count; i++)
		n += d[i] == max_def;
	return n;
}

int pq_read_chunk(hfds_pq_reader *r, int rg, int leaf, const uint8_t *chunk, size_t chunk_len,
		  uint64_t chunk_off, pq_colbuf *cb, hfds_error *err)
{
	const pq_meta *m = r->meta;
	const pq_col_meta *md = &m->row_groups[rg].columns[leaf].meta;
	const pq_leaf *lf = &m->leaves[leaf];
	int max_def = lf->max_def, max_rep = lf->max_rep, rc = 0, seen_data = 0;
	size_t pos = 0, levels = 0;
	uint8_t *page = NULL;
	size_t page_cap = 0;
	uint64_t page_off = chunk_off;
	int64_t rows;

	while (pos < chunk_len && (int64_t)levels < md->num_values) {
		pq_page_header h;
		size_t hlen, body_len, count, nn;
		const uint8_t *body, *vals;
		page_off = chunk_off + pos;
		HFDS_TRY(pq_page_header_parse(&h, &hlen, chunk + pos, chunk_len - pos, page_off, err));
		pos += hlen;
		if ((size_t)h.compressed_size > chunk_len - pos)
			HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: page of %d bytes extends past the column chunk (%zu bytes left)",
				  (unsigned long long)page_off, h.compressed_size, chunk_len - pos);
		if ((size_t)h.uncompressed_size > r->opt.max_alloc)
			HFDS_FAIL(HFDS_ELIMIT, err, "offset %llu: page of %d uncompressed bytes exceeds the allocation limit",
				  (unsigned long long)page_off, h.uncompressed_size);
		body = chunk + pos;
		body_len = (size_t)h.compressed_size;
		pos += body_len;
		if (h.has_crc && r->opt.verify_crc) {
			uint32_t crc = (uint32_t)crc32(0L, body, (uInt)body_len);
			if (crc != (uint32_t)h.crc)
				HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: page crc mismatch (stored %08x, computed %08x)",
					  (unsigned long long)page_off, (uint32_t)h.crc, crc);
		}
		if (h.type == PQ_PAGE_INDEX)
			continue;
		if ((size_t)h.uncompressed_size > page_cap) {
			hfds_free(page);
			page_cap = (size_t)h.uncompressed_size;
			if (!(page = hfds_malloc(page_cap + 1)))
				HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		}
		if (h.type == PQ_PAGE_DICTIONARY) {
			if (cb->has_dict || seen_data)
				HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: unexpected dictionary page (%s)",
					  (unsigned long long)page_off, seen_data ? "after data pages" : "second one");
			if (h.encoding != PQ_ENC_PLAIN && h.encoding != PQ_ENC_PLAIN_DICTIONARY)
				HFDS_FAIL(HFDS_EUNSUPPORTED, err, "offset %llu: dictionary encoding %d", (unsigned long long)page_off, h.encoding);
			if (body_len || h.uncompressed_size)
				rc = pq_decompress(md->codec, body, body_len, page, (size_t)h.uncompressed_size, err);
			if (rc == 0)
				rc = pq_dec_plain(page, (size_t)h.uncompressed_size, (size_t)h.num_values, &cb->dict, err);
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
		if (h.type == PQ_PAGE_DATA) {
			size_t used, rest;
			if (body_len || h.uncompressed_size)
				rc = pq_decompress(md->codec, body, body_len, page, (size_t)h.uncompressed_size, err);
			rest = (size_t)h.uncompressed_size;
			vals = page;
			if (rc == 0 && max_rep > 0) {
				rc = read_levels(vals, rest, &used, h.rep_encoding, 1, max_rep, &cb->rep, count, err);
				if (rc == 0) { vals += used; rest -= used; }
			}
			if (rc == 0 && max_def > 0) {
				rc = read_levels(vals, rest, &used, h.def_encoding, 1, max_def, &cb->def, count, err);
				if (rc == 0) { vals += used; rest -= used; }
			}
			nn = max_def > 0 ? (rc == 0 ? count_defined(&cb->def, levels, count, max_def) : 0) : count;
			if (rc == 0)
				rc = decode_values(h.encoding, vals, rest, nn, cb, err);
		} else {
			size_t lv = (size_t)h.rep_len + (size_t)h.def_len, used, vlen, ulen;
			int compressed = h.is_compressed && md->codec != PQ_CODEC_UNCOMPRESSED;
			if (lv > body_len || lv > (size_t)h.uncompressed_size)
				HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: v2 level lengths (%d + %d) exceed the page",
					  (unsigned long long)page_off, h.rep_len, h.def_len);
			if (max_rep > 0)
				rc = read_levels(body, (size_t)h.rep_len, &used, PQ_ENC_RLE, 0, max_rep, &cb->rep, count, err);
			/* else: some writers store an (ignorable) empty level run for max_rep 0 */
			if (rc == 0 && max_def > 0)
				rc = read_levels(body + h.rep_len, (size_t)h.def_len, &used, PQ_ENC_RLE, 0, max_def, &cb->def, count, err);
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
			nn = max_def > 0 ? (rc == 0 ? count_defined(&cb->def, levels, count, max_def) : 0) : count;
			if (rc == 0)
				rc = decode_values(h.encoding, vals, ulen, nn, cb, err);
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
		size_t i;
		if (levels && rp[0] != 0)
			HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: column %s: first repetition level is %u, not 0",
				  (unsigned long long)chunk_off, lf->path, rp[0]);
		rows = 0;
		for (i = 0; i < levels; i++)
			rows += rp[i] == 0;
	} else {
		rows = (int64_t)levels;
	}
	if (rows != m->row_groups[rg].num_rows)
		HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: column %s: %lld rows decoded, row group %d has %lld",
			  (unsigned long long)chunk_off, lf->path, (long long)rows, rg, (long long)m->row_groups[rg].num_rows);
done:
	hfds_free(page);
	return rc;
}
