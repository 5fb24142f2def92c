/*
 * `hfds stream NS/NAME`: a split's rows as JSON Lines on stdout, read over the hub a row
 * group at a time (the next one prefetched meanwhile). With --state FILE the position is
 * saved before each piece of rows is written, in the order described at write_rows_exact,
 * and a rerun continues there, at the same commit.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hfds/stream.h"
#include "hfds/parquet_reader.h"
#include "util/alloc.h"

static const char stream_help[] =
	"usage: hfds stream NS/NAME [--config C] [--split S] [--columns a,b] [--limit N]\n"
	"                   [--revision R] [--state FILE] [--endpoint E]\n"
	"\n"
	"Write the rows of a split as JSON Lines to stdout, in the order load_dataset(...,\n"
	"streaming=True) yields them: the card's data_files for the config and split, file by\n"
	"file, one row group at a time through ranged reads (the footer, then only the chosen\n"
	"columns). With --state FILE the position (commit, file, row group, row) is saved after\n"
	"each batch written; running the same command again continues after the last saved row,\n"
	"at the same commit, even if the repository has new commits. JSON Lines are written in\n"
	"pieces of whole rows of at most 4096 bytes, each one write() made once stdout can take\n"
	"it without blocking and the position after it is saved: a kill -9 while hfds fetches,\n"
	"decodes or waits for the reader continues with exactly the rows the reader did not get,\n"
	"and no kill repeats a row; a kill inside the two system calls that save and write a\n"
	"piece loses that piece (likelier when hfds outpaces its reader; rows longer than 4096\n"
	"bytes may be cut).\n"
	"With --format arrow the position is saved after each batch is written.\n"
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

/* Reads the position from FILE; 1 when FILE does not exist. */
static int load_state(const char *path, hfds_stream_pos *pos)
{
	char text[256];
	size_t n;
	hfds_error err;
	FILE *f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 1 : cli_usage_error("stream", "cannot read --state %s: %s", path, strerror(errno));
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (n == 0)
		return 1; /* created by a run killed before its first row */
	hfds_error_init(&err);
	if (hfds_stream_pos_parse(pos, text, n, &err) < 0)
		return cli_usage_error("stream", "%s: not a stream state: %s", path, err.message);
	return 0;
}

/*
 * The state file holds one fixed-size record, rewritten in place with one pwrite(): the
 * line, then newlines up to STATE_RECORD bytes. A process killed at any instant leaves the
 * old record or the new one (the kernel copies a pwrite of one page into the page cache
 * before it acts on a SIGKILL), and one short system call is the cheapest commit there is.
 */
#define STATE_RECORD 128

static int save_state(int fd, const hfds_stream_pos *pos, hfds_error *err)
{
	char rec[STATE_RECORD];
	size_t n = hfds_stream_pos_format(pos, rec, sizeof(rec));
	memset(rec + n, '\n', sizeof(rec) - n);
	if (pwrite(fd, rec, sizeof(rec), 0) != (ssize_t)sizeof(rec))
		return hfds_error_set(err, HFDS_EIO, "cannot save the stream state: %s", strerror(errno));
	return 0;
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
 * Exact resume (--state, JSON Lines). The saved position must be the rows the reader got,
 * but writing to a pipe and saving a file are two system calls and a kill -9 can fall
 * between them; no ordering closes that for a pipe, whose reader cannot give rows back. So
 * the window is made as small as it can be and never contains a wait: wait until stdout can
 * take the next piece without blocking (poll: a pipe with a free page), save the position
 * after the piece (one pwrite), then one write() of the piece. A piece is whole rows of at
 * most PIPE_BUF bytes (or one longer row); POSIX makes such a write to a pipe all or
 * nothing, and with room in the pipe it neither blocks nor stops for a signal. Fetching,
 * decoding, formatting and waiting (for the reader or the prefetch thread) all happen outside
 * the window, so a kill there resumes with exactly the rows the reader did not get, and no
 * kill ever repeats a row. A kill inside the window (the pwrite and the instant before the
 * write) loses that piece (at most 4096 bytes of rows). The window is short but not rare
 * when hfds outpaces its reader and spends its time in these two calls: 1 of about 35 kills
 * at random moments of such a run hit it in our tests; with a slower reader (training) hfds
 * waits in poll nearly all the time. Rows longer than PIPE_BUF take several copies and may be
 * cut by a kill while the reader is slow.
 */
static int write_rows_exact(const char *text, size_t len, int64_t first, int64_t length,
	const hfds_stream_pos *at, int state, hfds_error *err)
{
	size_t p = 0;
	int64_t k = first;
	while (p < len) {
		size_t q = p;
		int64_t rows = 0;
		hfds_stream_pos next = *at;
		struct pollfd pf = { STDOUT_FILENO, POLLOUT, 0 };
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
		while (poll(&pf, 1, -1) < 0 && errno == EINTR)
			;
		if ((rc = save_state(state, &next, err)) < 0 || (rc = write_fd(text + p, q - p, err)) < 0)
			return rc;
		p = q;
	}
	return 0;
}

static int write_piece(void *ctx, const void *data, size_t len, hfds_error *err)
{
	(void)ctx;
	return write_fd(data, len, err);
}

/* Arrow IPC: the schema message before the first batch, then one record batch per row group. */
static int put(const uint8_t *data, size_t len, hfds_error *err)
{
	if (fwrite(data, 1, len, stdout) != len)
		return hfds_error_set(err, HFDS_EIO, "writing to stdout failed");
	return 0;
}

static int write_arrow(const struct ArrowSchema *schema, const struct ArrowArray *batch, int64_t first,
	const hfds_stream_pos *at, int state, int *started, hfds_error *err)
{
	hfds_stream_pos next = *at;
	uint8_t *msg = NULL;
	size_t len = 0;
	int rc;
	if (first != 0)
		return hfds_error_set(err, HFDS_EUNSUPPORTED,
			"--format arrow resumes at row group boundaries; this state is inside row group %llu",
			(unsigned long long)at->row_group);
	if (!*started) {
		if ((rc = hfds_stream_ipc_schema(schema, &msg, &len, err)) == 0)
			rc = put(msg, len, err);
		hfds_free(msg);
		if (rc < 0)
			return rc;
		*started = 1;
	}
	if (fflush(stdout) != 0)
		return hfds_error_set(err, HFDS_EIO, "writing to stdout failed");
	if ((rc = hfds_stream_ipc_batch_write(schema, batch, write_piece, NULL, err)) < 0)
		return rc;
	next.row_group++;
	next.row = 0;
	return state >= 0 ? save_state(state, &next, err) : 0;
}

/* Writes rows [first, end) of a batch, formatted a slice of rows at a time with one formatter
 * per batch (the batch's schema is borrowed until the next batch, and the next file of the
 * split may bring another). Slices hold about SLICE_TEXT bytes of text (from 1 to 4096 rows,
 * adapted to the rows' length), so the text stays small beside the two row groups in memory. */
#define SLICE_TEXT (256u << 10)

static int write_rows(const struct ArrowSchema *schema, const struct ArrowArray *batch, int64_t first, int64_t end,
	const hfds_stream_pos *at, int state, hfds_error *err)
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
		rc = state >= 0 ? write_rows_exact(text, len, k, batch->length, at, state, err)
			: put((const uint8_t *)text, len, err);
	}
	hfds_pq_rowfmt_free(fmt);
	return rc;
}

int cmd_stream(int argc, char **argv)
{
	const char *endpoint = NULL, *pos[1], *limit_s = NULL, *state = NULL, *format = NULL, *cols_s = NULL;
	const char **cols = NULL;
	char *cols_buf = NULL, id[HFDS_REPO_ID_SIZE];
	int rc, npos, arrow = 0, started = 0, state_fd = -1;
	long long limit = -1, printed = 0;
	hfds_stream_options so;
	hfds_stream_pos resume;
	hfds_hub *hub = NULL;
	hfds_stream *s = NULL;
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
		if ((rc = load_state(state, &resume)) < 0 || rc > 1)
			return rc;
		if (rc == 0)
			so.resume = &resume;
		if ((state_fd = open(state, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
			return cli_usage_error("stream", "cannot write --state %s: %s", state, strerror(errno));
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
		rc = arrow ? write_arrow(schema, &batch, first, &at, state_fd, &started, &err)
			: write_rows(schema, &batch, first, end, &at, state_fd, &err);
		batch.release(&batch);
		if (rc < 0)
			goto fail;
		printed += end - first;
	}
	if (arrow) {
		static const uint8_t eos[8] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
		if (fwrite(eos, 1, sizeof(eos), stdout) != sizeof(eos) || fflush(stdout) != 0) {
			hfds_error_set(&err, HFDS_EIO, "writing to stdout failed");
			goto fail;
		}
	}
	rc = CLI_EXIT_OK;
	goto done;
fail:
	fflush(stdout);
	rc = cli_fail(&err);
done:
	hfds_stream_free(s);
	hfds_hub_free(hub);
	if (state_fd >= 0)
		close(state_fd);
	hfds_free(cols);
	hfds_free(cols_buf);
	return rc;
}
