/* `hfds tag`: create (lightweight or annotated), delete and list the tags of a repository. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "hfds/store.h"

static const char tag_help[] =
	"usage: hfds tag REPO NAME [--revision R] [-m MSG] [--type T] [--endpoint E]\n"
	"       hfds tag --delete REPO NAME\n"
	"       hfds tag REPO            (list the tags)\n"
	"\n"
	"A tag names a commit for good: `hfds ls REPO@NAME` and `hfds log REPO@NAME` show the\n"
	"repository as it was, whatever is published later.\n"
	"\n"
	"options:\n"
	"  --revision R   what to tag: a branch, tag or commit id (default main)\n"
	"  -m MSG         make an annotated tag with this message (else a lightweight tag)\n"
	"  -d, --delete   delete tag NAME\n"
	"  --type T       dataset (default), model or space\n"
	"  --endpoint E   https:// URL, or a directory / file:// URL of an embedded hub\n"
	"\n"
	"examples:\n"
	"  hfds tag alice/chess-positions v1 -m \"first release\"\n"
	"  hfds tag alice/chess-positions v0 --revision 3f2a9c1\n"
	"  hfds tag --delete alice/chess-positions v0\n";

int cmd_tag(int argc, char **argv)
{
	const char *arg = NULL, *name = NULL, *endpoint = NULL, *rev = NULL, *target = NULL, *msg = NULL;
	int type = HFDS_REPO_DATASET, del = 0, rc;
	char id[HFDS_REPO_ID_SIZE];
	hfds_hub *hub = NULL;
	hfds_store_refs *refs = NULL;
	hfds_error err;
	const char *pos[2], *type_name = NULL;
	int npos;
	const cli_opt opts[] = {
		CLI_FLAG("--delete", "-d", &del),
		CLI_STR("--revision", NULL, &target),
		CLI_STR("--message", "-m", &msg),
		CLI_STR("--type", NULL, &type_name),
		CLI_STR("--endpoint", NULL, &endpoint),
		CLI_END,
	};
	if ((rc = cli_parse("tag", argc, argv, opts, tag_help, pos, 2, &npos)) != CLI_EXIT_OK)
		return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : rc;
	arg = npos > 0 ? pos[0] : NULL;
	name = npos > 1 ? pos[1] : NULL;
	if (type_name && (rc = cli_parse_repo_type("tag", type_name, &type)) != 0)
		return rc;
	if (!arg)
		return cli_usage_error("tag", "missing REPO");
	if ((rc = cli_split_repo_rev("tag", arg, id, sizeof(id), &rev)) != 0)
		return rc;
	if (rev)
		return cli_usage_error("tag", "'%s': give the revision to tag with --revision", arg);
	if (del && !name)
		return cli_usage_error("tag", "--delete needs the tag NAME");
	if (!name && (target || msg))
		return cli_usage_error("tag", "missing tag NAME");
	if ((rc = cli_open_hub(endpoint, &hub)) != 0)
		return rc;
	hfds_error_init(&err);
	if (!name) {
		if (hfds_hub_refs_list(&refs, hub, (hfds_repo_type)type, id, &err) < 0) {
			rc = cli_fail(&err);
		} else {
			for (size_t i = 0; i < refs->count; i++)
				if (refs->items[i].kind == HFDS_REF_TAG)
					printf("%s %s%s%s\n", refs->items[i].target, refs->items[i].name,
						refs->items[i].message ? "  " : "", refs->items[i].message ? refs->items[i].message : "");
			rc = CLI_EXIT_OK;
		}
	} else if (del) {
		rc = hfds_hub_tag_delete(hub, (hfds_repo_type)type, id, name, &err) < 0 ? cli_fail(&err) : CLI_EXIT_OK;
		if (rc == CLI_EXIT_OK)
			printf("deleted tag %s\n", name);
	} else {
		char sha[HFDS_OID_HEX_SIZE];
		if (hfds_hub_tag_create(hub, (hfds_repo_type)type, id, name, target, msg, &err) < 0 || hfds_hub_resolve(sha, hub, (hfds_repo_type)type, id, name, &err) < 0) {
			rc = cli_fail(&err);
		} else {
			printf("tagged %s as %s\n", sha, name);
			rc = CLI_EXIT_OK;
		}
	}
	hfds_store_refs_free(refs);
	hfds_hub_free(hub);
	return rc;
}
