/*
 * A helper thread that feeds a hfds_sha256 while its owner does something else with the
 * same bytes: the Parquet writer hashes a buffer on the helper while it writes that buffer
 * to its file, so a shard's sha256 (about half the cost of writing it) no longer adds to
 * the writing thread's time on a machine with a second core.
 *
 * One buffer at a time and in order, so the digest equals hashing the buffers in sequence:
 * _start hands a buffer over (it must stay unchanged until _wait returns), _wait blocks
 * until it is hashed. The hfds_sha256 stays the caller's; it must not be used between
 * _start and _wait. Not thread-safe: one owner thread drives it. _free waits and joins.
 */
#ifndef HFDS_UTIL_SHA256_BG_H
#define HFDS_UTIL_SHA256_BG_H

#include <stddef.h>

#include "hfds/common.h"
#include "util/sha256.h"

typedef struct hfds_sha256_bg hfds_sha256_bg;

/* Starts the helper thread. HFDS_ENOMEM, or HFDS_ERROR when no thread can be made. */
int hfds_sha256_bg_new(hfds_sha256_bg **out, hfds_sha256 *h, hfds_error *err);
void hfds_sha256_bg_start(hfds_sha256_bg *b, const void *data, size_t n);
void hfds_sha256_bg_wait(hfds_sha256_bg *b);
void hfds_sha256_bg_free(hfds_sha256_bg *b);

#endif
