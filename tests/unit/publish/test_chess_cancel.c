/* hfds_chess_publish's `cancelled` hook: polled while sampling and while a batch is written;
 * a stop ends the run with HFDS_ECANCELLED, keeps the batches already written (here a dry run
 * into a folder), writes no partial batch, and a hook that never fires changes nothing. */
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "hfds/publish.h"

typedef struct {
	int stop_after;  /* batches written before the hook says stop (0 = never) */
	int main_only;   /* only the sampling (calling) thread is told to stop */
	pthread_t main;
	int written;     /* BATCH events, from the publisher thread */
	int polls;
} watch;

static void on_event(void *ctx, const hfds_chess_publish_event *ev)
{
	watch *w = ctx;
	if (ev->kind == HFDS_CHESS_PUBLISH_BATCH)
		__atomic_add_fetch(&w->written, 1, __ATOMIC_SEQ_CST);
}

static int cancelled(void *ctx)
{
	watch *w = ctx;
	__atomic_add_fetch(&w->polls, 1, __ATOMIC_SEQ_CST);
	if (w->main_only && !pthread_equal(pthread_self(), w->main))
		return 0;
	return w->stop_after && __atomic_load_n(&w->written, __ATOMIC_SEQ_CST) >= w->stop_after;
}

static int exists(const char *dir, const char *split, int batch)
{
	char path[4200];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s/batch_%06d.parquet", dir, split, batch);
	return stat(path, &st) == 0;
}

static int run(const char *name, watch *w, hfds_chess_publish_result *res, hfds_error *err)
{
	static char dir[4096];
	char *paths[1];
	hfds_chess_publish_opts o;
	paths[0] = (char *)test_shared("testdata/pgn/lichess/lichess_db_1000k.pgn");
	snprintf(dir, sizeof(dir), "%s/%s", test_tmpdir(), name);
	hfds_chess_publish_opts_init(&o);
	o.out_dir = dir;
	o.batches = 1000;
	o.batch_size = 1000;
	o.window = 1;
	o.threads = 1;
	o.sample.sampler = HFDS_CHESS_SAMPLER_ALL;
	o.on_event = on_event;
	o.cancelled = cancelled;
	o.ctx = w;
	w->main = pthread_self();
	return hfds_chess_publish(NULL, paths, 1, &o, res, err);
}

static void check_stop(const char *name, int main_only)
{
	char dir[4096];
	watch w = {.stop_after = 3, .main_only = main_only};
	hfds_chess_publish_result res;
	hfds_error err;
	int k;
	hfds_error_init(&err);
	CHECK_EQ_INT(run(name, &w, &res, &err), HFDS_ECANCELLED);
	CHECK(strstr(err.message, "cancelled") != NULL);
	/* polled every 4096 positions and every 4096 rows written: a few batches of 1000 made it,
	 * whole, and no partial batch followed */
	CHECK(res.batches >= 3 && res.batches <= 8);
	CHECK_EQ_INT(res.rows_train + res.rows_test, res.batches * 1000);
	snprintf(dir, sizeof(dir), "%s/%s", test_tmpdir(), name);
	for (k = 1; k <= (int)res.batches; k++)
		CHECK(exists(dir, "train", k) && exists(dir, "test", k));
	CHECK(!exists(dir, "train", (int)res.batches + 1));
	CHECK(w.polls > 0);
}

/* both threads told: the batch being written is dropped */
static void test_stop_keeps_written_batches(void)
{
	check_stop("stop", 0);
}

/* only the sampler told: it stops between batches, and the input left is not a partial batch */
static void test_stop_while_sampling(void)
{
	check_stop("stop-sampling", 1);
}

static void test_silent_hook_changes_nothing(void)
{
	watch w = {0};
	hfds_chess_publish_result res;
	hfds_error err;
	hfds_error_init(&err);
	/* the whole file (1 MB, ~67k positions): 68 batches, the last one partial */
	CHECK_EQ_INT(run("all", &w, &res, &err), 0);
	CHECK(res.batches > 8);
	CHECK_EQ_INT(res.rows_train + res.rows_test, res.stats.positions);
	CHECK(w.polls >= (int)(res.stats.positions / 4096));
}

int main(void)
{
	RUN(test_stop_keeps_written_batches);
	RUN(test_stop_while_sampling);
	RUN(test_silent_hook_changes_nothing);
	TEST_END();
}
