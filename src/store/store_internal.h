/*
 * Internals shared by the files of the embedded hub (src/store/). Not a public header.
 */
#ifndef HFDS_STORE_INTERNAL_H
#define HFDS_STORE_INTERNAL_H

#include <git2.h>
#include "hfds/store.h"

struct hfds_store {
	char *root;                 /* absolute, no trailing '/' */
	unsigned lock_timeout_ms;
};

struct hfds_store_repo {
	hfds_store *st;
	hfds_repo_type type;
	char id[HFDS_REPO_ID_SIZE];
	char *git_dir;              /* absolute path of the bare repository */
	git_repository *git;
};

/* Default branch of every repository. */
#define STORE_MAIN "main"
/* Pointer files are small; anything larger is not a pointer. */
#define STORE_POINTER_MAX 1024

/* Records a libgit2 failure `grc` as an hfds error prefixed with `what`; returns the code. */
int hfds_store__git_fail(hfds_error *err, int grc, const char *what);

/* Records a libgit2 failure and jumps to `done` (expects `int rc` and `hfds_error *err`). */
#define STORE_GIT_FAIL(g, what) \
	do { rc = hfds_store__git_fail(err, (g), (what)); goto done; } while (0)

/* "<root>/<type>s/<id>.git" (hfds_free). The id must be valid. */
int hfds_store__repo_dir(char **out, const hfds_store *st, hfds_repo_type type, const char *id,
	hfds_error *err);
/* mkdir -p for the directory part of `path` (up to its last '/'). */
int hfds_store__mkdirs_for(const char *path, hfds_error *err);

/* Resolves a revision to a commit oid. */
int hfds_store__resolve_oid(git_oid *out, hfds_store_repo *repo, const char *rev, hfds_error *err);
/* Looks a commit's root tree up. */
int hfds_store__commit_tree(git_tree **out, hfds_store_repo *repo, const git_oid *commit,
	hfds_error *err);

/* The writer lock of one repository (an open fd holding flock(LOCK_EX)). */
int hfds_store__lock(int *fd_out, hfds_store_repo *repo, hfds_error *err);
void hfds_store__unlock(int fd);

/* LFS pointer text for (sha256, size) into buf (>= 200 bytes); returns its length. */
size_t hfds_store__pointer_format(char *buf, size_t cap, const char *sha256_hex, uint64_t size);
/* Parses a pointer blob; 1 if it is one (filling sha256 hex and size), else 0. */
int hfds_store__pointer_parse(const void *data, size_t len, char sha256_hex[HFDS_SHA256_HEX_SIZE],
	uint64_t *size);
/* The `.gitattributes` text the Hub creates for a new repository of this type. */
const char *hfds_store__default_gitattributes(hfds_repo_type type);
/* 1 if `path` matches a `filter=lfs` rule in the .gitattributes text (last rule wins). */
int hfds_store__attr_is_lfs(const char *attrs, size_t attrs_len, const char *path);
/* Strict UTF-8 check. */
int hfds_store__utf8_valid(const unsigned char *s, size_t n);
/* 1 if a sample (the first <= 512 bytes) looks binary: a NUL or invalid UTF-8. */
int hfds_store__looks_binary(const uint8_t *sample, size_t n);

/*
 * Stores a local file as an LFS object. With `sha256_hex` (and `size`, checked with stat)
 * for a file the library staged itself under <root>/tmp with one link, the file is linked
 * (renamed with `move`) without being read; any other file is copied while hashing, the
 * copy checked against `sha256_hex` when given (HFDS_ECORRUPT) and renamed in. The sha256
 * goes to sha_out and the size stored to *size_out: the pointer must describe the bytes
 * stored, even when the source changed after the caller looked at it.
 */
int hfds_store__object_put_file(hfds_store *st, const char *local_path, const char *sha256_hex,
	uint64_t size, int move, char sha_out[HFDS_SHA256_HEX_SIZE], uint64_t *size_out, hfds_error *err);
/* Stores a buffer as an LFS object (temp file + rename); writes its sha256. */
int hfds_store__object_put_buffer(hfds_store *st, const void *data, size_t len,
	char sha_out[HFDS_SHA256_HEX_SIZE], hfds_error *err);

/* Test hook: when set, called after a commit's objects are written, before the ref moves. */
extern void (*hfds_store__before_ref_update)(void);

#endif
