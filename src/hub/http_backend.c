/*
 * The HTTP backend: the hub operations over the Hugging Face Hub's HTTP API
 * (spec/hub-protocol.md §1-§6), for huggingface.co or any server speaking it (hfds serve).
 * Listings follow Link pagination; reads use resolve with a Range and follow redirects
 * (the token stays with the endpoint's host); commits are in http_commit.c.
 */
#include "hub/http_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/target.h"
#include "util/alloc.h"
#include "util/try.h"

#define MAX_PAGES 100000

const char *hub_git_prefix(hfds_repo_type type)
{
	return type == HFDS_REPO_DATASET ? "datasets/" : type == HFDS_REPO_SPACE ? "spaces/" : "";
}

int hub_api_url(hfds_buf *b, const httpb *h, hfds_repo_type type, const char *id, const char *what,
	const char *rev, const char *path, hfds_error *err)
{
	int rc = 0;
	hfds_buf_clear(b);
	HFDS_TRY(hfds_buf_printf(b, err, "%s/api/%ss/%s", h->cfg.endpoint, hfds_repo_type_name(type), id));
	if (what)
		HFDS_TRY(hfds_buf_printf(b, err, "/%s", what));
	if (rev) {
		HFDS_TRY(hfds_buf_append_byte(b, '/', err));
		HFDS_TRY(hub_url_escape(b, rev, 0, err));
	}
	if (path && *path) {
		HFDS_TRY(hfds_buf_append_byte(b, '/', err));
		HFDS_TRY(hub_url_escape(b, path, 1, err));
	}
	HFDS_TRY(hfds_buf_cstr(b, err));
done:
	return rc;
}

int hub_call(httpb *h, const char *method, const char *url, json_t *json, const char *ctype, const void *raw,
	size_t raw_len, int retry, hub_resp *rs, const char *what, hfds_error *err)
{
	hub_req rq;
	char *text = NULL;
	int rc = 0;
	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.url = url;
	rq.fd = -1;
	rq.auth = 1;
	rq.retry = retry;
	rq.accept = "application/json";
	if (json) {
		text = json_dumps(json, JSON_COMPACT);
		HFDS_FAIL_IF(!text, HFDS_ENOMEM, err, "out of memory");
		rq.body = text;
		rq.body_len = strlen(text);
		rq.content_type = "application/json";
	} else if (raw) {
		rq.body = raw;
		rq.body_len = raw_len;
		rq.content_type = ctype;
	}
	HFDS_TRY(hub_http_do(h->conn, &rq, rs, err));
	if (rs->status < 200 || rs->status > 299)
		rc = hub_http_fail(h->conn, rs, what, err);
done:
	free(text);
	return rc;
}

static int http_whoami(hfds_hub *hub, hfds_hub_user *out, hfds_error *err)
{
	httpb *h = hub->impl;
	hub_resp rs;
	char url[4200];
	int rc = 0;
	memset(&rs, 0, sizeof(rs));
	if (!h->cfg.token)
		return hfds_error_set(err, HFDS_EAUTH, "%s: no HF token found: set HF_TOKEN or run `hf auth login` "
			"(or log in with `huggingface-cli login`)", h->cfg.endpoint);
	snprintf(url, sizeof(url), "%s/api/whoami-v2", h->cfg.endpoint);
	rc = hub_call(h, "GET", url, NULL, NULL, NULL, 0, 1, &rs, "whoami", err);
	if (rc == HFDS_EAUTH)
		hfds_error_reset(err, rc, "%s: the HF token is invalid (%s): HTTP %ld", h->cfg.endpoint, h->cfg.token_why,
			rs.status);
	if (rc == 0)
		rc = hub_parse_whoami(out, (const char *)rs.body.data, rs.body.len, err);
	hub_resp_release(&rs);
	return rc;
}

/* POST /api/repos/create or DELETE /api/repos/delete: {name, organization, type[, private]}
 * (`is_private` < 0: no flag). Creation retries transient failures: a lost answer then
 * meets 409, which exist_ok callers accept. */
static int repos_call(hfds_hub *hub, const char *method, const char *what, hfds_repo_type type, const char *id,
	int is_private, hfds_error *err)
{
	httpb *h = hub->impl;
	hub_resp rs;
	char url[4200];
	const char *slash = strchr(id, '/');
	json_t *o = json_pack("{s:o s:s s:s}", "organization", slash ? json_stringn(id, (size_t)(slash - id)) : json_null(),
		"name", slash ? slash + 1 : id, "type", hfds_repo_type_name(type));
	int rc;
	memset(&rs, 0, sizeof(rs));
	if (!o)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	if (is_private >= 0)
		json_object_set_new(o, "private", json_boolean(is_private));
	snprintf(url, sizeof(url), "%s/api/repos/%s", h->cfg.endpoint, what);
	rc = hub_call(h, method, url, o, NULL, NULL, 0, !strcmp(what, "create"), &rs, id, err);
	json_decref(o);
	hub_resp_release(&rs);
	return rc;
}

static int http_repo_create(hfds_hub *hub, hfds_repo_type type, const char *id, int is_private, hfds_error *err)
{
	return repos_call(hub, "POST", "create", type, id, is_private, err);
}

static int http_repo_delete(hfds_hub *hub, hfds_repo_type type, const char *id, hfds_error *err)
{
	return repos_call(hub, "DELETE", "delete", type, id, -1, err);
}

/* One call on a repo URL (`what`, `rev`) with an optional JSON body (taken); the answer is left
 * in rs for the caller, who releases it. */
static int repo_request(hfds_hub *hub, const char *method, hfds_repo_type type, const char *id, const char *what,
	const char *rev, json_t *o, hub_resp *rs, hfds_error *err)
{
	httpb *h = hub->impl;
	hfds_buf url;
	int rc = 0;
	hfds_buf_init(&url, 0);
	HFDS_TRY(hub_api_url(&url, h, type, id, what, rev, NULL, err));
	rc = hub_call(h, method, (const char *)url.data, o, NULL, NULL, 0, 1, rs, id, err);
done:
	json_decref(o);
	hfds_buf_release(&url);
	return rc;
}

/* The same when the answer does not matter. */
static int repo_call(hfds_hub *hub, const char *method, hfds_repo_type type, const char *id, const char *what,
	const char *rev, json_t *o, hfds_error *err)
{
	hub_resp rs;
	int rc;
	memset(&rs, 0, sizeof(rs));
	rc = repo_request(hub, method, type, id, what, rev, o, &rs, err);
	hub_resp_release(&rs);
	return rc;
}

static int http_repo_set_private(hfds_hub *hub, hfds_repo_type type, const char *id, int is_private,
	hfds_error *err)
{
	return repo_call(hub, "PUT", type, id, "settings", NULL, json_pack("{sb}", "private", is_private), err);
}

static int http_repo_info(hfds_store_repo_info *out, hfds_hub *hub, hfds_repo_type type, const char *id,
	const char *rev, hfds_error *err)
{
	hub_resp rs;
	int rc = 0;
	memset(&rs, 0, sizeof(rs));
	HFDS_TRY(repo_request(hub, "GET", type, id, "revision", rev ? rev : "main", NULL, &rs, err));
	HFDS_TRY(hub_parse_repo_info(out, (const char *)rs.body.data, rs.body.len, err));
	out->type = type;
done:
	hub_resp_release(&rs);
	return rc;
}

/* GET url and every Link rel="next" page after it, each handed to `page`. */
static int paged(httpb *h, const char *first, const char *what, int (*page)(void *, const hub_resp *, hfds_error *),
	void *ctx, hfds_error *err)
{
	hub_resp rs;
	char *url = hfds_strdup(first);
	int rc = 0, pages = 0;
	memset(&rs, 0, sizeof(rs));
	HFDS_FAIL_IF(!url, HFDS_ENOMEM, err, "out of memory");
	while (url) {
		HFDS_FAIL_IF(++pages > MAX_PAGES, HFDS_ELIMIT, err, "%s: more than %d pages", what, MAX_PAGES);
		HFDS_TRY(hub_call(h, "GET", url, NULL, NULL, NULL, 0, 1, &rs, what, err));
		rc = page(ctx, &rs, err);
		if (rc > 0) {         /* the page callback has enough */
			rc = 0;
			break;
		}
		HFDS_TRY(rc);
		hfds_free(url);
		url = rs.link_next;
		rs.link_next = NULL;
		hub_resp_release(&rs);
	}
done:
	hfds_free(url);
	hub_resp_release(&rs);
	return rc;
}

static int tree_page(void *ctx, const hub_resp *rs, hfds_error *err)
{
	return hub_parse_tree_page(ctx, (const char *)rs->body.data, rs->body.len, err);
}

static int http_tree_list(hfds_store_tree **out, hfds_hub *hub, hfds_repo_type type, const char *id,
	const char *rev, const char *path, int recursive, hfds_error *err)
{
	httpb *h = hub->impl;
	hfds_store_repo_info info;
	hfds_store_tree *t = NULL;
	hfds_buf url;
	int rc = 0;
	hfds_buf_init(&url, 0);
	/* list at the commit the revision names now, so every page describes the same tree */
	HFDS_TRY(http_repo_info(&info, hub, type, id, rev, err));
	t = hfds_calloc(1, sizeof(*t));
	HFDS_FAIL_IF(!t, HFDS_ENOMEM, err, "out of memory");
	memcpy(t->commit, info.sha, sizeof(t->commit));
	HFDS_TRY(hub_api_url(&url, h, type, id, "tree", info.sha, path, err));
	HFDS_TRY(hfds_buf_printf(&url, err, "?recursive=%s&expand=false", recursive ? "true" : "false"));
	HFDS_TRY(hfds_buf_cstr(&url, err));
	HFDS_TRY(paged(h, (const char *)url.data, id, tree_page, t, err));
	*out = t;
	t = NULL;
done:
	hfds_store_tree_free(t);
	hfds_buf_release(&url);
	return rc;
}

/* The GET of {endpoint}/{prefix}{id}/resolve/{rev}/{path} (the URL kept in `url`) for bytes
 * [offset, offset + length) (UINT64_MAX: to the end; `range` holds the header's value). 1 when
 * the range is empty and there is nothing to ask. */
static int resolve_req(hub_req *rq, hfds_buf *url, char range[64], const httpb *h, hfds_repo_type type,
	const char *id, const char *rev, const char *path, uint64_t offset, uint64_t length, hfds_error *err)
{
	int rc = 0;
	memset(rq, 0, sizeof(*rq));
	HFDS_TRY(hfds_buf_printf(url, err, "%s/%s%s/resolve/", h->cfg.endpoint, hub_git_prefix(type), id));
	HFDS_TRY(hub_url_escape(url, rev ? rev : "main", 0, err));
	HFDS_TRY(hfds_buf_append_byte(url, '/', err));
	HFDS_TRY(hub_url_escape(url, path, 1, err));
	HFDS_TRY(hfds_buf_cstr(url, err));
	rq->method = "GET";
	rq->url = (const char *)url->data;
	rq->fd = -1;
	rq->auth = rq->retry = rq->follow = 1;
	if (offset || length != UINT64_MAX) {
		if (length == UINT64_MAX || offset + length < offset)
			snprintf(range, 64, "%llu-", (unsigned long long)offset);
		else if (length == 0)
			return 1;
		else
			snprintf(range, 64, "%llu-%llu", (unsigned long long)offset, (unsigned long long)(offset + length - 1));
		rq->range = range;
	}
done:
	return rc;
}

/* A range straight into the sink: the body never sits in memory (hfds download's blobs). */
static int http_read_to(hfds_hub *hub, hfds_repo_type type, const char *id, const char *rev, const char *path,
	uint64_t offset, uint64_t length, const hfds_hub_sink *sink, hfds_error *err)
{
	httpb *h = hub->impl;
	hfds_buf url;
	hub_req rq;
	hub_resp rs;
	char range[64];
	int rc = 0;
	hfds_buf_init(&url, 0);
	memset(&rs, 0, sizeof(rs));
	if ((rc = resolve_req(&rq, &url, range, h, type, id, rev, path, offset, length, err)) != 0) {
		rc = rc < 0 ? rc : 0;   /* nothing to read */
		goto done;
	}
	rq.max_body = 1u << 20;   /* an error answer's body */
	rq.sink = sink;
	rq.need_206 = offset > 0;
	rc = hub_http_do(h->conn, &rq, &rs, err);
	if (rs.sink_err.code) {   /* the sink, or the range check, stopped the body */
		rc = hfds_error_set(err, rs.sink_err.code, "%s: %s", path, rs.sink_err.message);
		goto done;
	}
	HFDS_TRY(rc);
	if (rs.status == 416)
		goto done;
	if (rs.status < 200 || rs.status > 299)
		HFDS_TRY(hub_http_fail(h->conn, &rs, path, err));
done:
	hub_resp_release(&rs);
	hfds_buf_release(&url);
	return rc;
}

static int buf_write(void *ud, const uint8_t *data, size_t len, hfds_error *err)
{
	return hfds_buf_append(ud, data, len, err);   /* over its cap: HFDS_ELIMIT */
}

static void buf_restart(void *ud)
{
	hfds_buf_clear(ud);
}

/* A range into memory: http_read_to with a sink that keeps the bytes, bounded by max_bytes. */
static int http_read(uint8_t **out, size_t *out_len, hfds_hub *hub, hfds_repo_type type, const char *id,
	const char *rev, const char *path, uint64_t offset, uint64_t length, size_t max_bytes, hfds_error *err)
{
	hfds_buf b;
	hfds_hub_sink sink = { buf_write, buf_restart, &b };
	int rc = 0;
	hfds_buf_init(&b, max_bytes ? max_bytes : 256u << 20);
	HFDS_TRY(http_read_to(hub, type, id, rev, path, offset, length, &sink, err));
	HFDS_TRY(hfds_buf_cstr(&b, err));
	*out_len = b.len;
	*out = hfds_buf_detach(&b, NULL);
done:
	hfds_buf_release(&b);
	return rc;
}

static int http_branch_create(hfds_hub *hub, hfds_repo_type type, const char *id, const char *name,
	const char *from, hfds_error *err)
{
	json_t *o = from ? json_pack("{ss}", "startingPoint", from) : json_object();
	return repo_call(hub, "POST", type, id, "branch", name, o, err);
}

static int http_branch_delete(hfds_hub *hub, hfds_repo_type type, const char *id, const char *name, hfds_error *err)
{
	return repo_call(hub, "DELETE", type, id, "branch", name, NULL, err);
}

static int http_tag_create(hfds_hub *hub, hfds_repo_type type, const char *id, const char *name, const char *rev,
	const char *message, hfds_error *err)
{
	json_t *o = message ? json_pack("{ssss}", "tag", name, "message", message) : json_pack("{ss}", "tag", name);
	return repo_call(hub, "POST", type, id, "tag", rev ? rev : "main", o, err);
}

static int http_tag_delete(hfds_hub *hub, hfds_repo_type type, const char *id, const char *name, hfds_error *err)
{
	return repo_call(hub, "DELETE", type, id, "tag", name, NULL, err);
}

static int http_refs_list(hfds_store_refs **out, hfds_hub *hub, hfds_repo_type type, const char *id,
	hfds_error *err)
{
	hub_resp rs;
	int rc = 0;
	memset(&rs, 0, sizeof(rs));
	HFDS_TRY(repo_request(hub, "GET", type, id, "refs", NULL, NULL, &rs, err));
	HFDS_TRY(hub_parse_refs(out, (const char *)rs.body.data, rs.body.len, err));
done:
	hub_resp_release(&rs);
	return rc;
}

typedef struct log_ctx {
	hfds_store_log *log;
	size_t limit;
} log_ctx;

static int log_page(void *ctx, const hub_resp *rs, hfds_error *err)
{
	log_ctx *l = ctx;
	int rc = hub_parse_commits_page(l->log, (const char *)rs->body.data, rs->body.len, l->limit, err);
	return rc < 0 ? rc : l->limit && l->log->count >= l->limit;
}

static int http_log(hfds_store_log **out, hfds_hub *hub, hfds_repo_type type, const char *id, const char *rev,
	size_t limit, hfds_error *err)
{
	httpb *h = hub->impl;
	hfds_buf url;
	log_ctx l;
	int rc = 0;
	hfds_buf_init(&url, 0);
	l.limit = limit;
	l.log = hfds_calloc(1, sizeof(*l.log));
	HFDS_FAIL_IF(!l.log, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hub_api_url(&url, h, type, id, "commits", rev ? rev : "main", NULL, err));
	if (limit) {
		HFDS_TRY(hfds_buf_printf(&url, err, "?limit=%zu", limit));
		HFDS_TRY(hfds_buf_cstr(&url, err));
	}
	HFDS_TRY(paged(h, (const char *)url.data, id, log_page, &l, err));
	*out = l.log;
	l.log = NULL;
done:
	hfds_store_log_free(l.log);
	hfds_buf_release(&url);
	return rc;
}

/* Shards wait in $HFDS_HOME/spool (else $TMPDIR or /tmp) until they are uploaded. */
static int http_staging_root(char **out, hfds_hub *hub, hfds_error *err)
{
	const char *home = getenv("HFDS_HOME"), *tmp = getenv("TMPDIR");
	(void)hub;
	if (home && *home ? asprintf(out, "%s/spool", home) < 0
		: asprintf(out, "%s/hfds-spool-%u", tmp && *tmp ? tmp : "/tmp", (unsigned)getuid()) < 0) {
		*out = NULL;
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	}
	return 0;
}

static void http_free(hfds_hub *hub)
{
	httpb *h = hub->impl;
	if (!h)
		return;
	hub_conn_free(h->conn);
	hub_http_cfg_release(&h->cfg);
	hfds_free(h);
	hub->impl = NULL;
}

static uint64_t http_retries(const hfds_hub *hub)
{
	const httpb *h = hub->impl;
	return __atomic_load_n(&h->cfg.retries, __ATOMIC_RELAXED);
}

static const hfds_hub_backend http_backend = {
	"http", http_whoami, http_repo_create, http_repo_delete, http_repo_set_private, http_repo_info,
	http_tree_list, http_read, hub_http_commit, http_branch_create, http_branch_delete, http_tag_create,
	http_tag_delete, http_refs_list, http_log, http_staging_root, http_free, hub_http_upload, http_retries,
	http_read_to,
};

int hfds_hub__http_open(hfds_hub *hub, hfds_error *err)
{
	httpb *h = hfds_calloc(1, sizeof(*h));
	char *tok = NULL, *source = NULL, why[600];
	const char *w = getenv("HFDS_HUB_UPLOAD_WORKERS");
	int rc = 0;
	HFDS_FAIL_IF(!h, HFDS_ENOMEM, err, "out of memory");
	hub->impl = h;
	hub->be = &http_backend;
	snprintf(why, sizeof(why), "no HF token found");
	if (hub->target.token) {
		/* name where the token came from, never the token */
		if (hfds_hub__find_token(&tok, &source, NULL) == 0 && source && tok && !strcmp(tok, hub->target.token))
			snprintf(why, sizeof(why), "HF token from %s", source);
		else
			snprintf(why, sizeof(why), "the given HF token");
	}
	HFDS_TRY(hub_http_cfg_init(&h->cfg, hub->target.endpoint, hub->target.token, why, err));
	HFDS_TRY(hub_conn_new(&h->conn, &h->cfg, err));
	h->workers = w && atoi(w) > 0 && atoi(w) <= 64 ? (unsigned)atoi(w) : 4;
done:
	if (tok)
		memset(tok, 0, strlen(tok));
	hfds_free(tok);
	hfds_free(source);
	return rc;
}
