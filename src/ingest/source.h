/*
 * Byte source for the text readers: a file or stdin, gzip (also multi-member) and zstd
 * recognised by their magic bytes and decompressed as a stream through fixed buffers.
 * A compressed stream that ends early is an error naming the compressed offset.
 * One thread at a time.
 */
#ifndef HFDS_INGEST_SOURCE_H
#define HFDS_INGEST_SOURCE_H
#include <stddef.h>
#include <stdint.h>

#include "hfds/common.h"

typedef struct ing_source ing_source;

int ing_source_open(ing_source **out, const char *path, hfds_error *err);
/* Reads up to cap bytes; *got = 0 at the end of the data. */
int ing_source_read(ing_source *s, void *buf, size_t cap, size_t *got, hfds_error *err);
void ing_source_free(ing_source *s);
#endif
