/*
 * Column chunk -> pages. Page boundaries are always row boundaries (the OffsetIndex and v2
 * pages need it), and are decided from the PLAIN size of the values so that planning is
 * cheap and independent of the encoding finally chosen.
 */
#include <string.h>

#include "parquet/write/colwriter.h"
#include "parquet/format/pq_format.h"
#include "parquet/write/thrift_enc.h"
#include "util/alloc.h"
#include "util/try.h"

int pqw_kit_new(pqw_kit **out, hfds_error *err)
{
	int rc = 0;
	pqw_kit *k = hfds_calloc(1, sizeof(*k));
	HFDS_FAIL_IF(!k, HFDS_ENOMEM, err, "out of memory");
	hfds_buf_init(&k->levels16, 0);
	hfds_buf_init(&k->body, 0);
	hfds_buf_init(&k->vals, 0);
	hfds_buf_init(&k->stored, 0);
	hfds_buf_init(&k->header, 0);
	hfds_buf_init(&k->used, 0);
	hfds_buf_init(&k->idx, 0);
	hfds_buf_init(&k->alt, 0);
	HFDS_TRY(pq_compressor_new(&k->comp, err));
	*out = k;
	k = NULL;
done:
	pqw_kit_free(k);
	return rc;
}

void pqw_kit_free(pqw_kit *k)
{
	if (!k)
		return;
	pq_compressor_free(k->comp);
	hfds_buf_release(&k->levels16);
	hfds_buf_release(&k->body);
	hfds_buf_release(&k->vals);
	hfds_buf_release(&k->stored);
	hfds_buf_release(&k->header);
	hfds_buf_release(&k->used);
	hfds_buf_release(&k->idx);
	hfds_buf_release(&k->alt);
	hfds_free(k);
}

void pqw_chunk_init(pqw_chunk *c)
{
	memset(c, 0, sizeof(*c));
	hfds_buf_init(&c->idx, 0);
	hfds_buf_init(&c->dict_out, 0);
}

void pqw_chunk_release(pqw_chunk *c)
{
	for (size_t i = 0; i < c->cap; i++)
		hfds_buf_release(&c->pages[i].out);
	hfds_free(c->pages);
	hfds_buf_release(&c->idx);
	hfds_buf_release(&c->dict_out);
	hfds_free(c->pres);
}

int pqw_small_dict(const pqw_leaf *leaf)
{
	return leaf->src == PQ_SRC_I8 || leaf->src == PQ_SRC_U8 || leaf->src == PQ_SRC_I16 || leaf->src == PQ_SRC_U16;
}

size_t pqw_small_dict_slots(const pqw_leaf *leaf)
{
	return leaf->src == PQ_SRC_I8 || leaf->src == PQ_SRC_U8 ? 256 : 65536;
}

int pqw_small_dict_mapped(const pqw_leaf *leaf)
{
	return leaf->src == PQ_SRC_I8 || leaf->src == PQ_SRC_U8;
}

void pqw_chunk_reset(pqw_chunk *c, const pqw_leaf *leaf, const pqw_colbuf *cb, const pqw_colopts *o,
	const hfds_pq_writer_options *wo, pq_dict *dict, uint32_t *smap, int32_t *sent)
{
	c->small = o->dictionary && pqw_small_dict(leaf);
	c->smap = smap;
	c->sent = sent;
	c->scount = 0;
	c->leaf = leaf;
	c->cb = cb;
	c->o = *o;
	c->wo = wo;
	c->npages = 0;
	c->dict = dict;
	c->dict_pages = 0;
	hfds_buf_clear(&c->idx);
	hfds_buf_clear(&c->dict_out);
	c->dict_uncompressed = 0;
	pqw_stats_init(&c->stats);
	c->rc = 0;
	hfds_error_init(&c->err);
}

/* PLAIN bytes of one fixed-width value (0 for BYTE_ARRAY). */
static size_t plain_width(const pqw_leaf *l)
{
	switch (l->src) {
	case PQ_SRC_BOOL: return 1;
	case PQ_SRC_I8: case PQ_SRC_I16: case PQ_SRC_I32: case PQ_SRC_U8: case PQ_SRC_U16:
	case PQ_SRC_U32: case PQ_SRC_F32: return 4;
	case PQ_SRC_I64: case PQ_SRC_U64: case PQ_SRC_F64: return 8;
	case PQ_SRC_BIN64: return 0;
	default: return (size_t)l->value_width;
	}
}

/* PLAIN size of dense values [v0, v1). */
static uint64_t plain_bytes(const pqw_chunk *c, int64_t v0, int64_t v1)
{
	size_t w = plain_width(c->leaf);
	if (w)
		return (uint64_t)(v1 - v0) * w;
	const uint64_t *o = (const uint64_t *)(const void *)c->cb->offs.data;
	return v1 > v0 ? o[v1] - o[v0] + 4u * (uint64_t)(v1 - v0) : 0;
}

static int add_page(pqw_chunk *c, int64_t e0, int64_t e1, int64_t v0, int64_t v1, int64_t r0, int64_t r1,
	hfds_error *err)
{
	if (c->npages == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		pqw_page *p = hfds_reallocarray(c->pages, cap, sizeof(*p));
		if (!p)
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		for (size_t i = c->cap; i < cap; i++) {
			memset(&p[i], 0, sizeof(p[i]));
			hfds_buf_init(&p[i].out, 0);
		}
		c->pages = p;
		c->cap = cap;
	}
	pqw_page *p = &c->pages[c->npages++];
	p->e0 = e0; p->e1 = e1; p->v0 = v0; p->v1 = v1; p->r0 = r0; p->r1 = r1;
	p->rc = 0;
	hfds_error_init(&p->err);
	hfds_buf_clear(&p->out);
	return 0;
}

static int plan_pages(pqw_chunk *c, hfds_error *err)
{
	int rc = 0;
	const pqw_colbuf *cb = c->cb;
	const pqw_leaf *l = c->leaf;
	uint64_t ps = c->wo->page_size ? c->wo->page_size : 1;
	int64_t rl = c->wo->page_row_limit ? (int64_t)c->wo->page_row_limit : INT64_MAX;
	int dense = cb->nvalues == cb->nentries;
	const uint8_t *def = cb->def.data;
	int64_t r = 0, e = 0, v = 0;
	while (r < cb->nrows) {
		int64_t r0 = r, e0 = e, v0 = v;
		int64_t rmax = cb->nrows - r0 < rl ? cb->nrows : r0 + rl;
		if (dense) {
			/* values == entries: binary search the last row end that fits */
			int64_t lo = r0 + 1, hi = rmax;
			if (plain_bytes(c, e0, pqw_colbuf_row_entry(cb, l, hi)) > ps) {
				while (lo < hi) {
					int64_t mid = lo + (hi - lo + 1) / 2;
					if (plain_bytes(c, e0, pqw_colbuf_row_entry(cb, l, mid)) <= ps)
						lo = mid;
					else
						hi = mid - 1;
				}
			} else {
				lo = hi;
			}
			r = lo;
			e = pqw_colbuf_row_entry(cb, l, r);
			v = e;
		} else {
			uint64_t bytes = 0;
			size_t w = plain_width(l);
			const uint64_t *o = (const uint64_t *)(const void *)cb->offs.data;
			/* flat fixed-width leaf (a row is an entry): whole blocks of entries that fit
			 * are taken at once with a vectorizable count; the loop below finishes the page */
			while (w && l->max_rep == 0 && r + 256 <= rmax) {
				int64_t cnt = 0;
				for (int k = 0; k < 256; k++)
					cnt += def[r + k] == l->max_def;
				if ((uint64_t)(v + cnt - v0) * w > ps)
					break;
				v += cnt;
				r += 256;
				e = r;
			}
			bytes = (uint64_t)(v - v0) * w;
			while (r < rmax) {
				int64_t re = pqw_colbuf_row_entry(cb, l, r + 1), vv = v;
				for (int64_t i = e; i < re; i++)
					vv += def[i] == l->max_def;
				uint64_t add = w ? (uint64_t)(vv - v) * w : (vv > v ? o[vv] - o[v] + 4u * (uint64_t)(vv - v) : 0);
				if (r > r0 && bytes + add > ps)
					break;
				bytes += add;
				v = vv;
				e = re;
				r++;
			}
		}
		HFDS_TRY(add_page(c, e0, e, v0, v, r0, r, err));
	}
done:
	return rc;
}

static pq_values dense_values(const pqw_chunk *c, int64_t v0, int64_t v1)
{
	pq_values pv;
	memset(&pv, 0, sizeof(pv));
	const pqw_leaf *l = c->leaf;
	pv.src = l->src;
	pv.width = l->value_width;
	pv.n = (size_t)(v1 - v0);
	if (l->src == PQ_SRC_BOOL) {
		pv.data = pqw_colbuf_vals(c->cb);
		pv.data_bit_offset = v0;
	} else if (l->src == PQ_SRC_BIN64) {
		pv.data = pqw_colbuf_vals(c->cb);
		pv.offsets = (const int64_t *)(const void *)c->cb->offs.data + v0;
	} else {
		pv.data = pqw_colbuf_vals(c->cb) + (size_t)v0 * (size_t)l->value_width;
	}
	return pv;
}

static int small_bias(const pqw_leaf *l)
{
	return l->src == PQ_SRC_I8 ? 128 : l->src == PQ_SRC_I16 ? 32768 : 0;
}

/* Indices of a page's values through the direct map (read-only, so pages run in parallel). */
#define SMALL_IDX(T) do { \
	const T *v = (const T *)(const void *)pqw_colbuf_vals(c->cb); \
	for (int64_t i = pg->v0; i < pg->v1; i++) \
		idx[i - pg->v0] = map[(uint32_t)((int32_t)v[i] + bias)]; \
} while (0)

/* 16-bit domains: the index of a value is the number of present values below it (the
 * dictionary is sorted), from the word ranks and the bits below it in its word. */
#define RANK_IDX(T) do { \
	const T *v = (const T *)(const void *)pqw_colbuf_vals(c->cb); \
	for (int64_t i = pg->v0; i < pg->v1; i++) { \
		uint32_t s = (uint32_t)((int32_t)v[i] + bias); \
		idx[i - pg->v0] = rank[s >> 6] + (uint32_t)__builtin_popcountll(all[s >> 6] & ((1ull << (s & 63)) - 1)); \
	} \
} while (0)

static int small_indices(const pqw_chunk *c, const pqw_page *pg, pqw_kit *k, const uint32_t **out,
	hfds_error *err)
{
	int rc = 0;
	hfds_buf_clear(&k->idx);
	HFDS_TRY(hfds_buf_reserve(&k->idx, (size_t)(pg->v1 - pg->v0) * 4 + 4, err));
	uint32_t *idx = (uint32_t *)(void *)k->idx.data;
	const uint32_t *map = c->smap;
	const uint64_t *all = c->pres + c->npages * c->pres_words;
	const uint32_t *rank = (const uint32_t *)(const void *)(all + c->pres_words);
	int bias = small_bias(c->leaf);
	switch (c->leaf->src) {
	case PQ_SRC_I8: SMALL_IDX(int8_t); break;
	case PQ_SRC_U8: SMALL_IDX(uint8_t); break;
	case PQ_SRC_I16: RANK_IDX(int16_t); break;
	default: RANK_IDX(uint16_t); break;
	}
	*out = idx;
done:
	return rc;
}

static size_t dict_count(const pqw_chunk *c)
{
	return c->small ? c->scount : pq_dict_count(c->dict);
}

#define DICT_PROBE 4096

/* Dictionary over the pages in order until the dictionary page passes its limit. */
static int build_dict(pqw_chunk *c, hfds_error *err)
{
	int rc = 0;
	const pqw_colbuf *cb = c->cb;
	size_t limit = c->wo->dictionary_page_limit;
	if ((!c->dict && !c->small) || cb->nvalues == 0)
		return 0;
	HFDS_TRY(hfds_buf_reserve(&c->idx, (size_t)cb->nvalues * 4, err));
	uint32_t *idx = (uint32_t *)(void *)c->idx.data;
	pq_dict_reset(c->dict);
	for (size_t p = 0; p < c->npages; p++) {
		pqw_page *pg = &c->pages[p];
		int64_t v0 = pg->v0;
		size_t n;
		/* A prefix of the first page decides early when values are mostly distinct, so a
		 * column that will not use the dictionary is not hashed a page long. */
		if (p == 0 && pg->v1 - v0 >= 2 * DICT_PROBE) {
			pq_values probe = dense_values(c, v0, v0 + DICT_PROBE);
			HFDS_TRY(pq_dict_put(c->dict, &probe, idx + v0, &n, err));
			if (pq_dict_count(c->dict) * 4 > DICT_PROBE * 3)
				break;
			v0 += DICT_PROBE;
		}
		pq_values pv = dense_values(c, v0, pg->v1);
		HFDS_TRY(pq_dict_put(c->dict, &pv, idx + v0, &n, err));
		if (pq_dict_plain_size(c->dict) > limit)
			break;
		/* Mostly distinct values after the first page: a dictionary would not pay off. */
		if (p == 0 && pg->v1 - pg->v0 >= 1024 && pq_dict_count(c->dict) * 4 > (size_t)(pg->v1 - pg->v0) * 3)
			break;
		c->dict_pages = p + 1;
	}
done:
	return rc;
}

/* Words of presence bitmap per page: 256 or 65536 possible values. */
static size_t pres_words(const pqw_leaf *l)
{
	return (l->src == PQ_SRC_I8 || l->src == PQ_SRC_U8) ? 4 : 1024;
}

int pqw_chunk_plan_small(pqw_chunk *c, hfds_error *err)
{
	int rc = 0;
	HFDS_TRY(plan_pages(c, err));
	size_t w = pres_words(c->leaf), total;
	/* the pages' bitmaps, their union, and the union's word ranks (w / 2 words) */
	HFDS_FAIL_IF(hfds_mul_overflow(w, c->npages + 2, &total), HFDS_ENOMEM, err, "out of memory");
	if (total > c->pres_cap) {
		uint64_t *p = hfds_reallocarray(c->pres, total, sizeof(uint64_t));
		HFDS_FAIL_IF(!p, HFDS_ENOMEM, err, "out of memory");
		c->pres = p;
		c->pres_cap = total;
	}
	c->pres_words = w;
done:
	if (rc < 0 && !c->rc) {
		c->rc = rc;
		if (err)
			c->err = *err;
	}
	return rc;
}

/* Plain byte stores (no read-modify-write chain on a few bitmap words), packed afterwards. */
#define PRESENCE(T) do { \
	const T *v = (const T *)(const void *)pqw_colbuf_vals(c->cb); \
	for (int64_t i = pg->v0; i < pg->v1; i++) \
		seen[(uint32_t)((int32_t)v[i] + bias)] = 1; \
} while (0)

void pqw_chunk_presence(pqw_chunk *c, size_t p)
{
	const pqw_page *pg = &c->pages[p];
	uint64_t *bits = c->pres + p * c->pres_words;
	int bias = small_bias(c->leaf);
	uint8_t seen[65536];
	size_t domain = c->pres_words * 64;
	memset(seen, 0, domain);
	switch (c->leaf->src) {
	case PQ_SRC_I8: PRESENCE(int8_t); break;
	case PQ_SRC_U8: PRESENCE(uint8_t); break;
	case PQ_SRC_I16: PRESENCE(int16_t); break;
	default: PRESENCE(uint16_t); break;
	}
	for (size_t k = 0; k < c->pres_words; k++) {
		uint64_t w = 0;
		for (int b = 0; b < 64; b++)
			w |= (uint64_t)seen[k * 64 + (size_t)b] << b;
		bits[k] = w;
	}
}

void pqw_chunk_small_dict(pqw_chunk *c)
{
	size_t w = c->pres_words;
	uint64_t *all = c->pres + c->npages * w;
	int bias = small_bias(c->leaf);
	c->scount = 0;
	c->dict_pages = 0;
	if (c->npages > 0 && c->cb->nvalues > 0) {
		/* mostly distinct values in the first page: no dictionary (as for hashed ones) */
		size_t n0 = 0;
		int64_t v0 = c->pages[0].v1 - c->pages[0].v0;
		for (size_t k = 0; k < w; k++)
			n0 += (size_t)__builtin_popcountll(c->pres[k]);
		if (!(v0 >= 1024 && (int64_t)n0 * 4 > v0 * 3)) {
			memset(all, 0, w * sizeof(uint64_t));
			for (size_t p = 0; p < c->npages; p++)
				for (size_t k = 0; k < w; k++)
					all[k] |= c->pres[p * w + k];
			uint32_t *rank = (uint32_t *)(void *)(all + w);
			for (size_t k = 0; k < w; k++) {
				if (!c->smap)
					rank[k] = (uint32_t)c->scount;
				for (uint64_t b = all[k]; b; b &= b - 1) {
					uint32_t slot = (uint32_t)(k * 64 + (size_t)__builtin_ctzll(b));
					if (c->smap)
						c->smap[slot] = (uint32_t)c->scount;
					c->sent[c->scount++] = (int32_t)slot - bias;
				}
			}
			c->dict_pages = c->npages;
		}
	}
	for (size_t p = 0; p < c->npages; p++)
		c->pages[p].encoding = p < c->dict_pages ? PQ_ENC_RLE_DICTIONARY : c->o.data_encoding;
}

/* Binary values keep the file's codec only if it shrinks the first page's bytes (compress.h). */
static int probe_codec(pqw_chunk *c, hfds_error *err)
{
	int pays = 1, rc = 0;
	const uint8_t *v = pqw_colbuf_vals(c->cb);
	size_t a = 0, b = 0;
	if (c->npages == 0 || c->pages[0].v1 == c->pages[0].v0)
		return 0; /* no values: nothing to decide on, nothing to compress */
	if (c->leaf->src == PQ_SRC_BIN64) {
		const uint64_t *offs = (const uint64_t *)(const void *)c->cb->offs.data;
		a = (size_t)offs[c->pages[0].v0];
		b = (size_t)offs[c->pages[0].v1];
	} else {
		a = (size_t)c->pages[0].v0 * (size_t)c->leaf->value_width;
		b = (size_t)c->pages[0].v1 * (size_t)c->leaf->value_width;
	}
	if (b > a)
		HFDS_TRY(pq_codec_pays(c->o.codec, c->o.level, v + a, b - a, &pays, err));
	if (!pays)
		c->o.codec = PQ_CODEC_UNCOMPRESSED;
done:
	return rc;
}

int pqw_chunk_plan(pqw_chunk *c, hfds_error *err)
{
	int rc = 0;
	if (c->small) {
		HFDS_TRY(pqw_chunk_plan_small(c, err));
		for (size_t p = 0; p < c->npages; p++)
			pqw_chunk_presence(c, p);
		pqw_chunk_small_dict(c);
		return 0;
	}
	HFDS_TRY(plan_pages(c, err));
	if (c->o.probe)
		HFDS_TRY(probe_codec(c, err));
	HFDS_TRY(build_dict(c, err));
	for (size_t p = 0; p < c->npages; p++)
		c->pages[p].encoding = p < c->dict_pages ? PQ_ENC_RLE_DICTIONARY : c->o.data_encoding;
done:
	if (rc < 0 && !c->rc) {
		c->rc = rc;
		if (err)
			c->err = *err;
	}
	return rc;
}

static int uniform(const uint8_t *p, size_t n)
{
	uint64_t pat = p[0] * 0x0101010101010101ull, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		if (w != pat)
			return 0;
	}
	for (; i < n; i++)
		if (p[i] != p[0])
			return 0;
	return 1;
}

/* uint8 -> uint16, 16 at a time so the compiler's straight-line (SLP) vectorizer widens them. */
static void widen_levels(uint16_t *restrict w, const uint8_t *restrict lv, size_t n)
{
	size_t i = 0;
	for (; i + 16 <= n; i += 16)
		for (size_t j = 0; j < 16; j++)
			w[i + j] = lv[i + j];
	for (; i < n; i++)
		w[i] = lv[i];
}

/* RLE-encodes uint8 levels [e0, e1) through a uint16 scratch copy. */
static int encode_levels(pqw_kit *k, const uint8_t *lv, int64_t e0, int64_t e1, int max, hfds_buf *out,
	hfds_error *err)
{
	int rc = 0;
	size_t n = (size_t)(e1 - e0);
	if (n == 0)
		return 0;
	if (!lv || uniform(lv + e0, n)) {
		/* one RLE run: ULEB128(n << 1), then the value in ceil(width / 8) bytes */
		uint8_t run[16];
		size_t len = 0;
		uint64_t h = (uint64_t)n << 1;
		do {
			run[len++] = (uint8_t)((h & 0x7f) | (h > 0x7f ? 0x80 : 0));
			h >>= 7;
		} while (h);
		if (pq_bit_width((uint64_t)max) > 0)
			run[len++] = lv ? lv[e0] : (uint8_t)max;
		return hfds_buf_append(out, run, len, err);
	}
	hfds_buf_clear(&k->levels16);
	HFDS_TRY(hfds_buf_reserve(&k->levels16, n * 2 + 2, err));
	uint16_t *w = (uint16_t *)(void *)k->levels16.data;
	widen_levels(w, lv + e0, n);
	HFDS_TRY(pq_rle_encode_u16(w, n, pq_bit_width((uint64_t)max), out, err));
done:
	return rc;
}

/* v1 level section: u32 LE length + runs. */
static int encode_levels_v1(pqw_kit *k, const uint8_t *lv, int64_t e0, int64_t e1, int max, hfds_buf *out,
	hfds_error *err)
{
	int rc = 0;
	uint8_t zero[4] = { 0 };
	size_t at = out->len;
	HFDS_TRY(hfds_buf_append(out, zero, 4, err));
	HFDS_TRY(encode_levels(k, lv, e0, e1, max, out, err));
	uint32_t len = (uint32_t)(out->len - at - 4);
	for (int i = 0; i < 4; i++)
		out->data[at + (size_t)i] = (uint8_t)(len >> (8 * i));
done:
	return rc;
}

/*
 * Dictionary indices of a compressed page may be stored at bit width 8 or 16 with the whole
 * page as ONE bit-packed run (a ULEB128 header, then the indices as bytes or u16 LE,
 * zero-padded to a multiple of 8 values). That keeps the byte stream periodic where the
 * values are: a row's tokens repeated several times (chesspos `window`) stay byte-identical
 * copies, so the codec's match finder takes each copy as one match, while tight packing
 * shifts every copy to another bit phase and the hybrid runs' headers (RLE runs, literal runs
 * of at most 64 groups) fall at positions that move from copy to copy. Readers take any width >= the needed one and any literal run length (a varint).
 * Measured on 1 MiB of indices (bench/writer/bench_dictwidth.c, README.md there): repeated
 * rows get 1.6-2.1x smaller at 8 bits under zstd/gzip/brotli and 3.5-6.7x at 16 bits under
 * every codec; random indices stay equal at 8 bits under zstd and brotli but grow 11 % under
 * gzip (deflate's whole-bit code lengths), 11-20 % at 16 bits, and 1.3-2x under snappy and
 * lz4_raw (no entropy stage). Hence: zstd/brotli up to 8 bits always align; snappy/lz4_raw up
 * to 8 bits never do (repeated rows gain at most 11 % there); gzip, and 9..16 bits under every
 * codec, compress both encodings of the page's indices and keep the smaller (ties: tight).
 * UNCOMPRESSED stays tight. Every choice depends only on the page's own bytes, never on
 * scheduling.
 */
enum { ALIGN_NEVER, ALIGN_ALWAYS, ALIGN_MEASURE };

static int align_rule(int codec, int bw)
{
	if (codec == PQ_CODEC_UNCOMPRESSED || bw > 16)
		return ALIGN_NEVER;
	if (bw > 8 || codec == PQ_CODEC_GZIP)
		return ALIGN_MEASURE;
	return codec == PQ_CODEC_ZSTD || codec == PQ_CODEC_BROTLI ? ALIGN_ALWAYS : ALIGN_NEVER;
}

static int byte_aligned_indices(const uint32_t *idx, size_t n, int bytes, hfds_buf *out, hfds_error *err)
{
	int rc = 0;
	size_t groups = (n + 7) / 8, body = groups * 8 * (size_t)bytes;
	uint8_t head[12];
	size_t hl = 0;
	head[hl++] = (uint8_t)(bytes * 8);
	if (n == 0) /* all-null page: the width byte alone, as the hybrid encoder writes it */
		return hfds_buf_append(out, head, hl, err);
	uint64_t h = (uint64_t)groups << 1 | 1;
	do {
		head[hl++] = (uint8_t)((h & 0x7f) | (h > 0x7f ? 0x80 : 0));
		h >>= 7;
	} while (h);
	HFDS_TRY(hfds_buf_append(out, head, hl, err));
	HFDS_TRY(hfds_buf_reserve(out, body, err));
	uint8_t *p = out->data + out->len;
	if (bytes == 1) {
		for (size_t i = 0; i < n; i++)
			p[i] = (uint8_t)idx[i];
	} else {
		for (size_t i = 0; i < n; i++) {
			p[2 * i] = (uint8_t)idx[i];
			p[2 * i + 1] = (uint8_t)(idx[i] >> 8);
		}
	}
	memset(p + n * (size_t)bytes, 0, body - n * (size_t)bytes);
	out->len += body;
done:
	return rc;
}

/* byte_aligned_indices(small_indices(...), 1) in one pass for 8-bit sources: each value
 * maps straight to its index byte through a 256-entry table (same bytes, no uint32 index
 * array); a contiguous value set is a byte-wise subtraction, 8 values at a time. */
static int small_aligned_indices(const pqw_chunk *c, const pqw_page *pg, hfds_buf *out, hfds_error *err)
{
	int rc = 0;
	size_t n = (size_t)(pg->v1 - pg->v0), body = (n + 7) / 8 * 8, i = 0;
	uint8_t head[12], lut[256];
	size_t hl = 0;
	int bias = small_bias(c->leaf);
	head[hl++] = 8;
	if (n == 0)
		return hfds_buf_append(out, head, hl, err);
	uint64_t h = (uint64_t)(body / 8) << 1 | 1;
	do {
		head[hl++] = (uint8_t)((h & 0x7f) | (h > 0x7f ? 0x80 : 0));
		h >>= 7;
	} while (h);
	HFDS_TRY(hfds_buf_append(out, head, hl, err));
	HFDS_TRY(hfds_buf_reserve(out, body, err));
	uint8_t *restrict p = out->data + out->len;
	const uint8_t *restrict v = pqw_colbuf_vals(c->cb) + pg->v0;
	if (c->scount > 0 && c->sent[c->scount - 1] - c->sent[0] + 1 == (int32_t)c->scount) {
		const uint64_t hi = 0x8080808080808080ull, k = 0x0101010101010101ull * (uint8_t)c->sent[0];
		for (; i + 8 <= n; i += 8) {
			uint64_t x, d;
			memcpy(&x, v + i, 8);
			d = ((x | hi) - (k & ~hi)) ^ ((x ^ ~k) & hi);
			memcpy(p + i, &d, 8);
		}
	}
	/* the raw byte b is the value (uint8) or its two's complement (int8) */
	for (int b = 0; b < 256; b++)
		lut[b] = (uint8_t)c->smap[(uint32_t)((c->leaf->src == PQ_SRC_I8 ? (int32_t)(int8_t)b : b) + bias)];
	for (; i < n; i++)
		p[i] = lut[v[i]];
	memset(p + n, 0, body - n);
	out->len += body;
done:
	return rc;
}

/* Appends the RLE_DICTIONARY values of a page (see above for the width). */
static int dict_indices(pqw_chunk *c, pqw_kit *k, const uint32_t *idx, size_t n, hfds_buf *out, hfds_error *err)
{
	int rc = 0;
	size_t count = dict_count(c), at = out->len, tight;
	int bw = pq_dict_index_bit_width(count), rule = align_rule(c->o.codec, bw);
	if (rule == ALIGN_NEVER)
		return pq_dict_indices_encode(idx, n, count, out, err);
	if (rule == ALIGN_ALWAYS)
		return byte_aligned_indices(idx, n, bw <= 8 ? 1 : 2, out, err);
	HFDS_TRY(pq_dict_indices_encode(idx, n, count, out, err));
	hfds_buf_clear(&k->stored);
	HFDS_TRY(pq_compress(k->comp, c->o.codec, c->o.level, out->data + at, out->len - at, &k->stored, err));
	tight = k->stored.len;
	hfds_buf_clear(&k->alt);
	HFDS_TRY(byte_aligned_indices(idx, n, bw <= 8 ? 1 : 2, &k->alt, err));
	hfds_buf_clear(&k->stored);
	HFDS_TRY(pq_compress(k->comp, c->o.codec, c->o.level, k->alt.data, k->alt.len, &k->stored, err));
	if (k->stored.len < tight) {
		out->len = at;
		HFDS_TRY(hfds_buf_append(out, k->alt.data, k->alt.len, err));
	}
done:
	return rc;
}

static int encode_values(pqw_chunk *c, pqw_page *pg, pqw_kit *k, hfds_buf *out, hfds_error *err)
{
	pq_values pv = dense_values(c, pg->v0, pg->v1);
	switch (pg->encoding) {
	case PQ_ENC_RLE_DICTIONARY: {
		const uint32_t *idx = (const uint32_t *)(const void *)c->idx.data + pg->v0;
		if (c->small && (c->leaf->src == PQ_SRC_I8 || c->leaf->src == PQ_SRC_U8) &&
		    align_rule(c->o.codec, pq_dict_index_bit_width(dict_count(c))) == ALIGN_ALWAYS)
			return small_aligned_indices(c, pg, out, err);
		if (c->small) {
			int rc = small_indices(c, pg, k, &idx, err);
			if (rc < 0)
				return rc;
		}
		return dict_indices(c, k, idx, pv.n, out, err);
	}
	case PQ_ENC_DELTA_BINARY_PACKED:
		return pq_dbp_encode(&pv, out, err);
	case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
		return pq_dlba_encode(&pv, out, err);
	case PQ_ENC_BYTE_STREAM_SPLIT:
		return pq_bss_encode(&pv, out, err);
	case PQ_ENC_RLE:
		return pq_rle_bool_encode(&pv, out, err);
	default:
		return pq_plain_encode(&pv, out, err);
	}
}

static int compress_into(pqw_chunk *c, pqw_kit *k, const hfds_buf *src, const uint8_t **stored, size_t *n,
	hfds_error *err)
{
	int rc = 0;
	if (c->o.codec == PQ_CODEC_UNCOMPRESSED) {
		*stored = src->data;
		*n = src->len;
		return 0;
	}
	hfds_buf_clear(&k->stored);
	HFDS_TRY(pq_compress(k->comp, c->o.codec, c->o.level, src->data, src->len, &k->stored, err));
	*stored = k->stored.data;
	*n = k->stored.len;
done:
	return rc;
}

/* Byte-array page statistics over the distinct dictionary entries the page uses: one
 * byte store per value instead of two memcmp. */
static int dict_stats(pqw_chunk *c, pqw_page *pg, pqw_kit *k, int64_t nulls, hfds_error *err)
{
	int rc = 0;
	size_t nd = pq_dict_count(c->dict);
	pqw_stats *s = &pg->stats;
	pqw_stats_init(s);
	s->null_count = nulls;
	hfds_buf_clear(&k->used);
	HFDS_TRY(hfds_buf_reserve(&k->used, nd + 1, err));
	uint8_t *used = k->used.data;
	memset(used, 0, nd);
	const uint32_t *idx = (const uint32_t *)(const void *)c->idx.data;
	for (int64_t i = pg->v0; i < pg->v1; i++)
		used[idx[i]] = 1;
	for (size_t e = 0; e < nd; e++) {
		if (!used[e])
			continue;
		size_t len;
		const uint8_t *p = pq_dict_entry(c->dict, e, &len);
		if (!s->has_minmax) {
			s->bmin = s->bmax = p;
			s->bmin_len = s->bmax_len = len;
			s->has_minmax = 1;
			continue;
		}
		size_t m = len < s->bmin_len ? len : s->bmin_len;
		int cmp = m ? memcmp(p, s->bmin, m) : 0;
		if (cmp < 0 || (cmp == 0 && len < s->bmin_len))
			s->bmin = p, s->bmin_len = len;
		m = len < s->bmax_len ? len : s->bmax_len;
		cmp = m ? memcmp(p, s->bmax, m) : 0;
		if (cmp > 0 || (cmp == 0 && len > s->bmax_len))
			s->bmax = p, s->bmax_len = len;
	}
done:
	return rc;
}

/* PLAIN pages of types whose dense layout is already the PLAIN layout. */
static int direct_plain(const pqw_chunk *c, const pqw_page *pg)
{
	if (pg->encoding != PQ_ENC_PLAIN)
		return 0;
	switch (c->leaf->src) {
	case PQ_SRC_I32: case PQ_SRC_I64: case PQ_SRC_U32: case PQ_SRC_U64: case PQ_SRC_F32: case PQ_SRC_F64:
	case PQ_SRC_F16: case PQ_SRC_FLBA:
		return 1;
	default:
		return 0;
	}
}

static int page_stats_in_header(const pqw_chunk *c)
{
	return c->o.statistics && !c->wo->page_index;
}

/* Room for the page header in front of the page body, so the body is compressed straight
 * into the page's buffer; a longer header (statistics in it) moves the body once. */
#define HEADER_ROOM 64

/* Puts the serialized header (k->header) in front of the body at pg->out[HEADER_ROOM..]. */
static int place_header(pqw_page *pg, pqw_kit *k, hfds_error *err)
{
	int rc = 0;
	size_t hlen = k->header.len, body = pg->out.len - HEADER_ROOM;
	if (hlen <= HEADER_ROOM) {
		pg->skip = HEADER_ROOM - hlen;
	} else {
		HFDS_TRY(hfds_buf_reserve(&pg->out, hlen - HEADER_ROOM, err));
		memmove(pg->out.data + hlen, pg->out.data + HEADER_ROOM, body);
		pg->out.len = hlen + body;
		pg->skip = 0;
	}
	memcpy(pg->out.data + pg->skip, k->header.data, hlen);
done:
	return rc;
}

void pqw_chunk_encode_page(pqw_chunk *c, size_t p, pqw_kit *k)
{
	int rc = 0;
	pqw_page *pg = &c->pages[p];
	const pqw_leaf *l = c->leaf;
	const pqw_colbuf *cb = c->cb;
	hfds_error *err = &pg->err;
	int v2 = c->wo->page_version == 2;
	int codec = c->o.codec;
	int64_t nulls = (pg->e1 - pg->e0) - (pg->v1 - pg->v0);
	size_t lv_len = 0, rep_len = 0, def_len = 0, unc_len, total_stored;
	int is_compressed = 1;

	if (c->o.statistics && pg->encoding == PQ_ENC_RLE_DICTIONARY && c->dict && l->src == PQ_SRC_BIN64)
		HFDS_TRY(dict_stats(c, pg, k, nulls, err));
	else if (c->o.statistics)
		pqw_stats_compute(&pg->stats, l, cb, pg->v0, pg->v1, nulls);
	else
		pqw_stats_init(&pg->stats);
	pg->stats.null_count = nulls;

	hfds_buf_clear(&k->body);
	if (l->max_rep > 0) {
		size_t at = k->body.len;
		HFDS_TRY(v2 ? encode_levels(k, cb->rep.data, pg->e0, pg->e1, l->max_rep, &k->body, err)
			: encode_levels_v1(k, cb->rep.data, pg->e0, pg->e1, l->max_rep, &k->body, err));
		rep_len = k->body.len - at;
	}
	if (l->max_def > 0) {
		size_t at = k->body.len;
		/* NULL levels = not materialized, all max_def: a single run */
		const uint8_t *dl = cb->def_all_max ? NULL : cb->def.data;
		HFDS_TRY(v2 ? encode_levels(k, dl, pg->e0, pg->e1, l->max_def, &k->body, err)
			: encode_levels_v1(k, dl, pg->e0, pg->e1, l->max_def, &k->body, err));
		def_len = k->body.len - at;
	}
	lv_len = k->body.len;
	hfds_buf_clear(&pg->out);
	HFDS_TRY(hfds_buf_reserve(&pg->out, HEADER_ROOM, err));
	pg->out.len = HEADER_ROOM;
	if (!v2 && direct_plain(c, pg)) {
		/* the dense values already are the PLAIN values: compressed from where they are */
		size_t n = (size_t)(pg->v1 - pg->v0) * (size_t)l->value_width;
		unc_len = lv_len + n;
		HFDS_TRY(pq_compress_after(k->comp, codec, c->o.level, &k->body,
			pqw_colbuf_vals(cb) + (size_t)pg->v0 * (size_t)l->value_width, n, &pg->out, err));
	} else if (codec == PQ_CODEC_UNCOMPRESSED) {
		/* stored as encoded: the values go straight behind the levels in the page's own
		 * buffer (one copy of a media column's bytes fewer than staging them in k->body) */
		HFDS_TRY(hfds_buf_append(&pg->out, k->body.data, lv_len, err));
		HFDS_TRY(encode_values(c, pg, k, &pg->out, err));
		unc_len = pg->out.len - HEADER_ROOM;
		is_compressed = 0;
	} else if (!v2) {
		HFDS_TRY(encode_values(c, pg, k, &k->body, err));
		unc_len = k->body.len;
		HFDS_TRY(pq_compress(k->comp, codec, c->o.level, k->body.data, k->body.len, &pg->out, err));
	} else {
		HFDS_TRY(hfds_buf_append(&pg->out, k->body.data, lv_len, err));
		hfds_buf_clear(&k->vals);
		HFDS_TRY(encode_values(c, pg, k, &k->vals, err));
		unc_len = lv_len + k->vals.len;
		size_t at = pg->out.len;
		if (k->vals.len > 0)
			HFDS_TRY(pq_compress(k->comp, codec, c->o.level, k->vals.data, k->vals.len, &pg->out, err));
		if (k->vals.len == 0 || pg->out.len - at >= k->vals.len) {
			/* did not shrink: stored raw, as Arrow does */
			is_compressed = 0;
			pg->out.len = at;
			HFDS_TRY(hfds_buf_append(&pg->out, k->vals.data, k->vals.len, err));
		}
	}
	total_stored = pg->out.len - HEADER_ROOM;
	HFDS_FAIL_IF(unc_len > INT32_MAX || total_stored > INT32_MAX, HFDS_ELIMIT, err,
		"column '%s': page of %zu bytes exceeds 2 GiB", l->path, unc_len);

	hfds_buf_clear(&k->header);
	pq_tw tw;
	pq_tw_init(&tw, &k->header);
	pq_tw_struct_begin(&tw);
	pq_tw_field_i32(&tw, 1, v2 ? PQ_PAGE_DATA_V2 : PQ_PAGE_DATA);
	pq_tw_field_i32(&tw, 2, (int32_t)unc_len);
	pq_tw_field_i32(&tw, 3, (int32_t)total_stored);
	if (c->wo->page_checksum) /* v2: levels and values, as they follow the header */
		pq_tw_field_i32(&tw, 4, (int32_t)pq_crc32(0, pg->out.data + HEADER_ROOM, total_stored));
	if (!v2) {
		pq_tw_field_struct_begin(&tw, 5);
		pq_tw_field_i32(&tw, 1, (int32_t)(pg->e1 - pg->e0));
		pq_tw_field_i32(&tw, 2, pg->encoding);
		pq_tw_field_i32(&tw, 3, PQ_ENC_RLE);
		pq_tw_field_i32(&tw, 4, PQ_ENC_RLE);
		if (page_stats_in_header(c))
			pqw_stats_write(&tw, 5, &pg->stats, l, c->wo->max_statistics_size);
		pq_tw_struct_end(&tw);
	} else {
		pq_tw_field_struct_begin(&tw, 8);
		pq_tw_field_i32(&tw, 1, (int32_t)(pg->e1 - pg->e0));
		pq_tw_field_i32(&tw, 2, (int32_t)nulls);
		pq_tw_field_i32(&tw, 3, (int32_t)(pg->r1 - pg->r0));
		pq_tw_field_i32(&tw, 4, pg->encoding);
		pq_tw_field_i32(&tw, 5, (int32_t)def_len);
		pq_tw_field_i32(&tw, 6, (int32_t)rep_len);
		pq_tw_field_bool(&tw, 7, is_compressed);
		if (page_stats_in_header(c))
			pqw_stats_write(&tw, 8, &pg->stats, l, c->wo->max_statistics_size);
		pq_tw_struct_end(&tw);
	}
	pq_tw_struct_end(&tw);
	HFDS_TRY(pq_tw_finish(&tw, err));
	pg->uncompressed = (int64_t)(k->header.len + unc_len);
	HFDS_TRY(place_header(pg, k, err));
done:
	pg->rc = rc;
}

void pqw_chunk_encode_dict(pqw_chunk *c, pqw_kit *k)
{
	int rc = 0;
	hfds_error *err = &c->err;
	const uint8_t *stored;
	size_t nstored;
	if (!c->dict_pages)
		return;
	hfds_buf_clear(&k->body);
	if (c->small)
		HFDS_TRY(hfds_buf_append(&k->body, c->sent, c->scount * 4, err)); /* PLAIN int32 LE */
	else
		HFDS_TRY(pq_dict_write_plain(c->dict, &k->body, err));
	HFDS_TRY(compress_into(c, k, &k->body, &stored, &nstored, err));
	HFDS_FAIL_IF(k->body.len > INT32_MAX || nstored > INT32_MAX, HFDS_ELIMIT, err,
		"column '%s': dictionary page exceeds 2 GiB", c->leaf->path);
	hfds_buf_clear(&c->dict_out);
	pq_tw tw;
	pq_tw_init(&tw, &c->dict_out);
	pq_tw_struct_begin(&tw);
	pq_tw_field_i32(&tw, 1, PQ_PAGE_DICTIONARY);
	pq_tw_field_i32(&tw, 2, (int32_t)k->body.len);
	pq_tw_field_i32(&tw, 3, (int32_t)nstored);
	if (c->wo->page_checksum)
		pq_tw_field_i32(&tw, 4, (int32_t)pq_crc32(0, stored, nstored));
	pq_tw_field_struct_begin(&tw, 7);
	pq_tw_field_i32(&tw, 1, (int32_t)dict_count(c));
	pq_tw_field_i32(&tw, 2, PQ_ENC_PLAIN);
	if (c->small)
		pq_tw_field_bool(&tw, 3, 1); /* sorted by value */
	pq_tw_struct_end(&tw);
	pq_tw_struct_end(&tw);
	HFDS_TRY(pq_tw_finish(&tw, err));
	c->dict_uncompressed = (int64_t)(c->dict_out.len + k->body.len);
	HFDS_TRY(hfds_buf_append(&c->dict_out, stored, nstored, err));
done:
	if (rc < 0 && !c->rc)
		c->rc = rc;
}

int pqw_chunk_finish(pqw_chunk *c, hfds_error *err)
{
	if (c->smap) { /* empty the direct map for the next chunk */
		int bias = small_bias(c->leaf);
		for (size_t i = 0; i < c->scount; i++)
			c->smap[(uint32_t)(c->sent[i] + bias)] = UINT32_MAX;
	}
	if (c->rc < 0)
		return hfds_error_set(err, c->rc, "%s", c->err.message);
	pqw_stats_init(&c->stats);
	for (size_t p = 0; p < c->npages; p++) {
		pqw_page *pg = &c->pages[p];
		if (pg->rc < 0)
			return hfds_error_set(err, pg->rc, "%s", pg->err.message);
		pqw_stats_merge(&c->stats, &pg->stats, c->leaf);
	}
	return 0;
}
