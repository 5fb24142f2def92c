/*
 * Repository-level endpoints (hub-protocol.md §1.3, §2): whoami-v2, create, delete, move,
 * settings, repo info and validate-yaml.
 */
#include "server/srv_int.h"

#include <stdio.h>
#include <string.h>

#include "dataset/card.h"
#include "util/alloc.h"
#include "util/sha256.h"

int srv_api_whoami(srv_req *r)
{
	json_t *orgs, *body;
	char created[32];
	const char *o;
	if (!r->auth.has_token)
		return srv_reply_error(r, 401, NULL, "whoami needs a token");
	if (!r->auth.valid)
		return srv_reply_error(r, 401, NULL, "Invalid credentials in Authorization header");
	orgs = json_array();
	for (o = r->auth.tok.orgs; *o;) {
		const char *e = strchr(o, ',');
		size_t n = e ? (size_t)(e - o) : strlen(o);
		json_array_append_new(orgs, json_pack("{s:s%,s:s,s:s%,s:s%,s:n,s:b,s:s,s:n}", "id", o, n, "type", "org",
			"name", o, n, "fullname", o, n, "email", "canPay", 0, "avatarUrl", "", "periodEnd"));
		if (!e)
			break;
		o = e + 1;
	}
	srv_iso_time(r->auth.tok.created, created);
	body = json_pack("{s:s,s:s,s:s,s:s,s:n,s:b,s:b,s:b,s:s,s:n,s:s,s:o,s:{s:s,s:{s:s,s:s,s:s}}}", "type", "user",
		"id", r->auth.tok.user, "name", r->auth.tok.user, "fullname", r->auth.tok.user, "email", "emailVerified", 0,
		"isPro", 0, "canPay", 0, "avatarUrl", "", "periodEnd", "billingMode", "postpaid", "orgs", orgs, "auth",
		"type", "access_token", "accessToken", "displayName", r->auth.tok.id, "role", r->auth.tok.role, "createdAt",
		created);
	return srv_reply_json(r, 200, body);
}

/* The repo type of a create/delete/move body ("type", default model). */
static int body_type(json_t *b, hfds_repo_type *t)
{
	const char *s = json_string_value(json_object_get(b, "type"));
	*t = HFDS_REPO_MODEL;
	return !s || hfds_repo_type_parse(t, s, NULL) == 0;
}

/* "organization/name" of a create/delete body; the token's user when no organization. */
static int body_id(srv_req *r, json_t *b, char id[HFDS_REPO_ID_SIZE])
{
	const char *name = json_string_value(json_object_get(b, "name"));
	const char *org = json_string_value(json_object_get(b, "organization"));
	if (!name)
		return 0;
	if (!org && strchr(name, '/'))
		snprintf(id, HFDS_REPO_ID_SIZE, "%s", name);
	else if (!org && r->auth.valid)
		snprintf(id, HFDS_REPO_ID_SIZE, "%s/%s", r->auth.tok.user, name);
	else if (org)
		snprintf(id, HFDS_REPO_ID_SIZE, "%s/%s", org, name);
	else
		return 0;
	return hfds_repo_id_check(id, strlen(id), NULL) == 0;
}

static void ns_of(const char *id, char ns[HFDS_REPO_ID_SIZE])
{
	const char *s = strchr(id, '/');
	size_t n = s ? (size_t)(s - id) : 0;
	memcpy(ns, id, n);
	ns[n] = '\0';
}

/* A stable 24-hex object id for a repo, like the Hub's. */
static void object_id(hfds_repo_type t, const char *id, char out[25])
{
	uint8_t d[32];
	char hex[65], key[HFDS_REPO_ID_SIZE + 16];
	snprintf(key, sizeof(key), "%s/%s", hfds_repo_type_name(t), id);
	hfds_sha256_buffer(key, strlen(key), d, NULL);
	hfds_sha256_hex(d, hex);
	memcpy(out, hex, 24);
	out[24] = '\0';
}

int srv_api_repo_create(srv_req *r)
{
	json_t *b = srv_body_json(r), *priv, *vis;
	hfds_repo_type t;
	char id[HFDS_REPO_ID_SIZE], ns[HFDS_REPO_ID_SIZE], oid[25];
	char *url = NULL;
	hfds_store *st;
	hfds_error err;
	int rc, is_private = 0, ok;
	hfds_error_init(&err);
	if (!b)
		return MHD_YES;
	if (!body_type(b, &t) || !body_id(r, b, id)) {
		json_decref(b);
		if (!r->auth.has_token)
			return srv_reply_error(r, 401, NULL, "creating a repository needs a token");
		return srv_reply_error(r, 400, NULL, "create: invalid repo name or type");
	}
	priv = json_object_get(b, "private");
	vis = json_object_get(b, "visibility");
	is_private = json_is_true(priv) || (json_is_string(vis) && strcmp(json_string_value(vis), "public") != 0);
	json_decref(b);
	ns_of(id, ns);
	if (!srv_can_write_ns(r, ns))
		return MHD_YES;
	if (!(url = srv_repo_url(r, t, id)))
		return MHD_NO;
	if ((rc = srv_store(r, &st, &err)) == 0)
		rc = hfds_store_repo_create(st, t, id, is_private, &err);
	if (rc == HFDS_EEXISTS) {
		ok = srv_reply_json(r, 409, json_pack("{s:s,s:s}", "error", "You already created this repo", "url", url));
	} else if (rc < 0) {
		ok = srv_reply_hfds(r, rc, &err, NULL);
	} else {
		object_id(t, id, oid);
		ok = srv_reply_json(r, 200, json_pack("{s:s,s:s,s:s}", "url", url, "name", id, "id", oid));
	}
	hfds_free(url);
	return ok;
}

int srv_api_repo_delete(srv_req *r)
{
	json_t *b = srv_body_json(r);
	hfds_repo_type t;
	char id[HFDS_REPO_ID_SIZE];
	hfds_store *st;
	hfds_error err;
	int rc, ok_id;
	hfds_error_init(&err);
	if (!b)
		return MHD_YES;
	ok_id = body_type(b, &t) && body_id(r, b, id);
	json_decref(b);
	if (!ok_id)
		return srv_reply_error(r, 400, NULL, "delete: invalid repo name or type");
	if (!srv_can_write(r, t, id))
		return MHD_YES;
	if ((rc = srv_store(r, &st, &err)) == 0)
		rc = hfds_store_repo_delete(st, t, id, &err);
	if (rc < 0)
		return srv_reply_hfds(r, rc, &err, "repo");
	return srv_reply_json(r, 200, json_object());
}

int srv_api_repo_move(srv_req *r)
{
	json_t *b = srv_body_json(r);
	hfds_repo_type t;
	char from[HFDS_REPO_ID_SIZE], to[HFDS_REPO_ID_SIZE], ns[HFDS_REPO_ID_SIZE];
	const char *f, *d;
	hfds_store *st;
	hfds_error err;
	int rc;
	hfds_error_init(&err);
	if (!b)
		return MHD_YES;
	f = json_string_value(json_object_get(b, "fromRepo"));
	d = json_string_value(json_object_get(b, "toRepo"));
	if (!body_type(b, &t) || !f || !d || strlen(f) >= sizeof(from) || strlen(d) >= sizeof(to)
		|| hfds_repo_id_check(d, strlen(d), NULL) < 0 || !strchr(d, '/')) {
		json_decref(b);
		return srv_reply_error(r, 400, NULL, "move: expected fromRepo, toRepo (namespace/name) and type");
	}
	snprintf(from, sizeof(from), "%s", f);
	snprintf(to, sizeof(to), "%s", d);
	json_decref(b);
	ns_of(to, ns);
	if (!srv_can_write(r, t, from) || !srv_can_write_ns(r, ns))
		return MHD_YES;
	if ((rc = srv_store(r, &st, &err)) == 0)
		rc = hfds_store_repo_move(st, t, from, to, &err);
	if (rc < 0)
		return srv_reply_hfds(r, rc, &err, "repo");
	return srv_reply_json(r, 200, json_object());
}

int srv_api_settings(srv_req *r, hfds_repo_type t, const char *id)
{
	json_t *b = srv_body_json(r), *priv, *vis;
	hfds_store *st;
	hfds_error err;
	int rc = 0, set = -1;
	hfds_error_init(&err);
	if (!b)
		return MHD_YES;
	priv = json_object_get(b, "private");
	vis = json_object_get(b, "visibility");
	if (json_is_boolean(priv))
		set = json_is_true(priv);
	else if (json_is_string(vis))
		set = strcmp(json_string_value(vis), "public") != 0;
	json_decref(b);
	if (!srv_can_write(r, t, id))
		return MHD_YES;
	if (set >= 0 && (rc = srv_store(r, &st, &err)) == 0)
		rc = hfds_store_repo_set_private(st, t, id, set, &err);
	if (rc < 0)
		return srv_reply_hfds(r, rc, &err, "repo");
	return srv_reply_json(r, 200, json_object());
}

/* validate-yaml: the card's front matter must parse (the dataset module's card parser, which
 * names line and column). Always JSON, as Python reads the body before the status. */
int srv_api_validate_yaml(srv_req *r)
{
	json_t *b = srv_body_json(r), *c;
	hfds_card *card = NULL;
	hfds_error err;
	int ok;
	hfds_error_init(&err);
	if (!b)
		return MHD_YES;
	c = json_object_get(b, "content");
	if (json_is_string(c) && hfds_card__parse(&card, json_string_value(c), json_string_length(c), "README.md", &err) < 0)
		ok = srv_reply_json(r, 400, json_pack("{s:[{s:s}],s:[]}", "errors", "message", err.message, "warnings"));
	else
		ok = srv_reply_json(r, 200, json_pack("{s:[],s:[]}", "errors", "warnings"));
	hfds_card__free(card);
	json_decref(b);
	return ok;
}

/* The parsed front matter of README.md at `sha` ({} when absent or invalid). */
static json_t *card_data(hfds_store_repo *repo, const char *sha)
{
	uint8_t *text = NULL;
	size_t len = 0;
	hfds_card *card = NULL;
	json_t *meta;
	if (hfds_store_read(&text, &len, repo, sha, "README.md", 0, UINT64_MAX, 4u << 20, 0, NULL) < 0
		|| hfds_card__parse(&card, (const char *)text, len, "README.md", NULL) < 0) {
		hfds_free(text);
		return json_object();
	}
	meta = json_incref(card->meta);
	hfds_card__free(card);
	hfds_free(text);
	return meta ? meta : json_object();
}

int srv_api_repo_info(srv_req *r, hfds_repo_type t, const char *id, const char *rev)
{
	hfds_store_repo *repo;
	hfds_store_repo_info info;
	hfds_store_tree *tree = NULL;
	hfds_error err;
	char sha[HFDS_OID_HEX_SIZE], oid[25], lm[32], ca[32];
	json_t *sib, *body;
	size_t i;
	int blobs = srv_query_bool(r, "blobs"), rc, ok;
	hfds_error_init(&err);
	if (!(repo = srv_open_rev(r, t, id, rev, sha)))
		return MHD_YES;
	if ((rc = hfds_store_repo_info_get(&info, repo, sha, &err)) < 0
		|| (rc = hfds_store_tree_list(&tree, repo, sha, NULL, 1, &err)) < 0) {
		hfds_store_repo_free(repo);
		return srv_reply_hfds(r, rc, &err, "rev");
	}
	sib = json_array();
	for (i = 0; i < tree->count; i++) {
		const hfds_store_entry *e = &tree->items[i];
		json_t *s;
		if (e->is_dir)
			continue;
		s = json_pack("{s:s}", "rfilename", e->path);
		if (blobs) {
			json_object_set_new(s, "size", json_integer((json_int_t)e->size));
			json_object_set_new(s, "blobId", json_string(e->oid));
			if (e->is_lfs)
				json_object_set_new(s, "lfs", json_pack("{s:s,s:I,s:I}", "sha256", e->lfs_sha256, "size",
					(json_int_t)e->size, "pointerSize", (json_int_t)e->lfs_pointer_size));
		}
		json_array_append_new(sib, s);
	}
	object_id(t, id, oid);
	srv_iso_time(info.last_modified, lm);
	srv_iso_time(info.created_at, ca);
	{
		char author[HFDS_REPO_ID_SIZE];
		ns_of(id, author);
		body = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:b,s:i,s:i,s:[],s:o,s:o,s:b,s:i}", "_id", oid, "id", id,
			"author", author, "sha", sha, "lastModified", lm, "createdAt", ca, "private", info.is_private, "gated", 0,
			"disabled", 0, "downloads", 0, "likes", 0, "tags", "cardData", card_data(repo, sha), "siblings", sib,
			"xetEnabled", 0, "usedStorage", 0);
	}
	ok = srv_reply_json(r, 200, body);
	hfds_store_tree_free(tree);
	hfds_store_repo_free(repo);
	return ok;
}
