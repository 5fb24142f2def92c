/*
 * hfds cat FILE [--limit N] [--columns a,b] [--no-verify-crc]: the file's rows as canonical
 * JSON Lines, streamed one row group at a time.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hfds/parquet_reader.h"
#include "util/alloc.h"

static const char usage[] =
	"usage: hfds cat FILE [--limit N] [--columns a,b] [--row-groups i,j] [--threads N] [--no-verify-crc]\n"
	"Print the rows of a Parquet file as JSON Lines (canonical row format).\n";

static int split_columns(char *s, const char ***out, size_t *n)
{
	size_t cap = 1, k = 0;
	char *p;
	for (p = s; *p; p++)
		cap += *p == ',';
	*out = hfds_calloc(cap, sizeof **out);
	if (!*out)
		return -1;
	for (p = strtok(s, ","); p; p = strtok(NULL, ","))
		(*out)[k++] = p;
	*n = k;
	return 0;
}

/* "0,2,5" -> array (caller frees); -1 on a malformed list. */
static int parse_row_groups(const char *s, int **out, size_t *n)
{
	size_t cap = 1, k = 0;
	const char *p;
	for (p = s; *p; p++)
		cap += *p == ',';
	hfds_free(*out);
	if (!(*out = hfds_calloc(cap, sizeof **out)))
		return -1;
	for (p = s;;) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p || v < 0 || v > INT32_MAX || (*end && *end != ','))
			return -1;
		(*out)[k++] = (int)v;
		if (!*end)
			break;
		p = end + 1;
	}
	*n = k;
	return 0;
}

int cmd_cat(int argc, char **argv)
{
	int *rgs = NULL;
	const char *path = NULL;
	char *cols = NULL;
	long long limit = -1, printed = 0;
	hfds_pq_reader_options opt;
	hfds_pq_scan_options so;
	hfds_pq_reader *r = NULL;
	struct ArrowArrayStream st = {0};
	struct ArrowSchema schema = {0};
	hfds_error err;
	int code = CLI_EXIT_OK;
	hfds_error_init(&err);
	hfds_pq_reader_options_init(&opt);
	hfds_pq_scan_options_init(&so);
	const char *rg_text = NULL, *threads_text = NULL;
	int no_crc = 0, npos = 0, threads = 0;
	const cli_opt opts[] = {
		CLI_INT("--limit", NULL, &limit, 0, LLONG_MAX),
		CLI_STR("--columns", NULL, (const char **)&cols),
		CLI_STR("--row-groups", NULL, &rg_text),
		CLI_STR("--threads", NULL, &threads_text),
		CLI_FLAG("--no-verify-crc", NULL, &no_crc),
		CLI_END,
	};
	code = cli_parse("cat", argc, argv, opts, usage, &path, 1, &npos);
	if (code == CLI_PARSE_HELP) {
		code = CLI_EXIT_OK;
		goto done;
	}
	if (code == CLI_EXIT_OK && threads_text)
		code = cli_threads_arg("cat", threads_text, &threads);
	if (code == CLI_EXIT_OK && rg_text) {
		if (parse_row_groups(rg_text, &rgs, &so.nrow_groups) < 0)
			code = cli_usage_error("cat", "invalid --row-groups '%s'", rg_text);
		so.row_groups = rgs;
	}
	if (code == CLI_EXIT_OK && !path)
		code = cli_usage_error("cat", "missing FILE");
	if (code != CLI_EXIT_OK)
		goto done;
	opt.threads = cli_threads(threads);
	opt.verify_crc = !no_crc;
	if (cols && split_columns(cols, (const char ***)&so.columns, &so.ncolumns) < 0) {
		hfds_error_set(&err, HFDS_ENOMEM, "out of memory");
		goto fail;
	}
	if (hfds_pq_reader_open_path(&r, path, &opt, &err) < 0 || hfds_pq_reader_scan(r, &so, &st, &err) < 0)
		goto fail;
	if (st.get_schema(&st, &schema) != 0) {
		hfds_error_set(&err, HFDS_ENOMEM, "out of memory");
		goto fail;
	}
	while (limit < 0 || printed < limit) {
		struct ArrowArray batch;
		int64_t n;
		if (st.get_next(&st, &batch) != 0) {
			hfds_pq_stream_error(&st, &err);
			goto fail;
		}
		if (!batch.release)
			break;
		n = batch.length;
		if (limit >= 0 && n > limit - printed)
			n = limit - printed;
		/* format in slices so the text buffer stays small */
		for (int64_t k = 0; k < n; k += 4096) {
			int64_t e = k + 4096 < n ? k + 4096 : n;
			char *text;
			size_t len;
			if (hfds_pq_format_rows(&schema, &batch, k, e, &text, &len, &err) < 0) {
				batch.release(&batch);
				goto fail;
			}
			fwrite(text, 1, len, stdout);
			hfds_free(text);
		}
		printed += n;
		batch.release(&batch);
	}
	if (fflush(stdout) != 0) {
		hfds_error_set(&err, HFDS_EIO, "writing to stdout failed");
		goto fail;
	}
	goto done;
fail:
	fflush(stdout);
	code = cli_fail(&err);
done:
	if (schema.release)
		schema.release(&schema);
	if (st.release)
		st.release(&st);
	hfds_pq_reader_free(r);
	hfds_free((void *)so.columns);
	hfds_free(rgs);
	return code;
}
