/* hfds commit: argument parsing and printing around hfds_push_commit_manifests. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hfds/publish.h"

static const char usage_text[] =
	"usage: hfds commit REPO --manifest M.json [M2.json ...] [options]\n"
	"\n"
	"Commits the shards that `hfds push REPO ... --no-commit --manifest M.json` runs uploaded\n"
	"(on one machine or many): the manifests are merged in the order given, the shards of\n"
	"each split named {split}-NNNNN-of-NNNNN.parquet over all of them, the card gets the\n"
	"summed rows and bytes and is merged into the repo's, stale shards of those splits are\n"
	"deleted. Nothing is uploaded again: the shards are on the hub already.\n"
	"\n"
	"options:\n"
	"  --manifest M...      manifests (every following argument not starting with '-')\n"
	"  --message M          commit title (default \"Upload dataset\")\n"
	"  --description D      commit description\n"
	"  --revision BRANCH    commit to BRANCH (created from main if missing)\n"
	"  --set-default        mark the configs `default: true` in the card\n"
	"  --replace-features   allow new features for a config the card already describes\n"
	"  --endpoint E         hub to use (see `hfds push --help`)\n"
	"  -q, --quiet          nothing on stderr but errors\n"
	"\n"
	"A rerun of a commit that landed makes none: \"no changes: REPO is already at SHA\".\n"
	"exit codes: 0 committed (or nothing to change), 1 failed (hub, network, I/O, a shard missing on the hub),\n"
	"2 usage error, 3 an invalid manifest.\n";

int cmd_commit(int argc, char **argv)
{
	const char *repo_id = NULL, *endpoint = NULL, *revision = NULL;
	const char **manifests = NULL;
	size_t n = 0;
	int quiet = 0, code = CLI_EXIT_OK, i;
	hfds_ds_publish_options po;
	hfds_ds_options dso;
	hfds_hub *hub = NULL;
	char sha[41] = "";
	hfds_error err;
	hfds_error_init(&err);
	hfds_ds_publish_options_init(&po);
	hfds_ds_options_init(&dso);
	manifests = calloc((size_t)argc + 1, sizeof(*manifests));
	if (!manifests)
		return CLI_EXIT_ERROR;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_VALUE() do { if (!v) { code = cli_usage_error("commit", "%s needs a value", a); goto done; } i++; } while (0)
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_text, stdout);
			goto done;
		} else if (!strcmp(a, "--manifest")) {
			while (i + 1 < argc && argv[i + 1][0] != '-')
				manifests[n++] = argv[++i];
		} else if (!strcmp(a, "--message") || !strcmp(a, "-m")) {
			NEED_VALUE();
			po.title = v;
		} else if (!strcmp(a, "--description")) {
			NEED_VALUE();
			po.description = v;
		} else if (!strcmp(a, "--revision")) {
			NEED_VALUE();
			revision = v;
		} else if (!strcmp(a, "--endpoint")) {
			NEED_VALUE();
			endpoint = v;
		} else if (!strcmp(a, "--set-default")) {
			dso.set_default = 1;
		} else if (!strcmp(a, "--replace-features")) {
			dso.replace_features = po.replace_features = 1;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = 1;
		} else if (a[0] == '-' && a[1]) {
			code = cli_usage_error("commit", "unknown option '%s'", a);
			goto done;
		} else if (!repo_id) {
			repo_id = a;
		} else {
			code = cli_usage_error("commit", "unexpected argument '%s'", a);
			goto done;
		}
#undef NEED_VALUE
	}
	if (!repo_id || n == 0) {
		code = cli_usage_error("commit", "give REPO and --manifest M.json ...");
		goto done;
	}
	if (hfds_hub_open(&hub, endpoint, &err) < 0)
		goto fail;
	if (!quiet)
		fprintf(stderr, "hfds commit: %s: %zu manifest(s)\n", hfds_hub_where(hub), n);
	if ((i = hfds_push_commit_manifests(hub, repo_id, revision, manifests, n, &po, &dso, sha, &err)) < 0)
		goto fail;
	if (i == 1 && !quiet)
		cli_no_changes("commit", repo_id, sha);
	printf("%s\n", sha);
	goto done;
fail:
	code = cli_fail(&err);
done:
	hfds_hub_free(hub);
	free(manifests);
	return code;
}
