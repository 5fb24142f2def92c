/*
 * hfds_chess_publish: the chess publishing loop (moved from the CLI so a C program can do
 * what `hfds chess push` does). The sampler runs on the caller's thread and fills one of
 * two token buffers; a publisher thread writes and commits the other, so writing and
 * committing batch k overlaps sampling batch k+1 and commits stay in order.
 */
#include "hfds/publish.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hfds/parquet.h"
#include "util/alloc.h"
#include "util/try.h"

typedef struct pub {
	const hfds_chess_publish_opts *o;
	hfds_hub *hub;
	hfds_hub_dataset *repo;
	hfds_features *features;
	hfds_chess_publish_result *res;
	uint64_t next_batch;      /* the number the next submitted batch gets */
	uint64_t submitted, skip;
	int8_t *buf[2];           /* the sampler fills buf[cur]; the publisher owns the other */
	int cur;
	size_t n;
	/* publisher thread state, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int busy, quit, prc;
	const int8_t *job_tokens;
	size_t job_n;
	uint64_t job_batch;
	hfds_error perr;
	double t0;
	unsigned polls;           /* positions seen, for polling o->cancelled */
	int stop;                 /* o->cancelled said stop (sampling thread only) */
} pub;

void hfds_chess_publish_opts_init(hfds_chess_publish_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->version = HFDS_CHESS_PUBLISH_OPTS_VERSION;
	o->batches = 3;
	o->batch_size = 100000;
	o->train_ratio = 0.95;
	o->window = 10;
	o->codec = HFDS_PQ_ZSTD;
	hfds_chess_sample_opts_init(&o->sample);
}

/* `<split>/batch_N.parquet` -> N, else 0. */
static uint64_t batch_number(const char *path)
{
	unsigned long long k;
	int used = 0;
	const char *p = !strncmp(path, "train/", 6) ? path + 6 : !strncmp(path, "test/", 5) ? path + 5 : NULL;
	if (!p || sscanf(p, "batch_%llu.parquet%n", &k, &used) != 1 || p[used] != '\0' || p[0] == '-' ||
	    strncmp(p, "batch_", 6) || p[6] < '0' || p[6] > '9')
		return 0;
	return (uint64_t)k;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int hfds_chess_publish_resume_plan(hfds_chess_resume_plan *out, const hfds_ds_repo_file *files, size_t count,
	size_t batch_size, hfds_error *err)
{
	uint64_t *nums = NULL, highest = 0;
	size_t i, n = 0;
	int rc = 0;
	HFDS_ASSERT_ARG(out && (files || !count) && batch_size, err);
	memset(out, 0, sizeof(*out));
	nums = hfds_calloc(count + 1, sizeof(*nums));
	HFDS_FAIL_IF(!nums, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < count; i++) {
		uint64_t k = batch_number(files[i].path);
		if (k) {
			nums[n++] = k;
			highest = k > highest ? k : highest;
		}
	}
	qsort(nums, n, sizeof(*nums), cmp_u64);
	for (i = 0; i < n; i++)
		out->existing += i == 0 || nums[i] != nums[i - 1];
	HFDS_FAIL_IF(highest >= UINT64_MAX / batch_size, HFDS_ELIMIT, err,
		"batch %llu x %zu rows: the positions to skip overflow", (unsigned long long)highest, batch_size);
	out->next_batch = highest + 1;
	out->skip_positions = highest * (uint64_t)batch_size;
done:
	hfds_free(nums);
	return rc;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void emit(pub *p, hfds_chess_publish_event *ev)
{
	ev->stats = &p->res->stats;
	ev->seconds = now_s() - p->t0;
	if (p->o->on_event)
		p->o->on_event(p->o->ctx, ev);
}

static int cancelled(const pub *p)
{
	return p->o->cancelled && p->o->cancelled(p->o->ctx);
}

static int write_split(const pub *p, hfds_ds *ds, hfds_arrow_builder *b, const char *split, const int8_t *tok,
	size_t n, int window, hfds_error *err)
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
		if (cancelled(p))
			return hfds_error_set(err, HFDS_ECANCELLED, "cancelled while writing the %s rows of a batch", split);
		if ((rc = hfds_chess_rows_batch(&a, b, tok + at * HFDS_CHESS_TOKENS, m, window, err)) < 0)
			return rc;
		rc = hfds_ds_write(ds, "default", split, &a, err);
		hfds_arrow_array_release(&a);
	}
	return rc;
}

static int publish_batch(pub *p, const int8_t *tokens, size_t n, uint64_t number, hfds_error *err)
{
	const hfds_chess_publish_opts *o = p->o;
	hfds_ds_options dso;
	hfds_ds_publish_options po;
	hfds_ds *ds = NULL;
	hfds_arrow_builder *b = NULL;
	hfds_hub_staging *staging = NULL;
	hfds_chess_publish_event ev;
	char title[128], sha[HFDS_OID_HEX_SIZE] = "";
	size_t ntrain = (size_t)((double)n * o->train_ratio);
	int rc = 0;
	hfds_ds_options_init(&dso);
	dso.layout = HFDS_DS_LAYOUT_APPEND;
	dso.append_batch = number;
	dso.max_shard_size = UINT64_MAX;   /* one file per split and batch: numbers stay batches */
	dso.threads = o->threads;
	dso.set_default = 1;
	/* zstd: the repeated window compresses ~50x (snappy ~7x) and costs less CPU to encode;
	 * 16 MB row groups keep the writer's column buffers small enough to be recycled */
	dso.codec = o->codec;
	dso.row_group_bytes = 16000000u;
	if (!o->out_dir)
		HFDS_TRY(hfds_hub_staging_new(&staging, p->hub, err));
	HFDS_TRY(hfds_ds_open(&ds, o->out_dir ? o->out_dir : hfds_hub_staging_path(staging), p->features, &dso, err));
	HFDS_TRY(hfds_arrow_builder_new(&b, hfds_ds_schema(ds, "default"), err));
	HFDS_TRY(write_split(p, ds, b, "train", tokens, ntrain, o->window, err));
	HFDS_TRY(write_split(p, ds, b, "test", tokens + ntrain * HFDS_CHESS_TOKENS, n - ntrain, o->window, err));
	if (o->out_dir) {
		HFDS_TRY(hfds_ds_finish(ds, err));
	} else {
		snprintf(title, sizeof(title), "Add chesspos batch %llu (%zu train, %zu test rows)",
			(unsigned long long)number, ntrain, n - ntrain);
		hfds_ds_publish_options_init(&po);
		po.title = title;
		HFDS_TRY(hfds_ds_publish(ds, hfds_hub_dataset_ops(p->repo), &po, sha, err));
		memcpy(p->res->last_sha, sha, sizeof(sha));
	}
	p->res->batches++;
	p->res->rows_train += ntrain;
	p->res->rows_test += n - ntrain;
	memset(&ev, 0, sizeof(ev));
	ev.kind = HFDS_CHESS_PUBLISH_BATCH;
	ev.batch = number;
	ev.rows = n;
	ev.train_rows = ntrain;
	ev.test_rows = n - ntrain;
	ev.sha = sha;
	emit(p, &ev);
done:
	hfds_arrow_builder_free(b);
	hfds_ds_free(ds);
	hfds_hub_staging_free(staging);
	return rc;
}

static void *publisher(void *arg)
{
	pub *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		hfds_error e;
		int rc;
		while (!p->busy && !p->quit)
			pthread_cond_wait(&p->cv, &p->mu);
		if (!p->busy)
			break;
		pthread_mutex_unlock(&p->mu);
		hfds_error_init(&e);
		rc = publish_batch(p, p->job_tokens, p->job_n, p->job_batch, &e);
		pthread_mutex_lock(&p->mu);
		if (rc < 0 && p->prc == 0) {
			p->prc = rc;
			p->perr = e;
		}
		p->busy = 0;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Waits until the publisher is idle; returns its first failure (message into err). */
static int wait_idle(pub *p, hfds_error *err)
{
	int rc;
	pthread_mutex_lock(&p->mu);
	while (p->busy)
		pthread_cond_wait(&p->cv, &p->mu);
	rc = p->prc;
	if (rc < 0)
		hfds_error_set(err, rc, "%s", p->perr.message);
	pthread_mutex_unlock(&p->mu);
	return rc;
}

/* Hands the current buffer to the publisher and switches to the other one. */
static int submit(pub *p, hfds_error *err)
{
	int rc = wait_idle(p, err);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&p->mu);
	p->job_tokens = p->buf[p->cur];
	p->job_n = p->n;
	p->job_batch = p->next_batch++;
	p->busy = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	p->cur ^= 1;
	p->n = 0;
	p->submitted++;
	return 0;
}

static int on_pos(void *ctx, const hfds_chess_position *pos, hfds_error *err)
{
	pub *p = ctx;
	int rc;
	if ((++p->polls & 4095) == 0 && cancelled(p)) {
		p->stop = 1;
		return HFDS_ECANCELLED;
	}
	if (p->skip) {
		p->skip--;
		return 0;
	}
	hfds_chess_encode(pos->board, p->buf[p->cur] + p->n * HFDS_CHESS_TOKENS);
	if (++p->n < p->o->batch_size)
		return 0;
	if ((rc = submit(p, err)) < 0)
		return rc;
	return p->submitted >= p->o->batches ? HFDS_ECANCELLED : 0;
}

static void on_problem(void *ctx, const char *msg)
{
	pub *p = ctx;
	if (p->o->on_problem)
		p->o->on_problem(p->o->ctx, msg);
}

static void on_progress(void *ctx, const hfds_chess_stats *st)
{
	pub *p = ctx;
	hfds_chess_publish_event ev;
	(void)st;
	memset(&ev, 0, sizeof(ev));
	ev.kind = HFDS_CHESS_PUBLISH_PROGRESS;
	ev.batch = p->next_batch;
	ev.rows = p->n;
	emit(p, &ev);
}

/* Opens (creating) the repository and plans the resume from its files. */
static int plan(pub *p, hfds_chess_resume_plan *rp, hfds_error *err)
{
	const hfds_chess_publish_opts *o = p->o;
	const hfds_ds_repo_ops *ops;
	hfds_ds_repo_file *files = NULL;
	size_t n = 0;
	char head[HFDS_OID_HEX_SIZE];
	int rc = 0;
	HFDS_TRY(hfds_hub_dataset_open(&p->repo, p->hub, o->repo_id, o->branch,
		HFDS_HUB_DATASET_CREATE | (o->is_private ? HFDS_HUB_DATASET_PRIVATE : 0), err));
	ops = hfds_hub_dataset_ops(p->repo);
	HFDS_TRY(ops->head(ops->payload, head, err));
	HFDS_TRY(ops->list_files(ops->payload, head, &files, &n, err));
	HFDS_TRY(hfds_chess_publish_resume_plan(rp, files, n, o->batch_size, err));
	HFDS_FAIL_IF(rp->existing && !o->resume, HFDS_EEXISTS, err,
		"%s already has %llu batch(es); use --resume to continue after them", o->repo_id,
		(unsigned long long)rp->existing);
	if (!o->resume)
		memset(rp, 0, sizeof(*rp));
done:
	hfds_ds_repo_files_free(files, n);
	return rc;
}

int hfds_chess_publish(hfds_hub *hub, char *const *paths, size_t npaths, const hfds_chess_publish_opts *o,
	hfds_chess_publish_result *res, hfds_error *err)
{
	hfds_chess_publish_result local;
	hfds_chess_resume_plan rp;
	hfds_chess_run_hooks hooks;
	hfds_chess_publish_event ev;
	pub p;
	pthread_t th;
	int rc = 0, started = 0;
	HFDS_ASSERT_ARG(o && (paths || !npaths), err);
	if (o->version != HFDS_CHESS_PUBLISH_OPTS_VERSION)
		return hfds_error_set(err, HFDS_EINVAL, "hfds_chess_publish_opts: version %u, expected %u (call _init)",
			o->version, HFDS_CHESS_PUBLISH_OPTS_VERSION);
	if (!o->out_dir && (!hub || !o->repo_id))
		return hfds_error_set(err, HFDS_EINVAL, "hfds_chess_publish: a hub and a repo id, or out_dir");
	if (!o->batches || !o->batch_size || !(o->train_ratio > 0 && o->train_ratio < 1) || o->window < 1)
		return hfds_error_set(err, HFDS_EINVAL, "hfds_chess_publish: batches, batch_size, window > 0 and "
			"0 < train_ratio < 1");
	if (o->batch_size > SIZE_MAX / HFDS_CHESS_TOKENS)
		return hfds_error_set(err, HFDS_ELIMIT, "batch size %zu is too large", o->batch_size);
	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	memset(&p, 0, sizeof(p));
	memset(&rp, 0, sizeof(rp));
	p.o = o;
	p.hub = hub;
	p.res = res;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	HFDS_TRY(hfds_chess_features_new(&p.features, o->window, err));
	p.buf[0] = hfds_malloc(o->batch_size * HFDS_CHESS_TOKENS);
	p.buf[1] = hfds_malloc(o->batch_size * HFDS_CHESS_TOKENS);
	HFDS_FAIL_IF(!p.buf[0] || !p.buf[1], HFDS_ENOMEM, err, "out of memory for a batch of %zu rows", o->batch_size);
	/* the hub first: a bad repo id, endpoint or permission fails before any parsing */
	if (!o->out_dir)
		HFDS_TRY(plan(&p, &rp, err));
	res->existing = rp.existing;
	p.next_batch = o->out_dir ? 1 : rp.next_batch ? rp.next_batch : 1;
	p.skip = rp.skip_positions;
	memset(&ev, 0, sizeof(ev));
	ev.kind = HFDS_CHESS_PUBLISH_START;
	ev.existing = rp.existing;
	ev.batch = p.next_batch;
	p.t0 = now_s();
	emit(&p, &ev);
	hooks.problem = on_problem;
	hooks.progress = on_progress;
	hooks.ctx = &p;
	HFDS_FAIL_IF(pthread_create(&th, NULL, publisher, &p) != 0, HFDS_ERROR, err, "cannot start the publisher thread");
	started = 1;
	rc = hfds_chess_sample(paths, npaths, &o->sample, on_pos, &p, &hooks, &res->stats, err);
	if (rc == 0 && !p.stop && p.submitted < o->batches && p.n) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = HFDS_CHESS_PUBLISH_PARTIAL;
		ev.batch = p.next_batch;
		ev.rows = p.n;
		emit(&p, &ev);
		rc = submit(&p, err);
	}
	if (rc == 0)
		rc = wait_idle(&p, err);
	if (rc == 0 && p.stop)
		rc = hfds_error_set(err, HFDS_ECANCELLED, "cancelled after %llu published batch(es)",
			(unsigned long long)res->batches);
	HFDS_TRY(rc);
	if (o->tag && !o->out_dir) {
		HFDS_FAIL_IF(!res->last_sha[0], HFDS_ESTATE, err, "nothing was published, so there is no commit to tag '%s'",
			o->tag);
		HFDS_TRY(hfds_hub_tag_create(hub, HFDS_REPO_DATASET, o->repo_id, o->tag, res->last_sha, NULL, err));
	}
done:
	if (started) {
		pthread_mutex_lock(&p.mu);
		p.quit = 1;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		pthread_join(th, NULL);
	}
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	hfds_free(p.buf[0]);
	hfds_free(p.buf[1]);
	hfds_features_free(p.features);
	hfds_hub_dataset_free(p.repo);
	return rc;
}
