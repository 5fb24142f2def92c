/*
 * hfds cat FILE [--limit N] [--columns a,b] [--no-verify-crc]: the file's rows as canonical
 * JSON Lines, streamed one row group at a time.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hfds/parquet_reader.h"
#include "hfds/stream.h"
#include "util/alloc.h"

static const char usage[] =
	"usage: hfds cat FILE [--limit N] [--columns a,b] [--row-groups i,j] [--threads N] [--no-verify-crc]\n"
	"Print the rows of a Parquet file as JSON Lines (canonical row format). FILE may be\n"
	"hf://datasets/NS/NAME[@REV]/PATH (hub from HF_ENDPOINT) or a resolve URL: read with\n"
	"ranged reads, the footer and the chosen columns' chunks only.\n";

int cli_split_columns(char *s, const char ***out, size_t *n)
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

static int write_all(const char *p, size_t len, hfds_error *err)
{
	while (len > 0) {
		ssize_t w = write(STDOUT_FILENO, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return hfds_error_set(err, HFDS_EIO, "writing to stdout failed: %s", strerror(errno));
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Writes the formatter's text to stdout once it holds at least `min` bytes (all of it when
 * min is 0), with write(2) in big pieces: stdio would copy every byte once more. */
static int write_text(hfds_pq_rowfmt *fmt, size_t min, hfds_error *err)
{
	size_t len;
	const char *p = hfds_pq_rowfmt_text(fmt, &len);
	if (len < min || len == 0)
		return 0;
	if (write_all(p, len, err) < 0)
		return HFDS_EIO;
	hfds_pq_rowfmt_clear(fmt);
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
	hfds_remote_file *remote = NULL;
	hfds_pq_rowfmt *fmt = NULL;
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
	if (cols && cli_split_columns(cols, (const char ***)&so.columns, &so.ncolumns) < 0) {
		hfds_error_set(&err, HFDS_ENOMEM, "out of memory");
		goto fail;
	}
	if (hfds_remote_url_is(path)) {
		if (hfds_remote_file_open(&remote, path, &opt, &err) < 0)
			goto fail;
		r = hfds_remote_file_reader(remote);
	} else if (hfds_pq_reader_open_path(&r, path, &opt, &err) < 0) {
		goto fail;
	}
	if (hfds_pq_reader_scan(r, &so, &st, &err) < 0)
		goto fail;
	if (st.get_schema(&st, &schema) != 0) {
		hfds_error_set(&err, HFDS_ENOMEM, "out of memory");
		goto fail;
	}
	if (hfds_pq_rowfmt_new(&fmt, &schema, &err) < 0)
		goto fail;
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
		/* format in slices and write each in one call, so the text buffer stays ~1 MiB */
		for (int64_t k = 0; k < n; k += 2048) {
			int64_t e = k + 2048 < n ? k + 2048 : n;
			if (hfds_pq_rowfmt_append(fmt, &batch, k, e, &err) < 0 || write_text(fmt, 1 << 20, &err) < 0) {
				batch.release(&batch);
				goto fail;
			}
		}
		printed += n;
		batch.release(&batch);
	}
	if (write_text(fmt, 0, &err) < 0)
		goto fail;
	goto done;
fail:
	if (fmt) { /* the complete rows before the failure are still printed, as they were read */
		size_t len;
		const char *text = hfds_pq_rowfmt_text(fmt, &len);
		const char *nl = len ? memrchr(text, '\n', len) : NULL;
		hfds_error ignored;
		hfds_error_init(&ignored);
		if (nl)
			write_all(text, (size_t)(nl - text) + 1, &ignored);
	}
	code = cli_fail(&err);
done:
	hfds_pq_rowfmt_free(fmt);
	if (schema.release)
		schema.release(&schema);
	if (st.release)
		st.release(&st);
	if (remote)
		hfds_remote_file_free(remote);
	else
		hfds_pq_reader_free(r);
	hfds_free((void *)so.columns);
	hfds_free(rgs);
	return code;
}
