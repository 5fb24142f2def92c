/* Growth doubles the capacity so appends are amortised O(1), clipped at the ceiling. */
#include "util/buf.h"
#include "util/alloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

void hfds_buf_init(hfds_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : SIZE_MAX;
}

void hfds_buf_release(hfds_buf *b)
{
	hfds_free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void hfds_buf_clear(hfds_buf *b)
{
	b->len = 0;
}

/*
 * Big buffers (column buffers, pages, batches) are filled once per row group: transparent
 * huge pages for their aligned interior cut the page faults of first use 512-fold. Only a
 * hint; where THP is off or "never" nothing changes.
 */
static void advise_huge(uint8_t *p, size_t cap)
{
	enum { HUGE = 2u << 20 };
	if (cap < 4 * (size_t)HUGE)
		return;
	uintptr_t a = ((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
	uintptr_t e = ((uintptr_t)p + cap) & ~(uintptr_t)(HUGE - 1);
	if (e > a)
		madvise((void *)a, e - a, MADV_HUGEPAGE);
}

/* Reallocates to exactly cap bytes (at least what b holds). */
static int grow_to(hfds_buf *b, size_t cap, hfds_error *err)
{
	uint8_t *p = hfds_realloc(b->data, cap);
	if (!p)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory growing a buffer to %zu bytes", cap);
	b->data = p;
	b->cap = cap;
	advise_huge(p, cap);
	return 0;
}

int hfds_buf_reserve(hfds_buf *b, size_t extra, hfds_error *err)
{
	size_t need, cap;
	if (hfds_add_overflow(b->len, extra, &need) || need > b->max)
		return hfds_error_set(err, HFDS_ELIMIT, "buffer limit of %zu bytes exceeded", b->max);
	if (need <= b->cap && b->data)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	return grow_to(b, cap > b->max ? b->max : cap, err);
}

int hfds_buf_reserve_exact(hfds_buf *b, size_t cap, hfds_error *err)
{
	if (cap <= b->cap)
		return 0;
	if (cap > b->max)
		return hfds_error_set(err, HFDS_ELIMIT, "buffer limit of %zu bytes exceeded", b->max);
	return grow_to(b, cap, err);
}

int hfds_buf_append_grow(hfds_buf *b, const void *data, size_t n, hfds_error *err)
{
	int rc;
	if (n == 0)
		return 0;
	if ((rc = hfds_buf_reserve(b, n, err)) < 0)
		return rc;
	memcpy(b->data + b->len, data, n);
	b->len += n;
	return 0;
}

int hfds_buf_append_byte(hfds_buf *b, uint8_t byte, hfds_error *err)
{
	int rc;
	if (b->len == b->cap && (rc = hfds_buf_reserve(b, 1, err)) < 0)
		return rc;
	b->data[b->len++] = byte;
	return 0;
}

int hfds_buf_append_str(hfds_buf *b, const char *s, hfds_error *err)
{
	return hfds_buf_append(b, s, strlen(s), err);
}

int hfds_buf_printf(hfds_buf *b, hfds_error *err, const char *fmt, ...)
{
	va_list ap;
	int n, rc;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return hfds_error_set(err, HFDS_EINVAL, "bad format string");
	if ((rc = hfds_buf_reserve(b, (size_t)n + 1, err)) < 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int hfds_buf_cstr(hfds_buf *b, hfds_error *err)
{
	int rc;
	if ((rc = hfds_buf_reserve(b, 1, err)) < 0)
		return rc;
	b->data[b->len] = '\0';
	return 0;
}

uint8_t *hfds_buf_detach(hfds_buf *b, size_t *len_out)
{
	uint8_t *p = b->data;
	if (len_out)
		*len_out = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
