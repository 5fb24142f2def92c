/* `hfds branch`: create, delete and list the branches of a repository. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "hfds/store.h"

static const char branch_help[] =
	"usage: hfds branch REPO NAME [--from R] [--type T] [--endpoint E]\n"
	"       hfds branch --delete REPO NAME\n"
	"       hfds branch REPO         (list the branches)\n"
	"\n"
	"A branch is a line of commits: publish to it with `hfds push --revision NAME`, read it\n"
	"with `hfds ls REPO@NAME`. Every repository has 'main', which cannot be deleted.\n"
	"\n"
	"options:\n"
	"  --from R       where the new branch starts: a branch, tag or commit id (default main)\n"
	"  -d, --delete   delete branch NAME\n"
	"  --type T       dataset (default), model or space\n"
	"  --endpoint E   https:// URL, or a directory / file:// URL of an embedded hub\n"
	"\n"
	"examples:\n"
	"  hfds branch alice/chess-positions dev\n"
	"  hfds branch alice/chess-positions hotfix --from v1\n"
	"  hfds branch --delete alice/chess-positions dev\n";

int cmd_branch(int argc, char **argv)
{
	const char *arg = NULL, *name = NULL, *endpoint = NULL, *rev = NULL, *from = NULL;
	int type = HFDS_REPO_DATASET, del = 0, rc;
	char id[HFDS_REPO_ID_SIZE];
	hfds_hub *hub = NULL;
	hfds_store_refs *refs = NULL;
	hfds_error err;
	const char *pos[2], *type_name = NULL;
	int npos;
	const cli_opt opts[] = {
		CLI_FLAG("--delete", "-d", &del),
		CLI_STR("--from", NULL, &from),
		CLI_STR("--type", NULL, &type_name),
		CLI_STR("--endpoint", NULL, &endpoint),
		CLI_END,
	};
	if ((rc = cli_parse("branch", argc, argv, opts, branch_help, pos, 2, &npos)) != CLI_EXIT_OK)
		return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : rc;
	arg = npos > 0 ? pos[0] : NULL;
	name = npos > 1 ? pos[1] : NULL;
	if (type_name && (rc = cli_parse_repo_type("branch", type_name, &type)) != 0)
		return rc;
	if (!arg)
		return cli_usage_error("branch", "missing REPO");
	if ((rc = cli_split_repo_rev("branch", arg, id, sizeof(id), &rev)) != 0)
		return rc;
	if (rev)
		return cli_usage_error("branch", "'%s': give the starting point with --from", arg);
	if (del && !name)
		return cli_usage_error("branch", "--delete needs the branch NAME");
	if (!name && from)
		return cli_usage_error("branch", "missing branch NAME");
	if ((rc = cli_open_hub(endpoint, &hub)) != 0)
		return rc;
	hfds_error_init(&err);
	if (!name) {
		if (hfds_hub_refs_list(&refs, hub, (hfds_repo_type)type, id, &err) < 0) {
			rc = cli_fail(&err);
		} else {
			for (size_t i = 0; i < refs->count; i++)
				if (refs->items[i].kind == HFDS_REF_BRANCH)
					printf("%s %s\n", refs->items[i].target, refs->items[i].name);
			rc = CLI_EXIT_OK;
		}
	} else if (del) {
		rc = hfds_hub_branch_delete(hub, (hfds_repo_type)type, id, name, &err) < 0 ? cli_fail(&err) : CLI_EXIT_OK;
		if (rc == CLI_EXIT_OK)
			printf("deleted branch %s\n", name);
	} else {
		char sha[HFDS_OID_HEX_SIZE];
		char ref[300];
		snprintf(ref, sizeof(ref), "refs/heads/%s", name);
		if (hfds_hub_branch_create(hub, (hfds_repo_type)type, id, name, from, &err) < 0 || hfds_hub_resolve(sha, hub, (hfds_repo_type)type, id, ref, &err) < 0) {
			rc = cli_fail(&err);
		} else {
			printf("created branch %s at %s\n", name, sha);
			rc = CLI_EXIT_OK;
		}
	}
	hfds_store_refs_free(refs);
	hfds_hub_free(hub);
	return rc;
}
