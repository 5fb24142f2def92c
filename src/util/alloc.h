/*
 * Allocation with overflow-checked sizes and an injectable failure point for tests.
 * Library code allocates through these so allocation-failure tests can reach every path.
 */
#ifndef HFDS_UTIL_ALLOC_H
#define HFDS_UTIL_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include "hfds/common.h"

/* hfds_malloc and hfds_free are public (hfds/common.h); the rest is internal. */
void *hfds_calloc(size_t count, size_t size);
void *hfds_realloc(void *p, size_t n);
/* realloc to count*size bytes; NULL (p untouched) on overflow or failure. */
void *hfds_reallocarray(void *p, size_t count, size_t size);
char *hfds_strdup(const char *s);
char *hfds_strndup(const char *s, size_t n);
/* "a/b", freshly allocated; NULL when out of memory. */
char *hfds_path_join(const char *a, const char *b);

/* Test hook: make the Nth allocation from now fail (0 disables). Not thread-safe. */
void hfds_alloc_fail_after(uint64_t n);

/* Overflow-checked arithmetic: return 1 on overflow, else store the result. */
static inline int hfds_add_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_add_overflow(a, b, out);
}
static inline int hfds_mul_overflow(size_t a, size_t b, size_t *out)
{
	return __builtin_mul_overflow(a, b, out);
}

#endif
