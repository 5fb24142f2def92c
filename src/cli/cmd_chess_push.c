/*
 * `hfds chess push`: options and printing around hfds_chess_publish (hfds/publish.h), which
 * samples, writes and commits the batches, and plans --resume.
 */
#include "cli.h"
#include "hfds/chess.h"
#include "hfds/dataset.h"
#include "hfds/hub.h"
#include "hfds/parquet.h"
#include "hfds/publish.h"
#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_chess_push(int argc, char **argv);
int hfds_cli_chess_sample_opt(const char *cmd, int argc, char **argv, int *i, hfds_chess_sample_opts *o,
	int *recursive);

static const char *push_usage =
	"usage: hfds chess push --repo REPO --data-path PATH... [--batches N] [--batch-size N]\n"
	"                       [--train-ratio R] [--sampler S] [--seed N] [--workers N]\n"
	"                       [--window-size N] [--min-elo X] [--subsample X] [--min-ply N]\n"
	"                       [--max-ply N] [--recursive] [--dry-run [--out DIR]] [--resume]\n"
	"                       [--tag NAME] [--private] [--codec C] [--endpoint E]\n"
	"                       [--upload-workers N]\n"
	"\n"
	"Defaults: --batches 3, --batch-size 100000, --train-ratio 0.95, --sampler ply-curve,\n"
	"--seed 0, --window-size 10, --codec zstd. Each batch is one commit adding\n"
	"train/batch_NNNNNN.parquet, test/batch_NNNNNN.parquet and the card. --dry-run writes\n"
	"the batches to --out (or a temporary folder) and publishes nothing.\n";

static void on_event(void *ctx, const hfds_chess_publish_event *ev)
{
	const hfds_chess_publish_opts *o = ctx;
	int tty = isatty(STDERR_FILENO);
	double dt = ev->seconds > 0 ? ev->seconds : 1e-9;
	switch (ev->kind) {
	case HFDS_CHESS_PUBLISH_START:
		if (ev->existing)
			fprintf(stderr, "hfds chess push: %llu batch(es) in the repo; resuming with batch %llu\n",
				(unsigned long long)ev->existing, (unsigned long long)ev->batch);
		break;
	case HFDS_CHESS_PUBLISH_PROGRESS:
		if (tty)
			fprintf(stderr, "\r%llu games (%.0f games/s), %llu positions, batch %llu: %zu rows",
				(unsigned long long)ev->stats->games, ev->stats->games / dt,
				(unsigned long long)ev->stats->positions, (unsigned long long)ev->batch, ev->rows);
		break;
	case HFDS_CHESS_PUBLISH_PARTIAL:
		fprintf(stderr, "%shfds chess push: warning: the input ran out; publishing a partial batch of %zu rows\n",
			tty ? "\r" : "", ev->rows);
		break;
	case HFDS_CHESS_PUBLISH_BATCH:
		fprintf(stderr, "%sbatch %llu: %zu train + %zu test rows%s%s (%llu games, %.0f games/s)\n", tty ? "\r" : "",
			(unsigned long long)ev->batch, ev->train_rows, ev->test_rows, o->out_dir ? "" : ", commit ",
			o->out_dir ? "" : ev->sha, (unsigned long long)ev->stats->games, ev->stats->games / dt);
		break;
	}
}

static void on_problem(void *ctx, const char *msg)
{
	(void)ctx;
	cli_eprintf("%s\n", msg);
}

int cmd_chess_push(int argc, char **argv)
{
	hfds_chess_publish_opts o;
	hfds_chess_publish_result res;
	hfds_hub *hub = NULL;
	const char *out_dir = NULL, *endpoint = NULL;
	char **inputs = NULL, **paths = NULL, tmpl[] = "/tmp/hfds-chess-dry-XXXXXX";
	size_t ninputs = 0, npaths = 0;
	int i, recursive = 0, in_data = 0, dry_run = 0, was_missing = 0, code = CLI_EXIT_OK;
	long long v;
	uint64_t upload_workers = 0;
	hfds_error err;
	hfds_error_init(&err);
	hfds_chess_publish_opts_init(&o);
	memset(&res, 0, sizeof(res));
	o.on_event = on_event;
	o.on_problem = on_problem;
	o.ctx = &o;
	inputs = calloc((size_t)argc + 1, sizeof(char *));
	if (!inputs)
		return CLI_EXIT_ERROR;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int k = hfds_cli_chess_sample_opt("chess push", argc, argv, &i, &o.sample, &recursive);
		if (k < 0)
			goto usage;
		if (k) {
			in_data = 0;
			continue;
		}
		if (!strcmp(a, "--help")) {
			fputs(push_usage, stdout);
			free(inputs);
			return CLI_EXIT_OK;
		} else if (!strcmp(a, "--data-path")) {
			in_data = 1;
			continue;
		} else if (!strcmp(a, "--dry-run")) {
			dry_run = 1;
		} else if (!strcmp(a, "--resume")) {
			o.resume = 1;
		} else if (!strcmp(a, "--private")) {
			o.is_private = 1;
		} else if (val && !strcmp(a, "--repo")) {
			o.repo_id = argv[++i];
		} else if (val && !strcmp(a, "--tag")) {
			o.tag = argv[++i];
		} else if (val && !strcmp(a, "--endpoint")) {
			endpoint = argv[++i];
		} else if (val && !strcmp(a, "--codec")) {
			if (hfds_pq_codec_parse(argv[++i], &o.codec, &err) < 0) {
				cli_usage_error("chess push", "--codec: %s", err.message);
				goto usage;
			}
		} else if (val && !strcmp(a, "--out")) {
			out_dir = argv[++i];
		} else if (val && !strcmp(a, "--batches")) {
			if (cli_int("chess push", a, argv[++i], 1, 1000000, &v) != CLI_EXIT_OK)
				goto usage;
			o.batches = (uint64_t)v;
		} else if (val && !strcmp(a, "--batch-size")) {
			if (cli_int("chess push", a, argv[++i], 1, 100000000, &v) != CLI_EXIT_OK)
				goto usage;
			o.batch_size = (size_t)v;
		} else if (val && !strcmp(a, "--upload-workers")) {
			if (cli_int("chess push", a, argv[++i], 1, 64, &v) != CLI_EXIT_OK)
				goto usage;
			upload_workers = (uint64_t)v;
		} else if (val && (!strcmp(a, "--workers") || !strcmp(a, "--window-size"))) {
			if (cli_int("chess push", a, argv[++i], 1, 1024, &v) != CLI_EXIT_OK)
				goto usage;
			if (!strcmp(a, "--workers"))
				o.threads = (int)v;
			else
				o.window = (int)v;
		} else if (val && !strcmp(a, "--train-ratio")) {
			if (cli_real("chess push", a, argv[++i], 0, 1, 1, 1, &o.train_ratio) != CLI_EXIT_OK)
				goto usage;
		} else if (in_data && (a[0] != '-' || !a[1])) {
			inputs[ninputs++] = argv[i];
			continue;
		} else {
			cli_usage_error("chess push", "unexpected argument '%s'", a);
			goto usage;
		}
		in_data = 0;
	}
	if (!o.repo_id || !*o.repo_id || !ninputs) {
		cli_usage_error("chess push", "--repo and --data-path are required");
		goto usage;
	}
	if (hfds_hub_repo_id_check(o.repo_id, &err) < 0)
		goto fail;
	if (hfds_chess_expand_paths(&paths, &npaths, inputs, ninputs, recursive, &err) < 0)
		goto fail;
	o.threads = cli_threads(o.threads);
	cli_clean_staging_on_signals();
	if (dry_run) {
		if (!out_dir && !(out_dir = mkdtemp(tmpl))) {
			hfds_error_set(&err, HFDS_EIO, "cannot create a temporary folder");
			goto fail;
		}
		o.out_dir = out_dir;
		fprintf(stderr, "hfds chess push: dry run into %s (nothing is published)\n", out_dir);
	} else {
		if (hfds_hub_open(&hub, endpoint, &err) < 0)
			goto fail;
		hfds_hub_set_upload_workers(hub, (unsigned)upload_workers);
		fprintf(stderr, "hfds chess push: %s on %s\n", o.repo_id, hfds_hub_where(hub));
		was_missing = cli_repo_missing(hub, o.repo_id);
	}
	if (hfds_chess_publish(hub, paths, npaths, &o, &res, &err) < 0)
		goto fail;
	if (res.batches < o.batches)
		fprintf(stderr, "hfds chess push: warning: %llu of %llu batch(es) published\n",
			(unsigned long long)res.batches, (unsigned long long)o.batches);
	printf("%s%s: %llu batch(es), %llu train + %llu test rows from %llu games (%llu bad, %llu skipped)%s%s%s\n",
		dry_run ? "dry run " : "", dry_run ? out_dir : o.repo_id, (unsigned long long)res.batches,
		(unsigned long long)res.rows_train, (unsigned long long)res.rows_test, (unsigned long long)res.stats.games,
		(unsigned long long)res.stats.bad_games,
		(unsigned long long)(res.stats.skipped_variant + res.stats.skipped_setup),
		res.last_sha[0] ? ", commit " : "", res.last_sha, o.tag && !dry_run ? ", tagged" : "");
	goto out;
usage:
	code = CLI_EXIT_USAGE;
	goto out;
fail:
	code = cli_fail(&err);
out:
	if (code != CLI_EXIT_OK && hub)
		cli_repo_abandon(hub, o.repo_id, was_missing); /* a failed first push leaves no empty repo */
	free(inputs);
	hfds_chess_paths_free(paths);
	hfds_hub_free(hub);
	return code;
}
