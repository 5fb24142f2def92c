/*
 * Internals of `hfds serve` (src/server/). Not a public header.
 *
 * http.c owns libmicrohttpd: it collects a request (headers, a size-capped body, or an
 * upload streamed to a temp file), calls srv_route() once the body is complete, and logs
 * one line when the request ends. The handlers (api_*.c, lfs.c, resolve.c) answer through
 * the srv_reply_* helpers. The pure parsers (parse.c, ndjson.c) do no I/O so they can be
 * fuzzed.
 */
#ifndef HFDS_SERVER_INT_H
#define HFDS_SERVER_INT_H

#include <microhttpd.h>
#include <jansson.h>
#include <stdint.h>
#include <time.h>

#include "hfds/server.h"
#include "hfds/store.h"
#include "util/buf.h"
#include "util/sha256.h"

typedef struct srv_mp srv_mp;            /* the in-order hash of a multipart upload (mp_hash.c) */
typedef struct srv_mp_table srv_mp_table;

struct hfds_server {
	char *root;
	char *host;
	char *public_url;            /* no trailing '/' */
	unsigned port;
	hfds_server_config cfg;      /* strings point at the copies above */
	struct MHD_Daemon *daemon;
	uint8_t secret[32];          /* signs upload URLs; new at every start */
	unsigned long next_id;       /* request ids (atomic increments) */
	unsigned long inflight;      /* requests between their first byte and their end (atomic) */
	hfds_store *keep;            /* the store, shared by the request threads (it only names the
	                                root; repositories are opened per request, so other processes'
	                                commits are seen at once); holding it also keeps libgit2
	                                initialised, so each thread's libgit2 state is freed as it ends */
	srv_mp_table *mp;            /* multipart uploads' prefix hashes */
};

/* What a request's body is for, decided when its headers arrive. */
typedef enum srv_body_kind {
	SRV_BODY_BUFFER = 0,         /* JSON, NDJSON or a form: kept in memory up to a cap */
	SRV_BODY_UPLOAD = 1,         /* an LFS object (or part) streamed to a temp file */
} srv_body_kind;

/* The identity behind a request. */
typedef struct srv_auth {
	int has_token;               /* an Authorization header was sent */
	int valid;                   /* ... and it named a known token */
	hfds_token_info tok;
} srv_auth;

#define SRV_MAX_SEGS 64

typedef struct srv_req {
	hfds_server *srv;
	struct MHD_Connection *conn;
	const char *method;
	char *path;                  /* raw path, no query */
	char *segs[SRV_MAX_SEGS];    /* percent-decoded segments of path */
	size_t nseg;
	unsigned long id;
	struct timespec t0;
	srv_body_kind kind;
	hfds_buf body;
	int overflow;                /* the body went past its cap: answer 413 at the end */
	/* uploads (upload.c) */
	int fd;                      /* the temp file, or a multipart upload's shared data file */
	char *tmp_path;              /* a single upload's temp file (removed on abort); NULL for parts */
	hfds_sha256 *sha;            /* single uploads only */
	srv_mp *mp;                  /* parts: the upload's prefix hash (a reference), or NULL */
	uint64_t off;                /* where this body starts in the file (a part's offset) */
	uint64_t want;               /* the body's expected length */
	uint64_t got;
	uint64_t flushed;            /* bytes handed to write-back so far (sync_file_range) */
	int io_failed;
	/* the answer */
	int responded;
	unsigned status;
	uint64_t bytes;
	srv_auth auth;
} srv_req;

/* ---- http.c: replies ---------------------------------------------------------------- */

/* Queues `resp` with `status` (adds X-Request-Id, takes ownership). */
int srv_queue(srv_req *r, unsigned status, struct MHD_Response *resp);
/* JSON body (steals `body`), with Content-Type application/json. */
int srv_reply_json(srv_req *r, unsigned status, json_t *body);
/* Like srv_reply_json with one extra header (name may be NULL). */
int srv_reply_json_h(srv_req *r, unsigned status, json_t *body, const char *hname, const char *hvalue);
/* {"error": msg} with X-Error-Message, and X-Error-Code when `code` is set. */
int srv_reply_error(srv_req *r, unsigned status, const char *code, const char *fmt, ...) HFDS_PRINTF(4, 5);
/* Maps an hfds error to a status (404 codes for `what`: "repo", "rev", "entry"). */
int srv_reply_hfds(srv_req *r, int rc, const hfds_error *err, const char *what);
/* A header value of the request (NULL if absent). */
const char *srv_header(srv_req *r, const char *name);
/* A decoded query parameter (hfds_free), NULL if absent. */
char *srv_query(srv_req *r, const char *name);
/* 1 if the query parameter is "1"/"true"/"True". */
int srv_query_bool(srv_req *r, const char *name);
/* The server's store (never fails; `err` kept for call sites' symmetry). */
int srv_store(srv_req *r, hfds_store **out, hfds_error *err);

/* ---- route.c ------------------------------------------------------------------------ */

/* Answers a request whose body is complete. */
int srv_route(srv_req *r);
/* Decides the body kind from method and path (called when the headers arrive); may reply. */
int srv_route_begin(srv_req *r);

/* ---- auth.c --------------------------------------------------------------------------- */

/* Reads the Authorization header into r->auth. */
void srv_auth_load(srv_req *r);
/* Whether the caller may read / write repo `id` (type `t`). On refusal the reply is sent
 * (401, 403 or 404 RepoNotFound) and the function returns 0; 1 means allowed. `info` may be
 * NULL, then the repo is opened to learn its visibility. */
int srv_can_read(srv_req *r, hfds_repo_type t, const char *id);
int srv_can_write(srv_req *r, hfds_repo_type t, const char *id);
/* 1 if the repo exists and the caller may see it (no reply). */
int srv_visible(srv_req *r, hfds_repo_type t, const char *id);
/* Whether the caller's token may create repos in `ns` (replies on refusal). */
int srv_can_write_ns(srv_req *r, const char *ns);

/* ---- parse.c: pure parsers -------------------------------------------------------------- */

/* Splits a raw path at '/' and percent-decodes every segment (hfds_free each). A decoded
 * NUL is refused. HFDS_ELIMIT past `max` segments, HFDS_EPARSE on bad escapes. */
int srv_split_path(const char *path, char **segs, size_t max, size_t *n, hfds_error *err);
/* Percent-decodes s[0..n) (plus_space: '+' is a space, as in forms). hfds_free. */
int srv_pct_decode(char **out, const char *s, size_t n, int plus_space, hfds_error *err);
/* Appends s percent-encoded (unreserved characters and, with keep_slash, '/' stay). */
int srv_pct_encode(hfds_buf *b, const char *s, int keep_slash, hfds_error *err);

typedef struct srv_range {
	uint64_t start, len;
} srv_range;
/* Parses a Range header against a size: 1 = one satisfiable range in *out, 0 = ignore the
 * header (absent, malformed or several ranges: send everything), HFDS_ELIMIT = unsatisfiable (416). */
int srv_range_parse(const char *header, uint64_t size, srv_range *out);

/* A decimal uint64 with nothing around it (no sign, no space): 1 = parsed. */
int srv_parse_u64(const char *s, uint64_t *v);

/* Collects the values of `key` of an application/x-www-form-urlencoded body into arr. */
int srv_form_values(const char *body, size_t n, const char *key, json_t *arr, hfds_error *err);

/* ---- ndjson.c: the commit payload ------------------------------------------------------ */

typedef enum srv_op_kind { SRV_OP_FILE, SRV_OP_LFS, SRV_OP_DELETE_FILE, SRV_OP_DELETE_FOLDER } srv_op_kind;

typedef struct srv_op {
	srv_op_kind kind;
	char *path;
	uint8_t *data;               /* SRV_OP_FILE: decoded content */
	size_t len;
	char oid[HFDS_SHA256_HEX_SIZE];  /* SRV_OP_LFS */
	uint64_t size;               /* SRV_OP_LFS; UINT64_MAX when not given */
} srv_op;

typedef struct srv_commit_req {
	char *summary;
	char *description;
	char *parent;                /* NULL if absent */
	size_t count;
	srv_op *ops;
} srv_commit_req;

/* Parses an NDJSON commit body; errors name the line. Paths are checked with the store's
 * path rules (HFDS_EINVAL). */
int srv_commit_parse(srv_commit_req *out, const char *body, size_t n, hfds_error *err);
void srv_commit_req_release(srv_commit_req *c);

/* ---- handlers --------------------------------------------------------------------------- */

int srv_api_whoami(srv_req *r);
int srv_api_repo_create(srv_req *r);
int srv_api_repo_delete(srv_req *r);
int srv_api_repo_move(srv_req *r);
int srv_api_validate_yaml(srv_req *r);
int srv_api_repo_info(srv_req *r, hfds_repo_type t, const char *id, const char *rev);
int srv_api_settings(srv_req *r, hfds_repo_type t, const char *id);
int srv_api_preupload(srv_req *r, hfds_repo_type t, const char *id, const char *rev);
int srv_api_commit(srv_req *r, hfds_repo_type t, const char *id, const char *rev);
int srv_api_tree(srv_req *r, hfds_repo_type t, const char *id, const char *rev, const char *path);
int srv_api_paths_info(srv_req *r, hfds_repo_type t, const char *id, const char *rev);
int srv_api_refs(srv_req *r, hfds_repo_type t, const char *id);
int srv_api_commits(srv_req *r, hfds_repo_type t, const char *id, const char *rev);
int srv_api_branch(srv_req *r, hfds_repo_type t, const char *id, const char *name);
int srv_api_tag(srv_req *r, hfds_repo_type t, const char *id, const char *name);
int srv_api_squash(srv_req *r, hfds_repo_type t, const char *id, const char *branch);
int srv_lfs_batch(srv_req *r, hfds_repo_type t, const char *id);
int srv_lfs_verify(srv_req *r, hfds_repo_type t, const char *id);
int srv_lfs_object_get(srv_req *r, hfds_repo_type t, const char *id, const char *oid);
/* Checks segs[2..6] of an upload URL (oid, size, chunk, expiry, signature): 1 = valid. */
int srv_upload_url_ok(srv_req *r, uint64_t *size, uint64_t *chunk);
/* Parts of a multipart upload (1 when chunk is 0). */
uint64_t srv_upload_parts(uint64_t size, uint64_t chunk);
/* Upload URL requests (/_hfds/...): begin checks the signature and opens the file. */
int srv_upload_begin(srv_req *r);
int srv_upload_data(srv_req *r, const char *data, size_t n);
int srv_upload_finish(srv_req *r);
/* POST of a multipart completion URL: checks the joined parts and stores the object. */
int srv_upload_complete(srv_req *r);
void srv_upload_abort(srv_req *r);

/* ---- mp_hash.c: a multipart upload's sha256 while its parts arrive ---------------------- */

int srv_mp_table_new(srv_mp_table **out);
void srv_mp_table_free(srv_mp_table *t);
/* The state of the data file `fd` of upload (oid, size, chunk), made on first use, with a
 * reference; NULL when the table is full (the completion then hashes the whole file). */
srv_mp *srv_mp_get(srv_mp_table *t, const char *oid, uint64_t size, uint64_t chunk, int fd);
/* Drops a reference (NULL-safe); `drop` also takes the state out of the table. */
void srv_mp_put(srv_mp_table *t, srv_mp *m, int drop);
/* After data[0..n) was written at `off` by the writer of the part starting at part_start
 * (fd readable). */
void srv_mp_wrote(srv_mp *m, int fd, uint64_t part_start, uint64_t off, const char *data, size_t n);
/* After a part's marker was made in `dir`: the prefix goes on through complete parts. */
void srv_mp_part_done(srv_mp *m, int fd, const char *dir);
/* At the completion, no part writer active: the file's sha256 into hex, hashing only what
 * the prefix lacks; -1 when the prefix cannot be used (hash the file instead). */
int srv_mp_finish(srv_mp *m, int fd, char hex[65]);
/* git http-backend for `rest` ("info/refs", "git-upload-pack"); read-only. */
int srv_git_http(srv_req *r, hfds_repo_type t, const char *id, const char *rest);
int srv_resolve(srv_req *r, hfds_repo_type t, const char *id, const char *rev, const char *path, int raw);

/* ---- shared helpers (api_common.c) ----------------------------------------------------- */

/* "<public>/<prefix><id>", prefix "datasets/", "spaces/" or "" (hfds_free). */
char *srv_repo_url(srv_req *r, hfds_repo_type t, const char *id);
/* ISO-8601 UTC with milliseconds, into buf[32]. */
void srv_iso_time(int64_t t, char buf[32]);
/* A tree / paths-info entry. */
json_t *srv_entry_json(const hfds_store_entry *e);
/* Parses the JSON request body (replies 400 and returns NULL on failure). */
json_t *srv_body_json(srv_req *r);
/* Opens a repo the caller may read (replies on failure, returns NULL). */
hfds_store_repo *srv_open_read(srv_req *r, hfds_repo_type t, const char *id);
/* Opens a repo the caller may read and resolves `rev` in it (NULL/"" = main); on failure
 * replies (404 RepoNotFound / RevisionNotFound, 401) and returns NULL. */
hfds_store_repo *srv_open_rev(srv_req *r, hfds_repo_type t, const char *id, const char *rev,
	char sha[HFDS_OID_HEX_SIZE]);
/* A reply from a malloc'd `text` (owned, freed on failure) with Content-Type `ctype`; NULL
 * when out of memory. The caller adds headers and queues it with srv_queue. */
struct MHD_Response *srv_text_response(srv_req *r, char *text, const char *ctype);

#endif
