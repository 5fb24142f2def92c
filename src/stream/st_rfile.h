/*
 * A file of a repository at one commit, read through hfds_hub_read as a Parquet reader's
 * callback: the last 64 KiB are fetched in one request when the file is opened (the footer
 * and its length live there), later reads outside that tail are one ranged read each per
 * 16 MiB.
 */
#ifndef HFDS_STREAM_RFILE_H
#define HFDS_STREAM_RFILE_H

#include <stdint.h>
#include "hfds/hub.h"
#include "hfds/parquet_reader.h"

#define HFDS_RFILE_TAIL (64u << 10)
/* reads beyond the tail are fetched in ranges of at most this many bytes */
#define HFDS_RFILE_PIECE (16u << 20)

typedef struct hfds_rfile {
	hfds_hub *hub;
	const char *repo_id;
	const char *commit;
	const char *path;
	uint64_t size;
	uint8_t *tail;         /* the file's last tail_len bytes */
	size_t tail_len;
	uint64_t bytes_read;   /* bytes fetched through the hub */
	const int *cancel;     /* optional: when it reads non-zero (atomically), the next read
				  fails with HFDS_ECANCELLED instead of fetching */
} hfds_rfile;

/* Opens a Parquet reader over the file (borrowed strings must outlive `*r`); the rfile
 * struct is the caller's and must outlive the reader (`opt` may be NULL; with threads > 1
 * the hub would be used from several threads: callers keep 1); release it with hfds_rfile_release. */
int hfds_rfile_open_parquet(hfds_pq_reader **r, hfds_rfile *f, const hfds_pq_reader_options *opt,
	hfds_error *err);
/* hfds_pq_read_fn over an hfds_rfile. A short read is HFDS_ECORRUPT naming the offset. */
int hfds_rfile_read(void *ctx, uint64_t offset, void *buf, size_t len, hfds_error *err);
void hfds_rfile_release(hfds_rfile *f);

#endif
