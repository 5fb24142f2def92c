/*
 * Opening a Parquet file: path / memory / read callback, footer fetch (one read of the
 * tail when the footer fits in it), metadata accessors.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parquet/read/assemble.h"
#include "parquet/format/pq_format.h"
#include "util/alloc.h"
#include "util/pool.h"
#include "util/try.h"

#define TAIL_READ 65536

void hfds_pq_reader_options_init(hfds_pq_reader_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->version = HFDS_PQ_READER_OPTIONS_VERSION;
	opt->max_alloc = (size_t)1 << 30;
	opt->verify_crc = 1;
	opt->threads = 1;
}

int pq_reader__read(hfds_pq_reader *r, uint64_t off, void *buf, size_t len, hfds_error *err)
{
	if (off > r->size || len > r->size - off)
		return hfds_error_set(err, HFDS_ECORRUPT, "offset %llu: range of %zu bytes extends past the end of the file (%llu bytes)",
				      (unsigned long long)off, len, (unsigned long long)r->size);
	if (len == 0)
		return 0;
	return r->read(r->ctx, off, buf, len, err);
}

static int mem_read(void *ctx, uint64_t off, void *buf, size_t len, hfds_error *err)
{
	(void)err;
	memcpy(buf, (const uint8_t *)ctx + off, len);
	return 0;
}

static int fd_read(void *ctx, uint64_t off, void *buf, size_t len, hfds_error *err)
{
	hfds_pq_reader *r = ctx;
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(r->fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hfds_error_set(err, HFDS_EIO, "read at offset %llu: %s",
					      (unsigned long long)(off + done), n < 0 ? strerror(errno) : "unexpected end of file");
		done += (size_t)n;
	}
	return 0;
}

static int load_footer(hfds_pq_reader *r, hfds_error *err)
{
	int rc = 0;
	uint8_t *tail = NULL, *foot;
	size_t tail_len;
	uint32_t flen;
	uint64_t foff;
	if (r->size < 12) {
		uint8_t head[4] = {0};
		if (r->size >= 4 && pq_reader__read(r, 0, head, 4, err) == 0 && !memcmp(head, PQ_MAGIC_ENCRYPTED, 4))
			HFDS_FAIL(HFDS_EUNSUPPORTED, err, "encrypted Parquet is not supported");
		HFDS_FAIL(HFDS_ECORRUPT, err, "offset 0: file of %llu bytes is too small for Parquet",
			  (unsigned long long)r->size);
	}
	tail_len = r->size < TAIL_READ ? (size_t)r->size : TAIL_READ;
	if (!(tail = hfds_malloc(tail_len)))
		HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(pq_reader__read(r, r->size - tail_len, tail, tail_len, err));
	if (!memcmp(tail + tail_len - 4, PQ_MAGIC_ENCRYPTED, 4))
		HFDS_FAIL(HFDS_EUNSUPPORTED, err, "encrypted Parquet is not supported");
	if (memcmp(tail + tail_len - 4, PQ_MAGIC, 4))
		HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: no PAR1 magic at the end of the file",
			  (unsigned long long)(r->size - 4));
	memcpy(&flen, tail + tail_len - 8, 4);
	if ((uint64_t)flen + 12 > r->size)
		HFDS_FAIL(HFDS_ECORRUPT, err, "offset %llu: footer length %u exceeds the file size %llu",
			  (unsigned long long)(r->size - 8), flen, (unsigned long long)r->size);
	if (flen > r->opt.max_alloc)
		HFDS_FAIL(HFDS_ELIMIT, err, "footer of %u bytes exceeds the allocation limit", flen);
	foff = r->size - 8 - flen;
	if ((uint64_t)flen + 8 <= tail_len) {
		foot = tail + tail_len - 8 - flen;
	} else {
		uint8_t *big = hfds_malloc(flen);
		if (!big)
			HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
		hfds_free(tail);
		tail = big;
		HFDS_TRY(pq_reader__read(r, foff, tail, flen, err));
		foot = tail;
	}
	HFDS_TRY(pq_meta_parse(&r->meta, foot, flen, foff, err));
done:
	hfds_free(tail);
	return rc;
}

static int open_common(hfds_pq_reader **out, hfds_pq_reader *r, const char *name,
		       const hfds_pq_reader_options *opt, hfds_error *err)
{
	int rc = 0;
	if (opt)
		r->opt = *opt;
	else
		hfds_pq_reader_options_init(&r->opt);
	if (r->opt.max_alloc == 0)
		r->opt.max_alloc = (size_t)1 << 30;
	if (name && !(r->name = hfds_strdup(name)))
		HFDS_FAIL(HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(load_footer(r, err));
	*out = r;
	r = NULL;
done:
	if (rc < 0 && name)
		hfds_error_prefix(err, name);
	hfds_pq_reader_free(r);
	return rc;
}

static hfds_pq_reader *new_reader(void)
{
	hfds_pq_reader *r = hfds_calloc(1, sizeof *r);
	if (r)
		r->fd = -1;
	return r;
}

int hfds_pq_reader_open_path(hfds_pq_reader **out, const char *path, const hfds_pq_reader_options *opt,
			     hfds_error *err)
{
	struct stat st;
	hfds_pq_reader *r;
	*out = NULL;
	HFDS_CHECK_VERSION(opt, HFDS_PQ_READER_OPTIONS_VERSION, "hfds_pq_reader_options", err);
	if (!(r = new_reader()))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0 || fstat(r->fd, &st) < 0) {
		int e = errno;
		hfds_pq_reader_free(r);
		return hfds_error_set(err, e == ENOENT ? HFDS_ENOTFOUND : HFDS_EIO, "%s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		hfds_pq_reader_free(r);
		return hfds_error_set(err, HFDS_EINVAL, "%s: not a regular file", path);
	}
	r->size = (uint64_t)st.st_size;
	r->read = fd_read;
	r->ctx = r;
	return open_common(out, r, path, opt, err);
}

int hfds_pq_reader_open_memory(hfds_pq_reader **out, const void *data, size_t len, const char *name,
			       const hfds_pq_reader_options *opt, hfds_error *err)
{
	hfds_pq_reader *r;
	*out = NULL;
	HFDS_CHECK_VERSION(opt, HFDS_PQ_READER_OPTIONS_VERSION, "hfds_pq_reader_options", err);
	if (!(r = new_reader()))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	r->mem = data;
	r->size = len;
	r->read = mem_read;
	r->ctx = (void *)data;
	return open_common(out, r, name, opt, err);
}

int hfds_pq_reader_open_callback(hfds_pq_reader **out, uint64_t size, hfds_pq_read_fn fn, void *ctx,
				 const char *name, const hfds_pq_reader_options *opt, hfds_error *err)
{
	hfds_pq_reader *r;
	*out = NULL;
	HFDS_CHECK_VERSION(opt, HFDS_PQ_READER_OPTIONS_VERSION, "hfds_pq_reader_options", err);
	HFDS_ASSERT_ARG(fn != NULL, err);
	if (!(r = new_reader()))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	r->size = size;
	r->read = fn;
	r->ctx = ctx;
	return open_common(out, r, name, opt, err);
}

void hfds_pq_reader_free(hfds_pq_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	hfds_pool_free(r->pool);
	pq_anode_free(r->root);
	hfds_free(r->leaf_narrow);
	pq_meta_free(r->meta);
	hfds_free(r->name);
	hfds_free(r);
}

int64_t hfds_pq_reader_num_rows(const hfds_pq_reader *r)
{
	return r->meta->num_rows_sum;
}

int hfds_pq_reader_num_row_groups(const hfds_pq_reader *r)
{
	return r->meta->nrow_groups;
}

int64_t hfds_pq_reader_row_group_num_rows(const hfds_pq_reader *r, int rg)
{
	return rg >= 0 && rg < r->meta->nrow_groups ? r->meta->row_groups[rg].num_rows : -1;
}

int hfds_pq_reader_kv(const hfds_pq_reader *r, const char *key, const char **value, size_t *len)
{
	const pq_kv *kv = pq_meta_kv(r->meta, key);
	if (!kv)
		return HFDS_ENOTFOUND;
	*value = kv->value.set ? (const char *)kv->value.p : "";
	*len = kv->value.set ? kv->value.n : 0;
	return 0;
}
