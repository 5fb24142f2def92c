/* The embedded hub's commits: operations, LFS, parent checks, ranges, crash safety, locks. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>

#include "store_fixture.h"
#include "store/store_internal.h"
#include "util/sha256.h"

static char *read_all(hfds_store_repo *repo, const char *rev, const char *path, size_t *len)
{
	uint8_t *data = NULL;
	size_t n = 0;
	if (hfds_store_read(&data, &n, repo, rev, path, 0, UINT64_MAX, 0, 0, NULL) < 0)
		return NULL;
	if (len)
		*len = n;
	return (char *)data;
}

static void adds_and_deletes(void)
{
	hfds_store *st = fx_store();
	hfds_store_repo *repo;
	hfds_store_commit *c = NULL;
	hfds_store_tree *tree = NULL;
	hfds_store_log *log = NULL;
	hfds_error err;
	char first[HFDS_OID_HEX_SIZE], second[HFDS_OID_HEX_SIZE], *text;
	const char *local = fx_file("local.txt", "from disk\n", 10);
	REQUIRE(st && local);
	REQUIRE((repo = fx_repo(st, "ns/ops")));
	hfds_error_init(&err);
	REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
	CHECK_EQ_INT(hfds_store_commit_add_buffer(c, "../escape", "x", 1, 0, &err), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_store_commit_add_buffer(c, "/abs", "x", 1, 0, NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_store_commit_add_buffer(c, ".git/hooks/x", "x", 1, 0, NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_store_commit_run(c, first, NULL), HFDS_EINVAL); /* no title */
	hfds_store_commit_free(c);

	hfds_error_init(&err);
	REQUIRE(hfds_store_commit_new(&c, repo, "main", &err) == 0);
	CHECK_EQ_INT(hfds_store_commit_set_message(c, "Upload dataset", "two files", &err), 0);
	CHECK_EQ_INT(hfds_store_commit_add_buffer(c, "README.md", "# hi\n", 5, 0, &err), 0);
	CHECK_EQ_INT(hfds_store_commit_add_file(c, "data/a/x.txt", local, NULL, 0, 0, &err), 0);
	CHECK_EQ_INT(hfds_store_commit_add_buffer(c, "data/a/y.txt", "y", 1, 0, &err), 0);
	CHECK_EQ_INT(hfds_store_commit_add_buffer(c, "data/b/z.txt", "z", 1, 0, &err), 0);
	CHECK_EQ_INT(hfds_store_commit_run(c, first, &err), 0);
	CHECK_EQ_INT(hfds_store_commit_run(c, first, NULL), HFDS_ESTATE);
	hfds_store_commit_free(c);
	text = read_all(repo, NULL, "data/a/x.txt", NULL);
	CHECK_EQ_STR(text, "from disk\n");
	hfds_free(text);

	/* Delete a file, a folder (with trailing '/'), and a directory through delete_file. */
	REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
	hfds_store_commit_set_message(c, "prune", NULL, &err);
	CHECK_EQ_INT(hfds_store_commit_delete_file(c, "README.md", &err), 0);
	CHECK_EQ_INT(hfds_store_commit_delete_folder(c, "data/a/", &err), 0);
	CHECK_EQ_INT(hfds_store_commit_add_buffer(c, "data/a/new.txt", "new", 3, 0, &err), 0);
	CHECK_EQ_INT(hfds_store_commit_run(c, second, &err), 0);
	hfds_store_commit_free(c);
	REQUIRE(hfds_store_tree_list(&tree, repo, NULL, NULL, 1, &err) == 0);
	/* recursive: .gitattributes, data, data/a, data/a/new.txt, data/b, data/b/z.txt */
	CHECK_EQ_INT(tree->count, 6);
	if (tree->count == 6) {
		CHECK_EQ_STR(tree->items[0].path, ".gitattributes");
		CHECK_EQ_STR(tree->items[1].path, "data");
		CHECK_EQ_INT(tree->items[1].is_dir, 1);
		CHECK_EQ_STR(tree->items[3].path, "data/a/new.txt");
		CHECK_EQ_INT(tree->items[3].size, 3);
		CHECK_EQ_STR(tree->items[5].path, "data/b/z.txt");
	}
	hfds_store_tree_free(tree);
	/* Non-recursive listing of a folder gives its direct children with full paths. */
	REQUIRE(hfds_store_tree_list(&tree, repo, NULL, "data", 0, &err) == 0);
	CHECK_EQ_INT(tree->count, 2);
	CHECK_EQ_STR(tree->items[0].path, "data/a");
	hfds_store_tree_free(tree);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_tree_list(&tree, repo, NULL, "nope", 0, &err), HFDS_ENOTFOUND);
	/* The old version is still there. */
	text = read_all(repo, first, "README.md", NULL);
	CHECK_EQ_STR(text, "# hi\n");
	hfds_free(text);
	CHECK(read_all(repo, second, "README.md", NULL) == NULL);

	/* Adding what is there already changes nothing: no empty commit, the head comes back. */
	{
		char same[HFDS_OID_HEX_SIZE];
		REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
		hfds_store_commit_set_message(c, "again", NULL, &err);
		CHECK_EQ_INT(hfds_store_commit_add_buffer(c, "data/a/new.txt", "new", 3, 0, &err), 0);
		CHECK_EQ_INT(hfds_store_commit_run(c, same, &err), 0);
		hfds_store_commit_free(c);
		CHECK_EQ_STR(same, second);
		REQUIRE(hfds_store_log_list(&log, repo, NULL, 0, &err) == 0);
		CHECK_EQ_STR(log->items[0].id, second);
		CHECK_EQ_INT(log->count, 3);   /* initial, first, second */
		hfds_store_log_free(log);
		log = NULL;
	}

	/* Deleting a missing path fails the whole commit. */
	REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
	hfds_store_commit_set_message(c, "bad", NULL, &err);
	hfds_store_commit_add_buffer(c, "other.txt", "o", 1, 0, &err);
	hfds_store_commit_delete_file(c, "missing.txt", &err);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_commit_run(c, NULL, &err), HFDS_ENOTFOUND);
	CHECK(strstr(err.message, "missing.txt: a file with this name doesn't exist") != NULL);
	hfds_store_commit_free(c);
	/* A file cannot replace a folder or sit below a file; deleting first makes room. */
	hfds_error_init(&err);
	CHECK_EQ_INT(fx_commit_buf(repo, "data", "x", NULL), HFDS_EINVAL);
	CHECK_EQ_INT(fx_commit_buf(repo, "data/b/z.txt/w", "x", NULL), HFDS_EINVAL);
	REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
	hfds_store_commit_set_message(c, "file over folder", NULL, &err);
	hfds_store_commit_delete_folder(c, "data/b", &err);
	hfds_store_commit_add_buffer(c, "data/b", "now a file", 10, 0, &err);
	CHECK_EQ_INT(hfds_store_commit_run(c, NULL, &err), 0);
	hfds_store_commit_free(c);
	text = read_all(repo, NULL, "data/b", NULL);
	CHECK_EQ_STR(text, "now a file");
	hfds_free(text);
	/* ... and a commit to a missing branch. */
	REQUIRE(hfds_store_commit_new(&c, repo, "nobranch", &err) == 0);
	hfds_store_commit_set_message(c, "bad", NULL, &err);
	CHECK_EQ_INT(hfds_store_commit_run(c, NULL, NULL), HFDS_ENOTFOUND);
	hfds_store_commit_free(c);

	REQUIRE(hfds_store_log_list(&log, repo, NULL, 0, &err) == 0);
	CHECK_EQ_INT(log->count, 4);
	if (log->count == 4) {
		CHECK_EQ_STR(log->items[0].title, "file over folder");
		CHECK_EQ_STR(log->items[1].id, second);
		CHECK_EQ_STR(log->items[1].title, "prune");
		CHECK_EQ_STR(log->items[2].title, "Upload dataset");
		CHECK_EQ_STR(log->items[2].message, "two files");
		CHECK_EQ_STR(log->items[2].author, "hfds");
	}
	hfds_store_log_free(log);
	hfds_store_repo_free(repo);
	hfds_store_free(st);
}

static void parent_conflict(void)
{
	hfds_store *st = fx_store();
	hfds_store_repo *repo;
	hfds_store_commit *c = NULL;
	hfds_error err;
	char base[HFDS_OID_HEX_SIZE], moved[HFDS_OID_HEX_SIZE], head[HFDS_OID_HEX_SIZE], sha[HFDS_OID_HEX_SIZE];
	REQUIRE(st);
	REQUIRE((repo = fx_repo(st, "ns/conflict")));
	hfds_error_init(&err);
	REQUIRE(hfds_store_resolve(base, repo, NULL, &err) == 0);
	REQUIRE(fx_commit_buf(repo, "a.txt", "a", moved) == 0);
	REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
	hfds_store_commit_set_message(c, "stale", NULL, &err);
	CHECK_EQ_INT(hfds_store_commit_set_parent(c, "xyz", NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_store_commit_set_parent(c, base, &err), 0);
	hfds_store_commit_add_buffer(c, "b.txt", "b", 1, 0, &err);
	CHECK_EQ_INT(hfds_store_commit_run(c, sha, &err), HFDS_ECONFLICT);
	CHECK(strstr(err.message, "updated") != NULL);
	hfds_store_commit_free(c);
	REQUIRE(hfds_store_resolve(head, repo, NULL, &err) == 0);
	CHECK_EQ_STR(head, moved);
	/* A short parent id that matches the head is accepted. */
	char shortp[8];
	memcpy(shortp, moved, 7);
	shortp[7] = '\0';
	REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
	hfds_store_commit_set_message(c, "fresh", NULL, &err);
	CHECK_EQ_INT(hfds_store_commit_set_parent(c, shortp, &err), 0);
	hfds_store_commit_add_buffer(c, "b.txt", "b", 1, 0, &err);
	CHECK_EQ_INT(hfds_store_commit_run(c, sha, &err), 0);
	hfds_store_commit_free(c);
	hfds_store_repo_free(repo);
	hfds_store_free(st);
}

static size_t count_objects(const char *root)
{
	char cmd[4400];
	FILE *p;
	size_t n = 0;
	snprintf(cmd, sizeof(cmd), "find '%s/lfs/objects' -type f | wc -l", root);
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%zu", &n) != 1)
			n = 0;
		pclose(p);
	}
	return n;
}

static void lfs_and_ranges(void)
{
	hfds_store *st = fx_store();
	hfds_store_repo *repo, *repo2;
	hfds_store_commit *c = NULL;
	hfds_store_tree *tree = NULL;
	hfds_store_entry e;
	hfds_error err;
	uint8_t big[1000], digest[32], *data = NULL;
	char hex[65], *objpath = NULL;
	size_t n;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	REQUIRE(st);
	REQUIRE((repo = fx_repo(st, "ns/lfs")));
	REQUIRE((repo2 = fx_repo(st, "other/lfs2")));
	hfds_error_init(&err);
	REQUIRE(hfds_sha256_buffer(big, sizeof(big), digest, &err) == 0);
	hfds_sha256_hex(digest, hex);
	REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
	hfds_store_commit_set_message(c, "shards", NULL, &err);
	CHECK_EQ_INT(hfds_store_commit_add_buffer(c, "data/train-00000-of-00001.parquet", big, sizeof(big), 0, &err), 0);
	CHECK_EQ_INT(hfds_store_commit_add_buffer(c, "blob.dat", "\0\1\2", 3, 0, &err), 0); /* binary -> LFS */
	CHECK_EQ_INT(hfds_store_commit_add_buffer(c, "notes.txt", "plain text", 10, 0, &err), 0);
	CHECK_EQ_INT(hfds_store_commit_add_buffer(c, "forced.txt", "text", 4, HFDS_STORE_ADD_FORCE_LFS, &err), 0);
	CHECK_EQ_INT(hfds_store_commit_add_buffer(c, "empty.parquet", "", 0, 0, &err), 0); /* empty -> regular */
	CHECK_EQ_INT(hfds_store_commit_run(c, NULL, &err), 0);
	hfds_store_commit_free(c);

	REQUIRE(hfds_store_stat(&e, repo, NULL, "data/train-00000-of-00001.parquet", &err) == 0);
	CHECK_EQ_INT(e.is_lfs, 1);
	CHECK_EQ_INT(e.size, 1000);
	CHECK_EQ_STR(e.lfs_sha256, hex);
	CHECK_EQ_INT(e.lfs_pointer_size, strlen("version https://git-lfs.github.com/spec/v1\noid sha256:") + 64 + strlen("\nsize 1000\n"));
	CHECK_EQ_INT(strlen(e.oid), 40);
	hfds_store_entry_release(&e);
	REQUIRE(hfds_store_tree_list(&tree, repo, NULL, NULL, 0, &err) == 0);
	for (size_t i = 0; i < tree->count; i++) {
		const hfds_store_entry *t = &tree->items[i];
		if (!strcmp(t->path, "blob.dat") || !strcmp(t->path, "forced.txt"))
			CHECK_EQ_INT(t->is_lfs, 1);
		if (!strcmp(t->path, "notes.txt") || !strcmp(t->path, "empty.parquet") || !strcmp(t->path, ".gitattributes"))
			CHECK_EQ_INT(t->is_lfs, 0);
	}
	hfds_store_tree_free(tree);

	/* Whole, ranged, past-the-end and raw reads. */
	REQUIRE(hfds_store_read(&data, &n, repo, NULL, "data/train-00000-of-00001.parquet", 0, UINT64_MAX, 0, 0, &err) == 0);
	CHECK_EQ_INT(n, 1000);
	CHECK_EQ_MEM(data, big, 1000);
	hfds_free(data);
	REQUIRE(hfds_store_read(&data, &n, repo, NULL, "data/train-00000-of-00001.parquet", 990, 100, 0, 0, &err) == 0);
	CHECK_EQ_INT(n, 10);
	CHECK_EQ_MEM(data, big + 990, 10);
	hfds_free(data);
	REQUIRE(hfds_store_read(&data, &n, repo, NULL, "data/train-00000-of-00001.parquet", 5000, 10, 0, 0, &err) == 0);
	CHECK_EQ_INT(n, 0);
	hfds_free(data);
	REQUIRE(hfds_store_read(&data, &n, repo, NULL, "notes.txt", 6, 3, 0, 0, &err) == 0);
	CHECK_EQ_STR((char *)data, "tex");
	hfds_free(data);
	REQUIRE(hfds_store_read(&data, &n, repo, NULL, "data/train-00000-of-00001.parquet", 0, UINT64_MAX, 0,
		HFDS_STORE_READ_RAW, &err) == 0);
	CHECK(!strncmp((char *)data, "version https://git-lfs.github.com/spec/v1\n", 43));
	hfds_free(data);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_read(&data, &n, repo, NULL, "data/train-00000-of-00001.parquet", 0, UINT64_MAX, 100, 0, &err),
		HFDS_ELIMIT);
	CHECK_EQ_INT(hfds_store_read(&data, &n, repo, NULL, "data", 0, UINT64_MAX, 0, 0, NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_store_read(&data, &n, repo, NULL, "../x", 0, UINT64_MAX, 0, 0, NULL), HFDS_EINVAL);
	REQUIRE(hfds_store_file_local_path(&objpath, repo, NULL, "data/train-00000-of-00001.parquet", &err) == 0);
	CHECK(objpath && strstr(objpath, hex) != NULL);
	hfds_free(objpath);

	/* The same content in another repo is stored once. */
	n = count_objects(hfds_store_root(st));
	CHECK_EQ_INT(n, 3);
	REQUIRE(hfds_store_commit_new(&c, repo2, NULL, &err) == 0);
	hfds_store_commit_set_message(c, "same shard", NULL, &err);
	hfds_store_commit_add_buffer(c, "data/copy.parquet", big, sizeof(big), 0, &err);
	CHECK_EQ_INT(hfds_store_commit_run(c, NULL, &err), 0);
	hfds_store_commit_free(c);
	CHECK_EQ_INT(count_objects(hfds_store_root(st)), n);

	/* An object of the wrong size is reported as corruption. */
	REQUIRE(hfds_store_object_path(&objpath, st, hex, &err) == 0);
	CHECK_EQ_INT(truncate(objpath, 999), 0);
	hfds_free(objpath);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_read(&data, &n, repo2, NULL, "data/copy.parquet", 0, 10, 0, 0, &err), HFDS_ECORRUPT);
	CHECK(strstr(err.message, "expected 1000") != NULL);
	/* A missing object is reported, not crashed on. */
	REQUIRE(hfds_store_object_path(&objpath, st, hex, &err) == 0);
	CHECK_EQ_INT(unlink(objpath), 0);
	hfds_free(objpath);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_read(&data, &n, repo2, NULL, "data/copy.parquet", 0, 10, 0, 0, &err), HFDS_ENOTFOUND);
	hfds_store_repo_free(repo);
	hfds_store_repo_free(repo2);
	hfds_store_free(st);
}

/* A file the library staged itself under <root>/tmp with a known sha256 is hard-linked (or
 * renamed) into the store, never copied; the object is read-only. */
static void known_sha_no_copy(void)
{
	hfds_store *st = fx_store();
	hfds_store_repo *repo;
	hfds_store_commit *c = NULL;
	hfds_error err;
	uint8_t digest[32];
	uint64_t size;
	char hex[65], hex2[65], *obj = NULL, *obj2 = NULL;
	struct stat a, b;
	char f1copy[4200], f2copy[4200];
	const char *f1 = f1copy, *f2 = f2copy;
	REQUIRE(st);
	snprintf(f1copy, sizeof(f1copy), "%s", fx_staged(st, "shard1.parquet", "PAR1 pretend shard one PAR1", 27));
	snprintf(f2copy, sizeof(f2copy), "%s", fx_staged(st, "shard2.parquet", "PAR1 pretend shard two PAR1", 27));
	REQUIRE((repo = fx_repo(st, "ns/link")));
	hfds_error_init(&err);
	REQUIRE(hfds_sha256_file(f1, digest, &size, &err) == 0);
	hfds_sha256_hex(digest, hex);
	REQUIRE(hfds_sha256_file(f2, digest, &size, &err) == 0);
	hfds_sha256_hex(digest, hex2);
	REQUIRE(stat(f2, &b) == 0);
	REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
	hfds_store_commit_set_message(c, "link", NULL, &err);
	/* A wrong size is caught before anything is stored. */
	CHECK_EQ_INT(hfds_store_commit_add_file(c, "data/one.parquet", f1, hex, 27, 0, &err), 0);
	CHECK_EQ_INT(hfds_store_commit_add_file(c, "data/two.parquet", f2, hex2, 27, HFDS_STORE_ADD_MOVE, &err), 0);
	CHECK_EQ_INT(hfds_store_commit_run(c, NULL, &err), 0);
	hfds_store_commit_free(c);
	REQUIRE(hfds_store_object_path(&obj, st, hex, &err) == 0);
	REQUIRE(hfds_store_object_path(&obj2, st, hex2, &err) == 0);
	REQUIRE(stat(f1, &a) == 0);
	{
		struct stat o1, o2;
		REQUIRE(stat(obj, &o1) == 0);
		REQUIRE(stat(obj2, &o2) == 0);
		CHECK_EQ_INT(o1.st_ino, a.st_ino); /* hard link */
		CHECK_EQ_INT(o1.st_nlink, 2);
		CHECK_EQ_INT(o2.st_ino, b.st_ino); /* renamed */
		CHECK(access(f2, F_OK) != 0);
		CHECK_EQ_INT(o1.st_mode & 0777, 0444);
		CHECK_EQ_INT(o2.st_mode & 0777, 0444);
	}
	/* A lying size is refused. */
	REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
	hfds_store_commit_set_message(c, "bad size", NULL, &err);
	CHECK_EQ_INT(hfds_store_commit_add_file(c, "data/three.parquet", f1, hex, 99, 0, &err), 0);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_commit_run(c, NULL, &err), HFDS_EINVAL);
	hfds_store_commit_free(c);
	hfds_free(obj);
	hfds_free(obj2);
	hfds_store_repo_free(repo);
	hfds_store_free(st);
}

/* The whole file, hashed: 1 when its bytes match the sha256 in its name. */
static int object_matches(const char *obj, const char *hex)
{
	uint8_t digest[32];
	uint64_t size;
	char got[65];
	if (hfds_sha256_file(obj, digest, &size, NULL) < 0)
		return 0;
	hfds_sha256_hex(digest, got);
	return !strcmp(got, hex);
}

/*
 * A user's file (outside the staging area, with or without a sha256 the caller vouches for)
 * is copied into the store: appending to it after the commit leaves the object's bytes
 * matching its name (the old store hard-linked it, so the object changed). A vouched
 * sha256 that does not match the bytes fails the commit with nothing stored.
 */
static void user_file_is_copied(void)
{
	hfds_store *st = fx_store();
	hfds_store_repo *repo;
	hfds_store_commit *c = NULL;
	hfds_error err;
	uint8_t digest[32];
	uint64_t size;
	char hex[65], hex2[65], *obj = NULL, *obj2 = NULL, p1[4200], p2[4200];
	struct stat a, o1, o2;
	FILE *f;
	REQUIRE(st && (repo = fx_repo(st, "ns/copy")));
	snprintf(p1, sizeof(p1), "%s", fx_file("user1.parquet", "PAR1 the user's own shard PAR1", 30));
	snprintf(p2, sizeof(p2), "%s", fx_file("user2.parquet", "PAR1 another user shard.. PAR1", 30));
	hfds_error_init(&err);
	REQUIRE(hfds_sha256_file(p1, digest, &size, &err) == 0);
	hfds_sha256_hex(digest, hex);
	REQUIRE(hfds_sha256_file(p2, digest, &size, &err) == 0);
	hfds_sha256_hex(digest, hex2);
	REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
	hfds_store_commit_set_message(c, "user files", NULL, &err);
	CHECK_EQ_INT(hfds_store_commit_add_file(c, "data/a.parquet", p1, NULL, 0, HFDS_STORE_ADD_FORCE_LFS, &err), 0);
	CHECK_EQ_INT(hfds_store_commit_add_file(c, "data/b.parquet", p2, hex2, 30, HFDS_STORE_ADD_FORCE_LFS, &err), 0);
	CHECK_EQ_INT(hfds_store_commit_run(c, NULL, &err), 0);
	hfds_store_commit_free(c);
	REQUIRE(hfds_store_object_path(&obj, st, hex, &err) == 0);
	REQUIRE(hfds_store_object_path(&obj2, st, hex2, &err) == 0);
	REQUIRE(stat(p1, &a) == 0 && stat(obj, &o1) == 0 && stat(obj2, &o2) == 0);
	CHECK(o1.st_ino != a.st_ino);
	CHECK_EQ_INT(a.st_nlink, 1);
	CHECK_EQ_INT(o1.st_mode & 0777, 0444);
	CHECK_EQ_INT(o2.st_mode & 0777, 0444);
	/* the user edits both files after the push */
	REQUIRE((f = fopen(p1, "ab")) != NULL);
	fputs(" appended later", f);
	fclose(f);
	REQUIRE((f = fopen(p2, "r+b")) != NULL);
	fputs("XXXX", f);
	fclose(f);
	CHECK(object_matches(obj, hex));
	CHECK(object_matches(obj2, hex2));
	/* p2 now has other bytes than the sha256 the caller vouches for: refused */
	REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
	hfds_store_commit_set_message(c, "stale hash", NULL, &err);
	CHECK_EQ_INT(hfds_store_commit_add_file(c, "data/c.parquet", p2, hex2, 30, HFDS_STORE_ADD_FORCE_LFS, &err), 0);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_commit_run(c, NULL, &err), HFDS_ECORRUPT);
	CHECK(strstr(err.message, p2) != NULL);
	hfds_store_commit_free(c);
	hfds_free(obj);
	hfds_free(obj2);
	hfds_store_repo_free(repo);
	hfds_store_free(st);
}

static void die_now(void)
{
	_exit(7);
}

/* A writer killed after writing its objects but before moving the ref changes nothing. */
static void crash_mid_commit(void)
{
	hfds_store *st = fx_store();
	hfds_store_repo *repo;
	hfds_error err;
	char before[HFDS_OID_HEX_SIZE], after[HFDS_OID_HEX_SIZE], sha[HFDS_OID_HEX_SIZE];
	pid_t pid;
	int status = 0;
	REQUIRE(st);
	REQUIRE((repo = fx_repo(st, "ns/crash")));
	hfds_error_init(&err);
	REQUIRE(fx_commit_buf(repo, "a.txt", "a", before) == 0);
	fflush(NULL);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		hfds_store_repo *r = NULL;
		hfds_store_commit *c = NULL;
		if (hfds_store_repo_open(&r, st, HFDS_REPO_DATASET, "ns/crash", NULL) < 0
			|| hfds_store_commit_new(&c, r, NULL, NULL) < 0)
			_exit(2);
		hfds_store_commit_set_message(c, "doomed", NULL, NULL);
		hfds_store_commit_add_buffer(c, "b.parquet", "PAR1xxxxPAR1", 12, 0, NULL);
		hfds_store_commit_delete_file(c, "a.txt", NULL);
		hfds_store__before_ref_update = die_now;
		hfds_store_commit_run(c, NULL, NULL);
		_exit(3); /* not reached when the hook fires */
	}
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	REQUIRE(hfds_store_resolve(after, repo, NULL, &err) == 0);
	CHECK_EQ_STR(after, before);
	{
		char *a = read_all(repo, NULL, "a.txt", NULL);
		CHECK_EQ_STR(a, "a");
		hfds_free(a);
	}
	/* The lock died with the writer: the next commit goes through at once. */
	hfds_store_set_lock_timeout(st, 0);
	CHECK_EQ_INT(fx_commit_buf(repo, "c.txt", "c", sha), 0);
	hfds_store_repo_free(repo);
	hfds_store_free(st);
}

/* A lock held by a live process makes a writer wait, then fail with a conflict. */
static void lock_held_elsewhere(void)
{
	hfds_store *st = fx_store();
	hfds_store_repo *repo;
	hfds_error err;
	char before[HFDS_OID_HEX_SIZE], after[HFDS_OID_HEX_SIZE], sha[HFDS_OID_HEX_SIZE];
	int ready[2], release[2], status;
	pid_t pid;
	char ch;
	REQUIRE(st);
	REQUIRE((repo = fx_repo(st, "ns/locked")));
	hfds_error_init(&err);
	REQUIRE(hfds_store_resolve(before, repo, NULL, &err) == 0);
	REQUIRE(pipe(ready) == 0 && pipe(release) == 0);
	fflush(NULL);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		int fd = -1;
		if (hfds_store__lock(&fd, repo, NULL) < 0)
			_exit(2);
		if (write(ready[1], "r", 1) != 1 || read(release[0], &ch, 1) != 1)
			_exit(3);
		_exit(0);
	}
	REQUIRE(read(ready[0], &ch, 1) == 1);
	hfds_store_set_lock_timeout(st, 200);
	CHECK_EQ_INT(fx_commit_buf(repo, "x.txt", "x", sha), HFDS_ECONFLICT);
	REQUIRE(hfds_store_resolve(after, repo, NULL, &err) == 0);
	CHECK_EQ_STR(after, before);
	/* Branch changes wait for the same lock. */
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_branch_create(repo, "dev", NULL, &err), HFDS_ECONFLICT);
	CHECK(strstr(err.message, "locked") != NULL);
	CHECK_EQ_INT(write(release[1], "g", 1), 1);
	REQUIRE(waitpid(pid, &status, 0) == pid);
	hfds_store_set_lock_timeout(st, 5000);
	CHECK_EQ_INT(fx_commit_buf(repo, "x.txt", "x", sha), 0);
	close(ready[0]);
	close(ready[1]);
	close(release[0]);
	close(release[1]);
	hfds_store_repo_free(repo);
	hfds_store_free(st);
}

/* Writers in several processes are serialised: every commit lands, none is lost. */
static void concurrent_writers(void)
{
	hfds_store *st = fx_store();
	hfds_store_repo *repo;
	hfds_store_tree *tree = NULL;
	hfds_store_log *log = NULL;
	hfds_error err;
	pid_t pids[4];
	REQUIRE(st);
	REQUIRE((repo = fx_repo(st, "ns/race")));
	fflush(NULL);
	for (int w = 0; w < 4; w++) {
		pids[w] = fork();
		REQUIRE(pids[w] >= 0);
		if (pids[w] == 0) {
			hfds_store_repo *r = NULL;
			if (hfds_store_repo_open(&r, st, HFDS_REPO_DATASET, "ns/race", NULL) < 0)
				_exit(2);
			for (int i = 0; i < 5; i++) {
				char path[64], sha[HFDS_OID_HEX_SIZE];
				snprintf(path, sizeof(path), "w%d/f%d.txt", w, i);
				if (fx_commit_buf(r, path, path, sha) < 0)
					_exit(3);
			}
			hfds_store_repo_free(r);
			_exit(0);
		}
	}
	for (int w = 0; w < 4; w++) {
		int status = 0;
		REQUIRE(waitpid(pids[w], &status, 0) == pids[w]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	hfds_error_init(&err);
	REQUIRE(hfds_store_tree_list(&tree, repo, NULL, NULL, 1, &err) == 0);
	CHECK_EQ_INT(tree->count, 1 + 4 + 20); /* .gitattributes, 4 folders, 20 files */
	hfds_store_tree_free(tree);
	REQUIRE(hfds_store_log_list(&log, repo, NULL, 0, &err) == 0);
	CHECK_EQ_INT(log->count, 21);
	hfds_store_log_free(log);
	hfds_store_repo_free(repo);
	hfds_store_free(st);
}

/* The server path: an upload imported into the object store, then committed by oid. */
static void import_then_commit_by_oid(void)
{
	hfds_store *st = fx_store();
	hfds_store_repo *repo;
	hfds_store_commit *c = NULL;
	hfds_store_entry e;
	hfds_error err;
	char sha[HFDS_SHA256_HEX_SIZE], missing[65];
	uint64_t size = 0;
	uint8_t *data = NULL;
	size_t n;
	const char *up = fx_file("upload.bin", "uploaded content", 16);
	REQUIRE(st && up);
	REQUIRE((repo = fx_repo(st, "ns/oid")));
	hfds_error_init(&err);
	REQUIRE(hfds_store_object_import(st, up, NULL, 0, HFDS_STORE_ADD_MOVE, sha, &err) == 0);
	CHECK(access(up, F_OK) != 0);
	CHECK_EQ_INT(hfds_store_object_exists(st, sha, &size, &err), 1);
	CHECK_EQ_INT(size, 16);
	memset(missing, 'b', 64);
	missing[64] = '\0';
	CHECK_EQ_INT(hfds_store_object_exists(st, missing, NULL, &err), 0);
	CHECK_EQ_INT(hfds_store_object_exists(st, "../../etc/passwd", NULL, NULL), HFDS_EINVAL);

	REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
	hfds_store_commit_set_message(c, "by oid", NULL, &err);
	CHECK_EQ_INT(hfds_store_commit_add_lfs(c, "notes.md", sha, UINT64_MAX, &err), 0);
	CHECK_EQ_INT(hfds_store_commit_add_lfs(c, "x", "NOTHEX", 1, NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_store_commit_run(c, NULL, &err), 0);
	hfds_store_commit_free(c);
	REQUIRE(hfds_store_stat(&e, repo, NULL, "notes.md", &err) == 0);
	CHECK_EQ_INT(e.is_lfs, 1); /* an lfsFile stays LFS whatever the rules */
	CHECK_EQ_INT(e.size, 16);
	hfds_store_entry_release(&e);
	REQUIRE(hfds_store_read(&data, &n, repo, NULL, "notes.md", 0, UINT64_MAX, 0, 0, &err) == 0);
	CHECK_EQ_STR((char *)data, "uploaded content");
	hfds_free(data);

	/* Unknown object, or a wrong size: nothing is committed. */
	REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
	hfds_store_commit_set_message(c, "bad oid", NULL, &err);
	hfds_store_commit_add_lfs(c, "gone.bin", missing, 5, &err);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_commit_run(c, NULL, &err), HFDS_ENOTFOUND);
	CHECK(strstr(err.message, "was not uploaded") != NULL);
	hfds_store_commit_free(c);
	REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
	hfds_store_commit_set_message(c, "bad size", NULL, &err);
	hfds_store_commit_add_lfs(c, "wrong.bin", sha, 17, &err);
	CHECK_EQ_INT(hfds_store_commit_run(c, NULL, NULL), HFDS_ENOTFOUND);
	hfds_store_commit_free(c);
	hfds_store_repo_free(repo);
	hfds_store_free(st);
}

int main(void)
{
	RUN(adds_and_deletes);
	RUN(parent_conflict);
	RUN(lfs_and_ranges);
	RUN(known_sha_no_copy);
	RUN(user_file_is_copied);
	RUN(crash_mid_commit);
	RUN(lock_held_elsewhere);
	RUN(concurrent_writers);
	RUN(import_then_commit_by_oid);
	TEST_END();
}
