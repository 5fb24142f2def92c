/*
 * Streaming SHA-256 (OpenSSL libcrypto underneath). Used to hash shards while they are
 * written, so an upload later needs no second read, and for LFS object ids.
 */
#ifndef HFDS_UTIL_SHA256_H
#define HFDS_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include "hfds/common.h"

typedef struct hfds_sha256 hfds_sha256;

int hfds_sha256_new(hfds_sha256 **out, hfds_error *err);
/* Returns HFDS_ERROR once any EVP call failed; the failure sticks until a reset, so a
 * streaming caller may ignore it here and rely on hfds_sha256_final. */
int hfds_sha256_update(hfds_sha256 *h, const void *data, size_t n);
/* Writes 32 raw bytes (zeros on failure); HFDS_ERROR if any EVP call since the last
 * init failed. The context can be reused after hfds_sha256_reset. */
int hfds_sha256_final(hfds_sha256 *h, uint8_t digest[32], hfds_error *err);
int hfds_sha256_reset(hfds_sha256 *h, hfds_error *err);
void hfds_sha256_free(hfds_sha256 *h);
/* One-shot helpers. hex must hold 65 bytes. */
void hfds_sha256_hex(const uint8_t digest[32], char hex[65]);
int hfds_sha256_buffer(const void *data, size_t n, uint8_t digest[32], hfds_error *err);
int hfds_sha256_file(const char *path, uint8_t digest[32], uint64_t *size_out, hfds_error *err);

#endif
