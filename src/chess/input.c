/*
 * PGN input streams: plain, gzip, zstd or bzip2, recognised by their magic bytes (so stdin
 * may be compressed too), decompressed incrementally through a fixed raw buffer.
 * Concatenated gzip members, zstd frames and bzip2 streams are all read. A compressed
 * stream that ends inside a member/frame is an error naming the file and the offset (it
 * once ended the input silently with fewer games); a name ending in .gz/.zst/.bz2 whose
 * bytes are not that format is refused rather than read as text; a NUL byte, which no PGN
 * text holds, is refused with its offset (50 MB of zeros once became a row).
 * Also the expansion of command-line paths into the sorted list of sources.
 */
#include "hfds/chess.h"
#include "util/alloc.h"
#include "util/try.h"

#include <bzlib.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define RAW_BUF (256u << 10)

enum { K_PLAIN, K_GZ, K_ZST, K_BZ2 };

struct hfds_chess_input {
	int fd;
	char *path;
	int kind;
	uint8_t *raw;
	size_t raw_pos, raw_len;
	int raw_eof;
	int done;
	int mid;                  /* inside a compressed member/frame: its end not seen yet */
	uint64_t raw_total;       /* bytes read from the file */
	uint64_t out_total;       /* bytes handed out (after decompression) */
	z_stream z;
	ZSTD_DStream *zs;
	bz_stream bz;
	int z_init, bz_init;
};

static int fill_raw(hfds_chess_input *in, hfds_error *err)
{
	ssize_t got;
	if (in->raw_pos < in->raw_len || in->raw_eof)
		return 0;
	do
		got = read(in->fd, in->raw, RAW_BUF);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return hfds_error_set(err, HFDS_EIO, "%s: read: %s", in->path, strerror(errno));
	in->raw_pos = 0;
	in->raw_len = (size_t)got;
	in->raw_total += (uint64_t)got;
	if (got == 0)
		in->raw_eof = 1;
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

/* A compression suffix is a promise about the bytes: a mismatch is refused. */
static int check_suffix(const hfds_chess_input *in, hfds_error *err)
{
	static const struct {
		const char *suffix, *name;
		int kind;
	} sx[] = {{".gz", "gzip", K_GZ}, {".zst", "zstd", K_ZST}, {".bz2", "bzip2", K_BZ2}};
	for (size_t i = 0; i < sizeof(sx) / sizeof(sx[0]); i++)
		if (ends_with(in->path, sx[i].suffix) && in->kind != sx[i].kind)
			return hfds_error_set(err, HFDS_ECORRUPT, "%s: offset 0: named %s but not %s data (no %s magic bytes)",
				in->path, sx[i].suffix, sx[i].name, sx[i].name);
	return 0;
}

/* Hands out `n` bytes at `buf`, refusing a NUL byte with its offset. */
static ptrdiff_t hand_out(hfds_chess_input *in, const void *buf, size_t n, hfds_error *err)
{
	const char *nul = n ? memchr(buf, 0, n) : NULL;
	if (nul)
		return hfds_error_set(err, HFDS_EPARSE, "%s: offset %llu%s: a NUL byte: not PGN text", in->path,
			(unsigned long long)(in->out_total + (uint64_t)(nul - (const char *)buf)),
			in->kind == K_PLAIN ? "" : " (decompressed)");
	in->out_total += n;
	return (ptrdiff_t)n;
}

int hfds_chess_input_open(hfds_chess_input **out, const char *path, hfds_error *err)
{
	hfds_chess_input *in;
	int rc = 0;
	*out = NULL;
	in = hfds_calloc(1, sizeof(*in));
	if (!in)
		return hfds_error_set(err, HFDS_ENOMEM, "%s: out of memory", path);
	in->fd = -1;
	in->path = hfds_strdup(path);
	in->raw = hfds_malloc(RAW_BUF);
	HFDS_FAIL_IF(!in->path || !in->raw, HFDS_ENOMEM, err, "%s: out of memory", path);
	if (!strcmp(path, "-")) {
		in->fd = dup(STDIN_FILENO);
		HFDS_FAIL_IF(in->fd < 0, HFDS_EIO, err, "stdin: %s", strerror(errno));
	} else {
		in->fd = open(path, O_RDONLY | O_CLOEXEC);
		HFDS_FAIL_IF(in->fd < 0, errno == ENOENT ? HFDS_ENOTFOUND : HFDS_EIO, err, "%s: %s", path,
			strerror(errno));
	}
	/* Sniff the format from the first bytes (a short first read is topped up). */
	HFDS_TRY(fill_raw(in, err));
	while (in->raw_len < 4 && !in->raw_eof) {
		ssize_t got = read(in->fd, in->raw + in->raw_len, RAW_BUF - in->raw_len);
		HFDS_FAIL_IF(got < 0 && errno != EINTR, HFDS_EIO, err, "%s: read: %s", path, strerror(errno));
		if (got == 0)
			in->raw_eof = 1;
		else if (got > 0)
			in->raw_len += (size_t)got, in->raw_total += (uint64_t)got;
	}
	if (in->raw_len >= 4 && !memcmp(in->raw, "\x28\xB5\x2F\xFD", 4)) {
		in->kind = K_ZST;
		in->zs = ZSTD_createDStream();
		HFDS_FAIL_IF(!in->zs, HFDS_ENOMEM, err, "%s: zstd: out of memory", path);
		ZSTD_initDStream(in->zs);
	} else if (in->raw_len >= 2 && in->raw[0] == 0x1F && in->raw[1] == 0x8B) {
		in->kind = K_GZ;
		HFDS_FAIL_IF(inflateInit2(&in->z, 15 + 32) != Z_OK, HFDS_ENOMEM, err, "%s: zlib init failed", path);
		in->z_init = 1;
	} else if (in->raw_len >= 3 && !memcmp(in->raw, "BZh", 3)) {
		in->kind = K_BZ2;
		HFDS_FAIL_IF(BZ2_bzDecompressInit(&in->bz, 0, 0) != BZ_OK, HFDS_ENOMEM, err, "%s: bzip2 init failed", path);
		in->bz_init = 1;
	}
	in->mid = in->kind != K_PLAIN;
	HFDS_TRY(check_suffix(in, err));
	*out = in;
	in = NULL;
done:
	hfds_chess_input_close(in);
	return rc;
}

void hfds_chess_input_close(hfds_chess_input *in)
{
	if (!in)
		return;
	if (in->fd >= 0)
		close(in->fd);
	if (in->z_init)
		inflateEnd(&in->z);
	if (in->bz_init)
		BZ2_bzDecompressEnd(&in->bz);
	ZSTD_freeDStream(in->zs);
	hfds_free(in->raw);
	hfds_free(in->path);
	hfds_free(in);
}

ptrdiff_t hfds_chess_input_read(void *ctx, void *buf, size_t cap, hfds_error *err)
{
	hfds_chess_input *in = ctx;
	int rc;
	if (in->done || cap == 0)
		return 0;
	for (;;) {
		size_t avail, produced = 0;
		if (in->kind == K_PLAIN && in->raw_pos == in->raw_len && !in->raw_eof) {
			/* plain input straight into the caller's buffer: no second copy */
			ssize_t got;
			do
				got = read(in->fd, buf, cap);
			while (got < 0 && errno == EINTR);
			if (got < 0)
				return hfds_error_set(err, HFDS_EIO, "%s: read: %s", in->path, strerror(errno));
			if (got == 0)
				in->raw_eof = in->done = 1;
			in->raw_total += (uint64_t)(got > 0 ? got : 0);
			return hand_out(in, buf, (size_t)got, err);
		}
		if ((rc = fill_raw(in, err)) < 0)
			return rc;
		avail = in->raw_len - in->raw_pos;
		if (in->kind == K_PLAIN) {
			size_t n = avail < cap ? avail : cap;
			if (n == 0)
				in->done = 1;
			memcpy(buf, in->raw + in->raw_pos, n);
			in->raw_pos += n;
			return hand_out(in, buf, n, err);
		}
		if (avail == 0 && in->raw_eof) {
			static const char *names[] = {"", "gzip", "zstd", "bzip2"};
			in->done = 1;
			if (in->mid)
				return hfds_error_set(err, HFDS_ECORRUPT,
					"%s: offset %llu: the %s stream ends early (truncated file?); %llu bytes were decompressed",
					in->path, (unsigned long long)in->raw_total, names[in->kind],
					(unsigned long long)in->out_total);
			return 0;
		}
		if (in->kind == K_ZST) {
			ZSTD_inBuffer ib = {in->raw + in->raw_pos, avail, 0};
			ZSTD_outBuffer ob = {buf, cap, 0};
			size_t z = ZSTD_decompressStream(in->zs, &ob, &ib);
			if (ZSTD_isError(z))
				return hfds_error_set(err, HFDS_ECORRUPT, "%s: zstd: %s", in->path, ZSTD_getErrorName(z));
			in->raw_pos += ib.pos;
			produced = ob.pos;
			in->mid = z != 0; /* 0: a frame was completely decoded and flushed */
		} else if (in->kind == K_GZ) {
			int zr;
			in->z.next_in = in->raw + in->raw_pos;
			in->z.avail_in = (uInt)avail;
			in->z.next_out = buf;
			in->z.avail_out = (uInt)(cap > (1u << 30) ? (1u << 30) : cap);
			zr = inflate(&in->z, Z_NO_FLUSH);
			produced = (size_t)((uint8_t *)in->z.next_out - (uint8_t *)buf);
			in->raw_pos = (size_t)(in->z.next_in - in->raw);
			in->mid = zr != Z_STREAM_END;
			if (zr == Z_STREAM_END) {
				inflateReset(&in->z);
			} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
				return hfds_error_set(err, HFDS_ECORRUPT, "%s: gzip: %s", in->path,
					in->z.msg ? in->z.msg : "corrupt stream");
			}
		} else {
			int br;
			in->bz.next_in = (char *)in->raw + in->raw_pos;
			in->bz.avail_in = (unsigned)avail;
			in->bz.next_out = buf;
			in->bz.avail_out = (unsigned)(cap > (1u << 30) ? (1u << 30) : cap);
			br = BZ2_bzDecompress(&in->bz);
			produced = (size_t)(in->bz.next_out - (char *)buf);
			in->raw_pos = (size_t)((uint8_t *)in->bz.next_in - in->raw);
			in->mid = br != BZ_STREAM_END;
			if (br == BZ_STREAM_END) {
				BZ2_bzDecompressEnd(&in->bz);
				in->bz_init = 0;
				if (BZ2_bzDecompressInit(&in->bz, 0, 0) != BZ_OK)
					return hfds_error_set(err, HFDS_ENOMEM, "%s: bzip2 init failed", in->path);
				in->bz_init = 1;
			} else if (br != BZ_OK) {
				return hfds_error_set(err, HFDS_ECORRUPT, "%s: bzip2: error %d", in->path, br);
			}
		}
		if (produced)
			return hand_out(in, buf, produced, err);
	}
}

/* ------------------------------------------------------------------ paths */

typedef struct strvec {
	char **v;
	size_t n, cap;
} strvec;

static int push(strvec *s, const char *str, hfds_error *err)
{
	if (s->n + 2 > s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		char **nv = hfds_reallocarray(s->v, nc, sizeof(char *));
		if (!nv)
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		s->v = nv;
		s->cap = nc;
	}
	if (!(s->v[s->n] = hfds_strdup(str)))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	s->v[++s->n] = NULL;
	return 0;
}

static int pgn_name(const char *n)
{
	static const char *suf[] = {".pgn", ".pgn.zst", ".pgn.gz", ".pgn.bz2"};
	size_t i, l = strlen(n);
	for (i = 0; i < 4; i++) {
		size_t k = strlen(suf[i]);
		if (l > k && !strcmp(n + l - k, suf[i]))
			return 1;
	}
	return 0;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(strvec *out, const char *dir, int recursive, int depth, hfds_error *err)
{
	DIR *d;
	struct dirent *de;
	strvec names = {0};
	size_t i;
	int rc = 0;
	char *full = NULL;
	HFDS_FAIL_IF(depth > 64, HFDS_ELIMIT, err, "%s: directories nested too deeply", dir);
	d = opendir(dir);
	HFDS_FAIL_IF(!d, HFDS_EIO, err, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((rc = push(&names, de->d_name, err)) < 0)
			break;
	}
	closedir(d);
	if (rc < 0)
		goto done;
	if (names.n)
		qsort(names.v, names.n, sizeof(char *), cmpstr);
	for (i = 0; i < names.n; i++) {
		struct stat st;
		size_t l = strlen(dir) + strlen(names.v[i]) + 2;
		hfds_free(full);
		full = hfds_malloc(l);
		HFDS_FAIL_IF(!full, HFDS_ENOMEM, err, "out of memory");
		snprintf(full, l, "%s/%s", dir, names.v[i]);
		if (stat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (recursive)
				HFDS_TRY(walk(out, full, recursive, depth + 1, err));
		} else if (pgn_name(names.v[i])) {
			HFDS_TRY(push(out, full, err));
		}
	}
done:
	hfds_free(full);
	hfds_chess_paths_free(names.v);
	return rc;
}

int hfds_chess_expand_paths(char ***out, size_t *count, char *const *paths, size_t npaths, int recursive,
	hfds_error *err)
{
	strvec v = {0};
	size_t i;
	int rc = 0;
	*out = NULL;
	*count = 0;
	for (i = 0; i < npaths; i++) {
		struct stat st;
		if (strcmp(paths[i], "-") != 0 && stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			HFDS_TRY(walk(&v, paths[i], recursive, 0, err));
		} else {
			HFDS_FAIL_IF(strcmp(paths[i], "-") != 0 && stat(paths[i], &st) != 0, HFDS_ENOTFOUND, err,
				"%s: %s", paths[i], strerror(errno));
			HFDS_TRY(push(&v, paths[i], err));
		}
	}
	if (!v.v) {
		v.v = hfds_calloc(1, sizeof(char *));
		HFDS_FAIL_IF(!v.v, HFDS_ENOMEM, err, "out of memory");
	}
	*out = v.v;
	*count = v.n;
	v.v = NULL;
done:
	hfds_chess_paths_free(v.v);
	return rc;
}

void hfds_chess_paths_free(char **paths)
{
	size_t i;
	if (!paths)
		return;
	for (i = 0; paths[i]; i++)
		hfds_free(paths[i]);
	hfds_free(paths);
}
