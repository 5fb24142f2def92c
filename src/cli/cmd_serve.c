/*
 * `hfds serve`: the embedded hub over the Hub's HTTP API until SIGTERM or SIGINT. The
 * signals are blocked before the server's threads start (they inherit the mask) and taken
 * here with sigwait, so shutdown runs in this thread: no new connections, requests in
 * flight finish, then the process exits.
 */
#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <limits.h>
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

int cmd_serve(int argc, char **argv)
{
	const char *host = NULL, *root = NULL, *pub = NULL;
	long long port = 8080, maxc = 0, tmo = 0, chunk = 0, maxb = 0;
	int require = 0, rc, npos, sig;
	const char *pos[1];
	hfds_server_config cfg;
	hfds_server *srv = NULL;
	hfds_error err;
	sigset_t set;
	const cli_opt opts[] = {
		CLI_STR("--host", NULL, &host),
		CLI_INT("--port", "-p", &port, 0, 65535),
		CLI_STR("--root", NULL, &root),
		CLI_STR("--public-url", NULL, &pub),
		CLI_INT("--max-connections", NULL, &maxc, 1, 100000),
		CLI_INT("--timeout", NULL, &tmo, 1, 86400),
		CLI_INT("--chunk-size", NULL, &chunk, 1024, LLONG_MAX),
		CLI_INT("--max-commit-body", NULL, &maxb, 1024, 1LL << 40),
		CLI_FLAG("--require-token", NULL, &require),
		CLI_END,
	};
	if ((rc = cli_parse("serve", argc, argv, opts, serve_help, pos, 0, &npos)) != CLI_EXIT_OK)
		return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : rc;
	memset(&cfg, 0, sizeof(cfg));
	cfg.root = root;
	cfg.host = host;
	cfg.port = (unsigned)port;
	cfg.max_connections = (unsigned)maxc;  /* 0 = the server's defaults */
	cfg.timeout_seconds = (unsigned)tmo;
	cfg.chunk_size = (uint64_t)chunk;
	cfg.max_commit_body = (size_t)maxb;
	cfg.public_url = pub;
	cfg.require_token = require;
	cfg.log = log_line;
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
