/* hfds_ds_repo_ops over the embedded store, for push / delete-config / purge. */
#include "push_repo.h"
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hfds/hub.h"
#include "util/alloc.h"
#include "util/try.h"

static int ops_head(void *payload, char sha[41], hfds_error *err)
{
	push_repo *p = payload;
	int rc = hfds_store_resolve(sha, p->repo, p->branch, err);
	if (rc == HFDS_ENOTFOUND && strcmp(p->branch, "main") != 0) {
		/* like push_to_hub(revision=...): create the branch from main first */
		if (err)
			hfds_error_init(err);
		rc = hfds_store_branch_create(p->repo, p->branch, NULL, err);
		if (rc == 0 || rc == HFDS_EEXISTS) {
			if (err)
				hfds_error_init(err);
			rc = hfds_store_resolve(sha, p->repo, p->branch, err);
		}
	}
	return rc;
}

static int ops_read(void *payload, const char *rev, const char *path, char **data, size_t *len, hfds_error *err)
{
	push_repo *p = payload;
	uint8_t *out = NULL;
	size_t n = 0;
	hfds_error local;
	int rc;
	hfds_error_init(&local);
	rc = hfds_store_read(&out, &n, p->repo, rev, path, 0, UINT64_MAX, 64u << 20, 0, &local);
	if (rc == HFDS_ENOTFOUND)
		return rc;
	if (rc < 0) {
		if (err && !err->code)
			*err = local;
		return rc;
	}
	*data = (char *)out;
	*len = n;
	return 0;
}

static int ops_list(void *payload, const char *rev, hfds_ds_repo_file **files, size_t *count, hfds_error *err)
{
	push_repo *p = payload;
	hfds_store_tree *t = NULL;
	hfds_ds_repo_file *out = NULL;
	size_t i, n = 0;
	int rc = 0;
	*files = NULL;
	*count = 0;
	HFDS_TRY(hfds_store_tree_list(&t, p->repo, rev, "", 1, err));
	out = hfds_calloc(t->count ? t->count : 1, sizeof(*out));
	HFDS_FAIL_IF(!out, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < t->count; i++) {
		if (t->items[i].is_dir)
			continue;
		out[n].path = hfds_strdup(t->items[i].path);
		out[n].size = t->items[i].size;
		HFDS_FAIL_IF(!out[n].path, HFDS_ENOMEM, err, "out of memory");
		n++;
	}
	*files = out;
	*count = n;
	out = NULL;
done:
	hfds_ds_repo_files_free(out, n);
	hfds_store_tree_free(t);
	return rc;
}

static int ops_commit(void *payload, const hfds_ds_commit *c, char out_sha[41], hfds_error *err)
{
	push_repo *p = payload;
	hfds_store_commit *sc = NULL;
	size_t i;
	int rc = 0;
	HFDS_TRY(hfds_store_commit_new(&sc, p->repo, p->branch, err));
	HFDS_TRY(hfds_store_commit_set_message(sc, c->title, c->description, err));
	if (c->parent)
		HFDS_TRY(hfds_store_commit_set_parent(sc, c->parent, err));
	for (i = 0; i < c->delete_count; i++)
		HFDS_TRY(hfds_store_commit_delete_file(sc, c->deletes[i], err));
	for (i = 0; i < c->add_count; i++) {
		const hfds_ds_commit_add *a = &c->adds[i];
		if (a->local_path)
			HFDS_TRY(hfds_store_commit_add_file(sc, a->path, a->local_path, a->sha256_hex, a->size, 0, err));
		else
			HFDS_TRY(hfds_store_commit_add_buffer(sc, a->path, a->data, a->len, 0, err));
	}
	HFDS_TRY(hfds_store_commit_run(sc, out_sha, err));
done:
	hfds_store_commit_free(sc);
	return rc;
}

int push_repo_open(push_repo **out, const char *endpoint, const char *repo_id, const char *branch, int create,
	int is_private, hfds_error *err)
{
	int rc = 0, exists;
	push_repo *p = NULL;
	hfds_target t;
	int have_target = 0;
	*out = NULL;
	HFDS_TRY(hfds_hub_repo_id_check(repo_id, err));
	HFDS_TRY(hfds_target_select(&t, endpoint, err));
	have_target = 1;
	p = hfds_calloc(1, sizeof(*p));
	HFDS_FAIL_IF(!p, HFDS_ENOMEM, err, "out of memory");
	hfds_target_describe(&t, p->where, sizeof(p->where));
	HFDS_FAIL_IF(t.kind != HFDS_TARGET_EMBEDDED, HFDS_EUNSUPPORTED, err,
		"%s: publishing datasets to a remote hub is not implemented yet; use --endpoint PATH for the embedded hub",
		p->where);
	p->repo_id = hfds_strdup(repo_id);
	p->branch = hfds_strdup(branch && *branch ? branch : "main");
	HFDS_FAIL_IF(!p->repo_id || !p->branch, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hfds_store_open(&p->store, t.root, err));
	exists = hfds_store_repo_exists(p->store, HFDS_REPO_DATASET, repo_id, err);
	HFDS_TRY(exists);
	if (!exists) {
		HFDS_FAIL_IF(!create, HFDS_ENOTFOUND, err, "dataset repo '%s' not found (%s)", repo_id, p->where);
		rc = hfds_store_repo_create(p->store, HFDS_REPO_DATASET, repo_id, is_private, err);
		if (rc == HFDS_EEXISTS) {
			if (err)
				hfds_error_init(err);
			rc = 0;
			exists = 1;
		}
		HFDS_TRY(rc);
	}
	HFDS_TRY(hfds_store_repo_open(&p->repo, p->store, HFDS_REPO_DATASET, repo_id, err));
	if (!exists)
		HFDS_TRY(hfds_store_resolve(p->created, p->repo, "main", err));
	p->ops.payload = p;
	p->ops.head = ops_head;
	p->ops.read_file = ops_read;
	p->ops.list_files = ops_list;
	p->ops.commit = ops_commit;
	*out = p;
	p = NULL;
done:
	if (have_target)
		hfds_target_release(&t);
	push_repo_free(p);
	return rc;
}

void push_repo_free(push_repo *p)
{
	if (!p)
		return;
	hfds_store_repo_free(p->repo);
	hfds_store_free(p->store);
	hfds_free(p->repo_id);
	hfds_free(p->branch);
	hfds_free(p);
}

static time_t newest;


static int note_mtime(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)path;
	(void)flag;
	(void)ftw;
	if (sb->st_mtime > newest)
		newest = sb->st_mtime;
	return 0;
}

/* Folders of pushes killed more than an hour ago: nothing below them changed for an hour
 * (a running push writes a file at least every shard). */
static void sweep_old_pushes(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;
	time_t now = time(NULL);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char *path = NULL;
		struct stat sb;
		if (strncmp(e->d_name, "push-", 5) != 0 || asprintf(&path, "%s/%s", base, e->d_name) < 0)
			continue;
		newest = 0;
		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && nftw(path, note_mtime, 16, FTW_PHYS) == 0 &&
			now - newest > 3600)
			push_repo_remove_tree(path);
		free(path);
	}
	closedir(d);
}

int push_repo_staging(char **out, const push_repo *p, hfds_error *err)
{
	char *base = NULL, *tmpl = NULL;
	int rc = 0;
	*out = NULL;
	/* <root>/tmp is the store's own staging area: same file system as the LFS objects */
	HFDS_FAIL_IF(asprintf(&base, "%s/tmp", hfds_store_root(p->store)) < 0, HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(mkdir(base, 0777) < 0 && errno != EEXIST, HFDS_EIO, err, "%s: %s", base, strerror(errno));
	sweep_old_pushes(base);
	HFDS_FAIL_IF(asprintf(&tmpl, "%s/push-XXXXXX", base) < 0, HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(!mkdtemp(tmpl), HFDS_EIO, err, "%s: %s", tmpl, strerror(errno));
	*out = hfds_strdup(tmpl);
	HFDS_FAIL_IF(!*out, HFDS_ENOMEM, err, "out of memory");
	cli_cleanup_register(*out); /* a killed push leaves no staged shards behind */
done:
	free(base);
	free(tmpl);
	return rc;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void push_repo_remove_tree(const char *dir)
{
	if (dir)
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	cli_cleanup_unregister(dir);
}

void push_repo_abandon(push_repo *p)
{
	char head[HFDS_OID_HEX_SIZE];
	if (!p || !p->created[0] || hfds_store_resolve(head, p->repo, "main", NULL) < 0 || strcmp(head, p->created) != 0)
		return;
	/* still the initial commit: nothing of anyone's was published to it */
	hfds_store_repo_free(p->repo);
	p->repo = NULL;
	hfds_store_repo_delete(p->store, HFDS_REPO_DATASET, p->repo_id, NULL);
	p->created[0] = '\0';
}
