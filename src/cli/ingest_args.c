/* Input options for JSON Lines and CSV sources (push and convert take the same ones). */
#include "ingest_args.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hfds/dataset.h"

const char cli_ingest_help[] =
	"input options (JSON Lines and CSV; .gz/.zst inputs and '-' for stdin are read as streams):\n"
	"  --format jsonl|csv   input format (default: CSV for *.csv/*.tsv, else JSON Lines)\n"
	"  --delimiter C        CSV field separator (default ',', tab for .tsv; 'tab' or '\\t')\n"
	"  --null-value S       CSV text read as null when unquoted (default: empty field)\n"
	"  --no-header          CSV without a header row (columns column0, column1, ...)\n"
	"  --ignore-extra       drop JSON keys / CSV columns that are not in the features\n"
	"                       (counted on stderr) instead of failing\n"
	"  --max-line SIZE      longest line or record accepted (default 256MiB)\n"
	"  --block-size SIZE    input bytes per batch and thread (default 8MiB; input denser\n"
	"                       than its Arrow form, as CSV of small numbers, is cut smaller\n"
	"                       so that a batch stays within the size)\n"
	"  --row-group-size SIZE\n"
	"                       uncompressed bytes per Parquet row group (default: half the\n"
	"                       block size); with the defaults peak memory stays within\n"
	"                       2 x block x threads + 64 MB whatever the input size\n";

static int size_arg(const char *cmd, const char *name, const char *v, size_t *out)
{
	uint64_t n;
	hfds_error err;
	hfds_error_init(&err);
	if (hfds_ds_parse_size(v, &n, &err) < 0 || n == 0 || n > ((uint64_t)1 << 40))
		return cli_usage_error(cmd, "%s: %s", name, err.code ? err.message : "must be between 1 byte and 1TiB");
	*out = (size_t)n;
	return 0;
}

size_t cli_ingest_row_group_bytes(const hfds_ingest_options *o, size_t row_group_bytes)
{
	return row_group_bytes ? row_group_bytes : o->block_bytes / 2;
}

int cli_ingest_arg(const char *cmd, int argc, char **argv, int *i, hfds_ingest_options *o, size_t *row_group_bytes)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	int takes = !strcmp(a, "--format") || !strcmp(a, "--delimiter") || !strcmp(a, "--null-value") ||
		!strcmp(a, "--max-line") || !strcmp(a, "--block-size") || !strcmp(a, "--row-group-size");
	if (!strcmp(a, "--no-header")) {
		o->header = 0;
		return 1;
	}
	if (!strcmp(a, "--ignore-extra")) {
		o->extra_keys = HFDS_INGEST_EXTRA_IGNORE;
		return 1;
	}
	if (!takes)
		return 0;
	if (!v)
		return cli_usage_error(cmd, "%s needs a value", a);
	(*i)++;
	if (!strcmp(a, "--format")) {
		if (!strcmp(v, "jsonl") || !strcmp(v, "json"))
			o->format = HFDS_INGEST_JSONL;
		else if (!strcmp(v, "csv"))
			o->format = HFDS_INGEST_CSV;
		else
			return cli_usage_error(cmd, "--format must be jsonl or csv, not '%s'", v);
	} else if (!strcmp(a, "--delimiter")) {
		if (!strcmp(v, "tab") || !strcmp(v, "\\t"))
			o->delimiter = '\t';
		else if (strlen(v) == 1 && v[0] != '"' && v[0] != '\n' && v[0] != '\r')
			o->delimiter = v[0];
		else
			return cli_usage_error(cmd, "--delimiter must be one character (not a quote or line break), not '%s'", v);
	} else if (!strcmp(a, "--null-value")) {
		o->null_value = v;
	} else if (!strcmp(a, "--max-line")) {
		if (size_arg(cmd, a, v, &o->max_line) != 0)
			return CLI_EXIT_USAGE;
	} else if (!strcmp(a, "--row-group-size")) {
		if (size_arg(cmd, a, v, row_group_bytes) != 0)
			return CLI_EXIT_USAGE;
	} else if (size_arg(cmd, a, v, &o->block_bytes) != 0) {
		return CLI_EXIT_USAGE;
	}
	return 1;
}

/*
 * The parse threads build each batch in their own glibc arena and the writer (another
 * thread) frees it: the parser's arena then trims its heap top and the next batch faults
 * the same pages in again, which on this kind of VM costs what new memory costs. With one
 * arena the freed batch is what the next one reuses: 2M JSON Lines rows at 2 threads take
 * 16k page faults instead of 23k, and 0.69 instead of 0.74 CPU s, at the same peak RSS
 * (bench/hub/README.md). The threads allocate a few large buffers per block, so sharing
 * the arena's lock costs nothing measurable.
 */
void cli_ingest_one_arena(void)
{
#if defined(__GLIBC__)
	mallopt(M_ARENA_MAX, 1);
#endif
}
