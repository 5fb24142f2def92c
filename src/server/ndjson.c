/*
 * The commit payload (hub-protocol.md §3.3): one JSON object per line, {"key": kind,
 * "value": {...}}, a `header` line first. Parsed into a list of operations before anything
 * touches the store, so a malformed line refuses the whole commit. No I/O: fuzzed by
 * tests/fuzz/fuzz_server_commit.c.
 */
#include "server/srv_int.h"

#include <string.h>

#include "util/alloc.h"
#include "util/base64.h"
#include "util/try.h"

void srv_commit_req_release(srv_commit_req *c)
{
	size_t i;
	if (!c)
		return;
	for (i = 0; i < c->count; i++) {
		hfds_free(c->ops[i].path);
		hfds_free(c->ops[i].data);
	}
	hfds_free(c->ops);
	hfds_free(c->summary);
	hfds_free(c->description);
	hfds_free(c->parent);
	memset(c, 0, sizeof(*c));
}

static int dup_str(char **out, json_t *v, size_t line, const char *field, int required, hfds_error *err)
{
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return hfds_error_set(err, HFDS_EPARSE, "line %zu: missing '%s'", line, field);
		return 0;
	}
	if (!json_is_string(v))
		return hfds_error_set(err, HFDS_EPARSE, "line %zu: '%s' must be a string", line, field);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return hfds_error_set(err, HFDS_EPARSE, "line %zu: '%s' holds a NUL", line, field);
	if (!(*out = hfds_strdup(json_string_value(v))))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	return 0;
}

static int hex64(const char *s)
{
	size_t i;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

static int parse_op(srv_op *op, const char *key, json_t *val, size_t line, hfds_error *err)
{
	hfds_buf dec;
	char *s = NULL;
	int rc = 0;
	hfds_buf_init(&dec, 0);
	if (!strcmp(key, "file"))
		op->kind = SRV_OP_FILE;
	else if (!strcmp(key, "lfsFile"))
		op->kind = SRV_OP_LFS;
	else if (!strcmp(key, "deletedFile"))
		op->kind = SRV_OP_DELETE_FILE;
	else if (!strcmp(key, "deletedFolder"))
		op->kind = SRV_OP_DELETE_FOLDER;
	else
		HFDS_FAIL(HFDS_EUNSUPPORTED, err, "line %zu: unknown operation '%.40s'", line, key);
	HFDS_TRY(dup_str(&op->path, json_object_get(val, "path"), line, "path", 1, err));
	{
		/* A folder may be named with a trailing '/'; the path rules refuse that form. */
		size_t n = strlen(op->path);
		if (op->kind == SRV_OP_DELETE_FOLDER && n > 1 && op->path[n - 1] == '/')
			op->path[--n] = '\0';
		if (hfds_repo_path_check(op->path, n, err) < 0) {
			hfds_error_prefix(err, "commit");
			HFDS_FAIL(HFDS_EINVAL, err, "invalid path");
		}
	}
	if (op->kind == SRV_OP_FILE) {
		json_t *c = json_object_get(val, "content");
		const char *enc = json_string_value(json_object_get(val, "encoding"));
		HFDS_FAIL_IF(!json_is_string(c), HFDS_EPARSE, err, "line %zu: 'content' must be a string", line);
		if (!enc || !strcmp(enc, "base64")) {
			if (hfds_base64_decode(&dec, json_string_value(c), json_string_length(c), err) < 0) {
				rc = HFDS_EPARSE;
				goto done;
			}
			op->len = dec.len;
			op->data = hfds_buf_detach(&dec, NULL);
		} else if (!strcmp(enc, "utf-8")) {
			op->len = json_string_length(c);
			HFDS_FAIL_IF(!(op->data = hfds_malloc(op->len + 1)), HFDS_ENOMEM, err, "out of memory");
			memcpy(op->data, json_string_value(c), op->len);
		} else {
			HFDS_FAIL(HFDS_EPARSE, err, "line %zu: unknown encoding '%.20s'", line, enc);
		}
	} else if (op->kind == SRV_OP_LFS) {
		json_t *size = json_object_get(val, "size");
		const char *algo = json_string_value(json_object_get(val, "algo"));
		HFDS_FAIL_IF(algo && strcmp(algo, "sha256"), HFDS_EPARSE, err, "line %zu: algo must be sha256", line);
		HFDS_TRY(dup_str(&s, json_object_get(val, "oid"), line, "oid", 1, err));
		HFDS_FAIL_IF(strlen(s) != 64 || !hex64(s), HFDS_EPARSE, err, "line %zu: oid is not a 64-hex sha256", line);
		memcpy(op->oid, s, 65);
		op->size = UINT64_MAX;
		if (size && !json_is_null(size)) {
			HFDS_FAIL_IF(!json_is_integer(size) || json_integer_value(size) < 0, HFDS_EPARSE, err,
				"line %zu: size must be a non-negative integer", line);
			op->size = (uint64_t)json_integer_value(size);
		}
	}
done:
	hfds_free(s);
	hfds_buf_release(&dec);
	return rc;
}

int srv_commit_parse(srv_commit_req *out, const char *body, size_t n, hfds_error *err)
{
	size_t pos = 0, line = 0, cap = 0;
	json_t *obj = NULL;
	int rc = 0, have_header = 0;
	memset(out, 0, sizeof(*out));
	while (pos < n) {
		const char *s = body + pos, *nl = memchr(s, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - s) : n - pos;
		const char *key;
		json_t *val;
		json_error_t je;
		pos += len + (nl != NULL);
		line++;
		while (len && (s[len - 1] == '\r' || s[len - 1] == ' '))
			len--;
		if (len == 0)
			continue;
		obj = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je);
		HFDS_FAIL_IF(!obj, HFDS_EPARSE, err, "line %zu:%d: %s", line, je.column, je.text);
		key = json_string_value(json_object_get(obj, "key"));
		val = json_object_get(obj, "value");
		HFDS_FAIL_IF(!key || !json_is_object(val), HFDS_EPARSE, err,
			"line %zu: expected {\"key\": string, \"value\": object}", line);
		if (!strcmp(key, "header")) {
			HFDS_FAIL_IF(have_header, HFDS_EPARSE, err, "line %zu: a second header", line);
			have_header = 1;
			HFDS_TRY(dup_str(&out->summary, json_object_get(val, "summary"), line, "summary", 1, err));
			HFDS_FAIL_IF(!out->summary[0], HFDS_EPARSE, err, "line %zu: empty summary", line);
			HFDS_TRY(dup_str(&out->description, json_object_get(val, "description"), line, "description", 0, err));
			HFDS_TRY(dup_str(&out->parent, json_object_get(val, "parentCommit"), line, "parentCommit", 0, err));
		} else {
			HFDS_FAIL_IF(!have_header, HFDS_EPARSE, err, "line %zu: the header must come first", line);
			if (out->count == cap) {
				size_t nc = cap ? cap * 2 : 16;
				srv_op *ops = hfds_realloc(out->ops, nc * sizeof(*ops));
				HFDS_FAIL_IF(!ops, HFDS_ENOMEM, err, "out of memory");
				out->ops = ops;
				cap = nc;
			}
			memset(&out->ops[out->count], 0, sizeof(srv_op));
			out->count++;
			HFDS_TRY(parse_op(&out->ops[out->count - 1], key, val, line, err));
		}
		json_decref(obj);
		obj = NULL;
	}
	HFDS_FAIL_IF(!have_header, HFDS_EPARSE, err, "commit payload without a header line");
done:
	json_decref(obj);
	if (rc < 0)
		srv_commit_req_release(out);
	return rc;
}
