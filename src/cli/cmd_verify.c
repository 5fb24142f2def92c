/* `hfds verify NS/NAME[@REV]`: checks a dataset repository against its pointers and card. */
#include "cli.h"

#include <stdio.h>

#include "hfds/stream.h"

static const char verify_help[] =
	"usage: hfds verify NS/NAME[@REV] [--endpoint E] [--quiet]\n"
	"\n"
	"Check a dataset repository, remote or embedded, at a revision (default main):\n"
	"every LFS file's content has the sha256 and size of its pointer (streamed), every\n"
	"Parquet file of the card's splits has a readable footer, the rows of each split equal\n"
	"the card's num_examples, and each shard's 'huggingface' features equal the card's.\n"
	"Prints one line per problem (and per good split unless --quiet), then a summary.\n"
	"Exit status: 0 all good, 3 problems found, 1 or 2 when the check could not run.\n"
	"\n"
	"options:\n"
	"  --endpoint E   https:// URL, or a directory / file:// URL of an embedded hub\n"
	"  --quiet        print only problems and the summary\n"
	"\n"
	"examples:\n"
	"  hfds verify alice/chess-positions\n"
	"  hfds verify alice/chess-positions@v1 --endpoint http://127.0.0.1:8080\n";

static void print_finding(void *ctx, int ok, const char *line)
{
	int quiet = *(int *)ctx;
	if (!ok)
		printf("PROBLEM %s\n", line);
	else if (!quiet)
		printf("ok      %s\n", line);
}

int cmd_verify(int argc, char **argv)
{
	const char *endpoint = NULL, *rev = NULL, *pos[1];
	int quiet = 0, rc, npos;
	char id[HFDS_REPO_ID_SIZE];
	hfds_hub *hub = NULL;
	hfds_verify_report rep;
	hfds_error err;
	const cli_opt opts[] = {
		CLI_STR("--endpoint", NULL, &endpoint),
		CLI_FLAG("--quiet", NULL, &quiet),
		CLI_END,
	};
	if ((rc = cli_parse("verify", argc, argv, opts, verify_help, pos, 1, &npos)) != CLI_EXIT_OK)
		return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : rc;
	if (npos < 1)
		return cli_usage_error("verify", "missing NS/NAME[@REV]");
	if ((rc = cli_split_repo_rev("verify", pos[0], id, sizeof(id), &rev)) != 0)
		return rc;
	if ((rc = cli_open_hub(endpoint, &hub)) != 0)
		return rc;
	hfds_error_init(&err);
	if (hfds_verify(hub, id, rev, print_finding, &quiet, &rep, &err) < 0) {
		rc = cli_fail(&err);
		goto done;
	}
	printf("%s at %.12s: %zu LFS objects (%llu bytes) hashed, %zu shards, %zu splits: %zu problem%s\n", id,
		rep.commit, rep.lfs_objects, (unsigned long long)rep.lfs_bytes, rep.shards, rep.splits, rep.problems,
		rep.problems == 1 ? "" : "s");
	rc = rep.problems ? CLI_EXIT_DATA : CLI_EXIT_OK;
done:
	hfds_hub_free(hub);
	return rc;
}
