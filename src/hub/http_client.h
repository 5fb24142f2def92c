/*
 * The HTTP transport of the hub's HTTP backend: libcurl easy handles (one per thread, each
 * keeping its connections alive), the token sent only to the endpoint's own host, bounded
 * answers, and retries of transient failures (408, 429, 5xx, resets, timeouts) with
 * exponential backoff, jitter, the server's Retry-After / RateLimit hints and a deadline.
 * The token never appears in an error message; errors name where it came from instead.
 *
 * Tunables for tests and slow links (environment, read at open):
 *   HFDS_HUB_RETRIES       attempts per request (default 6)
 *   HFDS_HUB_RETRY_BASE_MS first backoff delay (default 1000; doubles up to 8x)
 *   HFDS_HUB_TIMEOUT       seconds without progress before a request is abandoned (default 60)
 *   HFDS_HUB_DEADLINE      seconds a request may take including its retries (default 600)
 */
#ifndef HFDS_HUB_HTTP_CLIENT_H
#define HFDS_HUB_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/common.h"
#include "hfds/hub.h"
#include "util/buf.h"

typedef struct hub_http_cfg {
	char *endpoint;          /* base URL without trailing '/' */
	char *host;              /* the endpoint's host: the only one that gets the token */
	char *token;             /* may be NULL */
	char *token_why;         /* where the token came from ("HF token from HF_TOKEN") */
	unsigned attempts;
	unsigned base_delay_ms;
	long stall_seconds;
	double deadline_seconds;
	uint64_t bytes_sent;     /* request bodies sent, retries included (atomic) */
	uint64_t retries;        /* requests repeated (atomic) */
	int answered;            /* some request got an HTTP answer (atomic): until then a refused
	                          * connection or an unknown host is an error at once, not retried */
} hub_http_cfg;

/* Fills cfg from the endpoint, token and environment; release with hub_http_cfg_release. */
int hub_http_cfg_init(hub_http_cfg *cfg, const char *endpoint, const char *token, const char *token_why,
	hfds_error *err);
void hub_http_cfg_release(hub_http_cfg *cfg);

/* One connection (a curl easy handle): for one thread at a time. */
typedef struct hub_conn hub_conn;
int hub_conn_new(hub_conn **out, hub_http_cfg *cfg, hfds_error *err);
void hub_conn_free(hub_conn *c);

typedef struct hub_req {
	const char *method;         /* GET, POST, PUT, DELETE, HEAD */
	const char *url;            /* absolute */
	const char *content_type;   /* of the body, or NULL */
	const char *accept;         /* or NULL */
	const void *body;           /* body in memory (body_len bytes), or ... */
	size_t body_len;
	int fd;                     /* ... from a file: fd >= 0, bytes [file_off, file_off + file_len) */
	uint64_t file_off, file_len;
	const char *range;          /* "0-99" for a Range request, or NULL */
	int auth;                   /* send the token (never to another host) */
	int retry;                  /* retry transient failures (not for a commit) */
	int follow;                 /* follow redirects (the token stays with the endpoint's host) */
	int fresh;                  /* a new connection: libcurl silently resends a request whose
	                               reused connection died, which must not happen to a commit */
	size_t max_body;            /* answer cap (0 = 64 MiB) */
	const hfds_hub_sink *sink;  /* a 200/206 body goes here as it arrives (other answers to
	                               body, for their error message); restarted per attempt */
	int need_206;               /* with sink: a 200 (the range ignored) is an error */
} hub_req;

typedef struct hub_resp {
	long status;
	hfds_buf body;
	char *link_next;            /* Link rel="next" (hfds_malloc) */
	char etag[160];
	char request_id[80];
	char error_code[64];        /* X-Error-Code */
	double retry_after;         /* -1 if none */
	long rl_remaining, rl_reset;
	int have_ratelimit;
	void *curl;                 /* the handle answering (for the status inside on_body) */
	const hfds_hub_sink *sink;
	int need_206, sink_state;   /* sink_state: 0 undecided, 1 to the sink, 2 to body */
	hfds_error sink_err;        /* why the sink (or the range check) stopped the body */
} hub_resp;

/* A request with the transport's retry policy. 0 when an answer arrived (any status: the
 * caller maps it), HFDS_ENET when none did within the attempts and deadline. `rs` must be
 * zeroed before its first use; an earlier answer in it is released; the caller releases the
 * last one (hub_resp_release) in every case. */
int hub_http_do(hub_conn *c, const hub_req *rq, hub_resp *rs, hfds_error *err);
void hub_resp_release(hub_resp *rs);

/* An error for a non-2xx answer: HFDS_EAUTH (401/403), HFDS_ENOTFOUND (404), HFDS_EEXISTS
 * (409), HFDS_ECONFLICT (412), HFDS_ELIMIT (413, 429), else HFDS_ERROR; the message has
 * `what`, the status, the server's message and request id. Returns the code. */
int hub_http_fail(const hub_conn *c, const hub_resp *rs, const char *what, hfds_error *err);

/* Percent-encodes `s` into b (`keep_slash`: '/' stays, for paths in repos). */
int hub_url_escape(hfds_buf *b, const char *s, int keep_slash, hfds_error *err);

#endif
