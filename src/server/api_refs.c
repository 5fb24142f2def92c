/*
 * Listings and refs (hub-protocol.md §2.5, §4.1, §4.2): tree with Link pagination,
 * paths-info (form or JSON body), refs, commit history, branch and tag create/delete.
 */
#include "server/srv_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#define TREE_PAGE 1000
#define TREE_PAGE_EXPAND 50
#define COMMITS_PAGE 50

/* Link header "<url>; rel=\"next\"" for the page after `next` (hfds_free). */
static char *next_link(srv_req *r, const char *what, const char *rev, const char *path, const char *query, size_t next)
{
	hfds_buf b;
	const char *prefix = NULL;
	hfds_buf_init(&b, 0);
	(void)prefix;
	if (hfds_buf_printf(&b, NULL, "<%s/", r->srv->public_url) < 0)
		goto fail;
	{
		size_t i;
		/* api/{type}s/{ns}/{name} as received */
		for (i = 0; i < 4 && i < r->nseg; i++)
			if (srv_pct_encode(&b, r->segs[i], 0, NULL) < 0 || hfds_buf_append_byte(&b, '/', NULL) < 0)
				goto fail;
	}
	if (hfds_buf_printf(&b, NULL, "%s/", what) < 0 || srv_pct_encode(&b, rev, 0, NULL) < 0)
		goto fail;
	if (path && *path && (hfds_buf_append_byte(&b, '/', NULL) < 0 || srv_pct_encode(&b, path, 1, NULL) < 0))
		goto fail;
	if (hfds_buf_printf(&b, NULL, "?%s%scursor=%zu>; rel=\"next\"", query, *query ? "&" : "", next) < 0
		|| hfds_buf_cstr(&b, NULL) < 0)
		goto fail;
	return (char *)hfds_buf_detach(&b, NULL);
fail:
	hfds_buf_release(&b);
	return NULL;
}

static size_t cursor_of(srv_req *r)
{
	char *c = srv_query(r, "cursor");
	size_t v = c ? (size_t)strtoull(c, NULL, 10) : 0;
	hfds_free(c);
	return v;
}

/*
 * expand=true: the last commit that changed each entry, {id, title, date}. Walks the history
 * from the listed commit, newest first, comparing the entry's object id with the parent's;
 * bounded to HISTORY_MAX commits (an older change is reported as the oldest commit seen).
 */
#define HISTORY_MAX 1000

static void add_last_commits(hfds_store_repo *repo, const char *sha, json_t *arr)
{
	hfds_store_log *log = NULL;
	size_t i, k;
	json_t *e;
	if (hfds_store_log_list(&log, repo, sha, HISTORY_MAX, NULL) < 0)
		return;
	json_array_foreach(arr, i, e) {
		const char *path = json_string_value(json_object_get(e, "path"));
		const char *oid = json_string_value(json_object_get(e, "oid"));
		for (k = 0; k < log->count; k++) {
			hfds_store_entry pe;
			int same = 0;
			if (k + 1 < log->count && hfds_store_stat(&pe, repo, log->items[k + 1].id, path, NULL) == 0) {
				same = !strcmp(pe.oid, oid);
				hfds_store_entry_release(&pe);
			}
			if (!same) {
				char date[32];
				srv_iso_time(log->items[k].date, date);
				json_object_set_new(e, "lastCommit", json_pack("{s:s,s:s,s:s}", "id", log->items[k].id, "title",
					log->items[k].title, "date", date));
				break;
			}
			/* the entry is unchanged in the parent: keep going back; oid stays the same */
		}
	}
	hfds_store_log_free(log);
}

int srv_api_tree(srv_req *r, hfds_repo_type t, const char *id, const char *rev, const char *path)
{
	hfds_store_repo *repo;
	hfds_store_tree *tree = NULL;
	hfds_error err;
	char sha[HFDS_OID_HEX_SIZE], query[64], *link = NULL;
	int recursive = srv_query_bool(r, "recursive"), expand = srv_query_bool(r, "expand"), rc, ok;
	size_t page = expand ? TREE_PAGE_EXPAND : TREE_PAGE, from = cursor_of(r), i;
	json_t *arr;
	hfds_error_init(&err);
	if (!(repo = srv_open_rev(r, t, id, rev, sha)))
		return MHD_YES;
	if ((rc = hfds_store_tree_list(&tree, repo, sha, path, recursive, &err)) < 0) {
		hfds_store_repo_free(repo);
		return srv_reply_hfds(r, rc, &err, "entry");
	}
	arr = json_array();
	for (i = from; i < tree->count && i < from + page; i++)
		json_array_append_new(arr, srv_entry_json(&tree->items[i]));
	if (expand)
		add_last_commits(repo, sha, arr);
	snprintf(query, sizeof(query), "recursive=%s&expand=%s", recursive ? "true" : "false", expand ? "true" : "false");
	if (from + page < tree->count)
		link = next_link(r, "tree", rev, path, query, from + page);
	ok = srv_reply_json_h(r, 200, arr, link ? "Link" : NULL, link);
	hfds_free(link);
	hfds_store_tree_free(tree);
	hfds_store_repo_free(repo);
	return ok;
}

int srv_api_paths_info(srv_req *r, hfds_repo_type t, const char *id, const char *rev)
{
	hfds_store_repo *repo;
	const char *ct = srv_header(r, "Content-Type");
	json_t *paths = NULL, *out, *p;
	char sha[HFDS_OID_HEX_SIZE];
	hfds_error err;
	size_t i;
	int ok;
	hfds_error_init(&err);
	if (!(repo = srv_open_rev(r, t, id, rev, sha)))
		return MHD_YES;
	if (ct && strstr(ct, "application/json")) {
		json_t *b = srv_body_json(r);
		if (!b) {
			hfds_store_repo_free(repo);
			return MHD_YES;
		}
		paths = json_incref(json_object_get(b, "paths"));
		json_decref(b);
	} else {
		paths = json_array();
		if (srv_form_values((const char *)r->body.data, r->body.len, "paths", paths, &err) < 0) {
			json_decref(paths);
			hfds_store_repo_free(repo);
			return srv_reply_error(r, 400, NULL, "paths-info: %s", err.message);
		}
	}
	if (!json_is_array(paths) || json_array_size(paths) > 1000) {
		json_decref(paths);
		hfds_store_repo_free(repo);
		return srv_reply_error(r, json_is_array(paths) ? 413 : 400, NULL, "paths-info: expected up to 1000 paths");
	}
	out = json_array();
	json_array_foreach(paths, i, p) {
		hfds_store_entry e;
		const char *s = json_string_value(p);
		if (!s)
			continue;
		while (*s == '/')
			s++;
		if (hfds_store_stat(&e, repo, sha, s, NULL) == 0) {
			json_array_append_new(out, srv_entry_json(&e));
			hfds_store_entry_release(&e);
		}
	}
	json_decref(paths);
	ok = srv_reply_json(r, 200, out);
	hfds_store_repo_free(repo);
	return ok;
}

int srv_api_refs(srv_req *r, hfds_repo_type t, const char *id)
{
	hfds_store_repo *repo = srv_open_read(r, t, id);
	hfds_store_refs *refs = NULL;
	hfds_error err;
	json_t *br, *tg, *body;
	size_t i;
	int rc, ok;
	hfds_error_init(&err);
	if (!repo)
		return MHD_YES;
	if ((rc = hfds_store_refs_list(&refs, repo, &err)) < 0) {
		hfds_store_repo_free(repo);
		return srv_reply_hfds(r, rc, &err, NULL);
	}
	br = json_array();
	tg = json_array();
	for (i = 0; i < refs->count; i++) {
		const hfds_store_ref *x = &refs->items[i];
		json_array_append_new(x->kind == HFDS_REF_BRANCH ? br : tg,
			json_pack("{s:s,s:s,s:s}", "name", x->name, "ref", x->ref, "targetCommit", x->target));
	}
	body = json_pack("{s:o,s:[],s:o}", "branches", br, "converts", "tags", tg);
	if (srv_query_bool(r, "include_prs")) {
		hfds_store_refs *prs = NULL;
		json_t *arr = json_array();
		if (hfds_store_pr_list(&prs, repo, NULL) == 0)
			for (i = 0; i < prs->count; i++)
				json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "name", prs->items[i].name, "ref",
					prs->items[i].ref, "targetCommit", prs->items[i].target));
		hfds_store_refs_free(prs);
		json_object_set_new(body, "pullRequests", arr);
	}
	ok = srv_reply_json(r, 200, body);
	hfds_store_refs_free(refs);
	hfds_store_repo_free(repo);
	return ok;
}

int srv_api_commits(srv_req *r, hfds_repo_type t, const char *id, const char *rev)
{
	hfds_store_repo *repo;
	hfds_store_log *log = NULL;
	hfds_error err;
	char sha[HFDS_OID_HEX_SIZE], total[32], *link = NULL, *lim = srv_query(r, "limit"), *pg = srv_query(r, "p");
	size_t limit = lim ? (size_t)strtoull(lim, NULL, 10) : COMMITS_PAGE, p = pg ? (size_t)strtoull(pg, NULL, 10) : 0, i;
	json_t *arr;
	int rc, ok;
	struct MHD_Response *resp;
	char *text;
	hfds_error_init(&err);
	hfds_free(lim);
	hfds_free(pg);
	if (limit == 0 || limit > 1000)
		limit = COMMITS_PAGE;
	if (!(repo = srv_open_rev(r, t, id, rev, sha)))
		return MHD_YES;
	if ((rc = hfds_store_log_list(&log, repo, sha, 0, &err)) < 0) {
		hfds_store_repo_free(repo);
		return srv_reply_hfds(r, rc, &err, "rev");
	}
	arr = json_array();
	for (i = p * limit; i < log->count && i < (p + 1) * limit; i++) {
		const hfds_store_log_entry *e = &log->items[i];
		char date[32];
		srv_iso_time(e->date, date);
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:[{s:s,s:n}],s:s}", "id", e->id, "title", e->title,
			"message", e->message, "authors", "user", e->author, "avatar", "date", date));
	}
	if ((p + 1) * limit < log->count) {
		hfds_buf b;
		hfds_buf_init(&b, 0);
		if (hfds_buf_printf(&b, NULL, "<%s/api/%s/%s/commits/", r->srv->public_url, r->segs[1], id) == 0
			&& srv_pct_encode(&b, rev, 0, NULL) == 0
			&& hfds_buf_printf(&b, NULL, "?p=%zu&limit=%zu>; rel=\"next\"", p + 1, limit) == 0
			&& hfds_buf_cstr(&b, NULL) == 0)
			link = (char *)hfds_buf_detach(&b, NULL);
		hfds_buf_release(&b);
	}
	snprintf(total, sizeof(total), "%zu", log->count);
	text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	hfds_store_log_free(log);
	hfds_store_repo_free(repo);
	if (!(resp = srv_text_response(r, text, "application/json; charset=utf-8"))) {
		hfds_free(link);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "X-Total-Count", total);
	if (link)
		MHD_add_response_header(resp, "Link", link);
	hfds_free(link);
	ok = srv_queue(r, 200, resp);
	return ok;
}

int srv_api_branch(srv_req *r, hfds_repo_type t, const char *id, const char *name)
{
	hfds_store_repo *repo = NULL;
	hfds_store *st;
	hfds_error err;
	int rc, del = !strcmp(r->method, "DELETE");
	char *from = NULL;
	hfds_error_init(&err);
	if (!del) {
		json_t *b = r->body.len ? srv_body_json(r) : json_object();
		const char *s;
		if (!b)
			return MHD_YES;
		s = json_string_value(json_object_get(b, "startingPoint"));
		from = s ? hfds_strdup(s) : NULL;
		json_decref(b);
	}
	if (!srv_can_write(r, t, id) || srv_store(r, &st, &err) < 0 || hfds_store_repo_open(&repo, st, t, id, &err) < 0) {
		hfds_free(from);
		return r->responded ? MHD_YES : srv_reply_hfds(r, err.code, &err, "repo");
	}
	if (del)
		rc = hfds_store_branch_delete(repo, name, &err);
	else
		rc = hfds_store_branch_create(repo, name, from, &err);
	hfds_free(from);
	hfds_store_repo_free(repo);
	if (rc == HFDS_EEXISTS)
		return srv_reply_error(r, 409, NULL, "Reference refs/heads/%s already exists", name);
	if (rc == HFDS_ENOTFOUND)
		return srv_reply_error(r, 404, "RevisionNotFound", "Invalid rev id: %s", del ? name : from ? from : "main");
	if (rc == HFDS_EINVAL)
		return srv_reply_error(r, 400, NULL, "Invalid reference for a branch: %s", name);
	if (rc < 0)
		return srv_reply_hfds(r, rc, &err, NULL);
	return srv_reply_json(r, 200, json_object());
}

int srv_api_tag(srv_req *r, hfds_repo_type t, const char *id, const char *name)
{
	hfds_store_repo *repo = NULL;
	hfds_store *st;
	hfds_error err;
	int rc, del = !strcmp(r->method, "DELETE");
	char *tag = NULL, *msg = NULL;
	hfds_error_init(&err);
	if (!del) {
		json_t *b = srv_body_json(r);
		const char *s, *m;
		if (!b)
			return MHD_YES;
		s = json_string_value(json_object_get(b, "tag"));
		m = json_string_value(json_object_get(b, "message"));
		tag = s ? hfds_strdup(s) : NULL;
		msg = m && *m ? hfds_strdup(m) : NULL;
		json_decref(b);
		if (!tag) {
			hfds_free(msg);
			return srv_reply_error(r, 400, NULL, "tag: the body needs a 'tag' name");
		}
	}
	if (!srv_can_write(r, t, id) || srv_store(r, &st, &err) < 0 || hfds_store_repo_open(&repo, st, t, id, &err) < 0) {
		hfds_free(tag);
		hfds_free(msg);
		return r->responded ? MHD_YES : srv_reply_hfds(r, err.code, &err, "repo");
	}
	if (del)
		rc = hfds_store_tag_delete(repo, name, &err);
	else
		rc = hfds_store_tag_create(repo, tag, *name ? name : NULL, msg, &err);
	hfds_store_repo_free(repo);
	if (rc == HFDS_EEXISTS)
		rc = srv_reply_error(r, 409, NULL, "Tag %s already exists", tag);
	else if (rc == HFDS_ENOTFOUND)
		rc = srv_reply_error(r, 404, "RevisionNotFound", "Invalid rev id: %s", name);
	else if (rc == HFDS_EINVAL)
		rc = srv_reply_error(r, 400, NULL, "Invalid tag name: %s", tag ? tag : name);
	else if (rc < 0)
		rc = srv_reply_hfds(r, rc, &err, NULL);
	else
		rc = srv_reply_json(r, 200, json_object());
	hfds_free(tag);
	hfds_free(msg);
	return rc;
}

int srv_api_squash(srv_req *r, hfds_repo_type t, const char *id, const char *branch)
{
	hfds_store_repo *repo = NULL;
	hfds_store *st;
	hfds_error err;
	char sha[HFDS_OID_HEX_SIZE], *msg = NULL;
	json_t *b = r->body.len ? srv_body_json(r) : json_object();
	int rc;
	hfds_error_init(&err);
	if (!b)
		return MHD_YES;
	{
		const char *m = json_string_value(json_object_get(b, "message"));
		msg = hfds_strdup(m && *m ? m : "Super-squash");
	}
	json_decref(b);
	if (!srv_can_write(r, t, id) || srv_store(r, &st, &err) < 0 || hfds_store_repo_open(&repo, st, t, id, &err) < 0) {
		hfds_free(msg);
		return r->responded ? MHD_YES : srv_reply_hfds(r, err.code, &err, "repo");
	}
	rc = hfds_store_squash(repo, branch, msg, sha, &err);
	hfds_free(msg);
	hfds_store_repo_free(repo);
	if (rc == HFDS_ENOTFOUND)
		return srv_reply_error(r, 404, "RevisionNotFound", "Invalid rev id: %s", branch);
	if (rc < 0)
		return srv_reply_hfds(r, rc, &err, NULL);
	return srv_reply_json(r, 200, json_pack("{s:s}", "commitId", sha));
}
