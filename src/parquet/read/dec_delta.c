/*
 * DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY decoding.
 * Arithmetic wraps in two's complement (uint64), bit widths are checked (<= 64), block
 * geometry is validated before any allocation, and the value count is capped by the caller.
 */
#include <string.h>

#include "parquet/read/dec_values.h"
#include "parquet/format/pq_format.h"
#include "util/alloc.h"

static int fail(hfds_error *err, const char *what)
{
	return hfds_error_set(err, HFDS_ECORRUPT, "delta: %s", what);
}

static uint64_t bits_at(const uint8_t *g, size_t i, int bw)
{
	size_t bit = i * (size_t)bw;
	const uint8_t *q = g + bit / 8;
	unsigned off = (unsigned)(bit % 8);
	int nbytes = (int)((off + (unsigned)bw + 7) / 8), k;
	unsigned __int128 w = 0;
	for (k = 0; k < nbytes; k++)
		w |= (unsigned __int128)q[k] << (8 * k);
	w >>= off;
	return bw == 64 ? (uint64_t)w : (uint64_t)w & ((UINT64_C(1) << bw) - 1);
}

int pq_dbp_decode(const uint8_t *p, size_t n, size_t max_count, int64_t **vals, size_t *count,
		  size_t *used, hfds_error *err)
{
	uint64_t block, mbs, total, first_z, i;
	size_t pos = 0, per_mb;
	uint64_t cur;
	int64_t *v = NULL;
	uint8_t widths[256];
	*vals = NULL;
	if (pq_dec_uleb(p, n, &pos, &block) || pq_dec_uleb(p, n, &pos, &mbs) || pq_dec_uleb(p, n, &pos, &total) ||
	    pq_dec_uleb(p, n, &pos, &first_z))
		return fail(err, "truncated header");
	if (block == 0 || block % 128 || block > (1u << 16) || mbs == 0 || mbs > 256 || block % mbs ||
	    (block / mbs) % 32)
		return fail(err, "invalid block geometry");
	if (total > max_count)
		return hfds_error_set(err, HFDS_ECORRUPT, "delta: header claims %llu values, at most %zu expected",
				      (unsigned long long)total, max_count);
	per_mb = (size_t)(block / mbs);
	if (!(v = hfds_malloc((size_t)(total ? total : 1) * sizeof *v)))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	cur = (first_z >> 1) ^ (0 - (first_z & 1));
	if (total)
		v[0] = (int64_t)cur;
	i = total ? 1 : 0;
	while (i < total) {
		uint64_t minz, mind, m;
		if (pq_dec_uleb(p, n, &pos, &minz)) {
			hfds_free(v);
			return fail(err, "truncated block header");
		}
		mind = (minz >> 1) ^ (0 - (minz & 1));
		if (mbs > n - pos) {
			hfds_free(v);
			return fail(err, "truncated miniblock widths");
		}
		memcpy(widths, p + pos, (size_t)mbs);
		pos += (size_t)mbs;
		for (m = 0; m < mbs && i < total; m++) {
			int bw = widths[m];
			size_t bytes = per_mb * (size_t)bw / 8, k;
			if (bw > 64) {
				hfds_free(v);
				return fail(err, "miniblock bit width > 64");
			}
			if (bytes > n - pos) {
				hfds_free(v);
				return fail(err, "truncated miniblock");
			}
			for (k = 0; k < per_mb && i < total; k++, i++) {
				uint64_t d = bw ? bits_at(p + pos, k, bw) : 0;
				cur = cur + mind + d;
				v[i] = (int64_t)cur;
			}
			pos += bytes;
		}
	}
	*vals = v;
	*count = (size_t)total;
	*used = pos;
	return 0;
}

int pq_dec_delta(const uint8_t *p, size_t n, size_t count, pq_values *out, hfds_error *err)
{
	int64_t *v;
	size_t got, used, i;
	int rc;
	if (out->type != PQ_INT32 && out->type != PQ_INT64)
		return fail(err, "DELTA_BINARY_PACKED on a non-integer column");
	if ((rc = pq_dbp_decode(p, n, count, &v, &got, &used, err)) < 0)
		return rc;
	if (got < count) {
		hfds_free(v);
		return hfds_error_set(err, HFDS_ECORRUPT, "delta: %zu values, %zu expected", got, count);
	}
	if ((rc = hfds_buf_reserve(&out->fixed, count * out->width, err)) == 0) {
		uint8_t *dst = out->fixed.data + out->fixed.len;
		for (i = 0; i < count; i++) {
			if (out->width == 4) {
				int32_t x = (int32_t)(uint32_t)(uint64_t)v[i];
				memcpy(dst + i * 4, &x, 4);
			} else {
				memcpy(dst + i * 8, &v[i], 8);
			}
		}
		out->fixed.len += count * out->width;
		out->count += count;
	}
	hfds_free(v);
	return rc;
}

int pq_dec_delta_length(const uint8_t *p, size_t n, size_t count, pq_values *out, hfds_error *err)
{
	int64_t *len;
	size_t got, used, i, pos;
	int rc = 0;
	if (out->type != PQ_BYTE_ARRAY)
		return fail(err, "DELTA_LENGTH_BYTE_ARRAY on a non-byte-array column");
	if ((rc = pq_dbp_decode(p, n, count, &len, &got, &used, err)) < 0)
		return rc;
	if (got < count)
		rc = hfds_error_set(err, HFDS_ECORRUPT, "delta_length: %zu lengths, %zu expected", got, count);
	pos = used;
	for (i = 0; i < count && rc == 0; i++) {
		if (len[i] < 0 || (uint64_t)len[i] > n - pos) {
			rc = hfds_error_set(err, HFDS_ECORRUPT, "delta_length: length %lld exceeds the %zu bytes left",
					    (long long)len[i], n - pos);
			break;
		}
		rc = pq_values_push_bytes(out, p + pos, (size_t)len[i], err);
		pos += (size_t)len[i];
	}
	hfds_free(len);
	return rc;
}

int pq_dec_delta_byte_array(const uint8_t *p, size_t n, size_t count, pq_values *out, hfds_error *err)
{
	int64_t *pre = NULL, *suf = NULL;
	size_t got, got2, used, used2, i, pos;
	uint8_t *prev = NULL, *tmp;
	size_t prev_len = 0, prev_cap = 0;
	int rc = 0;
	if (out->type != PQ_BYTE_ARRAY && out->type != PQ_FIXED_LEN_BYTE_ARRAY)
		return fail(err, "DELTA_BYTE_ARRAY on a non-byte-array column");
	if ((rc = pq_dbp_decode(p, n, count, &pre, &got, &used, err)) < 0)
		return rc;
	if ((rc = pq_dbp_decode(p + used, n - used, count, &suf, &got2, &used2, err)) < 0)
		goto done;
	if (got < count || got2 < count) {
		rc = hfds_error_set(err, HFDS_ECORRUPT, "delta_byte_array: %zu/%zu lengths, %zu expected", got, got2, count);
		goto done;
	}
	pos = used + used2;
	for (i = 0; i < count; i++) {
		size_t len;
		if (pre[i] < 0 || (uint64_t)pre[i] > prev_len || suf[i] < 0 || (uint64_t)suf[i] > n - pos) {
			rc = hfds_error_set(err, HFDS_ECORRUPT, "delta_byte_array: value %zu: prefix %lld / suffix %lld out of range",
					    i, (long long)pre[i], (long long)suf[i]);
			goto done;
		}
		len = (size_t)pre[i] + (size_t)suf[i];
		if (len > prev_cap) {
			size_t cap = len * 2 + 16;
			if (!(tmp = hfds_realloc(prev, cap))) {
				rc = hfds_error_set(err, HFDS_ENOMEM, "out of memory");
				goto done;
			}
			prev = tmp;
			prev_cap = cap;
		}
		if (suf[i])
			memcpy(prev + pre[i], p + pos, (size_t)suf[i]);
		pos += (size_t)suf[i];
		prev_len = len;
		if (out->type == PQ_BYTE_ARRAY) {
			if ((rc = pq_values_push_bytes(out, prev, len, err)) < 0)
				goto done;
		} else {
			if (len != out->width) {
				rc = hfds_error_set(err, HFDS_ECORRUPT, "delta_byte_array: value of %zu bytes in FLBA(%zu)", len, out->width);
				goto done;
			}
			if ((rc = hfds_buf_append(&out->fixed, prev, len, err)) < 0)
				goto done;
			out->count++;
		}
	}
done:
	hfds_free(pre);
	hfds_free(suf);
	hfds_free(prev);
	return rc;
}
