/*
 * The LFS side (hub-protocol.md §3.2): the batch API, the upload URLs it hands out, the
 * multipart completion, verify, and object downloads for git-lfs.
 *
 * Upload URLs carry their own authorisation, because neither client sends the HF token on
 * the PUT: /_hfds/{upload|part|complete}/{oid}/{size}/{chunk}/{expiry}/{hmac}[/{part}],
 * the HMAC-SHA256 (with a secret made at start-up) of "oid:size:chunk:expiry". Bodies are
 * written to a temp file under <root>/tmp while being hashed, so memory stays bounded by
 * the I/O buffer whatever the object size; an object whose sha256 or size differs from the
 * signed one is refused and its temp file removed. Multipart parts are kept as numbered
 * files in <root>/tmp/mp-<oid>-<size>/ until the completion joins them.
 */
#include "server/srv_int.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/try.h"

#define URL_TTL 3600

static void sign(const hfds_server *srv, const char *oid, uint64_t size, uint64_t chunk, long long exp, char out[65])
{
	char msg[200];
	unsigned char mac[32];
	unsigned int len = 0;
	snprintf(msg, sizeof(msg), "%s:%llu:%llu:%lld", oid, (unsigned long long)size, (unsigned long long)chunk, exp);
	HMAC(EVP_sha256(), srv->secret, sizeof(srv->secret), (const unsigned char *)msg, strlen(msg), mac, &len);
	hfds_sha256_hex(mac, out);
}

static int hex64(const char *s)
{
	size_t i;
	if (!s || strlen(s) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	if (!s || !*s || *s == '-')
		return 0;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return *end == '\0' && errno == 0;
}

/* Checks segs[2..6] of an upload URL: oid, size, chunk, expiry, signature. */
static int url_ok(srv_req *r, uint64_t *size, uint64_t *chunk)
{
	uint64_t exp;
	char want[65];
	if (r->nseg < 7 || !hex64(r->segs[2]) || !parse_u64(r->segs[3], size) || !parse_u64(r->segs[4], chunk)
		|| !parse_u64(r->segs[5], &exp))
		return 0;
	sign(r->srv, r->segs[2], *size, *chunk, (long long)exp, want);
	if (strlen(r->segs[6]) != 64 || CRYPTO_memcmp(want, r->segs[6], 64) != 0)
		return 0;
	return (uint64_t)time(NULL) <= exp;
}

static uint64_t parts_of(uint64_t size, uint64_t chunk)
{
	return chunk ? (size + chunk - 1) / chunk : 1;
}

static int append_url(hfds_buf *b, srv_req *r, const char *kind, const char *oid, uint64_t size, uint64_t chunk,
	long long exp, const char *sig, uint64_t part)
{
	int rc = hfds_buf_printf(b, NULL, "%s/_hfds/%s/%s/%llu/%llu/%lld/%s", r->srv->public_url, kind, oid,
		(unsigned long long)size, (unsigned long long)chunk, exp, sig);
	if (rc == 0 && part)
		rc = hfds_buf_printf(b, NULL, "/%llu", (unsigned long long)part);
	if (rc == 0)
		rc = hfds_buf_cstr(b, NULL);
	return rc;
}

static json_t *upload_action(srv_req *r, const char *oid, uint64_t size, hfds_repo_type t, const char *id)
{
	long long exp = (long long)time(NULL) + URL_TTL;
	uint64_t chunk = size > r->srv->cfg.chunk_size ? r->srv->cfg.chunk_size : 0, i, n;
	char sig[65];
	hfds_buf b;
	json_t *actions = json_object(), *up = json_object(), *hdr = NULL, *verify;
	char *base = srv_repo_url(r, t, id);
	hfds_buf_init(&b, 0);
	sign(r->srv, oid, size, chunk, exp, sig);
	if (!base || append_url(&b, r, chunk ? "complete" : "upload", oid, size, chunk, exp, sig, 0) < 0)
		goto fail;
	json_object_set_new(up, "href", json_string((char *)b.data));
	json_object_set_new(up, "expires_in", json_integer(URL_TTL));
	if (chunk) {
		char key[24], num[24];
		hdr = json_object();
		snprintf(num, sizeof(num), "%llu", (unsigned long long)chunk);
		json_object_set_new(hdr, "chunk_size", json_string(num));
		n = parts_of(size, chunk);
		for (i = 1; i <= n; i++) {
			hfds_buf_clear(&b);
			if (append_url(&b, r, "part", oid, size, chunk, exp, sig, i) < 0)
				goto fail;
			snprintf(key, sizeof(key), "%05llu", (unsigned long long)i);
			json_object_set_new(hdr, key, json_string((char *)b.data));
		}
		json_object_set_new(up, "header", hdr);
	}
	json_object_set_new(actions, "upload", up);
	hfds_buf_clear(&b);
	if (hfds_buf_printf(&b, NULL, "%s.git/info/lfs/objects/verify", base) < 0 || hfds_buf_cstr(&b, NULL) < 0) {
		json_decref(actions);
		actions = NULL;
		goto out;
	}
	verify = json_pack("{s:s}", "href", (char *)b.data);
	json_object_set_new(actions, "verify", verify);
	goto out;
fail:
	json_decref(actions);
	json_decref(up);
	actions = NULL;
out:
	hfds_free(base);
	hfds_buf_release(&b);
	return actions;
}

int srv_lfs_batch(srv_req *r, hfds_repo_type t, const char *id)
{
	json_t *req = srv_body_json(r), *objs, *out_objs, *o;
	const char *op;
	hfds_store *st;
	hfds_error err;
	size_t i;
	int upload;
	hfds_error_init(&err);
	if (!req)
		return MHD_YES;
	op = json_string_value(json_object_get(req, "operation"));
	objs = json_object_get(req, "objects");
	if (!op || (strcmp(op, "upload") && strcmp(op, "download")) || !json_is_array(objs)) {
		json_decref(req);
		return srv_reply_error(r, 400, NULL, "batch: expected operation upload|download and an objects array");
	}
	upload = !strcmp(op, "upload");
	if (!(upload ? srv_can_write(r, t, id) : srv_can_read(r, t, id)) || srv_store(r, &st, &err) < 0) {
		json_decref(req);
		return r->responded ? MHD_YES : srv_reply_hfds(r, HFDS_EIO, &err, NULL);
	}
	out_objs = json_array();
	json_array_foreach(objs, i, o) {
		json_t *oidv = json_object_get(o, "oid"), *sizev = json_object_get(o, "size"), *res;
		const char *oid = json_string_value(oidv);
		uint64_t have = 0;
		int exists;
		if (!oid || !json_is_integer(sizev) || json_integer_value(sizev) < 0) {
			json_decref(out_objs);
			json_decref(req);
			return srv_reply_error(r, 400, NULL, "batch: object %zu needs a string oid and a size", i);
		}
		res = json_pack("{s:O,s:O,s:b}", "oid", oidv, "size", sizev, "authenticated", 1);
		exists = hex64(oid) ? hfds_store_object_exists(st, oid, &have, NULL) : -1;
		if (exists < 0) {
			json_object_set_new(res, "error", json_pack("{s:i,s:s}", "code", 422, "message", "oid is not a sha256"));
		} else if (upload) {
			if (exists != 1 || have != (uint64_t)json_integer_value(sizev)) {
				json_t *a = upload_action(r, oid, (uint64_t)json_integer_value(sizev), t, id);
				if (a)
					json_object_set_new(res, "actions", a);
			}
		} else if (exists == 1) {
			char *base = srv_repo_url(r, t, id);
			hfds_buf b;
			hfds_buf_init(&b, 0);
			if (base && hfds_buf_printf(&b, NULL, "%s.git/info/lfs/objects/%s", base, oid) == 0 && hfds_buf_cstr(&b, NULL) == 0)
				json_object_set_new(res, "actions", json_pack("{s:{s:s}}", "download", "href", (char *)b.data));
			hfds_buf_release(&b);
			hfds_free(base);
		} else {
			json_object_set_new(res, "error", json_pack("{s:i,s:s}", "code", 404, "message", "object does not exist"));
		}
		json_array_append_new(out_objs, res);
	}
	json_decref(req);
	{
		json_t *body = json_pack("{s:s,s:o,s:s}", "transfer", "basic", "objects", out_objs, "hash_algo", "sha256");
		struct MHD_Response *resp = srv_text_response(r, body ? json_dumps(body, JSON_COMPACT) : NULL,
			"application/vnd.git-lfs+json");
		json_decref(body);
		return srv_queue(r, 200, resp);
	}
}

int srv_lfs_verify(srv_req *r, hfds_repo_type t, const char *id)
{
	json_t *req = srv_body_json(r);
	const char *oid;
	hfds_store *st;
	uint64_t have = 0;
	json_int_t size;
	int ok;
	if (!req)
		return MHD_YES;
	oid = json_string_value(json_object_get(req, "oid"));
	size = json_integer_value(json_object_get(req, "size"));
	if (!srv_can_write(r, t, id)) {
		json_decref(req);
		return MHD_YES;
	}
	ok = hex64(oid) && srv_store(r, &st, NULL) == 0 && hfds_store_object_exists(st, oid, &have, NULL) == 1
		&& have == (uint64_t)size;
	json_decref(req);
	if (!ok)
		return srv_reply_error(r, 404, NULL, "object not uploaded (or of another size)");
	return srv_reply_json(r, 200, json_pack("{s:b}", "success", 1));
}

int srv_lfs_object_get(srv_req *r, hfds_repo_type t, const char *id, const char *oid)
{
	hfds_store *st;
	char *path = NULL;
	struct stat sb;
	int fd = -1;
	struct MHD_Response *resp;
	if (!srv_can_read(r, t, id))
		return MHD_YES;
	if (!hex64(oid) || srv_store(r, &st, NULL) < 0 || hfds_store_object_path(&path, st, oid, NULL) < 0
		|| (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) != 0) {
		if (fd >= 0)
			close(fd);
		hfds_free(path);
		return srv_reply_error(r, 404, NULL, "object not found");
	}
	hfds_free(path);
	r->bytes = (uint64_t)sb.st_size;
	resp = MHD_create_response_from_fd64((uint64_t)sb.st_size, fd);
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/octet-stream");
	return srv_queue(r, 200, resp);
}

/* ---- upload URLs ------------------------------------------------------------------------ */

void srv_upload_abort(srv_req *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	if (r->tmp_path) {
		unlink(r->tmp_path);
		hfds_free(r->tmp_path);
		r->tmp_path = NULL;
	}
	hfds_sha256_free(r->sha);
	r->sha = NULL;
}

static int open_temp(srv_req *r)
{
	size_t n = strlen(r->srv->root) + 40;
	if (!(r->tmp_path = hfds_malloc(n)))
		return -1;
	snprintf(r->tmp_path, n, "%s/tmp", r->srv->root);
	mkdir(r->tmp_path, 0777);
	snprintf(r->tmp_path, n, "%s/tmp/upload-XXXXXX", r->srv->root);
	if ((r->fd = mkstemp(r->tmp_path)) < 0) {
		hfds_free(r->tmp_path);
		r->tmp_path = NULL;
		return -1;
	}
	return hfds_sha256_new(&r->sha, NULL);
}

/* Expected byte count of this PUT: the object, or one part of it. */
static int expected_len(srv_req *r, uint64_t *want)
{
	uint64_t size, chunk, part;
	if (!url_ok(r, &size, &chunk))
		return 0;
	if (!strcmp(r->segs[1], "upload")) {
		if (r->nseg != 7 || chunk != 0)
			return 0;
		*want = size;
		return 1;
	}
	if (r->nseg != 8 || !chunk || !parse_u64(r->segs[7], &part) || part < 1 || part > parts_of(size, chunk))
		return 0;
	*want = part < parts_of(size, chunk) ? chunk : size - (part - 1) * chunk;
	return 1;
}

int srv_upload_begin(srv_req *r)
{
	uint64_t want;
	const char *cl = srv_header(r, "Content-Length");
	if (!expected_len(r, &want))
		return srv_reply_error(r, 403, NULL, "upload URL invalid or expired");
	if (cl && strtoull(cl, NULL, 10) != want)
		return srv_reply_error(r, 400, NULL, "upload: Content-Length %s, expected %llu bytes", cl,
			(unsigned long long)want);
	if (open_temp(r) < 0)
		return srv_reply_error(r, 500, NULL, "cannot create a temp file: %s", strerror(errno));
	return MHD_YES;
}

int srv_upload_data(srv_req *r, const char *data, size_t n)
{
	uint64_t want;
	if (r->io_failed)
		return 0;
	if (!expected_len(r, &want) || r->got + n > want) {
		r->io_failed = 1;   /* more bytes than announced: cut the connection */
		return -1;
	}
	hfds_sha256_update(r->sha, data, n);
	while (n) {
		ssize_t w = write(r->fd, data, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			r->io_failed = 1;
			return 0;
		}
		data += w;
		n -= (size_t)w;
		r->got += (uint64_t)w;
	}
	return 0;
}

/* Places the finished temp file: the LFS object, or a numbered part. */
static int place(srv_req *r, const char *oid, uint64_t size, hfds_error *err)
{
	hfds_store *st;
	char sha[HFDS_SHA256_HEX_SIZE];
	int rc;
	if (!strcmp(r->segs[1], "upload")) {
		if ((rc = srv_store(r, &st, err)) < 0)
			return rc;
		rc = hfds_store_object_import(st, r->tmp_path, oid, size, HFDS_STORE_ADD_MOVE, sha, err);
	} else {
		char dir[4300], dst[4400];
		snprintf(dir, sizeof(dir), "%s/tmp/mp-%s-%llu", r->srv->root, oid, (unsigned long long)size);
		if (mkdir(dir, 0777) != 0 && errno != EEXIST)
			return hfds_error_set(err, HFDS_EIO, "%s: %s", dir, strerror(errno));
		snprintf(dst, sizeof(dst), "%s/%s", dir, r->segs[7]);
		rc = rename(r->tmp_path, dst) == 0 ? 0 : hfds_error_set(err, HFDS_EIO, "%s: %s", dst, strerror(errno));
	}
	if (rc == 0) {
		hfds_free(r->tmp_path);
		r->tmp_path = NULL;
	}
	return rc;
}

int srv_upload_finish(srv_req *r)
{
	uint8_t d[32];
	char hex[65];
	uint64_t want = 0;
	hfds_error err;
	hfds_error_init(&err);
	if (r->io_failed || !expected_len(r, &want) || r->got != want) {
		srv_upload_abort(r);
		return srv_reply_error(r, 400, NULL, "upload: received %llu bytes, expected %llu", (unsigned long long)r->got,
			(unsigned long long)want);
	}
	if (hfds_sha256_final(r->sha, d, &err) < 0) {
		srv_upload_abort(r);
		return srv_reply_error(r, 500, NULL, "upload: %s", err.message);
	}
	hfds_sha256_hex(d, hex);
	if (!strcmp(r->segs[1], "upload") && strcmp(hex, r->segs[2]) != 0) {
		srv_upload_abort(r);
		return srv_reply_error(r, 400, NULL, "upload: content has sha256 %s, expected %s", hex, r->segs[2]);
	}
	if (fsync(r->fd) != 0 || close(r->fd) != 0) {
		r->fd = -1;
		srv_upload_abort(r);
		return srv_reply_error(r, 500, NULL, "upload: cannot write: %s", strerror(errno));
	}
	r->fd = -1;
	if (place(r, r->segs[2], strtoull(r->segs[3], NULL, 10), &err) < 0) {
		srv_upload_abort(r);
		return srv_reply_hfds(r, err.code, &err, NULL);
	}
	{
		char etag[40];
		struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		snprintf(etag, sizeof(etag), "\"%.32s\"", hex);
		MHD_add_response_header(resp, "ETag", etag);
		return srv_queue(r, 200, resp);
	}
}

/* Joins the parts of a multipart upload, checks the whole, stores it. */
int srv_upload_complete(srv_req *r)
{
	uint64_t size, chunk, n, i, total = 0;
	char dir[4300], part[4400], hex[65], sha[HFDS_SHA256_HEX_SIZE];
	uint8_t d[32], buf[1 << 16];
	hfds_store *st;
	hfds_error err;
	int in = -1, ok = 1;
	hfds_error_init(&err);
	if (r->nseg != 7 || !url_ok(r, &size, &chunk) || !chunk)
		return srv_reply_error(r, 403, NULL, "completion URL invalid or expired");
	{
		/* The body names the object and lists parts 1..N in order. */
		json_t *b = srv_body_json(r), *parts, *p;
		const char *boid;
		size_t k;
		int bad;
		if (!b)
			return MHD_YES;
		boid = json_string_value(json_object_get(b, "oid"));
		parts = json_object_get(b, "parts");
		bad = !boid || strcmp(boid, r->segs[2]) || !json_is_array(parts)
			|| json_array_size(parts) != parts_of(size, chunk);
		json_array_foreach(parts, k, p)
			if (json_integer_value(json_object_get(p, "partNumber")) != (json_int_t)(k + 1))
				bad = 1;
		json_decref(b);
		if (bad)
			return srv_reply_error(r, 400, NULL, "multipart completion: expected oid %s and parts 1..%llu in order",
				r->segs[2], (unsigned long long)parts_of(size, chunk));
	}
	if (open_temp(r) < 0)
		return srv_reply_error(r, 500, NULL, "cannot create a temp file: %s", strerror(errno));
	snprintf(dir, sizeof(dir), "%s/tmp/mp-%s-%llu", r->srv->root, r->segs[2], (unsigned long long)size);
	n = parts_of(size, chunk);
	for (i = 1; i <= n && ok; i++) {
		ssize_t got;
		snprintf(part, sizeof(part), "%s/%llu", dir, (unsigned long long)i);
		if ((in = open(part, O_RDONLY | O_CLOEXEC)) < 0) {
			ok = 0;
			break;
		}
		while ((got = read(in, buf, sizeof(buf))) > 0) {
			hfds_sha256_update(r->sha, buf, (size_t)got);
			if (write(r->fd, buf, (size_t)got) != got)
				ok = 0;
			total += (uint64_t)got;
		}
		if (got < 0)
			ok = 0;
		close(in);
	}
	if (!ok || total != size) {
		srv_upload_abort(r);
		return srv_reply_error(r, 400, NULL, "multipart: part %llu missing or incomplete (%llu of %llu bytes)",
			(unsigned long long)i, (unsigned long long)total, (unsigned long long)size);
	}
	if (hfds_sha256_final(r->sha, d, NULL) < 0) {
		srv_upload_abort(r);
		return srv_reply_error(r, 500, NULL, "multipart: the sha256 digest failed");
	}
	hfds_sha256_hex(d, hex);
	for (i = 1; i <= n; i++) {
		snprintf(part, sizeof(part), "%s/%llu", dir, (unsigned long long)i);
		unlink(part);
	}
	rmdir(dir);
	if (strcmp(hex, r->segs[2]) != 0) {
		srv_upload_abort(r);
		return srv_reply_error(r, 400, NULL, "multipart: content has sha256 %s, expected %s", hex, r->segs[2]);
	}
	close(r->fd);
	r->fd = -1;
	if (srv_store(r, &st, &err) < 0
		|| hfds_store_object_import(st, r->tmp_path, hex, size, HFDS_STORE_ADD_MOVE, sha, &err) < 0) {
		srv_upload_abort(r);
		return srv_reply_hfds(r, err.code, &err, NULL);
	}
	hfds_free(r->tmp_path);
	r->tmp_path = NULL;
	return srv_reply_json(r, 200, json_pack("{s:b}", "success", 1));
}
