/*
 * Parsers for the Hub's HTTP answers: headers (Link, Retry-After, RateLimit) and JSON
 * bodies (error envelope, whoami, repo info, tree, refs, commits, preupload, LFS batch,
 * commit). Pure functions over bytes from the network: every one bounds what it allocates,
 * names the field it could not read and never trusts a length or a type. Fuzzed by
 * tests/fuzz/fuzz_hub_http.c.
 */
#ifndef HFDS_HUB_HTTP_PARSE_H
#define HFDS_HUB_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/hub.h"

/* `Link: <URL>; rel="next", ...` -> the next page's absolute http(s) URL (hfds_malloc), or
 * NULL when there is none. */
char *hub_parse_link_next(const char *value, size_t n);
/* `Retry-After: <seconds>` -> seconds (the HTTP-date form is not used by the Hub): -1 if
 * absent or malformed; capped at one day. */
double hub_parse_retry_after(const char *value, size_t n);
/* `RateLimit: "api";r=<remaining>;t=<reset seconds>` -> 0 and both numbers, else -1. */
int hub_parse_ratelimit(const char *value, size_t n, long *remaining, long *reset);

/* The message of an error body ({"error": "..."} or {"error": [...]}, {"message": ...},
 * {"errors": [{"message": ...}]}, else the text itself), printable, cut to cap - 1 bytes. */
void hub_parse_error_message(const char *body, size_t n, char *out, size_t cap);

/* ISO-8601 "2025-03-07T12:34:56(.fff)Z" -> unix seconds; 0 if malformed. */
int64_t hub_parse_iso_time(const char *s);

/* GET /api/whoami-v2. */
int hub_parse_whoami(hfds_hub_user *out, const char *body, size_t n, hfds_error *err);
/* GET /api/{type}s/{repo}/revision/{rev}: id, sha, private, lastModified, createdAt. */
int hub_parse_repo_info(hfds_store_repo_info *out, const char *body, size_t n, hfds_error *err);
/* One page of GET .../tree/...: appends its entries to `t` (grown with hfds_realloc). */
int hub_parse_tree_page(hfds_store_tree *t, const char *body, size_t n, hfds_error *err);
/* GET .../refs: branches then tags, each sorted by name. */
int hub_parse_refs(hfds_store_refs **out, const char *body, size_t n, hfds_error *err);
/* One page of GET .../commits/{rev}: appends up to `limit` entries in total (0 = all). */
int hub_parse_commits_page(hfds_store_log *log, const char *body, size_t n, size_t limit, hfds_error *err);

/* Preupload answer for one file. */
typedef struct hub_preupload {
	int lfs;           /* uploadMode "lfs" */
	int ignore;        /* shouldIgnore */
	char oid[65];      /* what the path holds at the revision, lower case: its git blob sha1
	                      (regular) or LFS sha256 (lfs); "" when absent, new, or not hex */
} hub_preupload;
/* Fills modes[i] for paths[i] (each path must be answered, byte for byte) and `head` with the
 * answer's commitOid when it has a 40-hex one (else ""; head may be NULL). An `oid` of
 * another shape than 40 or 64 hex digits is taken as absent (the file counts as changed). */
int hub_parse_preupload(hub_preupload *modes, const char *const *paths, size_t count, const char *body,
	size_t n, char head[HFDS_OID_HEX_SIZE], hfds_error *err);

/* One object of an LFS batch answer. */
typedef struct hub_lfs_action {
	char *upload_href;      /* NULL: the server has it already */
	char *verify_href;      /* optional */
	uint64_t chunk_size;    /* multipart: > 0; then part_hrefs[0..parts) in order */
	size_t parts;
	char **part_hrefs;
} hub_lfs_action;
void hub_lfs_action_release(hub_lfs_action *a);
/* Fills actions[i] for oids[i]/sizes[i]; an object error or an answer for an object not asked
 * is HFDS_ERROR naming it; a multipart answer whose part count is not ceil(size/chunk) too. */
int hub_parse_lfs_batch(hub_lfs_action *actions, const char *const *oids, const uint64_t *sizes,
	size_t count, const char *body, size_t n, hfds_error *err);

/* The commit answer: commitOid (40 hex) and, for a PR, pullRequestUrl's number. */
int hub_parse_commit(char sha[HFDS_OID_HEX_SIZE], const char *body, size_t n, hfds_error *err);

#endif
