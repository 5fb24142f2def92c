/*
 * Ranged reads of a repository file for the Parquet reader (see st_rfile.h). The tail is read
 * up front because the reader asks for the 8-byte trailer and then the footer: two round
 * trips become one, and the footer of a dataset shard nearly always fits in 64 KiB.
 */
#include "stream/st_rfile.h"

#include <string.h>

#include "util/alloc.h"

/* One fetch; limits are one byte over `len` because the HTTP backend NUL-terminates. */
static int fetch(hfds_rfile *f, uint64_t offset, size_t len, uint8_t **out, hfds_error *err)
{
	size_t n = 0;
	int rc = hfds_hub_read(out, &n, f->hub, HFDS_REPO_DATASET, f->repo_id, f->commit, f->path, offset, len,
		len + 1, err);
	if (rc < 0)
		return rc;
	__atomic_add_fetch(&f->bytes_read, n, __ATOMIC_RELEASE);
	if (n != len) {
		hfds_free(*out);
		*out = NULL;
		return hfds_error_set(err, HFDS_ECORRUPT, "%s: offset %llu: %zu bytes wanted, %zu read", f->path,
			(unsigned long long)offset, len, n);
	}
	return 0;
}

int hfds_rfile_read(void *ctx, uint64_t offset, void *buf, size_t len, hfds_error *err)
{
	hfds_rfile *f = ctx;
	uint64_t tail_at = f->size - f->tail_len;
	uint8_t *data = NULL;
	int rc;
	if (f->cancel && __atomic_load_n(f->cancel, __ATOMIC_ACQUIRE))
		return hfds_error_set(err, HFDS_ECANCELLED, "%s: the stream was closed", f->path);
	if (f->tail && offset >= tail_at && offset + len <= f->size) {
		memcpy(buf, f->tail + (offset - tail_at), len);
		return 0;
	}
	/* the hub hands back its own buffer: fetching a large range in pieces bounds that
	 * second copy to one piece instead of a whole column chunk (a row group's worth) */
	while (len) {
		size_t n = len < HFDS_RFILE_PIECE ? len : HFDS_RFILE_PIECE;
		if ((rc = fetch(f, offset, n, &data, err)) < 0)
			return rc;
		memcpy(buf, data, n);
		hfds_free(data);
		buf = (uint8_t *)buf + n;
		offset += n;
		len -= n;
	}
	return 0;
}

int hfds_rfile_open_parquet(hfds_pq_reader **r, hfds_rfile *f, const hfds_pq_reader_options *opt,
	hfds_error *err)
{
	size_t n = f->size < HFDS_RFILE_TAIL ? (size_t)f->size : HFDS_RFILE_TAIL;
	int rc;
	*r = NULL;
	if (n && (rc = fetch(f, f->size - n, n, &f->tail, err)) < 0)
		return rc;
	f->tail_len = f->tail ? n : 0;
	return hfds_pq_reader_open_callback(r, f->size, hfds_rfile_read, f, f->path, opt, err);
}

void hfds_rfile_release(hfds_rfile *f)
{
	if (!f)
		return;
	hfds_free(f->tail);
	f->tail = NULL;
	f->tail_len = 0;
}
