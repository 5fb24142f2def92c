/*
 * The shared LFS object store: `<root>/lfs/objects/ab/cd/<sha256>`. Objects appear under
 * their final name only complete (link, rename, or temp file + rename), so a crash never
 * leaves a partial object where a reader could find it. Identical content is stored once.
 * An object's bytes must always match its name: only files the library wrote itself in
 * its staging area are hard-linked or renamed in; any other file is copied while hashing
 * and the copy is stored. Objects are read-only (0444).
 */
#include "store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/sha256.h"
#include "util/try.h"

static int hex64_ok(const char *s)
{
	if (!s || strlen(s) != 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int hfds_store_object_path(char **out, const hfds_store *st, const char *sha256_hex, hfds_error *err)
{
	size_t n;
	*out = NULL;
	if (!hex64_ok(sha256_hex))
		return hfds_error_set(err, HFDS_EINVAL, "'%.70s' is not a lower-case 64-hex sha256",
			sha256_hex ? sha256_hex : "");
	n = strlen(st->root) + 96;
	if (!(*out = hfds_malloc(n)))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	snprintf(*out, n, "%s/lfs/objects/%.2s/%.2s/%s", st->root, sha256_hex, sha256_hex + 2, sha256_hex);
	return 0;
}

/* An existing object must have the expected size; a mismatch means a corrupt store. */
static int existing_ok(const char *obj, uint64_t size, int *exists, hfds_error *err)
{
	struct stat sb;
	*exists = 0;
	if (stat(obj, &sb) != 0)
		return 0;
	if ((uint64_t)sb.st_size != size)
		return hfds_error_set(err, HFDS_ECORRUPT, "%s: lfs object has %lld bytes, expected %llu",
			obj, (long long)sb.st_size, (unsigned long long)size);
	*exists = 1;
	return 0;
}

/* Makes a stored object read-only: nothing may change bytes that are named by their hash. */
static void seal(const char *obj)
{
	(void)chmod(obj, 0444);
}

/*
 * 1 when `local` is a file the library wrote itself: a regular file in the store's own
 * staging area (<root>/tmp, where the dataset writer hashes shards while writing them),
 * with no other hard link. Only such files may become objects by link or rename; anything
 * else (a user's folder) could change after it was hashed and would corrupt the object.
 */
static int is_own_staged(const hfds_store *st, const char *local, const struct stat *sb)
{
	char *real = NULL, *root = NULL;
	int own = 0;
	if (!S_ISREG(sb->st_mode) || sb->st_nlink != 1)
		return 0;
	real = realpath(local, NULL);
	root = realpath(st->root, NULL);
	if (real && root) {
		size_t n = strlen(root);
		own = !strncmp(real, root, n) && !strncmp(real + n, "/tmp/", 5);
	}
	free(real);
	free(root);
	return own;
}

/* Places the finished temp file `tmp` (hash `hex`, `size` bytes) under its object name;
 * when the object exists already the duplicate is removed. */
static int rename_in(hfds_store *st, const char *tmp, const char *hex, uint64_t size, hfds_error *err)
{
	char *obj = NULL;
	int rc = 0, exists;
	HFDS_TRY(hfds_store_object_path(&obj, st, hex, err));
	HFDS_TRY(existing_ok(obj, size, &exists, err));
	if (exists) {
		unlink(tmp);
		goto done;
	}
	HFDS_TRY(hfds_store__mkdirs_for(obj, err));
	HFDS_FAIL_IF(rename(tmp, obj) != 0, HFDS_EIO, err, "%s: rename failed: %s", obj, strerror(errno));
done:
	hfds_free(obj);
	return rc;
}

/*
 * Copies `src` into a temp file of the store while hashing the bytes copied, checks them
 * against `want_hex` when the caller vouched for a hash, and renames the copy in under the
 * hash of what was copied: whatever happens to `src` meanwhile, the object's bytes match
 * its name.
 */
static int copy_in(hfds_store *st, const char *src, const char *want_hex, uint64_t want_size,
	char sha_out[HFDS_SHA256_HEX_SIZE], uint64_t *size_out, hfds_error *err)
{
	char *tmp = NULL;
	char block[1 << 16];
	uint8_t digest[32];
	uint64_t size = 0;
	hfds_sha256 *h = NULL;
	int in = -1, out = -1, rc = 0, created = 0;
	ssize_t n;
	HFDS_FAIL_IF(asprintf(&tmp, "%s/tmp/object-XXXXXX", st->root) < 0, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hfds_store__mkdirs_for(tmp, err));
	HFDS_TRY(hfds_sha256_new(&h, err));
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		HFDS_FAIL_IF(1, errno == ENOENT ? HFDS_ENOTFOUND : HFDS_EIO, err, "%s: cannot open: %s", src, strerror(errno));
	if ((out = mkostemp(tmp, O_CLOEXEC)) < 0)
		HFDS_FAIL_IF(1, HFDS_EIO, err, "%s: cannot create: %s", tmp, strerror(errno));
	created = 1;
	while ((n = read(in, block, sizeof(block))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		HFDS_FAIL_IF(n < 0, HFDS_EIO, err, "%s: read failed: %s", src, strerror(errno));
		hfds_sha256_update(h, block, (size_t)n);
		size += (uint64_t)n;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, block + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			HFDS_FAIL_IF(w < 0, HFDS_EIO, err, "%s: write failed: %s", tmp, strerror(errno));
			off += w;
		}
	}
	HFDS_TRY(hfds_sha256_final(h, digest, err));
	hfds_sha256_hex(digest, sha_out);
	HFDS_FAIL_IF(want_hex && (size != want_size || strcmp(sha_out, want_hex) != 0), HFDS_ECORRUPT, err,
		"%s: content changed or does not match the given sha256 %s (%llu bytes read, sha256 %s)", src, want_hex,
		(unsigned long long)size, sha_out);
	HFDS_FAIL_IF(fchmod(out, 0444) != 0, HFDS_EIO, err, "%s: chmod failed: %s", tmp, strerror(errno));
	HFDS_FAIL_IF(close(out) != 0, HFDS_EIO, err, "%s: close failed: %s", tmp, strerror(errno));
	out = -1;
	HFDS_TRY(rename_in(st, tmp, sha_out, size, err));
	created = 0;
	*size_out = size;
done:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (created)
		unlink(tmp);
	hfds_sha256_free(h);
	free(tmp);
	return rc;
}

static int place(const char *src, const char *obj, int move)
{
	return move ? rename(src, obj) : link(src, obj);
}

int hfds_store__object_put_file(hfds_store *st, const char *local_path, const char *sha256_hex,
	uint64_t size, int move, char sha_out[HFDS_SHA256_HEX_SIZE], uint64_t *size_out, hfds_error *err)
{
	char *obj = NULL;
	struct stat sb;
	int rc = 0, exists;
	if (stat(local_path, &sb) != 0)
		HFDS_FAIL(errno == ENOENT ? HFDS_ENOTFOUND : HFDS_EIO, err, "%s: %s", local_path, strerror(errno));
	HFDS_FAIL_IF(!S_ISREG(sb.st_mode), HFDS_EINVAL, err, "%s: not a regular file", local_path);
	if (sha256_hex) {
		HFDS_FAIL_IF((uint64_t)sb.st_size != size, HFDS_EINVAL, err,
			"%s: has %lld bytes, the caller said %llu", local_path, (long long)sb.st_size,
			(unsigned long long)size);
		HFDS_FAIL_IF(!hex64_ok(sha256_hex), HFDS_EINVAL, err, "%s: '%.70s' is not a 64-hex sha256",
			local_path, sha256_hex);
	}
	if (!sha256_hex || !is_own_staged(st, local_path, &sb)) {
		HFDS_TRY(copy_in(st, local_path, sha256_hex, size, sha_out, size_out, err));
		if (move)
			unlink(local_path);
		goto done;
	}
	memcpy(sha_out, sha256_hex, 65);
	*size_out = size;
	HFDS_TRY(hfds_store_object_path(&obj, st, sha_out, err));
	HFDS_TRY(existing_ok(obj, size, &exists, err));
	if (exists) {
		if (move)
			unlink(local_path);
		goto done;
	}
	/* The fan-out folders usually exist already: create them only when placing fails. */
	if (place(local_path, obj, move) == 0 || errno == EEXIST) /* EEXIST: stored meanwhile */
		goto sealed;
	if (errno == ENOENT) {
		HFDS_TRY(hfds_store__mkdirs_for(obj, err));
		if (place(local_path, obj, move) == 0 || errno == EEXIST)
			goto sealed;
	}
	/* linking failed for another reason (another file system): copy */
	HFDS_TRY(copy_in(st, local_path, sha256_hex, size, sha_out, size_out, err));
	if (move)
		unlink(local_path);
	goto done;
sealed:
	seal(obj);
done:
	hfds_free(obj);
	return rc;
}

int hfds_store__object_put_buffer(hfds_store *st, const void *data, size_t len,
	char sha_out[HFDS_SHA256_HEX_SIZE], hfds_error *err)
{
	uint8_t digest[32];
	char *obj = NULL;
	char tmp[4200];
	int rc = 0, exists, fd = -1;
	tmp[0] = '\0';
	HFDS_TRY(hfds_sha256_buffer(data, len, digest, err));
	hfds_sha256_hex(digest, sha_out);
	HFDS_TRY(hfds_store_object_path(&obj, st, sha_out, err));
	HFDS_TRY(existing_ok(obj, len, &exists, err));
	if (exists)
		goto done;
	snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", obj);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0 && errno == ENOENT) {
		HFDS_TRY(hfds_store__mkdirs_for(obj, err));
		snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", obj);
		fd = mkostemp(tmp, O_CLOEXEC);
	}
	HFDS_FAIL_IF(fd < 0, HFDS_EIO, err, "%s: cannot create: %s", tmp, strerror(errno));
	HFDS_FAIL_IF(fchmod(fd, 0444) != 0, HFDS_EIO, err, "%s: chmod failed: %s", tmp, strerror(errno));
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, (const char *)data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		HFDS_FAIL_IF(w < 0, HFDS_EIO, err, "%s: write failed: %s", tmp, strerror(errno));
		off += (size_t)w;
	}
	HFDS_FAIL_IF(close(fd) != 0, HFDS_EIO, err, "%s: close failed: %s", tmp, strerror(errno));
	fd = -1;
	HFDS_FAIL_IF(rename(tmp, obj) != 0, HFDS_EIO, err, "%s: rename failed: %s", obj, strerror(errno));
	tmp[0] = '\0';
done:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp[0])
		unlink(tmp);
	hfds_free(obj);
	return rc;
}

int hfds_store_object_exists(const hfds_store *st, const char *sha256_hex, uint64_t *size, hfds_error *err)
{
	char *obj = NULL;
	struct stat sb;
	int rc = hfds_store_object_path(&obj, st, sha256_hex, err);
	if (rc < 0)
		return rc;
	if (stat(obj, &sb) == 0) {
		if (size)
			*size = (uint64_t)sb.st_size;
		rc = 1;
	} else if (errno != ENOENT) {
		rc = hfds_error_set(err, HFDS_EIO, "%s: %s", obj, strerror(errno));
	}
	hfds_free(obj);
	return rc;
}

int hfds_store_object_import(hfds_store *st, const char *local_path, const char *sha256_hex, uint64_t size,
	unsigned flags, char sha_out[HFDS_SHA256_HEX_SIZE], hfds_error *err)
{
	uint64_t stored;
	return hfds_store__object_put_file(st, local_path, sha256_hex, size, (flags & HFDS_STORE_ADD_MOVE) != 0,
		sha_out, &stored, err);
}
