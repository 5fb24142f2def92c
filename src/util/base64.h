/*
 * Standard base64 (RFC 4648 §4, alphabet A-Z a-z 0-9 + /, "=" padding): how the canonical row
 * format prints binary values, and how JSON carries bytes.
 *
 * Decoding is strict: the length must be a multiple of 4, "=" may only pad the last group, no
 * whitespace, and the unused bits of the last group must be zero (so every byte string has
 * exactly one accepted encoding). Errors are HFDS_EPARSE with the offset of the bad character.
 * Thread-safe; the only allocation is the caller's hfds_buf growing.
 */
#ifndef HFDS_UTIL_BASE64_H
#define HFDS_UTIL_BASE64_H

#include <stddef.h>
#include <stdint.h>
#include "hfds/common.h"
#include "util/buf.h"

/* Encoded length of n bytes (no NUL); 0 when it would overflow size_t. */
size_t hfds_base64_encoded_len(size_t n);
/* Writes exactly hfds_base64_encoded_len(n) characters to out (no NUL). */
void hfds_base64_encode(char *out, const void *data, size_t n);
/* Appends the encoding of data to b. */
int hfds_base64_append(hfds_buf *b, const void *data, size_t n, hfds_error *err);
/* Appends the decoded bytes of text[0..n) to out. */
int hfds_base64_decode(hfds_buf *out, const char *text, size_t n, hfds_error *err);

#endif
