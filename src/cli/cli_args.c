/*
 * The option loop every repository command shares. Values come as "--name VALUE" or
 * "--name=VALUE"; messages are the same for every command so scripts can match them.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* The option of `opts` that `a` names (its long name, alias, or "--name=" prefix), else NULL;
 * *inline_value is the text after '=' when there is one. */
static const cli_opt *find(const cli_opt *opts, const char *a, const char **inline_value)
{
	*inline_value = NULL;
	for (const cli_opt *o = opts; o->name; o++) {
		size_t n = strlen(o->name);
		if (!strcmp(a, o->name) || (o->alias && !strcmp(a, o->alias)))
			return o;
		if (o->value && !strncmp(a, o->name, n) && a[n] == '=') {
			*inline_value = a + n + 1;
			return o;
		}
	}
	return NULL;
}

int cli_parse(const char *cmd, int argc, char **argv, const cli_opt *opts, const char *help, const char **pos,
	int max_pos, int *npos)
{
	*npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		const cli_opt *o;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(help, stdout);
			return CLI_PARSE_HELP;
		}
		if ((o = find(opts, a, &v)) != NULL) {
			if (!o->value) {
				*o->flag = 1;
				continue;
			}
			if (!v) {
				if (i + 1 >= argc)
					return cli_usage_error(cmd, "%s needs a value", a);
				v = argv[++i];
			}
			*o->value = v;
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error(cmd, "unknown option '%s'", a);
		} else if (*npos < max_pos) {
			pos[(*npos)++] = a;
		} else {
			return cli_usage_error(cmd, "unexpected argument '%s'", a);
		}
	}
	return CLI_EXIT_OK;
}
