/*
 * hfds_zread: the bytes of a file or of stdin, decompressed as a stream when they are
 * gzip, zstd or bzip2. The format is recognised by the magic bytes (never by the name,
 * so stdin may be compressed too); concatenated gzip members, zstd frames and bzip2
 * streams are all read, zero bytes between gzip members are padding (as gzip(1) reads
 * them). Memory is one fixed 256 KiB input buffer plus the decoder's state, whatever the
 * input size. A compressed stream that ends inside a member/frame is an error:
 * "<path>: offset <file size>: the zstd stream ends early (truncated file?); ...".
 * Used by the PGN input (chess) and the JSON Lines / CSV reader (ingest).
 * One thread at a time.
 */
#ifndef HFDS_UTIL_ZREAD_H
#define HFDS_UTIL_ZREAD_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/common.h"

typedef enum hfds_zkind { HFDS_Z_PLAIN = 0, HFDS_Z_GZIP, HFDS_Z_ZSTD, HFDS_Z_BZIP2 } hfds_zkind;

typedef struct hfds_zread hfds_zread;

/* Opens path ("-" = a dup of stdin) and sniffs its first bytes. */
int hfds_zread_open(hfds_zread **out, const char *path, hfds_error *err);
hfds_zkind hfds_zread_kind(const hfds_zread *r);
/* "gzip", "zstd", "bzip2" or "plain". */
const char *hfds_zread_kind_name(hfds_zkind kind);
/* Reads up to cap decompressed bytes into buf; *got = 0 only at the end of the data.
 * Plain input is read straight into buf (no second copy). */
int hfds_zread_read(hfds_zread *r, void *buf, size_t cap, size_t *got, hfds_error *err);
/* Decompressed bytes handed out so far. */
uint64_t hfds_zread_offset(const hfds_zread *r);
/* NULL-safe. */
void hfds_zread_free(hfds_zread *r);

#endif
