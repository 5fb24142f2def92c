/*
 * pq_values column buffers and the PLAIN, RLE-boolean, BYTE_STREAM_SPLIT and dictionary
 * decoders. BYTE_ARRAY offsets are int32 (Arrow "u"/"z"), so one batch's string data is
 * capped below 2 GiB besides the configured ceiling.
 */
#include <string.h>

#include "parquet/read/dec_values.h"
#include "parquet/format/pq_format.h"
#include "util/alloc.h"

void pq_values_init(pq_values *v, int type, int32_t type_length, size_t max_bytes)
{
	memset(v, 0, sizeof *v);
	v->type = type;
	switch (type) {
	case PQ_BOOLEAN: v->width = 1; break;
	case PQ_INT32: case PQ_FLOAT: v->width = 4; break;
	case PQ_INT64: case PQ_DOUBLE: v->width = 8; break;
	case PQ_INT96: v->width = 12; break;
	case PQ_FIXED_LEN_BYTE_ARRAY: v->width = (size_t)type_length; break;
	default: v->width = 0; break;
	}
	hfds_buf_init(&v->fixed, max_bytes);
	hfds_buf_init(&v->offsets, max_bytes);
	hfds_buf_init(&v->data, max_bytes < INT32_MAX ? max_bytes : INT32_MAX);
	hfds_buf_init(&v->idx, max_bytes);
	hfds_buf_init(&v->slots, max_bytes);
}

void pq_values_release(pq_values *v)
{
	hfds_buf_release(&v->fixed);
	hfds_buf_release(&v->offsets);
	hfds_buf_release(&v->data);
	hfds_buf_release(&v->idx);
	hfds_buf_release(&v->slots);
	v->count = 0;
}

void pq_values_reset(pq_values *v)
{
	hfds_buf_clear(&v->fixed);
	hfds_buf_clear(&v->offsets);
	hfds_buf_clear(&v->data);
	hfds_buf_clear(&v->slots);
	v->count = 0;
}

static int ensure_offsets(pq_values *v, size_t extra, hfds_error *err)
{
	int32_t zero = 0;
	int rc;
	if (v->offsets.len == 0 && (rc = hfds_buf_append(&v->offsets, &zero, 4, err)) < 0)
		return rc;
	return hfds_buf_reserve(&v->offsets, extra * 4, err);
}

int pq_values_push_bytes(pq_values *v, const uint8_t *p, size_t n, hfds_error *err)
{
	int32_t end;
	int rc;
	if ((rc = ensure_offsets(v, 1, err)) < 0)
		return rc;
	if (n && (rc = hfds_buf_append(&v->data, p, n, err)) < 0)
		return rc;
	end = (int32_t)v->data.len;
	memcpy(v->offsets.data + v->offsets.len, &end, 4);
	v->offsets.len += 4;
	v->count++;
	return 0;
}

static int need_fixed(pq_values *v, size_t count, hfds_error *err)
{
	size_t bytes;
	if (hfds_mul_overflow(count, v->width, &bytes))
		return hfds_error_set(err, HFDS_ELIMIT, "value count overflows");
	return hfds_buf_reserve(&v->fixed, bytes, err);
}

int pq_dec_plain(const uint8_t *p, size_t n, size_t count, pq_values *out, hfds_error *err)
{
	size_t i, pos = 0;
	int rc;
	if (out->type == PQ_BYTE_ARRAY) {
		if (count > n / 4)
			return hfds_error_set(err, HFDS_ECORRUPT, "plain: %zu byte arrays cannot fit in %zu bytes", count, n);
		/* pass 1: validate the lengths and size the data; pass 2: copy */
		{
			size_t total = 0, dpos;
			int32_t *o;
			for (i = 0; i < count; i++) {
				uint32_t len;
				if (n - pos < 4)
					return hfds_error_set(err, HFDS_ECORRUPT, "plain: truncated byte array length (value %zu of %zu)", i, count);
				memcpy(&len, p + pos, 4);
				pos += 4;
				if (len > n - pos)
					return hfds_error_set(err, HFDS_ECORRUPT, "plain: byte array length %u exceeds the %zu bytes left", len, n - pos);
				pos += len;
				total += len;
			}
			if ((rc = ensure_offsets(out, count, err)) < 0 || (rc = hfds_buf_reserve(&out->data, total, err)) < 0)
				return rc;
			o = (int32_t *)(void *)(out->offsets.data + out->offsets.len);
			dpos = out->data.len;
			for (i = 0, pos = 0; i < count; i++) {
				uint32_t len;
				memcpy(&len, p + pos, 4);
				pos += 4;
				if (len)
					memcpy(out->data.data + dpos, p + pos, len);
				pos += len;
				dpos += len;
				o[i] = (int32_t)dpos;
			}
			out->data.len = dpos;
			out->offsets.len += count * 4;
			out->count += count;
		}
		return 0;
	}
	if (out->type == PQ_BOOLEAN) {
		if ((count + 7) / 8 > n)
			return hfds_error_set(err, HFDS_ECORRUPT, "plain: %zu booleans need %zu bytes, %zu present", count, (count + 7) / 8, n);
		if ((rc = need_fixed(out, count, err)) < 0)
			return rc;
		for (i = 0; i < count; i++)
			out->fixed.data[out->fixed.len + i] = (p[i / 8] >> (i % 8)) & 1;
		out->fixed.len += count;
		out->count += count;
		return 0;
	}
	{
		size_t bytes;
		if (hfds_mul_overflow(count, out->width, &bytes) || bytes > n)
			return hfds_error_set(err, HFDS_ECORRUPT, "plain: %zu values of %zu bytes exceed the %zu bytes present",
					      count, out->width, n);
		if ((rc = hfds_buf_append(&out->fixed, p, bytes, err)) < 0)
			return rc;
		out->count += count;
		return 0;
	}
}

int pq_dec_rle_bool(const uint8_t *p, size_t n, size_t count, pq_values *out, hfds_error *err)
{
	uint32_t len, *tmp;
	size_t i;
	int rc;
	if (out->type != PQ_BOOLEAN)
		return hfds_error_set(err, HFDS_ECORRUPT, "rle: value encoding RLE on a non-boolean column");
	if (n < 4)
		return hfds_error_set(err, HFDS_ECORRUPT, "rle: missing length prefix");
	memcpy(&len, p, 4);
	if (len > n - 4)
		return hfds_error_set(err, HFDS_ECORRUPT, "rle: length %u exceeds the %zu bytes left", len, n - 4);
	if ((rc = need_fixed(out, count, err)) < 0)
		return rc;
	if (!(tmp = hfds_malloc((count ? count : 1) * sizeof *tmp)))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	rc = pq_rle_decode(p + 4, len, 1, tmp, count, err);
	if (rc == 0) {
		for (i = 0; i < count; i++)
			out->fixed.data[out->fixed.len + i] = (uint8_t)tmp[i];
		out->fixed.len += count;
		out->count += count;
	}
	hfds_free(tmp);
	return rc;
}

int pq_dec_bss(const uint8_t *p, size_t n, size_t count, pq_values *out, hfds_error *err)
{
	size_t k = out->width, bytes, i, j;
	uint8_t *dst;
	int rc;
	if (out->type == PQ_BYTE_ARRAY || out->type == PQ_BOOLEAN || k == 0)
		return hfds_error_set(err, HFDS_ECORRUPT, "byte_stream_split: not valid for this type");
	if (hfds_mul_overflow(count, k, &bytes) || bytes > n)
		return hfds_error_set(err, HFDS_ECORRUPT, "byte_stream_split: %zu values need more than the %zu bytes present", count, n);
	if ((rc = need_fixed(out, count, err)) < 0)
		return rc;
	dst = out->fixed.data + out->fixed.len;
	for (j = 0; j < k; j++) {
		const uint8_t *s = p + j * count;
		for (i = 0; i < count; i++)
			dst[i * k + j] = s[i];
	}
	out->fixed.len += bytes;
	out->count += count;
	return 0;
}

/*
 * The string gather of a small dictionary of short strings (category names, codes) is a
 * 16-byte load and store and one table lookup per value: the padded slots make the copy
 * length-independent, the empty last slot absorbs out-of-range indices until the check
 * after the loop.
 */
enum { SLOT = 16, SLOT_ENTRIES_MAX = 65536 };

int pq_dict_slots(pq_values *dict, hfds_error *err)
{
	const int32_t *off = (const int32_t *)(const void *)dict->offsets.data;
	size_t i, nc = dict->count, mx = 0;
	uint32_t *lens;
	uint8_t *sl;
	int rc;
	hfds_buf_clear(&dict->slots);
	if (dict->type != PQ_BYTE_ARRAY || nc == 0 || nc > SLOT_ENTRIES_MAX || dict->offsets.len < (nc + 1) * 4)
		return 0;
	for (i = 0; i < nc; i++)
		if ((size_t)(off[i + 1] - off[i]) > mx)
			mx = (size_t)(off[i + 1] - off[i]);
	if (mx > SLOT)
		return 0;
	if ((rc = hfds_buf_reserve(&dict->slots, (nc + 1) * (SLOT + 4), err)) < 0)
		return rc;
	sl = dict->slots.data;
	lens = (uint32_t *)(void *)(sl + (nc + 1) * SLOT);
	memset(sl, 0, (nc + 1) * SLOT);
	for (i = 0; i < nc; i++) {
		lens[i] = (uint32_t)(off[i + 1] - off[i]);
		memcpy(sl + i * SLOT, dict->data.data + off[i], lens[i]);
	}
	lens[nc] = 0;
	dict->slots.len = (nc + 1) * (SLOT + 4);
	dict->slot_max = mx;
	return 0;
}

/* pq_dec_dict's loop over dict->slots; idx holds count decoded indices. 1 when it did not
 * apply (the worst-case output would pass the data buffer's ceiling), else 0 / error. */
static int gather_slots(const uint32_t *idx, size_t count, const pq_values *dict, pq_values *out, hfds_error *err)
{
	size_t nc = dict->count, i, pos, bound;
	const uint8_t *sl = dict->slots.data;
	const uint32_t *lens = (const uint32_t *)(const void *)(sl + (nc + 1) * SLOT);
	uint32_t mx = 0;
	uint8_t *d;
	int32_t *o;
	int rc;
	if (hfds_mul_overflow(count, dict->slot_max, &bound) || out->data.max < out->data.len + SLOT ||
	    bound > out->data.max - out->data.len - SLOT)
		return 1;
	if ((rc = ensure_offsets(out, count, err)) < 0 || (rc = hfds_buf_reserve(&out->data, bound + SLOT, err)) < 0)
		return rc;
	d = out->data.data;
	pos = out->data.len;
	o = (int32_t *)(void *)(out->offsets.data + out->offsets.len);
	for (i = 0; i < count; i++) {
		uint32_t v = idx[i];
		mx = v > mx ? v : mx;
		v = v < nc ? v : (uint32_t)nc;
		memcpy(d + pos, sl + (size_t)v * SLOT, SLOT);
		pos += lens[v];
		o[i] = (int32_t)pos;
	}
	if (mx >= nc)
		return hfds_error_set(err, HFDS_ECORRUPT, "dictionary index %u out of range (%zu entries)", mx, nc);
	out->data.len = pos;
	out->offsets.len += count * 4;
	out->count += count;
	return 0;
}

int pq_dec_dict(const uint8_t *p, size_t n, size_t count, const pq_values *dict, pq_values *out,
		hfds_error *err)
{
	const uint32_t *idx;
	uint32_t mx = 0;
	size_t i;
	int rc, bw;
	if (!dict)
		return hfds_error_set(err, HFDS_ECORRUPT, "dictionary-encoded page without a dictionary page");
	if (count == 0)
		return 0;
	if (n < 1)
		return hfds_error_set(err, HFDS_ECORRUPT, "dictionary indices: missing bit width");
	bw = p[0];
	if (bw > 32)
		return hfds_error_set(err, HFDS_ECORRUPT, "dictionary indices: bit width %d > 32", bw);
	if (out->type != PQ_BYTE_ARRAY) {
		if (dict->width != out->width)
			return hfds_error_set(err, HFDS_ECORRUPT, "dictionary entries of %zu bytes for %zu-byte values",
					      dict->width, out->width);
		if ((rc = need_fixed(out, count, err)) < 0)
			return rc;
		if ((rc = pq_rle_gather(p + 1, n - 1, bw, count, dict->fixed.data, dict->count, out->width,
					out->fixed.data + out->fixed.len, err)) < 0)
			return rc;
		out->fixed.len += count * out->width;
		out->count += count;
		return 0;
	}
	hfds_buf_clear(&out->idx);
	if (count > SIZE_MAX / 4 || (rc = hfds_buf_reserve(&out->idx, count * 4, err)) < 0)
		return count > SIZE_MAX / 4 ? hfds_error_set(err, HFDS_ELIMIT, "value count overflows") : rc;
	idx = (const uint32_t *)(const void *)out->idx.data;
	if ((rc = pq_rle_decode(p + 1, n - 1, bw, (uint32_t *)(void *)out->idx.data, count, err)) < 0)
		return rc;
	if (dict->slots.len && (rc = gather_slots(idx, count, dict, out, err)) <= 0)
		return rc;
	for (i = 0; i < count; i++) /* a max reduction: vectorised, no branch per value */
		mx = idx[i] > mx ? idx[i] : mx;
	if (mx >= dict->count)
		return hfds_error_set(err, HFDS_ECORRUPT, "dictionary index %u out of range (%zu entries)", mx, dict->count);
	{
		const int32_t *off = (const int32_t *)(const void *)dict->offsets.data;
		size_t total = 0, pos;
		int32_t *o;
		for (i = 0; i < count; i++)
			total += (size_t)(off[idx[i] + 1] - off[idx[i]]);
		if ((rc = ensure_offsets(out, count, err)) < 0 || (rc = hfds_buf_reserve(&out->data, total, err)) < 0)
			return rc;
		pos = out->data.len;
		o = (int32_t *)(void *)(out->offsets.data + out->offsets.len);
		for (i = 0; i < count; i++) {
			size_t len = (size_t)(off[idx[i] + 1] - off[idx[i]]);
			const uint8_t *s = dict->data.data + off[idx[i]];
			uint8_t *d = out->data.data + pos;
			if (len <= 16 && total - (pos - out->data.len) >= 16 && dict->data.len - (size_t)off[idx[i]] >= 16)
				memcpy(d, s, 16); /* short strings: one fixed-size copy (room checked) */
			else if (len)
				memcpy(d, s, len);
			pos += len;
			o[i] = (int32_t)pos;
		}
		out->data.len = pos;
		out->offsets.len += count * 4;
		out->count += count;
	}
	return 0;
}
