/*
 * The option loop every command shares, and its strict numbers. Values come as "--name VALUE" or
 * "--name=VALUE"; messages are the same for every command so scripts can match them.
 */
#include "cli.h"
#include "util/clocale.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int cli_int(const char *cmd, const char *opt, const char *text, long long min, long long max, long long *out)
{
	const char *p = text;
	int neg = *p == '-';
	unsigned long long v = 0, limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	if (neg)
		p++;
	int ok = *p >= '0' && *p <= '9';
	for (; ok && *p; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (*p < '0' || *p > '9' || v > (limit - d) / 10)
			ok = 0;
		else
			v = v * 10 + d;
	}
	long long x = 0;
	if (ok)
		x = neg ? (v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v) : (long long)v;
	if (!ok || x < min || x > max)
		return cli_usage_error(cmd, "%s: expected an integer from %lld to %lld, found '%s'", opt, min, max, text);
	*out = x;
	return CLI_EXIT_OK;
}

int cli_real(const char *cmd, const char *opt, const char *text, double min, int lo_open, double max, int hi_open,
	double *out)
{
	/* strtod alone would take "inf", "nan", hex floats and leading spaces */
	int ok = text[0] != '\0' && strspn(text, "0123456789.eE+-") == strlen(text) && text[strspn(text, "+-")] != '\0';
	char *end = NULL;
	double v = ok ? hfds_strtod_c(text, &end) : 0;
	if (!ok || *end || !isfinite(v) || (lo_open ? v <= min : v < min) || (hi_open ? v >= max : v > max))
		return cli_usage_error(cmd, "%s: expected a number %s %g and %s %g, found '%s'", opt,
			lo_open ? "above" : "from", min, hi_open ? "below" : "up to", max, text);
	*out = v;
	return CLI_EXIT_OK;
}

int cli_threads_arg(const char *cmd, const char *text, int *out)
{
	long long v;
	int rc = cli_int(cmd, "--threads", text, 0, CLI_THREADS_MAX, &v);
	if (rc == CLI_EXIT_OK)
		*out = (int)v;
	return rc;
}

/* The option of `opts` that `a` names (its long name, alias, or "--name=" prefix), else NULL;
 * *inline_value is the text after '=' when there is one. */
static const cli_opt *find(const cli_opt *opts, const char *a, const char **inline_value)
{
	*inline_value = NULL;
	for (const cli_opt *o = opts; o->name; o++) {
		size_t n = strlen(o->name);
		if (!strcmp(a, o->name) || (o->alias && !strcmp(a, o->alias)))
			return o;
		if ((o->value || o->num) && !strncmp(a, o->name, n) && a[n] == '=') {
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
			if (!o->value && !o->num) {
				*o->flag = 1;
				continue;
			}
			if (!v) {
				if (i + 1 >= argc)
					return cli_usage_error(cmd, "%s needs a value", a);
				v = argv[++i];
			}
			if (o->num) {
				int rc = cli_int(cmd, o->name, v, o->min, o->max, o->num);
				if (rc != CLI_EXIT_OK)
					return rc;
			} else {
				*o->value = v;
			}
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
