/* `hfds token create|list|revoke`: the access tokens `hfds serve` accepts. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hfds/server.h"
#include "hfds/store.h"
#include "util/alloc.h"

static const char token_help[] =
	"usage: hfds token create USER [--org ORG]... [--role read|write] [--root DIR]\n"
	"       hfds token list [--root DIR]\n"
	"       hfds token revoke ID [--root DIR]\n"
	"\n"
	"Tokens for `hfds serve`. create prints a new `hf_...` token once; only its sha256 is\n"
	"kept (in ROOT/server/tokens). A write token writes to USER's namespace and its orgs';\n"
	"any token reads the private repositories of those namespaces. list shows ids, never\n"
	"tokens; revoke takes an id (or a prefix of at least 6 hex digits) and acts at once.\n"
	"\n"
	"options:\n"
	"  --org ORG      an organisation the token acts for (repeatable)\n"
	"  --role R       read or write (default write)\n"
	"  --root DIR     the store (default $HFDS_HOME/hub, else ~/.cache/hfds/hub)\n";

int cmd_token(int argc, char **argv)
{
	const char *sub = NULL, *arg = NULL, *role = "write", *root = NULL;
	const char *orgs[64];
	size_t norgs = 0;
	char *tok = NULL;
	hfds_store *st = NULL;
	hfds_token_list *list = NULL;
	hfds_error err;
	int i, rc = CLI_EXIT_OK;
	hfds_error_init(&err);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(token_help, stdout);
			return CLI_EXIT_OK;
		}
		if (!strcmp(a, "--org") || !strcmp(a, "--role") || !strcmp(a, "--root")) {
			if (i + 1 >= argc)
				return cli_usage_error("token", "%s needs a value", a);
			if (!strcmp(a, "--org")) {
				if (norgs == sizeof(orgs) / sizeof(orgs[0]))
					return cli_usage_error("token", "at most 64 --org");
				orgs[norgs++] = argv[++i];
			} else if (!strcmp(a, "--role")) {
				role = argv[++i];
			} else {
				root = argv[++i];
			}
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error("token", "unknown option '%s'", a);
		} else if (!sub) {
			sub = a;
		} else if (!arg) {
			arg = a;
		} else {
			return cli_usage_error("token", "unexpected argument '%s'", a);
		}
	}
	if (!sub)
		return cli_usage_error("token", "missing create, list or revoke");
	/* Opening the store creates its root and gives the absolute path the server uses. */
	if (hfds_store_open(&st, root, &err) < 0)
		return cli_fail(&err);
	root = hfds_store_root(st);
	if (!strcmp(sub, "create")) {
		if (!arg)
			rc = cli_usage_error("token", "missing USER");
		else if (hfds_token_create(root, arg, orgs, norgs, role, &tok, &err) < 0)
			rc = cli_fail(&err);
		else
			printf("%s\n", tok);
	} else if (!strcmp(sub, "list")) {
		size_t k;
		if (hfds_token_list_get(&list, root, &err) < 0) {
			rc = cli_fail(&err);
		} else {
			for (k = 0; k < list->count; k++) {
				char when[32];
				time_t t = (time_t)list->items[k].created;
				struct tm tm;
				gmtime_r(&t, &tm);
				strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
				printf("%s %s %s %s %s\n", list->items[k].id, list->items[k].user, list->items[k].role,
					list->items[k].orgs[0] ? list->items[k].orgs : "-", when);
			}
		}
	} else if (!strcmp(sub, "revoke")) {
		if (!arg)
			rc = cli_usage_error("token", "missing ID");
		else if (hfds_token_revoke(root, arg, &err) < 0)
			rc = cli_fail(&err);
	} else {
		rc = cli_usage_error("token", "unknown subcommand '%s'", sub);
	}
	hfds_free(tok);
	hfds_store_free(st);
	hfds_token_list_free(list);
	return rc;
}
