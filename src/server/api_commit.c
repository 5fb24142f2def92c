/*
 * Writing (hub-protocol.md §3.1, §3.3): preupload tells each file's upload mode with the
 * store's own LFS rules; the NDJSON commit is parsed whole (ndjson.c) and then applied as one
 * store commit, so a bad line or a stale parentCommit changes nothing.
 */
#include "server/srv_int.h"

#include <string.h>

#include "util/alloc.h"
#include "util/base64.h"

int srv_api_preupload(srv_req *r, hfds_repo_type t, const char *id, const char *rev)
{
	json_t *b, *files, *f, *out;
	hfds_store_repo *repo;
	uint8_t *attrs = NULL;
	size_t attrs_len = 0, i;
	char sha[HFDS_OID_HEX_SIZE];
	const char *given;
	hfds_buf sample;
	int ok;
	if (!srv_can_write(r, t, id) || !(repo = srv_open_rev(r, t, id, rev, sha)))
		return MHD_YES;
	if (!(b = srv_body_json(r))) {
		json_decref(b);
		hfds_store_repo_free(repo);
		return MHD_YES;
	}
	files = json_object_get(b, "files");
	if (!json_is_array(files)) {
		json_decref(b);
		hfds_store_repo_free(repo);
		return srv_reply_error(r, 400, NULL, "preupload: expected a files array");
	}
	given = json_string_value(json_object_get(b, "gitAttributes"));
	if (given) {
		attrs_len = strlen(given);
		attrs = (uint8_t *)hfds_strdup(given);
	} else if (hfds_store_read(&attrs, &attrs_len, repo, sha, ".gitattributes", 0, UINT64_MAX, 1u << 20,
		HFDS_STORE_READ_RAW, NULL) < 0) {
		attrs = NULL;
		attrs_len = 0;
	}
	hfds_buf_init(&sample, 4096);
	out = json_array();
	json_array_foreach(files, i, f) {
		const char *path = json_string_value(json_object_get(f, "path"));
		const char *smp = json_string_value(json_object_get(f, "sample"));
		json_t *sz = json_object_get(f, "size"), *o;
		hfds_store_entry e;
		int lfs;
		if (!path || !json_is_integer(sz)) {
			ok = srv_reply_error(r, 400, NULL, "preupload: file %zu needs path and size", i);
			goto fail;
		}
		hfds_buf_clear(&sample);
		if (smp && hfds_base64_decode(&sample, smp, strlen(smp), NULL) < 0) {
			ok = srv_reply_error(r, 400, NULL, "preupload: %s: sample is not base64", path);
			goto fail;
		}
		lfs = hfds_store_upload_is_lfs((const char *)attrs, attrs_len, path, (uint64_t)json_integer_value(sz),
			sample.data, sample.len);
		o = json_pack("{s:s,s:s,s:b}", "path", path, "uploadMode", lfs ? "lfs" : "regular", "shouldIgnore", 0);
		if (hfds_store_stat(&e, repo, sha, path, NULL) == 0) {
			if (!e.is_dir)
				json_object_set_new(o, "oid", json_string(e.is_lfs ? e.lfs_sha256 : e.oid));
			hfds_store_entry_release(&e);
		}
		json_array_append_new(out, o);
	}
	ok = srv_reply_json(r, 200, json_pack("{s:O,s:s}", "files", out, "commitOid", sha));
fail:
	json_decref(out);
	hfds_buf_release(&sample);
	hfds_free(attrs);
	json_decref(b);
	hfds_store_repo_free(repo);
	return ok;
}

/* Adds the parsed operations to a store commit. */
static int add_ops(hfds_store_commit *c, const srv_commit_req *req, hfds_error *err)
{
	size_t i;
	int rc = 0;
	for (i = 0; i < req->count && rc == 0; i++) {
		const srv_op *op = &req->ops[i];
		switch (op->kind) {
		case SRV_OP_FILE:
			rc = hfds_store_commit_add_buffer(c, op->path, op->data, op->len, 0, err);
			break;
		case SRV_OP_LFS:
			rc = hfds_store_commit_add_lfs(c, op->path, op->oid, op->size, err);
			break;
		case SRV_OP_DELETE_FILE:
			rc = hfds_store_commit_delete_file(c, op->path, err);
			break;
		case SRV_OP_DELETE_FOLDER:
			rc = hfds_store_commit_delete_folder(c, op->path, err);
			break;
		}
	}
	return rc;
}

int srv_api_commit(srv_req *r, hfds_repo_type t, const char *id, const char *rev)
{
	hfds_store_repo *repo = NULL;
	hfds_store_commit *c = NULL;
	hfds_store *st;
	srv_commit_req req;
	hfds_error err;
	char head[HFDS_OID_HEX_SIZE], sha[HFDS_OID_HEX_SIZE], branch[HFDS_REPO_PATH_MAX + 16], *url = NULL;
	int rc, ok, is_pr, create_pr = srv_query_bool(r, "create_pr");
	unsigned pr = 0;
	hfds_error_init(&err);
	memset(&req, 0, sizeof(req));
	if (!srv_can_write(r, t, id))
		return MHD_YES;
	if ((rc = srv_store(r, &st, &err)) < 0 || (rc = hfds_store_repo_open(&repo, st, t, id, &err)) < 0)
		return srv_reply_hfds(r, rc, &err, "repo");
	/* The revision must be a branch (or a pull-request ref). */
	is_pr = strncmp(rev, "refs/pr/", 8) == 0;
	snprintf(branch, sizeof(branch), is_pr ? "%s" : "refs/heads/%s", rev);
	if ((strncmp(rev, "refs/", 5) == 0 && !is_pr) || hfds_store_resolve(head, repo, branch, NULL) < 0
		|| (is_pr && create_pr)) {
		hfds_store_repo_free(repo);
		return srv_reply_error(r, 404, "RevisionNotFound", "Invalid rev id: %s", rev);
	}
	if ((rc = srv_commit_parse(&req, (const char *)r->body.data, r->body.len, &err)) < 0) {
		hfds_store_repo_free(repo);
		return srv_reply_error(r, rc == HFDS_EINVAL ? 422 : 400, NULL, "%s", err.message);
	}
	if (create_pr) {
		/* The PR starts at parentCommit when given, else at the branch head. */
		if ((rc = hfds_store_pr_create(repo, req.parent ? req.parent : head, &pr, &err)) < 0) {
			ok = srv_reply_hfds(r, rc, &err, "rev");
			goto done;
		}
		snprintf(branch, sizeof(branch), "refs/pr/%u", pr);
		rev = branch;
		hfds_free(req.parent);
		req.parent = NULL;
	}
	if ((rc = hfds_store_commit_new(&c, repo, rev, &err)) < 0
		|| (rc = hfds_store_commit_set_message(c, req.summary, req.description, &err)) < 0
		|| (rc = r->auth.valid ? hfds_store_commit_set_author(c, r->auth.tok.user, "user@hfds.local", &err) : 0) < 0
		|| (req.parent && (rc = hfds_store_commit_set_parent(c, req.parent, &err)) < 0)
		|| (rc = add_ops(c, &req, &err)) < 0 || (rc = hfds_store_commit_run(c, sha, &err)) < 0) {
		if (rc == HFDS_ECONFLICT && req.parent && hfds_store_resolve(head, repo, branch, NULL) == 0
			&& strncmp(head, req.parent, strlen(req.parent)) != 0)
			ok = srv_reply_error(r, 412, NULL,
				"The branch was updated since you opened this page. Please refresh and try again.");
		else if (rc == HFDS_ENOTFOUND)
			ok = srv_reply_error(r, 404, "EntryNotFound", "%s", err.message);
		else
			ok = srv_reply_hfds(r, rc, &err, NULL);
		goto done;
	}
	url = srv_repo_url(r, t, id);
	{
		json_t *body = json_pack("{s:b,s:s,s:s+++,s:s}", "success", 1, "commitOid", sha, "commitUrl", url ? url : "",
			"/commit/", sha, "", "hookOutput", "");
		if (create_pr && body) {
			char num[24];
			snprintf(num, sizeof(num), "%u", pr);
			json_object_set_new(body, "pullRequestUrl", json_pack("s+++", url ? url : "", "/discussions/", num, ""));
		}
		ok = srv_reply_json(r, 200, body);
	}
done:
	hfds_free(url);
	hfds_store_commit_free(c);
	srv_commit_req_release(&req);
	hfds_store_repo_free(repo);
	return ok;
}
