/*
 * One decompressing reader for every text input (PGN, JSON Lines, CSV), so a fix to the
 * truncation check or to gzip member handling lands once. The compressed bytes go
 * through a fixed raw buffer; `mid` tracks whether the decoder is inside a member/frame,
 * which is what tells a truncated file (error) from a clean end (0 bytes).
 */
#include "util/zread.h"

#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "util/alloc.h"
#include "util/try.h"

#define RAW_BUF (256u << 10)
#define MAX_STEP (1u << 30) /* zlib and bzip2 count in unsigned int */

struct hfds_zread {
	int fd;
	char *path;
	hfds_zkind kind;
	uint8_t *raw;
	size_t raw_pos, raw_len;
	int raw_eof;
	int mid;              /* inside a compressed member/frame: its end not seen yet */
	uint64_t raw_total;   /* bytes read from the file */
	uint64_t out_total;   /* bytes handed out */
	z_stream z;
	ZSTD_DStream *zs;
	bz_stream bz;
	int z_init, bz_init;
};

static int fill_raw(hfds_zread *r, hfds_error *err)
{
	ssize_t got;
	if (r->raw_pos < r->raw_len || r->raw_eof)
		return 0;
	do
		got = read(r->fd, r->raw, RAW_BUF);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return hfds_error_set(err, HFDS_EIO, "%s: read: %s", r->path, strerror(errno));
	r->raw_pos = 0;
	r->raw_len = (size_t)got;
	r->raw_total += (uint64_t)got;
	if (got == 0)
		r->raw_eof = 1;
	return 0;
}

const char *hfds_zread_kind_name(hfds_zkind kind)
{
	static const char *names[] = {"plain", "gzip", "zstd", "bzip2"};
	return (unsigned)kind < 4 ? names[kind] : "?";
}

int hfds_zread_open(hfds_zread **out, const char *path, hfds_error *err)
{
	hfds_zread *r;
	int rc = 0;
	*out = NULL;
	r = hfds_calloc(1, sizeof(*r));
	if (!r)
		return hfds_error_set(err, HFDS_ENOMEM, "%s: out of memory", path);
	r->fd = -1;
	r->path = hfds_strdup(path);
	r->raw = hfds_malloc(RAW_BUF);
	HFDS_FAIL_IF(!r->path || !r->raw, HFDS_ENOMEM, err, "%s: out of memory", path);
	if (!strcmp(path, "-")) {
		r->fd = dup(STDIN_FILENO);
		HFDS_FAIL_IF(r->fd < 0, HFDS_EIO, err, "stdin: %s", strerror(errno));
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		HFDS_FAIL_IF(r->fd < 0, errno == ENOENT ? HFDS_ENOTFOUND : HFDS_EIO, err, "%s: %s", path,
			strerror(errno));
	}
	/* the first bytes decide the format; short reads (pipes) are topped up to 4 bytes */
	HFDS_TRY(fill_raw(r, err));
	while (r->raw_len < 4 && !r->raw_eof) {
		ssize_t got = read(r->fd, r->raw + r->raw_len, RAW_BUF - r->raw_len);
		HFDS_FAIL_IF(got < 0 && errno != EINTR, HFDS_EIO, err, "%s: read: %s", path, strerror(errno));
		if (got == 0)
			r->raw_eof = 1;
		else if (got > 0)
			r->raw_len += (size_t)got, r->raw_total += (uint64_t)got;
	}
	if (r->raw_len >= 4 && !memcmp(r->raw, "\x28\xB5\x2F\xFD", 4)) {
		r->kind = HFDS_Z_ZSTD;
		r->zs = ZSTD_createDStream();
		HFDS_FAIL_IF(!r->zs, HFDS_ENOMEM, err, "%s: zstd: out of memory", path);
		ZSTD_initDStream(r->zs);
	} else if (r->raw_len >= 2 && r->raw[0] == 0x1F && r->raw[1] == 0x8B) {
		r->kind = HFDS_Z_GZIP;
		HFDS_FAIL_IF(inflateInit2(&r->z, 15 + 32) != Z_OK, HFDS_ENOMEM, err, "%s: zlib init failed", path);
		r->z_init = 1;
	} else if (r->raw_len >= 3 && !memcmp(r->raw, "BZh", 3)) {
		r->kind = HFDS_Z_BZIP2;
		HFDS_FAIL_IF(BZ2_bzDecompressInit(&r->bz, 0, 0) != BZ_OK, HFDS_ENOMEM, err, "%s: bzip2 init failed",
			path);
		r->bz_init = 1;
	}
	r->mid = r->kind != HFDS_Z_PLAIN;
	*out = r;
	r = NULL;
done:
	hfds_zread_free(r);
	return rc;
}

hfds_zkind hfds_zread_kind(const hfds_zread *r)
{
	return r->kind;
}

uint64_t hfds_zread_offset(const hfds_zread *r)
{
	return r->out_total;
}

void hfds_zread_free(hfds_zread *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	if (r->z_init)
		inflateEnd(&r->z);
	if (r->bz_init)
		BZ2_bzDecompressEnd(&r->bz);
	ZSTD_freeDStream(r->zs);
	hfds_free(r->raw);
	hfds_free(r->path);
	hfds_free(r);
}

/* Plain bytes: what is left in the raw buffer (the sniffed start), then straight reads. */
static int read_plain(hfds_zread *r, void *buf, size_t cap, size_t *got, hfds_error *err)
{
	ssize_t n;
	if (r->raw_pos < r->raw_len) {
		size_t k = r->raw_len - r->raw_pos < cap ? r->raw_len - r->raw_pos : cap;
		memcpy(buf, r->raw + r->raw_pos, k);
		r->raw_pos += k;
		*got = k;
		return 0;
	}
	if (r->raw_eof)
		return 0;
	do
		n = read(r->fd, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return hfds_error_set(err, HFDS_EIO, "%s: read: %s", r->path, strerror(errno));
	if (n == 0)
		r->raw_eof = 1;
	r->raw_total += (uint64_t)n;
	*got = (size_t)n;
	return 0;
}

/* One decoder step over the raw bytes at hand; *produced may be 0 (more input needed). */
static int step(hfds_zread *r, void *buf, size_t cap, size_t *produced, hfds_error *err)
{
	size_t avail = r->raw_len - r->raw_pos;
	if (r->kind == HFDS_Z_ZSTD) {
		ZSTD_inBuffer ib = {r->raw + r->raw_pos, avail, 0};
		ZSTD_outBuffer ob = {buf, cap, 0};
		size_t z = ZSTD_decompressStream(r->zs, &ob, &ib);
		if (ZSTD_isError(z))
			return hfds_error_set(err, HFDS_ECORRUPT, "%s: offset %llu: invalid zstd data: %s", r->path,
				(unsigned long long)(r->raw_total - avail + ib.pos), ZSTD_getErrorName(z));
		r->raw_pos += ib.pos;
		*produced = ob.pos;
		r->mid = z != 0; /* 0: a frame was completely decoded and flushed */
	} else if (r->kind == HFDS_Z_GZIP) {
		int zr;
		if (!r->mid) {
			/* between members: zero bytes are padding, anything else starts a member */
			if (r->raw[r->raw_pos] == 0) {
				r->raw_pos++;
				return 0;
			}
			r->mid = 1;
		}
		r->z.next_in = r->raw + r->raw_pos;
		r->z.avail_in = (uInt)(avail > MAX_STEP ? MAX_STEP : avail);
		r->z.next_out = buf;
		r->z.avail_out = (uInt)(cap > MAX_STEP ? MAX_STEP : cap);
		zr = inflate(&r->z, Z_NO_FLUSH);
		*produced = (size_t)((uint8_t *)r->z.next_out - (uint8_t *)buf);
		r->raw_pos = (size_t)(r->z.next_in - r->raw);
		if (zr == Z_STREAM_END) {
			r->mid = 0;
			inflateReset(&r->z);
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			return hfds_error_set(err, HFDS_ECORRUPT, "%s: offset %llu: invalid gzip data: %s", r->path,
				(unsigned long long)(r->raw_total - (r->raw_len - r->raw_pos)),
				r->z.msg ? r->z.msg : "corrupt stream");
		}
	} else {
		int br;
		r->bz.next_in = (char *)r->raw + r->raw_pos;
		r->bz.avail_in = (unsigned)avail;
		r->bz.next_out = buf;
		r->bz.avail_out = (unsigned)(cap > MAX_STEP ? MAX_STEP : cap);
		br = BZ2_bzDecompress(&r->bz);
		*produced = (size_t)(r->bz.next_out - (char *)buf);
		r->raw_pos = (size_t)((uint8_t *)r->bz.next_in - r->raw);
		r->mid = br != BZ_STREAM_END;
		if (br == BZ_STREAM_END) {
			BZ2_bzDecompressEnd(&r->bz);
			r->bz_init = 0;
			if (BZ2_bzDecompressInit(&r->bz, 0, 0) != BZ_OK)
				return hfds_error_set(err, HFDS_ENOMEM, "%s: bzip2 init failed", r->path);
			r->bz_init = 1;
		} else if (br != BZ_OK) {
			return hfds_error_set(err, HFDS_ECORRUPT, "%s: offset %llu: invalid bzip2 data (error %d)", r->path,
				(unsigned long long)(r->raw_total - (r->raw_len - r->raw_pos)), br);
		}
	}
	return 0;
}

int hfds_zread_read(hfds_zread *r, void *buf, size_t cap, size_t *got, hfds_error *err)
{
	int rc = 0;
	*got = 0;
	if (cap == 0)
		return 0;
	if (r->kind == HFDS_Z_PLAIN) {
		HFDS_TRY(read_plain(r, buf, cap, got, err));
		r->out_total += *got;
		return 0;
	}
	while (*got == 0) {
		HFDS_TRY(fill_raw(r, err));
		if (r->raw_pos == r->raw_len) {
			HFDS_FAIL_IF(r->mid, HFDS_ECORRUPT, err,
				"%s: offset %llu: the %s stream ends early (truncated file?); %llu bytes were decompressed",
				r->path, (unsigned long long)r->raw_total, hfds_zread_kind_name(r->kind),
				(unsigned long long)r->out_total);
			break;
		}
		HFDS_TRY(step(r, buf, cap, got, err));
	}
	r->out_total += *got;
done:
	return rc;
}
