/*
 * libmicrohttpd glue: the daemon, request life cycle, replies and the access log.
 *
 * Why libmicrohttpd: packaged in Debian, maintained (GNU), does HTTP/1.1 parsing, chunked
 * bodies, keep-alive, sendfile for file-backed replies, connection limits and timeouts, and
 * lets us see the body as it arrives, so uploads stream to disk instead of memory.
 * Threading: one thread per connection; a handler may block (on the repo lock, on the disk)
 * without stalling other clients, and the connection limit bounds the thread count.
 * URLs are not unescaped by the library (identity unescape callback): the router needs the
 * raw path to split it before decoding, because revisions may arrive as `refs%2Fpr%2F1`.
 */
#include "server/srv_int.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/try.h"

#define DEFAULT_JSON_MAX (16u << 20)
#define DEFAULT_COMMIT_MAX (512u << 20)
#define JSON_CTYPE "application/json; charset=utf-8"
#define SHUTDOWN_GRACE_MS 30000
/* Per connection; libmicrohttpd reads into half of it, so uploads arrive in 512 KiB steps
 * (a quarter of the system calls of the 128 KiB steps a 256 KiB pool gave). Pages are
 * touched only as bodies fill them. */
#define CONNECTION_MEMORY (1u << 20)

const char *srv_header(srv_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

char *srv_query(srv_req *r, const char *name)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
	char *out = NULL;
	if (!v)
		return NULL;
	if (srv_pct_decode(&out, v, strlen(v), 1, NULL) < 0)
		return NULL;
	return out;
}

int srv_query_bool(srv_req *r, const char *name)
{
	char *v = srv_query(r, name);
	int yes = v && (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "True"));
	hfds_free(v);
	return yes;
}

int srv_store(srv_req *r, hfds_store **out, hfds_error *err)
{
	(void)err;
	*out = r->srv->keep;
	return 0;
}

int srv_queue(srv_req *r, unsigned status, struct MHD_Response *resp)
{
	char id[32];
	enum MHD_Result ok;
	if (!resp)
		return MHD_NO;
	snprintf(id, sizeof(id), "hfds-%lu", r->id);
	MHD_add_response_header(resp, "X-Request-Id", id);
	ok = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	r->responded = 1;
	r->status = status;
	return ok;
}

struct MHD_Response *srv_text_response(srv_req *r, char *text, const char *ctype)
{
	struct MHD_Response *resp;
	if (!text)
		return NULL;
	r->bytes = strlen(text);
	if (!(resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE))) {
		free(text);
		return NULL;
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	return resp;
}

int srv_reply_json_h(srv_req *r, unsigned status, json_t *body, const char *hname, const char *hvalue)
{
	struct MHD_Response *resp = srv_text_response(r, body ? json_dumps(body, JSON_COMPACT) : NULL, JSON_CTYPE);
	json_decref(body);
	if (resp && hname)
		MHD_add_response_header(resp, hname, hvalue);
	return srv_queue(r, status, resp);
}

int srv_reply_json(srv_req *r, unsigned status, json_t *body)
{
	return srv_reply_json_h(r, status, body, NULL, NULL);
}

int srv_reply_error(srv_req *r, unsigned status, const char *code, const char *fmt, ...)
{
	char msg[600], hmsg[600];
	char *text;
	size_t i;
	va_list ap;
	struct MHD_Response *resp;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	{
		json_t *o = json_pack("{s:s}", "error", msg);
		text = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
	}
	if (!text) {
		/* a message quoting the client's invalid UTF-8: send a generic one */
		json_t *o = json_object();
		json_object_set_new(o, "error", json_string("request refused"));
		text = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (!text)
			return MHD_NO;
	}
	if (!(resp = srv_text_response(r, text, JSON_CTYPE)))
		return MHD_NO;
	/* Header values must be printable ASCII. */
	for (i = 0; msg[i] && i < sizeof(hmsg) - 1; i++)
		hmsg[i] = (msg[i] >= 0x20 && msg[i] < 0x7f) ? msg[i] : '?';
	hmsg[i] = '\0';
	MHD_add_response_header(resp, "X-Error-Message", hmsg);
	if (code)
		MHD_add_response_header(resp, "X-Error-Code", code);
	return srv_queue(r, status, resp);
}

int srv_reply_hfds(srv_req *r, int rc, const hfds_error *err, const char *what)
{
	const char *msg = err && err->message[0] ? err->message : hfds_strerror(rc);
	switch (rc) {
	case HFDS_ENOTFOUND:
		if (what && !strcmp(what, "repo"))
			return srv_reply_error(r, 404, "RepoNotFound", "%s", msg);
		if (what && !strcmp(what, "rev"))
			return srv_reply_error(r, 404, "RevisionNotFound", "%s", msg);
		return srv_reply_error(r, 404, "EntryNotFound", "%s", msg);
	case HFDS_EEXISTS:
	case HFDS_ECONFLICT:
		return srv_reply_error(r, 409, NULL, "%s", msg);
	case HFDS_EINVAL:
		return srv_reply_error(r, 422, NULL, "%s", msg);
	case HFDS_EPARSE:
	case HFDS_EUNSUPPORTED:
		return srv_reply_error(r, 400, NULL, "%s", msg);
	case HFDS_ELIMIT:
		return srv_reply_error(r, 413, NULL, "%s", msg);
	case HFDS_EAUTH:
		return srv_reply_error(r, 403, NULL, "%s", msg);
	case HFDS_ESTATE:
		return srv_reply_error(r, 403, NULL, "%s", msg);
	default:
		return srv_reply_error(r, 500, NULL, "%s", msg);
	}
}

static void req_free(srv_req *r)
{
	size_t i;
	if (!r)
		return;
	srv_upload_abort(r);
	for (i = 0; i < r->nseg; i++)
		hfds_free(r->segs[i]);
	hfds_free(r->path);
	hfds_buf_release(&r->body);
	hfds_token_info_release(&r->auth.tok);
	hfds_free(r);
}

static size_t body_cap(srv_req *r)
{
	const char *ct = srv_header(r, "Content-Type");
	if (ct && strstr(ct, "ndjson"))
		return r->srv->cfg.max_commit_body;
	return r->srv->cfg.max_json_body;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	hfds_server *srv = cls;
	srv_req *r = *con_cls;
	(void)version;
	if (!r) {
		const char *q;
		hfds_error err;
		hfds_error_init(&err);
		if (!(r = hfds_calloc(1, sizeof(*r))))
			return MHD_NO;
		*con_cls = r;
		r->srv = srv;
		r->conn = conn;
		r->method = method;
		r->fd = -1;
		r->id = __atomic_add_fetch(&srv->next_id, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&srv->inflight, 1, __ATOMIC_RELAXED);
		clock_gettime(CLOCK_MONOTONIC, &r->t0);
		q = strchr(url, '?');
		r->path = q ? hfds_strndup(url, (size_t)(q - url)) : hfds_strdup(url);
		if (!r->path)
			return MHD_NO;
		srv_auth_load(r);
		if (srv_split_path(r->path, r->segs, SRV_MAX_SEGS, &r->nseg, &err) < 0)
			return srv_reply_error(r, 400, NULL, "bad URL path: %s", err.message);
		hfds_buf_init(&r->body, body_cap(r));
		{
			const char *cl = srv_header(r, "Content-Length");
			if (cl && strtoull(cl, NULL, 10) > r->body.max && r->body.max)
				r->overflow = 1;
		}
		return srv_route_begin(r);
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (r->responded)
			return MHD_YES;   /* an early answer was queued: drop the rest */
		if (r->kind == SRV_BODY_UPLOAD)
			return srv_upload_data(r, upload_data, n) < 0 ? MHD_NO : MHD_YES;
		if (r->overflow)
			return MHD_NO;    /* past the cap with no Content-Length: cut the connection */
		if (hfds_buf_append(&r->body, upload_data, n, NULL) < 0) {
			r->overflow = 1;
			return MHD_NO;
		}
		return MHD_YES;
	}
	if (r->responded)
		return MHD_YES;
	if (r->kind == SRV_BODY_UPLOAD)
		return srv_upload_finish(r);
	if (hfds_buf_cstr(&r->body, NULL) < 0)
		return srv_reply_error(r, 413, NULL, "request body too large");
	return srv_route(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	hfds_server *srv = cls;
	srv_req *r = *con_cls;
	struct timespec t1;
	char line[1200];
	long ms;
	(void)conn;
	if (!r)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (long)((t1.tv_sec - r->t0.tv_sec) * 1000 + (t1.tv_nsec - r->t0.tv_nsec) / 1000000);
	if (srv->cfg.log) {
		/* Upload URLs carry their signature: log only /_hfds/<kind>/<oid>. */
		int plen = r->path ? (int)strlen(r->path) : 0;
		if (r->path && !strncmp(r->path, "/_hfds/", 7)) {
			const char *p = strchr(r->path + 7, '/');
			p = p ? strchr(p + 1, '/') : NULL;
			if (p)
				plen = (int)(p - r->path);
		}
		if (plen > 1000)
			plen = 1000;
		snprintf(line, sizeof(line), "%s %.*s %u %llu %ldms hfds-%lu%s", r->method, plen, r->path ? r->path : "-",
			r->responded ? r->status : 0, (unsigned long long)r->bytes, ms, r->id,
			toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
		srv->cfg.log(srv->cfg.log_ctx, line);
	}
	req_free(r);
	*con_cls = NULL;
	__atomic_sub_fetch(&srv->inflight, 1, __ATOMIC_RELEASE);
}

/* Leaves URLs as sent: the router splits before decoding. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static void quiet_logger(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap;
}

/*
 * Removes uploads a killed server left in <root>/tmp: single uploads older than an hour (an
 * upload URL lives an hour) and multipart part folders older than a day.
 */
static void sweep_uploads(const char *root)
{
	char dir[4200], path[4600];
	struct dirent *de;
	struct stat sb;
	time_t now = time(NULL);
	DIR *d;
	snprintf(dir, sizeof(dir), "%s/tmp", root);
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d)) != NULL) {
		int single = !strncmp(de->d_name, "upload-", 7), parts = !strncmp(de->d_name, "mp-", 3);
		if (!single && !parts)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &sb) != 0 || now - sb.st_mtime < (single ? 3600 : 86400))
			continue;
		if (single && S_ISREG(sb.st_mode)) {
			unlink(path);
		} else if (parts && S_ISDIR(sb.st_mode)) {
			DIR *pd = opendir(path);
			struct dirent *pe;
			while (pd && (pe = readdir(pd)) != NULL)
				if (pe->d_name[0] != '.')
					unlinkat(dirfd(pd), pe->d_name, 0);
			if (pd)
				closedir(pd);
			rmdir(path);
		}
	}
	closedir(d);
}

static void server_release(hfds_server *srv)
{
	hfds_store_free(srv->keep);
	srv_mp_table_free(srv->mp);
	hfds_free(srv->root);
	hfds_free(srv->host);
	hfds_free(srv->public_url);
	hfds_free(srv);
}

int hfds_server_start(hfds_server **out, const hfds_server_config *cfg, hfds_error *err)
{
	hfds_server *srv = NULL;
	hfds_store *st = NULL;
	struct sockaddr_in addr;
	const union MHD_DaemonInfo *info;
	int rc = 0;
	*out = NULL;
	HFDS_FAIL_IF(!(srv = hfds_calloc(1, sizeof(*srv))), HFDS_ENOMEM, err, "out of memory");
	srv->cfg = *cfg;
	HFDS_TRY(hfds_store_open(&st, cfg->root, err));
	HFDS_FAIL_IF(srv_mp_table_new(&srv->mp) < 0, HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(!(srv->root = hfds_strdup(hfds_store_root(st))), HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(!(srv->host = hfds_strdup(cfg->host ? cfg->host : "127.0.0.1")), HFDS_ENOMEM, err, "out of memory");
	srv->cfg.root = srv->root;
	sweep_uploads(srv->root);
	srv->cfg.host = srv->host;
	if (!srv->cfg.max_connections)
		srv->cfg.max_connections = 256;
	if (!srv->cfg.timeout_seconds)
		srv->cfg.timeout_seconds = 60;
	if (!srv->cfg.max_json_body)
		srv->cfg.max_json_body = DEFAULT_JSON_MAX;
	if (!srv->cfg.max_commit_body)
		srv->cfg.max_commit_body = DEFAULT_COMMIT_MAX;
	if (!srv->cfg.chunk_size)
		srv->cfg.chunk_size = 64u << 20;
	HFDS_FAIL_IF(getrandom(srv->secret, sizeof(srv->secret), 0) != (ssize_t)sizeof(srv->secret), HFDS_EIO, err,
		"getrandom: %s", strerror(errno));
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)cfg->port);
	HFDS_FAIL_IF(inet_pton(AF_INET, srv->host, &addr.sin_addr) != 1, HFDS_EINVAL, err,
		"--host must be an IPv4 address, not '%.60s'", srv->host);
	srv->daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD
			| MHD_USE_POLL | MHD_USE_ITC,
		(uint16_t)cfg->port, NULL, NULL, on_request, srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)srv->cfg.max_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)srv->cfg.timeout_seconds,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
		MHD_OPTION_EXTERNAL_LOGGER, quiet_logger, NULL,
		MHD_OPTION_END);
	HFDS_FAIL_IF(!srv->daemon, HFDS_ENET, err, "cannot listen on %s:%u", srv->host, cfg->port);
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : cfg->port;
	if (cfg->public_url && *cfg->public_url) {
		size_t n;
		HFDS_FAIL_IF(!(srv->public_url = hfds_strdup(cfg->public_url)), HFDS_ENOMEM, err, "out of memory");
		while ((n = strlen(srv->public_url)) > 0 && srv->public_url[n - 1] == '/')
			srv->public_url[n - 1] = '\0';
	} else {
		char buf[128];
		snprintf(buf, sizeof(buf), "http://%s:%u", srv->host, srv->port);
		HFDS_FAIL_IF(!(srv->public_url = hfds_strdup(buf)), HFDS_ENOMEM, err, "out of memory");
	}
	srv->cfg.public_url = srv->public_url;
	srv->keep = st;
	st = NULL;
	*out = srv;
	srv = NULL;
done:
	hfds_store_free(st);
	if (srv) {
		if (srv->daemon)
			MHD_stop_daemon(srv->daemon);
		server_release(srv);
	}
	return rc;
}

unsigned hfds_server_port(const hfds_server *srv)
{
	return srv ? srv->port : 0;
}

const char *hfds_server_url(const hfds_server *srv)
{
	return srv ? srv->public_url : NULL;
}

void hfds_server_free(hfds_server *srv)
{
	if (!srv)
		return;
	if (srv->daemon) {
		/* No new connections; requests in flight (an upload, a commit holding the repo lock)
		 * get up to SHUTDOWN_GRACE_MS to finish and answer, then MHD_stop_daemon closes the
		 * remaining (idle keep-alive) connections and joins their threads. */
		struct timespec pause = {0, 50 * 1000 * 1000};
		unsigned waited = 0;
		MHD_socket ls = MHD_quiesce_daemon(srv->daemon);
		if (ls != MHD_INVALID_SOCKET)
			close(ls);   /* refuse new connections at once (quiescing only stops accepting) */
		while (__atomic_load_n(&srv->inflight, __ATOMIC_ACQUIRE) > 0 && waited < SHUTDOWN_GRACE_MS) {
			nanosleep(&pause, NULL);
			waited += 50;
		}
		MHD_stop_daemon(srv->daemon);
	}
	server_release(srv);
}
