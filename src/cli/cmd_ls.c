/* `hfds ls REPO[@REV] [PATH] [-r]`: the files of a repository at a revision. */
#include "cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hfds/store.h"

static const char ls_help[] =
	"usage: hfds ls REPO[@REV] [PATH] [-r] [-l] [--type T] [--endpoint E]\n"
	"\n"
	"List the files of a repository at a revision (default: main; a branch, a tag, a full or\n"
	"short commit id, or HEAD). PATH lists one folder (or one file) instead of the root.\n"
	"Each line is: kind (file, lfs or dir), size in bytes (the real size for LFS files),\n"
	"and the path from the repository root.\n"
	"\n"
	"options:\n"
	"  -r, --recursive  list everything below, folders included\n"
	"  -l, --long       also print the git blob id, and the sha256 of LFS content\n"
	"  --type T         dataset (default), model or space\n"
	"  --endpoint E     https:// URL, or a directory / file:// URL of an embedded hub\n"
	"\n"
	"examples:\n"
	"  hfds ls alice/chess-positions -r\n"
	"  hfds ls alice/chess-positions@v1 data\n";

int cmd_ls(int argc, char **argv)
{
	const char *arg = NULL, *path = NULL, *endpoint = NULL, *rev = NULL;
	int type = HFDS_REPO_DATASET, recursive = 0, lng = 0, rc;
	char id[HFDS_REPO_ID_SIZE];
	hfds_hub *hub = NULL;
	hfds_store_tree *tree = NULL;
	hfds_error err;
	const char *pos[2], *type_name = NULL;
	int npos, both = 0;
	const cli_opt opts[] = {
		CLI_FLAG("--recursive", "-r", &recursive),
		CLI_FLAG("--long", "-l", &lng),
		CLI_FLAG("-rl", "-lr", &both),
		CLI_STR("--type", NULL, &type_name),
		CLI_STR("--endpoint", NULL, &endpoint),
		CLI_END,
	};
	if ((rc = cli_parse("ls", argc, argv, opts, ls_help, pos, 2, &npos)) != CLI_EXIT_OK)
		return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : rc;
	arg = npos > 0 ? pos[0] : NULL;
	path = npos > 1 ? pos[1] : NULL;
	if (both)
		recursive = lng = 1;
	if (type_name && (rc = cli_parse_repo_type("ls", type_name, &type)) != 0)
		return rc;
	if (!arg)
		return cli_usage_error("ls", "missing REPO[@REV]");
	if ((rc = cli_split_repo_rev("ls", arg, id, sizeof(id), &rev)) != 0)
		return rc;
	if ((rc = cli_open_hub(endpoint, &hub)) != 0)
		return rc;
	hfds_error_init(&err);
	if (hfds_hub_tree_list(&tree, hub, (hfds_repo_type)type, id, rev, path, recursive, &err) < 0) {
		rc = cli_fail(&err);
		goto done;
	}
	for (size_t i = 0; i < tree->count; i++) {
		const hfds_store_entry *e = &tree->items[i];
		if (e->is_dir)
			cli_printf("dir  %12s  %s/", "-", e->path); /* paths pushed with git may hold anything */
		else
			cli_printf("%-4s %12" PRIu64 "  %s", e->is_lfs ? "lfs" : "file", e->size, e->path);
		if (lng) {
			printf("  oid=%s", e->oid);
			if (e->is_lfs)
				printf("  sha256=%s", e->lfs_sha256);
		}
		putchar('\n');
	}
	rc = CLI_EXIT_OK;
done:
	hfds_store_tree_free(tree);
	hfds_hub_free(hub);
	return rc;
}
