/* Dispatch table for `hfds <command>`; every command parses its own arguments. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} command;

static const command commands[] = {
	{"version", cmd_version, "print the hfds version"},
	{"chess", cmd_chess, "chess positions from PGN: replay, sample, npz"},
	{"repo", cmd_repo, "create, inspect or delete a repository"},
	{"ls", cmd_ls, "list the files of a repository at a revision"},
	{"log", cmd_log, "show the commit history of a repository"},
	{"stream", cmd_stream, "stream the rows of a split over a hub, resumable"},
	{"download", cmd_download, "download a dataset repository into the Hugging Face cache"},
	{"verify", cmd_verify, "check a dataset repository against its LFS pointers and card"},
	{"tag", cmd_tag, "create, delete or list the tags of a repository"},
	{"branch", cmd_branch, "create, delete or list the branches of a repository"},
	{"info", cmd_info, "show a Parquet file's schema, row groups and statistics"},
	{"cat", cmd_cat, "print a Parquet file's rows as JSON Lines"},
	{"convert", cmd_convert, "rewrite Parquet or JSON Lines as Parquet with the hfds writer"},
	{"build", cmd_build, "build and publish a dataset from a recipe (tables, splits, media, configs)"},
	{"push", cmd_push, "write sharded Parquet + card and publish a dataset in one commit"},
	{"commit", cmd_commit, "commit the shards described by the manifests of --no-commit pushes"},
	{"delete-config", cmd_delete_config, "delete a dataset config (files and card entries) in one commit"},
	{"purge", cmd_purge, "delete every file but .gitattributes in one commit"},
	{"upload", cmd_upload, "commit local files (and deletions) to any repository"},
	{"serve", cmd_serve, "serve the embedded hub over the Hugging Face Hub HTTP API"},
	{"token", cmd_token, "create, list or revoke access tokens for hfds serve"},
};

static void usage(FILE *out)
{
	size_t i;
	fprintf(out, "usage: hfds <command> [options]\n\n"
		"Build versioned, sharded Parquet datasets that Hugging Face `datasets` loads,\n"
		"and publish them to the Hub or to the embedded local hub.\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun `hfds <command> --help` for a command's options.\n");
}

int cli_fail(const hfds_error *err)
{
	int code = err ? err->code : HFDS_ERROR;
	cli_eprintf("hfds: %s\n", err && err->message[0] ? err->message : hfds_strerror(code));
	switch (code) {
	case HFDS_EPARSE:
	case HFDS_ECORRUPT:
		return CLI_EXIT_DATA;
	case HFDS_EINVAL:
		return CLI_EXIT_USAGE;
	default:
		return CLI_EXIT_ERROR;
	}
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	char msg[4096];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_eprintf("hfds %s: %s", cmd, msg);
	fprintf(stderr, "\nRun `hfds %s --help` for usage.\n", cmd);
	return CLI_EXIT_USAGE;
}

int cli_threads(int from_flag)
{
	const char *env;
	if (from_flag > 0)
		return from_flag;
	env = getenv("HFDS_THREADS");
	if (env && *env) {
		char *end;
		long n = strtol(env, &end, 10);
		if (*end == '\0' && n > 0 && n <= 1024)
			return (int)n;
	}
	return 0;
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("hfds %s\n", hfds_version());
	return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
	size_t i;
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "hfds: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
