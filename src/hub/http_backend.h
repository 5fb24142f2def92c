/*
 * Internals shared by the HTTP backend's files: http_backend.c (repos, refs, listings,
 * reads), http_commit.c (preupload, LFS transfers, the NDJSON commit) and http_noop.c (what a
 * commit would not change).
 */
#ifndef HFDS_HUB_HTTP_BACKEND_H
#define HFDS_HUB_HTTP_BACKEND_H

#include <jansson.h>

#include "hub/backend.h"
#include "hub/http_client.h"
#include "hub/http_parse.h"

typedef struct httpb {
	hub_http_cfg cfg;
	hub_conn *conn;          /* the hub's own connection (the calling thread) */
	unsigned workers;        /* parallel LFS transfers (HFDS_HUB_UPLOAD_WORKERS, default 4) */
} httpb;

/* The URL prefix of git-side paths: "datasets/", "spaces/", or "" for models. */
const char *hub_git_prefix(hfds_repo_type type);
/* `{EP}/api/{type}s/{id}[/{what}[/{rev}[/{path}]]]` into b (rev escaped whole, path with '/'). */
int hub_api_url(hfds_buf *b, const httpb *h, hfds_repo_type type, const char *id, const char *what,
	const char *rev, const char *path, hfds_error *err);
/*
 * One API call with a JSON body (may be NULL) or raw body; 2xx -> 0 with the answer in rs,
 * else the mapped error (hub_http_fail) naming `what`. rs is released by the caller.
 */
int hub_call(httpb *h, const char *method, const char *url, json_t *json, const char *ctype, const void *raw,
	size_t raw_len, int retry, hub_resp *rs, const char *what, hfds_error *err);

/* The commit operation of the HTTP backend (http_commit.c). */
int hub_http_commit(hfds_hub *hub, hfds_repo_type type, const char *id, const hfds_hub_commit_info *c,
	char out_sha[HFDS_OID_HEX_SIZE], hfds_error *err);
/* The upload operation (http_commit.c): preupload, then the LFS batch and transfer. */
int hub_http_upload(hfds_hub *hub, hfds_repo_type type, const char *id, const char *branch, const char *path,
	const char *local_path, const char *sha256_hex, uint64_t size, int *stored, hfds_error *err);

/* paths-info at `rev` for paths[0..n), 500 per call: the entries of the paths that exist are
 * appended to `t` (release with hub_tree_release). */
int hub_paths_info(httpb *h, hfds_repo_type type, const char *id, const char *rev, const char *const *paths,
	size_t n, hfds_store_tree *t, hfds_error *err);
void hub_tree_release(hfds_store_tree *t);
/* git's blob id, sha1("blob <n>\0" + data), in lower-case hex: preupload's oid of a regular file. */
int hub_git_blob_sha1(const uint8_t *data, size_t n, char hex[41], hfds_error *err);
/* 1 when the commit deletes `path` or a folder above it: huggingface_hub keeps such an
 * addition even when its content is what the repository holds. */
int hub_commit_deletes(const hfds_hub_commit_info *c, const char *path);

#endif
