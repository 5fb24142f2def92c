/* `hfds upload`: files (or a deletion) as one commit of any repository, through the hub. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char upload_help[] =
	"usage: hfds upload REPO FILE[:PATH_IN_REPO]... [--delete PATH]... [--type T] [--revision B]\n"
	"                   [--message M] [--parent SHA] [--endpoint E]\n"
	"\n"
	"Commit local files (each at PATH_IN_REPO, default its name) and deletions to REPO as ONE\n"
	"commit, on the embedded hub or a server (regular or LFS as the server decides; objects it\n"
	"already has are not sent). Prints the new commit id.\n"
	"\n"
	"options:\n"
	"  --delete PATH   delete a file (or folder) in the same commit\n"
	"  --type T        dataset (default), model or space\n"
	"  --revision B    the branch to commit to (default main)\n"
	"  --message M     commit title (default \"Upload files with hfds\")\n"
	"  --parent SHA    fail (exit 1, nothing committed) if the branch moved from SHA\n"
	"  --endpoint E    https:// URL, or a directory / file:// URL of an embedded hub\n"
	"\n"
	"example:\n"
	"  hfds upload me/space app.py README.md:README.md --type space -m \"Add the app\"\n";

int cmd_upload(int argc, char **argv)
{
	const char *repo_id = NULL, *endpoint = NULL, *revision = NULL, *message = NULL, *parent = NULL;
	const char *type_name = NULL, *del = NULL;
	const char *pos[65];
	hfds_hub_op ops[66];
	char specs[64][4096];
	hfds_hub_commit_info c;
	hfds_hub *hub = NULL;
	hfds_error err;
	char sha[HFDS_OID_HEX_SIZE] = "";
	int type = HFDS_REPO_DATASET, npos, rc, n = 0;
	const cli_opt opts[] = {
		CLI_STR("--delete", NULL, &del),
		CLI_STR("--type", NULL, &type_name),
		CLI_STR("--revision", NULL, &revision),
		CLI_STR("--message", "-m", &message),
		CLI_STR("--parent", NULL, &parent),
		CLI_STR("--endpoint", NULL, &endpoint),
		CLI_END,
	};
	if ((rc = cli_parse("upload", argc, argv, opts, upload_help, pos, 65, &npos)) != CLI_EXIT_OK)
		return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : rc;
	if (type_name && (rc = cli_parse_repo_type("upload", type_name, &type)) != 0)
		return rc;
	if (npos < 1 || (npos < 2 && !del))
		return cli_usage_error("upload", "needs REPO and at least one FILE (or --delete PATH)");
	repo_id = pos[0];
	memset(ops, 0, sizeof(ops));
	for (int i = 1; i < npos; i++, n++) {
		const char *colon = strchr(pos[i], ':'), *slash;
		snprintf(specs[n], sizeof(specs[n]), "%.*s", colon ? (int)(colon - pos[i]) : (int)strlen(pos[i]), pos[i]);
		slash = strrchr(specs[n], '/');
		ops[n].kind = HFDS_HUB_OP_ADD_FILE;
		ops[n].local_path = specs[n];
		ops[n].path = colon ? colon + 1 : slash ? slash + 1 : specs[n];
	}
	if (del) {
		ops[n].kind = HFDS_HUB_OP_DELETE;
		ops[n++].path = del;
	}
	if ((rc = cli_open_hub(endpoint, &hub)) != 0)
		return rc;
	memset(&c, 0, sizeof(c));
	c.branch = revision;
	c.title = message ? message : "Upload files with hfds";
	c.parent = parent;
	c.ops = ops;
	c.count = (size_t)n;
	hfds_error_init(&err);
	if ((rc = hfds_hub_commit(hub, (hfds_repo_type)type, repo_id, &c, sha, &err)) < 0) {
		rc = cli_fail(&err);
	} else {
		if (rc == 1)
			cli_no_changes("upload", repo_id, sha);
		printf("%s\n", sha);
		rc = CLI_EXIT_OK;
	}
	hfds_hub_free(hub);
	return rc;
}
