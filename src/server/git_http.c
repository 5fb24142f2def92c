/*
 * Read-only git over HTTP: `git clone http://HOST/datasets/NS/NAME` is answered by
 * `git http-backend` (git's own smart-protocol CGI) run per request, so we implement no pack
 * protocol ourselves. Only upload-pack (fetch) is allowed; pushes go through the Hub API.
 * The request body goes to the CGI through a temp file (no pipe deadlock whatever its size)
 * and the CGI's output is streamed to the client as it comes.
 */
#include "server/srv_int.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/alloc.h"

extern char **environ;

typedef struct cgi {
	int fd;
	pid_t pid;
	char head[8192];      /* bytes read past the CGI headers */
	size_t head_len, head_off;
} cgi;

static ssize_t cgi_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	cgi *c = cls;
	ssize_t n;
	(void)pos;
	if (c->head_off < c->head_len) {
		size_t k = c->head_len - c->head_off < max ? c->head_len - c->head_off : max;
		memcpy(buf, c->head + c->head_off, k);
		c->head_off += k;
		return (ssize_t)k;
	}
	do
		n = read(c->fd, buf, max);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	return n < 0 ? MHD_CONTENT_READER_END_WITH_ERROR : n;
}

static void cgi_free(void *cls)
{
	cgi *c = cls;
	int st;
	close(c->fd);
	kill(c->pid, SIGTERM);   /* a client that went away: the CGI must not linger */
	while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
		;
	hfds_free(c);
}

static int env_add(char **env, size_t *n, const char *fmt, const char *v)
{
	size_t len = strlen(fmt) + strlen(v) + 1;
	if (!(env[*n] = hfds_malloc(len)))
		return -1;
	snprintf(env[*n], len, fmt, v);
	(*n)++;
	return 0;
}

int srv_git_http(srv_req *r, hfds_repo_type t, const char *id, const char *rest)
{
	const char *service = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "service");
	const char *ct = srv_header(r, "Content-Type"), *ce = srv_header(r, "Content-Encoding");
	const char *types = t == HFDS_REPO_DATASET ? "datasets" : t == HFDS_REPO_SPACE ? "spaces" : "models";
	char *env[16] = {0}, path_info[HFDS_REPO_ID_SIZE + 64], root[4200], tmpl[4300];
	char *argv[] = {"git", "http-backend", NULL};
	size_t nenv = 0, i, got = 0;
	posix_spawn_file_actions_t fa;
	cgi *c = NULL;
	int out[2] = {-1, -1}, in = -1, status = 200, ok;
	struct MHD_Response *resp;
	char *line, *save = NULL, ctype[256] = "application/octet-stream";
	if (strcmp(rest, "info/refs") && strcmp(rest, "git-upload-pack"))
		return srv_reply_error(r, 403, NULL, "this server is read-only over git: push through the Hub API");
	if (!strcmp(rest, "info/refs") && (!service || strcmp(service, "git-upload-pack")))
		return srv_reply_error(r, 403, NULL, "only git-upload-pack (clone, fetch) is served");
	if (!r->auth.has_token && !srv_visible(r, t, id)) {
		/* git sends credentials only after a 401 asking for them */
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, "WWW-Authenticate", "Basic realm=\"hfds\"");
		return srv_queue(r, 401, resp);
	}
	if (!srv_can_read(r, t, id))
		return MHD_YES;
	snprintf(root, sizeof(root), "%s/%s", r->srv->root, types);
	snprintf(path_info, sizeof(path_info), "/%s.git/%s", id, rest);
	if (env_add(env, &nenv, "GIT_PROJECT_ROOT=%s", root) < 0 || env_add(env, &nenv, "PATH_INFO=%s", path_info) < 0
		|| env_add(env, &nenv, "REQUEST_METHOD=%s", r->method) < 0
		|| env_add(env, &nenv, "QUERY_STRING=%s", service ? "service=git-upload-pack" : "") < 0
		|| env_add(env, &nenv, "CONTENT_TYPE=%s", ct ? ct : "") < 0
		|| env_add(env, &nenv, "HTTP_CONTENT_ENCODING=%s", ce ? ce : "") < 0
		|| env_add(env, &nenv, "GIT_HTTP_EXPORT_ALL=%s", "1") < 0
		|| env_add(env, &nenv, "PATH=%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin") < 0) {
		ok = MHD_NO;
		goto done;
	}
	{
		char len[32];
		snprintf(len, sizeof(len), "%zu", r->body.len);
		if (env_add(env, &nenv, "CONTENT_LENGTH=%s", len) < 0) {
			ok = MHD_NO;
			goto done;
		}
	}
	/* The body through an unlinked temp file. */
	snprintf(tmpl, sizeof(tmpl), "%s/tmp/git-XXXXXX", r->srv->root);
	if ((in = mkstemp(tmpl)) < 0 || unlink(tmpl) != 0 || (r->body.len && write(in, r->body.data, r->body.len)
		!= (ssize_t)r->body.len) || lseek(in, 0, SEEK_SET) != 0 || pipe2(out, O_CLOEXEC) != 0
		|| !(c = hfds_calloc(1, sizeof(*c)))) {
		ok = srv_reply_error(r, 500, NULL, "git: %s", strerror(errno));
		goto done;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	if (posix_spawnp(&c->pid, "git", &fa, NULL, argv, env) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		ok = srv_reply_error(r, 500, NULL, "cannot run git http-backend");
		goto done;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	out[1] = -1;
	c->fd = out[0];
	out[0] = -1;
	/* CGI headers, up to the blank line. */
	for (;;) {
		ssize_t n = read(c->fd, c->head + got, sizeof(c->head) - 1 - got);
		char *end;
		if (n <= 0)
			break;
		got += (size_t)n;
		c->head[got] = '\0';
		if ((end = strstr(c->head, "\r\n\r\n")) || (end = strstr(c->head, "\n\n"))) {
			size_t hl = (size_t)(end - c->head) + (end[0] == '\r' ? 4 : 2);
			*end = '\0';
			for (line = strtok_r(c->head, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
				if (!strncasecmp(line, "Status:", 7))
					status = atoi(line + 7);
				else if (!strncasecmp(line, "Content-Type:", 13))
					snprintf(ctype, sizeof(ctype), "%s", line + 13 + strspn(line + 13, " "));
			}
			memmove(c->head, c->head + hl, got - hl);
			c->head_len = got - hl;
			break;
		}
		if (got == sizeof(c->head) - 1)
			break;
	}
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, cgi_read, c, cgi_free);
	if (!resp) {
		ok = MHD_NO;
		goto done;
	}
	c = NULL;
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	ok = srv_queue(r, status >= 100 && status < 600 ? (unsigned)status : 500, resp);
done:
	if (c) {
		if (c->pid > 0) {
			cgi_free(c);
		} else {
			hfds_free(c);
		}
	}
	if (in >= 0)
		close(in);
	for (i = 0; i < 2; i++)
		if (out[i] >= 0)
			close(out[i]);
	for (i = 0; i < nenv; i++)
		hfds_free(env[i]);
	return ok;
}
