/*
 * The Hub's answers, read defensively: JSON through jansson with a size cap, every field
 * checked for its type, headers scanned within their length. Nothing here trusts the
 * server: a missing field is an error naming it, an unexpected type is skipped or refused.
 */
#include "hub/http_parse.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/try.h"

#define JSON_MAX (256u << 20)

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

char *hub_parse_link_next(const char *v, size_t n)
{
	const char *p = v, *end = v + n;
	while (p < end) {
		const char *lt, *gt, *q, *next;
		p = skip_ws(p, end);
		if (p >= end || *p != '<')
			return NULL;
		lt = p + 1;
		gt = memchr(lt, '>', (size_t)(end - lt));
		if (!gt)
			return NULL;
		/* parameters up to the next ',' that follows a '<...>' */
		next = memchr(gt, ',', (size_t)(end - gt));
		if (!next)
			next = end;
		for (q = gt + 1; q < next; q++) {
			size_t left = (size_t)(next - q), len = (size_t)(gt - lt);
			if (left < 4 || memcmp(q, "rel=", 4) != 0)
				continue;
			q += 4;
			left -= 4;
			if (left && *q == '"')
				q++, left--;
			if (left < 4 || memcmp(q, "next", 4) != 0 || (left > 4 && q[4] != '"' && q[4] != ';' && q[4] != ' '))
				continue;
			if (((len > 7 && !memcmp(lt, "http://", 7)) || (len > 8 && !memcmp(lt, "https://", 8))) &&
			    !memchr(lt, '\0', len) && !memchr(lt, '\r', len) && !memchr(lt, '\n', len))
				return hfds_strndup(lt, len);
			return NULL;
		}
		p = next < end ? next + 1 : end;
	}
	return NULL;
}

double hub_parse_retry_after(const char *v, size_t n)
{
	char buf[32];
	char *endp;
	double s;
	const char *p = skip_ws(v, v + n);
	size_t len = (size_t)(v + n - p);
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r' || p[len - 1] == '\n'))
		len--;
	if (!len || len >= sizeof(buf) || !isdigit((unsigned char)p[0]))
		return -1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	s = strtod(buf, &endp);
	if (*endp)
		return -1;
	return s > 86400 ? 86400 : s;
}

/* `key=<digits>` anywhere among ';'-separated parameters. */
static int param_long(const char *v, size_t n, char key, long *out)
{
	for (size_t i = 0; i + 2 < n; i++) {
		if ((i == 0 || v[i - 1] == ';' || v[i - 1] == ' ') && v[i] == key && v[i + 1] == '=' &&
		    isdigit((unsigned char)v[i + 2])) {
			long x = 0;
			size_t k = i + 2;
			while (k < n && isdigit((unsigned char)v[k]) && x < 100000000)
				x = x * 10 + (v[k++] - '0');
			*out = x;
			return 0;
		}
	}
	return -1;
}

int hub_parse_ratelimit(const char *v, size_t n, long *remaining, long *reset)
{
	if (param_long(v, n, 'r', remaining) < 0 || param_long(v, n, 't', reset) < 0)
		return -1;
	return 0;
}

/* Copies printable text, control bytes as '?', cut to cap - 1. */
static void copy_text(char *out, size_t cap, const char *s, size_t n)
{
	size_t k = 0;
	if (!cap)
		return;
	for (size_t i = 0; i < n && k + 1 < cap; i++)
		out[k++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[k] = '\0';
}

void hub_parse_error_message(const char *body, size_t n, char *out, size_t cap)
{
	json_t *root = n && n < JSON_MAX ? json_loadb(body, n, JSON_REJECT_DUPLICATES, NULL) : NULL;
	json_t *e;
	const char *msg = NULL;
	if (root && json_is_object(root)) {
		e = json_object_get(root, "error");
		if (json_is_string(e))
			msg = json_string_value(e);
		else if (json_is_array(e) && json_is_string(json_array_get(e, 0)))
			msg = json_string_value(json_array_get(e, 0));
		if (!msg && json_is_string(json_object_get(root, "message")))
			msg = json_string_value(json_object_get(root, "message"));
		e = json_object_get(root, "errors");
		if (!msg && json_is_array(e) && json_is_string(json_object_get(json_array_get(e, 0), "message")))
			msg = json_string_value(json_object_get(json_array_get(e, 0), "message"));
	}
	if (msg)
		copy_text(out, cap, msg, strlen(msg));
	else
		copy_text(out, cap, body, n > 300 ? 300 : n);
	json_decref(root);
}

int64_t hub_parse_iso_time(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, sec;
	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6 || mo < 1 || mo > 12 ||
	    d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
		return 0;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	return (int64_t)timegm(&tm);
}

static int load(json_t **root, const char *body, size_t n, const char *what, int want_array, hfds_error *err)
{
	json_error_t je;
	if (n > JSON_MAX)
		return hfds_error_set(err, HFDS_ELIMIT, "%s: answer of %zu bytes is too large", what, n);
	*root = json_loadb(body, n, JSON_REJECT_DUPLICATES, &je);
	if (!*root)
		return hfds_error_set(err, HFDS_EPARSE, "%s: invalid JSON at offset %d: %s", what, je.position, je.text);
	if (want_array ? !json_is_array(*root) : !json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		return hfds_error_set(err, HFDS_EPARSE, "%s: expected a JSON %s", what, want_array ? "array" : "object");
	}
	return 0;
}

static const char *str_field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int is_hex(const char *s, size_t n)
{
	if (!s || strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int hub_parse_whoami(hfds_hub_user *out, const char *body, size_t n, hfds_error *err)
{
	json_t *root = NULL, *tok;
	const char *name, *role;
	int rc = 0;
	memset(out, 0, sizeof(*out));
	HFDS_TRY(load(&root, body, n, "whoami", 0, err));
	name = str_field(root, "name");
	HFDS_FAIL_IF(!name, HFDS_EPARSE, err, "whoami: no 'name' in the answer");
	copy_text(out->name, sizeof(out->name), name, strlen(name));
	tok = json_object_get(json_object_get(root, "auth"), "accessToken");
	role = str_field(tok, "role");
	/* a token without a role (older servers) is taken as able to write; the server decides */
	out->can_write = !role || strcmp(role, "read") != 0;
done:
	json_decref(root);
	return rc;
}

int hub_parse_repo_info(hfds_store_repo_info *out, const char *body, size_t n, hfds_error *err)
{
	json_t *root = NULL;
	const char *id, *sha;
	int rc = 0;
	HFDS_TRY(load(&root, body, n, "repo info", 0, err));
	id = str_field(root, "id");
	sha = str_field(root, "sha");
	HFDS_FAIL_IF(!id || strlen(id) >= sizeof(out->id), HFDS_EPARSE, err, "repo info: no valid 'id'");
	HFDS_FAIL_IF(!is_hex(sha, 40), HFDS_EPARSE, err, "repo info: 'sha' is not a 40-hex commit id");
	snprintf(out->id, sizeof(out->id), "%s", id);
	memcpy(out->sha, sha, 41);
	out->is_private = json_is_true(json_object_get(root, "private"));
	out->last_modified = hub_parse_iso_time(str_field(root, "lastModified"));
	out->created_at = hub_parse_iso_time(str_field(root, "createdAt"));
done:
	json_decref(root);
	return rc;
}

int hub_parse_tree_page(hfds_store_tree *t, const char *body, size_t n, hfds_error *err)
{
	json_t *root = NULL, *e;
	size_t i;
	int rc = 0;
	HFDS_TRY(load(&root, body, n, "tree", 1, err));
	if (json_array_size(root)) {
		hfds_store_entry *items = hfds_reallocarray(t->items, t->count + json_array_size(root), sizeof(*items));
		HFDS_FAIL_IF(!items, HFDS_ENOMEM, err, "out of memory");
		t->items = items;
	}
	json_array_foreach(root, i, e) {
		hfds_store_entry *x = &t->items[t->count];
		const char *type = str_field(e, "type"), *path = str_field(e, "path"), *oid = str_field(e, "oid");
		json_t *size = json_object_get(e, "size"), *lfs = json_object_get(e, "lfs");
		HFDS_FAIL_IF(!type || !path || !*path, HFDS_EPARSE, err, "tree entry %zu: no 'type' or 'path'", i);
		memset(x, 0, sizeof(*x));
		x->is_dir = strcmp(type, "file") != 0;
		if (is_hex(oid, 40))
			memcpy(x->oid, oid, 41);
		if (!x->is_dir) {
			HFDS_FAIL_IF(!json_is_integer(size) || json_integer_value(size) < 0, HFDS_EPARSE, err,
				"tree entry '%.200s': no valid 'size'", path);
			x->size = (uint64_t)json_integer_value(size);
		}
		if (json_is_object(lfs)) {
			const char *sha = str_field(lfs, "oid");
			json_t *ps = json_object_get(lfs, "pointerSize");
			HFDS_FAIL_IF(!is_hex(sha, 64), HFDS_EPARSE, err, "tree entry '%.200s': lfs.oid is not a sha256", path);
			x->is_lfs = 1;
			memcpy(x->lfs_sha256, sha, 65);
			x->lfs_pointer_size = json_is_integer(ps) && json_integer_value(ps) > 0 ? (uint64_t)json_integer_value(ps) : 0;
		}
		x->path = hfds_strdup(path);
		HFDS_FAIL_IF(!x->path, HFDS_ENOMEM, err, "out of memory");
		t->count++;
	}
done:
	json_decref(root);
	return rc;
}

static int cmp_ref(const void *a, const void *b)
{
	const hfds_store_ref *x = a, *y = b;
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return strcmp(x->name, y->name);
}

int hub_parse_refs(hfds_store_refs **out, const char *body, size_t n, hfds_error *err)
{
	static const char *lists[2] = {"branches", "tags"};
	json_t *root = NULL, *e;
	hfds_store_refs *r = NULL;
	size_t i, total;
	int rc = 0;
	*out = NULL;
	HFDS_TRY(load(&root, body, n, "refs", 0, err));
	total = json_array_size(json_object_get(root, "branches")) + json_array_size(json_object_get(root, "tags"));
	r = hfds_calloc(1, sizeof(*r));
	HFDS_FAIL_IF(!r || !(r->items = hfds_calloc(total + 1, sizeof(*r->items))), HFDS_ENOMEM, err, "out of memory");
	for (int k = 0; k < 2; k++) {
		json_array_foreach(json_object_get(root, lists[k]), i, e) {
			hfds_store_ref *x = &r->items[r->count];
			const char *name = str_field(e, "name"), *ref = str_field(e, "ref"), *target = str_field(e, "targetCommit");
			HFDS_FAIL_IF(!name || !ref || !is_hex(target, 40), HFDS_EPARSE, err,
				"refs: %s entry %zu lacks name, ref or a 40-hex targetCommit", lists[k], i);
			x->kind = k ? HFDS_REF_TAG : HFDS_REF_BRANCH;
			x->name = hfds_strdup(name);
			x->ref = hfds_strdup(ref);
			memcpy(x->target, target, 41);
			r->count++;
			HFDS_FAIL_IF(!x->name || !x->ref, HFDS_ENOMEM, err, "out of memory");
		}
	}
	qsort(r->items, r->count, sizeof(*r->items), cmp_ref);
	*out = r;
	r = NULL;
done:
	hfds_store_refs_free(r);
	json_decref(root);
	return rc;
}

int hub_parse_commits_page(hfds_store_log *log, const char *body, size_t n, size_t limit, hfds_error *err)
{
	json_t *root = NULL, *e;
	size_t i;
	int rc = 0;
	HFDS_TRY(load(&root, body, n, "commits", 1, err));
	if (json_array_size(root)) {
		hfds_store_log_entry *items = hfds_reallocarray(log->items, log->count + json_array_size(root), sizeof(*items));
		HFDS_FAIL_IF(!items, HFDS_ENOMEM, err, "out of memory");
		log->items = items;
	}
	json_array_foreach(root, i, e) {
		hfds_store_log_entry *x = &log->items[log->count];
		const char *id = str_field(e, "id"), *title = str_field(e, "title"), *msg = str_field(e, "message");
		const char *author = str_field(json_array_get(json_object_get(e, "authors"), 0), "user");
		if (limit && log->count >= limit)
			break;
		HFDS_FAIL_IF(!is_hex(id, 40), HFDS_EPARSE, err, "commits: entry %zu has no 40-hex 'id'", i);
		memset(x, 0, sizeof(*x));
		memcpy(x->id, id, 41);
		x->date = hub_parse_iso_time(str_field(e, "date"));
		x->title = hfds_strdup(title ? title : "");
		x->message = hfds_strdup(msg ? msg : "");
		x->author = hfds_strdup(author ? author : "");
		log->count++;
		HFDS_FAIL_IF(!x->title || !x->message || !x->author, HFDS_ENOMEM, err, "out of memory");
	}
done:
	json_decref(root);
	return rc;
}

/* A preupload oid in lower case, or "" when it is not 40 or 64 hex digits. */
static void oid_lower(char out[65], const char *oid)
{
	size_t i, n = oid ? strlen(oid) : 0;
	out[0] = '\0';
	if ((n != 40 && n != 64) || !is_hex(oid, n))
		return;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)oid[i]);
	out[n] = '\0';
}

int hub_parse_preupload(hub_preupload *modes, const char *const *paths, size_t count, const char *body, size_t n,
	char head[HFDS_OID_HEX_SIZE], hfds_error *err)
{
	json_t *root = NULL, *files, *e;
	size_t i, k;
	unsigned char *seen = NULL;
	int rc = 0;
	HFDS_TRY(load(&root, body, n, "preupload", 0, err));
	files = json_object_get(root, "files");
	HFDS_FAIL_IF(!json_is_array(files), HFDS_EPARSE, err, "preupload: no 'files' array");
	if (head) {
		const char *oid = str_field(root, "commitOid");
		snprintf(head, HFDS_OID_HEX_SIZE, "%s", is_hex(oid, 40) ? oid : "");
	}
	seen = hfds_calloc(count + 1, 1);
	HFDS_FAIL_IF(!seen, HFDS_ENOMEM, err, "out of memory");
	json_array_foreach(files, i, e) {
		const char *path = str_field(e, "path"), *mode = str_field(e, "uploadMode");
		if (!path)
			continue;
		for (k = 0; k < count; k++) {
			if (seen[k] || strcmp(paths[k], path) != 0)
				continue;
			HFDS_FAIL_IF(!mode || (strcmp(mode, "lfs") && strcmp(mode, "regular")), HFDS_EPARSE, err,
				"preupload: '%.200s': uploadMode is not \"lfs\" or \"regular\"", path);
			modes[k].lfs = !strcmp(mode, "lfs");
			modes[k].ignore = json_is_true(json_object_get(e, "shouldIgnore"));
			oid_lower(modes[k].oid, str_field(e, "oid"));
			seen[k] = 1;
			break;
		}
	}
	for (k = 0; k < count; k++)
		HFDS_FAIL_IF(!seen[k], HFDS_EPARSE, err, "preupload: no answer for '%.200s'", paths[k]);
done:
	hfds_free(seen);
	json_decref(root);
	return rc;
}

void hub_lfs_action_release(hub_lfs_action *a)
{
	if (!a)
		return;
	hfds_free(a->upload_href);
	hfds_free(a->verify_href);
	for (size_t i = 0; i < a->parts; i++)
		hfds_free(a->part_hrefs ? a->part_hrefs[i] : NULL);
	hfds_free(a->part_hrefs);
	memset(a, 0, sizeof(*a));
}

/* Multipart: header {chunk_size, "00001": url, ...}; the parts in numeric order. */
static int parse_parts(hub_lfs_action *a, json_t *header, uint64_t size, const char *oid, hfds_error *err)
{
	const char *key, *cs = str_field(header, "chunk_size");
	json_t *v;
	char *end;
	unsigned long long chunk;
	size_t want, got = 0;
	if (!cs)
		return 0;
	chunk = strtoull(cs, &end, 10);
	if (*end || chunk == 0 || !*cs)
		return hfds_error_set(err, HFDS_EPARSE, "lfs batch: %s: invalid chunk_size '%.40s'", oid, cs);
	want = (size_t)((size + chunk - 1) / chunk);
	if (want > 100000)
		return hfds_error_set(err, HFDS_ELIMIT, "lfs batch: %s: %zu parts", oid, want);
	a->chunk_size = chunk;
	a->part_hrefs = hfds_calloc(want + 1, sizeof(char *));
	if (!a->part_hrefs)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	a->parts = want;
	json_object_foreach(header, key, v) {
		unsigned long long k;
		if (!*key || strspn(key, "0123456789") != strlen(key))
			continue;
		k = strtoull(key, NULL, 10);
		if (k < 1 || k > want || !json_is_string(v) || a->part_hrefs[k - 1])
			return hfds_error_set(err, HFDS_EPARSE, "lfs batch: %s: bad part '%.20s'", oid, key);
		if (!(a->part_hrefs[k - 1] = hfds_strdup(json_string_value(v))))
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
		got++;
	}
	if (got != want)
		return hfds_error_set(err, HFDS_EPARSE,
			"lfs batch: %s: %zu part URLs for %llu bytes in chunks of %llu (expected %zu)", oid, got,
			(unsigned long long)size, chunk, want);
	return 0;
}

int hub_parse_lfs_batch(hub_lfs_action *actions, const char *const *oids, const uint64_t *sizes, size_t count,
	const char *body, size_t n, hfds_error *err)
{
	json_t *root = NULL, *objs, *e;
	size_t i, k;
	unsigned char *seen = NULL;
	int rc = 0;
	HFDS_TRY(load(&root, body, n, "lfs batch", 0, err));
	objs = json_object_get(root, "objects");
	HFDS_FAIL_IF(!json_is_array(objs), HFDS_EPARSE, err, "lfs batch: no 'objects' array");
	seen = hfds_calloc(count + 1, 1);
	HFDS_FAIL_IF(!seen, HFDS_ENOMEM, err, "out of memory");
	json_array_foreach(objs, i, e) {
		const char *oid = str_field(e, "oid");
		json_t *size = json_object_get(e, "size"), *error = json_object_get(e, "error");
		json_t *up = json_object_get(json_object_get(e, "actions"), "upload");
		json_t *ver = json_object_get(json_object_get(e, "actions"), "verify");
		HFDS_FAIL_IF(!oid, HFDS_EPARSE, err, "lfs batch: object %zu has no 'oid'", i);
		for (k = 0; k < count; k++)
			if (!seen[k] && !strcmp(oids[k], oid) && json_is_integer(size) &&
			    (uint64_t)json_integer_value(size) == sizes[k])
				break;
		HFDS_FAIL_IF(k == count, HFDS_EPARSE, err, "lfs batch: answer for an object not asked: %.70s", oid);
		seen[k] = 1;
		if (error) {
			const char *m = str_field(error, "message");
			HFDS_FAIL(HFDS_ERROR, err, "lfs batch: object %.70s refused: %.200s", oid, m ? m : "(no message)");
		}
		if (json_is_object(up)) {
			const char *href = str_field(up, "href");
			HFDS_FAIL_IF(!href, HFDS_EPARSE, err, "lfs batch: %s: upload action without href", oid);
			HFDS_FAIL_IF(!(actions[k].upload_href = hfds_strdup(href)), HFDS_ENOMEM, err, "out of memory");
			HFDS_TRY(parse_parts(&actions[k], json_object_get(up, "header"), sizes[k], oid, err));
		}
		if (json_is_object(ver) && str_field(ver, "href"))
			HFDS_FAIL_IF(!(actions[k].verify_href = hfds_strdup(str_field(ver, "href"))), HFDS_ENOMEM, err,
				"out of memory");
	}
	for (k = 0; k < count; k++)
		HFDS_FAIL_IF(!seen[k], HFDS_EPARSE, err, "lfs batch: no answer for object %s", oids[k]);
done:
	hfds_free(seen);
	json_decref(root);
	return rc;
}

int hub_parse_commit(char sha[HFDS_OID_HEX_SIZE], const char *body, size_t n, hfds_error *err)
{
	json_t *root = NULL;
	const char *oid;
	int rc = 0;
	HFDS_TRY(load(&root, body, n, "commit", 0, err));
	oid = str_field(root, "commitOid");
	HFDS_FAIL_IF(!is_hex(oid, 40), HFDS_EPARSE, err, "commit: 'commitOid' is not a 40-hex commit id");
	memcpy(sha, oid, 41);
done:
	json_decref(root);
	return rc;
}
