/* Helpers the API handlers share: URLs, dates, entry JSON, body parsing, repo opening. */
#include "server/srv_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"

char *srv_repo_url(srv_req *r, hfds_repo_type t, const char *id)
{
	const char *prefix = t == HFDS_REPO_DATASET ? "datasets/" : t == HFDS_REPO_SPACE ? "spaces/" : "";
	size_t n = strlen(r->srv->public_url) + strlen(prefix) + strlen(id) + 2;
	char *s = hfds_malloc(n);
	if (s)
		snprintf(s, n, "%s/%s%s", r->srv->public_url, prefix, id);
	return s;
}

void srv_iso_time(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

json_t *srv_entry_json(const hfds_store_entry *e)
{
	json_t *o = json_pack("{s:s,s:s,s:I,s:s}", "type", e->is_dir ? "directory" : "file", "oid", e->oid, "size",
		(json_int_t)e->size, "path", e->path);
	if (o && e->is_lfs)
		json_object_set_new(o, "lfs", json_pack("{s:s,s:I,s:I}", "oid", e->lfs_sha256, "size", (json_int_t)e->size,
			"pointerSize", (json_int_t)e->lfs_pointer_size));
	return o;
}

json_t *srv_body_json(srv_req *r)
{
	json_error_t je;
	json_t *j = json_loadb((const char *)r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		if (j)
			srv_reply_error(r, 400, NULL, "request body: expected a JSON object");
		else
			srv_reply_error(r, 400, NULL, "request body: %d:%d: %s", je.line, je.column, je.text);
		return NULL;
	}
	return j;
}

hfds_store_repo *srv_open_rev(srv_req *r, hfds_repo_type t, const char *id, const char *rev,
	char sha[HFDS_OID_HEX_SIZE])
{
	hfds_store_repo *repo = srv_open_read(r, t, id);
	hfds_error err;
	int rc;
	hfds_error_init(&err);
	if (!repo)
		return NULL;
	if ((rc = hfds_store_resolve(sha, repo, rev && *rev ? rev : NULL, &err)) < 0) {
		if (rc == HFDS_ENOTFOUND || rc == HFDS_EINVAL)
			srv_reply_error(r, 404, "RevisionNotFound", "Invalid rev id: %s", rev ? rev : "");
		else
			srv_reply_hfds(r, rc, &err, "rev");
		hfds_store_repo_free(repo);
		return NULL;
	}
	return repo;
}
