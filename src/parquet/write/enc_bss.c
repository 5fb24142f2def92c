/*
 * BYTE_STREAM_SPLIT: byte j of every value goes to stream j. The common widths (4 and 8)
 * have fixed-stride loops the compiler unrolls; other widths use a generic loop.
 */
#include "parquet/write/enc_impl.h"

#include "util/alloc.h"
#include "util/try.h"

#define SPLIT(name, K)                                                               \
	static void name(const uint8_t *src, size_t n, uint8_t *dst)                 \
	{                                                                            \
		for (size_t i = 0; i < n; i++)                                       \
			for (size_t j = 0; j < K; j++)                               \
				dst[j * n + i] = src[i * K + j];                     \
	}
SPLIT(split4, 4)
SPLIT(split8, 8)

int pq_bss_encode(const pq_values *v, hfds_buf *out, hfds_error *err)
{
	int rc = 0;
	size_t w = pq__phys_width(v), cnt = v->n, size;
	uint8_t *tmp = NULL, *dst;
	const uint8_t *src = v->data;
	HFDS_FAIL_IF(w == 0, HFDS_EINVAL, err, "byte stream split: fixed-width values expected");
	if (v->validity || v->src == PQ_SRC_I8 || v->src == PQ_SRC_I16 || v->src == PQ_SRC_U8 ||
		v->src == PQ_SRC_U16) {
		tmp = hfds_reallocarray(NULL, v->n ? v->n : 1, w);
		HFDS_FAIL_IF(!tmp, HFDS_ENOMEM, err, "byte stream split: out of memory for %zu values", v->n);
		cnt = pq__gather_fixed(v, tmp);
		src = tmp;
	}
	HFDS_FAIL_IF(hfds_mul_overflow(cnt, w, &size), HFDS_ELIMIT, err, "byte stream split: size overflows");
	HFDS_TRY(hfds_buf_reserve(out, size, err));
	dst = out->data + out->len;
	if (w == 4)
		split4(src, cnt, dst);
	else if (w == 8)
		split8(src, cnt, dst);
	else
		for (size_t i = 0; i < cnt; i++)
			for (size_t j = 0; j < w; j++)
				dst[j * cnt + i] = src[i * w + j];
	out->len += size;
done:
	hfds_free(tmp);
	return rc;
}
