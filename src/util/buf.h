/*
 * hfds_buf: a growable byte buffer with a ceiling. Growing past `max` returns HFDS_ELIMIT,
 * which turns hostile sizes into clean errors. The caller owns the struct; init allocates
 * nothing, release frees the contents.
 */
#ifndef HFDS_UTIL_BUF_H
#define HFDS_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "hfds/common.h"

typedef struct hfds_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max; /* SIZE_MAX when unbounded */
} hfds_buf;

void hfds_buf_init(hfds_buf *b, size_t max); /* max 0 = unbounded */
void hfds_buf_release(hfds_buf *b);
void hfds_buf_clear(hfds_buf *b); /* len = 0, keeps the allocation */
/* Ensures room for `extra` more bytes. Afterwards data is non-NULL even when extra is 0, so
 * `data + len` is a valid pointer (pointer arithmetic on NULL is undefined behaviour). */
int hfds_buf_reserve(hfds_buf *b, size_t extra, hfds_error *err);
int hfds_buf_append_grow(hfds_buf *b, const void *data, size_t n, hfds_error *err);
/* Grows the capacity to exactly `cap` bytes when it is smaller (a size known in advance,
 * without the doubling's spare room); later growth doubles from there. */
int hfds_buf_reserve_exact(hfds_buf *b, size_t cap, hfds_error *err);
/* Inline so that the common case (room left) of a small append with a constant size, as the
 * Arrow builder's offsets and fixed-width values are, compiles to a store and no call. */
static inline int hfds_buf_append(hfds_buf *b, const void *data, size_t n, hfds_error *err)
{
	if (n && b->cap - b->len >= n) {
		memcpy(b->data + b->len, data, n);
		b->len += n;
		return 0;
	}
	return hfds_buf_append_grow(b, data, n, err);
}
int hfds_buf_append_byte(hfds_buf *b, uint8_t byte, hfds_error *err);
int hfds_buf_append_str(hfds_buf *b, const char *s, hfds_error *err);
int hfds_buf_printf(hfds_buf *b, hfds_error *err, const char *fmt, ...) HFDS_PRINTF(3, 4);
/* Appends a NUL without counting it in len, so data can be used as a C string. */
int hfds_buf_cstr(hfds_buf *b, hfds_error *err);
/* Hands the allocation to the caller (free with hfds_free) and empties the buffer. */
uint8_t *hfds_buf_detach(hfds_buf *b, size_t *len_out);

#endif
