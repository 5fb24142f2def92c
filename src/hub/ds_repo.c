/*
 * hfds_ds_repo_ops over a hub: what hfds_ds_publish, _publish_folder, _delete_config and
 * _purge need from a dataset repository (head, read, list, commit), for one branch.
 */
#include "hub/backend.h"

#include <string.h>

#include "hub/uploader.h"

#include "util/alloc.h"
#include "util/try.h"

struct hfds_hub_dataset {
	hfds_hub *hub;
	char *repo_id;
	char *branch;
	hfds_ds_repo_ops ops;
	hfds_hub_upload_options up_opts;
	hub_uploader *up;           /* made at the first upload */
	size_t made, unchanged;     /* commits made / not made (nothing would change) */
};

static int ops_head(void *payload, char sha[41], hfds_error *err)
{
	hfds_hub_dataset *d = payload;
	int rc = hfds_hub_resolve(sha, d->hub, HFDS_REPO_DATASET, d->repo_id, d->branch, err);
	if (rc == HFDS_ENOTFOUND && strcmp(d->branch, "main") != 0) {
		/* like push_to_hub(revision=...): create the branch from main first */
		if (err)
			hfds_error_init(err);
		rc = hfds_hub_branch_create(d->hub, HFDS_REPO_DATASET, d->repo_id, d->branch, NULL, err);
		if (rc == 0 || rc == HFDS_EEXISTS) {
			if (err)
				hfds_error_init(err);
			rc = hfds_hub_resolve(sha, d->hub, HFDS_REPO_DATASET, d->repo_id, d->branch, err);
		}
	}
	return rc;
}

/* A missing file is HFDS_ENOTFOUND without a message: the caller expects it (no card yet). */
static int ops_read(void *payload, const char *rev, const char *path, char **data, size_t *len, hfds_error *err)
{
	hfds_hub_dataset *d = payload;
	uint8_t *out = NULL;
	size_t n = 0;
	hfds_error local;
	int rc;
	hfds_error_init(&local);
	rc = hfds_hub_read(&out, &n, d->hub, HFDS_REPO_DATASET, d->repo_id, rev, path, 0, UINT64_MAX, 64u << 20,
		&local);
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
	hfds_hub_dataset *d = payload;
	hfds_store_tree *t = NULL;
	hfds_ds_repo_file *out = NULL;
	size_t i, n = 0;
	int rc = 0;
	*files = NULL;
	*count = 0;
	HFDS_TRY(hfds_hub_tree_list(&t, d->hub, HFDS_REPO_DATASET, d->repo_id, rev, "", 1, err));
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

static int ops_upload(void *payload, const char *local_path, const char *path, const char *sha256_hex,
	uint64_t size, hfds_error *err)
{
	hfds_hub_dataset *d = payload;
	int rc = 0;
	if (!d->up)
		HFDS_TRY(hub_uploader_new(&d->up, d->hub, d->repo_id, d->branch, &d->up_opts, err));
	HFDS_TRY(hub_uploader_add(d->up, local_path, path, sha256_hex, size, err));
done:
	return rc;
}

static int ops_upload_wait(void *payload, hfds_error *err)
{
	hfds_hub_dataset *d = payload;
	return d->up ? hub_uploader_wait(d->up, err) : 0;
}

static int ops_stored(void *payload, const char *local_path)
{
	hfds_hub_dataset *d = payload;
	return d->up ? hub_uploader_stored(d->up, local_path) : 0;
}

static int ops_commit(void *payload, const hfds_ds_commit *c, char out_sha[41], hfds_error *err)
{
	hfds_hub_dataset *d = payload;
	hfds_hub_commit_info ci;
	hfds_hub_op *ops = NULL;
	size_t i, n = 0;
	int rc = 0;
	ops = hfds_calloc(c->delete_count + c->add_count + 1, sizeof(*ops));
	HFDS_FAIL_IF(!ops, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < c->delete_count; i++, n++) {
		ops[n].kind = HFDS_HUB_OP_DELETE;
		ops[n].path = c->deletes[i];
	}
	for (i = 0; i < c->add_count; i++, n++) {
		const hfds_ds_commit_add *a = &c->adds[i];
		ops[n].kind = a->stored ? HFDS_HUB_OP_ADD_LFS : a->local_path ? HFDS_HUB_OP_ADD_FILE : HFDS_HUB_OP_ADD_BUFFER;
		ops[n].path = a->path;
		ops[n].local_path = a->local_path;
		ops[n].sha256_hex = a->sha256_hex;
		ops[n].size = a->size;
		ops[n].data = a->data;
		ops[n].len = a->len;
	}
	memset(&ci, 0, sizeof(ci));
	ci.branch = d->branch;
	ci.title = c->title;
	ci.description = c->description;
	ci.parent = c->parent;
	ci.ops = ops;
	ci.count = n;
	hub_uploader_event(d->up, "commit", c->title);
	rc = hfds_hub_commit(d->hub, HFDS_REPO_DATASET, d->repo_id, &ci, out_sha, err);
	if (rc >= 0) {
		/* the dataset layer sees a commit either way: the head is its answer */
		hub_uploader_event(d->up, rc ? "unchanged" : "committed", c->title);
		*(rc ? &d->unchanged : &d->made) += 1;
		rc = 0;
	}
done:
	hfds_free(ops);
	return rc;
}

int hfds_hub_dataset_open(hfds_hub_dataset **out, hfds_hub *hub, const char *repo_id, const char *branch,
	unsigned flags, hfds_error *err)
{
	hfds_hub_dataset *d = NULL;
	hfds_store_repo_info info;
	int rc = 0;
	HFDS_ASSERT_ARG(out && hub && repo_id, err);
	*out = NULL;
	HFDS_TRY(hfds_hub_repo_id_check(repo_id, err));
	d = hfds_calloc(1, sizeof(*d));
	HFDS_FAIL_IF(!d, HFDS_ENOMEM, err, "out of memory");
	d->hub = hub;
	d->repo_id = hfds_strdup(repo_id);
	d->branch = hfds_strdup(branch && *branch ? branch : "main");
	HFDS_FAIL_IF(!d->repo_id || !d->branch, HFDS_ENOMEM, err, "out of memory");
	if (flags & HFDS_HUB_DATASET_CREATE) {
		/* who we are before any work: a missing, invalid or read-only token fails here */
		hfds_hub_user user;
		HFDS_TRY(hfds_hub_whoami(hub, &user, err));
		HFDS_FAIL_IF(!user.can_write, HFDS_EAUTH, err, "%s: the HF token of '%s' is read-only; publishing needs a "
			"write token", hub->where, user.name);
		HFDS_TRY(hfds_hub_repo_create(hub, HFDS_REPO_DATASET, repo_id, !!(flags & HFDS_HUB_DATASET_PRIVATE), 1,
			err));
		rc = 0;
	} else if ((rc = hfds_hub_repo_info(&info, hub, HFDS_REPO_DATASET, repo_id, NULL, err)) < 0) {
		if (rc == HFDS_ENOTFOUND)
			hfds_error_reset(err, rc, "dataset repo '%s' not found (%s)", repo_id, hub->where);
		goto done;
	}
	hfds_ds_repo_ops_init(&d->ops);
	d->ops.payload = d;
	d->ops.head = ops_head;
	d->ops.read_file = ops_read;
	d->ops.list_files = ops_list;
	d->ops.commit = ops_commit;
	d->ops.upload = ops_upload;
	d->ops.upload_wait = ops_upload_wait;
	d->ops.stored = ops_stored;
	hfds_hub_upload_options_init(&d->up_opts);
	*out = d;
	d = NULL;
done:
	hfds_hub_dataset_free(d);
	return rc;
}

void hfds_hub_dataset_free(hfds_hub_dataset *d)
{
	if (!d)
		return;
	hub_uploader_free(d->up);
	hfds_free(d->repo_id);
	hfds_free(d->branch);
	hfds_free(d);
}

const hfds_ds_repo_ops *hfds_hub_dataset_ops(hfds_hub_dataset *d)
{
	return d ? &d->ops : NULL;
}

size_t hfds_hub_dataset_commits(const hfds_hub_dataset *d, size_t *unchanged)
{
	if (unchanged)
		*unchanged = d ? d->unchanged : 0;
	return d ? d->made : 0;
}

int hfds_hub_dataset_set_upload(hfds_hub_dataset *d, const hfds_hub_upload_options *o, hfds_error *err)
{
	HFDS_ASSERT_ARG(d, err);
	HFDS_CHECK_VERSION(o, HFDS_HUB_UPLOAD_OPTIONS_VERSION, "hfds_hub_upload_options", err);
	if (d->up)
		return hfds_error_set(err, HFDS_ESTATE, "uploads already began");
	if (o && o->keep && o->spool_max)
		return hfds_error_set(err, HFDS_EINVAL, "keeping the uploaded shards and bounding the spool exclude each other");
	if (o)
		d->up_opts = *o;
	else
		hfds_hub_upload_options_init(&d->up_opts);
	return 0;
}
