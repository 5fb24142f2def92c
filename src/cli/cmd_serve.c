/*
 * `hfds serve`: the embedded hub over the Hub's HTTP API until SIGTERM or SIGINT. The
 * signals are blocked before the server's threads start (they inherit the mask) and taken
 * here with sigwait, so shutdown runs in this thread: no new connections, requests in
 * flight finish, then the process exits.
 */
#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hfds/server.h"

static const char serve_help[] =
	"usage: hfds serve [--host 127.0.0.1] [--port 8080] [--root DIR] [--public-url URL]\n"
	"                  [--max-connections N] [--timeout S] [--chunk-size BYTES] [--max-commit-body BYTES]\n"
	"                  [--require-token]\n"
	"\n"
	"Serve the embedded hub's repositories over the Hugging Face Hub HTTP API, so that\n"
	"huggingface_hub, datasets, @huggingface/hub and git + git-lfs use it unchanged:\n"
	"\n"
	"  HF_ENDPOINT=http://127.0.0.1:8080 HF_HUB_DISABLE_XET=1 HF_TOKEN=hf_... python ...\n"
	"\n"
	"Writes need a token (`hfds token create USER --role write`); anonymous clients read\n"
	"public repositories unless --require-token. One access-log line per request goes to\n"
	"stderr. TLS is left to a reverse proxy (README: nginx); give its address as --public-url.\n"
	"\n"
	"options:\n"
	"  --host H            IPv4 address to listen on (default 127.0.0.1)\n"
	"  --port P            TCP port (default 8080; 0 = any free port, printed on stderr)\n"
	"  --root DIR          the store (default $HFDS_HOME/hub, else ~/.cache/hfds/hub)\n"
	"  --public-url URL    base of every URL handed to clients (default http://HOST:PORT)\n"
	"  --max-connections N concurrent connections (default 256)\n"
	"  --timeout S         idle connection timeout in seconds (default 60)\n"
	"  --chunk-size BYTES  LFS uploads larger than this use multipart parts of this size\n"
	"                      (default 67108864)\n"
	"  --max-commit-body B largest NDJSON commit accepted, inline files included (default\n"
	"                      536870912; larger is 413); other JSON bodies stop at 16 MiB\n"
	"  --require-token     refuse anonymous reads (401)\n";

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s\n", line);
}

static int parse_num(const char *s, unsigned long long *v)
{
	char *end;
	if (!s || !*s || *s == '-')
		return 0;
	*v = strtoull(s, &end, 10);
	return *end == '\0';
}

int cmd_serve(int argc, char **argv)
{
	const char *host = NULL, *port = NULL, *root = NULL, *pub = NULL, *maxc = NULL, *tmo = NULL, *chunk = NULL,
		*maxb = NULL;
	int require = 0, rc, npos, sig;
	const char *pos[1];
	unsigned long long v;
	hfds_server_config cfg;
	hfds_server *srv = NULL;
	hfds_error err;
	sigset_t set;
	const cli_opt opts[] = {
		{ "--host", NULL, &host, NULL },
		{ "--port", "-p", &port, NULL },
		{ "--root", NULL, &root, NULL },
		{ "--public-url", NULL, &pub, NULL },
		{ "--max-connections", NULL, &maxc, NULL },
		{ "--timeout", NULL, &tmo, NULL },
		{ "--chunk-size", NULL, &chunk, NULL },
		{ "--max-commit-body", NULL, &maxb, NULL },
		{ "--require-token", NULL, NULL, &require },
		{ NULL, NULL, NULL, NULL },
	};
	if ((rc = cli_parse("serve", argc, argv, opts, serve_help, pos, 0, &npos)) != CLI_EXIT_OK)
		return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : rc;
	memset(&cfg, 0, sizeof(cfg));
	cfg.root = root;
	cfg.host = host;
	cfg.port = 8080;
	cfg.public_url = pub;
	cfg.require_token = require;
	cfg.log = log_line;
	if (port) {
		if (!parse_num(port, &v) || v > 65535)
			return cli_usage_error("serve", "--port must be 0..65535, not '%s'", port);
		cfg.port = (unsigned)v;
	}
	if (maxc) {
		if (!parse_num(maxc, &v) || v == 0 || v > 100000)
			return cli_usage_error("serve", "--max-connections must be 1..100000, not '%s'", maxc);
		cfg.max_connections = (unsigned)v;
	}
	if (tmo) {
		if (!parse_num(tmo, &v) || v == 0 || v > 86400)
			return cli_usage_error("serve", "--timeout must be 1..86400 seconds, not '%s'", tmo);
		cfg.timeout_seconds = (unsigned)v;
	}
	if (chunk) {
		if (!parse_num(chunk, &v) || v < 1024)
			return cli_usage_error("serve", "--chunk-size must be at least 1024 bytes, not '%s'", chunk);
		cfg.chunk_size = v;
	}
	if (maxb) {
		if (!parse_num(maxb, &v) || v < 1024 || v > ((unsigned long long)1 << 40))
			return cli_usage_error("serve", "--max-commit-body must be 1024..2^40 bytes, not '%s'", maxb);
		cfg.max_commit_body = (size_t)v;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	hfds_error_init(&err);
	if (hfds_server_start(&srv, &cfg, &err) < 0)
		return cli_fail(&err);
	fprintf(stderr, "hfds serve: listening on %s (port %u)\n", hfds_server_url(srv), hfds_server_port(srv));
	fflush(stderr);
	sigwait(&set, &sig);
	fprintf(stderr, "hfds serve: %s, finishing requests in flight\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	hfds_server_free(srv);
	fprintf(stderr, "hfds serve: stopped\n");
	return CLI_EXIT_OK;
}
