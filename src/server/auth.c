/*
 * Who may do what (issue 10): anonymous clients read public repos (unless --require-token);
 * a token reads every public repo and the private repos of its user and orgs; a write token
 * writes there. A private repo someone may not read answers 404 RepoNotFound, exactly like
 * a missing one, so its existence does not leak. Tokens are checked against the token file
 * on every request, so `hfds token revoke` takes effect at once.
 */
#include "server/srv_int.h"

#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/base64.h"

void srv_auth_load(srv_req *r)
{
	const char *h = srv_header(r, "Authorization");
	if (!h)
		return;
	while (*h == ' ')
		h++;
	if (!strncasecmp(h, "Basic ", 6)) {
		/* git sends the token as the password of HTTP basic auth */
		hfds_buf dec;
		char *colon;
		hfds_buf_init(&dec, 4096);
		r->auth.has_token = 1;
		h += 6;
		if (hfds_base64_decode(&dec, h, strlen(h), NULL) == 0 && hfds_buf_cstr(&dec, NULL) == 0
			&& (colon = memchr(dec.data, ':', dec.len)) != NULL)
			r->auth.valid = hfds_token_lookup(&r->auth.tok, r->srv->root, colon + 1, NULL) == 0;
		hfds_buf_release(&dec);
		return;
	}
	if (strncasecmp(h, "Bearer ", 7) != 0) {
		r->auth.has_token = 1;   /* other schemes: not ours */
		return;
	}
	h += 7;
	while (*h == ' ')
		h++;
	r->auth.has_token = 1;
	r->auth.valid = hfds_token_lookup(&r->auth.tok, r->srv->root, h, NULL) == 0;
}

/* 1 if the token's user or one of its orgs is `ns`. */
static int owns(srv_req *r, const char *ns, size_t n)
{
	const char *o;
	if (!r->auth.valid)
		return 0;
	if (strlen(r->auth.tok.user) == n && !memcmp(r->auth.tok.user, ns, n))
		return 1;
	for (o = r->auth.tok.orgs; *o;) {
		const char *e = strchr(o, ',');
		size_t len = e ? (size_t)(e - o) : strlen(o);
		if (len == n && !memcmp(o, ns, n))
			return 1;
		if (!e)
			break;
		o = e + 1;
	}
	return 0;
}

static size_t ns_len(const char *id)
{
	const char *s = strchr(id, '/');
	return s ? (size_t)(s - id) : 0;
}

/* 401 for a token we do not know (the exact message makes Python say so instead of
 * "repository not found"). */
static int bad_token(srv_req *r)
{
	srv_reply_error(r, 401, NULL, "Invalid credentials in Authorization header");
	return 0;
}

/* Whether the caller may see an open repository. */
static int may_see(srv_req *r, hfds_store_repo *repo, const char *id)
{
	hfds_store_repo_info info;
	if (hfds_store_repo_info_get(&info, repo, NULL, NULL) < 0)
		return 0;
	return !info.is_private || owns(r, id, ns_len(id));
}

static int visible(srv_req *r, hfds_repo_type t, const char *id, int *exists)
{
	hfds_store *st;
	hfds_store_repo *repo = NULL;
	int ok = 0;
	*exists = 0;
	if (srv_store(r, &st, NULL) == 0 && hfds_store_repo_open(&repo, st, t, id, NULL) == 0) {
		*exists = 1;
		ok = may_see(r, repo, id);
	}
	hfds_store_repo_free(repo);
	return ok;
}

/* Token checks every read shares; replies and returns 0 on refusal. */
static int read_token_ok(srv_req *r)
{
	if (r->auth.has_token && !r->auth.valid)
		return bad_token(r);
	if (!r->auth.has_token && r->srv->cfg.require_token) {
		srv_reply_error(r, 401, NULL, "a token is required: send Authorization: Bearer hf_...");
		return 0;
	}
	return 1;
}

hfds_store_repo *srv_open_read(srv_req *r, hfds_repo_type t, const char *id)
{
	hfds_store *st;
	hfds_store_repo *repo = NULL;
	hfds_error err;
	int rc;
	hfds_error_init(&err);
	if (!read_token_ok(r))
		return NULL;
	if ((rc = srv_store(r, &st, &err)) < 0)
		srv_reply_hfds(r, rc, &err, NULL);
	else if (hfds_store_repo_open(&repo, st, t, id, NULL) < 0 || !may_see(r, repo, id))
		srv_reply_error(r, 404, "RepoNotFound", "Repository not found: %s repo '%s'", hfds_repo_type_name(t), id);
	else
		return repo;
	hfds_store_repo_free(repo);
	return NULL;
}

int srv_visible(srv_req *r, hfds_repo_type t, const char *id)
{
	int exists;
	return visible(r, t, id, &exists);
}

int srv_can_read(srv_req *r, hfds_repo_type t, const char *id)
{
	int exists;
	if (!read_token_ok(r))
		return 0;
	if (!visible(r, t, id, &exists)) {
		srv_reply_error(r, 404, "RepoNotFound", "Repository not found: %s repo '%s'", hfds_repo_type_name(t), id);
		return 0;
	}
	return 1;
}

int srv_can_write_ns(srv_req *r, const char *ns)
{
	if (!r->auth.has_token) {
		srv_reply_error(r, 401, NULL, "writing needs a token: send Authorization: Bearer hf_...");
		return 0;
	}
	if (!r->auth.valid)
		return bad_token(r);
	if (strcmp(r->auth.tok.role, "write") != 0) {
		srv_reply_error(r, 403, NULL, "this token is read-only");
		return 0;
	}
	if (!owns(r, ns, strlen(ns))) {
		srv_reply_error(r, 403, NULL, "you don't have the rights to write to namespace '%s'", ns);
		return 0;
	}
	return 1;
}

int srv_can_write(srv_req *r, hfds_repo_type t, const char *id)
{
	char ns[HFDS_REPO_ID_SIZE];
	size_t n = ns_len(id);
	int exists;
	if (!r->auth.has_token) {
		srv_reply_error(r, 401, NULL, "writing needs a token: send Authorization: Bearer hf_...");
		return 0;
	}
	if (!r->auth.valid)
		return bad_token(r);
	if (!visible(r, t, id, &exists)) {
		srv_reply_error(r, 404, "RepoNotFound", "Repository not found: %s repo '%s'", hfds_repo_type_name(t), id);
		return 0;
	}
	memcpy(ns, id, n);
	ns[n] = '\0';
	return srv_can_write_ns(r, ns);
}
