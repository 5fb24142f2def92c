/* Shared setup for the store tests: a fresh store under test_tmpdir() per case. */
#ifndef HFDS_TEST_STORE_FIXTURE_H
#define HFDS_TEST_STORE_FIXTURE_H

#include <sys/stat.h>
#include "test.h"
#include "hfds/store.h"
#include "util/alloc.h"

/* A store rooted at a new subdirectory of the test's temp dir. */
static inline hfds_store *fx_store(void)
{
	static int n;
	char root[4200];
	hfds_store *st = NULL;
	hfds_error err;
	hfds_error_init(&err);
	snprintf(root, sizeof(root), "%s/hub%d", test_tmpdir(), n++);
	if (hfds_store_open(&st, root, &err) < 0) {
		fprintf(stderr, "store open: %s\n", err.message);
		return NULL;
	}
	return st;
}

/* Creates dataset repo `id` and opens it. */
static inline hfds_store_repo *fx_repo(hfds_store *st, const char *id)
{
	hfds_store_repo *repo = NULL;
	hfds_error err;
	hfds_error_init(&err);
	if (hfds_store_repo_create(st, HFDS_REPO_DATASET, id, 0, &err) < 0
		|| hfds_store_repo_open(&repo, st, HFDS_REPO_DATASET, id, &err) < 0) {
		fprintf(stderr, "repo %s: %s\n", id, err.message);
		return NULL;
	}
	return repo;
}

/* Writes `s` to a file under the temp dir; returns its path (static slots). */
static inline const char *fx_file(const char *name, const void *data, size_t len)
{
	static char slots[8][4200];
	static int slot;
	char *p = slots[slot++ & 7];
	FILE *f;
	snprintf(p, 4200, "%s/%s", test_tmpdir(), name);
	f = fopen(p, "wb");
	if (!f)
		return NULL;
	fwrite(data, 1, len, f);
	fclose(f);
	return p;
}

/* Writes a file in the store's own staging area <root>/tmp (static slots). */
static inline const char *fx_staged(hfds_store *st, const char *name, const void *data, size_t len)
{
	static char slots[4][4200];
	static int slot;
	char *p = slots[slot++ & 3];
	FILE *f;
	snprintf(p, 4200, "%s/tmp", hfds_store_root(st));
	mkdir(p, 0777);
	snprintf(p, 4200, "%s/tmp/%s", hfds_store_root(st), name);
	if (!(f = fopen(p, "wb")))
		return NULL;
	fwrite(data, 1, len, f);
	fclose(f);
	return p;
}

/* One commit adding a buffer; returns 0 or the error code. */
static inline int fx_commit_buf(hfds_store_repo *repo, const char *path, const char *text, char sha[HFDS_OID_HEX_SIZE])
{
	hfds_store_commit *c = NULL;
	hfds_error err;
	int rc;
	hfds_error_init(&err);
	if ((rc = hfds_store_commit_new(&c, repo, NULL, &err)) == 0
		&& (rc = hfds_store_commit_set_message(c, "add file", NULL, &err)) == 0
		&& (rc = hfds_store_commit_add_buffer(c, path, text, strlen(text), 0, &err)) == 0)
		rc = hfds_store_commit_run(c, sha, &err);
	if (rc < 0)
		fprintf(stderr, "commit: %s\n", err.message);
	hfds_store_commit_free(c);
	return rc;
}

#endif
