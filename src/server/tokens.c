/*
 * Access tokens of `hfds serve`. A token is "hf_" + 34 characters from getrandom(); the file
 * `<root>/server/tokens` keeps one line per token, "<sha256 hex> <user> <role> <orgs|-> <created>",
 * so a stolen file gives no usable token. Writers take flock on the file and replace it by
 * rename, so readers (the server, per request) always see a whole file.
 */
#include "hfds/server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hfds/store.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/sha256.h"
#include "util/try.h"

#define TOKEN_CHARS 34
#define TOKEN_FILE_MAX (16u << 20)

void hfds_token_info_release(hfds_token_info *info)
{
	if (!info)
		return;
	hfds_free(info->user);
	hfds_free(info->orgs);
	hfds_free(info->role);
	memset(info, 0, sizeof(*info));
}

void hfds_token_list_free(hfds_token_list *list)
{
	size_t i;
	if (!list)
		return;
	for (i = 0; i < list->count; i++)
		hfds_token_info_release(&list->items[i]);
	hfds_free(list->items);
	hfds_free(list);
}

static char *tokens_path(const char *root)
{
	return hfds_path_join(root, "server/tokens");
}

/* Reads the whole token file ("" when absent). */
static int read_file(const char *path, hfds_buf *b, hfds_error *err)
{
	char chunk[8192];
	ssize_t n;
	int rc = 0, fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return hfds_buf_cstr(b, err);
		return hfds_error_set(err, HFDS_EIO, "%s: %s", path, strerror(errno));
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		HFDS_TRY(hfds_buf_append(b, chunk, (size_t)n, err));
	HFDS_FAIL_IF(n < 0, HFDS_EIO, err, "%s: %s", path, strerror(errno));
	HFDS_TRY(hfds_buf_cstr(b, err));
done:
	close(fd);
	return rc;
}

/* Splits one line into its 5 fields (modifies the line); 0 if malformed. */
static int split_line(char *line, char *f[5])
{
	int i;
	char *save = NULL;
	for (i = 0; i < 5; i++) {
		f[i] = strtok_r(i ? NULL : line, " \t", &save);
		if (!f[i])
			return 0;
	}
	return strlen(f[0]) == 64;
}

static int fill_info(hfds_token_info *out, char *f[5], hfds_error *err)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->id, f[0], 12);
	out->user = hfds_strdup(f[1]);
	out->role = hfds_strdup(f[2]);
	out->orgs = hfds_strdup(strcmp(f[3], "-") ? f[3] : "");
	out->created = strtoll(f[4], NULL, 10);
	if (!out->user || !out->role || !out->orgs) {
		hfds_token_info_release(out);
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	}
	return 0;
}

/* Calls fn on each well-formed line; stops at fn's first nonzero answer. */
static int each_line(char *text, int (*fn)(void *, char *, char *[5]), void *ctx)
{
	char *p = text;
	while (p && *p) {
		char *nl = strchr(p, '\n'), *f[5], copy[1024];
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len < sizeof(copy)) {
			memcpy(copy, p, len);
			copy[len] = '\0';
			if (split_line(copy, f)) {
				int r = fn(ctx, p, f);
				if (r)
					return r;
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

typedef struct {
	const char *hash;
	hfds_token_info *out;
	hfds_error *err;
	int rc;
} lookup_ctx;

static int lookup_cb(void *c, char *line, char *f[5])
{
	lookup_ctx *l = c;
	(void)line;
	if (strcmp(f[0], l->hash))
		return 0;
	l->rc = fill_info(l->out, f, l->err);
	return 1;
}

int hfds_token_lookup(hfds_token_info *out, const char *root, const char *token, hfds_error *err)
{
	hfds_buf b;
	char *path = NULL, hex[65];
	uint8_t d[32];
	lookup_ctx l;
	int rc = 0;
	hfds_buf_init(&b, TOKEN_FILE_MAX);
	memset(out, 0, sizeof(*out));
	HFDS_FAIL_IF(!(path = tokens_path(root)), HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hfds_sha256_buffer(token, strlen(token), d, err));
	hfds_sha256_hex(d, hex);
	HFDS_TRY(read_file(path, &b, err));
	l.hash = hex;
	l.out = out;
	l.err = err;
	l.rc = 0;
	if (!each_line((char *)b.data, lookup_cb, &l))
		HFDS_FAIL(HFDS_EAUTH, err, "invalid token");
	rc = l.rc;
done:
	hfds_buf_release(&b);
	hfds_free(path);
	return rc;
}

typedef struct {
	hfds_token_list *list;
	size_t cap;
	hfds_error *err;
	int rc;
} list_ctx;

static int list_cb(void *c, char *line, char *f[5])
{
	list_ctx *l = c;
	(void)line;
	if (l->list->count == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 8;
		hfds_token_info *it = hfds_reallocarray(l->list->items, nc, sizeof(*it));
		if (!it) {
			l->rc = hfds_error_set(l->err, HFDS_ENOMEM, "out of memory");
			return 1;
		}
		l->list->items = it;
		l->cap = nc;
	}
	if ((l->rc = fill_info(&l->list->items[l->list->count], f, l->err)) < 0)
		return 1;
	l->list->count++;
	return 0;
}

int hfds_token_list_get(hfds_token_list **out, const char *root, hfds_error *err)
{
	hfds_buf b;
	char *path = NULL;
	list_ctx l = {0};
	int rc = 0;
	hfds_buf_init(&b, TOKEN_FILE_MAX);
	*out = NULL;
	HFDS_FAIL_IF(!(path = tokens_path(root)), HFDS_ENOMEM, err, "out of memory");
	HFDS_FAIL_IF(!(l.list = hfds_calloc(1, sizeof(*l.list))), HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(read_file(path, &b, err));
	l.err = err;
	each_line((char *)b.data, list_cb, &l);
	HFDS_TRY(l.rc);
	*out = l.list;
	l.list = NULL;
done:
	hfds_token_list_free(l.list);
	hfds_buf_release(&b);
	hfds_free(path);
	return rc;
}

/* Rewrites the token file under its lock: keeps the lines `keep` accepts, appends `add`. */
typedef struct {
	const char *id;
	size_t id_len;
	size_t matches;
	hfds_buf *out;
	hfds_error *err;
	int rc;
} rewrite_ctx;

static int rewrite_cb(void *c, char *line, char *f[5])
{
	rewrite_ctx *w = c;
	char *nl = strchr(line, '\n');
	size_t len = nl ? (size_t)(nl - line) : strlen(line);
	if (w->id && !strncmp(f[0], w->id, w->id_len)) {
		w->matches++;
		return 0;
	}
	if ((w->rc = hfds_buf_append(w->out, line, len, w->err)) < 0
		|| (w->rc = hfds_buf_append_byte(w->out, '\n', w->err)) < 0)
		return 1;
	return 0;
}

static int rewrite(const char *root, const char *drop_id, const char *add, hfds_error *err)
{
	hfds_buf old, neu;
	char *path = NULL, *lock = NULL, tmp[4200];
	rewrite_ctx w = {0};
	int rc = 0, lfd = -1, fd = -1;
	hfds_buf_init(&old, TOKEN_FILE_MAX);
	hfds_buf_init(&neu, TOKEN_FILE_MAX);
	HFDS_FAIL_IF(!(path = tokens_path(root)) || !(lock = hfds_path_join(root, "server/tokens.lock")), HFDS_ENOMEM,
		err, "out of memory");
	{
		char dir[4200];
		snprintf(dir, sizeof(dir), "%s/server", root);
		HFDS_FAIL_IF(mkdir(dir, 0700) != 0 && errno != EEXIST, HFDS_EIO, err, "%s: %s", dir, strerror(errno));
	}
	HFDS_FAIL_IF((lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 || flock(lfd, LOCK_EX) != 0,
		HFDS_EIO, err, "%s: %s", lock, strerror(errno));
	HFDS_TRY(read_file(path, &old, err));
	w.id = drop_id;
	w.id_len = drop_id ? strlen(drop_id) : 0;
	w.out = &neu;
	w.err = err;
	each_line((char *)old.data, rewrite_cb, &w);
	HFDS_TRY(w.rc);
	if (drop_id) {
		HFDS_FAIL_IF(w.matches == 0, HFDS_ENOTFOUND, err, "no token with id '%s'", drop_id);
		HFDS_FAIL_IF(w.matches > 1, HFDS_EINVAL, err, "token id '%s' is ambiguous", drop_id);
	}
	if (add)
		HFDS_TRY(hfds_buf_append_str(&neu, add, err));
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", path, (long)getpid());
	HFDS_FAIL_IF((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0, HFDS_EIO, err, "%s: %s", tmp,
		strerror(errno));
	HFDS_FAIL_IF(neu.len && write(fd, neu.data, neu.len) != (ssize_t)neu.len, HFDS_EIO, err, "%s: %s", tmp,
		strerror(errno));
	HFDS_FAIL_IF(fsync(fd) != 0 || close(fd) != 0, HFDS_EIO, err, "%s: %s", tmp, strerror(errno));
	fd = -1;
	HFDS_FAIL_IF(rename(tmp, path) != 0, HFDS_EIO, err, "%s: %s", path, strerror(errno));
done:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	if (lfd >= 0)
		close(lfd);
	hfds_buf_release(&old);
	hfds_buf_release(&neu);
	hfds_free(path);
	hfds_free(lock);
	return rc;
}

static int name_ok(const char *s, const char *what, hfds_error *err)
{
	if (!s || hfds_repo_id_check(s, strlen(s), err) < 0 || strchr(s, '/'))
		return hfds_error_reset(err, HFDS_EINVAL, "invalid %s name '%.100s'", what, s ? s : "");
	return 0;
}

int hfds_token_create(const char *root, const char *user, const char *const *orgs, size_t norgs,
	const char *role, char **token_out, hfds_error *err)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	uint8_t rnd[TOKEN_CHARS], d[32];
	char token[4 + TOKEN_CHARS], hex[65];
	hfds_buf line;
	size_t i;
	int rc = 0;
	hfds_buf_init(&line, 0);
	*token_out = NULL;
	HFDS_TRY(name_ok(user, "user", err));
	for (i = 0; i < norgs; i++)
		HFDS_TRY(name_ok(orgs[i], "org", err));
	HFDS_FAIL_IF(!role || (strcmp(role, "read") && strcmp(role, "write")), HFDS_EINVAL, err,
		"role must be read or write, not '%.20s'", role ? role : "");
	HFDS_FAIL_IF(getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd), HFDS_EIO, err, "getrandom: %s",
		strerror(errno));
	memcpy(token, "hf_", 3);
	for (i = 0; i < TOKEN_CHARS; i++)
		token[3 + i] = alphabet[rnd[i] % 62];
	token[3 + TOKEN_CHARS] = '\0';
	HFDS_TRY(hfds_sha256_buffer(token, strlen(token), d, err));
	hfds_sha256_hex(d, hex);
	HFDS_TRY(hfds_buf_printf(&line, err, "%s %s %s ", hex, user, role));
	for (i = 0; i < norgs; i++)
		HFDS_TRY(hfds_buf_printf(&line, err, "%s%s", i ? "," : "", orgs[i]));
	HFDS_TRY(hfds_buf_printf(&line, err, "%s %lld\n", norgs ? "" : "-", (long long)time(NULL)));
	HFDS_TRY(hfds_buf_cstr(&line, err));
	HFDS_TRY(rewrite(root, NULL, (const char *)line.data, err));
	HFDS_FAIL_IF(!(*token_out = hfds_strdup(token)), HFDS_ENOMEM, err, "out of memory");
done:
	hfds_buf_release(&line);
	return rc;
}

int hfds_token_revoke(const char *root, const char *id, hfds_error *err)
{
	size_t i, n = id ? strlen(id) : 0;
	if (n < 6 || n > 64)
		return hfds_error_set(err, HFDS_EINVAL, "a token id has 6 to 12 hex digits");
	for (i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return hfds_error_set(err, HFDS_EINVAL, "a token id has 6 to 12 hex digits");
	return rewrite(root, id, NULL, err);
}
