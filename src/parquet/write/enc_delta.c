/*
 * DELTA_BINARY_PACKED (block 128, 4 miniblocks of 32) and DELTA_LENGTH_BYTE_ARRAY.
 * Deltas are computed in the unsigned type of the physical width so that overflow wraps
 * exactly as readers undo it (INT32 columns must never need more than 32 bits).
 */
#include "parquet/write/enc_impl.h"

#include "util/alloc.h"
#include "util/try.h"

#define BLOCK 128
#define MINI 4
#define MINI_N (BLOCK / MINI)

/* one block: min delta (<= 10 bytes), 4 width bytes, 128 values at <= the type's width,
 * plus the 16 bytes of store slack pq__pack32 needs */
#define BLOCK_MAX(T) (32 + BLOCK * sizeof(T))

#define DBP_IMPL(name, T, U, pack)                                                   \
	int name(const T *vals, size_t n, hfds_buf *out, hfds_error *err)           \
	{                                                                            \
		int rc = 0;                                                          \
		uint8_t *p;                                                          \
		U prev, d[BLOCK];                                                    \
		/* header, then room for one block at a time */                       \
		HFDS_TRY(hfds_buf_reserve(out, 40, err));                            \
		p = out->data + out->len;                                            \
		p += pq__put_uleb(p, BLOCK);                                         \
		p += pq__put_uleb(p, MINI);                                          \
		p += pq__put_uleb(p, n);                                             \
		p += pq__put_uleb(p, zigzag(n ? (int64_t)vals[0] : 0));           \
		prev = n ? (U)vals[0] : 0;                                           \
		for (size_t i = 1; i < n; i += BLOCK) {                              \
			size_t cnt = n - i < BLOCK ? n - i : BLOCK;                  \
			T mind;                                                      \
			if ((size_t)(out->data + out->cap - p) < BLOCK_MAX(T)) {      \
				out->len = (size_t)(p - out->data);                  \
				HFDS_TRY(hfds_buf_reserve(out, BLOCK_MAX(T), err));  \
				p = out->data + out->len;                            \
			}                                                            \
			for (size_t j = 0; j < cnt; j++) {                           \
				U x = (U)vals[i + j];                                \
				d[j] = x - prev;                                     \
				prev = x;                                            \
			}                                                            \
			mind = (T)d[0];                                              \
			for (size_t j = 1; j < cnt; j++)                             \
				mind = (T)d[j] < mind ? (T)d[j] : mind;              \
			for (size_t j = 0; j < cnt; j++)                             \
				d[j] -= (U)mind;                                     \
			for (size_t j = cnt; j < BLOCK; j++)                         \
				d[j] = 0;                                            \
			p += pq__put_uleb(p, zigzag((int64_t)mind));              \
			uint8_t *wp = p;                                             \
			p += MINI;                                                   \
			for (size_t m = 0; m < MINI; m++) {                          \
				U acc = 0;                                           \
				int w;                                               \
				if (m * MINI_N >= cnt) {                             \
					wp[m] = 0;                                   \
					continue;                                    \
				}                                                    \
				for (size_t j = 0; j < MINI_N; j++)                  \
					acc |= d[m * MINI_N + j];                    \
				w = pq_bit_width(acc);                               \
				wp[m] = (uint8_t)w;                                  \
				pack(d + m * MINI_N, MINI_N, w, p);                  \
				p += (size_t)w * MINI_N / 8;                         \
			}                                                            \
		}                                                                    \
		out->len = (size_t)(p - out->data);                                  \
	done:                                                                        \
		return rc;                                                           \
	}

static inline uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

DBP_IMPL(pq_dbp_encode_i32, int32_t, uint32_t, pq__pack32)
DBP_IMPL(pq_dbp_encode_i64, int64_t, uint64_t, pq__pack64)

int pq_dbp_encode(const pq_values *v, hfds_buf *out, hfds_error *err)
{
	int rc = 0;
	size_t w = pq__phys_width(v), cnt;
	void *tmp = NULL;
	const void *vals = v->data;
	int is64;
	switch (v->src) {
	case PQ_SRC_I8: case PQ_SRC_I16: case PQ_SRC_I32:
	case PQ_SRC_U8: case PQ_SRC_U16: case PQ_SRC_U32: is64 = 0; break;
	case PQ_SRC_I64: case PQ_SRC_U64: is64 = 1; break;
	default: HFDS_FAIL(HFDS_EINVAL, err, "delta: integer values expected");
	}
	cnt = v->n;
	if (v->validity || (v->src != PQ_SRC_I32 && v->src != PQ_SRC_U32 && !is64)) {
		tmp = hfds_reallocarray(NULL, v->n ? v->n : 1, w);
		HFDS_FAIL_IF(!tmp, HFDS_ENOMEM, err, "delta: out of memory for %zu values", v->n);
		cnt = pq__gather_fixed(v, tmp);
		vals = tmp;
	}
	if (is64)
		rc = pq_dbp_encode_i64(vals, cnt, out, err);
	else
		rc = pq_dbp_encode_i32(vals, cnt, out, err);
done:
	hfds_free(tmp);
	return rc;
}

int pq_dlba_encode(const pq_values *v, hfds_buf *out, hfds_error *err)
{
	int rc = 0;
	int32_t *lens = NULL;
	size_t pos = 0, a, b, cnt = 0, total = 0;
	const uint8_t *p = NULL;
	HFDS_FAIL_IF(v->src != PQ_SRC_BIN32 && v->src != PQ_SRC_BIN64, HFDS_EINVAL, err,
		"delta length: binary values expected");
	lens = hfds_reallocarray(NULL, v->n ? v->n : 1, sizeof *lens);
	HFDS_FAIL_IF(!lens, HFDS_ENOMEM, err, "delta length: out of memory for %zu values", v->n);
	while (pq__next_run(v, pos, &a, &b)) {
		for (size_t i = a; i < b; i++) {
			int64_t len = pq__bin_len(v, i, &p);
			if (len < 0) {
				rc = pq__bin_error(len, i, err);
				goto done;
			}
			lens[cnt++] = (int32_t)len;
			HFDS_FAIL_IF(hfds_add_overflow(total, (size_t)len, &total), HFDS_ELIMIT, err,
				"delta length: size overflows");
		}
		pos = b;
	}
	HFDS_TRY(pq_dbp_encode_i32(lens, cnt, out, err));
	HFDS_TRY(hfds_buf_reserve(out, total, err));
	pos = 0;
	/* the values of a run of present slots are contiguous in the character data (their
	 * offsets were checked above): one copy per run */
	while (pq__next_run(v, pos, &a, &b)) {
		const uint8_t *last = NULL;
		int64_t last_len = pq__bin_len(v, b - 1, &last);
		(void)pq__bin_len(v, a, &p);
		size_t span = (size_t)(last + last_len - p);
		memcpy(out->data + out->len, p, span);
		out->len += span;
		pos = b;
	}
done:
	hfds_free(lens);
	return rc;
}
