/*
 * UTF-8 validation as Unicode defines it (RFC 3629): no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences. Used for Parquet STRING
 * columns, JSON text and anything that must be a Python str on the other side.
 * Pure functions, thread-safe.
 */
#ifndef HFDS_UTIL_UTF8_H
#define HFDS_UTIL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Returns n when s[0..n) is valid UTF-8, else the offset of the first byte of the first
 * invalid (or truncated) sequence. */
size_t hfds_utf8_validate(const void *s, size_t n);

/* Decodes one code point at s[0..n) (n > 0) into *cp and returns its length in bytes, or 0 if
 * the sequence there is invalid or truncated. */
size_t hfds_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp);

#endif
