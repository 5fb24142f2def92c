/*
 * The embedded backend: the hub operations over the local store (hfds/store.h). The last
 * repository opened stays open, so the several calls of one publish (head, card, list,
 * commit) open the git repository once.
 */
#include "hub/backend.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/try.h"

typedef struct embedded {
	hfds_store *store;
	hfds_store_repo *repo;      /* the cached repository, or NULL */
	hfds_repo_type type;
	char id[HFDS_REPO_ID_SIZE];
} embedded;

static void forget(embedded *e)
{
	hfds_store_repo_free(e->repo);
	e->repo = NULL;
	e->id[0] = '\0';
}

static int repo_of(hfds_store_repo **out, hfds_hub *hub, hfds_repo_type type, const char *id, hfds_error *err)
{
	embedded *e = hub->impl;
	int rc;
	if (e->repo && e->type == type && !strcmp(e->id, id)) {
		*out = e->repo;
		return 0;
	}
	forget(e);
	if ((rc = hfds_store_repo_open(&e->repo, e->store, type, id, err)) < 0)
		return rc;
	e->type = type;
	snprintf(e->id, sizeof(e->id), "%s", id);
	*out = e->repo;
	return 0;
}

static int emb_whoami(hfds_hub *hub, hfds_hub_user *out, hfds_error *err)
{
	(void)hub;
	(void)err;
	snprintf(out->name, sizeof(out->name), "local");
	out->can_write = 1;
	return 0;
}

static int emb_repo_create(hfds_hub *hub, hfds_repo_type type, const char *id, int is_private, hfds_error *err)
{
	embedded *e = hub->impl;
	return hfds_store_repo_create(e->store, type, id, is_private, err);
}

static int emb_repo_delete(hfds_hub *hub, hfds_repo_type type, const char *id, hfds_error *err)
{
	embedded *e = hub->impl;
	forget(e);
	return hfds_store_repo_delete(e->store, type, id, err);
}

static int emb_repo_set_private(hfds_hub *hub, hfds_repo_type type, const char *id, int is_private,
	hfds_error *err)
{
	embedded *e = hub->impl;
	return hfds_store_repo_set_private(e->store, type, id, is_private, err);
}

static int emb_repo_info(hfds_store_repo_info *out, hfds_hub *hub, hfds_repo_type type, const char *id,
	const char *rev, hfds_error *err)
{
	hfds_store_repo *r;
	int rc = repo_of(&r, hub, type, id, err);
	return rc < 0 ? rc : hfds_store_repo_info_get(out, r, rev, err);
}

static int emb_tree_list(hfds_store_tree **out, hfds_hub *hub, hfds_repo_type type, const char *id,
	const char *rev, const char *path, int recursive, hfds_error *err)
{
	hfds_store_repo *r;
	int rc = repo_of(&r, hub, type, id, err);
	return rc < 0 ? rc : hfds_store_tree_list(out, r, rev, path, recursive, err);
}

static int emb_read(uint8_t **out, size_t *out_len, hfds_hub *hub, hfds_repo_type type, const char *id,
	const char *rev, const char *path, uint64_t offset, uint64_t length, size_t max_bytes, hfds_error *err)
{
	hfds_store_repo *r;
	int rc = repo_of(&r, hub, type, id, err);
	return rc < 0 ? rc : hfds_store_read(out, out_len, r, rev, path, offset, length, max_bytes, 0, err);
}

/* A copy keeps LFS content where it is (a new pointer to the same object); a regular file
 * is small and copied through memory. */
static int add_copy(hfds_store_commit *sc, hfds_store_repo *r, const hfds_hub_op *op, const char *base,
	hfds_error *err)
{
	hfds_store_entry ent;
	uint8_t *data = NULL;
	size_t n = 0;
	const char *rev = op->src_rev ? op->src_rev : base;
	int rc = 0;
	memset(&ent, 0, sizeof(ent));
	HFDS_TRY(hfds_store_stat(&ent, r, rev, op->src_path, err));
	HFDS_FAIL_IF(ent.is_dir, HFDS_EINVAL, err, "%s: cannot copy a folder", op->src_path);
	if (ent.is_lfs) {
		HFDS_TRY(hfds_store_commit_add_lfs(sc, op->path, ent.lfs_sha256, ent.size, err));
	} else {
		HFDS_TRY(hfds_store_read(&data, &n, r, rev, op->src_path, 0, UINT64_MAX, 0, 0, err));
		HFDS_TRY(hfds_store_commit_add_buffer(sc, op->path, data, n, HFDS_STORE_ADD_FORCE_REGULAR, err));
	}
done:
	hfds_free(data);
	hfds_store_entry_release(&ent);
	return rc;
}

static int emb_commit(hfds_hub *hub, hfds_repo_type type, const char *id, const hfds_hub_commit_info *c,
	char out_sha[HFDS_OID_HEX_SIZE], hfds_error *err)
{
	hfds_store_repo *r;
	hfds_store_commit *sc = NULL;
	char base[HFDS_OID_HEX_SIZE] = "", before[HFDS_OID_HEX_SIZE] = "", sha[HFDS_OID_HEX_SIZE];
	int rc = 0;
	HFDS_FAIL_IF(c->create_pr, HFDS_EUNSUPPORTED, err, "%s: pull requests need a remote hub", hub->where);
	HFDS_TRY(repo_of(&r, hub, type, id, err));
	HFDS_TRY(hfds_store_commit_new(&sc, r, c->branch, err));
	HFDS_TRY(hfds_store_commit_set_message(sc, c->title, c->description, err));
	if (c->parent)
		HFDS_TRY(hfds_store_commit_set_parent(sc, c->parent, err));
	for (size_t i = 0; i < c->count; i++) {
		const hfds_hub_op *op = &c->ops[i];
		switch (op->kind) {
		case HFDS_HUB_OP_ADD_FILE:
			HFDS_TRY(hfds_store_commit_add_file(sc, op->path, op->local_path, op->sha256_hex, op->size, 0, err));
			break;
		case HFDS_HUB_OP_ADD_LFS:
			HFDS_TRY(hfds_store_commit_add_lfs(sc, op->path, op->sha256_hex, op->size, err));
			break;
		case HFDS_HUB_OP_ADD_BUFFER:
			HFDS_TRY(hfds_store_commit_add_buffer(sc, op->path, op->data, op->len, 0, err));
			break;
		case HFDS_HUB_OP_DELETE:
			HFDS_TRY(hfds_store_commit_delete_file(sc, op->path, err));
			break;
		case HFDS_HUB_OP_COPY:
			/* copies read the commit the others are based on: the parent, else the head */
			if (!base[0])
				HFDS_TRY(c->parent ? (snprintf(base, sizeof(base), "%s", c->parent), 0)
					: hfds_store_resolve(base, r, c->branch, err));
			HFDS_TRY(add_copy(sc, r, op, base, err));
			break;
		default:
			HFDS_FAIL(HFDS_EINVAL, err, "commit operation %zu: unknown kind %d", i, (int)op->kind);
		}
	}
	/* the store makes no commit when the tree stays as it is and answers with the head: the
	 * head before (the parent, checked by the store, else resolved) tells that apart */
	HFDS_TRY(c->parent ? (snprintf(before, sizeof(before), "%s", c->parent), 0)
		: hfds_store_resolve(before, r, c->branch, err));
	HFDS_TRY(hfds_store_commit_run(sc, sha, err));
	if (out_sha)
		memcpy(out_sha, sha, HFDS_OID_HEX_SIZE);
	rc = !strncasecmp(sha, before, strlen(before));
done:
	hfds_store_commit_free(sc);
	return rc;
}

static int emb_branch_create(hfds_hub *hub, hfds_repo_type type, const char *id, const char *name,
	const char *from, hfds_error *err)
{
	hfds_store_repo *r;
	int rc = repo_of(&r, hub, type, id, err);
	return rc < 0 ? rc : hfds_store_branch_create(r, name, from, err);
}

static int emb_branch_delete(hfds_hub *hub, hfds_repo_type type, const char *id, const char *name,
	hfds_error *err)
{
	hfds_store_repo *r;
	int rc = repo_of(&r, hub, type, id, err);
	return rc < 0 ? rc : hfds_store_branch_delete(r, name, err);
}

static int emb_tag_create(hfds_hub *hub, hfds_repo_type type, const char *id, const char *name, const char *rev,
	const char *message, hfds_error *err)
{
	hfds_store_repo *r;
	int rc = repo_of(&r, hub, type, id, err);
	return rc < 0 ? rc : hfds_store_tag_create(r, name, rev, message, err);
}

static int emb_tag_delete(hfds_hub *hub, hfds_repo_type type, const char *id, const char *name, hfds_error *err)
{
	hfds_store_repo *r;
	int rc = repo_of(&r, hub, type, id, err);
	return rc < 0 ? rc : hfds_store_tag_delete(r, name, err);
}

static int emb_refs_list(hfds_store_refs **out, hfds_hub *hub, hfds_repo_type type, const char *id,
	hfds_error *err)
{
	hfds_store_repo *r;
	int rc = repo_of(&r, hub, type, id, err);
	return rc < 0 ? rc : hfds_store_refs_list(out, r, err);
}

static int emb_log(hfds_store_log **out, hfds_hub *hub, hfds_repo_type type, const char *id, const char *rev,
	size_t limit, hfds_error *err)
{
	hfds_store_repo *r;
	int rc = repo_of(&r, hub, type, id, err);
	return rc < 0 ? rc : hfds_store_log_list(out, r, rev, limit, err);
}

/* <root>/tmp: the store's own staging area, on the file system of the LFS objects. */
static int emb_staging_root(char **out, hfds_hub *hub, hfds_error *err)
{
	embedded *e = hub->impl;
	if (asprintf(out, "%s/tmp", hfds_store_root(e->store)) < 0) {
		*out = NULL;
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	}
	return 0;
}

static void emb_free(hfds_hub *hub)
{
	embedded *e = hub->impl;
	if (!e)
		return;
	forget(e);
	hfds_store_free(e->store);
	hfds_free(e);
	hub->impl = NULL;
}

/* The object goes into the store now (hard-linked from the staging folder), so the shard
 * file can leave the spool before the commit. */
static int emb_upload(hfds_hub *hub, hfds_repo_type type, const char *id, const char *branch, const char *path,
	const char *local_path, const char *sha256_hex, uint64_t size, int *stored, hfds_error *err)
{
	embedded *e = hub->impl;
	char sha[HFDS_SHA256_HEX_SIZE];
	int rc;
	(void)type;
	(void)id;
	(void)branch;
	(void)path;
	if ((rc = hfds_store_object_import(e->store, local_path, sha256_hex, size, 0, sha, err)) < 0)
		return rc;
	*stored = 1;
	return 0;
}

static const hfds_hub_backend embedded_backend = {
	"embedded", emb_whoami, emb_repo_create, emb_repo_delete, emb_repo_set_private, emb_repo_info,
	emb_tree_list, emb_read, emb_commit, emb_branch_create, emb_branch_delete, emb_tag_create,
	emb_tag_delete, emb_refs_list, emb_log, emb_staging_root, emb_free, emb_upload, NULL, NULL,
};

int hfds_hub__embedded_open(hfds_hub *hub, hfds_error *err)
{
	embedded *e = hfds_calloc(1, sizeof(*e));
	int rc;
	if (!e)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	if ((rc = hfds_store_open(&e->store, hub->target.root, err)) < 0) {
		hfds_free(e);
		return rc;
	}
	hub->impl = e;
	hub->be = &embedded_backend;
	return 0;
}
