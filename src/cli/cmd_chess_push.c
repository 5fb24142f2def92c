/*
 * `hfds chess push`: sampled positions published as versioned batches. Each batch of
 * --batch-size rows is split by --train-ratio (first rows to train, no shuffle, as the
 * design says) and published as ONE commit adding train/batch_NNNNNN.parquet,
 * test/batch_NNNNNN.parquet and the updated card (the dataset writer's append layout:
 * configs globs, features, cumulative num_examples). The hub (repo, auth) is opened before
 * any PGN is read. --resume continues after the batches already in the repo: the numbering
 * follows them and the first (existing batches x batch size) sampled positions are skipped,
 * which continues the stream exactly when inputs, sampler, seed and batch size are the same.
 * Running out of games publishes the partial batch with a warning.
 * A publisher thread writes and commits batch k while the sampler fills batch k+1 (two
 * token buffers, at most one batch in flight), so commits stay in order.
 */
#include "cli.h"
#include "push_repo.h"
#include "hfds/chess.h"
#include "hfds/dataset.h"
#include "hfds/hub.h"
#include "hfds/parquet.h"
#include "hfds/store.h"
#include "util/alloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
	"\n"
	"Defaults: --batches 3, --batch-size 100000, --train-ratio 0.95, --sampler ply-curve,\n"
	"--seed 0, --window-size 10, --codec zstd. Each batch is one commit adding\n"
	"train/batch_NNNNNN.parquet, test/batch_NNNNNN.parquet and the card. --dry-run writes\n"
	"the batches to --out (or a temporary folder) and publishes nothing.\n";

typedef struct push_ctx {
	push_repo *repo;
	hfds_features *features;
	const char *out_dir;      /* dry run folder */
	int dry_run, workers, window, codec;
	size_t batch_size;
	double ratio;
	uint64_t batches_wanted, batches_done, batches_submitted, skip;
	int8_t *buf[2];           /* the sampler fills buf[cur]; the publisher owns the other */
	int cur;
	size_t n;
	/* publisher thread state, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int busy, quit, prc;
	const int8_t *job_tokens;
	size_t job_n;
	uint64_t job_games;
	hfds_error perr;
	char last_sha[41];
	uint64_t rows_train, rows_test;
	double t0;
	const hfds_chess_stats *stats;
} push_ctx;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int write_split(hfds_ds *ds, hfds_arrow_builder *b, const char *split, const int8_t *tok, size_t n,
	int window, hfds_error *err)
{
	/* rows go to the writer in small Arrow batches: each one's buffers stay cache-sized and
	 * are recycled by malloc (no page faults for a batch-sized copy of the window column) */
	enum { WRITE_ROWS = 4096 };
	struct ArrowArray a;
	size_t at, m;
	int rc = 0;
	if (n == 0)
		return hfds_ds_add_split(ds, "default", split, err);
	for (at = 0; at < n && rc == 0; at += m) {
		m = n - at < WRITE_ROWS ? n - at : WRITE_ROWS;
		if ((rc = hfds_chess_rows_batch(&a, b, tok + at * HFDS_CHESS_TOKENS, m, window, err)) < 0)
			return rc;
		rc = hfds_ds_write(ds, "default", split, &a, err);
		hfds_arrow_array_release(&a);
	}
	return rc;
}

static int publish_batch(push_ctx *c, const int8_t *tokens, size_t n, uint64_t games, hfds_error *err)
{
	hfds_ds_options o;
	hfds_ds_publish_options po;
	hfds_ds *ds = NULL;
	hfds_arrow_builder *b = NULL;
	char *staging = NULL, title[128];
	size_t ntrain = (size_t)((double)n * c->ratio);
	int rc;
	hfds_ds_options_init(&o);
	o.layout = HFDS_DS_LAYOUT_APPEND;
	o.threads = c->workers;
	o.set_default = 1;
	/* zstd: the repeated window compresses ~50x (snappy ~7x) and costs less CPU to encode;
	 * 16 MB row groups keep the writer's column buffers small enough to be recycled */
	o.codec = c->codec;
	o.row_group_bytes = 16000000u;
	if (!c->dry_run && (rc = push_repo_staging(&staging, c->repo, err)) < 0)
		return rc;
	if ((rc = hfds_ds_open(&ds, c->dry_run ? c->out_dir : staging, c->features, &o, err)) < 0)
		goto done;
	if ((rc = hfds_arrow_builder_new(&b, hfds_ds_schema(ds, "default"), err)) < 0)
		goto done;
	if ((rc = write_split(ds, b, "train", tokens, ntrain, c->window, err)) < 0 ||
	    (rc = write_split(ds, b, "test", tokens + ntrain * HFDS_CHESS_TOKENS, n - ntrain, c->window, err)) < 0)
		goto done;
	if (c->dry_run) {
		rc = hfds_ds_finish(ds, err);
	} else {
		snprintf(title, sizeof(title), "Add chesspos batch %llu (%zu train, %zu test rows)",
			(unsigned long long)c->batches_done + 1, ntrain, n - ntrain);
		memset(&po, 0, sizeof(po));
		po.title = title;
		rc = hfds_ds_publish(ds, &c->repo->ops, &po, c->last_sha, err);
	}
	if (rc < 0)
		goto done;
	c->batches_done++;
	c->rows_train += ntrain;
	c->rows_test += n - ntrain;
	fprintf(stderr, "%sbatch %llu: %zu train + %zu test rows%s%s (%llu games, %.0f games/s)\n",
		isatty(STDERR_FILENO) ? "\r" : "", (unsigned long long)c->batches_done, ntrain, n - ntrain,
		c->dry_run ? "" : ", commit ", c->dry_run ? "" : c->last_sha,
		(unsigned long long)games, games / (now_s() - c->t0 + 1e-9));
done:
	hfds_arrow_builder_free(b);
	hfds_ds_free(ds);
	if (staging)
		push_repo_remove_tree(staging);
	hfds_free(staging);
	return rc;
}

static void *publisher(void *arg)
{
	push_ctx *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		hfds_error e;
		int rc;
		while (!c->busy && !c->quit)
			pthread_cond_wait(&c->cv, &c->mu);
		if (!c->busy)
			break;
		pthread_mutex_unlock(&c->mu);
		hfds_error_init(&e);
		rc = publish_batch(c, c->job_tokens, c->job_n, c->job_games, &e);
		pthread_mutex_lock(&c->mu);
		if (rc < 0 && c->prc == 0) {
			c->prc = rc;
			c->perr = e;
		}
		c->busy = 0;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* Waits until the publisher is idle; returns its first failure (message into err). */
static int wait_idle(push_ctx *c, hfds_error *err)
{
	int rc;
	pthread_mutex_lock(&c->mu);
	while (c->busy)
		pthread_cond_wait(&c->cv, &c->mu);
	rc = c->prc;
	if (rc < 0)
		hfds_error_set(err, rc, "%s", c->perr.message);
	pthread_mutex_unlock(&c->mu);
	return rc;
}

/* Hands the current buffer to the publisher and switches to the other one. */
static int submit(push_ctx *c, hfds_error *err)
{
	int rc = wait_idle(c, err);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&c->mu);
	c->job_tokens = c->buf[c->cur];
	c->job_n = c->n;
	c->job_games = c->stats->games;
	c->busy = 1;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	c->cur ^= 1;
	c->n = 0;
	c->batches_submitted++;
	return 0;
}

static int on_pos(void *ctx, const hfds_chess_position *pos, hfds_error *err)
{
	push_ctx *c = ctx;
	int rc;
	if (c->skip) {
		c->skip--;
		return 0;
	}
	hfds_chess_encode(pos->board, c->buf[c->cur] + c->n * HFDS_CHESS_TOKENS);
	if (++c->n < c->batch_size)
		return 0;
	if ((rc = submit(c, err)) < 0)
		return rc;
	return c->batches_submitted >= c->batches_wanted ? HFDS_ECANCELLED : 0;
}

static void on_problem(void *ctx, const char *msg)
{
	(void)ctx;
	cli_eprintf("%s\n", msg);
}

static void on_progress(void *ctx, const hfds_chess_stats *st)
{
	push_ctx *c = ctx;
	double dt = now_s() - c->t0;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r%llu games (%.0f games/s), %llu positions, batch %llu/%llu: %zu rows",
			(unsigned long long)st->games, dt > 0 ? st->games / dt : 0.0, (unsigned long long)st->positions,
			(unsigned long long)c->batches_submitted + 1, (unsigned long long)c->batches_wanted, c->n);
}

/* Batches already in the repo: its train/batch_*.parquet files. */
static int existing_batches(push_repo *r, uint64_t *count, hfds_error *err)
{
	hfds_ds_repo_file *files = NULL;
	size_t n = 0, i;
	char head[41];
	int rc;
	*count = 0;
	if ((rc = r->ops.head(r->ops.payload, head, err)) < 0)
		return rc;
	if ((rc = r->ops.list_files(r->ops.payload, head, &files, &n, err)) < 0)
		return rc;
	for (i = 0; i < n; i++)
		if (!strncmp(files[i].path, "train/batch_", 12) && strstr(files[i].path, ".parquet"))
			(*count)++;
	hfds_ds_repo_files_free(files, n);
	return 0;
}

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (*s == '-' || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int cmd_chess_push(int argc, char **argv)
{
	hfds_chess_sample_opts so;
	hfds_chess_stats st;
	hfds_chess_run_hooks hooks;
	push_ctx c;
	const char *repo_id = NULL, *tag = NULL, *endpoint = NULL, *out_dir = NULL;
	char **inputs = NULL, **paths = NULL, tmpl[] = "/tmp/hfds-chess-dry-XXXXXX";
	size_t ninputs = 0, npaths = 0;
	int i, rc = 0, recursive = 0, in_data = 0, resume = 0, is_private = 0, code = CLI_EXIT_OK, started = 0;
	pthread_t th;
	uint64_t v, existing = 0;
	hfds_error err;
	hfds_error_init(&err);
	hfds_chess_sample_opts_default(&so);
	memset(&c, 0, sizeof(c));
	pthread_mutex_init(&c.mu, NULL);
	pthread_cond_init(&c.cv, NULL);
	c.batches_wanted = 3;
	c.batch_size = 100000;
	c.ratio = 0.95;
	c.window = 10;
	c.codec = HFDS_PQ_ZSTD;
	c.stats = &st;
	memset(&st, 0, sizeof(st));
	inputs = calloc((size_t)argc + 1, sizeof(char *));
	if (!inputs)
		return CLI_EXIT_ERROR;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int k = hfds_cli_chess_sample_opt("chess push", argc, argv, &i, &so, &recursive);
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
			c.dry_run = 1;
		} else if (!strcmp(a, "--resume")) {
			resume = 1;
		} else if (!strcmp(a, "--private")) {
			is_private = 1;
		} else if (val && !strcmp(a, "--repo")) {
			repo_id = argv[++i];
		} else if (val && !strcmp(a, "--tag")) {
			tag = argv[++i];
		} else if (val && !strcmp(a, "--endpoint")) {
			endpoint = argv[++i];
		} else if (val && !strcmp(a, "--codec")) {
			if (hfds_pq_codec_parse(argv[++i], &c.codec, &err) < 0) {
				cli_usage_error("chess push", "--codec: %s", err.message);
				goto usage;
			}
		} else if (val && !strcmp(a, "--out")) {
			out_dir = argv[++i];
		} else if (val && !strcmp(a, "--batches")) {
			if (parse_u64(argv[++i], 1, 1000000, &c.batches_wanted) < 0) {
				cli_usage_error("chess push", "--batches: expected 1..1000000");
				goto usage;
			}
		} else if (val && !strcmp(a, "--batch-size")) {
			if (parse_u64(argv[++i], 1, 100000000, &v) < 0) {
				cli_usage_error("chess push", "--batch-size: expected 1..100000000");
				goto usage;
			}
			c.batch_size = (size_t)v;
		} else if (val && (!strcmp(a, "--workers") || !strcmp(a, "--window-size"))) {
			if (parse_u64(argv[++i], 1, 1024, &v) < 0) {
				cli_usage_error("chess push", "%s: expected 1..1024", a);
				goto usage;
			}
			if (!strcmp(a, "--workers"))
				c.workers = (int)v;
			else
				c.window = (int)v;
		} else if (val && !strcmp(a, "--train-ratio")) {
			char *end;
			c.ratio = strtod(argv[++i], &end);
			if (*end || !(c.ratio > 0 && c.ratio < 1)) {
				cli_usage_error("chess push", "--train-ratio: expected 0 < R < 1");
				goto usage;
			}
		} else if (in_data && (a[0] != '-' || !a[1])) {
			inputs[ninputs++] = argv[i];
			continue;
		} else {
			cli_usage_error("chess push", "unexpected argument '%s'", a);
			goto usage;
		}
		in_data = 0;
	}
	if (!repo_id || !*repo_id || !ninputs) {
		cli_usage_error("chess push", "--repo and --data-path are required");
		goto usage;
	}
	if (hfds_hub_repo_id_check(repo_id, &err) < 0)
		goto fail;
	if ((rc = hfds_chess_expand_paths(&paths, &npaths, inputs, ninputs, recursive, &err)) < 0)
		goto fail;
	if ((rc = hfds_chess_features_new(&c.features, c.window, &err)) < 0)
		goto fail;
	c.workers = cli_threads(c.workers);
	c.buf[0] = malloc(c.batch_size * HFDS_CHESS_TOKENS);
	c.buf[1] = malloc(c.batch_size * HFDS_CHESS_TOKENS);
	if (!c.buf[0] || !c.buf[1]) {
		hfds_error_set(&err, HFDS_ENOMEM, "out of memory for a batch of %zu rows", c.batch_size);
		goto fail;
	}
	if (c.dry_run) {
		if (!out_dir && !(out_dir = mkdtemp(tmpl))) {
			hfds_error_set(&err, HFDS_EIO, "cannot create a temporary folder");
			goto fail;
		}
		c.out_dir = out_dir;
		fprintf(stderr, "hfds chess push: dry run into %s (nothing is published)\n", out_dir);
	} else {
		/* the hub first: a bad repo id, endpoint or permission fails before any parsing */
		if ((rc = push_repo_open(&c.repo, endpoint, repo_id, NULL, 1, is_private, &err)) < 0)
			goto fail;
		if ((rc = existing_batches(c.repo, &existing, &err)) < 0)
			goto fail;
		if (existing && !resume) {
			hfds_error_set(&err, HFDS_EEXISTS, "%s already has %llu batch(es); use --resume to continue after them",
				repo_id, (unsigned long long)existing);
			goto fail;
		}
		c.skip = resume ? existing * c.batch_size : 0;
		fprintf(stderr, "hfds chess push: %s on %s%s\n", repo_id, c.repo->where,
			existing ? ", resuming after the existing batches" : "");
	}
	hooks.problem = on_problem;
	hooks.progress = on_progress;
	hooks.ctx = &c;
	c.t0 = now_s();
	if (pthread_create(&th, NULL, publisher, &c) != 0) {
		hfds_error_set(&err, HFDS_ERROR, "cannot start the publisher thread");
		goto fail;
	}
	started = 1;
	rc = hfds_chess_sample(paths, npaths, &so, on_pos, &c, &hooks, &st, &err);
	if (rc == 0 && c.batches_submitted < c.batches_wanted && c.n) {
		fprintf(stderr, "hfds chess push: warning: the input ran out; publishing a partial batch of %zu rows\n", c.n);
		rc = submit(&c, &err);
	}
	if (rc == 0)
		rc = wait_idle(&c, &err);
	if (rc < 0)
		goto fail;
	if (c.batches_done < c.batches_wanted)
		fprintf(stderr, "hfds chess push: warning: %llu of %llu batch(es) published\n",
			(unsigned long long)c.batches_done, (unsigned long long)c.batches_wanted);
	if (tag && !c.dry_run) {
		if (!c.last_sha[0]) {
			hfds_error_set(&err, HFDS_ESTATE, "nothing was published, so there is no commit to tag '%s'", tag);
			goto fail;
		}
		if ((rc = hfds_store_tag_create(c.repo->repo, tag, c.last_sha, NULL, &err)) < 0)
			goto fail;
	}
	printf("%s%s: %llu batch(es), %llu train + %llu test rows from %llu games (%llu bad, %llu skipped)%s%s%s\n",
		c.dry_run ? "dry run " : "", c.dry_run ? out_dir : repo_id, (unsigned long long)c.batches_done,
		(unsigned long long)c.rows_train, (unsigned long long)c.rows_test, (unsigned long long)st.games,
		(unsigned long long)st.bad_games, (unsigned long long)(st.skipped_variant + st.skipped_setup),
		c.last_sha[0] ? ", commit " : "", c.last_sha, tag && !c.dry_run ? ", tagged" : "");
	goto out;
usage:
	code = CLI_EXIT_USAGE;
	goto out;
fail:
	code = cli_fail(&err);
out:
	if (started) {
		pthread_mutex_lock(&c.mu);
		c.quit = 1;
		pthread_cond_broadcast(&c.cv);
		pthread_mutex_unlock(&c.mu);
		pthread_join(th, NULL);
	}
	pthread_mutex_destroy(&c.mu);
	pthread_cond_destroy(&c.cv);
	if (code != CLI_EXIT_OK)
		push_repo_abandon(c.repo); /* a failed first push leaves no empty repo */
	free(inputs);
	free(c.buf[0]);
	free(c.buf[1]);
	hfds_features_free(c.features);
	hfds_chess_paths_free(paths);
	push_repo_free(c.repo);
	return code;
}
