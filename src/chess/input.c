/*
 * PGN input streams over util/zread (plain, gzip, zstd or bzip2 by magic bytes; a
 * compressed stream that ends inside a member/frame is an error naming the file and the
 * offset: it once ended the input silently with fewer games). On top of it: a name
 * ending in .gz/.zst/.bz2 whose bytes are not that format is refused rather than read as
 * text; a NUL byte, which no PGN text holds, is refused with its offset (50 MB of zeros
 * once became a row).
 * Also the expansion of command-line paths into the sorted list of sources.
 */
#include "hfds/chess.h"
#include "util/alloc.h"
#include "util/try.h"
#include "util/zread.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct hfds_chess_input {
	hfds_zread *z;
	char *path;
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

/* A compression suffix is a promise about the bytes: a mismatch is refused. */
static int check_suffix(const hfds_chess_input *in, hfds_error *err)
{
	static const struct {
		const char *suffix;
		hfds_zkind kind;
	} sx[] = {{".gz", HFDS_Z_GZIP}, {".zst", HFDS_Z_ZSTD}, {".bz2", HFDS_Z_BZIP2}};
	for (size_t i = 0; i < sizeof(sx) / sizeof(sx[0]); i++)
		if (ends_with(in->path, sx[i].suffix) && hfds_zread_kind(in->z) != sx[i].kind)
			return hfds_error_set(err, HFDS_ECORRUPT, "%s: offset 0: named %s but not %s data (no %s magic bytes)",
				in->path, sx[i].suffix, hfds_zread_kind_name(sx[i].kind), hfds_zread_kind_name(sx[i].kind));
	return 0;
}

int hfds_chess_input_open(hfds_chess_input **out, const char *path, hfds_error *err)
{
	hfds_chess_input *in;
	int rc = 0;
	*out = NULL;
	in = hfds_calloc(1, sizeof(*in));
	if (!in)
		return hfds_error_set(err, HFDS_ENOMEM, "%s: out of memory", path);
	in->path = hfds_strdup(path);
	HFDS_FAIL_IF(!in->path, HFDS_ENOMEM, err, "%s: out of memory", path);
	HFDS_TRY(hfds_zread_open(&in->z, path, err));
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
	hfds_zread_free(in->z);
	hfds_free(in->path);
	hfds_free(in);
}

/* Hands out what the reader gave, refusing a NUL byte (no PGN text holds one) with its offset. */
ptrdiff_t hfds_chess_input_read(void *ctx, void *buf, size_t cap, hfds_error *err)
{
	hfds_chess_input *in = ctx;
	uint64_t before = hfds_zread_offset(in->z);
	size_t got = 0;
	const char *nul;
	int rc = hfds_zread_read(in->z, buf, cap, &got, err);
	if (rc < 0)
		return rc;
	nul = got ? memchr(buf, 0, got) : NULL;
	if (nul)
		return hfds_error_set(err, HFDS_EPARSE, "%s: offset %llu%s: a NUL byte: not PGN text", in->path,
			(unsigned long long)(before + (uint64_t)(nul - (const char *)buf)),
			hfds_zread_kind(in->z) == HFDS_Z_PLAIN ? "" : " (decompressed)");
	return (ptrdiff_t)got;
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
