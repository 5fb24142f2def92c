/*
 * `hfds stream NS/NAME`: a split's rows as JSON Lines on stdout, read over the hub a row
 * group at a time (the next one prefetched meanwhile). With --state FILE a writer child
 * process (stream_writer.c) owns stdout and FILE: it writes each piece of rows, then saves the
 * position after it, so a kill -9 of hfds at any instant leaves FILE matching what stdout
 * took, and a rerun continues there, at the same commit.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/file.h>

#include "hfds/stream.h"
#include "hfds/parquet_reader.h"
#include "stream_writer.h"
#include "util/alloc.h"

static const char stream_help[] =
	"usage: hfds stream NS/NAME [--config C] [--split S] [--columns a,b] [--limit N]\n"
	"                   [--revision R] [--state FILE] [--endpoint E]\n"
	"\n"
	"Write the rows of a split as JSON Lines to stdout, in the order load_dataset(...,\n"
	"streaming=True) yields them: the card's data_files for the config and split, file by\n"
	"file, one row group at a time through ranged reads (the footer, then only the chosen\n"
	"columns). With --state FILE the position (commit, file, row group, row) is saved with\n"
	"every piece of rows written; running the same command again continues after the last\n"
	"row written, at the same commit, even if the repository has new commits. The rows and\n"
	"FILE are written by a child process that writes each piece (whole rows, at most 4096\n"
	"bytes unless one row is longer), then saves the position after it: a kill -9 of hfds,\n"
	"Ctrl-C or SIGTERM at any moment leaves FILE matching exactly what stdout took (the child\n"
	"finishes the rows it was handed, then exits), so the rerun prints exactly the rows not\n"
	"yet printed. A rerun started while that child still writes waits for it. If the reader\n"
	"closes stdout, hfds exits 0 and FILE holds what the pipe took. (A kill -9 that also\n"
	"reaches the child, e.g. of the whole process group, may repeat the rows of its last\n"
	"write.)\n"
	"With --format arrow the position is saved after each whole batch; a resumed run\n"
	"starts a new IPC stream at the first batch not written whole.\n"
	"\n"
	"options:\n"
	"  --config C      config name (default: the card's default)\n"
	"  --split S       split name (default train)\n"
	"  --columns a,b   only these top-level columns\n"
	"  --limit N       stop after N rows (this run)\n"
	"  --revision R    branch, tag or commit (default main); a --state position wins\n"
	"  --state FILE    resume from and save the position to FILE\n"
	"  --format F      jsonl (default) or arrow: an Arrow IPC stream of one record batch per\n"
	"                  row group (pipe it into pyarrow, polars or DuckDB); not with --limit\n"
	"  --endpoint E    https:// URL, or a directory / file:// URL of an embedded hub\n"
	"\n"
	"examples:\n"
	"  hfds stream alice/chess-positions --split test --columns fen,result --limit 10\n"
	"  hfds stream alice/chess-positions --state run.state | python train.py\n";

/*
 * Opens FILE (created if missing) and takes its lock, waiting for the writer of an earlier
 * run that was killed and still finishes its rows; then reads the position. *have = 0 for an
 * empty file (new, or created by a run killed before its first row).
 */
static int open_state(const char *path, int *fd_out, hfds_stream_pos *pos, int *have)
{
	char text[CLI_STATE_RECORD + 1];
	ssize_t n;
	hfds_error err;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	*have = 0;
	if (fd < 0)
		return cli_usage_error("stream", "cannot open --state %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			cli_eprintf("hfds stream: waiting for the writer of an earlier run to finish with %s\n", path);
		while (flock(fd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				close(fd);
				return cli_usage_error("stream", "cannot lock --state %s: %s", path, strerror(errno));
			}
		}
	}
	while ((n = pread(fd, text, sizeof(text), 0)) < 0 && errno == EINTR)
		;
	if (n < 0) {
		close(fd);
		return cli_usage_error("stream", "cannot read --state %s: %s", path, strerror(errno));
	}
	hfds_error_init(&err);
	if (n > 0 && hfds_stream_pos_parse(pos, text, (size_t)n, &err) < 0) {
		close(fd);
		return cli_usage_error("stream", "%s: not a stream state: %s", path, err.message);
	}
	*have = n > 0;
	*fd_out = fd;
	return 0;
}

/* The record the writer saves: the position's line, then newlines up to CLI_STATE_RECORD
 * bytes, so one pwrite() replaces the whole record in place. */
static void state_record(const hfds_stream_pos *pos, char rec[CLI_STATE_RECORD])
{
	size_t n = hfds_stream_pos_format(pos, rec, CLI_STATE_RECORD);
	memset(rec + n, '\n', CLI_STATE_RECORD - n);
}

static int write_fd(const char *p, size_t n, hfds_error *err)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return hfds_error_set(err, HFDS_EIO, "writing to stdout failed: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * JSON Lines with --state: the text is cut into pieces of whole rows of at most PIPE_BUF
 * bytes (or one longer row), each handed to the writer child with the position after it.
 * The child writes a piece, then saves its record (stream_writer.c); so the saved position
 * follows stdout within one piece, whatever kills hfds and when.
 */
static int put_rows_exact(cli_stream_writer *w, const char *text, size_t len, int64_t first, int64_t length,
	const hfds_stream_pos *at, hfds_error *err)
{
	size_t p = 0;
	int64_t k = first;
	while (p < len) {
		size_t q = p;
		int64_t rows = 0;
		hfds_stream_pos next = *at;
		char rec[CLI_STATE_RECORD];
		int rc;
		do {
			const char *nl = memchr(text + q, '\n', len - q);
			size_t row_end = nl ? (size_t)(nl - text) + 1 : len;
			if (rows && row_end - p > PIPE_BUF)
				break;
			q = row_end;
			rows++;
		} while (q < len);
		k += rows;
		if (k == length) {
			next.row_group++;
			next.row = 0;
		} else {
			next.row = (uint64_t)k;
		}
		state_record(&next, rec);
		if ((rc = cli_stream_writer_put(w, text + p, q - p, rec, err)) < 0)
			return rc;
		p = q;
	}
	return 0;
}

/* Bytes of an Arrow IPC message for stdout: through the writer child in frames of at most
 * 1 MiB (it holds a frame whole before writing it), else straight to stdout. */
#define ARROW_FRAME (1u << 20)

static int write_piece(void *ctx, const void *data, size_t len, hfds_error *err)
{
	cli_stream_writer *w = ctx;
	const char *p = data;
	if (!w)
		return write_fd(data, len, err);
	while (len) {
		size_t n = len < ARROW_FRAME ? len : ARROW_FRAME;
		int rc = cli_stream_writer_put(w, p, n, NULL, err);
		if (rc < 0)
			return rc;
		p += n;
		len -= n;
	}
	return 0;
}

/* Without --state: JSON Lines text and the IPC schema through stdio. */
static int put(const uint8_t *data, size_t len, hfds_error *err)
{
	if (fwrite(data, 1, len, stdout) != len)
		return hfds_error_set(err, HFDS_EIO, "writing to stdout failed");
	return 0;
}

/* Arrow IPC: the schema message before the first batch, then one record batch per row
 * group; with --state the position after the batch follows its last byte. */
static int write_arrow(const struct ArrowSchema *schema, const struct ArrowArray *batch, int64_t first,
	const hfds_stream_pos *at, cli_stream_writer *w, int *started, hfds_error *err)
{
	hfds_stream_pos next = *at;
	char rec[CLI_STATE_RECORD];
	uint8_t *msg = NULL;
	size_t len = 0;
	int rc;
	if (first != 0)
		return hfds_error_set(err, HFDS_EUNSUPPORTED,
			"--format arrow resumes at row group boundaries; this state is inside row group %llu",
			(unsigned long long)at->row_group);
	if (!*started) {
		if ((rc = hfds_stream_ipc_schema(schema, &msg, &len, err)) == 0)
			rc = w ? write_piece(w, msg, len, err) : put(msg, len, err);
		hfds_free(msg);
		if (rc < 0)
			return rc;
		*started = 1;
	}
	if (!w && fflush(stdout) != 0)
		return hfds_error_set(err, HFDS_EIO, "writing to stdout failed");
	if ((rc = hfds_stream_ipc_batch_write(schema, batch, write_piece, w, err)) < 0 || !w)
		return rc;
	next.row_group++;
	next.row = 0;
	state_record(&next, rec);
	return cli_stream_writer_put(w, NULL, 0, rec, err);
}

/* Writes rows [first, end) of a batch, formatted a slice of rows at a time with one formatter
 * per batch (the batch's schema is borrowed until the next batch, and the next file of the
 * split may bring another). Slices hold about SLICE_TEXT bytes of text (from 1 to 4096 rows,
 * adapted to the rows' length), so the text stays small beside the two row groups in memory. */
#define SLICE_TEXT (256u << 10)

static int write_rows(const struct ArrowSchema *schema, const struct ArrowArray *batch, int64_t first, int64_t end,
	const hfds_stream_pos *at, cli_stream_writer *w, hfds_error *err)
{
	hfds_pq_rowfmt *fmt = NULL;
	int64_t k, slice = 64;
	size_t len = 0;
	int rc = hfds_pq_rowfmt_new(&fmt, schema, err);
	for (k = first; rc == 0 && k < end; k += slice) {
		const char *text;
		if (k > first && slice > 1 && len > 2 * SLICE_TEXT)
			slice /= 2;
		else if (k > first && slice < 4096 && len < SLICE_TEXT / 2)
			slice *= 2;
		if (slice > end - k)
			slice = end - k;
		hfds_pq_rowfmt_clear(fmt);
		if ((rc = hfds_pq_rowfmt_append(fmt, batch, k, k + slice, err)) < 0)
			break;
		text = hfds_pq_rowfmt_text(fmt, &len);
		rc = w ? put_rows_exact(w, text, len, k, batch->length, at, err)
			: put((const uint8_t *)text, len, err);
	}
	hfds_pq_rowfmt_free(fmt);
	return rc;
}

/* Ends the writer child after the rows handed to it are written: 0, or 1 when the reader
 * closed stdout (a clean end: the record holds what it took), or an error. */
static int end_writer(cli_stream_writer *w, hfds_error *err)
{
	return w ? cli_stream_writer_finish(w, err) : 0;
}

int cmd_stream(int argc, char **argv)
{
	const char *endpoint = NULL, *pos[1], *limit_s = NULL, *state = NULL, *format = NULL, *cols_s = NULL;
	const char **cols = NULL;
	char *cols_buf = NULL, id[HFDS_REPO_ID_SIZE];
	int rc, npos, arrow = 0, started = 0, state_fd = -1, have_state = 0;
	long long limit = -1, printed = 0;
	hfds_stream_options so;
	hfds_stream_pos resume;
	hfds_hub *hub = NULL;
	hfds_stream *s = NULL;
	cli_stream_writer *w = NULL;
	hfds_error err;
	const char *rev = NULL;
	const cli_opt opts[] = {
		CLI_STR("--config", NULL, &so.config),
		CLI_STR("--split", NULL, &so.split),
		CLI_STR("--columns", NULL, &cols_s),
		CLI_STR("--limit", NULL, &limit_s),
		CLI_STR("--revision", NULL, &so.revision),
		CLI_STR("--state", NULL, &state),
		CLI_STR("--format", NULL, &format),
		CLI_STR("--endpoint", NULL, &endpoint),
		CLI_END,
	};
	hfds_stream_options_init(&so);
	hfds_error_init(&err);
	if ((rc = cli_parse("stream", argc, argv, opts, stream_help, pos, 1, &npos)) != CLI_EXIT_OK)
		return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : rc;
	if (npos < 1)
		return cli_usage_error("stream", "missing NS/NAME");
	if ((rc = cli_split_repo_rev("stream", pos[0], id, sizeof(id), &rev)) != 0)
		return rc;
	if (rev && !so.revision)
		so.revision = rev;
	if (format && strcmp(format, "jsonl") && strcmp(format, "arrow"))
		return cli_usage_error("stream", "--format '%s': jsonl or arrow", format);
	arrow = format && !strcmp(format, "arrow");
	if (arrow && limit_s)
		return cli_usage_error("stream", "--limit is not supported with --format arrow");
	if (limit_s) {
		char *end;
		limit = strtoll(limit_s, &end, 10);
		if (*end || limit < 0)
			return cli_usage_error("stream", "invalid --limit '%s'", limit_s);
	}
	if (state) {
		if ((rc = open_state(state, &state_fd, &resume, &have_state)) != 0)
			return rc;
		if (have_state)
			so.resume = &resume;
		/* before any thread: the child runs the single-threaded writer only */
		if (cli_stream_writer_start(&w, state_fd, &err) < 0)
			return cli_fail(&err);
	}
	if (cols_s) {
		if (!(cols_buf = hfds_strdup(cols_s)) || cli_split_columns(cols_buf, &cols, &so.ncolumns) < 0) {
			hfds_error_set(&err, HFDS_ENOMEM, "out of memory");
			goto fail;
		}
		so.columns = cols;
	}
	if ((rc = cli_open_hub(endpoint, &hub)) != 0)
		goto done;
	if (hfds_stream_open(&s, hub, id, &so, &err) < 0)
		goto fail;
	while (limit < 0 || printed < limit) {
		struct ArrowArray batch;
		const struct ArrowSchema *schema;
		int64_t first, end;
		hfds_stream_pos at;
		rc = hfds_stream_next(s, &batch, &schema, &first, &at, &err);
		if (rc == HFDS_ITEROVER)
			break;
		if (rc < 0)
			goto fail;
		end = batch.length;
		if (limit >= 0 && end - first > limit - printed)
			end = first + (limit - printed);
		rc = arrow ? write_arrow(schema, &batch, first, &at, w, &started, &err)
			: write_rows(schema, &batch, first, end, &at, w, &err);
		if (rc == 0 && w)
			rc = cli_stream_writer_flush(w, &err); /* the next batch may take a while */
		batch.release(&batch);
		if (rc == HFDS_ECANCELLED && w)
			break; /* the writer is gone: end_writer says why */
		if (rc < 0)
			goto fail;
		printed += end - first;
	}
	if (arrow && rc != HFDS_ECANCELLED) {
		static const uint8_t eos[8] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
		rc = w ? write_piece(w, eos, sizeof(eos), &err) : put(eos, sizeof(eos), &err);
		if (rc == 0 && !w && fflush(stdout) != 0)
			rc = hfds_error_set(&err, HFDS_EIO, "writing to stdout failed");
		if (rc < 0 && rc != HFDS_ECANCELLED)
			goto fail;
	}
	if (end_writer(w, &err) < 0)
		goto fail;
	rc = CLI_EXIT_OK;
	goto done;
fail:
	fflush(stdout);
	if (w) {
		/* the rows handed over before the error are written and recorded first */
		hfds_error later;
		hfds_error_init(&later);
		end_writer(w, &later);
	}
	rc = cli_fail(&err);
done:
	hfds_stream_free(s);
	hfds_hub_free(hub);
	cli_stream_writer_free(w);
	hfds_free(cols);
	hfds_free(cols_buf);
	return rc;
}
