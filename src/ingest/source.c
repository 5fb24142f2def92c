/*
 * Input bytes for the ingest readers. Compression is detected from content, not names (a
 * file called .gz that is not gzip is read as text, and a gzip file named .jsonl is still
 * decompressed). Decompression runs through a 256 KiB input buffer, so memory does not
 * depend on the input size; gzip members are concatenated as gzip(1) does.
 */
#include "ingest/source.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "util/alloc.h"
#include "util/try.h"

#define IN_CAP (256u << 10)

enum { RAW, GZIP, ZSTD };

struct ing_source {
	int fd;
	int kind;
	char *path;
	uint8_t *in;
	size_t in_len, in_pos;
	int in_eof;
	uint64_t in_off;        /* compressed bytes consumed */
	int frame_open;         /* a gzip member / zstd frame is incomplete */
	z_stream z;
	int z_init;
	ZSTD_DStream *zd;
};

static int fill(ing_source *s, hfds_error *err)
{
	ssize_t n;
	if (s->in_pos < s->in_len || s->in_eof)
		return 0;
	s->in_pos = s->in_len = 0;
	do
		n = read(s->fd, s->in, IN_CAP);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return hfds_error_set(err, HFDS_EIO, "%s: read: %s", s->path, strerror(errno));
	if (n == 0)
		s->in_eof = 1;
	s->in_len = (size_t)n;
	return 0;
}

int ing_source_open(ing_source **out, const char *path, hfds_error *err)
{
	int rc = 0;
	ing_source *s = hfds_calloc(1, sizeof(*s));
	*out = NULL;
	HFDS_FAIL_IF(!s, HFDS_ENOMEM, err, "out of memory");
	s->fd = -1;
	s->path = hfds_strdup(path);
	s->in = hfds_malloc(IN_CAP);
	HFDS_FAIL_IF(!s->path || !s->in, HFDS_ENOMEM, err, "out of memory");
	s->fd = !strcmp(path, "-") ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	HFDS_FAIL_IF(s->fd < 0, HFDS_EIO, err, "%s: %s", path, strerror(errno));
	/* the first bytes decide the format; short reads (pipes) are gathered up to 4 bytes */
	while (s->in_len < 4 && !s->in_eof) {
		ssize_t n = read(s->fd, s->in + s->in_len, IN_CAP - s->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		HFDS_FAIL_IF(n < 0, HFDS_EIO, err, "%s: read: %s", path, strerror(errno));
		if (n == 0)
			s->in_eof = 1;
		s->in_len += (size_t)n;
	}
	if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
		s->kind = GZIP;
		HFDS_FAIL_IF(inflateInit2(&s->z, 15 + 32) != Z_OK, HFDS_ENOMEM, err, "out of memory");
		s->z_init = 1;
	} else if (s->in_len >= 4 && s->in[0] == 0x28 && s->in[1] == 0xb5 && s->in[2] == 0x2f && s->in[3] == 0xfd) {
		s->kind = ZSTD;
		s->zd = ZSTD_createDStream();
		HFDS_FAIL_IF(!s->zd, HFDS_ENOMEM, err, "out of memory");
	}
	*out = s;
	s = NULL;
done:
	ing_source_free(s);
	return rc;
}

static int read_gzip(ing_source *s, void *buf, size_t cap, size_t *got, hfds_error *err)
{
	int rc = 0;
	s->z.next_out = buf;
	s->z.avail_out = (uInt)(cap > (1u << 30) ? 1u << 30 : cap);
	while (s->z.avail_out > 0) {
		int zr;
		size_t before;
		HFDS_TRY(fill(s, err));
		if (s->in_pos == s->in_len) {
			HFDS_FAIL_IF(s->frame_open, HFDS_ECORRUPT, err,
				"%s: the gzip stream ends early (truncated at compressed offset %llu)", s->path,
				(unsigned long long)s->in_off);
			break;
		}
		if (!s->frame_open) {
			/* a new member: only when it starts with the gzip magic; trailing zeros are padding */
			if (s->in[s->in_pos] == 0) {
				s->in_off++;
				s->in_pos++;
				continue;
			}
			HFDS_FAIL_IF(inflateReset(&s->z) != Z_OK, HFDS_ECORRUPT, err, "%s: gzip reset failed", s->path);
			s->frame_open = 1;
		}
		s->z.next_in = s->in + s->in_pos;
		s->z.avail_in = (uInt)(s->in_len - s->in_pos);
		before = s->z.avail_in;
		zr = inflate(&s->z, Z_NO_FLUSH);
		s->in_off += before - s->z.avail_in;
		s->in_pos += before - s->z.avail_in;
		if (zr == Z_STREAM_END) {
			s->frame_open = 0;
			continue;
		}
		HFDS_FAIL_IF(zr != Z_OK && zr != Z_BUF_ERROR, HFDS_ECORRUPT, err, "%s: invalid gzip data at compressed offset %llu: %s",
			s->path, (unsigned long long)s->in_off, s->z.msg ? s->z.msg : "corrupt");
	}
	*got = (size_t)((uint8_t *)s->z.next_out - (uint8_t *)buf);
done:
	return rc;
}

static int read_zstd(ing_source *s, void *buf, size_t cap, size_t *got, hfds_error *err)
{
	int rc = 0;
	ZSTD_outBuffer o = {buf, cap, 0};
	while (o.pos < o.size) {
		ZSTD_inBuffer i;
		size_t zr;
		HFDS_TRY(fill(s, err));
		if (s->in_pos == s->in_len) {
			HFDS_FAIL_IF(s->frame_open, HFDS_ECORRUPT, err,
				"%s: the zstd stream ends early (truncated at compressed offset %llu)", s->path,
				(unsigned long long)s->in_off);
			break;
		}
		i.src = s->in + s->in_pos;
		i.size = s->in_len - s->in_pos;
		i.pos = 0;
		zr = ZSTD_decompressStream(s->zd, &o, &i);
		s->in_pos += i.pos;
		s->in_off += i.pos;
		HFDS_FAIL_IF(ZSTD_isError(zr), HFDS_ECORRUPT, err, "%s: invalid zstd data at compressed offset %llu: %s", s->path,
			(unsigned long long)s->in_off, ZSTD_getErrorName(zr));
		s->frame_open = zr != 0;
	}
	*got = o.pos;
done:
	return rc;
}

int ing_source_read(ing_source *s, void *buf, size_t cap, size_t *got, hfds_error *err)
{
	int rc = 0;
	*got = 0;
	if (s->kind == GZIP)
		return read_gzip(s, buf, cap, got, err);
	if (s->kind == ZSTD)
		return read_zstd(s, buf, cap, got, err);
	if (s->in_pos < s->in_len) {
		size_t n = s->in_len - s->in_pos < cap ? s->in_len - s->in_pos : cap;
		memcpy(buf, s->in + s->in_pos, n);
		s->in_pos += n;
		*got = n;
		return 0;
	}
	if (s->in_eof)
		return 0;
	for (;;) {
		ssize_t n = read(s->fd, buf, cap);
		if (n < 0 && errno == EINTR)
			continue;
		HFDS_FAIL_IF(n < 0, HFDS_EIO, err, "%s: read: %s", s->path, strerror(errno));
		if (n == 0)
			s->in_eof = 1;
		*got = (size_t)n;
		break;
	}
done:
	return rc;
}

void ing_source_free(ing_source *s)
{
	if (!s)
		return;
	if (s->fd > STDIN_FILENO)
		close(s->fd);
	if (s->z_init)
		inflateEnd(&s->z);
	ZSTD_freeDStream(s->zd);
	hfds_free(s->in);
	hfds_free(s->path);
	hfds_free(s);
}
