/* Thin wrappers over libc malloc; the countdown hook lets tests fail a chosen allocation. */
#include "util/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static _Atomic uint64_t fail_countdown;

void hfds_alloc_fail_after(uint64_t n)
{
	atomic_store(&fail_countdown, n);
}

static int should_fail(void)
{
	uint64_t c = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
	if (c == 0)
		return 0;
	return atomic_fetch_sub(&fail_countdown, 1) == 1;
}

void *hfds_malloc(size_t n)
{
	if (should_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *hfds_calloc(size_t count, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(count ? count : 1, size ? size : 1);
}

void *hfds_realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	return realloc(p, n ? n : 1);
}

void *hfds_reallocarray(void *p, size_t count, size_t size)
{
	size_t n;
	if (hfds_mul_overflow(count, size, &n))
		return NULL;
	return hfds_realloc(p, n);
}

void hfds_free(void *p)
{
	free(p);
}

char *hfds_strndup(const char *s, size_t n)
{
	char *r = hfds_malloc(n + 1);
	if (!r)
		return NULL;
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

char *hfds_strdup(const char *s)
{
	return hfds_strndup(s, strlen(s));
}

char *hfds_path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = hfds_malloc(n);
	if (s)
		snprintf(s, n, "%s/%s", a, b);
	return s;
}
