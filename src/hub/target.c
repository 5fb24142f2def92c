/*
 * Target selection: the Hub, another server speaking its protocol, or the embedded hub.
 * The order follows the Python client's (endpoint, then token discovery), with the
 * embedded hub as the fallback when nothing points at a server.
 */
#include "hub/target.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hfds/store.h"
#include "util/alloc.h"
#include "util/try.h"

#define TOKEN_FILE_MAX (64 * 1024)

/* Strips CR/LF everywhere and blanks around; returns NULL for an empty result. */
static char *clean_token(const char *raw, size_t n)
{
	char *t = hfds_malloc(n + 1), *w;
	size_t a = 0, b;
	if (!t)
		return NULL;
	w = t;
	for (size_t i = 0; i < n; i++)
		if (raw[i] != '\r' && raw[i] != '\n')
			*w++ = raw[i];
	*w = '\0';
	b = strlen(t);
	while (a < b && (t[a] == ' ' || t[a] == '\t'))
		a++;
	while (b > a && (t[b - 1] == ' ' || t[b - 1] == '\t'))
		b--;
	memmove(t, t + a, b - a);
	t[b - a] = '\0';
	if (!*t) {
		hfds_free(t);
		return NULL;
	}
	return t;
}

/* Reads a token file; a missing file is not an error (*token stays NULL). */
static int read_token_file(char **token, const char *path, hfds_error *err)
{
	char buf[TOKEN_FILE_MAX + 1];
	size_t n;
	FILE *f = fopen(path, "rb");
	*token = NULL;
	if (!f)
		return errno == ENOENT || errno == ENOTDIR ? 0
			: hfds_error_set(err, HFDS_EIO, "%s: cannot read the HF token: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n > TOKEN_FILE_MAX)
		return hfds_error_set(err, HFDS_ELIMIT, "%s: larger than %d bytes, not a token file", path, TOKEN_FILE_MAX);
	if (n && !(*token = clean_token(buf, n)))
		return 0;
	return 0;
}

int hfds_hub__find_token(char **token, char **source, hfds_error *err)
{
	static const char *vars[] = {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"};
	const char *v;
	char *path = NULL;
	int rc = 0;
	*token = NULL;
	*source = NULL;
	for (size_t i = 0; i < 2; i++) {
		v = getenv(vars[i]);
		if (v && (*token = clean_token(v, strlen(v)))) {
			HFDS_FAIL_IF(!(*source = hfds_strdup(vars[i])), HFDS_ENOMEM, err, "out of memory");
			return 0;
		}
	}
	if ((v = getenv("HF_TOKEN_PATH")) && *v)
		path = hfds_strdup(v);
	else if ((v = getenv("HF_HOME")) && *v)
		path = hfds_path_join(v, "token");
	else if ((v = getenv("XDG_CACHE_HOME")) && *v)
		path = hfds_path_join(v, "huggingface/token");
	else if ((v = getenv("HOME")) && *v)
		path = hfds_path_join(v, ".cache/huggingface/token");
	else
		return 0;
	HFDS_FAIL_IF(!path, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(read_token_file(token, path, err));
	if (*token) {
		*source = path;
		path = NULL;
	}
done:
	if (rc < 0) {
		hfds_free(*token);
		*token = NULL;
	}
	hfds_free(path);
	return rc;
}

void hfds_target_release(hfds_target *t)
{
	if (!t)
		return;
	hfds_free(t->endpoint);
	hfds_free(t->root);
	hfds_free(t->token);
	hfds_free(t->why);
	memset(t, 0, sizeof(*t));
}

static int has_prefix(const char *s, const char *p)
{
	return !strncasecmp(s, p, strlen(p));
}

/* Fills kind/endpoint/root from an endpoint value. */
static int parse_endpoint(hfds_target *t, const char *value, hfds_error *err)
{
	if (has_prefix(value, "https://") || has_prefix(value, "http://")) {
		size_t n = strlen(value);
		while (n > 0 && value[n - 1] == '/')
			n--;
		if (n <= strlen("http://") + (has_prefix(value, "https://") ? 1u : 0u))
			return hfds_error_set(err, HFDS_EINVAL, "endpoint '%s' has no host", value);
		t->kind = HFDS_TARGET_REMOTE;
		return (t->endpoint = hfds_strndup(value, n)) ? 0 : hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	}
	t->kind = HFDS_TARGET_EMBEDDED;
	if (has_prefix(value, "file://")) {
		const char *p = value + 7;
		if (has_prefix(p, "localhost/"))
			p += 9;
		if (!*p)
			return 0; /* "file://" alone: the default root */
		if (*p != '/')
			return hfds_error_set(err, HFDS_EINVAL, "endpoint '%s': a file:// URL needs an absolute path", value);
		value = p;
	} else if (strstr(value, "://")) {
		return hfds_error_set(err, HFDS_EINVAL,
			"endpoint '%s': unsupported scheme (use https://, http://, file:// or a directory)", value);
	} else if (value[0] != '/' && value[0] != '.' && value[0] != '~') {
		/* "huggingface.co" is more likely a URL missing its scheme than a directory. */
		return hfds_error_set(err, HFDS_EINVAL,
			"endpoint '%s' is neither a URL nor a path (write https://%s for a server, ./%s for a directory)",
			value, value, value);
	}
	if (value[0] == '~' && (value[1] == '/' || !value[1]) && getenv("HOME")) {
		t->root = hfds_path_join(getenv("HOME"), value[1] ? value + 2 : "");
	} else {
		t->root = hfds_strdup(value);
	}
	return t->root ? 0 : hfds_error_set(err, HFDS_ENOMEM, "out of memory");
}

static int set_why(hfds_target *t, const char *a, const char *b, hfds_error *err)
{
	size_t n = strlen(a) + (b ? strlen(b) : 0) + 1;
	if (!(t->why = hfds_malloc(n)))
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	snprintf(t->why, n, "%s%s", a, b ? b : "");
	return 0;
}

int hfds_target_select(hfds_target *out, const char *endpoint, hfds_error *err)
{
	hfds_target t;
	char *source = NULL;
	const char *env = getenv("HF_ENDPOINT");
	int rc = 0;
	memset(&t, 0, sizeof(t));
	memset(out, 0, sizeof(*out));
	HFDS_TRY(hfds_hub__find_token(&t.token, &source, err));
	if (endpoint && *endpoint) {
		HFDS_TRY(parse_endpoint(&t, endpoint, err));
		HFDS_TRY(set_why(&t, "from --endpoint", NULL, err));
	} else if (env && *env) {
		HFDS_TRY(parse_endpoint(&t, env, err));
		HFDS_TRY(set_why(&t, "from HF_ENDPOINT", NULL, err));
	} else if (t.token) {
		t.kind = HFDS_TARGET_REMOTE;
		HFDS_FAIL_IF(!(t.endpoint = hfds_strdup(HFDS_HUB_DEFAULT_ENDPOINT)), HFDS_ENOMEM, err, "out of memory");
		HFDS_TRY(set_why(&t, "HF token from ", source, err));
	} else {
		t.kind = HFDS_TARGET_EMBEDDED;
		HFDS_TRY(set_why(&t, "no HF token found", NULL, err));
	}
	if (t.kind == HFDS_TARGET_EMBEDDED && !t.root)
		HFDS_TRY(hfds_store_default_root(&t.root, err));
	*out = t;
	memset(&t, 0, sizeof(t));
done:
	hfds_target_release(&t);
	hfds_free(source);
	return rc;
}

void hfds_target_describe(const hfds_target *t, char *buf, size_t cap)
{
	if (t->kind == HFDS_TARGET_REMOTE)
		snprintf(buf, cap, "%s (%s)", t->endpoint, t->why ? t->why : "");
	else
		snprintf(buf, cap, "embedded hub at %s (%s)", t->root ? t->root : "?", t->why ? t->why : "");
}

int hfds_hub_repo_id_check(const char *repo_id, hfds_error *err)
{
	return hfds_repo_id_check(repo_id, repo_id ? strlen(repo_id) : 0, err);
}

int hfds_hub__loopback(const char *endpoint)
{
	const char *h = endpoint ? strstr(endpoint, "://") : NULL;
	size_t n;
	if (!h)
		return 0;
	h += 3;
	n = strcspn(h, ":/");
	if (h[0] == '[')
		return !strncmp(h, "[::1]", 5);
	return (n == 9 && !strncmp(h, "localhost", 9)) || !strncmp(h, "127.", 4);
}
