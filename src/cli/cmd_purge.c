/* hfds purge: delete every file but .gitattributes in one commit. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hfds/dataset.h"

static const char usage_text[] =
	"usage: hfds purge REPO [--yes] [--revision BRANCH] [--message M] [--endpoint E]\n"
	"\n"
	"Deletes every file of the dataset repo REPO except .gitattributes, in ONE commit\n"
	"(history is kept: older revisions and tags still show the files). On a terminal it\n"
	"asks for confirmation unless --yes is given; without a terminal --yes is required.\n"
	"\n"
	"example:\n"
	"  hfds purge me/scratch --yes\n";

int cmd_purge(int argc, char **argv)
{
	const char *repo_id = NULL, *revision = NULL, *message = NULL, *endpoint = NULL;
	cli_dataset repo = {0};
	hfds_ds_publish_options po;
	hfds_ds_repo_file *files = NULL;
	size_t count = 0, deleted = 0, k, victims = 0;
	hfds_error err;
	char sha[41] = "", head[41];
	int yes = 0, code = CLI_EXIT_OK;
	hfds_error_init(&err);
	hfds_ds_publish_options_init(&po);
	const char *pos[1];
	int npos;
	const cli_opt opts[] = {
		CLI_FLAG("--yes", "-y", &yes),
		CLI_STR("--revision", NULL, &revision),
		CLI_STR("--message", "-m", &message),
		CLI_STR("--endpoint", NULL, &endpoint),
		CLI_END,
	};
	if ((code = cli_parse("purge", argc, argv, opts, usage_text, pos, 1, &npos)) != CLI_EXIT_OK)
		return code == CLI_PARSE_HELP ? CLI_EXIT_OK : code;
	repo_id = npos > 0 ? pos[0] : NULL;
	if (!repo_id)
		return cli_usage_error("purge", "needs REPO");
	if (!yes && !isatty(0))
		return cli_usage_error("purge", "refusing to delete every file without a terminal to confirm: pass --yes");
	po.title = message;
	if (cli_dataset_open(&repo, endpoint, repo_id, revision, 0, &err) < 0)
		goto fail;
	if (!yes) {
		char answer[16] = "";
		if (repo.ops->head(repo.ops->payload, head, &err) < 0 ||
		    repo.ops->list_files(repo.ops->payload, head, &files, &count, &err) < 0)
			goto fail;
		for (k = 0; k < count; k++)
			victims += strcmp(files[k].path, ".gitattributes") != 0;
		fprintf(stderr, "Delete all %zu file(s) of dataset %s on branch %s (%s), keeping .gitattributes? [y/N] ",
			victims, repo_id, revision ? revision : "main", repo.where);
		fflush(stderr);
		if (!fgets(answer, sizeof(answer), stdin) || (answer[0] != 'y' && answer[0] != 'Y')) {
			fprintf(stderr, "hfds purge: nothing deleted\n");
			code = CLI_EXIT_ERROR;
			goto done;
		}
	}
	if (hfds_ds_purge(repo.ops, &po, &deleted, sha, &err) < 0)
		goto fail;
	fprintf(stderr, "hfds purge: deleted %zu file(s) of %s\n", deleted, repo_id);
	printf("%s\n", sha);
	goto done;
fail:
	code = cli_fail(&err);
done:
	hfds_ds_repo_files_free(files, count);
	cli_dataset_close(&repo);
	return code;
}
