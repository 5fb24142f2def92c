/*
 * Dictionary builder. Small integer sources (int8/uint8, int16/uint16, float16) use a
 * direct-mapped table indexed by the raw value, which is one load per value. Wider keys
 * use open addressing with linear probing at load <= 1/2; slots carry the key (or a
 * 32-bit hash for byte strings) next to the index so a probe touches one cache line and
 * only a matching hash reads the stored entry. A one-entry cache of the last key skips
 * hashing inside runs of equal values, which are common in real columns.
 *
 * Entries are kept already PLAIN-encoded (fixed-width values densely, byte strings with
 * their u32 length prefix), so the dictionary page body is a single copy.
 */
#include "parquet/write/enc_impl.h"

#include "util/alloc.h"
#include "util/try.h"

enum kind { K_DIRECT8, K_DIRECT16, K_KEY32, K_KEY64, K_BYTES };

typedef struct slot32 { uint32_t key, idx1; } slot32;   /* idx1 = index + 1, 0 = empty */
typedef struct slot64 { uint64_t key; uint32_t idx1, len; } slot64; /* len: K_BYTES only */

struct pq_dict {
	int src;
	int kind;
	size_t pw;            /* physical width; 0 for BYTE_ARRAY */
	size_t count;
	hfds_buf vals;        /* entries, PLAIN-encoded */
	uint32_t *ent_off;    /* K_BYTES with BYTE_ARRAY: offset of entry i in vals */
	size_t ent_cap;
	int32_t *direct;      /* K_DIRECT*: raw value -> index, -1 = absent */
	void *slots;          /* slot32 (K_KEY32) or slot64 (K_KEY64, K_BYTES) */
	size_t cap;           /* slots, a power of two */
	int shift;            /* 64 - log2(cap) */
};

#define GOLD 0x9E3779B97F4A7C15ull
#define MAX_ENTRIES ((size_t)INT32_MAX)

static int table_alloc(pq_dict *d, size_t cap, hfds_error *err)
{
	size_t sz = d->kind == K_KEY32 ? sizeof(slot32) : sizeof(slot64);
	void *s = hfds_calloc(cap, sz);
	if (!s)
		return hfds_error_set(err, HFDS_ENOMEM, "dictionary: out of memory for %zu slots", cap);
	hfds_free(d->slots);
	d->slots = s;
	d->cap = cap;
	d->shift = 64 - __builtin_ctzll(cap);
	return 0;
}

int pq_dict_new(pq_dict **out, int src, int32_t width, hfds_error *err)
{
	int rc = 0;
	pq_dict *d = hfds_calloc(1, sizeof *d);
	pq_values probe = { .src = src, .width = width };
	*out = NULL;
	HFDS_FAIL_IF(!d, HFDS_ENOMEM, err, "dictionary: out of memory");
	hfds_buf_init(&d->vals, 0);
	d->src = src;
	d->pw = pq__phys_width(&probe);
	switch (src) {
	case PQ_SRC_I8: case PQ_SRC_U8: d->kind = K_DIRECT8; break;
	case PQ_SRC_I16: case PQ_SRC_U16: d->kind = K_DIRECT16; break;
	case PQ_SRC_F16: d->kind = K_KEY32; break;
	case PQ_SRC_I32: case PQ_SRC_U32: case PQ_SRC_F32: d->kind = K_KEY32; break;
	case PQ_SRC_I64: case PQ_SRC_U64: case PQ_SRC_F64: d->kind = K_KEY64; break;
	case PQ_SRC_BIN32: case PQ_SRC_BIN64: d->kind = K_BYTES; break;
	case PQ_SRC_FLBA:
		HFDS_FAIL_IF(width <= 0, HFDS_EINVAL, err, "dictionary: invalid fixed width %d", width);
		d->kind = K_BYTES;
		break;
	default:
		HFDS_FAIL(HFDS_EINVAL, err, "dictionary: unsupported value kind %d", src);
	}
	/* the direct table of 8/16-bit kinds comes with the first value (direct_alloc) */
	if (d->kind != K_DIRECT8 && d->kind != K_DIRECT16)
		HFDS_TRY(table_alloc(d, 1024, err));
	*out = d;
	d = NULL;
done:
	pq_dict_free(d);
	return rc;
}

void pq_dict_free(pq_dict *d)
{
	if (!d)
		return;
	hfds_buf_release(&d->vals);
	hfds_free(d->ent_off);
	hfds_free(d->direct);
	hfds_free(d->slots);
	hfds_free(d);
}

void pq_dict_reset(pq_dict *d)
{
	d->count = 0;
	d->vals.len = 0;
	if (d->direct)
		memset(d->direct, 0xff, (d->kind == K_DIRECT8 ? 256 : 65536) * sizeof *d->direct);
	if (d->slots)
		memset(d->slots, 0, d->cap * (d->kind == K_KEY32 ? sizeof(slot32) : sizeof(slot64)));
}

size_t pq_dict_count(const pq_dict *d)
{
	return d->count;
}

size_t pq_dict_plain_size(const pq_dict *d)
{
	return d->vals.len;
}

int pq_dict_write_plain(const pq_dict *d, hfds_buf *out, hfds_error *err)
{
	return hfds_buf_append(out, d->vals.data, d->vals.len, err);
}

const uint8_t *pq_dict_entry(const pq_dict *d, size_t i, size_t *len)
{
	if (d->pw) {
		*len = d->pw;
		return d->vals.data + i * d->pw;
	}
	uint32_t l;
	memcpy(&l, d->vals.data + d->ent_off[i], 4);
	*len = l;
	return d->vals.data + d->ent_off[i] + 4;
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t load32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* Short tails are read with overlapping fixed-size loads (never a variable-length copy,
 * which stalls store forwarding, and never past the end of the value). */
static inline uint64_t tail_word(const uint8_t *p, size_t n)
{
	if (n >= 8)
		return load64(p + n - 8);
	if (n >= 4)
		return load32(p) | load32(p + n - 4) << 32;
	if (n > 0)
		return (uint64_t)p[0] | (uint64_t)p[n / 2] << 8 | (uint64_t)p[n - 1] << 16;
	return 0;
}

static inline uint64_t hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t h = GOLD ^ n;
	size_t rest = n;
	while (rest > 8) {
		h = (h ^ load64(p)) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
		p += 8;
		rest -= 8;
	}
	h = (h ^ tail_word(p, rest)) * 0x94d049bb133111ebull;
	h ^= h >> 29;
	return h * GOLD;
}

static inline int bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	if (n > 16)
		return memcmp(a, b, n) == 0;
	if (n > 8)
		return load64(a) == load64(b) && load64(a + n - 8) == load64(b + n - 8);
	return tail_word(a, n) == tail_word(b, n);
}

/*
 * Byte-string slots. A value of at most 8 bytes is identified exactly by its length and
 * tail_word (the overlapping loads cover every byte), so its slot key is that word and a
 * match needs no access to the stored entry. Longer values use a 64-bit hash as key and
 * are confirmed against the entry bytes.
 */
#define SHORT_MAX 8

static inline uint64_t bytes_slot_hash(uint64_t key, uint32_t len)
{
	uint64_t h;
	if (len > SHORT_MAX)
		return key;
	h = (key ^ (uint64_t)len << 56) * 0xbf58476d1ce4e5b9ull;
	h ^= h >> 31;
	return h * GOLD;
}

/* Doubles the table when an insert would pass load 1/2, re-inserting every entry. */
static int maybe_grow(pq_dict *d, hfds_error *err)
{
	int rc = 0;
	void *old = d->slots;
	size_t oldcap = d->cap;
	if ((d->count + 1) * 2 <= d->cap)
		return 0;
	d->slots = NULL;
	if ((rc = table_alloc(d, oldcap * 2, err)) < 0) {
		d->slots = old;
		d->cap = oldcap;
		return rc;
	}
	size_t mask = d->cap - 1;
	if (d->kind != K_KEY32) {
		slot64 *o = old, *s = d->slots;
		for (size_t i = 0; i < oldcap; i++) {
			if (!o[i].idx1)
				continue;
			uint64_t k = d->kind == K_KEY64 ? o[i].key * GOLD : bytes_slot_hash(o[i].key, o[i].len);
			size_t h = (size_t)(k >> d->shift);
			while (s[h].idx1)
				h = (h + 1) & mask;
			s[h] = o[i];
		}
	} else {
		slot32 *o = old, *s = d->slots;
		for (size_t i = 0; i < oldcap; i++) {
			if (!o[i].idx1)
				continue;
			size_t h = (size_t)(((uint64_t)o[i].key * GOLD) >> d->shift);
			while (s[h].idx1)
				h = (h + 1) & mask;
			s[h] = o[i];
		}
	}
	hfds_free(old);
	return 0;
}

/* Appends a fixed-width entry. */
static int add_fixed(pq_dict *d, const void *val, hfds_error *err)
{
	if (d->count >= MAX_ENTRIES)
		return hfds_error_set(err, HFDS_ELIMIT, "dictionary: more than %zu entries", MAX_ENTRIES);
	return hfds_buf_append(&d->vals, val, d->pw, err);
}

/* A column with no values never pays for the table (256 KB for 16-bit kinds). */
static int direct_alloc(pq_dict *d, hfds_error *err)
{
	size_t m = d->kind == K_DIRECT8 ? 256 : 65536;
	if (d->direct)
		return 0;
	d->direct = hfds_malloc(m * sizeof *d->direct);
	if (!d->direct)
		return hfds_error_set(err, HFDS_ENOMEM, "dictionary: out of memory");
	memset(d->direct, 0xff, m * sizeof *d->direct);
	return 0;
}

#define DIRECT_PUT(name, S, T)                                                       \
	static int name(pq_dict *d, const S *s, size_t a, size_t b, uint32_t *idx,  \
		hfds_error *err)                                                     \
	{                                                                            \
		int rc;                                                              \
		if (a < b && (rc = direct_alloc(d, err)) < 0)                        \
			return rc;                                                   \
		for (size_t i = a; i < b; i++) {                                     \
			int32_t e = d->direct[(T)s[i]];                              \
			if (e < 0) {                                                 \
				int32_t phys = (int32_t)s[i];                        \
				if ((rc = add_fixed(d, d->pw == 2 ? (const void *)&s[i] : &phys, err)) < 0) \
					return rc;                                   \
				e = d->direct[(T)s[i]] = (int32_t)d->count++;        \
			}                                                            \
			*idx++ = (uint32_t)e;                                        \
		}                                                                    \
		return 0;                                                            \
	}
DIRECT_PUT(put_i8, int8_t, uint8_t)
DIRECT_PUT(put_u8, uint8_t, uint8_t)
DIRECT_PUT(put_i16, int16_t, uint16_t)
DIRECT_PUT(put_u16, uint16_t, uint16_t)

/* Hashed 32-bit keys; float16 goes here too (as uint16 keys), so it pays for a table of
 * its values rather than a 256 KB direct map of its domain. */
#define KEY32_PUT(name, T) \
static int name(pq_dict *d, const T *s, size_t a, size_t b, uint32_t *idx, \
	hfds_error *err) \
{ \
	int rc; \
	uint32_t last_key = 0, last_idx = UINT32_MAX; \
	for (size_t i = a; i < b; i++) { \
		uint32_t k = s[i]; \
		if (k == last_key && last_idx != UINT32_MAX) { \
			*idx++ = last_idx; \
			continue; \
		} \
		slot32 *sl = d->slots; \
		size_t mask = d->cap - 1, h = (size_t)(((uint64_t)k * GOLD) >> d->shift); \
		while (sl[h].idx1 && sl[h].key != k) \
			h = (h + 1) & mask; \
		if (!sl[h].idx1) { \
			if ((rc = add_fixed(d, &k, err)) < 0 || (rc = maybe_grow(d, err)) < 0) { \
				if (rc < 0 && d->vals.len > d->count * d->pw) \
					d->vals.len = d->count * d->pw; \
				return rc; \
			} \
			sl = d->slots; \
			mask = d->cap - 1; \
			h = (size_t)(((uint64_t)k * GOLD) >> d->shift); \
			while (sl[h].idx1) \
				h = (h + 1) & mask; \
			sl[h].key = k; \
			sl[h].idx1 = (uint32_t)++d->count; \
		} \
		last_key = k; \
		last_idx = sl[h].idx1 - 1; \
		*idx++ = last_idx; \
	} \
	return 0; \
}
KEY32_PUT(put_key32, uint32_t)
KEY32_PUT(put_key16, uint16_t)

static int put_key64(pq_dict *d, const uint64_t *s, size_t a, size_t b, uint32_t *idx,
	hfds_error *err)
{
	int rc;
	uint64_t last_key = 0;
	uint32_t last_idx = UINT32_MAX;
	for (size_t i = a; i < b; i++) {
		uint64_t k = s[i];
		if (k == last_key && last_idx != UINT32_MAX) {
			*idx++ = last_idx;
			continue;
		}
		slot64 *sl = d->slots;
		size_t mask = d->cap - 1, h = (size_t)((k * GOLD) >> d->shift);
		while (sl[h].idx1 && sl[h].key != k)
			h = (h + 1) & mask;
		if (!sl[h].idx1) {
			if ((rc = add_fixed(d, &k, err)) < 0 || (rc = maybe_grow(d, err)) < 0) {
				if (d->vals.len > d->count * 8)
					d->vals.len = d->count * 8;
				return rc;
			}
			sl = d->slots;
			mask = d->cap - 1;
			h = (size_t)((k * GOLD) >> d->shift);
			while (sl[h].idx1)
				h = (h + 1) & mask;
			sl[h].key = k;
			sl[h].idx1 = (uint32_t)++d->count;
		}
		last_key = k;
		last_idx = sl[h].idx1 - 1;
		*idx++ = last_idx;
	}
	return 0;
}

/* Byte strings (BYTE_ARRAY) and FIXED_LEN_BYTE_ARRAY values. */
static int put_bytes(pq_dict *d, const pq_values *v, size_t a, size_t b, uint32_t *idx,
	hfds_error *err)
{
	int rc = 0;
	size_t fixed = d->pw, mask;
	for (size_t i = a; i < b; i++) {
		const uint8_t *p;
		int64_t len;
		if (fixed) {
			p = (const uint8_t *)v->data + i * fixed;
			len = (int64_t)fixed;
		} else if ((len = pq__bin_len(v, i, &p)) < 0) {
			return pq__bin_error(len, i, err);
		}
		uint32_t ulen = (uint32_t)len;
		uint64_t key = ulen <= SHORT_MAX ? tail_word(p, ulen) : hash_bytes(p, ulen);
		uint64_t hv = bytes_slot_hash(key, ulen);
		slot64 *sl = d->slots;
		mask = d->cap - 1;
		size_t h = (size_t)(hv >> d->shift);
		for (;; h = (h + 1) & mask) {
			if (!sl[h].idx1)
				break;
			if (sl[h].key != key || sl[h].len != ulen)
				continue;
			if (ulen <= SHORT_MAX)
				break;
			const uint8_t *e = fixed ? d->vals.data + (size_t)(sl[h].idx1 - 1) * fixed
				: d->vals.data + d->ent_off[sl[h].idx1 - 1] + 4;
			if (bytes_eq(e, p, ulen))
				break;
		}
		if (!sl[h].idx1) {
			size_t at = d->vals.len;
			HFDS_FAIL_IF(d->count >= MAX_ENTRIES, HFDS_ELIMIT, err,
				"dictionary: more than %zu entries", MAX_ENTRIES);
			if (!fixed) {
				HFDS_FAIL_IF(at > UINT32_MAX - 4 - (size_t)len, HFDS_ELIMIT, err,
					"dictionary: entries exceed 4 GiB");
				if (d->count == d->ent_cap) {
					size_t nc = d->ent_cap ? d->ent_cap * 2 : 256;
					uint32_t *no = hfds_reallocarray(d->ent_off, nc, sizeof *no);
					HFDS_FAIL_IF(!no, HFDS_ENOMEM, err, "dictionary: out of memory");
					d->ent_off = no;
					d->ent_cap = nc;
				}
				HFDS_TRY(hfds_buf_reserve(&d->vals, 4 + (size_t)len, err));
				pq__put_u32le(d->vals.data + at, (uint32_t)len);
				memcpy(d->vals.data + at + 4, p, (size_t)len);
				d->vals.len += 4 + (size_t)len;
				d->ent_off[d->count] = (uint32_t)at;
			} else {
				HFDS_TRY(hfds_buf_append(&d->vals, p, fixed, err));
			}
			if ((rc = maybe_grow(d, err)) < 0) {
				d->vals.len = at;
				goto done;
			}
			sl = d->slots;
			mask = d->cap - 1;
			h = (size_t)(hv >> d->shift);
			while (sl[h].idx1)
				h = (h + 1) & mask;
			sl[h].key = key;
			sl[h].len = ulen;
			sl[h].idx1 = (uint32_t)++d->count;
		}
		*idx++ = sl[h].idx1 - 1;
	}
done:
	return rc;
}

int pq_dict_put(pq_dict *d, const pq_values *v, uint32_t *idx, size_t *n_idx, hfds_error *err)
{
	int rc = 0;
	size_t pos = 0, a, b, o = 0;
	*n_idx = 0;
	HFDS_FAIL_IF(v->src != d->src, HFDS_EINVAL, err, "dictionary: value kind %d, expected %d",
		v->src, d->src);
	HFDS_FAIL_IF(v->src == PQ_SRC_FLBA && (size_t)v->width != d->pw, HFDS_EINVAL, err,
		"dictionary: fixed width %d, expected %zu", v->width, d->pw);
	while (pq__next_run(v, pos, &a, &b)) {
		switch (v->src) {
		case PQ_SRC_I8: rc = put_i8(d, v->data, a, b, idx + o, err); break;
		case PQ_SRC_U8: rc = put_u8(d, v->data, a, b, idx + o, err); break;
		case PQ_SRC_I16: rc = put_i16(d, v->data, a, b, idx + o, err); break;
		case PQ_SRC_U16: rc = put_u16(d, v->data, a, b, idx + o, err); break;
		case PQ_SRC_F16: rc = put_key16(d, v->data, a, b, idx + o, err); break;
		case PQ_SRC_I32: case PQ_SRC_U32: case PQ_SRC_F32:
			rc = put_key32(d, v->data, a, b, idx + o, err);
			break;
		case PQ_SRC_I64: case PQ_SRC_U64: case PQ_SRC_F64:
			rc = put_key64(d, v->data, a, b, idx + o, err);
			break;
		default: rc = put_bytes(d, v, a, b, idx + o, err); break;
		}
		if (rc < 0)
			goto done;
		o += b - a;
		pos = b;
	}
	*n_idx = o;
done:
	return rc;
}
