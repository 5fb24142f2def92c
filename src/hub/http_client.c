/*
 * libcurl transport with the retry policy of hub-protocol.md §6.3, hardened: a deadline per
 * request, jitter so parallel workers do not retry in lockstep, and bodies from files read
 * with pread so a retry re-reads the same bytes.
 */
#include "hub/http_client.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "hub/http_parse.h"
#include "util/alloc.h"
#include "util/try.h"

#define DEFAULT_MAX_BODY (64u << 20)

struct hub_conn {
	hub_http_cfg *cfg;
	CURL *curl;
	unsigned seed;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static long env_long(const char *name, long dflt, long lo, long hi)
{
	const char *v = getenv(name);
	char *end;
	long x;
	if (!v || !*v)
		return dflt;
	x = strtol(v, &end, 10);
	return *end || x < lo || x > hi ? dflt : x;
}

/* The host[:port] of a URL, lower-cased (hfds_malloc), or NULL. */
static char *url_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *out = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
		if (asprintf(&out, "%s:%s", host, port ? port : "") < 0)
			out = NULL;
		for (char *p = out; p && *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

int hub_http_cfg_init(hub_http_cfg *cfg, const char *endpoint, const char *token, const char *token_why,
	hfds_error *err)
{
	int rc = 0;
	char *h = NULL;
	memset(cfg, 0, sizeof(*cfg));
	pthread_once(&curl_once, curl_init_once);
	h = url_host(endpoint);
	HFDS_FAIL_IF(!h, HFDS_EINVAL, err, "%s: not a valid URL", endpoint);
	cfg->host = hfds_strdup(h);
	cfg->endpoint = hfds_strdup(endpoint);
	cfg->token = token ? hfds_strdup(token) : NULL;
	cfg->token_why = hfds_strdup(token_why ? token_why : "no HF token found");
	HFDS_FAIL_IF(!cfg->host || !cfg->endpoint || (token && !cfg->token) || !cfg->token_why, HFDS_ENOMEM, err,
		"out of memory");
	cfg->attempts = (unsigned)env_long("HFDS_HUB_RETRIES", 6, 1, 100);
	cfg->base_delay_ms = (unsigned)env_long("HFDS_HUB_RETRY_BASE_MS", 1000, 0, 600000);
	cfg->stall_seconds = env_long("HFDS_HUB_TIMEOUT", 60, 1, 86400);
	cfg->deadline_seconds = (double)env_long("HFDS_HUB_DEADLINE", 600, 1, 7 * 86400);
done:
	free(h);
	if (rc < 0)
		hub_http_cfg_release(cfg);
	return rc;
}

void hub_http_cfg_release(hub_http_cfg *cfg)
{
	hfds_free(cfg->endpoint);
	hfds_free(cfg->host);
	if (cfg->token)
		memset(cfg->token, 0, strlen(cfg->token));
	hfds_free(cfg->token);
	hfds_free(cfg->token_why);
	memset(cfg, 0, sizeof(*cfg));
}

int hub_conn_new(hub_conn **out, hub_http_cfg *cfg, hfds_error *err)
{
	hub_conn *c = hfds_calloc(1, sizeof(*c));
	struct timespec ts;
	*out = NULL;
	if (!c)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	c->cfg = cfg;
	if (!(c->curl = curl_easy_init())) {
		hfds_free(c);
		return hfds_error_set(err, HFDS_ENOMEM, "cannot create an HTTP handle");
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	c->seed = (unsigned)ts.tv_nsec ^ (unsigned)(uintptr_t)c;
	*out = c;
	return 0;
}

void hub_conn_free(hub_conn *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	hfds_free(c);
}

void hub_resp_release(hub_resp *rs)
{
	hfds_buf_release(&rs->body);
	hfds_free(rs->link_next);
	rs->link_next = NULL;
}

static void resp_reset(hub_resp *rs, size_t max)
{
	hub_resp_release(rs);
	memset(rs, 0, sizeof(*rs));
	hfds_buf_init(&rs->body, max);
	rs->retry_after = -1;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	hub_resp *rs = ud;
	(void)size;
	if (rs->sink && !rs->sink_state) {
		long st = 0;
		curl_easy_getinfo(rs->curl, CURLINFO_RESPONSE_CODE, &st);
		rs->sink_state = st == 206 || (st == 200 && !rs->need_206) ? 1 : 2;
		if (st == 200 && rs->need_206) {
			hfds_error_set(&rs->sink_err, HFDS_ERROR, "the server ignored the byte range (HTTP 200 instead of 206)");
			return 0;
		}
	}
	if (rs->sink_state == 1)
		return rs->sink->write(rs->sink->ud, (const uint8_t *)p, n, &rs->sink_err) < 0 ? 0 : n;
	return hfds_buf_append(&rs->body, p, n, NULL) < 0 ? 0 : n;   /* over the cap: abort */
}

static void header_value(char *dst, size_t cap, const char *v, size_t n)
{
	size_t k = 0;
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	while (n && *v == ' ')
		v++, n--;
	for (size_t i = 0; i < n && k + 1 < cap; i++)
		dst[k++] = (unsigned char)v[i] < 0x20 ? '?' : v[i];
	dst[k] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	hub_resp *rs = ud;
	const char *colon = memchr(p, ':', n);
	size_t klen, vlen;
	const char *v;
	(void)size;
	if (!colon)
		return n;
	if (n >= 5 && !strncmp(p, "HTTP/", 5)) {
		/* a new response (after a redirect or 100-continue): forget the previous headers */
		return n;
	}
	klen = (size_t)(colon - p);
	v = colon + 1;
	vlen = n - klen - 1;
#define IS(k) (klen == sizeof(k) - 1 && !strncasecmp(p, k, klen))
	if (IS("link")) {
		hfds_free(rs->link_next);
		rs->link_next = hub_parse_link_next(v, vlen);
	} else if (IS("etag")) {
		header_value(rs->etag, sizeof(rs->etag), v, vlen);
	} else if (IS("x-request-id")) {
		header_value(rs->request_id, sizeof(rs->request_id), v, vlen);
	} else if (IS("x-error-code")) {
		header_value(rs->error_code, sizeof(rs->error_code), v, vlen);
	} else if (IS("retry-after")) {
		rs->retry_after = hub_parse_retry_after(v, vlen);
	} else if (IS("ratelimit")) {
		rs->have_ratelimit = hub_parse_ratelimit(v, vlen, &rs->rl_remaining, &rs->rl_reset) == 0;
	}
#undef IS
	return n;
}

typedef struct file_body {
	int fd;
	uint64_t off, left, start, total;
} file_body;

static size_t on_read(char *dst, size_t size, size_t n, void *ud)
{
	file_body *fb = ud;
	size_t want = size * n;
	ssize_t got;
	if (fb->left < want)
		want = (size_t)fb->left;
	if (!want)
		return 0;
	do
		got = pread(fb->fd, dst, want, (off_t)fb->off);
	while (got < 0 && errno == EINTR);
	if (got <= 0)
		return CURL_READFUNC_ABORT;   /* the file shrank or failed: the request fails */
	fb->off += (uint64_t)got;
	fb->left -= (uint64_t)got;
	return (size_t)got;
}

static int on_seek(void *ud, curl_off_t offset, int origin)
{
	file_body *fb = ud;
	if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > fb->total)
		return CURL_SEEKFUNC_CANTSEEK;
	fb->off = fb->start + (uint64_t)offset;
	fb->left = fb->total - (uint64_t)offset;
	return CURL_SEEKFUNC_OK;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int transient(long status)
{
	return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

/* Backoff before attempt `k` (1-based retries): base x 2^(k-1) capped at 8x, +-25% jitter;
 * the server's hints win when present (RateLimit r=0: t + 1 s; else Retry-After + the base). */
static double backoff(hub_conn *c, unsigned k, const hub_resp *rs)
{
	double base = c->cfg->base_delay_ms / 1000.0, d;
	unsigned shift = k - 1 < 3 ? k - 1 : 3;
	if (rs && rs->have_ratelimit && rs->rl_remaining == 0 && rs->status == 429)
		return (double)rs->rl_reset + 1;
	if (rs && rs->retry_after >= 0)
		return rs->retry_after + base;
	d = base * (double)(1u << shift);
	return d * (0.75 + 0.5 * ((double)rand_r(&c->seed) / RAND_MAX));
}

static void sleep_s(double s)
{
	struct timespec ts;
	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* One attempt. 0 with rs->status set, or a curl error code in *cerr. */
static int attempt(hub_conn *c, const hub_req *rq, hub_resp *rs, CURLcode *cerr, char *ebuf)
{
	CURL *h = c->curl;
	struct curl_slist *hdrs = NULL;
	file_body fb;
	char line[256], *host = NULL;
	int same_host;
	CURLcode cc;
	curl_easy_reset(h);   /* options only: the connection cache stays (keep-alive) */
	resp_reset(rs, rq->max_body ? rq->max_body : DEFAULT_MAX_BODY);
	rs->curl = h;
	rs->sink = rq->sink;
	rs->need_206 = rq->need_206;
	if (rq->sink && rq->sink->restart)
		rq->sink->restart(rq->sink->ud);
	host = url_host(rq->url);
	same_host = host && !strcmp(host, c->cfg->host);
	free(host);
	curl_easy_setopt(h, CURLOPT_URL, rq->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "hfds/" HFDS_VERSION);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->cfg->stall_seconds);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, rs);
	if (rq->sink)   /* a big body: fewer, larger pieces for the sink (curl's default is 16 KiB) */
		curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 512L << 10);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, rs);
	if (rq->follow) {
		/* curl keeps credentials to the first host (CURLOPT_UNRESTRICTED_AUTH stays off) */
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	}
	if (rq->auth && same_host && c->cfg->token) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, c->cfg->token);
	}
	if (rq->content_type && snprintf(line, sizeof(line), "Content-Type: %s", rq->content_type) > 0)
		hdrs = curl_slist_append(hdrs, line);
	if (rq->accept && snprintf(line, sizeof(line), "Accept: %s", rq->accept) > 0)
		hdrs = curl_slist_append(hdrs, line);
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if (rq->range)
		curl_easy_setopt(h, CURLOPT_RANGE, rq->range);
	if (rq->fresh)
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	if (rq->fd >= 0) {
		fb.fd = rq->fd;
		fb.off = fb.start = rq->file_off;
		fb.left = fb.total = rq->file_len;
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		/* file bodies are large: 512 KiB per pread and send instead of curl's 64 KiB */
		curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 512L << 10);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, &fb);
		curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
		curl_easy_setopt(h, CURLOPT_SEEKDATA, &fb);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)rq->file_len);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
	} else if (rq->body || !strcmp(rq->method, "POST") || !strcmp(rq->method, "PUT")) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body ? (const char *)rq->body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
	} else if (!strcmp(rq->method, "HEAD")) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(rq->method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
	}
	ebuf[0] = '\0';
	cc = curl_easy_perform(h);
	{
		curl_off_t up = 0;
		if (curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &up) == CURLE_OK && up > 0)
			__atomic_fetch_add(&c->cfg->bytes_sent, (uint64_t)up, __ATOMIC_RELAXED);
	}
	curl_slist_free_all(hdrs);
	curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, NULL);
	*cerr = cc;
	if (cc != CURLE_OK)
		return -1;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rs->status);
	return 0;
}

static int retryable_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT: case CURLE_OPERATION_TIMEDOUT: case CURLE_SEND_ERROR: case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE: case CURLE_HTTP2: case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR: case CURLE_COULDNT_RESOLVE_HOST:
		return 1;
	default:
		return 0;
	}
}

int hub_http_do(hub_conn *c, const hub_req *rq, hub_resp *rs, hfds_error *err)
{
	double t0 = now_s(), wait;
	char ebuf[CURL_ERROR_SIZE];
	CURLcode cc = CURLE_OK;
	unsigned k;
	resp_reset(rs, 0);   /* rs was zeroed or holds an earlier answer: release it */
	for (k = 1;; k++) {
		int got = attempt(c, rq, rs, &cc, ebuf) == 0;
		if (got)
			__atomic_store_n(&c->cfg->answered, 1, __ATOMIC_RELAXED);
		if (got && !(rq->retry && transient(rs->status)))
			return 0;
		if (!got && (!retryable_curl(cc) || !rq->retry))
			break;
		/* nothing listens there (yet): a wrong URL or a stopped server is said now, not after
		 * a minute of backoff; once the endpoint has answered, a refusal is a restart and is
		 * retried like any other fault */
		if (!got && (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST) &&
		    !__atomic_load_n(&c->cfg->answered, __ATOMIC_RELAXED))
			return hfds_error_set(err, HFDS_ENET, "%s %s: %s (no answer from %s yet: is the server running, "
				"is the URL right?)", rq->method, rq->url, ebuf[0] ? ebuf : curl_easy_strerror(cc),
				c->cfg->endpoint);
		if (k >= c->cfg->attempts)
			break;
		wait = backoff(c, k, got ? rs : NULL);
		if (now_s() + wait - t0 > c->cfg->deadline_seconds)
			break;
		__atomic_fetch_add(&c->cfg->retries, 1, __ATOMIC_RELAXED);
		sleep_s(wait);
	}
	if (rs->status && cc == CURLE_OK)
		return 0;   /* the last answer was a transient status: the caller reports it */
	return hfds_error_set(err, HFDS_ENET, "%s %s: %s (after %u attempt%s)", rq->method, rq->url,
		ebuf[0] ? ebuf : curl_easy_strerror(cc), k, k == 1 ? "" : "s");
}

int hub_http_fail(const hub_conn *c, const hub_resp *rs, const char *what, hfds_error *err)
{
	char msg[400];
	int code;
	hub_parse_error_message((const char *)rs->body.data, rs->body.len, msg, sizeof(msg));
	switch (rs->status) {
	case 401: case 403: code = HFDS_EAUTH; break;
	case 404: code = HFDS_ENOTFOUND; break;
	case 409: code = HFDS_EEXISTS; break;
	case 412: code = HFDS_ECONFLICT; break;
	case 413: case 429: code = HFDS_ELIMIT; break;
	default: code = HFDS_ERROR; break;
	}
	if (code == HFDS_EAUTH)
		return hfds_error_set(err, code, "%s: HTTP %ld (%s; %s)%s%s%s", what, rs->status, msg,
			c->cfg->token_why, rs->request_id[0] ? " [request id " : "", rs->request_id,
			rs->request_id[0] ? "]" : "");
	return hfds_error_set(err, code, "%s: HTTP %ld: %s%s%s%s", what, rs->status, msg[0] ? msg : "(no message)",
		rs->request_id[0] ? " [request id " : "", rs->request_id, rs->request_id[0] ? "]" : "");
}

int hub_url_escape(hfds_buf *b, const char *s, int keep_slash, hfds_error *err)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '_' || *p == '.' || *p == '~' || (keep_slash && *p == '/')) {
			HFDS_TRY(hfds_buf_append_byte(b, *p, err));
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			HFDS_TRY(hfds_buf_append(b, e, 3, err));
		}
	}
done:
	return rc;
}
