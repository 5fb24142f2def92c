/*
 * `hfds repo create|info|delete`, plus the helpers every repo-level command shares:
 * target choice (announced on stderr), REPO@REV splitting and --type parsing.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hfds/hub.h"
#include "hfds/store.h"

static const char repo_help[] =
	"usage: hfds repo create REPO [--type T] [--private] [--exist-ok] [--endpoint E]\n"
	"       hfds repo info REPO[@REV] [--type T] [--endpoint E]\n"
	"       hfds repo delete REPO [--type T] [--yes] [--endpoint E]\n"
	"\n"
	"Manage repositories on the Hub or on the embedded local hub.\n"
	"\n"
	"REPO is 'namespace/name' (letters, digits, '-', '_', '.'; at most 96 characters per\n"
	"part; no '--' or '..'; not starting or ending with '-' or '.').\n"
	"\n"
	"  create    make a repository holding the Hub's initial commit and .gitattributes\n"
	"  info      print id, type, visibility, the commit REV resolves to (default main), dates\n"
	"  delete    remove the repository (asks on a terminal unless --yes)\n"
	"\n"
	"options:\n"
	"  --type T        dataset (default), model or space\n"
	"  --private       create the repository as private\n"
	"  --exist-ok      creating an existing repository is not an error\n"
	"  --yes           delete without asking\n"
	"  --endpoint E    where repositories live: an https:// URL (the Hub or a server speaking its\n"
	"                  protocol), or a directory / file:// URL for an embedded hub there\n"
	"\n"
	"Target: --endpoint, else HF_ENDPOINT, else https://huggingface.co when an HF token is\n"
	"found (HF_TOKEN, $HF_HOME/token, ~/.cache/huggingface/token), else the embedded hub at\n"
	"$HFDS_HOME/hub (default ~/.cache/hfds/hub). The choice is printed on stderr.\n"
	"\n"
	"examples:\n"
	"  hfds repo create alice/chess-positions --private\n"
	"  hfds repo info alice/chess-positions@v1\n"
	"  hfds repo delete alice/chess-positions --yes\n";

int cli_split_repo_rev(const char *cmd, const char *arg, char *repo, size_t cap, const char **rev)
{
	const char *at = strchr(arg, '@');
	size_t n = at ? (size_t)(at - arg) : strlen(arg);
	hfds_error err;
	*rev = NULL;
	if (n >= cap)
		return cli_usage_error(cmd, "repo id '%.40s...' is too long", arg);
	memcpy(repo, arg, n);
	repo[n] = '\0';
	if (at) {
		if (!at[1])
			return cli_usage_error(cmd, "'%s': missing revision after '@'", arg);
		*rev = at + 1;
	}
	hfds_error_init(&err);
	if (hfds_hub_repo_id_check(repo, &err) < 0)
		return cli_usage_error(cmd, "%s", err.message);
	return 0;
}

int cli_parse_repo_type(const char *cmd, const char *value, int *type)
{
	hfds_repo_type t;
	hfds_error err;
	hfds_error_init(&err);
	if (hfds_repo_type_parse(&t, value, &err) < 0)
		return cli_usage_error(cmd, "%s", err.message);
	*type = (int)t;
	return 0;
}

static void print_time(const char *key, int64_t t)
{
	char buf[64];
	time_t tt = (time_t)t;
	struct tm tm;
	if (t > 0 && gmtime_r(&tt, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		printf("%s: %s\n", key, buf);
}

static int repo_info(hfds_hub *hub, hfds_repo_type type, const char *id, const char *rev)
{
	hfds_store_repo_info info;
	hfds_store_refs *refs = NULL;
	hfds_error err;
	hfds_error_init(&err);
	if (hfds_hub_repo_info(&info, hub, type, id, rev, &err) < 0 || hfds_hub_refs_list(&refs, hub, type, id, &err) < 0)
		return cli_fail(&err);
	printf("id: %s\ntype: %s\nprivate: %s\nrevision: %s\nsha: %s\n", info.id, hfds_repo_type_name(info.type),
		info.is_private ? "true" : "false", rev ? rev : "main", info.sha);
	print_time("lastModified", info.last_modified);
	print_time("createdAt", info.created_at);
	for (size_t i = 0; i < refs->count; i++)
		printf("%s: %s %s\n", refs->items[i].kind == HFDS_REF_BRANCH ? "branch" : "tag", refs->items[i].name,
			refs->items[i].target);
	if (info.git_dir[0])
		printf("gitDir: %s\n", info.git_dir);
	hfds_store_refs_free(refs);
	return CLI_EXIT_OK;
}

static int confirm(const char *what)
{
	char answer[16];
	if (!isatty(0))
		return 1;
	fprintf(stderr, "%s? [y/N] ", what);
	if (!fgets(answer, sizeof(answer), stdin))
		return 0;
	return answer[0] == 'y' || answer[0] == 'Y';
}

int cmd_repo(int argc, char **argv)
{
	const char *action = NULL, *arg = NULL, *endpoint = NULL, *rev = NULL;
	int type = HFDS_REPO_DATASET, is_private = 0, exist_ok = 0, yes = 0, rc;
	char id[HFDS_REPO_ID_SIZE], what[300];
	hfds_hub *hub = NULL;
	hfds_error err;
	const char *pos[2], *type_name = NULL;
	int npos;
	const cli_opt opts[] = {
		CLI_FLAG("--private", NULL, &is_private),
		CLI_FLAG("--exist-ok", NULL, &exist_ok),
		CLI_FLAG("--yes", "-y", &yes),
		CLI_STR("--type", NULL, &type_name),
		CLI_STR("--endpoint", NULL, &endpoint),
		CLI_END,
	};
	if ((rc = cli_parse("repo", argc, argv, opts, repo_help, pos, 2, &npos)) != CLI_EXIT_OK)
		return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : rc;
	action = npos > 0 ? pos[0] : NULL;
	arg = npos > 1 ? pos[1] : NULL;
	if (type_name && (rc = cli_parse_repo_type("repo", type_name, &type)) != 0)
		return rc;
	if (!action)
		return cli_usage_error("repo", "missing action (create, info or delete)");
	if (strcmp(action, "create") && strcmp(action, "info") && strcmp(action, "delete"))
		return cli_usage_error("repo", "unknown action '%s' (expected create, info or delete)", action);
	if (!arg)
		return cli_usage_error("repo", "missing REPO (namespace/name)");
	if ((rc = cli_split_repo_rev("repo", arg, id, sizeof(id), &rev)) != 0)
		return rc;
	if (rev && strcmp(action, "info"))
		return cli_usage_error("repo", "'%s': only 'repo info' takes a revision", arg);
	if ((rc = cli_open_hub(endpoint, &hub)) != 0)
		return rc;
	hfds_error_init(&err);
	if (!strcmp(action, "info")) {
		rc = repo_info(hub, (hfds_repo_type)type, id, rev);
	} else if (!strcmp(action, "create")) {
		int r = hfds_hub_repo_create(hub, (hfds_repo_type)type, id, is_private, exist_ok, &err);
		if (r == 1) {
			printf("%s repo %s already exists\n", hfds_repo_type_name((hfds_repo_type)type), id);
			rc = CLI_EXIT_OK;
		} else if (r < 0) {
			rc = cli_fail(&err);
		} else {
			printf("created %s%s repo %s\n", is_private ? "private " : "", hfds_repo_type_name((hfds_repo_type)type), id);
			rc = CLI_EXIT_OK;
		}
	} else {
		snprintf(what, sizeof(what), "delete %s repo %s", hfds_repo_type_name((hfds_repo_type)type), id);
		if (!yes && !confirm(what)) {
			fprintf(stderr, "hfds repo: not deleted\n");
			rc = CLI_EXIT_ERROR;
		} else if (hfds_hub_repo_delete(hub, (hfds_repo_type)type, id, &err) < 0) {
			rc = cli_fail(&err);
		} else {
			printf("deleted %s repo %s\n", hfds_repo_type_name((hfds_repo_type)type), id);
			rc = CLI_EXIT_OK;
		}
	}
	hfds_hub_free(hub);
	return rc;
}
