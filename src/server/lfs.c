/*
 * The LFS side (hub-protocol.md §3.2): the batch API, the upload URLs it hands out, the
 * multipart completion, verify, and object downloads for git-lfs.
 *
 * Upload URLs carry their own authorisation, because neither client sends the HF token on
 * the PUT: /_hfds/{upload|part|complete}/{oid}/{size}/{chunk}/{expiry}/{hmac}[/{part}],
 * the HMAC-SHA256 (with a secret made at start-up) of "oid:size:chunk:expiry". What those
 * URLs receive is upload.c.
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

int srv_upload_url_ok(srv_req *r, uint64_t *size, uint64_t *chunk)
{
	uint64_t exp;
	char want[65];
	if (r->nseg < 7 || !hex64(r->segs[2]) || !srv_parse_u64(r->segs[3], size) || !srv_parse_u64(r->segs[4], chunk)
		|| !srv_parse_u64(r->segs[5], &exp))
		return 0;
	sign(r->srv, r->segs[2], *size, *chunk, (long long)exp, want);
	if (strlen(r->segs[6]) != 64 || CRYPTO_memcmp(want, r->segs[6], 64) != 0)
		return 0;
	return (uint64_t)time(NULL) <= exp;
}

uint64_t srv_upload_parts(uint64_t size, uint64_t chunk)
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
		n = srv_upload_parts(size, chunk);
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
