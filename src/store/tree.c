/*
 * Reading a revision: tree listings with LFS details, and file content (whole or a byte
 * range), with LFS pointers resolved through the shared object store.
 */
#include "store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/try.h"

#define READ_MAX_DEFAULT ((size_t)256 << 20)
#define TREE_DEPTH_MAX 256

void hfds_store_entry_release(hfds_store_entry *entry)
{
	if (entry) {
		hfds_free(entry->path);
		entry->path = NULL;
	}
}

void hfds_store_tree_free(hfds_store_tree *tree)
{
	if (!tree)
		return;
	for (size_t i = 0; i < tree->count; i++)
		hfds_store_entry_release(&tree->items[i]);
	hfds_free(tree->items);
	hfds_free(tree);
}

/* Fills an entry from a tree entry found at `path`. */
static int describe(hfds_store_entry *out, hfds_store_repo *repo, const char *path, const git_tree_entry *te,
	hfds_error *err)
{
	git_blob *blob = NULL;
	git_odb *odb = NULL;
	git_object_t type;
	size_t len;
	int rc = 0, g;
	memset(out, 0, sizeof(*out));
	HFDS_FAIL_IF(!(out->path = hfds_strdup(path)), HFDS_ENOMEM, err, "out of memory");
	git_oid_tostr(out->oid, sizeof(out->oid), git_tree_entry_id(te));
	if (git_tree_entry_type(te) == GIT_OBJECT_TREE) {
		out->is_dir = 1;
		goto done;
	}
	/* Only small blobs can be pointers: read the header first, the content only then. */
	if ((g = git_repository_odb(&odb, repo->git)) < 0 || (g = git_odb_read_header(&len, &type, odb, git_tree_entry_id(te))) < 0)
		STORE_GIT_FAIL(g, path);
	out->size = (uint64_t)len;
	if (len > STORE_POINTER_MAX)
		goto done;
	if ((g = git_blob_lookup(&blob, repo->git, git_tree_entry_id(te))) < 0)
		STORE_GIT_FAIL(g, path);
	if (hfds_store__pointer_parse(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), out->lfs_sha256, &out->size)) {
		out->is_lfs = 1;
		out->lfs_pointer_size = (uint64_t)git_blob_rawsize(blob);
	}
done:
	git_blob_free(blob);
	git_odb_free(odb);
	if (rc < 0)
		hfds_store_entry_release(out);
	return rc;
}

static int push_entry(hfds_store_tree *t, size_t *cap, hfds_store_repo *repo, const char *path,
	const git_tree_entry *te, hfds_error *err)
{
	if (t->count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		hfds_store_entry *items = hfds_reallocarray(t->items, ncap, sizeof(*items));
		if (!items)
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		t->items = items;
		*cap = ncap;
	}
	{
		int rc = describe(&t->items[t->count], repo, path, te, err);
		if (rc == 0)
			t->count++;
		return rc;
	}
}

static int list_dir(hfds_store_tree *t, size_t *cap, hfds_store_repo *repo, const git_tree *dir, const char *prefix,
	int recursive, int depth, hfds_error *err)
{
	size_t n = git_tree_entrycount(dir);
	int rc = 0;
	/* Our own paths are at most HFDS_REPO_PATH_MAX bytes; a foreign repo could nest deeper. */
	HFDS_FAIL_IF(depth > TREE_DEPTH_MAX, HFDS_ELIMIT, err, "%s: folders nested deeper than %d levels",
		prefix, TREE_DEPTH_MAX);
	for (size_t i = 0; i < n; i++) {
		const git_tree_entry *te = git_tree_entry_byindex(dir, i);
		git_object_t type = git_tree_entry_type(te);
		char path[HFDS_REPO_PATH_MAX + 256];
		if (type != GIT_OBJECT_TREE && type != GIT_OBJECT_BLOB)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "/" : "", git_tree_entry_name(te))
			> HFDS_REPO_PATH_MAX)
			HFDS_FAIL(HFDS_ELIMIT, err, "%.60s...: path longer than %d bytes", path, HFDS_REPO_PATH_MAX);
		HFDS_TRY(push_entry(t, cap, repo, path, te, err));
		if (recursive && type == GIT_OBJECT_TREE) {
			git_tree *sub = NULL;
			int g = git_tree_lookup(&sub, repo->git, git_tree_entry_id(te));
			if (g < 0)
				STORE_GIT_FAIL(g, path);
			rc = list_dir(t, cap, repo, sub, path, 1, depth + 1, err);
			git_tree_free(sub);
			if (rc < 0)
				goto done;
		}
	}
done:
	return rc;
}

/* Root tree of `rev`, and the entry at `path` inside it (NULL for the root). */
static int locate(git_tree **root, git_tree_entry **entry, git_oid *commit, hfds_store_repo *repo, const char *rev,
	const char *path, hfds_error *err)
{
	int rc = 0, g;
	*root = NULL;
	*entry = NULL;
	HFDS_TRY(hfds_store__resolve_oid(commit, repo, rev, err));
	HFDS_TRY(hfds_store__commit_tree(root, repo, commit, err));
	if (path && *path) {
		size_t len = strlen(path);
		while (len > 1 && path[len - 1] == '/')
			len--;
		HFDS_TRY(hfds_repo_path_check(path, len, err));
		{
			char p[HFDS_REPO_PATH_MAX + 1];
			memcpy(p, path, len);
			p[len] = '\0';
			g = git_tree_entry_bypath(entry, *root, p);
			if (g == GIT_ENOTFOUND)
				HFDS_FAIL(HFDS_ENOTFOUND, err, "%s: entry not found", p);
			if (g < 0)
				STORE_GIT_FAIL(g, p);
		}
	}
done:
	return rc;
}

int hfds_store_tree_list(hfds_store_tree **out, hfds_store_repo *repo, const char *rev, const char *path,
	int recursive, hfds_error *err)
{
	hfds_store_tree *t = NULL;
	git_tree *root = NULL, *dir = NULL;
	git_tree_entry *entry = NULL;
	git_oid commit;
	size_t cap = 0;
	int rc = 0, g;
	*out = NULL;
	HFDS_TRY(locate(&root, &entry, &commit, repo, rev, path, err));
	HFDS_FAIL_IF(!(t = hfds_calloc(1, sizeof(*t))), HFDS_ENOMEM, err, "out of memory");
	git_oid_tostr(t->commit, sizeof(t->commit), &commit);
	if (!entry) {
		HFDS_TRY(list_dir(t, &cap, repo, root, "", recursive, 0, err));
	} else if (git_tree_entry_type(entry) == GIT_OBJECT_TREE) {
		char prefix[HFDS_REPO_PATH_MAX + 1];
		size_t len = strlen(path);
		while (len > 1 && path[len - 1] == '/')
			len--;
		snprintf(prefix, sizeof(prefix), "%.*s", (int)len, path);
		if ((g = git_tree_lookup(&dir, repo->git, git_tree_entry_id(entry))) < 0)
			STORE_GIT_FAIL(g, path);
		HFDS_TRY(list_dir(t, &cap, repo, dir, prefix, recursive, 0, err));
	} else {
		char p[HFDS_REPO_PATH_MAX + 1];
		size_t len = strlen(path);
		snprintf(p, sizeof(p), "%.*s", (int)len, path);
		HFDS_TRY(push_entry(t, &cap, repo, p, entry, err));
	}
	*out = t;
	t = NULL;
done:
	hfds_store_tree_free(t);
	git_tree_free(dir);
	git_tree_entry_free(entry);
	git_tree_free(root);
	return rc;
}

int hfds_store_stat(hfds_store_entry *out, hfds_store_repo *repo, const char *rev, const char *path,
	hfds_error *err)
{
	git_tree *root = NULL;
	git_tree_entry *entry = NULL;
	git_oid commit;
	int rc = 0;
	memset(out, 0, sizeof(*out));
	HFDS_FAIL_IF(!path || !*path, HFDS_EINVAL, err, "stat needs a path");
	HFDS_TRY(locate(&root, &entry, &commit, repo, rev, path, err));
	HFDS_TRY(describe(out, repo, path, entry, err));
done:
	git_tree_entry_free(entry);
	git_tree_free(root);
	return rc;
}

int hfds_store_file_local_path(char **out, hfds_store_repo *repo, const char *rev, const char *path,
	hfds_error *err)
{
	hfds_store_entry e;
	int rc;
	*out = NULL;
	if ((rc = hfds_store_stat(&e, repo, rev, path, err)) < 0)
		return rc;
	if (e.is_dir)
		rc = hfds_error_set(err, HFDS_EINVAL, "%s: is a directory", path);
	else if (e.is_lfs)
		rc = hfds_store_object_path(out, repo->st, e.lfs_sha256, err);
	hfds_store_entry_release(&e);
	return rc;
}

/* Reads [offset, offset+n) of an LFS object whose size must be `size`. */
static int read_object(uint8_t *dst, hfds_store *st, const char *sha, uint64_t size, uint64_t offset, size_t n,
	hfds_error *err)
{
	char *obj = NULL;
	struct stat sb;
	int fd = -1, rc = 0;
	HFDS_TRY(hfds_store_object_path(&obj, st, sha, err));
	if ((fd = open(obj, O_RDONLY | O_CLOEXEC)) < 0)
		HFDS_FAIL(errno == ENOENT ? HFDS_ENOTFOUND : HFDS_EIO, err, "lfs object %s: %s", sha, strerror(errno));
	HFDS_FAIL_IF(fstat(fd, &sb) != 0, HFDS_EIO, err, "%s: %s", obj, strerror(errno));
	HFDS_FAIL_IF((uint64_t)sb.st_size != size, HFDS_ECORRUPT, err, "%s: lfs object has %lld bytes, expected %llu",
		obj, (long long)sb.st_size, (unsigned long long)size);
	for (size_t got = 0; got < n;) {
		ssize_t r = pread(fd, dst + got, n - got, (off_t)(offset + got));
		if (r < 0 && errno == EINTR)
			continue;
		HFDS_FAIL_IF(r < 0, HFDS_EIO, err, "%s: read failed: %s", obj, strerror(errno));
		HFDS_FAIL_IF(r == 0, HFDS_ECORRUPT, err, "%s: truncated", obj);
		got += (size_t)r;
	}
done:
	if (fd >= 0)
		close(fd);
	hfds_free(obj);
	return rc;
}

int hfds_store_read(uint8_t **out, size_t *out_len, hfds_store_repo *repo, const char *rev, const char *path,
	uint64_t offset, uint64_t length, size_t max_bytes, unsigned flags, hfds_error *err)
{
	git_tree *root = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	git_oid commit;
	hfds_store_entry e;
	uint8_t *buf = NULL;
	uint64_t total, n;
	int rc = 0, g, lfs;
	*out = NULL;
	*out_len = 0;
	memset(&e, 0, sizeof(e));
	if (!max_bytes)
		max_bytes = READ_MAX_DEFAULT;
	HFDS_FAIL_IF(!path || !*path, HFDS_EINVAL, err, "read needs a path");
	HFDS_TRY(locate(&root, &entry, &commit, repo, rev, path, err));
	HFDS_FAIL_IF(git_tree_entry_type(entry) != GIT_OBJECT_BLOB, HFDS_EINVAL, err, "%s: is a directory", path);
	/* Sizes come from the object header, so the limit is checked before anything is loaded. */
	HFDS_TRY(describe(&e, repo, path, entry, err));
	lfs = e.is_lfs && !(flags & HFDS_STORE_READ_RAW);
	total = e.is_lfs && !lfs ? e.lfs_pointer_size : e.size;
	n = offset >= total ? 0 : total - offset;
	if (length < n)
		n = length;
	HFDS_FAIL_IF(n > max_bytes, HFDS_ELIMIT, err, "%s: reading %llu bytes exceeds the limit of %zu", path,
		(unsigned long long)n, max_bytes);
	HFDS_FAIL_IF(!(buf = hfds_malloc((size_t)n + 1)), HFDS_ENOMEM, err, "out of memory");
	if (lfs) {
		HFDS_TRY(read_object(buf, repo->st, e.lfs_sha256, total, offset, (size_t)n, err));
	} else if (n) {
		if ((g = git_blob_lookup(&blob, repo->git, git_tree_entry_id(entry))) < 0)
			STORE_GIT_FAIL(g, path);
		HFDS_FAIL_IF((uint64_t)git_blob_rawsize(blob) != total, HFDS_ECORRUPT, err, "%s: blob size changed", path);
		memcpy(buf, (const uint8_t *)git_blob_rawcontent(blob) + offset, (size_t)n);
	}
	buf[n] = '\0';
	*out = buf;
	*out_len = (size_t)n;
	buf = NULL;
done:
	hfds_store_entry_release(&e);
	hfds_free(buf);
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(root);
	return rc;
}
