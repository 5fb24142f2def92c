/* hfds delete-config: datasets' delete_from_hub as one commit. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "hfds/dataset.h"

static const char usage_text[] =
	"usage: hfds delete-config REPO CONFIG [--revision BRANCH] [--message M] [--endpoint E]\n"
	"\n"
	"Deletes the config CONFIG of the dataset repo REPO in ONE commit, as `datasets`\n"
	"delete_from_hub does: every file matched by the config's data_files globs in the card,\n"
	"plus its entries in the card's configs, dataset_info and config_names. The commit is\n"
	"titled \"Delete 'CONFIG' config\" (the Hub would open a pull request; the embedded hub\n"
	"commits to the branch). Prints the new commit id.\n"
	"\n"
	"example:\n"
	"  hfds delete-config me/reviews fr\n";

int cmd_delete_config(int argc, char **argv)
{
	const char *repo_id = NULL, *config = NULL, *revision = NULL, *message = NULL, *endpoint = NULL;
	cli_dataset repo = {0};
	hfds_ds_publish_options po;
	hfds_error err;
	char sha[41] = "";
	int code = CLI_EXIT_OK;
	hfds_error_init(&err);
	hfds_ds_publish_options_init(&po);
	const char *pos[2];
	int npos;
	const cli_opt opts[] = {
		CLI_STR("--revision", NULL, &revision),
		CLI_STR("--message", "-m", &message),
		CLI_STR("--endpoint", NULL, &endpoint),
		CLI_END,
	};
	if ((code = cli_parse("delete-config", argc, argv, opts, usage_text, pos, 2, &npos)) != CLI_EXIT_OK)
		return code == CLI_PARSE_HELP ? CLI_EXIT_OK : code;
	repo_id = npos > 0 ? pos[0] : NULL;
	config = npos > 1 ? pos[1] : NULL;
	if (!repo_id || !config)
		return cli_usage_error("delete-config", "needs REPO and CONFIG");
	po.title = message;
	if (cli_dataset_open(&repo, endpoint, repo_id, revision, 0, &err) < 0 ||
		hfds_ds_delete_config(repo.ops, config, &po, sha, &err) < 0) {
		code = cli_fail(&err);
	} else {
		fprintf(stderr, "hfds delete-config: deleted config '%s' of %s (%s)\n", config, repo_id, repo.where);
		printf("%s\n", sha);
	}
	cli_dataset_close(&repo);
	return code;
}
