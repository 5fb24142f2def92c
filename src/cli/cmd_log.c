/* `hfds log REPO[@REV]`: the commit history, newest first. */
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hfds/store.h"

static const char log_help[] =
	"usage: hfds log REPO[@REV] [-n N] [--oneline] [--type T] [--endpoint E]\n"
	"\n"
	"Show the commits reachable from a revision (default main), newest first. The last one\n"
	"is the repository's initial commit. Each commit prints its id, author, date (UTC) and\n"
	"message; --oneline prints 'id date title' per commit.\n"
	"\n"
	"options:\n"
	"  -n N           at most N commits\n"
	"  --oneline      one line per commit\n"
	"  --type T       dataset (default), model or space\n"
	"  --endpoint E   https:// URL, or a directory / file:// URL of an embedded hub\n"
	"\n"
	"examples:\n"
	"  hfds log alice/chess-positions\n"
	"  hfds log alice/chess-positions@v1 -n 5 --oneline\n";

int cmd_log(int argc, char **argv)
{
	const char *arg = NULL, *endpoint = NULL, *rev = NULL;
	int type = HFDS_REPO_DATASET, oneline = 0, rc;
	size_t limit = 0;
	char id[HFDS_REPO_ID_SIZE];
	hfds_hub *hub = NULL;
	hfds_store_log *log = NULL;
	hfds_error err;
	const char *pos[1], *type_name = NULL;
	long long count = 0;
	int npos;
	const cli_opt opts[] = {
		CLI_FLAG("--oneline", NULL, &oneline),
		CLI_INT("-n", NULL, &count, 1, LLONG_MAX),
		CLI_STR("--type", NULL, &type_name),
		CLI_STR("--endpoint", NULL, &endpoint),
		CLI_END,
	};
	if ((rc = cli_parse("log", argc, argv, opts, log_help, pos, 1, &npos)) != CLI_EXIT_OK)
		return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : rc;
	arg = npos > 0 ? pos[0] : NULL;
	limit = (size_t)count;
	if (type_name && (rc = cli_parse_repo_type("log", type_name, &type)) != 0)
		return rc;
	if (!arg)
		return cli_usage_error("log", "missing REPO[@REV]");
	if ((rc = cli_split_repo_rev("log", arg, id, sizeof(id), &rev)) != 0)
		return rc;
	if ((rc = cli_open_hub(endpoint, &hub)) != 0)
		return rc;
	hfds_error_init(&err);
	if (hfds_hub_log(&log, hub, (hfds_repo_type)type, id, rev, limit, &err) < 0) {
		rc = cli_fail(&err);
		goto done;
	}
	for (size_t i = 0; i < log->count; i++) {
		const hfds_store_log_entry *e = &log->items[i];
		char date[64] = "?";
		time_t t = (time_t)e->date;
		struct tm tm;
		if (gmtime_r(&t, &tm))
			strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (oneline) {
			cli_printf("%s %s %s\n", e->id, date, e->title); /* texts of anyone who pushed */
			continue;
		}
		cli_printf("%scommit %s\nAuthor: %s\nDate:   %s\n\n    %s\n", i ? "\n" : "", e->id, e->author, date, e->title);
		if (*e->message) {
			const char *p = e->message;
			putchar('\n');
			while (*p) {
				size_t n = strcspn(p, "\n");
				cli_printf("    %.*s\n", (int)n, p);
				p += n + (p[n] == '\n');
			}
		}
	}
	rc = CLI_EXIT_OK;
done:
	hfds_store_log_free(log);
	hfds_hub_free(hub);
	return rc;
}
