/*
 * hfds/server.h - `hfds serve`: the embedded hub over the Hugging Face Hub's HTTP API.
 *
 * The server answers the endpoints of spec/hub-protocol.md §9 (whoami, repo create/delete/
 * move/settings/info, validate-yaml, preupload, the LFS batch API with basic and multipart
 * uploads, NDJSON commits, tree, paths-info, resolve/raw with ranges, branches, tags, refs,
 * commit listings) over an hfds_store root, so huggingface_hub, datasets and @huggingface/hub
 * work against it with HF_ENDPOINT. It never advertises Xet. Every request opens the store
 * anew, so commits by other processes (`hfds push`) are visible at once; the store's
 * per-repo lock orders concurrent commits.
 *
 * Tokens: `hf_` + 34 random characters; only their sha256 is stored, in
 * `<root>/server/tokens` (one line per token). A write token writes to its user's
 * namespace and its orgs'; private repos are invisible (404) to everyone else.
 *
 * Thread-safety: one hfds_server is driven by one thread (start, stop, free); the
 * server's own threads call the log callback concurrently. The token functions may be
 * called from any thread; concurrent writers of one token file are serialised by flock.
 */
#ifndef HFDS_SERVER_H
#define HFDS_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include "hfds/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One access-log line (no newline), e.g. "GET /api/whoami-v2 200 312 1ms req-7". Never holds a
 * token. Called from the server's threads. */
typedef void (*hfds_server_log_fn)(void *ctx, const char *line);

typedef struct hfds_server_config {
	const char *root;            /* store root (NULL = hfds_store_default_root) */
	const char *host;            /* bind address (NULL = "127.0.0.1") */
	unsigned port;               /* 0 = any free port (see hfds_server_port) */
	const char *public_url;      /* base of every URL handed out (NULL = http://host:port) */
	unsigned max_connections;    /* 0 = 256 */
	unsigned timeout_seconds;    /* idle connection timeout (0 = 60) */
	size_t max_json_body;        /* JSON request bodies (0 = 16 MiB) */
	size_t max_commit_body;      /* NDJSON commit bodies (0 = 512 MiB) */
	uint64_t chunk_size;         /* LFS objects larger than this upload in parts (0 = 64 MiB) */
	int require_token;           /* anonymous clients get 401 even for public repos */
	hfds_server_log_fn log;      /* may be NULL */
	void *log_ctx;
} hfds_server_config;

typedef struct hfds_server hfds_server;

/*
 * Binds and starts serving in background threads (one per connection). The config strings
 * are copied. Errors: HFDS_EIO (store root), HFDS_ENET (cannot bind), HFDS_ENOMEM.
 */
HFDS_EXTERN int hfds_server_start(hfds_server **out, const hfds_server_config *cfg, hfds_error *err);
/* The bound port (useful with port 0). */
HFDS_EXTERN unsigned hfds_server_port(const hfds_server *srv);
/* The public base URL (owned by the server). */
HFDS_EXTERN const char *hfds_server_url(const hfds_server *srv);
/* Stops accepting, lets requests in flight finish, frees everything. NULL-safe. */
HFDS_EXTERN void hfds_server_free(hfds_server *srv);

/* ---- tokens ------------------------------------------------------------------------ */

typedef struct hfds_token_info {
	char id[13];              /* first 12 hex digits of the token's sha256: names it in list/revoke */
	char *user;
	char *orgs;               /* comma-separated, "" if none */
	char *role;               /* "read" or "write" */
	int64_t created;          /* unix seconds */
} hfds_token_info;

typedef struct hfds_token_list {
	size_t count;
	hfds_token_info *items;
} hfds_token_list;

/*
 * Creates a token for `user` (a valid namespace) with `role` ("read" or "write") and the
 * orgs `orgs[0..norgs)`; writes the token (hfds_free) to *token_out. Only its hash is kept.
 * Errors: HFDS_EINVAL (bad user, org or role), HFDS_EIO.
 */
HFDS_EXTERN int hfds_token_create(const char *root, const char *user, const char *const *orgs,
	size_t norgs, const char *role, char **token_out, hfds_error *err);
/* Lists the tokens (never their values). An absent file is an empty list. */
HFDS_EXTERN int hfds_token_list_get(hfds_token_list **out, const char *root, hfds_error *err);
HFDS_EXTERN void hfds_token_list_free(hfds_token_list *list);
/* Revokes the token whose id (or a unique prefix of >= 6 hex digits) is `id`. HFDS_ENOTFOUND. */
HFDS_EXTERN int hfds_token_revoke(const char *root, const char *id, hfds_error *err);
/* Looks a presented token up: 0 with *out filled (release with hfds_token_info_release),
 * HFDS_EAUTH when unknown. */
HFDS_EXTERN int hfds_token_lookup(hfds_token_info *out, const char *root, const char *token,
	hfds_error *err);
HFDS_EXTERN void hfds_token_info_release(hfds_token_info *info);

#ifdef __cplusplus
}
#endif
#endif
