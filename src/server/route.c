/*
 * The router: maps (method, decoded path segments) to a handler. Revisions arrive encoded
 * as one segment (`refs%2Fpr%2F1`, Python) or raw over several (`refs/pr/1`, hf.js tree
 * URLs), so a revision starting with `refs/<kind>/` takes three raw segments.
 */
#include "server/srv_int.h"

#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"

static int is(const char *a, const char *b)
{
	return a && !strcmp(a, b);
}

static int method(srv_req *r, const char *m)
{
	return !strcmp(r->method, m);
}

/* Joins segs[from..to) with '/' into b (NUL-terminated). */
static int join(hfds_buf *b, srv_req *r, size_t from, size_t to)
{
	size_t i;
	hfds_buf_clear(b);
	for (i = from; i < to; i++)
		if ((i > from && hfds_buf_append_byte(b, '/', NULL) < 0) || hfds_buf_append_str(b, r->segs[i], NULL) < 0)
			return -1;
	return hfds_buf_cstr(b, NULL);
}

/* Number of segments the revision at segs[i] spans. */
static size_t rev_span(srv_req *r, size_t i)
{
	if (i + 2 < r->nseg && is(r->segs[i], "refs")
		&& (is(r->segs[i + 1], "pr") || is(r->segs[i + 1], "convert") || is(r->segs[i + 1], "heads")
			|| is(r->segs[i + 1], "tags")))
		return 3;
	return 1;
}

static int type_of(const char *s, hfds_repo_type *t)
{
	if (is(s, "datasets"))
		*t = HFDS_REPO_DATASET;
	else if (is(s, "models"))
		*t = HFDS_REPO_MODEL;
	else if (is(s, "spaces"))
		*t = HFDS_REPO_SPACE;
	else
		return 0;
	return 1;
}

static int not_found(srv_req *r)
{
	return srv_reply_error(r, 404, NULL, "no such endpoint: %s %.200s", r->method, r->path);
}

static int bad_method(srv_req *r)
{
	return srv_reply_error(r, 405, NULL, "method %s not allowed here", r->method);
}

/* /api/{type}s/{ns}/{name}/... with segs[i] the first segment after the name. */
static int route_repo_api(srv_req *r, hfds_repo_type t, const char *id, size_t i)
{
	hfds_buf a, b;
	const char *what = i < r->nseg ? r->segs[i] : NULL;
	int ok;
	hfds_buf_init(&a, 0);
	hfds_buf_init(&b, 0);
	if (!what) {
		ok = method(r, "GET") || method(r, "HEAD") ? srv_api_repo_info(r, t, id, NULL) : bad_method(r);
	} else if (join(&a, r, i + 1, r->nseg) < 0) {
		ok = MHD_NO;
	} else if (is(what, "revision")) {
		ok = method(r, "GET") ? srv_api_repo_info(r, t, id, (char *)a.data) : bad_method(r);
	} else if (is(what, "preupload")) {
		ok = method(r, "POST") ? srv_api_preupload(r, t, id, (char *)a.data) : bad_method(r);
	} else if (is(what, "commit")) {
		ok = method(r, "POST") ? srv_api_commit(r, t, id, (char *)a.data) : bad_method(r);
	} else if (is(what, "paths-info")) {
		ok = method(r, "POST") ? srv_api_paths_info(r, t, id, (char *)a.data) : bad_method(r);
	} else if (is(what, "tree")) {
		size_t span = i + 1 < r->nseg ? rev_span(r, i + 1) : 0;
		if (join(&a, r, i + 1, i + 1 + span) < 0 || join(&b, r, i + 1 + span, r->nseg) < 0)
			ok = MHD_NO;
		else
			ok = method(r, "GET") ? srv_api_tree(r, t, id, span ? (char *)a.data : "main", (char *)b.data)
				: bad_method(r);
	} else if (is(what, "refs")) {
		ok = method(r, "GET") ? srv_api_refs(r, t, id) : bad_method(r);
	} else if (is(what, "commits")) {
		ok = method(r, "GET") ? srv_api_commits(r, t, id, a.len ? (char *)a.data : "main") : bad_method(r);
	} else if (is(what, "branch") || is(what, "tag")) {
		if (!method(r, "POST") && !method(r, "DELETE"))
			ok = bad_method(r);
		else if (is(what, "branch"))
			ok = srv_api_branch(r, t, id, (char *)a.data);
		else
			ok = srv_api_tag(r, t, id, (char *)a.data);
	} else if (is(what, "super-squash")) {
		ok = method(r, "POST") ? srv_api_squash(r, t, id, a.len ? (char *)a.data : "main") : bad_method(r);
	} else if (is(what, "settings")) {
		ok = method(r, "PUT") ? srv_api_settings(r, t, id) : bad_method(r);
	} else {
		ok = not_found(r);
	}
	hfds_buf_release(&a);
	hfds_buf_release(&b);
	return ok;
}

/* "ns/name" from two segments into id; 0 and a 400 reply when invalid. */
static int make_id(srv_req *r, size_t i, char id[HFDS_REPO_ID_SIZE], int strip_git)
{
	size_t n1, n2;
	hfds_error err;
	hfds_error_init(&err);
	if (i + 1 >= r->nseg) {
		not_found(r);
		return 0;
	}
	n1 = strlen(r->segs[i]);
	n2 = strlen(r->segs[i + 1]);
	if (strip_git && n2 > 4 && !strcmp(r->segs[i + 1] + n2 - 4, ".git"))
		n2 -= 4;
	if (n1 + n2 + 2 > HFDS_REPO_ID_SIZE) {
		srv_reply_error(r, 400, NULL, "repo id too long");
		return 0;
	}
	memcpy(id, r->segs[i], n1);
	id[n1] = '/';
	memcpy(id + n1 + 1, r->segs[i + 1], n2);
	id[n1 + 1 + n2] = '\0';
	if (hfds_repo_id_check(id, strlen(id), &err) < 0) {
		srv_reply_error(r, 400, NULL, "%s", err.message);
		return 0;
	}
	return 1;
}

static int route_api(srv_req *r)
{
	hfds_repo_type t;
	char id[HFDS_REPO_ID_SIZE];
	if (r->nseg == 2 && is(r->segs[1], "whoami-v2"))
		return method(r, "GET") ? srv_api_whoami(r) : bad_method(r);
	if (r->nseg == 2 && is(r->segs[1], "validate-yaml"))
		return method(r, "POST") ? srv_api_validate_yaml(r) : bad_method(r);
	if (r->nseg == 3 && is(r->segs[1], "repos")) {
		if (is(r->segs[2], "create"))
			return method(r, "POST") ? srv_api_repo_create(r) : bad_method(r);
		if (is(r->segs[2], "delete"))
			return method(r, "DELETE") ? srv_api_repo_delete(r) : bad_method(r);
		if (is(r->segs[2], "move"))
			return method(r, "POST") ? srv_api_repo_move(r) : bad_method(r);
	}
	if (r->nseg >= 4 && type_of(r->segs[1], &t)) {
		if (!make_id(r, 2, id, 0))
			return MHD_YES;
		return route_repo_api(r, t, id, 4);
	}
	return not_found(r);
}

/* git's smart HTTP protocol below a repository URL, with or without ".git". */
static int git_side(srv_req *r, hfds_repo_type t, const char *id, size_t i)
{
	hfds_buf a;
	int ok;
	hfds_buf_init(&a, 0);
	ok = join(&a, r, i, r->nseg) < 0 ? MHD_NO : srv_git_http(r, t, id, (char *)a.data);
	hfds_buf_release(&a);
	return ok;
}

/* /{prefix}{ns}/{name}[.git]/... */
static int route_git_side(srv_req *r)
{
	hfds_repo_type t = HFDS_REPO_MODEL;
	char id[HFDS_REPO_ID_SIZE];
	size_t i = 0, n2;
	hfds_buf a, b;
	int ok;
	if (r->nseg && type_of(r->segs[0], &t) && t != HFDS_REPO_MODEL)
		i = 1;
	else
		t = HFDS_REPO_MODEL;
	if (i + 2 >= r->nseg + 1 || !make_id(r, i, id, 1))
		return r->responded ? MHD_YES : not_found(r);
	n2 = strlen(r->segs[i + 1]);
	i += 2;
	if (n2 > 4 && !strcmp(r->segs[i - 1] + n2 - 4, ".git")) {
		if (r->nseg == i + 4 && is(r->segs[i], "info") && is(r->segs[i + 1], "lfs") && is(r->segs[i + 2], "objects")) {
			if (is(r->segs[i + 3], "batch"))
				return method(r, "POST") ? srv_lfs_batch(r, t, id) : bad_method(r);
			if (is(r->segs[i + 3], "verify"))
				return method(r, "POST") ? srv_lfs_verify(r, t, id) : bad_method(r);
			return method(r, "GET") ? srv_lfs_object_get(r, t, id, r->segs[i + 3]) : bad_method(r);
		}
		return git_side(r, t, id, i);
	}
	if (i < r->nseg && (is(r->segs[i], "info") || is(r->segs[i], "git-upload-pack") || is(r->segs[i], "git-receive-pack")))
		return git_side(r, t, id, i);
	if (i >= r->nseg || (!is(r->segs[i], "resolve") && !is(r->segs[i], "raw")) || i + 2 >= r->nseg + 1)
		return not_found(r);
	if (!method(r, "GET") && !method(r, "HEAD"))
		return bad_method(r);
	hfds_buf_init(&a, 0);
	hfds_buf_init(&b, 0);
	{
		size_t span = i + 1 < r->nseg ? rev_span(r, i + 1) : 1;
		if (join(&a, r, i + 1, i + 1 + span) < 0 || join(&b, r, i + 1 + span, r->nseg) < 0)
			ok = MHD_NO;
		else
			ok = srv_resolve(r, t, id, (char *)a.data, (char *)b.data, is(r->segs[i], "raw"));
	}
	hfds_buf_release(&a);
	hfds_buf_release(&b);
	return ok;
}

int srv_route_begin(srv_req *r)
{
	if (r->nseg >= 2 && is(r->segs[0], "_hfds") && (is(r->segs[1], "upload") || is(r->segs[1], "part"))) {
		if (!method(r, "PUT"))
			return bad_method(r);
		r->kind = SRV_BODY_UPLOAD;
		return srv_upload_begin(r);
	}
	if (r->overflow)
		return srv_reply_error(r, 413, NULL, "request body larger than %zu bytes", r->body.max);
	return MHD_YES;
}

int srv_route(srv_req *r)
{
	if (r->nseg == 0)
		return srv_reply_json(r, 200, json_pack("{s:s}", "server", "hfds"));
	if (is(r->segs[0], "api"))
		return route_api(r);
	if (is(r->segs[0], "_hfds")) {
		if (r->nseg >= 2 && is(r->segs[1], "complete"))
			return method(r, "POST") ? srv_upload_complete(r) : bad_method(r);
		return not_found(r);
	}
	return route_git_side(r);
}
