/* hfds build: a dataset from a recipe (docs/recipes.md). Parses, calls hfds_recipe_build,
 * prints the plan or the result. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hfds/hub.h"
#include "hfds/recipe.h"

static const char usage_text[] =
	"usage: hfds build RECIPE.yaml [--push REPO] [--config C]... [--dry-run] [--purge [--yes]]\n"
	"                  [--out DIR] [--endpoint E] [--threads N]\n"
	"\n"
	"Builds the dataset a recipe describes (label tables joined, splits, media embedded,\n"
	"configs; docs/recipes.md) and publishes every config, the auxiliary files and the\n"
	"card in ONE commit to REPO, or writes the dataset folder to DIR.\n"
	"  --config C   build only config C (repeatable; default: all)\n"
	"  --dry-run    print the plan (rows, bytes, shards per config x split, auxiliary files,\n"
	"               with --purge the files it would delete); nothing is written or sent\n"
	"  --purge      the commit also deletes every other file but .gitattributes (needs --yes)\n"
	"\n"
	"example:\n"
	"  hfds build examples/sousa/recipe.yaml --push me/sousa --purge --yes\n";

static void print_report(const hfds_recipe_report *rep, int dry_run)
{
	size_t i;
	for (i = 0; i < rep->nsplits; i++)
		fprintf(dry_run ? stdout : stderr, "%s%s/%s: %llu rows, %llu bytes, %llu shard(s)\n", dry_run ? "" : "hfds build: ",
			rep->splits[i].config, rep->splits[i].split, (unsigned long long)rep->splits[i].rows,
			(unsigned long long)rep->splits[i].bytes, (unsigned long long)rep->splits[i].shards);
	for (i = 0; dry_run && i < rep->nauxiliary; i++)
		printf("auxiliary: %s\n", rep->auxiliary[i]);
	for (i = 0; dry_run && i < rep->npurged; i++)
		printf("delete: %s\n", rep->purged[i]);
	fprintf(dry_run ? stdout : stderr, "%sunmatched rows: %llu, missing media: %llu\n", dry_run ? "" : "hfds build: ",
		(unsigned long long)rep->unmatched_rows, (unsigned long long)rep->missing_media);
}

int cmd_build(int argc, char **argv)
{
	const char *push = NULL, *out_dir = NULL, *endpoint = NULL, *config = NULL, *threads = NULL;
	const char **configs = NULL, *pos[1];
	int dry_run = 0, purge = 0, yes = 0, npos = 0, code = CLI_EXIT_OK, i, nthreads = 0;
	size_t nconfigs = 0;
	hfds_recipe *r = NULL;
	hfds_recipe_report *rep = NULL;
	hfds_recipe_build_options o;
	hfds_hub_staging *staging = NULL;
	cli_dataset repo = {0};
	hfds_error err;
	char sha[41] = "";
	const cli_opt opts[] = {
		CLI_STR("--push", NULL, &push),
		CLI_STR("--config", NULL, &config),
		CLI_FLAG("--dry-run", NULL, &dry_run),
		CLI_FLAG("--purge", NULL, &purge),
		CLI_FLAG("--yes", "-y", &yes),
		CLI_STR("--out", NULL, &out_dir),
		CLI_STR("--endpoint", NULL, &endpoint),
		CLI_STR("--threads", NULL, &threads),
		CLI_END,
	};
	hfds_error_init(&err);
	if ((code = cli_parse("build", argc, argv, opts, usage_text, pos, 1, &npos)) != CLI_EXIT_OK)
		return code == CLI_PARSE_HELP ? CLI_EXIT_OK : code;
	if (npos < 1)
		return cli_usage_error("build", "needs RECIPE.yaml");
	if (!push == !out_dir && !dry_run)
		return cli_usage_error("build", "needs exactly one of --push REPO or --out DIR (or --dry-run)");
	if (purge && !push)
		return cli_usage_error("build", "--purge needs --push");
	if (purge && !yes && !dry_run)
		return cli_usage_error("build", "--purge deletes every other file of the repo: pass --yes");
	/* --config repeats; cli_parse keeps the last, so collect them all here. */
	configs = calloc((size_t)argc + 1, sizeof(char *));
	if (!configs)
		return CLI_EXIT_ERROR;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			configs[nconfigs++] = argv[++i];
		else if (!strncmp(argv[i], "--config=", 9))
			configs[nconfigs++] = argv[i] + 9;
	}
	hfds_recipe_build_options_init(&o);
	o.configs = nconfigs ? configs : NULL;
	o.nconfigs = nconfigs;
	o.dry_run = dry_run;
	o.purge = purge;
	o.out_dir = out_dir;
	if (threads && (code = cli_threads_arg("build", threads, &nthreads)) != CLI_EXIT_OK)
		goto done;
	o.threads = cli_threads(nthreads);
	if (hfds_recipe_load(&r, pos[0], &err) < 0)
		goto fail;
	if (push) {
		if (cli_dataset_open(&repo, endpoint, push, NULL, dry_run ? 0 : HFDS_HUB_DATASET_CREATE, &err) < 0) {
			if (!dry_run)
				goto fail;
			hfds_error_init(&err);   /* a dry run of a repo that does not exist yet */
		} else {
			o.ops = repo.ops;
			if (!dry_run) {
				cli_clean_staging_on_signals();
				fprintf(stderr, "hfds build: %s\n", repo.where);
				if (hfds_hub_staging_new(&staging, repo.hub, &err) < 0)
					goto fail;
				o.staging_dir = hfds_hub_staging_path(staging);
			}
		}
	}
	if (hfds_recipe_build(r, &o, &rep, sha, &err) < 0)
		goto fail;
	print_report(rep, dry_run);
	if (!dry_run)
		printf("%s\n", push ? sha : out_dir);
	goto done;
fail:
	code = cli_fail(&err);
done:
	hfds_recipe_report_free(rep);
	cli_dataset_close(&repo);   /* stops the upload threads before their spool goes */
	hfds_hub_staging_free(staging);
	hfds_recipe_free(r);
	free(configs);
	return code;
}
