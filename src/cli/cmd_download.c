/* `hfds download NS/NAME`: a snapshot into the Hugging Face cache (see hfds_download). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hfds/stream.h"
#include "util/alloc.h"

static const char download_help[] =
	"usage: hfds download NS/NAME[@REV] [--revision R] [--include GLOB]... [--cache-dir D]\n"
	"                     [--workers N] [--prepare] [--endpoint E]\n"
	"\n"
	"Download a dataset repository's files at a revision (default main) into the Hugging\n"
	"Face cache ($HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub) in the\n"
	"layout huggingface_hub uses, so datasets.load_dataset and hf_hub_download find them\n"
	"with HF_HUB_OFFLINE=1. Files are fetched in parallel; a download that was interrupted\n"
	"continues where it stopped (ranged reads); every file is verified (sha256 for LFS files,\n"
	"git blob id otherwise) before it enters the cache. Prints the snapshot folder.\n"
	"datasets 5.2 loads a repo id offline only from its own prepared cache: --prepare also\n"
	"writes that ($HF_DATASETS_CACHE: dataset_info.json and Arrow files per config), so that\n"
	"load_dataset(\"NS/NAME\", config) works with HF_HUB_OFFLINE=1 (a second copy of the rows).\n"
	"\n"
	"options:\n"
	"  --revision R    branch, tag or commit (default main)\n"
	"  --include GLOB  only paths matching GLOB ('*' matches '/' too); repeatable\n"
	"  --cache-dir D   the hub cache folder to fill\n"
	"  --workers N     parallel transfers (default 4, at most 64)\n"
	"  --prepare       also prepare datasets' cache for load_dataset by repo id offline\n"
	"  --endpoint E    https:// URL, or a directory / file:// URL of an embedded hub\n"
	"\n"
	"examples:\n"
	"  hfds download alice/chess-positions --prepare\n"
	"  hfds download alice/chess-positions --include 'data/test-*' --include README.md\n";

int cmd_download(int argc, char **argv)
{
	const char *endpoint = NULL, *pos[1], *rev = NULL, *workers = NULL;
	const char **inc = NULL;
	char id[HFDS_REPO_ID_SIZE];
	int rc, npos, i, prepare = 0;
	hfds_download_options o;
	hfds_download_report rep;
	hfds_error err;
	const cli_opt opts[] = {
		CLI_STR("--revision", NULL, &o.revision),
		CLI_STR("--cache-dir", NULL, &o.cache_dir),
		CLI_STR("--workers", NULL, &workers),
		CLI_FLAG("--prepare", NULL, &prepare),
		CLI_STR("--endpoint", NULL, &endpoint),
		CLI_END,
	};
	char **rest = NULL;
	int nrest = 0;
	hfds_download_options_init(&o);
	/* --include repeats: collect them first, pass the other arguments to cli_parse */
	inc = hfds_calloc((size_t)argc + 1, sizeof(*inc));
	rest = hfds_calloc((size_t)argc + 1, sizeof(*rest));
	if (!inc || !rest) {
		hfds_free(inc);
		hfds_free(rest);
		return cli_usage_error("download", "out of memory");
	}
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--include") && i + 1 < argc)
			inc[o.ninclude++] = argv[++i];
		else if (!strncmp(argv[i], "--include=", 10))
			inc[o.ninclude++] = argv[i] + 10;
		else
			rest[nrest++] = argv[i];
	}
	o.include = inc;
	if ((rc = cli_parse("download", nrest, rest, opts, download_help, pos, 1, &npos)) != CLI_EXIT_OK) {
		rc = rc == CLI_PARSE_HELP ? CLI_EXIT_OK : rc;
		goto done;
	}
	if (npos < 1) {
		rc = cli_usage_error("download", "missing NS/NAME");
		goto done;
	}
	if ((rc = cli_split_repo_rev("download", pos[0], id, sizeof(id), &rev)) != 0)
		goto done;
	if (rev && !o.revision)
		o.revision = rev;
	if (workers) {
		char *end;
		long n = strtol(workers, &end, 10);
		if (*end || n < 1 || n > 64) {
			rc = cli_usage_error("download", "--workers needs 1..64, got '%s'", workers);
			goto done;
		}
		o.workers = (unsigned)n;
	}
	hfds_error_init(&err);
	fprintf(stderr, "hfds download: %s\n", endpoint ? endpoint : "target from HF_ENDPOINT / token / default");
	if (hfds_download(endpoint, id, &o, &rep, &err) < 0) {
		rc = cli_fail(&err);
		goto done;
	}
	fprintf(stderr, "hfds download: %s at %.12s: %zu files, %zu fetched (%llu bytes)\n", id, rep.commit, rep.files,
		rep.fetched, (unsigned long long)rep.bytes);
	if (prepare && hfds_download_prepare(id, &rep, NULL, &err) < 0) {
		rc = cli_fail(&err);
		goto done;
	}
	printf("%s\n", rep.snapshot);
	rc = CLI_EXIT_OK;
done:
	hfds_free(inc);
	hfds_free(rest);
	return rc;
}
